package sandbox

import (
	"net/http"
	"testing"
)

// withPartner is a sandbox holding one partner, ann (id p1), to refer customers.
func withPartner(t *testing.T, opts Options) (*Server, string) {
	t.Helper()
	s, base := start(t, opts)
	if err := s.Add(Partner{ID: "p1", Key: "ann", Email: "ann@x.io"}); err != nil {
		t.Fatal(err)
	}
	return s, base
}

func TestCustomerCreateRules(t *testing.T) {
	t.Parallel()
	s, base := withPartner(t, Options{})
	first := call(t, "POST", base+"/customers", "k", `{"key":"c1","email":"bo@x.io","name":"Bo","tags":["vip"],"partner":{"key":"ann"}}`)
	if first.status != 201 {
		t.Fatalf("create: %+v", first)
	}
	data := first.body["data"].(map[string]any)
	if data["key"] != "c1" || data["partner"].(map[string]any)["id"] != "p1" || data["status"] != "active" {
		t.Fatalf("data: %+v", data)
	}
	tests := []struct {
		name, body string
		status     int
		fields     string
		message    string
	}{
		{"key required", `{"email":"a@x.io","partner":{"id":"p1"}}`, 422, "key", ""},
		{"key unique", `{"key":"c1","partner":{"email":"ANN@x.io"}}`, 422, "key", "Duplicate key"},
		{"partner required", `{"key":"c2"}`, 422, "partner", ""},
		{"partner an object", `{"key":"c2","partner":"ann"}`, 422, "partner", ""},
		{"email an address", `{"key":"c2","email":"nope","partner":{"key":"ann"}}`, 422, "email", ""},
		{"unknown partner", `{"key":"c2","partner":{"key":"bob"}}`, 400, "", "Invalid partner key"},
		{"same email, another key", `{"key":"c3","email":"bo@x.io","partner":{"key":"ann"}}`, 201, "", ""},
	}
	for _, tc := range tests {
		got := call(t, "POST", base+"/customers", "k", tc.body)
		if got.status != tc.status || errorFields(got) != tc.fields || (tc.message != "" && got.body["message"] != tc.message) {
			t.Errorf("%s: %d %+v, want %d on %q %q", tc.name, got.status, got.body, tc.status, tc.fields, tc.message)
		}
	}
	if n := len(s.Customers()); n != 2 {
		t.Fatalf("%d customers stored, want 2", n)
	}
	// A referral program needs no partner.
	_, ref := start(t, Options{Program: Referral})
	if got := call(t, "POST", ref+"/customers", "k", `{"key":"c1"}`); got.status != 201 {
		t.Fatalf("referral program: %+v", got)
	}
}

func TestCustomerReadListChange(t *testing.T) {
	t.Parallel()
	for _, underscore := range []bool{false, true} {
		s, base := withPartner(t, Options{Vary: Variation{FilterUnderscore: underscore, PartnerAsKey: underscore}})
		if err := s.Add(Partner{ID: "p2", Key: "cy", Email: "cy@x.io"}); err != nil {
			t.Fatal(err)
		}
		for _, c := range []Customer{{Key: "c1", Email: "a@x.io", Partner: "p1"}, {Key: "c2", Email: "b@x.io", Partner: "cy"}, {Key: "c3", Partner: "ann"}} {
			if err := s.AddCustomer(c); err != nil {
				t.Fatal(err)
			}
		}
		for _, ref := range []string{"c2", "B@x.io", s.Customers()[1].ID} {
			got := call(t, "GET", base+"/customers/"+ref, "k", "")
			if got.status != 200 || got.body["data"].(map[string]any)["key"] != "c2" {
				t.Errorf("GET /customers/%s: %+v", ref, got)
			}
		}
		if p := call(t, "GET", base+"/customers/c2", "k", "").body["data"].(map[string]any)["partner"]; underscore && p != "cy" {
			t.Errorf("partner as a key: %v", p)
		}
		spelled, ignored := "partner.key", "partner_key"
		if underscore {
			spelled, ignored = ignored, spelled
		}
		if got := call(t, "GET", base+"/customers?"+spelled+"=ann", "k", ""); len(got.body["data"].([]any)) != 2 {
			t.Errorf("%s: %+v", spelled, got.body)
		}
		if got := call(t, "GET", base+"/customers?"+ignored+"=ann", "k", ""); len(got.body["data"].([]any)) != 3 {
			t.Errorf("%s must be ignored: %+v", ignored, got.body)
		}
		if got := call(t, "GET", base+"/customers:search?email=x.io", "k", ""); len(got.body["data"].([]any)) != 2 {
			t.Errorf("search: %+v", got.body)
		}
		if got := call(t, "GET", base+"/customers:search?key=c1", "k", ""); got.status != 422 {
			t.Errorf("search by key in an affiliate program: %+v", got)
		}
		if got := call(t, "PUT", base+"/customers/c1", "k", `{"name":"Al","tags":["x"]}`); got.status != 200 || s.Customers()[0].Name != "Al" {
			t.Errorf("flat update: %+v", got)
		}
		if got := call(t, "PUT", base+"/customers", "k", `{"key":"c1","update":{"surname":"Li"}}`); got.status != 200 || s.Customers()[0].Surname != "Li" {
			t.Errorf("update by key in the body: %+v", got)
		}
		steps := []struct {
			method, path string
			status       int
		}{
			{"POST", "/customers/c1/archive", 200}, {"POST", "/customers/c1/archive", 400},
			{"POST", "/customers/c1/revoke-archive", 200}, {"POST", "/customers/c1/revoke-archive", 400},
			{"DELETE", "/customers/c1", 200}, {"DELETE", "/customers/c1", 404}, {"GET", "/customers/c1", 404},
			{"PATCH", "/customers/c1", 405},
		}
		for _, st := range steps {
			if got := call(t, st.method, base+st.path, "k", ""); got.status != st.status {
				t.Errorf("%s %s: %d, want %d", st.method, st.path, got.status, st.status)
			}
		}
		if n := len(s.Customers()); n != 2 {
			t.Errorf("%d customers after a delete, want 2", n)
		}
	}
}

// The faults that lose an answer apply to customers as to partners: the
// customer is stored.
func TestCustomerFaults(t *testing.T) {
	t.Parallel()
	s, base := withPartner(t, Options{Faults: Faults{FailAfterStore: 1}})
	got := call(t, "POST", base+"/customers", "k", `{"key":"c1","partner":{"key":"ann"}}`)
	if got.status != http.StatusInternalServerError || len(s.Customers()) != 1 {
		t.Fatalf("%+v, %d stored", got, len(s.Customers()))
	}
}
