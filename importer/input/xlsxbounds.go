package input

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// A workbook is a zip archive: a few megabytes can unzip into gigabytes,
// and excelize holds some of its parts whole (the small ones in memory,
// each shared string, each row's cells). So what a workbook may hold is
// capped, and checked from the zip's directory and one streamed pass over
// its sheets and shared strings, before excelize opens it.
const (
	// maxWorkbook is the file itself, compressed: it is held in memory.
	maxWorkbook = 256 << 20
	// maxUnzipped is all its parts unzipped; archive/zip refuses a part
	// that unzips to more than it declares, so the declared sizes hold.
	maxUnzipped = 1 << 30
	// maxUnzippedInMemory is the parts excelize keeps in memory: all but
	// the sheets and shared strings larger than its spill size, which it
	// unzips to temporary files.
	maxUnzippedInMemory = 256 << 20
	// excelizeSpill is excelize's default UnzipXMLSizeLimit.
	excelizeSpill = 16 << 20
	// maxSharedStrings bounds excelize's index of the shared strings
	// (about 50 bytes each): 5 million cover a million rows of five
	// distinct texts.
	maxSharedStrings = 5_000_000
	// maxCellText is one cell's or shared string's text: a spreadsheet
	// program keeps at most 32,767 characters in a cell.
	maxCellText = 128 << 10
	// maxXMLToken is the longest run of XML between two '<': the XML
	// decoder holds one token (a text, a tag) whole.
	maxXMLToken = 1 << 20
)

// readWorkbook reads the workbook's file, refusing at its first bytes one
// that is no zip archive (nor an old Excel or encrypted workbook), and one
// larger than maxWorkbook: neither is read to its end.
func readWorkbook(r io.Reader) ([]byte, error) {
	br := bufio.NewReader(r)
	head, err := br.Peek(8)
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("cannot read the file: %w", err)
	}
	if !bytes.HasPrefix(head, []byte("PK\x03\x04")) && !isCompoundFile(head) {
		return nil, errors.New("cannot open the spreadsheet: it is not an XLSX workbook (a workbook is a zip archive, and this file is not one); for a CSV or JSON Lines file give --format csv or jsonl")
	}
	b, err := io.ReadAll(io.LimitReader(br, maxWorkbook+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read the file: %w", err)
	}
	if len(b) > maxWorkbook {
		return nil, fmt.Errorf("the workbook is larger than %d MiB, more than this tool holds in memory: save it as CSV, which is read as a stream", maxWorkbook>>20)
	}
	return b, nil
}

// checkWorkbook refuses a workbook that would unzip past the caps, and one
// whose sheets' XML is damaged (cut short, or with a character XML
// forbids): excelize's row iterator stops at the damage as if the sheet
// ended there, and the rows after it would be lost without a word.
func checkWorkbook(zipped []byte) error {
	zr, err := zip.NewReader(bytes.NewReader(zipped), int64(len(zipped)))
	if err != nil {
		return fmt.Errorf("cannot open the spreadsheet: it is not an XLSX workbook, or it is damaged (%v)", err)
	}
	if err := unzippedSizes(zr.File); err != nil {
		return err
	}
	var lengths []int // each shared string's length, for the rows' sizes
	for _, f := range zr.File {
		if isSharedStrings(f.Name) {
			if lengths, err = scanPart(f, func(dec *xml.Decoder) ([]int, error) { return sharedStringsScan(dec, maxSharedStrings) }); err != nil {
				return err
			}
		}
	}
	for _, f := range zr.File {
		if isSheet(f.Name) {
			if _, err := scanPart(f, func(dec *xml.Decoder) ([]int, error) { return nil, sheetScan(dec, lengths) }); err != nil {
				return err
			}
		}
	}
	return nil
}

// partName is a part's name as excelize reads it.
func partName(name string) string { return strings.ToLower(strings.ReplaceAll(name, `\`, "/")) }

func isSharedStrings(name string) bool { return partName(name) == "xl/sharedstrings.xml" }

func isSheet(name string) bool {
	n := partName(name)
	return strings.HasPrefix(n, "xl/worksheets/") && strings.HasSuffix(n, ".xml")
}

// unzippedSizes checks the parts' declared sizes against the caps.
func unzippedSizes(files []*zip.File) error {
	var all, inMemory uint64
	for _, f := range files {
		size := f.UncompressedSize64
		all += size
		if size <= excelizeSpill || !(isSheet(f.Name) || isSharedStrings(f.Name)) {
			inMemory += size
		}
		if all > maxUnzipped || size > maxUnzipped {
			return fmt.Errorf("the workbook unzips to more than %d GiB (a zip bomb, or a workbook too large for this tool): save it as CSV, which is read as a stream", maxUnzipped>>30)
		}
		if inMemory > maxUnzippedInMemory {
			return fmt.Errorf("the workbook's parts other than its sheets unzip to more than %d MiB (images? a zip bomb?): save it as CSV", maxUnzippedInMemory>>20)
		}
	}
	return nil
}

// Why a part's XML is refused, before the part's name is added.
var (
	errLongToken      = fmt.Errorf("holds more than %d MiB of XML without a tag", maxXMLToken>>20)
	errMarkup         = errors.New("holds a comment, CDATA section, DOCTYPE or processing instruction, which spreadsheet programs do not write")
	errLongCell       = fmt.Errorf("holds a cell or shared string longer than %d KiB (a spreadsheet program keeps 32,767 characters in a cell)", maxCellText>>10)
	errLongRow        = fmt.Errorf("holds a row whose cells' text is longer than %d MiB", maxRecord>>20)
	errSharedStrings  = errors.New("holds more shared strings than this tool indexes")
	errOversizedParts = []error{errLongToken, errMarkup, errLongCell, errLongRow, errSharedStrings}
)

// scanPart streams one part through an XML decoder fed by a tokenBound.
func scanPart(f *zip.File, scan func(*xml.Decoder) ([]int, error)) ([]int, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("the spreadsheet is damaged: %q: %v", f.Name, err)
	}
	defer rc.Close()
	got, err := scan(xml.NewDecoder(&tokenBound{r: rc}))
	for _, refused := range errOversizedParts {
		if errors.Is(err, refused) {
			return nil, fmt.Errorf("the spreadsheet cannot be read: %q %v: save it as CSV", f.Name, err)
		}
	}
	if err != nil {
		// Quoted: the part's name and the XML's error come from the file.
		return nil, fmt.Errorf("the spreadsheet is damaged (%q: %q): open and save it again, or save it as CSV", f.Name, err.Error())
	}
	return got, nil
}

// sharedStringsScan checks the shared strings' count (at most max) and
// sizes, and returns each one's length. Token, not RawToken: it checks
// that elements close.
func sharedStringsScan(dec *xml.Decoder, max int) ([]int, error) {
	var lengths []int
	in, size := false, 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return lengths, nil
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local == "si" {
				if len(lengths) >= max {
					return nil, fmt.Errorf("%w (%d)", errSharedStrings, max)
				}
				in, size = true, 0
			}
		case xml.CharData:
			if in {
				if size += len(t); size > maxCellText {
					return nil, errLongCell
				}
			}
		case xml.EndElement:
			if t.Name.Local == "si" {
				lengths = append(lengths, size)
				in = false
			}
		}
	}
}

// sheetScan checks a sheet's XML, each cell's text and each row's: a cell
// of type "s" counts its shared string's length.
func sheetScan(dec *xml.Decoder, lengths []int) error {
	var cell, row int
	inCell, shared, inValue := false, false, false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "row":
				row = 0
			case "c":
				inCell, cell, shared = true, 0, false
				for _, a := range t.Attr {
					if a.Name.Local == "t" && a.Value == "s" {
						shared = true
					}
				}
			case "v":
				inValue = true
			}
		case xml.CharData:
			if !inCell {
				continue // white space between the elements
			}
			n := len(t)
			if shared && inValue {
				if i, err := strconv.Atoi(strings.TrimSpace(string(t))); err == nil && i >= 0 && i < len(lengths) {
					n = lengths[i]
				}
			}
			if cell += n; cell > maxCellText {
				return errLongCell
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "v":
				inValue = false
			case "c":
				if row += cell; row > maxRecord {
					return errLongRow
				}
				inCell = false
			}
		}
	}
}

// tokenBound reads XML, failing once more than maxXMLToken bytes pass
// without a '<' (the decoder would hold them as one token), and at a
// comment, CDATA, DOCTYPE or processing instruction after the XML
// declaration (their text may hold '<' and still be one token).
type tokenBound struct {
	r       io.Reader
	run     int // bytes since the last '<'
	tags    int // '<' seen
	afterLT bool
}

func (t *tokenBound) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	for _, c := range p[:n] {
		if t.afterLT {
			t.afterLT = false
			if c == '!' || (c == '?' && t.tags > 1) {
				return 0, errMarkup
			}
		}
		if c == '<' {
			t.run, t.afterLT = 0, true
			t.tags++
			continue
		}
		if t.run++; t.run > maxXMLToken {
			return 0, errLongToken
		}
	}
	return n, err
}
