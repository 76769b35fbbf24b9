package secret

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"log/slog"
	"net/url"
	"strings"
	"testing"
)

// Every way Go prints or logs a value hides the secret, also inside a struct.
func TestNothingPrintsTheSecret(t *testing.T) {
	s := New("Sup3rSecret")
	type row struct {
		Email    string
		Password String
	}
	r := row{"a@x.io", s}
	var out []string
	for _, f := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		out = append(out, fmt.Sprintf(f, s), fmt.Sprintf(f, r))
	}
	j, _ := json.Marshal(r)
	out = append(out, string(j))
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("row", "password", s, "row", r)
	slog.New(slog.NewTextHandler(&logs, nil)).Info("row", "password", s)
	out = append(out, logs.String())
	for _, o := range out {
		if strings.Contains(o, "Sup3rSecret") {
			t.Errorf("printed: %s", o)
		}
	}
	if s.Reveal() != "Sup3rSecret" || s.Empty() || !New("").Empty() {
		t.Error("Reveal or Empty is wrong")
	}
}

// Scrub finds a secret in every form a server may echo it.
func TestScrubEveryForm(t *testing.T) {
	for _, pw := range []string{"Sup3r&<Secret>", "Pässw/0rd'X", `Qu"ote 1Ab  two`, "sk_live_Abc/123+xyz=", "Cat's%20Eye9", "Ab'Cd%41Ef9Gh<"} {
		s := New(pw)
		goJSON, _ := json.Marshal(pw)
		echoes := []string{
			pw,
			strings.Trim(string(goJSON), `"`),
			phpJSON(pw),
			url.QueryEscape(pw),
			url.PathEscape(pw),
			html.EscapeString(pw),
			strings.Join(strings.Fields(pw), " "),
			"Bearer " + pw,
		}
		lowerHex := strings.NewReplacer("%2F", "%2f", "%2B", "%2b", "%3D", "%3d", "%3C", "%3c", "%3E", "%3e", "%26", "%26", "%27", "%27", "%22", "%22").Replace(url.QueryEscape(pw))
		echoes = append(echoes,
			lowerHex, // percent-escapes in lower case
			strings.ReplaceAll(url.QueryEscape(pw), "%2F", "/"),                     // Python's quote: slashes left alone
			strings.ReplaceAll(html.EscapeString(pw), "&#39;", "&#039;"),            // PHP's htmlspecialchars
			strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(pw), // html.escape(quote=False)
			strings.ReplaceAll(strings.Trim(string(goJSON), `"`), "ä", `\u00e4`),    // escapes of some characters only
			strings.ReplaceAll(html.EscapeString(pw), "&lt;", "&#60;"),              // numeric entities
			strings.ReplaceAll(strings.Trim(string(goJSON), `"`), "'", `\u0027`),    // an apostrophe escaped
		)
		for _, e := range echoes {
			got := Scrub("the server said: "+e+" (and more)", s)
			if strings.Contains(got, e) || !strings.Contains(got, "REDACTED") {
				t.Errorf("%q echoed as %q: %q", pw, e, got)
			}
		}
	}
}

// A secret echoed upper-cased or in base64 is scrubbed too.
func TestScrubCaseAndBase64(t *testing.T) {
	key := New("key+/SEC=ret99")
	for _, echo := range []string{
		"BEARER KEY+/SEC=RET99 refused",
		"auth " + base64.StdEncoding.EncodeToString([]byte("key+/SEC=ret99")),
		"auth " + base64.RawURLEncoding.EncodeToString([]byte("key+/SEC=ret99")),
	} {
		got := Scrub(echo, key)
		if !strings.Contains(got, "REDACTED") || strings.Contains(strings.ToLower(got), "sec=ret99") {
			t.Errorf("%q became %q", echo, got)
		}
	}
	if got := Scrub("Ünïcode KEY+/SEC=RET99", key); strings.Contains(got, "RET99") {
		t.Errorf("beside other scripts: %q", got)
	}
}

// A key echoed by a server that read it form-decoded (a plus as a space),
// percent-encoded, or inside Basic credentials is scrubbed too.
func TestScrubFormDecodedAndBasic(t *testing.T) {
	const key = "sk+Live/Abc+123="
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	for name, echo := range map[string]string{
		"plus as a space":         "sk Live/Abc 123=",
		"percent, upper case":     "sk%2BLive%2FAbc%2B123%3D",
		"percent, lower case":     "sk%2bLive%2fAbc%2b123%3d",
		"percent, plus only":      "sk%2BLive/Abc%2B123=",
		"form-decoded, JSON":      `sk Live\/Abc 123=`,
		"Basic key as user":       "Basic " + b64(key+":"),
		"Basic key as password":   "Basic " + b64(":"+key),
		"Basic key alone":         "Basic " + b64(key),
		"Basic, no padding":       "Basic " + base64.RawStdEncoding.EncodeToString([]byte(key+":")),
		"Basic, URL alphabet":     "Basic " + base64.URLEncoding.EncodeToString([]byte(":"+key)),
		"form-decoded, in Basic":  "Basic " + b64("sk Live/Abc 123=:"),
		"form-decoded, upper":     "SK LIVE/ABC 123=",
		"form-decoded, then HTML": "sk Live/Abc 123&#61;",
	} {
		got := Scrub("the server said: "+echo+" (and more)", New(key))
		if !strings.Contains(got, "REDACTED") || strings.Contains(strings.ToLower(got), "abc") {
			t.Errorf("%s: %q became %q", name, echo, got)
		}
	}
}

// A Set scrubs every password it holds from any text, in the forms Scrub
// knows, with the others given; it holds each password once.
func TestSetScrubsEveryPasswordSeen(t *testing.T) {
	var set Set
	if got := set.Scrub("nothing seen yet: Row1Pass+word", New("key-123456")); got != "nothing seen yet: Row1Pass+word" {
		t.Fatalf("empty set: %q", got)
	}
	pws := []string{"Row1Pass+word", "Row2&<Secret>9", "Pässw/0rd'X3", "short"}
	for _, pw := range pws {
		set.Add(New(pw))
		set.Add(New(pw))
	}
	set.Add(New(""))
	if set.Len() != 3 {
		t.Fatalf("Len = %d, want 3 (duplicates and short ones left out)", set.Len())
	}
	for i := range 500 { // many passwords: the index finds the few in a text
		set.Add(New(fmt.Sprintf("Filler%04dPw", i)))
	}
	for _, echo := range []string{
		"Row1Pass+word", "Row1Pass word", "ROW1PASS+WORD", "Row1Pass%2Bword", url.QueryEscape("Row2&<Secret>9"),
		html.EscapeString("Row2&<Secret>9"), phpJSON("Pässw/0rd'X3"), base64.StdEncoding.EncodeToString([]byte("Row2&<Secret>9")),
		"Filler0042Pw", "filler0499pw", base64.StdEncoding.EncodeToString([]byte("user:Row2&<Secret>9")), fmt.Sprintf("%X", "Pässw/0rd'X3"),
	} {
		got := set.Scrub(`{"message":"taken: `+echo+`"} and key-123456`, New("key-123456"))
		if strings.Contains(got, echo) || strings.Count(got, "REDACTED") != 2 {
			t.Errorf("%q became %q", echo, got)
		}
		raw := string(set.ScrubRaw([]byte("taken: " + echo)))
		upper := echo == "ROW1PASS+WORD" || echo == "filler0499pw" || echo == fmt.Sprintf("%X", "Pässw/0rd'X3") // ScrubRaw matches case; Scrub after it does not
		if !upper && strings.Contains(raw, echo) {
			t.Errorf("raw %q became %q", echo, raw)
		}
	}
	if got := set.Scrub("short and Filler are words"); got != "short and Filler are words" {
		t.Errorf("garbled: %q", got)
	}
}

// A key in base64 after any prefix (Basic credentials with a user name,
// whatever its length) or in hex is scrubbed: what is left of the
// encoding is the few characters shared with its neighbours, never a run
// that decodes to any three bytes of the key.
func TestScrubBase64AtAnyAlignmentAndHex(t *testing.T) {
	const key = "sk_test_SECRET+key/with=chars"
	encodings := map[string]*base64.Encoding{"std": base64.StdEncoding, "url": base64.URLEncoding,
		"raw std": base64.RawStdEncoding, "raw url": base64.RawURLEncoding}
	type echo struct{ name, text string }
	var echoes []echo
	for name, enc := range encodings {
		for _, prefix := range []string{"", "u", "us", "user:", "user1:", "longer user:", "ü:", "Bearer "} {
			for _, suffix := range []string{"", ":", ":pw", "\n"} {
				echoes = append(echoes, echo{fmt.Sprintf("%s %q+key+%q", name, prefix, suffix), enc.EncodeToString([]byte(prefix + key + suffix))})
			}
		}
	}
	echoes = append(echoes,
		echo{"hex", fmt.Sprintf("%x", key)},
		echo{"HEX", fmt.Sprintf("%X", key)},
		echo{"hex in a dump", fmt.Sprintf("%x", "Authorization: Bearer "+key+"\r\n")},
	)
	for _, e := range echoes {
		got := Scrub("the server said: "+e.text+" (and more)", New(key))
		if !strings.Contains(got, "REDACTED") || keyBytesIn(got, key) {
			t.Errorf("%s: %q became %q", e.name, e.text, got)
		}
	}
	if got := Scrub("user dXNlcjpz and 736b5f", New(key)); got != "user dXNlcjpz and 736b5f" {
		t.Errorf("garbled: %q", got)
	}
}

// keyBytesIn reports whether text holds, in base64 (either alphabet, any
// alignment) or hex, a run that decodes to three bytes of key in a row.
func keyBytesIn(text, key string) bool {
	for i := 0; i+3 <= len(key); i++ {
		chunk := []byte(key[i : i+3])
		for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
			// Three bytes at offset 0 of a group encode to four characters of their own.
			if strings.Contains(text, enc.EncodeToString(chunk)) {
				return true
			}
		}
		if h := fmt.Sprintf("%x", chunk); strings.Contains(strings.ToLower(text), h) {
			return true
		}
	}
	return false
}
