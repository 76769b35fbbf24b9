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
	"slices"
	"strconv"
	"strings"
)

// Read calls fn for each line of a report written by Writer, CSV or JSON
// Lines by the path's extension, of any kind: the kind is told from the
// CSV header or the JSON keys (KindOf). A killed run may leave its last
// line torn: an unreadable last line is ignored, an unreadable line before
// it is an error.
func Read(path string, fn func(Line) error) error {
	_, err := read(path, fn)
	return err
}

// errKnown stops a read once the kind is known.
var errKnown = errors.New("kind known")

// KindOf tells the kind of the report at path from its CSV header, or from
// the keys of its first JSON line; a JSON Lines report without a line is
// of its provenance's kind (partners without one).
func KindOf(path string) (Kind, error) {
	k, err := read(path, func(Line) error { return errKnown })
	if err != nil && !errors.Is(err, errKnown) {
		return "", err
	}
	if k == "" {
		if p, err := ReadProvenance(path); err == nil {
			return p.Kind.OrDefault(), nil
		}
		return Partners, nil
	}
	return k, nil
}

// read is Read, saying the report's kind ("" for JSON Lines without a line).
func read(path string, fn func(Line) error) (Kind, error) {
	f, err := openRegular(path)
	if err != nil {
		return "", fmt.Errorf("cannot read the report: %w", err)
	}
	defer f.Close()
	if IsJSONL(path) {
		return readJSONL(f, fn)
	}
	return readCSV(f, fn)
}

// kindOfHeader is the kind whose report has this CSV header, or "".
func kindOfHeader(header []string) Kind {
	for _, k := range Kinds {
		if slices.Equal(header, HeaderOf(k)) {
			return k
		}
	}
	return ""
}

func readCSV(r io.Reader, fn func(Line) error) (Kind, error) {
	cr := csv.NewReader(bufio.NewReader(capLines(r)))
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	kind := kindOfHeader(header)
	if err != nil || kind == "" {
		return "", errors.New("not a partnero-import report: its header differs")
	}
	layout := layouts[kind]
	var torn error
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return kind, nil // a torn last line is what a killed run leaves
		}
		if long := (*longLine)(nil); errors.As(err, &long) {
			return kind, fmt.Errorf("report %v", long)
		}
		if torn != nil {
			return kind, torn
		}
		l, perr := lineOf(layout, rec, err)
		if perr != nil {
			line, _ := cr.FieldPos(0)
			torn = fmt.Errorf("report line %d: %v", line, perr)
			continue
		}
		if err := fn(l); err != nil {
			return kind, err
		}
	}
}

// lineOf reads a CSV record of a report whose columns are layout.
func lineOf(layout []column, rec []string, err error) (Line, error) {
	if err != nil {
		return Line{}, err
	}
	if len(rec) != len(layout) {
		return Line{}, fmt.Errorf("%d fields, want %d", len(rec), len(layout))
	}
	var l Line
	var errs []error
	for i, c := range layout {
		switch {
		case c.number == nil && c.foreign:
			*c.text(&l) = fromNeutral(rec[i])
		case c.number == nil:
			*c.text(&l) = rec[i]
		case c.name == "http_status" && rec[i] == "":
		default:
			n, err := strconv.Atoi(rec[i])
			*c.number(&l) = n
			errs = append(errs, err)
		}
	}
	return l, errors.Join(errs...)
}

// kindOfKeys tells a JSON line's kind by the keys only its kind has.
func kindOfKeys(obj map[string]json.RawMessage) Kind {
	_, partner := obj["partner"]
	_, customer := obj["customer"]
	_, amount := obj["amount"]
	switch {
	case partner:
		return Customers
	case customer || amount:
		return Transactions
	}
	return Partners
}

func readJSONL(r io.Reader, fn func(Line) error) (Kind, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	var torn error
	var kind Kind
	for n := 1; sc.Scan(); n++ {
		if torn != nil {
			return kind, torn
		}
		var l Line
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil || l.Row < 1 {
			torn = fmt.Errorf("report line %d is not a report line", n)
			continue
		}
		if kind == "" {
			var obj map[string]json.RawMessage
			json.Unmarshal(sc.Bytes(), &obj) // it unmarshalled as a Line
			kind = kindOfKeys(obj)
		}
		if err := fn(l); err != nil {
			return kind, err
		}
	}
	return kind, sc.Err()
}

// IsReport reports whether the file at path begins as a report this tool
// writes: the CSV header's first columns, or a JSON line with the row first. An empty or
// missing file is none.
func IsReport(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	if IsJSONL(path) {
		return bytes.HasPrefix(head, []byte(`{"row":`))
	}
	// The first columns only: a report of an older version, with fewer
	// columns after these, is still a report to write over.
	for _, k := range Kinds {
		if bytes.HasPrefix(head, []byte(strings.Join(HeaderOf(k)[:3], ",")+",")) {
			return true
		}
	}
	return false
}
