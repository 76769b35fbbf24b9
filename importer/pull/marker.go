package pull

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
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

// readMarker is the pull and state DIR's marker names; "" and "" for a
// DIR without one, or with one written before any pull finished (or
// before markers named pulls).
func readMarker(dir string) (id, state string, err error) {
	f, err := os.Open(filepath.Join(dir, markerFile))
	if errors.Is(err, fs.ErrNotExist) {
		return "", "", nil
	}
	if err != nil {
		return "", "", err
	}
	defer f.Close()
	lines := bufio.NewScanner(f) // a marker is two short lines; a longer line is not ours
	for lines.Scan() {
		if words := strings.Fields(lines.Text()); len(words) == 3 && words[0] == "pull" {
			id, state = words[1], words[2]
		}
	}
	return id, state, lines.Err()
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
