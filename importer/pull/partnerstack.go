package pull

import (
	"bytes"
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

// PartnerStack, as ../shared/sources/README.md describes its API v2.

// PartnerStack's credentials: HTTP Basic, the public key as user name and
// the secret key as password.
const (
	PartnerStackPublicKeyEnv = "PARTNERSTACK_PUBLIC_KEY"
	PartnerStackSecretKeyEnv = "PARTNERSTACK_SECRET_KEY"
)

// The reasons of left-out.csv only PartnerStack gives.
const (
	TestRecord    = "test_record"
	Declined      = "declined"
	NoTransaction = "no_transaction"
	NoKey         = "no_key"
)

const (
	partnerstackBase = "https://api.partnerstack.com/api/v2"
	// partnerstackPage is the most records a page may list.
	partnerstackPage = 250
)

// PartnerStackLimit is a courtesy pace: PartnerStack publishes no limit,
// and a pull asks for each partnership's links, one request each; its
// 429s are waited out whatever the pace.
var PartnerStackLimit = Limit{Requests: 20, Window: time.Second}

type partnerstack struct {
	client *Client
	// The joins: what later lists refer to.
	carried                     // by partnership key
	customers map[string]string // a customer's key or customer_key → its carried key
	partnerOf map[string]string // a carried customer's key → its partnership's key
	rewards   map[string][]*psReward
	ordered   []*psReward // every reward in the order read, to leave out the unjoined
	sales     map[string]bool
}

func newPartnerStack(env map[string]string, o Options) (Source, error) {
	public, private := env[PartnerStackPublicKeyEnv], env[PartnerStackSecretKeyEnv]
	keys := []secret.String{secret.New(public), secret.New(private), secret.New(public + ":" + private)}
	c, err := NewClient(ClientConfig{
		Source: "partnerstack", BaseURL: o.baseOr(partnerstackBase), Limit: o.paced(PartnerStackLimit), Backoff: o.Backoff, HTTP: o.HTTP, Throttled: o.Throttled,
		Auth:        func(r *http.Request) { r.SetBasicAuth(keys[0].Reveal(), keys[1].Reveal()) },
		Secrets:     keys,
		Credentials: PartnerStackPublicKeyEnv + " and " + PartnerStackSecretKeyEnv,
	})
	if err != nil {
		return nil, err
	}
	return &partnerstack{client: c, carried: newCarried(),
		customers: map[string]string{}, partnerOf: map[string]string{}, rewards: map[string][]*psReward{}, sales: map[string]bool{}}, nil
}

func (p *partnerstack) Name() string { return "partnerstack" }

// Pull reads partnerships (and each one's links), customers, rewards,
// then transactions, each joined to its customer and its rewards; the
// rewards no transaction took are left out last.
func (p *partnerstack) Pull(ctx context.Context, out *Out) error {
	steps := []struct {
		path string
		each func(context.Context, json.RawMessage, *Out) error
	}{
		{"/partnerships", p.partnership},
		{"/customers", p.customer},
		{"/rewards", func(_ context.Context, raw json.RawMessage, _ *Out) error { return p.reward(raw) }},
		{"/transactions", p.transaction},
	}
	for _, s := range steps {
		err := p.list(ctx, s.path, func(raw json.RawMessage) error { return s.each(ctx, raw, out) })
		if err != nil {
			return err
		}
	}
	return p.leaveOutUnjoined(out)
}

// list reads every page of path, following the cursor (the last record's
// key) while the page says it has more.
func (p *partnerstack) list(ctx context.Context, path string, each func(json.RawMessage) error) error {
	what := strings.TrimPrefix(path, "/")
	return cursorList{client: p.client, source: "partnerstack", what: what, path: path, byCursor: true, idField: "key",
		query:  func() url.Values { return url.Values{"limit": {strconv.Itoa(partnerstackPage)}} },
		pageOf: partnerstackPageOf, cursorOf: lastKey,
		stuck: func(page string, _ bool) error {
			return fmt.Errorf("partnerstack %s %s says it has more but names no last key to go on from", what, page)
		},
	}.walk(ctx, each)
}

// partnerstackPageOf reads a page: {"data": {"has_more", "items": [...]}}
// as documented, and leniently a list nested in data.data, a bare list in
// data (has_more beside it), or a bare array (one page).
func partnerstackPageOf(body []byte) (items []json.RawMessage, raw json.RawMessage, more bool, _ error) {
	body = bytes.TrimSpace(body)
	if len(body) > 0 && body[0] == '[' {
		err := json.Unmarshal(body, &items)
		return items, body, false, err
	}
	var page struct {
		Data    json.RawMessage `json:"data"`
		HasMore bool            `json:"has_more"`
	}
	if err := json.Unmarshal(body, &page); err != nil {
		return nil, nil, false, errors.New("not JSON")
	}
	data := bytes.TrimSpace(page.Data)
	switch {
	case len(data) == 0 || string(data) == "null":
		return nil, nil, false, errors.New(`no "data"`)
	case data[0] == '[':
		err := json.Unmarshal(data, &items)
		return items, data, page.HasMore, err
	}
	var inner struct {
		HasMore bool            `json:"has_more"`
		Items   json.RawMessage `json:"items"`
		Data    json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(data, &inner); err != nil {
		return nil, nil, false, errors.New(`"data" is neither a list nor an object`)
	}
	list := inner.Items
	if len(list) == 0 || string(list) == "null" {
		list = inner.Data
	}
	if len(list) == 0 || string(list) == "null" {
		return nil, nil, false, errors.New(`"data" holds neither "items" nor "data"`)
	}
	if err := json.Unmarshal(list, &items); err != nil {
		return nil, nil, false, errors.New(`"data.items" is not a list`)
	}
	return items, list, inner.HasMore || page.HasMore, nil
}

// lastKey is the key of a page's last record, the cursor of the next.
func lastKey(items []json.RawMessage) string {
	if len(items) == 0 {
		return ""
	}
	var last struct {
		Key text `json:"key"`
	}
	if json.Unmarshal(items[len(items)-1], &last) != nil {
		return ""
	}
	return strings.TrimSpace(string(last.Key))
}

// keyOf reads a reference that is either a key or an object with a key
// (or an id): "abc", 12, {"key": "abc", ...}, null.
func keyOf(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '{' {
		var o struct {
			Key text `json:"key"`
		}
		if json.Unmarshal(raw, &o) == nil && strings.TrimSpace(string(o.Key)) != "" {
			return strings.TrimSpace(string(o.Key))
		}
	}
	return strings.TrimSpace(idOf(raw))
}

// epochMillis is a PartnerStack time (epoch milliseconds, as a number or
// text) in RFC 3339; a value too small for milliseconds is read as
// seconds, and text that is not a number is passed on for validate to
// judge.
func epochMillis(t text) string {
	s := strings.TrimSpace(string(t))
	n, err := strconv.ParseInt(s, 10, 64)
	switch {
	case s == "":
		return ""
	case err != nil:
		return s
	case n < 100_000_000_000: // before 1973 in milliseconds: seconds
		return time.Unix(n, 0).UTC().Format(time.RFC3339)
	}
	return time.UnixMilli(n).UTC().Format(time.RFC3339)
}

type psPartnership struct {
	Key       text `json:"key"`
	Email     text `json:"email"`
	FirstName text `json:"first_name"`
	LastName  text `json:"last_name"`
	// Approved is its approval status (approved, pending, declined...),
	// the field the list's approved_status filter reads.
	Approved text `json:"approved_status"`
	Group    *struct {
		Slug text `json:"slug"`
		Name text `json:"name"`
	} `json:"group"`
}

// partnership carries a partnership as a partner: its first link's key is
// the referral key, its other links' keys are tags (via:KEY), its group's
// name a tag.
func (p *partnerstack) partnership(ctx context.Context, raw json.RawMessage, out *Out) error {
	var s psPartnership
	if err := json.Unmarshal(raw, &s); err != nil {
		return fmt.Errorf("not a partnership: %v", err)
	}
	key, email := strings.TrimSpace(string(s.Key)), strings.TrimSpace(string(s.Email))
	if ok, err := p.admitted(out, "partnership", key, email); !ok {
		return err
	}
	if ok, err := p.accepted(out, "partnership", key, email, string(s.Approved)); !ok {
		return err
	}
	partner := Partner{Email: email, Name: strings.TrimSpace(string(s.FirstName)), Surname: strings.TrimSpace(string(s.LastName))}
	links, err := p.links(ctx, key, email)
	if errors.Is(err, errNoLinks) {
		err = out.LeaveOut(LeftOut{Kind: KindLink, SourceID: key, Email: email, Reason: LinksNotFound, Message: "partnerstack answered 404 for " +
			"partnership " + key + "'s links: it is carried without a key (Partnero makes one); its old links, if any, will not match"})
	}
	if err != nil {
		return err
	}
	var first firstLink
	for _, l := range links {
		if first.value == "" {
			first = firstLink{id: l.key, value: l.value, asKey: l.value, shown: "ending /" + l.value}
		}
		switch {
		case partner.Key == "" && p.claim(l.value, key):
			partner.Key = l.value
		default:
			partner.Tags = append(partner.Tags, PartnerStackLinkTagPrefix+l.value)
		}
	}
	if s.Group != nil {
		group := strings.TrimSpace(string(s.Group.Name))
		if group == "" {
			group = strings.TrimSpace(string(s.Group.Slug))
		}
		if group != "" {
			partner.Tags = append(partner.Tags, group)
		}
	}
	withStatus(out, &partner, string(s.Approved))
	if err := p.keptLink(out, key, email, first, partner.Key); err != nil {
		return err
	}
	p.carry(key, &partner)
	return out.Partner(&partner)
}

// links are the referral keys of a partnership's links, in the order
// listed: the last path segment of each url, as Dub takes it. A
// partnership PartnerStack knows no links of (404) has none. The
// request is named by the partnership's key: its path holds the email.
func (p *partnerstack) links(ctx context.Context, key, email string) ([]psLink, error) {
	body, err := p.client.GetAs(ctx, "GET /links/partnership/{email} of partnership "+key, "/links/partnership/"+url.PathEscape(email), nil)
	if se := (*StatusError)(nil); errors.As(err, &se) && se.Status == http.StatusNotFound {
		return nil, errNoLinks
	}
	if err != nil {
		return nil, err
	}
	items, _, _, err := partnerstackPageOf(body)
	if err != nil {
		return nil, fmt.Errorf("partnerstack answered partnership %s's links with something unreadable: %v", key, err)
	}
	var links []psLink
	for _, it := range items {
		var l struct {
			Key text `json:"key"`
			URL text `json:"url"`
		}
		if json.Unmarshal(it, &l) != nil {
			continue
		}
		if k := lastSegment(string(l.URL)); k != "" {
			links = append(links, psLink{key: strings.TrimSpace(string(l.Key)), value: k})
		}
	}
	return links, nil
}

// PartnerStackLinkTagPrefix tags each of a partnership's links beyond
// the one that gives its key: PartnerStack's links end with the key in
// their path (try.example.com/ada9x), not a ?via= parameter.
const PartnerStackLinkTagPrefix = "link:"

// errNoLinks: PartnerStack answered a partnership's links 404.
var errNoLinks = errors.New("no links")

// LinksNotFound: PartnerStack answered 404 for a partnership's links; the
// partner is carried without a key.
const LinksNotFound = "links_not_found"

// psLink is a link of a partnership: its own key, and the referral key
// its url ends with.
type psLink struct{ key, value string }

// lastSegment is the last non-empty path segment of a link's url, its
// spaces trimmed: "https://try.example.com/ada-9x/ " is "ada-9x".
func lastSegment(link string) string {
	link = strings.TrimSpace(link)
	path := link
	if u, err := url.Parse(link); err == nil {
		path = u.Path
	} else if i := strings.IndexAny(link, "?#"); i >= 0 {
		path = link[:i]
	}
	segments := strings.Split(strings.TrimRight(path, "/ "), "/")
	last := strings.TrimSpace(segments[len(segments)-1])
	if strings.Contains(last, ".") && len(segments) <= 1 { // a bare host, no path
		return ""
	}
	return last
}

type psCustomer struct {
	Key         text            `json:"key"`
	CustomerKey text            `json:"customer_key"`
	Email       text            `json:"email"`
	Name        text            `json:"name"`
	Partnership json.RawMessage `json:"partnership_key"`
	Test        text            `json:"test"`
}

// customer carries a customer under its partnership's partner, keyed by
// its customer_key (the id the merchant's own system knows it by, which
// transactions name), else PartnerStack's key. Test customers stay
// behind.
func (p *partnerstack) customer(_ context.Context, raw json.RawMessage, out *Out) error {
	var c psCustomer
	if err := json.Unmarshal(raw, &c); err != nil {
		return fmt.Errorf("not a customer: %v", err)
	}
	own, external := strings.TrimSpace(string(c.Key)), strings.TrimSpace(string(c.CustomerKey))
	carried := Customer{Key: external, Email: strings.TrimSpace(string(c.Email)), Name: strings.TrimSpace(string(c.Name))}
	if carried.Key == "" {
		carried.Key = own
	}
	leave := leaver(out, LeftOut{Kind: KindCustomer, SourceID: own, Email: carried.Email})
	partnership := keyOf(c.Partnership)
	partner, ok := p.partners[partnership]
	switch {
	case string(c.Test) == "true":
		return leave(TestRecord, "customer %s is a test customer", carried.Key)
	case carried.Key == "":
		return leave(NoCustomer, "the customer has neither key nor customer_key")
	case !ok:
		return leave(NoPartner, "customer %s: its partnership %q was not carried over (see its own line)", carried.Key, partnership)
	case p.customers[carried.Key] != "" || p.customers[own] != "":
		return leave(Duplicate, "customer %s is listed twice: carried over once", carried.Key)
	}
	carried.Partner = partner
	p.customers[carried.Key], p.partnerOf[carried.Key] = carried.Key, partnership
	if own != "" {
		p.customers[own] = carried.Key
	}
	return out.Customer(&carried)
}

type psReward struct {
	Key, Status, Amount, Currency string
	Transaction                   string // its transaction's key
	Partnership                   string // its partnership's key, "" when it names none
	joined                        bool
}

// reward keeps a reward for its transaction.
func (p *partnerstack) reward(raw json.RawMessage) error {
	var r struct {
		Key            text            `json:"key"`
		Amount         text            `json:"amount"`
		Currency       text            `json:"currency"`
		Status         text            `json:"status"`
		TransactionKey text            `json:"transaction_key"`
		Transaction    json.RawMessage `json:"transaction"`
		Partnership    json.RawMessage `json:"partnership_key"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return fmt.Errorf("not a reward: %v", err)
	}
	kept := &psReward{Key: strings.TrimSpace(string(r.Key)), Status: strings.ToLower(strings.TrimSpace(string(r.Status))),
		Amount: strings.TrimSpace(string(r.Amount)), Currency: strings.ToUpper(strings.TrimSpace(string(r.Currency))),
		Transaction: strings.TrimSpace(string(r.TransactionKey)), Partnership: keyOf(r.Partnership)}
	if kept.Transaction == "" {
		kept.Transaction = keyOf(r.Transaction)
	}
	p.ordered = append(p.ordered, kept)
	if kept.Transaction != "" {
		p.rewards[kept.Transaction] = append(p.rewards[kept.Transaction], kept)
	}
	return nil
}

// transaction carries a transaction of a carried customer: its amount,
// the sum of its rewards not declined as its reward ("0" when it has
// none: Partnero must not pay a commission PartnerStack never gave),
// rewarded when every one is paid. Its declined rewards are left out, and
// those of another partner than its customer's (other_partner): the
// transaction credits its customer's partner.
func (p *partnerstack) transaction(_ context.Context, raw json.RawMessage, out *Out) error {
	var x struct {
		Key         text            `json:"key"`
		Amount      text            `json:"amount"`
		Currency    text            `json:"currency"`
		CustomerKey json.RawMessage `json:"customer_key"`
		Customer    json.RawMessage `json:"customer"`
		CreatedAt   text            `json:"created_at"`
	}
	if err := json.Unmarshal(raw, &x); err != nil {
		return fmt.Errorf("not a transaction: %v", err)
	}
	t := Transaction{Key: strings.TrimSpace(string(x.Key)), Action: "sale", CreatedAt: epochMillis(x.CreatedAt)}
	leave := leaver(out, LeftOut{Kind: KindTransaction, SourceID: t.Key})
	rewards := p.rewards[t.Key]
	for _, r := range rewards {
		r.joined = true
	}
	customer := keyOf(x.CustomerKey)
	if customer == "" {
		customer = keyOf(x.Customer)
	}
	currency := strings.ToUpper(strings.TrimSpace(string(x.Currency)))
	switch {
	case t.Key == "":
		return leave(NoKey, "a transaction without a key")
	case p.sales[t.Key]:
		return leave(Duplicate, "transaction %s is listed twice: carried over once", t.Key)
	case p.customers[customer] == "":
		return leave(NoCustomer, "transaction %s: its customer %q was not carried over", t.Key, customer)
	}
	var why string
	if t.Amount, why = majorOf(string(x.Amount), currency); why != "" {
		return leave(InvalidAmount, "amount: %s", why)
	}
	due, paid, counted := int64(0), []*psReward{}, 0
	var paidCents []int64
	customers := p.partnerOf[p.customers[customer]] // its partnership
	for _, r := range rewards {
		if r.Status == "declined" || p.otherPartner(r.Partnership, customers) {
			if err := p.leaveOffReward(out, r, t.Key, customer, customers); err != nil {
				return err
			}
			continue
		}
		if r.Currency != "" && currency != "" && r.Currency != currency {
			return leave(CurrencyMismatch, "reward %s is in %s, its transaction in %s", r.Key, r.Currency, currency)
		}
		n, err := strconv.ParseInt(r.Amount, 10, 64)
		if err != nil {
			return leave(InvalidAmount, "reward %s: amount %q is not a whole number of cents", r.Key, r.Amount)
		}
		counted++
		if r.Status == "paid" {
			paid, paidCents = append(paid, r), append(paidCents, n)
		} else {
			due += n
		}
	}
	// Partnero's transaction has one reward and one rewarded flag: paid
	// rewards beside due ones are left off the reward (each its line), or
	// Partnero would pay them again.
	cents, apart := due, len(paid) > 0 && len(paid) < counted
	if !apart {
		for _, n := range paidCents {
			cents += n
		}
	}
	if t.Reward, why = majorOf(strconv.FormatInt(cents, 10), currency); why != "" {
		return leave(InvalidAmount, "reward: %s", why)
	}
	t.Customer, t.Currency, t.Rewarded = Ref{Key: p.customers[customer]}, currency, counted > 0 && len(paid) == counted
	p.sales[t.Key] = true
	if err := out.Transaction(&t); err != nil || !apart {
		return err
	}
	for i, r := range paid {
		amount, _ := majorOf(strconv.FormatInt(paidCents[i], 10), currency)
		if err := out.LeaveOut(LeftOut{Kind: KindCommission, SourceID: r.Key, Reason: AlreadyPaid, Message: fmt.Sprintf(
			"reward %s of transaction %s (%s %s) was paid already: left off the transaction's reward, which holds its due rewards", r.Key, t.Key, amount, currency)}); err != nil {
			return err
		}
	}
	return nil
}

// leaveOffReward writes the line of a reward left off transaction's
// reward: declined, or of another partner than the transaction's
// customer's (of partnership customers).
func (p *partnerstack) leaveOffReward(out *Out, r *psReward, transaction, customer, customers string) error {
	left := LeftOut{Kind: KindCommission, SourceID: r.Key, Reason: Declined,
		Message: fmt.Sprintf("reward %s of transaction %s was declined", r.Key, transaction)}
	if r.Status != "declined" {
		left.Reason, left.Message = OtherPartner, fmt.Sprintf("reward %s of transaction %s is partnership %s's, another partner than %s, "+
			"whom its customer %s is carried under: left off the transaction's reward, not to credit that partner", r.Key, transaction, r.Partnership, customers, customer)
	}
	return out.LeaveOut(left)
}

// leaveOutUnjoined leaves out the rewards of no transaction listed (a
// bonus, or one whose transaction was not found), in the order read.
func (p *partnerstack) leaveOutUnjoined(out *Out) error {
	for _, r := range p.ordered {
		if r.joined {
			continue
		}
		msg := fmt.Sprintf("reward %s is of no transaction", r.Key)
		if r.Transaction != "" {
			msg = fmt.Sprintf("reward %s: its transaction %s is not listed", r.Key, r.Transaction)
		}
		if err := out.LeaveOut(LeftOut{Kind: KindCommission, SourceID: r.Key, Reason: NoTransaction, Message: msg}); err != nil {
			return err
		}
	}
	return nil
}
