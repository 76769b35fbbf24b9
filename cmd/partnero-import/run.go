package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/partnero-import/partnero-import/report"
)

// Exit codes, as the contract fixes them.
const (
	exitOK          = 0
	exitRowsFailed  = 1
	exitUsage       = 2 // also: the run could not go on
	exitInterrupted = 130
)

// Streams are the command's standard streams; tests give their own.
type Streams struct {
	In            io.Reader
	Out, Err      io.Writer
	ErrIsTerminal bool       // progress bars only on a terminal
	InIsTerminal  bool       // a person can answer a question
	Width         func() int // the terminal's columns, for the bar; nil or 0 when unknown
	// HardStop ends at a second Ctrl-C (ctx's end is the first): the run
	// records its rows in flight as such, closes its report and returns
	// at once. nil never ends.
	HardStop context.Context
}

// errAlreadySaid is a fatal problem already reported (as a JSON log line).
var errAlreadySaid = errors.New("already reported")

// usageError is a problem with the command line or its files: exit 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// interruptedError is a run stopped by a signal before it had rows to
// report: exit 130, one line.
type interruptedError struct{ msg string }

func (e interruptedError) Error() string { return e.msg }

// exitCodeOf is the exit code of an error that ended the run.
func exitCodeOf(err error) int {
	if errors.As(err, new(interruptedError)) {
		return exitInterrupted
	}
	return exitUsage
}

// run is the whole command: it parses args, runs the subcommand and turns
// the outcome into an exit code. It never panics on user input.
func run(ctx context.Context, args []string, getenv func(string) string, s Streams) int {
	if len(args) == 0 {
		printOverview(s.Err) // not asked for: a usage error
		return exitUsage
	}
	name := args[0]
	switch {
	case isHelpFlag(name):
		name = "help"
	case name == "--version" || name == "-version":
		name = "version"
	}
	var (
		code int
		err  error
	)
	c, ok := commandNamed(name)
	switch {
	case !ok:
		err = unknownCommand(name)
	case c.flags == nil && len(args) > 1 && isHelpFlag(args[1]):
		err = errHelp // help, version, completion: no flags of their own
	default:
		code, err = c.run(ctx, args[1:], getenv, s)
	}
	switch {
	case err == nil:
		return code
	case errors.Is(err, errHelp):
		c.printUsage(s.Out)
		return exitOK
	case errors.Is(err, errDone):
		return exitOK
	case errors.Is(err, errAlreadySaid):
		return max(code, exitUsage) // the code of the error it reported
	}
	fmt.Fprintln(s.Err, "partnero-import: "+oneLine(err.Error()))
	return exitCodeOf(err)
}

// oneLine keeps a fatal message on the one line the contract promises,
// with what a terminal would act on (a header cell's or a server's escape
// sequence) shown as escapes.
func oneLine(s string) string {
	return report.Printable(strings.Join(strings.Fields(s), " "))
}
