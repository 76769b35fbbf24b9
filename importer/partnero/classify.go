package partnero

import (
	"cmp"
	"fmt"
	"html"
	"net/http"
	"slices"
	"strings"
	"unicode"
)

// Verdict is what one HTTP answer means for a row.
type Verdict struct {
	Said      Said
	Field     string // of a Clash: "email", "id" or "key"
	Message   string
	Retryable bool // worth another attempt (throttled, server error)
	Fatal     bool // the run cannot go on (401, 403, a wrong address)
}

// errorBody is what an error answer says: a message, and the fields it
// names with what it says of each.
type errorBody struct {
	Message string
	Fields  []fieldError // sorted by field
}

type fieldError struct {
	Field string
	Text  string
}

// parseErrorBody reads an error answer of any shape a server may give:
// Laravel's {"message", "errors": {field: [...]}} (Partnero's), errors as
// one string per field, {"error": "..."} or {"error": {"message", ...}},
// a list of {"field", "message"} or JSON:API's {"detail", "source":
// {"pointer"}}, problem+json's title and detail, an HTML page, plain text.
func parseErrorBody(body []byte) errorBody {
	v, ok := decode(body)
	if !ok {
		return errorBody{Message: plainText(body)}
	}
	var eb errorBody
	eb.read(v, 0)
	slices.SortStableFunc(eb.Fields, func(a, b fieldError) int { return cmp.Compare(a.Field, b.Field) })
	return eb
}

func (eb *errorBody) read(v any, depth int) {
	switch v := v.(type) {
	case string:
		eb.say(v)
	case []any:
		for _, it := range v {
			eb.read(it, depth+1)
		}
	case object:
		if depth > 3 {
			return
		}
		field := text(v["field"])
		if src, ok := v["source"].(object); ok && field == "" {
			field = pointerField(text(src["pointer"]))
		}
		for _, k := range []string{"message", "detail", "title", "error_description", "msg"} {
			if s := text(v[k]); s != "" {
				if field != "" {
					eb.Fields = append(eb.Fields, fieldError{field, s})
				} else {
					eb.say(s)
				}
				break
			}
		}
		if e, ok := v["error"]; ok {
			eb.read(e, depth+1)
		}
		switch errs := v["errors"].(type) {
		case object:
			for f, msgs := range errs {
				eb.Fields = append(eb.Fields, fieldError{f, joinTexts(msgs)})
			}
		case []any:
			eb.read(errs, depth+1)
		}
	}
}

// say keeps the first message as the message.
func (eb *errorBody) say(s string) {
	if s = strings.TrimSpace(s); s != "" && eb.Message == "" {
		eb.Message = s
	}
}

// pointerField is the field a JSON pointer ends with: /data/attributes/email.
func pointerField(p string) string {
	return p[strings.LastIndexByte(p, '/')+1:]
}

// joinTexts is a field's messages as one text: a list of strings, or one.
func joinTexts(v any) string {
	if list, ok := v.([]any); ok {
		parts := make([]string, 0, len(list))
		for _, it := range list {
			if s := text(it); s != "" {
				parts = append(parts, s)
			}
		}
		return strings.Join(parts, " ")
	}
	return text(v)
}

// plainText is the readable part of a body that is not JSON: an HTML page's
// title (or its text, tags removed), or the first line of plain text.
func plainText(body []byte) string {
	s := string(body)
	lower := strings.ToLower(s)
	if i := strings.Index(lower, "<title>"); i >= 0 {
		if j := strings.Index(lower[i:], "</title>"); j > 0 {
			if t := collapse(html.UnescapeString(s[i+len("<title>") : i+j])); t != "" {
				return t
			}
		}
	}
	if strings.Contains(lower, "<") && strings.Contains(lower, ">") {
		var b strings.Builder
		inTag := false
		for _, r := range s {
			switch {
			case r == '<':
				inTag = true
				b.WriteByte(' ')
			case r == '>':
				inTag = false
			case !inTag:
				b.WriteRune(r)
			}
		}
		return collapse(html.UnescapeString(b.String()))
	}
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	return collapse(s)
}

// collapse keeps a text on one line with single spaces. It is not cut
// short here: secrets are scrubbed first, then the message is cut.
func collapse(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// noEndpointAdvice begins the message of a 404 or 405.
const noEndpointAdvice = "the API has no such endpoint: check --base-url (Partnero's is " + DefaultBaseURL + "); "

// Classify turns an answer into a verdict, what the server said: by status,
// then by the failing field of the error body, then by the words of its
// message. It never relies on one exact sentence, and a message that denies
// ("does not exist") is never read as a clash. A 2xx is Done unless its
// body says otherwise; whether it carries what the call needs is the
// caller's to judge.
func Classify(status int, body []byte) Verdict {
	eb := parseErrorBody(body)
	msg := describe(status, &eb)
	if status >= 200 && status < 300 {
		v, _ := decode(body)
		if !deniesSuccess(v) {
			return Verdict{Said: Done}
		}
		// {"status": 0} in a 2xx refused the row: calling it created would
		// be a lie. It is judged as a 422 would be.
		msg = strings.Replace(msg, http.StatusText(status), http.StatusText(status)+", but the answer says it failed", 1)
		status = http.StatusUnprocessableEntity
	}
	switch {
	case status == http.StatusUnauthorized:
		return Verdict{Said: KeyRefused, Fatal: true,
			Message: "the API refused the key (401): check PARTNERO_API_KEY or --api-key-file; " + msg}
	case status == http.StatusForbidden:
		return Verdict{Said: Forbidden, Fatal: true,
			Message: "the API forbade the call (403): the key lacks access, or invites were sent to a program that is not an affiliate program; " + msg}
	case status >= 300 && status < 400:
		// A redirect is not followed: it would replay the request, key
		// and all, elsewhere. No row can succeed: stop.
		return Verdict{Said: WrongAddress, Fatal: true,
			Message: "the API answered a redirect, which is not followed (the request and the key would go elsewhere): check --base-url (Partnero's is " + DefaultBaseURL + "); " + msg}
	case status == http.StatusNotFound || status == http.StatusMethodNotAllowed:
		// No row can succeed at a wrong address: stop rather than refuse every row.
		return Verdict{Said: WrongAddress, Fatal: true,
			Message: noEndpointAdvice + msg}
	case status == http.StatusTooManyRequests:
		return Verdict{Said: Throttled, Retryable: true, Message: msg}
	case status == http.StatusRequestTimeout:
		return Verdict{Said: Lost, Retryable: true, Message: msg}
	case status >= 500:
		// 501, 505 and the like will not change on a retry.
		retry := status == 500 || status == 502 || status == 503 || status == 504
		return Verdict{Said: ServerFault, Retryable: retry, Message: msg}
	}
	v := Verdict{Said: BadRequest, Message: msg}
	if status == http.StatusUnprocessableEntity {
		v.Said = Invalid
	}
	if said, field, ok := refusedField(&eb, status == http.StatusConflict); ok {
		v.Said, v.Field = said, field
	}
	return v
}

// refusedField finds a clash (email, id or key already taken: the field
// is named) or a missing referring partner: first in the fields the body names, then in its
// message. A 409 is a conflict by its status: the field it names (or the
// message mentions) is the clash, whatever the words.
func refusedField(eb *errorBody, conflict bool) (said Said, field string, ok bool) {
	for _, f := range eb.Fields {
		if said, field, ok := byField(f.Field, strings.ToLower(f.Text), conflict); ok {
			return said, field, true
		}
	}
	m := strings.ToLower(eb.Message)
	taken := conflict || saysTaken(m)
	switch {
	case mentionsReferrer(m) && saysMissing(m):
		return NoReferrer, "", true
	case taken && mentionsEmail(m):
		return Clash, "email", true
	case taken && containsAny(m, "key", "schlüssel", "clé", "clave", "raktas"):
		return Clash, "key", true
	case taken && (hasWord(m, "id") || containsAny(m, "identifier", "identifiant", "identificador", "identificatore", "identifikator", "kennung")):
		return Clash, "id", true
	}
	return 0, "", false
}

// fieldOf names a field as a Clash does (email, id or key), or referrer
// ("" for any other), whatever the prefix or the spelling.
func fieldOf(field string) string {
	f := strings.ToLower(field)
	for _, p := range []string{"partner.", "data.", "attributes.", "update."} {
		f = strings.TrimPrefix(f, p)
	}
	switch {
	case strings.HasPrefix(f, "referring") || strings.HasPrefix(f, "referrer") || strings.HasPrefix(f, "parent"):
		return "referrer"
	case f == "email" || f == "email_address" || f == "e-mail" || f == "e_mail":
		return "email"
	case f == "id" || f == "partner_id" || f == "custom_id" || f == "identifier":
		return "id"
	case f == "key" || f == "partner_key" || f == "referral_key" || f == "ref_key":
		return "key"
	}
	return ""
}

func byField(field, msg string, conflict bool) (said Said, _ string, ok bool) {
	switch f := fieldOf(field); {
	case f == "referrer":
		return NoReferrer, "", saysMissing(msg) || msg == ""
	case f == "" || (!conflict && !saysTaken(msg)):
		return 0, "", false
	default:
		return Clash, f, true
	}
}

// takenWords say a value is already taken, in the languages Partnero's
// messages may come in (its dashboard speaks several; Laravel's validation
// messages are translated per locale).
var takenWords = []string{
	"already", "taken", "exists", "unique", "duplicate", "in use", "registered", "conflict",
	"bereits", "existiert", "vergeben", // de
	"déjà", "deja", "existe", // fr, es, pt
	"ya ha", "ya está", "ya esta", "já ", "già", "in uso", // es, pt, it
	"al in gebruik", "bestaat al", // nl
	"jau ", "užimtas", "egzistuoja", // lt
	"już", "istnieje", // pl
}

// missingWords say a thing is not there, or not valid as given.
var missingWords = []string{
	"not found", "not exist", "no such", "not registered", "unknown", "invalid", "missing", "n't exist",
	"nicht gefunden", "existiert nicht", "nicht vorhanden", "ungültig", // de
	"introuvable", "n'existe pas", "invalide", // fr
	"no existe", "no encontrado", "não existe", "não encontrado", "non esiste", "non trovato", // es, pt, it
	"niet gevonden", "bestaat niet", // nl
	"nerastas", "neegzistuoja", "nerasta", // lt
	"nie istnieje", "nie znaleziono", // pl
}

// saysTaken reports a message that says a value is taken, and does not deny
// it ("is not registered", "does not exist").
func saysTaken(s string) bool {
	if containsAny(s, "not unique", "nicht eindeutig") {
		return true
	}
	return containsAny(s, takenWords...) && !saysMissing(s)
}

func saysMissing(s string) bool { return containsAny(s, missingWords...) }

func mentionsEmail(s string) bool {
	return containsAny(s, "email", "e-mail", "correo", "courriel", "paštas", "pastas")
}

func mentionsReferrer(s string) bool {
	return containsAny(s, "referring", "referrer", "referral partner", "parent partner", "empfehl", "werbend", "parrain", "referente", "patrocinador", "sponsor", "rekomend")
}

// hasWord reports whether w is one of s's words (letters and digits).
func hasWord(s, w string) bool {
	return slices.Contains(strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }), w)
}

func containsAny(s string, words ...string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// describe is the report's message for an error answer: status, the
// server's message and each failing field. It is not cut short here: the
// client scrubs secrets first, then cuts (a secret cut in half would no
// longer be found).
func describe(status int, eb *errorBody) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d %s", status, http.StatusText(status))
	if eb.Message != "" {
		b.WriteString(": " + eb.Message)
	}
	for _, f := range eb.Fields {
		if f.Text != "" && !strings.Contains(eb.Message, f.Text) {
			fmt.Fprintf(&b, " [%s: %s]", f.Field, f.Text)
		}
	}
	return b.String()
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
