package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/partnero-import/partnero-import/importer/sandbox"
)

// --update-existing against the sandbox: a new partner is created; an
// existing one is updated with the row's non-empty name, surname and tags,
// never its key or password; one that already holds the row's values is
// skipped/unchanged, with no update sent; a new email whose id clashes
// stays rejected, naming the id.
func TestUpdateExisting(t *testing.T) {
	t.Parallel()
	sb, base := startSandbox(t, sandbox.Options{})
	for _, p := range []sandbox.Partner{
		{Email: "ann@x.io", Name: "Ann", Surname: "Old", Key: "annkey", ID: "ann1", Tags: []string{"old"}},
		{Email: "bob@x.io", Name: "Bob", Surname: "Same", ID: "bob1"},
		{Email: "carl@x.io", Name: "Carl", ID: "carl1"},
		{Email: "dan@x.io", Name: "Dan", Surname: "Smith", ID: "dan1"},
		{Email: "eve@x.io", Name: "Eve", ID: "eve1", Tags: []string{"vip", "gold"}},
	} {
		sb.Add(p)
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "p.csv")
	os.WriteFile(in, []byte("email,name,surname,key,password,tags,id\n"+
		"new@x.io,New,,,,,\n"+
		"ANN@x.io,Ann,New,otherkey,N3wPassword,,\n"+
		"bob@x.io,Bob,Same,,,,\n"+
		"carl@x.io,,,,,a|b,\n"+
		"dave@x.io,Dave,,,,,ann1\n"+
		"dan@x.io,DAN,Smith,,,,\n"+
		"eve@x.io,Eve,,,,gold|vip,\n"), 0o600)
	env := map[string]string{"PARTNERO_API_KEY": "k-123456", "PARTNERO_BASE_URL": base}
	requests := sb.Requests()
	r := runCLI(t, env, "", "import", "--update-existing", "--no-progress", "--rate", "0", "--concurrency", "1", "--report", filepath.Join(dir, "r.csv"), in)
	if r.code != exitRowsFailed {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	got := map[string]string{}
	for _, l := range r.reportLines[1:] {
		got[l[2]] = l[4] + "/" + l[5] + " " + l[8]
	}
	want := map[string]string{
		"ANN@x.io":  "updated/ ann1",
		"bob@x.io":  "skipped/unchanged bob1",
		"carl@x.io": "updated/ carl1",
		"dave@x.io": "rejected/id_exists ",
		"dan@x.io":  "updated/ dan1",          // a name's case is a change
		"eve@x.io":  "skipped/unchanged eve1", // the same tags, in another order
	}
	for email, w := range want {
		if got[email] != w {
			t.Errorf("%s: %q, want %q", email, got[email], w)
		}
	}
	if !strings.HasPrefix(got["new@x.io"], "created/ ") {
		t.Errorf("new@x.io: %q", got["new@x.io"])
	}
	held := map[string]sandbox.Partner{}
	for _, p := range sb.Partners() {
		held[p.Email] = p
	}
	if ann := held["ann@x.io"]; ann.Surname != "New" || ann.Key != "annkey" || !slices.Equal(ann.Tags, []string{"old"}) {
		t.Errorf("ann: %+v: the surname changes, the key and tags stay", ann)
	}
	if carl := held["carl@x.io"]; !slices.Equal(carl.Tags, []string{"a", "b"}) || carl.Name != "Carl" {
		t.Errorf("carl: %+v", carl)
	}
	for _, who := range []string{"bob@x.io", "eve@x.io"} {
		if p := held[who]; p.UpdatedAt != p.CreatedAt {
			t.Errorf("%s was sent an update that changes nothing: %+v", who, p)
		}
	}
	// preflight 1; new 1; ann 3 (create, search, update); bob 2 (create,
	// search); carl 4 (the search shows no tags: a read before the
	// update); dave 1; dan 3; eve 3 (create, search, read: no update).
	if n := sb.Requests() - requests; n != 18 {
		t.Errorf("%d requests, want 18", n)
	}
	// An update after a refused create, or a lookup, is no retry.
	if !strings.Contains(r.stdout+r.stderr, "(0 retries)") {
		t.Errorf("the summary counts retries that were not:\n%s%s", r.stdout, r.stderr)
	}
	if dan := held["dan@x.io"]; dan.Name != "DAN" {
		t.Errorf("dan: %+v", dan)
	}
	noSecrets(t, r, "N3wPassword")
	if r := runCLI(t, env, "", "import", "--update-existing", "--skip-existing", in); r.code != exitUsage {
		t.Errorf("--update-existing with --skip-existing: exit %d", r.code)
	}
}

// Once most rows of a run turn out to exist, it looks each up before
// creating it: an existing row then costs two requests (the search and the
// update), not three. The figure the README gives.
func TestUpdateExistingSearchesFirstWhenMostExist(t *testing.T) {
	t.Parallel()
	sb, base := startSandbox(t, sandbox.Options{})
	var b strings.Builder
	b.WriteString("email,surname\n")
	for i := range 20 {
		sb.Add(sandbox.Partner{Email: fmt.Sprintf("p%d@x.io", i), Surname: "Old"})
		fmt.Fprintf(&b, "p%d@x.io,New\n", i)
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "p.csv")
	os.WriteFile(in, []byte(b.String()), 0o600)
	before := sb.Requests()
	r := runCLI(t, map[string]string{"PARTNERO_API_KEY": "k-123456", "PARTNERO_BASE_URL": base}, "",
		"import", "--update-existing", "--no-progress", "--rate", "0", "--concurrency", "1", "--report", filepath.Join(dir, "r.csv"), in)
	if r.code != exitOK || statusesOf(r)["updated/"] != 20 {
		t.Fatalf("exit %d, %v\n%s", r.code, statusesOf(r), r.stderr)
	}
	// The preflight; 8 rows at 3 requests; 12 at 2.
	if n := sb.Requests() - before; n != 1+8*3+12*2 {
		t.Errorf("%d requests, want %d", n, 1+8*3+12*2)
	}
}

// Updates whose answers are lost (stored, then a 500, a dropped connection
// or an answer past the timeout) are settled by reading the partner: every
// row ends updated, as the store shows, none failed.
func TestUpdateThroughLostAnswers(t *testing.T) {
	t.Parallel()
	sb, base := startSandbox(t, sandbox.Options{Faults: sandbox.Faults{
		FailAfterStore: 0.2, DropAfterStore: 0.15, SlowAfterStore: 0.1, SlowDelay: time.Second, Seed: 3,
	}})
	var b strings.Builder
	b.WriteString("email,surname,tags\n")
	for i := range 40 {
		sb.Add(sandbox.Partner{Email: fmt.Sprintf("p%d@x.io", i), Surname: "Old"})
		fmt.Fprintf(&b, "p%d@x.io,New%d,t%d\n", i, i, i)
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "p.csv")
	os.WriteFile(in, []byte(b.String()), 0o600)
	r := runCLI(t, map[string]string{"PARTNERO_API_KEY": "k-123456", "PARTNERO_BASE_URL": base}, "",
		"import", "--update-existing", "--no-progress", "--rate", "0", "--retries", "6", "--timeout", "400ms", "--report", filepath.Join(dir, "r.csv"), in)
	if r.code != exitOK || statusesOf(r)["updated/"] != 40 {
		t.Fatalf("exit %d, %v\n%s\n%s", r.code, statusesOf(r), r.stderr, r.report)
	}
	for _, p := range sb.Partners() {
		var i int
		fmt.Sscanf(p.Email, "p%d@", &i)
		if p.Surname != fmt.Sprintf("New%d", i) || !slices.Equal(p.Tags, []string{fmt.Sprintf("t%d", i)}) {
			t.Errorf("%s holds %q %v", p.Email, p.Surname, p.Tags)
		}
	}
	// Without faults: the preflight, 8 rows at 3 requests, 32 at 2.
	if n := sb.Requests(); n < 1+8*3+32*2+10 {
		t.Errorf("%d requests: the faults did not test what they should", n)
	}
}

// A referrer that was in Partnero before, under another id than the file
// gives it, is updated (or found there): the partners it referred are sent
// naming it as Partnero knows it, not by the file's id or key, which
// Partnero would not find.
func TestReferredByAPartnerThereBefore(t *testing.T) {
	for _, flag := range []string{"--update-existing", "--skip-existing"} {
		t.Run(flag, func(t *testing.T) {
			t.Parallel()
			sb, base := startSandbox(t, sandbox.Options{})
			sb.Add(sandbox.Partner{Email: "boss@x.io", ID: "old-boss", Key: "oldboss", Name: "Boss"})
			in := writeFile(t, "p.csv", "email,name,id,key,referring_partner_id,referring_partner_key\n"+
				"kid1@x.io,Kid,k1,,100230,\n"+
				"boss@x.io,Boss,100230,boss-key,,\n"+
				"kid2@x.io,Kid,k2,,,boss-key\n")
			r := runCLI(t, map[string]string{"PARTNERO_API_KEY": "k-123456", "PARTNERO_BASE_URL": base}, "",
				"import", flag, "--no-progress", "--rate", "0", "--report", filepath.Join(t.TempDir(), "r.csv"), in)
			if r.code != exitOK {
				t.Fatalf("exit %d, %v\n%s\n%s", r.code, statusesOf(r), r.report, r.stderr)
			}
			for _, p := range sb.Partners() {
				if strings.HasPrefix(p.Email, "kid") && p.Referrer != "old-boss" {
					t.Errorf("%s referred by %q, want old-boss", p.Email, p.Referrer)
				}
			}
		})
	}
}

// A partner this tool made carries the job's mark among its tags: an
// --update-existing run of the same file finds it holding the row's values
// (the mark aside) and says skipped/unchanged, sending no update.
func TestUpdateExistingOfAPartnerMadeWithTags(t *testing.T) {
	t.Parallel()
	sb, base := startSandbox(t, sandbox.Options{})
	env := map[string]string{"PARTNERO_API_KEY": "k", "PARTNERO_BASE_URL": base}
	dir := t.TempDir()
	in := filepath.Join(dir, "p.csv")
	os.WriteFile(in, []byte("email,name,tags\nzed@x.io,Zed,vip\n"), 0o600)
	if r := runCLI(t, env, "", "import", "--no-progress", "--rate", "0", in); r.code != exitOK {
		t.Fatalf("import: exit %d\n%s", r.code, r.stderr)
	}
	r := runCLI(t, env, "", "import", "--no-progress", "--rate", "0", "--update-existing", "--report", filepath.Join(dir, "again.csv"), in)
	if r.code != exitOK || !strings.Contains(r.stdout+r.stderr, "unchanged") {
		t.Fatalf("again: exit %d\n%s", r.code, r.stderr)
	}
	rows := reportByColumn(t, filepath.Join(dir, "again.csv"))
	if rows[0]["status"]+"/"+rows[0]["reason"] != "skipped/unchanged" {
		t.Fatalf("again: %v", rows[0])
	}
	if p := sb.Partners()[0]; !slices.Contains(p.Tags, "vip") || len(p.Tags) != 2 {
		t.Fatalf("tags after: %q", p.Tags)
	}
}
