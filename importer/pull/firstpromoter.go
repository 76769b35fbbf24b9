package pull

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/partnero-import/partnero-import/importer/secret"
)

// FirstPromoter, as ../shared/sources/README.md describes its API v2.

// FirstPromoter's credentials: the API key and the account it is of.
const (
	FirstPromoterKeyEnv     = "FIRSTPROMOTER_API_KEY"
	FirstPromoterAccountEnv = "FIRSTPROMOTER_ACCOUNT_ID"
)

const (
	firstPromoterBase = "https://api.firstpromoter.com/api/v2/company"
	// firstPromoterPage is the most records a page may list (per_page).
	firstPromoterPage = 100
	// RefTokenTagPrefix makes a tag of each of a promoter's tokens that is
	// not its key: Partnero keeps one key a partner.
	RefTokenTagPrefix = "fpr:"
)

// The reasons of left-out.csv that FirstPromoter's records give.
const (
	fpDenied       = "denied"
	fpSelfReferral = "self_referral"
	fpNotMoney     = "not_money"
	// TierCommission: an upper tier's commission of a sale (the referring
	// promoter's parent's). Partnero pays upper tiers itself from the
	// partner tree; carrying it would count the sale twice.
	TierCommission = "tier_commission"
)

// FirstPromoterLimit is FirstPromoter's published limit: 400 requests a
// minute per account.
var FirstPromoterLimit = Limit{Requests: 400, Window: time.Minute}

type firstPromoter struct {
	client *Client
	// The joins: what later lists refer to.
	carried // by promoter id
	// customers: a carried customer's key; byID, byUID, byEmail: a
	// referral's id, uid and lower-cased email → its customer and promoter.
	customers            map[string]Ref // a carried customer's key → its partner
	byID, byUID, byEmail map[string]fpReferred
	transactions         map[string]bool
	// tierLines are the lines of upper tiers' commissions that name
	// their sale, written once every commission is read: only then is
	// it known whether a transaction carries the sale.
	tierLines []fpTierLine
	// waiting are the promoters whose parent is listed after them: they
	// are written once every promoter is read, so that a parent left out
	// is never referred to.
	waiting []fpChild
}

// fpChild is a promoter carried whose parent was not read yet.
type fpChild struct {
	partner                 Partner
	id, parent, parentEmail string
}

// fpTierLine is an upper tier's commission of sale, to be left out.
type fpTierLine struct{ commission, sale string }

// fpReferred is what a commission's referral joins to: the carried
// customer's key, and the promoter that referred it (its id, and the
// partner it was carried as).
type fpReferred struct {
	customer, promoter string
	partner            Ref
	// elsewhere: the customer was carried under another promoter's
	// partner (an earlier referral's).
	elsewhere bool
}

func newFirstPromoter(env map[string]string, o Options) (Source, error) {
	key, account := secret.New(env[FirstPromoterKeyEnv]), secret.New(env[FirstPromoterAccountEnv])
	c, err := NewClient(ClientConfig{
		Source: "firstpromoter", BaseURL: o.baseOr(firstPromoterBase), Limit: o.paced(FirstPromoterLimit), Backoff: o.Backoff, HTTP: o.HTTP, Throttled: o.Throttled,
		Auth: func(r *http.Request) {
			r.Header.Set("Authorization", "Bearer "+key.Reveal())
			r.Header.Set("Account-ID", account.Reveal())
		},
		Secrets:     []secret.String{key, account},
		Credentials: FirstPromoterKeyEnv + " and " + FirstPromoterAccountEnv,
	})
	if err != nil {
		return nil, err
	}
	return &firstPromoter{client: c, carried: newCarried(),
		customers: map[string]Ref{}, byID: map[string]fpReferred{}, byUID: map[string]fpReferred{}, byEmail: map[string]fpReferred{},
		transactions: map[string]bool{}}, nil
}

func (f *firstPromoter) Name() string { return "firstpromoter" }

// Pull reads promoters (with their parents), then referrals (their
// customers), then commissions (their sales): each list refers to the one
// before.
func (f *firstPromoter) Pull(ctx context.Context, out *Out) error {
	err := inTurn(ctx, out, f.list, []listStep{
		{"/promoters", "promoters", url.Values{"include_parent_promoter": {"true"}}, f.promoter},
	})
	if err == nil {
		err = f.writeWaiting(out)
	}
	if err != nil {
		return err
	}
	err = inTurn(ctx, out, f.list, []listStep{
		{"/referrals", "referrals", nil, f.referral},
		{"/commissions", "commissions", nil, f.commission},
	})
	if err != nil {
		return err
	}
	return f.writeTierLines(out)
}

// list reads every page of path, from page 1 to the first that lists
// nothing, and gives each record to each. FirstPromoter's pages say no
// next page; a short page is not taken for the last, so that an account
// whose pages hold fewer records than asked for is still read whole.
func (f *firstPromoter) list(ctx context.Context, path, what string, query url.Values, each func(json.RawMessage) error) error {
	guard := newPageGuard("firstpromoter " + what)
	for page := 1; ; page++ {
		p := fmt.Sprint(page)
		if err := guard.visit(p); err != nil {
			return err
		}
		q := withQuery(query)
		q.Set("page", p)
		q.Set("per_page", fmt.Sprint(firstPromoterPage))
		body, err := f.client.Get(ctx, path, q)
		if err != nil {
			return err
		}
		items, err := firstPromoterPageOf(body)
		if err != nil {
			return fmt.Errorf("firstpromoter answered GET %s page %s with something unreadable: %v", path, p, err)
		}
		if len(items) == 0 {
			return nil
		}
		if err := guard.listed(p, joined(items)); err != nil {
			return err
		}
		if err := guard.eachRecord(items, each, fmt.Sprintf("firstpromoter %s page %s", what, p)); err != nil {
			return err
		}
	}
}

// firstPromoterPageOf reads a page's records: a bare array (referrals),
// {"data": [...], "meta": {...}} (promoters), or a list nested once more
// in data.data.
func firstPromoterPageOf(body []byte) ([]json.RawMessage, error) {
	body = bytes.TrimSpace(body)
	for range 3 {
		if len(body) > 0 && body[0] == '[' {
			var items []json.RawMessage
			if err := json.Unmarshal(body, &items); err != nil {
				return nil, errors.New("not a JSON list")
			}
			return items, nil
		}
		var p struct {
			Data json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(body, &p); err != nil {
			return nil, errors.New("not JSON")
		}
		if len(p.Data) == 0 || string(p.Data) == "null" {
			return nil, errors.New(`no "data" list`)
		}
		body = bytes.TrimSpace(p.Data)
	}
	return nil, errors.New(`"data" is not a list`)
}

// joined is a page's records as one text, for the page guard.
func joined(items []json.RawMessage) []byte {
	var b bytes.Buffer
	for _, it := range items {
		b.Write(it)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

type fpCampaign struct {
	Campaign *struct {
		Name text `json:"name"`
	} `json:"campaign"`
	RefToken text `json:"ref_token"`
	State    text `json:"state"`
}

type fpPromoter struct {
	ID      text `json:"id"`
	Email   text `json:"email"`
	Name    text `json:"name"`
	Profile *struct {
		FirstName text `json:"first_name"`
		LastName  text `json:"last_name"`
	} `json:"profile"`
	Campaigns  []fpCampaign `json:"promoter_campaigns"`
	ArchivedAt text         `json:"archived_at"`
	Parent     *struct {
		ID    text `json:"id"`
		Email text `json:"email"`
	} `json:"parent_promoter"`
	// temp_password (API v1) is never read: no password is carried over.
}

// promoter carries a promoter as a partner: the token of its first
// accepted campaign is its key, its other tokens are tags (fpr:TOKEN),
// its campaigns' names tags, its parent promoter its referrer.
func (f *firstPromoter) promoter(raw json.RawMessage, out *Out) error {
	var m fpPromoter
	if err := json.Unmarshal(raw, &m); err != nil {
		return fmt.Errorf("not a promoter: %v", err)
	}
	id, email := fpTrim(m.ID), fpTrim(m.Email)
	if ok, err := f.admitted(out, "promoter", id, email); !ok {
		return err
	}
	status := fpStatus(m)
	if ok, err := f.accepted(out, "promoter", id, email, status); !ok {
		return err
	}
	p := Partner{Email: email}
	p.Name, p.Surname = namesOf(m)
	var first firstLink
	p.Key, p.Tags, first = f.keyAndTags(id, m.Campaigns)
	withStatus(out, &p, status)
	if err := f.keptLink(out, id, email, first, p.Key); err != nil {
		return err
	}
	f.carry(id, &p)
	if m.Parent == nil || fpTrim(m.Parent.ID) == id {
		return out.Partner(&p)
	}
	child := fpChild{partner: p, id: id, parent: fpTrim(m.Parent.ID), parentEmail: fpTrim(m.Parent.Email)}
	if _, read := f.partners[child.parent]; !read && !f.notCarried[child.parent] {
		f.waiting = append(f.waiting, child)
		return nil
	}
	return f.writeChild(out, child)
}

// writeWaiting writes the promoters whose parent was listed after them.
func (f *firstPromoter) writeWaiting(out *Out) error {
	for _, c := range f.waiting {
		if err := f.writeChild(out, c); err != nil {
			return err
		}
	}
	f.waiting = nil
	return nil
}

// writeChild writes a promoter with its parent's partner as referrer: one
// whose parent was left out goes without, and left-out.csv says so (kind
// referrer), as does one whose parent is itself under another record.
func (f *firstPromoter) writeChild(out *Out, c fpChild) error {
	p := c.partner
	p.ReferringPartner = f.referrerOf(c.parent, c.parentEmail)
	left := LeftOut{Kind: KindReferrer, SourceID: c.id, Email: p.Email}
	switch r := p.ReferringPartner; {
	case f.notCarried[c.parent]:
		p.ReferringPartner = nil
		left.Reason, left.Message = ReferrerNotCarried, fmt.Sprintf("carried over without its referrer: parent promoter %s was not carried over (see its own line)", c.parent)
	case r != nil && (r.Key != "" && r.Key == p.Key || r.Email != "" && strings.EqualFold(r.Email, p.Email)):
		// Its parent is itself under another record of its email: import
		// would refuse the partner as a referral cycle.
		p.ReferringPartner = nil
		left.Reason, left.Message = fpSelfReferral, fmt.Sprintf("carried over without a referrer: its parent promoter %s has its email", c.parent)
	}
	if left.Reason != "" {
		if err := out.LeaveOut(left); err != nil {
			return err
		}
	}
	return out.Partner(&p)
}

// namesOf is a promoter's first and last name: its profile's, else its
// full name split at the first space.
func namesOf(m fpPromoter) (string, string) {
	if m.Profile != nil && (fpTrim(m.Profile.FirstName) != "" || fpTrim(m.Profile.LastName) != "") {
		return fpTrim(m.Profile.FirstName), fpTrim(m.Profile.LastName)
	}
	name, surname, _ := strings.Cut(fpTrim(m.Name), " ")
	return name, strings.TrimSpace(surname)
}

// fpStatus is a promoter's status as the status rules read it: its
// campaigns' states when none accepted it (the first refusal when all
// refused it, else the first other state), archived when archived_at is
// set; "" when it is active.
func fpStatus(m fpPromoter) string {
	var refused, other string
	accepted := false
	for _, c := range m.Campaigns {
		switch state := normalStatus(string(c.State)); {
		case fpTrim(c.State) == "":
		case state == "":
			accepted = true
		case refusedStatuses[state]:
			refused = cmp.Or(refused, state)
		default:
			other = cmp.Or(other, state)
		}
	}
	switch {
	case !accepted && other == "" && refused != "":
		return refused
	case fpTrim(m.ArchivedAt) != "":
		return "archived"
	case accepted:
		return ""
	}
	return other
}

// keyAndTags reads the campaigns of promoter id: the first accepted one's
// token (its default link, first) not already another partner's is the
// key; every other token is a tag, and so is every campaign's name.
func (f *firstPromoter) keyAndTags(id string, campaigns []fpCampaign) (key string, tags []string, first firstLink) {
	seen := map[string]bool{}
	tag := func(t string) {
		if t != "" && !seen[t] {
			seen[t] = true
			tags = append(tags, t)
		}
	}
	for _, c := range campaigns {
		token := fpTrim(c.RefToken)
		if first.value == "" && fpTrim(c.State) == "accepted" {
			first = firstLink{value: token, asKey: token, shown: "?fpr=" + token}
		}
		switch {
		case token == "":
		case key == "" && fpTrim(c.State) == "accepted" && f.claim(token, id):
			key = token
		default:
			tag(RefTokenTagPrefix + token)
		}
	}
	for _, c := range campaigns {
		if c.Campaign != nil {
			tag(fpTrim(c.Campaign.Name))
		}
	}
	return key, tags, first
}

// referrerOf refers to a parent promoter: the partner it was carried as
// when it came first, else its email (import finds it in the file
// wherever it is); nil when neither is known.
func (f *firstPromoter) referrerOf(id, email string) *Ref {
	if ref, ok := f.partners[id]; ok {
		return &ref
	}
	if email != "" {
		return &Ref{Email: email}
	}
	return nil
}

type fpReferral struct {
	ID               text                `json:"id"`
	Email            text                `json:"email"`
	UID              text                `json:"uid"`
	FirstName        text                `json:"first_name"`
	LastName         text                `json:"last_name"`
	State            text                `json:"state"`
	PromoterCampaign *fpPromoterCampaign `json:"promoter_campaign"`
}

// referral carries a referral as a customer keyed by its uid (the id your
// app gave it) or, without one, FirstPromoter's id, under the partner its
// promoter became. Denied referrals stay behind.
func (f *firstPromoter) referral(raw json.RawMessage, out *Out) error {
	var r fpReferral
	if err := json.Unmarshal(raw, &r); err != nil {
		return fmt.Errorf("not a referral: %v", err)
	}
	id, email := fpTrim(r.ID), fpTrim(r.Email)
	c := Customer{Key: fpTrim(r.UID), Email: email, Name: fpTrim(r.FirstName), Surname: fpTrim(r.LastName)}
	if c.Key == "" {
		c.Key = id
	}
	leave := leaver(out, LeftOut{Kind: KindCustomer, SourceID: id, Email: email})
	var promoter, promoterEmail string
	if r.PromoterCampaign != nil && r.PromoterCampaign.Promoter != nil {
		promoter, promoterEmail = fpTrim(r.PromoterCampaign.Promoter.ID), fpTrim(r.PromoterCampaign.Promoter.Email)
	}
	partner, ok := f.partners[promoter]
	if !ok && promoterEmail != "" && !f.notCarried[promoter] { // a promoter left out (rejected) takes its customers with it

		partner, ok = f.partners[f.emails[strings.ToLower(promoterEmail)]]
	}
	switch {
	case c.Key == "":
		return leave(NoCustomer, "the referral has neither an id nor a uid")
	case fpTrim(r.State) == "denied":
		return leave(fpDenied, "customer %s: the referral was denied", c.Key)
	case promoter == "" && promoterEmail == "":
		return leave(NoPartner, "customer %s: the referral names no promoter", c.Key)
	case !ok:
		return leave(NoPartner, "customer %s: its promoter %q was not carried over (see its own line)", c.Key, promoter)
	case f.customers[c.Key] == partner:
		f.remember(id, fpTrim(r.UID), email, fpReferred{customer: c.Key, promoter: promoter, partner: partner})
		return leave(Duplicate, "customer %s of an earlier referral too: carried over once, with that referral's partner", c.Key)
	case f.customers[c.Key] != Ref{}:
		f.remember(id, fpTrim(r.UID), email, fpReferred{customer: c.Key, promoter: promoter, partner: partner, elsewhere: true})
		return leave(Duplicate, "customer %s of an earlier referral of another promoter too: carried over once, with that referral's "+
			"partner; this referral's commissions stay behind (other_partner), not to credit that partner", c.Key)
	}
	c.Partner = partner
	f.customers[c.Key] = partner
	f.remember(id, fpTrim(r.UID), email, fpReferred{customer: c.Key, promoter: promoter, partner: partner})
	return out.Customer(&c)
}

// remember notes how commissions may name a referral carried as ref.
func (f *firstPromoter) remember(id, uid, email string, ref fpReferred) {
	if id != "" {
		f.byID[id] = ref
	}
	if uid != "" {
		f.byUID[uid] = ref
	}
	if _, ok := f.byEmail[strings.ToLower(email)]; email != "" && !ok {
		f.byEmail[strings.ToLower(email)] = ref
	}
}

type fpCommission struct {
	ID             text            `json:"id"`
	Status         text            `json:"status"`
	IsPaid         text            `json:"is_paid"`
	IsSelfReferral text            `json:"is_self_referral"`
	Unit           text            `json:"unit"`
	Amount         text            `json:"amount"`
	SaleAmount     text            `json:"sale_amount"`
	Currency       text            `json:"currency"`
	OriginalAmount text            `json:"original_sale_amount"`
	OriginalCur    text            `json:"original_sale_currency"`
	CreatedAt      text            `json:"created_at"`
	Referral       json.RawMessage `json:"referral"`
	// The sale, where the commission names it: nested, or an event id.
	Sale    json.RawMessage `json:"sale"`
	EventID text            `json:"event_id"`
	// The tier, and the promoter the commission is of: a two-tier
	// program makes one commission per tier of one sale.
	Tier             text                `json:"tier"`
	PromoterCampaign *fpPromoterCampaign `json:"promoter_campaign"`
}

// fpPromoterCampaign is how a referral or a commission names its
// promoter.
type fpPromoterCampaign struct {
	Promoter *struct {
		ID    text `json:"id"`
		Email text `json:"email"`
	} `json:"promoter"`
}

// saleKey is the sale a commission names ("" none).
func (c fpCommission) saleKey() string {
	if id := strings.TrimSpace(idOf(c.Sale)); id != "" {
		return id
	}
	return fpTrim(c.EventID)
}

// commission carries the direct promoter's commission of a sale as one
// transaction, keyed by its sale (nested, or its event id) where it names
// one, else by its id: its sale amount, the commission as its reward,
// rewarded when paid. Upper tiers' commissions, a second commission of a
// sale, denied ones, self-referrals and rewards that are not money
// (credits, points, free months, discounts) stay behind.
func (f *firstPromoter) commission(raw json.RawMessage, out *Out) error {
	var c fpCommission
	if err := json.Unmarshal(raw, &c); err != nil {
		return fmt.Errorf("not a commission: %v", err)
	}
	id := fpTrim(c.ID)
	t := Transaction{Key: cmp.Or(c.saleKey(), id), Action: "sale", Rewarded: fpTrim(c.IsPaid) == "true", CreatedAt: fpTrim(c.CreatedAt)}
	leave := leaver(out, LeftOut{Kind: KindTransaction, SourceID: id})
	referred := f.referredOf(c.Referral)
	unit := fpTrim(c.Unit)
	switch {
	case fpTrim(c.Status) == "denied":
		return leave(fpDenied, "commission %s was denied", id)
	case fpTrim(c.IsSelfReferral) == "true":
		return leave(fpSelfReferral, "commission %s is a self-referral: the promoter referred themselves", id)
	case unit != "" && unit != "cash":
		return leave(fpNotMoney, "commission %s is a reward in %s, not money", id, unit)
	case f.upperTier(c, referred) && c.saleKey() != "":
		f.tierLines = append(f.tierLines, fpTierLine{commission: id, sale: c.saleKey()})
		return nil
	case f.upperTier(c, referred):
		return leave(TierCommission, "commission %s is an upper tier's (its promoter's parent's) and names no sale: its sale "+
			"moves only with the referring promoter's own commission, if FirstPromoter lists one; Partnero pays upper tiers itself", id)
	case referred.elsewhere:
		return leave(OtherPartner, "commission %s: its referral brought customer %s through another promoter than the partner it is "+
			"carried under (see the referral's line): carried, the sale would credit that partner", id, referred.customer)
	case f.transactions[t.Key] && t.Key == id:
		return leave(Duplicate, "commission %s listed twice, carried over once", id)
	case f.transactions[t.Key]:
		return leave(Duplicate, "commission %s (%s in minor units, %s) is a second one of sale %s, carried over once (transaction %s) with the "+
			"first's reward: this one's is not in Partnero", id, fpTrim(c.Amount), paidOrNot(fpTrim(c.IsPaid) == "true"), t.Key, t.Key)
	case referred.customer == "":
		return leave(NoCustomer, "commission %s: its referral's customer was not carried over", id)
	}
	t.Customer = Ref{Key: referred.customer}
	cur, currency := fpCurrencyOf(c)
	var why string
	if t.Amount, why = majorOf(fpTrim(c.SaleAmount), cur); why != "" {
		return leave(InvalidAmount, "sale_amount: %s", why)
	}
	if t.Reward, why = majorOf(fpTrim(c.Amount), cur); why != "" {
		return leave(InvalidAmount, "commission amount: %s", why)
	}
	t.Currency = currency
	f.transactions[t.Key] = true
	return out.Transaction(&t)
}

// fpCurrencyOf is the currency a commission's cents are in (cur, to read
// them) and the one its transaction says (currency). FirstPromoter keeps
// a commission's amounts in the account's currency and names it only
// when a sale was converted (original_sale_currency): a commission in its
// own currency says so; a sale not converted (its original amount the
// same) is in its original currency; else the amounts are hundredths of
// the Partnero program's currency (no currency written).
func fpCurrencyOf(c fpCommission) (cur, currency string) {
	if code := strings.ToUpper(fpTrim(c.Currency)); code != "" {
		return code, code
	}
	if code := strings.ToUpper(fpTrim(c.OriginalCur)); code != "" && fpTrim(c.OriginalAmount) == fpTrim(c.SaleAmount) {
		return code, code
	}
	return "USD", "" // a currency of two decimals, to read the cents
}

// writeTierLines leaves out the upper tiers' commissions that name their
// sale, each line saying what became of the sale: carried by a direct
// commission's transaction, or not moved at all.
func (f *firstPromoter) writeTierLines(out *Out) error {
	for _, l := range f.tierLines {
		what := "transaction " + l.sale + " carries its sale with the referring promoter's commission"
		if !f.transactions[l.sale] {
			what = "no direct commission of sale " + l.sale + " was carried over, so the sale does not move (carried with this " +
				"commission, Partnero would pay the referring partner a commission FirstPromoter did not)"
		}
		err := out.LeaveOut(LeftOut{Kind: KindTransaction, SourceID: l.commission, Reason: TierCommission,
			Message: fmt.Sprintf("commission %s is an upper tier's (its promoter's parent's): %s; Partnero pays upper tiers itself", l.commission, what)})
		if err != nil {
			return err
		}
	}
	f.tierLines = nil
	return nil
}

// upperTier tells whether a commission is an upper tier's, not the
// referring promoter's: its tier is above 1, or its own promoter is not
// the one its referral came through (by id, or as the partner carried).
func (f *firstPromoter) upperTier(c fpCommission, referred fpReferred) bool {
	if tier, err := strconv.Atoi(fpTrim(c.Tier)); err == nil && tier > 1 {
		return true
	}
	if c.PromoterCampaign == nil || c.PromoterCampaign.Promoter == nil || referred.customer == "" {
		return false
	}
	id, email := fpTrim(c.PromoterCampaign.Promoter.ID), fpTrim(c.PromoterCampaign.Promoter.Email)
	switch {
	case id == "" && email == "":
		return false
	case id != "" && referred.promoter != "":
		// Two promoters' ids: another's commission is an upper tier's,
		// even when both were carried as one partner (one email).
		return id != referred.promoter
	}
	partner, ok := f.partners[id]
	if !ok && email != "" {
		partner, ok = f.partners[f.emails[strings.ToLower(email)]]
	}
	return !ok || partner != referred.partner
}

// referredOf is what a commission's referral joins to: by its id, its
// uid, or its email (FirstPromoter names it by some of them).
func (f *firstPromoter) referredOf(raw json.RawMessage) fpReferred {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return f.byID[idOf(raw)]
	}
	var r fpReferral
	if json.Unmarshal(raw, &r) != nil {
		return fpReferred{}
	}
	if ref, ok := f.byID[fpTrim(r.ID)]; ok {
		return ref
	}
	if ref, ok := f.byUID[fpTrim(r.UID)]; ok {
		return ref
	}
	return f.byEmail[strings.ToLower(fpTrim(r.Email))]
}

// fpTrim is a lenient field as trimmed text.
func fpTrim(t text) string { return strings.TrimSpace(string(t)) }
