package pull

import (
	"strings"
	"testing"
)

// The status rule, for every source's statuses: never accepted is left
// out, any other state than active is carried tagged.
func TestPartnerStatusRule(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		status  string
		leftOut bool
		tag     string
	}{
		{"", false, ""}, {"active", false, ""}, {" Accepted ", false, ""}, {"approved", false, ""},
		{"rejected", true, ""}, {"BLOCKED", true, ""}, {"denied", true, ""}, {"declined", true, ""},
		{"pending", false, "status:pending"}, {"suspended", false, "status:suspended"},
		{"inactive", false, "status:inactive"}, {"archived", false, "status:archived"},
	} {
		out, err := Create(t.TempDir(), "somewhere")
		if err != nil {
			t.Fatal(err)
		}
		c := newCarried()
		ok, err := c.accepted(out, "partner", "p1", "a@example.com", tc.status)
		if err != nil || ok == tc.leftOut {
			t.Errorf("%q: accepted %v, %v; want left out %v", tc.status, ok, err, tc.leftOut)
		}
		if got := out.Summary.LeftOut[KindPartner][Inactive]; got != map[bool]int{true: 1}[tc.leftOut] {
			t.Errorf("%q: %d left out inactive", tc.status, got)
		}
		var p Partner
		withStatus(out, &p, tc.status)
		if tag := strings.Join(p.Tags, ","); !tc.leftOut && tag != tc.tag {
			t.Errorf("%q: tagged %q; want %q", tc.status, tag, tc.tag)
		}
		out.Abort()
	}
}

// A FirstPromoter promoter's status is read from its campaigns' states
// and archived_at.
func TestFirstPromoterStatus(t *testing.T) {
	t.Parallel()
	campaigns := func(states ...string) []fpCampaign {
		var cs []fpCampaign
		for _, s := range states {
			cs = append(cs, fpCampaign{State: text(s)})
		}
		return cs
	}
	for _, tc := range []struct {
		name     string
		promoter fpPromoter
		want     string
	}{
		{"no campaigns", fpPromoter{}, ""},
		{"one accepted", fpPromoter{Campaigns: campaigns("pending", "accepted")}, ""},
		{"only rejected", fpPromoter{Campaigns: campaigns("rejected")}, "rejected"},
		{"blocked and rejected", fpPromoter{Campaigns: campaigns("blocked", "rejected")}, "blocked"},
		{"pending and rejected", fpPromoter{Campaigns: campaigns("rejected", "pending")}, "pending"},
		{"inactive", fpPromoter{Campaigns: campaigns("inactive")}, "inactive"},
		{"archived", fpPromoter{ArchivedAt: "2024-06-01T00:00:00Z"}, "archived"},
		{"archived, accepted", fpPromoter{Campaigns: campaigns("accepted"), ArchivedAt: "2024-06-01"}, "archived"},
		{"archived, pending", fpPromoter{Campaigns: campaigns("pending"), ArchivedAt: "2024-06-01"}, "archived"},
		{"archived, only rejected", fpPromoter{Campaigns: campaigns("rejected"), ArchivedAt: "2024-06-01"}, "rejected"},
	} {
		if got := fpStatus(tc.promoter); got != tc.want {
			t.Errorf("%s: %q; want %q", tc.name, got, tc.want)
		}
	}
}
