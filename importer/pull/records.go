package pull

// The records a pull writes, in the canonical fields of the contract
// (partners; "Customer fields"; "Transaction fields"), as JSON Lines.

// Ref is a reference to another record: a partner's referrer, a
// customer's partner ({id|key|email}), a transaction's customer
// ({key|email}). One of its fields is set.
type Ref struct {
	ID    string `json:"id,omitempty"`
	Key   string `json:"key,omitempty"`
	Email string `json:"email,omitempty"`
}

// Partner is a line of partners.jsonl.
type Partner struct {
	Email            string   `json:"email"`
	Name             string   `json:"name,omitempty"`
	Surname          string   `json:"surname,omitempty"`
	Key              string   `json:"key,omitempty"`
	Tags             []string `json:"tags,omitempty"`
	ReferringPartner *Ref     `json:"referring_partner,omitempty"`
}

// Customer is a line of customers.jsonl.
type Customer struct {
	Key     string   `json:"key"`
	Email   string   `json:"email,omitempty"`
	Name    string   `json:"name,omitempty"`
	Surname string   `json:"surname,omitempty"`
	Tags    []string `json:"tags,omitempty"`
	Partner Ref      `json:"partner"`
}

// Transaction is a line of transactions.jsonl. Amount and Reward are
// exact decimal text in Currency's major unit.
type Transaction struct {
	Key       string `json:"key"`
	Customer  Ref    `json:"customer"`
	Amount    string `json:"amount"`
	Currency  string `json:"currency,omitempty"`
	CreatedAt string `json:"created_at,omitempty"`
	Action    string `json:"action,omitempty"`
	Reward    string `json:"reward,omitempty"`
	Rewarded  bool   `json:"rewarded,omitempty"`
}

// Kind is what a left-out record was in the source.
type Kind string

// The kinds of left-out.csv.
const (
	KindPartner     Kind = "partner"
	KindCustomer    Kind = "customer"
	KindTransaction Kind = "transaction"
	// KindLink is a partner's link whose old URLs do not keep working as
	// they did: its value is not the partner's key.
	KindLink Kind = "link"
)

// The reasons of left-out.csv.
const (
	NoEmail          = "no_email"
	NoPartner        = "no_partner"
	NoCustomer       = "no_customer"
	Duplicate        = "duplicate"
	Voided           = "voided"
	InvalidAmount    = "invalid_amount"
	CurrencyMismatch = "currency_mismatch"
	// Inactive: a partner its source never accepted (rejected, blocked).
	Inactive = "inactive"
	// KeyChanged: a link whose value is not a key Partnero takes as it is.
	KeyChanged = "key_changed"
)

// LeftOut is a line of left-out.csv: a source record not carried over.
type LeftOut struct {
	Kind     Kind
	SourceID string
	Email    string
	Reason   string
	Message  string
}
