package main

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/partnero-import/partnero-import/importer/sandbox"
	"github.com/partnero-import/partnero-import/report"
)

// A flag the kind of one of several FILEs cannot take (told from its
// header, not given) stops the run before anything is sent: the partners
// file first in the run is not imported, then refused at the customers.
func TestSeveralFilesRefuseAFlagOfOneKindBeforeSending(t *testing.T) {
	t.Parallel()
	for _, flag := range [][]string{{"--mode", "invite"}, {"--update-existing"}} {
		t.Run(flag[0], func(t *testing.T) {
			t.Parallel()
			sb, base := startSandbox(t, sandbox.Options{})
			env := map[string]string{"PARTNERO_API_KEY": "k", "PARTNERO_BASE_URL": base}
			dir, files := programFiles(t)
			args := append(append([]string{"import", "--no-progress", "--rate", "0"}, flag...), files...)
			r := runCLI(t, env, "", args...)
			if r.code != exitUsage || sb.Requests() != 0 || len(sb.Partners()) != 0 {
				t.Fatalf("exit %d, %d requests\n%s", r.code, sb.Requests(), r.stderr)
			}
			if !strings.Contains(r.stderr, flag[0]) || strings.Contains(r.stderr, "report:") {
				t.Errorf("stderr:\n%s", r.stderr)
			}
			if m, _ := filepath.Glob(filepath.Join(dir, "*.report.csv")); len(m) > 0 {
				t.Errorf("reports written: %v", m)
			}
		})
	}
}

// A sales file whose amount header is mistyped is no partners file: read
// as partners it made a partner of every buyer. Told from its header, it
// is read as transactions and stops naming the column; given --kind
// transactions, it says the same, not that it looks like partners.
func TestMistypedAmountHeaderStopsBeforeSending(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, header string
		kind         []string
	}{
		{"an email column", "key,email,ammount,currency,created_at", nil},
		{"a customer key", "key,customer_key,ammount,currency,created_at", nil},
		{"--kind given", "key,customer_key,ammount,currency,created_at", []string{"--kind", "transactions"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sb, base := startSandbox(t, sandbox.Options{})
			env := map[string]string{"PARTNERO_API_KEY": "k", "PARTNERO_BASE_URL": base}
			in := writeFile(t, "sales.csv", tc.header+"\nq1,buyer@y.io,10,EUR,2025-03-01\n")
			r := runCLI(t, env, "", append(append([]string{"import", "--no-progress", "--rate", "0"}, tc.kind...), in)...)
			if r.code != exitUsage || len(sb.Partners()) != 0 || sb.Requests() != 0 {
				t.Fatalf("exit %d, %d partners, %d requests\n%s", r.code, len(sb.Partners()), sb.Requests(), r.stderr)
			}
			if !strings.Contains(r.stderr, `"ammount"`) || !strings.Contains(r.stderr, "--map amount=ammount") ||
				strings.Contains(r.stderr, "no email column") || strings.Contains(r.stderr, "looks like partners") {
				t.Errorf("stderr:\n%s", r.stderr)
			}
		})
	}
}

// Hostile money and dates in a sales file: each row is refused naming its
// column and problem, or read exactly; nothing is guessed.
func TestHostileSalesCells(t *testing.T) {
	t.Parallel()
	rows := []struct{ cells, status, says string }{
		{`"1.234,56",EUR,2025-03-01`, "invalid_amount", "has both . and ,"},
		{`1e3,EUR,2025-03-01`, "invalid_amount", "exponent"},
		{`-5,EUR,2025-03-01`, "invalid_amount", "negative"},
		{`0.001,EUR,2025-03-01`, "invalid_amount", "EUR has 2"},
		{`99999999999999999999999,EUR,2025-03-01`, "invalid_amount", "more than the 15"},
		{`10,XYZ,2025-03-01`, "invalid_currency", "not an ISO 4217"},
		{`10,eur,2025-03-01`, "valid", ""},
		{`10,EUR,2999-01-01`, "invalid_date", "in the future"},
		{`10,EUR,01/03/2025`, "invalid_date", "is not a date"},
		{`10,EUR,20250301`, "invalid_date", "write a date as YYYY-MM-DD"},
		{`10,EUR,0`, "invalid_date", "too small for Unix seconds"},
		{`10,EUR,1740787200000`, "valid", ""},
		{`10,EUR,2025-03-01T10:00:00+02:00`, "valid", ""},
	}
	text := "key,customer_key,amount,currency,created_at\n"
	for i, r := range rows {
		text += fmt.Sprintf("t%d,c1,%s\n", i, r.cells)
	}
	in := writeFile(t, "sales.csv", text)
	rep := filepath.Join(filepath.Dir(in), "sales.validate.csv")
	r := runCLI(t, nil, "", "validate", "--no-progress", "--report", rep, in)
	if r.code != exitRowsFailed {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	got := reportByColumn(t, rep)
	for i, want := range rows {
		if g := got[i]; firstNonEmpty(g["reason"], g["status"]) != want.status || !strings.Contains(g["message"], want.says) {
			t.Errorf("%s: %s/%s %q, want %s saying %q", want.cells, g["status"], g["reason"], g["message"], want.status, want.says)
		}
	}
}

// importProgram imports the program of programFiles into sb and returns
// the directory of its reports and the environment that reaches sb.
func importProgram(t *testing.T, sb *sandbox.Server, base string) (string, map[string]string) {
	t.Helper()
	env := map[string]string{"PARTNERO_API_KEY": "k", "PARTNERO_BASE_URL": base}
	dir, files := programFiles(t)
	if r := runCLI(t, env, "", append([]string{"import", "--no-progress", "--rate", "0"}, files...)...); r.code != exitRowsFailed {
		t.Fatalf("import: exit %d\n%s", r.code, r.stderr)
	}
	return dir, env
}

// send makes one request of the sandbox's API, as someone editing the
// program in Partnero would.
func send(t *testing.T, base, method, path, body string) {
	t.Helper()
	req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer k")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: %v %v", method, path, resp, err)
	}
	resp.Body.Close()
}

// reportStatuses lists a report's rows as status/reason.
func reportStatuses(t *testing.T, path string) []string {
	t.Helper()
	var out []string
	for _, row := range reportByColumn(t, path) {
		out = append(out, row["status"]+"/"+row["reason"])
	}
	return out
}

// Rollback of a transactions report and of a customers report: without
// their referral files, the dry run names each record by its key and
// sends nothing; a transaction whose amount and a customer whose email
// changed since are left alone (changed, and listed in the retry file,
// which rollback takes); the others are archived, restored, deleted; the
// question on a terminal names the kind's records.
func TestRollbackOfCustomersAndTransactions(t *testing.T) {
	t.Parallel()
	sb, base := startSandbox(t, sandbox.Options{})
	dir, env := importProgram(t, sb, base)
	sales, clients := filepath.Join(dir, "sales.report.csv"), filepath.Join(dir, "clients.report.csv")
	for _, rep := range []string{sales, clients} {
		if _, err := os.Stat(report.ReferralsPath(rep)); err == nil {
			t.Fatalf("%s has a referral file: customers and sales refer to no row of their own file", rep)
		}
	}

	before := sb.Requests()
	r := runCLI(t, env, "", "rollback", "--dry-run", "--no-progress", "--report", filepath.Join(dir, "dry.csv"), sales)
	if r.code != exitOK || sb.Requests() != before {
		t.Fatalf("dry run: exit %d, %d requests\n%s", r.code, sb.Requests()-before, r.stderr)
	}
	dry := reportByColumn(t, filepath.Join(dir, "dry.csv"))
	if dry[0]["message"] != "would archive transaction t1 (dry run: nothing was sent)" || dry[3]["reason"] != "not_created" {
		t.Errorf("dry run: %v", dry)
	}

	// On a terminal, the question names transactions; no is no.
	var errOut bytes.Buffer
	code := run(context.Background(), []string{"rollback", "--no-progress", "--rate", "0", sales}, func(k string) string { return env[k] },
		Streams{In: strings.NewReader("n\n"), Out: &bytes.Buffer{}, Err: &errOut, InIsTerminal: true})
	if code == exitOK || !strings.Contains(errOut.String(), "archive 4 transactions at ") || sb.Requests() != before {
		t.Fatalf("exit %d:\n%s", code, errOut.String())
	}
	if r := runCLI(t, env, "", "rollback", "--no-progress", clients); r.code != exitUsage || !strings.Contains(r.stderr, "rollback changes customers in Partnero") {
		t.Errorf("off a terminal without --yes: exit %d\n%s", r.code, r.stderr)
	}

	// t3 is now another sale of 1600 JPY under the same key.
	send(t, base, http.MethodDelete, "/transactions/t3", "")
	if err := sb.AddTransaction(sandbox.Transaction{Key: "t3", Customer: "c2", Amount: "1600", Units: "JPY"}); err != nil {
		t.Fatal(err)
	}
	r = runCLI(t, env, "", "rollback", "--yes", "--no-progress", "--rate", "0", sales)
	rolled := filepath.Join(dir, "sales.report.rollback.csv")
	want := []string{"archived/", "archived/", "skipped/changed", "skipped/not_created", "archived/", "skipped/not_created"}
	if got := reportStatuses(t, rolled); r.code != exitRowsFailed || !slices.Equal(got, want) {
		t.Fatalf("rollback: exit %d, %q, want %q\n%s", r.code, got, want, r.stderr)
	}
	if rows := reportByColumn(t, rolled); !strings.Contains(rows[2]["message"], "amount is now 1600, not the report's 1500") {
		t.Errorf("t3: %v", rows[2])
	}
	status := func() map[string]string {
		m := map[string]string{}
		for _, tx := range sb.Transactions() {
			m[tx.Key] = tx.Status
		}
		return m
	}
	if got := status(); got["t1"] != sandbox.Archived || got["t2"] != sandbox.Archived || got["t5"] != sandbox.Archived || got["t3"] != sandbox.Active {
		t.Fatalf("stored: %v", got)
	}
	retry := filepath.Join(dir, "sales.report.rollback.retry.csv")
	if rows := reportByColumn(t, retry); len(rows) != 1 || rows[0]["key"] != "t3" {
		t.Fatalf("retry file: %v", rows)
	}
	// The retry file is a report rollback takes: t3 is still not the one made.
	if r := runCLI(t, env, "", "rollback", "--yes", "--no-progress", "--rate", "0", retry); r.code != exitRowsFailed ||
		!slices.Equal(reportStatuses(t, filepath.Join(dir, "sales.report.rollback.retry.rollback.csv")), []string{"skipped/changed"}) {
		t.Fatalf("rollback of the retry file: exit %d\n%s", r.code, r.stderr)
	}

	r = runCLI(t, env, "", "rollback", "--restore", "--yes", "--no-progress", "--rate", "0", rolled)
	if r.code != exitOK || reportStatuses(t, filepath.Join(dir, "sales.report.rollback.restore.csv"))[0] != "restored/" {
		t.Fatalf("restore: exit %d\n%s", r.code, r.stderr)
	}
	if got := status(); got["t1"] != sandbox.Active || got["t5"] != sandbox.Active {
		t.Fatalf("after the restore: %v", got)
	}

	// Customers, deleted for good; c2's email was changed in Partnero.
	send(t, base, http.MethodPut, "/customers/c2", `{"update":{"email":"someone@else.io"}}`)
	r = runCLI(t, env, "", "rollback", "--delete", "--yes", "--no-progress", "--rate", "0", clients)
	want = []string{"deleted/", "skipped/changed", "skipped/not_created", "skipped/not_created"}
	if got := reportStatuses(t, filepath.Join(dir, "clients.report.rollback.csv")); r.code != exitRowsFailed || !slices.Equal(got, want) {
		t.Fatalf("customers: exit %d, %q, want %q\n%s", r.code, got, want, r.stderr)
	}
	var keys []string
	for _, c := range sb.Customers() {
		keys = append(keys, c.Key+"@"+c.Email)
	}
	if !slices.Equal(keys, []string{"c2@someone@else.io"}) {
		t.Fatalf("customers left: %v", keys)
	}
}

// Customers already in Partnero: --skip-existing settles them as
// already_exists; --update-existing updates what differs (email, name,
// surname, tags) and leaves a customer that holds the row's values
// unchanged, its import's mark notwithstanding; a transaction is never
// updated.
func TestCustomersAlreadyThere(t *testing.T) {
	t.Parallel()
	sb, base := startSandbox(t, sandbox.Options{})
	sb.Add(sandbox.Partner{ID: "p1", Key: "ann", Email: "ann@x.io"})
	env := map[string]string{"PARTNERO_API_KEY": "k", "PARTNERO_BASE_URL": base}
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	first := write("clients.csv", "customer_key,email,name,surname,tags,partner_key\n"+
		"c1,c1@y.io,Cat,Ash,vip,ann\n"+
		"c2,c2@y.io,Dan,,,ann\n")
	imp := func(name string, flags ...string) []map[string]string {
		t.Helper()
		rep := filepath.Join(dir, name)
		r := runCLI(t, env, "", append(append([]string{"import", "--no-progress", "--rate", "0", "--report", rep}, flags...), first)...)
		if r.code != exitOK {
			t.Fatalf("%s: exit %d\n%s", name, r.code, r.stderr)
		}
		return reportByColumn(t, rep)
	}
	imp("created.csv")
	for _, row := range imp("skip.csv", "--skip-existing") {
		if row["status"]+"/"+row["reason"] != "skipped/already_exists" {
			t.Errorf("--skip-existing: %v", row)
		}
	}
	for _, row := range imp("same.csv", "--update-existing") {
		if row["status"]+"/"+row["reason"] != "skipped/unchanged" {
			t.Errorf("--update-existing of the same rows: %v", row)
		}
	}
	write("clients.csv", "customer_key,email,name,surname,tags,partner_key\n"+
		"c1,new@y.io,Cat,Birch,\"vip,gold\",ann\n"+
		"c2,c2@y.io,Dan,,,ann\n")
	rows := imp("changed.csv", "--update-existing")
	if rows[0]["status"] != "updated" || !strings.Contains(rows[0]["message"], "updated its email, surname, tags") || rows[1]["reason"] != "unchanged" {
		t.Fatalf("--update-existing of a changed row: %v", rows)
	}
	cs := sb.Customers()
	c := cs[slices.IndexFunc(cs, func(c sandbox.Customer) bool { return c.Key == "c1" })]
	if c.Email != "new@y.io" || c.Surname != "Birch" || !slices.Contains(c.Tags, "gold") || !slices.ContainsFunc(c.Tags, func(s string) bool { return strings.HasPrefix(s, "partnero-import-") }) {
		t.Fatalf("c1 in Partnero: %+v", c)
	}
	sales := write("sales.csv", "key,customer_key,amount,currency\nt1,c1,5,EUR\n")
	if r := runCLI(t, env, "", "import", "--no-progress", "--update-existing", sales); r.code != exitUsage || !strings.Contains(r.stderr, "never changed") {
		t.Errorf("--update-existing of transactions: exit %d\n%s", r.code, r.stderr)
	}
}

// A run of customers or of transactions killed while the server holds two
// creates (which it stores once the run is gone: answers lost), then
// resumed: the rows the report shows done are skipped/already_done, the
// two lost ones are found and not sent again, the rest are created, and no
// key is stored twice.
func TestResumeAfterAKilledRun(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"customers", "transactions"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			sb := sandbox.New(sandbox.Options{})
			sb.Add(sandbox.Partner{ID: "p1", Key: "ann", Email: "ann@x.io"})
			text := "customer_key,email,partner_key\n"
			if kind == "transactions" {
				text = "key,customer_key,amount,currency,created_at\n"
				if err := sb.AddCustomer(sandbox.Customer{Key: "c0", Partner: "p1"}); err != nil {
					t.Fatal(err)
				}
			}
			const rows = 10
			for i := range rows {
				if kind == "transactions" {
					text += fmt.Sprintf("t%d,c0,%d.50,EUR,2025-03-01\n", i, i+1)
				} else {
					text += fmt.Sprintf("c%d,c%d@y.io,ann\n", i, i)
				}
			}
			in := writeFile(t, kind+".csv", text)
			rep := filepath.Join(filepath.Dir(in), "first.csv")
			g := &gatedServer{sb: sb, release: make(chan struct{}), free: 2}
			base := newGatedServer(t, g)
			release := g.releaser(t)
			env := []string{"PARTNERO_API_KEY=k", "PARTNERO_BASE_URL=" + base}
			cmd, _ := startBinary(t, env, "import", "--no-progress", "--rate", "0", "--concurrency", "2", "--report", rep, in)
			waitUntil(t, cmd, func() bool { return g.waiting() == 2 && reportLines(rep) == 2 })
			cmd.Process.Kill()
			cmd.Wait()
			release()
			stored := func() []string {
				var keys []string
				if kind == "transactions" {
					for _, tx := range sb.Transactions() {
						keys = append(keys, tx.Key)
					}
				} else {
					for _, c := range sb.Customers() {
						keys = append(keys, c.Key)
					}
				}
				return keys
			}
			// The held creates reach the server after the run died.
			for deadline := time.Now().Add(20 * time.Second); len(stored()) < 4; time.Sleep(5 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatalf("the held creates were not stored: %v", stored())
				}
			}

			again := filepath.Join(filepath.Dir(in), "again.csv")
			r := runCLI(t, map[string]string{"PARTNERO_API_KEY": "k", "PARTNERO_BASE_URL": base}, "",
				"import", "--no-progress", "--rate", "0", "--resume", rep, "--report", again, in)
			got := map[string]int{}
			for _, s := range reportStatuses(t, again) {
				got[s]++
			}
			if r.code != exitOK || got["skipped/already_done"] != 2 || got["created/"]+got["skipped/already_done"]+got["skipped/already_exists"] != rows {
				t.Fatalf("resumed: exit %d, %v\n%s", r.code, got, r.stderr)
			}
			keys := stored()
			slices.Sort(keys)
			if len(keys) != rows || len(slices.Compact(keys)) != rows {
				t.Fatalf("stored: %v", keys)
			}
		})
	}
}

// A transactions file run again: every key is there, so each row is
// skipped/already_exists (stored, not failed: exit 0) and nothing is sent
// twice; a customer or a partner that is not in Partnero is said to be
// that, not a wrong address.
func TestTransactionsRunAgain(t *testing.T) {
	t.Parallel()
	sb, base := startSandbox(t, sandbox.Options{})
	sb.Add(sandbox.Partner{ID: "p1", Key: "ann", Email: "ann@x.io"})
	if err := sb.AddCustomer(sandbox.Customer{Key: "c1", Partner: "p1"}); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"PARTNERO_API_KEY": "k", "PARTNERO_BASE_URL": base}
	sales := writeFile(t, "sales.csv", "key,customer_key,amount,currency,created_at\nt1,c1,9.90,EUR,2025-03-01\nt2,c1,1,EUR,2025-03-02\n")
	for i, want := range []string{"created/", "skipped/already_exists"} {
		rep := filepath.Join(t.TempDir(), "r.csv")
		r := runCLI(t, env, "", "import", "--no-progress", "--rate", "0", "--report", rep, sales)
		rows := reportByColumn(t, rep)
		if r.code != exitOK || rows[0]["status"]+"/"+rows[0]["reason"] != want || rows[1]["status"]+"/"+rows[1]["reason"] != want {
			t.Fatalf("run %d: exit %d, %v\n%s", i+1, r.code, rows, r.stderr)
		}
		if i == 1 && rows[0]["message"] != "a transaction with this key is already in Partnero (amount 9.90): not sent again, so that its commission is not paid twice" {
			t.Errorf("run again: %v", rows[0])
		}
	}
	if n := len(sb.Transactions()); n != 2 {
		t.Fatalf("%d transactions stored", n)
	}

	orphans := writeFile(t, "orphans.csv", "key,customer_key,amount,currency\nt9,nobody,5,EUR\n")
	clients := writeFile(t, "clients.csv", "customer_key,email,partner_key\nc9,c9@y.io,nobody\n")
	for _, tc := range []struct{ file, reason string }{{orphans, "customer_not_found"}, {clients, "partner_not_found"}} {
		rep := filepath.Join(t.TempDir(), "r.csv")
		r := runCLI(t, env, "", "import", "--no-progress", "--rate", "0", "--report", rep, tc.file)
		row := reportByColumn(t, rep)[0]
		if r.code != exitRowsFailed || row["status"] != "rejected" || row["reason"] != tc.reason || strings.Contains(row["message"], "endpoint") {
			t.Errorf("%s: exit %d, %v", tc.file, r.code, row)
		}
	}
}

// A rehearsal of a re-run: the earlier run's partners, customers and
// transactions preloaded (given in no useful order, each told from its
// header), the same files imported into the embedded sandbox show each
// record already there: customers rejected/key_exists, or skipped with
// --skip-existing; transactions skipped/already_exists, never sent twice.
func TestSandboxPreloadOfAProgram(t *testing.T) {
	t.Parallel()
	dir, files := programFiles(t)
	sales, clients, affiliates := files[0], files[1], files[2]
	pre := []string{"--sandbox-preload", sales, "--sandbox-preload", clients, "--sandbox-preload", affiliates}
	// The preload files hold the rows that were made: not the invalid partner
	// and its customer, nor their sales.
	for _, f := range []struct{ path, drop string }{{affiliates, "not-an-email"}, {clients, ",cy\n"}, {sales, "c3,"}} {
		b, _ := os.ReadFile(f.path)
		var keep []string
		for _, l := range strings.SplitAfter(string(b), "\n") {
			if !strings.Contains(l, f.drop) && !strings.Contains(l, "nobody") && !strings.Contains(l, ",c4,") {
				keep = append(keep, l)
			}
		}
		os.WriteFile(f.path+".pre.csv", []byte(strings.Join(keep, "")), 0o600)
	}
	for i := 1; i < len(pre); i += 2 {
		pre[i] += ".pre.csv"
	}
	rep := filepath.Join(dir, "rehearsal.csv")
	r := runCLI(t, nil, "", append(append([]string{"import", "--sandbox", "--no-progress", "--rate", "0", "--skip-existing", "--report", rep}, pre...), sales)...)
	want := []string{"skipped/already_exists", "skipped/already_exists", "skipped/already_exists", "rejected/customer_not_found", "skipped/already_exists", "rejected/customer_not_found"}
	if got := reportStatuses(t, rep); r.code != exitRowsFailed || !slices.Equal(got, want) {
		t.Fatalf("exit %d: %q, want %q\n%s", r.code, got, want, r.stderr)
	}
	rep = filepath.Join(dir, "clients-rehearsal.csv")
	r = runCLI(t, nil, "", append(append([]string{"import", "--sandbox", "--no-progress", "--rate", "0", "--skip-existing", "--report", rep}, pre...), clients)...)
	want = []string{"skipped/already_exists", "skipped/already_exists", "rejected/partner_not_found", "rejected/partner_not_found"}
	if got := reportStatuses(t, rep); r.code != exitRowsFailed || !slices.Equal(got, want) {
		t.Fatalf("customers: exit %d: %q, want %q\n%s", r.code, got, want, r.stderr)
	}
	bad := writeFile(t, "bad.csv", "key,customer_key,amount,currency\nt1,nobody,5,EUR\n")
	if r := runCLI(t, nil, "", "import", "--sandbox", "--no-progress", "--sandbox-preload", bad, sales); r.code != exitUsage || !strings.Contains(r.stderr, "no customer nobody") {
		t.Errorf("a preload of a sale whose customer is not there: exit %d\n%s", r.code, r.stderr)
	}
}

// Customers and transactions as JSON Lines (nested partner and customer
// objects, amounts as JSON numbers kept digit for digit) and as XLSX go
// where the CSV's would.
func TestCustomersAndTransactionsInJSONLinesAndXLSX(t *testing.T) {
	t.Parallel()
	sb, base := startSandbox(t, sandbox.Options{})
	sb.Add(sandbox.Partner{ID: "p1", Key: "ann", Email: "ann@x.io"})
	env := map[string]string{"PARTNERO_API_KEY": "k", "PARTNERO_BASE_URL": base}
	dir := t.TempDir()
	clients := filepath.Join(dir, "clients.jsonl")
	os.WriteFile(clients, []byte(`{"key":"c1","email":"c1@y.io","partner":{"key":"ann"}}`+"\n"+
		`{"key":"c2","email":"c2@y.io","partner":{"email":"ANN@x.io"},"tags":["vip"]}`+"\n"), 0o600)
	sales := filepath.Join(dir, "sales.jsonl")
	os.WriteFile(sales, []byte(`{"key":"t1","customer":{"key":"c1"},"amount":99.90,"currency":"EUR","created_at":1740787200}`+"\n"+
		`{"key":"t2","customer":{"email":"c2@y.io"},"amount_cents":1234,"currency":"KWD"}`+"\n"), 0o600)
	more := filepath.Join(dir, "more.xlsx")
	writeWorkbook(t, [][]string{{"key", "customer_key", "amount", "currency", "created_at"}, {"t3", "c1", "12,50", "EUR", "2025-03-01"}}, more)
	r := runCLI(t, env, "", "import", "--no-progress", "--rate", "0", clients, sales, more)
	if r.code != exitOK {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	got := map[string]string{}
	for _, tx := range sb.Transactions() {
		got[tx.Key] = tx.Customer + " " + tx.Amount + " " + tx.Units
	}
	want := map[string]string{"t1": "c1 99.90 EUR", "t2": "c2 1.234 KWD", "t3": "c1 12.50 EUR"}
	if !maps.Equal(got, want) {
		t.Fatalf("stored %v, want %v", got, want)
	}
	for _, c := range sb.Customers() {
		if c.Partner != "p1" {
			t.Errorf("customer %s of partner %q", c.Key, c.Partner)
		}
	}
	if rows := reportByColumn(t, filepath.Join(dir, "more.report.csv")); rows[0]["amount"] != "12.50" {
		t.Errorf("xlsx report: %v", rows)
	}
}

// A run of several FILEs where one cannot be read sends nothing: the
// partners file before it is not imported first.
func TestSeveralFilesOneMissing(t *testing.T) {
	t.Parallel()
	sb, base := startSandbox(t, sandbox.Options{})
	env := map[string]string{"PARTNERO_API_KEY": "k", "PARTNERO_BASE_URL": base}
	dir, files := programFiles(t)
	missing := filepath.Join(dir, "missing.csv")
	r := runCLI(t, env, "", "import", "--no-progress", "--rate", "0", files[2], missing, files[0])
	if r.code != exitUsage || sb.Requests() != 0 || !strings.Contains(r.stderr, "cannot read "+missing) {
		t.Fatalf("exit %d, %d requests\n%s", r.code, sb.Requests(), r.stderr)
	}
}

// A sale rolled back (archived) and its file imported again: the key is
// found, so nothing is sent twice, but the row and the summary say the
// sale is archived, earning nothing, and that rollback --restore brings it
// back; "already in Partnero" alone reads as a live sale.
func TestTransactionsRunAgainAfterRollback(t *testing.T) {
	t.Parallel()
	sb, base := startSandbox(t, sandbox.Options{})
	sb.Add(sandbox.Partner{ID: "p1", Key: "ann", Email: "ann@x.io"})
	if err := sb.AddCustomer(sandbox.Customer{Key: "c1", Partner: "p1"}); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"PARTNERO_API_KEY": "k", "PARTNERO_BASE_URL": base}
	dir := t.TempDir()
	sales := filepath.Join(dir, "sales.csv")
	if err := os.WriteFile(sales, []byte("key,customer_key,amount,currency\nt1,c1,9.90,EUR\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := runCLI(t, env, "", "import", "--no-progress", "--rate", "0", sales); r.code != exitOK {
		t.Fatalf("import: exit %d\n%s", r.code, r.stderr)
	}
	if r := runCLI(t, env, "", "rollback", "--yes", "--no-progress", "--rate", "0", filepath.Join(dir, "sales.report.csv")); r.code != exitOK {
		t.Fatalf("rollback: exit %d\n%s", r.code, r.stderr)
	}
	rep := filepath.Join(dir, "again.csv")
	r := runCLI(t, env, "", "import", "--no-progress", "--rate", "0", "--report", rep, sales)
	row := reportByColumn(t, rep)[0]
	if row["status"]+"/"+row["reason"] != "skipped/already_exists" || !strings.Contains(row["message"], "archived") {
		t.Errorf("row: %v", row)
	}
	if out := r.stdout + r.stderr; !strings.Contains(out, "archived: 1 of these transactions") || !strings.Contains(out, "rollback --restore") {
		t.Errorf("summary does not say the sale is archived: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if n := len(sb.Transactions()); n != 1 || sb.Transactions()[0].Status != sandbox.Archived {
		t.Errorf("stored: %+v", sb.Transactions())
	}
}

// slowStore holds the first transaction create past the client's timeout
// and stores it afterwards, as a server behind a proxy goes on with a
// request whose client gave up: it is held until another create comes (a
// retry) or the test lets it go, and stored whatever became of its client.
type slowStore struct {
	sb     *sandbox.Server
	once   sync.Once
	next   chan struct{} // closed by the next create, or the test
	stored chan struct{} // closed once the held create is stored
	mu     sync.Mutex
	seen   int
}

func (s *slowStore) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/transactions") {
		s.sb.ServeHTTP(w, r)
		return
	}
	s.mu.Lock()
	s.seen++
	first := s.seen == 1
	s.mu.Unlock()
	if !first {
		s.let()
		s.sb.ServeHTTP(w, r)
		return
	}
	<-s.next
	s.sb.ServeHTTP(w, r.WithContext(context.WithoutCancel(r.Context())))
	close(s.stored)
}

func (s *slowStore) let() { s.once.Do(func() { close(s.next) }) }

// A create whose answer was lost to the client's timeout may still be
// stored after a lookup finds its key absent: the lookup does not license
// a retry, which a server that stores a key again would keep as a second
// sale. The row is failed, saying so, and --resume, run later, finds the
// key and says the earlier attempt may have stored it.
func TestTimedOutCreateStoredAfterTheLookup(t *testing.T) {
	t.Parallel()
	sb := sandbox.New(sandbox.Options{Vary: sandbox.Variation{RepeatKeys: true}})
	sb.Add(sandbox.Partner{ID: "p1", Key: "ann", Email: "ann@x.io"})
	if err := sb.AddCustomer(sandbox.Customer{Key: "c1", Partner: "p1"}); err != nil {
		t.Fatal(err)
	}
	s := &slowStore{sb: sb, next: make(chan struct{}), stored: make(chan struct{})}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	t.Cleanup(s.let)
	env := map[string]string{"PARTNERO_API_KEY": "k", "PARTNERO_BASE_URL": srv.URL + "/v1"}
	sales := writeFile(t, "sales.csv", "key,customer_key,amount,currency,created_at\nt1,c1,9.90,EUR,2025-03-01\n")
	rep := filepath.Join(t.TempDir(), "r.csv")
	r := runCLI(t, env, "", "import", "--no-progress", "--rate", "0", "--timeout", "300ms", "--report", rep, sales)
	s.let()
	<-s.stored
	if n := len(sb.Transactions()); n != 1 {
		t.Fatalf("key t1 stored %d times", n)
	}
	row := reportByColumn(t, rep)[0]
	if r.code != exitRowsFailed || row["status"] != "failed" || !strings.Contains(row["message"], "--resume") {
		t.Fatalf("exit %d, %v", r.code, row)
	}
	again := filepath.Join(t.TempDir(), "again.csv")
	r = runCLI(t, env, "", "import", "--no-progress", "--rate", "0", "--resume", rep, "--report", again, sales)
	row = reportByColumn(t, again)[0]
	if r.code != exitOK || row["status"]+"/"+row["reason"] != "skipped/already_exists" || len(sb.Transactions()) != 1 {
		t.Fatalf("resumed: exit %d, %v\n%s", r.code, row, r.stderr)
	}
}

// Two imports of one sales file at once (overlapping cron jobs that each
// name their report, or a --resume started while the run it resumes still
// goes): each would look its keys up, find them absent, and create them,
// and a server that stores a key again would pay each commission twice.
// The second is refused, exit 2, before it sends anything.
func TestTwoImportsOfOneFileAtOnce(t *testing.T) {
	t.Parallel()
	sb := sandbox.New(sandbox.Options{Vary: sandbox.Variation{RepeatKeys: true}})
	sb.Add(sandbox.Partner{ID: "p1", Key: "ann", Email: "ann@x.io"})
	if err := sb.AddCustomer(sandbox.Customer{Key: "c1", Partner: "p1"}); err != nil {
		t.Fatal(err)
	}
	// The server holds creates until the second run has done what it does:
	// the first is sending, by construction, while the second starts.
	g := &gatedServer{sb: sb, release: make(chan struct{})}
	base := newGatedServer(t, g)
	release := g.releaser(t)
	sales := writeFile(t, "sales.csv", "key,customer_key,amount,currency,created_at\nt1,c1,9.90,EUR,2025-03-01\n")
	dir := t.TempDir()
	env := []string{"PARTNERO_API_KEY=k", "PARTNERO_BASE_URL=" + base}
	first, _ := startBinary(t, env, "import", "--rate", "0", "--report", filepath.Join(dir, "first.csv"), sales)
	waitUntil(t, first, func() bool { return g.waiting() == 1 })
	second, stderr := startBinary(t, env, "import", "--rate", "0", "--report", filepath.Join(dir, "second.csv"), sales)
	ended := make(chan struct{})
	go func() { second.Wait(); close(ended) }()
	waitUntil(t, second, func() bool {
		select {
		case <-ended:
			return true
		default:
			return g.waiting() == 2 // the second's create held too: the key would be stored twice
		}
	})
	release()
	<-ended
	if err := first.Wait(); err != nil {
		t.Fatalf("first run: %v", err)
	}
	if code := second.ProcessState.ExitCode(); code != exitUsage || !strings.Contains(stderr.String(), "another partnero-import run is importing "+sales+" to ") {
		t.Errorf("second run: exit %d\n%s", code, stderr.String())
	}
	if n := len(sb.Transactions()); n != 1 {
		t.Fatalf("key t1 stored %d times", n)
	}
}
