package pull

import (
	"fmt"
	"io"
	"maps"
	"slices"
)

// Summary counts what a pull carried over and left out, per kind and
// reason.
type Summary struct {
	Carried map[Kind]int
	LeftOut map[Kind]map[string]int // kind → reason → count
}

func newSummary() Summary {
	return Summary{Carried: map[Kind]int{}, LeftOut: map[Kind]map[string]int{}}
}

func (s *Summary) carried(k Kind) { s.Carried[k]++ }

func (s *Summary) leftOut(k Kind, reason string) {
	if s.LeftOut[k] == nil {
		s.LeftOut[k] = map[string]int{}
	}
	s.LeftOut[k][reason]++
}

// records are the kinds a pull writes a file of: each is counted carried
// over and left out.
var records = []Kind{KindPartner, KindCustomer, KindTransaction}

// kinds are the kinds to count: the records, then any other kind a line
// of left-out.csv has (a partner's tie to its referrer), so that every
// line is counted.
func (s *Summary) kinds() []Kind {
	kinds := slices.Clone(records)
	for _, k := range slices.Sorted(maps.Keys(s.LeftOut)) {
		if !slices.Contains(kinds, k) {
			kinds = append(kinds, k)
		}
	}
	return kinds
}

// Print writes the summary, one line per kind: "partners: 10 carried
// over, 2 left out (no_email 2)"; a kind that is no record of its own has
// only its left out: "referrers: 1 left out (referrer_not_carried 1)".
func (s *Summary) Print(w io.Writer) {
	for _, k := range s.kinds() {
		left, why := 0, ""
		for _, r := range slices.Sorted(maps.Keys(s.LeftOut[k])) {
			n := s.LeftOut[k][r]
			left += n
			if why != "" {
				why += ", "
			}
			why += fmt.Sprintf("%s %d", r, n)
		}
		line := fmt.Sprintf("%ss: %d left out", k, left)
		if slices.Contains(records, k) {
			line = fmt.Sprintf("%ss: %d carried over, %d left out", k, s.Carried[k], left)
		}
		if why != "" {
			line += " (" + why + ")"
		}
		fmt.Fprintln(w, line)
	}
}

// Counts are the summary for a machine: records carried over per kind
// ("partners"), and left out per kind and reason (every kind of
// left-out.csv's lines).
func (s *Summary) Counts() (carried map[string]int, leftOut map[string]map[string]int) {
	carried, leftOut = map[string]int{}, map[string]map[string]int{}
	for _, k := range s.kinds() {
		if slices.Contains(records, k) {
			carried[string(k)+"s"] = s.Carried[k]
		}
		leftOut[string(k)+"s"] = maps.Clone(s.LeftOut[k])
		if leftOut[string(k)+"s"] == nil {
			leftOut[string(k)+"s"] = map[string]int{}
		}
	}
	return carried, leftOut
}
