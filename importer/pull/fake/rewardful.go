package fake

import (
	"cmp"
	"encoding/json"
	"maps"
	"math"
	"net/http"
	"slices"
	"strconv"
	"time"
)

// Rewardful serves Rewardful's API v1 under /v1: HTTP Basic with the API
// secret as user name, pages of page and limit (25 by default, 100 at
// most) with their pagination object, a limit of Limit requests per
// Window (45 per 30 s) answered 429 with Retry-After beyond it, and the
// expand[] parameters. Records are given as JSON objects, so a test can
// vary what the documentation leaves open (a missing campaign, a null
// customer, ids that are not UUIDs, amounts as strings).
type Rewardful struct {
	Secret string
	Limit  int // 0: 45
	// ThrottleEvery answers every ThrottleEvery-th admitted request 429
	// besides the limit (0: never), so a test meets 429s however slow the
	// machine runs.
	ThrottleEvery int
	Window        time.Duration // 0: 30 s

	Affiliates, Referrals, Commissions []map[string]any

	// RepeatPath makes the pages of that path (such as "/v1/referrals")
	// go round: every page answers page 1, with a next page.
	RepeatPath string
	// FailEvery answers every FailEvery-th request 503 (0: never).
	FailEvery int
	// PageSize is the most records a page lists whatever limit asks (0:
	// the limit asked), so a small program spans pages.
	PageSize int
	// Overlap makes every page after the first list again the last
	// record of the page before, as offset pages do while records are
	// added.
	Overlap bool

	w window
}

// Counts are how many requests the fake answered, and how many of them
// it refused with 429.
func (f *Rewardful) Counts() (requests, throttled int) { return f.w.counts() }

func (f *Rewardful) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	user, pass, ok := r.BasicAuth()
	if !ok || user != f.Secret || pass != "" {
		// Echoes what it was given, as some APIs do: the client must
		// scrub it.
		answer(w, http.StatusUnauthorized, map[string]any{"error": "Invalid API secret: " + user})
		return
	}
	if wait, ok := f.w.take(cmp.Or(f.Limit, 45), cmp.Or(f.Window, 30*time.Second), f.ThrottleEvery); !ok {
		w.Header().Set("Retry-After", strconv.FormatFloat(wait.Seconds(), 'f', 3, 64))
		answer(w, http.StatusTooManyRequests, map[string]any{"error": "Rate limit exceeded"})
		return
	}
	if f.w.failing(f.FailEvery) {
		answer(w, http.StatusServiceUnavailable, map[string]any{"error": "try again"})
		return
	}
	q := r.URL.Query()
	var list []map[string]any
	var expandable map[string]bool
	switch r.URL.Path {
	case "/v1/affiliates":
		list, expandable = f.Affiliates, map[string]bool{"campaign": true, "links": false}
	case "/v1/referrals":
		list, expandable = f.referralsIn(q["conversion_state[]"]), map[string]bool{"affiliate": true}
	case "/v1/commissions":
		list, expandable = f.Commissions, map[string]bool{"sale": true}
	default:
		answer(w, http.StatusNotFound, map[string]any{"error": "Not found"})
		return
	}
	page, limit := number(q.Get("page"), 1), min(number(q.Get("limit"), 25), 100)
	if f.PageSize > 0 {
		limit = min(limit, f.PageSize)
	}
	body := pageOf(list, page, limit, 0)
	if f.Overlap && page > 1 && (page-1)*limit <= len(list) {
		body["data"] = append([]map[string]any{list[(page-1)*limit-1]}, body["data"].([]map[string]any)...)
	}
	if r.URL.Path == f.RepeatPath {
		body = pageOf(list, 1, limit, page+1)
	}
	// Only the page answered is shaped: a page costs the same however
	// large the program.
	body["data"] = f.shaped(body["data"].([]map[string]any), q["expand[]"], expandable)
	answer(w, http.StatusOK, body)
}

// referralsIn are the referrals in one of states (all when none given).
func (f *Rewardful) referralsIn(states []string) []map[string]any {
	if len(states) == 0 {
		return f.Referrals
	}
	var in []map[string]any
	for _, r := range f.Referrals {
		if s, _ := r["conversion_state"].(string); slices.Contains(states, s) {
			in = append(in, r)
		}
	}
	return in
}

// shaped gives each record as the expand[] parameters ask: an object not
// expanded is its id (or, for dropped ones, absent).
func (f *Rewardful) shaped(list []map[string]any, expand []string, expandable map[string]bool) []map[string]any {
	out := make([]map[string]any, len(list))
	for i, rec := range list {
		rec = maps.Clone(rec)
		for field, keepID := range expandable {
			if slices.Contains(expand, field) {
				continue
			}
			obj, isObj := rec[field].(map[string]any)
			switch {
			case !keepID:
				delete(rec, field)
			case isObj:
				rec[field] = obj["id"]
			}
		}
		out[i] = rec
	}
	return out
}

// pageOf is page of list, with Rewardful's pagination; next, when not 0,
// is the next page said whatever the list.
func pageOf(list []map[string]any, page, limit, next int) map[string]any {
	total := len(list)
	pages := max(int(math.Ceil(float64(total)/float64(limit))), 1)
	from, to := min((page-1)*limit, total), min(page*limit, total)
	p := map[string]any{"previous_page": nil, "current_page": page, "next_page": nil, "count": to - from,
		"limit": limit, "total_pages": pages, "total_count": total}
	if page > 1 {
		p["previous_page"] = page - 1
	}
	if page < pages {
		p["next_page"] = page + 1
	}
	if next != 0 {
		p["next_page"] = next
	}
	data := list[from:to]
	if data == nil {
		data = []map[string]any{}
	}
	return map[string]any{"pagination": p, "data": data}
}

func number(s string, otherwise int) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return otherwise
	}
	return n
}

func answer(w http.ResponseWriter, status int, body any) {
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body) // a client gone away hears nothing
}
