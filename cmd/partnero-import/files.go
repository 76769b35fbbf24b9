package main

// The files a run reads and writes, decided and checked before any of them
// is touched: no output is ever one of the inputs, nor another output, and
// a rehearsal never writes over a real import's report.

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/partnero-import/partnero-import/importer"
	"github.com/partnero-import/partnero-import/importer/partnero"
	"github.com/partnero-import/partnero-import/report"
)

// runFiles are one run's paths.
type runFiles struct {
	report, retry, summary string
	destination            string             // where rows go: an API's address, the sandbox, or none
	resumed                *report.Provenance // the --resume report's, or nil
	summaryWritten         bool
	// kept says, when the report's path held an earlier real run's
	// report, that it is kept and this run's report took a numbered name.
	kept string
	// chainGone warns a rollback that a report continuing its job is gone.
	chainGone string
	kind      report.Kind // of the records the report holds
	// sections, in a run of several files, gathers each file's summary.
	sections *[]summaryJSON
}

// file is a path with what it is to the run, for messages, and for an
// output the kind of file it may write over.
type file struct {
	what, path string
	kind       outputKind
}

// outputKind is what an existing file at an output's path must be for the
// run to write over it: its own kind, from an earlier run.
type outputKind int

const (
	anInput    outputKind = iota // read, never written
	aReport                      // a report this tool wrote
	aSummary                     // a --summary-json summary
	aRetryFile                   // the retry file: rows as the input had them
	anEmit                       // --emit: the rows as they would be sent
	beside                       // a report's provenance or referrals, written with it
)

// destination is where this run's rows go, as reports record it.
func (o *importOptions) destination(getenv func(string) string, dryRun bool) string {
	switch {
	case dryRun:
		return report.DestinationNone
	case o.useSandbox:
		return report.DestinationSandbox
	}
	return report.Destination(firstNonEmpty(o.baseURL, getenv("PARTNERO_BASE_URL"), partnero.DefaultBaseURL))
}

// files decides the run's paths and refuses, before anything is written,
// an output that is an input or another output (by identity: a symlink or
// a hard link to it is it), a report of a real import that this run would
// write over from elsewhere, and a --resume report of another destination.
func (o *importOptions) files(getenv func(string) string, dryRun bool, format string) (*runFiles, error) {
	f := &runFiles{summary: o.summaryJSON, destination: o.destination(getenv, dryRun), kind: report.Kind(o.kind), sections: o.sections}
	inputs := append([]file{{"the input", o.file, anInput}, {"--api-key-file", firstNonEmpty(o.apiKeyFile, getenv("PARTNERO_API_KEY_FILE")), anInput}},
		preloads(o.sandboxPreload)...)
	if o.file == "-" {
		inputs[0].path = "" // standard input: nothing on disk to protect
	}
	if o.resume != "" {
		inputs = append(inputs, file{"--resume", o.resume, anInput}, file{"its provenance", report.ProvenancePath(o.resume), anInput},
			file{"its referrals", report.ReferralsPath(o.resume), anInput})
		prov, err := o.resumable(f.destination)
		if err != nil {
			return nil, err
		}
		f.resumed = prov
	}
	f.report = o.reportPath
	if f.report == "" {
		f.report = o.defaultReport(dryRun)
	}
	f.keepEarlierReport(inputs)
	outputs := []file{{"--report", f.report, aReport}, {"the report's provenance", report.ProvenancePath(f.report), beside},
		{"the report's referrals", report.ReferralsPath(f.report), beside}, {"--summary-json", f.summary, aSummary}, {"--emit", o.emit, anEmit}}
	f.retry = retryPathAvoiding(importer.RetryPath(f.report, retryFormat(format)), f.report, append(inputs, outputs...))
	outputs = append(outputs, file{"the retry file", f.retry, aRetryFile})
	if err := checkClashes(inputs, outputs); err != nil {
		return nil, err
	}
	return f, notOverAnotherRun(f, "import")
}

// checkClashes refuses an output that is one of the inputs or another
// output, one that cannot be written where it is (its directory missing, a
// directory of that name), and a symbolic link: the report is written
// through it, then its sorted rewrite would replace the link itself.
func checkClashes(inputs, outputs []file) error {
	for i, out := range outputs {
		for _, other := range append(inputs, outputs[:i]...) {
			if out.path != "" && other.path != "" && sameFile(out.path, other.path) {
				return usagef("%s %s is %s (%s): the tool never writes over a file it reads or writes; give another path", out.what, out.path, other.what, other.path)
			}
		}
	}
	for _, out := range outputs {
		if out.path == "" {
			continue
		}
		if st, err := os.Lstat(out.path); err == nil && st.Mode()&os.ModeSymlink != 0 {
			return usagef("%s %s is a symbolic link: give the path of the file itself", out.what, out.path)
		} else if err == nil && st.IsDir() {
			return usagef("%s %s is a directory: give a file's path", out.what, out.path)
		} else if err == nil && !st.Mode().IsRegular() {
			return usagef("%s %s is not a regular file (a device or a pipe): give a file's path", out.what, out.path)
		}
		if hardLinked(out.path) {
			return usagef("%s %s has other names (hard links): writing it would change the file under them too; give another path", out.what, out.path)
		}
		if st, err := os.Stat(filepath.Dir(out.path)); err != nil || !st.IsDir() {
			return usagef("%s %s: there is no directory %s", out.what, out.path, filepath.Dir(out.path))
		}
		if err := ofItsKind(out); err != nil {
			return err
		}
		if err := writable(out); err != nil {
			return err
		}
	}
	return nil
}

// writable proves, before anything is sent, that out can be written where
// it is, changing nothing there: a file that exists is opened for writing
// (not truncated), and a probe is created and removed in its directory
// when the file is new or, as a report and its provenance are, replaced
// through a temporary file. An output found unwritable after every row was
// sent would end a run whose work was done.
func writable(out file) error {
	f, err := os.OpenFile(out.path, os.O_WRONLY, 0)
	switch {
	case err == nil:
		f.Close()
		if out.kind != aReport && out.kind != beside && out.kind != anEmit {
			return nil
		}
	case !errors.Is(err, fs.ErrNotExist):
		return usagef("%s %s cannot be written (%v): nothing was sent; give another path", out.what, out.path, errors.Unwrap(err))
	}
	probe, err := os.CreateTemp(filepath.Dir(out.path), ".partnero-import-probe-*")
	if err != nil {
		return usagef("%s %s cannot be written: its directory refuses new files (%v): nothing was sent; give another path", out.what, out.path, errors.Unwrap(err))
	}
	probe.Close()
	os.Remove(probe.Name())
	return nil
}

// ofItsKind refuses an output whose path holds a file of another kind:
// another report's provenance or referrals, a file that is not a report
// for --report, not a summary for --summary-json. Each may hold what a
// rollback needs, or be someone's data; the tool writes over only what an
// earlier run of the same kind left there.
func ofItsKind(out file) error {
	st, err := os.Stat(out.path)
	if err != nil || st.Size() == 0 || out.kind == beside {
		return nil // nothing there yet, or an empty file
	}
	for _, suffix := range []string{report.ProvenancePath(""), report.ReferralsPath("")} {
		if rep, ok := strings.CutSuffix(out.path, suffix); ok && rep != "" {
			if _, err := os.Stat(rep); err == nil {
				return usagef("%s %s belongs to the report %s: give another path", out.what, out.path, rep)
			}
		}
	}
	switch {
	case out.kind == aReport && !report.IsReport(out.path):
		return usagef("%s %s exists and is not a report of this tool: it is never written over; give another path", out.what, out.path)
	case out.kind == aSummary && !isSummary(out.path):
		return usagef("%s %s exists and is not a summary of this tool: it is never written over; give another path", out.what, out.path)
	case out.kind == anEmit && !isEmitted(out.path):
		return usagef("%s %s exists and is not what --emit wrote: it is never written over; give another path", out.what, out.path)
	}
	return nil
}

// isSummary reports a file that --summary-json wrote: a JSON object with
// an exit_code.
func isSummary(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, 1<<20)) // a summary is some hundreds of bytes
	var s struct {
		ExitCode *int `json:"exit_code"`
	}
	return err == nil && json.Unmarshal(b, &s) == nil && s.ExitCode != nil
}

// isEmitted reports a file that --emit wrote: its first line a JSON
// object with a row and an action.
func isEmitted(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	first, _ := bufio.NewReader(io.LimitReader(f, 64<<10)).ReadBytes('\n')
	var e struct {
		Row    *int    `json:"row"`
		Action *string `json:"action"`
	}
	return json.Unmarshal(first, &e) == nil && e.Row != nil && e.Action != nil
}

// resumable reads the provenance of the --resume report and refuses one
// whose rows went elsewhere: a dry run's, an embedded sandbox's (gone with
// its run), another API's.
func (o *importOptions) resumable(destination string) (*report.Provenance, error) {
	prov, err := report.ReadProvenance(o.resume)
	switch {
	case err != nil:
		return nil, usagef("--resume %s: %v", o.resume, err)
	case prov.Destination == report.DestinationNone:
		return nil, usagef("--resume %s is the report of a dry run: nothing was sent, so there is nothing to resume; run the import itself", o.resume)
	case o.useSandbox || prov.Destination == report.DestinationSandbox:
		return nil, usagef("--resume %s: an embedded sandbox's partners end with its run, so a rehearsal cannot be resumed; run it again from the start", o.resume)
	case prov.Destination != destination:
		return nil, usagef("--resume %s sent its rows to %s, this run would send them to %s: resume with the same --base-url", o.resume, prov.Destination, destination)
	}
	if last, _ := report.JobEnd(o.resume, prov); last != "" {
		// Resumed again, the job would branch: rows the later runs made
		// would be sent again, and end refused as clashes.
		return nil, usagef("--resume %s: an import --resume continued this job already, and the job's last report %s holds all of it: resume %s", o.resume, last, last)
	}
	return prov, nil
}

// keepEarlierReport gives a real run's report the first free numbered name
// beside its path (p.report-2.csv...) when the path holds the report of an
// earlier real run into the same API that sent something: that report, and
// the partner ids a rollback needs, are never replaced. A report another
// run is writing keeps its name (the lock then refuses this run), and so
// does one of the run's inputs (refused as such).
func (f *runFiles) keepEarlierReport(inputs []file) {
	if f.destination == report.DestinationNone || f.destination == report.DestinationSandbox {
		return // a dry run's or a rehearsal's report: notOverAnotherRun decides
	}
	prev, err := report.ReadProvenance(f.report)
	if err != nil || !prev.Real() || prev.NothingSent || report.Busy(f.report) {
		return
	}
	for _, in := range inputs {
		if in.path != "" && sameFile(in.path, f.report) {
			return
		}
	}
	ext := extOf(f.report)
	stem := strings.TrimSuffix(f.report, ext)
	earlier := f.report
	f.report = firstFree(func(n string) string { return stem + n + ext }, reportTaken)
	into := ""
	if prev.Destination != f.destination {
		into = " into " + prev.Destination
	}
	f.kept = fmt.Sprintf("note: %s is the report of %s%s of %s (started %s); it is kept, and this run's report is %s",
		earlier, article(prev.Command), into, prev.Input, prev.StartedAt.Local().Format("2006-01-02 15:04"), f.report)
	if prev.Command == "import" && !prev.Finished {
		f.kept += unfinishedJob(earlier, prev)
	}
}

// reportTaken tells whether a numbered report's name is another run's to
// keep. The report of a real run that sent nothing (a refused key, an
// unreachable API) holds no record to roll back: its name is taken again,
// so that the files of one run of several keep numbers that match.
func reportTaken(path string) bool {
	if !exists(path) && !exists(report.ProvenancePath(path)) {
		return false
	}
	prev, err := report.ReadProvenance(path)
	return err != nil || !prev.NothingSent || report.Busy(path)
}

// unfinishedJob says how the job of an import that did not finish stands:
// --resume is refused on a report a resume continued, so the advice names
// the job's last report, or says that it finished the job.
func unfinishedJob(earlier string, prev *report.Provenance) string {
	last, _ := report.JobEnd(earlier, prev)
	if last == "" {
		return fmt.Sprintf(" (that import did not finish: import --resume %s finishes its job)", earlier)
	}
	if lp, err := report.ReadProvenance(last); err == nil && lp.Finished {
		return fmt.Sprintf(" (that import did not finish; import --resume finished its job, whose last report is %s)", last)
	}
	return fmt.Sprintf(" (that import did not finish, nor did the resume that continued it: import --resume %s finishes its job)", last)
}

// notOverAnotherRun refuses to write over the report of a real run
// made elsewhere: a dry run or a rehearsal never overwrites a real
// import's or rollback's report, nor does a run against another API.
func notOverAnotherRun(f *runFiles, command string) error {
	prev, err := report.ReadProvenance(f.report)
	if errors.Is(err, report.ErrNoProvenance) || (err == nil && (!prev.Real() || prev.NothingSent || prev.Destination == f.destination)) {
		return nil
	}
	if err != nil {
		return usagef("--report %s: %v", f.report, err)
	}
	this := article(command) + " into " + f.destination
	switch f.destination {
	case report.DestinationNone:
		this = "a dry run"
	case report.DestinationSandbox:
		this = "a rehearsal in the sandbox"
	}
	return usagef("%s is the report of %s into %s; %s would write over it: give another --report", f.report, article(prev.Command), prev.Destination, this)
}

// defaultReport is the report's name when --report is not given: FILE with
// its extension replaced by .report.csv for an import, by .validate.csv for
// a dry run and by .sandbox.report.csv for a rehearsal, so that neither
// overwrites a real import's; a resumed run's is the next free
// FILE.resumed(-N).report.csv beside the report it resumes.
func (o *importOptions) defaultReport(dryRun bool) string {
	stem := strings.TrimSuffix(o.file, filepath.Ext(o.file))
	if o.file == "-" || isSystemStream(o.file) {
		stem = "stdin" // /dev/stdin's directory is no place for files
	}
	switch {
	case dryRun:
		return stem + ".validate.csv"
	case o.useSandbox:
		return stem + ".sandbox.report.csv"
	case o.resume != "":
		return resumedReport(o.resume)
	}
	return stem + ".report.csv"
}

// resumedReport is the first of STEM.resumed.report.csv,
// STEM.resumed-2.report.csv... that does not exist, beside the report being
// resumed (whose own name may already be one of them).
func resumedReport(resumed string) string {
	ext := filepath.Ext(resumed)
	stem := strings.TrimSuffix(strings.TrimSuffix(resumed, ext), ".report")
	if i := strings.LastIndex(stem, ".resumed"); i >= 0 && isResumedSuffix(stem[i:]) {
		stem = stem[:i]
	}
	return firstFree(func(n string) string { return stem + ".resumed" + n + ".report" + ext }, exists)
}

// firstFree is the first of name(""), name("-2"), name("-3")... that taken
// does not refuse: a run's default file that keeps an earlier one.
func firstFree(name func(number string) string, taken func(string) bool) string {
	path := name("")
	for n := 2; taken(path); n++ {
		path = name(fmt.Sprintf("-%d", n))
	}
	return path
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// isResumedSuffix reports ".resumed" or ".resumed-N".
func isResumedSuffix(s string) bool {
	n, ok := strings.CutPrefix(s, ".resumed")
	if !ok {
		return false
	}
	if n == "" {
		return true
	}
	n, ok = strings.CutPrefix(n, "-")
	return ok && n != "" && strings.Trim(n, "0123456789") == ""
}

// retryPathAvoiding is the retry file's path, numbered (.retry-2.csv...)
// when the natural one is a file the run reads or writes, or another run's
// report: a retry file imported with the report name of the run that wrote
// it must not be written over, nor a report named like a retry file.
func retryPathAvoiding(natural, reportPath string, taken []file) string {
	ext := filepath.Ext(natural)
	stem := strings.TrimSuffix(natural, ext)
	return firstFree(func(n string) string { return stem + n + ext },
		func(path string) bool { return clashes(path, reportPath, taken) })
}

func clashes(path, reportPath string, taken []file) bool {
	for _, t := range taken {
		if t.path != "" && sameFile(path, t.path) {
			return true
		}
	}
	if _, err := os.Lstat(path); err != nil {
		return false // nothing there
	}
	return hardLinked(path) || !ownedRetryFile(path, reportPath)
}

// ownedRetryFile reports whether the file at path is the retry file an
// earlier run with this report wrote, as that run's provenance (or, for a
// rollback's, the retry file's own) records: only that one is written over
// or removed. Anything else of that name (your notes, another run's
// report) is left alone, and the retry file numbered.
func ownedRetryFile(path, reportPath string) bool {
	if prov, err := report.ReadProvenance(reportPath); err == nil && prov.RetryFile != "" && sameFile(prov.RetryFile, path) {
		return true
	}
	prov, err := report.ReadProvenance(path)
	return err == nil && prov.RetryOf != "" && sameFile(prov.RetryOf, reportPath)
}

// sameFile reports whether two paths are one file: by identity when both
// exist (through symlinks and hard links), else by their absolute paths
// with the directories' symlinks resolved.
func sameFile(a, b string) bool {
	sa, errA := os.Stat(a)
	sb, errB := os.Stat(b)
	if errA == nil && errB == nil {
		return os.SameFile(sa, sb)
	}
	return resolved(a) == resolved(b)
}

func resolved(p string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	if dir, err := filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
		return filepath.Join(dir, filepath.Base(abs))
	}
	return abs
}

// article is "an import" or "a rollback", for messages.
func article(command string) string {
	if command == "rollback" {
		return "a rollback"
	}
	return "an import"
}

// isSystemStream reports an input such as /dev/stdin or /proc/self/fd/0:
// not a regular file, in a system directory.
func isSystemStream(path string) bool {
	st, err := os.Stat(path)
	abs, _ := filepath.Abs(path)
	return err == nil && !st.Mode().IsRegular() && !st.IsDir() &&
		(strings.HasPrefix(abs, "/dev/") || strings.HasPrefix(abs, "/proc/"))
}
