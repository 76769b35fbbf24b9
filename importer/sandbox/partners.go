package sandbox

// The partner endpoints, with the rules Partnero documents.

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// request is the body of a write. Fields are raw so that a value of the
// wrong type is a 422, as Laravel's "string" rule makes it.
type request map[string]json.RawMessage

func (s *Server) readRequest(w http.ResponseWriter, r *http.Request) (request, bool) {
	b, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return nil, false
	}
	var req request
	if err := json.Unmarshal(b, &req); err != nil || req == nil {
		s.fail(w, http.StatusBadRequest, "The request body must be a JSON object.")
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

// has reports whether the body gives the field a value (null is none).
func (req request) has(field string) bool {
	raw, ok := req[field]
	return ok && string(raw) != "null"
}

func maxLen(ps problems, field, v string, n int) {
	if utf8.RuneCountInString(v) > n {
		ps.add(field, fmt.Sprintf("The %s field must not be greater than %d characters.", field, n))
	}
}

// checkEmail applies the email rules; self is the partner being updated,
// whose own email is no clash. The caller holds mu.
func (s *Server) checkEmail(ps problems, email string, self *Partner) {
	switch {
	case email == "":
		ps.add("email", "The email field is required.")
	case !validEmail(email):
		ps.add("email", "The email field must be a valid email address.")
	default:
		maxLen(ps, "email", email, 255)
		if q := s.byEmail[emailKey(email)]; q != nil && q != self {
			s.taken(ps, "email")
		}
	}
}

// checkKey applies the key rules. The caller holds mu.
func (s *Server) checkKey(ps problems, key string, self *Partner) {
	maxLen(ps, "key", key, 64)
	if strings.IndexFunc(key, func(r rune) bool { return !isKeyRune(r) }) >= 0 {
		ps.add("key", "The key field must only contain letters, numbers, dashes, and underscores.")
	}
	if q := s.byKey[key]; key != "" && q != nil && q != self {
		s.taken(ps, "key")
	}
}

// validEmail is the sandbox's own email rule, as Laravel's "email:filter"
// would check it: one address that parses (RFC 5322), nothing around it,
// and a domain with a dot (PHP's filter refuses a@localhost). It is not
// the tool's: a fake that borrowed the client's rule would agree with it
// by construction.
func validEmail(email string) bool {
	a, err := mail.ParseAddress(email)
	if err != nil || a.Name != "" || a.Address != email {
		return false
	}
	domain := email[strings.LastIndexByte(email, '@')+1:]
	return strings.Contains(strings.Trim(domain, "."), ".")
}

// Laravel's Password::min(8)->mixedCase()->numbers(), as Partnero's
// documentation states the rule: a lowercase and an uppercase letter, and
// a number, in any script.
var (
	mixedCase = regexp.MustCompile(`(\p{Ll}+.*\p{Lu})|(\p{Lu}+.*\p{Ll})`)
	aNumber   = regexp.MustCompile(`\pN`)
)

func strongPassword(p string) bool {
	return utf8.RuneCountInString(p) >= 8 && mixedCase.MatchString(p) && aNumber.MatchString(p)
}

func checkPassword(ps problems, password string) {
	if password != "" && !strongPassword(password) {
		ps.add("password", "The password must be at least 8 characters and contain at least 1 lowercase, 1 uppercase, and 1 number.")
	}
	maxLen(ps, "password", password, 255)
}

func (s *Server) create(w http.ResponseWriter, r *http.Request) {
	req, ok := s.readRequest(w, r)
	if !ok {
		return
	}
	ps := problems{}
	p := &Partner{
		Email: req.text("email", ps), Name: req.text("name", ps), Surname: req.text("surname", ps),
		ID: req.text("id", ps), Key: req.text("key", ps), Status: Active,
	}
	password := req.text("password", ps)
	tags := req.tags(ps)
	ref, refGiven := req.referrer(ps)

	s.mu.Lock()
	defer s.mu.Unlock()
	s.checkEmail(ps, p.Email, nil)
	maxLen(ps, "name", p.Name, 100)
	maxLen(ps, "surname", p.Surname, 100)
	checkPassword(ps, password)
	maxLen(ps, "id", p.ID, 255)
	if p.ID != "" && s.byID[p.ID] != nil {
		s.taken(ps, "id")
	}
	s.checkKey(ps, p.Key, nil)
	if len(ps) > 0 {
		s.refuse(w, ps)
		return
	}
	if refGiven {
		parent := s.referrer(ref)
		if parent == nil {
			s.fail(w, http.StatusBadRequest, s.lang.noReferrer)
			return
		}
		p.Referrer = parent.ID
	}
	p.Tags = tags
	s.store(p)
	s.answerStored(w, r, or(s.opts.Vary.CreateStatus, http.StatusCreated), s.dataOf(p, answerView))
}

// answerStored answers a request whose change is made, unless a fault loses
// or delays the answer. The caller holds mu; it is released here.
func (s *Server) answerStored(w http.ResponseWriter, r *http.Request, status int, body any) {
	f := s.opts.Faults
	fail, drop, slow := s.chance(f.FailAfterStore), s.chance(f.DropAfterStore), s.chance(f.SlowAfterStore)
	s.mu.Unlock()
	defer s.mu.Lock() // the caller's deferred Unlock
	switch {
	case fail:
		s.fail(w, http.StatusInternalServerError, "Server Error")
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

// tags reads the tags field: strings; absent and null are none.
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
	return req.reference("referring_partner", "referring partner", ps)
}

// reference reads a field naming a partner by id, key or email.
func (req request) reference(field, what string, ps problems) (reference, bool) {
	raw, ok := req[field]
	if !ok || string(raw) == "null" {
		return reference{}, false
	}
	var ref struct {
		ID    any    `json:"id"`
		Key   string `json:"key"`
		Email string `json:"email"`
	}
	if json.Unmarshal(raw, &ref) != nil {
		ps.add(field, "The "+what+" field must be an object with id, key or email.")
		return reference{}, false
	}
	out := reference{Key: ref.Key, Email: ref.Email}
	if ref.ID != nil {
		out.ID = strings.Trim(fmt.Sprint(ref.ID), `"`)
	}
	if out == (reference{}) {
		ps.add(field, "The "+what+" needs an id, a key or an email.")
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
		return s.byEmail[emailKey(ref.Email)]
	}
}

func (s *Server) invite(w http.ResponseWriter, r *http.Request) {
	if s.opts.Program != Affiliate {
		s.fail(w, http.StatusForbidden, "Invitations are available only in affiliate programs.")
		return
	}
	req, ok := s.readRequest(w, r)
	if !ok {
		return
	}
	ps := problems{}
	p := &Partner{Email: req.text("email", ps), Name: req.text("name", ps), Surname: req.text("surname", ps), Status: Pending, Invited: true}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.checkEmail(ps, p.Email, nil)
	if p.Name == "" {
		ps.add("name", "The name field is required.")
	}
	maxLen(ps, "name", p.Name, 100)
	maxLen(ps, "surname", p.Surname, 100)
	if len(ps) > 0 {
		s.refuse(w, ps)
		return
	}
	s.store(p)
	var body map[string]any
	switch s.opts.Vary.InviteAnswer {
	case "status":
		body = map[string]any{"status": 1}
	case "message":
		body = map[string]any{"message": "The invitation has been sent.", "status": 1}
	case "email":
		body = map[string]any{"data": map[string]any{"email": p.Email}, "status": 1}
	default:
		body = s.dataOf(p, answerView)
	}
	s.answerStored(w, r, or(s.opts.Vary.InviteStatus, http.StatusOK), body)
}

// find answers GET /partners/{id}: by id only (a key is not an id).
func (s *Server) find(w http.ResponseWriter, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.byID[id]
	if p == nil {
		s.fail(w, http.StatusNotFound, s.lang.notFound)
		return
	}
	answer(w, http.StatusOK, s.dataOf(p, fullView))
}

// target is the partner a write names: by id in the path, or by email or

// found is the partner a change names (target), or nil once a 404 says it
// is not there.
func (s *Server) found(w http.ResponseWriter, id string, req request) *Partner {
	p := s.target(id, req)
	if p == nil {
		s.fail(w, http.StatusNotFound, s.lang.notFound)
	}
	return p
}

// key in the body (PUT and DELETE /partners). The caller holds mu.
func (s *Server) target(id string, req request) *Partner {
	if id != "" {
		return s.byID[id]
	}
	var ps problems = problems{}
	if e := req.text("email", ps); e != "" {
		return s.byEmail[emailKey(e)]
	}
	if k := req.text("key", ps); k != "" {
		return s.byKey[k]
	}
	return nil
}

// update answers PUT /partners/{id} (or PUT /partners naming the partner by
// email or key) with {"update": {email, name, surname, password, key,
// tags}}: tags [] removes every tag, null leaves them.
func (s *Server) update(w http.ResponseWriter, r *http.Request, id string) {
	req, ok := s.readRequest(w, r)
	if !ok {
		return
	}
	var up request
	if json.Unmarshal(req["update"], &up) != nil || up == nil {
		s.refuse(w, problems{"update": {"The update field is required and must be an object."}})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.found(w, id, req)
	if p == nil {
		return
	}
	ps := problems{}
	next := *p
	if up.has("email") {
		next.Email = up.text("email", ps)
		s.checkEmail(ps, next.Email, p)
	}
	for _, f := range []struct {
		name string
		to   *string
	}{{"name", &next.Name}, {"surname", &next.Surname}} {
		if up.has(f.name) {
			*f.to = up.text(f.name, ps)
			maxLen(ps, f.name, *f.to, 100)
		}
	}
	checkPassword(ps, up.text("password", ps))
	if up.has("key") {
		next.Key = up.text("key", ps)
		if next.Key == "" {
			ps.add("key", "The key field must not be empty.")
		}
		s.checkKey(ps, next.Key, p)
	}
	if up.has("tags") {
		next.Tags = up.tags(ps)
	}
	if len(ps) > 0 {
		s.refuse(w, ps)
		return
	}
	delete(s.byEmail, emailKey(p.Email))
	delete(s.byKey, p.Key)
	next.UpdatedAt = s.now()
	*p = next
	s.index(p)
	s.answerStored(w, r, http.StatusOK, s.dataOf(p, answerView))
}

// archive answers POST /partners/{id}/archive (on) and
// /partners/{id}/revoke-archive (off): 400 "Action failed" when the partner
// is already archived, or not archived.
func (s *Server) archive(w http.ResponseWriter, r *http.Request, id string, on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.byID[id]
	switch {
	case p == nil:
		s.fail(w, http.StatusNotFound, s.lang.notFound)
		return
	case on == (p.Status == Archived):
		s.fail(w, http.StatusBadRequest, "Action failed")
		return
	case on:
		p.before, p.Status = p.Status, Archived
	default:
		p.Status = or(p.before, Active)
	}
	p.UpdatedAt = s.now()
	s.answerStored(w, r, http.StatusOK, map[string]any{"status": 1})
}

// delete answers DELETE /partners/{id} (or DELETE /partners naming the
// partner by email or key): for good, freeing its email, id and key.
func (s *Server) delete(w http.ResponseWriter, r *http.Request, id string) {
	var req request
	if id == "" {
		var ok bool
		if req, ok = s.readRequest(w, r); !ok {
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.found(w, id, req)
	if p == nil {
		return
	}
	s.remove(p)
	s.answerStored(w, r, http.StatusOK, map[string]any{"status": 1})
}

// list answers GET /partners?limit=&page=.
func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	s.page(w, r, func(*Partner) bool { return true })
}

// search answers GET /partners:search?email= (or key=, id=): partial,
// case-insensitive matches, as a paginated list (compare exactly yourself).
func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	field, want := "", ""
	for _, f := range []string{"email", "key", "id"} {
		if v := strings.TrimSpace(q.Get(f)); v != "" {
			field, want = f, strings.ToLower(v)
			break
		}
	}
	if field == "" {
		s.refuse(w, problems{"email": {"Give an email, a key or an id to search for."}})
		return
	}
	s.page(w, r, func(p *Partner) bool {
		have := strings.ToLower(map[string]string{"email": p.Email, "key": p.Key, "id": p.ID}[field])
		if s.opts.Vary.ExactSearch {
			return have == want
		}
		return strings.Contains(have, want)
	})
}

// page answers one page of the partners that match (servePage).
func (s *Server) page(w http.ResponseWriter, r *http.Request, match func(*Partner) bool) {
	servePage(s, w, r, func() []*Partner { return s.partners }, match, func(p *Partner) any { return s.view(p, itemView) })
}

// servePage answers one page of the records that match, oldest first (or
// newest, by the variation): data, links {first, last: null, prev, next}
// and meta {current_page, from, path, per_page, to}, with no total and no
// last page, as documented. limit is 1 to 250 (default 15); a page holds
// at most the variation's cap, 100 by default. all and view are called
// with mu held.
func servePage[T any](s *Server, w http.ResponseWriter, r *http.Request, all func() []T, match func(T) bool, view func(T) any) {
	capped := or(s.opts.Vary.PageCap, 100)
	limit, n := 15, 1
	ps := problems{}
	q := r.URL.Query()
	if v := q.Get("limit"); v != "" {
		if _, err := fmt.Sscan(v, &limit); err != nil || limit < 1 || limit > 250 {
			ps.add("limit", "The limit field must be between 1 and 250.")
		}
	}
	if v := q.Get("page"); v != "" {
		if _, err := fmt.Sscan(v, &n); err != nil || n < 1 {
			ps.add("page", "The page field must be at least 1.")
		}
	}
	if len(ps) > 0 {
		s.refuse(w, ps)
		return
	}
	per := min(limit, capped)
	if capped == 15 {
		per = 15 // a server that ignores limit
	}
	s.mu.Lock()
	var hits []T
	for _, it := range all() {
		if match(it) {
			hits = append(hits, it)
		}
	}
	if s.opts.Vary.NewestFirst {
		slices.Reverse(hits)
	}
	from := min((n-1)*per, len(hits))
	to := min(n*per, len(hits))
	data := make([]any, 0, to-from)
	for _, it := range hits[from:to] {
		data = append(data, view(it))
	}
	s.mu.Unlock()
	answer(w, http.StatusOK, s.paginate(r, data, n, per, from, to, to < len(hits)))
}
