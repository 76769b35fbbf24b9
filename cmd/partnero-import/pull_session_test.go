package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/partnero-import/partnero-import/importer/pull/fake"
)

// stable takes out of pull's output what changes from run to run: the
// DIR's and the summary's paths, the elapsed time, the version.
func stable(text string, paths map[string]string) string {
	for path, name := range paths {
		text = strings.ReplaceAll(text, path, name)
	}
	text = regexp.MustCompile(`"elapsed_seconds": ?[0-9.e-]+`).ReplaceAllString(text, `"elapsed_seconds": ELAPSED`)
	text = regexp.MustCompile(`"time":"[^"]*"`).ReplaceAllString(text, `"time":"TIME"`)
	text = regexp.MustCompile(`"version": ?"[^"]*"`).ReplaceAllString(text, `"version": "VERSION"`)
	return regexp.MustCompile(`\s*"commit": ?"[^"]*",?`).ReplaceAllString(text, "")
}

// pull --summary-json writes what it carried over and left out, per kind
// and reason, the source, the DIR and whether it read the whole program;
// a pull that fails writes its summary too (not whole, why, its exit
// code), never with the secret.
func TestPullSummaryJSON(t *testing.T) {
	t.Parallel()
	base := servedRewardful(t, fake.RewardfulSample(rewardfulSecret))
	for _, tc := range []struct {
		name, secret string
		code         int
	}{
		{"whole", rewardfulSecret, exitOK},
		{"refused", "rwf_wrong_0a9b8c7d6e5f", exitUsage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tmp := t.TempDir()
			dir, sum := filepath.Join(tmp, "program"), filepath.Join(tmp, "pull.json")
			r := runCLI(t, map[string]string{"REWARDFUL_API_SECRET": tc.secret}, "", "pull", "rewardful", "--out", dir, "--source-base-url", base, "--summary-json", sum)
			if r.code != tc.code {
				t.Fatalf("exit %d\n%s", r.code, r.stderr)
			}
			b, err := os.ReadFile(sum)
			if err != nil {
				t.Fatal(err)
			}
			noSecretIn(t, tmp, r, tc.secret)
			golden(t, "pull_summary_"+tc.name+".json", stable(string(b), map[string]string{dir: "DIR", base: "BASE"}))
		})
	}
}

// A --summary-json path inside DIR is refused before anything is read:
// the next pull would refuse the DIR for holding it.
func TestPullSummaryNotInDir(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	r := runCLI(t, map[string]string{"REWARDFUL_API_SECRET": "s"}, "", "pull", "rewardful", "--out", dir, "--summary-json", filepath.Join(dir, "s.json"))
	if r.code != exitUsage || !strings.Contains(r.stderr, "which holds only the files pull writes") {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
}

// pull --log-format json speaks in JSON lines on standard error, like the
// other commands: its start and end records, or one error record.
func TestPullLogFormatJSON(t *testing.T) {
	t.Parallel()
	base := servedRewardful(t, fake.RewardfulSample(rewardfulSecret))
	for _, tc := range []struct {
		name, secret string
		code         int
	}{
		{"whole", rewardfulSecret, exitOK},
		{"refused", "rwf_wrong_0a9b8c7d6e5f", exitUsage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "program")
			r := runCLI(t, map[string]string{"REWARDFUL_API_SECRET": tc.secret}, "", "pull", "rewardful", "--out", dir, "--source-base-url", base, "--log-format", "json")
			if r.code != tc.code {
				t.Fatalf("exit %d\n%s", r.code, r.stderr)
			}
			for _, line := range strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n") {
				if !json.Valid([]byte(line)) {
					t.Errorf("not a JSON line: %s", line)
				}
			}
			noSecretIn(t, dir, r, tc.secret)
			golden(t, "pull_log_"+tc.name+".jsonl", stable(r.stderr, map[string]string{dir: "DIR"}))
		})
	}
}

// On a terminal pull shows a bar of what it has written so far; one
// Ctrl-C stops it, exit 130, and the earlier pull's files are as they
// were.
func TestTerminalPullShowsProgressAndStopsAtCtrlC(t *testing.T) {
	t.Parallel()
	f := fake.RewardfulSample(rewardfulSecret)
	release := make(chan struct{})
	var held atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/commissions" {
			held.Add(1)
			select {
			case <-release:
			case <-r.Context().Done():
				return
			}
		}
		f.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	base := srv.URL + "/v1"

	dir := filepath.Join(t.TempDir(), "program")
	pullRewardfulInto(t, dir, servedRewardful(t, fake.RewardfulSample(rewardfulSecret)))
	before := dirFiles(t, dir)

	term := startTerminal(t, []string{"REWARDFUL_API_SECRET=" + rewardfulSecret}, "pull", "rewardful", "--out", dir, "--source-base-url", base)
	term.waitFor("the commissions asked for", func() bool { return held.Load() > 0 })
	term.waitFor("the bar", func() bool {
		return strings.HasPrefix(term.cursorLine(), "pulling: 4 partners, 4 customers, 0 transactions; ")
	})
	term.ctrlC()
	if code := term.exit(); code != exitInterrupted {
		t.Fatalf("exit %d, want 130:\n%s", code, strings.Join(term.screen(), "\n"))
	}
	if want := "partnero-import: pull rewardful stopped: interrupted; the earlier pull's files in " + dir + " are as they were"; !strings.Contains(strings.Join(term.screen(), ""), want) { // wrapped at 100 columns
		t.Errorf("no %q; the screen shows:\n%s", want, strings.Join(term.screen(), "\n"))
	}
	sameFiles(t, "after Ctrl-C", dirFiles(t, dir), before)
	if strings.Contains(term.rawText(), rewardfulSecret) {
		t.Error("the secret was shown")
	}
}

// A 429 the pull waits out is a WARN record, as import's pool says its
// own, so that a cron job's log shows why a pull slowed.
func TestPullSaysWhenThrottled(t *testing.T) {
	t.Parallel()
	f := fake.RewardfulSample(rewardfulSecret)
	f.ThrottleEvery = 3
	dir := filepath.Join(t.TempDir(), "program")
	r := runCLI(t, map[string]string{"REWARDFUL_API_SECRET": rewardfulSecret}, "", "pull", "rewardful", "--out", dir,
		"--log-format", "json", "--source-base-url", servedRewardful(t, f))
	if r.code != exitOK || !strings.Contains(r.stderr, `"msg":"throttled: the source asked the pull to wait","source":"rewardful","request":"GET /`) {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if strings.Contains(r.stderr, rewardfulSecret) {
		t.Errorf("the secret is on standard error:\n%s", r.stderr)
	}
}
