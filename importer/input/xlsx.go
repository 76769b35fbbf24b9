package input

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// xlsxReader reads a sheet through excelize's streaming row iterator, each
// cell as the spreadsheet shows it (its number format applied: no 1.0E+4 for
// an id, dates as dates). A workbook is a zip archive, so the file itself is
// read into memory (compressed); the sheet's rows are streamed.
type xlsxReader struct {
	book     *excelize.File
	rows     *excelize.Rows
	cols     []Column
	mapper   *mapper
	at       fieldIndex
	width    int
	sheetRow int // the sheet's row number of the last row read
	row      int
	keepRaw  bool
	header   []byte
	notes    []string // which sheet was read, and why
	sel      *selector
}

func newXLSXReader(r io.Reader, opts Options, m *mapper) (*xlsxReader, error) {
	zipped, err := readWorkbook(r) // excelize reads it all too; the caps are checked from it
	if err != nil {
		return nil, err
	}
	if isCompoundFile(zipped) {
		if encryptedPackage(zipped) {
			return nil, errors.New("the spreadsheet is password-protected: save it without a password, or as CSV")
		}
		return nil, errOldExcel
	}
	if err := checkWorkbook(zipped); err != nil {
		return nil, err
	}
	book, err := excelize.OpenReader(bytes.NewReader(zipped), excelize.Options{UnzipSizeLimit: maxUnzipped, UnzipXMLSizeLimit: excelizeSpill})
	if err != nil {
		return nil, fmt.Errorf("cannot open the spreadsheet: it is not an XLSX workbook, or it is damaged (%q)", err.Error())
	}
	var notes []string
	sheet := opts.Sheet
	if sheet == "" {
		sheet = firstVisibleSheet(book)
		if len(book.GetSheetList()) > 1 {
			notes = append(notes, fmt.Sprintf("read sheet %q of %d (--sheet reads another)", sheet, len(book.GetSheetList())))
		}
		if sheet != book.GetSheetName(0) {
			notes = append(notes, fmt.Sprintf("sheet %q is hidden: read %q, the first one shown", book.GetSheetName(0), sheet))
		}
	} else if idx, _ := book.GetSheetIndex(sheet); idx < 0 {
		book.Close()
		return nil, fmt.Errorf("--sheet %q: the workbook has no such sheet (it has: %s)", sheet, strings.Join(book.GetSheetList(), ", "))
	}
	rows, err := book.Rows(sheet)
	if err != nil {
		book.Close()
		return nil, fmt.Errorf("cannot read sheet %q: %v", sheet, err)
	}
	x := &xlsxReader{book: book, rows: rows, keepRaw: opts.KeepRaw, notes: notes, mapper: m, sel: m.sel}
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
	fields := make([]string, len(x.cols))
	for i, c := range x.cols {
		fields[i] = c.Field
	}
	x.width, x.at = len(headers), columnIndex(fields, m.words.kind)
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
	rec.Fields = x.at.fields(cells)
	if len(cells) > x.width && strings.TrimSpace(strings.Join(cells[x.width:], "")) != "" {
		rec.Err = fmt.Errorf("wrong number of fields: cells beyond the header's %d columns", x.width)
	}
	if err := badCell(cells, x.cols); err != nil {
		rec.Fields, rec.Err = Fields{Email: cleanOnly(rec.Email)}, err // the row can still be found by its email
	}
	if err := x.shownWrong(cells); err != nil && rec.Err == nil {
		rec.Err = err
	}
	x.sel.apply(rec, func(j int) string { return cellAt(cells, j) })
	if x.keepRaw {
		// A sheet leaves a row's empty trailing cells out: the retry file's
		// row has the header's width, or it could not be read back.
		if len(cells) < x.width {
			cells = append(cells, make([]string, x.width-len(cells))...)
		}
		rec.Raw = csvLine(cells)
	}
	return rec, nil
}

func (x *xlsxReader) Warnings() []string { return append(x.mapper.columnWarnings(x.cols), x.notes...) }

// shownWrong refuses cells a spreadsheet shows as something other than the
// value: an error (#N/A), or an identifier it keeps as a number and shows
// in scientific notation (a spreadsheet keeps 15 digits: an id of 19 was
// rounded, and 1.23456789012346E+18 would be sent as it is).
func (x *xlsxReader) shownWrong(cells []string) error {
	for i, c := range cells {
		if i >= len(x.cols) || x.cols[i].Field == "" {
			continue
		}
		c = strings.TrimSpace(c)
		col := x.cols[i]
		switch {
		case spreadsheetError(c):
			return fmt.Errorf("column %q: the cell is an error (%s), not a value", col.Header, c)
		case identifier(col.Field) && scientific(c):
			return fmt.Errorf("column %q: %s is a number the spreadsheet rounded (it keeps 15 digits): store ids and keys as text", col.Header, c)
		}
	}
	return nil
}

func spreadsheetError(c string) bool {
	switch strings.ToUpper(c) {
	case "#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NULL!", "#NUM!", "#SPILL!", "#CALC!", "#GETTING_DATA":
		return true
	}
	return false
}

func identifier(field string) bool {
	return field == fieldID || field == fieldKey || field == fieldReferringID || field == fieldReferringKey
}

// scientific reports a number shown as 1.2345E+18.
func scientific(c string) bool {
	mant, exp, ok := strings.Cut(strings.ToUpper(c), "E")
	if !ok || exp == "" || mant == "" {
		return false
	}
	if _, err := strconv.ParseFloat(mant, 64); err != nil {
		return false
	}
	_, err := strconv.Atoi(exp)
	return err == nil
}

// encryptedPackage reports a compound file holding an encrypted workbook
// (its stream "EncryptedPackage", named in UTF-16), not an old .xls.
func encryptedPackage(b []byte) bool {
	name := []byte("E\x00n\x00c\x00r\x00y\x00p\x00t\x00e\x00d\x00P\x00a\x00c\x00k\x00a\x00g\x00e\x00")
	return bytes.Contains(b, name)
}

// firstVisibleSheet is the first sheet a person sees opening the workbook.
func firstVisibleSheet(book *excelize.File) string {
	for _, name := range book.GetSheetList() {
		if visible, err := book.GetSheetVisible(name); err == nil && visible {
			return name
		}
	}
	return book.GetSheetName(0)
}

func (x *xlsxReader) Header() []byte    { return x.header }
func (x *xlsxReader) Columns() []Column { return x.cols }

// csvLine is cells as one CSV record: the retry file of a workbook is CSV.
func csvLine(cells []string) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write(cells)
	w.Flush()
	return b.Bytes()
}
