package main

import (
	"encoding/base64"
	"encoding/csv"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/partnero-import/partnero-import/importer/pull"
	"github.com/partnero-import/partnero-import/importer/pull/fake"
	"github.com/partnero-import/partnero-import/importer/sandbox"
)

const rewardfulSecret = "rwf_live_5e2c9a11f0d84b7c"

// servedRewardful serves f over HTTP on 127.0.0.1; its API root.
func servedRewardful(t *testing.T, f *fake.Rewardful) string {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return srv.URL + "/v1"
}

// A program pulled from Rewardful imports whole: every affiliate with an
// email is a partner with its key, every customer is under its partner,
// every commission not voided is its sale's transaction once with its
// amount, and every other record of the source is a line of
// left-out.csv. The secret is nowhere.
func TestPullRewardfulThenImport(t *testing.T) {
	t.Parallel()
	f := fake.RewardfulSample(rewardfulSecret)
	dir := filepath.Join(t.TempDir(), "rewardful")
	env := map[string]string{"REWARDFUL_API_SECRET": rewardfulSecret}
	r := runCLI(t, env, "", "pull", "rewardful", "--out", dir, "--source-base-url", servedRewardful(t, f))
	if r.code != exitOK {
		t.Fatalf("pull: exit %d\n%s", r.code, r.stderr)
	}
	golden(t, "pull_rewardful_stderr.txt", strings.ReplaceAll(r.stderr, dir, "DIR"))
	noSecretIn(t, dir, r, rewardfulSecret)

	sb, base := startSandbox(t, sandbox.Options{})
	imp := runCLI(t, map[string]string{"PARTNERO_API_KEY": "k", "PARTNERO_BASE_URL": base}, "", "import", "--no-progress", "--rate", "0", dir)
	if imp.code != exitOK {
		t.Fatalf("import: exit %d\n%s", imp.code, imp.stderr)
	}
	left := leftOutOf(t, dir)

	// Partners: the first affiliate of each email, keyed by its first link.
	byKey, byEmail := map[string]sandbox.Partner{}, map[string]sandbox.Partner{}
	for _, p := range sb.Partners() {
		byKey[p.Key], byEmail[strings.ToLower(p.Email)] = p, p
	}
	partnerOf := map[string]sandbox.Partner{} // affiliate id → its partner
	for _, a := range f.Affiliates {
		id, email := text(a["id"]), text(a["email"])
		p, ok := byEmail[strings.ToLower(email)]
		switch {
		case !ok && !left["partner/"+id]:
			t.Errorf("affiliate %s is neither a partner nor left out", id)
		case ok && strings.EqualFold(p.Email, email) && p.Email != email && !left["partner/"+id]:
			t.Errorf("affiliate %s shares %s's email and is not left out", id, p.Email)
		case ok && p.Email == email:
			if links, _ := a["links"].([]any); len(links) > 0 && p.Key != text(links[0].(map[string]any)["token"]) {
				t.Errorf("partner %s has key %q, not its first link's token", email, p.Key)
			}
		}
		if ok {
			partnerOf[id] = p
		}
	}
	// Customers: under the partner of their referral's affiliate.
	customers := map[string]sandbox.Customer{}
	for _, c := range sb.Customers() {
		customers[c.Key] = c
	}
	referralCustomer := map[string]string{}
	for _, ref := range f.Referrals {
		if text(ref["conversion_state"]) == "visitor" {
			continue // not asked for: a visitor has no customer
		}
		id, cus := text(ref["id"]), ref["customer"]
		if cus == nil {
			if !left["customer/"+id] {
				t.Errorf("referral %s with no customer is not left out", id)
			}
			continue
		}
		key := text(cus.(map[string]any)["id"])
		stored, ok := customers[key]
		affiliate := text(ref["affiliate"].(map[string]any)["id"])
		switch {
		case !ok:
			if !left["customer/"+id] {
				t.Errorf("referral %s: customer %s neither stored nor left out", id, key)
			}
			continue
		case stored.Partner != partnerOf[affiliate].ID && !left["customer/"+id]:
			t.Errorf("customer %s is under partner %s, not %s's", key, stored.Partner, affiliate)
		}
		referralCustomer[id] = key
	}
	// Transactions: one per sale, with its amount.
	stored := map[string][]sandbox.Transaction{}
	for _, tx := range sb.Transactions() {
		stored[tx.Key] = append(stored[tx.Key], tx)
	}
	for _, c := range f.Commissions {
		id, sale := text(c["id"]), c["sale"]
		if sale == nil {
			if !left["transaction/"+id] {
				t.Errorf("commission %s without a sale is not left out", id)
			}
			continue
		}
		s := sale.(map[string]any)
		key := text(s["id"])
		txs := stored[key]
		switch {
		case len(txs) > 1:
			t.Errorf("sale %s stored %d times", key, len(txs))
		case len(txs) == 0 || text(c["state"]) == "voided":
			if !left["transaction/"+key] {
				t.Errorf("commission %s (sale %s) neither stored nor left out", id, key)
			}
		case txs[0].Customer != referralCustomer[text(s["referral"].(map[string]any)["id"])]:
			t.Errorf("sale %s is customer %s's", key, txs[0].Customer)
		}
	}
	want := map[string]string{"s1": "99.90 9.90 true", "s2": "5000 500 false", "s3": "12.345 1.500 false", "s8": "25.00 2.50 true"}
	for key, w := range want {
		if txs := stored[key]; len(txs) != 1 || strings.Join([]string{txs[0].Amount, txs[0].Reward, strconv.FormatBool(txs[0].Rewarded)}, " ") != w {
			t.Errorf("sale %s stored as %+v; want %s", key, txs, w)
		}
	}
	if len(stored) != len(want) {
		t.Errorf("%d sales stored; want %d", len(stored), len(want))
	}

	// The embedded sandbox takes the DIR as it is too.
	if r := runCLI(t, nil, "", "import", "--sandbox", "--no-progress", dir); r.code != exitOK {
		t.Fatalf("import --sandbox: exit %d\n%s", r.code, r.stderr)
	}
}

// A refused secret, a paging that goes round, a source unreachable: exit
// 2, one line that never says the secret, and no program in DIR.
func TestPullRewardfulFails(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, secret, want string
		vary               func(*fake.Rewardful)
	}{
		{"refused secret", "rwf_wrong_0a9b8c7d6e5f", "rewardful refused the credentials (401 Unauthorized): check REWARDFUL_API_SECRET", func(*fake.Rewardful) {}},
		{"affiliates go round", rewardfulSecret, "the rewardful affiliates pages go round", func(f *fake.Rewardful) { f.RepeatPath = "/v1/affiliates" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := fake.RewardfulSample(rewardfulSecret)
			tc.vary(f)
			dir := t.TempDir()
			r := runCLI(t, map[string]string{"REWARDFUL_API_SECRET": tc.secret}, "", "pull", "rewardful", "--out", dir, "--source-base-url", servedRewardful(t, f))
			if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) || strings.Count(r.stderr, "\n") != 1 {
				t.Fatalf("exit %d\n%s", r.code, r.stderr)
			}
			noSecretIn(t, dir, r, tc.secret)
			if r := runCLI(t, nil, "", "validate", dir); r.code != exitUsage || !strings.Contains(r.stderr, "without a program's files") {
				t.Errorf("a failed pull's DIR: validate exit %d\n%s", r.code, r.stderr)
			}
		})
	}
}

func TestPullUsage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"pull", "nosuchsource", "--out", "x"}, nil, `partnero-import: unknown SOURCE "nosuchsource": this build pulls from ` + strings.Join(pull.Names(), ", ") + "\n"},
		{[]string{"pull", "rewardful"}, nil, "partnero-import: pull needs --out DIR, the directory its files go to\n"},
		{[]string{"pull", "rewardful", "--out", "x"}, nil, "partnero-import: pull rewardful needs REWARDFUL_API_SECRET in the environment\n"},
		{[]string{"pull", "rewardful", "--out", "x", "--source-base-url", "http://example.com/v1"}, map[string]string{"REWARDFUL_API_SECRET": "s"},
			"must use https"},
	} {
		r := runCLI(t, tc.env, "", tc.args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: exit %d\n%s", tc.args, r.code, r.stderr)
		}
	}
}

// noSecretIn fails when the secret, or its Basic authorization, shows in
// any file of dir or in what the command printed.
func noSecretIn(t *testing.T, dir string, r result, secret string) {
	t.Helper()
	forms := []string{secret, base64.StdEncoding.EncodeToString([]byte(secret + ":")), base64.StdEncoding.EncodeToString([]byte(secret))}
	texts := map[string]string{"stdout": r.stdout, "stderr": r.stderr}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		texts[e.Name()] = string(b)
	}
	for name, text := range texts {
		for _, form := range forms {
			if strings.Contains(text, form) {
				t.Errorf("%s shows the secret (%q)", name, form)
			}
		}
	}
}

// leftOutOf is the set of kind/source_id of DIR/left-out.csv.
func leftOutOf(t *testing.T, dir string) map[string]bool {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "left-out.csv"))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	set := map[string]bool{}
	for _, row := range rows[1:] {
		set[row[1]+"/"+row[2]] = true
	}
	return set
}

// text is a fake's field as text: ids may be numbers.
func text(v any) string {
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

// Later, the program pulled again into the same DIR and imported with
// --skip-existing (as the README says): what the first import made is
// found there, and only the new customer and sale are sent, none twice.
func TestPullAgainThenImportSkipExisting(t *testing.T) {
	t.Parallel()
	f := fake.RewardfulSample(rewardfulSecret)
	dir := filepath.Join(t.TempDir(), "rewardful")
	srcEnv := map[string]string{"REWARDFUL_API_SECRET": rewardfulSecret}
	pullArgs := []string{"pull", "rewardful", "--out", dir, "--source-base-url", servedRewardful(t, f)}
	sb, base := startSandbox(t, sandbox.Options{})
	env := map[string]string{"PARTNERO_API_KEY": "k", "PARTNERO_BASE_URL": base}
	if r := runCLI(t, srcEnv, "", pullArgs...); r.code != exitOK {
		t.Fatalf("pull: exit %d\n%s", r.code, r.stderr)
	}
	if r := runCLI(t, env, "", "import", "--no-progress", "--rate", "0", dir); r.code != exitOK {
		t.Fatalf("import: exit %d\n%s", r.code, r.stderr)
	}
	customers, sales := len(sb.Customers()), len(sb.Transactions())

	// A month on: a new customer of Ada's, and its sale.
	f.Referrals = append(f.Referrals, map[string]any{"id": "r9", "conversion_state": "conversion",
		"affiliate": map[string]any{"id": "7c1d0a52-0000-4000-8000-000000000001"},
		"customer":  map[string]any{"id": "cus_9", "name": "Hal", "email": "hal@example.com"}})
	f.Commissions = append(f.Commissions, map[string]any{"id": "k9", "amount": 100, "currency": "EUR", "state": "due",
		"sale": map[string]any{"id": "s9", "charged_at": "2024-05-01T10:00:00Z", "sale_amount_cents": 1000, "currency": "EUR",
			"referral": map[string]any{"id": "r9"}}})
	if r := runCLI(t, srcEnv, "", pullArgs...); r.code != exitOK {
		t.Fatalf("pull again: exit %d\n%s", r.code, r.stderr)
	}
	r := runCLI(t, env, "", "import", "--no-progress", "--rate", "0", "--skip-existing", dir)
	if r.code != exitOK {
		t.Fatalf("import again: exit %d\n%s", r.code, r.stderr)
	}
	if got := len(sb.Customers()); got != customers+1 {
		t.Errorf("%d customers stored, want %d", got, customers+1)
	}
	keys := map[string]int{}
	for _, tx := range sb.Transactions() {
		keys[tx.Key]++
	}
	if len(sb.Transactions()) != sales+1 || keys["s9"] != 1 {
		t.Errorf("transactions stored: %v, want the %d before and s9", keys, sales)
	}
	for key, n := range keys {
		if n > 1 {
			t.Errorf("transaction %s stored %d times", key, n)
		}
	}
}
