package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
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
	Command string `json:"command"` // import or validate
	// Destination is the API's address (scheme://host:port), "sandbox",
	// or "none" for a dry run.
	Destination string    `json:"destination"`
	Input       string    `json:"input"`
	InputSHA256 string    `json:"input_sha256,omitempty"`
	Report      string    `json:"report"`
	ResumedFrom string    `json:"resumed_from,omitempty"`
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
	b, err := os.ReadFile(ProvenancePath(report))
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

// write puts p beside the report, whole or not at all (a temporary file
// renamed over the old one).
func (p *Provenance) write() error {
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return err
	}
	path := ProvenancePath(p.Report)
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
