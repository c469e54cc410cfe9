package emu

import (
	"errors"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// RunHere's promise: fn runs on the calling goroutine as an emulated
// thread, the threads it starts run with it, and RunHere returns once all
// have exited.
func TestRunHereRunsOnTheCallingGoroutine(t *testing.T) {
	s := New(WithSeed(3))
	var order []string
	err := s.RunHere("main", func(m *Thread) {
		if c, err := s.Caller(); err != nil || c != m {
			t.Errorf("Caller() on the adopted goroutine = %v, %v; want the main thread", c, err)
		}
		ev, err := m.CreateEvent(true, false)
		if err != nil {
			t.Fatal(err)
		}
		h, err := m.CreateThread(func(w *Thread) {
			order = append(order, "worker")
			if err := w.SetEvent(ev); err != nil {
				t.Error(err)
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		if r, err := m.WaitForSingleObject(ev, INFINITE); r != wso.WAIT_OBJECT_0 || err != nil {
			t.Errorf("wait = %#x, %v", r, err)
		}
		order = append(order, "main")
		if r, _ := m.WaitForSingleObject(h, INFINITE); r != wso.WAIT_OBJECT_0 {
			t.Errorf("wait for the worker's exit = %#x", r)
		}
	})
	if err != nil {
		t.Fatalf("RunHere: %v", err)
	}
	if strings.Join(order, ",") != "worker,main" {
		t.Errorf("order %v", order)
	}
	for _, th := range s.Threads() {
		if !th.Exited() {
			t.Errorf("thread %s has not exited", th.Name())
		}
	}
}

// The same seed gives the same trace whether the first thread runs on a
// goroutine of its own (Go+Run) or on the caller's (RunHere).
func TestRunHereTraceMatchesRun(t *testing.T) {
	body := func(m *Thread) {
		ev, _ := m.CreateEvent(false, false)
		for i := 0; i < 3; i++ {
			m.CreateThread(func(w *Thread) { w.SetEvent(ev); w.SleepEx(1, true) })
		}
		for i := 0; i < 3; i++ {
			m.WaitForSingleObject(ev, 100)
		}
	}
	a := New(WithSeed(11))
	a.Go("main", body)
	if err := a.Run(); err != nil {
		t.Fatal(err)
	}
	b := New(WithSeed(11))
	if err := b.RunHere("main", body); err != nil {
		t.Fatal(err)
	}
	if a.Trace().String() != b.Trace().String() {
		t.Errorf("traces differ:\nRun:\n%s\nRunHere:\n%s", a.Trace(), b.Trace())
	}
}

// When every thread, the adopted one included, waits for ever, RunHere
// reports the deadlock (as Run does) instead of hanging; the adopted
// thread's code is unwound, and a call its deferred functions make is
// refused.
func TestRunHereDeadlockUnwindsTheCaller(t *testing.T) {
	s := New()
	var deferred error
	err := s.RunHere("main", func(m *Thread) {
		ev, _ := m.CreateEvent(true, false)
		defer func() { _, deferred = m.CreateEvent(true, false) }()
		m.WaitForSingleObject(ev, INFINITE)
		t.Error("the wait returned")
	})
	var d *DeadlockError
	if !errors.As(err, &d) {
		t.Fatalf("RunHere = %v, want a *DeadlockError", err)
	}
	if len(d.Blocked) != 1 || !strings.Contains(d.Blocked[0], "main") {
		t.Errorf("blocked = %q", d.Blocked)
	}
	if !errors.Is(deferred, ErrWrongThread) {
		t.Errorf("call from a deferred function after the stop = %v, want ErrWrongThread", deferred)
	}
}

// A panic in the adopted thread's code ends that thread (exit code
// 0xC0000005, as for any thread) and is reported; the other threads go on.
func TestRunHerePanicIsReported(t *testing.T) {
	s := New()
	var workerDone bool
	err := s.RunHere("main", func(m *Thread) {
		m.CreateThread(func(w *Thread) { w.SleepEx(5, false); workerDone = true })
		panic("boom")
	})
	var p *PanicError
	if !errors.As(err, &p) || p.Value != "boom" || p.Thread != "main" {
		t.Fatalf("RunHere = %v, want the panic", err)
	}
	if !workerDone {
		t.Error("the worker did not finish after main panicked")
	}
	if c := s.Threads()[0].ExitCode(); c != 0xC0000005 {
		t.Errorf("main's exit code %#x", c)
	}
}

// ExitThread on the adopted thread ends the thread, not the goroutine:
// RunHere returns normally.
func TestRunHereExitThread(t *testing.T) {
	s := New()
	err := s.RunHere("main", func(m *Thread) {
		m.ExitThread(7)
		t.Error("ExitThread returned")
	})
	if err != nil {
		t.Fatal(err)
	}
	if c := s.Threads()[0].ExitCode(); c != 7 {
		t.Errorf("exit code %d, want 7", c)
	}
}

// runtime.Goexit in the adopted thread (what testing.T.FailNow does) stops
// the machine: the other threads are unwound, and RunHere does not return.
func TestRunHereGoexitStopsTheMachine(t *testing.T) {
	s := New()
	var wg sync.WaitGroup
	wg.Add(1)
	returned := false
	unwound := false
	go func() {
		defer wg.Done()
		s.RunHere("main", func(m *Thread) {
			ev, _ := m.CreateEvent(true, false)
			m.CreateThread(func(w *Thread) {
				defer func() { unwound = true }()
				w.WaitForSingleObject(ev, INFINITE)
			})
			m.SleepEx(1, false) // let the worker block
			runtime.Goexit()
		})
		returned = true
	}()
	wg.Wait()
	if returned {
		t.Error("RunHere returned after its goroutine called Goexit")
	}
	if !unwound {
		t.Error("the blocked worker was not unwound")
	}
}

// ErrWrongThread's promise: a call from a goroutine that is not the
// running thread's is refused without touching the System, even while
// that thread runs (it waits here, outside the emulator, for the plain
// goroutine to finish).
func TestCallFromPlainGoroutineIsRefused(t *testing.T) {
	s := New()
	err := s.RunHere("main", func(m *Thread) {
		ev, _ := m.CreateEvent(true, false)
		done := make(chan struct{})
		var callErr, callerErr error
		go func() {
			defer close(done)
			callErr = m.SetEvent(ev)
			_, callerErr = s.Caller()
		}()
		<-done
		if !errors.Is(callErr, ErrWrongThread) {
			t.Errorf("SetEvent from a plain goroutine = %v, want ErrWrongThread", callErr)
		}
		if !errors.Is(callerErr, ErrWrongThread) {
			t.Errorf("Caller from a plain goroutine = %v, want ErrWrongThread", callerErr)
		}
		if r, _ := m.WaitForSingleObject(ev, 0); r != uint32(wso.WAIT_TIMEOUT) {
			t.Errorf("the refused SetEvent signalled the event (wait = %#x)", r)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Caller(); !errors.Is(err, ErrWrongThread) {
		t.Errorf("Caller from the driver after the run = %v", err)
	}
}

// A thread that blocks outside the emulator (here on a channel nobody
// sends to) is reported, under each driver, after the hang timeout, with
// its name, its goroutine's stack and the trace tail.
func TestHangIsReported(t *testing.T) {
	const grace = 150 * time.Millisecond
	check := func(t *testing.T, err error, release chan struct{}) {
		t.Helper()
		close(release)
		var h *HangError
		if !errors.As(err, &h) {
			t.Fatalf("err = %v, want a *HangError", err)
		}
		if h.Thread != "stuck" || h.After != grace {
			t.Errorf("thread %q after %v", h.Thread, h.After)
		}
		if !strings.Contains(h.Stack, "blockOutside") {
			t.Errorf("stack does not show where the thread blocks:\n%s", h.Stack)
		}
		if len(h.Tail) == 0 || !strings.Contains(h.Error(), "CreateEvent") {
			t.Errorf("no trace tail in:\n%s", h.Error())
		}
	}
	t.Run("Run", func(t *testing.T) {
		release := make(chan struct{})
		s := New(WithHangTimeout(grace))
		s.Go("stuck", func(th *Thread) { th.CreateEvent(true, false); blockOutside(release) })
		check(t, s.Run(), release)
	})
	t.Run("RunHere", func(t *testing.T) {
		release := make(chan struct{})
		s := New(WithHangTimeout(grace))
		err := s.RunHere("main", func(m *Thread) {
			h, _ := m.CreateThread(func(th *Thread) { th.CreateEvent(true, false); blockOutside(release) })
			m.WaitForSingleObject(h, INFINITE)
		})
		// The thread's own name is "T2": rename for the shared check.
		var he *HangError
		if errors.As(err, &he) && he.Thread == "T2" {
			he.Thread = "stuck"
		}
		check(t, err, release)
	})
	t.Run("Stepper", func(t *testing.T) {
		release := make(chan struct{})
		s := New(WithHangTimeout(grace))
		st, _ := s.Stepper()
		th := st.NewThread("stuck")
		_, err := st.Call(th, func(th *Thread) { th.CreateEvent(true, false); blockOutside(release) })
		check(t, err, release)
	})
}

// blockOutside is a wait the emulator cannot see.
func blockOutside(release chan struct{}) { <-release }

// A thread that leaves the emulator for a while, well within the hang
// timeout, and comes back is not reported (the timeout is kept far above
// the absence so that a loaded machine cannot turn one into the other).
func TestHangWatchdogIgnoresShortAbsences(t *testing.T) {
	s := New(WithHangTimeout(10 * time.Second))
	s.Go("A", func(th *Thread) {
		time.Sleep(120 * time.Millisecond) // well under the timeout
		th.SleepEx(1, false)
	})
	if err := s.Run(); err != nil {
		t.Fatal(err)
	}
}

// The adopted thread itself blocking outside the emulator can only be
// reported by ending the process (no one can unwind its goroutine): the
// helper below runs in a child process, which must die with the report.
func TestHangOfAdoptedThreadEndsTheProcess(t *testing.T) {
	if os.Getenv("EMU_HANG_CHILD") == "1" {
		s := New(WithHangTimeout(100 * time.Millisecond))
		s.RunHere("main", func(m *Thread) {
			m.CreateEvent(true, false)
			blockOutside(make(chan struct{}))
		})
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestHangOfAdoptedThreadEndsTheProcess$")
	cmd.Env = append(os.Environ(), "EMU_HANG_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("the child exited normally:\n%s", out)
	}
	if !strings.Contains(string(out), "hang: thread main") || !strings.Contains(string(out), "blockOutside") {
		t.Errorf("the child's output does not report the hang:\n%s", out)
	}
}

// runtime.Goexit in a thread with a goroutine of its own (t.Fatal called
// from a worker) ends that thread only: the machine carries on and Run
// returns normally.
func TestGoexitInAThreadEndsOnlyThatThread(t *testing.T) {
	s := New()
	after := false
	s.Go("main", func(m *Thread) {
		h, _ := m.CreateThread(func(w *Thread) { runtime.Goexit() })
		if r, _ := m.WaitForSingleObject(h, INFINITE); r != uint32(wso.WAIT_OBJECT_0) {
			t.Errorf("wait for the worker = %#x", r)
		}
		after = true
	})
	if err := s.Run(); err != nil {
		t.Fatal(err)
	}
	if !after {
		t.Error("main did not carry on after the worker's Goexit")
	}
}
