//go:build !windows || wsaemu

package connecttimeout

import (
	"testing"

	"github.com/wsaemu/wsaemu/windows/windowstest"
)

// The fixed client passes every schedule with at most two unusual
// decisions (a receive that pends, a cancel that loses to the completion,
// a preemption), not only the sampled ones.
func TestFixedExhaustive(t *testing.T) {
	windowstest.Exhaustive(t, func(t windowstest.TB) {
		if err := pair.Fixed(); err != nil {
			t.Fatalf("%v", err)
		}
	}, windowstest.Bound(2))
}

// Bug (c), the record of a cancelled receive reused before its
// completion is seen, is within two unusual decisions of the usual
// schedule: the exhaustive search finds it, on both machines.
func TestBugReuseAfterCancelFoundExhaustively(t *testing.T) {
	for _, m := range []windowstest.Machine{windowstest.IFSMachine, windowstest.NonIFSMachine} {
		s, st, err := windowstest.FindBugExhaustive(t, m, 2, pair.Buggy)
		t.Logf("%s: schedule %s, after %d runs: %v", m.Name, s.Name, st.Runs, firstLine(err))
	}
}
