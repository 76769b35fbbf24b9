package sandbox

import (
	"testing"
)

// withCustomer is a sandbox holding partner ann and her customer c1.
func withCustomer(t *testing.T, opts Options) (*Server, string) {
	t.Helper()
	s, base := withPartner(t, opts)
	if err := s.AddCustomer(Customer{Key: "c1", Email: "bo@x.io", Partner: "p1"}); err != nil {
		t.Fatal(err)
	}
	return s, base
}

func TestTransactionCreateRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body string
		vary       Variation
		status     int
		fields     string
		stored     int
	}{
		{"a sale", `{"key":"t1","amount":99.90,"amount_units":"EUR","created_at":1700000000,"customer":{"key":"c1"}}`, Variation{}, 201, "", 1},
		{"by the customer's email", `{"key":"t1","amount":5,"customer":{"email":"BO@x.io"}}`, Variation{}, 201, "", 1},
		{"a reward alone", `{"key":"t1","reward":3.5,"customer":{"key":"c1"}}`, Variation{}, 201, "", 1},
		{"no amount, no reward", `{"key":"t1","customer":{"key":"c1"}}`, Variation{}, 422, "amount", 0},
		{"amount as a string", `{"key":"t1","amount":"9.90","customer":{"key":"c1"}}`, Variation{}, 422, "amount", 0},
		{"no customer", `{"key":"t1","amount":1}`, Variation{}, 422, "customer", 0},
		{"a currency code", `{"key":"t1","amount":1,"amount_units":"euro","customer":{"key":"c1"}}`, Variation{}, 422, "amount_units", 0},
		{"created_at a date-time (n8n)", `{"key":"t1","amount":1,"created_at":"2024-01-02T03:04:05Z","customer":{"key":"c1"}}`, Variation{}, 201, "", 1},
		{"created_at unreadable", `{"key":"t1","amount":1,"created_at":"yesterday","customer":{"key":"c1"}}`, Variation{}, 422, "created_at", 0},
		{"unknown customer: 404", `{"key":"t1","amount":1,"customer":{"key":"zz"}}`, Variation{}, 404, "", 0},
		{"unknown customer: 400", `{"key":"t1","amount":1,"customer":{"key":"zz"}}`, Variation{NoCustomerStatus: 400}, 400, "", 0},
		{"unknown customer: 422", `{"key":"t1","amount":1,"customer":{"key":"zz"}}`, Variation{NoCustomerStatus: 422}, 422, "customer", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, base := withCustomer(t, Options{Vary: tc.vary})
			got := call(t, "POST", base+"/transactions", "k", tc.body)
			if got.status != tc.status || errorFields(got) != tc.fields || len(s.Transactions()) != tc.stored {
				t.Fatalf("%d %+v, %d stored; want %d on %q, %d stored", got.status, got.body, len(s.Transactions()), tc.status, tc.fields, tc.stored)
			}
		})
	}
}

// An amount is kept digit for digit, and its date as sent.
func TestTransactionKeepsWhatWasSent(t *testing.T) {
	t.Parallel()
	s, base := withCustomer(t, Options{})
	got := call(t, "POST", base+"/transactions", "k", `{"key":"t1","amount":99.90,"amount_units":"EUR","created_at":1700000000,"customer":{"key":"c1"},"rewarded":true}`)
	if got.status != 201 {
		t.Fatal(got)
	}
	tx := s.Transactions()[0]
	if tx.Amount != "99.90" || tx.Units != "EUR" || tx.CreatedAt.Unix() != 1700000000 || !tx.Rewarded || !tx.Rewardable || tx.Partner != "p1" || tx.Action != "sale" {
		t.Fatalf("stored %+v", tx)
	}
	data := got.body["data"].(map[string]any)
	rewards := data["rewards"].([]any)
	if data["key"] != "t1" || len(rewards) != 1 || rewards[0].(map[string]any)["amount"] != 9.99 || rewards[0].(map[string]any)["status"] != "paid" {
		t.Fatalf("answer %+v", data)
	}
}

// A key held already is refused, or stored a second time, by the variation.
func TestTransactionRepeatedKey(t *testing.T) {
	t.Parallel()
	for _, repeat := range []bool{false, true} {
		s, base := withCustomer(t, Options{Vary: Variation{RepeatKeys: repeat}})
		body := `{"key":"t1","amount":10,"customer":{"key":"c1"}}`
		call(t, "POST", base+"/transactions", "k", body)
		second := call(t, "POST", base+"/transactions", "k", body)
		want, stored := 422, 1
		if repeat {
			want, stored = 201, 2
		}
		if second.status != want || len(s.Transactions()) != stored {
			t.Errorf("repeat %v: %d %+v, %d stored", repeat, second.status, second.body, len(s.Transactions()))
		}
	}
}

func TestTransactionReadListChange(t *testing.T) {
	t.Parallel()
	for _, v := range []Variation{{}, {FilterUnderscore: true, ExactSearch: true}} {
		s, base := withCustomer(t, Options{Vary: v})
		for _, tx := range []Transaction{{Key: "t1", Customer: "c1", Amount: "1"}, {Key: "t10", Customer: "c1", Amount: "2"}} {
			if err := s.AddTransaction(tx); err != nil {
				t.Fatal(err)
			}
		}
		want := 2 // partial, as the search
		if v.ExactSearch {
			want = 1
		}
		if got := call(t, "GET", base+"/transactions?key=t1", "k", ""); len(got.body["data"].([]any)) != want {
			t.Errorf("?key=t1: %+v", got.body)
		}
		spelled := map[bool]string{false: "customer.key", true: "customer_key"}[v.FilterUnderscore]
		if got := call(t, "GET", base+"/transactions?"+spelled+"=zz", "k", ""); len(got.body["data"].([]any)) != 0 {
			t.Errorf("%s=zz: %+v", spelled, got.body)
		}
		if got := call(t, "GET", base+"/transactions/t10", "k", ""); got.status != 200 || got.body["data"].(map[string]any)["amount"] != 2.0 {
			t.Errorf("GET t10: %+v", got)
		}
		steps := []struct {
			method, path string
			status       int
		}{
			{"POST", "/transactions/t1/archive", 200}, {"POST", "/transactions/t1/archive", 400},
			{"POST", "/transactions/t1/revoke-archive", 200}, {"DELETE", "/transactions/t1", 200},
			{"DELETE", "/transactions/t1", 404}, {"GET", "/transactions/t1", 404},
		}
		for _, st := range steps {
			if got := call(t, st.method, base+st.path, "k", ""); got.status != st.status {
				t.Errorf("%s %s: %d, want %d", st.method, st.path, got.status, st.status)
			}
		}
		if n := len(s.Transactions()); n != 1 {
			t.Errorf("%d transactions left, want 1", n)
		}
	}
}
