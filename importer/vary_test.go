package importer

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/idna"
	"time"

	"github.com/partnero-import/partnero-import/importer/partnero"
	"github.com/partnero-import/partnero-import/importer/sandbox"
	"github.com/partnero-import/partnero-import/report"
)

var varySeeds = flag.Int("vary-seeds", 16, "how many sandbox variations TestVariedServersNeverLie runs (CI runs the default; run more by hand)")

// Whole imports against the documented server (seed 0) and servers that
// answer, where the documentation is silent, in every plausible way
// (sandbox.Vary), while answers get lost
// after the partner is stored, 500s and 429 bursts come, and more than 100
// partners are already there: a referral tree, invites, clashes with
// existing partners, rows with and without id or key. The sandbox's own
// store is the truth the report must tell: one line per row; every partner
// stored by the run reported created or invited with its id; nothing
// reported created that is not stored; nothing stored twice; every clash
// reported with the value that clashed.
func TestVariedServersNeverLie(t *testing.T) {
	for seed := range uint64(*varySeeds) {
		t.Run(fmt.Sprint("vary ", seed), func(t *testing.T) {
			t.Parallel()
			variedRun(t, seed)
		})
	}
}

// varied is the file of one varied run and what each row should become.
type varied struct {
	csv   strings.Builder
	rows  int
	wants map[string]string // email → the status/reason it must end with, "" for created or invited
}

func (v *varied) row(want, format string, args ...any) {
	fmt.Fprintf(&v.csv, format+"\n", args...)
	v.rows++
	email, _, _ := strings.Cut(fmt.Sprintf(format, args...), ",")
	v.wants[asciiEmail(email)] = want
}

const preloaded = 130 // more than one page of the largest page a server gives

func variedFile(t *testing.T, seed uint64) (path string, v *varied) {
	rng := rand.New(rand.NewPCG(seed, 99))
	v = &varied{wants: map[string]string{}}
	var rows []func()
	add := func(want, format string, args ...any) {
		rows = append(rows, func() { v.row(want, format, args...) })
	}
	// A referral tree of 30, children referring by id, key or email as the
	// parent's row allows; a third of the rows have neither id nor key.
	for i := range 30 {
		id, key := "", ""
		switch i % 3 {
		case 0:
			id = fmt.Sprintf("id%d", i)
		case 1:
			key = fmt.Sprintf("key%d", i)
		}
		var ref [3]string
		if i > 0 {
			p := rng.IntN(i)
			switch p % 3 {
			case 0:
				ref[0] = fmt.Sprintf("id%d", p)
			case 1:
				ref[1] = fmt.Sprintf("key%d", p)
			default:
				ref[2] = fmt.Sprintf("T%d@X.io", p)
			}
		}
		add("", "t%d@x.io,Tree,%d,%s,%s,,%s,%s,%s", i, i, id, key, ref[0], ref[1], ref[2])
	}
	for i := range 15 {
		add("", "plain%d@x.io,Plain,%d,,,,,,", i, i)
	}
	for i := range 8 {
		add("", "inv%d@x.io,Invited,%d,,,invite,,,", i, i)
	}
	add("", "child-of-old@x.io,Child,1,,,,,,OLD7@x.io")
	// Clashes with partners that were there before: reported with the
	// value that clashed, whatever the server's words.
	for j := range 4 {
		add("rejected/email_exists", "OLD%d@X.IO,New,%d,,,,,,", j*30, j)
	}
	for j := range 3 {
		add("rejected/id_exists", "newid%d@x.io,New,%d,old-id-%d,,,,,", j, j, j*40+1)
	}
	for j := range 3 {
		add("rejected/key_exists", "newkey%d@x.io,New,%d,,oldkey%d,,,,", j, j, j*40+2)
	}
	add("rejected/referring_partner_not_found", "orphan@x.io,Orphan,1,,,,,,ghost@x.io")
	// Internationalised domains, which a server may keep in punycode: one
	// new, one that clashes with a partner there before.
	add("", "anna@bücher.de,Anna,Idn,,,,,,")
	add("", "jürgen@straße.example,Jürgen,Idn,,,,,,")
	add("rejected/email_exists", "old@müller.de,New,1,,,,,,")

	v.csv.WriteString("email,name,surname,id,key,action,referring_partner_id,referring_partner_key,referring_partner_email\n")
	for _, i := range rng.Perm(len(rows)) {
		rows[i]()
	}
	path = filepath.Join(t.TempDir(), "varied.csv")
	if err := os.WriteFile(path, []byte(v.csv.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, v
}

func variedRun(t *testing.T, seed uint64) {
	path, file := variedFile(t, seed)
	vary := sandbox.Variation{} // seed 0: the documented answers
	if seed > 0 {
		vary = sandbox.Vary(seed)
	}
	t.Log(vary)
	sb := sandbox.New(sandbox.Options{Vary: vary, FailRate: 0.03, Faults: sandbox.Faults{
		FailAfterStore: 0.08, DropAfterStore: 0.05, SlowAfterStore: 0.04, SlowDelay: 500 * time.Millisecond,
		Burst429: 0.01, BurstLength: 3, BurstWait: 20 * time.Millisecond, Seed: seed,
	}})
	// A server without search walks its list to find a partner: a large
	// program tells whether lookups end there.
	there := preloaded
	if vary.NoSearch {
		there = 2100
	}
	for j := range there {
		sb.Add(sandbox.Partner{Email: fmt.Sprintf("old%d@x.io", j), Name: "Old", Surname: "Timer",
			ID: fmt.Sprintf("old-id-%d", j), Key: fmt.Sprintf("oldkey%d", j)})
	}
	sb.Add(sandbox.Partner{Email: "old@müller.de", Name: "Old", Surname: "Idn", ID: "old-id-idn", Key: "oldkeyidn"})
	there++
	// Every third seed updates the partners already there instead.
	update := seed%3 == 2
	var client *partnero.Client
	got, res := importFile(t, context.Background(), sb, path, partnero.Config{Concurrency: 6,
		Retries: 8, Timeout: 250 * time.Millisecond, RetryBase: 5 * time.Millisecond, LookupBudget: 30 * time.Second}, nil,
		func(c *Config) { c.UpdateExisting, client = update, c.Client })
	walks := client.Walks()
	if update {
		for email, want := range file.wants {
			if want == "rejected/email_exists" {
				file.wants[email] = "updated/"
			}
		}
	}

	if len(got) != file.rows || res.Summary.Rows != file.rows {
		t.Fatalf("%d lines (%d counted) for %d rows", len(got), res.Summary.Rows, file.rows)
	}
	stored := map[string]sandbox.Partner{}
	for _, p := range sb.Partners() {
		email := asciiEmail(p.Email)
		if _, twice := stored[email]; twice {
			t.Errorf("%s stored twice", email)
		}
		stored[email] = p
	}
	done := 0
	for email, l := range got {
		email = asciiEmail(email)
		p, held := stored[email]
		new := held && !strings.HasPrefix(p.ID, "old-id-")
		ok := l.Status == report.Created || l.Status == report.Invited
		switch want := file.wants[asciiEmail(email)]; {
		case want == "updated/":
			if l.Status != report.Updated || l.PartnerID != p.ID || p.Name != "New" {
				t.Errorf("%s: %s/%s id %q (%s); stored as %q named %q", email, l.Status, l.Reason, l.PartnerID, l.Message, p.ID, p.Name)
			}
		case ok && !new:
			t.Errorf("%s reported %s, not stored by the run: %s", email, l.Status, l.Message)
		case !ok && new:
			t.Errorf("%s stored, reported %s/%s: %s", email, l.Status, l.Reason, l.Message)
		case new && l.PartnerID != p.ID:
			t.Errorf("%s reported with id %q, stored as %q (%s)", email, l.PartnerID, p.ID, l.Message)
		case new && (l.Status == report.Invited) != p.Invited:
			t.Errorf("%s reported %s; invited: %v", email, l.Status, p.Invited)
		case want != "" && string(l.Status)+"/"+string(l.Reason) != want:
			t.Errorf("%s: %s/%s (%s), want %s", email, l.Status, l.Reason, l.Message, want)
		}
		if ok {
			done++
		}
	}
	if n := len(stored) - there; n != done {
		t.Errorf("%d partners stored by the run, %d rows reported created or invited", n, done)
	}
	t.Logf("%d rows: created %d, updated %d, invited %d, reconciled %d; %d requests, %d walks of the list", file.rows, res.Summary.Count(report.Created, ""), res.Summary.Count(report.Updated, ""),
		res.Summary.Count(report.Invited, ""), reconciledRows(got), res.Summary.Requests, walks)
}

func reconciledRows(got lines) int {
	n := 0
	for _, l := range got {
		if strings.HasPrefix(l.Message, "reconciled") {
			n++
		}
	}
	return n
}

// asciiEmail is an email as the test compares it: lowercased, its domain
// in ASCII, the form a server may store it in.
func asciiEmail(email string) string {
	email = strings.ToLower(email)
	local, domain, ok := strings.Cut(email, "@")
	if a, err := idna.Punycode.ToASCII(domain); ok && err == nil {
		return local + "@" + a
	}
	return email
}
