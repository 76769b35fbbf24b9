package validate

import (
	"fmt"
	"hash/maphash"
	"time"

	"github.com/partnero-import/partnero-import/importer/input"
	"github.com/partnero-import/partnero-import/report"
)

// Planner is what the importer asks of a file's plan, whatever its kind:
// Plan for partners, KeyPlan for customers and transactions.
type Planner interface {
	Expect(rows int)
	Rows() int
	Check(rec *input.Record) Checked
	Touch(c *Checked)
	Add(rec *input.Record) []Problem
	AddChecked(rec *input.Record, c Checked) []Problem
	JudgeNow(row int, action string, ps []Problem) (Verdict, bool)
	Finish()
	JudgeProblems(row int, action string, ps []Problem) Verdict
	Judge(rec *input.Record) Verdict
	Shape() Shape
	Referrals(yield func(row, referrer int))
	Referred(row int) bool
	RowAt(row int) string
	Canary(n int) *Canary
}

var (
	_ Planner = (*Plan)(nil)
	_ Planner = (*KeyPlan)(nil)
)

// KeyPlan is Plan for customers and transactions: their whole-file rule is
// only duplicate_key_in_file (the same email on two customers is allowed,
// and a row refers to no other row of its file), so every row's verdict is
// final as soon as it is added. Keys are compared exactly, as the old
// platform wrote them: they are its ids (Stripe's are case-sensitive:
// ch_3Ab and ch_3AB are two charges), and the API documents nothing that
// folds them. Its memory is the key table plus a few bytes per row.
type KeyPlan struct {
	row  func(*input.Record) []Problem
	rank map[report.Reason]int
	rows int
	// Where each key first appears, by fingerprint.
	first seen
	seeds [2]maphash.Seed
	line  []int32 // row → the physical line it starts on, for messages
	bad   bitset  // invalid, or left out by --where: never sent
}

// NewCustomerPlan starts the plan of a customers file.
func NewCustomerPlan() *KeyPlan { return newKeyPlan(CustomerRow, customerRank) }

// NewTransactionPlan starts the plan of a transactions file; now is the
// run's start, after which a sale's date is refused.
func NewTransactionPlan(now time.Time) *KeyPlan {
	return newKeyPlan(func(rec *input.Record) []Problem { return TransactionRow(rec, now) }, transactionRank)
}

func newKeyPlan(row func(*input.Record) []Problem, rank map[report.Reason]int) *KeyPlan {
	return &KeyPlan{row: row, rank: rank, line: []int32{0}, seeds: [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}}
}

func (p *KeyPlan) fingerprint(key string) fingerprint {
	return fingerprint{maphash.String(p.seeds[0], key), maphash.String(p.seeds[1], key)}
}

// Expect sizes the plan for about rows rows.
func (p *KeyPlan) Expect(rows int) { p.first.reserve(rows) }

// Rows is the number of records added.
func (p *KeyPlan) Rows() int { return p.rows }

// Check examines a row on its own. It is safe for concurrent use.
func (p *KeyPlan) Check(rec *input.Record) Checked {
	c := Checked{problems: p.row(rec)}
	if rec.Err == nil && rec.Key != "" {
		c.values[ofKey], c.has[ofKey] = p.fingerprint(rec.Key), true
	}
	return c
}

// Touch brings the table slot AddChecked will probe for c into the cache.
func (p *KeyPlan) Touch(c *Checked) {
	if c.has[ofKey] {
		p.first.touch(c.values[ofKey])
	}
}

// Add records one row and returns all its problems.
func (p *KeyPlan) Add(rec *input.Record) []Problem { return p.AddChecked(rec, p.Check(rec)) }

// AddChecked is Add with the row already checked. Rows must come in file
// order.
func (p *KeyPlan) AddChecked(rec *input.Record, c Checked) []Problem {
	p.rows = rec.Row
	p.line = append(p.line, int32(rec.Line))
	ps := c.problems
	if c.has[ofKey] {
		if first, repeated := p.first.firstOrAdd(c.values[ofKey], int32(rec.Row)); repeated {
			ps = sortedBy(p.rank, append(ps, p.repeated(first)))
		}
	}
	if len(ps) > 0 {
		p.bad.set(rec.Row)
	}
	return ps
}

func (p *KeyPlan) repeated(first int32) Problem {
	return Problem{report.DuplicateKeyInFile, "key: same key as " + p.RowAt(int(first))}
}

// JudgeNow gives a row its verdict as soon as AddChecked has added it:
// with no rule between rows but the repeated key, it is always final.
func (p *KeyPlan) JudgeNow(row int, action string, ps []Problem) (Verdict, bool) {
	return p.JudgeProblems(row, action, ps), true
}

// Finish ends the first pass; a KeyPlan has nothing left to resolve.
func (p *KeyPlan) Finish() {}

// JudgeProblems gives a row its verdict from its action and the problems
// AddChecked returned for it.
func (p *KeyPlan) JudgeProblems(_ int, action string, ps []Problem) Verdict {
	v := Verdict{Action: action, Status: report.Valid}
	if len(ps) == 0 {
		return v
	}
	if ps[0].Reason == report.Filtered {
		v.Status, v.Reason, v.Message = report.Skipped, report.Filtered, ps[0].Message
		return v
	}
	v.Status, v.Reason, v.Message = report.Invalid, ps[0].Reason, Message(ps)
	return v
}

// Judge gives a row of the second pass its verdict (action create), after
// Finish: the same as the first pass's.
func (p *KeyPlan) Judge(rec *input.Record) Verdict {
	ps := p.row(rec)
	if rec.Err == nil && rec.Key != "" {
		if first, ok := p.first.first(p.fingerprint(rec.Key)); ok && int(first) != rec.Row {
			ps = sortedBy(p.rank, append(ps, p.repeated(first)))
		}
	}
	return p.JudgeProblems(rec.Row, Create, ps)
}

// Shape is empty: no row refers to another of its file.
func (p *KeyPlan) Shape() Shape { return Shape{} }

// Referrals yields nothing: no row refers to another of its file.
func (p *KeyPlan) Referrals(func(row, referrer int)) {}

// Referred is false: no row waits for another of its file.
func (p *KeyPlan) Referred(int) bool { return false }

// RowAt names a row of the file for messages: "row 3 (line 4)".
func (p *KeyPlan) RowAt(row int) string {
	if row <= 0 || row >= len(p.line) || p.line[row] <= 0 {
		return fmt.Sprint("row ", row)
	}
	return fmt.Sprintf("row %d (line %d)", row, p.line[row])
}

// Canary picks, after Finish, the first n rows that will be sent.
func (p *KeyPlan) Canary(n int) *Canary {
	c := &Canary{Limit: n}
	for row := 1; row <= p.rows && c.Size < n; row++ {
		if !p.bad.has(row) {
			c.rows.set(row)
			c.Size++
		}
	}
	return c
}
