package input

import (
	"io"
	"slices"
	"strings"
	"testing"
)

func TestParseWhere(t *testing.T) {
	tests := []struct {
		in   string
		want Condition
		err  string
	}{
		{"Status=active", Condition{Column: "Status", Values: []string{"active"}}, ""},
		{" Affiliate Status = active , approved ", Condition{Column: "Affiliate Status", Values: []string{"active", "approved"}}, ""},
		{"Status!=denied,pending", Condition{Column: "Status", Not: true, Values: []string{"denied", "pending"}}, ""},
		{`Group="A, B",C`, Condition{Column: "Group", Values: []string{"A, B", "C"}}, ""},
		{"Status=", Condition{Column: "Status", Values: []string{""}}, ""},
		{"Status", Condition{}, "expected COLUMN=VALUE"},
		{"=active", Condition{}, "expected COLUMN=VALUE"},
		{"!=active", Condition{}, "expected COLUMN=VALUE"},
		{`Status="active`, Condition{}, "a quote is never closed"},
	}
	for _, tt := range tests {
		got, err := ParseWhere(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) || !strings.HasPrefix(err.Error(), "--where ") {
				t.Errorf("ParseWhere(%q): error %v, want one with %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || got.Column != tt.want.Column || got.Not != tt.want.Not || !slices.Equal(got.Values, tt.want.Values) {
			t.Errorf("ParseWhere(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}

func TestConditionHolds(t *testing.T) {
	in := Condition{Column: "s", Values: []string{"Active", "approved"}}
	not := Condition{Column: "s", Not: true, Values: []string{"denied"}}
	empty := Condition{Column: "s", Values: []string{""}}
	tests := []struct {
		c    Condition
		cell string
		want bool
	}{
		{in, "active", true}, {in, " APPROVED ", true}, {in, "pending", false}, {in, "", false},
		{not, "Denied", false}, {not, "active", true}, {not, "", true},
		{empty, "  ", true}, {empty, "x", false},
	}
	for _, tt := range tests {
		if got := tt.c.holds(tt.cell); got != tt.want {
			t.Errorf("%s holds %q: %v, want %v", tt.c, tt.cell, got, tt.want)
		}
	}
}

func TestSplitName(t *testing.T) {
	for full, want := range map[string][2]string{
		"Ines Ward":         {"Ines", "Ward"},
		"Mary Ann van Dyke": {"Mary Ann van", "Dyke"},
		"Cy":                {"Cy", ""},
		"Zed  \u00a0Zulu":   {"Zed", "Zulu"},
		"José García":       {"José", "García"},
	} {
		if n, s := SplitName(full); n != want[0] || s != want[1] {
			t.Errorf("SplitName(%q) = %q, %q; want %q, %q", full, n, s, want[0], want[1])
		}
	}
}

func TestStatusHeader(t *testing.T) {
	for h, want := range map[string]bool{
		"Status": true, "state": true, "Approval Status": true, "affiliate-status": true, "Promoter_Status": true,
		" STATE ": true, "Statuses": false, "Statement": false, "email": false, "Estate": false,
	} {
		if got := statusHeader(h, nil); got != want {
			t.Errorf("statusHeader(%q) = %v, want %v", h, got, want)
		}
	}
	if statusHeader("Status", map[string]bool{"status": true}) {
		t.Error("an ignored status column is still a status column")
	}
}

// What a reader says of status columns and full names, and how --where
// and --split-name shape its records.
func TestSelection(t *testing.T) {
	const file = "email,name,Status,Tier\na@x.io,Ines Ward,active,1\nb@x.io,Bo Li,pending,2\nc@x.io,Cy,Denied,2\nd@x.io,Di Ho,pending,1\n"
	tests := []struct {
		name     string
		opts     Options
		filtered []int  // rows
		unwanted string // "" for none
		warning  string // part of a warning, "" for none about names
		openErr  string
	}{
		{"nothing asked", Options{}, nil,
			`column "Status" marks 2 rows pending, 1 denied: say which rows to import with --where Status=active (or --where 'Status!=pending,denied'), or leave the column out with --ignore-column Status`,
			`column "name" seems to hold full names (3 of 4 names are two words or more, the first on row 1)`, ""},
		{"a where on the status column settles it", Options{Where: []Condition{{Column: "status", Values: []string{"ACTIVE"}}}}, []int{2, 3, 4}, "", "(1 of 1 names are two words or more, the first on row 1)", ""},
		{"a where on another column counts the rows kept", Options{Where: []Condition{{Column: "tier", Values: []string{"2"}}}}, []int{1, 4},
			`column "Status" marks 1 row denied, 1 pending: say which rows to import with --where 'Status!=denied,pending', or`, "", ""}, // 1 of 2 names: not mostly
		{"split names: no warning", Options{SplitName: true}, nil, "marks", "", ""},
		{"a where column the file lacks", Options{Where: []Condition{{Column: "Statu", Values: []string{"x"}}}}, nil, "", "", `--where Statu=x: the file has no column "Statu" (it has: email, name, Status, Tier)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Format = CSV
			rd, err := Open(strings.NewReader(file), tt.opts)
			if tt.openErr != "" {
				if err == nil || err.Error() != tt.openErr {
					t.Fatalf("Open: %v, want %s", err, tt.openErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var filtered []int
			for {
				rec, err := rd.Next()
				if err == io.EOF {
					break
				}
				if rec.Filtered != "" {
					filtered = append(filtered, rec.Row)
				}
				if tt.opts.SplitName && rec.Email == "a@x.io" && (rec.Name != "Ines" || rec.Surname != "Ward") {
					t.Errorf("split: %q %q", rec.Name, rec.Surname)
				}
			}
			if !slices.Equal(filtered, tt.filtered) {
				t.Errorf("filtered rows %v, want %v", filtered, tt.filtered)
			}
			if u := rd.StopReason(); (tt.unwanted == "") != (u == "") || !strings.Contains(u, tt.unwanted) {
				t.Errorf("StopReason: %q, want %q", u, tt.unwanted)
			}
			ws := strings.Join(rd.Warnings(), "\n")
			if got := strings.Contains(ws, "full names"); got != (tt.warning != "") || !strings.Contains(ws, tt.warning) {
				t.Errorf("warnings:\n%s\nwant one with %q", ws, tt.warning)
			}
		})
	}
}
