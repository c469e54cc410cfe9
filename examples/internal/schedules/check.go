//go:build !windows || wsaemu

package schedules

import (
	"testing"
)

// Seeds is how many seeds of each chooser a test runs: 1000, 200 under
// -race, 100 with -short. (The windowstest harness is to run 10,000.)
func Seeds() uint64 {
	switch {
	case testing.Short():
		return 100
	case raceEnabled:
		return 200
	}
	return 1000
}

// Pair is an example's exchange in its fixed and its buggy form.
type Pair struct {
	Fixed, Buggy func() error
}

// CheckUsual asserts that both forms pass on the usual schedule, on every
// machine: the buggy one too, as such bugs are shipped.
func CheckUsual(t *testing.T, p Pair) {
	t.Helper()
	for _, m := range Machines {
		if err, _ := Run(m, Usual, p.Fixed); err != nil {
			t.Errorf("fixed, %s, usual schedule: %v", m.Name, err)
		}
		if err, _ := Run(m, Usual, p.Buggy); err != nil {
			t.Errorf("buggy, %s, usual schedule: %v (the seeded bug must not show on the usual schedule)", m.Name, err)
		}
	}
}

// CheckFixed asserts that the fixed form passes on the hostile schedule
// and on Seeds() seeds of the seeded and the swarm chooser, on every
// machine.
func CheckFixed(t *testing.T, fixed func() error) {
	t.Helper()
	for _, m := range Machines {
		if err, _ := Run(m, Hostile, fixed); err != nil {
			t.Errorf("fixed, %s, hostile schedule: %v", m.Name, err)
		}
		failed := 0
		for n := uint64(1); n <= Seeds() && failed < 3; n++ {
			for _, c := range []Chooser{Seeded(n), Swarm(n)} {
				if err, _ := Run(m, c, fixed); err != nil {
					t.Errorf("fixed, %s, %s: %v", m.Name, c.Name, err)
					failed++
				}
			}
		}
	}
}

// FindBug searches the hostile schedule, then seeds 1..Seeds() of the
// seeded and swarm choosers, for a schedule on which buggy fails, on
// machine m; it fails the test when there is none. A found schedule is
// rerun and must fail the same way with the same trace (a seed is a
// replay). It returns the schedule's name and the error.
func FindBug(t *testing.T, m Machine, buggy func() error) (string, error) {
	t.Helper()
	try := func(c Chooser) (string, error, bool) {
		err, trace := Run(m, c, buggy)
		if err == nil {
			return "", nil, false
		}
		err2, trace2 := Run(m, c, buggy)
		if err2 == nil || err2.Error() != err.Error() || trace2 != trace {
			t.Errorf("%s, %s: the rerun differs: %v, then %v (traces equal: %v)", m.Name, c.Name, err, err2, trace == trace2)
		}
		return c.Name, err, true
	}
	if name, err, ok := try(Hostile); ok {
		return name, err
	}
	for n := uint64(1); n <= Seeds(); n++ {
		for _, c := range []Chooser{Seeded(n), Swarm(n)} {
			if name, err, ok := try(c); ok {
				return name, err
			}
		}
	}
	t.Errorf("buggy, %s: no failing schedule in the hostile one and %d seeds of two choosers", m.Name, Seeds())
	return "", nil
}
