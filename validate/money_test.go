package validate

import (
	"strings"
	"testing"

	"golang.org/x/text/currency"

	"github.com/partnero-import/partnero-import/report"
)

func TestParseAmount(t *testing.T) {
	t.Parallel()
	ok := []struct {
		amount, cents, currency string
		want                    Money
	}{
		{"99.90", "", "EUR", Money{"99.90", "EUR"}},
		{"99.9", "", "eur", Money{"99.9", "EUR"}},
		{"99,90", "", "EUR", Money{"99.90", "EUR"}},
		{"0,5", "", "EUR", Money{"0.5", "EUR"}},
		{"1000", "", "JPY", Money{"1000", "JPY"}},
		{"1500.00", "", "JPY", Money{"1500", "JPY"}}, // zeros past the minor unit lose nothing
		{"1.500", "", "KWD", Money{"1.500", "KWD"}},
		{"0,500", "", "KWD", Money{"0.500", "KWD"}}, // 0 thousands is no reading: a decimal
		{"007.50", "", "USD", Money{"7.50", "USD"}},
		{"0", "", "USD", Money{"0", "USD"}},
		{"99.90", "", "", Money{"99.90", ""}},
		{"1.2345", "", "", Money{"1.2345", ""}}, // the program's currency: up to 4 decimals
		{" 5 ", "", " usd ", Money{"5", "USD"}},
		{"", "9990", "EUR", Money{"99.90", "EUR"}},
		{"", "5", "EUR", Money{"0.05", "EUR"}},
		{"", "0", "EUR", Money{"0.00", "EUR"}},
		{"", "1000", "JPY", Money{"1000", "JPY"}},
		{"", "0", "JPY", Money{"0", "JPY"}},
		{"", "1500", "KWD", Money{"1.500", "KWD"}},
		{"", "7", "KWD", Money{"0.007", "KWD"}},
		{"", "00120", "USD", Money{"1.20", "USD"}},
		{"", "999999999999999", "USD", Money{"9999999999999.99", "USD"}},
		{"10000.50", "", "IDR", Money{"10000.50", "IDR"}}, // ISO's 2 decimals, where CLDR has 0
		{"5", "", "VES", Money{"5", "VES"}},               // issued after x/text's data
		{"", "", "EUR", Money{"", "EUR"}},
	}
	for _, c := range ok {
		got, ps := ParseAmount(c.amount, c.cents, c.currency)
		if len(ps) > 0 || got != c.want {
			t.Errorf("ParseAmount(%q, %q, %q) = %+v, %v; want %+v", c.amount, c.cents, c.currency, got, ps, c.want)
		}
	}
	bad := []struct {
		amount, cents, currency string
		reason                  report.Reason
		says                    string
	}{
		{"1.234,56", "", "EUR", report.InvalidAmount, "has both . and ,"},
		{"1,234.56", "", "USD", report.InvalidAmount, "has both . and ,"},
		{"1,234", "", "EUR", report.InvalidAmount, "may be 1234 or 1.234"},
		{"1,500", "", "KWD", report.InvalidAmount, "may be 1500 or 1.500"},
		{"1.234.567", "", "EUR", report.InvalidAmount, "more than one decimal mark"},
		{"1,234,567", "", "EUR", report.InvalidAmount, "more than one decimal mark"},
		{"1 234", "", "EUR", report.InvalidAmount, "thousands separators are not read"},
		{"1\u00a0234,50", "", "EUR", report.InvalidAmount, "thousands separators are not read"},
		{"1'234.50", "", "CHF", report.InvalidAmount, "thousands separators are not read"},
		{"1_000", "", "EUR", report.InvalidAmount, "thousands separators are not read"},
		{"-5", "", "EUR", report.InvalidAmount, "negative"},
		{"−5", "", "EUR", report.InvalidAmount, "negative"},
		{"5-", "", "EUR", report.InvalidAmount, "negative"},
		{"(5.00)", "", "EUR", report.InvalidAmount, "negative"},
		{"+5", "", "EUR", report.InvalidAmount, "has a sign"},
		{"1e3", "", "EUR", report.InvalidAmount, "exponent notation"},
		{"1.5E+3", "", "EUR", report.InvalidAmount, "exponent notation"},
		{"€99", "", "EUR", report.InvalidAmount, "not a number"},
		{"99 EUR", "", "EUR", report.InvalidAmount, "without a currency sign"},
		{"abc", "", "EUR", report.InvalidAmount, "not a number"},
		{"NaN", "", "EUR", report.InvalidAmount, "not a number"},
		{"١٢", "", "EUR", report.InvalidAmount, "not a number"}, // Arabic-Indic digits
		{".5", "", "EUR", report.InvalidAmount, "a digit on each side"},
		{"5.", "", "EUR", report.InvalidAmount, "a digit on each side"},
		{"9.999", "", "EUR", report.InvalidAmount, "has 3 decimals; EUR has 2"},
		{"100.5", "", "JPY", report.InvalidAmount, "JPY has no minor unit"},
		{"1.5001", "", "KWD", report.InvalidAmount, "has 4 decimals; KWD has 3"},
		{"1.23456", "", "", report.InvalidAmount, "no currency has more than 4"},
		{"1234567890123456", "", "EUR", report.InvalidAmount, "16 digits"},
		{"99999999999999999999999999999999", "", "EUR", report.InvalidAmount, "32 digits"},
		{"99.90", "9990", "EUR", report.InvalidAmount, "both are given"},
		{"", "99.90", "EUR", report.InvalidAmount, "not a whole number"},
		{"", "99,90", "EUR", report.InvalidAmount, "not a whole number"},
		{"", "-100", "EUR", report.InvalidAmount, "negative"},
		{"", "1e3", "EUR", report.InvalidAmount, "exponent"},
		{"", "1000", "", report.InvalidAmount, "no currency is given"},
		{"", "1000", "IDR", report.InvalidAmount, "sources disagree on IDR's minor unit (ISO 4217: 2 decimals; CLDR: 0)"},
		{"", "1000", "IQD", report.InvalidAmount, "ISO 4217: 3 decimals"},
		{"", "1234567890123456", "EUR", report.InvalidAmount, "16 digits"},
		{"5", "", "ABC", report.InvalidCurrency, `"ABC" is not an ISO 4217 currency code`},
		{"5", "", "€", report.InvalidCurrency, "not an ISO 4217 currency code"},
		{"5", "", "EURO", report.InvalidCurrency, "not an ISO 4217 currency code"},
		{"5", "", "E1R", report.InvalidCurrency, "not an ISO 4217 currency code"},
		{"5", "", "DEM", report.InvalidCurrency, "no longer in use"},
		{"5", "", "XAU", report.InvalidCurrency, "a metal"},
		{"5", "", "XXX", report.InvalidCurrency, "no longer in use"},
		{"", "500", "ABC", report.InvalidCurrency, "not an ISO 4217"}, // amount_cents: the currency says it all
		{"-5", "", "ABC", report.InvalidCurrency, "negative"},         // and a number's own problem too
	}
	for _, c := range bad {
		got, ps := ParseAmount(c.amount, c.cents, c.currency)
		if len(ps) == 0 {
			t.Errorf("ParseAmount(%q, %q, %q) = %+v; want %s", c.amount, c.cents, c.currency, got, c.reason)
			continue
		}
		if msg := Message(ps); ps[0].Reason != c.reason || !strings.Contains(msg, c.says) {
			t.Errorf("ParseAmount(%q, %q, %q): %s %q; want %s saying %q", c.amount, c.cents, c.currency, ps[0].Reason, msg, c.reason, c.says)
		}
		if got != (Money{}) {
			t.Errorf("ParseAmount(%q, %q, %q) refused but gave %+v", c.amount, c.cents, c.currency, got)
		}
	}
}

// The messages name their column.
func TestAmountMessagesNameTheColumn(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ amount, cents, currency, column string }{
		{"x", "", "EUR", "amount: "}, {"", "x", "EUR", "amount_cents: "}, {"1", "", "ABC", "currency: "},
	} {
		_, ps := ParseAmount(c.amount, c.cents, c.currency)
		if len(ps) != 1 || !strings.HasPrefix(ps[0].Message, c.column) {
			t.Errorf("ParseAmount(%q, %q, %q): %v; want one problem starting %q", c.amount, c.cents, c.currency, ps, c.column)
		}
	}
}

// The corrections of x/text's data hold only as long as x/text needs them:
// once it agrees with ISO 4217 on a minor unit, or knows a newer code, the
// entry must go.
func TestDisputedCurrencies(t *testing.T) {
	t.Parallel()
	for code, iso := range isoLarger {
		u, err := currency.ParseISO(code)
		if err != nil {
			t.Errorf("%s: x/text does not know it: %v", code, err)
			continue
		}
		if scale, _ := currency.Standard.Rounding(u); scale >= iso {
			t.Errorf("%s: x/text now gives %d decimals (ISO 4217: %d): drop it from isoLarger", code, scale, iso)
		}
	}
	for code := range issuedSince {
		if _, err := currency.ParseISO(code); err == nil {
			t.Errorf("%s: x/text knows it now: drop it from issuedSince", code)
		}
	}
	for _, c := range []struct {
		code   string
		digits int
	}{{"EUR", 2}, {"USD", 2}, {"GBP", 2}, {"JPY", 0}, {"KRW", 0}, {"CLP", 0}, {"ISK", 0}, {"KWD", 3}, {"BHD", 3}, {"TND", 3}, {"IDR", 2}, {"IQD", 3}} {
		if cur, why := ParseCurrency(c.code); why != "" || cur.Digits != c.digits {
			t.Errorf("%s: %+v %q; want %d decimals", c.code, cur, why, c.digits)
		}
	}
}

// FuzzParseAmount: never a panic, and what is accepted reads back as
// itself from its amount in major units.
func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"99.90", "99,90", "1.234,56", "-5", "1e3", "007", "0,500", "1500.00", ""} {
		f.Add(s, "", "EUR")
		f.Add("", s, "KWD")
		f.Add(s, "", "")
		f.Add(s, s, "jpy")
	}
	f.Fuzz(func(t *testing.T, amount, cents, code string) {
		m, ps := ParseAmount(amount, cents, code)
		if len(ps) > 0 {
			for _, p := range ps {
				if p.Message == "" || (p.Reason != report.InvalidAmount && p.Reason != report.InvalidCurrency) {
					t.Fatalf("ParseAmount(%q, %q, %q): problem %+v", amount, cents, code, p)
				}
			}
			return
		}
		again, ps := ParseAmount(m.Amount, "", m.Currency)
		if len(ps) > 0 || again != m {
			t.Fatalf("ParseAmount(%q, %q, %q) = %+v, which reads back as %+v, %v", amount, cents, code, m, again, ps)
		}
	})
}
