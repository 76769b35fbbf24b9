package partnero

import (
	"net/url"
	"testing"
)

// The partner of a success body, from every shape a server may give: the
// documented one, ids as numbers or escaped, referral_links as objects,
// other wrappers, fields missing or of other types. Fields the client does
// not need never stop it from reading the id.
func TestPartnerIn(t *testing.T) {
	tests := []struct {
		name, body     string
		id, link, when string
		found          bool
	}{
		{"documented", `{"data":{"email":"ann@x.io","created_at":"2025-04-30T16:44:13.000000Z","id":"partner_123","tags":[{"value":"vip"}],"referral_link":"https://c.io?aff=ref_123","referral_links":["https://c.io?aff=ref_123"]},"status":1}`,
			"partner_123", "https://c.io?aff=ref_123", "2025-04-30T16:44:13Z", true},
		{"id as a number", `{"data":{"email":"ann@x.io","id":12345678901234567890},"status":1}`, "12345678901234567890", "", "", true},
		{"id JSON-escaped", `{"data":{"email":"ann@x.io","id":"p\u005f1\u00e9"},"status":1}`, "p_1é", "", "", true},
		{"referral_links as objects", `{"data":{"email":"ann@x.io","id":"p1","referral_links":[{"id":"rl1","key":"a","url":"https://c.io?aff=a","default":false},{"id":"rl2","key":"b","url":"https://c.io?aff=b","default":true}]}}`,
			"p1", "https://c.io?aff=b", "", true},
		{"referral_links of another shape", `{"data":{"email":"ann@x.io","id":"p1","referral_links":{"default":"x"},"referral_link":null,"tags":"vip","status":{"code":1}}}`, "p1", "", "", true},
		{"referral_links as one string", `{"data":{"email":"ann@x.io","id":"p1","referral_links":"https://c.io?aff=one"}}`, "p1", "https://c.io?aff=one", "", true},
		{"referral_links as one object", `{"data":{"email":"ann@x.io","id":"p1","referral_links":{"url":"https://c.io?aff=obj"}}}`, "p1", "https://c.io?aff=obj", "", true},
		{"another wrapper", `{"partner":{"email":"ann@x.io","id":"p9"},"success":true}`, "p9", "", "", true},
		{"the partner at the top", `{"email":"ANN@x.io","id":"p7"}`, "p7", "", "", true},
		{"nested twice", `{"data":{"partner":{"email":"ann@x.io","id":"p8"}}}`, "p8", "", "", true},
		{"no email in the answer", `{"data":{"id":"p2","referral_link":"https://c.io?aff=p2"},"status":1}`, "p2", "https://c.io?aff=p2", "", true},
		{"a nested referrer is not the partner", `{"data":{"email":"ann@x.io","id":"p3","referring_partner":{"id":"boss","email":"boss@x.io"}}}`, "p3", "", "", true},
		{"only a referrer of another email", `{"data":{"referring_partner":{"id":"boss","email":"boss@x.io"}}}`, "", "", "", false},
		{"SQL time", `{"data":{"email":"ann@x.io","id":"p4","created_at":"2025-04-30 16:44:13"}}`, "p4", "", "2025-04-30T16:44:13Z", true},
		{"Unix time", `{"data":{"email":"ann@x.io","id":"p5","created_at":1746031453}}`, "p5", "", "2025-04-30T16:44:13Z", true},
		{"no id at all", `{"data":{"email":"ann@x.io","name":"Ann"},"status":1}`, "", "", "", true},
		{"neither id nor email", `{"data":{"name":"Ann","surname":"Lee","tos":false},"status":1}`, "", "", "", true},
		{"another email's partner", `{"data":{"id":"legacy_10","email":"someone.else@x.io"},"status":1}`, "", "", "", false},
		{"nothing", `{"status":1}`, "", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, ok := decode([]byte(tt.body))
			if !ok {
				t.Fatal("not JSON")
			}
			p, found := partnerIn(v, "ann@x.io")
			if found != tt.found || p.ID != tt.id || p.Link != tt.link {
				t.Fatalf("got %+v found %v, want id %q link %q found %v", p, found, tt.id, tt.link, tt.found)
			}
		})
	}
}

// A 2xx is a success unless its body says otherwise; a create's answer must
// also carry the row's partner.
func TestSuccessBodies(t *testing.T) {
	tests := []struct {
		body             string
		denies, hasOwner bool
	}{
		{`{"data":{"id":"p","email":"ann@x.io"},"status":1}`, false, true},
		{`{"data":{"id":"p"},"status":0}`, true, true},
		{`{"status":false,"message":"Email already exists"}`, true, false},
		{`{"status":"error","message":"x"}`, true, false},
		{`{"success":false}`, true, false},
		{`{"status":1}`, false, false},
		{`{"message":"The invitation has been sent.","status":1}`, false, false},
		{`{"data":{},"status":1}`, false, false},
		{`{"data":{"id":"legacy_10","email":"someone.else@x.io"},"status":1}`, false, false},
		{`{"data":{"referring_partner":{"id":"b","email":"boss@x.io"}},"status":1}`, false, false},
		{`[]`, false, false},
	}
	for _, tt := range tests {
		v, _ := decode([]byte(tt.body))
		_, owner := partnerIn(v, "ann@x.io")
		if deniesSuccess(v) != tt.denies || owner != tt.hasOwner {
			t.Errorf("%s: denies %v, the row's partner %v", tt.body, deniesSuccess(v), owner)
		}
	}
}

// Pages of every shape: links.next, Laravel's next_page_url (at the top or
// nested under data), no links at all, a bare array.
func TestPageOf(t *testing.T) {
	tests := []struct {
		name, body string
		n          int
		next       string
		links      bool
	}{
		{"documented", `{"data":[{"id":"a","email":"a@x.io"},{"id":"b","email":"b@x.io"}],"links":{"first":"u?page=1","last":null,"prev":null,"next":"u?page=2"},"meta":{"current_page":1}}`, 2, "u?page=2", true},
		{"the last page", `{"data":[{"id":"a","email":"a@x.io"}],"links":{"next":null}}`, 1, "", true},
		{"Laravel's paginator", `{"current_page":1,"data":[{"id":"a","email":"a@x.io"}],"next_page_url":"u?page=2"}`, 1, "u?page=2", true},
		{"nested paginator", `{"data":{"current_page":1,"data":[{"id":"a","email":"a@x.io"}],"next_page_url":null},"status":1}`, 1, "", true},
		{"no links", `{"data":[{"id":"a","email":"a@x.io"}],"status":1}`, 1, "", false},
		{"a bare array", `[{"id":"a","email":"a@x.io"},"junk",7]`, 1, "", false},
	}
	for _, tt := range tests {
		v, _ := decode([]byte(tt.body))
		pg := pageOf(v)
		if len(pg.partners) != tt.n || pg.next != tt.next || pg.hasLinks != tt.links {
			t.Errorf("%s: %+v", tt.name, pg)
		}
	}
}

// A next link keeps the query the client asked for, and never leads the key
// to another host: its page is asked of the API's own.
func TestNextURL(t *testing.T) {
	cur, _ := url.Parse("https://api.partnero.com/v1/partners:search?email=a%40x.io&limit=100&page=1")
	for next, want := range map[string]string{
		"https://api.partnero.com/v1/partners:search?page=2":                  "https://api.partnero.com/v1/partners:search?email=a%40x.io&limit=100&page=2",
		"/v1/partners:search?page=3&limit=50":                                 "https://api.partnero.com/v1/partners:search?email=a%40x.io&limit=50&page=3",
		"https://evil.example/v1/partners:search?page=2":                      "https://api.partnero.com/v1/partners:search?email=a%40x.io&limit=100&page=2",
		"http://api.partnero.com/v1/partners:search?page=2":                   "https://api.partnero.com/v1/partners:search?email=a%40x.io&limit=100&page=2",
		"https://api.partnero.com:8443/v1/partners:search?email=a%40x.io&p=2": "https://api.partnero.com/v1/partners:search?email=a%40x.io&limit=100&p=2",
		"http://10.0.0.5:8080/partners?cursor=abc":                            "https://api.partnero.com/v1/partners:search?cursor=abc&email=a%40x.io&limit=100",
		"%zz": "",
	} {
		u, ok := nextURL(cur, next)
		switch {
		case want == "" && ok:
			t.Errorf("%s followed to %s", next, u)
		case want != "" && (!ok || u.String() != want):
			t.Errorf("%s: got %v, want %s", next, u, want)
		}
	}
}
