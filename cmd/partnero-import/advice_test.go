package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/partnero-import/partnero-import/importer/sandbox"
)

// A fixed --rate above the limit the server advertises is warned about;
// one under it, or auto, is not.
func TestRateAboveTheAdvertisedLimit(t *testing.T) {
	t.Parallel()
	input := csvOf(t, t.TempDir(), "in.csv", 3)
	for rate, warned := range map[string]bool{"50": true, "0": true, "5": false, "auto": false} {
		t.Run("--rate "+rate, func(t *testing.T) {
			t.Parallel()
			_, base := startSandbox(t, sandbox.Options{RateLimit: 600}) // 10 a second
			r := runCLI(t, map[string]string{"PARTNERO_API_KEY": "k", "PARTNERO_BASE_URL": base}, "", "import", "--no-progress",
				"--rate", rate, "--report", filepath.Join(t.TempDir(), "r.csv"), input)
			said := strings.Contains(r.stderr, "is above the limit the server advertises (600 requests a minute, 10 a second)")
			if said != warned || r.code != exitOK {
				t.Errorf("--rate %s: exit %d, warned %v\n%s", rate, r.code, said, r.stderr)
			}
		})
	}
}

// A run whose rows mostly clash with partners already there points to the
// flag made for overlapping lists; a run with it does not.
func TestMostlyEmailExistsSuggestsSkipExisting(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	r := runCLI(t, nil, "", "import", "--sandbox", "--sandbox-preload", "../../samples/partners.csv", "--no-progress", "--rate", "0",
		"--report", filepath.Join(dir, "r.csv"), "../../samples/partners.csv")
	if r.code != exitRowsFailed || !strings.Contains(r.stderr, "rows sent were rejected as email_exists") || !strings.Contains(r.stderr, "run with --skip-existing") {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	r = runCLI(t, nil, "", "import", "--sandbox", "--sandbox-preload", "../../samples/partners.csv", "--no-progress", "--rate", "0",
		"--skip-existing", "--report", filepath.Join(dir, "r2.csv"), "../../samples/partners.csv")
	if r.code != exitOK || strings.Contains(r.stderr, "email_exists") {
		t.Fatalf("with --skip-existing: exit %d\n%s", r.code, r.stderr)
	}
	r = runCLI(t, nil, "", "import", "--sandbox", "--sandbox-preload", "../../samples/messy-existing.csv", "--no-progress", "--rate", "0",
		"--report", filepath.Join(dir, "r3.csv"), "../../samples/messy.csv")
	if strings.Contains(r.stderr, "--skip-existing") {
		t.Fatalf("a few clashes among many rows: %s", r.stderr)
	}
}

// validate takes import's output flags: --summary-json, --log-format,
// --no-progress, --progress-interval and --verbose; off a terminal, its
// progress lines say how much of the file it has read.
func TestValidateTakesTheOutputFlags(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	input := csvOf(t, dir, "in.csv", 200)
	sum := filepath.Join(dir, "summary.json")
	r := runCLI(t, nil, "", "validate", "--no-progress", "--log-format", "json", "--verbose", "--summary-json", sum, "--report", filepath.Join(dir, "r.csv"), input)
	if r.code != exitOK {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	rows := 0
	for _, l := range strings.Split(strings.TrimSpace(r.stderr), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("not JSON: %q", l)
		}
		if m["msg"] == "row" {
			rows++
		}
		if m["msg"] == "progress" {
			t.Errorf("a progress line with --no-progress: %s", l)
		}
	}
	var s summaryJSON
	b, _ := os.ReadFile(sum)
	if err := json.Unmarshal(b, &s); err != nil || s.Command != "validate" || s.Rows != 200 || rows != 200 {
		t.Fatalf("summary %+v (%v), %d row lines", s, err, rows)
	}
	r = runCLI(t, nil, "", "validate", "--progress-interval", "1ms", "--report", filepath.Join(dir, "r2.csv"), csvOf(t, dir, "big.csv", 100000))
	if r.code != exitOK || !strings.Contains(r.stderr, "progress: checking ") || !strings.Contains(r.stderr, " MB of ") {
		t.Fatalf("exit %d; no progress lines:\n%s", r.code, r.stderr)
	}
}

// A column the tool only guesses at gets the --map that reads it, and
// --map may be given once per column, as that advice reads.
func TestMapAdviceWorks(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	in := filepath.Join(dir, "p.csv")
	os.WriteFile(in, []byte("email,Pwd,Referred By\na@x.io,Secr3tPass9,\nb@x.io,Secr3tPass9,a@x.io\n"), 0o600)
	// A column a preset reads as the referrer stops the run, with its --map.
	r := runCLI(t, nil, "", "validate", "--no-progress", "--report", filepath.Join(dir, "r.csv"), in)
	if r.code != exitUsage || !strings.Contains(r.stderr, "or --map referring_partner_email='Referred By',") {
		t.Fatalf("no advice:\n%s", r.stderr)
	}
	r = runCLI(t, nil, "", "validate", "--no-progress", "--map", "referring_partner_email=Referred By", "--report", filepath.Join(dir, "r.csv"), in)
	if !strings.Contains(r.stderr, "give --map password=Pwd") {
		t.Fatalf("no advice:\n%s", r.stderr)
	}
	r = runCLI(t, nil, "", "validate", "--no-progress", "--map", "password=Pwd", "--map", "referring_partner_email=Referred By", "--report", filepath.Join(dir, "r.csv"), in)
	if r.code != exitOK || !strings.Contains(r.stderr, `"Pwd"                    -> password (--map)`) ||
		!strings.Contains(r.stderr, `"Referred By"            -> referring_partner_email (--map)`) {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	noSecrets(t, r, "Secr3tPass9")
}
