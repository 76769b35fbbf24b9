package pull

import "regexp"

// Personal data in what pull prints: the sources README asks that import
// logs never carry partners' (or customers') emails. Messages name a
// record by its id or key instead; what a source echoes back (an answer's
// body, a URL in a network error) is scrubbed of emails besides.

// emailLike matches an email address, as text or URL-escaped (@ as %40,
// or %2540 when escaped twice).
var emailLike = regexp.MustCompile(`(?i)[a-z0-9._%+\-]+(?:@|%40|%2540)[a-z0-9\-]+(?:\.[a-z0-9\-]+)+`)

// HideEmails is text with every email address in it, escaped or not,
// replaced by "[an email]": for a message pull prints.
func HideEmails(text string) string {
	return emailLike.ReplaceAllString(text, "[an email]")
}
