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
	// NoCurrency counts the transactions carried without a currency (the
	// source named none): Partnero takes them in its program's.
	NoCurrency int
	source     string
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

// records are the kinds a pull writes a file of: each is counted carried
// over and left out.
var records = []Kind{KindPartner, KindCustomer, KindTransaction}

// kinds are the kinds to count: the records, links (always, for a
// machine), then any other kind a line of left-out.csv has (a partner's
// tie to its referrer, a commission paid already), so that every line is
// counted.
func (s *Summary) kinds() []Kind {
	kinds := append(slices.Clone(records), KindLink)
	for _, k := range slices.Sorted(maps.Keys(s.LeftOut)) {
		if !slices.Contains(kinds, k) {
			kinds = append(kinds, k)
		}
	}
	return kinds
}

// Print writes the summary, one line per kind: "partners: 10 carried
// over, 2 left out (no_email 2)"; a kind that is no record of its own has
// only its left out, when there are any: "referrers: 1 left out
// (referrer_not_carried 1)"; then the partners not active at the source.
func (s *Summary) Print(w io.Writer) {
	for _, k := range s.kinds() {
		left, why := counted(s.LeftOut[k])
		var line string
		switch {
		case slices.Contains(records, k):
			line = fmt.Sprintf("%ss: %d carried over, %d left out", k, s.Carried[k], left)
			if why != "" {
				line += " (" + why + ")"
			}
		case left == 0:
			continue
		case k == KindLink:
			line = fmt.Sprintf("links: %d left out (%s): their old URLs do not credit their partner (see left-out.csv)", left, why)
		default:
			line = fmt.Sprintf("%ss: %d left out (%s)", k, left, why)
		}
		fmt.Fprintln(w, line)
	}
	if n, why := counted(s.NotActive); n > 0 {
		are := "partners are"
		if n == 1 {
			are = "partner is"
		}
		fmt.Fprintf(w, "%d %s not active at %s (%s): carried as active partners tagged %sSTATE\n", n, are, s.source, why, StatusTagPrefix)
	}
	if s.NoCurrency > 0 {
		fmt.Fprintf(w, "%d transactions name no currency (%s named none): Partnero takes them in its program's; check it is your %s account's\n",
			s.NoCurrency, s.source, s.source)
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
// ("partners"), left out per kind and reason (every kind of left-out.csv's
// lines; links always), and the partners carried though not active at the
// source, per status.
func (s *Summary) Counts() (carried map[string]int, leftOut map[string]map[string]int, notActive map[string]int) {
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
	return carried, leftOut, maps.Clone(s.NotActive)
}
