//go:build !windows || wsaemu

package windowstest

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/windows"
)

// DefaultBound is the number of non-default decisions (a preemption, a
// pend, a split, ...) an Exhaustive schedule may make unless Bound says
// otherwise; DefaultMaxRuns caps its runs.
const (
	DefaultBound   = 2
	DefaultMaxRuns = 20000
)

// Bound sets how many non-default decisions one schedule of Exhaustive
// may make (default DefaultBound).
func Bound(n int) Option { return func(c *config) { c.xbound = n } }

// MaxRuns caps the runs of Exhaustive (default DefaultMaxRuns; 0: no cap).
func MaxRuns(n int) Option { return func(c *config) { c.xmaxRuns = n } }

// NoPrune makes Exhaustive run every schedule within the bound, without
// the partial-order reduction (to compare).
func NoPrune() Option { return func(c *config) { c.xnoPrune = true } }

// Exhaustive runs body under every schedule of the machine's decisions
// within a bound (see Bound, MaxRuns), by emu.Explore: a stateless search
// that runs interleavings differing only in the order of steps on
// disjoint objects once (source-DPOR with sleep sets), and every
// alternative of the other decisions (pend, split, cancel, ...). Each run
// has the checks Run makes; the first failing run stops the test with its
// schedule as a replay command (-windowstest.run=choices=...), which
// replays it alone. It logs the search's numbers and returns them:
// schedules run, runs cut as redundant, whether the bound or the run cap
// left schedules out.
func Exhaustive(t *testing.T, body func(t TB), opts ...Option) emu.ExploreStats {
	t.Helper()
	c := newConfig(opts)
	if *flagOnly != "" {
		Run(t, body, opts...)
		return emu.ExploreStats{Runs: 1}
	}
	var current *emu.ExploreRun
	t.Cleanup(func() {
		// A body that called t.Fatal ended the test's goroutine mid-run:
		// say which schedule it was under (its decisions so far).
		if current != nil && t.Failed() {
			name := choicesName(current.Choices())
			t.Logf("windowstest: the failure above happened under the exhaustive search's schedule %s; replay: %s", name, replayCommand(t, name))
		}
	})
	st := emu.Explore(emu.ExploreOptions{Bound: c.xbound, MaxRuns: c.xmaxRuns, NoPrune: c.xnoPrune}, func(r *emu.ExploreRun) bool {
		current = r
		sys := c.system(Schedule{Name: "exhaustive", New: func() emu.Chooser { return r }})
		err := windows.RunMachine(sys, func() { body(t) })
		name := choicesName(r.Choices())
		if msg := verdict(sys, err, nil, t.Failed()); msg != "" {
			current = nil
			t.Fatalf("windowstest: exhaustive schedule %s failed: %s\nreplay: %s\n%s", name, msg, replayCommand(t, name), traceText(sys.Trace()))
		}
		current = nil
		return true
	})
	bound := "no"
	switch {
	case st.Budget:
		bound = "yes (run cap)"
	case st.BoundHit:
		bound = "yes"
	}
	t.Logf("windowstest: exhaustive: %d schedules (%d redundant, cut by the sleep sets), bound %d hit: %s", st.Runs, st.SleepBlocked, c.xbound, bound)
	if st.Diverged > 0 {
		t.Errorf("windowstest: exhaustive: %d replays did not reach the state their schedule had reached before: the body is not deterministic given the schedule (wall clock, map order, a goroutine of its own?)", st.Diverged)
	}
	return st
}

// choicesName is the schedule name of a run's decisions: "choices=" and
// the picks, dot-separated, trailing default ones left off.
func choicesName(cs []emu.Choice) string {
	for len(cs) > 0 && cs[len(cs)-1].Pick == 0 {
		cs = cs[:len(cs)-1]
	}
	var b strings.Builder
	b.WriteString("choices=")
	for i, ch := range cs {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(strconv.Itoa(ch.Pick))
	}
	return b.String()
}

// parseChoices turns "choices=P.P..." back into a schedule that makes
// those picks in order, then the default ones.
func parseChoices(name string) (Schedule, error) {
	list := strings.TrimPrefix(name, "choices=")
	var picks []int
	if list != "" {
		for _, f := range strings.Split(list, ".") {
			n, err := strconv.Atoi(f)
			if err != nil || n < 0 {
				return Schedule{}, fmt.Errorf("windowstest: schedule %q: %q is not a pick", name, f)
			}
			picks = append(picks, n)
		}
	}
	return Schedule{Name: name, New: func() emu.Chooser {
		i := 0
		return emu.FuncChooser(func(_ emu.Point, n int) int {
			if i >= len(picks) {
				return 0
			}
			p := picks[i]
			i++
			return p
		})
	}}, nil
}

// FindBugExhaustive searches every schedule of m's decisions within bound
// (the partial-order reduction on) for one under which buggy fails, in
// the order the search meets them, and fails the test when there is none.
// The schedule found is replayed through ParseSchedule and must fail the
// same way with the same trace. It returns the schedule (a choices=
// name), the search's numbers up to the find and buggy's error there.
func FindBugExhaustive(t testing.TB, m Machine, bound int, buggy func() error) (Schedule, emu.ExploreStats, error) {
	t.Helper()
	var found []emu.Choice
	var ferr error
	st := emu.Explore(emu.ExploreOptions{Bound: bound, MaxRuns: DefaultMaxRuns}, func(r *emu.ExploreRun) bool {
		sys := m.System(Schedule{Name: "exhaustive", New: func() emu.Chooser { return r }})
		var berr error
		rerr := windows.RunMachine(sys, func() { berr = buggy() })
		if msg := verdict(sys, rerr, berr, false); msg != "" {
			found, ferr = append([]emu.Choice(nil), r.Choices()...), fmt.Errorf("%s", msg)
			return false
		}
		return true
	})
	if ferr == nil {
		t.Errorf("buggy, %s: no failing schedule among %d within bound %d", m.Name, st.Runs, bound)
		return Schedule{}, st, nil
	}
	s, err := ParseSchedule(choicesName(found))
	if err != nil {
		t.Fatalf("buggy, %s: %v", m.Name, err)
	}
	trace, err1 := Once(m, s, buggy)
	trace2, err2 := Once(m, s, buggy)
	if err1 == nil || err2 == nil || err1.Error() != err2.Error() || trace != trace2 {
		t.Errorf("buggy, %s, %s: the replay does not fail alike: %v, then %v (traces equal: %v)", m.Name, s.Name, err1, err2, trace == trace2)
	}
	return s, st, ferr
}
