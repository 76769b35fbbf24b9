package fake

// PartnerStackSample is a small program with the variations PartnerStack's
// documentation allows or Dub's importer met: a partnership without email,
// two of one email, one without group, one whose group has only a slug, a
// numeric key; links several, none, unknown (404), wrapped in data, with
// spaces and trailing slashes, one whose key another partner has; a test
// customer, one without customer_key, one whose partnership was not
// carried, one of a duplicate partnership, one listed twice; transactions
// in USD, JPY, KWD and EUR with times in milliseconds as numbers and
// text, one listed twice, a refund, one of a test customer, one without
// rewards; rewards paid, pending, approved, declined, of no transaction
// and of one not listed.
func PartnerStackSample(public, secret string) *PartnerStack {
	const created = 1709287200000 // 2024-03-01T10:00:00Z
	gold := map[string]any{"slug": "gold", "name": "Gold"}
	link := func(key, url string) map[string]any {
		return map[string]any{"key": key, "dest": "https://example.com", "url": url}
	}
	partnership := func(key any, email any, first, last string, group any) map[string]any {
		return map[string]any{"key": key, "email": email, "first_name": first, "last_name": last, "group": group,
			"stats": map[string]any{"CUSTOMER_COUNT": 1}, "partner_key": "part_" + text(key), "created_at": created}
	}
	customer := func(key string, customerKey, email any, name string, partnership any, test bool) map[string]any {
		return map[string]any{"key": key, "customer_key": customerKey, "email": email, "name": name,
			"partnership_key": partnership, "partner_key": "part_" + text(partnership), "provider_key": "cus_stripe_" + key,
			"test": test, "created_at": created}
	}
	transaction := func(key string, cents any, currency, customer string, at any) map[string]any {
		return map[string]any{"key": key, "amount": cents, "currency": currency, "customer_key": customer,
			"product_key": "pro", "created_at": at}
	}
	reward := func(key string, cents any, status, transaction string) map[string]any {
		r := map[string]any{"key": key, "amount": cents, "status": status, "created_at": created}
		if transaction != "" {
			r["transaction_key"] = transaction
		}
		return r
	}
	rewardOf := reward("rw6", "1500", "approved", "")
	rewardOf["transaction"] = map[string]any{"key": "tx4"}
	return &PartnerStack{
		PublicKey: public, SecretKey: secret,
		Partnerships: []map[string]any{
			partnership("ps1", "ada@example.com", "Ada", "Lovelace", gold),
			partnership("ps2", "bob@example.com", "Bob", "", nil),
			partnership("ps3", nil, "Nomail", "Person", gold),
			partnership("ps4", "cy@example.com", "Cy", "Slug", map[string]any{"slug": "silver"}),
			partnership("ps5", "ADA@example.com", "Ada", "Again", gold),
			partnership("ps6", "di@example.com", "Di", "Wrapped", gold),
			partnership(7, "eve@example.com", "Eve", "Numeric", gold),
		},
		Links: map[string]any{
			"ada@example.com": []any{link("l1", "https://try.example.com/ada9x"), link("l2", " https://try.example.com/ada-promo/ ")},
			"bob@example.com": []any{},
			"di@example.com":  map[string]any{"data": []any{link("l3", " https://try.example.com/di "), link("l4", "https://try.example.com/ada9x")}},
			"eve@example.com": []any{link("l5", "https://try.example.com/eve?utm_source=x")},
		},
		Customers: []map[string]any{
			customer("cust_1", "cus_A", "carol@example.com", "Carol Client", "ps1", false),
			customer("cust_2", nil, nil, "Dan", "ps2", false),
			customer("cust_3", "cus_T", "test@example.com", "Test", "ps1", true),
			customer("cust_4", "cus_N", "nora@example.com", "Nora", "ps3", false),
			customer("cust_5", "cus_D", "dup@example.com", "Dupe", "ps5", false),
			customer("cust_6", "cus_A", "carol@example.com", "Carol Again", "ps2", false),
			customer("cust_7", "cus_C", "cyc@example.com", "Cyc", "ps4", false),
			customer("cust_8", "cus_E", "", "Eva", 7, false),
		},
		Transactions: []map[string]any{
			transaction("tx1", 9990, "usd", "cus_A", created),
			transaction("tx2", 5000, "JPY", "cust_2", "1709287200000"),
			transaction("tx3", 3000, "USD", "cus_C", created),
			transaction("tx4", "12345", "KWD", "cust_5", created),
			transaction("tx5", 1000, "USD", "cus_T", created),
			transaction("tx6", 2000, "EUR", "cus_E", created),
			transaction("tx1", 9990, "USD", "cus_A", created),
			transaction("tx7", -500, "USD", "cus_A", created),
		},
		Rewards: []map[string]any{
			reward("rw1", 990, "paid", "tx1"),
			reward("rw2", 10, "paid", "tx1"),
			reward("rw3", 500, "pending", "tx2"),
			reward("rw4", 300, "declined", "tx3"),
			reward("rw5", 2500, "paid", ""),
			rewardOf,
			reward("rw7", 100, "hold", "tx9"),
			reward("rw8", 100, "paid", "tx5"),
		},
	}
}
