package pull_test

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/partnero-import/partnero-import/importer/pull"
	"github.com/partnero-import/partnero-import/importer/pull/fake"
)

// A list whose pages go on past the bound of records ends the pull with
// one message saying so. Not parallel: it lowers a package-wide bound,
// restored before any parallel test runs.
func TestListWithoutAnEnd(t *testing.T) {
	defer pull.LowerMaxListed(3)()
	f := fake.RewardfulSample(testSecret)
	f.PageSize = 2
	_, err := pullInto(t, f, testSecret, t.TempDir(), time.Millisecond)
	want := "the rewardful affiliates pages listed more than 3 records and still say more follow: the source never ends its list"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("error %v; want %q", err, want)
	}
}

// -0 cents is zero, carried as 0 is: not a negative amount refused.
func TestMinusZeroCentsIsZero(t *testing.T) {
	t.Parallel()
	f := fake.RewardfulSample(testSecret)
	f.Commissions[0]["amount"] = "-0"
	f.Commissions[0]["sale"].(map[string]any)["sale_amount_cents"] = json.Number("-0")
	f.Commissions[1]["amount"] = "-00"
	dir := t.TempDir()
	if _, err := pullInto(t, f, testSecret, dir, time.Millisecond); err != nil {
		t.Fatal(err)
	}
	got := read(t, filepath.Join(dir, pull.TransactionsFile))
	for _, want := range []string{`{"key":"s1","customer":{"key":"cus_1"},"amount":"0.00","currency":"EUR","created_at":"2024-03-01T10:00:00Z","action":"sale","reward":"0.00"`,
		`{"key":"s2","customer":{"key":"cus_2"},"amount":"5000","currency":"JPY","created_at":"2024-03-01T10:00:00Z","action":"sale","reward":"0"`} {
		if !strings.Contains(got, want) {
			t.Errorf("transactions lack %s:\n%s", want, got)
		}
	}
	if left := read(t, filepath.Join(dir, pull.LeftOutFile)); strings.Contains(left, "negative") {
		t.Errorf("-0 is left out as negative:\n%s", left)
	}
}

// A record without an id cannot be told listed again: it is given again,
// and its source carries it or leaves it out a second time.
func TestRecordWithoutAnIDIsNotSkipped(t *testing.T) {
	t.Parallel()
	f := fake.RewardfulSample(testSecret)
	f.PageSize, f.Overlap = 2, true
	delete(f.Affiliates[3], "id") // Cy, last of page 2 and first of page 3
	dir := t.TempDir()
	if _, err := pullInto(t, f, testSecret, dir, time.Millisecond); err != nil {
		t.Fatal(err)
	}
	both := read(t, filepath.Join(dir, pull.PartnersFile)) + read(t, filepath.Join(dir, pull.LeftOutFile))
	if n := strings.Count(both, "cy@example.com"); n != 2 {
		t.Errorf("Cy, without an id, is given %d times; want 2:\n%s", n, both)
	}
}
