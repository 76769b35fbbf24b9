package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Exit codes, as the contract fixes them.
const (
	exitOK          = 0
	exitRowsFailed  = 1
	exitUsage       = 2 // also: the run could not go on
	exitInterrupted = 130
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// Streams are the command's standard streams; tests give their own.
type Streams struct {
	In            io.Reader
	Out, Err      io.Writer
	ErrIsTerminal bool // progress bars only on a terminal
	InIsTerminal  bool // a person can answer a question
}

// errAlreadySaid is a fatal problem already reported (as a JSON log line).
var errAlreadySaid = errors.New("already reported")

// usageError is a problem with the command line or its files: exit 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// run is the whole command: it parses args, runs the subcommand and turns
// the outcome into an exit code. It never panics on user input.
func run(ctx context.Context, args []string, getenv func(string) string, s Streams) int {
	if len(args) == 0 {
		fmt.Fprint(s.Err, usage)
		return exitUsage
	}
	var (
		code int
		err  error
	)
	switch args[0] {
	case "validate":
		code, err = runImport(ctx, args[1:], getenv, s, true)
	case "import":
		code, err = runImport(ctx, args[1:], getenv, s, false)
	case "sandbox":
		code, err = runSandbox(ctx, args[1:], s)
	case "rollback":
		code, err = runRollback(ctx, args[1:], getenv, s)
	case "version", "--version":
		fmt.Fprintln(s.Out, "partnero-import", versionString())
		return exitOK
	case "help", "-h", "--help":
		fmt.Fprint(s.Out, usage)
		return exitOK
	default:
		err = usagef("unknown command %q: use validate, import, rollback or sandbox", args[0])
	}
	if err != nil {
		if errors.Is(err, errHelp) {
			return exitOK
		}
		if errors.Is(err, errAlreadySaid) {
			return exitUsage
		}
		fmt.Fprintln(s.Err, "partnero-import: "+oneLine(err.Error()))
		return exitUsage
	}
	return code
}

// oneLine keeps a fatal message on the one line the contract promises.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

const usage = `partnero-import: onboard partners into Partnero in bulk

usage:
  partnero-import validate [flags] FILE   check every row, send nothing
  partnero-import import   [flags] FILE   check, then create or invite each valid row
  partnero-import rollback [flags] REPORT undo what an import created: archive (or delete) exactly those partners
  partnero-import sandbox  [flags]        a local Partnero-compatible API
  partnero-import version

Run "partnero-import COMMAND -h" for the flags of a command.
`
