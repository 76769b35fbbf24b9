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

// secondsFrom is the smallest Unix timestamp read, 100,000,000 (March
// 1973): a smaller number is no sale's date but a date in digits
// (20250301, read as seconds, is August 1970) or a placeholder (0), and a
// guess would backdate the sale by decades.
const secondsFrom = 100_000_000

// dateForms are the forms of a date a cell may hold, for messages.
const dateForms = "RFC 3339 (2024-05-01T10:00:00Z), YYYY-MM-DD, YYYY-MM-DD HH:MM:SS (UTC), or Unix seconds or milliseconds"

// ParseDate reads a date cell, as the contract lists its forms: RFC 3339,
// YYYY-MM-DD and YYYY-MM-DD HH:MM:SS (both UTC), or a Unix timestamp in
// seconds, or in milliseconds from 12 digits on (millisFrom). It returns
// Unix seconds (a fraction of a second is dropped), or a problem without
// the column's name: a cell that is none of these, a date before 1970 (a
// timestamp before 1973: secondsFrom), or one after now.
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
		if n < secondsFrom {
			return 0, fmt.Sprintf("%s is too small for Unix seconds of a sale (it would be %s); write a date as YYYY-MM-DD", quoteCell(cell), time.Unix(n, 0).UTC().Format(time.DateTime))
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

// parseTime reads the three written forms of a date. The two fixed-width
// UTC forms are read by hand: time.Parse costs a few times more, and a
// million-row file spends it a million times.
func parseTime(cell string) (time.Time, bool) {
	switch {
	case len(cell) == len(time.DateOnly):
		return civil(cell, "00:00:00")
	case len(cell) == len(time.DateTime) && cell[10] == ' ':
		return civil(cell[:10], cell[11:])
	}
	layout := time.RFC3339
	if len(cell) > 10 && cell[10] == ' ' {
		layout = time.DateTime // with a fraction of a second
	}
	t, err := time.Parse(layout, cell)
	return t, err == nil
}

// civil reads YYYY-MM-DD and HH:MM:SS as a time in UTC.
func civil(date, clock string) (time.Time, bool) {
	if date[4] != '-' || date[7] != '-' || clock[2] != ':' || clock[5] != ':' {
		return time.Time{}, false
	}
	year, ok1 := digits(date[:4])
	month, ok2 := digits(date[5:7])
	day, ok3 := digits(date[8:])
	hour, ok4 := digits(clock[:2])
	minute, ok5 := digits(clock[3:5])
	second, ok6 := digits(clock[6:])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || hour > 23 || minute > 59 || second > 59 {
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, second, 0, time.UTC)
	if t.Month() != time.Month(month) || t.Day() != day { // 2024-02-30 is no date, not March 1st
		return time.Time{}, false
	}
	return t, true
}

// digits reads ASCII digits alone.
func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
