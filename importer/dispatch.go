package importer

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"maps"
	"slices"
	"time"

	"golang.org/x/sync/errgroup"

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
	// referrer is its referrer in the file as Partnero knows it, once
	// known: a referrer that was there before (updated, already there) has
	// its own id, not the one the file gives it.
	referrer partnero.Referring
}

// sent is a job with its outcome.
type sent struct {
	*job
	out partnero.Outcome
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
	if err != nil {
		return nil, err
	}
	d := &dispatcher{
		cfg: &cfg, plan: plan, res: &Result{Shape: plan.Shape(), InputSHA256: cfg.inputSHA256, Canary: cfg.canary}, retry: cfg.retryFile(),
		parked: map[int][]*job{}, outcome: map[int]bool{}, referrers: map[int]partnero.Referring{}, ids: map[uint64]rowAt{}, idSeed: maphash.MakeSeed(),
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
	d.writeDone()
	err = d.run(ctx)
	d.res.Summary.Requests, d.res.Summary.Retries = cfg.Client.Requests(), cfg.Client.Retries()
	if path, rerr := d.retry.close(err == nil); err == nil {
		d.res.RetryFile, err = path, rerr
	}
	return d.res, err
}

type dispatcher struct {
	cfg   *Config
	plan  *validate.Plan
	res   *Result
	retry *retryFile

	ready   []*job         // valid rows that may be sent now, in file order
	parked  map[int][]*job // rows waiting for their referrer, by its row
	outcome map[int]bool   // whether a referred row succeeded, once known
	// referrers are the referred rows that succeeded, as Partnero knows
	// them, for the rows they referred.
	referrers map[int]partnero.Referring
	stopping  bool
	stopWhy   string
	cancel    context.CancelFunc
	err       error // a report that cannot be written
	// ids are the partner ids the run's rows were given, as 64-bit hashes
	// (a dozen bytes a row), to flag one id given to two rows.
	ids    map[uint64]rowAt
	idSeed maphash.Seed
}

// rowAt is a row and the line it starts on, for messages.
type rowAt struct{ row, line int32 }

func (d *dispatcher) run(ctx context.Context) error {
	conc := max(d.cfg.Concurrency, 1)
	// stopCtx ends with ctx or when an answer stops the run: no new attempt
	// starts after it, but a request in flight finishes (the client bounds it
	// by its timeout), so no row is left half-sent.
	stopCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	d.cancel = cancel
	d.preflight(ctx)
	var g errgroup.Group
	g.SetLimit(conc)
	results := make(chan sent, conc) // room for every worker: they never block

	jobs := make(chan *job, conc)
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
			jobs <- j
			return nil
		})
	}()

	inflight := map[int]*job{} // by row: sent, not answered yet
	done := ctx.Done()
	in := jobs
	for {
		for !d.stopping && len(d.ready) > 0 && len(inflight) < conc {
			j := d.ready[0]
			d.ready = d.ready[1:]
			inflight[j.rec.Row] = j
			g.Go(func() error {
				results <- sent{j, d.send(stopCtx, j)}
				return nil
			})
		}
		if in == nil && len(inflight) == 0 && (d.stopping || len(d.ready) == 0) {
			break
		}
		// Read ahead only while the pool has work queued; once stopping,
		// read on to report every remaining row.
		next := in
		if !d.stopping && len(d.ready) >= 2*conc {
			next = nil
		}
		select {
		case j, ok := <-next:
			if !ok {
				in = nil
				continue
			}
			d.admit(j)
		case r := <-results:
			delete(inflight, r.rec.Row)
			d.finish(r)
		case <-done:
			done = nil
			d.res.Interrupted = true
			d.stop("the run was interrupted before this row was sent")
		case ack := <-d.cfg.HardStop:
			d.stopNow(inflight)
			d.res.Interrupted = true
			d.retry.close(false)
			d.cfg.closeReport(d.res, &d.err) // sorted, its provenance saying interrupted
			close(ack)
			select {} // the process ends now; nothing more may be written
		}
	}
	g.Wait()
	if err := <-readErr; err != nil {
		return err
	}
	// Every referrer has finished by now, so nothing should wait; if a row
	// still does, it is reported rather than lost.
	for ref := range d.parked {
		d.release(ref, false)
	}
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
		if r.marked() && line.Reason == report.AlreadyDone && line.Action == validate.Create && line.PartnerID != "" {
			// Made under this job's mark: reading it back shows whether
			// the server keeps it.
			d.cfg.Client.NoteMade(line.PartnerID, validate.NormalEmail(line.Email))
		}
		if d.plan.Referred(row) {
			d.outcome[row], d.referrers[row] = true, referrerOf(&line) // its children go ahead
		}
	}
}

// preflight proves the key and the address before the first row is sent.
// When that fails, nothing is sent: the run stops with every row that would
// have been sent reported skipped/aborted.
func (d *dispatcher) preflight(ctx context.Context) {
	err := d.cfg.Client.Preflight(ctx)
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
		line := lineOf(j.rec, v.Action)
		line.Status, line.Reason, line.Message = v.Status, v.Reason, v.Message
		d.write(&line, j.rec.Raw)
	case d.cfg.canary != nil && !d.cfg.canary.Has(j.rec.Row):
		d.limit(j)
	case d.stopping:
		d.abort(j)
	case v.Referrer == 0:
		d.ready = append(d.ready, j)
	default:
		ok, known := d.outcome[v.Referrer]
		switch {
		case !known:
			d.parked[v.Referrer] = append(d.parked[v.Referrer], j)
		case ok:
			d.goAhead(j)
		default:
			d.skipChild(j)
		}
	}
}

// finish reports a sent row and lets the rows waiting for it go on.
func (d *dispatcher) finish(r sent) {
	line := lineOf(r.rec, r.verdict.Action)
	o := r.out
	line.HTTPStatus, line.Attempts, line.Message = o.HTTPStatus, o.Attempts, o.Message
	line.Status, line.Reason = reportOf(&o, asked{action: r.verdict.Action, skip: d.cfg.SkipExisting})
	if d.res.Against != nil {
		d.res.Against.count(o)
	}
	if o.Archived {
		d.res.Archived++
	}
	switch {
	case line.Reason == report.AlreadyExists && o.Unproven != "":
		// --skip-existing, after a lost answer: the partner found may be
		// the one this row made.
		line.PartnerID = o.Unproven
		line.Message = "a partner with this email is in Partnero (id " + o.Unproven + "); it may be the one this row's lost attempt made: " + line.Message
	case line.Reason == report.AlreadyExists:
		line.PartnerID = o.Existing()
		if d.res.Against == nil { // the reads' message says so already
			line.Message = join("a partner with this email is already in Partnero", line.Message)
		}
	case report.Succeeded(line.Status, line.Reason):
		// Created, invited, updated or unchanged: the partner's id and link.
		line.PartnerID, line.ReferralLink = o.PartnerID, o.ReferralLink
	}
	line.Message = join(line.Message, inviteWarning(r.verdict.Action, r.rec.HasReferrer()))
	d.sameID(&line)
	d.write(&line, r.rec.Raw)
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
		d.referrers[r.rec.Row] = referrerOf(&line)
		d.release(r.rec.Row, report.Succeeded(line.Status, line.Reason))
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

// release records a referred row's outcome and moves its waiting children on.
func (d *dispatcher) release(row int, ok bool) {
	d.outcome[row] = ok
	children := d.parked[row]
	delete(d.parked, row)
	for _, c := range children {
		switch {
		case d.stopping:
			d.abort(c)
		case ok:
			d.goAhead(c)
		default:
			d.skipChild(c)
		}
	}
}

// referrerOf is a row that succeeded as its referred rows name it: by its
// partner's id, or where that is not known, by its email, which is.
func referrerOf(l *report.Line) partnero.Referring {
	if l.PartnerID != "" {
		return partnero.Referring{ID: l.PartnerID}
	}
	return partnero.Referring{Email: validate.NormalEmail(l.Email)}
}

// goAhead queues a row whose referrer in the file succeeded, naming the
// referrer as Partnero knows it.
func (d *dispatcher) goAhead(j *job) {
	j.referrer = d.referrers[j.verdict.Referrer]
	d.ready = append(d.ready, j)
}

func (d *dispatcher) skipChild(j *job) {
	line := lineOf(j.rec, j.verdict.Action)
	line.Status, line.Reason = report.Skipped, report.ReferringPartnerFailed
	line.Message = fmt.Sprintf("its referring partner, %s, was not created", d.plan.RowAt(j.verdict.Referrer))
	if d.res.Against != nil {
		line.Message = fmt.Sprintf("its referring partner, %s, would not be created", d.plan.RowAt(j.verdict.Referrer))
	}
	d.write(&line, j.rec.Raw)
	if d.plan.Referred(j.rec.Row) {
		d.release(j.rec.Row, false)
	}
}

// limit reports a valid row that a canary holds back. None of the rows it
// refers is waiting for it (a row in the canary brings its referrers in).
func (d *dispatcher) limit(j *job) {
	line := lineOf(j.rec, j.verdict.Action)
	line.Status, line.Reason = report.Skipped, report.Limited
	line.Message = join(fmt.Sprintf("not sent: beyond --limit %d (a canary)", d.cfg.canary.Limit), d.cfg.LimitNext)
	d.write(&line, j.rec.Raw)
	if d.plan.Referred(j.rec.Row) {
		d.release(j.rec.Row, false)
	}
}

func (d *dispatcher) abort(j *job) {
	line := lineOf(j.rec, j.verdict.Action)
	line.Status, line.Reason, line.Message = report.Skipped, report.Aborted, d.stopWhy
	d.write(&line, j.rec.Raw)
	if d.plan.Referred(j.rec.Row) {
		d.release(j.rec.Row, false)
	}
}

// stopNow answers a second Ctrl-C: the process ends at once, without
// waiting for the requests in flight. Their rows are reported failed,
// saying the partner may exist (--resume looks them up), and the rows
// queued or waiting aborted, so that what was sent has its line; rows not
// read yet have none, as after a crash, and --resume sends them.
func (d *dispatcher) stopNow(inflight map[int]*job) {
	d.stop("the run was stopped at once before this row was sent")
	for _, row := range slices.Sorted(maps.Keys(inflight)) {
		j := inflight[row]
		line := lineOf(j.rec, j.verdict.Action)
		line.Status, line.Reason = report.Failed, report.NetworkError
		line.Message = "the run was stopped at once while this row's request was in flight: the partner may have been created; --resume looks it up"
		line.Attempts = 1 // at least the one in flight; the exact count went with its worker
		d.write(&line, j.rec.Raw)
	}
}

// stop sends nothing more and reports every queued and waiting row aborted.
func (d *dispatcher) stop(why string) {
	if d.stopping {
		return
	}
	d.stopping, d.stopWhy = true, why
	d.cancel()
	d.cfg.log().Info("aborted", "why", why)
	queued := d.ready
	d.ready = nil
	for _, j := range queued {
		d.abort(j)
	}
	for ref := range d.parked {
		d.release(ref, false)
	}
}

// write reports a row, and keeps its text for the retry file unless it
// succeeded.
func (d *dispatcher) write(line *report.Line, raw []byte) {
	d.retry.add(line, raw)
	if err := record(d.cfg, d.res, line); err != nil && d.err == nil {
		d.err = err
		d.stop("the report could not be written")
	}
}

// send makes one row's call. Emails go in the form they were checked in
// (NFKC): a full-width address is sent as the plain one it stands for.
func (d *dispatcher) send(ctx context.Context, j *job) partnero.Outcome {
	f := &j.rec.Fields
	p := &partnero.Partner{
		ID: f.ID, Key: f.Key, Email: validate.NormalEmail(f.Email), Name: f.Name, Surname: f.Surname,
		Password: f.Password, Tags: f.Tags,
		Referring: partnero.Referring{ID: f.ReferringID, Key: f.ReferringKey, Email: validate.NormalEmail(f.ReferringEmail)},
		MaybeSent: d.cfg.Resume.maybeSent(j.rec.Row),
	}
	// An earlier run whose creates carried no mark (an older version's)
	// may have made this row's partner: without the mark is no proof of
	// another's there.
	p.Unmarked = p.MaybeSent && d.cfg.Resume != nil && !d.cfg.Resume.marked()
	if j.referrer != (partnero.Referring{}) {
		// Its referrer is a row of the file, now a partner in Partnero: the
		// file's id or key for it may not be Partnero's (a partner there
		// before under another id, updated).
		p.Referring = j.referrer
	}
	invite := j.verdict.Action == validate.Invite
	switch {
	case d.res.Against != nil && j.verdict.Referrer != 0:
		// Its referrer is a row of the file that the import would make or
		// find first: nothing to look up in Partnero.
		p.Referring = partnero.Referring{}
		return d.cfg.Client.Foresee(ctx, p, invite, d.cfg.UpdateExisting)
	case d.res.Against != nil:
		return d.cfg.Client.Foresee(ctx, p, invite, d.cfg.UpdateExisting)
	case d.cfg.UpdateExisting:
		return d.cfg.Client.Upsert(ctx, p, invite)
	case d.cfg.SkipExisting:
		return d.cfg.Client.SkipExisting(ctx, p, invite)
	case invite:
		return d.cfg.Client.Invite(ctx, p)
	}
	return d.cfg.Client.Create(ctx, p)
}

func join(a, b string) string {
	if a == "" || b == "" {
		return a + b
	}
	return a + "; " + b
}
