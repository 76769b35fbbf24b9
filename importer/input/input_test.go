package input

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/encoding/unicode/utf32"
)

// got is what a test compares: each record's row, line, email (or its
// problem) and name.
type got struct {
	Row, Line   int
	Email, Name string
	Err         string
}

func readAll(t *testing.T, text string, opts Options) ([]got, []string) {
	t.Helper()
	rd, err := Open(strings.NewReader(text), opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	var out []got
	for {
		rec, err := rd.Next()
		if err == io.EOF {
			return out, rd.Warnings()
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		g := got{Row: rec.Row, Line: rec.Line, Email: rec.Email, Name: rec.Name}
		if rec.Err != nil {
			g.Err = rec.Err.Error()
		}
		out = append(out, g)
	}
}

func TestCSV(t *testing.T) {
	tests := []struct {
		name string
		text string
		opts Options
		want []got
	}{
		{"plain", "email,name\na@x.io,A\nb@x.io,B\n", Options{},
			[]got{{1, 2, "a@x.io", "A", ""}, {2, 3, "b@x.io", "B", ""}}},
		{"BOM and CRLF", "\ufeffEmail,Name\r\na@x.io,A\r\n", Options{},
			[]got{{1, 2, "a@x.io", "A", ""}}},
		{"quoted newline moves later lines down", "email,name,notes\na@x.io,Ann,\"two\nlines\"\nb@x.io,B,\n", Options{},
			[]got{{1, 2, "a@x.io", "Ann", ""}, {2, 4, "b@x.io", "B", ""}}},
		{"a line break in a field the tool reads", "email,name\na@x.io,\"Ann\nMarie\"\nb@x.io,B\n", Options{},
			[]got{{1, 2, "a@x.io", "", `column "name": contains a control character (U+000A)`}, {2, 4, "b@x.io", "B", ""}}},
		{"NUL in a cell, far down", "email,name\na@x.io,A\nb@x.io,B\x00x\nc@x.io,C\n", Options{},
			[]got{{1, 2, "a@x.io", "A", ""}, {2, 3, "b@x.io", "", `column "name": contains a control character (U+0000)`}, {3, 4, "c@x.io", "C", ""}}},
		{"control characters in an ignored column", "email,notes\na@x.io,\"bell\x07\"\nb@x.io,\u0085\n", Options{},
			[]got{{1, 2, "a@x.io", "", `column "notes": contains a control character (U+0007)`}, {2, 3, "b@x.io", "", `column "notes": contains a control character (U+0085)`}}},
		{"a control character in the email: no email shown", "email,name\n\"a@x\x01.io\",A\n", Options{},
			[]got{{1, 2, "", "", `column "email": contains a control character (U+0001)`}}},
		{"a byte that is not UTF-8 in a file read as UTF-8", "email,name,notes\na@x.io,Zo\xebe,\nb@x.io,B,caf\xe9\n", Options{Encoding: "utf-8"},
			[]got{{1, 2, "a@x.io", "", `column "name": is not UTF-8 text (byte 0xEB): the file mixes encodings; save it as UTF-8, or give its --encoding`}, {2, 3, "b@x.io", "B", ""}}},
		{"U+FFFD, a character lost before", "email,name\na@x.io,Zo\uFFFDe\n", Options{},
			[]got{{1, 2, "a@x.io", "", `column "name": contains U+FFFD, the mark of a character lost when the file was converted: correct it in the file`}}},
		{"tabs are text", "email,name\na@x.io,An\tn\n", Options{},
			[]got{{1, 2, "a@x.io", "An\tn", ""}}},
		{"mixed line ends", "email,name\r\na@x.io,A\rb@x.io,B\nc@x.io,C\r\n\rd@x.io,D", Options{},
			[]got{{1, 2, "a@x.io", "A", ""}, {2, 3, "b@x.io", "B", ""}, {3, 4, "c@x.io", "C", ""}, {4, 6, "d@x.io", "D", ""}}},
		{"content only in unknown columns is a row", "email,notes\n,just a note\n,\nb@x.io,\n", Options{},
			[]got{{1, 2, "", "", ""}, {2, 4, "b@x.io", "", ""}}},
		{"blank lines count as lines", "email,name\n\na@x.io,A\n\n\nb@x.io,B", Options{},
			[]got{{1, 3, "a@x.io", "A", ""}, {2, 6, "b@x.io", "B", ""}}},
		{"ragged record is invalid_row and reading goes on", "email,name\na@x.io\nb@x.io,B,extra\nc@x.io,C\n", Options{},
			[]got{{1, 2, "", "", "wrong number of fields: 1, the header has 2"}, {2, 3, "", "", "wrong number of fields: 3, the header has 2"}, {3, 4, "c@x.io", "C", ""}}},
		{"a short record never shows another column as its email", "name,email,password\nAnn,Secr3tPass1\n", Options{},
			[]got{{1, 2, "", "", "wrong number of fields: 2, the header has 3"}}},
		{"cells trimmed, blank spreadsheet rows skipped", "email,name\n  a@x.io ,  A \n,\n , \nb@x.io,B\n", Options{},
			[]got{{1, 2, "a@x.io", "A", ""}, {2, 5, "b@x.io", "B", ""}}},
		{"aliases", "E-Mail Address,First Name,Last_Name\na@x.io,A,Z\n", Options{},
			[]got{{1, 2, "a@x.io", "A", ""}}},
		{"semicolon sniffed", "email;name\na@x.io;Smith, A\n", Options{},
			[]got{{1, 2, "a@x.io", "Smith, A", ""}}},
		{"tab sniffed", "email\tname\na@x.io\tA\n", Options{},
			[]got{{1, 2, "a@x.io", "A", ""}}},
		{"pipe forced", "email|name\na@x.io|A,B\n", Options{Delimiter: '|'},
			[]got{{1, 2, "a@x.io", "A,B", ""}}},
		{"stray quote tolerated", "email,name\na@x.io,The \"Best\" Co\n", Options{},
			[]got{{1, 2, "a@x.io", "The \"Best\" Co", ""}}},
		{"Excel's sep= line", "sep=;\r\nemail;name\r\na@x.io;Smith, A\r\n", Options{},
			[]got{{1, 3, "a@x.io", "Smith, A", ""}}},
		{"old Mac line ends (lone CR)", "email,name\ra@x.io,A\r\rb@x.io,B\r", Options{},
			[]got{{1, 2, "a@x.io", "A", ""}, {2, 4, "b@x.io", "B", ""}}},
		{"no final newline", "email,name\na@x.io,A", Options{},
			[]got{{1, 2, "a@x.io", "A", ""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Format = CSV
			out, _ := readAll(t, tt.text, tt.opts)
			if len(out) != len(tt.want) {
				t.Fatalf("got %d records %+v, want %d", len(out), out, len(tt.want))
			}
			for i := range out {
				if out[i] != tt.want[i] {
					t.Errorf("record %d: got %+v, want %+v", i, out[i], tt.want[i])
				}
			}
		})
	}
}

func TestCSVFields(t *testing.T) {
	text := "email,password,id,key,tags,referrer_id,referring_partner_key,referring_partner_email,action,notes\n" +
		"a@x.io,Secr3tPass,12,k1,\"vip; blog | news,x\",7,k0,P@X.io,Invite,hello\n"
	rd, err := Open(strings.NewReader(text), Options{Format: CSV})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := rd.Next()
	if err != nil {
		t.Fatal(err)
	}
	f := rec.Fields
	if f.Password.Reveal() != "Secr3tPass" || f.ID != "12" || f.Key != "k1" || f.Action != "Invite" {
		t.Errorf("fields: %+v", f)
	}
	if strings.Join(f.Tags, "/") != "vip/blog/news/x" {
		t.Errorf("tags: %q", f.Tags)
	}
	if f.ReferringID != "7" || f.ReferringKey != "k0" || f.ReferringEmail != "P@X.io" {
		t.Errorf("referrer: %+v", f)
	}
	if w := rd.Warnings(); len(w) != 1 || !strings.Contains(w[0], `"notes"`) {
		t.Errorf("warnings: %q", w)
	}
}

// A quote that is never closed would take in the rows after it, which
// would then have no line of their own: the file is refused, naming the
// line and the column.
func TestUnclosedQuote(t *testing.T) {
	for name, text := range map[string]string{
		"to the end of the file": "email,name,notes\na@x.io,A,\"note\nb@x.io,B,\nc@x.io,C,\n",
		"to a later stray quote": "email,name,notes\na@x.io,A,\"note\nb@x.io,B,\nc@x.io,C,x\"\nd@x.io,D,\n",
		"in a name":              "email,name\na@x.io,\"Ann\nb@x.io,B\n",
	} {
		rd, err := Open(strings.NewReader(text), Options{Format: CSV})
		if err != nil {
			t.Fatal(err)
		}
		for err == nil {
			_, err = rd.Next()
		}
		if err == io.EOF || !strings.Contains(err.Error(), "line 2, column") || !strings.Contains(err.Error(), "never closed") {
			t.Errorf("%s: %v", name, err)
		}
	}
	// A note of several lines is no such thing.
	out, _ := readAll(t, "email,notes\na@x.io,\"first line\nsecond line, with a comma\"\nb@x.io,\n", Options{Format: CSV})
	if len(out) != 2 || out[1].Email != "b@x.io" {
		t.Errorf("a multi-line note: %+v", out)
	}
}

func TestCSVHeaderProblems(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"empty file", "", "empty"},
		{"no email column", "name,surname\nA,B\n", "no email column"},
		{"two columns for one field", "email,e-mail\na@x.io,b@x.io\n", "both map to email"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Open(strings.NewReader(tt.text), Options{Format: CSV})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
	_, err := Open(strings.NewReader("name\nA\n"), Options{Format: CSV})
	if !errors.Is(err, ErrNoEmailColumn) {
		t.Errorf("no email column: got %v, want ErrNoEmailColumn", err)
	}
}

func TestEncodings(t *testing.T) {
	const text = "email,name\r\nzoe@x.io,Zoë Müller\r\n"
	utf16le, _ := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String(text)
	utf16be, _ := unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewEncoder().String(text)
	cp1252, _ := charmap.Windows1252.NewEncoder().String(text)
	utf32le, _ := utf32.UTF32(utf32.LittleEndian, utf32.UseBOM).NewEncoder().String(text)
	utf32be, _ := utf32.UTF32(utf32.BigEndian, utf32.UseBOM).NewEncoder().String(text)
	tests := []struct {
		name string
		raw  string
		opts Options
	}{
		{"utf-8", text, Options{}},
		{"utf-8 BOM", "\ufeff" + text, Options{}},
		{"utf-16le BOM", utf16le, Options{}},
		{"utf-16be BOM", utf16be, Options{}},
		{"utf-32le BOM", utf32le, Options{}},
		{"utf-32be BOM", utf32be, Options{}},
		{"utf-32le forced, no BOM", utf32le[4:], Options{Encoding: "utf-32le"}},
		{"utf-32be forced, no BOM", utf32be[4:], Options{Encoding: "utf-32be"}},
		{"windows-1252 sniffed", cp1252, Options{}},
		{"windows-1252 forced", cp1252, Options{Encoding: "windows-1252"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Format = CSV
			out, warnings := readAll(t, tt.raw, tt.opts)
			want := got{1, 2, "zoe@x.io", "Zoë Müller", ""}
			if len(out) != 1 || out[0] != want {
				t.Fatalf("got %+v, want %+v", out, want)
			}
			// Only a guess is said: the user may have meant another encoding.
			guessed := slices.ContainsFunc(warnings, func(w string) bool { return strings.Contains(w, "read as Windows-1252") })
			if guessed != (tt.name == "windows-1252 sniffed") {
				t.Errorf("warnings %q", warnings)
			}
		})
	}
}

// Text in UTF-16 or UTF-32 without a BOM is named by its NUL bytes, so
// that the message gives the --encoding to use.
func TestUnicodeOrder(t *testing.T) {
	const text = "email,name\nzoe@x.io,Zoë Müller\n"
	for _, tt := range []struct {
		enc  encoding.Encoding
		want string
	}{
		{unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), "utf-16le"},
		{unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), "utf-16be"},
		{utf32.UTF32(utf32.LittleEndian, utf32.IgnoreBOM), "utf-32le"},
		{utf32.UTF32(utf32.BigEndian, utf32.IgnoreBOM), "utf-32be"},
	} {
		raw, _ := tt.enc.NewEncoder().String(text)
		if got := unicodeOrder([]byte(raw)); got != tt.want {
			t.Errorf("%s: got %q", tt.want, got)
		}
		_, err := Open(strings.NewReader(raw), Options{Format: CSV})
		if want := "give --encoding " + tt.want; err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", tt.want, err, want)
		}
	}
	if got := unicodeOrder([]byte("\x00\x01\x00\x00\x05\x00\x00\x07")); got != "" {
		t.Errorf("NULs anywhere: got %q", got)
	}
}

func TestJSONL(t *testing.T) {
	text := `{"email":"a@x.io","name":"A"}

{"email":"b@x.io","name":"B",` + "\n" +
		`{"email":"c@x.io","id":12345,"name":null}
[1,2]
{"email":"d@x.io","name":true}
{"Email":"e@x.io","First Name":"E","referring_partner":{"email":"a@x.io"},"tags":["x","y"]}
   ` + "\n" + `{"email":"f@x.io","referring_partner":"a@x.io"}
{"email":"g@x.io","name":"G\u0000"}
{"notes":"only a key the tool ignores"}
{"email":"h@x.io","tags":["ok","bad\u0007"]}
{"email":"i@x.io","name":"Zo\ufffde"}
null`
	out, _ := readAll(t, text, Options{Format: JSONL})
	want := []got{
		{1, 1, "a@x.io", "A", ""},
		{2, 3, "", "", "broken JSON: unexpected end of JSON input"},
		{3, 4, "c@x.io", "", ""},
		{4, 5, "", "", "not a JSON object"},
		{5, 6, "d@x.io", "", "name: expected text, got true/false"},
		{6, 7, "e@x.io", "E", ""},
		{7, 9, "f@x.io", "", `referring_partner: expected an object {"id", "key", "email"}`},
		{8, 10, "g@x.io", "", "name: contains a control character (U+0000)"},
		{9, 11, "", "", ""},
		{10, 12, "h@x.io", "", "tags: contains a control character (U+0007)"},
		{11, 13, "i@x.io", "", "name: contains U+FFFD, the mark of a character lost when the file was converted: correct it in the file"},
		{12, 14, "", "", "not a JSON object"},
	}
	if len(out) != len(want) {
		t.Fatalf("got %d records %+v, want %d", len(out), out, len(want))
	}
	for i := range out {
		if out[i] != want[i] {
			t.Errorf("record %d: got %+v, want %+v", i, out[i], want[i])
		}
	}
}

func TestJSONLFields(t *testing.T) {
	rd, _ := Open(strings.NewReader(`{"email":"e@x.io","id":12345,"password":"Secr3tPass","tags":["x","y"],"referring_partner":{"id":7,"key":"k"},"extra":1}`), Options{Format: JSONL})
	rec, err := rd.Next()
	if err != nil || rec.Err != nil {
		t.Fatal(err, rec.Err)
	}
	if rec.ID != "12345" || rec.Password.Reveal() != "Secr3tPass" || strings.Join(rec.Tags, ",") != "x,y" ||
		rec.ReferringID != "7" || rec.ReferringKey != "k" {
		t.Errorf("fields: %+v", rec.Fields)
	}
	if w := rd.Warnings(); len(w) != 1 || !strings.Contains(w[0], "extra") {
		t.Errorf("warnings: %q", w)
	}
}

// A password never shows in a record's problem, whatever is wrong with it.
func TestJSONLProblemsDoNotQuotePasswords(t *testing.T) {
	rd, _ := Open(strings.NewReader(`{"email":"e@x.io","password":["Secr3tPass"]}`), Options{Format: JSONL})
	rec, _ := rd.Next()
	if rec.Err == nil || strings.Contains(rec.Err.Error(), "Secr3tPass") {
		t.Fatalf("problem %v", rec.Err)
	}
}

func TestFormatOf(t *testing.T) {
	for path, want := range map[string]string{"a.csv": CSV, "A.TXT": CSV, "b.tsv": CSV, "c.jsonl": JSONL, "d.ndjson": JSONL, "e.xlsx": XLSX} {
		if got, err := FormatOf(path); got != want || err != nil {
			t.Errorf("FormatOf(%q) = %q, %v; want %q", path, got, err, want)
		}
	}
	if _, err := FormatOf("partners.json"); err == nil {
		t.Error("FormatOf(.json) gave no error")
	}
}

func TestRawRecords(t *testing.T) {
	text := "sep=;\r\nemail;name\r\n\r\na@x.io;\"Ann\r\nMarie\"\r\nbad\r\nb@x.io;B"
	rd, err := Open(strings.NewReader(text), Options{Format: CSV, KeepRaw: true})
	if err != nil {
		t.Fatal(err)
	}
	if h := string(rd.Header()); h != "email;name\r\n" {
		t.Errorf("header %q", h)
	}
	want := []string{"a@x.io;\"Ann\r\nMarie\"\r\n", "bad\r\n", "b@x.io;B"}
	for i, w := range want {
		rec, err := rd.Next()
		if err != nil || string(rec.Raw) != w {
			t.Errorf("record %d: raw %q (%v), want %q", i+1, rec.Raw, err, w)
		}
	}
	jl, _ := Open(strings.NewReader("\n{\"email\":\"a@x.io\"}\r\n"), Options{Format: JSONL, KeepRaw: true})
	if rec, _ := jl.Next(); string(rec.Raw) != "{\"email\":\"a@x.io\"}\n" {
		t.Errorf("JSON raw %q", rec.Raw)
	}
}

// JSON Lines has no header: the first object's keys, in their order, tell
// how the file was understood.
func TestJSONLColumns(t *testing.T) {
	rd, err := Open(strings.NewReader("\n{\"E-Mail\":\"a@x.io\",\"nick\":\"A\",\"referring_partner\":{\"id\":1}}\n{\"email\":\"b@x.io\"}\n"), Options{Format: JSONL})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range rd.Columns() {
		got = append(got, fmt.Sprintf("%d %s>%s %s", c.Index, c.Header, c.Field, c.Note))
	}
	want := []string{"1 E-Mail>email ", "2 nick> unknown key", "3 referring_partner>referring_partner "}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("columns %q, want %q", got, want)
	}
	if rec, _ := rd.Next(); rec.Email != "a@x.io" || rec.Row != 1 || rec.Line != 2 {
		t.Fatalf("the first object was consumed: %+v", rec)
	}
}

// The files people mistake for ones the tool reads get advice, not a
// report of invalid rows: an old .xls workbook, a JSON array, a JSON
// object spread over lines.
func TestAdviceForLookalikes(t *testing.T) {
	for path, want := range map[string]string{"old.xls": "save it as .xlsx or CSV", "exports/Affiliates 2026.json": "jq -c '.[]' 'exports/Affiliates 2026.json' > 'exports/Affiliates 2026.jsonl'"} {
		if _, err := FormatOf(path); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("FormatOf(%q): %v, want %q", path, err, want)
		}
	}
	xls := "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + strings.Repeat("\x00", 504)
	for _, tc := range []struct {
		format, text, want string
	}{
		{XLSX, xls, "old Excel (.xls) workbook"},
		{CSV, xls, "old Excel (.xls) workbook"},
		{JSONL, "\ufeff  [{\"email\":\"a@x.io\"},\n{\"email\":\"b@x.io\"}]\n", "jq -c '.[]' rewardful.jsonl > rewardful.lines.jsonl"},
		{JSONL, "{\n  \"email\": \"a@x.io\"\n}\n", "one object per line: make it JSON Lines first, for example: jq -c . rewardful.jsonl > rewardful.lines.jsonl"},
	} {
		_, err := Open(strings.NewReader(tc.text), Options{Format: tc.format, Name: "rewardful.jsonl"})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %q: %v, want %q", tc.format, tc.text[:8], err, tc.want)
		}
	}
	if _, err := Open(strings.NewReader("\n{\"email\":\"a@x.io\"}\n"), Options{Format: JSONL}); err != nil {
		t.Errorf("JSON Lines refused: %v", err)
	}
}

// An ignored column that probably names a field, in other words or
// another language, gets the --map that would read it; the others a
// plain note.
func TestColumnGuesses(t *testing.T) {
	rd, err := Open(strings.NewReader("email,Pwd,Vorname,Nom,Notes,Referred By\na@x.io,Secr3tPass,A,B,n,\n"), Options{Format: CSV})
	if err != nil {
		t.Fatal(err)
	}
	for _, err := rd.Next(); err != io.EOF; _, err = rd.Next() {
	}
	want := []string{
		`unknown column "Pwd": ignored; if it is the password, give --map password=Pwd`,
		`unknown column "Vorname": ignored; if it is the name, give --map name=Vorname`,
		`unknown column "Nom": ignored; if it is the surname, give --map surname=Nom`,
		`unknown column "Notes": ignored`,
		`unknown column "Referred By": ignored; if it is the referring_partner_email, give --map referring_partner_email='Referred By'`,
	}
	if got := rd.Warnings(); !slices.Equal(got, want) {
		t.Errorf("warnings\n%q\nwant\n%q", got, want)
	}
}

// A record longer than maxRecord ends the read with an error naming where
// it is, before it takes the file into memory; one just under it is read.
func TestCSVRecordTooLong(t *testing.T) {
	huge := strings.Repeat("x", maxRecord+1)
	for name, tc := range map[string]struct{ text, want string }{
		"an unclosed quote":    {"email,notes\na@x.io,ok\nb@x.io,\"" + huge + "\n", "the record after row 1 is longer than 16 MiB"},
		"a long plain cell":    {"email,notes\nb@x.io," + huge + huge + "\n", "the header or the first record"},
		"a header without end": {"email,\"" + huge, "the header or the first record is longer than 16 MiB"},
	} {
		rd, err := Open(strings.NewReader(tc.text), Options{Format: CSV, KeepRaw: true})
		for err == nil {
			_, err = rd.Next()
		}
		if err == io.EOF || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "never closed") {
			t.Errorf("%s: got %v, want %q", name, err, tc.want)
		}
	}
	out, _ := readAll(t, "email,notes\na@x.io,\""+strings.Repeat("y", maxRecord-100)+"\"\nb@x.io,\n", Options{Format: CSV})
	if len(out) != 2 || out[1].Email != "b@x.io" {
		t.Errorf("a record under the cap: %+v", out)
	}
}

// Each sample export read without its preset names the preset: in a
// warning, or in the error its headers cause (PartnerStack's "Partner Key"
// and "Referral Key" both read as key by alias).
func TestSamplesSuggestTheirPreset(t *testing.T) {
	for _, name := range []string{"firstpromoter", "rewardful", "tapfiliate", "partnerstack"} {
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("..", "..", "samples", "presets", name+".csv"))
			if err != nil {
				t.Fatal(err)
			}
			want := "--preset " + name
			rd, err := Open(bytes.NewReader(b), Options{Format: CSV})
			if err != nil {
				if !strings.Contains(err.Error(), want) {
					t.Fatalf("error %v, want it to name %q", err, want)
				}
				return
			}
			if ws := strings.Join(rd.Warnings(), "\n"); !strings.Contains(ws, want) {
				t.Fatalf("warnings:\n%s\nwant %q", ws, want)
			}
		})
	}
	// A file of our own columns is no export.
	rd, err := Open(strings.NewReader("email,name,id,key,referring_partner_key\na@x.io,A,1,k,\n"), Options{Format: CSV})
	if err != nil {
		t.Fatal(err)
	}
	if ws := strings.Join(rd.Warnings(), "\n"); strings.Contains(ws, "--preset") {
		t.Errorf("a preset suggested for our own columns: %s", ws)
	}
}

func TestParseMap(t *testing.T) {
	tests := []struct {
		in      string
		want    map[string]string
		wantErr string
	}{
		{"email=Mail,name=First", map[string]string{"email": "Mail", "name": "First"}, ""},
		{` email = Mail , `, map[string]string{"email": "Mail"}, ""},
		{`name="Name, given",email=Mail`, map[string]string{"name": "Name, given", "email": "Mail"}, ""},
		{`surname="The ""last"" name"`, map[string]string{"surname": `The "last" name`}, ""},
		{`name="Name, given`, nil, "never closed"},
		{"email", nil, "expected FIELD=HEADER"},
		{"email=Mail,nickname=Nick", nil, "not a field"},
		{"email=A,email=B", nil, "twice"},
	}
	for _, tt := range tests {
		got, err := ParseMap(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseMap(%q): %v, want an error with %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !maps.Equal(got, tt.want) {
			t.Errorf("ParseMap(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	// The quoted header reads a column whose header has a comma.
	out, _ := readAll(t, "\"Name, given\",email\nAnn,a@x.io\n", Options{Format: CSV, Map: map[string]string{"name": "Name, given"}})
	if len(out) != 1 || out[0].Name != "Ann" {
		t.Errorf("read with the quoted header: %+v", out)
	}
}

// A UTF-8 file with one cell pasted from Windows-1252 is read as UTF-8: its
// good rows keep their names, the bad one is invalid_row naming the column.
func TestMixedEncodings(t *testing.T) {
	text := "email,name\nzoe@x.io,Zoë\nrene@x.io,Renée\nbad@x.io,Jos\xe9\n"
	out, warnings := readAll(t, text, Options{Format: CSV})
	if len(out) != 3 || out[0].Name != "Zoë" || out[1].Name != "Renée" ||
		!strings.Contains(out[2].Err, `column "name": is not UTF-8 text`) || out[2].Email != "bad@x.io" {
		t.Fatalf("%+v", out)
	}
	if !slices.ContainsFunc(warnings, func(w string) bool { return strings.Contains(w, "some of its bytes are not") }) {
		t.Errorf("warnings %q", warnings)
	}
}

// A key twice, or two keys of one field, is invalid_row: which value would
// be taken is the decoder's whim (the last, or map order).
func TestJSONLRepeatedKeys(t *testing.T) {
	tests := []struct{ line, want string }{
		{`{"email":"a@x.io","email":"b@x.io"}`, "a key appears twice"},
		{`{"email":"a@x.io","E-Mail":"b@x.io"}`, `keys "E-Mail" and "email" both give email`},
		{`{"email":"a@x.io","name":"A","note":{"name":"x","name":"y"},"s":"a:b\":{"}`, ""},
		{`{"email":"a@x.io","tags":["x:y"],"referring_partner":{"id":"1","email":"r@x.io"}}`, ""},
		{`{"email":"a@x.io","referring_partner":{"id":"1"},"referring_partner_id":"2"}`, `keys "referring_partner" and "referring_partner_id" both give referring_partner_id`},
		{`{"email":"a@x.io","parent_partner_id":"2","referrer":{"id":"1"}}`, `keys "parent_partner_id" and "referrer" both give referring_partner_id`},
		{`{"email":"a@x.io","referring_partner":{"id":"1","ID":"2"}}`, `keys "ID" and "id" both give its id`},
		{`{"email":"a@x.io","referring_partner":{"id":"1","id":"2"}}`, "a key appears twice"},
		{`{"email":"a@x.io","referring_partner":{"id":"1"},"referring_partner_email":"r@x.io"}`, ""},
	}
	for _, tt := range tests {
		out, _ := readAll(t, tt.line+"\n", Options{Format: JSONL})
		if len(out) != 1 || !strings.Contains(out[0].Err, tt.want) || (tt.want == "") != (out[0].Err == "") {
			t.Errorf("%s: %+v, want %q", tt.line, out, tt.want)
		}
	}
}

// --map settles a clash the preset makes; a header twice can only be
// renamed, and the advice says so.
func TestMapSettlesPresetClash(t *testing.T) {
	text := "ID,Promoter ID,Email\n1,2,a@x.io\n"
	const fp = "firstpromoter"
	if _, err := Open(strings.NewReader(text), Options{Format: CSV, Preset: fp}); err == nil || !strings.Contains(err.Error(), "--map id=HEADER") {
		t.Fatalf("without --map: %v", err)
	}
	rd, err := Open(strings.NewReader(text), Options{Format: CSV, Preset: fp, Map: map[string]string{"id": "Promoter ID"}})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := rd.Next()
	if err != nil || rec.ID != "2" {
		t.Fatalf("%+v %v", rec, err)
	}
	_, err = Open(strings.NewReader("email,name,name\na@x.io,A,B\n"), Options{Format: CSV})
	if err == nil || !strings.Contains(err.Error(), "rename one") || strings.Contains(err.Error(), "--map") {
		t.Fatalf("a header twice: %v", err)
	}
}
