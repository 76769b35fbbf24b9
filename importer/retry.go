package importer

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/partnero-import/partnero-import/importer/input"
	"github.com/partnero-import/partnero-import/report"
)

// RetryPath is where the rows that did not succeed are written: beside the
// report, named after it, in the input's format: partners.report.csv and a
// CSV input give partners.retry.csv.
func RetryPath(reportPath, format string) string {
	base := reportPath
	for _, ext := range []string{".report.csv", ".report.jsonl", filepath.Ext(reportPath)} {
		if strings.HasSuffix(strings.ToLower(base), ext) && ext != "" {
			base = base[:len(base)-len(ext)]
			break
		}
	}
	return base + ".retry." + format
}

// retryFile collects the input rows that did not succeed, as the file had
// them (header included, text decoded to UTF-8), so the user can fix them
// and import only those. It holds passwords: it is created 0600, and only
// when a row needs it.
type retryFile struct {
	path   string
	header []byte
	f      *os.File
	rows   int
	err    error
}

func newRetryFile(path string) *retryFile {
	return &retryFile{path: path}
}

// setHeader notes the input's header before the first row is added.
func (r *retryFile) setHeader(rd input.Reader) {
	if r != nil && r.header == nil {
		r.header = rd.Header()
	}
}

// add writes a row's text when its outcome is not a success.
func (r *retryFile) add(line *report.Line, raw []byte) {
	if r == nil || r.err != nil || report.Succeeded(line.Status, line.Reason) || raw == nil {
		return
	}
	if r.f == nil {
		if r.f, r.err = os.OpenFile(r.path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600); r.err != nil {
			return
		}
		// A file of that name that existed keeps its mode through O_TRUNC:
		// the passwords in it are for the user's eyes only.
		if r.err = r.f.Chmod(0o600); r.err != nil {
			return
		}
		_, r.err = r.f.Write(r.header)
	}
	if len(raw) > 0 && raw[len(raw)-1] != '\n' {
		raw = append(raw, '\n')
	}
	if r.err == nil {
		_, r.err = r.f.Write(raw)
	}
	r.rows++
}

// close finishes the file; it returns its path, or "" when no row needed
// it. A run that ended (ended: no error stopped it) and needed none removes
// an earlier run's file of the same name, which would mislead; a run that
// could not read its input leaves it alone.
func (r *retryFile) close(ended bool) (string, error) {
	if r == nil {
		return "", nil
	}
	if r.f == nil {
		if ended && r.err == nil {
			os.Remove(r.path)
		}
		return "", r.errOrNil()
	}
	if err := r.f.Close(); r.err == nil {
		r.err = err
	}
	if r.err != nil {
		return "", fmt.Errorf("cannot write the retry file: %w", r.err)
	}
	return r.path, nil
}

func (r *retryFile) errOrNil() error {
	if r == nil || r.err == nil {
		return nil
	}
	return fmt.Errorf("cannot write the retry file: %w", r.err)
}
