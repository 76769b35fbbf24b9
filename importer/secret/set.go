package secret

import (
	"hash/maphash"
	"slices"
	"sync"
)

// Set is every password of a file seen so far: a server may echo one row's
// password in another row's answer, so each message is scrubbed of them
// all. It keeps each distinct secret once, and an index of how each of its
// forms begins, so that a message is scanned once however many secrets the
// file has (not once per secret and form). Safe for concurrent use; the
// zero value is an empty set.
type Set struct {
	mu     sync.RWMutex
	seed   maphash.Seed
	list   []String
	starts map[uint64][]int32 // a form's first minScrub bytes, ASCII lower-cased: secrets in list
}

// Add puts s in the set; an empty or short one (see minScrub) is left out,
// as Scrub leaves it.
func (set *Set) Add(s String) {
	if len(s.s) < minScrub {
		return
	}
	set.mu.Lock()
	defer set.mu.Unlock()
	if set.starts == nil {
		set.seed, set.starts = maphash.MakeSeed(), map[uint64][]int32{}
	}
	if slices.Contains(set.candidates(s.s), s) {
		return
	}
	id := int32(len(set.list))
	set.list = append(set.list, s)
	for _, v := range variants(s) {
		for _, f := range forms(v.s) {
			if len(f) < minScrub {
				continue
			}
			k := set.key(f)
			if ids := set.starts[k]; len(ids) == 0 || ids[len(ids)-1] != id {
				set.starts[k] = append(ids, id)
			}
		}
	}
}

// Len is the number of distinct secrets in the set.
func (set *Set) Len() int {
	set.mu.RLock()
	defer set.mu.RUnlock()
	return len(set.list)
}

// Scrub is the package's Scrub of text with the set's secrets that may be
// in it, and the others given.
func (set *Set) Scrub(text string, others ...String) string {
	return Scrub(text, append(others, set.in(text)...)...)
}

// ScrubRaw is the package's ScrubRaw of body with the set's secrets that
// may be in it, and the others given.
func (set *Set) ScrubRaw(body []byte, others ...String) []byte {
	return ScrubRaw(body, append(others, set.in(string(body))...)...)
}

// in is the set's secrets a form of which may begin somewhere in text, or
// in text with its escapes decoded (as Scrub decodes it).
func (set *Set) in(text string) []String {
	if set == nil {
		return nil
	}
	set.mu.RLock()
	defer set.mu.RUnlock()
	if len(set.list) == 0 {
		return nil
	}
	found := set.candidates(text)
	if decoded := decodeAll(text); decoded != text {
		for _, s := range set.candidates(decoded) {
			if !slices.Contains(found, s) {
				found = append(found, s)
			}
		}
	}
	return found
}

// candidates looks up every minScrub bytes of text in the index; the
// caller holds the lock.
func (set *Set) candidates(text string) []String {
	var found []String
	for i := 0; i+minScrub <= len(text); i++ {
		for _, id := range set.starts[set.key(text[i:])] {
			if s := set.list[id]; !slices.Contains(found, s) {
				found = append(found, s)
			}
		}
	}
	return found
}

// key hashes the first minScrub bytes of s, ASCII lower-cased: a server
// may echo a secret upper-cased.
func (set *Set) key(s string) uint64 {
	var b [minScrub]byte
	for i := range b {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b[i] = c
	}
	return maphash.Bytes(set.seed, b[:])
}

// variants are the texts whose forms are forms of s: s itself, s with its
// own escapes decoded (Scrub searches decoded text for it), and each of
// those read by a form decoder.
func variants(s String) []String {
	vs := []String{s}
	if d := decodeAll(s.s); d != s.s {
		vs = append(vs, String{d})
	}
	return withFormDecoded(vs)
}
