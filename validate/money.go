package validate

import (
	"fmt"
	"strings"

	"golang.org/x/text/currency"

	"github.com/partnero-import/partnero-import/report"
)

// Money is an amount as it is sent: exact decimal text in the currency's
// major unit ("99.90", "1000", "1.500" for KWD), never a float, and the
// currency's ISO 4217 code, upper-cased; "" is the program's currency.
type Money struct {
	Amount   string
	Currency string
}

// Currency is a currency a row gives, with the decimals of its minor unit.
type Currency struct {
	Code string // upper-cased; "" for the program's own currency
	// Digits is how many decimals its minor unit has (EUR 2, JPY 0, KWD 3);
	// -1 when not known: the program's currency, which the file does not
	// name.
	Digits int
	// disputed: ISO 4217 and CLDR (the currency data of
	// golang.org/x/text) give its minor unit differently, cldrDigits and
	// Digits. Digits is then ISO's, the larger, and amount_cents is
	// refused: reading it either way would be a guess a hundred times
	// wrong.
	disputed   bool
	cldrDigits int
}

// maxDecimals is the most decimals an amount in an unknown currency may
// have: the most any ISO 4217 currency has (CLF, UYW).
const maxDecimals = 4

// maxDigits bounds the digits of an amount: up to 15 significant digits
// survive a float64, which is how a JSON number is likely read on the
// other side; more would be sent exactly and stored rounded.
const maxDigits = 15

// currencies are the ISO 4217 currencies a transaction may be in: those in
// use as legal tender (golang.org/x/text/currency: CLDR's data, version
// 32), with the scale its Standard rounding gives, corrected where ISO 4217
// gives a larger minor unit, plus the codes issued since that data (x/text
// does not know them). Indexed by code (codeIndex), as a table rather than
// a map: a million rows look their currency up a million times.
var currencies = func() []Currency {
	t := make([]Currency, 26*26*26)
	for it := currency.Query(); it.Next(); {
		u := it.Unit()
		scale, _ := currency.Standard.Rounding(u)
		c := Currency{Code: u.String(), Digits: scale}
		if iso, ok := isoLarger[c.Code]; ok {
			c.disputed, c.cldrDigits, c.Digits = true, scale, iso
		}
		t[codeIndex(c.Code)] = c
	}
	for code, digits := range issuedSince {
		t[codeIndex(code)] = Currency{Code: code, Digits: digits}
	}
	return t
}()

// codeIndex is the place of a three-letter code in currencies, in either
// case, or -1 when code is not three ASCII letters.
func codeIndex(code string) int {
	if len(code) != 3 {
		return -1
	}
	i := 0
	for j := range 3 {
		b := code[j] | ('a' - 'A') // lower case
		if b < 'a' || b > 'z' {
			return -1
		}
		i = i*26 + int(b-'a')
	}
	return i
}

// isoLarger are the currencies whose ISO 4217 minor unit is larger than
// the scale CLDR (and so x/text) gives: CLDR gives the decimals used in
// practice, 0 for these, where ISO 4217 keeps 2 (3 for IQD). Payment
// platforms differ on them too (Stripe counts IDR in hundredths, MGA in
// units). TestDisputedCurrencies fails when x/text comes to agree.
var isoLarger = map[string]int{
	"AFN": 2, "ALL": 2, "AMD": 2, "COP": 2, "GYD": 2, "IDR": 2, "IQD": 3, "IRR": 2,
	"KPW": 2, "LAK": 2, "LBP": 2, "MGA": 2, "MMK": 2, "MNT": 2, "MRO": 2, "MUR": 2,
	"PKR": 2, "RSD": 2, "SLL": 2, "SOS": 2, "SYP": 2, "TZS": 2, "UZS": 2, "YER": 2,
}

// issuedSince are ISO 4217 currencies issued after CLDR 32, the data
// x/text carries: Venezuela (2018, 2021), Mauritania (2018), Sierra
// Leone (2022), Zimbabwe (2024). TestDisputedCurrencies fails when x/text
// comes to know them.
var issuedSince = map[string]int{"VES": 2, "VED": 2, "MRU": 2, "SLE": 2, "ZWG": 2}

// ParseCurrency reads a currency cell: "" is the program's currency
// (Digits -1), else an ISO 4217 code in any case. The problem names the
// column.
func ParseCurrency(code string) (Currency, string) {
	code = strings.TrimSpace(code)
	if code == "" {
		return Currency{Digits: -1}, ""
	}
	i := codeIndex(code)
	if i >= 0 && currencies[i].Code != "" {
		return currencies[i], ""
	}
	if _, err := currency.ParseISO(code); err == nil && i >= 0 {
		return Currency{}, fmt.Sprintf("currency: %s is no longer in use, or is not a country's money (ISO 4217 lists it as historic, a fund or a metal)", quoteCell(code))
	}
	return Currency{}, fmt.Sprintf("currency: %s is not an ISO 4217 currency code (three letters, such as EUR or USD)", quoteCell(code))
}

// ParseAmount reads a row's amount, in the currency's major unit, or its
// amount_cents, in the minor unit, with its currency: the Money to send,
// or the problems (invalid_currency, invalid_amount), each naming its
// column. Neither amount given is no problem here: Money.Amount is "".
func ParseAmount(amount, amountCents, code string) (Money, []Problem) {
	cur, why := ParseCurrency(code)
	return cur.amountOrProblems(why, amount, amountCents)
}

// amountOrProblems is ParseAmount once the currency is read: cur, or the
// problem why.
func (cur Currency) amountOrProblems(why, amount, amountCents string) (Money, []Problem) {
	if why != "" {
		var ps []Problem
		ps = append(ps, Problem{report.InvalidCurrency, why})
		if amountCents == "" || amount != "" {
			// The amount can still be read as a number; amount_cents
			// cannot be converted, which the currency's problem says.
			if _, why := (Currency{Digits: -1}).Amount(amount, amountCents); why != "" {
				ps = append(ps, Problem{report.InvalidAmount, why})
			}
		}
		return Money{}, ps
	}
	m, why := cur.Amount(amount, amountCents)
	if why != "" {
		return Money{}, []Problem{{report.InvalidAmount, why}}
	}
	return m, nil
}

// Amount reads amount (major units) or amountCents (minor units) in c.
// The problem names the column.
func (c Currency) Amount(amount, amountCents string) (Money, string) {
	amount, amountCents = strings.TrimSpace(amount), strings.TrimSpace(amountCents)
	switch {
	case amount != "" && amountCents != "":
		return Money{}, "amount and amount_cents: both are given; give one"
	case amountCents != "":
		v, why := c.fromCents(amountCents)
		if why != "" {
			return Money{}, "amount_cents: " + why
		}
		return Money{v, c.Code}, ""
	case amount != "":
		v, why := c.Major("amount", amount)
		if why != "" {
			return Money{}, why
		}
		return Money{v, c.Code}, ""
	}
	return Money{Currency: c.Code}, ""
}

// Major reads a decimal in c's major unit (amount, reward): digits with at
// most one decimal mark, a dot, or a comma when there is no dot. It
// returns the exact text to send: the dot as the mark, no leading zeros,
// no zeros past the currency's decimals ("1500.00" JPY is "1500"). A
// thousands separator, a sign, an exponent or a decimal the currency
// does not have is refused, never rounded or guessed. The problem names
// column.
func (c Currency) Major(column, cell string) (string, string) {
	cell = strings.TrimSpace(cell)
	n, why := readNumber(cell)
	if why != "" {
		return "", fmt.Sprintf("%s: %s %s", column, quoteCell(cell), why)
	}
	if n.mark == ',' && len(n.frac) == 3 && strings.TrimLeft(n.whole, "0") != "" {
		return "", fmt.Sprintf("%s: %s may be %s%s or %s.%s (a comma before three digits may separate thousands): write it with no thousands separator",
			column, quoteCell(cell), n.whole, n.frac, n.whole, n.frac)
	}
	most := c.Digits
	if most < 0 {
		most = maxDecimals
	}
	if len(n.frac) > most {
		if strings.TrimRight(n.frac[most:], "0") != "" {
			return "", fmt.Sprintf("%s: %s has %d decimals; %s", column, quoteCell(cell), len(n.frac), c.hasDecimals())
		}
		n.frac = n.frac[:most] // exact all the same: only zeros go
	}
	if d := len(strings.TrimLeft(n.whole+n.frac, "0")); d > maxDigits {
		return "", fmt.Sprintf("%s: %s has %d digits, more than the %d a sum can be sent with exactly", column, quoteCell(cell), d, maxDigits)
	}
	return n.text(cell), ""
}

// hasDecimals says how many decimals c has, for a message.
func (c Currency) hasDecimals() string {
	switch {
	case c.Digits < 0:
		return fmt.Sprintf("no currency has more than %d (the row gives no currency)", maxDecimals)
	case c.Digits == 0:
		return c.Code + " has no minor unit: a whole number is expected"
	}
	return fmt.Sprintf("%s has %d", c.Code, c.Digits)
}

// fromCents converts a whole number of c's minor unit to major units, with
// all of the currency's decimals ("1500" KWD is "1.500").
func (c Currency) fromCents(cell string) (string, string) {
	n, why := readNumber(cell)
	switch {
	case why != "":
		return "", quoteCell(cell) + " " + why
	case n.mark != 0:
		return "", fmt.Sprintf("%s is not a whole number: amount_cents counts the currency's minor unit (9990 for 99.90); give a decimal as amount instead", quoteCell(cell))
	case c.Digits < 0:
		return "", "no currency is given, so its minor unit is not known here: give the currency, or amount in major units"
	case c.disputed:
		return "", fmt.Sprintf("sources disagree on %s's minor unit (ISO 4217: %d decimals; CLDR: %d), so %s cannot be converted without a guess: give amount in %s instead",
			c.Code, c.Digits, c.cldrDigits, quoteCell(cell), c.Code)
	}
	digits := strings.TrimLeft(n.whole, "0")
	if len(digits) > maxDigits {
		return "", fmt.Sprintf("%s has %d digits, more than the %d a sum can be sent with exactly", quoteCell(cell), len(digits), maxDigits)
	}
	if c.Digits == 0 {
		if digits == "" {
			return "0", ""
		}
		return digits, ""
	}
	if short := c.Digits + 1 - len(digits); short > 0 {
		digits = strings.Repeat("0", short) + digits
	}
	cut := len(digits) - c.Digits
	return digits[:cut] + "." + digits[cut:], ""
}

// number is a plain decimal as a cell writes it: whole and frac are ASCII
// digits; mark is '.', ',' or 0 when there is no fraction.
type number struct {
	whole, frac string
	mark        byte
}

// text is n as it is sent: dot as the mark, no leading zeros. It is a part
// of cell, the text n was read from, when that is already so (no copy).
func (n number) text(cell string) string {
	whole := strings.TrimLeft(n.whole, "0")
	if whole == "" {
		whole = "0"
	}
	switch {
	case n.frac == "":
		return whole
	case n.mark == '.' && len(whole) == len(n.whole):
		return cell[:len(whole)+1+len(n.frac)]
	}
	return whole + "." + n.frac
}

// readNumber reads digits with at most one decimal mark, saying what else
// the cell holds when it holds more.
func readNumber(s string) (number, string) {
	if s == "" {
		return number{}, "is empty"
	}
	var n number
	marks, dots, commas := 0, 0, 0
	for i := 0; i < len(s); i++ {
		switch b := s[i]; {
		case b >= '0' && b <= '9':
		case b == '.':
			dots++
			marks = i
		case b == ',':
			commas++
			marks = i
		default:
			return number{}, notNumber(s)
		}
	}
	switch {
	case dots > 0 && commas > 0:
		return number{}, "has both . and , so its decimal mark cannot be told: write it with one decimal mark and no thousands separator, such as 1234.56"
	case dots > 1 || commas > 1:
		return number{}, "has more than one decimal mark: thousands separators are not read; write it as 1234567.89"
	case dots+commas == 0:
		n.whole = s
		return n, ""
	}
	n.whole, n.frac, n.mark = s[:marks], s[marks+1:], s[marks]
	if n.whole == "" || n.frac == "" {
		return number{}, "needs a digit on each side of its decimal mark"
	}
	return n, ""
}

// notNumber says why s, which holds a character other than a digit or a
// mark, is not read as an amount.
func notNumber(s string) string {
	switch {
	case strings.HasPrefix(s, "-") || strings.HasPrefix(s, "−") || strings.HasSuffix(s, "-") ||
		(strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")")):
		return "is negative: a refund is a transaction of its own, or a rollback of the sale"
	case strings.HasPrefix(s, "+"):
		return "has a sign: write the number alone"
	case strings.ContainsAny(s, "eE") && strings.Trim(s, "0123456789.,eE+-") == "":
		return "is in exponent notation: write the digits out"
	case strings.Trim(s, "0123456789.,' _\u00a0\u202f\u2009") == "":
		return "has a space, ' or _ between its digits: thousands separators are not read; write it as 1234567.89"
	}
	return "is not a number: digits with a . or , as the decimal mark are expected, without a currency sign"
}
