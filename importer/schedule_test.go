package importer

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/partnero-import/partnero-import/importer/partnero"
)

// The scheduler's edges, whichever way a tree runs: what was worked, in
// which order, what was let go without its prerequisites, and what was
// aborted, each item accounted for once.
func TestSchedulerOrders(t *testing.T) {
	t.Parallel()
	type item struct {
		key   int
		after []int
	}
	for _, tt := range []struct {
		name   string
		items  []item
		stopAt int // stop when this key finishes; 0: never
		want   []string
	}{
		{"a chain, given leaf first", []item{{3, []int{2}}, {2, []int{1}}, {1, nil}},
			0, []string{"work 1", "work 2", "work 3"}},
		{"a partner after all it referred", []item{{1, []int{2, 3}}, {2, nil}, {3, nil}},
			0, []string{"work 2", "work 3", "work 1"}},
		{"a prerequisite that never comes", []item{{1, nil}, {2, []int{9}}},
			0, []string{"work 1", "let go 2 ok=false", "work 2"}},
		{"a loop goes on, in key order", []item{{2, []int{1}}, {1, []int{2}}, {3, nil}},
			0, []string{"work 3", "let go 1 ok=false", "let go 2 ok=false", "work 1", "work 2"}},
		{"a stop aborts the queued and the waiting once each", []item{{1, nil}, {2, nil}, {3, []int{1}}, {4, []int{3, 2}}},
			1, []string{"work 1", "abort 2", "abort 3", "abort 4"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			s := newScheduler(1, func(k int) int { return k })
			s.work = func(context.Context, int) partnero.Outcome { return partnero.Outcome{} }
			s.finish = func(k int, _ partnero.Outcome) {
				got = append(got, fmt.Sprint("work ", k))
				if k == tt.stopAt {
					s.stop()
				}
				s.settle(k, true)
			}
			s.unblocked = func(k int, ok bool) {
				if !ok {
					got = append(got, fmt.Sprintf("let go %d ok=%v", k, ok))
				}
				s.push(k)
			}
			s.abort = func(k int) { got = append(got, fmt.Sprint("abort ", k)) }
			s.interrupted = func() { t.Error("interrupted") }
			s.halted = func([]int) { t.Error("halted") }
			for _, it := range tt.items {
				s.wait(it.key, it.after...)
			}
			if s.run(context.Background(), context.Background(), nil, nil) {
				t.Fatal("hard stopped")
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}
