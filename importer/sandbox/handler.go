package sandbox

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ServeHTTP answers one API request: the routes (routes), behind what
// every request meets first, as middleware: counting, latency, the
// variation's Date header, the key, the rate limit and the faults.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.handler.ServeHTTP(w, r)
}

// middleware wraps the routes in what every request meets before them.
func (s *Server) middleware(routes http.Handler) http.Handler {
	return s.counted(s.delayed(s.dated(s.authorized(s.limited(s.faulty(routes))))))
}

func (s *Server) counted(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requests++
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			s.writes++
		}
		s.mu.Unlock()
		next.ServeHTTP(w, r)
	})
}

// delayed adds the --latency to every answer.
func (s *Server) delayed(next http.Handler) http.Handler {
	if s.opts.Latency <= 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(s.opts.Latency):
			next.ServeHTTP(w, r)
		case <-r.Context().Done():
		}
	})
}

// dated gives the variation's Date header (or none) and the JSON type.
func (s *Server) dated(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch v := s.opts.Vary; {
		case v.NoDate:
			w.Header()["Date"] = nil // net/http then adds none
		case v.ClockSkew != 0:
			w.Header().Set("Date", s.now().Format(http.TimeFormat))
		}
		next.ServeHTTP(w, r)
	})
}

// authorized takes the bearer token: any non-empty one, or the --api-key.
func (s *Server) authorized(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if token = strings.TrimSpace(token); !ok || token == "" || (s.opts.APIKey != "" && token != s.opts.APIKey) {
			s.fail(w, http.StatusUnauthorized, "Unauthenticated.")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// limited answers 429 beyond the rate limit, and in a fault's burst.
func (s *Server) limited(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		if wait, throttled := s.throttle(w); throttled {
			s.mu.Unlock()
			s.tooMany(w, time.Duration(wait)*time.Second)
			return
		}
		if s.burst == 0 && s.chance(s.opts.Faults.Burst429) {
			s.burst = s.opts.Faults.BurstLength
		}
		if s.burst > 0 {
			s.burst--
			s.mu.Unlock()
			s.tooMany(w, s.opts.Faults.BurstWait)
			return
		}
		s.mu.Unlock()
		next.ServeHTTP(w, r)
	})
}

// faulty answers --fail-rate of the requests 500, before anything is done.
func (s *Server) faulty(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		fail := s.chance(s.opts.FailRate)
		s.mu.Unlock()
		if fail {
			s.fail(w, http.StatusInternalServerError, "Server Error")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// routes are the endpoints, as method-and-path patterns under /v1. A
// partner's id is one path segment, percent-decoded: ids may hold any
// character. A known path asked with another method is a 405, an unknown
// one a 404, both in the API's JSON.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	handle := func(pattern string, h func(w http.ResponseWriter, r *http.Request)) {
		mux.HandleFunc(pattern, h)
	}
	handle("GET /v1/test", func(w http.ResponseWriter, r *http.Request) {
		answer(w, http.StatusOK, map[string]any{"message": "The API key is valid.", "status": 1})
	})
	handle("POST /v1/partners", s.create)
	handle("GET /v1/partners", s.list)
	handle("PUT /v1/partners", func(w http.ResponseWriter, r *http.Request) { s.update(w, r, "") })
	handle("DELETE /v1/partners", func(w http.ResponseWriter, r *http.Request) { s.delete(w, r, "") })
	handle("POST /v1/partners:invite", s.invite)
	handle("GET /v1/partners/{id}", func(w http.ResponseWriter, r *http.Request) { s.find(w, r.PathValue("id")) })
	handle("PUT /v1/partners/{id}", func(w http.ResponseWriter, r *http.Request) { s.update(w, r, r.PathValue("id")) })
	handle("DELETE /v1/partners/{id}", func(w http.ResponseWriter, r *http.Request) { s.delete(w, r, r.PathValue("id")) })
	handle("POST /v1/partners/{id}/archive", func(w http.ResponseWriter, r *http.Request) { s.archive(w, r, r.PathValue("id"), true) })
	handle("POST /v1/partners/{id}/revoke-archive", func(w http.ResponseWriter, r *http.Request) { s.archive(w, r, r.PathValue("id"), false) })
	known := []string{"/v1/test", "/v1/partners", "/v1/partners:invite", "/v1/partners/{id}", "/v1/partners/{id}/archive", "/v1/partners/{id}/revoke-archive"}
	known = append(known, s.customerRoutes(handle)...)
	known = append(known, s.transactionRoutes(handle)...)
	if !s.opts.Vary.NoSearch { // only the old documentation and the PHP client have it
		handle("GET /v1/partners:search", s.search)
		known = append(known, "/v1/partners:search")
	}
	for _, path := range known {
		handle(path, func(w http.ResponseWriter, r *http.Request) {
			s.fail(w, http.StatusMethodNotAllowed, "The "+r.Method+" method is not supported for this route.")
		})
	}
	handle("/", func(w http.ResponseWriter, r *http.Request) { s.fail(w, http.StatusNotFound, "Not Found") })
	return mux
}

// customerRoutes are the customer endpoints; the paths they know.
func (s *Server) customerRoutes(handle func(string, func(http.ResponseWriter, *http.Request))) []string {
	key := func(h func(w http.ResponseWriter, r *http.Request, key string)) func(http.ResponseWriter, *http.Request) {
		return func(w http.ResponseWriter, r *http.Request) { h(w, r, r.PathValue("key")) }
	}
	handle("POST /v1/customers", s.createCustomer)
	handle("GET /v1/customers", s.listCustomers)
	handle("PUT /v1/customers", key(s.updateCustomer)) // php: the key in the body
	handle("GET /v1/customers:search", s.searchCustomers)
	handle("GET /v1/customers/{key}", func(w http.ResponseWriter, r *http.Request) { s.findCustomer(w, r.PathValue("key")) })
	handle("PUT /v1/customers/{key}", key(s.updateCustomer))
	handle("DELETE /v1/customers/{key}", key(s.deleteCustomer))
	handle("POST /v1/customers/{key}/archive", key(func(w http.ResponseWriter, r *http.Request, k string) { s.archiveCustomer(w, r, k, true) }))
	handle("POST /v1/customers/{key}/revoke-archive", key(func(w http.ResponseWriter, r *http.Request, k string) { s.archiveCustomer(w, r, k, false) }))
	return []string{"/v1/customers", "/v1/customers:search", "/v1/customers/{key}", "/v1/customers/{key}/archive", "/v1/customers/{key}/revoke-archive"}
}

// transactionRoutes are the transaction endpoints; the paths they know.
func (s *Server) transactionRoutes(handle func(string, func(http.ResponseWriter, *http.Request))) []string {
	key := func(h func(w http.ResponseWriter, r *http.Request, key string)) func(http.ResponseWriter, *http.Request) {
		return func(w http.ResponseWriter, r *http.Request) { h(w, r, r.PathValue("key")) }
	}
	handle("POST /v1/transactions", s.createTransaction)
	handle("GET /v1/transactions", s.listTransactions)
	handle("GET /v1/transactions/{key}", func(w http.ResponseWriter, r *http.Request) { s.findTransaction(w, r.PathValue("key")) })
	handle("DELETE /v1/transactions/{key}", key(s.deleteTransaction))
	handle("POST /v1/transactions/{key}/archive", key(func(w http.ResponseWriter, r *http.Request, k string) { s.archiveTransaction(w, r, k, true) }))
	handle("POST /v1/transactions/{key}/revoke-archive", key(func(w http.ResponseWriter, r *http.Request, k string) { s.archiveTransaction(w, r, k, false) }))
	return []string{"/v1/transactions", "/v1/transactions/{key}", "/v1/transactions/{key}/archive", "/v1/transactions/{key}/revoke-archive"}
}

// throttle counts the request against the minute's budget and sets the
// rate-limit headers. The caller holds mu.
func (s *Server) throttle(w http.ResponseWriter) (retryAfter int, throttled bool) {
	if s.opts.RateLimit <= 0 {
		return 0, false
	}
	now := time.Now()
	if now.Sub(s.window) >= s.opts.Window {
		s.window, s.used = now, 0
	}
	if !s.opts.QuietLimit {
		w.Header().Set("X-RateLimit-Limit", strconv.Itoa(s.opts.RateLimit))
	}
	if s.used >= s.opts.RateLimit {
		if !s.opts.QuietLimit {
			w.Header().Set("X-RateLimit-Remaining", "0")
		}
		s.throttled++
		return max(1, int(math.Ceil((s.opts.Window - now.Sub(s.window)).Seconds()))), true
	}
	s.used++
	if !s.opts.QuietLimit {
		w.Header().Set("X-RateLimit-Remaining", strconv.Itoa(s.opts.RateLimit-s.used))
	}
	return 0, false
}

// tooMany answers 429, with Retry-After unless the variation keeps it back.
func (s *Server) tooMany(w http.ResponseWriter, wait time.Duration) {
	if !s.opts.Vary.NoRetryAfter {
		w.Header().Set("Retry-After", strconv.FormatFloat(wait.Seconds(), 'f', -1, 64))
	}
	s.fail(w, http.StatusTooManyRequests, "Too Many Attempts.")
}

// chance draws a fault with probability f. The caller holds mu.
func (s *Server) chance(f float64) bool { return f > 0 && s.rng.Float64() < f }

func answer(w http.ResponseWriter, status int, body any) {
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
}

// fail answers an error without fields, in the variation's shape.
func (s *Server) fail(w http.ResponseWriter, status int, msg string) {
	switch s.opts.Vary.ErrorShape {
	case "error":
		answer(w, status, map[string]any{"error": map[string]any{"message": msg, "code": status}})
	case "message":
		answer(w, status, map[string]any{"message": msg})
	default:
		answer(w, status, map[string]any{"message": msg, "status": 0})
	}
}

// problems collects Laravel-style field errors.
type problems map[string][]string

func (p problems) add(field, msg string) { p[field] = append(p[field], msg) }

// taken notes a value already held by another partner.
func (s *Server) taken(ps problems, field string) { ps.add(field, s.lang.taken(field)) }

// refuse answers the problems of a request: Laravel's 422 with the first
// problem as the message (by field, in the order the form has them) and
// every problem under errors, in the variation's shape. A request refused
// only for values already taken answers the variation's clash status.
func (s *Server) refuse(w http.ResponseWriter, ps problems) {
	fields := slices.Sorted(maps.Keys(ps))
	order := []string{"email", "name", "surname", "password", "id", "key", "tags", "referring_partner", "update"}
	slices.SortStableFunc(fields, func(a, b string) int { return cmp.Compare(rank(order, a), rank(order, b)) })
	first := ps[fields[0]][0]
	status := http.StatusUnprocessableEntity
	if s.opts.Vary.ClashStatus == http.StatusConflict && s.onlyTaken(ps) {
		status = http.StatusConflict
	}
	switch s.opts.Vary.ErrorShape {
	case "error":
		answer(w, status, map[string]any{"error": map[string]any{"message": first, "field": fields[0]}})
	case "message":
		answer(w, status, map[string]any{"message": first})
	default:
		switch n := len(ps); {
		case n == 2:
			first += " (and 1 more error)"
		case n > 2:
			first += fmt.Sprintf(" (and %d more errors)", n-1)
		}
		answer(w, status, map[string]any{"message": first, "errors": ps})
	}
}

func (s *Server) onlyTaken(ps problems) bool {
	for f, msgs := range ps {
		for _, m := range msgs {
			if f != "email" && f != "id" && f != "key" || m != s.lang.taken(f) {
				return false
			}
		}
	}
	return true
}

// rank is s's place in order, or after all of them.
func rank(order []string, s string) int {
	if i := slices.Index(order, s); i >= 0 {
		return i
	}
	return len(order)
}
