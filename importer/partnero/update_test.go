package partnero

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/partnero-import/partnero-import/importer/secret"
)

// An existing partner's update, against a server whose answers to the PUT
// the test chooses: the email is taken, the search finds the partner p7.
func updateAgainst(t *testing.T, answer func(w http.ResponseWriter, r *http.Request), read string) Outcome {
	t.Helper()
	var put atomic.Bool // the partner reads as the search shows it until a PUT came
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/v1/partners/p7" && !put.Load():
			fmt.Fprint(w, `{"data":{"id":"p7","email":"ann@x.io","name":"Ann","surname":"Old","tags":[]},"status":1}`)
		case r.Method == http.MethodPost:
			w.WriteHeader(422)
			fmt.Fprint(w, `{"message":"Email already exists","errors":{"email":["Email already exists"]}}`)
		case r.URL.Path == "/v1/partners:search":
			fmt.Fprint(w, `{"data":[{"id":"p7","email":"ann@x.io","name":"Ann","surname":"Old"}],"links":{"next":null}}`)
		case r.Method == http.MethodPut && r.URL.Path == "/v1/partners/p7":
			put.Store(true)
			answer(w, r)
		case r.Method == http.MethodGet && r.URL.Path == "/v1/partners/p7":
			fmt.Fprint(w, read)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	c, _ := New(Config{BaseURL: srv.URL + "/v1", Key: secret.New("key-12345"), Retries: 2, RetryBase: time.Millisecond, Timeout: 2 * time.Second})
	return c.Upsert(context.Background(), &Partner{Email: "ann@x.io", Name: "Ann", Surname: "New", Tags: []string{"vip"}}, false)
}

func TestUpdateAnswers(t *testing.T) {
	lost := func(w http.ResponseWriter, r *http.Request) { lose(w) }
	tests := []struct {
		name    string
		put     func(w http.ResponseWriter, r *http.Request)
		read    string
		said    Said
		message string
	}{
		{"updated", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"data":{"id":"p7","email":"ann@x.io","surname":"New","referral_link":"https://c.io?aff=a"},"status":1}`)
		}, "", Updated, "updated its surname, tags"}, // the name was Ann already
		{"lost, and the partner shows the change", lost,
			`{"data":{"id":"p7","email":"ann@x.io","name":"Ann","surname":"New","tags":[{"value":"vip"}]},"status":1}`,
			Updated, "reconciled"},
		{"lost, and the partner does not show it", lost,
			`{"data":{"id":"p7","email":"ann@x.io","name":"Ann","surname":"Old","tags":[]},"status":1}`,
			ServerFault, "the update was not made"},
		{"answered 200 without the change, and reading shows none", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"data":{"id":"p7","email":"ann@x.io","name":"Ann","surname":"Old","tags":[]},"status":1}`)
		}, `{"data":{"id":"p7","email":"ann@x.io","name":"Ann","surname":"Old","tags":[]},"status":1}`,
			ServerFault, "its update was answered 200, but reading the partner showed the update was not made"},
		{"refused, naming the field", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(422)
			fmt.Fprint(w, `{"message":"The given data was invalid.","errors":{"tags":["Tag vip is reserved."]}}`)
		}, "", Invalid, "[tags: Tag vip is reserved.]"},
		{"the partner went meanwhile", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) },
			"", Gone, "deleted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := updateAgainst(t, tt.put, tt.read)
			if out.Said != tt.said || !strings.Contains(out.Message, tt.message) || out.Fatal {
				t.Fatalf("got %+v", out)
			}
			if tt.said == Updated && out.PartnerID != "p7" {
				t.Errorf("partner id %q", out.PartnerID)
			}
		})
	}
}

// The tags an update sends replace the partner's: the marks of the imports
// that made it are sent along, so that their rollbacks still know it.
func TestUpdateKeepsImportMarks(t *testing.T) {
	tests := []struct {
		row, has, want []string
	}{
		{[]string{"vip"}, []string{"partnero-import-abc", "old"}, []string{"vip", "partnero-import-abc"}},
		{[]string{"vip", "partnero-import-abc"}, []string{"partnero-import-abc"}, []string{"vip", "partnero-import-abc"}},
		{[]string{"vip"}, nil, []string{"vip"}},
		{[]string{"vip"}, []string{"partnero-importer"}, []string{"vip"}}, // not a mark: no dash after the name
	}
	for _, tt := range tests {
		if got := keepMarks(tt.row, partner{Tags: tt.has, tagged: tt.has != nil}); !slices.Equal(got, tt.want) {
			t.Errorf("row %v, partner %v: sent %v, want %v", tt.row, tt.has, got, tt.want)
		}
	}
}
