package report

import (
	"bytes"
	"fmt"
	"io"
	"os"
)

// The files a run reads back (a report, its provenance and referrals) are
// the tool's own, small, line by line. A path that now holds something
// else (a link to /dev/zero, a pipe, a huge file) is refused with a line
// that says so, never read whole into memory.
const (
	maxProvenance = 1 << 20 // a provenance is some hundreds of bytes
	maxLine       = 1 << 20 // a report line's message is cut at 500 characters
)

// longLine is a line longer than maxLine.
type longLine struct{ line int }

func (e *longLine) Error() string {
	return fmt.Sprintf("line %d is longer than %d MiB: not a line this tool writes", e.line, maxLine>>20)
}

// openRegular opens a file the tool wrote, refusing one that is not a
// regular file: a device never ends, and a pipe's open waits for a writer.
// It is looked at before it is opened, and checked again once open.
func openRegular(path string) (*os.File, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, notRegular(path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		f.Close()
		return nil, notRegular(path)
	}
	return f, nil
}

func notRegular(path string) error {
	return fmt.Errorf("%s is not a regular file (a device, a pipe or a directory): it is not a file this tool wrote", path)
}

// lineCapped reads r and fails, naming the line, where a line runs past
// maxLine bytes: encoding/csv holds a whole line in memory.
type lineCapped struct {
	r    io.Reader
	line int // the line being read, from 1
	run  int // its bytes read so far
	err  error
}

func capLines(r io.Reader) *lineCapped { return &lineCapped{r: r, line: 1} }

func (c *lineCapped) Read(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.r.Read(p)
	rest := p[:n]
	for {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			c.run += len(rest)
			break
		}
		if c.run+i > maxLine {
			c.run += i
			break
		}
		c.line, c.run, rest = c.line+1, 0, rest[i+1:]
	}
	if c.run > maxLine {
		c.err = &longLine{c.line}
		return 0, c.err
	}
	return n, err
}
