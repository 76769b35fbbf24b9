package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/partnero-import/partnero-import/importer/sandbox"
)

// creations is the sandbox behind a server that counts the creations sent
// for each email: a row sent twice shows.
type creations struct {
	sb      *sandbox.Server
	mu      sync.Mutex
	sent    map[string]int
	baseURL string
}

func newCreations(t *testing.T, sb *sandbox.Server) *creations {
	c := &creations{sb: sb, sent: map[string]int{}}
	srv := httptest.NewServer(c)
	t.Cleanup(srv.Close)
	c.baseURL = srv.URL + "/v1"
	return c
}

func (c *creations) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/partners") {
		body, _ := io.ReadAll(r.Body)
		var p struct{ Email string }
		json.Unmarshal(body, &p)
		c.mu.Lock()
		c.sent[p.Email]++
		c.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	c.sb.ServeHTTP(w, r)
}

// A file whose first five rows name referrers further down: the canary
// sends rows 1 to 5 and the three referrers they need (rows 7, 8 and 9,
// one of them the referrer of another), holds back the other three
// (skipped/limited) and exits 0; --resume then sends those three alone,
// under the same mark, and every partner is created once, under its
// referrer.
func TestCanaryThenResume(t *testing.T) {
	t.Parallel()
	sb, _ := startSandbox(t, sandbox.Options{})
	srv := newCreations(t, sb)
	in := writeFile(t, "tree.csv", "email,name,referring_partner_email\n"+
		"c1@x.io,C1,r1@x.io\n"+ // 1: its referrer is row 7
		"c2@x.io,C2,r2@x.io\n"+ // 2: row 8, whose referrer is row 9
		"a@x.io,A,\n"+ // 3
		"b@x.io,B,c1@x.io\n"+ // 4: row 1, in the canary already
		"d@x.io,D,\n"+ // 5
		"e@x.io,E,\n"+ // 6: beyond the canary
		"r1@x.io,R1,\n"+ // 7
		"r2@x.io,R2,r3@x.io\n"+ // 8
		"r3@x.io,R3,\n"+ // 9
		"f@x.io,F,r3@x.io\n"+ // 10: its referrer is in, it is not
		"g@x.io,G,e@x.io\n") // 11: its referrer is held back too
	canary := filepath.Join(filepath.Dir(in), "canary.report.csv")
	env := map[string]string{"PARTNERO_API_KEY": "k-123456", "PARTNERO_BASE_URL": srv.baseURL}
	flags := []string{"import", "--no-progress", "--rate", "0"}

	r := runCLI(t, env, "", append(flags, "--limit", "5", "--report", canary, in)...)
	if r.code != exitOK {
		t.Fatalf("the canary: exit %d\n%s", r.code, r.stderr)
	}
	held := map[string]bool{"6": true, "10": true, "11": true}
	for _, l := range r.reportLines[1:] {
		want := "created/"
		if held[l[0]] {
			want = "skipped/limited"
			if !strings.Contains(l[7], "beyond --limit 5") || !strings.Contains(l[7], "--resume "+canary) {
				t.Errorf("row %s's message: %q", l[0], l[7])
			}
		}
		if l[4]+"/"+l[5] != want {
			t.Errorf("canary row %s (%s): %s/%s, want %s", l[0], l[2], l[4], l[5], want)
		}
	}
	if len(r.reportLines) != 12 || len(sb.Partners()) != 8 {
		t.Fatalf("the canary's report has %d lines, the sandbox %d partners", len(r.reportLines), len(sb.Partners()))
	}
	for _, say := range []string{"the first 5 rows to send and 3 referrers they need", "3 more rows skipped/limited",
		"to send the rest, with PARTNERO_API_KEY and PARTNERO_BASE_URL set as for this run, run: ", "import --resume " + canary} {
		if !strings.Contains(r.stderr, say) {
			t.Errorf("the canary's end does not say %q:\n%s", say, r.stderr)
		}
	}
	if next := lastLine(r.stderr); strings.Contains(next, "--limit") {
		t.Errorf("the command that sends the rest keeps --limit: %s", next)
	}

	rest := filepath.Join(filepath.Dir(in), "rest.report.csv")
	r = runCLI(t, env, "", append(flags, "--resume", canary, "--report", rest, in)...)
	if r.code != exitOK {
		t.Fatalf("the resume: exit %d\n%s", r.code, r.stderr)
	}
	for _, l := range r.reportLines[1:] {
		want := "skipped/already_done"
		if held[l[0]] {
			want = "created/"
		}
		if l[4]+"/"+l[5] != want {
			t.Errorf("resumed row %s (%s): %s/%s, want %s", l[0], l[2], l[4], l[5], want)
		}
	}
	partners := sb.Partners()
	if len(r.reportLines) != 12 || len(partners) != 11 {
		t.Fatalf("the resume's report has %d lines, the sandbox %d partners", len(r.reportLines), len(partners))
	}
	byEmail, ids := map[string]sandbox.Partner{}, map[string]string{}
	for _, p := range partners {
		byEmail[p.Email], ids[p.Email] = p, p.ID
	}
	for email, n := range srv.sent {
		if n != 1 {
			t.Errorf("%s was sent %d times", email, n)
		}
	}
	for child, ref := range map[string]string{"c1@x.io": "r1@x.io", "c2@x.io": "r2@x.io", "r2@x.io": "r3@x.io", "b@x.io": "c1@x.io",
		"f@x.io": "r3@x.io", "g@x.io": "e@x.io"} {
		if byEmail[child].Referrer != ids[ref] {
			t.Errorf("%s's referrer is %q, want %s's id %q", child, byEmail[child].Referrer, ref, ids[ref])
		}
	}
	mark := ""
	for _, p := range partners {
		for _, tag := range p.Tags {
			if strings.HasPrefix(tag, "partnero-import-") && mark == "" {
				mark = tag
			}
		}
		if mark == "" || !strings.Contains(strings.Join(p.Tags, ","), mark) {
			t.Errorf("%s's tags %v lack the job's one mark %q", p.Email, p.Tags, mark)
		}
	}
}

// --limit is a number of rows to send, in a run that sends.
func TestLimitFlagChecked(t *testing.T) {
	t.Parallel()
	in := writeFile(t, "p.csv", "email\na@x.io\n")
	for _, args := range [][]string{{"--limit", "-1"}, {"--limit", "3", "--dry-run"}} {
		r := runCLI(t, nil, "", append(append([]string{"import", "--sandbox"}, args...), in)...)
		if r.code != exitUsage || !strings.Contains(r.stderr, "--limit") {
			t.Errorf("%v: exit %d\n%s", args, r.code, r.stderr)
		}
	}
}
