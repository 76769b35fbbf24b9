package pull

// LowerMaxListed bounds a list's records to n until the returned func
// restores the bound: a test of a list that never ends.
func LowerMaxListed(n int) (restore func()) {
	was := maxListed
	maxListed = n
	return func() { maxListed = was }
}
