package pull

import (
	"net/http"
	"sync"
	"time"
)

// defaultTimeout bounds one request, as NewClient's own client does.
const defaultTimeout = time.Minute

// headerRecorder keeps the headers of the last answer a client heard, for
// a source that reads more than the body: a Link header naming the next
// page, X-Ratelimit-* saying what is left. A source's requests are one at
// a time, so after Client.Get returns a body the last answer is its own.
type headerRecorder struct {
	next http.RoundTripper
	mu   sync.Mutex
	last http.Header
}

// recordHeaders wraps h (nil: a client with a timeout, as NewClient makes)
// so that rec hears every answer's headers.
func recordHeaders(h *http.Client) (*http.Client, *headerRecorder) {
	c := &http.Client{Timeout: defaultTimeout}
	if h != nil {
		*c = *h
	}
	rec := &headerRecorder{next: c.Transport}
	if rec.next == nil {
		rec.next = http.DefaultTransport
	}
	c.Transport = rec
	return c, rec
}

func (r *headerRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.next.RoundTrip(req)
	if err == nil {
		r.mu.Lock()
		r.last = resp.Header.Clone()
		r.mu.Unlock()
	}
	return resp, err
}

// Last is the headers of the last answer heard.
func (r *headerRecorder) Last() http.Header {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last
}
