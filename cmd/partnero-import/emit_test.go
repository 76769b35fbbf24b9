package main

import (
	"encoding/base64"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A FirstPromoter export with full names in First Name, a Last Name column
// of junk, and pending affiliates: --emit writes the rows an import would
// send, mapped by the preset, split, filtered, an invite as its call
// carries it, and a password only as (set). Rows left out (filtered,
// invalid, whose referrer is filtered) are not there; a row whose referrer
// comes further down is in its place.
func TestEmitWritesTheRowsAsTheyWouldBeSent(t *testing.T) {
	t.Parallel()
	in := writeFile(t, "promoters.csv", "ID,Email,First Name,Last Name,Ref ID,Parent Promoter ID,Status,Password,Action\n"+
		"1,maria@x.io,Maria Keller,WRONG,mkeller,7,approved,Str0ngPassw0rd,\n"+
		"2,jon@x.io,Jon Berg,WRONG,jberg,1,approved,An0therPassw0rd,\n"+
		"3,pia@x.io,Pia Pend,WRONG,ppend,1,pending,,\n"+
		"4,bad-email,Bad Row,WRONG,bad,,approved,,\n"+
		"5,ines@x.io,Ines Ward,WRONG,iward,3,approved,,\n"+
		"6,solo@x.io,Solo,WRONG,solo,1,approved,,invite\n"+
		"7,root@x.io,Mary Ann van Dyke,WRONG,root,,approved,,\n")
	dir := filepath.Dir(in)
	emit := filepath.Join(dir, "promoters.emit.jsonl")
	want := `{"row":1,"line":2,"action":"create","email":"maria@x.io","id":"1","key":"mkeller","name":"Maria","surname":"Keller","password":"(set)","referring_partner":{"id":"7"}}
{"row":2,"line":3,"action":"create","email":"jon@x.io","id":"2","key":"jberg","name":"Jon","surname":"Berg","password":"(set)","referring_partner":{"id":"1"}}
{"row":6,"line":7,"action":"invite","email":"solo@x.io","name":"Solo"}
{"row":7,"line":8,"action":"create","email":"root@x.io","id":"7","key":"root","name":"Mary Ann van","surname":"Dyke"}
`
	for _, command := range [][]string{{"validate"}, {"import", "--dry-run"}} {
		t.Run(command[0], func(t *testing.T) {
			// The second run writes over the first's file: --emit's own.
			args := append(command, "--no-progress", "--preset", "firstpromoter", "--ignore-column", "Last Name",
				"--where", "Status=approved", "--split-name", "--emit", emit, "--report", filepath.Join(dir, command[0]+".csv"), in)
			r := runCLI(t, nil, "", args...)
			if r.code != exitRowsFailed { // row 4 is invalid
				t.Fatalf("exit %d\n%s", r.code, r.stderr)
			}
			got, err := os.ReadFile(emit)
			if err != nil || string(got) != want {
				t.Fatalf("--emit wrote (%v):\n%s\nwant:\n%s", err, got, want)
			}
			if !strings.Contains(r.stderr, "the 4 valid rows as an import would send them: "+emit) {
				t.Errorf("the end does not name the emitted file:\n%s", r.stderr)
			}
			for _, pw := range []string{"Str0ngPassw0rd", "An0therPassw0rd"} {
				for _, form := range []string{pw, base64.StdEncoding.EncodeToString([]byte(pw)), hex.EncodeToString([]byte(pw))} {
					if strings.Contains(string(got), form) {
						t.Errorf("--emit holds a password as %q", form)
					}
				}
			}
		})
	}
}

// --emit never writes over a file the run reads or writes, nor a file it
// did not write itself: exit 2, one line, before the input is read.
func TestEmitRefusesFilesItMustNotWrite(t *testing.T) {
	t.Parallel()
	in := writeFile(t, "partners.csv", "email,name\na@x.io,A\n")
	dir := filepath.Dir(in)
	notes := filepath.Join(dir, "notes.txt")
	os.WriteFile(notes, []byte("my notes\n"), 0o600)
	rep := filepath.Join(dir, "r.csv")
	os.WriteFile(rep, nil, 0o600)
	for _, tt := range []struct{ emit, says string }{
		{in, "is the input"},
		{rep, "is --report"},
		{notes, "is not what --emit wrote"},
	} {
		before := digest(t, tt.emit)
		r := runCLI(t, nil, "", "validate", "--no-progress", "--report", rep, "--emit", tt.emit, in)
		if r.code != exitUsage || !strings.Contains(r.stderr, tt.says) || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
			t.Errorf("--emit %s: exit %d\n%s", tt.emit, r.code, r.stderr)
		}
		if digest(t, tt.emit) != before {
			t.Errorf("--emit %s changed the file", tt.emit)
		}
	}
	if r := runCLI(t, nil, "", "import", "--sandbox", "--emit", filepath.Join(dir, "e.jsonl"), in); r.code != exitUsage || !strings.Contains(r.stderr, "--dry-run") {
		t.Errorf("import --emit without --dry-run: exit %d\n%s", r.code, r.stderr)
	}
}
