package emu

import "math/bits"

// A ThreadChooser is a Chooser that also wants to know which thread each
// alternative of a scheduling decision stands for. Just before it asks
// Choose(PointSchedule, n) or Choose(PointPreempt, 2), a System whose
// Chooser is a ThreadChooser calls Candidates with the thread that holds
// the right to run (nil for none: the driver, or a thread that has just
// blocked) and the ready threads, in the order of the alternatives.
//
// For PointSchedule, alternative i < len(ready) runs ready[i]; the
// alternatives from len(ready) on fire pending system actions. For
// PointPreempt, alternative 0 keeps running the thread named running and
// 1 lets the ready threads compete. Candidates may also be called when
// fewer than two alternatives are open (then no Choose follows). The
// slice belongs to the System: read it only until Choose returns.
type ThreadChooser interface {
	Chooser
	Candidates(running *Thread, ready []*Thread)
}

// PCTChooser returns a priority-based randomized scheduler in the manner of
// Burckhardt, Kothari, Musuvathi and Nagarakatte, "A Randomized Scheduler
// with Probabilistic Guarantees of Finding Bugs" (ASPLOS 2010). Each
// thread gets a random priority when it is first a candidate (the system's
// own actions count as one more "thread"), and the ready candidate of
// highest priority always goes next. At depth-1 change points, drawn
// uniformly from the steps of a run of the expected length (SetLength),
// the thread running at that step drops below every other priority. A bug
// that needs d particular orderings (depth d) is hit with probability at
// least 1/(t·k^(d-1)) per run for t threads and k steps.
//
// Decisions that are not about which thread runs (PointPend, routine
// order, cancel races, ...) are drawn uniformly, as SeededChooser draws
// them. The same seed, depth and length give the same decisions.
//
// A wrapper that hides Candidates (a Recorder) leaves PCT blind, so that
// it draws scheduling decisions uniformly too: to record a PCT run, set
// its Record field instead.
func PCTChooser(seed uint64, depth int) *PCT {
	if depth < 1 {
		depth = 1
	}
	return &PCT{
		other:  Seeded{state: seed},
		prng:   Seeded{state: seed ^ 0x9c7d5a3f1e2b4c6d},
		depth:  depth,
		length: DefaultPCTLength,
	}
}

// DefaultPCTLength is the run length, in scheduling steps, that change
// points are drawn from when SetLength is not called.
const DefaultPCTLength = 64

// PCT is the chooser PCTChooser returns.
type PCT struct {
	other   Seeded // decisions that are not about which thread runs
	prng    Seeded // priorities and change points
	depth   int
	length  int
	drawn   bool
	changes []int    // the steps at which the running thread is lowered
	lowered int      // change points passed so far
	steps   int      // scheduling decisions so far
	prio    []uint64 // by thread id; index 0 is the system's actions; 0 = not yet drawn

	running *Thread
	ready   []*Thread
	told    bool // Candidates came before this Choose
	last    int  // the id of the thread last picked (0: the system)

	// Record, when set, makes Choose keep every decision in Choices (to
	// replay or shrink the run with ReplayChooser).
	Record  bool
	Choices []Choice
}

// SetLength sets the expected number of scheduling steps of a run (the
// range change points are drawn from); call it before the first decision.
func (p *PCT) SetLength(k int) *PCT {
	if k < 1 {
		k = 1
	}
	p.length = k
	return p
}

// Steps reports how many scheduling decisions (PointSchedule and
// PointPreempt) the chooser has made: a run's length, to pass to
// SetLength for later runs.
func (p *PCT) Steps() int { return p.steps }

// ChangePoints returns the steps at which the running thread's priority
// drops (drawn at the first decision).
func (p *PCT) ChangePoints() []int { p.draw(); return p.changes }

// Candidates implements ThreadChooser.
func (p *PCT) Candidates(running *Thread, ready []*Thread) {
	p.running, p.ready, p.told = running, ready, true
}

func (p *PCT) draw() {
	if p.drawn {
		return
	}
	p.drawn = true
	for i := 1; i < p.depth; i++ {
		p.changes = append(p.changes, 1+p.prng.Choose(PointSchedule, p.length))
	}
	// Sorted, so that they are passed in order (insertion sort: d is small).
	for i := 1; i < len(p.changes); i++ {
		for j := i; j > 0 && p.changes[j] < p.changes[j-1]; j-- {
			p.changes[j], p.changes[j-1] = p.changes[j-1], p.changes[j]
		}
	}
}

// priority returns the priority of thread id (0: the system's actions),
// drawing it on first sight. Drawn priorities are at least depth, so every
// lowered one (depth-1 down to 1) is below them all.
func (p *PCT) priority(id int) uint64 {
	for id >= len(p.prio) {
		p.prio = append(p.prio, 0)
	}
	if p.prio[id] == 0 {
		hi, _ := bits.Mul64(p.prng.next(), 1<<62)
		p.prio[id] = uint64(p.depth) + hi
	}
	return p.prio[id]
}

// step counts one scheduling decision and, at a change point, lowers the
// thread that is running.
func (p *PCT) step() {
	p.draw()
	p.steps++
	for p.lowered < len(p.changes) && p.changes[p.lowered] == p.steps {
		p.lowered++
		id := p.last
		if p.running != nil {
			id = p.running.id
		}
		p.priority(id)
		p.prio[id] = uint64(p.depth - p.lowered)
	}
}

// Choose implements Chooser.
func (p *PCT) Choose(pt Point, n int) int {
	c := p.choose(pt, n)
	if p.Record {
		p.Choices = append(p.Choices, Choice{Point: pt, N: n, Pick: c})
	}
	return c
}

func (p *PCT) choose(pt Point, n int) int {
	if n <= 1 {
		return 0
	}
	told := p.told
	p.told = false
	if !told || (pt != PointSchedule && pt != PointPreempt) {
		return p.other.Choose(pt, n)
	}
	p.step()
	if pt == PointPreempt {
		// Keep running unless a ready thread now has a higher priority.
		mine := uint64(0)
		if p.running != nil {
			mine = p.priority(p.running.id)
		}
		for _, t := range p.ready {
			if p.priority(t.id) > mine {
				return 1
			}
		}
		if p.running != nil {
			p.last = p.running.id
		}
		return 0
	}
	r := len(p.ready)
	if r > n {
		r = n
	}
	best, bestPrio := -1, uint64(0)
	for i := 0; i < r; i++ {
		if pr := p.priority(p.ready[i].id); best < 0 || pr > bestPrio {
			best, bestPrio = i, pr
		}
	}
	if r < n && (best < 0 || p.priority(0) > bestPrio) {
		// The system goes next; which of its actions is an ordinary draw.
		p.last = 0
		return r + p.other.Choose(PointSchedule, n-r)
	}
	p.last = p.ready[best].id
	return best
}
