package emu

import (
	"bytes"
	"fmt"
	"slices"
	"testing"

	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// ktReporter is the part of testing.TB (and of *rapid.T) the workloads
// need to report problems from inside emulated threads.
type ktReporter interface {
	Errorf(format string, args ...any)
}

// ktMixed adds a three-thread workload to s (goroutine driver) that uses
// every kernel feature at once: events (manual and in overlapped records),
// user APCs, timed and alertable waits, sleeps, and an overlapped pipe with
// a small quota so that writes can pend. It behaves correctly under every
// schedule; the returned check reports a broken invariant after Run.
//
//   - main creates the pipe and two threads, then waits for both (wait-all).
//   - writer writes four 5-byte messages (waiting for pending writes on its
//     record's event), queues an APC to reader after each, and sleeps a
//     little between them; finally it signals "done".
//   - reader reads until it has all 20 bytes, waiting alertably for pending
//     reads (so APCs interrupt it), then waits alertably for "done" and
//     runs whatever APCs are left.
func ktMixed(tb ktReporter, s *System) (check func()) {
	const msgs = 4
	var want []byte
	for i := 0; i < msgs; i++ {
		want = append(want, fmt.Sprintf("msg%d;", i)...)
	}
	var got []byte
	var apcs []uintptr
	finished := false

	_, err := s.Go("main", func(m *Thread) {
		rh, wh, err := m.CreatePipe(PipeOptions{Capacity: 8})
		if err != nil {
			tb.Errorf("CreatePipe: %v", err)
			return
		}
		done := ktEventR(tb, m, true, false)
		var hReader Handle
		hReader, _ = m.CreateThread(func(r *Thread) {
			ev := ktEventR(tb, r, true, false)
			for len(got) < len(want) {
				buf := make([]byte, 7)
				ov := &Overlapped{HEvent: ev}
				var n uint32
				err := r.ReadFile(rh, buf, &n, ov)
				if err == wso.ERROR_IO_PENDING {
					for {
						w, _ := r.WaitForSingleObjectEx(ev, INFINITE, true)
						if w == wso.WAIT_OBJECT_0 {
							break
						}
						if w != wso.WAIT_IO_COMPLETION {
							tb.Errorf("reader: wait returned %s", wso.WaitName(w))
							return
						}
					}
					err = r.GetOverlappedResult(rh, ov, &n, false)
				}
				if err != nil {
					tb.Errorf("reader: %v", err)
					return
				}
				got = append(got, buf[:n]...)
				r.SleepEx(2, true)
			}
			for {
				w, _ := r.WSAWaitForMultipleEvents([]Handle{done}, false, 50, true)
				if w == wso.WSA_WAIT_EVENT_0 {
					break
				}
			}
			r.SleepEx(0, true)
		})
		hWriter, _ := m.CreateThread(func(w *Thread) {
			ev := ktEventR(tb, w, true, false)
			for i := 0; i < msgs; i++ {
				ov := &Overlapped{HEvent: ev}
				var n uint32
				msg := want[5*i : 5*i+5]
				err := w.WriteFile(wh, msg, &n, ov)
				if err == wso.ERROR_IO_PENDING {
					err = w.GetOverlappedResult(wh, ov, &n, true)
				}
				if err != nil || n != 5 {
					tb.Errorf("writer: message %d: n=%d, %v", i, n, err)
					return
				}
				if err := w.QueueUserAPC(func(x *Thread, p uintptr) { apcs = append(apcs, p) }, hReader, uintptr(i)); err != nil {
					tb.Errorf("writer: QueueUserAPC: %v", err)
				}
				w.SleepEx(uint32(3*i+1), false)
			}
			w.SetEvent(done)
		})
		r, err := m.WaitForMultipleObjects([]Handle{hReader, hWriter}, true, INFINITE)
		if r != wso.WAIT_OBJECT_0 || err != nil {
			tb.Errorf("main: wait for both threads = %s, %v", wso.WaitName(r), err)
		}
		for _, h := range []Handle{rh, wh, done, hReader, hWriter} {
			if err := m.CloseHandle(h); err != nil {
				tb.Errorf("main: CloseHandle: %v", err)
			}
		}
		finished = true
	})
	if err != nil {
		tb.Errorf("Go: %v", err)
	}
	return func() {
		if !finished {
			tb.Errorf("main did not finish")
		}
		if !bytes.Equal(got, want) {
			tb.Errorf("reader got %q, want %q", got, want)
		}
		if !slices.Equal(apcs, []uintptr{0, 1, 2, 3}) {
			tb.Errorf("APCs ran %v, want [0 1 2 3]", apcs)
		}
	}
}

func ktEventR(tb ktReporter, th *Thread, manual, initial bool) Handle {
	h, err := th.CreateEvent(manual, initial)
	if err != nil {
		tb.Errorf("CreateEvent: %v", err)
	}
	return h
}

// ktMixedTrace runs the mixed workload on a new System built with opts and
// returns its text trace.
func ktMixedTrace(tb testing.TB, opts ...Option) string {
	tb.Helper()
	s := New(opts...)
	check := ktMixed(tb, s)
	ktRun(tb, s)
	check()
	return s.Trace().String()
}

// DESIGN.md: "A seeded PRNG chooser makes runs replayable from a seed" and
// "Same seed, same trace, byte for byte": for 50 seeds, the mixed workload
// run twice gives identical text and JSON traces; the seeds do not all give
// the same schedule.
func TestSameSeedSameTrace(t *testing.T) {
	distinct := map[string]bool{}
	for seed := uint64(1); seed <= 50; seed++ {
		run := func() (string, []byte) {
			s := New(WithSeed(seed))
			check := ktMixed(t, s)
			ktRun(t, s)
			check()
			var js bytes.Buffer
			if err := s.Trace().WriteJSON(&js); err != nil {
				t.Fatal(err)
			}
			return s.Trace().String(), js.Bytes()
		}
		text1, json1 := run()
		text2, json2 := run()
		if text1 != text2 {
			t.Fatalf("seed %d: two runs gave different text traces\nfirst:\n%s\nsecond:\n%s", seed, text1, text2)
		}
		if !bytes.Equal(json1, json2) {
			t.Fatalf("seed %d: two runs gave different JSON traces", seed)
		}
		distinct[text1] = true
	}
	if len(distinct) < 2 {
		t.Errorf("50 seeds gave %d distinct trace(s), want at least 2", len(distinct))
	}
	t.Logf("50 seeds, %d distinct traces", len(distinct))
}

// The usual chooser (no seed) is deterministic too, and differs from the
// seeded schedules: it never preempts.
func TestUsualChooserRunIsDeterministic(t *testing.T) {
	a := ktMixedTrace(t)
	b := ktMixedTrace(t, WithChooser(UsualChooser()))
	if a != b {
		t.Fatal("two runs with the usual chooser differ")
	}
	if bytes.Contains([]byte(a), []byte("preempt 1 of")) {
		t.Error("the usual chooser preempted a thread")
	}
}

// Tracing is observation only: turning it off does not change what the
// program does (same results, same virtual time).
func TestWithoutTraceSameBehaviour(t *testing.T) {
	for seed := uint64(1); seed <= 10; seed++ {
		on := New(WithSeed(seed))
		checkOn := ktMixed(t, on)
		ktRun(t, on)
		checkOn()
		off := New(WithSeed(seed), WithoutTrace())
		checkOff := ktMixed(t, off)
		ktRun(t, off)
		checkOff()
		if off.Trace() != nil {
			t.Fatal("WithoutTrace still records a trace")
		}
		if on.Now() != off.Now() {
			t.Errorf("seed %d: clock %v with trace, %v without", seed, on.Now(), off.Now())
		}
	}
}
