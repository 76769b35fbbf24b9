package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/partnero-import/partnero-import/importer/sandbox"
)

// writeFile writes text to name in a temporary directory: its path.
func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// The file that lost a FirstPromoter migration's keys and tree: its export,
// imported without --preset, with one header mistyped.
const firstPromoterExport = "ID,Email,First Name,Last Name,Ref ID,Parent Promoter ID,Status,Temp Password\n" +
	"1,maria@x.io,Maria,Keller,mkeller,,approved,1y-JxB\n" +
	"2,jon@x.io,Jon,Berg,jberg,1,approved,8r-PqA\n"

// A file that probably means something the mapping is not doing stops
// validate and import alike, before anything is sent, with one line that
// says what to give; what is given then reads it.
func TestHeaderGuardStopsBeforeSending(t *testing.T) {
	t.Parallel()
	typo := strings.Replace(firstPromoterExport, "Parent Promoter ID", "Parent Promotor ID", 1)
	twoTypos := strings.Replace(typo, "First Name", "Frist Name", 1)
	refBy := strings.Replace(firstPromoterExport, "Parent Promoter ID", "Referred by", 1)
	tests := []struct {
		name  string
		text  string
		flags []string
		stop  string // the line's text; "" when the run goes ahead
	}{
		{"an export without its preset", firstPromoterExport, nil,
			`partnero-import: this looks like FirstPromoter's promoter export (columns "Ref ID" and "Parent Promoter ID"): use --preset firstpromoter (or --preset none to read it as it is)`},
		{"the preset given", firstPromoterExport, []string{"--preset", "firstpromoter"}, ""},
		{"--preset none", firstPromoterExport, []string{"--preset", "none"}, ""},
		{"a preset header mistyped", typo, []string{"--preset", "firstpromoter"},
			`partnero-import: column "Parent Promotor ID" is not a known field: did you mean referring_partner_id (parent promoter id)? map it with --map referring_partner_id='Parent Promotor ID' or leave it out with --ignore-column 'Parent Promotor ID'`},
		{"the mistyped header mapped", typo, []string{"--preset", "firstpromoter", "--map", "referring_partner_id=Parent Promotor ID"}, ""},
		{"a preset's columns not there", "ID,Email,Vorname,Code\n1,a@x.io,A,k\n", []string{"--preset", "firstpromoter"},
			`partnero-import: --preset firstpromoter found no column for key (it reads "ref id", "default ref id" or "referral id"); nor for referrer (it reads "parent promoter id" or "parent promoter email"); nor for name (it reads "first name"): name the columns with --map FIELD=HEADER, or read the file with --preset none and --map`},
		{"an export with two headers mistyped, without its preset", twoTypos, nil,
			`partnero-import: this looks like FirstPromoter's promoter export (columns "Ref ID" and "Parent Promotor ID"): use --preset firstpromoter (or --preset none to read it as it is)`},
		{"the same with the first name mapped", twoTypos, []string{"--map", "name=Frist Name"},
			`partnero-import: this looks like FirstPromoter's promoter export (columns "Ref ID" and "Parent Promotor ID"): use --preset firstpromoter (or --preset none to read it as it is)`},
		{"a preset's header mistyped, without a preset", "email,Parent Promotor ID\na@x.io,\n", nil,
			`partnero-import: column "Parent Promotor ID" is not a known field: did you mean referring_partner_id (parent promoter id, as --preset firstpromoter reads it)? map it with --map referring_partner_id='Parent Promotor ID' or leave it out with --ignore-column 'Parent Promotor ID'`},
		{"an export whose referrer column no preset reads", refBy, nil,
			`partnero-import: this looks like FirstPromoter's promoter export (columns "Ref ID", "Status" and "Temp Password"): use --preset firstpromoter (or --preset none to read it as it is)`},
		{"the key column alone", "Email,Name,Ref ID\na@x.io,A,k1\n", nil,
			`partnero-import: column "Ref ID" is what --preset firstpromoter reads as the key: give --preset firstpromoter, or --map key='Ref ID', or leave it out with --ignore-column 'Ref ID'`},
		{"the key column mapped", "Email,Name,Ref ID\na@x.io,A,k1\n", []string{"--map", "key=Ref ID"}, ""},
		{"the key column left out", "Email,Name,Ref ID\na@x.io,A,k1\n", []string{"--ignore-column", "Ref ID"}, ""},
		{"a field's name mistyped", "emial,Frist Name,Surename\na@x.io,A,B\n", nil,
			`partnero-import: column "emial" is not a known field: did you mean email? map it with --map email=emial or leave it out with --ignore-column emial; ` +
				`column "Frist Name" is not a known field: did you mean name (first_name)? map it with --map name='Frist Name' or leave it out with --ignore-column 'Frist Name'; ` +
				`column "Surename" is not a known field: did you mean surname? map it with --map surname=Surename or leave it out with --ignore-column Surename`},
		{"the mistyped columns mapped and left out", "emial,Frist Name,Surename\na@x.io,A,B\n",
			[]string{"--map", "email=emial,name=Frist Name", "--ignore-column", "surename"}, ""},
		{"an unknown column near nothing", "email,Notes,Phone\na@x.io,hi,123\n", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := writeFile(t, "partners.csv", tt.text)
			sb, base := startSandbox(t, sandbox.Options{})
			env := map[string]string{"PARTNERO_API_KEY": "k-123456", "PARTNERO_BASE_URL": base}
			for _, command := range []string{"validate", "import"} {
				rep := filepath.Join(filepath.Dir(in), command+".report.csv")
				args := append([]string{command, "--no-progress", "--report", rep}, tt.flags...)
				if command == "import" {
					args = append(args, "--rate", "0") // the test's server advertises no limit to follow
				}
				r := runCLI(t, env, "", append(args, in)...)
				if tt.stop == "" {
					if r.code != exitOK {
						t.Fatalf("%s: exit %d\n%s", command, r.code, r.stderr)
					}
					continue
				}
				if r.code != exitUsage || r.stderr != tt.stop+"\n" {
					t.Errorf("%s: exit %d\n%s\nwant exit 2 and\n%s", command, r.code, r.stderr, tt.stop)
				}
				if _, err := os.Stat(rep); err == nil {
					t.Errorf("%s: a report was written", command)
				}
			}
			if n := len(sb.Partners()); tt.stop != "" && n != 0 || tt.stop == "" && n == 0 {
				t.Errorf("%d partners stored", n)
			}
		})
	}
}

// A column left out with --ignore-column is never read, checked or sent:
// a weak password no longer makes its row and the rows it referred
// invalid, and the retry file keeps the user's columns as they were.
func TestIgnoreColumn(t *testing.T) {
	t.Parallel()
	in := writeFile(t, "partners.csv", "email,name,Password,Status,referring_partner_email\n"+
		"a@x.io,Ann,weak,denied,\n"+
		"b@x.io,Bob,weak,active,a@x.io\n"+
		"bad,Cid,weak,active,\n")
	dir := filepath.Dir(in)

	r := runCLI(t, nil, "", "validate", "--no-progress", "--report", filepath.Join(dir, "weak.csv"), in)
	if r.code != exitRowsFailed || !strings.Contains(r.stderr, `unknown column "Status": ignored`) {
		t.Fatalf("without --ignore-column: exit %d\n%s", r.code, r.stderr)
	}

	sb, base := startSandbox(t, sandbox.Options{})
	env := map[string]string{"PARTNERO_API_KEY": "k-123456", "PARTNERO_BASE_URL": base}
	r = runCLI(t, env, "", "import", "--no-progress", "--rate", "0", "--ignore-column", " password ", "--ignore-column", "STATUS",
		"--report", filepath.Join(dir, "p.report.csv"), in)
	// Read, the weak password would have made rows 1 and 2 invalid.
	if r.code != exitRowsFailed || statusesOf(r)["created/"] != 2 || statusesOf(r)["invalid/invalid_email"] != 1 {
		t.Fatalf("exit %d %v\n%s", r.code, statusesOf(r), r.stderr)
	}
	if strings.Contains(r.stderr, "Status") || strings.Contains(r.stderr, "Password") {
		t.Errorf("a column left out is talked about:\n%s", r.stderr)
	}
	retry, err := os.ReadFile(filepath.Join(dir, "p.retry.csv"))
	if err != nil || string(retry) != "email,name,Password,Status,referring_partner_email\nbad,Cid,weak,active,\n" {
		t.Errorf("retry file %q %v", retry, err)
	}

	// A header that matches no column is a usage error: a typo there must
	// not pass silently.
	for _, command := range []string{"validate", "import"} {
		r = runCLI(t, env, "", command, "--no-progress", "--ignore-column", "Pasword", "--report", filepath.Join(dir, "typo.csv"), in)
		want := `partnero-import: --ignore-column "Pasword": the file has no such column (it has: email, name, Password, Status, referring_partner_email)` + "\n"
		if r.code != exitUsage || r.stderr != want {
			t.Errorf("%s: exit %d\n%s", command, r.code, r.stderr)
		}
	}
	if n := len(sb.Partners()); n != 2 {
		t.Errorf("%d partners stored, want the first import's 2", n)
	}
}

// JSON Lines has no header: a key only later objects hold (a typo of a
// preset's parent column) stops the import at the end of its first read,
// before anything is sent, as a header would.
func TestJSONLinesLaterKeysAreGuarded(t *testing.T) {
	t.Parallel()
	in := writeFile(t, "p.jsonl", `{"Email": "root@x.com", "First Name": "Root", "Ref ID": "r0", "ID": "1"}
{"Email": "c2@x.com", "First Name": "C", "Ref ID": "r2", "ID": "2", "Parent Promotor ID": "1"}
`)
	sb, base := startSandbox(t, sandbox.Options{})
	r := runCLI(t, map[string]string{"PARTNERO_API_KEY": "k-123456", "PARTNERO_BASE_URL": base}, "",
		"import", "--preset", "firstpromoter", "--no-progress", "--report", filepath.Join(t.TempDir(), "r.csv"), in)
	if r.code != exitUsage || !strings.Contains(r.stderr, "Parent Promotor ID") || sb.Stats().Writes != 0 {
		t.Fatalf("exit %d, %d writes\n%s", r.code, sb.Stats().Writes, r.stderr)
	}
}

// A Tapfiliate export outside an MLM program has no parent column: its
// preset reads it without stopping (the advice to fall back to --preset
// none led to an import that dropped the referral codes), and says the
// group column can be tags.
func TestTapfiliateWithoutParents(t *testing.T) {
	t.Parallel()
	in := writeFile(t, "tap.csv", "id,email,firstname,lastname,referral code,affiliate group,approved\n"+
		"janej,jane@x.io,Jane,J,janej,EU,true\nbob,bob@x.io,Bob,B,bobby,EU,true\n")
	r := runCLI(t, nil, "", "validate", "--preset", "tapfiliate", "--report", filepath.Join(t.TempDir(), "r.csv"), in)
	if r.code != exitOK || !strings.Contains(r.stderr, "-> key (preset tapfiliate)") || !strings.Contains(r.stderr, "--map tags='affiliate group' makes it tags") {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
}
