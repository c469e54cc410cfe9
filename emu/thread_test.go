package emu

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"

	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// Helpers shared by the kernel tests (wait, event, apc, thread, handles,
// chooser, trace, determinism). They carry a "kt" prefix so that they do not
// collide with helpers in the other test files of this package.
//
// Code that runs as an emulated thread runs on its own goroutine, so it
// reports with Errorf, never Fatal.

// ktRun runs s to the end and fails the test if Run reports anything.
func ktRun(tb testing.TB, s *System) {
	tb.Helper()
	if err := s.Run(); err != nil {
		tb.Fatalf("Run: %v\ntrace:\n%s", err, s.Trace())
	}
}

// ktOne runs fn as the only initial thread ("main") of a new System with
// the goroutine driver and returns the System once Run is over.
func ktOne(tb testing.TB, fn func(th *Thread), opts ...Option) *System {
	tb.Helper()
	s := New(opts...)
	if _, err := s.Go("main", fn); err != nil {
		tb.Fatal(err)
	}
	ktRun(tb, s)
	return s
}

// ktErr checks that err is the Win32 / Winsock code want.
func ktErr(tb testing.TB, what string, err error, want Errno) {
	tb.Helper()
	var e Errno
	if !errors.As(err, &e) || e != want {
		tb.Errorf("%s: error %v, want %s (%d)", what, err, want.Name(), uint32(want))
	}
}

// ktWait checks a wait result.
func ktWait(tb testing.TB, what string, got, want uint32) {
	tb.Helper()
	if got != want {
		tb.Errorf("%s: returned %s (%#x), want %s (%#x)", what, wso.WaitName(got), got, wso.WaitName(want), want)
	}
}

// ktEvent creates an event on th, failing the test if it cannot.
func ktEvent(tb testing.TB, th *Thread, manual, initial bool) Handle {
	tb.Helper()
	h, err := th.CreateEvent(manual, initial)
	if err != nil {
		tb.Errorf("CreateEvent: %v", err)
	}
	return h
}

// ktSignalled reports the state of an event, failing if h is not one.
func ktSignalled(tb testing.TB, s *System, h Handle) bool {
	tb.Helper()
	on, ok := s.EventState(h)
	if !ok {
		tb.Errorf("handle %#x is not an open event", uint64(h))
	}
	return on
}

// ktCount counts the trace events of one kind (and, if name is not empty,
// with that name).
func ktCount(tr *Trace, k EventKind, name string) int {
	n := 0
	for _, e := range tr.All() {
		if e.Kind == k && (name == "" || e.Name == name) {
			n++
		}
	}
	return n
}

// ktThread finds the thread whose handle is h.
func ktThread(s *System, h Handle) *Thread {
	for _, x := range s.Threads() {
		if x.Handle() == h {
			return x
		}
	}
	return nil
}

// ktStepper builds a System driven by a Stepper and stops it when the test
// ends, so that no goroutine outlives the test.
func ktStepper(tb testing.TB, opts ...Option) (*System, *Stepper) {
	tb.Helper()
	s := New(opts...)
	st, err := s.Stepper()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Stop)
	return s, st
}

// ktCall makes one step and fails the test if the Stepper refuses it.
func ktCall(tb testing.TB, st *Stepper, th *Thread, fn func(th *Thread)) StepResult {
	tb.Helper()
	r, err := st.Call(th, fn)
	if err != nil {
		tb.Fatalf("Call on %s: %v", th.Name(), err)
	}
	return r
}

// CreateThread: the new thread runs the given function; the handle it
// returns names that thread. ExitThread: "ends the calling thread" with the
// given exit code, which GetExitCodeThread (here ExitCode) then reports;
// while the thread runs the code is STILL_ACTIVE (259).
func TestCreateThreadAndExitThread(t *testing.T) {
	var hB Handle
	var during uint32
	after := false
	s := ktOne(t, func(a *Thread) {
		var err error
		hB, err = a.CreateThread(func(b *Thread) {
			during = ktThread(b.System(), b.Handle()).ExitCode()
			b.ExitThread(42)
			after = true // must never run
		})
		if err != nil {
			t.Errorf("CreateThread: %v", err)
			return
		}
		if hB == 0 || hB%4 != 0 {
			t.Errorf("CreateThread handle %#x", uint64(hB))
		}
		r, err := a.WaitForSingleObject(hB, INFINITE)
		ktWait(t, "WaitForSingleObject(thread)", r, wso.WAIT_OBJECT_0)
		if err != nil {
			t.Error(err)
		}
	})
	b := ktThread(s, hB)
	if b == nil {
		t.Fatal("no thread with the handle CreateThread returned")
	}
	if during != 259 {
		t.Errorf("ExitCode while running = %d, want STILL_ACTIVE (259)", during)
	}
	if !b.Exited() || b.ExitCode() != 42 {
		t.Errorf("after ExitThread(42): exited=%v code=%d", b.Exited(), b.ExitCode())
	}
	if after {
		t.Error("code after ExitThread ran")
	}
	var exit *Event
	for _, e := range s.Trace().All() {
		if e.Kind == EvThreadExit && e.Thread == b.ID() {
			exit = e
		}
	}
	if exit == nil || exit.Result != 42 {
		t.Errorf("trace: thread-exit event of B = %+v, want code 42", exit)
	}
}

// ExitThread while another thread still has work to do: Run must wait for
// that thread too. (Regression: the exiting goroutine used to hand the
// driver a spurious wake-up, so Run returned early with B still running.)
func TestExitThreadLeavesOtherThreadsRunning(t *testing.T) {
	for i := 0; i < 20; i++ {
		s := New(WithSeed(uint64(i)))
		done := false
		s.Go("A", func(a *Thread) { a.ExitThread(5) })
		s.Go("B", func(b *Thread) {
			b.Sleep(10)
			done = true
		})
		ktRun(t, s)
		if !done {
			t.Fatalf("seed %d: Run returned before B finished", i)
		}
		if got := s.Threads()[0].ExitCode(); got != 5 {
			t.Fatalf("seed %d: A's exit code %d, want 5", i, got)
		}
	}
}

// Go unwinds a goroutine that ExitThread ends, running its deferred
// functions. They must run while the exiting thread still holds the right
// to run, not alongside the next thread (the race detector checks this),
// and an emulated call made from them still works.
func TestExitThreadDeferredFunctionsRunInTurn(t *testing.T) {
	s := New(WithSeed(3))
	shared := 0
	var ev Handle
	s.Go("A", func(a *Thread) {
		ev = ktEvent(t, a, true, false)
		defer func() {
			shared++
			if err := a.SetEvent(ev); err != nil {
				t.Errorf("SetEvent from a deferred function: %v", err)
			}
		}()
		a.ExitThread(1)
	})
	s.Go("B", func(b *Thread) {
		for i := 0; i < 5; i++ {
			b.SleepEx(0, false)
			_ = shared
		}
	})
	ktRun(t, s)
	if shared != 1 || !ktSignalled(t, s, ev) {
		t.Errorf("deferred function: shared=%d, event signalled=%v", shared, ktSignalled(t, s, ev))
	}
}

// GetCurrentThread: returns a pseudo-handle that stands for the calling
// thread wherever a thread handle is accepted; QueueUserAPC takes it.
func TestGetCurrentThreadPseudoHandleWithQueueUserAPC(t *testing.T) {
	var got []string
	ktOne(t, func(th *Thread) {
		h := th.GetCurrentThread()
		if h != ^Handle(1) {
			t.Errorf("GetCurrentThread = %#x, want (HANDLE)-2", uint64(h))
		}
		if id := th.GetCurrentThreadId(); id != uint32(th.ID()) {
			t.Errorf("GetCurrentThreadId = %d, want %d", id, th.ID())
		}
		err := th.QueueUserAPC(func(x *Thread, p uintptr) {
			got = append(got, fmt.Sprintf("%s:%d", x.Name(), p))
		}, h, 7)
		if err != nil {
			t.Errorf("QueueUserAPC(GetCurrentThread()): %v", err)
		}
		ktWait(t, "SleepEx(0, TRUE)", th.SleepEx(0, true), wso.WAIT_IO_COMPLETION)
		// Closing the pseudo-handle does nothing; it keeps working.
		if err := th.CloseHandle(h); err != nil {
			t.Errorf("CloseHandle(pseudo-handle): %v", err)
		}
		if err := th.QueueUserAPC(func(x *Thread, p uintptr) { got = append(got, "again") }, h, 0); err != nil {
			t.Errorf("QueueUserAPC after CloseHandle(pseudo): %v", err)
		}
		th.SleepEx(0, true)
	})
	if strings.Join(got, ",") != "main:7,again" {
		t.Errorf("APCs ran: %v", got)
	}
}

// A panic in one thread's code is reported by Run with the thread's name;
// the thread ends (waiters on its handle are released) and the others
// carry on to the end.
func TestThreadPanicIsReportedAndOthersCarryOn(t *testing.T) {
	s := New()
	finished := false
	var hBad Handle
	bad, _ := s.Go("bad", func(th *Thread) {
		th.Sleep(5)
		panic("boom")
	})
	hBad = bad.Handle()
	s.Go("good", func(th *Thread) {
		r, err := th.WaitForSingleObject(hBad, INFINITE)
		ktWait(t, "wait on the panicked thread", r, wso.WAIT_OBJECT_0)
		if err != nil {
			t.Error(err)
		}
		th.Sleep(10)
		finished = true
	})
	err := s.Run()
	if err == nil {
		t.Fatal("Run returned nil after a thread panicked")
	}
	if !strings.Contains(err.Error(), "bad") || !strings.Contains(err.Error(), "boom") {
		t.Errorf("Run error does not name the thread and the panic: %v", err)
	}
	if ps := s.Panics(); len(ps) != 1 || !strings.Contains(ps[0].Error(), "goroutine") {
		t.Errorf("System.Panics = %v, want the one panic with its stack", ps)
	}
	var dl *DeadlockError
	if errors.As(err, &dl) {
		t.Errorf("a panic is not a deadlock: %v", err)
	}
	if !finished {
		t.Error("the other thread did not carry on")
	}
	if !bad.Exited() || bad.ExitCode() != 0xC0000005 {
		t.Errorf("panicked thread: exited=%v code=%#x", bad.Exited(), bad.ExitCode())
	}
	if s.Now() != 15_000_000 {
		t.Errorf("clock %v, want 15ms", s.Now())
	}
}

// Calls on a Thread are only valid from that thread's own code: from
// another thread's code, or from the driver, they fail with ErrWrongThread
// and change nothing.
func TestWrongThreadCallsFail(t *testing.T) {
	s := New()
	var ev Handle
	a, _ := s.Go("A", func(a *Thread) {
		ev = ktEvent(t, a, true, false)
		a.WaitForSingleObject(ev, INFINITE)
	})
	s.Go("B", func(b *Thread) {
		// A is blocked; B holds the right to run and calls A's methods.
		if err := a.SetEvent(ev); !errors.Is(err, ErrWrongThread) {
			t.Errorf("a.SetEvent from B: %v, want ErrWrongThread", err)
		}
		if r := a.SleepEx(0, true); r != wso.WAIT_FAILED {
			t.Errorf("a.SleepEx from B = %#x, want WAIT_FAILED", r)
		}
		if r, err := a.WaitForSingleObject(ev, 0); r != wso.WAIT_FAILED || !errors.Is(err, ErrWrongThread) {
			t.Errorf("a.WaitForSingleObject from B = %#x, %v", r, err)
		}
		if err := a.QueueUserAPC(func(*Thread, uintptr) {}, b.Handle(), 0); !errors.Is(err, ErrWrongThread) {
			t.Errorf("a.QueueUserAPC from B: %v", err)
		}
		if _, err := a.CreateEvent(true, true); !errors.Is(err, ErrWrongThread) {
			t.Errorf("a.CreateEvent from B: %v", err)
		}
		if on := ktSignalled(t, b.System(), ev); on {
			t.Error("a wrong-thread SetEvent signalled the event")
		}
		if err := b.SetEvent(ev); err != nil {
			t.Error(err)
		}
	})
	ktRun(t, s)
	// From the driver, after Run: no thread is running.
	if _, err := a.WSACreateEvent(); !errors.Is(err, ErrWrongThread) {
		t.Errorf("WSACreateEvent from the driver: %v", err)
	}
}

// Issue 9: the docs promise ErrWrongThread for a call not made by the
// running emulated thread, and that includes a plain goroutine. Here one
// calls the methods of a thread that does not hold the right to run, once
// while another emulated thread runs (goroutine driver) and once while the
// driver holds the machine (step driver). Every call is refused and nothing
// changes; under -race the test must also be free of data races.
func TestWrongThreadFromPlainGoroutine(t *testing.T) {
	misuse := func(t *testing.T, victim *Thread, ev Handle) {
		done := make(chan struct{})
		go func() {
			defer close(done)
			if err := victim.SetEvent(ev); !errors.Is(err, ErrWrongThread) {
				t.Errorf("SetEvent from a goroutine: %v, want ErrWrongThread", err)
			}
			if r := victim.SleepEx(10, true); r != wso.WAIT_FAILED {
				t.Errorf("SleepEx from a goroutine = %#x, want WAIT_FAILED", r)
			}
			if _, err := victim.CreateEvent(true, false); !errors.Is(err, ErrWrongThread) {
				t.Errorf("CreateEvent from a goroutine: %v, want ErrWrongThread", err)
			}
			victim.SetLastError(wso.ERROR_ACCESS_DENIED)
			if e := victim.GetLastError(); e != wso.ERROR_INVALID_THREAD_ID {
				t.Errorf("GetLastError from a goroutine = %v, want ERROR_INVALID_THREAD_ID", e)
			}
		}()
		<-done
	}
	t.Run("goroutine-driver", func(t *testing.T) {
		s := New()
		var ev Handle
		b, _ := s.Go("B", func(b *Thread) {
			ev = ktEvent(t, b, true, false)
			b.WaitForSingleObject(ev, INFINITE)
			if e := b.GetLastError(); e != 0 {
				t.Errorf("B's last error %v: a refused SetLastError changed it", e)
			}
		})
		s.Go("A", func(a *Thread) {
			misuse(t, b, ev) // A runs, B is blocked
			if ktSignalled(t, s, ev) {
				t.Error("a refused SetEvent signalled the event")
			}
			a.SetEvent(ev)
		})
		ktRun(t, s)
	})
	t.Run("step-driver", func(t *testing.T) {
		s := New()
		st, _ := s.Stepper()
		a := st.NewThread("A")
		var ev Handle
		if _, err := st.Call(a, func(a *Thread) { ev, _ = a.CreateEvent(true, false) }); err != nil {
			t.Fatal(err)
		}
		misuse(t, a, ev) // the driver holds the machine
		if ktSignalled(t, s, ev) {
			t.Error("a refused SetEvent signalled the event")
		}
		s.Stop()
	})
}

// A state where every thread waits for ever is a deadlock: Run returns a
// *DeadlockError naming each blocked thread and what it waits in, with the
// trace attached, instead of hanging. Timed waits run out first.
func TestDeadlockIsReportedNotHung(t *testing.T) {
	s := New()
	var e1, e2 Handle
	s.Go("left", func(th *Thread) {
		e1 = ktEvent(t, th, false, false)
		e2 = ktEvent(t, th, false, false)
		th.WaitForSingleObject(e1, INFINITE)
		t.Error("left returned from a wait nobody can satisfy")
		th.SetEvent(e2)
	})
	s.Go("right", func(th *Thread) {
		th.Sleep(100)
		th.WSAWaitForMultipleEvents([]Handle{e2}, false, INFINITE, true)
		t.Error("right returned from a wait nobody can satisfy")
	})
	s.Go("quick", func(th *Thread) { th.Sleep(30) })
	err := s.Run()
	var dl *DeadlockError
	if !errors.As(err, &dl) {
		t.Fatalf("Run = %v, want *DeadlockError", err)
	}
	if len(dl.Blocked) != 2 {
		t.Fatalf("Blocked = %q, want the two waiting threads", dl.Blocked)
	}
	if !strings.Contains(dl.Blocked[0], "left") || !strings.Contains(dl.Blocked[0], "WaitForSingleObject") ||
		!strings.Contains(dl.Blocked[1], "right") || !strings.Contains(dl.Blocked[1], "WSAWaitForMultipleEvents") ||
		!strings.Contains(dl.Blocked[1], "alertable=true") {
		t.Errorf("Blocked = %q", dl.Blocked)
	}
	if dl.Now != 100_000_000 || s.Now() != dl.Now {
		t.Errorf("deadlock at %v (clock %v), want 100ms: the timed sleeps run out first", dl.Now, s.Now())
	}
	if dl.Trace != s.Trace() || dl.Trace == nil {
		t.Error("the DeadlockError does not carry the System's trace")
	}
	if ev := dl.Trace.At(dl.Trace.Len() - 1); ev.Kind != EvDeadlock {
		t.Errorf("last trace event %v, want a deadlock event", ev)
	}
	if msg := dl.Error(); !strings.Contains(msg, "deadlock at 100ms") || !strings.Contains(msg, "left") {
		t.Errorf("Error() = %q", msg)
	}
}

// settleGoroutines yields until at most limit goroutines are left, or
// for long enough that the rest are not about to end, and gives how many
// there are.
func settleGoroutines(limit int) int {
	n := runtime.NumGoroutine()
	for i := 0; i < 10000 && n > limit; i++ {
		runtime.Gosched()
		n = runtime.NumGoroutine()
	}
	return n
}

// After a deadlock Run stops the System: the goroutines of the blocked
// threads unwind (their deferred functions run, and a call made there
// returns at once) and none is left behind.
func TestStopAfterDeadlockUnwindsGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	unwound := 0
	for i := 0; i < 20; i++ {
		s := New(WithSeed(uint64(i)))
		var ev Handle
		for j := 0; j < 3; j++ {
			s.Go(fmt.Sprint("w", j), func(th *Thread) {
				defer func() {
					unwound++
					// A blocking call here must not hang the unwinding.
					th.WaitForSingleObject(ev, INFINITE)
				}()
				if ev == 0 {
					ev = ktEvent(t, th, true, false)
				}
				th.WaitForSingleObjectEx(ev, INFINITE, true)
			})
		}
		var dl *DeadlockError
		if err := s.Run(); !errors.As(err, &dl) || len(dl.Blocked) != 3 {
			t.Fatalf("Run = %v, want a deadlock of 3 threads", err)
		}
		s.Stop() // a second Stop is harmless
	}
	if unwound != 60 {
		t.Errorf("%d deferred functions ran, want 60", unwound)
	}
	if n := settleGoroutines(before + 5); n > before+5 {
		t.Errorf("goroutines: %d before, %d after 20 deadlocked runs", before, n)
	}
}

// Stop on a System driven by a Stepper unwinds idle and blocked threads.
func TestStopStepperUnwindsGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	for i := 0; i < 10; i++ {
		s := New()
		st, _ := s.Stepper()
		a := st.NewThread("A")
		st.NewThread("B") // never given a command
		ktCall(t, st, a, func(th *Thread) { th.SleepEx(INFINITE, true) })
		s.Stop()
		if _, err := st.Call(a, func(*Thread) {}); err == nil {
			t.Error("Call after Stop succeeded")
		}
	}
	n := runtime.NumGoroutine()
	for i := 0; i < 10000 && n > before+5; i++ {
		runtime.Gosched()
		n = runtime.NumGoroutine()
	}
	if n > before+5 {
		t.Errorf("goroutines: %d before, %d after", before, n)
	}
}

// One System, one driver.
func TestDriversDoNotMix(t *testing.T) {
	s := New()
	if _, err := s.Go("x", func(*Thread) {}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Stepper(); err == nil {
		t.Error("Stepper on a System driven by goroutines succeeded")
	}
	ktRun(t, s)

	s2 := New()
	if _, err := s2.Stepper(); err != nil {
		t.Fatal(err)
	}
	if _, err := s2.Go("x", func(*Thread) {}); err == nil {
		t.Error("Go on a System driven by a Stepper succeeded")
	}
	if err := s2.Run(); err == nil {
		t.Error("Run on a System driven by a Stepper succeeded")
	}
	s2.Stop()
	if _, err := New().Stepper(); err != nil {
		t.Error(err)
	}
}

// A thread created by CreateThread runs when its creator lets it: under
// the usual chooser the creator keeps running until it blocks.
func TestCreateThreadRunsWhenCreatorBlocks(t *testing.T) {
	var order []string
	ktOne(t, func(a *Thread) {
		h, _ := a.CreateThread(func(b *Thread) { order = append(order, "child") })
		order = append(order, "parent-before")
		a.WaitForSingleObject(h, INFINITE)
		order = append(order, "parent-after")
	})
	if got := strings.Join(order, ","); got != "parent-before,child,parent-after" {
		t.Errorf("order %s", got)
	}
}

// Stepper: a call that blocks comes back with Returned=false; a later call
// on another thread that satisfies the wait lets the first call finish
// within that step, leaving its thread idle again.
func TestStepperBlockedCallFinishesLater(t *testing.T) {
	s, st := ktStepper(t)
	a := st.NewThread("A")
	b := st.NewThread("B")
	var ev Handle
	ktCall(t, st, a, func(th *Thread) { ev = ktEvent(t, th, false, false) })
	var r uint32 = 12345
	res := ktCall(t, st, a, func(th *Thread) { r, _ = th.WaitForSingleObject(ev, INFINITE) })
	if res.Returned || res.Exited || st.Idle(a) || !a.Blocked() {
		t.Fatalf("blocking call: %+v idle=%v blocked=%v", res, st.Idle(a), a.Blocked())
	}
	// A blocked thread cannot take another command.
	if _, err := st.Call(a, func(*Thread) {}); err == nil {
		t.Error("Call on a blocked thread succeeded")
	}
	res = ktCall(t, st, b, func(th *Thread) { th.SetEvent(ev) })
	if !res.Returned {
		t.Errorf("SetEvent step: %+v", res)
	}
	if !st.Idle(a) || r != wso.WAIT_OBJECT_0 {
		t.Errorf("after SetEvent: A idle=%v, wait returned %#x", st.Idle(a), r)
	}
	if ktSignalled(t, s, ev) {
		t.Error("the auto-reset event stayed signalled after releasing A")
	}
}

// Stepper: nothing happens on its own between calls; Settle lets the
// virtual clock run, firing the timeout of a blocked wait.
func TestStepperSettleFiresTimeouts(t *testing.T) {
	s, st := ktStepper(t)
	a := st.NewThread("A")
	b := st.NewThread("B")
	var r uint32 = 12345
	if res := ktCall(t, st, a, func(th *Thread) { r = th.SleepEx(100, false) }); res.Returned {
		t.Fatal("SleepEx(100) returned within its step")
	}
	ktCall(t, st, b, func(th *Thread) { th.SleepEx(0, false) })
	if s.Now() != 0 || st.Idle(a) {
		t.Fatalf("the clock moved (%v) or A finished during another thread's step", s.Now())
	}
	if d := st.Deadlocked(); d != nil {
		t.Errorf("a thread with a timeout is not deadlocked: %v", d)
	}
	st.Settle()
	if s.Now() != 100_000_000 || !st.Idle(a) || r != 0 {
		t.Errorf("after Settle: clock %v, A idle=%v, SleepEx returned %#x", s.Now(), st.Idle(a), r)
	}
}

// Stepper: a completion the Chooser deferred waits as a system action
// until Settle fires it; a thread waiting for it is not deadlocked
// meanwhile, and is released when it fires. (The docs profile: on Windows
// a pipe write that fits completes at once, with no decision.)
func TestStepperSettleFiresDeferredCompletion(t *testing.T) {
	pend := FuncChooser(func(p Point, n int) int {
		if p == PointPend {
			return 1
		}
		return 0
	})
	s, st := ktStepper(t, WithChooser(pend), WithProfile(ProfileDocs))
	a := st.NewThread("A")
	ov := &Overlapped{}
	var rh, wh Handle
	var werr error
	ktCall(t, st, a, func(th *Thread) {
		rh, wh, _ = th.CreatePipe(PipeOptions{})
		ov.HEvent = ktEvent(t, th, true, false)
		var n uint32
		werr = th.WriteFile(wh, []byte("hi"), &n, ov)
	})
	ktErr(t, "deferred WriteFile", werr, wso.ERROR_IO_PENDING)
	if s.PendingActions() != 1 {
		t.Fatalf("PendingActions = %d, want 1", s.PendingActions())
	}
	var r uint32
	if res := ktCall(t, st, a, func(th *Thread) { r, _ = th.WaitForSingleObject(ov.HEvent, INFINITE) }); res.Returned {
		t.Fatal("the wait returned before the deferred completion fired")
	}
	if d := st.Deadlocked(); d != nil {
		t.Errorf("Deadlocked with an action pending: %v", d)
	}
	st.Settle()
	if !st.Idle(a) || r != wso.WAIT_OBJECT_0 || s.PendingActions() != 0 {
		t.Errorf("after Settle: idle=%v r=%#x actions=%d", st.Idle(a), r, s.PendingActions())
	}
	_ = rh
}

// Stepper.Deadlocked reports threads blocked for ever with nothing
// pending; it is only the driver's verdict, so the threads stay blocked.
func TestStepperDeadlocked(t *testing.T) {
	_, st := ktStepper(t)
	a := st.NewThread("A")
	if d := st.Deadlocked(); d != nil {
		t.Fatalf("idle thread reported as deadlocked: %v", d)
	}
	ktCall(t, st, a, func(th *Thread) {
		ev := ktEvent(t, th, true, false)
		th.WaitForSingleObjectEx(ev, INFINITE, true)
	})
	st.Settle()
	d := st.Deadlocked()
	if d == nil || len(d.Blocked) != 1 || !strings.Contains(d.Blocked[0], "A blocked in WaitForSingleObjectEx") {
		t.Fatalf("Deadlocked = %v", d)
	}
	if !a.Blocked() {
		t.Error("Deadlocked changed the thread's state")
	}
}

// Stepper: ExitThread ends the thread within its step; the thread takes no
// more commands, and the driver keeps working (regression: the exit used
// to leave a stray wake-up for the driver, so the next step returned
// before its thread had finished).
func TestStepperExitThread(t *testing.T) {
	_, st := ktStepper(t)
	a := st.NewThread("A")
	b := st.NewThread("B")
	res := ktCall(t, st, a, func(th *Thread) { th.ExitThread(3) })
	if !res.Returned || !res.Exited || a.ExitCode() != 3 {
		t.Fatalf("ExitThread step: %+v code=%d", res, a.ExitCode())
	}
	if r, err := st.Call(a, func(*Thread) {}); err == nil || !r.Exited {
		t.Errorf("Call on an exited thread: %+v, %v", r, err)
	}
	for i := 0; i < 20; i++ {
		var ev Handle
		ktCall(t, st, b, func(th *Thread) { ev = ktEvent(t, th, true, false) })
		if res := ktCall(t, st, b, func(th *Thread) { th.WaitForSingleObject(ev, INFINITE) }); res.Returned {
			t.Fatal("a blocking step came back as returned")
		}
		ktCall(t, st, st.NewThread(fmt.Sprint("C", i)), func(th *Thread) { th.SetEvent(ev) })
		if !st.Idle(b) {
			t.Fatal("B was not released")
		}
	}
}

// Stepper: a command whose code panics ends its thread.
func TestStepperPanicEndsThread(t *testing.T) {
	_, st := ktStepper(t)
	a := st.NewThread("A")
	res, err := st.Call(a, func(*Thread) { stepBoom() })
	if err != nil || !res.Exited || a.ExitCode() != 0xC0000005 {
		t.Errorf("panicking step: %+v, %v, code %#x", res, err, a.ExitCode())
	}
	// Issue 9, "a panic that passes": the driver must be able to see the
	// panic, with where it happened, to fail the run.
	ps := st.Panics()
	var pe *PanicError
	if len(ps) != 1 || !errors.As(ps[0], &pe) {
		t.Fatalf("Stepper.Panics = %v, want one *PanicError", ps)
	}
	if pe.Thread != "A" || pe.Value != "step boom" || !strings.Contains(pe.Stack, "stepBoom") {
		t.Errorf("panic recorded as thread %q value %v, stack without the panicking function:\n%s", pe.Thread, pe.Value, pe.Stack)
	}
}

func stepBoom() { panic("step boom") }

// A stopped System takes no more work.
func TestStoppedSystemRefusesWork(t *testing.T) {
	s := New()
	s.Go("x", func(th *Thread) { th.Sleep(1) })
	s.Stop()
	if err := s.Run(); err == nil {
		t.Error("Run after Stop succeeded")
	}
	if _, err := s.Go("y", func(*Thread) {}); err == nil {
		t.Error("Go after Stop succeeded")
	}
	if ex := s.Threads()[0].Exited(); ex {
		t.Error("a thread that never ran is reported as exited")
	}
}

// ExitThread called on another thread's object ends nobody: it is a
// wrong-thread call like any other.
func TestExitThreadFromWrongThread(t *testing.T) {
	s := New()
	aDone := false
	a, _ := s.Go("A", func(th *Thread) {
		th.Sleep(10)
		aDone = true
	})
	s.Go("B", func(th *Thread) {
		a.ExitThread(7)
		if a.Exited() {
			t.Error("B ended A")
		}
	})
	ktRun(t, s)
	if !aDone || a.ExitCode() != 0 {
		t.Errorf("A: done=%v code=%d", aDone, a.ExitCode())
	}
}
