package main

import (
	"io"
	"strings"
	"sync"
	"unicode/utf8"
)

// screen is standard error on a terminal, shared by a status line (the
// progress bar) and the lines the run prints. A line clears the bar, is
// printed, and the bar is drawn again below it, so no line is ever glued
// onto the bar. Everything goes through one lock, in one write each.
type screen struct {
	mu      sync.Mutex
	w       io.Writer
	width   func() int // the terminal's columns; 0 when unknown
	status  string     // the bar's text; "" when there is none
	drawn   bool       // the bar is on the screen, on the cursor's line
	partial bool       // the last line written is not finished: no bar after it
	done    bool       // a last word was said: nothing more is written
}

// Erase the line the cursor is on, from its start.
const eraseLine = "\r\x1b[K"

func newScreen(w io.Writer, width func() int) *screen {
	return &screen{w: w, width: width}
}

// Write prints whole lines above the bar.
func (s *screen) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done {
		return len(p), nil
	}
	var b strings.Builder
	if !s.partial {
		// The bar, or keys the terminal echoed (^C), go: the line is ours.
		b.WriteString(eraseLine)
		s.drawn = false
	}
	b.Write(p)
	s.partial = len(p) > 0 && p[len(p)-1] != '\n'
	s.appendBar(&b)
	_, err := io.WriteString(s.w, b.String())
	return len(p), err
}

// show sets the bar's text and draws it in place of the old one.
func (s *screen) show(status string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status = status
	if s.done || s.partial {
		return
	}
	var b strings.Builder
	if s.drawn {
		b.WriteString(eraseLine)
		s.drawn = false
	}
	s.appendBar(&b)
	io.WriteString(s.w, b.String())
}

// clear takes the bar off the screen for good.
func (s *screen) clear() { s.show("") }

// lastWord clears the bar, prints msg, and lets nothing else through: the
// process exits right after.
func (s *screen) lastWord(msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	prefix := eraseLine
	if s.partial {
		prefix = "\n"
	}
	io.WriteString(s.w, prefix+msg+"\n")
	s.done = true
}

func (s *screen) appendBar(b *strings.Builder) {
	if s.status == "" || s.partial {
		return
	}
	b.WriteString(fit(s.status, s.columns()))
	s.drawn = true
}

func (s *screen) columns() int {
	if s.width != nil {
		if w := s.width(); w > 0 {
			return w
		}
	}
	return 80
}

// fit cuts text to a line of the terminal. The last column is left free: a
// character there makes some terminals wrap, and the next redraw would then
// start on the wrong line.
func fit(text string, width int) string {
	limit := max(width-1, 1)
	if utf8.RuneCountInString(text) <= limit {
		return text
	}
	runes := []rune(text)
	return string(runes[:limit])
}
