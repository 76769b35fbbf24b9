package main

import (
	"strings"
	"testing"
)

// The printed resume command starts the tool as it was started, quotes
// what needs quoting, drops the earlier --report (the resumed run must not
// write over the report it reads), and names the variables it needs,
// never their values.
func TestFinishHint(t *testing.T) {
	// Not parallel: it sets the package's program, which every printed
	// command reads (go test -race caught it against the rollback tests).
	defer func(p []string) { program = p }(program)
	program = invokedAs("./my tools/partnero-import", "github.com/partnero-import/partnero-import/cmd/partnero-import")
	o := &importOptions{args: []string{"--report", "out/r 1.csv", "--rate=5", "-report=x.csv", "--resume", "old.csv", "my partners.csv"}}
	env := map[string]string{"PARTNERO_API_KEY": "sk_secret", "PARTNERO_BASE_URL": "https://api.example.com/v1"}
	got := o.finishHint("out/r 1.resumed.report.csv", func(k string) string { return env[k] })
	want := "to finish the import, with PARTNERO_API_KEY and PARTNERO_BASE_URL set as for this run, run: " +
		"'./my tools/partnero-import' import --resume 'out/r 1.resumed.report.csv' --rate=5 'my partners.csv'"
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	o = &importOptions{args: []string{"--api-key-file", "k", "p.csv"}, apiKeyFile: "k", baseURL: "https://x/v1"}
	if got := o.finishHint("r.csv", func(k string) string { return env[k] }); got != "to finish the import, run: './my tools/partnero-import' import --resume r.csv --api-key-file k p.csv" {
		t.Fatalf("with a key file: %s", got)
	}
	// In a run of several FILEs (here a pull's DIR), --resume takes the
	// one interrupted: the run's FILEs give way to it.
	o = &importOptions{args: []string{"--base-url", "https://x/v1", "my program"}, baseURL: "https://x/v1",
		several: []string{"my program"}, file: "my program/customers.jsonl"}
	if got := o.finishHint("my program/customers.report.csv", func(k string) string { return env[k] }); got !=
		"to finish the import, with PARTNERO_API_KEY set as for this run, run: './my tools/partnero-import' import --resume "+
			"'my program/customers.report.csv' --base-url https://x/v1 'my program/customers.jsonl'" {
		t.Fatalf("in a run of several: %s", got)
	}
	for arg0, want := range map[string]string{
		"partnero-import":                            "partnero-import",
		"/usr/local/bin/partnero-import":             "/usr/local/bin/partnero-import",
		"/tmp/go-build2816/b001/exe/partnero-import": "go run github.com/partnero-import/partnero-import/cmd/partnero-import",
	} {
		if got := strings.Join(invokedAs(arg0, "github.com/partnero-import/partnero-import/cmd/partnero-import"), " "); got != want {
			t.Errorf("invokedAs(%q) = %q, want %q", arg0, got, want)
		}
	}
}
