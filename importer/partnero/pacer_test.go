package partnero

import (
	"context"
	"math"
	"net/http"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

func TestAutoRate(t *testing.T) {
	newAuto := func() *autoRate {
		return newAutoRate(rate.NewLimiter(autoStart, 1), time.Minute)
	}
	headers := func(limit, remaining string) http.Header {
		h := http.Header{}
		if limit != "" {
			h.Set("X-RateLimit-Limit", limit)
		}
		if remaining != "" {
			h.Set("X-RateLimit-Remaining", remaining)
		}
		return h
	}
	a := newAuto()
	a.observe(201, headers("600", "599"))
	if a.rate != 9.5 || float64(a.limiter.Limit()) != 9.5 {
		t.Fatalf("advertised 600/min: pace %v, want 9.5", a.rate)
	}
	a.observe(201, headers("600", "0"))
	if a.rate != 4.75 {
		t.Fatalf("remaining 0: pace %v, want half", a.rate)
	}
	a.observe(429, nil)
	if a.rate != 4.75 {
		t.Fatalf("a 429 without headers moved an advertised pace: %v", a.rate)
	}
	a.observe(201, headers("600", "12"))
	if a.rate != 9.5 {
		t.Fatalf("room again: pace %v", a.rate)
	}

	p := newAuto() // no headers: probe
	p.window = 0   // no clock between raises: count answers only
	for range autoStep {
		p.observe(201, nil)
	}
	if p.rate != autoStart*2 {
		t.Fatalf("slow start after %d answers: %v", autoStep, p.rate)
	}
	p.observe(429, nil)
	p.observe(429, nil) // the same burst: no second cut
	if p.rate != autoStart*2*autoCut {
		t.Fatalf("after a burst of 429s: %v", p.rate)
	}
	for range autoStep {
		p.observe(500, nil) // server errors say nothing about the pace
	}
	for range autoStep {
		p.observe(201, nil)
	}
	if want := autoStart * 2 * autoCut * 1.05; math.Abs(p.rate-want) > 1e-9 {
		t.Fatalf("probing after a 429: %v, want %v", p.rate, want)
	}
	q := newAuto() // with the minute's clock, answers alone do not raise
	q.raised = time.Now()
	for range 10 * autoStep {
		q.observe(201, nil)
	}
	if q.rate != autoStart {
		t.Fatalf("raised within window/120: %v", q.rate)
	}
	for range 40 {
		p.calm = time.Time{} // as if each 429 came after the pause
		p.observe(429, nil)
	}
	if p.rate != autoFloor {
		t.Fatalf("floor: %v", p.rate)
	}
}

// The first request goes alone; the others wait for its answer, then pace
// at what it said, not at the starting pace.
func TestAutoRateProbesFirst(t *testing.T) {
	a := newAutoRate(rate.NewLimiter(autoStart, 1), time.Minute)
	if err := a.waitFirst(context.Background()); err != nil {
		t.Fatal(err)
	}
	// A second request waits: told to stop, it says it stopped waiting.
	stopped, stop := context.WithCancel(context.Background())
	stop()
	if err := a.waitFirst(stopped); err == nil {
		t.Fatal("a second request went before the first was answered")
	}
	held := make(chan error)
	go func() { held <- a.waitFirst(context.Background()) }()
	h := http.Header{}
	h.Set("X-RateLimit-Limit", "1200")
	a.observe(201, h)
	if err := <-held; err != nil || float64(a.limiter.Limit()) != 19 {
		t.Fatalf("after the answer: %v, pace %v", err, a.limiter.Limit())
	}
}
