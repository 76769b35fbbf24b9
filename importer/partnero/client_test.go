package partnero

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/partnero-import/partnero-import/importer/sandbox"
	"github.com/partnero-import/partnero-import/importer/secret"
)

func startSandbox(t *testing.T, opts sandbox.Options) (*sandbox.Server, string) {
	t.Helper()
	sb := sandbox.New(opts)
	base, err := sb.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	return sb, base
}

func newClient(t *testing.T, base string, retries int) *Client {
	t.Helper()
	c, err := New(Config{BaseURL: base, Key: secret.New("key-12345"), Concurrency: 2, Retries: retries, Timeout: 5 * time.Second,
		RetryBase: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCreateAndInviteAgainstSandbox(t *testing.T) {
	sb, base := startSandbox(t, sandbox.Options{APIKey: "key-12345"})
	c := newClient(t, base, 0)
	ctx := context.Background()

	out := c.Create(ctx, &Partner{Email: "Ann@x.io", Name: "Ann", ID: "a1", Key: "ann", Password: secret.New("Secr3tPass"), Tags: []string{"vip"}})
	if out.Said != Done || out.PartnerID != "a1" || !strings.HasSuffix(out.ReferralLink, "aff=ann") || out.Attempts != 1 || out.HTTPStatus != 201 {
		t.Fatalf("create: %+v", out)
	}
	child := c.Create(ctx, &Partner{Email: "kid@x.io", Referring: Referring{Email: "ANN@x.io"}})
	if child.Said != Done {
		t.Fatalf("child: %+v", child)
	}
	inv := c.Invite(ctx, &Partner{Email: "ivy@x.io", Name: "Ivy"})
	if inv.Said != Done || inv.PartnerID == "" {
		t.Fatalf("invite: %+v", inv)
	}
	clash := c.Create(ctx, &Partner{Email: "ANN@X.IO"})
	if clash.Said != Clash || clash.Field != "email" || clash.HTTPStatus != 422 {
		t.Fatalf("clash: %+v", clash)
	}
	orphan := c.Create(ctx, &Partner{Email: "o@x.io", Referring: Referring{ID: "nobody"}})
	if orphan.Said != NoReferrer || orphan.HTTPStatus != 400 {
		t.Fatalf("orphan: %+v", orphan)
	}
	weak := c.Create(ctx, &Partner{Email: "w@x.io", Password: secret.New("weakpass")})
	if weak.Said != Invalid {
		t.Fatalf("a weak password must reach the server and be refused: %+v", weak)
	}
	ps := sb.Partners()
	if len(ps) != 3 || ps[1].Referrer != "a1" || ps[2].Status != sandbox.Pending || !ps[2].Invited {
		t.Fatalf("sandbox holds %+v", ps)
	}
}

func TestWrongKeyIsFatal(t *testing.T) {
	_, base := startSandbox(t, sandbox.Options{APIKey: "right"})
	out := newClient(t, base, 3).Create(context.Background(), &Partner{Email: "a@x.io"})
	if out.Said != KeyRefused || !out.Fatal || out.Attempts != 1 {
		t.Fatalf("got %+v", out)
	}
	if strings.Contains(out.Message, "key-12345") {
		t.Fatalf("message shows the key: %q", out.Message)
	}
}

func TestServerErrorsAreRetried(t *testing.T) {
	t.Parallel()
	sb, base := startSandbox(t, sandbox.Options{FailRate: 1})
	out := newClient(t, base, 1).Create(context.Background(), &Partner{Email: "a@x.io"})
	// 2 attempts, then a lookup that could tell whether a 500 hid a stored
	// partner: the search and the list, 2 tries each. They fail too, and
	// the row says so.
	if out.Said != ServerFault || out.Attempts != 2 || sb.Requests() != 6 || !strings.Contains(out.Message, "may have created") {
		t.Fatalf("got %+v after %d requests", out, sb.Requests())
	}
	if len(sb.Partners()) != 0 {
		t.Fatal("a 500 stored a partner")
	}
}

// A throttled answer is retried after the time Retry-After gives.
func TestRetryAfterIsHonoured(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/partners:invite" {
			http.NotFound(w, r)
			return
		}
		if calls.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.WriteHeader(http.StatusOK)
		w.Write([]byte(`{"data":{"id":17,"referral_links":["https://x.io/?aff=q"]},"status":1}`))
	}))
	defer srv.Close()
	start := time.Now()
	out := newClient(t, srv.URL+"/v1", 2).Invite(context.Background(), &Partner{Email: "a@x.io", Name: "A"})
	if out.Said != Done || out.Attempts != 2 || out.PartnerID != "17" || out.ReferralLink != "https://x.io/?aff=q" {
		t.Fatalf("got %+v", out)
	}
	if waited := time.Since(start); waited < time.Second {
		t.Fatalf("retried after %v, before Retry-After's second", waited)
	}
}

func TestNetworkErrorAndScrubbing(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	out := newClient(t, "http://"+addr+"/v1", 0).Create(context.Background(), &Partner{Email: "a@x.io"})
	if out.Said != Lost || out.Attempts != 1 {
		t.Fatalf("got %+v", out)
	}

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(422)
		w.Write([]byte(`{"message":"password Secr3tPass is not allowed for key key-12345"}`))
	}))
	defer srv.Close()
	out = newClient(t, srv.URL+"/v1", 0).Create(context.Background(), &Partner{Email: "a@x.io", Password: secret.New("Secr3tPass")})
	if strings.Contains(out.Message, "Secr3tPass") || strings.Contains(out.Message, "key-12345") || !strings.Contains(out.Message, "REDACTED") {
		t.Fatalf("message %q", out.Message)
	}
}

// Stopping before a request starts leaves the row unsent: aborted, 0 attempts.
func TestStoppedBeforeSending(t *testing.T) {
	_, base := startSandbox(t, sandbox.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	out := newClient(t, base, 0).Create(ctx, &Partner{Email: "a@x.io"})
	if out.Said != Stopped || out.Attempts != 0 {
		t.Fatalf("got %+v", out)
	}
}

// Scrubbing a one-letter key would garble every message ("e REDACTED ists").
func TestShortSecretsDoNotGarbleMessages(t *testing.T) {
	if got := secret.Scrub("Email already exists", secret.New("x")); got != "Email already exists" {
		t.Fatalf("got %q", got)
	}
}

// The first attempt stores the partner and its answer is lost; every retry
// then fails. The lookup finds the partner: the row is created, not failed.
func TestLostAnswerThenOutageIsSettledByLookup(t *testing.T) {
	var posts atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodPost && posts.Add(1) == 1:
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close() // stored, but no answer
		case r.Method == http.MethodPost:
			w.WriteHeader(http.StatusServiceUnavailable)
		case r.URL.Path == "/v1/partners/a1":
			fmt.Fprint(w, `{"data":{"id":"a1","email":"A@x.io","referral_link":"https://x.io/?aff=a","tags":[{"value":"partnero-import-t1"}]},"status":1}`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	c, _ := New(Config{BaseURL: srv.URL + "/v1", Key: secret.New("key-12345"), Retries: 2, RetryBase: time.Millisecond, Timeout: time.Second,
		LookupBudget: time.Second, Mark: "partnero-import-t1"})
	out := c.Create(context.Background(), &Partner{Email: "a@x.io", ID: "a1"})
	if out.Said != Done || out.PartnerID != "a1" || out.Attempts != 3 || !strings.HasPrefix(out.Message, "reconciled") {
		t.Fatalf("got %+v", out)
	}
}

// Stopped while the pool waits between attempts, after an attempt that may
// have stored the partner: the row says it may exist, it does not just fail.
func TestStoppedBetweenRetriesSaysItMayExist(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "5")
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	// After the stop the lookup runs for a request's time (Timeout) at most.
	c, _ := New(Config{BaseURL: srv.URL + "/v1", Key: secret.New("key-12345"), Retries: 3, Timeout: 300 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	out := c.Create(ctx, &Partner{Email: "a@x.io"})
	if !out.Said.failed() || out.Attempts != 1 || !strings.Contains(out.Message, "may have created") {
		t.Fatalf("got %+v", out)
	}
}

// OnLimit hears the advertised limit once per value, as requests per
// second, whatever the pace (here a fixed rate, which the pacer ignores).
func TestOnLimitHearsTheAdvertisedLimit(t *testing.T) {
	_, base := startSandbox(t, sandbox.Options{RateLimit: 120})
	var heard []float64
	c, err := New(Config{BaseURL: base, Key: secret.New("k"), Rate: 50, Timeout: 5 * time.Second,
		OnLimit: func(perSecond float64) { heard = append(heard, perSecond) }})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Preflight(context.Background()); err != nil {
		t.Fatal(err)
	}
	c.Create(context.Background(), &Partner{Email: "a@x.io"})
	if len(heard) != 1 || heard[0] != 2 {
		t.Fatalf("heard %v, want [2] (120 a minute, once)", heard)
	}
}

// InFlight counts the requests sent and not yet answered.
func TestInFlight(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
		w.WriteHeader(http.StatusCreated)
		w.Write([]byte(`{"data":{"id":"p1"},"status":1}`))
	}))
	defer srv.Close()
	c := newClient(t, srv.URL+"/v1", 0)
	done := make(chan struct{})
	for _, email := range []string{"a@x.io", "b@x.io", "c@x.io"} {
		go func() {
			c.Create(context.Background(), &Partner{Email: email})
			done <- struct{}{}
		}()
	}
	for deadline := time.Now().Add(10 * time.Second); c.InFlight() != 3; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("in flight: %d, want 3", c.InFlight())
		}
	}
	close(release)
	for range 3 {
		<-done
	}
	if n := c.InFlight(); n != 0 {
		t.Fatalf("in flight after the answers: %d", n)
	}
}
