package partnero

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/partnero-import/partnero-import/report"
)

// Verdict is what one HTTP answer means for a row.
type Verdict struct {
	Status    report.Status // created/invited are left to the caller: "" means success
	Reason    report.Reason
	Message   string
	Retryable bool // worth another attempt (throttled, server error)
	Fatal     bool // the run cannot go on (401, 403)
}

// errorBody is the shape of Partnero's (Laravel's) error answers.
type errorBody struct {
	Message string
	Errors  map[string][]string
}

// parseErrorBody reads an error answer leniently: errors may map a field to
// a list of messages or to one message, and some servers say "error"
// rather than "message".
func parseErrorBody(body []byte) errorBody {
	var raw struct {
		Message json.RawMessage            `json:"message"`
		Error   json.RawMessage            `json:"error"`
		Errors  map[string]json.RawMessage `json:"errors"`
	}
	if json.Unmarshal(body, &raw) != nil {
		return errorBody{Message: firstLine(string(body))}
	}
	eb := errorBody{Message: jsonString(raw.Message)}
	if eb.Message == "" {
		eb.Message = jsonString(raw.Error)
	}
	for field, v := range raw.Errors {
		var list []string
		if json.Unmarshal(v, &list) != nil {
			if s := jsonString(v); s != "" {
				list = []string{s}
			}
		}
		if eb.Errors == nil {
			eb.Errors = map[string][]string{}
		}
		eb.Errors[field] = list
	}
	return eb
}

// jsonString is a JSON string's text, or "" for anything else.
func jsonString(v json.RawMessage) string {
	var s string
	if json.Unmarshal(v, &s) != nil {
		return ""
	}
	return s
}

// Classify turns an answer into a verdict: by status, then by the failing
// field of a Laravel error body, then by the words of its message. It never
// relies on one exact sentence.
func Classify(status int, body []byte) Verdict {
	if status >= 200 && status < 300 {
		if !refusedIn2xx(body) {
			return Verdict{}
		}
		// An answer that says 2xx but carries {"status": 0} and no data
		// refused the row: calling it created would be a lie.
		status = http.StatusUnprocessableEntity
	}
	eb := parseErrorBody(body)
	msg := describe(status, &eb)
	switch {
	case status == http.StatusUnauthorized:
		return Verdict{Status: report.Failed, Reason: report.Unauthorized, Fatal: true,
			Message: "the API refused the key (401): check PARTNERO_API_KEY or --api-key-file; " + msg}
	case status == http.StatusForbidden:
		return Verdict{Status: report.Failed, Reason: report.Forbidden, Fatal: true,
			Message: "the API forbade the call (403): the key lacks access, or invites were sent to a program that is not an affiliate program; " + msg}
	case status == http.StatusNotFound || status == http.StatusMethodNotAllowed || (status >= 300 && status < 400):
		// No row can succeed at a wrong address: stop rather than refuse every row.
		return Verdict{Status: report.Rejected, Reason: report.BadRequest, Fatal: true,
			Message: "the API has no such endpoint: check --base-url (Partnero's is " + DefaultBaseURL + "); " + msg}
	case status == http.StatusTooManyRequests:
		return Verdict{Status: report.Failed, Reason: report.RateLimited, Retryable: true, Message: msg}
	case status == http.StatusRequestTimeout:
		return Verdict{Status: report.Failed, Reason: report.NetworkError, Retryable: true, Message: msg}
	case status >= 500:
		// 501, 505 and the like will not change on a retry.
		retry := status == 500 || status == 502 || status == 503 || status == 504
		return Verdict{Status: report.Failed, Reason: report.ServerError, Retryable: retry, Message: msg}
	}
	reason := report.BadRequest
	if status == http.StatusUnprocessableEntity {
		reason = report.ValidationError
	}
	if r, ok := refusedField(&eb); ok {
		reason = r
	}
	return Verdict{Status: report.Rejected, Reason: reason, Message: msg}
}

// refusedIn2xx reports a success status whose body says otherwise:
// Partnero's bodies carry "status": 1 on success, 0 on failure.
func refusedIn2xx(body []byte) bool {
	var b struct {
		Status json.RawMessage `json:"status"`
		Data   json.RawMessage `json:"data"`
	}
	if json.Unmarshal(body, &b) != nil {
		return false
	}
	st := string(b.Status)
	return (st == "0" || st == "false") && (len(b.Data) == 0 || string(b.Data) == "null")
}

// refusedField finds a clash (email, id or key already taken) or a missing
// referring partner: first in the errors object's fields, then in the message.
func refusedField(eb *errorBody) (report.Reason, bool) {
	fields := make([]string, 0, len(eb.Errors))
	for f := range eb.Errors {
		fields = append(fields, f)
	}
	slices.Sort(fields) // a stable answer whatever the map order
	for _, f := range fields {
		text := strings.ToLower(strings.Join(eb.Errors[f], " "))
		if r, ok := byField(strings.ToLower(f), text); ok {
			return r, true
		}
	}
	m := strings.ToLower(eb.Message)
	switch {
	case mentionsReferrer(m) && saysMissing(m):
		return report.ReferringPartnerNotFound, true
	case saysTaken(m) && strings.Contains(m, "email"):
		return report.EmailExists, true
	case saysTaken(m) && strings.Contains(m, "key"):
		return report.KeyExists, true
	case saysTaken(m) && (strings.Contains(m, " id") || strings.HasPrefix(m, "id") || strings.Contains(m, "identifier")):
		return report.IDExists, true
	}
	return "", false
}

func byField(field, text string) (report.Reason, bool) {
	field = strings.TrimPrefix(field, "partner.")
	switch {
	case strings.HasPrefix(field, "referring_partner") || strings.HasPrefix(field, "referrer"):
		if saysMissing(text) || text == "" {
			return report.ReferringPartnerNotFound, true
		}
	case !saysTaken(text):
	case field == "email":
		return report.EmailExists, true
	case field == "id":
		return report.IDExists, true
	case field == "key":
		return report.KeyExists, true
	}
	return "", false
}

func saysTaken(s string) bool {
	return containsAny(s, "already", "taken", "exists", "unique", "duplicate", "in use", "registered")
}

func saysMissing(s string) bool {
	return containsAny(s, "not found", "not exist", "does not exist", "doesn't exist", "no such", "unknown", "invalid", "missing")
}

func mentionsReferrer(s string) bool {
	return containsAny(s, "referring", "referrer", "referral partner", "parent partner")
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
// server's message and each failing field.
func describe(status int, eb *errorBody) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d %s", status, http.StatusText(status))
	if eb.Message != "" {
		b.WriteString(": " + eb.Message)
	}
	fields := make([]string, 0, len(eb.Errors))
	for f := range eb.Errors {
		fields = append(fields, f)
	}
	slices.Sort(fields)
	for _, f := range fields {
		if msgs := eb.Errors[f]; len(msgs) > 0 && !strings.Contains(eb.Message, msgs[0]) {
			fmt.Fprintf(&b, " [%s: %s]", f, strings.Join(msgs, " "))
		}
	}
	return truncate(b.String(), 500)
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	return truncate(s, 200)
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
