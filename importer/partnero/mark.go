package partnero

// Which partners a job made. After a lost answer a lookup finds a partner
// with the row's email, and the question is whether an attempt of this job
// made it or it was there before. No clock answers that: servers keep
// clocks and zones of their own, and every rule built on created_at met a
// clock that broke it. So the job proves it instead. Every create carries
// the job's mark, a tag of a random word kept in the report's provenance
// (and so by --resume and rollback), and a partner is the job's only when
// it carries the mark. A partner without it is another's, once the server
// has shown that it keeps the tags it is sent; until then, "cannot tell".
//
// Invites carry no tags: an invite found after a lost answer cannot be
// shown to be the job's.

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// MarkPrefix begins every job's mark: a tag that starts with it is an
// import's, and an update never removes one.
const MarkPrefix = "partnero-import-"

// NewMark is a fresh job mark: MarkPrefix and 10 random letters and digits
// (50 bits), so that no one else's partner carries it by chance.
func NewMark() string {
	var b [7]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	enc := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:])
	return MarkPrefix + strings.ToLower(enc[:10])
}

// IsMark reports a tag that is some import's mark.
func IsMark(tag string) bool {
	return len(tag) >= len(MarkPrefix) && strings.EqualFold(tag[:len(MarkPrefix)], MarkPrefix)
}

// What the run knows of the server and tags.
const (
	marksUnknown int32 = iota
	marksKept          // a partner this run made came back with its mark
	marksDropped       // one came back with tags, but without the mark
)

// verdict is whether a partner found is the one a row's job created.
type verdict int

const (
	cannotTell verdict = iota
	theirs             // not made by the job: there before, or made by someone else
	mine               // made by the job: it carries the job's mark
)

// marks is what the run learns of how the server keeps tags, from the
// partners it made.
type marks struct {
	state atomic.Int32
	// made is a partner this job made (answered with its id): read back, it
	// shows whether the server keeps the mark when no answer showed tags.
	made struct {
		sync.Mutex
		id, email string
		noted     chan struct{} // closed once id is known
		waitUntil time.Time     // how long lookups wait for the first one
		checked   bool          // read back already
	}
	reading sync.Mutex // held while made is read back: one read serves all
}

// tagsOfCreate are the tags a create sends: the mark first (a server that
// keeps only some keeps the first), then the row's.
func (c *Client) tagsOfCreate(p *Partner) []string {
	if c.mark == "" {
		return p.Tags
	}
	tags := make([]string, 0, len(p.Tags)+1)
	tags = append(tags, c.mark)
	for _, t := range p.Tags {
		if t != c.mark {
			tags = append(tags, t)
		}
	}
	return tags
}

// carries reports whether a partner read shows the mark; known is false
// when it shows no tags at all.
func (c *Client) carries(f partner) (has, known bool) {
	if c.mark == "" || !f.tagged {
		return false, false
	}
	return hasMark(f.Tags, c.mark), true
}

// hasMark reports whether tags hold the mark, in any case: a server may
// keep tags lowercased or uppercased.
func hasMark(tags []string, mark string) bool {
	return slices.ContainsFunc(tags, func(t string) bool { return strings.EqualFold(strings.TrimSpace(t), mark) })
}

// noteMade keeps the first partner this job made (a success's answer,
// with its id), to read back when a lookup needs to know whether the server
// keeps the mark. A create's answer is not taken for that: a server may
// echo the tags it was sent and store none, or other ones.
func (c *Client) noteMade(got partner, email string) {
	if got.ID == "" {
		return
	}
	m := &c.marks.made
	m.Lock()
	defer m.Unlock()
	if m.id == "" {
		m.id, m.email = got.ID, email
		close(m.noted)
	}
}

// NoteMade tells the client of a partner an earlier run of this job made
// (a resumed report's): reading it back shows whether the server keeps
// the mark.
func (c *Client) NoteMade(id, email string) { c.noteMade(partner{ID: id}, email) }

// learn records whether a partner this job made kept its mark. Once one
// has lost it, no absence of the mark proves anything.
func (c *Client) learn(kept bool) {
	if !kept {
		c.marks.state.Store(marksDropped)
		return
	}
	c.marks.state.CompareAndSwap(marksUnknown, marksKept)
}

// ours judges whether the partner found (with the row's email) is the one
// this job sent for p. Another email, or another id than the row's, is
// another partner. Then the mark decides: carried, the job's create
// touched it; missing on a server known to keep it, someone else made it;
// otherwise it cannot be told. List and search items carry no tags: the
// partner is read by its id for them, and a read that shows another email
// than the search said is a server contradicting itself. A partner that
// carries the mark but not what the create sent (its name, its id) is one
// the create did not make: a server that wrote a refused create's tags
// onto the partner already there.
func (c *Client) ours(ctx context.Context, f partner, p *Partner) verdict {
	switch {
	case !sameEmail(f.Email, p.Email) || (p.ID != "" && f.ID != "" && f.ID != p.ID):
		return theirs
	case p.invite && p.absentBefore:
		// No mark on an invite: none there just before its first
		// attempt, and one there after, is the invite's.
		return mine
	case p.invite || c.mark == "":
		return cannotTell
	}
	if !f.tagged && f.ID != "" {
		rctx, cancel := c.settling(ctx)
		got, err := c.byID(rctx, f.ID, p.Email)
		cancel()
		switch {
		case err != nil || got.ID != f.ID:
		case got.Email != "" && !sameEmail(got.Email, p.Email):
			return cannotTell
		default:
			f = got
		}
	}
	has, known := c.carries(f)
	switch {
	case has && notAsSent(f, p):
		return cannotTell
	case has:
		c.learn(true)
		return mine
	case known && showsTags(f, p.Tags):
		// Without the mark but with every tag the row sent: a server that
		// keeps only some tags may have dropped the mark of this very
		// partner, even one known to keep marks.
		return cannotTell
	case known && !p.Unmarked && c.keepsMarks(ctx):
		return theirs
	}
	return cannotTell
}

// showsTags reports whether f shows every one of tags (some at least), in
// any case.
func showsTags(f partner, tags []string) bool {
	if len(tags) == 0 {
		return false
	}
	for _, t := range tags {
		if !slices.ContainsFunc(f.Tags, func(g string) bool { return strings.EqualFold(strings.TrimSpace(g), t) }) {
			return false
		}
	}
	return true
}

// notAsSent reports a partner that does not hold what a create of p would
// have given it: the row's name or surname (case and spaces aside), or its
// id. Only what the answer shows counts.
func notAsSent(f partner, p *Partner) bool {
	return (f.named && ((p.Name != "" && !sameText(f.Name, p.Name)) || (p.Surname != "" && !sameText(f.Surname, p.Surname)))) ||
		(p.ID != "" && f.ID != "" && f.ID != p.ID)
}

// keepsMarks reports whether the server is known to keep the mark: a
// partner this job made showed it. When no answer has shown tags yet, the
// first partner made is read back, once; lookups that come before any
// partner was made wait for one while rows are being created, within a
// bound set by the first to wait (a run that makes none must not wait each
// time).
func (c *Client) keepsMarks(ctx context.Context) bool {
	if s := c.marks.state.Load(); s != marksUnknown {
		return s == marksKept
	}
	m := &c.marks.made
	m.Lock()
	if m.waitUntil.IsZero() {
		m.waitUntil = time.Now().Add(min(c.budget, 30*time.Second))
	}
	until := m.waitUntil
	m.Unlock()
	bound, cancel := context.WithDeadline(context.WithoutCancel(ctx), until)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
wait:
	// Waiting helps only while other rows are being created: when every
	// worker is settling a lost answer, none will come.
	for c.creating.Load() > 0 {
		select {
		case <-m.noted:
			break wait
		case <-bound.Done():
			break wait
		case <-tick.C:
		}
	}
	c.marks.reading.Lock()
	defer c.marks.reading.Unlock()
	if s := c.marks.state.Load(); s != marksUnknown {
		return s == marksKept
	}
	m.Lock()
	id, email, checked := m.id, m.email, m.checked
	m.checked = m.checked || id != ""
	m.Unlock()
	if id == "" || checked {
		return false
	}
	rctx, cancel := c.settling(ctx)
	defer cancel()
	if f, err := c.byID(rctx, id, email); err == nil && f.ID == id {
		if has, known := c.carries(f); known {
			c.learn(has)
		}
	}
	return c.marks.state.Load() == marksKept
}
