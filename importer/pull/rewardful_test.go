package pull_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/partnero-import/partnero-import/importer/pull"
	"github.com/partnero-import/partnero-import/importer/pull/fake"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

const testSecret = "rwf_secret_7f3a9c2e41d8b6"

// pullInto pulls from f, served over HTTP on 127.0.0.1, into dir, with
// the limit's window scaled to window.
func pullInto(t *testing.T, f *fake.Rewardful, secret, dir string, window time.Duration) (*pull.Out, error) {
	t.Helper()
	return pullServed(t, f, "rewardful", "/v1", map[string]string{pull.RewardfulSecretEnv: secret}, pull.Options{Window: window}, dir)
}

// The sample program's files are the golden ones: every variation lands
// carried or in left-out.csv with its reason.
func TestRewardfulSample(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		vary func(*fake.Rewardful)
	}{
		{"as documented", func(*fake.Rewardful) {}},
		{"every third request a 503", func(f *fake.Rewardful) { f.FailEvery = 3 }},
		{"pages repeating the last record of the page before", func(f *fake.Rewardful) { f.PageSize, f.Overlap = 2, true }},
		{"a limit of 2 requests per 50ms", func(f *fake.Rewardful) { f.Limit, f.Window, f.ThrottleEvery = 2, 50*time.Millisecond, 4 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := fake.RewardfulSample(testSecret)
			tc.vary(f)
			dir := t.TempDir()
			out, err := pullInto(t, f, testSecret, dir, time.Millisecond)
			if err != nil {
				t.Fatal(err)
			}
			sameAsGoldens(t, "rewardful", dir, out)
			if _, throttled := f.Counts(); tc.name == "a limit of 2 requests per 50ms" && throttled == 0 {
				t.Error("the fake never answered 429: the test did not test waiting one out")
			}
		})
	}
}

// Paced under the limit, a pull of many pages meets no 429.
func TestRewardfulPacedUnderTheLimit(t *testing.T) {
	t.Parallel()
	f := &fake.Rewardful{Secret: testSecret, Limit: 45, Window: 300 * time.Millisecond}
	for i := range 4700 { // 47 pages: more than a window's 45 requests
		f.Affiliates = append(f.Affiliates, map[string]any{"id": fmt.Sprint(i), "email": fmt.Sprintf("p%d@example.com", i)})
	}
	if _, err := pullInto(t, f, testSecret, t.TempDir(), 300*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	requests, throttled := f.Counts()
	if requests < 49 || throttled != 0 {
		t.Errorf("%d requests, %d answered 429; want 49 and none", requests, throttled)
	}
}

// A refused secret, a paging that goes round, a source unreachable: the
// pull fails with one message, never the secret, and leaves no program.
func TestRewardfulFails(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, secret, want string
		vary               func(*fake.Rewardful)
	}{
		{"refused secret", "wrong_secret_55aa77bb99", "rewardful refused the credentials (401 Unauthorized): check REWARDFUL_API_SECRET", func(*fake.Rewardful) {}},
		{"referrals go round", testSecret, "the rewardful referrals pages go round: page 2 lists the same records as page 1", func(f *fake.Rewardful) { f.RepeatPath = "/v1/referrals" }},
		{"always 503", testSecret, "GET /affiliates: rewardful answered 503 after 6 attempts", func(f *fake.Rewardful) { f.FailEvery = 1 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := fake.RewardfulSample(testSecret)
			tc.vary(f)
			dir := t.TempDir()
			_, err := pullInto(t, f, tc.secret, dir, time.Millisecond)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v; want %q", err, tc.want)
			}
			if strings.Contains(err.Error(), tc.secret) {
				t.Errorf("the error says the secret: %v", err)
			}
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				if e.Name() != ".partnero-pull" {
					t.Errorf("a failed pull left %s", e.Name())
				}
			}
		})
	}
}

// Out refuses a DIR holding files it did not write, and takes back one it
// wrote.
func TestOutClaimsItsDir(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		files []string
		ok    bool
	}{
		{"empty", nil, true},
		{"a file of someone else", []string{"notes.txt"}, false},
		{"program files, not pull's", []string{"partners.jsonl"}, false},
		{"pull's, from before", []string{".partnero-pull", "partners.jsonl", "left-out.csv.partial"}, true},
		{"pull's, and another file", []string{".partnero-pull", "partners.jsonl", "notes.txt"}, false},
		{"a user's own program beside an empty marker", []string{"forged/.partnero-pull", "partners.jsonl"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			for _, f := range tc.files {
				text := "x\n"
				if f == ".partnero-pull" {
					text = "written by partnero-import pull: it may write over the files here\n"
				}
				if f == "forged/.partnero-pull" {
					f, text = ".partnero-pull", ""
				}
				if err := os.WriteFile(filepath.Join(dir, f), []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			out, err := pull.Create(dir, "rewardful")
			if (err == nil) != tc.ok {
				t.Fatalf("Create: %v; want ok %v", err, tc.ok)
			}
			if err != nil {
				if !strings.Contains(err.Error(), "holds files pull did not write") {
					t.Errorf("message %q", err)
				}
				return
			}
			if err := out.Finish(); err != nil {
				t.Fatal(err)
			}
			if got := read(t, filepath.Join(dir, "partners.jsonl")); got != "" {
				t.Errorf("partners.jsonl of an earlier pull survived: %q", got)
			}
		})
	}
}

func TestUnknownSource(t *testing.T) {
	t.Parallel()
	_, err := pull.New("nosuchsource", func(string) string { return "x" }, pull.Options{})
	if err == nil || err.Error() != `this build pulls from `+strings.Join(pull.Names(), ", ")+` only, not "nosuchsource"` {
		t.Errorf("error %v", err)
	}
	_, err = pull.New("rewardful", func(string) string { return "" }, pull.Options{})
	if err == nil || err.Error() != "pull rewardful needs REWARDFUL_API_SECRET in the environment" {
		t.Errorf("error %v", err)
	}
	_, err = pull.New("rewardful", func(string) string { return "x" }, pull.Options{BaseURL: "http://example.com/v1"})
	if err == nil || !strings.Contains(err.Error(), "must use https") {
		t.Errorf("error %v", err)
	}
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if want := read(t, path); got != want {
		t.Errorf("%s differs:\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}
