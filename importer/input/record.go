package input

import (
	"strings"

	"github.com/partnero-import/partnero-import/importer/secret"
)

// Fields are a partner's canonical fields, trimmed; an empty string is an
// absent value.
type Fields struct {
	Email    string
	Name     string
	Surname  string
	Password secret.String
	ID       string
	Key      string
	Tags     []string

	ReferringID    string
	ReferringKey   string
	ReferringEmail string

	Action string // "create", "invite", empty, or anything else the file said
}

// HasReferrer reports whether the row names a referring partner.
func (f *Fields) HasReferrer() bool {
	return f.ReferringID != "" || f.ReferringKey != "" || f.ReferringEmail != ""
}

func (f *Fields) blank() bool {
	return f.Email == "" && f.Name == "" && f.Surname == "" && f.Password.Empty() && f.ID == "" &&
		f.Key == "" && len(f.Tags) == 0 && !f.HasReferrer() && f.Action == ""
}

// Record is one data record of the file.
type Record struct {
	Row  int // data records counted from 1
	Line int // physical line where the record starts (the header is line 1)
	Fields
	// Err says why the record could not be read (its row is invalid_row).
	Err error
	// Raw is the record's text as the file has it (decoded to UTF-8, with
	// its line end), when Options.KeepRaw asked for it.
	Raw []byte
}

// splitTags splits a tags cell on , ; or |, dropping blanks.
func splitTags(cell string) []string {
	if cell == "" {
		return nil
	}
	parts := strings.FieldsFunc(cell, func(r rune) bool { return r == ',' || r == ';' || r == '|' })
	tags := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			tags = append(tags, p)
		}
	}
	return tags
}
