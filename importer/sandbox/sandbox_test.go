package sandbox

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
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
		call(t, "POST", base+"/partners", "k", `{"email":"`+e+`","id":"`+e[:1]+`","key":"key`+e[:1]+`"}`)
	}
	a := call(t, "GET", base+"/partners/b", "k", "")
	if a.status != 200 || a.body["data"].(map[string]any)["email"] != "b@x.io" {
		t.Errorf("get: %+v", a)
	}
	if _, ok := a.body["data"].(map[string]any)["referrals"]; !ok {
		t.Errorf("a read carries the statistics: %+v", a.body)
	}
	for _, path := range []string{"/partners/zz", "/partners/keyb"} { // by id only: a key is not an id
		if a := call(t, "GET", base+path, "k", ""); a.status != 404 {
			t.Errorf("get %s: %+v", path, a)
		}
	}
	a = call(t, "GET", base+"/partners?limit=2&page=2", "k", "")
	if list := a.body["data"].([]any); a.status != 200 || len(list) != 1 || list[0].(map[string]any)["email"] != "c@x.io" {
		t.Errorf("list: %+v", a)
	}
	if a := call(t, "GET", base+"/partners?limit=251", "k", ""); a.status != 422 {
		t.Errorf("limit 251: %+v", a)
	}
	if a := call(t, "POST", strings.TrimSuffix(base, "/v1")+"/partners", "k", `{"email":"d@x.io"}`); a.status != 404 {
		t.Errorf("a path without /v1 must not work: %+v", a)
	}
	if a := call(t, "GET", base+"/test", "k", ""); a.status != 200 || a.body["status"] != 1.0 {
		t.Errorf("GET /test: %+v", a)
	}
}

// The documented shapes: no key field anywhere, list items with only the
// list fields, links and meta without totals, pages of at most 100 whatever
// the limit asked, and a null next link on the last page.
func TestDocumentedShapes(t *testing.T) {
	_, base := start(t, Options{})
	for i := range 130 {
		call(t, "POST", base+"/partners", "k", fmt.Sprintf(`{"email":"p%d@x.io","key":"k%d","tags":["vip"]}`, i, i))
	}
	created := call(t, "POST", base+"/partners", "k", `{"email":"new@x.io","key":"newkey"}`).body["data"].(map[string]any)
	if _, ok := created["key"]; ok {
		t.Errorf("a create answer has a key field: %v", created)
	}
	if created["referral_link"] != "https://sandbox.partnero.test/?aff=newkey" || created["status"] != "active" {
		t.Errorf("create answer: %v", created)
	}
	first := call(t, "GET", base+"/partners?limit=250", "k", "")
	items := first.body["data"].([]any)
	if len(items) != 100 {
		t.Fatalf("a page of %d partners, want at most 100", len(items))
	}
	keys := slices.Sorted(maps.Keys(items[0].(map[string]any)))
	if want := []string{"approved", "created_at", "custom_fields", "email", "id", "name", "status", "surname", "updated_at"}; !slices.Equal(keys, want) {
		t.Errorf("list item fields %v, want %v", keys, want)
	}
	meta := first.body["meta"].(map[string]any)
	if _, ok := meta["total"]; ok || meta["per_page"] != 100.0 {
		t.Errorf("meta %v: no total, per_page 100", meta)
	}
	links := first.body["links"].(map[string]any)
	if links["last"] != nil || links["next"] == nil {
		t.Errorf("links %v", links)
	}
	second := call(t, "GET", links["next"].(string)+"&limit=100", "k", "")
	if n := len(second.body["data"].([]any)); n != 31 || second.body["links"].(map[string]any)["next"] != nil {
		t.Errorf("the last page: %d partners, links %v", n, second.body["links"])
	}
	if a := call(t, "GET", base+"/partners", "k", ""); len(a.body["data"].([]any)) != 15 {
		t.Errorf("the default page holds %d, want 15", len(a.body["data"].([]any)))
	}
}

// Search matches partially, as n8n warns: the client compares exactly.
func TestSearch(t *testing.T) {
	_, base := start(t, Options{})
	for _, e := range []string{"ann@x.io", "joann@x.io", "bob@x.io"} {
		call(t, "POST", base+"/partners", "k", `{"email":"`+e+`"}`)
	}
	a := call(t, "GET", base+"/partners:search?email=ANN@x.io", "k", "")
	var got []string
	for _, it := range a.body["data"].([]any) {
		got = append(got, it.(map[string]any)["email"].(string))
	}
	if a.status != 200 || !slices.Equal(got, []string{"ann@x.io", "joann@x.io"}) {
		t.Errorf("search: %d %v", a.status, got)
	}
	if a := call(t, "GET", base+"/partners:search", "k", ""); a.status != 422 {
		t.Errorf("search without a value: %+v", a)
	}
}

// Update, archive, restore and delete, as the documentation gives them.
func TestChangeAndRemove(t *testing.T) {
	s, base := start(t, Options{})
	call(t, "POST", base+"/partners", "k", `{"email":"ann@x.io","id":"a","key":"ann","name":"Ann","tags":["vip","old"]}`)
	call(t, "POST", base+"/partners", "k", `{"email":"bob@x.io","id":"b","key":"bob"}`)
	up := call(t, "PUT", base+"/partners/a", "k", `{"update":{"surname":"Lee","tags":["new"]}}`)
	data, _ := up.body["data"].(map[string]any)
	if up.status != 200 || data["surname"] != "Lee" || data["name"] != "Ann" {
		t.Fatalf("update: %+v", up)
	}
	if ps := s.Partners(); !slices.Equal(ps[0].Tags, []string{"new"}) {
		t.Errorf("tags after update: %v", ps[0].Tags)
	}
	call(t, "PUT", base+"/partners/a", "k", `{"update":{"tags":null}}`)
	if ps := s.Partners(); !slices.Equal(ps[0].Tags, []string{"new"}) {
		t.Errorf("null tags must leave them: %v", ps[0].Tags)
	}
	call(t, "PUT", base+"/partners", "k", `{"email":"ANN@x.io","update":{"tags":[]}}`)
	if ps := s.Partners(); len(ps[0].Tags) != 0 {
		t.Errorf("[] must remove every tag, by email in the body: %v", ps[0].Tags)
	}
	for name, tt := range map[string]struct {
		path, body string
		status     int
		fields     string
	}{
		"email taken":      {"/partners/a", `{"update":{"email":"BOB@x.io"}}`, 422, "email"},
		"key taken":        {"/partners/a", `{"update":{"key":"bob"}}`, 422, "key"},
		"own email":        {"/partners/a", `{"update":{"email":"Ann@x.io"}}`, 200, ""},
		"weak password":    {"/partners/a", `{"update":{"password":"short"}}`, 422, "password"},
		"no update object": {"/partners/a", `{"surname":"Flat"}`, 422, "update"},
		"nobody":           {"/partners/zz", `{"update":{"name":"X"}}`, 404, ""},
	} {
		if a := call(t, "PUT", base+tt.path, "k", tt.body); a.status != tt.status || errorFields(a) != tt.fields {
			t.Errorf("%s: %d %v", name, a.status, a.body)
		}
	}
	for i, want := range []int{200, 400} {
		if a := call(t, "POST", base+"/partners/b/archive", "k", ""); a.status != want {
			t.Errorf("archive #%d: %+v", i+1, a)
		}
	}
	if a := call(t, "GET", base+"/partners/b", "k", ""); a.body["data"].(map[string]any)["status"] != "archived" {
		t.Errorf("archived partner: %+v", a)
	}
	if a := call(t, "POST", base+"/partners", "k", `{"email":"bob@x.io"}`); a.status != 422 {
		t.Errorf("an archived partner keeps its email: %+v", a)
	}
	for i, want := range []int{200, 400} {
		if a := call(t, "POST", base+"/partners/b/revoke-archive", "k", ""); a.status != want {
			t.Errorf("restore #%d: %+v", i+1, a)
		}
	}
	if a := call(t, "GET", base+"/partners/b", "k", ""); a.body["data"].(map[string]any)["status"] != "active" {
		t.Errorf("restored partner: %+v", a)
	}
	for i, want := range []int{200, 404} {
		if a := call(t, "DELETE", base+"/partners/b", "k", ""); a.status != want {
			t.Errorf("delete #%d: %+v", i+1, a)
		}
	}
	if a := call(t, "POST", base+"/partners", "k", `{"email":"bob@x.io","id":"b","key":"bob"}`); a.status != 201 {
		t.Errorf("a deleted partner frees its email, id and key: %+v", a)
	}
	if a := call(t, "DELETE", base+"/partners", "k", `{"email":"bob@x.io"}`); a.status != 200 || len(s.Partners()) != 1 {
		t.Errorf("delete by email: %+v", a)
	}
	if a := call(t, "PATCH", base+"/partners/a", "k", ""); a.status != 405 {
		t.Errorf("PATCH: %+v", a)
	}
}

// Each seed picks one plausible answer per silent point, and says which.
func TestVariations(t *testing.T) {
	seen := map[string]bool{}
	for seed := range uint64(40) {
		v := Vary(seed)
		seen[v.IDs] = true
		if !strings.HasPrefix(v.String(), fmt.Sprintf("vary %d: create answers", seed)) {
			t.Fatalf("log line %q", v.String())
		}
	}
	if len(seen) != 3 {
		t.Errorf("40 seeds gave id forms %v", seen)
	}
	v := Variation{IDs: "number", LinkObjects: true, ClashStatus: 409, Language: "de", NoDate: true, Missing: []string{"created_at"}, CreateStatus: 200}
	_, base := start(t, Options{Vary: v})
	a := call(t, "POST", base+"/partners", "k", `{"email":"ann@x.io"}`)
	data := a.body["data"].(map[string]any)
	if a.status != 200 || a.header.Get("Date") != "" {
		t.Errorf("status %d, Date %q", a.status, a.header.Get("Date"))
	}
	if _, isNumber := data["id"].(float64); !isNumber {
		t.Errorf("id %v is not a number", data["id"])
	}
	if links := data["referral_links"].([]any); links[0].(map[string]any)["url"] == nil {
		t.Errorf("referral_links %v", links)
	}
	if _, ok := data["created_at"]; ok {
		t.Errorf("created_at is there: %v", data)
	}
	if a := call(t, "POST", base+"/partners", "k", `{"email":"ANN@x.io"}`); a.status != 409 || !strings.Contains(a.body["message"].(string), "bereits") {
		t.Errorf("clash: %+v", a)
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

// A program's own Partnero export, the README's preload, keeps its ids and
// keys (identifier, token): a rehearsal then refuses a row that reuses one,
// as Partnero would.
func TestPreloadReadsPartnerosExport(t *testing.T) {
	s := New(Options{})
	n, err := s.Preload("../../samples/presets/partnero.csv")
	if err != nil || n == 0 {
		t.Fatalf("preloaded %d: %v", n, err)
	}
	for _, p := range s.Partners() {
		if p.ID == "" || strings.HasPrefix(p.ID, "p_") {
			t.Errorf("%s preloaded without its identifier: id %q", p.Email, p.ID)
		}
	}
}
