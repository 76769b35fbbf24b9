package report

import (
	"encoding/json"
	"strconv"
)

// Header is the CSV header of a partners report, exactly as the contract
// fixes it (HeaderOf gives every kind's).
var Header = []string{"row", "line", "email", "action", "status", "reason", "http_status", "message", "partner_id", "referral_link", "attempts"}

// The headers of customers and transactions reports, exactly as the
// contract fixes them.
var (
	customersHeader    = []string{"row", "line", "key", "email", "partner", "action", "status", "reason", "http_status", "message", "attempts"}
	transactionsHeader = []string{"row", "line", "key", "customer", "amount", "currency", "action", "status", "reason", "http_status", "message", "attempts"}
)

// HeaderOf is the CSV header of a report of kind k: its columns, and the
// keys of its JSON Lines, in order.
func HeaderOf(k Kind) []string {
	switch k.OrDefault() {
	case Customers:
		return customersHeader
	case Transactions:
		return transactionsHeader
	}
	return Header
}

// Line is one row's entry in the report. A report holds the columns of its
// kind (HeaderOf); the other fields are empty.
type Line struct {
	Row          int    `json:"row"`
	Line         int    `json:"line"`
	Key          string `json:"key"` // customers and transactions: the row's key as written
	Email        string `json:"email"`
	Partner      string `json:"partner"`  // customers: the partner reference the row gave, as written
	Customer     string `json:"customer"` // transactions: the customer reference the row gave
	Amount       string `json:"amount"`   // transactions: the amount sent, in major units
	Currency     string `json:"currency"`
	Action       string `json:"action"`
	Status       Status `json:"status"`
	Reason       Reason `json:"reason"`
	HTTPStatus   int    `json:"http_status"`
	Message      string `json:"message"`
	PartnerID    string `json:"partner_id"`
	ReferralLink string `json:"referral_link"`
	Attempts     int    `json:"attempts"`
}

// column is one column of a report: a text or a number of the line.
type column struct {
	name   string
	text   func(*Line) *string
	number func(*Line) *int
	// foreign marks text from elsewhere (a cell, a server's answer): made
	// neutral in CSV, so that no spreadsheet runs it.
	foreign bool
}

var columnNamed = map[string]column{
	"row":           {name: "row", number: func(l *Line) *int { return &l.Row }},
	"line":          {name: "line", number: func(l *Line) *int { return &l.Line }},
	"http_status":   {name: "http_status", number: func(l *Line) *int { return &l.HTTPStatus }},
	"attempts":      {name: "attempts", number: func(l *Line) *int { return &l.Attempts }},
	"action":        {name: "action", text: func(l *Line) *string { return &l.Action }},
	"status":        {name: "status", text: func(l *Line) *string { return (*string)(&l.Status) }},
	"reason":        {name: "reason", text: func(l *Line) *string { return (*string)(&l.Reason) }},
	"key":           {name: "key", text: func(l *Line) *string { return &l.Key }, foreign: true},
	"email":         {name: "email", text: func(l *Line) *string { return &l.Email }, foreign: true},
	"partner":       {name: "partner", text: func(l *Line) *string { return &l.Partner }, foreign: true},
	"customer":      {name: "customer", text: func(l *Line) *string { return &l.Customer }, foreign: true},
	"amount":        {name: "amount", text: func(l *Line) *string { return &l.Amount }, foreign: true},
	"currency":      {name: "currency", text: func(l *Line) *string { return &l.Currency }, foreign: true},
	"message":       {name: "message", text: func(l *Line) *string { return &l.Message }, foreign: true},
	"partner_id":    {name: "partner_id", text: func(l *Line) *string { return &l.PartnerID }, foreign: true},
	"referral_link": {name: "referral_link", text: func(l *Line) *string { return &l.ReferralLink }, foreign: true},
}

// layouts are each kind's columns, in the header's order.
var layouts = func() map[Kind][]column {
	m := map[Kind][]column{}
	for _, k := range Kinds {
		for _, name := range HeaderOf(k) {
			m[k] = append(m[k], columnNamed[name])
		}
	}
	return m
}()

// foreignColumns are the columns of text from elsewhere, of every kind.
var foreignColumns = func() (cs []column) {
	for _, name := range []string{"key", "email", "partner", "customer", "amount", "currency", "message", "partner_id", "referral_link"} {
		cs = append(cs, columnNamed[name])
	}
	return cs
}()

// printable is the line with every text that may come from elsewhere (the
// email or key as written, a message quoting a server or a cell, the
// server's id and link) made Printable: the report is read in terminals and
// viewers. The other columns are the tool's own words and numbers.
func (l *Line) printable() *Line {
	var p *Line
	for _, c := range foreignColumns {
		s := *c.text(l)
		if ps := Printable(s); ps != s {
			if p == nil {
				cp := *l
				p = &cp
			}
			*c.text(p) = ps
		}
	}
	if p == nil {
		return l
	}
	return p
}

// record is the line as the CSV cells of kind k's report; http_status is
// empty when no answer came. The cells of text from elsewhere are neutral:
// no spreadsheet runs them.
func (l *Line) record(k Kind, buf []string) []string {
	buf = buf[:0]
	for _, c := range layouts[k.OrDefault()] {
		switch {
		case c.number == nil && c.foreign:
			buf = append(buf, neutral(*c.text(l)))
		case c.number == nil:
			buf = append(buf, *c.text(l))
		case c.name == "http_status" && l.HTTPStatus == 0:
			buf = append(buf, "")
		default:
			buf = append(buf, strconv.Itoa(*c.number(l)))
		}
	}
	return buf
}

// appendJSON appends the line as a JSON object with kind k's keys, in the
// header's order (row, line, http_status and attempts as numbers).
func (l *Line) appendJSON(k Kind, b []byte) []byte {
	b = append(b, '{')
	for i, c := range layouts[k.OrDefault()] {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(append(append(b, '"'), c.name...), `":`...)
		if c.number != nil {
			b = strconv.AppendInt(b, int64(*c.number(l)), 10)
			continue
		}
		s, _ := json.Marshal(*c.text(l)) // a string always marshals
		b = append(b, s...)
	}
	return append(b, '}')
}
