// Package importer runs the pipeline: it reads the file twice (a first pass
// builds validate's Plan of the whole file, a second judges each row), then
// sends each valid row through a bounded pool of workers and writes exactly
// one report line per row. Validate stops after judging; Import sends.
//
// One goroutine, the dispatcher, owns all state: the queue of rows ready to
// send, the rows waiting for their referrer in the file, and the report.
// Workers only send and hand back outcomes, so nothing is shared but the
// client's limiter.
package importer
