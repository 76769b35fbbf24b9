package pull

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Source is another platform's API that a program is pulled from.
type Source interface {
	// Name is the SOURCE word of the command line: "rewardful".
	Name() string
	// Pull reads the whole program and writes each of its records into
	// out, carried over or left out. An error means it could not read the
	// whole program.
	Pull(ctx context.Context, out *Out) error
}

// Options are what every source takes besides its credentials.
type Options struct {
	BaseURL string // "": the source's own API
	// ProgramID is the program a source pulls when its lists are a
	// program's (Tolt: --program-id prg_...).
	ProgramID string
	// AmountsIn is the unit a source's amounts are read in, for a source
	// whose documentation leaves it in doubt (tapfiliate: AmountsInCents,
	// the default, or AmountsInMajor).
	AmountsIn string
	// Window scales the source's published limit window (tests: a
	// fake's shorter one); 0 is the published one.
	Window  time.Duration
	Backoff time.Duration // 0: the client's default
	HTTP    *http.Client  // nil: the client's default
	// Throttled, when set, hears of each 429 the pull waits out: the
	// request and how long it waits (for a log that a pull slowed).
	Throttled func(what string, wait time.Duration)
}

// maker makes a source from its credentials, read from the environment
// by name.
type maker struct {
	name string
	env  []string // the environment variables it reads
	make func(env map[string]string, o Options) (Source, error)
}

// sources are the sources this build pulls.
var sources = []maker{
	{name: "rewardful", env: []string{RewardfulSecretEnv}, make: newRewardful},
	{name: "partnerstack", env: []string{PartnerStackPublicKeyEnv, PartnerStackSecretKeyEnv}, make: newPartnerStack},
	{name: "tapfiliate", env: []string{TapfiliateKeyEnv}, make: newTapfiliate},
	{name: "firstpromoter", env: []string{FirstPromoterKeyEnv, FirstPromoterAccountEnv}, make: newFirstPromoter},
	{name: "tolt", env: []string{ToltKeyEnv}, make: newTolt},
}

// Names are the sources this build pulls.
func Names() []string {
	var names []string
	for _, m := range sources {
		names = append(names, m.name)
	}
	return names
}

// New makes the source called name, its credentials read with getenv.
// A missing credential names the variable; the value is never said.
func New(name string, getenv func(string) string, o Options) (Source, error) {
	i := slices.IndexFunc(sources, func(m maker) bool { return m.name == name })
	if i < 0 {
		return nil, fmt.Errorf("this build pulls from %s only, not %q", strings.Join(Names(), ", "), name)
	}
	m := sources[i]
	env := map[string]string{}
	for _, v := range m.env {
		env[v] = strings.TrimSpace(getenv(v))
		if env[v] == "" {
			return nil, fmt.Errorf("pull %s needs %s in the environment", name, v)
		}
	}
	return m.make(env, o)
}
