package partnero

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
)

// FatalError is a problem that stops a run before any row is sent: the key
// or the address is wrong, or the API cannot be reached.
type FatalError struct {
	Said    Said // Lost (unreachable), KeyRefused, Forbidden, WrongAddress, ServerFault...
	Message string
}

func (e *FatalError) Error() string { return e.Message }

// Preflight proves the key and the address with one documented read,
// GET /partners?limit=1, before any row is sent. A 401, 403, 404, 405, a
// redirect, an answer that is not the API's JSON, a refused connection or an
// unknown host end the run there (a FatalError): no row could succeed, and
// retrying each row against an unreachable API only takes time. Timeouts,
// 429 and 5xx are retried as rows are.
func (c *Client) Preflight(ctx context.Context) error {
	u := c.endpoint("/partners", nil)
	q := u.Query()
	q.Set("limit", "1")
	u.RawQuery = q.Encode()
	// fatal is what the last answer means should it stay the last: a
	// retryable failure ends the run only once the retries are spent.
	var fatal error
	_, stopped := c.retry(ctx, http.MethodGet, u.String(), nil, &Partner{}, func(_ int, a reply) bool {
		fatal = nil
		switch {
		case a.err != nil:
			fatal = &FatalError{Said: Lost, Message: "cannot reach the API at " + c.base + ": " + c.clean(a.err.Error(), &Partner{})}
			return !unreachable(a.err)
		case a.status >= 200 && a.status < 300 && Classify(a.status, a.body).Said != Done:
			// {"status": 0, "message": "Invalid API key"} in a 200.
			fatal = &FatalError{Said: KeyRefused, Message: "the API at " + c.base + " refused the first read: " + c.clean(Classify(a.status, a.body).Message, &Partner{})}
		case a.status >= 200 && a.status < 300:
			if _, ok := decode(a.body); !ok {
				page := truncate(c.quoted(a.body), 120)
				fatal = &FatalError{Said: WrongAddress, Message: fmt.Sprintf(
					"%s answers, but not as Partnero's API (GET /partners gave %d and no JSON: %q): check --base-url (Partnero's is %s)",
					c.base, a.status, page, DefaultBaseURL)}
			}
		default:
			v := Classify(a.status, a.body)
			switch {
			case v.Fatal:
				fatal = &FatalError{Said: v.Said, Message: c.clean(v.Message, &Partner{})}
			case a.status >= 400 && a.status < 500 && !v.Retryable && isJSON(a.body):
				// Refused for its parameters (a server that wants limit
				// 10 to 100) in the API's JSON: the key passed and the
				// route exists.
			default:
				fatal = &FatalError{Said: v.Said, Message: "the API at " + c.base + " is failing: " + c.clean(v.Message, &Partner{})}
				return v.Retryable
			}
		}
		return false
	})
	if stopped != nil {
		return stopped
	}
	return fatal
}

func isJSON(body []byte) bool {
	_, ok := decode(body)
	return ok
}

// unreachable reports a failure no retry will mend: the host is unknown,
// nothing listens there, or its certificate is not to be trusted.
func unreachable(err error) bool {
	var dns *net.DNSError
	var op *net.OpError
	var cert *tls.CertificateVerificationError
	var unknown x509.UnknownAuthorityError
	var host x509.HostnameError
	var uerr *url.Error
	switch {
	case errors.As(err, &dns), errors.As(err, &cert), errors.As(err, &unknown), errors.As(err, &host):
		return true
	case errors.As(err, &op) && op.Op == "dial":
		return !op.Timeout()
	case errors.As(err, &uerr) && uerr.Timeout():
		return false
	}
	return false
}
