// Package secret holds values that must never be printed: partners'
// passwords and the API key. Every way Go prints or logs a value says
// REDACTED; only Reveal gives the text, at the one place it is sent.
package secret

import (
	"encoding/json"
	"fmt"
	"html"
	"log/slog"
	"maps"
	"net/url"
	"slices"
	"strings"
	"unicode/utf16"
)

// String is a secret text.
type String struct{ s string }

// New wraps s.
func New(s string) String { return String{s} }

// Reveal returns the secret itself, for the request that needs it.
func (s String) Reveal() string { return s.s }

// Empty reports whether there is no secret.
func (s String) Empty() bool { return s.s == "" }

const redacted = "REDACTED"

func (String) String() string               { return redacted }
func (String) GoString() string             { return redacted }
func (String) LogValue() slog.Value         { return slog.StringValue(redacted) }
func (String) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }
func (String) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// minScrub is the shortest secret Scrub removes: a secret of a few
// characters would garble ordinary words ("e REDACTED ists"), and real keys
// are long while passwords have at least 8 characters.
const minScrub = 6

// Scrub removes every secret from text that came from elsewhere (a server's
// message, a transport error) in every form a server may echo it: as sent,
// JSON-escaped (Go's and PHP's escaping), URL-encoded, HTML-escaped, and as
// the Authorization header's value. Scrub before cutting a text short: a
// secret cut in half is no longer found.
func Scrub(text string, secrets ...String) string {
	for _, s := range secrets {
		if len(s.s) < minScrub {
			continue
		}
		for _, form := range forms(s.s) {
			text = strings.ReplaceAll(text, form, redacted)
		}
	}
	return text
}

// forms are the ways s may come back, longest first so that a longer form is
// replaced whole before a shorter one inside it.
func forms(s string) []string {
	// As sent, and as a page's collapsed white space shows it.
	set := map[string]bool{s: true, strings.Join(strings.Fields(s), " "): true}
	goJSON, _ := json.Marshal(s) // escapes < > & as \u003c...
	set[strings.Trim(string(goJSON), `"`)] = true
	var plain strings.Builder
	enc := json.NewEncoder(&plain)
	enc.SetEscapeHTML(false)
	enc.Encode(s)
	set[strings.Trim(strings.TrimSpace(plain.String()), `"`)] = true
	for f := range maps.Clone(set) { // PHP escapes slashes, with or without JSON_UNESCAPED_UNICODE
		set[strings.ReplaceAll(f, "/", `\/`)] = true
	}
	set[phpJSON(s)] = true
	set[url.QueryEscape(s)] = true
	set[url.PathEscape(s)] = true
	set[html.EscapeString(s)] = true
	set[strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#x27;").Replace(s)] = true
	set[strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;").Replace(s)] = true
	out := make([]string, 0, len(set))
	for f := range set {
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, b string) int { return len(b) - len(a) })
	return out
}

// phpJSON is s as PHP's json_encode writes it (Laravel's answers): slashes
// escaped, and every non-ASCII character as \uXXXX.
func phpJSON(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '"' || r == '\\' || r == '/':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r > 0x7e:
			for _, u := range utf16.Encode([]rune{r}) {
				fmt.Fprintf(&b, `\u%04x`, u)
			}
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
