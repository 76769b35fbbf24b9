package pull_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/partnero-import/partnero-import/importer/pull"
)

// pullServed pulls source from fake, served over HTTP on 127.0.0.1 with
// its API at root ("/v1"), into dir: env holds the credentials, o the
// rest (its BaseURL is the fake's; Backoff 1ms unless o says).
func pullServed(t *testing.T, fake http.Handler, source, root string, env map[string]string, o pull.Options, dir string) (*pull.Out, error) {
	t.Helper()
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	o.BaseURL = srv.URL + root
	if o.Backoff == 0 {
		o.Backoff = time.Millisecond
	}
	src, err := pull.New(source, func(name string) string { return env[name] }, o)
	if err != nil {
		t.Fatal(err)
	}
	out, err := pull.Create(dir, src.Name())
	if err != nil {
		t.Fatal(err)
	}
	if err := src.Pull(context.Background(), out); err != nil {
		out.Abort()
		return out, err
	}
	return out, out.Finish()
}

// sameAsGoldens checks a pull's four files in dir and its summary against
// testdata/goldens; it returns the files' text, by name.
func sameAsGoldens(t *testing.T, goldens, dir string, out *pull.Out) map[string]string {
	t.Helper()
	files := map[string]string{}
	for _, name := range []string{pull.PartnersFile, pull.CustomersFile, pull.TransactionsFile, pull.LeftOutFile} {
		files[name] = read(t, filepath.Join(dir, name))
		golden(t, filepath.Join("testdata", goldens, name), files[name])
	}
	var summary strings.Builder
	out.Summary.Print(&summary)
	golden(t, filepath.Join("testdata", goldens, "summary.txt"), summary.String())
	return files
}
