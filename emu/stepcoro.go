package emu

import "iter"

// Step-driven threads as coroutines.
//
// A step-driven thread needs a stack of its own (a call may block half
// way and resume at a later step), but nothing else of a goroutine: only
// one thread runs at a time, and in step mode every hand-off starts or
// ends at the driver. Handing the right to run over a channel costs two
// trips through Go's scheduler per step; a coroutine (iter.Pull) switches
// straight to the thread's stack and back, several times cheaper.
//
// The driver then waits for a step synchronously, inside the switch, so
// it cannot watch the thread for a hang: a System uses coroutines only
// when its hang watchdog is off (WithHangTimeout(0)), and with it on its
// step threads keep goroutines of their own.
//
// Every switch goes through the driver (a trampoline): a thread that
// hands the right to run to another one records it in s.baton and
// returns to the driver, which resumes that thread next.

// stepCoro is the coroutine a step-driven thread runs on.
type stepCoro struct {
	next  func() (struct{}, bool)
	yield func(struct{}) bool
	stop  func()  // ends a pooled coroutine (GoroutinePool.Close)
	t     *Thread // a pooled coroutine's thread
}

// coroUnwind unwinds a coroutine thread's code when the machine stops:
// runtime.Goexit would end the driver's goroutine as well.
type coroUnwind struct{}

// startCoro makes t's coroutine; t.stepMain first runs at the first
// resume.
func (t *Thread) startCoro() {
	co := &stepCoro{}
	co.next, _ = iter.Pull(func(yield func(struct{}) bool) {
		co.yield = yield
		t.stepMain()
	})
	t.co = co
}

// park gives the driver back its turn and returns when t is resumed.
func (t *Thread) park() {
	if t.co != nil {
		t.co.yield(struct{}{})
		return
	}
	<-t.wake
}

// trampoline is the driver's wait in coroutine mode: it resumes the
// thread each hand-off names until one hands the right to run back to
// the driver.
func (s *System) trampoline() {
	for s.baton != nil {
		t := s.baton
		s.baton = nil
		t.co.next()
	}
}

// ack tells the driver that t's code has unwound (Stop): a goroutine says
// so on the driver's channel; a coroutine by returning.
func (t *Thread) ack() {
	if t.co == nil {
		t.s.driverCh <- struct{}{}
	}
}

// IsUnwind reports whether r, a value recovered from a panic on an
// emulated thread, is the emulator unwinding the thread's code: ExitThread
// or the machine stopping, on a thread that has no goroutine of its own to
// end (RunHere's thread, a step thread run as a coroutine). Code on such a
// thread that recovers every panic must panic again with r.
func IsUnwind(r any) bool {
	switch r.(type) {
	case driverTurn, exitTurn, coroUnwind:
		return true
	}
	return false
}
