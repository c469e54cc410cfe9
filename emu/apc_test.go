package emu

import (
	"fmt"
	"slices"
	"testing"
	"time"

	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// ktAPC returns an APC routine that appends its tag and parameter to log.
func ktAPC(log *[]string, tag string) APCProc {
	return func(th *Thread, p uintptr) { *log = append(*log, fmt.Sprintf("%s%d", tag, p)) }
}

// QueueUserAPC: an alertable thread "handles all pending APCs ... and the
// wait operation returns WAIT_IO_COMPLETION"; Alertable I/O: the kernel
// keeps taking entries until the queue is empty, so an APC queued by an
// APC during the drain runs in the same wait. Checked for each alertable
// call.
func TestAlertableWaitRunsEveryQueuedAPC(t *testing.T) {
	type waitFn func(th *Thread, ev Handle) uint32
	calls := map[string]waitFn{
		"SleepEx": func(th *Thread, _ Handle) uint32 { return th.SleepEx(INFINITE, true) },
		"WaitForSingleObjectEx": func(th *Thread, ev Handle) uint32 {
			r, _ := th.WaitForSingleObjectEx(ev, INFINITE, true)
			return r
		},
		"WaitForMultipleObjectsEx": func(th *Thread, ev Handle) uint32 {
			r, _ := th.WaitForMultipleObjectsEx([]Handle{ev}, true, 1000, true)
			return r
		},
		"WSAWaitForMultipleEvents": func(th *Thread, ev Handle) uint32 {
			r, _ := th.WSAWaitForMultipleEvents([]Handle{ev}, false, 0, true)
			return r
		},
	}
	for name, wait := range calls {
		t.Run(name, func(t *testing.T) {
			var log []string
			s := ktOne(t, func(th *Thread) {
				ev := ktEvent(t, th, true, false)
				me := th.GetCurrentThread()
				th.QueueUserAPC(func(x *Thread, p uintptr) {
					log = append(log, "a1")
					// Queued while the queue is being drained.
					x.QueueUserAPC(ktAPC(&log, "late"), x.GetCurrentThread(), 4)
				}, me, 1)
				th.QueueUserAPC(ktAPC(&log, "a"), me, 2)
				th.QueueUserAPC(ktAPC(&log, "a"), me, 3)
				ktWait(t, name, wait(th, ev), wso.WAIT_IO_COMPLETION)
				if th.QueuedAPCs() != 0 {
					t.Errorf("%d APCs left queued", th.QueuedAPCs())
				}
			})
			if want := []string{"a1", "a2", "a3", "late4"}; !slices.Equal(log, want) {
				t.Errorf("APCs ran %v, want %v", log, want)
			}
			if s.Now() != 0 {
				t.Errorf("the wait took %v of virtual time", s.Now())
			}
			if n := ktCount(s.Trace(), EvAPCRun, ""); n != 4 {
				t.Errorf("%d apc-run events, want 4", n)
			}
		})
	}
}

// SleepEx: with bAlertable FALSE a queued APC neither ends the call nor
// runs ("the APC function is not executed"); the same holds for the
// non-alertable waits. The APC stays queued, and an APC queued to a thread
// blocked in a non-alertable wait does not wake it.
func TestNonAlertableWaitNeverRunsAPC(t *testing.T) {
	s := New()
	var log []string
	var ev Handle
	a, _ := s.Go("A", func(th *Thread) {
		ev = ktEvent(t, th, true, false)
		me := th.GetCurrentThread()
		th.QueueUserAPC(ktAPC(&log, "x"), me, 1)
		ktWait(t, "SleepEx(50, FALSE)", th.SleepEx(50, false), 0)
		r, _ := th.WaitForSingleObject(ev, 10)
		ktWait(t, "WaitForSingleObject", r, uint32(wso.WAIT_TIMEOUT))
		r, _ = th.WaitForMultipleObjectsEx([]Handle{ev}, false, 10, false)
		ktWait(t, "WaitForMultipleObjectsEx(alertable=FALSE)", r, uint32(wso.WAIT_TIMEOUT))
		r, _ = th.WSAWaitForMultipleEvents([]Handle{ev}, false, 10, false)
		ktWait(t, "WSAWaitForMultipleEvents(fAlertable=FALSE)", r, wso.WSA_WAIT_TIMEOUT)
		th.Sleep(0)
		if len(log) != 0 || th.QueuedAPCs() != 1 {
			t.Errorf("after non-alertable waits: ran %v, %d queued", log, th.QueuedAPCs())
		}
		// Now block without alerting; B queues another APC and then sets
		// the event.
		r, _ = th.WaitForSingleObjectEx(ev, INFINITE, false)
		ktWait(t, "non-alertable wait released by the event", r, wso.WAIT_OBJECT_0)
		if len(log) != 0 || th.QueuedAPCs() != 2 {
			t.Errorf("after the event: ran %v, %d queued", log, th.QueuedAPCs())
		}
		r = th.SleepEx(0, true)
		ktWait(t, "SleepEx(0, TRUE)", r, wso.WAIT_IO_COMPLETION)
	})
	s.Go("B", func(th *Thread) {
		for !a.Blocked() || a.w.call != "WaitForSingleObjectEx" {
			th.Sleep(1)
		}
		th.QueueUserAPC(ktAPC(&log, "y"), a.Handle(), 2)
		th.Sleep(5)
		if !a.Blocked() {
			t.Error("an APC woke a thread in a non-alertable wait")
		}
		th.SetEvent(ev)
	})
	ktRun(t, s)
	if !slices.Equal(log, []string{"x1", "y2"}) {
		t.Errorf("APCs ran %v, want [x1 y2]", log)
	}
}

// Alertable I/O: a thread that turns alertable with an empty APC queue is
// suspended until an object is signalled or an APC arrives — with none
// coming, an alertable wait is a plain wait: WAIT_TIMEOUT (258) from the
// wait functions, and 0 from SleepEx (its value for "interval expired").
func TestAlertableWaitWithoutAPCIsPlainWait(t *testing.T) {
	s := ktOne(t, func(th *Thread) {
		ev := ktEvent(t, th, true, false)
		ktWait(t, "SleepEx(30, TRUE)", th.SleepEx(30, true), 0)
		r, _ := th.WaitForSingleObjectEx(ev, 30, true)
		ktWait(t, "WaitForSingleObjectEx(30, TRUE)", r, 258)
		r, _ = th.WaitForMultipleObjectsEx([]Handle{ev}, false, 30, true)
		ktWait(t, "WaitForMultipleObjectsEx(30, TRUE)", r, 258)
		r, _ = th.WSAWaitForMultipleEvents([]Handle{ev}, false, 30, true)
		ktWait(t, "WSAWaitForMultipleEvents(30, TRUE)", r, wso.WSA_WAIT_TIMEOUT)
		ktWait(t, "SleepEx(0, TRUE)", th.SleepEx(0, true), 0)
	})
	if s.Now() != 120*time.Millisecond {
		t.Errorf("clock %v, want 120ms", s.Now())
	}
}

// QueueUserAPC: user APCs run "in first in, first out (FIFO) order". With
// several threads queuing to one target under many seeded schedules, the
// target runs them in exactly the order the QueueUserAPC calls succeeded.
func TestUserAPCOrderIsFIFOUnderSeededChooser(t *testing.T) {
	for seed := uint64(0); seed < 100; seed++ {
		var queued, ran []uintptr
		const perThread = 6
		s := New(WithSeed(seed))
		target, _ := s.Go("target", func(th *Thread) {
			for len(ran) < 3*perThread {
				th.SleepEx(INFINITE, true)
			}
		})
		for q := 0; q < 3; q++ {
			s.Go(fmt.Sprint("q", q), func(th *Thread) {
				for i := 0; i < perThread; i++ {
					p := uintptr(q*100 + i)
					err := th.QueueUserAPC(func(x *Thread, p uintptr) {
						if x != target {
							t.Errorf("APC ran on %s", x.Name())
						}
						ran = append(ran, p)
					}, target.Handle(), p)
					if err != nil {
						t.Errorf("QueueUserAPC: %v", err)
					}
					queued = append(queued, p)
					if i%2 == 1 {
						th.SleepEx(uint32(q+1), false)
					}
				}
			})
		}
		ktRun(t, s)
		if !slices.Equal(queued, ran) {
			t.Fatalf("seed %d: queued %v, ran %v", seed, queued, ran)
		}
	}
}

// QueueUserAPC: an alertable wait made inside an APC "will recursively
// dispatch the APCs" — the nested wait runs the rest of the queue
// (APCDepth 2 inside those), returns WAIT_IO_COMPLETION, and the outer
// wait finds nothing left.
func TestNestedAlertableWaitInsideAPC(t *testing.T) {
	var log []string
	s := ktOne(t, func(th *Thread) {
		me := th.GetCurrentThread()
		depth := func(tag string) APCProc {
			return func(x *Thread, _ uintptr) { log = append(log, fmt.Sprintf("%s@%d", tag, x.APCDepth())) }
		}
		th.QueueUserAPC(func(x *Thread, _ uintptr) {
			log = append(log, fmt.Sprintf("outer@%d", x.APCDepth()))
			r := x.SleepEx(INFINITE, true)
			ktWait(t, "nested SleepEx", r, wso.WAIT_IO_COMPLETION)
			r = x.SleepEx(0, true)
			ktWait(t, "second nested SleepEx, queue empty", r, 0)
			log = append(log, fmt.Sprintf("outer-end@%d", x.APCDepth()))
		}, me, 0)
		th.QueueUserAPC(depth("b"), me, 0)
		th.QueueUserAPC(depth("c"), me, 0)
		if th.APCDepth() != 0 {
			t.Errorf("APCDepth outside any APC = %d", th.APCDepth())
		}
		ktWait(t, "outer SleepEx", th.SleepEx(INFINITE, true), wso.WAIT_IO_COMPLETION)
		if th.APCDepth() != 0 {
			t.Errorf("APCDepth after the wait = %d", th.APCDepth())
		}
	})
	if want := []string{"outer@1", "b@2", "c@2", "outer-end@1"}; !slices.Equal(log, want) {
		t.Errorf("ran %v, want %v", log, want)
	}
	var depths []uint64
	for _, e := range s.Trace().All() {
		if e.Kind == EvAPCRun {
			depths = append(depths, e.Result)
		}
	}
	if !slices.Equal(depths, []uint64{1, 2, 2}) {
		t.Errorf("traced APC depths %v, want [1 2 2]", depths)
	}
}

// QueueUserAPC: queuing to a thread that is terminating "will fail with
// (31) ERROR_GEN_FAILURE"; the emulator gives the same for a thread that
// has ended but whose handle is still open.
func TestQueueUserAPCToExitedThread(t *testing.T) {
	ktOne(t, func(th *Thread) {
		h, _ := th.CreateThread(func(*Thread) {})
		th.WaitForSingleObject(h, INFINITE)
		th.SetLastError(0)
		err := th.QueueUserAPC(func(*Thread, uintptr) { t.Error("APC ran on an ended thread") }, h, 0)
		ktErr(t, "QueueUserAPC to an ended thread", err, wso.ERROR_GEN_FAILURE)
		if th.GetLastError() != 31 {
			t.Errorf("GetLastError = %d, want 31", th.GetLastError())
		}
	})
}

// QueueUserAPC: when a thread ends (ExitThread, or here also by returning)
// "the APCs in its APC queue are lost" and never called. Each lost APC is
// traced as dropped.
func TestAPCsQueuedAtExitAreDropped(t *testing.T) {
	for _, viaExitThread := range []bool{false, true} {
		var ranAPC bool
		s := New()
		var target *Thread
		target, _ = s.Go("target", func(th *Thread) {
			th.SleepEx(10, false) // not alertable: the APCs wait
			if viaExitThread {
				th.ExitThread(9)
			}
		})
		s.Go("queuer", func(th *Thread) {
			for i := 0; i < 3; i++ {
				if err := th.QueueUserAPC(func(*Thread, uintptr) { ranAPC = true }, target.Handle(), uintptr(i)); err != nil {
					t.Error(err)
				}
			}
		})
		ktRun(t, s)
		if ranAPC {
			t.Errorf("ExitThread=%v: an APC ran", viaExitThread)
		}
		var seqs []uint64
		for _, e := range s.Trace().All() {
			if e.Kind == EvAPCDropped {
				if e.Thread != target.ID() || e.Name != "User" {
					t.Errorf("dropped event %v", e)
				}
				seqs = append(seqs, e.N)
			}
		}
		if !slices.Equal(seqs, []uint64{1, 2, 3}) {
			t.Errorf("ExitThread=%v: dropped APCs %v, want [1 2 3]", viaExitThread, seqs)
		}
	}
}

// QueueUserAPC: hThread must be a thread handle (ERROR_INVALID_HANDLE
// otherwise: not open, closed, or another kind of object); a NULL routine
// is refused with ERROR_INVALID_PARAMETER. Nothing is queued either way.
func TestQueueUserAPCBadArguments(t *testing.T) {
	ktOne(t, func(th *Thread) {
		fn := func(*Thread, uintptr) { t.Error("a refused APC ran") }
		ev := ktEvent(t, th, true, false)
		h, _ := th.CreateThread(func(*Thread) {})
		th.CloseHandle(h)
		for name, bad := range map[string]Handle{"NULL": 0, "event": ev, "closed thread handle": h, "never open": 0x7770} {
			th.SetLastError(0)
			ktErr(t, "QueueUserAPC("+name+")", th.QueueUserAPC(fn, bad, 0), wso.ERROR_INVALID_HANDLE)
			if th.GetLastError() != wso.ERROR_INVALID_HANDLE {
				t.Errorf("%s: GetLastError = %v", name, th.GetLastError())
			}
		}
		ktErr(t, "QueueUserAPC(nil routine)", th.QueueUserAPC(nil, th.GetCurrentThread(), 0), wso.ERROR_INVALID_PARAMETER)
		if th.QueuedAPCs() != 0 {
			t.Errorf("%d APCs queued by refused calls", th.QueuedAPCs())
		}
		ktWait(t, "SleepEx(0, TRUE)", th.SleepEx(0, true), 0)
	})
}

// WaitForMultipleObjectsEx (bAlertable): the call returns once an APC is
// queued "and the thread runs the routine" — an APC queued by another
// thread wakes a thread blocked in an alertable wait, runs on that thread,
// and ends the wait with WAIT_IO_COMPLETION before its timeout.
func TestAPCWakesAlertableWaiter(t *testing.T) {
	type waitFn func(th *Thread, ev Handle) uint32
	calls := map[string]waitFn{
		"SleepEx": func(th *Thread, _ Handle) uint32 { return th.SleepEx(1000, true) },
		"WaitForSingleObjectEx": func(th *Thread, ev Handle) uint32 {
			r, _ := th.WaitForSingleObjectEx(ev, INFINITE, true)
			return r
		},
		"WaitForMultipleObjectsEx": func(th *Thread, ev Handle) uint32 {
			r, _ := th.WaitForMultipleObjectsEx([]Handle{ev, ev}, false, 1000, true)
			return r
		},
		"WSAWaitForMultipleEvents": func(th *Thread, ev Handle) uint32 {
			r, _ := th.WSAWaitForMultipleEvents([]Handle{ev}, true, wso.WSA_INFINITE, true)
			return r
		},
	}
	for name, wait := range calls {
		t.Run(name, func(t *testing.T) {
			s := New()
			var ev Handle
			var r uint32
			var ranOn string
			var at time.Duration
			a, _ := s.Go("A", func(th *Thread) {
				ev = ktEvent(t, th, true, false)
				r = wait(th, ev)
				at = th.System().Now()
			})
			s.Go("B", func(th *Thread) {
				th.Sleep(20)
				if !a.Blocked() {
					t.Error("A is not blocked")
				}
				th.QueueUserAPC(func(x *Thread, p uintptr) { ranOn = x.Name() }, a.Handle(), 0)
			})
			ktRun(t, s)
			ktWait(t, name, r, wso.WAIT_IO_COMPLETION)
			if ranOn != "A" || at != 20*time.Millisecond {
				t.Errorf("APC ran on %q; wait returned at %v, want 20ms", ranOn, at)
			}
			if n := ktCount(s.Trace(), EvWake, "apc"); n != 1 {
				t.Errorf("%d apc wake-ups in the trace, want 1", n)
			}
		})
	}
}

// An APC queued to a thread that is running (not waiting) is only run at
// its next alertable wait, never in the middle of its code.
func TestAPCWaitsForAlertableWait(t *testing.T) {
	s := New(WithSeed(5))
	var log []string
	var a *Thread
	a, _ = s.Go("A", func(th *Thread) {
		for i := 0; i < 5; i++ {
			log = append(log, "work")
			th.SleepEx(0, false)
		}
		for th.QueuedAPCs() == 0 {
			th.Sleep(1)
		}
		log = append(log, "alertable")
		th.SleepEx(0, true)
	})
	s.Go("B", func(th *Thread) {
		th.QueueUserAPC(ktAPC(&log, "apc"), a.Handle(), 1)
	})
	ktRun(t, s)
	if n := len(log); n < 2 || log[n-2] != "alertable" || log[n-1] != "apc1" {
		t.Errorf("log %v: the APC must run only in the alertable wait", log)
	}
}

// QueueUserAPC: a thread that has APCs queued before it first runs "begins
// by calling the APC function" — and the rest of its queue — before its
// own code.
func TestAPCQueuedBeforeThreadStartsRunsFirst(t *testing.T) {
	var log []string
	ktOne(t, func(a *Thread) {
		h, _ := a.CreateThread(func(b *Thread) {
			log = append(log, fmt.Sprintf("body depth=%d queued=%d", b.APCDepth(), b.QueuedAPCs()))
			ktWait(t, "SleepEx(0, TRUE) in the new thread", b.SleepEx(0, true), 0)
		})
		// Under the usual chooser the new thread has not run yet.
		a.QueueUserAPC(ktAPC(&log, "apc"), h, 1)
		a.QueueUserAPC(ktAPC(&log, "apc"), h, 2)
		a.WaitForSingleObject(h, INFINITE)
	})
	if want := []string{"apc1", "apc2", "body depth=0 queued=0"}; !slices.Equal(log, want) {
		t.Errorf("ran %v, want %v", log, want)
	}
}
