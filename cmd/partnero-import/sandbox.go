package main

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/partnero-import/partnero-import/importer/pull"

	"github.com/partnero-import/partnero-import/importer/sandbox"
)

// The sandbox has no rate limit unless --rate-limit asks for one: a
// rehearsal runs at full speed (--rate auto, hearing no limit, ramps up
// within seconds), and throttling is rehearsed on purpose.
const defaultSandboxRateLimit = 0

// sandboxOptions are the sandbox command's flags.
type sandboxOptions struct {
	sandbox.Options
	addr    string
	as      string // a source whose fake to serve instead
	preload []string
	vary    uint64
}

// sandboxFlags defines the sandbox command's flags on o, in the groups
// help shows.
func sandboxFlags(o *sandboxOptions) *flagSet {
	fs := newFlagSet("sandbox")
	fs.group("source")
	fs.StringVar(&o.as, "as", "", "`"+strings.Join(pull.Names(), "|")+"` serve a fake of that platform's API with a small program instead, to rehearse pull")
	fs.group("input")
	fs.Var((*repeated)(&o.preload), "preload", "`FILE` partners, customers or transactions that exist before the import (CSV, JSON Lines or XLSX; repeatable)")
	fs.group("connection")
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8080", "`HOST:PORT` where it listens")
	fs.StringVar(&o.APIKey, "api-key", "", "`KEY` the one bearer token it accepts (default: any non-empty token)")
	fs.IntVar(&o.RateLimit, "rate-limit", defaultSandboxRateLimit, "`N` requests per minute before it answers 429; 0 (the default): none")
	fs.BoolVar(&o.QuietLimit, "quiet-limit", false, "send no X-RateLimit headers, only 429 and Retry-After")
	fs.DurationVar(&o.Latency, "latency", 0, "`DURATION` added to every answer")
	fs.group("behaviour")
	fs.StringVar(&o.Program, "program", sandbox.Affiliate, "`affiliate|referral` the program: invitations exist only in affiliate programs")
	fs.Uint64Var(&o.vary, "vary", 0, "`SEED` answer, where the documentation is silent, in one of many plausible ways this seed picks (0: as documented)")
	fs.Float64Var(&o.FailRate, "fail-rate", 0, "`F` share of requests answered 500 (0 to 1)")
	fs.Float64Var(&o.Faults.FailAfterStore, "fail-after-store-rate", 0, "`F` share of creates and invites stored, then answered 500")
	fs.Float64Var(&o.Faults.DropAfterStore, "drop-rate", 0, "`F` share of creates and invites stored, then the connection dropped without an answer")
	fs.Float64Var(&o.Faults.SlowAfterStore, "slow-rate", 0, "`F` share of creates and invites stored, then answered after --slow-delay")
	fs.DurationVar(&o.Faults.SlowDelay, "slow-delay", 3*time.Second, "`DURATION` the delay of --slow-rate answers")
	fs.Float64Var(&o.Faults.Burst429, "burst-rate", 0, "`F` share of requests that start a burst of 429s (Retry-After: 1)")
	fs.IntVar(&o.Faults.BurstLength, "burst-length", 5, "`N` 429s in a burst")
	return fs
}

func runSandbox(ctx context.Context, args []string, _ func(string) string, s Streams) (int, error) {
	var o sandboxOptions
	fs := sandboxFlags(&o)
	words, err := fs.parse(args)
	if err != nil {
		return 0, err
	}
	if o.as != "" && len(words) == 0 {
		if err := onlyWithoutAs(fs); err != nil {
			return 0, err
		}
		return runFakeSource(ctx, o.as, o.addr, s)
	}
	opts := o.Options
	switch {
	case len(words) > 0:
		return 0, usagef("sandbox takes no arguments, got %q", words[0])
	case opts.Program != sandbox.Affiliate && opts.Program != sandbox.Referral:
		return 0, usagef("unknown --program %q: use affiliate or referral", opts.Program)
	case !allShares(opts.FailRate, opts.Faults.FailAfterStore, opts.Faults.DropAfterStore, opts.Faults.SlowAfterStore, opts.Faults.Burst429):
		return 0, usagef("--fail-rate, --fail-after-store-rate, --drop-rate, --slow-rate and --burst-rate must be between 0 and 1")
	case opts.RateLimit < 0 || opts.Latency < 0 || opts.Faults.SlowDelay < 0 || opts.Faults.BurstLength < 0:
		return 0, usagef("--rate-limit, --latency, --slow-delay and --burst-length must not be negative")
	}
	if o.vary != 0 {
		opts.Vary = sandbox.Vary(o.vary)
		fmt.Fprintf(s.Err, "sandbox: %s\n", opts.Vary)
	}
	sb := sandbox.New(opts)
	loaded, err := preload(ctx, sb, o.preload)
	if err != nil {
		return 0, err
	}
	for _, l := range loaded {
		fmt.Fprintf(s.Err, "sandbox: preloaded %d %s\n", l.n, l.kind)
	}
	err = sb.Serve(ctx, o.addr, func(base string) {
		where := base
		if r := reachable(base); r != base {
			where = fmt.Sprintf("%s on every interface (from this machine: %s)", base, r)
		}
		fmt.Fprintf(s.Err, "sandbox: serving the Partnero API at %s (stop with Ctrl-C)\n", where)
		key := "anything"
		if opts.APIKey != "" {
			key = "'<the --api-key value>'" // a key is never printed, even a sandbox's
		}
		fmt.Fprintf(s.Err, "sandbox: import with PARTNERO_API_KEY=%s %s FILE\n", key, commandLine("import", "--base-url", reachable(base)))
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

// reachable is the sandbox's address as a client on this machine dials
// it: one listening on every interface (0.0.0.0, ::) is reached at the
// loopback address.
func reachable(base string) string {
	u, err := url.Parse(base)
	if err != nil {
		return base
	}
	if ip := net.ParseIP(u.Hostname()); ip != nil && ip.IsUnspecified() {
		u.Host = net.JoinHostPort("127.0.0.1", u.Port())
	}
	return u.String()
}
