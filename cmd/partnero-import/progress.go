package main

import (
	"cmp"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/partnero-import/partnero-import/importer"
	"github.com/partnero-import/partnero-import/importer/pull"
	"github.com/partnero-import/partnero-import/report"
)

// progress shows how far a run is. On a terminal it is a bar, redrawn every
// barEvery whether or not a row finished, so that a pause or a stop shows
// at once; elsewhere it is a plain line (or a JSON record) every
// --progress-interval, so that cron logs do not fill with redraws.
type progress struct {
	out   *output
	every time.Duration // a plain line this often, off a terminal
	read  *importer.Progress
	// pulled counts a pull's records; nil for the other commands.
	pulled *pull.Progress

	mu       sync.Mutex
	phase    phase
	verb     string     // what the sending phase does: "importing", "archiving", "would archive"...
	inFlight func() int // requests the stopping run waits for; nil for a dry run
	counted  bool       // the first pass has counted the rows
	rows     int        // the file's, once counted
	toSend   int        // of them, those the import means to send
	done     int        // rows reported
	sent     int        // of them, rows this run sent: no resumed, invalid or aborted row
	meter    meter
	resumeAt time.Time // when the server's pause ends

	stop chan struct{}
	wg   sync.WaitGroup
	once sync.Once
}

type phase int

const (
	reading  phase = iota // the pass that reads and checks the whole file
	sending               // an import's rows going to the API
	stopping              // after Ctrl-C: requests in flight finish
	pulling               // pull reads a program from its source
)

const (
	barEvery   = 250 * time.Millisecond // the bar's redraws, and the rate's samples
	rateWindow = 10 * time.Second       // the rate counts this much of the recent past
	rateAfter  = time.Second            // no rate is shown before this much was watched
)

func startProgress(out *output, every time.Duration, read *importer.Progress) *progress {
	p := &progress{out: out, every: every, read: read, stop: make(chan struct{})}
	p.start()
	return p
}

// startPullProgress shows how far a pull is: the records it has written,
// on the terminal's bar (pull writes no progress lines elsewhere).
func startPullProgress(out *output, pulled *pull.Progress) *progress {
	p := &progress{out: out, every: barEvery, read: &importer.Progress{}, pulled: pulled, phase: pulling, stop: make(chan struct{})}
	p.start()
	return p
}

func (p *progress) start() {
	p.meter.reset(time.Now(), 0, 0)
	p.wg.Add(1)
	go p.loop()
}

func (p *progress) loop() {
	defer p.wg.Done()
	samples := time.NewTicker(min(barEvery, p.every))
	defer samples.Stop()
	var lines <-chan time.Time
	if p.out.screen == nil {
		t := time.NewTicker(p.every)
		defer t.Stop()
		lines = t.C
	}
	for {
		select {
		case <-p.stop:
			return
		case <-samples.C:
			sn := p.sample()
			if p.out.screen != nil {
				p.out.screen.show(sn.bar(p.out.screen.columns()))
			}
		case <-lines:
			p.out.progress(p.snapshot(time.Now()))
		}
	}
}

// started begins the sending phase, with the rows the first pass counted;
// a run stopped while reading stays stopping.
func (p *progress) started(rows, toSend int) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.phase != stopping {
		p.phase = sending
	}
	p.counted, p.rows, p.toSend = true, rows, toSend
	p.meter.reset(time.Now(), 0, 0)
}

// doing names what the sending phase does, for the bar and the progress
// lines: a rollback archives or deletes, it does not import.
func (p *progress) doing(verb string) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.verb = verb
}

// finished counts a report line; only rows this run sent make the rate.
func (p *progress) finished(l report.Line) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	if l.Attempts > 0 {
		p.sent++
	}
}

// paused notes that the server made the pool wait d from now.
func (p *progress) paused(d time.Duration) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if until := time.Now().Add(d); until.After(p.resumeAt) {
		p.resumeAt = until
	}
}

// stopping turns the bar into the drain: what the run still waits for.
func (p *progress) stopping(inFlight func() int) {
	if p == nil {
		return
	}
	p.mu.Lock()
	p.phase, p.inFlight = stopping, inFlight
	p.mu.Unlock()
	if p.out.screen != nil {
		p.out.screen.show(p.snapshot(time.Now()).bar(p.out.screen.columns()))
	}
}

// close stops the bar or the lines and takes the bar off the screen; it
// may be called more than once. A nil progress (--no-progress) does nothing,
// here as in the other methods.
func (p *progress) close() {
	if p == nil {
		return
	}
	p.once.Do(func() {
		close(p.stop)
		p.wg.Wait()
		if p.out.screen != nil {
			p.out.screen.clear()
		}
	})
}

// sample feeds the rate's meter and returns what there is to show.
func (p *progress) sample() snapshot {
	now := time.Now()
	p.mu.Lock()
	switch p.phase {
	case reading:
		p.meter.add(now, p.read.Rows.Load(), p.read.Bytes.Load())
	case sending:
		p.meter.add(now, int64(p.sent), 0)
	case pulling:
		p.meter.add(now, p.pulledRecords(), 0)
	}
	p.mu.Unlock()
	return p.snapshot(now)
}

func (p *progress) snapshot(now time.Time) snapshot {
	p.mu.Lock()
	defer p.mu.Unlock()
	sn := snapshot{phase: p.phase, verb: p.verb, counted: p.counted, rows: p.rows, done: p.done, toSend: p.toSend, sent: p.sent,
		bytes: p.read.Bytes.Load(), size: p.read.Size.Load(), readRows: p.read.Rows.Load()}
	sn.rate, sn.byteRate = p.meter.rate(now)
	if p.resumeAt.After(now) {
		sn.pause = p.resumeAt.Sub(now)
	}
	if p.inFlight != nil {
		sn.inFlight = p.inFlight()
	}
	if p.pulled != nil {
		sn.pulled = [4]int64{p.pulled.Partners.Load(), p.pulled.Customers.Load(), p.pulled.Transactions.Load(), p.pulled.LeftOut.Load()}
	}
	return sn
}

// pulledRecords counts every record a pull has written, left out or not.
func (p *progress) pulledRecords() int64 {
	return p.pulled.Partners.Load() + p.pulled.Customers.Load() + p.pulled.Transactions.Load() + p.pulled.LeftOut.Load()
}

// meter measures a count's rate over a sliding window of samples, so that
// a pause or a change of pace shows within seconds, and a first frame never
// divides by a few microseconds.
type meter struct {
	samples []sample // oldest first, spanning about rateWindow
	since   time.Time
}

type sample struct {
	at        time.Time
	n, nbytes int64
}

func (m *meter) reset(now time.Time, n, nbytes int64) {
	m.samples, m.since = append(m.samples[:0], sample{now, n, nbytes}), now
}

func (m *meter) add(now time.Time, n, nbytes int64) {
	m.samples = append(m.samples, sample{now, n, nbytes})
	drop := 0
	for drop < len(m.samples)-2 && now.Sub(m.samples[drop].at) > rateWindow {
		drop++
	}
	m.samples = m.samples[drop:]
}

// rate is the count's and the bytes' rate per second; 0 until measured.
func (m *meter) rate(now time.Time) (perSecond, bytesPerSecond float64) {
	if now.Sub(m.since) < rateAfter || len(m.samples) < 2 {
		return 0, 0
	}
	first, last := m.samples[0], m.samples[len(m.samples)-1]
	secs := last.at.Sub(first.at).Seconds()
	if secs <= 0 {
		return 0, 0
	}
	return float64(last.n-first.n) / secs, float64(last.nbytes-first.nbytes) / secs
}

// snapshot is what the bar or a progress line shows at one moment.
type snapshot struct {
	phase          phase
	verb           string // the sending phase's: "" is "importing"
	counted        bool   // an import's rows are counted: it is sending
	rows, done     int
	toSend, sent   int
	bytes, size    int64
	readRows       int64
	rate, byteRate float64       // per second; 0 when not measured
	pause          time.Duration // left of the server's pause
	inFlight       int
	pulled         [4]int64 // a pull's partners, customers, transactions and records left out
}

// parts is the snapshot in words: a head, how far in [0, 1] (-1 when
// unknown), and the details.
func (sn snapshot) parts() (head string, frac float64, details []string) {
	frac = -1
	switch {
	case sn.phase == pulling: // a source says no totals: no fraction
		head = fmt.Sprintf("pulling: %s, %s, %s; %d left out", plural(int(sn.pulled[0]), "partner"), plural(int(sn.pulled[1]), "customer"),
			plural(int(sn.pulled[2]), "transaction"), sn.pulled[3])
		if sn.rate > 0 {
			details = append(details, strings.Replace(perSecond(sn.rate), "rows", "records", 1))
		}
		return head, -1, details
	case sn.phase == stopping && !sn.counted:
		return fmt.Sprintf("stopping: %d rows read", sn.readRows), -1, []string{"reporting the rows not done as skipped/aborted"}
	case sn.phase == stopping:
		head = fmt.Sprintf("stopping: %d/%d rows", sn.done, sn.rows)
		if sn.inFlight > 0 {
			return head, -1, []string{plural(sn.inFlight, "request") + " in flight"}
		}
		return head, -1, []string{"writing the report"}
	case sn.phase == reading:
		head = "checking " + humanBytes(sn.bytes)
		if sn.size > 0 {
			head += " of " + humanBytes(sn.size)
			frac = float64(sn.bytes) / float64(sn.size)
		} else { // a pipe: no size to measure against
			details = append(details, fmt.Sprintf("%d rows", sn.readRows))
		}
		if sn.rate > 0 {
			details = append(details, perSecond(sn.rate))
		}
		if sn.byteRate > 0 && sn.size > sn.bytes {
			details = append(details, roughly(seconds(float64(sn.size-sn.bytes)/sn.byteRate))+" left")
		}
		return head, frac, details
	}
	head = fmt.Sprintf("%s %d/%d rows", cmp.Or(sn.verb, "importing"), sn.done, sn.rows)
	if sn.rows > 0 {
		frac = float64(sn.done) / float64(sn.rows)
	}
	switch left := sn.toSend - sn.sent; {
	case sn.pause > 0:
		details = append(details, "paused by the server, resuming in "+roughly(sn.pause))
	case sn.rate > 0:
		details = append(details, perSecond(sn.rate))
		if left > 0 {
			details = append(details, roughly(seconds(float64(left)/sn.rate))+" left")
		}
	}
	return head, frac, details
}

// bar is the snapshot as the terminal's status line, at most cols wide:
// the graphic takes the room the words leave, and goes when too little is
// left.
func (sn snapshot) bar(cols int) string {
	head, frac, details := sn.parts()
	rest := strings.Join(details, "  ")
	if frac < 0 {
		return join2(head, rest)
	}
	pct := fmt.Sprintf("%d%%", int(frac*100))
	words := join2(head+"  "+pct, rest)
	room := cols - 1 - len(words) - 3 // the graphic's brackets, and a space
	if room < 10 {
		return words
	}
	return join2(head+"  "+graphic(frac, min(room, 30))+" "+pct, rest)
}

// line is the snapshot as a plain progress line.
func (sn snapshot) line() string {
	head, frac, details := sn.parts()
	if frac >= 0 {
		head += fmt.Sprintf(" (%d%%)", int(frac*100))
	}
	return strings.Join(append([]string{"progress: " + head}, details...), ", ")
}

func join2(a, b string) string {
	if b == "" {
		return a
	}
	return a + "  " + b
}

// graphic draws frac of width cells: [=======>            ].
func graphic(frac float64, width int) string {
	filled := min(max(int(frac*float64(width)), 0), width)
	body := strings.Repeat("=", filled)
	if filled < width {
		body += ">" + strings.Repeat(" ", width-filled-1)
	}
	return "[" + body + "]"
}

func perSecond(r float64) string {
	if r >= 10 {
		return fmt.Sprintf("%.0f rows/s", r)
	}
	return fmt.Sprintf("%.1f rows/s", r)
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func seconds(s float64) time.Duration {
	return time.Duration(min(s, 1e6) * float64(time.Second))
}

// roughly says a duration as people do, rounded up: "41 s", "3 min 20 s",
// "2 h 5 min".
func roughly(d time.Duration) string {
	s := max(int(math.Ceil(d.Seconds())), 1)
	switch {
	case s < 60:
		return fmt.Sprintf("%d s", s)
	case s < 600:
		if s%60 == 0 {
			return fmt.Sprintf("%d min", s/60)
		}
		return fmt.Sprintf("%d min %d s", s/60, s%60)
	case s < 3600:
		return fmt.Sprintf("%d min", (s+59)/60)
	}
	return fmt.Sprintf("%d h %d min", s/3600, s%3600/60)
}

func humanBytes(n int64) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d B", n)
	case n < 1e6:
		return fmt.Sprintf("%.1f kB", float64(n)/1e3)
	case n < 1e9:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	}
	return fmt.Sprintf("%.2f GB", float64(n)/1e9)
}
