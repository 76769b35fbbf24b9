package pull

import (
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
	keys     map[string]bool   // keys given to partners
}

func newCarried() carried {
	return carried{partners: map[string]Ref{}, emails: map[string]string{}, keys: map[string]bool{}}
}

// admitted tells whether a partner record (what: "affiliate") may be
// carried. One without an email is left out no_email; one whose email a
// carried partner has, in any case, is left out duplicate, and its
// customers go to that partner.
func (c *carried) admitted(out *Out, what, id, email string) (bool, error) {
	left := LeftOut{Kind: KindPartner, SourceID: id, Email: email}
	first := c.emails[strings.ToLower(email)]
	switch {
	case email == "":
		left.Reason, left.Message = NoEmail, "the "+what+" has no email; Partnero needs one"
	case first != "":
		c.partners[id] = c.partners[first]
		left.Reason, left.Message = Duplicate, "the same email as "+what+" "+first+", carried over; its customers go to that partner"
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

// claim gives key to the partner asking, unless an earlier one has it:
// Partnero keeps a key to one partner.
func (c *carried) claim(key string) bool {
	if c.keys[key] {
		return false
	}
	c.keys[key] = true
	return true
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
