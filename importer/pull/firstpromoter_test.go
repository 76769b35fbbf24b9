package pull_test

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/partnero-import/partnero-import/importer/pull"
	"github.com/partnero-import/partnero-import/importer/pull/fake"
)

const (
	fpKey     = "fp_key_4b9d2e7a1c6f3088"
	fpAccount = "acc_77e1b2c3d4"
)

// pullFirstPromoter pulls from f, served over HTTP on 127.0.0.1, into dir
// with key and account, the limit's window scaled to window.
func pullFirstPromoter(t *testing.T, f *fake.FirstPromoter, key, account, dir string, window time.Duration) (*pull.Out, error) {
	t.Helper()
	env := map[string]string{pull.FirstPromoterKeyEnv: key, pull.FirstPromoterAccountEnv: account}
	return pullServed(t, f, "firstpromoter", "/api/v2/company", env, pull.Options{Window: window}, dir)
}

// The sample program's files are the golden ones, however the fake
// answers: every variation lands carried or in left-out.csv with its
// reason, and no password moves.
func TestFirstPromoterSample(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		vary      func(*fake.FirstPromoter)
		throttles bool
	}{
		{"as documented", func(*fake.FirstPromoter) {}, false},
		{"every third request a 503", func(f *fake.FirstPromoter) { f.FailEvery = 3 }, false},
		// One request per 100ms: the second comes sooner whatever the load.
		{"a limit of 1 request per 100ms", func(f *fake.FirstPromoter) { f.Limit, f.Window, f.ThrottleEvery = 1, 100*time.Millisecond, 4 }, true},
		{"429 without Retry-After", func(f *fake.FirstPromoter) {
			f.Limit, f.Window, f.NoRetryAfter, f.ThrottleEvery = 1, 100*time.Millisecond, true, 4
		}, true},
		{"commissions in data.data", func(f *fake.FirstPromoter) { f.CommissionsNested = true }, false},
		{"pages of 2 records, whatever per_page asks", func(f *fake.FirstPromoter) { f.MaxPerPage = 2 }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := fake.FirstPromoterSample(fpKey, fpAccount)
			tc.vary(f)
			dir := t.TempDir()
			out, err := pullFirstPromoter(t, f, fpKey, fpAccount, dir, time.Millisecond)
			if err != nil {
				t.Fatal(err)
			}
			for name, got := range sameAsGoldens(t, "firstpromoter", dir, out) {
				if strings.Contains(got, "Pa55word") {
					t.Errorf("%s carries the v1 temp_password", name)
				}
			}
			if _, throttled := f.Counts(); tc.throttles && throttled == 0 {
				t.Error("the fake never answered 429: the test did not test waiting one out")
			}
		})
	}
}

// Paced under the limit, a pull of more pages than a window allows meets
// no 429, and reads to the real end: the first empty page.
func TestFirstPromoterPacedUnderTheLimit(t *testing.T) {
	t.Parallel()
	f := &fake.FirstPromoter{Key: fpKey, Account: fpAccount, Limit: 400, Window: 400 * time.Millisecond}
	for i := range 40_100 { // 401 full pages, then an empty one
		f.Promoters = append(f.Promoters, map[string]any{"id": i})
	}
	out, err := pullFirstPromoter(t, f, fpKey, fpAccount, t.TempDir(), 400*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	requests, throttled := f.Counts()
	if requests != 404 || throttled != 0 { // 402 of promoters, one empty page each of referrals and commissions
		t.Errorf("%d requests, %d answered 429; want 404 and none", requests, throttled)
	}
	if n := out.Summary.LeftOut[pull.KindPartner]["no_email"]; n != 40_100 {
		t.Errorf("%d promoters left out for no email; want every one of 40100", n)
	}
}

// A refused key or account, a paging that goes round, a source failing:
// the pull fails with one message, never a credential in any form, and
// leaves no program.
func TestFirstPromoterFails(t *testing.T) {
	t.Parallel()
	refused := "firstpromoter refused the credentials (%s): check FIRSTPROMOTER_API_KEY and FIRSTPROMOTER_ACCOUNT_ID"
	for _, tc := range []struct {
		name, key, account, want string
		vary                     func(*fake.FirstPromoter)
	}{
		{"refused key", "fp_wrong_key_0a9b8c7d6e", fpAccount, strings.Replace(refused, "%s", "401 Unauthorized", 1), func(*fake.FirstPromoter) {}},
		{"refused account", fpKey, "acc_wrong_5566", strings.Replace(refused, "%s", "403 Forbidden", 1), func(*fake.FirstPromoter) {}},
		{"referrals go round", fpKey, fpAccount, "the firstpromoter referrals pages go round: page 2 lists the same records as page 1", func(f *fake.FirstPromoter) {
			f.RepeatPath = "/api/v2/company/referrals"
		}},
		{"always 503", fpKey, fpAccount, "GET /promoters: firstpromoter answered 503 after 6 attempts", func(f *fake.FirstPromoter) { f.FailEvery = 1 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := fake.FirstPromoterSample(fpKey, fpAccount)
			tc.vary(f)
			dir := t.TempDir()
			_, err := pullFirstPromoter(t, f, tc.key, tc.account, dir, time.Millisecond)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v; want %q", err, tc.want)
			}
			for _, s := range []string{tc.key, tc.account, fpKey, fpAccount} {
				if strings.Contains(err.Error(), s) || strings.Contains(err.Error(), base64.StdEncoding.EncodeToString([]byte(s))) {
					t.Errorf("the error says a credential: %v", err)
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

func TestFirstPromoterNeedsBoth(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{pull.FirstPromoterAccountEnv: "a"}, "pull firstpromoter needs FIRSTPROMOTER_API_KEY in the environment"},
		{map[string]string{pull.FirstPromoterKeyEnv: "k"}, "pull firstpromoter needs FIRSTPROMOTER_ACCOUNT_ID in the environment"},
	} {
		_, err := pull.New("firstpromoter", func(name string) string { return tc.env[name] }, pull.Options{})
		if err == nil || err.Error() != tc.want {
			t.Errorf("error %v; want %q", err, tc.want)
		}
	}
}

// An upper tier's commission's line says what happened to its sale: the
// transaction that carries it (211, listed before the direct commission
// of its sale), that no direct commission of it was carried so the sale
// does not move (217), or, naming no sale (216), that it moves only with
// the referring promoter's own commission if FirstPromoter lists one.
func TestFirstPromoterTierLineSaysWhatHappened(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if _, err := pullFirstPromoter(t, fake.FirstPromoterSample(fpKey, fpAccount), fpKey, fpAccount, dir, time.Millisecond); err != nil {
		t.Fatal(err)
	}
	left := read(t, filepath.Join(dir, pull.LeftOutFile))
	for id, says := range map[string][]string{
		"211": {"transaction ch_202 carries its sale"},
		"219": {"transaction evt_10 carries its sale"},
		"217": {"no direct commission of sale ch_299 was carried over", "does not move"},
		"216": {"names no sale", "only with the referring promoter's own commission, if FirstPromoter lists one"},
	} {
		line := lineWith(left, "firstpromoter,transaction,"+id+",")
		for _, s := range says {
			if !strings.Contains(line, s) {
				t.Errorf("commission %s's line does not say %q: %q", id, s, line)
			}
		}
		if id != "211" && id != "219" && strings.Contains(line, "carries its sale") {
			t.Errorf("commission %s's line says a transaction carries its sale: %q", id, line)
		}
	}
}
