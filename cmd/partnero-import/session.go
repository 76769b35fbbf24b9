package main

import (
	"context"
	"fmt"
	"time"

	"github.com/partnero-import/partnero-import/importer"
	"github.com/partnero-import/partnero-import/importer/partnero"
	"github.com/partnero-import/partnero-import/importer/pull"
)

// A session is one command's run, from its flags to its exit code: where
// it speaks (output, and the bar), its progress, its client and the
// embedded sandbox behind it, and how it ends. validate, import,
// rollback and pull each run in one; so do the commands to come. Nothing of it is
// global: a second Ctrl-C reaches the run as Streams.HardStop, and the
// session words its last word from what the run returns.
type session struct {
	s      Streams
	start  time.Time // when the command started: the summary's elapsed time is the command's
	out    *output
	prog   *progress // nil with --no-progress
	client *partnero.Client
	mark   string // the job's mark the client's creates carry
	// closers end what the session opened, last first: the client before
	// its sandbox (which waits for open connections).
	closers []func()
	// finish says how to finish the run should it stop (a resume, the
	// rollback again); "" when there is none (a rehearsal).
	finish string
}

// inSession runs body, one command's work, in a session that speaks as o
// asks, and ends it: a fatal problem is one line (a JSON record with
// --log-format json).
func inSession(s Streams, o *importOptions, start time.Time, body func(ss *session) (int, error)) (int, error) {
	bar := s.ErrIsTerminal && !o.noProgress && o.logFormat == "text"
	ss := &session{s: s, start: start, out: newOutput(s, o.logFormat, o.verbose, bar)}
	code, err := body(ss)
	ss.close()
	if err != nil && ss.out.json {
		ss.out.fatal(err) // a JSON line, not plain text
		return exitCodeOf(err), errAlreadySaid
	}
	return code, err
}

// close ends the progress display, flushes the output and closes what the
// session opened.
func (ss *session) close() {
	ss.prog.close()
	ss.out.close()
	for i := len(ss.closers) - 1; i >= 0; i-- {
		ss.closers[i]()
	}
	ss.closers = nil
}

// showProgress starts the progress display, unless --no-progress.
func (ss *session) showProgress(o *importOptions, read *importer.Progress) {
	if !o.noProgress {
		ss.prog = startProgress(ss.out, o.progressEvery, read)
	}
}

// showPullProgress starts a pull's bar: only on a terminal, and not with
// --no-progress or --log-format json (the output has no screen then).
func (ss *session) showPullProgress(pulled *pull.Progress) {
	if ss.out.screen != nil {
		ss.prog = startPullProgress(ss.out, pulled)
	}
}

// connect makes the session's client (and the embedded sandbox, with
// --sandbox); mark is the job's mark its creates carry. In a run of
// several files the first file's client serves them all, with its mark.
func (ss *session) connect(ctx context.Context, getenv func(string) string, o *importOptions, mark string) error {
	if ss.client != nil {
		return nil
	}
	c, closeSandbox, err := o.client(ctx, getenv, ss.out, ss.prog, mark)
	if err != nil {
		return err
	}
	ss.client, ss.mark = c, mark
	ss.closers = append(ss.closers, closeSandbox, c.Close)
	return nil
}

// work runs the importer's part: the first Ctrl-C (ctx) is said at once,
// with what the run still waits for; the second ends it at once. The bar
// is gone when it returns, before the summary.
func (ss *session) work(ctx context.Context, timeout time.Duration, run func() (*importer.Result, error)) (*importer.Result, error) {
	endWatch := watchStop(ctx, ss.out, ss.prog, ss.client, timeout, ss.s.ErrIsTerminal)
	res, err := run()
	endWatch()
	ss.prog.close()
	ss.out.close()
	return res, err
}

// stoppedAtOnce is the last word of a run the second Ctrl-C ended: what the
// report holds, and how to finish. It goes on a line of its own, below the
// bar; the exit code is 130.
func (ss *session) stoppedAtOnce(res *importer.Result) (int, error) {
	msg := "partnero-import: " + stoppedAtOnce(res)
	if ss.finish != "" {
		msg += "; " + ss.finish
	}
	switch {
	case ss.out.json:
		ss.out.log.Error(msg)
	case ss.out.screen != nil:
		ss.out.screen.lastWord(msg)
	default:
		fmt.Fprintln(ss.out.w, msg)
	}
	return exitInterrupted, nil
}

// stoppedAtOnce says what a second signal leaves: the rows in flight are
// in the report once a row went out (a rollback's read of a partner, an
// import's create), whether or not it changed Partnero; validate
// --against only read them.
func stoppedAtOnce(res *importer.Result) string {
	switch {
	case !res.Sent:
		return "stopped at once, before any row was sent; the report, if there is one yet, lacks the rows not checked"
	case res.Against != nil:
		return "stopped at once; the report holds the rows checked so far, and the rows being checked as skipped/aborted"
	}
	return "stopped at once; the report holds the rows finished so far, and the rows in flight as failed (they may exist)"
}

// exitCode is the contract's exit code for a run's result.
func exitCode(res *importer.Result) int {
	switch {
	case res.Fatal != nil:
		return exitUsage
	case res.Interrupted:
		return exitInterrupted
	case !res.Summary.OK():
		return exitRowsFailed
	}
	return exitOK
}
