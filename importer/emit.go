package importer

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/partnero-import/partnero-import/importer/input"
	"github.com/partnero-import/partnero-import/importer/partnero"
	"github.com/partnero-import/partnero-import/validate"
)

// passwordSet stands for a row's password in what --emit writes: whether
// the row has one shows that the column was read, and nothing of the
// password itself does.
const passwordSet = "(set)"

// emitted is one row as an import would send it, for validate --emit: the
// fields of its create or invite call (an invite carries only the email and
// the names), with where it is in the file. Row comes first: the merge
// reads it back.
type emitted struct {
	Row       int                 `json:"row"`
	Line      int                 `json:"line"`
	Action    string              `json:"action"`
	Email     string              `json:"email"`
	ID        string              `json:"id,omitempty"`
	Key       string              `json:"key,omitempty"`
	Name      string              `json:"name,omitempty"`
	Surname   string              `json:"surname,omitempty"`
	Password  string              `json:"password,omitempty"`
	Tags      []string            `json:"tags,omitempty"`
	Referring *partnero.Referring `json:"referring_partner,omitempty"`
}

// emitLine is a row's line for --emit: what dispatch's send would send.
func emitLine(rec *input.Record, action string) ([]byte, error) {
	f := &rec.Fields
	e := emitted{Row: rec.Row, Line: rec.Line, Action: action, Email: validate.NormalEmail(f.Email), Name: f.Name, Surname: f.Surname}
	if action != validate.Invite {
		e.ID, e.Key, e.Tags = f.ID, f.Key, f.Tags
		if !f.Password.Empty() {
			e.Password = passwordSet
		}
		if f.HasReferrer() {
			e.Referring = &partnero.Referring{ID: f.ReferringID, Key: f.ReferringKey, Email: validate.NormalEmail(f.ReferringEmail)}
		}
	}
	b, err := json.Marshal(e)
	return append(b, '\n'), err
}

// emitter writes --emit's file. A dry run judges rows in two runs, each in
// file order: those it can judge at once, then those that waited for the
// end of the file. Each run goes to a temporary file of its own beside the
// output, and close merges them by row into the output: memory does not
// grow with the file, and the output appears whole or not at all.
type emitter struct {
	path  string
	runs  [2]*os.File
	bufs  [2]*bufio.Writer
	rows  int // lines written
	later bool
}

func newEmitter(path string) (*emitter, error) {
	if path == "" {
		return nil, nil
	}
	e := &emitter{path: path}
	for i := range e.runs {
		f, err := os.CreateTemp(filepath.Dir(path), ".partnero-import-emit-*")
		if err != nil {
			e.close(false)
			return nil, err
		}
		e.runs[i], e.bufs[i] = f, bufio.NewWriterSize(f, 64<<10)
	}
	return e, nil
}

// add writes a row's line to the current run.
func (e *emitter) add(line []byte) error {
	if e == nil {
		return nil
	}
	run := 0
	if e.later {
		run = 1
	}
	e.rows++
	_, err := e.bufs[run].Write(line)
	return err
}

// waited starts the second run: the rows that waited.
func (e *emitter) waited() {
	if e != nil {
		e.later = true
	}
}

// close merges the runs into the output when ok, and removes them.
func (e *emitter) close(ok bool) error {
	if e == nil {
		return nil
	}
	defer func() {
		for _, f := range e.runs {
			if f != nil {
				f.Close()
				os.Remove(f.Name())
			}
		}
	}()
	if !ok {
		return nil
	}
	out, err := os.CreateTemp(filepath.Dir(e.path), ".partnero-import-emit-*")
	if err != nil {
		return err
	}
	defer os.Remove(out.Name()) // after the rename, nothing is there
	err = e.merge(out)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(out.Name(), 0o644) // as the report: CreateTemp's is the owner's alone
	}
	if err == nil {
		err = os.Rename(out.Name(), e.path)
	}
	return err
}

// merge writes the two runs' lines in row order.
func (e *emitter) merge(out io.Writer) error {
	var rds [2]*bufio.Reader
	for i, f := range e.runs {
		if err := e.bufs[i].Flush(); err != nil {
			return err
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return err
		}
		rds[i] = bufio.NewReaderSize(f, 64<<10)
	}
	w := bufio.NewWriterSize(out, 64<<10)
	var lines [2][]byte
	next := func(i int) error {
		l, err := rds[i].ReadBytes('\n')
		if errors.Is(err, io.EOF) && len(l) == 0 {
			l, err = nil, nil
		}
		lines[i] = l
		return err
	}
	if err := errors.Join(next(0), next(1)); err != nil {
		return err
	}
	for lines[0] != nil || lines[1] != nil {
		i := 0
		if lines[0] == nil || (lines[1] != nil && rowOf(lines[1]) < rowOf(lines[0])) {
			i = 1
		}
		if _, err := w.Write(lines[i]); err != nil {
			return err
		}
		if err := next(i); err != nil {
			return err
		}
	}
	return w.Flush()
}

// rowOf reads the row of a line emitLine wrote: {"row":N,...
func rowOf(line []byte) int {
	rest := bytes.TrimPrefix(line, []byte(`{"row":`))
	end := bytes.IndexByte(rest, ',')
	n, _ := strconv.Atoi(string(rest[:max(end, 0)]))
	return n
}
