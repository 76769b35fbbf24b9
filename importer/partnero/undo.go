package partnero

// Undoing what an import created, for rollback: archive (reversible) or
// delete (for good) one partner, after reading it.

import (
	"context"
	"net/http"
	"net/url"

	"github.com/partnero-import/partnero-import/report"
)

// Undo archives the partner id, or deletes it with del. It reads the
// partner first and leaves it alone when its email is no longer email (or
// cannot be read): someone made it another partner since. A partner already
// gone, or already archived when archiving, counts as undone. The outcome's
// Status is Archived or Deleted when this call undid it, Skipped with
// Changed or AlreadyGone, or Failed/Rejected. Attempts counts the archive or
// delete requests; the reads are lookups.
func (c *Client) Undo(ctx context.Context, id, email string, del bool) Outcome {
	verb, done := "archive", report.Archived
	r := request{method: http.MethodPost, path: "/partners/" + url.PathEscape(id) + "/archive"}
	if del {
		verb, done = "delete", report.Deleted
		r = request{method: http.MethodDelete, path: "/partners/" + url.PathEscape(id)}
	}
	p := &Partner{Email: email}
	f, gone, err := c.read(ctx, id)
	switch {
	case ctx.Err() != nil && err != nil:
		return Outcome{Verdict: Verdict{Status: report.Skipped, Reason: report.Aborted, Message: "the run stopped before this partner was undone"}}
	case err != nil:
		return Outcome{Verdict: Verdict{Status: report.Failed, Reason: report.NetworkError, Message: "cannot read the partner: " + c.clean(err.Error(), p)}}
	case gone:
		return Outcome{Verdict: Verdict{Status: report.Skipped, Reason: report.AlreadyGone, Message: "the partner is not in Partnero any more"}}
	case f.Email == "":
		return Outcome{Verdict: Verdict{Status: report.Skipped, Reason: report.Changed, Message: "the partner's email could not be read, so it is not known to be the imported one: left alone"}}
	case !sameEmail(f.Email, email):
		return Outcome{Verdict: Verdict{Status: report.Skipped, Reason: report.Changed, Message: "the partner's email is now " + f.Email + ", not the report's: left alone"}}
	case !del && f.Status == "archived":
		return Outcome{Verdict: Verdict{Status: report.Skipped, Reason: report.AlreadyGone, Message: "the partner is already archived"}}
	}
	out, _, ambiguous := c.exchange(ctx, r, p, false)
	switch {
	case out.Attempts == 0:
		out.Message = "the run stopped before this partner was undone"
	case out.Status == "":
		out.Verdict = Verdict{Status: done, Message: verb + "d"}
	case out.HTTPStatus == http.StatusNotFound:
		// Not a wrong address (it was just read there): the partner went.
		out.Verdict = Verdict{Status: report.Skipped, Reason: report.AlreadyGone, Message: "the partner went before it could be " + verb + "d"}
	case ambiguous || out.HTTPStatus == http.StatusBadRequest:
		// A lost answer, or "Action failed" (archived already, maybe by
		// that lost attempt): the partner itself says what happened.
		return c.settleUndo(ctx, id, del, ambiguous, out)
	}
	return out
}

// read reads one partner; gone when there is none with that id.
func (c *Client) read(ctx context.Context, id string) (f partner, gone bool, err error) {
	f, err = c.byID(ctx, id)
	return f, err == nil && f.ID == "", err
}

// settleUndo reads the partner after an archive or delete whose answer did
// not say it was done.
func (c *Client) settleUndo(ctx context.Context, id string, del, ambiguous bool, out Outcome) Outcome {
	f, gone, err := c.read(ctx, id)
	undone := gone || (!del && f.Status == "archived")
	switch {
	case err != nil:
		out.Message += "; reading the partner failed, so it may be undone or not: run rollback again to check"
	case undone && ambiguous:
		status := report.Archived
		if del {
			status = report.Deleted
		}
		out.Verdict = Verdict{Status: status, Message: "reconciled: an earlier attempt had done it; reading the partner showed it"}
	case undone:
		out.Verdict = Verdict{Status: report.Skipped, Reason: report.AlreadyGone, Message: "the partner was archived or deleted meanwhile"}
	}
	return out
}
