package pull_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/partnero-import/partnero-import/importer/pull"
	"github.com/partnero-import/partnero-import/importer/secret"
)

const clientKey = "key_3b9d7e1f0a"

// get asks base's /items page 2 through a client with the key and
// short waits; a test that would hang fails after 20s instead.
func get(t *testing.T, base string, timeout time.Duration) (string, error) {
	t.Helper()
	key := secret.New(clientKey)
	c, err := pull.NewClient(pull.ClientConfig{
		Source: "rewardful", BaseURL: base, Limit: pull.Limit{Requests: 1000, Window: time.Millisecond},
		Auth:    func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+key.Reveal()) },
		Secrets: []secret.String{key}, Credentials: "REWARDFUL_API_SECRET",
		Retries: 2, Backoff: time.Millisecond, HTTP: &http.Client{Timeout: timeout},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	body, err := c.Get(ctx, "/items", url.Values{"page": {"2"}, "email": {"eve@example.com"}})
	if err != nil && strings.Contains(err.Error(), clientKey) {
		t.Errorf("the error says the key: %v", err)
	}
	return string(body), err
}

// serve is a server on 127.0.0.1 answering with h.
func serve(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// wantError fails unless err says want, and nothing of Go's own wording.
func wantError(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("error %v; want %q", err, want)
	}
	for _, internal := range []string{"context deadline", "Client.Timeout", "net/http", "dial tcp", "Get \"", "eve@example.com"} {
		if strings.Contains(err.Error(), internal) {
			t.Errorf("the error says %q: %v", internal, err)
		}
	}
}

// A Retry-After too long to wait out ends the pull at once, saying how
// long; one unreadable or negative is no Retry-After (the backoff), and
// 429s in a row end the pull as 5xx's do.
func TestClientRetryAfter(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, retryAfter string
		throttled        int32 // 429s before a 200 (-1: always)
		want             string
	}{
		{"a short wait is waited out", "0.01", 2, ""},
		{"27 hours", "97200", -1, "rewardful asks to wait 27 hours before the next request: run the pull later"},
		{"years in seconds", "99999999", -1, "rewardful asks to wait 1157 days before the next request: run the pull later"},
		{"a date in 2099", "Thu, 01 Jan 2099 00:00:00 GMT", -1, "days before the next request: run the pull later"},
		{"negative", "-5", 2, ""},
		{"unreadable", "soon", 2, ""},
		{"negative for ever", "-5", -1, "GET /items: rewardful answered 429 (too many requests) 10 times in a row: run the pull later"},
		{"unreadable for ever", "soon", -1, "GET /items: rewardful answered 429 (too many requests) 10 times in a row: run the pull later"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var asked atomic.Int32
			srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
				if n := asked.Add(1); tc.throttled < 0 || n <= tc.throttled {
					w.Header().Set("Retry-After", tc.retryAfter)
					w.WriteHeader(http.StatusTooManyRequests)
					return
				}
				fmt.Fprint(w, `{"data": []}`)
			})
			body, err := get(t, srv.URL, time.Minute)
			if tc.want == "" {
				if err != nil || body != `{"data": []}` {
					t.Fatalf("got %q, %v; want the page", body, err)
				}
				return
			}
			wantError(t, err, tc.want)
			if tc.retryAfter[0] != '-' && tc.retryAfter != "soon" && asked.Load() != 1 {
				t.Errorf("%d requests; want 1: a wait too long is not waited", asked.Load())
			}
		})
	}
}

// A redirect away from the base URL's origin (scheme, host and port) is
// refused before anything is sent there; one within it is followed.
func TestClientRedirects(t *testing.T) {
	t.Parallel()
	var elsewhere atomic.Int32
	other := serve(t, func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
		fmt.Fprint(w, `{"data": ["theirs"]}`)
	})
	var authorized atomic.Bool
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/away/items":
			http.Redirect(w, r, other.URL+"/stolen?email=eve@example.com", http.StatusFound)
		case "/here/items":
			http.Redirect(w, r, "/moved?page=2", http.StatusMovedPermanently)
		case "/moved":
			authorized.Store(r.Header.Get("Authorization") == "Bearer "+clientKey)
			fmt.Fprint(w, `{"data": ["ours"]}`)
		}
	})
	_, err := get(t, srv.URL+"/away", time.Minute)
	wantError(t, err, "rewardful sent GET /items on to "+other.URL+"/stolen, away from "+srv.URL+": the pull follows no redirect to another address")
	if elsewhere.Load() != 0 {
		t.Errorf("%d requests reached the other server", elsewhere.Load())
	}
	body, err := get(t, srv.URL+"/here", time.Minute)
	if err != nil || body != `{"data": ["ours"]}` || !authorized.Load() {
		t.Errorf("a redirect within the origin: %q, %v, authorized %v", body, err, authorized.Load())
	}
}

// A failing connection is said in a user's words, never Go's.
func TestClientUnreachable(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	slow := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		fmt.Fprint(w, `{"data": [`)
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	_, err := get(t, slow.URL, 200*time.Millisecond)
	wantError(t, err, "GET /items page 2: rewardful answered too slowly: no whole answer within 0.2s")

	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	_, err = get(t, closed.URL, time.Minute)
	wantError(t, err, "GET /items page 2: rewardful cannot be reached: nothing answers at "+strings.TrimPrefix(closed.URL, "http://")+" (connection refused)")

	cut := serve(t, func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	})
	_, err = get(t, cut.URL, time.Minute)
	wantError(t, err, "GET /items page 2: rewardful cannot be reached: it cut the connection before a whole answer")
}
