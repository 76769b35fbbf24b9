package partnero

import (
	"net/http"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

func TestAutoRate(t *testing.T) {
	newAuto := func() *autoRate {
		return &autoRate{limiter: rate.NewLimiter(autoStart, 1), window: time.Minute, rate: autoStart}
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
	for range autoStep {
		p.observe(201, nil)
	}
	if p.rate != autoStart*1.25 {
		t.Fatalf("after %d answers: %v", autoStep, p.rate)
	}
	p.observe(429, nil)
	if p.rate != autoStart*1.25/2 {
		t.Fatalf("after a 429: %v", p.rate)
	}
	for range autoStep {
		p.observe(500, nil) // server errors say nothing about the pace
	}
	for range autoStep {
		p.observe(201, nil)
	}
	if want := autoStart * 1.25 / 2 * 1.05; p.rate != want {
		t.Fatalf("probing after a 429: %v, want %v", p.rate, want)
	}
	for range 20 {
		p.observe(429, nil)
	}
	if p.rate != autoFloor {
		t.Fatalf("floor: %v", p.rate)
	}
}
