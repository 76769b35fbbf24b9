package importer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"log/slog"
	"os"

	"io"
	"time"

	"github.com/partnero-import/partnero-import/importer/input"
	"github.com/partnero-import/partnero-import/importer/partnero"
	"github.com/partnero-import/partnero-import/report"
	"github.com/partnero-import/partnero-import/validate"
)

// Config is one run's input, output and settings.
type Config struct {
	Open  func() (io.ReadCloser, error) // opens the input; called once per pass
	Input input.Options
	Mode  string // create or invite, for rows without their own action

	// Report opens the report. It is called after the first pass, so that a
	// file that cannot be read (or a --resume report of another file) leaves
	// an earlier report untouched. The run closes it.
	Report      func() (*report.Writer, error)
	report      *report.Writer
	inputSHA256 string
	notes       bool             // this pass gives the notes about the file
	size        int64            // the input's size, when it is a file
	read        *countingHash    // what the hashed pass has read
	Client      *partnero.Client // nil for a dry run
	// Concurrency bounds the requests in flight.
	Concurrency int
	// Resume, when set, holds an earlier run's report: rows it shows done
	// are skipped/already_done, rows it may have left in flight are looked
	// up before being called clashes.
	Resume *Resume
	// RetryPath, when set, is where the rows that did not succeed go.
	RetryPath string
	// SkipExisting makes a row whose email is already in Partnero
	// skipped/already_exists rather than rejected/email_exists.
	SkipExisting bool
	// Log gets the run's notable events; with Verbose, one per row too.
	Log     *slog.Logger
	Verbose bool

	Warn     func(msg string)       // notes about the file, each once
	Columns  func([]input.Column)   // if set, gets how each column was understood, before any row
	Started  func(rows int)         // after the first pass: how many rows there are
	Finished func(line report.Line) // after each report line
}

// Result is what a run ends with.
type Result struct {
	Summary report.Summary
	// Fatal is the answer that stopped the run (401, 403), or nil.
	Fatal error
	// Interrupted is true when the context ended before every row was sent.
	Interrupted bool
	// RetryFile is the retry file's path, "" when every row succeeded.
	RetryFile string
	// Shape tells the file's referral trees.
	Shape validate.Shape
	// InputSHA256 is the hex SHA-256 of the input file's bytes.
	InputSHA256 string
}

// firstPass reads the whole file once to build the plan, then opens the
// report: a file that cannot be read leaves an earlier report untouched.
func firstPass(cfg *Config) (*validate.Plan, error) {
	plan := validate.NewPlan(cfg.Mode)
	pass, sum := hashed(cfg)
	err := eachRecord(pass, false, plan, func(_ input.Reader, rec *input.Record, c *validate.Checked) error {
		pass.expect(plan, rec.Row)
		plan.AddChecked(rec, *c)
		if cfg.Resume != nil {
			return cfg.Resume.check(rec)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if cfg.Resume != nil {
		if err := cfg.Resume.checkRows(plan.Rows()); err != nil {
			return nil, err
		}
	}
	plan.Finish()
	cfg.inputSHA256 = sum()
	if cfg.Started != nil {
		cfg.Started(plan.Rows())
	}
	return plan, cfg.openReport()
}

// hashed is cfg with an input that is hashed as it is read (the summary
// records which file a run read) and that gives the notes about the file
// (columns, warnings).
func hashed(cfg *Config) (*Config, func() string) {
	hash := sha256.New()
	pass := *cfg
	pass.read = &countingHash{Hash: hash}
	pass.Open = func() (io.ReadCloser, error) {
		rc, err := cfg.Open()
		if err != nil {
			return nil, err
		}
		if st, ok := rc.(interface{ Stat() (os.FileInfo, error) }); ok {
			if fi, err := st.Stat(); err == nil {
				pass.size = fi.Size()
			}
		}
		return struct {
			io.Reader
			io.Closer
		}{io.TeeReader(rc, pass.read), rc}, nil
	}
	pass.notes = true
	return &pass, func() string { return hex.EncodeToString(hash.Sum(nil)) }
}

// countingHash hashes the input and counts its bytes.
type countingHash struct {
	hash.Hash
	n int64
}

func (c *countingHash) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return c.Hash.Write(p)
}

// sizeRows is the row at which a large file's row count is estimated.
const sizeRows = 1 << 14

// expect tells the plan how many rows to expect, from the bytes the first
// sizeRows rows took. It aims low (early rows are often shorter: smaller
// numbers): a table one size too big doubles its memory, one too small
// grows once.
func (cfg *Config) expect(plan *validate.Plan, row int) {
	if row != sizeRows || cfg.size == 0 || cfg.read == nil || cfg.read.n == 0 {
		return
	}
	plan.Expect(int(0.8 * float64(cfg.size) / float64(cfg.read.n) * sizeRows))
}

// eachRecord opens the input and calls fn for each record in order. On the
// pass that gives notes, the column mapping goes out at once (a wrong
// mapping shows before any row), and the warnings once the file is read.
func eachRecord(cfg *Config, keepRaw bool, check *validate.Plan, fn func(input.Reader, *input.Record, *validate.Checked) error) error {
	rc, err := cfg.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	opts := cfg.Input
	opts.KeepRaw = keepRaw
	rd, err := input.Open(rc, opts)
	if err != nil {
		return err
	}
	if cfg.notes {
		if cols := rd.Columns(); cols != nil && cfg.Columns != nil {
			cfg.Columns(cols)
		}
		if cfg.Warn != nil {
			defer func() {
				for _, w := range rd.Warnings() {
					cfg.Warn(w)
				}
			}()
		}
	}
	// The records are read (and, with check, checked on their own) in a
	// goroutine of their own, in batches, so that two cores share the work.
	type item struct {
		rec     *input.Record
		checked validate.Checked
	}
	batches := make(chan []item, 4)
	stop := make(chan struct{})
	readErr := make(chan error, 1)
	go func() {
		defer close(batches)
		batch := make([]item, 0, batchSize)
		for {
			rec, err := rd.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				readErr <- err
				return
			}
			it := item{rec: rec}
			if check != nil {
				it.checked = check.Check(rec)
			}
			if batch = append(batch, it); len(batch) == batchSize {
				select {
				case batches <- batch:
				case <-stop:
					readErr <- nil
					return
				}
				batch = make([]item, 0, batchSize)
			}
		}
		if len(batch) > 0 {
			select {
			case batches <- batch:
			case <-stop:
			}
		}
		readErr <- nil
	}()
	for batch := range batches {
		for i := range batch {
			if err := fn(rd, batch[i].rec, &batch[i].checked); err != nil {
				close(stop)
				for range batches { // let the reader finish before the file closes
				}
				<-readErr
				return err
			}
		}
	}
	return <-readErr
}

// batchSize is how many records go from the reading goroutine at a time.
const batchSize = 256

// Validate judges every row without sending anything: valid, invalid, or
// skipped because its referrer in the file will not be created. It reads
// the file once: a row that names no referrer has its verdict as soon as it
// is read (repeats are of earlier rows); only rows that name one wait for
// the end of the file, and are judged on a second read of just those.
func Validate(ctx context.Context, cfg Config) (_ *Result, err error) {
	start := time.Now()
	res := &Result{}
	plan := validate.NewPlan(cfg.Mode)
	retry := cfg.retryFile()
	var waiting []uint64 // bitset of the rows judged after the first read
	write := func(line *report.Line, raw []byte) error {
		if cfg.report == nil {
			// Opened at the first row: a file that cannot be read at all
			// leaves an earlier report untouched.
			if err := cfg.openReport(); err != nil {
				return err
			}
		}
		retry.add(line, raw)
		return record(&cfg, res, line)
	}
	defer func() {
		if cfg.report != nil {
			cfg.closeReport(&err)
		}
	}()
	pass, sum := hashed(&cfg)
	err = eachRecord(pass, retry != nil, plan, func(rd input.Reader, rec *input.Record, c *validate.Checked) error {
		retry.setHeader(rd)
		pass.expect(plan, rec.Row)
		ps := plan.AddChecked(rec, *c)
		if rec.Err == nil && rec.HasReferrer() {
			for len(waiting) <= rec.Row/64 {
				waiting = append(waiting, 0)
			}
			waiting[rec.Row/64] |= 1 << (rec.Row % 64)
			return nil
		}
		action, _ := validate.Action(&rec.Fields, cfg.Mode)
		line := lineOf(rec, action)
		switch {
		case interrupted(ctx, res):
			line.Status, line.Reason, line.Message = report.Skipped, report.Aborted, "the run was interrupted before this row was checked"
		case len(ps) > 0:
			line.Status, line.Reason, line.Message = report.Invalid, ps[0].Reason, validate.Message(ps)
		default:
			line.Status, line.Message = report.Valid, inviteWarning(rec, action)
		}
		return write(&line, rec.Raw)
	})
	if err != nil {
		return nil, err
	}
	plan.Finish()
	res.Shape, res.InputSHA256 = plan.Shape(), sum()
	if len(waiting) > 0 {
		err = eachRecord(&cfg, retry != nil, nil, func(_ input.Reader, rec *input.Record, _ *validate.Checked) error {
			if rec.Row/64 >= len(waiting) || waiting[rec.Row/64]&(1<<(rec.Row%64)) == 0 {
				return nil
			}
			v := plan.Judge(rec)
			line := lineOf(rec, v.Action)
			line.Status, line.Reason, line.Message = v.Status, v.Reason, v.Message
			switch {
			case interrupted(ctx, res):
				line.Status, line.Reason, line.Message = report.Skipped, report.Aborted, "the run was interrupted before this row was checked"
			case v.Status == report.Valid:
				line.Message = inviteWarning(rec, v.Action)
			}
			return write(&line, rec.Raw)
		})
	}
	if err == nil && cfg.report == nil {
		err = cfg.openReport() // a file without rows still gets its report
	}
	res.Summary.Elapsed = time.Since(start)
	if path, rerr := retry.close(); err == nil {
		res.RetryFile, err = path, rerr
	}
	return res, err
}

func (cfg *Config) openReport() error {
	w, err := cfg.Report()
	cfg.report = w
	return err
}

// closeReport closes (and sorts) the report, keeping the first error.
func (cfg *Config) closeReport(err *error) {
	if cerr := cfg.report.Close(); *err == nil {
		*err = cerr
	}
}

// interrupted notes in res when ctx has ended: the dry run then reports
// the rows it has not checked as aborted, still one line each.
func interrupted(ctx context.Context, res *Result) bool {
	if ctx.Err() != nil {
		res.Interrupted = true
	}
	return res.Interrupted
}

func (cfg *Config) retryFile() *retryFile {
	if cfg.RetryPath == "" {
		return nil
	}
	return newRetryFile(cfg.RetryPath)
}

// inviteWarning is the note for an invite whose row names a referrer: the
// invite call takes none.
func inviteWarning(rec *input.Record, action string) string {
	if action == validate.Invite && rec.HasReferrer() {
		return "warning: an invite carries no referring partner; the referrer is not sent"
	}
	return ""
}

func lineOf(rec *input.Record, action string) report.Line {
	return report.Line{Row: rec.Row, Line: rec.Line, Email: rec.Email, Action: action}
}

func (cfg *Config) log() *slog.Logger {
	if cfg.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return cfg.Log
}

// record writes one row's line and counts it.
func record(cfg *Config, res *Result, line *report.Line) error {
	if err := cfg.report.Write(line); err != nil {
		return err
	}
	if cfg.Verbose {
		cfg.log().Info("row", "row", line.Row, "line", line.Line, "status", line.Status, "reason", line.Reason,
			"http_status", line.HTTPStatus, "attempts", line.Attempts, "message", line.Message)
	}
	res.Summary.Add(line)
	if cfg.Finished != nil {
		cfg.Finished(*line)
	}
	return nil
}
