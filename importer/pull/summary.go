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

// Print writes the summary, one line per kind: "partners: 10 carried
// over, 2 left out (no_email 2)".
func (s *Summary) Print(w io.Writer) {
	for _, k := range []Kind{KindPartner, KindCustomer, KindTransaction} {
		left, why := 0, ""
		for _, r := range slices.Sorted(maps.Keys(s.LeftOut[k])) {
			n := s.LeftOut[k][r]
			left += n
			if why != "" {
				why += ", "
			}
			why += fmt.Sprintf("%s %d", r, n)
		}
		line := fmt.Sprintf("%ss: %d carried over, %d left out", k, s.Carried[k], left)
		if why != "" {
			line += " (" + why + ")"
		}
		fmt.Fprintln(w, line)
	}
}

// Counts are the summary for a machine: records carried over per kind
// ("partners"), and left out per kind and reason.
func (s *Summary) Counts() (carried map[string]int, leftOut map[string]map[string]int) {
	carried, leftOut = map[string]int{}, map[string]map[string]int{}
	for _, k := range []Kind{KindPartner, KindCustomer, KindTransaction} {
		carried[string(k)+"s"] = s.Carried[k]
		leftOut[string(k)+"s"] = maps.Clone(s.LeftOut[k])
		if leftOut[string(k)+"s"] == nil {
			leftOut[string(k)+"s"] = map[string]int{}
		}
	}
	return carried, leftOut
}
