package input

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// workbook builds an XLSX in memory; each row is a list of cell values, nil
// for a row left empty.
func workbook(t *testing.T, sheets map[string][][]any, password string) []byte {
	t.Helper()
	f := excelize.NewFile()
	first := true
	for name, rows := range sheets {
		if first {
			f.SetSheetName("Sheet1", name)
			first = false
		} else {
			f.NewSheet(name)
		}
		for i, row := range rows {
			if row == nil {
				continue
			}
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			if err := f.SetSheetRow(name, cell, &row); err != nil {
				t.Fatal(err)
			}
		}
	}
	var b bytes.Buffer
	if err := f.Write(&b, excelize.Options{Password: password}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestXLSX(t *testing.T) {
	book := workbook(t, map[string][][]any{"Partners": {
		{"Email", "First Name", "Partner ID", "Joined"},
		{"a@x.io", "Ann", 12345, time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)},
		nil, // an empty row: skipped, but the sheet's row numbers go on
		{"b@x.io", "Bob", 98765432101, nil},
		{"c@x.io", "Cy", "ab-1", nil, "stray"},
	}}, "")
	rd, err := Open(bytes.NewReader(book), Options{Format: XLSX, KeepRaw: true})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for {
		rec, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if rec.Row == 1 && (strings.Contains(string(rec.Raw), "45323") || !strings.Contains(string(rec.Raw), "24")) {
			t.Errorf("the date shows as %q, not as the sheet shows it", rec.Raw) // 45323 is its serial number
		}
		s := strings.Join([]string{itoa(rec.Row), itoa(rec.Line), rec.Email, rec.Name, rec.ID}, " ")
		if rec.Err != nil {
			s += " ! " + rec.Err.Error()
		}
		got = append(got, s)
	}
	want := []string{"1 2 a@x.io Ann 12345", "2 4 b@x.io Bob 98765432101", "3 5 c@x.io Cy ab-1 ! wrong number of fields: cells beyond the header's 4 columns"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if h := string(rd.Header()); h != "Email,First Name,Partner ID,Joined\n" {
		t.Errorf("header %q", h)
	}
	if w := rd.Warnings(); len(w) != 1 || !strings.Contains(w[0], `"Joined"`) {
		t.Errorf("warnings %q", w)
	}
}

func itoa(i int) string {
	s := ""
	for ; i > 0 || s == ""; i /= 10 {
		s = string(rune('0'+i%10)) + s
	}
	return s
}

func TestXLSXSheets(t *testing.T) {
	book := workbook(t, map[string][][]any{"Data": {{"email"}, {"a@x.io"}}}, "")
	if _, err := Open(bytes.NewReader(book), Options{Format: XLSX, Sheet: "Nope"}); err == nil || !strings.Contains(err.Error(), "has no such sheet (it has: Data)") {
		t.Errorf("missing sheet: %v", err)
	}
	empty := workbook(t, map[string][][]any{"Empty": {}}, "")
	if _, err := Open(bytes.NewReader(empty), Options{Format: XLSX}); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Errorf("empty sheet: %v", err)
	}
	locked := workbook(t, map[string][][]any{"Data": {{"email"}, {"a@x.io"}}}, "s3cret")
	if _, err := Open(bytes.NewReader(locked), Options{Format: XLSX}); err == nil || !strings.Contains(err.Error(), "password") {
		t.Errorf("password-protected: %v", err)
	}
	for name, data := range map[string]string{"text": "email\na@x.io\n", "truncated": string(book[:len(book)/2])} {
		if _, err := Open(strings.NewReader(data), Options{Format: XLSX}); err == nil || !strings.Contains(err.Error(), "not an XLSX workbook") {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestMapAndPresets(t *testing.T) {
	text := "Contact,E-mail,Given,identifier,token,joining_date\nreal@x.io,old@x.io,Ann,id1,k1,2024-01-01\n"
	rd, err := Open(strings.NewReader(text), Options{Format: CSV, Map: map[string]string{"email": "Contact", "name": "given"}, Preset: "partnero"})
	if err != nil {
		t.Fatal(err)
	}
	rec, _ := rd.Next()
	if rec.Email != "real@x.io" || rec.Name != "Ann" || rec.ID != "id1" || rec.Key != "k1" {
		t.Fatalf("fields %+v", rec.Fields)
	}
	var notes []string
	for _, c := range rd.Columns() {
		notes = append(notes, c.Field+"|"+c.Note)
	}
	want := "email|--map,|ignored: email comes from column \"Contact\",name|--map,id|preset partnero,key|preset partnero,|preset partnero: the API cannot take it"
	if strings.Join(notes, ",") != want {
		t.Errorf("columns\n%s\nwant\n%s", strings.Join(notes, ","), want)
	}
	for _, tt := range []struct {
		opts Options
		text string
		want string
	}{
		{Options{Map: map[string]string{"email": "Mail Address"}}, "email\na@x.io\n", `the file has no column "Mail Address"`},
		{Options{Preset: "nope"}, "email\na@x.io\n", "unknown --preset"},
		{Options{}, "email,e-mail\na@x.io,b@x.io\n", "both map to email"},
		{Options{Preset: "tapfiliate"}, "firstname,first name,email\nA,B,a@x.io\n", "both map to name"},
	} {
		tt.opts.Format = CSV
		if _, err := Open(strings.NewReader(tt.text), tt.opts); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: %v, want %q", tt.opts, err, tt.want)
		}
	}
	if _, err := ParseMap("email=Mail,nickname=Nick"); err == nil || !strings.Contains(err.Error(), "not a field") {
		t.Errorf("ParseMap: %v", err)
	}
}

// readBook reads a workbook's records, or the error that refuses it.
func readBook(t *testing.T, book []byte) ([]*Record, []string, error) {
	t.Helper()
	rd, err := Open(bytes.NewReader(book), Options{Format: XLSX})
	if err != nil {
		return nil, nil, err
	}
	var recs []*Record
	for {
		rec, err := rd.Next()
		if err == io.EOF {
			return recs, rd.Warnings(), nil
		}
		if err != nil {
			return recs, nil, err
		}
		recs = append(recs, rec)
	}
}

// A sheet cut short, or with a character XML forbids, is refused: its rows
// after the damage would otherwise be lost without a word.
func TestDamagedWorkbook(t *testing.T) {
	rows := [][]any{{"email", "name"}}
	for i := range 50 {
		rows = append(rows, []any{"p" + strings.Repeat("x", i) + "@x.io", "P"})
	}
	good := workbook(t, map[string][][]any{"Partners": rows}, "")
	for name, damage := range map[string]struct {
		part   string
		change func(string) string
	}{
		"cut short":           {"xl/worksheets/sheet1.xml", func(x string) string { return x[:len(x)/2] }},
		"an unclosed element": {"xl/worksheets/sheet1.xml", func(x string) string { return strings.Replace(x, "</sheetData>", "<row>", 1) }},
		"a raw control byte":  {"xl/sharedStrings.xml", func(x string) string { return strings.Replace(x, "pxx@x.io", "p\x01x@x.io", 1) }},
	} {
		book := rezip(t, good, damage.part, damage.change)
		if _, _, err := readBook(t, book); err == nil || !strings.Contains(err.Error(), "damaged") {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// A part's name and the XML decoder's error come from the file: they are
// quoted in the message, no control byte reaching a terminal raw.
func TestDamagedPartNamedWithControls(t *testing.T) {
	t.Parallel()
	book := workbook(t, map[string][][]any{"Sheet1": {{"email"}, {"a@x.io"}}}, "")
	evil := withParts(t, book, map[string]string{"xl/worksheets/\x1b]0;owned\x07\x1b[2K\x00.xml": "<a>\x1b[31m"})
	_, _, err := readBook(t, evil)
	if err == nil || !strings.Contains(err.Error(), "damaged") || strings.ContainsFunc(err.Error(), func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		t.Errorf("%q", err)
	}
}

// rezip rewrites one part of a zip archive.
func rezip(t *testing.T, zipped []byte, part string, change func(string) string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(zipped), int64(len(zipped)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		if f.Name == part {
			b = []byte(change(string(b)))
		}
		w, _ := zw.Create(f.Name)
		w.Write(b)
	}
	zw.Close()
	return out.Bytes()
}

// The first sheet shown is read, and which one is said; an error cell or
// an id a spreadsheet rounded makes its row invalid_row, never sent.
func TestWorkbookSheetsAndCells(t *testing.T) {
	f := excelize.NewFile()
	f.SetSheetName("Sheet1", "Old")
	f.SetSheetRow("Old", "A1", &[]any{"email"})
	f.SetSheetRow("Old", "A2", &[]any{"old@x.io"})
	idx, _ := f.NewSheet("Partners")
	f.SetActiveSheet(idx) // the active sheet cannot be hidden
	f.SetSheetRow("Partners", "A1", &[]any{"email", "id", "name"})
	f.SetSheetRow("Partners", "A2", &[]any{"a@x.io", "ok-1", "A"})
	f.SetSheetRow("Partners", "A3", &[]any{"b@x.io", 1234567890123456789, "B"})
	f.SetSheetRow("Partners", "A4", &[]any{"c@x.io", "c-1", "#N/A"})
	if err := f.SetSheetVisible("Old", false); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	f.Write(&b)
	recs, warnings, err := readBook(t, b.Bytes())
	if err != nil || len(recs) != 3 {
		t.Fatalf("%d records, %v", len(recs), err)
	}
	if recs[0].Err != nil || recs[0].Email != "a@x.io" {
		t.Errorf("row 1: %+v", recs[0])
	}
	if recs[1].Err == nil || !strings.Contains(recs[1].Err.Error(), "rounded") {
		t.Errorf("row 2: %v", recs[1].Err)
	}
	if recs[2].Err == nil || !strings.Contains(recs[2].Err.Error(), "#N/A") {
		t.Errorf("row 3: %v", recs[2].Err)
	}
	if w := strings.Join(warnings, "\n"); !strings.Contains(w, `sheet "Old" is hidden`) || !strings.Contains(w, `read sheet "Partners" of 2`) {
		t.Errorf("warnings:\n%s", w)
	}
}

// withParts is a zip archive's parts with some replaced or added.
func withParts(t *testing.T, zipped []byte, parts map[string]string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(zipped), int64(len(zipped)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		if _, ok := parts[f.Name]; ok {
			continue
		}
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		w, _ := zw.Create(f.Name)
		w.Write(b)
	}
	for name, text := range parts {
		w, _ := zw.Create(name)
		io.WriteString(w, text)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// zeros is an endless source of NUL bytes, /dev/zero, counting them.
type zeros struct{ n int }

func (z *zeros) Read(p []byte) (int, error) {
	clear(p)
	z.n += len(p)
	return len(p), nil
}

// A file that is no zip archive is refused at its first bytes; a workbook
// whose parts would unfold past the caps (a zip bomb, a cell or a row
// longer than any spreadsheet program writes, markup whose text could hold
// anything) is refused before excelize opens it, reading little of it.
func TestWorkbookBounds(t *testing.T) {
	t.Parallel()
	var z zeros
	if _, err := Open(&z, Options{Format: XLSX}); err == nil || !strings.Contains(err.Error(), "not an XLSX workbook") || z.n > 64<<10 {
		t.Errorf("endless zeros: read %d bytes, %v", z.n, err)
	}

	book := workbook(t, map[string][][]any{"Sheet1": {{"email"}, {"a@x.io"}}}, "")
	sheet := func(rows string) string {
		return `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` + rows + `</sheetData></worksheet>`
	}
	strs := func(items string) string {
		return `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` + items + `</sst>`
	}
	header := `<row r="1"><c r="A1" t="inlineStr"><is><t>email</t></is></c></row>`
	longString := strs(`<si><t>` + strings.Repeat("a", 100<<10) + `</t></si>`)
	wideRow := `<row r="2">` + strings.Repeat(`<c t="s"><v>0</v></c>`, 200) + `</row>` // 200 × 100 KiB
	tests := []struct {
		name  string
		parts map[string]string
		want  string
	}{
		{"a 2 MiB tag", map[string]string{"xl/sharedStrings.xml": strs(`<si><t a="` + strings.Repeat("a", 2<<20))}, "more than 1 MiB of XML without a tag"},
		{"a shared string of many runs", map[string]string{"xl/sharedStrings.xml": strs(`<si>` + strings.Repeat(`<r><t>`+strings.Repeat("b", 1<<10)+`</t></r>`, 200) + `</si>`)}, "longer than 128 KiB"},
		{"an inline string too long", map[string]string{"xl/worksheets/sheet1.xml": sheet(header + `<row r="2"><c t="inlineStr"><is><t>` + strings.Repeat("c", 200<<10) + `</t></is></c></row>`)}, "longer than 128 KiB"},
		{"a row of long shared strings", map[string]string{"xl/sharedStrings.xml": longString, "xl/worksheets/sheet1.xml": sheet(header + wideRow)}, "row whose cells' text is longer than 16 MiB"},
		{"CDATA", map[string]string{"xl/worksheets/sheet1.xml": sheet(header + `<row r="2"><c t="inlineStr"><is><t><![CDATA[a@x.io]]></t></is></c></row>`)}, "CDATA"},
		{"a DOCTYPE", map[string]string{"xl/sharedStrings.xml": `<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "aaaa">]>` + strs(``)}, "DOCTYPE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := readBook(t, withParts(t, book, tt.parts))
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "save it as CSV") {
				t.Errorf("%v, want %q", err, tt.want)
			}
		})
	}
	// The count of shared strings, with a lower cap: the real one takes
	// seconds to reach.
	tooMany := withParts(t, book, map[string]string{"xl/sharedStrings.xml": strs(strings.Repeat(`<si><t>a</t></si>`, 11))})
	zr, _ := zip.NewReader(bytes.NewReader(tooMany), int64(len(tooMany)))
	for _, f := range zr.File {
		if isSharedStrings(f.Name) {
			_, err := scanPart(f, func(dec *xml.Decoder) ([]int, error) { return sharedStringsScan(dec, 10) })
			if err == nil || !strings.Contains(err.Error(), "holds more shared strings than this tool indexes (10)") {
				t.Errorf("11 shared strings of 10: %v", err)
			}
		}
	}
	// Within the caps, the same shapes read well.
	recs, _, err := readBook(t, withParts(t, book, map[string]string{"xl/sharedStrings.xml": longString,
		"xl/worksheets/sheet1.xml": sheet(header + `<row r="2"><c t="inlineStr"><is><t>a@x.io</t></is></c><c t="s"><v>0</v></c></row>`)}))
	if err != nil || len(recs) != 1 || recs[0].Email != "a@x.io" {
		t.Errorf("%d records, %v", len(recs), err)
	}
}

// A row whose last cells are empty has them left out of the sheet: its
// text for the retry file still has the header's width, or the retry file
// could not be read back (every row invalid_row).
func TestXLSXRawRowsHaveTheHeadersWidth(t *testing.T) {
	book := workbook(t, map[string][][]any{"Sheet1": {{"email", "name", "surname", "key"}, {"a@x.io", "Ann"}, {"b@x.io"}}}, "")
	rd, err := Open(bytes.NewReader(book), Options{Format: XLSX, KeepRaw: true})
	if err != nil {
		t.Fatal(err)
	}
	for {
		rec, err := rd.Next()
		if err != nil {
			break
		}
		fields, err := csv.NewReader(bytes.NewReader(rec.Raw)).Read()
		if err != nil || len(fields) != 4 {
			t.Errorf("row %d: %q has %d fields (%v), want the header's 4", rec.Row, rec.Raw, len(fields), err)
		}
	}
}
