package input

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/partnero-import/partnero-import/report"
)

// Column is how one column of the file was understood.
type Column struct {
	Index  int    // from 1
	Header string // as the file has it
	Field  string // canonical field, "" when ignored
	Note   string // why: "--map", "preset rewardful", "unknown column"...
}

// Preset is the header mapping of another platform's export.
type Preset struct {
	Name    string
	About   string
	Columns []PresetColumn
	// Optional are the field groups (key, referrer, name) the export may
	// lack; a missing one of the others stops the run (see guard).
	Optional []string
}

// PresetNone is --preset none: read an export that the tool recognises as
// it is, with the usual names and aliases.
const PresetNone = "none"

// PresetColumn maps one of the export's headers to a field; an empty Field
// marks a column the API cannot take, reported as ignored.
type PresetColumn struct {
	Header string
	Field  string
}

// Presets lists the known exports. Headers are matched like all headers
// (case, spaces, dashes and dots do not matter); several spellings of one
// column are listed because exports change over the years.
var Presets = []Preset{
	{"firstpromoter", "FirstPromoter's promoter export", []PresetColumn{
		{"email", fieldEmail}, {"first name", fieldName}, {"last name", fieldSurname},
		{"id", fieldID}, {"promoter id", fieldID},
		{"ref id", fieldKey}, {"default ref id", fieldKey}, {"referral id", fieldKey},
		{"parent promoter id", fieldReferringID}, {"parent promoter email", fieldReferringEmail},
		{"temp password", ""}, {"balance", ""}, {"earnings balance", ""}, {"status", ""}, {"created at", ""},
	}, nil},
	{"rewardful", "Rewardful's affiliate export", []PresetColumn{
		{"email", fieldEmail}, {"first name", fieldName}, {"last name", fieldSurname},
		{"id", fieldID}, {"affiliate id", fieldID},
		{"token", fieldKey}, {"link token", fieldKey}, {"referral token", fieldKey},
		{"referred by", fieldReferringEmail}, {"referring affiliate email", fieldReferringEmail},
		{"affiliate link", ""}, {"campaign", ""}, {"state", ""}, {"created at", ""}, {"paypal email", ""},
	}, []string{"referrer"}}, // only programs with affiliate referrals export one
	{"tapfiliate", "Tapfiliate's affiliate export", []PresetColumn{
		{"email", fieldEmail}, {"firstname", fieldName}, {"first name", fieldName},
		{"lastname", fieldSurname}, {"last name", fieldSurname},
		{"id", fieldID}, {"affiliate id", fieldID},
		{"referral code", fieldKey}, {"ref", fieldKey},
		{"parent id", fieldReferringID}, {"parent affiliate id", fieldReferringID}, {"parent", fieldReferringID},
		{"affiliate group", ""}, {"company", ""}, {"created at", ""}, {"approved", ""},
	}, []string{"referrer"}}, // only MLM programs export a parent
	{"partnerstack", "PartnerStack's partner export", []PresetColumn{
		{"email", fieldEmail}, {"first name", fieldName}, {"last name", fieldSurname},
		{"partner key", fieldID}, {"key", fieldID},
		{"referral key", fieldKey}, {"link key", fieldKey},
		{"parent partner key", fieldReferringID}, {"manager key", fieldReferringID},
		{"group", ""}, {"company", ""}, {"created at", ""}, {"status", ""},
	}, nil},
	{"partnero", "a file for Partnero's own dashboard import", []PresetColumn{
		{"name", fieldName}, {"last name", fieldSurname}, {"email", fieldEmail},
		{"identifier", fieldID}, {"token", fieldKey}, {"joining date", ""},
	}, nil},
}

// PresetNamed finds a preset.
func PresetNamed(name string) (*Preset, error) {
	for i := range Presets {
		if strings.EqualFold(Presets[i].Name, name) {
			return &Presets[i], nil
		}
	}
	names := make([]string, len(Presets))
	for i, p := range Presets {
		names[i] = p.Name
	}
	return nil, fmt.Errorf("unknown --preset %q: use %s, none, or list", name, strings.Join(names, ", "))
}

// FieldNames are the canonical fields of partners, as --map names them
// (FieldsOf gives each kind's).
var FieldNames = partnerWords.fields

// anyFieldNames are the fields of every kind: --map is read before the
// kind may be known (told from the header), and checked again against the
// kind's fields when the file is opened.
var anyFieldNames = func() (all []string) {
	for _, k := range report.Kinds {
		for _, f := range FieldsOf(k) {
			if !slices.Contains(all, f) {
				all = append(all, f)
			}
		}
	}
	return all
}()

// ParseMap reads --map FIELD=HEADER,... into field → header. A header
// with a comma is quoted: name="Name, given" (a quote inside doubled).
// FIELD may be any kind's: Open checks it against the file's kind.
func ParseMap(s string) (map[string]string, error) {
	m := map[string]string{}
	pairs, err := splitPairs("--map", s)
	if err != nil {
		return nil, err
	}
	for _, pair := range pairs {
		if strings.TrimSpace(pair) == "" {
			continue
		}
		field, header, ok := strings.Cut(pair, "=")
		field, header = strings.ToLower(strings.TrimSpace(field)), unquote(strings.TrimSpace(header))
		if !ok || header == "" {
			return nil, fmt.Errorf("--map %q: expected FIELD=HEADER", pair)
		}
		if !slices.Contains(anyFieldNames, field) {
			return nil, fmt.Errorf("--map %q: %s is not a field (fields: %s)", pair, field, fieldList())
		}
		if prev, dup := m[field]; dup {
			return nil, fmt.Errorf("--map gives %s twice (%q and %q)", field, prev, header)
		}
		m[field] = header
	}
	return m, nil
}

// fieldList names the fields of partners, and those of the other kinds
// as such: "email, name, ...; customers: partner_key, ...".
func fieldList() string {
	list := strings.Join(FieldNames, ", ")
	for _, k := range report.Kinds[1:] {
		list += fmt.Sprintf("; %s: %s", k, strings.Join(FieldsOf(k), ", "))
	}
	return list
}

// splitPairs splits a flag's value at the commas outside double quotes.
func splitPairs(flag, s string) ([]string, error) {
	var pairs []string
	quoted, from := false, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			quoted = !quoted
		case ',':
			if !quoted {
				pairs = append(pairs, s[from:i])
				from = i + 1
			}
		}
	}
	if quoted {
		return nil, fmt.Errorf("%s %q: a quote is never closed", flag, s)
	}
	return append(pairs, s[from:]), nil
}

// unquote reads a quoted header: "Name, given" → Name, given.
func unquote(h string) string {
	if len(h) >= 2 && h[0] == '"' && h[len(h)-1] == '"' {
		return strings.TrimSpace(strings.ReplaceAll(h[1:len(h)-1], `""`, `"`))
	}
	return h
}

// How a column was understood, for the notes code compares.
const (
	noteMap     = "--map"
	noteIgnored = "--ignore-column"
	noteUnknown = "unknown column"
)

// mapper turns headers (or JSON keys) into fields: --ignore-column first,
// then --map, then the preset, then the built-in aliases.
type mapper struct {
	explicit   map[string]string // normalized header → field, from --map
	preset     map[string]string // normalized header → field ("" ignored)
	presetOf   string
	presetNone bool              // --preset none: the user knows what the file is
	wanted     map[string]string // field → header as --map gave it
	ignored    map[string]string // normalized header → as --ignore-column gave it
	guarded    bool              // Options.Guard
	anyPreset  bool              // Options.AnyPreset
	sel        *selector         // the rows' selector, bound to the columns found
	words      *vocabulary       // the kind's fields and aliases
	// headersOnly: the file is opened only for its header (Headers).
	headersOnly bool
}

// partners reports whether the file is read as partners: the presets, the
// guesses and the export recognition are partners' exports' only.
func (m *mapper) partners() bool { return m.words.kind == report.Partners }

func newMapper(opts Options) (*mapper, error) {
	m := &mapper{explicit: map[string]string{}, wanted: opts.Map, ignored: map[string]string{}, guarded: opts.Guard, sel: newSelector(opts),
		words: wordsOf(opts.Kind)}
	for _, field := range slices.Sorted(maps.Keys(opts.Map)) {
		if !slices.Contains(m.words.fields, field) {
			return nil, fmt.Errorf("--map %s=%s: %s is not a field of %s (their fields: %s)", field, opts.Map[field], field, m.words.kind, strings.Join(m.words.fields, ", "))
		}
	}
	for _, header := range opts.Ignore {
		m.ignored[normalizeHeader(header)] = header
	}
	for field, header := range opts.Map {
		n := normalizeHeader(header)
		if _, both := m.ignored[n]; both {
			return nil, fmt.Errorf("--map %s=%s and --ignore-column %s: a column is either read or left out", field, header, m.ignored[n])
		}
		m.explicit[n] = field
	}
	m.presetNone = strings.EqualFold(opts.Preset, PresetNone)
	if opts.Preset != "" && !m.presetNone && !m.partners() {
		return nil, fmt.Errorf("--preset %s reads an export of partners, not of %s: name the columns with --map FIELD=HEADER", opts.Preset, m.words.kind)
	}
	if opts.Preset != "" && !m.presetNone {
		p, err := PresetNamed(opts.Preset)
		if err != nil {
			return nil, err
		}
		m.use(p)
	}
	m.anyPreset = opts.AnyPreset && m.partners()
	return m, nil
}

// use reads the columns as preset p names them.
func (m *mapper) use(p *Preset) {
	m.preset, m.presetOf = map[string]string{}, p.Name
	for _, c := range p.Columns {
		m.preset[normalizeHeader(c.Header)] = c.Field
	}
}

// ignoredAs is the normalized --ignore-column header that leaves header
// out, if one does.
func (m *mapper) ignoredAs(header string) (string, bool) {
	for _, n := range headerForms(header) {
		if _, ok := m.ignored[n]; ok {
			return n, true
		}
	}
	return "", false
}

// field says what a header means, and why.
func (m *mapper) field(header string) (field, note string) {
	if _, ok := m.ignoredAs(header); ok {
		return "", noteIgnored
	}
	for _, n := range headerForms(header) {
		if f, ok := m.explicit[n]; ok {
			return f, noteMap
		}
	}
	n := normalizeHeader(header)
	if f, ok := m.preset[n]; ok {
		if f == "" {
			return "", "preset " + m.presetOf + ": " + IgnoredWhy(header)
		}
		return f, "preset " + m.presetOf
	}
	if f := m.words.field(n); f != "" {
		return f, ""
	}
	if strings.TrimSpace(header) == "" {
		return "", "no header"
	}
	return "", noteUnknown
}

// columns maps a header line. A field claimed by --map or the preset wins
// over a column that would match it by alias (that column is ignored); two
// columns claiming one field otherwise are an error, as is a --map header
// the file does not have and a file without the kind's required columns
// (partners: email). A header that fails so, and that looks like a file
// of another kind, says which.
func (m *mapper) columns(headers []string) ([]Column, error) {
	if m.headersOnly {
		return nil, headersFound{slices.Clone(headers)}
	}
	cols, err := m.mapColumns(headers)
	if err != nil {
		if k, why := DetectKind(headers); k != m.words.kind {
			return nil, fmt.Errorf("%w; the file looks like %s (%s): give --kind %s", err, k, why, k)
		}
	}
	return cols, err
}

func (m *mapper) mapColumns(headers []string) ([]Column, error) {
	if m.anyPreset && m.presetOf == "" && !m.presetNone {
		if p, _ := likelyPreset(headers); p != nil {
			m.use(p)
		}
	}
	cols := make([]Column, len(headers))
	strong := map[string]int{} // field → column claimed by --map, else by the preset
	for i, h := range headers {
		f, note := m.field(h)
		if f == m.words.nested { // a nested object is JSON Lines' only
			f, note = "", noteUnknown
		}
		cols[i] = Column{Index: i + 1, Header: h, Field: f, Note: note}
		if f != "" && note == noteMap {
			if prev, dup := strong[f]; dup {
				return nil, fmt.Errorf("columns %q and %q both map to %s: %s", headers[prev], h, f, renameAdvice(headers[prev], h))
			}
			strong[f] = i
		}
	}
	// The preset's claims yield to --map's: --map settles a preset's clash.
	for i, c := range cols {
		if c.Field == "" || !strings.HasPrefix(c.Note, "preset ") {
			continue
		}
		if j, ok := strong[c.Field]; ok && cols[j].Note == noteMap {
			continue // ignored below
		}
		if prev, dup := strong[c.Field]; dup {
			return nil, fmt.Errorf("columns %q and %q both map to %s: %s, or say which with --map %s=HEADER", headers[prev], c.Header, c.Field,
				renameAdvice(headers[prev], c.Header), c.Field)
		}
		strong[c.Field] = i
	}
	seen := map[string]int{}
	for i := range cols {
		c := &cols[i]
		if c.Field == "" {
			continue
		}
		if j, ok := strong[c.Field]; ok && j != i {
			c.Note = fmt.Sprintf("ignored: %s comes from column %q", c.Field, headers[j])
			c.Field = ""
			continue
		}
		if prev, dup := seen[c.Field]; dup {
			advice := fmt.Sprintf("%s, or say which with --map %s=HEADER", renameAdvice(headers[prev], c.Header), c.Field)
			if normalizeHeader(headers[prev]) == normalizeHeader(c.Header) {
				advice = renameAdvice(headers[prev], c.Header)
			}
			return nil, fmt.Errorf("columns %q and %q both map to %s: %s%s", headers[prev], c.Header, c.Field, advice, m.presetAdvice(headers))
		}
		seen[c.Field] = i
	}
	present := map[string]bool{}
	for _, h := range headers {
		for _, n := range headerForms(h) {
			present[n] = true
		}
	}
	for field, header := range m.wanted {
		if !present[normalizeHeader(header)] {
			return nil, fmt.Errorf("--map %s=%s: the file has no column %q (it has: %s)", field, header, header, strings.Join(headers, ", "))
		}
	}
	if err := m.ignoredPresent(present, headers); err != nil {
		return nil, err
	}
	// The guard first: a mistyped email header is better named as such
	// than as no email column.
	if m.guarded {
		if err := m.guard(cols); err != nil {
			return nil, err
		}
	}
	if err := m.requiredColumns(cols, seen); err != nil {
		return nil, err
	}
	return cols, m.sel.bind(cols)
}

// requiredColumns refuses a header without the kind's required columns:
// an email for partners; a key and a partner for customers; a key, a
// customer and an amount for transactions. A near miss among the unknown
// columns is named: it is probably the column missing.
func (m *mapper) requiredColumns(cols []Column, seen map[string]int) error {
	headers := headersOf(cols)
	if m.partners() {
		if _, ok := seen[fieldEmail]; !ok {
			return fmt.Errorf("%w: the header (%s) has none of email, e-mail, email_address; name it with --map email=HEADER%s", ErrNoEmailColumn, strings.Join(headers, ", "), m.presetAdvice(headers))
		}
		return nil
	}
	missing := m.words.missingColumns(seen)
	if missing == "" {
		return nil
	}
	var misses []string
	for _, c := range cols {
		if t, ok := m.nearest(c.Header); ok && c.Note == noteUnknown {
			misses = append(misses, fmt.Sprintf("column %q is probably %s: give %s", c.Header, t, mapFix(t.field, c.Header)))
		}
	}
	advice := "name them with --map FIELD=HEADER"
	if len(misses) > 0 {
		advice = strings.Join(misses, "; ")
	}
	return fmt.Errorf("%w: the header (%s) of these %s has %s; %s", ErrMissingColumn, strings.Join(headers, ", "), m.words.kind, missing, advice)
}

// ignoredPresent refuses an --ignore-column header the file does not have:
// a typo there must not pass silently. present holds the file's
// normalized headers.
func (m *mapper) ignoredPresent(present map[string]bool, headers []string) error {
	var absent []string
	for n, header := range m.ignored {
		if !present[n] {
			absent = append(absent, header)
		}
	}
	if len(absent) == 0 {
		return nil
	}
	slices.Sort(absent)
	return fmt.Errorf("--ignore-column %s: the file has no such column (it has: %s)", quotedList(absent, "and"), strings.Join(headers, ", "))
}

// renameAdvice is what to do about two columns that claim one field: two
// of one header can only be told apart by renaming one.
func renameAdvice(a, b string) string {
	if normalizeHeader(a) == normalizeHeader(b) {
		return "the header names two columns alike: rename one"
	}
	return "remove or rename one"
}

// ErrNoEmailColumn is returned when no header maps to the email field.
var ErrNoEmailColumn = errors.New("no email column")

// ErrMissingColumn is returned when a customers' or transactions' header
// lacks a column the kind needs (a key, a partner, a customer, an amount).
var ErrMissingColumn = errors.New("missing column")

// columnWarnings are the notes about ignored columns, for a run that does
// not print the whole mapping. A column left out with --ignore-column was
// asked for: no note.
func (m *mapper) columnWarnings(cols []Column) []string {
	var ws []string
	presetUsed := false
	for _, c := range cols {
		presetUsed = presetUsed || strings.HasPrefix(c.Note, "preset ")
		switch {
		case c.Field != "", c.Note == noteIgnored:
		case c.Note == "no header":
			ws = append(ws, fmt.Sprintf("column %d has no header: ignored", c.Index))
		case c.Note == noteUnknown && m.partners() && guesses[normalizeHeader(c.Header)] != "":
			f := guesses[normalizeHeader(c.Header)]
			ws = append(ws, fmt.Sprintf("unknown column %q: ignored; if it is the %s, give %s", c.Header, f, mapFix(f, c.Header)))
		case c.Note == noteUnknown:
			if t, ok := m.nearest(c.Header); ok {
				ws = append(ws, fmt.Sprintf("unknown column %q: ignored; did you mean %s? give %s", c.Header, t, mapFix(t.field, c.Header)))
				continue
			}
			ws = append(ws, fmt.Sprintf("unknown column %q: ignored", c.Header))
		default:
			ws = append(ws, fmt.Sprintf("column %q ignored (%s)", c.Header, c.Note))
		}
	}
	if p, _ := likelyPreset(headersOf(cols)); p != nil && !presetUsed && !m.presetNone && m.partners() {
		ws = append(ws, fmt.Sprintf("the file looks like %s: give --preset %s to read its ids, keys and referrers", p.About, p.Name))
	}
	return ws
}

func headersOf(cols []Column) []string {
	hs := make([]string, len(cols))
	for i, c := range cols {
		hs[i] = c.Header
	}
	return hs
}

// guesses are headers that probably name a field, in other words or
// languages: too doubtful to map unasked, worth a word when ignored.
var guesses = map[string]string{
	"pwd": fieldPassword, "pass": fieldPassword, "passwd": fieldPassword, "pw": fieldPassword, "passwort": fieldPassword,
	"kennwort": fieldPassword, "mot_de_passe": fieldPassword, "contraseña": fieldPassword, "contrasena": fieldPassword,
	"senha": fieldPassword, "wachtwoord": fieldPassword, "hasło": fieldPassword, "initial_password": fieldPassword,
	"vorname": fieldName, "prénom": fieldName, "prenom": fieldName, "nombre": fieldName, "nome": fieldName, "voornaam": fieldName,
	"nachname": fieldSurname, "nom": fieldSurname, "nom_de_famille": fieldSurname, "apellido": fieldSurname,
	"apellidos": fieldSurname, "cognome": fieldSurname, "achternaam": fieldSurname, "sobrenome": fieldSurname,
	"correo": fieldEmail, "courriel": fieldEmail, "e_mail_adresse": fieldEmail, "emailadresse": fieldEmail,
	"referral_code": fieldKey, "ref_code": fieldKey, "affiliate_code": fieldKey, "coupon": fieldKey,
	"affiliate_id": fieldID, "promoter_id": fieldID, "customer_id": fieldID,
	"parent_email": fieldReferringEmail, "referred_by": fieldReferringEmail, "sponsor_email": fieldReferringEmail, "upline_email": fieldReferringEmail,
	"parent_id": fieldReferringID, "sponsor_id": fieldReferringID, "upline_id": fieldReferringID,
}

// likelyPreset is the preset that reads headers differently from the
// aliases in at least two columns it maps (a header no alias knows, or one
// an alias gives another field, as PartnerStack's "key"), spelled as the
// preset does or a typo away (an export one letter off is still that
// export); or in one, a key column no other preset has (FirstPromoter's
// "Ref ID"), with another of its columns no alias knows ("Temp
// Password"): the file is probably that export. The preset with most such
// columns wins; hits are those columns' headers.
func likelyPreset(headers []string) (best *Preset, hits []string) {
	for i := range Presets {
		var these []string
		for _, h := range headers {
			if presetOnly(&Presets[i], normalizeHeader(h)) {
				these = append(these, h)
			}
		}
		if len(these) == 1 && ownKey(&Presets[i], normalizeHeader(these[0])) {
			for _, h := range headers {
				if n := normalizeHeader(h); h != these[0] && aliases[n] == "" && lists(&Presets[i], n) {
					these = append(these, h)
				}
			}
		}
		if len(these) > max(len(hits), 1) {
			best, hits = &Presets[i], these
		}
	}
	return best, hits
}

// presetAdvice is what a header error adds when the file looks like an
// export that a preset reads, and no preset was given.
func (m *mapper) presetAdvice(headers []string) string {
	if m.presetOf != "" || m.presetNone || !m.partners() {
		return ""
	}
	if p, _ := likelyPreset(headers); p != nil {
		return fmt.Sprintf("; the file looks like %s: give --preset %s", p.About, p.Name)
	}
	return ""
}

// presetOnly says whether p reads the normalized header n as a field the
// aliases do not give it, as p spells it or, for a header no alias
// knows, a typo away.
func presetOnly(p *Preset, n string) bool {
	for _, pc := range p.Columns {
		pn := normalizeHeader(pc.Header)
		if pc.Field == "" || aliases[pn] == pc.Field {
			continue
		}
		if pn == n && aliases[n] != pc.Field || aliases[n] == "" && nearMiss(n, pn, EditDistance(n, pn)) {
			return true
		}
	}
	return false
}

// ownKey says whether p reads the normalized header n as the key and no
// other preset has a column so named.
func ownKey(p *Preset, n string) bool {
	for i := range Presets {
		if &Presets[i] != p && lists(&Presets[i], n) {
			return false
		}
	}
	for _, pc := range p.Columns {
		if pc.Field == fieldKey && normalizeHeader(pc.Header) == n {
			return true
		}
	}
	return false
}

// lists says whether p has a column whose normalized header is n.
func lists(p *Preset, n string) bool {
	return slices.ContainsFunc(p.Columns, func(pc PresetColumn) bool { return normalizeHeader(pc.Header) == n })
}

// IgnoredWhy says why a preset leaves a column unread: the API has no field
// for it, except a group or campaign, which --map makes tags of.
func IgnoredWhy(header string) string {
	switch normalizeHeader(header) {
	case "affiliate_group", "campaign", "group":
		return "not read; " + mapFix("tags", header) + " makes it tags"
	}
	return "the API cannot take it"
}
