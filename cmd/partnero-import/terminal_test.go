package main

// The terminal, tested as a terminal: the built command runs in a
// pseudo-terminal of a fixed size, and the tests read what a person would
// see there (a small terminal model interprets carriage returns, line
// erasures and line feeds), press Ctrl-C, and let a server pause the run.
// Conditions are waited for with generous deadlines: nothing asserts that
// something took less than a few seconds.

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/creack/pty"

	"github.com/partnero-import/partnero-import/importer/input"
	"github.com/partnero-import/partnero-import/importer/sandbox"
)

const termCols = 100

// terminal is a command running in a pseudo-terminal, and what its
// screen shows.
type terminal struct {
	t    *testing.T
	cmd  *exec.Cmd
	tty  *os.File // the terminal's side: what the command writes, what keys send
	mu   sync.Mutex
	raw  bytes.Buffer
	vt   vt
	done chan struct{} // closed when the command's output has ended
}

func startTerminal(t *testing.T, env []string, args ...string) *terminal {
	t.Helper()
	cmd := exec.Command(buildBinary(t), args...)
	cmd.Env = append(os.Environ(), env...)
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 30, Cols: termCols})
	if err != nil {
		t.Fatal(err)
	}
	term := &terminal{t: t, cmd: cmd, tty: tty, vt: vt{width: termCols}, done: make(chan struct{})}
	go term.read()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-term.done
		tty.Close()
	})
	return term
}

func (term *terminal) read() {
	defer close(term.done)
	buf := make([]byte, 4096)
	for {
		n, err := term.tty.Read(buf)
		term.mu.Lock()
		term.raw.Write(buf[:n])
		term.vt.feed(buf[:n])
		term.mu.Unlock()
		if err != nil {
			return // EIO once the command has exited
		}
	}
}

// screen is every line shown so far, scrolled off or not.
func (term *terminal) screen() []string {
	term.mu.Lock()
	defer term.mu.Unlock()
	return term.vt.text()
}

// cursorLine is the line the cursor is on: the bar, while one shows.
func (term *terminal) cursorLine() string {
	term.mu.Lock()
	defer term.mu.Unlock()
	return term.vt.line(term.vt.row)
}

// waitFor waits, at most 30 s, until cond holds on what the screen shows.
func (term *terminal) waitFor(what string, cond func() bool) {
	term.t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			term.t.Fatalf("waited 30 s for %s; the screen shows:\n%s", what, strings.Join(term.screen(), "\n"))
		}
	}
}

func (term *terminal) shows(text string) bool {
	for _, l := range term.screen() {
		if strings.Contains(l, text) {
			return true
		}
	}
	return false
}

// ctrlC presses Ctrl-C: the terminal sends SIGINT to the command.
func (term *terminal) ctrlC() {
	if _, err := term.tty.Write([]byte{3}); err != nil {
		term.t.Fatal(err)
	}
}

// exit waits for the command and its last output; it returns the exit code.
func (term *terminal) exit() int {
	term.t.Helper()
	err := term.cmd.Wait()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		term.t.Fatal(err)
	}
	<-term.done
	return term.cmd.ProcessState.ExitCode()
}

// rawText is every byte the command wrote, as written.
func (term *terminal) rawText() string {
	term.mu.Lock()
	defer term.mu.Unlock()
	return term.raw.String()
}

// frames are the texts the bar was drawn with, in order.
func (term *terminal) frames() []string {
	term.mu.Lock()
	defer term.mu.Unlock()
	var out []string
	for _, piece := range strings.Split(term.raw.String(), "\r") {
		piece = strings.TrimPrefix(piece, "\x1b[K")
		for _, verb := range []string{"checking ", "importing ", "stopping: "} {
			if strings.HasPrefix(piece, verb) && !strings.Contains(piece, "\n") {
				out = append(out, piece)
			}
		}
	}
	return out
}

// vt is as much of a terminal as the command uses: printable characters,
// carriage return, line feed, backspace, and erase to the end of the line;
// other escape sequences are read and ignored. Lines never scroll away.
type vt struct {
	width    int
	lines    [][]rune
	row, col int
	pending  []byte // an escape sequence or a character cut between reads
}

func (v *vt) feed(p []byte) {
	v.pending = append(v.pending, p...)
	for len(v.pending) > 0 {
		b, n := v.pending[0], 1
		switch {
		case b == 0x1b:
			if n = escapeLen(v.pending); n == 0 {
				return // the rest comes with the next read
			}
			if v.pending[n-1] == 'K' {
				v.erase()
			}
		case b == '\r':
			v.col = 0
		case b == '\n':
			v.row++
		case b == '\b':
			v.col = max(v.col-1, 0)
		case b < 0x20:
		default:
			if !utf8.FullRune(v.pending) {
				return
			}
			var r rune
			r, n = utf8.DecodeRune(v.pending)
			v.put(r)
		}
		v.pending = v.pending[n:]
	}
}

// escapeLen is the length of the escape sequence p starts with, 0 when it
// is not complete yet.
func escapeLen(p []byte) int {
	switch {
	case len(p) < 2:
		return 0
	case p[1] != '[':
		return 2
	}
	for i := 2; i < len(p); i++ {
		if p[i] >= 0x40 && p[i] <= 0x7e {
			return i + 1
		}
	}
	return 0
}

func (v *vt) put(r rune) {
	if v.col >= v.width { // the line is full: the terminal wraps
		v.row, v.col = v.row+1, 0
	}
	l := v.at(v.row)
	for len(*l) <= v.col {
		*l = append(*l, ' ')
	}
	(*l)[v.col] = r
	v.col++
}

func (v *vt) erase() {
	if l := v.at(v.row); len(*l) > v.col {
		*l = (*l)[:v.col]
	}
}

func (v *vt) at(row int) *[]rune {
	for len(v.lines) <= row {
		v.lines = append(v.lines, nil)
	}
	return &v.lines[row]
}

func (v *vt) line(row int) string {
	if row >= len(v.lines) {
		return ""
	}
	return strings.TrimRight(string(v.lines[row]), " ")
}

func (v *vt) text() []string {
	out := make([]string, len(v.lines))
	for i := range v.lines {
		out[i] = v.line(i)
	}
	return out
}

func TestVT(t *testing.T) {
	t.Parallel()
	v := vt{width: 10}
	for _, chunk := range []string{"bar 1", "\r\x1b", "[Kbar 2\r\x1b[Kwarn\xc3", "\xa9\r\nbar 3", "\r\n0123456789AB"} {
		v.feed([]byte(chunk))
	}
	want := []string{"warné", "bar 3", "0123456789", "AB"}
	if got := v.text(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("screen %q, want %q", got, want)
	}
}

// csvOf writes n partners to dir/name.
func csvOf(t *testing.T, dir, name string, n int) string {
	var b strings.Builder
	b.WriteString("email,name\n")
	for i := range n {
		fmt.Fprintf(&b, "p%d@x.io,P%d\n", i, i)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// mkfifo makes a named pipe, so that a test can feed validate slowly.
func mkfifo(t *testing.T, path string) {
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
}

// gatedServer is the sandbox behind a gate that a test controls: it can
// hold creates until released (all, or those after the first free), and
// answer 429 with Retry-After for a while after a number of creates, as a
// server whose limit is spent does.
type gatedServer struct {
	sb      *sandbox.Server
	release chan struct{} // closed: held creates go on
	free    int           // the first free creates pass the gate unheld
	after   int           // after this many creates, pause for pause
	pause   time.Duration

	mu      sync.Mutex
	creates int
	held    int // creates waiting at the gate now
	until   time.Time
}

func newGatedServer(t *testing.T, g *gatedServer) string {
	if g.release == nil {
		g.release = make(chan struct{})
		close(g.release)
	}
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	return srv.URL + "/v1"
}

func (g *gatedServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost {
		g.mu.Lock()
		if wait := time.Until(g.until); wait > 0 {
			g.mu.Unlock()
			w.Header().Set("Retry-After", fmt.Sprint(int(math.Ceil(wait.Seconds()))))
			w.WriteHeader(http.StatusTooManyRequests)
			w.Write([]byte(`{"message":"Too Many Attempts."}`))
			return
		}
		g.creates++
		n := g.creates
		if n == g.after {
			g.until = time.Now().Add(g.pause)
		}
		if n <= g.free {
			g.mu.Unlock()
			g.sb.ServeHTTP(w, r)
			return
		}
		g.held++
		g.mu.Unlock()
		select {
		case <-g.release:
		case <-r.Context().Done():
		}
		g.mu.Lock()
		g.held--
		g.mu.Unlock()
	}
	g.sb.ServeHTTP(w, r)
}

// releaser returns what releases g's held creates, harmless when called
// again; the test's end calls it too, before the server closes.
func (g *gatedServer) releaser(t *testing.T) func() {
	release := sync.OnceFunc(func() { close(g.release) })
	t.Cleanup(release) // after newGatedServer's: cleanups run last first
	return release
}

func (g *gatedServer) waiting() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.held
}

// A run in a terminal during a long server pause: the bar shows from the
// start, says nothing of a rate before one is measured, says the pause and
// when it ends, and every log line stands on its own line with the bar
// drawn again below it. A fixed --rate above the advertised limit is
// warned about, and the pause's identical warnings are folded.
func TestTerminalShowsTheServersPause(t *testing.T) {
	t.Parallel()
	g := &gatedServer{sb: sandbox.New(sandbox.Options{RateLimit: 6000}), release: make(chan struct{}), after: 15, pause: 2 * time.Second}
	base := newGatedServer(t, g)
	release := g.releaser(t)
	input := csvOf(t, t.TempDir(), "in.csv", 60)
	term := startTerminal(t, []string{"PARTNERO_API_KEY=k"}, "import", "--base-url", base, "--rate", "200", "--concurrency", "4", input)
	// The first creates are held until the bar has been drawn six times
	// (1.25 s at least, past rateAfter) with no row finished.
	term.waitFor("six bars before any row finished", func() bool {
		return len(slices.DeleteFunc(term.frames(), func(f string) bool { return !strings.HasPrefix(f, "importing 0/60 rows") })) >= 6
	})
	release()
	term.waitFor("the pause on the bar", func() bool { return strings.Contains(term.cursorLine(), "paused by the server, resuming in ") })
	screen, bar := term.screen(), term.cursorLine()
	warned := slices.IndexFunc(screen, func(l string) bool { return strings.Contains(l, "throttled") })
	if warned < 0 || !strings.HasPrefix(screen[warned], `level=WARN msg="throttled: the server asked the pool to wait"`) || screen[len(screen)-1] != bar || warned == len(screen)-1 {
		t.Fatalf("the warning is not on its own line above the bar:\n%s", strings.Join(screen, "\n"))
	}
	if code := term.exit(); code != exitOK {
		t.Fatalf("exit %d:\n%s", code, strings.Join(term.screen(), "\n"))
	}
	screen = term.screen()
	text := strings.Join(screen, "\n")
	if !strings.Contains(text, "warning: --rate 200 is above the limit the server advertises (6000 requests a minute, 100 a second)") {
		t.Errorf("no warning about --rate:\n%s", text)
	}
	throttled := 0
	for _, l := range screen {
		if strings.Contains(l, "throttled") {
			throttled++
		}
		if strings.Contains(l, "importing ") || strings.Contains(l, "paused by") {
			t.Errorf("a bar was left on the screen, or a line glued to it: %q", l)
		}
	}
	if throttled > 2 || !strings.Contains(text, "times in") {
		t.Errorf("%d throttled lines, not folded:\n%s", throttled, text)
	}
	frames := term.frames()
	if len(frames) == 0 || !strings.HasPrefix(frames[0], "importing 0/60 rows") {
		t.Fatalf("the bar did not show before the first row finished: %q", frames)
	}
	for _, f := range frames {
		if strings.HasPrefix(f, "importing 0/") && strings.Contains(f, "rows/s") {
			t.Errorf("a rate before any row finished: %q", f)
		}
	}
}

// The first Ctrl-C says at once what the run waits for, and the bar shows
// the drain; the run then ends with exit 130 and prints a resume command
// that runs as printed: the binary's own path, quoted paths, and the names
// of the variables it needs, without their values.
func TestTerminalFirstCtrlCSaysWhatHappens(t *testing.T) {
	t.Parallel()
	g := &gatedServer{sb: sandbox.New(sandbox.Options{}), release: make(chan struct{})}
	base := newGatedServer(t, g)
	dir := filepath.Join(t.TempDir(), "my partners")
	os.Mkdir(dir, 0o700)
	in := csvOf(t, dir, "in.csv", 40)
	rep := filepath.Join(dir, "tonight's report.csv")
	env := []string{"PARTNERO_API_KEY=key-never-shown"}
	term := startTerminal(t, env, "import", "--base-url", base, "--rate", "0", "--concurrency", "4", "--report", rep, in)
	term.waitFor("four requests held by the server", func() bool { return g.waiting() == 4 })
	term.ctrlC()
	term.waitFor("the stopping message", func() bool {
		return term.shows("stopping: 4 requests in flight finish within 30 s; Ctrl-C again to stop now")
	})
	term.waitFor("the drain on the bar", func() bool {
		bar := term.cursorLine()
		return strings.HasPrefix(bar, "stopping: ") && strings.HasSuffix(bar, "4 requests in flight")
	})
	if g.waiting() != 4 {
		t.Fatal("the requests finished before the message: it did not come at once")
	}
	close(g.release)
	if code := term.exit(); code != exitInterrupted {
		t.Fatalf("exit %d, want 130:\n%s", code, strings.Join(term.screen(), "\n"))
	}
	raw := term.rawText()
	if strings.Contains(raw, "key-never-shown") {
		t.Fatal("the key was shown")
	}
	_, after, ok := strings.Cut(raw, "to finish the import, with PARTNERO_API_KEY set as for this run, run: ")
	if !ok {
		t.Fatalf("no resume command:\n%s", strings.Join(term.screen(), "\n"))
	}
	command, _, _ := strings.Cut(after, "\r\n")
	if want := input.ShellQuote(buildBinary(t)) + " import --resume " + input.ShellQuote(rep) + " "; !strings.HasPrefix(command, want) {
		t.Fatalf("resume command %q does not start with %q", command, want)
	}
	resumed := exec.Command("sh", "-c", command)
	resumed.Env = append(os.Environ(), env...)
	if out, err := resumed.CombinedOutput(); err != nil {
		t.Fatalf("the printed command, run as printed: %v\n%s", err, out)
	}
	if len(g.sb.Partners()) != 40 {
		t.Fatalf("the sandbox holds %d partners after the resume", len(g.sb.Partners()))
	}
}

// The second Ctrl-C stops at once, with its message on a line of its own,
// not on the bar.
func TestTerminalSecondCtrlCStopsAtOnce(t *testing.T) {
	t.Parallel()
	g := &gatedServer{sb: sandbox.New(sandbox.Options{}), release: make(chan struct{})}
	base := newGatedServer(t, g)
	t.Cleanup(func() { close(g.release) }) // before the server closes
	input := csvOf(t, t.TempDir(), "in.csv", 40)
	term := startTerminal(t, []string{"PARTNERO_API_KEY=k"}, "import", "--base-url", base, "--rate", "0", "--concurrency", "2", input)
	term.waitFor("two requests held by the server", func() bool { return g.waiting() == 2 })
	term.ctrlC()
	term.waitFor("the stopping message", func() bool { return term.shows("stopping: 2 requests in flight") })
	term.ctrlC()
	if code := term.exit(); code != exitInterrupted {
		t.Fatalf("exit %d, want 130", code)
	}
	if !slices.ContainsFunc(term.screen(), func(l string) bool {
		return strings.HasPrefix(l, "partnero-import: stopped at once; the report holds the rows finished so far, and the rows in flight")
	}) {
		t.Fatalf("the last word is not on a line of its own:\n%s", strings.Join(term.screen(), "\n"))
	}
}

// validate shows its progress on a big file while it reads: bytes read and
// rows per second, here from a pipe whose second half is written once the
// bar has shown a rate; the bar is gone when the summary comes.
func TestTerminalValidateShowsProgress(t *testing.T) {
	t.Parallel()
	fifo := filepath.Join(t.TempDir(), "big.csv")
	mkfifo(t, fifo)
	term := startTerminal(t, nil, "validate", fifo)
	w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	measuring := regexp.MustCompile(`^checking [0-9.]+ [kM]B  \d+ rows  \d+ rows/s$`).MatchString
	w.WriteString("email,name\n")
	for i := range 30 {
		if i == 15 {
			// Half the file read, the rest not yet written: the bar
			// shows the bytes read and, once measured, a rate.
			term.waitFor("the bar with a rate", func() bool { return slices.ContainsFunc(term.frames(), measuring) })
		}
		var b strings.Builder
		for j := range 2000 {
			fmt.Fprintf(&b, "p%d@x.io,P\n", i*2000+j)
		}
		w.WriteString(b.String())
	}
	w.Close()
	if code := term.exit(); code != exitOK {
		t.Fatalf("exit %d:\n%s", code, strings.Join(term.screen(), "\n"))
	}
	if !slices.ContainsFunc(term.frames(), measuring) {
		t.Errorf("no bar with the bytes read and a rate: %q", term.frames())
	}
	text := strings.Join(term.screen(), "\n")
	if !strings.Contains(text, "\n60000 rows, 0 requests") || strings.Contains(text, "checking ") {
		t.Errorf("the screen at the end:\n%s", text)
	}
}
