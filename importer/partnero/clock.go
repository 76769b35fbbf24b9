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

// How far apart two clocks may be when nothing measured them. A Date header
// tells the web server's clock, and created_at is written by the
// application or its database, which may keep another: the partners this
// run made, once measured, place created_at on its own clock; until then
// the Date header does, or, without one, only a time far from the job's
// start is placed.
const (
	anyZone     = 14 * time.Hour
	unknownSkew = 20 * time.Minute // no Date header either
	granularity = time.Second      // created_at often counts whole seconds
	dateSlack   = 2 * time.Second  // a Date header counts whole seconds
	// decisive is the most uncertainty under which a time near the job's
	// start is taken as the job's own: a partner someone else created in
	// the seconds before a run, with the row's email, is rare; one created
	// hours before is not.
	decisive = 5 * time.Minute
)

// clock is what the client knows of the server's clocks.
type clock struct {
	mu sync.Mutex
	// serverAhead is how far the server's clock is ahead of this
	// machine's, from a Date header; known says whether one came.
	serverAhead time.Duration
	known       bool
	// naive and zoned are how far a created_at, without a zone or with
	// one, reads ahead of this machine's clock, measured on the partners
	// this run created.
	naive, zoned offset
}

// offset is a measured range of how far one clock reads ahead of another.
type offset struct {
	lo, hi time.Duration
	known  bool
}

// note narrows the range by a measure that agrees with it, and widens it
// to cover one that does not: a server whose machines keep different
// times is as uncertain as they are apart.
func (o *offset) note(lo, hi time.Duration) {
	switch {
	case !o.known:
		o.lo, o.hi, o.known = lo, hi, true
	case lo <= o.hi && hi >= o.lo:
		o.lo, o.hi = max(o.lo, lo), min(o.hi, hi)
	default:
		o.lo, o.hi = min(o.lo, lo), max(o.hi, hi)
	}
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

// noteCreated learns how created_at reads from a partner this run created
// with a request sent at local time sent and answered at answered: it was
// stamped in between.
func (k *clock) noteCreated(s stamp, sent, answered time.Time) {
	if s.at.IsZero() || sent.IsZero() {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	o := &k.zoned
	if s.naive {
		o = &k.naive
	}
	o.note(s.at.Sub(answered), s.at.Add(granularity).Sub(sent))
}

// uncertain reports a created_at that a partner this run made would place
// better: none has shown yet how created_at of its kind reads.
func (k *clock) uncertain(s stamp) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	if s.at.IsZero() {
		return false
	}
	if s.naive {
		return !k.naive.known
	}
	return !k.zoned.known
}

// local places a created_at on this machine's clock, with how far off that
// may be, and whether its clock is known: measured on the run's partners,
// or taken to be the Date header's.
func (k *clock) local(s stamp) (at time.Time, slack time.Duration, how placement) {
	k.mu.Lock()
	defer k.mu.Unlock()
	o := k.zoned
	if s.naive {
		o = k.naive
	}
	switch {
	case o.known:
		return s.at.Add(-(o.lo + o.hi) / 2), (o.hi-o.lo)/2 + granularity, measured
	case k.known && s.naive:
		return s.at.Add(-k.serverAhead), anyZone, guessed
	case k.known:
		return s.at.Add(-k.serverAhead), dateSlack, byDate
	}
	return s.at, anyZone + unknownSkew, guessed
}

// placement is how a created_at was put on this machine's clock.
type placement int

const (
	guessed  placement = iota // within hours: no zone, or no Date header
	byDate                    // by the Date header, whose clock created_at may not keep
	measured                  // by the partners this run made
)

// verdict is whether a partner found is the one a row's job created.
type verdict int

const (
	cannotTell verdict = iota
	theirs             // there before the job
	mine               // created by the job
)

// createdSince judges a creation time against the job's start (local):
// clearly before, clearly after, or, when the uncertainty is too wide to
// call a time near the start, cannot tell. While created_at's clock is
// unknown (no Date header, nothing measured), a time is never the job's: a
// server whose clock runs ahead would make a partner there before the run
// look made by it, and a rollback would then undo someone else's partner.
// Placed by the Date header alone, a time at or after the start is the
// job's, but one just before it is not known to be another's: created_at
// may run behind the Date header's clock.
func (k *clock) createdSince(s stamp, start time.Time) verdict {
	if s.at.IsZero() || start.IsZero() {
		return cannotTell
	}
	at, slack, how := k.local(s)
	switch {
	case how == byDate && at.Add(anyZone).Before(start):
		return theirs
	case how == byDate && !at.Add(slack).Before(start):
		return mine
	case how == byDate:
		// Just before the start by the Date header's clock: a partner
		// made now, stamped by a clock behind it, or one made before.
		return cannotTell
	case at.Add(slack).Before(start):
		return theirs
	case how == guessed:
		return cannotTell
	case slack <= decisive || at.Add(-slack).After(start):
		return mine
	}
	return cannotTell
}

// createdAfter reports a creation time clearly after t (local), for a
// rollback, which makes no partner to measure created_at by: there a time
// placed by the Date header errs the safe way (a partner left alone).
func (k *clock) createdAfter(s stamp, t time.Time) bool {
	if s.at.IsZero() {
		return false
	}
	at, slack, how := k.local(s)
	if how == guessed {
		slack = unknownSkew
	}
	return at.Add(-slack).After(t)
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
