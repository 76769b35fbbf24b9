package pull

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/partnero-import/partnero-import/importer/secret"
)

// Tolt, as ../shared/sources/README.md describes its API v1.

// ToltKeyEnv holds Tolt's API key.
const ToltKeyEnv = "TOLT_API_KEY"

const (
	toltBase = "https://api.tolt.com/v1"
	// toltPage is the most records a page may list.
	toltPage = 100
	// toltCents reads the cents of a commission that names no currency
	// (Tolt documents no currency field): hundredths, as in USD, written
	// with no currency so that Partnero takes them in its program's
	// rather than in one pull would have guessed.
	toltCents = "USD"
)

// The reasons of left-out.csv Tolt adds: a commission's own status (and
// NoKey, PartnerStack's too).
const (
	Rejected = "rejected"
	Refunded = "refunded"
)

// ToltLimit is Tolt's published limit: 25 requests a second per key.
var ToltLimit = Limit{Requests: 25, Window: time.Second}

type tolt struct {
	client  *Client
	program string
	// The joins: what later lists refer to.
	links map[string][]toltLink // partner id → its links, in the order listed
	// verbatim: a link value that is a key as Tolt gave it → its partner.
	// A value slugified to be a key never takes another's real one.
	verbatim  map[string]string
	carried                     // by partner id
	customers map[string]string // a carried customer's key → its partner's id
	sales     map[string]bool   // transaction keys written
}

// toltLink is a link of a partner: value is as a key (linkKey), given as
// Tolt gave it.
type toltLink struct{ id, param, value, given string }

func newTolt(env map[string]string, o Options) (Source, error) {
	program := strings.TrimSpace(o.ProgramID)
	if program == "" {
		return nil, errors.New("pull tolt needs --program-id prg_..., the Tolt program to pull (every Tolt list is a program's)")
	}
	key := secret.New(env[ToltKeyEnv])
	c, err := NewClient(ClientConfig{
		Source: "tolt", BaseURL: o.baseOr(toltBase), Limit: o.paced(ToltLimit), Backoff: o.Backoff, HTTP: o.HTTP, Throttled: o.Throttled,
		Auth:        func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+key.Reveal()) },
		Secrets:     []secret.String{key},
		Credentials: ToltKeyEnv,
	})
	if err != nil {
		return nil, err
	}
	return &tolt{client: c, program: program, links: map[string][]toltLink{}, verbatim: map[string]string{}, carried: newCarried(),
		customers: map[string]string{}, sales: map[string]bool{}}, nil
}

func (t *tolt) Name() string { return "tolt" }

// Pull reads links (a partner's key is one of them), then partners, then
// customers, then commissions: each list refers to the ones before.
func (t *tolt) Pull(ctx context.Context, out *Out) error {
	return inTurn(ctx, out, t.list, []listStep{
		{"/links", "links", nil, t.link},
		{"/partners", "partners", nil, t.partner},
		{"/customers", "customers", nil, t.customer},
		{"/commissions", "commissions", url.Values{"expand[]": {"customer", "transaction"}}, t.commission},
	})
}

// list reads every page of path, each after the last record of the one
// before (starting_after), while the answer says has_more.
func (t *tolt) list(ctx context.Context, path, what string, query url.Values, each func(json.RawMessage) error) error {
	return cursorList{client: t.client, source: "tolt", what: what, path: path,
		query: func() url.Values {
			q := withQuery(query)
			q.Set("program_id", t.program)
			q.Set("limit", fmt.Sprint(toltPage))
			return q
		},
		pageOf: toltPageOf, cursorOf: lastID,
		stuck: func(page string, empty bool) error {
			if empty {
				return fmt.Errorf("tolt %s %s lists nothing yet says has_more: the pages cannot go on", what, page)
			}
			return fmt.Errorf("tolt %s %s: its last record has no id to page on", what, page)
		},
	}.walk(ctx, each)
}

// lastID is the id of a page's last record, the cursor of the next.
func lastID(items []json.RawMessage) string { return idOf(items[len(items)-1]) }

// toltPageOf reads a page: {"success", "has_more", "data": [...]}, the
// list nested once more ("data": {"data": [...]}, as customers come), or
// a bare array (one page).
func toltPageOf(body []byte) (items []json.RawMessage, raw json.RawMessage, more bool, _ error) {
	if trimmed := strings.TrimSpace(string(body)); strings.HasPrefix(trimmed, "[") {
		err := json.Unmarshal(body, &items)
		return items, body, false, err
	}
	type page struct {
		Success *bool           `json:"success"`
		HasMore bool            `json:"has_more"`
		Data    json.RawMessage `json:"data"`
		Error   *struct {
			Type    text `json:"type"`
			Message text `json:"message"`
		} `json:"error"`
	}
	var p page
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, nil, false, errors.New("not JSON")
	}
	if p.Success != nil && !*p.Success {
		why := "success: false"
		if p.Error != nil {
			why += fmt.Sprintf(" (%s %s)", p.Error.Type, p.Error.Message)
		}
		return nil, nil, false, errors.New(strings.TrimSpace(why))
	}
	data := []byte(strings.TrimSpace(string(p.Data)))
	if len(data) > 0 && data[0] == '{' {
		var inner page
		if err := json.Unmarshal(data, &inner); err != nil {
			return nil, nil, false, errors.New(`"data" is neither a list nor an object`)
		}
		data, p.HasMore = []byte(strings.TrimSpace(string(inner.Data))), p.HasMore || inner.HasMore
	}
	if len(data) == 0 || string(data) == "null" {
		return nil, nil, false, errors.New(`no "data"`)
	}
	if err := json.Unmarshal(data, &items); err != nil {
		return nil, nil, false, errors.New(`"data" is not a list`)
	}
	return items, data, p.HasMore, nil
}

// link notes a link under its partner: the partner's key is its first.
func (t *tolt) link(raw json.RawMessage, _ *Out) error {
	var l struct {
		ID        text            `json:"id"`
		Param     text            `json:"param"`
		Value     text            `json:"value"`
		PartnerID text            `json:"partner_id"`
		Partner   json.RawMessage `json:"partner"`
	}
	if err := json.Unmarshal(raw, &l); err != nil {
		return fmt.Errorf("not a link: %v", err)
	}
	partner := strings.TrimSpace(string(l.PartnerID))
	if partner == "" {
		partner = idOf(l.Partner)
	}
	param := strings.TrimSpace(string(l.Param))
	if param == "" {
		param = "ref"
	}
	// A value with nothing to make a key of ("!!!") is kept too: the
	// partner's first link, it gets its line.
	if given := strings.TrimSpace(string(l.Value)); given != "" && partner != "" {
		value := linkKey(given)
		t.links[partner] = append(t.links[partner], toltLink{param: param, value: value, id: strings.TrimSpace(string(l.ID)), given: given})
		if _, taken := t.verbatim[value]; value == given && !taken {
			t.verbatim[value] = partner
		}
	}
	return nil
}

type toltPartner struct {
	ID        text `json:"id"`
	FirstName text `json:"first_name"`
	LastName  text `json:"last_name"`
	Email     text `json:"email"`
	Status    text `json:"status"`
	GroupID   text `json:"group_id"`
}

// partner carries a partner: its first link's value is its key, its
// other links are tags (ref:VALUE), its group's id a tag; one Tolt
// rejected is left out, any other status than active a tag
// (status:suspended).
func (t *tolt) partner(raw json.RawMessage, out *Out) error {
	var a toltPartner
	if err := json.Unmarshal(raw, &a); err != nil {
		return fmt.Errorf("not a partner: %v", err)
	}
	id, email := strings.TrimSpace(string(a.ID)), strings.TrimSpace(string(a.Email))
	if ok, err := t.admitted(out, "partner", id, email); !ok {
		return err
	}
	if ok, err := t.accepted(out, "partner", id, email, string(a.Status)); !ok {
		return err
	}
	p := Partner{Email: email, Name: strings.TrimSpace(string(a.FirstName)), Surname: strings.TrimSpace(string(a.LastName))}
	var first firstLink
	if links := t.links[id]; len(links) > 0 {
		l := links[0]
		first = firstLink{id: l.id, value: l.given, asKey: l.value, shown: "?" + l.param + "=" + l.given}
	}
	for _, l := range t.links[id] {
		if l.value == "" {
			p.Tags = append(p.Tags, l.param+":"+l.given)
			continue
		}
		if owner, real := t.verbatim[l.value]; l.value != l.given && real && owner != id {
			// Slugified, it would be another partner's real value: old
			// links ?ref=VALUE must keep crediting that one.
			p.Tags = append(p.Tags, l.param+":"+l.given)
			continue
		}
		if p.Key == "" && t.claim(l.value, id) {
			p.Key = l.value
			continue
		}
		p.Tags = append(p.Tags, l.param+":"+l.value)
	}
	delete(t.links, id) // read once: memory goes with the links not yet claimed
	if group := strings.TrimSpace(string(a.GroupID)); group != "" {
		p.Tags = append(p.Tags, group)
	}
	withStatus(out, &p, string(a.Status))
	if err := t.keptLink(out, id, email, first, p.Key); err != nil {
		return err
	}
	t.carry(id, &p)
	return out.Partner(&p)
}

// customer carries a customer, keyed by Tolt's customer id, under the
// partner it came through.
func (t *tolt) customer(raw json.RawMessage, out *Out) error {
	var c struct {
		ID        text            `json:"id"`
		Email     text            `json:"email"`
		Name      text            `json:"name"`
		PartnerID text            `json:"partner_id"`
		Partner   json.RawMessage `json:"partner"`
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		return fmt.Errorf("not a customer: %v", err)
	}
	cu := Customer{Key: strings.TrimSpace(string(c.ID)), Email: strings.TrimSpace(string(c.Email)), Name: strings.TrimSpace(string(c.Name))}
	left := LeftOut{Kind: KindCustomer, SourceID: cu.Key, Email: cu.Email}
	partner := strings.TrimSpace(string(c.PartnerID))
	if partner == "" {
		partner = idOf(c.Partner)
	}
	ref, ok := t.partners[partner]
	switch {
	case cu.Key == "":
		left.Reason, left.Message = NoKey, "the customer has no id"
	case partner == "":
		left.Reason, left.Message = NoPartner, "the customer names no partner"
	case !ok:
		left.Reason, left.Message = NoPartner, fmt.Sprintf("its partner %q was not carried over (see its own line)", partner)
	case t.customers[cu.Key] != "":
		left.Reason, left.Message = Duplicate, "listed twice: carried over once, with its first partner"
	default:
		cu.Partner, t.customers[cu.Key] = ref, partner
		return out.Customer(&cu)
	}
	return out.LeaveOut(left)
}

type toltCommission struct {
	ID            text            `json:"id"`
	Amount        text            `json:"amount"`
	Revenue       text            `json:"revenue"`
	Currency      text            `json:"currency"`
	Status        text            `json:"status"`
	TransactionID text            `json:"transaction_id"`
	ChargeID      text            `json:"charge_id"`
	CustomerID    text            `json:"customer_id"`
	Customer      json.RawMessage `json:"customer"`
	PartnerID     text            `json:"partner_id"`
	Partner       json.RawMessage `json:"partner"`
	Transaction   json.RawMessage `json:"transaction"`
	CreatedAt     text            `json:"created_at"`
}

// commission carries a commission's sale as one transaction, keyed by its
// transaction id (else its charge id, else its own id): the revenue as
// the amount (none when Tolt gives none), the commission as the reward,
// rewarded when paid, dated by its transaction (else by itself). Rejected and refunded ones stay behind, and one
// whose partner is carried as another than its customer's (other_partner).
func (t *tolt) commission(raw json.RawMessage, out *Out) error {
	var c toltCommission
	if err := json.Unmarshal(raw, &c); err != nil {
		return fmt.Errorf("not a commission: %v", err)
	}
	var tx struct {
		ID        text `json:"id"`
		Currency  text `json:"currency"`
		CreatedAt text `json:"created_at"`
	}
	if len(c.Transaction) > 0 && c.Transaction[0] == '{' {
		_ = json.Unmarshal(c.Transaction, &tx) // an unreadable expansion gives nothing the commission lacks
	}
	status := strings.ToLower(strings.TrimSpace(string(c.Status)))
	tr := Transaction{Key: firstOf(c.TransactionID, tx.ID, c.ChargeID, c.ID), Action: "sale", Rewarded: status == "paid",
		CreatedAt: firstOf(tx.CreatedAt, c.CreatedAt)} // the sale's date; the commission's may be later
	leave := leaver(out, LeftOut{Kind: KindTransaction, SourceID: tr.Key})
	switch status {
	case "rejected":
		return leave(Rejected, "commission %s was rejected", c.ID)
	case "refunded":
		return leave(Refunded, "commission %s was refunded", c.ID)
	}
	customer, partner := t.customerOf(c), firstOf(c.PartnerID, text(idOf(c.Partner)))
	switch {
	case tr.Key == "":
		return leave(NoKey, "the commission has no id")
	case customer == "":
		return leave(NoCustomer, "commission %s: its customer was not carried over", c.ID)
	case t.sales[tr.Key]:
		return leave(Duplicate, "commission %s (%s in minor units, %s): a second commission of transaction %s, carried over once with the "+
			"first's reward: this one's is not in Partnero", c.ID, strings.TrimSpace(string(c.Amount)), paidOrNot(status == "paid"), tr.Key)
	case t.otherPartner(partner, t.customers[customer]):
		return leave(OtherPartner, "commission %s: its partner %s is another partner than %s, whom its customer %s is carried under: "+
			"carried, the sale would credit that partner", c.ID, partner, t.customers[customer], customer)
	}
	tr.Customer = Ref{Key: customer}
	named := strings.ToUpper(firstOf(c.Currency, tx.Currency))
	currency := firstOf(named, toltCents)
	notCents := "not cents" // of the currency only where Tolt names one
	if named != "" {
		notCents += " of " + named
	}
	var why string
	if strings.TrimSpace(string(c.Revenue)) != "" { // null revenue: the reward alone
		if tr.Amount, why = majorOf(string(c.Revenue), currency); why != "" {
			return leave(InvalidAmount, "commission %s: its revenue %q is %s", c.ID, c.Revenue, notCents)
		}
	}
	if tr.Reward, why = majorOf(string(c.Amount), currency); why != "" {
		return leave(InvalidAmount, "commission %s: its amount %q is %s", c.ID, c.Amount, notCents)
	}
	tr.Currency = named
	t.sales[tr.Key] = true
	return out.Transaction(&tr)
}

// customerOf is the carried customer of a commission: its expanded
// customer's id, or the id it names.
func (t *tolt) customerOf(c toltCommission) string {
	for _, id := range []string{idOf(c.Customer), strings.TrimSpace(string(c.CustomerID))} {
		if id != "" && t.customers[id] != "" {
			return id
		}
	}
	return ""
}

// firstOf is the first of values that is not blank, trimmed.
func firstOf[S ~string](values ...S) string {
	for _, v := range values {
		if s := strings.TrimSpace(string(v)); s != "" {
			return s
		}
	}
	return ""
}

// linkKey is a link's value as a partner's key: as it is when Partnero
// takes it as one (letters, digits, - and _), so that old links keep
// working; slugified otherwise.
func linkKey(value string) string {
	value = strings.TrimSpace(value)
	if strings.IndexFunc(value, func(r rune) bool {
		return r != '-' && r != '_' && (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && (r < '0' || r > '9')
	}) < 0 {
		return value
	}
	return Slugify(value)
}

// Slugify makes a link value a key as Dub's importer does for Tolt's
// values with spaces: accents dropped, lower-cased, every run of
// characters other than letters and digits one "-", none at either end
// ("Jane Doe!" is "jane-doe").
func Slugify(value string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFD.String(value) {
		switch {
		case unicode.Is(unicode.Mn, r): // an accent, decomposed
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(unicode.ToLower(r))
		default:
			dash = true
		}
	}
	return b.String()
}
