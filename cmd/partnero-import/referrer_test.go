package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// A referrer column holding names, not emails: each such row is invalid
// naming the column, and the dry run says that almost none of the
// referrers is a row of the file.
func TestReferrerCellsChecked(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("email,name,referring_partner_email\n")
	b.WriteString("ines@x.io,Ines,\n")
	for i := range 60 {
		fmt.Fprintf(&b, "p%d@x.io,P%d,Ines Ward\n", i, i)
	}
	b.WriteString("kid@x.io,Kid,ines@x.io\n")
	in := writeFile(t, "partners.csv", b.String())
	r := runCLI(t, nil, "", "validate", "--no-progress", "--report", filepath.Join(filepath.Dir(in), "v.csv"), in)
	if r.code != exitRowsFailed || statusesOf(r)["invalid/invalid_email"] != 60 || statusesOf(r)["valid/"] != 2 {
		t.Fatalf("exit %d %v\n%s", r.code, statusesOf(r), r.stderr)
	}
	if l := r.reportLines[2]; l[5] != "invalid_email" || l[7] != `referring_partner_email: "Ines Ward" is not an email (it contains white space); if the column holds the referrers' ids or keys, say so: --map referring_partner_id=HEADER (or referring_partner_key)` {
		t.Errorf("row 2: %s %q", l[5], l[7])
	}
	if !strings.Contains(r.stderr, "60 of 61 referrers name no partner in this file: they must already exist in Partnero, or the referrer column holds something else") {
		t.Errorf("no warning:\n%s", r.stderr)
	}

	// Emails of partners already in Partnero are fine: no invalid row, the
	// same warning.
	b.Reset()
	b.WriteString("email,referring_partner_email\n")
	for i := range 60 {
		fmt.Fprintf(&b, "p%d@x.io,old%d@x.io\n", i, i)
	}
	in = writeFile(t, "partners.csv", b.String())
	r = runCLI(t, nil, "", "validate", "--no-progress", "--report", filepath.Join(filepath.Dir(in), "v.csv"), in)
	if r.code != exitOK || !strings.Contains(r.stderr, "60 of 60 referrers name no partner in this file") {
		t.Errorf("exit %d\n%s", r.code, r.stderr)
	}
}
