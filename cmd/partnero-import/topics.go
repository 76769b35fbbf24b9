package main

// Reference topics: what help TOPIC prints. They live in the binary
// (embedded), so the reference ships with the tool, and are golden-tested
// like the commands' help. The README is the first hour; these are the
// rest.

import (
	"embed"
	"io"
	"path"
	"slices"
	"strings"
)

// A topic file is its one-line summary, a blank line, then its body in a
// few plain conventions that render prints: paragraphs (lines joined and
// wrapped), "- " list items and "1. " steps (wrapped with a hanging
// indent; a paragraph indented by two spaces continues the item), and
// lines indented by four spaces, printed as they are (commands, output).
//
//go:embed topics/*.txt
var topicFiles embed.FS

type topic struct{ name, summary, body string }

// topicList is every topic, in the order of their names.
func topicList() []topic {
	entries, _ := topicFiles.ReadDir("topics") // embedded: cannot fail
	var out []topic
	for _, e := range entries {
		text, _ := topicFiles.ReadFile(path.Join("topics", e.Name()))
		summary, body, _ := strings.Cut(string(text), "\n\n")
		out = append(out, topic{name: strings.TrimSuffix(e.Name(), ".txt"), summary: strings.TrimSpace(summary), body: body})
	}
	return out
}

func topicNamed(name string) (topic, bool) {
	for _, t := range topicList() {
		if t.name == name {
			return t, true
		}
	}
	return topic{}, false
}

// helpWords is what help takes: the commands, then the topics that are not
// also a command's name.
func helpWords() []string {
	words := commandNames()
	for _, t := range topicList() {
		if !slices.Contains(words, t.name) {
			words = append(words, t.name)
		}
	}
	return words
}

// print writes the topic's summary as its title, then its body.
func (t topic) print(w io.Writer) {
	io.WriteString(w, t.name+": "+t.summary+"\n\n")
	render(w, t.body)
}

// render prints a topic's body: see topicFiles for its conventions.
func render(w io.Writer, body string) {
	var (
		marker string   // "- " or "1. " before a list item's first line
		para   []string // the lines of the paragraph being gathered
	)
	flush := func() {
		if len(para) > 0 {
			io.WriteString(w, marker+wrap(strings.Join(para, " "), len(marker))+"\n")
		}
		marker, para = "", nil
	}
	for _, line := range strings.Split(strings.TrimRight(body, "\n"), "\n") {
		switch {
		case strings.TrimSpace(line) == "":
			flush()
			io.WriteString(w, "\n")
		case strings.HasPrefix(line, "    "):
			flush()
			io.WriteString(w, strings.TrimRight(line, " ")+"\n")
		case strings.HasPrefix(line, "- ") || isStep(line):
			flush()
			m, rest, _ := strings.Cut(line, " ")
			marker, para = m+" ", []string{rest}
		case para == nil && strings.HasPrefix(line, "  "): // a list item's next paragraph
			marker, para = "  ", []string{strings.TrimSpace(line)}
		default:
			para = append(para, strings.TrimSpace(line))
		}
	}
	flush()
}

// isStep is a line that starts a numbered step: "1. ".
func isStep(line string) bool {
	n, rest, ok := strings.Cut(line, ". ")
	return ok && rest != "" && n != "" && strings.Trim(n, "0123456789") == ""
}
