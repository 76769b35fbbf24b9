package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/partnero-import/partnero-import/importer/sandbox"
	"github.com/partnero-import/partnero-import/report"
)

// The command against the sandbox in its documented mode (no key field,
// pages of at most 100, links without totals), with 150 partners already
// there and a fifth of the answers lost after the partner was stored, on
// rows with neither id nor key: each lost answer is settled by a lookup,
// and the report agrees with the sandbox's store, row by row.
func TestLostAnswersInDocumentedMode(t *testing.T) {
	t.Parallel()
	sb, base := startSandbox(t, sandbox.Options{FailRate: 0.03, Faults: sandbox.Faults{
		FailAfterStore: 0.1, DropAfterStore: 0.07, SlowAfterStore: 0.05, SlowDelay: time.Second, Seed: 5,
	}})
	for i := range 150 {
		sb.Add(sandbox.Partner{Email: fmt.Sprintf("old%d@x.io", i), Name: "Old"})
	}
	var b strings.Builder
	b.WriteString("email,name\n")
	for i := range 80 {
		fmt.Fprintf(&b, "new%d@x.io,New\n", i)
	}
	for i := range 5 {
		fmt.Fprintf(&b, "OLD%d@x.io,New\n", i*30)
	}
	dir := t.TempDir()
	in, rep := filepath.Join(dir, "p.csv"), filepath.Join(dir, "p.report.csv")
	os.WriteFile(in, []byte(b.String()), 0o600)
	r := runCLI(t, map[string]string{"PARTNERO_API_KEY": "k-123456", "PARTNERO_BASE_URL": base}, "",
		"import", "--no-progress", "--rate", "0", "--retries", "8", "--timeout", "400ms", "--concurrency", "6", "--report", rep, in)
	if r.code != exitRowsFailed || len(r.reportLines) != 86 {
		t.Fatalf("exit %d, %d lines\n%s", r.code, len(r.reportLines), r.stderr)
	}
	stored, keys := map[string]string{}, map[string]string{}
	for _, p := range sb.Partners() {
		stored[strings.ToLower(p.Email)], keys[strings.ToLower(p.Email)] = p.ID, p.Key
	}
	reconciled := 0
	for _, l := range r.reportLines[1:] {
		email, status, reason, id := strings.ToLower(l[2]), l[4], l[5], l[8]
		switch {
		case strings.HasPrefix(email, "old"):
			if status+"/"+reason != "rejected/email_exists" {
				t.Errorf("%s: %s/%s (%s)", email, status, reason, l[7])
			}
		case status != "created" || id == "" || stored[email] != id:
			t.Errorf("%s: %s/%s id %q, stored as %q (%s)", email, status, reason, id, stored[email], l[7])
		case !strings.HasSuffix(l[9], "?aff="+keys[email]):
			// A reconciled row too: the search's items have no link.
			t.Errorf("%s: referral link %q, the partner's key is %q (%s)", email, l[9], keys[email], l[7])
		}
		if strings.HasPrefix(l[7], "reconciled") {
			reconciled++
		}
	}
	if len(stored) != 230 {
		t.Errorf("%d partners stored, want 150 + 80", len(stored))
	}
	if reconciled < 5 {
		t.Errorf("only %d rows reconciled: the faults did not test the lookups", reconciled)
	}
}

// A server that answers two rows' creates with one partner id (row 4 is
// given row 2's): both rows keep `created`, as the server answered, and
// each row's message names the other; standard error warns once. The other
// rows are untouched.
func TestOneIDForTwoRowsFlagged(t *testing.T) {
	for _, name := range []string{"r.csv", "r.jsonl"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			base := serverGivingOneIDTwice(t, "p3@x.io", "p1@x.io")
			dir := t.TempDir()
			input := csvOf(t, dir, "in.csv", 5)
			rep := filepath.Join(dir, name)
			// One at a time: row 2 is answered before row 4.
			r := runCLI(t, map[string]string{"PARTNERO_API_KEY": "k"}, "", "import", "--no-progress", "--rate", "0", "--concurrency", "1",
				"--base-url", base, "--report", rep, input)
			if r.code != exitOK || strings.Count(r.stderr, "one partner id") != 1 {
				t.Fatalf("exit %d\n%s", r.code, r.stderr)
			}
			var lines []report.Line
			report.Read(rep, func(l report.Line) error { lines = append(lines, l); return nil })
			if len(lines) != 5 {
				t.Fatalf("%d lines", len(lines))
			}
			flagged := map[int]string{
				2: "the server gave row 4 (line 5) the same partner id: one partner may stand for both rows; check them in Partnero",
				4: "the server gave row 2 (line 3) the same partner id: one partner may stand for both rows; check them in Partnero",
			}
			for _, l := range lines {
				if l.Status != report.Created || l.Message != flagged[l.Row] {
					t.Errorf("row %d: %s %q", l.Row, l.Status, l.Message)
				}
			}
			if lines[1].PartnerID == "" || lines[1].PartnerID != lines[3].PartnerID {
				t.Errorf("partner ids %q and %q", lines[1].PartnerID, lines[3].PartnerID)
			}
		})
	}
}

// serverGivingOneIDTwice is a sandbox whose answer to the create of email
// carries the id it gave to the create of earlier.
func serverGivingOneIDTwice(t *testing.T, email, earlier string) string {
	sb := sandbox.New(sandbox.Options{})
	var mu sync.Mutex
	ids := map[string]any{} // by email, as the sandbox gave them
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			sb.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		sb.ServeHTTP(rec, r)
		var body map[string]any
		json.Unmarshal(rec.Body.Bytes(), &body)
		if data, ok := body["data"].(map[string]any); ok {
			mu.Lock()
			e, _ := data["email"].(string)
			ids[e] = data["id"]
			if e == email {
				data["id"] = ids[earlier]
			}
			mu.Unlock()
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(rec.Code)
		json.NewEncoder(w).Encode(body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/v1"
}
