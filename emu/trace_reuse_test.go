package emu

import "testing"

// WithTrace's promise: a run recording into a trace that earlier runs
// used (a longer one, then another seed) records what it records into a
// trace of its own, event for event, and nothing of the earlier runs is
// left in it.
func TestWithTraceReusedGivesTheSameTrace(t *testing.T) {
	run := func(seed uint64, opts ...Option) *Trace {
		s := New(append([]Option{WithSeed(seed)}, opts...)...)
		check := ktMixed(t, s)
		if err := s.Run(); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		check()
		return s.Trace()
	}
	kept := &Trace{}
	for _, seed := range []uint64{3, 1, 3, 2, 1} {
		want := run(seed)
		got := run(seed, WithTrace(kept))
		if got != kept {
			t.Fatalf("seed %d: WithTrace did not record into the trace it was given", seed)
		}
		if got.Len() != want.Len() {
			t.Fatalf("seed %d: %d events into the reused trace, %d into a new one", seed, got.Len(), want.Len())
		}
		for i := range want.Len() {
			if *got.At(i) != *want.At(i) {
				t.Fatalf("seed %d: event %d differs: %v, not %v", seed, i+1, got.At(i), want.At(i))
			}
		}
	}
	if run(1, WithTrace(nil)).Len() == 0 {
		t.Errorf("WithTrace(nil): no trace kept")
	}
}
