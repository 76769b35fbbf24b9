package importer

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"os"
	"time"

	"github.com/partnero-import/partnero-import/importer/input"
	"github.com/partnero-import/partnero-import/report"
	"github.com/partnero-import/partnero-import/validate"
)

// firstPass reads the whole file once to build the plan, then opens the
// report: a file that cannot be read leaves an earlier report untouched.
func firstPass(cfg *Config) (validate.Planner, error) {
	if err := cfg.Resume.checkKind(cfg.kind().Name()); err != nil {
		return nil, err
	}
	plan := cfg.kind().Plan(cfg.Mode, time.Now())
	pass, sum := hashed(cfg)
	toSend := 0
	err := eachRecord(pass, false, plan, func(_ input.Reader, rec *input.Record, c *validate.Checked) error {
		pass.expect(plan, rec.Row)
		if cfg.Client != nil {
			// Every password of the file is scrubbed from every answer,
			// before the first request: a server may echo another row's
			// password, one not sent yet among them (an earlier run's).
			cfg.kind().Secrets(cfg.Client, rec)
		}
		if ps := plan.AddChecked(rec, *c); len(ps) == 0 && !cfg.Resume.isDone(rec.Row) {
			toSend++
		}
		if cfg.Resume != nil {
			return cfg.Resume.check(rec)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	switch {
	case pass.unwanted != "" && cfg.reading:
		if cfg.Warn != nil {
			cfg.Warn("an import would stop here: " + pass.unwanted) // as a dry run says it
		}
	case pass.unwanted != "":
		// Before the report opens: nothing is sent, and no report replaced.
		return nil, errors.New(pass.unwanted)
	}
	if cfg.Resume != nil {
		if err := cfg.Resume.checkRows(plan.Rows()); err != nil {
			return nil, err
		}
	}
	plan.Finish()
	if cfg.Limit > 0 {
		cfg.canary = plan.Canary(cfg.Limit)
		toSend = cfg.canarySize()
	}
	cfg.inputSHA256 = sum()
	if note := cfg.Resume.changedInput(cfg.inputSHA256); note != "" && cfg.Warn != nil {
		cfg.Warn(note)
	}
	if cfg.Started != nil {
		cfg.Started(plan.Rows(), toSend)
	}
	if err := cfg.openReport(); err != nil {
		return nil, err
	}
	// Before the first row is sent: rollback undoes a partner's referred
	// partners first, and the report alone does not say who they are.
	if cfg.kind().Name() != report.Partners {
		return plan, nil // customers and sales refer to no row of their own file
	}
	return plan, cfg.report.Referrals(plan.Referrals)
}

// canarySize is how many of the canary's rows this run sends: those an
// earlier run did are not sent again.
func (cfg *Config) canarySize() int {
	n := 0
	for row := range cfg.canary.Rows() {
		if !cfg.Resume.isDone(row) {
			n++
		}
	}
	return n
}

// hashed is cfg with an input that is hashed as it is read (the summary
// records which file a run read) and that gives the notes about the file
// (columns, warnings).
func hashed(cfg *Config) (*Config, func() string) {
	hash := sha256.New()
	pass := *cfg
	pass.read = &countingHash{Hash: hash, progress: cfg.Progress}
	pass.Open = func() (io.ReadCloser, error) {
		rc, err := cfg.Open()
		if err != nil {
			return nil, err
		}
		if st, ok := rc.(interface{ Stat() (os.FileInfo, error) }); ok {
			if fi, err := st.Stat(); err == nil && fi.Mode().IsRegular() {
				pass.size = fi.Size()
				if cfg.Progress != nil {
					cfg.Progress.Size.Store(pass.size)
				}
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
	n        int64
	progress *Progress
}

func (c *countingHash) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	c.progress.read(len(p), 0)
	return c.Hash.Write(p)
}

// sizeRows is the row at which a large file's row count is estimated.
const sizeRows = 1 << 14

// expect tells the plan how many rows to expect, from the bytes the first
// sizeRows rows took. It aims low (early rows are often shorter: smaller
// numbers): a table one size too big doubles its memory, one too small
// grows once.
func (cfg *Config) expect(plan validate.Planner, row int) {
	if row != sizeRows || cfg.size == 0 || cfg.read == nil || cfg.read.n == 0 {
		return
	}
	plan.Expect(int(0.8 * float64(cfg.size) / float64(cfg.read.n) * sizeRows))
}

// eachRecord opens the input and calls fn for each record in order. On the
// pass that gives notes, the column mapping goes out at once (a wrong
// mapping shows before any row), and the warnings once the file is read.
func eachRecord(cfg *Config, keepRaw bool, check validate.Planner, fn func(input.Reader, *input.Record, *validate.Checked) error) error {
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
	if cfg.notes {
		// After the last record: a reader's StopReason is known only then.
		defer func() { cfg.unwanted = rd.StopReason() }()
	}
	quit := func(err error) error {
		close(stop)
		for range batches { // let the reader finish before the file closes
		}
		<-readErr
		return err
	}
	hard := cfg.hardStop()
	for batch := range batches {
		if hard.Err() != nil {
			// A second Ctrl-C: the rest of the file is not read (a pass
			// over millions of rows would outlast the time a run has to
			// return).
			return quit(errHardStop)
		}
		for i := range batch { // the batch's cache misses at once, not row by row
			if check != nil {
				check.Touch(&batch[i].checked)
			}
		}
		if cfg.read != nil { // the pass that reads the whole file
			cfg.read.progress.read(0, len(batch))
		}
		for i := range batch {
			if err := fn(rd, batch[i].rec, &batch[i].checked); err != nil {
				return quit(err)
			}
		}
	}
	return <-readErr
}

// batchSize is how many records go from the reading goroutine at a time.
const batchSize = 256
