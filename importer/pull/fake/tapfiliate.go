package fake

import (
	"cmp"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Tapfiliate serves Tapfiliate's API 1.6 under /1.6: the key in the
// X-Api-Key header (Api-Key, of older docs, too), pages of PerPage (25)
// asked by page (from 1) and linked by a Link header (rel="prev",
// rel="next"), answers that are bare arrays. Tapfiliate publishes no
// limit; this fake has one when Limit is set (Limit requests per Window),
// says it in X-Ratelimit-Limit, -Remaining and -Reset (Unix seconds,
// rounded up), and answers 429 beyond it. Records are JSON objects, so a
// test can vary what the documentation leaves open.
type Tapfiliate struct {
	Key     string
	PerPage int // 0: 25
	Limit   int // 0: no limit
	// ThrottleEvery answers every ThrottleEvery-th admitted request 429
	// besides the limit (0: never), so a test meets 429s however slow
	// the machine runs.
	ThrottleEvery int
	Window        time.Duration // 0: a minute
	// NoRateHeaders leaves X-Ratelimit-* out; RetryAfter puts Retry-After
	// on a 429 (the docs say neither way).
	NoRateHeaders, RetryAfter bool

	Affiliates, Customers, Conversions []map[string]any

	// Wrapped lists the records of that path (such as "/1.6/customers/")
	// under "data", or "data.data" (as Dub met customers).
	Wrapped map[string]string
	// RepeatPath makes that path's pages go round: every page lists page
	// 1's records and links a next one. SelfLinkPath makes each page link
	// itself as next.
	RepeatPath, SelfLinkPath string
	// FailEvery answers every FailEvery-th request 503 (0: never).
	FailEvery int

	w window
}

// Counts are how many requests the fake answered, and how many of them
// it refused with 429.
func (f *Tapfiliate) Counts() (requests, throttled int) { return f.w.counts() }

func (f *Tapfiliate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	key := r.Header.Get("X-Api-Key")
	if key == "" {
		key = r.Header.Get("Api-Key")
	}
	if key != f.Key || f.Key == "" {
		// Echoes what it was given, as some APIs do: the client must
		// scrub it.
		answer(w, http.StatusUnauthorized, map[string]any{"message": "Invalid API key: " + key})
		return
	}
	ok, remaining, reset := f.admit()
	if f.Limit > 0 && !f.NoRateHeaders {
		w.Header().Set("X-Ratelimit-Limit", strconv.Itoa(f.Limit))
		w.Header().Set("X-Ratelimit-Remaining", strconv.Itoa(remaining))
		w.Header().Set("X-Ratelimit-Reset", strconv.FormatInt(int64(math.Ceil(float64(reset.UnixNano())/1e9)), 10))
	}
	if !ok {
		if f.RetryAfter {
			w.Header().Set("Retry-After", strconv.FormatFloat(time.Until(reset).Seconds(), 'f', 3, 64))
		}
		answer(w, http.StatusTooManyRequests, map[string]any{"message": "Too many requests"})
		return
	}
	if f.w.failing(f.FailEvery) {
		answer(w, http.StatusServiceUnavailable, map[string]any{"message": "try again"})
		return
	}
	path := strings.TrimSuffix(r.URL.Path, "/") + "/"
	var list []map[string]any
	switch path {
	case "/1.6/affiliates/":
		list = f.Affiliates
	case "/1.6/customers/":
		list = f.Customers
	case "/1.6/conversions/":
		list = f.Conversions
	default:
		answer(w, http.StatusNotFound, map[string]any{"message": "Not found"})
		return
	}
	per := f.PerPage
	if per == 0 {
		per = 25
	}
	page := number(r.URL.Query().Get("page"), 1)
	listed, next := page, 0
	if page*per < len(list) {
		next = page + 1
	}
	switch path {
	case f.RepeatPath:
		listed, next = 1, page+1
	case f.SelfLinkPath:
		next = page
	}
	link := func(p int, rel string) string {
		q := r.URL.Query()
		q.Set("page", strconv.Itoa(p))
		u := url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path, RawQuery: q.Encode()}
		return fmt.Sprintf("<%s>; rel=%q", u.String(), rel)
	}
	var links []string
	if page > 1 {
		links = append(links, link(page-1, "prev"))
	}
	if next > 0 {
		links = append(links, link(next, "next"))
	}
	if len(links) > 0 {
		w.Header().Set("Link", strings.Join(links, ", "))
	}
	from, to := min((listed-1)*per, len(list)), min(listed*per, len(list))
	var body any = append([]map[string]any{}, list[from:to]...)
	switch f.Wrapped[path] {
	case "data":
		body = map[string]any{"data": body}
	case "data.data":
		body = map[string]any{"data": map[string]any{"data": body}}
	}
	answer(w, http.StatusOK, body)
}

// admit counts a request against the limit, if any: whether it is
// admitted, the requests left in the window, and when the window resets.
func (f *Tapfiliate) admit() (ok bool, remaining int, reset time.Time) {
	window := cmp.Or(f.Window, time.Minute)
	wait, ok := f.w.take(f.Limit, window, f.ThrottleEvery)
	if !ok {
		return false, 0, time.Now().Add(wait)
	}
	remaining, reset = f.w.room(f.Limit, window)
	return true, remaining, reset
}
