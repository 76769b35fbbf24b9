package pull_test

import (
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
