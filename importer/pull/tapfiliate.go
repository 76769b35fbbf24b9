package pull

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/partnero-import/partnero-import/importer/secret"
	"github.com/partnero-import/partnero-import/validate"
)

// Tapfiliate, as ../shared/sources/README.md describes its API 1.6.
//
// Amounts: the README (our reference) says money comes in cents
// everywhere, so a conversion's and a commission's amount are read as
// cents (minor units) by default. Tapfiliate's own reference types them as
// decimals of the currency ("amount": 5.5): an amount with a decimal mark
// cannot be cents, and the pull stops rather than guess (fail closed);
// Options.AmountsIn "major" (--amounts-in major) reads them as major
// units, exactly as written (a decimal the currency does not have is
// invalid_amount, never rounded).

// TapfiliateKeyEnv holds Tapfiliate's API key.
const TapfiliateKeyEnv = "TAPFILIATE_API_KEY"

const (
	tapfiliateBase = "https://api.tapfiliate.com/1.6"
	// GroupTagPrefix makes a tag of an affiliate's group id: the API names
	// the group by id only.
	GroupTagPrefix = "group:"
	// RefTagPrefix tags an affiliate's id that Partnero would refuse as
	// its key (its ?ref= value is kept, as a tag).
	RefTagPrefix = "ref:"
	// tapfiliateMLM is the kind of a commission paid to a referrer's
	// upline: Partnero pays its own tiers from the program's settings.
	tapfiliateMLM = "mlm"
	// maxResetWait bounds a wait for X-Ratelimit-Reset: a reset further
	// away is taken as a clock gone wrong.
	maxResetWait = 10 * time.Minute
)

// Reasons and kinds of left-out.csv that Tapfiliate adds.
const (
	// NoCommission: a conversion with no commission of its affiliate's is
	// no sale with a commission.
	NoCommission = "no_commission"
	// ReferrerNotCarried: the partner is carried, without the referrer
	// its parent_id names.
	ReferrerNotCarried = "referrer_not_carried"
	// KindReferrer is a partner's tie to its referrer (MLM parent): what
	// is left out when the partner is carried and its parent is not.
	KindReferrer Kind = "referrer"
	// AlreadyPaid: a commission paid out, left off the reward of a
	// conversion carried with commissions still unpaid (Partnero's
	// transaction has one reward, paid or not).
	AlreadyPaid = "already_paid"
	// KindCommission is a commission of a sale carried: what is left out
	// when the sale is carried without it.
	KindCommission Kind = "commission"
)

// TapfiliateLimit is a pace of our own: Tapfiliate publishes no limit,
// only X-Ratelimit-Limit, -Remaining and -Reset on its answers, which the
// pull honours besides (at Remaining 0 it waits for Reset).
var TapfiliateLimit = Limit{Requests: 120, Window: time.Minute}

type tapfiliate struct {
	client  *Client
	headers *headerRecorder
	// The joins: what later lists refer to.
	carried                    // by affiliate id, its key
	children []tapfiliateChild // partners waiting to know whether their parent is carried
	// A conversion names its customer by customer_id (or by id).
	byCustomerID, byID map[string]string // → the carried customer's key
	affiliateOf        map[string]string // a carried customer's key → its affiliate's id
	sales              map[string]bool   // transaction keys written
	// inMajor: amounts are read as major units (--amounts-in major),
	// else as cents.
	inMajor bool
}

// The units Tapfiliate's amounts are read in (Options.AmountsIn).
const (
	AmountsInCents = "cents"
	AmountsInMajor = "major"
)

// tapfiliateChild is a partner with an MLM parent, written once every
// affiliate is read: its referrer is carried or it is not.
type tapfiliateChild struct {
	partner Partner
	id      string
	parent  string
}

func newTapfiliate(env map[string]string, o Options) (Source, error) {
	key := secret.New(env[TapfiliateKeyEnv])
	h, rec := recordHeaders(o.HTTP)
	c, err := NewClient(ClientConfig{
		Source: "tapfiliate", BaseURL: o.baseOr(tapfiliateBase), Limit: o.paced(TapfiliateLimit), Backoff: o.Backoff, HTTP: h, Throttled: o.Throttled,
		Auth:        func(r *http.Request) { r.Header.Set("X-Api-Key", key.Reveal()) },
		Secrets:     []secret.String{key},
		Credentials: TapfiliateKeyEnv,
	})
	if err != nil {
		return nil, err
	}
	return &tapfiliate{client: c, headers: rec, carried: newCarried(),
		byCustomerID: map[string]string{}, byID: map[string]string{}, affiliateOf: map[string]string{}, sales: map[string]bool{}, inMajor: o.AmountsIn == AmountsInMajor}, nil
}

func (t *tapfiliate) Name() string { return "tapfiliate" }

// Pull reads affiliates, then customers, then conversions: each list
// refers to the one before. Customers and conversions of every program of
// the account are read (no program_id).
func (t *tapfiliate) Pull(ctx context.Context, out *Out) error {
	each := func(f func(json.RawMessage, *Out) error) func(json.RawMessage) error {
		return func(raw json.RawMessage) error { return f(raw, out) }
	}
	if err := t.list(ctx, "/affiliates/", "affiliates", each(t.affiliate)); err != nil {
		return err
	}
	if err := t.writeChildren(out); err != nil {
		return err
	}
	if err := t.list(ctx, "/customers/", "customers", each(t.customer)); err != nil {
		return err
	}
	return t.list(ctx, "/conversions/", "conversions", each(t.conversion))
}

// list reads every page of path, following the Link header's rel="next"
// to the end, and gives each record to each. Only the next link's query
// is taken: the key goes to the base URL, never to a host a header names.
func (t *tapfiliate) list(ctx context.Context, path, what string, each func(json.RawMessage) error) error {
	guard := newPageGuard("tapfiliate " + what)
	for query := (url.Values{"page": {"1"}}); query != nil; {
		page := query.Get("page")
		if page == "" {
			page = query.Encode()
		}
		if err := guard.visit(query.Encode()); err != nil {
			return err
		}
		// The last answer, of this list or the one before, may have said
		// no request is left.
		if err := sleep(ctx, resetWait(t.headers.Last(), time.Now())); err != nil {
			return fmt.Errorf("GET %s: %v", path, err)
		}
		body, err := t.client.Get(ctx, path, query)
		if err != nil {
			return err
		}
		h := t.headers.Last()
		items, raw, err := tapfiliatePageOf(body)
		if err != nil {
			return fmt.Errorf("tapfiliate answered GET %s page %s with something unreadable: %v", path, page, err)
		}
		if len(items) == 0 { // past the end, whatever a link says
			return nil
		}
		if err := guard.listed(page, raw); err != nil {
			return err
		}
		if err := guard.eachRecord(items, each, fmt.Sprintf("tapfiliate %s page %s", what, page)); err != nil {
			return err
		}
		query = nextPage(h)
	}
	return nil
}

// tapfiliatePageOf reads a page: a bare array (as documented), or a list
// under "data", or under "data.data".
func tapfiliatePageOf(body []byte) (items []json.RawMessage, raw json.RawMessage, _ error) {
	raw = json.RawMessage(strings.TrimSpace(string(body)))
	for range 3 {
		if len(raw) > 0 && raw[0] == '[' {
			if err := json.Unmarshal(raw, &items); err != nil {
				return nil, nil, errors.New("not a list of records")
			}
			return items, raw, nil
		}
		var wrapped struct {
			Data json.RawMessage `json:"data"`
		}
		if len(raw) == 0 || raw[0] != '{' || json.Unmarshal(raw, &wrapped) != nil {
			return nil, nil, errors.New("not JSON")
		}
		raw = json.RawMessage(strings.TrimSpace(string(wrapped.Data)))
	}
	return nil, nil, errors.New("no list of records in it")
}

// nextPage is the query of the Link header's rel="next", or nil on the
// last page.
func nextPage(h http.Header) url.Values {
	for _, link := range linksOf(strings.Join(h.Values("Link"), ",")) {
		if !link.rel["next"] {
			continue
		}
		u, err := url.Parse(link.target)
		if err != nil {
			return nil
		}
		return u.Query()
	}
	return nil
}

type webLink struct {
	target string
	rel    map[string]bool
}

// linksOf reads a Link header (RFC 8288): <URL>; rel="next", <URL>;
// rel=last. A URL may hold commas; rel may be quoted or not, and hold
// several words.
func linksOf(header string) []webLink {
	var links []webLink
	for {
		start := strings.IndexByte(header, '<')
		if start < 0 {
			return links
		}
		end := strings.IndexByte(header[start:], '>')
		if end < 0 {
			return links
		}
		l := webLink{target: strings.TrimSpace(header[start+1 : start+end]), rel: map[string]bool{}}
		header = header[start+end+1:]
		params := header
		if next := strings.IndexByte(header, '<'); next >= 0 {
			params = header[:next]
		}
		for _, p := range strings.Split(params, ";") {
			name, value, ok := strings.Cut(strings.TrimSpace(strings.TrimRight(strings.TrimSpace(p), ",")), "=")
			if ok && strings.EqualFold(strings.TrimSpace(name), "rel") {
				for _, r := range strings.Fields(strings.Trim(strings.TrimSpace(value), `"`)) {
					l.rel[strings.ToLower(r)] = true
				}
			}
		}
		links = append(links, l)
	}
}

// resetWait is how long to wait before the next request when the answer
// said no request is left (X-Ratelimit-Remaining 0): until
// X-Ratelimit-Reset, Unix seconds (or, leniently, seconds from now),
// read against the answer's own clock when it gives its Date.
func resetWait(h http.Header, now time.Time) time.Duration {
	remaining, err := strconv.Atoi(strings.TrimSpace(h.Get("X-Ratelimit-Remaining")))
	if err != nil || remaining > 0 {
		return 0
	}
	reset, err := strconv.ParseFloat(strings.TrimSpace(h.Get("X-Ratelimit-Reset")), 64)
	if err != nil || !(reset > 0) {
		return time.Second // none said: a breath, and 429s are honoured anyway
	}
	if d, err := http.ParseTime(h.Get("Date")); err == nil {
		now = d
	}
	var wait time.Duration
	if reset > 1e9 {
		wait = time.Unix(int64(reset), 0).Sub(now) + time.Second // a whole second: Reset is rounded
	} else {
		wait = time.Duration(min(reset, maxResetWait.Seconds()) * float64(time.Second))
	}
	return min(max(wait, 0), maxResetWait)
}

type tapfiliateAffiliate struct {
	ID        text            `json:"id"`
	Firstname text            `json:"firstname"`
	Lastname  text            `json:"lastname"`
	Email     text            `json:"email"`
	ParentID  json.RawMessage `json:"parent_id"`
	Group     json.RawMessage `json:"affiliate_group_id"`
}

// affiliate carries an affiliate as a partner: its id is the ?ref= value,
// so its key; its group a tag (group:ID); its MLM parent its referrer,
// once every affiliate is read.
func (t *tapfiliate) affiliate(raw json.RawMessage, out *Out) error {
	var a tapfiliateAffiliate
	if err := json.Unmarshal(raw, &a); err != nil {
		return fmt.Errorf("not an affiliate: %v", err)
	}
	id, email := strings.TrimSpace(string(a.ID)), strings.TrimSpace(string(a.Email))
	leave := leaver(out, LeftOut{Kind: KindPartner, SourceID: id, Email: email})
	switch {
	case id == "":
		return leave("no_id", "the affiliate has no id, which is its referral key")
	case t.partners[id] != (Ref{}):
		return leave(Duplicate, "affiliate %s is listed twice: carried over once", id)
	}
	if ok, err := t.admitted(out, "affiliate", id, email); !ok {
		return err
	}
	p := Partner{Email: email, Name: strings.TrimSpace(string(a.Firstname)), Surname: strings.TrimSpace(string(a.Lastname))}
	if t.claim(id, id) { // its key is its id, if Partnero takes it as one
		p.Key = id
	} else {
		p.Tags = append(p.Tags, RefTagPrefix+id)
	}
	if group := strings.TrimSpace(idOf(a.Group)); group != "" {
		p.Tags = append(p.Tags, GroupTagPrefix+group)
	}
	if err := t.keptLink(out, id, email, firstLink{id: id, value: id, asKey: id, shown: "?ref=" + id}, p.Key); err != nil {
		return err
	}
	t.carry(id, &p)
	if parent := strings.TrimSpace(idOf(a.ParentID)); parent != "" {
		t.children = append(t.children, tapfiliateChild{partner: p, id: id, parent: parent})
		return nil
	}
	return out.Partner(&p)
}

// writeChildren writes the partners with an MLM parent, each with its
// parent's partner as referrer; one whose parent was not carried goes
// without, and left-out.csv says so (kind referrer).
func (t *tapfiliate) writeChildren(out *Out) error {
	for _, c := range t.children {
		p := c.partner
		ref, ok := t.partners[c.parent]
		switch {
		case c.parent == c.id || ok && ref == t.partners[c.id]: // itself, or another record of its email
			err := out.LeaveOut(LeftOut{Kind: KindReferrer, SourceID: c.id, Email: p.Email, Reason: "self_referral",
				Message: "carried over without a referrer: its parent is itself"})
			if err != nil {
				return err
			}
		case !ok:
			err := out.LeaveOut(LeftOut{Kind: KindReferrer, SourceID: c.id, Email: p.Email, Reason: ReferrerNotCarried,
				Message: fmt.Sprintf("carried over without its referrer: parent affiliate %q was not carried over", c.parent)})
			if err != nil {
				return err
			}
		default:
			p.ReferringPartner = &ref
		}
		if err := out.Partner(&p); err != nil {
			return err
		}
	}
	t.children = nil
	return nil
}

type tapfiliateCustomer struct {
	ID         text            `json:"id"`
	CustomerID text            `json:"customer_id"`
	Email      text            `json:"email"`
	Affiliate  json.RawMessage `json:"affiliate"`
}

// customer carries a customer, keyed by its customer_id (your id; its
// Tapfiliate id cu_... when there is none), under its affiliate's partner.
func (t *tapfiliate) customer(raw json.RawMessage, out *Out) error {
	var c tapfiliateCustomer
	if err := json.Unmarshal(raw, &c); err != nil {
		return fmt.Errorf("not a customer: %v", err)
	}
	id, customerID := strings.TrimSpace(string(c.ID)), strings.TrimSpace(string(c.CustomerID))
	key := customerID
	if key == "" {
		key = id
	}
	email := strings.TrimSpace(string(c.Email))
	// A line names the record by its own id (cu_...), which is what
	// tells two records of one customer_id apart; the key is said too.
	left := LeftOut{Kind: KindCustomer, SourceID: cmp.Or(id, key), Email: email}
	named := ""
	if customerID != "" && id != "" {
		named = fmt.Sprintf(" (customer_id %s)", customerID)
	}
	affiliate := strings.TrimSpace(idOf(c.Affiliate))
	partner, ok := t.partners[affiliate]
	switch {
	case key == "":
		left.Reason, left.Message = NoCustomer, "the customer has neither customer_id nor id"
		return out.LeaveOut(left)
	case affiliate == "":
		left.Reason, left.Message = NoPartner, "the customer"+named+" has no affiliate"
		return out.LeaveOut(left)
	case !ok:
		left.Reason, left.Message = NoPartner, fmt.Sprintf("the customer%s: its affiliate %q was not carried over (see its own line)", named, affiliate)
		return out.LeaveOut(left)
	case t.byCustomerID[key] != "" || t.byID[key] != "":
		t.join(id, customerID, key)
		left.Reason, left.Message = Duplicate, "customer "+key+" is listed twice: this record is left out, the first one carried over, under its partner"
		return out.LeaveOut(left)
	}
	t.join(id, customerID, key)
	t.affiliateOf[key] = affiliate
	return out.Customer(&Customer{Key: key, Email: email, Partner: partner})
}

func (t *tapfiliate) join(id, customerID, key string) {
	if customerID != "" && t.byCustomerID[customerID] == "" {
		t.byCustomerID[customerID] = key
	}
	if id != "" && t.byID[id] == "" {
		t.byID[id] = key
	}
}

type tapfiliateConversion struct {
	ID          text                   `json:"id"`
	ExternalID  text                   `json:"external_id"`
	Amount      text                   `json:"amount"`
	Customer    json.RawMessage        `json:"customer"`
	Affiliate   json.RawMessage        `json:"affiliate"`
	Commissions []tapfiliateCommission `json:"commissions"`
	CreatedAt   text                   `json:"created_at"`
}

type tapfiliateCommission struct {
	Amount   text            `json:"amount"`
	Approved text            `json:"approved"` // true, false (disapproved), null (pending)
	Currency text            `json:"currency"`
	Kind     text            `json:"kind"`
	Payout   json.RawMessage `json:"payout"`
}

// paid reports whether the commission was paid out: it names a payout.
func (c tapfiliateCommission) paid() bool {
	p := strings.TrimSpace(string(c.Payout))
	return p != "" && p != "null" && p != "false" && p != "{}"
}

// conversion carries a conversion as one transaction, keyed by its
// Tapfiliate id (its external_id when it has none): the conversion's
// amount, its affiliate's commissions (not the MLM ones, not the
// disapproved ones) as the reward, rewarded when every one was paid out;
// when some were and some were not, the reward is the unpaid ones' and
// each paid one is a line of left-out.csv (already_paid). One whose own
// affiliate is carried as another partner than its customer's is left
// out (other_partner): carried, it would credit the customer's partner.
func (t *tapfiliate) conversion(raw json.RawMessage, out *Out) error {
	var c tapfiliateConversion
	if err := json.Unmarshal(raw, &c); err != nil {
		return fmt.Errorf("not a conversion: %v", err)
	}
	tx := Transaction{Key: strings.TrimSpace(string(c.ID)), Action: "sale", CreatedAt: strings.TrimSpace(string(c.CreatedAt))}
	if tx.Key == "" {
		tx.Key = strings.TrimSpace(string(c.ExternalID))
	}
	leave := leaver(out, LeftOut{Kind: KindTransaction, SourceID: tx.Key})
	if tx.Key == "" {
		return leave("no_id", "the conversion has neither id nor external_id")
	}
	// The unit is the program's: an amount with decimals stops the pull
	// even on a conversion left out below.
	if err := t.notCents(tx.Key, "amount", string(c.Amount)); err != nil {
		return err
	}
	for _, k := range c.Commissions {
		if err := t.notCents(tx.Key, "commission amount", string(k.Amount)); err != nil {
			return err
		}
	}
	tx.Customer = Ref{Key: t.customerOf(c.Customer)}
	affiliate, customers := strings.TrimSpace(idOf(c.Affiliate)), t.affiliateOf[tx.Customer.Key]
	switch {
	case tx.Customer.Key == "":
		return leave(NoCustomer, "conversion %s: its customer was not carried over", tx.Key)
	case t.sales[tx.Key]:
		return leave(Duplicate, "conversion %s is listed twice: carried over once", tx.Key)
	case t.otherPartner(affiliate, customers):
		return leave(OtherPartner, "conversion %s: its affiliate %s is another partner than affiliate %s, whom its customer %s is carried under: "+
			"carried, the sale would credit that partner", tx.Key, affiliate, customers, tx.Customer.Key)
	}
	var own, disapproved []tapfiliateCommission
	for _, k := range c.Commissions {
		switch {
		case strings.EqualFold(strings.TrimSpace(string(k.Kind)), tapfiliateMLM):
		case string(k.Approved) == "false":
			disapproved = append(disapproved, k)
		default:
			own = append(own, k)
		}
	}
	switch {
	case len(own) == 0 && len(disapproved) > 0:
		return leave(Voided, "conversion %s: every commission of its affiliate was disapproved", tx.Key)
	case len(own) == 0:
		return leave(NoCommission, "conversion %s has no commission of its affiliate's", tx.Key)
	}
	currency := strings.ToUpper(strings.TrimSpace(string(own[0].Currency)))
	for _, k := range own[1:] {
		if other := strings.ToUpper(strings.TrimSpace(string(k.Currency))); other != currency {
			return leave(CurrencyMismatch, "conversion %s has commissions in %s and in %s", tx.Key, currency, other)
		}
	}
	cur, why := validate.ParseCurrency(currency)
	if why != "" {
		return leave(InvalidAmount, "conversion %s: %s", tx.Key, why)
	}
	read := t.amountReader(cur, tx.Key)
	if amount := strings.TrimSpace(string(c.Amount)); amount != "" {
		var err error
		if tx.Amount, why, err = read("amount", amount); err != nil {
			return err
		}
		if why != "" {
			return leave(InvalidAmount, "conversion %s: %s", tx.Key, why)
		}
	}
	var err error
	if tx.Reward, why, err = sumOf(own, read); err != nil { // every amount read, paid or not
		return err
	}
	if why != "" {
		return leave(InvalidAmount, "conversion %s: %s", tx.Key, why)
	}
	paid, unpaid := paidApart(own)
	if len(paid) > 0 && len(unpaid) > 0 {
		// Partnero's transaction has one reward, paid or not: it carries
		// what is still to pay, so that nothing is paid twice.
		if tx.Reward, _, err = sumOf(unpaid, read); err != nil {
			return err
		}
	}
	tx.Currency, tx.Rewarded = currency, len(unpaid) == 0
	t.sales[tx.Key] = true
	if err := out.Transaction(&tx); err != nil {
		return err
	}
	// A disapproved commission beside counted ones is not in the reward:
	// a line each, as a voided conversion has.
	for _, k := range disapproved {
		amount, _, _ := read("commission amount", string(k.Amount))
		if err := out.LeaveOut(LeftOut{Kind: KindCommission, SourceID: tx.Key, Reason: Voided, Message: fmt.Sprintf(
			"a commission of %s %s of conversion %s was disapproved: not in the transaction's reward", cmp.Or(amount, "?"), currency, tx.Key)}); err != nil {
			return err
		}
	}
	if tx.Rewarded {
		return nil
	}
	return t.leaveOffPaid(out, tx.Key, currency, paid, read)
}

// paidApart splits commissions into those paid out and those not.
func paidApart(commissions []tapfiliateCommission) (paid, unpaid []tapfiliateCommission) {
	for _, k := range commissions {
		if k.paid() {
			paid = append(paid, k)
		} else {
			unpaid = append(unpaid, k)
		}
	}
	return paid, unpaid
}

// leaveOffPaid writes a line for each paid commission left off the
// reward of conversion (carried with its unpaid ones): a commission has
// no id of its own, so the line names its conversion.
func (t *tapfiliate) leaveOffPaid(out *Out, conversion, currency string, paid []tapfiliateCommission,
	read func(field, cell string) (string, string, error)) error {
	for _, k := range paid {
		amount, _, err := read("commission amount", string(k.Amount))
		if err != nil {
			return err
		}
		kind := cmp.Or(strings.TrimSpace(string(k.Kind)), "a")
		payout := ""
		if id := strings.TrimSpace(idOf(k.Payout)); id != "" {
			payout = " (payout " + id + ")"
		}
		err = out.LeaveOut(LeftOut{Kind: KindCommission, SourceID: conversion, Reason: AlreadyPaid, Message: fmt.Sprintf(
			"conversion %s: its %s commission of %s %s was paid already%s, so it is left off the reward of transaction %s, "+
				"which carries the commissions still to pay", conversion, kind, amount, currency, payout, conversion)})
		if err != nil {
			return err
		}
	}
	return nil
}

// customerOf is the carried customer a conversion names: {customer_id},
// {id}, or a bare id.
func (t *tapfiliate) customerOf(raw json.RawMessage) string {
	var c tapfiliateCustomer
	if len(raw) > 0 && raw[0] == '{' && json.Unmarshal(raw, &c) == nil {
		if key := t.byCustomerID[strings.TrimSpace(string(c.CustomerID))]; key != "" {
			return key
		}
		return t.byID[strings.TrimSpace(string(c.ID))]
	}
	id := strings.TrimSpace(idOf(raw))
	if key := t.byCustomerID[id]; key != "" {
		return key
	}
	return t.byID[id]
}

// amountReader reads a conversion's amounts in cur as the pull takes
// them: in cents, or in major units with --amounts-in major. It gives the
// major units, or why the amount is invalid (the conversion is left out),
// or an error that stops the pull: an amount that cannot be cents says
// Tapfiliate answers in another unit than the pull reads, for every
// conversion.
func (t *tapfiliate) amountReader(cur validate.Currency, conversion string) func(field, cell string) (string, string, error) {
	return func(field, cell string) (string, string, error) {
		cell = strings.TrimSpace(cell)
		if t.inMajor {
			m, why := cur.Major(field, cell)
			return m, why, nil
		}
		if err := t.notCents(conversion, field, cell); err != nil {
			return "", "", err
		}
		m, why := cur.Amount("", cell)
		if why != "" {
			why = field + ": " + strings.TrimPrefix(why, "amount_cents: ")
		}
		return m.Amount, why, nil
	}
}

// notCents stops the pull at an amount with decimals when it reads cents:
// Tapfiliate then answers in another unit than the pull reads, for every
// conversion, whether or not this one is carried.
func (t *tapfiliate) notCents(conversion, field, cell string) error {
	if t.inMajor || !strings.ContainsAny(cell, ".,") {
		return nil
	}
	return fmt.Errorf("conversion %s, field %s: %s has decimals, so Tapfiliate answered amounts that are not in cents "+
		"(pull reads them as cents); if its amounts are in major units, pull again with --amounts-in major", conversion, field, strings.TrimSpace(cell))
}

// sumOf is the exact sum of the commissions' amounts, in major units as
// read reads them.
func sumOf(commissions []tapfiliateCommission, read func(field, cell string) (string, string, error)) (string, string, error) {
	sum, decimals := new(big.Rat), 0
	for _, k := range commissions {
		m, why, err := read("commission amount", string(k.Amount))
		if err != nil || why != "" {
			return "", why, err
		}
		r, ok := new(big.Rat).SetString(m)
		if !ok {
			return "", "commission amount: " + m + " is not a number", nil
		}
		if _, frac, ok := strings.Cut(m, "."); ok {
			decimals = max(decimals, len(frac))
		}
		sum.Add(sum, r)
	}
	return sum.FloatString(decimals), "", nil
}
