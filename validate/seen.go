package validate

// seen remembers where each value (an email, an id or a key, by
// fingerprint) first appeared. It is an open-addressing table made for this
// one job: one probe sequence both finds an earlier row and records a new
// one, and a slot takes 16 bytes, so a million-row file's three columns fit
// in 64 MB (a Go map with the same keys costs more, and two hash lookups per
// new value).
type seen struct {
	slots []slot
	used  int
}

// slot holds 96 bits of fingerprint and the row; row 0 marks an empty slot.
// Two different values share a slot only if all 96 bits agree: for a
// million rows, about one chance in 10^16.
type slot struct {
	hash uint64
	tag  uint32
	row  int32
}

// firstOrAdd returns the row where fp was first seen, or records row for
// it and returns (row, false).
func (s *seen) firstOrAdd(fp fingerprint, row int32) (int32, bool) {
	if (s.used+1)*4 > len(s.slots)*3 {
		s.grow()
	}
	sl := s.slotOf(fp)
	if sl.row != 0 {
		return sl.row, true
	}
	*sl = slot{fp[0], uint32(fp[1]), row}
	s.used++
	return row, false
}

// first returns the row where fp was first seen.
func (s *seen) first(fp fingerprint) (int32, bool) {
	if len(s.slots) == 0 {
		return 0, false
	}
	sl := s.slotOf(fp)
	return sl.row, sl.row != 0
}

// touch reads the slot where fp's probe starts, so that a batch of rows can
// wait for their cache misses together rather than one by one.
func (s *seen) touch(fp fingerprint) int32 {
	if len(s.slots) == 0 {
		return 0
	}
	return s.slots[fp[0]&uint64(len(s.slots)-1)].row
}

// slotOf is fp's slot, or the empty slot where it would go. The table is
// never full (grow keeps a quarter free), so the probe ends.
func (s *seen) slotOf(fp fingerprint) *slot {
	tag := uint32(fp[1])
	mask := uint64(len(s.slots) - 1)
	for i := fp[0] & mask; ; i = (i + 1) & mask {
		if sl := &s.slots[i]; sl.row == 0 || (sl.hash == fp[0] && sl.tag == tag) {
			return sl
		}
	}
}

func (s *seen) grow() { s.growTo(max(2*len(s.slots), 1<<12)) }

func (s *seen) growTo(size int) {
	old := s.slots
	s.slots = make([]slot, size)
	mask := uint64(len(s.slots) - 1)
	for _, sl := range old {
		if sl.row == 0 {
			continue
		}
		i := sl.hash & mask
		for s.slots[i].row != 0 {
			i = (i + 1) & mask
		}
		s.slots[i] = sl
	}
}

// reserve makes room for about n values without growing on the way.
func (s *seen) reserve(n int) {
	size := 1 << 12
	for size*3 < n*4 {
		size <<= 1
	}
	if size > len(s.slots) {
		s.growTo(size)
	}
}
