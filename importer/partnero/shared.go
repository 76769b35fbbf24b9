package partnero

import (
	"net/http"
	"time"
)

// What other clients of this tool (pull's, which reads other platforms)
// share with this one, so that a Retry-After or a loopback address is
// read one way everywhere.

// IsLoopback reports whether host is a loopback address (or localhost),
// where plain http is allowed.
func IsLoopback(host string) bool { return isLoopback(host) }

// WaitAsked is how long an answer's Retry-After asks to wait (seconds or
// an HTTP date, read against the answer's Date), capped; 0 when it asks
// nothing.
func WaitAsked(h http.Header) time.Duration { return waitAsked(h) }

// WaitAskedUpTo is WaitAsked capped at ceiling instead: a client that
// refuses a wait too long to be waited out says how long it was.
func WaitAskedUpTo(h http.Header, ceiling time.Duration) time.Duration {
	return waitAskedUpTo(h, ceiling)
}

// Backoff is the wait before retry number attempt (from 1): exponential
// from base, with jitter, at most 30s.
func Backoff(base time.Duration, attempt int) time.Duration { return backoff(base, attempt) }
