// Command partnero-import onboards partners into Partnero in bulk: it checks
// every row of a CSV, JSON Lines or XLSX file, creates or invites the valid
// ones, and writes a report with one line per row. See README.md.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"sync"
	"syscall"
	"time"

	"golang.org/x/term"

	"github.com/partnero-import/partnero-import/importer/partnero"
)

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// One channel for both signals, so the second can never slip past
	// while the first is being handled.
	signals := make(chan os.Signal, 2)
	// SIGHUP is a closed terminal or SSH session: the run stops as for
	// Ctrl-C, with a report a resume can use.
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	// A closed standard output or error (| head -1) would otherwise kill
	// the process at its next line, before the report is written: a write
	// to it fails instead, and the streams below drop it.
	signal.Ignore(syscall.SIGPIPE)
	stdout, stderr := &survivingWriter{w: os.Stdout}, &survivingWriter{w: os.Stderr}
	go func() {
		<-signals
		cancel() // the first stops the run gracefully; the run says so
		<-signals
		// The run writes the lines of the rows in flight, unless it is
		// somewhere it cannot answer (reading the file), then the
		// process ends.
		ack := make(chan struct{})
		answered := false
		select {
		case hardStop <- ack:
			answered = true
			select {
			case <-ack:
			case <-time.After(5 * time.Second): // the report's lines written and sorted
			}
		case <-time.After(200 * time.Millisecond):
		}
		msg := "partnero-import: " + stoppedAtOnce(answered, activeClient.Load())
		if hint, _ := resumeHint.Load().(string); hint != "" {
			msg += "; " + hint
		}
		if sc := activeScreen.Load(); sc != nil {
			sc.lastWord(msg) // on a line of its own, not on the bar
		} else {
			fmt.Fprintln(stderr, msg)
		}
		os.Exit(exitInterrupted)
	}()
	if info, ok := debug.ReadBuildInfo(); ok {
		program = invokedAs(os.Args[0], info.Path)
	}
	fd := int(os.Stderr.Fd())
	streams := Streams{In: os.Stdin, Out: stdout, Err: stderr, ErrIsTerminal: term.IsTerminal(fd),
		InIsTerminal: term.IsTerminal(int(os.Stdin.Fd())),
		Width: func() int {
			w, _, err := term.GetSize(fd)
			if err != nil {
				return 0
			}
			return w
		}}
	os.Exit(run(ctx, os.Args[1:], os.Getenv, streams))
}

// stoppedAtOnce says what a second signal leaves: answered when the run
// wrote its lines of the rows in flight; c is the run's client, nil before
// one is made (and in validate).
func stoppedAtOnce(answered bool, c *partnero.Client) string {
	switch {
	case answered:
		return "stopped at once; the report holds the rows finished so far, and the rows in flight as failed (they may exist)"
	case c == nil || !c.Wrote():
		return "stopped at once, before any row was sent; the report, if there is one yet, lacks the rows not checked"
	default:
		return "stopped at once; the report lacks the rows that were not finished, and those in flight may exist"
	}
}

// survivingWriter is a standard stream that may go away mid-run (a closed
// pipe, a hung-up terminal): from its first failed write on, what is
// written to it is dropped, and reported written, so that no caller stops
// a run over a line nobody can read.
type survivingWriter struct {
	mu   sync.Mutex
	w    io.Writer
	dead bool
}

func (s *survivingWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.dead {
		if _, err := s.w.Write(p); err != nil {
			s.dead = true
		}
	}
	return len(p), nil
}
