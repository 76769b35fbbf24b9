package report

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

func TestWriterSortsAtClose(t *testing.T) {
	for _, name := range []string{"r.csv", "r.jsonl"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), name)
			os.WriteFile(path, []byte("last week's"), 0o600)
			os.Chmod(path, 0o640) // the user's choice, kept through the sorted rewrite
			w, err := Create(path, true, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, row := range []int{3, 1, 2} {
				l := Line{Row: row, Line: row + 1, Email: "a@x.io", Action: "create", Status: Created, Message: "x,\"y\"\nz"}
				if row == 2 {
					l.Status, l.Reason, l.HTTPStatus = Rejected, EmailExists, 422
				}
				if err := w.Write(&l); err != nil {
					t.Fatal(err)
				}
				// Flushed as rows finish: the line is in the file before Close.
				b, _ := os.ReadFile(path)
				if !strings.Contains(string(b), "\n"+itoa(row)+",") && !strings.Contains(string(b), `"row":`+itoa(row)) {
					t.Fatalf("row %d not in the file before Close:\n%s", row, b)
				}
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			b, _ := os.ReadFile(path)
			var want string
			if IsJSONL(path) {
				want = `{"row":1,"line":2,"email":"a@x.io","action":"create","status":"created","reason":"","http_status":0,"message":"x,\"y\"\\nz","partner_id":"","referral_link":"","attempts":0}
{"row":2,"line":3,"email":"a@x.io","action":"create","status":"rejected","reason":"email_exists","http_status":422,"message":"x,\"y\"\\nz","partner_id":"","referral_link":"","attempts":0}
{"row":3,"line":4,"email":"a@x.io","action":"create","status":"created","reason":"","http_status":0,"message":"x,\"y\"\\nz","partner_id":"","referral_link":"","attempts":0}
`
			} else {
				want = "row,line,email,action,status,reason,http_status,message,partner_id,referral_link,attempts\n" +
					"1,2,a@x.io,create,created,,,\"x,\"\"y\"\"\\nz\",,,0\n" +
					"2,3,a@x.io,create,rejected,email_exists,422,\"x,\"\"y\"\"\\nz\",,,0\n" +
					"3,4,a@x.io,create,created,,,\"x,\"\"y\"\"\\nz\",,,0\n"
			}
			if string(b) != want {
				t.Fatalf("got\n%s\nwant\n%s", b, want)
			}
			if st, _ := os.Stat(path); st.Mode().Perm() != 0o640 {
				t.Errorf("mode %v after the sorted rewrite, want 0640", st.Mode().Perm())
			}
		})
	}
}

func itoa(i int) string { return string(rune('0' + i)) }

func TestSummary(t *testing.T) {
	var s Summary
	for _, l := range []Line{
		{Status: Created, Attempts: 1}, {Status: Skipped, Reason: AlreadyDone},
		{Status: Invalid, Reason: MissingEmail}, {Status: Invalid, Reason: InvalidEmail},
	} {
		s.Add(&l)
	}
	if s.OK() || s.Count(Invalid, "") != 2 || s.Count(Invalid, MissingEmail) != 1 || s.Requests != 1 {
		t.Fatalf("summary %+v", s)
	}
	var b strings.Builder
	s.Print(&b)
	if !strings.Contains(b.String(), "invalid       2 (invalid_email 1, missing_email 1)") {
		t.Fatalf("printed:\n%s", b.String())
	}
	var ok Summary
	ok.Add(&Line{Status: Skipped, Reason: AlreadyExists})
	ok.Add(&Line{Status: Valid})
	if !ok.OK() {
		t.Fatal("already_exists and valid must exit 0")
	}
}

func TestReadToleratesATornLastLine(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{
		"r.csv":   strings.Join(Header, ",") + "\n1,2,a@x.io,create,created,,201,,p1,https://l,1\n2,3,b@x.io,create,crea",
		"r.jsonl": `{"row":1,"line":2,"email":"a@x.io","action":"create","status":"created","http_status":201,"partner_id":"p1","attempts":1}` + "\n" + `{"row":2,"line":3,"em`,
	} {
		path := filepath.Join(dir, name)
		os.WriteFile(path, []byte(text), 0o600)
		var got []Line
		if err := Read(path, func(l Line) error { got = append(got, l); return nil }); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(got) != 1 || got[0].Row != 1 || got[0].Status != Created || got[0].PartnerID != "p1" || got[0].HTTPStatus != 201 {
			t.Fatalf("%s: %+v", name, got)
		}
	}
	broken := filepath.Join(dir, "broken.csv")
	os.WriteFile(broken, []byte(strings.Join(Header, ",")+"\n1,2,x\n2,3,b@x.io,create,created,,201,,p1,l,1\n"), 0o600)
	if err := Read(broken, func(Line) error { return nil }); err == nil {
		t.Fatal("a bad line in the middle was accepted")
	}
	other := filepath.Join(dir, "other.csv")
	os.WriteFile(other, []byte("email,name\na@x.io,A\n"), 0o600)
	if err := Read(other, func(Line) error { return nil }); err == nil {
		t.Fatal("a file that is not a report was accepted")
	}
}

// The sorted rewrite gives the same file as writing in row order, whether
// it merges a few runs (a dry run's two) or sorts many (an import's).
func TestWriterSortsRuns(t *testing.T) {
	orders := map[string][]int{
		"in order":   {1, 2, 3, 4, 5, 6},
		"two runs":   {1, 3, 4, 6, 2, 5},
		"three runs": {4, 5, 1, 6, 2, 3},
		"many runs":  {40, 39, 38, 37, 36, 35, 34, 33, 32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1},
	}
	write := func(path string, rows []int) string {
		w, err := Create(path, false, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, row := range rows {
			// Lines of different lengths, one with a line break inside quotes.
			l := Line{Row: row, Line: row + 1, Email: strings.Repeat("a", row) + "@x.io", Action: "create", Status: Valid, Message: "x\n" + itoa(row%10)}
			if err := w.Write(&l); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(path)
		return string(b)
	}
	for name, rows := range orders {
		for _, ext := range []string{".csv", ".jsonl"} {
			dir := t.TempDir()
			sorted := slices.Clone(rows)
			slices.Sort(sorted)
			want := write(filepath.Join(dir, "want"+ext), sorted)
			if got := write(filepath.Join(dir, "got"+ext), rows); got != want {
				t.Errorf("%s%s: got\n%s\nwant\n%s", name, ext, got, want)
			}
		}
	}
}

// A note added to a row already written reaches its line when the report
// is closed, in order or not, and leaves the other lines as they were.
func TestWriterAmendsWrittenLines(t *testing.T) {
	for _, name := range []string{"r.csv", "r.jsonl"} {
		for _, order := range [][]int{{1, 2, 3}, {2, 3, 1}} {
			t.Run(fmt.Sprint(name, order), func(t *testing.T) {
				path := filepath.Join(t.TempDir(), name)
				w, err := Create(path, true, nil)
				if err != nil {
					t.Fatal(err)
				}
				for _, row := range order {
					l := Line{Row: row, Line: row + 1, Email: "a@x.io", Action: "create", Status: Created, PartnerID: "p" + itoa(row)}
					if row == 1 {
						l.Message = `found, "after" a lost answer`
					}
					w.Write(&l)
				}
				w.Amend(1, "same id as row 3")
				w.Amend(2, "same id as row 3")
				w.Amend(1, "and row 4")
				if err := w.Close(); err != nil {
					t.Fatal(err)
				}
				var got []string
				if err := Read(path, func(l Line) error { got = append(got, itoa(l.Row)+":"+l.Message+":"+l.PartnerID); return nil }); err != nil {
					t.Fatal(err)
				}
				want := []string{`1:found, "after" a lost answer; same id as row 3; and row 4:p1`, "2:same id as row 3:p2", "3::p3"}
				if !slices.Equal(got, want) {
					t.Fatalf("got %q\nwant %q", got, want)
				}
			})
		}
	}
}

// A sorted rewrite that fails (a full disk has no room for the copy) is
// ErrUnsorted: every line is in the report, in the order written, and the
// report is where it was.
func TestWriterUnsortedWhenTheRewriteFails(t *testing.T) {
	createTemp = func(string, string) (*os.File, error) { return nil, syscall.ENOSPC }
	t.Cleanup(func() { createTemp = os.CreateTemp })
	path := filepath.Join(t.TempDir(), "r.csv")
	w, err := Create(path, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range []int{2, 1} {
		w.Write(&Line{Row: row, Line: row + 1, Email: "a@x.io", Action: "create", Status: Created})
	}
	if err := w.Close(); !errors.Is(err, ErrUnsorted) || !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("Close: %v", err)
	}
	var rows []int
	Read(path, func(l Line) error { rows = append(rows, l.Row); return nil })
	if !slices.Equal(rows, []int{2, 1}) {
		t.Fatalf("rows %v", rows)
	}
}
