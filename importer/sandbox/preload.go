package sandbox

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/partnero-import/partnero-import/importer/input"
	"github.com/partnero-import/partnero-import/report"
	"github.com/partnero-import/partnero-import/validate"
)

// Preload stores the partners of a file (any input format) as partners that
// were there before the import. Rows without an email or that repeat one are
// an error: a preload file is a fixture and should be exact.
func (s *Server) Preload(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	return s.PreloadFrom(path, f)
}

// PreloadFrom is Preload of a file already open (a pipe read as it comes);
// path gives its format and names it in errors.
func (s *Server) PreloadFrom(path string, f io.Reader) (int, error) {
	return s.PreloadKind(path, f, report.Partners)
}

// PreloadKind is PreloadFrom of a file of records of kind k: partners,
// customers (whose partner must be there: preload partners first) or
// transactions (whose customer must be there). A customers or transactions
// file is read as an import reads it, so that a rehearsal of a re-run
// finds each record as the import would have stored it.
func (s *Server) PreloadKind(path string, f io.Reader, k report.Kind) (int, error) {
	format, err := input.FormatOf(path)
	if err != nil {
		return 0, err
	}
	// Your program's own export (Partnero's identifier and token columns)
	// is the natural preload: it is read with its preset, unasked.
	rd, err := input.Open(f, input.Options{Format: format, AnyPreset: k.OrDefault() == report.Partners, Kind: k})
	if err != nil {
		return 0, fmt.Errorf("preload %s: %w", path, err)
	}
	add := map[report.Kind]func(*input.Record) error{report.Partners: s.preloadPartner, report.Customers: s.preloadCustomer,
		report.Transactions: s.preloadTransaction}[k.OrDefault()]
	n := 0
	for {
		rec, err := rd.Next()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, fmt.Errorf("preload %s: %w", path, err)
		}
		if rec.Err != nil {
			return n, fmt.Errorf("preload %s, line %d: %v", path, rec.Line, rec.Err)
		}
		if err := add(rec); err != nil {
			return n, fmt.Errorf("preload %s, line %d: %v", path, rec.Line, err)
		}
		n++
	}
}

func (s *Server) preloadPartner(rec *input.Record) error {
	return s.Add(Partner{ID: rec.ID, Key: rec.Key, Email: rec.Email, Name: rec.Name, Surname: rec.Surname, Tags: rec.Tags})
}

func (s *Server) preloadCustomer(rec *input.Record) error {
	f := &rec.Fields
	partner := f.PartnerID
	for _, ref := range []string{f.PartnerKey, f.PartnerEmail} {
		if partner == "" {
			partner = ref
		}
	}
	return s.AddCustomer(Customer{Key: f.Key, Email: f.Email, Name: f.Name, Surname: f.Surname, Tags: f.Tags, Partner: partner})
}

func (s *Server) preloadTransaction(rec *input.Record) error {
	f := &rec.Fields
	t, ps := validate.ParseTransaction(f, time.Now())
	if len(ps) > 0 {
		var says []string
		for _, p := range ps {
			says = append(says, p.Message)
		}
		return errors.New(strings.Join(says, "; "))
	}
	customer := f.CustomerKey
	if customer == "" {
		customer = s.customerKeyOf(f.CustomerEmail)
	}
	tx := Transaction{Key: f.Key, Customer: customer, Amount: t.Amount, Reward: t.Reward, Units: t.Currency, Action: f.TxAction,
		ProductID: f.ProductID, ProductType: f.ProductType, Rewarded: t.Rewarded.Value, Rewardable: !t.Rewardable.Set || t.Rewardable.Value}
	if t.CreatedAt != 0 {
		tx.CreatedAt = time.Unix(t.CreatedAt, 0).UTC()
	}
	return s.AddTransaction(tx)
}

// customerKeyOf is the key of the first customer of email, or "".
func (s *Server) customerKeyOf(email string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.customers.named(email); c != nil {
		return c.Key
	}
	return ""
}
