package partnero

import (
	"context"
	"net/http"
)

// reply is what one attempt of a request got: a status, a body (scrubbed
// of secrets when it is an error's) and headers, or a transport error.
type reply struct {
	status int
	body   []byte
	header http.Header
	err    error
}

// retry is the one loop every request of the client goes through (a row's
// create, invite, update, archive or delete, a lookup's read, the
// preflight), in the manner of rclone's pacer: each attempt waits for the
// pool's pace, is sent, has its answer scrubbed and the advertised limit
// observed, and is handed to judge, which settles the request or asks for
// another attempt. Between attempts, the server's word on waiting (a 429,
// a Retry-After) holds the whole pool, one rule for every request; other
// failures back off this request alone. It returns the attempts sent, and
// the context's error when it stopped before judge settled the request.
func (c *Client) retry(ctx context.Context, method, target string, payload []byte, p *Partner, judge func(attempt int, a reply) (again bool)) (attempts int, err error) {
	for attempt := 1; ; attempt++ {
		if err := c.pace(ctx); err != nil {
			return attempt - 1, err
		}
		var a reply
		a.status, a.body, a.header, a.err = c.send(ctx, method, target, payload)
		a.body = c.scrubAnswer(a.status, a.body, p)
		if a.err == nil {
			c.auto.observe(a.status, a.header)
		}
		if !judge(attempt, a) || attempt > c.retries || ctx.Err() != nil {
			return attempt, nil
		}
		if err := c.holdBack(ctx, attempt, a); err != nil {
			return attempt, err
		}
	}
}

// holdBack waits before the next attempt: when the server asked for a
// pause (429, Retry-After), the whole pool waits at its next pace, at least
// the backoff; otherwise this request alone backs off.
func (c *Client) holdBack(ctx context.Context, attempt int, a reply) error {
	wait := backoff(c.base0, attempt)
	if a.err == nil {
		if ra := waitAsked(a.header); ra > 0 || a.status == http.StatusTooManyRequests {
			c.pauseFor(max(wait, ra))
			return nil
		}
	}
	return sleep(ctx, wait)
}
