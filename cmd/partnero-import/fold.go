package main

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"
)

// foldWindow is how long the repeats of a warning are folded into one line.
const foldWindow = 5 * time.Second

// folder passes a warning on the first time it comes, and folds the same
// warning's repeats within foldWindow into one line when the window ends:
// one burst of 429s, answered to every worker in flight, is one event, not
// eight identical lines. Other levels pass through.
type folder struct {
	slog.Handler
	state *foldState // shared by the handler's WithAttrs copies
}

type foldState struct {
	mu     sync.Mutex
	open   map[string]*fold // by message
	closed bool
	human  bool // the folded line says "(8 times in 2 s)" in its message
}

// fold is one warning's repeats within a window.
type fold struct {
	msg         string
	first, last time.Time
	times       int
	h           slog.Handler // the handler the first went through
	timer       *time.Timer
}

func newFolder(h slog.Handler, human bool) *folder {
	return &folder{Handler: h, state: &foldState{open: map[string]*fold{}, human: human}}
}

func (f *folder) Handle(ctx context.Context, r slog.Record) error {
	if r.Level != slog.LevelWarn {
		return f.Handler.Handle(ctx, r)
	}
	st := f.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.closed {
		return f.Handler.Handle(ctx, r)
	}
	if fo := st.open[r.Message]; fo != nil {
		if r.Time.Sub(fo.first) < foldWindow {
			fo.times++
			fo.last = r.Time
			return nil
		}
		st.flush(fo)
	}
	fo := &fold{msg: r.Message, first: r.Time, last: r.Time, times: 1, h: f.Handler}
	st.open[r.Message] = fo
	fo.timer = time.AfterFunc(foldWindow, func() {
		st.mu.Lock()
		defer st.mu.Unlock()
		if st.open[fo.msg] == fo {
			st.flush(fo)
		}
	})
	return f.Handler.Handle(ctx, r)
}

func (f *folder) WithAttrs(as []slog.Attr) slog.Handler {
	return &folder{Handler: f.Handler.WithAttrs(as), state: f.state}
}

func (f *folder) WithGroup(name string) slog.Handler {
	return &folder{Handler: f.Handler.WithGroup(name), state: f.state}
}

// flush writes a fold's line, if the warning came again, and forgets it.
// The caller holds mu.
func (st *foldState) flush(fo *fold) {
	fo.timer.Stop()
	delete(st.open, fo.msg)
	if fo.times < 2 {
		return
	}
	within := fo.last.Sub(fo.first)
	msg := fo.msg
	if st.human {
		msg = fmt.Sprintf("%s (%d times in %s)", msg, fo.times, roughly(within))
	}
	r := slog.NewRecord(fo.last, slog.LevelWarn, msg, 0)
	r.AddAttrs(slog.Int("times", fo.times), slog.Float64("within_seconds", within.Round(100*time.Millisecond).Seconds()))
	fo.h.Handle(context.Background(), r)
}

// close writes every open fold's line; later warnings pass as they come.
func (f *folder) close() {
	st := f.state
	st.mu.Lock()
	defer st.mu.Unlock()
	folds := slices.SortedFunc(maps.Values(st.open), func(a, b *fold) int { return a.first.Compare(b.first) })
	for _, fo := range folds {
		st.flush(fo)
	}
	st.closed = true
}
