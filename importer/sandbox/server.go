package sandbox

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/idna"
	"golang.org/x/text/unicode/norm"
)

// Programs: invitations exist only in affiliate programs.
const (
	Affiliate = "affiliate"
	Referral  = "referral"
)

// Options configure a server; the zero value is a permissive affiliate
// program with no limit and no faults, answering as documented.
type Options struct {
	APIKey    string // the one token accepted; "" accepts any non-empty token
	RateLimit int    // requests per Window before 429; 0 means none
	// Window is the rate limit's window: a minute, as Partnero's limit is
	// per minute. Benchmarks shorten it to run a "minute" in seconds.
	Window time.Duration
	// QuietLimit leaves out the X-RateLimit headers: a server that only
	// says 429 and Retry-After.
	QuietLimit bool
	Latency    time.Duration // added to every answer
	FailRate   float64       // share of requests answered 500, before anything is stored
	Program    string        // affiliate (default) or referral
	Faults     Faults
	// Vary picks where the documentation is silent; the zero value is the
	// documented mode.
	Vary Variation
}

// Faults are the ways a real network and server lose answers, each a share
// of requests (0 to 1). The store-then-fail faults leave the change made
// while the client learns nothing certain: the cases a client must settle by
// looking.
type Faults struct {
	FailAfterStore float64       // store, then answer 500
	DropAfterStore float64       // store, then close the connection without an answer
	SlowAfterStore float64       // store, then answer after SlowDelay (longer than the client's timeout)
	SlowDelay      time.Duration // default 3s
	Burst429       float64       // start a burst of BurstLength 429s with Retry-After: BurstWait
	BurstLength    int           // default 5
	BurstWait      time.Duration // a burst's Retry-After, default 1s; tests shorten it (written as a fraction of a second)
	Seed           uint64        // for the random choices; 0 means a fixed default
}

// Statuses of a partner, as the API shows them.
const (
	Active   = "active"
	Pending  = "pending" // invited, not signed up yet
	Archived = "archived"
)

// Partner is a partner as the sandbox holds it.
type Partner struct {
	ID        string
	Key       string
	Email     string
	Name      string
	Surname   string
	Tags      []string
	Referrer  string // the referring partner's id
	Status    string // active, pending (invited) or archived
	Invited   bool   // came through an invitation
	CreatedAt time.Time
	UpdatedAt time.Time
	before    string // the status an archived partner is restored to
	seq       int    // its number, for ids as numbers
}

// Server is one sandbox. Its state is its own: several can run at once.
type Server struct {
	opts Options
	lang messages

	mu        sync.Mutex
	partners  []*Partner
	byEmail   map[string]*Partner // lowercased
	byID      map[string]*Partner
	byKey     map[string]*Partner
	customers customers
	// transactions in the order stored: a key may repeat (Variation.RepeatKeys)
	transactions []*Transaction
	seq          int
	window       time.Time // start of the current rate-limit minute
	used         int
	burst        int // 429s still to answer in the current burst
	throttled    int // 429s answered for the rate limit
	conns        int // connections accepted
	rng          *rand.Rand
	requests     int
	writes       int // requests of any method but GET and HEAD

	handler http.Handler // the routes behind their middleware
	srv     *http.Server
	ln      net.Listener
}

// New makes a server with no partners.
func New(opts Options) *Server {
	if opts.Program == "" {
		opts.Program = Affiliate
	}
	if opts.Window == 0 {
		opts.Window = time.Minute
	}
	if opts.Faults.SlowDelay == 0 {
		opts.Faults.SlowDelay = 3 * time.Second
	}
	if opts.Faults.BurstLength == 0 {
		opts.Faults.BurstLength = 5
	}
	if opts.Faults.BurstWait == 0 {
		opts.Faults.BurstWait = time.Second
	}
	opts.QuietLimit = opts.QuietLimit || opts.Vary.QuietLimit
	lang, ok := languages[opts.Vary.Language]
	if !ok {
		lang = languages[""]
	}
	s := &Server{
		opts: opts, lang: lang,
		byEmail: map[string]*Partner{}, byID: map[string]*Partner{}, byKey: map[string]*Partner{},
		rng: rand.New(rand.NewPCG(opts.Faults.Seed, 2)),
	}
	s.handler = s.middleware(s.routes())
	return s
}

// Start listens on addr ("127.0.0.1:0" for a free port) and serves in the
// background. It returns the API root, such as http://127.0.0.1:41234/v1.
func (s *Server) Start(addr string) (string, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("sandbox: %w", err)
	}
	s.ln = ln
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second,
		ConnState: func(_ net.Conn, state http.ConnState) {
			if state == http.StateNew {
				s.mu.Lock()
				s.conns++
				s.mu.Unlock()
			}
		}}
	go s.srv.Serve(ln)
	return "http://" + ln.Addr().String() + "/v1", nil
}

// Serve listens on addr and serves until ctx ends.
func (s *Server) Serve(ctx context.Context, addr string, ready func(baseURL string)) error {
	base, err := s.Start(addr)
	if err != nil {
		return err
	}
	ready(base)
	<-ctx.Done()
	return s.Close()
}

// Close stops the server, letting answers in progress finish.
func (s *Server) Close() error {
	if s.srv == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := s.srv.Shutdown(ctx); err != nil {
		return s.srv.Close() // a client that keeps a connection open without using it
	}
	return nil
}

// Partners returns a copy of the partners held, in the order they came.
func (s *Server) Partners() []Partner {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Partner, len(s.partners))
	for i, p := range s.partners {
		out[i] = *p
		out[i].Tags = slices.Clone(p.Tags)
	}
	return out
}

// Stats are the server's counts so far.
type Stats struct {
	Requests    int // received, answered or not
	Writes      int // of them, those of any method but GET and HEAD
	Throttled   int // answered 429 because the rate limit was spent
	Connections int // TCP connections accepted
}

// Stats returns the counts so far.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Stats{Requests: s.requests, Writes: s.writes, Throttled: s.throttled, Connections: s.conns}
}

// Requests is the number of requests received so far, answered or not.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// Add stores a partner as if it had been there before (--preload): only the
// uniqueness rules apply. It fills in a missing id and key, and dates it a
// day back, before any run that follows.
func (s *Server) Add(p Partner) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.Email == "" {
		return errors.New("a partner needs an email")
	}
	if _, ok := s.byEmail[emailKey(p.Email)]; ok {
		return fmt.Errorf("email %s is there already", p.Email)
	}
	if _, ok := s.byID[p.ID]; ok && p.ID != "" {
		return fmt.Errorf("id %s is there already", p.ID)
	}
	if _, ok := s.byKey[p.Key]; ok && p.Key != "" {
		return fmt.Errorf("key %s is there already", p.Key)
	}
	if p.Status == "" {
		p.Status = Active
	}
	if p.CreatedAt.IsZero() {
		p.CreatedAt = s.now().Add(-24 * time.Hour)
	}
	s.store(&p)
	return nil
}

// now is the server's clock, off by the variation's skew.
func (s *Server) now() time.Time {
	return time.Now().Add(s.opts.Vary.ClockSkew).UTC().Truncate(time.Microsecond)
}

// store keeps p, generating what it lacks. The caller holds mu.
func (s *Server) store(p *Partner) {
	if s.opts.Vary.IDNStore {
		p.Email = asciiDomain(p.Email)
	}
	s.seq++
	p.seq = s.seq
	if p.ID == "" {
		if s.opts.Vary.IDs == "number" {
			p.ID = s.unusedNumber()
		} else {
			p.ID = s.unused(s.byID, "p_", p.Email)
		}
	}
	if p.Key == "" {
		p.Key = s.unused(s.byKey, "", p.Email)
	}
	if p.CreatedAt.IsZero() {
		p.CreatedAt = s.now()
	}
	p.UpdatedAt = p.CreatedAt
	s.partners = append(s.partners, p)
	s.index(p)
}

// emailKey is how the sandbox tells emails apart, as a database with a
// case-insensitive collation would: case and compatibility forms aside, and
// a domain the same in Unicode and in punycode.
func emailKey(email string) string {
	return strings.ToLower(asciiDomain(norm.NFKC.String(strings.TrimSpace(email))))
}

// asciiDomain is an email with its domain in ASCII (punycode).
func asciiDomain(email string) string {
	at := strings.LastIndexByte(email, '@')
	if at < 0 {
		return email
	}
	domain, err := idna.Punycode.ToASCII(strings.ToLower(email[at+1:]))
	if err != nil {
		return email
	}
	return email[:at+1] + domain
}

// index makes p findable by email, id and key. The caller holds mu.
func (s *Server) index(p *Partner) {
	s.byEmail[emailKey(p.Email)] = p
	s.byID[p.ID] = p
	s.byKey[p.Key] = p
}

// remove deletes p for good, freeing its email, id and key. The caller
// holds mu.
func (s *Server) remove(p *Partner) {
	s.partners = slices.DeleteFunc(s.partners, func(q *Partner) bool { return q == p })
	delete(s.byEmail, emailKey(p.Email))
	delete(s.byID, p.ID)
	delete(s.byKey, p.Key)
}

// unused derives an identifier from the email, so that the same file gives
// the same ids in every run whatever the order of requests.
func (s *Server) unused(taken map[string]*Partner, prefix, email string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(email)))
	base := prefix + hex.EncodeToString(sum[:])[:10]
	v := base
	for i := 2; taken[v] != nil; i++ {
		v = fmt.Sprintf("%s%d", base, i)
	}
	return v
}

// unusedNumber is the next free numeric id, for servers whose ids are numbers.
func (s *Server) unusedNumber() string {
	for n := 1000 + s.seq; ; n++ {
		if id := strconv.Itoa(n); s.byID[id] == nil {
			return id
		}
	}
}
