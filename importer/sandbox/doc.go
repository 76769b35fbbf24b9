// Package sandbox is a Partnero-compatible API for rehearsals and tests. It
// runs in-process on a free loopback port (import --sandbox and the tests) or
// as the sandbox command, keeps its partners in memory, and enforces the
// rules Partnero documents:
//
//   - bearer authentication (401 without a token, or with another one than
//     --api-key when that is set);
//   - POST /v1/partners: email required, a plain address, unique
//     case-insensitively; id and key unique; the password rule (8 characters,
//     a lowercase and an uppercase letter, a digit) when a password is given;
//     name and surname up to 100 characters, key up to 64, other text up to
//     255; a referring partner, given by id, key or email, must exist (400);
//   - POST /v1/partners:invite: email and name required; affiliate programs
//     only (403 in a referral program);
//   - GET /v1/partners/{id} and GET /v1/partners?limit=&page= (limit 1 to 250);
//   - a per-minute rate limit with X-RateLimit-Limit and X-RateLimit-Remaining
//     on every answer and 429 with Retry-After once it is spent.
//
// Answers have Partnero's shapes: {"data": ..., "status": 1} on success,
// Laravel's {"message", "errors": {field: [...]}} on 422.
//
// Where it differs from Partnero: the wording of messages is its own; keys
// are limited to letters, digits, dashes and underscores (Partnero puts keys
// in referral links; the exact rule is not published); ids and keys it
// generates are derived from the email, so that reports are reproducible.
package sandbox
