package main

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"io"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/spec"
	"github.com/wsaemu/wsaemu/spec/emulated"
)

// seededTrace runs the scenario at path under seed and returns its trace.
func seededTrace(t *testing.T, path string, seed uint64) *emu.Trace {
	t.Helper()
	sc, err := spec.ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	em := &emulated.Emulator{}
	spec.Run(sc, em, spec.RunConfig{Kind: "ifs", Profile: "windows", Seed: seed, Seeded: true})
	return em.System().Trace()
}

// explore's determinism check ("a sample of seeds is run twice to check
// that the same seed gives the same trace") compares the traces event by
// event: the same schedule compares equal, another schedule does not, and
// a difference in a field the text rendering leaves out is still one.
func TestTraceDifferenceFindsAnyDifferingEvent(t *testing.T) {
	const path = "../../spec/scenarios/wsasend/routine.scenario"
	a, b := seededTrace(t, path, 7), seededTrace(t, path, 7)
	if d := traceDifference(a, b); d != "" || a.Len() == 0 {
		t.Fatalf("the same seed: %q (%d events)", d, a.Len())
	}
	other := false
	for seed := uint64(8); seed < 100 && !other; seed++ {
		if o := seededTrace(t, path, seed); o.String() != a.String() {
			other = true
			if d := traceDifference(a, o); d == "" {
				t.Errorf("seeds 7 and %d render differently but compare the same", seed)
			}
		}
	}
	if !other {
		t.Fatalf("%s: no seed below 100 gives another schedule than seed 7", path)
	}
	// A copy through JSON, then one field the text does not show changed.
	var buf bytes.Buffer
	if err := a.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	c, err := emu.ReadJSON(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if d := traceDifference(a, c); d != "" {
		t.Fatalf("a trace and its JSON copy: %q", d)
	}
	changed := -1
	for i, ev := range c.All() {
		if ev.Kind == emu.EvCall {
			ev.Handle ^= 4 // a call event's text shows its name and arguments, not this
			changed = i
			break
		}
	}
	if changed < 0 {
		t.Fatal("no call event in the trace")
	}
	if a.String() != c.String() {
		t.Fatalf("the changed field shows in the text; pick one that does not")
	}
	d := traceDifference(a, c)
	if !strings.Contains(d, "first difference at event") {
		t.Errorf("a changed Handle of event %d: %q", changed+1, d)
	}
	// One event fewer.
	if d := traceDifference(a, &emu.Trace{}); !strings.Contains(d, "the first has") {
		t.Errorf("an empty trace against %d events: %q", a.Len(), d)
	}
	if d := traceDifference(a, nil); d == "" {
		t.Errorf("a trace against none: the same")
	}
}

// reportText is what a run reported, step by step: outcomes, completions,
// failures, then findings, liveness and the error, if any.
func reportText(rep *spec.Report) string {
	var b strings.Builder
	for _, s := range rep.Steps {
		fmt.Fprintf(&b, "%d %d-%d %+v %v %v %v\n", s.Step.Line, s.TraceFrom, s.TraceTo, s.Result, s.Outcome, s.Completions, s.Failures)
	}
	fmt.Fprintf(&b, "%d steps, findings %q expected %q liveness %q err %v\n", len(rep.Steps), rep.Findings, rep.Expected, rep.Liveness, rep.Err)
	return b.String()
}

// Explore runs every scenario on emulators kept from run to run (each
// Start reuses what the last run allocated), whose threads run on a pool
// of goroutines. The promise is that this is
// invisible: "same seed, same trace, byte for byte". Every scenario of the
// corpus, under each of its configurations and a few schedules, run on an
// emulator that has just run other scenarios (in corpus order, so each
// follows a different one) gives the trace and the report a new emulator
// gives, event for event; its report, written over the last one's
// (spec.RunInto), is the report a new run makes.
func TestReusedEmulatorRunsAsANewOne(t *testing.T) {
	scs, code := load([]string{"../../spec/scenarios", "../../tests/bugs/scenarios"}, io.Discard)
	if code != 0 || len(scs) < 400 {
		t.Fatalf("the corpus: exit %d, %d scenarios", code, len(scs))
	}
	reused := newEmulator()
	reused.Pool = emu.NewGoroutinePool() // as explore's workers run
	defer reused.Pool.Close()
	var kept *spec.Report // the reused emulator's reports, one after the other
	runs := 0
	for _, sc := range scs {
		for _, cfg := range configs(sc, "all", "all") {
			for _, mode := range []string{"seeded", "swarm", "hostile"} {
				c := cfg
				switch mode {
				case "seeded":
					c.Seed, c.Seeded = uint64(runs%7+1), true
				case "swarm":
					c.Seed, c.Seeded, c.Swarm = uint64(runs%5+1), true, true
				case "hostile":
					c.Hostile = true
				}
				fresh := newEmulator()
				want := spec.Run(sc, fresh, c)
				got := spec.RunInto(kept, sc, reused, c)
				kept = got
				runs++
				if d := traceDifference(fresh.System().Trace(), reused.System().Trace()); d != "" {
					t.Fatalf("%s [%s/%s] %s: the reused emulator's trace differs: %s", sc.File, c.Kind, c.Profile, mode, d)
				}
				if w, g := reportText(want)+stateText(sc, fresh), reportText(got)+stateText(sc, reused); w != g {
					t.Fatalf("%s [%s/%s] %s: the reused emulator reports\n%s\na new one\n%s", sc.File, c.Kind, c.Profile, mode, g, w)
				}
			}
		}
	}
	t.Logf("%d runs compared", runs)
}

// stateText is what the run left in every declared object the backend
// shows: buffers' bytes, records' fields, routines' calls, events' states.
func stateText(sc *spec.Scenario, em *emulated.Emulator) string {
	var b strings.Builder
	for _, d := range sc.Decls {
		switch d.Kind {
		case "buffer":
			v, err := em.Buffer(d.Name)
			h := fnv.New64a()
			h.Write(v)
			fmt.Fprintf(&b, "%s %d %d %#x %v\n", d.Name, len(v), cap(v), h.Sum64(), err)
		case "overlapped":
			v, err := em.Overlapped(d.Name)
			fmt.Fprintf(&b, "%s %+v %v\n", d.Name, v, err)
		case "routine", "apc":
			v, err := em.Routine(d.Name)
			fmt.Fprintf(&b, "%s %+v %v\n", d.Name, v, err)
		case "event":
			v, err := em.EventSignalled(d.Name)
			fmt.Fprintf(&b, "%s %v %v\n", d.Name, v, err)
		}
	}
	return b.String()
}

// explore runs with a larger GOGC of its own (unless GOGC is set), and
// with fewer workers than processors on as many processors as workers
// (unless GOMAXPROCS is set), and gives the process its settings back
// when it returns: the CLI's commands also run inside other programs (the
// tests, testscript).
func TestExploreRestoresGCPercentAndProcs(t *testing.T) {
	old := debug.SetGCPercent(123)
	defer debug.SetGCPercent(old)
	oldProcs := runtime.GOMAXPROCS(3)
	defer runtime.GOMAXPROCS(oldProcs)
	exploreOut(t, "-seeds", "2", "-workers", "1", "../../spec/scenarios/wsasend")
	if got := debug.SetGCPercent(old); got != 123 {
		t.Errorf("after explore the GC percent is %d, not the 123 it was", got)
	}
	if got := runtime.GOMAXPROCS(0); got != 3 {
		t.Errorf("after explore -workers 1 GOMAXPROCS is %d, not the 3 it was", got)
	}
}
