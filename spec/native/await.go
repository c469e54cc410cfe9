package native

import (
	"strconv"
	"strings"

	"github.com/wsaemu/wsaemu/spec"
)

// A real system delivers what a step sets going on its own threads, so a
// fixed wall-clock pause after each step is a guess that a busy machine
// can make wrong: a wake-up that takes 40 ms instead of 5 looks like a
// thread that stayed blocked. The backend therefore reads, before each
// step, what the scenario expects of it (Await), and waits for an
// expected outcome up to a generous deadline, returning as soon as it is
// there. Only what the scenario expects NOT to happen (a call that
// blocks, a thread still blocked, an event still clear) costs the short
// fixed pause, since absence can only be seen by waiting.

// Expectation of the step's own call.
const (
	wantUnknown = iota // no return expectation, or branches that disagree
	wantReturn         // every way the step can pass has the call return
	wantBlock          // every way the step can pass has the call block
)

// stepHint is what a step's expectations say will have happened once the
// step is over, in every branch that can make it pass.
type stepHint struct {
	call      int            // wantUnknown, wantReturn or wantBlock
	returned  []string       // threads whose blocked call must have returned
	signalled []string       // events that must be signalled
	ran       map[string]int // routines and APCs: at least this many calls
}

// hintOf reads a step's expectations. Only facts that hold in every
// branch of an either/or count: waiting for something one branch accepts
// missing would slow down the runs that take that branch.
func hintOf(st spec.Step) stepHint {
	h := stepHint{ran: map[string]int{}}
	must := mustHold(st.Expect)
	for _, w := range must {
		switch {
		case w[0] == "return" && len(w) > 1:
			if w[1] == "blocks" {
				h.call = wantBlock
			} else {
				h.call = wantReturn
			}
		case w[0] == "thread" && len(w) >= 3 && w[2] == "returned":
			h.returned = append(h.returned, w[1])
		case w[0] == "event" && len(w) == 3 && w[2] == "signalled":
			h.signalled = append(h.signalled, w[1])
		case (w[0] == "routine" || w[0] == "apc") && len(w) == 4 && w[2] == "ran":
			if n, err := strconv.Atoi(w[3]); err == nil && n > h.ran[w[1]] {
				h.ran[w[1]] = n
			}
		}
	}
	if h.call == wantUnknown {
		h.call = groupCall(st.Expect)
	}
	return h
}

// mustHold returns the expectation lines that hold in every passing run
// of the step: the plain lines, and the lines every branch of a group
// shares (written the same way).
func mustHold(es []spec.Expect) [][]string {
	var out [][]string
	for _, e := range es {
		if e.Alts == nil {
			out = append(out, e.Words)
			continue
		}
		var common [][]string
		for i, br := range e.Alts {
			lines := mustHold(br)
			if i == 0 {
				common = lines
				continue
			}
			common = intersect(common, lines)
		}
		out = append(out, common...)
	}
	return out
}

func intersect(a, b [][]string) [][]string {
	var out [][]string
	for _, x := range a {
		for _, y := range b {
			if strings.Join(x, " ") == strings.Join(y, " ") {
				out = append(out, x)
				break
			}
		}
	}
	return out
}

// groupCall says whether every branch of the step's groups agrees on the
// call returning or blocking (each branch with a "return" line of its
// own), or wantUnknown.
func groupCall(es []spec.Expect) int {
	res := wantUnknown
	for _, e := range es {
		if e.Alts == nil {
			continue
		}
		agreed := -1
		for _, br := range e.Alts {
			c := wantUnknown
			for _, w := range mustHold(br) {
				if w[0] == "return" && len(w) > 1 {
					c = wantReturn
					if w[1] == "blocks" {
						c = wantBlock
					}
				}
			}
			if c == wantUnknown {
				c = groupCall(br)
			}
			if agreed == -1 {
				agreed = c
			} else if agreed != c {
				agreed = wantUnknown
			}
		}
		if agreed > wantUnknown {
			res = agreed
		}
	}
	return res
}
