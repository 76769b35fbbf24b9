package main

// The flags of validate and import, and what they turn into.

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/partnero-import/partnero-import/importer"
	"github.com/partnero-import/partnero-import/importer/input"
	"github.com/partnero-import/partnero-import/importer/partnero"
	"github.com/partnero-import/partnero-import/report"
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
	minRate        = 0.01 // requests per second
	maxTimeout     = 10 * time.Minute
)

// errHelp asks for the command's help (-h, --help): exit 0; errDone says
// the command has printed what was asked (--preset list): exit 0.
var (
	errHelp = errors.New("help asked for")
	errDone = errors.New("done")
)

// importOptions are the flags of validate and import.
type importOptions struct {
	args   []string // as given, for the resume command
	flags  *flagSet // as defined, to know which flags there are
	file   string
	inputs []string // every FILE given: several make a run of several files
	kind   string   // --kind, "" to tell it from the header
	// named are the kinds of the files a DIR gave, by their names.
	named map[string]report.Kind
	// upstream and sections join the files of a run of several.
	upstream *importer.Upstream
	sections *[]summaryJSON
	// fileStart, in a run of several, is when this file's turn began:
	// its elapsed time and rate are its own, not the run's so far.
	fileStart time.Time
	// given are the FILEs (or DIR) as the command line gave them; several,
	// in a run of several, the same: a resume names this file alone,
	// since --resume takes one.
	given, several []string
	format         string
	delimiter      string
	encoding       string
	sheet          string
	mode           string
	reportPath     string
	mapping        string
	preset         string
	where          []string // --where, one condition each
	splitName      bool
	ignored        []string // --ignore-column

	baseURL        string
	apiKeyFile     string
	useSandbox     bool
	sandboxPreload []string
	sandboxVary    uint64
	rate           string
	concurrency    int
	retries        int
	timeout        time.Duration
	dryRun         bool
	against        bool // validate --against: read Partnero, never write
	resume         string
	limit          int    // --limit: a canary of the job's first rows
	emit           string // --emit: where a dry run writes the rows as they would be sent
	noProgress     bool
	skipExisting   bool
	updateExisting bool
	summaryJSON    string
	logFormat      string
	verbose        bool
	progressEvery  time.Duration
}

// importFlags defines the flags of validate (dryRun) or import, in the
// groups help shows, and the options they set. Defaults are set also for
// the flags validate does not have, so that check() holds.
func importFlags(dryRun bool) (*importOptions, *flagSet) {
	name := "import"
	if dryRun {
		name = "validate"
	}
	o := &importOptions{logFormat: "text", rate: "auto", concurrency: defaultConcurrency, retries: defaultRetries, timeout: defaultTimeout, progressEvery: 5 * time.Second}
	fs := newFlagSet(name)
	fs.group("input")
	fs.StringVar(&o.kind, "kind", "", "`partners|customers|transactions` what FILE holds (default: told from its header, and said)")
	fs.oneOf("kind", string(report.Partners), string(report.Customers), string(report.Transactions))
	fs.StringVar(&o.format, "format", "", "`csv|jsonl|xlsx` input format (default: from the file's extension: .csv, .txt, .tsv are CSV; .jsonl, .ndjson JSON Lines; .xlsx a workbook)")
	fs.StringVar(&o.delimiter, "delimiter", "", "`C` force the CSV delimiter: one character, or tab (default: sniffed among , ; tab |)")
	fs.StringVar(&o.encoding, "encoding", "", "`utf-8|utf-16le|utf-16be|utf-32le|utf-32be|windows-1252` force the text encoding (default: sniffed)")
	fs.StringVar(&o.sheet, "sheet", "", "`NAME` the XLSX sheet to read (default: the first)")
	fs.Var((*joined)(&o.mapping), "map", "`FIELD=HEADER,...` map a field to a column header of the file (repeatable)")
	fs.StringVar(&o.preset, "preset", "", "`NAME` the header mapping of another platform's export: firstpromoter, rewardful, tapfiliate, partnerstack, partnero; none reads an export as it is; list prints them")
	fs.oneOf("preset", append(presetNames(), input.PresetNone, "list")...)
	fs.Var((*repeated)(&o.ignored), "ignore-column", "`HEADER` leave that column out: never read, checked or sent (repeatable)")
	// What the file means: the rows to import, and names to split.
	fs.Var((*repeated)(&o.where), "where", "`COLUMN=VALUE[,VALUE]` keep only the rows whose COLUMN (any column, by its header) holds one of the values (COLUMN!=VALUE: none of them); repeatable, all must hold; the others are skipped/filtered")
	fs.BoolVar(&o.splitName, "split-name", false, "split a full name in the name column at its last space into name and surname (for a file without a surname column)")
	o.connectionFlags(fs)
	fs.group("behaviour")
	fs.StringVar(&o.mode, "mode", validate.Create, "`create|invite` the call a row without an action cell becomes")
	if dryRun {
		fs.BoolVar(&o.against, "against", false, "read Partnero (the connection flags say where; GET requests only, nothing is written) and say per row what import would do: create, already there (archived or not), id or key taken, referrer not found")
		fs.BoolVar(&o.skipExisting, "skip-existing", false, "with --against: report a partner already there as import --skip-existing would, skipped/already_exists")
		fs.BoolVar(&o.updateExisting, "update-existing", false, "with --against: report a partner already there as import --update-existing would update it (valid, saying so)")
	} else {
		fs.BoolVar(&o.dryRun, "dry-run", false, "the same as validate: check every row, send nothing")
		fs.BoolVar(&o.skipExisting, "skip-existing", false, "a row whose email is already in Partnero is skipped/already_exists, not rejected")
		fs.BoolVar(&o.updateExisting, "update-existing", false, "a row whose email is already in Partnero updates that partner's name, surname and tags (never its key or password); not with --skip-existing")
		fs.StringVar(&o.resume, "resume", "", "`REPORT` finish the run that wrote REPORT: the rows it shows created or invited are not sent again")
		fs.IntVar(&o.limit, "limit", 0, "`N` a canary: send only the first N rows that would be sent, and the referrers they need; the others are skipped/limited, for --resume to send")
	}
	o.outputFlags(fs) // validate and import --dry-run take the same
	reportExt := ".report.csv, .sandbox.report.csv with --sandbox"
	if dryRun {
		reportExt = ".validate.csv"
	}
	fs.StringVar(&o.reportPath, "report", "", "`PATH` the report; .jsonl gives JSON Lines (default: FILE with "+reportExt+")")
	emitWhen := ""
	if !dryRun {
		emitWhen = "with --dry-run: "
	}
	fs.StringVar(&o.emit, "emit", "", "`PATH` "+emitWhen+"also write the valid rows as an import would send them (mapped, split, filtered; a password shows as (set)), one JSON object per line")
	o.flags = fs
	return o, fs
}

// connectionFlags say where and how fast to talk to the API, in their own
// group: any command that sends takes the same, and validate for
// --against (reads only).
func (o *importOptions) connectionFlags(fs *flagSet) {
	fs.group("connection")
	fs.note("API key", "from PARTNERO_API_KEY, or from the file --api-key-file or PARTNERO_API_KEY_FILE names; never a flag value, which would show in ps")
	fs.StringVar(&o.baseURL, "base-url", "", "`URL` the API root, https except on a loopback address (default: PARTNERO_BASE_URL, else "+partnero.DefaultBaseURL+")")
	fs.StringVar(&o.apiKeyFile, "api-key-file", "", "`PATH` a file holding the API key")
	fs.BoolVar(&o.useSandbox, "sandbox", false, "talk to an embedded Partnero-compatible sandbox instead: a rehearsal, no key needed; not with --base-url")
	fs.Var((*repeated)(&o.sandboxPreload), "sandbox-preload", "`FILE` with --sandbox: partners, customers or transactions the sandbox holds before the run (repeatable)")
	fs.Uint64Var(&o.sandboxVary, "sandbox-vary", 0, "`SEED` with --sandbox: answer where the documentation is silent in the ways this seed picks (0: as documented)")
	fs.StringVar(&o.rate, "rate", "auto", "`R|auto` requests per second at most, evenly spaced, retries and lookups included (fractions down to 0.01; 0: no limit), or auto: follow the limit the server advertises")
	fs.IntVar(&o.concurrency, "concurrency", defaultConcurrency, "`N` requests in flight at once, 1 to 64")
	fs.IntVar(&o.retries, "retries", defaultRetries, "`N` retries of a row after a throttled, failed or lost answer, 0 to 20")
	fs.DurationVar(&o.timeout, "timeout", defaultTimeout, "`DURATION` one request's time limit, such as 30s, at most 10m")
}

// outputFlags say how a run speaks, in their own group (the flags defined
// after them join it): the same for every command that reads or sends
// rows.
func (o *importOptions) outputFlags(fs *flagSet) {
	fs.group("output")
	fs.BoolVar(&o.noProgress, "no-progress", false, "no progress bar or progress lines")
	fs.DurationVar(&o.progressEvery, "progress-interval", 5*time.Second, "`DURATION` how often a progress line is written when standard error is not a terminal")
	o.summaryFlags(fs)
	fs.BoolVar(&o.verbose, "verbose", false, "log one line per row too")
}

// summaryFlags say where the run's summary goes and how standard error
// looks: pull's too.
func (o *importOptions) summaryFlags(fs *flagSet) {
	fs.StringVar(&o.summaryJSON, "summary-json", "", "`PATH` also write the run's summary there, as one JSON object")
	fs.StringVar(&o.logFormat, "log-format", "text", "`text|json` how standard error looks: for people, or one JSON object per line")
}

func parseImportFlags(args []string, dryRun bool, s Streams) (*importOptions, error) {
	o, fs := importFlags(dryRun)
	files, err := fs.parse(args)
	if err != nil {
		return nil, err
	}
	if strings.EqualFold(o.preset, "list") {
		printPresets(s.Out)
		return nil, errDone
	}
	if len(files) == 0 {
		return nil, usagef("%s needs a FILE (or - for standard input)", fs.Name())
	}
	o.given = files
	if files, err = o.expandDirs(files); err != nil {
		return nil, err
	}
	o.file, o.inputs = files[0], files
	if err := severalFiles(fs, files); err != nil {
		return nil, err
	}
	o.args = args
	if o.useSandbox && !given(fs, "rate") {
		// The embedded sandbox has no limit to learn: a rehearsal runs at
		// full speed unless --rate says otherwise.
		o.rate = "0"
	}
	if dryRun && !o.against {
		if err := noReadsWithout(fs); err != nil {
			return nil, err
		}
	}
	return o, o.check()
}

// checkOutput refuses output flags that make no sense.
func (o *importOptions) checkOutput() error {
	if o.logFormat != "text" && o.logFormat != "json" {
		return usagef("unknown --log-format %q: use text or json", o.logFormat)
	}
	if o.progressEvery <= 0 {
		return usagef("--progress-interval must be positive")
	}
	return nil
}

// given reports whether the command line set the flag.
func given(fs *flagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// noReadsWithout refuses, on validate without --against, the flags that
// only reads of Partnero use: given, they say the user meant to read it.
func noReadsWithout(fs *flagSet) error {
	var given []string
	fs.Visit(func(f *flag.Flag) {
		if fs.groupOf[f.Name] == "connection" || f.Name == "skip-existing" || f.Name == "update-existing" {
			given = append(given, "--"+f.Name)
		}
	})
	if len(given) > 0 {
		return usagef("%s: for validate --against, which reads Partnero; give --against too (validate alone reads and sends nothing)", strings.Join(given, ", "))
	}
	return nil
}

// check refuses values and combinations of flags that make no sense.
func (o *importOptions) check() error {
	if err := o.checkOutput(); err != nil {
		return err
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
	if (len(o.sandboxPreload) > 0 || o.sandboxVary != 0) && !o.useSandbox {
		return usagef("--sandbox-preload and --sandbox-vary need --sandbox")
	}
	if o.resume != "" && o.dryRun {
		return usagef("--resume and --dry-run do not go together: validate checks every row anyway")
	}
	if o.emit != "" && !o.dryRun && o.flags.Name() == "import" {
		return usagef("--emit writes what a dry run would send: add --dry-run, or use validate")
	}
	if o.limit < 0 {
		return usagef("--limit must be a number of rows, 1 or more, not %d", o.limit)
	}
	if o.limit > 0 && o.dryRun {
		return usagef("--limit and --dry-run do not go together: a dry run sends nothing, and checks every row")
	}
	if o.skipExisting && o.updateExisting {
		return usagef("--skip-existing and --update-existing do not go together: choose whether existing partners are left alone or updated")
	}
	if o.useSandbox && o.baseURL != "" {
		return usagef("--sandbox and --base-url do not go together: --sandbox imports into a sandbox of its own")
	}
	return o.checkKind()
}

// checkKind refuses what the file's kind, when --kind names it, cannot do.
func (o *importOptions) checkKind() error {
	k := report.Kind(o.kind)
	switch {
	case k == "" || k == report.Partners:
	case o.mode == validate.Invite:
		return usagef("--mode invite is for partners: %s are created", k)
	case o.against:
		return usagef("--against reads partners only, so far: validate %s without it", k)
	case o.updateExisting && k == report.Transactions:
		return usagef("--update-existing is for partners and customers: a transaction already there is skipped/already_exists, never changed")
	case o.splitName:
		return usagef("--split-name is for partners' names")
	}
	return nil
}

// severalFiles refuses, in a run of several FILEs, the flags that speak of
// one file: each FILE gets its own report beside it, its kind is told from
// its header, and a mapping or a condition would mean another thing in
// each. --preset names a partners export: it applies to the partners file.
func severalFiles(fs *flagSet, files []string) error {
	if len(files) == 1 {
		return nil
	}
	if slices.Contains(files, "-") {
		return usagef("standard input (-) is one FILE on its own: give the files by name")
	}
	var one []string
	for _, name := range []string{"report", "resume", "kind", "map", "ignore-column", "where", "split-name", "emit", "limit", "against", "sheet"} {
		if given(fs, name) {
			one = append(one, "--"+name)
		}
	}
	if len(one) > 0 {
		speak := "speak"
		if len(one) == 1 {
			speak = "speaks"
		}
		return usagef("%s %s of one FILE: give them with one FILE at a time, or run the %d files without them (each gets its report beside it)",
			strings.Join(one, ", "), speak, len(files))
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
	if o.preset != "" && !strings.EqualFold(o.preset, input.PresetNone) {
		if _, err := input.PresetNamed(o.preset); err != nil {
			return opts, usageError{err.Error()}
		}
	}
	for _, w := range o.where {
		c, err := input.ParseWhere(w)
		if err != nil {
			return opts, usageError{err.Error()}
		}
		opts.Where = append(opts.Where, c)
	}
	opts.SplitName = o.splitName
	opts.Preset, opts.Ignore, opts.Guard = o.preset, o.ignored, true
	if o.sheet != "" && opts.Format != input.XLSX {
		return opts, usagef("--sheet is for XLSX input")
	}
	opts.Sheet, opts.Name = o.sheet, o.file
	return opts, nil
}

// program is how the tool was started, for the commands it prints.
var program = []string{"partnero-import"}

// invokedAs is the command that starts this tool again as it was started:
// arg0 as typed (./bin/partnero-import, or a name found on PATH), or
// "go run PKG" for a binary that go run built in a temporary directory,
// gone once the run ends.
func invokedAs(arg0, pkg string) []string {
	switch {
	case pkg != "" && strings.Contains(arg0, string(filepath.Separator)+"go-build"):
		return []string{"go", "run", pkg}
	case arg0 == "":
		return []string{"partnero-import"}
	}
	return []string{arg0}
}

// finishHint tells how to finish an interrupted import: the command, and
// the environment variables it needs, by name only (their values may be
// secrets).
func (o *importOptions) finishHint(reportPath string, getenv func(string) string) string {
	return o.hint("to finish the import", o.resumeCommand(reportPath), getenv)
}

// hint says what to run next, and the environment variables it needs, by
// name only (their values may be secrets).
func (o *importOptions) hint(what, command string, getenv func(string) string) string {
	if env := o.envUsed(getenv); len(env) > 0 {
		return fmt.Sprintf("%s, with %s set as for this run, run: %s", what, strings.Join(env, " and "), command)
	}
	return what + ", run: " + command
}

// envUsed names the environment variables this run took a setting from.
func (o *importOptions) envUsed(getenv func(string) string) []string {
	var names []string
	switch {
	case o.apiKeyFile != "":
	case getenv("PARTNERO_API_KEY_FILE") != "":
		names = append(names, "PARTNERO_API_KEY_FILE")
	default:
		names = append(names, "PARTNERO_API_KEY")
	}
	if o.baseURL == "" && getenv("PARTNERO_BASE_URL") != "" {
		names = append(names, "PARTNERO_BASE_URL")
	}
	return names
}

// resumeCommand is this command line with --resume REPORT, shell-quoted,
// started the way this one was. Its --report goes: the resumed run writes
// a report of its own beside REPORT, and never over the one it reads.
// An interrupted canary's keeps its --limit (the same first rows are
// finished); drop names more flags to leave out.
func (o *importOptions) resumeCommand(reportPath string, drop ...string) string {
	files := []string{}
	if len(o.several) > 0 {
		files = []string{o.file} // the one --resume finishes
	}
	return o.commandOf([]string{"--resume", reportPath}, files, drop...)
}

// restCommand imports files (a stopped run's files not read), with this
// command line's flags but --resume and --report.
func (o *importOptions) restCommand(files []string) string {
	return o.commandOf(nil, files)
}

// commandOf is "import" with lead, this command line's flags but those
// dropped (and --resume, --report), and files in place of its FILEs
// (none: its own, for a run of one).
func (o *importOptions) commandOf(lead, files []string, drop ...string) string {
	words := append([]string{"import"}, lead...)
	drop = append(drop, "resume", "report")
	for i := 0; i < len(o.args); i++ {
		a := o.args[i]
		if slices.Contains(o.several, a) {
			continue // the run's FILEs: files stand for them
		}
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if strings.HasPrefix(a, "-") && slices.Contains(drop, name) {
			if !hasValue {
				i++ // its value is the next word
			}
			continue
		}
		words = append(words, a)
	}
	return commandLine(append(words, files...)...)
}

// commandLine is a command line that starts this tool as it was started,
// with args, shell-quoted.
func commandLine(args ...string) string {
	words := append(slices.Clone(program), args...)
	for i, w := range words {
		words[i] = input.ShellQuote(w)
	}
	return strings.Join(words, " ")
}

// retryFormat is the retry file's format: the input's, but CSV for a
// workbook (its rows are written as CSV records).
func retryFormat(format string) string {
	if format == input.XLSX {
		return input.CSV
	}
	return format
}

func presetNames() []string {
	var names []string
	for _, p := range input.Presets {
		names = append(names, p.Name)
	}
	return names
}

// printPresets prints each preset with its mapping (--preset list).
func printPresets(w io.Writer) {
	for _, p := range input.Presets {
		fmt.Fprintf(w, "%s: %s\n", p.Name, p.About)
		for _, c := range p.Columns {
			field := c.Field
			if field == "" {
				field = "(ignored: " + input.IgnoredWhy(c.Header) + ")"
			}
			fmt.Fprintf(w, "  %-24s -> %s\n", c.Header, field)
		}
	}
	fmt.Fprintln(w, "Columns a preset does not name are read by the usual names and aliases; --map overrides both.")
	fmt.Fprintln(w, "none: read a file that looks like one of these exports as it is, by the usual names and aliases.")
}

// joined is a string flag that may be given more than once, its values
// joined with commas: --map name=Vorname --map password=Pwd.
type joined string

func (j *joined) String() string { return string(*j) }

func (j *joined) Set(v string) error {
	if *j != "" {
		v = string(*j) + "," + v
	}
	*j = joined(v)
	return nil
}

// repeated is a flag that may be given more than once, each value kept
// whole (a header may hold a comma): --ignore-column Password --ignore-column
// Status, --where Status=active,approved --where Country=DE.
type repeated []string

func (r *repeated) String() string { return strings.Join(*r, ", ") }

func (r *repeated) Set(v string) error {
	if strings.TrimSpace(v) == "" {
		return errors.New("expected a value")
	}
	*r = append(*r, v)
	return nil
}
