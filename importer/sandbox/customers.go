package sandbox

// The customer endpoints, with the rules the sources give
// (shared/partnero-api/README.md, "Customers"): the sandbox's own, never
// the client's or validate's.

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Customer is a customer as the sandbox holds it.
type Customer struct {
	Key       string // required and unique: the customer's id in the seller's system
	ID        string // the server's own, generated; the path may name it
	Email     string // not unique: two customers may share one
	Name      string
	Surname   string
	Tags      []string
	Partner   string // the referring partner's id
	Status    string // active or archived
	CreatedAt time.Time
	UpdatedAt time.Time
}

// customers are the customers held, in the order they came, with an index
// by key and id. The caller holds mu.
type customers struct {
	list  []*Customer
	byKey map[string]*Customer
	byID  map[string]*Customer
}

func (cs *customers) add(c *Customer) {
	if cs.byKey == nil {
		cs.byKey, cs.byID = map[string]*Customer{}, map[string]*Customer{}
	}
	cs.list = append(cs.list, c)
	cs.byKey[c.Key], cs.byID[c.ID] = c, c
}

func (cs *customers) remove(c *Customer) {
	cs.list = slices.DeleteFunc(cs.list, func(d *Customer) bool { return d == c })
	delete(cs.byKey, c.Key)
	delete(cs.byID, c.ID)
}

// named finds the customer a path names: by key, else by id, else by email
// (the first of that email), as n8n says the path takes any of them.
func (cs *customers) named(ref string) *Customer {
	if c := cs.byKey[ref]; c != nil {
		return c
	}
	if c := cs.byID[ref]; c != nil {
		return c
	}
	if !strings.Contains(ref, "@") {
		return nil
	}
	for _, c := range cs.list {
		if emailKey(c.Email) == emailKey(ref) {
			return c
		}
	}
	return nil
}

// Customers returns a copy of the customers held, in the order they came.
func (s *Server) Customers() []Customer {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Customer, len(s.customers.list))
	for i, c := range s.customers.list {
		out[i] = *c
		out[i].Tags = slices.Clone(c.Tags)
	}
	return out
}

// AddCustomer stores a customer as if it had been there before (a
// preload): its key must be free, and its partner (an id, key or email in
// Partner) there.
func (s *Server) AddCustomer(c Customer) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.Key == "" {
		return errors.New("a customer needs a key")
	}
	if s.customers.byKey[c.Key] != nil {
		return fmt.Errorf("customer key %s is there already", c.Key)
	}
	if c.Partner != "" {
		p := s.byID[c.Partner]
		if p == nil {
			p = s.referrer(reference{Key: c.Partner})
		}
		if p == nil && strings.Contains(c.Partner, "@") {
			p = s.referrer(reference{Email: c.Partner})
		}
		if p == nil {
			return fmt.Errorf("customer %s: no partner %s", c.Key, c.Partner)
		}
		c.Partner = p.ID
	}
	if c.CreatedAt.IsZero() {
		c.CreatedAt = s.now().Add(-24 * time.Hour)
	}
	s.storeCustomer(&c)
	return nil
}

// storeCustomer keeps c, generating what it lacks. The caller holds mu.
func (s *Server) storeCustomer(c *Customer) {
	s.seq++
	if c.ID == "" {
		c.ID = fmt.Sprintf("cus_%d", s.seq)
	}
	if c.Status == "" {
		c.Status = Active
	}
	if c.CreatedAt.IsZero() {
		c.CreatedAt = s.now()
	}
	c.UpdatedAt = c.CreatedAt
	s.customers.add(c)
}

// duplicateKey is what a key already held says: Partnero's "Duplicate
// key", or the variation's language's.
func (s *Server) duplicateKey() string {
	if s.opts.Vary.Language == "" {
		return "Duplicate key"
	}
	return s.lang.taken("key")
}

// createCustomer answers POST /customers: key required and unique, email
// (when given) an address, names up to 100 characters, tags, and the
// partner who referred them ({key | id | email}), required in an affiliate
// program and answered 400 "Invalid partner key" when not there.
func (s *Server) createCustomer(w http.ResponseWriter, r *http.Request) {
	req, ok := s.readRequest(w, r)
	if !ok {
		return
	}
	ps := problems{}
	c := &Customer{Key: req.text("key", ps), Email: req.text("email", ps), Name: req.text("name", ps), Surname: req.text("surname", ps)}
	c.Tags = req.tags(ps)
	ref, refGiven := req.reference("partner", "partner", ps)
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case c.Key == "":
		ps.add("key", "The key field is required.")
	case s.customers.byKey[c.Key] != nil:
		ps.add("key", s.duplicateKey())
	default:
		maxLen(ps, "key", c.Key, 255)
	}
	if c.Email != "" && !validEmail(c.Email) {
		ps.add("email", "The email field must be a valid email address.")
	}
	maxLen(ps, "email", c.Email, 255)
	maxLen(ps, "name", c.Name, 100)
	maxLen(ps, "surname", c.Surname, 100)
	if !refGiven && s.opts.Program == Affiliate && ps["partner"] == nil {
		ps.add("partner", "The partner field is required.")
	}
	if len(ps) > 0 {
		s.refuse(w, ps)
		return
	}
	if refGiven {
		p := s.referrer(ref)
		if p == nil {
			s.fail(w, http.StatusBadRequest, "Invalid partner key")
			return
		}
		c.Partner = p.ID
	}
	s.storeCustomer(c)
	s.answerStored(w, r, or(s.opts.Vary.CreateStatus, http.StatusCreated), map[string]any{"data": s.customerView(c), "status": 1})
}

// customerNotFound answers 404 for a customer not there.
func (s *Server) customerNotFound(w http.ResponseWriter) {
	s.fail(w, http.StatusNotFound, "Customer not found")
}

// findCustomer answers GET /customers/{key}: by key, id or email.
func (s *Server) findCustomer(w http.ResponseWriter, ref string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.customers.named(ref)
	if c == nil {
		s.customerNotFound(w)
		return
	}
	answer(w, http.StatusOK, map[string]any{"data": s.customerView(c), "status": 1})
}

// listCustomers answers GET /customers?limit=&page=, filtered by the
// partner in the variation's spelling (partner.key or partner_key; the
// other spelling is ignored, as a server that does not know it would).
func (s *Server) listCustomers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var want *Partner
	filtered := false
	for _, f := range []string{"key", "email", "id"} {
		if v := q.Get(s.filterName("partner", f)); v != "" {
			s.mu.Lock()
			want = s.referrer(map[string]reference{"key": {Key: v}, "email": {Email: v}, "id": {ID: v}}[f])
			s.mu.Unlock()
			filtered = true
			break
		}
	}
	servePage(s, w, r, func() []*Customer { return s.customers.list }, func(c *Customer) bool {
		return !filtered || (want != nil && c.Partner == want.ID)
	}, func(c *Customer) any { return s.customerView(c) })
}

// filterName is a list filter's parameter in the variation's spelling:
// partner.key (the documentation's) or partner_key (n8n's).
func (s *Server) filterName(of, field string) string {
	if s.opts.Vary.FilterUnderscore {
		return of + "_" + field
	}
	return of + "." + field
}

// searchCustomers answers GET /customers:search?email= (or key=, id=):
// partial, case-insensitive matches, as a paginated list. By key only in
// referral programs, as n8n says.
func (s *Server) searchCustomers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	field, want := "", ""
	for _, f := range []string{"email", "key", "id"} {
		if v := strings.TrimSpace(q.Get(f)); v != "" {
			field, want = f, strings.ToLower(v)
			break
		}
	}
	switch {
	case field == "":
		s.refuse(w, problems{"email": {"Give an email, a key or an id to search for."}})
		return
	case field == "key" && s.opts.Program == Affiliate:
		s.refuse(w, problems{"key": {"Searching by key is available in refer-a-friend programs only."}})
		return
	}
	servePage(s, w, r, func() []*Customer { return s.customers.list }, func(c *Customer) bool {
		have := strings.ToLower(map[string]string{"email": c.Email, "key": c.Key, "id": c.ID}[field])
		if s.opts.Vary.ExactSearch {
			return have == want
		}
		return strings.Contains(have, want)
	}, func(c *Customer) any { return s.customerView(c) })
}

// updateCustomer answers PUT /customers/{key} with the fields flat (n8n's)
// or under "update" (php's); PUT /customers names the customer by key in
// the body. email, name, surname and tags change (tags [] removes them
// all, null leaves them).
func (s *Server) updateCustomer(w http.ResponseWriter, r *http.Request, ref string) {
	req, ok := s.readRequest(w, r)
	if !ok {
		return
	}
	up := req
	if raw, nested := req["update"]; nested {
		if json.Unmarshal(raw, &up) != nil || up == nil {
			s.refuse(w, problems{"update": {"The update field must be an object."}})
			return
		}
	}
	ps := problems{}
	if ref == "" {
		if ref = req.text("key", ps); ref == "" {
			ps.add("key", "The key field is required.")
			s.refuse(w, ps)
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.customers.named(ref)
	if c == nil {
		s.customerNotFound(w)
		return
	}
	next := *c
	if up.has("email") {
		if next.Email = up.text("email", ps); !validEmail(next.Email) {
			ps.add("email", "The email field must be a valid email address.")
		}
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
	if up.has("tags") {
		next.Tags = up.tags(ps)
	}
	if len(ps) > 0 {
		s.refuse(w, ps)
		return
	}
	next.UpdatedAt = s.now()
	*c = next
	s.answerStored(w, r, http.StatusOK, map[string]any{"data": s.customerView(c), "status": 1})
}

// archiveCustomer answers POST /customers/{key}/archive (on) and
// /revoke-archive (off): 400 "Action failed" when there is nothing to do.
func (s *Server) archiveCustomer(w http.ResponseWriter, r *http.Request, ref string, on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.customers.named(ref)
	switch {
	case c == nil:
		s.customerNotFound(w)
		return
	case on == (c.Status == Archived):
		s.fail(w, http.StatusBadRequest, "Action failed")
		return
	case on:
		c.Status = Archived
	default:
		c.Status = Active
	}
	c.UpdatedAt = s.now()
	s.answerStored(w, r, http.StatusOK, map[string]any{"status": 1})
}

// deleteCustomer answers DELETE /customers/{key}: for good, freeing the key.
func (s *Server) deleteCustomer(w http.ResponseWriter, r *http.Request, ref string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.customers.named(ref)
	if c == nil {
		s.customerNotFound(w)
		return
	}
	s.customers.remove(c)
	s.answerStored(w, r, http.StatusOK, map[string]any{"status": 1})
}

// customerView is a customer as the API shows it: key, partner (an object
// or the partner's key, by the variation: the documentation does not show
// which), deleted, names, email, status, dates, tags as [{"value"}]. The
// caller holds mu.
func (s *Server) customerView(c *Customer) map[string]any {
	tags := make([]map[string]string, len(c.Tags))
	for i, t := range c.Tags {
		tags[i] = map[string]string{"value": t}
	}
	m := map[string]any{
		"key": c.Key, "partner": s.partnerRef(c.Partner), "deleted": false, "name": c.Name, "surname": c.Surname,
		"email": c.Email, "status": c.Status, "created_at": s.timeValue(c.CreatedAt),
		"updated_at": s.timeValue(c.UpdatedAt), "deleted_at": nil, "tags": tags,
	}
	if s.opts.Vary.Extra {
		m["id"] = c.ID
	}
	return m
}

// partnerRef is a partner in a customer's or a transaction's answer: an
// object {id, key, email}, or the partner's key alone, by the variation;
// null without one. The caller holds mu.
func (s *Server) partnerRef(id string) any {
	p := s.byID[id]
	switch {
	case p == nil:
		return nil
	case s.opts.Vary.PartnerAsKey:
		return p.Key
	}
	return map[string]any{"id": s.idValue(p), "key": p.Key, "email": p.Email}
}
