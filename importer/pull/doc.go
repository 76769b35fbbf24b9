// Package pull reads a whole affiliate program from another platform's
// API (a Source) and writes the files import reads: DIR/partners.jsonl,
// customers.jsonl, transactions.jsonl, and DIR/left-out.csv, one line per
// source record not carried over and why (Out). It sends nothing to
// Partnero. Sources talk through one HTTP client (Client) that paces
// itself under the source's published limit, honours 429 and
// Retry-After, retries what may succeed later, ends a paging that
// repeats itself, and never lets a credential into an error.
package pull
