package report

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
)

// LockRun holds, until release, a lock named by what: the import of one
// file to one destination. A second run of the same import is refused
// with ErrLocked rather than let two runs each find a sale's key absent
// and both create it. The lock is a file in the system's temporary
// directory, named by a digest of what (never the path or the address
// itself).
func LockRun(what string) (release func(), err error) { return lockRun(what, false) }

// LockRunShared holds the lock named by what beside other shared holders:
// it is refused (ErrLocked) only while LockRun holds it.
func LockRunShared(what string) (release func(), err error) { return lockRun(what, true) }

func lockRun(what string, shared bool) (release func(), err error) {
	sum := sha256.Sum256([]byte(what))
	path := filepath.Join(os.TempDir(), "partnero-import-"+hex.EncodeToString(sum[:12])+".lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return func() {}, nil // no lock to be had (a read-only temp): the run goes on, as before
	}
	if err := lock(f, shared); err != nil {
		f.Close()
		if errors.Is(err, ErrLocked) {
			return nil, ErrLocked
		}
		return func() {}, nil
	}
	return func() { f.Close() }, nil
}
