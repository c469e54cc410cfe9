//go:build !windows || wsaemu

package udproutine

import (
	"fmt"
	"testing"

	"github.com/wsaemu/wsaemu/examples/internal/schedules"
)

var pair = schedules.Pair{
	Fixed: func() error { return Exchange(Options{}) },
	Buggy: func() error { return Exchange(Options{TrustIssueOrder: true}) },
}

// Both forms pass on the schedule Windows usually shows (routines in the
// order their receives completed, which here is the order they were
// posted).
func TestUsualSchedule(t *testing.T) { schedules.CheckUsual(t, pair) }

// The fixed server takes every datagram once, intact, on every schedule.
func TestFixedUnderSchedules(t *testing.T) { schedules.CheckFixed(t, pair.Fixed) }

// Bug (b): completion routines may run in any order, not the order the
// operations were issued or completed in (the WSARecv and WSARecvFrom
// pages, lpCompletionRoutine): a routine that
// takes records in issue order reads a buffer that has not been filled and
// reposts a record still in use.
func TestBugTrustIssueOrderFound(t *testing.T) {
	for _, m := range schedules.Machines {
		name, err := schedules.FindBug(t, m, pair.Buggy)
		t.Logf("%s: first failing schedule %s: %v", m.Name, name, firstLine(err))
	}
}

// More receives posted than datagrams in flight, and more datagrams.
func TestFixedWideUnderSeeds(t *testing.T) {
	wide := func() error { return Exchange(Options{Datagrams: 40, Receives: 5}) }
	for _, m := range schedules.Machines {
		for n := uint64(1); n <= schedules.Seeds()/10; n++ {
			if err, _ := schedules.Run(m, schedules.Swarm(n), wide); err != nil {
				t.Fatalf("%s, swarm/%d: %v", m.Name, n, err)
			}
		}
	}
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
