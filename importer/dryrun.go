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
// is read (repeats are of earlier rows); a row that names one waits, in a
// temporary file, for the end of the file, and is then judged from the
// plan and what the first read found.
func Validate(ctx context.Context, cfg Config) (_ *Result, err error) {
	start := time.Now()
	res := &Result{}
	plan := validate.NewPlan(cfg.Mode)
	retry := cfg.retryFile()
	later := &waiting{}
	defer later.close()
	write := func(line *report.Line, raw []byte) error {
		if cfg.report == nil {
			// Opened at the first row: a file that cannot be read at all
			// leaves an earlier report untouched.
			if err := cfg.openReport(); err != nil {
				return err
			}
		}
		if interrupted(ctx, res) {
			line.Status, line.Reason, line.Message = report.Skipped, report.Aborted, "the run was interrupted before this row was checked"
		}
		retry.add(line, raw)
		return record(&cfg, res, line)
	}
	defer func() {
		if cfg.report != nil {
			cfg.closeReport(&err) // the sorted rewrite is part of the run's time
		}
		res.Summary.Elapsed = time.Since(start)
	}()
	pass, sum := hashed(&cfg)
	err = eachRecord(pass, retry != nil, plan, func(rd input.Reader, rec *input.Record, c *validate.Checked) error {
		retry.setHeader(rd)
		pass.expect(plan, rec.Row)
		ps := plan.AddChecked(rec, *c)
		action, _ := validate.Action(&rec.Fields, cfg.Mode)
		if rec.Err == nil && rec.HasReferrer() {
			return later.add(&waitingRow{row: rec.Row, line: rec.Line, email: rec.Email, action: action, problems: ps, raw: rec.Raw})
		}
		line := lineOf(rec, action)
		line.Status = report.Valid
		if len(ps) > 0 {
			line.Status, line.Reason, line.Message = report.Invalid, ps[0].Reason, validate.Message(ps)
		}
		return write(&line, rec.Raw)
	})
	if err != nil {
		return nil, err
	}
	plan.Finish()
	res.Shape, res.InputSHA256 = plan.Shape(), sum()
	err = later.each(func(r *waitingRow) error {
		v := plan.JudgeProblems(r.row, r.action, r.problems)
		line := report.Line{Row: r.row, Line: r.line, Email: r.email, Action: v.Action, Status: v.Status, Reason: v.Reason, Message: v.Message}
		if v.Status == report.Valid {
			line.Message = inviteWarning(v.Action, true)
		}
		return write(&line, r.raw)
	})
	if err == nil && cfg.report == nil {
		err = cfg.openReport() // a file without rows still gets its report
	}
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
