package pull

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
)

// cursorList is a list whose pages follow a cursor, the last record's
// id sent back as starting_after, while a page says it has more (Tolt,
// PartnerStack).
type cursorList struct {
	client             *Client
	source, what, path string // "tolt", "partners", "/partners"
	// query is a page's query, its cursor aside.
	query func() url.Values
	// pageOf reads a page: its records, their raw list, whether more follow.
	pageOf func([]byte) (items []json.RawMessage, raw json.RawMessage, more bool, err error)
	// cursorOf is the cursor a page's records give the next ("": none):
	// its last one's id.
	cursorOf func(items []json.RawMessage) string
	// byCursor: messages name a page by the cursor it follows, in
	// parentheses ("(page after X)", PartnerStack); else by its number
	// ("page 2", Tolt).
	byCursor bool
	// idField names a record's id, by which a record listed again is
	// skipped ("": "id"; PartnerStack: "key").
	idField string
	// stuck is the error of a page that has more but gives no cursor;
	// page is as messages name it.
	stuck func(page string, empty bool) error
}

// walk reads every page, giving each record to each. A cursor named
// twice, or a page listing an earlier one's records, is an error.
func (l cursorList) walk(ctx context.Context, each func(json.RawMessage) error) error {
	guard := newPageGuard(l.source + " " + l.what)
	if l.idField != "" {
		guard.idField = l.idField
	}
	cursor := ""
	for n := 1; ; n++ {
		label, page := l.name(n, cursor)
		q := l.query()
		if cursor != "" {
			q.Set("starting_after", cursor)
		}
		body, err := l.client.Get(ctx, l.path, q)
		if err != nil {
			return err
		}
		items, raw, more, err := l.pageOf(body)
		if err != nil {
			return fmt.Errorf("%s answered GET %s %s with something unreadable: %v", l.source, l.path, page, err)
		}
		if err := guard.listed(label, raw); err != nil {
			return err
		}
		if err := guard.eachRecord(items, each, fmt.Sprintf("%s %s %s", l.source, l.what, page)); err != nil {
			return err
		}
		if !more {
			return nil
		}
		if len(items) == 0 {
			return l.stuck(page, true)
		}
		if cursor = l.cursorOf(items); cursor == "" {
			return l.stuck(page, false)
		}
		if err := guard.visit(l.visited(cursor)); err != nil {
			return err
		}
	}
}

// name is page n's label (for the guard) and how messages name it.
func (l cursorList) name(n int, cursor string) (label, page string) {
	if !l.byCursor {
		label = fmt.Sprint(n)
		return label, "page " + label
	}
	label = "1"
	if cursor != "" {
		label = "after " + cursor
	}
	return label, "(page " + label + ")"
}

// visited is a cursor as the guard knows it (and names it twice).
func (l cursorList) visited(cursor string) string {
	if l.byCursor {
		return cursor
	}
	return "after " + cursor
}
