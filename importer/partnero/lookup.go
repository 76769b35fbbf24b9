package partnero

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/partnero-import/partnero-import/report"
)

// found is a partner as a lookup returns it.
type found struct {
	ID            json.RawMessage `json:"id"`
	Key           string          `json:"key"`
	Email         string          `json:"email"`
	ReferralLink  string          `json:"referral_link"`
	ReferralLinks []string        `json:"referral_links"`
}

func (f *found) id() string {
	id := strings.Trim(string(f.ID), `"`)
	if id == "null" {
		return ""
	}
	return id
}

// matches reports whether the partner found is the one p describes: the
// same email, and the same id and key where p gives them.
func (f *found) matches(p *Partner) bool {
	return strings.EqualFold(f.Email, p.Email) && (p.ID == "" || f.id() == p.ID) && (p.Key == "" || f.Key == p.Key)
}

// lookupPageSize is the largest page GET /partners allows.
const lookupPageSize = 250

// reconcile decides a clash that followed an ambiguous attempt. The API
// documents no idempotency key and no search, so it relies on what it does
// document: GET /partners/{id} when the row has an id, else the list of
// partners, page by page, for the row's email. A partner that matches the row
// was created by this run; any other was there before and the clash stands.
func (c *Client) reconcile(ctx context.Context, p *Partner, clashed Outcome) Outcome {
	f, err := c.find(ctx, p)
	switch {
	case err != nil:
		clashed.Verdict = Verdict{Status: report.Failed, Reason: report.NetworkError,
			Message: "an earlier attempt may have created this partner and the lookup that would tell failed: " + scrub(err.Error(), p, c.key)}
	case f == nil:
		clashed.Message += "; a lookup did not find the partner the server says exists"
	case f.matches(p):
		return c.reconciled(clashed, f)
	default:
		clashed.Message += "; a lookup found that the partner was there before this run"
	}
	return clashed
}

// settle decides a row that ends failed after an attempt that may have
// reached the server: if the partner is there, this run created it, and
// reporting it failed would be a lie. Without an answer to the lookup the
// row stays failed, saying that it may exist (--resume looks again).
func (c *Client) settle(ctx context.Context, p *Partner, failed Outcome, ambiguous bool) Outcome {
	if !ambiguous || failed.Status != report.Failed || failed.Fatal {
		return failed
	}
	f, err := c.find(ctx, p)
	switch {
	case err != nil:
		failed.Message += "; an attempt may have created this partner and the lookup failed: run again with --resume to check"
	case f != nil && f.matches(p):
		return c.reconciled(failed, f)
	}
	return failed
}

// reconciled is a row found created by one of its own earlier attempts.
func (c *Client) reconciled(out Outcome, f *found) Outcome {
	out.Verdict = Verdict{Message: "reconciled: an earlier attempt had created this partner; the lookup found it"}
	out.PartnerID = f.id()
	out.ReferralLink = f.ReferralLink
	if out.ReferralLink == "" && len(f.ReferralLinks) > 0 {
		out.ReferralLink = f.ReferralLinks[0]
	}
	return out
}

// find looks the row's partner up; nil when there is none.
func (c *Client) find(ctx context.Context, p *Partner) (*found, error) {
	if p.ID != "" {
		var body struct{ Data found }
		status, err := c.get(ctx, "/partners/"+url.PathEscape(p.ID), &body)
		if status == http.StatusNotFound {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		return &body.Data, nil
	}
	for page := 1; ; page++ {
		var body struct{ Data []found }
		if _, err := c.get(ctx, fmt.Sprintf("/partners?limit=%d&page=%d", lookupPageSize, page), &body); err != nil {
			return nil, err
		}
		for i := range body.Data {
			if strings.EqualFold(body.Data[i].Email, p.Email) {
				return &body.Data[i], nil
			}
		}
		if len(body.Data) < lookupPageSize {
			return nil, nil
		}
	}
}

// get makes one lookup request (paced and retried like the others) and
// decodes a 200 answer into out.
func (c *Client) get(ctx context.Context, path string, out any) (int, error) {
	for attempt := 1; ; attempt++ {
		if err := c.pace(ctx); err != nil {
			return 0, err
		}
		status, body, header, err := c.send(ctx, http.MethodGet, path, nil)
		if err == nil {
			c.auto.observe(status, header)
		}
		retry := err != nil
		switch {
		case err != nil:
		case status == http.StatusOK:
			if err := json.Unmarshal(body, out); err != nil {
				return status, fmt.Errorf("GET %s: unreadable answer: %v", path, err)
			}
			return status, nil
		default:
			v := Classify(status, body)
			err = fmt.Errorf("GET %s: %s", path, v.Message)
			retry = v.Retryable
			if ra := retryAfter(header.Get("Retry-After"), time.Now()); ra > 0 {
				c.pauseFor(ra)
			}
		}
		if !retry || attempt > c.retries {
			return status, err
		}
		if err := sleep(ctx, backoff(c.base0, attempt)); err != nil {
			return status, err
		}
	}
}
