package main

// rollback REPORT: undo what an import created.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/partnero-import/partnero-import/importer"
	"github.com/partnero-import/partnero-import/importer/partnero"
	"github.com/partnero-import/partnero-import/report"
)

// rollbackOptions are rollback's own flags; the connection and output flags
// are import's.
type rollbackOptions struct {
	*importOptions
	delete   bool
	restore  bool
	yes      bool
	anyOrder bool
}

// how is what the rollback does to each partner.
func (o *rollbackOptions) how() partnero.Undoing {
	switch {
	case o.restore:
		return partnero.Restore
	case o.delete:
		return partnero.Delete
	}
	return partnero.Archive
}

// rollbackFlags defines rollback's flags, in the groups help shows.
func rollbackFlags() (*rollbackOptions, *flagSet) {
	o := &rollbackOptions{importOptions: &importOptions{logFormat: "text", rate: "auto", mode: "create",
		concurrency: defaultConcurrency, retries: defaultRetries, timeout: defaultTimeout, progressEvery: 5 * time.Second}}
	fs := newFlagSet("rollback")
	o.connectionFlags(fs)
	fs.group("behaviour")
	fs.BoolVar(&o.delete, "delete", false, "delete the records (partners, customers or transactions) for good instead of archiving them")
	fs.BoolVar(&o.restore, "restore", false, "undo a rollback that archived: REPORT is its report, and each record it archived is restored")
	fs.BoolVar(&o.dryRun, "dry-run", false, "say what would be done, send nothing")
	fs.BoolVar(&o.yes, "yes", false, "do not ask for confirmation (needed when standard input is not a terminal)")
	fs.BoolVar(&o.anyOrder, "any-order", false, "undo even without the import's REPORT.referrals.csv, in no particular order (referred partners then not first)")
	o.outputFlags(fs)
	fs.StringVar(&o.reportPath, "report", "", "`PATH` the rollback's own report (default: REPORT with .rollback.csv, or .restore.csv)")
	o.flags = fs
	return o, fs
}

func parseRollbackFlags(args []string) (*rollbackOptions, error) {
	o, fs := rollbackFlags()
	files, err := fs.parse(args)
	if err != nil {
		return nil, err
	}
	if len(files) != 1 {
		return nil, usagef("rollback needs exactly one REPORT, the report of the import to undo; got %d", len(files))
	}
	if o.restore && o.delete {
		return nil, usagef("--restore and --delete cannot go together: --restore undoes a rollback that archived")
	}
	o.file, o.args = files[0], args
	return o, o.check()
}

func runRollback(ctx context.Context, args []string, getenv func(string) string, s Streams) (int, error) {
	start := time.Now()
	o, err := parseRollbackFlags(args)
	if err != nil {
		return 0, err
	}
	return inSession(s, o.importOptions, start, func(ss *session) (int, error) { return o.run(ctx, getenv, ss) })
}

func (o *rollbackOptions) run(ctx context.Context, getenv func(string) string, ss *session) (_ int, err error) {
	kind, _ := report.KindOf(o.file) // a report that cannot be read is refused below, in its words
	records := kind.OrDefault()
	if !o.dryRun && !o.yes && !ss.s.InIsTerminal {
		return 0, usagef("rollback changes %s in Partnero: give --yes to confirm when standard input is not a terminal (or --dry-run to see what it would do)", records)
	}
	files, undone, err := o.rollbackFiles(getenv)
	if err != nil {
		return 0, err
	}
	defer func() { summaryOfFailure("rollback", o.file, files, err) }()
	if !o.restore {
		if live := notUndoneAfter(o.file, undone); len(live) > 0 {
			ss.out.warn(fmt.Sprintf("%s is not rolled back yet: undo a migration sales first, then customers, then partners "+
				"(records of a later kind stay active under what this rollback archives; partnero-import help rollback)", strings.Join(live, ", ")))
		}
	}
	verb := o.how().Verb()
	if !o.dryRun && !o.yes {
		n, err := importer.RollbackCount(o.file, o.how())
		if err != nil {
			return 0, err
		}
		if err := confirm(ss.s, fmt.Sprintf("%s %d %s at %s?", verb, n, records, files.destination)); err != nil {
			return 0, err
		}
	}
	out := ss.out
	if files.kept != "" {
		out.note(files.kept)
	}
	if files.chainGone != "" {
		out.warn(files.chainGone)
	}
	ss.showProgress(o.importOptions, &importer.Progress{})
	ss.prog.doing(map[string]string{"archive": "archiving", "delete": "deleting", "restore": "restoring"}[verb])
	if o.dryRun {
		ss.prog.doing("would " + verb)
	}
	cfg := importer.RollbackConfig{Report: o.file, How: o.how(), Concurrency: o.concurrency, RetryPath: files.retry, Log: out.log,
		Mark: undone.Mark, AnyOrder: o.anyOrder, HardStop: ss.s.HardStop,
		Started: func(rows int) { ss.prog.started(rows, rows) }, Finished: ss.prog.finished}
	if !o.dryRun {
		if err := ss.connect(ctx, getenv, o.importOptions, ""); err != nil {
			return 0, err
		}
		cfg.Client = ss.client
		ss.finish = "to finish, run the rollback again (it skips what is already undone): " + o.rerunCommand()
	}
	// The rollback's report carries the import's mark, for a restore to
	// know the job's partners by.
	prov := &report.Provenance{Tool: "partnero-import", Version: versionString(), Commit: commitString(), Command: o.command(),
		Destination: files.destination, Input: o.file, StartedAt: ss.start.UTC(), NothingSent: true, Mark: undone.Mark, Kind: undone.Kind}
	cfg.Out = func() (*report.Writer, error) { return report.Create(files.report, !o.dryRun, prov) }
	cfg.Retry = func(path string) (*report.Writer, error) {
		retry := *undone // REPORT's provenance: rollback accepts its retry file like the report
		retry.Finished, retry.RetryOf, retry.ContinuedBy = false, files.report, nil
		return report.Create(path, true, &retry)
	}
	out.log.Info("start", "command", "rollback", "report", o.file, "rollback_report", files.report, "version", versionString())
	res, err := ss.work(ctx, o.timeout, func() (*importer.Result, error) { return importer.Rollback(ctx, cfg) })
	if err != nil {
		return 0, err
	}
	res.Summary.Elapsed = time.Since(ss.start)
	code := exitCode(res)
	if o.summaryJSON != "" {
		if err := writeSummaryJSON(o.summaryJSON, "rollback", o.file, files, res, code); err != nil {
			return 0, err
		}
	}
	switch {
	case res.Fatal != nil:
		return 0, fmt.Errorf("%v (report: %s)", res.Fatal, files.report)
	case res.HardStopped:
		return ss.stoppedAtOnce(res)
	}
	out.end(res, files.report, kind)
	if res.Interrupted {
		out.note(fmt.Sprintf("partnero-import: interrupted; %s not undone are reported skipped/aborted", records))
		out.note("to finish, run the rollback again (it skips what is already undone): " + o.rerunCommand())
	}
	return code, nil
}

// command is the provenance's name of this run: rollback, or restore.
func (o *rollbackOptions) command() string {
	if o.restore {
		return "restore"
	}
	return "rollback"
}

// rollbackFiles decides the rollback's paths and refuses, before anything
// is written or sent, a report whose rows went nowhere (a dry run's) or to
// another destination than this run's, and an output that is an input.
// The provenance it returns is REPORT's, with the job's mark.
func (o *rollbackOptions) rollbackFiles(getenv func(string) string) (*runFiles, *report.Provenance, error) {
	prov, err := report.ReadProvenance(o.file)
	if err != nil {
		return nil, nil, usagef("rollback %s: %v", o.file, err)
	}
	dest := o.destination(getenv, false)
	switch {
	case !prov.Real() && prov.Destination != report.DestinationSandbox || prov.Command == "validate":
		return nil, nil, usagef("rollback %s: it is the report of a dry run; nothing was sent, so there is nothing to undo", o.file)
	case prov.Command == "restore":
		return nil, nil, usagef("rollback %s: it is the report of a rollback --restore; give the report of the import to undo (or, with --restore, of the rollback)", o.file)
	case o.restore && prov.Command != "rollback":
		return nil, nil, usagef("rollback --restore %s: it is not the report of a rollback; give the report of the rollback that archived the partners to restore", o.file)
	case !o.restore && prov.Command == "rollback":
		return nil, nil, usagef("rollback %s: it is the report of a rollback; give the report of the import to undo (or undo the rollback with --restore)", o.file)
	case prov.Destination == report.DestinationSandbox && !o.useSandbox:
		return nil, nil, usagef("rollback %s: its rows went to an embedded sandbox, gone with its run; rehearse with --sandbox --sandbox-preload", o.file)
	case prov.Destination != dest:
		return nil, nil, usagef("rollback %s: its rows went to %s, this rollback would talk to %s: give the same --base-url", o.file, prov.Destination, dest)
	}
	if o.restore {
		return o.restoreFiles(getenv, prov, dest)
	}
	last, gone := report.JobEnd(o.file, prov)
	if last != "" {
		return nil, nil, usagef("rollback %s: an import --resume continued this job, and the job's last report %s holds all of it (this report's records as skipped/already_done): roll back %s",
			o.file, last, last)
	}
	f, err := o.runFiles(getenv, dest)
	if err != nil {
		return nil, nil, err
	}
	if len(gone) > 0 {
		f.chainGone = fmt.Sprintf("%s was continued by import --resume, whose report %s is gone or is now another run's: this rollback undoes only the partners %s shows",
			o.file, strings.Join(gone, ", "), o.file)
	}
	return f, prov, nil
}

// restoreFiles are rollback --restore's paths. REPORT must be of a rollback
// that archived (a deleted partner cannot be restored); the mark is the
// import's, from REPORT's provenance or, for a rollback that did not
// record it, from the provenance of the import's report it undid.
func (o *rollbackOptions) restoreFiles(getenv func(string) string, prov *report.Provenance, dest string) (*runFiles, *report.Provenance, error) {
	deleted := false
	err := report.Read(o.file, func(l report.Line) error {
		deleted = deleted || l.Action == partnero.Delete.Verb()
		return nil
	})
	switch {
	case err != nil:
		return nil, nil, usagef("rollback --restore %s: %v", o.file, err)
	case deleted:
		return nil, nil, usagef("rollback --restore %s: it is the report of a rollback --delete; deleted partners cannot be restored", o.file)
	}
	if prov.Mark == "" && prov.Input != "" {
		if imported, err := report.ReadProvenance(prov.Input); err == nil {
			prov.Mark = imported.Mark
		}
	}
	f, err := o.runFiles(getenv, dest)
	return f, prov, err
}

// runFiles decides the run's report and retry file beside REPORT, and
// refuses an output that is an input or another run's report.
func (o *rollbackOptions) runFiles(getenv func(string) string, dest string) (*runFiles, error) {
	f := &runFiles{destination: dest, summary: o.summaryJSON, report: o.reportPath}
	if o.dryRun {
		f.destination = report.DestinationNone
	}
	if f.report == "" {
		// A second rollback keeps the first one's report (the only list of
		// what it archived): each gets the first free name.
		name := "." + o.how().Verb()
		if !o.restore {
			name = ".rollback"
		}
		if o.dryRun {
			name += "-dry-run"
		}
		stem := strings.TrimSuffix(o.file, extOf(o.file)) + name
		f.report = firstFree(func(n string) string { return stem + n + ".csv" }, exists)
	}
	inputs := []file{{"the report to undo", o.file, anInput}, {"its provenance", report.ProvenancePath(o.file), anInput},
		{"its referrals", report.ReferralsPath(o.file), anInput},
		{"--api-key-file", firstNonEmpty(o.apiKeyFile, getenv("PARTNERO_API_KEY_FILE")), anInput}}
	inputs = append(inputs, preloads(o.sandboxPreload)...)
	f.keepEarlierReport(inputs)
	outputs := []file{{"--report", f.report, aReport}, {"the report's provenance", report.ProvenancePath(f.report), beside},
		{"--summary-json", f.summary, aSummary}}
	if !o.dryRun {
		f.retry = retryPathAvoiding(importer.RetryPath(f.report, strings.TrimPrefix(extOf(o.file), ".")), f.report, append(inputs, outputs...))
		outputs = append(outputs, file{"the retry file", f.retry, aRetryFile}, file{"its provenance", report.ProvenancePath(f.retry), beside},
			file{"its referrals", report.ReferralsPath(f.retry), beside})
	}
	if err := checkClashes(inputs, outputs); err != nil {
		return nil, err
	}
	if err := notOverAnotherRun(f, o.command()); err != nil {
		return nil, err
	}
	return f, nil
}

// extOf is a report's extension: .csv, or .jsonl for JSON Lines.
func extOf(path string) string {
	if report.IsJSONL(path) {
		return path[len(path)-len(".jsonl"):]
	}
	if i := strings.LastIndexByte(path, '.'); i > strings.LastIndexByte(path, '/') {
		return path[i:]
	}
	return ""
}

// rerunCommand is this command line as it was given, for finishing an
// interrupted rollback: it skips what is already undone.
func (o *rollbackOptions) rerunCommand() string {
	return commandLine(append([]string{"rollback"}, o.args...)...)
}

// confirm asks on the terminal; anything but yes stops the run.
func confirm(s Streams, question string) error {
	fmt.Fprintf(s.Err, "%s [y/N] ", question)
	answer, _ := bufio.NewReader(s.In).ReadString('\n')
	switch strings.ToLower(strings.TrimSpace(answer)) {
	case "y", "yes":
		return nil
	}
	return errors.New("not confirmed: nothing was changed")
}
