package validate

import (
	"fmt"
	"strconv"
	"time"
)

// millisFrom is where a Unix timestamp is taken for milliseconds: at 12
// digits. As seconds, 10^11 is the year 5138, refused as in the future
// anyway; as milliseconds it is March 1973, before any sale worth
// migrating. So an 11-digit number or shorter is seconds, a longer one
// milliseconds, and no date since 1973 is read wrongly either way.
const millisFrom = 100_000_000_000

// dateForms are the forms of a date a cell may hold, for messages.
const dateForms = "RFC 3339 (2024-05-01T10:00:00Z), YYYY-MM-DD, YYYY-MM-DD HH:MM:SS (UTC), or Unix seconds or milliseconds"

// ParseDate reads a date cell, as the contract lists its forms: RFC 3339,
// YYYY-MM-DD and YYYY-MM-DD HH:MM:SS (both UTC), or a Unix timestamp in
// seconds, or in milliseconds from 12 digits on (millisFrom). It returns
// Unix seconds (a fraction of a second is dropped), or a problem without
// the column's name: a cell that is none of these, a date before 1970, or
// one after now.
func ParseDate(cell string, now time.Time) (unix int64, problem string) {
	if cell == "" {
		return 0, "is empty: expected " + dateForms
	}
	if allDigits(cell) {
		n, err := strconv.ParseInt(cell, 10, 64)
		if err != nil || n/1000 > now.Unix() {
			return 0, fmt.Sprintf("%s is in the future (read as Unix %s)", quoteCell(cell), unitOf(cell, n, err))
		}
		if n >= millisFrom {
			n /= 1000
		}
		if n > now.Unix() {
			return 0, fmt.Sprintf("%s is in the future (read as Unix seconds: %s)", quoteCell(cell), time.Unix(n, 0).UTC().Format(time.DateTime))
		}
		return n, ""
	}
	t, ok := parseTime(cell)
	switch {
	case !ok:
		return 0, fmt.Sprintf("%s is not a date: expected %s", quoteCell(cell), dateForms)
	case t.Unix() > now.Unix():
		return 0, fmt.Sprintf("%s is in the future", quoteCell(cell))
	case t.Unix() < 0:
		return 0, fmt.Sprintf("%s is before 1970", quoteCell(cell))
	}
	return t.Unix(), ""
}

// unitOf names how an all-digit cell too large to be a past date was read.
func unitOf(cell string, n int64, err error) string {
	if err != nil {
		return fmt.Sprintf("milliseconds, %d digits", len(cell))
	}
	return fmt.Sprintf("milliseconds: %s", time.UnixMilli(n).UTC().Format(time.DateTime))
}

// parseTime reads the three written forms of a date.
func parseTime(cell string) (time.Time, bool) {
	layouts := [...]string{time.RFC3339, time.DateOnly, time.DateTime}
	for _, layout := range layouts {
		if t, err := time.Parse(layout, cell); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
