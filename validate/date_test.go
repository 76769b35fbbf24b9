package validate

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

var testNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

func TestParseDate(t *testing.T) {
	t.Parallel()
	ok := []struct {
		cell string
		want int64
	}{
		{"2024-05-01T10:00:00Z", 1714557600},
		{"2024-05-01T12:00:00+02:00", 1714557600},
		{"2024-05-01T10:00:00.999Z", 1714557600}, // a fraction of a second is dropped
		{"2024-05-01", 1714521600},
		{"2024-05-01 10:00:00", 1714557600},
		{"2024-05-01 10:00:00.5", 1714557600},
		{"2024-02-29", 1709164800},
		{"1714557600", 1714557600},          // seconds
		{"1714557600123", 1714557600},       // milliseconds: 13 digits
		{"100000000000", 100000000},         // 12 digits: milliseconds (1973)
		{"2025-06-01 12:00:00", 1748779200}, // now exactly: not in the future
		{"2025-06-01", 1748736000},          // today
		{"1970-01-01", 0},
	}
	for _, c := range ok {
		got, why := ParseDate(c.cell, testNow)
		if why != "" || got != c.want {
			t.Errorf("ParseDate(%q) = %d, %q; want %d", c.cell, got, why, c.want)
		}
	}
	bad := []struct{ cell, says string }{
		{"99999999999", "in the future (read as Unix seconds: 5138-"}, // 11 digits: seconds
		{"20250301", "too small for Unix seconds of a sale (it would be 1970-08-23 09:05:01); write a date as YYYY-MM-DD"},
		{"0", "too small for Unix seconds"}, // an export's placeholder, not 1970
		{"99999999", "too small for Unix seconds"},
		{"2025-06-01 12:00:01", "in the future"},
		{"2025-06-02", "in the future"},
		{"2025-06-01T14:00:01+02:00", "in the future"},
		{"1748779201", "in the future"},
		{"1748779201000", "in the future"},
		{"99999999999999999999999", "in the future"},
		{"1969-12-31", "before 1970"},
		{"05/01/2024", "is not a date: expected RFC 3339"},
		{"01.05.2024", "is not a date"},
		{"2024-5-1", "is not a date"},
		{"2024-02-30", "is not a date"},
		{"2024-05-01T10:00:00", "is not a date"}, // no zone: not a listed form
		{"2024-00-10", "is not a date"},
		{"2024-13-01", "is not a date"},
		{"2024-05-00", "is not a date"},
		{"2023-02-29", "is not a date"},
		{"2024-05-01 10:60:00", "is not a date"},
		{"2024-05-01 24:00:00", "is not a date"},
		{"2024-05-01x10:00:00", "is not a date"},
		{"2024-05-01 10:00:0x", "is not a date"},
		{"2024+05+01", "is not a date"},
		{"2024-05-01 25:00:00", "is not a date"},
		{"-1714557600", "is not a date"},
		{"1714557600.5", "is not a date"},
		{"yesterday", "is not a date"},
		{"", "is empty"},
	}
	for _, c := range bad {
		got, why := ParseDate(c.cell, testNow)
		if !strings.Contains(why, c.says) || got != 0 {
			t.Errorf("ParseDate(%q) = %d, %q; want a problem saying %q", c.cell, got, why, c.says)
		}
	}
}

// FuzzParseDate: never a panic; a date read is never after now nor before
// 1970, and reads back as itself from its Unix seconds.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2024-05-01T10:00:00Z", "2024-05-01", "2024-05-01 10:00:00", "1714557600", "1714557600123", "9999999999999999999", "0", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, cell string) {
		unix, why := ParseDate(cell, testNow)
		if why != "" {
			return
		}
		if unix < 0 || unix > testNow.Unix() {
			t.Fatalf("ParseDate(%q) = %d: outside 1970 to now", cell, unix)
		}
		again, why := ParseDate(strconv.FormatInt(unix, 10), testNow)
		if why != "" || again != unix {
			t.Fatalf("ParseDate(%q) = %d, which reads back as %d, %q", cell, unix, again, why)
		}
	})
}
