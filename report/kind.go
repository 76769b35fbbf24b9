package report

// Kind is the kind of record a file and its report hold; "" is Partners.
type Kind string

// The kinds of record.
const (
	Partners     Kind = "partners"
	Customers    Kind = "customers"
	Transactions Kind = "transactions"
)

// Reasons of rows that need a record of an earlier file of the run.
const (
	PartnerFailed  Reason = "partner_failed"
	CustomerFailed Reason = "customer_failed"
)

// Reasons of customers and transactions the API refused.
const (
	PartnerNotFound  Reason = "partner_not_found"
	CustomerNotFound Reason = "customer_not_found"
)
