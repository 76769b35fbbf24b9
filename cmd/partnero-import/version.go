package main

// What the tool says it is: the module's version and the commit it was
// built from, as go build recorded them (runtime/debug.ReadBuildInfo), so
// a report's provenance and a bug report name the code that ran.

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// version is set at build time with -ldflags "-X main.version=...", which
// wins over what the build recorded.
var version = "dev"

// built is what the build recorded of the tool.
type built struct {
	version  string // v1.2.3, a pseudo-version, or dev
	commit   string // the full revision, "" when not built from a checkout
	time     string // the commit's time
	modified bool   // the checkout had uncommitted changes
}

// buildOf reads the build information: go install ...@v1.2.3 records the
// module version; go build in a checkout records a pseudo-version and the
// commit (Go 1.24 on); go run and test binaries record neither.
func buildOf() built {
	b := built{version: version}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return b
	}
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			b.commit = s.Value
		case "vcs.time":
			b.time = s.Value
		case "vcs.modified":
			b.modified = s.Value == "true"
		}
	}
	if version != "dev" {
		return b
	}
	switch v := info.Main.Version; {
	case v != "" && v != "(devel)":
		b.version = v
	case b.commit != "": // an older Go: no pseudo-version, but the commit
		b.version = "dev-" + b.commit[:min(12, len(b.commit))]
		if b.modified {
			b.version += "-dirty"
		}
	}
	return b
}

// versionString is the version that reports, summaries and the User-Agent
// carry.
func versionString() string { return buildOf().version }

// commitString is the commit the tool was built from, "" when unknown.
func commitString() string { return buildOf().commit }

// line is what version prints: the version, then the commit and the Go
// that built it.
func (b built) line() string {
	var about []string
	if b.commit != "" {
		c := "commit " + b.commit
		if b.modified {
			c += " with uncommitted changes"
		}
		about = append(about, c)
	}
	if b.time != "" {
		about = append(about, b.time)
	}
	about = append(about, runtime.Version())
	return "partnero-import " + b.version + " (" + strings.Join(about, ", ") + ")"
}

func runVersion(_ context.Context, args []string, _ func(string) string, s Streams) (int, error) {
	if len(args) > 0 {
		return 0, usagef("version takes no arguments, got %q", args[0])
	}
	fmt.Fprintln(s.Out, buildOf().line())
	return exitOK, nil
}
