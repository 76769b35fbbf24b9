package fake

// FirstPromoterSample is a small program with the variations FirstPromoter's
// documentation allows or Dub's importer met: a promoter with two accepted
// campaigns, one whose first campaign is pending, one with only a rejected
// one, one without campaigns (archived, and with the v1 API's
// temp_password, which must not move), one without email, two of one
// email, profiles and bare full names, parent promoters before and after
// their children, and one whose parent has no email; referrals without
// uid, denied, of a promoter not carried, without promoter, named by
// email only, one customer referred twice; commissions paid and not,
// denied, self-referred, in credits, without referral, of a denied
// referral, in a converted currency, in a currency named outright, a
// custom one without a sale, and one listed twice; and a two-tier
// program's commissions: the parent promoter's commission of a sale, with
// a tier field (sale nested) and without one (its event_id, its promoter
// not the referral's, of a promoter carried and of one left out; and one
// naming no sale), and a second direct commission of one sale.
func FirstPromoterSample(key, account string) *FirstPromoter {
	campaign := func(name, token, state string) map[string]any {
		return map[string]any{"campaign_id": len(name), "campaign": map[string]any{"name": name}, "ref_token": token,
			"ref_link": "https://example.com/?fpr=" + token, "coupon": nil, "state": state}
	}
	promoter := func(id int, email any) map[string]any {
		return map[string]any{"id": id, "cust_id": nil, "email": email, "joined_at": "2024-01-02T03:04:05Z", "archived_at": nil}
	}
	profile := func(first, last string) map[string]any {
		return map[string]any{"first_name": first, "last_name": last, "website": nil, "company_name": nil, "country": "DE"}
	}
	ada := promoter(1, "ada@example.com")
	ada["name"], ada["profile"] = "Ada Lovelace", profile("Ada", "Lovelace")
	ada["promoter_campaigns"] = []any{campaign("Main", "ada", "accepted"), campaign("Pro", "ada-pro", "accepted")}
	bob := promoter(2, "bob@example.com")
	bob["name"], bob["profile"] = "Bob Builder", nil
	bob["promoter_campaigns"] = []any{campaign("Pro", "bob-p", "pending"), campaign("Main", "bob", "accepted")}
	bob["parent_promoter"] = map[string]any{"id": 1, "email": "ada@example.com", "name": "Ada Lovelace"}
	nomail := promoter(3, nil)
	nomail["name"], nomail["promoter_campaigns"] = "No Mail", []any{campaign("Main", "nomail", "accepted")}
	again := promoter(4, "ADA@example.com")
	again["name"], again["promoter_campaigns"] = "Ada Again", []any{campaign("Main", "ada-3", "accepted")}
	cy := promoter(5, "cy@example.com")
	cy["name"], cy["profile"] = "Cy", profile("Cy", "")
	cy["promoter_campaigns"] = []any{campaign("Main", "cy", "rejected")}
	cy["parent_promoter"] = map[string]any{"id": 7, "email": "gus@example.com", "name": "Gus"}
	di := promoter(6, "di@example.com")
	di["name"], di["promoter_campaigns"], di["archived_at"] = "Di Archived", []any{}, "2024-06-01T00:00:00Z"
	di["temp_password"] = "tmp-Pa55word-9f8e7d"
	gus := promoter(7, "gus@example.com")
	gus["name"], gus["promoter_campaigns"] = "Gus", []any{campaign("Main", "gus", "accepted")}
	hal := promoter(8, "hal@example.com")
	hal["name"], hal["promoter_campaigns"] = "Hal Orphan", []any{campaign("Main", "hal", "accepted")}
	hal["parent_promoter"] = map[string]any{"id": 3, "email": nil, "name": "No Mail"}
	ivo := promoter(9, "ivo@example.com")
	ivo["name"], ivo["promoter_campaigns"] = "Ivo", []any{campaign("Main", "ivo", "accepted")}
	ivo["parent_promoter"] = map[string]any{"id": 7, "email": "gus@example.com", "name": "Gus"}

	referral := func(id int, uid any, email any, state string, promoter any) map[string]any {
		r := map[string]any{"id": id, "uid": uid, "email": email, "state": state, "customer_since": "2024-02-01T00:00:00Z",
			"created_at": "2024-02-01T00:00:00Z", "promoter_campaign": nil}
		if promoter != nil {
			r["promoter_campaign"] = map[string]any{"promoter": promoter}
		}
		return r
	}
	named := func(r map[string]any, first, last string) map[string]any {
		r["first_name"], r["last_name"] = first, last
		return r
	}
	byID := func(id int) map[string]any { return map[string]any{"id": id} }

	commission := func(id int, status string, paid bool, unit string, cents, saleCents any, referral any) map[string]any {
		return map[string]any{"id": id, "status": status, "is_paid": paid, "unit": unit, "amount": cents, "sale_amount": saleCents,
			"is_self_referral": false, "commission_type": "sale", "created_at": "2024-03-01T10:00:00Z",
			"original_sale_amount": saleCents, "original_sale_currency": nil, "referral": referral}
	}
	eur := commission(201, "approved", true, "cash", 990, 9990, map[string]any{"id": 101, "email": "carol@example.com", "uid": "cus_1"})
	eur["original_sale_currency"] = "EUR"
	jpy := commission(202, "pending", false, "cash", "500", "5000", map[string]any{"email": "DAN@example.com", "uid": nil})
	jpy["original_sale_currency"], jpy["sale"], jpy["tier"] = "JPY", map[string]any{"id": "ch_202"}, 1
	ofPromoter := func(c map[string]any, id int, email string) map[string]any {
		c["promoter_campaign"] = map[string]any{"promoter": map[string]any{"id": id, "email": email}}
		return c
	}
	// Bob's sale (referral 102) gives his parent Ada a tier-2 commission.
	jpyTier2 := ofPromoter(commission(211, "approved", false, "cash", "250", "5000", map[string]any{"email": "dan@example.com"}), 1, "ada@example.com")
	jpyTier2["sale"], jpyTier2["tier"] = map[string]any{"id": "ch_202"}, 2
	jpyAgain := ofPromoter(commission(215, "approved", false, "cash", "500", "5000", map[string]any{"email": "dan@example.com"}), 2, "bob@example.com")
	jpyAgain["sale"] = map[string]any{"id": "ch_202"}
	// Cy's sale (referral 109) gives her parent Gus one; no tier field.
	ivy := ofPromoter(commission(213, "approved", true, "cash", 700, 7000, byID(109)), 5, "cy@example.com")
	ivy["event_id"] = "evt_9"
	ivyTier2 := ofPromoter(commission(214, "approved", true, "cash", 350, 7000, byID(109)), 7, "gus@example.com")
	ivyTier2["event_id"] = "evt_9"
	// Ivo's sale (referral 110) gives his parent Gus one; no tier field.
	jo := ofPromoter(commission(218, "approved", true, "cash", 800, 8000, byID(110)), 9, "ivo@example.com")
	jo["event_id"] = "evt_10"
	joTier2 := ofPromoter(commission(219, "approved", true, "cash", 400, 8000, byID(110)), 7, "gus@example.com")
	joTier2["event_id"] = "evt_10"
	// Ada's tier-2 commission of a sale no direct commission is listed of.
	tierOnly := ofPromoter(commission(217, "approved", false, "cash", "150", "3000", map[string]any{"email": "dan@example.com"}), 1, "ada@example.com")
	tierOnly["sale"], tierOnly["tier"] = map[string]any{"id": "ch_299"}, 2
	self := commission(204, "approved", true, "cash", 100, 1000, map[string]any{"id": 101})
	self["is_self_referral"] = true
	converted := commission(208, "approved", true, "cash", 1250, 12500, map[string]any{"id": 105, "uid": "cus_5"})
	converted["original_sale_amount"], converted["original_sale_currency"] = 11000, "GBP"
	kwd := commission(209, "approved", false, "cash", 1500, 12345, map[string]any{"uid": "cus_5"})
	kwd["currency"] = "KWD"
	custom := commission(210, "approved", false, "cash", 1000, 0, map[string]any{"id": 109})
	custom["commission_type"] = "custom"

	return &FirstPromoter{
		Key: key, Account: account,
		Promoters: []map[string]any{ada, bob, nomail, again, cy, di, gus, hal, ivo},
		Referrals: []map[string]any{
			named(referral(101, "cus_1", "carol@example.com", "active", map[string]any{"id": 1, "email": "ada@example.com"}), "Carol", "Client"),
			referral(102, nil, "dan@example.com", "signup", map[string]any{"id": 2, "email": "bob@example.com"}),
			referral(103, "cus_3", "erin@example.com", "denied", map[string]any{"id": 1, "email": "ada@example.com"}),
			referral(104, "cus_4", "fay@example.com", "active", map[string]any{"id": 3, "email": nil}),
			referral(105, "cus_5", "gil@example.com", "subscribed", map[string]any{"id": 4, "email": "ADA@example.com"}),
			referral(106, "cus_1", "carol@example.com", "active", map[string]any{"id": 2, "email": "bob@example.com"}),
			referral(107, "cus_7", "hank@example.com", "active", nil),
			referral(108, "cus_8", nil, "cancelled", map[string]any{"id": 99, "email": "gus@example.com"}),
			referral(109, "cus_9", "ivy@example.com", "active", map[string]any{"id": 5, "email": "cy@example.com"}),
			referral(110, "cus_10", "jo@example.com", "active", map[string]any{"id": 9, "email": "ivo@example.com"}),
		},
		Commissions: []map[string]any{
			eur,
			jpyTier2, // listed before the direct commission of its sale
			jpy,
			commission(203, "denied", false, "cash", 300, 3000, byID(101)),
			self,
			commission(205, "approved", true, "credits", 500, 5000, byID(101)),
			commission(206, "approved", false, "cash", 100, 1000, nil),
			commission(207, "approved", false, "cash", 100, 1000, byID(103)),
			converted,
			kwd,
			custom,
			eur, // listed twice
			ivy,
			ivyTier2,
			joTier2, // listed before the direct commission of its sale
			jo,
			jpyAgain,
			// Ada's tier-2 commission of a sale named neither way.
			ofPromoter(commission(216, "approved", false, "cash", "100", "2000", byID(102)), 1, "ada@example.com"),
			tierOnly,
		},
	}
}
