package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/partnero-import/partnero-import/importer/sandbox"
	"github.com/partnero-import/partnero-import/report"
)

// interrupter is the sandbox behind a server that interrupts the run in
// progress, as Ctrl-C would, once it has answered a given number of
// creations (of partners, customers and transactions): an import stopped
// at a known point, in the test's process.
type interrupter struct {
	sb      *sandbox.Server
	mu      sync.Mutex
	left    int // creations before the interruption; 0: none
	cancel  context.CancelFunc
	baseURL string
}

func newInterrupter(t *testing.T, sb *sandbox.Server) *interrupter {
	i := &interrupter{sb: sb}
	srv := httptest.NewServer(i)
	t.Cleanup(srv.Close)
	i.baseURL = srv.URL + "/v1"
	return i
}

func (i *interrupter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	i.sb.ServeHTTP(w, r)
	if r.Method != http.MethodPost || !isCreate(r.URL.Path) {
		return
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.left > 0 {
		if i.left--; i.left == 0 {
			i.cancel()
		}
	}
}

// isCreate reports whether path is where records of a kind are created.
func isCreate(path string) bool {
	for _, kind := range []string{"/partners", "/customers", "/transactions"} {
		if strings.HasSuffix(path, kind) {
			return true
		}
	}
	return false
}

// run runs the command, interrupted after n creations (never when n is 0).
func (i *interrupter) run(t *testing.T, n int, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	i.mu.Lock()
	i.left, i.cancel = n, cancel
	i.mu.Unlock()
	env := map[string]string{"PARTNERO_API_KEY": "k-123456", "PARTNERO_BASE_URL": i.baseURL}
	return runCLIContext(t, ctx, env, "", args...)
}

// An import interrupted twice and resumed twice (A, then --resume A writes
// B, then --resume B writes C) accounts for every row once in C, creates
// no partner twice, and chains its reports: a rollback of A or B names C
// and stops with nothing sent; a rollback of C undoes the whole job.
func TestResumeOfAResumedReport(t *testing.T) {
	t.Parallel()
	sb, _ := startSandbox(t, sandbox.Options{})
	srv := newInterrupter(t, sb)
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	var b strings.Builder
	b.WriteString("email,name,referring_partner_email\n")
	for i := range 30 {
		ref := ""
		if i%3 != 0 {
			ref = fmt.Sprintf("p%d@x.io", i/3*3)
		}
		fmt.Fprintf(&b, "p%d@x.io,P%d,%s\n", i, i, ref)
	}
	os.WriteFile(in, []byte(b.String()), 0o600)
	at := func(name string) string { return filepath.Join(dir, name) }
	a, bRep, c := at("in.report.csv"), at("in.resumed.report.csv"), at("in.resumed-2.report.csv")

	flags := []string{"import", "--no-progress", "--rate", "0", "--concurrency", "1"}
	if r := srv.run(t, 8, append(flags, in)...); r.code != exitInterrupted {
		t.Fatalf("A: exit %d\n%s", r.code, r.stderr)
	}
	if r := srv.run(t, 8, append(flags, "--resume", a, in)...); r.code != exitInterrupted {
		t.Fatalf("B: exit %d\n%s", r.code, r.stderr)
	}
	if n := len(sb.Partners()); n < 16 || n >= 30 {
		t.Fatalf("after two interrupted runs the sandbox holds %d partners", n)
	}
	r := srv.run(t, 0, append(flags, "--resume", bRep, in)...)
	if r.code != exitOK || !strings.Contains(r.stderr, c) {
		t.Fatalf("C: exit %d\n%s", r.code, r.stderr)
	}

	stored := map[string]string{}
	for _, p := range sb.Partners() {
		if _, twice := stored[p.Email]; twice {
			t.Fatalf("%s stored twice", p.Email)
		}
		stored[p.Email] = p.ID
	}
	lines := readTable(t, c)
	if len(stored) != 30 || len(lines) != 31 {
		t.Fatalf("%d partners held, C has %d lines", len(stored), len(lines))
	}
	statuses := map[string]int{}
	for _, l := range lines[1:] {
		statuses[l[4]+"/"+l[5]]++
		if stored[l[2]] == "" || l[8] != stored[l[2]] {
			t.Errorf("row %s (%s): partner_id %q, the sandbox holds %q", l[0], l[2], l[8], stored[l[2]])
		}
	}
	if statuses["skipped/already_done"] < 16 || statuses["created/"] == 0 || statuses["skipped/already_done"]+statuses["created/"] != 30 {
		t.Fatalf("C's statuses: %v", statuses)
	}
	for _, link := range []struct{ report, next string }{{a, bRep}, {bRep, c}} {
		prov, err := report.ReadProvenance(link.report)
		next, _ := report.ReadProvenance(link.next)
		if err != nil || len(prov.ContinuedBy) != 1 || prov.ContinuedBy[0] != link.next || next.ResumedFrom != link.report {
			t.Fatalf("%s's provenance %+v (%v), %s's resumed_from %q", link.report, prov, err, link.next, next.ResumedFrom)
		}
	}

	before := sb.Requests()
	for _, rep := range []string{a, bRep} {
		r := srv.run(t, 0, "rollback", "--yes", "--no-progress", rep)
		if r.code != exitUsage || !strings.Contains(r.stderr, "roll back "+c) || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
			t.Errorf("rollback %s: exit %d\n%s", rep, r.code, r.stderr)
		}
	}
	// Resuming an earlier report of the job again would branch it: the
	// later runs' partners sent again, refused as clashes.
	for _, rep := range []string{a, bRep} {
		r := srv.run(t, 0, append(flags, "--resume", rep, in)...)
		if r.code != exitUsage || !strings.Contains(r.stderr, "resume "+c) || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
			t.Errorf("--resume %s: exit %d\n%s", rep, r.code, r.stderr)
		}
	}
	if sb.Requests() != before {
		t.Fatalf("a refused rollback or resume sent %d requests", sb.Requests()-before)
	}
	if matches, _ := filepath.Glob(at("*rollback*")); len(matches) != 0 {
		t.Fatalf("a refused rollback wrote %v", matches)
	}
	r = srv.run(t, 0, "rollback", "--yes", "--no-progress", "--rate", "0", c)
	if r.code != exitOK || !strings.Contains(r.stderr, "archived") {
		t.Fatalf("rollback of C: exit %d\n%s", r.code, r.stderr)
	}
	for _, p := range sb.Partners() {
		if p.Status != sandbox.Archived {
			t.Errorf("%s is %s after the rollback of the whole job", p.Email, p.Status)
		}
	}
}
