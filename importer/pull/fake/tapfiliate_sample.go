package fake

// TapfiliateSample is a small program, three records a page, with the
// variations Tapfiliate's documentation allows or other importers met: an
// affiliate without email (the key absent, or null), a group id as a
// number and as text, MLM parents listed before and after their children,
// as an id and as an object, a parent not carried, two affiliates of one
// email; a customer without customer_id, one with a null affiliate, one
// of an affiliate not carried, one listed twice; conversions with a
// regular and an MLM commission, paid out and not, amounts as decimals,
// integers and strings, in EUR and JPY, a disapproved one, one without
// commissions, one with a null amount, one with mixed currencies, one
// without a customer, one naming its customer by id, and one listed twice.
func TapfiliateSample(key string) *Tapfiliate {
	commission := func(amount any, currency, kind string, approved any, payout any) map[string]any {
		return map[string]any{"amount": amount, "currency": currency, "kind": kind, "approved": approved, "payout": payout}
	}
	paid := map[string]any{"id": "po_1", "paid_at": "2024-04-01T00:00:00+00:00"}
	return &Tapfiliate{
		Key:     key,
		PerPage: 3,
		Affiliates: []map[string]any{
			{"id": "janejameson", "firstname": "Jane", "lastname": "Jameson", "email": "jane@example.com",
				"affiliate_group_id": "gr_partners", "parent_id": nil, "created_at": "2024-01-01T10:00:00+00:00"},
			{"id": "kid", "firstname": "Kim", "lastname": "Kid", "email": "kim@example.com", "parent_id": "janejameson",
				"affiliate_group_id": 7},
			{"id": "early", "firstname": "Eli", "lastname": "Early", "email": "eli@example.com",
				"parent_id": map[string]any{"id": "latecomer"}}, // its parent is listed later
			{"id": "nomail", "firstname": "No", "lastname": "Mail"}, // email absent
			{"id": "orphan", "firstname": "Ola", "lastname": "Orphan", "email": "ola@example.com", "parent_id": "nomail"},
			{"id": "latecomer", "firstname": "Lu", "lastname": "Late", "email": "lu@example.com", "company": map[string]any{"name": "Lu Ltd"}},
			{"id": "janetwo", "firstname": "Jane", "lastname": "Again", "email": "JANE@example.com"},
			{"id": "nullmail", "firstname": "Nu", "email": nil, "address": map[string]any{"country": map[string]any{"code": "NL"}}},
		},
		Customers: []map[string]any{
			{"id": "cu_1", "customer_id": "cus_001", "status": "paying", "affiliate": map[string]any{"id": "janejameson"}},
			{"id": "cu_2", "customer_id": "cus_002", "status": "trial", "affiliate": map[string]any{"id": "kid"}},
			{"id": "cu_3", "customer_id": nil, "status": "paying", "affiliate": map[string]any{"id": "latecomer"}},
			{"id": "cu_4", "customer_id": "cus_004", "status": "paying", "affiliate": nil},
			{"id": "cu_5", "customer_id": "cus_005", "status": "paying", "affiliate": map[string]any{"id": "nomail"}},
			{"id": "cu_6", "customer_id": "cus_006", "status": "paying", "affiliate": map[string]any{"id": "janetwo"}},
			{"id": "cu_7", "customer_id": "cus_001", "status": "paying", "affiliate": map[string]any{"id": "kid"}},
		},
		Conversions: []map[string]any{
			{"id": 101, "external_id": "ORD-1", "amount": 99.9, "customer": map[string]any{"customer_id": "cus_001"},
				"commissions": []any{commission(9.99, "EUR", "regular", true, paid), commission(1.5, "EUR", "mlm", true, paid)},
				"created_at":  "2024-03-01T10:00:00+00:00"},
			{"id": 102, "external_id": nil, "amount": "5000", "customer": map[string]any{"customer_id": "cus_002"},
				"commissions": []any{commission(500, "JPY", "regular", nil, nil)}, "created_at": "2024-03-02T10:00:00+00:00"},
			{"id": 103, "amount": 40, "customer": map[string]any{"id": "cu_3"},
				"commissions": []any{commission(4, "EUR", "regular", true, nil), commission("1.25", "EUR", "recurring", true, paid)},
				"created_at":  "2024-03-03T10:00:00+00:00"},
			{"id": 104, "amount": 30, "customer": map[string]any{"customer_id": "cus_001"},
				"commissions": []any{commission(3, "EUR", "regular", false, nil)}, "created_at": "2024-03-04T10:00:00+00:00"},
			{"id": 105, "amount": 20, "customer": map[string]any{"customer_id": "cus_001"}, "commissions": []any{},
				"created_at": "2024-03-05T10:00:00+00:00"},
			{"id": 106, "amount": nil, "customer": map[string]any{"customer_id": "cus_006"},
				"commissions": []any{commission(2.5, "EUR", "regular", true, paid)}, "created_at": "2024-03-06T10:00:00+00:00"},
			{"id": 107, "amount": 10, "customer": map[string]any{"customer_id": "cus_002"},
				"commissions": []any{commission(1, "EUR", "regular", true, nil), commission(100, "JPY", "regular", true, nil)}},
			{"id": 108, "amount": 10, "customer": nil, "commissions": []any{commission(1, "EUR", "regular", true, nil)}},
			{"id": 109, "amount": 10, "customer": map[string]any{"customer_id": "cus_005"},
				"commissions": []any{commission(1, "EUR", "regular", true, nil)}},
			{"id": 102, "amount": "5000", "customer": map[string]any{"customer_id": "cus_002"},
				"commissions": []any{commission(500, "JPY", "regular", nil, nil)}},
			{"id": 110, "amount": 12.345, "customer": map[string]any{"customer_id": "cus_002"},
				"commissions": []any{commission(1, "EUR", "regular", true, nil)}},
		},
	}
}
