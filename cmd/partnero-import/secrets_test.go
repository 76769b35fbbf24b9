package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/partnero-import/partnero-import/importer/sandbox"
)

// A server that echoes every request back, in every form a server might
// (raw, JSON-escaped twice over, URL-encoded, HTML-escaped, in a page's
// title), placed so that a message cut before scrubbing would keep half a
// secret; creates whose answers are lost, so lookups run and fail too.
// Neither the API key nor any password reaches the report, standard output,
// standard error (text or JSON logs, with --verbose) or the summary.
func TestEchoingServerLeaksNoSecret(t *testing.T) {
	t.Parallel()
	const key = "sk_live_Abc/123+xyz="
	passwords := []string{"Sup3r&<Secret>", "Pässw/0rd'X", "Plain1Secret"}
	var posts, calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		dump := r.Method + " " + r.URL.String() + " Authorization: " + r.Header.Get("Authorization") + " " + string(body)
		quoted, _ := json.Marshal(dump)
		// One form of the request first (the form by the row: p3@x.io gets
		// the fourth), then the request again past padding that moves from
		// answer to answer, so that cuts fall inside secrets.
		row := 0
		fmt.Sscanf(dump[strings.Index(dump, "p")+1:], "%d", &row)
		if i := strings.Index(dump, "email"); i >= 0 {
			fmt.Sscanf(dump[i+strings.IndexByte(dump[i:], 'p')+1:], "%d", &row)
		}
		form := []string{dump, string(quoted), url.QueryEscape(dump), html.EscapeString(dump), strings.ReplaceAll(string(quoted), "/", `\/`)}[row%5]
		echoes := form + " | " + strings.Repeat("x", int(calls.Add(1)*53%400)) + dump
		switch {
		case r.Method == http.MethodGet && r.URL.Query().Get("limit") == "1":
			fmt.Fprint(w, `{"data":[],"links":{"next":null},"status":1}`)
		case r.Method == http.MethodPost && row%3 == 0 && posts.Add(1)%2 == 1: // lost: a lookup follows
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
		case r.Method == http.MethodPost:
			w.WriteHeader(http.StatusUnprocessableEntity)
			json.NewEncoder(w).Encode(map[string]any{"message": echoes, "errors": map[string]any{"password": []string{dump}, "email": echoes}})
		default:
			w.WriteHeader(http.StatusBadGateway)
			fmt.Fprintf(w, "<html><head><title>%s</title></head><body>%s</body></html>", html.EscapeString(echoes), html.EscapeString(dump))
		}
	}))
	defer srv.Close()
	dir := t.TempDir()
	in := filepath.Join(dir, "p.csv")
	var b strings.Builder
	b.WriteString("email,name,password\n")
	for i := range 30 { // each password with each form
		fmt.Fprintf(&b, "p%d@x.io,P,%s\n", i, passwords[i/10])
	}
	os.WriteFile(in, []byte(b.String()), 0o600)
	for _, format := range []string{"text", "json"} {
		rep, summary := filepath.Join(dir, format+".report.csv"), filepath.Join(dir, format+".summary.json")
		r := runCLI(t, map[string]string{"PARTNERO_API_KEY": key, "PARTNERO_BASE_URL": srv.URL + "/v1"}, "",
			"import", "--no-progress", "--rate", "0", "--retries", "1", "--verbose", "--log-format", format,
			"--summary-json", summary, "--report", rep, in)
		if r.code != exitRowsFailed || len(r.reportLines) != 31 {
			t.Fatalf("%s: exit %d\n%s", format, r.code, r.stderr)
		}
		if !strings.Contains(r.report, "REDACTED") {
			t.Fatalf("%s: the echoes did not reach the report, so the test proves nothing:\n%s", format, r.report)
		}
		s, _ := os.ReadFile(summary)
		r.report += string(s)
		for _, sec := range append(passwords, key) {
			for _, form := range echoed(sec) {
				noSecrets(t, r, form, form[:len(form)/2+1]) // nor half of one, cut where a message ends
			}
		}
	}
}

// echoed are the forms of a secret the echoing server sends back, written
// here apart from the scrubber's own list so that a form it forgets shows.
func echoed(s string) []string {
	quoted, _ := json.Marshal(s)
	j := strings.Trim(string(quoted), `"`)
	return []string{s, j, strings.ReplaceAll(j, "/", `\/`), url.QueryEscape(s), html.EscapeString(s)}
}

// The retry file holds passwords: it is readable by its owner only, also
// when a file of that name was there before with another mode.
func TestRetryFileIsPrivate(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	rep, retry := filepath.Join(dir, "m.report.csv"), filepath.Join(dir, "m.retry.csv")
	runCLI(t, nil, "", "validate", "--report", rep, "../../samples/messy.csv") // an earlier run's retry file
	os.Chmod(retry, 0o644)                                                     // made readable since
	r := runCLI(t, nil, "", "validate", "--report", rep, "../../samples/messy.csv")
	st, err := os.Stat(retry)
	if r.code != exitRowsFailed || err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("exit %d, retry file %v %v\n%s", r.code, st.Mode(), err, r.stderr)
	}
}

// A server that echoes the passwords of the rows sent before (not the
// row's own) and the API key as a form decoder reads it (a plus as a
// space), percent-encoded, as Basic credentials in base64 (with a user
// name before the key, whatever its length) and in hex. None of
// those forms reaches the report, standard error (text or JSON logs) or
// the summary.
func TestServerEchoingOtherRowsPasswordsAndKeyFormsLeaksNothing(t *testing.T) {
	t.Parallel()
	const key = "sk_live+Abc+123xyz"
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	keyForms := []string{key, "sk_live Abc 123xyz", "sk_live%2BAbc%2B123xyz", "sk_live%2bAbc%2b123xyz",
		b64(key + ":"), b64(":" + key), b64(key), base64.RawURLEncoding.EncodeToString([]byte(":" + key)),
		b64("user:" + key), b64("api:" + key), fmt.Sprintf("%x", key), fmt.Sprintf("%X", key)} // Basic with a user name of any length, hex
	var mu sync.Mutex
	var seen []string // the passwords of the rows sent so far
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			fmt.Fprint(w, `{"data":[],"links":{"next":null},"status":1}`)
			return
		}
		var p struct{ Password string }
		json.NewDecoder(r.Body).Decode(&p)
		mu.Lock()
		others := strings.Join(seen, " ")
		for _, pw := range seen {
			others += " " + strings.ReplaceAll(pw, "+", " ") + " " + url.QueryEscape(pw)
		}
		seen = append(seen, p.Password)
		mu.Unlock()
		w.WriteHeader(http.StatusUnprocessableEntity)
		json.NewEncoder(w).Encode(map[string]any{
			"message": "refused; earlier rows had " + others + "; your key " + strings.Join(keyForms, " "),
			"errors":  map[string]any{"email": "Authorization: Basic " + b64(key+":") + " for " + others},
		})
	}))
	defer srv.Close()
	dir := t.TempDir()
	in := filepath.Join(dir, "p.csv")
	passwords := []string{"Row1Pass+word", "Row2&Secret9x", "Row3Päss/wordZ", "Row4Pass%2Bx"}
	var b strings.Builder
	b.WriteString("email,password\n")
	for i, pw := range passwords {
		fmt.Fprintf(&b, "p%d@x.io,%s\n", i+1, pw)
	}
	os.WriteFile(in, []byte(b.String()), 0o600)
	var forms []string
	forms = append(forms, keyForms...)
	for _, pw := range passwords {
		forms = append(forms, pw, strings.ReplaceAll(pw, "+", " "), url.QueryEscape(pw))
	}
	for _, format := range []string{"text", "json"} {
		rep, summary := filepath.Join(dir, format+".report.csv"), filepath.Join(dir, format+".summary.json")
		r := runCLI(t, map[string]string{"PARTNERO_API_KEY": key, "PARTNERO_BASE_URL": srv.URL + "/v1"}, "",
			"import", "--no-progress", "--rate", "0", "--concurrency", "1", "--verbose", "--log-format", format,
			"--summary-json", summary, "--report", rep, in)
		if r.code != exitRowsFailed || len(r.reportLines) != 5 {
			t.Fatalf("%s: exit %d\n%s", format, r.code, r.stderr)
		}
		if strings.Count(r.report, "REDACTED") < 4*len(keyForms) || !strings.Contains(r.report, "earlier rows had REDACTED") {
			t.Fatalf("%s: the echoes did not reach the report, so the test proves nothing:\n%s", format, r.report)
		}
		s, _ := os.ReadFile(summary)
		r.report += string(s)
		for _, form := range forms {
			noSecrets(t, r, form)
		}
	}
}

// A key with a control character inside (a line break pasted in, two keys
// in one file) is refused before anything is sent, in one line that says
// so and shows no part of the key; it used to end as an unreachable API.
func TestKeyWithControlCharacterRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	input := csvOf(t, dir, "in.csv", 2)
	keyFile := filepath.Join(dir, "key")
	os.WriteFile(keyFile, []byte("sk_live_first\nsk_live_second\n"), 0o600)
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		says string
	}{
		{"line break in PARTNERO_API_KEY", map[string]string{"PARTNERO_API_KEY": "sk_live_first\nsk_live_second"}, nil, "PARTNERO_API_KEY holds a control character (U+000A)"},
		{"carriage return in PARTNERO_API_KEY", map[string]string{"PARTNERO_API_KEY": "sk_live_first\rsk_live_second"}, nil, "PARTNERO_API_KEY holds a control character (U+000D)"},
		{"tab in PARTNERO_API_KEY", map[string]string{"PARTNERO_API_KEY": "sk_live_first\tsk_live_second"}, nil, "(U+0009)"},
		{"line break in --api-key-file", nil, []string{"--api-key-file", keyFile}, "the key in " + keyFile + " holds a control character (U+000A)"},
		{"line break in PARTNERO_API_KEY_FILE", map[string]string{"PARTNERO_API_KEY_FILE": keyFile}, nil, "the key in " + keyFile + " holds a control character"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sb, base := startSandbox(t, sandbox.Options{})
			args := append([]string{"import", "--no-progress", "--base-url", base, "--report", filepath.Join(t.TempDir(), "r.csv")}, tc.args...)
			r := runCLI(t, tc.env, "", append(args, input)...)
			if r.code != exitUsage || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, tc.says) {
				t.Fatalf("exit %d\n%s", r.code, r.stderr)
			}
			if strings.Contains(r.stderr, "sk_live") || strings.Contains(r.stderr, "first") || strings.Contains(r.stderr, "second") {
				t.Errorf("the key shows: %s", r.stderr)
			}
			if n := sb.Requests(); n != 0 {
				t.Errorf("%d requests sent", n)
			}
		})
	}
}
