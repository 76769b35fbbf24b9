package partnero

// Transactions: never a key stored twice. Partnero may store a second
// transaction under a key it holds (its own n8n node warns that this pays
// the commission twice), so the client never relies on the server to
// refuse one: it looks the key up before it creates (Found, nothing sent,
// when it is there), and after an attempt whose answer was lost it looks
// again before anything else: found now, absent before, the attempt made
// it (Done); absent still, the retry may go.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/url"
	"strings"
)

// Transaction is what a transaction's create sends.
type Transaction struct {
	Key      string
	Customer Referring // Key or Email
	// Amount is the exact decimal text in major units ("99.90"), sent as a
	// JSON number digit for digit: no float ever holds it.
	Amount      string
	Currency    string // sent as amount_units; "" the program's own
	CreatedAt   int64  // Unix seconds, to backdate the sale; 0: none
	Action      string // sale...
	ProductID   string
	ProductType string
	Reward      string // the commission set directly, exact decimal text like Amount
	Rewarded    *bool  // its commission already paid; nil: the server's default
	Rewardable  *bool
	// MaybeSent says an earlier run may have sent this row already.
	MaybeSent bool
}

// payload is the create's body: amount and reward as JSON numbers of
// their exact text (json.Number), which encoding refuses when it is not a
// number.
func (tx *Transaction) payload() ([]byte, error) {
	body := map[string]any{"key": tx.Key}
	if tx.Amount != "" {
		body["amount"] = json.Number(tx.Amount)
	}
	if tx.Reward != "" {
		body["reward"] = json.Number(tx.Reward)
	}
	putText(body, "amount_units", tx.Currency)
	if tx.CreatedAt != 0 {
		body["created_at"] = tx.CreatedAt
	}
	putText(body, "action", tx.Action)
	putText(body, "product_id", tx.ProductID)
	putText(body, "product_type", tx.ProductType)
	if tx.Rewarded != nil {
		body["rewarded"] = *tx.Rewarded
	}
	if tx.Rewardable != nil {
		body["rewardable"] = *tx.Rewardable
	}
	ref := map[string]string{}
	putRef := func(k, v string) {
		if v != "" {
			ref[k] = v
		}
	}
	putRef("key", tx.Customer.Key)
	if tx.Customer.Key == "" {
		putRef("email", tx.Customer.Email)
	}
	body["customer"] = ref
	return json.Marshal(body)
}

// transaction is what the client reads of a transaction object.
type transaction struct {
	Key, Amount, Status string
}

func transactionOf(m object) transaction {
	return transaction{Key: text(m["key"]), Amount: text(m["amount"]), Status: text(m["status"])}
}

func transactionLike(m object) bool {
	for _, k := range []string{"amount", "reward", "customer", "amount_units"} {
		if _, ok := m[k]; ok {
			return true
		}
	}
	return false
}

// classifyTransaction is Classify for a transaction's calls: a 400, 404 or
// 422 about the customer is NoCustomer, not a wrong address (the sources
// table no error for it).
func classifyTransaction(status int, body []byte) Verdict {
	v := Classify(status, body)
	if status >= 400 && status < 500 && v.Said != Clash && aboutMissing(body, "customer") {
		return Verdict{Said: NoCustomer, Message: strings.TrimPrefix(v.Message, noEndpointAdvice)} // the endpoint answered: its 404 is the customer's
	}
	return v
}

// CreateTransaction creates a transaction (POST /transactions) only once
// the key is known not to be in Partnero: Found when it is (nothing sent),
// ServerFault with no attempt when the lookup cannot tell. After an
// attempt whose answer was lost the key is looked up again before any
// retry: found, the attempt made it (Done).
func (c *Client) CreateTransaction(ctx context.Context, tx *Transaction) Outcome {
	payload, err := tx.payload()
	if err != nil {
		return Outcome{Verdict: Verdict{Said: Invalid, Message: fmt.Sprintf("the amount %q or reward %q is not a number: not sent", tx.Amount, tx.Reward)}}
	}
	if ctx.Err() != nil {
		return Outcome{Verdict: Verdict{Said: Stopped, Message: "the run stopped before this row was sent"}}
	}
	f, before, err := c.findTransaction(ctx, tx.Key)
	switch before {
	case lookupFound:
		return Outcome{Archived: isStatus(partner{Status: f.Status}, "archived"), Verdict: Verdict{Said: Found, Message: alreadyThere(f, tx.MaybeSent)}}
	case lookupUnknown:
		return Outcome{Verdict: Verdict{Said: ServerFault, Message: "not sent: whether a transaction with this key is already in Partnero cannot be told (" +
			c.clean(err.Error(), &Partner{}) + "), and sending it blind could record it twice"}}
	}
	return c.sendTransaction(ctx, tx, payload)
}

// alreadyThere is the message of a key found before any create; maybeSent:
// an earlier run may have sent the row without learning what came of it,
// so the one found may be its (a transaction carries no mark to tell).
func alreadyThere(f transaction, maybeSent bool) string {
	msg := "a transaction with this key is already in Partnero"
	if f.Amount != "" {
		msg += " (amount " + f.Amount + ")"
	}
	if maybeSent {
		msg += "; it may have been stored by this row's attempt in an earlier run, which could not tell"
	}
	msg += ": not sent again, so that its commission is not paid twice"
	if isStatus(partner{Status: f.Status}, "archived") {
		// Archived by a rollback, it earns nothing: "already there" alone reads as live.
		msg += "; it is archived in Partnero (rollback --restore brings it back)"
	}
	return msg
}

// sendTransaction posts a transaction whose key a lookup found absent,
// looking the key up again after every attempt that may have reached the
// server before it is sent again.
func (c *Client) sendTransaction(ctx context.Context, tx *Transaction, payload []byte) (out Outcome) {
	settled, lost := false, false
	looked := func(a reply) bool { // after attempt a's lost answer: true when the row is settled
		f, v, err := c.findTransaction(ctx, tx.Key)
		switch v {
		case lookupFound:
			out.Verdict = Verdict{Said: Done, Message: "reconciled: the key was not in Partnero before the first attempt, and a lookup after a lost answer found it (amount " + f.Amount + ")"}
			return true
		case lookupAbsent:
			out.Message += "; a lookup found no transaction with this key"
			if !underWay(a) {
				out.Message += ": not stored"
			}
			return false
		}
		out.Verdict = Verdict{Said: Lost, Message: out.Message + "; an attempt may have stored this transaction and the lookup that would tell failed (" +
			c.clean(err.Error(), &Partner{}) + "): not sent again; run again with --resume to check"}
		return true
	}
	attempts, err := c.retry(ctx, http.MethodPost, c.base+"/transactions", payload, &Partner{}, func(attempt int, a reply) bool {
		if attempt > 1 {
			c.retried.Add(1)
		}
		out.Attempts = attempt
		ambiguous := false
		if a.err != nil {
			ambiguous = mayHaveArrived(a.err)
			out.Verdict = Verdict{Said: Lost, Retryable: true, Message: "network error: " + c.clean(a.err.Error(), &Partner{})}
		} else {
			out.HTTPStatus = a.status
			out.Verdict = classifyTransaction(a.status, a.body)
			out.Message = c.clean(out.Message, &Partner{})
			if out.Said == Done {
				v, _ := decode(a.body)
				if _, ok := recordIn(v, tx.Key, transactionLike); ok {
					settled = true
					return false
				}
				out.Verdict = Verdict{Said: ServerFault, Retryable: true, Message: fmt.Sprintf("the server answered %d without the transaction", a.status)}
			}
			ambiguous = a.status >= 500 || (a.status < 300 && out.Said != Done)
		}
		if !ambiguous {
			return out.Retryable
		}
		lost = true
		if looked(a) {
			settled = true
			return false
		}
		if underWay(a) {
			out.Verdict = Verdict{Said: Lost, Message: out.Message + ", but the attempt may still be under way at the server, and stored after the lookup: " +
				"not sent again, so that it is not stored twice; run again later with --resume to check"}
			settled = true
			return false
		}
		return out.Retryable
	})
	switch {
	case settled:
	case attempts == 0 && err != nil:
		out.Verdict = Verdict{Said: Stopped, Message: "the run stopped before this row was sent"}
	case lost && out.Said.refused():
		// Refused after an attempt whose answer was lost (a key now
		// "taken"): the key says whether that attempt made it.
		looked(reply{})
	case out.Retryable && attempts > 1:
		out.Message += fmt.Sprintf(" (after %d attempts)", attempts)
	}
	return out
}

// underWay reports an attempt that may still be being handled when the
// client learns it failed: a timeout or a broken connection, or a gateway
// that gave up waiting (502, 504). A server behind a proxy goes on with
// such a request, so a lookup that finds the key absent does not say the
// attempt did not store it; an answered 500 or 503 is the server's own end.
func underWay(a reply) bool {
	return a.err != nil || a.status == http.StatusBadGateway || a.status == http.StatusGatewayTimeout
}

// findTransaction looks a key up: GET /transactions?key= (its matches
// compared exactly: a filter may match partly, or be ignored), else, on a
// server without the list, GET /transactions/{key}. Bounded by the lookup
// budget, and run even when the run is stopping: it settles a request
// already sent, or guards one about to be.
func (c *Client) findTransaction(ctx context.Context, key string) (transaction, lookupVerdict, error) {
	lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.budget)
	defer cancel()
	u := c.endpoint("/transactions", url.Values{"key": {key}, "limit": {fmt.Sprint(lookupPageSize)}})
	var hit transaction
	complete, err := c.eachObject(lctx, u, maxLookupPages, func(m object) bool {
		hit = transactionOf(m)
		return hit.Key == key
	})
	var missing *noEndpoint
	switch {
	case err == nil && hit.Key == key && key != "":
		return hit, lookupFound, nil
	case err == nil && complete:
		return transaction{}, lookupAbsent, nil
	case err == nil:
		return transaction{}, lookupUnknown, fmt.Errorf("GET %s: no end after %d pages", u.Path, maxLookupPages)
	case !errors.As(err, &missing):
		return transaction{}, lookupUnknown, err
	}
	return c.readTransaction(lctx, key)
}

// readTransaction reads one key (GET /transactions/{key}). A 404 is its
// absence only when the answer says a transaction is not found: a server
// without the route says nothing of the key.
func (c *Client) readTransaction(ctx context.Context, key string) (transaction, lookupVerdict, error) {
	body, err := c.getJSON(ctx, c.endpoint("/transactions/"+url.PathEscape(key), nil))
	var missing *noEndpoint
	switch {
	case errors.As(err, &missing) && missing.status == http.StatusNotFound && strings.Contains(strings.ToLower(missing.message), "transaction"):
		return transaction{}, lookupAbsent, nil
	case err != nil:
		return transaction{}, lookupUnknown, err
	}
	if m, ok := recordIn(body, key, transactionLike); ok {
		f := transactionOf(m)
		if f.Key == "" || f.Key == key {
			f.Key = key
			return f, lookupFound, nil
		}
	}
	return transaction{}, lookupUnknown, fmt.Errorf("GET /transactions/%s: the answer holds no transaction of this key", key)
}

// sameAmount compares two decimal amounts as numbers: 99.9 is 99.90.
func sameAmount(a, b string) bool {
	x, okA := new(big.Rat).SetString(a)
	y, okB := new(big.Rat).SetString(b)
	return okA && okB && x.Cmp(y) == 0
}

// UndoTransaction archives, deletes (a refund) or restores the
// transaction of a key an import made. It reads it first and leaves it
// alone (NotOurs) when its amount is not the report's. Gone when it is not
// there, Already when it is already as it would leave it.
func (c *Client) UndoTransaction(ctx context.Context, key, amount string, how Undoing) Outcome {
	f, v, err := c.findTransaction(ctx, key)
	switch {
	case v == lookupUnknown && ctx.Err() != nil:
		return Outcome{Verdict: Verdict{Said: Stopped, Message: "the run stopped before this transaction was undone"}}
	case v == lookupUnknown:
		return Outcome{Verdict: Verdict{Said: Lost, Message: "cannot read the transaction: " + c.clean(err.Error(), &Partner{})}}
	case v == lookupAbsent && how == Restore:
		return Outcome{Verdict: Verdict{Said: Gone, Message: "the transaction is not in Partnero any more (deleted): it cannot be restored"}}
	case v == lookupAbsent:
		return Outcome{Verdict: Verdict{Said: Gone, Message: "the transaction is not in Partnero any more"}}
	case amount != "" && f.Amount == "":
		return Outcome{Verdict: Verdict{Said: NotOurs, Message: "the transaction's amount cannot be read, so it is not known to be the imported one: left alone"}}
	case amount != "" && !sameAmount(f.Amount, amount):
		return Outcome{Verdict: Verdict{Said: NotOurs, Message: "the transaction's amount is now " + f.Amount + ", not the report's " + amount + ": left alone"}}
	}
	return c.undoAt(ctx, "/transactions/"+url.PathEscape(key), how, f.Status, "transaction", func() (string, bool, error) {
		f, v, err := c.findTransaction(ctx, key)
		if v == lookupUnknown {
			return "", false, err
		}
		return f.Status, v == lookupAbsent, nil
	})
}
