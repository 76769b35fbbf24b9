package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"flag"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/partnero-import/partnero-import/importer/sandbox"
	"github.com/partnero-import/partnero-import/report"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// result is what one run of the command left behind.
type result struct {
	code        int
	stdout      string
	stderr      string
	report      string
	reportLines [][]string
	reportPath  string
}

// runCLI runs the command as main would, with env and stdin of its own.
func runCLI(t *testing.T, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	return runCLIContext(t, context.Background(), env, stdin, args...)
}

// runCLIContext is runCLI until ctx ends, as a signal would end it.
func runCLIContext(t *testing.T, ctx context.Context, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	s := Streams{In: strings.NewReader(stdin), Out: &out, Err: &errOut}
	code := run(ctx, args, func(k string) string { return env[k] }, s)
	r := result{code: code, stdout: out.String(), stderr: errOut.String()}
	for i, a := range args {
		if a == "--report" && i+1 < len(args) {
			r.reportPath = args[i+1]
		}
	}
	if r.reportPath != "" && (report.IsReport(r.reportPath) || code != exitUsage) {
		b, _ := os.ReadFile(r.reportPath)
		r.report = string(b)
		if !report.IsJSONL(r.reportPath) && len(b) > 0 {
			lines, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
			if err != nil {
				t.Fatalf("the report is not valid CSV: %v", err)
			}
			r.reportLines = lines
		}
	}
	return r
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := 0; i < max(len(gl), len(wl)); i++ {
			var g, w string
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Fatalf("%s differs at line %d:\ngot:  %s\nwant: %s\n(run go test -update if the change is intended)", path, i+1, g, w)
			}
		}
	}
}

// passwords lists the password column of a sample CSV or JSON Lines file.
func passwords(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	if strings.HasSuffix(path, ".jsonl") {
		for _, line := range strings.Split(string(b), "\n") {
			if _, rest, ok := strings.Cut(line, `"password": "`); ok {
				out = append(out, rest[:strings.IndexByte(rest, '"')])
			}
		}
		return out
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))))
	r.Comma = ','
	if bytes.Count(b[:bytes.IndexByte(b, '\n')], []byte(";")) > 0 {
		r.Comma = ';'
	}
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := -1
	for i, h := range rows[0] {
		if strings.EqualFold(h, "password") {
			col = i
		}
	}
	for _, row := range rows[1:] {
		if col >= 0 && col < len(row) && row[col] != "" {
			out = append(out, row[col])
		}
	}
	if len(out) == 0 {
		t.Fatalf("%s has no passwords: the leak check would prove nothing", path)
	}
	return out
}

func noSecrets(t *testing.T, r result, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		for name, text := range map[string]string{"report": r.report, "stdout": r.stdout, "stderr": r.stderr} {
			if strings.Contains(text, s) {
				t.Errorf("the %s shows the secret %q", name, s)
			}
		}
	}
}

func statusesOf(r result) map[string]int {
	m := map[string]int{}
	for _, l := range r.reportLines[1:] {
		m[l[4]+"/"+l[5]]++
	}
	return m
}

func TestImportCleanSampleIntoSandbox(t *testing.T) {
	t.Parallel()
	rep := filepath.Join(t.TempDir(), "partners.report.csv")
	r := runCLI(t, nil, "", "import", "--sandbox", "--no-progress", "--rate", "0", "--concurrency", "8", "--report", rep, "../../samples/partners.csv")
	if r.code != exitOK {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	golden(t, "partners.report.csv", r.report)
	if got := statusesOf(r); got["created/"] != 33 || got["invited/"] != 3 || len(r.reportLines) != 37 {
		t.Errorf("statuses %v", got)
	}
	if !strings.Contains(r.stderr, "report: "+rep) {
		t.Errorf("stderr does not say where the report is:\n%s", r.stderr)
	}
	noSecrets(t, r, passwords(t, "../../samples/partners.csv")...)
}

func TestImportJSONLSampleWithJSONLReport(t *testing.T) {
	t.Parallel()
	rep := filepath.Join(t.TempDir(), "partners.report.jsonl")
	r := runCLI(t, nil, "", "import", "--sandbox", "--no-progress", "--rate", "0", "--report", rep, "../../samples/partners.jsonl")
	if r.code != exitOK {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	golden(t, "partners.report.jsonl", r.report)
	noSecrets(t, r, passwords(t, "../../samples/partners.jsonl")...)
}

func TestImportMessySample(t *testing.T) {
	t.Parallel()
	rep := filepath.Join(t.TempDir(), "messy.report.csv")
	r := runCLI(t, nil, "", "import", "--sandbox", "--sandbox-preload", "../../samples/messy-existing.csv",
		"--no-progress", "--rate", "0", "--report", rep, "../../samples/messy.csv")
	if r.code != exitRowsFailed {
		t.Fatalf("exit %d, want 1\n%s", r.code, r.stderr)
	}
	golden(t, "messy.report.csv", r.report)
	got := statusesOf(r)
	for _, want := range []string{"created/", "invited/", "rejected/email_exists", "rejected/id_exists", "rejected/key_exists",
		"rejected/referring_partner_not_found", "skipped/referring_partner_failed",
		"invalid/invalid_row", "invalid/missing_email", "invalid/invalid_email", "invalid/duplicate_email_in_file",
		"invalid/duplicate_id_in_file", "invalid/duplicate_key_in_file", "invalid/weak_password", "invalid/missing_name",
		"invalid/field_too_long", "invalid/referral_cycle"} {
		if got[want] == 0 {
			t.Errorf("the messy sample shows no %s", want)
		}
	}
	// The retry file holds the 20 rows that did not succeed, as the file had
	// them, after the byte order mark the file began with.
	retry, err := os.ReadFile(strings.TrimSuffix(rep, ".report.csv") + ".retry.csv")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(retry), "\ufeffE-mail;First Name;Last Name;") || strings.Count(string(retry), "\r\n") != 21 {
		t.Errorf("retry file:\n%s", retry)
	}
	if strings.Contains(string(retry), "ada.lovelace@example.com") || !strings.Contains(string(retry), "ragged@example.com;Rick;Ragged;mx_12\r\n") {
		t.Errorf("retry file has the wrong rows:\n%s", retry)
	}
	if !strings.Contains(r.stderr, `warning: unknown column "Notes": ignored`) {
		t.Errorf("no warning about the unknown column:\n%s", r.stderr)
	}
	if !strings.Contains(r.report, "invite.with.ref@example.com,invite,invited,,200,warning: an invite carries no referring partner") {
		t.Error("an invite with a referrer has no warning")
	}
	noSecrets(t, r, passwords(t, "../../samples/messy.csv")...)
}

func TestValidateMessySample(t *testing.T) {
	t.Parallel()
	rep := filepath.Join(t.TempDir(), "messy.validate.csv")
	r := runCLI(t, nil, "", "validate", "../../samples/messy.csv", "--report", rep)
	if r.code != exitRowsFailed {
		t.Fatalf("exit %d, want 1\n%s", r.code, r.stderr)
	}
	golden(t, "messy.validate.csv", r.report)
	noSecrets(t, r, passwords(t, "../../samples/messy.csv")...)

	clean := runCLI(t, nil, "", "import", "--dry-run", "../../samples/partners.csv", "--report", filepath.Join(t.TempDir(), "r.csv"))
	if clean.code != exitOK || statusesOf(clean)["valid/"] != 36 {
		t.Fatalf("dry run of the clean sample: exit %d %v\n%s", clean.code, statusesOf(clean), clean.stderr)
	}
}

func TestStandardInput(t *testing.T) {
	rep := filepath.Join(t.TempDir(), "stdin.csv")
	r := runCLI(t, nil, "email,name\na@x.io,A\nnope,B\n", "validate", "--format", "csv", "--report", rep, "-")
	if r.code != exitRowsFailed || len(r.reportLines) != 3 || r.reportLines[2][5] != "invalid_email" {
		t.Fatalf("exit %d, report %v\n%s", r.code, r.reportLines, r.stderr)
	}

	// The copy of standard input (it may hold passwords) is never a file
	// anyone can find, not even while it is being read.
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	var seen []os.DirEntry
	in := readerFunc(func(p []byte) (int, error) {
		if seen == nil {
			seen, _ = os.ReadDir(tmp)
			return copy(p, "email,password\na@x.io,Secr3tPassword9\n"), nil
		}
		return 0, io.EOF
	})
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"validate", "--format", "csv", "--no-progress", "--report", rep, "-"}, func(string) string { return "" },
		Streams{In: in, Out: &out, Err: &errOut})
	if left, _ := os.ReadDir(tmp); code != exitOK || len(seen) != 0 || len(left) != 0 {
		t.Fatalf("exit %d; in TMPDIR while reading: %v, after: %v\n%s", code, seen, left, errOut.String())
	}
}

type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }

// Before the first row is sent, one read proves the key and the address.
// When it fails (a wrong key, a forbidden key, a wrong base URL, a redirect,
// nothing listening, an unknown host), the run ends there: exit 2, one line
// naming the problem, nothing sent, every row skipped/aborted. An
// unreachable API is never tried row by row.
func TestPreflightStopsTheRun(t *testing.T) {
	t.Parallel()
	sb := sandbox.New(sandbox.Options{APIKey: "the-right-key"})
	base, err := sb.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	var calls atomic.Int32
	serve := func(h http.HandlerFunc) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { calls.Add(1); h(w, r) }))
		t.Cleanup(srv.Close)
		return srv.URL + "/v1"
	}
	forbidden := serve(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusForbidden)
		w.Write([]byte(`{"message":"This action is unauthorized."}`))
	})
	redirect := serve(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://example.com/login", http.StatusFound)
	})
	website := serve(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("<html><head><title>Partnero - Affiliate software</title></head></html>"))
	})
	saysNo := serve(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"status":0,"message":"Invalid API key"}`))
	})
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	refused := "http://" + ln.Addr().String() + "/v1"
	ln.Close()
	tests := []struct {
		name, base, key, want string
	}{
		{"wrong key", base, "a-wrong-key-123", "401"},
		{"forbidden key", forbidden, "a-wrong-key-123", "403"},
		{"base URL without /v1", strings.TrimSuffix(base, "/v1"), "the-right-key", "--base-url"},
		{"redirect", redirect, "a-wrong-key-123", "--base-url"},
		{"a website, not the API", website, "a-wrong-key-123", "not as Partnero's API"},
		{"a 200 that says no", saysNo, "a-wrong-key-123", "Invalid API key"},
		{"nothing listens", refused, "a-wrong-key-123", "cannot reach"},
		{"unknown host", "https://api.partnero.invalid/v1", "a-wrong-key-123", "cannot reach"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, beforeCalls := sb.Requests(), calls.Load()
			rep := filepath.Join(t.TempDir(), "r.csv")
			env := map[string]string{"PARTNERO_API_KEY": tt.key, "PARTNERO_BASE_URL": tt.base}
			r := runCLI(t, env, "", "import", "--no-progress", "--concurrency", "4", "--report", rep, "../../samples/partners.csv")
			if r.code != exitUsage {
				t.Fatalf("exit %d, want 2\n%s", r.code, r.stderr)
			}
			if lines := strings.Split(strings.TrimSpace(r.stderr), "\n"); len(lines) != 1 || !strings.Contains(lines[0], tt.want) {
				t.Fatalf("stderr is not one line naming %q:\n%s", tt.want, r.stderr)
			}
			if got := statusesOf(r); got["skipped/aborted"] != 36 || len(r.reportLines) != 37 {
				t.Fatalf("statuses %v", got)
			}
			if n := sb.Requests() - before + int(calls.Load()-beforeCalls); n > 1 {
				t.Fatalf("%d requests: only the preflight may be sent", n)
			}
			if len(sb.Partners()) != 0 {
				t.Fatal("a partner was created")
			}
			noSecrets(t, r, tt.key)
			// Nothing was sent, so a dry run may take the report's name.
			if v := runCLI(t, nil, "", "validate", "--no-progress", "--report", rep, "../../samples/partners.csv"); v.code != exitOK {
				t.Fatalf("a dry run over the report of a run that sent nothing: exit %d\n%s", v.code, v.stderr)
			}
		})
	}
}

func TestFatalProblemsAreOneLine(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	noEmail := filepath.Join(dir, "noemail.csv")
	os.WriteFile(noEmail, []byte("name,surname\nA,B\n"), 0o600)
	binary := filepath.Join(dir, "binary.csv")
	os.WriteFile(binary, []byte("\x00\x01\x02\xff\xfe\x00garbage"), 0o600)
	workbookAsCSV := filepath.Join(dir, "book.csv")
	book, _ := os.ReadFile("../../samples/partners.xlsx")
	os.WriteFile(workbookAsCSV, book, 0o600)
	sampleText, _ := os.ReadFile("../../samples/partners.csv")
	utf16 := map[string]string{}
	for _, order := range []string{"utf-16le", "utf-16be"} {
		var b []byte
		for _, c := range string(sampleText) {
			if order == "utf-16le" {
				b = append(b, byte(c), 0)
			} else {
				b = append(b, 0, byte(c))
			}
		}
		utf16[order] = filepath.Join(dir, order+".csv")
		os.WriteFile(utf16[order], b, 0o600)
	}
	for _, order := range []string{"utf-32le", "utf-32be"} {
		var b []byte
		for _, c := range string(sampleText) {
			if order == "utf-32le" {
				b = append(b, byte(c), 0, 0, 0)
			} else {
				b = append(b, 0, 0, 0, byte(c))
			}
		}
		utf16[order] = filepath.Join(dir, order+".csv")
		os.WriteFile(utf16[order], b, 0o600)
	}
	empty := filepath.Join(dir, "empty.csv")
	os.WriteFile(empty, nil, 0o600)
	keyFile := filepath.Join(dir, "key")
	os.WriteFile(keyFile, []byte("  \n"), 0o600)
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"no command", nil, nil, ""},
		{"unknown command", nil, []string{"export"}, "unknown command"},
		{"missing file", nil, []string{"validate", filepath.Join(dir, "nope.csv")}, "cannot read"},
		{"unknown format", nil, []string{"validate", "--format", "xml", "../../samples/partners.csv"}, "unknown --format"},
		{"unknown extension", nil, []string{"validate", "../../README.md"}, "use --format"},
		{"stdin without format", nil, []string{"validate", "-"}, "needs --format"},
		{"no email column", nil, []string{"validate", "--report", filepath.Join(dir, "r.csv"), noEmail}, "no email column"},
		{"no email column, into the sandbox", nil, []string{"import", "--sandbox", "--report", filepath.Join(dir, "r.csv"), noEmail}, "no email column"},
		{"binary file", nil, []string{"validate", "--report", filepath.Join(dir, "r.csv"), binary}, "not text"},
		{"UTF-16LE without a BOM", nil, []string{"validate", "--report", filepath.Join(dir, "r.csv"), utf16["utf-16le"]}, "give --encoding utf-16le"},
		{"UTF-16BE without a BOM", nil, []string{"validate", "--report", filepath.Join(dir, "r.csv"), utf16["utf-16be"]}, "give --encoding utf-16be"},
		{"UTF-32LE without a BOM", nil, []string{"validate", "--report", filepath.Join(dir, "r.csv"), utf16["utf-32le"]}, "looks like UTF-32LE text without a byte order mark: give --encoding utf-32le"},
		{"UTF-32BE without a BOM", nil, []string{"validate", "--report", filepath.Join(dir, "r.csv"), utf16["utf-32be"]}, "looks like UTF-32BE text without a byte order mark: give --encoding utf-32be"},
		{"workbook named .csv", nil, []string{"validate", "--report", filepath.Join(dir, "r.csv"), workbookAsCSV}, "zip archive"},
		{"empty file", nil, []string{"validate", "--report", filepath.Join(dir, "r.csv"), empty}, "empty"},
		{"unknown preset", nil, []string{"validate", "--preset", "impact", "../../samples/partners.csv"}, "unknown --preset"},
		{"bad map", nil, []string{"validate", "--map", "email", "../../samples/partners.csv"}, "FIELD=HEADER"},
		{"sheet of a CSV", nil, []string{"validate", "--sheet", "x", "../../samples/partners.csv"}, "--sheet is for XLSX"},
		{"no API key", nil, []string{"import", "../../samples/partners.csv"}, "no API key"},
		{"empty key file", nil, []string{"import", "--api-key-file", keyFile, "../../samples/partners.csv"}, "empty"},
		{"clear-text base URL", map[string]string{"PARTNERO_API_KEY": "secret-key-1"}, []string{"import", "--base-url", "http://api.partnero.com/v1", "../../samples/partners.csv"}, "must use https"},
		{"bad rate", nil, []string{"import", "--sandbox", "--rate", "fast", "../../samples/partners.csv"}, "--rate"},
		{"bad mode", nil, []string{"validate", "--mode", "upsert", "../../samples/partners.csv"}, "--mode"},
		{"two files, one report", nil, []string{"validate", "--report", "r.csv", "a.csv", "b.csv"}, "speaks of one FILE"},
		{"unknown flag", nil, []string{"validate", "--colour", "../../samples/partners.csv"}, "colour"},
		{"CSV given as xlsx", nil, []string{"validate", "--format", "xlsx", "../../samples/partners.csv"}, "not an XLSX workbook"},
		{"report over the input", nil, []string{"validate", "--report", "../../samples/partners.csv", "../../samples/partners.csv"}, "is the input"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, tt.env, "", tt.args...)
			if r.code != exitUsage {
				t.Fatalf("exit %d, want 2\n%s", r.code, r.stderr)
			}
			if strings.Contains(r.stderr, "goroutine") || strings.Contains(r.stderr, "panic") {
				t.Fatalf("stderr shows a crash:\n%s", r.stderr)
			}
			if tt.want == "" {
				return
			}
			lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
			if len(lines) != 1 || !strings.Contains(lines[0], tt.want) {
				t.Fatalf("stderr, want one line containing %q:\n%s", tt.want, r.stderr)
			}
			noSecrets(t, r, "secret-key-1")
		})
	}
}

// An earlier run's retry file goes when a run ends with nothing to retry,
// and stays when the run could not read its input at all. A file of that
// name that no earlier run wrote is never touched: the retry file is
// numbered instead.
func TestStaleRetryFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	input, stale := filepath.Join(dir, "in.csv"), filepath.Join(dir, "in.validate.retry.csv")
	os.WriteFile(input, []byte("email\nnot-an-email\n"), 0o600)
	if r := runCLI(t, nil, "", "validate", input); r.code != exitRowsFailed {
		t.Fatalf("exit %d", r.code)
	}
	if _, err := os.Stat(stale); err != nil {
		t.Fatal("no retry file")
	}
	os.WriteFile(input, []byte("name\nA\n"), 0o600) // no email column
	if r := runCLI(t, nil, "", "validate", input); r.code != exitUsage {
		t.Fatalf("exit %d", r.code)
	}
	if _, err := os.Stat(stale); err != nil {
		t.Fatal("an unreadable input removed the earlier retry file")
	}
	os.WriteFile(input, []byte("email\na@x.io\n"), 0o600)
	if r := runCLI(t, nil, "", "validate", input); r.code != exitOK {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Fatal("a clean run left the earlier retry file")
	}
	// Notes of yours under the retry file's name of a report no run wrote
	// stay as they are, whether the run has rows to retry or none.
	notes, mine := "my notes\n", filepath.Join(dir, "q.retry.csv")
	os.WriteFile(mine, []byte(notes), 0o644)
	for _, text := range []string{"email\na@x.io\n", "email\nnot-an-email\n"} {
		os.WriteFile(input, []byte(text), 0o600)
		r := runCLI(t, nil, "", "validate", "--report", filepath.Join(dir, "q.csv"), input)
		if b, err := os.ReadFile(mine); err != nil || string(b) != notes {
			t.Fatalf("%q: the notes became %q, %v\n%s", text, b, err, r.stderr)
		}
	}
	if b, err := os.ReadFile(filepath.Join(dir, "q.retry-2.csv")); err != nil || !strings.Contains(string(b), "not-an-email") {
		t.Fatalf("numbered retry file: %q, %v", b, err)
	}
}

// An output with other names (a hard link to a real import's report, to
// your notes) is refused: writing it would change them too.
func TestHardLinkedOutputsRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	input, notes := filepath.Join(dir, "in.csv"), filepath.Join(dir, "notes.csv")
	os.WriteFile(input, []byte("email\na@x.io\n"), 0o600)
	os.WriteFile(notes, []byte("row,line,email\nmine\n"), 0o600)
	for _, link := range []string{"h.csv", "h.summary.json", "in.validate.retry.csv"} {
		os.Link(notes, filepath.Join(dir, link))
	}
	for _, args := range [][]string{
		{"validate", "--report", filepath.Join(dir, "h.csv"), input},
		{"validate", "--summary-json", filepath.Join(dir, "h.summary.json"), input},
	} {
		r := runCLI(t, nil, "", args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, "hard links") || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
			t.Errorf("%v: exit %d\n%s", args, r.code, r.stderr)
		}
	}
	// The retry file's name is taken by a link: the run numbers its own.
	os.WriteFile(input, []byte("email\nbad\n"), 0o600)
	r := runCLI(t, nil, "", "validate", input)
	if b, _ := os.ReadFile(notes); string(b) != "row,line,email\nmine\n" || r.code != exitRowsFailed {
		t.Fatalf("exit %d, notes %q\n%s", r.code, b, r.stderr)
	}
}

// A bad value is exit 2 with one line, before any file is touched: an
// earlier report stays as it was.
func TestBadFlagsTouchNothing(t *testing.T) {
	t.Parallel()
	rep := filepath.Join(t.TempDir(), "r.csv")
	const earlier = "an earlier report\n"
	for _, args := range [][]string{
		{"--concurrency", "2000000000"}, {"--concurrency", "0"}, {"--concurrency", "65"},
		{"--timeout", "0"}, {"--timeout", "-1s"}, {"--timeout", "11m"},
		{"--retries", "-1"}, {"--retries", "1000"},
		{"--rate", "-1"}, {"--rate", "NaN"}, {"--rate", "1e-300"}, {"--rate", "0.001"},
		{"--progress-interval", "0s"},
	} {
		os.WriteFile(rep, []byte(earlier), 0o644)
		r := runCLI(t, nil, "", append([]string{"import", "--sandbox", "--report", rep}, append(args, "../../samples/partners.csv")...)...)
		if r.code != exitUsage || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 || !strings.Contains(r.stderr, args[0]) {
			t.Errorf("%v: exit %d\n%s", args, r.code, r.stderr)
		}
		if b, _ := os.ReadFile(rep); string(b) != earlier {
			t.Errorf("%v: the report was touched", args)
		}
	}
}
