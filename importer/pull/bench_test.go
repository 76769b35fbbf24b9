package pull_test

import (
	"context"
	"fmt"
	"math"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/partnero-import/partnero-import/importer/pull"
	"github.com/partnero-import/partnero-import/importer/pull/fake"
)

// rewardfulProgram is a program of n affiliates, each with a link, a
// customer and a commission on its sale.
func rewardfulProgram(n int) *fake.Rewardful {
	f := &fake.Rewardful{Secret: testSecret}
	campaign := map[string]any{"id": "c1", "name": "Partners"}
	for i := range n {
		id, ref := fmt.Sprintf("aff-%06d", i), fmt.Sprintf("r%06d", i)
		token := fmt.Sprintf("t%06d", i)
		f.Affiliates = append(f.Affiliates, map[string]any{"id": id, "first_name": "Ada", "last_name": "Lovelace",
			"email": fmt.Sprintf("a%06d@example.com", i), "state": "active", "campaign": campaign,
			"links": []any{map[string]any{"id": "l" + token, "url": "https://example.com/?via=" + token, "token": token}}})
		f.Referrals = append(f.Referrals, map[string]any{"id": ref, "conversion_state": "conversion",
			"affiliate": map[string]any{"id": id},
			"customer":  map[string]any{"id": fmt.Sprintf("cus_%06d", i), "name": "Carol", "email": fmt.Sprintf("c%06d@example.com", i)}})
		f.Commissions = append(f.Commissions, map[string]any{"id": fmt.Sprintf("k%06d", i), "amount": 990, "currency": "EUR",
			"state": "paid", "paid_at": "2024-04-01T00:00:00Z", "sale": map[string]any{"id": fmt.Sprintf("s%06d", i),
				"charged_at": "2024-03-01T10:00:00Z", "sale_amount_cents": 9990, "currency": "EUR", "referral": map[string]any{"id": ref}}})
	}
	return f
}

// peakHeap samples the heap in use until stop is called, which returns
// its peak.
func peakHeap() (stop func() uint64) {
	var peak uint64
	done, finished := make(chan struct{}), sync.WaitGroup{}
	sample := func() {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		peak = max(peak, m.HeapInuse)
	}
	finished.Add(1)
	go func() {
		defer finished.Done()
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			sample()
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		finished.Wait()
		sample()
		return peak
	}
}

// A pull of 10,000 affiliates, with their customers and commissions,
// from a Rewardful whose window is shortened (45 requests per 1.5 s, not
// 30 s): x-bound is its time over the least the limit allows, (requests
// answered) ÷ (the limit) (target <= 1.1); heap-MB is the heap's peak
// growth over the program the fake holds, heap-B/affiliate the same per
// affiliate: what the joins keep (ids and keys), not the records.
func BenchmarkPullRewardful(b *testing.B) {
	const affiliates, window = 10_000, 1500 * time.Millisecond
	for range b.N {
		b.StopTimer()
		f := rewardfulProgram(affiliates)
		f.Window = window
		srv := httptest.NewServer(f)
		src, err := pull.New("rewardful", func(string) string { return testSecret },
			pull.Options{BaseURL: srv.URL + "/v1", Window: window, Backoff: time.Millisecond})
		if err != nil {
			b.Fatal(err)
		}
		out, err := pull.Create(filepath.Join(b.TempDir(), "out"), src.Name())
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		stop := peakHeap()
		b.StartTimer()
		start := time.Now()
		if err := src.Pull(context.Background(), out); err != nil {
			b.Fatal(err)
		}
		if err := out.Finish(); err != nil {
			b.Fatal(err)
		}
		elapsed := time.Since(start)
		b.StopTimer()
		peak := stop()
		srv.Close()
		requests, throttled := f.Counts()
		for _, k := range []pull.Kind{pull.KindPartner, pull.KindCustomer, pull.KindTransaction} {
			if got := out.Summary.Carried[k]; got != affiliates {
				b.Fatalf("carried %d of kind %s, want %d", got, k, affiliates)
			}
		}
		bound := time.Duration(float64(requests) / float64(pull.RewardfulLimit.Requests) * float64(window))
		growth := float64(peak) - float64(before.HeapInuse)
		b.ReportMetric(elapsed.Seconds()/bound.Seconds(), "x-bound")
		b.ReportMetric(float64(requests), "requests")
		b.ReportMetric(float64(throttled), "429s")
		b.ReportMetric(math.Max(growth, 0)/(1<<20), "heap-MB")
		b.ReportMetric(math.Max(growth, 0)/affiliates, "heap-B/affiliate")
		b.StartTimer()
	}
}
