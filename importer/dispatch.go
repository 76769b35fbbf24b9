package importer

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"maps"
	"slices"
	"time"

	"github.com/partnero-import/partnero-import/importer/input"
	"github.com/partnero-import/partnero-import/importer/partnero"
	"github.com/partnero-import/partnero-import/report"
	"github.com/partnero-import/partnero-import/validate"
)

// job is a row on its way to the API.
type job struct {
	rec     *input.Record
	verdict validate.Verdict
	header  []byte // the input's header text, on the first job only
	// referrer is the row it waits for (its referrer in the file) as
	// Partnero knows it, once made: a referrer that was there before
	// (updated, already there) has its own id, not the one the file gives.
	referrer partnero.Referring
}

// Import judges every row, sends the valid ones and reports each. A row
// whose referrer is another row of the file waits until that row is created,
// and is skipped when it is not. When ctx ends, or an answer stops the run,
// nothing new is sent, requests in flight finish, and every row not sent is
// reported skipped/aborted.
func Import(ctx context.Context, cfg Config) (_ *Result, err error) {
	return dispatch(ctx, cfg)
}

// dispatch is Import, or with cfg.reading the reads of validate --against:
// the same order of rows, referrers first, and the same outcomes, each
// row's call replaced by reads.
func dispatch(ctx context.Context, cfg Config) (_ *Result, err error) {
	start := time.Now()
	plan, err := firstPass(&cfg)
	if errors.Is(err, errHardStop) {
		// Before the report opened: nothing was sent, no row has a line.
		return &Result{Interrupted: true, HardStopped: true}, nil
	}
	if err != nil {
		return nil, err
	}
	d := &dispatcher{
		cfg: &cfg, plan: plan, res: &Result{Shape: plan.Shape(), InputSHA256: cfg.inputSHA256, Canary: cfg.canary}, retry: cfg.retryFile(),
		kind: cfg.kind(), s: newScheduler(cfg.Concurrency, func(j *job) int { return j.rec.Row }), referrers: map[int]partnero.Referring{}, ids: map[uint64]rowAt{}, idSeed: maphash.MakeSeed(),
	}
	if cfg.reading {
		d.res.Against = &Against{}
		if plan.Rows() > WalkAbove {
			cfg.Client.PreferWalk()
		}
	}
	defer func() {
		cfg.closeReport(d.res, &err) // the sorted rewrite is part of the run's time
		d.res.Summary.Elapsed = time.Since(start)
	}()
	cfg.Upstream.reading(d.kind.Name(), cfg.Input.Name)
	d.writeDone()
	// This file's share of a client that serves a run's several files.
	requests, retries := cfg.Client.Requests(), cfg.Client.Retries()
	err = d.run(ctx)
	d.res.Summary.Requests, d.res.Summary.Retries = cfg.Client.Requests()-requests, cfg.Client.Retries()-retries
	if path, rerr := d.retry.close(err == nil && !d.res.HardStopped); err == nil {
		d.res.RetryFile, err = path, rerr
	}
	return d.res, err
}

type dispatcher struct {
	cfg   *Config
	plan  validate.Planner
	res   *Result
	retry *retryFile
	s     *scheduler[*job]
	kind  Kind

	// referrers are the referred rows that succeeded, as Partnero knows
	// them, for the rows they referred.
	referrers map[int]partnero.Referring
	stopWhy   string
	err       error // a report that cannot be written
	// ids are the partner ids the run's rows were given, as 64-bit hashes
	// (a dozen bytes a row), to flag one id given to two rows.
	ids    map[uint64]rowAt
	idSeed maphash.Seed
}

// rowAt is a row and the line it starts on, for messages.
type rowAt struct{ row, line int32 }

// run sends the rows as the reader hands them over, each row that names a
// referrer in the file once that row has succeeded. The hard stop leaves
// the reader where it is.
func (d *dispatcher) run(ctx context.Context) error {
	hard := d.cfg.hardStop()
	d.s.work = d.send
	d.s.finish = d.finish
	d.s.unblocked = func(j *job, ok bool) {
		switch {
		case d.s.stopping:
			d.abort(j)
		case ok:
			d.goAhead(j)
		default:
			d.skipChild(j)
		}
	}
	d.s.abort = d.abort
	d.s.halted = d.stopNow
	d.s.interrupted = func() {
		d.res.Interrupted = true
		d.stopWhy = "the run was interrupted before this row was sent"
	}
	var proven error
	if !untilHardStop(hard, func() { proven = d.cfg.Client.Preflight(ctx) }) {
		d.stopNow(nil)
		d.s.stop()
		return d.halt()
	}
	d.preflight(ctx, proven)

	jobs := make(chan *job, d.s.workers)
	readErr := make(chan error, 1)
	go func() {
		defer close(jobs)
		first := true
		readErr <- eachRecord(d.cfg, d.retry != nil, nil, func(rd input.Reader, rec *input.Record, _ *validate.Checked) error {
			if d.cfg.Resume.isDone(rec.Row) {
				return nil // reported at the start
			}
			j := &job{rec: rec, verdict: d.plan.Judge(rec)}
			if first {
				j.header, first = rd.Header(), false
			}
			select {
			case jobs <- j:
				return nil
			case <-hard.Done():
				return errHardStop
			}
		})
	}()
	if d.s.run(ctx, hard, jobs, d.admit) {
		return d.halt()
	}
	if err := <-readErr; err != nil {
		return err
	}
	return d.err
}

// halt ends a run the hard stop ended: its report is closed now, sorted,
// its provenance saying it was interrupted; nothing more is written.
func (d *dispatcher) halt() error {
	d.res.Interrupted, d.res.HardStopped, d.res.Sent = true, true, d.s.started
	return d.err
}

// writeDone reports first the rows an earlier run finished, so that even a
// run killed at once leaves a report that holds them.
func (d *dispatcher) writeDone() {
	r := d.cfg.Resume
	if r == nil {
		return
	}
	for _, row := range slices.Sorted(maps.Keys(r.done)) {
		line := r.doneLine(row)
		d.sameID(&line)
		d.write(&line, nil)
		if r.marked() && line.Reason == report.AlreadyDone && line.Action == validate.Create {
			d.kind.Made(d.cfg.Client, &line) // made under this job's mark
		}
		if d.plan.Referred(row) {
			d.referrers[row] = d.kind.Known(&line)
			d.s.settle(row, true) // its children go ahead
		}
	}
}

// preflight proves the key and the address before the first row is sent.
// When that fails, nothing is sent: the run stops with every row that would
// have been sent reported skipped/aborted.
func (d *dispatcher) preflight(ctx context.Context, err error) {
	switch {
	case err == nil && d.res.Against != nil:
		// Reads only: the report stays a dry run's, written over freely.
	case err == nil:
		if nerr := d.cfg.report.Note(func(p *report.Provenance) {
			p.NothingSent = false
		}); nerr != nil && d.err == nil {
			d.err = nerr
			d.stop("the report's provenance could not be written")
		}
	case ctx.Err() != nil:
		d.res.Interrupted = true
		d.stop("the run was interrupted before this row was sent")
	default:
		d.res.Fatal = err
		d.stop("nothing was sent: " + err.Error())
	}
}

// admit takes a judged row from the reader.
func (d *dispatcher) admit(j *job) {
	if j.header != nil && d.retry != nil {
		d.retry.header = j.header
	}
	v := &j.verdict
	switch {
	case v.Status != report.Valid:
		line := d.kind.Line(j.rec, v.Action)
		line.Status, line.Reason, line.Message = v.Status, v.Reason, v.Message
		d.write(&line, j.rec)
	case d.cfg.canary != nil && !d.cfg.canary.Has(j.rec.Row):
		d.limit(j)
	case d.s.stopping:
		d.abort(j)
	case d.needsFailed(j):
	case v.Referrer == 0:
		d.s.push(j)
	default:
		d.s.wait(j, v.Referrer)
	}
}

// finish reports a sent row and lets the rows waiting for it go on.
func (d *dispatcher) finish(r *job, o partnero.Outcome) {
	line := d.kind.Line(r.rec, r.verdict.Action)
	line.HTTPStatus, line.Attempts, line.Message = o.HTTPStatus, o.Attempts, o.Message
	line.Status, line.Reason = reportOf(&o, asked{kind: d.kind.Name(), action: r.verdict.Action, skip: d.cfg.SkipExisting})
	if d.res.Against != nil {
		d.res.Against.count(o)
	}
	if o.Archived {
		d.res.Archived++
	}
	d.kind.Answered(&line, r.rec, &o, d.res.Against != nil)
	d.sameID(&line)
	d.write(&line, r.rec)
	if line.Status == report.Failed && line.Attempts > 1 {
		d.cfg.log().Warn("retries exhausted", "row", line.Row, "reason", line.Reason, "attempts", line.Attempts, "message", line.Message)
	}
	if o.Fatal && d.res.Fatal == nil {
		d.res.Fatal = errors.New(o.Message)
		d.stop("the run stopped before this row was sent: " + string(line.Reason))
	}
	if d.plan.Referred(r.rec.Row) {
		// A referrer that exists in Partnero after all lets its partners go
		// ahead, under its id there.
		d.referrers[r.rec.Row] = d.kind.Known(&line)
		d.s.settle(r.rec.Row, report.Succeeded(line.Status, line.Reason))
	}
}

// sameID flags a row that the server answered with the partner id it gave
// another row of this run: each row's message names the other (the earlier
// row's line gets it when the report is closed), and a warning says so.
// Both keep their status, as the server answered; which partner it holds,
// and for which email, is for a person to check.
func (d *dispatcher) sameID(line *report.Line) {
	if line.PartnerID == "" {
		return
	}
	h := maphash.String(d.idSeed, line.PartnerID)
	other, seen := d.ids[h]
	if !seen {
		d.ids[h] = rowAt{int32(line.Row), int32(line.Line)}
		return
	}
	if int(other.row) == line.Row {
		return
	}
	const says = "the server gave row %d (line %d) the same partner id: one partner may stand for both rows; check them in Partnero"
	line.Message = join(line.Message, fmt.Sprintf(says, other.row, other.line))
	d.cfg.report.Amend(int(other.row), fmt.Sprintf(says, line.Row, line.Line))
	d.cfg.log().Warn("the server gave two rows one partner id: check them in Partnero", "row", line.Row, "other_row", other.row)
}

// goAhead queues a row whose referrer in the file succeeded, naming the
// referrer as Partnero knows it.
func (d *dispatcher) goAhead(j *job) {
	j.referrer = d.referrers[j.verdict.Referrer]
	d.s.push(j)
}

func (d *dispatcher) skipChild(j *job) {
	line := d.kind.Line(j.rec, j.verdict.Action)
	line.Status, line.Reason = report.Skipped, report.ReferringPartnerFailed
	line.Message = fmt.Sprintf("its referring partner, %s, was not created", d.plan.RowAt(j.verdict.Referrer))
	if d.res.Against != nil {
		line.Message = fmt.Sprintf("its referring partner, %s, would not be created", d.plan.RowAt(j.verdict.Referrer))
	}
	d.write(&line, j.rec)
	if d.plan.Referred(j.rec.Row) {
		d.s.settle(j.rec.Row, false)
	}
}

// needsFailed reports, and says so, a row that needs a record of an
// earlier file of the run that did not succeed: a customer whose partner,
// a transaction whose customer, was not made. No request is sent for it.
func (d *dispatcher) needsFailed(j *job) bool {
	kind, failed := d.cfg.Upstream.neededFailed(d.kind, j.rec)
	if failed == "" {
		return false
	}
	line := d.kind.Line(j.rec, j.verdict.Action)
	line.Status, line.Reason = report.Skipped, failedReason(kind)
	line.Message = d.cfg.Upstream.failedWhy(kind, failed, "did not succeed")
	d.write(&line, j.rec)
	return true
}

// limit reports a valid row that a canary holds back. None of the rows it
// refers is waiting for it (a row in the canary brings its referrers in).
func (d *dispatcher) limit(j *job) {
	line := d.kind.Line(j.rec, j.verdict.Action)
	line.Status, line.Reason = report.Skipped, report.Limited
	line.Message = join(fmt.Sprintf("not sent: beyond --limit %d (a canary)", d.cfg.canary.Limit), d.cfg.LimitNext)
	d.write(&line, j.rec)
	if d.plan.Referred(j.rec.Row) {
		d.s.settle(j.rec.Row, false)
	}
}

func (d *dispatcher) abort(j *job) {
	line := d.kind.Line(j.rec, j.verdict.Action)
	line.Status, line.Reason, line.Message = report.Skipped, report.Aborted, d.stopWhy
	d.write(&line, j.rec)
	if d.plan.Referred(j.rec.Row) {
		d.s.settle(j.rec.Row, false)
	}
}

// stopNow answers a second Ctrl-C: the run returns at once, without
// waiting for the requests in flight. Their rows are reported failed,
// saying the partner may exist (--resume looks them up), and the rows
// queued or waiting aborted, so that what was sent has its line; rows not
// read yet have none, as after a crash, and --resume sends them.
func (d *dispatcher) stopNow(inflight []*job) {
	d.stopWhy = "the run was stopped at once before this row was sent"
	for _, j := range inflight {
		line := d.kind.Line(j.rec, j.verdict.Action)
		line.Status, line.Reason = report.Failed, report.NetworkError
		line.Message = "the run was stopped at once while this row's request was in flight: the partner may have been created; --resume looks it up"
		line.Attempts = 1 // at least the one in flight; the exact count went with its worker
		if d.res.Against != nil {
			// validate --against: reads only, so nothing may exist
			// because of them.
			line.Status, line.Reason, line.Attempts = report.Skipped, report.Aborted, 0
			line.Message = "the run was stopped at once while this row was being checked in Partnero"
		}
		d.write(&line, j.rec)
	}
}

// stop sends nothing more and reports every queued and waiting row aborted.
func (d *dispatcher) stop(why string) {
	if d.s.stopping {
		return
	}
	d.stopWhy = why
	d.cfg.log().Info("aborted", "why", why)
	d.s.stop()
}

// write reports a row, keeps its text for the retry file unless it
// succeeded, and tells the run's later files how it ended. rec is nil for
// a row an earlier run finished.
func (d *dispatcher) write(line *report.Line, rec *input.Record) {
	var raw []byte
	if rec != nil {
		raw = rec.Raw
		d.cfg.Upstream.row(d.kind, rec, report.Succeeded(line.Status, line.Reason))
	}
	d.retry.add(line, raw)
	if err := record(d.cfg, d.res, line); err != nil && d.err == nil {
		d.err = err
		d.stop("the report could not be written")
	}
}

// send makes one row's call, on a worker.
func (d *dispatcher) send(ctx context.Context, j *job) partnero.Outcome {
	maybe := d.cfg.Resume.maybeSent(j.rec.Row)
	return d.kind.Send(ctx, d.cfg.Client, j.rec, Sending{
		Action: j.verdict.Action, Waited: j.referrer, WaitsInFile: j.verdict.Referrer != 0,
		// An earlier run whose creates carried no mark (an older
		// version's) may have made this row's record: without the mark is
		// no proof of another's there.
		MaybeSent: maybe, Unmarked: maybe && d.cfg.Resume != nil && !d.cfg.Resume.marked(),
		Foresee: d.res.Against != nil, Update: d.cfg.UpdateExisting, SkipExisting: d.cfg.SkipExisting,
	})
}

func join(a, b string) string {
	if a == "" || b == "" {
		return a + b
	}
	return a + "; " + b
}
