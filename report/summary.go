package report

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// Summary counts the run's outcomes for the closing lines on standard error.
type Summary struct {
	Rows     int
	Requests int // HTTP requests sent, lookups and retries included
	Retries  int // rows' requests sent again after a throttled, failed or lost attempt
	Elapsed  time.Duration
	counts   map[outcome]int
}

type outcome struct {
	status Status
	reason Reason
}

// Add counts one row's outcome.
func (s *Summary) Add(l *Line) {
	if s.counts == nil {
		s.counts = map[outcome]int{}
	}
	s.counts[outcome{l.Status, l.Reason}]++
	s.Rows++
	s.Requests += l.Attempts
}

// Rate is the requests per second achieved.
func (s *Summary) Rate() float64 {
	if secs := s.Elapsed.Seconds(); secs > 0 {
		return float64(s.Requests) / secs
	}
	return 0
}

// Counts gives, per status, the rows in all ("total") and per reason.
func (s *Summary) Counts() map[Status]map[string]int {
	out := map[Status]map[string]int{}
	for o, n := range s.counts {
		m := out[o.status]
		if m == nil {
			m = map[string]int{"total": 0}
			out[o.status] = m
		}
		m["total"] += n
		if o.reason != "" {
			m[string(o.reason)] = n
		}
	}
	return out
}

// Count is the number of rows with this status (and reason, unless empty).
func (s *Summary) Count(st Status, r Reason) int {
	if r != "" {
		return s.counts[outcome{st, r}]
	}
	n := 0
	for o, c := range s.counts {
		if o.status == st {
			n += c
		}
	}
	return n
}

// OK reports whether every row ended in a way that lets the run exit 0.
func (s *Summary) OK() bool {
	for o, n := range s.counts {
		if n > 0 && !Succeeded(o.status, o.reason) {
			return false
		}
	}
	return true
}

var statusOrder = []Status{Valid, Created, Updated, Invited, Archived, Deleted, Restored, Invalid, Rejected, Failed, Skipped}

// Print writes the summary: one line per status with its reasons.
func (s *Summary) Print(w io.Writer) {
	fmt.Fprintf(w, "%d rows, %d requests (%d retries) in %s (%.1f requests/s)\n", s.Rows, s.Requests, s.Retries, s.Elapsed.Round(time.Millisecond), s.Rate())
	for _, st := range statusOrder {
		n := s.Count(st, "")
		if n == 0 {
			continue
		}
		var parts []string
		var reasons []Reason
		for o := range s.counts {
			if o.status == st && o.reason != "" {
				reasons = append(reasons, o.reason)
			}
		}
		slices.Sort(reasons)
		for _, r := range reasons {
			parts = append(parts, fmt.Sprintf("%s %d", r, s.counts[outcome{st, r}]))
		}
		detail := ""
		if len(parts) > 0 {
			detail = " (" + strings.Join(parts, ", ") + ")"
		}
		fmt.Fprintf(w, "  %-8s %6d%s\n", st, n, detail)
	}
}
