package validate

import "testing"

// The table finds every value's first row through growth and collisions of
// the low bits (values that land in one slot probe on).
func TestSeen(t *testing.T) {
	var s seen
	const n = 6_000
	for i := range n {
		fp := fingerprint{uint64(i) << 20, uint64(i)} // low bits all equal: one long probe run per size
		if i%2 == 0 {
			fp[0] = uint64(i) * 0x9E3779B97F4A7C15
		}
		if first, seenBefore := s.firstOrAdd(fp, int32(i+1)); seenBefore || first != int32(i+1) {
			t.Fatalf("value %d: new value reported seen at row %d", i, first)
		}
	}
	for i := range n {
		fp := fingerprint{uint64(i) << 20, uint64(i)}
		if i%2 == 0 {
			fp[0] = uint64(i) * 0x9E3779B97F4A7C15
		}
		if first, ok := s.firstOrAdd(fp, 999_999); !ok || first != int32(i+1) {
			t.Fatalf("value %d: got row %d, %v", i, first, ok)
		}
		if first, ok := s.first(fp); !ok || first != int32(i+1) {
			t.Fatalf("value %d: first gives %d, %v", i, first, ok)
		}
	}
	if _, ok := s.first(fingerprint{1, 2}); ok {
		t.Fatal("a value never added was found")
	}
	// Same 64-bit hash, another tag: another value.
	if _, ok := s.first(fingerprint{0, 12345}); ok {
		t.Fatal("the tag was not compared")
	}
}
