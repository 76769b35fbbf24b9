package partnero

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
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
//   - Without the headers it probes, on the clock of the limit's window (a
//     minute): until the first 429 it doubles the pace every window/120;
//     after it, it raises the pace by a twentieth every window/12. A 429
//     cuts it by a fifth, once per pause: the 429s of one burst (one per
//     worker in flight) are one signal, not eight. The pool's pause on
//     Retry-After does most of the regulating; the cut keeps the next
//     window from ending in a burst again.
//
// Retry-After is honoured in every mode: the whole pool waits (Client.pause).
const (
	autoStart = 2.0  // requests per second before the server says anything
	autoFloor = 0.2  // the slowest pace it backs off to
	autoShare = 0.95 // of an advertised limit
	autoStep  = 5    // good answers, at least, between two raises
	autoCut   = 0.8  // the pace kept after a 429
)

type autoRate struct {
	limiter *rate.Limiter
	window  time.Duration

	// The first request goes alone: its answer may say what the server
	// allows, and requests queued at the starting pace before it would keep
	// that slow pace (the limiter does not move reservations it has made).
	probeSent atomic.Bool
	heard     chan struct{} // closed at the first answer or failure
	heardOnce sync.Once

	mu       sync.Mutex
	rate     float64
	known    float64   // the pace an advertised limit gives; 0 while unknown
	squeezed bool      // Remaining hit 0: running at half the known pace
	probing  bool      // a 429 came: raise slowly
	good     int       // good answers since the last raise
	raised   time.Time // when the pace last went up
	calm     time.Time // no second cut before this: one burst, one cut
}

func newAutoRate(limiter *rate.Limiter, window time.Duration) *autoRate {
	return &autoRate{limiter: limiter, window: window, rate: autoStart, heard: make(chan struct{})}
}

// waitFirst lets the first request go and holds the others until it has
// been answered (or has failed).
func (a *autoRate) waitFirst(ctx context.Context) error {
	if a == nil || a.probeSent.CompareAndSwap(false, true) {
		return nil
	}
	select {
	case <-a.heard:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// settled ends the first request's wait, answered or not.
func (a *autoRate) settled() {
	if a != nil {
		a.heardOnce.Do(func() { close(a.heard) })
	}
}

// observe adjusts the pace to one answer. It is a no-op on a nil receiver
// (a fixed --rate).
func (a *autoRate) observe(status int, h http.Header) {
	if a == nil {
		return
	}
	defer a.settled() // after the pace is set: the held requests see it
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
		now := time.Now()
		if now.Before(a.calm) {
			return
		}
		a.calm = now.Add(max(waitAsked(h), time.Second))
		a.probing, a.good = true, 0
		a.set(max(a.rate*autoCut, autoFloor))
	case status < 500:
		now, every, factor := time.Now(), a.window/120, 2.0
		if a.probing {
			every, factor = a.window/12, 1.05
		}
		if a.good++; a.good >= autoStep && now.Sub(a.raised) >= every {
			a.good, a.raised = 0, now
			a.set(a.rate * factor)
		}
	}
}

func (a *autoRate) set(pace float64) {
	if pace != a.rate {
		a.rate = pace
		a.limiter.SetLimit(rate.Limit(pace))
	}
}
