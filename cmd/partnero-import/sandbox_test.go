package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a buffer the command writes while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// The sandbox command serves the API until its context ends, then exits 0.
func TestSandboxCommand(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	var stderr syncBuffer
	done := make(chan int)
	go func() {
		done <- run(ctx, []string{"sandbox", "--addr", "0.0.0.0:0", "--api-key", "sekret-key", "--preload", "../../samples/messy-existing.csv", "--vary", "3"},
			func(string) string { return "" }, Streams{Out: &bytes.Buffer{}, Err: &stderr})
	}()
	serving := regexp.MustCompile(`serving the Partnero API at (http://\S+/v1)`)
	var base string
	for deadline := time.Now().Add(10 * time.Second); base == ""; time.Sleep(10 * time.Millisecond) {
		if m := serving.FindStringSubmatch(stderr.String()); m != nil {
			base = m[1]
		}
		if time.Now().After(deadline) {
			t.Fatalf("the sandbox did not start:\n%s", stderr.String())
		}
	}
	post := func(token string) int {
		req, _ := http.NewRequest("POST", base+"/partners", strings.NewReader(`{"email":"existing@example.com"}`))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := post("other"); got != 401 {
		t.Errorf("wrong key: %d", got)
	}
	if got := post("sekret-key"); got != 422 && got != 409 {
		t.Errorf("preloaded email: %d, want a clash", got)
	}
	cancel()
	if code := <-done; code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "preloaded 3 partners") || !strings.Contains(stderr.String(), "sandbox: vary 3: create answers") {
		t.Errorf("stderr:\n%s", stderr.String())
	}
	// The hint names a key to give, never the key, and an address to dial.
	u, _ := url.Parse(base) // http://[::]:PORT/v1 or http://0.0.0.0:PORT/v1
	hint := "import with PARTNERO_API_KEY='<the --api-key value>' partnero-import import --base-url http://127.0.0.1:" + u.Port() + "/v1 FILE"
	dialable := "on every interface (from this machine: http://127.0.0.1:" + u.Port() + "/v1)"
	if !strings.Contains(stderr.String(), hint) || !strings.Contains(stderr.String(), dialable) || strings.Contains(stderr.String(), "sekret-key") {
		t.Errorf("stderr:\n%s\nwant %s", stderr.String(), hint)
	}
}

func TestSandboxFlags(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"sandbox", "--program", "loyalty"},
		{"sandbox", "--fail-rate", "2"},
		{"sandbox", "extra"},
		{"sandbox", "--preload", "nope.csv"},
	} {
		r := runCLI(t, nil, "", args...)
		if r.code != exitUsage || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
			t.Errorf("%v: exit %d\n%s", args, r.code, r.stderr)
		}
	}
}

// The embedded sandbox has no rate limit: a rehearsal of more rows than a
// minute's worth of the limit it used to advertise (1,200), sent as fast
// as they go, is never throttled.
func TestEmbeddedSandboxHasNoRateLimit(t *testing.T) {
	t.Parallel()
	in := filepath.Join(t.TempDir(), "many.csv")
	var b strings.Builder
	b.WriteString("email\n")
	for i := range 1300 {
		fmt.Fprintf(&b, "p%d@x.io\n", i)
	}
	os.WriteFile(in, []byte(b.String()), 0o600)
	r := runCLI(t, nil, "", "import", "--sandbox", "--rate", "0", "--concurrency", "8", "--no-progress", in)
	if r.code != exitOK || !strings.Contains(r.stderr, "(0 retries)") || strings.Contains(r.stderr, "throttled") || strings.Contains(r.stderr, "advertises") {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
}

// An import into the embedded sandbox works whatever the variation, and
// every created or invited row has its partner id.
func TestImportIntoVariedSandbox(t *testing.T) {
	t.Parallel()
	for seed := 1; seed <= 4; seed++ {
		rep := filepath.Join(t.TempDir(), "r.csv")
		r := runCLI(t, nil, "", "import", "--sandbox", "--sandbox-vary", fmt.Sprint(seed), "--rate", "0", "--no-progress",
			"--report", rep, "../../samples/partners.csv")
		if r.code != exitOK {
			t.Fatalf("vary %d: exit %d\n%s", seed, r.code, r.stderr)
		}
		for _, l := range r.reportLines[1:] {
			if l[8] == "" {
				t.Errorf("vary %d: row %s (%s) has no partner id: %s", seed, l[0], l[4], l[7])
			}
		}
	}
}
