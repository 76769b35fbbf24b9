package importer

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/partnero-import/partnero-import/importer/input"
	"github.com/partnero-import/partnero-import/report"
	"github.com/partnero-import/partnero-import/validate"
)

// Validate judges every row without sending anything: valid, invalid, or
// skipped because its referrer in the file will not be created. It reads
// the file once. A row has its verdict as soon as it is read when no later
// row can change it (repeats are of earlier rows): it names no referrer, or
// one on an earlier row that has its verdict. Other rows wait, in a
// temporary file, for the end of the file, and are then judged from the
// plan and what the read found.
//
// With a Client (validate --against), the local checks are followed by
// reads of Partnero: see against.
func Validate(ctx context.Context, cfg Config) (_ *Result, err error) {
	if cfg.Client != nil {
		return against(ctx, cfg)
	}
	start := time.Now()
	res := &Result{}
	kind := cfg.kind()
	cfg.Upstream.reading(kind.Name(), cfg.Input.Name)
	plan := kind.Plan(cfg.Mode, start)
	retry := cfg.retryFile()
	later := &waiting{}
	defer later.close()
	emit, err := newEmitter(cfg.Emit)
	if err != nil {
		return nil, fmt.Errorf("--emit %s: %w", cfg.Emit, err)
	}
	defer func() {
		if eerr := emit.close(err == nil); err == nil && eerr != nil {
			err = fmt.Errorf("--emit %s: %w", cfg.Emit, eerr)
		}
		if err == nil && emit != nil {
			res.Emitted = emit.rows
		}
	}()
	// emitted writes a row as it would be sent, once its line says valid
	// (an interrupted run's unchecked rows say aborted).
	emitted := func(line *report.Line, text func() ([]byte, error)) error {
		if emit == nil || line.Status != report.Valid {
			return nil
		}
		b, err := text()
		if err == nil {
			err = emit.add(b)
		}
		return err
	}
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
			cfg.closeReport(res, &err) // the sorted rewrite is part of the run's time
		}
		res.Summary.Elapsed = time.Since(start)
	}()
	pass, sum := hashed(&cfg)
	err = eachRecord(pass, retry != nil, plan, func(rd input.Reader, rec *input.Record, c *validate.Checked) error {
		retry.setHeader(rd)
		pass.expect(plan, rec.Row)
		ps := plan.AddChecked(rec, *c)
		action, _ := validate.Action(&rec.Fields, cfg.Mode)
		if v, now := plan.JudgeNow(rec.Row, action, ps); now {
			line := kind.Line(rec, v.Action)
			verdict(&line, v, rec.HasReferrer())
			if line.Status == report.Valid {
				if needs, failed := cfg.Upstream.neededFailed(kind, rec); failed != "" {
					line.Status, line.Reason, line.Message = report.Skipped, failedReason(needs), cfg.Upstream.failedWhy(needs, failed, "would not be made")
				}
			}
			cfg.Upstream.row(kind, rec, line.Status == report.Valid)
			if err := write(&line, rec.Raw); err != nil {
				return err
			}
			return emitted(&line, func() ([]byte, error) { return emitLine(rec, action) })
		}
		w := &waitingRow{row: rec.Row, line: rec.Line, email: rec.Email, action: action, problems: ps, raw: rec.Raw}
		if cfg.Upstream != nil {
			w.names = strings.Join(kind.Names(rec), "\x00")
		}
		if emit != nil && len(ps) == 0 {
			// Kept with the row: its fields are gone once it is judged.
			b, err := emitLine(rec, action)
			if err != nil {
				return err
			}
			w.emit = b
		}
		return later.add(w)
	})
	if errors.Is(err, errHardStop) {
		// The rows not read yet have no line, as after a crash.
		res.Interrupted, res.HardStopped = true, true
		return res, nil
	}
	if err != nil {
		return nil, err
	}
	if pass.unwanted != "" && cfg.Warn != nil {
		cfg.Warn("an import would stop here: " + pass.unwanted)
	}
	plan.Finish()
	res.Shape, res.InputSHA256 = plan.Shape(), sum()
	if sh := res.Shape; sh.MostlyOutside() && cfg.Warn != nil {
		cfg.Warn(fmt.Sprintf("%d of %d referrers name no partner in this file: they must already exist in Partnero, or the referrer column holds something else",
			sh.External, sh.Linked+sh.External))
	}
	emit.waited()
	hard := cfg.hardStop()
	err = later.each(func(r *waitingRow) error {
		if hard.Err() != nil {
			return errHardStop
		}
		v := plan.JudgeProblems(r.row, r.action, r.problems)
		line := report.Line{Row: r.row, Line: r.line, Email: r.email} // a partner's: only they wait
		verdict(&line, v, true)
		if r.names != "" {
			cfg.Upstream.note(kind.Name(), strings.Split(r.names, "\x00"), line.Status == report.Valid)
		}
		if err := write(&line, r.raw); err != nil {
			return err
		}
		return emitted(&line, func() ([]byte, error) { return r.emit, nil })
	})
	if errors.Is(err, errHardStop) {
		res.Interrupted, res.HardStopped, err = true, true, nil
	}
	if err == nil && cfg.report == nil {
		err = cfg.openReport() // a file without rows still gets its report
	}
	if path, rerr := retry.close(err == nil); err == nil {
		res.RetryFile, err = path, rerr
	}
	return res, err
}

// verdict sets a dry run's line for a row from its verdict.
func verdict(l *report.Line, v validate.Verdict, namesReferrer bool) {
	l.Action, l.Status, l.Reason, l.Message = v.Action, v.Status, v.Reason, v.Message
	if v.Status == report.Valid {
		l.Message = inviteWarning(v.Action, namesReferrer)
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
