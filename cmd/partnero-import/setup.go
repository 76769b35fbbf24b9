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
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/partnero-import/partnero-import/importer/partnero"
	"github.com/partnero-import/partnero-import/importer/sandbox"
	"github.com/partnero-import/partnero-import/importer/secret"
)

// client makes the API client: into an embedded sandbox, or the real API
// with a key from the environment or a file, never from a flag value. The
// server's pauses go to the log and the bar.
func (o *importOptions) client(getenv func(string) string, out *output, prog *progress) (*partnero.Client, func(), error) {
	rate, auto, err := parseRate(o.rate)
	if err != nil {
		return nil, nil, err
	}
	cfg := partnero.Config{Rate: rate, AutoRate: auto, Concurrency: o.concurrency, Retries: o.retries, Timeout: o.timeout,
		UserAgent: "partnero-import/" + versionString(),
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
		if o.sandboxPreload != "" {
			n, err := sb.Preload(o.sandboxPreload)
			if err != nil {
				return nil, nil, usageError{err.Error()}
			}
			out.log.Info("sandbox preloaded", "partners", n) // a log line: stderr stays one line on a fatal problem
		}
		if cfg.BaseURL, err = sb.Start("127.0.0.1:0"); err != nil {
			return nil, nil, err
		}
		closeSandbox = func() { sb.Close() }
		cfg.Key = secret.New("sandbox-" + rand.Text()) // the embedded sandbox takes any key; a random one is never a word of an answer
		out.log.Info("importing into an embedded sandbox", "base_url", cfg.BaseURL)
	} else {
		cfg.BaseURL = firstNonEmpty(o.baseURL, getenv("PARTNERO_BASE_URL"), partnero.DefaultBaseURL)
		if cfg.Key, err = apiKey(firstNonEmpty(o.apiKeyFile, getenv("PARTNERO_API_KEY_FILE")), getenv); err != nil {
			return nil, nil, err
		}
	}
	c, err := partnero.New(cfg)
	if err != nil {
		closeSandbox()
		return nil, nil, usageError{err.Error()}
	}
	activeClient.Store(c)
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

func apiKey(file string, getenv func(string) string) (secret.String, error) {
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return secret.String{}, usagef("cannot read --api-key-file: %v", errors.Unwrap(err))
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
		if !st.Mode().IsRegular() && twice {
			// A pipe (a FIFO, /dev/stdin) can be read once: copied first,
			// as standard input is, for the run's two passes.
			f, err := os.Open(file)
			if err != nil {
				return nil, nil, usagef("cannot read %s: %v", file, errors.Unwrap(err))
			}
			defer f.Close()
			return copyOnce(ctx, f)
		}
		return func() (io.ReadCloser, error) {
			f, err := os.Open(file)
			if err != nil {
				return nil, usagef("cannot read %s: %v", file, errors.Unwrap(err))
			}
			return f, nil
		}, func() {}, nil
	}
	return copyOnce(ctx, stdin)
}

// copyOnce copies a stream that can be read only once to a private
// temporary file, and opens that once per pass.
func copyOnce(ctx context.Context, stdin io.Reader) (open func() (io.ReadCloser, error), cleanup func(), err error) {
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
		_, err := io.Copy(tmp, stdin)
		copied <- err
	}()
	select {
	case err := <-copied:
		if err != nil {
			cleanup()
			return nil, nil, usagef("cannot read standard input: %v", err)
		}
	case <-ctx.Done():
		cleanup()
		return nil, nil, interruptedError{"interrupted while standard input was being read: nothing was checked or sent"}
	}
	return func() (io.ReadCloser, error) {
		return copiedInput{io.NewSectionReader(tmp, 0, 1<<62), tmp}, nil
	}, cleanup, nil
}

// copiedInput reads standard input's copy; its Stat gives the progress bar
// a size to measure against. Closing it leaves the copy for the next pass.
type copiedInput struct {
	*io.SectionReader
	f *os.File
}

func (c copiedInput) Close() error { return nil }

func (c copiedInput) Stat() (os.FileInfo, error) { return c.f.Stat() }
