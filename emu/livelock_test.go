package emu

import (
	"errors"
	"strings"
	"testing"

	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// Issue 9, "a general safety net": a run that makes no progress stops with
// a *LivelockError carrying the trace, as a deadlock stops with a
// *DeadlockError. Here two threads hand an event back and forth and poll
// with zero timeouts for a flag that nothing ever sets: they run for ever
// and nothing they do is progress (WithLivelockBudget's definition).
func TestLivelockIsReportedNotHung(t *testing.T) {
	s := New(WithSeed(7), WithLivelockBudget(5000))
	var ev, never Handle
	s.Go("A", func(a *Thread) {
		ev = ktEvent(t, a, true, false)
		never = ktEvent(t, a, true, false)
		for {
			a.SetEvent(ev)
			if r, _ := a.WaitForSingleObject(never, 0); r == wso.WAIT_OBJECT_0 {
				return
			}
		}
	})
	s.Go("B", func(b *Thread) {
		for {
			b.ResetEvent(ev)
			if r, _ := b.WaitForSingleObject(never, 0); r == wso.WAIT_OBJECT_0 {
				return
			}
		}
	})
	err := s.Run()
	var le *LivelockError
	if !errors.As(err, &le) {
		t.Fatalf("Run = %v, want a *LivelockError", err)
	}
	if le.Trace == nil || le.Trace != s.Trace() || le.Trace.Len() == 0 {
		t.Errorf("the livelock error carries no trace")
	}
	if last := le.Trace.At(le.Trace.Len() - 1); last.Kind != EvLivelock {
		t.Errorf("the trace ends with %v, want the livelock", last.Kind)
	}
	if len(le.Threads) != 2 || le.Steps != 5000 || !strings.Contains(err.Error(), "without progress") {
		t.Errorf("livelock error: %d thread lines, steps %d:\n%v", len(le.Threads), le.Steps, err)
	}
}

// The step driver: a command that polls for ever comes back with the
// *LivelockError instead of never returning, and later calls refuse.
func TestLivelockInAStep(t *testing.T) {
	s := New(WithLivelockBudget(1000))
	st, _ := s.Stepper()
	a := st.NewThread("A")
	var ev Handle
	_, err := st.Call(a, func(a *Thread) {
		ev, _ = a.CreateEvent(false, false)
		for {
			if r, _ := a.WaitForSingleObject(ev, 0); r == wso.WAIT_OBJECT_0 {
				return
			}
		}
	})
	var le *LivelockError
	if !errors.As(err, &le) {
		t.Fatalf("Call = %v, want a *LivelockError", err)
	}
	if _, err := st.Call(a, func(a *Thread) {}); !errors.As(err, &le) {
		t.Errorf("a call after the livelock: %v, want the *LivelockError again", err)
	}
	s.Stop()
}

// A long run that keeps making progress is never flagged, however many
// steps it takes: here many more calls than the budget, each loop turn
// running an APC, sleeping on the virtual clock, or moving data through a
// pipe.
func TestLongProgressingRunIsNotLivelock(t *testing.T) {
	const budget, turns = 50, 5000
	s := New(WithLivelockBudget(budget))
	ran := 0
	s.Go("apc", func(a *Thread) {
		for i := 0; i < turns; i++ {
			a.SetEvent(0x1234) // fails: not progress
			a.QueueUserAPC(func(*Thread, uintptr) { ran++ }, a.GetCurrentThread(), 0)
			a.SleepEx(0, true)
		}
	})
	s.Go("sleeper", func(b *Thread) {
		for i := 0; i < turns; i++ {
			b.ResetEvent(0x1234)
			b.Sleep(1)
		}
	})
	s.Go("pipe", func(c *Thread) {
		r, w, err := c.CreatePipe(PipeOptions{Capacity: 64, Synchronous: true})
		if err != nil {
			t.Errorf("CreatePipe: %v", err)
			return
		}
		buf := make([]byte, 4)
		var n uint32
		for i := 0; i < turns; i++ {
			if err := c.WriteFile(w, []byte("ping"), &n, nil); err != nil {
				t.Errorf("WriteFile: %v", err)
				return
			}
			if err := c.ReadFile(r, buf, &n, nil); err != nil {
				t.Errorf("ReadFile: %v", err)
				return
			}
		}
	})
	ktRun(t, s)
	if ran != turns {
		t.Errorf("%d APCs ran, want %d", ran, turns)
	}
}
