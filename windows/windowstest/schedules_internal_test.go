//go:build !windows || wsaemu

package windowstest

import "testing"

// Issue 14's promise for the examples: the plain test run tries at least
// 10,000 schedules on a fixed program (fewer under -race and -short,
// which the README states).
func TestDefaultPlansCount(t *testing.T) {
	n := 0
	for _, p := range DefaultPlans() {
		n += p.Schedules()
	}
	switch {
	case testing.Short():
		if n != 202 {
			t.Errorf("-short: %d schedules, the docs say 202", n)
		}
	case raceEnabled:
		if n != 2002 {
			t.Errorf("-race: %d schedules, the docs say 2,002", n)
		}
	default:
		if n != 10002 {
			t.Errorf("%d schedules, the docs say 10,002 (the issue asks for at least 10,000)", n)
		}
	}
}

// A schedule's name is what -windowstest.run takes to replay it.
func TestScheduleNamesParse(t *testing.T) {
	for _, s := range []Schedule{Usual, Hostile, Seeded(7), Swarm(9)} {
		got, err := ParseSchedule(s.Name)
		if err != nil || got.Name != s.Name {
			t.Errorf("ParseSchedule(%q) = %q, %v", s.Name, got.Name, err)
		}
	}
	if _, err := ParseSchedule("seed=x"); err == nil {
		t.Error(`ParseSchedule("seed=x") accepted a seed that is not a number`)
	}
}
