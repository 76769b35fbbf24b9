package sandbox

// How partners look in answers: the documented shapes, varied where the
// documentation is silent.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Which shape of a partner an answer gives.
const (
	fullView   = iota // GET /partners/{id}: with statistics
	answerView        // a create's, an update's or an invite's answer
	itemView          // a list or search item: no tags, no links
)

// dataOf is Partnero's success body for one partner.
func (s *Server) dataOf(p *Partner, kind int) map[string]any {
	return map[string]any{"data": s.view(p, kind), "status": 1}
}

// view is a partner as the API shows it: no key field (the key shows only
// in the referral link), tags as [{"value"}]. The caller holds mu.
func (s *Server) view(p *Partner, kind int) map[string]any {
	v := s.opts.Vary
	m := map[string]any{
		"email": p.Email, "created_at": s.timeValue(p.CreatedAt), "updated_at": s.timeValue(p.UpdatedAt),
		"name": p.Name, "id": s.idValue(p), "surname": p.Surname,
		"approved": p.Status == Active, "status": p.Status, "custom_fields": []any{},
	}
	if kind != itemView {
		tags := make([]map[string]string, len(p.Tags))
		for i, t := range p.Tags {
			tags[i] = map[string]string{"value": t}
		}
		link := "https://sandbox.partnero.test/?aff=" + p.Key
		var links any = []string{link}
		if v.LinkObjects {
			links = []map[string]any{{"id": "rl_" + p.Key, "key": p.Key, "url": link, "default": true}}
		}
		m["tos"], m["referrals_count"], m["tags"] = false, 0, tags
		m["referral_link"], m["referral_links"] = link, links
	}
	if kind == fullView {
		m["referrals"] = map[string]any{"count": 0}
		m["commissions"] = map[string]any{"paid": 0, "unpaid": 0}
		m["custom_field_values"] = []any{}
	}
	if v.Extra {
		m["key"] = p.Key // as the old documentation's list had it
		m["metadata"] = map[string]any{"source": "sandbox", "id": "meta_" + p.ID}
		m["program"] = map[string]any{"id": "prg_1", "name": "Sandbox program", "email": "owner@sandbox.partnero.test"}
		if parent := s.byID[p.Referrer]; parent != nil {
			m["referring_partner"] = map[string]any{"id": s.idValue(parent), "email": parent.Email}
		}
	}
	if kind == answerView {
		// Only a write's answer lacks fields: the documentation gives the
		// read and list shapes, created_at included.
		for _, f := range v.Missing {
			delete(m, f)
		}
	}
	return m
}

// idValue is a partner's id in the variation's form: a JSON string, a
// number when it is all digits, or a string with every character escaped.
func (s *Server) idValue(p *Partner) json.RawMessage {
	switch s.opts.Vary.IDs {
	case "number":
		if _, err := strconv.ParseUint(p.ID, 10, 64); err == nil {
			return json.RawMessage(p.ID)
		}
	case "escaped":
		var b strings.Builder
		b.WriteByte('"')
		for _, r := range p.ID {
			fmt.Fprintf(&b, `\u%04x`, r)
		}
		b.WriteByte('"')
		return json.RawMessage(b.String())
	}
	b, _ := json.Marshal(p.ID)
	return b
}

// vilnius is a zone ahead of UTC, for created_at written in local time
// without saying so.
var vilnius = time.FixedZone("EET", 3*60*60)

// timeValue is a timestamp in the variation's form.
func (s *Server) timeValue(t time.Time) any {
	t = t.Add(s.opts.Vary.StampSkew)
	switch s.opts.Vary.TimeFormat {
	case "sql":
		return t.UTC().Format("2006-01-02 15:04:05")
	case "local":
		return t.In(vilnius).Format("2006-01-02 15:04:05")
	case "unix":
		return t.Unix()
	}
	return t.UTC().Format("2006-01-02T15:04:05.000000Z")
}

// paginate wraps one page of items with the variation's links.
func (s *Server) paginate(r *http.Request, data []any, n, per, from, to int, more bool) map[string]any {
	path := "http://" + r.Host + r.URL.Path
	if s.opts.Vary.ProxyLinks {
		path = "http://backend.internal:8080" + r.URL.Path
	}
	at := func(page int) any {
		if page < 1 {
			return nil
		}
		switch s.opts.Vary.NextLinks {
		case "query":
			q := r.URL.Query()
			q.Set("page", strconv.Itoa(page))
			return path + "?" + q.Encode()
		case "relative":
			q := r.URL.Query()
			q.Set("page", strconv.Itoa(page))
			return r.URL.Path + "?" + q.Encode()
		}
		return path + "?page=" + strconv.Itoa(page) // Laravel's default: the query is not kept
	}
	var next any
	if more {
		next = at(n + 1)
	}
	var first, last any = from + 1, to
	if from == to {
		first, last = nil, nil
	}
	switch s.opts.Vary.NextLinks {
	case "none":
		return map[string]any{"data": data, "status": 1}
	case "laravel":
		return map[string]any{"current_page": n, "data": data, "first_page_url": at(1), "from": first,
			"next_page_url": next, "path": path, "per_page": per, "prev_page_url": at(n - 1), "to": last}
	}
	return map[string]any{
		"data":   data,
		"links":  map[string]any{"first": at(1), "last": nil, "prev": at(n - 1), "next": next},
		"meta":   map[string]any{"current_page": n, "from": first, "path": path, "per_page": per, "to": last},
		"status": 1,
	}
}
