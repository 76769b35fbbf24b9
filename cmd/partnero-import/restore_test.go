package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/partnero-import/partnero-import/importer/sandbox"
	"github.com/partnero-import/partnero-import/report"
)

// statusOf is each partner's status in sb, by email.
func statusOf(sb *sandbox.Server) map[string]string {
	held := map[string]string{}
	for _, p := range sb.Partners() {
		held[p.Email] = p.Status
	}
	return held
}

// byEmail is a report's lines by their email.
func byEmail(r result) map[string][]string {
	lines := map[string][]string{}
	for _, l := range r.reportLines[1:] {
		lines[l[2]] = l
	}
	return lines
}

// The way back after a rollback that archived: a re-import finds the
// partners archived and says so on every row (an update leaves them
// archived), then rollback --restore brings back exactly what the rollback
// archived, its dry run sends nothing, and running it twice is safe.
func TestRestoreAfterRollback(t *testing.T) {
	t.Parallel()
	sb, base := startSandbox(t, sandbox.Options{})
	rep, _, env := importTree(t, sb, base, 12)
	dir := filepath.Dir(rep)
	if r := runCLI(t, env, "", "rollback", "--yes", "--no-progress", "--rate", "0", rep); r.code != exitOK {
		t.Fatalf("rollback: exit %d\n%s", r.code, r.stderr)
	}
	rolledBack := filepath.Join(dir, "tree.report.rollback.csv")

	// Again, with new names for half of them: updated or unchanged, each
	// saying archived, and every partner still archived.
	var rows []string
	for i := range 12 {
		name := fmt.Sprintf("T%d", i)
		if i%2 == 0 {
			name = fmt.Sprintf("Renamed%d", i)
		}
		rows = append(rows, fmt.Sprintf("t%d@x.io,%s", i, name))
	}
	again := filepath.Join(dir, "again.csv")
	os.WriteFile(again, []byte("email,name\n"+strings.Join(rows, "\n")+"\n"), 0o600)
	up := runCLI(t, env, "", "import", "--update-existing", "--no-progress", "--rate", "0", "--report", filepath.Join(dir, "up.csv"), again)
	if got := statusesOf(up); up.code != exitOK || got["updated/"] != 6 || got["skipped/unchanged"] != 6 {
		t.Fatalf("--update-existing: exit %d %v\n%s", up.code, got, up.stderr)
	}
	if !strings.Contains(up.stderr, "archived: 12 of these partners") {
		t.Errorf("--update-existing: the summary does not count the archived partners:\n%s", up.stderr)
	}
	for _, l := range up.reportLines[1:] {
		if !strings.Contains(l[7], "archived and stays archived") {
			t.Errorf("--update-existing row %s (%s/%s): the message does not say archived: %q", l[0], l[4], l[5], l[7])
		}
	}
	skip := runCLI(t, env, "", "import", "--skip-existing", "--no-progress", "--rate", "0", "--report", filepath.Join(dir, "skip.csv"), again)
	if got := statusesOf(skip); skip.code != exitOK || got["skipped/already_exists"] != 12 {
		t.Fatalf("--skip-existing: exit %d %v\n%s", skip.code, got, skip.stderr)
	}
	if !strings.Contains(skip.stderr, "archived: 12 of these partners") {
		t.Errorf("--skip-existing: the summary does not count the archived partners:\n%s", skip.stderr)
	}
	for _, l := range skip.reportLines[1:] {
		if !strings.Contains(l[7], "is archived in Partnero") {
			t.Errorf("--skip-existing row %s: the message does not say archived: %q", l[0], l[7])
		}
	}
	for email, status := range statusOf(sb) {
		if email != "old@x.io" && status != sandbox.Archived {
			t.Errorf("%s is %s after the re-imports: an update restored it", email, status)
		}
	}

	// The dry run lists what it would do and sends nothing.
	before := sb.Requests()
	dry := runCLI(t, env, "", "rollback", "--restore", "--dry-run", "--no-progress", rolledBack)
	if dry.code != exitOK || sb.Requests() != before {
		t.Fatalf("dry run: exit %d, %d requests\n%s", dry.code, sb.Requests()-before, dry.stderr)
	}
	dryReport, _ := os.ReadFile(filepath.Join(dir, "tree.report.rollback.restore-dry-run.csv"))
	if n := strings.Count(string(dryReport), "would restore partner"); n != 12 {
		t.Errorf("the dry run would restore %d partners, want 12:\n%s", n, dryReport)
	}

	r := runCLI(t, env, "", "rollback", "--restore", "--yes", "--no-progress", "--rate", "0", rolledBack)
	restored := filepath.Join(dir, "tree.report.rollback.restore.csv")
	r = withReport(t, r, restored)
	if got := statusesOf(r); r.code != exitOK || got["restored/"] != 12 || got["skipped/not_archived"] != 1 || len(r.reportLines) != 14 {
		t.Fatalf("restore: exit %d %v\n%s", r.code, got, r.stderr)
	}
	lines := byEmail(r)
	if l := lines["OLD@x.io"]; l[3] != "restore" || !strings.Contains(l[7], "the rollback did not archive this row's partner (skipped/not_created)") {
		t.Errorf("the row the rollback did not archive: %q", l)
	}
	if l := lines["t3@x.io"]; l[3] != "restore" || l[6] != "200" || l[8] == "" || l[10] != "1" {
		t.Errorf("a restored row: %q", l)
	}
	for email, status := range statusOf(sb) {
		if status != sandbox.Active {
			t.Errorf("%s is %s after the restore", email, status)
		}
	}
	if prov, err := report.ReadProvenance(restored); err != nil || prov.Command != "restore" || prov.Mark == "" {
		t.Errorf("the restore's provenance: %+v %v", prov, err)
	}

	// Twice: each partner already restored, exit 0, the first report kept.
	kept := digest(t, restored)
	twice := withReport(t, runCLI(t, env, "", "rollback", "--restore", "--yes", "--no-progress", "--rate", "0", rolledBack),
		filepath.Join(dir, "tree.report.rollback.restore-2.csv"))
	if got := statusesOf(twice); twice.code != exitOK || got["skipped/already_restored"] != 12 || digest(t, restored) != kept {
		t.Fatalf("twice: exit %d %v\n%s", twice.code, got, twice.stderr)
	}
}

// withReport is r with the report at path read in.
func withReport(t *testing.T, r result, path string) result {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("no report at %s: %v\n%s", path, err, r.stderr)
	}
	r.reportPath, r.report = path, string(b)
	if r.reportLines, err = csv.NewReader(bytes.NewReader(b)).ReadAll(); err != nil {
		t.Fatalf("the report is not valid CSV: %v", err)
	}
	return r
}

// A partner changed since the rollback (another email, or its tags
// replaced without the import's mark) is left alone, still archived; the
// rest are restored, and the run exits 1.
func TestRestoreLeavesChangedPartnersAlone(t *testing.T) {
	t.Parallel()
	sb, base := startSandbox(t, sandbox.Options{})
	rep, _, env := importTree(t, sb, base, 6)
	rb := filepath.Join(filepath.Dir(rep), "rb.csv")
	if r := runCLI(t, env, "", "rollback", "--yes", "--no-progress", "--rate", "0", "--report", rb, rep); r.code != exitOK {
		t.Fatalf("rollback: exit %d\n%s", r.code, r.stderr)
	}
	ids := map[string]string{}
	for _, p := range sb.Partners() {
		ids[p.Email] = p.ID
	}
	edit(t, base, ids["t1@x.io"], `{"update":{"email":"someone@else.io"}}`)
	edit(t, base, ids["t2@x.io"], `{"update":{"tags":["vip"]}}`)

	r := runCLI(t, env, "", "rollback", "--restore", "--yes", "--no-progress", "--rate", "0", "--report", filepath.Join(filepath.Dir(rep), "restore.csv"), rb)
	if got := statusesOf(r); r.code != exitRowsFailed || got["restored/"] != 4 || got["skipped/changed"] != 2 {
		t.Fatalf("exit %d %v\n%s", r.code, got, r.stderr)
	}
	lines := byEmail(r)
	if !strings.Contains(lines["t1@x.io"][7], "email is now someone@else.io") || !strings.Contains(lines["t2@x.io"][7], "does not carry the import's mark") {
		t.Errorf("messages: %q, %q", lines["t1@x.io"][7], lines["t2@x.io"][7])
	}
	held := statusOf(sb)
	if held["someone@else.io"] != sandbox.Archived || held["t2@x.io"] != sandbox.Archived || held["t0@x.io"] != sandbox.Active {
		t.Errorf("statuses after the restore: %v", held)
	}
	// The partners left alone are in the retry file, which a restore takes
	// like the rollback's report: once they are as the import made them.
	edit(t, base, ids["t1@x.io"], `{"update":{"email":"t1@x.io"}}`)
	retry := filepath.Join(filepath.Dir(rep), "restore.retry.csv")
	again := runCLI(t, env, "", "rollback", "--restore", "--yes", "--no-progress", "--rate", "0", "--report", filepath.Join(filepath.Dir(rep), "again.csv"), retry)
	if got := statusesOf(again); again.code != exitRowsFailed || got["restored/"] != 1 || got["skipped/changed"] != 1 || len(again.reportLines) != 3 {
		t.Fatalf("the retry file: exit %d %v\n%s", again.code, got, again.stderr)
	}
}

// edit changes a partner in the sandbox as someone in Partnero would.
func edit(t *testing.T, base, id, body string) {
	t.Helper()
	req, _ := http.NewRequest("PUT", base+"/partners/"+id, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer k")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("editing %s: %v %v", id, resp, err)
	}
	resp.Body.Close()
}

// rollback --restore refuses, with nothing sent, what is not a rollback
// that archived into this destination; on a terminal it asks first.
func TestRestoreRefusesAndAsks(t *testing.T) {
	t.Parallel()
	sb, base := startSandbox(t, sandbox.Options{})
	rep, _, env := importTree(t, sb, base, 4)
	dir := filepath.Dir(rep)
	rb, del := filepath.Join(dir, "rb.csv"), filepath.Join(dir, "del.csv")
	runCLI(t, env, "", "rollback", "--dry-run", "--no-progress", "--report", filepath.Join(dir, "rb-dry.csv"), rep)
	runCLI(t, env, "", "rollback", "--yes", "--no-progress", "--rate", "0", "--report", rb, rep)
	// A --delete rollback's report, written as one would look.
	b, _ := os.ReadFile(rb)
	os.WriteFile(del, []byte(strings.ReplaceAll(strings.ReplaceAll(string(b), ",archive,archived,", ",delete,deleted,"), ",archive,", ",delete,")), 0o600)
	prov, _ := os.ReadFile(report.ProvenancePath(rb))
	os.WriteFile(report.ProvenancePath(del), prov, 0o600)
	before := sb.Requests()
	for _, tt := range []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"an import's report", env, []string{"--yes", rep}, "not the report of a rollback"},
		{"a dry run's report", env, []string{"--yes", filepath.Join(dir, "rb-dry.csv")}, "dry run"},
		{"a --delete rollback's report", env, []string{"--yes", del}, "deleted partners cannot be restored"},
		{"another API", map[string]string{"PARTNERO_API_KEY": "k-123456"}, []string{"--yes", "--base-url", "https://api.partnero.com/v1", rb}, "https://api.partnero.com:443"},
		{"off a terminal without --yes", env, []string{rb}, "--yes"},
		{"with --delete", env, []string{"--yes", "--delete", rb}, "--delete"},
	} {
		r := runCLI(t, tt.env, "", append([]string{"rollback", "--restore"}, tt.args...)...)
		if r.code != exitUsage || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("%s: exit %d\n%s", tt.name, r.code, r.stderr)
		}
	}
	if sb.Requests() != before {
		t.Fatalf("%d requests sent by refused restores", sb.Requests()-before)
	}
	// A restore's report is no rollback's, nor a restore's to restore.
	restored := filepath.Join(dir, "restored.csv")
	for answer, want := range map[string]int{"n\n": exitUsage, "y\n": exitOK} {
		var stderr bytes.Buffer
		code := run(context.Background(), []string{"rollback", "--restore", "--no-progress", "--rate", "0", "--report", restored, rb},
			func(k string) string { return env[k] }, Streams{In: strings.NewReader(answer), Out: &bytes.Buffer{}, Err: &stderr, InIsTerminal: true})
		if code != want || !strings.Contains(stderr.String(), "restore 4 partners at "+report.Destination(base)+"?") {
			t.Errorf("answer %q: exit %d\n%s", answer, code, stderr.String())
		}
	}
	for _, args := range [][]string{{"rollback", "--yes", restored}, {"rollback", "--restore", "--yes", restored}} {
		if r := runCLI(t, env, "", args...); r.code != exitUsage || !strings.Contains(r.stderr, "rollback --restore") {
			t.Errorf("%v: exit %d\n%s", args, r.code, r.stderr)
		}
	}
}
