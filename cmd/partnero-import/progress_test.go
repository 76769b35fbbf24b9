package main

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// A line printed while the bar shows clears the bar, stands on its own
// line, and the bar comes back below it.
func TestScreenPrintsAboveTheBar(t *testing.T) {
	t.Parallel()
	var tty bytes.Buffer
	sc := newScreen(&tty, func() int { return 40 })
	sc.show("importing 1/10 rows")
	sc.Write([]byte("level=WARN msg=throttled\n"))
	sc.show("importing 2/10 rows")
	sc.Write([]byte("half a line, "))
	sc.show("importing 3/10 rows") // not drawn after an unfinished line
	sc.Write([]byte("finished\n"))
	sc.clear()
	want := "importing 1/10 rows" +
		eraseLine + "level=WARN msg=throttled\nimporting 1/10 rows" +
		eraseLine + "importing 2/10 rows" +
		eraseLine + "half a line, " +
		"finished\nimporting 3/10 rows" +
		eraseLine
	if got := tty.String(); got != want {
		t.Fatalf("the terminal got\n%q\nwant\n%q", got, want)
	}
	sc.show(strings.Repeat("x", 100))
	if got := tty.String()[len(want):]; got != strings.Repeat("x", 39) {
		t.Fatalf("a long bar is not cut to the width: %q", got)
	}
	sc.lastWord("stopped at once")
	sc.Write([]byte("after\n"))
	if !strings.HasSuffix(tty.String(), eraseLine+"stopped at once\n") {
		t.Fatalf("the last word: %q", tty.String())
	}
}

// The rate counts a sliding window, shows nothing before a second has
// been watched, and falls to nothing when no row finishes.
func TestMeter(t *testing.T) {
	t.Parallel()
	t0 := time.Now()
	var m meter
	m.reset(t0, 0, 0)
	m.add(t0.Add(100*time.Millisecond), 50, 0)
	if r, _ := m.rate(t0.Add(100 * time.Millisecond)); r != 0 {
		t.Fatalf("rate %v after 0.1 s: not measured yet", r)
	}
	for i := 1; i <= 20; i++ {
		m.add(t0.Add(time.Duration(i)*time.Second), int64(10*i), int64(1000*i))
	}
	if r, b := m.rate(t0.Add(20 * time.Second)); r != 10 || b != 1000 {
		t.Fatalf("rate %v rows/s, %v bytes/s; want 10 and 1000", r, b)
	}
	for i := 21; i <= 40; i++ { // a long pause: nothing finishes
		m.add(t0.Add(time.Duration(i)*time.Second), 200, 20000)
	}
	if r, _ := m.rate(t0.Add(40 * time.Second)); r != 0 {
		t.Fatalf("rate %v after 20 s without a row", r)
	}
}

func TestBarWords(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		sn   snapshot
		want string
	}{
		{"before a rate is measured", snapshot{phase: sending, counted: true, rows: 200, done: 50, toSend: 200},
			"importing 50/200 rows  [=======>                      ] 25%"},
		{"measured", snapshot{phase: sending, counted: true, rows: 200, done: 50, toSend: 180, sent: 30, rate: 15},
			"importing 50/200 rows  [=====>              ] 25%  15 rows/s  10 s left"},
		{"paused", snapshot{phase: sending, counted: true, rows: 200, done: 50, rate: 15, pause: 40500 * time.Millisecond},
			"importing 50/200 rows  25%  paused by the server, resuming in 41 s"},
		{"a rollback", snapshot{phase: sending, verb: "archiving", counted: true, rows: 40, done: 10, toSend: 40},
			"archiving 10/40 rows  [=======>                      ] 25%"},
		{"a rollback's dry run", snapshot{phase: sending, verb: "would archive", counted: true, rows: 40, done: 10, toSend: 40},
			"would archive 10/40 rows  [=======>                      ] 25%"},
		{"draining", snapshot{phase: stopping, counted: true, rows: 200, done: 50, inFlight: 8},
			"stopping: 50/200 rows  8 requests in flight"},
		{"drained", snapshot{phase: stopping, counted: true, rows: 200, done: 58},
			"stopping: 58/200 rows  writing the report"},
		{"reading", snapshot{phase: reading, bytes: 12_300_000, size: 94_100_000, readRows: 130000, rate: 52000, byteRate: 4_920_000},
			"checking 12.3 MB of 94.1 MB  [=>         ] 13%  52000 rows/s  17 s left"},
		{"reading standard input", snapshot{phase: reading, bytes: 2_500, readRows: 30, rate: 7.5},
			"checking 2.5 kB  30 rows  7.5 rows/s"},
		{"stopped while reading", snapshot{phase: stopping, readRows: 300},
			"stopping: 300 rows read  reporting the rows not done as skipped/aborted"},
	} {
		if got := tc.sn.bar(72); got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, tc.want)
		}
		if got := tc.sn.bar(72); len(got) >= 72 {
			t.Errorf("%s: %d columns, wider than the terminal", tc.name, len(got))
		}
	}
	sn := snapshot{phase: sending, counted: true, rows: 200, done: 50, toSend: 200, sent: 50, rate: 2.5}
	if got, want := sn.line(), "progress: importing 50/200 rows (25%), 2.5 rows/s, 1 min left"; got != want {
		t.Errorf("plain line %q, want %q", got, want)
	}
}

func TestRoughly(t *testing.T) {
	t.Parallel()
	for d, want := range map[time.Duration]string{
		100 * time.Millisecond: "1 s", 41 * time.Second: "41 s", 200 * time.Second: "3 min 20 s",
		1200 * time.Second: "20 min", 3*time.Hour + 5*time.Minute: "3 h 5 min",
	} {
		if got := roughly(d); got != want {
			t.Errorf("roughly(%v) = %q, want %q", d, got, want)
		}
	}
}

// One burst of 429s, answered to every worker, is one line and a count,
// not eight lines; other levels pass as they come.
func TestRepeatedWarningsAreFolded(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	f := newFolder(slog.NewTextHandler(&out, &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}}), true)
	log := slog.New(f)
	for range 8 {
		log.Warn("throttled: the server asked the pool to wait", "wait_seconds", 52)
		log.Info("row")
	}
	log.Warn("retries exhausted", "row", 3)
	f.close()
	got := out.String()
	if n := strings.Count(got, "throttled"); n != 2 || !strings.Contains(got, "wait (8 times in 1 s)\" times=8") {
		t.Fatalf("%d throttled lines:\n%s", n, got)
	}
	if strings.Count(got, "msg=row") != 8 || strings.Count(got, "retries exhausted") != 1 {
		t.Fatalf("other lines:\n%s", got)
	}
}
