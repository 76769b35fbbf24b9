package importer

import (
	"context"
	"strings"
	"time"

	"github.com/partnero-import/partnero-import/importer/input"
	"github.com/partnero-import/partnero-import/importer/partnero"
	"github.com/partnero-import/partnero-import/report"
	"github.com/partnero-import/partnero-import/validate"
)

// Partners is the partners kind: a row is a partner, known in the report
// by its email (and, once made, its id and referral link), sent as
// POST /partners or /partners:invite, waiting for its referring partner
// when that is another row of the file. Its columns are importer/input's
// and its checks validate's.
var Partners Kind = partners{}

type partners struct{}

func (partners) Name() report.Kind { return report.Partners }

func (partners) Line(rec *input.Record, action string) report.Line {
	return report.Line{Row: rec.Row, Line: rec.Line, Email: rec.Email, Action: action}
}

func (partners) Secrets(c *partnero.Client, rec *input.Record) {
	c.NotePassword(rec.Fields.Password)
}

// Send makes one partner's call. Emails go in the form they were checked
// in (NFKC): a full-width address is sent as the plain one it stands for.
func (partners) Send(ctx context.Context, c *partnero.Client, rec *input.Record, s Sending) partnero.Outcome {
	f := &rec.Fields
	p := &partnero.Partner{
		ID: f.ID, Key: f.Key, Email: validate.NormalEmail(f.Email), Name: f.Name, Surname: f.Surname,
		Password: f.Password, Tags: f.Tags,
		Referring: partnero.Referring{ID: f.ReferringID, Key: f.ReferringKey, Email: validate.NormalEmail(f.ReferringEmail)},
		MaybeSent: s.MaybeSent, Unmarked: s.Unmarked,
	}
	if s.Waited != (partnero.Referring{}) {
		// Its referrer is a row of the file, now a partner in Partnero: the
		// file's id or key for it may not be Partnero's (a partner there
		// before under another id, updated).
		p.Referring = s.Waited
	}
	invite := s.Action == validate.Invite
	switch {
	case s.Foresee && s.WaitsInFile:
		// Its referrer is a row of the file that the import would make or
		// find first: nothing to look up in Partnero.
		p.Referring = partnero.Referring{}
		return c.Foresee(ctx, p, invite, s.Update)
	case s.Foresee:
		return c.Foresee(ctx, p, invite, s.Update)
	case s.Update:
		return c.Upsert(ctx, p, invite)
	case s.SkipExisting:
		return c.SkipExisting(ctx, p, invite)
	case invite:
		return c.Invite(ctx, p)
	}
	return c.Create(ctx, p)
}

func (partners) Made(c *partnero.Client, l *report.Line) {
	if l.PartnerID != "" {
		c.NoteMade(l.PartnerID, validate.NormalEmail(l.Email))
	}
}

// Known is a partner that succeeded as its referred rows name it: by its
// id, or where that is not known, by its email, which is.
func (partners) Known(l *report.Line) partnero.Referring {
	if l.PartnerID != "" {
		return partnero.Referring{ID: l.PartnerID}
	}
	return partnero.Referring{Email: validate.NormalEmail(l.Email)}
}

func (partners) Undo(ctx context.Context, c *partnero.Client, l *report.Line, how partnero.Undoing, mark string) partnero.Outcome {
	return c.Undo(ctx, partnero.Made{ID: l.PartnerID, Email: l.Email, Link: l.ReferralLink, Mark: mark}, how)
}

// A partner needs no record of an earlier file (its referrer is a row of
// the same file, or already in Partnero).
func (partners) Needs(*input.Record) (report.Kind, []string) { return "", nil }

// Names are how a customer names its partner: by id, key or email.
func (partners) Names(rec *input.Record) []string {
	return refNames(rec.Fields.ID, rec.Fields.Key, validate.NormalEmail(rec.Fields.Email))
}

// refNames are a record's names as a later file's rows give them, for the
// upstream sets: "id:…", "key:…", "email:…" (lower case), each when given.
func refNames(id, key, email string) []string {
	var names []string
	if id != "" {
		names = append(names, "id:"+id)
	}
	if key != "" {
		names = append(names, "key:"+key)
	}
	if email != "" {
		names = append(names, "email:"+strings.ToLower(email))
	}
	return names
}

// Answered shows on a partner's line what the answer told of it: its id
// and link, or the partner already there.
func (partners) Answered(line *report.Line, rec *input.Record, o *partnero.Outcome, foresee bool) {
	switch {
	case line.Reason == report.AlreadyExists && o.Unproven != "":
		// --skip-existing, after a lost answer: the partner found may be
		// the one this row made.
		line.PartnerID = o.Unproven
		line.Message = "a partner with this email is in Partnero (id " + o.Unproven + "); it may be the one this row's lost attempt made: " + line.Message
	case line.Reason == report.AlreadyExists:
		line.PartnerID = o.Existing()
		if !foresee { // the reads' message says so already
			line.Message = join("a partner with this email is already in Partnero", line.Message)
		}
	case report.Succeeded(line.Status, line.Reason):
		// Created, invited, updated or unchanged: the partner's id and link.
		line.PartnerID, line.ReferralLink = o.PartnerID, o.ReferralLink
	}
	line.Message = join(line.Message, inviteWarning(line.Action, rec.HasReferrer()))
}

func (partners) Plan(mode string, _ time.Time) validate.Planner { return validate.NewPlan(mode) }
