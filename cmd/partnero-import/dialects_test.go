package main

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/encoding/unicode/utf32"
)

// readTable reads a clean UTF-8 CSV whole (a test fixture, not an input).
func readTable(t *testing.T, path string) [][]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func writeCSV(rows [][]string, comma rune, crlf bool) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Comma, w.UseCRLF = comma, crlf
	w.WriteAll(rows)
	return b.Bytes()
}

// writeWorkbook saves rows as a spreadsheet program would: one sheet, text cells.
func writeWorkbook(t *testing.T, rows [][]string, path string) {
	t.Helper()
	f := excelize.NewFile()
	f.SetSheetName("Sheet1", "Partners")
	sw, err := f.NewStreamWriter("Partners")
	if err != nil {
		t.Fatal(err)
	}
	for i, row := range rows {
		cells := make([]any, len(row))
		for j, c := range row {
			cells[j] = c
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(cell, cells); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

// One table saved as XLSX, as semicolon CSV, as UTF-16 or UTF-32 text and
// as Windows-1252 CSV validates exactly as the clean UTF-8 CSV does.
func TestOneTableInEveryDialect(t *testing.T) {
	t.Parallel()
	const clean = "../../samples/partners.csv"
	rows := readTable(t, clean)
	dir := t.TempDir()
	utf16, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes(writeCSV(rows, '\t', true))
	if err != nil {
		t.Fatal(err)
	}
	cp1252, err := charmap.Windows1252.NewEncoder().Bytes(writeCSV(rows, ',', true))
	if err != nil {
		t.Fatal(err)
	}
	utf32le, err := utf32.UTF32(utf32.LittleEndian, utf32.UseBOM).NewEncoder().Bytes(writeCSV(rows, ',', true))
	if err != nil {
		t.Fatal(err)
	}
	utf32be, err := utf32.UTF32(utf32.BigEndian, utf32.UseBOM).NewEncoder().Bytes(writeCSV(rows, ',', false))
	if err != nil {
		t.Fatal(err)
	}
	variants := map[string][]byte{
		"semicolon.csv":   writeCSV(rows, ';', true),
		"unicode.txt":     utf16,
		"utf32le.csv":     utf32le,
		"utf32be.csv":     utf32be,
		"windows1252.csv": cp1252,
	}
	for name, data := range variants {
		os.WriteFile(filepath.Join(dir, name), data, 0o600)
	}
	workbook := filepath.Join(dir, "partners.xlsx")
	writeWorkbook(t, rows, workbook)
	if *update {
		writeWorkbook(t, rows, "../../samples/partners.xlsx")
	}

	want := runCLI(t, nil, "", "validate", "--report", filepath.Join(dir, "clean.report.csv"), clean)
	golden(t, "partners.validate.csv", want.report)
	for _, input := range []string{"semicolon.csv", "unicode.txt", "utf32le.csv", "utf32be.csv", "windows1252.csv", "partners.xlsx", "../../samples/partners.xlsx"} {
		path := input
		if !strings.Contains(input, "/") {
			path = filepath.Join(dir, input)
		}
		got := runCLI(t, nil, "", "validate", "--report", filepath.Join(dir, filepath.Base(input)+".report.csv"), path)
		if got.code != want.code || got.report != want.report {
			t.Errorf("%s: exit %d, report differs from the clean CSV's:\n%s\n%s", input, got.code, got.report, got.stderr)
		}
	}
}

// Each platform's export imports with its preset; the reports are golden.
// FirstPromoter's marks a promoter pending: the import stops until told
// which rows to import, and leaves that one out when told.
func TestPresetSamples(t *testing.T) {
	t.Parallel()
	for _, preset := range []string{"firstpromoter", "rewardful", "tapfiliate", "partnerstack", "partnero"} {
		t.Run(preset, func(t *testing.T) {
			rep := filepath.Join(t.TempDir(), preset+".report.csv")
			args := []string{"import", "--sandbox", "--no-progress", "--rate", "0", "--preset", preset, "--report", rep, "../../samples/presets/" + preset + ".csv"}
			if preset == "firstpromoter" {
				stopped := runCLI(t, nil, "", args...)
				if stopped.code != exitUsage || !strings.Contains(stopped.stderr, `column "Status" marks 1 row pending`) {
					t.Errorf("a pending promoter did not stop the import: exit %d\n%s", stopped.code, stopped.stderr)
				}
				args = append(args, "--where", "Status=approved")
			}
			r := runCLI(t, nil, "", args...)
			if r.code != exitOK {
				t.Fatalf("exit %d\n%s", r.code, r.stderr)
			}
			golden(t, "preset-"+preset+".report.csv", r.report)
			if strings.Contains(r.stderr, "--preset") {
				t.Errorf("a preset suggested while one is in use:\n%s", r.stderr)
			}
			// Without its preset, the export is recognized and the run
			// stops before anything is read, naming the preset
			// (PartnerStack's stops on its two key columns, also naming it).
			for _, command := range [][]string{{"validate"}, {"import", "--sandbox"}} {
				plain := runCLI(t, nil, "", append(command, "--no-progress", "--report", rep, "../../samples/presets/"+preset+".csv")...)
				want := "use --preset " + preset + " (or --preset none to read it as it is)"
				if preset == "partnerstack" {
					want = "give --preset partnerstack"
				}
				if plain.code != exitUsage || !strings.Contains(plain.stderr, want) || strings.Count(plain.stderr, "\n") != 1 {
					t.Errorf("%s without --preset: exit %d\n%s", command, plain.code, plain.stderr)
				}
			}
			if preset == "partnerstack" {
				return
			}
			// --preset none reads it as it is, without a word of presets.
			noneArgs := []string{"import", "--sandbox", "--no-progress", "--rate", "0", "--preset", "none", "--report", rep}
			if preset == "firstpromoter" {
				noneArgs = append(noneArgs, "--where", "Status=approved")
			}
			none := runCLI(t, nil, "", append(noneArgs, "../../samples/presets/"+preset+".csv")...)
			if none.code != exitOK || strings.Contains(none.stderr, "preset") {
				t.Errorf("--preset none: exit %d\n%s", none.code, none.stderr)
			}
		})
	}
	r := runCLI(t, nil, "", "validate", "--preset", "list")
	if r.code != exitOK || !strings.Contains(r.stdout, "identifier") || !strings.Contains(r.stdout, "-> (ignored: the API cannot take it)") {
		t.Fatalf("--preset list: exit %d\n%s", r.code, r.stdout)
	}
	v := runCLI(t, nil, "", "validate", "--preset", "partnero", "--report", filepath.Join(t.TempDir(), "r.csv"), "../../samples/presets/partnero.csv")
	if !strings.Contains(v.stderr, "-> id (preset partnero)") || !strings.Contains(v.stderr, "-> ignored (preset partnero: the API cannot take it)") {
		t.Fatalf("validate does not show how columns were understood:\n%s", v.stderr)
	}
}
