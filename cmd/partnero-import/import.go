package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/partnero-import/partnero-import/importer"
	"github.com/partnero-import/partnero-import/importer/input"
	"github.com/partnero-import/partnero-import/importer/partnero"
	"github.com/partnero-import/partnero-import/importer/sandbox"
	"github.com/partnero-import/partnero-import/importer/secret"
	"github.com/partnero-import/partnero-import/report"
	"github.com/partnero-import/partnero-import/validate"
)

// Defaults documented in the README.
const (
	defaultConcurrency = 8
	defaultRetries     = 3
	defaultTimeout     = 30 * time.Second
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
	rate           string
	concurrency    int
	retries        int
	timeout        time.Duration
	dryRun         bool
	resume         string
	noProgress     bool
	skipExisting   bool
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
	o := &importOptions{logFormat: "text", concurrency: defaultConcurrency, retries: defaultRetries, progressEvery: 5 * time.Second}
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
	if !dryRun {
		fs.StringVar(&o.baseURL, "base-url", "", "API root (default: $PARTNERO_BASE_URL or "+partnero.DefaultBaseURL+")")
		fs.StringVar(&o.apiKeyFile, "api-key-file", "", "file holding the API key (default: $PARTNERO_API_KEY)")
		fs.BoolVar(&o.useSandbox, "sandbox", false, "import into an embedded Partnero-compatible sandbox")
		fs.StringVar(&o.sandboxPreload, "sandbox-preload", "", "with --sandbox: partners that exist before the import")
		fs.StringVar(&o.rate, "rate", "auto", "requests per second at most (fractions allowed; 0 means no limit), or auto: follow the limit the server advertises")
		fs.IntVar(&o.concurrency, "concurrency", defaultConcurrency, "requests in flight at once")
		fs.IntVar(&o.retries, "retries", defaultRetries, "retries of a row after a throttled, failed or lost answer")
		fs.DurationVar(&o.timeout, "timeout", defaultTimeout, "one request's time limit")
		fs.BoolVar(&o.dryRun, "dry-run", false, "the same as validate")
		fs.StringVar(&o.resume, "resume", "", "skip the rows an earlier run's report shows created or invited")
		fs.BoolVar(&o.noProgress, "no-progress", false, "no progress bar")
		fs.BoolVar(&o.skipExisting, "skip-existing", false, "a row whose email is already in Partnero is skipped/already_exists, not rejected")
		fs.StringVar(&o.summaryJSON, "summary-json", "", "also write the run's summary as one JSON object to this path")
		fs.StringVar(&o.logFormat, "log-format", "text", "standard error as text, or json (one JSON object per line)")
		fs.BoolVar(&o.verbose, "verbose", false, "log one line per row too")
		fs.DurationVar(&o.progressEvery, "progress-interval", 5*time.Second, "how often a progress line is written when standard error is not a terminal")
	}
	fs.Usage = func() {
		fmt.Fprintf(s.Err, "usage: partnero-import %s [flags] FILE\n\nflags:\n", name)
		fs.PrintDefaults()
	}
	// Flags may come before or after FILE.
	var files []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, errHelp
			}
			return nil, usageError{err.Error()}
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		args = fs.Args()[1:]
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

// check refuses what this version cannot do yet, and bad values.
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
	if o.concurrency < 1 {
		return usagef("--concurrency must be at least 1")
	}
	if o.retries < 0 {
		return usagef("--retries must not be negative")
	}
	if o.sandboxPreload != "" && !o.useSandbox {
		return usagef("--sandbox-preload needs --sandbox")
	}
	if o.resume != "" && o.dryRun {
		return usagef("--resume and --dry-run do not go together: validate checks every row anyway")
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

// defaultReport is FILE with its extension replaced by .report.csv.
func (o *importOptions) defaultReport() string {
	if o.reportPath != "" {
		return o.reportPath
	}
	if o.file == "-" {
		return "stdin.report.csv"
	}
	return strings.TrimSuffix(o.file, filepath.Ext(o.file)) + ".report.csv"
}

func runImport(ctx context.Context, args []string, getenv func(string) string, s Streams, dryRun bool) (int, error) {
	o, err := parseImportFlags(args, dryRun, s)
	if err != nil {
		return 0, err
	}
	out := newOutput(s.Err, o.logFormat, o.verbose)
	code, err := o.run(ctx, getenv, s, out, dryRun || o.dryRun)
	if err != nil && out.json {
		out.fatal(err) // a JSON line, not plain text
		return exitUsage, errAlreadySaid
	}
	return code, err
}

// run is one validate or import, once the flags are known.
func (o *importOptions) run(ctx context.Context, getenv func(string) string, s Streams, out *output, dryRun bool) (int, error) {
	inOpts, err := o.inputOptions()
	if err != nil {
		return 0, err
	}
	source, cleanup, err := openSource(o.file, s.In)
	if err != nil {
		return 0, err
	}
	defer cleanup()

	var client *partnero.Client
	if !dryRun {
		c, closeSandbox, err := o.client(getenv, out)
		if err != nil {
			return 0, err
		}
		defer closeSandbox()
		defer c.Close() // before the sandbox closes: it waits for open connections
		client = c
	}

	reportPath := o.defaultReport()
	if err := notTheInput(reportPath, o.file); err != nil {
		return 0, err
	}
	var resume *importer.Resume
	if o.resume != "" {
		// Read before the report is rewritten: it may be the same file.
		if resume, err = importer.LoadResume(o.resume); err != nil {
			return 0, usageError{err.Error()}
		}
	}
	if !dryRun {
		resumeHint.Store(o.resumeCommand(reportPath))
	}
	cfg := importer.Config{
		Open: source, Input: inOpts, Mode: o.mode, Client: client, Concurrency: o.concurrency,
		Report:       func() (*report.Writer, error) { return report.Create(reportPath, !dryRun) },
		Resume:       resume,
		RetryPath:    importer.RetryPath(reportPath, retryFormat(inOpts.Format)),
		SkipExisting: o.skipExisting,
		Warn:         out.warn,
		Log:          out.log,
		Verbose:      o.verbose,
	}
	command := "import"
	if dryRun {
		command = "validate"
		cfg.Columns = out.columns // a wrong mapping shows before anything else
	}
	out.log.Info("start", "command", command, "input", o.file, "report", reportPath, "version", versionString())
	var prog *progress
	if !dryRun && !o.noProgress {
		prog = startProgress(out, s.ErrIsTerminal, o.progressEvery)
		defer prog.close()
		cfg.Started = func(rows int) { prog.started(rows, s.ErrIsTerminal) }
		cfg.Finished = prog.finished
	}
	var res *importer.Result
	if dryRun {
		res, err = importer.Validate(ctx, cfg)
	} else {
		res, err = importer.Import(ctx, cfg)
	}
	if prog != nil {
		prog.close() // before the summary: no progress line after it
	}
	if err != nil {
		return 0, err
	}
	code := exitOK
	switch {
	case res.Fatal != nil:
		code = exitUsage
	case res.Interrupted:
		code = exitInterrupted
	case !res.Summary.OK():
		code = exitRowsFailed
	}
	if o.summaryJSON != "" {
		if err := writeSummaryJSON(o.summaryJSON, command, o.file, reportPath, res, code); err != nil {
			return 0, err
		}
	}
	if res.Fatal != nil {
		// One line, as for every fatal problem; the report says the rest.
		return 0, fmt.Errorf("%v (report: %s)", res.Fatal, reportPath)
	}
	out.end(res, reportPath)
	switch {
	case res.Interrupted && dryRun:
		out.note("partnero-import: interrupted; rows not checked are reported skipped/aborted")
	case res.Interrupted:
		out.note("partnero-import: interrupted; rows not sent are reported skipped/aborted")
		out.note("to finish the import, run: " + o.resumeCommand(reportPath))
	}
	return code, nil
}

func newBar(rows int, w io.Writer) *progressbar.ProgressBar {
	return progressbar.NewOptions(rows,
		progressbar.OptionSetWriter(w), // never standard output
		progressbar.OptionSetDescription("importing"),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("rows"),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)
}

// client makes the API client: into an embedded sandbox, or the real API
// with a key from the environment or a file, never from a flag value.
func (o *importOptions) client(getenv func(string) string, out *output) (*partnero.Client, func(), error) {
	rate, auto, err := parseRate(o.rate)
	if err != nil {
		return nil, nil, err
	}
	cfg := partnero.Config{Rate: rate, AutoRate: auto, Concurrency: o.concurrency, Retries: o.retries, Timeout: o.timeout,
		UserAgent: "partnero-import/" + versionString(),
		OnPause: func(d time.Duration) {
			out.log.Warn("throttled: the server asked the pool to wait", "wait_seconds", d.Seconds())
		}}
	closeSandbox := func() {}
	if o.useSandbox {
		sb := sandbox.New(sandbox.Options{RateLimit: defaultSandboxRateLimit})
		if o.sandboxPreload != "" {
			n, err := sb.Preload(o.sandboxPreload)
			if err != nil {
				return nil, nil, usageError{err.Error()}
			}
			out.note(fmt.Sprintf("sandbox: preloaded %d partners", n))
		}
		if cfg.BaseURL, err = sb.Start("127.0.0.1:0"); err != nil {
			return nil, nil, err
		}
		closeSandbox = func() { sb.Close() }
		cfg.Key = secret.New("sandbox")
		out.note("sandbox: importing into an embedded sandbox at " + cfg.BaseURL)
	} else {
		cfg.BaseURL = firstNonEmpty(o.baseURL, getenv("PARTNERO_BASE_URL"), partnero.DefaultBaseURL)
		if cfg.Key, err = apiKey(firstNonEmpty(o.apiKeyFile, getenv("PARTNERO_API_KEY_FILE")), getenv); err != nil {
			return nil, nil, err
		}
	}
	c, err := partnero.New(cfg)
	if err != nil {
		closeSandbox()
		return nil, nil, usageError{err.Error()}
	}
	return c, closeSandbox, nil
}

func parseRate(v string) (r float64, auto bool, err error) {
	if strings.EqualFold(v, "auto") {
		return 0, true, nil
	}
	r, err = strconv.ParseFloat(v, 64)
	if err != nil || r < 0 || r != r || r > 1e6 {
		return 0, false, usagef("--rate must be auto or a number of requests per second (0 for no limit), not %q", v)
	}
	return r, false, nil
}

func apiKey(file string, getenv func(string) string) (secret.String, error) {
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return secret.String{}, usagef("cannot read --api-key-file: %v", errors.Unwrap(err))
		}
		if k := strings.TrimSpace(string(b)); k != "" {
			return secret.New(k), nil
		}
		return secret.String{}, usagef("--api-key-file %s is empty", file)
	}
	if k := strings.TrimSpace(getenv("PARTNERO_API_KEY")); k != "" {
		return secret.New(k), nil
	}
	return secret.String{}, usagef("no API key: set PARTNERO_API_KEY or PARTNERO_API_KEY_FILE, or use --api-key-file (or --sandbox to rehearse)")
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// openSource returns a function that opens the input once per pass. Standard
// input can be read only once, so it is first copied to a private temporary
// file, removed at the end.
func openSource(file string, stdin io.Reader) (open func() (io.ReadCloser, error), cleanup func(), err error) {
	if file != "-" {
		st, err := os.Stat(file)
		if err != nil {
			return nil, nil, usagef("cannot read %s: %v", file, errors.Unwrap(err))
		}
		if st.IsDir() {
			return nil, nil, usagef("%s is a directory, not a file", file)
		}
		return func() (io.ReadCloser, error) {
			f, err := os.Open(file)
			if err != nil {
				return nil, usagef("cannot read %s: %v", file, errors.Unwrap(err))
			}
			return f, nil
		}, func() {}, nil
	}
	tmp, err := os.CreateTemp("", "partnero-import-stdin-*") // 0600
	if err != nil {
		return nil, nil, err
	}
	cleanup = func() { tmp.Close(); os.Remove(tmp.Name()) }
	if _, err := io.Copy(tmp, stdin); err != nil {
		cleanup()
		return nil, nil, usagef("cannot read standard input: %v", err)
	}
	return func() (io.ReadCloser, error) {
		return io.NopCloser(io.NewSectionReader(tmp, 0, 1<<62)), nil
	}, cleanup, nil
}

// notTheInput refuses a report path that would overwrite the input.
func notTheInput(reportPath, file string) error {
	if file == "-" {
		return nil
	}
	a, err1 := os.Stat(reportPath)
	b, err2 := os.Stat(file)
	if err1 == nil && err2 == nil && os.SameFile(a, b) {
		return usagef("--report %s is the input file itself", reportPath)
	}
	return nil
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
