package input

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/partnero-import/partnero-import/report"
)

// TestAliasesOfEachKind: each kind reads its own names for its fields,
// and a name means what its kind says (partner_email is a partner's own
// email, a customer's partner).
func TestAliasesOfEachKind(t *testing.T) {
	t.Parallel()
	tests := []struct {
		kind   report.Kind
		header string
		field  string
	}{
		{report.Partners, "partner_email", fieldEmail},
		{report.Partners, "partner_id", fieldID},
		{report.Partners, "amount", ""},
		{report.Customers, "key", fieldKey},
		{report.Customers, "Customer Key", fieldKey},
		{report.Customers, "customer_id", fieldKey},
		{report.Customers, "external_id", fieldKey},
		{report.Customers, "Stripe Customer ID", fieldKey},
		{report.Customers, "E-mail", fieldEmail},
		{report.Customers, "First Name", fieldName},
		{report.Customers, "last_name", fieldSurname},
		{report.Customers, "tags", fieldTags},
		{report.Customers, "partner_key", fieldPartnerKey},
		{report.Customers, "affiliate_key", fieldPartnerKey},
		{report.Customers, "ref", fieldPartnerKey},
		{report.Customers, "Referral Key", fieldPartnerKey},
		{report.Customers, "partner_id", fieldPartnerID},
		{report.Customers, "Affiliate ID", fieldPartnerID},
		{report.Customers, "partner_email", fieldPartnerEmail},
		{report.Customers, "affiliate_email", fieldPartnerEmail},
		{report.Customers, "Referrer Email", fieldPartnerEmail},
		{report.Customers, "password", ""},
		{report.Customers, "action", ""},
		{report.Transactions, "key", fieldKey},
		{report.Transactions, "payment_id", fieldKey},
		{report.Transactions, "Charge ID", fieldKey},
		{report.Transactions, "transaction_id", fieldKey},
		{report.Transactions, "sale_id", fieldKey},
		{report.Transactions, "customer_key", fieldCustomerKey},
		{report.Transactions, "Customer ID", fieldCustomerKey},
		{report.Transactions, "customer_email", fieldCustomerEmail},
		{report.Transactions, "email", fieldCustomerEmail},
		{report.Transactions, "amount", fieldAmount},
		{report.Transactions, "Sale Amount", fieldAmount},
		{report.Transactions, "amount_cents", fieldAmountCents},
		{report.Transactions, "currency", fieldCurrency},
		{report.Transactions, "created_at", fieldCreatedAt},
		{report.Transactions, "date", fieldCreatedAt},
		{report.Transactions, "Paid At", fieldCreatedAt},
		{report.Transactions, "action", fieldAction},
		{report.Transactions, "product_id", fieldProductID},
		{report.Transactions, "product_type", fieldProductType},
		{report.Transactions, "reward", fieldReward},
		{report.Transactions, "commission", fieldReward},
		{report.Transactions, "rewarded", fieldRewarded},
		{report.Transactions, "paid", fieldRewarded},
		{report.Transactions, "rewardable", fieldRewardable},
		{report.Transactions, "name", ""},
	}
	for _, tc := range tests {
		m, err := newMapper(Options{Kind: tc.kind})
		if err != nil {
			t.Fatal(err)
		}
		if f, _ := m.field(tc.header); f != tc.field {
			t.Errorf("%s: %q read as %q, want %q", tc.kind, tc.header, f, tc.field)
		}
	}
}

// TestDetectKind tells the kind from headers as exports of the platforms
// people migrate from have them, and from this project's own files.
func TestDetectKind(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		header string
		want   report.Kind
		why    string
	}{
		{"Rewardful referred customers import", "Stripe Customer ID,First Name,Last Name,Email,Affiliate Email", report.Customers, `"Stripe Customer ID" is a customer's key and "Affiliate Email" their partner`},
		{"FirstPromoter referrals", "ID,Email,UID,State,Plan Name,Promoter ID,Promoter Email,Created At", report.Customers, `"UID" is a customer's key`},
		{"Tolt customers", "id,customer_id,email,name,partner_id,created_at", report.Customers, `"customer_id"`},
		{"PartnerStack customers", "Customer Key,Email,Name,Partner Key,Created At", report.Customers, `"Customer Key" is a customer's key and "Partner Key" their partner`},
		{"our own customers", "key,email,name,surname,tags,partner_key", report.Customers, `"partner_key" their partner`},
		{"FirstPromoter commissions", "ID,Status,Amount,Sale Amount,Is Paid,Referral Email,Promoter Email,Created At", report.Transactions, `column "Amount" is a transaction's amount`},
		{"Rewardful commissions", "ID,Currency,Amount,Sale Amount,State,Affiliate Email,Customer Email,Paid At", report.Transactions, `"Amount"`},
		{"Tolt transactions", "id,customer_id,amount,currency,commission,created_at", report.Transactions, `"amount"`},
		{"PartnerStack transactions", "Transaction Key,Customer Key,Amount Cents,Currency,Product Key,Created At", report.Transactions, `"Amount Cents" is a transaction's amount_cents`},
		{"a reward only", "key,customer_email,reward", report.Transactions, `"reward"`},
		{"our own partners", "email,name,surname,id,key,password,tags,referring_partner_id,action", report.Partners, "no column of an amount"},
		{"messy partners", "E-mail;First Name;Last Name;Partner ID;Key;Password;Tags;Referrer ID;Referring partner email;Action;Notes", report.Partners, `column "Password" is a partner's, though "Key" and "Partner ID" could be a customer's key and partner`},
		{"a key and a partner id", "key,email,partner_id", report.Customers, `"key" is a customer's key and "partner_id" their partner`},
		{"Rewardful affiliates", "Affiliate ID,First name,Last name,Email,Token,Affiliate link,Campaign,State,Created at,PayPal email", report.Partners, ""},
		{"no header", "", report.Partners, ""},
		{"sales with a mistyped amount", "key,email,ammount,currency,created_at", report.Transactions, `column "ammount" looks like a mistyped amount`},
		{"sales without an amount", "key,customer_key,total,currency", report.Transactions, `column "currency" is a transaction's currency`},
		{"customers without a partner", "customer_key,email,name", report.Customers, `column "customer_key" is a customer's key`},
		{"JSON Lines customers, a nested partner", "key,email,partner", report.Customers, `"key" is a customer's key and "partner" their partner`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sep := ","
			if strings.Contains(tc.header, ";") {
				sep = ";"
			}
			kind, why := DetectKind(strings.Split(tc.header, sep))
			if kind != tc.want || !strings.Contains(why, tc.why) {
				t.Errorf("DetectKind = %s (%s), want %s (%s)", kind, why, tc.want, tc.why)
			}
		})
	}
}

// TestPartnersSamplesStayPartners: every partners file the project ships
// or tests with is told to be partners.
func TestPartnersSamplesStayPartners(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob("../../samples/*.csv")
	more, _ := filepath.Glob("../../samples/presets/*.csv")
	files = append(files, more...)
	if len(files) < 5 {
		t.Fatalf("only %d sample files found", len(files))
	}
	for _, path := range files {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		rd, err := Open(bytes.NewReader(b), Options{Format: CSV})
		if err != nil && !strings.Contains(err.Error(), "looks like") {
			t.Fatalf("%s: %v", path, err)
		}
		var headers []string
		if rd != nil {
			headers = headersOf(rd.Columns())
		}
		if kind, why := DetectKind(headers); kind != report.Partners {
			t.Errorf("%s is told to be %s: %s", path, kind, why)
		}
	}
}

// records reads a whole file of a kind, failing the test on a fatal error.
func records(t *testing.T, r io.Reader, opts Options) []*Record {
	t.Helper()
	rd, err := Open(r, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	var recs []*Record
	for {
		rec, err := rd.Next()
		if err == io.EOF {
			return recs
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		recs = append(recs, rec)
	}
}

// The rows every format of the kind's test below holds.
var (
	wantCustomers = []Fields{
		{Key: "cus_1", Email: "c1@y.io", Name: "Cleo", Surname: "Park", Tags: []string{"vip", "eu"}, PartnerKey: "annkey"},
		{Key: "2001", PartnerEmail: "ann@x.io", PartnerID: "17"},
	}
	wantTransactions = []Fields{
		{Key: "ch_1", CustomerKey: "cus_1", Amount: "99.90", Currency: "EUR", CreatedAt: "2024-03-01", TxAction: "sale",
			ProductID: "pro", ProductType: "plan", Reward: "9.99", Rewarded: "true", Rewardable: "true"},
		{Key: "ch_2", CustomerEmail: "c2@y.io", AmountCents: "1000", Currency: "JPY", CreatedAt: "1709251200"},
	}
)

// TestReadersOfEachKind reads customers and transactions from CSV, JSON
// Lines (nested references included) and XLSX: the same fields each way;
// a transaction's action is its own, not a partner's create or invite.
func TestReadersOfEachKind(t *testing.T) {
	t.Parallel()
	customersCSV := "customer_id,email,first_name,last_name,tags,affiliate_key,affiliate_id,affiliate_email\n" +
		"cus_1,c1@y.io,Cleo,Park,\"vip,eu\",annkey,,\n" +
		"2001,,,,,,17,ann@x.io\n"
	transactionsCSV := "payment_id,customer_key,customer_email,amount,amount_cents,currency,date,action,product_id,product_type,commission,paid,rewardable\n" +
		"ch_1,cus_1,,99.90,,EUR,2024-03-01,sale,pro,plan,9.99,true,true\n" +
		"ch_2,,c2@y.io,,1000,JPY,1709251200,,,,,,\n"
	tests := []struct {
		name string
		kind report.Kind
		open func() (io.Reader, string)
		want []Fields
	}{
		{"customers csv", report.Customers, func() (io.Reader, string) { return strings.NewReader(customersCSV), CSV }, wantCustomers},
		{"customers jsonl", report.Customers, func() (io.Reader, string) {
			return strings.NewReader(`{"key":"cus_1","email":"c1@y.io","name":"Cleo","surname":"Park","tags":["vip","eu"],"partner":{"key":"annkey"}}
{"customer_id":2001,"partner":{"email":"ann@x.io","id":17}}
`), JSONL
		}, wantCustomers},
		{"customers jsonl flat", report.Customers, func() (io.Reader, string) {
			return strings.NewReader(`{"key":"cus_1","email":"c1@y.io","name":"Cleo","surname":"Park","tags":"vip|eu","partner_key":"annkey"}
{"key":"2001","partner_email":"ann@x.io","affiliate_id":"17"}
`), JSONL
		}, wantCustomers},
		{"customers xlsx", report.Customers, func() (io.Reader, string) {
			return bytes.NewReader(workbook(t, map[string][][]any{"Customers": csvRows(customersCSV)}, "")), XLSX
		}, wantCustomers},
		{"transactions csv", report.Transactions, func() (io.Reader, string) { return strings.NewReader(transactionsCSV), CSV }, wantTransactions},
		{"transactions jsonl", report.Transactions, func() (io.Reader, string) {
			return strings.NewReader(`{"key":"ch_1","customer":{"key":"cus_1"},"amount":99.90,"currency":"EUR","created_at":"2024-03-01","action":"sale","product_id":"pro","product_type":"plan","reward":"9.99","rewarded":"true","rewardable":"true"}
{"charge_id":"ch_2","customer":{"email":"c2@y.io"},"amount_cents":1000,"currency":"JPY","created_at":1709251200}
`), JSONL
		}, wantTransactions},
		{"transactions xlsx", report.Transactions, func() (io.Reader, string) {
			return bytes.NewReader(workbook(t, map[string][][]any{"Sales": csvRows(transactionsCSV)}, "")), XLSX
		}, wantTransactions},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, format := tc.open()
			recs := records(t, r, Options{Format: format, Kind: tc.kind, Guard: true})
			if len(recs) != len(tc.want) {
				t.Fatalf("%d records, want %d", len(recs), len(tc.want))
			}
			for i, rec := range recs {
				if rec.Err != nil {
					t.Errorf("row %d: %v", rec.Row, rec.Err)
				}
				if !fieldsEqual(rec.Fields, tc.want[i]) {
					t.Errorf("row %d:\n got %+v\nwant %+v", rec.Row, rec.Fields, tc.want[i])
				}
			}
		})
	}
}

func fieldsEqual(a, b Fields) bool { return reflect.DeepEqual(a, b) }

// csvRows is a small CSV text (no quoted commas beyond one tags cell) as
// a sheet's rows.
func csvRows(text string) [][]any {
	var rows [][]any
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		var row []any
		for _, cell := range splitCSVLine(line) {
			row = append(row, cell)
		}
		rows = append(rows, row)
	}
	return rows
}

func splitCSVLine(line string) []string {
	var cells []string
	var cell strings.Builder
	quoted := false
	for _, r := range line {
		switch {
		case r == '"':
			quoted = !quoted
		case r == ',' && !quoted:
			cells = append(cells, cell.String())
			cell.Reset()
		default:
			cell.WriteRune(r)
		}
	}
	return append(cells, cell.String())
}

// TestJSONLNestedReferenceProblems: a nested reference and a top-level
// column of the same field, an unknown key in it, or a value that is not an
// object make the row invalid_row, naming the key.
func TestJSONLNestedReferenceProblems(t *testing.T) {
	t.Parallel()
	tests := []struct {
		kind report.Kind
		line string
		err  string
	}{
		{report.Customers, `{"key":"c","partner_key":"a","partner":{"key":"b"}}`, `keys "partner" and "partner_key" both give partner_key`},
		{report.Customers, `{"key":"c","partner":{"key":"b","code":"x"}}`, `partner: unknown key "code" (expected key, id or email)`},
		{report.Customers, `{"key":"c","partner":"annkey"}`, `partner: expected an object {"key", "id", "email"}`},
		{report.Transactions, `{"key":"t","amount":"1","customer":{"id":"9"}}`, `customer: unknown key "id" (expected key or email)`},
		{report.Transactions, `{"key":"t","amount":"1","customer":{"email":"a@x.io"},"email":"b@x.io"}`, `keys "customer" and "email" both give customer_email`},
		{report.Partners, `{"email":"a@x.io","referring_partner":"x"}`, `referring_partner: expected an object {"id", "key", "email"}`},
	}
	for _, tc := range tests {
		recs := records(t, strings.NewReader(tc.line+"\n"), Options{Format: JSONL, Kind: tc.kind})
		if len(recs) != 1 || recs[0].Err == nil || recs[0].Err.Error() != tc.err {
			t.Errorf("%s %s: got %v, want %s", tc.kind, tc.line, recs[0].Err, tc.err)
		}
	}
}

// TestFileOfAnotherKindFailsClosed: a file read as a kind it is not stops
// before any row, saying what is missing and which kind it looks like;
// a file of the kind needs no email column unless it is partners.
func TestFileOfAnotherKindFailsClosed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		kind   report.Kind
		header string
		want   []string // in the error, in order; nil: no error
		is     error
	}{
		{"transactions as customers", report.Customers, "key,customer_email,amount,currency",
			[]string{"no partner_key, partner_id or partner_email column", "looks like transactions", "give --kind transactions"}, ErrMissingColumn},
		{"transactions as partners", "", "payment_id,customer_email,amount",
			[]string{"no email column", "give --kind transactions"}, ErrNoEmailColumn},
		{"customers as transactions", report.Transactions, "customer_id,email,affiliate_email",
			[]string{"no amount, amount_cents or reward column", "looks like customers", "give --kind customers"}, ErrMissingColumn},
		{"partners as customers", report.Customers, "email,name,surname,id,key,password,referring_partner_id",
			[]string{"no partner_key, partner_id or partner_email column (read from partner_key, partner_id, partner_email", "looks like partners", "give --kind partners"}, ErrMissingColumn},
		{"partners as transactions", report.Transactions, "email,name,key",
			[]string{"no amount, amount_cents or reward column (read from amount, amount_cents, reward, ", "give --kind partners"}, ErrMissingColumn},
		{"a transaction key twice as customers", report.Customers, "key,customer_key,amount",
			[]string{`columns "key" and "customer_key" both map to key`, "give --kind transactions"}, nil},
		{"customers without email", report.Customers, "key,partner_key", nil, nil},
		{"transactions without email", report.Transactions, "key,customer_key,amount_cents", nil, nil},
		{"transactions with a reward only", report.Transactions, "key,customer_key,reward", nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Open(strings.NewReader(tc.header+"\n"), Options{Format: CSV, Kind: tc.kind, Guard: true})
			if tc.want == nil {
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("the file was opened")
			}
			at := 0
			for _, w := range tc.want {
				i := strings.Index(err.Error()[at:], w)
				if i < 0 {
					t.Fatalf("error %q lacks %q (after byte %d)", err, w, at)
				}
				at += i
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %q is not %v", err, tc.is)
			}
		})
	}
}

// TestGuardOfEachKind: partners' export recognition and presets do not
// judge customers' and transactions' headers, but a near miss of the
// kind's own fields still stops the run, and is named when the column it
// misses is a required one even unguarded.
func TestGuardOfEachKind(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		kind    report.Kind
		guarded bool
		header  string
		want    string // "" for none
	}{
		{"a Rewardful-like header is partners' export", "", true, "Email,Affiliate ID,Token,Campaign", "this looks like Rewardful's affiliate export"},
		{"the same columns of customers", report.Customers, true, "Customer ID,Email,Affiliate ID,Token,Campaign", ""},
		{"FirstPromoter's columns of customers", report.Customers, true, "uid,email,promoter_id,ref_id,temp_password,balance", ""},
		{"transactions with partner-like columns", report.Transactions, true, "key,customer_key,amount,affiliate_id,partner_id,status", ""},
		{"ammount", report.Transactions, true, "key,customer_key,ammount",
			`column "ammount" is not a known field: did you mean amount? map it with --map amount=ammount`},
		{"custmer_key", report.Transactions, true, "key,custmer_key,amount",
			`column "custmer_key" is not a known field: did you mean customer_key?`},
		{"partnr_email", report.Customers, true, "key,partnr_email", `did you mean partner_email?`},
		{"custmer_key unguarded", report.Transactions, false, "key,custmer_key,amount",
			`no customer_key or customer_email column (read from customer_key, customer_email, customer_e_mail, customer_external_id, customer_id, customer_uid, ...); column "custmer_key" is probably customer_key: give --map customer_key=custmer_key`},
		{"a preset of customers", report.Customers, true, "key,partner_key", "--preset rewardful reads an export of partners, not of customers"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			opts := Options{Format: CSV, Kind: tc.kind, Guard: tc.guarded}
			if strings.HasPrefix(tc.name, "a preset") {
				opts.Preset = "rewardful"
			}
			err := readToEnd(tc.header+"\nx,y,z,w,v,u\n", opts)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("stopped: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("got %v, want %s", err, tc.want)
			}
		})
	}
}

// TestMapTakesTheKindsFields: --map names any kind's field, and the file's
// kind must have it.
func TestMapTakesTheKindsFields(t *testing.T) {
	t.Parallel()
	m, err := ParseMap("amount=Total,customer_key=Buyer")
	if err != nil {
		t.Fatal(err)
	}
	recs := records(t, strings.NewReader("key,Buyer,Total\nch_1,cus_1,5\n"), Options{Format: CSV, Kind: report.Transactions, Map: m})
	if f := recs[0].Fields; f.Amount != "5" || f.CustomerKey != "cus_1" {
		t.Errorf("mapped fields: %+v", f)
	}
	_, err = Open(strings.NewReader("key,Buyer,Total\n"), Options{Format: CSV, Kind: report.Customers, Map: m})
	if err == nil || !strings.Contains(err.Error(), "--map amount=Total: amount is not a field of customers (their fields: key, email") {
		t.Errorf("a transactions field for customers: %v", err)
	}
	if _, err := ParseMap("amonut=Total"); err == nil || !strings.Contains(err.Error(), "customers: key, email, name") {
		t.Errorf("an unknown field: %v", err)
	}
}
