package validate

import (
	"strings"
	"unicode"
)

// EmailProblem says why s is not a single plain address, or "" when it is
// one. The rules are the contract's: no display name, no white space, one @,
// a non-empty local part, a domain with a dot, no empty label and no trailing
// dot. Plus-addressing, sub-domains, apostrophes and non-ASCII letters pass.
func EmailProblem(s string) string {
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
