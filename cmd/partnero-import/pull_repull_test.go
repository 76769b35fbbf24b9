package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/partnero-import/partnero-import/importer/pull/fake"
	"github.com/partnero-import/partnero-import/report"
)

// pulledFileNames are the four files a pull puts in its DIR.
var pulledFileNames = []string{"partners.jsonl", "customers.jsonl", "transactions.jsonl", "left-out.csv"}

// pullRewardfulInto pulls f into dir and fails the test unless it ends 0.
func pullRewardfulInto(t *testing.T, dir, base string) {
	t.Helper()
	r := runCLI(t, map[string]string{"REWARDFUL_API_SECRET": rewardfulSecret}, "", "pull", "rewardful", "--out", dir, "--source-base-url", base)
	if r.code != exitOK {
		t.Fatalf("pull: exit %d\n%s", r.code, r.stderr)
	}
}

// dirFiles is every file of dir by name, with its bytes.
func dirFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = string(b)
	}
	return files
}

// sameFiles fails unless got holds exactly want's files, byte for byte.
func sameFiles(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	for name, w := range want {
		if g, ok := got[name]; !ok {
			t.Errorf("%s: %s is gone", what, name)
		} else if g != w {
			t.Errorf("%s: %s changed:\n%s\nwas:\n%s", what, name, g, w)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("%s: %s was left behind", what, name)
		}
	}
}

// A re-pull that fails, whether the source refuses it at once, fails
// half-way through the program or is interrupted, leaves the earlier
// pull's files (and its marker) byte for byte as they were, and none of
// its own temporary files.
func TestRepullThatFailsKeepsTheEarlierPull(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, secret string
		vary         func(*fake.Rewardful)
		interrupt    bool // a Ctrl-C once the commissions are asked for
		wantCode     int
	}{
		{"refused secret", "rwf_wrong_0a9b8c7d6e5f", func(*fake.Rewardful) {}, false, exitUsage},
		{"commissions go round", rewardfulSecret, func(f *fake.Rewardful) { f.RepeatPath = "/v1/commissions" }, false, exitUsage},
		{"interrupted", rewardfulSecret, func(*fake.Rewardful) {}, true, exitInterrupted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "program")
			pullRewardfulInto(t, dir, servedRewardful(t, fake.RewardfulSample(rewardfulSecret)))
			before := dirFiles(t, dir)

			f := fake.RewardfulSample(rewardfulSecret)
			tc.vary(f)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var h http.Handler = f
			if tc.interrupt {
				h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if r.URL.Path == "/v1/commissions" {
						cancel() // the partners and customers are written by now
					}
					f.ServeHTTP(w, r)
				})
			}
			srv := httptest.NewServer(h)
			defer srv.Close()
			r := runCLIContext(t, ctx, map[string]string{"REWARDFUL_API_SECRET": tc.secret}, "", "pull", "rewardful", "--out", dir, "--source-base-url", srv.URL+"/v1")
			if r.code != tc.wantCode || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "the earlier pull's files in "+dir+" are as they were") {
				t.Fatalf("re-pull: exit %d, want %d\n%s", r.code, tc.wantCode, r.stderr)
			}
			sameFiles(t, "after a failed re-pull", dirFiles(t, dir), before)
		})
	}
}

// A re-pull that reads the whole program replaces all four files, those
// the user edited included, with what a first pull writes.
func TestRepullReplacesAllFour(t *testing.T) {
	t.Parallel()
	base := servedRewardful(t, fake.RewardfulSample(rewardfulSecret))
	fresh := filepath.Join(t.TempDir(), "fresh")
	pullRewardfulInto(t, fresh, base)

	dir := filepath.Join(t.TempDir(), "program")
	pullRewardfulInto(t, dir, base)
	for _, name := range pulledFileNames {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("edited by hand\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	pullRewardfulInto(t, dir, base)
	got, want := dirFiles(t, dir), dirFiles(t, fresh)
	for _, name := range pulledFileNames {
		if got[name] != want[name] {
			t.Errorf("%s after the re-pull:\n%s\nwant:\n%s", name, got[name], want[name])
		}
	}
	if len(got) != len(pulledFileNames)+1 {
		t.Errorf("the DIR holds %d files, want the four and the marker: %v", len(got), keysOf(got))
	}
}

// A pull killed between the renames that put its files in place leaves
// a DIR whose files come from two pulls: import and validate refuse it,
// exit 2, one line saying to pull again; the next pull repairs it.
func TestHalfReplacedPullIsRefusedThenRepaired(t *testing.T) {
	t.Parallel()
	base := servedRewardful(t, fake.RewardfulSample(rewardfulSecret))
	dir := filepath.Join(t.TempDir(), "program")
	pullRewardfulInto(t, dir, base)
	// The crash's DIR: the marker says pull abc is renaming; left-out.csv
	// and transactions.jsonl are in place (renamed first), customers
	// and partners still under their temporary names.
	const id = "0123456789abcdef"
	marker := "written by partnero-import pull: it may write over the files here\npull " + id + " replacing\n"
	files := map[string]string{
		".partnero-pull":                     marker,
		"left-out.csv":                       "source,kind,source_id,email,reason,message\n",
		"transactions.jsonl":                 "",
		"customers.jsonl." + id + ".partial": "",
		"partners.jsonl." + id + ".partial":  `{"email":"new@example.com"}` + "\n",
		"transactions.jsonl.fedcba.partial":  "a killed pull's leftover\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want := dir + " holds files of two different pulls (one was stopped while putting its files in place): run the pull again"
	for _, args := range [][]string{
		{"import", "--sandbox", "--no-progress", dir},
		{"validate", "--no-progress", dir},
	} {
		r := runCLI(t, nil, "", args...)
		if r.code != exitUsage || r.stderr != "partnero-import: "+want+"\n" {
			t.Errorf("%s: exit %d\n%s", args[0], r.code, r.stderr)
		}
	}

	pullRewardfulInto(t, dir, base)
	fresh := filepath.Join(t.TempDir(), "fresh")
	pullRewardfulInto(t, fresh, base)
	got, fresher := dirFiles(t, dir), dirFiles(t, fresh)
	delete(got, ".partnero-pull")
	delete(fresher, ".partnero-pull")
	sameFiles(t, "after the repairing pull", got, fresher)
	if r := runCLI(t, nil, "", "import", "--sandbox", "--no-progress", dir); r.code != exitOK {
		t.Errorf("import of the repaired DIR: exit %d\n%s", r.code, r.stderr)
	}
}

func keysOf(m map[string]string) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	return keys
}

// The reports that validate and import of a DIR write beside its files do
// not stop the next pull, which leaves them as they are; a file of
// anything else still does.
func TestRepullAfterImportKeepsItsReports(t *testing.T) {
	t.Parallel()
	base := servedRewardful(t, fake.RewardfulSample(rewardfulSecret))
	dir := filepath.Join(t.TempDir(), "program")
	pullRewardfulInto(t, dir, base)
	if r := runCLI(t, nil, "", "validate", "--no-progress", dir); r.code != exitOK {
		t.Fatalf("validate: exit %d\n%s", r.code, r.stderr)
	}
	if r := runCLI(t, nil, "", "import", "--sandbox", "--no-progress", dir); r.code != exitOK {
		t.Fatalf("import: exit %d\n%s", r.code, r.stderr)
	}
	reports := dirFiles(t, dir)
	for _, name := range append(pulledFileNames, ".partnero-pull") {
		delete(reports, name)
	}
	if len(reports) < 6 {
		t.Fatalf("validate and import wrote only %v in DIR", keysOf(reports))
	}
	pullRewardfulInto(t, dir, base)
	after := dirFiles(t, dir)
	for name, text := range reports {
		if after[name] != text {
			t.Errorf("the re-pull changed %s", name)
		}
	}

	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, map[string]string{"REWARDFUL_API_SECRET": rewardfulSecret}, "", "pull", "rewardful", "--out", dir, "--source-base-url", base)
	if r.code != exitUsage || !strings.Contains(r.stderr, "holds files pull did not write (notes.txt)") {
		t.Errorf("a DIR with a file of the user's: exit %d\n%s", r.code, r.stderr)
	}
}

// A second pull into a DIR while one runs there is refused, exit 2, before
// it reads anything: it would remove the first one's temporary files.
func TestPullRefusesADirBeingPulled(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "program")
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	release, err := report.LockRun("pull\x00" + abs) // the first pull's hold
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	r := runCLI(t, map[string]string{"REWARDFUL_API_SECRET": rewardfulSecret}, "", "pull", "rewardful", "--out", dir,
		"--source-base-url", servedRewardful(t, fake.RewardfulSample(rewardfulSecret)))
	if r.code != exitUsage || r.stderr != "partnero-import: another pull into "+dir+" is running: wait for it to end\n" {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
}
