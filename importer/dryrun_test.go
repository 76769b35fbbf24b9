package importer

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/partnero-import/partnero-import/importer/input"
	"github.com/partnero-import/partnero-import/report"
	"github.com/partnero-import/partnero-import/validate"
)

// The dry run reads the file once, judging some rows at once and the rest
// at the end. Its report and retry file must be what judging every row
// after the whole file gives, on files of every kind of reference: up and
// down the file, by id, key or email, outside the file, onto itself, in
// loops, and from or to rows that are invalid or repeated.
func TestValidateJudgesAsTwoPasses(t *testing.T) {
	for seed := range uint64(20) {
		path := messyTree(t, 300, seed)
		dir := t.TempDir()
		rep, retry := filepath.Join(dir, "r.csv"), filepath.Join(dir, "r.retry.csv")
		res, err := Validate(context.Background(), Config{
			Open:      func() (io.ReadCloser, error) { return os.Open(path) },
			Input:     input.Options{Format: input.CSV},
			Mode:      validate.Create,
			Report:    func() (*report.Writer, error) { return report.Create(rep, false) },
			RetryPath: retry,
		})
		if err != nil {
			t.Fatal(err)
		}
		want, wantRetry := twoPasses(t, path)
		var got []report.Line
		if err := report.Read(rep, func(l report.Line) error { got = append(got, l); return nil }); err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) || res.Summary.Rows != len(want) {
			t.Fatalf("seed %d: %d lines, %d counted, want %d", seed, len(got), res.Summary.Rows, len(want))
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("seed %d:\ngot  %+v\nwant %+v", seed, got[i], want[i])
			}
		}
		b, _ := os.ReadFile(retry)
		gotRetry := strings.SplitAfter(string(b), "\n")
		gotRetry = gotRetry[:len(gotRetry)-1] // after the last line end
		slices.Sort(gotRetry)
		if !slices.Equal(gotRetry, wantRetry) {
			t.Errorf("seed %d: retry file\n%s\nwant the header and\n%s", seed, b, strings.Join(wantRetry, ""))
		}
	}
}

// messyTree writes n rows with references of every kind, and problems.
func messyTree(t *testing.T, n int, seed uint64) string {
	rng := rand.New(rand.NewPCG(seed, 7))
	pick := func(choices ...string) string { return choices[rng.IntN(len(choices))] }
	var b strings.Builder
	b.WriteString("email,id,key,password,action,name,referring_partner_id,referring_partner_key,referring_partner_email\n")
	for i := range n {
		other := rng.IntN(n) // up or down the file, or itself
		email := fmt.Sprintf("p%d@x.io", i)
		switch rng.IntN(20) {
		case 0:
			email = fmt.Sprintf("P%d@X.io", rng.IntN(n)) // a repeat, maybe
		case 1:
			email = "nope"
		}
		id := fmt.Sprintf("id%d", i)
		if rng.IntN(30) == 0 {
			id = fmt.Sprintf("id%d", rng.IntN(n))
		}
		var ref [3]string
		if rng.IntN(3) > 0 {
			switch rng.IntN(4) {
			case 0:
				ref[0] = fmt.Sprintf("id%d", other)
			case 1:
				ref[1] = fmt.Sprintf("k%d", other)
			case 2:
				ref[2] = fmt.Sprintf("P%d@x.IO", other)
			default: // by two fields, maybe naming different rows, maybe outside the file
				ref[0], ref[2] = fmt.Sprintf("id%d", rng.IntN(n+n/10)), fmt.Sprintf("p%d@x.io", other)
			}
		}
		fmt.Fprintf(&b, "%s,%s,k%d,%s,%s,%s,%s,%s,%s\n", email, id, i, pick("", "", "Passw0rd!", "weak"),
			pick("", "", "", "invite"), pick("Ann", "Ann", ""), ref[0], ref[1], ref[2])
	}
	path := filepath.Join(t.TempDir(), "messy.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// twoPasses judges path the plain way: the whole file first, then each
// row. It gives the report lines and the retry file's sorted rows.
func twoPasses(t *testing.T, path string) ([]report.Line, []string) {
	plan := validate.NewPlan(validate.Create)
	each := func(fn func(rec *input.Record)) {
		f, _ := os.Open(path)
		defer f.Close()
		rd, err := input.Open(f, input.Options{Format: input.CSV, KeepRaw: true})
		if err != nil {
			t.Fatal(err)
		}
		for rec, err := rd.Next(); err != io.EOF; rec, err = rd.Next() {
			fn(rec)
		}
	}
	each(func(rec *input.Record) { plan.Add(rec) })
	plan.Finish()
	var want []report.Line
	var retry []string
	each(func(rec *input.Record) {
		v := plan.Judge(rec)
		want = append(want, *verdictLine(v, rec.Row, rec.Line, rec.Email, rec.HasReferrer()))
		if v.Status != report.Valid {
			retry = append(retry, string(rec.Raw))
		}
	})
	f, _ := os.Open(path)
	defer f.Close()
	header, _ := input.Open(f, input.Options{Format: input.CSV, KeepRaw: true})
	retry = append(retry, string(header.Header()))
	slices.Sort(retry)
	return want, retry
}
