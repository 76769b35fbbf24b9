// Package secret holds values that must never be printed: partners'
// passwords and the API key. Every way Go prints or logs a value says
// REDACTED; only Reveal gives the text, at the one place it is sent.
package secret

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"log/slog"
	"maps"
	"net/url"
	"slices"
	"strconv"
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
//
// A form not in that list (percent-escapes in lower case, PHP's &#039;,
// escapes of only some characters) is caught by decoding: when the text,
// with its HTML entities, percent-escapes and JSON escapes decoded, holds a
// secret, the decoded text is returned, scrubbed.
func Scrub(text string, secrets ...String) string {
	secrets = withFormDecoded(secrets)
	text = scrubForms(text, secrets)
	decoded := decodeAll(text)
	if decoded == text {
		return text
	}
	// The decoding undoes the escapes a secret itself may hold ("%20"):
	// the decoded text is searched for the secrets decoded alike too.
	all := slices.Clone(secrets)
	for _, s := range secrets {
		if d := decodeAll(s.s); d != s.s {
			all = append(all, String{d})
		}
	}
	if holds(decoded, all) {
		return scrubForms(decoded, all)
	}
	return text
}

// ScrubRaw removes the secrets' known forms from a body before it is
// parsed, keeping it JSON: parsing (an HTML page's tags removed, white space
// collapsed) could split a secret so that no form of it is found after.
func ScrubRaw(body []byte, secrets ...String) []byte {
	for _, s := range withFormDecoded(secrets) {
		if len(s.s) < minScrub {
			continue
		}
		for _, form := range forms(s.s) {
			body = bytes.ReplaceAll(body, []byte(form), []byte(redacted))
		}
	}
	return body
}

// withFormDecoded adds each secret as a form decoder reads it: a plus is
// a space there ("ab+cd" echoed "ab cd"), and every form of that is a form
// of the secret too.
func withFormDecoded(secrets []String) []String {
	all := secrets
	for _, s := range secrets {
		if strings.Contains(s.s, "+") {
			if len(all) == len(secrets) {
				all = slices.Clone(secrets)
			}
			all = append(all, String{strings.ReplaceAll(s.s, "+", " ")})
		}
	}
	return all
}

func scrubForms(text string, secrets []String) string {
	lower := strings.ToLower(text) // once, not once per form: most forms are not there
	for _, s := range secrets {
		if len(s.s) < minScrub {
			continue
		}
		for _, form := range forms(s.s) {
			if len(lower) == len(text) && !strings.Contains(lower, strings.ToLower(form)) {
				continue
			}
			text = replaceFold(text, form)
			lower = strings.ToLower(text)
		}
	}
	return text
}

// replaceFold replaces form in text whatever its case: a server may echo
// a secret upper-cased ("BEARER ..."). Text whose lower case changes its
// length (rare scripts) is matched exactly.
func replaceFold(text, form string) string {
	lower, lowForm := strings.ToLower(text), strings.ToLower(form)
	if len(lower) != len(text) || len(lowForm) != len(form) {
		return strings.ReplaceAll(text, form, redacted)
	}
	var b strings.Builder
	for {
		i := strings.Index(lower, lowForm)
		if i < 0 {
			b.WriteString(text)
			return b.String()
		}
		b.WriteString(text[:i])
		b.WriteString(redacted)
		text, lower = text[i+len(form):], lower[i+len(form):]
	}
}

func holds(text string, secrets []String) bool {
	for _, s := range secrets {
		if len(s.s) >= minScrub && strings.Contains(text, s.s) {
			return true
		}
	}
	return false
}

// decodeAll undoes, a few times over, the escapes a server may wrap text
// in: HTML entities, percent-escapes (of either case; a plus stays a plus),
// and JSON's backslash escapes.
func decodeAll(s string) string {
	for range 3 {
		next := unescapeJSON(percentDecode(html.UnescapeString(s)))
		if next == s {
			break
		}
		s = next
	}
	return s
}

func percentDecode(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+3], 16, 8); err == nil {
				b.WriteByte(byte(v))
				i += 2
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func unescapeJSON(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 >= len(s) {
			b.WriteByte(s[i])
			continue
		}
		switch c := s[i+1]; c {
		case '"', '\\', '/':
			b.WriteByte(c)
			i++
		case 'n', 't', 'r', 'b', 'f':
			b.WriteByte(map[byte]byte{'n': '\n', 't': '\t', 'r': '\r', 'b': '\b', 'f': '\f'}[c])
			i++
		case 'u':
			r, n := unescapeRune(s[i:])
			if n == 0 {
				b.WriteByte(s[i])
				continue
			}
			b.WriteRune(r)
			i += n - 1
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// unescapeRune reads \uXXXX (or a surrogate pair of them) at the start of
// s; n is 0 when there is none.
func unescapeRune(s string) (r rune, n int) {
	if len(s) < 6 {
		return 0, 0
	}
	v, err := strconv.ParseUint(s[2:6], 16, 16)
	if err != nil {
		return 0, 0
	}
	if utf16.IsSurrogate(rune(v)) && len(s) >= 12 && s[6] == '\\' && s[7] == 'u' {
		if low, err := strconv.ParseUint(s[8:12], 16, 16); err == nil {
			return utf16.DecodeRune(rune(v), rune(low)), 12
		}
	}
	return rune(v), 6
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
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		// As a server might log a credential: alone, or as Basic
		// credentials with the key for user name or for password.
		for _, cred := range []string{s, s + ":", ":" + s} {
			set[enc.EncodeToString([]byte(cred))] = true
		}
	}
	for _, core := range base64Cores(s) {
		set[core] = true
	}
	set[hex.EncodeToString([]byte(s))] = true // either case: forms are matched whatever their case
	set[strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#x27;").Replace(s)] = true
	set[strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;").Replace(s)] = true
	out := make([]string, 0, len(set))
	for f := range set {
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, b string) int { return len(b) - len(a) })
	return out
}

// base64Cores are the parts of s's base64 encoding that are there whatever
// comes before or after it (Basic credentials "user:"+s, any prefix): for
// each alignment of s, the characters that encode its bytes alone, in the
// standard and URL alphabets. The characters also holding a neighbour's
// bits, and the padding, are left out; they hold at most a few bits of s.
func base64Cores(s string) []string {
	var cores []string
	for k := range 3 {
		encoded := base64.RawStdEncoding.EncodeToString(append(make([]byte, k), s...))
		// Character i holds bits 6i..6i+5: it is s's alone from the first
		// one past the k bytes before it, up to the last one whole in s.
		first, end := (8*k+5)/6, 8*(k+len(s))/6
		if end-first < minScrub {
			continue
		}
		core := encoded[first:end]
		cores = append(cores, core, strings.NewReplacer("+", "-", "/", "_").Replace(core))
	}
	return cores
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
