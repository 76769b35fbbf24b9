package pull

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// text is a JSON value read leniently as text: a string, a number (ids
// that are not the documented UUIDs, cents as strings or numbers), or
// null ("").
type text string

func (t *text) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case string(b) == "null":
		*t = ""
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*t = text(s)
	case len(b) > 0 && (b[0] == '-' || (b[0] >= '0' && b[0] <= '9')):
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return err
		}
		*t = text(n)
	case string(b) == "true" || string(b) == "false":
		*t = text(b)
	default:
		// Its kind, not its text: the value may hold personal data.
		return fmt.Errorf("expected text or a number, got %s", jsonKind(b))
	}
	return nil
}

// idOf reads a reference that is either an id or an object with an id
// (an expanded one): "abc", 12, {"id": "abc", ...}, null.
func idOf(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '{' {
		var o struct {
			ID text `json:"id"`
		}
		if json.Unmarshal(raw, &o) == nil {
			return string(o.ID)
		}
		return ""
	}
	var t text
	if len(raw) > 0 && json.Unmarshal(raw, &t) == nil {
		return string(t)
	}
	return ""
}

// jsonKind names the kind of a JSON value: "an object", "a list".
func jsonKind(b []byte) string {
	switch {
	case len(b) == 0:
		return "nothing"
	case b[0] == '{':
		return "an object"
	case b[0] == '[':
		return "a list"
	}
	return "something that is not JSON"
}
