package sandbox

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ServeHTTP answers one API request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests++
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		s.writes++
	}
	s.mu.Unlock()
	if s.opts.Latency > 0 {
		select {
		case <-time.After(s.opts.Latency):
		case <-r.Context().Done():
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	switch v := s.opts.Vary; {
	case v.NoDate:
		w.Header()["Date"] = nil // net/http then adds none
	case v.ClockSkew != 0:
		w.Header().Set("Date", s.now().Format(http.TimeFormat))
	}
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if token = strings.TrimSpace(token); !ok || token == "" || (s.opts.APIKey != "" && token != s.opts.APIKey) {
		s.fail(w, http.StatusUnauthorized, "Unauthenticated.")
		return
	}
	s.mu.Lock()
	if wait, throttled := s.throttle(w); throttled {
		s.mu.Unlock()
		s.tooMany(w, wait)
		return
	}
	if s.burst == 0 && s.chance(s.opts.Faults.Burst429) {
		s.burst = s.opts.Faults.BurstLength
	}
	if s.burst > 0 {
		s.burst--
		s.mu.Unlock()
		s.tooMany(w, 1)
		return
	}
	fail := s.chance(s.opts.FailRate)
	s.mu.Unlock()
	if fail {
		s.fail(w, http.StatusInternalServerError, "Server Error")
		return
	}
	s.route(w, r)
}

// route sends a request to its endpoint. The partner's id is one path
// segment, percent-decoded: ids may hold any character.
func (s *Server) route(w http.ResponseWriter, r *http.Request) {
	path, ok := strings.CutPrefix(r.URL.EscapedPath(), "/v1/")
	if !ok {
		s.fail(w, http.StatusNotFound, "Not Found")
		return
	}
	segs := strings.Split(path, "/")
	id := ""
	if len(segs) > 1 {
		var err error
		if id, err = url.PathUnescape(segs[1]); err != nil {
			s.fail(w, http.StatusNotFound, "Not Found")
			return
		}
	}
	m := r.Method
	switch {
	case path == "test" && m == http.MethodGet:
		answer(w, http.StatusOK, map[string]any{"message": "The API key is valid.", "status": 1})
	case path == "partners" && m == http.MethodPost:
		s.create(w, r)
	case path == "partners" && m == http.MethodGet:
		s.list(w, r)
	case path == "partners" && m == http.MethodPut:
		s.update(w, r, "")
	case path == "partners" && m == http.MethodDelete:
		s.delete(w, r, "")
	case path == "partners:invite" && m == http.MethodPost:
		s.invite(w, r)
	case path == "partners:search" && m == http.MethodGet && !s.opts.Vary.NoSearch:
		s.search(w, r)
	case len(segs) == 2 && segs[0] == "partners" && m == http.MethodGet:
		s.find(w, id)
	case len(segs) == 2 && segs[0] == "partners" && m == http.MethodPut:
		s.update(w, r, id)
	case len(segs) == 2 && segs[0] == "partners" && m == http.MethodDelete:
		s.delete(w, r, id)
	case len(segs) == 3 && segs[0] == "partners" && segs[2] == "archive" && m == http.MethodPost:
		s.archive(w, r, id, true)
	case len(segs) == 3 && segs[0] == "partners" && segs[2] == "revoke-archive" && m == http.MethodPost:
		s.archive(w, r, id, false)
	case segs[0] == "partners" || segs[0] == "partners:invite" || segs[0] == "test" || (segs[0] == "partners:search" && !s.opts.Vary.NoSearch):
		s.fail(w, http.StatusMethodNotAllowed, "The "+m+" method is not supported for this route.")
	default:
		s.fail(w, http.StatusNotFound, "Not Found")
	}
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
func (s *Server) tooMany(w http.ResponseWriter, wait int) {
	if !s.opts.Vary.NoRetryAfter {
		w.Header().Set("Retry-After", strconv.Itoa(wait))
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
