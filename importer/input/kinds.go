package input

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/partnero-import/partnero-import/report"
)

// The canonical fields of customers and transactions, as headers, JSON
// keys and --map name them (partners' are in header.go). key, email,
// name, surname, tags and action are shared names.
const (
	fieldPartnerKey    = "partner_key"
	fieldPartnerID     = "partner_id"
	fieldPartnerEmail  = "partner_email"
	fieldPartner       = "partner" // JSON Lines: a nested {"key","id","email"}
	fieldCustomerKey   = "customer_key"
	fieldCustomerEmail = "customer_email"
	fieldCustomer      = "customer" // JSON Lines: a nested {"key","email"}
	fieldAmount        = "amount"
	fieldAmountCents   = "amount_cents"
	fieldCurrency      = "currency"
	fieldCreatedAt     = "created_at"
	fieldProductID     = "product_id"
	fieldProductType   = "product_type"
	fieldReward        = "reward"
	fieldRewarded      = "rewarded"
	fieldRewardable    = "rewardable"
)

// vocabulary is what one kind of record calls its columns: its fields,
// the headers read as them, and the nested JSON object that gives its
// reference to another record.
type vocabulary struct {
	kind    report.Kind
	fields  []string          // as --map names them
	aliases map[string]string // normalized header → field
	sorted  []string          // the aliases in a fixed order: a near miss names the same one every run
	// nested is the JSON Lines key of the nested reference, and what each
	// of its keys gives.
	nested     string
	nestedKeys []subKey
	// required are groups of fields of which the file needs a column of
	// each (partners' email is checked on its own, as it always was).
	required [][]string
}

// subKey is a key of a nested reference, and the field it gives.
type subKey struct{ key, field string }

func newVocabulary(kind report.Kind, fields []string, aliases map[string]string, nested string, nestedKeys []subKey, required ...[]string) *vocabulary {
	for _, f := range fields {
		aliases[f] = f // a field's own name is always read
	}
	return &vocabulary{kind: kind, fields: fields, aliases: aliases, sorted: slices.Sorted(maps.Keys(aliases)),
		nested: nested, nestedKeys: nestedKeys, required: required}
}

// The customers' columns. Aliases as for partners, and what other
// platforms' exports call a referred customer's id and its partner
// (Rewardful: Stripe Customer ID, Affiliate Email; FirstPromoter: uid,
// promoter; Tolt and PartnerStack: customer and partner keys).
var customerWords = newVocabulary(report.Customers,
	[]string{fieldKey, fieldEmail, fieldName, fieldSurname, fieldTags, fieldPartnerKey, fieldPartnerID, fieldPartnerEmail},
	map[string]string{
		"customer_key": fieldKey, "customer_id": fieldKey, "external_id": fieldKey, "customer_external_id": fieldKey,
		"stripe_customer_id": fieldKey, "customer_uid": fieldKey, "uid": fieldKey, "imported_id": fieldKey,
		"e_mail": fieldEmail, "email_address": fieldEmail, "e_mail_address": fieldEmail, "mail": fieldEmail, "customer_email": fieldEmail,
		"first_name": fieldName, "firstname": fieldName, "given_name": fieldName, "customer_first_name": fieldName,
		"last_name": fieldSurname, "lastname": fieldSurname, "family_name": fieldSurname, "customer_last_name": fieldSurname,
		"tag":           fieldTags,
		"affiliate_key": fieldPartnerKey, "ref": fieldPartnerKey, "ref_id": fieldPartnerKey, "referral_key": fieldPartnerKey,
		"ref_key": fieldPartnerKey, "referral_code": fieldPartnerKey, "affiliate_code": fieldPartnerKey, "affiliate_token": fieldPartnerKey,
		"promoter_ref_id": fieldPartnerKey, "partner_ref": fieldPartnerKey, "referrer_key": fieldPartnerKey,
		"affiliate_id": fieldPartnerID, "promoter_id": fieldPartnerID, "referrer_id": fieldPartnerID,
		"affiliate_email": fieldPartnerEmail, "referrer_email": fieldPartnerEmail, "promoter_email": fieldPartnerEmail,
		"referred_by": fieldPartnerEmail,
		fieldPartner:  fieldPartner, "affiliate": fieldPartner, "referrer": fieldPartner,
	},
	fieldPartner, []subKey{{"key", fieldPartnerKey}, {"id", fieldPartnerID}, {"email", fieldPartnerEmail}},
	[]string{fieldKey}, []string{fieldPartnerKey, fieldPartnerID, fieldPartnerEmail})

// The transactions' columns: what payment platforms and affiliate
// platforms' commission exports call a sale, its customer and its money.
var transactionWords = newVocabulary(report.Transactions,
	[]string{fieldKey, fieldCustomerKey, fieldCustomerEmail, fieldAmount, fieldAmountCents, fieldCurrency, fieldCreatedAt,
		fieldAction, fieldProductID, fieldProductType, fieldReward, fieldRewarded, fieldRewardable},
	map[string]string{
		"transaction_key": fieldKey, "transaction_id": fieldKey, "payment_id": fieldKey, "charge_id": fieldKey, "sale_id": fieldKey,
		"order_id": fieldKey, "invoice_id": fieldKey, "commission_id": fieldKey, "stripe_charge_id": fieldKey,
		"stripe_payment_id": fieldKey, "payment_intent_id": fieldKey,
		"customer_id": fieldCustomerKey, "customer_external_id": fieldCustomerKey, "stripe_customer_id": fieldCustomerKey,
		"customer_uid": fieldCustomerKey, "referral_id": fieldCustomerKey, "referral_uid": fieldCustomerKey,
		"email": fieldCustomerEmail, "customer_e_mail": fieldCustomerEmail, "referral_email": fieldCustomerEmail, "lead_email": fieldCustomerEmail,
		"sale_amount": fieldAmount, "payment_amount": fieldAmount, "amount_paid": fieldAmount, "revenue": fieldAmount, "order_total": fieldAmount,
		"amount_in_cents": fieldAmountCents, "sale_amount_cents": fieldAmountCents, "amount_minor": fieldAmountCents,
		"currency_code": fieldCurrency, "amount_units": fieldCurrency, "sale_currency": fieldCurrency,
		"date": fieldCreatedAt, "paid_at": fieldCreatedAt, "created": fieldCreatedAt, "created_on": fieldCreatedAt,
		"sale_date": fieldCreatedAt, "transaction_date": fieldCreatedAt, "payment_date": fieldCreatedAt, "purchased_at": fieldCreatedAt,
		"charged_at": fieldCreatedAt, "order_date": fieldCreatedAt,
		"transaction_action": fieldAction,
		"plan_id":            fieldProductID, "price_id": fieldProductID, "sku": fieldProductID,
		"commission": fieldReward, "commission_amount": fieldReward, "reward_amount": fieldReward,
		"paid": fieldRewarded, "is_paid": fieldRewarded, "commission_paid": fieldRewarded, "paid_out": fieldRewarded,
		"commissionable": fieldRewardable,
		fieldCustomer:    fieldCustomer,
	},
	fieldCustomer, []subKey{{"key", fieldCustomerKey}, {"email", fieldCustomerEmail}},
	[]string{fieldKey}, []string{fieldCustomerKey, fieldCustomerEmail}, []string{fieldAmount, fieldAmountCents, fieldReward})

// partnerWords are the partners' columns: header.go's aliases.
var partnerWords = newVocabulary(report.Partners,
	[]string{fieldEmail, fieldName, fieldSurname, fieldPassword, fieldID, fieldKey, fieldTags,
		fieldReferringID, fieldReferringKey, fieldReferringEmail, fieldAction},
	aliases, fieldReferring, []subKey{{"id", fieldReferringID}, {"key", fieldReferringKey}, {"email", fieldReferringEmail}})

// wordsOf is the vocabulary of kind k.
func wordsOf(k report.Kind) *vocabulary {
	switch k.OrDefault() {
	case report.Customers:
		return customerWords
	case report.Transactions:
		return transactionWords
	}
	return partnerWords
}

// FieldsOf are the canonical fields of kind k, as --map names them.
func FieldsOf(k report.Kind) []string { return wordsOf(k).fields }

// field is the canonical field a normalized header means, or "".
func (v *vocabulary) field(n string) string { return v.aliases[n] }

// names lists a group of fields for a message: "partner_key, partner_id
// or partner_email".
func names(group []string) string {
	if len(group) == 1 {
		return group[0]
	}
	return strings.Join(group[:len(group)-1], ", ") + " or " + group[len(group)-1]
}

// readsAs are the headers the vocabulary reads as one of fields, for a
// message: the fields' own names, then some aliases: "key, customer_key,
// customer_id...".
func (v *vocabulary) readsAs(fields []string) string {
	hs := slices.Clone(fields)
	for _, a := range v.sorted {
		if slices.Contains(fields, v.aliases[a]) && !slices.Contains(fields, a) && a != v.nested {
			hs = append(hs, a)
		}
	}
	if len(hs) > 6 {
		hs = append(hs[:6], "...")
	}
	return strings.Join(hs, ", ")
}

// missingColumns says which of the kind's required fields no column gives
// (seen: field → column), with the headers that would give each, or "".
func (v *vocabulary) missingColumns(seen map[string]int) string {
	var missing []string
	for _, group := range v.required {
		if !slices.ContainsFunc(group, func(f string) bool { _, ok := seen[f]; return ok }) {
			missing = append(missing, fmt.Sprintf("no %s column (read from %s)", names(group), v.readsAs(group)))
		}
	}
	return strings.Join(missing, "; ")
}

// DetectKind tells the kind of a file from its header (or a JSON Lines
// file's keys), as the contract says: a column of an amount, amount_cents
// or reward (by any of their aliases) makes transactions; a customer's key
// with a partner reference makes customers; else partners. why says so in
// words, for the command to print.
//
// A column that only partners have (a password, a referring partner, an
// action) keeps a file partners even with a key and a partner reference:
// partners files often have a key and a "Partner ID" of their own.
func DetectKind(headers []string) (report.Kind, string) {
	for _, h := range headers {
		switch f := transactionWords.field(normalizeHeader(h)); f {
		case fieldAmount, fieldAmountCents, fieldReward:
			return report.Transactions, fmt.Sprintf("column %q is a transaction's %s", h, f)
		}
	}
	key, partner, partnersOnly := "", "", ""
	for _, h := range headers {
		n := normalizeHeader(h)
		switch customerWords.field(n) {
		case fieldKey:
			key = cmpOr(key, h)
		case fieldPartnerKey, fieldPartnerID, fieldPartnerEmail:
			partner = cmpOr(partner, h)
		case fieldPartner:
			if n == fieldPartner { // JSON Lines' nested {"key","id","email"}: a customers file's
				partner = cmpOr(partner, h)
			}
		case "":
			switch partnerWords.field(n) {
			case fieldPassword, fieldReferringID, fieldReferringKey, fieldReferringEmail, fieldAction:
				partnersOnly = cmpOr(partnersOnly, h)
			}
		}
	}
	switch {
	case key != "" && partner != "" && partnersOnly != "":
		return report.Partners, fmt.Sprintf("column %q is a partner's, though %q and %q could be a customer's key and partner", partnersOnly, key, partner)
	case key != "" && partner != "":
		return report.Customers, fmt.Sprintf("column %q is a customer's key and %q their partner", key, partner)
	}
	if k, why := anotherKindsSign(headers); k != "" {
		return k, why
	}
	return report.Partners, "no column of an amount or reward, nor a customer's key with a partner"
}

// anotherKindsSign is a column no partners file has, in a header that
// names no money or no partner: a mistyped amount, a currency, a product,
// a customer's key. Such a file read as partners would make a partner of
// every buyer; read as its kind, it stops naming what it lacks.
func anotherKindsSign(headers []string) (report.Kind, string) {
	for _, h := range headers {
		n := normalizeHeader(h)
		if partnerWords.field(n) != "" {
			continue
		}
		for _, money := range []string{fieldAmount, fieldAmountCents, fieldReward} {
			if nearMiss(n, money, EditDistance(n, money)) {
				return report.Transactions, fmt.Sprintf("column %q looks like a mistyped %s", h, money)
			}
		}
		switch f := transactionWords.field(n); f {
		case fieldCurrency, fieldProductID, fieldProductType, fieldRewarded, fieldRewardable:
			return report.Transactions, fmt.Sprintf("column %q is a transaction's %s", h, f)
		}
	}
	for _, h := range headers {
		n := normalizeHeader(h)
		if partnerWords.field(n) == "" && customerWords.field(n) == fieldKey && strings.Contains(n, "customer") {
			return report.Customers, fmt.Sprintf("column %q is a customer's key", h)
		}
	}
	return "", ""
}

// cmpOr is the first of a and b that is not "".
func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// headersFound carries a file's header out of a reader opened only to read
// it (Headers).
type headersFound struct{ headers []string }

func (headersFound) Error() string { return "the header was read" }

// Headers reads a file's header: a CSV's first record, an XLSX sheet's first
// row, the keys of the first object of JSON Lines; for DetectKind, before
// the file is read as its kind.
func Headers(r io.Reader, opts Options) ([]string, error) {
	m, err := newMapper(Options{})
	if err != nil {
		return nil, err
	}
	m.headersOnly = true
	if opts.Format == JSONL {
		text, _, _, err := decodeText(r, opts.Encoding)
		if err != nil {
			return nil, err
		}
		return firstKeys(text)
	}
	_, err = open(r, opts, m)
	var found headersFound
	if errors.As(err, &found) {
		return found.headers, nil
	}
	if err == nil {
		return nil, nil // no header at all: an empty file
	}
	return nil, err
}

// firstKeys are the keys of the first object of JSON Lines, in order.
func firstKeys(text *bufio.Reader) ([]string, error) {
	for {
		line, err := text.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			dec := json.NewDecoder(bytes.NewReader(line))
			if t, terr := dec.Token(); terr != nil || t != json.Delim('{') {
				return nil, nil // not an object: the reader says why, later
			}
			var keys []string
			for dec.More() {
				t, err := dec.Token()
				if err != nil {
					return keys, nil
				}
				key, _ := t.(string)
				keys = append(keys, key)
				var skip json.RawMessage
				if dec.Decode(&skip) != nil {
					return keys, nil
				}
			}
			return keys, nil
		}
		if err != nil {
			return nil, nil
		}
	}
}
