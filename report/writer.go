package report

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Writer appends report lines to a file as rows finish. With FlushEach every
// line reaches the file before Write returns, so a killed run loses at most
// the rows in flight. Close rewrites the file sorted by row when lines were
// written out of order.
type Writer struct {
	path      string
	jsonl     bool
	f         *os.File
	buf       *bufio.Writer
	csv       *csv.Writer
	size      int64 // bytes written so far, header included
	flushEach bool

	inOrder bool // every line so far came after the one before it
	last    int  // the row of the last line
	cells   []string
}

// span is where one row's line is in the file, for the sorted rewrite.
type span struct {
	row int32
	n   int32
	off int64
}

// IsJSONL reports whether a report path gets JSON Lines rather than CSV.
func IsJSONL(path string) bool {
	return strings.EqualFold(filepath.Ext(path), ".jsonl")
}

// ErrLocked means another run holds the report.
var ErrLocked = errors.New("another partnero-import run is writing this report")

// Create locks, truncates or creates the report at path and writes the CSV
// header. The lock is held until Close.
func Create(path string, flushEach bool) (*Writer, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("cannot write the report: %w", err)
	}
	if err := lock(f); err != nil {
		f.Close()
		if errors.Is(err, ErrLocked) {
			return nil, fmt.Errorf("%w (%s): wait for it to end, or give another --report", ErrLocked, path)
		}
		return nil, fmt.Errorf("cannot lock the report: %w", err)
	}
	if err := f.Truncate(0); err != nil {
		f.Close()
		return nil, fmt.Errorf("cannot write the report: %w", err)
	}
	w := &Writer{path: path, jsonl: IsJSONL(path), f: f, flushEach: flushEach, inOrder: true}
	w.buf = bufio.NewWriterSize(countingWriter{w}, 64<<10)
	if !w.jsonl {
		// csv.NewWriter adopts w.buf as its own buffer (it is a large enough
		// bufio.Writer), so csv.Writer.Flush would be a write per line: only
		// w.flush decides when bytes reach the file.
		w.csv = csv.NewWriter(w.buf)
		if err := w.csv.Write(Header); err != nil {
			return nil, err
		}
	}
	return w, w.flush(true)
}

// Path is where the report is written.
func (w *Writer) Path() string { return w.path }

type countingWriter struct{ w *Writer }

func (c countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.f.Write(p)
	c.w.size += int64(n)
	return n, err
}

// Write appends one row's line.
func (w *Writer) Write(l *Line) error {
	if l.Row < w.last {
		w.inOrder = false
	}
	w.last = l.Row
	if w.jsonl {
		b, err := json.Marshal(l)
		if err != nil {
			return err
		}
		w.buf.Write(b)
		w.buf.WriteByte('\n')
	} else {
		w.cells = l.record(w.cells)
		if err := w.csv.Write(w.cells); err != nil {
			return fmt.Errorf("cannot write the report: %w", err)
		}
	}
	return w.flush(w.flushEach)
}

func (w *Writer) flush(now bool) error {
	if !now && w.buf.Available() > 4<<10 {
		return nil
	}
	if err := w.buf.Flush(); err != nil {
		return fmt.Errorf("cannot write the report: %w", err)
	}
	return nil
}

// Close flushes the report and, when rows finished out of order, rewrites it
// sorted by row (through a temporary file and a rename, so a crash during the
// rewrite leaves the unsorted but complete report in place).
func (w *Writer) Close() error {
	if err := w.flush(true); err != nil {
		w.f.Close()
		return err
	}
	if w.inOrder {
		return w.f.Close()
	}
	defer w.f.Close()
	return w.rewriteSorted()
}

func (w *Writer) rewriteSorted() error {
	index, header, err := w.spans()
	if err != nil {
		return fmt.Errorf("cannot sort the report: %w", err)
	}
	slices.SortStableFunc(index, func(a, b span) int { return int(a.row - b.row) })
	tmp, err := os.CreateTemp(filepath.Dir(w.path), ".report-*.tmp")
	if err != nil {
		return fmt.Errorf("cannot sort the report: %w", err)
	}
	defer os.Remove(tmp.Name())
	out := bufio.NewWriterSize(tmp, 64<<10)
	if _, err := io.Copy(out, io.NewSectionReader(w.f, 0, header)); err != nil {
		return fmt.Errorf("cannot sort the report: %w", err)
	}
	for _, s := range index {
		if _, err := io.Copy(out, io.NewSectionReader(w.f, s.off, int64(s.n))); err != nil {
			return fmt.Errorf("cannot sort the report: %w", err)
		}
	}
	if err := out.Flush(); err != nil {
		return fmt.Errorf("cannot sort the report: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("cannot sort the report: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("cannot sort the report: %w", err)
	}
	return os.Rename(tmp.Name(), w.path)
}

// spans reads the written report back for where each row's line is (kept
// no index while writing: most runs write in order and need none) and
// where the header ends.
func (w *Writer) spans() (index []span, header int64, err error) {
	r := bufio.NewReaderSize(io.NewSectionReader(w.f, 0, w.size), 64<<10)
	if w.jsonl {
		var off int64
		for {
			line, err := r.ReadSlice('\n')
			if len(line) > 0 {
				var l struct{ Row int32 }
				if json.Unmarshal(line, &l) == nil {
					index = append(index, span{row: l.Row, off: off, n: int32(len(line))})
				}
				off += int64(len(line))
			}
			if err == io.EOF {
				return index, 0, nil
			}
			if err != nil {
				return nil, 0, err
			}
		}
	}
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1
	if _, err := cr.Read(); err != nil {
		return nil, 0, err
	}
	header = cr.InputOffset()
	for from := header; ; {
		rec, err := cr.Read()
		if err == io.EOF {
			return index, header, nil
		}
		if err != nil {
			return nil, 0, err
		}
		row, _ := strconv.Atoi(rec[0])
		to := cr.InputOffset()
		index = append(index, span{row: int32(row), off: from, n: int32(to - from)})
		from = to
	}
}
