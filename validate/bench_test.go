package validate

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/partnero-import/partnero-import/importer/input"
)

// benchTransaction is the i-th row of the benchmarks' transactions: two
// currencies, the three written date forms and Unix seconds, a reward on
// some.
func benchTransaction(i int) []string {
	amount, currency := fmt.Sprintf("%d.%02d", 10+i%990, i%100), "EUR"
	if i%3 == 0 {
		amount, currency = fmt.Sprint(1000+i%9000), "JPY"
	}
	dates := [...]string{"2024-05-01T10:00:00Z", "2024-05-01", "2024-05-01 10:00:00", "1714557600"}
	reward := ""
	if i%4 == 0 {
		reward = "1,50" // read with a comma as its decimal mark
		if currency == "JPY" {
			reward = "150"
		}
	}
	return []string{fmt.Sprintf("ch_%08d", i), fmt.Sprintf("cus_%06d", i/3), amount, currency, dates[i%4], reward, "false"}
}

// transactionFields fills the fields from a record by column index, as
// importer/input decodes a row.
func transactionFields(f *input.Fields, r []string) {
	f.Key, f.CustomerKey, f.Amount, f.Currency, f.CreatedAt, f.Reward, f.Rewarded = r[0], r[1], r[2], r[3], r[4], r[5], r[6]
}

// BenchmarkTransactionRow is the check of one transaction row on its own.
func BenchmarkTransactionRow(b *testing.B) {
	now := time.Now()
	recs := make([]input.Record, 1024)
	for i := range recs {
		recs[i].Row = i + 1
		transactionFields(&recs[i].Fields, benchTransaction(i))
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if ps := TransactionRow(&recs[i%len(recs)], now); ps != nil {
			b.Fatal(ps)
		}
		i++
	}
}

// benchRows is the size of BenchmarkTransactionsFile's file.
const benchRows = 1_000_000

// BenchmarkTransactionsFile reads a million-row transactions CSV twice:
// bare (encoding/csv and a set of its keys: the floor), then with every
// row checked and added to a KeyPlan. It reports x-floor, the second time
// over the first, measured in turn in the same process so that a shared
// machine's drift hits both alike.
func BenchmarkTransactionsFile(b *testing.B) {
	path := filepath.Join(b.TempDir(), "transactions.csv")
	writeTransactions(b, path)
	var floorTime, total time.Duration
	for b.Loop() {
		b.StopTimer()
		start := time.Now()
		if n := readTransactions(b, path, nil); n != benchRows {
			b.Fatalf("floor read %d rows", n)
		}
		floorTime += time.Since(start)
		b.StartTimer()
		start = time.Now()
		p := NewTransactionPlan(time.Now())
		if n := readTransactions(b, path, p); n != benchRows {
			b.Fatalf("checked %d rows", n)
		}
		total += time.Since(start)
	}
	b.ReportMetric(float64(total)/float64(floorTime), "x-floor")
	b.ReportMetric(floorTime.Seconds()/float64(b.N), "floor-s/op")
}

func writeTransactions(b *testing.B, path string) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := csv.NewWriter(bufio.NewWriter(f))
	_ = w.Write([]string{"key", "customer_key", "amount", "currency", "created_at", "reward", "rewarded"})
	for i := range benchRows {
		_ = w.Write(benchTransaction(i))
	}
	w.Flush()
	if err := w.Error(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
}

// readTransactions reads path and returns its rows: with p nil, only
// keeping the set of keys (the floor); else checking each row and adding
// it to p, failing on a row found invalid.
func readTransactions(b *testing.B, path string, p *KeyPlan) int {
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(bufio.NewReaderSize(f, 64<<10))
	r.ReuseRecord = true
	if _, err := r.Read(); err != nil {
		b.Fatal(err)
	}
	keys := map[string]struct{}{}
	rec := input.Record{}
	for n := 1; ; n++ {
		cells, err := r.Read()
		if err == io.EOF {
			if p == nil {
				return len(keys)
			}
			return p.Rows()
		}
		if err != nil {
			b.Fatal(err)
		}
		if p == nil {
			keys[cells[0]] = struct{}{}
			continue
		}
		rec = input.Record{Row: n, Line: n + 1}
		transactionFields(&rec.Fields, cells)
		c := p.Check(&rec)
		p.Touch(&c)
		if ps := p.AddChecked(&rec, c); ps != nil {
			b.Fatalf("row %d: %v", n, ps)
		}
	}
}
