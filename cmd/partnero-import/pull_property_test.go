package main

import (
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/partnero-import/partnero-import/importer/pull"
	"github.com/partnero-import/partnero-import/importer/pull/fake"
	"github.com/partnero-import/partnero-import/importer/sandbox"
)

var pullSeeds = flag.Int("pull-seeds", 4, "how many random programs TestPulledProgramsImportWhole pulls per source (CI runs the default; run more by hand)")

// propertySource is a source under the property test: how its fake
// serves a program, and where its pull differs from the others.
type propertySource struct {
	name      string
	programID string // --program-id, for a source whose lists are a program's
	env       func(secret string) map[string]string
	// serve serves program over HTTP on 127.0.0.1; its API root.
	serve func(t *testing.T, secret string, program fake.Program, k fake.Knobs) string
	rules
}

// rules are where a source's pull differs from the others'.
type rules struct {
	// tiers: the source has parents (a partner's referrer is carried).
	tiers bool
	// bySale: a transaction is a sale, keyed by its id, carried once
	// whatever its commissions; else each commission is one, keyed by
	// its id.
	bySale bool
	// mismatch: a commission may name another currency than its sale's
	// (left out).
	mismatch bool
	// byCustomer: a commission names its customer (carried whatever
	// referral carried it), not its referral.
	byCustomer bool
	// summed: a transaction is a sale, carried when its customer is,
	// its reward the sum of its commissions not voided (each voided one
	// left out on its own line), rewarded when they are all paid.
	summed bool
	// voidedWhole: summed, but a voided commission has a line of its own
	// only beside commissions counted: a sale whose commissions are all
	// voided is left out (one line).
	voidedWhole bool
	// paidApart: summed, but a sale with commissions paid and due has
	// the due ones' sum as its reward, and each paid one a line of
	// left-out.csv (commission, already_paid).
	paidApart bool
	// keyIsID: a partner's key is its source id (no links).
	keyIsID bool
	// tierLines: the source lists an upper tier's commission of a sale
	// as a record of its own, each one left out (Partnero pays upper
	// tiers itself); else they are not listed or not counted.
	tierLines bool
	// noStatus: the source's partners have no status (all are carried);
	// else one the source rejected is left out, its customers with it.
	noStatus bool
	// listed is what the source lists of a program (nil: all of it).
	listed func(fake.Program) fake.Program
}

var propertySources = []propertySource{
	{name: "rewardful", env: func(s string) map[string]string { return map[string]string{pull.RewardfulSecretEnv: s} },
		serve: func(t *testing.T, secret string, program fake.Program, k fake.Knobs) string {
			f := fake.RewardfulOf(secret, program, k)
			f.Window = 50 * time.Millisecond
			return servedRewardful(t, f)
		}, rules: rules{bySale: true, mismatch: true}},
	{name: "firstpromoter", env: func(s string) map[string]string { return fpEnv(s, "acc-property") },
		serve: func(t *testing.T, secret string, program fake.Program, k fake.Knobs) string {
			f := fake.FirstPromoterOf(secret, "acc-property", program, k)
			f.Window = 50 * time.Millisecond
			return servedFirstPromoter(t, f)
		}, rules: rules{tiers: true, bySale: true, tierLines: true}},
	{name: "tolt", env: func(s string) map[string]string { return map[string]string{pull.ToltKeyEnv: s} }, programID: "prg_property",
		serve: func(t *testing.T, secret string, program fake.Program, k fake.Knobs) string {
			f := fake.ToltOf(secret, "prg_property", program, k)
			f.Window = 50 * time.Millisecond
			return servedTolt(t, f)
		}, rules: rules{bySale: true, byCustomer: true, listed: func(p fake.Program) fake.Program {
			p.Referrals = fake.ToltReferrals(p)
			return p
		}}},
	{name: "partnerstack", env: func(s string) map[string]string { return partnerstackEnv("pub_property", s) },
		serve: func(t *testing.T, secret string, program fake.Program, k fake.Knobs) string {
			f := fake.PartnerStackOf("pub_property", secret, program, k)
			f.Window = 50 * time.Millisecond
			return servedPartnerStack(t, f)
		}, rules: rules{bySale: true, byCustomer: true, summed: true, paidApart: true}},
	{name: "tapfiliate", env: func(s string) map[string]string { return map[string]string{pull.TapfiliateKeyEnv: s} },
		serve: func(t *testing.T, secret string, program fake.Program, k fake.Knobs) string {
			f := fake.TapfiliateOf(secret, program, k)
			f.Window = 50 * time.Millisecond
			return servedTapfiliate(t, f)
		}, rules: rules{tiers: true, bySale: true, byCustomer: true, summed: true, voidedWhole: true, paidApart: true, keyIsID: true, noStatus: true}},
}

// For random programs (fake.NewProgram) served by each source's fake with
// varied answers (503s, 429s, small pages), a pull then an import into the
// sandbox carries the program whole: every carried partner exists with
// its key and referrer, every carried customer is under the right
// partner, every carried sale is stored once with its amount, reward and
// paid state, and every record of the source is carried or a line of
// left-out.csv (counted: the sums are the source's records).
func TestPulledProgramsImportWhole(t *testing.T) {
	t.Parallel()
	for _, src := range propertySources {
		for seed := range uint64(*pullSeeds) {
			t.Run(fmt.Sprintf("%s seed %d", src.name, seed), func(t *testing.T) {
				t.Parallel()
				pulledProgramImportsWhole(t, src, seed)
			})
		}
	}
}

func pulledProgramImportsWhole(t *testing.T, src propertySource, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 24))
	program, knobs := fake.NewProgram(rng), fake.NewKnobs(rng)
	t.Logf("knobs %+v; program %+v", knobs, program)
	const secret = "property_secret_8d1e"
	dir := filepath.Join(t.TempDir(), src.name)
	pullInto(t, dir, src.name, src.env(secret), pull.Options{BaseURL: src.serve(t, secret, program, knobs), ProgramID: src.programID})

	sb, base := startSandbox(t, sandbox.Options{})
	imp := runCLI(t, map[string]string{"PARTNERO_API_KEY": "k", "PARTNERO_BASE_URL": base}, "", "import", "--no-progress", "--rate", "0", dir)
	if imp.code != exitOK {
		t.Fatalf("import: exit %d\n%s", imp.code, imp.stderr)
	}
	want := expectedOf(program, src.rules)
	left := leftOutRows(t, dir)
	checkPartners(t, sb, want, left)
	checkCustomers(t, sb, want, left)
	checkTransactions(t, sb, want, left)
}

// pullInto pulls the source at base into dir as the pull command does,
// with a short backoff so that the fake's 503s cost milliseconds.
func pullInto(t *testing.T, dir, name string, env map[string]string, o pull.Options) {
	t.Helper()
	o.Window, o.Backoff = 50*time.Millisecond, time.Millisecond
	src, err := pull.New(name, func(k string) string { return env[k] }, o)
	if err != nil {
		t.Fatal(err)
	}
	out, err := pull.Create(dir, name)
	if err != nil {
		t.Fatal(err)
	}
	if err := src.Pull(context.Background(), out); err != nil {
		out.Abort()
		t.Fatalf("pull: %v", err)
	}
	if err := out.Finish(); err != nil {
		t.Fatal(err)
	}
}

// expected is what a pull must carry of a program, by the rules every
// source shares: the first partner of an email with one; a referral's
// customer, once, under its partner's (or its email's first partner's);
// a sale once, when a commission of it is not voided, in its currency,
// and its customer was carried.
type expected struct {
	partners   map[string]fake.ProgramPartner // carried, by email (lower case)
	partnerOf  map[string]string              // partner id → the carried partner's email
	keyOf      map[string]string              // carried partner id → its key ("": the server's)
	customers  map[string]string              // carried customer key → its partner's email
	customerOf map[string]string              // referral id → its carried customer's key
	sales      map[string]fake.ProgramCommission
	rules
	sourceCounts map[pull.Kind]int // the source's records pulled, by kind
}

func expectedOf(p fake.Program, r rules) expected {
	e := expected{partners: map[string]fake.ProgramPartner{}, partnerOf: map[string]string{}, customers: map[string]string{}, keyOf: map[string]string{},
		customerOf: map[string]string{}, sales: map[string]fake.ProgramCommission{}, rules: r, sourceCounts: map[pull.Kind]int{}}
	referred := map[string]string{} // referral id → its customer's key, whether listed or not
	for _, ref := range p.Referrals {
		referred[ref.ID] = ref.Customer
	}
	if r.listed != nil {
		p = r.listed(p)
	}
	claimed := map[string]bool{}
	for _, a := range p.Partners {
		e.sourceCounts[pull.KindPartner]++
		email := strings.ToLower(a.Email)
		_, dup := e.partners[email]
		// A second record of an email is a duplicate whatever its status.
		rejected := a.Status == "rejected" && !r.noStatus && !dup
		if a.Email != "" && !dup && !rejected {
			e.partners[email] = a
			e.keyOf[a.ID] = a.ID
			if !r.keyIsID {
				e.keyOf[a.ID] = unclaimedKey(claimed, append([]string{a.Key}, a.OtherKeys...))
			}
		}
		if a.Email != "" && !rejected {
			e.partnerOf[a.ID] = email
		}
	}
	for _, ref := range p.Referrals {
		if ref.Visitor {
			continue // not asked for
		}
		e.sourceCounts[pull.KindCustomer]++
		partner, ok := e.partnerOf[ref.Partner]
		if ref.Customer == "" || !ok {
			continue
		}
		if first, dup := e.customers[ref.Customer]; !dup {
			e.customers[ref.Customer] = partner
		} else if first != partner && !r.byCustomer {
			continue // carried under another partner: this referral's sales stay behind (other_partner)
		}
		e.customerOf[ref.ID] = ref.Customer
	}
	if r.summed {
		e.summedSales(p, referred)
		return e
	}
	for _, c := range p.Commissions {
		if c.Tier > 1 { // never carried: one line of its own, or none
			if r.tierLines {
				e.sourceCounts[pull.KindTransaction]++
			}
			continue
		}
		e.sourceCounts[pull.KindTransaction]++
		key := c.ID
		if r.bySale {
			key = c.Sale
		}
		_, dup := e.sales[key]
		if _, carried := e.customers[referred[c.Referral]]; r.byCustomer && carried {
			e.customerOf[c.Referral] = referred[c.Referral]
		}
		if c.State == "voided" || e.customerOf[c.Referral] == "" || dup || (r.mismatch && c.Currency != c.SaleCurrency) {
			continue
		}
		e.sales[key] = c
	}
	return e
}

// unclaimedKey is a carried partner's key: the first of its link values no earlier partner claimed ("" when
// none is left: the server gives one).
func unclaimedKey(claimed map[string]bool, values []string) string {
	for _, v := range values {
		if v != "" && !claimed[v] {
			claimed[v] = true
			return v
		}
	}
	return ""
}

// summedSales expects a transaction per sale whose customer was
// carried, its commissions summed; what the source lists is counted as
// the lines it must end as: a sale, and each voided commission of a
// carried one (a commission's line).
func (e *expected) summedSales(p fake.Program, referred map[string]string) {
	leftSales, rewarded, voided := map[string]bool{}, map[string]bool{}, map[string]int{}
	paid, due := map[string][]int64{}, map[string]int64{} // by sale: its paid commissions' cents, and its due ones' sum
	for _, c := range p.Commissions {
		if c.Tier > 1 { // an upline's (Tapfiliate: kind mlm), not summed
			continue
		}
		customer := referred[c.Referral]
		if _, carried := e.customers[customer]; !carried {
			if !leftSales[c.Sale] {
				leftSales[c.Sale] = true
				e.sourceCounts[pull.KindTransaction]++ // one line for the sale
			}
			continue
		}
		e.customerOf[c.Referral] = customer
		sale, seen := e.sales[c.Sale]
		if !seen {
			e.sourceCounts[pull.KindTransaction]++
			sale = fake.ProgramCommission{ID: c.Sale, Sale: c.Sale, Referral: c.Referral, SaleCents: c.SaleCents,
				Currency: c.SaleCurrency, SaleCurrency: c.SaleCurrency, State: "paid"}
		}
		switch {
		case c.State == "voided" && !e.voidedWhole:
			e.sourceCounts[pull.KindCommission]++ // its own line
		case c.State == "voided":
			voided[c.Sale]++ // a line of its own if its sale is carried
		default:
			sale.Cents += c.Cents
			rewarded[c.Sale] = true
			if c.State != "paid" {
				sale.State = "due"
				due[c.Sale] += c.Cents
			} else {
				paid[c.Sale] = append(paid[c.Sale], c.Cents)
			}
		}
		e.sales[c.Sale] = sale
	}
	for key, sale := range e.sales {
		switch {
		case rewarded[key] && e.paidApart && sale.State == "due" && len(paid[key]) > 0: // paid in part
			sale.Cents = due[key]
			e.sales[key] = sale
			e.sourceCounts[pull.KindCommission] += len(paid[key]) + voided[key]
		case rewarded[key]:
			e.sourceCounts[pull.KindCommission] += voided[key]
		case e.voidedWhole: // every commission voided: the sale is left out
			delete(e.sales, key)
		default: // no commission counted: nothing paid
			sale.State = "due"
			e.sales[key] = sale
		}
	}
}

// leftOutRows are the rows of DIR/left-out.csv by kind: their source ids.
func leftOutRows(t *testing.T, dir string) map[pull.Kind][]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "left-out.csv"))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	left := map[pull.Kind][]string{}
	for _, row := range rows[1:] {
		left[pull.Kind(row[1])] = append(left[pull.Kind(row[1])], row[2])
	}
	return left
}

// counted fails unless the source's records of kind are the stored ones
// and the lines left out, and the stored ones are the expected ones.
func counted(t *testing.T, e expected, kind pull.Kind, stored, carried int, left map[pull.Kind][]string) {
	t.Helper()
	if stored != carried || stored+len(left[kind]) != e.sourceCounts[kind] {
		t.Errorf("%s: %d stored (want %d) + %d left out != %d in the source; left out: %v",
			kind, stored, carried, len(left[kind]), e.sourceCounts[kind], left[kind])
	}
}

func checkPartners(t *testing.T, sb *sandbox.Server, e expected, left map[pull.Kind][]string) {
	t.Helper()
	byEmail := map[string]sandbox.Partner{}
	byID := map[string]sandbox.Partner{}
	for _, p := range sb.Partners() {
		byEmail[strings.ToLower(p.Email)], byID[p.ID] = p, p
	}
	for email, a := range e.partners {
		p, ok := byEmail[email]
		switch {
		case !ok:
			t.Errorf("partner %s (%s) not stored", a.ID, email)
			continue
		case p.Email != a.Email:
			t.Errorf("partner %s stored with email %q; want %q", a.ID, p.Email, a.Email)
		case e.keyOf[a.ID] != "" && p.Key != e.keyOf[a.ID]:
			t.Errorf("partner %s stored with key %q; want %q", a.ID, p.Key, e.keyOf[a.ID])
		}
		wantReferrer := ""
		if e.tiers && a.Referrer != "" && e.partnerOf[a.Referrer] != email { // itself under another record: none
			wantReferrer = e.partnerOf[a.Referrer]
		}
		if got := strings.ToLower(byID[p.Referrer].Email); got != wantReferrer {
			t.Errorf("partner %s stored with referrer %q; want %q", a.ID, got, wantReferrer)
		}
	}
	counted(t, e, pull.KindPartner, len(byEmail), len(e.partners), left)
}

func checkCustomers(t *testing.T, sb *sandbox.Server, e expected, left map[pull.Kind][]string) {
	t.Helper()
	emailOf := map[string]string{}
	for _, p := range sb.Partners() {
		emailOf[p.ID] = strings.ToLower(p.Email)
	}
	stored := sb.Customers()
	byKey := map[string]sandbox.Customer{}
	for _, c := range stored {
		byKey[c.Key] = c
	}
	for key, partner := range e.customers {
		c, ok := byKey[key]
		switch {
		case !ok:
			t.Errorf("customer %s not stored", key)
		case emailOf[c.Partner] != partner:
			t.Errorf("customer %s stored under %q; want %q", key, emailOf[c.Partner], partner)
		}
	}
	counted(t, e, pull.KindCustomer, len(stored), len(e.customers), left)
}

func checkTransactions(t *testing.T, sb *sandbox.Server, e expected, left map[pull.Kind][]string) {
	t.Helper()
	stored := sb.Transactions()
	byKey := map[string][]sandbox.Transaction{}
	for _, tx := range stored {
		byKey[tx.Key] = append(byKey[tx.Key], tx)
	}
	for key, c := range e.sales {
		txs := byKey[key]
		if len(txs) != 1 {
			t.Errorf("sale %s stored %d times", key, len(txs))
			continue
		}
		tx := txs[0]
		want := fmt.Sprintf("%s %s %s %s %v", e.customerOf[c.Referral], major(c.SaleCents, c.SaleCurrency), major(c.Cents, c.SaleCurrency), c.SaleCurrency, c.State == "paid")
		if got := fmt.Sprintf("%s %s %s %s %v", tx.Customer, tx.Amount, tx.Reward, tx.Units, tx.Rewarded); got != want {
			t.Errorf("sale %s stored as %s; want %s", key, got, want)
		}
	}
	counted(t, e, pull.KindTransaction, len(stored), len(e.sales), left)
	if n := len(left[pull.KindCommission]); n != e.sourceCounts[pull.KindCommission] {
		t.Errorf("%d commissions left out (voided, or left off a reward as paid already); want %d: %v", n, e.sourceCounts[pull.KindCommission], left[pull.KindCommission])
	}
}

// major is cents in currency's major unit as the pull writes it: JPY has
// no minor unit.
func major(cents int64, currency string) string {
	if currency == "JPY" {
		return fmt.Sprint(cents)
	}
	return fmt.Sprintf("%d.%02d", cents/100, cents%100)
}
