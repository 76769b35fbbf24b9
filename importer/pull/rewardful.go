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

	"github.com/partnero-import/partnero-import/importer/secret"
	"github.com/partnero-import/partnero-import/validate"
)

// Rewardful, as ../shared/sources/README.md describes its API v1.

// RewardfulSecretEnv holds Rewardful's API secret.
const RewardfulSecretEnv = "REWARDFUL_API_SECRET"

const (
	rewardfulBase = "https://api.getrewardful.com/v1"
	// rewardfulPage is the most records a page may list.
	rewardfulPage = 100
	// LinkTagPrefix makes a tag of each of a partner's links beyond the
	// first, whose token is the partner's key: Partnero keeps one key.
	LinkTagPrefix = "via:"
)

// RewardfulLimit is Rewardful's published limit: 45 requests per 30 s.
var RewardfulLimit = Limit{Requests: 45, Window: 30 * time.Second}

type rewardful struct {
	client *Client
	// The joins: what later lists refer to.
	carried                     // by affiliate id
	customers map[string]Ref    // carried customer key → its partner
	referrals map[string]string // referral id → its carried customer's key
	// elsewhere: a referral id → the customer it brought, carried under
	// another affiliate's partner (an earlier referral's): its sales are
	// not this partner's to carry.
	elsewhere map[string]string
	sales     map[string]bool // transaction keys written
}

func newRewardful(env map[string]string, o Options) (Source, error) {
	key := secret.New(env[RewardfulSecretEnv])
	c, err := NewClient(ClientConfig{
		Source: "rewardful", BaseURL: o.baseOr(rewardfulBase), Limit: o.paced(RewardfulLimit), Backoff: o.Backoff, HTTP: o.HTTP, Throttled: o.Throttled,
		// HTTP Basic: the secret is the user name, the password empty.
		Auth:        func(r *http.Request) { r.SetBasicAuth(key.Reveal(), "") },
		Secrets:     []secret.String{key},
		Credentials: RewardfulSecretEnv,
	})
	if err != nil {
		return nil, err
	}
	return &rewardful{client: c, carried: newCarried(),
		customers: map[string]Ref{}, referrals: map[string]string{}, elsewhere: map[string]string{}, sales: map[string]bool{}}, nil
}

func (r *rewardful) Name() string { return "rewardful" }

// Pull reads affiliates, then referrals (their customers), then
// commissions (their sales): each list refers to the one before.
func (r *rewardful) Pull(ctx context.Context, out *Out) error {
	return inTurn(ctx, out, r.list, []listStep{
		{"/affiliates", "affiliates", url.Values{"expand[]": {"campaign", "links"}}, r.affiliate},
		{"/referrals", "referrals", url.Values{"expand[]": {"affiliate"}, "conversion_state[]": {"lead", "conversion"}}, r.referral},
		{"/commissions", "commissions", url.Values{"expand[]": {"sale"}}, r.commission},
	})
}

// list reads every page of path, from page 1 to the last, and gives each
// record to each.
func (r *rewardful) list(ctx context.Context, path, what string, query url.Values, each func(json.RawMessage) error) error {
	guard := newPageGuard("rewardful " + what)
	for page := "1"; page != ""; {
		if err := guard.visit(page); err != nil {
			return err
		}
		q := withQuery(query)
		q.Set("page", page)
		q.Set("limit", fmt.Sprint(rewardfulPage))
		body, err := r.client.Get(ctx, path, q)
		if err != nil {
			return err
		}
		items, raw, next, err := rewardfulPageOf(body)
		if err != nil {
			return fmt.Errorf("rewardful answered GET %s page %s with something unreadable: %v", path, page, err)
		}
		if err := guard.listed(page, raw); err != nil {
			return err
		}
		if err := guard.eachRecord(items, each, fmt.Sprintf("rewardful %s page %s", what, page)); err != nil {
			return err
		}
		page = next
	}
	return nil
}

// rewardfulPageOf reads a page: {"data": [...], "pagination": {...}}, or
// a bare array (one page). next is "" on the last page.
func rewardfulPageOf(body []byte) (items []json.RawMessage, raw json.RawMessage, next string, _ error) {
	trimmed := strings.TrimSpace(string(body))
	if strings.HasPrefix(trimmed, "[") {
		err := json.Unmarshal(body, &items)
		return items, body, "", err
	}
	var p struct {
		Data       json.RawMessage `json:"data"`
		Pagination *struct {
			NextPage text `json:"next_page"`
		} `json:"pagination"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, nil, "", errors.New("not JSON")
	}
	if string(p.Data) != "null" && len(p.Data) > 0 {
		if err := json.Unmarshal(p.Data, &items); err != nil {
			return nil, nil, "", errors.New(`"data" is not a list`)
		}
	} else if p.Pagination == nil {
		return nil, nil, "", errors.New(`neither "data" nor "pagination"`)
	}
	if p.Pagination != nil {
		next = string(p.Pagination.NextPage)
	}
	return items, p.Data, next, nil
}

type rewardfulAffiliate struct {
	ID        text            `json:"id"`
	FirstName text            `json:"first_name"`
	LastName  text            `json:"last_name"`
	Email     text            `json:"email"`
	State     text            `json:"state"`
	Campaign  json.RawMessage `json:"campaign"`
	Links     []struct {
		ID    text `json:"id"`
		Token text `json:"token"`
	} `json:"links"`
}

// affiliate carries an affiliate as a partner: its first link's token is
// the key (Rewardful marks no default link; the first is the oldest), the
// other tokens are tags (via:TOKEN), its campaign's name a tag.
func (r *rewardful) affiliate(raw json.RawMessage, out *Out) error {
	var a rewardfulAffiliate
	if err := json.Unmarshal(raw, &a); err != nil {
		return fmt.Errorf("not an affiliate: %v", err)
	}
	id, email := strings.TrimSpace(string(a.ID)), strings.TrimSpace(string(a.Email))
	if ok, err := r.admitted(out, "affiliate", id, email); !ok {
		return err
	}
	if ok, err := r.accepted(out, "affiliate", id, email, string(a.State)); !ok {
		return err
	}
	p := Partner{Email: email, Name: strings.TrimSpace(string(a.FirstName)), Surname: strings.TrimSpace(string(a.LastName))}
	if strings.EqualFold(p.Surname, "Unknown") { // Rewardful's filler for no last name
		p.Surname = ""
	}
	var first firstLink
	for _, l := range a.Links {
		token := strings.TrimSpace(string(l.Token))
		if first.value == "" {
			first = firstLink{id: strings.TrimSpace(string(l.ID)), value: token, asKey: token, shown: "?via=" + token}
		}
		switch {
		case token == "":
		case p.Key == "" && r.claim(token, id):
			p.Key = token
		default:
			p.Tags = append(p.Tags, LinkTagPrefix+token)
		}
	}
	var campaign struct {
		Name text `json:"name"`
	}
	if json.Unmarshal(a.Campaign, &campaign) == nil && strings.TrimSpace(string(campaign.Name)) != "" {
		p.Tags = append(p.Tags, strings.TrimSpace(string(campaign.Name)))
	}
	withStatus(out, &p, string(a.State))
	if err := r.keptLink(out, id, email, first, p.Key); err != nil {
		return err
	}
	r.carry(id, &p)
	return out.Partner(&p)
}

type rewardfulReferral struct {
	ID        text            `json:"id"`
	Affiliate json.RawMessage `json:"affiliate"`
	Customer  *struct {
		ID    text `json:"id"`
		Name  text `json:"name"`
		Email text `json:"email"`
	} `json:"customer"`
}

// referral carries a referral's customer, keyed by Rewardful's customer
// id, under the partner its affiliate became. A referral left out is
// named by its own id (source_id), its customer in the message.
func (r *rewardful) referral(raw json.RawMessage, out *Out) error {
	var f rewardfulReferral
	if err := json.Unmarshal(raw, &f); err != nil {
		return fmt.Errorf("not a referral: %v", err)
	}
	left := LeftOut{Kind: KindCustomer, SourceID: string(f.ID)}
	if f.Customer == nil || strings.TrimSpace(string(f.Customer.ID)) == "" {
		left.Reason, left.Message = NoCustomer, "the referral has no customer"
		return out.LeaveOut(left)
	}
	c := Customer{Key: strings.TrimSpace(string(f.Customer.ID)), Email: strings.TrimSpace(string(f.Customer.Email)),
		Name: strings.TrimSpace(string(f.Customer.Name))}
	left.Email = c.Email
	affiliate := idOf(f.Affiliate)
	partner, ok := r.partners[affiliate]
	carriedWith, carried := r.customers[c.Key]
	switch {
	case !ok:
		left.Reason, left.Message = NoPartner, fmt.Sprintf("customer %s: its affiliate %q was not carried over (see its own line)", c.Key, affiliate)
		return out.LeaveOut(left)
	case carried && carriedWith == partner:
		r.referrals[string(f.ID)] = c.Key
		left.Reason, left.Message = Duplicate, "customer "+c.Key+" of an earlier referral too: carried over once, with that referral's partner"
		return out.LeaveOut(left)
	case carried:
		r.elsewhere[string(f.ID)] = c.Key
		left.Reason, left.Message = Duplicate, "customer "+c.Key+" of an earlier referral of another affiliate too: carried over once, with that "+
			"referral's partner; this referral's sales stay behind (other_partner), not to credit that partner"
		return out.LeaveOut(left)
	}
	c.Partner = partner
	r.customers[c.Key], r.referrals[string(f.ID)] = partner, c.Key
	return out.Customer(&c)
}

type rewardfulCommission struct {
	ID        text            `json:"id"`
	Amount    text            `json:"amount"`
	Currency  text            `json:"currency"`
	State     text            `json:"state"`
	CreatedAt text            `json:"created_at"`
	Sale      json.RawMessage `json:"sale"`
}

type rewardfulSale struct {
	ID              text            `json:"id"`
	ChargedAt       text            `json:"charged_at"`
	SaleAmountCents text            `json:"sale_amount_cents"`
	Currency        text            `json:"currency"`
	Referral        json.RawMessage `json:"referral"`
}

// commission carries a commission's sale as one transaction, keyed by the
// sale id (the commission id when there is none): the sale's amount, the
// commission as its reward, rewarded when paid. Voided ones stay behind.
func (r *rewardful) commission(raw json.RawMessage, out *Out) error {
	var c rewardfulCommission
	if err := json.Unmarshal(raw, &c); err != nil {
		return fmt.Errorf("not a commission: %v", err)
	}
	var s rewardfulSale
	if len(c.Sale) > 0 && c.Sale[0] == '{' {
		if err := json.Unmarshal(c.Sale, &s); err != nil {
			return fmt.Errorf("its sale: %v", err)
		}
	}
	t := Transaction{Key: strings.TrimSpace(string(s.ID)), Action: "sale", Rewarded: string(c.State) == "paid",
		CreatedAt: strings.TrimSpace(string(s.ChargedAt))}
	if t.Key == "" {
		t.Key = strings.TrimSpace(string(c.ID))
	}
	if t.CreatedAt == "" {
		t.CreatedAt = strings.TrimSpace(string(c.CreatedAt))
	}
	leave := leaver(out, LeftOut{Kind: KindTransaction, SourceID: t.Key})
	if string(c.State) == "voided" {
		return leave(Voided, "commission %s was voided", c.ID)
	}
	customer, elsewhere := r.customerOf(s.Referral)
	switch {
	case elsewhere != "":
		return leave(OtherPartner, "commission %s: its referral brought customer %s through another affiliate than the partner it is "+
			"carried under (see the referral's line): carried, the sale would credit that partner", c.ID, elsewhere)
	case customer == "":
		return leave(NoCustomer, "commission %s: its sale's customer was not carried over", c.ID)
	case r.sales[t.Key]:
		return leave(Duplicate, "commission %s (%s in minor units, %s): a second commission of sale %s, carried over once with the first's "+
			"reward: this one's is not in Partnero", c.ID, strings.TrimSpace(string(c.Amount)), paidOrNot(string(c.State) == "paid"), t.Key)
	}
	t.Customer = Ref{Key: customer}
	saleCurrency := strings.ToUpper(strings.TrimSpace(string(s.Currency)))
	commissionCurrency := strings.ToUpper(strings.TrimSpace(string(c.Currency)))
	if saleCurrency == "" {
		saleCurrency = commissionCurrency
	}
	if commissionCurrency != "" && commissionCurrency != saleCurrency {
		return leave(CurrencyMismatch, "commission %s is in %s, its sale in %s", c.ID, commissionCurrency, saleCurrency)
	}
	var why string
	if t.Amount, why = majorOf(string(s.SaleAmountCents), saleCurrency); why != "" {
		return leave(InvalidAmount, "sale_amount_cents: %s", why)
	}
	if t.Reward, why = majorOf(string(c.Amount), saleCurrency); why != "" {
		return leave(InvalidAmount, "commission amount: %s", why)
	}
	t.Currency = saleCurrency
	r.sales[t.Key] = true
	return out.Transaction(&t)
}

// customerOf is the carried customer of a sale's referral: an expanded
// referral's customer, or the one its referral id was carried as; or,
// elsewhere, the customer it brought when that was carried under another
// affiliate's partner.
func (r *rewardful) customerOf(referral json.RawMessage) (customer, elsewhere string) {
	id := idOf(referral)
	if key, ok := r.elsewhere[id]; ok {
		return "", key
	}
	var f rewardfulReferral
	if len(referral) > 0 && referral[0] == '{' && json.Unmarshal(referral, &f) == nil && f.Customer != nil {
		key := strings.TrimSpace(string(f.Customer.ID))
		carriedWith, carried := r.customers[key]
		affiliate := idOf(f.Affiliate)
		partner, known := r.partners[affiliate]
		switch {
		case carried && (r.notCarried[affiliate] || known && partner != carriedWith):
			return "", key // another affiliate's sale, or one left out
		case carried:
			return key, ""
		}
	}
	return r.referrals[id], ""
}

// majorOf converts cents into the currency's major unit, with its own
// exponent (validate's currencies: JPY has none, KWD three).
func majorOf(cents, currency string) (string, string) {
	cents = strings.TrimSpace(cents)
	if cents == "" {
		return "", "no amount"
	}
	// -0 is zero, not a refund: carried as 0 is.
	if digits, ok := strings.CutPrefix(cents, "-"); ok && strings.HasPrefix(digits, "0") && strings.Trim(digits, "0.") == "" {
		cents = digits
	}
	cur, why := validate.ParseCurrency(currency)
	if why != "" {
		return "", why
	}
	m, why := cur.Amount("", cents)
	return m.Amount, why
}
