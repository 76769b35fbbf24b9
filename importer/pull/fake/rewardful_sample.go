package fake

// RewardfulSample is a small program with the variations Rewardful's
// documentation allows or Dub's importer met: a "Unknown" last name, an
// affiliate without email, without campaign, without links, with two
// links, an id that is not a UUID, two affiliates of one email; a
// referral with a null customer, one still a visitor, one of an affiliate
// not carried, a customer referred twice; commissions paid, due and
// voided, in EUR, JPY and KWD, amounts as numbers and as strings, two
// commissions of one sale, one without a sale.
func RewardfulSample(secret string) *Rewardful {
	campaign := map[string]any{"id": "c1", "name": "Partners 2024"}
	link := func(token string) map[string]any {
		return map[string]any{"id": "l-" + token, "url": "https://example.com/?via=" + token, "token": token}
	}
	customer := func(id, name, email string) map[string]any {
		return map[string]any{"id": id, "name": name, "email": email, "platform": "stripe"}
	}
	sale := func(id, referral string, cents any, currency string) map[string]any {
		return map[string]any{"id": id, "charged_at": "2024-03-01T10:00:00Z", "sale_amount_cents": cents, "currency": currency,
			"referral": map[string]any{"id": referral}}
	}
	return &Rewardful{
		Secret: secret,
		Affiliates: []map[string]any{
			{"id": "7c1d0a52-0000-4000-8000-000000000001", "first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com",
				"state": "active", "campaign": campaign, "links": []any{link("ada"), link("ada-2")}},
			{"id": "7c1d0a52-0000-4000-8000-000000000002", "first_name": "Bob", "last_name": "Unknown", "email": "bob@example.com",
				"state": "active", "campaign": campaign, "links": []any{link("bob")}},
			{"id": "7c1d0a52-0000-4000-8000-000000000003", "first_name": "Nomail", "last_name": "Person", "email": nil,
				"state": "active", "campaign": campaign, "links": []any{link("nomail")}},
			{"id": 4, "first_name": "Cy", "last_name": "Numeric", "email": "cy@example.com", "state": "inactive",
				"links": []any{link("cy")}}, // no campaign, a numeric id
			{"id": "not-a-uuid", "first_name": "Di", "last_name": "Nolinks", "email": "di@example.com", "state": "active",
				"campaign": campaign, "links": []any{}},
			{"id": "7c1d0a52-0000-4000-8000-000000000006", "first_name": "Ada", "last_name": "Again", "email": "ADA@example.com",
				"state": "active", "campaign": campaign, "links": []any{link("ada-3")}},
		},
		Referrals: []map[string]any{
			{"id": "r1", "conversion_state": "conversion", "affiliate": map[string]any{"id": "7c1d0a52-0000-4000-8000-000000000001"},
				"customer": customer("cus_1", "Carol Client", "carol@example.com")},
			{"id": "r2", "conversion_state": "lead", "affiliate": map[string]any{"id": "7c1d0a52-0000-4000-8000-000000000002"},
				"customer": customer("cus_2", "Dan", "")},
			{"id": "r3", "conversion_state": "lead", "affiliate": map[string]any{"id": "7c1d0a52-0000-4000-8000-000000000001"},
				"customer": nil},
			{"id": "r4", "conversion_state": "visitor", "affiliate": map[string]any{"id": "7c1d0a52-0000-4000-8000-000000000001"},
				"customer": nil},
			{"id": "r5", "conversion_state": "conversion", "affiliate": map[string]any{"id": "7c1d0a52-0000-4000-8000-000000000003"},
				"customer": customer("cus_3", "Eve", "eve@example.com")},
			{"id": "r6", "conversion_state": "conversion", "affiliate": map[string]any{"id": 4},
				"customer": customer("cus_4", "Fay", "fay@example.com")},
			{"id": "r7", "conversion_state": "conversion", "affiliate": map[string]any{"id": "7c1d0a52-0000-4000-8000-000000000006"},
				"customer": customer("cus_5", "Gus", "gus@example.com")},
			{"id": "r8", "conversion_state": "conversion", "affiliate": map[string]any{"id": "7c1d0a52-0000-4000-8000-000000000002"},
				"customer": customer("cus_1", "Carol Client", "carol@example.com")},
		},
		Commissions: []map[string]any{
			{"id": "k1", "amount": 990, "currency": "EUR", "state": "paid", "paid_at": "2024-04-01T00:00:00Z", "sale": sale("s1", "r1", 9990, "EUR")},
			{"id": "k2", "amount": "500", "currency": "JPY", "state": "due", "sale": sale("s2", "r2", "5000", "JPY")},
			{"id": "k3", "amount": 1500, "currency": "KWD", "state": "pending", "sale": sale("s3", "r6", 12345, "KWD")},
			{"id": "k4", "amount": 300, "currency": "EUR", "state": "voided", "sale": sale("s4", "r1", 3000, "EUR")},
			{"id": "k5", "amount": 100, "currency": "EUR", "state": "paid", "sale": sale("s1", "r1", 9990, "EUR")},
			{"id": "k6", "amount": 100, "currency": "EUR", "state": "paid", "sale": nil},
			{"id": "k7", "amount": 200, "currency": "EUR", "state": "paid", "sale": sale("s7", "r5", 2000, "EUR")},
			{"id": "k8", "amount": 250, "currency": "EUR", "state": "paid", "sale": sale("s8", "r7", 2500, "EUR")},
		},
	}
}
