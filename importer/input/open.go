package input

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/encoding/unicode/utf32"
	"golang.org/x/text/transform"

	"github.com/partnero-import/partnero-import/report"
)

// Formats the readers understand.
const (
	CSV   = "csv"
	JSONL = "jsonl"
	XLSX  = "xlsx"
)

// Options say how to read a file; zero values mean "find out".
type Options struct {
	Format    string // csv, jsonl or xlsx
	Delimiter rune   // 0: sniffed among , ; tab |
	Encoding  string // "": BOM, then UTF-8, then Windows-1252
	// KeepRaw keeps each record's text in Record.Raw (for the retry file).
	KeepRaw bool
	Map     map[string]string // field → header, from --map
	Preset  string            // another platform's export, from --preset
	Ignore  []string          // headers left out, from --ignore-column
	// Guard stops on a header the file probably means otherwise: an export
	// read without its preset, a preset whose key, referrer or name finds no
	// column, a header a typo away from a field (see guard.go).
	Guard bool
	// AnyPreset reads a file that looks like a platform's export (see
	// guard.go) with that platform's preset, unasked: for a fixture such
	// as the sandbox's preload, where a program's own export is the
	// natural file and nothing is sent from it.
	AnyPreset bool
	Sheet     string // XLSX: the sheet; "" for the first
	// Name is the file's path, for advice that names it; "" for standard
	// input.
	Name string
	// Where keeps only the rows that meet every condition (--where); the
	// others are read with Record.Filtered set.
	Where []Condition
	// SplitName splits a full name in the name column at its last space
	// into name and surname (--split-name).
	SplitName bool
	// Kind is the kind of record the file holds: it picks the canonical
	// fields and their aliases (see kinds.go). "" is partners.
	Kind report.Kind
}

// Reader yields a file's records one at a time.
type Reader interface {
	reader
	// StopReason, after the last record, says why an import must not
	// send the file: a --where value no row holds, or status columns that mark
	// rows the source probably did not want (pending, denied...) with no
	// --where to say which to import; "" when none does.
	StopReason() string
}

// reader is what each format's reader does.
type reader interface {
	// Next returns the next record, io.EOF after the last one, or an error
	// that stops the run (the file cannot be read at all).
	Next() (*Record, error)
	// Warnings are notes about the file as a whole (unknown columns...),
	// each given once.
	Warnings() []string
	// Header is the text of the header line with KeepRaw, or nil.
	Header() []byte
	// Columns tells how each column was understood (nil for JSON Lines).
	Columns() []Column
}

// FormatOf picks the format from a file name's extension.
func FormatOf(path string) (string, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv", ".txt", ".tsv":
		return CSV, nil
	case ".jsonl", ".ndjson":
		return JSONL, nil
	case ".xlsx":
		return XLSX, nil
	case ".xls":
		return "", fmt.Errorf("%q is named as an old Excel (.xls) workbook, which this tool cannot read: save it as .xlsx or CSV (or, if it is text, such as a CSV export named .xls, give --format csv)", filepath.Base(path))
	case ".json":
		return "", fmt.Errorf("%q: a .json file may be JSON Lines (one object per line: use --format jsonl) or one JSON array (%s)", filepath.Base(path), jsonAdvice(path, "'.[]'"))
	}
	return "", fmt.Errorf("cannot tell the format of %q from its extension: use --format csv, jsonl or xlsx", filepath.Base(path))
}

// The advice for the files people often mistake for ones this tool reads.
var errOldExcel = errors.New("the file is an old Excel (.xls) workbook, which this tool cannot read: open it in Excel or LibreOffice and save it as .xlsx or CSV")

// jsonAdvice is the jq command that makes the file at path JSON Lines,
// with filter: '.[]' for an array, . for objects spread over lines.
func jsonAdvice(path, filter string) string {
	in, out := "partners.json", "partners.jsonl"
	if path != "" && path != "-" {
		in = path
		out = strings.TrimSuffix(path, filepath.Ext(path)) + ".jsonl"
		if out == path {
			out = strings.TrimSuffix(path, filepath.Ext(path)) + ".lines.jsonl"
		}
	}
	return fmt.Sprintf("make it JSON Lines first, for example: jq -c %s %s > %s", filter, ShellQuote(in), ShellQuote(out))
}

// ShellQuote quotes a word for a POSIX shell when it needs it.
func ShellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./+@:,=") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// ParseFormat checks a --format value.
func ParseFormat(s string) (string, error) {
	switch f := strings.ToLower(s); f {
	case CSV, JSONL, XLSX:
		return f, nil
	case "ndjson":
		return JSONL, nil
	}
	return "", fmt.Errorf("unknown --format %q: use csv, jsonl or xlsx", s)
}

// ParseDelimiter checks a --delimiter value: one character, or "tab".
func ParseDelimiter(s string) (rune, error) {
	switch strings.ToLower(s) {
	case "tab", `\t`:
		return '\t', nil
	}
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 || n != len(s) || r == '"' || r == '\r' || r == '\n' || r == utf8.RuneError {
		return 0, fmt.Errorf("--delimiter must be one character (or \"tab\"), not %q", s)
	}
	return r, nil
}

var encodings = map[string]encoding.Encoding{
	"utf-8": unicode.UTF8, "utf8": unicode.UTF8,
	"utf-16le":     unicode.UTF16(unicode.LittleEndian, unicode.UseBOM),
	"utf-16be":     unicode.UTF16(unicode.BigEndian, unicode.UseBOM),
	"utf-32le":     utf32.UTF32(utf32.LittleEndian, utf32.UseBOM),
	"utf-32be":     utf32.UTF32(utf32.BigEndian, utf32.UseBOM),
	"windows-1252": charmap.Windows1252, "cp1252": charmap.Windows1252,
}

// ParseEncoding checks an --encoding value.
func ParseEncoding(s string) (string, error) {
	name := strings.ToLower(s)
	if _, ok := encodings[name]; !ok {
		return "", fmt.Errorf("unknown --encoding %q: use utf-8, utf-16le, utf-16be, utf-32le, utf-32be or windows-1252", s)
	}
	return name, nil
}

// Open starts reading r as opts say.
func Open(r io.Reader, opts Options) (Reader, error) {
	m, err := newMapper(opts)
	if err != nil {
		return nil, err
	}
	rd, err := open(r, opts, m)
	if err != nil {
		return nil, err
	}
	return selected{rd, m.sel}, nil
}

func open(r io.Reader, opts Options, m *mapper) (reader, error) {
	switch opts.Format {
	case CSV, JSONL:
	case XLSX:
		return newXLSXReader(r, opts, m)
	default:
		return nil, fmt.Errorf("unknown format %q", opts.Format)
	}
	text, note, bom, err := decodeText(r, opts.Encoding)
	if err != nil {
		return nil, err
	}
	var rd reader
	if opts.Format == JSONL {
		if err := notJSONLines(text, opts.Name); err != nil {
			return nil, err
		}
		if rd, err = newJSONLReader(text, opts.KeepRaw, m); err != nil {
			return nil, err
		}
	} else {
		c, err := newCSVReader(text, opts.Delimiter, opts.KeepRaw, m)
		if err != nil {
			return nil, err
		}
		if bom && c.header != nil {
			// The retry file starts as the input did: a spreadsheet tells
			// UTF-8 (which the retry file is) from Windows-1252 by its BOM.
			c.header = append([]byte("\ufeff"), c.header...)
		}
		rd = c
	}
	if note != "" {
		return noted{rd, note}, nil
	}
	return rd, nil
}

// noted is a reader with one more warning, first.
type noted struct {
	reader
	note string
}

func (n noted) Warnings() []string { return append([]string{n.note}, n.reader.Warnings()...) }

const sniffSize = 64 << 10

// decodeText returns r as UTF-8 without a byte order mark. Unless forced, a
// BOM decides; otherwise text that is not valid UTF-8 is read as Windows-1252,
// the usual encoding of spreadsheets saved on Windows, unless it is mostly
// UTF-8 with a few bytes that are not (a cell pasted from elsewhere): that
// is read as UTF-8, and the rows holding those bytes are invalid_row. note
// is the warning a guess deserves; bom, whether the file began with a byte
// order mark (UTF-8 or UTF-16).
func decodeText(r io.Reader, forced string) (_ *bufio.Reader, note string, bom bool, _ error) {
	br := bufio.NewReaderSize(r, sniffSize)
	head, err := br.Peek(sniffSize)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, "", false, fmt.Errorf("cannot read the file: %w", err)
	}
	if forced == "" || forced == "utf-8" || forced == "utf8" || forced == "windows-1252" || forced == "cp1252" {
		if err := notText(head); err != nil {
			return nil, "", false, err
		}
	}
	bom = forced != "windows-1252" && forced != "cp1252" && bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}) || bytes.HasPrefix(head, []byte{0xFF, 0xFE}) || bytes.HasPrefix(head, []byte{0xFE, 0xFF})
	var enc encoding.Encoding
	switch {
	case forced != "":
		enc = encodings[forced]
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		enc = unicode.UTF8
	case bytes.HasPrefix(head, bomUTF32LE): // before UTF-16LE's, its first half
		enc = encodings["utf-32le"]
	case bytes.HasPrefix(head, bomUTF32BE):
		enc = encodings["utf-32be"]
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		enc = encodings["utf-16le"]
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		enc = encodings["utf-16be"]
	case validUTF8Prefix(head, len(head) < sniffSize):
		enc = unicode.UTF8
	case mostlyUTF8(head):
		enc = unicode.UTF8
		note = "the file is UTF-8 but some of its bytes are not: the rows holding them are invalid_row, naming the column; fix them in the retry file, which keeps their bytes"
	default:
		enc = charmap.Windows1252
		note = "the file is not UTF-8: it was read as Windows-1252, the usual encoding of spreadsheets saved on Windows; if names in the report look wrong, give its --encoding"
	}
	text := br
	if enc == unicode.UTF8 {
		// Skip a UTF-8 BOM without a transformer: the common case stays a plain copy.
		if bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}) {
			br.Discard(3)
		}
	} else if utf32Encoding(enc) {
		// BOMOverride would take UTF-32LE's BOM for UTF-16LE's: UTF-32's
		// own decoder reads its BOM.
		text = bufio.NewReaderSize(transform.NewReader(br, enc.NewDecoder()), sniffSize)
	} else {
		text = bufio.NewReaderSize(transform.NewReader(br, unicode.BOMOverride(enc.NewDecoder())), sniffSize)
	}
	// Lines may end in LF, CRLF or a lone CR (old Mac spreadsheets), even
	// within one file: a lone CR is read as LF, which encoding/csv and the
	// line numbers understand.
	return bufio.NewReaderSize(crToLF{text}, sniffSize), note, bom, nil
}

// crToLF reads a lone CR (one not followed by LF) as LF; CRLF stays. CR is
// one byte in UTF-8 and never part of another character.
type crToLF struct{ r *bufio.Reader }

func (c crToLF) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	for i := bytes.IndexByte(p[:n], '\r'); i >= 0; {
		next := byte(0)
		if i+1 < n {
			next = p[i+1]
		} else if b, _ := c.r.Peek(1); len(b) == 1 {
			next = b[0] // the CR ends this read: its follower is still unread
		}
		if next != '\n' {
			p[i] = '\n'
		}
		j := bytes.IndexByte(p[i+1:n], '\r')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return n, err
}

// notText refuses bytes that are no text file in a one-byte encoding: a
// workbook or another binary file given as CSV or JSON Lines.
func notText(head []byte) error {
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return errors.New("the file is a zip archive, probably an XLSX workbook: give it a .xlsx name or use --format xlsx")
	case isCompoundFile(head):
		return errors.New("the file is an old Excel (.xls) workbook or an encrypted one: save it as XLSX or CSV")
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}) || bytes.HasPrefix(head, []byte{0xFE, 0xFF}) || bytes.HasPrefix(head, bomUTF32BE):
		return nil // UTF-16 or UTF-32 with a BOM: NUL bytes are expected
	case mostlyNUL(head[:min(len(head), 8<<10)]):
		if enc := unicodeOrder(head[:min(len(head), 8<<10)]); enc != "" {
			return fmt.Errorf("the file looks like %s text without a byte order mark: give --encoding %s", strings.ToUpper(enc), enc)
		}
		return errors.New("the file is not text (it is full of NUL bytes): is it a spreadsheet, or UTF-16 or UTF-32 without a byte order mark? try --format xlsx, or the file's --encoding")
	}
	return nil
}

// Byte order marks of UTF-32: LE's begins with UTF-16LE's.
var (
	bomUTF32LE = []byte{0xFF, 0xFE, 0x00, 0x00}
	bomUTF32BE = []byte{0x00, 0x00, 0xFE, 0xFF}
)

func utf32Encoding(enc encoding.Encoding) bool {
	return enc == encodings["utf-32le"] || enc == encodings["utf-32be"]
}

// unicodeOrder tells UTF-16 or UTF-32 without a BOM from its NUL bytes:
// in mostly ASCII text they stand at the same places in every two or four
// bytes (after the ASCII byte in little-endian order, before it in
// big-endian). "" when they fall anywhere.
func unicodeOrder(b []byte) string {
	var at [4]int // NULs at each offset modulo 4
	for i, c := range b {
		if c == 0 {
			at[i%4]++
		}
	}
	switch {
	case at[0] == 0 && at[1] > 0 && at[2] > 0 && at[3] > 0:
		return "utf-32le"
	case at[3] == 0 && at[0] > 0 && at[1] > 0 && at[2] > 0:
		return "utf-32be"
	case at[0] == 0 && at[2] == 0:
		return "utf-16le"
	case at[1] == 0 && at[3] == 0:
		return "utf-16be"
	}
	return ""
}

// isCompoundFile reports the signature of Microsoft's compound files: an
// .xls workbook, or an encrypted .xlsx one.
func isCompoundFile(head []byte) bool {
	return bytes.HasPrefix(head, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1})
}

// notJSONLines refuses JSON that is not one object per line, before every
// line is reported invalid: an array (what most tools export as .json), or
// an object spread over several lines.
func notJSONLines(text *bufio.Reader, name string) error {
	head, _ := text.Peek(sniffSize)
	head = bytes.TrimLeft(head, " \t\r\n")
	switch firstLine, _, _ := bytes.Cut(head, []byte("\n")); {
	case len(head) > 0 && head[0] == '[':
		return errors.New("the file is one JSON array, not JSON Lines (one object per line): " + jsonAdvice(name, "'.[]'"))
	case bytes.Equal(bytes.TrimSpace(firstLine), []byte("{")):
		return errors.New("the file's JSON objects are spread over several lines; JSON Lines needs one object per line: " + jsonAdvice(name, "."))
	}
	return nil
}

// mostlyNUL reports a sample that is binary as a whole: more than one byte
// in ten is NUL (UTF-16 text without a BOM has one in two). A stray NUL in
// a text file makes only its row invalid_row, wherever the row is.
func mostlyNUL(b []byte) bool {
	return len(b) > 0 && bytes.Count(b, []byte{0})*10 > len(b)
}

// mostlyUTF8 reports a sample with more characters encoded as UTF-8 (two
// bytes or more) than bytes that are not UTF-8. Windows-1252 text is
// rarely valid UTF-8 by chance: "Müller" is M, 0xFC, l...
func mostlyUTF8(b []byte) bool {
	valid, invalid := 0, 0
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		switch {
		case r == utf8.RuneError && size == 1:
			invalid++
		case size > 1:
			valid++
		}
		b = b[size:]
	}
	return valid > invalid
}

// validUTF8Prefix is utf8.Valid, forgiving a rune cut at the end of a sample.
func validUTF8Prefix(b []byte, complete bool) bool {
	if !complete {
		for i := 0; i < utf8.UTFMax && len(b) > 0; i++ {
			if utf8.Valid(b) {
				return true
			}
			b = b[:len(b)-1]
		}
	}
	return utf8.Valid(b)
}
