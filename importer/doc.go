// Package importer runs the pipeline: read (read.go), judge, send and
// report every row, and undo a run (rollback.go).
//
// The engine, and the one interface a kind of record fills in:
//
//	rows := read(file)                  // read.go: input.Reader, validate.Plan (first pass)
//	s := newScheduler(workers)          // schedule.go: pending counts, one ready queue
//	for row := range rows {             // dispatch.go
//		s.wait(row, row's referrer)     //   or s.push(row): ready now
//	}
//	s.run(ctx, hard)                    //   each ready row on a worker:
//		out := kind.Send(ctx, c, row)   //     partnero.Client: what the server said
//		line := kind.Line(row)          //     the report's identifying columns
//		finish(line, out)               //     status and reason, written; s.settle(row)
//
//	type Kind interface {               // kind.go; partners.go, customers.go, transactions.go
//		Name() report.Kind              // partners, customers, transactions
//		Plan(mode, now) validate.Planner // the whole file's checks
//		Line(rec, action) report.Line   // how the report names a row
//		Secrets(c, rec)                 // what to scrub from every answer
//		Send(ctx, c, rec, Sending) partnero.Outcome
//		Answered(line, rec, out, foresee) // what the answer shows on the line
//		Made(c, line)                   // a record an earlier run made
//		Known(line) partnero.Referring  // how rows waiting for it name it
//		Needs(rec) / Names(rec)         // across files: a customer's partner...
//		Undo(ctx, c, line, how, mark) partnero.Outcome // for rollback
//	}
//
// Rollback runs the same scheduler the other way round: a partner waits
// for every partner it referred. Both stops are contexts: when ctx ends,
// nothing new starts and what is in flight finishes; when Config.HardStop
// ends, the rows in flight are recorded as such and the run returns.
//
// Each stage has its own package, and data flows one way, from
// cmd/partnero-import through importer to the others:
//
//   - importer/input reads a record: CSV through encoding/csv (true line
//     numbers) with gocsv mapping the header onto fields; JSON Lines through
//     encoding/json; XLSX through github.com/xuri/excelize/v2 (capped before
//     excelize opens it, from its zip directory and one streamed pass over
//     its sheets and shared strings: xlsxbounds.go); encodings through
//     golang.org/x/text; header mapping and presets.
//   - validate checks a row (Row), and the rules that need the whole file
//     (Plan.Add, Plan.Judge).
//   - importer/partnero proves the key and address (Client.Preflight), sends
//     a row (Client.Create, Client.Invite), reads the answer (answer.go),
//     classifies it (Classify) and looks a partner up after a lost answer
//     (lookup.go). It says what the server said (partnero.Said), not the
//     report's words.
//   - importer plans, dispatches to the worker pool and collects; in one
//     place, outcome.go, it turns what the client said into the report's
//     status and reason, for import, validate --against and rollback.
//   - report owns the statuses, reasons, report writers (Writer.Write) and
//     the summary.
//   - importer/sandbox is the fake API, as documented (partners.go, view.go)
//     and varied (vary.go).
//   - cmd/partnero-import owns flags, streams and exit codes.
//
// In the code, a row is read in importer/input (Reader.Next), checked in
// validate (Row, Plan.Add, Plan.Judge), sent in importer/partnero
// (Client.Create, Client.Invite), and reported in report (Writer.Write).
//
// The file is streamed, never held in memory (an XLSX workbook's compressed
// file excepted).
//
//   - Validate (dryrun.go) reads the file once, judging each row as it comes
//     when no later row can change its verdict; a row whose referrer is
//     further down the file, or outside it, waits for the end of the file
//     in a temporary file (waiting.go). See bench_test.go for how this keeps
//     it near the speed of a bare read.
//   - Import (dispatch.go) reads it twice. The first pass builds validate's
//     Plan of the whole file: where each lowercased email, id and key first
//     appears (by fingerprint), each row's referrer in the file, the loops,
//     and the rows that will not be created. This is the memory the
//     uniqueness checks need: it grows with the rows, by about 170 to 190
//     bytes each (a 1,000,000-row file peaks at 172 to 187 MB). So nothing
//     is sent before every row is checked. The second pass judges each row
//     and either reports it or hands it to the dispatcher; before it sends
//     the first row, the client's preflight read proves the key and the
//     address.
//
// In Import one goroutine, the scheduler's, owns all state: the queue of
// rows ready to send, the rows waiting for their referrer in the file, and
// the report. It feeds a bounded errgroup of workers that share one
// rate.Limiter; workers only send and hand back outcomes, so nothing is
// shared but the client's limiter. A row that waits for its referrer is parked until the
// referrer finishes, so the pool never stops at tree levels. An earlier
// run's report (resume.go) and the file of rows to fix (retry.go) are the
// importer's too.
//
// TestVariedServersNeverLie imports a referral tree, invites, rows with and
// without id or key, and clashes with 130 partners already there, against
// the documented sandbox and against 15 variations, while answers are lost
// after the partner was stored, 500s and 429 bursts come. It checks the
// report against the sandbox's store: one line per row, every partner the
// run stored reported created or invited with its id, nothing reported
// created that is not stored, nothing stored twice, every clash reported
// with the value that clashed. CI runs those 16; run more by hand:
//
//	go test ./importer -run TestVariedServersNeverLie -vary-seeds 500
package importer
