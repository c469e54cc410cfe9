//go:build !windows || wsaemu

package iocpecho

import (
	"fmt"
	"testing"

	"github.com/wsaemu/wsaemu/provider"
	"github.com/wsaemu/wsaemu/windows/windowstest"
)

func run(o Options, res *Result) func() error {
	return func() error {
		r, err := Exchange(o)
		if res != nil {
			*res = r
		}
		return err
	}
}

var pair = windowstest.Pair{
	Fixed: run(Options{}, nil),
	Buggy: run(Options{WaitOnSkippedSuccess: true}, nil),
}

// The server sets the skip mode exactly when the catalogue's TCP entries
// all have XP1_IFS_HANDLES (Go's check, KB 2568167): on an IFS machine,
// not on a non-IFS one.
func TestSkipModeFollowsIFSFlag(t *testing.T) {
	for _, m := range []windowstest.Machine{windowstest.IFSMachine, windowstest.NonIFSMachine} {
		var res Result
		if _, err := windowstest.Once(m, windowstest.Usual, run(Options{}, &res)); err != nil {
			t.Fatalf("%s: %v", m.Name, err)
		}
		if res.SkipOnSuccess != (m.Kind == provider.IFS) {
			t.Errorf("%s: skip-on-success %v", m.Name, res.SkipOnSuccess)
		}
	}
}

// Both forms pass on the schedule Windows usually shows.
func TestUsualSchedule(t *testing.T) { windowstest.CheckUsual(t, pair) }

// The fixed server echoes every message on every schedule the pages
// permit that the choosers reach.
func TestFixedUnderSchedules(t *testing.T) {
	t.Logf("passed %d schedules", windowstest.CheckFixed(t, pair.Fixed))
}

// Bug (a): under the skip mode an immediate success posts no packet
// (SetFileCompletionNotificationModes page), so waiting on the port for
// one stalls the connection. It shows when a receive takes part of a
// message (a byte stream keeps no boundaries) and the rest is waiting when
// the next receive is posted; only the IFS machine sets the skip mode.
func TestBugWaitOnSkippedSuccessFound(t *testing.T) {
	s, err := windowstest.FindBug(t, windowstest.DefaultPlans()[0], pair.Buggy)
	t.Logf("ifs: first failing schedule %s: %v", s.Name, firstLine(err))
}

// Larger runs: more workers and clients than packets at a time.
func TestFixedWideUnderSeeds(t *testing.T) {
	wide := run(Options{Workers: 4, Clients: 5, Messages: 6}, nil)
	var plans []windowstest.Plan
	for _, p := range windowstest.DefaultPlans() {
		plans = append(plans, windowstest.Plan{Machine: p.Machine, Seeds: p.Seeds / 40})
	}
	windowstest.CheckFixed(t, wide, plans...)
}

func firstLine(err error) string {
	s := fmt.Sprint(err)
	for i, r := range s {
		if r == '\n' {
			return s[:i]
		}
	}
	return s
}
