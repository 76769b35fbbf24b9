package main

import (
	"errors"
	"fmt"
	"io"
	"os"

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
