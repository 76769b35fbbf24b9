package validate

import (
	"fmt"
	"slices"
	"unicode/utf8"

	"github.com/partnero-import/partnero-import/importer/input"
	"github.com/partnero-import/partnero-import/report"
)

// customerRank is the contract's order of a customer's reasons: a row's
// reason is the first of its problems in it.
var customerRank = rankOf(report.Filtered, report.MissingKey, report.DuplicateKeyInFile, report.InvalidEmail,
	report.MissingPartner, report.FieldTooLong, report.InvalidRow)

// Length limits of a customer's cells, in characters. A customer's key may
// be an email ("use account ID or email", the API says), so it has the
// limit of other fields, not a partner key's 64; partner_key names a
// partner's key, which is at most 64.
const maxCustomerKey = maxOther

// CustomerRow checks the rules of a customer row on its own, sorted in the
// contract's order (duplicate_key_in_file is KeyPlan's). The same email on
// two customers is allowed.
func CustomerRow(rec *input.Record) []Problem {
	if ps, done := unread(rec); done {
		return ps
	}
	f := &rec.Fields
	var ps []Problem
	if f.Key == "" {
		ps = append(ps, Problem{report.MissingKey, "key: missing (the customer's id in the old platform, or your own)"})
	}
	if f.Email != "" {
		if why := EmailProblem(f.Email); why != "" {
			ps = append(ps, Problem{report.InvalidEmail, "email: " + why})
		}
	}
	if f.PartnerEmail != "" {
		if why := EmailProblem(f.PartnerEmail); why != "" {
			ps = append(ps, Problem{report.InvalidEmail, fmt.Sprintf("partner_email: %s is not an email (it %s)", quoteCell(f.PartnerEmail), why)})
		}
	}
	if f.PartnerKey == "" && f.PartnerID == "" && f.PartnerEmail == "" {
		ps = append(ps, Problem{report.MissingPartner, "partner_key, partner_id or partner_email: none is given (the partner who referred the customer)"})
	}
	long := lengths{ps}
	long.check("key", f.Key, maxCustomerKey)
	long.check("email", f.Email, maxOther)
	long.check("name", f.Name, maxName)
	long.check("surname", f.Surname, maxName)
	for _, t := range f.Tags {
		long.check("tags", t, maxOther)
	}
	long.check("partner_key", f.PartnerKey, maxKey)
	long.check("partner_id", f.PartnerID, maxOther)
	long.check("partner_email", f.PartnerEmail, maxOther)
	return sortedBy(customerRank, long.ps)
}

// unread gives the only problem of a record that could not be read, or
// that --where left out: what else it holds does not matter.
func unread(rec *input.Record) ([]Problem, bool) {
	switch {
	case rec.Err != nil:
		return []Problem{{report.InvalidRow, rec.Err.Error()}}, true
	case rec.Filtered != "":
		return []Problem{{report.Filtered, rec.Filtered}}, true
	}
	return nil, false
}

// lengths adds field_too_long problems, as tooLong does for partners.
type lengths struct{ ps []Problem }

func (l *lengths) check(column, value string, limit int) {
	if len(value) <= limit {
		return // fewer bytes than the limit: fewer characters too
	}
	if n := utf8.RuneCountInString(value); n > limit {
		l.ps = append(l.ps, Problem{report.FieldTooLong, fmt.Sprintf("%s: %d characters, over %d", column, n, limit)})
	}
}

// rankOf ranks reasons in the order given.
func rankOf(order ...report.Reason) map[report.Reason]int {
	m := make(map[report.Reason]int, len(order))
	for i, r := range order {
		m[r] = i
	}
	return m
}

// sortedBy sorts ps in a kind's order of reasons, the first its reason.
func sortedBy(rank map[report.Reason]int, ps []Problem) []Problem {
	if len(ps) > 1 {
		slices.SortStableFunc(ps, func(a, b Problem) int { return rank[a.Reason] - rank[b.Reason] })
	}
	return ps
}
