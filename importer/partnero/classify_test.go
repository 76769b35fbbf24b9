package partnero

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		want   Said
		field  string
		retry  bool
		fatal  bool
	}{
		{"created", 201, `{"data":{"id":"p1"},"status":1}`, Done, "", false, false},
		{"ok", 200, `{}`, Done, "", false, false},
		{"a 200 that says it failed", 200, `{"status":0,"message":"Email already exists"}`, Clash, "email", false, false},
		{"a 200 with data and status 0 still says it failed", 200, `{"status":0,"data":{"id":"p"}}`, Invalid, "", false, false},
		{"email by field", 422, `{"message":"The given data was invalid.","errors":{"email":["Email already exists"]}}`, Clash, "email", false, false},
		{"email by field, Laravel wording", 422, `{"message":"The email has already been taken.","errors":{"email":["The email has already been taken."]}}`, Clash, "email", false, false},
		{"id by field", 422, `{"message":"x","errors":{"id":["ID already exists"]}}`, Clash, "id", false, false},
		{"key by field", 422, `{"message":"x","errors":{"key":["This key is taken"]}}`, Clash, "key", false, false},
		{"nested field name", 422, `{"message":"x","errors":{"partner.email":["already in use"]}}`, Clash, "email", false, false},
		{"email format is not a clash", 422, `{"message":"The email must be a valid email address.","errors":{"email":["The email must be a valid email address."]}}`, Invalid, "", false, false},
		{"errors as plain strings", 422, `{"message":"Invalid data","errors":{"key":"The key has already been taken."}}`, Clash, "key", false, false},
		{"error instead of message", 400, `{"error":"Referrer partner not found"}`, NoReferrer, "", false, false},
		{"by message only", 422, `{"message":"Email already exists"}`, Clash, "email", false, false},
		{"id by message only", 422, `{"message":"ID already exists"}`, Clash, "id", false, false},
		{"key by message only", 422, `{"message":"Key already exists"}`, Clash, "key", false, false},
		{"other 422", 422, `{"message":"The name must be a string.","errors":{"name":["The name must be a string."]}}`, Invalid, "", false, false},
		{"422 without a body", 422, ``, Invalid, "", false, false},
		{"referrer 400", 400, `{"message":"Referring partner not found","status":0}`, NoReferrer, "", false, false},
		{"referrer, other words", 400, `{"message":"The referring partner does not exist."}`, NoReferrer, "", false, false},
		{"referrer by field", 422, `{"message":"x","errors":{"referring_partner.email":["The selected referring partner.email is invalid."]}}`, NoReferrer, "", false, false},
		{"other 400", 400, `{"message":"Bad JSON"}`, BadRequest, "", false, false},
		{"conflict", 409, `{"message":"A partner with this email already exists"}`, Clash, "email", false, false},
		{"404 means a wrong base URL", 404, `<html>Not Found</html>`, WrongAddress, "", false, true},
		{"a redirect too", 301, ``, WrongAddress, "", false, true},
		{"other 4xx", 413, `{"message":"Payload Too Large"}`, BadRequest, "", false, false},
		{"401", 401, `{"message":"Unauthenticated."}`, KeyRefused, "", false, true},
		{"403", 403, `{"message":"Forbidden"}`, Forbidden, "", false, true},
		{"429", 429, `{"message":"Too Many Attempts."}`, Throttled, "", true, false},
		{"500", 500, `{"message":"Server Error"}`, ServerFault, "", true, false},
		{"503 html", 503, `<html><body>Service Unavailable</body></html>`, ServerFault, "", true, false},
		{"408", 408, ``, Lost, "", true, false},

		// Other languages, by field and by message alone.
		{"German, by field", 422, `{"message":"x","errors":{"email":["E-Mail ist bereits vergeben."]}}`, Clash, "email", false, false},
		{"German, message only", 422, `{"message":"E-Mail ist bereits vergeben."}`, Clash, "email", false, false},
		{"French id", 422, `{"message":"Cette valeur de l'ID est déjà utilisée."}`, Clash, "id", false, false},
		{"French identifier", 422, `{"message":"L'identifiant est déjà utilisé."}`, Clash, "id", false, false},
		{"German recruiting partner", 400, `{"message":"Werbender Partner nicht gefunden."}`, NoReferrer, "", false, false},
		{"Spanish key", 422, `{"message":"La clave ya ha sido registrada."}`, Clash, "key", false, false},
		{"Lithuanian email", 422, `{"message":"El. paštas jau užimtas."}`, Clash, "email", false, false},
		{"German referrer", 400, `{"message":"Der empfehlende Partner wurde nicht gefunden."}`, NoReferrer, "", false, false},
		{"French referrer", 400, `{"error":{"message":"Le partenaire parrain est introuvable."}}`, NoReferrer, "", false, false},
		{"Laravel's exists rule", 422, `{"message":"The selected referring partner is invalid."}`, NoReferrer, "", false, false},

		// A message that denies is never a clash.
		{"not registered", 422, `{"message":"This email is not registered."}`, Invalid, "", false, false},
		{"does not exist", 422, `{"message":"x","errors":{"email":["The email does not exists."]}}`, Invalid, "", false, false},
		{"not unique is a clash", 422, `{"message":"The email is not unique."}`, Clash, "email", false, false},

		// 409: a conflict on the field it names, in any words.
		{"409 on the email field", 409, `{"message":"Conflict","errors":{"email":["Konflikt"]}}`, Clash, "email", false, false},
		{"409 naming the email", 409, `{"message":"Duplicate e-mail"}`, Clash, "email", false, false},
		{"409 on the key", 409, `{"error":{"message":"conflict","field":"key"}}`, Clash, "key", false, false},
		{"409 saying nothing", 409, ``, BadRequest, "", false, false},

		// Error bodies of other shapes.
		{"error object", 422, `{"error":{"code":"taken","message":"Email already exists"}}`, Clash, "email", false, false},
		{"errors as a list", 422, `{"errors":[{"field":"id","message":"has already been taken"}]}`, Clash, "id", false, false},
		{"JSON:API", 422, `{"errors":[{"status":"422","detail":"has already been taken","source":{"pointer":"/data/attributes/email"}}]}`, Clash, "email", false, false},
		{"problem+json", 422, `{"type":"about:blank","title":"Unprocessable","detail":"Key already exists"}`, Clash, "key", false, false},
		{"errors as plain list", 422, `{"errors":["Email already exists"]}`, Clash, "email", false, false},
		{"HTML 422", 422, `<html><head><title>Email already exists</title></head></html>`, Clash, "email", false, false},
		{"plain text", 400, "Referring partner not found\nmore", NoReferrer, "", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := Classify(tt.status, []byte(tt.body))
			if v.Said != tt.want || v.Field != tt.field || v.Retryable != tt.retry || v.Fatal != tt.fatal {
				t.Fatalf("got %+v, want %v %q retry %v fatal %v", v, tt.want, tt.field, tt.retry, tt.fatal)
			}
			if tt.want != Done && v.Message == "" {
				t.Error("no message")
			}
		})
	}
}

// The message of any error body is readable text on one line.
func TestErrorMessages(t *testing.T) {
	tests := map[string]string{
		`{"error":{"message":"Rate limit","code":429}}`:                    "Rate limit",
		`<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>`: "502 Bad Gateway",
		`<html><body><h1>Service   Unavailable</h1><p>try &amp; later</p>`: "Service Unavailable try & later",
		"upstream connect error\r\nreset reason: overflow":                 "upstream connect error",
		`{"detail":"Not authenticated"}`:                                   "Not authenticated",
		`{"message":["a","b"]}`:                                            "",
	}
	for body, want := range tests {
		if got := parseErrorBody([]byte(body)).Message; got != want {
			t.Errorf("%s: %q, want %q", body, got, want)
		}
	}
	// Never cut here: a secret cut in half would escape the scrubbing
	// that comes after.
	long := "<html><title>" + strings.Repeat("x", 1000) + " Secr3tPass</title></html>"
	if got := parseErrorBody([]byte(long)).Message; !strings.HasSuffix(got, "Secr3tPass") {
		t.Errorf("a long page's message was cut: ...%s", got[len(got)-20:])
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	tests := map[string]time.Duration{
		"":                              0,
		"3":                             3 * time.Second,
		"0.5":                           500 * time.Millisecond,
		"Tue, 24 Nov 2026 12:00:10 GMT": 10 * time.Second,
		"Tue, 24 Nov 2026 11:00:00 GMT": 0,
		"soon":                          0,
		"-4":                            0,
		"100000":                        10 * time.Minute,
		"1e300":                         10 * time.Minute,
		"99999999999999999999":          10 * time.Minute,
		"NaN":                           0,
		"Inf":                           10 * time.Minute,
		"Fri, 31 Dec 9999 23:59:59 GMT": 10 * time.Minute,
	}
	for v, want := range tests {
		if got := retryAfter(v, now); got != want {
			t.Errorf("retryAfter(%q) = %v, want %v", v, got, want)
		}
	}
}

// A Retry-After date is read in the server's clock, from its Date header.
func TestWaitAskedInTheServersClock(t *testing.T) {
	server := time.Now().Add(15 * time.Minute).UTC()
	h := http.Header{"Date": {server.Format(http.TimeFormat)}, "Retry-After": {server.Add(2 * time.Second).Format(http.TimeFormat)}}
	if got := waitAsked(h); got < time.Second || got > 3*time.Second {
		t.Fatalf("waits %v for a Retry-After 2 s after the server's Date", got)
	}
	behind := time.Now().Add(-time.Hour).UTC()
	h = http.Header{"Date": {behind.Format(http.TimeFormat)}, "Retry-After": {behind.Add(5 * time.Second).Format(http.TimeFormat)}}
	if got := waitAsked(h); got < 4*time.Second || got > 6*time.Second {
		t.Fatalf("waits %v for a server an hour behind asking 5 s", got)
	}
}

func TestCheckBaseURL(t *testing.T) {
	ok := []string{"https://api.partnero.com/v1", "http://127.0.0.1:8080/v1", "http://localhost:9/v1", "http://[::1]:8080/v1"}
	for _, u := range ok {
		if _, err := CheckBaseURL(u); err != nil {
			t.Errorf("%s: %v", u, err)
		}
	}
	bad := []string{"http://api.partnero.com/v1", "http://10.0.0.1/v1", "ftp://x/v1", "api.partnero.com", ""}
	for _, u := range bad {
		if _, err := CheckBaseURL(u); err == nil {
			t.Errorf("%s: accepted", u)
		}
	}
}

// A redirect is told as one, not as a missing endpoint.
func TestRedirectSaysSo(t *testing.T) {
	v := Classify(http.StatusFound, nil)
	if !v.Fatal || !strings.Contains(v.Message, "redirect, which is not followed") || strings.Contains(v.Message, "no such endpoint") {
		t.Fatalf("got %+v", v)
	}
}
