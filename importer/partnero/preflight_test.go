package partnero

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/partnero-import/partnero-import/importer/secret"
)

// An API that cannot be reached is not retried: nothing listening, or an
// unknown host, ends the preflight at once. Were it retried, the backoff
// of a minute would outlast the context and the error would be the
// context's.
func TestPreflightDoesNotRetryTheUnreachable(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	refused := "http://" + ln.Addr().String() + "/v1"
	ln.Close()
	for _, base := range []string{refused, "https://api.partnero.invalid/v1"} {
		c, _ := New(Config{BaseURL: base, Key: secret.New("key-12345"), Retries: 5, RetryBase: time.Minute, Timeout: 5 * time.Second})
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		err := c.Preflight(ctx)
		cancel()
		var fatal *FatalError
		if !errors.As(err, &fatal) || fatal.Said != Lost {
			t.Errorf("%s: %v", base, err)
		}
	}
}

// A server that is busy or failing for a moment is retried.
func TestPreflightRetries(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) < 3 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte(`{"data":[],"links":{"next":null},"status":1}`))
	}))
	defer srv.Close()
	c, _ := New(Config{BaseURL: srv.URL + "/v1", Key: secret.New("key-12345"), Retries: 3, RetryBase: time.Millisecond, Timeout: time.Second})
	if err := c.Preflight(context.Background()); err != nil || calls.Load() != 3 {
		t.Fatalf("%v after %d calls", err, calls.Load())
	}
}
