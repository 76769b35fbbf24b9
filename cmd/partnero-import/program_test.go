package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/partnero-import/partnero-import/importer/sandbox"
)

// programFiles writes a small program in three files: two partners and
// one invalid, their customers (one of the invalid partner, one of a
// partner nowhere), and sales in three currencies, with a comma decimal
// mark and amount_cents.
func programFiles(t *testing.T) (dir string, files []string) {
	t.Helper()
	dir = t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	return dir, []string{
		// Given in no useful order: the run takes partners first.
		write("sales.csv", "key,customer_key,amount,amount_cents,currency,created_at\n"+
			"t1,c1,99.90,,EUR,2025-03-01\n"+
			"t2,c1,\"12,50\",,EUR,2025-03-02 10:00:00\n"+
			"t3,c2,1500,,JPY,1740787200\n"+
			"t4,c3,10.00,,USD,2025-05-01\n"+
			"t5,c2,,1234,KWD,2025-06-01\n"+
			"t6,c4,5.00,,USD,2025-05-02\n"),
		write("clients.csv", "customer_key,email,name,partner_key\n"+
			"c1,c1@y.io,Cat,ann\n"+
			"c2,c2@y.io,Dan,bob\n"+
			"c3,c3@y.io,Eve,cy\n"+
			"c4,,Fay,nobody\n"),
		write("affiliates.csv", "email,name,key,id\n"+
			"ann@x.io,Ann,ann,p1\n"+
			"bob@x.io,Bob,bob,p2\n"+
			"not-an-email,Cy,cy,p3\n"),
	}
}

// reportByColumn reads a CSV report as its header's columns, by row.
func reportByColumn(t *testing.T, path string) []map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var rows []map[string]string
	for _, l := range lines[1:] {
		row := map[string]string{}
		for i, h := range lines[0] {
			row[h] = l[i]
		}
		rows = append(rows, row)
	}
	return rows
}

// A whole program in one run of three files: partners first, then their
// customers, then the sales, each file with its report beside it; a
// customer of a partner that failed, and the sales of customers that
// failed, are skipped without a request; money goes exactly, in major units.
// A second run of the sales stores no key twice.
func TestMigrationOfAWholeProgram(t *testing.T) {
	t.Parallel()
	sb, base := startSandbox(t, sandbox.Options{})
	env := map[string]string{"PARTNERO_API_KEY": "k", "PARTNERO_BASE_URL": base}
	dir, files := programFiles(t)
	r := runCLI(t, env, "", append([]string{"import", "--no-progress", "--rate", "0", "--summary-json", filepath.Join(dir, "s.json")}, files...)...)
	if r.code != exitRowsFailed {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if i, j := strings.Index(r.stderr, "affiliates.csv:\n"), strings.Index(r.stderr, "clients.csv:\n"); i < 0 || j < i || !strings.Contains(r.stderr, "sales.csv: transactions") {
		t.Fatalf("not run partners first, or the kinds not said:\n%s", r.stderr)
	}
	want := map[string][]string{
		"affiliates.report.csv": {"created/", "created/", "invalid/invalid_email"},
		"clients.report.csv":    {"created/", "created/", "skipped/partner_failed", "rejected/partner_not_found"},
		"sales.report.csv":      {"created/", "created/", "created/", "skipped/customer_failed", "created/", "skipped/customer_failed"},
	}
	for name, statuses := range want {
		var got []string
		for _, row := range reportByColumn(t, filepath.Join(dir, name)) {
			got = append(got, row["status"]+"/"+row["reason"])
		}
		if !slices.Equal(got, statuses) {
			t.Errorf("%s: %q, want %q", name, got, statuses)
		}
	}
	if m := reportByColumn(t, filepath.Join(dir, "clients.report.csv"))[2]["message"]; !strings.Contains(m, "its partner (cy) is a row of "+files[2]) {
		t.Errorf("a customer of a failed partner: %q", m)
	}
	sales := reportByColumn(t, filepath.Join(dir, "sales.report.csv"))
	if sales[1]["amount"] != "12.50" || sales[4]["amount"] != "1.234" || sales[4]["currency"] != "KWD" {
		t.Errorf("amounts on the report: %v", sales)
	}
	stored := map[string]sandbox.Transaction{}
	for _, tx := range sb.Transactions() {
		if _, twice := stored[tx.Key]; twice {
			t.Errorf("transaction %s stored twice", tx.Key)
		}
		stored[tx.Key] = tx
	}
	if len(stored) != 4 || stored["t1"].Amount != "99.90" || stored["t2"].Amount != "12.50" || stored["t3"].Amount != "1500" ||
		stored["t5"].Amount != "1.234" || stored["t5"].Units != "KWD" || stored["t3"].CreatedAt.Unix() != 1740787200 {
		t.Fatalf("stored: %+v", stored)
	}
	customers := map[string]string{}
	for _, c := range sb.Customers() {
		customers[c.Key] = c.Partner
	}
	if len(customers) != 2 || customers["c1"] != "p1" || customers["c2"] != "p2" {
		t.Fatalf("customers stored, by their partner: %v", customers)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "s.json")); !strings.Contains(string(b), `"files": [`) || !strings.Contains(string(b), `"kind": "transactions"`) {
		t.Errorf("summary: %s", b)
	} else {
		// The run's top level is its files' totals, each file's time its own.
		var sum struct {
			Rows, Requests int
			Counts         map[string]map[string]int
			Elapsed        float64 `json:"elapsed_seconds"`
			Files          []struct {
				Rows, Requests int
				Counts         map[string]map[string]int
				Elapsed        float64 `json:"elapsed_seconds"`
			}
		}
		if err := json.Unmarshal(b, &sum); err != nil {
			t.Fatal(err)
		}
		rows, requests, created, elapsed := 0, 0, 0, 0.0
		for _, f := range sum.Files {
			rows, requests, created, elapsed = rows+f.Rows, requests+f.Requests, created+f.Counts["created"]["total"], elapsed+f.Elapsed
		}
		if len(sum.Files) < 2 || sum.Rows != rows || sum.Requests != requests || requests == 0 ||
			sum.Counts["created"]["total"] != created || created == 0 || sum.Elapsed != elapsed {
			t.Errorf("the run's totals are not its files': %s", b)
		}
	}

	// The sales again, alone: every key is there, nothing is sent twice.
	r = runCLI(t, env, "", "import", "--no-progress", "--rate", "0", "--report", filepath.Join(dir, "again.csv"), files[0])
	if r.code != exitRowsFailed || !strings.Contains(r.stderr, "reading "+files[0]+" as transactions") {
		t.Fatalf("again: exit %d\n%s", r.code, r.stderr)
	}
	var again []string
	for _, row := range reportByColumn(t, filepath.Join(dir, "again.csv")) {
		again = append(again, row["status"]+"/"+row["reason"])
		// A sale the first run stored is found, not sent.
		if _, ok := stored[row["key"]]; ok && (!strings.Contains(row["message"], "already in Partnero") || row["attempts"] != "0") {
			t.Errorf("row %s of a stored sale: %v", row["row"], row)
		}
	}
	if want := []string{"skipped/already_exists", "skipped/already_exists", "skipped/already_exists", "rejected/customer_not_found",
		"skipped/already_exists", "rejected/customer_not_found"}; !slices.Equal(again, want) {
		t.Errorf("again: %q, want %q", again, want)
	}
	if n := len(sb.Transactions()); n != 4 {
		t.Fatalf("the sandbox holds %d transactions after the second run", n)
	}
}

// validate of the same three files says what the import would: the
// customer of the invalid partner and that customer's sale skipped.
func TestValidateOfAWholeProgram(t *testing.T) {
	t.Parallel()
	dir, files := programFiles(t)
	r := runCLI(t, nil, "", append([]string{"validate", "--no-progress"}, files...)...)
	if r.code != exitRowsFailed {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	clients := reportByColumn(t, filepath.Join(dir, "clients.validate.csv"))
	sales := reportByColumn(t, filepath.Join(dir, "sales.validate.csv"))
	if clients[2]["reason"] != "partner_failed" || clients[3]["status"] != "valid" || sales[3]["reason"] != "customer_failed" || sales[0]["status"] != "valid" {
		t.Fatalf("clients %v\nsales %v", clients, sales)
	}
}

// The sample program (samples/partners.csv, customers.csv,
// transactions.csv) rehearses as the README says: every partner, customer
// and sale goes in, but for the rows there to show the checks, each with
// its reason.
func TestSampleProgram(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var files []string
	for _, name := range []string{"transactions.csv", "customers.csv", "partners.csv"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "samples", name))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, filepath.Join(dir, name))
		os.WriteFile(files[len(files)-1], b, 0o600)
	}
	r := runCLI(t, nil, "", append([]string{"import", "--sandbox", "--no-progress"}, files...)...)
	if r.code != exitRowsFailed {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	want := map[string]map[string]int{
		"partners.sandbox.report.csv":     {"created/": 33, "invited/": 3},
		"customers.sandbox.report.csv":    {"created/": 32, "invalid/invalid_email": 1, "rejected/partner_not_found": 1},
		"transactions.sandbox.report.csv": {"created/": 144, "invalid/duplicate_key_in_file": 1, "invalid/invalid_amount": 1, "invalid/invalid_date": 1, "skipped/customer_failed": 2},
	}
	for name, counts := range want {
		got := map[string]int{}
		for _, row := range reportByColumn(t, filepath.Join(dir, name)) {
			got[row["status"]+"/"+row["reason"]]++
		}
		if !maps.Equal(got, counts) {
			t.Errorf("%s: %v, want %v", name, got, counts)
		}
	}
	// Both currencies, the comma marks read as decimal marks.
	amounts := map[string]bool{}
	for _, row := range reportByColumn(t, filepath.Join(dir, "transactions.sandbox.report.csv")) {
		if row["status"] == "created" {
			amounts[row["amount"]+" "+row["currency"]] = true
		}
	}
	if !amounts["49.90 EUR"] || !amounts["19.00 USD"] {
		t.Errorf("amounts: %v", amounts)
	}
}

// A sale whose key is already in Partnero is skipped/already_exists (not
// sent), and one whose customer is not there rejected/customer_not_found,
// whatever status the server refuses it with; neither is a server error
// to retry, and their messages say what happened once.
func TestSaleAlreadyThereOrOfNoCustomer(t *testing.T) {
	t.Parallel()
	for _, status := range []int{404, 400, 422} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			t.Parallel()
			sb, base := startSandbox(t, sandbox.Options{Vary: sandbox.Variation{NoCustomerStatus: status}})
			sb.Add(sandbox.Partner{Email: "ann@x.io", Name: "Ann", ID: "p1", Key: "ann"})
			if err := sb.AddCustomer(sandbox.Customer{Key: "c1", Partner: "p1"}); err != nil {
				t.Fatal(err)
			}
			if err := sb.AddTransaction(sandbox.Transaction{Key: "t1", Customer: "c1", Amount: "5.00"}); err != nil {
				t.Fatal(err)
			}
			sales := writeFile(t, "sales.csv", "key,customer_key,amount,currency\nt1,c1,5.00,EUR\nt2,ghost,6.00,EUR\nt3,c1,7.00,EUR\n")
			rep := filepath.Join(filepath.Dir(sales), "r.csv")
			r := runCLI(t, map[string]string{"PARTNERO_API_KEY": "k", "PARTNERO_BASE_URL": base}, "", "import", "--no-progress", "--rate", "0", "--report", rep, sales)
			if r.code != exitRowsFailed {
				t.Fatalf("exit %d\n%s", r.code, r.stderr)
			}
			var got []string
			for _, row := range reportByColumn(t, rep) {
				got = append(got, row["status"]+"/"+row["reason"])
			}
			if want := []string{"skipped/already_exists", "rejected/customer_not_found", "created/"}; !slices.Equal(got, want) {
				t.Errorf("%q, want %q\n%s", got, want, r.report)
			}
			// Said once, and no advice to check the address for a customer not found.
			rows := reportByColumn(t, rep)
			if m := rows[0]["message"]; strings.Count(m, "already in Partnero") != 1 || !strings.Contains(m, "amount 5.00") {
				t.Errorf("the sale there already: %q", m)
			}
			if m := rows[1]["message"]; strings.Contains(m, "base-url") || !strings.Contains(m, "ustomer") {
				t.Errorf("the sale of no customer: %q", m)
			}
			if n := len(sb.Transactions()); n != 2 {
				t.Errorf("the sandbox holds %d sales", n)
			}
		})
	}
}

// Customers imported again are refused as key_exists, and the run points
// to --skip-existing, as it does for partners.
func TestCustomersAgainAdviseSkipExisting(t *testing.T) {
	t.Parallel()
	sb, base := startSandbox(t, sandbox.Options{})
	sb.Add(sandbox.Partner{Email: "ann@x.io", Name: "Ann", ID: "p1", Key: "ann"})
	env := map[string]string{"PARTNERO_API_KEY": "k", "PARTNERO_BASE_URL": base}
	in := writeFile(t, "clients.csv", "customer_key,email,partner_key\nc1,c1@y.io,ann\nc2,c2@y.io,ann\n")
	if r := runCLI(t, env, "", "import", "--no-progress", "--rate", "0", in); r.code != exitOK {
		t.Fatalf("first: exit %d\n%s", r.code, r.stderr)
	}
	r := runCLI(t, env, "", "import", "--no-progress", "--rate", "0", "--report", filepath.Join(filepath.Dir(in), "again.csv"), in)
	if r.code != exitRowsFailed || !strings.Contains(r.stderr, "2 of the 2 rows sent were rejected as key_exists: those customers are already in Partnero") ||
		!strings.Contains(r.stderr, "--skip-existing") {
		t.Fatalf("again: exit %d\n%s", r.code, r.stderr)
	}
}

// --preset names a partners export: in a run of several files it reads the
// partners file, and the customers file as it is, so a whole program whose
// partners are an export rehearses in one embedded sandbox.
func TestPresetInARunOfSeveralFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	b, err := os.ReadFile(filepath.Join("..", "..", "samples", "presets", "rewardful.csv"))
	if err != nil {
		t.Fatal(err)
	}
	partners := filepath.Join(dir, "affiliates.csv")
	os.WriteFile(partners, b, 0o600)
	clients := writeFile(t, "clients.csv", "customer_key,email,partner_key\nc1,c1@y.io,lena\nc2,c2@y.io,omar\n")
	r := runCLI(t, nil, "", "import", "--sandbox", "--no-progress", "--preset", "rewardful", partners, clients)
	if r.code != exitOK {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	for _, row := range reportByColumn(t, strings.TrimSuffix(clients, ".csv")+".sandbox.report.csv") {
		if row["status"] != "created" {
			t.Errorf("customer %s: %v", row["key"], row)
		}
	}
}

// A program's directory, as pull writes it (partners.jsonl,
// customers.jsonl, transactions.jsonl), is taken as its three files, each
// of the kind its name says, with its report beside it.
func TestProgramDirectory(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, text := range map[string]string{
		"partners.jsonl":     `{"email":"ann@x.io","name":"Ann","key":"ann"}` + "\n" + `{"email":"bob@x.io","name":"Bob","key":"bob","referring_partner":{"key":"ann"}}` + "\n",
		"customers.jsonl":    `{"key":"c1","email":"c1@y.io","partner":{"key":"bob"}}` + "\n",
		"transactions.jsonl": `{"key":"t1","customer":{"key":"c1"},"amount":99.90,"currency":"EUR","created_at":"2025-03-01","reward":9.99,"rewarded":true}` + "\n",
	} {
		os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600)
	}
	sb, base := startSandbox(t, sandbox.Options{})
	r := runCLI(t, map[string]string{"PARTNERO_API_KEY": "k", "PARTNERO_BASE_URL": base}, "", "import", "--no-progress", "--rate", "0", dir)
	if r.code != exitOK {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	txs := sb.Transactions()
	if len(sb.Partners()) != 2 || len(sb.Customers()) != 1 || len(txs) != 1 || txs[0].Amount != "99.90" || txs[0].Reward != "9.99" || !txs[0].Rewarded {
		t.Fatalf("stored: %d partners, %d customers, %+v", len(sb.Partners()), len(sb.Customers()), txs)
	}
	if _, err := os.Stat(filepath.Join(dir, "transactions.report.csv")); err != nil {
		t.Fatal(err)
	}
	if r := runCLI(t, nil, "", "validate", t.TempDir()); r.code != exitUsage || !strings.Contains(r.stderr, "without a program's files") {
		t.Fatalf("an empty directory: exit %d\n%s", r.code, r.stderr)
	}
}

// In a run of several files, no file's report, retry file or provenance
// lands on another FILE of the run: the first file's report would be
// written over the second before it is read.
func TestSeveralFilesNeverWriteOverEachOther(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	partners := filepath.Join(dir, "p.csv")
	os.WriteFile(partners, []byte("email,name\nann@x.io,Ann\n"), 0o600)
	// Named as p.csv's report would be.
	other := filepath.Join(dir, "p.sandbox.report.csv")
	text := "email,name\nbob@x.io,Bob\n"
	os.WriteFile(other, []byte(text), 0o600)
	r := runCLI(t, nil, "", "import", "--sandbox", "--no-progress", partners, other)
	if r.code != exitUsage || !strings.Contains(r.stderr, other) {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if b, _ := os.ReadFile(other); string(b) != text {
		t.Fatalf("%s was written over:\n%s", other, b)
	}
}

// The reports of one run of several files keep numbers that match: a run
// refused at its first request (a wrong key) sent nothing, so the next
// run takes its numbered names again instead of the next number for some
// files only.
func TestSeveralFilesKeepMatchingReportNumbers(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	partners, customers := filepath.Join(dir, "p.csv"), filepath.Join(dir, "c.csv")
	os.WriteFile(partners, []byte("email,name,key\nann@x.io,Ann,ann\n"), 0o600)
	os.WriteFile(customers, []byte("key,email,partner_key\nc1,c1@x.io,ann\n"), 0o600)
	_, base := startSandbox(t, sandbox.Options{APIKey: "right"})
	run := func(key string, flags ...string) result {
		env := map[string]string{"PARTNERO_API_KEY": key, "PARTNERO_BASE_URL": base}
		return runCLI(t, env, "", append(append([]string{"import", "--no-progress", "--rate", "0"}, flags...), partners, customers)...)
	}
	if r := run("right"); r.code != exitOK {
		t.Fatalf("first: exit %d\n%s", r.code, r.stderr)
	}
	if r := run("wrong"); r.code != exitUsage {
		t.Fatalf("wrong key: exit %d\n%s", r.code, r.stderr)
	}
	if r := run("right", "--skip-existing"); r.code != exitOK {
		t.Fatalf("again: exit %d\n%s", r.code, r.stderr)
	}
	for _, name := range []string{"p.report-2.csv", "c.report-2.csv"} {
		if !exists(filepath.Join(dir, name)) {
			t.Errorf("no %s", name)
		}
	}
	if exists(filepath.Join(dir, "p.report-3.csv")) {
		t.Errorf("the partners' report took a number the customers' did not")
	}
}
