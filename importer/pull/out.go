package pull

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/partnero-import/partnero-import/importer"
	"github.com/partnero-import/partnero-import/report"
)

// The files of a pulled program, as import takes a DIR.
const (
	PartnersFile     = "partners.jsonl"
	CustomersFile    = "customers.jsonl"
	TransactionsFile = "transactions.jsonl"
	LeftOutFile      = "left-out.csv"
	// MarkerFile says a DIR is pull's: it may write over what is there.
	MarkerFile = ".partnero-pull"
	markerFile = MarkerFile
	// partialSuffix names a file being written: it is renamed into place
	// only when the pull read the whole program.
	partialSuffix = ".partial"
)

// LeftOutHeader is left-out.csv's header, as the contract fixes it.
var LeftOutHeader = []string{"source", "kind", "source_id", "email", "reason", "message"}

var outFiles = []string{PartnersFile, CustomersFile, TransactionsFile, LeftOutFile}

// Out writes a pulled program into a DIR, streaming: each record is
// written as it is read, to a file with a temporary name of this pull's
// own; Finish renames them into place. Until then the earlier pull's files
// are untouched: a pull that fails (Abort) leaves them as they were.
type Out struct {
	dir, source string
	id          string // this pull's, in its temporary names and the marker
	files       []*os.File
	bufs        []*bufio.Writer
	jsonl       []*json.Encoder // partners, customers, transactions
	leftOut     *csv.Writer
	Summary     Summary
	// Progress counts what was written so far; another goroutine may
	// read it while the pull goes on.
	Progress Progress
	done     bool
	// renaming: the marker says this pull is putting its files in
	// place, so its temporary files must stay whatever happens.
	renaming bool
}

// Create prepares DIR for source's program: it makes DIR when missing,
// refuses one holding files pull did not write (no marker of its own),
// and opens this pull's temporary files beside the earlier pull's, which
// it leaves alone.
func Create(dir, source string) (*Out, error) {
	if err := claim(dir); err != nil {
		return nil, err
	}
	o := &Out{dir: dir, source: source, id: newPullID(), Summary: newSummary(source)}
	for _, name := range outFiles {
		f, err := os.Create(o.temporary(name))
		if err != nil {
			o.Abort()
			return nil, fmt.Errorf("cannot write in %s: %v", dir, err)
		}
		b := bufio.NewWriter(f)
		o.files, o.bufs = append(o.files, f), append(o.bufs, b)
		if name == LeftOutFile {
			o.leftOut = csv.NewWriter(b)
		} else {
			e := json.NewEncoder(b)
			e.SetEscapeHTML(false)
			o.jsonl = append(o.jsonl, e)
		}
	}
	if err := o.leftOut.Write(LeftOutHeader); err != nil {
		o.Abort()
		return nil, err
	}
	return o, nil
}

// temporary is where this pull writes name until it is put in place.
func (o *Out) temporary(name string) string {
	return filepath.Join(o.dir, name+"."+o.id+partialSuffix)
}

// claim makes dir pull's: a new or empty DIR gets the marker; one with
// the marker is pull's already, and may hold besides pull's files what a
// validate or import of them wrote there (which pull never touches); any
// other is refused.
func claim(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("cannot make --out %s: %v", dir, err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("cannot read --out %s: %v", dir, err)
	}
	marked := slices.ContainsFunc(entries, func(e fs.DirEntry) bool { return e.Name() == markerFile })
	if _, _, err := readMarker(dir); errors.Is(err, ErrNotMarker) {
		return fmt.Errorf("--out %s holds files pull did not write (%s is not a pull's marker): give a new or empty directory", dir, markerFile)
	} else if err != nil {
		return fmt.Errorf("cannot read --out %s: %v", dir, err)
	}
	runs := runsOf(dir, entries)
	for _, e := range entries {
		if !marked || !isOurs(e.Name()) && !runs[e.Name()] {
			return fmt.Errorf("--out %s holds files pull did not write (%s): give a new or empty directory", dir, e.Name())
		}
	}
	if marked {
		return nil
	}
	return os.WriteFile(filepath.Join(dir, markerFile), []byte(markerHead), 0o644)
}

// Unclaim undoes claim on a DIR that holds nothing but the marker of a
// pull that never finished: the DIR is left as a pull that failed found
// it.
func Unclaim(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 1 || entries[0].Name() != markerFile {
		return
	}
	if _, state, err := readMarker(dir); err == nil && state == "" {
		os.Remove(filepath.Join(dir, markerFile))
	}
}

// runsOf are the files that validate or import, run on a DIR's files,
// wrote in it: each report (told by its content) with its provenance, its
// referrals and its retry file.
func runsOf(dir string, entries []fs.DirEntry) map[string]bool {
	runs := map[string]bool{}
	for _, e := range entries {
		if isOurs(e.Name()) || !report.IsReport(filepath.Join(dir, e.Name())) {
			continue
		}
		r := e.Name()
		runs[r], runs[report.ProvenancePath(r)], runs[report.ReferralsPath(r)] = true, true, true
		for _, format := range []string{"jsonl", "csv"} { // the program's files are JSON Lines; a CSV of a user's own
			runs[importer.RetryPath(r, format)] = true
		}
	}
	return runs
}

// isOurs reports whether name is a file pull writes in its DIR: the
// marker, a program's file, or one of them under a temporary name
// (name.ID.partial; name.partial from before pulls had IDs).
func isOurs(name string) bool {
	ours := func(n string) bool { return n == markerFile || slices.Contains(outFiles, n) }
	base, temporary := strings.CutSuffix(name, partialSuffix)
	if !temporary {
		return ours(name)
	}
	if ours(base) {
		return true
	}
	i := strings.LastIndexByte(base, '.')
	return i > 0 && ours(base[:i])
}

// Partner writes a partner.
func (o *Out) Partner(p *Partner) error {
	o.Summary.carried(KindPartner)
	o.Progress.Partners.Add(1)
	return o.jsonl[0].Encode(p)
}

// Customer writes a customer.
func (o *Out) Customer(c *Customer) error {
	o.Summary.carried(KindCustomer)
	o.Progress.Customers.Add(1)
	return o.jsonl[1].Encode(c)
}

// Transaction writes a transaction.
func (o *Out) Transaction(t *Transaction) error {
	o.Summary.carried(KindTransaction)
	if t.Currency == "" {
		o.Summary.NoCurrency++
	}
	o.Progress.Transactions.Add(1)
	return o.jsonl[2].Encode(t)
}

// LeaveOut writes a line of left-out.csv.
func (o *Out) LeaveOut(l LeftOut) error {
	o.Summary.leftOut(l.Kind, l.Reason)
	o.Progress.LeftOut.Add(1)
	row := []string{o.source, string(l.Kind), l.SourceID, l.Email, l.Reason, l.Message}
	for i := range row {
		row[i] = report.Neutral(row[i])
	}
	return o.leftOut.Write(row)
}

// Finish closes the files and puts them in place: the pull read the whole
// program. The marker says so before the first rename and after the last,
// so that a DIR whose renames a crash cut short is known for one
// (HalfReplaced) and never taken for a program.
func (o *Out) Finish() error {
	o.leftOut.Flush()
	err := o.leftOut.Error()
	for i, f := range o.files {
		err = errors.Join(err, o.bufs[i].Flush(), f.Sync(), f.Close())
	}
	if err != nil {
		o.Abort()
		return fmt.Errorf("cannot write in %s: %v", o.dir, err)
	}
	state := stateReplacing
	if broken, err := HalfReplaced(o.dir); err != nil || broken {
		state = stateReplacingBroken // the files there are two pulls' already
	}
	if err := writeMarker(o.dir, o.id, state); err != nil {
		o.Abort()
		return fmt.Errorf("cannot write in %s: %v", o.dir, err)
	}
	o.renaming = true
	for _, name := range slices.Backward(outFiles) {
		if err := os.Rename(o.temporary(name), filepath.Join(o.dir, name)); err != nil {
			return fmt.Errorf("cannot put %s in place: %v; %s holds files of two pulls until a pull finishes", name, err, o.dir)
		}
	}
	syncDir(o.dir)
	if err := writeMarker(o.dir, o.id, stateWhole); err != nil {
		return fmt.Errorf("cannot write in %s: %v", o.dir, err)
	}
	o.done = true
	o.removeLeftovers()
	return nil
}

// Abort closes and removes this pull's temporary files: a failed pull
// leaves the earlier pull's files, and the marker, as they were.
func (o *Out) Abort() {
	if o.done || o.renaming {
		return
	}
	for _, f := range o.files {
		f.Close()
	}
	for _, name := range outFiles {
		os.Remove(o.temporary(name))
	}
	o.done = true
}

// removeLeftovers removes the temporary files other pulls left behind
// (killed before they could): once this pull is in place, nothing needs
// them.
func (o *Out) removeLeftovers() {
	entries, err := os.ReadDir(o.dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), partialSuffix) && isOurs(e.Name()) {
			os.Remove(filepath.Join(o.dir, e.Name()))
		}
	}
}
