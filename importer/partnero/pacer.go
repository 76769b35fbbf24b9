package partnero

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// --rate auto. Partnero does not publish its limit, so the client starts at
// autoStart requests per second and learns:
//
//   - When answers carry X-RateLimit-Limit (requests per window, a minute),
//     the pace becomes autoShare of it, evenly spaced: a fixed window can
//     then never hold more requests than the limit, so no 429 comes from
//     this run alone, and the pool stays busy at 95% of what is allowed.
//   - X-RateLimit-Remaining at 0 (another client shares the key) halves the
//     pace until an answer shows room again.
//   - Without the headers it probes: every autoStep successful answers raise
//     the pace by a quarter until the first 429, then by a twentieth; each
//     429 halves it (additive increase after the first back-off,
//     multiplicative decrease), never below autoFloor.
//
// Retry-After is honoured in every mode: the whole pool waits (Client.pause).
const (
	autoStart = 2.0  // requests per second before the server says anything
	autoFloor = 0.2  // the slowest pace it backs off to
	autoShare = 0.95 // of an advertised limit
	autoStep  = 20   // answers between two raises while probing
)

type autoRate struct {
	limiter *rate.Limiter
	window  time.Duration

	mu       sync.Mutex
	rate     float64
	known    float64 // the pace an advertised limit gives; 0 while unknown
	squeezed bool    // Remaining hit 0: running at half the known pace
	probing  bool    // a 429 came: raise slowly
	good     int     // answers since the last raise
}

// observe adjusts the pace to one answer. It is a no-op on a nil receiver
// (a fixed --rate).
func (a *autoRate) observe(status int, h http.Header) {
	if a == nil {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if limit, err := strconv.Atoi(h.Get("X-RateLimit-Limit")); err == nil && limit > 0 {
		a.known = autoShare * float64(limit) / a.window.Seconds()
		remaining, err := strconv.Atoi(h.Get("X-RateLimit-Remaining"))
		a.squeezed = err == nil && remaining == 0
		pace := a.known
		if a.squeezed {
			pace /= 2
		}
		a.set(pace)
		return
	}
	if a.known > 0 {
		return // a limit once advertised stands
	}
	switch {
	case status == http.StatusTooManyRequests:
		a.probing, a.good = true, 0
		a.set(max(a.rate/2, autoFloor))
	case status < 500:
		if a.good++; a.good >= autoStep {
			a.good = 0
			if a.probing {
				a.set(a.rate * 1.05)
			} else {
				a.set(a.rate * 1.25)
			}
		}
	}
}

func (a *autoRate) set(pace float64) {
	if pace != a.rate {
		a.rate = pace
		a.limiter.SetLimit(rate.Limit(pace))
	}
}

// Pace is the requests per second the client is allowed now.
func (c *Client) Pace() float64 {
	if c.auto == nil {
		return float64(c.limiter.Limit())
	}
	c.auto.mu.Lock()
	defer c.auto.mu.Unlock()
	return c.auto.rate
}
