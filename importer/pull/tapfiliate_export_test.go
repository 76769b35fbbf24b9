package pull

// Tapfiliate's header readers, for tests of every form they take.
var (
	NextPageOf = nextPage
	ResetWait  = resetWait
)
