package main

// Shell completion scripts, written from the table of commands and their
// flag sets (help.go): a command or flag added there completes by itself.

import (
	"context"
	"flag"
	"fmt"
	"io"
	"regexp"
	"strings"
)

var shells = map[string]func(io.Writer, []completed){"bash": bashCompletion, "zsh": zshCompletion, "fish": fishCompletion}

func shellNames() []string { return []string{"bash", "zsh", "fish"} }

func runCompletion(_ context.Context, args []string, _ func(string) string, s Streams) (int, error) {
	if len(args) != 1 || shells[args[0]] == nil {
		return 0, usagef("completion needs the shell: partnero-import completion bash, zsh or fish")
	}
	shells[args[0]](s.Out, completionModel())
	return exitOK, nil
}

// completed is a command as completion sees it.
type completed struct {
	name, summary string
	flags         []completedFlag
	words         []string // after the flags: filesWord, or the words
}

type completedFlag struct {
	name, about string
	takesValue  bool
	values      []string // filesWord, the values, or none for a free value
}

func completionModel() []completed {
	var out []completed
	for _, c := range commandList() {
		cc := completed{name: c.name, summary: c.summary}
		if c.words != nil {
			cc.words = c.words()
		}
		if c.flags != nil {
			fs := c.flags()
			fs.VisitAll(func(fl *flag.Flag) {
				_, usage := valueName(fl)
				cc.flags = append(cc.flags, completedFlag{name: fl.Name, about: briefly(usage), takesValue: !isSwitch(fl), values: fs.completions(fl)})
			})
		}
		out = append(out, cc)
	}
	return out
}

// completions is what completion offers as a flag's value: files, the
// values its value name lists (csv|jsonl|xlsx), or nothing.
func (f *flagSet) completions(fl *flag.Flag) []string {
	if vs, ok := f.values[fl.Name]; ok {
		return vs
	}
	switch name, _ := valueName(fl); {
	case name == "PATH" || name == "FILE" || name == "REPORT":
		return files()
	case listOfValues.MatchString(name):
		return strings.Split(name, "|")
	}
	return nil
}

// filesWord stands for "complete a file name" in completions.
const filesWord = "FILES"

var listOfValues = regexp.MustCompile(`^[a-z0-9-]+(\|[a-z0-9-]+)+$`)

// briefly is the start of a flag's usage, for a shell's one-line hint.
func briefly(usage string) string {
	if i := strings.IndexAny(usage, ";("); i > 0 {
		usage = usage[:i]
	}
	usage = strings.TrimSpace(usage)
	if len(usage) > 60 {
		usage = strings.TrimSpace(usage[:57]) + "..."
	}
	return usage
}

func bashCompletion(w io.Writer, cmds []completed) {
	var names []string
	for _, c := range cmds {
		names = append(names, c.name)
	}
	fmt.Fprintf(w, `# bash completion for partnero-import
# Load it with: source <(partnero-import completion bash)
_partnero_import_offer() {
    if [[ $1 == %[1]s ]]; then
        compopt -o filenames 2>/dev/null
        COMPREPLY=($(compgen -f -- "$cur"))
    else
        COMPREPLY=($(compgen -W "$1" -- "$cur"))
    fi
}
_partnero_import() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
    if [[ $COMP_CWORD -eq 1 ]]; then
        COMPREPLY=($(compgen -W "%[2]s" -- "$cur"))
        return
    fi
    case ${COMP_WORDS[1]} in
`, filesWord, strings.Join(names, " "))
	for _, c := range cmds {
		fmt.Fprintf(w, "    %s)\n", c.name)
		var flagNames []string
		if len(c.flags) > 0 {
			fmt.Fprintln(w, "        case $prev in")
			for _, f := range c.flags {
				flagNames = append(flagNames, "--"+f.name)
				if f.takesValue {
					fmt.Fprintf(w, "        --%s|-%s) _partnero_import_offer %q; return ;;\n", f.name, f.name, strings.Join(f.values, " "))
				}
			}
			fmt.Fprintln(w, "        esac")
		}
		fmt.Fprintf(w, "        if [[ $cur == -* ]]; then\n            COMPREPLY=($(compgen -W %q -- \"$cur\"))\n", strings.Join(flagNames, " "))
		fmt.Fprintf(w, "        else\n            _partnero_import_offer %q\n        fi ;;\n", strings.Join(c.words, " "))
	}
	fmt.Fprint(w, "    esac\n}\ncomplete -F _partnero_import partnero-import\n")
}

func zshCompletion(w io.Writer, cmds []completed) {
	fmt.Fprint(w, `#compdef partnero-import
# zsh completion for partnero-import
# Load it with: source <(partnero-import completion zsh), or save it as
# _partnero-import in a directory on your $fpath: autoloaded, this file is
# the body of that function, which it defines again and calls.
compdef _partnero-import partnero-import

_partnero-import() {
    local -a commands
    commands=(
`)
	for _, c := range cmds {
		fmt.Fprintf(w, "        %s\n", zshQuote(c.name+":"+c.summary))
	}
	fmt.Fprint(w, `    )
    if (( CURRENT == 2 )); then
        _describe command commands
        return
    fi
    shift words
    (( CURRENT-- ))
    case $words[1] in
`)
	for _, c := range cmds {
		fmt.Fprintf(w, "    %s)\n        _arguments", c.name)
		for _, f := range c.flags {
			spec := "--" + f.name + "[" + zshEscape(f.about) + "]"
			if f.takesValue {
				spec += ":" + f.name + ":" + zshAction(f.values)
			}
			fmt.Fprintf(w, " \\\n            %s", zshQuote(spec))
		}
		if len(c.words) > 0 {
			fmt.Fprintf(w, " \\\n            %s", zshQuote("*:"+c.name+":"+zshAction(c.words)))
		}
		fmt.Fprint(w, " ;;\n")
	}
	fmt.Fprint(w, `    esac
}

if [ "$funcstack[1]" = "_partnero-import" ]; then
    _partnero-import "$@"
fi
`)
}

// zshAction is what _arguments completes a value with.
func zshAction(values []string) string {
	switch {
	case len(values) == 0:
		return " " // a free value: nothing to offer
	case values[0] == filesWord:
		return "_files"
	}
	return "(" + strings.Join(values, " ") + ")"
}

func zshEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, "[", `\[`, "]", `\]`).Replace(s)
}

func zshQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func fishCompletion(w io.Writer, cmds []completed) {
	fmt.Fprint(w, `# fish completion for partnero-import
# Load it with: partnero-import completion fish | source, or save it as
# ~/.config/fish/completions/partnero-import.fish
complete -c partnero-import -f
`)
	for _, c := range cmds {
		fmt.Fprintf(w, "complete -c partnero-import -n __fish_use_subcommand -a %s -d %s\n", c.name, fishQuote(c.summary))
	}
	for _, c := range cmds {
		when := fishQuote("__fish_seen_subcommand_from " + c.name)
		for _, f := range c.flags {
			line := fmt.Sprintf("complete -c partnero-import -n %s -l %s", when, f.name)
			switch {
			case !f.takesValue:
			case len(f.values) > 0 && f.values[0] == filesWord:
				line += " -r -F"
			case len(f.values) > 0:
				line += " -x -a " + fishQuote(strings.Join(f.values, " "))
			default:
				line += " -x"
			}
			fmt.Fprintf(w, "%s -d %s\n", line, fishQuote(f.about))
		}
		switch {
		case len(c.words) == 0:
		case c.words[0] == filesWord:
			fmt.Fprintf(w, "complete -c partnero-import -n %s -F\n", when)
		default:
			fmt.Fprintf(w, "complete -c partnero-import -n %s -x -a %s\n", when, fishQuote(strings.Join(c.words, " ")))
		}
	}
}

func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, "'", `\'`).Replace(s) + "'"
}
