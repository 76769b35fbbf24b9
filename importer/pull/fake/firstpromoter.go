package fake

import (
	"cmp"
	"maps"
	"net/http"
	"strconv"
	"time"
)

// FirstPromoter serves FirstPromoter's API v2 under /api/v2/company:
// "Authorization: Bearer KEY" and "Account-ID: ID" (a wrong key is 401, a
// wrong account 403, with its error body {message, code}), pages of page
// and per_page (20 by default, 100 at most or MaxPerPage; a page past the
// end lists nothing), a limit of Limit requests per Window (400 a minute) answered
// 429 beyond it, with Retry-After unless NoRetryAfter. Promoters come as
// {data, meta}, with parent_promoter only when include_parent_promoter
// is true; referrals as a bare array; commissions as {data} (the
// documentation is silent: CommissionsNested puts them in data.data).
type FirstPromoter struct {
	Key, Account string
	Limit        int // 0: 400
	// ThrottleEvery answers every ThrottleEvery-th admitted request 429
	// besides the limit (0: never), so a test meets 429s however slow
	// the machine runs.
	ThrottleEvery int
	Window        time.Duration // 0: a minute
	NoRetryAfter  bool
	// CommissionsNested answers commissions as {data: {data: [...]}}.
	CommissionsNested bool
	// MaxPerPage caps per_page below the documented 100 (0: 100), as an
	// account or a version of the API may: a short page is not the last.
	MaxPerPage int

	Promoters, Referrals, Commissions []map[string]any

	// RepeatPath makes that path's pages (such as
	// "/api/v2/company/referrals") go round: every page answers page 1.
	RepeatPath string
	// FailEvery answers every FailEvery-th request 503 (0: never).
	FailEvery int

	w window
}

const firstPromoterRoot = "/api/v2/company"

// Counts are how many requests the fake answered, and how many of them
// it refused with 429.
func (f *FirstPromoter) Counts() (requests, throttled int) { return f.w.counts() }

func (f *FirstPromoter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	bearer := r.Header.Get("Authorization")
	switch {
	case bearer != "Bearer "+f.Key:
		// Echoes what it was given: the client must scrub it.
		answer(w, http.StatusUnauthorized, map[string]any{"message": "Unauthenticated: " + bearer, "code": "unauthorized"})
		return
	case r.Header.Get("Account-ID") != f.Account:
		answer(w, http.StatusForbidden, map[string]any{"message": "No access to account " + r.Header.Get("Account-ID"), "code": "forbidden"})
		return
	}
	if wait, ok := f.w.take(cmp.Or(f.Limit, 400), cmp.Or(f.Window, time.Minute), f.ThrottleEvery); !ok {
		if !f.NoRetryAfter {
			w.Header().Set("Retry-After", strconv.FormatFloat(wait.Seconds(), 'f', 3, 64))
		}
		answer(w, http.StatusTooManyRequests, map[string]any{"message": "Too Many Attempts."})
		return
	}
	if f.w.failing(f.FailEvery) {
		answer(w, http.StatusServiceUnavailable, map[string]any{"message": "try again"})
		return
	}
	q := r.URL.Query()
	most := f.MaxPerPage
	if most == 0 {
		most = 100
	}
	page, perPage := number(q.Get("page"), 1), min(number(q.Get("per_page"), 20), most)
	if r.URL.Path == f.RepeatPath {
		page = 1
	}
	switch r.URL.Path {
	case firstPromoterRoot + "/promoters":
		list := f.Promoters
		if q.Get("include_parent_promoter") != "true" {
			list = without(list, "parent_promoter")
		}
		pending := 0
		for _, p := range f.Promoters {
			for _, c := range asList(p["promoter_campaigns"]) {
				if c["state"] == "pending" {
					pending++
				}
			}
		}
		answer(w, http.StatusOK, map[string]any{"data": slice(list, page, perPage), "meta": map[string]any{"pending_count": pending}})
	case firstPromoterRoot + "/referrals":
		answer(w, http.StatusOK, slice(f.Referrals, page, perPage))
	case firstPromoterRoot + "/commissions":
		var data any = slice(f.Commissions, page, perPage)
		if f.CommissionsNested {
			data = map[string]any{"data": data}
		}
		answer(w, http.StatusOK, map[string]any{"data": data})
	default:
		answer(w, http.StatusNotFound, map[string]any{"message": "Not found", "code": "not_found"})
	}
}

// slice is page of list, per_page records a page; past the end, none.
func slice(list []map[string]any, page, perPage int) []map[string]any {
	from, to := min((page-1)*perPage, len(list)), min(page*perPage, len(list))
	if from >= to {
		return []map[string]any{}
	}
	return list[from:to]
}

// without is list with field dropped from each record.
func without(list []map[string]any, field string) []map[string]any {
	out := make([]map[string]any, len(list))
	for i, rec := range list {
		rec = maps.Clone(rec)
		delete(rec, field)
		out[i] = rec
	}
	return out
}

func asList(v any) []map[string]any {
	switch l := v.(type) {
	case []map[string]any:
		return l
	case []any:
		var out []map[string]any
		for _, e := range l {
			if m, ok := e.(map[string]any); ok {
				out = append(out, m)
			}
		}
		return out
	}
	return nil
}
