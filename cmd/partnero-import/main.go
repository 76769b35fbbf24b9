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
	// The second stops at once: the run records its rows in flight,
	// closes its report and returns, and says so; should it not return
	// soon (somewhere it cannot answer, like a report being sorted), the
	// process ends without it.
	hard, stopNow := context.WithCancel(context.Background())
	go func() {
		<-signals
		cancel() // the first stops the run gracefully; the run says so
		<-signals
		stopNow()
		time.Sleep(hardStopGrace) // the process normally ends before
		fmt.Fprintln(stderr, "\npartnero-import: stopped at once; the run did not finish its report in time: it may lack rows, and rows in flight may exist (--resume looks them up)")
		os.Exit(exitInterrupted)
	}()
	if info, ok := debug.ReadBuildInfo(); ok {
		program = invokedAs(os.Args[0], info.Path)
	}
	fd := int(os.Stderr.Fd())
	streams := Streams{In: os.Stdin, Out: stdout, Err: stderr, HardStop: hard, ErrIsTerminal: term.IsTerminal(fd),
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

// hardStopGrace is how long a run has, after a second signal, to close
// its report (sorted) and return.
const hardStopGrace = 5 * time.Second

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
