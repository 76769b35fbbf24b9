package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/partnero-import/partnero-import/importer/pull"
	"github.com/partnero-import/partnero-import/importer/pull/fake"
	"github.com/partnero-import/partnero-import/importer/sandbox"
)

// readmeExample is a ```sh block of the README, with the ```text block that
// follows it: what its output must contain.
type readmeExample struct {
	line         int // where the block starts, for messages
	script, want string
	notRun       string // why it is not run, from <!-- not run: why -->
}

// readmeExamples reads the README's sh blocks in order. A block is not run
// when the line before it is <!-- not run: why -->.
func readmeExamples(t *testing.T, path string) []readmeExample {
	t.Helper()
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(text), "\n")
	// block reads the fenced block opening at lines[i]: its body, dedented
	// by the fence's indent, and the index after its closing fence.
	block := func(i int) (string, int) {
		indent := len(lines[i]) - len(strings.TrimLeft(lines[i], " "))
		var body []string
		for i++; i < len(lines) && strings.TrimSpace(lines[i]) != "```"; i++ {
			body = append(body, strings.TrimPrefix(lines[i], strings.Repeat(" ", indent)))
		}
		return strings.Join(body, "\n") + "\n", i + 1
	}
	var out []readmeExample
	prev := "" // the last non-blank line before this one
	for i := 0; i < len(lines); {
		fence := strings.TrimSpace(lines[i])
		if !strings.HasPrefix(fence, "```") {
			if fence != "" {
				prev = fence
			}
			i++
			continue
		}
		body, next := block(i)
		if fence == "```sh" {
			ex := readmeExample{line: i + 1, script: body}
			if why, ok := strings.CutPrefix(prev, "<!-- not run:"); ok {
				ex.notRun = strings.TrimSpace(strings.TrimSuffix(why, "-->"))
			}
			j := next
			for j < len(lines) && strings.TrimSpace(lines[j]) == "" {
				j++
			}
			if j < len(lines) && strings.TrimSpace(lines[j]) == "```text" {
				ex.want, next = block(j)
			}
			out = append(out, ex)
		}
		prev, i = fence, next
	}
	return out
}

// Durations and rates differ from run to run: the README's figures are one
// run's.
var (
	readmeDuration = regexp.MustCompile(`\b\d+(\.\d+)?(ns|µs|ms|s)\b|\b\d+m\d+(\.\d+)?s\b`)
	readmeRate     = regexp.MustCompile(`\(\d+(\.\d+)? requests/s\)`)
)

func withoutTimes(s string) string {
	return readmeDuration.ReplaceAllString(readmeRate.ReplaceAllString(s, "(R requests/s)"), "D")
}

// The README's shell examples are run, in order, in one directory, with the
// built binary as partnero-import and PARTNERO_BASE_URL naming a sandbox
// the test started: so a real import in the README imports for real, into
// it. Each must succeed, and print its ```text block (line by line, times
// aside): a changed flag or message fails here, not in a reader's shell.
func TestReadmeExamples(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	examples := readmeExamples(t, filepath.Join("..", "..", "README.md"))
	dir := t.TempDir()
	if err := os.CopyFS(filepath.Join(dir, "samples"), os.DirFS(filepath.Join("..", "..", "samples"))); err != nil {
		t.Fatal(err)
	}
	// The files the README's reader has: their own list, an export of
	// FirstPromoter's, their program's partners, and the customers and
	// sales of their partners: the sample program's, without the rows
	// there to show the checks (lines: the header and the rows kept; 0,
	// every line).
	for name, sample := range map[string]struct {
		path  string
		lines int
	}{
		"partners.csv":  {"partners.csv", 0},
		"promoters.csv": {"presets/firstpromoter.csv", 0},
		"existing.csv":  {"presets/partnero.csv", 0},
		"customers.csv": {"customers.csv", 1 + 32},
		"sales.csv":     {"transactions.csv", 1 + 144},
	} {
		data, err := os.ReadFile(filepath.Join(dir, "samples", sample.path))
		if err != nil {
			t.Fatal(err)
		}
		if sample.lines > 0 {
			lines := strings.SplitAfter(string(data), "\n")
			data = []byte(strings.Join(lines[:sample.lines], ""))
		}
		os.WriteFile(filepath.Join(dir, name), data, 0o600)
	}
	// And their Rewardful program pulled (the README's pull needs their
	// secret): the same pull, from the fake sandbox --as serves.
	pulled := runCLI(t, map[string]string{pull.RewardfulSecretEnv: rewardfulSecret}, "", "pull", "rewardful",
		"--out", filepath.Join(dir, "rewardful"), "--source-base-url", servedRewardful(t, fake.RewardfulSample(rewardfulSecret)))
	if pulled.code != exitOK {
		t.Fatalf("pull: exit %d\n%s", pulled.code, pulled.stderr)
	}
	// Their program's server advertises its limit, as Laravel's throttle
	// does: --rate auto follows it from the first answer instead of
	// probing up from 2 requests a second.
	_, base := startSandbox(t, sandbox.Options{RateLimit: 60000})
	env := []string{"PATH=" + filepath.Dir(bin) + string(os.PathListSeparator) + os.Getenv("PATH"), "HOME=" + dir,
		"PARTNERO_API_KEY=readme-key", "PARTNERO_BASE_URL=" + base}
	ran := 0
	for _, ex := range examples {
		if ex.notRun != "" {
			continue
		}
		ran++
		script := strings.ReplaceAll(ex.script, "go run ./cmd/partnero-import", "partnero-import")
		cmd := exec.Command("bash", "--noprofile", "--norc", "-e", "-o", "pipefail", "-c", script)
		cmd.Dir, cmd.Env = dir, env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("README line %d: %v\n%s\n%s", ex.line, err, script, out)
			continue
		}
		got := withoutTimes(string(out))
		for _, want := range strings.Split(strings.TrimRight(ex.want, "\n"), "\n") {
			if want = strings.TrimRight(want, " "); want != "" && !strings.Contains(got, withoutTimes(want)) {
				t.Errorf("README line %d: the output lacks %q:\n%s", ex.line, want, out)
			}
		}
	}
	// The count of examples run: none may be dropped silently by a
	// marker or a changed fence.
	if ran < 9 {
		t.Errorf("%d README examples ran, want at least 9", ran)
	}
}

// The parser finds blocks, their expected output and their markers.
func TestReadmeExamplesParse(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "README.md")
	os.WriteFile(path, []byte("text\n\n```sh\necho a\n```\n\n```text\na\n```\n\n<!-- not run: needs a key -->\n```sh\necho b\n```\n\n- item\n\n  ```sh\n  echo c\n  ```\n```cron\nx\n```\n"), 0o600)
	got := readmeExamples(t, path)
	if len(got) != 3 || got[0].script != "echo a\n" || got[0].want != "a\n" || got[0].notRun != "" ||
		got[1].notRun != "needs a key" || got[1].want != "" || got[2].script != "echo c\n" || got[2].notRun != "" {
		t.Errorf("%+v", got)
	}
}
