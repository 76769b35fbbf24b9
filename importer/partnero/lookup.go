package partnero

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/partnero-import/partnero-import/report"
)

// lookupVerdict is what a lookup concluded.
type lookupVerdict int

const (
	lookupUnknown lookupVerdict = iota // it could not tell
	lookupAbsent                       // no partner has the row's email
	lookupFound
)

// maxLookupPages bounds one walk through a paginated answer: a lookup costs
// a few requests per row, never one per partner in the program.
const maxLookupPages = 20

// lookupPageSize is asked of every list; servers serve at most what they
// allow (100 at Partnero, by its n8n node), and the pages are followed by
// their links, never judged by their size.
const lookupPageSize = 100

// conclude settles a row that did not succeed. Without an ambiguous attempt
// the answer stands. After one, the partner may exist whatever the later
// answers said (a clash in any wording, a 409, a 404, another 5xx): a lookup
// decides before the row is called rejected or failed.
func (c *Client) conclude(ctx context.Context, p *Partner, out Outcome, ambiguous bool) Outcome {
	if !ambiguous || out.Status == "" {
		return out
	}
	f, verdict, err := c.find(ctx, p)
	switch {
	case verdict == lookupFound && c.ours(f, p):
		out.Verdict = Verdict{Message: "reconciled: an earlier attempt had created this partner; the lookup found it"}
		out.PartnerID, out.ReferralLink = f.ID, f.Link
	case verdict == lookupFound && out.Status == report.Rejected && clash(out.Reason):
		out.Message += "; a lookup found that the partner was there before this run"
		out.there = &f
	case verdict == lookupFound:
		out.there = &f
		// Whatever the last answer was, the row cannot be created: its
		// email belongs to a partner that was there before this run.
		out.Verdict = Verdict{Status: report.Rejected, Reason: report.EmailExists, Fatal: out.Fatal,
			Message: out.Message + "; a lookup found a partner with this email, there before this run"}
	case verdict == lookupAbsent && out.Status == report.Rejected && out.Reason == report.EmailExists:
		out.Message += "; a lookup did not find the partner the server says exists"
	case verdict == lookupAbsent:
		out.Message += "; a lookup found no partner with this email: none was created"
	case out.Status == report.Rejected:
		out.Verdict = Verdict{Status: report.Failed, Reason: report.NetworkError, Fatal: out.Fatal,
			Message: out.Message + "; an earlier attempt may have created this partner and the lookup that would tell failed (" +
				c.clean(err.Error(), p) + "): run again with --resume to check"}
	default:
		out.Message += "; an attempt may have created this partner and the lookup failed (" + c.clean(err.Error(), p) +
			"): run again with --resume to check"
	}
	return out
}

func clash(r report.Reason) bool {
	return r == report.EmailExists || r == report.IDExists || r == report.KeyExists
}

// ours reports whether the partner found is the one this job sent for p:
// the same email (Partnero compares emails case-insensitively) and the row's
// id where it has one; then, created no earlier than the run that sent it,
// when created_at and the run's start in the server's clock are both known.
// The partner object has no key to compare. Without a clock, the names
// decide where the answer has them: a partner of other names was there
// before. Only when none of this can be read is a partner of the row's
// email taken as the row's (the README's known limit).
func (c *Client) ours(f partner, p *Partner) bool {
	if !sameEmail(f.Email, p.Email) {
		return false
	}
	if p.ID != "" && f.ID != "" && f.ID != p.ID {
		return false
	}
	since := c.since
	if p.MaybeSent {
		since = p.Since
	}
	if !since.IsZero() && !f.CreatedAt.IsZero() {
		return !f.CreatedAt.Before(since)
	}
	return !f.named || (sameText(f.Name, p.Name) && sameText(f.Surname, p.Surname))
}

// sameText compares names as a server may have kept them: case and runs of
// white space aside.
func sameText(a, b string) bool {
	return strings.EqualFold(strings.Join(strings.Fields(a), " "), strings.Join(strings.Fields(b), " "))
}

// find looks up the partner with the row's email: with the search endpoint
// (compared exactly: it matches partially), else by the row's id, else
// through the list, following its links. Each way is bounded, and the whole
// lookup by the budget; lookupUnknown comes with the reasons it could not
// tell.
func (c *Client) find(ctx context.Context, p *Partner) (partner, lookupVerdict, error) {
	// A lookup settles a request already sent: it runs even when the run
	// is stopping, within its budget; then only as long as a request may.
	budget := c.budget
	if ctx.Err() != nil {
		budget = min(budget, cmp.Or(c.timeout, 10*time.Second))
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), budget)
	defer cancel()
	var errs []error
	if !c.noSearch.Load() {
		f, v, err := c.byEmail(ctx, "/partners:search", url.Values{"email": {p.Email}}, p.Email)
		var missing *noEndpoint
		switch {
		case v != lookupUnknown:
			return f, v, nil
		case errors.As(err, &missing) && !strings.Contains(strings.ToLower(missing.message), "partner"):
			// No such route on this server (not "partner not found"):
			// do not ask again.
			c.noSearch.Store(true)
		default:
			errs = append(errs, err)
		}
	}
	if p.ID != "" {
		f, err := c.byID(ctx, p.ID)
		if err != nil {
			errs = append(errs, err)
		} else if sameEmail(f.Email, p.Email) {
			return f, lookupFound, nil
		}
		// Not there under this id, or another's: the email may still be,
		// under an id of the server's.
	}
	f, v, err := c.byEmail(ctx, "/partners", nil, p.Email)
	if v != lookupUnknown {
		return f, v, nil
	}
	errs = append(errs, err)
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.Error()
	}
	return partner{}, lookupUnknown, errors.New(strings.Join(msgs, "; "))
}

// byEmail walks a paginated answer (the search or the list) for the partner
// with this email.
func (c *Client) byEmail(ctx context.Context, path string, query url.Values, email string) (partner, lookupVerdict, error) {
	var hit partner
	found := false
	complete, err := c.eachPage(ctx, c.endpoint(path, query), func(f partner) bool {
		found = sameEmail(f.Email, email)
		hit = f
		return found
	})
	switch {
	case found:
		return hit, lookupFound, nil
	case err != nil:
		return partner{}, lookupUnknown, err
	case complete:
		return partner{}, lookupAbsent, nil
	}
	return partner{}, lookupUnknown, fmt.Errorf("GET %s: no end after %d pages", path, maxLookupPages)
}

// byID reads one partner (GET /partners/{id}); the zero partner when there
// is none with that id (a found one always has its id).
func (c *Client) byID(ctx context.Context, id string) (partner, error) {
	body, err := c.getJSON(ctx, c.endpoint("/partners/"+url.PathEscape(id), nil))
	var missing *noEndpoint
	if errors.As(err, &missing) && missing.status == http.StatusNotFound {
		return partner{}, nil
	}
	if err != nil {
		return partner{}, err
	}
	m, _ := body.(object)
	if d, ok := m["data"].(object); ok {
		m = d
	}
	if m == nil {
		return partner{}, fmt.Errorf("GET /partners/%s: the answer holds no partner", id)
	}
	f := partnerOf(m)
	if f.ID == "" {
		f.ID = id // found by it: an answer that leaves it out still has it
	}
	return f, nil
}

// eachPage reads a paginated answer from u and calls fn for each partner
// until fn returns true. It follows links.next (or next_page_url) and, for
// answers without links, asks for the next page by number. complete says
// the list was read to its end: the answer said there was no next page, or
// a page came back empty. It never infers the end from a page's size, and
// stops at a repeated page (a server that ignores "page") and after
// maxLookupPages.
func (c *Client) eachPage(ctx context.Context, u *url.URL, fn func(partner) bool) (complete bool, err error) {
	seen := map[string]bool{}
	for n := 1; n <= maxLookupPages; n++ {
		body, err := c.getJSON(ctx, u)
		if err != nil {
			return false, err
		}
		pg := pageOf(body)
		for _, f := range pg.partners {
			if fn(f) {
				return false, nil
			}
		}
		if len(pg.partners) == 0 {
			return true, nil
		}
		if sig := pg.signature(); seen[sig] {
			return false, fmt.Errorf("GET %s: the server gave the same page twice (does it ignore \"page\"?)", u.Path)
		} else {
			seen[sig] = true
		}
		switch {
		case !pg.hasLinks:
			u = withPage(u, n+1)
		case pg.next == "":
			return true, nil
		default:
			next, ok := nextURL(u, pg.next)
			if !ok {
				return false, fmt.Errorf("GET %s: the next page is on another host (%q); the key is not sent there", u.Path, pg.next)
			}
			u = next
		}
	}
	return false, nil
}

// signature identifies a page by the partners on it.
func (pg *page) signature() string {
	var b strings.Builder
	for _, f := range pg.partners {
		b.WriteString(f.ID)
		b.WriteByte(0)
		b.WriteString(f.Email)
		b.WriteByte(0)
	}
	return b.String()
}

// endpoint is the URL of path under the base, with a query.
func (c *Client) endpoint(path string, query url.Values) *url.URL {
	u, _ := url.Parse(c.base + path) // the base was checked by New
	if query == nil {
		query = url.Values{}
	}
	if strings.HasPrefix(path, "/partners") && !strings.HasPrefix(path, "/partners/") {
		query.Set("limit", fmt.Sprint(lookupPageSize))
	}
	u.RawQuery = query.Encode()
	return u
}

// noEndpoint is a 404 or 405: the server has no such resource.
type noEndpoint struct {
	status  int
	path    string
	message string // what the answer said
}

func (e *noEndpoint) Error() string {
	return fmt.Sprintf("GET %s: %d %s", e.path, e.status, http.StatusText(e.status))
}

// getJSON makes one read (paced and retried like the others) and decodes a
// 2xx answer.
func (c *Client) getJSON(ctx context.Context, u *url.URL) (any, error) {
	for attempt := 1; ; attempt++ {
		if err := c.pace(ctx); err != nil {
			return nil, err
		}
		status, body, header, err := c.sendURL(ctx, http.MethodGet, u.String(), nil)
		if err == nil {
			c.auto.observe(status, header)
		}
		retry := err != nil
		switch {
		case err != nil:
			err = fmt.Errorf("GET %s: %w", u.Path, err)
		case status >= 200 && status < 300:
			v, ok := decode(body)
			if !ok {
				return nil, fmt.Errorf("GET %s: %d, but the answer is not JSON: %s", u.Path, status, plainText(body))
			}
			return v, nil
		case status == http.StatusNotFound || status == http.StatusMethodNotAllowed:
			return nil, &noEndpoint{status: status, path: u.Path, message: parseErrorBody(body).Message}
		default:
			v := Classify(status, body)
			err = fmt.Errorf("GET %s: %s", u.Path, v.Message)
			retry = v.Retryable
			if ra := retryAfter(header.Get("Retry-After"), time.Now()); ra > 0 || status == http.StatusTooManyRequests {
				c.pauseFor(max(ra, backoff(c.base0, attempt)))
			}
		}
		if !retry || attempt > c.retries {
			return nil, err
		}
		if err := sleep(ctx, backoff(c.base0, attempt)); err != nil {
			return nil, err
		}
	}
}
