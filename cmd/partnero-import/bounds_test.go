package main

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"hash/crc32"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/partnero-import/partnero-import/importer/sandbox"
	"github.com/partnero-import/partnero-import/report"
)

// zipBomb writes the sample workbook with a shared strings part of one
// string of mib MiB: about a kilobyte a MiB on disk. Its deflate stream
// repeats one block of 'a's (the text before it is all 'a's too, so the
// block's back-references read the same wherever it stands); its CRC is
// computed a MiB at a time, never the whole text held.
func zipBomb(t *testing.T, path string, mib int) {
	t.Helper()
	prefix := []byte(`<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>`)
	suffix := []byte(`</t></si></sst>`)
	chunk := bytes.Repeat([]byte("a"), 1<<20)
	var deflated bytes.Buffer
	fw, _ := flate.NewWriter(&deflated, flate.BestCompression)
	fw.Write(prefix)
	fw.Write(chunk)
	fw.Flush()
	head := deflated.Len()
	fw.Write(chunk)
	fw.Flush()
	block := bytes.Clone(deflated.Bytes()[head:])
	deflated.Truncate(head)
	fw.Write(suffix) // its back-references, if any, see 'a's as in the repeated stream
	fw.Close()
	tail := deflated.Bytes()[head:]

	crc := crc32.Update(0, crc32.IEEETable, prefix)
	for range mib {
		crc = crc32.Update(crc, crc32.IEEETable, chunk)
	}
	crc = crc32.Update(crc, crc32.IEEETable, suffix)

	sample, err := os.ReadFile("../../samples/partners.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(sample), int64(len(sample)))
	if err != nil {
		t.Fatal(err)
	}
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	zw := zip.NewWriter(out)
	for _, f := range zr.File {
		if err := zw.Copy(f); err != nil {
			t.Fatal(err)
		}
	}
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "xl/sharedStrings.xml", Method: zip.Deflate, CRC32: crc,
		CompressedSize64:   uint64(head + (mib-1)*len(block) + len(tail)),
		UncompressedSize64: uint64(len(prefix) + mib<<20 + len(suffix))})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(deflated.Bytes()[:head])
	for range mib - 1 {
		w.Write(block)
	}
	w.Write(tail)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
}

// Hostile inputs end with one line and exit 2, having read little of
// them: a zip bomb (one shared string of 2 GiB in a 2 MB workbook, or of
// 600 MiB, within the total cap), /dev/zero given as a workbook, and
// /dev/zero as the key file. Each once died with an out-of-memory dump.
func TestHostileInputsAreBounded(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bomb := filepath.Join(dir, "bomb.xlsx")
	zipBomb(t, bomb, 2048)
	if st, _ := os.Stat(bomb); st.Size() > 4<<20 {
		t.Fatalf("the bomb is %d bytes", st.Size())
	}
	smallBomb := filepath.Join(dir, "small-bomb.xlsx")
	zipBomb(t, smallBomb, 600)
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"a 2 GiB shared string", nil, []string{"validate", bomb}, "the workbook unzips to more than 1 GiB"},
		{"a 600 MiB shared string", nil, []string{"validate", smallBomb}, "longer than 128 KiB"},
		{"a 2 GiB shared string, imported", nil, []string{"import", "--sandbox", bomb}, "the workbook unzips to more than 1 GiB"},
		{"/dev/zero as a workbook", nil, []string{"validate", "--format", "xlsx", "/dev/zero"}, "not an XLSX workbook"},
		{"/dev/zero as the key file", nil, []string{"import", "--api-key-file", "/dev/zero", "../../samples/partners.csv"}, "--api-key-file /dev/zero is larger than 4 KiB"},
		{"/dev/zero as the key file, from the environment", map[string]string{"PARTNERO_API_KEY_FILE": "/dev/zero"}, []string{"import", "../../samples/partners.csv"}, "larger than 4 KiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{tt.args[0], "--no-progress", "--report", filepath.Join(t.TempDir(), "r.csv")}, tt.args[1:]...)
			r := runCLI(t, tt.env, "", args...)
			lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
			if r.code != exitUsage || len(lines) != 1 || !strings.Contains(lines[0], tt.want) {
				t.Fatalf("exit %d, want 2 and one line containing %q:\n%s", r.code, tt.want, r.stderr)
			}
		})
	}
}

// A stream copied for an import's two passes stops at 1 GiB: /dev/zero
// once filled the disk at 1 GB/s. The copy leaves nothing behind.
func TestBinaryStreamCopyIsCapped(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	cmd, stderr := startBinary(t, []string{"TMPDIR=" + tmp}, "import", "--sandbox", "--no-progress", "--format", "csv",
		"--report", filepath.Join(t.TempDir(), "r.csv"), "/dev/zero")
	cmd.Wait()
	want := "partnero-import: the input is a stream (standard input, a pipe or a device) longer than 1 GiB"
	if code := cmd.ProcessState.ExitCode(); code != exitUsage || strings.Count(stderr.String(), "\n") != 1 || !strings.HasPrefix(stderr.String(), want) {
		t.Fatalf("exit %d, want 2 and one line %q...:\n%s", code, want, stderr.String())
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("left in TMPDIR: %v", left)
	}
}

// A run waiting to open a FIFO that nobody writes to ends on the first
// signal, with one line and exit 130; it once took a second one.
func TestBinaryFIFONobodyWritesTo(t *testing.T) {
	t.Parallel()
	for _, command := range [][]string{{"import", "--sandbox"}, {"validate"}} {
		t.Run(command[0], func(t *testing.T) {
			dir := t.TempDir()
			fifo := filepath.Join(dir, "pipe.csv")
			if err := syscall.Mkfifo(fifo, 0o600); err != nil {
				t.Skip(err)
			}
			args := append(command, "--no-progress", "--report", filepath.Join(dir, "r.csv"), fifo)
			cmd, stderr := startBinary(t, nil, args...)
			waitUntil(t, cmd, func() bool { return waitingForAWriter(t, cmd.Process.Pid) })
			cmd.Process.Signal(syscall.SIGTERM)
			endsSoon(t, cmd, stderr)
			want := "partnero-import: interrupted while waiting for " + fifo + " to be written to: nothing was checked or sent\n"
			if code := cmd.ProcessState.ExitCode(); code != exitInterrupted || stderr.String() != want {
				t.Fatalf("exit %d, want 130 and %q:\n%s", code, want, stderr.String())
			}
		})
	}
}

// A pipe whose writer wrote rows and then nothing more: validate, which
// reads it as it comes, ends on the first signal, with the row it read.
func TestBinaryFIFOWriterSilent(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe.csv")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip(err)
	}
	rep := filepath.Join(dir, "r.csv")
	cmd, stderr := startBinary(t, nil, "validate", "--no-progress", "--report", rep, fifo)
	w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close() // open, silent, until the end of the test
	// More than the reader's first look at the file takes, so that rows
	// are read and reported; then nothing.
	var b strings.Builder
	b.WriteString("email\n")
	for i := range 20000 {
		fmt.Fprintf(&b, "a%d@x.io\n", i)
	}
	w.WriteString(b.String())
	waitUntil(t, cmd, func() bool { b, _ := os.ReadFile(rep); return strings.Count(string(b), "\n") >= 2 })
	cmd.Process.Signal(syscall.SIGINT)
	endsSoon(t, cmd, stderr)
	if code := cmd.ProcessState.ExitCode(); code != exitInterrupted || !strings.Contains(stderr.String(), "interrupted while "+fifo+" was being read") {
		t.Fatalf("exit %d:\n%s", code, stderr.String())
	}
}

// waitingForAWriter reports a process with a thread blocked opening a
// FIFO for reading (Linux's wait_for_partner).
func waitingForAWriter(t *testing.T, pid int) bool { return blockedIn(t, pid, "wait_for_partner") }

// blockedIn reports a process with a thread blocked in the kernel function
// named (or one whose name contains it), as /proc shows it.
func blockedIn(t *testing.T, pid int, function string) bool {
	t.Helper()
	tasks, err := filepath.Glob(filepath.Join("/proc", strconv.Itoa(pid), "task", "*", "wchan"))
	if err != nil || len(tasks) == 0 {
		t.Skip("no /proc to see where the process waits")
	}
	for _, task := range tasks {
		if b, _ := os.ReadFile(task); strings.Contains(string(b), function) {
			return true
		}
	}
	return false
}

// The files beside a report that a run reads back, replaced by something
// that never ends or is far too large (a link to /dev/zero, a line of 2
// MiB), are refused with one line and exit 2, having read little of them:
// each once died with an out-of-memory dump.
func TestReadBackFilesAreBounded(t *testing.T) {
	t.Parallel()
	_, base := startSandbox(t, sandbox.Options{})
	env := map[string]string{"PARTNERO_API_KEY": "sk_test_bounded", "PARTNERO_BASE_URL": base}
	dir := t.TempDir()
	in := csvOf(t, dir, "in.csv", 3)
	rep := filepath.Join(dir, "in.report.csv")
	if r := runCLI(t, env, "", "import", "--no-progress", "--rate", "0", "--report", rep, in); r.code != exitOK {
		t.Fatalf("the import: exit %d\n%s", r.code, r.stderr)
	}
	longLine := strings.Repeat("a", 2<<20)
	tests := []struct {
		name    string
		replace string // the file beside REPORT replaced ("" for REPORT itself)
		by      string // "zero" (a link to /dev/zero), "big" (3 MiB), or a line appended
		want    string
	}{
		{"provenance linked to /dev/zero", report.ProvenancePath(""), "zero", ".provenance.json is not a regular file"},
		{"provenance of 3 MiB", report.ProvenancePath(""), "big", ".provenance.json is larger than 1 MiB"},
		{"report linked to /dev/zero", "", "zero", "in.report.csv is not a regular file"},
		{"report with a line of 2 MiB", "", longLine, "report line 5 is longer than 1 MiB"},
		{"referrals linked to /dev/zero", report.ReferralsPath(""), "zero", ".referrals.csv is not a regular file"},
		{"referrals with a line of 2 MiB", report.ReferralsPath(""), longLine, ".referrals.csv, line 2 is longer than 1 MiB"},
		{"referrals with a line of one field", report.ReferralsPath(""), "7\n", ".referrals.csv, line 2: not two row numbers"}, // it once panicked
	}
	for _, tt := range tests {
		for _, command := range [][]string{{"import", "--resume", "REPORT", in}, {"rollback", "--yes", "REPORT"}} {
			if tt.replace == report.ReferralsPath("") && command[0] == "import" {
				continue // only a rollback reads the referrals
			}
			t.Run(tt.name+", "+command[0], func(t *testing.T) {
				t.Parallel()
				sub := t.TempDir()
				copyReport(t, rep, filepath.Join(sub, "in.report.csv"))
				rep := filepath.Join(sub, "in.report.csv")
				target := rep + tt.replace
				switch tt.by {
				case "zero":
					os.Remove(target)
					if err := os.Symlink("/dev/zero", target); err != nil {
						t.Skip(err)
					}
				case "big":
					os.WriteFile(target, bytes.Repeat([]byte(" "), 3<<20), 0o600)
				default:
					f, _ := os.OpenFile(target, os.O_APPEND|os.O_WRONLY, 0)
					f.WriteString(tt.by)
					f.Close()
				}
				args := []string{command[0], "--no-progress"}
				for _, a := range command[1:] {
					args = append(args, strings.ReplaceAll(a, "REPORT", rep))
				}
				r := runCLI(t, env, "", args...)
				lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
				if r.code != exitUsage || len(lines) != 1 || !strings.Contains(lines[0], tt.want) {
					t.Fatalf("exit %d, want 2 and one line containing %q:\n%s", r.code, tt.want, r.stderr)
				}
			})
		}
	}
}

// copyReport copies a report and the files beside it.
func copyReport(t *testing.T, from, to string) {
	t.Helper()
	for _, suffix := range []string{"", report.ProvenancePath(""), report.ReferralsPath("")} {
		b, err := os.ReadFile(from + suffix)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(to+suffix, b, 0o600)
	}
}

// A FIFO nobody writes to given as the key file (by flag or environment)
// or as the sandbox's preload ends the run on the first signal, with one
// line, exit 130 and nothing sent, as the input's FIFO does: it once took
// kill -9.
func TestBinaryKeyOrPreloadFIFONobodyWritesTo(t *testing.T) {
	t.Parallel()
	in, err := filepath.Abs("../../samples/partners.csv")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		env  func(fifo string) []string
		args func(fifo string) []string
	}{
		{"--api-key-file", nil, func(fifo string) []string {
			return []string{"import", "--api-key-file", fifo, "--base-url", "http://127.0.0.1:1/v1"}
		}},
		{"PARTNERO_API_KEY_FILE", func(fifo string) []string { return []string{"PARTNERO_API_KEY_FILE=" + fifo} },
			func(string) []string { return []string{"import", "--base-url", "http://127.0.0.1:1/v1"} }},
		{"--sandbox-preload", nil, func(fifo string) []string { return []string{"import", "--sandbox", "--sandbox-preload", fifo} }},
		{"sandbox --preload", nil, func(fifo string) []string { return []string{"sandbox", "--addr", "127.0.0.1:0", "--preload", fifo} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			fifo := filepath.Join(dir, "pipe.csv")
			if err := syscall.Mkfifo(fifo, 0o600); err != nil {
				t.Skip(err)
			}
			args := tc.args(fifo)
			switch args[0] {
			case "import":
				args = append(args, "--no-progress", "--report", filepath.Join(dir, "r.csv"), in)
			}
			var env []string
			if tc.env != nil {
				env = tc.env(fifo)
			}
			cmd, stderr := startBinary(t, env, args...)
			waitUntil(t, cmd, func() bool { return waitingForAWriter(t, cmd.Process.Pid) })
			cmd.Process.Signal(syscall.SIGTERM)
			endsSoon(t, cmd, stderr)
			want := "partnero-import: interrupted while waiting for " + fifo + " to be written to: nothing was checked or sent\n"
			if code := cmd.ProcessState.ExitCode(); code != exitInterrupted || stderr.String() != want {
				t.Fatalf("exit %d, want 130 and %q:\n%s", code, want, stderr.String())
			}
		})
	}
}

// The key given by process substitution (--api-key-file <(pass show
// partnero): a pipe already open, /dev/fd/N) is read; and a signal ends a
// wait for its writer to write.
func TestBinaryKeyFromProcessSubstitution(t *testing.T) {
	t.Parallel()
	_, base := startSandbox(t, sandbox.Options{})
	dir := t.TempDir()
	for _, silent := range []bool{false, true} {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		rep := filepath.Join(dir, fmt.Sprintf("silent-%v.report.csv", silent))
		cmd := exec.Command(buildBinary(t), "import", "--no-progress", "--rate", "0", "--api-key-file", "/dev/fd/3", "--base-url", base, "--report", rep, "../../samples/partners.csv")
		cmd.ExtraFiles = []*os.File{r} // fd 3, as bash passes <(...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		r.Close()
		if !silent {
			w.WriteString("sk_test_from_a_pipe\n")
			w.Close()
			if err := cmd.Wait(); err != nil || !strings.Contains(stderr.String(), "created") {
				t.Fatalf("the key from a pipe: %v\n%s", err, stderr.String())
			}
			continue
		}
		// The writer is open and silent: once the run opened the pipe
		// again by its name, it waits to read the key.
		waitUntil(t, cmd, func() bool { return opensOf(t, cmd.Process.Pid, w) >= 2 })
		cmd.Process.Signal(syscall.SIGINT)
		endsSoon(t, cmd, &stderr)
		w.Close()
		want := "partnero-import: interrupted while the key was being read from /dev/fd/3: nothing was sent\n"
		if code := cmd.ProcessState.ExitCode(); code != exitInterrupted || stderr.String() != want {
			t.Fatalf("exit %d, want 130 and %q:\n%s", code, want, stderr.String())
		}
	}
}

// endsSoon waits for cmd, signalled, to end; it kills it and fails after 10s.
func endsSoon(t *testing.T, cmd *exec.Cmd, stderr fmt.Stringer) {
	t.Helper()
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatalf("still running after one signal:\n%s", stderr.String())
	}
}

// opensOf is how many descriptors of process pid are the pipe of end.
func opensOf(t *testing.T, pid int, end *os.File) int {
	t.Helper()
	pipe, err := os.Readlink(fmt.Sprintf("/proc/self/fd/%d", end.Fd()))
	if err != nil {
		t.Skip("no /proc to see the process's descriptors")
	}
	fds, _ := filepath.Glob(filepath.Join("/proc", strconv.Itoa(pid), "fd", "*"))
	n := 0
	for _, fd := range fds {
		if l, _ := os.Readlink(fd); l == pipe {
			n++
		}
	}
	return n
}
