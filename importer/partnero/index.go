package partnero

// Lookups on a server without search. The list of the program's partners
// is the only way to find one by email there, and a program may hold many
// thousands: walking it for every lost answer would cost pages per row, and
// a bounded walk would end without an answer on a large program. So the
// list is walked once into an index by email, and one walk answers every
// lookup that was waiting when it began. A lookup asked while a walk is
// under way waits for the next one: the partner it looks for may have been
// stored after the walk passed it.

import (
	"context"
	"fmt"
	"sync"
	"time"
)

const (
	// maxWalkPages bounds one walk of the whole program, and so the
	// index's memory: a million partners at a hundred a page (some
	// hundred megabytes), beyond any program; a list that never ends
	// (new partners on every page) stops there.
	maxWalkPages = 10_000
	// walkBudget bounds one walk in time: at Partnero's pace a program of
	// a hundred thousand partners takes minutes, and a walk that gave up
	// halfway would give up again on the next run. A stopping run walks
	// only as long as a lookup may.
	walkBudget = 30 * time.Minute
)

// index is the program's partners by email (emailKey), from the last walk.
type index struct {
	mu       sync.Mutex
	started  int           // walks begun
	finished int           // the number of the last walk that ended
	running  chan struct{} // closed when the walk under way ends; nil when none
	byEmail  map[string]partner
	complete bool  // the last walk read the list to its end
	err      error // why it did not
}

// fromIndex finds the partner with this email in a walk of the list begun
// after the question was asked; or, when any walk of this run will do
// (what was there before an invite, not whether a lost answer stored it),
// in the last one.
func (c *Client) fromIndex(ctx context.Context, email string, anyWalk bool) (partner, lookupVerdict, error) {
	x := &c.index
	x.mu.Lock()
	need := x.started + 1
	if anyWalk {
		need = max(x.finished, 1)
	}
	for x.finished < need {
		if ch := x.running; ch != nil {
			x.mu.Unlock()
			select {
			case <-ch:
			case <-ctx.Done():
				return partner{}, lookupUnknown, fmt.Errorf("waiting for the list of partners: %w", ctx.Err())
			}
			x.mu.Lock()
			continue
		}
		x.started++
		n, ch := x.started, make(chan struct{})
		x.running = ch
		x.mu.Unlock()
		byEmail, complete, err := c.walk(ctx)
		x.mu.Lock()
		x.byEmail, x.complete, x.err, x.finished, x.running = byEmail, complete, err, n, nil
		close(ch)
	}
	defer x.mu.Unlock()
	if f, ok := x.byEmail[emailKey(email)]; ok {
		return f, lookupFound, nil
	}
	if x.complete {
		return partner{}, lookupAbsent, nil
	}
	if x.err == nil {
		return partner{}, lookupUnknown, fmt.Errorf("GET /partners: no end after %d pages", maxWalkPages)
	}
	return partner{}, lookupUnknown, x.err
}

// walk reads the whole list of partners into an index by email, within
// ctx (find gives it the walk's own budget).
func (c *Client) walk(ctx context.Context) (map[string]partner, bool, error) {
	byEmail := map[string]partner{}
	complete, err := c.eachPage(ctx, c.endpoint("/partners", nil), maxWalkPages, func(f partner) bool {
		if f.Email != "" {
			byEmail[emailKey(f.Email)] = f
		}
		return false
	})
	c.walks.Add(1)
	return byEmail, complete, err
}

// Walks is how many times the list of partners was read whole: once per
// batch of lost answers on a server without search, never on one with it.
func (c *Client) Walks() int { return int(c.walks.Load()) }
