package main

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/partnero-import/partnero-import/importer"
	"github.com/partnero-import/partnero-import/importer/input"
	"github.com/partnero-import/partnero-import/report"
)

// output is where a run speaks on standard error: lines for people, or with
// --log-format json one JSON object per line for machines. Notable events
// (start, throttling, retries exhausted, abort, end) are slog records in
// both formats; a warning's repeats are folded (fold.go).
type output struct {
	w      io.Writer // standard error, or the screen that shares it with the bar
	json   bool
	log    *slog.Logger
	folder *folder
	screen *screen // the terminal's, when it shows a bar; else nil
}

// newOutput speaks on s.Err; with bar, standard error is a terminal that
// shows a progress bar, and every line goes above it.
func newOutput(s Streams, format string, verbose, bar bool) *output {
	// One lock for every line: the log, the notes and the progress lines
	// come from several goroutines.
	o := &output{w: &lockedWriter{w: s.Err}}
	if format == "json" {
		o.json = true
		o.folder = newFolder(slog.NewJSONHandler(jsonShown{o.w}, nil), false)
		o.log = slog.New(o.folder)
		return o
	}
	if bar {
		o.screen = newScreen(s.Err, s.Width) // it has its own lock
		o.w = o.screen
	}
	// As text, only what needs attention (throttling, retries exhausted)
	// joins the summary, unless --verbose asks for every row.
	level := slog.LevelWarn
	if verbose {
		level = slog.LevelInfo
	}
	noTime := func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}
	o.folder = newFolder(slog.NewTextHandler(o.w, &slog.HandlerOptions{Level: level, ReplaceAttr: noTime}), true)
	o.log = slog.New(o.folder)
	return o
}

// jsonShown passes JSON log lines on with what encoding/json leaves raw
// and a terminal acts on (DEL, C1 controls, bidi and other format
// characters: a header cell's U+202E) written as \u escapes, which JSON
// reads back as the same text. C0 controls are escaped already.
type jsonShown struct{ w io.Writer }

func (j jsonShown) Write(p []byte) (int, error) {
	line := strings.TrimSuffix(string(p), "\n")
	shown := report.Printable(line)
	if shown == line {
		return j.w.Write(p)
	}
	// Printable writes \x7f for DEL, which JSON has no escape for.
	shown = strings.ReplaceAll(shown, `\x7f`, `\u007f`)
	if _, err := io.WriteString(j.w, shown+"\n"); err != nil {
		return 0, err
	}
	return len(p), nil
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// close ends the run's lines: the bar is gone by now, and the folded
// warnings say how often they came, before the summary.
func (o *output) close() {
	o.folder.close()
}

// progress is a progress line off a terminal; in JSON, a record.
func (o *output) progress(sn snapshot) {
	if !o.json {
		fmt.Fprintln(o.w, sn.line())
		return
	}
	args := []any{"done", sn.done, "rows", sn.rows, "rows_per_second", sn.rate}
	if !sn.counted {
		args = []any{"bytes", sn.bytes, "size", sn.size, "rows_read", sn.readRows, "rows_per_second", sn.rate}
	}
	if sn.pause > 0 {
		args = append(args, "paused_seconds", math.Ceil(sn.pause.Seconds()))
	}
	if sn.phase == stopping {
		args = append(args, "stopping", true, "in_flight", sn.inFlight)
	}
	o.log.Info("progress", args...)
}

// warn is a note about the input, such as an unknown column.
func (o *output) warn(msg string) {
	if o.json {
		o.log.Warn(msg)
		return
	}
	fmt.Fprintln(o.w, "warning: "+msg)
}

// note is a line for people; in JSON, an info record.
func (o *output) note(msg string, args ...any) {
	if o.json {
		o.log.Info(msg, args...)
		return
	}
	fmt.Fprintln(o.w, msg)
}

// stopping says, at the first Ctrl-C, what the run still waits for:
// inFlight counts an import's requests in flight (nil for a dry run).
func (o *output) stopping(inFlight func() int, timeout time.Duration, terminal bool) {
	again := "a second signal stops at once"
	if terminal {
		again = "Ctrl-C again to stop now"
	}
	if inFlight == nil {
		o.note("stopping: the rows not checked yet are reported skipped/aborted; " + again)
		return
	}
	n := inFlight()
	if o.json {
		o.log.Info("stopping", "in_flight", n, "timeout_seconds", timeout.Seconds())
		return
	}
	switch n {
	case 0:
		fmt.Fprintln(o.w, "stopping: no request is in flight; "+again)
	case 1:
		fmt.Fprintf(o.w, "stopping: 1 request in flight finishes within %s; %s\n", roughly(timeout), again)
	default:
		fmt.Fprintf(o.w, "stopping: %d requests in flight finish within %s; %s\n", n, roughly(timeout), again)
	}
}

// columns tells how each column was understood (validate).
func (o *output) columns(cols []input.Column) {
	if o.json {
		for _, c := range cols {
			o.log.Info("column", "index", c.Index, "header", c.Header, "field", c.Field, "note", c.Note)
		}
		return
	}
	fmt.Fprintln(o.w, "columns:")
	for _, c := range cols {
		field := c.Field
		switch {
		case field == "":
			field = "ignored (" + c.Note + ")"
		case c.Note != "":
			field += " (" + c.Note + ")"
		}
		fmt.Fprintf(o.w, "  %2d %-24q -> %s\n", c.Index, c.Header, field)
	}
}

// fatal reports what stopped the run, as one line.
func (o *output) fatal(err error) {
	if o.json {
		o.log.Error(oneLine(err.Error()))
		return
	}
	fmt.Fprintln(o.w, "partnero-import: "+oneLine(err.Error()))
}

// end reports the run's summary; kind is of the records its rows name.
func (o *output) end(res *importer.Result, reportPath string, kind report.Kind) {
	if res.Unsorted != nil {
		// The rows' outcomes stand, and decide the exit code.
		defer o.warn(res.Unsorted.Error() + "; its lines are in the order rows finished")
	}
	sh := res.Shape
	if o.json {
		o.log.Info("end", "rows", res.Summary.Rows, "counts", res.Summary.Counts(), "requests", res.Summary.Requests,
			"retries", res.Summary.Retries, "elapsed_seconds", res.Summary.Elapsed.Seconds(),
			"requests_per_second", res.Summary.Rate(), "report", reportPath, "retry_file", res.RetryFile,
			"referral_rows", sh.Linked, "referral_roots", sh.Roots, "referral_depth", sh.Depth,
			"external_referrers", sh.External, "external_referrer_rows", sh.ExternalRows, "archived", res.Archived)
		return
	}
	res.Summary.Print(o.w)
	if res.Archived > 0 {
		fmt.Fprintf(o.w, "archived: %d of these %s, found already in Partnero, are archived, and an import does not restore them (rollback --restore does)\n", res.Archived, kind.OrDefault())
	}
	if sh.Linked+sh.External > 0 {
		fmt.Fprintf(o.w, "referral trees: %d rows refer to another row of the file (%d roots, greatest depth %d); %d refer to partners outside the file, left to the API%s\n",
			sh.Linked, sh.Roots, sh.Depth, sh.External, rowList(sh.ExternalRows, sh.External))
	}
	fmt.Fprintln(o.w, "report:", reportPath)
	if res.RetryFile != "" {
		fmt.Fprintln(o.w, "retry file (the rows that did not succeed, to fix and import again):", res.RetryFile)
	}
}

// rowList names the first rows of a count: " (rows 3, 9 and 5 more)".
func rowList(rows []int, total int) string {
	if len(rows) == 0 {
		return ""
	}
	parts := make([]string, len(rows))
	for i, r := range rows {
		parts[i] = fmt.Sprint(r)
	}
	s := " (rows " + strings.Join(parts, ", ")
	if total == 1 {
		s = " (row " + parts[0]
	}
	if more := total - len(rows); more > 0 {
		s += fmt.Sprintf(" and %d more", more)
	}
	return s + ")"
}

// summaryJSON is what --summary-json writes.
type summaryJSON struct {
	Version           string                           `json:"version"`
	Commit            string                           `json:"commit,omitempty"`
	Command           string                           `json:"command"`
	Input             string                           `json:"input"`
	InputSHA256       string                           `json:"input_sha256"`
	Destination       string                           `json:"destination"`
	Report            string                           `json:"report"`
	RetryFile         string                           `json:"retry_file,omitempty"`
	Rows              int                              `json:"rows"`
	Counts            map[report.Status]map[string]int `json:"counts"`
	Requests          int                              `json:"requests"`
	Retries           int                              `json:"retries"`
	ElapsedSeconds    float64                          `json:"elapsed_seconds"`
	RequestsPerSecond float64                          `json:"requests_per_second"`
	Interrupted       bool                             `json:"interrupted"`
	Fatal             string                           `json:"fatal,omitempty"`
	ExitCode          int                              `json:"exit_code"`
	// Archived counts the partners found already there and archived.
	Archived int `json:"archived,omitempty"`
	// Kind is the file's kind, but for partners (the summaries of old).
	Kind string `json:"kind,omitempty"`
	// Files, in a run of several, are their summaries, in the order they ran.
	Files []summaryJSON `json:"files,omitempty"`
}

func writeSummaryJSON(path, command, input string, files *runFiles, res *importer.Result, code int) error {
	files.summaryWritten = true
	s := summaryOf(command, input, files, res, code)
	if files.sections != nil { // a run of several files writes them all at its end
		*files.sections = append(*files.sections, s)
		return nil
	}
	return writeJSONFile(path, s)
}

// summaryOf is one file's summary.
func summaryOf(command, input string, files *runFiles, res *importer.Result, code int) summaryJSON {
	s := summaryJSON{
		Version: versionString(), Commit: commitString(), Command: command, Kind: string(files.kind), Input: input, InputSHA256: res.InputSHA256,
		Destination: files.destination, Report: files.report, RetryFile: res.RetryFile, Rows: res.Summary.Rows, Counts: res.Summary.Counts(),
		Requests: res.Summary.Requests, Retries: res.Summary.Retries, ElapsedSeconds: res.Summary.Elapsed.Seconds(),
		RequestsPerSecond: res.Summary.Rate(), Interrupted: res.Interrupted, ExitCode: code, Archived: res.Archived,
	}
	if res.Fatal != nil {
		s.Fatal = res.Fatal.Error()
	}
	return s
}

// writeSections writes the summary of a run of several files: each file's
// section under "files", in the order they ran, and the run's exit code.
func writeSections(path, command string, sections []summaryJSON, code int) error {
	run := summaryJSON{Version: versionString(), Commit: commitString(), Command: command, ExitCode: code, Files: sections}
	// The run's totals are its files' (their counts, requests and time
	// added): a top level of zeros would read as facts.
	run.Counts = map[report.Status]map[string]int{}
	for _, s := range sections {
		run.Rows += s.Rows
		run.Requests += s.Requests
		run.Retries += s.Retries
		run.ElapsedSeconds += s.ElapsedSeconds
		for status, reasons := range s.Counts {
			if run.Counts[status] == nil {
				run.Counts[status] = map[string]int{}
			}
			for reason, n := range reasons {
				run.Counts[status][reason] += n
			}
		}
		run.Interrupted = run.Interrupted || s.Interrupted
		run.Fatal = cmp.Or(run.Fatal, s.Fatal)
		run.Destination = s.Destination
	}
	if run.ElapsedSeconds > 0 {
		run.RequestsPerSecond = float64(run.Requests) / run.ElapsedSeconds
	}
	return writeJSONFile(path, run)
}

func writeJSONFile(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	if err := writeWhole(path, append(b, '\n')); err != nil {
		return fmt.Errorf("cannot write --summary-json: %w", err)
	}
	return nil
}

// writeWhole writes b to path whole or not at all: to a temporary name
// beside it, renamed over it once written, so that a full disk leaves the
// earlier file (or none), never a cut one.
func writeWhole(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	_, err = tmp.Write(b)
	err = errors.Join(err, tmp.Chmod(0o644), tmp.Close())
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}

// summaryOfFailure writes --summary-json for a run that failed after its
// files were decided (exit 2, with why), so that a scheduled job never
// takes an earlier run's summary for this one's.
func summaryOfFailure(command, input string, files *runFiles, err error) {
	if err == nil || files.summary == "" || files.summaryWritten {
		return
	}
	code := exitCodeOf(err)
	writeSummaryJSON(files.summary, command, input, files, &importer.Result{Fatal: err, Interrupted: code == exitInterrupted}, code)
}
