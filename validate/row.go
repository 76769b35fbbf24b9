package validate

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/partnero-import/partnero-import/importer/input"
	"github.com/partnero-import/partnero-import/report"
)

// Problem is one reason a row is invalid, with a message naming the column,
// or that --where leaves it out (report.Filtered, which the row's other
// problems yield to). Messages never quote a password.
type Problem struct {
	Reason  report.Reason
	Message string
}

// Actions a row can become.
const (
	Create = "create"
	Invite = "invite"
)

// Action is the call a row becomes: its own action cell, else mode. ok is
// false when the cell holds anything but create or invite.
func Action(f *input.Fields, mode string) (action string, ok bool) {
	switch strings.ToLower(f.Action) {
	case "":
		return mode, true
	case Create:
		return Create, true
	case Invite:
		return Invite, true
	}
	return mode, false
}

// Length limits in characters, as the API enforces them.
const (
	maxName  = 100
	maxKey   = 64
	maxOther = 255
)

// Row checks the rules that need nothing but the row itself, in the
// contract's order (the file-level ones are Plan's).
func Row(rec *input.Record, mode string) []Problem {
	if rec.Err != nil {
		return []Problem{{report.InvalidRow, rec.Err.Error()}}
	}
	if rec.Filtered != "" {
		// Left out on purpose: what else the row holds does not matter.
		return []Problem{{report.Filtered, rec.Filtered}}
	}
	var ps []Problem
	f := &rec.Fields
	action, ok := Action(f, mode)
	if !ok {
		ps = append(ps, Problem{report.InvalidRow, fmt.Sprintf("action: %q is neither create nor invite", f.Action)})
	}
	if msg := keyProblem(f.Key); msg != "" {
		ps = append(ps, Problem{report.InvalidRow, msg})
	}
	if f.Email == "" {
		ps = append(ps, Problem{report.MissingEmail, "email: missing"})
	} else if why := EmailProblem(f.Email); why != "" {
		ps = append(ps, Problem{report.InvalidEmail, "email: " + why})
	}
	if f.ReferringEmail != "" {
		if why := EmailProblem(f.ReferringEmail); why != "" {
			// A column of names or ids read as emails: the referrer would
			// be "not found" at the API, row after row.
			ps = append(ps, Problem{report.InvalidEmail, fmt.Sprintf("referring_partner_email: %s is not an email (it %s); if the column holds the referrers' ids or keys, say so: --map referring_partner_id=HEADER (or referring_partner_key)", quoteCell(f.ReferringEmail), why)})
		}
	}
	if p := f.Password.Reveal(); p != "" {
		if lacks := PasswordLacks(p); lacks != "" {
			ps = append(ps, Problem{report.WeakPassword, "password: needs " + lacks})
		}
	}
	if action == Invite && f.Name == "" {
		ps = append(ps, Problem{report.MissingName, "name: an invite needs one"})
	}
	ps = tooLong(ps, f)
	return ps
}

// quoteCell quotes a cell for a message, cut to a length a message can
// carry.
func quoteCell(v string) string {
	const most = 60
	if utf8.RuneCountInString(v) > most {
		v = string([]rune(v)[:most]) + "…"
	}
	return fmt.Sprintf("%q", v)
}

// PasswordLacks lists what the API's password rule misses, or "".
func PasswordLacks(p string) string {
	var lower, upper, digit bool
	for _, r := range p {
		lower = lower || unicode.IsLower(r)
		upper = upper || unicode.IsUpper(r)
		digit = digit || unicode.IsDigit(r)
	}
	var lacks []string
	if utf8.RuneCountInString(p) < 8 {
		lacks = append(lacks, "at least 8 characters")
	}
	if !lower {
		lacks = append(lacks, "a lowercase letter")
	}
	if !upper {
		lacks = append(lacks, "an uppercase letter")
	}
	if !digit {
		lacks = append(lacks, "a digit")
	}
	return strings.Join(lacks, ", ")
}

func tooLong(ps []Problem, f *input.Fields) []Problem {
	check := func(column, value string, limit int) {
		if n := utf8.RuneCountInString(value); n > limit {
			ps = append(ps, Problem{report.FieldTooLong, fmt.Sprintf("%s: %d characters, over %d", column, n, limit)})
		}
	}
	check("name", f.Name, maxName)
	check("surname", f.Surname, maxName)
	check("key", f.Key, maxKey)
	check("email", f.Email, maxOther)
	check("password", f.Password.Reveal(), maxOther)
	check("id", f.ID, maxOther)
	for _, t := range f.Tags {
		check("tags", t, maxOther)
	}
	check("referring_partner_id", f.ReferringID, maxOther)
	check("referring_partner_key", f.ReferringKey, maxOther)
	check("referring_partner_email", f.ReferringEmail, maxOther)
	return ps
}

// keyProblem refuses a key with a character other than an ASCII letter, a
// digit, - or _: Partnero answers such a key "must only contain letters,
// numbers, dashes, and underscores", so the row would only be rejected
// (and its referred partners skipped) once sent. Non-ASCII letters are
// refused too: the sandbox refuses them, and a referral link carries them
// poorly.
func keyProblem(key string) string {
	i := strings.IndexFunc(key, func(r rune) bool {
		return r != '-' && r != '_' && (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && (r < '0' || r > '9')
	})
	if i < 0 {
		return ""
	}
	r, _ := utf8.DecodeRuneInString(key[i:])
	return fmt.Sprintf("key: %q holds %q; Partnero takes only letters, digits, - and _ in a key (its referral links use it): fix the key, or leave the column out", key, r)
}
