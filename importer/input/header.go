package input

import (
	"strings"
	"unicode"

	"github.com/partnero-import/partnero-import/printable"
)

// The canonical field names, as headers and JSON keys spell them.
const (
	fieldEmail          = "email"
	fieldName           = "name"
	fieldSurname        = "surname"
	fieldPassword       = "password"
	fieldID             = "id"
	fieldKey            = "key"
	fieldTags           = "tags"
	fieldReferringID    = "referring_partner_id"
	fieldReferringKey   = "referring_partner_key"
	fieldReferringEmail = "referring_partner_email"
	fieldAction         = "action"
	fieldReferring      = "referring_partner" // JSON Lines: a nested {"id","key","email"}
)

// aliases maps normalized headers to canonical fields. Only names that leave
// no doubt are here; anything else is reported as an unknown column.
var aliases = map[string]string{
	"email": fieldEmail, "e_mail": fieldEmail, "email_address": fieldEmail, "e_mail_address": fieldEmail,
	"mail": fieldEmail, "partner_email": fieldEmail,
	"name": fieldName, "first_name": fieldName, "firstname": fieldName, "given_name": fieldName,
	"surname": fieldSurname, "last_name": fieldSurname, "lastname": fieldSurname, "family_name": fieldSurname,
	"password": fieldPassword,
	"id":       fieldID, "partner_id": fieldID, "external_id": fieldID,
	"key": fieldKey, "partner_key": fieldKey, "referral_key": fieldKey, "ref_key": fieldKey,
	"tags": fieldTags, "tag": fieldTags,
	"referring_partner_id": fieldReferringID, "referrer_id": fieldReferringID, "parent_partner_id": fieldReferringID,
	"referring_partner_key": fieldReferringKey, "referrer_key": fieldReferringKey, "parent_partner_key": fieldReferringKey,
	"referring_partner_email": fieldReferringEmail, "referrer_email": fieldReferringEmail, "parent_partner_email": fieldReferringEmail,
	"action":            fieldAction,
	"referring_partner": fieldReferring, "referrer": fieldReferring,
}

// normalizeHeader lowercases a header, trims it, and reads spaces, dashes and
// dots as underscores: "First Name", "first-name" and "FIRST_NAME" agree.
func normalizeHeader(h string) string {
	h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
	var b strings.Builder
	underscore := false
	for _, r := range strings.ToLower(h) {
		if r == ' ' || r == '-' || r == '_' || r == '.' || unicode.IsSpace(r) {
			underscore = true
			continue
		}
		if underscore && b.Len() > 0 {
			b.WriteByte('_')
		}
		underscore = false
		b.WriteRune(r)
	}
	return b.String()
}

// headerForms are the normalized forms by which a header given to --map,
// --ignore-column or --where finds a file's header: as the file has it,
// and as printed (printable.String), since a header holding a zero-width
// or control character is shown escaped, and so pasted back.
func headerForms(h string) []string {
	n := normalizeHeader(h)
	if p := normalizeHeader(printable.String(h)); p != n {
		return []string{n, p}
	}
	return []string{n}
}

// mapFix is the --map that reads header as field, as a POSIX shell takes
// it when pasted: the header as printed, double-quoted within the value
// when it holds a comma or a quote (see ParseMap), all single-quoted when
// the shell would read it otherwise.
func mapFix(field, header string) string {
	return "--map " + field + "=" + ShellQuote(pairValue(printable.String(header)))
}

// ignoreFix is the --ignore-column that leaves header out, as a shell
// takes it (the flag's value is the whole header, commas and all).
func ignoreFix(header string) string {
	return "--ignore-column " + ShellQuote(printable.String(header))
}

// pairValue is a value as --map and --where read it in a list: in double
// quotes (a quote inside doubled) when it holds a comma or a quote.
func pairValue(v string) string {
	if strings.ContainsAny(v, `,"`) {
		return `"` + strings.ReplaceAll(v, `"`, `""`) + `"`
	}
	return v
}
