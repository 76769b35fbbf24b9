package sandbox

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

type answerOf struct {
	status int
	header http.Header
	body   map[string]any
}

func call(t *testing.T, method, url, token, body string) answerOf {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	json.Unmarshal(b, &m)
	return answerOf{resp.StatusCode, resp.Header, m}
}

func start(t *testing.T, opts Options) (*Server, string) {
	t.Helper()
	s := New(opts)
	base, err := s.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, base
}

func errorFields(a answerOf) string {
	errs, _ := a.body["errors"].(map[string]any)
	var fs []string
	for f := range errs {
		fs = append(fs, f)
	}
	slices.Sort(fs)
	return strings.Join(fs, ",")
}

func TestCreateRules(t *testing.T) {
	_, base := start(t, Options{APIKey: "key"})
	url := base + "/partners"
	first := call(t, "POST", url, "key", `{"email":"Ann@x.io","id":"a1","key":"ann","password":"Secr3tPass","tags":["vip"]}`)
	if first.status != 201 || first.body["status"] != 1.0 {
		t.Fatalf("create: %+v", first)
	}
	data := first.body["data"].(map[string]any)
	if data["id"] != "a1" || data["referral_link"] != "https://sandbox.partnero.test/?aff=ann" {
		t.Fatalf("data: %+v", data)
	}
	tests := []struct {
		name, body string
		status     int
		fields     string
	}{
		{"email required", `{"name":"x"}`, 422, "email"},
		{"email format", `{"email":"a@b"}`, 422, "email"},
		{"email unique, any case", `{"email":"ANN@X.IO"}`, 422, "email"},
		{"id unique", `{"email":"b@x.io","id":"a1"}`, 422, "id"},
		{"key unique", `{"email":"b@x.io","key":"ann"}`, 422, "key"},
		{"key characters", `{"email":"b@x.io","key":"a.b"}`, 422, "key"},
		{"key length", `{"email":"b@x.io","key":"` + strings.Repeat("k", 65) + `"}`, 422, "key"},
		{"password rule", `{"email":"b@x.io","password":"password1"}`, 422, "password"},
		{"name length", `{"email":"b@x.io","name":"` + strings.Repeat("n", 101) + `"}`, 422, "name"},
		{"wrong type", `{"email":"b@x.io","name":5}`, 422, "name"},
		{"several problems", `{"email":"ann@x.io","id":"a1"}`, 422, "email,id"},
		{"referrer missing", `{"email":"b@x.io","referring_partner":{"email":"ghost@x.io"}}`, 400, ""},
		{"broken JSON", `{"email":`, 400, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := call(t, "POST", url, "key", tt.body)
			if a.status != tt.status || errorFields(a) != tt.fields {
				t.Fatalf("got %d %v, want %d with errors on %q", a.status, a.body, tt.status, tt.fields)
			}
			if msg, _ := a.body["message"].(string); msg == "" {
				t.Error("no message")
			}
		})
	}
	for _, ref := range []string{`{"id":"a1"}`, `{"key":"ann"}`, `{"email":"ANN@x.io"}`} {
		a := call(t, "POST", url, "key", `{"email":"kid`+ref[2:4]+`@x.io","referring_partner":`+ref+`}`)
		if a.status != 201 {
			t.Fatalf("referrer %s: %+v", ref, a)
		}
	}
}

func TestAuth(t *testing.T) {
	_, base := start(t, Options{APIKey: "key"})
	for _, token := range []string{"", "other"} {
		if a := call(t, "POST", base+"/partners", token, `{"email":"a@x.io"}`); a.status != 401 {
			t.Errorf("token %q: %d", token, a.status)
		}
	}
	_, anyKey := start(t, Options{})
	if a := call(t, "POST", anyKey+"/partners", "whatever", `{"email":"a@x.io"}`); a.status != 201 {
		t.Errorf("any token: %d", a.status)
	}
}

func TestInvite(t *testing.T) {
	_, base := start(t, Options{})
	if a := call(t, "POST", base+"/partners:invite", "k", `{"email":"a@x.io"}`); a.status != 422 || errorFields(a) != "name" {
		t.Errorf("invite without name: %+v", a)
	}
	if a := call(t, "POST", base+"/partners:invite", "k", `{"email":"a@x.io","name":"A"}`); a.status != 200 {
		t.Errorf("invite: %+v", a)
	}
	if a := call(t, "POST", base+"/partners", "k", `{"email":"A@x.io"}`); a.status != 422 {
		t.Errorf("create after invite: %+v", a)
	}
	_, referral := start(t, Options{Program: Referral})
	if a := call(t, "POST", referral+"/partners:invite", "k", `{"email":"a@x.io","name":"A"}`); a.status != 403 {
		t.Errorf("invite in a referral program: %+v", a)
	}
}

func TestRateLimit(t *testing.T) {
	_, base := start(t, Options{RateLimit: 2})
	for i, want := range []string{"1", "0"} {
		a := call(t, "GET", base+"/partners", "k", "")
		if a.status != 200 || a.header.Get("X-RateLimit-Limit") != "2" || a.header.Get("X-RateLimit-Remaining") != want {
			t.Fatalf("request %d: %d %v", i, a.status, a.header)
		}
	}
	a := call(t, "GET", base+"/partners", "k", "")
	if a.status != 429 || a.header.Get("Retry-After") == "" {
		t.Fatalf("third request: %d %v", a.status, a.header)
	}
}

func TestReadAndList(t *testing.T) {
	_, base := start(t, Options{})
	for _, e := range []string{"a@x.io", "b@x.io", "c@x.io"} {
		call(t, "POST", base+"/partners", "k", `{"email":"`+e+`","id":"`+e[:1]+`"}`)
	}
	if a := call(t, "GET", base+"/partners/b", "k", ""); a.status != 200 || a.body["data"].(map[string]any)["email"] != "b@x.io" {
		t.Errorf("get: %+v", a)
	}
	if a := call(t, "GET", base+"/partners/zz", "k", ""); a.status != 404 {
		t.Errorf("get missing: %+v", a)
	}
	a := call(t, "GET", base+"/partners?limit=2&page=2", "k", "")
	if list := a.body["data"].([]any); a.status != 200 || len(list) != 1 || list[0].(map[string]any)["email"] != "c@x.io" {
		t.Errorf("list: %+v", a)
	}
	if a := call(t, "GET", base+"/partners?limit=251", "k", ""); a.status != 422 {
		t.Errorf("limit 251: %+v", a)
	}
	if a := call(t, "POST", strings.TrimSuffix(base, "/v1")+"/partners", "k", `{"email":"d@x.io"}`); a.status != 404 {
		t.Errorf("a path without /v1 must not work: %+v", a)
	}
}

func TestPreload(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.csv")
	os.WriteFile(path, []byte("email,id,key\nold@x.io,o1,old\n"), 0o600)
	s, base := start(t, Options{})
	if n, err := s.Preload(path); n != 1 || err != nil {
		t.Fatalf("preload: %d %v", n, err)
	}
	if a := call(t, "POST", base+"/partners", "k", `{"email":"OLD@x.io"}`); a.status != 422 || errorFields(a) != "email" {
		t.Errorf("preloaded email: %+v", a)
	}
}
