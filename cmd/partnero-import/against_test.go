package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/partnero-import/partnero-import/importer"
	"github.com/partnero-import/partnero-import/importer/sandbox"
	"github.com/partnero-import/partnero-import/report"
)

// againstFile is a file whose rows meet every case validate --against
// tells: new, already there (and archived), id and key taken, referrers
// outside the file found by email, key and id, and not found.
const againstFile = `email,name,id,key,referring_partner_email,referring_partner_key,referring_partner_id
new@x.io,New,,,,,
OLD@x.io,Old,,,,,
arch@x.io,Arch,,,,,
idt@x.io,Idt,p-old,,,,
keyt@x.io,Keyt,,oldkey,,,
child@x.io,Child,,,old@x.io,,
refem@x.io,Refem,,,outside@x.io,,
refkey@x.io,Refkey,,,,outkey,
refid@x.io,Refid,,,,,p-out
ghost@x.io,Ghost,,,nobody@x.io,,
kid@x.io,Kid,,,new@x.io,,
`

// preloadAgainst gives the sandbox the partners the file meets.
func preloadAgainst(t *testing.T, sb *sandbox.Server) {
	t.Helper()
	for _, p := range []sandbox.Partner{
		{ID: "p-old", Key: "oldkey", Email: "old@x.io", Name: "Old"},
		{Email: "arch@x.io", Name: "Arch", Status: sandbox.Archived},
		{ID: "p-out", Key: "outkey", Email: "outside@x.io", Name: "Out"},
		{Email: "oldkeyholder-not@x.io", Key: "oldkey2", Name: "Partial"}, // a search for oldkey matches it too
	} {
		if err := sb.Add(p); err != nil {
			t.Fatal(err)
		}
	}
}

// validate --against reads the sandbox and says per row what import would
// do, in import's words; it sends nothing but GET, with or without a
// search endpoint on the server, and under --skip-existing reports the
// partners already there as that import would.
func TestValidateAgainst(t *testing.T) {
	t.Parallel()
	withSearch := map[string]string{
		"new@x.io":   "valid/",
		"OLD@x.io":   "rejected/email_exists",
		"arch@x.io":  "rejected/email_exists",
		"idt@x.io":   "rejected/id_exists",
		"keyt@x.io":  "rejected/key_exists",
		"child@x.io": "skipped/referring_partner_failed", // its referrer, row 2, is already there
		"refem@x.io": "valid/", "refkey@x.io": "valid/", "refid@x.io": "valid/",
		"ghost@x.io": "rejected/referring_partner_not_found",
		"kid@x.io":   "valid/", // its referrer is a row the import would make first
	}
	noSearch := clone(withSearch)
	noSearch["keyt@x.io"] = "valid/" // a key shows only in links: it cannot tell, and says so
	noSearch["refkey@x.io"] = "valid/"
	skipping := clone(withSearch)
	skipping["OLD@x.io"], skipping["arch@x.io"] = "skipped/already_exists", "skipped/already_exists"
	skipping["child@x.io"] = "valid/" // its referrer exists: the import sends it
	for _, tc := range []struct {
		name    string
		vary    sandbox.Variation
		flags   []string
		want    map[string]string
		summary string
		code    int
	}{
		{"search", sandbox.Variation{}, nil, withSearch,
			"5 new, 2 already there (1 archived), 1 id taken, 1 key taken, 1 referrer not found", exitRowsFailed},
		{"no search", sandbox.Variation{NoSearch: true}, nil, noSearch,
			"6 new, 2 already there (1 archived), 1 id taken, 1 referrer not found", exitRowsFailed},
		{"skip existing", sandbox.Variation{}, []string{"--skip-existing"}, skipping,
			"6 new, 2 already there (1 archived), 1 id taken, 1 key taken, 1 referrer not found", exitRowsFailed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sb, base := startSandbox(t, sandbox.Options{Vary: tc.vary})
			preloadAgainst(t, sb)
			dir := t.TempDir()
			in, rep := filepath.Join(dir, "p.csv"), filepath.Join(dir, "p.validate.csv")
			os.WriteFile(in, []byte(againstFile), 0o600)
			args := append([]string{"validate", "--against", "--no-progress", "--rate", "0", "--report", rep}, tc.flags...)
			r := runCLI(t, map[string]string{"PARTNERO_API_KEY": "k-123456", "PARTNERO_BASE_URL": base}, "", append(args, in)...)
			if r.code != tc.code || len(r.reportLines) != 12 {
				t.Fatalf("exit %d, %d lines\n%s", r.code, len(r.reportLines), r.stderr)
			}
			for _, l := range r.reportLines[1:] {
				if got := l[4] + "/" + l[5]; got != tc.want[l[2]] {
					t.Errorf("%s: %s (%s), want %s", l[2], got, l[7], tc.want[l[2]])
				}
				if l[10] != "0" {
					t.Errorf("%s: %s attempts: a read is not an attempt", l[2], l[10])
				}
			}
			if !strings.Contains(r.stderr, "against "+report.Destination(base)+": "+tc.summary+"\n") {
				t.Errorf("no summary %q:\n%s", tc.summary, r.stderr)
			}
			if w := sb.Stats().Writes; w != 0 {
				t.Errorf("%d requests other than GET", w)
			}
			if n := len(sb.Partners()); n != 4 {
				t.Errorf("%d partners in the sandbox, want the 4 preloaded", n)
			}
			byEmail := map[string][]string{}
			for _, l := range r.reportLines[1:] {
				byEmail[l[2]] = l
			}
			if m := byEmail["arch@x.io"][7]; !strings.Contains(m, "archived") {
				t.Errorf("the archived partner's message does not say so: %q", m)
			}
			if tc.vary.NoSearch && !strings.Contains(byEmail["keyt@x.io"][7], "whether the key is taken cannot be told") {
				t.Errorf("without search, the key's row does not say it cannot tell: %q", byEmail["keyt@x.io"][7])
			}
			prov, err := report.ReadProvenance(rep)
			if err != nil || prov.Destination != report.DestinationNone || !prov.NothingSent || prov.Mark != "" {
				t.Errorf("provenance %+v (%v): want a dry run's", prov, err)
			}
		})
	}
}

// A file of more rows than a few pages' worth is answered by one walk of
// the program's list, not by a search per row; still nothing but GET.
func TestValidateAgainstWalksForManyRows(t *testing.T) {
	t.Parallel()
	sb, base := startSandbox(t, sandbox.Options{})
	for i := range 150 {
		sb.Add(sandbox.Partner{Email: fmt.Sprintf("old%d@x.io", i), Name: "Old", Status: map[bool]string{true: sandbox.Archived}[i%50 == 0]})
	}
	var b strings.Builder
	b.WriteString("email,name\n")
	rows := importer.WalkAbove + 100
	for i := range rows {
		fmt.Fprintf(&b, "new%d@x.io,New\n", i)
	}
	for i := range 10 {
		fmt.Fprintf(&b, "old%d@x.io,Again\n", i*10)
	}
	dir := t.TempDir()
	in, rep := filepath.Join(dir, "p.csv"), filepath.Join(dir, "p.validate.csv")
	os.WriteFile(in, []byte(b.String()), 0o600)
	r := runCLI(t, map[string]string{"PARTNERO_API_KEY": "k-123456", "PARTNERO_BASE_URL": base}, "",
		"validate", "--against", "--no-progress", "--rate", "0", "--report", rep, in)
	if r.code != exitRowsFailed || len(r.reportLines) != rows+11 {
		t.Fatalf("exit %d, %d lines\n%s", r.code, len(r.reportLines), r.stderr)
	}
	want := fmt.Sprintf("%s new, 10 already there (2 archived)", grouped(rows)) // old0 and old50
	if !strings.Contains(r.stderr, want) {
		t.Errorf("no summary %q:\n%s", want, r.stderr)
	}
	st := sb.Stats()
	if st.Writes != 0 || st.Requests > 10 {
		t.Errorf("%d requests (%d not GET): want a walk of two pages and a preflight", st.Requests, st.Writes)
	}
}

// Without --against, validate neither reads nor takes the flags that say
// where to read.
func TestValidateConnectionFlagsNeedAgainst(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	in := filepath.Join(dir, "p.csv")
	os.WriteFile(in, []byte("email\na@x.io\n"), 0o600)
	r := runCLI(t, nil, "", "validate", "--base-url", "https://api.partnero.com/v1", "--skip-existing", in)
	if r.code != exitUsage || !strings.Contains(r.stderr, "--base-url, --skip-existing: for validate --against, which reads Partnero; give --against too") {
		t.Errorf("exit %d:\n%s", r.code, r.stderr)
	}
}

func clone(m map[string]string) map[string]string {
	c := make(map[string]string, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// grouped is 1,812 for 1812, as the summary writes counts.
func grouped(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
