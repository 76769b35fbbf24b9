package fake

// ToltSample is a small program with the variations Tolt's documentation
// allows or Dub's importer met, over pages of two records: partners
// active, pending and suspended, one without email, two of one email, ids
// part_... and a UUID; several links per partner, values with spaces and
// accents, a value another partner holds already, a partner without
// links; customers (nested in data.data) without email, without partner,
// of a partner not carried, of a partner left out as a duplicate; commissions paid, approved and
// pending, rejected and refunded, amounts and revenue as strings, a null
// revenue, a number, an unreadable amount, two commissions of one
// transaction, one with a charge id only.
func ToltSample(key, program string) *Tolt {
	partner := func(id, first, last, email, status, group string) map[string]any {
		p := map[string]any{"id": id, "first_name": first, "last_name": last, "email": email, "company_name": "",
			"status": status, "group_id": group, "country_code": "US", "created_at": "2024-01-02T03:04:05.000Z"}
		if email == "" {
			p["email"] = nil
		}
		return p
	}
	link := func(id, value, partner string) map[string]any {
		return map[string]any{"id": id, "param": "ref", "value": value, "partner_id": partner,
			"partner": map[string]any{"id": partner}}
	}
	customer := func(id, name, email, partner string) map[string]any {
		c := map[string]any{"id": id, "name": name, "email": email, "partner_id": partner, "customer_id": nil,
			"status": "active", "created_at": "2024-02-01T00:00:00.000Z"}
		if partner == "" {
			c["partner_id"] = nil
		}
		return c
	}
	commission := func(id string, amount, revenue any, status, transaction, customer string) map[string]any {
		return map[string]any{"id": id, "amount": amount, "revenue": revenue, "status": status, "transaction_id": transaction,
			"charge_id": "ch_" + id, "customer_id": customer, "created_at": "2024-03-01T10:00:00.000Z",
			"customer":    map[string]any{"id": customer},
			"transaction": map[string]any{"id": transaction, "created_at": "2024-03-01T09:00:00.000Z"}}
	}
	const uuid = "3f2c7a10-0000-4000-8000-00000000000c"
	c8 := commission("com_8", 250, "2500", "approved", "", "cus_1")
	delete(c8, "transaction")
	c8["transaction_id"] = nil
	c3 := commission("com_3", "150", "1500", "pending", "tx_3", "cus_5")
	c3["transaction"].(map[string]any)["currency"] = "eur"
	return &Tolt{
		Key: key, ProgramID: program, MaxLimit: 2,
		Partners: []map[string]any{
			partner("part_1", "Ada", "Lovelace", "ada@example.com", "active", "grp_main"),
			partner("part_2", "Bob", "Smith", "bob@example.com", "pending", "grp_main"),
			partner(uuid, "Nomail", "Person", "", "active", "grp_main"),
			partner("part_4", "Cy", "", "cy@example.com", "suspended", ""),
			partner("part_5", "Ada", "Again", "ADA@example.com", "active", "grp_main"),
			partner("part_6", "Dee", "Taken", "dee@example.com", "active", "grp_vip"),
		},
		Links: []map[string]any{
			link("lnk_1", "ada", "part_1"),
			link("lnk_2", "bob smith", "part_2"),
			link("lnk_3", "ada two", "part_1"),
			link("lnk_4", "nomail", uuid),
			link("lnk_5", "ada", "part_6"),
			link("lnk_6", "josé  d'arc", "part_6"),
			link("lnk_7", "ada-again", "part_5"),
		},
		Customers: []map[string]any{
			customer("cus_1", "Carol Client", "carol@example.com", "part_1"),
			customer("cus_2", "Dan", "", "part_2"),
			customer("cus_3", "Eve", "eve@example.com", uuid),
			customer("cus_4", "Fay", "fay@example.com", ""),
			customer("cus_5", "Gus", "gus@example.com", "part_5"),
			customer("cus_6", "Hal", "hal@example.com", "part_6"),
		},
		Commissions: []map[string]any{
			commission("com_1", "990", "9990", "paid", "tx_1", "cus_1"),
			commission("com_2", "500", nil, "approved", "tx_2", "cus_2"),
			c3,
			commission("com_4", "300", "3000", "rejected", "tx_4", "cus_1"),
			commission("com_5", "300", "3000", "refunded", "tx_5", "cus_6"),
			commission("com_6", "100", "9990", "paid", "tx_1", "cus_1"),
			commission("com_7", "200", "2000", "pending", "tx_7", "cus_3"),
			c8,
			commission("com_9", "12.5", "125", "paid", "tx_9", "cus_6"),
			commission("com_10", "1000", "10000", "paid", "tx_10", "cus_6"),
		},
	}
}
