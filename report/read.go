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
// Lines by the path's extension. A killed run may leave its last line torn:
// an unreadable last line is ignored, an unreadable line before it is an
// error.
func Read(path string, fn func(Line) error) error {
	f, err := openRegular(path)
	if err != nil {
		return fmt.Errorf("cannot read the report: %w", err)
	}
	defer f.Close()
	if IsJSONL(path) {
		return readJSONL(f, fn)
	}
	return readCSV(f, fn)
}

func readCSV(r io.Reader, fn func(Line) error) error {
	cr := csv.NewReader(bufio.NewReader(capLines(r)))
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil || !slices.Equal(header, Header) {
		return errors.New("not a partnero-import report: its header differs")
	}
	var torn error
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil // a torn last line is what a killed run leaves
		}
		if long := (*longLine)(nil); errors.As(err, &long) {
			return fmt.Errorf("report %v", long)
		}
		if torn != nil {
			return torn
		}
		l, perr := lineOf(rec, err)
		if perr != nil {
			line, _ := cr.FieldPos(0)
			torn = fmt.Errorf("report line %d: %v", line, perr)
			continue
		}
		if err := fn(l); err != nil {
			return err
		}
	}
}

func lineOf(rec []string, err error) (Line, error) {
	if err != nil {
		return Line{}, err
	}
	if len(rec) != len(Header) {
		return Line{}, fmt.Errorf("%d fields, want %d", len(rec), len(Header))
	}
	var l Line
	var errs [4]error
	l.Row, errs[0] = strconv.Atoi(rec[0])
	l.Line, errs[1] = strconv.Atoi(rec[1])
	l.Email, l.Action, l.Status, l.Reason = fromNeutral(rec[2]), rec[3], Status(rec[4]), Reason(rec[5])
	if rec[6] != "" {
		l.HTTPStatus, errs[2] = strconv.Atoi(rec[6])
	}
	l.Message, l.PartnerID, l.ReferralLink = fromNeutral(rec[7]), fromNeutral(rec[8]), fromNeutral(rec[9])
	l.Attempts, errs[3] = strconv.Atoi(rec[10])
	return l, errors.Join(errs[:]...)
}

func readJSONL(r io.Reader, fn func(Line) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	var torn error
	for n := 1; sc.Scan(); n++ {
		if torn != nil {
			return torn
		}
		var l Line
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil || l.Row < 1 {
			torn = fmt.Errorf("report line %d is not a report line", n)
			continue
		}
		if err := fn(l); err != nil {
			return err
		}
	}
	return sc.Err()
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
	return bytes.HasPrefix(head, []byte(strings.Join(Header[:3], ",")+","))
}
