package pull_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/partnero-import/partnero-import/importer/pull"
	"github.com/partnero-import/partnero-import/importer/pull/fake"
)

// benchAffiliates is how many affiliates the speed benchmarks pull, each
// with a customer and a commission on its sale.
const benchAffiliates = 10_000

// benchProgram is a program of n affiliates, each with a link, a
// customer and a paid commission on its sale.
func benchProgram(n int) fake.Program {
	var p fake.Program
	for i := range n {
		id, ref := fmt.Sprintf("aff-%06d", i), fmt.Sprintf("ref-%06d", i)
		p.Partners = append(p.Partners, fake.ProgramPartner{ID: id, Email: fmt.Sprintf("a%06d@example.com", i),
			Key: fmt.Sprintf("t%06d", i), Name: "Ada", Campaign: "Partners"})
		p.Referrals = append(p.Referrals, fake.ProgramReferral{ID: ref, Partner: id, Customer: fmt.Sprintf("cus-%06d", i)})
		p.Commissions = append(p.Commissions, fake.ProgramCommission{ID: fmt.Sprintf("com-%06d", i), Sale: fmt.Sprintf("sale-%06d", i),
			Referral: ref, SaleCents: 9990, Cents: 990, Currency: "EUR", SaleCurrency: "EUR", State: "paid"})
	}
	return p
}

// benchFake is a source's fake: it serves, and counts the requests it
// answered and those it refused 429.
type benchFake interface {
	http.Handler
	Counts() (requests, throttled int)
}

// benchSource is a source as the benchmarks pull from it.
type benchSource struct {
	name string
	// limit bounds the pull's time: the published limit, or the pull's
	// own pace where the source publishes none (its fake then has none).
	limit pull.Limit
	// window is limit's window shortened in proportion, so that a pull of
	// 10,000 affiliates takes seconds, not minutes (.ci/bench stays short),
	// while a request still takes well under its slot of the window.
	window    time.Duration
	path      string // the API's root under the fake's URL
	programID string
	env       map[string]string
	// serve makes the fake of program, its limit's window (if it has a
	// limit) shortened to window.
	serve func(program fake.Program, window time.Duration) benchFake
}

// benchSources are the five sources. Their windows are shortened from
// the published (or paced) one so each pull takes 4 to 30 s here:
// Rewardful 30 s ÷ 20, FirstPromoter 60 s ÷ 10, Tolt 1 s ÷ 4, PartnerStack
// 1 s ÷ 20 (it asks for each partnership's links: 10,160 requests),
// Tapfiliate 60 s ÷ 60 (pages of 25: 1,200 requests).
var benchSources = []benchSource{
	{name: "rewardful", limit: pull.RewardfulLimit, window: 1500 * time.Millisecond, path: "/v1",
		env: map[string]string{pull.RewardfulSecretEnv: testSecret},
		serve: func(p fake.Program, window time.Duration) benchFake {
			f := fake.RewardfulOf(testSecret, p, fake.Knobs{})
			f.Window = window
			return f
		}},
	{name: "firstpromoter", limit: pull.FirstPromoterLimit, window: 6 * time.Second, path: "/api/v2/company",
		env: map[string]string{pull.FirstPromoterKeyEnv: fpKey, pull.FirstPromoterAccountEnv: fpAccount},
		serve: func(p fake.Program, window time.Duration) benchFake {
			f := fake.FirstPromoterOf(fpKey, fpAccount, p, fake.Knobs{})
			f.Window = window
			return f
		}},
	{name: "tolt", limit: pull.ToltLimit, window: 250 * time.Millisecond, path: "/v1", programID: toltProgram,
		env: map[string]string{pull.ToltKeyEnv: toltKey},
		serve: func(p fake.Program, window time.Duration) benchFake {
			f := fake.ToltOf(toltKey, toltProgram, p, fake.Knobs{})
			f.Window = window
			return f
		}},
	{name: "partnerstack", limit: pull.PartnerStackLimit, window: 50 * time.Millisecond, path: "/api/v2",
		env: map[string]string{pull.PartnerStackPublicKeyEnv: testPublicKey, pull.PartnerStackSecretKeyEnv: testSecretKey},
		serve: func(p fake.Program, _ time.Duration) benchFake {
			return fake.PartnerStackOf(testPublicKey, testSecretKey, p, fake.Knobs{})
		}},
	{name: "tapfiliate", limit: pull.TapfiliateLimit, window: time.Second, path: "/1.6",
		env: map[string]string{pull.TapfiliateKeyEnv: tapfiliateKey},
		serve: func(p fake.Program, _ time.Duration) benchFake {
			return fake.TapfiliateOf(tapfiliateKey, p, fake.Knobs{})
		}},
}

// benchRun is what one pull measured.
type benchRun struct {
	elapsed             time.Duration
	requests, throttled int
	// retained is the live heap the pull left (after a GC, its source and
	// output still held) over the live heap before it, with the fake and
	// its program already loaded: what the joins keep, without garbage
	// and without the fake's records.
	retained int64
}

// pullBench pulls n affiliates from s's fake, over HTTP on 127.0.0.1,
// its window shortened to window, and checks every record was carried.
func pullBench(b *testing.B, s benchSource, n int, window time.Duration) benchRun {
	b.Helper()
	f := s.serve(benchProgram(n), window)
	srv := httptest.NewServer(f)
	defer srv.Close()
	src, err := pull.New(s.name, func(name string) string { return s.env[name] },
		pull.Options{BaseURL: srv.URL + s.path, ProgramID: s.programID, Window: window, Backoff: time.Millisecond})
	if err != nil {
		b.Fatal(err)
	}
	out, err := pull.Create(filepath.Join(b.TempDir(), "out"), src.Name())
	if err != nil {
		b.Fatal(err)
	}
	before := liveHeap()
	b.StartTimer()
	start := time.Now()
	if err := src.Pull(context.Background(), out); err != nil {
		b.Fatal(err)
	}
	if err := out.Finish(); err != nil {
		b.Fatal(err)
	}
	run := benchRun{elapsed: time.Since(start)}
	b.StopTimer()
	run.retained = int64(liveHeap()) - int64(before)
	runtime.KeepAlive(src)
	runtime.KeepAlive(f)
	run.requests, run.throttled = f.Counts()
	for _, k := range []pull.Kind{pull.KindPartner, pull.KindCustomer, pull.KindTransaction} {
		if got := out.Summary.Carried[k]; got != n {
			b.Fatalf("%s: carried %d of kind %s, want %d", s.name, got, k, n)
		}
	}
	return run
}

// liveHeap is the heap's live bytes, garbage collected first.
func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// benchPull pulls 10,000 affiliates with their customers and commissions
// from s's fake, its window shortened: x-bound is the pull's time over
// the least its limit allows, (requests answered) ÷ (the limit) (target
// <= 1.1); 429s the answers refused (0 expected: the pull keeps under).
func benchPull(b *testing.B, s benchSource) {
	b.StopTimer()
	for range b.N {
		run := pullBench(b, s, benchAffiliates, s.window)
		bound := time.Duration(float64(run.requests) / float64(s.limit.Requests) * float64(s.window))
		b.ReportMetric(run.elapsed.Seconds()/bound.Seconds(), "x-bound")
		b.ReportMetric(float64(run.requests), "requests")
		b.ReportMetric(float64(run.throttled), "429s")
	}
}

func BenchmarkPullRewardful(b *testing.B)     { benchPull(b, benchSourceNamed("rewardful")) }
func BenchmarkPullFirstPromoter(b *testing.B) { benchPull(b, benchSourceNamed("firstpromoter")) }
func BenchmarkPullTolt(b *testing.B)          { benchPull(b, benchSourceNamed("tolt")) }
func BenchmarkPullPartnerStack(b *testing.B)  { benchPull(b, benchSourceNamed("partnerstack")) }
func BenchmarkPullTapfiliate(b *testing.B)    { benchPull(b, benchSourceNamed("tapfiliate")) }

// benchSourceNamed is the bench source named name.
func benchSourceNamed(name string) benchSource {
	for _, s := range benchSources {
		if s.name == name {
			return s
		}
	}
	panic("no bench source " + name)
}

// BenchmarkPullRetained pulls 10,000 and 20,000 affiliates from each
// source, unpaced: retained-B/affiliate is the live heap the pull keeps
// at its end per affiliate (see benchRun.retained). About the same at
// both sizes, the pull keeps what its joins need and nothing per page.
func BenchmarkPullRetained(b *testing.B) {
	for _, s := range benchSources {
		for _, n := range []int{benchAffiliates, 2 * benchAffiliates} {
			b.Run(fmt.Sprintf("%s/%d", s.name, n), func(b *testing.B) {
				b.StopTimer()
				for range b.N {
					run := pullBench(b, s, n, time.Nanosecond)
					b.ReportMetric(float64(run.retained)/float64(n), "retained-B/affiliate")
				}
			})
		}
	}
}
