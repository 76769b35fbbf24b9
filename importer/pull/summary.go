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
	// NotActive counts the partners carried with a status other than
	// active at their source, by status.
	NotActive map[string]int
	source    string
}

func newSummary(source string) Summary {
	return Summary{Carried: map[Kind]int{}, LeftOut: map[Kind]map[string]int{}, NotActive: map[string]int{}, source: source}
}

func (s *Summary) notActive(status string) { s.NotActive[status]++ }

func (s *Summary) carried(k Kind) { s.Carried[k]++ }

func (s *Summary) leftOut(k Kind, reason string) {
	if s.LeftOut[k] == nil {
		s.LeftOut[k] = map[string]int{}
	}
	s.LeftOut[k][reason]++
}

// Print writes the summary, one line per kind: "partners: 10 carried
// over, 2 left out (no_email 2)"; then, when there are any, the links
// whose old URLs change meaning and the partners not active at the source.
func (s *Summary) Print(w io.Writer) {
	for _, k := range []Kind{KindPartner, KindCustomer, KindTransaction} {
		left, why := counted(s.LeftOut[k])
		line := fmt.Sprintf("%ss: %d carried over, %d left out", k, s.Carried[k], left)
		if why != "" {
			line += " (" + why + ")"
		}
		fmt.Fprintln(w, line)
	}
	if left, why := counted(s.LeftOut[KindLink]); left > 0 {
		fmt.Fprintf(w, "links: %d left out (%s): their old URLs do not credit their partner (see left-out.csv)\n", left, why)
	}
	if n, why := counted(s.NotActive); n > 0 {
		are := "partners are"
		if n == 1 {
			are = "partner is"
		}
		fmt.Fprintf(w, "%d %s not active at %s (%s): carried as active partners tagged %sSTATE\n", n, are, s.source, why, StatusTagPrefix)
	}
}

// counted is the sum of counts, and each count after its name in name
// order ("duplicate 1, no_email 2").
func counted(counts map[string]int) (sum int, named string) {
	for _, name := range slices.Sorted(maps.Keys(counts)) {
		sum += counts[name]
		if named != "" {
			named += ", "
		}
		named += fmt.Sprintf("%s %d", name, counts[name])
	}
	return sum, named
}

// Counts are the summary for a machine: records carried over per kind
// ("partners"), left out per kind and reason (and links, per reason),
// and the partners carried though not active at the source, per status.
func (s *Summary) Counts() (carried map[string]int, leftOut map[string]map[string]int, notActive map[string]int) {
	carried, leftOut = map[string]int{}, map[string]map[string]int{}
	for _, k := range []Kind{KindPartner, KindCustomer, KindTransaction, KindLink} {
		if k != KindLink {
			carried[string(k)+"s"] = s.Carried[k]
		}
		leftOut[string(k)+"s"] = maps.Clone(s.LeftOut[k])
		if leftOut[string(k)+"s"] == nil {
			leftOut[string(k)+"s"] = map[string]int{}
		}
	}
	return carried, leftOut, maps.Clone(s.NotActive)
}
