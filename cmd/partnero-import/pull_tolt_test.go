package main

import (
	"encoding/base64"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/partnero-import/partnero-import/importer/pull/fake"
	"github.com/partnero-import/partnero-import/importer/sandbox"
)

const (
	toltKey     = "tolt_live_4b3a29c8d7e6f510"
	toltProgram = "prg_live42"
)

// servedTolt serves f over HTTP on 127.0.0.1; its API root.
func servedTolt(t *testing.T, f *fake.Tolt) string {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return srv.URL + "/v1"
}

// A program pulled from Tolt imports whole: every partner with an email
// is a partner keyed by its first link, every customer is under its
// partner, every commission neither rejected nor refunded is its
// transaction once with its amount, every other record of the source is
// a line of left-out.csv. The key is nowhere.
func TestPullToltThenImport(t *testing.T) {
	t.Parallel()
	f := fake.ToltSample(toltKey, toltProgram)
	dir := filepath.Join(t.TempDir(), "tolt")
	r := runCLI(t, map[string]string{"TOLT_API_KEY": toltKey}, "", "pull", "tolt", "--program-id", toltProgram, "--out", dir,
		"--source-base-url", servedTolt(t, f))
	if r.code != exitOK {
		t.Fatalf("pull: exit %d\n%s", r.code, r.stderr)
	}
	golden(t, "pull_tolt_stderr.txt", strings.ReplaceAll(r.stderr, dir, "DIR"))
	noToltKeyIn(t, dir, r, toltKey)

	sb, base := startSandbox(t, sandbox.Options{})
	imp := runCLI(t, map[string]string{"PARTNERO_API_KEY": "k", "PARTNERO_BASE_URL": base}, "", "import", "--no-progress", "--rate", "0", dir)
	if imp.code != exitOK {
		t.Fatalf("import: exit %d\n%s", imp.code, imp.stderr)
	}
	left := leftOutOf(t, dir)

	// Partners: the first partner of each email, keyed by its first link
	// whose value no earlier partner holds.
	byEmail := map[string]sandbox.Partner{}
	for _, p := range sb.Partners() {
		byEmail[strings.ToLower(p.Email)] = p
	}
	partnerOf := map[string]sandbox.Partner{} // Tolt partner id → its partner
	for _, tp := range f.Partners {
		id, email := text(tp["id"]), text(tp["email"])
		p, ok := byEmail[strings.ToLower(email)]
		switch {
		case !ok && !left["partner/"+id]:
			t.Errorf("partner %s is neither carried nor left out", id)
		case ok && p.Email != email && !left["partner/"+id]:
			t.Errorf("partner %s shares %s's email and is not left out", id, p.Email)
		}
		if ok {
			partnerOf[id] = p
		}
	}
	wantKeys := map[string]string{"ada@example.com": "ada", "bob@example.com": "bob-smith", "cy@example.com": "", "dee@example.com": "jose-d-arc"}
	for email, key := range wantKeys {
		if p := byEmail[email]; p.Key != key && (key != "" || p.Key == "") {
			t.Errorf("partner %s has key %q; want %q", email, p.Key, key)
		}
	}
	if tags := byEmail["ada@example.com"].Tags; !slices.Contains(tags, "ref:ada-two") || !slices.Contains(tags, "grp_main") {
		t.Errorf("ada's tags %v: want her second link and her group", tags)
	}
	if len(byEmail) != len(wantKeys) {
		t.Errorf("%d partners stored; want %d", len(byEmail), len(wantKeys))
	}
	// Customers: under their partner's partner.
	customers := map[string]sandbox.Customer{}
	for _, c := range sb.Customers() {
		customers[c.Key] = c
	}
	for _, c := range f.Customers {
		key := text(c["id"])
		stored, ok := customers[key]
		switch {
		case !ok && !left["customer/"+key]:
			t.Errorf("customer %s neither stored nor left out", key)
		case ok && stored.Partner != partnerOf[text(c["partner_id"])].ID:
			t.Errorf("customer %s is under partner %s, not %s's", key, stored.Partner, text(c["partner_id"]))
		}
	}
	// Transactions: one per Tolt transaction, with its amount and reward.
	stored := map[string][]sandbox.Transaction{}
	for _, tx := range sb.Transactions() {
		stored[tx.Key] = append(stored[tx.Key], tx)
	}
	for _, c := range f.Commissions {
		key := text(c["transaction_id"])
		if key == "" {
			key = text(c["charge_id"])
		}
		if len(stored[key]) == 0 && !left["transaction/"+key] {
			t.Errorf("commission %s (transaction %s) neither stored nor left out", text(c["id"]), key)
		}
	}
	want := map[string]string{"tx_1": "99.9 9.9 true cus_1", "tx_2": " 5 false cus_2", "tx_3": "15 1.5 false cus_5",
		"ch_com_8": "25 2.5 false cus_1", "tx_10": "100 10 true cus_6"}
	for key, w := range want {
		txs := stored[key]
		if len(txs) != 1 {
			t.Errorf("transaction %s stored %d times", key, len(txs))
			continue
		}
		if got := strings.Join([]string{num(txs[0].Amount), num(txs[0].Reward), boolText(txs[0].Rewarded), txs[0].Customer}, " "); got != w {
			t.Errorf("transaction %s stored as %q; want %q", key, got, w)
		}
	}
	if len(stored) != len(want) {
		t.Errorf("%d transactions stored; want %d", len(stored), len(want))
	}
}

// A refused key, an unknown program, pages that go round: exit 2, one
// line that never says the key, and no program in DIR.
func TestPullToltFails(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, key, program, want string
		vary                     func(*fake.Tolt)
	}{
		{"refused key", "tolt_wrong_77aa88bb99", toltProgram, "tolt refused the credentials (401 Unauthorized): check TOLT_API_KEY", func(*fake.Tolt) {}},
		{"unknown program", toltKey, "prg_nope", "No such program: prg_nope", func(*fake.Tolt) {}},
		{"partners go round", toltKey, toltProgram, "the tolt partners pages go round", func(f *fake.Tolt) { f.RepeatPath = "/v1/partners" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := fake.ToltSample(toltKey, toltProgram)
			tc.vary(f)
			dir := t.TempDir()
			r := runCLI(t, map[string]string{"TOLT_API_KEY": tc.key}, "", "pull", "tolt", "--program-id", tc.program, "--out", dir,
				"--source-base-url", servedTolt(t, f))
			if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) || strings.Count(r.stderr, "\n") != 1 {
				t.Fatalf("exit %d\n%s", r.code, r.stderr)
			}
			noToltKeyIn(t, dir, r, tc.key)
			if r := runCLI(t, nil, "", "validate", dir); r.code != exitUsage || !strings.Contains(r.stderr, "without a program's files") {
				t.Errorf("a failed pull's DIR: validate exit %d\n%s", r.code, r.stderr)
			}
		})
	}
}

func TestPullToltUsage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"pull", "tolt", "--out", "x"}, map[string]string{"TOLT_API_KEY": "k"}, "partnero-import: pull tolt needs --program-id prg_..., the Tolt program to pull"},
		{[]string{"pull", "tolt", "--out", "x", "--program-id", toltProgram}, nil, "partnero-import: pull tolt needs TOLT_API_KEY in the environment\n"},
	} {
		r := runCLI(t, tc.env, "", tc.args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: exit %d\n%s", tc.args, r.code, r.stderr)
		}
	}
}

// noToltKeyIn fails when the key, or its base64, shows in any file of dir
// or in what the command printed.
func noToltKeyIn(t *testing.T, dir string, r result, key string) {
	t.Helper()
	noSecretIn(t, dir, r, key)
	if b64 := base64.StdEncoding.EncodeToString([]byte("Bearer " + key)); strings.Contains(r.stderr+r.stdout, b64) {
		t.Errorf("the output shows the key's Authorization in base64")
	}
}

// num is a stored JSON number as the test writes it: "99.90" is "99.9".
func num(s string) string {
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

func boolText(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
