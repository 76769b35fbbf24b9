package partnero

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/partnero-import/partnero-import/importer/secret"
	"github.com/partnero-import/partnero-import/printable"
)

// Undo against servers that answer reads and archives in the ways helper
// attacks found: it archives only the partner the import made, counts one
// already gone as undone only when it is gone, and never says rejected.
func TestUndoAnswers(t *testing.T) {
	ann := func(extra string) string {
		// The import's mark, which a later key of the same name overrides.
		return `{"data":{"id":"p1","email":"ann@x.io","referral_link":"https://c.io?aff=ann","status":"active","tags":[{"value":"partnero-import-job1"}]` + extra + `},"status":1}`
	}
	ok := func(w http.ResponseWriter) { fmt.Fprint(w, `{"status":1}`) }
	tests := []struct {
		name    string
		read    func(w http.ResponseWriter, n int) // the n-th GET of /partners/p1
		search  string                             // the search's answer; "" none found
		archive func(w http.ResponseWriter)
		said    Said
		message string
	}{
		{"archived", func(w http.ResponseWriter, n int) { fmt.Fprint(w, ann("")) }, "", ok, Done, "archived"},
		{"wrapped answers", func(w http.ResponseWriter, n int) {
			fmt.Fprint(w, `{"data":{"partner":{"id":"p1","email":"ann@x.io","status":"active","tags":["partnero-import-job1"]}}}`)
		}, "", ok, Done, "archived"},
		{"already archived, in capitals", func(w http.ResponseWriter, n int) { fmt.Fprint(w, ann(`,"status":"Archived"`)) }, "", ok,
			Already, "already Archived"},
		{"deleted, as documented", func(w http.ResponseWriter, n int) { fmt.Fprint(w, ann(`,"status":"deleted"`)) }, "", ok,
			Already, "already deleted"},
		{"not found, nor by email", func(w http.ResponseWriter, n int) { http.NotFound(w, nil) }, "", ok,
			Gone, "not in Partnero"},
		{"not found by id, found by email", func(w http.ResponseWriter, n int) { http.NotFound(w, nil) },
			`{"data":[{"id":"p1","email":"ann@x.io"}]}`, ok, BadRequest, "cannot be undone through"},
		{"recreated under the same id", func(w http.ResponseWriter, n int) {
			fmt.Fprint(w, `{"data":{"id":"p1","email":"ann@x.io","referral_link":"https://c.io?aff=other","status":"active"}}`)
		}, "", ok, NotOurs, "referral link is now"},
		{"without the import's mark", func(w http.ResponseWriter, n int) {
			fmt.Fprint(w, ann(`,"tags":[{"value":"vip"},{"value":"partnero-import-otherjob"}]`))
		}, "", ok, NotOurs, "does not carry the import's mark"},
		{"with the import's mark", func(w http.ResponseWriter, n int) {
			fmt.Fprint(w, ann(`,"tags":[{"value":"vip"},{"value":"partnero-import-job1"}]`))
		}, "", ok, Done, "archived"},
		{"showing no tags: the mark cannot be shown, so it is left alone", func(w http.ResponseWriter, n int) {
			fmt.Fprint(w, `{"data":{"id":"p1","email":"ann@x.io","status":"active","created_at":"2099-01-01 00:00:00"}}`)
		}, "", ok, NotOurs, "shows no tags"},
		{"the archive refused, the partner still there", func(w http.ResponseWriter, n int) { fmt.Fprint(w, ann("")) }, "",
			func(w http.ResponseWriter) { w.WriteHeader(400); fmt.Fprint(w, `{"message":"Action failed"}`) },
			BadRequest, "still there"},
		{"the archive route missing (404), the partner still there", func(w http.ResponseWriter, n int) { fmt.Fprint(w, ann("")) }, "",
			func(w http.ResponseWriter) { http.NotFound(w, nil) }, WrongAddress, "still there"},
		{"a lost answer, then Action failed: it was done", func(w http.ResponseWriter, n int) {
			if n == 1 {
				fmt.Fprint(w, ann(""))
				return
			}
			fmt.Fprint(w, ann(`,"status":"archived"`))
		}, "", func(w http.ResponseWriter) { lose(w) }, Done, "reconciled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := undoAgainst(t, tt.read, tt.search, tt.archive, Archive)
			// A 404 about a partner just read is no wrong --base-url.
			if out.Said != tt.said || !strings.Contains(out.Message, tt.message) || out.Fatal ||
				strings.Contains(out.Message, "--base-url") {
				t.Fatalf("got %+v", out)
			}
		})
	}
}

// Restoring what a rollback archived: only the partner the import made, a
// partner active already counts as restored, a deleted one cannot be.
func TestUndoRestoreAnswers(t *testing.T) {
	ann := func(status string) func(w http.ResponseWriter, n int) {
		return func(w http.ResponseWriter, n int) {
			fmt.Fprint(w, `{"data":{"id":"p1","email":"ann@x.io","referral_link":"https://c.io?aff=ann","status":"`+status+`","tags":[{"value":"partnero-import-job1"}]},"status":1}`)
		}
	}
	ok := func(w http.ResponseWriter) { fmt.Fprint(w, `{"status":1}`) }
	refused := func(w http.ResponseWriter) { w.WriteHeader(400); fmt.Fprint(w, `{"message":"Action failed"}`) }
	tests := []struct {
		name    string
		read    func(w http.ResponseWriter, n int)
		restore func(w http.ResponseWriter)
		said    Said
		message string
	}{
		{"restored", ann("archived"), ok, Done, "restored"},
		{"active already", ann("active"), ok, Already, "already active"},
		{"showing no status: asked, and it was archived", ann(""), ok, Done, "restored"},
		{"deleted", ann("deleted"), ok, Gone, "cannot be restored"},
		{"not found, nor by email", func(w http.ResponseWriter, n int) { http.NotFound(w, nil) }, ok, Gone, "cannot be restored"},
		{"another partner's email now", func(w http.ResponseWriter, n int) {
			fmt.Fprint(w, `{"data":{"id":"p1","email":"bob@x.io","status":"archived"}}`)
		}, ok, NotOurs, "email is now bob@x.io"},
		{"refused, still archived", ann("archived"), refused, BadRequest, "still archived"},
		{"refused: restored meanwhile", func(w http.ResponseWriter, n int) {
			ann(map[bool]string{true: "archived", false: "active"}[n == 1])(w, n)
		}, refused, Already, "restored meanwhile"},
		{"a lost answer, then Action failed: it was done", func(w http.ResponseWriter, n int) {
			ann(map[bool]string{true: "archived", false: "active"}[n == 1])(w, n)
		}, func(w http.ResponseWriter) { lose(w) }, Done, "reconciled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := undoAgainst(t, tt.read, "", tt.restore, Restore)
			if out.Said != tt.said || !strings.Contains(out.Message, tt.message) || out.Fatal {
				t.Fatalf("got %+v", out)
			}
		})
	}
}

// undoAgainst undoes partner p1 (ann@x.io) on a server that answers its
// reads with read (n counting them), the search with search and the
// archive, delete or restore with act.
func undoAgainst(t *testing.T, read func(w http.ResponseWriter, n int), search string, act func(w http.ResponseWriter), how Undoing) Outcome {
	t.Helper()
	reads := 0
	path := how.request("p1").path
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/v1/partners/p1":
			reads++
			read(w, reads)
		case r.URL.Path == "/v1/partners:search":
			fmt.Fprint(w, strings.ReplaceAll(cmpOr(search, `{"data":[]}`), "\n", ""))
		case r.Method == how.request("p1").method && r.URL.Path == "/v1"+path:
			act(w)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	c, _ := New(Config{BaseURL: srv.URL + "/v1", Key: secret.New("key-12345"), Retries: 1, RetryBase: time.Millisecond, Timeout: time.Second})
	m := Made{ID: "p1", Email: "ann@x.io", Link: "https://c.io?aff=ann", Mark: "partnero-import-job1"}
	return c.Undo(context.Background(), m, how)
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// A partner whose id holds a control character is in the report with the
// id escaped: rollback finds it by its email under its own id and undoes
// it, rather than call it gone.
func TestUndoAnIDTheReportShowsEscaped(t *testing.T) {
	const id = "p\x1b1"
	var archived bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/v1/partners/"+id:
			fmt.Fprint(w, `{"data":{"id":"p\u001b1","email":"ann@x.io","status":"active"},"status":1}`)
		case r.URL.Path == "/v1/partners:search":
			fmt.Fprint(w, `{"data":[{"id":"p\u001b1","email":"ann@x.io"}],"links":{"next":null}}`)
		case r.Method == http.MethodPost && r.URL.Path == "/v1/partners/"+id+"/archive":
			archived = true
			fmt.Fprint(w, `{"status":1}`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	c, _ := New(Config{BaseURL: srv.URL + "/v1", Key: secret.New("key-12345"), Retries: 1, RetryBase: time.Millisecond, Timeout: time.Second})
	out := c.Undo(context.Background(), Made{ID: printable.String(id), Email: "ann@x.io"}, Archive)
	if out.Said != Done || !archived {
		t.Fatalf("got %+v, archived %v", out, archived)
	}
}
