package main

// Help, usage errors and shell completion all read one table of commands
// (commandList) and each command's flag set (flagset.go): a command or a
// flag added there shows in help and completion by itself.

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/partnero-import/partnero-import/importer/pull"
)

// command is one command of the tool.
type command struct {
	name    string
	args    string // what follows the flags in its usage line: "FILE"
	summary string // one line, for the list of commands
	about   string // the paragraph its help starts with
	flags   func() *flagSet
	// words is what completion offers for the words after the flags:
	// filesWord for file names, or the words themselves.
	words    func() []string
	examples []example
	run      func(ctx context.Context, args []string, getenv func(string) string, s Streams) (int, error)
}

// example is a command line in a command's help, with why one would run it.
type example struct{ why, line string }

// commandList is every command, in the order help lists them. A function,
// not a variable: help's own entry refers back to the list.
func commandList() []command {
	return []command{
		{
			name: "validate", args: "[flags] FILE...", summary: "check every row of each FILE, send nothing",
			about: "Read FILE and check every row as import would, without sending anything: a dry run. " +
				"The report says, for each row, valid or exactly why not. FILE is a CSV, JSON Lines or XLSX file " +
				"of partners, customers or transactions (told from its header, or --kind), or - for standard input " +
				"with --format. Several FILEs are checked as one program: partners, then customers, then transactions.",
			flags: func() *flagSet { _, fs := importFlags(true); return fs },
			words: files,
			examples: []example{
				{"check a file before anyone touches production", "partnero-import validate partners.csv"},
				{"another platform's export, with its header mapping", "partnero-import validate --preset rewardful affiliates.csv"},
				{"from standard input, with a summary for a script", "partnero-import validate --format jsonl --summary-json summary.json - < partners.jsonl"},
				{"a whole program: partners, their customers, their sales", "partnero-import validate partners.csv customers.csv sales.csv"},
			},
			run: func(ctx context.Context, args []string, getenv func(string) string, s Streams) (int, error) {
				return runImport(ctx, args, getenv, s, true)
			},
		},
		{
			name: "import", args: "[flags] FILE...", summary: "check, then create or invite each valid row",
			about: "Check every row of FILE, then create or invite each valid one in Partnero, a referrer before " +
				"the partners it referred, and write a report with one line per row. FILE is a CSV, JSON Lines or " +
				"XLSX file of partners, customers or transactions (told from its header, or --kind), or - for standard " +
				"input with --format. Several FILEs run as one program, each with its report: partners, then " +
				"customers, then transactions (partnero-import help migrate). Rehearse with --sandbox first.",
			flags: func() *flagSet { _, fs := importFlags(false); return fs },
			words: files,
			examples: []example{
				{"rehearse in a sandbox inside the process: nothing leaves the machine", "partnero-import import --sandbox partners.csv"},
				{"the real import, with the key in a file", "PARTNERO_API_KEY_FILE=/etc/partnero/key partnero-import import partners.csv"},
				{"a nightly job: a list that overlaps an earlier one still exits 0", "partnero-import import --skip-existing --log-format json --summary-json nightly.json new-partners.csv"},
				{"finish an interrupted run", "partnero-import import --resume partners.report.csv partners.csv"},
				{"a whole program: partners, their customers, their sales", "partnero-import import partners.csv customers.csv sales.csv"},
			},
			run: func(ctx context.Context, args []string, getenv func(string) string, s Streams) (int, error) {
				return runImport(ctx, args, getenv, s, false)
			},
		},
		{
			name: "rollback", args: "[flags] REPORT", summary: "undo what an import created: archive (or delete) exactly those records",
			about: "Read an import's REPORT and undo exactly what that job created: archive each partner, customer or " +
				"transaction it shows created (reversible), or delete it for good with --delete, the partners it referred " +
				"first. A record changed since (another email, another amount) is left alone; one already gone counts as " +
				"undone, so running it twice is safe. Undo a migration one report at a time: transactions, customers, " +
				"partners. It refuses a " +
				"dry run's report and one of another destination; on a terminal it asks first, off one it needs --yes. " +
				"With --restore, REPORT is a rollback's report, and each partner it archived is restored (revoke-archive), " +
				"with the same checks.",
			flags: func() *flagSet { _, fs := rollbackFlags(); return fs },
			words: files,
			examples: []example{
				{"see what would be undone", "partnero-import rollback --dry-run partners.report.csv"},
				{"archive what the import created", "partnero-import rollback partners.report.csv"},
				{"from a script, for good", "partnero-import rollback --yes --delete partners.report.csv"},
				{"bring back what that rollback archived", "partnero-import rollback --restore partners.report.rollback.csv"},
			},
			run: runRollback,
		},
		{
			name: "sandbox", args: "[flags]", summary: "a local Partnero-compatible API",
			about: "Serve a Partnero-compatible API on loopback, for rehearsals and tests, until Ctrl-C. " +
				"It answers as Partnero documents, with the faults and variations its flags ask for.",
			flags: func() *flagSet { return sandboxFlags(new(sandboxOptions)) },
			examples: []example{
				{"a server with a limit, slow answers and partners already there", "partnero-import sandbox --rate-limit 120 --latency 50ms --preload existing.csv"},
				{"then, in another terminal", "PARTNERO_API_KEY=anything partnero-import import --base-url http://127.0.0.1:8080/v1 partners.csv"},
				{"a server that fails a third of the requests", "partnero-import sandbox --fail-rate 0.3"},
			},
			run: runSandbox,
		},
		{
			name: "pull", args: "SOURCE --out DIR [flags]", summary: "read a whole program from another platform's API into files import reads",
			about: "Read every partner, referred customer and commission of a program on another platform (SOURCE: " +
				strings.Join(pull.Names(), ", ") + ") through its API and write DIR/partners.jsonl, customers.jsonl, " +
				"transactions.jsonl, and DIR/left-out.csv with each record not carried over and why. It sends nothing to " +
				"Partnero: validate, rehearse (import --sandbox DIR) and import DIR next. Credentials come from the " +
				"environment only (Rewardful: REWARDFUL_API_SECRET). A pull that fails or is interrupted leaves DIR as it was: " +
				"an earlier pull's files stay until a new pull has read the whole program.",
			flags: func() *flagSet { return pullFlags(newPullOptions()) },
			words: pull.Names,
			examples: []example{
				{"a Rewardful program", "REWARDFUL_API_SECRET=... partnero-import pull rewardful --out rewardful"},
				{"then rehearse it", "partnero-import import --sandbox rewardful"},
			},
			run: runPull,
		},
		{
			name: "completion", args: "bash|zsh|fish", summary: "print a shell completion script",
			about: "Print a script that completes this tool's commands, flags and their values in your shell.",
			words: shellNames,
			examples: []example{
				{"bash, for this session", "source <(partnero-import completion bash)"},
				{"zsh, for good (a directory on your $fpath)", "partnero-import completion zsh > ~/.zfunc/_partnero-import"},
				{"fish, for good", "partnero-import completion fish > ~/.config/fish/completions/partnero-import.fish"},
			},
			run: runCompletion,
		},
		{name: "help", args: "[COMMAND|TOPIC]", summary: "this help, a command's, or a topic of the reference", run: runHelp, words: helpWords,
			about: "Print what the tool does, its commands and topics; a command's flags and examples (COMMAND --help does the same); " +
				"or a topic of the reference, such as input, report or cron."},
		{name: "version", summary: "print the version and commit", about: "Print the tool's version, the commit it was built from (when built in a checkout) and the Go that built it. --version does the same.", run: runVersion},
	}
}

func files() []string { return []string{filesWord} }

func commandNamed(name string) (command, bool) {
	for _, c := range commandList() {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

func commandNames() []string {
	var names []string
	for _, c := range commandList() {
		names = append(names, c.name)
	}
	return names
}

func runHelp(_ context.Context, args []string, _ func(string) string, s Streams) (int, error) {
	switch len(args) {
	case 0:
		printOverview(s.Out)
		return exitOK, nil
	case 1:
		if c, ok := commandNamed(args[0]); ok {
			c.printUsage(s.Out)
			return exitOK, nil
		}
		if t, ok := topicNamed(args[0]); ok {
			t.print(s.Out)
			return exitOK, nil
		}
		if best := closest(args[0], helpWords()); best != "" {
			return 0, usagef("no command or topic %q: did you mean %s?", args[0], best)
		}
		return 0, usagef("no command or topic %q: see partnero-import help", args[0])
	}
	return 0, usagef("help takes one COMMAND or TOPIC at most, got %d words", len(args))
}

func isHelpFlag(a string) bool { return a == "-h" || a == "--help" || a == "-help" }

func printOverview(w io.Writer) {
	fmt.Fprint(w, "partnero-import: move partners, their customers and sales into Partnero in bulk\n\nusage: partnero-import COMMAND [flags] [ARGUMENTS]\n\ncommands:\n")
	var lines [][2]string
	for _, c := range commandList() {
		lines = append(lines, [2]string{strings.TrimSpace(c.name + " " + c.args), c.summary})
	}
	printColumns(w, lines, columnWidth(lines))
	fmt.Fprint(w, "\ntopics:\n")
	lines = nil
	for _, t := range topicList() {
		lines = append(lines, [2]string{t.name, t.summary})
	}
	printColumns(w, lines, columnWidth(lines))
	fmt.Fprint(w, "\n"+wrap("The API key comes from PARTNERO_API_KEY, or from a file: --api-key-file or PARTNERO_API_KEY_FILE. "+
		`Run "partnero-import help COMMAND" for a command's flags and examples, "partnero-import help TOPIC" for a topic.`, 0)+"\n")
	fmt.Fprint(w, "\n"+wrap(exitStatus, 0)+"\n")
}

const exitStatus = "exit status: 0 when every row is fine; 1 when some rows need a look (see the report); " +
	"2 on a usage error, or when the run could not go on; 130 when interrupted."

// printUsage is a command's help: what it does, its flags by group, and
// examples.
func (c command) printUsage(w io.Writer) {
	fmt.Fprintf(w, "usage: %s\n", strings.TrimSpace("partnero-import "+c.name+" "+c.args))
	if c.about != "" {
		fmt.Fprint(w, "\n"+wrap(c.about, 0)+"\n")
	}
	if c.flags != nil {
		groups := c.flags().grouped()
		var all [][2]string
		for _, g := range groups {
			all = append(all, g.lines...)
		}
		width := columnWidth(all) // one column for every group
		for _, g := range groups {
			fmt.Fprintf(w, "\n%s:\n", g.name)
			printColumns(w, g.lines, width)
		}
	}
	if len(c.examples) > 0 {
		fmt.Fprint(w, "\nexamples:\n")
		for _, e := range c.examples {
			fmt.Fprintf(w, "  # %s\n  %s\n", e.why, e.line)
		}
	}
	if words, ok := strings.CutPrefix(c.args, "[flags] "); ok {
		fmt.Fprint(w, "\nFlags may come before or after "+words+".\n")
	}
	if t, ok := topicNamed(c.name); ok { // the reference of the same name
		fmt.Fprint(w, "\n")
		t.print(w)
	}
}

// columnWidth is the width of the names' column: the longest name's, but
// for names too long for any column.
func columnWidth(lines [][2]string) int {
	width := 0
	for _, l := range lines {
		if n := len(l[0]); n <= maxNameColumn {
			width = max(width, n)
		}
	}
	return width
}

// printColumns prints name and text pairs, the texts aligned at width and
// wrapped; a longer name has its text on the next line.
func printColumns(w io.Writer, lines [][2]string, width int) {
	indent := 2 + width + 2
	for _, l := range lines {
		name, text := l[0], wrap(l[1], indent)
		if len(name) > width {
			fmt.Fprintf(w, "  %s\n%s%s\n", name, strings.Repeat(" ", indent), text)
			continue
		}
		fmt.Fprintf(w, "  %-*s  %s\n", width, name, text)
	}
}

const (
	helpWidth     = 80 // help is wrapped to this many columns
	maxNameColumn = 30 // a longer flag has its text on the next line
)

// wrap breaks text into lines of helpWidth, the lines after the first
// indented by indent spaces.
func wrap(text string, indent int) string {
	var b strings.Builder
	col := indent
	for i, word := range strings.Fields(text) {
		if i > 0 && col+1+len(word) > helpWidth {
			b.WriteString("\n" + strings.Repeat(" ", indent))
			col = indent
		} else if i > 0 {
			b.WriteByte(' ')
			col++
		}
		b.WriteString(word)
		col += len(word)
	}
	return b.String()
}

// unknownCommand says which command was meant, when one is close.
func unknownCommand(name string) error {
	if best := closest(name, commandNames()); best != "" {
		return usagef("unknown command %q: did you mean %s?", name, best)
	}
	return usagef("unknown command %q: use %s (see partnero-import help)", name, strings.Join(commandNames(), ", "))
}
