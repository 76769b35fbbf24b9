package input

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/partnero-import/partnero-import/importer/secret"
)

// Fields are a row's canonical fields, trimmed, as the cells say (money and
// dates are validate's to read); an empty string is an absent value. A
// partner uses the first group, a customer Key, Email, Name, Surname, Tags
// and its partner, a transaction Key and the last group.
type Fields struct {
	Email    string
	Name     string
	Surname  string
	Password secret.String
	ID       string
	Key      string
	Tags     []string

	ReferringID    string
	ReferringKey   string
	ReferringEmail string

	Action string // "create", "invite", empty, or anything else the file said

	// A customer's partner: one is enough.
	PartnerKey   string
	PartnerID    string
	PartnerEmail string

	// A transaction's customer, and the sale.
	CustomerKey   string
	CustomerEmail string
	Amount        string // in the currency's major unit: 99.90
	AmountCents   string // in its minor unit
	Currency      string
	CreatedAt     string
	TxAction      string // the transaction's action (sale...), not create or invite
	ProductID     string
	ProductType   string
	Reward        string
	Rewarded      string
	Rewardable    string
}

// HasPartner reports whether a customer's row names its partner.
func (f *Fields) HasPartner() bool {
	return f.PartnerKey != "" || f.PartnerID != "" || f.PartnerEmail != ""
}

// HasCustomer reports whether a transaction's row names its customer.
func (f *Fields) HasCustomer() bool { return f.CustomerKey != "" || f.CustomerEmail != "" }

// HasReferrer reports whether the row names a referring partner.
func (f *Fields) HasReferrer() bool {
	return f.ReferringID != "" || f.ReferringKey != "" || f.ReferringEmail != ""
}

// blank reports a record whose cells are all empty, in every column, known
// or not: a spreadsheet's blank row, skipped like a blank line. A record
// with text only in columns the tool ignores is still a row.
func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// badText says what in s no partner field may hold, or "": NUL and the
// other C0 and C1 control characters, tab aside; line breaks too, bytes
// that are not UTF-8, and U+FFFD (a character lost in an earlier
// conversion) unless free (a column the tool ignores, which a notes
// column with line breaks may be, and which is never sent).
func badText(s string, free bool) string {
	var all byte // every byte ORed: 0x80 set when any is not ASCII
	for i := 0; i < len(s); i++ {
		all |= s[i]
		if !suspect[s[i]] {
			continue // the common case: one table lookup a byte
		}
		switch b := s[i]; {
		case b == '\t':
		case b == '\n' || b == '\r':
			if !free {
				return controlMessage(rune(b))
			}
		case b < 0x20 || b == 0x7f:
			return controlMessage(rune(b))
		case b == 0xc2 && i+1 < len(s) && s[i+1] >= 0x80 && s[i+1] <= 0x9f: // U+0080 to U+009F
			return controlMessage(rune(s[i+1]))
		}
	}
	if all < 0x80 || free {
		return ""
	}
	for i, r := range s {
		if r != utf8.RuneError {
			continue
		}
		if _, n := utf8.DecodeRuneInString(s[i:]); n == 1 {
			return fmt.Sprintf("is not UTF-8 text (byte 0x%02X): the file mixes encodings; save it as UTF-8, or give its --encoding", s[i])
		}
		return "contains U+FFFD, the mark of a character lost when the file was converted: correct it in the file"
	}
	return ""
}

func controlMessage(r rune) string {
	return fmt.Sprintf("contains a control character (U+%04X)", r)
}

// cleanOnly is s when badText finds nothing in it, else "".
func cleanOnly(s string) string {
	if badText(s, false) != "" {
		return ""
	}
	return s
}

// suspect marks the bytes badText looks at more closely: C0 controls,
// DEL, and the first byte of U+0080 to U+00BF.
var suspect = func() (t [256]bool) {
	for b := range 0x20 {
		t[b] = true
	}
	t[0x7f], t[0xc2] = true, true
	return t
}()

// badCell checks a record's cells with badText, naming the column as the
// file's header names it.
func badCell(cells []string, cols []Column) error {
	for i, c := range cells {
		known := i < len(cols) && cols[i].Field != ""
		if why := badText(c, !known); why != "" {
			header := fmt.Sprintf("column %d", i+1)
			if i < len(cols) {
				header = fmt.Sprintf("column %q", cols[i].Header)
			}
			return fmt.Errorf("%s: %s", header, why)
		}
	}
	return nil
}

// Record is one data record of the file.
type Record struct {
	Row  int // data records counted from 1
	Line int // physical line where the record starts (the header is line 1)
	Fields
	// Err says why the record could not be read (its row is invalid_row).
	Err error
	// Filtered says why --where leaves the row out (skipped/filtered), or
	// is "".
	Filtered string
	// Raw is the record's text as the file has it (decoded to UTF-8, with
	// its line end), when Options.KeepRaw asked for it.
	Raw []byte
}

// splitTags splits a tags cell on , ; or |, dropping blanks.
func splitTags(cell string) []string {
	if cell == "" {
		return nil
	}
	parts := strings.FieldsFunc(cell, func(r rune) bool { return r == ',' || r == ';' || r == '|' })
	tags := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			tags = append(tags, p)
		}
	}
	return tags
}
