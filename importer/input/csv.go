package input

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/gocarina/gocsv"

	"github.com/partnero-import/partnero-import/importer/secret"
	"github.com/partnero-import/partnero-import/report"
)

// csvRow is what gocsv maps a record onto, once the header has been
// renamed to canonical field names: every kind's.
type csvRow struct {
	Email          string `csv:"email"`
	Name           string `csv:"name"`
	Surname        string `csv:"surname"`
	Password       string `csv:"password"`
	ID             string `csv:"id"`
	Key            string `csv:"key"`
	Tags           string `csv:"tags"`
	ReferringID    string `csv:"referring_partner_id"`
	ReferringKey   string `csv:"referring_partner_key"`
	ReferringEmail string `csv:"referring_partner_email"`
	Action         string `csv:"action"`
	PartnerKey     string `csv:"partner_key"`
	PartnerID      string `csv:"partner_id"`
	PartnerEmail   string `csv:"partner_email"`
	CustomerKey    string `csv:"customer_key"`
	CustomerEmail  string `csv:"customer_email"`
	Amount         string `csv:"amount"`
	AmountCents    string `csv:"amount_cents"`
	Currency       string `csv:"currency"`
	CreatedAt      string `csv:"created_at"`
	ProductID      string `csv:"product_id"`
	ProductType    string `csv:"product_type"`
	Reward         string `csv:"reward"`
	Rewarded       string `csv:"rewarded"`
	Rewardable     string `csv:"rewardable"`
}

type csvReader struct {
	csv        *csv.Reader
	capped     *capped
	columns    int
	row        int
	lineOffset int // lines before the header that csv.Reader did not see
	raw        *recorder
	header     []byte
	cols       []Column
	mapper     *mapper
	at         fieldIndex
	sel        *selector
	warnings   []string
}

func newCSVReader(text *bufio.Reader, delimiter rune, keepRaw bool, m *mapper) (*csvReader, error) {
	offset := 0
	if sep, ok := excelSeparatorLine(text); ok {
		offset = 1 // the header is on line 2: keep line numbers physical
		if delimiter == 0 {
			delimiter = sep
		}
	}
	if delimiter == 0 {
		delimiter = sniffDelimiter(text)
	}
	var rec *recorder
	var src io.Reader = text
	if keepRaw {
		rec = &recorder{r: text}
		src = rec
	}
	capped := &capped{r: src}
	cr := csv.NewReader(capped)
	cr.Comma = delimiter
	cr.LazyQuotes = true // exports often carry a stray quote inside a cell
	cr.ReuseRecord = true
	// gocsv reads the header itself; we then rename its columns.
	um, err := gocsv.NewUnmarshaller(cr, csvRow{})
	if err == io.EOF {
		return nil, errors.New("the file is empty: expected a header line")
	}
	if errors.Is(err, errRecordTooLong) {
		return nil, (&csvReader{}).tooLong()
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read the header: %w", err)
	}
	r := &csvReader{csv: cr, capped: capped, columns: len(um.Headers), lineOffset: offset, raw: rec}
	if rec != nil {
		r.header = rec.take(0, cr.InputOffset())
	}
	cols, err := m.columns(um.Headers)
	if err != nil {
		return nil, err
	}
	r.cols, r.mapper = cols, m
	fields := make([]string, len(cols))
	for i, c := range cols {
		fields[i] = c.Field
	}
	// gocsv maps the renamed header onto csvRow's tags and checks it; the
	// rows are then decoded by column index, without reflection per row
	// (the dry-run benchmark measured gocsv's per-row Read at several times
	// the cost of parsing).
	if err := um.RenormalizeHeaders(func([]string) []string { return fields }); err != nil {
		return nil, fmt.Errorf("cannot map the header: %w", err)
	}
	r.at, r.sel = columnIndex(fields, m.words.kind), m.sel
	return r, nil
}

func (r *csvReader) Warnings() []string {
	return append(r.mapper.columnWarnings(r.cols), r.warnings...)
}

func (r *csvReader) Columns() []Column { return r.cols }

func (r *csvReader) Header() []byte { return r.header }

func (r *csvReader) Next() (*Record, error) {
	for {
		from := r.csv.InputOffset()
		r.capped.start = from
		cells, err := r.csv.Read()
		if errors.Is(err, errRecordTooLong) {
			return nil, r.tooLong()
		}
		var raw []byte
		if r.raw != nil && err != io.EOF {
			raw = r.raw.take(from, r.csv.InputOffset())
		}
		if err == io.EOF {
			return nil, io.EOF
		}
		if err := r.swallowed(cells); err != nil {
			return nil, err
		}
		var perr *csv.ParseError
		if errors.As(err, &perr) {
			r.row++
			rec := &Record{Row: r.row, Line: perr.StartLine + r.lineOffset, Err: parseProblem(perr, r.columns, len(cells)), Raw: raw}
			// No field is read from a record of the wrong width: a cell
			// missing before the email would put a later column (a
			// password) in its place. The line number says whose row it is.
			return rec, nil
		}
		if err != nil {
			return nil, fmt.Errorf("cannot read the file: %w", err)
		}
		if blank(cells) {
			continue // a spreadsheet's blank row, skipped like a blank line
		}
		line, _ := r.csv.FieldPos(0)
		r.row++
		rec := &Record{Row: r.row, Line: line + r.lineOffset, Raw: raw}
		rec.Fields = r.at.fields(cells)
		if rec.Err = badCell(cells, r.cols); rec.Err != nil {
			rec.Fields = Fields{Email: cleanOnly(rec.Email)} // the row can still be found by its email
		}
		r.sel.apply(rec, func(j int) string { return cellAt(cells, j) })
		return rec, nil
	}
}

// maxRecord bounds one CSV record: encoding/csv holds a record whole, and
// one without an end (a quote never closed in a huge file) would take the
// file into memory. No partner's row comes near it.
const maxRecord = 16 << 20

var errRecordTooLong = errors.New("record too long")

// capped is the reader under csv.Reader: it fails once the record being
// read (from start, csv.Reader's input offset when it began) has taken
// more than maxRecord bytes.
type capped struct {
	r     io.Reader
	read  int64 // bytes read from r
	start int64 // input offset where the record being read begins
}

func (c *capped) Read(p []byte) (int, error) {
	if c.read-c.start > maxRecord {
		return 0, errRecordTooLong
	}
	n, err := c.r.Read(p)
	c.read += int64(n)
	return n, err
}

// tooLong is the fatal error for a record past maxRecord: its extent is
// unknown, so no later row can be told apart.
func (r *csvReader) tooLong() error {
	if r.row == 0 {
		return fmt.Errorf("the header or the first record is longer than %d MiB: a quote opened and never closed? The file cannot be read as it is", maxRecord>>20)
	}
	return fmt.Errorf("the record after row %d is longer than %d MiB: a quote opened and never closed? The file cannot be read as it is", r.row, maxRecord>>20)
}

// swallowed refuses a record with a cell that took in what look like rows
// of their own: a quote opened and never closed, which encoding/csv,
// lenient with stray quotes, reads on to the next quote or the end of the
// file. The rows in it would get no line of their own, so the file cannot
// be read as it is: a clear error, naming the line and the column.
func (r *csvReader) swallowed(cells []string) error {
	for i, c := range cells {
		if strings.IndexByte(c, '\n') < 0 {
			continue
		}
		rows := 0
		for _, l := range strings.Split(c, "\n")[1:] {
			if strings.Count(l, string(r.csv.Comma)) >= r.columns-1 && strings.Contains(l, "@") {
				rows++
			}
		}
		if rows == 0 {
			continue
		}
		line, _ := r.csv.FieldPos(i)
		column := fmt.Sprintf("column %d", i+1)
		if i < len(r.cols) {
			column = fmt.Sprintf("column %q", r.cols[i].Header)
		}
		return fmt.Errorf("line %d, %s: a quote opened there is never closed, and takes in %d lines after it that look like rows of their own: close or remove the quote",
			line+r.lineOffset, column, rows)
	}
	return nil
}

func parseProblem(err *csv.ParseError, columns, cells int) error {
	if errors.Is(err.Err, csv.ErrFieldCount) {
		return fmt.Errorf("wrong number of fields: %d, the header has %d", cells, columns)
	}
	return fmt.Errorf("cannot read the record: %v", err.Err)
}

// fieldIndex says, for each column a field is read from, how the cell
// goes into Fields.
type fieldIndex []columnSetter

type columnSetter struct {
	at  int
	set func(f *Fields, s string)
}

// columnIndex is the fieldIndex of a mapped header, for kind's fields.
func columnIndex(fields []string, kind report.Kind) fieldIndex {
	var at fieldIndex
	for i, f := range fields {
		if set := setterOf(f, kind); set != nil {
			at = append(at, columnSetter{i, set})
		}
	}
	return at
}

// setters put a field's text in Fields.
var setters = map[string]func(f *Fields, s string){
	fieldEmail:          func(f *Fields, s string) { f.Email = s },
	fieldName:           func(f *Fields, s string) { f.Name = s },
	fieldSurname:        func(f *Fields, s string) { f.Surname = s },
	fieldPassword:       func(f *Fields, s string) { f.Password = secret.New(s) },
	fieldID:             func(f *Fields, s string) { f.ID = s },
	fieldKey:            func(f *Fields, s string) { f.Key = s },
	fieldTags:           func(f *Fields, s string) { f.Tags = splitTags(s) },
	fieldReferringID:    func(f *Fields, s string) { f.ReferringID = s },
	fieldReferringKey:   func(f *Fields, s string) { f.ReferringKey = s },
	fieldReferringEmail: func(f *Fields, s string) { f.ReferringEmail = s },
	fieldAction:         func(f *Fields, s string) { f.Action = s },
	fieldPartnerKey:     func(f *Fields, s string) { f.PartnerKey = s },
	fieldPartnerID:      func(f *Fields, s string) { f.PartnerID = s },
	fieldPartnerEmail:   func(f *Fields, s string) { f.PartnerEmail = s },
	fieldCustomerKey:    func(f *Fields, s string) { f.CustomerKey = s },
	fieldCustomerEmail:  func(f *Fields, s string) { f.CustomerEmail = s },
	fieldAmount:         func(f *Fields, s string) { f.Amount = s },
	fieldAmountCents:    func(f *Fields, s string) { f.AmountCents = s },
	fieldCurrency:       func(f *Fields, s string) { f.Currency = s },
	fieldCreatedAt:      func(f *Fields, s string) { f.CreatedAt = s },
	fieldProductID:      func(f *Fields, s string) { f.ProductID = s },
	fieldProductType:    func(f *Fields, s string) { f.ProductType = s },
	fieldReward:         func(f *Fields, s string) { f.Reward = s },
	fieldRewarded:       func(f *Fields, s string) { f.Rewarded = s },
	fieldRewardable:     func(f *Fields, s string) { f.Rewardable = s },
}

// setTxAction: a transaction's action is its own (sale...), never the
// create or invite of a partner's row.
func setTxAction(f *Fields, s string) { f.TxAction = s }

// setterOf is how kind's field is put in Fields; nil for none.
func setterOf(field string, kind report.Kind) func(f *Fields, s string) {
	if field == fieldAction && kind == report.Transactions {
		return setTxAction
	}
	return setters[field]
}

// cellAt is cells[j] trimmed, or "" beyond the record's end.
func cellAt(cells []string, j int) string {
	if j < 0 || j >= len(cells) {
		return ""
	}
	return strings.TrimSpace(cells[j])
}

// fields reads a record's cells, trimmed; an empty cell is an absent
// value. The cells of a record read with ReuseRecord share one string per
// record, so nothing here copies.
func (at fieldIndex) fields(cells []string) Fields {
	var f Fields
	for _, c := range at {
		if s := cellAt(cells, c.at); s != "" {
			c.set(&f, s)
		}
	}
	return f
}

// excelSeparatorLine consumes the "sep=;" line that Excel writes before the
// header of some CSV exports, and returns its delimiter.
func excelSeparatorLine(text *bufio.Reader) (rune, bool) {
	head, _ := text.Peek(8)
	line, _, _ := bytes.Cut(head, []byte("\n"))
	line = bytes.TrimSuffix(line, []byte("\r"))
	if len(line) != 5 || !bytes.EqualFold(line[:4], []byte("sep=")) {
		return 0, false
	}
	sep := rune(line[4])
	text.Discard(len(line))
	if b, _ := text.Peek(2); bytes.HasPrefix(b, []byte("\r\n")) {
		text.Discard(2)
	} else if len(b) > 0 && b[0] == '\n' {
		text.Discard(1)
	}
	return sep, true
}

// sniffDelimiter picks the most frequent of , ; tab | on the header line,
// counting outside quotes; comma when none appears.
func sniffDelimiter(text *bufio.Reader) rune {
	head, _ := text.Peek(sniffSize)
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		head = head[:i]
	}
	counts := map[byte]int{}
	quoted := false
	for _, c := range head {
		switch c {
		case '"':
			quoted = !quoted
		case ',', ';', '\t', '|':
			if !quoted {
				counts[c]++
			}
		}
	}
	best, bestN := byte(','), 0
	for _, c := range []byte{',', ';', '\t', '|'} {
		if counts[c] > bestN {
			best, bestN = c, counts[c]
		}
	}
	return rune(best)
}

// recorder keeps the text csv.Reader has read since the end of the last
// record, so that each record's exact text can be cut out (for the retry
// file) by csv.Reader's input offsets.
type recorder struct {
	r    io.Reader
	buf  []byte
	base int64 // input offset of buf[0]
}

func (rc *recorder) Read(p []byte) (int, error) {
	n, err := rc.r.Read(p)
	rc.buf = append(rc.buf, p[:n]...)
	return n, err
}

// take returns the text between two input offsets, without the blank lines
// before it, and forgets everything before to.
func (rc *recorder) take(from, to int64) []byte {
	from, to = max(from-rc.base, 0), min(to-rc.base, int64(len(rc.buf)))
	if from > to {
		from = to
	}
	raw := bytes.TrimLeft(rc.buf[from:to], "\r\n")
	raw = append([]byte(nil), raw...)
	rc.buf = append(rc.buf[:0], rc.buf[to:]...)
	rc.base += to
	return raw
}
