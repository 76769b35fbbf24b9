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

// A sales file whose amount header is mistyped is no partners file: read
// as partners it made a partner of every buyer. Told from its header, it
// is read as transactions and stops naming the column; given --kind
// transactions, it says the same, not that it looks like partners.
func TestMistypedAmountHeaderStopsBeforeSending(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, header string
		kind         []string
	}{
		{"an email column", "key,email,ammount,currency,created_at", nil},
		{"a customer key", "key,customer_key,ammount,currency,created_at", nil},
		{"--kind given", "key,customer_key,ammount,currency,created_at", []string{"--kind", "transactions"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sb, base := startSandbox(t, sandbox.Options{})
			env := map[string]string{"PARTNERO_API_KEY": "k", "PARTNERO_BASE_URL": base}
			in := writeFile(t, "sales.csv", tc.header+"\nq1,buyer@y.io,10,EUR,2025-03-01\n")
			r := runCLI(t, env, "", append(append([]string{"import", "--no-progress", "--rate", "0"}, tc.kind...), in)...)
			if r.code != exitUsage || len(sb.Partners()) != 0 || sb.Requests() != 0 {
				t.Fatalf("exit %d, %d partners, %d requests\n%s", r.code, len(sb.Partners()), sb.Requests(), r.stderr)
			}
			if !strings.Contains(r.stderr, `"ammount"`) || !strings.Contains(r.stderr, "--map amount=ammount") ||
				strings.Contains(r.stderr, "no email column") || strings.Contains(r.stderr, "looks like partners") {
				t.Errorf("stderr:\n%s", r.stderr)
			}
		})
	}
}
