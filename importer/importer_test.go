package importer

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/partnero-import/partnero-import/importer/input"
	"github.com/partnero-import/partnero-import/importer/partnero"
	"github.com/partnero-import/partnero-import/importer/sandbox"
	"github.com/partnero-import/partnero-import/importer/secret"
	"github.com/partnero-import/partnero-import/report"
	"github.com/partnero-import/partnero-import/validate"
)

// tree writes a shuffled CSV of a random referral tree: row i's referrer is
// some earlier-numbered partner, referenced by id, key or email in turn.
func tree(t *testing.T, n int, seed uint64) (path string, parent []int) {
	rng := rand.New(rand.NewPCG(seed, seed))
	parent = make([]int, n)
	parent[0] = -1
	for i := 1; i < n; i++ {
		parent[i] = rng.IntN(i+1) - 1 // -1: a root
	}
	order := rng.Perm(n)
	var b strings.Builder
	b.WriteString("email,id,key,referring_partner_id,referring_partner_key,referring_partner_email\n")
	for _, i := range order {
		ref := [3]string{}
		if p := parent[i]; p >= 0 {
			ref[i%3] = []string{fmt.Sprintf("id%d", p), fmt.Sprintf("key%d", p), fmt.Sprintf("P%d@X.IO", p)}[i%3]
		}
		fmt.Fprintf(&b, "p%d@x.io,id%d,key%d,%s,%s,%s\n", i, i, i, ref[0], ref[1], ref[2])
	}
	path = filepath.Join(t.TempDir(), "tree.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, parent
}

type lines map[string]report.Line // by email

// emailFile writes a CSV of n partners with nothing but an email each.
func emailFile(tb testing.TB, n int) string {
	tb.Helper()
	var b strings.Builder
	b.WriteString("email\n")
	for i := range n {
		fmt.Fprintf(&b, "p%d@x.io\n", i)
	}
	path := filepath.Join(tb.TempDir(), "emails.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}

func runImport(t *testing.T, sb *sandbox.Server, path string, concurrency int) (lines, *Result) {
	t.Helper()
	return importFile(t, context.Background(), sb, path, partnero.Config{Concurrency: concurrency, Timeout: 5 * time.Second}, nil)
}

// importFile starts sb and imports path into it with the client settings cc
// (base URL and key filled in here), checking that no row gets two lines.
// onLine, if not nil, sees each line as it is written.
func importFile(t *testing.T, ctx context.Context, sb *sandbox.Server, path string, cc partnero.Config, onLine func(report.Line), tune ...func(*Config)) (lines, *Result) {
	t.Helper()
	base, err := sb.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	cc.BaseURL, cc.Key = base, secret.New("k")
	if cc.Mark == "" {
		cc.Mark = partnero.NewMark() // as an import's
	}
	client, err := partnero.New(cc)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	rep := filepath.Join(t.TempDir(), "r.jsonl")
	got := lines{}
	cfg := Config{
		Open:        func() (io.ReadCloser, error) { return os.Open(path) },
		Input:       input.Options{Format: input.CSV},
		Mode:        "create",
		Report:      func() (*report.Writer, error) { return report.Create(rep, true, nil) },
		Client:      client,
		Concurrency: cc.Concurrency,
		Finished: func(l report.Line) {
			if _, dup := got[l.Email]; dup {
				t.Errorf("two lines for %s", l.Email)
			}
			got[l.Email] = l
			if onLine != nil {
				onLine(l)
			}
		},
	}
	for _, f := range tune {
		f(&cfg)
	}
	res, err := Import(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return got, res
}

// Every partner of a shuffled tree is created after its referrer and points
// at it, whatever the concurrency; the sandbox refuses a child whose
// referrer does not exist yet, so an ordering mistake shows as a rejection.
func TestTreeIsCreatedParentsFirst(t *testing.T) {
	t.Parallel()
	for _, conc := range []int{1, 8} {
		t.Run(fmt.Sprint("concurrency ", conc), func(t *testing.T) {
			t.Parallel()
			path, parent := tree(t, 200, uint64(conc))
			sb := sandbox.New(sandbox.Options{Latency: time.Millisecond})
			got, res := runImport(t, sb, path, conc)
			if res.Summary.Count(report.Created, "") != len(parent) {
				for _, l := range got {
					if l.Status != report.Created {
						t.Errorf("row %d: %s %s %s", l.Row, l.Status, l.Reason, l.Message)
					}
				}
				t.Fatalf("created %d of %d", res.Summary.Count(report.Created, ""), len(parent))
			}
			stored := map[string]sandbox.Partner{}
			for _, p := range sb.Partners() {
				stored[p.ID] = p
			}
			for i, p := range parent {
				want := ""
				if p >= 0 {
					want = fmt.Sprintf("id%d", p)
				}
				if s := stored[fmt.Sprintf("id%d", i)]; s.Referrer != want {
					t.Errorf("partner %d has referrer %q, want %q", i, s.Referrer, want)
				}
			}
		})
	}
}

// A referrer the API refuses takes its whole subtree with it: skipped,
// never sent, and the rest of the file goes on.
func TestRejectedReferrerSkipsDescendants(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "f.csv")
	os.WriteFile(path, []byte("email,id,referring_partner_id\n"+
		"grandchild@x.io,g,c\n"+
		"child@x.io,c,r\n"+
		"root@x.io,r,\n"+
		"other@x.io,o,\n"), 0o600)
	sb := sandbox.New(sandbox.Options{})
	sb.Add(sandbox.Partner{Email: "ROOT@x.io"})
	got, res := runImport(t, sb, path, 4)
	want := map[string]string{
		"root@x.io":       "rejected email_exists",
		"child@x.io":      "skipped referring_partner_failed",
		"grandchild@x.io": "skipped referring_partner_failed",
		"other@x.io":      "created ",
	}
	for email, w := range want {
		if l := got[email]; string(l.Status)+" "+string(l.Reason) != w {
			t.Errorf("%s: %s %s (%s), want %s", email, l.Status, l.Reason, l.Message, w)
		}
	}
	if got["grandchild@x.io"].Message != "its referring partner, row 2 (line 3), was not created" {
		t.Errorf("grandchild message %q", got["grandchild@x.io"].Message)
	}
	if res.Summary.Rows != 4 || sb.Requests() != 3 { // the preflight, root and other
		t.Errorf("%d rows, %d requests", res.Summary.Rows, sb.Requests())
	}
}

// When the context ends mid-run, requests in flight finish, every other
// valid row is skipped/aborted, and each row still has its one line.
func TestInterruptAbortsTheRest(t *testing.T) {
	t.Parallel()
	path := emailFile(t, 50)
	sb := sandbox.New(sandbox.Options{Latency: 20 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	_, res := importFile(t, ctx, sb, path, partnero.Config{Concurrency: 2, Timeout: 5 * time.Second}, func(report.Line) {
		if n++; n == 5 {
			cancel()
		}
	})
	created, aborted := res.Summary.Count(report.Created, ""), res.Summary.Count(report.Skipped, report.Aborted)
	if !res.Interrupted || res.Summary.Rows != 50 || created+aborted != 50 || aborted == 0 {
		t.Fatalf("interrupted %v, rows %d, created %d, aborted %d", res.Interrupted, res.Summary.Rows, created, aborted)
	}
	if stored := len(sb.Partners()); stored != created {
		t.Fatalf("the sandbox holds %d partners, the report says %d created", stored, created)
	}
}

// Under about 10% faulty answers, a third of them after the partner was
// stored, every row ends with one true line: every partner the server holds
// is reported created (with its id), every created row is held, none twice.
func TestFaultsNeverLoseOrDoubleAPartner(t *testing.T) {
	t.Parallel()
	for _, seed := range []uint64{7, 11, 13} {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			t.Parallel()
			faultRun(t, seed)
		})
	}
}

func faultRun(t *testing.T, seed uint64) {
	var b strings.Builder
	b.WriteString("email,id,key,name,action\n")
	for i := range 300 {
		switch i % 4 {
		case 0: // with an id: the lookup reads it directly
			fmt.Fprintf(&b, "p%d@x.io,id%d,,,\n", i, i)
		case 1: // with a key: the lookup lists partners
			fmt.Fprintf(&b, "p%d@x.io,,key%d,,\n", i, i)
		case 2: // an invite, with an id the server never sees
			fmt.Fprintf(&b, "p%d@x.io,inv%d,,P%d,invite\n", i, i, i)
		default:
			fmt.Fprintf(&b, "p%d@x.io,,,,\n", i)
		}
	}
	path := filepath.Join(t.TempDir(), "f.csv")
	os.WriteFile(path, []byte(b.String()), 0o600)
	sb := sandbox.New(sandbox.Options{FailRate: 0.03, Faults: sandbox.Faults{
		FailAfterStore: 0.03, DropAfterStore: 0.03, SlowAfterStore: 0.02, SlowDelay: 600 * time.Millisecond,
		Burst429: 0.005, BurstLength: 3, BurstWait: 20 * time.Millisecond, Seed: seed,
	}})
	got, res := importFile(t, context.Background(), sb, path, partnero.Config{Concurrency: 8,
		Retries: 8, Timeout: 300 * time.Millisecond, RetryBase: 10 * time.Millisecond}, nil)
	stored := map[string]sandbox.Partner{}
	for _, p := range sb.Partners() {
		if _, twice := stored[p.Email]; twice {
			t.Errorf("%s stored twice", p.Email)
		}
		stored[p.Email] = p
	}
	reconciled := 0
	for email, l := range got {
		p, held := stored[email]
		ok := l.Status == report.Created || l.Status == report.Invited
		switch {
		case ok && !held:
			t.Errorf("%s reported %s, not held", email, l.Status)
		case !ok && held:
			t.Errorf("%s held, reported %s %s: %s", email, l.Status, l.Reason, l.Message)
		case held && l.PartnerID != p.ID:
			t.Errorf("%s reported with id %q, held as %q", email, l.PartnerID, p.ID)
		}
		if strings.HasPrefix(l.Message, "reconciled") {
			reconciled++
		}
	}
	if len(got) != 300 || res.Summary.Rows != 300 {
		t.Fatalf("%d lines for 300 rows", len(got))
	}
	if reconciled == 0 {
		t.Error("no row was reconciled: the faults did not test what they should")
	}
	again := 0 // a row's requests beyond its first: all retries, here
	for _, l := range got {
		again += max(l.Attempts-1, 0)
	}
	if res.Summary.Retries != again || again == 0 {
		t.Errorf("the summary counts %d retries, the rows %d", res.Summary.Retries, again)
	}
	if n := res.Summary.Count(report.Invited, ""); n != 75 {
		t.Errorf("invited %d of 75", n)
	}
	t.Logf("created %d, invited %d, reconciled %d, requests %d", res.Summary.Count(report.Created, ""),
		res.Summary.Count(report.Invited, ""), reconciled, res.Summary.Requests)
}

// Random trees with random rows refused by the API: every descendant of a
// refused row is skipped (never sent), every other row is created under its
// referrer.
func TestRandomTreesWithFailures(t *testing.T) {
	t.Parallel()
	for seed := range uint64(4) {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			t.Parallel()
			path, parent := tree(t, 150, seed+100)
			rng := rand.New(rand.NewPCG(seed, 1))
			sb := sandbox.New(sandbox.Options{})
			refused := map[int]bool{}
			for i := range parent {
				if rng.IntN(10) == 0 {
					refused[i] = true
					sb.Add(sandbox.Partner{Email: fmt.Sprintf("p%d@x.io", i)}) // already there: email_exists
				}
			}
			got, _ := runImport(t, sb, path, 1+int(seed)*3)
			var doomed func(i int) bool // an ancestor was refused
			doomed = func(i int) bool { p := parent[i]; return p >= 0 && (refused[p] || doomed(p)) }
			for i := range parent {
				l := got[fmt.Sprintf("p%d@x.io", i)]
				want := "created/"
				switch {
				case doomed(i): // even if refused itself: it is never sent
					want = "skipped/referring_partner_failed"
				case refused[i]:
					want = "rejected/email_exists"
				}
				if string(l.Status)+"/"+string(l.Reason) != want {
					t.Errorf("partner %d: %s/%s (%s), want %s", i, l.Status, l.Reason, l.Message, want)
				}
				if want == "skipped/referring_partner_failed" && l.Attempts != 0 {
					t.Errorf("partner %d was sent", i)
				}
			}
		})
	}
}

// BenchmarkWideTree imports a shuffled five-level tree against a sandbox
// with 20 ms latency. x-critical-path is the time over an estimate of the
// least possible: the five levels' round trips plus one round trip per
// pool-full of rows. Near 1 means the pool never idles at a level's end.
func BenchmarkWideTree(b *testing.B) {
	const latency, conc = 20 * time.Millisecond, 32
	// 5 levels: 4 roots, each node with 3 children: 4+12+36+108+324 = 484 rows.
	var sb strings.Builder
	sb.WriteString("email,id,referring_partner_id\n")
	level := []int{0, 1, 2, 3}
	n := 4
	rows := []string{"p0@x.io,id0,", "p1@x.io,id1,", "p2@x.io,id2,", "p3@x.io,id3,"}
	for range 4 {
		var next []int
		for _, p := range level {
			for range 3 {
				rows = append(rows, fmt.Sprintf("p%d@x.io,id%d,id%d", n, n, p))
				next = append(next, n)
				n++
			}
		}
		level = next
	}
	rand.New(rand.NewPCG(1, 1)).Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
	sb.WriteString(strings.Join(rows, "\n") + "\n")
	path := filepath.Join(b.TempDir(), "tree.csv")
	os.WriteFile(path, []byte(sb.String()), 0o600)
	bound := time.Duration(n/conc+5) * latency
	var elapsed time.Duration
	for b.Loop() {
		srv := sandbox.New(sandbox.Options{Latency: latency})
		base, _ := srv.Start("127.0.0.1:0")
		client, _ := partnero.New(partnero.Config{BaseURL: base, Key: secret.New("k"), Concurrency: conc, Timeout: 5 * time.Second})
		start := time.Now()
		res, err := Import(context.Background(), Config{
			Open:   func() (io.ReadCloser, error) { return os.Open(path) },
			Input:  input.Options{Format: input.CSV},
			Mode:   "create",
			Report: func() (*report.Writer, error) { return report.Create(filepath.Join(b.TempDir(), "r.csv"), true, nil) },
			Client: client, Concurrency: conc,
		})
		elapsed += time.Since(start)
		if err != nil || res.Summary.Count(report.Created, "") != n {
			b.Fatalf("created %d of %d: %v", res.Summary.Count(report.Created, ""), n, err)
		}
		client.Close()
		srv.Close()
	}
	b.ReportMetric(float64(elapsed)/float64(b.N)/float64(bound), "x-critical-path")
}

// Keep-alive is verified, not assumed: a run with 8 requests in flight
// opens no more than 8 connections, however many rows it sends. It runs
// alone (no t.Parallel): the tests around it would load the machine, and a
// loaded machine dials a few more.
func TestConnectionsAreReused(t *testing.T) {
	path := emailFile(t, 300)
	sb := sandbox.New(sandbox.Options{Latency: 2 * time.Millisecond})
	_, res := importFile(t, context.Background(), sb, path, partnero.Config{Concurrency: 8, Timeout: 5 * time.Second}, nil)
	st := sb.Stats()
	// About one connection a worker: a dial started for a request that an
	// idle connection then served may add a few on a loaded machine, never
	// one a request.
	if res.Summary.Count(report.Created, "") != 300 || st.Connections > 16 || st.Connections == 0 {
		t.Fatalf("created %d with %d connections", res.Summary.Count(report.Created, ""), st.Connections)
	}
}

// An interrupted dry run still gives every row its line.
func TestValidateInterrupted(t *testing.T) {
	t.Parallel()
	path := emailFile(t, 20)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := Validate(ctx, Config{
		Open:   func() (io.ReadCloser, error) { return os.Open(path) },
		Input:  input.Options{Format: input.CSV},
		Mode:   "create",
		Report: func() (*report.Writer, error) { return report.Create(filepath.Join(t.TempDir(), "r.csv"), false, nil) },
	})
	if err != nil || !res.Interrupted || res.Summary.Count(report.Skipped, report.Aborted) != 20 {
		t.Fatalf("interrupted %v, aborted %d: %v", res.Interrupted, res.Summary.Count(report.Skipped, report.Aborted), err)
	}
}

// The dry run reads the file once, judging some rows at once and the rest
// at the end. Its report and retry file must be what judging every row
// after the whole file gives, on files of every kind of reference: up and
// down the file, by id, key or email, outside the file, onto itself, in
// loops, and from or to rows that are invalid or repeated.
func TestValidateJudgesAsTwoPasses(t *testing.T) {
	t.Parallel()
	for seed := range uint64(20) {
		path := messyTree(t, 300, seed)
		dir := t.TempDir()
		rep, retry := filepath.Join(dir, "r.csv"), filepath.Join(dir, "r.retry.csv")
		res, err := Validate(context.Background(), Config{
			Open:      func() (io.ReadCloser, error) { return os.Open(path) },
			Input:     input.Options{Format: input.CSV},
			Mode:      validate.Create,
			Report:    func() (*report.Writer, error) { return report.Create(rep, false, nil) },
			RetryPath: retry,
		})
		if err != nil {
			t.Fatal(err)
		}
		want, wantRetry := twoPasses(t, path)
		var got []report.Line
		if err := report.Read(rep, func(l report.Line) error { got = append(got, l); return nil }); err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) || res.Summary.Rows != len(want) {
			t.Fatalf("seed %d: %d lines, %d counted, want %d", seed, len(got), res.Summary.Rows, len(want))
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("seed %d:\ngot  %+v\nwant %+v", seed, got[i], want[i])
			}
		}
		b, _ := os.ReadFile(retry)
		gotRetry := strings.SplitAfter(string(b), "\n")
		gotRetry = gotRetry[:len(gotRetry)-1] // after the last line end
		slices.Sort(gotRetry)
		if !slices.Equal(gotRetry, wantRetry) {
			t.Errorf("seed %d: retry file\n%s\nwant the header and\n%s", seed, b, strings.Join(wantRetry, ""))
		}
	}
}

// messyTree writes n rows with references of every kind, and problems.
func messyTree(t *testing.T, n int, seed uint64) string {
	rng := rand.New(rand.NewPCG(seed, 7))
	pick := func(choices ...string) string { return choices[rng.IntN(len(choices))] }
	var b strings.Builder
	b.WriteString("email,id,key,password,action,name,referring_partner_id,referring_partner_key,referring_partner_email\n")
	for i := range n {
		other := rng.IntN(n) // up or down the file, or itself
		email := fmt.Sprintf("p%d@x.io", i)
		switch rng.IntN(20) {
		case 0:
			email = fmt.Sprintf("P%d@X.io", rng.IntN(n)) // a repeat, maybe
		case 1:
			email = "nope"
		}
		id := fmt.Sprintf("id%d", i)
		if rng.IntN(30) == 0 {
			id = fmt.Sprintf("id%d", rng.IntN(n))
		}
		var ref [3]string
		if rng.IntN(3) > 0 {
			switch rng.IntN(4) {
			case 0:
				ref[0] = fmt.Sprintf("id%d", other)
			case 1:
				ref[1] = fmt.Sprintf("k%d", other)
			case 2:
				ref[2] = fmt.Sprintf("P%d@x.IO", other)
			default: // by two fields, maybe naming different rows, maybe outside the file
				ref[0], ref[2] = fmt.Sprintf("id%d", rng.IntN(n+n/10)), fmt.Sprintf("p%d@x.io", other)
			}
		}
		fmt.Fprintf(&b, "%s,%s,k%d,%s,%s,%s,%s,%s,%s\n", email, id, i, pick("", "", "Passw0rd!", "weak"),
			pick("", "", "", "invite"), pick("Ann", "Ann", ""), ref[0], ref[1], ref[2])
	}
	path := filepath.Join(t.TempDir(), "messy.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// twoPasses judges path the plain way: the whole file first, then each
// row. It gives the report lines and the retry file's sorted rows.
func twoPasses(t *testing.T, path string) ([]report.Line, []string) {
	plan := validate.NewPlan(validate.Create)
	each := func(fn func(rec *input.Record)) {
		f, _ := os.Open(path)
		defer f.Close()
		rd, err := input.Open(f, input.Options{Format: input.CSV, KeepRaw: true})
		if err != nil {
			t.Fatal(err)
		}
		for rec, err := rd.Next(); err != io.EOF; rec, err = rd.Next() {
			fn(rec)
		}
	}
	each(func(rec *input.Record) { plan.Add(rec) })
	plan.Finish()
	var want []report.Line
	var retry []string
	each(func(rec *input.Record) {
		v := plan.Judge(rec)
		l := report.Line{Row: rec.Row, Line: rec.Line, Email: rec.Email}
		verdict(&l, v, rec.HasReferrer())
		want = append(want, l)
		if v.Status != report.Valid {
			retry = append(retry, string(rec.Raw))
		}
	})
	f, _ := os.Open(path)
	defer f.Close()
	header, _ := input.Open(f, input.Options{Format: input.CSV, KeepRaw: true})
	retry = append(retry, string(header.Header()))
	slices.Sort(retry)
	return want, retry
}

// Progress counts the whole file's bytes and rows, on the one pass that
// reads it, and Started tells the rows meant to be sent: not the invalid
// ones.
func TestProgressCountsTheRead(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "in.csv")
	text := "email\na@x.io\nnot-an-email\nb@x.io\nb@x.io\nc@x.io\n"
	os.WriteFile(path, []byte(text), 0o600)
	open := func() (io.ReadCloser, error) { return os.Open(path) }
	for _, dryRun := range []bool{true, false} {
		var p Progress
		var rows, toSend int
		cfg := Config{Open: open, Input: input.Options{Format: input.CSV}, Mode: "create", Progress: &p,
			Report: func() (*report.Writer, error) {
				return report.Create(filepath.Join(t.TempDir(), "r.csv"), !dryRun, nil)
			},
			Started: func(r, s int) { rows, toSend = r, s }}
		var err error
		if dryRun {
			_, err = Validate(context.Background(), cfg)
		} else {
			sb := sandbox.New(sandbox.Options{})
			base, _ := sb.Start("127.0.0.1:0")
			t.Cleanup(func() { sb.Close() })
			cfg.Client, _ = partnero.New(partnero.Config{BaseURL: base, Key: secret.New("k"), Timeout: 5 * time.Second})
			_, err = Import(context.Background(), cfg)
		}
		if err != nil {
			t.Fatal(err)
		}
		if p.Size.Load() != int64(len(text)) || p.Bytes.Load() != int64(len(text)) || p.Rows.Load() != 5 {
			t.Errorf("dry run %v: size %d, bytes %d, rows %d", dryRun, p.Size.Load(), p.Bytes.Load(), p.Rows.Load())
		}
		if !dryRun && (rows != 5 || toSend != 3) {
			t.Errorf("started with %d rows, %d to send; want 5 and 3", rows, toSend)
		}
	}
}

// A server without search and a program of thousands of partners: every
// lost answer is settled from a walk of the whole list (the partners made
// now are past its twentieth page), and one walk serves every lookup that
// waited for it, so walks are far fewer than lost answers.
func TestNoSearchLargeProgramSettlesEveryLostAnswer(t *testing.T) {
	t.Parallel()
	sb := sandbox.New(sandbox.Options{Vary: sandbox.Variation{NoSearch: true},
		Faults: sandbox.Faults{DropAfterStore: 0.3, Seed: 5}})
	for i := range 2500 {
		sb.Add(sandbox.Partner{Email: fmt.Sprintf("old%d@x.io", i)})
	}
	var b strings.Builder
	b.WriteString("email,name\n")
	for i := range 60 {
		fmt.Fprintf(&b, "new%d@x.io,New\n", i)
	}
	path := filepath.Join(t.TempDir(), "n.csv")
	os.WriteFile(path, []byte(b.String()), 0o600)
	var client *partnero.Client
	got, _ := importFile(t, context.Background(), sb, path, partnero.Config{Concurrency: 8, Retries: 8,
		Timeout: time.Second, RetryBase: 5 * time.Millisecond}, nil, func(c *Config) { client = c.Client })
	reconciled := reconciledRows(got)
	for email, l := range got {
		if l.Status != report.Created || l.PartnerID == "" {
			t.Errorf("%s: %s/%s %s", email, l.Status, l.Reason, l.Message)
		}
	}
	t.Logf("%d lost answers settled with %d walks of the list", reconciled, client.Walks())
	if reconciled < 5 || client.Walks() == 0 || client.Walks() >= reconciled {
		t.Errorf("%d lost answers settled with %d walks of the list", reconciled, client.Walks())
	}
}
