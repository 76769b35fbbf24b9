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
// decides before the row is called rejected or failed, and the job's mark
// on the partner found says whether an attempt of this job made it.
func (c *Client) conclude(ctx context.Context, p *Partner, out Outcome, ambiguous bool) Outcome {
	if !ambiguous || out.Said == Done {
		return out
	}
	f, verdict, err := c.find(ctx, p)
	if verdict == lookupAbsent && out.emailTaken() && !c.noSearch.Load() {
		// The search finds no partner the server says is there: one of
		// them is wrong, and the list settles which.
		f, verdict, err = c.listed(ctx, p, walkBudget, false)
	}
	whose := cannotTell
	if verdict == lookupFound {
		whose = c.ours(ctx, f, p)
	}
	switch {
	case verdict == lookupFound && whose == mine:
		out.Verdict = Verdict{Said: Done, Message: reconciled(p)}
		out.PartnerID, out.ReferralLink = f.ID, c.linkOf(ctx, f, p)
	case verdict == lookupFound && whose == cannotTell:
		// Neither "created" nor "rejected" would be known to be true.
		said := out.Said
		if !said.failed() || (out.HTTPStatus >= 400 && out.HTTPStatus < 500 && said != Throttled) {
			said = ServerFault // the last answer was one, just not one to trust
		}
		out.Verdict = Verdict{Said: said, Fatal: out.Fatal,
			Message: out.Message + "; a lookup found a partner with this email (id " + f.ID + "), but whether an earlier attempt of this row created it cannot be shown: " +
				c.unproven(p) + ". Check it in Partnero"}
		out.Unproven = f.ID
		out.there = &f
	case verdict == lookupFound && out.Said == Clash:
		out.Message += "; a lookup found that the partner was not made by this import"
		out.there = &f
	case verdict == lookupFound:
		out.there = &f
		// Whatever the last answer was, the row cannot be created: its
		// email belongs to a partner this job did not make.
		out.Verdict = Verdict{Said: Clash, Field: "email", Fatal: out.Fatal,
			Message: out.Message + "; a lookup found a partner with this email, not made by this import"}
	case verdict == lookupAbsent && out.emailTaken():
		out.Message += "; a lookup did not find the partner the server says exists"
	case verdict == lookupAbsent:
		out.Message += "; a lookup found no partner with this email: none was created"
	case out.Said.refused():
		out.Verdict = Verdict{Said: ServerFault, Fatal: out.Fatal,
			Message: out.Message + "; an earlier attempt may have created this partner and the lookup that would tell failed (" +
				c.clean(err.Error(), p) + "): run again with --resume to check"}
	default:
		out.Message += "; an attempt may have created this partner and the lookup failed (" + c.clean(err.Error(), p) +
			"): run again with --resume to check"
	}
	if verdict == lookupFound {
		out.Message, out.Archived = withArchived(out.Message, f), isStatus(f, "archived")
	}
	return out
}

// withArchived adds to a row's message that the partner a lookup found is
// archived: a row reported created, existing or refused would otherwise
// read as if the partner were active (rollback archives; nothing that an
// import sends restores).
func withArchived(msg string, f partner) string {
	if !isStatus(f, "archived") {
		return msg
	}
	note := "the partner with this email (id " + f.ID + ") is archived in Partnero"
	if msg == "" {
		return note
	}
	return msg + "; " + note
}

// reconciled says how a row whose answer was lost was shown done.
func reconciled(p *Partner) string {
	if p.invite {
		return "reconciled: no partner had this email before the invite was sent, and the lookup after its lost answer found one"
	}
	return "reconciled: an earlier attempt had made this partner; the lookup found it, carrying this import's mark"
}

// unproven says why a partner found cannot be shown to be the job's.
func (c *Client) unproven(p *Partner) string {
	switch {
	case p.invite:
		return "an invite carries no mark of this import, and whether a partner had this email before it was sent is not known"
	case c.mark == "":
		return "this import's creates carry no mark"
	case c.marks.state.Load() == marksDropped:
		return "the server does not keep the tags it is sent, so the partner shows no mark of this import"
	}
	return "the partner shows no tags, or the server has not yet shown that it keeps this import's mark (a partner this import made would show it); run again with --resume to check"
}

// linkOf is the referral link of a partner found by a lookup: list and
// search items carry none, so the partner is read by its id. "" when that
// read fails too: the row keeps its id, and the link is in Partnero.
func (c *Client) linkOf(ctx context.Context, f partner, p *Partner) string {
	if f.Link != "" || f.ID == "" {
		return f.Link
	}
	ctx, cancel := c.settling(ctx)
	defer cancel()
	if got, err := c.byID(ctx, f.ID, p.Email); err == nil && got.ID == f.ID {
		return got.Link
	}
	return ""
}

// settling is the context of a read that settles a row already sent (its
// mark, its link): made even when the run is stopping, as lookups are
// (within a request's timeout then), and bounded by the lookup budget.
func (c *Client) settling(ctx context.Context) (context.Context, context.CancelFunc) {
	budget := c.budget
	if ctx.Err() != nil {
		budget = min(budget, cmp.Or(c.timeout, 10*time.Second))
	}
	return context.WithTimeout(context.WithoutCancel(ctx), budget)
}

// emailTaken reports a refusal of the row's email as another partner's.
func (o *Outcome) emailTaken() bool { return o.Said == Clash && o.Field == "email" }

// find looks up the partner with the row's email: with the search endpoint
// (each form of the email, compared exactly: it matches partially), else
// by the row's id, else in the program's partners, walked once for every
// lookup waiting (index.go). Each way is bounded, and the whole lookup by
// the budget; lookupUnknown comes with the reasons it could not tell.
func (c *Client) find(ctx context.Context, p *Partner) (partner, lookupVerdict, error) {
	return c.lookup(ctx, p, false)
}

// lookup is find; with anyWalk, a server without search is answered from
// the last walk of its list made in this run, if there is one: enough to
// tell what was there before a row was first sent.
func (c *Client) lookup(ctx context.Context, p *Partner, anyWalk bool) (partner, lookupVerdict, error) {
	// A lookup settles a request already sent: it runs even when the run
	// is stopping, within its budget; then only as long as a request may.
	// A walk of the whole list has a budget of its own.
	budget, walk := c.budget, walkBudget
	if ctx.Err() != nil {
		budget = min(budget, cmp.Or(c.timeout, 10*time.Second))
		walk = budget
	}
	lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), budget)
	defer cancel()
	var errs []error
	if !c.noSearch.Load() {
		f, v, err := c.search(lctx, p.Email)
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
		f, err := c.byID(lctx, p.ID, p.Email)
		if err != nil {
			errs = append(errs, err)
		} else if sameEmail(f.Email, p.Email) {
			return f, lookupFound, nil
		}
		// Not there under this id, or another's: the email may still be,
		// under an id of the server's.
	}
	f, v, err := c.listed(ctx, p, walk, anyWalk)
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

// listed looks the row's email up in a walk of the program's partners,
// within the walk's budget.
func (c *Client) listed(ctx context.Context, p *Partner, budget time.Duration, anyWalk bool) (partner, lookupVerdict, error) {
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), budget)
	defer cancel()
	// Told to stop, a run walks on only as long as a request in flight may
	// take: a list that never ends (or a program of a million partners)
	// must not hold a Ctrl-C for the walk's whole budget.
	defer context.AfterFunc(ctx, func() {
		grace := time.AfterFunc(cmp.Or(c.timeout, 10*time.Second), cancel)
		context.AfterFunc(wctx, func() { grace.Stop() })
	})()
	return c.fromIndex(wctx, p.Email, anyWalk)
}

// search asks the search endpoint for each form of the email until one
// finds the partner: absent only when none does.
func (c *Client) search(ctx context.Context, email string) (partner, lookupVerdict, error) {
	for _, form := range emailForms(email) {
		f, v, err := c.byEmail(ctx, "/partners:search", url.Values{"email": {form}}, email)
		if v != lookupAbsent {
			return f, v, err
		}
	}
	return partner{}, lookupAbsent, nil
}

// byEmail walks a paginated answer (the search or the list) for the partner
// with this email.
func (c *Client) byEmail(ctx context.Context, path string, query url.Values, email string) (partner, lookupVerdict, error) {
	var hit partner
	found := false
	complete, err := c.eachPage(ctx, c.endpoint(path, query), maxLookupPages, func(f partner) bool {
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
// once may be a list that moved while partners were made) and after pages.
func (c *Client) eachPage(ctx context.Context, u *url.URL, pages int, fn func(partner) bool) (complete bool, err error) {
	return c.eachObject(ctx, u, pages, func(m object) bool { return fn(partnerOf(m)) })
}

// eachObject is eachPage for any kind of record: fn is called with each
// object of the list as it is.
func (c *Client) eachObject(ctx context.Context, u *url.URL, pages int, fn func(object) bool) (complete bool, err error) {
	seen := map[string]int{}
	for n := 1; n <= pages; n++ {
		body, err := c.getJSON(ctx, u)
		if err != nil {
			return false, err
		}
		pg := pageOf(body)
		for _, m := range pg.items {
			if fn(m) {
				return false, nil
			}
		}
		if len(pg.items) == 0 {
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

// signature identifies a page by the records on it.
func (pg *page) signature() string {
	var b strings.Builder
	for _, m := range pg.items {
		for _, k := range []string{"id", "email", "key"} {
			b.WriteString(text(m[k]))
			b.WriteByte(0)
		}
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

// getJSON makes one read (paced and retried like every request, retry.go)
// and decodes a 2xx answer.
func (c *Client) getJSON(ctx context.Context, u *url.URL) (v any, err error) {
	_, stopped := c.retry(ctx, http.MethodGet, u.String(), nil, &Partner{}, func(_ int, a reply) bool {
		v, err = nil, nil
		switch {
		case a.err != nil:
			err = fmt.Errorf("GET %s: %w", u.Path, a.err)
			return true
		case a.status >= 200 && a.status < 300:
			var ok bool
			if v, ok = decode(a.body); !ok {
				// Quoted, so scrubbed before it is parsed, as an error's is.
				err = fmt.Errorf("GET %s: %d, but the answer is not JSON: %s", u.Path, a.status, c.quoted(a.body))
			}
			return false
		case a.status == http.StatusNotFound || a.status == http.StatusMethodNotAllowed || a.status == http.StatusGone:
			err = &noEndpoint{status: a.status, path: u.Path, message: parseErrorBody(a.body).Message}
			return false
		}
		verdict := Classify(a.status, a.body)
		err = fmt.Errorf("GET %s: %s", u.Path, verdict.Message)
		return verdict.Retryable
	})
	if err == nil && v == nil {
		err = stopped // stopped before the first answer
	}
	return v, err
}

// SkipExisting creates (or invites) the row's partner for --skip-existing.
// When the server refuses the email as taken, the partner that holds it is
// looked up (one read, not an attempt), so that the row can say whether it
// is archived: "already exists" alone reads as active. A lookup that cannot
// tell leaves the refusal as it is.
func (c *Client) SkipExisting(ctx context.Context, p *Partner, invite bool) Outcome {
	var out Outcome
	if invite {
		out = c.Invite(ctx, p)
	} else {
		out = c.Create(ctx, p)
	}
	if !out.emailTaken() || out.there != nil || ctx.Err() != nil {
		return out // no clash of the email, or a lookup has spoken already
	}
	q := *p
	if invite {
		q.ID, q.Key = "", "" // the server's own: look up by email alone
	}
	if f, verdict, _ := c.find(ctx, &q); verdict == lookupFound {
		out.there = &f
		out.Message, out.Archived = withArchived(out.Message, f), isStatus(f, "archived")
	}
	return out
}
