package report

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Printable shows what a terminal would act on as escapes, and leaves
// printable text (any script) as it is.
func TestPrintable(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"plain text, ünïcode, 日本, emoji 🙂", "plain text, ünïcode, 日本, emoji 🙂"},
		{"\x1b]0;pwned\x07\x1b[2K\r\x1b[32mALL GOOD\x1b[0m", `\x1b]0;pwned\x07\x1b[2K\r\x1b[32mALL GOOD\x1b[0m`},
		{"evil\u202ecod.exe", `evil\u202ecod.exe`},
		{"nul\x00byte, del\x7f", `nul\x00byte, del\x7f`},
		{"tab\tline\nfeed", `tab\tline\nfeed`},
		{"c1 \u009b31m csi", `c1 \u009b31m csi`},
		{"zero\u200bwidth\ufeffbom\u2028sep\u2066iso", `zero\u200bwidth\ufeffbom\u2028sep\u2066iso`},
		{"bad \xff\xfe utf-8", `bad \xff\xfe utf-8`},
		{`a \x1b already escaped`, `a \x1b already escaped`},
	} {
		got := Printable(c.in)
		if got != c.want {
			t.Errorf("Printable(%q) = %q, want %q", c.in, got, c.want)
		}
		if again := Printable(got); again != got {
			t.Errorf("Printable is not stable on %q: %q", got, again)
		}
	}
}

// A cell that would start a formula gets a quote in front; reading takes
// off exactly the quotes the writer added.
func TestNeutralRoundTrip(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"=HYPERLINK(\"http://evil\",\"id\")", "'=HYPERLINK(\"http://evil\",\"id\")"},
		{"+1", "'+1"}, {"-2", "'-2"}, {"@SUM(A1)", "'@SUM(A1)"}, {"\t=1", "'\t=1"}, {"\r=1", "'\r=1"},
		{"'=1", "''=1"}, {"''+x", "'''+x"},
		{"'quoted", "'quoted"}, {"'", "'"}, {"", ""}, {"p_123", "p_123"}, {"a=b", "a=b"}, {" =1", " =1"},
	} {
		if got := neutral(c.in); got != c.want {
			t.Errorf("neutral(%q) = %q, want %q", c.in, got, c.want)
		}
		if back := fromNeutral(neutral(c.in)); back != c.in {
			t.Errorf("fromNeutral(neutral(%q)) = %q", c.in, back)
		}
	}
}

func FuzzNeutralRoundTrip(f *testing.F) {
	for _, s := range []string{"=1", "'=1", "'", "x", "''@", "-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if back := fromNeutral(neutral(s)); back != s {
			t.Fatalf("%q came back %q", s, back)
		}
		if startsFormula(neutral(s)) && !strings.HasPrefix(neutral(s), "'") {
			t.Fatalf("%q is written as a formula", s)
		}
	})
}

// The CSV report neutralises the cells of text from elsewhere and makes
// every report's text printable; reading the CSV report gives back the
// server's ids and the emails as written.
func TestReportCellsAreSafeAndReadBack(t *testing.T) {
	lines := []Line{
		{Row: 1, Line: 2, Email: "=1+1@x.io", Action: "create", Status: Created, PartnerID: "=HYPERLINK(\"http://evil\",\"p1\")",
			ReferralLink: "@evil", Message: "-oops", Attempts: 1},
		{Row: 2, Line: 3, Email: "'=b@x.io", Action: "create", Status: Created, PartnerID: "+p2", ReferralLink: "https://x.io/?aff=b", Attempts: 1},
		{Row: 3, Line: 4, Email: "c@x.io", Action: "create", Status: Rejected, Reason: BadRequest, HTTPStatus: 400,
			Message: "400 Bad Request: \x1b]0;pwned\x07\x1b[2K\r\x1b[32mALL GOOD\u202e\x00", Attempts: 1},
	}
	for _, name := range []string{"r.csv", "r.jsonl"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), name)
			w, err := Create(path, true, nil)
			if err != nil {
				t.Fatal(err)
			}
			for i := range lines {
				if err := w.Write(&lines[i]); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			b, _ := os.ReadFile(path)
			text := string(b)
			for _, raw := range []string{"\x1b", "\u202e", "\x00", "\x07", "\r"} {
				if strings.Contains(text, raw) {
					t.Errorf("%q is in the report raw:\n%s", raw, text)
				}
			}
			if !strings.Contains(text, `ALL GOOD`) || !strings.Contains(text, `x1b]0;pwned`) || !strings.Contains(text, `u202e`) {
				t.Errorf("the message is not shown:\n%s", text)
			}
			if !IsJSONL(path) {
				for _, cell := range []string{`'=1+1@x.io`, `"'=HYPERLINK(""http://evil"",""p1"")"`, `'@evil`, `'-oops`, `''=b@x.io`, `'+p2`} {
					if !strings.Contains(text, ","+cell+",") {
						t.Errorf("no neutral cell %s in\n%s", cell, text)
					}
				}
			} else if strings.Contains(text, `"'=1`) || strings.Contains(text, `"'=HYPERLINK`) || strings.Contains(text, `"'@`) {
				t.Errorf("the JSON Lines report is neutralised:\n%s", text)
			}
			var got []Line
			if err := Read(path, func(l Line) error { got = append(got, l); return nil }); err != nil {
				t.Fatal(err)
			}
			for i, l := range got[:2] {
				if l != lines[i] {
					t.Errorf("row %d read back as %+v, want %+v", l.Row, l, lines[i])
				}
			}
		})
	}
}
