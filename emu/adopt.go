package emu

import (
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/petermattis/goid"
)

// Goroutine identity.
//
// Which goroutine is calling matters in two places: an emulated call made
// from a goroutine that is not the running thread's must be refused
// without touching the System (it would race with the thread that does
// run), and code written without a thread argument (package windows, whose
// functions have x/sys/windows' shapes) must find the thread it runs as.
// Go does not expose a goroutine's identity; github.com/petermattis/goid
// reads it from the runtime in a few nanoseconds, on every Go release and
// architecture this module builds for. Each thread records the id of the
// goroutine that runs it before it first runs.

// Caller returns the emulated thread the calling goroutine is running as.
// It fails with ErrWrongThread when the calling goroutine is not the one
// holding the right to run: the driver, a plain goroutine the program
// started itself, or another emulated thread's goroutine waiting for its
// turn. It is safe to call from any goroutine at any time.
func (s *System) Caller() (*Thread, error) {
	t := s.owner.Load()
	if t == nil || t.gid.Load() != goid.Get() {
		return nil, ErrWrongThread
	}
	return t, nil
}

// driverTurn unwinds the code of the thread RunHere adopted when the
// machine needs its goroutine back as the driver: nothing can run any more
// (every thread blocked, or a livelock, or a fatal sanitizer finding), a
// thread hung, or the machine is being stopped. RunHere recovers it.
type driverTurn struct{}

// exitTurn unwinds the adopted thread's code after ExitThread (a plain
// thread uses runtime.Goexit, which would end RunHere's caller too).
type exitTurn struct{}

// unwind ends the code running as t because the machine stops: a thread
// with a goroutine of its own simply exits; the adopted thread's goroutine
// is the caller of RunHere, which must get it back.
func (t *Thread) unwind() {
	if t.adopted || t.pooled {
		// A pooled thread's goroutine goes back to its pool: stepMain
		// recovers this and returns.
		panic(driverTurn{})
	}
	if t.co != nil {
		panic(coroUnwind{})
	}
	runtime.Goexit()
}

// RunHere runs fn on the calling goroutine as a new emulated thread named
// name, together with every thread fn starts (CreateThread, System.Go),
// until all of them have exited, and returns what Run returns: nil, a
// *DeadlockError, a *LivelockError, a *HangError, a sanitizer's fatal
// finding, with any panics joined. It is Run for code that has to stay on
// its goroutine, such as a test body that calls t.Fatal.
//
// If fn ends the goroutine itself (runtime.Goexit, as testing.T.FailNow
// does), the machine is stopped and RunHere does not return. If the
// machine stops while fn still runs (fn blocked for ever, a livelock, a
// fatal sanitizer finding, another thread hung), fn is unwound with a
// panic that RunHere recovers: fn's deferred functions run, and any
// emulated call they make fails with ErrWrongThread.
//
// The thread fn runs as is watched like any other: should it block on
// something the emulator cannot see for longer than the hang timeout, the
// process panics with a *HangError's text, since no one else can end its
// goroutine.
func (s *System) RunHere(name string, fn func(t *Thread)) (err error) {
	if s.mode == modeStep {
		return errors.New("emu: RunHere on a System driven by a Stepper")
	}
	if s.killed {
		return errors.New("emu: System has stopped")
	}
	if s.owner.Load() != nil {
		return errors.New("emu: RunHere called while an emulated thread runs")
	}
	s.mode = modeGoroutine
	t := s.newThread(name, fn)
	t.started, t.adopted = true, true
	t.gid.Store(goid.Get())
	s.makeReady(t, "created")

	stopWatch := s.watchAdopted(t)
	defer stopWatch()

	finished := false
	defer func() {
		if finished {
			return
		}
		r := recover()
		switch r.(type) {
		case driverTurn:
			// The machine has stopped with t's code still running:
			// report as Run does.
			err = s.endRun(t)
		case exitTurn:
			s.exitThread(t, t.exitCode)
			err = s.driveToEnd(t)
		case nil:
			// fn left the goroutine (runtime.Goexit): stop the machine;
			// the goroutine goes on ending.
			if s.owner.Load() == t {
				s.exitThread(t, 1)
				s.setCurrent(nil)
			}
			s.Stop()
		default:
			s.panics = append(s.panics, &PanicError{Thread: t.name, Value: r, Stack: string(debug.Stack())})
			s.exitThread(t, 0xC0000005)
			err = s.driveToEnd(t)
		}
	}()
	s.yieldFrom(t) // wait for t's turn
	if t.apcs.HasEligible() {
		t.drainAPCs()
	}
	fn(t)
	s.exitThread(t, 0)
	err = s.driveToEnd(t)
	finished = true
	return err
}

// driveToEnd makes the goroutine of the exited adopted thread t the driver:
// it runs the rest of the machine and reports as Run does.
func (s *System) driveToEnd(t *Thread) error {
	s.setCurrent(nil)
	s.yieldFrom(nil)
	return s.endRun(t)
}

// endRun is Run's report once the driver has the machine back, for the
// adopted thread t (nil: Run's own driver).
func (s *System) endRun(t *Thread) error {
	select {
	case <-s.driverCh: // a hand-back nobody took (t's own livelock)
	default:
	}
	s.setCurrent(nil)
	var err error
	switch {
	case s.hang != nil:
		err = s.hang
		s.Stop()
	case s.livelock != nil:
		err = s.livelock
		s.Stop()
	case s.sanFatalErr() != nil:
		err = s.sanFatalErr()
		s.Stop()
	default:
		if live := s.liveThreads(); len(live) > 0 {
			err = s.deadlock(live)
			s.Stop()
		}
	}
	if len(s.panics) > 0 {
		err = errors.Join(append([]error{err}, s.panics...)...)
	}
	return err
}

// awaitAdopted is the adopted thread's wait for its turn. Its goroutine
// is also the driver's, so it listens for the machine handing the right
// to run back to the driver (nothing can run) and watches for a hang; in
// both cases t's code is unwound so that RunHere can report.
func (s *System) awaitAdopted(t *Thread) {
	if s.hangAfter <= 0 {
		select {
		case <-t.wake:
			return
		case <-s.driverCh:
			panic(driverTurn{})
		}
	}
	var w hangWatch
	for {
		select {
		case <-t.wake:
			return
		case <-s.driverCh:
			panic(driverTurn{})
		case <-hangTick():
			if s.stalled(&w) {
				panic(driverTurn{})
			}
		}
	}
}

// watchAdopted starts a watcher for the one case nobody else can see: the
// adopted thread itself blocking outside the emulator while it holds the
// right to run. It panics the process with the *HangError's text (the
// goroutine cannot be unwound from outside, and a test binary that hangs
// tells nobody anything). The returned function stops the watcher.
func (s *System) watchAdopted(t *Thread) func() {
	if s.hangAfter <= 0 {
		return func() {}
	}
	done := make(chan struct{})
	go func() {
		var w hangWatch
		for {
			select {
			case <-done:
				return
			case <-hangTick():
			}
			b := s.beats.Load()
			now := time.Now()
			if w.since.IsZero() || b != w.last || s.owner.Load() != t {
				w.last, w.since = b, now
				continue
			}
			if now.Sub(w.since) >= s.hangAfter {
				panic(fmt.Sprintf("emu: %s", (&HangError{Thread: t.name, After: s.hangAfter, Stack: goroutineStack(t.gid.Load())}).Error()))
			}
		}
	}()
	return func() { close(done) }
}
