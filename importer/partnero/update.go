package partnero

// --update-existing: a row whose email is already in Partnero updates that
// partner instead of being refused.

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"

	"golang.org/x/text/unicode/norm"
)

// upserts counts, for the rows of an --update-existing run, how many found
// their partner already there, to choose the cheaper way for the next.
type upserts struct{ existing, fresh atomic.Int64 }

// searchFirst reports whether a row should look its partner up before
// creating it. Creating first costs a new partner one request, an existing
// one three (the refused create, the search, the update); searching first
// costs two either way. So a run searches first once most of its rows,
// after the first few, turned out to exist, and only where the server has
// the search endpoint (walking the list costs more).
func (u *upserts) searchFirst(c *Client) bool {
	e, f := u.existing.Load(), u.fresh.Load()
	return e+f >= 8 && e > f && !c.noSearch.Load()
}

// Upsert creates (or invites) the row's partner or, when a partner with its
// email is already in Partnero, updates that partner's name, surname and
// tags with the row's non-empty ones: never its email, key or password (a
// key change breaks its referral links, a password change locks it out).
// The outcome says Done for a partner created or invited, Updated, or
// Unchanged when the partner already holds the row's values.
func (c *Client) Upsert(ctx context.Context, p *Partner, invite bool) Outcome {
	q := *p
	if invite {
		q.ID, q.Key = "", "" // the server's own: look up by email alone
	}
	if c.ups.searchFirst(c) {
		f, verdict, _ := c.find(ctx, &q)
		switch {
		case verdict == lookupFound && q.MaybeSent && !invite && c.ours(ctx, f, &q) == mine:
			// An earlier run of this job made it (its answer lost). A row
			// no run has sent cannot be the job's: no read is spent on it.
			return Outcome{PartnerID: f.ID, ReferralLink: c.linkOf(ctx, f, &q), Archived: isStatus(f, "archived"), Verdict: Verdict{Said: Done, Message: withArchived(reconciled(&q), f)}}
		case verdict == lookupFound && q.MaybeSent && !invite:
			// Maybe made by an earlier run's lost attempt: updated either
			// way, and said so.
			c.ups.existing.Add(1)
			up := c.update(ctx, &q, f, Outcome{})
			up.Message = "a partner with this email was found, maybe made by an earlier run's own attempt at this row; " + up.Message
			return up
		case verdict == lookupFound:
			c.ups.existing.Add(1)
			return c.update(ctx, &q, f, Outcome{})
		}
		// Not there, or the lookup could not tell: create, and a refusal
		// of the email leads to the update below.
	}
	var out Outcome
	if invite {
		out = c.Invite(ctx, p)
	} else {
		out = c.Create(ctx, p)
	}
	if out.Unproven != "" && out.there != nil {
		// A lost answer, then a partner with this email that cannot be
		// shown to be this job's: either way it exists, and the row's
		// values are what it should hold.
		up := c.update(ctx, &q, *out.there, out)
		up.Message = "after a lost answer a partner with this email was found, maybe made by this row's own attempt; " + up.Message
		return up
	}
	if !out.emailTaken() {
		if out.Said == Done {
			c.ups.fresh.Add(1)
		}
		return out
	}
	c.ups.existing.Add(1)
	if out.there != nil {
		return c.update(ctx, &q, *out.there, out)
	}
	f, verdict, err := c.find(ctx, &q)
	switch {
	case verdict == lookupFound:
		return c.update(ctx, &q, f, out)
	case err != nil:
		out.Message += "; it cannot be updated: the lookup for its id failed (" + c.clean(err.Error(), p) + ")"
	default:
		out.Message += "; it cannot be updated: a lookup did not find the partner the server says exists"
	}
	return out
}

// update sends the row's changes to the partner f, after the requests in
// prior (a refused create). A partner that already holds the row's values
// is left as it is, with no write: a PUT fires Partnero's partner.updated
// webhook even when it changes nothing. List answers carry no tags (and
// may carry no names), so when f does not show what the row would change,
// the partner is read first (GET /partners/{id}, a lookup, not an attempt).
// An archived partner is updated like any other and stays archived (an
// update does not restore it): the row's message says so, whatever its
// outcome.
func (c *Client) update(ctx context.Context, p *Partner, f partner, prior Outcome) (out Outcome) {
	defer func() {
		if isStatus(f, "archived") { // f as last read
			out.Message += "; it is archived and stays archived: an update does not restore it"
			out.Archived = true
		}
	}()
	out = Outcome{Attempts: prior.Attempts, HTTPStatus: prior.HTTPStatus, PartnerID: f.ID, ReferralLink: f.Link}
	change := map[string]any{}
	putText(change, "name", p.Name)
	putText(change, "surname", p.Surname)
	if len(p.Tags) > 0 {
		change["tags"] = keepMarks(p.Tags, f)
	}
	if f.ID != "" && len(change) > 0 && !shows(f, change) {
		if read, err := c.byID(ctx, f.ID, p.Email); err == nil && read.ID == f.ID && shows(read, change) {
			f.Name, f.Surname, f.named, f.Tags, f.tagged = read.Name, read.Surname, read.named, read.Tags, read.tagged
			f.Status = cmp.Or(read.Status, f.Status)
		} // else the update is sent, as it would be without the read
	}
	if len(change) == 0 || (shows(f, change) && holds(f, p) && holdsTags(f, keepMarks(p.Tags, f))) {
		out.Verdict = Verdict{Said: Unchanged,
			Message: "a partner with this email is already in Partnero with the row's values: nothing to change"}
		return out
	}
	if f.ID == "" {
		out.Verdict = Verdict{Said: ServerFault,
			Message: "a partner with this email is already in Partnero, but its id could not be read: it cannot be updated"}
		return out
	}
	payload, err := json.Marshal(map[string]any{"update": change})
	if err != nil {
		out.Verdict = Verdict{Said: Lost, Message: "cannot encode the request"}
		return out
	}
	put, answer, ambiguous := c.exchange(ctx, request{method: http.MethodPut, path: "/partners/" + url.PathEscape(f.ID), payload: payload}, p, false)
	out.Attempts += put.Attempts
	if put.Attempts > 0 {
		out.HTTPStatus = put.HTTPStatus
	}
	fields := changed(change, f)
	switch {
	case put.Attempts == 0:
		out.Verdict = Verdict{Said: Stopped,
			Message: "a partner with this email is already in Partnero; the run stopped before it was updated"}
	case put.Said == Done:
		out.Verdict = Verdict{Said: Updated, Message: "the partner was already in Partnero: updated its " + fields}
		v, _ := decode(answer)
		got, found := partnerIn(v, p.Email)
		if found && got.Link != "" {
			out.ReferralLink = got.Link
		}
		if found && shows(got, change) && !applied(got, change) {
			// The answer shows the partner without the change: a server
			// that applied part of it, or none. Reading it settles which.
			return c.settleUpdate(ctx, p, f.ID, change, out)
		}
	case ambiguous:
		out.Verdict = put.Verdict
		return c.settleUpdate(ctx, p, f.ID, change, out)
	case put.HTTPStatus == http.StatusNotFound:
		// Not a wrong address (the preflight proved it): the partner went.
		out.Verdict = Verdict{Said: Gone,
			Message: "the partner with this email was deleted before it could be updated: " + put.Message}
	default:
		out.Verdict = put.Verdict
		out.Message = "the partner was already in Partnero; its update was refused: " + put.Message
	}
	return out
}

// keepMarks is a row's tags plus the import marks the partner shows: the
// tags sent replace the partner's, and a mark removed would leave the
// import that made the partner unable to show it (its rollback would pass
// it by).
func keepMarks(tags []string, f partner) []string {
	out := slices.Clone(tags)
	for _, t := range f.Tags {
		if IsMark(t) && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// holds reports whether f already has p's non-empty name and surname, as
// written: a row that only fixes a name's case changes it.
func holds(f partner, p *Partner) bool {
	return (p.Name == "" || sameWords(f.Name, p.Name)) && (p.Surname == "" || sameWords(f.Surname, p.Surname))
}

// holdsTags reports whether f already has exactly the row's tags (in any
// order); a row without tags changes none.
func holdsTags(f partner, tags []string) bool {
	if len(tags) == 0 {
		return true
	}
	want, got := slices.Clone(tags), slices.Clone(f.Tags)
	slices.Sort(want)
	slices.Sort(got)
	return f.tagged && slices.Equal(slices.Compact(want), slices.Compact(got))
}

// sameWords compares two names, runs of white space aside.
func sameWords(a, b string) bool {
	return strings.Join(strings.Fields(a), " ") == strings.Join(strings.Fields(b), " ")
}

// changed names, for the message, the fields an update changes: those the
// partner did not hold already, as far as it showed them.
func changed(change map[string]any, f partner) string {
	var names []string
	for _, k := range []string{"name", "surname", "tags"} {
		v, ok := change[k]
		switch {
		case !ok:
		case k == "name" && f.named && sameWords(f.Name, v.(string)):
		case k == "surname" && f.named && sameWords(f.Surname, v.(string)):
		default:
			names = append(names, k)
		}
	}
	return strings.Join(names, ", ")
}

// shows reports whether an answer's partner has the fields a change sets,
// so that it can be compared with them.
func shows(f partner, change map[string]any) bool {
	_, names := change["name"]
	_, surnames := change["surname"]
	_, tags := change["tags"]
	return (f.named || !names && !surnames) && (f.tagged || !tags)
}

// settleUpdate decides an update whose answer was lost, or showed the
// partner without the change, as a create's is decided: it reads the
// partner, and if it holds what was sent, the update was made.
func (c *Client) settleUpdate(ctx context.Context, p *Partner, id string, change map[string]any, out Outcome) Outcome {
	f, err := c.byID(ctx, id, p.Email)
	switch {
	case err == nil && f.ID != "" && applied(f, change):
		if out.Said != Updated {
			out.Verdict = Verdict{Said: Updated, Message: "reconciled: an earlier attempt had updated the partner; reading it showed the change"}
		}
	case err != nil:
		out.Verdict = Verdict{Said: Lost, Message: out.Message +
			"; an attempt may have updated the partner and reading it failed (" + c.clean(err.Error(), p) + "): run again to check"}
	case out.Said == Updated:
		// A 2xx, and yet the partner does not hold the change.
		out.Verdict = Verdict{Said: ServerFault,
			Message: fmt.Sprintf("the partner was already in Partnero; its update was answered %d, but reading the partner showed the update was not made, or only in part", out.HTTPStatus)}
	default:
		out.Verdict = Verdict{Said: ServerFault, Message: out.Message +
			"; reading the partner showed the update was not made, or only in part"}
	}
	return out
}

// sameText compares names as a server may have kept them: case, runs of
// white space and Unicode's forms (é composed or not) aside.
func sameText(a, b string) bool {
	return strings.EqualFold(strings.Join(strings.Fields(norm.NFKC.String(a)), " "), strings.Join(strings.Fields(norm.NFKC.String(b)), " "))
}

// applied reports whether f holds every value of change.
func applied(f partner, change map[string]any) bool {
	for k, v := range change {
		switch k {
		case "name":
			if !f.named || !sameText(f.Name, v.(string)) {
				return false
			}
		case "surname":
			if !f.named || !sameText(f.Surname, v.(string)) {
				return false
			}
		case "tags":
			want := slices.Clone(v.([]string))
			got := slices.Clone(f.Tags)
			slices.Sort(want)
			slices.Sort(got)
			if !f.tagged || !slices.Equal(want, got) {
				return false
			}
		}
	}
	return true
}
