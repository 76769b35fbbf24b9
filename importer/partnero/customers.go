package partnero

// Customers: create, --skip-existing, --update-existing and undo, saying
// what the server said. A customer is named by its key (required and unique
// at Partnero), and read by it: GET /customers/{key}. Every create carries
// the job's mark as a tag, as a partner's does (mark.go), so that a
// customer found after a lost answer is the job's only when it carries it.

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
)

// Customer is what a customer's create sends.
type Customer struct {
	Key, Email, Name, Surname string
	Tags                      []string
	Partner                   Referring // the partner who referred them: id, key or email
	// MaybeSent says an earlier run may have sent this row already: any
	// refusal then leads to a lookup.
	MaybeSent bool
}

// customer is what the client reads of a customer object.
type customer struct {
	Key, Email, Status string
	Name, Surname      string
	named              bool // the answer has both name fields
	Tags               []string
	tagged             bool // the answer has a tags field
}

func customerOf(m object) customer {
	f := customer{Key: text(m["key"]), Email: text(m["email"]), Status: text(m["status"]), Name: text(m["name"]), Surname: text(m["surname"])}
	_, hasName := m["name"]
	_, hasSurname := m["surname"]
	f.named = hasName && hasSurname
	f.Tags, f.tagged = tagsOf(m["tags"])
	return f
}

// recordIn finds the object of the given key in an answer, at the
// shallowest level under its wrappers; failing that, the shallowest one
// without a key field that like(m) accepts (a server that leaves the key
// out of an answer).
func recordIn(body any, key string, like func(object) bool) (object, bool) {
	level := []any{body}
	var fallback object
	for depth := 0; depth < 4 && len(level) > 0; depth++ {
		var next []any
		for _, v := range level {
			m, ok := v.(object)
			if !ok {
				continue
			}
			k, hasKey := m["key"]
			if hasKey && text(k) == key {
				return m, true
			}
			if !hasKey && fallback == nil && like(m) {
				fallback = m
			}
			for _, w := range wrappers {
				if inner, ok := m[w]; ok {
					next = append(next, inner)
				}
			}
		}
		level = next
	}
	return fallback, fallback != nil
}

func customerLike(m object) bool {
	for _, k := range []string{"email", "name", "partner", "created_at"} {
		if _, ok := m[k]; ok {
			return true
		}
	}
	return false
}

// classifyCustomer is Classify for a customer's calls: a 400, 404 or 422
// about the partner (Partnero's 400 "Invalid partner key") is NoReferrer,
// not a wrong address.
func classifyCustomer(status int, body []byte) Verdict {
	v := Classify(status, body)
	if status >= 400 && status < 500 && v.Said != Clash && aboutMissing(body, "partner") {
		return Verdict{Said: NoReferrer, Message: strings.TrimPrefix(v.Message, noEndpointAdvice)}
	}
	return v
}

// aboutMissing reports an error answer that says a thing (partner,
// customer) is not there or not valid: a field of that name, or a message
// that names it, in missing words.
func aboutMissing(body []byte, thing string) bool {
	eb := parseErrorBody(body)
	for _, f := range eb.Fields {
		name := strings.ToLower(f.Field)
		if (name == thing || strings.HasPrefix(name, thing+".") || strings.HasPrefix(name, thing+"_")) && saysMissing(strings.ToLower(f.Text)) {
			return true
		}
	}
	m := strings.ToLower(eb.Message)
	return strings.Contains(m, thing) && saysMissing(m)
}

// customerMarks is what the run learns of whether the server keeps the
// tags of customers: read back, a customer this job made shows its mark.
type customerMarks struct {
	state atomic.Int32 // marksUnknown, marksKept or marksDropped
	mu    sync.Mutex
	made  string // the key of a customer this job made
	read  bool   // made has been read back
}

// CreateCustomer creates a customer (POST /customers), carrying the job's
// mark. After an attempt whose answer was lost the customer is read by its
// key: carrying the mark, it is the job's (Done); shown to be another's, the
// key is taken (Clash, Field "key"); otherwise neither can be told
// (ServerFault, Unproven the key).
func (c *Client) CreateCustomer(ctx context.Context, cu *Customer) Outcome {
	body := map[string]any{"key": cu.Key}
	putText(body, "email", cu.Email)
	putText(body, "name", cu.Name)
	putText(body, "surname", cu.Surname)
	if tags := c.tagsOfCreate(&Partner{Tags: cu.Tags}); len(tags) > 0 {
		body["tags"] = tags
	}
	if cu.Partner != (Referring{}) {
		body["partner"] = cu.Partner
	}
	payload, err := json.Marshal(body)
	if err != nil {
		return Outcome{Verdict: Verdict{Said: Invalid, Message: "cannot encode the request"}}
	}
	r := request{method: http.MethodPost, path: "/customers", payload: payload, classify: classifyCustomer,
		complete: func(b []byte) bool {
			v, _ := decode(b)
			_, ok := recordIn(v, cu.Key, customerLike)
			return ok
		}}
	out, _, ambiguous := c.exchange(ctx, r, &Partner{}, cu.MaybeSent)
	switch {
	case out.Attempts == 0:
		return out
	case out.Said == Done:
		c.noteCustomer(cu.Key)
		return out
	}
	return c.concludeCustomer(ctx, cu, out, ambiguous)
}

// noteCustomer keeps the first customer this job made, to read back when
// whether the server keeps the mark is needed.
func (c *Client) noteCustomer(key string) {
	m := &c.customerMarks
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.made == "" {
		m.made = key
	}
}

// keepsCustomerMarks reports whether the server is known to keep the mark
// on customers: the first customer this job made, read back once, shows it.
func (c *Client) keepsCustomerMarks(ctx context.Context) bool {
	m := &c.customerMarks
	if s := m.state.Load(); s != marksUnknown {
		return s == marksKept
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.made == "" || m.read {
		return m.state.Load() == marksKept
	}
	m.read = true
	if f, found, err := c.readCustomer(ctx, m.made); err == nil && found && f.tagged {
		if hasMark(f.Tags, c.mark) {
			m.state.Store(marksKept)
		} else {
			m.state.Store(marksDropped)
		}
	}
	return m.state.Load() == marksKept
}

// customerWhose judges whether the customer found under the row's key is
// the one this job sent: it carries the mark (and the row's email); it is
// another's when it shows another email, or tags without the mark on a
// server known to keep it.
func (c *Client) customerWhose(ctx context.Context, f customer, cu *Customer) verdict {
	otherEmail := cu.Email != "" && f.Email != "" && !sameEmail(f.Email, cu.Email)
	switch {
	case c.mark != "" && f.tagged && hasMark(f.Tags, c.mark) && !otherEmail:
		return mine
	case otherEmail:
		return theirs
	case c.mark != "" && f.tagged && c.keepsCustomerMarks(ctx):
		return theirs
	}
	return cannotTell
}

// concludeCustomer settles a create that did not succeed: after an
// ambiguous attempt, the customer read by its key decides.
func (c *Client) concludeCustomer(ctx context.Context, cu *Customer, out Outcome, ambiguous bool) Outcome {
	if !ambiguous {
		return out
	}
	f, found, err := c.readCustomer(ctx, cu.Key)
	switch {
	case err != nil && out.Said.refused():
		out.Verdict = Verdict{Said: ServerFault, Message: out.Message + "; an earlier attempt may have created this customer and reading it failed (" +
			c.clean(err.Error(), &Partner{}) + "): run again with --resume to check"}
		return out
	case err != nil:
		out.Message += "; an attempt may have created this customer and reading it failed (" + c.clean(err.Error(), &Partner{}) + "): run again with --resume to check"
		return out
	case !found && out.Said == Clash:
		out.Message += "; reading the customer by its key did not find the one the server says exists"
		return out
	case !found:
		out.Message += "; reading the customer by its key found none: none was created"
		return out
	}
	out.Archived = isStatus(partner{Status: f.Status}, "archived")
	switch c.customerWhose(ctx, f, cu) {
	case mine:
		out.Verdict = Verdict{Said: Done, Message: "reconciled: an earlier attempt had made this customer; reading it showed this import's mark"}
	case theirs:
		out.Verdict = Verdict{Said: Clash, Field: "key", Message: out.Message + "; a customer with this key is in Partnero, not made by this import"}
	default:
		said := out.Said
		if !said.failed() || (out.HTTPStatus >= 400 && out.HTTPStatus < 500 && said != Throttled) {
			said = ServerFault
		}
		out.Verdict = Verdict{Said: said, Message: out.Message + "; a customer with this key is in Partnero, but whether an earlier attempt of this row created it cannot be shown (it shows no tags, or the server has not shown that it keeps this import's mark). Check it in Partnero"}
		out.Unproven = cu.Key
	}
	return out
}

// readCustomer reads the customer of a key (GET /customers/{key}); found
// is false when there is none of exactly that key (the path also takes an
// id or an email: a customer of another key is not this one).
func (c *Client) readCustomer(ctx context.Context, key string) (customer, bool, error) {
	lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.budget)
	defer cancel()
	body, err := c.getJSON(lctx, c.endpoint("/customers/"+url.PathEscape(key), nil))
	var missing *noEndpoint
	if errors.As(err, &missing) && (missing.status == http.StatusNotFound || missing.status == http.StatusGone) {
		return customer{}, false, nil
	}
	if err != nil {
		return customer{}, false, err
	}
	m, ok := recordIn(body, key, customerLike)
	if !ok {
		return customer{}, false, nil
	}
	f := customerOf(m)
	if f.Key == "" {
		f.Key = key // read by it: an answer that leaves it out still has it
	}
	return f, true, nil
}

// SkipExistingCustomer creates the row's customer for --skip-existing: a
// key already taken stays a Clash on "key" (the importer's skipped/
// already_exists), with whether that customer is archived.
func (c *Client) SkipExistingCustomer(ctx context.Context, cu *Customer) Outcome {
	out := c.CreateCustomer(ctx, cu)
	if out.Said != Clash || out.Field != "key" || ctx.Err() != nil {
		return out
	}
	if f, found, _ := c.readCustomer(ctx, cu.Key); found && isStatus(partner{Status: f.Status}, "archived") {
		out.Archived = true
		out.Message += "; the customer with this key is archived in Partnero"
	}
	return out
}

// UpsertCustomer creates the row's customer or, when its key is taken,
// updates that customer's email, name, surname and tags with the row's
// non-empty ones (never its partner: that would move its commissions).
// Done for a customer created, Updated, or Unchanged when it already holds
// the row's values (nothing is sent: an update fires webhooks).
func (c *Client) UpsertCustomer(ctx context.Context, cu *Customer) Outcome {
	out := c.CreateCustomer(ctx, cu)
	switch {
	case out.Said == Clash && out.Field == "key", out.Unproven != "":
	default:
		return out
	}
	f, found, err := c.readCustomer(ctx, cu.Key)
	switch {
	case err != nil:
		out.Message += "; it cannot be updated: reading it failed (" + c.clean(err.Error(), &Partner{}) + ")"
		return out
	case !found:
		out.Message += "; it cannot be updated: reading it by its key did not find it"
		return out
	}
	up := c.updateCustomer(ctx, cu, f, out)
	if out.Unproven != "" {
		up.Message = "after a lost answer a customer with this key was found, maybe made by this row's own attempt; " + up.Message
	}
	return up
}

// updateCustomer sends what differs between the row and the customer f.
func (c *Client) updateCustomer(ctx context.Context, cu *Customer, f customer, prior Outcome) Outcome {
	out := Outcome{Attempts: prior.Attempts, HTTPStatus: prior.HTTPStatus, Archived: isStatus(partner{Status: f.Status}, "archived")}
	change := map[string]any{}
	if cu.Email != "" && f.Email != cu.Email {
		change["email"] = cu.Email
	}
	if cu.Name != "" && !(f.named && sameWords(f.Name, cu.Name)) {
		change["name"] = cu.Name
	}
	if cu.Surname != "" && !(f.named && sameWords(f.Surname, cu.Surname)) {
		change["surname"] = cu.Surname
	}
	if len(cu.Tags) > 0 && !holdsTags(partner{Tags: f.Tags, tagged: f.tagged}, cu.Tags) {
		change["tags"] = keepMarks(cu.Tags, partner{Tags: f.Tags})
	}
	if len(change) == 0 {
		out.Verdict = Verdict{Said: Unchanged, Message: "a customer with this key is already in Partnero with the row's values: nothing to change"}
		return out
	}
	payload, err := json.Marshal(change) // flat, as n8n sends it to PUT /customers/{key}
	if err != nil {
		out.Verdict = Verdict{Said: Invalid, Message: "cannot encode the request"}
		return out
	}
	put, _, ambiguous := c.exchange(ctx, request{method: http.MethodPut, path: "/customers/" + url.PathEscape(cu.Key), payload: payload, classify: classifyCustomer}, &Partner{}, false)
	out.Attempts += put.Attempts
	if put.Attempts > 0 {
		out.HTTPStatus = put.HTTPStatus
	}
	switch {
	case put.Attempts == 0:
		out.Verdict = Verdict{Said: Stopped, Message: "a customer with this key is already in Partnero; the run stopped before it was updated"}
	case put.Said == Done:
		out.Verdict = Verdict{Said: Updated, Message: "the customer was already in Partnero: updated its " + strings.Join(changedFields(change), ", ")}
	case ambiguous:
		got, found, err := c.readCustomer(ctx, cu.Key)
		if err == nil && found && customerHolds(got, change) {
			out.Verdict = Verdict{Said: Updated, Message: "reconciled: an earlier attempt had updated the customer; reading it showed the change"}
		} else {
			out.Verdict = put.Verdict
			out.Message += "; the update may have been made or not: run again to check"
		}
	default:
		out.Verdict = put.Verdict
		out.Message = "the customer was already in Partnero; its update was refused: " + put.Message
	}
	return out
}

// changedFields names a change's fields in a fixed order.
func changedFields(change map[string]any) []string {
	var names []string
	for _, k := range []string{"email", "name", "surname", "tags"} {
		if _, ok := change[k]; ok {
			names = append(names, k)
		}
	}
	return names
}

// customerHolds reports whether f holds every value of change.
func customerHolds(f customer, change map[string]any) bool {
	if e, ok := change["email"]; ok && !sameEmail(f.Email, e.(string)) {
		return false
	}
	delete(change, "email")
	return applied(partner{Name: f.Name, Surname: f.Surname, named: f.named, Tags: f.Tags, tagged: f.tagged}, change)
}

// UndoCustomer archives, deletes or restores a customer an import made.
// It reads the customer first and leaves it alone (NotOurs) when it is not
// known to be the one the report says: another email than the report's,
// or, when the report has a mark, no mark shown. Gone when it is not there,
// Already when it is already as it would leave it.
func (c *Client) UndoCustomer(ctx context.Context, key, email, mark string, how Undoing) Outcome {
	f, found, err := c.readCustomer(ctx, key)
	switch {
	case ctx.Err() != nil && err != nil:
		return Outcome{Verdict: Verdict{Said: Stopped, Message: "the run stopped before this customer was undone"}}
	case err != nil:
		return Outcome{Verdict: Verdict{Said: Lost, Message: "cannot read the customer: " + c.clean(err.Error(), &Partner{})}}
	case !found && how == Restore:
		return Outcome{Verdict: Verdict{Said: Gone, Message: "the customer is not in Partnero any more (deleted): it cannot be restored"}}
	case !found:
		return Outcome{Verdict: Verdict{Said: Gone, Message: "the customer is not in Partnero any more"}}
	case email != "" && !sameEmail(f.Email, email):
		return Outcome{Verdict: Verdict{Said: NotOurs, Message: "the customer's email is now " + f.Email + ", not the report's: left alone"}}
	case mark != "" && !f.tagged:
		return Outcome{Verdict: Verdict{Said: NotOurs, Message: "the customer shows no tags, so it cannot be shown to carry the import's mark (tag " + mark + "): left alone"}}
	case mark != "" && !hasMark(f.Tags, mark):
		return Outcome{Verdict: Verdict{Said: NotOurs, Message: "the customer does not carry the import's mark (tag " + mark + "): left alone"}}
	}
	return c.undoAt(ctx, "/customers/"+url.PathEscape(key), how, f.Status, "customer", func() (string, bool, error) {
		f, found, err := c.readCustomer(ctx, key)
		return f.Status, !found, err
	})
}

// undoAt archives, deletes or restores the record at path, whose status
// was read as status (maybe ""), and settles an answer that did not say
// done by reading the record again (reread: its status, gone).
func (c *Client) undoAt(ctx context.Context, path string, how Undoing, status, what string, reread func() (string, bool, error)) Outcome {
	seen := partner{Status: status}
	switch {
	case how == Restore && isStatus(seen, "deleted"):
		return Outcome{Verdict: Verdict{Said: Gone, Message: "the " + what + " is deleted: it cannot be restored"}}
	case status != "" && how.reached(seen, false):
		return Outcome{Verdict: Verdict{Said: Already, Message: "the " + what + " is already " + status}}
	}
	out, _, ambiguous := c.exchange(ctx, how.at(path), &Partner{}, false)
	switch {
	case out.Attempts == 0:
		out.Message = "the run stopped before this " + what + " was undone"
		return out
	case out.Said == Done:
		out.Message = how.Verb() + "d"
		return out
	case !ambiguous && out.HTTPStatus != http.StatusBadRequest && out.HTTPStatus != http.StatusNotFound && out.HTTPStatus != http.StatusGone:
		return out
	}
	// A lost answer, "Action failed" or not found: the record says.
	out.Fatal = out.Fatal && out.HTTPStatus != http.StatusNotFound && out.HTTPStatus != http.StatusGone
	now, gone, err := reread()
	undone := how.reached(partner{Status: now}, gone)
	switch {
	case err != nil:
		out.Message += "; reading the " + what + " failed, so it may be " + how.Verb() + "d or not: run rollback again to check"
	case undone && ambiguous:
		out.Verdict = Verdict{Said: Done, Message: "reconciled: an earlier attempt had done it; reading the " + what + " showed it"}
	case undone:
		out.Verdict = Verdict{Said: Already, Message: "the " + what + " was archived, restored or deleted meanwhile"}
	case now == "" && !gone && out.HTTPStatus == http.StatusBadRequest && how != Delete:
		// No status to read: the server's "Action failed" is its word that
		// there is nothing to do.
		out.Verdict = Verdict{Said: Already, Message: "the server answered " + out.Message + ": nothing to do, as far as it says (the " + what + " shows no status)"}
	default:
		out.Message = strings.TrimPrefix(out.Message, noEndpointAdvice) + "; reading the " + what + " showed it is not " + how.Verb() + "d"
	}
	return out
}
