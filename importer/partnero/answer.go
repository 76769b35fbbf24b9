package partnero

// Reading Partnero's answers. The documentation gives one example of each
// shape and the official clients disagree on several fields, so nothing here
// decodes a whole partner: it walks the JSON for the few things it needs (an
// id, an email, a link, created_at, whether the body denies success, the
// next page) and ignores every other field, whatever its type.

import (
	"bytes"
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/net/idna"
	"golang.org/x/text/unicode/norm"
)

// partner is what the client reads of a partner object.
type partner struct {
	ID     string
	Email  string
	Link   string
	Status string // active, pending, archived... ("" when absent)
	// Name and Surname, when the answer has both fields (named).
	Name, Surname string
	named         bool
	Tags          []string // [{"value"}] or strings; nil when the answer has none (list items)
	tagged        bool     // the answer has a tags field
}

type object = map[string]any

// decode reads a JSON body with numbers kept as their text (an id of
// 12345678901234567890 must not become a float). ok is false for anything
// that is not JSON: an HTML page, an empty body.
func decode(body []byte) (v any, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if dec.Decode(&v) != nil {
		return nil, false
	}
	return v, true
}

// text is a scalar's text: a string as is (trimmed), a number as written;
// "" for null, booleans, objects and arrays.
func text(v any) string {
	switch v := v.(type) {
	case string:
		return strings.TrimSpace(v)
	case json.Number:
		return v.String()
	}
	return ""
}

// wrappers are the keys under which servers put the object of an answer:
// Partnero's "data", and what other APIs and proxies use.
var wrappers = []string{"data", "partner", "result", "item", "attributes"}

// partnerIn finds the partner in a success body: the object, at the
// shallowest level under data (or another wrapper), whose email is the
// row's; failing that, the shallowest partner-like object with no email at
// all (a server that leaves the email out). An object of another email (a
// referring partner, or another partner altogether) is never taken for the
// row's.
func partnerIn(body any, email string) (partner, bool) {
	m, ok := objectIn(body, "email", func(e string) bool { return sameEmail(e, email) }, partnerLike)
	if !ok {
		return partner{}, false
	}
	return partnerOf(m), true
}

// objectIn finds in an answer the object whose field matches, at the
// shallowest level under data (or another wrapper), lists included;
// failing that, the shallowest object without that field at all that like
// accepts (a server that leaves it out). An object whose field does not
// match (a referring partner, another record altogether) is never taken.
func objectIn(body any, field string, matches func(string) bool, like func(object) bool) (object, bool) {
	level := []any{body}
	var fallback object
	for depth := 0; depth < 4 && len(level) > 0; depth++ {
		var next []any
		for _, v := range level {
			m, ok := v.(object)
			if !ok {
				if list, ok := v.([]any); ok {
					next = append(next, list...)
				}
				continue
			}
			f, has := m[field]
			if has && matches(text(f)) {
				return m, true
			}
			if !has && fallback == nil && like(m) {
				fallback = m
			}
			for _, k := range wrappers {
				if w, ok := m[k]; ok {
					next = append(next, w)
				}
			}
		}
		level = next
	}
	return fallback, fallback != nil
}

// partnerLike reports an object with a partner's fields: an id, a name, a
// creation time or a status (the body's own "status": 1 aside).
func partnerLike(m object) bool {
	for _, k := range []string{"id", "name", "surname", "created_at"} {
		if _, ok := m[k]; ok {
			return true
		}
	}
	return false
}

// partnerOf reads a partner object.
func partnerOf(m object) partner {
	p := partner{ID: text(m["id"]), Email: text(m["email"]), Status: text(m["status"]), Link: linkOf(m)}
	_, hasName := m["name"]
	_, hasSurname := m["surname"]
	p.Name, p.Surname, p.named = text(m["name"]), text(m["surname"]), hasName && hasSurname
	p.Tags, p.tagged = tagsOf(m["tags"])
	return p
}

// linkOf is the partner's referral link: referral_link, else the default
// (or first) of referral_links, whose items are URL strings in the
// documentation and objects {"url", "default", ...} at the referral-link
// endpoints.
func linkOf(m object) string {
	if s := text(m["referral_link"]); s != "" {
		return s
	}
	var links []any
	switch v := m["referral_links"].(type) {
	case []any:
		links = v
	case string, object:
		links = []any{v} // one link, not in a list
	}
	first := ""
	for _, l := range links {
		switch l := l.(type) {
		case string:
			if first == "" {
				first = strings.TrimSpace(l)
			}
		case object:
			u := text(l["url"])
			if u == "" {
				u = text(l["link"])
			}
			if d, _ := l["default"].(bool); d && u != "" {
				return u
			}
			if first == "" {
				first = u
			}
		}
	}
	return first
}

// tagsOf reads tags as the API gives them, [{"value": "vip"}], or as
// strings; ok is false when there is no list of them.
func tagsOf(v any) (tags []string, ok bool) {
	list, ok := v.([]any)
	for _, it := range list {
		t := text(it)
		if m, isObj := it.(object); isObj {
			t = text(m["value"])
		}
		if t != "" {
			tags = append(tags, t)
		}
	}
	return tags, ok
}

// deniesSuccess reports a 2xx body that says the call failed: Partnero's
// "status": 0 (or false, "error"), or "success": false.
func deniesSuccess(body any) bool {
	m, ok := body.(object)
	if !ok {
		return false
	}
	switch s := m["status"].(type) {
	case json.Number:
		if s.String() == "0" {
			return true
		}
	case bool:
		if !s {
			return true
		}
	case string:
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "0", "false", "error", "fail", "failed", "failure":
			return true
		}
	}
	if ok, isBool := m["success"].(bool); isBool && !ok {
		return true
	}
	return false
}

// page is one page of a list or search answer.
type page struct {
	items    []object // every object on the page, for lists of customers and transactions
	partners []partner
	next     string // the next page's URL as given, "" when the answer says there is none
	hasLinks bool   // the answer says where the next page is (or that there is none)
}

// pageOf reads a list answer: Partnero's {"data": [...], "links": {"next"}},
// Laravel's paginator {"data": [...], "next_page_url"}, either nested under
// data, or a bare array.
func pageOf(body any) page {
	var pg page
	var items []any
	switch v := body.(type) {
	case []any:
		items = v
	case object:
		items, _ = v["data"].([]any)
		holder := v
		if inner, ok := v["data"].(object); ok && items == nil {
			items, _ = inner["data"].([]any)
			holder = inner
		}
		pg.next, pg.hasLinks = nextOf(holder)
		if !pg.hasLinks && len(holder) != len(v) {
			pg.next, pg.hasLinks = nextOf(v)
		}
	}
	for _, it := range items {
		if m, ok := it.(object); ok {
			pg.items = append(pg.items, m)
			pg.partners = append(pg.partners, partnerOf(m))
		}
	}
	return pg
}

// nextOf finds the next page's URL in links.next, next_page_url or
// meta.next_page_url; known is false when none of them is there at all.
func nextOf(m object) (next string, known bool) {
	if links, ok := m["links"].(object); ok {
		if n, ok := links["next"]; ok {
			return text(n), true
		}
	}
	if n, ok := m["next_page_url"]; ok {
		return text(n), true
	}
	if meta, ok := m["meta"].(object); ok {
		if n, ok := meta["next_page_url"]; ok {
			return text(n), true
		}
	}
	return "", false
}

// nextURL resolves a next-page link against the page it came from and keeps
// the query the client asked for (a paginator that drops "email" or "limit"
// from its links would otherwise turn a search into the whole list). A link
// to another host or scheme (an application behind a proxy that writes its
// own address, http for https) is never followed, since the API key would
// go there: its query (page=2, a cursor) is asked of the API's own address
// instead. ok is false when the link is unreadable.
func nextURL(current *url.URL, next string) (_ *url.URL, ok bool) {
	u, err := current.Parse(next)
	if err != nil {
		return nil, false
	}
	if u.Scheme != current.Scheme || u.Host != current.Host {
		v := *current
		v.RawQuery = u.RawQuery
		u = &v
	}
	q := u.Query()
	for k, vs := range current.Query() {
		if k != "page" && !q.Has(k) {
			q[k] = vs
		}
	}
	u.RawQuery = q.Encode()
	return u, true
}

// withPage is the URL of another page of the same list, for answers that
// give no links.
func withPage(u *url.URL, n int) *url.URL {
	v := *u
	q := v.Query()
	q.Set("page", strconv.Itoa(n))
	v.RawQuery = q.Encode()
	return &v
}

// sameEmail compares two emails as the same address: case aside, and a
// domain in Unicode the same as its ASCII (punycode) form, which a server
// may store instead (anna@bücher.de as anna@xn--bcher-kva.de).
func sameEmail(a, b string) bool {
	return a != "" && emailKey(a) == emailKey(b)
}

// emailKey is an email in one form for comparing: in NFKC (a server may
// store é decomposed), lowercased, its domain in ASCII.
func emailKey(s string) string {
	s = strings.ToLower(norm.NFKC.String(strings.TrimSpace(s)))
	at := strings.LastIndexByte(s, '@')
	if at < 0 || isASCII(s[at+1:]) {
		return s
	}
	if ascii, err := idna.Punycode.ToASCII(s[at+1:]); err == nil {
		return s[:at+1] + ascii
	}
	return s
}

// emailForms are the forms of an email a search is asked for, the email
// as sent first: a search may match case by case, and a server may keep a
// domain in the other form (Unicode or punycode).
func emailForms(email string) []string {
	forms := []string{email}
	add := func(s string) {
		if !slices.Contains(forms, s) {
			forms = append(forms, s)
		}
	}
	lower := strings.ToLower(email)
	add(lower)
	if at := strings.LastIndexByte(lower, '@'); at >= 0 {
		local, domain := lower[:at+1], lower[at+1:]
		if ascii, err := idna.Punycode.ToASCII(domain); err == nil {
			add(local + ascii)
		}
		if uni, err := idna.Punycode.ToUnicode(domain); err == nil {
			add(local + uni)
		}
	}
	return forms
}

func isASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
