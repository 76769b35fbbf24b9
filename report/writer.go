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

	index   []span // where each row's line is, for the sorted rewrite
	inOrder bool
	cells   []string
}

type span struct {
	row int
	off int64
	n   int64
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
		w.csv = csv.NewWriter(w.buf)
		if err := w.csv.Write(Header); err != nil {
			return nil, err
		}
		w.csv.Flush()
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
	start := w.size + int64(w.buf.Buffered())
	if w.jsonl {
		b, err := json.Marshal(l)
		if err != nil {
			return err
		}
		w.buf.Write(b)
		w.buf.WriteByte('\n')
	} else {
		w.cells = l.record(w.cells)
		w.csv.Write(w.cells)
		w.csv.Flush()
		if err := w.csv.Error(); err != nil {
			return fmt.Errorf("cannot write the report: %w", err)
		}
	}
	end := w.size + int64(w.buf.Buffered())
	if n := len(w.index); n > 0 && w.index[n-1].row > l.Row {
		w.inOrder = false
	}
	w.index = append(w.index, span{row: l.Row, off: start, n: end - start})
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
	slices.SortStableFunc(w.index, func(a, b span) int { return a.row - b.row })
	tmp, err := os.CreateTemp(filepath.Dir(w.path), ".report-*.tmp")
	if err != nil {
		return fmt.Errorf("cannot sort the report: %w", err)
	}
	defer os.Remove(tmp.Name())
	out := bufio.NewWriterSize(tmp, 64<<10)
	headerEnd := int64(0)
	if len(w.index) > 0 {
		headerEnd = slices.MinFunc(w.index, func(a, b span) int { return int(a.off - b.off) }).off
	}
	if _, err := io.Copy(out, io.NewSectionReader(w.f, 0, headerEnd)); err != nil {
		return fmt.Errorf("cannot sort the report: %w", err)
	}
	for _, s := range w.index {
		if _, err := io.Copy(out, io.NewSectionReader(w.f, s.off, s.n)); err != nil {
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
