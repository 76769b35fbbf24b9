package partnero

// Whether a partner found by a lookup was created by this job turns on when
// it was created against when the job started. The two come from different
// clocks (this machine's, the server's) and created_at may not even say its
// zone, so every time is placed on this machine's clock with how far off it
// may be, and a decision is made only where the difference is clear.

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// stamp is a created_at as read.
type stamp struct {
	at    time.Time // zero when absent or unreadable
	naive bool      // no zone given: read as UTC, the server's zone unknown
}

// naiveLayouts are created_at forms without a zone (a database's).
var naiveLayouts = []string{"2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999", "2006-01-02"}

// stampOf reads a created_at: ISO 8601 with a zone (Laravel's), the same
// without one (naive), or a Unix time in seconds, milliseconds,
// microseconds or nanoseconds, as a number or as text.
func stampOf(v any) stamp {
	s := text(v)
	if s == "" {
		return stamp{}
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f > 0 {
		return stamp{at: unixAny(f)}
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return stamp{at: t}
	}
	for _, layout := range []string{"2006-01-02 15:04:05Z07:00", "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05 -0700"} {
		if t, err := time.Parse(layout, s); err == nil {
			return stamp{at: t}
		}
	}
	for _, layout := range naiveLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return stamp{at: t, naive: true}
		}
	}
	return stamp{}
}

// unixAny reads a Unix time by its size: seconds until the year 5138,
// then milliseconds, microseconds, nanoseconds.
func unixAny(f float64) time.Time {
	switch {
	case f < 1e11:
		return time.Unix(0, int64(f*1e9))
	case f < 1e14:
		return time.UnixMilli(int64(f))
	case f < 1e17:
		return time.UnixMicro(int64(f))
	}
	return time.Unix(0, int64(f))
}

// How far apart two clocks may be when nothing measured them: machines keep
// time by NTP, mostly, but a server that sends no Date header may be minutes
// off; and a time without a zone may be in any of them.
const (
	dateSlack    = 2 * time.Second // a Date header counts whole seconds
	unknownSkew  = 20 * time.Minute
	anyZone      = 14 * time.Hour
	measuredSkew = 5 * time.Second // an offset measured on one answer, with its round trip
	// decisive is the most uncertainty under which a time near the job's
	// start is taken as the job's own: a partner someone else created in
	// the minutes before a run, with the row's email, is rare; one created
	// hours before is not.
	decisive = 5 * time.Minute
)

// clock is what the client knows of the server's clock.
type clock struct {
	mu sync.Mutex
	// serverAhead is how far the server's clock is ahead of this
	// machine's, from a Date header; known says whether one came.
	serverAhead time.Duration
	known       bool
	// naiveAhead is how far a created_at without a zone reads ahead of
	// this machine's clock, measured on a partner this run created.
	naiveAhead time.Duration
	naiveKnown bool
	// zonedAhead is the same for created_at with a zone, when no Date
	// header came.
	zonedAhead time.Duration
	zonedKnown bool
}

// noteDate learns the server's clock from an answer's Date header, received
// at local time at.
func (k *clock) noteDate(h http.Header, at time.Time) {
	t, err := http.ParseTime(h.Get("Date"))
	if err != nil {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if !k.known {
		k.serverAhead, k.known = t.Sub(at), true
	}
}

// noteCreated learns how created_at reads from a partner this run just
// created, answered at local time at.
func (k *clock) noteCreated(s stamp, at time.Time) {
	if s.at.IsZero() {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	switch {
	case s.naive && !k.naiveKnown:
		k.naiveAhead, k.naiveKnown = s.at.Sub(at), true
	case !s.naive && !k.zonedKnown:
		k.zonedAhead, k.zonedKnown = s.at.Sub(at), true
	}
}

// uncertain reports a created_at that a partner this run made would place
// better: one without a zone, or with one while no Date header said the
// server's clock.
func (k *clock) uncertain(s stamp) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	if s.at.IsZero() {
		return false
	}
	if s.naive {
		return !k.naiveKnown
	}
	return !k.known && !k.zonedKnown
}

// local places a created_at on this machine's clock, with how far off that
// may be.
func (k *clock) local(s stamp) (at time.Time, slack time.Duration) {
	k.mu.Lock()
	defer k.mu.Unlock()
	switch {
	case s.naive && k.naiveKnown:
		return s.at.Add(-k.naiveAhead), measuredSkew
	case s.naive && k.known:
		return s.at.Add(-k.serverAhead), anyZone
	case s.naive:
		return s.at, anyZone + unknownSkew
	case k.known:
		return s.at.Add(-k.serverAhead), dateSlack
	case k.zonedKnown:
		return s.at.Add(-k.zonedAhead), measuredSkew
	}
	return s.at, unknownSkew
}

// verdict is whether a partner found is the one a row's job created.
type verdict int

const (
	cannotTell verdict = iota
	theirs             // there before the job
	mine               // created by the job
)

// createdSince judges a creation time against the job's start (local):
// clearly before, clearly after, or, when the uncertainty is too wide to
// call a time near the start, cannot tell.
func (k *clock) createdSince(s stamp, start time.Time) verdict {
	if s.at.IsZero() || start.IsZero() {
		return cannotTell
	}
	at, slack := k.local(s)
	switch {
	case at.Add(slack).Before(start):
		return theirs
	case slack <= decisive && !at.Add(slack).Before(start):
		return mine
	case at.Add(-slack).After(start):
		return mine
	}
	return cannotTell
}

// namesDiffer reports a partner whose names are not the row's: one this
// job created would carry them (case and spaces aside).
func namesDiffer(f partner, p *Partner) bool {
	return f.named && ((p.Name != "" && !sameText(f.Name, p.Name)) || (p.Surname != "" && !sameText(f.Surname, p.Surname)))
}

// sameText compares names as a server may have kept them: case and runs of
// white space aside.
func sameText(a, b string) bool {
	return strings.EqualFold(strings.Join(strings.Fields(a), " "), strings.Join(strings.Fields(b), " "))
}

// hasUpper reports whether an email has capitals, which a server with a
// case-sensitive search may have kept lowercased.
func hasUpper(s string) bool { return strings.ToLower(s) != s }
