// Package importer runs the pipeline: read (read.go), judge, send and
// report every row.
//
//   - Validate (dryrun.go) reads the file once, judging each row as it comes
//     when no later row can change its verdict; a row whose referrer is
//     further down the file, or outside it, waits for the end of the file
//     in a temporary file (waiting.go).
//   - Import (dispatch.go) reads it twice: a first pass builds validate's
//     Plan of the whole file, so nothing is sent before every row is
//     checked; the second judges each row and sends the valid ones through
//     a bounded pool of workers, a referrer before the partners it referred.
//
// In Import one goroutine, the dispatcher, owns all state: the queue of rows
// ready to send, the rows waiting for their referrer in the file, and the
// report. Workers only send and hand back outcomes, so nothing is shared but
// the client's limiter. An earlier run's report (resume.go) and the file of
// rows to fix (retry.go) are the importer's too.
package importer
