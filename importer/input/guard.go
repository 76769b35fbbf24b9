package input

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// The guard stops a run, before anything is sent, when the header says the
// file probably means something the mapping is not doing: an export read
// without its preset, a preset whose key, referrer or name columns are not
// there, a header one typo away from a field. Each has a way to say "I
// know": --preset none, --map, --ignore-column.

// guard checks a mapped header; cols are as columns made them. Customers
// and transactions have no presets: only their near misses are looked for.
func (m *mapper) guard(cols []Column) error {
	if !m.partners() {
		return m.nearMissError(cols, "column")
	}
	if err := m.unrecognisedExport(cols); err != nil {
		return err
	}
	if err := m.nearMissError(cols, "column"); err != nil {
		return err
	}
	if err := m.presetReadColumns(cols); err != nil {
		return err
	}
	return m.presetFieldsFound(cols)
}

// guardKeys checks the keys of a JSON Lines file, which has no header: the
// first object's when it is read, and all the file's at its end (a later
// object may hold a key the first lacks). Objects may leave keys out, so a
// preset's fields are not looked for.
func (m *mapper) guardKeys(cols []Column) error {
	if !m.partners() {
		return m.nearMissError(cols, "key")
	}
	if err := m.unrecognisedExport(cols); err != nil {
		return err
	}
	if err := m.nearMissError(cols, "key"); err != nil {
		return err
	}
	return m.presetReadColumns(cols)
}

// presetReadColumns stops on the unknown columns that a preset reads as a
// referral key, a referrer or a password: dropped as unknown, every
// partner would lose its links or its place in the tree, in one warning
// line. --preset none says "I know".
func (m *mapper) presetReadColumns(cols []Column) error {
	if m.presetNone {
		return nil
	}
	var problems []string
	for _, c := range cols {
		if c.Note != noteUnknown {
			continue
		}
		field, readers := vitalIn(normalizeHeader(c.Header))
		if field == "" {
			continue
		}
		problems = append(problems, fmt.Sprintf("column %q is what --preset %s reads as the %s: give --preset %s, or %s, or leave it out with %s",
			c.Header, strings.Join(readers, " or --preset "), field, readers[0], mapFix(field, c.Header), ignoreFix(c.Header)))
	}
	return joinedError(problems)
}

// vitalIn is the field that presets read the normalized header n as, when
// it is a key, a referrer or a password, and the presets that do.
func vitalIn(n string) (field string, presets []string) {
	for _, p := range Presets {
		for _, pc := range p.Columns {
			switch fieldGroup(pc.Field) {
			case fieldKey, "referrer", fieldPassword:
				if normalizeHeader(pc.Header) == n && (field == "" || field == pc.Field) {
					field, presets = pc.Field, append(presets, p.Name)
				}
			}
		}
	}
	return field, presets
}

// unrecognisedExport stops a file that looks like an export a preset reads,
// read without a preset: its keys and referrers would be left out. Columns
// the user mapped or left out do not count: they have looked at those.
func (m *mapper) unrecognisedExport(cols []Column) error {
	if m.presetOf != "" || m.presetNone {
		return nil
	}
	var headers []string
	for _, c := range cols {
		if c.Note != noteMap && c.Note != noteIgnored {
			headers = append(headers, c.Header)
		}
	}
	p, hits := likelyPreset(headers)
	if p == nil {
		return nil
	}
	return fmt.Errorf("this looks like %s (columns %s): use --preset %s (or --preset none to read it as it is)", p.About, quotedList(hits, "and"), p.Name)
}

// presetFieldsFound stops a run whose preset reads a referral key, a
// referrer or a name and finds no column for it (nor does an alias or
// --map): the export's headers are not the ones the preset knows.
func (m *mapper) presetFieldsFound(cols []Column) error {
	if m.preset == nil {
		return nil
	}
	found := map[string]bool{}
	for _, c := range cols {
		if c.Field != "" {
			found[fieldGroup(c.Field)] = true
		}
	}
	p, _ := PresetNamed(m.presetOf)
	var missing []string
	for _, group := range []string{fieldKey, "referrer", fieldName} {
		if found[group] || slices.Contains(p.Optional, group) {
			continue
		}
		var expected []string
		for _, pc := range p.Columns {
			if pc.Field != "" && fieldGroup(pc.Field) == group {
				expected = append(expected, pc.Header)
			}
		}
		if len(expected) > 0 {
			missing = append(missing, fmt.Sprintf("%s (it reads %s)", group, quotedList(expected, "or")))
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return fmt.Errorf("--preset %s found no column for %s: name the columns with --map FIELD=HEADER, or read the file with --preset none and --map",
		p.Name, strings.Join(missing, "; nor for "))
}

// fieldGroup is what presetFieldsFound looks for a field as: any of the
// three referring_partner fields is a referrer.
func fieldGroup(field string) string {
	switch field {
	case fieldReferringID, fieldReferringKey, fieldReferringEmail:
		return "referrer"
	}
	return field
}

// nearMissError stops a run on the columns whose headers are a typo away
// from a field, an alias or the preset's own header: ignored as unknown,
// they would drop the whole column.
func (m *mapper) nearMissError(cols []Column, what string) error {
	var misses []string
	for _, c := range cols {
		if c.Note != noteUnknown {
			continue
		}
		if t, ok := m.nearest(c.Header); ok {
			misses = append(misses, fmt.Sprintf("%s %q is not a known field: did you mean %s? map it with %s or leave it out with %s",
				what, c.Header, t, mapFix(t.field, c.Header), ignoreFix(c.Header)))
		}
	}
	return joinedError(misses)
}

// joinedError is one error of several problems, or nil for none.
func joinedError(problems []string) error {
	if len(problems) == 0 {
		return nil
	}
	return errors.New(strings.Join(problems, "; "))
}

// target is what a near-miss header probably is: a field, by the name
// (a field's own, an alias, a preset's header) the header is close to;
// preset names the preset whose header it is when none was given.
type target struct {
	field, name, preset string
}

func (t target) String() string {
	switch {
	case t.preset != "":
		return fmt.Sprintf("%s (%s, as --preset %s reads it)", t.field, t.name, t.preset)
	case normalizeHeader(t.name) == t.field:
		return t.field
	}
	return fmt.Sprintf("%s (%s)", t.field, t.name)
}

// nearest is the field a header is a near miss of, by the closest name
// among the kind's; ties go to the preset's headers, then the fields, then
// the aliases, then (partners, no preset given) every preset's headers:
// without a preset, a typo in a column only a preset reads would otherwise
// drop it as unknown.
func (m *mapper) nearest(header string) (target, bool) {
	h := normalizeHeader(header)
	if m.partners() && anotherExportsHeader(h) {
		return target{}, false // FirstPromoter's Referral ID is a key, not a mistyped Referrer ID
	}
	best, bestDist := target{}, -1
	consider := func(field, name, preset string) {
		if field == "" || field == m.words.nested { // a nested object is JSON Lines' only
			return
		}
		n := normalizeHeader(name)
		if d := EditDistance(h, n); nearMiss(h, n, d) && (bestDist < 0 || d < bestDist) {
			best, bestDist = target{field, name, preset}, d
		}
	}
	if m.presetOf != "" {
		p, _ := PresetNamed(m.presetOf)
		for _, pc := range p.Columns {
			consider(pc.Field, pc.Header, "")
		}
	}
	for _, f := range m.words.fields {
		consider(f, f, "")
	}
	for _, a := range m.words.sorted {
		consider(m.words.aliases[a], a, "")
	}
	if m.presetOf == "" && !m.presetNone && m.partners() {
		for _, p := range Presets {
			for _, pc := range p.Columns {
				consider(pc.Field, pc.Header, p.Name)
			}
		}
	}
	return best, bestDist >= 0
}

// anotherExportsHeader says whether a normalized header is, exactly, one
// that a preset reads as a field: a name in its own right, not a typo.
func anotherExportsHeader(h string) bool {
	for _, p := range Presets {
		for _, pc := range p.Columns {
			if pc.Field != "" && normalizeHeader(pc.Header) == h {
				return true
			}
		}
	}
	return false
}

// nearMiss says whether a normalized header at edit distance d from a
// normalized name is probably that name mistyped. Short headers need an
// exact match (id is not ip); up to nine characters, one edit (emial,
// surename; but username is not surname); from ten, two.
func nearMiss(header, name string, d int) bool {
	n := min(utf8.RuneCountInString(header), utf8.RuneCountInString(name))
	switch {
	case d == 0 || n < 4:
		return false // the same name is no miss; a short one is a different word
	case n < 10:
		return d <= 1
	}
	return d <= 2
}

// EditDistance is the Damerau-Levenshtein distance of a and b (optimal
// string alignment): insertions, deletions, substitutions and swaps of two
// neighbours, in runes.
func EditDistance(a, b string) int {
	x, y := []rune(a), []rune(b)
	// Three rows of the table: two back for swaps.
	prev2, prev, cur := make([]int, len(y)+1), make([]int, len(y)+1), make([]int, len(y)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(x); i++ {
		cur[0] = i
		for j := 1; j <= len(y); j++ {
			cost := 1
			if x[i-1] == y[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && x[i-1] == y[j-2] && x[i-2] == y[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(y)]
}

// quotedList is names quoted and joined: "a", "b" or "c" (conj "or").
func quotedList(names []string, conj string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	if len(q) < 2 {
		return strings.Join(q, "")
	}
	return strings.Join(q[:len(q)-1], ", ") + " " + conj + " " + q[len(q)-1]
}
