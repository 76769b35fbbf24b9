package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/partnero-import/partnero-import/importer/sandbox"
)

// Text a spreadsheet can hide is caught per row, wherever the row is: a NUL
// far past the first bytes is that row's invalid_row and never reaches the
// API; an invisible character makes an email invalid; look-alikes are one
// partner, sent as the plain address; a record with text only in a column
// the tool ignores still gets its line; a short record never shows a later
// column (a password) as its email; lone CRs among LF and CRLF end lines.
func TestTextHygiene(t *testing.T) {
	t.Parallel()
	sb, base := startSandbox(t, sandbox.Options{})
	var b strings.Builder
	b.WriteString("email,password,notes\r\n")
	for range 200 { // push the NUL past the first kilobytes
		b.WriteString(",,filler\n")
	}
	rows := []string{
		"ann@x.io,,\n",
		"ＡＮＮ@x.io,,\r\n",
		"ｂｏｂ@ｘ.ｉｏ,,\r",
		"ca\u200brl@x.io,,\n",
		"nul@x.io,,a\x00b\n",
		"Secr3tPassword\n",
		",,only a note\n",
	}
	for _, r := range rows {
		b.WriteString(r)
	}
	in := filepath.Join(t.TempDir(), "hidden.csv")
	os.WriteFile(in, []byte(b.String()), 0o600)
	rep := in + ".report.csv"
	r := runCLI(t, map[string]string{"PARTNERO_API_KEY": "k-123456", "PARTNERO_BASE_URL": base}, "",
		"import", "--no-progress", "--rate", "0", "--report", rep, in)
	if r.code != exitRowsFailed || len(r.reportLines) != 1+200+len(rows) {
		t.Fatalf("exit %d, %d lines\n%s", r.code, len(r.reportLines), r.stderr)
	}
	got := map[string]string{}
	for _, l := range r.reportLines[201:] {
		got[l[1]] = l[2] + " " + l[4] + "/" + l[5]
	}
	want := map[string]string{
		"202": "ann@x.io created/",
		"203": "ＡＮＮ@x.io invalid/duplicate_email_in_file",
		"204": "ｂｏｂ@ｘ.ｉｏ created/",
		"205": `ca\u200brl@x.io invalid/invalid_email`, // shown, as the report shows what hides
		"206": "nul@x.io invalid/invalid_row",          // the email shown: the row can be found
		"207": " invalid/invalid_row",
		"208": " invalid/missing_email",
	}
	for line, w := range want {
		if got[line] != w {
			t.Errorf("line %s: %q, want %q", line, got[line], w)
		}
	}
	var stored []string
	for _, p := range sb.Partners() {
		stored = append(stored, p.Email)
	}
	slices.Sort(stored)
	if strings.Join(stored, " ") != "ann@x.io bob@x.io" {
		t.Errorf("the sandbox holds %v", stored)
	}
	noSecrets(t, r, "Secr3tPassword")
	// The report shows the invisible character escaped: --resume still
	// knows the row for the file's.
	r = runCLI(t, map[string]string{"PARTNERO_API_KEY": "k-123456", "PARTNERO_BASE_URL": base}, "",
		"import", "--no-progress", "--rate", "0", "--resume", rep, "--report", in+".again.csv", in)
	if r.code == exitUsage {
		t.Errorf("--resume of the report refused: %s", r.stderr)
	}
}
