package input

import (
	"io"
	"strings"
	"testing"

	"github.com/partnero-import/partnero-import/report"
)

// checkRecords reads everything, as each kind, and checks the reader's
// promises: rows count from 1 without gaps, lines only move forward,
// nothing panics.
func checkRecords(t *testing.T, text string, format string) {
	for _, kind := range report.Kinds {
		checkKind(t, text, format, kind)
	}
}

func checkKind(t *testing.T, text string, format string, kind report.Kind) {
	rd, err := Open(strings.NewReader(text), Options{Format: format, KeepRaw: true, Kind: kind})
	if err != nil {
		return // a bad header is a fatal error, not a crash
	}
	row, line := 0, 0
	for {
		rec, err := rd.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			return
		}
		row++
		if rec.Row != row {
			t.Fatalf("row %d came as %d", row, rec.Row)
		}
		if rec.Line <= line {
			t.Fatalf("row %d starts on line %d, not after line %d", rec.Row, rec.Line, line)
		}
		line = rec.Line
	}
}

func FuzzCSV(f *testing.F) {
	for _, s := range []string{
		"email,name\na@x.io,A\n",
		"\ufeffemail;name\r\n\"a\n@x.io\";\"A\"\"\"\r\n",
		"email,name\na@x.io\n\n,\nb,c,d\n",
		"email\n\"unterminated\n",
		"customer_id,affiliate_email,tags\nc1,a@x.io,\"a,b\"\n",
		"payment_id;customer_key;amount;currency;date\nch_1;c1;99,90;EUR;2024-03-01\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkRecords(t, s, CSV) })
}

func FuzzJSONL(f *testing.F) {
	for _, s := range []string{
		`{"email":"a@x.io","tags":["a"],"referring_partner":{"id":1}}`,
		"\n\n{\"email\":1}\n[",
		`{"email":"a@x.io","password":{"x":1}}`,
		`{"key":"c1","partner":{"key":"p","id":2,"email":null}}`,
		`{"key":"t1","customer":{"email":"c@x.io"},"amount":99.9,"action":"sale"}` + "\n" + `{"key":"t2","customer":[1]}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkRecords(t, s, JSONL) })
}
