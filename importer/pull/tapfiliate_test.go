package pull_test

import (
	"cmp"
	"encoding/base64"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/partnero-import/partnero-import/importer/pull"
	"github.com/partnero-import/partnero-import/importer/pull/fake"
)

const tapfiliateKey = "tap_key_3b9e51c7a2d04f"

// pullTapfiliate pulls from f, served over HTTP on 127.0.0.1, into dir.
func pullTapfiliate(t *testing.T, f *fake.Tapfiliate, key, dir string) (*pull.Out, error) {
	t.Helper()
	return pullTapfiliateIn(t, f, key, dir, "")
}

// pullTapfiliateIn is pullTapfiliate reading amounts in the unit
// amountsIn ("": the default, cents).
func pullTapfiliateIn(t *testing.T, f *fake.Tapfiliate, key, dir, amountsIn string) (*pull.Out, error) {
	t.Helper()
	return pullServed(t, f, "tapfiliate", "/1.6", map[string]string{pull.TapfiliateKeyEnv: key},
		pull.Options{Window: time.Millisecond, AmountsIn: amountsIn}, dir)
}

// The sample program's files are the golden ones, however the fake
// answers: every variation lands carried or in left-out.csv with its
// reason.
func TestTapfiliateSample(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		vary      func(*fake.Tapfiliate)
		throttled bool // whether the fake must have answered 429
		// amountsIn: the unit amounts are read in, and goldens the
		// golden files' folder under testdata ("": tapfiliate).
		amountsIn, goldens string
	}{
		{"as documented", func(*fake.Tapfiliate) {}, false, "", ""},
		{"every third request a 503", func(f *fake.Tapfiliate) { f.FailEvery = 3 }, false, "", ""},
		{"lists under data and data.data", func(f *fake.Tapfiliate) {
			f.Wrapped = map[string]string{"/1.6/customers/": "data.data", "/1.6/conversions/": "data"}
		}, false, "", ""},
		{"25 a page", func(f *fake.Tapfiliate) { f.PerPage = 0 }, false, "", ""},
		{"429 with Retry-After, no rate headers", func(f *fake.Tapfiliate) {
			f.Limit, f.Window, f.NoRateHeaders, f.RetryAfter, f.ThrottleEvery = 2, 50*time.Millisecond, true, true, 4
		}, true, "", ""},
		{"429 with neither Retry-After nor rate headers", func(f *fake.Tapfiliate) {
			f.Limit, f.Window, f.NoRateHeaders, f.ThrottleEvery = 2, 50*time.Millisecond, true, 4
		}, true, "", ""},
		// X-Ratelimit-Remaining 0 makes the pull wait for -Reset: no 429.
		{"X-Ratelimit-* honoured", func(f *fake.Tapfiliate) { f.Limit, f.Window = 4, 300*time.Millisecond }, false, "", ""},
		// Tapfiliate's reference types amounts as decimals: read as
		// major units when asked, the same sums as the cents.
		{"amounts in major units, --amounts-in major", func(f *fake.Tapfiliate) { f.InMajorUnits() }, false,
			pull.AmountsInMajor, filepath.Join("tapfiliate", "major")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := fake.TapfiliateSample(tapfiliateKey)
			tc.vary(f)
			dir := t.TempDir()
			out, err := pullTapfiliateIn(t, f, tapfiliateKey, dir, tc.amountsIn)
			if err != nil {
				t.Fatal(err)
			}
			goldens := cmp.Or(tc.goldens, "tapfiliate")
			sameAsGoldens(t, goldens, dir, out)
			if _, throttled := f.Counts(); (throttled > 0) != tc.throttled {
				t.Errorf("the fake answered 429 %d times; want some: %v", throttled, tc.throttled)
			}
		})
	}
}

// Paging goes to the real end: every affiliate of many pages is carried,
// one request a page and no more.
func TestTapfiliatePagesToTheEnd(t *testing.T) {
	t.Parallel()
	f := &fake.Tapfiliate{Key: tapfiliateKey}
	for i := range 30*25 + 7 {
		f.Affiliates = append(f.Affiliates, map[string]any{"id": fmt.Sprintf("p%d", i), "email": fmt.Sprintf("p%d@example.com", i)})
	}
	out, err := pullTapfiliate(t, f, tapfiliateKey, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if requests, _ := f.Counts(); requests != 31+1+1 || out.Summary.Carried[pull.KindPartner] != len(f.Affiliates) {
		t.Errorf("%d requests, %d partners carried; want 33 and %d", requests, out.Summary.Carried[pull.KindPartner], len(f.Affiliates))
	}
}

// A refused key, pages that go round, a source always failing: the pull
// fails with one message, never the key in any form, and leaves no
// program.
func TestTapfiliateFails(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, key, want string
		vary            func(*fake.Tapfiliate)
	}{
		{"refused key", "tap_wrong_77cc11dd", "tapfiliate refused the credentials (401 Unauthorized): check TAPFILIATE_API_KEY", func(*fake.Tapfiliate) {}},
		{"customers go round", tapfiliateKey, "the tapfiliate customers pages go round: page 2 lists the same records as page 1",
			func(f *fake.Tapfiliate) { f.RepeatPath = "/1.6/customers/" }},
		{"a page links itself", tapfiliateKey, "the tapfiliate affiliates pages go round: page page=1 is named next a second time",
			func(f *fake.Tapfiliate) { f.SelfLinkPath = "/1.6/affiliates/" }},
		{"always 503", tapfiliateKey, "GET /affiliates/: tapfiliate answered 503 after 6 attempts", func(f *fake.Tapfiliate) { f.FailEvery = 1 }},
		// Read as cents (the default), a decimal amount stops the pull.
		{"amounts not in cents", tapfiliateKey, "conversion 101, field amount: 99.9 has decimals, so Tapfiliate answered amounts that are not in cents " +
			"(pull reads them as cents); if its amounts are in major units, pull again with --amounts-in major",
			func(f *fake.Tapfiliate) { f.InMajorUnits() }},
		// So does one on a conversion left out (no commission, no customer).
		{"amounts not in cents, of a conversion left out", tapfiliateKey, "conversion c-late, field amount: 12.50 has decimals",
			func(f *fake.Tapfiliate) {
				f.Conversions = append(f.Conversions, map[string]any{"id": "c-late", "amount": "12.50", "commissions": []any{}})
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := fake.TapfiliateSample(tapfiliateKey)
			tc.vary(f)
			dir := t.TempDir()
			_, err := pullTapfiliate(t, f, tc.key, dir)
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

// The Link header as RFC 8288 allows it: quoted or not, several rels, a
// comma inside a URL, several headers.
func TestTapfiliateLinkHeader(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		links []string
		want  string // the next page's query, "" for none
	}{
		{"none", nil, ""},
		{"prev and next", []string{`<https://x/1.6/affiliates/?page=1>; rel="prev", <https://x/1.6/affiliates/?page=3>; rel="next"`}, "page=3"},
		{"unquoted", []string{`<https://x/a/?page=2>;rel=next`}, "page=2"},
		{"several rels", []string{`<https://x/a/?page=4>; rel="last next"`}, "page=4"},
		{"a comma in the URL", []string{`<https://x/a/?ids=1,2&page=5>; rel="next", <https://x/a/?page=9>; rel="last"`}, "ids=1%2C2&page=5"},
		{"two headers", []string{`<https://x/a/?page=1>; rel="prev"`, `<https://x/a/?page=3>; rel="next"`}, "page=3"},
		{"only prev", []string{`<https://x/a/?page=1>; rel="prev"`}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			for _, l := range tc.links {
				h.Add("Link", l)
			}
			got := ""
			if q := pull.NextPageOf(h); q != nil {
				got = q.Encode()
			}
			if got != tc.want {
				t.Errorf("next %q; want %q", got, tc.want)
			}
		})
	}
}

// X-Ratelimit-Remaining 0 waits for X-Ratelimit-Reset, read leniently,
// never for long.
func TestTapfiliateResetWait(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_700_000_000, 0)
	for _, tc := range []struct {
		name             string
		remaining, reset string
		want             time.Duration
	}{
		{"requests left", "3", "1700000010", 0},
		{"no headers", "", "", 0},
		{"none left, reset in 10 s", "0", "1700000010", 11 * time.Second},
		{"none left, reset past", "0", "1699999990", 0},
		{"none left, reset as seconds from now", "0", "2.5", 2500 * time.Millisecond},
		{"none left, reset far away", "0", "1800000000", 10 * time.Minute},
		{"none left, reset unreadable", "0", "soon", time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			if tc.remaining != "" {
				h.Set("X-Ratelimit-Remaining", tc.remaining)
				h.Set("X-Ratelimit-Reset", tc.reset)
			}
			if got := pull.ResetWait(h, now); got != tc.want {
				t.Errorf("wait %v; want %v", got, tc.want)
			}
		})
	}
}

// A customer's line of left-out.csv names the record left out by its own
// Tapfiliate id (the contract's source_id), not by the customer_id it
// shares with the record carried: the customer_id is in the message.
func TestTapfiliateCustomerLeftOutByItsOwnID(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if _, err := pullTapfiliate(t, fake.TapfiliateSample(tapfiliateKey), tapfiliateKey, dir); err != nil {
		t.Fatal(err)
	}
	left := read(t, filepath.Join(dir, pull.LeftOutFile))
	for _, want := range []string{
		"tapfiliate,customer,cu_7,,duplicate,",
		"tapfiliate,customer,cu_4,,no_partner,",
	} {
		if !strings.Contains(left, want) {
			t.Errorf("left-out.csv has no line %q:\n%s", want, left)
		}
	}
	if line := lineWith(left, ",cu_7,"); !strings.Contains(line, "cus_001") {
		t.Errorf("the duplicate's line does not name the customer_id cus_001 it shares: %q", line)
	}
}

// lineWith is the first line of text holding s.
func lineWith(text, s string) string {
	for _, line := range strings.Split(text, "\n") {
		if strings.Contains(line, s) {
			return line
		}
	}
	return ""
}

// A conversion with commissions paid and not (103: a regular one of 4.00
// EUR unpaid, a recurring one of 1.25 paid) is carried with the unpaid
// sum as its reward, not rewarded, and a line of left-out.csv says the
// paid one was left off the reward: Partnero pays the reward, and must
// not pay again what was paid.
func TestTapfiliateMixedPaidRewardsTheUnpaid(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, amountsIn string }{{"cents", ""}, {"major", pull.AmountsInMajor}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := fake.TapfiliateSample(tapfiliateKey)
			if tc.amountsIn != "" {
				f.InMajorUnits()
			}
			dir := t.TempDir()
			out, err := pullTapfiliateIn(t, f, tapfiliateKey, dir, tc.amountsIn)
			if err != nil {
				t.Fatal(err)
			}
			tx := lineWith(read(t, filepath.Join(dir, pull.TransactionsFile)), `"key":"103"`)
			if !regexp.MustCompile(`"reward":"4(\.00?)?"`).MatchString(tx) || strings.Contains(tx, `"rewarded"`) {
				t.Errorf("conversion 103 carried as %s; want reward 4.00, not rewarded", tx)
			}
			left := lineWith(read(t, filepath.Join(dir, pull.LeftOutFile)), "already_paid")
			for _, want := range []string{"tapfiliate,commission,103,,already_paid,", "1.25 EUR", "conversion 103", "po_1"} {
				if !strings.Contains(left, want) {
					t.Errorf("the paid commission's line %q does not say %q", left, want)
				}
			}
			if n := out.Summary.LeftOut[pull.KindCommission][pull.AlreadyPaid]; n != 1 {
				t.Errorf("the summary counts %d commissions already paid; want 1", n)
			}
		})
	}
}
