package report

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
)

// ReferralsPath is where an import keeps which row of its file referred
// which, beside its report: the report has no referrer column, and
// rollback must undo the partners a partner referred before it.
func ReferralsPath(report string) string { return report + ".referrals.csv" }

// writeReferrals writes "row,referring_row" for each row whose referrer is
// another row of the file.
func (w *Writer) writeReferrals(each func(yield func(row, referrer int))) error {
	path := ReferralsPath(w.path)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	b := bufio.NewWriter(f)
	b.WriteString("row,referring_row\n")
	each(func(row, referrer int) {
		fmt.Fprintf(b, "%d,%d\n", row, referrer)
	})
	if err := b.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	return f.Close()
}

// Referrals records the file's referral tree beside the report, when the
// report has a provenance (a real run's).
func (w *Writer) Referrals(each func(yield func(row, referrer int))) error {
	if w.prov == nil {
		return nil
	}
	return w.writeReferrals(each)
}

// ReadReferrals reads the referral tree an import left beside its report:
// row → the row that referred it. ok is false when there is none.
func ReadReferrals(report string) (tree map[int]int, ok bool, err error) {
	f, err := openRegular(ReferralsPath(report))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	r := csv.NewReader(bufio.NewReader(capLines(f)))
	r.ReuseRecord = true
	r.FieldsPerRecord = 2
	tree = map[int]int{}
	if _, err := r.Read(); err != nil { // the header
		return nil, false, fmt.Errorf("%s is not a referral file: %v", ReferralsPath(report), err)
	}
	notPair := func() error {
		line, _ := r.FieldPos(0)
		return fmt.Errorf("%s, line %d: not two row numbers", ReferralsPath(report), line)
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if long := (*longLine)(nil); errors.As(err, &long) {
			return nil, false, fmt.Errorf("%s, %v", ReferralsPath(report), long)
		}
		if err != nil { // before rec is looked at: a line of one field is no pair
			return nil, false, notPair()
		}
		row, err1 := strconv.Atoi(rec[0])
		ref, err2 := strconv.Atoi(rec[1])
		if err1 != nil || err2 != nil {
			return nil, false, notPair()
		}
		tree[row] = ref
	}
	return tree, true, nil
}
