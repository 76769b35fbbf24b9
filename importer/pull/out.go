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

	"github.com/partnero-import/partnero-import/report"
)

// The files of a pulled program, as import takes a DIR.
const (
	PartnersFile     = "partners.jsonl"
	CustomersFile    = "customers.jsonl"
	TransactionsFile = "transactions.jsonl"
	LeftOutFile      = "left-out.csv"
	// markerFile says a DIR is pull's: it may write over what is there.
	markerFile = ".partnero-pull"
	// partialSuffix names a file being written: it is renamed into place
	// only when the pull read the whole program.
	partialSuffix = ".partial"
)

// LeftOutHeader is left-out.csv's header, as the contract fixes it.
var LeftOutHeader = []string{"source", "kind", "source_id", "email", "reason", "message"}

var outFiles = []string{PartnersFile, CustomersFile, TransactionsFile, LeftOutFile}

// Out writes a pulled program into a DIR, streaming: each record is
// written as it is read, to a file with a temporary name; Finish renames
// them into place. A pull that fails (Abort) leaves no program's files.
type Out struct {
	dir, source string
	files       []*os.File
	bufs        []*bufio.Writer
	jsonl       []*json.Encoder // partners, customers, transactions
	leftOut     *csv.Writer
	Summary     Summary
	done        bool
}

// Create prepares DIR for source's program: it makes DIR when missing,
// refuses one holding files pull did not write (no marker of its own),
// and removes the program files of an earlier pull there, so that a pull
// that fails never leaves a DIR looking complete.
func Create(dir, source string) (*Out, error) {
	if err := claim(dir); err != nil {
		return nil, err
	}
	o := &Out{dir: dir, source: source, Summary: newSummary()}
	for _, name := range outFiles {
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("cannot remove the earlier pull's %s: %v", name, err)
		}
		f, err := os.Create(filepath.Join(dir, name+partialSuffix))
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

// claim makes dir pull's: a new or empty DIR gets the marker; one with
// the marker is pull's already; any other is refused.
func claim(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("cannot make --out %s: %v", dir, err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("cannot read --out %s: %v", dir, err)
	}
	marked := slices.ContainsFunc(entries, func(e fs.DirEntry) bool { return e.Name() == markerFile })
	for _, e := range entries {
		if !marked || !isOurs(e.Name()) {
			return fmt.Errorf("--out %s holds files pull did not write (%s): give a new or empty directory", dir, e.Name())
		}
	}
	if marked {
		return nil
	}
	return os.WriteFile(filepath.Join(dir, markerFile), []byte("written by partnero-import pull: it may write over the files here\n"), 0o644)
}

// isOurs reports whether name is a file pull writes in its DIR.
func isOurs(name string) bool {
	return name == markerFile || slices.Contains(outFiles, strings.TrimSuffix(name, partialSuffix))
}

// Partner writes a partner.
func (o *Out) Partner(p *Partner) error {
	o.Summary.carried(KindPartner)
	return o.jsonl[0].Encode(p)
}

// Customer writes a customer.
func (o *Out) Customer(c *Customer) error {
	o.Summary.carried(KindCustomer)
	return o.jsonl[1].Encode(c)
}

// Transaction writes a transaction.
func (o *Out) Transaction(t *Transaction) error {
	o.Summary.carried(KindTransaction)
	return o.jsonl[2].Encode(t)
}

// LeaveOut writes a line of left-out.csv.
func (o *Out) LeaveOut(l LeftOut) error {
	o.Summary.leftOut(l.Kind, l.Reason)
	row := []string{o.source, string(l.Kind), l.SourceID, l.Email, l.Reason, l.Message}
	for i := range row {
		row[i] = report.Neutral(row[i])
	}
	return o.leftOut.Write(row)
}

// Finish closes the files and renames them into place: the pull read the
// whole program.
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
	// Left-out first, partners last: import takes a DIR by its
	// program's files.
	for _, name := range slices.Backward(outFiles) {
		if err := os.Rename(filepath.Join(o.dir, name+partialSuffix), filepath.Join(o.dir, name)); err != nil {
			o.Abort()
			return fmt.Errorf("cannot write %s: %v", name, err)
		}
	}
	o.done = true
	return nil
}

// Abort closes and removes what was written: a failed pull leaves the
// marker and nothing that looks like a program.
func (o *Out) Abort() {
	if o.done {
		return
	}
	for _, f := range o.files {
		f.Close()
	}
	for _, name := range outFiles {
		os.Remove(filepath.Join(o.dir, name+partialSuffix))
		os.Remove(filepath.Join(o.dir, name))
	}
	o.done = true
}
