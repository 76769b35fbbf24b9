//go:build unix

package report

import (
	"errors"
	"os"
	"syscall"
)

// lock takes an advisory lock on the open report, so that two runs (say,
// overlapping cron jobs) cannot write one report and send the same rows.
func lock(f *os.File, shared bool) error {
	how := syscall.LOCK_EX
	if shared {
		how = syscall.LOCK_SH
	}
	err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return ErrLocked
	}
	return err
}
