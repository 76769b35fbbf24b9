package partnero

// Undoing what an import created, for rollback: archive (reversible) or
// delete (for good) one partner, after reading it.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/partnero-import/partnero-import/report"
)

// Made is a partner an import reported created: what rollback knows of it.
type Made struct {
	ID, Email, Link string
	// Mark is the import's mark (its provenance's), "" for an import that
	// set none: a partner of that id that shows tags without it is not the
	// one the import made.
	Mark string
}

// Undo archives the partner an import made, or deletes it with del. It
// reads the partner first, and leaves it alone (Skipped/Changed) when it is
// not known to be the one the import made: its email is not the report's or
// cannot be read, its referral link is another, or it shows tags without
// the import's mark. A partner already gone (deleted, or not found by id nor by
// its email), or already archived when archiving, counts as undone
// (Skipped/AlreadyGone). Otherwise the Status is Archived or Deleted, or
// Failed. Attempts counts the archive or delete requests; the reads are
// lookups.
func (c *Client) Undo(ctx context.Context, m Made, del bool) Outcome {
	verb, done := "archive", report.Archived
	p := &Partner{Email: m.Email}
	f, gone, err := c.read(ctx, m)
	// The partner's own id: a report shows one holding control characters
	// escaped, and read found it by its email.
	r := request{method: http.MethodPost, path: "/partners/" + url.PathEscape(f.ID) + "/archive"}
	if del {
		verb, done = "delete", report.Deleted
		r = request{method: http.MethodDelete, path: "/partners/" + url.PathEscape(f.ID)}
	}
	switch {
	case ctx.Err() != nil && err != nil:
		return Outcome{Verdict: Verdict{Status: report.Skipped, Reason: report.Aborted, Message: "the run stopped before this partner was undone"}}
	case err != nil:
		reason := report.NetworkError
		var unreachable *noEndpoint
		if errors.As(err, &unreachable) {
			reason = report.BadRequest
		}
		return Outcome{Verdict: Verdict{Status: report.Failed, Reason: reason, Message: "cannot read the partner: " + c.clean(err.Error(), p)}}
	case gone:
		return Outcome{Verdict: Verdict{Status: report.Skipped, Reason: report.AlreadyGone, Message: "the partner is not in Partnero any more"}}
	}
	if why := c.notMade(f, m); why != "" {
		return Outcome{Verdict: Verdict{Status: report.Skipped, Reason: report.Changed, Message: why + ": left alone"}}
	}
	if isStatus(f, "deleted") || (!del && isStatus(f, "archived")) {
		return Outcome{Verdict: Verdict{Status: report.Skipped, Reason: report.AlreadyGone, Message: "the partner is already " + f.Status}}
	}
	out, _, ambiguous := c.exchange(ctx, r, p, false)
	switch {
	case out.Attempts == 0:
		out.Message = "the run stopped before this partner was undone"
	case out.Status == "":
		out.Verdict = Verdict{Status: done, Message: verb + "d"}
	case ambiguous || out.HTTPStatus == http.StatusBadRequest || out.HTTPStatus == http.StatusNotFound || out.HTTPStatus == http.StatusGone:
		// A lost answer, "Action failed" (archived already, maybe by that
		// lost attempt), or not found: the partner itself says what
		// happened.
		return c.settleUndo(ctx, m, del, ambiguous, out)
	default:
		out.Verdict = failedUndo(out.Verdict)
	}
	return out
}

// read reads the partner; gone when it is not found by its id and a lookup
// of its email does not find it either (a server may not route every id:
// one with a slash, say). Found by email under the same id, it is there but
// cannot be reached: an error.
func (c *Client) read(ctx context.Context, m Made) (f partner, gone bool, err error) {
	f, err = c.byID(ctx, m.ID, m.Email)
	if err != nil || f.ID != "" {
		return f, false, err
	}
	byEmail, verdict, err := c.find(ctx, &Partner{Email: m.Email})
	switch {
	case verdict == lookupUnknown:
		return f, false, err
	case verdict == lookupFound && byEmail.ID == m.ID:
		return f, false, &noEndpoint{status: http.StatusNotFound, path: "/partners/" + m.ID,
			message: "the partner is in Partnero, but reading it by its id answers not found: it cannot be undone through /partners/{id}"}
	case verdict == lookupFound && byEmail.ID != "" && report.Printable(byEmail.ID) == m.ID:
		// Its id holds control characters, which the report shows
		// escaped: the partner is there, under its own id.
		real := m
		real.ID = byEmail.ID
		return c.read(ctx, real)
	case verdict == lookupFound && byEmail.ID != "":
		// Not under the report's id, but a partner has its email: the one
		// made under another id (a server whose answer gave a wrong id)
		// if it carries the import's mark; else another's, and the one
		// made is gone. Without a mark to tell, it cannot be told.
		other, err := c.byID(ctx, byEmail.ID, m.Email)
		switch {
		case err != nil:
			return partner{}, false, err
		case m.Mark == "":
			return partner{}, false, fmt.Errorf("no partner has the report's id %s, but one has its email (id %s): whether the import made it cannot be told; check it in Partnero", m.ID, byEmail.ID)
		case other.ID != "" && other.tagged && hasMark(other.Tags, m.Mark) && sameEmail(other.Email, m.Email):
			real := m
			real.ID = other.ID
			return c.read(ctx, real)
		}
	}
	// Absent, or its email now another's partner: the one made is gone.
	return partner{}, true, nil
}

// notMade says why the partner read is not known to be the one the import
// made, or "" when it is.
func (c *Client) notMade(f partner, m Made) string {
	switch {
	case f.Email == "":
		return "the partner's email could not be read, so it is not known to be the imported one"
	case !sameEmail(f.Email, m.Email):
		return "the partner's email is now " + f.Email + ", not the report's"
	case m.Link != "" && f.Link != "" && f.Link != m.Link:
		return "the partner's referral link is now " + f.Link + ", not the report's: another partner of this id"
	case m.Mark != "" && f.tagged && !hasMark(f.Tags, m.Mark):
		return "the partner does not carry the import's mark (tag " + m.Mark + "): not known to be the one it made"
	}
	return ""
}

func isStatus(f partner, status string) bool { return strings.EqualFold(f.Status, status) }

// failedUndo is a refusal of an archive or delete: rollback's rows are
// undone, skipped or failed, never rejected.
func failedUndo(v Verdict) Verdict {
	if v.Status == report.Rejected {
		v.Status = report.Failed
	}
	return v
}

// settleUndo reads the partner after an archive or delete whose answer did
// not say it was done.
func (c *Client) settleUndo(ctx context.Context, m Made, del, ambiguous bool, out Outcome) Outcome {
	f, gone, err := c.read(ctx, m)
	undone := gone || isStatus(f, "deleted") || (!del && isStatus(f, "archived"))
	// A 404 here is about this partner (it was just read at this address),
	// not a wrong base URL: it does not stop the run.
	out.Fatal = out.Fatal && out.HTTPStatus != http.StatusNotFound && out.HTTPStatus != http.StatusGone
	switch {
	case err != nil:
		out.Verdict = failedUndo(out.Verdict)
		out.Message += "; reading the partner failed, so it may be undone or not: run rollback again to check"
	case undone && ambiguous:
		status := report.Archived
		if del {
			status = report.Deleted
		}
		out.Verdict = Verdict{Status: status, Message: "reconciled: an earlier attempt had done it; reading the partner showed it"}
	case undone:
		out.Verdict = Verdict{Status: report.Skipped, Reason: report.AlreadyGone, Message: "the partner was archived or deleted meanwhile"}
	default:
		out.Verdict = failedUndo(out.Verdict)
		// A 404 about a partner just read at its address is no wrong
		// base URL: the advice would mislead.
		out.Message = strings.TrimPrefix(out.Message, noEndpointAdvice) + "; reading the partner showed it is still there"
	}
	return out
}
