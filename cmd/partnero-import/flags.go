package main

// The flags of validate and import, and what they turn into.

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"time"

	"github.com/partnero-import/partnero-import/importer/input"
	"github.com/partnero-import/partnero-import/importer/partnero"
	"github.com/partnero-import/partnero-import/validate"
)

// Defaults and bounds documented in the README.
const (
	defaultConcurrency = 8
	defaultRetries     = 3
	defaultTimeout     = 30 * time.Second
	// maxConcurrency: Partnero's limit is per minute, and more requests in
	// flight than this only queue at the server.
	maxConcurrency = 64
	maxRetries     = 20
	maxTimeout     = 10 * time.Minute
)

var errHelp = errors.New("help shown")

// importOptions are the flags of validate and import.
type importOptions struct {
	args       []string // as given, for the resume command
	file       string
	format     string
	delimiter  string
	encoding   string
	sheet      string
	mode       string
	reportPath string
	mapping    string
	preset     string

	baseURL        string
	apiKeyFile     string
	useSandbox     bool
	sandboxPreload string
	sandboxVary    uint64
	rate           string
	concurrency    int
	retries        int
	timeout        time.Duration
	dryRun         bool
	resume         string
	noProgress     bool
	skipExisting   bool
	updateExisting bool
	summaryJSON    string
	logFormat      string
	verbose        bool
	progressEvery  time.Duration
}

func parseImportFlags(args []string, dryRun bool, s Streams) (*importOptions, error) {
	all := args
	name := "import"
	if dryRun {
		name = "validate"
	}
	// Defaults also for the flags validate does not have, so check() holds.
	o := &importOptions{logFormat: "text", rate: "auto", concurrency: defaultConcurrency, retries: defaultRetries, timeout: defaultTimeout, progressEvery: 5 * time.Second}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(s.Err)
	fs.StringVar(&o.format, "format", "", "input format: csv, jsonl or xlsx (default: from the file's extension)")
	fs.StringVar(&o.delimiter, "delimiter", "", "CSV delimiter (default: sniffed among , ; tab |)")
	fs.StringVar(&o.encoding, "encoding", "", "text encoding: utf-8, utf-16le, utf-16be, windows-1252 (default: sniffed)")
	fs.StringVar(&o.sheet, "sheet", "", "XLSX sheet (default: the first)")
	fs.StringVar(&o.mode, "mode", validate.Create, "create or invite, for rows without an action cell")
	fs.StringVar(&o.reportPath, "report", "", "report path; .jsonl gives JSON Lines (default: FILE with .report.csv)")
	fs.StringVar(&o.mapping, "map", "", "FIELD=HEADER,... maps a field to a column header of the file")
	fs.StringVar(&o.preset, "preset", "", "header mapping of another platform's export: firstpromoter, rewardful, tapfiliate, partnerstack, partnero; list prints them")
	o.outputFlags(fs) // validate and import --dry-run take the same
	if !dryRun {
		o.connectionFlags(fs)
		fs.BoolVar(&o.dryRun, "dry-run", false, "the same as validate")
		fs.StringVar(&o.resume, "resume", "", "skip the rows an earlier run's report shows created or invited")
		fs.BoolVar(&o.skipExisting, "skip-existing", false, "a row whose email is already in Partnero is skipped/already_exists, not rejected")
		fs.BoolVar(&o.updateExisting, "update-existing", false, "a row whose email is already in Partnero updates that partner's name, surname and tags (never its key or password)")
	}
	fs.Usage = func() {
		fmt.Fprintf(s.Err, "usage: partnero-import %s [flags] FILE\n\nflags:\n", name)
		fs.PrintDefaults()
	}
	files, err := parseInterspersed(fs, args)
	if err != nil {
		return nil, err
	}
	if strings.EqualFold(o.preset, "list") {
		printPresets(s.Out)
		return nil, errHelp // done: exit 0
	}
	if len(files) != 1 {
		return nil, usagef("%s needs exactly one FILE (or - for standard input), got %d", name, len(files))
	}
	o.file = files[0]
	o.args = all
	return o, o.check()
}

// outputFlags are how a run speaks: the same for validate, import and
// rollback.
func (o *importOptions) outputFlags(fs *flag.FlagSet) {
	fs.BoolVar(&o.noProgress, "no-progress", false, "no progress bar")
	fs.StringVar(&o.summaryJSON, "summary-json", "", "also write the run's summary as one JSON object to this path")
	fs.StringVar(&o.logFormat, "log-format", "text", "standard error as text, or json (one JSON object per line)")
	fs.BoolVar(&o.verbose, "verbose", false, "log one line per row too")
	fs.DurationVar(&o.progressEvery, "progress-interval", 5*time.Second, "how often a progress line is written when standard error is not a terminal")
}

// connectionFlags say where and how fast to talk to the API: import's and
// rollback's.
func (o *importOptions) connectionFlags(fs *flag.FlagSet) {
	fs.StringVar(&o.baseURL, "base-url", "", "API root (default: $PARTNERO_BASE_URL or "+partnero.DefaultBaseURL+")")
	fs.StringVar(&o.apiKeyFile, "api-key-file", "", "file holding the API key (default: $PARTNERO_API_KEY)")
	fs.BoolVar(&o.useSandbox, "sandbox", false, "talk to an embedded Partnero-compatible sandbox")
	fs.StringVar(&o.sandboxPreload, "sandbox-preload", "", "with --sandbox: partners that exist before the run")
	fs.Uint64Var(&o.sandboxVary, "sandbox-vary", 0, "with --sandbox: answer where the documentation is silent in the ways this seed picks (see sandbox --vary)")
	fs.StringVar(&o.rate, "rate", "auto", "requests per second at most (fractions allowed; 0 means no limit), or auto: follow the limit the server advertises")
	fs.IntVar(&o.concurrency, "concurrency", defaultConcurrency, "requests in flight at once")
	fs.IntVar(&o.retries, "retries", defaultRetries, "retries of a row after a throttled, failed or lost answer")
	fs.DurationVar(&o.timeout, "timeout", defaultTimeout, "one request's time limit")
}

// parseInterspersed parses flags that may come before or after the
// arguments, and returns the arguments.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, errHelp
			}
			return nil, usageError{err.Error()}
		}
		if fs.NArg() == 0 {
			return rest, nil
		}
		rest = append(rest, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// check refuses values and combinations of flags that make no sense.
func (o *importOptions) check() error {
	if o.logFormat != "text" && o.logFormat != "json" {
		return usagef("unknown --log-format %q: use text or json", o.logFormat)
	}
	if o.progressEvery <= 0 {
		return usagef("--progress-interval must be positive")
	}
	if o.mode != validate.Create && o.mode != validate.Invite {
		return usagef("unknown --mode %q: use create or invite", o.mode)
	}
	if o.concurrency < 1 || o.concurrency > maxConcurrency {
		return usagef("--concurrency must be between 1 and %d, not %d", maxConcurrency, o.concurrency)
	}
	if o.retries < 0 || o.retries > maxRetries {
		return usagef("--retries must be between 0 and %d, not %d", maxRetries, o.retries)
	}
	if o.timeout <= 0 || o.timeout > maxTimeout {
		return usagef("--timeout must be more than 0 and at most %v, not %v", maxTimeout, o.timeout)
	}
	if _, _, err := parseRate(o.rate); err != nil {
		return err
	}
	if (o.sandboxPreload != "" || o.sandboxVary != 0) && !o.useSandbox {
		return usagef("--sandbox-preload and --sandbox-vary need --sandbox")
	}
	if o.resume != "" && o.dryRun {
		return usagef("--resume and --dry-run do not go together: validate checks every row anyway")
	}
	if o.skipExisting && o.updateExisting {
		return usagef("--skip-existing and --update-existing do not go together: choose whether existing partners are left alone or updated")
	}
	if o.useSandbox && o.baseURL != "" {
		return usagef("--sandbox and --base-url do not go together: --sandbox imports into a sandbox of its own")
	}
	return nil
}

func (o *importOptions) inputOptions() (input.Options, error) {
	var opts input.Options
	var err error
	switch {
	case o.format != "":
		opts.Format, err = input.ParseFormat(o.format)
	case o.file == "-":
		err = usagef("reading standard input needs --format")
	default:
		opts.Format, err = input.FormatOf(o.file)
	}
	if err != nil {
		return opts, usageError{err.Error()}
	}
	if o.delimiter != "" {
		if opts.Delimiter, err = input.ParseDelimiter(o.delimiter); err != nil {
			return opts, usageError{err.Error()}
		}
	}
	if o.encoding != "" {
		if opts.Encoding, err = input.ParseEncoding(o.encoding); err != nil {
			return opts, usageError{err.Error()}
		}
	}
	if o.mapping != "" {
		if opts.Map, err = input.ParseMap(o.mapping); err != nil {
			return opts, usageError{err.Error()}
		}
	}
	if o.preset != "" {
		if _, err := input.PresetNamed(o.preset); err != nil {
			return opts, usageError{err.Error()}
		}
		opts.Preset = o.preset
	}
	if o.sheet != "" && opts.Format != input.XLSX {
		return opts, usagef("--sheet is for XLSX input")
	}
	opts.Sheet = o.sheet
	return opts, nil
}

// resumeHint is the command that finishes an interrupted import, for the
// message of a second signal (which exits from main).
var resumeHint atomic.Value

// resumeCommand is this command line with --resume REPORT, shell-quoted.
func (o *importOptions) resumeCommand(reportPath string) string {
	words := []string{"partnero-import", "import", "--resume", reportPath}
	for i := 0; i < len(o.args); i++ {
		a := o.args[i]
		switch {
		case a == "--resume" || a == "-resume":
			i++ // drop its value too
			continue
		case strings.HasPrefix(a, "--resume=") || strings.HasPrefix(a, "-resume="):
			continue
		}
		words = append(words, a)
	}
	for i, w := range words {
		words[i] = shellQuote(w)
	}
	return strings.Join(words, " ")
}

func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r == '-' || r == '_' || r == '.' || r == '/' || r == '=' || r == ':' || r == ',' || r == '@' || r == '+' ||
			(r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9'))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// retryFormat is the retry file's format: the input's, but CSV for a
// workbook (its rows are written as CSV records).
func retryFormat(format string) string {
	if format == input.XLSX {
		return input.CSV
	}
	return format
}

// printPresets prints each preset with its mapping (--preset list).
func printPresets(w io.Writer) {
	for _, p := range input.Presets {
		fmt.Fprintf(w, "%s: %s\n", p.Name, p.About)
		for _, c := range p.Columns {
			field := c.Field
			if field == "" {
				field = "(ignored: the API cannot take it)"
			}
			fmt.Fprintf(w, "  %-24s -> %s\n", c.Header, field)
		}
	}
	fmt.Fprintln(w, "Columns a preset does not name are read by the usual names and aliases; --map overrides both.")
}
