package partnero

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/partnero-import/partnero-import/importer/sandbox"
	"github.com/partnero-import/partnero-import/importer/secret"
)

// keysOnce fails the test when the sandbox holds a transaction key twice.
func keysOnce(t *testing.T, sb *sandbox.Server) map[string]sandbox.Transaction {
	t.Helper()
	seen := map[string]sandbox.Transaction{}
	for _, tx := range sb.Transactions() {
		if _, twice := seen[tx.Key]; twice {
			t.Fatalf("transaction key %s stored twice: %+v", tx.Key, sb.Transactions())
		}
		seen[tx.Key] = tx
	}
	return seen
}

func TestCreateTransaction(t *testing.T) {
	t.Parallel()
	repeat := sandbox.Variation{RepeatKeys: true}
	sale := func(key string) Transaction {
		return Transaction{Key: key, Customer: Referring{Key: "c0"}, Amount: "99.90", Currency: "EUR", CreatedAt: 1700000000}
	}
	tests := []struct {
		name   string
		opts   sandbox.Options
		in     Transaction
		said   Said
		posts  int // attempts
		stored int // transactions in the sandbox after, t0 included
	}{
		{"created", sandbox.Options{}, sale("t1"), Done, 1, 2},
		{"by the customer's email", sandbox.Options{}, Transaction{Key: "t1", Customer: Referring{Email: "zed@x.io"}, Amount: "5"}, Done, 1, 2},
		{"a reward alone", sandbox.Options{}, Transaction{Key: "t1", Customer: Referring{Key: "c0"}, Reward: "3.50"}, Done, 1, 2},
		{"key there: not sent", sandbox.Options{}, sale("t0"), Found, 0, 1},
		{"key there, a server that stores it again: not sent", sandbox.Options{Vary: repeat}, sale("t0"), Found, 0, 1},
		{"key there, found among partial matches", sandbox.Options{Vary: repeat}, sale("t"), Done, 1, 2},
		{"no such customer: 404", sandbox.Options{}, Transaction{Key: "t1", Customer: Referring{Key: "zz"}, Amount: "1"}, NoCustomer, 1, 1},
		{"no such customer: 400", sandbox.Options{Vary: sandbox.Variation{NoCustomerStatus: 400}}, Transaction{Key: "t1", Customer: Referring{Key: "zz"}, Amount: "1"}, NoCustomer, 1, 1},
		{"no such customer: 422", sandbox.Options{Vary: sandbox.Variation{NoCustomerStatus: 422, ErrorShape: "error"}}, Transaction{Key: "t1", Customer: Referring{Key: "zz"}, Amount: "1"}, NoCustomer, 1, 1},
		{"an amount that is no number", sandbox.Options{}, Transaction{Key: "t1", Customer: Referring{Key: "c0"}, Amount: "1,5"}, Invalid, 0, 1},
		{"answer lost, a server that stores keys again", sandbox.Options{Vary: repeat, Faults: sandbox.Faults{DropAfterStore: 1}}, sale("t1"), Done, 1, 2},
		{"500 after the store, keys stored again", sandbox.Options{Vary: repeat, Faults: sandbox.Faults{FailAfterStore: 1}}, sale("t1"), Done, 1, 2},
		{"answer too slow, keys stored again", sandbox.Options{Vary: repeat, Faults: sandbox.Faults{SlowAfterStore: 1, SlowDelay: 5 * time.Second}}, sale("t1"), Done, 1, 2},
		{"answer lost, keys refused", sandbox.Options{Faults: sandbox.Faults{DropAfterStore: 1}}, sale("t1"), Done, 1, 2},
		{"500 before anything is stored", sandbox.Options{FailRate: 0.5, Faults: sandbox.Faults{Seed: 3}}, sale("t1"), Done, 0, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sb, c := program(t, tc.opts, 300*time.Millisecond)
			out := c.CreateTransaction(context.Background(), &tc.in)
			stored := keysOnce(t, sb)
			if out.Said != tc.said || (tc.posts > 0 && out.Attempts != tc.posts) || len(stored) != tc.stored {
				t.Fatalf("%v after %d attempts (%s), %d stored; want %v after %d, %d stored", out.Said, out.Attempts, out.Message, len(stored), tc.said, tc.posts, tc.stored)
			}
			if tc.said == Done && stored[tc.in.Key].Amount != tc.in.Amount && tc.in.Amount != "" {
				t.Fatalf("amount stored %q, sent %q", stored[tc.in.Key].Amount, tc.in.Amount)
			}
		})
	}
}

// A second run of the same sales stores nothing new, whatever the server
// does with a key it holds, and whatever answers get lost.
func TestTransactionsRunTwice(t *testing.T) {
	t.Parallel()
	for seed := uint64(1); seed <= 6; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			t.Parallel()
			v := sandbox.Vary(seed)
			v.RepeatKeys = true
			sb, c := program(t, sandbox.Options{Vary: v, Faults: sandbox.Faults{DropAfterStore: 0.3, FailAfterStore: 0.2, Seed: seed}}, 2*time.Second)
			for run := 1; run <= 2; run++ {
				for i := range 12 {
					tx := Transaction{Key: fmt.Sprintf("s%d", i), Customer: Referring{Key: "c0"}, Amount: fmt.Sprintf("%d.10", i), MaybeSent: run == 2}
					out := c.CreateTransaction(context.Background(), &tx)
					want := map[int]Said{1: Done, 2: Found}[run]
					if out.Said != want {
						t.Fatalf("%s run %d: %v (%s), want %v", v, run, out.Said, out.Message, want)
					}
					if run == 2 && !strings.Contains(out.Message, "may have been stored by this row's attempt in an earlier run") {
						t.Fatalf("run 2 does not say the key may be its own earlier attempt's: %s", out.Message)
					}
				}
			}
			if n := len(keysOnce(t, sb)); n != 13 {
				t.Fatalf("%d keys stored, want 13", n)
			}
		})
	}
}

// A server whose lookup fails is sent nothing: a blind create could store
// a key twice. One that ignores the key filter is walked and compared.
func TestTransactionLookupFirst(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		wrap  func(next http.Handler) http.HandlerFunc
		said  Said
		posts int
	}{
		{"the list fails", func(next http.Handler) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodGet {
					w.WriteHeader(http.StatusInternalServerError)
					return
				}
				next.ServeHTTP(w, r)
			}
		}, ServerFault, 0},
		{"the key filter ignored", func(next http.Handler) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				q := r.URL.Query()
				q.Del("key")
				r.URL.RawQuery = q.Encode()
				next.ServeHTTP(w, r)
			}
		}, Found, 0},
		{"no list: read by key", func(next http.Handler) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodGet && r.URL.Path == "/v1/transactions" {
					http.NotFound(w, r)
					return
				}
				next.ServeHTTP(w, r)
			}
		}, Found, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sb := sandbox.New(sandbox.Options{Vary: sandbox.Variation{RepeatKeys: true}})
			sb.Add(sandbox.Partner{ID: "p1", Key: "ann", Email: "ann@x.io"})
			sb.AddCustomer(sandbox.Customer{Key: "c0", Partner: "p1"})
			for i := range 5 {
				sb.AddTransaction(sandbox.Transaction{Key: fmt.Sprintf("x%d", i), Customer: "c0", Amount: "1"})
			}
			sb.AddTransaction(sandbox.Transaction{Key: "t0", Customer: "c0", Amount: "1"})
			srv := httptest.NewServer(tc.wrap(sb))
			t.Cleanup(srv.Close)
			c, err := New(Config{BaseURL: srv.URL + "/v1", Key: secret.New("k"), Retries: 1, RetryBase: time.Millisecond, Timeout: 5 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			out := c.CreateTransaction(context.Background(), &Transaction{Key: "t0", Customer: Referring{Key: "c0"}, Amount: "1"})
			if out.Said != tc.said || out.Attempts != tc.posts || sb.Stats().Writes != 0 {
				t.Fatalf("%v after %d attempts (%s), %d writes", out.Said, out.Attempts, out.Message, sb.Stats().Writes)
			}
			keysOnce(t, sb)
		})
	}
}

func TestUndoTransaction(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		amount string
		how    Undoing
		faults sandbox.Faults
		said   Said
		left   int
	}{
		{"archived", "12.5", Archive, sandbox.Faults{}, Done, 1},
		{"deleted", "12.50", Delete, sandbox.Faults{}, Done, 0},
		{"deleted, answer lost", "12.50", Delete, sandbox.Faults{DropAfterStore: 1}, Done, 0},
		{"another amount", "12.51", Delete, sandbox.Faults{}, NotOurs, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sb, c := program(t, sandbox.Options{Faults: tc.faults}, 300*time.Millisecond)
			out := c.UndoTransaction(context.Background(), "t0", tc.amount, tc.how)
			if out.Said != tc.said || len(sb.Transactions()) != tc.left {
				t.Fatalf("%v (%s), %d left; want %v, %d", out.Said, out.Message, len(sb.Transactions()), tc.said, tc.left)
			}
		})
	}
	sb, c := program(t, sandbox.Options{}, 5*time.Second)
	ctx := context.Background()
	if out := c.UndoTransaction(ctx, "t0", "12.50", Archive); out.Said != Done || sb.Transactions()[0].Status != sandbox.Archived {
		t.Fatalf("archive: %+v", out)
	}
	if out := c.UndoTransaction(ctx, "t0", "12.50", Archive); out.Said != Already {
		t.Fatalf("archive again: %+v", out)
	}
	if out := c.UndoTransaction(ctx, "t0", "12.50", Restore); out.Said != Done || sb.Transactions()[0].Status != sandbox.Active {
		t.Fatalf("restore: %+v", out)
	}
	if out := c.UndoTransaction(ctx, "nope", "", Delete); out.Said != Gone {
		t.Fatalf("gone: %+v", out)
	}
}
