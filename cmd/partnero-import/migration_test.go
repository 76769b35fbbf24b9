package main

import (
	"fmt"
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

// Hostile money and dates in a sales file: each row is refused naming its
// column and problem, or read exactly; nothing is guessed.
func TestHostileSalesCells(t *testing.T) {
	t.Parallel()
	rows := []struct{ cells, status, says string }{
		{`"1.234,56",EUR,2025-03-01`, "invalid_amount", "has both . and ,"},
		{`1e3,EUR,2025-03-01`, "invalid_amount", "exponent"},
		{`-5,EUR,2025-03-01`, "invalid_amount", "negative"},
		{`0.001,EUR,2025-03-01`, "invalid_amount", "EUR has 2"},
		{`99999999999999999999999,EUR,2025-03-01`, "invalid_amount", "more than the 15"},
		{`10,XYZ,2025-03-01`, "invalid_currency", "not an ISO 4217"},
		{`10,eur,2025-03-01`, "valid", ""},
		{`10,EUR,2999-01-01`, "invalid_date", "in the future"},
		{`10,EUR,01/03/2025`, "invalid_date", "is not a date"},
		{`10,EUR,20250301`, "invalid_date", "write a date as YYYY-MM-DD"},
		{`10,EUR,0`, "invalid_date", "too small for Unix seconds"},
		{`10,EUR,1740787200000`, "valid", ""},
		{`10,EUR,2025-03-01T10:00:00+02:00`, "valid", ""},
	}
	text := "key,customer_key,amount,currency,created_at\n"
	for i, r := range rows {
		text += fmt.Sprintf("t%d,c1,%s\n", i, r.cells)
	}
	in := writeFile(t, "sales.csv", text)
	rep := filepath.Join(filepath.Dir(in), "sales.validate.csv")
	r := runCLI(t, nil, "", "validate", "--no-progress", "--report", rep, in)
	if r.code != exitRowsFailed {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	got := reportByColumn(t, rep)
	for i, want := range rows {
		if g := got[i]; firstNonEmpty(g["reason"], g["status"]) != want.status || !strings.Contains(g["message"], want.says) {
			t.Errorf("%s: %s/%s %q, want %s saying %q", want.cells, g["status"], g["reason"], g["message"], want.status, want.says)
		}
	}
}
