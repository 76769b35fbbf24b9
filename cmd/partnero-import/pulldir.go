package main

// A pull's DIR, as validate and import read it and as pull and import
// hold it.

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/partnero-import/partnero-import/importer/pull"
	"github.com/partnero-import/partnero-import/report"
)

// isPullDir reports whether dir holds a marker, pull's or not.
func isPullDir(dir string) bool {
	_, err := os.Lstat(filepath.Join(dir, pull.MarkerFile))
	return err == nil
}

// wholePull refuses a DIR that holds no one pull's program: its files
// come from two pulls (one stopped between the renames that put its files
// in place, whatever temporary files remain), one of them is missing, or
// its marker is not a pull's.
func wholePull(dir string) error {
	state, err := pull.MarkerState(dir)
	switch {
	case errors.Is(err, pull.ErrNotMarker):
		return usagef("%s: its %s is not a pull's marker (not the file pull writes there): give files that are not in it, or pull again into a new directory", dir, pull.MarkerFile)
	case err != nil:
		return usagef("cannot read %s's marker: %v", dir, err)
	case state == pull.Replacing:
		return usagef("%s holds files of two different pulls (one was stopped while putting its files in place): run the pull again", dir)
	case state == pull.Whole:
		for _, f := range pulledFiles {
			if st, err := os.Stat(filepath.Join(dir, f.name)); err != nil || !st.Mode().IsRegular() {
				return usagef("%s lacks the %s its pull wrote: run the pull again", dir, f.name)
			}
		}
	}
	return nil
}

// pullDirKey names the lock of a pull's DIR: the directory itself, its
// symbolic links resolved, so that two names of one DIR are one lock.
func pullDirKey(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	return "pull\x00" + abs, nil
}

// importingKey is held (shared) by every import of a pull's DIR, beside
// the DIR's own lock, so that a pull refused can say what holds the DIR.
func importingKey(dirKey string) string { return "import-of-pull\x00" + dirKey }

// lockPullDirs holds, for the whole session, the DIR of a pull that an
// input is in, beside other imports of it: a pull into it meanwhile would
// change the files the import has not read yet. Validate reads nothing it
// sends, and needs none.
func (o *importOptions) lockPullDirs(ss *session, dryRun bool) error {
	if dryRun {
		return nil
	}
	held := map[string]bool{}
	for _, file := range o.inputs {
		dir := filepath.Dir(file)
		if file == "-" || !isPullDir(dir) {
			continue
		}
		key, err := pullDirKey(dir)
		if err != nil || held[key] {
			continue
		}
		release, err := report.LockRunShared(key)
		if err != nil {
			return usagef("a pull into %s is running: wait for it to end, then import the files it wrote", dir)
		}
		held[key] = true
		ss.closers = append(ss.closers, release)
		if release, err = report.LockRunShared(importingKey(key)); err == nil {
			ss.closers = append(ss.closers, release)
		}
	}
	return nil
}

// whatHolds says what holds a pull's DIR whose lock a pull was refused.
func whatHolds(key, dir string) string {
	release, err := report.LockRun(importingKey(key))
	if err != nil {
		return fmt.Sprintf("an import of %s is running: wait for it to end", dir)
	}
	release()
	return fmt.Sprintf("another pull into %s is running: wait for it to end", dir)
}
