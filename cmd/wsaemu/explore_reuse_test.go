package main

import (
	"bytes"
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
