package input

// What a file means beyond its fields: the rows --where leaves out, a
// status column that marks rows the source did not want, and full names
// in one name column (--split-name).

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"

	"github.com/partnero-import/partnero-import/printable"
)

// Condition is one --where: the rows whose cell in Column is one of Values
// (with Not: none of them), compared case-insensitively after trimming.
type Condition struct {
	Column string // the header as given, trimmed
	Not    bool
	Values []string
}

// String is the condition as --where takes it.
func (c Condition) String() string {
	op := "="
	if c.Not {
		op = "!="
	}
	vals := make([]string, len(c.Values))
	for i, v := range c.Values {
		vals[i] = pairValue(v)
	}
	return c.Column + op + strings.Join(vals, ",")
}

// holds reports whether a cell meets the condition.
func (c Condition) holds(cell string) bool {
	cell = strings.TrimSpace(cell)
	in := slices.ContainsFunc(c.Values, func(v string) bool { return strings.EqualFold(v, cell) })
	return in != c.Not
}

// ParseWhere reads one --where value: COLUMN=VALUE[,VALUE] or
// COLUMN!=VALUE[,VALUE]. A value with a comma goes in double quotes; an
// empty value stands for an empty cell.
func ParseWhere(s string) (Condition, error) {
	col, vals, ok := strings.Cut(s, "=")
	var c Condition
	if col, c.Not = strings.CutSuffix(col, "!"); !ok || strings.TrimSpace(col) == "" {
		return c, fmt.Errorf("--where %q: expected COLUMN=VALUE[,VALUE] or COLUMN!=VALUE[,VALUE]", s)
	}
	c.Column = strings.TrimSpace(col)
	parts, err := splitPairs("--where", vals)
	if err != nil {
		return c, err
	}
	for _, p := range parts {
		c.Values = append(c.Values, unquote(strings.TrimSpace(p)))
	}
	return c, nil
}

// selector applies what Options say about rows, and counts what a run
// should hear about them, for one reader.
type selector struct {
	where []Condition
	at    []int // the column each condition reads, from 0
	// seen counts each condition's column's values (a bounded number),
	// and matched which of its values some row holds: a value no row
	// holds is a typo that filters every row.
	seen         []map[string]int
	matched      [][]bool
	judged, kept int // rows read whole; of them, the rows --where keeps
	splitName    bool
	// ignored are the normalised headers of the columns left out
	// (--ignore-column): such a column is never a status column.
	ignored map[string]bool
	status  []*statusColumn

	nameAt      int  // the name column, from 0; -1 when none
	hasSurname  bool // a column gives the surname
	names, full int  // rows kept with a name; of them, two words or more
	firstFull   int  // the first of those rows
}

func newSelector(opts Options) *selector {
	s := &selector{where: opts.Where, splitName: opts.SplitName, ignored: opts.ignored(), nameAt: -1}
	for _, c := range opts.Where {
		s.seen = append(s.seen, map[string]int{})
		s.matched = append(s.matched, make([]bool, len(c.Values)))
	}
	return s
}

// ignored is the set of normalised headers a run leaves out
// (--ignore-column).
func (o Options) ignored() map[string]bool {
	set := make(map[string]bool, len(o.Ignore))
	for _, h := range o.Ignore {
		set[normalizeHeader(h)] = true
	}
	return set
}

// statusColumn counts the values of a column named like a status.
type statusColumn struct {
	header   string
	at       int
	approval bool           // an approval column: false, no, 0 mark a row unwanted
	unwanted map[string]int // lowercased value → rows
	others   map[string]int // other values (a bounded number), for the advice
}

// bind resolves the conditions and finds the status and name columns of a
// file's header (a JSON Lines file's first object).
func (s *selector) bind(cols []Column) error {
	s.at = make([]int, len(s.where))
	for i, c := range s.where {
		var found []int
		for j, col := range cols {
			if strings.EqualFold(strings.TrimSpace(col.Header), c.Column) || strings.EqualFold(strings.TrimSpace(printable.String(col.Header)), c.Column) {
				found = append(found, j)
			}
		}
		switch len(found) {
		case 0:
			return fmt.Errorf("--where %s: the file has no column %q (it has: %s)", c, c.Column, strings.Join(headersOf(cols), ", "))
		case 1:
			s.at[i] = found[0]
		default:
			return fmt.Errorf("--where %s: %d columns are named %q: rename one", c, len(found), c.Column)
		}
	}
	for j, col := range cols {
		switch col.Field {
		case fieldName:
			s.nameAt = j
		case fieldSurname:
			s.hasSurname = true
		}
		if statusHeader(col.Header, s.ignored) && !slices.Contains(s.at, j) {
			s.status = append(s.status, &statusColumn{header: col.Header, at: j, approval: approvalHeader(col.Header),
				unwanted: map[string]int{}, others: map[string]int{}})
		}
	}
	switch {
	case s.splitName && s.nameAt < 0:
		return fmt.Errorf("--split-name: the file has no name column to split (it has: %s)", strings.Join(headersOf(cols), ", "))
	case s.splitName && s.hasSurname:
		return fmt.Errorf("--split-name: the file has a surname column already; leave --split-name out (or --map the column that holds full names to name, alone)")
	}
	return nil
}

// apply reads a record's other columns (cell gives column j's text):
// it marks the record filtered when a condition fails, counts its status
// and name, and splits its name as asked.
func (s *selector) apply(rec *Record, cell func(j int) string) {
	if rec.Err != nil {
		return // a record that cannot be read cannot be judged
	}
	s.judged++
	for i, c := range s.where {
		v := cell(s.at[i])
		s.see(i, v)
		if rec.Filtered == "" && !c.holds(v) {
			rec.Filtered = "filtered out by --where " + c.String()
		}
	}
	if rec.Filtered != "" {
		return
	}
	s.kept++
	for _, st := range s.status {
		st.count(cell(st.at))
	}
	if rec.Name != "" && rec.Surname == "" {
		s.names++
		if len(strings.FieldsFunc(rec.Name, unicode.IsSpace)) >= 2 {
			if s.full++; s.full == 1 {
				s.firstFull = rec.Row
			}
			if s.splitName {
				rec.Name, rec.Surname = SplitName(rec.Name)
			}
		}
	}
}

// see counts the value of condition i's column in one row.
func (s *selector) see(i int, cell string) {
	v := strings.ToLower(strings.TrimSpace(cell))
	for k, want := range s.where[i].Values {
		if strings.EqualFold(want, v) {
			s.matched[i][k] = true
		}
	}
	if s.seen[i][v] > 0 || len(s.seen[i]) < maxOtherValues {
		s.seen[i][v]++
	}
}

// whereMisses are the --where values that no row holds, each with the
// column's most common values; none for a file without rows.
func (s *selector) whereMisses() []string {
	var misses []string
	for i, c := range s.where {
		for k, v := range c.Values {
			if s.judged == 0 || s.matched[i][k] {
				continue
			}
			misses = append(misses, fmt.Sprintf("--where %s: no row has %s %q (its most common values: %s)", c, c.Column, v, valueCounts(s.seen[i], 5)))
		}
	}
	return misses
}

// valueCounts is "active 3, denied 1": the n most frequent values.
func valueCounts(counts map[string]int, n int) string {
	vals := byCount(counts)
	var parts []string
	for _, v := range vals[:min(n, len(vals))] {
		label := v
		if v == "" {
			label = `""`
		}
		parts = append(parts, fmt.Sprintf("%s %d", label, counts[v]))
	}
	return strings.Join(parts, ", ")
}

// SplitName splits a full name at its last space: "Mary Ann van Dyke" is
// "Mary Ann van" and "Dyke". Names are hard (particles, several surnames,
// surnames first): this is only a rule that can be told. One word stays a
// name without surname.
func SplitName(full string) (name, surname string) {
	i := strings.LastIndexFunc(full, unicode.IsSpace)
	if i < 0 {
		return full, ""
	}
	name = strings.TrimRightFunc(full[:i], unicode.IsSpace)
	surname = strings.TrimLeftFunc(full[i:], unicode.IsSpace)
	return name, surname
}

// maxOtherValues bounds the other values a status column remembers.
const maxOtherValues = 64

func (st *statusColumn) count(cell string) {
	v := strings.ToLower(strings.TrimSpace(cell))
	switch {
	case unwantedStatus[v], st.approval && notApproved[v]:
		st.unwanted[v]++
	case v != "" && (st.others[v] > 0 || len(st.others) < maxOtherValues):
		st.others[v]++
	}
}

// approvalHeader reports a header named like an approval flag
// (approved, is_approved, approval, "Approval Status"...).
func approvalHeader(header string) bool {
	switch n := normalizeHeader(header); n {
	case "approved", "is_approved", "approval", "approval_status", "approved_status":
		return true
	default:
		return strings.HasSuffix(n, "_approved")
	}
}

// notApproved are the values an approval column marks a row it did not
// approve by.
var notApproved = map[string]bool{"false": true, "no": true, "n": true, "0": true, "f": true}

// statusHeader reports a header named like a status (status, state,
// "Affiliate Status"...) or an approval, unless its column is left out.
func statusHeader(header string, ignored map[string]bool) bool {
	for _, n := range headerForms(header) {
		if ignored[n] {
			return false
		}
	}
	n := normalizeHeader(header)
	return n == "status" || n == "state" || strings.HasSuffix(n, "_status") || strings.HasSuffix(n, "_state") || approvalHeader(header)
}

// unwantedStatus are the values that mark a partner the source did not
// approve, or no longer has.
var unwantedStatus = map[string]bool{
	"pending": true, "denied": true, "rejected": true, "inactive": true, "blocked": true, "suspended": true,
	"declined": true, "disabled": true, "banned": true, "unapproved": true, "not approved": true,
	"pending approval": true, "awaiting approval": true, "archived": true, "deleted": true,
}

// StopReason says, after the last record, why an import must not send
// the file: a --where value no row holds; status columns that mark rows
// the source probably did not want. "" when nothing does.
func (s *selector) StopReason() string {
	return strings.Join(append(s.whereMisses(), s.unwanted()...), "; ")
}

// unwanted says which status columns mark rows the source probably did
// not want, with how many of each value, and how to say which rows to
// import; none when none does.
func (s *selector) unwanted() []string {
	var clauses []string
	var first *statusColumn
	for _, st := range s.status {
		if len(st.unwanted) == 0 {
			continue
		}
		if first == nil {
			first = st
		}
		clauses = append(clauses, fmt.Sprintf("column %q marks %s", st.header, countList(st.unwanted)))
	}
	if first == nil {
		return nil
	}
	not := Condition{Column: strings.TrimSpace(printable.String(first.header)), Not: true, Values: byCount(first.unwanted)}
	advice := "--where " + ShellQuote(not.String())
	if len(first.others) > 0 {
		keep := Condition{Column: not.Column, Values: byCount(first.others)[:1]}
		advice = fmt.Sprintf("--where %s (or %s)", ShellQuote(keep.String()), advice)
	}
	return []string{fmt.Sprintf("%s: say which rows to import with %s, or leave the column out with %s",
		strings.Join(clauses, "; "), advice, ignoreFix(first.header))}
}

// countList is "12 rows pending, 3 denied": the most frequent first.
func countList(counts map[string]int) string {
	var parts []string
	for i, v := range byCount(counts) {
		if i == 0 {
			parts = append(parts, fmt.Sprintf("%d %s %s", counts[v], plural(counts[v], "row", "rows"), v))
			continue
		}
		parts = append(parts, fmt.Sprintf("%d %s", counts[v], v))
	}
	return strings.Join(parts, ", ")
}

// byCount is the values the most frequent first, then in order.
func byCount(counts map[string]int) []string {
	return slices.SortedFunc(maps.Keys(counts), func(a, b string) int {
		return cmp.Or(counts[b]-counts[a], strings.Compare(a, b))
	})
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// warnings are the notes about the rows, once all are read: conditions
// that each hold for some row but together for none; full names in the
// one name column.
func (s *selector) warnings(cols []Column) []string {
	var ws []string
	if len(s.where) > 0 && s.judged > 0 && s.kept == 0 && len(s.whereMisses()) == 0 {
		conds := make([]string, len(s.where))
		for i, c := range s.where {
			conds[i] = "--where " + c.String()
		}
		ws = append(ws, fmt.Sprintf("%s leave no row of the file: all %d are filtered out", strings.Join(conds, " and "), s.judged))
	}
	return append(ws, s.nameWarnings(cols)...)
}

// nameWarnings are the notes about full names in the one name column.
func (s *selector) nameWarnings(cols []Column) []string {
	if s.splitName || s.hasSurname || s.nameAt < 0 || s.full == 0 || s.full*10 <= s.names*6 {
		return nil
	}
	header := "name"
	if s.nameAt < len(cols) {
		header = cols[s.nameAt].Header
	}
	return []string{fmt.Sprintf("column %q seems to hold full names (%d of %d names are two words or more, the first on row %d) and no column gives a surname: --split-name splits them at the last space into name and surname",
		header, s.full, s.names, s.firstFull)}
}

// selected is a format's reader with its rows' selector.
type selected struct {
	reader
	sel *selector
}

func (s selected) Warnings() []string {
	return append(s.reader.Warnings(), s.sel.warnings(s.reader.Columns())...)
}

func (s selected) StopReason() string { return s.sel.StopReason() }
