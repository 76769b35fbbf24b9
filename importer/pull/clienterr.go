package pull

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"syscall"
	"time"
)

// What the client says of a request that failed, in a user's words:
// never Go's own (a url.Error, "context deadline exceeded").

// errTooLarge is an answer beyond maxBody.
var errTooLarge = fmt.Errorf("an answer larger than %d MiB", maxBody>>20)

// redirected is a redirect refused: it leaves the base URL's origin, or
// goes on too long.
type redirected struct {
	to      *url.URL
	tooMany bool
}

func (r *redirected) Error() string { return "a redirect refused" }

// sameOrigin lets a request follow redirects within base's origin
// (scheme, host and port) only: the credentials go to that origin alone,
// and never in clear text.
func sameOrigin(base *url.URL) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if req.URL.Scheme != base.Scheme || req.URL.Host != base.Host {
			return &redirected{to: req.URL}
		}
		if len(via) >= maxRedirects {
			return &redirected{to: req.URL, tooMany: true}
		}
		return nil
	}
}

// redirectedAway says where the request what was sent, without its
// query (it may hold an email) and never with the credentials.
func (c *Client) redirectedAway(what string, r *redirected) string {
	to := r.to.Scheme + "://" + r.to.Host + r.to.Path
	if r.tooMany {
		return fmt.Sprintf("%s: %s redirected it more than %d times (last to %s): the pull stops", what, c.cfg.Source, maxRedirects, to)
	}
	return fmt.Sprintf("%s sent %s on to %s, away from %s: the pull follows no redirect to another address, so that the credentials go nowhere else (check --source-base-url)",
		c.cfg.Source, what, to, c.base.Scheme+"://"+c.base.Host)
}

// failed says why a request got no answer, the source named.
func (c *Client) failed(err error) string {
	src := c.cfg.Source
	var dns *net.DNSError
	var cert *tls.CertificateVerificationError
	var unknown x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var errno syscall.Errno
	var nerr net.Error
	switch {
	case errors.Is(err, errTooLarge):
		return fmt.Sprintf("%s sent %v", src, err)
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &nerr) && nerr.Timeout()):
		return fmt.Sprintf("%s answered too slowly: no whole answer within %s", src, seconds(c.http.Timeout))
	case errors.As(err, &dns):
		return fmt.Sprintf("%s cannot be reached: its host %s is not known (a typo in --source-base-url, or no network)", src, c.base.Hostname())
	case errors.As(err, &cert), errors.As(err, &unknown), errors.As(err, &hostname):
		return fmt.Sprintf("%s cannot be reached safely: the certificate of %s is not trusted", src, c.base.Host)
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Sprintf("%s cannot be reached: nothing answers at %s (connection refused)", src, c.base.Host)
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Sprintf("%s cannot be reached: it cut the connection before a whole answer", src)
	case errors.As(err, &errno):
		return fmt.Sprintf("%s cannot be reached: %v", src, errno)
	}
	return fmt.Sprintf("%s cannot be reached: the connection failed", src)
}

// stopped says why the pull stopped waiting: interrupted, or out of the
// time it was given.
func stopped(err error) string {
	switch {
	case errors.Is(err, context.Canceled):
		return "the pull was interrupted"
	case errors.Is(err, context.DeadlineExceeded):
		return "the pull ran out of the time it was given"
	}
	return err.Error()
}

// pageOf is what a request is, with its page when its query names one:
// "GET /affiliates page 2".
func pageOf(what string, query url.Values) string {
	if p := query.Get("page"); p != "" {
		return what + " page " + p
	}
	return what
}

// seconds is d as a message says it: "60s", "0.2s"; a zero timeout (a
// client without one) is "the time given".
func seconds(d time.Duration) string {
	if d <= 0 {
		return "the time given"
	}
	return fmt.Sprintf("%gs", d.Seconds())
}

// roughly is a long wait as a person says it: "27 hours", "1157 days".
func roughly(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%d days", int(d/(24*time.Hour)))
	case d >= 2*time.Hour:
		return fmt.Sprintf("%d hours", int(d/time.Hour))
	}
	return fmt.Sprintf("%d minutes", int((d+time.Minute-1)/time.Minute))
}
