package report

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestHeaderOfIsTheContracts(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		kind Kind
		want string
	}{
		{"", "row,line,email,action,status,reason,http_status,message,partner_id,referral_link,attempts"},
		{Partners, "row,line,email,action,status,reason,http_status,message,partner_id,referral_link,attempts"},
		{Customers, "row,line,key,email,partner,action,status,reason,http_status,message,attempts"},
		{Transactions, "row,line,key,customer,amount,currency,action,status,reason,http_status,message,attempts"},
	} {
		if got := strings.Join(HeaderOf(tc.kind), ","); got != tc.want {
			t.Errorf("HeaderOf(%q) = %s, want %s", tc.kind, got, tc.want)
		}
	}
}

func TestParseKind(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"partners", "customers", "transactions"} {
		if k, err := ParseKind(s); err != nil || string(k) != s {
			t.Errorf("ParseKind(%q) = %q, %v", s, k, err)
		}
	}
	if _, err := ParseKind("sales"); err == nil || !strings.Contains(err.Error(), "partners, customers or transactions") {
		t.Errorf("ParseKind(sales): %v", err)
	}
}

// kindLines are lines of each kind as a run writes them, out of row order,
// with a cell a spreadsheet would run and a message quoting a cell.
var kindLines = map[Kind][]Line{
	Partners: {
		{Row: 2, Line: 3, Email: "b@x.io", Action: "create", Status: Rejected, Reason: EmailExists, HTTPStatus: 422, Message: "Email already exists", Attempts: 1},
		{Row: 1, Line: 2, Email: "a@x.io", Action: "create", Status: Created, HTTPStatus: 201, PartnerID: "=1+1", ReferralLink: "https://x.io/?ref=a", Attempts: 1},
	},
	Customers: {
		{Row: 2, Line: 3, Key: "cus_2", Email: "", Partner: "ann@x.io", Action: "create", Status: Rejected, Reason: PartnerNotFound, HTTPStatus: 400, Message: "Invalid partner key", Attempts: 1},
		{Row: 1, Line: 2, Key: "=cus_1", Email: "c@y.io", Partner: "annkey", Action: "create", Status: Created, HTTPStatus: 201, Attempts: 1},
		{Row: 3, Line: 5, Key: "cus_3", Partner: "gone", Action: "create", Status: Skipped, Reason: PartnerFailed, Message: "its partner, row 4 of partners.csv, was rejected"},
	},
	Transactions: {
		{Row: 1, Line: 2, Key: "ch_1", Customer: "cus_1", Amount: "99.90", Currency: "EUR", Action: "sale", Status: Created, HTTPStatus: 201, Attempts: 1},
		{Row: 3, Line: 4, Key: "ch_3", Customer: "cus_9", Amount: "-5", Currency: "usd", Action: "sale", Status: Invalid, Reason: InvalidAmount, Message: "amount: negative"},
		{Row: 2, Line: 3, Key: "ch_2", Customer: "cus_2", Amount: "1000", Currency: "JPY", Action: "sale", Status: Skipped, Reason: CustomerFailed},
	},
}

// kindFiles are the reports kindLines make, sorted by row.
var kindFiles = map[string]string{
	"partners.csv": "row,line,email,action,status,reason,http_status,message,partner_id,referral_link,attempts\n" +
		"1,2,a@x.io,create,created,,201,,'=1+1,https://x.io/?ref=a,1\n" +
		"2,3,b@x.io,create,rejected,email_exists,422,Email already exists,,,1\n",
	"customers.csv": "row,line,key,email,partner,action,status,reason,http_status,message,attempts\n" +
		"1,2,'=cus_1,c@y.io,annkey,create,created,,201,,1\n" +
		"2,3,cus_2,,ann@x.io,create,rejected,partner_not_found,400,Invalid partner key,1\n" +
		"3,5,cus_3,,gone,create,skipped,partner_failed,,\"its partner, row 4 of partners.csv, was rejected\",0\n",
	"transactions.csv": "row,line,key,customer,amount,currency,action,status,reason,http_status,message,attempts\n" +
		"1,2,ch_1,cus_1,99.90,EUR,sale,created,,201,,1\n" +
		"2,3,ch_2,cus_2,1000,JPY,sale,skipped,customer_failed,,,0\n" +
		"3,4,ch_3,cus_9,'-5,usd,sale,invalid,invalid_amount,,amount: negative,0\n",
	"partners.jsonl": `{"row":1,"line":2,"email":"a@x.io","action":"create","status":"created","reason":"","http_status":201,"message":"","partner_id":"=1+1","referral_link":"https://x.io/?ref=a","attempts":1}
{"row":2,"line":3,"email":"b@x.io","action":"create","status":"rejected","reason":"email_exists","http_status":422,"message":"Email already exists","partner_id":"","referral_link":"","attempts":1}
`,
	"customers.jsonl": `{"row":1,"line":2,"key":"=cus_1","email":"c@y.io","partner":"annkey","action":"create","status":"created","reason":"","http_status":201,"message":"","attempts":1}
{"row":2,"line":3,"key":"cus_2","email":"","partner":"ann@x.io","action":"create","status":"rejected","reason":"partner_not_found","http_status":400,"message":"Invalid partner key","attempts":1}
{"row":3,"line":5,"key":"cus_3","email":"","partner":"gone","action":"create","status":"skipped","reason":"partner_failed","http_status":0,"message":"its partner, row 4 of partners.csv, was rejected","attempts":0}
`,
	"transactions.jsonl": `{"row":1,"line":2,"key":"ch_1","customer":"cus_1","amount":"99.90","currency":"EUR","action":"sale","status":"created","reason":"","http_status":201,"message":"","attempts":1}
{"row":2,"line":3,"key":"ch_2","customer":"cus_2","amount":"1000","currency":"JPY","action":"sale","status":"skipped","reason":"customer_failed","http_status":0,"message":"","attempts":0}
{"row":3,"line":4,"key":"ch_3","customer":"cus_9","amount":"-5","currency":"usd","action":"sale","status":"invalid","reason":"invalid_amount","http_status":0,"message":"amount: negative","attempts":0}
`,
}

// TestReportOfEachKindRoundTrips writes each kind's report in both
// formats, compares the file with the contract's columns, and reads it
// back: the same lines, and the kind told from the file alone.
func TestReportOfEachKindRoundTrips(t *testing.T) {
	t.Parallel()
	for _, kind := range Kinds {
		for _, ext := range []string{".csv", ".jsonl"} {
			name := string(kind) + ext
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				path := filepath.Join(t.TempDir(), name)
				w, err := Create(path, true, &Provenance{Tool: "partnero-import", Command: "import", Destination: "none", Kind: kind})
				if err != nil {
					t.Fatal(err)
				}
				if w.Kind() != kind {
					t.Errorf("writer kind %q, want %q", w.Kind(), kind)
				}
				for _, l := range kindLines[kind] {
					if err := w.Write(&l); err != nil {
						t.Fatal(err)
					}
				}
				if err := w.Close(); err != nil {
					t.Fatal(err)
				}
				b, _ := os.ReadFile(path)
				if string(b) != kindFiles[name] {
					t.Fatalf("got\n%s\nwant\n%s", b, kindFiles[name])
				}
				var got []Line
				if err := Read(path, func(l Line) error { got = append(got, l); return nil }); err != nil {
					t.Fatal(err)
				}
				want := slices.Clone(kindLines[kind])
				slices.SortFunc(want, func(a, b Line) int { return a.Row - b.Row })
				if !slices.Equal(got, want) {
					t.Errorf("read back\n%+v\nwant\n%+v", got, want)
				}
				// The kind from the file alone, without its provenance.
				os.Remove(ProvenancePath(path))
				if k, err := KindOf(path); err != nil || k != kind {
					t.Errorf("KindOf = %q, %v; want %q", k, err, kind)
				}
				if !IsReport(path) {
					t.Error("IsReport is false")
				}
			})
		}
	}
}

// TestProvenanceKind: a partners provenance has no kind (as before kinds),
// the others name theirs, and a provenance without one reads as partners.
func TestProvenanceKind(t *testing.T) {
	t.Parallel()
	for _, kind := range []Kind{"", Partners, Customers, Transactions} {
		path := filepath.Join(t.TempDir(), "r.csv")
		w, err := Create(path, true, &Provenance{Tool: "partnero-import", Command: "validate", Destination: "none", Kind: kind})
		if err != nil {
			t.Fatal(err)
		}
		w.Close()
		b, _ := os.ReadFile(ProvenancePath(path))
		named := strings.Contains(string(b), `"kind"`)
		if wantNamed := kind == Customers || kind == Transactions; named != wantNamed {
			t.Errorf("kind %q: provenance names a kind: %v, want %v\n%s", kind, named, wantNamed, b)
		}
		p, err := ReadProvenance(path)
		if err != nil || p.Kind.OrDefault() != kind.OrDefault() {
			t.Errorf("kind %q: provenance read as %q, %v", kind, p.Kind, err)
		}
		if k, _ := KindOf(path); k != kind.OrDefault() {
			t.Errorf("kind %q: KindOf %q", kind, k)
		}
	}
}

// TestAmendKeepsTheKindsColumns: a note added after a line was written
// goes in at the sorted rewrite, the line keeping its kind's columns.
func TestAmendKeepsTheKindsColumns(t *testing.T) {
	t.Parallel()
	for _, ext := range []string{".csv", ".jsonl"} {
		path := filepath.Join(t.TempDir(), "t"+ext)
		w, err := Create(path, true, &Provenance{Destination: "none", Kind: Transactions})
		if err != nil {
			t.Fatal(err)
		}
		l := kindLines[Transactions][0]
		w.Write(&l)
		w.Amend(1, "looked up after a lost answer")
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		var got []Line
		if err := Read(path, func(l Line) error { got = append(got, l); return nil }); err != nil {
			t.Fatal(err)
		}
		want := l
		want.Message = "looked up after a lost answer"
		if len(got) != 1 || got[0] != want {
			t.Errorf("%s: read %+v, want %+v", ext, got, want)
		}
	}
}

// TestReadRefusesAnotherHeader: a CSV whose header is no kind's report,
// even one column off, is not read.
func TestReadRefusesAnotherHeader(t *testing.T) {
	t.Parallel()
	for _, header := range []string{
		"row,line,key,email,partner,action,status,reason,http_status,message",
		"row,line,key,customer,amount,action,status,reason,http_status,message,attempts",
		"key,email,partner",
	} {
		path := filepath.Join(t.TempDir(), "r.csv")
		os.WriteFile(path, []byte(header+"\n"), 0o600)
		err := Read(path, func(Line) error { return nil })
		if err == nil || !strings.Contains(err.Error(), "header differs") {
			t.Errorf("%s: %v", header, err)
		}
		if _, err := KindOf(path); err == nil {
			t.Errorf("%s: KindOf told a kind", header)
		}
	}
}

// TestReadTornLineOfEachKind: the last line a killed run tore is left
// out; a line of another kind's width before it is an error.
func TestReadTornLineOfEachKind(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "c.csv")
	body := strings.Join(customersHeader, ",") + "\n1,2,k1,a@x.io,p,create,created,,201,,1\n2,3,k2,b@x"
	os.WriteFile(path, []byte(body), 0o600)
	n := 0
	if err := Read(path, func(Line) error { n++; return nil }); err != nil || n != 1 {
		t.Errorf("torn last line: %d lines, %v", n, err)
	}
	os.WriteFile(path, []byte(strings.Join(customersHeader, ",")+"\n1,2,a@x.io,create,created,,201,,p1,,1,x,y\n2,3,k2,b@x.io,p,create,created,,201,,1\n"), 0o600)
	if err := Read(path, func(Line) error { return nil }); err == nil || !strings.Contains(err.Error(), "report line 2") {
		t.Errorf("a line of another width: %v", err)
	}
}
