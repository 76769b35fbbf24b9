package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/partnero-import/partnero-import/importer/pull"
)

// For every source's sample, the summary (on stderr and in
// --summary-json) counts every line of left-out.csv under its kind, and
// every line of the .jsonl files as carried: nothing written goes
// uncounted.
func TestPullSummaryCountsEveryLine(t *testing.T) {
	t.Parallel()
	for _, source := range []string{"rewardful", "firstpromoter", "tolt", "partnerstack", "tapfiliate"} {
		t.Run(source, func(t *testing.T) {
			t.Parallel()
			env, args := startFakeSource(t, source)
			tmp := t.TempDir()
			dir, sum := filepath.Join(tmp, "program"), filepath.Join(tmp, "pull.json")
			r := runCLI(t, env, "", append(args, "--out", dir, "--summary-json", sum)...)
			if r.code != exitOK {
				t.Fatalf("pull: exit %d\n%s", r.code, r.stderr)
			}
			lines := linesPerKind(t, dir)
			var s pullSummary
			b, err := os.ReadFile(sum)
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &s); err != nil {
				t.Fatal(err)
			}
			inJSON := map[string]int{}
			for kind, n := range s.Carried {
				inJSON["carried "+kind] = n
			}
			for kind, reasons := range s.LeftOut {
				for _, n := range reasons {
					inJSON["left out "+kind] += n
				}
			}
			sameCounts(t, "--summary-json", inJSON, lines)
			sameCounts(t, "stderr", printedCounts(r.stderr), lines)
		})
	}
}

// linesPerKind counts a pulled DIR's lines: "carried partners" per
// .jsonl file, "left out KINDs" per kind of left-out.csv.
func linesPerKind(t *testing.T, dir string) map[string]int {
	t.Helper()
	n := map[string]int{}
	for kind, file := range map[string]string{"partners": pull.PartnersFile, "customers": pull.CustomersFile, "transactions": pull.TransactionsFile} {
		b, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		n["carried "+kind] = strings.Count(string(b), "\n")
	}
	f, err := os.Open(filepath.Join(dir, pull.LeftOutFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range rows[1:] {
		n["left out "+row[1]+"s"]++
	}
	return n
}

// printedCounts reads the summary's lines on stderr: "partners: 4
// carried over, 2 left out (...)", "referrers: 1 left out (...)".
func printedCounts(stderr string) map[string]int {
	n := map[string]int{}
	line := regexp.MustCompile(`(?m)^([a-z]+s): (?:(\d+) carried over, )?(\d+) left out`)
	for _, m := range line.FindAllStringSubmatch(stderr, -1) {
		if m[2] != "" {
			n["carried "+m[1]], _ = strconv.Atoi(m[2])
		}
		n["left out "+m[1]], _ = strconv.Atoi(m[3])
	}
	return n
}

// sameCounts compares counts, a kind missing counting 0.
func sameCounts(t *testing.T, where string, got, want map[string]int) {
	t.Helper()
	for k := range got {
		if _, ok := want[k]; !ok {
			want[k] = 0
		}
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s counts %s %d; the files hold %d", where, k, got[k], w)
		}
	}
}
