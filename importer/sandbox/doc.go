// Package sandbox is a Partnero-compatible API for rehearsals and tests. It
// runs in-process on a free loopback port (import --sandbox and the tests) or
// as the sandbox command, keeps its partners in memory, and imitates what
// Partnero documents (shared/partnero-api/README.md), as strictly as it can:
//
//   - bearer authentication (401 without a token, or with another one than
//     --api-key when that is set);
//   - POST /v1/partners: email required, a plain address, unique
//     case-insensitively; id and key unique; the password rule (8 characters,
//     a lowercase and an uppercase letter, a digit) when a password is given;
//     name and surname up to 100 characters, key up to 64, other text up to
//     255; a referring partner, given by id, key or email, must exist (400);
//   - POST /v1/partners:invite: email and name required; affiliate programs
//     only (403 in a referral program); the partner is pending;
//   - GET /v1/partners/{id} by id only; GET /v1/partners?limit=&page= (limit
//     1 to 250, default 15, at most 100 a page) with links and meta but no
//     total; GET /v1/partners:search?email= (or key=, id=) with partial
//     matches;
//   - PUT /v1/partners/{id} with {"update": {...}} (or PUT /v1/partners naming
//     the partner by email or key); POST /v1/partners/{id}/archive and
//     /revoke-archive (400 "Action failed" when there is nothing to do);
//     DELETE /v1/partners/{id} (or by email or key), which frees the email;
//   - customers (customers.go): POST /v1/customers, key required and unique
//     (422 "Duplicate key"), partner {key | id | email} required in an
//     affiliate program (400 "Invalid partner key" when not there); GET
//     /v1/customers/{key} by key, id or email; the list, paged, filtered by
//     partner; :search?email=; PUT (flat or under "update"); archive,
//     revoke-archive and DELETE;
//   - transactions (transactions.go): POST /v1/transactions, amount (a JSON
//     number, kept digit for digit) or reward, amount_units, created_at as
//     Unix seconds (or a date-time, as n8n sends), customer {key | email}
//     who must be there; GET /v1/transactions?key= and /{key}; archive,
//     revoke-archive and DELETE of every transaction under a key;
//   - GET /v1/test, which official clients use to check a key;
//   - a per-minute rate limit with X-RateLimit-Limit and X-RateLimit-Remaining
//     on every answer and 429 with Retry-After once it is spent.
//
// Answers have the documented shapes: {"data": ..., "status": 1} on success
// ({"status": 1} alone for archive, restore and delete), partner objects
// without a key field (the key shows only in referral_link), list items with
// only the list fields, Laravel's {"message", "errors": {field: [...]}} on
// 422.
//
// Where the documentation is silent or its sources disagree, Options.Vary
// (sandbox --vary SEED) picks one plausible answer per run: 200 or 201,
// referral_links as strings or objects, ids as strings, numbers or escaped,
// extra or missing fields, the wording and language of errors, 409 for
// clashes, page sizes and links, rate-limit headers, Retry-After, the Date
// header and the server's clock; for customers and transactions, a
// repeated transaction key stored again (as Partnero's n8n node warns) or
// refused, partner in answers as an object or a key, created_at as a number
// or a string (with the partners'), list filters spelled partner.key or
// partner_key (the other spelling ignored), an unknown customer's status.
//
// Where it differs from Partnero: its messages are its own; keys are limited
// to letters, digits, dashes and underscores (Partnero puts keys in referral
// links; the exact rule is not published); ids and keys it generates are
// derived from the email (unless ids are numbers), so that reports are
// reproducible.
package sandbox
