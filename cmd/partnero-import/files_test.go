package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/partnero-import/partnero-import/importer/partnero"
	"github.com/partnero-import/partnero-import/importer/sandbox"
	"github.com/partnero-import/partnero-import/report"
)

func digest(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// No output is ever written over a file the run reads (the input, a
// --resume report, a preload file, the key file) or over another output,
// whatever path leads to it: the same name, a symlink, a hard link. Each
// clash is exit 2 with one line before anything is written.
func TestNoFileWrittenOverAnother(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	in := filepath.Join(dir, "p.csv")
	os.WriteFile(in, []byte("email\na@x.io\nb@x.io\n"), 0o600)
	os.Symlink(in, filepath.Join(dir, "link.csv"))
	os.Link(in, filepath.Join(dir, "hard.csv"))
	keyFile := filepath.Join(dir, "key")
	os.WriteFile(keyFile, []byte("k-123456\n"), 0o600)
	resumed := filepath.Join(dir, "old.report.csv")
	os.WriteFile(resumed, []byte(strings.Join(report.Header, ",")+"\n"), 0o600)
	os.WriteFile(report.ProvenancePath(resumed), []byte(`{"command":"import","destination":"https://api.partnero.com:443"}`), 0o600)
	at := func(name string) string { return filepath.Join(dir, name) }
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"report is the input", []string{"validate", "--report", in}, "--report"},
		{"report is a symlink to the input", []string{"validate", "--report", at("link.csv")}, "is the input"},
		{"report is a hard link to the input", []string{"validate", "--report", at("hard.csv")}, "is the input"},
		{"report through another directory name", []string{"validate", "--report", at("sub/../p.csv")}, "is the input"},
		{"summary is the input", []string{"validate", "--summary-json", in}, "--summary-json"},
		{"summary is the report", []string{"validate", "--report", at("r.csv"), "--summary-json", at("r.csv")}, "is --report"},
		{"report is the resumed report", []string{"import", "--api-key-file", keyFile, "--resume", resumed, "--report", resumed}, "is --resume"},
		{"report is the key file", []string{"import", "--api-key-file", keyFile, "--report", keyFile}, "is --api-key-file"},
		{"report is the preload file", []string{"import", "--sandbox", "--sandbox-preload", at("hard.csv"), "--report", in}, "is the input"},
		{"summary is the resumed report's provenance", []string{"import", "--api-key-file", keyFile, "--resume", resumed, "--summary-json", resumed + ".provenance.json"}, "is its provenance"},
		{"report is the resumed report's referrals", []string{"import", "--api-key-file", keyFile, "--resume", resumed, "--report", at("old.report.csv.referrals.csv")}, "is its referrals"},
		{"report in a directory that is not there", []string{"validate", "--report", at("nowhere/r.csv")}, "there is no directory"},
		{"summary in a directory that is not there", []string{"validate", "--report", at("r.csv"), "--summary-json", at("nowhere/s.json")}, "there is no directory"},
		{"report is a directory", []string{"validate", "--report", at("sub")}, "is a directory"},
		{"report is a symlink elsewhere", []string{"validate", "--report", at("elsewhere.csv")}, "symbolic link"},
		{"summary is the report's provenance", []string{"validate", "--report", at("r.csv"), "--summary-json", at("r.csv.provenance.json")}, "provenance"},
	}
	os.Mkdir(at("sub"), 0o700)
	os.Symlink(at("sub/target.csv"), at("elsewhere.csv"))
	before := digest(t, in)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, nil, "", append(tt.args, in)...)
			if r.code != exitUsage || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 || !strings.Contains(r.stderr, tt.want) {
				t.Fatalf("exit %d\n%s", r.code, r.stderr)
			}
			if digest(t, in) != before {
				t.Fatal("the input was written over")
			}
			if _, err := os.Stat(at("r.csv")); err == nil {
				t.Fatal("an output was written")
			}
		})
	}
}

// The README's "fix the retry file and import only those" step, run with
// the report name of the run that wrote the retry file: the new retry file
// gets a name of its own, and the retry file being imported stays whole.
func TestRetryFileOfARetryFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	in, rep := filepath.Join(dir, "partners.csv"), filepath.Join(dir, "partners.report.csv")
	var b strings.Builder
	b.WriteString("email\n")
	for i := range 50 {
		fmt.Fprintf(&b, "p%d@x.io\nbad%d\n", i, i)
	}
	os.WriteFile(in, []byte(b.String()), 0o600)
	if r := runCLI(t, nil, "", "validate", "--report", rep, in); r.code != exitRowsFailed {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	retry := filepath.Join(dir, "partners.retry.csv")
	before := digest(t, retry)
	r := runCLI(t, nil, "", "validate", "--report", rep, retry)
	if r.code != exitRowsFailed || len(r.reportLines) != 51 {
		t.Fatalf("exit %d, %d lines\n%s", r.code, len(r.reportLines), r.stderr)
	}
	if digest(t, retry) != before {
		t.Fatal("the retry file being imported was written over")
	}
	if b, err := os.ReadFile(filepath.Join(dir, "partners.retry-2.csv")); err != nil || strings.Count(string(b), "\n") != 51 {
		t.Fatalf("the new retry file: %v\n%s", err, b)
	}
}

// Every report records where its rows went; a dry run and a rehearsal
// never take a real import's report name, and never write over one;
// --resume refuses a report of another destination, a dry run's or a
// rehearsal's; --sandbox and --base-url do not go together.
func TestProvenance(t *testing.T) {
	t.Parallel()
	_, base := startSandbox(t, sandbox.Options{})
	env := map[string]string{"PARTNERO_API_KEY": "k-123456", "PARTNERO_BASE_URL": base}
	dir := t.TempDir()
	in := filepath.Join(dir, "p.csv")
	os.WriteFile(in, []byte("email\na@x.io\nb@x.io\n"), 0o600)
	at := func(name string) string { return filepath.Join(dir, name) }
	for _, run := range []struct {
		args        []string
		report, dst string
	}{
		{[]string{"validate"}, "p.validate.csv", report.DestinationNone},
		{[]string{"import", "--sandbox", "--no-progress"}, "p.sandbox.report.csv", report.DestinationSandbox},
		{[]string{"import", "--no-progress", "--rate", "0"}, "p.report.csv", report.Destination(base)},
	} {
		r := runCLI(t, env, "", append(run.args, in)...)
		if r.code != exitOK {
			t.Fatalf("%v: exit %d\n%s", run.args, r.code, r.stderr)
		}
		prov, err := report.ReadProvenance(at(run.report))
		if err != nil || prov.Destination != run.dst || !prov.Finished || prov.Report != at(run.report) ||
			prov.InputSHA256 != fmt.Sprintf("%x", digest(t, in)) {
			t.Fatalf("%v: provenance %+v, %v", run.args, prov, err)
		}
		if real := run.dst == report.Destination(base) || run.dst == report.DestinationSandbox; real != strings.HasPrefix(prov.Mark, partnero.MarkPrefix) {
			t.Errorf("%v: the job's mark recorded as %q", run.args, prov.Mark)
		}
	}
	real := digest(t, at("p.report.csv"))
	refused := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"a dry run over a real import's report", nil, []string{"validate", "--report", at("p.report.csv")}, "would write over it"},
		{"a rehearsal over a real import's report", nil, []string{"import", "--sandbox", "--report", at("p.report.csv")}, "would write over it"},
		{"resume a dry run", env, []string{"import", "--resume", at("p.validate.csv")}, "dry run"},
		{"resume a rehearsal", env, []string{"import", "--resume", at("p.sandbox.report.csv")}, "rehearsal cannot be resumed"},
		{"resume into a rehearsal", env, []string{"import", "--sandbox", "--resume", at("p.report.csv")}, "rehearsal cannot be resumed"},
		{"resume elsewhere", map[string]string{"PARTNERO_API_KEY": "k-123456"},
			[]string{"import", "--base-url", "https://api.partnero.com/v1", "--resume", at("p.report.csv")}, report.Destination(base)},
		{"sandbox and base URL", nil, []string{"import", "--sandbox", "--base-url", base}, "do not go together"},
	}
	for _, tt := range refused {
		r := runCLI(t, tt.env, "", append(tt.args, in)...)
		if r.code != exitUsage || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("%s: exit %d\n%s", tt.name, r.code, r.stderr)
		}
		if digest(t, at("p.report.csv")) != real {
			t.Fatalf("%s: the real import's report was written over", tt.name)
		}
	}
	// An import into another API (staging, then production) keeps the
	// first's report too, and says whose it is: its own takes a number.
	_, other := startSandbox(t, sandbox.Options{})
	r := runCLI(t, map[string]string{"PARTNERO_API_KEY": "k-123456", "PARTNERO_BASE_URL": other}, "", "import", "--no-progress", "--rate", "0", in)
	if r.code != exitOK || !strings.Contains(r.stderr, "is the report of an import into "+report.Destination(base)) ||
		!exists(at("p.report-2.csv")) || digest(t, at("p.report.csv")) != real {
		t.Fatalf("an import into another API: exit %d\n%s", r.code, r.stderr)
	}
	// A resume writes a report of its own, recording what it resumed.
	r = runCLI(t, env, "", "import", "--no-progress", "--rate", "0", "--resume", at("p.report.csv"), in)
	prov, err := report.ReadProvenance(at("p.resumed.report.csv"))
	if r.code != exitOK || err != nil || prov.ResumedFrom != at("p.report.csv") {
		t.Fatalf("resume: exit %d, %+v %v\n%s", r.code, prov, err, r.stderr)
	}
}

// A real import never replaces an earlier real import's report: a nightly
// job with a fixed --report, and a.jsonl imported after a.csv (the same
// default name), each keep the first report and write a numbered one, said
// on standard error; each report then rolls back what its own run created.
func TestRealImportsReportsAreKept(t *testing.T) {
	t.Parallel()
	sb, base := startSandbox(t, sandbox.Options{})
	env := map[string]string{"PARTNERO_API_KEY": "k-123456", "PARTNERO_BASE_URL": base}
	dir := t.TempDir()
	at := func(name string) string { return filepath.Join(dir, name) }
	os.WriteFile(at("monday.csv"), []byte("email\na@x.io\nb@x.io\n"), 0o600)
	os.WriteFile(at("tuesday.csv"), []byte("email\nc@x.io\n"), 0o600)
	os.WriteFile(at("a.csv"), []byte("email\nd@x.io\n"), 0o600)
	os.WriteFile(at("a.jsonl"), []byte(`{"email":"e@x.io"}`+"\n"), 0o600)
	for _, run := range []struct {
		args         []string
		report, kept string
		created      int
	}{
		{[]string{"--report", at("nightly.csv"), at("monday.csv")}, at("nightly.csv"), "", 2},
		{[]string{"--report", at("nightly.csv"), at("tuesday.csv")}, at("nightly-2.csv"), at("nightly.csv"), 1},
		{[]string{at("a.csv")}, at("a.report.csv"), "", 1},
		{[]string{at("a.jsonl")}, at("a.report-2.csv"), at("a.report.csv"), 1},
	} {
		var before [32]byte
		if run.kept != "" {
			before = digest(t, run.kept)
		}
		r := runCLI(t, env, "", append([]string{"import", "--no-progress", "--rate", "0"}, run.args...)...)
		said := "it is kept, and this run's report is " + run.report
		if r.code != exitOK || strings.Contains(r.stderr, said) != (run.kept != "") || !strings.Contains(r.stderr, "report: "+run.report) {
			t.Fatalf("%v: exit %d\n%s", run.args, r.code, r.stderr)
		}
		if run.kept != "" && digest(t, run.kept) != before {
			t.Fatalf("%v: %s was written over", run.args, run.kept)
		}
		prov, err := report.ReadProvenance(run.report)
		if err != nil || prov.Report != run.report {
			t.Fatalf("%v: provenance %+v %v", run.args, prov, err)
		}
		rb := runCLI(t, env, "", "rollback", "--yes", "--no-progress", "--rate", "0", "--report", run.report+".undo.csv", run.report)
		if rb.code != exitOK || statusesOf(rb)["archived/"] != run.created {
			t.Errorf("rollback %s: exit %d %v\n%s", run.report, rb.code, statusesOf(rb), rb.stderr)
		}
	}
	for _, p := range sb.Partners() {
		if p.Status != sandbox.Archived {
			t.Errorf("%s is %s: its import's report was lost", p.Email, p.Status)
		}
	}
}

// An interrupted rehearsal offers no resume command: the embedded
// sandbox's partners ended with it.
func TestInterruptedRehearsalOffersNoResume(t *testing.T) {
	t.Parallel()
	in := filepath.Join(t.TempDir(), "p.csv")
	os.WriteFile(in, []byte("email\na@x.io\n"), 0o600)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var stderr strings.Builder
	code := run(ctx, []string{"import", "--sandbox", "--no-progress", in}, func(string) string { return "" },
		Streams{In: strings.NewReader(""), Out: &strings.Builder{}, Err: &stderr})
	if code != exitInterrupted || strings.Contains(stderr.String(), "--resume") || !strings.Contains(stderr.String(), "rehearse again") {
		t.Fatalf("exit %d\n%s", code, stderr.String())
	}
	// Nor does a second signal's last word.
	stderr.Reset()
	code = run(ctx, []string{"import", "--sandbox", "--no-progress", in}, func(string) string { return "" },
		Streams{In: strings.NewReader(""), Out: &strings.Builder{}, Err: &stderr, HardStop: ctx})
	if code != exitInterrupted || strings.Contains(stderr.String(), "--resume") {
		t.Fatalf("stopped at once: exit %d\n%s", code, stderr.String())
	}
}

// An output never lands on another run's files, whatever flag points
// there: a real import's report, its provenance or its referral tree is
// not a summary, someone's notes are not a report, and a retry file's
// natural name that is another run's report gets a number instead.
func TestNoOtherRunsFileWrittenOver(t *testing.T) {
	t.Parallel()
	_, base := startSandbox(t, sandbox.Options{})
	env := map[string]string{"PARTNERO_API_KEY": "k-123456", "PARTNERO_BASE_URL": base}
	dir := t.TempDir()
	at := func(name string) string { return filepath.Join(dir, name) }
	in := at("p.csv")
	os.WriteFile(in, []byte("email,referring_partner_email\na@x.io,\nb@x.io,a@x.io\nbad,\n"), 0o600)
	os.WriteFile(at("notes.txt"), []byte("my notes\n"), 0o600)
	if r := runCLI(t, env, "", "import", "--no-progress", "--rate", "0", "--report", at("run.retry.csv"), in); r.code != exitRowsFailed {
		t.Fatalf("import: exit %d\n%s", r.code, r.stderr)
	}
	real := at("run.retry.csv")
	kept := map[string][32]byte{}
	for _, p := range []string{real, report.ProvenancePath(real), report.ReferralsPath(real), at("notes.txt")} {
		kept[p] = digest(t, p)
	}
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"summary over a real report", []string{"validate", "--summary-json", real}, "is not a summary"},
		{"summary over its provenance", []string{"import", "--sandbox", "--summary-json", report.ProvenancePath(real)}, "belongs to the report"},
		{"summary over its referrals", []string{"validate", "--summary-json", report.ReferralsPath(real)}, "belongs to the report"},
		{"report over its provenance", []string{"validate", "--report", report.ProvenancePath(real)}, "belongs to the report"},
		{"report over someone's notes", []string{"validate", "--report", at("notes.txt")}, "is not a report"},
	} {
		r := runCLI(t, env, "", append(append([]string{tt.args[0], "--no-progress"}, tt.args[1:]...), in)...)
		if r.code != exitUsage || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("%s: exit %d\n%s", tt.name, r.code, r.stderr)
		}
	}
	// run.csv's retry file would be run.retry.csv: the report above.
	r := runCLI(t, env, "", "validate", "--no-progress", "--report", at("run.csv"), in)
	if r.code != exitRowsFailed || !strings.Contains(r.stderr, at("run.retry-2.csv")) {
		t.Errorf("validate: exit %d\n%s", r.code, r.stderr)
	}
	for p, d := range kept {
		if digest(t, p) != d {
			t.Errorf("%s was written over", p)
		}
	}
}

// An output that cannot be written is found before anything is sent (it
// used to be found after every row was sent: exit 2, "could not go on"),
// and nothing is left where the run was refused.
func TestUnwritableOutputRefusedBeforeSending(t *testing.T) {
	t.Parallel()
	sb, base := startSandbox(t, sandbox.Options{})
	dir := t.TempDir()
	input := csvOf(t, dir, "in.csv", 3)
	locked := unwritableDir(t)
	readOnly := filepath.Join(dir, "old.summary.json")
	os.WriteFile(readOnly, []byte(`{"exit_code":0}`+"\n"), 0o444)
	for _, tc := range []struct {
		name string
		args []string
		says string
	}{
		{"--summary-json in a directory that refuses files", []string{"--summary-json", filepath.Join(locked, "s.json")}, "--summary-json " + filepath.Join(locked, "s.json") + " cannot be written"},
		{"--report in a directory that refuses files", []string{"--report", filepath.Join(locked, "r.csv")}, "--report " + filepath.Join(locked, "r.csv") + " cannot be written"},
		{"a read-only --summary-json", []string{"--summary-json", readOnly}, "--summary-json " + readOnly + " cannot be written"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if os.Geteuid() == 0 && strings.Contains(tc.name, "read-only") {
				t.Skip("root writes a read-only file")
			}
			args := append([]string{"import", "--no-progress", "--base-url", base}, tc.args...)
			r := runCLI(t, map[string]string{"PARTNERO_API_KEY": "k"}, "", append(args, input)...)
			if r.code != exitUsage || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, tc.says) || !strings.Contains(r.stderr, "nothing was sent") {
				t.Fatalf("exit %d\n%s", r.code, r.stderr)
			}
			if n := sb.Requests(); n != 0 {
				t.Fatalf("%d requests sent", n)
			}
		})
	}
	if b, _ := os.ReadFile(readOnly); string(b) != `{"exit_code":0}`+"\n" {
		t.Errorf("the read-only summary was changed: %s", b)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("the run left files: %v", entries)
	}
}

// unwritableDir is a directory where no file can be created: a private
// one made read-only, or for root (whom permissions do not stop) /sys.
func unwritableDir(t *testing.T) string {
	t.Helper()
	if os.Geteuid() != 0 {
		dir := t.TempDir()
		os.Chmod(dir, 0o500)
		t.Cleanup(func() { os.Chmod(dir, 0o700) })
		return dir
	}
	if f, err := os.CreateTemp("/sys", "probe-*"); err == nil {
		f.Close()
		os.Remove(f.Name())
		t.Skip("root can write everywhere here")
	}
	return "/sys"
}

// The note on a kept report of a crashed import that a resume then
// finished names the job's last report, not a --resume that is refused.
func TestKeptReportOfAResumedJob(t *testing.T) {
	t.Parallel()
	_, base := startSandbox(t, sandbox.Options{})
	env := map[string]string{"PARTNERO_API_KEY": "k-123456", "PARTNERO_BASE_URL": base}
	dir := t.TempDir()
	at := func(name string) string { return filepath.Join(dir, name) }
	os.WriteFile(at("p.csv"), []byte("email\na@x.io\nb@x.io\n"), 0o600)
	if r := runCLI(t, env, "", "import", "--no-progress", "--rate", "0", at("p.csv")); r.code != exitOK {
		t.Fatalf("import: exit %d\n%s", r.code, r.stderr)
	}
	// As kill -9 leaves it: the provenance says the run did not finish.
	pp := report.ProvenancePath(at("p.report.csv"))
	b, err := os.ReadFile(pp)
	if err != nil || !bytes.Contains(b, []byte(`"finished": true`)) {
		t.Fatalf("provenance: %v\n%s", err, b)
	}
	os.WriteFile(pp, bytes.Replace(b, []byte(`"finished": true`), []byte(`"finished": false`), 1), 0o600)
	if r := runCLI(t, env, "", "import", "--no-progress", "--rate", "0", "--resume", at("p.report.csv"), at("p.csv")); r.code != exitOK {
		t.Fatalf("resume: exit %d\n%s", r.code, r.stderr)
	}
	r := runCLI(t, env, "", "import", "--no-progress", "--rate", "0", at("p.csv"))
	if strings.Contains(r.stderr, "import --resume "+at("p.report.csv")) || !strings.Contains(r.stderr, "whose last report is "+at("p.resumed.report.csv")) {
		t.Errorf("the note does not name the job's last report:\n%s", r.stderr)
	}
}
