package partnero

// What an import would do with a row, told by reads alone (validate
// --against): whether a partner has its email already (and is archived),
// whether its id or key is another partner's, whether its referrer outside
// the file exists. Nothing here sends anything but GET. Where a read cannot
// tell (no search on the server, a key that shows only in links), the
// answer says so rather than guess.

import (
	"context"
	"errors"
	"net/url"
	"path"
	"strings"
)

// Foreseen is what a read says an import would do with a row.
type Foreseen string

const (
	WouldCreate     Foreseen = "new"
	AlreadyThere    Foreseen = "already_there"
	IDTaken         Foreseen = "id_taken"
	KeyTaken        Foreseen = "key_taken"
	ReferrerMissing Foreseen = "referrer_not_found"
)

// maxKeyCandidates bounds the partners read one by one to see whether one
// holds a key: a search by key matches partially, and only a partner's
// own referral link shows its key.
const maxKeyCandidates = 20

// PreferWalk makes email lookups read the whole list of partners once (the
// index) instead of searching row by row: cheaper when many rows are asked
// about.
func (c *Client) PreferWalk() { c.preferWalk.Store(true) }

// Foresee tells, by reads only, what an import would report for p: the
// outcome's Foreseen, and what the server would say: Clear when the row
// would be created (or, with update, updated), else the refusal (a Clash,
// NoReferrer). Notes on what could not be told are in the
// message.
func (c *Client) Foresee(ctx context.Context, p *Partner, invite, update bool) Outcome {
	out := Outcome{Verdict: Verdict{Said: Clear}}
	f, v, err := c.lookupEmail(ctx, p.Email)
	switch {
	case v == lookupFound:
		return c.alreadyThere(f, update)
	case v == lookupUnknown:
		out.Message = "whether a partner already has this email cannot be told (" + c.clean(err.Error(), p) + ")"
	}
	if update && v == lookupAbsent {
		out.Message = "not in Partnero: import would create it"
	}
	if invite {
		out.Foreseen = WouldCreate // an invite carries no id, key or referrer
		return out
	}
	var notes []string
	if p.ID != "" {
		got, err := c.byID(ctx, p.ID, p.Email)
		switch {
		case err != nil:
			notes = append(notes, "whether the id "+p.ID+" is taken cannot be told ("+c.clean(err.Error(), p)+")")
		case got.ID != "" && !sameEmail(got.Email, p.Email):
			out.Foreseen = IDTaken
			out.Verdict = Verdict{Said: Clash, Field: "id",
				Message: "a partner with another email already has the id " + p.ID}
			return out
		}
	}
	if p.Key != "" {
		taken, err := c.keyHolder(ctx, p.Key)
		switch {
		case err != nil:
			notes = append(notes, "whether the key is taken cannot be told: "+c.clean(err.Error(), p))
		case taken.ID != "":
			out.Foreseen = KeyTaken
			out.Verdict = Verdict{Said: Clash, Field: "key",
				Message: "the key " + p.Key + " is already the key of another partner (id " + taken.ID + ")"}
			return out
		}
	}
	if r := p.Referring; r != (Referring{}) {
		found, err := c.referrer(ctx, r)
		switch {
		case err != nil:
			notes = append(notes, "whether the referring partner exists cannot be told: "+c.clean(err.Error(), p))
		case !found:
			out.Foreseen = ReferrerMissing
			out.Verdict = Verdict{Said: NoReferrer,
				Message: "no partner in Partnero is the referring partner (" + referringName(r) + ")"}
			return out
		}
	}
	out.Foreseen = WouldCreate
	if out.Message != "" {
		notes = append([]string{out.Message}, notes...)
	}
	out.Message = strings.Join(notes, "; ")
	return out
}

// alreadyThere is the outcome for a row whose email a partner has: under
// update, the update import would make; else the clash import would meet.
func (c *Client) alreadyThere(f partner, update bool) Outcome {
	out := Outcome{Foreseen: AlreadyThere, PartnerID: f.ID, Archived: isStatus(f, "archived"), Verdict: Verdict{Said: Clear}}
	state := ""
	if out.Archived {
		state = ", archived (an import does not restore it)"
	}
	if update {
		out.Message = "already in Partnero (id " + f.ID + state + "): import --update-existing would update its name, surname and tags where they differ"
		return out
	}
	out.Verdict = Verdict{Said: Clash, Field: "email",
		Message: "a partner with this email is already in Partnero (id " + f.ID + state + ")"}
	return out
}

// lookupEmail finds the partner with this email: in the index when many
// rows are asked about, else as a lost answer's lookup does.
func (c *Client) lookupEmail(ctx context.Context, email string) (partner, lookupVerdict, error) {
	if !c.preferWalk.Load() {
		return c.lookup(ctx, &Partner{Email: email}, true)
	}
	wctx, cancel := context.WithTimeout(ctx, walkBudget)
	defer cancel()
	return c.fromIndex(wctx, email, true)
}

// referrer tells whether the partner r names exists, by whichever of id,
// key and email it gives (the first that tells).
func (c *Client) referrer(ctx context.Context, r Referring) (bool, error) {
	var errs []error
	if r.ID != "" {
		f, err := c.byID(ctx, r.ID, "")
		if err == nil {
			return f.ID != "", nil
		}
		errs = append(errs, err)
	}
	if r.Key != "" {
		f, err := c.keyHolder(ctx, r.Key)
		if err == nil {
			return f.ID != "", nil
		}
		errs = append(errs, err)
	}
	if r.Email != "" {
		_, v, err := c.lookupEmail(ctx, r.Email)
		if v != lookupUnknown {
			return v == lookupFound, nil
		}
		errs = append(errs, err)
	}
	return false, errors.Join(errs...)
}

// keyHolder finds the partner whose key is key: the search by key matches
// partially and its items carry no link, so each candidate is read by its
// id and its referral link's key compared exactly. The zero partner when
// none holds it; an error when it cannot be told.
func (c *Client) keyHolder(ctx context.Context, key string) (partner, error) {
	if c.noSearch.Load() {
		return partner{}, errors.New("the server has no search, and a key shows only inside a partner's referral link")
	}
	var candidates []partner
	complete, err := c.eachPage(ctx, c.endpoint("/partners:search", url.Values{"key": {key}}), maxLookupPages, func(f partner) bool {
		candidates = append(candidates, f)
		return len(candidates) > maxKeyCandidates
	})
	var missing *noEndpoint
	switch {
	case errors.As(err, &missing) && !strings.Contains(strings.ToLower(missing.message), "partner"):
		c.noSearch.Store(true)
		return partner{}, errors.New("the server has no search, and a key shows only inside a partner's referral link")
	case err != nil:
		return partner{}, err
	case len(candidates) > maxKeyCandidates || !complete:
		return partner{}, errors.New("the search by key matches too many partners to read each one's link")
	}
	for _, f := range candidates {
		link := f.Link
		if link == "" && f.ID != "" {
			got, err := c.byID(ctx, f.ID, f.Email)
			if err != nil {
				return partner{}, err
			}
			link = got.Link
		}
		if linkHasKey(link, key) {
			return f, nil
		}
		if link == "" {
			return partner{}, errors.New("a partner the search by key found (id " + f.ID + ") shows no referral link to compare")
		}
	}
	return partner{}, nil
}

// linkHasKey reports whether a referral link carries key exactly: as a
// query parameter's value (?aff=KEY; the name is the program's) or as the
// path's last segment.
func linkHasKey(link, key string) bool {
	u, err := url.Parse(link)
	if err != nil || link == "" {
		return false
	}
	for _, vs := range u.Query() {
		for _, v := range vs {
			if v == key {
				return true
			}
		}
	}
	return path.Base(u.Path) == key
}

func referringName(r Referring) string {
	var parts []string
	for _, kv := range [][2]string{{"id", r.ID}, {"key", r.Key}, {"email", r.Email}} {
		if kv[1] != "" {
			parts = append(parts, kv[0]+" "+kv[1])
		}
	}
	return strings.Join(parts, ", ")
}
