package importer

import (
	"context"
	"time"

	"github.com/partnero-import/partnero-import/importer/input"
	"github.com/partnero-import/partnero-import/importer/partnero"
	"github.com/partnero-import/partnero-import/report"
	"github.com/partnero-import/partnero-import/validate"
)

// Transactions is the transactions kind: a row is a sale (and its
// commission) of a customer, known in the report by its key (the payment
// id in the old platform), sent as POST /transactions only once its key is
// known not to be in Partnero: never a second commission.
var Transactions Kind = transactions{}

type transactions struct{}

func (transactions) Name() report.Kind { return report.Transactions }

// Line names the row by its key and customer, and the amount as it is
// sent, in major units (as the cell says when it cannot be read: the row
// is invalid then).
func (transactions) Line(rec *input.Record, action string) report.Line {
	f := &rec.Fields
	l := report.Line{Row: rec.Row, Line: rec.Line, Key: f.Key, Customer: firstOf(f.CustomerKey, f.CustomerEmail), Action: action,
		Amount: firstOf(f.Amount, f.AmountCents), Currency: f.Currency}
	if t, ps := validate.ParseTransaction(f, time.Now()); len(ps) == 0 && t.Amount != "" {
		l.Amount, l.Currency = t.Amount, t.Currency
	}
	return l
}

func (transactions) Secrets(*partnero.Client, *input.Record) {}

func (transactions) Send(ctx context.Context, c *partnero.Client, rec *input.Record, s Sending) partnero.Outcome {
	f := &rec.Fields
	t, _ := validate.ParseTransaction(f, time.Now()) // checked before: valid
	tx := &partnero.Transaction{Key: f.Key, Customer: partnero.Referring{Key: f.CustomerKey, Email: validate.NormalEmail(f.CustomerEmail)},
		Amount: t.Amount, Currency: t.Currency, CreatedAt: t.CreatedAt, Action: f.TxAction, ProductID: f.ProductID, ProductType: f.ProductType,
		Reward: t.Reward, Rewarded: yesNo(t.Rewarded), Rewardable: yesNo(t.Rewardable), MaybeSent: s.MaybeSent}
	return c.CreateTransaction(ctx, tx)
}

// yesNo is a yes-or-no cell as the client sends it: nil when not given.
func yesNo(f validate.Flag) *bool {
	if !f.Set {
		return nil
	}
	return &f.Value
}

func (transactions) Made(*partnero.Client, *report.Line)   {}
func (transactions) Known(*report.Line) partnero.Referring { return partnero.Referring{} }
func (transactions) Needs(rec *input.Record) (report.Kind, []string) {
	return report.Customers, refNames("", rec.Fields.CustomerKey, validate.NormalEmail(rec.Fields.CustomerEmail))
}
func (transactions) Names(rec *input.Record) []string { return refNames("", rec.Fields.Key, "") }

func (transactions) Undo(ctx context.Context, c *partnero.Client, l *report.Line, how partnero.Undoing, _ string) partnero.Outcome {
	return c.UndoTransaction(ctx, l.Key, l.Amount, how)
}

// Answered says on a transaction's line that one with its key was there:
// nothing was sent, so no second commission (the client's message, when
// it gives one, says so with the amount found).
func (transactions) Answered(line *report.Line, _ *input.Record, o *partnero.Outcome, _ bool) {
	if line.Reason == report.AlreadyExists && o.Said != partnero.Found {
		line.Message = join("a transaction with this key is already in Partnero: not sent again (never a second commission)", line.Message)
	}
}

func (transactions) Plan(_ string, now time.Time) validate.Planner {
	return validate.NewTransactionPlan(now)
}
