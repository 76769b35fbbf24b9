package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// hostile is text a server may send to take over a terminal: retitle the
// window, erase the line and print a green "ALL GOOD", reverse the text
// after it (U+202E), a NUL and a C1 CSI.
const hostile = "\x1b]0;pwned\x07\x1b[2K\r\x1b[32mALL GOOD\x1b[0m \u202eevil\x00 \u009b31m"

// rawControls are what must never reach a terminal or a report raw.
var rawControls = []string{"\x1b", "\u202e", "\x00", "\x07", "\r", "\u009b"}

// A server whose messages, ids and links hold escape sequences and bidi
// overrides: standard error (text and JSON logs) and the report (CSV and
// JSON Lines) show them as escapes; an id such as =HYPERLINK(...) is no
// formula in the CSV report, and --resume reads back the server's own id.
func TestServerTextIsShownNotRun(t *testing.T) {
	t.Parallel()
	const evilID = `=HYPERLINK("http://evil.example","p1")`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var p struct{ Email string }
		json.NewDecoder(r.Body).Decode(&p)
		switch {
		case r.Method == http.MethodGet:
			fmt.Fprint(w, `{"data":[],"links":{"next":null},"status":1}`)
		case p.Email == "a@x.io":
			w.WriteHeader(http.StatusCreated)
			json.NewEncoder(w).Encode(map[string]any{"status": 1, "data": map[string]any{
				"id": evilID, "email": p.Email, "referral_link": "@https://x.io/?aff=" + hostile}})
		case p.Email == "b@x.io":
			w.WriteHeader(http.StatusUnprocessableEntity)
			json.NewEncoder(w).Encode(map[string]any{"message": hostile, "errors": map[string]any{"name": []string{"-" + hostile}}})
		default: // retries exhausted: a warning on standard error too
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprintf(w, "%s\n", hostile)
		}
	}))
	defer srv.Close()
	dir := t.TempDir()
	in := filepath.Join(dir, "p.csv")
	os.WriteFile(in, []byte("email,name\na@x.io,A\nb@x.io,B\nc@x.io,C\n"), 0o600)
	env := map[string]string{"PARTNERO_API_KEY": "key-123456", "PARTNERO_BASE_URL": srv.URL + "/v1"}
	for _, c := range []struct{ format, report string }{{"text", "r.csv"}, {"json", "r.jsonl"}} {
		rep := filepath.Join(dir, c.format+"."+c.report)
		r := runCLI(t, env, "", "import", "--no-progress", "--rate", "0", "--retries", "0", "--verbose",
			"--log-format", c.format, "--report", rep, in)
		if r.code != exitRowsFailed || !strings.Contains(r.report, "ALL GOOD") || !strings.Contains(r.stderr, "ALL GOOD") {
			t.Fatalf("%s: exit %d; the server's text did not reach the outputs, so the test proves nothing:\n%s\n%s", c.format, r.code, r.stderr, r.report)
		}
		for _, raw := range rawControls {
			if strings.Contains(r.report, raw) || strings.Contains(r.stderr, raw) {
				t.Errorf("%s: %q reaches the report or standard error raw:\n%s\n%s", c.format, raw, r.stderr, r.report)
			}
		}
		for _, shown := range []string{`x1b]0;pwned`, `u202eevil`, `x00`, `u009b31m`} {
			if !strings.Contains(r.report, shown) || !strings.Contains(r.stderr, shown) {
				t.Errorf("%s: %s is not shown as an escape:\n%s\n%s", c.format, shown, r.stderr, r.report)
			}
		}
		if c.format == "text" {
			if got := r.reportLines[1][8]; got != "'"+evilID {
				t.Errorf("partner_id cell %q, want it neutralised", got)
			}
			if got := r.reportLines[1][9]; !strings.HasPrefix(got, "'@https://") {
				t.Errorf("referral_link cell %q, want it neutralised", got)
			}
			// --resume reads the server's own id back.
			again := filepath.Join(dir, "again.jsonl")
			r2 := runCLI(t, env, "", "import", "--no-progress", "--rate", "0", "--retries", "0", "--resume", rep, "--report", again, in)
			var first struct {
				PartnerID string `json:"partner_id"`
				Reason    string
			}
			json.Unmarshal([]byte(r2.report[:strings.IndexByte(r2.report, '\n')]), &first)
			if first.Reason != "already_done" || first.PartnerID != evilID {
				t.Errorf("resumed row 1: %+v, want already_done with the id %s\n%s", first, evilID, r2.report)
			}
		}
	}
	// A fatal answer's text: the one line on standard error.
	fatal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		json.NewEncoder(w).Encode(map[string]any{"message": hostile})
	}))
	defer fatal.Close()
	env["PARTNERO_BASE_URL"] = fatal.URL + "/v1"
	for _, format := range []string{"text", "json"} {
		r := runCLI(t, env, "", "import", "--no-progress", "--log-format", format, "--report", filepath.Join(dir, format+".fatal.csv"), in)
		if r.code != exitUsage || !strings.Contains(r.stderr, `ALL GOOD`) || strings.ContainsAny(r.stderr, "\x1b\u202e\x00") {
			t.Errorf("%s: exit %d, stderr %q", format, r.code, r.stderr)
		}
	}
}

// A file's header cells are echoed on standard error (the columns, a
// warning, the fatal line when no email column is found): shown as escapes
// in text and JSON logs; the JSON still reads back as the header's text.
func TestFileTextOnStandardErrorIsShownNotRun(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	noEmail, odd := filepath.Join(dir, "noemail.csv"), filepath.Join(dir, "odd.csv")
	os.WriteFile(noEmail, []byte("na\x1b]0;pwned\x07me,x\u202ey\na,b\n"), 0o600)
	os.WriteFile(odd, []byte("email,x\u202ey\u0085\x7f\na@x.io,b\n"), 0o600)
	for _, format := range []string{"text", "json"} {
		r := runCLI(t, nil, "", "validate", "--log-format", format, "--report", filepath.Join(dir, format+"1.csv"), noEmail)
		if r.code != exitUsage || !strings.Contains(r.stderr, `x1b]0;pwned`) {
			t.Errorf("%s: exit %d, stderr %q", format, r.code, r.stderr)
		}
		r2 := runCLI(t, nil, "", "validate", "--log-format", format, "--report", filepath.Join(dir, format+"2.csv"), odd)
		for _, raw := range append(rawControls, "\x7f", "\u0085") {
			if strings.Contains(r.stderr+r2.stderr, raw) {
				t.Errorf("%s: %q reaches standard error raw:\n%s%s", format, raw, r.stderr, r2.stderr)
			}
		}
		if format == "json" {
			var header string
			for _, l := range strings.Split(strings.TrimSpace(r2.stderr), "\n") {
				var rec struct{ Msg, Header string }
				if err := json.Unmarshal([]byte(l), &rec); err != nil {
					t.Fatalf("not JSON: %s", l)
				}
				if rec.Msg == "column" && rec.Header != "email" {
					header = rec.Header
				}
			}
			if header != "x\u202ey\u0085\x7f" {
				t.Errorf("the column's header reads back as %q", header)
			}
		}
	}
}
