package report

import "fmt"

// Kind is the kind of record a file holds and a report tells of: each has
// its own fields, calls and report columns.
type Kind string

// The kinds, in the order a run of several files takes them.
const (
	Partners     Kind = "partners"
	Customers    Kind = "customers"
	Transactions Kind = "transactions"
)

// Kinds are the kinds in the order a run takes them: a customer's partner
// before the customer, a transaction's customer before the transaction.
var Kinds = []Kind{Partners, Customers, Transactions}

// OrDefault is the kind k stands for: "" (a report or provenance of an
// earlier version, a caller that says nothing) is partners.
func (k Kind) OrDefault() Kind {
	if k == "" {
		return Partners
	}
	return k
}

// ParseKind reads a --kind value.
func ParseKind(s string) (Kind, error) {
	switch k := Kind(s); k {
	case Partners, Customers, Transactions:
		return k, nil
	}
	return "", fmt.Errorf("unknown --kind %q: use partners, customers or transactions", s)
}
