package pull

// StatusError is a source's answer the client neither retries nor waits
// out (a 404, a 400): a source may tell from Status that a record is not
// there, as PartnerStack answers a partnership without links.
type StatusError struct {
	Status int
	err    error
}

func (e *StatusError) Error() string { return e.err.Error() }
