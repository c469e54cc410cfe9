//go:build !windows || wsaemu

package udproutine

import (
	"fmt"
	"testing"

	"github.com/wsaemu/wsaemu/windows/windowstest"
)

var pair = windowstest.Pair{
	Fixed: func() error { return Exchange(Options{}) },
	Buggy: func() error { return Exchange(Options{TrustIssueOrder: true}) },
}

// Both forms pass on the schedule Windows usually shows (routines in the
// order their receives completed, which here is the order they were
// posted).
func TestUsualSchedule(t *testing.T) { windowstest.CheckUsual(t, pair) }

// The fixed server takes every datagram once, intact, on every schedule.
func TestFixedUnderSchedules(t *testing.T) {
	t.Logf("passed %d schedules", windowstest.CheckFixed(t, pair.Fixed))
}

// Bug (b): completion routines may run in any order, not the order the
// operations were issued or completed in (the WSARecv and WSARecvFrom
// pages, lpCompletionRoutine): a routine that
// takes records in issue order reads a buffer that has not been filled and
// reposts a record still in use.
func TestBugTrustIssueOrderFound(t *testing.T) {
	for _, p := range windowstest.DefaultPlans() {
		s, err := windowstest.FindBug(t, p, pair.Buggy)
		t.Logf("%s: first failing schedule %s: %v", p.Machine.Name, s.Name, firstLine(err))
	}
}

// More receives posted than datagrams in flight, and more datagrams.
func TestFixedWideUnderSeeds(t *testing.T) {
	wide := func() error { return Exchange(Options{Datagrams: 40, Receives: 5}) }
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
