package secret

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// Every way Go prints or logs a value hides the secret, also inside a struct.
func TestNothingPrintsTheSecret(t *testing.T) {
	s := New("Sup3rSecret")
	type row struct {
		Email    string
		Password String
	}
	r := row{"a@x.io", s}
	var out []string
	for _, f := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		out = append(out, fmt.Sprintf(f, s), fmt.Sprintf(f, r))
	}
	j, _ := json.Marshal(r)
	out = append(out, string(j))
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("row", "password", s, "row", r)
	slog.New(slog.NewTextHandler(&logs, nil)).Info("row", "password", s)
	out = append(out, logs.String())
	for _, o := range out {
		if strings.Contains(o, "Sup3rSecret") {
			t.Errorf("printed: %s", o)
		}
	}
	if s.Reveal() != "Sup3rSecret" || s.Empty() || !New("").Empty() {
		t.Error("Reveal or Empty is wrong")
	}
}
