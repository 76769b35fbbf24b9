package sandbox

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/partnero-import/partnero-import/validate"
)

// ServeHTTP answers one API request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests++
	s.mu.Unlock()
	if s.opts.Latency > 0 {
		select {
		case <-time.After(s.opts.Latency):
		case <-r.Context().Done():
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if token = strings.TrimSpace(token); !ok || token == "" || (s.opts.APIKey != "" && token != s.opts.APIKey) {
		answer(w, http.StatusUnauthorized, map[string]any{"message": "Unauthenticated."})
		return
	}
	s.mu.Lock()
	if wait, throttled := s.throttle(w); throttled {
		s.mu.Unlock()
		w.Header().Set("Retry-After", strconv.Itoa(wait))
		answer(w, http.StatusTooManyRequests, map[string]any{"message": "Too Many Attempts."})
		return
	}
	if s.burst == 0 && s.chance(s.opts.Faults.Burst429) {
		s.burst = s.opts.Faults.BurstLength
	}
	if s.burst > 0 {
		s.burst--
		s.mu.Unlock()
		w.Header().Set("Retry-After", "1")
		answer(w, http.StatusTooManyRequests, map[string]any{"message": "Too Many Attempts."})
		return
	}
	fail := s.chance(s.opts.FailRate)
	s.mu.Unlock()
	if fail {
		answer(w, http.StatusInternalServerError, map[string]any{"message": "Server Error"})
		return
	}

	path, ok := strings.CutPrefix(r.URL.Path, "/v1/")
	switch {
	case !ok:
		notFound(w)
	case path == "partners" && r.Method == http.MethodPost:
		s.create(w, r)
	case path == "partners:invite" && r.Method == http.MethodPost:
		s.invite(w, r)
	case path == "partners" && r.Method == http.MethodGet:
		s.list(w, r)
	case strings.HasPrefix(path, "partners/") && r.Method == http.MethodGet:
		s.find(w, strings.TrimPrefix(path, "partners/"))
	case path == "partners" || path == "partners:invite" || strings.HasPrefix(path, "partners/"):
		answer(w, http.StatusMethodNotAllowed, map[string]any{"message": "The " + r.Method + " method is not supported for this route."})
	default:
		notFound(w)
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

func answer(w http.ResponseWriter, status int, body any) {
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
}

func notFound(w http.ResponseWriter) {
	answer(w, http.StatusNotFound, map[string]any{"message": "Not Found"})
}

// request is the body of a create or an invite. Fields are raw so that a
// value of the wrong type is a 422, as Laravel's "string" rule makes it.
type request map[string]json.RawMessage

// problems collects Laravel-style field errors.
type problems map[string][]string

func (p problems) add(field, msg string) { p[field] = append(p[field], msg) }

// answer writes Laravel's 422: the first problem as the message (by field,
// in the order the form has them), and every problem under errors.
func (p problems) answer(w http.ResponseWriter) {
	fields := slices.Sorted(maps.Keys(p))
	order := []string{"email", "name", "surname", "password", "id", "key", "tags", "referring_partner"}
	slices.SortStableFunc(fields, func(a, b string) int {
		return cmp.Compare(rank(order, a), rank(order, b))
	})
	first := p[fields[0]][0]
	switch n := len(p); {
	case n == 2:
		first += " (and 1 more error)"
	case n > 2:
		first += fmt.Sprintf(" (and %d more errors)", n-1)
	}
	answer(w, http.StatusUnprocessableEntity, map[string]any{"message": first, "errors": p})
}

// rank is i's place in order, or after all of them.
func rank(order []string, s string) int {
	if i := slices.Index(order, s); i >= 0 {
		return i
	}
	return len(order)
}

func readRequest(w http.ResponseWriter, r *http.Request) (request, bool) {
	b, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return nil, false
	}
	var req request
	if err := json.Unmarshal(b, &req); err != nil || req == nil {
		answer(w, http.StatusBadRequest, map[string]any{"message": "The request body must be a JSON object.", "status": 0})
		return nil, false
	}
	return req, true
}

// text reads a string field; absent and null are "". A non-string is a problem.
func (req request) text(field string, ps problems) string {
	raw, ok := req[field]
	if !ok || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		ps.add(field, "The "+field+" field must be a string.")
	}
	return s
}

func maxLen(ps problems, field, v string, n int) {
	if utf8.RuneCountInString(v) > n {
		ps.add(field, fmt.Sprintf("The %s field must not be greater than %d characters.", field, n))
	}
}

func (s *Server) checkEmail(ps problems, email string) {
	switch {
	case email == "":
		ps.add("email", "The email field is required.")
	case validate.EmailProblem(email) != "":
		ps.add("email", "The email field must be a valid email address.")
	default:
		maxLen(ps, "email", email, 255)
		if s.byEmail[strings.ToLower(email)] != nil {
			ps.add("email", "Email already exists")
		}
	}
}

func (s *Server) create(w http.ResponseWriter, r *http.Request) {
	req, ok := readRequest(w, r)
	if !ok {
		return
	}
	ps := problems{}
	p := &Partner{
		Email: req.text("email", ps), Name: req.text("name", ps), Surname: req.text("surname", ps),
		ID: req.text("id", ps), Key: req.text("key", ps), Status: "active",
	}
	password := req.text("password", ps)
	tags := req.tags(ps)
	ref, refGiven := req.referrer(ps)

	s.mu.Lock()
	defer s.mu.Unlock()
	s.checkEmail(ps, p.Email)
	maxLen(ps, "name", p.Name, 100)
	maxLen(ps, "surname", p.Surname, 100)
	if password != "" && validate.PasswordLacks(password) != "" {
		ps.add("password", "The password must be at least 8 characters and contain at least 1 lowercase, 1 uppercase, and 1 number.")
	}
	maxLen(ps, "password", password, 255)
	maxLen(ps, "id", p.ID, 255)
	if p.ID != "" && s.byID[p.ID] != nil {
		ps.add("id", "ID already exists")
	}
	maxLen(ps, "key", p.Key, 64)
	if strings.IndexFunc(p.Key, func(r rune) bool { return !isKeyRune(r) }) >= 0 {
		ps.add("key", "The key field must only contain letters, numbers, dashes, and underscores.")
	}
	if p.Key != "" && s.byKey[p.Key] != nil {
		ps.add("key", "Key already exists")
	}
	if len(ps) > 0 {
		ps.answer(w)
		return
	}
	if refGiven {
		parent := s.referrer(ref)
		if parent == nil {
			answer(w, http.StatusBadRequest, map[string]any{"message": "Referring partner not found", "status": 0})
			return
		}
		p.Referrer = parent.ID
	}
	p.Tags = tags
	s.store(p)
	s.answerStored(w, r, http.StatusCreated, p)
}

// chance draws a fault with probability f. The caller holds mu.
func (s *Server) chance(f float64) bool { return f > 0 && s.rng.Float64() < f }

// answerStored answers a request whose partner is stored, unless a fault
// loses or delays the answer. The caller holds mu; it is released here.
func (s *Server) answerStored(w http.ResponseWriter, r *http.Request, status int, p *Partner) {
	f := s.opts.Faults
	body := map[string]any{"data": s.view(p), "status": 1}
	fail, drop, slow := s.chance(f.FailAfterStore), s.chance(f.DropAfterStore), s.chance(f.SlowAfterStore)
	s.mu.Unlock()
	defer s.mu.Lock() // the caller's deferred Unlock
	switch {
	case fail:
		answer(w, http.StatusInternalServerError, map[string]any{"message": "Server Error"})
	case drop:
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler) // closes the connection without an answer
	case slow:
		select {
		case <-time.After(f.SlowDelay):
		case <-r.Context().Done():
			return
		}
		answer(w, status, body)
	default:
		answer(w, status, body)
	}
}

func isKeyRune(r rune) bool {
	return r == '-' || r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')
}

func (req request) tags(ps problems) []string {
	raw, ok := req["tags"]
	if !ok || string(raw) == "null" {
		return nil
	}
	var tags []string
	if json.Unmarshal(raw, &tags) != nil {
		ps.add("tags", "The tags field must be an array of strings.")
		return nil
	}
	for _, t := range tags {
		maxLen(ps, "tags", t, 255)
	}
	return tags
}

type reference struct{ ID, Key, Email string }

func (req request) referrer(ps problems) (reference, bool) {
	raw, ok := req["referring_partner"]
	if !ok || string(raw) == "null" {
		return reference{}, false
	}
	var ref struct {
		ID    any    `json:"id"`
		Key   string `json:"key"`
		Email string `json:"email"`
	}
	if json.Unmarshal(raw, &ref) != nil {
		ps.add("referring_partner", "The referring partner field must be an object with id, key or email.")
		return reference{}, false
	}
	out := reference{Key: ref.Key, Email: ref.Email}
	if ref.ID != nil {
		out.ID = strings.Trim(fmt.Sprint(ref.ID), `"`)
	}
	if out == (reference{}) {
		ps.add("referring_partner", "The referring partner needs an id, a key or an email.")
		return reference{}, false
	}
	return out, true
}

// referrer finds the partner a reference names. The caller holds mu.
func (s *Server) referrer(ref reference) *Partner {
	switch {
	case ref.ID != "":
		return s.byID[ref.ID]
	case ref.Key != "":
		return s.byKey[ref.Key]
	default:
		return s.byEmail[strings.ToLower(ref.Email)]
	}
}

func (s *Server) invite(w http.ResponseWriter, r *http.Request) {
	if s.opts.Program != Affiliate {
		answer(w, http.StatusForbidden, map[string]any{"message": "Invitations are available only in affiliate programs.", "status": 0})
		return
	}
	req, ok := readRequest(w, r)
	if !ok {
		return
	}
	ps := problems{}
	p := &Partner{Email: req.text("email", ps), Name: req.text("name", ps), Surname: req.text("surname", ps), Status: "invited"}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.checkEmail(ps, p.Email)
	if p.Name == "" {
		ps.add("name", "The name field is required.")
	}
	maxLen(ps, "name", p.Name, 100)
	maxLen(ps, "surname", p.Surname, 100)
	if len(ps) > 0 {
		ps.answer(w)
		return
	}
	s.store(p)
	s.answerStored(w, r, http.StatusOK, p)
}

func (s *Server) find(w http.ResponseWriter, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.byID[id]
	if p == nil {
		answer(w, http.StatusNotFound, map[string]any{"message": "Partner not found", "status": 0})
		return
	}
	answer(w, http.StatusOK, map[string]any{"data": s.view(p), "status": 1})
}

func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	limit, page := 15, 1
	ps := problems{}
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 250 {
			ps.add("limit", "The limit field must be between 1 and 250.")
		}
		limit = n
	}
	if v := r.URL.Query().Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			ps.add("page", "The page field must be at least 1.")
		}
		page = n
	}
	if len(ps) > 0 {
		ps.answer(w)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	data := []map[string]any{}
	for i := (page - 1) * limit; i < len(s.partners) && i < page*limit; i++ {
		data = append(data, s.view(s.partners[i]))
	}
	answer(w, http.StatusOK, map[string]any{"data": data, "status": 1,
		"meta": map[string]any{"current_page": page, "per_page": limit, "total": len(s.partners)}})
}

// view is a partner as the API shows it. The caller holds mu.
func (s *Server) view(p *Partner) map[string]any {
	tags := make([]map[string]string, len(p.Tags))
	for i, t := range p.Tags {
		tags[i] = map[string]string{"value": t}
	}
	link := "https://sandbox.partnero.test/?aff=" + p.Key
	v := map[string]any{
		"id": p.ID, "key": p.Key, "email": p.Email, "name": p.Name, "surname": p.Surname,
		"status": p.Status, "approved": p.Status == "active", "tags": tags,
		"referral_link": link, "referral_links": []string{link},
		"created_at": p.CreatedAt.Format(time.RFC3339), "updated_at": p.CreatedAt.Format(time.RFC3339),
	}
	if parent := s.byID[p.Referrer]; parent != nil {
		v["referring_partner"] = map[string]string{"id": parent.ID, "key": parent.Key, "email": parent.Email}
	}
	return v
}
