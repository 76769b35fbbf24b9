// Package validate checks rows before anything is sent: the rules of one row
// on its own (Row), and the rules that need the whole file (Plan: repeated
// emails, ids and keys, referral loops, and rows whose referrer in the file
// will not be created).
package validate
