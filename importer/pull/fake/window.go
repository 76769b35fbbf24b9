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

// admit counts a request against limit per span, or says how long until
// the window has room.
func (w *window) admit(limit int, span time.Duration) (time.Duration, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
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
