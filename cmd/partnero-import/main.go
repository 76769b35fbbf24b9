// Command partnero-import onboards partners into Partnero in bulk: it checks
// every row of a CSV or JSON Lines file, creates or invites the valid ones,
// and writes a report with one line per row. See README.md.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/term"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		// The first signal stops the run gracefully; a second one, at once.
		<-ctx.Done()
		again := make(chan os.Signal, 1)
		signal.Notify(again, os.Interrupt, syscall.SIGTERM)
		<-again
		msg := "partnero-import: stopped at once; the report holds the rows finished so far"
		if hint, _ := resumeHint.Load().(string); hint != "" {
			msg += "; to finish, run: " + hint
		}
		fmt.Fprintln(os.Stderr, msg)
		os.Exit(exitInterrupted)
	}()
	streams := Streams{In: os.Stdin, Out: os.Stdout, Err: os.Stderr, ErrIsTerminal: term.IsTerminal(int(os.Stderr.Fd()))}
	os.Exit(run(ctx, os.Args[1:], os.Getenv, streams))
}
