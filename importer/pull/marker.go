package pull

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
)

// The marker, DIR/.partnero-pull, says a DIR is pull's and, from the
// first pull that finished on, which pull its files are and whether they
// are in place:
//
//	written by partnero-import pull: it may write over the files here
//	pull 3f9a0c21d4e7b618 whole
//
// A pull writes "replacing" before it renames its files into place and
// "whole" after: a crash in between leaves "replacing", and which of the
// pull's temporary files are still there says which names still hold the
// earlier pull's files.
const markerHead = "written by partnero-import pull: it may write over the files here\n"

// The states a marker names.
const (
	stateWhole     = "whole"     // the four files are this pull's
	stateReplacing = "replacing" // this pull is renaming its files over a whole earlier pull's
	// stateReplacingBroken: renaming over files that were two pulls'
	// already; until the last rename the DIR holds no one pull.
	stateReplacingBroken = "replacing-broken"
)

// writeMarker records pull id's state, whole or not at all: the new marker
// is written beside the old and renamed over it.
func writeMarker(dir, id, state string) error {
	tmp := filepath.Join(dir, markerFile+"."+id+partialSuffix)
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(f, "%spull %s %s\n", markerHead, id, state)
	if err = errors.Join(err, f.Sync(), f.Close()); err == nil {
		err = os.Rename(tmp, filepath.Join(dir, markerFile))
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	syncDir(dir)
	return nil
}

// ErrNotMarker says DIR's .partnero-pull is not one pull wrote: not a
// regular file, too long, or not in its words.
var ErrNotMarker = errors.New("not a pull's marker")

// maxMarker bounds what is read of a marker: pull's is two short lines.
const maxMarker = 512

// readMarker is the pull and state DIR's marker names; "" and "" for a
// DIR without one, or with one written before any pull finished (or
// before markers named pulls). A marker pull did not write is
// ErrNotMarker: it is looked at (never opened) before it is read, so that
// a pipe or a device of that name cannot hold the run.
func readMarker(dir string) (id, state string, err error) {
	path := filepath.Join(dir, markerFile)
	st, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", "", nil
	}
	if err != nil {
		return "", "", err
	}
	if !st.Mode().IsRegular() || st.Size() > maxMarker {
		return "", "", ErrNotMarker
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0) // swapped for a pipe since: never wait on it
	if err != nil {
		return "", "", err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxMarker+1))
	if err != nil {
		return "", "", err
	}
	return parseMarker(string(b))
}

// parseMarker reads a marker's text: pull's first line, then at most one
// line naming a pull and a state pull writes.
func parseMarker(text string) (id, state string, err error) {
	rest, ok := strings.CutPrefix(text, markerHead)
	if !ok || len(text) > maxMarker {
		return "", "", ErrNotMarker
	}
	if rest == "" {
		return "", "", nil
	}
	words := strings.Fields(rest)
	if len(words) != 3 || words[0] != "pull" || !strings.HasSuffix(rest, "\n") || strings.Count(rest, "\n") != 1 ||
		!slices.Contains([]string{stateWhole, stateReplacing, stateReplacingBroken}, words[2]) {
		return "", "", ErrNotMarker
	}
	return words[1], words[2], nil
}

// State is what a DIR's marker says of its files.
type State int

const (
	NoMarker  State = iota // no marker: a DIR pull did not write
	Claimed                // a marker, but no pull finished (or one from before markers named pulls)
	Whole                  // the files are one pull's
	Replacing              // a pull was putting its files in place and did not say it ended
)

// MarkerState is what DIR's marker says: ErrNotMarker for one pull did
// not write. Replacing is told by the marker alone, whatever temporary
// files remain (someone may have deleted them): only the next pull's
// repair needs those.
func MarkerState(dir string) (State, error) {
	if _, err := os.Lstat(filepath.Join(dir, markerFile)); errors.Is(err, fs.ErrNotExist) {
		return NoMarker, nil
	}
	_, state, err := readMarker(dir)
	switch {
	case err != nil:
		return NoMarker, err
	case state == stateWhole:
		return Whole, nil
	case state == "":
		return Claimed, nil
	}
	return Replacing, nil
}

// HalfReplaced reports whether DIR holds the files of two different
// pulls: a pull was stopped (killed, or the machine went down) between
// the first and the last of the renames that put its files in place.
// Such a DIR is no program; the next pull that finishes replaces all its
// files. A DIR pull did not write (no marker) is never half-replaced.
func HalfReplaced(dir string) (bool, error) {
	id, state, err := readMarker(dir)
	if err != nil || (state != stateReplacing && state != stateReplacingBroken) {
		return false, err
	}
	waiting := 0 // the names whose rename had not happened
	for _, name := range outFiles {
		if _, err := os.Lstat(filepath.Join(dir, name+"."+id+partialSuffix)); err == nil {
			waiting++
		}
	}
	switch waiting {
	case 0: // all renamed: the files are the new pull's
		return false, nil
	case len(outFiles): // none renamed: the files are as they were
		return state == stateReplacingBroken, nil
	}
	return true, nil
}

// newPullID names one pull: its temporary files, and in the marker.
func newPullID() string {
	b := make([]byte, 8)
	rand.Read(b) // never fails (crypto/rand, Go 1.24)
	return hex.EncodeToString(b)
}

// syncDir makes the renames in dir durable, where the system can.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// Progress counts the records a pull wrote so far, for a progress display
// that reads it from another goroutine.
type Progress struct {
	Partners, Customers, Transactions, LeftOut atomic.Int64
}
