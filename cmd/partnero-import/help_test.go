package main

import (
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Help is asked for in many ways; each prints to standard output, nothing
// to standard error, and exits 0. The texts are goldens.
func TestHelp(t *testing.T) {
	t.Parallel()
	for _, c := range commandList() {
		golden(t, "help-"+c.name+".txt", runCLI(t, nil, "", "help", c.name).stdout)
	}
	for _, tp := range topicList() {
		if _, ok := commandNamed(tp.name); !ok { // else its command's help shows it
			golden(t, "help-"+tp.name+".txt", runCLI(t, nil, "", "help", tp.name).stdout)
		}
	}
	golden(t, "help.txt", runCLI(t, nil, "", "help").stdout)
	asked := map[string][][]string{
		"help.txt":          {{"help"}, {"-h"}, {"--help"}, {"-help"}},
		"help-import.txt":   {{"help", "import"}, {"import", "--help"}, {"import", "-h"}, {"import", "partners.csv", "--help"}},
		"help-validate.txt": {{"validate", "-h"}},
		"help-sandbox.txt":  {{"sandbox", "--help"}},
		"help-version.txt":  {{"version", "--help"}},
		"help-help.txt":     {{"help", "help"}, {"help", "--help"}},
		"help-rollback.txt": {{"rollback", "--help"}},
		"help-cron.txt":     {{"help", "cron"}},
	}
	for name, forms := range asked {
		want, _ := os.ReadFile(filepath.Join("testdata", name))
		for _, args := range forms {
			r := runCLI(t, nil, "", args...)
			if r.code != exitOK || r.stdout != string(want) || r.stderr != "" {
				t.Errorf("%v: exit %d, stderr %q, stdout is not %s", args, r.code, r.stderr, name)
			}
		}
	}
	// Not asked for: the overview is the usage error.
	if r := runCLI(t, nil, ""); r.code != exitUsage || r.stdout != "" || !strings.Contains(r.stderr, "commands:") {
		t.Errorf("no command: exit %d, stdout %q", r.code, r.stdout)
	}
}

// Every topic has a summary and a body, is listed by help, and renders
// within the help's width but for its verbatim lines (commands, output).
func TestTopics(t *testing.T) {
	t.Parallel()
	overview := runCLI(t, nil, "", "help").stdout
	if len(topicList()) < 10 {
		t.Fatalf("%d topics", len(topicList()))
	}
	for _, tp := range topicList() {
		if tp.summary == "" || strings.Contains(tp.summary, "\n") || len(strings.TrimSpace(tp.body)) < 200 {
			t.Errorf("topic %s: summary %q, body of %d bytes", tp.name, tp.summary, len(tp.body))
		}
		if !strings.Contains(overview, "\n  "+tp.name+" ") {
			t.Errorf("help does not list the topic %s", tp.name)
		}
		var out strings.Builder
		tp.print(&out)
		verbatim := map[string]bool{}
		for _, l := range strings.Split(tp.body, "\n") {
			if strings.HasPrefix(l, "    ") {
				verbatim[strings.TrimRight(l, " ")] = true
			}
		}
		for _, l := range strings.Split(out.String(), "\n") {
			if len([]rune(l)) > helpWidth && !verbatim[l] {
				t.Errorf("topic %s: a line of %d columns: %s", tp.name, len([]rune(l)), l)
			}
		}
	}
}

// Every flag of every command is in a named group, so help never shows a
// flag on its own, and every flag's help has words.
func TestEveryFlagIsGrouped(t *testing.T) {
	t.Parallel()
	for _, c := range commandList() {
		if c.flags == nil {
			continue
		}
		for _, g := range c.flags().grouped() {
			if g.name == "flags" {
				t.Errorf("%s: flags in no group: %v", c.name, g.lines)
			}
			for _, l := range g.lines {
				if strings.TrimSpace(l[1]) == "" {
					t.Errorf("%s %s has no help", c.name, l[0])
				}
			}
		}
	}
}

// A slip on the command line gets one line that says what was meant, and
// exit 2; a value given with an unknown flag is never echoed.
func TestUsageErrorsSayWhatWasMeant(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"import", "--skip-exsting", "a.csv"}, "did you mean --skip-existing?"},
		{[]string{"import", "--skip", "a.csv"}, "did you mean --skip-existing?"},
		{[]string{"import", "--concurency", "4", "a.csv"}, "did you mean --concurrency?"},
		{[]string{"validate", "--rate", "3", "a.csv"}, "--rate: for validate --against, which reads Partnero"},
		{[]string{"validate", "--resume", "r.csv", "a.csv"}, "--resume is a flag of import, not of validate"},
		{[]string{"sandbox", "--latncy", "1s"}, "did you mean --latency?"},
		{[]string{"imprt", "a.csv"}, `unknown command "imprt": did you mean import?`},
		{[]string{"help", "valdate"}, "did you mean validate?"},
		{[]string{"help", "reprot"}, "did you mean report?"},
		{[]string{"help", "nothing-like-it"}, `no command or topic "nothing-like-it"`},
		{[]string{"help", "input", "report"}, "help takes one COMMAND or TOPIC at most"},
		{[]string{"frobnicate"}, "use " + strings.Join(commandNames(), ", ")},
		{[]string{"import", "--timeout", "30", "a.csv"}, "--timeout 30: a duration needs a unit: 30s for seconds"},
		{[]string{"import", "--progress-interval", "soon", "a.csv"}, "not a duration: write one such as 30s"},
		{[]string{"import", "--concurrency", "many", "a.csv"}, `--concurrency "many" is not a whole number`},
		{[]string{"import", "--sandbox=perhaps", "a.csv"}, "--sandbox is a switch"},
		{[]string{"import", "a.csv", "--report"}, "--report needs a value: --report PATH"},
		{[]string{"import", "--api-key", "sk_live_secret", "a.csv"}, "there is no --api-key: a key given on the command line would show in ps; set PARTNERO_API_KEY, or give --api-key-file PATH"},
		{[]string{"import", "--api-key=sk_live_secret", "a.csv"}, "set PARTNERO_API_KEY"},
		{[]string{"validate", "--api-key", "sk_live_secret", "a.csv"}, "there is no --api-key: a key given on the command line would show in ps"},
		{[]string{"completion", "tcsh"}, "completion bash, zsh or fish"},
		{[]string{"version", "extra"}, "version takes no arguments"},
	} {
		r := runCLI(t, nil, "", tc.args...)
		lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
		if r.code != exitUsage || len(lines) != 1 || !strings.Contains(lines[0], tc.want) || r.stdout != "" {
			t.Errorf("%v: exit %d, want 2 and one line with %q:\n%s", tc.args, r.code, tc.want, r.stderr)
		}
		if strings.Contains(r.stderr, "sk_live_secret") {
			t.Errorf("%v: the value is echoed: %s", tc.args, r.stderr)
		}
	}
}

func TestClosest(t *testing.T) {
	t.Parallel()
	names := []string{"skip-existing", "sandbox", "sandbox-preload", "report", "resume", "rate", "retries"}
	for word, want := range map[string]string{
		"skip-exsting": "skip-existing", "sandbx": "sandbox", "sandbox-prelaod": "sandbox-preload",
		"reprot": "report", "raet": "rate", "retires": "retries", "sand": "", "colour": "", "x": "",
	} {
		if got := closest(word, names); got != want {
			t.Errorf("closest(%q) = %q, want %q", word, got, want)
		}
	}
}

// The completion scripts are goldens; bash's is also run, as bash runs it
// when Tab is pressed.
func TestCompletion(t *testing.T) {
	t.Parallel()
	for _, shell := range shellNames() {
		r := runCLI(t, nil, "", "completion", shell)
		if r.code != exitOK || r.stderr != "" {
			t.Fatalf("%s: exit %d\n%s", shell, r.code, r.stderr)
		}
		golden(t, "completion."+shell, r.stdout)
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	script := filepath.Join(t.TempDir(), "completion.bash")
	os.WriteFile(script, []byte(runCLI(t, nil, "", "completion", "bash").stdout), 0o600)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "partners.csv"), nil, 0o600)
	complete := func(words ...string) string {
		t.Helper()
		cmd := exec.Command(bash, "--norc", "-c", `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($#-1)); _partnero_import; echo "${COMPREPLY[*]}"`,
			"bash", script, "partnero-import")
		cmd.Args = append(cmd.Args, words...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%v: %v\n%s", words, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	for _, tc := range []struct {
		words []string
		want  string
	}{
		{[]string{"im"}, "import"},
		{[]string{""}, strings.Join(commandNames(), " ")},
		{[]string{"import", "--skip"}, "--skip-existing"},
		{[]string{"import", "--format", ""}, "csv jsonl xlsx"},
		{[]string{"validate", "--preset", "re"}, "rewardful"},
		{[]string{"import", "--log-format", "j"}, "json"},
		{[]string{"import", "--report", "part"}, "partners.csv"},
		{[]string{"import", "part"}, "partners.csv"},
		{[]string{"sandbox", "--program", ""}, "affiliate referral"},
		{[]string{"completion", "z"}, "zsh"},
		{[]string{"help", "sa"}, "sandbox"},
		{[]string{"help", "cr"}, "cron"},
		{[]string{"help", ""}, strings.Join(helpWords(), " ")},
		{[]string{"import", "--timeout", ""}, ""},
	} {
		if got := complete(tc.words...); got != tc.want {
			t.Errorf("%v: %q, want %q", tc.words, got, tc.want)
		}
	}
}

// Completion offers every flag of every command: none is forgotten when a
// flag is added.
func TestCompletionKnowsEveryFlag(t *testing.T) {
	t.Parallel()
	scripts := map[string]string{}
	for _, shell := range shellNames() {
		scripts[shell] = runCLI(t, nil, "", "completion", shell).stdout
	}
	for _, c := range commandList() {
		if c.flags == nil {
			continue
		}
		c.flags().VisitAll(func(fl *flag.Flag) {
			for shell, script := range scripts {
				if !strings.Contains(script, "--"+fl.Name) && !strings.Contains(script, "-l "+fl.Name+" ") {
					t.Errorf("%s completion lacks %s --%s", shell, c.name, fl.Name)
				}
			}
		})
	}
}
