package importer

// The one place where what the server said of a row (partnero.Outcome's
// Said) becomes the report's status and reason. The client says what
// happened; the words a user's scripts read (CONTRACT.md) are decided here,
// for import, validate --against and rollback alike.

import (
	"github.com/partnero-import/partnero-import/importer/partnero"
	"github.com/partnero-import/partnero-import/report"
	"github.com/partnero-import/partnero-import/validate"
)

// asked is what a row asked of Partnero, as far as the report's words for
// the answer depend on it. (validate --against needs no word of its own:
// the reads say Clear, or the refusal an import would meet.)
type asked struct {
	kind   report.Kind // of the row's record: "" is partners
	action string      // the report's action: create, invite, archive, delete or restore
	skip   bool        // --skip-existing: a record already there skips the row
}

// done is the status of a row whose request did what it asked.
var done = map[string]report.Status{
	validate.Create:         report.Created,
	validate.Invite:         report.Invited,
	partnero.Archive.Verb(): report.Archived,
	partnero.Delete.Verb():  report.Deleted,
	partnero.Restore.Verb(): report.Restored,
}

// reportOf is the report's status and reason for what the server said of
// a row that asked a.
func reportOf(o *partnero.Outcome, a asked) (report.Status, report.Reason) {
	undo := a.action == partnero.Archive.Verb() || a.action == partnero.Delete.Verb()
	restore := a.action == partnero.Restore.Verb()
	switch o.Said {
	case partnero.Done:
		return done[a.action], ""
	case partnero.Clear:
		return report.Valid, ""
	case partnero.Updated:
		return report.Updated, ""
	case partnero.Unchanged:
		return report.Skipped, report.Unchanged
	case partnero.Stopped:
		return report.Skipped, report.Aborted
	case partnero.Found: // a transaction's key already there: nothing sent
		return report.Skipped, report.AlreadyExists
	case partnero.NotOurs:
		return report.Skipped, report.Changed
	case partnero.Already:
		if restore {
			return report.Skipped, report.AlreadyRestored
		}
		return report.Skipped, report.AlreadyGone
	}
	switch {
	case restore && o.Said == partnero.Gone:
		return report.Skipped, report.Gone // deleted: it cannot be restored
	case undo && o.Said == partnero.Gone:
		return report.Skipped, report.AlreadyGone
	}
	status, reason := refusal(o, a.kind)
	switch {
	case a.skip && status == report.Rejected && reason == identifiedBy(a.kind):
		return report.Skipped, report.AlreadyExists
	case a.skip && status == report.Failed && o.Unproven != "":
		// A lost answer, then a partner with this email that cannot be
		// shown to be this job's: under --skip-existing the answer is the
		// same either way.
		return report.Skipped, report.AlreadyExists
	case (undo || restore) && status == report.Rejected:
		return report.Failed, reason // rollback's rows are undone, skipped or failed, never rejected
	}
	return status, reason
}

// refusal is the status and reason of a request the server refused, or
// answered in no way to trust.
func refusal(o *partnero.Outcome, kind report.Kind) (report.Status, report.Reason) {
	switch o.Said {
	case partnero.Clash:
		return report.Rejected, clashOn(o.Field)
	case partnero.NoReferrer:
		switch kind {
		case report.Customers:
			return report.Rejected, report.PartnerNotFound
		case report.Transactions:
			return report.Rejected, report.CustomerNotFound
		}
		return report.Rejected, report.ReferringPartnerNotFound
	case partnero.NoCustomer:
		return report.Rejected, report.CustomerNotFound
	case partnero.Invalid:
		return report.Rejected, report.ValidationError
	case partnero.BadRequest, partnero.WrongAddress, partnero.Gone: // Gone: an update's partner deleted meanwhile
		return report.Rejected, report.BadRequest
	case partnero.KeyRefused:
		return report.Failed, report.Unauthorized
	case partnero.Forbidden:
		return report.Failed, report.Forbidden
	case partnero.Throttled:
		return report.Failed, report.RateLimited
	case partnero.Lost:
		return report.Failed, report.NetworkError
	}
	return report.Failed, report.ServerError // ServerFault
}

// clashOn is the reason of a value refused as another partner's.
func clashOn(field string) report.Reason {
	switch field {
	case "id":
		return report.IDExists
	case "key":
		return report.KeyExists
	}
	return report.EmailExists
}

// identifiedBy is the clash by which a record of kind is already there:
// a partner by its email, a customer or a transaction by its key.
func identifiedBy(kind report.Kind) report.Reason {
	if kind == report.Customers || kind == report.Transactions {
		return report.KeyExists
	}
	return report.EmailExists
}
