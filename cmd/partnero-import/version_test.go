package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/partnero-import/partnero-import/report"
)

// A test binary records no module version and no commit: version says dev,
// and the Go that built it, in the same one line.
func TestVersion(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"version"}, {"--version"}} {
		r := runCLI(t, nil, "", args...)
		if r.code != exitOK || r.stdout != buildOf().line()+"\n" || !versionLine.MatchString(r.stdout) {
			t.Errorf("%v: exit %d: %q", args, r.code, r.stdout)
		}
	}
}

// versionLine is the shape of what version prints.
var versionLine = regexp.MustCompile(`^partnero-import (\S+) \((?:commit ([0-9a-f]{40})(?: with uncommitted changes)?, (\S+), )?go\S+\)\n$`)

// Built in the git checkout, the tool names its module version and the
// commit it was built from, and the provenance of its reports records both.
func TestVersionOfABuiltCheckout(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	head, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		t.Skip("not in a git checkout")
	}
	commit := strings.TrimSpace(string(head))
	dir := t.TempDir()
	bin := filepath.Join(dir, "partnero-import")
	// -buildvcs=true: the default (auto) stamps a checkout's build too, but
	// GOFLAGS may say otherwise on a developer's machine.
	if out, err := exec.Command("go", "build", "-buildvcs=true", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "version").Output()
	m := versionLine.FindStringSubmatch(string(out))
	if err != nil || m == nil || m[2] != commit {
		t.Fatalf("version: %v: %q, want the commit %s", err, out, commit)
	}
	v := m[1]
	if !strings.HasPrefix(v, "v") || !strings.Contains(v, commit[:12]) {
		t.Errorf("version %q: want the module's pseudo-version of commit %s", v, commit[:12])
	}
	rep := filepath.Join(dir, "partners.report.csv")
	cmd := exec.Command(bin, "import", "--sandbox", "--no-progress", "--rate", "0", "--report", rep, filepath.Join("..", "..", "samples", "partners.csv"))
	cmd.Env = append(os.Environ(), "PARTNERO_BASE_URL=")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	prov, err := report.ReadProvenance(rep)
	if err != nil {
		t.Fatal(err)
	}
	if prov.Version != v || prov.Commit != commit {
		t.Errorf("provenance: version %q, commit %q; want %q, %q", prov.Version, prov.Commit, v, commit)
	}
}
