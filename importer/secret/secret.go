// Package secret holds values that must never be printed: partners'
// passwords and the API key. Every way Go prints or logs a value says
// REDACTED; only Reveal gives the text, at the one place it is sent.
package secret

import "log/slog"

// String is a secret text.
type String struct{ s string }

// New wraps s.
func New(s string) String { return String{s} }

// Reveal returns the secret itself, for the request that needs it.
func (s String) Reveal() string { return s.s }

// Empty reports whether there is no secret.
func (s String) Empty() bool { return s.s == "" }

const redacted = "REDACTED"

func (String) String() string               { return redacted }
func (String) GoString() string             { return redacted }
func (String) LogValue() slog.Value         { return slog.StringValue(redacted) }
func (String) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }
func (String) MarshalText() ([]byte, error) { return []byte(redacted), nil }
