package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/partnero-import/partnero-import/importer/sandbox"
)

// The sandbox's default limit, per minute: it advertises it, as a real
// server may, so --rate auto rehearses at full speed (20 requests a second).
const defaultSandboxRateLimit = 1200

func runSandbox(ctx context.Context, args []string, s Streams) (int, error) {
	var (
		opts    sandbox.Options
		addr    string
		preload string
		vary    uint64
	)
	fs := flag.NewFlagSet("sandbox", flag.ContinueOnError)
	fs.SetOutput(s.Err)
	fs.StringVar(&addr, "addr", "127.0.0.1:8080", "where to listen")
	fs.StringVar(&opts.APIKey, "api-key", "", "the one bearer token accepted (default: any non-empty token)")
	fs.IntVar(&opts.RateLimit, "rate-limit", defaultSandboxRateLimit, "requests per minute before 429; 0 means none")
	fs.BoolVar(&opts.QuietLimit, "quiet-limit", false, "send no X-RateLimit headers, only 429 and Retry-After")
	fs.DurationVar(&opts.Latency, "latency", 0, "added delay per request")
	fs.Float64Var(&opts.FailRate, "fail-rate", 0, "share of requests answered 500 (0 to 1)")
	fs.StringVar(&opts.Program, "program", sandbox.Affiliate, "affiliate or referral (invitations exist only in affiliate programs)")
	fs.StringVar(&preload, "preload", "", "partners that exist before the import (CSV or JSON Lines)")
	fs.Float64Var(&opts.Faults.FailAfterStore, "fail-after-store-rate", 0, "share of creates and invites stored, then answered 500")
	fs.Float64Var(&opts.Faults.DropAfterStore, "drop-rate", 0, "share of creates and invites stored, then the connection dropped without an answer")
	fs.Float64Var(&opts.Faults.SlowAfterStore, "slow-rate", 0, "share of creates and invites stored, then answered after --slow-delay")
	fs.DurationVar(&opts.Faults.SlowDelay, "slow-delay", 3*time.Second, "the delay of --slow-rate answers")
	fs.Float64Var(&opts.Faults.Burst429, "burst-rate", 0, "share of requests that start a burst of 429s (Retry-After: 1)")
	fs.IntVar(&opts.Faults.BurstLength, "burst-length", 5, "429s in a burst")
	fs.Uint64Var(&vary, "vary", 0, "answer, where the documentation is silent, in one of many plausible ways picked by this seed (0: as documented)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0, errHelp
		}
		return 0, usageError{err.Error()}
	}
	switch {
	case fs.NArg() > 0:
		return 0, usagef("sandbox takes no arguments, got %q", fs.Arg(0))
	case opts.Program != sandbox.Affiliate && opts.Program != sandbox.Referral:
		return 0, usagef("unknown --program %q: use affiliate or referral", opts.Program)
	case !allShares(opts.FailRate, opts.Faults.FailAfterStore, opts.Faults.DropAfterStore, opts.Faults.SlowAfterStore, opts.Faults.Burst429):
		return 0, usagef("--fail-rate, --fail-after-store-rate, --drop-rate, --slow-rate and --burst-rate must be between 0 and 1")
	case opts.RateLimit < 0 || opts.Latency < 0 || opts.Faults.SlowDelay < 0 || opts.Faults.BurstLength < 0:
		return 0, usagef("--rate-limit, --latency, --slow-delay and --burst-length must not be negative")
	}
	if vary != 0 {
		opts.Vary = sandbox.Vary(vary)
		fmt.Fprintf(s.Err, "sandbox: %s\n", opts.Vary)
	}
	sb := sandbox.New(opts)
	if preload != "" {
		n, err := sb.Preload(preload)
		if err != nil {
			return 0, usageError{err.Error()}
		}
		fmt.Fprintf(s.Err, "sandbox: preloaded %d partners\n", n)
	}
	err := sb.Serve(ctx, addr, func(base string) {
		fmt.Fprintf(s.Err, "sandbox: serving the Partnero API at %s (stop with Ctrl-C)\n", base)
		fmt.Fprintf(s.Err, "sandbox: import with PARTNERO_API_KEY=anything partnero-import import --base-url %s FILE\n", base)
	})
	if err != nil {
		return 0, err
	}
	fmt.Fprintf(s.Err, "sandbox: stopped after %d requests (%s)\n", sb.Requests(), time.Now().Format(time.TimeOnly))
	return exitOK, nil
}

func allShares(fs ...float64) bool {
	for _, f := range fs {
		if f < 0 || f > 1 || f != f {
			return false
		}
	}
	return true
}
