package partnero

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/partnero-import/partnero-import/importer/secret"
	"github.com/partnero-import/partnero-import/printable"
)

// rateMargin keeps a fixed --rate just under the server's limit.
const rateMargin = 0.99

// DefaultBaseURL is the API root of Partnero.
const DefaultBaseURL = "https://api.partnero.com/v1"

// Config says where and how fast to call the API.
type Config struct {
	BaseURL     string
	Key         secret.String
	Rate        float64 // requests per second at most; 0 means no limit
	Concurrency int     // requests in flight; sizes the idle connection pool
	Retries     int     // further attempts after a retryable answer
	Timeout     time.Duration
	UserAgent   string
	// RetryBase is the first retry's wait (doubling after); default 500ms.
	RetryBase time.Duration
	// OnPause, if set, hears each time the server makes the pool wait.
	OnPause func(wait time.Duration)
	// OnLimit, if set, hears the limit the server advertises
	// (X-RateLimit-Limit over LimitWindow, as requests per second), at the
	// first answer that carries it and whenever it changes: a fixed --rate
	// above it only earns 429s.
	OnLimit func(perSecond float64)
	// AutoRate starts slowly and follows the limit the server advertises
	// (Rate is then ignored); see pacer.go.
	AutoRate bool
	// LimitWindow is what X-RateLimit-Limit counts over: a minute for
	// Partnero. Benchmarks shorten it together with the sandbox's.
	LimitWindow time.Duration
	// LookupBudget bounds one lookup, pages and waits included; default
	// two minutes. A walk of the whole list (a server without search) has
	// a budget of its own.
	LookupBudget time.Duration
	// Mark is the job's mark (NewMark), a tag every create carries, by
	// which a partner found after a lost answer is shown to be the job's
	// (mark.go). "" sends none: then no such partner can be shown to be.
	Mark string
}

// Client calls the Partnero API. It is safe for concurrent use; all its
// requests share one limiter.
type Client struct {
	base       string // without a trailing slash: base + "/partners:invite"
	key        secret.String
	http       *http.Client
	limiter    *rate.Limiter
	retries    int
	timeout    time.Duration
	agent      string
	base0      time.Duration // first backoff
	onPause    func(time.Duration)
	onLimit    func(float64)
	window     time.Duration // what X-RateLimit-Limit counts over
	limit      atomic.Int64  // the last X-RateLimit-Limit heard
	auto       *autoRate     // nil unless Config.AutoRate
	requests   atomic.Int64
	retried    atomic.Int64  // attempts after a retryable answer
	inFlight   atomic.Int64  // requests sent and not yet answered
	wrote      atomic.Bool   // a request other than a read has been sent
	creating   atomic.Int64  // rows whose create or invite is being sent: a partner may come of them
	budget     time.Duration // of one lookup
	noSearch   atomic.Bool   // GET /partners:search is not there: look up without it
	preferWalk atomic.Bool   // validate --against with many rows: one walk answers every email
	ups        upserts       // how --update-existing rows turned out, to pick the cheaper way
	mark       string        // the job's tag on every create
	marks      marks         // whether the server keeps it
	// customerMarks: whether it keeps it on customers
	customerMarks customerMarks
	index         index        // the program's partners, for a server without search
	walks         atomic.Int64 // walks of the whole list

	mu         sync.Mutex
	pauseUntil time.Time // no request starts before this: the server said to wait

	// passwords are the file's passwords read so far: a server may echo
	// one row's in another row's answer.
	passwords secret.Set
}

// NotePassword adds a password of the file to those scrubbed from every
// answer and message, whichever row it comes with.
func (c *Client) NotePassword(pw secret.String) { c.passwords.Add(pw) }

// CheckBaseURL refuses a base URL that would send the key in clear text
// over a network: only https, or plain http to a loopback address.
func CheckBaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("--base-url %q is not an http(s) URL", raw)
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return nil, fmt.Errorf("--base-url %q must use https: the API key is never sent in clear text over a network (plain http is allowed only on a loopback address)", raw)
	}
	return u, nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// New makes a client; the base URL must pass CheckBaseURL.
func New(cfg Config) (*Client, error) {
	u, err := CheckBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	limit := rate.Inf // rate.Limit(0) would allow nothing at all
	if cfg.Rate > 0 {
		// A hair under the ceiling: a server's window opens when the first
		// request arrives, and arrivals jitter by a millisecond or two.
		limit = rate.Limit(cfg.Rate * rateMargin)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = max(cfg.Concurrency, 2) // keep-alive for every worker
	if cfg.AutoRate {
		limit = rate.Limit(autoStart)
	}
	c := &Client{
		base:    strings.TrimRight(u.String(), "/"),
		key:     cfg.Key,
		http:    &http.Client{Transport: tr, CheckRedirect: noRedirects},
		limiter: rate.NewLimiter(limit, 1), // burst 1: requests evenly spaced
		retries: max(cfg.Retries, 0),
		timeout: cfg.Timeout,
		agent:   cfg.UserAgent,
		base0:   cmp.Or(cfg.RetryBase, 500*time.Millisecond),
		onPause: cfg.OnPause,
		onLimit: cfg.OnLimit,
		window:  cmp.Or(cfg.LimitWindow, time.Minute),
		budget:  cmp.Or(cfg.LookupBudget, 2*time.Minute),
		mark:    cfg.Mark,
	}
	c.marks.made.noted = make(chan struct{})
	if cfg.AutoRate {
		c.auto = newAutoRate(c.limiter, c.window)
	}
	return c, nil
}

// A redirect would replay a POST elsewhere, possibly without TLS: refuse it.
func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// Close lets go of idle connections.
func (c *Client) Close() { c.http.CloseIdleConnections() }

// Requests is the number of HTTP requests sent so far.
func (c *Client) Requests() int { return int(c.requests.Load()) }

// Retries is how many of those were a row's request sent again after a
// throttled, failed or lost attempt (not the update after a refused
// create, nor a lookup).
func (c *Client) Retries() int { return int(c.retried.Load()) }

// InFlight is the number of requests sent and not yet answered: what a
// stopping run still waits for, each within the timeout.
func (c *Client) InFlight() int { return int(c.inFlight.Load()) }

// Wrote reports whether a request that may change Partnero (anything but a
// read) has been sent.
func (c *Client) Wrote() bool { return c.wrote.Load() }

// Partner is what a create or an invite sends.
type Partner struct {
	ID        string
	Key       string
	Email     string
	Name      string
	Surname   string
	Password  secret.String
	Tags      []string
	Referring Referring
	// MaybeSent says an earlier run may have sent this row already (it was
	// in flight when that run died): any refusal then leads to a lookup.
	MaybeSent bool
	invite    bool // sent as an invite, which carries no mark
	// absentBefore: a lookup just before the invite's first attempt found
	// no partner with its email.
	absentBefore bool
	// Unmarked says an earlier run of the job may have sent this row with
	// no mark (a report of a version without marks): a partner found
	// without the mark may still be the job's.
	Unmarked bool
}

// Referring names a partner's referrer by id, key or email.
type Referring struct {
	ID    string `json:"id,omitempty"`
	Key   string `json:"key,omitempty"`
	Email string `json:"email,omitempty"`
}

// Outcome is a row's result after all attempts: what the server said.
type Outcome struct {
	Verdict
	HTTPStatus   int    // the last status received, 0 when none
	Attempts     int    // requests sent for the row
	PartnerID    string // from a success body, or the lookup that settled the row
	ReferralLink string
	// Unproven is the id of a partner with the row's email that a lookup
	// found after a lost answer, when whether this job made it cannot be
	// shown: the server's word is not to be trusted (Lost, ServerFault),
	// yet the partner exists (--skip-existing and --update-existing settle
	// it as existing).
	Unproven string
	// Foreseen is what validate --against found an import would do.
	Foreseen Foreseen
	// Archived says the partner with the row's email that the run found
	// there is archived (an import does not restore it).
	Archived bool
	// there is the partner with the row's email that a lookup found, not
	// made by this job (or not shown to be), for an update to follow
	// without looking again.
	there *partner
}

// Existing is the id of the partner with the row's email that a lookup
// found there, not made by this job (or not shown to be); "" when none was.
func (o Outcome) Existing() string {
	if o.there == nil {
		return ""
	}
	return o.there.ID
}

// call is one kind of request a row becomes.
type call struct {
	path string
	// needsData: the success answer must carry the partner (a create); an
	// invite's answer is not documented, so any 2xx that does not deny
	// success is one.
	needsData bool
}

var (
	createCall = call{path: "/partners", needsData: true}
	inviteCall = call{path: "/partners:invite"}
)

// Create creates a partner (POST /partners). When ctx ends no new attempt
// starts; an attempt in flight finishes within the timeout.
func (c *Client) Create(ctx context.Context, p *Partner) Outcome {
	body := map[string]any{"email": p.Email}
	putText(body, "id", p.ID)
	putText(body, "key", p.Key)
	putText(body, "name", p.Name)
	putText(body, "surname", p.Surname)
	putText(body, "password", p.Password.Reveal())
	if tags := c.tagsOfCreate(p); len(tags) > 0 {
		body["tags"] = tags
	}
	if p.Referring != (Referring{}) {
		body["referring_partner"] = p.Referring
	}
	return c.post(ctx, createCall, body, p)
}

// Invite sends an invitation (POST /partners:invite). Invites carry no
// password, no referrer and no mark: so the email is looked up first, and
// after a lost answer a partner found is the invite's only when none was
// there before. A partner already there is not invited again (that would
// email them): the row is refused as the server would refuse it, unsent.
func (c *Client) Invite(ctx context.Context, p *Partner) Outcome {
	body := map[string]any{"email": p.Email}
	putText(body, "name", p.Name)
	putText(body, "surname", p.Surname)
	// The invited partner gets an id and key of the server's: a lookup after
	// an ambiguous invite must go by email alone.
	q := *p
	q.ID, q.Key, q.invite = "", "", true
	if ctx.Err() != nil {
		return Outcome{Verdict: Verdict{Said: Stopped, Message: "the run stopped before this row was sent"}}
	}
	f, before, _ := c.find(ctx, &q) // a walk begun now: an older one could miss a partner stored since
	switch {
	case before == lookupFound && p.MaybeSent:
		// Maybe the earlier run's own invite: neither known to be made
		// here nor refused.
		return Outcome{Unproven: f.ID, there: &f, Archived: isStatus(f, "archived"), Verdict: Verdict{Said: Lost,
			Message: withArchived("an earlier run may have sent this invite: a partner with this email (id "+f.ID+") is in Partnero, and whether that run's invite made it cannot be shown ("+c.unproven(&q)+")", f)}}
	case before == lookupFound:
		return Outcome{there: &f, Archived: isStatus(f, "archived"), Verdict: Verdict{Said: Clash, Field: "email",
			Message: withArchived("a partner with this email is already in Partnero (id "+f.ID+"): not invited again", f)}}
	}
	q.absentBefore = before == lookupAbsent
	return c.post(ctx, inviteCall, body, &q)
}

func putText(m map[string]any, k, v string) {
	if v != "" {
		m[k] = v
	}
}

// post creates or invites. Once an attempt may have reached the server
// without its answer reaching us, the partner may exist whatever later
// attempts say: conclude looks it up before the row is called rejected or
// failed.
func (c *Client) post(ctx context.Context, k call, body map[string]any, p *Partner) Outcome {
	payload, err := json.Marshal(body)
	if err != nil {
		return Outcome{Verdict: Verdict{Said: Lost, Message: "cannot encode the request"}}
	}
	r := request{method: http.MethodPost, path: k.path, payload: payload}
	if k.needsData {
		// A create's success carries the row's partner: an answer about
		// another email's (or about nobody) does not say this row's was
		// made.
		r.complete = func(body []byte) bool {
			v, _ := decode(body)
			_, found := partnerIn(v, p.Email)
			return found
		}
	}
	c.creating.Add(1)
	out, answer, ambiguous := c.exchange(ctx, r, p, p.MaybeSent)
	c.creating.Add(-1)
	switch {
	case out.Attempts == 0:
		return out // never sent
	case out.Said == Done:
		return c.succeeded(ctx, p, answer, out)
	}
	return c.conclude(ctx, p, out, ambiguous)
}

// request is one row's call: what is sent, and what its success must carry.
type request struct {
	method, path string
	payload      []byte
	// complete reports whether a 2xx that does not deny success carries
	// what the call needs (a create's partner); nil accepts any.
	complete func(body []byte) bool
	// classify reads an answer for this call; nil is Classify. Customers'
	// and transactions' calls name what a 400 or 404 is about.
	classify func(status int, body []byte) Verdict
}

// exchange sends a row's request until an answer settles it, retrying
// throttled, failed and lost attempts (retry.go). It returns the outcome
// (Done on success, Stopped with Attempts 0 when the run stopped before the
// first attempt), the successful answer's body, and whether an attempt may have
// reached the server without its answer reaching us: a timeout, a reset
// connection, a 5xx, a 2xx without what was asked. Then the truth is in a
// lookup.
func (c *Client) exchange(ctx context.Context, r request, p *Partner, ambiguous bool) (out Outcome, answer []byte, _ bool) {
	settled := false
	attempts, err := c.retry(ctx, r.method, c.base+r.path, r.payload, p, func(attempt int, a reply) bool {
		if attempt > 1 {
			c.retried.Add(1)
		}
		out.Attempts = attempt
		if a.err != nil {
			ambiguous = ambiguous || mayHaveArrived(a.err)
			out.Verdict = Verdict{Said: Lost, Retryable: true, Message: "network error: " + c.clean(a.err.Error(), p)}
			return true
		}
		out.HTTPStatus = a.status
		out.Verdict = r.classifyAnswer(a.status, a.body)
		out.Message = c.clean(out.Message, p)
		if out.Said == Done {
			if r.complete == nil || r.complete(a.body) {
				answer, settled = a.body, true
				return false
			}
			// Maybe done, maybe not: retry; a clash then leads to a lookup.
			ambiguous = true
			out.Verdict = Verdict{Said: ServerFault, Retryable: true,
				Message: fmt.Sprintf("the server answered %d without the partner", a.status)}
		}
		// A 2xx whose body says it failed, in no particular words, is the
		// server contradicting itself: the partner may be stored.
		ambiguous = ambiguous || a.status >= 500 || (a.status < 300 && out.Said == Invalid)
		return out.Retryable
	})
	switch {
	case attempts == 0 && err != nil:
		out.Verdict = Verdict{Said: Stopped, Message: "the run stopped before this row was sent"}
	case settled:
		return out, answer, ambiguous
	case out.Retryable && attempts > 1:
		out.Message += fmt.Sprintf(" (after %d attempts)", attempts)
	}
	return out, nil, ambiguous
}

func (r request) classifyAnswer(status int, body []byte) Verdict {
	if r.classify != nil {
		return r.classify(status, body)
	}
	return Classify(status, body)
}

// succeeded reads the partner of a success. One whose id cannot be read is
// looked up: an id is never lost to a shape the client did not expect.
func (c *Client) succeeded(ctx context.Context, p *Partner, answer []byte, out Outcome) Outcome {
	v, _ := decode(answer)
	got, _ := partnerIn(v, p.Email)
	out.PartnerID, out.ReferralLink = got.ID, got.Link
	if has, shown := c.carries(got); !p.invite && c.mark != "" && (notAsSent(got, p) || (shown && !has)) {
		// The answer shows a partner without what this create sent (its
		// mark, its names): a server that answered with the partner
		// already there, or one that dropped the mark (it keeps only
		// some tags). Which, nothing shows: neither created nor refused
		// is known to be true.
		id := got.ID
		out.Verdict = Verdict{Said: ServerFault,
			Message: fmt.Sprintf("the server answered %d with a partner (id %s) that does not hold what this call sent (this import's mark, the row's names): whether the call made it or found it there cannot be shown; check it in Partnero", out.HTTPStatus, id)}
		out.PartnerID, out.ReferralLink, out.Unproven, out.there = "", "", id, &got
		return out
	}
	if !p.invite {
		c.noteMade(got, p.Email)
	}
	if out.PartnerID != "" {
		return out
	}
	f, found, err := c.find(ctx, p)
	whose := cannotTell
	if found == lookupFound {
		whose = c.ours(ctx, f, p)
	}
	switch {
	case whose == theirs:
		// The server said done, but the partner with this email is not
		// this job's: this call did not create it.
		out.Verdict = Verdict{Said: Clash, Field: "email",
			Message: withArchived("the server answered success without the partner's id, and a lookup found a partner with this email, not made by this import", f)}
		out.there = &f
	case whose == mine:
		out.PartnerID = f.ID
		if out.ReferralLink == "" {
			out.ReferralLink = c.linkOf(ctx, f, p)
		}
		c.noteMade(partner{ID: f.ID}, p.Email)
	case found == lookupFound:
		// Made, as the server said; but the partner found cannot be shown
		// to be the one it made, so its id is not the row's to claim.
		out.Message = "the answer held no partner id; a lookup found a partner with this email (id " + f.ID +
			"), but whether it is the one this call made cannot be shown: " + c.unproven(p)
	case err != nil:
		out.Message = "the answer held no partner id, and the lookup for it failed: " + c.clean(err.Error(), p)
	default:
		out.Message = "the answer held no partner id, and a lookup by email did not find the partner"
	}
	return out
}

// scrubAnswer removes the secrets from an error answer before it is parsed
// (parsing an HTML page could split a secret so that no form of it is found
// after). A success is parsed for data and left as it is; the two places
// that quote a success that is not JSON scrub it first themselves.
func (c *Client) scrubAnswer(status int, body []byte, p *Partner) []byte {
	if status >= 200 && status < 300 {
		return body
	}
	return c.passwords.ScrubRaw(body, p.Password, c.key)
}

// quoted is a success's body that is not JSON (a web page), as a message
// quotes it: scrubbed raw before it is parsed, as an error's is (parsing
// could split a secret), then cleaned.
func (c *Client) quoted(body []byte) string {
	return c.clean(plainText(c.passwords.ScrubRaw(body, c.key)), &Partner{})
}

// clean makes a text from elsewhere (a server's message, a transport error)
// fit for the report and the terminal: secrets scrubbed (every password of
// the file, and before cutting, or a cut secret would slip through), control
// characters shown as escapes, then cut short.
func (c *Client) clean(s string, p *Partner) string {
	return truncate(printable.String(c.passwords.Scrub(s, p.Password, c.key)), 500)
}

// mayHaveArrived reports whether a failed request may have reached the
// server: all but those that never connected.
func mayHaveArrived(err error) bool {
	var op *net.OpError
	return !(errors.As(err, &op) && op.Op == "dial")
}

// pace waits for the server's pause, if any, then for the limiter's turn.
func (c *Client) pace(ctx context.Context) error {
	for {
		c.mu.Lock()
		d := time.Until(c.pauseUntil)
		c.mu.Unlock()
		if d <= 0 {
			break
		}
		if err := sleep(ctx, d); err != nil {
			return err
		}
	}
	if err := c.auto.waitFirst(ctx); err != nil {
		return err
	}
	return c.limiter.Wait(ctx)
}

// pauseFor holds every request of the pool back for d.
func (c *Client) pauseFor(d time.Duration) {
	c.mu.Lock()
	until := time.Now().Add(d)
	longer := until.After(c.pauseUntil)
	if longer {
		c.pauseUntil = until
	}
	c.mu.Unlock()
	if longer && c.onPause != nil {
		c.onPause(d)
	}
}

func (c *Client) send(ctx context.Context, method, target string, payload []byte) (int, []byte, http.Header, error) {
	// A request once started is not cut short by the caller's stop: only the
	// timeout ends it, so that its answer (maybe "created") is not lost.
	ctx = context.WithoutCancel(ctx)
	if c.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return 0, nil, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.key.Reveal())
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if c.agent != "" {
		req.Header.Set("User-Agent", c.agent)
	}
	c.requests.Add(1)
	if method != http.MethodGet {
		c.wrote.Store(true)
	}
	c.inFlight.Add(1)
	defer c.inFlight.Add(-1)
	resp, err := c.http.Do(req)
	if err != nil {
		c.auto.settled() // no answer to learn from: let the others go
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	c.heardLimit(resp.StatusCode, resp.Header)
	respBody, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		c.auto.settled()
		return 0, nil, nil, err
	}
	return resp.StatusCode, respBody, resp.Header, nil
}

// heardLimit passes an advertised limit on to OnLimit, once per value. Only
// answers of a working API count: a refused key's 401 is the run's one
// line, not a warning's occasion.
func (c *Client) heardLimit(status int, h http.Header) {
	if c.onLimit == nil || (status >= 300 && status != http.StatusTooManyRequests) {
		return
	}
	limit, err := strconv.Atoi(h.Get("X-RateLimit-Limit"))
	if err != nil || limit <= 0 {
		return
	}
	if c.limit.Swap(int64(limit)) != int64(limit) {
		c.onLimit(float64(limit) / c.window.Seconds())
	}
}

// maxRetryAfter caps a server's Retry-After: a huge one would stall the
// run for good.
const maxRetryAfter = 10 * time.Minute

// waitAsked is how long an answer's Retry-After asks to wait. A date is
// read against the answer's own Date header, in the server's clock: a
// server whose clock is ahead of this machine's would otherwise stall the
// run (and one behind would not be waited for).
func waitAsked(h http.Header) time.Duration { return waitAskedUpTo(h, maxRetryAfter) }

// waitAskedUpTo is waitAsked capped at ceiling instead.
func waitAskedUpTo(h http.Header, ceiling time.Duration) time.Duration {
	now := time.Now()
	if t, err := http.ParseTime(h.Get("Date")); err == nil {
		now = t
	}
	return retryAfterUpTo(h.Get("Retry-After"), now, ceiling)
}

// retryAfter parses a Retry-After header: seconds, or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration { return retryAfterUpTo(v, now, maxRetryAfter) }

// retryAfterUpTo is retryAfter capped at ceiling.
func retryAfterUpTo(v string, now time.Time, ceiling time.Duration) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	var d time.Duration
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		// Capped before converting: a float too large for a Duration
		// converts to nonsense (a negative wait). NaN is no wait.
		if !(secs > 0) {
			return 0
		}
		d = time.Duration(min(secs, ceiling.Seconds()) * float64(time.Second))
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	}
	return min(max(d, 0), ceiling)
}

// backoff is exponential with jitter: about 0.5s, 1s, 2s... at most 30s
// (from a base of 0.5s).
func backoff(base time.Duration, attempt int) time.Duration {
	ceiling := min(base<<min(attempt-1, 10), 30*time.Second)
	return ceiling/2 + rand.N(ceiling/2+1)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
