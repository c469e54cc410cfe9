package emu

import (
	"runtime"
	"testing"
)

// poolRun is one step-driven run that leaves its threads in every state a
// stopped System can find them in: A idle after its calls, B blocked in
// an alertable wait, C never given a command, D exited (ExitThread), E
// ended by a panic in its command. It returns the trace and adds the ids
// of the goroutines that ran the threads to gids.
func poolRun(t *testing.T, seed uint64, gids map[int64]bool, opts ...Option) *Trace {
	s := New(append([]Option{WithSeed(seed)}, opts...)...)
	st, err := s.Stepper()
	if err != nil {
		t.Fatal(err)
	}
	a, b := st.NewThread("A"), st.NewThread("B")
	st.NewThread("C")
	d, e := st.NewThread("D"), st.NewThread("E")
	var ev Handle
	ktCall(t, st, a, func(th *Thread) {
		ev = ktEvent(t, th, true, false)
		rh, wh, _ := th.CreatePipe(PipeOptions{Capacity: 4})
		var n uint32
		th.WriteFile(wh, []byte("ab"), &n, nil)
		th.ReadFile(rh, make([]byte, 2), &n, nil)
	})
	ktCall(t, st, b, func(th *Thread) { th.WaitForSingleObjectEx(ev, INFINITE, true) })
	ktCall(t, st, d, func(th *Thread) { th.ExitThread(7) })
	ktCall(t, st, e, func(th *Thread) { panic("a step's own bug") })
	st.Settle()
	if len(s.Panics()) != 1 || !d.Exited() || !e.Exited() || !b.Blocked() {
		t.Fatalf("seed %d: panics %d, D exited %v, E exited %v, B blocked %v", seed, len(s.Panics()), d.Exited(), e.Exited(), b.Blocked())
	}
	s.Stop()
	for _, th := range s.Threads() {
		gids[th.gid.Load()] = true
	}
	return s.Trace()
}

// WithGoroutinePool's promise: which goroutine runs a thread is not
// observable. Runs on a pool trace exactly what runs without one do, and
// the pool's goroutines are reused: many runs one after the other leave
// about as many goroutines as one run needs, and Close ends them.
func TestGoroutinePoolRunsAsWithout(t *testing.T) {
	before := runtime.NumGoroutine()
	p := NewGoroutinePool()
	own, pooled := map[int64]bool{}, map[int64]bool{}
	for seed := uint64(1); seed <= 30; seed++ {
		want, got := poolRun(t, seed, own), poolRun(t, seed, pooled, WithGoroutinePool(p))
		if got.Len() != want.Len() {
			t.Fatalf("seed %d: %d events on the pool, %d without", seed, got.Len(), want.Len())
		}
		for i := range want.Len() {
			if *got.At(i) != *want.At(i) {
				t.Fatalf("seed %d: event %d on the pool: %v; without: %v", seed, i+1, got.At(i), want.At(i))
			}
		}
	}
	// Five threads a run, one of which (D) ends its goroutine with
	// ExitThread: on the pool the other four run on the same goroutines
	// run after run.
	if len(own) != 150 || len(pooled) > 30+10 {
		t.Errorf("30 runs of 5 threads ran on %d goroutines without a pool (want 150) and %d on one (want at most 40)", len(own), len(pooled))
	}
	if n := settleGoroutines(before + 10); n > before+10 {
		t.Errorf("goroutines: %d before, %d after 30 runs on a pool", before, n)
	}
	p.Close()
	if n := settleGoroutines(before + 2); n > before+2 {
		t.Errorf("goroutines: %d before, %d after the pool closed", before, n)
	}
	// A closed pool still runs threads.
	if poolRun(t, 1, pooled, WithGoroutinePool(p)).Len() == 0 {
		t.Errorf("a run on a closed pool kept no trace")
	}
}

// The same promise for step threads run as coroutines (hang watchdog
// off): on a pool they trace exactly as without one; the pool's
// coroutines serve run after run (so a run does not start a goroutine,
// nor grow a stack, per thread), a released System's threads are made
// again in the same memory, and Close ends the idle coroutines.
func TestGoroutinePoolCoroutinesRunAsWithout(t *testing.T) {
	before := runtime.NumGoroutine()
	p := NewGoroutinePool()
	own, pooled := map[int64]bool{}, map[int64]bool{}
	seen := map[*Thread]bool{}
	reused := 0
	for seed := uint64(1); seed <= 30; seed++ {
		want := poolRun(t, seed, own, WithHangTimeout(0))
		var sys *System
		got := poolRun(t, seed, pooled, WithHangTimeout(0), WithGoroutinePool(p), func(s *System) { sys = s })
		if got.Len() != want.Len() {
			t.Fatalf("seed %d: %d events on the pool, %d without", seed, got.Len(), want.Len())
		}
		for i := range want.Len() {
			if *got.At(i) != *want.At(i) {
				t.Fatalf("seed %d: event %d on the pool: %v; without: %v", seed, i+1, got.At(i), want.At(i))
			}
		}
		for _, th := range sys.Threads() {
			if seen[th] {
				reused++
			}
			seen[th] = true
		}
		sys.Release()
	}
	// Five threads a run, each on a coroutine: without a pool 150
	// coroutines (goroutines), on one the same five run after run.
	if len(own) != 150 || len(pooled) > 10 {
		t.Errorf("30 runs of 5 threads ran on %d coroutines without a pool (want 150) and %d on one (want at most 10)", len(own), len(pooled))
	}
	if reused < 29*5 {
		t.Errorf("released Systems' threads were made again %d times in 29 later runs of 5 threads, want %d", reused, 29*5)
	}
	p.Close()
	if n := settleGoroutines(before + 2); n > before+2 {
		t.Errorf("goroutines: %d before, %d after the pool closed", before, n)
	}
}
