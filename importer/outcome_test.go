package importer

import (
	"testing"

	"github.com/partnero-import/partnero-import/importer/partnero"
	"github.com/partnero-import/partnero-import/report"
)

// Each thing the server can say of each kind of row, in the report's words
// (CONTRACT.md).
func TestReportOf(t *testing.T) {
	t.Parallel()
	var (
		create  = asked{action: "create"}
		invite  = asked{action: "invite"}
		skip    = asked{action: "create", skip: true}
		skipInv = asked{action: "invite", skip: true}
		archive = asked{action: "archive"}
		remove  = asked{action: "delete"}
		restore = asked{action: "restore"}
		sale    = asked{kind: report.Transactions, action: "create"}
		client  = asked{kind: report.Customers, action: "create"}
	)
	type said struct {
		said     partnero.Said
		field    string
		unproven string
	}
	tests := []struct {
		name   string
		asked  asked
		said   said
		status report.Status
		reason report.Reason
	}{
		// import: create or invite (--update-existing's rows are creates
		// or invites that may say Updated or Unchanged)
		{"created", create, said{said: partnero.Done}, report.Created, ""},
		{"invited", invite, said{said: partnero.Done}, report.Invited, ""},
		{"email taken", create, said{said: partnero.Clash, field: "email"}, report.Rejected, report.EmailExists},
		{"invite of an email taken", invite, said{said: partnero.Clash, field: "email"}, report.Rejected, report.EmailExists},
		{"id taken", create, said{said: partnero.Clash, field: "id"}, report.Rejected, report.IDExists},
		{"key taken", create, said{said: partnero.Clash, field: "key"}, report.Rejected, report.KeyExists},
		{"no referrer", create, said{said: partnero.NoReferrer}, report.Rejected, report.ReferringPartnerNotFound},
		{"invalid", create, said{said: partnero.Invalid}, report.Rejected, report.ValidationError},
		{"bad request", create, said{said: partnero.BadRequest}, report.Rejected, report.BadRequest},
		{"wrong address", create, said{said: partnero.WrongAddress}, report.Rejected, report.BadRequest},
		{"key refused", create, said{said: partnero.KeyRefused}, report.Failed, report.Unauthorized},
		{"forbidden", invite, said{said: partnero.Forbidden}, report.Failed, report.Forbidden},
		{"throttled", create, said{said: partnero.Throttled}, report.Failed, report.RateLimited},
		{"server fault", create, said{said: partnero.ServerFault}, report.Failed, report.ServerError},
		{"lost", create, said{said: partnero.Lost}, report.Failed, report.NetworkError},
		{"lost, a partner found not shown to be the job's", create, said{said: partnero.Lost, unproven: "p1"}, report.Failed, report.NetworkError},
		{"server fault, a partner found", create, said{said: partnero.ServerFault, unproven: "p1"}, report.Failed, report.ServerError},
		{"stopped", create, said{said: partnero.Stopped}, report.Skipped, report.Aborted},
		{"updated", create, said{said: partnero.Updated}, report.Updated, ""},
		{"invite updated", invite, said{said: partnero.Updated}, report.Updated, ""},
		{"unchanged", create, said{said: partnero.Unchanged}, report.Skipped, report.Unchanged},
		{"the partner to update went", create, said{said: partnero.Gone}, report.Rejected, report.BadRequest},
		{"nothing said is no success", create, said{}, report.Failed, report.ServerError},

		// import --skip-existing
		{"skip: created", skip, said{said: partnero.Done}, report.Created, ""},
		{"skip: invited", skipInv, said{said: partnero.Done}, report.Invited, ""},
		{"skip: email taken", skip, said{said: partnero.Clash, field: "email"}, report.Skipped, report.AlreadyExists},
		{"skip: invite of an email taken", skipInv, said{said: partnero.Clash, field: "email"}, report.Skipped, report.AlreadyExists},
		{"skip: id taken is no partner of this email", skip, said{said: partnero.Clash, field: "id"}, report.Rejected, report.IDExists},
		{"skip: lost, a partner found", skip, said{said: partnero.Lost, unproven: "p1"}, report.Skipped, report.AlreadyExists},
		{"skip: server fault, a partner found", skip, said{said: partnero.ServerFault, unproven: "p1"}, report.Skipped, report.AlreadyExists},
		{"skip: lost, none found", skip, said{said: partnero.Lost}, report.Failed, report.NetworkError},
		{"skip: no referrer", skip, said{said: partnero.NoReferrer}, report.Rejected, report.ReferringPartnerNotFound},
		{"skip: stopped", skip, said{said: partnero.Stopped}, report.Skipped, report.Aborted},

		// validate --against
		{"against: clear", create, said{said: partnero.Clear}, report.Valid, ""},
		{"against: an invite, clear", invite, said{said: partnero.Clear}, report.Valid, ""},
		{"against: email taken", create, said{said: partnero.Clash, field: "email"}, report.Rejected, report.EmailExists},
		{"against: id taken", create, said{said: partnero.Clash, field: "id"}, report.Rejected, report.IDExists},
		{"against: key taken", create, said{said: partnero.Clash, field: "key"}, report.Rejected, report.KeyExists},
		{"against: no referrer", create, said{said: partnero.NoReferrer}, report.Rejected, report.ReferringPartnerNotFound},
		{"against --skip-existing: email taken", skip, said{said: partnero.Clash, field: "email"}, report.Skipped, report.AlreadyExists},
		{"against --skip-existing: clear", skip, said{said: partnero.Clear}, report.Valid, ""},

		// customers and transactions
		{"customer: no partner", client, said{said: partnero.NoReferrer}, report.Rejected, report.PartnerNotFound},
		{"customer: key taken", client, said{said: partnero.Clash, field: "key"}, report.Rejected, report.KeyExists},
		{"sale: created", sale, said{said: partnero.Done}, report.Created, ""},
		{"sale: key there already, nothing sent", sale, said{said: partnero.Found}, report.Skipped, report.AlreadyExists},
		{"sale: no customer", sale, said{said: partnero.NoCustomer}, report.Rejected, report.CustomerNotFound},
		{"sale: lost", sale, said{said: partnero.Lost}, report.Failed, report.NetworkError},

		// rollback
		{"archived", archive, said{said: partnero.Done}, report.Archived, ""},
		{"archive: gone", archive, said{said: partnero.Gone}, report.Skipped, report.AlreadyGone},
		{"archive: already archived", archive, said{said: partnero.Already}, report.Skipped, report.AlreadyGone},
		{"archive: not ours", archive, said{said: partnero.NotOurs}, report.Skipped, report.Changed},
		{"archive: refused", archive, said{said: partnero.BadRequest}, report.Failed, report.BadRequest},
		{"archive: not found at its address", archive, said{said: partnero.WrongAddress}, report.Failed, report.BadRequest},
		{"archive: invalid", archive, said{said: partnero.Invalid}, report.Failed, report.ValidationError},
		{"archive: lost", archive, said{said: partnero.Lost}, report.Failed, report.NetworkError},
		{"archive: server fault", archive, said{said: partnero.ServerFault}, report.Failed, report.ServerError},
		{"archive: throttled", archive, said{said: partnero.Throttled}, report.Failed, report.RateLimited},
		{"archive: key refused", archive, said{said: partnero.KeyRefused}, report.Failed, report.Unauthorized},
		{"archive: forbidden", archive, said{said: partnero.Forbidden}, report.Failed, report.Forbidden},
		{"archive: stopped", archive, said{said: partnero.Stopped}, report.Skipped, report.Aborted},
		{"deleted", remove, said{said: partnero.Done}, report.Deleted, ""},
		{"delete: gone", remove, said{said: partnero.Gone}, report.Skipped, report.AlreadyGone},
		{"delete: already deleted", remove, said{said: partnero.Already}, report.Skipped, report.AlreadyGone},
		{"delete: not ours", remove, said{said: partnero.NotOurs}, report.Skipped, report.Changed},
		{"delete: refused", remove, said{said: partnero.BadRequest}, report.Failed, report.BadRequest},
		{"restored", restore, said{said: partnero.Done}, report.Restored, ""},
		{"restore: already active", restore, said{said: partnero.Already}, report.Skipped, report.AlreadyRestored},
		{"restore: deleted", restore, said{said: partnero.Gone}, report.Skipped, report.Gone},
		{"restore: not ours", restore, said{said: partnero.NotOurs}, report.Skipped, report.Changed},
		{"restore: refused", restore, said{said: partnero.BadRequest}, report.Failed, report.BadRequest},
		{"restore: lost", restore, said{said: partnero.Lost}, report.Failed, report.NetworkError},
		{"restore: stopped", restore, said{said: partnero.Stopped}, report.Skipped, report.Aborted},
	}
	for _, tt := range tests {
		o := partnero.Outcome{Verdict: partnero.Verdict{Said: tt.said.said, Field: tt.said.field}, Unproven: tt.said.unproven}
		status, reason := reportOf(&o, tt.asked)
		if status != tt.status || reason != tt.reason {
			t.Errorf("%s: %v %q → %s/%s, want %s/%s", tt.name, tt.said.said, tt.said.field, status, reason, tt.status, tt.reason)
		}
	}
}

// A partner the server stored, or holds as the row asked, is never
// reported failed or rejected, whatever the row asked.
func TestReportOfStoredSucceeds(t *testing.T) {
	t.Parallel()
	for _, a := range []asked{{action: "create"}, {action: "invite"}, {action: "create", skip: true}, {action: "invite", skip: true},
		{action: "archive"}, {action: "delete"}, {action: "restore"}} {
		for _, s := range []partnero.Said{partnero.Done, partnero.Updated, partnero.Unchanged} {
			if s != partnero.Done && a.action != "create" && a.action != "invite" {
				continue // updates are an import's
			}
			o := partnero.Outcome{Verdict: partnero.Verdict{Said: s}}
			if status, reason := reportOf(&o, a); !report.Succeeded(status, reason) {
				t.Errorf("%+v, %v: %s/%s", a, s, status, reason)
			}
		}
	}
}
