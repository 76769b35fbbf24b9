package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// shellWords is what a POSIX shell makes of text pasted after a command:
// its arguments.
func shellWords(t *testing.T, text string) []string {
	t.Helper()
	out, err := exec.Command("sh", "-c", `printf '%s\0' `+text).Output()
	if err != nil {
		t.Fatalf("sh cannot read %s: %v", text, err)
	}
	return strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
}

// The fix commands a near-miss header is given work when pasted into a
// shell as printed: a header with a zero-width space is printed escaped
// and matched so; a header with a comma is double-quoted inside --map.
func TestPrintedFixesWorkWhenPasted(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, text string }{
		{"zero-width space", "\u200bEmail,First Name,Last Name\na@x.com,Ana,B\n"},
		{"comma", "Email,\"Last,Name\",First Name\na@x.com,Ana,B\n"},
		{"quote", "Email,\"Last\"\"Name\",First Name\na@x.com,Ana,B\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in := writeFile(t, "p.csv", tc.text)
			rep := filepath.Join(filepath.Dir(in), "r.csv")
			r := runCLI(t, nil, "", "validate", "--no-progress", "--report", rep, in)
			mapFix, ignoreFix, ok := strings.Cut(r.stderr, " or leave it out with ")
			_, mapFix, found := strings.Cut(mapFix, "map it with ")
			if r.code != exitUsage || !ok || !found {
				t.Fatalf("exit %d, no fix printed:\n%s", r.code, r.stderr)
			}
			for _, fix := range []string{mapFix, strings.TrimSpace(ignoreFix)} {
				args := append([]string{"validate", "--no-progress", "--report", rep}, shellWords(t, fix)...)
				r := runCLI(t, nil, "", append(args, in)...)
				// Left out, the zero-width email header leaves no email column.
				if r.code != exitOK && !strings.Contains(r.stderr, "no email column") {
					t.Errorf("%s: exit %d\n%s", fix, r.code, r.stderr)
				}
			}
		})
	}
}
