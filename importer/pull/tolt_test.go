package pull_test

import (
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/partnero-import/partnero-import/importer/pull"
	"github.com/partnero-import/partnero-import/importer/pull/fake"
)

const (
	toltKey     = "tolt_sk_9d8c7b6a5f4e3d2c"
	toltProgram = "prg_sample01"
)

// pullTolt pulls program from f, served over HTTP on 127.0.0.1, into dir,
// with the limit's window scaled to window.
func pullTolt(t *testing.T, f *fake.Tolt, key, program, dir string, window time.Duration) (*pull.Out, error) {
	t.Helper()
	return pullServed(t, f, "tolt", "/v1", map[string]string{pull.ToltKeyEnv: key}, pull.Options{ProgramID: program, Window: window}, dir)
}

// The sample program's files are the golden ones: every variation lands
// carried or in left-out.csv with its reason.
func TestToltSample(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		vary func(*fake.Tolt)
	}{
		{"as documented", func(*fake.Tolt) {}},
		{"every third request a 503", func(f *fake.Tolt) { f.FailEvery = 3 }},
		{"a limit of 2 requests per 50ms", func(f *fake.Tolt) { f.Limit, f.Window = 2, 50*time.Millisecond }},
		{"every fourth request a 429", func(f *fake.Tolt) { f.ThrottleEvery = 4 }},
		{"every fourth request a 429 without Retry-After", func(f *fake.Tolt) { f.ThrottleEvery, f.NoRetryAfter = 4, true }},
		{"pages as large as asked", func(f *fake.Tolt) { f.MaxLimit = 0 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := fake.ToltSample(toltKey, toltProgram)
			tc.vary(f)
			dir := t.TempDir()
			out, err := pullTolt(t, f, toltKey, toltProgram, dir, time.Millisecond)
			if err != nil {
				t.Fatal(err)
			}
			sameAsGoldens(t, "tolt", dir, out)
			if _, throttled := f.Counts(); f.ThrottleEvery > 0 && throttled == 0 {
				t.Error("the fake never answered 429: the test did not test waiting one out")
			}
		})
	}
}

// Paced under the limit, a pull of many pages meets no 429.
func TestToltPacedUnderTheLimit(t *testing.T) {
	t.Parallel()
	f := &fake.Tolt{Key: toltKey, ProgramID: toltProgram, Limit: 25, Window: 200 * time.Millisecond}
	for i := range 5000 { // 50 pages of partners: two windows' 25 requests
		f.Partners = append(f.Partners, map[string]any{"id": fmt.Sprintf("part_%d", i), "email": fmt.Sprintf("p%d@example.com", i)})
	}
	if _, err := pullTolt(t, f, toltKey, toltProgram, t.TempDir(), 200*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	requests, throttled := f.Counts()
	if requests != 53 || throttled != 0 { // 50 pages of partners, one each of links, customers, commissions
		t.Errorf("%d requests, %d answered 429; want 53 and none", requests, throttled)
	}
}

// A refused key, a paging that goes round, an unknown program, a source
// failing: the pull fails with one message, never the key in any form,
// and leaves no program.
func TestToltFails(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, key, program, want string
		vary                     func(*fake.Tolt)
	}{
		{"refused key", "tolt_wrong_0a9b8c7d6e", toltProgram, "tolt refused the credentials (401 Unauthorized): check TOLT_API_KEY", func(*fake.Tolt) {}},
		{"customers go round", toltKey, toltProgram, "the tolt customers pages go round: page 2 lists the same records as page 1", func(f *fake.Tolt) { f.RepeatPath = "/v1/customers" }},
		{"a cursor named twice", toltKey, toltProgram, "the tolt partners pages go round: page after part_2 is named next a second time", func(f *fake.Tolt) {
			f.Partners = append(f.Partners[:3:3], f.Partners[1], f.Partners[3]) // the second page ends where the first did
		}},
		{"unknown program", toltKey, "prg_other", `GET /links: tolt answered 404: "{\"error\":{\"message\":\"No such program: prg_other\"`, func(*fake.Tolt) {}},
		{"always 503", toltKey, toltProgram, "GET /links: tolt answered 503 after 6 attempts", func(f *fake.Tolt) { f.FailEvery = 1 }},
		{"has_more on an empty page", toltKey, toltProgram, "tolt partners page 1 lists nothing yet says has_more", func(f *fake.Tolt) {
			f.Partners, f.RepeatPath = nil, "/v1/partners"
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := fake.ToltSample(toltKey, toltProgram)
			tc.vary(f)
			dir := t.TempDir()
			_, err := pullTolt(t, f, tc.key, tc.program, dir, time.Millisecond)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v; want %q", err, tc.want)
			}
			for _, form := range []string{tc.key, base64.StdEncoding.EncodeToString([]byte(tc.key))} {
				if strings.Contains(err.Error(), form) {
					t.Errorf("the error says the key: %v", err)
				}
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

func TestToltNeedsAProgram(t *testing.T) {
	t.Parallel()
	_, err := pull.New("tolt", func(string) string { return "k" }, pull.Options{})
	if err == nil || !strings.Contains(err.Error(), "pull tolt needs --program-id prg_...") {
		t.Errorf("error %v", err)
	}
	_, err = pull.New("tolt", func(string) string { return "" }, pull.Options{ProgramID: toltProgram})
	if err == nil || err.Error() != "pull tolt needs TOLT_API_KEY in the environment" {
		t.Errorf("error %v", err)
	}
}

func TestSlugify(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"jane doe":       "jane-doe",
		"  Jane  Doe! ":  "jane-doe",
		"josé  d'arc":    "jose-d-arc",
		"already-a-slug": "already-a-slug",
		"a_b c":          "a-b-c",
		"!!!":            "",
		"日本":             "",
	} {
		if got := pull.Slugify(in); got != want {
			t.Errorf("Slugify(%q) = %q; want %q", in, got, want)
		}
	}
}

// A sale's date is its transaction's when Tolt expands it (09:00), the
// commission's (10:00) only when it does not; an invalid amount says
// "not cents", naming a currency only where Tolt names one.
func TestToltSaleDateAndInvalidAmount(t *testing.T) {
	t.Parallel()
	f := fake.ToltSample(toltKey, toltProgram)
	f.Commissions = append(f.Commissions, map[string]any{"id": "com_11", "amount": "1.5", "revenue": "150", "status": "paid",
		"transaction_id": "tx_11", "customer_id": "cus_6", "created_at": "2024-03-01T10:00:00.000Z",
		"transaction": map[string]any{"id": "tx_11", "currency": "eur", "created_at": "2024-03-01T09:00:00.000Z"}})
	dir := t.TempDir()
	if _, err := pullTolt(t, f, toltKey, toltProgram, dir, time.Millisecond); err != nil {
		t.Fatal(err)
	}
	txs := read(t, filepath.Join(dir, pull.TransactionsFile))
	for key, date := range map[string]string{"tx_1": "2024-03-01T09:00:00.000Z", "ch_com_8": "2024-03-01T10:00:00.000Z"} {
		if line := lineWith(txs, `"key":"`+key+`"`); !strings.Contains(line, `"created_at":"`+date+`"`) {
			t.Errorf("transaction %s is not dated %s: %s", key, date, line)
		}
	}
	left := read(t, filepath.Join(dir, pull.LeftOutFile))
	for id, says := range map[string]string{"tx_9": `""12.5"" is not cents"`, "tx_11": `""1.5"" is not cents of EUR"`} {
		if line := lineWith(left, ","+id+","); !strings.HasSuffix(line, says) {
			t.Errorf("the line of %s does not end %s: %q", id, says, line)
		}
	}
}
