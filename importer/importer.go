package importer

import (
	"cmp"
	"context"
	"errors"
	"io"
	"log/slog"
	"sync/atomic"

	"github.com/partnero-import/partnero-import/importer/input"
	"github.com/partnero-import/partnero-import/importer/partnero"
	"github.com/partnero-import/partnero-import/report"
	"github.com/partnero-import/partnero-import/validate"
)

// Config is one run's input, output and settings.
type Config struct {
	Kind Kind // the kind of record the file holds; nil is Partners
	// Upstream, in a run of several files, is how the earlier files'
	// rows ended, which this file's rows may need (and where this file's
	// go, for the later files); nil in a run of one file.
	Upstream *Upstream
	Open     func() (io.ReadCloser, error) // opens the input; called once per pass
	Input    input.Options
	Mode     string // create or invite, for rows without their own action

	// Report opens the report. It is called after the first pass, so that a
	// file that cannot be read (or a --resume report of another file) leaves
	// an earlier report untouched. The run closes it.
	Report func() (*report.Writer, error)
	Client *partnero.Client // nil for a dry run, unless it reads (against)
	// Concurrency bounds the requests in flight.
	Concurrency int
	// Resume, when set, holds an earlier run's report: rows it shows done
	// are skipped/already_done, rows it may have left in flight are looked
	// up before being called clashes.
	Resume *Resume
	// Limit, when above 0, makes the run a canary: it sends only the
	// job's first Limit rows that will be sent, and the referrers in the
	// file they need; every other valid row is skipped/limited, for a
	// --resume to send.
	Limit int
	// LimitNext ends a held-back row's message: how to send it.
	LimitNext string
	// Emit, when set, is where a dry run writes the rows it finds valid as
	// an import would send them, as JSON Lines, never with a password.
	Emit string
	// RetryPath, when set, is where the rows that did not succeed go.
	RetryPath string
	// SkipExisting makes a row whose email is already in Partnero
	// skipped/already_exists rather than rejected/email_exists.
	SkipExisting bool
	// HardStop, when it ends, stops the run at once (a second Ctrl-C;
	// ctx's end is the first): the rows in flight are reported failed
	// (they may exist), those queued or waiting aborted, the report is
	// closed and the run returns without waiting for the requests in
	// flight (Result.HardStopped). nil never ends.
	HardStop context.Context
	// UpdateExisting makes a row whose email is already in Partnero update
	// that partner's name, surname and tags (updated, or skipped/unchanged).
	UpdateExisting bool
	// Log gets the run's notable events; with Verbose, one per row too.
	Log     *slog.Logger
	Verbose bool

	Warn    func(msg string)     // notes about the file, each once
	Columns func([]input.Column) // if set, gets how each column was understood, before any row
	// Started is called after an import's first pass with the file's rows
	// and, of them, those it means to send: valid on their own and not done
	// by an earlier run (a row whose referrer fails is not sent after all).
	Started  func(rows, toSend int)
	Finished func(line report.Line) // after each report line
	// Progress, if set, counts what the pass that reads the whole file (an
	// import's first, a dry run's only) has read so far.
	Progress *Progress

	// The run's own state.
	reading     bool // validate --against: reads in place of each row's call
	report      *report.Writer
	inputSHA256 string
	notes       bool          // this pass gives the notes about the file
	unwanted    string        // what the notes pass's reader said of a status column
	size        int64         // the input's size, when it is a file
	read        *countingHash // what the hashed pass has read
	canary      *validate.Canary
}

// Progress is how far a run has read its input, for a progress display
// that reads it while the run goes.
type Progress struct {
	Size  atomic.Int64 // the input's size in bytes; 0 when unknown (a pipe)
	Bytes atomic.Int64 // bytes read so far
	Rows  atomic.Int64 // records read so far
}

func (p *Progress) read(bytes, rows int) {
	if p != nil {
		p.Bytes.Add(int64(bytes))
		p.Rows.Add(int64(rows))
	}
}

// Result is what a run ends with.
type Result struct {
	Summary report.Summary
	// Archived counts the rows whose partner, found already in Partnero,
	// is archived: an import does not restore one (rollback --restore does).
	Archived int
	// Fatal is the answer that stopped the run (401, 403), or nil.
	Fatal error
	// Interrupted is true when the context ended before every row was sent.
	Interrupted bool
	// HardStopped is true when Config.HardStop ended the run: rows not
	// read yet have no line, as after a crash (--resume sends them).
	HardStopped bool
	// Sent is true once a row's request (a read included) may have gone
	// out: a hard stop's report then holds the rows in flight.
	Sent bool
	// RetryFile is the retry file's path, "" when every row succeeded.
	RetryFile string
	// Shape tells the file's referral trees.
	Shape validate.Shape
	// InputSHA256 is the hex SHA-256 of the input file's bytes.
	InputSHA256 string
	// Against counts what the reads of validate --against found; nil
	// otherwise.
	Against *Against
	// Unsorted, when set, says why the report, complete, is not in row
	// order: a warning, not a failure of the run.
	Unsorted error
	// Emitted is how many rows --emit wrote.
	Emitted int
	// Canary is what --limit picked, nil without it.
	Canary *validate.Canary
}

func (cfg *Config) openReport() error {
	w, err := cfg.Report()
	cfg.report = w
	if err == nil && cfg.inputSHA256 != "" {
		err = w.Note(func(p *report.Provenance) { p.InputSHA256 = cfg.inputSHA256 })
	}
	return err
}

// closeReport records in the report's provenance which input the run read
// and whether it was interrupted, then closes (and sorts) the report,
// keeping the first error.
func (cfg *Config) closeReport(res *Result, err *error) {
	nerr := cfg.report.Note(func(p *report.Provenance) {
		p.InputSHA256, p.Interrupted = res.InputSHA256, res.Interrupted
	})
	cerr := cfg.report.Close()
	if errors.Is(cerr, report.ErrUnsorted) {
		res.Unsorted, cerr = cerr, nil // every line is there: the rows' outcomes stand
	}
	if *err == nil {
		*err = cmp.Or(nerr, cerr)
	}
}

// hardStop is the run's hard stop, one that never ends when none is set.
func (cfg *Config) hardStop() context.Context {
	if cfg.HardStop == nil {
		return context.Background()
	}
	return cfg.HardStop
}

func (cfg *Config) retryFile() *retryFile {
	if cfg.RetryPath == "" {
		return nil
	}
	return newRetryFile(cfg.RetryPath)
}

// inviteWarning is the note for an invite whose row names a referrer: the
// invite call takes none.
func inviteWarning(action string, namesReferrer bool) string {
	if action == validate.Invite && namesReferrer {
		return "warning: an invite carries no referring partner; the referrer is not sent"
	}
	return ""
}

// kind is the kind of record the run moves: partners unless it says.
func (cfg *Config) kind() Kind {
	if cfg.Kind == nil {
		return Partners
	}
	return cfg.Kind
}

func (cfg *Config) log() *slog.Logger {
	if cfg.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return cfg.Log
}

// record counts one row's outcome and writes its line. It is counted even
// when the line cannot be written: the summary, and what a failed run says
// it did, tell what happened to the row.
func record(cfg *Config, res *Result, line *report.Line) error {
	res.Summary.Add(line)
	if err := cfg.report.Write(line); err != nil {
		return err
	}
	if cfg.Verbose {
		cfg.log().Info("row", "row", line.Row, "line", line.Line, "status", line.Status, "reason", line.Reason,
			"http_status", line.HTTPStatus, "attempts", line.Attempts, "message", line.Message)
	}
	if cfg.Finished != nil {
		cfg.Finished(*line)
	}
	return nil
}
