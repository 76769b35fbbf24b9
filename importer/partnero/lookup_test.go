package partnero

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/partnero-import/partnero-import/importer/secret"
	"github.com/partnero-import/partnero-import/report"
)

// fake is a server written from the documentation by someone else: it holds
// partners by email, and each test says how it answers.
type fake struct {
	mu       sync.Mutex
	posts    int
	requests []string // method and path of each request, in order
	stored   map[string]string
	// post answers the n-th POST after the partner is stored (n from 1);
	// nil answers as documented.
	post func(w http.ResponseWriter, n int)
	// get answers reads; nil serves search and GET by id as documented.
	get func(w http.ResponseWriter, r *http.Request)
	// unmeasured: no partner of the run has shown how created_at reads.
	unmeasured bool
	noDate     bool // answers without a Date header
}

func (f *fake) start(t *testing.T) *Client {
	t.Helper()
	f.stored = map[string]string{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if f.noDate {
			w.Header()["Date"] = nil // net/http then adds none
		}
		f.mu.Lock()
		f.requests = append(f.requests, r.Method+" "+r.URL.Path)
		f.mu.Unlock()
		if r.Method == http.MethodPost {
			f.mu.Lock()
			f.posts++
			n := f.posts
			if _, ok := f.stored["ann@x.io"]; !ok {
				f.stored["ann@x.io"] = "p1"
			}
			f.mu.Unlock()
			if f.post != nil {
				f.post(w, n)
				return
			}
			w.WriteHeader(http.StatusCreated)
			fmt.Fprint(w, `{"data":{"id":"p1","email":"ann@x.io"},"status":1}`)
			return
		}
		if f.get != nil {
			f.get(w, r)
			return
		}
		f.mu.Lock()
		id, ok := f.stored["ann@x.io"]
		f.mu.Unlock()
		switch {
		case r.URL.Path == "/v1/partners" && r.URL.Query().Get("limit") == "1": // the preflight
			fmt.Fprint(w, `{"data":[],"links":{"next":null},"status":1}`)
		case r.URL.Path == "/v1/partners:search" && ok:
			fmt.Fprintf(w, `{"data":[{"id":"%s","email":"joann@x.io"},{"id":"%s","email":"Ann@x.io","created_at":"%s"}],"links":{"next":null},"status":1}`,
				"p0", id, time.Now().UTC().Format(time.RFC3339Nano))
		case r.URL.Path == "/v1/partners:search":
			fmt.Fprint(w, `{"data":[],"links":{"next":null},"status":1}`)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	c, err := New(Config{BaseURL: srv.URL + "/v1", Key: secret.New("key-12345"), Retries: 2, RetryBase: time.Millisecond,
		Timeout: 2 * time.Second, LookupBudget: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if f.get == nil {
		if err := c.Preflight(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if !f.unmeasured {
		c.clock.noteCreated(stampOf(time.Now().UTC().Format(time.RFC3339)), time.Now(), time.Now()) // as a partner made earlier in the run showed
	}
	return c
}

// lose stores the partner and closes the connection without an answer.
func lose(w http.ResponseWriter) {
	conn, _, _ := w.(http.Hijacker).Hijack()
	conn.Close()
}

// After a lost answer, whatever the retry says (a clash in words nobody
// expects, a 409, a 400, a 404, another 5xx, even a 401), the partner is
// looked up before the row is called rejected or failed: it is there, so the
// row is created, with its id.
func TestLostAnswerThenAnythingIsLookedUp(t *testing.T) {
	retries := map[string]func(w http.ResponseWriter){
		"422 in other words": func(w http.ResponseWriter) {
			w.WriteHeader(422)
			fmt.Fprint(w, `{"message":"Die Anfrage ist ungültig."}`)
		},
		"409": func(w http.ResponseWriter) { w.WriteHeader(409) },
		"400": func(w http.ResponseWriter) {
			w.WriteHeader(400)
			fmt.Fprint(w, `{"error":"Bad Request"}`)
		},
		"404":         func(w http.ResponseWriter) { w.WriteHeader(404) },
		"401":         func(w http.ResponseWriter) { w.WriteHeader(401) },
		"502 forever": func(w http.ResponseWriter) { w.WriteHeader(502) },
		"2xx saying 0": func(w http.ResponseWriter) {
			fmt.Fprint(w, `{"status":0,"message":"Something went wrong"}`)
		},
	}
	for name, retry := range retries {
		t.Run(name, func(t *testing.T) {
			f := &fake{post: func(w http.ResponseWriter, n int) {
				if n == 1 {
					lose(w)
					return
				}
				retry(w)
			}}
			out := f.start(t).Create(context.Background(), &Partner{Email: "ann@x.io"})
			if out.Status != "" || out.PartnerID != "p1" || !strings.HasPrefix(out.Message, "reconciled") {
				t.Fatalf("got %+v", out)
			}
		})
	}
}

// After a lost answer, with no partner of the run to show how created_at
// reads and no Date header, the time of the partner found cannot say whose
// it is: the server's clock is unknown. The row says it may exist.
func TestLostAnswerWithCreatedAtUnmeasured(t *testing.T) {
	f := &fake{unmeasured: true, noDate: true, post: func(w http.ResponseWriter, n int) {
		if n == 1 {
			lose(w)
			return
		}
		w.WriteHeader(422)
		fmt.Fprint(w, `{"message":"Email already exists","errors":{"email":["Email already exists"]}}`)
	}}
	out := f.start(t).Create(context.Background(), &Partner{Email: "ann@x.io"})
	if out.Status != report.Failed || out.PartnerID != "" || !strings.Contains(out.Message, "cannot be told") {
		t.Fatalf("got %+v", out)
	}
}

// A 2xx that says it failed in no particular words may have stored the
// partner: it is looked up, and found.
func TestSuccessSayingItFailedIsLookedUp(t *testing.T) {
	f := &fake{post: func(w http.ResponseWriter, n int) { fmt.Fprint(w, `{"status":0,"message":"Something went wrong"}`) }}
	out := f.start(t).Create(context.Background(), &Partner{Email: "ann@x.io"})
	if out.Status != "" || out.PartnerID != "p1" || !strings.HasPrefix(out.Message, "reconciled") {
		t.Fatalf("got %+v after %v", out, f.requests)
	}
}

// The same answers without a lost one before them are the server's word:
// no lookup, and a 2xx that says "status": 0 is never a success.
func TestClearRefusalsAreNotLookedUp(t *testing.T) {
	f := &fake{post: func(w http.ResponseWriter, n int) { fmt.Fprint(w, `{"status":0,"message":"Email already exists"}`) }}
	out := f.start(t).Create(context.Background(), &Partner{Email: "ann@x.io"})
	if out.Status != report.Rejected || out.Reason != report.EmailExists || len(f.requests) != 2 { // the preflight and the create
		t.Fatalf("got %+v after %v", out, f.requests)
	}
}

// A create answered 2xx without the partner may or may not have stored it:
// the retry's clash leads to a lookup, which finds it.
func TestSuccessWithoutThePartner(t *testing.T) {
	f := &fake{post: func(w http.ResponseWriter, n int) {
		if n == 1 {
			fmt.Fprint(w, `{"status":1}`)
			return
		}
		w.WriteHeader(422)
		fmt.Fprint(w, `{"message":"Email already exists","errors":{"email":["Email already exists"]}}`)
	}}
	out := f.start(t).Create(context.Background(), &Partner{Email: "ann@x.io"})
	if out.Status != "" || out.PartnerID != "p1" || out.Attempts != 2 {
		t.Fatalf("got %+v", out)
	}
}

// A success whose id cannot be read is looked up: the id is never lost.
func TestSuccessWithoutAnID(t *testing.T) {
	f := &fake{post: func(w http.ResponseWriter, n int) {
		w.WriteHeader(201)
		fmt.Fprint(w, `{"data":{"email":"ann@x.io","referral_link":"https://c.io?aff=k"},"status":1}`)
	}}
	out := f.start(t).Create(context.Background(), &Partner{Email: "ann@x.io"})
	if out.Status != "" || out.PartnerID != "p1" || out.ReferralLink != "https://c.io?aff=k" || out.Attempts != 1 {
		t.Fatalf("got %+v", out)
	}
	inv := &fake{post: func(w http.ResponseWriter, n int) { fmt.Fprint(w, `{"message":"Invitation sent","status":1}`) }}
	out = inv.start(t).Invite(context.Background(), &Partner{Email: "ann@x.io", Name: "Ann"})
	if out.Status != "" || out.PartnerID != "p1" {
		t.Fatalf("invite: %+v", out)
	}
}

// Every lookup ends, with a verdict, whatever the list does: a list that
// ignores "page" is caught at its second page, a next link to another host
// is not followed (the key would go there: its page is asked of the API),
// and without a search endpoint
// the client asks for it once, then walks the list.
func TestLookupsEnd(t *testing.T) {
	page := `{"data":[{"id":"x","email":"x@x.io"}],"links":{"next":"%s"},"status":1}`
	tests := []struct {
		name    string
		get     func(w http.ResponseWriter, r *http.Request)
		most    int // reads at most, for the two lookups
		message string
	}{
		{"a list that ignores page", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, page, "http://"+r.Host+r.URL.Path+"?page=2")
		}, 12, "same page three times"}, // the search's three pages, and the list's
		{"next links to another host", func(w http.ResponseWriter, r *http.Request) {
			n, _ := strconv.Atoi(r.URL.Query().Get("page"))
			if n == 3 {
				fmt.Fprint(w, `{"data":[],"links":{"next":null}}`)
				return
			}
			fmt.Fprintf(w, `{"data":[{"id":"x%d","email":"x%d@x.io"}],"links":{"next":"https://elsewhere.example/v1/partners?page=%d"}}`, n, n, max(n, 1)+1)
		}, 2 * 3, "no partner with this email"}, // three pages a lookup, all asked of the API
		{"no search, a list of pages", func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/v1/partners:search" {
				http.NotFound(w, r)
				return
			}
			n, _ := strconv.Atoi(r.URL.Query().Get("page"))
			if n == 3 {
				fmt.Fprint(w, `{"data":[],"links":{"next":null}}`)
				return
			}
			fmt.Fprintf(w, `{"data":[{"id":"x%d","email":"x%d@x.io"}],"links":{"next":"/v1/partners?page=%d"}}`, n, n, max(n, 1)+1)
		}, 1 + 2*3, "no partner with this email"}, // one search, then three pages a lookup
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fake{get: tt.get, post: func(w http.ResponseWriter, n int) { w.WriteHeader(503) }}
			c := f.start(t)
			for range 2 {
				out := c.Create(context.Background(), &Partner{Email: "nobody@x.io"})
				if out.Status != report.Failed || !strings.Contains(out.Message, tt.message) {
					t.Fatalf("got %+v", out)
				}
			}
			reads := 0
			for _, r := range f.requests {
				if strings.HasPrefix(r, "GET") {
					reads++
				}
			}
			if reads > tt.most {
				t.Fatalf("%d reads for two lookups: %v", reads, f.requests)
			}
		})
	}
}

// A partner with the row's email is the row's only when it was created
// after the job began, on whatever clock the server keeps and whatever form
// its created_at takes; there before, it is not; where the time cannot be
// read or placed, other names still tell, and the same names cannot.
func TestOurs(t *testing.T) {
	start := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC) // this machine's clock
	row := &Partner{Email: "ann@x.io", Name: "Ann", Surname: "Lee"}
	iso := func(d time.Duration) any { return start.Add(d).Format("2006-01-02T15:04:05.000000Z") }
	sql := func(d time.Duration) any { return start.Add(d).Format("2006-01-02 15:04:05") }
	withDate := func(ahead time.Duration) func(*clock) {
		return func(k *clock) { k.serverAhead, k.known = ahead, true }
	}
	// measured: created_at of partners this run made read this far ahead.
	measured := func(ahead time.Duration, naive bool) func(*clock) {
		return func(k *clock) {
			o := &k.zoned
			if naive {
				o = &k.naive
			}
			o.note(ahead-100*time.Millisecond, ahead+100*time.Millisecond)
		}
	}
	both := func(fs ...func(*clock)) func(*clock) {
		return func(k *clock) {
			for _, f := range fs {
				f(k)
			}
		}
	}
	noDate := func(*clock) {}
	same, other := []any{"Ann", "Lee"}, []any{"Olga", "Old"}
	tests := []struct {
		name    string
		clock   func(*clock)
		created any
		names   []any
		id      string
		want    verdict
	}{
		{"after the start, as measured", measured(0, false), iso(time.Second), same, "", mine},
		{"after the start, nothing measured: the Date header's clock", withDate(0), iso(time.Second), same, "", mine},
		{"a day before, Date only", withDate(0), iso(-24 * time.Hour), same, "", theirs},
		{"10 s before by the Date header alone: created_at may run behind it", withDate(0), iso(-10 * time.Second), same, "", cannotTell},
		{"10 minutes before by the Date header alone", withDate(0), iso(-10 * time.Minute), same, "", cannotTell},
		{"server 15 minutes ahead, made now", measured(15*time.Minute, false), iso(15*time.Minute + time.Second), same, "", mine},
		{"server 15 minutes ahead, made an hour ago", measured(15*time.Minute, false), iso(-45 * time.Minute), same, "", theirs},
		{"created_at 3 s behind Date, made now", both(withDate(0), measured(-3*time.Second, false)), iso(-2 * time.Second), same, "", mine},
		{"created_at 2 minutes ahead of Date, made 100 s before", both(withDate(0), measured(2*time.Minute, false)), iso(20 * time.Second), same, "", theirs},
		{"created_at 3 hours ahead of Date, made 2 hours before", both(withDate(0), measured(3*time.Hour, false)), iso(time.Hour), same, "", theirs},
		{"machines that disagree by 10 minutes: near the start", both(measured(0, false), measured(10*time.Minute, false)), iso(4 * time.Minute), same, "", cannotTell},
		{"machines that disagree by 10 minutes: a day before", both(measured(0, false), measured(10*time.Minute, false)), iso(-24 * time.Hour), same, "", theirs},
		{"no Date: 30 days before", noDate, iso(-30 * 24 * time.Hour), same, "", theirs},
		{"no Date: just after", noDate, iso(2 * time.Second), same, "", cannotTell},
		{"no Date: just after, as a partner made showed", measured(2*time.Minute, false), iso(2*time.Minute + 2*time.Second), same, "", mine},
		{"no Date, nothing measured: 2 hours before, the server's clock unknown", noDate, iso(-2 * time.Hour), same, "", cannotTell},
		{"Unix milliseconds, 30 days before", withDate(0), json.Number(fmt.Sprint(start.Add(-30 * 24 * time.Hour).UnixMilli())), same, "", theirs},
		{"Unix seconds, now", measured(0, false), json.Number(fmt.Sprint(start.Add(time.Second).Unix())), same, "", mine},
		{"naive, zone unknown, an hour before", withDate(0), sql(-time.Hour), same, "", cannotTell},
		{"naive, zone unknown, other names", withDate(0), sql(-time.Hour), other, "", theirs},
		{"naive, zone unknown, 30 days before", withDate(0), sql(-30 * 24 * time.Hour), same, "", theirs},
		{"naive in UTC+3 as measured, an hour before", measured(3*time.Hour, true), sql(2 * time.Hour), same, "", theirs},
		{"naive in UTC-3 as measured, made now", measured(-3*time.Hour, true), sql(-3*time.Hour + time.Second), same, "", mine},
		{"no created_at, same names", withDate(0), nil, same, "", cannotTell},
		{"no created_at, other names", withDate(0), nil, other, "", theirs},
		{"another id than the row's", measured(0, false), iso(time.Second), same, "p2", theirs},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &Client{start: start}
			tt.clock(&c.clock)
			m := object{"email": "ANN@x.io", "id": "p1", "name": tt.names[0], "surname": tt.names[1]}
			if tt.created != nil {
				m["created_at"] = tt.created
			}
			p := *row
			p.ID = tt.id
			if got := c.ours(context.Background(), partnerOf(m), &p); got != tt.want {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}
