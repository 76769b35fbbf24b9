package importer

// validate --against: after the local checks, reads of Partnero say per
// row what an import would do. It runs the import's dispatcher (referrers
// before the partners they referred, the same pacing and concurrency), each
// row's create replaced by GET requests (partnero.Client.Foresee), so that
// its outcomes are the import's words: valid where the import would create,
// rejected/email_exists (skipped/already_exists with --skip-existing)
// where the partner is already there, rejected/id_exists, key_exists or
// referring_partner_not_found, and skipped/referring_partner_failed below
// a referrer of the file that would not be created. The report is a dry
// run's: nothing is sent.

import (
	"context"
	"fmt"
	"strings"

	"github.com/partnero-import/partnero-import/importer/partnero"
)

// WalkAbove is the number of rows above which the emails are looked up in
// one walk of the whole program's list (pages of 100) rather than by one
// search per row: five pages' worth. A walk costs a request per hundred
// partners of the program, a search at least one per row, and the size of
// the program is not known before it is walked.
const WalkAbove = 500

// Against counts what the reads found, for the summary line.
type Against struct {
	New, There, Archived, IDsTaken, KeysTaken, ReferrersMissing int
}

func against(ctx context.Context, cfg Config) (*Result, error) {
	cfg.reading = true
	return dispatch(ctx, cfg)
}

func (a *Against) count(o partnero.Outcome) {
	switch o.Foreseen {
	case partnero.WouldCreate:
		a.New++
	case partnero.AlreadyThere:
		a.There++
		if o.Archived {
			a.Archived++
		}
	case partnero.IDTaken:
		a.IDsTaken++
	case partnero.KeyTaken:
		a.KeysTaken++
	case partnero.ReferrerMissing:
		a.ReferrersMissing++
	}
}

// String is the summary line: "1,812 new, 131 already there (12
// archived), 3 keys taken, 2 referrers not found".
func (a *Against) String() string {
	parts := []string{grouped(a.New) + " new", grouped(a.There) + " already there"}
	if a.Archived > 0 {
		parts[1] += " (" + grouped(a.Archived) + " archived)"
	}
	for _, c := range []struct {
		n          int
		one, other string
	}{{a.IDsTaken, "id taken", "ids taken"}, {a.KeysTaken, "key taken", "keys taken"},
		{a.ReferrersMissing, "referrer not found", "referrers not found"}} {
		switch {
		case c.n == 1:
			parts = append(parts, "1 "+c.one)
		case c.n > 1:
			parts = append(parts, grouped(c.n)+" "+c.other)
		}
	}
	return strings.Join(parts, ", ")
}

// grouped writes n with thousands separated by commas: 1,812.
func grouped(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
