package fake

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
)

// Program is a random affiliate program in no source's shape: a property
// test draws one from a seed, has a fake serve it in its source's shape
// (RewardfulOf, ...), and judges the pull from it.
type Program struct {
	Partners    []ProgramPartner
	Referrals   []ProgramReferral
	Commissions []ProgramCommission
}

// ProgramPartner is an affiliate. Email "" has none; an email may be an
// earlier partner's in another case. Key "" has no link.
type ProgramPartner struct {
	ID, Email, Key, Name string
	OtherKeys            []string // links beyond the first
	Referrer             string   // the parent's ID, where the source has tiers; "" none
	Campaign             string   // "" none
	// Status is its standing at the source: "" active, "pending" (not
	// active: FirstPromoter archived) or "rejected" (never accepted).
	Status string
}

// ProgramReferral is a partner's customer. Customer "" is a referral
// with no customer; a customer may be an earlier referral's too. A
// visitor is a referral not yet a lead (sources that have them).
type ProgramReferral struct {
	ID, Partner, Customer string
	Visitor               bool
}

// ProgramCommission is a commission of a sale. Two commissions may share
// a sale (the same referral, amount and currency). Currency is the
// commission's; SaleCurrency its sale's (another one now and then).
type ProgramCommission struct {
	ID, Sale, Referral     string
	SaleCents, Cents       int64
	Currency, SaleCurrency string
	State                  string // paid, due or voided
	// Tier 2 is the referring partner's parent's commission of the same
	// sale, where the source has tiers; 0 is the referring partner's own.
	Tier int
}

// NewProgram draws a program from rng: partners with and without email,
// duplicates of an email, parents, several links; customers of carried
// and of left-out partners, no customer, one customer twice; sales in EUR
// and JPY, paid, due and voided, two commissions of one sale (often one
// paid and one due), a commission in another currency than its sale.
func NewProgram(rng *rand.Rand) Program {
	var p Program
	chance := func(percent int) bool { return rng.IntN(100) < percent }
	for i := range rng.IntN(12) + 1 {
		a := ProgramPartner{ID: fmt.Sprintf("aff-%d", i), Email: fmt.Sprintf("p%d@example.com", i), Name: fmt.Sprintf("Partner%d", i)}
		switch {
		case chance(15):
			a.Email = ""
		case i > 0 && chance(15):
			a.Email = strings.ToUpper(p.Partners[rng.IntN(i)].Email)
		}
		switch {
		case chance(10):
		case i > 0 && chance(10): // a link value another partner holds already
			a.Key = p.Partners[rng.IntN(i)].Key
		default:
			a.Key = fmt.Sprintf("key%d", i)
		}
		if chance(20) {
			a.OtherKeys = []string{fmt.Sprintf("key%d-b", i)}
		}
		p.Partners = append(p.Partners, a)
	}
	// Parents: of a lower rank (a duplicate of an email has its first's),
	// listed before or after their children, never a cycle; now and then
	// a duplicate of the partner itself, as a source that does not merge
	// emails may have it.
	first := map[string]int{}
	for i, a := range p.Partners {
		if _, ok := first[strings.ToLower(a.Email)]; !ok && a.Email != "" {
			first[strings.ToLower(a.Email)] = i
		}
	}
	canonical := func(i int) int {
		if p.Partners[i].Email == "" {
			return i
		}
		return first[strings.ToLower(p.Partners[i].Email)]
	}
	rank := rng.Perm(len(p.Partners))
	for i := range p.Partners {
		var above, itself []string
		for j, other := range p.Partners {
			switch {
			case rank[canonical(j)] < rank[canonical(i)]:
				above = append(above, other.ID)
			case j != i && p.Partners[i].Email != "" && canonical(j) == canonical(i):
				itself = append(itself, other.ID)
			}
		}
		switch {
		case len(itself) > 0 && chance(20):
			p.Partners[i].Referrer = itself[rng.IntN(len(itself))]
		case len(above) > 0 && chance(35):
			p.Partners[i].Referrer = above[rng.IntN(len(above))]
		}
		if chance(70) {
			p.Partners[i].Campaign = []string{"Spring", "Partners 2024"}[rng.IntN(2)]
		}
	}
	for i := range rng.IntN(15) {
		r := ProgramReferral{ID: fmt.Sprintf("ref-%d", i), Partner: p.Partners[rng.IntN(len(p.Partners))].ID,
			Customer: fmt.Sprintf("cus-%d", i), Visitor: chance(10)}
		switch {
		case chance(10):
			r.Customer = ""
		case i > 0 && chance(10):
			r.Customer = p.Referrals[rng.IntN(i)].Customer
		}
		p.Referrals = append(p.Referrals, r)
	}
	for i := range p.Partners {
		switch {
		case chance(8):
			p.Partners[i].Status = "rejected"
		case chance(8):
			p.Partners[i].Status = "pending"
		}
	}
	if len(p.Referrals) == 0 {
		return p
	}
	currencies := []string{"EUR", "JPY"}
	for i := range rng.IntN(20) {
		c := ProgramCommission{ID: fmt.Sprintf("com-%d", i), Sale: fmt.Sprintf("sale-%d", i),
			Referral: p.Referrals[rng.IntN(len(p.Referrals))].ID, SaleCents: rng.Int64N(1_000_000) + 1,
			SaleCurrency: currencies[rng.IntN(2)]}
		var earlier *ProgramCommission
		if i > 0 && chance(15) {
			earlier = &p.Commissions[rng.IntN(i)]
			c.Sale, c.Referral, c.SaleCents, c.SaleCurrency = earlier.Sale, earlier.Referral, earlier.SaleCents, earlier.SaleCurrency
		}
		c.Cents, c.Currency = rng.Int64N(c.SaleCents)+1, c.SaleCurrency
		if chance(5) {
			c.Currency = currencies[1-slices.Index(currencies, c.SaleCurrency)]
		}
		c.State = []string{"paid", "due", "voided"}[rng.IntN(3)]
		if earlier != nil && earlier.State != "voided" && chance(60) { // a sale paid in part: one paid, one still due
			c.State = map[string]string{"paid": "due", "due": "paid"}[earlier.State]
		}
		p.Commissions = append(p.Commissions, c)
	}
	p.Commissions = append(p.Commissions, tierCommissions(rng, p)...)
	return p
}

// tierCommissions are the second tier's commissions of some sales: the
// referring partner's parent's, for the same sale (as a source with
// tiers makes them, one per tier).
func tierCommissions(rng *rand.Rand, p Program) []ProgramCommission {
	parentOf, partnerOf := map[string]string{}, map[string]string{}
	for _, a := range p.Partners {
		parentOf[a.ID] = a.Referrer
	}
	for _, r := range p.Referrals {
		partnerOf[r.ID] = r.Partner
	}
	var tiers []ProgramCommission
	for i, c := range p.Commissions {
		if parentOf[partnerOf[c.Referral]] == "" || rng.IntN(100) >= 50 {
			continue
		}
		c.ID, c.Tier = fmt.Sprintf("com-%d-tier2", i), 2
		c.Cents = rng.Int64N(c.SaleCents) + 1
		c.State = []string{"paid", "due", "voided"}[rng.IntN(3)]
		tiers = append(tiers, c)
	}
	return tiers
}

// direct are the commissions of program that are not an upper tier's:
// what a source without tiers lists.
func direct(program Program) []ProgramCommission {
	var list []ProgramCommission
	for _, c := range program.Commissions {
		if c.Tier <= 1 {
			list = append(list, c)
		}
	}
	return list
}

// Knobs are a fake's answers varied from rng: 503s, 429s, small pages,
// lists nested in data.data where the source does that.
type Knobs struct {
	FailEvery, ThrottleEvery, PageSize int
	Nested                             bool
}

// NewKnobs draws knobs from rng; each is 0 (off) now and then.
func NewKnobs(rng *rand.Rand) Knobs {
	var k Knobs
	if rng.IntN(2) == 0 {
		k.FailEvery = rng.IntN(5) + 3
	}
	if rng.IntN(2) == 0 {
		k.ThrottleEvery = rng.IntN(5) + 2
	}
	if rng.IntN(3) > 0 {
		k.PageSize = rng.IntN(4) + 1
	}
	k.Nested = rng.IntN(2) == 0
	return k
}

// RewardfulOf serves program in Rewardful's shape, its answers varied by
// knobs: ids as strings or numbers... as the documentation allows.
func RewardfulOf(secret string, program Program, k Knobs) *Rewardful {
	f := &Rewardful{Secret: secret, FailEvery: k.FailEvery, ThrottleEvery: k.ThrottleEvery, PageSize: k.PageSize}
	for _, a := range program.Partners {
		rec := map[string]any{"id": a.ID, "first_name": a.Name, "last_name": "Unknown", "state": cmp.Or(a.Status, "active"), "links": []any{}}
		if a.Email != "" {
			rec["email"] = a.Email
		}
		var links []any
		for _, token := range append([]string{a.Key}, a.OtherKeys...) {
			if token != "" {
				links = append(links, map[string]any{"id": "l-" + token, "url": "https://example.com/?via=" + token, "token": token})
			}
		}
		rec["links"] = links
		if a.Campaign != "" {
			rec["campaign"] = map[string]any{"id": "c-" + a.Campaign, "name": a.Campaign}
		}
		f.Affiliates = append(f.Affiliates, rec)
	}
	for _, r := range program.Referrals {
		rec := map[string]any{"id": r.ID, "conversion_state": "conversion", "affiliate": map[string]any{"id": r.Partner}, "customer": nil}
		if r.Visitor {
			rec["conversion_state"] = "visitor"
		}
		if r.Customer != "" {
			rec["customer"] = map[string]any{"id": r.Customer, "name": "Client " + r.Customer, "email": r.Customer + "@example.net"}
		}
		f.Referrals = append(f.Referrals, rec)
	}
	for i, c := range direct(program) {
		var cents any = c.SaleCents
		if i%2 == 1 {
			cents = fmt.Sprint(c.SaleCents) // cents as strings
		}
		f.Commissions = append(f.Commissions, map[string]any{"id": c.ID, "amount": c.Cents, "currency": c.Currency, "state": c.State,
			"sale": map[string]any{"id": c.Sale, "charged_at": "2024-03-01T10:00:00Z", "sale_amount_cents": cents,
				"currency": c.SaleCurrency, "referral": map[string]any{"id": c.Referral}}})
	}
	return f
}

// FirstPromoterOf serves program in FirstPromoter's shape, its answers
// varied by knobs. FirstPromoter has no visitors (they are not served)
// and no referral without a customer: one is served denied instead. Each
// commission names its currency outright.
func FirstPromoterOf(key, account string, program Program, k Knobs) *FirstPromoter {
	f := &FirstPromoter{Key: key, Account: account, FailEvery: k.FailEvery, ThrottleEvery: k.ThrottleEvery,
		MaxPerPage: k.PageSize, CommissionsNested: k.Nested}
	emailOf := map[string]any{}
	for _, a := range program.Partners {
		if a.Email != "" {
			emailOf[a.ID] = a.Email
		}
	}
	for _, a := range program.Partners {
		email := emailOf[a.ID]
		rec := map[string]any{"id": a.ID, "email": email, "name": a.Name + " Person", "joined_at": "2024-01-02T03:04:05Z"}
		var campaigns []any
		for _, token := range append([]string{a.Key}, a.OtherKeys...) {
			if token != "" {
				campaigns = append(campaigns, map[string]any{"campaign": map[string]any{"name": a.Campaign}, "ref_token": token, "state": "accepted"})
			}
		}
		switch a.Status {
		case "rejected": // every campaign rejected it (one, when it has no token)
			campaigns = nil
			for _, token := range append([]string{a.Key}, a.OtherKeys...) {
				if token != "" {
					campaigns = append(campaigns, map[string]any{"ref_token": token, "state": "rejected"})
				}
			}
			if len(campaigns) == 0 {
				campaigns = []any{map[string]any{"ref_token": nil, "state": "rejected"}}
			}
		case "pending": // FirstPromoter's promoters are archived, their campaigns accepted
			rec["archived_at"] = "2024-06-01T00:00:00Z"
		}
		rec["promoter_campaigns"] = campaigns
		if a.Referrer != "" {
			rec["parent_promoter"] = map[string]any{"id": a.Referrer, "email": emailOf[a.Referrer]}
		}
		f.Promoters = append(f.Promoters, rec)
	}
	for _, r := range program.Referrals {
		if r.Visitor {
			continue
		}
		rec := map[string]any{"id": r.ID, "uid": r.Customer, "email": r.Customer + "@example.net", "state": "active",
			"promoter_campaign": map[string]any{"promoter": map[string]any{"id": r.Partner, "email": emailOf[r.Partner]}}}
		if r.Customer == "" {
			rec["uid"], rec["state"] = "denied-"+r.ID, "denied"
		}
		f.Referrals = append(f.Referrals, rec)
	}
	partnerOf, parentOf := map[string]string{}, map[string]string{}
	for _, r := range program.Referrals {
		partnerOf[r.ID] = r.Partner
	}
	for _, a := range program.Partners {
		parentOf[a.ID] = a.Referrer
	}
	for i, c := range program.Commissions {
		status := "approved"
		if c.State == "voided" {
			status = "denied"
		}
		var cents any = c.Cents
		if i%2 == 1 {
			cents = fmt.Sprint(c.Cents) // cents as strings
		}
		rec := map[string]any{"id": c.ID, "status": status, "is_paid": c.State == "paid", "unit": "cash",
			"amount": cents, "sale_amount": c.SaleCents, "currency": c.SaleCurrency, "created_at": "2024-03-01T10:00:00Z",
			"referral": map[string]any{"id": c.Referral}}
		// The sale: nested, or an event id (the documentation is silent).
		if i%3 == 0 {
			rec["event_id"] = c.Sale
		} else {
			rec["sale"] = map[string]any{"id": c.Sale}
		}
		// One commission per tier: the tier said, or only its promoter.
		promoter, tier := partnerOf[c.Referral], 1
		if c.Tier > 1 {
			promoter, tier = parentOf[promoter], c.Tier
		}
		rec["promoter_campaign"] = map[string]any{"promoter": map[string]any{"id": promoter, "email": emailOf[promoter]}}
		if i%2 == 0 {
			rec["tier"] = tier
		}
		f.Commissions = append(f.Commissions, rec)
	}
	return f
}

// ToltOf serves program in Tolt's shape, its answers varied by knobs.
// Tolt lists customers, not referrals: no visitor, no referral without a
// customer, and a customer once, with one partner (its later referrals
// are not served). A voided commission is refunded or rejected; links
// beyond the first have spaces in their values.
func ToltOf(key, programID string, program Program, k Knobs) *Tolt {
	f := &Tolt{Key: key, ProgramID: programID, FailEvery: k.FailEvery, ThrottleEvery: k.ThrottleEvery, MaxLimit: k.PageSize}
	for _, a := range program.Partners {
		var email any
		if a.Email != "" {
			email = a.Email
		}
		f.Partners = append(f.Partners, map[string]any{"id": a.ID, "first_name": a.Name, "last_name": "", "email": email,
			"status": cmp.Or(a.Status, "active"), "group_id": a.Campaign})
		for i, token := range append([]string{a.Key}, a.OtherKeys...) {
			if token == "" {
				continue
			}
			if i > 0 {
				token = strings.ReplaceAll(token, "-", " ")
			}
			f.Links = append(f.Links, map[string]any{"id": fmt.Sprintf("lnk-%s-%d", a.ID, i), "param": "ref", "value": token, "partner_id": a.ID,
				"partner": map[string]any{"id": a.ID}})
		}
	}
	for _, r := range ToltReferrals(program) {
		f.Customers = append(f.Customers, map[string]any{"id": r.Customer, "name": "Client " + r.Customer, "email": r.Customer + "@example.net",
			"partner_id": r.Partner, "status": "active"})
	}
	customerOf := map[string]string{}
	for _, r := range program.Referrals {
		customerOf[r.ID] = r.Customer
	}
	for i, c := range direct(program) {
		status := map[string]string{"paid": "paid", "due": []string{"approved", "pending"}[i%2], "voided": []string{"refunded", "rejected"}[i%2]}[c.State]
		var revenue any = fmt.Sprint(c.SaleCents)
		if i%2 == 1 {
			revenue = c.SaleCents
		}
		f.Commissions = append(f.Commissions, map[string]any{"id": c.ID, "amount": fmt.Sprint(c.Cents), "revenue": revenue, "status": status,
			"transaction_id": c.Sale, "customer_id": customerOf[c.Referral], "currency": c.SaleCurrency,
			"created_at": "2024-03-01T10:00:00.000Z", "customer": map[string]any{"id": customerOf[c.Referral]}})
	}
	return f
}

// ToltReferrals are the referrals of program Tolt can list: a
// customer's first, not a visitor.
func ToltReferrals(program Program) []ProgramReferral {
	var list []ProgramReferral
	seen := map[string]bool{}
	for _, r := range program.Referrals {
		if r.Visitor || r.Customer == "" || seen[r.Customer] {
			continue
		}
		seen[r.Customer] = true
		list = append(list, r)
	}
	return list
}

// PartnerStackOf serves program in PartnerStack's shape, its answers
// varied by knobs. PartnerStack lists customers, not referrals (no
// visitor is served), a referral without a customer is served as a test
// customer, a sale is a transaction listed once (with its first
// commission's customer and amount) and each commission a reward of it,
// declined when voided. Links are URLs whose last segment is the key.
func PartnerStackOf(public, secret string, program Program, k Knobs) *PartnerStack {
	f := &PartnerStack{PublicKey: public, SecretKey: secret, FailEvery: k.FailEvery, ThrottleEvery: k.ThrottleEvery, MaxPage: k.PageSize,
		Links: map[string]any{}}
	if k.Nested {
		f.NestedPath = "/api/v2/customers"
	}
	for _, a := range program.Partners {
		var email any
		if a.Email != "" {
			email = a.Email
		}
		rec := map[string]any{"key": a.ID, "email": email, "first_name": a.Name, "last_name": "", "created_at": 1709287200000,
			"approved_status": map[string]string{"": "approved", "rejected": "declined", "pending": "pending"}[a.Status]}
		if a.Campaign != "" {
			rec["group"] = map[string]any{"slug": strings.ToLower(a.Campaign[:1]), "name": a.Campaign}
		}
		f.Partnerships = append(f.Partnerships, rec)
		var links []any
		for i, token := range append([]string{a.Key}, a.OtherKeys...) {
			if token != "" {
				links = append(links, map[string]any{"key": "l-" + token, "url": " https://try.example.com/" + token + []string{"", "/ "}[i%2]})
			}
		}
		if a.Email != "" && links != nil {
			f.Links[a.Email] = links
		}
	}
	customerOf := map[string]string{}
	for _, r := range program.Referrals {
		customerOf[r.ID] = r.Customer
		if r.Visitor {
			continue
		}
		c := map[string]any{"key": "own-" + r.ID, "customer_key": r.Customer, "email": r.Customer + "@example.net", "name": "Client",
			"partnership_key": r.Partner, "test": false, "created_at": "1709287200000"}
		if r.Customer == "" {
			c["customer_key"], c["test"] = "test-"+r.ID, true
		}
		f.Customers = append(f.Customers, c)
	}
	listed := map[string]bool{}
	for i, c := range direct(program) {
		if !listed[c.Sale] {
			listed[c.Sale] = true
			f.Transactions = append(f.Transactions, map[string]any{"key": c.Sale, "amount": c.SaleCents, "currency": strings.ToLower(c.SaleCurrency),
				"customer_key": customerOf[c.Referral], "created_at": 1709287200000 + i})
		}
		status := map[string]string{"paid": "paid", "due": "pending", "voided": "declined"}[c.State]
		f.Rewards = append(f.Rewards, map[string]any{"key": c.ID, "amount": fmt.Sprint(c.Cents), "status": status, "transaction_key": c.Sale})
	}
	return f
}

// TapfiliateOf serves program in Tapfiliate's shape, its answers varied
// by knobs. An affiliate's id is its key (links are not served); a
// referral without a customer is a customer with a null affiliate; a
// sale is a conversion listed once, its commissions in its currency,
// amounts in cents as text and numbers (InMajorUnits: in major units), a voided one disapproved,
// a due one pending (approved null), a paid one with its payout.
func TapfiliateOf(key string, program Program, k Knobs) *Tapfiliate {
	f := &Tapfiliate{Key: key, PerPage: k.PageSize, FailEvery: k.FailEvery, ThrottleEvery: k.ThrottleEvery}
	if k.Nested {
		f.Wrapped = map[string]string{"/1.6/customers/": "data.data"}
	}
	for _, a := range program.Partners {
		rec := map[string]any{"id": a.ID, "firstname": a.Name, "lastname": "Person", "parent_id": nil}
		if a.Email != "" {
			rec["email"] = a.Email
		}
		if a.Campaign != "" {
			rec["affiliate_group_id"] = a.Campaign
		}
		if a.Referrer != "" {
			rec["parent_id"] = map[string]any{"id": a.Referrer}
		}
		f.Affiliates = append(f.Affiliates, rec)
	}
	customerOf := map[string]string{}
	for _, r := range program.Referrals {
		customerOf[r.ID] = r.Customer
		if r.Visitor {
			continue
		}
		c := map[string]any{"id": "cu-" + r.ID, "customer_id": r.Customer, "status": "paying", "affiliate": map[string]any{"id": r.Partner}}
		if r.Customer == "" {
			c["customer_id"], c["affiliate"] = nil, nil
		}
		f.Customers = append(f.Customers, c)
	}
	var order []string
	conversions := map[string]map[string]any{}
	for i, c := range program.Commissions {
		conv, ok := conversions[c.Sale]
		if !ok {
			var amount any = fmt.Sprint(c.SaleCents)
			if i%2 == 1 {
				amount = c.SaleCents
			}
			conv = map[string]any{"id": c.Sale, "amount": amount, "customer": map[string]any{"customer_id": customerOf[c.Referral]},
				"commissions": []any{}, "created_at": "2024-03-01T10:00:00+00:00"}
			conversions[c.Sale], order = conv, append(order, c.Sale)
		}
		var cents any = c.Cents
		if i%2 == 1 {
			cents = fmt.Sprint(c.Cents)
		}
		commission := map[string]any{"amount": cents, "currency": c.SaleCurrency, "kind": "regular",
			"approved": true, "payout": nil}
		if c.Tier > 1 {
			commission["kind"] = "mlm" // the upline's
		}
		switch c.State {
		case "paid":
			commission["payout"] = map[string]any{"id": "po-" + c.ID, "paid_at": "2024-04-01T00:00:00+00:00"}
		case "due":
			commission["approved"] = nil
		case "voided":
			commission["approved"] = false
		}
		conv["commissions"] = append(conv["commissions"].([]any), commission)
	}
	for _, sale := range order {
		f.Conversions = append(f.Conversions, conversions[sale])
	}
	return f
}

// majorText is cents in currency's major unit (JPY has no minor one).
func majorText(cents int64, currency string) string {
	if currency == "JPY" {
		return fmt.Sprint(cents)
	}
	return fmt.Sprintf("%d.%02d", cents/100, cents%100)
}
