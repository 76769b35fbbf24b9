package fake

import (
	"slices"
	"sync"
	"time"
)

// window counts requests against a limit of so many per rolling window,
// as a source's published limit reads.
type window struct {
	mu        sync.Mutex
	hits      []time.Time // the requests of the current window
	requests  int
	throttled int
	admitted  int // requests within the limit, for throttling
}

// admit counts a request against limit per span (limit 0: none), or says
// how long until the window has room.
func (w *window) admit(limit int, span time.Duration) (time.Duration, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if limit <= 0 {
		w.requests++
		return 0, true
	}
	now := time.Now()
	w.hits = slices.DeleteFunc(w.hits, func(t time.Time) bool { return now.Sub(t) >= span })
	if len(w.hits) >= limit {
		w.throttled++
		return w.hits[0].Add(span).Sub(now), false
	}
	w.hits = append(w.hits, now)
	w.requests++
	return 0, true
}

// take admits a request as admit does, and refuses every throttleEvery-th
// one admitted all the same (0: none), so that a test meets a 429 however
// slow the machine runs.
func (w *window) take(limit int, span time.Duration, throttleEvery int) (time.Duration, bool) {
	wait, ok := w.admit(limit, span)
	if ok && w.throttling(throttleEvery) {
		return time.Millisecond, false
	}
	return wait, ok
}

// room is how many more requests the window admits under limit, and when
// its oldest leaves it (now, when it holds none).
func (w *window) room(limit int, span time.Duration) (int, time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.hits) == 0 {
		return limit, time.Now()
	}
	return limit - len(w.hits), w.hits[0].Add(span)
}

// failing reports whether the request just admitted is the every-th.
func (w *window) failing(every int) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return every > 0 && w.requests%every == 0
}

// throttling reports whether the request just admitted is the every-th
// of those admitted, to be answered 429 all the same: it is counted
// throttled, not answered.
func (w *window) throttling(every int) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if every <= 0 {
		return false
	}
	if w.admitted++; w.admitted%every != 0 {
		return false
	}
	w.requests--
	w.throttled++
	return true
}

func (w *window) counts() (requests, throttled int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.requests, w.throttled
}
