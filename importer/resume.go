package importer

import (
	"fmt"
	"hash/maphash"
	"strings"

	"github.com/partnero-import/partnero-import/importer/input"
	"github.com/partnero-import/partnero-import/report"
)

// Resume is what an earlier run's report says about each row.
type Resume struct {
	path  string
	prov  *report.Provenance // where and when the earlier run sent; nil in tests
	seed  maphash.Seed
	rows  map[int]prior        // by row: a map, so that a report claiming row 2,000,000,000 costs one entry
	done  map[int]*report.Line // rows the earlier run created or invited
	maxed int                  // the highest row in the report
	kind  report.Kind          // the report's: its rows are matched by email (partners) or key
}

type prior struct {
	id    uint64 // fingerprint of the lowercased email (partners) or key, to match the file
	state priorState
}

type priorState uint8

const (
	absent    priorState = iota // no line: maybe in flight when the run died
	finished                    // a line that needs no second look
	doneEarly                   // created or invited
	uncertain                   // failed: an attempt may have reached the server
)

// LoadResume reads an earlier run's report (a torn last line included),
// whose provenance prov says where and when its job sent rows.
func LoadResume(path string, prov *report.Provenance) (*Resume, error) {
	kind, err := report.KindOf(path)
	if err != nil {
		return nil, fmt.Errorf("--resume %s: %w", path, err)
	}
	r := &Resume{path: path, prov: prov, seed: maphash.MakeSeed(), rows: map[int]prior{}, done: map[int]*report.Line{}, kind: kind}
	err = report.Read(path, func(l report.Line) error {
		p := prior{id: r.fingerprint(r.identity(l.Email, l.Key)), state: finished}
		switch l.Status {
		case report.Created, report.Invited:
			p.state = doneEarly
			r.done[l.Row] = &l
		case report.Skipped:
			if l.Reason == report.AlreadyDone || l.Reason == report.AlreadyExists {
				p.state = doneEarly
				r.done[l.Row] = &l
			}
		case report.Failed:
			p.state = uncertain
		}
		r.rows[l.Row] = p
		r.maxed = max(r.maxed, l.Row)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("--resume %s: %w", path, err)
	}
	return r, nil
}

func (r *Resume) fingerprint(id string) uint64 {
	// The report shows an email or a key as Printable: the file's is compared alike.
	return maphash.String(r.seed, strings.ToLower(strings.TrimSpace(report.Printable(id))))
}

// identity is what a row of the report's kind is known by: a partner's
// email, a customer's or a transaction's key.
func (r *Resume) identity(email, key string) string {
	if r.kind == report.Partners {
		return email
	}
	return key
}

// check refuses a report of another file: each row it holds must have the
// same email (customers and transactions: key) as the file's row.
func (r *Resume) check(rec *input.Record) error {
	if r.rows[rec.Row].state == absent {
		return nil
	}
	if r.rows[rec.Row].id != r.fingerprint(r.identity(rec.Email, rec.Key)) {
		what, id := "email", rec.Email
		if r.kind != report.Partners {
			what, id = "key", rec.Key
		}
		return fmt.Errorf("--resume %s is not a report of this file: its row %d has another %s than the file's row %d (line %d), %q", r.path, rec.Row, what, rec.Row, rec.Line, id)
	}
	return nil
}

// checkRows refuses a report with rows the file does not have.
func (r *Resume) checkRows(rows int) error {
	if r.maxed > rows {
		return fmt.Errorf("--resume %s is not a report of this file: it has row %d, the file only %d", r.path, r.maxed, rows)
	}
	return nil
}

// marked reports an earlier run whose creates carried the job's mark,
// which this run carries on.
func (r *Resume) marked() bool { return r != nil && r.prov != nil && r.prov.Mark != "" }

// changedInput is a note when the file is not the one the earlier run read
// (its rows were still checked to be the same).
func (r *Resume) changedInput(sha string) string {
	if r == nil || r.prov == nil || r.prov.InputSHA256 == "" || r.prov.InputSHA256 == sha {
		return ""
	}
	return fmt.Sprintf("the file has changed since %s was written (its SHA-256 differs); its rows have the same emails, so the run goes on", r.path)
}

// isDone reports whether the earlier run created or invited the row.
func (r *Resume) isDone(row int) bool { return r != nil && r.done[row] != nil }

// maybeSent reports whether the earlier run may have sent the row without
// learning the outcome: no line (in flight when it died) or failed.
func (r *Resume) maybeSent(row int) bool {
	if r == nil {
		return false
	}
	s := r.rows[row].state
	return s == absent || s == uncertain
}

// doneLine is the report line of a row the earlier run finished. A
// partner that was already there stays already_exists: already_done with a
// partner id says the job made it, and rollback undoes those.
func (r *Resume) doneLine(row int) report.Line {
	l := *r.done[row]
	if l.Reason != report.AlreadyExists {
		l.Status, l.Reason = report.Skipped, report.AlreadyDone
	}
	l.HTTPStatus, l.Attempts = 0, 0
	done := "done by an earlier run (" + r.path + ")"
	if l.Reason == report.AlreadyExists && l.Message != "" {
		// What the earlier run said of the partner found (that it may be
		// the one its lost attempt made, that it is archived) stands.
		done += ": " + l.Message
	}
	l.Message = done
	return l
}
