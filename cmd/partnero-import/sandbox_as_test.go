package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/partnero-import/partnero-import/importer/pull/fake"
)

// startFakeSource runs sandbox --as source in the process until the test
// ends; the environment and arguments of the pull its hint says.
func startFakeSource(t *testing.T, source string) (map[string]string, []string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var stderr syncBuffer
	done := make(chan int)
	go func() {
		done <- run(ctx, []string{"sandbox", "--as", source, "--addr", "127.0.0.1:0"}, func(string) string { return "" }, Streams{Out: &bytes.Buffer{}, Err: &stderr})
	}()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != exitOK {
			t.Errorf("sandbox --as %s: exit %d\n%s", source, code, stderr.String())
		}
	})
	hint := regexp.MustCompile(`sandbox: pull with (.*) --out DIR\n`)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if m := hint.FindStringSubmatch(stderr.String()); m != nil {
			words := strings.Fields(m[1])
			env := map[string]string{}
			for _, w := range words {
				if k, v, ok := strings.Cut(w, "="); ok {
					env[k] = v
				}
			}
			return env, words[slices.Index(words, "pull"):]
		}
		if time.Now().After(deadline) {
			t.Fatalf("sandbox --as %s did not start:\n%s", source, stderr.String())
		}
	}
}

// A pull rehearsed against sandbox --as rewardful, as its hint says,
// reads the whole sample program: the same files and summary as a pull
// from the fake the tests serve.
func TestSandboxAsRewardful(t *testing.T) {
	t.Parallel()
	env, args := startFakeSource(t, "rewardful")
	dir := filepath.Join(t.TempDir(), "rehearsed")
	r := runCLI(t, env, "", append(args, "--out", dir)...)
	if r.code != exitOK {
		t.Fatalf("pull: exit %d\n%s", r.code, r.stderr)
	}
	golden(t, "pull_rewardful_stderr.txt", strings.ReplaceAll(r.stderr, dir, "DIR"))

	want := filepath.Join(t.TempDir(), "served")
	served := runCLI(t, env, "", "pull", "rewardful", "--out", want, "--source-base-url", servedRewardful(t, fake.RewardfulSample(env["REWARDFUL_API_SECRET"])))
	if served.code != exitOK {
		t.Fatalf("pull from the served fake: exit %d\n%s", served.code, served.stderr)
	}
	for _, name := range []string{"partners.jsonl", "customers.jsonl", "transactions.jsonl", "left-out.csv"} {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		exp, _ := os.ReadFile(filepath.Join(want, name))
		if len(got) == 0 || !bytes.Equal(got, exp) {
			t.Errorf("%s of the rehearsal:\n%s\nwant:\n%s", name, got, exp)
		}
	}
}

// Every source has a fake to rehearse against, and its hint names the
// pull that reads it; the Partnero sandbox's flags are refused with it.
func TestSandboxAsEachSource(t *testing.T) {
	t.Parallel()
	for _, source := range []string{"firstpromoter", "tolt", "tapfiliate", "partnerstack"} {
		t.Run(source, func(t *testing.T) {
			t.Parallel()
			env, args := startFakeSource(t, source)
			r := runCLI(t, env, "", append(args, "--out", filepath.Join(t.TempDir(), "out"))...)
			if r.code != exitOK || !strings.Contains(r.stderr, "read the whole program") {
				t.Fatalf("pull: exit %d\n%s", r.code, r.stderr)
			}
		})
	}
	for _, args := range [][]string{
		{"sandbox", "--as", "dub"},
		{"sandbox", "--as", "rewardful", "--rate-limit", "10"},
	} {
		r := runCLI(t, nil, "", args...)
		if r.code != exitUsage || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
			t.Errorf("%v: exit %d\n%s", args, r.code, r.stderr)
		}
	}
}
