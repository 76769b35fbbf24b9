package importer

import (
	"cmp"
	"fmt"
	"hash/maphash"
	"strings"

	"github.com/partnero-import/partnero-import/importer/input"
	"github.com/partnero-import/partnero-import/report"
)

// Upstream is what the earlier files of one run left undone, for the later
// files: a customer whose partner is a row of the partners file that did
// not succeed is skipped/partner_failed without a request, a transaction
// whose customer is such a row skipped/customer_failed. It holds a 64-bit
// fingerprint per name (id, key, email) of each row that did not succeed,
// and of each that did, so that a name given by a failed duplicate row and
// by the row that succeeded is not taken as failed.
type Upstream struct {
	seed      maphash.Seed
	failed    map[uint64]bool // by kind and name: true when no row of that name succeeded
	succeeded map[uint64]bool
	files     map[report.Kind]string // the file of each kind, for messages
}

// NewUpstream is an empty record of the run's earlier files.
func NewUpstream() *Upstream {
	return &Upstream{seed: maphash.MakeSeed(), failed: map[uint64]bool{}, succeeded: map[uint64]bool{}, files: map[report.Kind]string{}}
}

func (u *Upstream) key(kind report.Kind, name string) uint64 {
	return maphash.String(u.seed, string(kind)+"\x00"+name)
}

// note records how a row of kind, known by names, ended.
func (u *Upstream) note(kind report.Kind, names []string, ok bool) {
	if u == nil {
		return
	}
	for _, n := range names {
		k := u.key(kind, n)
		if ok {
			u.succeeded[k] = true
			delete(u.failed, k)
		} else if !u.succeeded[k] {
			u.failed[k] = true
		}
	}
}

// failedOne is the one of names that is a row of kind that did not
// succeed, "" when none is.
func (u *Upstream) failedOne(kind report.Kind, names []string) string {
	if u == nil {
		return ""
	}
	for _, n := range names {
		if u.failed[u.key(kind, n)] {
			return n
		}
	}
	return ""
}

// reading records which file holds the rows of kind.
func (u *Upstream) reading(kind report.Kind, file string) {
	if u != nil {
		u.files[kind] = file
	}
}

// failedWhy says a row's needed record failed: its kind, by the name the
// row gives it, in which file; made says "did not succeed" or "would not
// be made".
func (u *Upstream) failedWhy(kind report.Kind, name, made string) string {
	_, value, _ := strings.Cut(name, ":")
	file := cmp.Or(u.files[kind], "this run's "+string(kind)+" file")
	return fmt.Sprintf("its %s (%s) is a row of %s that %s", strings.TrimSuffix(string(kind), "s"), value, file, made)
}

// failedReason is the reason of a row whose needed record, of kind, was
// not made.
func failedReason(kind report.Kind) report.Reason {
	if kind == report.Customers {
		return report.CustomerFailed
	}
	return report.PartnerFailed
}

// row records how a row of kind ended; nothing is worked out for a run of
// one file (the names are a row's cost only when later files need them).
func (u *Upstream) row(kind Kind, rec *input.Record, ok bool) {
	if u != nil {
		u.note(kind.Name(), kind.Names(rec), ok)
	}
}

// neededFailed is the kind of the record of an earlier file that a row of
// kind needs and that did not succeed, and the name the row gives it; ""
// when none (always in a run of one file).
func (u *Upstream) neededFailed(kind Kind, rec *input.Record) (report.Kind, string) {
	if u == nil {
		return "", ""
	}
	needs, names := kind.Needs(rec)
	if needs == "" {
		return "", ""
	}
	return needs, u.failedOne(needs, names)
}
