package main

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/partnero-import/partnero-import/importer/sandbox"
	"github.com/partnero-import/partnero-import/report"
)

// importTree imports a shuffled referral tree of n partners into sb, plus a
// row that clashes with a partner already there, and returns the report's
// path and each partner's referrer (-1 for a root).
func importTree(t *testing.T, sb *sandbox.Server, base string, n int) (string, []int, map[string]string) {
	t.Helper()
	sb.Add(sandbox.Partner{Email: "old@x.io", Name: "Old"})
	rng := rand.New(rand.NewPCG(9, 9))
	parent := make([]int, n)
	var rows []string
	for i := range n {
		parent[i] = rng.IntN(i+1) - 1
		ref := ""
		if parent[i] >= 0 {
			ref = fmt.Sprintf("t%d@x.io", parent[i])
		}
		rows = append(rows, fmt.Sprintf("t%d@x.io,T%d,%s", i, i, ref))
	}
	rows = append(rows, "OLD@x.io,New,")
	rng.Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
	dir := t.TempDir()
	in := filepath.Join(dir, "tree.csv")
	os.WriteFile(in, []byte("email,name,referring_partner_email\n"+strings.Join(rows, "\n")+"\n"), 0o600)
	env := map[string]string{"PARTNERO_API_KEY": "k-123456", "PARTNERO_BASE_URL": base}
	r := runCLI(t, env, "", "import", "--no-progress", "--rate", "0", "--concurrency", "4", "--report", filepath.Join(dir, "tree.report.csv"), in)
	if r.code != exitRowsFailed || statusesOf(r)["created/"] != n {
		t.Fatalf("import: exit %d, %v\n%s", r.code, statusesOf(r), r.stderr)
	}
	return filepath.Join(dir, "tree.report.csv"), parent, env
}

// A multi-tier import rolled back: every partner it created is archived,
// each after the partners it referred; the partner that was there before
// is left alone (not_created); a partner whose email was changed since is
// left alone (changed); the dry run sends nothing; a second rollback finds
// everything already gone.
func TestRollbackMultiTier(t *testing.T) {
	t.Parallel()
	sb, base := startSandbox(t, sandbox.Options{})
	rep, parent, env := importTree(t, sb, base, 40)
	dir := filepath.Dir(rep)

	before := sb.Requests()
	dry := runCLI(t, env, "", "rollback", "--dry-run", "--no-progress", "--report", filepath.Join(dir, "dry.csv"), rep)
	if dry.code != exitOK || statusesOf(dry)["valid/"] != 40 || statusesOf(dry)["skipped/not_created"] != 1 || sb.Requests() != before {
		t.Fatalf("dry run: exit %d %v, %d requests\n%s", dry.code, statusesOf(dry), sb.Requests()-before, dry.stderr)
	}

	// Someone makes t7 another partner after the import.
	var id7 string
	for _, p := range sb.Partners() {
		if p.Email == "t7@x.io" {
			id7 = p.ID
		}
	}
	req, _ := http.NewRequest("PUT", base+"/partners/"+id7, strings.NewReader(`{"update":{"email":"someone@else.io"}}`))
	req.Header.Set("Authorization", "Bearer k")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Fatalf("editing t7: %v %v", resp, err)
	}

	r := runCLI(t, env, "", "rollback", "--yes", "--no-progress", "--rate", "0", "--concurrency", "6", "--report", filepath.Join(dir, "tree.report.rollback.csv"), rep)
	if r.code != exitRowsFailed || len(r.reportLines) != 42 {
		t.Fatalf("exit %d, %d lines\n%s", r.code, len(r.reportLines), r.stderr)
	}
	if got := statusesOf(r); got["archived/"] != 39 || got["skipped/changed"] != 1 || got["skipped/not_created"] != 1 {
		t.Fatalf("statuses %v", got)
	}
	held := map[string]sandbox.Partner{}
	for _, p := range sb.Partners() {
		held[p.Email] = p
	}
	if held["old@x.io"].Status != sandbox.Active || held["someone@else.io"].Status != sandbox.Active {
		t.Errorf("a partner the import did not create, or one changed since, was touched: %+v %+v", held["old@x.io"], held["someone@else.io"])
	}
	for i, p := range parent {
		child, ref := held[fmt.Sprintf("t%d@x.io", i)], held[fmt.Sprintf("t%d@x.io", p)]
		if i == 7 || p < 0 || p == 7 {
			continue
		}
		if child.Status != sandbox.Archived || ref.UpdatedAt.Before(child.UpdatedAt) {
			t.Errorf("t%d (%s at %v) and its referrer t%d (at %v): a referrer went first", i, child.Status, child.UpdatedAt, p, ref.UpdatedAt)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "tree.report.rollback.csv.provenance.json")); err != nil {
		t.Errorf("the rollback's report has no provenance: %v", err)
	}

	again := runCLI(t, env, "", "rollback", "--yes", "--no-progress", "--rate", "0", "--report", filepath.Join(dir, "again.csv"), rep)
	if got := statusesOf(again); again.code != exitRowsFailed || got["skipped/already_gone"] != 39 || got["archived/"] != 0 {
		t.Fatalf("twice: exit %d %v\n%s", again.code, got, again.stderr)
	}
	// Without --report, a rollback after another keeps the first's report,
	// the only list of what it archived, and writes the next free name.
	runCLI(t, env, "", "rollback", "--yes", "--no-progress", "--rate", "0", rep)
	first, _ := os.ReadFile(filepath.Join(dir, "tree.report.rollback.csv"))
	second, err := os.ReadFile(filepath.Join(dir, "tree.report.rollback-2.csv"))
	if strings.Count(string(first), ",archived,") < 39 || err != nil || strings.Count(string(second), ",already_gone,") != 39 {
		t.Fatalf("first %d archived, second %d already gone (%v)", strings.Count(string(first), ",archived,"), strings.Count(string(second), ",already_gone,"), err)
	}
}

// --delete deletes for good, freeing the emails; twice is safe, exit 0.
func TestRollbackDelete(t *testing.T) {
	t.Parallel()
	sb, base := startSandbox(t, sandbox.Options{})
	rep, _, env := importTree(t, sb, base, 12)
	for i, want := range []string{"deleted/", "skipped/already_gone"} {
		r := runCLI(t, env, "", "rollback", "--delete", "--yes", "--no-progress", "--rate", "0", "--report", rep+fmt.Sprint(i)+".csv", rep)
		if r.code != exitOK || statusesOf(r)[want] != 12 {
			t.Fatalf("run %d: exit %d %v\n%s", i+1, r.code, statusesOf(r), r.stderr)
		}
	}
	if ps := sb.Partners(); len(ps) != 1 || ps[0].Email != "old@x.io" {
		t.Fatalf("the sandbox holds %+v", ps)
	}
}

// Rollback refuses, before anything is sent, what it cannot undo truthfully;
// on a terminal it asks first, and a "no" changes nothing.
func TestRollbackRefusesAndAsks(t *testing.T) {
	t.Parallel()
	sb, base := startSandbox(t, sandbox.Options{})
	rep, _, env := importTree(t, sb, base, 5)
	dir := filepath.Dir(rep)
	in := filepath.Join(dir, "tree.csv")
	if r := runCLI(t, nil, "", "validate", in); r.code != exitOK {
		t.Fatalf("validate: exit %d\n%s", r.code, r.stderr)
	}
	if r := runCLI(t, nil, "", "import", "--sandbox", "--no-progress", in); r.code != exitOK {
		t.Fatalf("rehearsal: exit %d\n%s", r.code, r.stderr)
	}
	runCLI(t, env, "", "rollback", "--dry-run", rep) // writes tree.report.rollback-dry-run.csv
	before := sb.Requests()
	for _, tt := range []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"a dry run's report", env, []string{"--yes", filepath.Join(dir, "tree.validate.csv")}, "dry run"},
		{"a rehearsal's report", env, []string{"--yes", filepath.Join(dir, "tree.sandbox.report.csv")}, "embedded sandbox"},
		{"a rollback's report", env, []string{"--yes", filepath.Join(dir, "tree.report.rollback-dry-run.csv")}, "dry run"},
		{"another API", map[string]string{"PARTNERO_API_KEY": "k-123456"}, []string{"--yes", "--base-url", "https://api.partnero.com/v1", rep}, "https://api.partnero.com:443"},
		{"off a terminal without --yes", env, []string{rep}, "--yes"},
		{"its report over the import's", env, []string{"--yes", "--report", rep, rep}, "--report"},
	} {
		r := runCLI(t, tt.env, "", append([]string{"rollback"}, tt.args...)...)
		if r.code != exitUsage || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("%s: exit %d\n%s", tt.name, r.code, r.stderr)
		}
	}
	if sb.Requests() != before {
		t.Fatalf("%d requests sent by refused rollbacks", sb.Requests()-before)
	}
	for answer, want := range map[string]int{"n\n": exitUsage, "y\n": exitOK} {
		var stderr bytes.Buffer
		code := run(context.Background(), []string{"rollback", "--no-progress", "--rate", "0", rep},
			func(k string) string { return env[k] }, Streams{In: strings.NewReader(answer), Out: &bytes.Buffer{}, Err: &stderr, InIsTerminal: true})
		if code != want || !strings.Contains(stderr.String(), "archive 5 partners at "+report.Destination(base)+"?") {
			t.Errorf("answer %q: exit %d\n%s", answer, code, stderr.String())
		}
	}
	archived := 0
	for _, p := range sb.Partners() {
		if p.Status == sandbox.Archived {
			archived++
		}
	}
	if archived != 5 {
		t.Errorf("%d archived, want 5 (after the yes only)", archived)
	}
	// The rollback's report (tree.report.rollback.csv) is not written over
	// by a dry run.
	real := filepath.Join(dir, "tree.report.rollback.csv")
	before = sb.Requests()
	kept := digest(t, real)
	if r := runCLI(t, env, "", "rollback", "--dry-run", "--report", real, rep); r.code != exitUsage || !strings.Contains(r.stderr, "is the report of a rollback into") {
		t.Errorf("a dry run over the rollback's report: exit %d\n%s", r.code, r.stderr)
	}
	if digest(t, real) != kept || sb.Requests() != before {
		t.Error("a dry run wrote over the rollback's report, or sent")
	}
}

// Archives whose answers are lost (stored, then a 500, a dropped
// connection, an answer past the timeout): the retry's "Action failed" or
// a re-read settles each, and every partner the import created ends
// archived, reported so.
func TestRollbackThroughLostAnswers(t *testing.T) {
	t.Parallel()
	sb, base := startSandbox(t, sandbox.Options{Faults: sandbox.Faults{
		FailAfterStore: 0.15, DropAfterStore: 0.1, SlowAfterStore: 0.05, SlowDelay: time.Second, Seed: 4,
	}})
	rep, _, env := importTree(t, sb, base, 30)
	r := runCLI(t, env, "", "rollback", "--yes", "--no-progress", "--rate", "0", "--retries", "6", "--timeout", "400ms",
		"--report", filepath.Join(filepath.Dir(rep), "rb.csv"), rep)
	if got := statusesOf(r); r.code != exitOK || got["archived/"] != 30 {
		t.Fatalf("exit %d %v\n%s\n%s", r.code, got, r.stderr, r.report)
	}
	for _, p := range sb.Partners() {
		if p.Email != "old@x.io" && p.Status != sandbox.Archived {
			t.Errorf("%s is %s", p.Email, p.Status)
		}
	}
	if !strings.Contains(r.report, "reconciled") {
		t.Error("no archive was settled after a lost answer: the faults did not test what they should")
	}
}

// Only what the job created is undone: created rows, and rows an earlier
// run of the job created (skipped/already_done with a partner id); never a
// partner that was there and was updated, or left as it was.
func TestRollbackUndoesOnlyWhatTheJobCreated(t *testing.T) {
	t.Parallel()
	_, base := startSandbox(t, sandbox.Options{})
	dir := t.TempDir()
	rep := filepath.Join(dir, "r.csv")
	lines := []string{
		"1,2,a@x.io,create,created,,201,,p1,,1",
		"2,3,b@x.io,create,skipped,already_done,,done by an earlier run,p2,,0",
		"3,4,c@x.io,create,updated,,200,,p3,,2",
		"4,5,d@x.io,create,skipped,unchanged,,,p4,,1",
		"5,6,e@x.io,create,skipped,already_exists,,,,,1",
		"6,7,f@x.io,create,rejected,email_exists,422,,,,1",
	}
	os.WriteFile(rep, []byte(strings.Join(report.Header, ",")+"\n"+strings.Join(lines, "\n")+"\n"), 0o600)
	os.WriteFile(report.ProvenancePath(rep), []byte(`{"command":"import","destination":"`+report.Destination(base)+`"}`), 0o600)
	env := map[string]string{"PARTNERO_API_KEY": "k-123456", "PARTNERO_BASE_URL": base}
	// Written by hand, it has no referral tree beside it: refused, unless
	// the order does not matter.
	if r := runCLI(t, env, "", "rollback", "--dry-run", "--report", filepath.Join(dir, "rb.csv"), rep); r.code != exitUsage || !strings.Contains(r.stderr, "--any-order") {
		t.Fatalf("without the tree: exit %d\n%s", r.code, r.stderr)
	}
	r := runCLI(t, env, "", "rollback", "--dry-run", "--any-order", "--report", filepath.Join(dir, "rb.csv"), rep)
	want := []string{"valid/", "valid/", "skipped/not_created", "skipped/not_created", "skipped/not_created", "skipped/not_created"}
	for i, l := range r.reportLines[1:] {
		if got := l[4] + "/" + l[5]; got != want[i] || l[3] != "archive" {
			t.Errorf("row %s: %s %s, want %s", l[0], l[3], got, want[i])
		}
	}
	if r.code != exitOK || len(r.reportLines) != 7 {
		t.Fatalf("exit %d, %d lines\n%s", r.code, len(r.reportLines), r.stderr)
	}
}

// A rollback's progress says what it does: archiving (or deleting), not
// importing.
func TestRollbackProgressSaysArchiving(t *testing.T) {
	t.Parallel()
	// Slow answers: a rollback of 30 partners one at a time lasts 150 ms
	// at least, several progress lines.
	sb, base := startSandbox(t, sandbox.Options{Latency: 5 * time.Millisecond})
	rep, _, env := importTree(t, sb, base, 30)
	r := runCLI(t, env, "", "rollback", "--yes", "--rate", "0", "--concurrency", "1", "--progress-interval", "20ms", rep)
	if r.code != exitOK || !strings.Contains(r.stderr, "progress: archiving ") || strings.Contains(r.stderr, "importing") {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
}

// Rolling back a migration's partners while its customers' and sales'
// reports beside them are not rolled back warns, naming them; in the
// advised order (sales, customers, partners) nothing is said.
func TestRollbackWarnsOutOfOrder(t *testing.T) {
	t.Parallel()
	dir, files := programFiles(t)
	_, base := startSandbox(t, sandbox.Options{})
	env := map[string]string{"PARTNERO_API_KEY": "k", "PARTNERO_BASE_URL": base}
	if r := runCLI(t, env, "", append([]string{"import", "--no-progress", "--rate", "0"}, files...)...); r.code != exitRowsFailed && r.code != exitOK {
		t.Fatalf("import: exit %d\n%s", r.code, r.stderr)
	}
	at := func(name string) string { return filepath.Join(dir, name) }
	r := runCLI(t, env, "", "rollback", "--dry-run", "--no-progress", at("affiliates.report.csv"))
	if !strings.Contains(r.stderr, "not rolled back yet") || !strings.Contains(r.stderr, at("sales.report.csv")) ||
		!strings.Contains(r.stderr, at("clients.report.csv")) {
		t.Fatalf("partners first: exit %d\n%s", r.code, r.stderr)
	}
	for _, name := range []string{"sales.report.csv", "clients.report.csv", "affiliates.report.csv"} {
		r := runCLI(t, env, "", "rollback", "--yes", "--no-progress", "--rate", "0", at(name))
		if strings.Contains(r.stderr, "not rolled back yet") || r.code == exitUsage {
			t.Fatalf("%s in order: exit %d\n%s", name, r.code, r.stderr)
		}
	}
}
