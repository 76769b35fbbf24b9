// Package printable shows a text from elsewhere (a file's cell, a server's
// message) fit for a terminal or a viewer: what would act rather than show
// is written as an escape. The report (report.Printable) and the API
// client both use it, so neither depends on the other.
package printable

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// String is s with what a terminal or a viewer would act on, rather
// than show, written as an escape: C0 controls and DEL as \xNN (\t, \n and
// \r as such), a byte that is not UTF-8 as \xNN, C1 controls, Unicode
// format characters (bidi overrides such as U+202E, zero-width characters)
// and line or paragraph separators as \uXXXX. ESC sequences that retitle a
// window or erase a line are shown, not run. Backslashes are left as they
// are: the escapes are for reading, not for decoding back. Printable text
// is returned as it is, without allocating; String of its own result
// changes nothing.
func String(s string) string {
	i := firstUnsafe(s)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for s = s[i:]; s != ""; {
		r, n := utf8.DecodeRuneInString(s)
		switch {
		case r == utf8.RuneError && n == 1:
			b.WriteString(`\x` + hex2(s[0]))
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			b.WriteString(`\x` + hex2(byte(r)))
		case unsafeRune(r):
			q := strconv.QuoteRuneToASCII(r) // '\u202e'
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteString(s[:n])
		}
		s = s[n:]
	}
	return b.String()
}

// firstUnsafe is the index of the first byte of s that String escapes,
// or -1.
func firstUnsafe(s string) int {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f {
				return i
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && n == 1) || unsafeRune(r) {
			return i
		}
		i += n
	}
	return -1
}

// unsafeRune reports whether a rune above ASCII acts rather than shows.
func unsafeRune(r rune) bool {
	return (r >= 0x80 && r <= 0x9f) || r == 0x2028 || r == 0x2029 || unicode.Is(unicode.Cf, r)
}

func hex2(c byte) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[c>>4], digits[c&0xf]})
}
