package importer

import (
	"context"

	"io"
	"time"

	"github.com/partnero-import/partnero-import/importer/input"
	"github.com/partnero-import/partnero-import/importer/partnero"
	"github.com/partnero-import/partnero-import/report"
	"github.com/partnero-import/partnero-import/validate"
)

// Config is one run's input, output and settings.
type Config struct {
	Open  func() (io.ReadCloser, error) // opens the input; called once per pass
	Input input.Options
	Mode  string // create or invite, for rows without their own action

	Report *report.Writer
	Client *partnero.Client // nil for a dry run
	// Concurrency bounds the requests in flight.
	Concurrency int

	Warn     func(msg string)       // notes about the file, each once
	Started  func(rows int)         // after the first pass: how many rows there are
	Finished func(line report.Line) // after each report line
}

// Result is what a run ends with.
type Result struct {
	Summary report.Summary
	// Fatal is the answer that stopped the run (401, 403), or nil.
	Fatal error
	// Interrupted is true when the context ended before every row was sent.
	Interrupted bool
}

// firstPass reads the whole file once to build the plan.
func firstPass(cfg *Config) (*validate.Plan, error) {
	plan := validate.NewPlan(cfg.Mode)
	err := eachRecord(cfg, func(rec *input.Record) error {
		plan.Add(rec)
		return nil
	}, cfg.Warn)
	if err != nil {
		return nil, err
	}
	plan.Finish()
	if cfg.Started != nil {
		cfg.Started(plan.Rows())
	}
	return plan, nil
}

// eachRecord opens the input and calls fn for each record in order.
func eachRecord(cfg *Config, fn func(*input.Record) error, warn func(string)) error {
	rc, err := cfg.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	rd, err := input.Open(rc, cfg.Input)
	if err != nil {
		return err
	}
	if warn != nil {
		defer func() {
			for _, w := range rd.Warnings() {
				warn(w)
			}
		}()
	}
	for {
		rec, err := rd.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := fn(rec); err != nil {
			return err
		}
	}
}

// Validate judges every row without sending anything: valid, invalid, or
// skipped because its referrer in the file will not be created.
func Validate(ctx context.Context, cfg Config) (*Result, error) {
	start := time.Now()
	plan, err := firstPass(&cfg)
	if err != nil {
		return nil, err
	}
	res := &Result{}
	err = eachRecord(&cfg, func(rec *input.Record) error {
		v := plan.Judge(rec)
		line := lineOf(rec, v.Action)
		line.Status, line.Reason, line.Message = v.Status, v.Reason, v.Message
		return record(&cfg, res, &line)
	}, nil)
	res.Summary.Elapsed = time.Since(start)
	return res, err
}

func lineOf(rec *input.Record, action string) report.Line {
	return report.Line{Row: rec.Row, Line: rec.Line, Email: rec.Email, Action: action}
}

// record writes one row's line and counts it.
func record(cfg *Config, res *Result, line *report.Line) error {
	if err := cfg.Report.Write(line); err != nil {
		return err
	}
	res.Summary.Add(line)
	if cfg.Finished != nil {
		cfg.Finished(*line)
	}
	return nil
}
