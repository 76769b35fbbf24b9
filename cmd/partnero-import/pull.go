package main

// pull SOURCE --out DIR: read a whole program from another platform's API
// into the files import reads.

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/partnero-import/partnero-import/importer/pull"
)

type pullOptions struct {
	out, baseURL, programID string
	amountsIn               string // "": the source's default
}

func pullFlags(o *pullOptions) *flagSet {
	fs := newFlagSet("pull")
	fs.group("output")
	fs.StringVar(&o.out, "out", "", "`DIR` where partners.jsonl, customers.jsonl, transactions.jsonl and left-out.csv go (new, empty, or an earlier pull's)")
	fs.group("source")
	fs.StringVar(&o.programID, "program-id", "", "`ID` the program to pull, for a source whose lists are a program's (tolt: prg_...)")
	fs.StringVar(&o.amountsIn, "amounts-in", "", "`cents|major` tapfiliate only: the unit its amounts come in, cents (the default) or major")
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
	case o.amountsIn != "" && words[0] != "tapfiliate":
		return 0, usagef("--amounts-in is for tapfiliate only: %s says what unit its amounts are in", words[0])
	case o.amountsIn != "" && o.amountsIn != pull.AmountsInCents && o.amountsIn != pull.AmountsInMajor:
		return 0, usagef("--amounts-in %q: say cents (the default) or major", o.amountsIn)
	}
	src, err := pull.New(words[0], getenv, pull.Options{BaseURL: o.baseURL, ProgramID: o.programID, AmountsIn: o.amountsIn})
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
			return 0, interruptedError{fmt.Sprintf("pull %s stopped: interrupted; %s holds no program", src.Name(), o.out)}
		}
		// A source's message may quote what it answered: no email is printed.
		return 0, usagef("pull %s failed, %s holds no program: %s", src.Name(), o.out, pull.HideEmails(err.Error()))
	}
	if err := out.Finish(); err != nil {
		return 0, usagef("%v", err)
	}
	fmt.Fprintf(s.Err, "pull %s: read the whole program into %s\n", src.Name(), o.out)
	out.Summary.Print(s.Err)
	fmt.Fprintf(s.Err, "what was left out, and why: %s; next: partnero-import validate %s\n", filepath.Join(o.out, pull.LeftOutFile), o.out)
	return exitOK, nil
}
