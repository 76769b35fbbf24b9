package validate

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/partnero-import/partnero-import/importer/input"
	"github.com/partnero-import/partnero-import/importer/secret"
	"github.com/partnero-import/partnero-import/report"
)

func TestEmailProblem(t *testing.T) {
	valid := []string{"a@x.io", "first.last+tag@mail.example.co.uk", "o'neil@x.io", "zoë@exämple.de", "a_b-c@sub-domain.x.io", "123@x.io",
		"ａｎｎ＠ｘ．ｉｏ", "zoe\u0308@x.io"} // full-width and decomposed: plain once normalised
	for _, e := range valid {
		if why := EmailProblem(e); why != "" {
			t.Errorf("%q: %s, want valid", e, why)
		}
	}
	invalid := map[string]string{
		"plain":                   "no @",
		"a@@x.io":                 "more than one @",
		"a@b@x.io":                "more than one @",
		"@x.io":                   "nothing before",
		"a@":                      "nothing after",
		"a@localhost":             "without a dot",
		"a@x.io.":                 "ends with a dot",
		"a@x..io":                 "empty label",
		"a@.x.io":                 "empty label",
		"a b@x.io":                "white space",
		"Ann <a@x.io>":            "display name",
		"a.@x.io":                 "misplaced dot",
		"a..b@x.io":               "misplaced dot",
		"a@x_y.io":                "not allowed in a domain",
		"a@-x.io":                 "dash",
		"a,b@x.io":                "not allowed in an address",
		"a@x.io,b@y.io":           "more than one @",
		"\"quoted\"@x.io":         "not allowed",
		"tab\t@x.io":              "white space",
		"a@x.io;":                 "not allowed in a domain",
		"mailto:a@x.io":           "not allowed in an address",
		"a@x.io\u00a0":            "white space",
		"a@[192.168.0.1]":         "not allowed in a domain",
		"a@xn--bcher-kva.example": "",
		"an\u200bn@x.io":          "invisible character (U+200B)",
		"ann\u00ad@x.io":          "invisible character (U+00AD)",
		"\ufeffann@x.io":          "invisible character (U+FEFF)",
		"ann@x\u200d.io":          "invisible character (U+200D)",
		"ann@x.io\u202e":          "invisible character (U+202E)",
	}
	for e, want := range invalid {
		why := EmailProblem(e)
		if want == "" {
			if why != "" {
				t.Errorf("%q: %s, want valid", e, why)
			}
			continue
		}
		if !strings.Contains(why, want) {
			t.Errorf("%q: got %q, want a problem containing %q", e, why, want)
		}
	}
}

// Look-alikes are one address: full-width letters, a ligature or another
// case are the same partner; the first row keeps it.
func TestLookAlikeEmailsAreOnePartner(t *testing.T) {
	vs := judge(t, Create,
		rec(1, input.Fields{Email: "ann@x.io"}),
		rec(2, input.Fields{Email: "ＡＮＮ@ｘ.io"}),
		rec(3, input.Fields{Email: "ﬁ@x.io"}),
		rec(4, input.Fields{Email: "FI@X.IO"}),
		rec(5, input.Fields{Email: "kid@x.io", ReferringEmail: "ａｎｎ@x.io"}),
	)
	for i, want := range []report.Reason{"", report.DuplicateEmailInFile, "", report.DuplicateEmailInFile, ""} {
		if vs[i].Reason != want {
			t.Errorf("row %d: %s %s (%s), want %q", i+1, vs[i].Status, vs[i].Reason, vs[i].Message, want)
		}
	}
	if vs[4].Referrer != 1 {
		t.Errorf("a look-alike referrer email found row %d, want 1", vs[4].Referrer)
	}
}

func rec(row int, f input.Fields) *input.Record {
	return &input.Record{Row: row, Line: row + 1, Fields: f}
}

// judge runs both passes over rows and returns each verdict. It checks that
// the other ways to judge a row agree with Judge: as soon as it is added
// when its verdict is final (JudgeNow), and after Finish from the problems
// Add returned (JudgeProblems): the dry run's ways, which read a row once.
func judge(t *testing.T, mode string, rows ...*input.Record) []Verdict {
	t.Helper()
	p := NewPlan(mode)
	added := make([][]Problem, len(rows))
	early := map[int]Verdict{}
	for i, r := range rows {
		added[i] = p.Add(r)
		action, _ := Action(&r.Fields, mode)
		if v, ok := p.JudgeNow(r.Row, action, slices.Clone(added[i])); ok {
			early[i] = v
		}
	}
	p.Finish()
	out := make([]Verdict, len(rows))
	for i, r := range rows {
		out[i] = p.Judge(r)
		action, _ := Action(&r.Fields, mode)
		if v := p.JudgeProblems(r.Row, action, added[i]); v != out[i] {
			t.Errorf("row %d judged from its problems: %+v, judged again: %+v", r.Row, v, out[i])
		}
		if v, ok := early[i]; ok && v != out[i] {
			t.Errorf("row %d judged as it was added: %+v, after Finish: %+v", r.Row, v, out[i])
		}
	}
	return out
}

func TestRowReasons(t *testing.T) {
	ok := input.Fields{Email: "a@x.io", Name: "Ann"}
	with := func(change func(f *input.Fields)) input.Fields {
		f := ok
		change(&f)
		return f
	}
	tests := []struct {
		name    string
		mode    string
		fields  input.Fields
		err     error
		reason  report.Reason
		message string
	}{
		{"valid", Create, ok, nil, "", ""},
		{"unreadable", Create, ok, errors.New("wrong number of fields: the header has 3"), report.InvalidRow, "wrong number of fields"},
		{"bad action", Create, with(func(f *input.Fields) { f.Action = "subscribe" }), nil, report.InvalidRow, `action: "subscribe"`},
		{"action any case", Create, with(func(f *input.Fields) { f.Action = "INVITE" }), nil, "", ""},
		{"missing email", Create, with(func(f *input.Fields) { f.Email = "" }), nil, report.MissingEmail, "email: missing"},
		{"invalid email", Create, with(func(f *input.Fields) { f.Email = "a@x" }), nil, report.InvalidEmail, "email: has a domain without a dot"},
		{"weak password", Create, with(func(f *input.Fields) { f.Password = secret.New("abcdefgh") }), nil, report.WeakPassword, "an uppercase letter, a digit"},
		{"short password", Create, with(func(f *input.Fields) { f.Password = secret.New("Ab1") }), nil, report.WeakPassword, "at least 8 characters"},
		{"good password", Create, with(func(f *input.Fields) { f.Password = secret.New("Abcdefg1") }), nil, "", ""},
		{"unicode password", Create, with(func(f *input.Fields) { f.Password = secret.New("Ünïcödé9") }), nil, "", ""},
		{"invite without name", Invite, with(func(f *input.Fields) { f.Name = "" }), nil, report.MissingName, "name: an invite needs one"},
		{"create without name", Create, with(func(f *input.Fields) { f.Name = "" }), nil, "", ""},
		{"invite by action cell", Create, with(func(f *input.Fields) { f.Name = ""; f.Action = "invite" }), nil, report.MissingName, "invite"},
		{"name 100 ok", Create, with(func(f *input.Fields) { f.Name = strings.Repeat("é", 100) }), nil, "", ""},
		{"name 101", Create, with(func(f *input.Fields) { f.Name = strings.Repeat("é", 101) }), nil, report.FieldTooLong, "name: 101 characters, over 100"},
		{"surname 101", Create, with(func(f *input.Fields) { f.Surname = strings.Repeat("x", 101) }), nil, report.FieldTooLong, "surname"},
		{"key 65", Create, with(func(f *input.Fields) { f.Key = strings.Repeat("k", 65) }), nil, report.FieldTooLong, "key: 65 characters, over 64"},
		{"key of letters, digits, - and _", Create, with(func(f *input.Fields) { f.Key = "Jane_Doe-2" }), nil, "", ""},
		{"key with a dot", Create, with(func(f *input.Fields) { f.Key = "jane.doe" }), nil, report.InvalidRow, `key: "jane.doe" holds '.'`},
		{"key with a space", Create, with(func(f *input.Fields) { f.Key = "jane doe" }), nil, report.InvalidRow, `holds ' '`},
		{"key with a non-ASCII letter", Create, with(func(f *input.Fields) { f.Key = "josé" }), nil, report.InvalidRow, `holds 'é'`},
		{"id 256", Create, with(func(f *input.Fields) { f.ID = strings.Repeat("1", 256) }), nil, report.FieldTooLong, "id: 256"},
		{"tag 256", Create, with(func(f *input.Fields) { f.Tags = []string{strings.Repeat("t", 256)} }), nil, report.FieldTooLong, "tags"},
		{"referrer's email a name", Create, with(func(f *input.Fields) { f.ReferringEmail = "Ines Ward" }), nil, report.InvalidEmail,
			`referring_partner_email: "Ines Ward" is not an email (it contains white space)`},
		{"referrer's email an id", Create, with(func(f *input.Fields) { f.ReferringEmail = "8815216" }), nil, report.InvalidEmail,
			`referring_partner_email: "8815216" is not an email (it has no @)`},
		{"referrer's email cut in the message", Create, with(func(f *input.Fields) { f.ReferringEmail = strings.Repeat("x", 80) }), nil, report.InvalidEmail,
			`"` + strings.Repeat("x", 60) + `…" is not an email`},
		{"referrer's email fine", Create, with(func(f *input.Fields) { f.ReferringEmail = "Ines.Ward+ref@x.io" }), nil, "", ""},
		{"both emails bad: the row's own first", Create, with(func(f *input.Fields) { f.Email = "nope"; f.ReferringEmail = "Ines" }), nil, report.InvalidEmail,
			`email: has no @; referring_partner_email: "Ines" is not an email`},
		{"first problem is the reason, all are listed", Invite, with(func(f *input.Fields) {
			f.Email = "nope"
			f.Name = ""
			f.Password = secret.New("weak")
		}), nil, report.InvalidEmail, "email: has no @; password: needs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := rec(1, tt.fields)
			r.Err = tt.err
			v := judge(t, tt.mode, r)[0]
			if v.Reason != tt.reason {
				t.Fatalf("reason %q (%s), want %q", v.Reason, v.Message, tt.reason)
			}
			wantStatus := report.Valid
			if tt.reason != "" {
				wantStatus = report.Invalid
			}
			if v.Status != wantStatus || !strings.Contains(v.Message, tt.message) {
				t.Errorf("got %s %q, want %s containing %q", v.Status, v.Message, wantStatus, tt.message)
			}
			if strings.Contains(v.Message, "weak") && tt.reason == report.InvalidEmail {
				t.Errorf("message quotes the password: %q", v.Message)
			}
		})
	}
}

func TestFileReasons(t *testing.T) {
	f := func(email, id, key, refID string) input.Fields {
		return input.Fields{Email: email, ID: id, Key: key, ReferringID: refID}
	}
	tests := []struct {
		name string
		rows []input.Fields
		want []string // "status reason message-part" per row
	}{
		{"repeated email, any case, first stays", []input.Fields{f("a@x.io", "", "", ""), f("b@x.io", "", "", ""), f("A@X.IO", "", "", "")},
			[]string{"valid", "valid", "invalid duplicate_email_in_file same email as row 1"}},
		{"repeated id", []input.Fields{f("a@x.io", "7", "", ""), f("b@x.io", "7", "", "")},
			[]string{"valid", "invalid duplicate_id_in_file same id as row 1"}},
		{"repeated key", []input.Fields{f("a@x.io", "", "k", ""), f("b@x.io", "", "k", "")},
			[]string{"valid", "invalid duplicate_key_in_file same key as row 1"}},
		{"repeat of an invalid row still counts", []input.Fields{f("bad", "", "", ""), f("bad", "", "", "")},
			[]string{"invalid invalid_email", "invalid invalid_email email: has no @; email: same email as row 1"}},
		{"self reference", []input.Fields{f("a@x.io", "1", "", "1")},
			[]string{"invalid referral_cycle refers to itself"}},
		{"loop of three, and a row hanging off it", []input.Fields{f("a@x.io", "1", "", "3"), f("b@x.io", "2", "", "1"), f("c@x.io", "3", "", "2"), f("d@x.io", "4", "", "2")},
			[]string{"invalid referral_cycle rows 1 (line 2) → 3 (line 4) → 2 (line 3) → 1", "invalid referral_cycle", "invalid referral_cycle", "skipped referring_partner_failed row 2 (line 3)"}},
		{"child before its invalid parent, grandchild too", []input.Fields{f("c@x.io", "3", "", "2"), f("b@x.io", "2", "", "1"), f("nope", "1", "", "")},
			[]string{"skipped referring_partner_failed row 2", "skipped referring_partner_failed row 3", "invalid invalid_email"}},
		{"a repeat on a loop: both problems, the repeat first", []input.Fields{f("a@x.io", "1", "", "2"), f("A@x.io", "2", "", "1")},
			[]string{"invalid referral_cycle", "invalid duplicate_email_in_file same email as row 1 (line 2); referring partner: on a loop"}},
		{"an id a later row brings wins over an email found before", []input.Fields{
			{Email: "p@x.io"}, {Email: "c@x.io", ReferringID: "9", ReferringEmail: "p@x.io"}, {Email: "nope", ID: "9"}},
			[]string{"valid", "skipped referring_partner_failed row 3", "invalid invalid_email"}},
		{"reference outside the file is left to the API", []input.Fields{f("a@x.io", "1", "", "99")},
			[]string{"valid"}},
		{"a filtered row is skipped whatever else it holds, and its partners with it", []input.Fields{
			{Email: "nope", ID: "f1", Action: "filtered"}, {Email: "c@x.io", ReferringID: "f1"}, {Email: "d@x.io"}},
			[]string{"skipped filtered --where Status=active", "skipped referring_partner_failed row 1 (line 2), is filtered out by --where", "valid"}},
		{"a filtered row keeps its email: a later repeat is still a repeat", []input.Fields{
			{Email: "a@x.io", Action: "filtered"}, {Email: "A@x.io"}},
			[]string{"skipped filtered", "invalid duplicate_email_in_file same email as row 1"}},
		{"reference by key and by email", []input.Fields{
			{Email: "p@x.io", Key: "pk"}, {Email: "c@x.io", ReferringKey: "pk"}, {Email: "d@x.io", ReferringEmail: "P@X.IO"}},
			[]string{"valid", "valid", "valid"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rows []*input.Record
			for i, fs := range tt.rows {
				r := rec(i+1, fs)
				if fs.Action == "filtered" { // as the reader marks a row --where leaves out
					r.Action, r.Filtered = "", "filtered out by --where Status=active"
				}
				rows = append(rows, r)
			}
			for i, v := range judge(t, Create, rows...) {
				got := strings.TrimSpace(string(v.Status) + " " + string(v.Reason) + " " + v.Message)
				parts := strings.SplitN(tt.want[i], " ", 3)
				if string(v.Status) != parts[0] || (len(parts) > 1 && string(v.Reason) != parts[1]) || (len(parts) > 2 && !strings.Contains(v.Message, parts[2])) {
					t.Errorf("row %d: got %q, want %q", i+1, got, tt.want[i])
				}
			}
		})
	}
}

func TestReferrerIsResolved(t *testing.T) {
	vs := judge(t, Create,
		rec(1, input.Fields{Email: "c@x.io", ReferringEmail: "p@x.io"}),
		rec(2, input.Fields{Email: "p@x.io"}))
	if vs[0].Referrer != 2 || vs[1].Referrer != 0 {
		t.Errorf("referrers %d, %d; want 2, 0", vs[0].Referrer, vs[1].Referrer)
	}
}

func TestShape(t *testing.T) {
	p := NewPlan(Create)
	rows := []input.Fields{
		{Email: "root@x.io", ID: "r"},
		{Email: "a@x.io", ID: "a", ReferringID: "r"},
		{Email: "b@x.io", ID: "b", ReferringKey: "kb", ReferringEmail: "A@x.io"},
		{Email: "c@x.io", ID: "c", ReferringID: "b"},
		{Email: "lone@x.io"},
		{Email: "out@x.io", ReferringEmail: "elsewhere@x.io"},
		{Email: "loop1@x.io", ID: "l1", ReferringID: "l2"},
		{Email: "loop2@x.io", ID: "l2", ReferringID: "l1"},
		{Email: "off@x.io", ID: "o", ReferringID: "l1"},
	}
	for i, f := range rows {
		p.Add(rec(i+1, f))
	}
	p.Finish()
	want := Shape{Linked: 6, Roots: 1, Depth: 4, External: 1, ExternalRows: []int{6}}
	if got := p.Shape(); !reflect.DeepEqual(got, want) {
		t.Fatalf("shape %+v, want %+v", got, want)
	}
}

func TestMostlyOutside(t *testing.T) {
	t.Parallel()
	tests := []struct {
		linked, external int
		want             bool
	}{
		{0, 0, false},
		{0, 50, false},  // 50 referrers are too few to judge
		{0, 51, true},   // none of them in the file
		{2, 1998, true}, // the export: a column of names
		{2, 49, true},   // 2 of 51: under 5%
		{3, 48, false},  // 3 of 51: over 5%
		{5, 95, false},  // exactly 5% is not under it
		{4, 96, true},
		{100, 0, false},
	}
	for _, tt := range tests {
		if got := (Shape{Linked: tt.linked, External: tt.external}).MostlyOutside(); got != tt.want {
			t.Errorf("%d linked, %d outside: %v, want %v", tt.linked, tt.external, got, tt.want)
		}
	}
}

// A row whose referrers are all on earlier rows is judged as it is added;
// one that refers down the file, or outside it, waits for Finish.
func TestJudgeNow(t *testing.T) {
	rows := []struct {
		fields input.Fields
		now    bool
	}{
		{input.Fields{Email: "root@x.io", ID: "r"}, true},
		{input.Fields{Email: "a@x.io", ID: "a", ReferringEmail: "ROOT@x.io"}, true},
		{input.Fields{Email: "b@x.io", ReferringID: "a"}, true},
		{input.Fields{Email: "bad", ID: "bad"}, true},
		{input.Fields{Email: "c@x.io", ID: "c", ReferringID: "bad"}, true},
		{input.Fields{Email: "d@x.io", ReferringID: "c"}, true},
		{input.Fields{Email: "e@x.io", ReferringID: "later"}, false},
		{input.Fields{Email: "f@x.io", ReferringEmail: "e@x.io"}, false}, // its referrer waits
		{input.Fields{Email: "g@x.io", ReferringEmail: "elsewhere@x.io"}, false},
		{input.Fields{Email: "h@x.io", ID: "later"}, true},
	}
	p := NewPlan(Create)
	for i, r := range rows {
		ps := p.Add(rec(i+1, r.fields))
		if _, now := p.JudgeNow(i+1, Create, ps); now != r.now {
			t.Errorf("row %d judged at once: %v, want %v", i+1, now, r.now)
		}
	}
	var recs []*input.Record
	for i, r := range rows {
		recs = append(recs, rec(i+1, r.fields))
	}
	vs := judge(t, Create, recs...)
	for i, want := range []report.Status{report.Valid, report.Valid, report.Valid, report.Invalid, report.Skipped, report.Skipped, report.Valid, report.Valid, report.Valid, report.Valid} {
		if vs[i].Status != want {
			t.Errorf("row %d: %s, want %s", i+1, vs[i].Status, want)
		}
	}
}
