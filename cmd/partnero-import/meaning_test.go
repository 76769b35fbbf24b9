package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/partnero-import/partnero-import/importer/sandbox"
)

// An affiliate export as the issue met it: a Status column marking some
// affiliates pending or denied, a referrer who is one of them, full names
// in one Name column.
const affiliates = `Email,Name,Status,Sponsor Email,Country
ines@x.io,Ines Ward,active,,DE
mary@x.io,Mary Ann van Dyke,Pending,,DE
bob@x.io,Bob Stone,denied,,FR
al@x.io,Al Bee,active,mary@x.io,FR
cy@x.io,Cy,ACTIVE ,,DE
`

func emailsIn(sb *sandbox.Server) []string {
	var out []string
	for _, p := range sb.Partners() {
		out = append(out, p.Email)
	}
	slices.Sort(out)
	return out
}

// --where keeps the rows asked for; each other row has its one line,
// skipped/filtered, and is never sent; a partner whose referrer was left
// out is skipped/referring_partner_failed, as for any referrer that is not
// created. Headers and values match whatever their case and spaces.
func TestWhereSelectsRows(t *testing.T) {
	t.Parallel()
	in := writeFile(t, "affiliates.csv", affiliates)
	for _, tc := range []struct {
		name    string
		where   []string
		code    int
		created []string
		lines   map[string]string // email → status/reason
	}{
		{"equal", []string{" STATUS =Active"}, exitRowsFailed, []string{"cy@x.io", "ines@x.io"},
			map[string]string{"mary@x.io": "skipped/filtered", "bob@x.io": "skipped/filtered", "al@x.io": "skipped/referring_partner_failed"}},
		{"not equal", []string{"Status!=denied"}, exitOK, []string{"al@x.io", "cy@x.io", "ines@x.io", "mary@x.io"},
			map[string]string{"bob@x.io": "skipped/filtered", "al@x.io": "created/"}},
		{"every one must hold", []string{"Status!=denied,pending", "country=de"}, exitOK, []string{"cy@x.io", "ines@x.io"},
			map[string]string{"al@x.io": "skipped/filtered", "bob@x.io": "skipped/filtered", "mary@x.io": "skipped/filtered"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sb, base := startSandbox(t, sandbox.Options{})
			env := map[string]string{"PARTNERO_API_KEY": "k-123456", "PARTNERO_BASE_URL": base}
			args := []string{"import", "--no-progress", "--rate", "0", "--map", "referring_partner_email=Sponsor Email",
				"--report", filepath.Join(t.TempDir(), "r.csv")}
			for _, w := range tc.where {
				args = append(args, "--where", w)
			}
			r := runCLI(t, env, "", append(args, in)...)
			if r.code != tc.code {
				t.Fatalf("exit %d, want %d\n%s", r.code, tc.code, r.stderr)
			}
			if got := emailsIn(sb); !slices.Equal(got, tc.created) {
				t.Errorf("the sandbox holds %v, want %v", got, tc.created)
			}
			if len(r.reportLines) != 6 {
				t.Fatalf("%d report lines, want a header and 5 rows:\n%s", len(r.reportLines), r.report)
			}
			for _, l := range r.reportLines[1:] {
				want, ok := tc.lines[l[2]]
				if !ok {
					continue
				}
				if got := l[4] + "/" + l[5]; got != want {
					t.Errorf("%s: %s, want %s (%s)", l[2], got, want, l[7])
				}
				if l[5] == "filtered" && (!strings.Contains(l[7], "--where") || l[10] != "0") {
					t.Errorf("%s: filtered line %v", l[2], l)
				}
				if l[5] == "referring_partner_failed" && !strings.Contains(l[7], "row 2 (line 3), is filtered out") {
					t.Errorf("%s: the message does not say its referrer was filtered out: %s", l[2], l[7])
				}
			}
		})
	}
}

// A --where column the file does not have, or a --where that does not
// parse, is a usage error: exit 2, one line, nothing read or sent.
func TestWhereUsageErrors(t *testing.T) {
	t.Parallel()
	in := writeFile(t, "affiliates.csv", affiliates)
	for where, want := range map[string]string{
		"Stauts=active": `--where Stauts=active: the file has no column "Stauts" (it has: Email, Name, Status, Sponsor Email, Country)`,
		"Status":        `--where "Status": expected COLUMN=VALUE[,VALUE] or COLUMN!=VALUE[,VALUE]`,
		`Status="act`:   `a quote is never closed`,
	} {
		sb, base := startSandbox(t, sandbox.Options{})
		env := map[string]string{"PARTNERO_API_KEY": "k-123456", "PARTNERO_BASE_URL": base}
		rep := filepath.Join(t.TempDir(), "r.csv")
		r := runCLI(t, env, "", "import", "--no-progress", "--where", where, "--report", rep, in)
		if r.code != exitUsage || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, want) {
			t.Errorf("--where %s: exit %d, stderr:\n%s", where, r.code, r.stderr)
		}
		if _, err := os.Stat(rep); err == nil || sb.Requests() != 0 {
			t.Errorf("--where %s: a report was written or %d requests sent", where, sb.Requests())
		}
	}
}

// A status column that marks rows pending or denied, with no --where for
// it: the dry run counts them in a warning; an import stops before
// sending anything (exit 2, one line), and goes once told which rows to
// import. A --where on another column leaves the stop, counting only the
// rows it keeps.
func TestStatusColumnStopsAnImport(t *testing.T) {
	t.Parallel()
	in := writeFile(t, "affiliates.csv", affiliates)
	const counts = `column "Status" marks 1 row denied, 1 pending: say which rows to import with --where Status=active (or --where 'Status!=denied,pending'), or leave the column out with --ignore-column Status`

	v := runCLI(t, nil, "", "validate", "--no-progress", "--report", filepath.Join(t.TempDir(), "v.csv"), in)
	if v.code != exitOK || !strings.Contains(v.stderr, "warning: an import would stop here: "+counts+"\n") {
		t.Errorf("validate: exit %d, stderr:\n%s", v.code, v.stderr)
	}

	sb, base := startSandbox(t, sandbox.Options{})
	env := map[string]string{"PARTNERO_API_KEY": "k-123456", "PARTNERO_BASE_URL": base}
	rep := filepath.Join(t.TempDir(), "r.csv")
	r := runCLI(t, env, "", "import", "--no-progress", "--log-format", "text", "--report", rep, in)
	if r.code != exitUsage || lastLine(r.stderr) != "partnero-import: "+counts {
		t.Errorf("import: exit %d, stderr:\n%s", r.code, r.stderr)
	}
	if _, err := os.Stat(rep); err == nil || sb.Requests() != 0 {
		t.Errorf("the stopped import wrote a report or sent %d requests", sb.Requests())
	}

	// Filtering on another column counts only the rows kept: FR holds one
	// denied affiliate.
	r = runCLI(t, env, "", "import", "--no-progress", "--where", "Country=FR", "--report", rep, in)
	if r.code != exitUsage || !strings.Contains(r.stderr, `column "Status" marks 1 row denied: say which rows to import with --where Status=active (or --where 'Status!=denied')`) {
		t.Errorf("import --where Country=FR: exit %d, stderr:\n%s", r.code, r.stderr)
	}

	r = runCLI(t, env, "", "import", "--no-progress", "--rate", "0", "--where", "Status!=denied,pending", "--report", rep, in)
	if r.code != exitOK || statusesOf(r)["created/"] != 3 || statusesOf(r)["skipped/filtered"] != 2 {
		t.Errorf("import told which rows: exit %d, %v\n%s", r.code, statusesOf(r), r.stderr)
	}
}

// JSON Lines: --where names a key of the first object; numbers and
// true/false compare as written. A status key stops an import as a column
// does.
func TestWhereInJSONLines(t *testing.T) {
	t.Parallel()
	in := writeFile(t, "a.jsonl", `{"email":"a@x.io","approved":true,"tier":1,"state":"active"}
{"email":"b@x.io","approved":true,"tier":2,"state":"blocked"}
{"email":"c@x.io","approved":false,"tier":2}
`)
	r := runCLI(t, nil, "", "validate", "--no-progress", "--where", "approved=TRUE", "--where", "tier!=1", "--report", filepath.Join(t.TempDir(), "v.csv"), in)
	if r.code != exitOK || statusesOf(r)["valid/"] != 1 || statusesOf(r)["skipped/filtered"] != 2 || r.reportLines[2][4] != "valid" {
		t.Errorf("exit %d, %v\n%s", r.code, statusesOf(r), r.stderr)
	}
	if !strings.Contains(r.stderr, `an import would stop here: column "state" marks 1 row blocked`) {
		t.Errorf("no word of the state key:\n%s", r.stderr)
	}
}

// A workbook's columns are selected as a CSV file's are.
func TestWhereInAWorkbook(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "a.xlsx")
	writeWorkbook(t, [][]string{{"E-mail", "Affiliate Status"}, {"a@x.io", "Approved"}, {"b@x.io", "Declined"}}, path)
	r := runCLI(t, nil, "", "validate", "--no-progress", "--report", filepath.Join(t.TempDir(), "v.csv"), path)
	if !strings.Contains(r.stderr, `column "Affiliate Status" marks 1 row declined: say which rows to import with --where 'Affiliate Status=approved'`) {
		t.Errorf("no word of the status column:\n%s", r.stderr)
	}
	r = runCLI(t, nil, "", "validate", "--no-progress", "--where", "affiliate status=approved", "--report", filepath.Join(t.TempDir(), "v.csv"), path)
	if r.code != exitOK || r.reportLines[2][4]+"/"+r.reportLines[2][5] != "skipped/filtered" || strings.Contains(r.stderr, "would stop") {
		t.Errorf("exit %d, %v\n%s", r.code, r.reportLines, r.stderr)
	}
}

// Full names in one name column: the dry run warns, with counts and the
// first row, never a name; --split-name splits at the last space, and a
// single word stays a name; with a surname column, --split-name is a
// usage error.
func TestSplitName(t *testing.T) {
	t.Parallel()
	in := writeFile(t, "names.csv", "email,name\nines@x.io,Ines Ward\nmary@x.io,Mary Ann van Dyke\ncy@x.io,Cy\nzed@x.io,  Zed   Zulu \n")
	v := runCLI(t, nil, "", "validate", "--no-progress", "--report", filepath.Join(t.TempDir(), "v.csv"), in)
	const warning = `warning: column "name" seems to hold full names (3 of 4 names are two words or more, the first on row 1) and no column gives a surname: --split-name splits them at the last space into name and surname`
	if v.code != exitOK || !strings.Contains(v.stderr, warning+"\n") || strings.Contains(v.stderr, "Ward") {
		t.Errorf("validate: exit %d, stderr:\n%s", v.code, v.stderr)
	}

	// The warning does not stop an import; names imported whole are split
	// later by updating them.
	sb, base := startSandbox(t, sandbox.Options{})
	env := map[string]string{"PARTNERO_API_KEY": "k-123456", "PARTNERO_BASE_URL": base}
	r := runCLI(t, env, "", "import", "--no-progress", "--rate", "0", "--report", filepath.Join(t.TempDir(), "r.csv"), in)
	if r.code != exitOK || !strings.Contains(r.stderr, "full names") || sb.Partners()[0].Surname != "" {
		t.Fatalf("import: exit %d\n%s", r.code, r.stderr)
	}
	r = runCLI(t, env, "", "import", "--no-progress", "--rate", "0", "--update-existing", "--split-name", "--report", filepath.Join(t.TempDir(), "r.csv"), in)
	if r.code != exitOK || strings.Contains(r.stderr, "full names") || statusesOf(r)["updated/"] != 3 || statusesOf(r)["skipped/unchanged"] != 1 {
		t.Fatalf("import --update-existing --split-name: exit %d %v\n%s", r.code, statusesOf(r), r.stderr)
	}
	got := map[string]string{}
	for _, p := range sb.Partners() {
		got[p.Email] = p.Name + "|" + p.Surname
	}
	want := map[string]string{"ines@x.io": "Ines|Ward", "mary@x.io": "Mary Ann van|Dyke", "cy@x.io": "Cy|", "zed@x.io": "Zed|Zulu"}
	for email, w := range want {
		if got[email] != w {
			t.Errorf("%s: %q, want %q", email, got[email], w)
		}
	}

	both := writeFile(t, "both.csv", "email,name,surname\nines@x.io,Ines Ward,Ward\n")
	r = runCLI(t, nil, "", "validate", "--no-progress", "--split-name", "--report", filepath.Join(t.TempDir(), "v.csv"), both)
	if r.code != exitUsage || !strings.Contains(r.stderr, "--split-name: the file has a surname column already") {
		t.Errorf("--split-name with a surname column: exit %d\n%s", r.code, r.stderr)
	}
}

// A --where value that no row holds is a typo that would filter every
// row: import stops before sending (exit 2, one line with the column's
// most common values), validate warns. Conditions whose values each match
// some row but that together leave none are warned about.
func TestWhereValueMatchingNoRow(t *testing.T) {
	t.Parallel()
	in := writeFile(t, "affiliates.csv", affiliates)
	const stop = `--where Status=actve: no row has Status "actve" (its most common values: active 3, denied 1, pending 1)`
	v := runCLI(t, nil, "", "validate", "--no-progress", "--where", "Status=actve", "--report", filepath.Join(t.TempDir(), "v.csv"), in)
	if !strings.Contains(v.stderr, "warning: an import would stop here: "+stop+"\n") {
		t.Errorf("validate: exit %d, stderr:\n%s", v.code, v.stderr)
	}
	sb, base := startSandbox(t, sandbox.Options{})
	env := map[string]string{"PARTNERO_API_KEY": "k-123456", "PARTNERO_BASE_URL": base}
	rep := filepath.Join(t.TempDir(), "r.csv")
	r := runCLI(t, env, "", "import", "--no-progress", "--where", "Status=actve", "--report", rep, in)
	if r.code != exitUsage || lastLine(r.stderr) != "partnero-import: "+stop {
		t.Errorf("import: exit %d, stderr:\n%s", r.code, r.stderr)
	}
	if _, err := os.Stat(rep); err == nil || sb.Requests() != 0 {
		t.Errorf("the stopped import wrote a report or sent %d requests", sb.Requests())
	}
	r = runCLI(t, env, "", "import", "--no-progress", "--rate", "0", "--where", "Status=denied", "--where", "Country=DE", "--report", rep, in)
	if r.code != exitOK || !strings.Contains(r.stderr, "warning: --where Status=denied and --where Country=DE leave no row of the file: all 5 are filtered out\n") {
		t.Errorf("exclusive conditions: exit %d, stderr:\n%s", r.code, r.stderr)
	}
}

// An approval column (Tapfiliate's Approved, which its preset does not
// send) marks the rows it says false as unwanted, like a pending status:
// the import stops unless told which rows to import.
func TestApprovalColumnStopsAnImport(t *testing.T) {
	t.Parallel()
	in := writeFile(t, "tap.csv", "id,email,firstname,lastname,Referral code,parent id,Approved\n"+
		"0,t0@x.com,T,U,rc0,,false\n1,t1@x.com,T,U,rc1,,true\n2,t2@x.com,T,U,rc2,1,TRUE\n")
	const stop = `column "Approved" marks 1 row false: say which rows to import with --where Approved=true (or --where 'Approved!=false'), or leave the column out with --ignore-column Approved`
	sb, base := startSandbox(t, sandbox.Options{})
	env := map[string]string{"PARTNERO_API_KEY": "k-123456", "PARTNERO_BASE_URL": base}
	r := runCLI(t, env, "", "import", "--no-progress", "--preset", "tapfiliate", "--report", filepath.Join(t.TempDir(), "r.csv"), in)
	if r.code != exitUsage || lastLine(r.stderr) != "partnero-import: "+stop || sb.Requests() != 0 {
		t.Errorf("import: exit %d, %d requests, stderr:\n%s", r.code, sb.Requests(), r.stderr)
	}
	r = runCLI(t, env, "", "import", "--no-progress", "--rate", "0", "--preset", "tapfiliate", "--where", "Approved=true", "--report", filepath.Join(t.TempDir(), "r.csv"), in)
	if r.code != exitOK || statusesOf(r)["created/"] != 2 || statusesOf(r)["skipped/filtered"] != 1 {
		t.Errorf("--where Approved=true: exit %d, %v\n%s", r.code, statusesOf(r), r.stderr)
	}
}
