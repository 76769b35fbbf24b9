package pull

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/partnero-import/partnero-import/importer/partnero"
	"github.com/partnero-import/partnero-import/importer/secret"
)

// Limit is a source's published rate limit: Requests per Window.
type Limit struct {
	Requests int
	Window   time.Duration
}

// ClientConfig is what a source's client needs.
type ClientConfig struct {
	Source  string // its name, for messages
	BaseURL string // https, or http on a loopback address
	Limit   Limit
	// Auth puts the credentials on a request.
	Auth func(*http.Request)
	// Secrets are scrubbed from every message the client makes.
	Secrets []secret.String
	// Credentials names where the credentials come from, for the message
	// of a refused one: "REWARDFUL_API_SECRET".
	Credentials string
	Retries     int           // of 5xx and network errors; 0: defaultRetries
	Backoff     time.Duration // base of the backoff; 0: 500ms
	HTTP        *http.Client  // nil: one with a timeout
	// Throttled, when set, hears of each 429 waited out.
	Throttled func(what string, wait time.Duration)
}

const (
	defaultRetries = 5
	// maxThrottled is how many 429s in a row a request meets before the
	// pull gives up: without a Retry-After, the backoff's waits add up to
	// about two minutes, past a limit's window of a minute.
	maxThrottled = 10
	// maxAskedWait is the longest Retry-After waited out: a source asking
	// for more is pulled later, not waited for silently.
	maxAskedWait = 5 * time.Minute
	// maxRedirects is how many redirects within the origin a request
	// follows.
	maxRedirects = 10
	// maxBody bounds an answer: a page of 100 records is far less.
	maxBody = 16 << 20
	// maxQuoted bounds what an error quotes of an answer.
	maxQuoted = 200
)

// Client reads a source's API: paced, retried, bounded, and never saying
// its credentials.
type Client struct {
	cfg     ClientConfig
	base    *url.URL
	limiter *rate.Limiter
	http    *http.Client
}

// NewClient makes a client; the base URL must be https beyond loopback.
func NewClient(cfg ClientConfig) (*Client, error) {
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("--source-base-url %q is not an http(s) URL", cfg.BaseURL)
	}
	if u.Scheme == "http" && !partnero.IsLoopback(u.Hostname()) {
		return nil, fmt.Errorf("--source-base-url %q must use https: credentials are never sent in clear text over a network (plain http is allowed only on a loopback address)", cfg.BaseURL)
	}
	if cfg.Retries == 0 {
		cfg.Retries = defaultRetries
	}
	if cfg.Backoff == 0 {
		cfg.Backoff = 500 * time.Millisecond
	}
	h := &http.Client{Timeout: time.Minute}
	if cfg.HTTP != nil {
		copied := *cfg.HTTP // its transport shared, its redirects checked here
		h = &copied
	}
	h.CheckRedirect = sameOrigin(u)
	// One request a slot, a slot under the limit: a burst would spend a
	// window's allowance at once and meet a 429 at the window's turn.
	every := cfg.Limit.Window / time.Duration(max(cfg.Limit.Requests-1, 1))
	return &Client{cfg: cfg, base: u, limiter: rate.NewLimiter(rate.Every(every), 1), http: h}, nil
}

// Get reads path (under the base URL) with query, and returns the body of
// its 2xx answer. A 429 is waited out (Retry-After, else a backoff); a 5xx
// or a network error is retried with a backoff; anything else ends the
// pull with an error that names the request but never the credentials.
func (c *Client) Get(ctx context.Context, path string, query url.Values) ([]byte, error) {
	return c.GetAs(ctx, "GET "+path, path, query)
}

// GetAs is Get for a path that holds personal data (an email): its
// messages name the request as what says (by the record's key), never by
// its path.
func (c *Client) GetAs(ctx context.Context, what, path string, query url.Values) ([]byte, error) {
	target := strings.TrimSuffix(c.base.String(), "/") + path
	if len(query) > 0 {
		target += "?" + query.Encode()
	}
	failures, throttled := 0, 0
	var away *redirected
	for {
		if err := c.limiter.Wait(ctx); err != nil {
			return nil, c.errorf("%s: %s", what, stopped(ctxErr(ctx, err)))
		}
		status, h, body, err := c.send(ctx, target)
		var wait time.Duration
		switch {
		case ctx.Err() != nil:
			return nil, c.errorf("%s: %s", what, stopped(ctx.Err()))
		case errors.As(err, &away):
			return nil, c.errorf("%s", c.redirectedAway(what, away))
		case err != nil:
			failures++
			if failures > c.cfg.Retries {
				return nil, c.errorf("%s: %s", pageOf(what, query), c.failed(err))
			}
			wait = partnero.Backoff(c.cfg.Backoff, failures)
		case status == http.StatusTooManyRequests:
			throttled++
			if throttled >= maxThrottled {
				return nil, c.errorf("%s: %s answered 429 (too many requests) %d times in a row: run the pull later", what, c.cfg.Source, throttled)
			}
			// Read up to a century: beyond maxAskedWait it is only said.
			wait = partnero.WaitAskedUpTo(h, 100*365*24*time.Hour)
			if wait > maxAskedWait {
				return nil, c.errorf("%s asks to wait %s before the next request: run the pull later", c.cfg.Source, roughly(wait))
			}
			if wait == 0 {
				wait = partnero.Backoff(c.cfg.Backoff, throttled)
			}
			if c.cfg.Throttled != nil {
				c.cfg.Throttled(what, wait)
			}
		case status >= 500:
			failures++
			if failures > c.cfg.Retries {
				return nil, c.errorf("%s: %s answered %d after %d attempts: %s", what, c.cfg.Source, status, failures, quote(body))
			}
			wait = partnero.Backoff(c.cfg.Backoff, failures)
		case status == http.StatusUnauthorized || status == http.StatusForbidden:
			return nil, c.errorf("%s refused the credentials (%d %s): check %s", c.cfg.Source, status, http.StatusText(status), c.cfg.Credentials)
		case status < 200 || status > 299:
			return nil, &StatusError{Status: status, err: c.errorf("%s: %s answered %d: %s", what, c.cfg.Source, status, quote(body))}
		default:
			return body, nil
		}
		if err := sleep(ctx, wait); err != nil {
			return nil, c.errorf("%s: %s", what, stopped(err))
		}
	}
}

// send makes one request; the body is bounded.
func (c *Client) send(ctx context.Context, target string) (int, http.Header, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return 0, nil, nil, err
	}
	req.Header.Set("Accept", "application/json")
	if c.cfg.Auth != nil {
		c.cfg.Auth(req)
	}
	resp, err := c.http.Do(req)
	if ue := (*url.Error)(nil); errors.As(err, &ue) {
		err = ue.Err // without the URL: its path or query may hold an email
	}
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return 0, nil, nil, err
	}
	if len(body) > maxBody {
		return 0, nil, nil, errTooLarge
	}
	return resp.StatusCode, resp.Header, secret.ScrubRaw(body, c.cfg.Secrets...), nil
}

// errorf is an error with the credentials scrubbed from it in every
// form, and any email (an answer may echo one).
func (c *Client) errorf(format string, args ...any) error {
	return errors.New(HideEmails(secret.Scrub(fmt.Sprintf(format, args...), c.cfg.Secrets...)))
}

// quote is the start of an answer, for a message.
func quote(body []byte) string {
	s := strings.Join(strings.Fields(string(body)), " ")
	if len(s) > maxQuoted {
		s = s[:maxQuoted] + "..."
	}
	if s == "" {
		return "(an empty answer)"
	}
	return fmt.Sprintf("%q", s)
}

func ctxErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
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
