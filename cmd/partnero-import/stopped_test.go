package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

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
