package fake

import (
	"encoding/json"
	"strconv"
	"strings"
)

// TapfiliateSample is a small program, three records a page, with the
// variations Tapfiliate's documentation allows or other importers met: an
// affiliate without email (the key absent, or null), a group id as a
// number and as text, MLM parents listed before and after their children,
// as an id and as an object, a parent not carried, two affiliates of one
// email; a customer without customer_id, one with a null affiliate, one
// of an affiliate not carried, one listed twice; conversions with a
// regular and an MLM commission, paid out and not, amounts in cents (as
// ../shared/sources/README.md says: InMajorUnits serves them as decimals
// of the currency instead) as numbers and strings, in EUR and JPY, a disapproved one, one without
// commissions, one with a null amount, one with an amount in exponent form, one with mixed currencies, one
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
			{"id": 101, "external_id": "ORD-1", "amount": 9990, "customer": map[string]any{"customer_id": "cus_001"},
				"commissions": []any{commission(999, "EUR", "regular", true, paid), commission(150, "EUR", "mlm", true, paid)},
				"created_at":  "2024-03-01T10:00:00+00:00"},
			{"id": 102, "external_id": nil, "amount": "5000", "customer": map[string]any{"customer_id": "cus_002"},
				"commissions": []any{commission(500, "JPY", "regular", nil, nil)}, "created_at": "2024-03-02T10:00:00+00:00"},
			{"id": 103, "amount": 4000, "customer": map[string]any{"id": "cu_3"},
				"commissions": []any{commission(400, "EUR", "regular", true, nil), commission("125", "EUR", "recurring", true, paid)},
				"created_at":  "2024-03-03T10:00:00+00:00"},
			{"id": 104, "amount": 3000, "customer": map[string]any{"customer_id": "cus_001"},
				"commissions": []any{commission(300, "EUR", "regular", false, nil)}, "created_at": "2024-03-04T10:00:00+00:00"},
			{"id": 105, "amount": 2000, "customer": map[string]any{"customer_id": "cus_001"}, "commissions": []any{},
				"created_at": "2024-03-05T10:00:00+00:00"},
			{"id": 106, "amount": nil, "customer": map[string]any{"customer_id": "cus_006"},
				"commissions": []any{commission(250, "EUR", "regular", true, paid)}, "created_at": "2024-03-06T10:00:00+00:00"},
			{"id": 107, "amount": 1000, "customer": map[string]any{"customer_id": "cus_002"},
				"commissions": []any{commission(100, "EUR", "regular", true, nil), commission(100, "JPY", "regular", true, nil)}},
			{"id": 108, "amount": 1000, "customer": nil, "commissions": []any{commission(100, "EUR", "regular", true, nil)}},
			{"id": 109, "amount": 1000, "customer": map[string]any{"customer_id": "cus_005"},
				"commissions": []any{commission(100, "EUR", "regular", true, nil)}},
			{"id": 102, "amount": "5000", "customer": map[string]any{"customer_id": "cus_002"},
				"commissions": []any{commission(500, "JPY", "regular", nil, nil)}},
			{"id": 110, "amount": "1e3", "customer": map[string]any{"customer_id": "cus_002"},
				"commissions": []any{commission(100, "EUR", "regular", true, nil)}},
		},
	}
}

// InMajorUnits serves f's conversion and commission amounts given in
// cents as decimals of their currency instead (9990 EUR as 99.9), as
// Tapfiliate's own reference types them: what --amounts-in major reads.
// An amount that is not a whole number is served as it is.
func (f *Tapfiliate) InMajorUnits() *Tapfiliate {
	for _, c := range f.Conversions {
		commissions, _ := c["commissions"].([]any)
		currency := "EUR" // the conversion's: its first commission's
		for i, k := range commissions {
			k := k.(map[string]any)
			if i == 0 {
				currency = k["currency"].(string)
			}
			k["amount"] = inMajor(k["amount"], k["currency"].(string))
		}
		c["amount"] = inMajor(c["amount"], currency)
	}
	return f
}

// inMajor is an amount in cents as a decimal of currency: a number
// stays a number, a text a text.
func inMajor(amount any, currency string) any {
	var cents int64
	switch a := amount.(type) {
	case int:
		cents = int64(a)
	case int64:
		cents = a
	case string:
		n, err := strconv.ParseInt(a, 10, 64)
		if err != nil {
			return amount
		}
		return majorText(n, currency)
	default:
		return amount
	}
	major := majorText(cents, currency)
	if strings.Contains(major, ".") { // as a JSON number is written: 99.9
		major = strings.TrimRight(strings.TrimRight(major, "0"), ".")
	}
	return json.Number(major)
}
