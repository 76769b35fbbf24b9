package importer

import (
	"context"
	"time"

	"github.com/partnero-import/partnero-import/importer/input"
	"github.com/partnero-import/partnero-import/importer/partnero"
	"github.com/partnero-import/partnero-import/report"
	"github.com/partnero-import/partnero-import/validate"
)

// Customers is the customers kind: a row is a customer a partner referred,
// known in the report by its key (its id in the old platform), sent as
// POST /customers with its partner, which may be a row of the run's
// partners file.
var Customers Kind = customers{}

type customers struct{}

func (customers) Name() report.Kind { return report.Customers }

func (customers) Line(rec *input.Record, action string) report.Line {
	f := &rec.Fields
	return report.Line{Row: rec.Row, Line: rec.Line, Key: f.Key, Email: f.Email, Partner: firstOf(f.PartnerKey, f.PartnerID, f.PartnerEmail), Action: action}
}

func (customers) Secrets(*partnero.Client, *input.Record) {} // a customer has no password

func (customers) Send(ctx context.Context, c *partnero.Client, rec *input.Record, s Sending) partnero.Outcome {
	f := &rec.Fields
	cu := &partnero.Customer{Key: f.Key, Email: validate.NormalEmail(f.Email), Name: f.Name, Surname: f.Surname, Tags: f.Tags,
		Partner:   partnero.Referring{ID: f.PartnerID, Key: f.PartnerKey, Email: validate.NormalEmail(f.PartnerEmail)},
		MaybeSent: s.MaybeSent}
	switch {
	case s.Update:
		return c.UpsertCustomer(ctx, cu)
	case s.SkipExisting:
		return c.SkipExistingCustomer(ctx, cu)
	}
	return c.CreateCustomer(ctx, cu)
}

func (customers) Made(*partnero.Client, *report.Line)   {}
func (customers) Known(*report.Line) partnero.Referring { return partnero.Referring{} }
func (customers) Needs(rec *input.Record) (report.Kind, []string) {
	f := &rec.Fields
	return report.Partners, refNames(f.PartnerID, f.PartnerKey, validate.NormalEmail(f.PartnerEmail))
}

// Names are how a transaction names its customer: by key or email.
func (customers) Names(rec *input.Record) []string {
	return refNames("", rec.Fields.Key, validate.NormalEmail(rec.Fields.Email))
}

func (customers) Undo(ctx context.Context, c *partnero.Client, l *report.Line, how partnero.Undoing, mark string) partnero.Outcome {
	return c.UndoCustomer(ctx, l.Key, l.Email, mark, how)
}

// firstOf is the first of texts that is not empty.
func firstOf(texts ...string) string {
	for _, t := range texts {
		if t != "" {
			return t
		}
	}
	return ""
}

// Answered says on a customer's line that one with its key was there.
func (customers) Answered(line *report.Line, _ *input.Record, o *partnero.Outcome, _ bool) {
	switch {
	case line.Reason == report.AlreadyExists && o.Unproven != "":
		line.Message = "a customer with this key is in Partnero; it may be the one this row's lost attempt made: " + line.Message
	case line.Reason == report.AlreadyExists:
		line.Message = join("a customer with this key is already in Partnero", line.Message)
	}
}

func (customers) Plan(string, time.Time) validate.Planner { return validate.NewCustomerPlan() }
