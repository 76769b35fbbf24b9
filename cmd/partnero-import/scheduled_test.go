package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/partnero-import/partnero-import/importer/sandbox"
	"github.com/partnero-import/partnero-import/report"
)

// A nightly list that overlaps yesterday's: with --skip-existing the
// partners already there are skipped/already_exists, the partners they
// referred go ahead, and the run exits 0.
func TestSkipExisting(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	input := filepath.Join(dir, "tonight.csv")
	os.WriteFile(input, []byte("email,id,referring_partner_email\nOld@x.io,old,\nnew@x.io,new,old@x.io\nclash@x.io,taken,\n"), 0o600)
	preload := filepath.Join(dir, "yesterday.csv")
	os.WriteFile(preload, []byte("email,id\nold@x.io,old\nother@x.io,taken\n"), 0o600)
	rep := filepath.Join(dir, "r.csv")
	r := runCLI(t, nil, "", "import", "--sandbox", "--sandbox-preload", preload, "--skip-existing", "--no-progress", "--rate", "0", "--report", rep, input)
	got := statusesOf(r)
	if got["skipped/already_exists"] != 1 || got["created/"] != 1 || got["rejected/id_exists"] != 1 {
		t.Fatalf("statuses %v\n%s", got, r.report)
	}
	if r.code != exitRowsFailed { // the id clash under a new email stays a failure
		t.Fatalf("exit %d", r.code)
	}
	os.WriteFile(input, []byte("email\nOLD@x.io\nfresh@x.io\n"), 0o600)
	r = runCLI(t, nil, "", "import", "--sandbox", "--sandbox-preload", preload, "--skip-existing", "--no-progress", "--rate", "0", "--report", rep, input)
	if r.code != exitOK {
		t.Fatalf("exit %d\n%s", r.code, r.report)
	}
}

func TestSummaryJSONAgreesWithTheReport(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	rep, sum := filepath.Join(dir, "r.csv"), filepath.Join(dir, "summary.json")
	r := runCLI(t, nil, "", "import", "--sandbox", "--sandbox-preload", "../../samples/messy-existing.csv", "--no-progress",
		"--rate", "0", "--summary-json", sum, "--report", rep, "../../samples/messy.csv")
	b, err := os.ReadFile(sum)
	if err != nil {
		t.Fatal(err)
	}
	var s summaryJSON
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	input, _ := os.ReadFile("../../samples/messy.csv")
	sha := sha256.Sum256(input)
	if s.InputSHA256 != hex.EncodeToString(sha[:]) || s.ExitCode != r.code || s.Version == "" || s.Rows != len(r.reportLines)-1 {
		t.Fatalf("summary %+v", s)
	}
	for key, n := range statusesOf(r) {
		status, reason, _ := strings.Cut(key, "/")
		if reason == "" {
			reason = "total"
		}
		if s.Counts[report.Status(status)][reason] != n && reason != "total" || s.Counts[report.Status(status)]["total"] < n {
			t.Errorf("%s: summary says %d, the report %d", key, s.Counts[report.Status(status)][reason], n)
		}
	}
	if s.Requests < 10 || s.Counts["invalid"]["total"] != 14 { // jane.doe's key has a dot: invalid_row
		t.Errorf("summary %+v", s)
	}
}

// A run that fails after its files are decided (here: no API key) still
// writes --summary-json, exit_code 2 and why: a scheduled job never reads
// the summary of an earlier night as tonight's.
func TestSummaryJSONOfAFailedRun(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	sum := filepath.Join(dir, "summary.json")
	os.WriteFile(sum, []byte(`{"exit_code":0}`), 0o600) // last night's
	imported := filepath.Join(dir, "imported.report.csv")
	os.WriteFile(imported, []byte(strings.Join(report.Header, ",")+"\n"), 0o600)
	os.WriteFile(report.ProvenancePath(imported), []byte(`{"command":"import","destination":"https://api.partnero.com:443","finished":true}`), 0o600)
	for _, args := range [][]string{
		{"import", "--no-progress", "--summary-json", sum, "--report", filepath.Join(dir, "r.csv"), "../../samples/partners.csv"},
		{"rollback", "--yes", "--any-order", "--summary-json", sum, "--report", filepath.Join(dir, "rb.csv"), imported},
	} {
		r := runCLI(t, nil, "", args...)
		b, err := os.ReadFile(sum)
		var s summaryJSON
		if err == nil {
			err = json.Unmarshal(b, &s)
		}
		if r.code != exitUsage || err != nil || s.ExitCode != exitUsage || !strings.Contains(s.Fatal, "PARTNERO_API_KEY") || s.Command != args[0] {
			t.Fatalf("%s: exit %d, summary %s (%v)\n%s", args[0], r.code, b, err, r.stderr)
		}
		os.WriteFile(sum, []byte(`{"exit_code":0}`), 0o600)
	}
}

func TestJSONLogLinesParse(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	r := runCLI(t, map[string]string{}, "", "import", "--sandbox", "--log-format", "json", "--verbose", "--rate", "0",
		"--report", filepath.Join(dir, "r.csv"), "../../samples/messy.csv")
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	msgs := map[string]int{}
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("not JSON: %q", l)
		}
		msgs[m["msg"].(string)]++
	}
	if msgs["start"] != 1 || msgs["end"] != 1 || msgs["row"] != 25 || msgs[`unknown column "Notes": ignored`] != 1 {
		t.Fatalf("events %v", msgs)
	}
	noSecrets(t, r, passwords(t, "../../samples/messy.csv")...)

	// A fatal problem is one JSON line too.
	r = runCLI(t, nil, "", "import", "--log-format", "json", "../../samples/partners.csv")
	var m map[string]any
	if r.code != exitUsage || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 || json.Unmarshal([]byte(r.stderr), &m) != nil || m["level"] != "ERROR" {
		t.Fatalf("exit %d: %q", r.code, r.stderr)
	}
}

// Standard error redirected to a file gets plain progress lines, never a
// redrawn bar.
func TestNoControlCharactersWithoutATerminal(t *testing.T) {
	t.Parallel()
	// 36 rows one at a time, 5 ms each: 180 ms at least, several
	// progress lines.
	sb := sandbox.New(sandbox.Options{Latency: 5 * time.Millisecond})
	base, _ := sb.Start("127.0.0.1:0")
	defer sb.Close()
	r := runCLI(t, map[string]string{"PARTNERO_API_KEY": "k", "PARTNERO_BASE_URL": base}, "", "import", "--rate", "0",
		"--concurrency", "1", "--progress-interval", "20ms", "--report", filepath.Join(t.TempDir(), "r.csv"), "../../samples/partners.csv")
	if r.code != exitOK || !strings.Contains(r.stderr, "progress: ") {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if strings.ContainsAny(r.stderr, "\r\x1b\b") {
		t.Fatalf("control characters on standard error: %q", r.stderr)
	}
}

// Two overlapping runs on one report: the second is refused, exit 2, and
// sends nothing; the first ends normally.
func TestOverlappingRunsAreRefused(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	// The server holds the first run's creates until the second has
	// tried: the first is busy, by construction, while the second tries.
	sb := sandbox.New(sandbox.Options{})
	g := &gatedServer{sb: sb, release: make(chan struct{})}
	base := newGatedServer(t, g)
	release := g.releaser(t)
	dir := t.TempDir()
	input := filepath.Join(dir, "in.csv")
	os.WriteFile(input, []byte("email\na@x.io\nb@x.io\nc@x.io\nd@x.io\ne@x.io\nf@x.io\n"), 0o600)
	env := []string{"PARTNERO_API_KEY=k", "PARTNERO_BASE_URL=" + base}
	first, _ := startBinary(t, env, "import", "--rate", "0", "--concurrency", "1", input)
	waitUntil(t, first, func() bool { return g.waiting() > 0 })
	sent := sb.Requests()
	var stderr bytes.Buffer
	second := exec.Command(bin, "import", "--rate", "0", input)
	second.Env, second.Stderr = append(os.Environ(), env...), &stderr
	second.Run()
	if code := second.ProcessState.ExitCode(); code != exitUsage || !strings.Contains(stderr.String(), "another partnero-import run is writing") {
		t.Fatalf("second run: exit %d\n%s", code, stderr.String())
	}
	release()
	if err := first.Wait(); err != nil {
		t.Fatalf("first run: %v", err)
	}
	if len(sb.Partners()) != 6 || sb.Requests() > sent+6 {
		t.Fatalf("held %d partners after %d requests", len(sb.Partners()), sb.Requests())
	}
}

// Throttling is a notable event: with JSON logs each pause the server asks
// for is one parsable line, and the rows still all get created.
func TestThrottlingIsLogged(t *testing.T) {
	t.Parallel()
	sb := sandbox.New(sandbox.Options{Faults: sandbox.Faults{Burst429: 0.05, BurstLength: 2, BurstWait: 100 * time.Millisecond, Seed: 3}})
	base, _ := sb.Start("127.0.0.1:0")
	defer sb.Close()
	r := runCLI(t, map[string]string{"PARTNERO_API_KEY": "k", "PARTNERO_BASE_URL": base}, "", "import", "--rate", "0",
		"--log-format", "json", "--retries", "6", "--report", filepath.Join(t.TempDir(), "r.csv"), "../../samples/partners.csv")
	throttled := 0
	for _, l := range strings.Split(strings.TrimSpace(r.stderr), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("not JSON: %q", l)
		}
		if strings.HasPrefix(m["msg"].(string), "throttled") {
			throttled++
		}
	}
	if r.code != exitOK || throttled == 0 {
		t.Fatalf("exit %d, %d throttled events\n%s", r.code, throttled, r.stderr)
	}
}

// The elapsed time in the summary is the command's, from start to exit,
// for validate and import: it includes reading standard input, which here
// takes at least a known while (the importer alone would say less).
func TestElapsedIsTheWholeCommand(t *testing.T) {
	t.Parallel()
	const slowInput = 300 * time.Millisecond
	for _, tc := range []struct {
		command []string
		says    int // how many places give the elapsed time
	}{
		{[]string{"validate"}, 1},
		{[]string{"import", "--dry-run", "--log-format", "json", "--summary-json"}, 2},
		{[]string{"import", "--sandbox", "--no-progress", "--rate", "0", "--summary-json"}, 2},
	} {
		command := tc.command
		t.Run(strings.Join(command, " "), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			args := slices.Clone(command)
			if args[len(args)-1] == "--summary-json" {
				args = append(args, filepath.Join(dir, "summary.json"))
			}
			args = append(args, "--format", "csv", "--report", filepath.Join(dir, "r.csv"), "-")
			var stderr bytes.Buffer
			s := Streams{In: &slowReader{wait: slowInput, r: strings.NewReader("email\na@x.io\nb@x.io\n")}, Out: io.Discard, Err: &stderr}
			began := time.Now()
			code := run(context.Background(), args, func(string) string { return "" }, s)
			wall := time.Since(began)
			if code != exitOK {
				t.Fatalf("%v: exit %d\n%s", command, code, stderr.String())
			}
			said := elapsedSaid(t, stderr.String(), filepath.Join(dir, "summary.json"))
			if len(said) != tc.says {
				t.Fatalf("%v: elapsed times found: %v\n%s", command, said, stderr.String())
			}
			for where, got := range said {
				// The text summary rounds to the millisecond, up or down.
				if got < slowInput.Seconds()-0.001 || got > wall.Seconds()+0.001 {
					t.Errorf("%v: %s says %.3f s; the input alone took %v, the command %v", command, where, got, slowInput, wall)
				}
			}
		})
	}
}

// elapsedSaid finds the elapsed seconds a run printed: in the text
// summary, the JSON end line, and the --summary-json file.
func elapsedSaid(t *testing.T, stderr, summaryPath string) map[string]float64 {
	said := map[string]float64{}
	if m := regexp.MustCompile(`(?m)^\d+ rows, .* in (\S+) \(`).FindStringSubmatch(stderr); m != nil {
		d, err := time.ParseDuration(m[1])
		if err != nil {
			t.Fatal(err)
		}
		said["the summary"] = d.Seconds()
	}
	for _, line := range strings.Split(stderr, "\n") {
		var end struct {
			Msg     string   `json:"msg"`
			Elapsed *float64 `json:"elapsed_seconds"`
		}
		if json.Unmarshal([]byte(line), &end) == nil && end.Msg == "end" && end.Elapsed != nil {
			said["the end line"] = *end.Elapsed
		}
	}
	if b, err := os.ReadFile(summaryPath); err == nil {
		var s summaryJSON
		if err := json.Unmarshal(b, &s); err != nil {
			t.Fatal(err)
		}
		said["--summary-json"] = s.ElapsedSeconds
	}
	return said
}

// slowReader waits before its first byte, like a slow pipe.
type slowReader struct {
	wait   time.Duration
	r      io.Reader
	waited bool
}

func (s *slowReader) Read(p []byte) (int, error) {
	if !s.waited {
		time.Sleep(s.wait)
		s.waited = true
	}
	return s.r.Read(p)
}
