package report

// Status is the outcome of one input row. The values are the contract's words.
type Status string

const (
	Valid    Status = "valid"
	Created  Status = "created"
	Updated  Status = "updated"  // --update-existing: the partner was there and was updated
	Archived Status = "archived" // rollback: archived, as it asked
	Restored Status = "restored" // rollback --restore: archived no more
	Deleted  Status = "deleted"  // rollback --delete: deleted for good
	Invited  Status = "invited"
	Invalid  Status = "invalid"
	Rejected Status = "rejected"
	Failed   Status = "failed"
	Skipped  Status = "skipped"
)

// Reason says why a row is not valid, created or invited.
type Reason string

// Reasons of invalid rows, in the order the contract ranks them.
const (
	InvalidRow           Reason = "invalid_row"
	MissingEmail         Reason = "missing_email"
	InvalidEmail         Reason = "invalid_email"
	DuplicateEmailInFile Reason = "duplicate_email_in_file"
	DuplicateIDInFile    Reason = "duplicate_id_in_file"
	DuplicateKeyInFile   Reason = "duplicate_key_in_file"
	WeakPassword         Reason = "weak_password"
	MissingName          Reason = "missing_name"
	FieldTooLong         Reason = "field_too_long"
	ReferralCycle        Reason = "referral_cycle"
)

// Reasons of invalid customers and transactions (InvalidReasons ranks
// them per kind).
const (
	MissingKey      Reason = "missing_key"
	MissingPartner  Reason = "missing_partner"  // a customer names no partner
	MissingCustomer Reason = "missing_customer" // a transaction names no customer
	InvalidAmount   Reason = "invalid_amount"
	InvalidCurrency Reason = "invalid_currency"
	InvalidDate     Reason = "invalid_date"
)

// Reasons of rejected rows: the API refused the row's data.
const (
	EmailExists              Reason = "email_exists"
	IDExists                 Reason = "id_exists"
	KeyExists                Reason = "key_exists"
	ReferringPartnerNotFound Reason = "referring_partner_not_found"
	ValidationError          Reason = "validation_error"
	BadRequest               Reason = "bad_request"
)

// Reasons of failed rows: no answer worth trusting, or the run-stopping one.
const (
	RateLimited  Reason = "rate_limited"
	ServerError  Reason = "server_error"
	NetworkError Reason = "network_error"
	Unauthorized Reason = "unauthorized"
	Forbidden    Reason = "forbidden"
)

// Reasons of skipped rows.
const (
	ReferringPartnerFailed Reason = "referring_partner_failed"
	AlreadyDone            Reason = "already_done"
	AlreadyExists          Reason = "already_exists"
	Unchanged              Reason = "unchanged" // --update-existing: the partner already held the row's values
	Filtered               Reason = "filtered"  // --where left the row out
	Aborted                Reason = "aborted"
	// Limited: import --limit (a canary) held the row back on purpose;
	// --resume sends it. Not aborted: nothing stopped the run, and a
	// canary that did what it was asked exits 0.
	Limited Reason = "limited"
)

// Reasons of rollback's skipped rows.
const (
	NotCreated  Reason = "not_created" // the import did not create this row's partner: nothing to undo
	Changed     Reason = "changed"     // the partner's email is no longer the report's: left alone
	AlreadyGone Reason = "already_gone"
)

// Reasons of rollback --restore's skipped rows (and changed, as above).
const (
	NotArchived     Reason = "not_archived"     // the rollback did not archive this row's partner: nothing to restore
	AlreadyRestored Reason = "already_restored" // the partner is not archived any more
	Gone            Reason = "gone"             // the partner was deleted: it cannot be restored
)

// Succeeded reports whether a row with this outcome lets the run exit 0. A
// row --where left out is one: the user asked for it (a nightly job that
// filters on purpose must not fail every night); so is a row a canary
// (--limit) held back.
func Succeeded(s Status, r Reason) bool {
	switch s {
	case Valid, Created, Invited, Updated, Archived, Deleted, Restored:
		return true
	case Skipped:
		return r == AlreadyDone || r == AlreadyExists || r == Unchanged || r == Filtered || r == Limited || r == NotCreated || r == AlreadyGone ||
			r == NotArchived || r == AlreadyRestored
	}
	return false
}
