package main

import (
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/partnero-import/partnero-import/importer/pull/fake"
	"github.com/partnero-import/partnero-import/importer/sandbox"
)

const (
	fpKey     = "fp_live_9c1e5a7b3d2f4e60"
	fpAccount = "acc_3f2e1d0c9b"
)

// servedFirstPromoter serves f over HTTP on 127.0.0.1; its API root.
func servedFirstPromoter(t *testing.T, f *fake.FirstPromoter) string {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return srv.URL + "/api/v2/company"
}

func fpEnv(key, account string) map[string]string {
	return map[string]string{"FIRSTPROMOTER_API_KEY": key, "FIRSTPROMOTER_ACCOUNT_ID": account}
}

// A program pulled from FirstPromoter imports whole, judged from both
// stores: every promoter with an email is a partner with its first
// accepted campaign's token as key and its parent as referrer, every
// referral's customer is under its promoter's partner, every cash
// commission is one transaction with its amounts, and every other record
// of the source is a line of left-out.csv. No credential is anywhere.
func TestPullFirstPromoterThenImport(t *testing.T) {
	t.Parallel()
	f := fake.FirstPromoterSample(fpKey, fpAccount)
	dir := filepath.Join(t.TempDir(), "firstpromoter")
	r := runCLI(t, fpEnv(fpKey, fpAccount), "", "pull", "firstpromoter", "--out", dir, "--source-base-url", servedFirstPromoter(t, f))
	if r.code != exitOK {
		t.Fatalf("pull: exit %d\n%s", r.code, r.stderr)
	}
	golden(t, "pull_firstpromoter_stderr.txt", strings.ReplaceAll(r.stderr, dir, "DIR"))
	noSecretIn(t, dir, r, fpKey)
	noSecretIn(t, dir, r, fpAccount)

	sb, base := startSandbox(t, sandbox.Options{})
	imp := runCLI(t, map[string]string{"PARTNERO_API_KEY": "k", "PARTNERO_BASE_URL": base}, "", "import", "--no-progress", "--rate", "0", dir)
	if imp.code != exitOK {
		t.Fatalf("import: exit %d\n%s", imp.code, imp.stderr)
	}
	left := leftOutOf(t, dir)

	byEmail, byID := map[string]sandbox.Partner{}, map[string]sandbox.Partner{}
	for _, p := range sb.Partners() {
		byEmail[strings.ToLower(p.Email)], byID[p.ID] = p, p
	}
	partnerOf := map[string]sandbox.Partner{} // promoter id → its partner
	for _, m := range f.Promoters {
		id, email := text(m["id"]), text(m["email"])
		p, ok := byEmail[strings.ToLower(email)]
		if !ok || p.Email != email {
			if !left["partner/"+id] {
				t.Errorf("promoter %s is neither a partner nor left out", id)
			}
			if ok {
				partnerOf[id] = p
			}
			continue
		}
		partnerOf[id] = p
		if want := firstAccepted(m); p.Key != want && want != "" {
			t.Errorf("partner %s has key %q, not its first accepted campaign's token %q", email, p.Key, want)
		}
		parent, _ := m["parent_promoter"].(map[string]any)
		switch pe := strings.ToLower(text(parent["email"])); {
		case pe == "" && p.Referrer != "":
			t.Errorf("partner %s has a referrer, its promoter no parent with an email", email)
		case pe != "" && byEmail[pe].ID != p.Referrer:
			t.Errorf("partner %s is referred by %q, not by its parent %s", email, byID[p.Referrer].Email, pe)
		}
	}

	customers := map[string]sandbox.Customer{}
	for _, c := range sb.Customers() {
		customers[c.Key] = c
	}
	for _, ref := range f.Referrals {
		id := text(ref["id"])
		key := text(ref["uid"])
		if key == "" {
			key = id
		}
		c, stored := customers[key]
		var promoter string
		if pc, _ := ref["promoter_campaign"].(map[string]any); pc != nil {
			promoter = text(pc["promoter"].(map[string]any)["id"])
		}
		switch {
		case left["customer/"+id]:
		case !stored:
			t.Errorf("referral %s: customer %s neither stored nor left out", id, key)
		case c.Partner != partnerOf[promoter].ID && !(promoter == "99" && byID[c.Partner].Email == "gus@example.com"):
			t.Errorf("customer %s is under partner %s, not promoter %s's", key, byID[c.Partner].Email, promoter)
		}
	}

	stored := map[string][]sandbox.Transaction{}
	for _, tx := range sb.Transactions() {
		stored[tx.Key] = append(stored[tx.Key], tx)
	}
	for _, c := range f.Commissions {
		id, key := text(c["id"]), text(c["id"]) // a commission naming its sale is stored under the sale's key
		if sale, _ := c["sale"].(map[string]any); sale != nil {
			key = text(sale["id"])
		} else if event := text(c["event_id"]); event != "" {
			key = event
		}
		if txs := stored[key]; len(txs) != 1 && !left["transaction/"+id] {
			t.Errorf("commission %s stored %d times as %s and not left out", id, len(txs), key)
		}
	}
	// Each sale once, its reward the referring promoter's commission
	// (not its parent's tier-2 one, not the sum). Cy's sales (210, evt_9)
	// are not: FirstPromoter rejected Cy, so Cy and its customer are left out.
	want := map[string]string{"201": "99.90 9.90 EUR true", "ch_202": "5000 500 JPY false", "208": "125.00 12.50  true",
		"209": "12.345 1.500 KWD false", "evt_10": "80.00 8.00  true"}
	for key, w := range want {
		txs := stored[key]
		if len(txs) != 1 || strings.Join([]string{txs[0].Amount, txs[0].Reward, txs[0].Units, strconv.FormatBool(txs[0].Rewarded)}, " ") != w {
			t.Errorf("commission %s stored as %+v; want %s", key, txs, w)
		}
	}
	if len(stored) != len(want) {
		t.Errorf("%d commissions stored; want %d", len(stored), len(want))
	}
}

// firstAccepted is the token of a promoter's first accepted campaign.
func firstAccepted(m map[string]any) string {
	cs, _ := m["promoter_campaigns"].([]any)
	for _, c := range cs {
		if c := c.(map[string]any); c["state"] == "accepted" {
			return text(c["ref_token"])
		}
	}
	return ""
}

// A refused key or account: exit 2, one line naming both variables and
// neither value, and no program in DIR.
func TestPullFirstPromoterRefused(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, key, account, want string }{
		{"key", "fp_wrong_1a2b3c4d5e6f", fpAccount, "firstpromoter refused the credentials (401 Unauthorized): check FIRSTPROMOTER_API_KEY and FIRSTPROMOTER_ACCOUNT_ID"},
		{"account", fpKey, "acc_wrong_77889900", "firstpromoter refused the credentials (403 Forbidden): check FIRSTPROMOTER_API_KEY and FIRSTPROMOTER_ACCOUNT_ID"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := fake.FirstPromoterSample(fpKey, fpAccount)
			dir := t.TempDir()
			r := runCLI(t, fpEnv(tc.key, tc.account), "", "pull", "firstpromoter", "--out", dir, "--source-base-url", servedFirstPromoter(t, f))
			if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) || strings.Count(r.stderr, "\n") != 1 {
				t.Fatalf("exit %d\n%s", r.code, r.stderr)
			}
			noSecretIn(t, dir, r, tc.key)
			noSecretIn(t, dir, r, tc.account)
			if r := runCLI(t, nil, "", "validate", dir); r.code != exitUsage || !strings.Contains(r.stderr, "without a program's files") {
				t.Errorf("a failed pull's DIR: validate exit %d\n%s", r.code, r.stderr)
			}
		})
	}
}

// A promoter whose parent promoter is itself under another record (a
// later promoter of the same email, in another case) is carried over
// without a referrer, the tie a line of left-out.csv: written with itself
// as referrer, import refused it as a referral cycle and lost it with its
// customers. Found by TestPulledProgramsImportWhole.
func TestPullFirstPromoterParentIsItselfUnderAnotherEmailCase(t *testing.T) {
	t.Parallel()
	campaign := []any{map[string]any{"campaign": map[string]any{"name": "Main"}, "ref_token": "ada", "state": "accepted"}}
	f := &fake.FirstPromoter{Key: fpKey, Account: fpAccount,
		Promoters: []map[string]any{
			{"id": 1, "email": "ada@example.com", "name": "Ada Lovelace", "promoter_campaigns": campaign,
				"parent_promoter": map[string]any{"id": 2, "email": "ADA@example.com"}},
			{"id": 2, "email": "ADA@example.com", "name": "Ada Again"},
		},
		Referrals: []map[string]any{{"id": 11, "uid": "cus_1", "email": "carol@example.com", "state": "active",
			"promoter_campaign": map[string]any{"promoter": map[string]any{"id": 1}}}},
	}
	dir := filepath.Join(t.TempDir(), "firstpromoter")
	if r := runCLI(t, fpEnv(fpKey, fpAccount), "", "pull", "firstpromoter", "--out", dir, "--source-base-url", servedFirstPromoter(t, f)); r.code != exitOK {
		t.Fatalf("pull: exit %d\n%s", r.code, r.stderr)
	}
	sb, base := startSandbox(t, sandbox.Options{})
	if imp := runCLI(t, map[string]string{"PARTNERO_API_KEY": "k", "PARTNERO_BASE_URL": base}, "", "import", "--no-progress", "--rate", "0", dir); imp.code != exitOK {
		t.Fatalf("import: exit %d\n%s", imp.code, imp.stderr)
	}
	partners, customers := sb.Partners(), sb.Customers()
	if len(partners) != 1 || partners[0].Key != "ada" || partners[0].Referrer != "" {
		t.Errorf("partners stored: %+v; want ada, without a referrer", partners)
	}
	if len(customers) != 1 || len(partners) == 1 && customers[0].Partner != partners[0].ID {
		t.Errorf("customers stored: %+v; want cus_1 under ada", customers)
	}
	if left := leftOutOf(t, dir); !left["referrer/1"] || !left["partner/2"] {
		t.Errorf("left-out.csv: %v; want the tie of promoter 1 and promoter 2 itself", left)
	}
}
