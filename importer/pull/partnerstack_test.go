package pull_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/partnero-import/partnero-import/importer/pull"
	"github.com/partnero-import/partnero-import/importer/pull/fake"
)

const (
	testPublicKey = "pk_live_3b9d0c7e5a1f"
	testSecretKey = "sk_live_8e4f2a6c0d9b7a"
)

// pullPartnerStack pulls from f, served over HTTP on 127.0.0.1, into
// dir, with the limit's window scaled to window.
func pullPartnerStack(t *testing.T, f *fake.PartnerStack, public, secret, dir string, window time.Duration) (*pull.Out, error) {
	t.Helper()
	env := map[string]string{pull.PartnerStackPublicKeyEnv: public, pull.PartnerStackSecretKeyEnv: secret}
	return pullServed(t, f, "partnerstack", "/api/v2", env, pull.Options{Window: window}, dir)
}

// The sample program's files are the golden ones, however the fake pages,
// nests, throttles or fails: every variation lands carried or in
// left-out.csv with its reason.
func TestPartnerStackSample(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		vary func(*fake.PartnerStack)
	}{
		{"as documented", func(*fake.PartnerStack) {}},
		{"pages of 2", func(f *fake.PartnerStack) { f.MaxPage = 2 }},
		{"customers nested in data.data, pages of 3", func(f *fake.PartnerStack) { f.NestedPath, f.MaxPage = "/api/v2/customers", 3 }},
		{"every third request a 503", func(f *fake.PartnerStack) { f.FailEvery = 3 }},
		{"a limit of 2 requests per 50ms", func(f *fake.PartnerStack) {
			f.Limit, f.Window, f.MaxPage, f.ThrottleEvery = 2, 50*time.Millisecond, 2, 4
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := fake.PartnerStackSample(testPublicKey, testSecretKey)
			tc.vary(f)
			dir := t.TempDir()
			out, err := pullPartnerStack(t, f, testPublicKey, testSecretKey, dir, time.Millisecond)
			if err != nil {
				t.Fatal(err)
			}
			sameAsGoldens(t, "partnerstack", dir, out)
			if _, throttled := f.Counts(); f.Limit > 0 && throttled == 0 {
				t.Error("the fake never answered 429: the test did not test waiting one out")
			}
		})
	}
}

// Paced at its courtesy limit, a pull of many pages and links meets no
// 429 from a source that allows that pace, and asks for each page once.
func TestPartnerStackPaced(t *testing.T) {
	t.Parallel()
	f := &fake.PartnerStack{PublicKey: testPublicKey, SecretKey: testSecretKey, Limit: 20, Window: 200 * time.Millisecond, MaxPage: 5,
		Links: map[string]any{}}
	for i := range 60 {
		email := fmt.Sprintf("p%d@example.com", i)
		f.Partnerships = append(f.Partnerships, map[string]any{"key": fmt.Sprint("ps", i), "email": email})
		f.Links[email] = []any{map[string]any{"url": fmt.Sprintf("https://try.example.com/k%d", i)}}
	}
	if _, err := pullPartnerStack(t, f, testPublicKey, testSecretKey, t.TempDir(), 200*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	// 12 pages of partnerships (the last says no more), 60 links, one
	// page each of customers, rewards and transactions.
	if requests, throttled := f.Counts(); requests != 12+60+3 || throttled != 0 {
		t.Errorf("%d requests, %d answered 429; want %d and none", requests, throttled, 12+60+3)
	}
}

// Refused keys, a paging that goes round, a page saying it has more with
// nothing to go on from, a source that always fails: the pull fails with
// one message, never a key in any form, and leaves no program.
func TestPartnerStackFails(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, public, secret, want string
		vary                       func(*fake.PartnerStack)
	}{
		{"refused secret key", testPublicKey, "sk_wrong_55aa77bb99cc", "partnerstack refused the credentials (401 Unauthorized): check PARTNERSTACK_PUBLIC_KEY and PARTNERSTACK_SECRET_KEY", func(*fake.PartnerStack) {}},
		{"refused public key", "pk_wrong_11dd22ee33", testSecretKey, "partnerstack refused the credentials (401 Unauthorized)", func(*fake.PartnerStack) {}},
		{"customers go round", testPublicKey, testSecretKey, "the partnerstack customers pages go round", func(f *fake.PartnerStack) {
			f.RepeatPath, f.MaxPage = "/api/v2/customers", 3
		}},
		{"a cursor named twice", testPublicKey, testSecretKey, "the partnerstack transactions pages go round: page", func(f *fake.PartnerStack) {
			f.MaxPage = 2
			f.Transactions = append(f.Transactions[:2:2], f.Transactions[:2]...) // tx1 tx2 tx1 tx2: after tx2 twice
		}},
		{"more, with nothing to go on from", testPublicKey, testSecretKey, "says it has more but names no last key", func(f *fake.PartnerStack) {
			f.RepeatPath, f.Rewards = "/api/v2/rewards", nil
		}},
		{"always 503", testPublicKey, testSecretKey, "GET /partnerships: partnerstack answered 503 after 6 attempts", func(f *fake.PartnerStack) { f.FailEvery = 1 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := fake.PartnerStackSample(testPublicKey, testSecretKey)
			tc.vary(f)
			dir := t.TempDir()
			_, err := pullPartnerStack(t, f, tc.public, tc.secret, dir, time.Millisecond)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v; want %q", err, tc.want)
			}
			for _, form := range []string{tc.public, tc.secret, tc.public + ":" + tc.secret,
				base64.StdEncoding.EncodeToString([]byte(tc.public + ":" + tc.secret))} {
				if strings.Contains(err.Error(), form) {
					t.Errorf("the error says a key (%q): %v", form, err)
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

func TestPartnerStackNeedsBothKeys(t *testing.T) {
	t.Parallel()
	for _, missing := range []string{pull.PartnerStackPublicKeyEnv, pull.PartnerStackSecretKeyEnv} {
		_, err := pull.New("partnerstack", func(k string) string {
			if k == missing {
				return ""
			}
			return "x"
		}, pull.Options{})
		if want := "pull partnerstack needs " + missing + " in the environment"; err == nil || err.Error() != want {
			t.Errorf("error %v; want %q", err, want)
		}
	}
}

// No email in an error: the links request's path holds the partner's
// email, and an answer may quote it (or a customer's) back; the error
// names the partnership by its key instead. Checked raw and URL-escaped.
func TestPartnerStackErrorsSayNoEmail(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, want string
		emails     []string
		vary       func(*fake.PartnerStack)
		dropLinks  bool // the links request's connection is closed unanswered
	}{
		{"links refused", "GET /links/partnership/{email} of partnership ps1: partnerstack answered 422", []string{"ada"},
			func(f *fake.PartnerStack) { f.LinksStatus = http.StatusUnprocessableEntity }, false},
		{"links failing", "GET /links/partnership/{email} of partnership ps1: partnerstack answered 503 after 6 attempts", []string{"ada"},
			func(f *fake.PartnerStack) { f.LinksStatus = http.StatusServiceUnavailable }, false},
		{"links unreachable", "GET /links/partnership/{email} of partnership ps1: partnerstack cannot be reached", []string{"ada"},
			func(f *fake.PartnerStack) {}, true},
		{"a customers page refused", "GET /customers: partnerstack answered 400", []string{"carol"},
			func(f *fake.PartnerStack) { f.RefusePath, f.RefuseQuote = "/api/v2/customers", "carol@example.com" }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := fake.PartnerStackSample(testPublicKey, testSecretKey)
			tc.vary(f)
			var h http.Handler = f
			if tc.dropLinks {
				h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if !strings.Contains(r.URL.Path, "/links/") {
						f.ServeHTTP(w, r)
						return
					}
					conn, _, err := w.(http.Hijacker).Hijack()
					if err == nil {
						conn.Close()
					}
				})
			}
			srv := httptest.NewServer(h)
			t.Cleanup(srv.Close)
			env := map[string]string{pull.PartnerStackPublicKeyEnv: testPublicKey, pull.PartnerStackSecretKeyEnv: testSecretKey}
			src, err := pull.New("partnerstack", func(k string) string { return env[k] },
				pull.Options{BaseURL: srv.URL + "/api/v2", Window: time.Millisecond, Backoff: time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			out, err := pull.Create(t.TempDir(), src.Name())
			if err != nil {
				t.Fatal(err)
			}
			err = src.Pull(context.Background(), out)
			out.Abort()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v; want %q", err, tc.want)
			}
			for _, local := range tc.emails {
				for _, form := range []string{local + "@example.com", local + "%40example.com", local + "%2540example.com"} {
					if strings.Contains(strings.ToLower(err.Error()), form) {
						t.Errorf("the error says an email (%s): %v", form, err)
					}
				}
			}
		})
	}
}
