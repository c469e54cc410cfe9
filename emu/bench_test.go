package emu_test

import (
	"fmt"
	"testing"

	"github.com/wsaemu/wsaemu/emu"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// The benchmarks run their loop inside one emulated thread of a System built
// without a trace, so that nothing blocks and the numbers are the kernel's
// own cost per call. Identifiers of this file start with "kb".

// kbStep builds a step-driven System without trace and one thread. The
// livelock budget is off: a benchmark loop such as SetEvent and a satisfied
// wait, b.N times over, is by design a run without progress.
func kbStep(b *testing.B) (*emu.Stepper, *emu.Thread) {
	b.Helper()
	s := emu.New(emu.WithoutTrace(), emu.WithLivelockBudget(0))
	st, err := s.Stepper()
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(s.Stop)
	return st, st.NewThread("bench")
}

// kbTimed runs loop on th as one step, with the benchmark timer running
// only around it.
func kbTimed(b *testing.B, st *emu.Stepper, th *emu.Thread, loop func(t *emu.Thread)) {
	b.Helper()
	b.ReportAllocs()
	b.ResetTimer()
	res, err := st.Call(th, loop)
	b.StopTimer()
	if err != nil || !res.Returned {
		b.Fatalf("benchmark loop blocked: %+v %v", res, err)
	}
}

var (
	kbSinkN   uint32
	kbSinkErr error
)

// QueueUserAPC to the calling thread, then an alertable SleepEx(0) that
// runs it: one APC's whole life.
func BenchmarkQueueUserAPCDrain(b *testing.B) {
	st, th := kbStep(b)
	ran := 0
	apc := func(*emu.Thread, uintptr) { ran++ }
	kbTimed(b, st, th, func(t *emu.Thread) {
		self := t.GetCurrentThread()
		for i := 0; i < b.N; i++ {
			if err := t.QueueUserAPC(apc, self, uintptr(i)); err != nil {
				panic(err)
			}
			if t.SleepEx(0, true) != wso.WAIT_IO_COMPLETION {
				panic("APC did not run")
			}
		}
	})
	if ran != b.N {
		b.Fatalf("ran %d of %d", ran, b.N)
	}
}

// SetEvent on an auto-reset event, then a wait that consumes it.
func BenchmarkEventSetWait(b *testing.B) {
	st, th := kbStep(b)
	var ev emu.Handle
	st.Call(th, func(t *emu.Thread) { ev, _ = t.CreateEvent(false, false) })
	kbTimed(b, st, th, func(t *emu.Thread) {
		for i := 0; i < b.N; i++ {
			t.SetEvent(ev)
			if r, _ := t.WaitForSingleObject(ev, emu.INFINITE); r != wso.WAIT_OBJECT_0 {
				panic(wso.WaitName(r))
			}
		}
	})
}

// kbPipeCycle is one overlapped WriteFile and ReadFile that both complete at
// once, and the GetOverlappedResult of the read.
func kbPipeCycle(t *emu.Thread, rd, wr emu.Handle, data, buf []byte, ovW, ovR *emu.Overlapped) {
	var n uint32
	if err := t.WriteFile(wr, data, &n, ovW); err != nil {
		panic(err)
	}
	if err := t.ReadFile(rd, buf, &n, ovR); err != nil {
		panic(err)
	}
	if err := t.GetOverlappedResult(rd, ovR, &n, false); err != nil || n != uint32(len(data)) {
		panic(fmt.Sprint(err, n))
	}
	kbSinkN = n
}

func BenchmarkPipeOverlappedCycle(b *testing.B) {
	st, th := kbStep(b)
	var rd, wr emu.Handle
	st.Call(th, func(t *emu.Thread) { rd, wr, _ = t.CreatePipe(emu.PipeOptions{Mode: emu.PipeMessage}) })
	data, buf := []byte("0123456789abcdef"), make([]byte, 64)
	var ovW, ovR emu.Overlapped
	kbTimed(b, st, th, func(t *emu.Thread) {
		for i := 0; i < b.N; i++ {
			kbPipeCycle(t, rd, wr, data, buf, &ovW, &ovR)
		}
	})
}

// The pipe cycle while other reads are pending on other pipes: the cost of
// a request must not depend on how many others are outstanding.
func BenchmarkPipeCycleOutstanding(b *testing.B) {
	for _, others := range []int{1, 10000} {
		b.Run(fmt.Sprint(others), func(b *testing.B) {
			st, th := kbStep(b)
			var rd, wr emu.Handle
			ovs := make([]emu.Overlapped, others)
			bufs := make([]byte, others)
			st.Call(th, func(t *emu.Thread) {
				rd, wr, _ = t.CreatePipe(emu.PipeOptions{})
				for i := range ovs {
					ord, _, err := t.CreatePipe(emu.PipeOptions{})
					if err != nil {
						panic(err)
					}
					if err := t.ReadFile(ord, bufs[i:i+1], nil, &ovs[i]); err != wso.ERROR_IO_PENDING {
						panic(err)
					}
				}
			})
			data, buf := []byte("0123456789abcdef"), make([]byte, 64)
			var ovW, ovR emu.Overlapped
			kbTimed(b, st, th, func(t *emu.Thread) {
				for i := 0; i < b.N; i++ {
					kbPipeCycle(t, rd, wr, data, buf, &ovW, &ovR)
				}
			})
		})
	}
}

// PostQueuedCompletionStatus, then GetQueuedCompletionStatus taking the
// packet.
func BenchmarkPortPostDequeue(b *testing.B) {
	st, th := kbStep(b)
	var port emu.Handle
	st.Call(th, func(t *emu.Thread) { port, _ = t.CreateIoCompletionPort(emu.INVALID_HANDLE_VALUE, 0, 0, 0) })
	var rec emu.Overlapped
	kbTimed(b, st, th, func(t *emu.Thread) {
		var n uint32
		var key uintptr
		var ov *emu.Overlapped
		for i := 0; i < b.N; i++ {
			t.PostQueuedCompletionStatus(port, uint32(i), 7, &rec)
			if err := t.GetQueuedCompletionStatus(port, &n, &key, &ov, 0); err != nil || ov != &rec {
				panic(err)
			}
		}
		kbSinkN = n
	})
}

// Two threads (goroutine driver) hand the right to run back and forth
// through two auto-reset events; each iteration is two handoffs.
func BenchmarkGoroutineHandoff(b *testing.B) {
	b.ReportAllocs()
	s := emu.New(emu.WithoutTrace(), emu.WithLivelockBudget(0))
	b.Cleanup(s.Stop)
	var ping, pong emu.Handle
	ready := false
	s.Go("ping", func(t *emu.Thread) {
		ping, _ = t.CreateEvent(false, false)
		pong, _ = t.CreateEvent(false, false)
		ready = true
		t.Sleep(1) // let pong reach its first wait
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			t.SetEvent(ping)
			if r, _ := t.WaitForSingleObject(pong, emu.INFINITE); r != wso.WAIT_OBJECT_0 {
				panic(wso.WaitName(r))
			}
		}
		b.StopTimer()
	})
	s.Go("pong", func(t *emu.Thread) {
		for !ready {
			t.Sleep(0)
		}
		for i := 0; i < b.N; i++ {
			if r, _ := t.WaitForSingleObject(ping, emu.INFINITE); r != wso.WAIT_OBJECT_0 {
				panic(wso.WaitName(r))
			}
			t.SetEvent(pong)
		}
	})
	if err := s.Run(); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(2*b.N), "ns/handoff")
}
