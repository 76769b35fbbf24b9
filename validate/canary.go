package validate

import (
	"iter"
	"math/bits"
)

// Canary is the rows import --limit may send: the first rows of the file
// that will be sent (valid, their referrers in the file too), and the
// referrers in the file those rows need, which must be created first.
type Canary struct {
	rows  bitset
	Limit int // the N of --limit
	Size  int // rows in the canary, referrers included
	Extra int // referrers pulled in from outside the first Limit rows
}

// Canary picks, after Finish, the first n rows that will be sent and the
// chain of referrers in the file above each. It counts rows an earlier run
// already did too: --limit N means the job's first N rows, so a resumed
// canary finishes the same rows, and a larger N widens it.
func (p *Plan) Canary(n int) *Canary {
	c := &Canary{Limit: n}
	for row := 1; row < len(p.parent) && c.Size < n; row++ {
		if !p.doomed.has(row) {
			c.rows.set(row)
			c.Size++
		}
	}
	// A row that will be sent has referrers that will be too (one that
	// will not would doom it), so each chain is followed to its root.
	for row := 1; row < len(p.parent); row++ {
		if !c.rows.has(row) || p.parent[row] == 0 {
			continue
		}
		for r := int(p.parent[row]); r != 0 && !c.rows.has(r); r = int(p.parent[r]) {
			c.rows.set(r)
			c.Size++
			c.Extra++
		}
	}
	return c
}

// Has reports whether row is in the canary.
func (c *Canary) Has(row int) bool { return c.rows.has(row) }

// Rows yields the canary's rows in file order.
func (c *Canary) Rows() iter.Seq[int] {
	return func(yield func(int) bool) {
		for i, word := range c.rows {
			for ; word != 0; word &= word - 1 {
				if !yield(i*64 + bits.TrailingZeros64(word)) {
					return
				}
			}
		}
	}
}
