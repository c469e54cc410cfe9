package emu

import (
	"fmt"
	"strings"
	"testing"
	"time"

	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// WaitForMultipleObjectsEx: "... the signaled object with the smallest
// index value" — with several objects signalled, a wait-any reports the
// lowest index. Same page: only the object that satisfied the wait is
// changed, so the other signalled auto-reset events stay signalled.
func TestWaitAnyReturnsLowestSignalledIndex(t *testing.T) {
	ktOne(t, func(th *Thread) {
		s := th.System()
		hs := make([]Handle, 5)
		for i := range hs {
			hs[i] = ktEvent(t, th, false, false)
		}
		th.SetEvent(hs[3])
		th.SetEvent(hs[1])
		th.SetEvent(hs[4])
		r, err := th.WaitForMultipleObjects(hs, false, INFINITE)
		ktWait(t, "wait-any", r, wso.WAIT_OBJECT_0+1)
		if err != nil {
			t.Error(err)
		}
		if ktSignalled(t, s, hs[1]) || !ktSignalled(t, s, hs[3]) || !ktSignalled(t, s, hs[4]) {
			t.Error("the wait changed an object other than the one that satisfied it")
		}
		r, _ = th.WaitForMultipleObjectsEx(hs, false, 0, true)
		ktWait(t, "second wait-any", r, wso.WAIT_OBJECT_0+3)
		r, _ = th.WSAWaitForMultipleEvents(hs, false, 0, false)
		ktWait(t, "WSAWaitForMultipleEvents wait-any", r, wso.WSA_WAIT_EVENT_0+4)
	})
}

// WaitForMultipleObjectsEx: with bWaitAll TRUE the wait completes only
// once every object is signalled, and "does not modify the states ...
// until" then — an auto-reset event signalled on its own stays signalled
// while the wait-all is unsatisfied, and is consumed with the rest once it
// is.
func TestWaitAllNeedsAllAndConsumesOnlyOnSatisfaction(t *testing.T) {
	s := New()
	var auto, manual Handle
	var r uint32 = 12345
	waiter, _ := s.Go("waiter", func(th *Thread) {
		auto = ktEvent(t, th, false, false)
		manual = ktEvent(t, th, true, false)
		r, _ = th.WaitForMultipleObjectsEx([]Handle{auto, manual}, true, INFINITE, false)
	})
	s.Go("setter", func(th *Thread) {
		th.SetEvent(auto)
		if !waiter.Blocked() {
			t.Error("wait-all returned with one of two objects signalled")
		}
		if !ktSignalled(t, s, auto) {
			t.Error("an unsatisfied wait-all consumed the auto-reset event")
		}
		// A poll sees the same: not all signalled, nothing consumed.
		p, _ := th.WaitForMultipleObjects([]Handle{auto, manual}, true, 0)
		ktWait(t, "wait-all poll", p, uint32(wso.WAIT_TIMEOUT))
		if !ktSignalled(t, s, auto) {
			t.Error("a timed-out wait-all poll consumed the auto-reset event")
		}
		th.SetEvent(manual)
		if waiter.Blocked() {
			t.Error("wait-all still blocked with every object signalled")
		}
		if ktSignalled(t, s, auto) || !ktSignalled(t, s, manual) {
			t.Errorf("after wait-all: auto=%v (want reset), manual=%v (want set)", ktSignalled(t, s, auto), ktSignalled(t, s, manual))
		}
	})
	ktRun(t, s)
	ktWait(t, "wait-all", r, wso.WAIT_OBJECT_0)
}

// An auto-reset event "remains signaled until a single waiting thread is
// released" (CreateEvent): one SetEvent releases exactly one of two
// waiters, and the event is non-signalled again.
func TestAutoResetEventReleasesOneWaiter(t *testing.T) {
	for seed := uint64(0); seed < 20; seed++ {
		released := 0
		ktOne(t, func(th *Thread) {
			s := th.System()
			ev := ktEvent(t, th, false, false)
			var ws []*Thread
			for i := 0; i < 2; i++ {
				h, _ := th.CreateThread(func(w *Thread) {
					r, _ := w.WaitForSingleObject(ev, INFINITE)
					ktWait(t, "auto-reset waiter", r, wso.WAIT_OBJECT_0)
					released++
				})
				ws = append(ws, ktThread(s, h))
			}
			for !ws[0].Blocked() || !ws[1].Blocked() {
				th.SleepEx(1, false)
			}
			th.SetEvent(ev)
			blocked := 0
			for _, w := range ws {
				if w.Blocked() {
					blocked++
				}
			}
			if blocked != 1 {
				t.Errorf("seed %d: %d waiters still blocked after one SetEvent, want 1", seed, blocked)
			}
			if ktSignalled(t, s, ev) {
				t.Errorf("seed %d: auto-reset event still signalled after releasing a waiter", seed)
			}
			th.SetEvent(ev)
		}, WithSeed(seed))
		if released != 2 {
			t.Errorf("seed %d: %d released", seed, released)
		}
	}
}

// A manual-reset event releases every waiting thread and stays signalled
// until it is reset (CreateEvent, bManualReset).
func TestManualResetEventReleasesAll(t *testing.T) {
	released := 0
	ktOne(t, func(th *Thread) {
		s := th.System()
		ev, _ := th.WSACreateEvent()
		var ws []*Thread
		for i := 0; i < 3; i++ {
			h, _ := th.CreateThread(func(w *Thread) {
				r, _ := w.WSAWaitForMultipleEvents([]Handle{ev}, false, INFINITE, false)
				ktWait(t, "manual-reset waiter", r, wso.WSA_WAIT_EVENT_0)
				released++
			})
			ws = append(ws, ktThread(s, h))
		}
		for !ws[0].Blocked() || !ws[1].Blocked() || !ws[2].Blocked() {
			th.SleepEx(1, false)
		}
		th.WSASetEvent(ev)
		for _, w := range ws {
			if w.Blocked() {
				t.Errorf("%s still blocked after the manual-reset event was set", w.Name())
			}
		}
		if !ktSignalled(t, s, ev) {
			t.Error("manual-reset event reset itself")
		}
	}, WithSeed(9))
	if released != 3 {
		t.Errorf("%d of 3 released", released)
	}
}

// WaitForMultipleObjectsEx: nCount "cannot be zero" and is at most
// MAXIMUM_WAIT_OBJECTS (64); outside that the call fails (WAIT_FAILED,
// ERROR_INVALID_PARAMETER). Exactly 64 is fine.
func TestWaitCountLimits(t *testing.T) {
	ktOne(t, func(th *Thread) {
		hs := make([]Handle, 65)
		for i := range hs {
			hs[i] = ktEvent(t, th, true, i == 63)
		}
		for _, tc := range []struct {
			n    int
			all  bool
			want uint32
		}{{0, false, wso.WAIT_FAILED}, {0, true, wso.WAIT_FAILED}, {65, false, wso.WAIT_FAILED}, {65, true, wso.WAIT_FAILED}, {64, false, wso.WAIT_OBJECT_0 + 63}} {
			th.SetLastError(0)
			r, err := th.WaitForMultipleObjectsEx(hs[:tc.n], tc.all, 0, false)
			what := fmt.Sprintf("WaitForMultipleObjectsEx(n=%d, all=%v)", tc.n, tc.all)
			ktWait(t, what, r, tc.want)
			if tc.want == wso.WAIT_FAILED {
				ktErr(t, what, err, wso.ERROR_INVALID_PARAMETER)
				if th.GetLastError() != wso.ERROR_INVALID_PARAMETER {
					t.Errorf("%s: GetLastError = %v", what, th.GetLastError())
				}
			} else if err != nil {
				t.Errorf("%s: %v", what, err)
			}
		}
		r, err := th.WaitForMultipleObjects(nil, false, 0)
		ktWait(t, "WaitForMultipleObjects(nil)", r, wso.WAIT_FAILED)
		ktErr(t, "WaitForMultipleObjects(nil)", err, wso.ERROR_INVALID_PARAMETER)
	})
}

// WaitForMultipleObjectsEx: the array "may not contain multiple copies of
// the same handle"; WSAWaitForMultipleEvents makes it a rule for fWaitAll
// TRUE. A wait-all naming one handle twice fails with
// ERROR_INVALID_PARAMETER, even when that object is signalled.
func TestWaitAllDuplicateHandle(t *testing.T) {
	ktOne(t, func(th *Thread) {
		e := ktEvent(t, th, true, true)
		f := ktEvent(t, th, true, true)
		r, err := th.WaitForMultipleObjects([]Handle{e, f, e}, true, INFINITE)
		ktWait(t, "wait-all with a duplicate", r, wso.WAIT_FAILED)
		ktErr(t, "wait-all with a duplicate", err, wso.ERROR_INVALID_PARAMETER)
		r, err = th.WSAWaitForMultipleEvents([]Handle{f, f}, true, 0, true)
		ktWait(t, "WSAWaitForMultipleEvents wait-all with a duplicate", r, wso.WSA_WAIT_FAILED)
		ktErr(t, "WSAWaitForMultipleEvents wait-all with a duplicate", err, wso.WSA_INVALID_PARAMETER)
	})
}

// WaitForSingleObjectEx / WaitForMultipleObjectsEx: a handle that is not
// open, has been closed, or names an object that cannot be waited on makes
// the call fail with WAIT_FAILED and ERROR_INVALID_HANDLE; the check comes
// before any waiting, even if another handle in the array is signalled.
func TestWaitBadHandles(t *testing.T) {
	ktOne(t, func(th *Thread) {
		good := ktEvent(t, th, true, true)
		closed := ktEvent(t, th, true, true)
		if err := th.CloseHandle(closed); err != nil {
			t.Error(err)
			return
		}
		port, err := th.CreateIoCompletionPort(INVALID_HANDLE_VALUE, 0, 0, 0)
		if err != nil {
			t.Error(err)
			return
		}
		bad := map[string]Handle{
			"NULL":        0,
			"unaligned":   Handle(0x1235),
			"never open":  Handle(0x4000),
			"closed":      closed,
			"port (type)": port,
		}
		for name, h := range bad {
			calls := map[string]func() (uint32, error){
				"WaitForSingleObject":      func() (uint32, error) { return th.WaitForSingleObject(h, INFINITE) },
				"WaitForSingleObjectEx":    func() (uint32, error) { return th.WaitForSingleObjectEx(h, 0, true) },
				"WaitForMultipleObjects":   func() (uint32, error) { return th.WaitForMultipleObjects([]Handle{good, h}, false, INFINITE) },
				"WaitForMultipleObjectsEx": func() (uint32, error) { return th.WaitForMultipleObjectsEx([]Handle{h, good}, true, 0, false) },
				"WSAWaitForMultipleEvents": func() (uint32, error) { return th.WSAWaitForMultipleEvents([]Handle{good, h}, false, 0, false) },
			}
			for call, f := range calls {
				th.SetLastError(0)
				r, err := f()
				what := call + " with a " + name + " handle"
				ktWait(t, what, r, wso.WAIT_FAILED)
				ktErr(t, what, err, wso.ERROR_INVALID_HANDLE)
				if th.GetLastError() != wso.ERROR_INVALID_HANDLE {
					t.Errorf("%s: GetLastError = %v", what, th.GetLastError())
				}
			}
		}
		// The thread's wait bookkeeping is clean after the failures.
		r, _ := th.WaitForSingleObject(good, 0)
		ktWait(t, "wait after failures", r, wso.WAIT_OBJECT_0)
	})
}

// WaitForMultipleObjectsEx: with dwMilliseconds zero the function "always
// returns immediately" — a zero timeout is a poll: WAIT_TIMEOUT (258) at
// once, the clock does not move and the thread never blocks.
func TestWaitTimeoutZeroPolls(t *testing.T) {
	s := ktOne(t, func(th *Thread) {
		ev := ktEvent(t, th, false, false)
		r, err := th.WaitForSingleObject(ev, 0)
		ktWait(t, "WaitForSingleObject(0)", r, 258)
		if err != nil {
			t.Errorf("a timed-out wait is not a failure: %v", err)
		}
		r, _ = th.WaitForMultipleObjectsEx([]Handle{ev}, false, 0, true)
		ktWait(t, "alertable poll, no APC", r, uint32(wso.WAIT_TIMEOUT))
		r, _ = th.WSAWaitForMultipleEvents([]Handle{ev}, true, 0, false)
		ktWait(t, "WSAWaitForMultipleEvents(0)", r, wso.WSA_WAIT_TIMEOUT)
		th.SetEvent(ev)
		r, _ = th.WaitForSingleObject(ev, 0)
		ktWait(t, "poll of a signalled event", r, wso.WAIT_OBJECT_0)
		r, _ = th.WaitForSingleObject(ev, 0)
		ktWait(t, "poll after the auto-reset event was consumed", r, uint32(wso.WAIT_TIMEOUT))
	})
	if s.Now() != 0 {
		t.Errorf("clock moved to %v", s.Now())
	}
	if n := ktCount(s.Trace(), EvBlock, ""); n != 0 {
		t.Errorf("%d block events in a run of polls", n)
	}
}

// DESIGN.md, virtual time: timeouts run on a clock that moves only when
// every thread is blocked, and then exactly to the earliest deadline. While
// another thread can run, a timed wait does not expire.
func TestWaitTimeoutsRunOnVirtualClock(t *testing.T) {
	s := New()
	var ev Handle
	var aAt, bAt time.Duration
	var aR, bR uint32
	s.Go("A", func(th *Thread) {
		ev = ktEvent(t, th, true, false)
		aR, _ = th.WaitForSingleObjectEx(ev, 250, false)
		aAt = th.System().Now()
	})
	s.Go("B", func(th *Thread) {
		for i := 0; i < 10; i++ {
			th.SleepEx(0, false) // stays ready: the clock must not move
			if now := th.System().Now(); now != 0 {
				t.Errorf("clock moved to %v while B could run", now)
			}
		}
		bR, _ = th.WSAWaitForMultipleEvents([]Handle{ev}, false, 100, true)
		bAt = th.System().Now()
	})
	ktRun(t, s)
	ktWait(t, "A's wait", aR, uint32(wso.WAIT_TIMEOUT))
	ktWait(t, "B's wait", bR, wso.WSA_WAIT_TIMEOUT)
	if bAt != 100*time.Millisecond || aAt != 250*time.Millisecond || s.Now() != 250*time.Millisecond {
		t.Errorf("B woke at %v (want 100ms), A at %v (want 250ms), clock %v", bAt, aAt, s.Now())
	}
	if n := ktCount(s.Trace(), EvClock, ""); n != 2 {
		t.Errorf("%d clock events, want 2\n%s", n, s.Trace())
	}
	if n := ktCount(s.Trace(), EvWake, "timeout"); n != 2 {
		t.Errorf("%d timeout wake-ups, want 2", n)
	}
}

// Timed waits that end on a signal end at the signal's time, and a later
// timed wait counts from then.
func TestWaitTimeoutCountsFromCallTime(t *testing.T) {
	s := New()
	var ev Handle
	var at []time.Duration
	s.Go("A", func(th *Thread) {
		ev = ktEvent(t, th, false, false)
		r, _ := th.WaitForSingleObject(ev, 1000)
		ktWait(t, "signalled before its timeout", r, wso.WAIT_OBJECT_0)
		at = append(at, th.System().Now())
		r, _ = th.WaitForSingleObject(ev, 1000)
		ktWait(t, "second wait", r, uint32(wso.WAIT_TIMEOUT))
		at = append(at, th.System().Now())
	})
	s.Go("B", func(th *Thread) {
		th.Sleep(40)
		th.SetEvent(ev)
	})
	ktRun(t, s)
	if len(at) != 2 || at[0] != 40*time.Millisecond || at[1] != 1040*time.Millisecond {
		t.Errorf("wake times %v, want [40ms 1.04s]", at)
	}
}

// WSAWaitForMultipleEvents: cEvents of zero or over WSA_MAXIMUM_WAIT_EVENTS
// gives WSA_INVALID_PARAMETER (87); a handle that is not valid gives
// WSA_INVALID_HANDLE (6); the call returns WSA_WAIT_FAILED, and
// WSAGetLastError reports the code.
func TestWSAWaitForMultipleEventsErrors(t *testing.T) {
	ktOne(t, func(th *Thread) {
		evs := make([]Handle, wso.WSA_MAXIMUM_WAIT_EVENTS+1)
		for i := range evs {
			evs[i], _ = th.WSACreateEvent()
		}
		for _, n := range []int{0, wso.WSA_MAXIMUM_WAIT_EVENTS + 1} {
			r, err := th.WSAWaitForMultipleEvents(evs[:n], false, wso.WSA_INFINITE, false)
			what := fmt.Sprintf("WSAWaitForMultipleEvents(%d events)", n)
			ktWait(t, what, r, wso.WSA_WAIT_FAILED)
			ktErr(t, what, err, wso.WSA_INVALID_PARAMETER)
			if th.WSAGetLastError() != 87 {
				t.Errorf("%s: WSAGetLastError = %d, want 87", what, th.WSAGetLastError())
			}
		}
		r, err := th.WSAWaitForMultipleEvents([]Handle{evs[0], Handle(0x9990)}, false, 0, false)
		ktWait(t, "bad handle", r, wso.WSA_WAIT_FAILED)
		ktErr(t, "bad handle", err, wso.WSA_INVALID_HANDLE)
		if th.WSAGetLastError() != 6 {
			t.Errorf("bad handle: WSAGetLastError = %d, want 6", th.WSAGetLastError())
		}
		th.WSASetEvent(evs[63])
		r, _ = th.WSAWaitForMultipleEvents(evs[:64], false, 0, false)
		ktWait(t, "64 events", r, wso.WSA_WAIT_EVENT_0+63)
	})
}

// docs/windows-behaviour.md (Wine/Windows observation): when an alertable wait finds
// an object already signalled and APCs queued, the object wins — the wait
// returns WAIT_OBJECT_0 and runs no APC; the APC stays queued for the next
// alertable wait (Asynchronous Procedure Calls: "the APC is still queued").
func TestSignalledObjectWinsOverQueuedAPC(t *testing.T) {
	ktOne(t, func(th *Thread) {
		ran := 0
		apc := func(*Thread, uintptr) { ran++ }
		ev := ktEvent(t, th, true, true)
		th.QueueUserAPC(apc, th.GetCurrentThread(), 0)

		r, _ := th.WaitForSingleObjectEx(ev, INFINITE, true)
		ktWait(t, "WaitForSingleObjectEx", r, wso.WAIT_OBJECT_0)
		r, _ = th.WaitForMultipleObjectsEx([]Handle{ev}, false, INFINITE, true)
		ktWait(t, "WaitForMultipleObjectsEx", r, wso.WAIT_OBJECT_0)
		r, _ = th.WSAWaitForMultipleEvents([]Handle{ev}, true, 0, true)
		ktWait(t, "WSAWaitForMultipleEvents", r, wso.WSA_WAIT_EVENT_0)
		if ran != 0 || th.QueuedAPCs() != 1 {
			t.Errorf("APC ran %d times, %d still queued; want 0 and 1", ran, th.QueuedAPCs())
		}
		th.ResetEvent(ev)
		r, _ = th.WaitForSingleObjectEx(ev, INFINITE, true)
		ktWait(t, "alertable wait once the event is reset", r, wso.WAIT_IO_COMPLETION)
		if ran != 1 || th.QueuedAPCs() != 0 {
			t.Errorf("APC ran %d times, %d still queued; want 1 and 0", ran, th.QueuedAPCs())
		}
	})
}

// The same rule when the thread is already blocked: an object signalled
// before the thread gets to run again wins, and an APC queued after that
// does not change the result.
func TestSignalWhileBlockedBeatsLaterAPC(t *testing.T) {
	s := New()
	var ev Handle
	ran := 0
	var r uint32
	a, _ := s.Go("A", func(th *Thread) {
		ev = ktEvent(t, th, true, false)
		r, _ = th.WaitForSingleObjectEx(ev, INFINITE, true)
	})
	s.Go("B", func(th *Thread) {
		th.SetEvent(ev)
		th.QueueUserAPC(func(*Thread, uintptr) { ran++ }, a.Handle(), 0)
	})
	ktRun(t, s)
	ktWait(t, "A's wait", r, wso.WAIT_OBJECT_0)
	if ran != 0 {
		t.Error("the APC ran although the wait had been satisfied")
	}
	if n := ktCount(s.Trace(), EvAPCDropped, ""); n != 1 {
		t.Errorf("%d dropped APCs, want 1 (A exited with it queued)", n)
	}
}

// WaitForSingleObject on a thread handle: a thread object is signalled when
// the thread ends, and stays signalled (every later wait succeeds at once).
func TestWaitOnThreadHandle(t *testing.T) {
	s := ktOne(t, func(a *Thread) {
		h, _ := a.CreateThread(func(b *Thread) { b.Sleep(30) })
		r, _ := a.WaitForSingleObject(h, 0)
		ktWait(t, "poll of a running thread", r, uint32(wso.WAIT_TIMEOUT))
		r, _ = a.WaitForSingleObject(h, INFINITE)
		ktWait(t, "wait for the thread to end", r, wso.WAIT_OBJECT_0)
		if now := a.System().Now(); now != 30*time.Millisecond {
			t.Errorf("returned at %v, want 30ms", now)
		}
		for i := 0; i < 2; i++ {
			r, _ = a.WaitForMultipleObjectsEx([]Handle{h}, true, 0, false)
			ktWait(t, "wait on an ended thread", r, wso.WAIT_OBJECT_0)
		}
		if err := a.CloseHandle(h); err != nil {
			t.Error(err)
		}
	})
	if !strings.Contains(s.Trace().String(), "signalled") {
		t.Error("trace does not show the waiter released by the thread's end")
	}
}

// Wine's dlls/kernel32/tests/sync.c, test_WaitForSingleObject (passes on
// Windows): a wait that times out or succeeds leaves the last error as it
// was (0xDEADBEEF there), whatever the two low bits of the handle value
// hold; the pseudo handles of the current process and thread can be waited
// on and time out; a value that names nothing fails with
// ERROR_INVALID_HANDLE whatever its low bits.
func TestWaitLeavesLastErrorAndIgnoresTagBits(t *testing.T) {
	ktOne(t, func(th *Thread) {
		on := ktEvent(t, th, true, true)
		off := ktEvent(t, th, true, false)
		for tag := Handle(0); tag < 4; tag++ {
			th.SetLastError(0xDEADBEEF)
			r, _ := th.WaitForSingleObject(off|tag, 0)
			ktWait(t, fmt.Sprintf("clear event +%d", tag), r, uint32(wso.WAIT_TIMEOUT))
			r, _ = th.WaitForSingleObject(on|tag, 0)
			ktWait(t, fmt.Sprintf("set event +%d", tag), r, wso.WAIT_OBJECT_0)
			if e := th.GetLastError(); e != 0xDEADBEEF {
				t.Errorf("+%d: last error %#x after waits that timed out and succeeded, want 0xDEADBEEF", tag, uint32(e))
			}
			r, _ = th.WaitForSingleObject(0xdeadbee0|tag, 0)
			ktWait(t, fmt.Sprintf("invalid +%d", tag), r, wso.WAIT_FAILED)
			if e := th.GetLastError(); e != wso.ERROR_INVALID_HANDLE {
				t.Errorf("+%d: invalid handle gives last error %v", tag, e)
			}
		}
		for _, h := range []Handle{currentProcessPseudoHandle, currentThreadPseudoHandle} {
			r, _ := th.WaitForSingleObject(h, 0)
			ktWait(t, fmt.Sprintf("pseudo handle %#x", uint64(h)), r, uint32(wso.WAIT_TIMEOUT))
		}
	})
}
