package fake

import (
	"cmp"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Tolt serves Tolt's API v1 under /v1: a Bearer API key, every list of
// one program (program_id), pages of limit (10 by default, 100 at most)
// after a cursor (starting_after, a record's id) with has_more, customers
// nested once more (data.data), a limit of Limit requests per Window (25
// a second) answered 429 {success: false, error: {type:
// "rate_limit_error"}}, and the expand[] parameters. Records are given
// as JSON objects, so a test can vary what the documentation leaves open.
type Tolt struct {
	Key       string
	ProgramID string
	Limit     int           // 0: 25
	Window    time.Duration // 0: 1 s
	// MaxLimit is the most records a page lists whatever the client asks
	// (0: 100): a smaller one makes a small program span pages.
	MaxLimit int
	// NoRetryAfter leaves Retry-After off a 429, as v1 documents none.
	NoRetryAfter bool

	Partners, Links, Customers, Commissions []map[string]any

	// RepeatPath makes the pages of that path (such as "/v1/customers")
	// go round: every page answers the first, with has_more.
	RepeatPath string
	// FailEvery answers every FailEvery-th request 503 (0: never).
	FailEvery int
	// ThrottleEvery answers every ThrottleEvery-th request 429 whatever
	// the limit (0: never), so a test meets 429s however slow it runs.
	ThrottleEvery int

	w window
}

// Counts are how many requests the fake answered, and how many of them
// it refused with 429.
func (f *Tolt) Counts() (requests, throttled int) { return f.w.counts() }

func (f *Tolt) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	given, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if given != f.Key || f.Key == "" {
		// Echoes what it was given, as some APIs do: the client must
		// scrub it.
		toltError(w, http.StatusUnauthorized, "authentication_error", "Invalid API key: "+given)
		return
	}
	if wait, ok := f.w.take(cmp.Or(f.Limit, 25), cmp.Or(f.Window, time.Second), f.ThrottleEvery); !ok {
		if !f.NoRetryAfter {
			w.Header().Set("Retry-After", strconv.FormatFloat(wait.Seconds(), 'f', 3, 64))
		}
		toltError(w, http.StatusTooManyRequests, "rate_limit_error", "Too many requests")
		return
	}
	if f.w.failing(f.FailEvery) {
		toltError(w, http.StatusServiceUnavailable, "api_error", "try again")
		return
	}
	q := r.URL.Query()
	switch program := q.Get("program_id"); {
	case program == "":
		toltError(w, http.StatusBadRequest, "invalid_request_error", "program_id is required")
		return
	case program != f.ProgramID:
		toltError(w, http.StatusNotFound, "invalid_request_error", "No such program: "+program)
		return
	}
	var list []map[string]any
	var expandable []string
	switch r.URL.Path {
	case "/v1/partners":
		list = f.Partners
	case "/v1/links":
		list, expandable = f.Links, []string{"partner"}
	case "/v1/customers":
		list = f.Customers
	case "/v1/commissions":
		list, expandable = f.Commissions, []string{"partner", "customer", "transaction"}
	default:
		toltError(w, http.StatusNotFound, "invalid_request_error", "Not found")
		return
	}
	size := min(number(q.Get("limit"), 10), 100)
	if f.MaxLimit > 0 {
		size = min(size, f.MaxLimit)
	}
	from := 0
	if after := q.Get("starting_after"); after != "" && r.URL.Path != f.RepeatPath {
		i := slices.IndexFunc(list, func(rec map[string]any) bool { return toltID(rec) == after })
		if i < 0 {
			toltError(w, http.StatusBadRequest, "invalid_request_error", "No such object: "+after)
			return
		}
		from = i + 1
	}
	to := min(from+size, len(list))
	// The page alone expanded: a large program costs the fake no more a page.
	data := expanded(list[from:to], q["expand[]"], expandable...)
	if len(data) == 0 {
		data = []map[string]any{}
	}
	body := map[string]any{"success": true, "has_more": to < len(list) || r.URL.Path == f.RepeatPath, "total_count": len(list)}
	if r.URL.Path == "/v1/customers" {
		body["data"] = map[string]any{"data": data}
	} else {
		body["data"] = data
	}
	answer(w, http.StatusOK, body)
}

// expanded gives each record's objects (fields) as the expand[]
// parameters ask: an object not asked for is absent, its *_id stays.
func expanded(list []map[string]any, expand []string, fields ...string) []map[string]any {
	out := make([]map[string]any, len(list))
	for i, rec := range list {
		rec = maps.Clone(rec)
		for _, field := range fields {
			if !slices.Contains(expand, field) {
				delete(rec, field)
			}
		}
		out[i] = rec
	}
	return out
}

func toltID(rec map[string]any) string {
	if rec["id"] == nil {
		return ""
	}
	return fmt.Sprint(rec["id"])
}

func toltError(w http.ResponseWriter, status int, kind, message string) {
	answer(w, status, map[string]any{"success": false, "error": map[string]any{"type": kind, "message": message}})
}
