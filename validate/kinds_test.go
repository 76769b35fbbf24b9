package validate

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/partnero-import/partnero-import/importer/input"
	"github.com/partnero-import/partnero-import/report"
)

// judgeKeys runs both passes of a KeyPlan over rows, and checks that the
// verdict given as a row is added is the one given again after Finish.
func judgeKeys(t *testing.T, p *KeyPlan, rows ...*input.Record) []Verdict {
	t.Helper()
	out := make([]Verdict, len(rows))
	for i, r := range rows {
		c := p.Check(r)
		p.Touch(&c)
		ps := p.AddChecked(r, c)
		v, now := p.JudgeNow(r.Row, Create, slices.Clone(ps))
		if !now {
			t.Fatalf("row %d: no verdict as it was added", r.Row)
		}
		out[i] = v
	}
	p.Finish()
	for i, r := range rows {
		if v := p.Judge(r); v != out[i] {
			t.Errorf("row %d judged as it was added: %+v, after Finish: %+v", r.Row, out[i], v)
		}
	}
	return out
}

// A customer row's problems, all in its message, the first by the
// contract's order its reason.
func TestCustomerRow(t *testing.T) {
	t.Parallel()
	ok := input.Fields{Key: "cus_1", Email: "ann@x.io", PartnerKey: "bob"}
	with := func(change func(*input.Fields)) input.Fields { f := ok; change(&f); return f }
	cases := []struct {
		name   string
		fields input.Fields
		reason report.Reason
		says   []string
	}{
		{"valid", ok, "", nil},
		{"key an email", with(func(f *input.Fields) { f.Key = "Ann.Lee+shop@x.io" }), "", nil},
		{"no email at all", with(func(f *input.Fields) { f.Email = "" }), "", nil},
		{"partner by id", with(func(f *input.Fields) { f.PartnerKey, f.PartnerID = "", "p_9" }), "", nil},
		{"partner by email", with(func(f *input.Fields) { f.PartnerKey, f.PartnerEmail = "", "bob@x.io" }), "", nil},
		{"missing key", with(func(f *input.Fields) { f.Key = "" }), report.MissingKey, []string{"key: missing"}},
		{"invalid email", with(func(f *input.Fields) { f.Email = "ann" }), report.InvalidEmail, []string{"email: has no @"}},
		{"partner email not an email", with(func(f *input.Fields) { f.PartnerKey, f.PartnerEmail = "", "Bob Lee" }), report.InvalidEmail,
			[]string{`partner_email: "Bob Lee" is not an email`}},
		{"no partner", with(func(f *input.Fields) { f.PartnerKey = "" }), report.MissingPartner, []string{"partner_key, partner_id or partner_email: none"}},
		{"name too long", with(func(f *input.Fields) { f.Name = strings.Repeat("é", 101) }), report.FieldTooLong, []string{"name: 101 characters, over 100"}},
		{"name at its limit", with(func(f *input.Fields) { f.Name = strings.Repeat("é", 100) }), "", nil},
		{"key of 255", with(func(f *input.Fields) { f.Key = strings.Repeat("k", 255) }), "", nil},
		{"key too long", with(func(f *input.Fields) { f.Key = strings.Repeat("k", 256) }), report.FieldTooLong, []string{"key: 256 characters, over 255"}},
		{"partner key too long", with(func(f *input.Fields) { f.PartnerKey = strings.Repeat("k", 65) }), report.FieldTooLong, []string{"partner_key: 65 characters, over 64"}},
		{"a tag too long", with(func(f *input.Fields) { f.Tags = []string{"vip", strings.Repeat("t", 256)} }), report.FieldTooLong, []string{"tags: 256"}},
		{"all at once, in order", input.Fields{Email: "a@", Name: strings.Repeat("n", 101)}, report.MissingKey,
			[]string{"key: missing", "email: has nothing after", "none is given", "name: 101"}},
	}
	for _, c := range cases {
		ps := CustomerRow(rec(1, c.fields))
		checkProblems(t, c.name, ps, c.reason, c.says)
	}
	unreadable := &input.Record{Row: 1, Err: errors.New("wrong number of fields")}
	checkProblems(t, "unreadable", CustomerRow(unreadable), report.InvalidRow, []string{"wrong number of fields"})
	filtered := rec(1, input.Fields{})
	filtered.Filtered = "--where: country is not FR"
	checkProblems(t, "filtered", CustomerRow(filtered), report.Filtered, []string{"--where"})
}

func TestTransactionRow(t *testing.T) {
	t.Parallel()
	ok := input.Fields{Key: "ch_1", CustomerKey: "cus_1", Amount: "99.90", Currency: "EUR", CreatedAt: "2024-05-01"}
	with := func(change func(*input.Fields)) input.Fields { f := ok; change(&f); return f }
	cases := []struct {
		name   string
		fields input.Fields
		reason report.Reason
		says   []string
	}{
		{"valid", ok, "", nil},
		{"customer by email", with(func(f *input.Fields) { f.CustomerKey, f.CustomerEmail = "", "ann@x.io" }), "", nil},
		{"reward only", with(func(f *input.Fields) { f.Amount, f.Reward = "", "9.99" }), "", nil},
		{"cents", with(func(f *input.Fields) { f.Amount, f.AmountCents = "", "9990" }), "", nil},
		{"program's currency, no date", with(func(f *input.Fields) { f.Currency, f.CreatedAt = "", "" }), "", nil},
		{"flags", with(func(f *input.Fields) { f.Rewarded, f.Rewardable = "TRUE", "no" }), "", nil},
		{"missing key", with(func(f *input.Fields) { f.Key = "" }), report.MissingKey, []string{"key: missing"}},
		{"missing customer", with(func(f *input.Fields) { f.CustomerKey = "" }), report.MissingCustomer, []string{"customer_key or customer_email: neither"}},
		{"no money", with(func(f *input.Fields) { f.Amount = "" }), report.InvalidAmount, []string{"amount, amount_cents or reward: none"}},
		{"negative", with(func(f *input.Fields) { f.Amount = "-5" }), report.InvalidAmount, []string{"amount: \"-5\" is negative"}},
		{"both marks", with(func(f *input.Fields) { f.Amount = "1.234,56" }), report.InvalidAmount, []string{"has both . and ,"}},
		{"both amounts", with(func(f *input.Fields) { f.AmountCents = "9990" }), report.InvalidAmount, []string{"both are given"}},
		{"too many decimals", with(func(f *input.Fields) { f.Amount = "9.999" }), report.InvalidAmount, []string{"EUR has 2"}},
		{"bad reward", with(func(f *input.Fields) { f.Reward = "10%" }), report.InvalidAmount, []string{"reward: \"10%\" is not a number"}},
		{"unknown currency", with(func(f *input.Fields) { f.Currency = "EURO" }), report.InvalidCurrency, []string{"currency: \"EURO\""}},
		{"future date", with(func(f *input.Fields) { f.CreatedAt = "2030-01-01" }), report.InvalidDate, []string{"created_at: \"2030-01-01\" is in the future"}},
		{"unreadable date", with(func(f *input.Fields) { f.CreatedAt = "01/05/2024" }), report.InvalidDate, []string{"created_at: \"01/05/2024\" is not a date: expected"}},
		{"rewarded not a boolean", with(func(f *input.Fields) { f.Rewarded = "paid" }), report.InvalidRow, []string{"rewarded: \"paid\" is neither true nor false"}},
		{"rewardable not a boolean", with(func(f *input.Fields) { f.Rewardable = "2" }), report.InvalidRow, []string{"rewardable: \"2\""}},
		{"all at once, in order", input.Fields{Amount: "1e3", Currency: "ABC", CreatedAt: "soon", Rewarded: "x"}, report.MissingKey,
			[]string{"key: missing", "neither is given", "exponent notation", "currency: \"ABC\"", "created_at:", "rewarded:"}},
	}
	for _, c := range cases {
		ps := TransactionRow(rec(1, c.fields), testNow)
		checkProblems(t, c.name, ps, c.reason, c.says)
	}
	unreadable := &input.Record{Row: 1, Err: errors.New("broken JSON")}
	checkProblems(t, "unreadable", TransactionRow(unreadable, testNow), report.InvalidRow, []string{"broken JSON"})
}

// What a valid transaction row is sent as.
func TestParseTransaction(t *testing.T) {
	t.Parallel()
	f := input.Fields{Key: "ch_1", CustomerKey: "c", AmountCents: "1500", Currency: "kwd", Reward: "0,150",
		CreatedAt: "1714557600123", Rewarded: "yes"}
	got, ps := ParseTransaction(&f, testNow)
	want := Transaction{Money: Money{"1.500", "KWD"}, Reward: "0.150", CreatedAt: 1714557600, Rewarded: Flag{true, true}}
	if len(ps) > 0 || got != want {
		t.Errorf("ParseTransaction = %+v, %v; want %+v", got, ps, want)
	}
}

// checkProblems asserts a row's reason and that its message says each of
// says, in that order.
func checkProblems(t *testing.T, name string, ps []Problem, reason report.Reason, says []string) {
	t.Helper()
	if reason == "" {
		if len(ps) > 0 {
			t.Errorf("%s: %v, want no problem", name, ps)
		}
		return
	}
	if len(ps) == 0 || ps[0].Reason != reason {
		t.Errorf("%s: %v, want reason %s", name, ps, reason)
		return
	}
	msg, at := Message(ps), 0
	for _, s := range says {
		i := strings.Index(msg[at:], s)
		if i < 0 {
			t.Errorf("%s: message %q does not say %q after position %d", name, msg, s, at)
			return
		}
		at += i + len(s)
	}
}

// duplicate_key_in_file: the first row keeps its key; keys are compared
// exactly (another case is another key); the same email on two customers
// is allowed; a row without a key claims none.
func TestKeyPlanRepeatedKeys(t *testing.T) {
	t.Parallel()
	vs := judgeKeys(t, NewCustomerPlan(),
		rec(1, input.Fields{Key: "cus_1", Email: "ann@x.io", PartnerKey: "p"}),
		rec(2, input.Fields{Key: "cus_1", Email: "bob@x.io", PartnerKey: "p"}),
		rec(3, input.Fields{Key: "CUS_1", Email: "ann@x.io", PartnerKey: "p"}),
		rec(4, input.Fields{Email: "eve@x.io", PartnerKey: "p"}),
		rec(5, input.Fields{Email: "eve@x.io", PartnerKey: "p"}),
		rec(6, input.Fields{Key: "cus_1", Email: "bad"}),
	)
	want := []struct {
		reason report.Reason
		says   string
	}{
		{"", ""},
		{report.DuplicateKeyInFile, "key: same key as row 1 (line 2)"},
		{"", ""},
		{report.MissingKey, "key: missing"},
		{report.MissingKey, "key: missing"},
		{report.DuplicateKeyInFile, "key: same key as row 1 (line 2); email: has no @; partner_key"},
	}
	for i, w := range want {
		if vs[i].Reason != w.reason || !strings.Contains(vs[i].Message, w.says) {
			t.Errorf("row %d: %s %s %q; want %q saying %q", i+1, vs[i].Status, vs[i].Reason, vs[i].Message, w.reason, w.says)
		}
	}
	tx := judgeKeys(t, NewTransactionPlan(testNow),
		rec(1, input.Fields{Key: "ch_1", CustomerKey: "c", Amount: "1"}),
		rec(2, input.Fields{Key: "ch_1", CustomerKey: "c", Amount: "-1"}),
		rec(3, input.Fields{Key: "ch_2", CustomerKey: "c", Amount: "1"}),
	)
	if tx[0].Status != report.Valid || tx[2].Status != report.Valid {
		t.Errorf("distinct keys: %+v, %+v", tx[0], tx[2])
	}
	if v := tx[1]; v.Status != report.Invalid || v.Reason != report.DuplicateKeyInFile || !strings.Contains(v.Message, "same key as row 1 (line 2); amount: \"-1\" is negative") {
		t.Errorf("repeated key with a negative amount: %+v", v)
	}
}

// A row left out by --where is skipped/filtered; --limit picks the first
// rows that will be sent.
func TestKeyPlanFilterAndCanary(t *testing.T) {
	t.Parallel()
	p := NewTransactionPlan(testNow)
	out := rec(2, input.Fields{Key: "ch_2", CustomerKey: "c", Amount: "1"})
	out.Filtered = "--where: amount > 5"
	vs := judgeKeys(t, p,
		rec(1, input.Fields{Key: "ch_1", Amount: "1"}), // no customer: invalid
		out,
		rec(3, input.Fields{Key: "ch_3", CustomerKey: "c", Amount: "1"}),
		rec(4, input.Fields{Key: "ch_4", CustomerKey: "c", Amount: "1"}),
		rec(5, input.Fields{Key: "ch_5", CustomerKey: "c", Amount: "1"}),
	)
	if v := vs[1]; v.Status != report.Skipped || v.Reason != report.Filtered {
		t.Errorf("filtered row: %+v", v)
	}
	c := p.Canary(2)
	if got := slices.Collect(c.Rows()); !slices.Equal(got, []int{3, 4}) || c.Size != 2 {
		t.Errorf("canary of 2: rows %v, size %d; want [3 4]", got, c.Size)
	}
}
