package fake

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// PartnerStack serves PartnerStack's API v2 under /api/v2: HTTP Basic
// with the public key as user name and the secret key as password; lists
// paged by limit (10 by default, MaxPage at most) and the cursor
// starting_after=<the last record's key>, answered {data: {has_more,
// items}}; GET /links/partnership/{email}. PartnerStack publishes no
// limit: this one, when Limit is set, answers 429 with Retry-After beyond
// Limit requests per Window. Records are given as JSON objects, so a test
// can vary what the documentation leaves open (a null email, a test
// customer, times in milliseconds as numbers or text).
type PartnerStack struct {
	PublicKey, SecretKey string
	Limit                int // 0: no limit
	// ThrottleEvery answers every ThrottleEvery-th admitted request 429
	// besides the limit (0: never), so a test meets 429s however slow
	// the machine runs.
	ThrottleEvery int
	Window        time.Duration // 0: 1 s
	MaxPage       int           // 0: 250

	Partnerships, Customers, Transactions, Rewards []map[string]any
	// Links are the answers of GET /links/partnership/{email}, by email:
	// a list of {key, dest, url}, or any other shape; an email not here
	// is answered 404.
	Links map[string]any

	// NestedPath answers that path's pages (such as "/api/v2/customers")
	// with the list in data.data, as Dub met.
	NestedPath string
	// RepeatPath makes that path's pages go round: every page answers
	// the first one, saying it has more.
	RepeatPath string
	// FailEvery answers every FailEvery-th request 503 (0: never).
	FailEvery int
	// LinksStatus answers every links request with that status (0: as
	// Links says), its message quoting the email as asked, escaped and
	// not, as an API's error may.
	LinksStatus int
	// RefusePath answers that path's pages 400, quoting RefuseQuote
	// (such as a record's email) and the request.
	RefusePath, RefuseQuote string

	w window
}

// Counts are how many requests the fake answered, and how many of them
// it refused with 429.
func (f *PartnerStack) Counts() (requests, throttled int) { return f.w.counts() }

const partnerstackRoot = "/api/v2"

func (f *PartnerStack) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	user, pass, ok := r.BasicAuth()
	if !ok || user != f.PublicKey || pass != f.SecretKey {
		// Echoes the key it was given, as some APIs do: the client must
		// scrub it.
		answer(w, http.StatusUnauthorized, map[string]any{"message": "Invalid credentials for " + user, "status": 401})
		return
	}
	if wait, ok := f.w.take(f.Limit, cmp.Or(f.Window, time.Second), f.ThrottleEvery); !ok {
		w.Header().Set("Retry-After", strconv.FormatFloat(wait.Seconds(), 'f', 3, 64))
		answer(w, http.StatusTooManyRequests, map[string]any{"message": "Too many requests", "status": 429})
		return
	}
	if f.w.failing(f.FailEvery) {
		answer(w, http.StatusServiceUnavailable, map[string]any{"message": "try again", "status": 503})
		return
	}
	q := r.URL.Query()
	if r.URL.Path == f.RefusePath {
		answer(w, http.StatusBadRequest, map[string]any{"message": fmt.Sprintf("record of %s is locked (%s)", f.RefuseQuote, r.URL.RequestURI()), "status": 400})
		return
	}
	var list []map[string]any
	switch path := strings.TrimPrefix(r.URL.Path, partnerstackRoot); {
	case strings.HasPrefix(path, "/links/partnership/") && f.LinksStatus != 0:
		answer(w, f.LinksStatus, map[string]any{"message": fmt.Sprintf("no links for %s (%s)", strings.TrimPrefix(path, "/links/partnership/"), r.URL.EscapedPath()),
			"status": f.LinksStatus})
		return
	case strings.HasPrefix(path, "/links/partnership/"):
		links, ok := f.Links[strings.TrimPrefix(path, "/links/partnership/")]
		if !ok {
			answer(w, http.StatusNotFound, map[string]any{"message": "Partnership not found", "status": 404})
			return
		}
		answer(w, http.StatusOK, links)
		return
	case path == "/partnerships":
		list = f.Partnerships
	case path == "/customers":
		list = f.Customers
	case path == "/transactions":
		list = f.Transactions
	case path == "/rewards":
		list = f.rewardsIn(q.Get("status"))
	default:
		answer(w, http.StatusNotFound, map[string]any{"message": "Not found", "status": 404})
		return
	}
	limit := min(number(q.Get("limit"), 10), f.maxPage())
	from := 0
	if after := q.Get("starting_after"); after != "" && r.URL.Path != f.RepeatPath {
		i := slices.IndexFunc(list, func(rec map[string]any) bool { return text(rec["key"]) == after })
		if i < 0 {
			answer(w, http.StatusBadRequest, map[string]any{"message": "starting_after: no such key", "status": 400})
			return
		}
		from = i + 1
	}
	to := min(from+limit, len(list))
	items := slices.Clone(list[from:to])
	if items == nil {
		items = []map[string]any{}
	}
	more := to < len(list) || r.URL.Path == f.RepeatPath
	data := map[string]any{"has_more": more, "items": items}
	if r.URL.Path == f.NestedPath {
		data = map[string]any{"has_more": more, "data": items}
	}
	answer(w, http.StatusOK, map[string]any{"data": data, "message": "Success", "status": 200})
}

func (f *PartnerStack) maxPage() int {
	if f.MaxPage > 0 {
		return f.MaxPage
	}
	return 250
}

// rewardsIn are the rewards of status (all when none given).
func (f *PartnerStack) rewardsIn(status string) []map[string]any {
	if status == "" {
		return f.Rewards
	}
	var in []map[string]any
	for _, r := range f.Rewards {
		if text(r["status"]) == status {
			in = append(in, r)
		}
	}
	return in
}

// text is a record's field as text: keys may be numbers.
func text(v any) string {
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}
