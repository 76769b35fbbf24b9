package importer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

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
