package main

// What a run needs before it reads a row: the API client (or an embedded
// sandbox), its key, and the input opened once per pass.

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/partnero-import/partnero-import/importer/partnero"
	"github.com/partnero-import/partnero-import/importer/sandbox"
	"github.com/partnero-import/partnero-import/importer/secret"
	"github.com/partnero-import/partnero-import/report"
)

// retryBase is the client's first backoff; 0 keeps the client's default.
// Only the tests set it, in TestMain before any test runs, so that the
// faults their servers inject cost milliseconds of waiting, not seconds.
var retryBase time.Duration

// client makes the API client: into an embedded sandbox, or the real API
// with a key from the environment or a file, never from a flag value. The
// server's pauses go to the log and the bar. Its creates carry mark ("" for
// none).
func (o *importOptions) client(ctx context.Context, getenv func(string) string, out *output, prog *progress, mark string) (*partnero.Client, func(), error) {
	rate, auto, err := parseRate(o.rate)
	if err != nil {
		return nil, nil, err
	}
	cfg := partnero.Config{Rate: rate, AutoRate: auto, Concurrency: o.concurrency, Retries: o.retries, Timeout: o.timeout,
		UserAgent: "partnero-import/" + versionString(), Mark: mark, RetryBase: retryBase,
		OnPause: func(d time.Duration) {
			out.log.Warn("throttled: the server asked the pool to wait", "wait_seconds", d.Round(100*time.Millisecond).Seconds())
			prog.paused(d)
		},
	}
	if !auto {
		cfg.OnLimit = func(perSecond float64) { warnAboveLimit(out, o.rate, rate, perSecond) }
	}
	closeSandbox := func() {}
	if o.useSandbox {
		sbOpts := sandbox.Options{RateLimit: defaultSandboxRateLimit}
		if o.sandboxVary != 0 {
			sbOpts.Vary = sandbox.Vary(o.sandboxVary)
			out.log.Info("sandbox varied", "vary", sbOpts.Vary.String())
		}
		sb := sandbox.New(sbOpts)
		loaded, err := preload(ctx, sb, o.sandboxPreload)
		if err != nil {
			return nil, nil, err
		}
		for _, l := range loaded {
			out.log.Info("sandbox preloaded", string(l.kind), l.n) // a log line: stderr stays one line on a fatal problem
		}
		if cfg.BaseURL, err = sb.Start("127.0.0.1:0"); err != nil {
			return nil, nil, err
		}
		closeSandbox = func() { sb.Close() }
		cfg.Key = secret.New("sandbox-" + rand.Text()) // the embedded sandbox takes any key; a random one is never a word of an answer
		out.log.Info("importing into an embedded sandbox", "base_url", cfg.BaseURL)
	} else {
		cfg.BaseURL = firstNonEmpty(o.baseURL, getenv("PARTNERO_BASE_URL"), partnero.DefaultBaseURL)
		if cfg.Key, err = apiKey(ctx, firstNonEmpty(o.apiKeyFile, getenv("PARTNERO_API_KEY_FILE")), getenv); err != nil {
			return nil, nil, err
		}
	}
	c, err := partnero.New(cfg)
	if err != nil {
		closeSandbox()
		return nil, nil, usageError{err.Error()}
	}
	return c, closeSandbox, nil
}

// warnAboveLimit warns when a fixed --rate is above the limit the server
// advertises: the run would only earn 429s and pauses.
func warnAboveLimit(out *output, flagValue string, rate, limit float64) {
	if rate > 0 && rate <= limit {
		return
	}
	what := "--rate " + flagValue
	if rate == 0 {
		what = "--rate 0 (no limit)"
	}
	out.warn(fmt.Sprintf("%s is above the limit the server advertises (%g requests a minute, %g a second): expect 429s and pauses; use --rate auto, or at most --rate %g",
		what, math.Round(limit*60), math.Round(limit*100)/100, math.Floor(limit*100)/100))
}

func parseRate(v string) (r float64, auto bool, err error) {
	if strings.EqualFold(v, "auto") {
		return 0, true, nil
	}
	r, err = strconv.ParseFloat(v, 64)
	if err != nil || r < 0 || r != r || r > 1e6 {
		return 0, false, usagef("--rate must be auto or a number of requests per second (0 for no limit), not %q", v)
	}
	if r > 0 && r < minRate {
		// Slower would be a run that seems to hang: a request every 100 s at least.
		return 0, false, usagef("--rate %s is below %g requests per second (one every %g s): give at least %g, or 0 for no limit", v, minRate, 1/minRate, minRate)
	}
	return r, false, nil
}

// maxKeyFile is the most of a key file read: a key is some tens of bytes,
// and a larger file (a device, a log named by mistake) is not read whole.
const maxKeyFile = 4 << 10

func apiKey(ctx context.Context, file string, getenv func(string) string) (secret.String, error) {
	if file != "" {
		b, err := readKeyFile(ctx, file)
		if err != nil {
			return secret.String{}, err
		}
		if k := strings.TrimSpace(string(b)); k != "" {
			return plainKey(k, "the key in "+file)
		}
		return secret.String{}, usagef("--api-key-file %s is empty", file)
	}
	if k := strings.TrimSpace(getenv("PARTNERO_API_KEY")); k != "" {
		return plainKey(k, "PARTNERO_API_KEY")
	}
	return secret.String{}, usagef("no API key: set PARTNERO_API_KEY or PARTNERO_API_KEY_FILE, or use --api-key-file (or --sandbox to rehearse)")
}

// readKeyFile reads a key file of at most maxKeyFile bytes. A FIFO
// (--api-key-file <(pass show partnero)) is read as the input is: a
// signal ends a wait for its writer, or for its writer to write.
func readKeyFile(ctx context.Context, file string) ([]byte, error) {
	if _, err := os.Stat(file); err != nil {
		return nil, usagef("cannot read --api-key-file: %v", errors.Unwrap(err))
	}
	f, err := openInput(ctx, file)
	if err != nil {
		return nil, err
	}
	r := readAsItComes(ctx, f, "interrupted while the key was being read from "+file+": nothing was sent")
	defer r.Close()
	b, err := io.ReadAll(io.LimitReader(r, maxKeyFile+1))
	if errors.As(err, new(interruptedError)) {
		return nil, err
	}
	if err != nil {
		return nil, usagef("cannot read --api-key-file: %v", errors.Unwrap(err))
	}
	if len(b) > maxKeyFile {
		return nil, usagef("--api-key-file %s is larger than %d KiB: it should hold the API key alone", file, maxKeyFile>>10)
	}
	return b, nil
}

// plainKey refuses a key with a control character inside (a line break
// pasted in, two keys in one file): no request could carry it, and sending
// it would only end in an unreachable API. The key itself is never shown.
func plainKey(k, source string) (secret.String, error) {
	for _, r := range k {
		if unicode.IsControl(r) {
			return secret.String{}, usagef("%s holds a control character (%U) inside it, such as a line break: an API key is one line of text; set it again", source, r)
		}
	}
	return secret.New(k), nil
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// openSource returns a function that opens the input once per pass. Standard
// input can be read only once, so it is first copied to a private temporary
// file, removed at the end; so is a pipe named as FILE when the run reads
// it twice (an import: validate reads once, showing its progress).
func openSource(ctx context.Context, file string, stdin io.Reader, twice bool) (open func() (io.ReadCloser, error), cleanup func(), err error) {
	if file != "-" {
		st, err := os.Stat(file)
		if err != nil {
			return nil, nil, usagef("cannot read %s: %v", file, errors.Unwrap(err))
		}
		if st.IsDir() {
			return nil, nil, usagef("%s is a directory, not a file", file)
		}
		if !st.Mode().IsRegular() {
			// A pipe (a FIFO, /dev/stdin) is opened now, while nothing
			// else runs: its open waits for a writer.
			f, err := openInput(ctx, file)
			if err != nil {
				return nil, nil, err
			}
			if twice {
				// It can be read once: copied first, as standard input
				// is, for the run's two passes.
				defer f.Close()
				return copyOnce(ctx, f, file)
			}
			return func() (io.ReadCloser, error) {
					if opened := f; opened != nil {
						f = nil
						return readAsItComes(ctx, opened, "interrupted while "+file+" was being read: the report holds the rows read before, and the rows it had not given were not checked"), nil
					}
					return openInput(ctx, file)
				}, func() {
					if f != nil {
						f.Close() // never handed to the run
					}
				}, nil
		}
		return func() (io.ReadCloser, error) {
			f, err := os.Open(file) // a regular file: opened at once
			if err != nil {
				return nil, usagef("cannot read %s: %v", file, errors.Unwrap(err))
			}
			return f, nil
		}, func() {}, nil
	}
	return copyOnce(ctx, stdin, "standard input")
}

// openInput opens the input, giving up when ctx ends: opening a FIFO
// waits for a writer, and a signal must end the run all the same.
func openInput(ctx context.Context, file string) (*os.File, error) {
	type opened struct {
		f   *os.File
		err error
	}
	done := make(chan opened, 1)
	go func() {
		f, err := os.Open(file)
		done <- opened{f, err}
	}()
	select {
	case o := <-done:
		if o.err != nil {
			return nil, usagef("cannot read %s: %v", file, errors.Unwrap(o.err))
		}
		return o.f, nil
	case <-ctx.Done():
		go func() { // the open may still succeed: close what it opens
			if o := <-done; o.f != nil {
				o.f.Close()
			}
		}()
		return nil, interruptedError{fmt.Sprintf("interrupted while waiting for %s to be written to: nothing was checked or sent", file)}
	}
}

// asItComes is a pipe read as its writer writes (validate's input, a key
// file, a preload): a signal ends a read that waits on a writer who writes
// nothing more, rather than leave the run deaf to the first Ctrl-C.
type asItComes struct {
	*os.File
	ctx         context.Context
	stop        func() bool
	interrupted string // what the run says when a signal ends a read
}

func readAsItComes(ctx context.Context, f *os.File, interrupted string) *asItComes {
	stop := context.AfterFunc(ctx, func() { f.SetReadDeadline(time.Now()) })
	return &asItComes{File: f, ctx: ctx, stop: stop, interrupted: interrupted}
}

func (a *asItComes) Read(p []byte) (int, error) {
	n, err := a.File.Read(p)
	if err != nil && a.ctx.Err() != nil && errors.Is(err, os.ErrDeadlineExceeded) {
		return n, interruptedError{a.interrupted}
	}
	return n, err
}

func (a *asItComes) Close() error {
	a.stop()
	return a.File.Close()
}

// preloaded is how many records of a kind a preload file gave.
type preloaded struct {
	kind report.Kind
	n    int
}

// preload fills an embedded sandbox from the files at paths, each of the
// kind its header tells, partners first, then customers (whose partners
// must be there), then transactions.
func preload(ctx context.Context, sb *sandbox.Server, paths []string) ([]preloaded, error) {
	var loaded []preloaded
	for _, path := range paths {
		k, _, err := (&importOptions{}).kindOf(path)
		if err != nil {
			return nil, err
		}
		loaded = append(loaded, preloaded{kind: k})
	}
	order := make([]int, len(paths))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return kindOrder(loaded[a].kind) - kindOrder(loaded[b].kind) })
	for _, i := range order {
		n, err := preloadFile(ctx, sb, paths[i], loaded[i].kind)
		if err != nil {
			return nil, err
		}
		loaded[i].n = n
	}
	return loaded, nil
}

// preloads are the preload files, as inputs the run never writes over.
func preloads(paths []string) []file {
	var fs []file
	for _, p := range paths {
		fs = append(fs, file{"--sandbox-preload", p, anInput})
	}
	return fs
}

// preloadFile fills an embedded sandbox from path: a FIFO is waited for and
// read as the input is, so a signal ends the run all the same.
func preloadFile(ctx context.Context, sb *sandbox.Server, path string, k report.Kind) (int, error) {
	f, err := openInput(ctx, path)
	if err != nil {
		return 0, err
	}
	r := readAsItComes(ctx, f, "interrupted while the preload file "+path+" was being read: nothing was sent")
	defer r.Close()
	n, err := sb.PreloadKind(path, r, k)
	switch {
	case err != nil && ctx.Err() != nil:
		return 0, interruptedError{r.interrupted}
	case err != nil:
		return 0, usageError{err.Error()}
	}
	return n, nil
}

// maxCopiedInput is the most of standard input, a pipe or a device that
// is copied for a run's passes: past it (/dev/zero, a producer that never
// ends) the run stops rather than fill the disk. A larger file is given
// by its path, and read where it is.
const maxCopiedInput = 1 << 30

// copyOnce copies a stream that can be read only once to a private
// temporary file, and opens that once per pass; what names it in messages.
func copyOnce(ctx context.Context, stdin io.Reader, what string) (open func() (io.ReadCloser, error), cleanup func(), err error) {
	tmp, err := os.CreateTemp("", "partnero-import-stdin-*") // 0600
	if err != nil {
		return nil, nil, err
	}
	// The copy may hold passwords: unlinked at once, it leaves nothing on
	// disk even when the run is killed (where an open file cannot be
	// unlinked, as on Windows, cleanup removes it).
	os.Remove(tmp.Name())
	cleanup = func() { tmp.Close(); os.Remove(tmp.Name()) }
	// A Ctrl-C while the pipe is still being read (a slow producer) ends
	// the run at once: nothing has been checked or sent yet.
	copied := make(chan error, 1)
	go func() {
		n, err := io.Copy(tmp, io.LimitReader(stdin, maxCopiedInput+1))
		if err == nil && n > maxCopiedInput {
			err = errCopyTooLarge
		}
		copied <- err
	}()
	select {
	case err := <-copied:
		if errors.Is(err, errCopyTooLarge) {
			cleanup()
			return nil, nil, usagef("the input is a stream (standard input, a pipe or a device) longer than %d GiB, the most copied for the run's passes: save it to a file and give its path", maxCopiedInput>>30)
		}
		if err != nil {
			cleanup()
			return nil, nil, usagef("cannot read %s: %v", what, err)
		}
	case <-ctx.Done():
		cleanup()
		return nil, nil, interruptedError{"interrupted while " + what + " was being read: nothing was checked or sent"}
	}
	return func() (io.ReadCloser, error) {
		return copiedInput{io.NewSectionReader(tmp, 0, 1<<62), tmp}, nil
	}, cleanup, nil
}

var errCopyTooLarge = errors.New("longer than maxCopiedInput")

// copiedInput reads standard input's copy; its Stat gives the progress bar
// a size to measure against. Closing it leaves the copy for the next pass.
type copiedInput struct {
	*io.SectionReader
	f *os.File
}

func (c copiedInput) Close() error { return nil }

func (c copiedInput) Stat() (os.FileInfo, error) { return c.f.Stat() }
