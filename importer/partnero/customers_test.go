package partnero

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/partnero-import/partnero-import/importer/sandbox"
	"github.com/partnero-import/partnero-import/importer/secret"
)

// program is a sandbox holding partner ann (id p1), her customer c0 and
// its sale t0, and a client carrying the job's mark.
func program(t *testing.T, opts sandbox.Options, timeout time.Duration) (*sandbox.Server, *Client) {
	t.Helper()
	sb, base := startSandbox(t, opts)
	if err := sb.Add(sandbox.Partner{ID: "p1", Key: "ann", Email: "ann@x.io"}); err != nil {
		t.Fatal(err)
	}
	if err := sb.AddCustomer(sandbox.Customer{Key: "c0", Email: "zed@x.io", Partner: "p1", Tags: []string{"old"}}); err != nil {
		t.Fatal(err)
	}
	if err := sb.AddTransaction(sandbox.Transaction{Key: "t0", Customer: "c0", Amount: "12.50"}); err != nil {
		t.Fatal(err)
	}
	c, err := New(Config{BaseURL: base, Key: secret.New("k"), Concurrency: 2, Retries: 2, Timeout: timeout,
		RetryBase: time.Millisecond, Mark: testMark})
	if err != nil {
		t.Fatal(err)
	}
	return sb, c
}

func TestCreateCustomer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		opts   sandbox.Options
		in     Customer
		said   Said
		field  string
		stored int // customers in the sandbox after, c0 included
	}{
		{"created", sandbox.Options{}, Customer{Key: "c1", Email: "bo@x.io", Partner: Referring{Key: "ann"}}, Done, "", 2},
		{"by the partner's email", sandbox.Options{}, Customer{Key: "c1", Partner: Referring{Email: "ANN@x.io"}}, Done, "", 2},
		{"key taken", sandbox.Options{}, Customer{Key: "c0", Partner: Referring{Key: "ann"}}, Clash, "key", 1},
		{"key taken, 409 in German", sandbox.Options{Vary: sandbox.Variation{Language: "de", ClashStatus: 409, ErrorShape: "message"}}, Customer{Key: "c0", Partner: Referring{Key: "ann"}}, Clash, "key", 1},
		{"no such partner", sandbox.Options{}, Customer{Key: "c1", Partner: Referring{Key: "bob"}}, NoReferrer, "", 1},
		{"no partner given", sandbox.Options{}, Customer{Key: "c1"}, Invalid, "", 1},
		{"answer lost after the store", sandbox.Options{Faults: sandbox.Faults{DropAfterStore: 1}}, Customer{Key: "c1", Partner: Referring{Key: "ann"}}, Done, "", 2},
		{"500 after the store", sandbox.Options{Faults: sandbox.Faults{FailAfterStore: 1}}, Customer{Key: "c1", Partner: Referring{Key: "ann"}}, Done, "", 2},
		{"answer too slow", sandbox.Options{Faults: sandbox.Faults{SlowAfterStore: 1, SlowDelay: 5 * time.Second}}, Customer{Key: "c1", Partner: Referring{Key: "ann"}}, Done, "", 2},
		{"lost, and the key another's", sandbox.Options{Faults: sandbox.Faults{DropAfterStore: 1}}, Customer{Key: "c0", Email: "bo@x.io", Partner: Referring{Key: "ann"}, MaybeSent: true}, Clash, "key", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sb, c := program(t, tc.opts, 300*time.Millisecond)
			out := c.CreateCustomer(context.Background(), &tc.in)
			if out.Said != tc.said || out.Field != tc.field || len(sb.Customers()) != tc.stored {
				t.Fatalf("%v %q (%s), %d stored; want %v %q, %d", out.Said, out.Field, out.Message, len(sb.Customers()), tc.said, tc.field, tc.stored)
			}
			if tc.said == Done && !strings.Contains(strings.Join(sb.Customers()[1].Tags, ","), testMark) {
				t.Fatalf("the customer does not carry the mark: %+v", sb.Customers()[1])
			}
		})
	}
}

func TestUpsertAndSkipCustomer(t *testing.T) {
	t.Parallel()
	sb, c := program(t, sandbox.Options{}, 5*time.Second)
	ctx := context.Background()
	if out := c.SkipExistingCustomer(ctx, &Customer{Key: "c0", Partner: Referring{Key: "ann"}}); out.Said != Clash || out.Field != "key" {
		t.Fatalf("skip: %+v", out)
	}
	same := &Customer{Key: "c0", Email: "zed@x.io", Tags: []string{"old"}, Partner: Referring{Key: "ann"}}
	if out := c.UpsertCustomer(ctx, same); out.Said != Unchanged {
		t.Fatalf("unchanged: %+v", out)
	}
	changed := &Customer{Key: "c0", Name: "Zed", Tags: []string{"new"}, Partner: Referring{Key: "ann"}}
	out := c.UpsertCustomer(ctx, changed)
	if got := sb.Customers()[0]; out.Said != Updated || got.Name != "Zed" || strings.Join(got.Tags, ",") != "new" || got.Email != "zed@x.io" {
		t.Fatalf("updated: %+v, holds %+v", out, got)
	}
	if out := c.UpsertCustomer(ctx, &Customer{Key: "c9", Partner: Referring{Key: "ann"}}); out.Said != Done {
		t.Fatalf("new: %+v", out)
	}
}

func TestUndoCustomer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		key, email  string
		mark        string
		how         Undoing
		said        Said
		wantStatus  string // c1's status after; "" gone
		faults      sandbox.Faults
		archiveOnce bool
	}{
		{"archived", "c1", "bo@x.io", testMark, Archive, Done, sandbox.Archived, sandbox.Faults{}, false},
		{"deleted", "c1", "bo@x.io", testMark, Delete, Done, "", sandbox.Faults{}, false},
		{"deleted, answer lost", "c1", "bo@x.io", testMark, Delete, Done, "", sandbox.Faults{DropAfterStore: 1}, false},
		{"already archived", "c1", "bo@x.io", testMark, Archive, Already, sandbox.Archived, sandbox.Faults{}, true},
		{"restored", "c1", "bo@x.io", testMark, Restore, Done, sandbox.Active, sandbox.Faults{}, true},
		{"another email", "c1", "other@x.io", testMark, Archive, NotOurs, sandbox.Active, sandbox.Faults{}, false},
		{"without the mark", "c0", "zed@x.io", testMark, Archive, NotOurs, sandbox.Active, sandbox.Faults{}, false},
		{"not there", "c7", "", "", Archive, Gone, sandbox.Active, sandbox.Faults{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sb, c := program(t, sandbox.Options{}, 5*time.Second)
			if err := sb.AddCustomer(sandbox.Customer{Key: "c1", Email: "bo@x.io", Partner: "p1", Tags: []string{testMark}}); err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			if tc.archiveOnce {
				if out := c.UndoCustomer(ctx, "c1", "bo@x.io", testMark, Archive); out.Said != Done {
					t.Fatal(out)
				}
			}
			if tc.faults != (sandbox.Faults{}) {
				faulty, base := startSandbox(t, sandbox.Options{Faults: tc.faults})
				faulty.Add(sandbox.Partner{ID: "p1", Key: "ann", Email: "ann@x.io"})
				faulty.AddCustomer(sandbox.Customer{Key: "c1", Email: "bo@x.io", Partner: "p1", Tags: []string{testMark}})
				sb, c = faulty, newClient(t, base, 2)
			}
			out := c.UndoCustomer(ctx, tc.key, tc.email, tc.mark, tc.how)
			status := ""
			for _, cu := range sb.Customers() {
				if cu.Key == "c1" {
					status = cu.Status
				}
			}
			if out.Said != tc.said || status != tc.wantStatus {
				t.Fatalf("%v (%s), c1 %q; want %v, %q", out.Said, out.Message, status, tc.said, tc.wantStatus)
			}
		})
	}
}
