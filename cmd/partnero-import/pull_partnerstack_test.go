package main

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/partnero-import/partnero-import/importer/pull/fake"
	"github.com/partnero-import/partnero-import/importer/sandbox"
)

const (
	partnerstackPublic = "pk_live_0c4e8a2b6d1f93"
	partnerstackSecret = "sk_live_7a1c5e9b3d0f2468"
)

// servedPartnerStack serves f over HTTP on 127.0.0.1; its API root.
func servedPartnerStack(t *testing.T, f *fake.PartnerStack) string {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return srv.URL + "/api/v2"
}

func partnerstackEnv(public, secret string) map[string]string {
	return map[string]string{"PARTNERSTACK_PUBLIC_KEY": public, "PARTNERSTACK_SECRET_KEY": secret}
}

// noKeysIn fails when either key, or the Basic authorization of both,
// shows in any file of dir or in what the command printed.
func noKeysIn(t *testing.T, dir string, r result, public, secret string) {
	t.Helper()
	noSecretIn(t, dir, r, public)
	noSecretIn(t, dir, r, secret)
	noSecretIn(t, dir, r, public+":"+secret)
	if basic := base64.StdEncoding.EncodeToString([]byte(public + ":" + secret)); strings.Contains(r.stderr+r.stdout, basic) {
		t.Errorf("the output shows the Basic authorization")
	}
}

// A program pulled from PartnerStack imports whole: every partnership
// with an email is a partner with its first link's key and its group, every
// customer but the test ones is under its partnership's partner, every
// transaction of a carried customer is stored once with its amount and the
// sum of its rewards not declined, and every other record of the source
// (a declined reward included) is a line of left-out.csv. The keys are
// nowhere.
func TestPullPartnerStackThenImport(t *testing.T) {
	t.Parallel()
	f := fake.PartnerStackSample(partnerstackPublic, partnerstackSecret)
	f.MaxPage = 3 // every list over several pages
	dir := filepath.Join(t.TempDir(), "partnerstack")
	r := runCLI(t, partnerstackEnv(partnerstackPublic, partnerstackSecret), "", "pull", "partnerstack", "--out", dir,
		"--source-base-url", servedPartnerStack(t, f))
	if r.code != exitOK {
		t.Fatalf("pull: exit %d\n%s", r.code, r.stderr)
	}
	golden(t, "pull_partnerstack_stderr.txt", strings.ReplaceAll(r.stderr, dir, "DIR"))
	noKeysIn(t, dir, r, partnerstackPublic, partnerstackSecret)

	sb, base := startSandbox(t, sandbox.Options{})
	imp := runCLI(t, map[string]string{"PARTNERO_API_KEY": "k", "PARTNERO_BASE_URL": base}, "", "import", "--no-progress", "--rate", "0", dir)
	if imp.code != exitOK {
		t.Fatalf("import: exit %d\n%s", imp.code, imp.stderr)
	}
	left := leftOutOf(t, dir)

	// Partners: the first partnership of each email, keyed by its first
	// link's last path segment, its group a tag.
	byEmail := map[string]sandbox.Partner{}
	for _, p := range sb.Partners() {
		byEmail[strings.ToLower(p.Email)] = p
	}
	wantKey := map[string]string{"ps1": "ada9x", "ps6": "di", "7": "eve"}
	partnerOf := map[string]sandbox.Partner{} // partnership key → its partner
	for _, s := range f.Partnerships {
		key, email := text(s["key"]), text(s["email"])
		p, ok := byEmail[strings.ToLower(email)]
		switch {
		case !ok && !left["partner/"+key]:
			t.Errorf("partnership %s is neither a partner nor left out", key)
		case ok && p.Email != email && !left["partner/"+key]:
			t.Errorf("partnership %s shares %s's email and is not left out", key, p.Email)
		case ok && p.Email == email && wantKey[key] != "" && p.Key != wantKey[key]:
			t.Errorf("partner %s has key %q; want %q", email, p.Key, wantKey[key])
		}
		if ok {
			partnerOf[key] = p
		}
	}
	if ada := byEmail["ada@example.com"]; !slices.Contains(ada.Tags, "link:ada-promo") || !slices.Contains(ada.Tags, "Gold") {
		t.Errorf("ada's tags %v; want her other link and her group", ada.Tags)
	}
	// Customers: under the partner of their partnership, keyed by
	// customer_key (else their own key).
	customers := map[string]sandbox.Customer{}
	for _, c := range sb.Customers() {
		customers[c.Key] = c
	}
	for _, c := range f.Customers {
		own, key := text(c["key"]), text(c["customer_key"])
		if key == "" {
			key = own
		}
		stored, ok := customers[key]
		switch {
		case c["test"] == true && (!left["customer/"+own] || ok && stored.Name == text(c["name"])):
			t.Errorf("test customer %s carried over", own)
		case !ok && !left["customer/"+own]:
			t.Errorf("customer %s neither stored nor left out", own)
		case ok && stored.Partner != partnerOf[text(c["partnership_key"])].ID && !left["customer/"+own]:
			t.Errorf("customer %s is under partner %s, not partnership %s's", key, stored.Partner, text(c["partnership_key"]))
		}
	}
	// Transactions: once each, with their amount and rewards.
	stored := map[string][]sandbox.Transaction{}
	for _, tx := range sb.Transactions() {
		stored[tx.Key] = append(stored[tx.Key], tx)
	}
	for _, x := range f.Transactions {
		key := text(x["key"])
		if txs := stored[key]; len(txs) > 1 {
			t.Errorf("transaction %s stored %d times", key, len(txs))
		} else if len(txs) == 0 && !left["transaction/"+key] {
			t.Errorf("transaction %s neither stored nor left out", key)
		}
	}
	for _, rw := range f.Rewards {
		tx := text(rw["transaction_key"])
		if o, ok := rw["transaction"].(map[string]any); ok {
			tx = text(o["key"])
		}
		if len(stored[tx]) == 0 && !left["transaction/"+tx] && !left["commission/"+text(rw["key"])] {
			t.Errorf("reward %s is neither in a stored transaction nor left out", text(rw["key"]))
		}
		if text(rw["status"]) == "declined" && !left["commission/"+text(rw["key"])] {
			t.Errorf("declined reward %s is not left out", text(rw["key"]))
		}
	}
	want := map[string]string{"tx1": "99.90 10.00 true cus_A", "tx2": "5000 500 false cust_2", "tx3": "30.00 0.00 false cus_C",
		"tx4": "12.345 1.500 false cus_D", "tx6": "20.00 0.00 false cus_E"}
	for key, w := range want {
		txs := stored[key]
		if len(txs) != 1 || strings.Join([]string{txs[0].Amount, txs[0].Reward, strconv.FormatBool(txs[0].Rewarded), txs[0].Customer}, " ") != w {
			t.Errorf("transaction %s stored as %+v; want %s", key, txs, w)
		}
	}
	if len(stored) != len(want) {
		t.Errorf("%d transactions stored; want %d", len(stored), len(want))
	}
}

// Refused keys, a paging that goes round: exit 2, one line that never
// says a key, and no program in DIR.
func TestPullPartnerStackFails(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, public, secret, want string
		vary                       func(*fake.PartnerStack)
	}{
		{"refused secret key", partnerstackPublic, "sk_live_wrong_9f8e7d6c5b", "partnerstack refused the credentials (401 Unauthorized): check PARTNERSTACK_PUBLIC_KEY and PARTNERSTACK_SECRET_KEY", func(*fake.PartnerStack) {}},
		{"partnerships go round", partnerstackPublic, partnerstackSecret, "the partnerstack partnerships pages go round", func(f *fake.PartnerStack) {
			f.RepeatPath, f.MaxPage = "/api/v2/partnerships", 2
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := fake.PartnerStackSample(partnerstackPublic, partnerstackSecret)
			tc.vary(f)
			dir := t.TempDir()
			r := runCLI(t, partnerstackEnv(tc.public, tc.secret), "", "pull", "partnerstack", "--out", dir, "--source-base-url", servedPartnerStack(t, f))
			if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) || strings.Count(r.stderr, "\n") != 1 {
				t.Fatalf("exit %d\n%s", r.code, r.stderr)
			}
			noKeysIn(t, dir, r, tc.public, tc.secret)
			if r := runCLI(t, nil, "", "validate", dir); r.code != exitUsage || !strings.Contains(r.stderr, "without a program's files") {
				t.Errorf("a failed pull's DIR: validate exit %d\n%s", r.code, r.stderr)
			}
		})
	}
}

// A failing links request (its path holds the partner's email, its answer
// quotes it), a refused page quoting a customer's email, a partnership
// whose email is not text: exit 2, one line naming the partnership by its
// key, and no email on stderr, raw or URL-escaped.
func TestPullPartnerStackSaysNoEmail(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, email, want string
		vary              func(*fake.PartnerStack)
	}{
		{"links refused", "ada@example.com", "GET /links/partnership/{email} of partnership ps1: partnerstack answered 422",
			func(f *fake.PartnerStack) { f.LinksStatus = http.StatusUnprocessableEntity }},
		{"a customers page refused", "carol@example.com", "GET /customers: partnerstack answered 400",
			func(f *fake.PartnerStack) { f.RefusePath, f.RefuseQuote = "/api/v2/customers", "carol@example.com" }},
		{"an email that is not text", "ada@example.com", "record 1: not a partnership: expected text or a number, got an object",
			func(f *fake.PartnerStack) { f.Partnerships[0]["email"] = map[string]any{"address": "ada@example.com"} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := fake.PartnerStackSample(partnerstackPublic, partnerstackSecret)
			tc.vary(f)
			r := runCLI(t, partnerstackEnv(partnerstackPublic, partnerstackSecret), "", "pull", "partnerstack", "--out", t.TempDir(),
				"--source-base-url", servedPartnerStack(t, f))
			if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) || strings.Count(r.stderr, "\n") != 1 {
				t.Fatalf("exit %d\n%s", r.code, r.stderr)
			}
			local, domain, _ := strings.Cut(tc.email, "@")
			for _, form := range []string{tc.email, local + "%40" + domain, local + "%2540" + domain, url.PathEscape(tc.email), url.QueryEscape(tc.email)} {
				if strings.Contains(strings.ToLower(r.stderr+r.stdout), form) {
					t.Errorf("the pull printed an email (%s):\n%s", form, r.stderr)
				}
			}
		})
	}
}
