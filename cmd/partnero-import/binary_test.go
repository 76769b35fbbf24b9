package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/partnero-import/partnero-import/importer/sandbox"
	"github.com/partnero-import/partnero-import/report"
)

var (
	buildOnce sync.Once
	binDir    string
	binErr    error
)

func TestMain(m *testing.M) {
	flag.Parse()
	retryBase = 5 * time.Millisecond // the in-process runs back off in milliseconds
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// buildBinary builds the real command, once for all the tests.
func buildBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	buildOnce.Do(func() {
		if binDir, binErr = os.MkdirTemp("", "partnero-import-test-"); binErr != nil {
			return
		}
		out, err := exec.Command("go", "build", "-o", filepath.Join(binDir, "partnero-import"), ".").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return filepath.Join(binDir, "partnero-import")
}

// startBinary starts the built command with env added to this process's
// environment; its standard error is collected, to be read while it runs.
func startBinary(t *testing.T, env []string, args ...string) (*exec.Cmd, *syncBuffer) {
	t.Helper()
	cmd := exec.Command(buildBinary(t), args...)
	cmd.Env = append(os.Environ(), env...)
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, stderr
}

// stopTwice sends SIGINT, waits until the run says it is stopping (the
// first signal handled on its own), and sends the second.
func stopTwice(t *testing.T, cmd *exec.Cmd, stderr *syncBuffer) {
	t.Helper()
	cmd.Process.Signal(syscall.SIGINT)
	waitUntil(t, cmd, func() bool { return strings.Contains(stderr.String(), "stopping") })
	cmd.Process.Signal(syscall.SIGINT)
}

func startSandbox(t *testing.T, opts sandbox.Options) (*sandbox.Server, string) {
	t.Helper()
	sb := sandbox.New(opts)
	base, err := sb.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	return sb, base
}

// reportLines is how many whole rows a report on disk holds so far (0
// when it is not there yet).
func reportLines(path string) int {
	b, _ := os.ReadFile(path)
	return max(bytes.Count(b, []byte("\n"))-1, 0)
}

// waitUntil polls cond while cmd runs; it kills cmd and fails after 20s.
func waitUntil(t *testing.T, cmd *exec.Cmd, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("the run made no progress in 20s")
		}
	}
}

// The first SIGINT, SIGTERM or SIGHUP (a closed terminal or SSH session)
// stops sending, lets requests in flight finish, reports every other row
// skipped/aborted, writes the sorted report and exits 130.
func TestBinaryInterruptedBySignal(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Parallel()
			interruptedBy(t, sig)
		})
	}
}

func interruptedBy(t *testing.T, sig syscall.Signal) {
	// Ten creates pass; the server holds the next until the run has said
	// it is stopping: rows are left to abort, by construction.
	sb := sandbox.New(sandbox.Options{})
	g := &gatedServer{sb: sb, release: make(chan struct{}), free: 10}
	base := newGatedServer(t, g)
	release := g.releaser(t)

	dir := t.TempDir()
	input := filepath.Join(dir, "in.csv")
	var b strings.Builder
	b.WriteString("email,name,password\n")
	for i := range 200 {
		fmt.Fprintf(&b, "p%d@x.io,P%d,Pa55word%d\n", i, i, i)
	}
	os.WriteFile(input, []byte(b.String()), 0o600)
	rep := filepath.Join(dir, "in.report.csv")

	cmd, stderr := startBinary(t, []string{"PARTNERO_API_KEY=key-never-shown"}, "import", "--rate", "0", "--concurrency", "2", "--base-url", base, input)
	// Interrupted with ten partners made and two creates in flight.
	waitUntil(t, cmd, func() bool { return g.waiting() == 2 })
	cmd.Process.Signal(sig)
	waitUntil(t, cmd, func() bool { return strings.Contains(stderr.String(), "stopping: 2 requests in flight") })
	release()
	err := cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != exitInterrupted {
		t.Fatalf("exit %d (%v), want 130\n%s", code, err, stderr.String())
	}
	if want := "--resume " + rep; !strings.Contains(stderr.String(), want) {
		t.Errorf("stderr does not give the resume command (%s):\n%s", want, stderr.String())
	}
	f, _ := os.ReadFile(rep)
	lines, err := csv.NewReader(bytes.NewReader(f)).ReadAll()
	if err != nil || len(lines) != 201 {
		t.Fatalf("report: %d lines, %v", len(lines), err)
	}
	created, aborted := 0, 0
	for i, l := range lines[1:] {
		if l[0] != fmt.Sprint(i+1) {
			t.Fatalf("line %d is row %s: the report is not sorted", i+1, l[0])
		}
		switch l[4] + "/" + l[5] {
		case "created/":
			created++
		case "skipped/aborted":
			aborted++
		default:
			t.Errorf("row %s: %s/%s %s", l[0], l[4], l[5], l[7])
		}
	}
	if aborted == 0 || created != len(sb.Partners()) {
		t.Fatalf("created %d, aborted %d, the sandbox holds %d", created, aborted, len(sb.Partners()))
	}
	for _, secret := range []string{"key-never-shown", "Pa55word1"} {
		if strings.Contains(string(f), secret) || strings.Contains(stderr.String(), secret) {
			t.Errorf("%q leaked", secret)
		}
	}
}

// kill -9 in the middle of an import, then --resume with the same report:
// the run converges to what an uninterrupted run gives, every partner held
// once and every row reported created or already done.
func TestBinaryKilledThenResumed(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	// A server whose clocks lie (created_at in local time without a zone,
	// hours ahead, no Date header) and which loses answers: the resumed
	// run knows its job's partners by the job's mark, whatever the clocks.
	sb := sandbox.New(sandbox.Options{
		Vary:   sandbox.Variation{TimeFormat: "local", StampSkew: 3 * time.Hour, NoDate: true},
		Faults: sandbox.Faults{DropAfterStore: 0.2, Seed: 3}})
	// The first 20 creates pass; the others wait at the gate until the
	// first run is dead: it cannot finish before the kill.
	g := &gatedServer{sb: sb, release: make(chan struct{}), free: 20}
	base := newGatedServer(t, g)
	release := g.releaser(t)
	dir := t.TempDir()
	input := filepath.Join(dir, "in.csv")
	var b strings.Builder
	b.WriteString("email,name,referring_partner_email\n")
	for i := range 100 {
		ref := ""
		if i%4 != 0 {
			ref = fmt.Sprintf("p%d@x.io", i/4*4) // small trees, referrers in the file
		}
		fmt.Fprintf(&b, "p%d@x.io,P%d,%s\n", i, i, ref)
	}
	os.WriteFile(input, []byte(b.String()), 0o600)
	rep := filepath.Join(dir, "in.report.csv")
	env := []string{"PARTNERO_API_KEY=k"}

	first, _ := startBinary(t, env, "import", "--rate", "0", "--concurrency", "4", "--base-url", base, input)
	// Killed with rows in its report and a create held at the gate.
	waitUntil(t, first, func() bool { return g.waiting() > 0 && reportLines(rep) >= 10 })
	first.Process.Signal(syscall.SIGKILL)
	first.Wait()
	// What the dead run sent and the server had not yet answered is
	// stored now, unanswered, before the resume starts.
	release()
	waitUntil(t, first, func() bool { return g.waiting() == 0 })

	var stderr bytes.Buffer
	second := exec.Command(bin, "import", "--rate", "0", "--concurrency", "4", "--base-url", base, "--resume", rep, input)
	second.Env, second.Stderr = append(os.Environ(), env...), &stderr
	if err := second.Run(); err != nil {
		t.Fatalf("resume: %v\n%s", err, stderr.String())
	}
	// The resumed run writes a report of its own, beside the one it read.
	f, _ := os.ReadFile(filepath.Join(dir, "in.resumed.report.csv"))
	lines, err := csv.NewReader(bytes.NewReader(f)).ReadAll()
	if err != nil || len(lines) != 101 {
		t.Fatalf("report: %d lines, %v", len(lines), err)
	}
	stored := map[string]string{}
	for _, p := range sb.Partners() {
		if _, twice := stored[p.Email]; twice {
			t.Fatalf("%s stored twice", p.Email)
		}
		stored[p.Email] = p.ID
	}
	done := 0
	for i, l := range lines[1:] {
		if l[0] != fmt.Sprint(i+1) {
			t.Fatalf("line %d is row %s: not sorted", i+1, l[0])
		}
		switch l[4] + "/" + l[5] {
		case "skipped/already_done":
			done++
		case "created/":
		default:
			t.Errorf("row %s: %s/%s %s", l[0], l[4], l[5], l[7])
		}
		if stored[l[2]] == "" || stored[l[2]] != l[8] {
			t.Errorf("row %s (%s): partner_id %q, the sandbox holds %q", l[0], l[2], l[8], stored[l[2]])
		}
	}
	if len(stored) != 100 || done == 0 {
		t.Fatalf("held %d, already done %d", len(stored), done)
	}
	// The way back undoes the whole job from the resumed report: the
	// partners of both runs carry the one mark.
	r := runCLI(t, map[string]string{"PARTNERO_API_KEY": "k", "PARTNERO_BASE_URL": base}, "", "rollback", "--yes", "--no-progress",
		"--rate", "0", "--report", filepath.Join(dir, "rb.csv"), filepath.Join(dir, "in.resumed.report.csv"))
	if r.code != exitOK || statusesOf(r)["archived/"] != 100 {
		t.Fatalf("rollback: exit %d, %v\n%s", r.code, statusesOf(r), r.stderr)
	}
}

// A report of another file is refused before anything is sent or rewritten.
func TestResumeWithAnotherFilesReport(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	input := filepath.Join(dir, "in.csv")
	os.WriteFile(input, []byte("email\na@x.io\nb@x.io\n"), 0o600)
	rep := filepath.Join(dir, "in.report.csv")
	old := "row,line,email,action,status,reason,http_status,message,partner_id,referral_link,attempts\n1,2,zed@x.io,create,created,,201,,p1,,1\n"
	os.WriteFile(rep, []byte(old), 0o600)
	_, base := startSandbox(t, sandbox.Options{})
	os.WriteFile(report.ProvenancePath(rep), []byte(`{"command":"import","destination":"`+report.Destination(base)+`"}`), 0o600)
	r := runCLI(t, map[string]string{"PARTNERO_API_KEY": "k", "PARTNERO_BASE_URL": base}, "", "import", "--no-progress", "--resume", rep, input)
	if r.code != exitUsage || !strings.Contains(r.stderr, "not a report of this file") {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if b, _ := os.ReadFile(rep); string(b) != old {
		t.Fatalf("the report was rewritten:\n%s", b)
	}
}

// A second signal stops at once, says how to resume, and leaves a report
// that --resume reads.
func TestBinarySecondSignalStopsAtOnce(t *testing.T) {
	t.Parallel()
	g := &gatedServer{sb: sandbox.New(sandbox.Options{}), release: make(chan struct{})}
	base := newGatedServer(t, g)
	release := g.releaser(t)
	dir := t.TempDir()
	input := filepath.Join(dir, "in.csv")
	os.WriteFile(input, []byte("email\na@x.io\nb@x.io\nc@x.io\nd@x.io\n"), 0o600)
	cmd, stderr := startBinary(t, []string{"PARTNERO_API_KEY=k"}, "import", "--rate", "0", "--concurrency", "2", "--base-url", base, input)
	waitUntil(t, cmd, func() bool { return g.waiting() == 2 }) // two rows in flight, held
	stopTwice(t, cmd, stderr)
	cmd.Wait() // while the server still holds them: the run did not wait
	release()
	if code := cmd.ProcessState.ExitCode(); code != exitInterrupted || !strings.Contains(stderr.String(), "stopped at once") ||
		!strings.Contains(stderr.String(), "--resume "+filepath.Join(dir, "in.report.csv")) {
		t.Fatalf("exit %d\n%s", code, stderr.String())
	}
	// Every row has its line: the two in flight failed, saying they may
	// exist; the others aborted.
	b, _ := os.ReadFile(filepath.Join(dir, "in.report.csv"))
	lines, _ := csv.NewReader(bytes.NewReader(b)).ReadAll()
	got := map[string]int{}
	for _, l := range lines[1:] {
		got[l[4]+"/"+l[5]]++
		if l[4] == "failed" && (!strings.Contains(l[7], "may have been created") || l[10] == "0") {
			t.Errorf("row %s: %s", l[0], l[7])
		}
	}
	if len(lines) != 5 || got["failed/network_error"] != 2 || got["skipped/aborted"] != 2 {
		t.Fatalf("%d lines: %v\n%s", len(lines), got, b)
	}
	sortedAndInterrupted(t, filepath.Join(dir, "in.report.csv"), lines)
	r := runCLI(t, map[string]string{"PARTNERO_API_KEY": "k"}, "", "import", "--base-url", base, "--no-progress", "--rate", "0",
		"--resume", filepath.Join(dir, "in.report.csv"), "--report", filepath.Join(dir, "again.csv"), input)
	if r.code != exitOK {
		t.Fatalf("resume: exit %d\n%s", r.code, r.stderr)
	}
	// The stopped run's retry file holds its four rows; the resume says
	// it is out of date.
	if b, err := os.ReadFile(filepath.Join(dir, "in.retry.csv")); err != nil || strings.Count(string(b), "\n") != 5 {
		t.Errorf("the stopped run's retry file: %q, %v", b, err)
	}
	if !strings.Contains(r.stderr, filepath.Join(dir, "in.retry.csv")+", the retry file of the run this one resumed, is out of date: every row is done") {
		t.Errorf("no word of the stale retry file:\n%s", r.stderr)
	}
}

// A second signal before any row was sent (the preflight still waiting for
// its answer) says so, not that rows in flight were reported.
func TestBinarySecondSignalBeforeAnyRow(t *testing.T) {
	t.Parallel()
	sb, base := startSandbox(t, sandbox.Options{Latency: 3 * time.Second})
	dir := t.TempDir()
	input := filepath.Join(dir, "in.csv")
	os.WriteFile(input, []byte("email\na@x.io\nb@x.io\n"), 0o600)
	cmd, stderr := startBinary(t, []string{"PARTNERO_API_KEY=k"}, "import", "--no-progress", "--rate", "0", "--base-url", base, input)
	waitUntil(t, cmd, func() bool { return sb.Requests() >= 1 }) // the preflight, unanswered
	stopTwice(t, cmd, stderr)
	cmd.Wait()
	last := lastLine(stderr.String())
	if code := cmd.ProcessState.ExitCode(); code != exitInterrupted ||
		!strings.HasPrefix(last, "partnero-import: stopped at once, before any row was sent") || strings.Contains(stderr.String(), "rows in flight") {
		t.Fatalf("exit %d\n%s", code, stderr.String())
	}
	if n := len(sb.Partners()); n != 0 {
		t.Fatalf("the sandbox holds %d partners", n)
	}
}

// A second signal while the import's first pass reads a long file ends the
// run within the grace main gives it (not at its end, after every row was
// checked): nothing was sent, no report was opened, and the last word
// offers no --resume of a report that does not exist.
func TestBinarySecondSignalDuringFirstPass(t *testing.T) {
	t.Parallel()
	sb, base := startSandbox(t, sandbox.Options{})
	dir := t.TempDir()
	input := filepath.Join(dir, "in.csv")
	var b bytes.Buffer
	b.WriteString("email\n")
	for i := range 300_000 {
		fmt.Fprintf(&b, "p%d@x.io\n", i)
	}
	os.WriteFile(input, b.Bytes(), 0o600)
	cmd, stderr := startBinary(t, []string{"PARTNERO_API_KEY=k"}, "import", "--progress-interval", "10ms", "--base-url", base, input)
	waitUntil(t, cmd, func() bool { return strings.Contains(stderr.String(), "progress: checking") })
	stopTwice(t, cmd, stderr)
	start := time.Now()
	endsSoon(t, cmd, stderr)
	last := lastLine(stderr.String())
	if code := cmd.ProcessState.ExitCode(); code != exitInterrupted || time.Since(start) >= hardStopGrace ||
		!strings.HasPrefix(last, "partnero-import: stopped at once, before any row was sent") || strings.Contains(last, "--resume") {
		t.Fatalf("exit %d after %v\n%s", code, time.Since(start), stderr.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "in.report.csv")); err == nil || sb.Requests() != 0 {
		t.Fatalf("a report (%v) or %d requests", err, sb.Requests())
	}
}

// A first signal while standard input is still open ends the run at once,
// with one line and exit 130: nothing was read to check or send.
func TestBinaryInterruptWhileReadingStdin(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	summary := filepath.Join(dir, "s.json")
	cmd := exec.Command(buildBinary(t), "validate", "--format", "csv", "--report", filepath.Join(dir, "r.csv"), "--summary-json", summary, "-")
	stdin, err := cmd.StdinPipe() // never closed: a producer that is slow
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stdin.Write([]byte("email\na@x.io\n"))
	// Reading standard input, which has nothing more to give.
	waitUntil(t, cmd, func() bool { return blockedIn(t, cmd.Process.Pid, "pipe_read") })
	cmd.Process.Signal(syscall.SIGINT)
	endsSoon(t, cmd, &stderr)
	if code := cmd.ProcessState.ExitCode(); code != exitInterrupted ||
		strings.TrimSpace(stderr.String()) != "partnero-import: interrupted while standard input was being read: nothing was checked or sent" {
		t.Fatalf("exit %d\n%s", code, stderr.String())
	}
	if b, _ := os.ReadFile(summary); !strings.Contains(strings.ReplaceAll(string(b), " ", ""), `"exit_code":130`) ||
		!strings.Contains(strings.ReplaceAll(string(b), " ", ""), `"interrupted":true`) {
		t.Errorf("summary: %s", b)
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

// A second signal during a rollback leaves a line for every row: the
// partners whose undo was in flight failed (it may be done: run it again),
// the rest aborted.
func TestBinaryRollbackSecondSignal(t *testing.T) {
	t.Parallel()
	sb, base := startSandbox(t, sandbox.Options{Latency: 1500 * time.Millisecond})
	dir := t.TempDir()
	rep := filepath.Join(dir, "r.csv")
	var b strings.Builder
	b.WriteString(strings.Join(report.Header, ",") + "\n")
	for i := range 6 {
		sb.Add(sandbox.Partner{Email: fmt.Sprintf("p%d@x.io", i), ID: fmt.Sprintf("id%d", i)})
		fmt.Fprintf(&b, "%d,%d,p%d@x.io,create,created,,201,,id%d,,1\n", i+1, i+2, i, i)
	}
	os.WriteFile(rep, []byte(b.String()), 0o600)
	os.WriteFile(report.ProvenancePath(rep), []byte(`{"command":"import","destination":"`+report.Destination(base)+`"}`), 0o600)
	os.WriteFile(report.ReferralsPath(rep), []byte("row,referring_row\n"), 0o600)
	cmd, stderr := startBinary(t, []string{"PARTNERO_API_KEY=k"}, "rollback", "--yes", "--rate", "0", "--concurrency", "2", "--base-url", base, rep)
	waitUntil(t, cmd, func() bool { return sb.Requests() >= 3 }) // the preflight, and two partners being read
	stopTwice(t, cmd, stderr)
	cmd.Wait()
	// The last word says what the report holds: the two partners being
	// read (nothing archived yet) are in it as failed, not "before any row
	// was sent ... lacks the rows".
	if code := cmd.ProcessState.ExitCode(); code != exitInterrupted ||
		!strings.HasPrefix(lastLine(stderr.String()), "partnero-import: stopped at once; the report holds the rows finished so far, and the rows in flight as failed") {
		t.Fatalf("exit %d\n%s", code, stderr.String())
	}
	out, _ := os.ReadFile(filepath.Join(dir, "r.rollback.csv"))
	lines, _ := csv.NewReader(bytes.NewReader(out)).ReadAll()
	got := map[string]int{}
	for _, l := range lines[1:] {
		got[l[4]+"/"+l[5]]++
	}
	if len(lines) != 7 || got["failed/network_error"] != 2 || got["skipped/aborted"] != 4 {
		t.Fatalf("%d lines: %v\n%s\n%s", len(lines), got, out, stderr.String())
	}
	sortedAndInterrupted(t, filepath.Join(dir, "r.rollback.csv"), lines)
}

// sortedAndInterrupted checks what a second signal leaves: the report in
// row order, its provenance saying the run was interrupted.
func sortedAndInterrupted(t *testing.T, path string, lines [][]string) {
	t.Helper()
	for i, l := range lines[1:] {
		if l[0] != fmt.Sprint(i+1) {
			t.Errorf("line %d is row %s: the report is not sorted", i+1, l[0])
		}
	}
	if prov, err := report.ReadProvenance(path); err != nil || !prov.Interrupted || prov.EndedAt.IsZero() {
		t.Errorf("provenance %+v, %v", prov, err)
	}
}

// A named pipe as FILE is read once and copied, as standard input is: the
// import's two passes do not wait forever for a second writer.
func TestBinaryNamedPipeInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe.csv")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip(err)
	}
	cmd := exec.Command(buildBinary(t), "import", "--sandbox", "--no-progress", fifo)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err == nil {
			w.WriteString("email\na@x.io\nb@x.io\n")
			w.Close()
		}
	}()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("still running:\n%s", stderr.String())
	}
	b, err := os.ReadFile(filepath.Join(dir, "pipe.sandbox.report.csv"))
	if cmd.ProcessState.ExitCode() != exitOK || err != nil || strings.Count(string(b), ",created,") != 2 {
		t.Fatalf("exit %d, report %q %v\n%s", cmd.ProcessState.ExitCode(), b, err, stderr.String())
	}
}

// Standard error closed early (`2>&1 | head -1`, a hung-up terminal): the
// run goes on without it, writes a line for every row and ends with the
// code it would have had; with SIGHUP on top, it stops as for Ctrl-C.
func TestBinaryClosedStderr(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		hangUp bool
		want   int
	}{
		{"runs to its end", false, exitOK},
		{"then hung up", true, exitInterrupted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g := &gatedServer{sb: sandbox.New(sandbox.Options{Latency: 20 * time.Millisecond}), release: make(chan struct{})}
			base := newGatedServer(t, g)
			dir := t.TempDir()
			input := csvOf(t, dir, "in.csv", 60)
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(buildBinary(t), "import", "--log-format", "json", "--rate", "0", "--concurrency", "2", "--base-url", base, input)
			cmd.Env, cmd.Stderr = append(os.Environ(), "PARTNERO_API_KEY=k"), w
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			w.Close()
			// The run's first line, then nobody reads: every later line
			// meets a closed pipe.
			if first, err := bufio.NewReader(r).ReadString('\n'); err != nil || !strings.Contains(first, `"msg":"start"`) {
				cmd.Process.Kill()
				t.Fatalf("first line %q, %v", first, err)
			}
			r.Close()
			close(g.release) // the creates held until now go on
			if tc.hangUp {
				waitUntil(t, cmd, func() bool { return len(g.sb.Partners()) >= 5 })
				cmd.Process.Signal(syscall.SIGHUP)
			}
			cmd.Wait()
			if code := cmd.ProcessState.ExitCode(); code != tc.want {
				t.Fatalf("exit %d (%v), want %d", code, cmd.ProcessState, tc.want)
			}
			b, _ := os.ReadFile(filepath.Join(dir, "in.report.csv"))
			lines, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
			if err != nil || len(lines) != 61 {
				t.Fatalf("report: %d lines, %v\n%s", len(lines), err, b)
			}
			created := 0
			for i, l := range lines[1:] {
				if l[0] != fmt.Sprint(i+1) {
					t.Fatalf("line %d is row %s: the report is not sorted", i+1, l[0])
				}
				if l[4] == "created" {
					created++
				} else if !tc.hangUp || l[4]+"/"+l[5] != "skipped/aborted" {
					t.Errorf("row %s: %s/%s %s", l[0], l[4], l[5], l[7])
				}
			}
			if created != len(g.sb.Partners()) {
				t.Errorf("%d rows created, the sandbox holds %d", created, len(g.sb.Partners()))
			}
		})
	}
}

// A report that cannot be written mid-run (a full disk: here the file size
// limit, which fails writes as a full disk does) ends the run with exit 2
// and one line that says how many partners were created before, that the
// report may lack rows, and how to finish; the printed resume then
// finishes the job, every partner held once.
func TestBinaryReportFailsMidRun(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	sb, base := startSandbox(t, sandbox.Options{})
	dir := t.TempDir()
	input := csvOf(t, dir, "in.csv", 300)
	rep := filepath.Join(dir, "in.report.csv")
	// ulimit -f counts 512- or 1024-byte blocks: a few KiB, a few dozen lines.
	cmd := exec.Command("/bin/sh", "-c", `ulimit -f 8 && exec "$0" "$@"`, bin, "import", "--no-progress", "--rate", "0", "--concurrency", "4", "--base-url", base, input)
	var stderr bytes.Buffer
	cmd.Env, cmd.Stderr = append(os.Environ(), "PARTNERO_API_KEY=k"), &stderr
	cmd.Run()
	created := len(sb.Partners())
	if code := cmd.ProcessState.ExitCode(); code != exitUsage || created == 0 || created == 300 {
		t.Fatalf("exit %d, %d created\n%s", code, created, stderr.String())
	}
	last := lastLine(stderr.String())
	for _, want := range []string{"cannot write the report", fmt.Sprintf("%d partners were created", created), "the report may lack rows",
		"with PARTNERO_API_KEY set as for this run, run: " + bin + " import --resume " + rep} {
		if !strings.Contains(last, want) {
			t.Errorf("the last line does not say %q:\n%s", want, stderr.String())
		}
	}
	if strings.Count(stderr.String(), "\n") != 1 {
		t.Errorf("more than one line:\n%s", stderr.String())
	}
	resume := exec.Command(bin, "import", "--no-progress", "--rate", "0", "--resume", rep, "--base-url", base, input)
	resume.Env = append(os.Environ(), "PARTNERO_API_KEY=k")
	if out, err := resume.CombinedOutput(); err != nil {
		t.Fatalf("resume: %v\n%s", err, out)
	}
	seen := map[string]bool{}
	for _, p := range sb.Partners() {
		if seen[p.Email] {
			t.Fatalf("%s stored twice", p.Email)
		}
		seen[p.Email] = true
	}
	if len(seen) != 300 {
		t.Fatalf("%d partners held", len(seen))
	}
}
