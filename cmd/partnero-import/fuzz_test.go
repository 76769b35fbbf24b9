package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// FuzzCommand feeds random files and flags to the whole command: validate,
// or import into the embedded sandbox. Whatever the bytes, it never
// panics, exits 0, 1 or 2, leaves the input as it was, and, when it ran,
// writes a report with one line per row: rows 1 to N each once, on lines
// that only go down the file, no more rows than the file has lines. A
// fatal problem is one line on standard error.
func FuzzCommand(f *testing.F) {
	for _, seed := range []struct {
		data  string
		flags uint16
	}{
		{"email,name\na@x.io,A\nb@x.io,B\n", 0},
		{"email;name;referring_partner_email\na@x.io;A;\nb@x.io;B;A@X.IO\n", 1 << 2},
		{`{"email":"a@x.io","tags":["x"]}` + "\n" + `{"email":"b@x.io","referring_partner":{"email":"a@x.io"}}`, 1 << 1},
		{"\xff\xfee\x00m\x00a\x00i\x00l\x00\n\x00a\x00@\x00x\x00.\x00i\x00o\x00", 1 << 3},
		{"sep=|\nemail|password\na@x.io|Weak\n\"b@x.io\"|Str0ngPass\n", 1 << 5},
		{"email,action,name\na@x.io,invite,\nb@x.io,INVITE,B\n", 1<<4 | 1},
		{"email\r\na@x.io\rb@x.io\n\x00\n", 0},
	} {
		f.Add([]byte(seed.data), seed.flags)
	}
	f.Fuzz(func(t *testing.T, data []byte, flags uint16) {
		dir := t.TempDir()
		args := []string{"validate"}
		if flags&1 != 0 {
			args = []string{"import", "--sandbox", "--rate", "0", "--no-progress", "--retries", "0", "--timeout", "5s"}
		}
		name := "in.csv"
		if flags&2 != 0 {
			name = "in.jsonl"
		}
		if flags&4 != 0 {
			args = append(args, "--delimiter", ";")
		}
		if flags&8 != 0 {
			args = append(args, "--encoding", []string{"utf-16le", "windows-1252"}[flags>>8&1])
		}
		if flags&16 != 0 {
			args = append(args, "--mode", "invite")
		}
		rep := filepath.Join(dir, "r.csv")
		if flags&32 != 0 {
			rep = filepath.Join(dir, "r.jsonl")
		}
		in := filepath.Join(dir, name)
		if err := os.WriteFile(in, data, 0o600); err != nil {
			t.Fatal(err)
		}
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), append(args, "--report", rep, in), func(string) string { return "" },
			Streams{In: strings.NewReader(""), Out: &stdout, Err: &stderr})
		if after, _ := os.ReadFile(in); !bytes.Equal(after, data) {
			t.Fatal("the input was changed")
		}
		switch code {
		case exitUsage:
			// One line says the problem, the last: a problem found once the
			// file is being read comes after what the run printed until
			// then (the column table, warnings), as the README says.
			lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
			if !strings.HasPrefix(lines[len(lines)-1], "partnero-import: ") || strings.Count(stderr.String(), "partnero-import: ") != 1 {
				t.Fatalf("a fatal problem not in one last line:\n%s", stderr.String())
			}
			return
		case exitOK, exitRowsFailed:
		default:
			t.Fatalf("exit %d\n%s", code, stderr.String())
		}
		rows, lines := reportRows(t, rep)
		maxLines := bytes.Count(data, []byte("\n")) + bytes.Count(data, []byte("\r")) + 1
		for i, row := range rows {
			if row != i+1 {
				t.Fatalf("report line %d is row %d", i+1, row)
			}
			if i > 0 && lines[i] <= lines[i-1] {
				t.Fatalf("row %d starts on line %d, row %d on line %d", i+1, lines[i], i, lines[i-1])
			}
			if lines[i] > maxLines+1 { // +1: a sep= line before the header
				t.Fatalf("row %d on line %d: the file has %d", i+1, lines[i], maxLines)
			}
		}
	})
}

// reportRows reads the row and line of each report line, in order.
func reportRows(t *testing.T, path string) (rows, lines []int) {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("no report: %v", err)
	}
	if strings.HasSuffix(path, ".jsonl") {
		for _, l := range bytes.Split(bytes.TrimSpace(b), []byte("\n")) {
			if len(l) == 0 {
				continue
			}
			var v struct{ Row, Line int }
			if err := json.Unmarshal(l, &v); err != nil {
				t.Fatalf("report line %q: %v", l, err)
			}
			rows, lines = append(rows, v.Row), append(lines, v.Line)
		}
		return rows, lines
	}
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil || len(recs) == 0 {
		t.Fatalf("the report is not CSV: %v", err)
	}
	for _, r := range recs[1:] {
		row, _ := strconv.Atoi(r[0])
		line, _ := strconv.Atoi(r[1])
		rows, lines = append(rows, row), append(lines, line)
	}
	return rows, lines
}
