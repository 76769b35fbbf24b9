package report

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Writer appends report lines to a file as rows finish. With FlushEach every
// line reaches the file before Write returns, so a killed run loses at most
// the rows in flight. Close rewrites the file sorted by row when lines were
// written out of order.
type Writer struct {
	path      string
	kind      Kind // the provenance's; partners without one
	jsonl     bool
	f         *os.File
	buf       *bufio.Writer
	csv       *csv.Writer
	size      int64 // bytes written so far, header included
	header    int64 // bytes of the header
	flushEach bool

	last  int // the row of the last line
	cells []string
	json  []byte // a JSON line, reused
	// Where each line is, kept as lines are written (8 bytes a row) so
	// that the sorted rewrite need not parse the report back, and where
	// each run of lines in row order starts. A dry run writes two runs
	// (the rows judged at once, then the rows that waited for the end of
	// the file), which merge in one sequential pass.
	lines []span
	runs  []int // index in lines of each run's first line

	prov *Provenance // written beside the report; nil for none
	// notes are added to the messages of rows already written (a partner
	// id the server gave another row too); the sorted rewrite at Close puts
	// them in. Rare: a map.
	notes map[int32]string
}

// span is one line of the report: its row and its length in bytes.
type span struct {
	row int32
	n   int32
}

// IsJSONL reports whether a report path gets JSON Lines rather than CSV.
func IsJSONL(path string) bool {
	return strings.EqualFold(filepath.Ext(path), ".jsonl")
}

// ErrLocked means another run holds the report.
var ErrLocked = errors.New("another partnero-import run is writing this report")

// Create locks, truncates or creates the report at path and writes the CSV
// header, and its provenance beside it unless prov is nil. The report is
// of the provenance's Kind (partners when nil or ""). The lock is held
// until Close.
func Create(path string, flushEach bool, prov *Provenance) (*Writer, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("cannot write the report: %w", err)
	}
	if err := lock(f, false); err != nil {
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
	w := &Writer{path: path, kind: Partners, jsonl: IsJSONL(path), f: f, flushEach: flushEach, runs: []int{0}, prov: prov}
	if prov != nil {
		w.kind = prov.Kind.OrDefault()
		if w.kind == Partners {
			prov.Kind = "" // a partners provenance reads as it always has
		}
		// Before any row: a killed run's report still says where it sent.
		prov.Report, prov.Finished = path, false
		if err := prov.write(); err != nil {
			f.Close()
			return nil, err
		}
	}
	w.buf = bufio.NewWriterSize(countingWriter{w}, 64<<10)
	if !w.jsonl {
		// csv.NewWriter adopts w.buf as its own buffer (it is a large enough
		// bufio.Writer), so csv.Writer.Flush would be a write per line: only
		// w.flush decides when bytes reach the file.
		w.csv = csv.NewWriter(w.buf)
		if err := w.csv.Write(HeaderOf(w.kind)); err != nil {
			return nil, err
		}
	}
	if err := w.flush(true); err != nil {
		return nil, err
	}
	w.header = w.size
	return w, nil
}

// Note records what the run learned in the report's provenance (the
// input's SHA-256, the run's start in the server's clock...) and writes it
// again; without provenance it does nothing.
func (w *Writer) Note(update func(*Provenance)) error {
	if w.prov == nil {
		return nil
	}
	update(w.prov)
	return w.prov.write()
}

// Amend adds note to the message of row's line, already written: the line
// gets it when Close rewrites the report. A run killed before then leaves
// the line as it was.
func (w *Writer) Amend(row int, note string) {
	if w.notes == nil {
		w.notes = map[int32]string{}
	}
	if old := w.notes[int32(row)]; old != "" {
		note = old + "; " + note
	}
	w.notes[int32(row)] = note
}

// Kind is the kind of rows the report tells of.
func (w *Writer) Kind() Kind { return w.kind }

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
		w.runs = append(w.runs, len(w.lines))
	}
	w.last = l.Row
	l = l.printable()
	from := w.offset()
	if w.jsonl {
		w.json = append(l.appendJSON(w.kind, w.json[:0]), '\n')
		w.buf.Write(w.json)
	} else {
		w.cells = l.record(w.kind, w.cells)
		if err := w.csv.Write(w.cells); err != nil {
			return fmt.Errorf("cannot write the report: %w", err)
		}
	}
	w.lines = append(w.lines, span{row: int32(l.Row), n: int32(w.offset() - from)})
	return w.flush(w.flushEach)
}

// offset is where the next byte goes in the file.
func (w *Writer) offset() int64 { return w.size + int64(w.buf.Buffered()) }

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
	if err := w.Note(func(p *Provenance) { p.Finished, p.EndedAt = true, time.Now().UTC() }); err != nil {
		w.f.Close()
		return err
	}
	if len(w.runs) == 1 && len(w.notes) == 0 {
		return w.f.Close() // in order already
	}
	defer w.f.Close()
	if err := w.rewriteSorted(); err != nil {
		return fmt.Errorf("%w: %w", ErrUnsorted, err)
	}
	return nil
}

// ErrUnsorted is a Close that wrote every line but could not rewrite the
// report in row order (a full disk has no room for the sorted copy): the
// report is complete, in the order rows finished.
var ErrUnsorted = errors.New("the report holds every row but could not be sorted by row")

// createTemp makes the sorted rewrite's file; tests make it fail.
var createTemp = os.CreateTemp

// mergeRuns is the most runs merged in one pass, each through a buffer of
// its own; a report with more (an import's rows finish in the order their
// answers come) is sorted by its index instead.
const mergeRuns = 16

func (w *Writer) rewriteSorted() error {
	tmp, err := createTemp(filepath.Dir(w.path), ".report-*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	// The sorted report keeps the mode the report had (0644 when new, or
	// what the user gave it), not the temporary file's 0600.
	if st, err := w.f.Stat(); err == nil {
		if err := tmp.Chmod(st.Mode().Perm()); err != nil {
			return err
		}
	}
	out := bufio.NewWriterSize(tmp, 64<<10)
	if _, err := io.Copy(out, io.NewSectionReader(w.f, 0, w.header)); err != nil {
		return err
	}
	if len(w.runs) <= mergeRuns {
		err = w.merge(out)
	} else {
		err = w.copySorted(out)
	}
	if err != nil {
		return err
	}
	if err := out.Flush(); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), w.path)
}

// run is one run of lines in row order, read in sequence.
type run struct {
	lines []span
	r     *bufio.Reader
}

// merge writes the runs' lines to out in row order (on a tie, the line
// written first), reading each run once from start to end.
func (w *Writer) merge(out *bufio.Writer) error {
	runs := make([]run, len(w.runs))
	off := w.header
	for i, first := range w.runs {
		end := len(w.lines)
		if i+1 < len(w.runs) {
			end = w.runs[i+1]
		}
		size := int64(0)
		for _, s := range w.lines[first:end] {
			size += int64(s.n)
		}
		runs[i] = run{w.lines[first:end], bufio.NewReaderSize(io.NewSectionReader(w.f, off, size), 64<<10)}
		off += size
	}
	var line []byte
	for {
		next := -1
		for i := range runs {
			if len(runs[i].lines) > 0 && (next < 0 || runs[i].lines[0].row < runs[next].lines[0].row) {
				next = i
			}
		}
		if next < 0 {
			return nil
		}
		r := &runs[next]
		row := r.lines[0].row
		line = slices.Grow(line[:0], int(r.lines[0].n))[:r.lines[0].n]
		r.lines = r.lines[1:]
		if _, err := io.ReadFull(r.r, line); err != nil {
			return err
		}
		if err := w.put(out, row, line); err != nil {
			return err
		}
	}
}

// copySorted writes the lines to out in row order (on a tie, the line
// written first), reading each where the index says it is.
func (w *Writer) copySorted(out *bufio.Writer) error {
	type placed struct {
		span
		off int64
	}
	order := make([]placed, len(w.lines))
	off := w.header
	for i, s := range w.lines {
		order[i] = placed{s, off}
		off += int64(s.n)
	}
	slices.SortStableFunc(order, func(a, b placed) int { return int(a.row - b.row) })
	var line []byte
	for _, p := range order {
		line = slices.Grow(line[:0], int(p.n))[:p.n]
		if _, err := w.f.ReadAt(line, p.off); err != nil {
			return err
		}
		if err := w.put(out, p.row, line); err != nil {
			return err
		}
	}
	return nil
}

// put writes one line to the sorted report, with the notes its row got
// after it was written.
func (w *Writer) put(out *bufio.Writer, row int32, line []byte) error {
	note, ok := w.notes[row]
	if !ok {
		_, err := out.Write(line)
		return err
	}
	var l Line
	var err error
	if w.jsonl {
		err = json.Unmarshal(line, &l)
	} else {
		rec, rerr := csv.NewReader(bytes.NewReader(line)).Read()
		l, err = lineOf(layouts[w.kind], rec, rerr)
	}
	if err != nil {
		return err
	}
	if l.Message != "" {
		note = l.Message + "; " + note
	}
	l.Message = note
	if w.jsonl {
		out.Write(l.appendJSON(w.kind, nil))
		return out.WriteByte('\n')
	}
	cw := csv.NewWriter(out)
	cw.Write(l.record(w.kind, nil))
	cw.Flush()
	return cw.Error()
}

// Busy reports whether a run is writing the report at path (it holds the
// report's lock): a later run must wait, not take another name.
func Busy(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close() // releases the lock taken to test it
	return errors.Is(lock(f, false), ErrLocked)
}
