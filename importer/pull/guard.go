package pull

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"hash/fnv"
)

// maxListed bounds the records of one list: a source whose pages never
// end (new records on every page) would otherwise be read for ever, its
// ids filling memory. No program of a real account comes near it.
var maxListed = 10_000_000

// pageGuard ends a paging that goes round: a page number or cursor asked
// for twice, or a page listing the very records of an earlier one, is an
// error, never a loop. It also walks a list's records (eachRecord).
type pageGuard struct {
	what    string // "rewardful affiliates"
	visited map[string]bool
	pages   map[[32]byte]string
	// idField names a record's id: "id", or "key" (PartnerStack).
	idField string
	seen    map[string]uint64 // the ids of the records walked → their content's hash
	count   int               // the records the list has listed
}

func newPageGuard(what string) *pageGuard {
	return &pageGuard{what: what, visited: map[string]bool{}, pages: map[[32]byte]string{},
		idField: "id", seen: map[string]uint64{}}
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

// eachRecord gives each record of a page to each; an error names the
// record by its place on the page (where: "rewardful affiliates page 2").
// A record an earlier page listed (the same id, the same content) is
// skipped: offset pages shift while records are added, and a record is
// carried or left out once. Another record under an id already listed,
// or a record without an id, cannot be told one and is given (its source
// leaves a second of an id out, with a line). A list of more than
// maxListed records is an error: its pages never end.
func (g *pageGuard) eachRecord(items []json.RawMessage, each func(json.RawMessage) error, where string) error {
	for i, it := range items {
		if g.count++; g.count > maxListed {
			return fmt.Errorf("the %s pages listed more than %d records and still say more follow: the source never ends its list, so the pull stops (pull again later; if it happens again, the source's support can tell why its list does not end)", g.what, maxListed)
		}
		if id := g.idOf(it); id != "" {
			h := fnv.New64a()
			h.Write(it)
			sum := h.Sum64()
			if earlier, ok := g.seen[id]; ok && earlier == sum {
				continue
			}
			g.seen[id] = sum
		}
		if err := each(it); err != nil {
			return fmt.Errorf("%s, record %d: %v", where, i+1, err)
		}
	}
	return nil
}

// idOf is a record's id ("" when it has none, or is not an object).
func (g *pageGuard) idOf(raw json.RawMessage) string {
	var r struct {
		ID  json.RawMessage `json:"id"`
		Key json.RawMessage `json:"key"`
	}
	if json.Unmarshal(raw, &r) != nil {
		return ""
	}
	if g.idField == "key" {
		return idOf(r.Key)
	}
	return idOf(r.ID)
}
