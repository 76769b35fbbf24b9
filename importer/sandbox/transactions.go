package sandbox

// The transaction endpoints, with the rules the sources give
// (shared/partnero-api/README.md, "Transactions"): the sandbox's own.

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Transaction is a sale (or a commission set directly) as the sandbox
// holds it. Amounts are kept as the JSON numbers sent, digit for digit, so
// that a test sees whether a client rounded them.
type Transaction struct {
	Key         string
	Customer    string // the customer's key
	Partner     string // the customer's partner's id, when it has one
	Amount      string // a JSON number in major units, as sent; "" when only a reward was
	Reward      string // the commission set directly, as sent; ""
	Units       string // amount_units: the currency; "" the program's own
	Action      string // sale by default
	ProductID   string
	ProductType string
	Rewarded    bool // its commission already paid
	Rewardable  bool // earns a commission (true by default)
	Status      string
	CreatedAt   time.Time
}

// Transactions returns a copy of every transaction stored, in the order
// they came: a key stored twice (Variation.RepeatKeys) shows twice.
func (s *Server) Transactions() []Transaction {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Transaction, len(s.transactions))
	for i, t := range s.transactions {
		out[i] = *t
	}
	return out
}

// AddTransaction stores a transaction as if it had been there before (a
// preload): its customer (by key) must be there; a key held already is
// stored again only when the variation repeats keys.
func (s *Server) AddTransaction(t Transaction) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t.Key == "" {
		return errors.New("a transaction needs a key")
	}
	if s.transactionByKey(t.Key) != nil && !s.opts.Vary.RepeatKeys {
		return fmt.Errorf("transaction key %s is there already", t.Key)
	}
	c := s.customers.byKey[t.Customer]
	if c == nil {
		return fmt.Errorf("transaction %s: no customer %s", t.Key, t.Customer)
	}
	t.Partner = c.Partner
	if t.Amount == "" && t.Reward == "" {
		return fmt.Errorf("transaction %s: no amount and no reward", t.Key)
	}
	t.Action = or(t.Action, "sale")
	t.Status = or(t.Status, Active)
	if t.CreatedAt.IsZero() {
		t.CreatedAt = s.now().Add(-24 * time.Hour)
	}
	s.transactions = append(s.transactions, &t)
	return nil
}

// transactionByKey is the first transaction stored under key, or nil. The
// caller holds mu.
func (s *Server) transactionByKey(key string) *Transaction {
	for _, t := range s.transactions {
		if t.Key == key {
			return t
		}
	}
	return nil
}

// currencyCode is the shape of amount_units: three capital letters (which
// codes exist is the client's to know; the sandbox only checks the form).
var currencyCode = regexp.MustCompile(`^[A-Z]{3}$`)

// number reads a field that must be a JSON number, and keeps its text.
func (req request) number(field string, ps problems) string {
	raw, ok := req[field]
	if !ok || string(raw) == "null" {
		return ""
	}
	var n json.Number
	if json.Unmarshal(raw, &n) != nil || !strings.ContainsAny(string(raw[:1]), "-0123456789") {
		ps.add(field, "The "+field+" field must be a number.")
		return ""
	}
	return n.String()
}

// flag reads a boolean field; absent and null give def.
func (req request) flag(field string, def bool, ps problems) bool {
	raw, ok := req[field]
	if !ok || string(raw) == "null" {
		return def
	}
	var b bool
	if json.Unmarshal(raw, &b) != nil {
		ps.add(field, "The "+field+" field must be true or false.")
	}
	return b
}

// when reads created_at: an integer Unix timestamp (the documentation's),
// or a date-time string (what n8n sends).
func (req request) when(ps problems, now time.Time) time.Time {
	raw, ok := req["created_at"]
	if !ok || string(raw) == "null" {
		return now
	}
	var secs int64
	if json.Unmarshal(raw, &secs) == nil {
		return time.Unix(secs, 0).UTC()
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05", "2006-01-02"} {
			if t, err := time.Parse(layout, s); err == nil {
				return t.UTC()
			}
		}
	}
	ps.add("created_at", "The created at field must be a Unix timestamp.")
	return now
}

// createTransaction answers POST /transactions: amount (a number) or
// reward required, amount_units a currency code, created_at a timestamp,
// and the customer {key | email}, who must be there (the variation's
// status otherwise: 404 by default). A key already held is refused 422
// "Duplicate key", or stored again by the variation, as Partnero's n8n
// node warns it is ("pays commission twice"). A request without a key gets
// one of the server's.
func (s *Server) createTransaction(w http.ResponseWriter, r *http.Request) {
	req, ok := s.readRequest(w, r)
	if !ok {
		return
	}
	ps := problems{}
	t := &Transaction{
		Key: req.text("key", ps), Amount: req.number("amount", ps), Reward: req.number("reward", ps),
		Units: req.text("amount_units", ps), Action: or(req.text("action", ps), "sale"),
		ProductID: req.text("product_id", ps), ProductType: req.text("product_type", ps),
		Rewarded: req.flag("rewarded", false, ps), Rewardable: req.flag("rewardable", true, ps), Status: Active,
	}
	t.CreatedAt = req.when(ps, s.now())
	var who struct{ Key, Email string }
	if raw, given := req["customer"]; !given || string(raw) == "null" {
		ps.add("customer", "The customer field is required.")
	} else if json.Unmarshal(raw, &who) != nil || who.Key == "" && who.Email == "" {
		ps.add("customer", "The customer field must be an object with a key or an email.")
	}
	if t.Amount == "" && t.Reward == "" && ps["amount"] == nil && ps["reward"] == nil {
		ps.add("amount", "The amount field is required when reward is not present.")
	}
	if t.Units != "" && !currencyCode.MatchString(t.Units) {
		ps.add("amount_units", "The amount units field must be a currency code.")
	}
	maxLen(ps, "key", t.Key, 255)
	s.mu.Lock()
	defer s.mu.Unlock()
	if t.Key != "" && s.transactionByKey(t.Key) != nil && !s.opts.Vary.RepeatKeys {
		ps.add("key", s.duplicateKey())
	}
	if len(ps) > 0 {
		s.refuse(w, ps)
		return
	}
	c := s.customers.byKey[who.Key]
	if who.Key == "" {
		c = s.customers.named(who.Email)
	}
	if c == nil {
		s.noCustomer(w)
		return
	}
	if t.Key == "" {
		t.Key = "tx_" + strconv.Itoa(len(s.transactions)+1)
	}
	t.Customer, t.Partner = c.Key, c.Partner
	s.transactions = append(s.transactions, t)
	s.answerStored(w, r, or(s.opts.Vary.CreateStatus, http.StatusCreated), map[string]any{"data": s.transactionView(t), "status": 1})
}

// noCustomer answers a transaction whose customer is not there, in the
// variation's status: the sources table no error for it.
func (s *Server) noCustomer(w http.ResponseWriter) {
	switch st := or(s.opts.Vary.NoCustomerStatus, http.StatusNotFound); st {
	case http.StatusUnprocessableEntity:
		s.refuse(w, problems{"customer": {"The selected customer is invalid."}})
	default:
		s.fail(w, st, "Customer not found")
	}
}

// transactionNotFound answers 404 for a key not held.
func (s *Server) transactionNotFound(w http.ResponseWriter) {
	s.fail(w, http.StatusNotFound, "Transaction not found")
}

// findTransaction answers GET /transactions/{key}: the first stored under it.
func (s *Server) findTransaction(w http.ResponseWriter, key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.transactionByKey(key)
	if t == nil {
		s.transactionNotFound(w)
		return
	}
	answer(w, http.StatusOK, map[string]any{"data": s.transactionView(t), "status": 1})
}

// listTransactions answers GET /transactions?key=&customer.key=&partner.key=
// (customer_key, partner_key by the variation's spelling; the other one is
// ignored). key matches as the search does: partly, unless the variation
// matches whole values.
func (s *Server) listTransactions(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	key := q.Get("key")
	customer := q.Get(s.filterName("customer", "key"))
	partnerKey := q.Get(s.filterName("partner", "key"))
	servePage(s, w, r, func() []*Transaction { return s.transactions }, func(t *Transaction) bool {
		switch {
		case key != "" && s.opts.Vary.ExactSearch && t.Key != key:
			return false
		case key != "" && !strings.Contains(strings.ToLower(t.Key), strings.ToLower(key)):
			return false
		case customer != "" && t.Customer != customer:
			return false
		case partnerKey != "":
			p := s.byID[t.Partner]
			return p != nil && p.Key == partnerKey
		}
		return true
	}, func(t *Transaction) any { return s.transactionView(t) })
}

// archiveTransaction answers POST /transactions/{key}/archive (on) and
// /revoke-archive (off), for every transaction stored under the key: 400
// "Action failed" when there is nothing to do.
func (s *Server) archiveTransaction(w http.ResponseWriter, r *http.Request, key string, on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.transactionByKey(key)
	switch {
	case t == nil:
		s.transactionNotFound(w)
		return
	case on == (t.Status == Archived):
		s.fail(w, http.StatusBadRequest, "Action failed")
		return
	}
	for _, t := range s.transactions {
		if t.Key == key {
			t.Status = map[bool]string{true: Archived, false: Active}[on]
		}
	}
	s.answerStored(w, r, http.StatusOK, map[string]any{"status": 1})
}

// deleteTransaction answers DELETE /transactions/{key}: the sale reversed
// (a refund), every transaction under the key gone.
func (s *Server) deleteTransaction(w http.ResponseWriter, r *http.Request, key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.transactionByKey(key) == nil {
		s.transactionNotFound(w)
		return
	}
	s.transactions = slices.DeleteFunc(s.transactions, func(t *Transaction) bool { return t.Key == key })
	s.answerStored(w, r, http.StatusOK, map[string]any{"status": 1})
}

// transactionView is a transaction as the API shows it. The caller holds mu.
func (s *Server) transactionView(t *Transaction) map[string]any {
	var customer any
	if c := s.customers.byKey[t.Customer]; c != nil {
		customer = map[string]any{"key": c.Key, "email": c.Email}
	}
	m := map[string]any{
		"key": t.Key, "action": t.Action, "amount": numberOrNull(t.Amount), "partner": s.partnerRef(t.Partner),
		"customer": customer, "credit": false, "is_currency": true, "amount_units": or(t.Units, "USD"),
		"created_at": s.timeValue(t.CreatedAt), "deleted_at": nil, "status": t.Status,
		"product_id": t.ProductID, "product_type": t.ProductType, "rewards": s.rewards(t),
	}
	return m
}

// rewards are a transaction's commissions: the reward set directly, or a
// tenth of the amount; none when it earns none.
func (s *Server) rewards(t *Transaction) []any {
	if !t.Rewardable {
		return []any{}
	}
	amount := t.Reward
	if amount == "" {
		r, ok := new(big.Rat).SetString(t.Amount)
		if !ok {
			return []any{}
		}
		amount = r.Quo(r, big.NewRat(10, 1)).FloatString(2)
	}
	status := "pending"
	if t.Rewarded {
		status = "paid"
	}
	return []any{map[string]any{"key": "rw_" + t.Key, "action": t.Action, "status": status,
		"amount": json.Number(amount), "amount_units": or(t.Units, "USD")}}
}

func numberOrNull(n string) any {
	if n == "" {
		return nil
	}
	return json.Number(n)
}
