package partnero

import "strconv"

// Said is what the server said of a row's request, as far as the client
// can tell after every attempt and lookup. The client says only that; the
// report's status and reason for it are the importer's to decide
// (importer/outcome.go), as they depend on what the row asked (a create, a
// --skip-existing run, an archive...). The zero value says nothing: every
// outcome sets one.
type Said uint8

const (
	_ Said = iota

	// Done: the request did what it asked (created or invited the partner,
	// Outcome.PartnerID its id when known; archived, deleted or restored it).
	Done
	Updated   // the partner already there was updated with the row's values
	Unchanged // the partner already there held the row's values: nothing was sent
	Clear     // Foresee: the reads found nothing an import would be refused for

	Clash        // refused: the value of Outcome.Field ("email", "id" or "key") is another partner's
	NoReferrer   // refused: the referring partner is not there
	Invalid      // refused by the server's validation (a 422, or a 2xx whose body says it failed)
	BadRequest   // refused as a whole: any other 4xx, or a read that found no such endpoint
	WrongAddress // no such endpoint at the base URL (404, 405) or a redirect: no row can succeed
	Gone         // the partner is not there (any more): deleted, or not found by its id nor its email

	KeyRefused  // 401: the key was refused
	Forbidden   // 403: the key lacks access
	Throttled   // 429, after every retry
	ServerFault // a 5xx, or an answer not to be trusted (a success without the partner, a partner not shown to be the job's)
	Lost        // no answer that tells (a network error, a timeout, a read that failed): the request may have been done

	Already // an archive, delete or restore found the partner already so
	NotOurs // the partner read is not known to be the one the import made: left alone
	Stopped // the run stopped before the request was sent

	// Found: a transaction with the row's key is already in Partnero, so
	// none was sent (never a key stored twice: a second one pays its
	// commission twice).
	Found
	NoCustomer // refused: the transaction's customer is not there
)

var saidNames = [...]string{"", "done", "updated", "unchanged", "clear", "clash", "no_referrer", "invalid", "bad_request",
	"wrong_address", "gone", "key_refused", "forbidden", "throttled", "server_fault", "lost", "already", "not_ours", "stopped",
	"found", "no_customer"}

// String names it, for tests and logs.
func (s Said) String() string {
	if int(s) < len(saidNames) {
		return saidNames[s]
	}
	return "said(" + strconv.Itoa(int(s)) + ")"
}

// refused reports an answer that refused the request for what it asked.
func (s Said) refused() bool {
	switch s {
	case Clash, NoReferrer, NoCustomer, Invalid, BadRequest, WrongAddress:
		return true
	}
	return false
}

// failed reports no answer worth trusting, or a key the API refuses.
func (s Said) failed() bool {
	switch s {
	case KeyRefused, Forbidden, Throttled, ServerFault, Lost:
		return true
	}
	return false
}
