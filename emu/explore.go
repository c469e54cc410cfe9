package emu

import "sort"

// Exhaustive exploration with partial-order reduction.
//
// Explore runs a program again and again, each time under a chooser it
// controls (an *ExploreRun), until every schedule within a bound has been
// covered: a stateless search by re-execution, as in Godefroid's VeriSoft
// ("Model checking for programming languages using VeriSoft", POPL 1997).
// The emulator is deterministic, so replaying a run's decisions up to a
// point reaches the same state.
//
// Decisions are of two sorts. A scheduling decision (PointSchedule, and
// PointPreempt with the schedule that follows it) says which process goes
// next: a ready thread, or one of the system's pending actions. Every other
// decision (pend, cancel, split, reset, apc-order, unsettled) is a data
// choice, and all its alternatives are explored.
//
// A transition is what one process does between two scheduling decisions.
// The System reports, through hooks that cost one nil check when no
// explorer is attached, every object a transition touches: the threads it
// wakes or queues to, every handle it looks up, creates or closes (by
// object: a duplicated handle names the same object), every overlapped
// record its events name, the handle table itself when a handle is
// allocated or freed (the values handed out depend on the order), the
// clock (read by every block, written when it advances), and the network
// of the sockets' provider, which the emulator cannot see into: a socket
// call that only reads (a receive, a result or option query, a poll)
// reads it, every other socket call, socket creation and close, and every
// deferred provider action write it. Two transitions are dependent when
// they touch one object and at least one of them writes it (handles,
// threads and records are always written).
//
// What the explorer cannot see is Go memory the program's threads share
// outside the emulator (a variable one thread writes and another reads):
// like any dynamic partial-order reduction it orders only the accesses it
// is told of, so threads must hand such data over through emulated
// objects (an event, a port, a pipe, a socket), as they must on Windows.
// The run must also be deterministic given the decisions (no wall clock,
// no map order); a replay that does not reach the recorded state is
// counted in Diverged and cut short.
//
// Over those transitions the explorer runs source-DPOR with sleep sets
// (Abdulla, Aronis, Jonsson and Sagonas, "Optimal dynamic partial order
// reduction", POPL 2014, Algorithm 1; the sleep sets are Godefroid's,
// "Partial-order methods for the verification of concurrent systems",
// LNCS 1032, 1996): after each run it finds the races of the run (two
// dependent transitions of different processes with no transition
// ordered between them), and for each it adds, at the state before the
// first, a process that starts the reversed order, unless one already is
// there. A process explored at a node goes into the sleep set of the
// node's later branches and stays asleep along them until a transition
// dependent with it runs; a run reaching a state whose every enabled
// process is asleep is redundant, is counted as sleep-blocked, and finishes
// with default decisions without being recorded further.
//
// The bound. A schedule may make at most Bound non-default decisions
// (picks other than alternative 0: a preemption, a pend, ...). DPOR under
// such a bound is not complete in general (Coons, Musuvathi and McKinley,
// "Bounded partial-order reduction", OOPSLA 2013): the representative
// DPOR keeps of an interleaving class may cost more than another member
// within the bound, and a sleep set may hold a process whose own
// exploration the bound cut short, so that orders reachable within the
// bound from the sleeping branch were never run. The explorer is
// conservative on both counts. A process goes to sleep only if the bound
// cut nothing in its exploration at that node (its subtree was whole);
// and when a reversal would cross the bound at the race's node, the
// reversing process is also added at the nearest earlier node where it is
// enabled and within the bound. On the tests' programs (hand-written,
// tests/bugs, 200 random three-thread programs over shared events and a
// port, bounds 1 to 4) and on the corpus the outcomes then equal those of
// the full search at the same bound; BoundHit says when the bound left
// anything out. NoPrune turns the reduction off, to compare.
type ExploreOptions struct {
	// Bound is the most non-default decisions a schedule may make.
	Bound int
	// MaxRuns caps the runs (0: no cap); Budget says when it cut the search.
	MaxRuns int
	// NoPrune explores every schedule within the bound.
	NoPrune bool
}

// ExploreStats is what an exploration did.
type ExploreStats struct {
	Runs         int  // schedules run
	SleepBlocked int  // runs found redundant by the sleep sets and cut short
	Backtracks   int  // alternatives the race analysis added
	BoundHit     bool // some schedule was left out by the bound
	Budget       bool // MaxRuns stopped the search
	Diverged     int  // replays that did not reach the recorded state (a nondeterministic program)
}

// pid names a process: a thread by its id, a system action by an id made
// from its creator and how many actions that creator made before (stable
// when unrelated processes are reordered), 0 for the driver.
type pid uint64

const actionBit = 1 << 63

// Access objects: a tag in the top byte.
const (
	objHandle = 1 << 56
	objOv     = 2 << 56
	objThread = 3 << 56
	objNet    = 4 << 56
	objClock  = 5 << 56
	objTable  = 6 << 56
	objAction = 7 << 56
)

// acc is one access: the object shifted left once, the low bit set for a
// write.
type acc uint64

func addAcc(set []acc, o uint64, write bool) []acc {
	a := acc(o << 1)
	for i, x := range set {
		if x>>1 == a>>1 {
			if write {
				set[i] |= 1
			}
			return set
		}
	}
	if write {
		a |= 1
	}
	return append(set, a)
}

func unionAcc(set, more []acc) []acc {
	for _, a := range more {
		set = addAcc(set, uint64(a>>1), a&1 == 1)
	}
	return set
}

func dependent(a, b []acc) bool {
	for _, x := range a {
		for _, y := range b {
			if x>>1 == y>>1 && (x|y)&1 == 1 {
				return true
			}
		}
	}
	return false
}

func mix(a, b uint64) uint64 {
	z := a*0x9e3779b97f4a7c15 ^ (b + 0x632be59bd9b4e019)
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

type sleepEnt struct {
	p   pid
	acc []acc
	// whole: the bound cut nothing below this process here, so its
	// exploration covered every schedule that starts with it; only such
	// a process may be put to sleep.
	whole bool
}

// xnode is one decision on the current path of the search.
type xnode struct {
	data   bool
	point  Point
	n      int
	pick   int // data: the alternative taken
	nonDef int // non-default decisions before this one on the path

	// scheduling nodes
	preempt   bool
	running   pid   // preempt: the thread that may keep running
	ready     []pid // the ready threads, in alternative order
	actions   []pid // the actions that are alternatives
	cur       pid
	cutsAt    int // the explorer's bound cuts when cur was picked here
	backtrack []pid
	done      []sleepEnt // processes explored here, with what their transitions touched
	sleep     []sleepEnt // asleep on arrival
	accCur    []acc      // what cur's transitions from here touched so far
}

func (n *xnode) enabled(p pid) bool { return n.cost(p) >= 0 }

// cost is how many non-default raw decisions running p here takes (-1:
// p is not enabled).
func (n *xnode) cost(p pid) int {
	if n.preempt {
		if p == n.running {
			return 0
		}
		// preempt=1, then p's index among ready+[running]+actions.
		for i, q := range n.ready {
			if q == p {
				return 1 + b2i(i != 0)
			}
		}
		for _, q := range n.actions {
			if q == p {
				return 2
			}
		}
		return -1
	}
	for i, q := range n.ready {
		if q == p {
			return b2i(i != 0)
		}
	}
	for i, q := range n.actions {
		if q == p {
			return b2i(len(n.ready)+i != 0)
		}
	}
	return -1
}

func (n *xnode) all() []pid {
	var out []pid
	if n.preempt {
		out = append(out, n.running)
	}
	out = append(out, n.ready...)
	return append(out, n.actions...)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func hasPid(ps []pid, p pid) bool {
	for _, q := range ps {
		if q == p {
			return true
		}
	}
	return false
}

func hasSleep(ss []sleepEnt, p pid) bool {
	for _, s := range ss {
		if s.p == p {
			return true
		}
	}
	return false
}

type explorer struct {
	opt   ExploreOptions
	stack []*xnode
	stats ExploreStats
	cuts  int // times the bound left an alternative out
}

// cut records that the bound left an alternative out.
func (x *explorer) cut() {
	x.stats.BoundHit = true
	x.cuts++
}

// Explore runs run once per schedule of the search (see ExploreOptions),
// each time with a fresh *ExploreRun that run must give to the System it
// builds (WithChooser) before anything happens on it. run returns false to
// stop the search (a failure found, say). The order of runs, and so of
// everything run records, is deterministic.
func Explore(opt ExploreOptions, run func(r *ExploreRun) bool) ExploreStats {
	x := &explorer{opt: opt}
	for {
		if opt.MaxRuns > 0 && x.stats.Runs >= opt.MaxRuns {
			x.stats.Budget = true
			break
		}
		r := &ExploreRun{x: x, ovIDs: map[int]uint64{}, canon: map[object]uint64{}, hcanon: map[Handle]uint64{}, made: map[pid]uint64{}}
		r.cur = xtrans{p: 0, node: -1}
		r.writes = true
		goOn := run(r)
		r.finish()
		x.stats.Runs++
		if r.blocked {
			x.stats.SleepBlocked++
		}
		if r.diverged {
			x.stats.Diverged++
		}
		if !opt.NoPrune {
			x.races(r.trans)
		}
		if !goOn || !x.advance() {
			break
		}
	}
	return x.stats
}

// advance moves the path to the next schedule: the deepest decision with
// an alternative left to explore within the bound. It reports false when
// there is none.
func (x *explorer) advance() bool {
	for len(x.stack) > 0 {
		n := x.stack[len(x.stack)-1]
		if n.data {
			if n.pick+1 < n.n {
				if n.nonDef+1 <= x.opt.Bound {
					n.pick++
					return true
				}
				x.cut()
			}
			x.stack = x.stack[:len(x.stack)-1]
			continue
		}
		n.done = append(n.done, sleepEnt{n.cur, n.accCur, x.cuts == n.cutsAt})
		n.accCur = nil
		best, bestCost := pid(0), -1
		for _, q := range n.backtrack {
			if hasSleep(n.done, q) || hasSleep(n.sleep, q) {
				continue
			}
			c := n.cost(q)
			if c < 0 {
				continue
			}
			if n.nonDef+c > x.opt.Bound {
				x.cut()
				continue
			}
			if bestCost < 0 || c < bestCost {
				best, bestCost = q, c
			}
		}
		if bestCost >= 0 {
			n.cur, n.cutsAt = best, x.cuts
			return true
		}
		x.stack = x.stack[:len(x.stack)-1]
	}
	return false
}

// xtrans is one transition of a run.
type xtrans struct {
	p    pid
	node int // its scheduling node on the stack, -1 for none (one process enabled)
	acc  []acc
}

// races adds, for every race of the run, a process that reverses it at
// the race's node (source-DPOR).
func (x *explorer) races(tr []xtrans) {
	m := len(tr)
	words := (m + 63) / 64
	hb := make([][]uint64, m) // hb[j]: the transitions ordered before j
	for j := 0; j < m; j++ {
		hb[j] = make([]uint64, words)
		for i := j - 1; i >= 0; i-- {
			if hb[j][i/64]&(1<<(i%64)) != 0 {
				continue
			}
			if tr[i].p == tr[j].p || dependent(tr[i].acc, tr[j].acc) {
				hb[j][i/64] |= 1 << (i % 64)
				for w := range hb[i] {
					hb[j][w] |= hb[i][w]
				}
			}
		}
	}
	in := func(set []uint64, i int) bool { return set[i/64]&(1<<(i%64)) != 0 }
	for j := 0; j < m; j++ {
		for i := j - 1; i >= 0; i-- {
			if tr[i].p == tr[j].p || tr[i].node < 0 || !in(hb[j], i) || !dependent(tr[i].acc, tr[j].acc) {
				continue
			}
			// A race only if no transition is ordered between them.
			direct := true
			for k := i + 1; k < j && direct; k++ {
				if in(hb[j], k) && in(hb[k], i) {
					direct = false
				}
			}
			if !direct {
				continue
			}
			// v: what follows i and is not ordered after it, then j; its
			// initials are the processes whose first transition in v has no
			// predecessor in v.
			var v []int
			for k := i + 1; k < j; k++ {
				if !in(hb[k], i) {
					v = append(v, k)
				}
			}
			v = append(v, j)
			var initials []pid
			var seen []pid
			for a, k := range v {
				if hasPid(seen, tr[k].p) {
					continue
				}
				seen = append(seen, tr[k].p)
				first := true
				for _, u := range v[:a] {
					if in(hb[k], u) {
						first = false
						break
					}
				}
				if first {
					initials = append(initials, tr[k].p)
				}
			}
			x.reverse(tr[i].node, initials, tr[j].p)
		}
	}
}

// reverse makes sure node ni explores one of initials (preferring want).
func (x *explorer) reverse(ni int, initials []pid, want pid) {
	n := x.stack[ni]
	for _, q := range initials {
		if hasPid(n.backtrack, q) || hasSleep(n.sleep, q) {
			return // already explored, planned or covered
		}
	}
	// Candidates: enabled here, want first.
	cands := make([]pid, 0, len(initials))
	if hasPid(initials, want) {
		cands = append(cands, want)
	}
	for _, q := range initials {
		if q != want {
			cands = append(cands, q)
		}
	}
	over := pid(0)
	overFound := false
	for _, q := range cands {
		c := n.cost(q)
		if c < 0 {
			continue
		}
		if n.nonDef+c <= x.opt.Bound {
			n.backtrack = append(n.backtrack, q)
			x.stats.Backtracks++
			return
		}
		if !overFound {
			over, overFound = q, true
		}
	}
	if !overFound {
		return // not enabled here: not a race that can be reversed
	}
	x.cut()
	// Conservatively, start the reversing process earlier, where the
	// bound allows it.
	for k := ni - 1; k >= 0; k-- {
		e := x.stack[k]
		if e.data {
			continue
		}
		c := e.cost(over)
		if c < 0 || e.nonDef+c > x.opt.Bound {
			continue
		}
		if !hasPid(e.backtrack, over) && !hasSleep(e.sleep, over) {
			e.backtrack = append(e.backtrack, over)
			x.stats.Backtracks++
		}
		return
	}
}

// ExploreRun is the Chooser of one run of Explore. Give it to the System
// (WithChooser); it also receives the System's reports of what each
// transition touches.
type ExploreRun struct {
	x        *explorer
	s        *System
	depth    int // next decision on the path
	nonDef   int
	made     map[pid]uint64 // actions made, per creating process
	trans    []xtrans
	cur      xtrans
	sleep    []sleepEnt // asleep now, filtered as transitions end
	blocked  bool       // the sleep sets (or the bound) cut this run
	diverged bool
	answer   int // the raw pick prepared for the next PointSchedule or PointPreempt, -1 none
	want     pid // preempt: the process to pick at the schedule that follows
	wantNext bool
	ovIDs    map[int]uint64
	canon    map[object]uint64
	hcanon   map[Handle]uint64
	calls    []string // by thread id: the call the thread is in
	choices  []Choice
	finished bool
	mark     int // trace events read so far
	tmark    [2]tableMark
	writes   bool // the running transition made a socket call that is not read-only
}

// Choices returns every decision the run made, for ReplayChooser.
func (r *ExploreRun) Choices() []Choice { return r.choices }

// Redundant reports whether the run was cut short as redundant (every
// enabled process asleep) or by the bound: its outcome is a real one, but
// it explored nothing new.
func (r *ExploreRun) Redundant() bool { return r.blocked }

func (r *ExploreRun) attach(s *System) {
	r.s = s
	r.answer = -1
	s.xp = r
	s.handles.xp = r
	s.kernel.xp = r
	r.markTables()
}

func (r *ExploreRun) off() bool { return r.blocked || r.finished }

func (r *ExploreRun) touch(o uint64, write bool) {
	if r.off() {
		return
	}
	r.cur.acc = addAcc(r.cur.acc, o, write)
}

// tableMark is what a handle table held when a transition began.
type tableMark struct {
	n    int
	free []int
}

func (r *ExploreRun) markTables() {
	for k, h := range [2]*handleTable{&r.s.handles, &r.s.kernel} {
		h.used = 0
		r.tmark[k].n = len(h.slots)
		r.tmark[k].free = append(r.tmark[k].free[:0], h.free...)
	}
}

// harvest reads what the running transition did to the handle tables:
// the slots get looked at (by bit, so every slot sharing the bit counts:
// more dependencies, never fewer), and the slots add filled.
func (r *ExploreRun) harvest() {
	for k, h := range [2]*handleTable{&r.s.handles, &r.s.kernel} {
		base := Handle(0)
		if k == 1 {
			base = kernelHandleBit
		}
		m := &r.tmark[k]
		for b := 0; b < 64; b++ {
			if h.used&(1<<b) == 0 {
				continue
			}
			// Value (i+1)*4 sets bit (i+1) mod 64; bit 0 also stands for
			// the null handle, which names nothing.
			i := b - 1
			if b == 0 {
				i = 63
			}
			for ; i < len(h.slots)+64; i += 64 {
				r.slotUsed(h, i, base, false)
			}
		}
		alloc := len(h.slots) != m.n
		for i := m.n; i < len(h.slots); i++ {
			r.slotUsed(h, i, base, true)
		}
		for _, i := range m.free {
			if i < len(h.slots) && h.slots[i] != nil {
				alloc = true
				r.slotUsed(h, i, base, true)
			}
		}
		if alloc {
			r.touch(objTable|uint64(k), true)
		}
	}
	r.markTables()
}

func (r *ExploreRun) slotUsed(h *handleTable, i int, base Handle, added bool) {
	v := base | Handle((i+1)*4)
	var o object
	if i < len(h.slots) {
		o = h.slots[i]
	}
	if o == nil {
		// A value that names nothing: reading its absence depends on
		// whatever creates an object there (a write), not on other reads.
		r.touch(objHandle|uint64(v), false)
		return
	}
	r.handleUsed(o, v, added, false)
}

// startTrans begins a transition of p; a thread that resumes inside a
// call is still in that call.
func (r *ExploreRun) startTrans(p pid, node int) {
	r.cur = xtrans{p: p, node: node}
	r.writes = p == 0 || p&actionBit != 0
	if !r.writes && int(p) < len(r.calls) && r.calls[p] != "" && !readOnlySocketCalls[r.calls[p]] {
		r.writes = true
	}
}

// endTrans closes the running transition.
func (r *ExploreRun) endTrans() {
	if r.s != nil {
		r.harvest()
	}
	r.scanTrace()
	t := r.cur
	if t.p&actionBit == 0 && t.p != 0 {
		t.acc = addAcc(t.acc, objThread|uint64(t.p), true)
	} else if t.p&actionBit != 0 {
		t.acc = addAcc(t.acc, objAction|uint64(t.p)&(1<<56-1), true)
	}
	if t.node >= 0 {
		n := r.x.stack[t.node]
		n.accCur = unionAcc(n.accCur, t.acc)
	}
	r.trans = append(r.trans, t)
	// Sleepers stay asleep while what runs is independent of them.
	kept := r.sleep[:0:0]
	for _, s := range r.sleep {
		if s.p != t.p && !dependent(s.acc, t.acc) {
			kept = append(kept, s)
		}
	}
	r.sleep = kept
}

func (r *ExploreRun) finish() {
	if !r.off() {
		r.endTrans()
	}
	r.finished = true
}

func (r *ExploreRun) threadPid(t *Thread) pid {
	if t == nil {
		return 0
	}
	return pid(t.id)
}

// node returns the decision at the current depth, replayed or new.
func (r *ExploreRun) node(mk func() *xnode) (*xnode, bool) {
	x := r.x
	if r.depth < len(x.stack) {
		n := x.stack[r.depth]
		r.depth++
		return n, false
	}
	n := mk()
	n.nonDef = r.nonDef
	x.stack = append(x.stack, n)
	r.depth++
	return n, true
}

// schedPoint is called by the System when it is about to pick what runs
// next (pickNext), with r ready threads and a eligible actions.
func (r *ExploreRun) schedPoint(nr, na int) {
	if r.off() {
		return
	}
	s := r.s
	r.nameActions()
	if r.wantNext {
		// The schedule after a preemption: pick the process decided there.
		r.wantNext = false
		r.answer = -1
		for i, t := range s.ready[:nr] {
			if pid(t.id) == r.want {
				r.answer = i
			}
		}
		for i := 0; i < na; i++ {
			if pid(s.actions[i].xid) == r.want {
				r.answer = nr + i
			}
		}
		if r.answer < 0 {
			r.diverge()
		}
		return
	}
	r.endTrans()
	ready := make([]pid, nr)
	for i, t := range s.ready[:nr] {
		ready[i] = pid(t.id)
	}
	acts := make([]pid, na)
	for i := 0; i < na; i++ {
		acts[i] = pid(s.actions[i].xid)
	}
	r.decide(false, 0, ready, acts, func(p pid, idx int) {
		r.answer = idx
		if p&actionBit != 0 && s.actions[idx-nr].dfr != nil {
			r.touch(objNet, true)
		}
	})
}

// preemptPoint is called at an API call of running thread t while other
// threads are ready.
func (r *ExploreRun) preemptPoint(t *Thread) {
	if r.off() {
		return
	}
	s := r.s
	r.nameActions()
	r.endTrans()
	ready := make([]pid, len(s.ready))
	for i, x := range s.ready {
		ready[i] = pid(x.id)
	}
	acts := make([]pid, len(s.actions))
	for i := range s.actions {
		acts[i] = pid(s.actions[i].xid)
	}
	run := pid(t.id)
	r.decide(true, run, ready, acts, func(p pid, _ int) {
		if p == run {
			r.answer = 0
			return
		}
		r.answer = 1
		r.want, r.wantNext = p, true
	})
}

// decide takes the scheduling decision at the current depth and starts
// the transition of the process it picks.
func (r *ExploreRun) decide(preempt bool, running pid, ready, acts []pid, take func(p pid, idx int)) {
	alts := len(ready) + len(acts)
	if preempt {
		alts++
	}
	if alts == 1 {
		// Nothing to decide: one process can go.
		p := pid(0)
		if len(ready) == 1 {
			p = ready[0]
		} else {
			p = acts[0]
		}
		if hasSleep(r.sleep, p) {
			r.block()
			return
		}
		r.startTrans(p, -1)
		take(p, 0)
		r.answer = -1 // no Choose follows
		return
	}
	x := r.x
	n, fresh := r.node(func() *xnode {
		pt := PointSchedule
		if preempt {
			pt = PointPreempt
		}
		return &xnode{preempt: preempt, running: running, ready: ready, actions: acts, n: alts, point: pt}
	})
	if fresh {
		n.sleep = append([]sleepEnt(nil), r.sleep...)
		if x.opt.NoPrune {
			n.sleep = nil
			n.backtrack = n.all()
		}
		best, bestCost := pid(0), -1
		for _, p := range n.all() {
			if hasSleep(n.sleep, p) {
				continue
			}
			c := n.cost(p)
			if bestCost < 0 || c < bestCost {
				best, bestCost = p, c
			}
		}
		if bestCost < 0 {
			x.stack = x.stack[:len(x.stack)-1]
			r.block()
			return
		}
		if n.nonDef+bestCost > x.opt.Bound {
			x.cut()
			x.stack = x.stack[:len(x.stack)-1]
			r.block()
			return
		}
		n.cur, n.cutsAt = best, x.cuts
		if !x.opt.NoPrune {
			n.backtrack = []pid{best}
		}
	} else if n.data || n.preempt != preempt || len(n.ready) != len(ready) || len(n.actions) != len(acts) {
		r.diverge()
		return
	}
	c := n.cost(n.cur)
	if c < 0 {
		r.diverge()
		return
	}
	r.nonDef += c
	// Asleep after this transition: what was asleep here and what was
	// explored here before, but for the process that goes now.
	r.sleep = r.sleep[:0:0]
	if !x.opt.NoPrune {
		for _, s := range n.sleep {
			if s.p != n.cur {
				r.sleep = append(r.sleep, s)
			}
		}
		for _, s := range n.done {
			if s.p != n.cur && s.whole {
				r.sleep = append(r.sleep, s)
			}
		}
	}
	r.startTrans(n.cur, r.depth-1)
	idx := 0
	if !preempt {
		idx = indexOf(ready, acts, n.cur)
	}
	take(n.cur, idx)
}

func indexOf(ready, acts []pid, p pid) int {
	for i, q := range ready {
		if q == p {
			return i
		}
	}
	for i, q := range acts {
		if q == p {
			return len(ready) + i
		}
	}
	return 0
}

func (r *ExploreRun) block() {
	r.endTrans()
	r.blocked = true
	r.answer = -1
}

func (r *ExploreRun) diverge() {
	r.diverged = true
	r.block()
}

// Choose implements Chooser.
func (r *ExploreRun) Choose(p Point, n int) int {
	c := r.choose(p, n)
	if c < 0 || c >= n {
		c = 0
	}
	r.choices = append(r.choices, Choice{Point: p, N: n, Pick: c})
	return c
}

func (r *ExploreRun) choose(p Point, n int) int {
	if (p == PointSchedule || p == PointPreempt) && r.answer >= 0 {
		a := r.answer
		r.answer = -1
		return a
	}
	if r.off() {
		return 0
	}
	if p == PointReset || p == PointSplit {
		r.touch(objNet, true)
	}
	nd, fresh := r.node(func() *xnode { return &xnode{data: true, point: p, n: n} })
	if !fresh && (!nd.data || nd.point != p || nd.n != n) {
		r.diverge()
		return 0
	}
	if nd.pick != 0 {
		r.nonDef++
	}
	return nd.pick
}

// The System's reports.

// nameActions names the actions scheduled since the last decision: the
// running transition made them.
func (r *ExploreRun) nameActions() {
	for i := range r.s.actions {
		if r.s.actions[i].xid == 0 {
			r.s.actions[i].xid = r.newAction()
		}
	}
}

// newAction names an action the running process schedules.
func (r *ExploreRun) newAction() uint64 {
	c := r.cur.p
	k := r.made[c]
	r.made[c] = k + 1
	id := mix(uint64(c), k)&(1<<56-1) | actionBit
	r.touch(objAction|id&(1<<56-1), true)
	return id
}

// thread: the running process wakes, queues to or otherwise changes t.
func (r *ExploreRun) thread(id int) { r.touch(objThread|uint64(id), true) }

// call: thread t is in call name from now on.
func (r *ExploreRun) call(t *Thread, name string) {
	for len(r.calls) <= t.id {
		r.calls = append(r.calls, "")
	}
	r.calls[t.id] = name
	if !readOnlySocketCalls[name] {
		r.writes = true
	}
}

// readOnlySocketCalls are the socket calls that only read the network's
// state (the socket's own state is written through its handle).
var readOnlySocketCalls = map[string]bool{
	"WSARecv": true, "WSARecvFrom": true, "WSARecvMsg": true, "recv": true, "recvfrom": true,
	"ReadFile": true, "ReadFileEx": true, "GetOverlappedResult": true, "GetOverlappedResultEx": true,
	"WSAGetOverlappedResult": true, "getsockopt": true, "getsockname": true, "getpeername": true,
	"WSAPoll": true, "select": true, "WSAEnumNetworkEvents": true,
}

func (r *ExploreRun) objectID(o object, v Handle) uint64 {
	if c, ok := r.canon[o]; ok {
		return c
	}
	r.canon[o] = uint64(v)
	return uint64(v)
}

func (r *ExploreRun) handleUsed(o object, v Handle, added, removed bool) {
	if r.off() || o == nil {
		return
	}
	id := r.objectID(o, v)
	r.hcanon[v] = id
	r.touch(objHandle|id, true)
	if added || removed {
		r.touch(objTable, true)
	}
	if t, ok := o.(*Thread); ok {
		r.thread(t.id)
	}
	if o.kind() >= kindAbove {
		// An object of the layer above (a socket): its provider's network
		// is shared, and the kernel cannot see into it.
		r.touch(objNet, added || removed || r.writes || r.cur.p == 0 || r.cur.p&actionBit != 0)
	}
}

// scanTrace reads the events the running transition emitted since the
// last scan. Without a trace, every transition touches one object: no
// reduction, nothing lost.
func (r *ExploreRun) scanTrace() {
	if r.s == nil {
		return
	}
	tr := r.s.Trace()
	if tr == nil {
		r.touch(objNet|1, true)
		return
	}
	for i := r.mark; i < tr.Len(); i++ {
		e := tr.At(i)
		r.event(e.Kind, e.Thread, e.Handle, e.Ov)
	}
	r.mark = tr.Len()
}

// event: the System emitted an event of kind k naming thread, handle and
// record ov.
func (r *ExploreRun) event(k EventKind, thread int, h Handle, ov int) {
	if r.off() {
		return
	}
	switch k {
	case EvChoice, EvCall, EvReturn, EvNote:
		if ov == 0 && h == 0 {
			return
		}
	case EvClock:
		r.touch(objClock, true)
	case EvBlock:
		r.touch(objClock, false)
	}
	if thread != 0 && pid(thread) != r.cur.p {
		r.thread(thread)
	}
	if h != 0 {
		if c, ok := r.hcanon[h]; ok {
			r.touch(objHandle|c, true)
		} else {
			r.touch(objHandle|uint64(h), true)
		}
	}
	if ov != 0 {
		id, ok := r.ovIDs[ov]
		if !ok {
			c := r.cur.p
			seq := r.made[c|1<<62]
			r.made[c|1<<62] = seq + 1
			id = mix(uint64(c)^0x5bd1e995, seq) & (1<<56 - 1)
			r.ovIDs[ov] = id
		}
		r.touch(objOv|id, true)
	}
}

// SortedOutcomes is a helper for callers: the keys of a set, sorted.
func SortedOutcomes(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
