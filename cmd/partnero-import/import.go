package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/partnero-import/partnero-import/importer"
	"github.com/partnero-import/partnero-import/importer/partnero"
	"github.com/partnero-import/partnero-import/report"
)

func runImport(ctx context.Context, args []string, getenv func(string) string, s Streams, dryRun bool) (int, error) {
	start := time.Now()
	o, err := parseImportFlags(args, dryRun, s)
	if err != nil {
		return 0, err
	}
	return inSession(s, o, start, func(ss *session) (int, error) {
		if err := o.lockPullDirs(ss, dryRun || o.dryRun); err != nil {
			return 0, err
		}
		if len(o.inputs) > 1 {
			return o.runAll(ctx, getenv, ss, dryRun || o.dryRun)
		}
		return o.run(ctx, getenv, ss, dryRun || o.dryRun)
	})
}

// runAll is a run of several FILEs: each read as its kind, told from its
// header, in the order partners, customers, transactions, each with its
// own report beside it and its section of --summary-json, in one session
// (one client, one embedded sandbox). A row of a later file that needs a
// record an earlier file did not make is skipped without a request. A file
// that stops the run (exit 2, or interrupted) leaves the files after it
// unread, and says so.
func (o *importOptions) runAll(ctx context.Context, getenv func(string) string, ss *session, dryRun bool) (int, error) {
	type named struct {
		file string
		kind report.Kind
	}
	var files []named
	for _, f := range o.inputs {
		// Every file is there before anything is sent: one missing would
		// stop the run after the files before it were imported.
		fh, err := os.Open(f)
		if err != nil {
			return 0, usagef("cannot read %s: %v; nothing was sent", f, errors.Unwrap(err))
		}
		fh.Close()
		k, why, err := o.kindOf(f)
		if err != nil {
			return 0, err
		}
		ss.out.note(fmt.Sprintf("%s: %s (%s)", f, k, why))
		files = append(files, named{f, k})
	}
	for _, f := range files {
		// Before anything is sent: a flag a later file's kind cannot take
		// would otherwise stop the run after the earlier files were imported.
		fo := *o
		fo.kind = string(f.kind)
		if err := fo.checkKind(); err != nil {
			return 0, fmt.Errorf("%s: %w; nothing was sent", f.file, err)
		}
	}
	slices.SortStableFunc(files, func(a, b named) int { return kindOrder(a.kind) - kindOrder(b.kind) })
	up, sections, code := importer.NewUpstream(), &[]summaryJSON{}, exitOK
	command := "import"
	if dryRun {
		command = "validate"
	}
	defer func() {
		if o.summaryJSON != "" {
			if err := writeSections(o.summaryJSON, command, *sections, code); err != nil {
				ss.out.warn(err.Error())
			}
		}
	}()
	for i, f := range files {
		fo := *o
		fo.file, fo.inputs, fo.kind, fo.upstream, fo.sections = f.file, nil, string(f.kind), up, sections
		fo.fileStart, fo.several = time.Now(), o.given
		if f.kind != report.Partners {
			fo.preset = "" // a partners export's mapping: the partners file's
		}
		ss.out.note(f.file + ":")
		c, err := fo.run(ctx, getenv, ss, dryRun)
		if err != nil {
			code = exitCodeOf(err)
			return 0, fmt.Errorf("%s: %w%s", f.file, err, unread(files[i+1:], func(n named) string { return n.file }))
		}
		code = worse(code, c)
		if c == exitInterrupted {
			if rest := files[i+1:]; len(rest) > 0 {
				names := make([]string, len(rest))
				for j, n := range rest {
					names[j] = n.file
				}
				fo.several = o.given
				ss.out.note(strings.TrimPrefix(unread(names, func(n string) string { return n }), "; ") +
					"; once the resume is done, " + fo.hint("import them", fo.restCommand(names), getenv))
			}
			break
		}
	}
	return code, nil
}

// unread says which files a stopped run did not read, "" when none.
func unread[T any](rest []T, name func(T) string) string {
	if len(rest) == 0 {
		return ""
	}
	names := make([]string, len(rest))
	for i, r := range rest {
		names[i] = name(r)
	}
	return "; not read, so no report: " + strings.Join(names, ", ")
}

// kindOrder is where a kind's file goes in a run of several.
func kindOrder(k report.Kind) int {
	return slices.Index([]report.Kind{report.Partners, report.Customers, report.Transactions}, k)
}

// worse is the exit code that says more of two files' outcomes: a run that
// could not go on, then one interrupted, then rows that failed.
func worse(a, b int) int {
	rank := func(c int) int { return slices.Index([]int{exitOK, exitRowsFailed, exitInterrupted, exitUsage}, c) }
	if rank(b) > rank(a) {
		return b
	}
	return a
}

// run is one validate or import, once the flags are known.
func (o *importOptions) run(ctx context.Context, getenv func(string) string, ss *session, dryRun bool) (_ int, err error) {
	if err := o.tellKind(ss.out); err != nil {
		return 0, err
	}
	start := ss.start
	if !o.fileStart.IsZero() {
		start = o.fileStart
	}
	inOpts, err := o.inputOptions()
	if err != nil {
		return 0, err
	}
	inOpts.Kind = report.Kind(o.kind)
	files, err := o.files(getenv, dryRun, inOpts.Format)
	if err != nil {
		return 0, err
	}
	command := "import"
	if dryRun {
		command = "validate"
	}
	defer func() { summaryOfFailure(command, o.file, files, err) }()
	if err := o.lockSales(ss, dryRun, files.destination); err != nil {
		return 0, err
	}
	reads := !dryRun || o.against // a client, and the file read twice
	source, cleanup, err := openSource(ctx, o.file, ss.s.In, reads)
	if err != nil {
		return 0, err
	}
	ss.closers = append(ss.closers, cleanup)
	out := ss.out
	if files.kept != "" {
		out.note(files.kept)
	}
	read := &importer.Progress{}
	ss.showProgress(o, read)
	if o.against {
		ss.prog.doing("reading Partnero for") // it sends nothing
	}

	mark := ""
	if reads {
		if !dryRun {
			mark = jobMark(files.resumed) // validate --against creates nothing
		}
		if err := ss.connect(ctx, getenv, o, mark); err != nil {
			return 0, err
		}
		mark = ss.mark // an earlier file's, in a run of several
	}
	client := ss.client

	var resume *importer.Resume
	if o.resume != "" {
		if resume, err = importer.LoadResume(o.resume, files.resumed); err != nil {
			return 0, usageError{err.Error()}
		}
	}
	if !dryRun && !o.useSandbox {
		ss.finish = o.finishHint(files.report, getenv)
	}
	prov := &report.Provenance{Tool: "partnero-import", Version: versionString(), Commit: commitString(), Command: command,
		Destination: files.destination, Input: o.file, StartedAt: start.UTC(), NothingSent: true, Mark: mark, Kind: inOpts.Kind}
	if files.resumed != nil {
		prov.ResumedFrom, _ = filepath.Abs(o.resume)
	}
	prov.RetryFile, _ = filepath.Abs(files.retry)
	reportPath := files.report
	cfg := importer.Config{
		Open: source, Input: inOpts, Mode: o.mode, Client: client, Concurrency: o.concurrency,
		Report: func() (*report.Writer, error) {
			w, err := report.Create(reportPath, !dryRun, prov)
			if err == nil && files.resumed != nil {
				o.chain(out, reportPath)
			}
			return w, err
		},
		Resume:         resume,
		Kind:           importer.KindNamed(report.Kind(o.kind)),
		Upstream:       o.upstream,
		Emit:           o.emit,
		Limit:          o.limit,
		LimitNext:      "--resume " + reportPath + " sends the rest",
		RetryPath:      files.retry,
		SkipExisting:   o.skipExisting,
		UpdateExisting: o.updateExisting,
		HardStop:       ss.s.HardStop,
		Warn:           out.warn,
		Log:            out.log,
		Verbose:        o.verbose,
	}
	if o.useSandbox {
		cfg.LimitNext = "" // a rehearsal cannot be resumed
	}
	if dryRun {
		cfg.Columns = out.columns // a wrong mapping shows before anything else
	}
	cfg.Progress, cfg.Started, cfg.Finished = read, ss.prog.started, ss.prog.finished
	out.log.Info("start", "command", command, "input", o.file, "report", reportPath, "version", versionString())
	res, err := ss.work(ctx, o.timeout, func() (*importer.Result, error) {
		if dryRun {
			return importer.Validate(ctx, cfg)
		}
		return importer.Import(ctx, cfg)
	})
	if err != nil && (res == nil || client == nil || !client.Wrote()) {
		return 0, err
	}
	if err != nil {
		// Rows were sent before the run could not go on (the report
		// cannot be written: a full disk): it says what it did, counts it
		// in the summary, and how to finish.
		res.Fatal = o.stoppedAfterSending(err, res, reportPath, getenv)
	}
	res.Summary.Elapsed = time.Since(start)
	code := exitCode(res)
	if o.summaryJSON != "" {
		if err := writeSummaryJSON(o.summaryJSON, command, o.file, files, res, code); err != nil && res.Fatal != nil {
			res.Fatal = fmt.Errorf("%w; %v", res.Fatal, err)
		} else if err != nil {
			// Proven writable at the start: the disk filled since. The
			// rows' outcomes stand, and decide the exit code.
			out.warn(err.Error() + "; the report holds the run's outcome")
		}
	}
	switch {
	case res.Fatal != nil:
		// One line, as for every fatal problem; the report says the rest.
		return 0, fmt.Errorf("%v (report: %s)", res.Fatal, reportPath)
	case res.HardStopped:
		if _, err := os.Stat(reportPath); err != nil {
			ss.finish = "" // stopped in the first pass: there is no report to resume, and nothing was sent
		}
		return ss.stoppedAtOnce(res)
	}
	out.end(res, reportPath, report.Kind(o.kind))
	if o.emit != "" && !out.json {
		out.note(fmt.Sprintf("the %s as an import would send them: %s", plural(res.Emitted, "valid row"), o.emit))
	}
	if res.Against != nil {
		out.note("against " + o.readFrom(getenv) + ": " + res.Against.String())
	}
	switch {
	case res.Interrupted && dryRun:
		out.note("partnero-import: interrupted; rows not checked are reported skipped/aborted")
	case res.Interrupted && o.useSandbox:
		out.note("partnero-import: interrupted; rows not sent are reported skipped/aborted")
		out.note("the embedded sandbox's partners ended with the run: rehearse again from the start")
	case res.Interrupted:
		out.note("partnero-import: interrupted; rows not sent are reported skipped/aborted")
		out.note(o.finishHint(reportPath, getenv))
	case !dryRun:
		o.adviseOnClashes(out, res)
		o.staleRetryFile(out, inOpts.Format, res.RetryFile)
		o.canaryNext(out, res, reportPath, getenv)
	}
	return code, nil
}

// canaryNext says, after a canary (--limit), what it sent and what to do
// next: check those partners, then send the rest with --resume.
func (o *importOptions) canaryNext(out *output, res *importer.Result, reportPath string, getenv func(string) string) {
	c := res.Canary
	held := res.Summary.Count(report.Skipped, report.Limited)
	if c == nil || held == 0 {
		return
	}
	sent := "a canary: the first " + plural(c.Size-c.Extra, "row") + " to send"
	if c.Extra > 0 {
		sent += " and " + plural(c.Extra, "referrer") + " they need from further down the file"
	}
	sent += "; " + plural(held, "more row") + " skipped/limited, not sent"
	if o.useSandbox {
		out.note(sent + "; the embedded sandbox's partners ended with the run: rehearse again without --limit")
		return
	}
	out.note(sent + "; check the partners it made; " + o.hint("to send the rest", o.resumeCommand(reportPath, "limit"), getenv))
}

// stoppedAfterSending is what a run that could not go on after sending
// rows says: how many partners it made, that the report may lack their
// lines, and how to finish (a resume looks up the rows it lacks).
func (o *importOptions) stoppedAfterSending(err error, res *importer.Result, reportPath string, getenv func(string) string) error {
	sum := &res.Summary
	did := fmt.Sprintf("%d %s were created", sum.Count(report.Created, ""), report.Kind(o.kind).OrDefault())
	if n := sum.Count(report.Invited, ""); n > 0 {
		did += fmt.Sprintf(", %d invited", n)
	}
	if n := sum.Count(report.Updated, ""); n > 0 {
		did += fmt.Sprintf(", %d updated", n)
	}
	next := "once the report can be written, " + o.finishHint(reportPath, getenv)
	if o.useSandbox {
		next = "the embedded sandbox's partners ended with the run: rehearse again from the start"
	}
	return fmt.Errorf("%v; %s before the run stopped, and the report may lack rows; %s", err, did, next)
}

// chain records in the resumed report's provenance that this run's report
// continues its job, so that a rollback of it points here. Without it the
// run still goes on: this report holds the job either way.
func (o *importOptions) chain(out *output, reportPath string) {
	next, _ := filepath.Abs(reportPath)
	if err := report.Continue(o.resume, next); err != nil {
		out.warn(fmt.Sprintf("cannot record in %s that %s continues its job (%v): roll back %s, not %s, to undo the whole job",
			report.ProvenancePath(o.resume), reportPath, err, reportPath, o.resume))
	}
}

// staleRetryFile says, after a resumed run, that the retry file of the run
// it resumed lists rows this run may have settled: this run's own retry
// file (or none) is the one to use.
func (o *importOptions) staleRetryFile(out *output, format, current string) {
	if o.resume == "" {
		return
	}
	old := importer.RetryPath(o.resume, retryFormat(format))
	if _, err := os.Stat(old); err != nil || (current != "" && sameFile(old, current)) {
		return
	}
	now := "every row is done: none is left to retry"
	if current != "" {
		now = "this run's is " + current
	}
	out.note(fmt.Sprintf("note: %s, the retry file of the run this one resumed, is out of date: %s", old, now))
}

// jobMark is the mark an import's creates carry: the resumed report's, so
// that the job's partners are known by one mark across its runs, else a
// new one.
func jobMark(resumed *report.Provenance) string {
	if resumed != nil && resumed.Mark != "" {
		return resumed.Mark
	}
	return partnero.NewMark()
}

// watchStop says at once, when the first Ctrl-C ends ctx, what the run
// still waits for, and turns the bar into the drain: a stop that looks
// stuck invites the second, hard one. The returned func ends the watch;
// nothing is said once it has returned.
func watchStop(ctx context.Context, out *output, prog *progress, client *partnero.Client, timeout time.Duration, terminal bool) func() {
	var (
		mu   sync.Mutex
		over bool
	)
	stop := context.AfterFunc(ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		if over {
			return
		}
		var inFlight func() int
		if client != nil {
			inFlight = client.InFlight
		}
		prog.stopping(inFlight) // first: the message's line brings the drain's bar below it
		out.stopping(inFlight, timeout, terminal)
	})
	return func() {
		stop()
		mu.Lock()
		over = true
		mu.Unlock()
	}
}

// adviseOnClashes points, when most rows sent were refused because their
// email is already in Partnero, to the flags made for lists that overlap
// earlier imports (those this build has).
func (o *importOptions) adviseOnClashes(out *output, res *importer.Result) {
	sum := &res.Summary
	reason, records := report.EmailExists, "partners"
	if k := report.Kind(o.kind); k == report.Customers {
		reason, records = report.KeyExists, "customers" // a sale already there is skipped already
	}
	clashes := sum.Count(report.Rejected, reason)
	sent := sum.Rows - sum.Count(report.Invalid, "") - sum.Count(report.Skipped, "")
	if o.skipExisting || clashes == 0 || 2*clashes <= sent {
		return
	}
	advice := "--skip-existing"
	if o.flags.Lookup("update-existing") != nil {
		advice += " (or --update-existing, to update them)"
	}
	out.warn(fmt.Sprintf("%d of the %d rows sent were rejected as %s: those %s are already in Partnero; for a list that overlaps an earlier import, run with %s",
		clashes, sent, reason, records, advice))
}

// readFrom names what validate --against read: the API's address, or the
// sandbox.
func (o *importOptions) readFrom(getenv func(string) string) string {
	if o.useSandbox {
		return report.DestinationSandbox
	}
	return report.Destination(firstNonEmpty(o.baseURL, getenv("PARTNERO_BASE_URL"), partnero.DefaultBaseURL))
}

// lockSales refuses a second import of one sales file to one API while the
// first runs (overlapping cron jobs each naming their report, a --resume
// started while its run goes): each would find a key absent and create it,
// and a server that stores a key again would pay the commission twice.
// Partners and customers need none: the server refuses a taken email or
// key. A rehearsal's sandbox is its own.
func (o *importOptions) lockSales(ss *session, dryRun bool, destination string) error {
	if dryRun || o.useSandbox || o.file == "-" || report.Kind(o.kind) != report.Transactions {
		return nil
	}
	abs, err := filepath.Abs(o.file)
	if err != nil {
		return nil
	}
	release, err := report.LockRun("import\x00" + abs + "\x00" + destination)
	if err != nil {
		return usagef("another partnero-import run is importing %s to %s: wait for it to end (two at once could store a sale twice)", o.file, destination)
	}
	ss.closers = append(ss.closers, release)
	return nil
}
