package pull_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/partnero-import/partnero-import/importer/pull"
	"github.com/partnero-import/partnero-import/importer/pull/fake"
)

// A pulled partner means at Partnero what it meant at the source: one the
// source never accepted is left out (inactive), one otherwise not active
// is tagged status:STATE and counted in the summary, and a first link
// whose value is not the partner's key gets a line of its own.
func TestPulledPartnersKeepTheirMeaning(t *testing.T) {
	t.Parallel()
	pullers := map[string]func(t *testing.T, dir string) (*pull.Out, error){
		"rewardful": func(t *testing.T, dir string) (*pull.Out, error) {
			return pullInto(t, fake.RewardfulSample(testSecret), testSecret, dir, time.Millisecond)
		},
		"firstpromoter": func(t *testing.T, dir string) (*pull.Out, error) {
			return pullFirstPromoter(t, fake.FirstPromoterSample(fpKey, fpAccount), fpKey, fpAccount, dir, time.Millisecond)
		},
		"tolt": func(t *testing.T, dir string) (*pull.Out, error) {
			return pullTolt(t, fake.ToltSample(toltKey, toltProgram), toltKey, toltProgram, dir, time.Millisecond)
		},
		// Tolt's sample with Bob's "bob smith" also Eve's real value
		// "bob-smith": Eve, listed after Bob, keeps it.
		"tolt, a slug that is another's real value": func(t *testing.T, dir string) (*pull.Out, error) {
			f := fake.ToltSample(toltKey, toltProgram)
			f.Partners = append(f.Partners, map[string]any{"id": "part_9", "first_name": "Eve", "email": "eve@example.com", "status": "active"})
			f.Links = append(f.Links, map[string]any{"id": "lnk_9", "param": "ref", "value": "bob-smith", "partner_id": "part_9"})
			return pullTolt(t, f, toltKey, toltProgram, dir, time.Millisecond)
		},
		// Rewardful's sample with Bob's first token one Partnero refuses as
		// a key, and a Tapfiliate affiliate whose id (its ?ref=) is one.
		"rewardful, a token Partnero refuses": func(t *testing.T, dir string) (*pull.Out, error) {
			f := fake.RewardfulSample(testSecret)
			f.Affiliates[1]["links"] = []any{map[string]any{"id": "l-b1", "token": "bob smith"}, map[string]any{"id": "l-b2", "token": "bob"}}
			return pullInto(t, f, testSecret, dir, time.Millisecond)
		},
		// Rewardful's sample with a sale of Bob's referral r8, whose
		// customer cus_1 was carried under Ada (referral r1).
		"rewardful, a customer of two affiliates": func(t *testing.T, dir string) (*pull.Out, error) {
			f := fake.RewardfulSample(testSecret)
			f.Commissions = append(f.Commissions, map[string]any{"id": "k9", "amount": 300, "currency": "EUR", "state": "due",
				"sale": map[string]any{"id": "s9", "charged_at": "2024-05-01T10:00:00Z", "sale_amount_cents": 3000, "currency": "EUR",
					"referral": map[string]any{"id": "r8", "affiliate": map[string]any{"id": "7c1d0a52-0000-4000-8000-000000000002"},
						"customer": map[string]any{"id": "cus_1"}}}},
				// of the affiliate left out for want of an email
				map[string]any{"id": "k10", "amount": 200, "currency": "EUR", "state": "due",
					"sale": map[string]any{"id": "s10", "charged_at": "2024-05-02T10:00:00Z", "sale_amount_cents": 2000, "currency": "EUR",
						"referral": map[string]any{"id": "r10", "affiliate": map[string]any{"id": "7c1d0a52-0000-4000-8000-000000000003"},
							"customer": map[string]any{"id": "cus_1"}}}})
			return pullInto(t, f, testSecret, dir, time.Millisecond)
		},
		// Tolt's sample with a partner whose only link has nothing to
		// make a key of.
		"tolt, a link of no key": func(t *testing.T, dir string) (*pull.Out, error) {
			f := fake.ToltSample(toltKey, toltProgram)
			f.Partners = append(f.Partners, map[string]any{"id": "part_8", "first_name": "Hal", "email": "hal@example.com", "status": "active"})
			f.Links = append(f.Links, map[string]any{"id": "lnk_8", "param": "ref", "value": "!!!", "partner_id": "part_8"})
			return pullTolt(t, f, toltKey, toltProgram, dir, time.Millisecond)
		},
		// Tapfiliate's sample with a second affiliate under Jane's id: not
		// Jane listed again (another email), so it has its line.
		"tapfiliate, an id of two affiliates": func(t *testing.T, dir string) (*pull.Out, error) {
			f := fake.TapfiliateSample(tapfiliateKey)
			f.Affiliates = append(f.Affiliates, map[string]any{"id": "janejameson", "firstname": "Dup", "email": "dupjane@example.com"})
			return pullTapfiliate(t, f, tapfiliateKey, dir)
		},
		"tapfiliate, an id Partnero refuses": func(t *testing.T, dir string) (*pull.Out, error) {
			f := fake.TapfiliateSample(tapfiliateKey)
			f.Affiliates = append(f.Affiliates, map[string]any{"id": "zoë", "firstname": "Zoe", "email": "zoe@example.com"})
			return pullTapfiliate(t, f, tapfiliateKey, dir)
		},
		// FirstPromoter's sample with Ada (listed before Cy) and Gus (after)
		// children of Cy, whom FirstPromoter rejected.
		"firstpromoter, children of a rejected promoter": func(t *testing.T, dir string) (*pull.Out, error) {
			f := fake.FirstPromoterSample(fpKey, fpAccount)
			for _, i := range []int{0, 6} {
				f.Promoters[i]["parent_promoter"] = map[string]any{"id": 5, "email": "cy@example.com", "name": "Cy"}
			}
			// and Cy again, accepted: Cy's customers stay left out with Cy.
			f.Promoters = append(f.Promoters, map[string]any{"id": 19, "email": "CY@example.com", "name": "Cy Again",
				"promoter_campaigns": []any{map[string]any{"ref_token": "cy-2", "state": "accepted"}}})
			return pullFirstPromoter(t, f, fpKey, fpAccount, dir, time.Millisecond)
		},
		// Tapfiliate's sample with a conversion of Jane's for Kim's
		// customer cus_002, and one of Jane's second record (one email,
		// one partner) for Jane's customer cus_001.
		"tapfiliate, a conversion of another affiliate": func(t *testing.T, dir string) (*pull.Out, error) {
			f := fake.TapfiliateSample(tapfiliateKey)
			regular := map[string]any{"amount": 700, "currency": "EUR", "kind": "regular", "approved": true}
			f.Conversions = append(f.Conversions,
				map[string]any{"id": 120, "amount": 7000, "customer": map[string]any{"customer_id": "cus_002"},
					"affiliate": map[string]any{"id": "janejameson"}, "commissions": []any{regular}},
				map[string]any{"id": 121, "amount": 7000, "customer": map[string]any{"customer_id": "cus_001"},
					"affiliate": "janetwo", "commissions": []any{regular}})
			return pullTapfiliate(t, f, tapfiliateKey, dir)
		},
		// PartnerStack's sample with a transaction of Ada's customer cus_A
		// rewarded to Di, to Ada's second record (one partner) and to Ada.
		"partnerstack, a reward of another partnership": func(t *testing.T, dir string) (*pull.Out, error) {
			f := fake.PartnerStackSample(testPublicKey, testSecretKey)
			f.Transactions = append(f.Transactions, map[string]any{"key": "tx8", "amount": 5000, "currency": "USD",
				"customer_key": "cus_A", "created_at": 1709287200000})
			for _, r := range []struct {
				key, partnership string
				cents            int
			}{{"rw20", "ps6", 900}, {"rw21", "ps5", 200}, {"rw22", "ps1", 100}} {
				f.Rewards = append(f.Rewards, map[string]any{"key": r.key, "amount": r.cents, "status": "approved",
					"transaction_key": "tx8", "partnership_key": r.partnership})
			}
			return pullPartnerStack(t, f, testPublicKey, testSecretKey, dir, time.Millisecond)
		},
		// Tolt's sample with a commission of Dee's for Ada's customer
		// cus_1, and one of Ada's second record (one partner).
		"tolt, a commission of another partner": func(t *testing.T, dir string) (*pull.Out, error) {
			f := fake.ToltSample(toltKey, toltProgram)
			f.Commissions = append(f.Commissions,
				map[string]any{"id": "com_20", "amount": "900", "revenue": "9000", "status": "approved", "transaction_id": "tx_20",
					"partner_id": "part_6", "customer_id": "cus_1", "customer": map[string]any{"id": "cus_1"}},
				map[string]any{"id": "com_21", "amount": "100", "revenue": "1000", "status": "approved", "transaction_id": "tx_21",
					"partner": map[string]any{"id": "part_5"}, "customer_id": "cus_1"},
				// of the partner left out for want of an email
				map[string]any{"id": "com_22", "amount": "300", "revenue": "3000", "status": "approved", "transaction_id": "tx_22",
					"partner_id": "3f2c7a10-0000-4000-8000-00000000000c", "customer_id": "cus_1"})
			return pullTolt(t, f, toltKey, toltProgram, dir, time.Millisecond)
		},
		// Rewardful's sample with an affiliate whose first link is Ada's.
		"rewardful, a first link taken": func(t *testing.T, dir string) (*pull.Out, error) {
			f := fake.RewardfulSample(testSecret)
			f.Affiliates = append(f.Affiliates, map[string]any{"id": "zed-1", "first_name": "Zed", "email": "zed@example.com", "state": "active",
				"links": []any{map[string]any{"id": "lnk-z1", "token": "ada"}, map[string]any{"id": "lnk-z2", "token": "zed"}}})
			return pullInto(t, f, testSecret, dir, time.Millisecond)
		},
		// PartnerStack's sample with Bob pending, Cy declined, and Di's
		// first link Ada's.
		"partnerstack": func(t *testing.T, dir string) (*pull.Out, error) {
			f := fake.PartnerStackSample(testPublicKey, testSecretKey)
			f.Partnerships[1]["approved_status"], f.Partnerships[3]["approved_status"] = "pending", "declined"
			f.Links["di@example.com"] = []any{map[string]any{"key": "l4", "url": "https://try.example.com/ada9x"}}
			return pullPartnerStack(t, f, testPublicKey, testSecretKey, dir, time.Millisecond)
		},
	}
	for _, tc := range []struct {
		source  string
		has     []string // in partners.jsonl, left-out.csv or the summary
		hasNot  []string
		summary string
	}{
		{"rewardful", []string{`"key":"cy","tags":["status:inactive"]`}, nil,
			"1 partner is not active at rewardful (inactive 1): carried as active partners tagged status:STATE"},
		{"firstpromoter", []string{
			`firstpromoter,partner,5,cy@example.com,inactive,"the promoter's status at firstpromoter is rejected`,
			`"surname":"Archived","tags":["status:archived"]`,
			`firstpromoter,customer,109,`,
		}, []string{`"email":"cy@example.com"`},
			"1 partner is not active at firstpromoter (archived 1): carried as active partners tagged status:STATE"},
		{"tolt", []string{
			`"tags":["grp_main","status:pending"]`, `"tags":["status:suspended"]`,
			`tolt,link,lnk_5,dee@example.com,duplicate,"old links ?ref=ada of partner part_6 now credit partner part_1, which has the key ada; its key in Partnero is jose-d-arc"`,
			`tolt,link,lnk_2,bob@example.com,key_changed,"old links ?ref=bob smith of partner part_2 will not match: its key in Partnero is bob-smith, as Partnero takes keys"`,
			"links: 2 left out (duplicate 1, key_changed 1)",
		}, nil, "2 partners are not active at tolt (pending 1, suspended 1): carried as active partners tagged status:STATE"},
		{"firstpromoter, children of a rejected promoter", []string{
			`firstpromoter,referrer,1,ada@example.com,referrer_not_carried,carried over without its referrer: parent promoter 5 was not carried over (see its own line)`,
			`firstpromoter,referrer,7,gus@example.com,referrer_not_carried,`,
			`{"email":"CY@example.com","name":"Cy","surname":"Again","key":"cy-2"}`,
			`firstpromoter,customer,109,ivy@example.com,no_partner,`,
			`{"email":"ada@example.com","name":"Ada","surname":"Lovelace","key":"ada","tags":["fpr:ada-pro","Main","Pro"]}`,
		}, []string{`cy@example.com"}`, `"partner":{"key":"cy-2"}`}, ""},
		{"tolt, a slug that is another's real value", []string{
			`{"email":"eve@example.com","name":"Eve","key":"bob-smith"}`,
			`"name":"Bob","surname":"Smith","tags":["ref:bob smith","grp_main","status:pending"]`,
			`tolt,link,lnk_2,bob@example.com,key_changed,"old links ?ref=bob smith of partner part_2 will not match: it has no key in Partnero`,
		}, nil, ""},
		{"rewardful, a token Partnero refuses", []string{
			`"name":"Bob","key":"bob","tags":["via:bob smith","Partners 2024"]`,
			`rewardful,link,l-b1,bob@example.com,key_changed,"old links ?via=bob smith of partner 7c1d0a52-0000-4000-8000-000000000002 will not match: its key in Partnero is bob`,
		}, nil, ""},
		{"rewardful, a customer of two affiliates", []string{
			`rewardful,transaction,s9,,other_partner,"commission k9: its referral brought customer cus_1 through another affiliate`,
			`rewardful,transaction,s10,,other_partner,"commission k10: its referral brought customer cus_1 through another affiliate`,
		}, []string{`"key":"s9"`, `"key":"s10"`}, ""},
		{"tapfiliate, a conversion of another affiliate", []string{
			`tapfiliate,transaction,120,,other_partner,"conversion 120: its affiliate janejameson is another partner than affiliate kid, ` +
				`whom its customer cus_002 is carried under: carried, the sale would credit that partner"`,
			`{"key":"121","customer":{"key":"cus_001"},"amount":"70.00","currency":"EUR",`,
		}, []string{`"key":"120"`}, ""},
		{"partnerstack, a reward of another partnership", []string{
			`partnerstack,commission,rw20,,other_partner,"reward rw20 of transaction tx8 is partnership ps6's, another partner than ps1, ` +
				`whom its customer cus_A is carried under: left off the transaction's reward, not to credit that partner"`,
			`{"key":"tx8","customer":{"key":"cus_A"},"amount":"50.00","currency":"USD","created_at":"2024-03-01T10:00:00Z","action":"sale","reward":"3.00"}`,
		}, []string{`partnerstack,commission,rw21,`, `partnerstack,commission,rw22,`}, ""},
		{"tolt, a commission of another partner", []string{
			`tolt,transaction,tx_20,,other_partner,"commission com_20: its partner part_6 is another partner than part_1, ` +
				`whom its customer cus_1 is carried under: carried, the sale would credit that partner"`,
			`{"key":"tx_21","customer":{"key":"cus_1"},"amount":"10.00",`,
			`tolt,transaction,tx_22,,other_partner,"commission com_22: its partner 3f2c7a10-0000-4000-8000-00000000000c is another partner`,
		}, []string{`"key":"tx_20"`, `"key":"tx_22"`}, ""},
		{"tolt, a link of no key", []string{
			`{"email":"hal@example.com","name":"Hal","tags":["ref:!!!"]}`,
			`tolt,link,lnk_8,hal@example.com,key_changed,"old links ?ref=!!! of partner part_8 will not match: it has no key in Partnero`,
		}, nil, ""},
		{"tapfiliate, an id of two affiliates", []string{
			`tapfiliate,partner,janejameson,dupjane@example.com,duplicate,`,
		}, nil, ""},
		{"tapfiliate, an id Partnero refuses", []string{
			`{"email":"zoe@example.com","name":"Zoe","tags":["ref:zoë"]}`,
			`tapfiliate,link,zoë,zoe@example.com,key_changed,"old links ?ref=zoë of partner zoë will not match: it has no key in Partnero`,
		}, nil, ""},
		{"rewardful, a first link taken", []string{
			`rewardful,link,lnk-z1,zed@example.com,duplicate,"old links ?via=ada of partner zed-1 now credit partner 7c1d0a52-0000-4000-8000-000000000001, which has the key ada; its key in Partnero is zed"`,
			`"key":"zed","tags":["via:ada"]`,
		}, nil, "links: 1 left out (duplicate 1)"},
		{"partnerstack", []string{
			`partnerstack,partner,ps4,cy@example.com,inactive,"the partnership's status at partnerstack is declined`,
			`"email":"bob@example.com","name":"Bob","tags":["status:pending"]`,
			`partnerstack,link,l4,di@example.com,duplicate,"old links ending /ada9x of partner ps6 now credit partner ps1, which has the key ada9x; it has no key in Partnero"`,
			`partnerstack,customer,cust_7,`,
		}, []string{`"email":"cy@example.com"`}, "1 partner is not active at partnerstack (pending 1)"},
	} {
		t.Run(tc.source, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			out, err := pullers[tc.source](t, dir)
			if err != nil {
				t.Fatal(err)
			}
			var summary strings.Builder
			out.Summary.Print(&summary)
			all := read(t, filepath.Join(dir, pull.PartnersFile)) + read(t, filepath.Join(dir, pull.TransactionsFile)) +
				read(t, filepath.Join(dir, pull.LeftOutFile)) + summary.String()
			for _, s := range append(tc.has, tc.summary) {
				if !strings.Contains(all, s) {
					t.Errorf("missing %q in:\n%s", s, all)
				}
			}
			for _, s := range tc.hasNot {
				if strings.Contains(all, s) {
					t.Errorf("%q is there:\n%s", s, all)
				}
			}
		})
	}
}
