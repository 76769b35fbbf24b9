package validate

import (
	"fmt"
	"hash/maphash"
	"slices"
	"strings"

	"github.com/partnero-import/partnero-import/importer/input"
	"github.com/partnero-import/partnero-import/report"
)

// Plan is what the first pass over a file learns, so the second pass can
// judge each row against the whole file: where each email, id and key first
// appears, which row each row's referrer is, which rows sit on a referral
// loop and which will not be created. Its memory is the uniqueness maps plus
// a few bytes per row.
type Plan struct {
	mode string
	rows int
	// Where each lowercased email, id and key first appears, by fingerprint
	// (seeded per column, so an email and an id that read alike differ).
	first seen
	seeds [3][2]maphash.Seed

	parent   []int32 // row → row of its referrer in the file, 0 when none
	line     []int32 // row → the physical line it starts on, for messages
	bad      bitset  // invalid on its own or through a repeat, or filtered out
	filtered bitset  // left out by --where
	cycle    bitset  // on a referral loop
	doomed   bitset  // will not be created: bad, cycle, or a doomed referrer
	referred bitset  // some row of the file names this row as its referrer
	// settled rows had their final verdict when they were added: they name
	// no referrer, or a referrer on an earlier settled row. No later row can
	// change it: the referrers of a settled row only go up the file, so
	// they are on no loop, and where a value first appears never changes.
	settled bitset
	pending []reference
	touched int32 // the sum of what Touch read: kept, so the reads are too
	shape   Shape
}

// Shape is what a file's referral trees look like.
type Shape struct {
	Linked   int // rows whose referrer is another row of the file
	Roots    int // rows that refer rows of the file and have no referrer in it
	Depth    int // levels of the deepest tree (a root with children: 2)
	External int // rows whose referrer is no row of the file: left to the API
	// ExternalRows are the first of those rows, up to ten.
	ExternalRows []int
}

type reference struct {
	row            int32
	id, key, email fingerprint
	has            [3]bool // which of id, key, email the row gave
}

type fingerprint [2]uint64

// The columns a fingerprint is of.
const (
	ofEmail = iota
	ofID
	ofKey
)

func (p *Plan) fingerprint(column int, v string) fingerprint {
	return fingerprint{maphash.String(p.seeds[column][0], v), maphash.String(p.seeds[column][1], v)}
}

// NewPlan starts a plan; mode is the action of rows without their own.
func NewPlan(mode string) *Plan {
	p := &Plan{mode: mode, parent: []int32{0}, line: []int32{0}}
	for i := range p.seeds {
		p.seeds[i] = [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}
	}
	return p
}

// Expect sizes the plan for about rows rows, so that a large file's first
// pass does not rebuild its tables as it grows.
func (p *Plan) Expect(rows int) {
	p.first.reserve(3 * rows) // an email, an id and a key per row at most
}

// Rows is the number of records added.
func (p *Plan) Rows() int { return p.rows }

// Checked is what can be known of a row on its own: its problems and the
// fingerprints of its email, id, key and references. Check computes it
// without touching the plan's state, so it may run on another goroutine
// than Add (the dry run parses and checks on one core, remembers on another).
type Checked struct {
	problems []Problem
	values   [3]fingerprint // email, id, key
	has      [3]bool
	ref      *reference
}

// Check examines a row on its own. It is safe for concurrent use.
func (p *Plan) Check(rec *input.Record) Checked {
	c := Checked{problems: Row(rec, p.mode)}
	if rec.Err != nil {
		return c
	}
	f := &rec.Fields
	for i, v := range [3]string{EmailKey(f.Email), f.ID, f.Key} {
		if v != "" {
			c.values[i], c.has[i] = p.fingerprint(i, v), true
		}
	}
	if f.HasReferrer() {
		c.ref = &reference{
			row: int32(rec.Row),
			id:  p.fingerprint(ofID, f.ReferringID), key: p.fingerprint(ofKey, f.ReferringKey),
			email: p.fingerprint(ofEmail, EmailKey(f.ReferringEmail)),
			has:   [3]bool{f.ReferringID != "", f.ReferringKey != "", f.ReferringEmail != ""},
		}
	}
	return c
}

// Touch brings the table slots that AddChecked will probe for c into the
// cache. Touching a batch of rows first lets their cache misses overlap:
// the table is too big for the cache, and probing it one row at a time
// waits for each miss in turn.
func (p *Plan) Touch(c *Checked) {
	for i := range c.values {
		if c.has[i] {
			p.touched += p.first.touch(c.values[i])
		}
	}
}

// Add records one row of the first pass and returns its problems so far:
// its own and its repeats of earlier rows, in the contract's order. Only a
// row that names a referrer can gain one later (referral_cycle, from
// Finish). Rows must come in file order.
func (p *Plan) Add(rec *input.Record) []Problem { return p.AddChecked(rec, p.Check(rec)) }

var repeatOf = [3]struct {
	reason report.Reason
	column string
}{{report.DuplicateEmailInFile, "email"}, {report.DuplicateIDInFile, "id"}, {report.DuplicateKeyInFile, "key"}}

// AddChecked is Add with the row already checked.
func (p *Plan) AddChecked(rec *input.Record, c Checked) []Problem {
	p.rows = rec.Row
	p.parent = append(p.parent, 0)
	p.line = append(p.line, int32(rec.Line))
	ps := c.problems
	for i := range c.values {
		if !c.has[i] {
			continue
		}
		if first, repeated := p.first.firstOrAdd(c.values[i], int32(rec.Row)); repeated {
			r := repeatOf[i]
			ps = append(ps, Problem{r.reason, fmt.Sprintf("%s: same %s as %s", r.column, r.column, p.RowAt(int(first)))})
		}
	}
	if len(ps) > 0 {
		p.bad.set(rec.Row)
		sortProblems(ps)
		if ps[0].Reason == report.Filtered {
			p.filtered.set(rec.Row)
		}
	}
	if !p.settle(rec.Row, c.ref) {
		p.pending = append(p.pending, *c.ref) // resolved by Finish
	}
	return ps
}

// settle marks a row settled, and whether it will be created, when its
// verdict can no longer change; a settled row's referrer is resolved now.
func (p *Plan) settle(row int, ref *reference) bool {
	parent := int32(0)
	if ref != nil {
		parent = p.resolveNow(*ref)
		if parent == 0 || int(parent) >= row || !p.settled.has(int(parent)) {
			return false
		}
		p.link(row, parent)
	}
	p.settled.set(row)
	if p.bad.has(row) || (parent != 0 && p.doomed.has(int(parent))) {
		p.doomed.set(row)
	}
	return true
}

// link records that row's referrer is the row parent of the file.
func (p *Plan) link(row int, parent int32) {
	p.parent[row] = parent
	p.referred.set(int(parent))
	p.shape.Linked++
}

// resolveNow is resolve when no later row can change its answer: the first
// of id, key and email that the reference gives is already in the file (a
// later row could bring one that resolve tries before the one found).
func (p *Plan) resolveNow(ref reference) int32 {
	for i, fp := range [3]fingerprint{ref.id, ref.key, ref.email} {
		if ref.has[i] {
			r, _ := p.first.first(fp)
			return r
		}
	}
	return 0
}

// Finish resolves references to rows of the file, finds loops and marks the
// rows that will not be created. Call it once, after the last Add.
func (p *Plan) Finish() {
	for _, ref := range p.pending {
		if parent := p.resolve(ref); parent != 0 {
			p.link(int(ref.row), parent)
		} else {
			p.shape.External++
			if len(p.shape.ExternalRows) < 10 {
				p.shape.ExternalRows = append(p.shape.ExternalRows, int(ref.row))
			}
		}
	}
	p.pending = nil
	p.findCycles()
	p.markDoomed()
	p.measure()
}

// MostlyOutside says that almost none of many referrers is a row of the
// file: more than 50 rows name one, and under 5% of those are found in the
// file. Such referrers must all be in Partnero already, or the column holds
// something else (names, the old platform's ids of another column).
func (s Shape) MostlyOutside() bool {
	all := s.Linked + s.External
	return all > 50 && s.Linked*20 < all
}

// Shape tells the file's referral trees, after Finish.
func (p *Plan) Shape() Shape { return p.shape }

// measure counts roots and the greatest depth, leaving loops out.
func (p *Plan) measure() {
	if p.shape.Linked == 0 {
		return
	}
	depth := make([]int32, len(p.parent)) // 0: not known yet; -1: hangs off a loop
	var path []int32
	for start := 1; start < len(p.parent); start++ {
		path = path[:0]
		r := int32(start)
		for r != 0 && depth[r] == 0 && !p.cycle.has(int(r)) {
			path = append(path, r)
			r = p.parent[r]
		}
		d := int32(0) // depth of r: 0 above a root
		switch {
		case r != 0 && p.cycle.has(int(r)):
			d = -1
		case r != 0:
			d = depth[r]
		}
		for i := len(path) - 1; i >= 0; i-- {
			if d >= 0 {
				d++
			}
			depth[path[i]] = d
			p.shape.Depth = max(p.shape.Depth, int(d))
		}
	}
	for row := 1; row < len(p.parent); row++ {
		if p.parent[row] == 0 && p.referred.has(row) {
			p.shape.Roots++
		}
	}
}

// resolve finds the row a reference names, by id, then key, then email.
func (p *Plan) resolve(ref reference) int32 {
	for i, fp := range []fingerprint{ref.id, ref.key, ref.email} {
		if r, ok := p.first.first(fp); ok && ref.has[i] {
			return r
		}
	}
	return 0
}

// findCycles marks every row on a loop of referrers. Each row has at most one
// referrer, so following parents from any row either ends or enters a loop.
func (p *Plan) findCycles() {
	const (
		unseen = iota
		walking
		seen
	)
	state := make([]uint8, len(p.parent))
	var path []int32
	for start := range p.parent {
		if state[start] != unseen {
			continue
		}
		path = path[:0]
		r := int32(start)
		for r != 0 && state[r] == unseen {
			state[r] = walking
			path = append(path, r)
			r = p.parent[r]
		}
		if r != 0 && state[r] == walking { // the walk came back onto itself
			for i := len(path) - 1; i >= 0; i-- {
				p.cycle.set(int(path[i]))
				p.bad.set(int(path[i]))
				if path[i] == r {
					break
				}
			}
		}
		for _, q := range path {
			state[q] = seen
		}
	}
}

// markDoomed marks rows that are bad or descend from a bad row.
func (p *Plan) markDoomed() {
	known := make([]bool, len(p.parent)) // doomed[row] is final
	var path []int32
	for start := 1; start < len(p.parent); start++ {
		path = path[:0]
		r := int32(start)
		for r != 0 && !known[r] && !p.bad.has(int(r)) {
			path = append(path, r)
			r = p.parent[r]
		}
		doomed := r != 0 && (p.bad.has(int(r)) || p.doomed.has(int(r)))
		if r != 0 && p.bad.has(int(r)) {
			p.doomed.set(int(r))
			known[r] = true
		}
		for _, q := range path {
			if doomed {
				p.doomed.set(int(q))
			}
			known[q] = true
		}
	}
}

// Referrals calls yield for each row whose referrer is another row of the
// file, after Finish.
func (p *Plan) Referrals(yield func(row, referrer int)) {
	for row, parent := range p.parent {
		if parent != 0 {
			yield(row, int(parent))
		}
	}
}

// Referred reports whether a row of the file names row as its referrer, so
// its outcome must be kept until the file is done.
func (p *Plan) Referred(row int) bool { return p.referred.has(row) }

// Verdict is the second pass's judgement of one row.
type Verdict struct {
	Action   string
	Status   report.Status // valid, invalid, or skipped (referring_partner_failed)
	Reason   report.Reason
	Message  string
	Referrer int // the row of the referrer in this file, 0 when none
}

var reasonRank = map[report.Reason]int{
	report.Filtered:   -1, // a row left out on purpose is not judged further
	report.InvalidRow: 0, report.MissingEmail: 1, report.InvalidEmail: 2,
	report.DuplicateEmailInFile: 3, report.DuplicateIDInFile: 4, report.DuplicateKeyInFile: 5,
	report.WeakPassword: 6, report.MissingName: 7, report.FieldTooLong: 8, report.ReferralCycle: 9,
}

func sortProblems(ps []Problem) {
	slices.SortStableFunc(ps, func(a, b Problem) int { return reasonRank[a.Reason] - reasonRank[b.Reason] })
}

// Message lists every problem of a row, for the report.
func Message(ps []Problem) string {
	if len(ps) == 1 {
		return ps[0].Message
	}
	msgs := make([]string, len(ps))
	for i, pr := range ps {
		msgs[i] = pr.Message
	}
	return strings.Join(msgs, "; ")
}

// Judge gives a row of the second pass its verdict, after Finish.
func (p *Plan) Judge(rec *input.Record) Verdict {
	action, _ := Action(&rec.Fields, p.mode)
	ps := Row(rec, p.mode)
	if rec.Err == nil {
		f := &rec.Fields
		ps = p.repeat(ps, ofEmail, EmailKey(f.Email), rec.Row, report.DuplicateEmailInFile, "email")
		ps = p.repeat(ps, ofID, f.ID, rec.Row, report.DuplicateIDInFile, "id")
		ps = p.repeat(ps, ofKey, f.Key, rec.Row, report.DuplicateKeyInFile, "key")
	}
	return p.JudgeProblems(rec.Row, action, ps)
}

// JudgeNow gives a row its verdict as soon as AddChecked has added it, when
// that verdict is final: the row is settled. ps are the problems AddChecked
// returned. Other rows are judged after Finish.
func (p *Plan) JudgeNow(row int, action string, ps []Problem) (Verdict, bool) {
	if !p.settled.has(row) {
		return Verdict{}, false
	}
	return p.JudgeProblems(row, action, ps), true
}

// JudgeProblems gives a row its verdict, after Finish, from its action and
// the problems AddChecked returned for it: the same verdict as Judge's,
// without reading the row again.
func (p *Plan) JudgeProblems(row int, action string, ps []Problem) Verdict {
	v := Verdict{Action: action, Status: report.Valid}
	if row < len(p.parent) {
		v.Referrer = int(p.parent[row])
	}
	if p.cycle.has(row) {
		ps = append(ps, Problem{report.ReferralCycle, p.loopMessage(row)})
	}
	if len(ps) > 0 {
		sortProblems(ps)
		if ps[0].Reason == report.Filtered {
			v.Status, v.Reason, v.Message = report.Skipped, report.Filtered, ps[0].Message
			return v
		}
		v.Status, v.Reason, v.Message = report.Invalid, ps[0].Reason, Message(ps)
		return v
	}
	if v.Referrer != 0 && p.doomed.has(v.Referrer) {
		v.Status, v.Reason = report.Skipped, report.ReferringPartnerFailed
		v.Message = fmt.Sprintf("its referring partner, %s, will not be created", p.RowAt(v.Referrer))
		if p.filtered.has(v.Referrer) {
			v.Message = fmt.Sprintf("its referring partner, %s, is filtered out by --where", p.RowAt(v.Referrer))
		}
	}
	return v
}

func (p *Plan) repeat(ps []Problem, of int, v string, row int, reason report.Reason, column string) []Problem {
	if v == "" {
		return ps
	}
	if first, ok := p.first.first(p.fingerprint(of, v)); ok && int(first) != row {
		ps = append(ps, Problem{reason, fmt.Sprintf("%s: same %s as %s", column, column, p.RowAt(int(first)))})
	}
	return ps
}

// loopMessage names the rows of the loop a row is on.
func (p *Plan) loopMessage(row int) string {
	if int(p.parent[row]) == row {
		return "referring partner: the row refers to itself"
	}
	rows := []string{p.lineOf(row)}
	for r := int(p.parent[row]); r != row && r != 0; r = int(p.parent[r]) {
		if len(rows) == 10 {
			rows = append(rows, "…")
			break
		}
		rows = append(rows, p.lineOf(r))
	}
	return "referring partner: on a loop of rows " + strings.Join(rows, " → ") + " → " + fmt.Sprint(row)
}

// RowAt names a row of the file for messages: "row 3 (line 4)".
func (p *Plan) RowAt(row int) string { return "row " + p.lineOf(row) }

// lineOf is "3 (line 4)": a row's number with its line, when known.
func (p *Plan) lineOf(row int) string {
	if row <= 0 || row >= len(p.line) || p.line[row] <= 0 {
		return fmt.Sprint(row)
	}
	return fmt.Sprintf("%d (line %d)", row, p.line[row])
}

// bitset is a growable set of row numbers.
type bitset []uint64

func (b *bitset) set(i int) {
	for len(*b) <= i/64 {
		*b = append(*b, 0)
	}
	(*b)[i/64] |= 1 << (i % 64)
}

func (b bitset) has(i int) bool {
	return i/64 < len(b) && b[i/64]&(1<<(i%64)) != 0
}
