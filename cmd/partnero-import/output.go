package main

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/partnero-import/partnero-import/importer"
	"github.com/partnero-import/partnero-import/importer/input"
	"github.com/partnero-import/partnero-import/report"
)

// output is where a run speaks on standard error: lines for people, or with
// --log-format json one JSON object per line for machines. Notable events
// (start, throttling, retries exhausted, abort, end) are slog records in
// both formats.
type output struct {
	w    io.Writer
	json bool
	log  *slog.Logger
}

func newOutput(w io.Writer, format string, verbose bool) *output {
	if format == "json" {
		return &output{w: w, json: true, log: slog.New(slog.NewJSONHandler(w, nil))}
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
	return &output{w: w, log: slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level, ReplaceAttr: noTime}))}
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

// end reports the run's summary.
func (o *output) end(res *importer.Result, reportPath string) {
	sh := res.Shape
	if o.json {
		o.log.Info("end", "rows", res.Summary.Rows, "counts", res.Summary.Counts(), "requests", res.Summary.Requests,
			"retries", res.Summary.Retries, "elapsed_seconds", res.Summary.Elapsed.Seconds(),
			"requests_per_second", res.Summary.Rate(), "report", reportPath, "retry_file", res.RetryFile,
			"referral_rows", sh.Linked, "referral_roots", sh.Roots, "referral_depth", sh.Depth,
			"external_referrers", sh.External, "external_referrer_rows", sh.ExternalRows)
		return
	}
	res.Summary.Print(o.w)
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

// progress shows how far an import is: a bar on a terminal, otherwise a
// plain line every few seconds (cron logs must not fill with redraws).
type progress struct {
	out   *output
	bar   *progressbar.ProgressBar
	rows  atomic.Int64
	done  atomic.Int64
	start time.Time
	stop  chan struct{}
	wg    sync.WaitGroup
	once  sync.Once
}

func startProgress(out *output, terminal bool, every time.Duration) *progress {
	p := &progress{out: out, start: time.Now(), stop: make(chan struct{})}
	if terminal && !out.json {
		return p // the bar starts when the rows are counted
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-t.C:
				p.line()
			}
		}
	}()
	return p
}

func (p *progress) line() {
	rows, done := p.rows.Load(), p.done.Load()
	rate := float64(done) / time.Since(p.start).Seconds()
	if p.out.json {
		p.out.log.Info("progress", "done", done, "rows", rows, "rows_per_second", rate)
		return
	}
	fmt.Fprintf(p.out.w, "progress: %d of %d rows (%.1f rows/s)\n", done, rows, rate)
}

func (p *progress) started(rows int, terminal bool) {
	p.rows.Store(int64(rows))
	if terminal && !p.out.json {
		p.bar = newBar(rows, p.out.w)
	}
}

func (p *progress) finished(report.Line) {
	p.done.Add(1)
	if p.bar != nil {
		p.bar.Add(1)
	}
}

// close stops the progress lines; it may be called more than once.
func (p *progress) close() {
	p.once.Do(func() {
		close(p.stop)
		p.wg.Wait()
		if p.bar != nil {
			p.bar.Finish()
		}
	})
}

// summaryJSON is what --summary-json writes.
type summaryJSON struct {
	Version           string                           `json:"version"`
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
}

func writeSummaryJSON(path, command, input string, files *runFiles, res *importer.Result, code int) error {
	s := summaryJSON{
		Version: versionString(), Command: command, Input: input, InputSHA256: res.InputSHA256, Destination: files.destination,
		Report: files.report, RetryFile: res.RetryFile, Rows: res.Summary.Rows, Counts: res.Summary.Counts(),
		Requests: res.Summary.Requests, Retries: res.Summary.Retries, ElapsedSeconds: res.Summary.Elapsed.Seconds(),
		RequestsPerSecond: res.Summary.Rate(), Interrupted: res.Interrupted, ExitCode: code,
	}
	if res.Fatal != nil {
		s.Fatal = res.Fatal.Error()
	}
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("cannot write --summary-json: %w", err)
	}
	return nil
}

// versionString is the version set at build time, else the module's or the
// commit's that go build recorded.
func versionString() string {
	if version != "dev" {
		return version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return version
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	rev, dirty := "", false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	switch {
	case rev == "":
		return version
	case dirty:
		return "dev-" + rev + "-dirty"
	}
	return "dev-" + rev
}
