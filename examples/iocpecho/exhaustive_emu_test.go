//go:build !windows || wsaemu

package iocpecho

import (
	"testing"

	"github.com/wsaemu/wsaemu/windows/windowstest"
)

// The fixed server passes every schedule with at most one unusual
// decision (a preemption, a receive that pends or takes part of what is
// waiting, ...), not only the sampled ones. (At bound 2 the tree exceeds
// 20,000 schedules: the sampled plans cover that depth.)
func TestFixedExhaustive(t *testing.T) {
	windowstest.Exhaustive(t, func(t windowstest.TB) {
		if err := pair.Fixed(); err != nil {
			t.Fatalf("%v", err)
		}
	}, windowstest.Bound(1))
}

// Bug (a) is one unusual decision from the usual schedule on the IFS
// machine (the only one that sets the skip mode): the exhaustive search
// finds it.
func TestBugWaitOnSkippedSuccessFoundExhaustively(t *testing.T) {
	s, st, err := windowstest.FindBugExhaustive(t, windowstest.IFSMachine, 1, pair.Buggy)
	t.Logf("ifs: schedule %s, after %d runs: %v", s.Name, st.Runs, firstLine(err))
}
