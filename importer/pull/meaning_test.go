package pull_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/partnero-import/partnero-import/importer/pull"
	"github.com/partnero-import/partnero-import/importer/pull/fake"
)

// A pulled partner means at Partnero what it meant at the source: one the
// source never accepted is left out (inactive), one otherwise not active
// is tagged status:STATE and counted in the summary, and a first link
// whose value is not the partner's key gets a line of its own.
func TestPulledPartnersKeepTheirMeaning(t *testing.T) {
	t.Parallel()
	pullers := map[string]func(t *testing.T, dir string) (*pull.Out, error){
		"rewardful": func(t *testing.T, dir string) (*pull.Out, error) {
			return pullInto(t, fake.RewardfulSample(testSecret), testSecret, dir, time.Millisecond)
		},
		"firstpromoter": func(t *testing.T, dir string) (*pull.Out, error) {
			return pullFirstPromoter(t, fake.FirstPromoterSample(fpKey, fpAccount), fpKey, fpAccount, dir, time.Millisecond)
		},
		"tolt": func(t *testing.T, dir string) (*pull.Out, error) {
			return pullTolt(t, fake.ToltSample(toltKey, toltProgram), toltKey, toltProgram, dir, time.Millisecond)
		},
	}
	for _, tc := range []struct {
		source  string
		has     []string // in partners.jsonl, left-out.csv or the summary
		hasNot  []string
		summary string
	}{
		{"rewardful", []string{`"key":"cy","tags":["status:inactive"]`}, nil,
			"1 partner is not active at rewardful (inactive 1): carried as active partners tagged status:STATE"},
		{"firstpromoter", []string{
			`firstpromoter,partner,5,cy@example.com,inactive,"the promoter's status at firstpromoter is rejected`,
			`"surname":"Archived","tags":["status:archived"]`,
			`firstpromoter,customer,109,`,
		}, []string{`"email":"cy@example.com"`},
			"1 partner is not active at firstpromoter (archived 1): carried as active partners tagged status:STATE"},
		{"tolt", []string{
			`"tags":["grp_main","status:pending"]`, `"tags":["status:suspended"]`,
			`tolt,link,lnk_5,dee@example.com,duplicate,"old links ?ref=ada of partner part_6 now credit partner part_1, which has the key ada; its key in Partnero is jose-d-arc"`,
			`tolt,link,lnk_2,bob@example.com,key_changed,"old links ?ref=bob smith of partner part_2 will not match: its key in Partnero is bob-smith, as Partnero takes keys"`,
			"links: 2 left out (duplicate 1, key_changed 1)",
		}, nil, "2 partners are not active at tolt (pending 1, suspended 1): carried as active partners tagged status:STATE"},
	} {
		t.Run(tc.source, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			out, err := pullers[tc.source](t, dir)
			if err != nil {
				t.Fatal(err)
			}
			var summary strings.Builder
			out.Summary.Print(&summary)
			all := read(t, filepath.Join(dir, pull.PartnersFile)) + read(t, filepath.Join(dir, pull.LeftOutFile)) + summary.String()
			for _, s := range append(tc.has, tc.summary) {
				if !strings.Contains(all, s) {
					t.Errorf("missing %q in:\n%s", s, all)
				}
			}
			for _, s := range tc.hasNot {
				if strings.Contains(all, s) {
					t.Errorf("%q is there:\n%s", s, all)
				}
			}
		})
	}
}
