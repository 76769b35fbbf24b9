package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/partnero-import/partnero-import/importer/input"
	"github.com/partnero-import/partnero-import/report"
)

// kindOf is the kind of record FILE holds, and why: --kind, or told from
// its header. Only a regular file is looked at first (standard input or a
// pipe can be read once): another is read as partners unless --kind says,
// and the reader refuses it, saying which kind it looks like, if it is not.
func (o *importOptions) kindOf(file string) (report.Kind, string, error) {
	if o.kind != "" {
		return report.Kind(o.kind), "--kind", nil
	}
	if k, ok := o.named[file]; ok {
		return k, "its name in a program's directory", nil
	}
	if st, err := os.Stat(file); err != nil || !st.Mode().IsRegular() {
		return report.Partners, "not a regular file, so read as partners", nil
	}
	fo := *o
	fo.file = file
	opts, err := fo.inputOptions()
	if err != nil {
		return "", "", err
	}
	f, err := os.Open(file)
	if err != nil {
		return "", "", usagef("cannot read %s: %v", file, errors.Unwrap(err))
	}
	defer f.Close()
	headers, err := input.Headers(io.LimitReader(f, maxHeaderPeek), opts)
	if err != nil {
		return "", "", usagef("%s: %v", file, err)
	}
	k, why := input.DetectKind(headers)
	return k, why, nil
}

// maxHeaderPeek bounds what is read to tell a file's kind: a header line,
// or a workbook (whose header is inside its zip).
const maxHeaderPeek = 1 << 30

// tellKind settles the kind of a run's one FILE: --kind, or told from its
// header and said (but for partners, the kind of old), then refuses what
// that kind cannot do.
func (o *importOptions) tellKind(out *output) error {
	if o.kind == "" {
		k, why, err := o.kindOf(o.file)
		if err != nil {
			return err
		}
		if k != report.Partners && len(o.inputs) < 2 { // a run of several says each file's
			out.note(fmt.Sprintf("reading %s as %s: %s; give --kind if it holds another kind", o.file, k, why))
		}
		o.kind = string(k)
	}
	return o.checkKind()
}

// pulledFiles are the files of a program's directory, as pull writes it,
// in the order a run takes them.
var pulledFiles = []struct {
	name string
	kind report.Kind
}{{"partners.jsonl", report.Partners}, {"customers.jsonl", report.Customers}, {"transactions.jsonl", report.Transactions}}

// expandDirs takes a DIR among the FILEs as the program's files it holds
// (partners.jsonl, customers.jsonl, transactions.jsonl, as pull writes
// them), each of the kind its name says.
func (o *importOptions) expandDirs(args []string) ([]string, error) {
	var files []string
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil || !st.IsDir() {
			// A file of a pull's DIR is refused as the DIR is.
			if a != "-" && isPullDir(filepath.Dir(a)) {
				if err := wholePull(filepath.Dir(a)); err != nil {
					return nil, err
				}
			}
			files = append(files, a)
			continue
		}
		if err := wholePull(a); err != nil {
			return nil, err
		}
		found := 0
		for _, f := range pulledFiles {
			p := filepath.Join(a, f.name)
			if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
				if o.named == nil {
					o.named = map[string]report.Kind{}
				}
				o.named[p] = f.kind
				files = append(files, p)
				found++
			}
		}
		if found == 0 {
			return nil, usagef("%s is a directory without a program's files (partners.jsonl, customers.jsonl, transactions.jsonl, as pull writes them): give the files themselves", a)
		}
	}
	return files, nil
}
