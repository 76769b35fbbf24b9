package input

import (
	"io"
	"strings"
	"testing"
)

func TestEditDistance(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"email", "email", 0},
		{"emial", "email", 1}, // a swap of neighbours is one edit
		{"frist_name", "first_name", 1},
		{"surename", "surname", 1}, // an insertion
		{"nam", "name", 1},         // a deletion
		{"date", "name", 2},        // two substitutions
		{"username", "surname", 2},
		{"", "abc", 3},
		{"prénom", "prenom", 1}, // runes, not bytes
		{"ca", "abc", 3},        // optimal string alignment: no edit of a swapped pair
	}
	for _, tt := range tests {
		if got := EditDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("EditDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := EditDistance(tt.b, tt.a); got != tt.want {
			t.Errorf("EditDistance(%q, %q) = %d, want %d (symmetric)", tt.b, tt.a, got, tt.want)
		}
	}
}

// Which headers are named as a near miss of a field, and which stay plain
// unknown columns: the typos users make, and real columns that merely look
// alike.
func TestNearMissHeaders(t *testing.T) {
	t.Parallel()
	tests := []struct {
		header, preset string
		want           string // the target as the message names it; "" for none
	}{
		{"Frist Name", "", "name (first_name)"},
		{"Frist Name", "firstpromoter", "name (first name)"},
		{"Parent Promotor ID", "firstpromoter", "referring_partner_id (parent promoter id)"},
		{"emial", "", "email"},
		{"E-mial", "", "email (e_mail)"},
		{"Surename", "", "surname"},
		{"Last Nmae", "", "surname (last_name)"},
		{"emails", "", "email"},
		{"Pasword", "", "password"},
		{"Referring Partner Emial", "", "referring_partner_email"},
		{"refering_partner_id", "", "referring_partner_id"},
		{"Tgas", "", "tags"},
		{"Emial Adress", "", "email (email_address)"}, // two edits in a long name

		// Not near: short headers need an exact match, and real columns.
		{"ip", "", ""},
		{"ids", "", ""},
		{"kez", "", ""},
		{"nam", "", ""},
		{"date", "", ""},
		{"Username", "", ""},
		{"Phone", "", ""},
		{"Notes", "", ""},
		{"Status", "", ""},
		{"State", "", ""},
		{"Company", "", ""},
		{"Country", "", ""},
		{"Website", "", ""},
		{"Balance", "", ""},
		{"Created At", "", ""},
		{"PayPal Email", "", ""},
		{"email_2", "", ""},
		{"Section", "", ""},
		{"Referrals", "", ""},
		{"Referrer", "", ""}, // a nested object's alias: not a column's field
		{"Source", "", ""},
		{"Commission", "", ""},
		{"Parent Promotor ID", "", "referring_partner_id (parent promoter id, as --preset firstpromoter reads it)"}, // without a preset, every preset's headers
		{"Parent Promotor ID", "none", ""},
		{"Referral ID", "", ""}, // FirstPromoter's key: not a mistyped Referrer ID
		{"Referral ID", "rewardful", ""},
		{"Passwort", "", "password"},
		{"Given Names", "", "name (given_name)"},
	}
	for _, tt := range tests {
		m, err := newMapper(Options{Preset: tt.preset})
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		if tg, ok := m.nearest(tt.header); ok {
			got = tg.String()
		}
		if got != tt.want {
			t.Errorf("%q (preset %q): near %q, want %q", tt.header, tt.preset, got, tt.want)
		}
	}
}

// The guard stops a header that probably means something the mapping is
// not doing, each with its way to say "I know".
func TestGuard(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, text string
		opts       Options
		err        string // "" when the file opens
	}{
		{"plain file", "email,name,surname,key\na@x.io,A,B,k\n", Options{}, ""},
		{"an export without its preset", "ID,Email,First Name,Ref ID,Parent Promoter ID\n1,a@x.io,A,k,\n", Options{},
			`this looks like FirstPromoter's promoter export (columns "Ref ID" and "Parent Promoter ID"): use --preset firstpromoter (or --preset none to read it as it is)`},
		{"--preset none", "ID,Email,First Name,Ref ID,Parent Promoter ID\n1,a@x.io,A,k,\n", Options{Preset: "none"}, ""},
		{"the export's columns mapped", "ID,Email,First Name,Ref ID,Parent Promoter ID\n1,a@x.io,A,k,\n",
			Options{Map: map[string]string{"key": "Ref ID", "referring_partner_id": "Parent Promoter ID"}}, ""},
		{"a preset's referrer column not there", "ID,Email,First Name,Ref ID\n1,a@x.io,A,k\n", Options{Preset: "firstpromoter"},
			`--preset firstpromoter found no column for referrer (it reads "parent promoter id" or "parent promoter email")`},
		{"a preset's key and name not there", "ID,Email,Vorname,Code,Parent Promoter ID\n1,a@x.io,A,k,\n", Options{Preset: "firstpromoter"},
			`found no column for key (it reads "ref id", "default ref id" or "referral id"); nor for name (it reads "first name")`},
		{"a preset's field found by an alias", "ID,Email,Name,Ref ID,Parent Promoter ID\n1,a@x.io,A,k,\n", Options{Preset: "firstpromoter"}, ""},
		{"Rewardful without referrers", "Affiliate ID,First name,Email,Token\n1,A,a@x.io,k\n", Options{Preset: "rewardful"}, ""},
		{"a near miss", "email,Frist Name\na@x.io,A\n", Options{},
			`column "Frist Name" is not a known field: did you mean name (first_name)? map it with --map name='Frist Name' or leave it out with --ignore-column 'Frist Name'`},
		{"two near misses", "emial,email,Surename\na@x.io,a@x.io,A\n", Options{},
			`column "emial" is not a known field: did you mean email?`},
		{"a near miss of the preset's header", "ID,Email,First Name,Ref ID,Parent Promotor ID\n1,a@x.io,A,k,\n", Options{Preset: "firstpromoter"},
			`column "Parent Promotor ID" is not a known field: did you mean referring_partner_id (parent promoter id)?`},
		{"a near miss mapped", "email,Frist Name\na@x.io,A\n", Options{Map: map[string]string{"name": "frist name"}}, ""},
		{"a near miss left out", "email,Frist Name\na@x.io,A\n", Options{Ignore: []string{" FRIST NAME "}}, ""},
		{"an unknown column that is near nothing", "email,Notes\na@x.io,A\n", Options{}, ""},
		{"--ignore-column of no column", "email,name\na@x.io,A\n", Options{Ignore: []string{"Pasword"}},
			`--ignore-column "Pasword": the file has no such column (it has: email, name)`},
		{"--ignore-column and --map of one column", "email,name\na@x.io,A\n", Options{Ignore: []string{"name"}, Map: map[string]string{"name": "Name"}},
			"a column is either read or left out"},
		{"JSON Lines: an export's keys", `{"ID":1,"Email":"a@x.io","Ref ID":"k","Parent Promoter ID":null}` + "\n", Options{Format: JSONL},
			"use --preset firstpromoter"},
		{"JSON Lines: a near miss", `{"emial":"a@x.io","email":"a@x.io"}` + "\n", Options{Format: JSONL},
			`key "emial" is not a known field: did you mean email?`},
		{"JSON Lines: --ignore-column of a key no object has", `{"email":"a@x.io"}` + "\n", Options{Format: JSONL, Ignore: []string{"password"}},
			`--ignore-column "password": no object of the file has such a key`},
		{"JSON Lines: --ignore-column of a later object's key", `{"email":"a@x.io"}` + "\n" + `{"email":"b@x.io","password":"x"}` + "\n",
			Options{Format: JSONL, Ignore: []string{"password"}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			opts := tt.opts
			opts.Guard = true
			if opts.Format == "" {
				opts.Format = CSV
			}
			err := readToEnd(tt.text, opts)
			switch {
			case tt.err == "" && err != nil:
				t.Fatalf("stopped: %v", err)
			case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
				t.Fatalf("error %v\nwant one holding %s", err, tt.err)
			}
		})
	}
}

// readToEnd opens text and reads every record: the first error, if any.
func readToEnd(text string, opts Options) error {
	rd, err := Open(strings.NewReader(text), opts)
	if err != nil {
		return err
	}
	for {
		if _, err := rd.Next(); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
	}
}

// Without the guard (the sandbox's preload), the same headers are warnings.
func TestUnguardedNearMissWarns(t *testing.T) {
	t.Parallel()
	_, ws := readAll(t, "email,Frist Name\na@x.io,A\n", Options{Format: CSV})
	if len(ws) != 1 || ws[0] != `unknown column "Frist Name": ignored; did you mean name (first_name)? give --map name='Frist Name'` {
		t.Fatalf("warnings %q", ws)
	}
}

// A column left out is never read: not even a broken cell of it makes the
// row invalid, and no warning names it.
func TestIgnoredColumnNotRead(t *testing.T) {
	t.Parallel()
	for _, format := range []string{CSV, JSONL} {
		text := "email,Password,name\na@x.io,weak,A\n"
		if format == JSONL {
			text = `{"email":"a@x.io","Password":["weak"],"name":"A"}` + "\n"
		}
		rd, err := Open(strings.NewReader(text), Options{Format: format, Ignore: []string{"password"}, Guard: true})
		if err != nil {
			t.Fatal(err)
		}
		rec, err := rd.Next()
		if err != nil || rec.Err != nil {
			t.Fatalf("%s: %v %v", format, err, rec.Err)
		}
		if rec.Password.Reveal() != "" || rec.Name != "A" {
			t.Errorf("%s: password %v, name %q", format, rec.Password.Reveal() != "", rec.Name)
		}
		if _, err := rd.Next(); err != io.EOF {
			t.Errorf("%s: %v", format, err)
		}
		if ws := rd.Warnings(); len(ws) != 0 {
			t.Errorf("%s: warnings %q", format, ws)
		}
	}
}
