package input

import (
	"bytes"
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
