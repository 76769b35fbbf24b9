package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Where a report's rows can have gone.
const (
	DestinationSandbox = "sandbox" // the sandbox embedded in the run: gone with it
	DestinationNone    = "none"    // a dry run: nothing was sent
)

// Provenance says where a report's rows went and what they came from. It
// is written beside the report (ProvenancePath) when the report is created,
// before any row is sent, and again as the run learns more; --resume and
// rollback read it and refuse a report of another destination.
type Provenance struct {
	Tool    string `json:"tool"`
	Version string `json:"version"`
	// Commit is the revision the tool was built from, when it was built
	// in a checkout: the code that wrote these rows.
	Commit  string `json:"commit,omitempty"`
	Command string `json:"command"` // import or validate
	// Kind is the kind of rows the report tells of; omitted for partners
	// (so a partners report's provenance reads as before kinds).
	Kind Kind `json:"kind,omitempty"`
	// Destination is the API's address (scheme://host:port), "sandbox",
	// or "none" for a dry run.
	Destination string `json:"destination"`
	Input       string `json:"input"`
	InputSHA256 string `json:"input_sha256,omitempty"`
	Report      string `json:"report"`
	// ResumedFrom is the absolute path of the report this run resumed;
	// ContinuedBy, those of the reports of the runs that resumed this one,
	// the latest last: a job's reports chain, and its last holds it all.
	ResumedFrom string    `json:"resumed_from,omitempty"`
	ContinuedBy []string  `json:"continued_by,omitempty"`
	StartedAt   time.Time `json:"started_at"`
	// Mark is the job's mark, a tag on every partner its creates made (the
	// first run's, when this one resumes another): --resume and rollback
	// know the job's partners by it. "" for a dry run.
	Mark        string    `json:"mark,omitempty"`
	Finished    bool      `json:"finished"`
	EndedAt     time.Time `json:"ended_at,omitzero"` // when it finished (this machine's clock)
	Interrupted bool      `json:"interrupted,omitempty"`
	// NothingSent is true until the API has answered the run's first
	// request: a report whose run sent nothing may be written over.
	NothingSent bool `json:"nothing_sent,omitempty"`
	// RetryOf is, in a rollback's retry file (lines of the import's report,
	// with its provenance), the rollback report it was written beside: the
	// file is a retry file, not a report a run may not write over.
	RetryOf string `json:"retry_of,omitempty"`
	// RetryFile is the absolute path of the run's retry file: a later run
	// with this report writes over (or removes) that file, and no other.
	RetryFile string `json:"retry_file,omitempty"`
}

// ProvenancePath is where a report's provenance is kept: beside it.
func ProvenancePath(report string) string { return report + ".provenance.json" }

// Destination is an API root as a report records it: scheme, host and
// port (the default port spelled out), lowercased; the path does not count.
func Destination(baseURL string) string {
	u, err := url.Parse(baseURL)
	if err != nil || u.Host == "" {
		return baseURL
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"https": "443", "http": "80"}[strings.ToLower(u.Scheme)]
	}
	return strings.ToLower(u.Scheme + "://" + u.Hostname() + ":" + port)
}

// Real reports whether rows sent there exist beyond the run: an API, not
// the embedded sandbox nor a dry run.
func (p *Provenance) Real() bool {
	return p.Destination != DestinationSandbox && p.Destination != DestinationNone
}

// ErrNoProvenance means a report has no provenance beside it.
var ErrNoProvenance = errors.New("no provenance")

// ReadProvenance reads the provenance of the report at path.
func ReadProvenance(report string) (*Provenance, error) {
	b, err := readProvenanceFile(ProvenancePath(report))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s has no %s beside it, so where its rows went is not known: %w",
			report, filepath.Base(ProvenancePath(report)), ErrNoProvenance)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read the provenance of %s: %w", report, err)
	}
	var p Provenance
	if err := json.Unmarshal(b, &p); err != nil || p.Destination == "" {
		return nil, fmt.Errorf("%s is not a partnero-import provenance file", ProvenancePath(report))
	}
	return &p, nil
}

// readProvenanceFile reads a provenance file of at most maxProvenance bytes.
func readProvenanceFile(path string) ([]byte, error) {
	f, err := openRegular(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxProvenance+1))
	if err == nil && len(b) > maxProvenance {
		return nil, fmt.Errorf("%s is larger than %d MiB: it is not a file this tool wrote", path, maxProvenance>>20)
	}
	return b, err
}

// write puts p beside the report, whole or not at all (a temporary file
// renamed over the old one).
func (p *Provenance) write() error { return p.writeTo(ProvenancePath(p.Report)) }

func (p *Provenance) writeTo(path string) error {
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".provenance-*.tmp")
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// Continue records in the provenance of the report resumed that the run
// writing next (an absolute path) continues its job, so that a rollback of
// it can name the report that holds the whole job. Only a file that reads
// as this tool's provenance is rewritten (through a rename, never through
// a link).
func Continue(resumed, next string) error {
	p, err := ReadProvenance(resumed)
	if err != nil {
		return err
	}
	p.ContinuedBy = append(slices.DeleteFunc(p.ContinuedBy, func(c string) bool { return c == next }), next)
	return p.writeTo(ProvenancePath(resumed))
}

// JobEnd follows a report's continuations to the last report of its job,
// the one whose run resumed it (or resumed that one...), which holds every
// row of the job: "" when no run continued it. A continuation that is gone,
// or whose provenance no longer names the report it resumed, is not
// followed but listed in gone.
func JobEnd(path string, p *Provenance) (last string, gone []string) {
	seen := map[string]bool{} // absolute paths: a chain made into a loop ends
	for {
		abs, _ := filepath.Abs(path)
		if seen[abs] {
			break
		}
		seen[abs] = true
		next, np := "", (*Provenance)(nil)
		for _, c := range slices.Backward(p.ContinuedBy) {
			if cp, err := ReadProvenance(c); err == nil && sameFile(cp.ResumedFrom, path) {
				next, np = c, cp
				break
			}
			gone = append(gone, c)
		}
		if next == "" {
			break
		}
		last, path, p = next, next, np
	}
	return last, gone
}

// sameFile reports two paths of one existing file.
func sameFile(a, b string) bool {
	sa, errA := os.Stat(a)
	sb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(sa, sb)
}
