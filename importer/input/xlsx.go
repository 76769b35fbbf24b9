package input

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/partnero-import/partnero-import/importer/secret"
)

// xlsxReader reads a sheet through excelize's streaming row iterator, each
// cell as the spreadsheet shows it (its number format applied: no 1.0E+4 for
// an id, dates as dates). A workbook is a zip archive, so the file itself is
// read into memory (compressed); the sheet's rows are streamed.
type xlsxReader struct {
	book     *excelize.File
	rows     *excelize.Rows
	cols     []Column
	index    map[string]int // field → cell index
	width    int
	sheetRow int // the sheet's row number of the last row read
	row      int
	keepRaw  bool
	header   []byte
}

func newXLSXReader(r io.Reader, opts Options, m *mapper) (*xlsxReader, error) {
	br := bufio.NewReader(r)
	head, _ := br.Peek(8)
	book, err := excelize.OpenReader(br)
	if err != nil {
		if errors.Is(err, excelize.ErrWorkbookPassword) {
			return nil, errors.New("the spreadsheet is password-protected: save it without a password, or as CSV")
		}
		if isCompoundFile(head) {
			return nil, errOldExcel
		}
		return nil, fmt.Errorf("cannot open the spreadsheet: it is not an XLSX workbook, or it is damaged or password-protected (%v)", err)
	}
	sheet := opts.Sheet
	if sheet == "" {
		sheet = book.GetSheetName(0)
	} else if idx, _ := book.GetSheetIndex(sheet); idx < 0 {
		book.Close()
		return nil, fmt.Errorf("--sheet %q: the workbook has no such sheet (it has: %s)", sheet, strings.Join(book.GetSheetList(), ", "))
	}
	rows, err := book.Rows(sheet)
	if err != nil {
		book.Close()
		return nil, fmt.Errorf("cannot read sheet %q: %v", sheet, err)
	}
	x := &xlsxReader{book: book, rows: rows, keepRaw: opts.KeepRaw}
	headers, err := x.next()
	if err == io.EOF {
		book.Close()
		return nil, fmt.Errorf("sheet %q is empty: expected a header row", sheet)
	}
	if err != nil {
		book.Close()
		return nil, err
	}
	if x.cols, err = m.columns(headers); err != nil {
		book.Close()
		return nil, err
	}
	x.width, x.index = len(headers), map[string]int{}
	for i, c := range x.cols {
		if c.Field != "" {
			x.index[c.Field] = i
		}
	}
	if x.keepRaw {
		x.header = csvLine(headers)
	}
	return x, nil
}

// next returns the next row's cells, skipping rows with no text at all.
func (x *xlsxReader) next() ([]string, error) {
	for x.rows.Next() {
		x.sheetRow++
		cells, err := x.rows.Columns()
		if err != nil {
			return nil, fmt.Errorf("cannot read sheet row %d: %v", x.sheetRow, err)
		}
		if !blank(cells) {
			return cells, nil
		}
	}
	if err := x.rows.Error(); err != nil {
		return nil, fmt.Errorf("cannot read the sheet: %v", err)
	}
	return nil, io.EOF
}

func (x *xlsxReader) Next() (*Record, error) {
	cells, err := x.next()
	if err != nil {
		if err == io.EOF {
			x.rows.Close()
			x.book.Close()
		}
		return nil, err
	}
	x.row++
	rec := &Record{Row: x.row, Line: x.sheetRow}
	cell := func(field string) string {
		if i, ok := x.index[field]; ok && i < len(cells) {
			return strings.TrimSpace(cells[i])
		}
		return ""
	}
	rec.Fields = Fields{
		Email: cell(fieldEmail), Name: cell(fieldName), Surname: cell(fieldSurname),
		Password: secret.New(cell(fieldPassword)), ID: cell(fieldID), Key: cell(fieldKey),
		Tags: splitTags(cell(fieldTags)), ReferringID: cell(fieldReferringID), ReferringKey: cell(fieldReferringKey),
		ReferringEmail: cell(fieldReferringEmail), Action: cell(fieldAction),
	}
	if len(cells) > x.width && strings.TrimSpace(strings.Join(cells[x.width:], "")) != "" {
		rec.Err = fmt.Errorf("wrong number of fields: cells beyond the header's %d columns", x.width)
	}
	if err := controlIn(cells, x.cols); err != nil {
		rec.Fields, rec.Err = Fields{}, err
	}
	if x.keepRaw {
		rec.Raw = csvLine(cells)
	}
	return rec, nil
}

func (x *xlsxReader) Warnings() []string { return columnWarnings(x.cols) }
func (x *xlsxReader) Header() []byte     { return x.header }
func (x *xlsxReader) Columns() []Column  { return x.cols }

// csvLine is cells as one CSV record: the retry file of a workbook is CSV.
func csvLine(cells []string) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write(cells)
	w.Flush()
	return b.Bytes()
}
