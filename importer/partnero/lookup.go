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
	whose := cannotTell
	if verdict == lookupFound {
		whose = c.ours(ctx, f, p)
	}
	switch {
	case verdict == lookupFound && whose == mine:
		out.Verdict = Verdict{Message: "reconciled: an earlier attempt had made this partner (created or invited); the lookup found it"}
		out.PartnerID, out.ReferralLink = f.ID, c.linkOf(ctx, f, p)
	case verdict == lookupFound && whose == cannotTell:
		// Neither "created" nor "rejected" would be known to be true.
		reason := out.Reason
		if out.Status != report.Failed {
			reason = report.NetworkError
		}
		out.Verdict = Verdict{Status: report.Failed, Reason: reason, Fatal: out.Fatal,
			Message: out.Message + "; a lookup found a partner with this email (id " + f.ID + "), but whether an earlier attempt of this row created it or it was there before cannot be told: the server gives no creation time that can be placed against the run's start. Check it in Partnero"}
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

// linkOf is the referral link of a partner found by a lookup: list and
// search items carry none, so the partner is read by its id. "" when that
// read fails too: the row keeps its id, and the link is in Partnero.
func (c *Client) linkOf(ctx context.Context, f partner, p *Partner) string {
	if f.Link != "" || f.ID == "" {
		return f.Link
	}
	budget := c.budget // as a lookup's: it settles a row already sent
	if ctx.Err() != nil {
		budget = min(budget, cmp.Or(c.timeout, 10*time.Second))
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), budget)
	defer cancel()
	if got, err := c.byID(ctx, f.ID, p.Email); err == nil && got.ID == f.ID {
		return got.Link
	}
	return ""
}

func clash(r report.Reason) bool {
	return r == report.EmailExists || r == report.IDExists || r == report.KeyExists
}

// ours judges whether the partner found is the one this job sent for p.
// Another email, or another id than the row's, is another partner. Then
// the time decides: created before the job began, it was there before; after,
// it is the job's. The partner object has no key to compare. Where its
// created_at is missing or too uncertain to call, names that differ from
// the row's still show another partner; with the same names, it cannot be
// told.
func (c *Client) ours(ctx context.Context, f partner, p *Partner) verdict {
	if !sameEmail(f.Email, p.Email) || (p.ID != "" && f.ID != "" && f.ID != p.ID) {
		return theirs
	}
	start := c.start
	if p.MaybeSent {
		start = p.Since
	}
	if c.clock.uncertain(f.created) {
		c.calibrate(ctx)
	}
	v := c.clock.createdSince(f.created, start)
	if v == cannotTell && namesDiffer(f, p) {
		return theirs
	}
	return v
}

// clearlyTheirs reports a partner found after the server said it created
// the row's that cannot be the one it created: created before the run
// (even as far as the clock is not known), or of other names. Any other is
// taken at the server's word, and teaches the client its clock.
func (c *Client) clearlyTheirs(f partner, p *Partner) bool {
	v := c.clock.createdSince(f.created, c.start)
	return v == theirs || (v != mine && namesDiffer(f, p))
}

// noteMade keeps the first partner this run created (the answer's got, to
// a request sent at sent, received at at) and learns from its created_at,
// as from every partner made, how the server writes one.
func (c *Client) noteMade(got partner, sent, at time.Time) {
	if got.ID == "" {
		return
	}
	c.clock.noteCreated(got.created, sent, at)
	c.made.Lock()
	defer c.made.Unlock()
	if c.made.id == "" {
		c.made.id, c.made.sent, c.made.at = got.ID, sent, at
		close(c.made.noted)
	}
}

// calibrate reads back, once, a partner this run created, to learn how
// far a created_at reads from this machine's clock when no Date header
// said it, or when it has no zone: the answers of writes may not carry one.
// The first rows may meet a lost answer before any partner was made: they
// wait for one, within a bound set by the first to wait (a run that makes
// none must not wait each time).
func (c *Client) calibrate(ctx context.Context) {
	c.made.Lock()
	if c.made.waitUntil.IsZero() {
		c.made.waitUntil = time.Now().Add(min(c.budget, 30*time.Second))
	}
	until := c.made.waitUntil
	c.made.Unlock()
	bound, cancel := context.WithDeadline(context.WithoutCancel(ctx), until)
	defer cancel()
	// Waiting helps only while other rows are being created: when every
	// worker is settling a lost answer (a resumed run's first rows), none
	// will come.
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
wait:
	for c.creating.Load() > 0 {
		select {
		case <-c.made.noted:
			break wait
		case <-bound.Done():
			break wait
		case <-ctx.Done():
			break wait
		case <-tick.C:
		}
	}
	// One reads back; the others wait for what it learns.
	c.made.reading.Lock()
	defer c.made.reading.Unlock()
	c.made.Lock()
	id, sent, at, first := c.made.id, c.made.sent, c.made.at, !c.made.checked
	c.made.Unlock()
	if id == "" || !first {
		return
	}
	if f, err := c.byID(ctx, id, ""); err == nil {
		c.clock.noteCreated(f.created, sent, at)
		c.made.Lock()
		c.made.checked = true
		c.made.Unlock()
	}
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
		if v == lookupAbsent && hasUpper(p.Email) {
			// A search that matches case by case, of a partner the server
			// keeps in lower case.
			f, v, err = c.byEmail(ctx, "/partners:search", url.Values{"email": {strings.ToLower(p.Email)}}, p.Email)
		}
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
		f, err := c.byID(ctx, p.ID, p.Email)
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
// is none with that id (a found one always has its id). The partner is the
// object of that id, under whatever wrapper, else the one of the email.
func (c *Client) byID(ctx context.Context, id, email string) (partner, error) {
	body, err := c.getJSON(ctx, c.endpoint("/partners/"+url.PathEscape(id), nil))
	var missing *noEndpoint
	if errors.As(err, &missing) && (missing.status == http.StatusNotFound || missing.status == http.StatusGone) {
		return partner{}, nil
	}
	if err != nil {
		return partner{}, err
	}
	f, ok := withID(body, id)
	if !ok {
		if f, ok = partnerIn(body, email); !ok {
			return partner{}, fmt.Errorf("GET /partners/%s: the answer holds no partner", id)
		}
	}
	if f.ID == "" {
		f.ID = id // found by it: an answer that leaves it out still has it
	}
	return f, nil
}

// withID finds the object of the given id in an answer, at the shallowest
// level under its wrappers.
func withID(body any, id string) (partner, bool) {
	level := []any{body}
	for depth := 0; depth < 4 && len(level) > 0; depth++ {
		var next []any
		for _, v := range level {
			m, ok := v.(object)
			if !ok {
				continue
			}
			if text(m["id"]) == id {
				return partnerOf(m), true
			}
			for _, k := range wrappers {
				if w, ok := m[k]; ok {
					next = append(next, w)
				}
			}
		}
		level = next
	}
	return partner{}, false
}

// eachPage reads a paginated answer from u and calls fn for each partner
// until fn returns true. It follows links.next (or next_page_url) and, for
// answers without links, asks for the next page by number. complete says
// the list was read to its end: the answer said there was no next page, or
// a page came back empty. It never infers the end from a page's size, and
// stops at a page repeated three times (a server that ignores "page";
// once may be a list that moved while partners were made) and after
// maxLookupPages.
func (c *Client) eachPage(ctx context.Context, u *url.URL, fn func(partner) bool) (complete bool, err error) {
	seen := map[string]int{}
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
		// A page seen before may be a list that moved (newest first, while
		// partners are being created, shifts by whole pages); one seen a
		// third time is a server that ignores "page".
		if sig := pg.signature(); seen[sig] == 2 {
			return false, fmt.Errorf("GET %s: the server gave the same page three times (does it ignore \"page\"?)", u.Path)
		} else {
			seen[sig]++
		}
		switch {
		case !pg.hasLinks:
			u = withPage(u, n+1)
		case pg.next == "":
			return true, nil
		default:
			next, ok := nextURL(u, pg.next)
			if !ok {
				return false, fmt.Errorf("GET %s: the next page's link cannot be read (%q)", u.Path, pg.next)
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
	s := fmt.Sprintf("GET %s: %d %s", e.path, e.status, http.StatusText(e.status))
	if e.message != "" {
		s += ": " + e.message
	}
	return s
}

// getJSON makes one read (paced and retried like the others) and decodes a
// 2xx answer.
func (c *Client) getJSON(ctx context.Context, u *url.URL) (any, error) {
	for attempt := 1; ; attempt++ {
		if err := c.pace(ctx); err != nil {
			return nil, err
		}
		status, body, header, err := c.sendURL(ctx, http.MethodGet, u.String(), nil)
		body = c.scrubAnswer(status, body, &Partner{})
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
				// Quoted, so scrubbed before it is parsed, as an error's is.
				return nil, fmt.Errorf("GET %s: %d, but the answer is not JSON: %s", u.Path, status, plainText(c.passwords.ScrubRaw(body, c.key)))
			}
			return v, nil
		case status == http.StatusNotFound || status == http.StatusMethodNotAllowed || status == http.StatusGone:
			return nil, &noEndpoint{status: status, path: u.Path, message: parseErrorBody(body).Message}
		default:
			v := Classify(status, body)
			err = fmt.Errorf("GET %s: %s", u.Path, v.Message)
			retry = v.Retryable
			if ra := waitAsked(header); ra > 0 || status == http.StatusTooManyRequests {
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
