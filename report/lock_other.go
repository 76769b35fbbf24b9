//go:build !unix

package report

import "os"

// lock is a no-op where flock does not exist.
func lock(*os.File, bool) error { return nil }
