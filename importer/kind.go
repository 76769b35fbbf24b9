package importer

import (
	"context"
	"time"

	"github.com/partnero-import/partnero-import/importer/input"
	"github.com/partnero-import/partnero-import/importer/partnero"
	"github.com/partnero-import/partnero-import/report"
	"github.com/partnero-import/partnero-import/validate"
)

// Kind is one kind of record a run moves. What is specific to the kind
// sits behind it: how a row is named in the report, which of its values
// are secrets, the call a row becomes, how the rows that wait for a row
// name it once made, and how a record the run made is undone. The engine
// (read.go, schedule.go, dispatch.go, rollback.go) names none of a kind's
// fields. Partners (partners.go) is the kind there is, and the one to copy.
type Kind interface {
	// Name is the kind's name: partners, customers, transactions.
	Name() report.Kind
	// Plan starts the checks of a whole file (validate's): uniqueness, and
	// what each row waits for in the file. now is the run's start.
	Plan(mode string, now time.Time) validate.Planner
	// Line is a row's report line as the row alone tells it: its
	// identifying columns.
	Line(rec *input.Record, action string) report.Line
	// Secrets hands the row's secrets to the client before any request,
	// to be scrubbed from every answer and message.
	Secrets(c *partnero.Client, rec *input.Record)
	// Send makes the row's call, as s says.
	Send(ctx context.Context, c *partnero.Client, rec *input.Record, s Sending) partnero.Outcome
	// Made hands the client a record an earlier run of the job made,
	// from its line: reading one back shows whether the server keeps the
	// job's mark.
	Made(c *partnero.Client, l *report.Line)
	// Answered shows on a row's line what the answer told of its record
	// (an id, a link, the record already there); foresee: the answer is
	// validate --against's reads.
	Answered(line *report.Line, rec *input.Record, o *partnero.Outcome, foresee bool)
	// Known is how the rows that wait for a row that succeeded name it.
	Known(l *report.Line) partnero.Referring
	// Undo undoes the record a run made, from the run's line of it.
	Undo(ctx context.Context, c *partnero.Client, l *report.Line, how partnero.Undoing, mark string) partnero.Outcome
	// Needs names the record of an earlier file of the run (of kind
	// Needs) that a row needs, by the names it gives it ("" kind: none);
	// Names are the names a row gives its own record, by which the rows of
	// later files need it.
	Needs(rec *input.Record) (report.Kind, []string)
	Names(rec *input.Record) []string
}

// Sending is how one row is sent.
type Sending struct {
	Action string // create or invite
	// Waited is the record the row waited for (its referrer in the file),
	// as the server knows it; zero when the row waits for none.
	Waited partnero.Referring
	// WaitsInFile: the row waits for another row of the file (which, in a
	// foresight, is not in the server yet).
	WaitsInFile bool
	// MaybeSent: an earlier run may have sent the row; Unmarked: and its
	// creates carried no mark.
	MaybeSent, Unmarked bool
	// Foresee reads what an import would do (validate --against); Update
	// updates a record that exists; SkipExisting settles one as existing.
	Foresee, Update, SkipExisting bool
}

// KindNamed is the kind of record of that name ("" is partners).
func KindNamed(k report.Kind) Kind {
	switch k {
	case report.Customers:
		return Customers
	case report.Transactions:
		return Transactions
	}
	return Partners
}
