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
