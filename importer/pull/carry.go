package pull

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
)

// carried is what a pull knows of the partners it carried: later lists
// join to them by the source's id, and a second record of an email to the
// first.
type carried struct {
	partners map[string]Ref    // source id → the carried partner
	emails   map[string]string // a carried partner's email, lower-cased → its source id
	keys     map[string]string // a key given to a partner → its source id
	// notCarried are the source ids of partners left out, not joined to
	// another: a record referring to one has no partner to refer to.
	notCarried map[string]bool
}

func newCarried() carried {
	return carried{partners: map[string]Ref{}, emails: map[string]string{}, keys: map[string]string{}, notCarried: map[string]bool{}}
}

// admitted tells whether a partner record (what: "affiliate") may be
// carried. One without an email is left out no_email; one whose email a
// carried partner has, in any case, is left out duplicate, and its
// customers go to that partner.
func (c *carried) admitted(out *Out, what, id, email string) (bool, error) {
	left := LeftOut{Kind: KindPartner, SourceID: id, Email: email}
	// Seen, not non-empty: the first of an email may have had no id.
	first, seen := c.emails[strings.ToLower(email)]
	switch {
	case email == "":
		c.notCarried[id] = true
		left.Reason, left.Message = NoEmail, "the "+what+" has no email; Partnero needs one"
	case seen:
		c.partners[id] = c.partners[first]
		earlier := what + " " + first
		if first == "" {
			earlier = "an earlier " + what + " (without an id)"
		}
		left.Reason, left.Message = Duplicate, "the same email as "+earlier+", carried over; its customers go to that partner, its own links will not match in Partnero"
	default:
		return true, nil
	}
	return false, out.LeaveOut(left)
}

// carry notes p as the partner of source id: later records refer to it
// by its key, or by its email when it has none.
func (c *carried) carry(id string, p *Partner) {
	ref := Ref{Email: p.Email}
	if p.Key != "" {
		ref = Ref{Key: p.Key}
	}
	c.partners[id], c.emails[strings.ToLower(p.Email)] = ref, id
}

// claim gives key to the partner of source id, unless an earlier one has
// it (Partnero keeps a key to one partner) or Partnero would refuse it as
// a key: then the partner is carried without it, rather than refused at
// import with everyone it referred, its customers and its sales.
func (c *carried) claim(key, id string) bool {
	if _, taken := c.keys[key]; taken || !partneroKey(key) {
		return false
	}
	c.keys[key] = id
	return true
}

// OtherPartner: a sale whose referral brought a customer carried under
// another source partner's partner (an earlier referral's): carried, it
// would credit that partner with what this one earned.
const OtherPartner = "other_partner"

// paidOrNot says whether a commission was paid, for a message.
func paidOrNot(paid bool) string {
	if paid {
		return "paid"
	}
	return "not paid"
}

// otherPartner tells whether a sale's own partner (source id own) is
// carried as another partner than its customer's (source id customers'),
// or left out: carried under the customer, the sale would credit the
// customer's partner. It compares carried partners: two records of one
// email are one partner.
func (c *carried) otherPartner(own, customers string) bool {
	ref, ok := c.partners[own]
	// A partner left out (no email, never accepted) earned it too: not
	// the customer's partner's to be credited with.
	return own != "" && (c.notCarried[own] || ok && ref != c.partners[customers])
}

// maxKey is the longest key validate lets a partner's row send.
const maxKey = 64

// partneroKey reports whether Partnero takes key as a partner's key: ASCII
// letters, digits, - and _ (its referral links carry it), at most maxKey.
func partneroKey(key string) bool {
	return key != "" && len(key) <= maxKey && strings.IndexFunc(key, func(r rune) bool {
		return r != '-' && r != '_' && (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && (r < '0' || r > '9')
	}) < 0
}

// refusedStatuses are the statuses of a partner its source never
// accepted: Partnero's create takes no status, so carrying one would make
// it an active, approved partner.
var refusedStatuses = map[string]bool{"rejected": true, "blocked": true, "denied": true, "declined": true}

// StatusTagPrefix tags a partner carried with a status other than active
// at its source (status:pending).
const StatusTagPrefix = "status:"

// normalStatus is a source's status of a partner as the rules read it:
// lower-cased, "" when the source says it is active.
func normalStatus(status string) string {
	status = strings.ToLower(strings.TrimSpace(status))
	switch status {
	case "active", "accepted", "approved":
		return ""
	}
	return status
}

// accepted leaves out (inactive) a partner of source id whose status at
// the source says it was never accepted: its customers then have no
// partner. Any other status is the partner's to carry (withStatus).
func (c *carried) accepted(out *Out, what, id, email, status string) (bool, error) {
	status = normalStatus(status)
	if !refusedStatuses[status] {
		return true, nil
	}
	c.notCarried[id] = true
	return false, out.LeaveOut(LeftOut{Kind: KindPartner, SourceID: id, Email: email, Reason: Inactive,
		Message: fmt.Sprintf("the %s's status at %s is %s: it was never accepted there, so it is not made a partner", what, out.source, status)})
}

// withStatus tags p with its status when it is not active at the source
// (Partnero would make it an active partner without a sign) and counts it
// for the summary.
func withStatus(out *Out, p *Partner, status string) {
	if status = normalStatus(status); status != "" {
		p.Tags = append(p.Tags, StatusTagPrefix+status)
		out.Summary.notActive(status)
	}
}

// firstLink is a partner's first (or default) link as its source gave
// it: its id (its value when it has none), its value, the value as a key
// Partnero takes, and how an old link shows it ("?ref=ada").
type firstLink struct {
	id, value, asKey, shown string
}

// keptLink writes a line (kind link) for a partner's first link whose
// value is not the partner's key: its old links credit another partner
// (duplicate) or match none (key_changed). owner is the partner's source
// id, key the key it was given.
func (c *carried) keptLink(out *Out, owner, email string, l firstLink, key string) error {
	if l.value == "" || l.value == key {
		return nil
	}
	left := LeftOut{Kind: KindLink, SourceID: cmp.Or(l.id, l.value), Email: email}
	now := "it has no key in Partnero"
	if key != "" {
		now = "its key in Partnero is " + key
	}
	if holder, taken := c.keys[l.asKey]; taken && holder != owner {
		left.Reason, left.Message = Duplicate, fmt.Sprintf("old links %s of partner %s now credit partner %s, which has the key %s; %s",
			l.shown, owner, holder, l.asKey, now)
	} else {
		left.Reason, left.Message = KeyChanged, fmt.Sprintf("old links %s of partner %s will not match: %s, as Partnero takes keys", l.shown, owner, now)
	}
	return out.LeaveOut(left)
}

// leaver leaves out records of one kind and source id, each with its
// reason and a message.
func leaver(out *Out, left LeftOut) func(reason, format string, args ...any) error {
	return func(reason, format string, args ...any) error {
		left.Reason, left.Message = reason, fmt.Sprintf(format, args...)
		return out.LeaveOut(left)
	}
}

// withQuery is query (which may be nil) copied, to add a page's own.
func withQuery(query url.Values) url.Values {
	q := url.Values{}
	for k, v := range query {
		q[k] = v
	}
	return q
}

// paced is the source's published limit, its window the one the options
// ask for (tests: a fake's shorter one).
func (o Options) paced(l Limit) Limit {
	if o.Window > 0 {
		l.Window = o.Window
	}
	return l
}

// baseOr is the base URL the options name, else the source's own.
func (o Options) baseOr(own string) string {
	if o.BaseURL == "" {
		return own
	}
	return o.BaseURL
}

// listStep is one list a pull reads, and what it does with each record.
type listStep struct {
	path, what string
	query      url.Values
	each       func(json.RawMessage, *Out) error
}

// lister reads every page of a list, giving each record to each.
type lister func(ctx context.Context, path, what string, query url.Values, each func(json.RawMessage) error) error

// inTurn reads the lists of steps one after another, through list: each
// list refers to the ones before.
func inTurn(ctx context.Context, out *Out, list lister, steps []listStep) error {
	for _, s := range steps {
		err := list(ctx, s.path, s.what, s.query, func(raw json.RawMessage) error { return s.each(raw, out) })
		if err != nil {
			return err
		}
	}
	return nil
}
