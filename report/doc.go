// Package report owns the words of the outcome (statuses and reasons, as the
// contract spells them), the per-row report writers (CSV and JSON Lines,
// appended and flushed as rows finish, rewritten sorted by row at the end)
// and the run's summary.
package report
