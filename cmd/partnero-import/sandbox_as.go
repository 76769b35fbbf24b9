package main

// sandbox --as SOURCE: serve a fake of another platform's API with a
// small program, to rehearse pull before it touches the real API.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/partnero-import/partnero-import/importer/pull"
	"github.com/partnero-import/partnero-import/importer/pull/fake"
)

// rehearsalCredential is what every fake source accepts: it is no one's
// secret, so the sandbox prints it.
const rehearsalCredential = "rehearsal"

// rehearsalProgram is the program id a fake Tolt serves.
const rehearsalProgram = "prg_rehearsal"

// fakeSource is a source's fake with its sample program, at its API root,
// with the environment and flags a pull from it needs.
type fakeSource struct {
	handler interface {
		http.Handler
		Counts() (requests, throttled int)
	}
	root  string   // the API root's path: "/v1"
	env   []string // NAME=VALUE the pull reads
	flags []string // besides --source-base-url and --out
}

// fakeSources are the fakes sandbox --as serves, by SOURCE; each limits
// requests as its source publishes (none where it publishes none).
func fakeSources() map[string]fakeSource {
	c := rehearsalCredential
	return map[string]fakeSource{
		"rewardful": {fake.RewardfulSample(c), "/v1", []string{pull.RewardfulSecretEnv + "=" + c}, nil},
		"firstpromoter": {fake.FirstPromoterSample(c, c), "/api/v2/company",
			[]string{pull.FirstPromoterKeyEnv + "=" + c, pull.FirstPromoterAccountEnv + "=" + c}, nil},
		"tolt":       {fake.ToltSample(c, rehearsalProgram), "/v1", []string{pull.ToltKeyEnv + "=" + c}, []string{"--program-id", rehearsalProgram}},
		"tapfiliate": {fake.TapfiliateSample(c), "/1.6", []string{pull.TapfiliateKeyEnv + "=" + c}, nil},
		"partnerstack": {fake.PartnerStackSample(c, c), "/api/v2",
			[]string{pull.PartnerStackPublicKeyEnv + "=" + c, pull.PartnerStackSecretKeyEnv + "=" + c}, nil},
	}
}

// onlyWithoutAs are the sandbox flags of the Partnero sandbox, which a
// fake source does not take.
func onlyWithoutAs(fs *flagSet) error {
	var set []string
	fs.Visit(func(f *flag.Flag) {
		if f.Name != "as" && f.Name != "addr" {
			set = append(set, "--"+f.Name)
		}
	})
	if len(set) > 0 {
		return usagef("sandbox --as serves the source's fake as it is: %s is for the Partnero sandbox", set[0])
	}
	return nil
}

// runFakeSource serves the fake of source on addr until ctx ends.
func runFakeSource(ctx context.Context, source, addr string, s Streams) (int, error) {
	f, ok := fakeSources()[source]
	if !ok {
		return 0, usagef("unknown --as %q: the sandbox imitates %s", source, strings.Join(pull.Names(), ", "))
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return 0, usagef("sandbox: %v", err)
	}
	srv := &http.Server{Handler: f.handler, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	base := reachable("http://" + ln.Addr().String() + f.root)
	fmt.Fprintf(s.Err, "sandbox: serving a fake %s API with a small program at %s (stop with Ctrl-C)\n", source, base)
	pullArgs := append([]string{"pull", source, "--source-base-url", base}, f.flags...)
	fmt.Fprintf(s.Err, "sandbox: pull with %s %s --out DIR\n", strings.Join(f.env, " "), commandLine(pullArgs...))
	select {
	case <-ctx.Done():
	case err := <-served:
		return 0, usagef("sandbox: %v", err)
	}
	stop, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := srv.Shutdown(stop); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return 0, usagef("sandbox: %v", err)
	}
	requests, throttled := f.handler.Counts()
	fmt.Fprintf(s.Err, "sandbox: stopped after %d requests, %d of them answered 429 (%s)\n", requests, throttled, time.Now().Format(time.TimeOnly))
	return exitOK, nil
}
