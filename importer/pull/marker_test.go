package pull

import (
	"os"
	"path/filepath"
	"testing"
)

// HalfReplaced tells a DIR whose files come from two pulls from one whose
// files are one pull's, from the marker and the temporary files a pull
// killed while renaming leaves.
func TestHalfReplaced(t *testing.T) {
	t.Parallel()
	const id = "00aa11bb22cc33dd"
	waiting := func(names ...string) []string { // names not renamed yet
		var files []string
		for _, n := range names {
			files = append(files, n+"."+id+partialSuffix)
		}
		return files
	}
	for _, tc := range []struct {
		name   string
		marker string // "": no marker
		files  []string
		want   bool
	}{
		{"no marker: a DIR made by hand", "", nil, false},
		{"a marker of before pulls had IDs", markerHead, nil, false},
		{"whole", markerHead + "pull " + id + " whole\n", nil, false},
		{"replacing, none renamed yet", markerHead + "pull " + id + " replacing\n", waiting(outFiles...), false},
		{"replacing, all renamed", markerHead + "pull " + id + " replacing\n", nil, false},
		{"replacing, killed after the first rename", markerHead + "pull " + id + " replacing\n", waiting(PartnersFile, CustomersFile, TransactionsFile), true},
		{"replacing, killed before the last rename", markerHead + "pull " + id + " replacing\n", waiting(PartnersFile), true},
		{"another pull's leftovers do not count", markerHead + "pull " + id + " replacing\n", []string{PartnersFile + ".ffff" + partialSuffix}, false},
		{"replacing a broken DIR, none renamed yet", markerHead + "pull " + id + " replacing-broken\n", waiting(outFiles...), true},
		{"replacing a broken DIR, all renamed", markerHead + "pull " + id + " replacing-broken\n", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if tc.marker != "" {
				if err := os.WriteFile(filepath.Join(dir, markerFile), []byte(tc.marker), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			for _, name := range tc.files {
				if err := os.WriteFile(filepath.Join(dir, name), nil, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if got, err := HalfReplaced(dir); err != nil || got != tc.want {
				t.Errorf("HalfReplaced = %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

// Finish leaves the marker saying the pull is whole, and no temporary
// file of its own or of a pull killed earlier.
func TestFinishLeavesAWholeDir(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := claim(dir); err != nil {
		t.Fatal(err)
	}
	leftover := filepath.Join(dir, PartnersFile+".0badc0de"+partialSuffix)
	if err := os.WriteFile(leftover, []byte("a killed pull's\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	o, err := Create(dir, "rewardful")
	if err != nil {
		t.Fatal(err)
	}
	if err := o.Partner(&Partner{Email: "a@example.com"}); err != nil {
		t.Fatal(err)
	}
	if err := o.Finish(); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if len(names) != 5 {
		t.Errorf("DIR holds %v; want the marker and the four files", names)
	}
	if id, state, err := readMarker(dir); err != nil || id != o.id || state != stateWhole {
		t.Errorf("marker: pull %q %q, %v; want %q whole", id, state, err, o.id)
	}
}
