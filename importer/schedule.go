package importer

import (
	"cmp"
	"context"
	"errors"
	"maps"
	"slices"

	"golang.org/x/sync/errgroup"

	"github.com/partnero-import/partnero-import/importer/partnero"
)

// A scheduler runs a run's items (an import's rows, a rollback's partners)
// through a pool of workers, in the manner of cmd/go's (*Builder).Do: an
// item waits for the items it needs (its pending count); once none is left
// it is queued ready; the workers take the queue in order; each item's
// finish, on the scheduler's one goroutine, lets the items waiting for it
// go. Only the edges differ between import (a row waits for its referrer)
// and rollback (a partner waits for every partner it referred). Items may
// also arrive while it runs, from a file being read.
//
// Two stops, two contexts. When ctx ends (the first Ctrl-C) or the run
// calls stop, no new item starts, the ones in flight finish (the client
// ends no request it has sent), every other item is aborted, and run
// returns once the feed is drained. When hard ends (the second Ctrl-C),
// each item in flight is abandoned (the caller records that it may have
// happened), every other item aborted, and run returns at once: the
// workers' answers are dropped.
type scheduler[T any] struct {
	workers int
	key     func(T) int
	// work runs on a worker. Its context ends when the run stops: no new
	// attempt starts, a request in flight is finished.
	work func(ctx context.Context, item T) partnero.Outcome
	// finish reports an item that was worked.
	finish func(item T, out partnero.Outcome)
	// unblocked says that every item an item waited for has finished, ok
	// when each was settled ok; the caller queues it (push) or reports it.
	unblocked func(item T, ok bool)
	// abort reports an item that will not be worked: the run stopped.
	abort func(item T)
	// halted reports, at a hard stop, the items whose work is in flight,
	// in key order, before the others are aborted.
	halted func(inflight []T)
	// interrupted hears that ctx ended; stop follows.
	interrupted func()

	cancel   context.CancelFunc
	started  bool // an item was handed to a worker: its request may have gone out
	ready    []T
	inflight map[int]T
	waiting  map[int][]*waiter[T] // by the key waited for
	settled  map[int]bool         // the keys settled, whether ok
	stopping bool
}

// waiter is an item and how many keys it still waits for.
type waiter[T any] struct {
	item  T
	count int // 0 once it has gone on, or been aborted
	ok    bool
}

// push queues an item ready, or aborts it once the run is stopping.
func (s *scheduler[T]) push(item T) {
	if s.stopping {
		s.abort(item)
		return
	}
	s.ready = append(s.ready, item)
}

// wait makes item wait for the keys not settled yet: when the last is
// settled, or at once when none is left, it is unblocked.
func (s *scheduler[T]) wait(item T, keys ...int) {
	w := &waiter[T]{item: item, ok: true}
	for _, k := range keys {
		ok, known := s.settled[k]
		if known {
			w.ok = w.ok && ok
			continue
		}
		w.count++
		s.waiting[k] = append(s.waiting[k], w)
	}
	if w.count == 0 {
		s.unblocked(item, w.ok)
	}
}

// settle records how key ended and unblocks the items waiting for it that
// wait for nothing else.
func (s *scheduler[T]) settle(key int, ok bool) {
	s.settled[key] = ok
	waiters := s.waiting[key]
	delete(s.waiting, key)
	for _, w := range waiters {
		if w.count == 0 {
			continue
		}
		w.ok = w.ok && ok
		if w.count--; w.count == 0 {
			s.unblocked(w.item, w.ok)
		}
	}
}

// stop starts no new item and aborts every item queued or waiting.
func (s *scheduler[T]) stop() {
	if s.stopping {
		return
	}
	s.stopping = true
	if s.cancel != nil { // nil before run: nothing has started
		s.cancel()
	}
	queued := s.ready
	s.ready = nil
	for _, item := range queued {
		s.abort(item)
	}
	for _, w := range s.stuck() {
		w.count = 0
		s.abort(w.item)
	}
}

// stuck are the items still waiting, each once, in key order.
func (s *scheduler[T]) stuck() []*waiter[T] {
	var ws []*waiter[T]
	seen := map[*waiter[T]]bool{}
	for _, waiters := range s.waiting {
		for _, w := range waiters {
			if w.count > 0 && !seen[w] {
				seen[w] = true
				ws = append(ws, w)
			}
		}
	}
	clear(s.waiting)
	slices.SortStableFunc(ws, func(a, b *waiter[T]) int { return cmp.Compare(s.key(a.item), s.key(b.item)) })
	return ws
}

// run works the items until every one has finished, or a stop. feed, when
// not nil, brings items as they are read; admit takes each. It reports
// whether the hard stop ended it.
func (s *scheduler[T]) run(ctx, hard context.Context, feed <-chan T, admit func(T)) (hardStopped bool) {
	workCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	s.cancel = cancel
	if s.inflight == nil {
		s.inflight = map[int]T{}
	}
	type result struct {
		item T
		out  partnero.Outcome
	}
	results := make(chan result, s.workers) // room for every worker: none ever blocks
	var g errgroup.Group
	g.SetLimit(s.workers)
	defer func() {
		if !hardStopped {
			g.Wait() // each has sent its result already
		}
	}()
	done := ctx.Done()
	for {
		for !s.stopping && len(s.ready) > 0 && len(s.inflight) < s.workers {
			item := s.ready[0]
			s.ready = s.ready[1:]
			s.inflight[s.key(item)] = item
			s.started = true
			g.Go(func() error {
				results <- result{item, s.work(workCtx, item)}
				return nil
			})
		}
		if feed == nil && len(s.inflight) == 0 && len(s.ready) == 0 {
			stuck := s.stuck()
			if len(stuck) == 0 {
				return false
			}
			// Nothing runs, yet items wait: for an item that will never
			// finish (a loop in a hand-edited referral file, a referrer
			// that never came). They go on, told it did not go well.
			for _, w := range stuck {
				w.count = 0
				s.unblocked(w.item, false)
			}
			continue
		}
		// Read ahead only while the pool has work queued; once stopping,
		// read on to report every remaining item.
		next := feed
		if !s.stopping && len(s.ready) >= 2*s.workers {
			next = nil
		}
		select {
		case item, ok := <-next:
			if !ok {
				feed = nil
				continue
			}
			admit(item)
		case r := <-results:
			delete(s.inflight, s.key(r.item))
			s.finish(r.item, r.out)
		case <-done:
			done = nil
			s.interrupted()
			s.stop()
		case <-hard.Done():
			inflight := make([]T, 0, len(s.inflight))
			for _, k := range slices.Sorted(maps.Keys(s.inflight)) {
				inflight = append(inflight, s.inflight[k])
			}
			clear(s.inflight)
			s.halted(inflight)
			s.stop()
			return true // the workers' answers are dropped
		}
	}
}

// newScheduler is a scheduler of n workers, at least one.
func newScheduler[T any](n int, key func(T) int) *scheduler[T] {
	return &scheduler[T]{workers: max(n, 1), key: key, inflight: map[int]T{}, waiting: map[int][]*waiter[T]{}, settled: map[int]bool{}}
}

// errHardStop ends the reading of a run the hard stop ended.
var errHardStop = errors.New("stopped at once")

// untilHardStop runs f, and reports whether it returned before the hard
// stop; if not, f goes on alone, and what it does is dropped.
func untilHardStop(hard context.Context, f func()) bool {
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
		return true
	case <-hard.Done():
		return false
	}
}
