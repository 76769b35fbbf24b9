package importer

import (
	"bufio"
	"encoding/binary"
	"io"
	"os"

	"github.com/partnero-import/partnero-import/report"
	"github.com/partnero-import/partnero-import/validate"
)

// waitingRow is what the dry run keeps of a row that names a referrer, to
// judge it once the whole file is known: its report line but the verdict,
// its problems so far, and its text for the retry file.
type waitingRow struct {
	row, line     int
	email, action string
	problems      []validate.Problem
	raw           []byte
	emit          []byte // its line for --emit, should it be valid
	names         string // its record's names for a run's later files, joined by \x00; "" in a run of one file
}

// waiting holds the waiting rows in a temporary file, so that the input is
// read once and memory does not grow with it. The file holds the rows'
// text, passwords included: os.CreateTemp makes it readable by its owner
// only, and it is unlinked as soon as it is made.
type waiting struct {
	f   *os.File
	w   *bufio.Writer
	buf []byte
}

func (wt *waiting) add(r *waitingRow) error {
	if wt.f == nil {
		f, err := os.CreateTemp("", "partnero-import-*.waiting")
		if err != nil {
			return err
		}
		// Gone from the directory at once where the system allows it (the
		// open file stays readable), so a killed run leaves no passwords
		// behind; close removes it elsewhere.
		os.Remove(f.Name())
		wt.f, wt.w = f, bufio.NewWriterSize(f, 64<<10)
	}
	b := binary.AppendUvarint(wt.buf[:0], uint64(r.row))
	b = binary.AppendUvarint(b, uint64(r.line))
	b = appendText(b, r.email)
	b = appendText(b, r.action)
	b = binary.AppendUvarint(b, uint64(len(r.problems)))
	for _, p := range r.problems {
		b = appendText(b, string(p.Reason))
		b = appendText(b, p.Message)
	}
	b = appendText(b, string(r.raw))
	b = appendText(b, string(r.emit))
	b = appendText(b, r.names)
	wt.buf = b
	_, err := wt.w.Write(b)
	return err
}

func appendText(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// each calls fn for every waiting row, in the order they were added. The
// row's raw text is only valid during the call.
func (wt *waiting) each(fn func(*waitingRow) error) error {
	if wt.f == nil {
		return nil
	}
	if err := wt.w.Flush(); err != nil {
		return err
	}
	if _, err := wt.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	rd := &textReader{r: bufio.NewReaderSize(wt.f, 64<<10)}
	var r waitingRow
	for {
		row, err := binary.ReadUvarint(rd.r)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		r.row, r.line = int(row), int(rd.uvarint())
		r.email, r.action = rd.text(), rd.text()
		r.problems = r.problems[:0]
		for n := rd.uvarint(); n > 0; n-- {
			r.problems = append(r.problems, validate.Problem{Reason: report.Reason(rd.text()), Message: rd.text()})
		}
		r.raw = rd.bytes(r.raw)
		r.emit = rd.bytes(r.emit)
		r.names = rd.text()
		if rd.err != nil {
			return rd.err
		}
		if err := fn(&r); err != nil {
			return err
		}
	}
}

// close removes the file.
func (wt *waiting) close() {
	if wt.f != nil {
		wt.f.Close()
		os.Remove(wt.f.Name())
	}
}

// textReader reads what add wrote, keeping the first error.
type textReader struct {
	r       *bufio.Reader
	scratch []byte
	err     error
}

func (t *textReader) uvarint() uint64 {
	n, err := binary.ReadUvarint(t.r)
	if t.err == nil && err != nil {
		t.err = io.ErrUnexpectedEOF
	}
	return n
}

func (t *textReader) bytes(buf []byte) []byte {
	n := t.uvarint()
	if n == 0 || t.err != nil {
		return nil // as the reader gives a row without kept text
	}
	buf = append(buf[:0], make([]byte, n)...)
	if _, err := io.ReadFull(t.r, buf); err != nil && t.err == nil {
		t.err = io.ErrUnexpectedEOF
	}
	return buf
}

func (t *textReader) text() string {
	b := t.bytes(t.scratch)
	if b != nil {
		t.scratch = b
	}
	return string(b)
}
