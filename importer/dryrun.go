package importer

import (
	"context"
	"time"

	"github.com/partnero-import/partnero-import/importer/input"
	"github.com/partnero-import/partnero-import/report"
	"github.com/partnero-import/partnero-import/validate"
)

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
	if path, rerr := retry.close(err == nil); err == nil {
		res.RetryFile, err = path, rerr
	}
	return res, err
}

// interrupted notes in res when ctx has ended: the dry run then reports
// the rows it has not checked as aborted, still one line each.
func interrupted(ctx context.Context, res *Result) bool {
	if ctx.Err() != nil {
		res.Interrupted = true
	}
	return res.Interrupted
}
