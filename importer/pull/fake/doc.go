// Package fake serves other platforms' APIs as ../shared/sources/README.md
// describes them, for pull's tests and rehearsals: their authentication,
// paging, rate limits and the variations their documentation allows.
package fake
