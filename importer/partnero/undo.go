package partnero

// Undoing what an import created, for rollback: archive (reversible) or
// delete (for good) one partner, after reading it; and restoring what a
// rollback archived (rollback --restore).

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/partnero-import/partnero-import/printable"
)

// Made is a partner an import reported created: what rollback knows of it.
type Made struct {
	ID, Email, Link string
	// Mark is the import's mark (its provenance's), "" for an import that
	// set none: a partner of that id that shows tags without it is not the
	// one the import made.
	Mark string
}

// Undoing is what rollback does to a partner a job made.
type Undoing int

const (
	Archive Undoing = iota // reversible: POST /partners/{id}/archive
	Delete                 // for good: DELETE /partners/{id}
	// Restore revokes an archive (rollback --restore, after a rollback
	// that archived): POST /partners/{id}/revoke-archive.
	Restore
)

// Verb is the report's action for it: archive, delete or restore.
func (how Undoing) Verb() string { return [...]string{"archive", "delete", "restore"}[how] }

func (how Undoing) request(id string) request {
	return how.at("/partners/" + url.PathEscape(id))
}

// at is the request that does it to the record at path.
func (how Undoing) at(path string) request {
	switch how {
	case Delete:
		return request{method: http.MethodDelete, path: path}
	case Restore:
		return request{method: http.MethodPost, path: path + "/revoke-archive"}
	}
	return request{method: http.MethodPost, path: path + "/archive"}
}

// reached reports whether the partner read (or gone) is already as it
// would leave it. A restore needs the partner's status to say it is no
// longer archived: one that shows none is sent the request.
func (how Undoing) reached(f partner, gone bool) bool {
	deleted := gone || isStatus(f, "deleted")
	switch how {
	case Delete:
		return deleted
	case Restore:
		return !deleted && f.Status != "" && !isStatus(f, "archived")
	}
	return deleted || isStatus(f, "archived")
}

// Undo archives the partner an import made, deletes it, or restores it
// after an archive. It reads the partner first, and leaves it alone
// (NotOurs) when it is not known to be the one the import made: its email
// is not the report's or cannot be read, its referral link is another, or
// it does not show the import's mark. A partner not there is Gone; one
// already as it would leave it, Already (archived or deleted when
// archiving). Otherwise the outcome is Done, or what the server said
// against it. Attempts counts the archive, delete or restore requests; the
// reads are lookups.
func (c *Client) Undo(ctx context.Context, m Made, how Undoing) Outcome {
	p := &Partner{Email: m.Email}
	f, gone, err := c.read(ctx, m)
	switch {
	case ctx.Err() != nil && err != nil:
		return Outcome{Verdict: Verdict{Said: Stopped, Message: "the run stopped before this partner was undone"}}
	case err != nil:
		said := Lost
		var unreachable *noEndpoint
		if errors.As(err, &unreachable) {
			said = BadRequest
		}
		return Outcome{Verdict: Verdict{Said: said, Message: "cannot read the partner: " + c.clean(err.Error(), p)}}
	case gone && how == Restore:
		return Outcome{Verdict: cannotRestore()}
	case gone:
		return Outcome{Verdict: Verdict{Said: Gone, Message: "the partner is not in Partnero any more"}}
	}
	if why := c.notMade(f, m); why != "" {
		return Outcome{Verdict: Verdict{Said: NotOurs, Message: why + ": left alone"}}
	}
	switch {
	case how == Restore && isStatus(f, "deleted"):
		return Outcome{Verdict: cannotRestore()}
	case how == Restore && how.reached(f, false):
		return Outcome{Verdict: Verdict{Said: Already, Message: "the partner is already " + f.Status + ", not archived"}}
	case how.reached(f, false):
		return Outcome{Verdict: Verdict{Said: Already, Message: "the partner is already " + f.Status}}
	}
	// By the partner's own id: the report may show one escaped (control
	// characters) or another's (a server's wrong answer), and read found it
	// by its email.
	out, _, ambiguous := c.exchange(ctx, how.request(f.ID), p, false)
	switch {
	case out.Attempts == 0:
		out.Message = "the run stopped before this partner was undone"
	case out.Said == Done:
		out.Message = how.Verb() + "d"
	case ambiguous || out.HTTPStatus == http.StatusBadRequest || out.HTTPStatus == http.StatusNotFound || out.HTTPStatus == http.StatusGone:
		// A lost answer, "Action failed" (archived already, or not
		// archived, maybe by that lost attempt), or not found: the
		// partner itself says what happened.
		return c.settleUndo(ctx, m, how, ambiguous, out)
	}
	return out
}

// cannotRestore is a restore's verdict on a partner deleted: not done,
// and not to be done.
func cannotRestore() Verdict {
	return Verdict{Said: Gone, Message: "the partner is not in Partnero any more (deleted): it cannot be restored"}
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
	case verdict == lookupFound && byEmail.ID != "" && printable.String(byEmail.ID) == m.ID:
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
		case m.Mark == "" || !other.tagged:
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
	case m.Mark != "" && !f.tagged:
		// A server that shows no tags cannot show the mark: an id the
		// import's answer gave is not enough, as a server may answer a
		// create with the partner already there.
		return "the partner shows no tags, so it cannot be shown to carry the import's mark (tag " + m.Mark + ")"
	case m.Mark != "" && !hasMark(f.Tags, m.Mark):
		return "the partner does not carry the import's mark (tag " + m.Mark + "): not known to be the one it made"
	}
	return ""
}

func isStatus(f partner, status string) bool { return strings.EqualFold(f.Status, status) }

// settleUndo reads the partner after an archive, delete or restore whose
// answer did not say it was done.
func (c *Client) settleUndo(ctx context.Context, m Made, how Undoing, ambiguous bool, out Outcome) Outcome {
	f, gone, err := c.read(ctx, m)
	undone := how.reached(f, gone)
	// A 404 here is about this partner (it was just read at this address),
	// not a wrong base URL: it does not stop the run.
	out.Fatal = out.Fatal && out.HTTPStatus != http.StatusNotFound && out.HTTPStatus != http.StatusGone
	switch {
	case err != nil:
		out.Message += "; reading the partner failed, so it may be " + how.Verb() + "d or not: run rollback again to check"
	case undone && ambiguous:
		out.Verdict = Verdict{Said: Done, Message: "reconciled: an earlier attempt had done it; reading the partner showed it"}
	case undone && how == Restore:
		out.Verdict = Verdict{Said: Already, Message: "the partner was restored meanwhile"}
	case undone:
		out.Verdict = Verdict{Said: Already, Message: "the partner was archived or deleted meanwhile"}
	case how == Restore && (gone || isStatus(f, "deleted")):
		out.Verdict = cannotRestore()
	default:
		// A 404 about a partner just read at its address is no wrong
		// base URL: the advice would mislead.
		still := "still there"
		if how == Restore {
			still = "still archived"
		}
		out.Message = strings.TrimPrefix(out.Message, noEndpointAdvice) + "; reading the partner showed it is " + still
	}
	return out
}
