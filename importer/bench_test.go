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
