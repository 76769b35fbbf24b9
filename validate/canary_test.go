package validate

import (
	"slices"
	"testing"

	"github.com/partnero-import/partnero-import/importer/input"
)

// A canary is the first n rows that will be sent, in file order, and the
// referrers in the file above them, counted apart.
func TestCanary(t *testing.T) {
	t.Parallel()
	p := func(email, ref string) input.Fields { return input.Fields{Email: email, ReferringEmail: ref} }
	tests := []struct {
		name  string
		rows  []input.Fields
		n     int
		want  []int
		extra int
	}{
		{"the first rows", []input.Fields{p("a@x.io", ""), p("b@x.io", ""), p("c@x.io", "")}, 2, []int{1, 2}, 0},
		{"invalid rows are not counted", []input.Fields{p("bad", ""), p("b@x.io", ""), p("c@x.io", "")}, 1, []int{2}, 0},
		{"a chain of referrers further down", []input.Fields{p("a@x.io", "b@x.io"), p("x@x.io", ""), p("b@x.io", "c@x.io"), p("c@x.io", "")}, 1, []int{1, 3, 4}, 2},
		{"a referrer already in", []input.Fields{p("a@x.io", ""), p("b@x.io", "a@x.io"), p("c@x.io", "")}, 2, []int{1, 2}, 0},
		{"a row whose referrer fails is not sent", []input.Fields{p("bad", ""), p("b@x.io", "bad"), p("c@x.io", "")}, 1, []int{3}, 0},
		{"a loop is not sent", []input.Fields{p("a@x.io", "b@x.io"), p("b@x.io", "a@x.io"), p("c@x.io", "")}, 1, []int{3}, 0},
		{"more than the file holds", []input.Fields{p("a@x.io", "")}, 5, []int{1}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			plan := NewPlan(Create)
			for i, f := range tt.rows {
				plan.Add(rec(i+1, f))
			}
			plan.Finish()
			c := plan.Canary(tt.n)
			if got := slices.Collect(c.Rows()); !slices.Equal(got, tt.want) || c.Extra != tt.extra || c.Size != len(tt.want) {
				t.Fatalf("rows %v (size %d), extra %d; want %v, extra %d", got, c.Size, c.Extra, tt.want, tt.extra)
			}
		})
	}
}
