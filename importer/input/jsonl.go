package input

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/partnero-import/partnero-import/report"
)

// maxLine bounds one JSON line, so a file without newlines cannot exhaust memory.
const maxLine = 1 << 20

type jsonlReader struct {
	text     *bufio.Reader
	keepRaw  bool
	mapper   *mapper
	line     int
	row      int
	warned   map[string]bool
	warnings []string
	cols     []Column
	ignored  map[string]bool // normalized keys --ignore-column named, once seen
	// later are the keys of later objects that the first object lacks, for
	// the guard at the end of the file; at most maxLaterKeys.
	later map[string]bool
}

// maxLaterKeys bounds the keys kept for the end-of-file guard: a file of
// objects with keys of their own (ids as keys) must not fill memory.
const maxLaterKeys = 256

func newJSONLReader(text *bufio.Reader, keepRaw bool, m *mapper) (*jsonlReader, error) {
	r := &jsonlReader{text: text, keepRaw: keepRaw, mapper: m, warned: map[string]bool{}, ignored: map[string]bool{}, later: map[string]bool{}}
	r.cols = r.firstKeys()
	// JSON Lines has no header: the first object's keys stand for one, and
	// at the end of the file every object's (endOfFile).
	if m.guarded {
		if err := m.guardKeys(r.cols); err != nil {
			return nil, err
		}
	}
	for i := range r.cols {
		if r.cols[i].Note == noteUnknown {
			r.cols[i].Note = "unknown key"
		}
	}
	return r, m.sel.bind(r.cols)
}

func (r *jsonlReader) Header() []byte { return nil }

// Columns tells how the keys of the first object were understood: JSON
// Lines has no header, and later objects may have other keys (those are
// warned about as they come).
func (r *jsonlReader) Columns() []Column { return r.cols }

// firstKeys maps the keys of the first object, in their order, without
// consuming it.
func (r *jsonlReader) firstKeys() []Column {
	head, _ := r.text.Peek(sniffSize)
	for len(head) > 0 {
		line := head
		if i := bytes.IndexByte(head, '\n'); i >= 0 {
			line, head = head[:i], head[i+1:]
		} else {
			head = nil
		}
		if line = bytes.TrimSpace(line); len(line) == 0 {
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(line))
		if t, err := dec.Token(); err != nil || t != json.Delim('{') {
			return nil
		}
		var cols []Column
		for dec.More() {
			t, err := dec.Token()
			key, ok := t.(string)
			if err != nil || !ok {
				return nil
			}
			var skip json.RawMessage
			if dec.Decode(&skip) != nil {
				return nil
			}
			field, note := r.mapper.field(key)
			cols = append(cols, Column{Index: len(cols) + 1, Header: key, Field: field, Note: note})
		}
		return cols
	}
	return nil
}

func (r *jsonlReader) Warnings() []string { return r.warnings }

func (r *jsonlReader) Next() (*Record, error) {
	for {
		b, tooLong, err := r.readLine()
		if err == io.EOF && len(b) == 0 && !tooLong {
			return nil, r.endOfFile()
		}
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("cannot read the file: %w", err)
		}
		r.line++
		if tooLong {
			r.row++
			return &Record{Row: r.row, Line: r.line, Err: fmt.Errorf("line longer than %d bytes", maxLine)}, nil
		}
		b = bytes.TrimSpace(b)
		if len(b) == 0 {
			continue
		}
		r.row++
		rec := &Record{Row: r.row, Line: r.line}
		if r.keepRaw {
			rec.Raw = append(append([]byte(nil), b...), '\n')
		}
		var obj map[string]json.RawMessage
		rec.Fields, obj, rec.Err = r.decode(b)
		r.mapper.sel.apply(rec, func(j int) string { return jsonCell(obj[r.cols[j].Header]) })
		return rec, nil
	}
}

// readLine returns the next line without its newline; tooLong when the line
// exceeded maxLine (and was skipped to its end).
func (r *jsonlReader) readLine() (line []byte, tooLong bool, err error) {
	var buf []byte
	for {
		chunk, err := r.text.ReadSlice('\n')
		if len(buf)+len(chunk) > maxLine {
			tooLong = true
		} else {
			buf = append(buf, chunk...)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if tooLong {
			return nil, true, nil
		}
		return buf, false, err
	}
}

// decode turns one JSON object into fields. A value where text is expected
// may be a string, a number (taken literally: exported ids are often
// numbers) or null (absent); anything else makes the row invalid_row.
func (r *jsonlReader) decode(b []byte) (Fields, map[string]json.RawMessage, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(b, &obj); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return Fields{}, nil, errors.New("not a JSON object")
		}
		return Fields{}, nil, fmt.Errorf("broken JSON: %v", err)
	}
	if obj == nil { // null decodes into a map without an error
		return Fields{}, nil, errors.New("not a JSON object")
	}
	// A key twice would be read as its last value, silently; two keys of
	// one field (email and e-mail) in map order, at random.
	if n := topLevelKeys(b); n != len(obj) {
		return Fields{}, nil, errors.New("a key appears twice in the object")
	}
	var f Fields
	var problems []string
	keyOf := map[string]string{} // field → the key that gave it
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		raw := obj[k]
		if n, ok := r.mapper.ignoredAs(k); ok {
			r.ignored[n] = true
			continue
		}
		r.noteKey(k)
		field, _ := r.mapper.field(k)
		if field == "" {
			r.warnUnknown(k)
			continue
		}
		if other, dup := keyOf[field]; dup {
			problems = append(problems, fmt.Sprintf("keys %q and %q both give %s", other, k, field))
			continue
		}
		keyOf[field] = k
		if field == r.mapper.words.nested {
			// The nested object gives the reference's fields
			// (referring_partner_*, partner_*, customer_*): a top-level
			// key may not give one of them too.
			given, err := f.setNested(raw, r.mapper.words)
			if err != nil {
				problems = append(problems, fmt.Sprintf("%s: %v", k, err))
				continue
			}
			for _, sub := range given {
				if other, dup := keyOf[sub]; dup {
					problems = append(problems, fmt.Sprintf("keys %q and %q both give %s", other, k, sub))
				} else {
					keyOf[sub] = k
				}
			}
			continue
		}
		if err := f.set(field, raw, r.mapper.words.kind); err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", k, err))
		}
	}
	if len(problems) > 0 {
		slices.Sort(problems) // map order is random; messages must not be
		return f, obj, errors.New(strings.Join(problems, "; "))
	}
	return f, obj, nil
}

// jsonCell is a value as --where compares it: text or a number as
// written, true and false as such, "" for null or no value.
func jsonCell(raw json.RawMessage) string {
	if s, err := jsonText(raw); err == nil {
		return s
	}
	return string(bytes.TrimSpace(raw))
}

// topLevelKeys counts the keys of a JSON object's own level: the colons
// outside strings at depth one.
func topLevelKeys(b []byte) int {
	n, depth, inString, escaped := 0, 0, false, false
	for _, c := range b {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			depth--
		case c == ':' && depth == 1:
			n++
		}
	}
	return n
}

// noteKey keeps a key the first object lacks, for the guard at the end.
func (r *jsonlReader) noteKey(k string) {
	if r.later[k] || len(r.later) >= maxLaterKeys || slices.ContainsFunc(r.cols, func(c Column) bool { return c.Header == k }) {
		return
	}
	r.later[k] = true
}

// endOfFile is io.EOF when the file's keys pass: every --ignore-column key
// was in some object, and the keys of every object (not only the
// first's) pass the guard. An import reads the whole file before sending,
// so a key only a later object holds (a typo, a column a preset reads)
// still stops it before anything is sent.
func (r *jsonlReader) endOfFile() error {
	if err := r.ignoredSeen(); err != io.EOF {
		return err
	}
	if !r.mapper.guarded || len(r.later) == 0 {
		return io.EOF
	}
	cols := slices.Clone(r.cols)
	for _, k := range slices.Sorted(maps.Keys(r.later)) {
		field, note := r.mapper.field(k)
		cols = append(cols, Column{Index: len(cols) + 1, Header: k, Field: field, Note: note})
	}
	if err := r.mapper.guardKeys(cols); err != nil {
		return err
	}
	return io.EOF
}

// ignoredSeen is io.EOF once every key --ignore-column names was in some
// object; otherwise the error that a typo there deserves. It comes before
// anything is sent: import reads the whole file first.
func (r *jsonlReader) ignoredSeen() error {
	var absent []string
	for n, key := range r.mapper.ignored {
		if !r.ignored[n] {
			absent = append(absent, key)
		}
	}
	if len(absent) == 0 {
		return io.EOF
	}
	slices.Sort(absent)
	return fmt.Errorf("--ignore-column %s: no object of the file has such a key", quotedList(absent, "and"))
}

func (r *jsonlReader) warnUnknown(k string) {
	if r.warned[k] || len(r.warned) >= 100 {
		return
	}
	r.warned[k] = true
	r.warnings = append(r.warnings, fmt.Sprintf("unknown key %q: ignored", k))
}

// set puts a JSON value in kind's field.
func (f *Fields) set(field string, raw json.RawMessage, kind report.Kind) error {
	if field == fieldTags {
		return f.setTags(raw)
	}
	if t := bytes.TrimSpace(raw); (field == fieldRewarded || field == fieldRewardable) && (string(t) == "true" || string(t) == "false") {
		return f.set(field, json.RawMessage(`"`+string(t)+`"`), kind) // a yes-or-no column: JSON's true and false are its words
	}
	s, err := jsonText(raw)
	if err != nil {
		return err
	}
	if why := badText(s, false); why != "" {
		return errors.New(why)
	}
	if set := setterOf(field, kind); set != nil && s != "" {
		set(f, s)
	}
	return nil
}

// jsonText reads a JSON value as trimmed text. The messages never quote the
// value: it may be a password.
func jsonText(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "", nil
	}
	switch c := raw[0]; {
	case c == '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", errors.New("not a valid string")
		}
		return strings.TrimSpace(s), nil
	case c == '-' || (c >= '0' && c <= '9'):
		return string(raw), nil
	case c == 'n':
		return "", nil
	case c == 't' || c == 'f':
		return "", errors.New("expected text, got true/false")
	case c == '{':
		return "", errors.New("expected text, got an object")
	case c == '[':
		return "", errors.New("expected text, got an array")
	}
	return "", errors.New("expected text")
}

func (f *Fields) setTags(raw json.RawMessage) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '[' {
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return errors.New("not a valid array")
		}
		for _, it := range items {
			s, err := jsonText(it)
			if err != nil {
				return fmt.Errorf("tags must be strings: %v", err)
			}
			if why := badText(s, false); why != "" {
				return errors.New(why)
			}
			if s != "" {
				f.Tags = append(f.Tags, s)
			}
		}
		return nil
	}
	s, err := jsonText(raw)
	f.Tags = splitTags(s)
	return err
}

// setNested reads a nested reference, {"id","key","email"} for a partner's
// referrer (referring_partner) or a customer's partner (partner),
// {"key","email"} for a transaction's customer (customer), and says which
// fields it gave.
func (f *Fields) setNested(raw json.RawMessage, words *vocabulary) (given []string, _ error) {
	raw = bytes.TrimSpace(raw)
	if string(raw) == "null" {
		return nil, nil
	}
	keys := make([]string, len(words.nestedKeys))
	for i, sk := range words.nestedKeys {
		keys[i] = fmt.Sprintf("%q", sk.key)
	}
	if len(raw) == 0 || raw[0] != '{' {
		return nil, fmt.Errorf("expected an object {%s}", strings.Join(keys, ", "))
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil, errors.New("not a valid object")
	}
	if topLevelKeys(raw) != len(obj) {
		return nil, errors.New("a key appears twice in the object")
	}
	seen := map[string]string{} // id, key, email → the key that gave it
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		n := normalizeHeader(k)
		if other, dup := seen[n]; dup {
			return nil, fmt.Errorf("keys %q and %q both give its %s", other, k, n)
		}
		seen[n] = k
		s, err := jsonText(obj[k])
		if err != nil {
			return nil, fmt.Errorf("%s: %v", k, err)
		}
		if why := badText(s, false); why != "" {
			return nil, fmt.Errorf("%s: %s", k, why)
		}
		i := slices.IndexFunc(words.nestedKeys, func(sk subKey) bool { return sk.key == n })
		if i < 0 {
			return nil, fmt.Errorf("unknown key %q (expected %s)", k, names(unquoted(keys)))
		}
		if s != "" {
			setters[words.nestedKeys[i].field](f, s)
			given = append(given, words.nestedKeys[i].field)
		}
	}
	return given, nil
}

func unquoted(keys []string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = strings.Trim(k, `"`)
	}
	return out
}
