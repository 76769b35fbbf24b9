// Package input reads files of partners, customers or transactions
// (Options.Kind picks the fields and aliases; DetectKind tells the kind
// from a header) one record at a time: CSV (through
// encoding/csv for true line numbers and gocsv for mapping the header onto
// fields) and JSON Lines (through encoding/json). It sniffs the text encoding
// and the CSV delimiter, maps headers and their aliases onto the canonical
// fields, and turns a record it cannot read into a Record with Err set, so
// that reading goes on. The file is streamed, never loaded whole.
package input
