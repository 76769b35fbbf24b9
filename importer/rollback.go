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

	"github.com/partnero-import/partnero-import/importer/partnero"
	"github.com/partnero-import/partnero-import/report"
	"github.com/partnero-import/partnero-import/validate"
)

// RollbackConfig is one rollback: the import report it undoes, where its
// own report goes, and how.
type RollbackConfig struct {
	Kind Kind // of the records the import made; nil is Partners
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
	HardStop context.Context
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
	src      report.Line // its line in the import's report
	referred []int       // the rows of the partners it referred that are to undo
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
	kind, err := report.KindOf(cfg.Report)
	if err != nil {
		return nil, fmt.Errorf("rollback %s: %w", cfg.Report, err)
	}
	rb.kind = cmp.Or(cfg.Kind, KindNamed(kind))
	rb.record = strings.TrimSuffix(string(rb.kind.Name()), "s")
	if err := rb.load(); err != nil {
		return nil, err
	}
	if rb.out, err = cfg.Out(); err != nil {
		return nil, err
	}
	defer func() {
		// Interrupted, by either stop: its provenance says so (a graceful
		// stop's did not, before the hard stop became a return).
		nerr := rb.out.Note(func(p *report.Provenance) { p.Interrupted = rb.res.Interrupted })
		cerr := cmp.Or(rb.out.Close(), nerr)
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
	err = rb.run(ctx)
	if cfg.Client != nil {
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
	todo    map[int]*undo  // by row, read from the import's report
	tree    map[int]int    // row → the row that referred it, from the import
	skipped []*report.Line // rows with nothing to undo, written first
	s       *scheduler[*undo]
	kind    Kind
	record  string // what a row's record is called: partner, customer, transaction
	stopWhy string
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
			line.Message = "the import did not create this row's " + rb.record + ": nothing to undo"
			switch {
			case rb.cfg.How == partnero.Restore:
				line.Reason = report.NotArchived
				line.Message = fmt.Sprintf("the rollback did not archive this row's %s (%s): nothing to restore", rb.record, strings.Trim(string(l.Status)+"/"+string(l.Reason), "/"))
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
	if rb.cfg.How == partnero.Restore || rb.kind.Name() != report.Partners {
		// A partner restored before its referrer, or after, is the same:
		// archiving kept the referral between them. Customers and
		// transactions refer to no record of their own kind. The report's
		// order.
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
	for row := range rb.todo {
		if p, ok := rb.todo[rb.tree[row]]; ok && rb.tree[row] != row {
			p.referred = append(p.referred, row)
		}
	}
	return nil
}

// undoable reports a row whose partner the job created: created, or
// skipped/already_done with a partner id (an earlier run of the job
// created it; an invite that an earlier run sent is no partner it made).
// To restore, a row whose partner the rollback archived.
func undoable(l *report.Line, how partnero.Undoing) bool {
	named := l.PartnerID != "" || l.Key != "" // a partner by its id; a customer or a transaction by its key
	if how == partnero.Restore {
		return named && l.Status == report.Archived
	}
	return named && (l.Status == report.Created ||
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

// run undoes the partners through the scheduler, each after every partner
// it referred (whatever became of them: the order is kept, not the
// outcome). A dry run goes the same way, one at a time, sending nothing.
func (rb *rollback) run(ctx context.Context) error {
	hard := rb.cfg.HardStop
	if hard == nil {
		hard = context.Background()
	}
	conc, work := rb.cfg.Concurrency, rb.undo
	if rb.cfg.Client == nil {
		conc, work = 1, func(context.Context, *undo) partnero.Outcome { return partnero.Outcome{} }
	}
	s := newScheduler(conc, func(u *undo) int { return u.src.Row })
	rb.s = s
	s.work, s.finish, s.abort = work, rb.done, rb.abort
	s.unblocked = func(u *undo, _ bool) { s.push(u) }
	s.interrupted = func() {
		rb.res.Interrupted = true
		rb.stopWhy = "the run stopped before this " + rb.record + " was undone"
	}
	s.halted = rb.stopNow
	for _, row := range slices.Sorted(maps.Keys(rb.todo)) { // the report's order, where the tree allows
		s.wait(rb.todo[row], rb.todo[row].referred...)
	}
	if rb.cfg.Client != nil {
		var proven error
		if !untilHardStop(hard, func() { proven = rb.cfg.Client.Preflight(ctx) }) {
			rb.stopNow(nil)
			s.stop()
			rb.res.Interrupted, rb.res.HardStopped = true, true
			return nil
		}
		if why := rb.proven(ctx, proven); why != "" {
			rb.stopWhy = why
			s.stop()
			return nil
		}
	}
	if s.run(ctx, hard, nil, nil) {
		rb.res.Interrupted, rb.res.HardStopped, rb.res.Sent = true, true, s.started
	}
	return nil
}

// proven is why nothing can be undone after the preflight, "" when all
// is well.
func (rb *rollback) proven(ctx context.Context, err error) string {
	switch {
	case err != nil && ctx.Err() != nil:
		rb.res.Interrupted = true
		return "the run was interrupted before this " + rb.record + " was undone"
	case err != nil:
		rb.res.Fatal = err
		return "nothing was sent: " + err.Error()
	}
	if err := rb.out.Note(func(p *report.Provenance) { p.NothingSent = false }); err != nil {
		rb.res.Fatal = err
		return "nothing was sent: the report's provenance could not be written"
	}
	return ""
}

// undo makes one partner's call, on a worker.
func (rb *rollback) undo(ctx context.Context, u *undo) partnero.Outcome {
	return rb.kind.Undo(ctx, rb.cfg.Client, &u.src, rb.cfg.How, rb.cfg.Mark)
}

// done reports a partner that was undone (or, in a dry run, would be),
// and lets its referrer go once all it referred are done.
func (rb *rollback) done(u *undo, o partnero.Outcome) {
	line := rb.lineOf(u)
	if rb.cfg.Client == nil {
		line.Status = report.Valid
		line.Message = fmt.Sprintf("would %s %s %s (dry run: nothing was sent)", rb.action, rb.record, rb.nameOf(&u.src))
	} else {
		line.Message, line.HTTPStatus, line.Attempts = o.Message, o.HTTPStatus, o.Attempts
		line.Status, line.Reason = reportOf(&o, asked{kind: rb.kind.Name(), action: rb.action})
	}
	rb.write(&line, &u.src)
	if o.Fatal && rb.res.Fatal == nil {
		rb.res.Fatal = errors.New(o.Message)
		rb.stopWhy = "the run stopped before this " + rb.record + " was undone: " + o.Message
		rb.s.stop()
	}
	rb.s.settle(u.src.Row, true)
}

// stopNow answers a second Ctrl-C: the rows whose undo is in flight are
// failed, saying it may be done (running rollback again checks), and the
// rest aborted, so that every row has its line before the run returns.
func (rb *rollback) stopNow(inflight []*undo) {
	rb.stopWhy = "the run was stopped at once before this " + rb.record + " was undone"
	for _, u := range inflight {
		line := rb.lineOf(u)
		line.Status, line.Reason = report.Failed, report.NetworkError
		line.Message = "the run was stopped at once while this " + rb.record + "'s " + rb.action + " was in flight: it may be done; run the rollback again to check"
		rb.write(&line, &u.src)
	}
}

// abort reports a partner not undone: the run stopped.
func (rb *rollback) abort(u *undo) {
	line := rb.lineOf(u)
	line.Status, line.Reason, line.Message = report.Skipped, report.Aborted, rb.stopWhy
	rb.write(&line, &u.src)
}

// nameOf is how a line names its record: a partner by its id, a customer
// or a transaction by its key.
func (rb *rollback) nameOf(l *report.Line) string {
	if rb.kind.Name() == report.Partners {
		return l.PartnerID
	}
	return l.Key
}

// lineOf is the rollback's line for a partner, from its import line.
func (rb *rollback) lineOf(u *undo) report.Line {
	line := u.src // its identifying columns, whatever the kind; the outcome is this run's
	line.Action, line.Status, line.Reason, line.HTTPStatus, line.Message, line.Attempts = rb.action, "", "", 0, "", 0
	return line
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
