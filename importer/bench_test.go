package importer

import (
	"bufio"
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/partnero-import/partnero-import/importer/input"
	"github.com/partnero-import/partnero-import/importer/partnero"
	"github.com/partnero-import/partnero-import/importer/sandbox"
	"github.com/partnero-import/partnero-import/importer/secret"
	"github.com/partnero-import/partnero-import/report"
)

// How the dry run gets near the speed of a bare encoding/csv read (the
// figures: partnero-import help speed; all of them: bash .ci/bench):
//
//   - It reads the file once. A row is judged as soon as it is read when no
//     later row can change its verdict: repeats are always of earlier rows,
//     so a row that names no referrer qualifies, and so does a row whose
//     referrer is an earlier row already judged (its chain of referrers only
//     goes up the file, so it is on no loop). Exports usually list referrers
//     first, so most rows of a tree are judged at once and the report is
//     written in order.
//   - The other rows (their referrer is further down the file, or outside
//     it) wait for the end of the file in a private temporary file (0600,
//     unlinked as soon as it is made, so a killed run leaves nothing
//     behind), with what the read found: problems, line, email, and their
//     text for the retry file. They are then judged from the plan, without
//     reading the file again. The report is sorted at the end by merging its
//     two runs in one sequential pass, from an index of each line's row and
//     length (8 bytes a row) kept as lines are written.
//   - Every cell is checked for control characters through a table of the
//     bytes worth a closer look, and an ASCII email (nearly all) skips the
//     NFKC normalisation and the scan for invisible characters, which cannot
//     change it: the text hygiene costs a few percent, not a multiple.
//   - gocsv maps the header onto the fields and checks the mapping. The rows
//     are then decoded from encoding/csv records by column index, because
//     the profile showed gocsv's reflection per row at several times the
//     cost of parsing.
//   - Where each email, id and key first appears is kept in one
//     open-addressing table of 96-bit fingerprints, 16 bytes a value. It
//     records a new value in a single probe and is sized from the first
//     rows' bytes.
//   - Rows are parsed and checked on one goroutine and remembered on
//     another. The table is larger than the processor's cache, so the
//     goroutine that remembers first reads the table slot of every value of
//     a batch of 256 rows: their cache misses are then waited for together,
//     not one by one. This halved that goroutine's time.
//   - The report is buffered, and is sorted at the end only if rows finished
//     out of order.
//
// Each figure is measured against its baseline in the same process, never by
// a timed assertion in a test: BenchmarkDryRun and BenchmarkDryRunReferrals
// print x-floor (against the bare read), BenchmarkImportReferrals prints
// x-treeless (against the same requests without a tree), and
// BenchmarkWideTree prints the time over the least possible (five round
// trips plus one per pool-full of rows).

// benchRows is the size of the dry-run benchmarks' files.
const benchRows = 1_000_000

// The referral-heavy file's trees: this share of rows names a random
// earlier row as its referrer, by id or by email, in trees of at most
// treeDepth levels (the multi-tier migrations this tool exists for).
const (
	treeShare = 0.3
	treeDepth = 12
)

// referrers says whom the rows of a benchmark file name as referrers.
type referrers int

const (
	noReferrers referrers = iota // no column for one, as plain lists have
	earlierRows                  // the referral-heavy file: trees in the file
	outsideFile                  // the same rows naming partners outside the file (outsiders)
)

// writeBenchFile writes a partner file of n rows with the columns a
// migration usually has; with referrers, two more.
func writeBenchFile(tb testing.TB, n int, refs referrers) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "big.csv")
	if err := writeBenchRows(path, n, refs); err != nil {
		tb.Fatal(err)
	}
	return path
}

func writeBenchRows(path string, n int, refs referrers) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	if refs == noReferrers {
		w.WriteString("email,name,surname,id,key,password,tags\n")
	} else {
		w.WriteString("email,name,surname,id,key,password,tags,referring_partner_id,referring_partner_email\n")
	}
	idPrefix, domain := "id", "example" // as the rows' own, in lower case as exports often have it
	if refs == outsideFile {
		idPrefix, domain = outsiderID, outsiderDomain
	}
	rng := rand.New(rand.NewPCG(12, 30)) // the same file every run
	level := make([]uint8, n)            // the levels of the tree down to each row
	for i := range n {
		fmt.Fprintf(w, "User.%d@Example%d.com,Name%d,Surname %d,id%d,key%d,Passw0rd%d,blog|vip", i, i%97, i, i, i, i, i)
		if refs == noReferrers {
			w.WriteByte('\n')
			continue
		}
		level[i] = 1
		ref := -1
		switch {
		case i > 0 && i < treeDepth:
			ref = i - 1 // one chain of the greatest depth, so every run has it
		case i > 0 && rng.Float64() < treeShare:
			for ref = rng.IntN(i); level[ref] == treeDepth; ref = rng.IntN(i) {
			}
		}
		switch {
		case ref < 0:
			w.WriteString(",,\n")
		case rng.IntN(2) == 0:
			fmt.Fprintf(w, ",%s%d,\n", idPrefix, ref)
		default:
			fmt.Fprintf(w, ",,user.%d@%s%d.com\n", ref, domain, ref%97)
		}
		if ref >= 0 {
			level[i] = level[ref] + 1
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// The outsiders that an outsideFile file's rows name.
const (
	outsiderID     = "xid"
	outsiderDomain = "elsewhere"
)

// addOutsiders stores in sb the n partners an outsideFile file of n rows
// may name, as partners that were there before the import.
func addOutsiders(b *testing.B, sb *sandbox.Server, n int) {
	for i := range n {
		p := sandbox.Partner{ID: fmt.Sprintf("%s%d", outsiderID, i), Email: fmt.Sprintf("user.%d@%s%d.com", i, outsiderDomain, i%97)}
		if err := sb.Add(p); err != nil {
			b.Fatal(err)
		}
	}
}

var benchFiles = flag.String("bench-files", "", "TestWriteBenchFiles writes the dry-run benchmarks' files to this folder (.ci/bench measures a real dry run's memory on them)")

// writeTransactionRows writes a transactions file of n rows with the
// columns a payment platform's export usually has: a year of sales in two
// currencies, amounts with a dot or a comma mark, dates in three forms,
// commissions paid or not.
func writeTransactionRows(path string, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	w.WriteString("key,customer_key,amount,currency,created_at,product_id,rewarded\n")
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		at := start.Add(time.Duration(i) * 365 * 24 * time.Hour / time.Duration(n))
		fmt.Fprintf(w, "ch_%08d,cus_%d,", i, i/3)
		if i%5 == 0 {
			fmt.Fprintf(w, "\"%d,%02d\",", 10+i%490, i%100)
		} else {
			fmt.Fprintf(w, "%d.%02d,", 10+i%490, i%100)
		}
		w.WriteString([...]string{"EUR,", "usd,"}[i%2])
		switch i % 3 {
		case 0:
			w.WriteString(at.Format(time.RFC3339))
		case 1:
			w.WriteString(at.Format(time.DateOnly))
		default:
			fmt.Fprint(w, at.Unix())
		}
		fmt.Fprintf(w, ",plan_%d,%t\n", i%7, at.Month() < 10)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// TestWriteBenchFiles writes plain.csv, referrals.csv and
// transactions.csv, the dry-run benchmarks' files, when -bench-files
// names a folder.
func TestWriteBenchFiles(t *testing.T) {
	if *benchFiles == "" {
		t.Skip("no -bench-files folder")
	}
	for name, refs := range map[string]referrers{"plain.csv": noReferrers, "referrals.csv": earlierRows} {
		if err := writeBenchRows(filepath.Join(*benchFiles, name), benchRows, refs); err != nil {
			t.Fatal(err)
		}
	}
	if err := writeTransactionRows(filepath.Join(*benchFiles, "transactions.csv"), benchRows); err != nil {
		t.Fatal(err)
	}
}

// floor is the least a dry run must do: read every record with
// encoding/csv and build the set of the first column's values (emails
// lowercased: partners' are compared so; keys exactly).
func floor(path string, kind report.Kind) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	r := csv.NewReader(bufio.NewReaderSize(f, 64<<10))
	r.ReuseRecord = true
	if _, err := r.Read(); err != nil {
		return 0, err
	}
	emails := map[string]struct{}{}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return len(emails), nil
		}
		if err != nil {
			return 0, err
		}
		if kind == report.Partners {
			emails[strings.ToLower(rec[0])] = struct{}{}
		} else {
			emails[rec[0]] = struct{}{}
		}
	}
}

// BenchmarkDryRun validates a million-row CSV and reports x-floor: its time
// over the floor's. The floor runs in the same process right before each
// validation, so that a shared machine's drift hits both alike.
func BenchmarkDryRun(b *testing.B) {
	benchDryRun(b, writeBenchFile(b, benchRows, noReferrers), 0, Partners)
}

// BenchmarkDryRunTransactions is BenchmarkDryRun on a million-row
// transactions file: every amount read exactly, every date and currency
// checked, every key remembered.
func BenchmarkDryRunTransactions(b *testing.B) {
	path := filepath.Join(b.TempDir(), "transactions.csv")
	if err := writeTransactionRows(path, benchRows); err != nil {
		b.Fatal(err)
	}
	benchDryRun(b, path, 0, Transactions)
}

// BenchmarkDryRunReferrals is BenchmarkDryRun on the referral-heavy file:
// 30% of the rows name an earlier row as their referrer, 12 levels deep.
func BenchmarkDryRunReferrals(b *testing.B) {
	benchDryRun(b, writeBenchFile(b, benchRows, earlierRows), treeDepth, Partners)
}

// benchDryRun validates path (benchRows rows of kind, all valid, trees of
// depth levels) and reports x-floor.
func benchDryRun(b *testing.B, path string, depth int, kind Kind) {
	rep := filepath.Join(b.TempDir(), "r.csv")
	var floorTime, total time.Duration
	for b.Loop() {
		b.StopTimer()
		start := time.Now()
		if n, err := floor(path, kind.Name()); err != nil || n != benchRows {
			b.Fatalf("floor: %d, %v", n, err)
		}
		floorTime += time.Since(start)
		b.StartTimer()
		start = time.Now()
		res, err := Validate(context.Background(), Config{
			Kind:   kind,
			Open:   func() (io.ReadCloser, error) { return os.Open(path) },
			Input:  input.Options{Format: input.CSV, Kind: kind.Name()},
			Mode:   "create",
			Report: func() (*report.Writer, error) { return report.Create(rep, false, nil) },
		})
		total += time.Since(start)
		if err != nil || res.Summary.Count(report.Valid, "") != benchRows || res.Shape.Depth != depth {
			b.Fatalf("valid %d of %d, depth %d: %v", res.Summary.Count(report.Valid, ""), benchRows, res.Shape.Depth, err)
		}
	}
	b.ReportMetric(float64(total)/float64(floorTime), "x-floor")
	b.ReportMetric(floorTime.Seconds()/float64(b.N), "floor-s/op")
}

// benchImport imports the rows fresh partners of path into sb through the
// whole pipeline and returns the time it took.
func benchImport(b *testing.B, sb *sandbox.Server, path string, rows int, cc partnero.Config, tune ...func(*Config)) time.Duration {
	b.Helper()
	base, err := sb.Start("127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer sb.Close()
	cc.BaseURL, cc.Key, cc.Timeout = base, secret.New("k"), 10*time.Second
	client, err := partnero.New(cc)
	if err != nil {
		b.Fatal(err)
	}
	defer client.Close()
	cfg := Config{
		Open:   func() (io.ReadCloser, error) { return os.Open(path) },
		Input:  input.Options{Format: input.CSV},
		Mode:   "create",
		Report: func() (*report.Writer, error) { return report.Create(filepath.Join(b.TempDir(), "r.csv"), true, nil) },
		Client: client, Concurrency: cc.Concurrency,
	}
	for _, f := range tune {
		f(&cfg)
	}
	start := time.Now()
	res, err := Import(context.Background(), cfg)
	elapsed := time.Since(start)
	if err != nil || res.Summary.Count(report.Created, "") != rows {
		b.Fatalf("created %d of %d: %v", res.Summary.Count(report.Created, ""), rows, err)
	}
	return elapsed
}

// The server's limit in the rate benchmarks: 120 requests per 3 s window
// (Partnero's is per minute; a shorter window runs the same dance faster).
const (
	benchLimit  = 120
	benchWindow = 3 * time.Second
)

// BenchmarkKnownLimit: --rate set to the server's limit. x-limit is the
// achieved rate over the limit (at least 0.97 wanted), and 429s must be 0.
func BenchmarkKnownLimit(b *testing.B) {
	limit := float64(benchLimit) / benchWindow.Seconds()
	for b.Loop() {
		sb := sandbox.New(sandbox.Options{RateLimit: benchLimit, Window: benchWindow})
		rows := 3 * benchLimit
		elapsed := benchImport(b, sb, emailFile(b, rows), rows, partnero.Config{Rate: limit, Concurrency: 8})
		b.ReportMetric(float64(sb.Stats().Requests)/elapsed.Seconds()/limit, "x-limit")
		b.ReportMetric(float64(sb.Stats().Throttled), "429s")
	}
}

// BenchmarkKnownLimitTransactions: the same for sales, which cost two
// requests each (the lookup that keeps a key from being stored twice, then
// the create): the pool paces them alike. x-limit counts requests.
func BenchmarkKnownLimitTransactions(b *testing.B) {
	limit := float64(benchLimit) / benchWindow.Seconds()
	for b.Loop() {
		sb := sandbox.New(sandbox.Options{RateLimit: benchLimit, Window: benchWindow})
		sb.Add(sandbox.Partner{Email: "p@x.io", ID: "p1", Key: "p"})
		if err := sb.AddCustomer(sandbox.Customer{Key: "c1", Partner: "p1"}); err != nil {
			b.Fatal(err)
		}
		rows := 3 * benchLimit / 2
		var text strings.Builder
		text.WriteString("key,customer_key,amount,currency\n")
		for i := range rows {
			fmt.Fprintf(&text, "t%d,c1,%d.90,EUR\n", i, i)
		}
		path := filepath.Join(b.TempDir(), "sales.csv")
		if err := os.WriteFile(path, []byte(text.String()), 0o600); err != nil {
			b.Fatal(err)
		}
		elapsed := benchImport(b, sb, path, rows, partnero.Config{Rate: limit, Concurrency: 8}, func(c *Config) {
			c.Kind, c.Input.Kind = Transactions, report.Transactions
		})
		b.ReportMetric(float64(sb.Stats().Requests)/elapsed.Seconds()/limit, "x-limit")
		b.ReportMetric(float64(sb.Stats().Throttled), "429s")
	}
}

// BenchmarkAutoRate: --rate auto against a server that advertises its
// limit. x-limit is the achieved rate over the limit (at least 0.90
// wanted); 429s must stay under 1% of the requests.
func BenchmarkAutoRate(b *testing.B) {
	limit := float64(benchLimit) / benchWindow.Seconds()
	for b.Loop() {
		sb := sandbox.New(sandbox.Options{RateLimit: benchLimit, Window: benchWindow})
		rows := 3 * benchLimit
		elapsed := benchImport(b, sb, emailFile(b, rows), rows, partnero.Config{AutoRate: true, LimitWindow: benchWindow, Concurrency: 8})
		st := sb.Stats()
		b.ReportMetric(float64(st.Requests)/elapsed.Seconds()/limit, "x-limit")
		b.ReportMetric(100*float64(st.Throttled)/float64(st.Requests), "429-%")
	}
}

// BenchmarkAutoRateQuiet: --rate auto against a server that advertises
// nothing and only answers 429 with Retry-After: the probing fallback.
func BenchmarkAutoRateQuiet(b *testing.B) {
	limit := float64(benchLimit) / benchWindow.Seconds()
	for b.Loop() {
		sb := sandbox.New(sandbox.Options{RateLimit: benchLimit, Window: benchWindow, QuietLimit: true})
		rows := 6 * benchLimit
		elapsed := benchImport(b, sb, emailFile(b, rows), rows, partnero.Config{AutoRate: true, LimitWindow: benchWindow, Concurrency: 8, Retries: 8})
		st := sb.Stats()
		b.ReportMetric(float64(st.Requests-st.Throttled)/elapsed.Seconds()/limit, "x-limit")
		b.ReportMetric(100*float64(st.Throttled)/float64(st.Requests), "429-%")
	}
}

// BenchmarkLatencyHiding: 50 ms answers, no limit, 32 requests in flight:
// the bound is 640 requests a second. x-bound is the share reached (at
// least 0.90 wanted); conns is how many connections it took.
func BenchmarkLatencyHiding(b *testing.B) {
	const latency, conc = 50 * time.Millisecond, 32
	bound := float64(conc) / latency.Seconds()
	for b.Loop() {
		sb := sandbox.New(sandbox.Options{Latency: latency})
		rows := int(bound) * 3
		elapsed := benchImport(b, sb, emailFile(b, rows), rows, partnero.Config{Concurrency: conc})
		b.ReportMetric(float64(rows)/elapsed.Seconds()/bound, "x-bound")
		b.ReportMetric(float64(sb.Stats().Connections), "conns")
	}
}

// BenchmarkImportReferrals imports a file of the referral-heavy file's
// shape (trees in the file) and the same rows naming partners outside the
// file instead (no tree), one after the other, each into a fresh sandbox
// that holds those outsiders, without limit or latency, at --rate 0. The
// requests and the server's work are alike; only the plan and dispatch
// of the tree differ. x-treeless is the tree's time over the other's, row
// for row (about 1 wanted).
func BenchmarkImportReferrals(b *testing.B) {
	const rows = 20_000
	tree, treeless := writeBenchFile(b, rows, earlierRows), writeBenchFile(b, rows, outsideFile)
	run := func(path string) time.Duration {
		sb := sandbox.New(sandbox.Options{})
		addOutsiders(b, sb, rows)
		return benchImport(b, sb, path, rows, partnero.Config{Concurrency: 8})
	}
	var treeTime, treelessTime time.Duration
	for i := 0; b.Loop(); i++ {
		if i%2 == 0 { // each goes first as often: no edge from the order
			treelessTime += run(treeless)
			treeTime += run(tree)
		} else {
			treeTime += run(tree)
			treelessTime += run(treeless)
		}
	}
	b.ReportMetric(float64(treeTime)/float64(treelessTime), "x-treeless")
	b.ReportMetric(float64(rows*b.N)/treeTime.Seconds(), "tree-rows/s")
}
