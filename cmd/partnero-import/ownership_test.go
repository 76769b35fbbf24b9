package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/partnero-import/partnero-import/importer/partnero"
	"github.com/partnero-import/partnero-import/importer/sandbox"
)

// Partners that were there a moment before the run, on servers whose clocks
// lie (created_at in the future, written in local time without a zone, a
// Date header behind created_at's clock, no Date at all), with 500s before
// creates and lost answers after them: none is ever reported created, and
// rollback never touches one; every partner the run stored is reported
// created with its id, and rollback undoes each. Ownership is proven by the
// job's mark, not by a clock.
func TestLostAnswersNeverClaimAnotherPartner(t *testing.T) {
	t.Parallel()
	servers := map[string]sandbox.Variation{
		"created_at in the future":          {StampSkew: 3 * time.Hour},
		"local time without a zone":         {TimeFormat: "local"},
		"Date behind created_at's clock":    {ClockSkew: -10 * time.Minute, StampSkew: 10 * time.Minute},
		"no Date, clock 3 hours ahead":      {NoDate: true, ClockSkew: 3 * time.Hour, TimeFormat: "sql"},
		"no search, punycode, newest first": {NoSearch: true, IDNStore: true, NewestFirst: true},
	}
	for name, vary := range servers {
		for _, skip := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s, --skip-existing %v", name, skip), func(t *testing.T) {
				t.Parallel()
				ownedByProof(t, vary, skip)
			})
		}
	}
}

func ownedByProof(t *testing.T, vary sandbox.Variation, skip bool) {
	sb, base := startSandbox(t, sandbox.Options{Vary: vary, FailRate: 0.25, Faults: sandbox.Faults{DropAfterStore: 0.25, Seed: 7}})
	var rows []string
	for i := range 16 {
		// Stored just before the run, as another import or a person would.
		if err := sb.Add(sandbox.Partner{Email: fmt.Sprintf("old%d@bücher.de", i), Name: "Old", CreatedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
		rows = append(rows, fmt.Sprintf("old%d@bücher.de,Old", i), fmt.Sprintf("new%d@bücher.de,New", i))
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "p.csv")
	os.WriteFile(in, []byte("email,name\n"+strings.Join(rows, "\n")+"\n"), 0o600)
	env := map[string]string{"PARTNERO_API_KEY": "k-123456", "PARTNERO_BASE_URL": base}
	rep := filepath.Join(dir, "p.report.csv")
	args := []string{"import", "--no-progress", "--rate", "0", "--retries", "10", "--timeout", "2s", "--report", rep}
	if skip {
		args = append(args, "--skip-existing")
	}
	r := runCLI(t, env, "", append(args, in)...)
	if len(r.reportLines) != 33 {
		t.Fatalf("exit %d: %d lines\n%s", r.code, len(r.reportLines), r.stderr)
	}
	stored := map[string]sandbox.Partner{}
	for _, p := range sb.Partners() {
		stored[strings.SplitN(p.Email, "@", 2)[0]] = p
	}
	for _, l := range r.reportLines[1:] {
		who := strings.SplitN(l[2], "@", 2)[0]
		status, reason, id := l[4], l[5], l[8]
		p := stored[who]
		switch {
		case strings.HasPrefix(who, "old") && status == "created":
			t.Errorf("%s, there before the run, reported created (id %s): %s", who, id, l[7])
		case strings.HasPrefix(who, "old") && skip && status+"/"+reason != "skipped/already_exists":
			t.Errorf("%s, there before the run: %s/%s under --skip-existing: %s", who, status, reason, l[7])
		case strings.HasPrefix(who, "old") && !skip && status+"/"+reason != "rejected/email_exists":
			t.Errorf("%s, there before the run: %s/%s: %s", who, status, reason, l[7])
		case strings.HasPrefix(who, "new") && (status != "created" || id != p.ID):
			t.Errorf("%s stored as %q, reported %s/%s id %q: %s", who, p.ID, status, reason, id, l[7])
		case strings.HasPrefix(who, "new") && !hasMark(p.Tags):
			t.Errorf("%s stored without the job's mark: %v", who, p.Tags)
		}
	}

	// The way back: only what the run made goes.
	r = runCLI(t, env, "", "rollback", "--yes", "--no-progress", "--rate", "0", "--retries", "10", "--report", filepath.Join(dir, "rb.csv"), rep)
	if r.code != exitOK {
		t.Errorf("rollback: exit %d\n%s", r.code, r.stderr)
	}
	for _, p := range sb.Partners() {
		old := strings.HasPrefix(p.Email, "old")
		if old == (p.Status == sandbox.Archived) {
			t.Errorf("after rollback %s is %s", p.Email, p.Status)
		}
	}
}

func hasMark(tags []string) bool {
	for _, t := range tags {
		if strings.HasPrefix(t, partnero.MarkPrefix) {
			return true
		}
	}
	return false
}
