package report

import (
	"strings"

	"github.com/partnero-import/partnero-import/printable"
)

// Printable is s with what a terminal or a viewer would act on, rather
// than show, written as an escape (printable.String): the report's cells
// are read in terminals and viewers.
func Printable(s string) string { return printable.String(s) }

// A spreadsheet opening the CSV report takes a cell that starts with one
// of these for a formula (OWASP, "CSV Injection"): =HYPERLINK(...) as a
// partner id would be a live link.
const formulaStarts = "=+-@\t\r"

// neutral is a CSV cell that no spreadsheet takes for a formula: one that
// would start a formula gets a single quote in front, as OWASP advises.
// So does one that is quotes before such a start ('=x), so that fromNeutral
// can tell the quote it added from one that was there.
func neutral(s string) string {
	if startsFormula(s) {
		return "'" + s
	}
	return s
}

// fromNeutral undoes neutral exactly: the quote is taken off only where
// neutral put it.
func fromNeutral(s string) string {
	if strings.HasPrefix(s, "'") && startsFormula(s[1:]) {
		return s[1:]
	}
	return s
}

func startsFormula(s string) bool {
	s = strings.TrimLeft(s, "'")
	return s != "" && strings.IndexByte(formulaStarts, s[0]) >= 0
}

// Neutral is a CSV cell of another file this tool writes (pull's
// left-out.csv), printable and safe from formulas as a report's are.
func Neutral(s string) string { return neutral(Printable(s)) }
