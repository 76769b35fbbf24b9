package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/partnero-import/partnero-import/importer/pull/fake"
	"github.com/partnero-import/partnero-import/importer/sandbox"
)

// heldRewardful serves f, holding every request after the first arrives
// until release is called: a pull that is mid-run for as long as a test
// needs. arrived is closed when the first request comes.
func heldRewardful(t *testing.T, f *fake.Rewardful) (base string, arrived <-chan struct{}, release func()) {
	t.Helper()
	came, gate := make(chan struct{}), make(chan struct{})
	once := sync.OnceFunc(func() { close(came) })
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		once()
		select {
		case <-gate:
		case <-r.Context().Done():
		}
		f.ServeHTTP(w, r)
	}))
	release = sync.OnceFunc(func() { close(gate) })
	t.Cleanup(srv.Close)
	t.Cleanup(release) // before the server closes: cleanups run last first
	return srv.URL + "/v1", came, release
}

// waitFor waits until cond holds, failing the test after 20s.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no progress in 20s")
		}
	}
}

var rewardfulEnv = map[string]string{"REWARDFUL_API_SECRET": rewardfulSecret}

// An import of a pull's DIR holds the DIR for its whole run: a pull into
// it (by any name of the DIR) is refused, exit 2, one line, and the
// import sends one program's records. A pull that runs holds the DIR
// against an import (--sandbox too) and against a second pull through a
// symbolic link to the DIR.
func TestPullAndImportOfOneDirExcludeEachOther(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	dir, alias := filepath.Join(tmp, "program"), filepath.Join(tmp, "alias")
	pullRewardfulInto(t, dir, servedRewardful(t, fake.RewardfulSample(rewardfulSecret)))
	if err := os.Symlink("program", alias); err != nil {
		t.Fatal(err)
	}
	before := dirFiles(t, dir)

	g := &gatedServer{sb: sandbox.New(sandbox.Options{}), release: make(chan struct{})}
	base := newGatedServer(t, g)
	releaseImport := g.releaser(t)
	imported := make(chan result, 1)
	go func() {
		imported <- runCLI(t, map[string]string{"PARTNERO_API_KEY": "key"}, "", "import", "--no-progress", "--rate", "0", "--base-url", base, dir)
	}()
	waitFor(t, func() bool { return g.waiting() > 0 }) // the import is mid-run
	other := servedRewardful(t, fake.RewardfulSample(rewardfulSecret))
	for _, out := range []string{dir, alias} {
		r := runCLI(t, rewardfulEnv, "", "pull", "rewardful", "--out", out, "--source-base-url", other)
		if want := "partnero-import: an import of " + out + " is running: wait for it to end\n"; r.code != exitUsage || r.stderr != want {
			t.Errorf("pull --out %s during the import: exit %d\n%s", out, r.code, r.stderr)
		}
	}
	releaseImport()
	if r := <-imported; r.code != exitOK {
		t.Fatalf("import: exit %d\n%s", r.code, r.stderr)
	}
	after := dirFiles(t, dir)
	for _, name := range pulledFileNames {
		if after[name] != before[name] {
			t.Errorf("%s changed during the import", name)
		}
	}

	held, arrived, releasePull := heldRewardful(t, fake.RewardfulSample(rewardfulSecret))
	pulled := make(chan result, 1)
	go func() {
		pulled <- runCLI(t, rewardfulEnv, "", "pull", "rewardful", "--out", dir, "--source-base-url", held)
	}()
	<-arrived // the pull is mid-run
	for _, tc := range []struct{ input, dir string }{{dir, dir}, {filepath.Join(alias, "partners.jsonl"), alias}} {
		r := runCLI(t, nil, "", "import", "--sandbox", "--no-progress", tc.input)
		if want := "partnero-import: a pull into " + tc.dir + " is running: wait for it to end, then import the files it wrote\n"; r.code != exitUsage || r.stderr != want {
			t.Errorf("import %s during the pull: exit %d\n%s", tc.input, r.code, r.stderr)
		}
	}
	r := runCLI(t, rewardfulEnv, "", "pull", "rewardful", "--out", alias, "--source-base-url", other)
	if want := "partnero-import: another pull into " + alias + " is running: wait for it to end\n"; r.code != exitUsage || r.stderr != want {
		t.Errorf("a second pull through a link: exit %d\n%s", r.code, r.stderr)
	}
	releasePull()
	if r := <-pulled; r.code != exitOK {
		t.Fatalf("pull: exit %d\n%s", r.code, r.stderr)
	}
}

// --summary-json that reaches --out by another name (a symbolic link to
// the DIR, /proc/self/root) is refused before anything is written: it
// would write over a program's file or the marker.
func TestPullSummaryNotInDirByAnotherName(t *testing.T) {
	t.Parallel()
	base := servedRewardful(t, fake.RewardfulSample(rewardfulSecret))
	for _, tc := range []struct {
		name    string
		summary func(tmp, dir string) string
	}{
		{"a link to DIR", func(tmp, _ string) string { return filepath.Join(tmp, "alias", "partners.jsonl") }},
		{"a link to DIR, the marker", func(tmp, _ string) string { return filepath.Join(tmp, "alias", ".partnero-pull") }},
		{"/proc/self/root", func(_, dir string) string { return "/proc/self/root" + dir + "/transactions.jsonl" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if _, err := os.Stat("/proc/self/root"); err != nil {
				t.Skip("no /proc here")
			}
			tmp := t.TempDir()
			dir := filepath.Join(tmp, "program")
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink("program", filepath.Join(tmp, "alias")); err != nil {
				t.Fatal(err)
			}
			for _, first := range []bool{true, false} { // an empty DIR, then an earlier pull's
				before := dirFiles(t, dir)
				r := runCLI(t, rewardfulEnv, "", "pull", "rewardful", "--out", dir, "--source-base-url", base, "--summary-json", tc.summary(tmp, dir))
				if r.code != exitUsage || !strings.Contains(r.stderr, "which holds only the files pull writes") {
					t.Fatalf("exit %d\n%s", r.code, r.stderr)
				}
				sameFiles(t, "after the refused pull", dirFiles(t, dir), before)
				if first {
					pullRewardfulInto(t, dir, base)
				}
			}
		})
	}
}

// A marker that says a pull was putting its files in place makes validate
// and import refuse the DIR whatever temporary files remain (deleted, the
// DIR looks whole), and refuse its files named one by one too.
func TestReplacingMarkerRefusedWhateverRemains(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "program")
	pullRewardfulInto(t, dir, servedRewardful(t, fake.RewardfulSample(rewardfulSecret)))
	marker := "written by partnero-import pull: it may write over the files here\npull 0123456789abcdef replacing\n"
	if err := os.WriteFile(filepath.Join(dir, ".partnero-pull"), []byte(marker), 0o644); err != nil {
		t.Fatal(err)
	}
	files := []string{filepath.Join(dir, "partners.jsonl"), filepath.Join(dir, "customers.jsonl"), filepath.Join(dir, "transactions.jsonl")}
	want := "partnero-import: " + dir + " holds files of two different pulls (one was stopped while putting its files in place): run the pull again\n"
	for _, args := range [][]string{
		{"validate", "--no-progress", dir},
		{"import", "--sandbox", "--no-progress", dir},
		append([]string{"validate", "--no-progress"}, files...),
		append([]string{"import", "--sandbox", "--no-progress"}, files...),
		{"validate", "--no-progress", files[1]},
	} {
		if r := runCLI(t, nil, "", args...); r.code != exitUsage || r.stderr != want {
			t.Errorf("%v: exit %d\n%s", args, r.code, r.stderr)
		}
	}
}

// A .partnero-pull that pull did not write (a pipe, empty, garbage, two
// states, an unknown one, 70 KB) is not pull's: pull refuses the DIR as
// one holding files it did not write, leaving the user's partners.jsonl
// as it was, and validate and import say so in one line, without
// waiting on a pipe.
func TestMarkerPullDidNotWrite(t *testing.T) {
	t.Parallel()
	head := "written by partnero-import pull: it may write over the files here\n"
	base := servedRewardful(t, fake.RewardfulSample(rewardfulSecret))
	for _, tc := range []struct {
		name, marker string
		fifo         bool
	}{
		{"a pipe", "", true},
		{"empty", "", false},
		{"garbage", "mine\n", false},
		{"two states", head + "pull 0123456789abcdef whole\npull 0123456789abcdef replacing\n", false},
		{"an unknown state", head + "pull 0123456789abcdef done\n", false},
		{"70 KB", head + strings.Repeat("x", 70<<10) + "\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			mine := `{"email":"mine@example.com"}` + "\n"
			if err := os.WriteFile(filepath.Join(dir, "partners.jsonl"), []byte(mine), 0o644); err != nil {
				t.Fatal(err)
			}
			marker := filepath.Join(dir, ".partnero-pull")
			if tc.fifo {
				if err := syscall.Mkfifo(marker, 0o600); err != nil {
					t.Skipf("no named pipes here: %v", err)
				}
			} else if err := os.WriteFile(marker, []byte(tc.marker), 0o644); err != nil {
				t.Fatal(err)
			}
			r := runCLI(t, rewardfulEnv, "", "pull", "rewardful", "--out", dir, "--source-base-url", base)
			if r.code != exitUsage || !strings.Contains(r.stderr, "holds files pull did not write (.partnero-pull is not a pull's marker)") {
				t.Errorf("pull: exit %d\n%s", r.code, r.stderr)
			}
			if b, _ := os.ReadFile(filepath.Join(dir, "partners.jsonl")); string(b) != mine {
				t.Errorf("pull changed the user's partners.jsonl:\n%s", b)
			}
			for _, args := range [][]string{
				{"validate", "--no-progress", dir},
				{"import", "--sandbox", "--no-progress", dir},
				{"validate", "--no-progress", filepath.Join(dir, "partners.jsonl")},
			} {
				r := runCLI(t, nil, "", args...)
				if r.code != exitUsage || !strings.Contains(r.stderr, "is not a pull's marker") || strings.Count(r.stderr, "\n") != 1 {
					t.Errorf("%v: exit %d\n%s", args, r.code, r.stderr)
				}
			}
		})
	}
}

// A DIR whose marker says whole but which lacks one of its files is no
// program: validate and import refuse it, one line.
func TestWholePullLackingAFile(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "program")
	pullRewardfulInto(t, dir, servedRewardful(t, fake.RewardfulSample(rewardfulSecret)))
	if err := os.Remove(filepath.Join(dir, "customers.jsonl")); err != nil {
		t.Fatal(err)
	}
	want := "partnero-import: " + dir + " lacks the customers.jsonl its pull wrote: run the pull again\n"
	for _, args := range [][]string{{"validate", "--no-progress", dir}, {"import", "--sandbox", "--no-progress", dir}} {
		if r := runCLI(t, nil, "", args...); r.code != exitUsage || r.stderr != want {
			t.Errorf("%v: exit %d\n%s", args, r.code, r.stderr)
		}
	}
}

// The next-step hint quotes a DIR that a shell would split.
func TestPullHintQuotesTheDir(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "sp ace")
	r := runCLI(t, rewardfulEnv, "", "pull", "rewardful", "--out", dir, "--source-base-url", servedRewardful(t, fake.RewardfulSample(rewardfulSecret)))
	if want := "next: partnero-import validate '" + dir + "'\n"; r.code != exitOK || !strings.HasSuffix(r.stderr, want) {
		t.Errorf("exit %d, want the hint %q\n%s", r.code, want, r.stderr)
	}
}

// A pull that fails leaves no directory it made (nor the marker in it);
// one that was there stays.
func TestFailedPullRemovesTheDirItMade(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	base := servedRewardful(t, fake.RewardfulSample(rewardfulSecret))
	bad := map[string]string{"REWARDFUL_API_SECRET": "wrong"}
	r := runCLI(t, bad, "", "pull", "rewardful", "--out", filepath.Join(tmp, "a", "b"), "--source-base-url", base)
	if r.code != exitUsage {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
		t.Errorf("the failed pull left %v", entries)
	}
	dir := filepath.Join(tmp, "program")
	pullRewardfulInto(t, dir, base)
	before := dirFiles(t, dir)
	if r := runCLI(t, bad, "", "pull", "rewardful", "--out", dir, "--source-base-url", base); r.code != exitUsage {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	sameFiles(t, "after a failed re-pull", dirFiles(t, dir), before)
}

// A summary is written whole or not at all: a pull that fails on a full
// disk (here, a file size limit of zero) leaves the earlier summary as it
// was, not a cut or empty file, and no temporary file beside it.
func TestSummaryOnAFullDiskKeepsTheEarlierOne(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	tmp := t.TempDir()
	dir, summary := filepath.Join(tmp, "program"), filepath.Join(tmp, "s.json")
	base := servedRewardful(t, fake.RewardfulSample(rewardfulSecret))
	args := []string{"pull", "rewardful", "--out", dir, "--source-base-url", base, "--summary-json", summary}
	if r := runCLI(t, rewardfulEnv, "", args...); r.code != exitOK {
		t.Fatalf("pull: exit %d\n%s", r.code, r.stderr)
	}
	earlier, err := os.ReadFile(summary)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sh", append([]string{"-c", `ulimit -f 0 && exec "$0" "$@"`, bin}, args...)...)
	cmd.Env = append(os.Environ(), "REWARDFUL_API_SECRET="+rewardfulSecret)
	out, err := cmd.CombinedOutput()
	if cmd.ProcessState == nil || cmd.ProcessState.ExitCode() != exitUsage {
		t.Fatalf("pull with no room: %v, want exit 2\n%s", err, out)
	}
	if b, _ := os.ReadFile(summary); string(b) != string(earlier) {
		t.Errorf("the summary is now %d bytes:\n%s", len(b), b)
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 2 {
		t.Errorf("beside the DIR and the summary: %v", entries)
	}
}
