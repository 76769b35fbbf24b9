package main

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/partnero-import/partnero-import/importer/pull/fake"
	"github.com/partnero-import/partnero-import/importer/sandbox"
)

const tapfiliateKey = "tap_live_0c4e8a2b6d1f93"

func servedTapfiliate(t *testing.T, f *fake.Tapfiliate) string {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return srv.URL + "/1.6"
}

// A program pulled from Tapfiliate imports whole, judged from both
// stores: every affiliate with an email is a partner keyed by its id (the
// ?ref= value) under its MLM parent's partner, every customer under its
// affiliate's partner, every conversion with a commission of its
// affiliate's is one transaction with its amount and reward, and every
// other record of the source is a line of left-out.csv. The key is
// nowhere.
func TestPullTapfiliateThenImport(t *testing.T) {
	t.Parallel()
	f := fake.TapfiliateSample(tapfiliateKey)
	dir := filepath.Join(t.TempDir(), "tapfiliate")
	r := runCLI(t, map[string]string{"TAPFILIATE_API_KEY": tapfiliateKey}, "", "pull", "tapfiliate", "--out", dir,
		"--source-base-url", servedTapfiliate(t, f))
	if r.code != exitOK {
		t.Fatalf("pull: exit %d\n%s", r.code, r.stderr)
	}
	golden(t, "pull_tapfiliate_stderr.txt", strings.ReplaceAll(r.stderr, dir, "DIR"))
	noSecretIn(t, dir, r, tapfiliateKey)

	sb, base := startSandbox(t, sandbox.Options{})
	imp := runCLI(t, map[string]string{"PARTNERO_API_KEY": "k", "PARTNERO_BASE_URL": base}, "", "import", "--no-progress", "--rate", "0", dir)
	if imp.code != exitOK {
		t.Fatalf("import: exit %d\n%s", imp.code, imp.stderr)
	}
	left := leftOutOf(t, dir)

	// Partners: keyed by the affiliate id; the first affiliate of an email.
	byKey, byEmail := map[string]sandbox.Partner{}, map[string]sandbox.Partner{}
	for _, p := range sb.Partners() {
		byKey[p.Key], byEmail[strings.ToLower(p.Email)] = p, p
	}
	partnerOf := map[string]sandbox.Partner{} // affiliate id → its partner
	for _, a := range f.Affiliates {
		id := text(a["id"])
		p, ok := byKey[id]
		switch {
		case ok && !strings.EqualFold(p.Email, text(a["email"])):
			t.Errorf("partner %s has email %s, not its affiliate's", id, p.Email)
		case !ok && !left["partner/"+id]:
			t.Errorf("affiliate %s is neither a partner nor left out", id)
		}
		if first, ok := byEmail[strings.ToLower(text(a["email"]))]; ok {
			partnerOf[id] = first
		}
	}
	for _, a := range f.Affiliates {
		id, parent := text(a["id"]), text(a["parent_id"])
		if m, ok := a["parent_id"].(map[string]any); ok {
			parent = text(m["id"])
		}
		p, carried := byKey[id]
		switch {
		case !carried:
		case parent == "" && p.Referrer != "":
			t.Errorf("partner %s has referrer %s; its affiliate has no parent", id, p.Referrer)
		case parent != "" && partnerOf[parent].ID != "" && p.Referrer != partnerOf[parent].ID:
			t.Errorf("partner %s has referrer %q; want %s's partner %s", id, p.Referrer, parent, partnerOf[parent].ID)
		case parent != "" && partnerOf[parent].ID == "" && (p.Referrer != "" || !left["referrer/"+id]):
			t.Errorf("partner %s: its parent %s was not carried, yet referrer %q, left out %v", id, parent, p.Referrer, left["referrer/"+id])
		}
	}

	// Customers: keyed by customer_id (else id), under their affiliate's
	// partner; the first listing of a key wins, and a line of left-out.csv
	// names the record it left out by its own id.
	customers := map[string]sandbox.Customer{}
	for _, c := range sb.Customers() {
		customers[c.Key] = c
	}
	seen := map[string]bool{}
	for _, c := range f.Customers {
		key := text(c["customer_id"])
		if key == "" {
			key = text(c["id"])
		}
		stored, ok := customers[key]
		affiliate := ""
		if m, isObj := c["affiliate"].(map[string]any); isObj {
			affiliate = text(m["id"])
		}
		switch {
		case !ok || seen[key]:
			if id := cmp.Or(text(c["id"]), key); !left["customer/"+id] { // a line names its record by its own id
				t.Errorf("customer %s (%s) neither stored nor left out", id, key)
			}
		case stored.Partner != partnerOf[affiliate].ID:
			t.Errorf("customer %s is under partner %s, not %s's (%s)", key, stored.Partner, affiliate, partnerOf[affiliate].ID)
		}
		seen[key] = true
	}

	// Transactions: one per conversion carried, with its amount and its
	// affiliate's commissions as the reward; of 103, paid in part, only
	// the unpaid one (the paid one is a line of left-out.csv).
	stored := map[string][]sandbox.Transaction{}
	for _, tx := range sb.Transactions() {
		stored[tx.Key] = append(stored[tx.Key], tx)
	}
	for _, c := range f.Conversions {
		key := text(c["id"])
		if len(stored[key]) == 0 && !left["transaction/"+key] {
			t.Errorf("conversion %s neither stored nor left out", key)
		}
	}
	want := map[string]string{ // amount reward units rewarded customer
		"101": "99.90 9.99 EUR true cus_001", "102": "5000 500 JPY false cus_002",
		"103": "40.00 4.00 EUR false cu_3", "106": " 2.50 EUR true cus_006",
	}
	for key, w := range want {
		txs := stored[key]
		if len(txs) != 1 {
			t.Errorf("conversion %s stored %d times", key, len(txs))
			continue
		}
		tx := txs[0]
		if got := strings.Join([]string{tx.Amount, tx.Reward, tx.Units, strconv.FormatBool(tx.Rewarded), tx.Customer}, " "); got != w {
			t.Errorf("conversion %s stored as %q; want %q", key, got, w)
		}
	}
	if len(stored) != len(want) || len(customers) != 4 || len(byKey) != 5 {
		t.Errorf("%d transactions, %d customers, %d partners stored; want %d, 4, 5", len(stored), len(customers), len(byKey), len(want))
	}
}

// A refused key, pages that go round: exit 2, one line that never says
// the key, and no program in DIR.
func TestPullTapfiliateFails(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, key, want string
		vary            func(*fake.Tapfiliate)
	}{
		{"refused key", "tap_wrong_9f8e7d6c5b", "tapfiliate refused the credentials (401 Unauthorized): check TAPFILIATE_API_KEY", func(*fake.Tapfiliate) {}},
		{"conversions go round", tapfiliateKey, "the tapfiliate conversions pages go round", func(f *fake.Tapfiliate) { f.RepeatPath = "/1.6/conversions/" }},
		// Amounts read as cents (the default) that are not: stop, say how to go on.
		{"amounts not in cents", tapfiliateKey, "conversion 101, field amount: 99.9 has decimals, so Tapfiliate answered amounts that are not in cents " +
			"(pull reads them as cents); if its amounts are in major units, pull again with --amounts-in major",
			func(f *fake.Tapfiliate) { f.InMajorUnits() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := fake.TapfiliateSample(tapfiliateKey)
			tc.vary(f)
			dir := t.TempDir()
			r := runCLI(t, map[string]string{"TAPFILIATE_API_KEY": tc.key}, "", "pull", "tapfiliate", "--out", dir, "--source-base-url", servedTapfiliate(t, f))
			if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) || strings.Count(r.stderr, "\n") != 1 {
				t.Fatalf("exit %d\n%s", r.code, r.stderr)
			}
			noSecretIn(t, dir, r, tc.key)
			if r := runCLI(t, nil, "", "validate", dir); r.code != exitUsage || !strings.Contains(r.stderr, "without a program's files") {
				t.Errorf("a failed pull's DIR: validate exit %d\n%s", r.code, r.stderr)
			}
		})
	}
}

// --amounts-in major reads Tapfiliate's amounts as major units: the sample
// served in major units pulls into the same sums as served in cents. Any
// other source, or another unit, is refused: exit 2, one line, no DIR.
func TestPullAmountsIn(t *testing.T) {
	t.Parallel()
	cents := filepath.Join(t.TempDir(), "cents")
	if r := runCLI(t, map[string]string{"TAPFILIATE_API_KEY": tapfiliateKey}, "", "pull", "tapfiliate", "--out", cents,
		"--source-base-url", servedTapfiliate(t, fake.TapfiliateSample(tapfiliateKey))); r.code != exitOK {
		t.Fatalf("pull in cents: exit %d\n%s", r.code, r.stderr)
	}
	major := filepath.Join(t.TempDir(), "major")
	if r := runCLI(t, map[string]string{"TAPFILIATE_API_KEY": tapfiliateKey}, "", "pull", "tapfiliate", "--amounts-in", "major", "--out", major,
		"--source-base-url", servedTapfiliate(t, fake.TapfiliateSample(tapfiliateKey).InMajorUnits())); r.code != exitOK {
		t.Fatalf("pull --amounts-in major: exit %d\n%s", r.code, r.stderr)
	}
	sums := func(dir string) string { // each transaction's key, amount and reward as numbers
		var b strings.Builder
		file, err := os.ReadFile(filepath.Join(dir, "transactions.jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(file)), "\n") {
			var tx struct{ Key, Amount, Reward string }
			if err := json.Unmarshal([]byte(line), &tx); err != nil {
				t.Fatal(err)
			}
			a, _ := new(big.Rat).SetString(cmp.Or(tx.Amount, "0"))
			r, _ := new(big.Rat).SetString(tx.Reward)
			fmt.Fprintf(&b, "%s %s %s\n", tx.Key, a.RatString(), r.RatString())
		}
		return b.String()
	}
	if got, want := sums(major), sums(cents); got != want || got == "" {
		t.Errorf("read in major units:\n%s\nwant, as in cents:\n%s", got, want)
	}

	for _, tc := range []struct{ source, unit, want string }{
		{"rewardful", "cents", "--amounts-in is for tapfiliate only: rewardful says what unit its amounts are in"},
		{"firstpromoter", "major", "--amounts-in is for tapfiliate only: firstpromoter says what unit its amounts are in"},
		{"tapfiliate", "dollars", `--amounts-in "dollars": say cents (the default) or major`},
	} {
		dir := filepath.Join(t.TempDir(), "out")
		r := runCLI(t, map[string]string{"TAPFILIATE_API_KEY": tapfiliateKey}, "", "pull", tc.source, "--amounts-in", tc.unit, "--out", dir)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("pull %s --amounts-in %s: exit %d\n%s", tc.source, tc.unit, r.code, r.stderr)
		}
		if _, err := os.Stat(dir); err == nil {
			t.Errorf("pull %s --amounts-in %s made %s", tc.source, tc.unit, dir)
		}
	}
}
