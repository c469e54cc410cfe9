package emu

import "testing"

// Release lets go of everything that could reach the released System
// from outside: the ExploreRun that chose for it no longer points to it
// (the next System may be built in its memory), and the System holds no
// thread, provider, trace or chooser of its run.
func TestReleaseLetsGoOfTheSystem(t *testing.T) {
	p := NewGoroutinePool()
	defer p.Close()
	tr := &Trace{}
	Explore(ExploreOptions{Bound: 1, MaxRuns: 3}, func(r *ExploreRun) bool {
		s := New(WithChooser(r), WithHangTimeout(0), WithGoroutinePool(p), WithTrace(tr))
		st, err := s.Stepper()
		if err != nil {
			t.Fatal(err)
		}
		a, b := st.NewThread("A"), st.NewThread("B")
		var ev Handle
		st.Call(a, func(th *Thread) { ev, _ = th.CreateEvent(false, false) })
		st.Call(b, func(th *Thread) { th.WaitForSingleObject(ev, INFINITE) })
		st.Call(a, func(th *Thread) { th.SetEvent(ev) })
		st.Settle()
		s.Stop()
		if r.s != s {
			t.Fatalf("the run was not attached to its System")
		}
		s.Release()
		if r.s != nil {
			t.Errorf("the ExploreRun still points to the released System")
		}
		if s.chooser != nil || s.trace != nil || s.xp != nil || len(s.threads) != 0 || s.ws2.prov != nil || s.pool != nil {
			t.Errorf("the released System still holds its run's chooser, trace, threads, provider or pool")
		}
		return true
	})
}
