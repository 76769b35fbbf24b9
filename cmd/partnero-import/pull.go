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
	"time"

	"github.com/partnero-import/partnero-import/importer/pull"
	"github.com/partnero-import/partnero-import/report"
)

// pullOptions are pull's own flags; the output flags are the other
// commands'.
type pullOptions struct {
	*importOptions
	out, baseURL, programID string
	amountsIn               string // "": the source's default
	created                 string // the topmost directory this pull made for --out, if any
}

func pullFlags(o *pullOptions) *flagSet {
	fs := newFlagSet("pull")
	fs.group("output")
	fs.StringVar(&o.out, "out", "", "`DIR` where partners.jsonl, customers.jsonl, transactions.jsonl and left-out.csv go (new, empty, or an earlier pull's, whose files stay until this pull has read the whole program)")
	fs.BoolVar(&o.noProgress, "no-progress", false, "no progress bar (there is none when standard error is not a terminal)")
	o.summaryFlags(fs)
	fs.group("source")
	fs.StringVar(&o.programID, "program-id", "", "`ID` the program to pull, for a source whose lists are a program's (tolt: prg_...)")
	fs.StringVar(&o.amountsIn, "amounts-in", "", "`cents|major` tapfiliate only: the unit its amounts come in, cents (the default) or major")
	fs.group("connection")
	fs.StringVar(&o.baseURL, "source-base-url", "", "`URL` the source's API root, for a test server (https, or http on a loopback address); default: the source's own")
	return fs
}

func newPullOptions() *pullOptions {
	return &pullOptions{importOptions: &importOptions{logFormat: "text", progressEvery: barEvery}}
}

func runPull(ctx context.Context, args []string, getenv func(string) string, s Streams) (int, error) {
	start := time.Now()
	o := newPullOptions()
	words, err := pullFlags(o).parse(args)
	if err != nil {
		return 0, err
	}
	if err := o.check(words); err != nil {
		return 0, err
	}
	return inSession(s, o.importOptions, start, func(ss *session) (int, error) { return o.run(ctx, getenv, words[0], ss) })
}

// check refuses a command line pull cannot run, before anything is read.
func (o *pullOptions) check(words []string) error {
	switch {
	case len(words) != 1:
		return usagef("pull needs one SOURCE (%s), got %d words", strings.Join(pull.Names(), ", "), len(words))
	case !slices.Contains(pull.Names(), words[0]):
		return usagef("unknown SOURCE %q: this build pulls from %s", words[0], strings.Join(pull.Names(), ", "))
	case o.out == "":
		return usagef("pull needs --out DIR, the directory its files go to")
	case o.amountsIn != "" && words[0] != "tapfiliate":
		return usagef("--amounts-in is for tapfiliate only: %s says what unit its amounts are in", words[0])
	case o.amountsIn != "" && o.amountsIn != pull.AmountsInCents && o.amountsIn != pull.AmountsInMajor:
		return usagef("--amounts-in %q: say cents (the default) or major", o.amountsIn)
	}
	if err := o.checkOutput(); err != nil {
		return err
	}
	if o.summaryJSON == "" {
		return nil
	}
	if err := o.summaryOutsideDir(); err != nil {
		return err
	}
	return checkClashes(nil, []file{{"--summary-json", o.summaryJSON, aSummary}})
}

// summaryOutsideDir refuses a --summary-json in --out, or that is one of
// its files, by what the paths are rather than how they are spelt: through
// a symbolic link or /proc/self/cwd, the summary would write over a
// program's file or the marker.
func (o *pullOptions) summaryOutsideDir() error {
	if summaryInDir(o.summaryJSON, o.out) {
		return usagef("--summary-json %s is in --out %s, which holds only the files pull writes: give a path outside it", o.summaryJSON, o.out)
	}
	return nil
}

func summaryInDir(path, dir string) bool {
	abs, err := filepath.Abs(path)
	if dirAbs, err2 := filepath.Abs(dir); err == nil && err2 == nil && filepath.Dir(abs) == dirAbs {
		return true
	}
	dirSt, err := os.Stat(dir)
	if err != nil {
		return false // no DIR yet: run looks again once it is made
	}
	if st, err := os.Stat(filepath.Dir(path)); err == nil && os.SameFile(st, dirSt) {
		return true
	}
	st, err := os.Stat(path)
	if err != nil {
		return false
	}
	for _, name := range []string{pull.PartnersFile, pull.CustomersFile, pull.TransactionsFile, pull.LeftOutFile, pull.MarkerFile} {
		if f, err := os.Stat(filepath.Join(dir, name)); err == nil && os.SameFile(st, f) {
			return true
		}
	}
	return false
}

// run pulls source's program into --out, and says how it went: in the
// last lines (or JSON records), and in --summary-json, whatever the end.
func (o *pullOptions) run(ctx context.Context, getenv func(string) string, source string, ss *session) (code int, err error) {
	sum := pullSummary{Version: versionString(), Commit: commitString(), Command: "pull", Source: source, Out: o.out}
	defer func() {
		if err != nil {
			o.uncreate()
		}
		if o.summaryJSON == "" {
			return
		}
		if err != nil {
			sum.Fatal, sum.Interrupted, code = oneLine(err.Error()), exitCodeOf(err) == exitInterrupted, exitCodeOf(err)
		}
		sum.ExitCode, sum.ElapsedSeconds = code, time.Since(ss.start).Seconds()
		if werr := writeJSONFile(o.summaryJSON, sum); werr != nil && err == nil {
			code, err = 0, usagef("%v", werr)
		}
	}()
	src, err := pull.New(source, getenv, pull.Options{BaseURL: o.baseURL, ProgramID: o.programID, AmountsIn: o.amountsIn,
		// As import's pool says it: a WARN record in both formats, its
		// repeats folded.
		Throttled: func(what string, wait time.Duration) {
			ss.out.log.Warn("throttled: the source asked the pull to wait", "source", source, "request", what,
				"wait_seconds", wait.Round(100*time.Millisecond).Seconds())
		}})
	if err != nil {
		return 0, usagef("%v", err)
	}
	if err := o.lockDir(ss); err != nil {
		return 0, err
	}
	if o.summaryJSON != "" {
		if err := o.summaryOutsideDir(); err != nil { // a link to a DIR made just now
			o.summaryJSON = ""
			return 0, err
		}
	}
	out, err := pull.Create(o.out, src.Name())
	if err != nil {
		return 0, usagef("%v", err)
	}
	ss.out.log.Info("start", "command", "pull", "source", src.Name(), "out", o.out, "version", versionString())
	if half, _ := pull.HalfReplaced(o.out); half {
		ss.out.warn(o.out + " holds files of two different pulls (one was stopped while putting its files in place): this pull replaces them all once it has read the whole program")
	}
	ss.showPullProgress(&out.Progress)
	err = src.Pull(ctx, out)
	ss.prog.close()
	if err != nil {
		out.Abort()
		if ctx.Err() != nil {
			return 0, interruptedError{fmt.Sprintf("pull %s stopped: interrupted; %s", src.Name(), leftInDir(o.out))}
		}
		// A source's message may quote what it answered: no email is printed.
		return 0, usagef("pull %s failed: %s; %s", src.Name(), pull.HideEmails(err.Error()), leftInDir(o.out))
	}
	if err := out.Finish(); err != nil {
		return 0, usagef("%v", err)
	}
	sum.Whole = true
	sum.Carried, sum.LeftOut, sum.NotActive = out.Summary.Counts()
	sum.NoCurrency = out.Summary.NoCurrency
	o.end(ss.out, src.Name(), &out.Summary, time.Since(ss.start))
	return exitOK, nil
}

// lockDir makes DIR if need be and holds it for this pull until the
// session ends: two pulls at once would each take the other's temporary
// files for a killed pull's, and an import of it would read files of two
// pulls. The lock is the directory's, whatever name reaches it.
func (o *pullOptions) lockDir(ss *session) error {
	created, err := makeDir(o.out)
	if err != nil {
		return usagef("cannot make --out %s: %v", o.out, err)
	}
	key, err := pullDirKey(o.out)
	if err != nil {
		return nil
	}
	release, err := report.LockRun(key)
	if err != nil {
		return usagef("%s", whatHolds(key, o.out))
	}
	o.created = created
	ss.closers = append(ss.closers, release)
	return nil
}

// makeDir makes dir and the directories above it that are missing, and
// says the topmost it made ("" when dir was there).
func makeDir(dir string) (created string, err error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := abs; ; d = filepath.Dir(d) {
		if _, err := os.Lstat(d); err == nil || filepath.Dir(d) == d {
			break
		}
		created = d
	}
	return created, os.MkdirAll(abs, 0o755)
}

// uncreate removes, after a pull that failed, the directories it made and
// the marker it put in them: what it leaves is what it found.
func (o *pullOptions) uncreate() {
	if o.created == "" {
		return
	}
	pull.Unclaim(o.out)
	abs, err := filepath.Abs(o.out)
	if err != nil {
		return
	}
	for d := abs; ; d = filepath.Dir(d) {
		if os.Remove(d) != nil || d == o.created { // one not empty is not only ours
			return
		}
	}
}

// end says what the pull carried over and left out: lines for people, or
// one JSON record.
func (o *pullOptions) end(out *output, source string, s *pull.Summary, elapsed time.Duration) {
	leftOutCSV := filepath.Join(o.out, pull.LeftOutFile)
	if out.json {
		carried, leftOut, notActive := s.Counts()
		out.log.Info("end", "source", source, "out", o.out, "whole", true, "carried", carried, "left_out", leftOut, "not_active", notActive,
			"no_currency", s.NoCurrency, "left_out_file", leftOutCSV, "elapsed_seconds", elapsed.Seconds())
		return
	}
	fmt.Fprintf(out.w, "pull %s: read the whole program into %s\n", source, o.out)
	s.Print(out.w)
	fmt.Fprintf(out.w, "what was left out, and why: %s; next: partnero-import validate %s\n", leftOutCSV, shellWord(o.out))
}

// pullSummary is what pull's --summary-json writes: nothing secret (the
// source's credentials are never in an error; its address is not given,
// as it may hold a user name).
type pullSummary struct {
	Version string `json:"version"`
	Commit  string `json:"commit,omitempty"`
	Command string `json:"command"`
	Source  string `json:"source"`
	Out     string `json:"out"`
	// Whole says the pull read the whole program and its files are in
	// place; the counts are there only then.
	Whole   bool                      `json:"whole"`
	Carried map[string]int            `json:"carried,omitempty"`
	LeftOut map[string]map[string]int `json:"left_out,omitempty"`
	// NotActive counts the partners carried though not active at the
	// source (tagged status:STATE), per status.
	NotActive map[string]int `json:"not_active,omitempty"`
	// NoCurrency counts the transactions written without a currency (the
	// source named none): Partnero takes them in its program's.
	NoCurrency     int     `json:"no_currency,omitempty"`
	ElapsedSeconds float64 `json:"elapsed_seconds"`
	Interrupted    bool    `json:"interrupted"`
	Fatal          string  `json:"fatal,omitempty"`
	ExitCode       int     `json:"exit_code"`
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

// shellWord is s as one word of a POSIX shell's command line: as it is
// when nothing in it is special, else in single quotes.
func shellWord(s string) string {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_@%+=:,./-", r)) {
			return zshQuote(s) // single quotes, as POSIX shells read them too
		}
	}
	if s == "" {
		return "''"
	}
	return s
}
