package pull

import (
	"crypto/sha256"
	"fmt"
)

// pageGuard ends a paging that goes round: a page number or cursor asked
// for twice, or a page listing the very records of an earlier one, is an
// error, never a loop.
type pageGuard struct {
	what    string // "affiliates"
	visited map[string]bool
	pages   map[[32]byte]string
}

func newPageGuard(what string) *pageGuard {
	return &pageGuard{what: what, visited: map[string]bool{}, pages: map[[32]byte]string{}}
}

// visit records that page (a number or a cursor) is asked for.
func (g *pageGuard) visit(page string) error {
	if g.visited[page] {
		return fmt.Errorf("the %s pages go round: page %s is named next a second time", g.what, page)
	}
	g.visited[page] = true
	return nil
}

// listed records what page listed (its raw items).
func (g *pageGuard) listed(page string, items []byte) error {
	sum := sha256.Sum256(items)
	if earlier, ok := g.pages[sum]; ok {
		return fmt.Errorf("the %s pages go round: page %s lists the same records as page %s", g.what, page, earlier)
	}
	g.pages[sum] = page
	return nil
}
