package validate

import (
	"fmt"
	"strings"
	"time"

	"github.com/partnero-import/partnero-import/importer/input"
	"github.com/partnero-import/partnero-import/report"
)

// transactionRank is the contract's order of a transaction's reasons.
var transactionRank = rankOf(report.Filtered, report.MissingKey, report.DuplicateKeyInFile, report.MissingCustomer,
	report.InvalidAmount, report.InvalidCurrency, report.InvalidDate, report.InvalidRow)

// Transaction is what a transaction row's cells mean, read exactly, as
// they are sent.
type Transaction struct {
	Money         // Amount is "" when the row gives only a reward
	Reward string // the commission in the same currency's major unit, or ""
	// CreatedAt is the sale's date in Unix seconds, 0 when not given (the
	// server's now).
	CreatedAt            int64
	Rewarded, Rewardable Flag
}

// Flag is a yes-or-no cell: Set when the row gives it.
type Flag struct{ Set, Value bool }

// ParseFlag reads a yes-or-no cell: true or false, yes or no, 1 or 0, in
// any case; "" is not set. ok is false for anything else.
func ParseFlag(cell string) (f Flag, ok bool) {
	switch strings.ToLower(cell) {
	case "":
		return Flag{}, true
	case "true", "yes", "1":
		return Flag{true, true}, true
	case "false", "no", "0":
		return Flag{true, false}, true
	}
	return Flag{}, false
}

// ParseTransaction reads a transaction row's cells, with its problems in
// the contract's order (duplicate_key_in_file is KeyPlan's). now is the
// run's start: a later date is refused.
func ParseTransaction(f *input.Fields, now time.Time) (Transaction, []Problem) {
	var t Transaction
	var ps []Problem
	if f.Key == "" {
		ps = append(ps, Problem{report.MissingKey, "key: missing (the payment's id in the old platform: it keeps a re-run from paying a commission twice)"})
	}
	if f.CustomerKey == "" && f.CustomerEmail == "" {
		ps = append(ps, Problem{report.MissingCustomer, "customer_key or customer_email: neither is given"})
	}
	cur, curWhy := ParseCurrency(f.Currency)
	money, moneyPs := cur.amountOrProblems(curWhy, f.Amount, f.AmountCents)
	if curWhy != "" {
		cur = Currency{Digits: -1} // the reward is still read as a number
	}
	t.Money = money
	ps = append(ps, moneyPs...)
	if f.Reward != "" {
		reward, why := cur.Major("reward", f.Reward)
		if why != "" {
			ps = append(ps, Problem{report.InvalidAmount, why})
		}
		t.Reward = reward
	}
	if f.Amount == "" && f.AmountCents == "" && f.Reward == "" {
		ps = append(ps, Problem{report.InvalidAmount, "amount, amount_cents or reward: none is given"})
	}
	if f.CreatedAt != "" {
		unix, why := ParseDate(f.CreatedAt, now)
		if why != "" {
			ps = append(ps, Problem{report.InvalidDate, "created_at: " + why})
		}
		t.CreatedAt = unix
	}
	ps = flag(ps, &t.Rewarded, "rewarded", f.Rewarded)
	ps = flag(ps, &t.Rewardable, "rewardable", f.Rewardable)
	if len(ps) > 0 {
		return Transaction{}, sortedBy(transactionRank, ps)
	}
	return t, nil
}

func flag(ps []Problem, to *Flag, column, cell string) []Problem {
	f, ok := ParseFlag(cell)
	if !ok {
		return append(ps, Problem{report.InvalidRow, fmt.Sprintf("%s: %s is neither true nor false", column, quoteCell(cell))})
	}
	*to = f
	return ps
}

// TransactionRow checks the rules of a transaction row on its own, sorted
// in the contract's order.
func TransactionRow(rec *input.Record, now time.Time) []Problem {
	if ps, done := unread(rec); done {
		return ps
	}
	_, ps := ParseTransaction(&rec.Fields, now)
	return ps
}
