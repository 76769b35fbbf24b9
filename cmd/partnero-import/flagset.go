package main

// A command's flags, as help, completion and usage errors need them:
// grouped for help, with the names of their values, and errors worded for
// people.
//
// A flag's usage text may start with its value's name in back quotes:
// "`PATH` the report". The name shows in help (--report PATH); a name of
// words joined by | lists the values (csv|jsonl|xlsx), which completion
// offers; PATH, FILE and REPORT complete file names.

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/partnero-import/partnero-import/importer/input"
)

// flagSet is a command's flags, grouped for help: the flags defined after
// group("input") are input flags, until the next group.
type flagSet struct {
	*flag.FlagSet
	groups  []string
	groupOf map[string]string      // flag name → its group
	notes   map[string][][2]string // group → lines that are not flags
	values  map[string][]string    // flag name → the values completion offers
}

func newFlagSet(name string) *flagSet {
	fs := &flagSet{FlagSet: flag.NewFlagSet(name, flag.ContinueOnError),
		groupOf: map[string]string{}, notes: map[string][][2]string{}, values: map[string][]string{}}
	// The flag package's own messages and usage would come on top of ours
	// (parse words the errors), on standard error, 50 lines long.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// group starts a group: the flags defined next are in it.
func (f *flagSet) group(name string) {
	f.seal()
	f.groups = append(f.groups, name)
}

// seal puts the flags defined so far, and in no group yet, in the current
// group.
func (f *flagSet) seal() {
	current := ""
	if len(f.groups) > 0 {
		current = f.groups[len(f.groups)-1]
	}
	f.VisitAll(func(fl *flag.Flag) {
		if _, ok := f.groupOf[fl.Name]; !ok {
			f.groupOf[fl.Name] = current
		}
	})
}

// note adds a line about something that is not a flag to the current group.
func (f *flagSet) note(name, text string) {
	g := ""
	if len(f.groups) > 0 {
		g = f.groups[len(f.groups)-1]
	}
	f.notes[g] = append(f.notes[g], [2]string{name, text})
}

// oneOf gives the values completion offers for a flag whose value name
// does not list them.
func (f *flagSet) oneOf(name string, values ...string) { f.values[name] = values }

type flagGroup struct {
	name  string
	lines [][2]string
}

// grouped is the help's lines, group by group.
func (f *flagSet) grouped() []flagGroup {
	f.seal()
	var out []flagGroup
	for _, g := range append([]string{""}, f.groups...) {
		var lines [][2]string
		lines = append(lines, f.notes[g]...)
		f.VisitAll(func(fl *flag.Flag) {
			if f.groupOf[fl.Name] == g {
				lines = append(lines, helpLine(fl))
			}
		})
		if len(lines) == 0 {
			continue
		}
		name := g
		if name == "" {
			name = "flags"
		}
		out = append(out, flagGroup{name, lines})
	}
	return out
}

func helpLine(fl *flag.Flag) [2]string {
	value, text := valueName(fl)
	name := "--" + fl.Name
	if value != "" {
		name += " " + value
	}
	if d := fl.DefValue; d != "" && d != "0" && d != "0s" && d != "false" && !strings.Contains(text, "(default") {
		text += " (default " + d + ")"
	}
	return [2]string{name, text}
}

// valueName is a flag's value name and its usage without it: from the back
// quotes that start the usage, else from its type ("" for a switch).
func valueName(fl *flag.Flag) (name, usage string) {
	if rest, ok := strings.CutPrefix(fl.Usage, "`"); ok {
		if name, usage, ok = strings.Cut(rest, "`"); ok {
			return name, strings.TrimSpace(usage)
		}
	}
	if isSwitch(fl) {
		return "", fl.Usage
	}
	switch getter(fl).(type) {
	case time.Duration:
		return "DURATION", fl.Usage
	case int, int64, uint, uint64, float64:
		return "N", fl.Usage
	}
	return "VALUE", fl.Usage
}

func isSwitch(fl *flag.Flag) bool {
	b, ok := fl.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

func getter(fl *flag.Flag) any {
	if g, ok := fl.Value.(flag.Getter); ok {
		return g.Get()
	}
	return nil
}

// parse parses args, flags before or after the other words (which it
// returns), and words its errors for people: one line, with the closest
// flag when one was misspelled. -h and --help give errHelp.
func (f *flagSet) parse(args []string) ([]string, error) {
	var words []string
	for {
		if err := f.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, errHelp
			}
			return nil, usageError{f.explain(err)}
		}
		if f.NArg() == 0 {
			return words, nil
		}
		words = append(words, f.Arg(0))
		args = f.Args()[1:]
	}
}

// explain rewords the flag package's errors.
func (f *flagSet) explain(err error) string {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		return f.unknownFlag(name)
	}
	if name, ok := strings.CutPrefix(msg, "flag needs an argument: -"); ok {
		if fl := f.Lookup(name); fl != nil {
			value, _ := valueName(fl)
			return fmt.Sprintf("--%s needs a value: --%s %s", name, name, value)
		}
	}
	var value, name string
	if _, e := fmt.Sscanf(msg, "invalid value %q for flag -%s", &value, &name); e == nil {
		return f.badValue(strings.TrimSuffix(name, ":"), value)
	}
	if _, e := fmt.Sscanf(msg, "invalid boolean value %q for -%s", &value, &name); e == nil {
		name = strings.TrimSuffix(name, ":")
		return fmt.Sprintf("--%s is a switch: give --%s alone (or --%s=false), not %q", name, name, name, value)
	}
	return msg
}

// badValue says what a flag's value should look like. A duration without
// a unit is the usual slip: --timeout 30.
func (f *flagSet) badValue(name, value string) string {
	fl := f.Lookup(name)
	if fl == nil {
		return fmt.Sprintf("invalid value %q for --%s", value, name)
	}
	switch getter(fl).(type) {
	case time.Duration:
		if _, err := strconv.ParseFloat(value, 64); err == nil {
			return fmt.Sprintf("--%s %s: a duration needs a unit: %ss for seconds (or ms, m, h)", name, value, value)
		}
		return fmt.Sprintf("--%s %q is not a duration: write one such as 30s, 2m or 1m30s", name, value)
	case int, uint64:
		return fmt.Sprintf("--%s %q is not a whole number", name, value)
	case float64:
		return fmt.Sprintf("--%s %q is not a number", name, value)
	}
	return fmt.Sprintf("invalid value %q for --%s", value, name)
}

// unknownFlag says what was meant, on one line: the flag of this command
// closest to the one given, or the command that has it. It never repeats
// the value given with it, which may be a secret (--api-key=...).
func (f *flagSet) unknownFlag(name string) string {
	if name == "api-key" && f.Lookup("api-key-file") != nil { // a command that talks to Partnero (validate reads, with --against)
		return "there is no --api-key: a key given on the command line would show in ps; set PARTNERO_API_KEY, or give --api-key-file PATH (or set PARTNERO_API_KEY_FILE)"
	}
	var names []string
	f.VisitAll(func(fl *flag.Flag) { names = append(names, fl.Name) })
	if best := closest(strings.TrimLeft(name, "-"), names); best != "" {
		return fmt.Sprintf("unknown flag --%s for %s: did you mean --%s?", name, f.Name(), best)
	}
	for _, c := range commandList() {
		if c.flags != nil && c.name != f.Name() && c.flags().Lookup(name) != nil {
			return fmt.Sprintf("--%s is a flag of %s, not of %s", name, c.name, f.Name())
		}
	}
	return fmt.Sprintf("unknown flag --%s for %s: see partnero-import help %s", name, f.Name(), f.Name())
}

// closest is the candidate nearest to word: one it begins (--skip for
// --skip-existing), or the one fewest edits away, if few enough to be a
// slip; "" when none is.
func closest(word string, candidates []string) string {
	word = strings.ToLower(word)
	var prefixed []string
	for _, c := range candidates {
		if len(word) >= 3 && strings.HasPrefix(c, word) {
			prefixed = append(prefixed, c)
		}
	}
	if len(prefixed) == 1 {
		return prefixed[0]
	}
	best, bestDist := "", max(1, len(word)/3)+1
	for _, c := range slices.Sorted(slices.Values(candidates)) {
		if d := input.EditDistance(word, c); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}
