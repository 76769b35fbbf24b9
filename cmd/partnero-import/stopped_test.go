package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/partnero-import/partnero-import/importer/pull/fake"
	"github.com/partnero-import/partnero-import/importer/sandbox"
)

// stopAtFirstCreate is the sandbox behind a server that stops the run, as
// Ctrl-C would, while the first partner's create is being answered: the
// partner is stored, then the answer is lost (lose) or given. Whatever
// the client asks after that, it asks of a stopping run.
type stopAtFirstCreate struct {
	sb     *sandbox.Server
	lose   bool
	cancel context.CancelFunc
	once   sync.Once
}

func (s *stopAtFirstCreate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	first := false
	if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/partners") {
		s.once.Do(func() { first = true })
	}
	if !first {
		s.sb.ServeHTTP(w, r)
		return
	}
	s.cancel()
	if !s.lose {
		s.sb.ServeHTTP(w, r)
		return
	}
	s.sb.ServeHTTP(httptest.NewRecorder(), r) // stored; the answer never leaves
	if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
		conn.Close()
	}
}

// A partner created while the run is being stopped is reported created
// with its id: the reads that prove it the job's (its mark, read by its
// id) are made even then, as the lookups are. Neither a lost answer nor an
// answer without the id leaves a partner the run made reported failed, or
// created without its id.
func TestPartnerMadeWhileStoppingIsReportedWithItsID(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		lose bool
		vary sandbox.Variation
	}{
		{"lost answer", true, sandbox.Variation{}},
		{"answer without the id", false, sandbox.Variation{Missing: []string{"id"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sb := sandbox.New(sandbox.Options{Vary: tt.vary})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			srv := httptest.NewServer(&stopAtFirstCreate{sb: sb, lose: tt.lose, cancel: cancel})
			defer srv.Close()
			in := writeFile(t, "in.csv", "email,name\nann@x.io,Ann\nbob@x.io,Bob\n")
			rep := filepath.Join(filepath.Dir(in), "r.csv")
			r := runCLIContext(t, ctx, map[string]string{"PARTNERO_API_KEY": "k", "PARTNERO_BASE_URL": srv.URL + "/v1"}, "",
				"import", "--no-progress", "--rate", "0", "--concurrency", "1", "--report", rep, in)
			if r.code != exitInterrupted {
				t.Fatalf("exit %d\n%s", r.code, r.stderr)
			}
			stored := sb.Partners()
			rows := reportByColumn(t, rep)
			if len(stored) != 1 || rows[0]["status"] != "created" || rows[0]["partner_id"] != stored[0].ID || rows[1]["reason"] != "aborted" {
				t.Fatalf("stored %+v; reported %v", stored, rows)
			}
		})
	}
}

// stopAtFirst stops the run, as Ctrl-C would, when the first POST to a
// path ending in suffix arrives; the request is served.
type stopAtFirst struct {
	http.Handler
	suffix string
	cancel context.CancelFunc
	once   sync.Once
}

func (s *stopAtFirst) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, s.suffix) {
		s.once.Do(s.cancel)
	}
	s.Handler.ServeHTTP(w, r)
}

// An import of a program's files stopped in its customers prints the
// command that finishes the job, and that command works: a resume of the
// customers' file alone (--resume takes one FILE), the files after it
// said not read.
func TestStoppedRunOfSeveralFilesPrintsAWorkingResume(t *testing.T) {
	t.Parallel()
	sb := sandbox.New(sandbox.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv := httptest.NewServer(&stopAtFirst{Handler: sb, suffix: "/customers", cancel: cancel})
	defer srv.Close()
	// A pull's DIR, given as one word: the resume must not name it.
	dir := filepath.Join(t.TempDir(), "program")
	pulled := runCLI(t, map[string]string{"REWARDFUL_API_SECRET": rewardfulSecret}, "", "pull", "rewardful", "--out", dir,
		"--source-base-url", servedRewardful(t, fake.RewardfulSample(rewardfulSecret)))
	if pulled.code != exitOK {
		t.Fatalf("pull: exit %d\n%s", pulled.code, pulled.stderr)
	}
	env := map[string]string{"PARTNERO_API_KEY": "k", "PARTNERO_BASE_URL": srv.URL + "/v1"}
	r := runCLIContext(t, ctx, env, "", "import", "--no-progress", "--rate", "0", "--concurrency", "1", dir)
	_, command, ok := strings.Cut(r.stderr, "run: ")
	if r.code != exitInterrupted || !ok || !strings.Contains(r.stderr, "not read, so no report: "+filepath.Join(dir, "transactions.jsonl")) {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	words := strings.Fields(strings.SplitN(command, "\n", 2)[0])
	for len(words) > 0 && words[0] != "import" {
		words = words[1:] // the program, as the tool was started
	}
	if last := words[len(words)-1]; last != filepath.Join(dir, "customers.jsonl") || slices.Contains(words, dir) {
		t.Fatalf("the resume names more than the customers' file: %v", words)
	}
	if again := runCLI(t, env, "", words...); again.code != exitOK && again.code != exitRowsFailed {
		t.Fatalf("the printed command %v: exit %d\n%s", words, again.code, again.stderr)
	}
	if len(sb.Customers()) < 2 {
		t.Errorf("the resume stored %d customers", len(sb.Customers()))
	}
	// Then the files not read, as the note says.
	_, rest, ok := strings.Cut(r.stderr, "once the resume is done, ")
	_, rest, ok2 := strings.Cut(rest, "run: ")
	if !ok || !ok2 {
		t.Fatalf("no command for the files not read:\n%s", r.stderr)
	}
	words = strings.Fields(strings.SplitN(rest, "\n", 2)[0])
	for len(words) > 0 && words[0] != "import" {
		words = words[1:]
	}
	if last := words[len(words)-1]; last != filepath.Join(dir, "transactions.jsonl") || slices.Contains(words, dir) {
		t.Fatalf("the rest is not the files not read: %v", words)
	}
	if again := runCLI(t, env, "", words...); again.code != exitOK && again.code != exitRowsFailed {
		t.Fatalf("the printed command %v: exit %d\n%s", words, again.code, again.stderr)
	}
	if len(sb.Transactions()) == 0 {
		t.Errorf("the rest stored no sale")
	}
}
