package sandbox

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Variation is one plausible answer wherever Partnero's documentation is
// silent or its sources disagree (see shared/partnero-api/README.md). The
// zero value is the documented mode. A client must work against every
// variation: tests run whole imports against many seeds, and
// `sandbox --vary SEED` rehearses against one.
type Variation struct {
	Seed uint64

	CreateStatus int      // 201 (0) or 200: which 2xx a create answers
	InviteStatus int      // 200 (0) or 201
	InviteAnswer string   // "" the partner; "status": {"status": 1} alone; "message": a sentence; "email": data with the email only
	LinkObjects  bool     // referral_links as objects {"id", "key", "url", "default"}, as the referral-link endpoints give them
	IDs          string   // "" strings; "number": generated ids, and all-digit ids, as JSON numbers; "escaped": every character \u-escaped
	Extra        bool     // extra fields: key, metadata, statistics, the referring partner nested
	Missing      []string // fields left out of write answers
	TimeFormat   string   // "" ISO with microseconds; "sql": 2006-01-02 15:04:05 in UTC; "local": the same in local time ahead of UTC (a Laravel app in Vilnius); "unix": seconds

	Language    string // "" Partnero's labels ("Email already exists"); "laravel", "de", "fr", "es", "lt"
	ErrorShape  string // "" Laravel's message and errors; "message": the message only; "error": {"error": {"message", "field"}}
	ClashStatus int    // 422 (0) or 409 for an email, id or key already taken

	PageCap      int    // most partners a page holds: 100 (0), or 15 (limit ignored), 50, 250
	NextLinks    string // "" absolute, page only (Laravel's default); "query": the whole query kept; "relative"; "none": no links at all; "laravel": next_page_url at the top
	NewestFirst  bool   // lists and searches give the newest partner first
	ExactSearch  bool   // search matches whole values (the documentation says partial)
	NoSearch     bool   // no GET /partners:search (only the old documentation and the PHP client have it)
	QuietLimit   bool   // no X-RateLimit headers
	NoRetryAfter bool   // 429 without Retry-After
	NoDate       bool   // no Date header
	ClockSkew    time.Duration
	// StampSkew: created_at is written on another clock than the Date
	// header's (the database's), this far ahead.
	StampSkew time.Duration
	// ProxyLinks: absolute page links name the application's own address
	// behind a proxy (http://backend.internal:8080), not the one asked.
	ProxyLinks bool
	// IDNStore keeps an email's domain in its ASCII (punycode) form:
	// anna@bücher.de is stored, searched and answered as
	// anna@xn--bcher-kva.de.
	IDNStore bool

	// Customers and transactions, where the sources disagree or are silent.
	RepeatKeys       bool // a transaction key already held is stored again (n8n: "pays commission twice"); false: refused 422 "Duplicate key"
	PartnerAsKey     bool // partner in a customer's or a transaction's answer is the partner's key, not an object
	FilterUnderscore bool // list filters spelled partner_key, customer_key (n8n), not partner.key (the docs); the other spelling is ignored
	NoCustomerStatus int  // a transaction's customer not there: 404 (0), 400 or 422 (errors.customer)
}

// missingFields are what a create, update or invite answer may lack; reads
// and lists keep the documented fields.
var missingFields = []string{"id", "email", "referral_link", "referral_links", "created_at", "updated_at", "tags", "status"}

// Vary picks one variation from a seed: every choice is drawn, so seeds
// cover the combinations.
func Vary(seed uint64) Variation {
	r := rand.New(rand.NewPCG(seed, 0x7a7a))
	pick := func(options ...string) string { return options[r.IntN(len(options))] }
	v := Variation{
		Seed:         seed,
		CreateStatus: []int{201, 200}[r.IntN(2)],
		InviteStatus: []int{200, 201}[r.IntN(2)],
		InviteAnswer: pick("", "status", "message", "email"),
		LinkObjects:  r.IntN(2) == 0,
		IDs:          pick("", "number", "escaped"),
		Extra:        r.IntN(2) == 0,
		TimeFormat:   pick("", "sql", "unix"),
		Language:     pick("", "laravel", "de", "fr", "es", "lt"),
		ErrorShape:   pick("", "message", "error"),
		ClashStatus:  []int{422, 409}[r.IntN(2)],
		PageCap:      []int{100, 15, 50, 250}[r.IntN(4)],
		NextLinks:    pick("", "query", "relative", "none", "laravel"),
		NewestFirst:  r.IntN(2) == 0,
		ExactSearch:  r.IntN(3) == 0,
		NoSearch:     r.IntN(4) == 0,
		QuietLimit:   r.IntN(2) == 0,
		NoRetryAfter: r.IntN(2) == 0,
		NoDate:       r.IntN(3) == 0,
		ClockSkew:    time.Duration(r.IntN(31)-15) * time.Minute,
	}
	for _, f := range missingFields {
		if r.IntN(4) == 0 {
			v.Missing = append(v.Missing, f)
		}
	}
	// Drawn last, so that earlier seeds keep their other choices.
	v.StampSkew = []time.Duration{0, 0, 3 * time.Second, -3 * time.Second, 2 * time.Minute, -10 * time.Minute, 3 * time.Hour}[r.IntN(7)]
	v.ProxyLinks = r.IntN(4) == 0
	v.IDNStore = r.IntN(3) == 0
	if r.IntN(4) == 0 {
		v.TimeFormat = "local"
	}
	v.RepeatKeys = r.IntN(2) == 0
	v.PartnerAsKey = r.IntN(2) == 0
	v.FilterUnderscore = r.IntN(2) == 0
	v.NoCustomerStatus = []int{404, 400, 422}[r.IntN(3)]
	return v
}

// String says what the variation chose, for the log.
func (v Variation) String() string {
	var parts []string
	say := func(cond bool, s string, args ...any) {
		if cond {
			parts = append(parts, fmt.Sprintf(s, args...))
		}
	}
	say(true, "create answers %d", or(v.CreateStatus, 201))
	say(true, "invite answers %d with %s", or(v.InviteStatus, 200), map[string]string{
		"": "the partner", "status": `{"status": 1} alone`, "message": "a sentence", "email": "the email only"}[v.InviteAnswer])
	say(v.LinkObjects, "referral_links as objects")
	say(v.IDs != "", "ids %s", map[string]string{"number": "as numbers", "escaped": "\\u-escaped"}[v.IDs])
	say(v.Extra, "extra fields")
	say(len(v.Missing) > 0, "answers without %s", strings.Join(v.Missing, ", "))
	say(v.TimeFormat != "", "created_at as %s", v.TimeFormat)
	say(true, "errors in %s", or(v.Language, "Partnero's words"))
	say(v.ErrorShape != "", "error bodies: %s", v.ErrorShape)
	say(true, "clashes answer %d", or(v.ClashStatus, 422))
	say(true, "pages of at most %d", or(v.PageCap, 100))
	say(true, "next links %s", or(v.NextLinks, "absolute, page only"))
	say(v.NewestFirst, "newest first")
	say(v.ExactSearch, "exact search")
	say(v.NoSearch, "no search endpoint")
	say(v.QuietLimit, "no rate-limit headers")
	say(v.NoRetryAfter, "no Retry-After")
	say(v.NoDate, "no Date header")
	say(v.ClockSkew != 0, "clock %v off", v.ClockSkew)
	say(v.StampSkew != 0, "created_at %v off the Date header's clock", v.StampSkew)
	say(v.ProxyLinks, "page links to the address behind the proxy")
	say(v.IDNStore, "domains stored in punycode")
	say(v.RepeatKeys, "a transaction key stored twice")
	say(v.PartnerAsKey, "partner as a key in customers and transactions")
	say(v.FilterUnderscore, "list filters spelled partner_key")
	say(true, "an unknown customer answers %d", or(v.NoCustomerStatus, 404))
	return fmt.Sprintf("vary %d: %s", v.Seed, strings.Join(parts, "; "))
}

func or[T comparable](v, fallback T) T {
	var zero T
	if v == zero {
		return fallback
	}
	return v
}

// messages are the sandbox's error messages per language: what a value
// already taken, a missing referrer and a partner not found say.
type messages struct {
	taken      func(field string) string
	noReferrer string
	notFound   string
}

var languages = map[string]messages{
	"": {
		taken: func(f string) string {
			return map[string]string{"email": "Email already exists", "id": "ID already exists", "key": "Key already exists"}[f]
		},
		noReferrer: "Referring partner not found", notFound: "Partner not found",
	},
	"laravel": {
		taken:      func(f string) string { return "The " + f + " has already been taken." },
		noReferrer: "The selected referring partner is invalid.", notFound: "No query results for model [Partner].",
	},
	"de": {
		taken: func(f string) string {
			return map[string]string{"email": "E-Mail", "id": "ID", "key": "Schlüssel"}[f] + " ist bereits vergeben."
		},
		noReferrer: "Der empfehlende Partner wurde nicht gefunden.", notFound: "Partner nicht gefunden.",
	},
	"fr": {
		taken: func(f string) string {
			return "Cette valeur de " + map[string]string{"email": "e-mail", "id": "l'ID", "key": "clé"}[f] + " est déjà utilisée."
		},
		noReferrer: "Le partenaire parrain est introuvable.", notFound: "Partenaire introuvable.",
	},
	"es": {
		taken: func(f string) string {
			return "El " + map[string]string{"email": "correo electrónico", "id": "ID", "key": "clave"}[f] + " ya ha sido registrado."
		},
		noReferrer: "El socio referente no existe.", notFound: "Socio no encontrado.",
	},
	"lt": {
		taken: func(f string) string {
			return map[string]string{"email": "El. paštas", "id": "ID", "key": "Raktas"}[f] + " jau užimtas."
		},
		noReferrer: "Rekomenduojantis partneris nerastas.", notFound: "Partneris nerastas.",
	},
}
