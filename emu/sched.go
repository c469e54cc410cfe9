package emu

import (
	"errors"

	"fmt"
	"github.com/petermattis/goid"
	"github.com/wsaemu/wsaemu/provider"
	"runtime/debug"
	"time"
)

// action is something the System does on its own, with no thread running:
// a deferred completion being delivered, a cancellation taking effect, a
// datagram arriving. Actions wait in FIFO order until the scheduler picks
// one.
type action struct {
	name string
	fire func(s *System, a action) // given a copy: the action has left the queue
	req  *request
	gen  uint64 // the request's id when the action was made, to spot reuse
	arg  uint64
	dfr  provider.Deferrable
	xid  uint64 // the explorer's name for it, given at its first decision (explore.go); 0 without one
}

func (s *System) schedule(a action) { s.actions = append(s.actions, a) }

// progressed records progress (see WithLivelockBudget).
func (s *System) progressed() { s.idle = 0 }

// step counts one step of thread t without progress yet; when the budget
// is used up the run stops with a *LivelockError (livelocked).
func (s *System) step(t *Thread) {
	s.idle++
	if s.budget > 0 && s.idle > s.budget && !s.killed {
		s.livelocked(t)
	}
}

// livelocked records the *LivelockError and parks t for good: the driver
// gets the machine back (Run and Stepper.Call return the error) and t's
// goroutine ends when the System is stopped.
func (s *System) livelocked(t *Thread) {
	e := &LivelockError{Now: s.now, Steps: s.budget, Thread: t.name, Trace: s.trace}
	for _, x := range s.threads {
		switch x.state {
		case stateExited:
		case stateBlocked:
			e.Threads = append(e.Threads, s.describeWait(x))
		default:
			e.Threads = append(e.Threads, x.name+" "+x.state.String())
		}
	}
	s.livelock = e
	s.emit(Event{Thread: t.id, Kind: EvLivelock, Text: fmt.Sprintf("%d steps without progress", s.budget)})
	s.handTo(nil)
	if t.adopted {
		panic(driverTurn{}) // RunHere's goroutine is the driver too
	}
	t.park()
	t.unwind() // only Stop wakes a parked thread
}

// PendingActions is the number of system actions waiting to fire.
func (s *System) PendingActions() int { return len(s.actions) }

func (s *System) makeReady(t *Thread, why string) {
	if t.state == stateExited {
		return
	}
	t.state = stateReady
	s.ready = append(s.ready, t)
	if s.xp != nil {
		s.xp.thread(t.id)
	}
	if why != "" && s.trace != nil && why != "created" {
		s.emit(Event{Thread: t.id, Kind: EvWake, Name: why})
	}
}

func (s *System) removeReady(t *Thread) {
	for i, x := range s.ready {
		if x == t {
			copy(s.ready[i:], s.ready[i+1:])
			s.ready[len(s.ready)-1] = nil
			s.ready = s.ready[:len(s.ready)-1]
			return
		}
	}
}

func (s *System) actionsAllowed() bool {
	return s.mode == modeGoroutine || s.settling
}

// pickNext decides what happens next. It fires system actions the Chooser
// picks (they change state but run no user code) until it can name the
// next thread to run; nil means nothing can run.
func (s *System) pickNext() *Thread {
	for {
		if s.san.fatal != nil || s.livelock != nil {
			return nil // fail-fast: the run stops here
		}
		r := len(s.ready)
		a := 0
		if s.actionsAllowed() {
			a = len(s.actions)
		}
		if r+a == 0 {
			if s.actionsAllowed() && s.advanceClock() {
				continue
			}
			return nil
		}
		if s.tc != nil {
			s.tc.Candidates(s.current, s.ready)
		}
		if s.xp != nil {
			s.xp.schedPoint(r, a)
		}
		i := s.choose(PointSchedule, r+a)
		if i < r {
			t := s.ready[i]
			copy(s.ready[i:], s.ready[i+1:])
			s.ready[len(s.ready)-1] = nil
			s.ready = s.ready[:len(s.ready)-1]
			return t
		}
		i -= r
		act := s.actions[i]
		copy(s.actions[i:], s.actions[i+1:])
		s.actions[len(s.actions)-1] = action{}
		s.actions = s.actions[:len(s.actions)-1]
		// A system action runs on no thread: whoever called pickNext is
		// not the one doing it, so the trace must say "sys".
		cur := s.current
		s.current = nil
		act.fire(s, act)
		s.current = cur
	}
}

// advanceClock moves the virtual clock to the earliest deadline of a
// blocked thread and times out every wait due by then. It reports whether
// there was any deadline.
func (s *System) advanceClock() bool {
	found := false
	var min = s.now
	for _, t := range s.threads {
		if t.state == stateBlocked && t.w.hasDeadline && (!found || t.w.deadline < min) {
			min, found = t.w.deadline, true
		}
	}
	for _, tm := range s.timers {
		if !found || tm.at < min {
			min, found = tm.at, true
		}
	}
	if !found {
		return false
	}
	if min > s.now {
		s.progressed()
		s.now = min
		s.emit(Event{Kind: EvClock})
	}
	for _, t := range s.threads {
		if t.state == stateBlocked && t.w.hasDeadline && t.w.deadline <= s.now {
			s.timeoutWait(t)
		}
	}
	s.fireTimers()
	return true
}

// timer is a kernel timer: fire(s, arg) runs as a system action's work
// once the virtual clock reaches at (an I/O request's own time limit, such
// as an AFD poll's Timeout).
type timer struct {
	at   time.Duration
	fire func(s *System, arg uint64)
	arg  uint64
}

// addTimer arms a timer; dropTimer disarms the one with arg (if any).
func (s *System) addTimer(at time.Duration, fire func(*System, uint64), arg uint64) {
	s.timers = append(s.timers, timer{at: at, fire: fire, arg: arg})
}

func (s *System) dropTimer(arg uint64) {
	for i := range s.timers {
		if s.timers[i].arg == arg {
			s.timers = append(s.timers[:i], s.timers[i+1:]...)
			return
		}
	}
}

// fireTimers fires, in the order they were armed, the timers due now.
func (s *System) fireTimers() {
	for i := 0; i < len(s.timers); {
		tm := s.timers[i]
		if tm.at > s.now {
			i++
			continue
		}
		s.timers = append(s.timers[:i], s.timers[i+1:]...)
		cur := s.current
		s.current = nil
		tm.fire(s, tm.arg)
		s.current = cur
	}
}

// setCurrent records who holds the right to run: s.current for the
// machine's own use, s.owner (atomic) for the wrong-thread check that any
// goroutine may make (Thread.running).
func (s *System) setCurrent(t *Thread) {
	s.current = t
	s.owner.Store(t)
}

// handTo gives the right to run to next (nil: the driver).
func (s *System) handTo(next *Thread) {
	s.beat()
	s.setCurrent(next)
	if s.coro {
		// The driver resumes next (trampoline).
		if next != nil {
			next.state = stateRunning
		}
		s.baton = next
		return
	}
	if next == nil {
		s.driverCh <- struct{}{}
		return
	}
	next.state = stateRunning
	next.wake <- struct{}{}
}

// yieldFrom gives up the right to run held by from (nil: the driver) and
// returns when from is picked again. If the System is being stopped, a
// thread's goroutine unwinds instead of returning.
func (s *System) yieldFrom(from *Thread) {
	if s.killed && from != nil {
		from.unwind()
	}
	next := s.pickNext()
	if next != nil && next == from {
		from.state = stateRunning
		s.setCurrent(from)
		return
	}
	s.handTo(next)
	if from == nil {
		s.awaitDriver()
		return
	}
	if from.adopted {
		s.awaitAdopted(from)
	} else {
		from.park()
	}
	if s.killed {
		from.unwind()
	}
}

// Run drives a System built with Go: it lets the threads run, one at a
// time, until every thread has exited. It returns a *DeadlockError if every
// remaining thread is blocked for ever, and an error naming any thread whose
// code panicked. After a deadlock the blocked threads are unwound (Stop).
func (s *System) Run() error {
	if s.mode == modeStep {
		return errors.New("emu: Run on a System driven by a Stepper")
	}
	if s.killed {
		return errors.New("emu: System has stopped")
	}
	s.mode = modeGoroutine
	s.yieldFrom(nil)
	return s.endRun(nil)
}

func (s *System) liveThreads() []*Thread {
	var live []*Thread
	for _, t := range s.threads {
		if t.state != stateExited && t.state != stateIdle {
			live = append(live, t)
		}
	}
	return live
}

func (s *System) deadlock(live []*Thread) *DeadlockError {
	d := &DeadlockError{Now: s.now, Trace: s.trace}
	for _, t := range live {
		d.Blocked = append(d.Blocked, s.describeWait(t))
	}
	s.emit(Event{Kind: EvDeadlock, Text: fmt.Sprintf("%d threads blocked for ever", len(live))})
	return d
}

// Stepper drives a System one call at a time: the caller says "thread T
// calls X" and gets back whether the call returned or is blocked. Nothing
// happens on its own between calls: deferred completions and timeouts wait
// until Settle (or a blocked call's thread needs them, which is also
// Settle's job).
type Stepper struct{ s *System }

// Stepper returns the step driver of s. A System is driven by a Stepper or
// by Go/Run, not both.
func (s *System) Stepper() (*Stepper, error) {
	if s.mode == modeGoroutine {
		return nil, errors.New("emu: System already driven by goroutines")
	}
	s.mode = modeStep
	s.coro = s.hangAfter <= 0
	s.stepper.s = s
	return &s.stepper, nil
}

// NewThread creates a thread that waits for commands.
func (st *Stepper) NewThread(name string) *Thread {
	s := st.s
	t := s.newThread(name, nil)
	t.state = stateIdle
	t.started = true
	if s.coro && s.pool != nil {
		s.pool.startCoro(t)
	} else if s.coro {
		t.startCoro()
	} else if s.pool != nil {
		s.pool.start(t)
	} else {
		go t.stepMain()
	}
	return t
}

func (t *Thread) stepMain() {
	t.gid.Store(goid.Get())
	if t.co == nil {
		<-t.wake // a coroutine's first resume is its first turn
	}
	if t.s.killed {
		t.ack()
		return
	}
	exiting := false
	defer func() {
		if exiting {
			return
		}
		r := recover()
		switch r.(type) {
		case coroUnwind, exitTurn:
			r = nil // a coroutine's Goexit (see unwind, ExitThread)
		}
		if r != nil && !t.s.killed {
			t.s.panics = append(t.s.panics, &PanicError{Thread: t.name, Value: r, Stack: string(debug.Stack())})
			exiting = true
			t.finish(0xC0000005)
			return
		}
		if t.exiting && !t.s.killed {
			// Unwound by ExitThread (see goroutineMain).
			exiting = true
			t.finish(t.exitCode)
			return
		}
		t.ack()
	}()
	for {
		cmd := t.cmd
		t.cmd = nil
		if cmd != nil {
			cmd(t)
		}
		t.calls++
		t.state = stateIdle
		if t.s.idleFrom(t) {
			return // the machine stopped: the deferred function acknowledges
		}
	}
}

// idleFrom is yieldFrom for a step thread that has finished its command:
// it reports that the machine is stopping instead of unwinding, since
// nothing of the thread's code is left on its stack to unwind.
func (s *System) idleFrom(t *Thread) (stopped bool) {
	if s.killed {
		return true
	}
	next := s.pickNext()
	if next != nil && next == t {
		t.state = stateRunning
		s.setCurrent(t)
		return false
	}
	s.handTo(next)
	t.park()
	return s.killed
}

// StepResult says how a step ended.
type StepResult struct {
	Returned bool // the call returned (false: the thread is blocked in it)
	Exited   bool // the thread exited during the call
}

// Call makes thread t run fn (which makes one or more calls on t) and lets
// every thread that becomes ready run too, until no thread can run. It
// reports whether fn returned. A thread blocked in an earlier call cannot
// take a new one.
func (st *Stepper) Call(t *Thread, fn func(t *Thread)) (StepResult, error) {
	s := st.s
	if t == nil || t.s != s {
		return StepResult{}, errors.New("emu: thread of another System")
	}
	if s.killed {
		return StepResult{}, errors.New("emu: System has stopped")
	}
	switch t.state {
	case stateExited:
		return StepResult{Exited: true}, fmt.Errorf("emu: thread %s has exited", t.name)
	case stateBlocked, stateReady:
		return StepResult{}, fmt.Errorf("emu: thread %s is still in its previous call (%s)", t.name, t.w.call)
	}
	if s.hang != nil {
		return StepResult{}, s.hang
	}
	if s.livelock != nil {
		return StepResult{}, s.livelock
	}
	if err := s.sanFatalErr(); err != nil {
		return StepResult{}, err
	}
	before := t.calls
	t.cmd = fn
	s.makeReady(t, "")
	s.yieldFrom(nil)
	if s.hang != nil {
		s.Stop()
		return StepResult{}, s.hang
	}
	if s.livelock != nil {
		return StepResult{}, s.livelock
	}
	if err := s.sanFatalErr(); err != nil {
		return StepResult{Returned: t.calls > before}, err
	}
	return StepResult{Returned: t.calls > before || t.state == stateExited, Exited: t.state == stateExited}, nil
}

// Settle lets the System act on its own until nothing more can happen:
// pending system actions fire (in the Chooser's order), threads they wake
// run, and the virtual clock advances to the next timeout whenever nothing
// else can. It returns when every thread is idle, exited or blocked with no
// deadline.
func (st *Stepper) Settle() {
	s := st.s
	if s.killed {
		return
	}
	s.settling = true
	s.yieldFrom(nil)
	s.settling = false
	if s.hang != nil {
		s.Stop()
	}
}

// Panics returns the panics recovered from code running on the System's
// threads so far (see System.Panics). A step whose code panicked ends its
// thread with exit code 0xC0000005 and otherwise returns normally, so a
// driver that must not pass over a panic checks this after its steps.
func (st *Stepper) Panics() []error { return st.s.Panics() }

// Idle reports whether t has finished its last call.
func (st *Stepper) Idle(t *Thread) bool { return t.state == stateIdle }

// Deadlocked reports the deadlock, if any: threads blocked for ever with
// nothing pending that could wake them. In step mode this is only a
// deadlock if the driver has nothing more to say, which only it knows.
func (st *Stepper) Deadlocked() *DeadlockError {
	s := st.s
	var blocked []*Thread
	for _, t := range s.threads {
		if t.state == stateBlocked {
			if t.w.hasDeadline {
				return nil // its timeout fires at the next Settle
			}
			blocked = append(blocked, t)
		}
	}
	if len(blocked) == 0 || len(s.actions) > 0 {
		return nil
	}
	return s.deadlock(blocked)
}
