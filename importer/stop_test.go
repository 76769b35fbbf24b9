package importer

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/partnero-import/partnero-import/importer/input"
	"github.com/partnero-import/partnero-import/importer/partnero"
	"github.com/partnero-import/partnero-import/importer/sandbox"
	"github.com/partnero-import/partnero-import/importer/secret"
	"github.com/partnero-import/partnero-import/report"
)

// gate is a sandbox whose requests after the first (the preflight) wait
// until released, each saying so on arrived when it starts to wait.
type gate struct {
	sb      *sandbox.Server
	n       atomic.Int64
	arrived chan struct{}
	release chan struct{}
}

func (g *gate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if g.n.Add(1) > 1 {
		g.arrived <- struct{}{}
		<-g.release
	}
	g.sb.ServeHTTP(w, r)
}

// gated serves sb behind a gate; the gate opens when the test ends, before
// the server closes.
func gated(t *testing.T, sb *sandbox.Server) (*gate, *partnero.Client) {
	t.Helper()
	g := &gate{sb: sb, arrived: make(chan struct{}, 64), release: make(chan struct{})}
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(g.release) })
	c, err := partnero.New(partnero.Config{BaseURL: srv.URL + "/v1", Key: secret.New("k"), Concurrency: 2, Timeout: 30 * time.Second, Mark: partnero.NewMark()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return g, c
}

// stopTwice waits until n requests are held at the gate, then stops the
// run gently and at once, and waits for it to return: while the requests
// are still held, so it returned without them.
func stopTwice(t *testing.T, g *gate, n int, run func(ctx, hard context.Context) *Result) *Result {
	t.Helper()
	ctx, stop := context.WithCancel(context.Background())
	hard, stopNow := context.WithCancel(context.Background())
	done := make(chan *Result, 1)
	go func() { done <- run(ctx, hard) }()
	for range n {
		<-g.arrived
	}
	stop()
	stopNow()
	res := <-done
	if !res.HardStopped || !res.Interrupted {
		t.Fatalf("hard stopped %v, interrupted %v", res.HardStopped, res.Interrupted)
	}
	return res
}

// The second Ctrl-C, in process: Import returns while two creates are
// held by the server, their rows reported failed (the partner may exist),
// the rows queued aborted, none created; the report is closed, sorted and
// says it was interrupted.
func TestHardStopReturnsWithRequestsInFlight(t *testing.T) {
	t.Parallel()
	g, client := gated(t, sandbox.New(sandbox.Options{}))
	path := emailFile(t, 6)
	rep := filepath.Join(t.TempDir(), "r.csv")
	stopTwice(t, g, 2, func(ctx, hard context.Context) *Result {
		res, err := Import(ctx, Config{
			Open:  func() (io.ReadCloser, error) { return os.Open(path) },
			Input: input.Options{Format: input.CSV},
			Mode:  "create",
			Report: func() (*report.Writer, error) {
				return report.Create(rep, true, &report.Provenance{Tool: "partnero-import", Command: "import", Destination: "test"})
			},
			Client: client, Concurrency: 2, HardStop: hard,
		})
		if err != nil {
			t.Error(err)
		}
		return res
	})
	counts := map[string]int{}
	row := 0
	err := report.Read(rep, func(l report.Line) error {
		if row++; l.Row != row {
			t.Errorf("line %d is row %d: the report is not sorted", row, l.Row)
		}
		counts[string(l.Status)+"/"+string(l.Reason)]++
		if l.Status == report.Failed && !strings.Contains(l.Message, "may have been created") {
			t.Errorf("row %d: %s", l.Row, l.Message)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if counts["failed/network_error"] != 2 || counts["failed/network_error"]+counts["skipped/aborted"] != row {
		t.Fatalf("%v", counts)
	}
	if prov, err := report.ReadProvenance(rep); err != nil || !prov.Interrupted {
		t.Fatalf("provenance %+v, %v", prov, err)
	}
}

// The same for a rollback: the archives held are failed (they may be
// done), the rest aborted, every row of the import's report has its line.
func TestRollbackHardStopReturnsWithRequestsInFlight(t *testing.T) {
	t.Parallel()
	sb := sandbox.New(sandbox.Options{})
	imported := filepath.Join(t.TempDir(), "import.csv")
	var b strings.Builder
	b.WriteString(strings.Join(report.Header, ",") + "\n")
	for i := range 5 {
		id := "id" + string(rune('a'+i))
		email := id + "@x.io"
		sb.Add(sandbox.Partner{Email: email, ID: id})
		b.WriteString(strings.Join([]string{string(rune('1' + i)), string(rune('2' + i)), email, "create", "created", "", "201", "", id, "", "1"}, ",") + "\n")
	}
	if err := os.WriteFile(imported, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	g, client := gated(t, sb)
	out := filepath.Join(t.TempDir(), "rollback.csv")
	stopTwice(t, g, 2, func(ctx, hard context.Context) *Result {
		res, err := Rollback(ctx, RollbackConfig{Report: imported, How: partnero.Archive, AnyOrder: true, Client: client, Concurrency: 2, HardStop: hard,
			Out: func() (*report.Writer, error) { return report.Create(out, true, nil) }})
		if err != nil {
			t.Error(err)
		}
		return res
	})
	counts := map[string]int{}
	if err := report.Read(out, func(l report.Line) error { counts[string(l.Status)+"/"+string(l.Reason)]++; return nil }); err != nil {
		t.Fatal(err)
	}
	if counts["failed/network_error"] != 2 || counts["skipped/aborted"] != 3 {
		t.Fatalf("%v", counts)
	}
}

// stopsWhileRead is a CSV file of n emails that, once after of them have
// been read, stops the run twice (the first Ctrl-C, then the second), as a
// user does while a long file is being read.
type stopsWhileRead struct {
	n, after, next int
	pending        []byte
	stop, stopNow  context.CancelFunc
	end            atomic.Bool // read to its end
}

func (s *stopsWhileRead) Read(p []byte) (int, error) {
	for len(s.pending) == 0 {
		switch {
		case s.next == s.n:
			s.end.Store(true)
			return 0, io.EOF
		case s.next == 0:
			s.pending = append(s.pending, "email\n"...)
		case s.next == s.after:
			s.stop()
			s.stopNow()
		}
		s.pending = fmt.Appendf(s.pending, "p%d@x.io\n", s.next)
		s.next++
	}
	n := copy(p, s.pending)
	s.pending = s.pending[n:]
	return n, nil
}

func (s *stopsWhileRead) Close() error { return nil }

// The second Ctrl-C while a file is read (a dry run's one pass, an
// import's first) returns at once, leaving the rest of the file unread:
// the run says it was stopped at once, and the report it had opened is
// closed, saying it was interrupted.
func TestHardStopWhileReading(t *testing.T) {
	t.Parallel()
	for _, command := range []string{"validate", "import"} {
		t.Run(command, func(t *testing.T) {
			t.Parallel()
			ctx, stop := context.WithCancel(context.Background())
			hard, stopNow := context.WithCancel(context.Background())
			file := &stopsWhileRead{n: 500_000, after: 50_000, stop: stop, stopNow: stopNow}
			rep := filepath.Join(t.TempDir(), "r.csv")
			cfg := Config{
				Open:  func() (io.ReadCloser, error) { return file, nil },
				Input: input.Options{Format: input.CSV},
				Mode:  "create",
				Report: func() (*report.Writer, error) {
					return report.Create(rep, command == "import", &report.Provenance{Tool: "partnero-import", Command: command, Destination: "test"})
				},
				HardStop: hard,
			}
			run := Validate
			if command == "import" {
				_, cfg.Client = gated(t, sandbox.New(sandbox.Options{}))
				run = Import
			}
			res, err := run(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if !res.HardStopped || !res.Interrupted || file.end.Load() {
				t.Fatalf("hard stopped %v, interrupted %v, the file read to its end %v", res.HardStopped, res.Interrupted, file.end.Load())
			}
			if cfg.Client != nil && cfg.Client.Requests() != 0 {
				t.Errorf("%d requests sent", cfg.Client.Requests())
			}
			if _, err := os.Stat(rep); command == "import" && err == nil {
				t.Errorf("the import opened its report before its first pass was over")
			}
			if command == "validate" {
				if prov, err := report.ReadProvenance(rep); err != nil || !prov.Interrupted {
					t.Errorf("provenance %+v, %v", prov, err)
				}
			}
		})
	}
}

// validate --against stopped at once while its reads are in flight: those
// rows were only being read, so they are aborted like the rows queued, not
// failed as if a partner may have been created.
func TestAgainstHardStopCreatesNothingToLookUp(t *testing.T) {
	t.Parallel()
	g, client := gated(t, sandbox.New(sandbox.Options{}))
	path := emailFile(t, 6)
	rep := filepath.Join(t.TempDir(), "r.csv")
	stopTwice(t, g, 2, func(ctx, hard context.Context) *Result {
		res, err := Validate(ctx, Config{
			Open:  func() (io.ReadCloser, error) { return os.Open(path) },
			Input: input.Options{Format: input.CSV},
			Mode:  "create",
			Report: func() (*report.Writer, error) {
				return report.Create(rep, false, &report.Provenance{Tool: "partnero-import", Command: "validate", Destination: "test"})
			},
			Client: client, Concurrency: 2, HardStop: hard,
		})
		if err != nil {
			t.Error(err)
		}
		return res
	})
	err := report.Read(rep, func(l report.Line) error {
		if l.Status != report.Skipped || l.Reason != report.Aborted || strings.Contains(l.Message, "created") {
			t.Errorf("row %d: %s/%s %s", l.Row, l.Status, l.Reason, l.Message)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
