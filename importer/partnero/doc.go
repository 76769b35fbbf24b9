// Package partnero is the client of the Partnero API as this tool uses it:
// create, invite, update, archive, delete and restore partners, each call
// paced by one shared limiter, retried on throttling and server errors, and
// every answer classified by one pure function, Classify.
//
// The client reports what the server said (Said, said.go: done, refused
// because a field's value is another partner's, not found, throttled,
// lost...), never the report's words: it does not import the report.
// importer/outcome.go turns what it said, and what the row asked, into the
// report's status and reason.
//
// Nobody on the project can reach the real API, so the client assumes only
// what Partnero's documentation, its seed page, its old reference, its PHP
// SDK and its n8n node agree on (../shared/partnero-api/README.md), and
// copes with every answer they allow: any 2xx that does not deny success,
// the partner under data or elsewhere, ids of any type, referral links as
// strings or objects, errors in Laravel's shape or any other and in nine
// languages, pages followed by links.next or page numbers and bounded,
// search compared exactly or replaced by a walk of the list, rate limits
// advertised or not. The table of each assumption, its source and how the
// client copes is written for users in `partnero-import help api`
// (cmd/partnero-import/topics/api.txt); keep the two true together.
//
// After a lost answer the truth is in a lookup (lookup.go), and a partner
// found is the job's only when it carries the job's mark (mark.go). No
// clock is read and no idempotency key is sent: none is documented.
package partnero
