package validate

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// invisible reports a format character (Unicode's Cf: zero-width spaces
// and joiners, soft hyphens, direction marks, a BOM) or another character
// that shows nothing.
func invisible(r rune) bool {
	return unicode.Is(unicode.Cf, r) || r == '\u3164' || r == '\u115f' || r == '\u1160' || r == '\uffa0'
}

// NormalEmail is an email as it is checked, compared and sent: in Unicode
// normal form NFKC, so that look-alikes (full-width letters, ligatures)
// are one address. Its case is kept; Key is for comparing.
func NormalEmail(s string) string {
	if ascii(s) || norm.NFKC.IsNormalString(s) { // no copy
		return s
	}
	return norm.NFKC.String(s)
}

// ascii reports text with no byte above 0x7f: already in NFKC, and without
// any invisible format character (they all lie above).
func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// EmailKey is what two emails are compared by, in the file and against
// Partnero, which compares them case-insensitively.
func EmailKey(s string) string { return strings.ToLower(NormalEmail(s)) }

// EmailProblem says why s is not a single plain address, or "" when it is
// one. The rules are the contract's: no display name, no white space, one @,
// a non-empty local part, a domain with a dot, no empty label and no trailing
// dot. Plus-addressing, sub-domains, apostrophes and non-ASCII letters pass.
// An invisible character (a zero-width space, a soft hyphen) is refused:
// it would make a look-alike a second partner. The rest is checked on the
// NFKC form, the one that is sent.
func EmailProblem(s string) string {
	if !ascii(s) {
		if i := strings.IndexFunc(s, invisible); i >= 0 {
			r, _ := utf8.DecodeRuneInString(s[i:])
			return fmt.Sprintf("contains an invisible character (U+%04X)", r)
		}
		s = NormalEmail(s)
	}
	if strings.ContainsAny(s, "<>") {
		return "looks like a display name with an address; give the address alone"
	}
	if strings.IndexFunc(s, unicode.IsSpace) >= 0 {
		return "contains white space"
	}
	at := strings.Count(s, "@")
	if at == 0 {
		return "has no @"
	}
	if at > 1 {
		return "has more than one @"
	}
	local, domain, _ := strings.Cut(s, "@")
	switch {
	case local == "":
		return "has nothing before the @"
	case strings.HasPrefix(local, ".") || strings.HasSuffix(local, ".") || strings.Contains(local, ".."):
		return "has a misplaced dot before the @"
	case strings.ContainsAny(local, `(),:;[]\"`) || strings.IndexFunc(local, unicode.IsControl) >= 0:
		return "has a character not allowed in an address"
	case domain == "":
		return "has nothing after the @"
	case strings.HasSuffix(domain, "."):
		return "ends with a dot"
	case !strings.Contains(domain, "."):
		return "has a domain without a dot"
	}
	for label := range strings.SplitSeq(domain, ".") {
		if label == "" {
			return "has an empty label in its domain"
		}
		if strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-") {
			return "has a domain label that starts or ends with a dash"
		}
		for _, r := range label {
			if r != '-' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				return "has a character not allowed in a domain"
			}
		}
	}
	return ""
}
