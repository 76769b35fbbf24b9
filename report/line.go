package report

import "strconv"

// Header is the CSV report's header, exactly as the contract fixes it.
var Header = []string{"row", "line", "email", "action", "status", "reason", "http_status", "message", "partner_id", "referral_link", "attempts"}

// Line is one row's entry in the report.
type Line struct {
	Row          int    `json:"row"`
	Line         int    `json:"line"`
	Email        string `json:"email"`
	Action       string `json:"action"`
	Status       Status `json:"status"`
	Reason       Reason `json:"reason"`
	HTTPStatus   int    `json:"http_status"`
	Message      string `json:"message"`
	PartnerID    string `json:"partner_id"`
	ReferralLink string `json:"referral_link"`
	Attempts     int    `json:"attempts"`
}

// printable is the line with every text that may come from elsewhere (the
// email as written, a message quoting a server or a cell, the server's id
// and link) made Printable: the report is read in terminals and viewers.
// The other columns are the tool's own words and numbers.
func (l *Line) printable() *Line {
	email, msg, id, link := Printable(l.Email), Printable(l.Message), Printable(l.PartnerID), Printable(l.ReferralLink)
	if email == l.Email && msg == l.Message && id == l.PartnerID && link == l.ReferralLink {
		return l
	}
	p := *l
	p.Email, p.Message, p.PartnerID, p.ReferralLink = email, msg, id, link
	return &p
}

// record is the line as CSV cells; http_status is empty when no answer came.
// The cells of text from elsewhere are neutral: no spreadsheet runs them.
func (l *Line) record(buf []string) []string {
	httpStatus := ""
	if l.HTTPStatus != 0 {
		httpStatus = strconv.Itoa(l.HTTPStatus)
	}
	return append(buf[:0],
		strconv.Itoa(l.Row), strconv.Itoa(l.Line), neutral(l.Email), l.Action,
		string(l.Status), string(l.Reason), httpStatus, neutral(l.Message),
		neutral(l.PartnerID), neutral(l.ReferralLink), strconv.Itoa(l.Attempts))
}
