package importer

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
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

// benchRows is the size of the dry-run benchmark's file.
const benchRows = 1_000_000

// writeBenchFile writes a partner file of n rows with the columns a
// migration usually has.
func writeBenchFile(b *testing.B, n int) string {
	b.Helper()
	path := filepath.Join(b.TempDir(), "big.csv")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	w.WriteString("email,name,surname,id,key,password,tags\n")
	for i := range n {
		fmt.Fprintf(w, "User.%d@Example%d.com,Name%d,Surname %d,id%d,key%d,Passw0rd%d,blog|vip\n", i, i%97, i, i, i, i, i)
	}
	w.Flush()
	f.Close()
	return path
}

// floor is the least a dry run must do: read every record with
// encoding/csv and build the set of lowercased emails.
func floor(path string) (int, error) {
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
		emails[strings.ToLower(rec[0])] = struct{}{}
	}
}

// BenchmarkDryRun validates a million-row CSV and reports x-floor: its time
// over the floor's. The floor runs in the same process right before each
// validation, so that a shared machine's drift hits both alike.
func BenchmarkDryRun(b *testing.B) {
	path := writeBenchFile(b, benchRows)
	rep := filepath.Join(b.TempDir(), "r.csv")
	var floorTime, total time.Duration
	for b.Loop() {
		b.StopTimer()
		start := time.Now()
		if n, err := floor(path); err != nil || n != benchRows {
			b.Fatalf("floor: %d, %v", n, err)
		}
		floorTime += time.Since(start)
		b.StartTimer()
		start = time.Now()
		res, err := Validate(context.Background(), Config{
			Open:   func() (io.ReadCloser, error) { return os.Open(path) },
			Input:  input.Options{Format: input.CSV},
			Mode:   "create",
			Report: func() (*report.Writer, error) { return report.Create(rep, false) },
		})
		total += time.Since(start)
		if err != nil || res.Summary.Count(report.Valid, "") != benchRows {
			b.Fatalf("valid %d of %d: %v", res.Summary.Count(report.Valid, ""), benchRows, err)
		}
	}
	b.ReportMetric(float64(total)/float64(floorTime), "x-floor")
	b.ReportMetric(floorTime.Seconds()/float64(b.N), "floor-s/op")
}

// benchImport imports rows fresh partners into sb through the whole
// pipeline and returns the time it took.
func benchImport(b *testing.B, sb *sandbox.Server, rows int, cc partnero.Config) time.Duration {
	b.Helper()
	base, err := sb.Start("127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer sb.Close()
	path := emailFile(b, rows)
	cc.BaseURL, cc.Key, cc.Timeout = base, secret.New("k"), 10*time.Second
	client, err := partnero.New(cc)
	if err != nil {
		b.Fatal(err)
	}
	defer client.Close()
	start := time.Now()
	res, err := Import(context.Background(), Config{
		Open:   func() (io.ReadCloser, error) { return os.Open(path) },
		Input:  input.Options{Format: input.CSV},
		Mode:   "create",
		Report: func() (*report.Writer, error) { return report.Create(filepath.Join(b.TempDir(), "r.csv"), true) },
		Client: client, Concurrency: cc.Concurrency,
	})
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
		elapsed := benchImport(b, sb, rows, partnero.Config{Rate: limit, Concurrency: 8})
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
		elapsed := benchImport(b, sb, rows, partnero.Config{AutoRate: true, LimitWindow: benchWindow, Concurrency: 8})
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
		elapsed := benchImport(b, sb, rows, partnero.Config{AutoRate: true, LimitWindow: benchWindow, Concurrency: 8, Retries: 8})
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
		elapsed := benchImport(b, sb, rows, partnero.Config{Concurrency: conc})
		b.ReportMetric(float64(rows)/elapsed.Seconds()/bound, "x-bound")
		b.ReportMetric(float64(sb.Stats().Connections), "conns")
	}
}
