package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"
)

// The retry file keeps the input's byte order mark (a UTF-8 one, the retry
// file being UTF-8) so that a spreadsheet opens it as it opened the input;
// an input without one gives a retry file without one; and the retry file
// imports as the input did.
func TestRetryFileKeepsTheBOM(t *testing.T) {
	t.Parallel()
	text := "email,name\nok@x.io,Zoë\nnot-an-email,Zoé\n"
	utf16le := []byte{0xFF, 0xFE}
	for _, u := range utf16.Encode([]rune(text)) {
		utf16le = append(utf16le, byte(u), byte(u>>8))
	}
	for _, tt := range []struct {
		name  string
		input []byte
		bom   bool
	}{
		{"utf-8 with a BOM", append([]byte("\xef\xbb\xbf"), text...), true},
		{"utf-16le with a BOM", utf16le, true},
		{"utf-8 without", []byte(text), false},
	} {
		dir := t.TempDir()
		in := filepath.Join(dir, "in.csv")
		os.WriteFile(in, tt.input, 0o600)
		r := runCLI(t, nil, "", "import", "--sandbox", "--no-progress", in)
		retry, err := os.ReadFile(filepath.Join(dir, "in.sandbox.retry.csv"))
		want := "email,name\nnot-an-email,Zoé\n"
		if tt.bom {
			want = "\ufeff" + want
		}
		if r.code != exitRowsFailed || err != nil || string(retry) != want {
			t.Errorf("%s: exit %d, retry file %q (%v), want %q\n%s", tt.name, r.code, retry, err, want, r.stderr)
			continue
		}
		again := runCLI(t, nil, "", "validate", "--no-progress", filepath.Join(dir, "in.sandbox.retry.csv"))
		if again.code != exitRowsFailed || !strings.Contains(again.stderr, "invalid_email") || strings.Contains(again.stderr, "unknown column") {
			t.Errorf("%s: the retry file does not read as the input did: exit %d\n%s", tt.name, again.code, again.stderr)
		}
	}
}
