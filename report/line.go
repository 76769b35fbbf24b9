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

// record is the line as CSV cells; http_status is empty when no answer came.
func (l *Line) record(buf []string) []string {
	httpStatus := ""
	if l.HTTPStatus != 0 {
		httpStatus = strconv.Itoa(l.HTTPStatus)
	}
	return append(buf[:0],
		strconv.Itoa(l.Row), strconv.Itoa(l.Line), l.Email, l.Action,
		string(l.Status), string(l.Reason), httpStatus, l.Message,
		l.PartnerID, l.ReferralLink, strconv.Itoa(l.Attempts))
}
