//go:build unix

package main

import (
	"os"
	"syscall"
)

// hardLinked reports a file with more than one name: writing it would
// change the file under its other names too (a report, someone's notes).
func hardLinked(path string) bool {
	st, err := os.Stat(path)
	if err != nil {
		return false
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	return ok && sys.Nlink > 1
}
