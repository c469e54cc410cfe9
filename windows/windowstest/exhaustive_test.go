//go:build !windows || wsaemu

package windowstest_test

import (
	"os"
	"strings"
	"testing"

	"github.com/wsaemu/wsaemu/windows"
	"github.com/wsaemu/wsaemu/windows/windowstest"
)

// Exhaustive's promise: a correct body passes every schedule within the
// bound, the body runs once per schedule, and the reduction runs fewer
// schedules than the full search.
func TestExhaustiveCorrectBody(t *testing.T) {
	runs := 0
	st := windowstest.Exhaustive(t, udpReceive(&runs, false))
	if runs != st.Runs || runs < 2 {
		t.Errorf("the body ran %d times for %d schedules", runs, st.Runs)
	}
	full := 0
	fst := windowstest.Exhaustive(t, udpReceive(&full, false), windowstest.NoPrune())
	if st.Runs > fst.Runs {
		t.Errorf("%d schedules with the reduction, %d without", st.Runs, fst.Runs)
	}
	t.Logf("udpReceive, bound %d: %d schedules with the reduction, %d without", windowstest.DefaultBound, st.Runs, fst.Runs)
}

// Three threads on their own events: one interleaving class, so one
// schedule with the reduction (the machine's other decisions here have
// one alternative each).
func TestExhaustiveDisjointThreads(t *testing.T) {
	body := func(t windowstest.TB) {
		var evs [3]windows.Handle
		for i := range evs {
			evs[i], _ = windows.CreateEvent(nil, 1, 0, nil)
		}
		for i := range evs {
			ev := evs[i]
			windows.Go(func() {
				windows.SetEvent(ev)
				if r, _ := windows.WaitForSingleObject(ev, 0); r != windows.WAIT_OBJECT_0 {
					t.Errorf("own event not signalled: %#x", r)
				}
				windows.ResetEvent(ev)
			})
		}
	}
	st := windowstest.Exhaustive(t, body, windowstest.Bound(3))
	fst := windowstest.Exhaustive(t, body, windowstest.Bound(3), windowstest.NoPrune())
	if st.Runs != 1 || fst.Runs < 10 {
		t.Errorf("%d schedules with the reduction (want 1), %d without (want many)", st.Runs, fst.Runs)
	}
	t.Logf("3 threads on disjoint events, bound 3: %d schedules with the reduction, %d without", st.Runs, fst.Runs)
}

// TestChildExhaustiveBuggy is run by TestExhaustiveFindsAndReplaysTheBug
// in a child process (it fails on purpose).
func TestChildExhaustiveBuggy(t *testing.T) {
	if os.Getenv("EMU_WINDOWSTEST_CHILD") != "exhaustive" {
		t.Skip("run only as a child of TestExhaustiveFindsAndReplaysTheBug")
	}
	runs := 0
	windowstest.Exhaustive(t, udpReceive(&runs, true))
}

// The exhaustive search finds the buggy body's failing schedule, prints
// it as a -windowstest.run=choices=... command, and that command replays
// the failure alone.
func TestExhaustiveFindsAndReplaysTheBug(t *testing.T) {
	out, ok := childTest(t, "^TestChildExhaustiveBuggy$", "exhaustive")
	if ok {
		t.Fatalf("Exhaustive did not find the bug:\n%s", out)
	}
	i := strings.Index(out, "replay: go test -run '^TestChildExhaustiveBuggy$' -windowstest.run=choices=")
	if i < 0 || !strings.Contains(out, "returned at once") {
		t.Fatalf("no failing schedule and replay command in:\n%s", out)
	}
	flagArg := strings.Fields(out[i:])[5]
	if again, ok := childTest(t, "^TestChildExhaustiveBuggy$", "exhaustive", flagArg); ok || !strings.Contains(again, "returned at once") {
		t.Errorf("%s did not replay the failure:\n%s", flagArg, again)
	}
}
