package importer

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/partnero-import/partnero-import/importer/partnero"
	"github.com/partnero-import/partnero-import/report"
	"github.com/partnero-import/partnero-import/validate"
)

// RollbackConfig is one rollback: the import report it undoes, where its
// own report goes, and how.
type RollbackConfig struct {
	// Report is the import's report. Rows it shows created, or skipped as
	// already_done with a partner id (an earlier run of the same job
	// created those), are undone; the rest are skipped/not_created. For a
	// restore, it is the report of a rollback that archived: the rows it
	// shows archived are restored, the rest are skipped/not_archived.
	Report string
	How    partnero.Undoing // archive, delete for good, or restore
	// Mark is the import's mark (its provenance's): a partner of a
	// reported id that shows tags without it is not the one it made.
	Mark string
	// AnyOrder undoes partners without the import's referral tree (its
	// REPORT.referrals.csv missing): referred partners are then not known
	// to go first. Without it, a missing tree is an error.
	AnyOrder bool
	// HardStop, as for Import: a second Ctrl-C.
	HardStop <-chan chan struct{}
	// Client is nil for a dry run, which says what it would do and sends
	// nothing.
	Client      *partnero.Client
	Concurrency int
	// Out opens the rollback's own report; it is called once the import's
	// report has been read.
	Out func() (*report.Writer, error)
	// RetryPath, when set, is where the rows that were not undone go, as
	// lines of the import's report, so that rollback can be run on them.
	RetryPath string
	// Retry opens the retry file at RetryPath (with a provenance of its
	// own, for rollback to accept it).
	Retry func(path string) (*report.Writer, error)

	Log      *slog.Logger
	Started  func(rows int)
	Finished func(line report.Line)
}

// undo is one partner to undo.
type undo struct {
	src     report.Line // its line in the import's report
	waiting int         // the partners it referred that are still to undo
	parent  int         // the row of the partner that referred it, 0 when none to undo
}

// Rollback undoes what an import created: each partner is archived (or
// deleted) after the partners it referred, so that no referrer goes while
// partners it referred are still there. Every row of the import's report
// gets one line: what was done, or why not. When ctx ends, or an answer
// stops the run, nothing new is sent and every row not undone is
// skipped/aborted.
func Rollback(ctx context.Context, cfg RollbackConfig) (_ *Result, err error) {
	start := time.Now()
	rb := &rollback{cfg: &cfg, res: &Result{}, todo: map[int]*undo{}, action: cfg.How.Verb()}
	if err := rb.load(); err != nil {
		return nil, err
	}
	if rb.out, err = cfg.Out(); err != nil {
		return nil, err
	}
	defer func() {
		cerr := rb.out.Close()
		if errors.Is(cerr, report.ErrUnsorted) {
			rb.res.Unsorted, cerr = cerr, nil // every line is there
		}
		if err == nil {
			err = cerr
		}
		rb.res.Summary.Elapsed = time.Since(start)
	}()
	if cfg.Started != nil {
		cfg.Started(rb.rows)
	}
	for _, l := range rb.skipped {
		rb.write(l, nil)
	}
	rb.skipped = nil
	if cfg.Client == nil {
		rb.dryRun()
	} else {
		err = rb.run(ctx)
		rb.res.Summary.Requests, rb.res.Summary.Retries = cfg.Client.Requests(), cfg.Client.Retries()
	}
	if rerr := rb.closeRetry(); err == nil {
		err = rerr
	}
	return rb.res, cmp.Or(err, rb.err)
}

type rollback struct {
	cfg     *RollbackConfig
	res     *Result
	action  string
	rows    int
	todo    map[int]*undo  // by row, until undone
	tree    map[int]int    // row → the row that referred it, from the import
	skipped []*report.Line // rows with nothing to undo, written first
	ready   []*undo        // whose referred partners are all undone
	out     *report.Writer
	retry   *report.Writer
	retries int
	err     error // a report that cannot be written
}

// load reads the import's report and its referral tree.
func (rb *rollback) load() error {
	err := report.Read(rb.cfg.Report, func(l report.Line) error {
		rb.rows++
		if !undoable(&l, rb.cfg.How) {
			line := l
			line.Action, line.Status, line.Reason, line.HTTPStatus, line.Attempts = rb.action, report.Skipped, report.NotCreated, 0, 0
			line.Message = "the import did not create this row's partner: nothing to undo"
			switch {
			case rb.cfg.How == partnero.Restore:
				line.Reason = report.NotArchived
				line.Message = fmt.Sprintf("the rollback did not archive this row's partner (%s): nothing to restore", strings.Trim(string(l.Status)+"/"+string(l.Reason), "/"))
			case l.Status == report.Invited:
				line.Message = "invited, not created: rollback leaves invitations alone"
			}
			rb.skipped = append(rb.skipped, &line)
			return nil
		}
		rb.todo[l.Row] = &undo{src: l}
		return nil
	})
	if err != nil {
		return fmt.Errorf("rollback %s: %w", rb.cfg.Report, err)
	}
	if rb.cfg.How == partnero.Restore {
		// A partner restored before its referrer, or after, is the same:
		// archiving kept the referral between them. The report's order.
		rb.unblock()
		return nil
	}
	var known bool
	if rb.tree, known, err = report.ReadReferrals(rb.cfg.Report); err != nil {
		return err
	}
	if !known && !rb.cfg.AnyOrder && len(rb.todo) > 0 {
		return fmt.Errorf("rollback %s: %s is missing, so the partners each one referred are not known to go first; put it back, or give --any-order to undo them in no particular order",
			rb.cfg.Report, report.ReferralsPath(rb.cfg.Report))
	}
	for row, u := range rb.todo {
		if p, ok := rb.todo[rb.tree[row]]; ok && rb.tree[row] != row {
			u.parent = rb.tree[row]
			p.waiting++
		}
	}
	rb.unblock()
	return nil
}

// unblock queues the partners that wait for nobody. Should every partner
// left wait (a loop in a hand-edited referral file), all of them go: the
// order cannot be kept, the rollback still ends.
func (rb *rollback) unblock() {
	rows := slices.Sorted(maps.Keys(rb.todo)) // in the report's order, where the tree allows
	for _, row := range rows {
		if u := rb.todo[row]; u.waiting == 0 {
			rb.ready = append(rb.ready, u)
		}
	}
	if len(rb.ready) == 0 {
		for _, row := range rows {
			rb.todo[row].waiting = 0
			rb.ready = append(rb.ready, rb.todo[row])
		}
	}
}

// undoable reports a row whose partner the job created: created, or
// skipped/already_done with a partner id (an earlier run of the job
// created it; an invite that an earlier run sent is no partner it made).
// To restore, a row whose partner the rollback archived.
func undoable(l *report.Line, how partnero.Undoing) bool {
	if how == partnero.Restore {
		return l.PartnerID != "" && l.Status == report.Archived
	}
	return l.PartnerID != "" && (l.Status == report.Created ||
		(l.Status == report.Skipped && l.Reason == report.AlreadyDone && l.Action != validate.Invite))
}

// RollbackCount is how many partners a rollback of the report would undo
// (or, for a restore, how many a rollback archived).
func RollbackCount(path string, how partnero.Undoing) (int, error) {
	n := 0
	err := report.Read(path, func(l report.Line) error {
		if undoable(&l, how) {
			n++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("rollback %s: %w", path, err)
	}
	return n, nil
}

// dryRun says what the rollback would do, in the order it would.
func (rb *rollback) dryRun() {
	for len(rb.todo) > 0 {
		if len(rb.ready) == 0 {
			rb.unblock()
		}
		u := rb.ready[0]
		rb.ready = rb.ready[1:]
		line := rb.lineOf(u)
		line.Status = report.Valid
		line.Message = fmt.Sprintf("would %s partner %s (dry run: nothing was sent)", rb.action, u.src.PartnerID)
		rb.done(u, &line)
	}
}

// run undoes the partners through a pool of workers, referred partners
// first.
func (rb *rollback) run(ctx context.Context) error {
	stopCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	if err := rb.cfg.Client.Preflight(ctx); err != nil {
		if ctx.Err() != nil {
			rb.res.Interrupted = true
			rb.abortAll("the run was interrupted before this partner was undone")
			return nil
		}
		rb.res.Fatal = err
		rb.abortAll("nothing was sent: " + err.Error())
		return nil
	}
	if err := rb.out.Note(func(p *report.Provenance) { p.NothingSent = false }); err != nil {
		rb.res.Fatal = err
		rb.abortAll("nothing was sent: the report's provenance could not be written")
		return nil
	}
	conc := max(rb.cfg.Concurrency, 1)
	type result struct {
		u   *undo
		out partnero.Outcome
	}
	results := make(chan result, conc)
	var g errgroup.Group
	g.SetLimit(conc)
	inflight, stopping, done := map[int]*undo{}, false, ctx.Done()
	for {
		for !stopping && len(rb.ready) > 0 && len(inflight) < conc {
			u := rb.ready[0]
			rb.ready = rb.ready[1:]
			inflight[u.src.Row] = u
			made := partnero.Made{ID: u.src.PartnerID, Email: u.src.Email, Link: u.src.ReferralLink, Mark: rb.cfg.Mark}
			g.Go(func() error {
				results <- result{u, rb.cfg.Client.Undo(stopCtx, made, rb.cfg.How)}
				return nil
			})
		}
		if len(inflight) == 0 && !stopping && len(rb.ready) == 0 && len(rb.todo) > 0 {
			rb.unblock()
			continue
		}
		if len(inflight) == 0 && (stopping || len(rb.ready) == 0) {
			break
		}
		select {
		case ack := <-rb.cfg.HardStop:
			rb.stopNow(inflight)
			rb.closeRetry()
			rb.out.Note(func(p *report.Provenance) { p.Interrupted = true })
			rb.out.Close() // sorted
			close(ack)
			select {} // the process ends now; nothing more may be written
		case r := <-results:
			delete(inflight, r.u.src.Row)
			line := rb.lineOf(r.u)
			o := r.out
			line.Message, line.HTTPStatus, line.Attempts = o.Message, o.HTTPStatus, o.Attempts
			line.Status, line.Reason = reportOf(&o, asked{action: rb.action})
			rb.done(r.u, &line)
			if o.Fatal && rb.res.Fatal == nil {
				rb.res.Fatal = errors.New(o.Message)
				stopping = true
				cancel()
			}
		case <-done:
			done, stopping = nil, true
			rb.res.Interrupted = true
			cancel()
		}
	}
	g.Wait()
	if stopping || len(rb.todo) > 0 {
		why := "the run stopped before this partner was undone"
		if rb.res.Fatal != nil {
			why += ": " + rb.res.Fatal.Error()
		}
		rb.abortAll(why)
	}
	return nil
}

// stopNow answers a second Ctrl-C: the rows whose undo is in flight are
// failed, saying it may be done (running rollback again checks), and the
// rest aborted, so that every row has its line before the process ends.
func (rb *rollback) stopNow(inflight map[int]*undo) {
	for _, row := range slices.Sorted(maps.Keys(inflight)) {
		u := inflight[row]
		line := rb.lineOf(u)
		line.Status, line.Reason = report.Failed, report.NetworkError
		line.Message = "the run was stopped at once while this partner's " + rb.action + " was in flight: it may be done; run the rollback again to check"
		delete(rb.todo, row)
		rb.write(&line, &u.src)
	}
	rb.abortAll("the run was stopped at once before this partner was undone")
}

// abortAll reports every partner not undone yet skipped/aborted.
func (rb *rollback) abortAll(why string) {
	for _, u := range rb.todo {
		line := rb.lineOf(u)
		line.Status, line.Reason, line.Message = report.Skipped, report.Aborted, why
		rb.write(&line, &u.src)
	}
	clear(rb.todo)
	rb.ready = nil
}

// lineOf is the rollback's line for a partner, from its import line.
func (rb *rollback) lineOf(u *undo) report.Line {
	return report.Line{Row: u.src.Row, Line: u.src.Line, Email: u.src.Email, Action: rb.action,
		PartnerID: u.src.PartnerID, ReferralLink: u.src.ReferralLink}
}

// done reports a partner and lets its referrer go once all it referred are
// done (whatever became of them: the order is kept, not the outcome).
func (rb *rollback) done(u *undo, line *report.Line) {
	delete(rb.todo, u.src.Row)
	rb.write(line, &u.src)
	if p, ok := rb.todo[u.parent]; ok {
		if p.waiting--; p.waiting == 0 {
			rb.ready = append(rb.ready, p)
		}
	}
}

// write reports a row, and keeps the import's line of a partner that was
// not undone for the retry file.
func (rb *rollback) write(line *report.Line, src *report.Line) {
	if src != nil && !report.Succeeded(line.Status, line.Reason) {
		rb.addRetry(src)
	}
	if err := rb.out.Write(line); err != nil && rb.err == nil {
		rb.err = err
	}
	rb.res.Summary.Add(line)
	if rb.cfg.Finished != nil {
		rb.cfg.Finished(*line)
	}
}

func (rb *rollback) addRetry(src *report.Line) {
	if rb.cfg.RetryPath == "" || rb.err != nil {
		return
	}
	if rb.retry == nil {
		w, err := rb.cfg.Retry(rb.cfg.RetryPath)
		if err == nil {
			// Its own referral tree: a rollback of the retry file keeps the order.
			err = w.Referrals(func(yield func(row, referrer int)) {
				for row, ref := range rb.tree {
					yield(row, ref)
				}
			})
		}
		if err != nil {
			rb.err = err
			return
		}
		rb.retry = w
	}
	if err := rb.retry.Write(src); err != nil {
		rb.err = err
	}
	rb.retries++
}

// closeRetry finishes the retry file, or removes an earlier one of the same
// name when every partner was undone.
func (rb *rollback) closeRetry() error {
	if rb.retry == nil {
		if rb.cfg.RetryPath != "" && rb.err == nil {
			for _, p := range []string{rb.cfg.RetryPath, report.ProvenancePath(rb.cfg.RetryPath), report.ReferralsPath(rb.cfg.RetryPath)} {
				os.Remove(p) // an earlier run's, which would mislead
			}
		}
		return nil
	}
	rb.res.RetryFile = rb.cfg.RetryPath
	return rb.retry.Close()
}
