package emu

import (
	"slices"
	"testing"
)

// pctProgram runs two threads of n emulated calls each in goroutine mode
// (every call is a preemption point) and returns the order in which the
// calls ran ("A" or "B" per call) and what B saw of A's progress: A writes
// its step number before each of its calls, B reads it before each of its
// own.
func pctProgram(t *testing.T, c Chooser, n int) (order []string, seen []int) {
	t.Helper()
	s := New(WithChooser(c), WithoutTrace())
	a := 0
	s.Go("A", func(th *Thread) {
		for i := 1; i <= n; i++ {
			a = i
			order = append(order, "A")
			th.WSACreateEvent()
		}
		a = n + 1
	})
	s.Go("B", func(th *Thread) {
		for i := 0; i < n; i++ {
			seen = append(seen, a)
			order = append(order, "B")
			th.WSACreateEvent()
		}
	})
	if err := s.Run(); err != nil {
		t.Fatal(err)
	}
	return order, seen
}

// switches counts how often consecutive calls came from different threads.
func switches(order []string) int {
	k := 0
	for i := 1; i < len(order); i++ {
		if order[i] != order[i-1] {
			k++
		}
	}
	return k
}

// The bug of the test below: B runs entirely while A is at step mid — it
// needs A to be preempted at exactly that step and B to run to its end
// without A coming back, an ordering of depth 2.
func depth2Bug(seen []int, mid int) bool {
	for _, v := range seen {
		if v != mid {
			return false
		}
	}
	return len(seen) > 0
}

// PCTChooser: the same seed and depth give the same decisions, and so the
// same schedule (the promise of a seed, as for SeededChooser).
func TestPCTChooserDeterministicPerSeed(t *testing.T) {
	distinct := map[string]bool{}
	for seed := uint64(1); seed <= 20; seed++ {
		run := func() ([]string, []Choice) {
			c := PCTChooser(seed, 3).SetLength(24)
			c.Record = true
			order, _ := pctProgram(t, c, 10)
			return order, c.Choices
		}
		o1, c1 := run()
		o2, c2 := run()
		if !slices.Equal(o1, o2) || !slices.Equal(c1, c2) {
			t.Fatalf("seed %d: two runs of the same seed differ:\n%v\n%v", seed, o1, o2)
		}
		distinct[join(o1)] = true
	}
	if len(distinct) < 3 {
		t.Errorf("20 seeds gave only %d distinct schedules", len(distinct))
	}
}

func join(s []string) string {
	out := ""
	for _, x := range s {
		out += x
	}
	return out
}

// With depth 1 there is no change point: priorities never change, so the
// higher-priority thread runs all its calls before the other runs any (one
// switch, no preemption), whatever the seed — and both orders occur.
func TestPCTChooserDepth1NeverPreempts(t *testing.T) {
	first := map[string]int{}
	for seed := uint64(1); seed <= 40; seed++ {
		c := PCTChooser(seed, 1)
		if len(c.ChangePoints()) != 0 {
			t.Fatalf("seed %d: depth 1 drew change points %v", seed, c.ChangePoints())
		}
		order, _ := pctProgram(t, c, 8)
		if k := switches(order); k != 1 {
			t.Fatalf("seed %d, depth 1: %d switches between threads (%v), want 1", seed, k, order)
		}
		first[order[0]]++
	}
	if first["A"] == 0 || first["B"] == 0 {
		t.Errorf("depth 1 over 40 seeds always ran the same thread first: %v", first)
	}
}

// With depth d there are d-1 change points, so at most d-1 preemptions
// beyond the priority order; depth 2 reaches orderings with exactly one
// preemption that depth 1 never reaches.
func TestPCTChooserDepthBoundsSwitches(t *testing.T) {
	for seed := uint64(1); seed <= 60; seed++ {
		c := PCTChooser(seed, 3).SetLength(20)
		order, _ := pctProgram(t, c, 8)
		// each change point can add at most two switches (away and back)
		if k := switches(order); k > 1+2*2 {
			t.Fatalf("seed %d, depth 3: %d switches (%v)", seed, k, order)
		}
	}
}

// PCT finds a depth-2 ordering bug that a uniform draw finds rarely: the
// paper's guarantee is at least 1/(t·k) per run for t=2 threads and k
// steps; a uniform chooser must refuse a preemption at each of B's calls.
// Over the same 300 seeds PCT (depth 2) must hit the bug many times and
// far more often than SeededChooser.
func TestPCTChooserFindsDepth2Bug(t *testing.T) {
	const n, mid, seeds = 10, 5, 300
	length := func() int {
		c := PCTChooser(0, 1)
		pctProgram(t, c, n)
		return c.Steps()
	}()
	pct, uniform := 0, 0
	for seed := uint64(1); seed <= seeds; seed++ {
		if _, seen := pctProgram(t, PCTChooser(seed, 2).SetLength(length), n); depth2Bug(seen, mid) {
			pct++
		}
		if _, seen := pctProgram(t, SeededChooser(seed), n); depth2Bug(seen, mid) {
			uniform++
		}
	}
	t.Logf("run length %d steps; bug hit by PCT depth 2 in %d of %d seeds, by the uniform chooser in %d", length, pct, seeds, uniform)
	// 1/(2k) with k about 2n is about 1/40: over 300 seeds, several.
	if pct < 3 {
		t.Errorf("PCT depth 2 hit the depth-2 bug %d times in %d seeds, want at least 3", pct, seeds)
	}
	if pct <= 4*uniform {
		t.Errorf("PCT hit the bug %d times, the uniform chooser %d: want PCT far ahead", pct, uniform)
	}
	// depth 1 cannot: B runs before A starts or after A ends.
	for seed := uint64(1); seed <= 50; seed++ {
		if _, seen := pctProgram(t, PCTChooser(seed, 1), n); depth2Bug(seen, mid) {
			t.Fatalf("seed %d: depth 1 reached a depth-2 ordering", seed)
		}
	}
}

// Decisions that are not about which thread runs are drawn as
// SeededChooser draws them; without Candidates (a System that does not
// tell) even scheduling decisions fall back to that draw.
func TestPCTChooserOtherPointsUniform(t *testing.T) {
	c := PCTChooser(7, 2)
	s := SeededChooser(7)
	for i := 0; i < 200; i++ {
		p := []Point{PointPend, PointAPCOrder, PointCancel, PointSchedule}[i%4]
		if got, want := c.Choose(p, 2+i%5), s.Choose(p, 2+i%5); got != want {
			t.Fatalf("decision %d (%s): PCT %d, seeded %d", i, p, got, want)
		}
	}
	if c.Steps() != 0 {
		t.Errorf("no Candidates were given, yet %d scheduling steps counted", c.Steps())
	}
}
