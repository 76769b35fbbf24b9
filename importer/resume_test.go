package importer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/partnero-import/partnero-import/importer/input"
	"github.com/partnero-import/partnero-import/report"
)

// A report that claims a row far beyond any file costs one entry, not a
// slice up to that row, and is refused as another file's.
func TestResumeOfAReportClaimingAHugeRow(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "r.csv")
	os.WriteFile(path, []byte(strings.Join(report.Header, ",")+"\n2000000000,2,a@x.io,create,created,,201,,p1,,1\n"), 0o600)
	r, err := LoadResume(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.rows) != 1 {
		t.Errorf("%d rows kept for one line", len(r.rows))
	}
	if err := r.checkRows(3); err == nil || !strings.Contains(err.Error(), "row 2000000000") {
		t.Errorf("a report of row 2000000000 resumed for a file of 3 rows: %v", err)
	}
}

// A report of customers or transactions is matched to the file by key,
// a partners report by email, whatever the format.
func TestResumeMatchesEachKindByItsIdentity(t *testing.T) {
	t.Parallel()
	rec := func(email, key string) *input.Record {
		return &input.Record{Row: 1, Line: 2, Fields: input.Fields{Email: email, Key: key}}
	}
	tests := []struct {
		name, file, body string
		same, other      *input.Record
		says             string
	}{
		{"partners", "p.csv", strings.Join(report.Header, ",") + "\n1,2,A@x.io,create,created,,201,,p1,,1\n",
			rec("a@x.io", "k9"), rec("b@x.io", ""), "another email"},
		{"customers", "c.csv", strings.Join(report.HeaderOf(report.Customers), ",") + "\n1,2,cus_1,a@x.io,annkey,create,created,,201,,1\n",
			rec("", "cus_1"), rec("a@x.io", "cus_2"), `another key than the file's row 1 (line 2), "cus_2"`},
		{"transactions", "t.jsonl", `{"row":1,"line":2,"key":"ch_1","customer":"cus_1","amount":"9.90","currency":"EUR","action":"sale","status":"created","reason":"","http_status":201,"message":"","attempts":1}` + "\n",
			rec("", "ch_1"), rec("", "ch_2"), "another key"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), tc.file)
			os.WriteFile(path, []byte(tc.body), 0o600)
			r, err := LoadResume(path, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := r.check(tc.same); err != nil {
				t.Errorf("the same row refused: %v", err)
			}
			if err := r.check(tc.other); err == nil || !strings.Contains(err.Error(), tc.says) {
				t.Errorf("another row: %v, want %q", err, tc.says)
			}
			if !r.isDone(1) {
				t.Error("the created row is not done")
			}
		})
	}
}
