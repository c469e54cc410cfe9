package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// How wide the output may be. A -width flag wins; then the COLUMNS
// variable; then the real width of the terminal standard output is on;
// when standard output is not a terminal (a pipe, a file), 80 columns.
const (
	defaultWidth = 80
	minWidth     = 40
)

// widthFlag is the -width flag of the command being run (0: not given).
var widthFlag int

// addWidthFlag gives a command that draws timelines or tables a -width flag.
func addWidthFlag(fs *flag.FlagSet) {
	fs.IntVar(&widthFlag, "width", 0, "output width in columns (default: the terminal's width, else $COLUMNS, else 80)")
}

// terminalWidth is the width to draw in.
func terminalWidth() int {
	if widthFlag > 0 {
		return max(widthFlag, minWidth)
	}
	if c := os.Getenv("COLUMNS"); c != "" {
		if n, err := strconv.Atoi(c); err == nil && n > 0 {
			return max(n, minWidth)
		}
	}
	if n, ok := termWidth(os.Stdout); ok && n > 0 {
		return max(n, minWidth)
	}
	return defaultWidth
}

// isTerminal reports whether f is a terminal.
func isTerminal(f *os.File) bool {
	_, ok := termWidth(f)
	return ok
}

// wrapText breaks s into lines of at most width characters, at spaces
// where it can (a word longer than the width is cut).
func wrapText(s string, width int) []string {
	width = max(width, 20)
	var out []string
	r := []rune(s)
	for len(r) > width {
		cut := width
		for i := width; i > width/2; i-- {
			if r[i] == ' ' {
				cut = i
				break
			}
		}
		out = append(out, strings.TrimRight(string(r[:cut]), " "))
		r = []rune(strings.TrimLeft(string(r[cut:]), " "))
	}
	if len(r) > 0 || len(out) == 0 {
		out = append(out, string(r))
	}
	return out
}

// progress is one status line that rewrites itself in place ("\r") on a
// terminal. Written anywhere else (a pipe, a file, a test) it prints
// nothing at all, so logs hold only results.
type progress struct {
	w     io.Writer // nil: not a terminal
	shown bool
}

func newProgress(w io.Writer) *progress {
	if f, ok := w.(*os.File); ok && isTerminal(f) {
		return &progress{w: f}
	}
	return &progress{}
}

// show replaces the line with msg.
func (p *progress) show(msg string) {
	if p.w == nil {
		return
	}
	fmt.Fprintf(p.w, "\r\033[K%s", msg)
	p.shown = true
}

// clear erases the line, before other output and at the end.
func (p *progress) clear() {
	if p.w == nil || !p.shown {
		return
	}
	fmt.Fprint(p.w, "\r\033[K")
	p.shown = false
}
