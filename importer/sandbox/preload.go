package sandbox

import (
	"fmt"
	"io"
	"os"

	"github.com/partnero-import/partnero-import/importer/input"
)

// Preload stores the partners of a file (any input format) as partners that
// were there before the import. Rows without an email or that repeat one are
// an error: a preload file is a fixture and should be exact.
func (s *Server) Preload(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	return s.PreloadFrom(path, f)
}

// PreloadFrom is Preload of a file already open (a pipe read as it comes);
// path gives its format and names it in errors.
func (s *Server) PreloadFrom(path string, f io.Reader) (int, error) {
	format, err := input.FormatOf(path)
	if err != nil {
		return 0, err
	}
	// Your program's own export (Partnero's identifier and token columns)
	// is the natural preload: it is read with its preset, unasked.
	rd, err := input.Open(f, input.Options{Format: format, AnyPreset: true})
	if err != nil {
		return 0, fmt.Errorf("preload %s: %w", path, err)
	}
	n := 0
	for {
		rec, err := rd.Next()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, fmt.Errorf("preload %s: %w", path, err)
		}
		if rec.Err != nil {
			return n, fmt.Errorf("preload %s, line %d: %v", path, rec.Line, rec.Err)
		}
		p := Partner{ID: rec.ID, Key: rec.Key, Email: rec.Email, Name: rec.Name, Surname: rec.Surname, Tags: rec.Tags}
		if err := s.Add(p); err != nil {
			return n, fmt.Errorf("preload %s, line %d: %v", path, rec.Line, err)
		}
		n++
	}
}
