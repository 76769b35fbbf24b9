package main

// pull SOURCE --out DIR: read a whole program from another platform's API
// into the files import reads.

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/partnero-import/partnero-import/importer/pull"
)

type pullOptions struct {
	out, baseURL, programID string
}

func pullFlags(o *pullOptions) *flagSet {
	fs := newFlagSet("pull")
	fs.group("output")
	fs.StringVar(&o.out, "out", "", "`DIR` where partners.jsonl, customers.jsonl, transactions.jsonl and left-out.csv go (new, empty, or an earlier pull's)")
	fs.group("source")
	fs.StringVar(&o.programID, "program-id", "", "`ID` the program to pull, for a source whose lists are a program's (tolt: prg_...)")
	fs.group("connection")
	fs.StringVar(&o.baseURL, "source-base-url", "", "`URL` the source's API root, for a test server (https, or http on a loopback address); default: the source's own")
	return fs
}

func runPull(ctx context.Context, args []string, getenv func(string) string, s Streams) (int, error) {
	var o pullOptions
	words, err := pullFlags(&o).parse(args)
	if err != nil {
		return 0, err
	}
	switch {
	case len(words) != 1:
		return 0, usagef("pull needs one SOURCE (%s), got %d words", strings.Join(pull.Names(), ", "), len(words))
	case !slices.Contains(pull.Names(), words[0]):
		return 0, usagef("unknown SOURCE %q: this build pulls from %s", words[0], strings.Join(pull.Names(), ", "))
	case o.out == "":
		return 0, usagef("pull needs --out DIR, the directory its files go to")
	}
	src, err := pull.New(words[0], getenv, pull.Options{BaseURL: o.baseURL, ProgramID: o.programID})
	if err != nil {
		return 0, usagef("%v", err)
	}
	out, err := pull.Create(o.out, src.Name())
	if err != nil {
		return 0, usagef("%v", err)
	}
	if err := src.Pull(ctx, out); err != nil {
		out.Abort()
		if ctx.Err() != nil {
			return 0, interruptedError{fmt.Sprintf("pull %s stopped: interrupted; %s", src.Name(), leftInDir(o.out))}
		}
		return 0, usagef("pull %s failed: %v; %s", src.Name(), err, leftInDir(o.out))
	}
	if err := out.Finish(); err != nil {
		return 0, usagef("%v", err)
	}
	fmt.Fprintf(s.Err, "pull %s: read the whole program into %s\n", src.Name(), o.out)
	out.Summary.Print(s.Err)
	fmt.Fprintf(s.Err, "what was left out, and why: %s; next: partnero-import validate %s\n", filepath.Join(o.out, pull.LeftOutFile), o.out)
	return exitOK, nil
}

// leftInDir says what a pull that failed left in its DIR: the earlier
// pull's files, untouched, or no program.
func leftInDir(dir string) string {
	if half, _ := pull.HalfReplaced(dir); half {
		return dir + " still holds files of two different pulls: run the pull again"
	}
	for _, f := range pulledFiles {
		if _, err := os.Stat(filepath.Join(dir, f.name)); err == nil {
			return "the earlier pull's files in " + dir + " are as they were"
		}
	}
	return dir + " holds no program"
}
