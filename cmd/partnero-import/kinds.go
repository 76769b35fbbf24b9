package main

import (
	"fmt"

	"github.com/partnero-import/partnero-import/report"
)

// kindOf is the kind of record FILE holds, and why: --kind, or told from
// its header.
func (o *importOptions) kindOf(file string) (report.Kind, string, error) {
	if o.kind != "" {
		return report.Kind(o.kind), "--kind", nil
	}
	return report.Partners, "no --kind", nil // told from the header once input can
}

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
