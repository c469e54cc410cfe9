package emu

import (
	"fmt"
	"math/bits"
)

// Point names one kind of open decision: a place where the documentation
// permits more than one outcome and the System asks its Chooser which one
// happens. Every choice is traced with its point, so a recorded run can be
// replayed decision by decision.
//
// For every point, alternative 0 is what Windows usually does; the other
// alternatives are the outcomes the pages also permit.
type Point uint8

const (
	// PointSchedule picks what happens next when more than one thing can:
	// which ready thread runs, or which pending system action (a deferred
	// completion, a cancellation taking effect) fires. The candidates are
	// the ready threads in the order they became ready, then the system
	// actions in the order they were scheduled.
	PointSchedule Point = iota
	// PointPend decides whether an operation that could finish at once
	// completes immediately (0) or reports ERROR_IO_PENDING and completes a
	// little later (1). Both are permitted for overlapped I/O.
	PointPend
	// PointAPCOrder picks which eligible completion routine an alertable
	// wait runs next ("the system may call the waiting completion routines
	// in any order"). User APCs always keep FIFO order.
	PointAPCOrder
	// PointCancel decides whether a cancel request takes effect at once (0)
	// or is still under way (1), so that a completion arriving meanwhile can
	// win the race.
	PointCancel
	// PointPreempt decides, at an API call made in goroutine mode while
	// another thread is ready, whether the calling thread keeps running (0)
	// or yields first (1).
	PointPreempt
	// PointUnsettled decides, in the windows profile only, a behaviour on
	// which no public Windows observation settles between the pages'
	// answer (0) and the one Wine was seen to give (1): both are kept
	// reachable, so a recorded run of either is one the model explains
	// (spec/native's unsettled list names what is still open without
	// such a decision). It also decides where Windows itself was seen to
	// give either of two answers (a Wine test that accepts both without
	// todo_wine): 0 is the one the model gave before, 1 the other.
	PointUnsettled
	// PointSplit decides how many of the n bytes waiting on a stream socket
	// one receive takes: alternative 0 takes all of them (what Windows
	// usually does), alternative i takes n-i. A byte stream keeps no
	// boundaries, so every split is permitted.
	PointSplit
	// PointReset decides, on a System built WithResets only, whether the
	// network ends a stream connection at this point of its life: 0 no
	// (what Windows usually does), 1 a reset arrives from the peer's side
	// (WSAECONNRESET), 2 this side's stack gives up on the connection
	// (WSAECONNABORTED here, WSAECONNRESET at the peer). Without
	// WithResets it is never asked, so no trace or seed changes.
	PointReset
	numPoints
)

var pointNames = [numPoints]string{
	PointSchedule:  "schedule",
	PointPend:      "pend",
	PointAPCOrder:  "apc-order",
	PointCancel:    "cancel",
	PointPreempt:   "preempt",
	PointUnsettled: "unsettled",
	PointSplit:     "split",
	PointReset:     "reset",
}

func (p Point) String() string {
	if p < numPoints {
		return pointNames[p]
	}
	return fmt.Sprintf("Point(%d)", uint8(p))
}

// ParsePoint turns a point's name back into the Point.
func ParsePoint(s string) (Point, bool) {
	for i, n := range pointNames {
		if n == s {
			return Point(i), true
		}
	}
	return 0, false
}

// A Chooser makes every open decision of a System. Choose is called with
// n >= 2 alternatives and must return an index in [0, n); an index out of
// range is clamped. The System never consults anything else that could vary
// between runs, so a deterministic Chooser gives a deterministic trace.
type Chooser interface {
	Choose(p Point, n int) int
}

// UsualChooser returns the Chooser that always takes alternative 0: what
// Windows usually does (immediate completion when data is there, FIFO
// routines, the thread that became ready first runs first, cancellation
// takes effect at once, no preemption).
func UsualChooser() Chooser { return usualChooser{} }

type usualChooser struct{}

func (usualChooser) Choose(Point, int) int { return 0 }

// SeededChooser returns a Chooser that draws every decision uniformly from a
// pseudo-random sequence fixed by seed. The generator (SplitMix64) is
// written out here rather than taken from math/rand, so that a seed names
// the same run on every Go version.
func SeededChooser(seed uint64) *Seeded { return &Seeded{state: seed} }

// Seeded is the chooser SeededChooser returns.
type Seeded struct{ state uint64 }

func (s *Seeded) next() uint64 {
	s.state += 0x9e3779b97f4a7c15
	z := s.state
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// Choose implements Chooser.
func (s *Seeded) Choose(_ Point, n int) int {
	if n <= 1 {
		return 0
	}
	hi, _ := bits.Mul64(s.next(), uint64(n))
	return int(hi)
}

// Choice is one recorded decision.
type Choice struct {
	Point Point `json:"point"`
	N     int   `json:"n"`
	Pick  int   `json:"pick"`
}

// Recorder wraps a Chooser and keeps every decision it makes, so that the
// run can be replayed with ReplayChooser.
type Recorder struct {
	Inner   Chooser
	Choices []Choice
}

// Choose implements Chooser.
func (r *Recorder) Choose(p Point, n int) int {
	c := clampChoice(r.Inner.Choose(p, n), n)
	r.Choices = append(r.Choices, Choice{Point: p, N: n, Pick: c})
	return c
}

// Replay is a Chooser that repeats a recorded list of decisions. When the
// list runs out, or a decision is asked at a different point or with a
// different number of alternatives than was recorded, it takes alternative
// 0 and notes the divergence in Diverged.
type Replay struct {
	Choices  []Choice
	next     int
	Diverged []string
}

// ReplayChooser returns a Chooser that replays choices in order.
func ReplayChooser(choices []Choice) *Replay { return &Replay{Choices: choices} }

// Choose implements Chooser.
func (r *Replay) Choose(p Point, n int) int {
	if r.next >= len(r.Choices) {
		r.Diverged = append(r.Diverged, fmt.Sprintf("decision %d (%s of %d): recording exhausted", r.next, p, n))
		r.next++
		return 0
	}
	c := r.Choices[r.next]
	r.next++
	if c.Point != p || c.N != n {
		r.Diverged = append(r.Diverged, fmt.Sprintf("decision %d: recorded %s of %d, asked %s of %d", r.next-1, c.Point, c.N, p, n))
		return 0
	}
	return clampChoice(c.Pick, n)
}

// Remaining reports how many recorded decisions were not used.
func (r *Replay) Remaining() int { return len(r.Choices) - r.next }

// FuncChooser adapts a function to the Chooser interface.
type FuncChooser func(p Point, n int) int

// Choose implements Chooser.
func (f FuncChooser) Choose(p Point, n int) int { return f(p, n) }

func clampChoice(c, n int) int {
	if c < 0 || n <= 0 {
		return 0
	}
	if c >= n {
		return n - 1
	}
	return c
}
