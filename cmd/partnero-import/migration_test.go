package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/partnero-import/partnero-import/importer/sandbox"
)

// A flag the kind of one of several FILEs cannot take (told from its
// header, not given) stops the run before anything is sent: the partners
// file first in the run is not imported, then refused at the customers.
func TestSeveralFilesRefuseAFlagOfOneKindBeforeSending(t *testing.T) {
	t.Parallel()
	for _, flag := range [][]string{{"--mode", "invite"}, {"--update-existing"}} {
		t.Run(flag[0], func(t *testing.T) {
			t.Parallel()
			sb, base := startSandbox(t, sandbox.Options{})
			env := map[string]string{"PARTNERO_API_KEY": "k", "PARTNERO_BASE_URL": base}
			dir, files := programFiles(t)
			args := append(append([]string{"import", "--no-progress", "--rate", "0"}, flag...), files...)
			r := runCLI(t, env, "", args...)
			if r.code != exitUsage || sb.Requests() != 0 || len(sb.Partners()) != 0 {
				t.Fatalf("exit %d, %d requests\n%s", r.code, sb.Requests(), r.stderr)
			}
			if !strings.Contains(r.stderr, flag[0]) || strings.Contains(r.stderr, "report:") {
				t.Errorf("stderr:\n%s", r.stderr)
			}
			if m, _ := filepath.Glob(filepath.Join(dir, "*.report.csv")); len(m) > 0 {
				t.Errorf("reports written: %v", m)
			}
		})
	}
}
