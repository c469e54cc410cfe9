//go:build !windows || wsaemu

package windowstest

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/provider"
	"github.com/wsaemu/wsaemu/windows"
)

// This file is the lower level Run and Rapid are built from, for tests
// that want to pick their own schedules and machines or compare a buggy
// and a fixed form of a program: Schedule names one schedule, Machine one
// machine configuration, Once runs a body once on a pair of them, and
// FindBug, CheckFixed and CheckUsual are the checks a buggy/fixed pair
// needs.

// Schedule is one schedule: a name, which is also what -windowstest.run
// accepts to replay it ("usual", "hostile", "seed=N", "swarm=N"), and a
// function that builds a fresh chooser for each run.
type Schedule struct {
	Name string
	New  func() emu.Chooser
}

// Usual is the schedule Windows usually shows (emu.UsualChooser): the
// fast path at every decision.
var Usual = Schedule{"usual", emu.UsualChooser}

// Hostile takes the permitted alternative programs least expect at every
// decision (emu.HostileChooser).
var Hostile = Schedule{"hostile", emu.HostileChooser}

// Seeded is seed n of the seeded chooser (emu.SeededChooser): every
// decision drawn uniformly.
func Seeded(n uint64) Schedule {
	return Schedule{"seed=" + strconv.FormatUint(n, 10), func() emu.Chooser { return emu.SeededChooser(n) }}
}

// Swarm is seed n of the swarm chooser (emu.SwarmChooser): each seed
// draws its own biases per kind of decision, so some schedules pend
// nearly everything and others almost nothing.
func Swarm(n uint64) Schedule {
	return Schedule{"swarm=" + strconv.FormatUint(n, 10), func() emu.Chooser { return emu.SwarmChooser(n) }}
}

// ParseSchedule turns a schedule's name back into the schedule.
func ParseSchedule(name string) (Schedule, error) {
	switch {
	case name == Usual.Name:
		return Usual, nil
	case name == Hostile.Name:
		return Hostile, nil
	case strings.HasPrefix(name, "choices="):
		return parseChoices(name)
	case strings.HasPrefix(name, "seed="), strings.HasPrefix(name, "swarm="):
		kind, num, _ := strings.Cut(name, "=")
		n, err := strconv.ParseUint(num, 10, 64)
		if err != nil {
			return Schedule{}, fmt.Errorf("windowstest: schedule %q: the seed is not a number", name)
		}
		if kind == "seed" {
			return Seeded(n), nil
		}
		return Swarm(n), nil
	}
	return Schedule{}, fmt.Errorf("windowstest: schedule %q: want usual, hostile, seed=N, swarm=N or choices=P.P...", name)
}

// describe is the schedule's name in a sentence.
func (s Schedule) describe() string {
	switch {
	case s.Name == Usual.Name:
		return "the usual schedule"
	case s.Name == Hostile.Name:
		return "the hostile chooser"
	case strings.HasPrefix(s.Name, "choices="):
		return "the exhaustive search's schedule " + s.Name
	}
	kind, num, _ := strings.Cut(s.Name, "=")
	return kind + " " + num
}

// Machine is one machine configuration: a provider kind and any further
// emulator options.
type Machine struct {
	Name    string
	Kind    provider.Kind
	Options []emu.Option // applied after the defaults (see System)
}

// IFSMachine is a machine whose TCP and UDP providers are IFS ones, as Windows'
// own are.
var IFSMachine = Machine{Name: "ifs", Kind: provider.IFS}

// NonIFSMachine is a machine whose providers are not IFS ones: what a program
// sees on a machine with a non-IFS layered provider installed.
var NonIFSMachine = Machine{Name: "nonifs", Kind: provider.NonIFS}

// System builds the System for one run on m under s: m's provider kind,
// the windows profile, the sanitizer failing the run at the first misuse
// (emu.SanitizeFailFast), out-parameters a pending call leaves unwritten
// poisoned (emu.WithPoison), byte streams delivered in pieces the
// schedule picks (emu.WithSplits), then m.Options, then s's chooser.
func (m Machine) System(s Schedule) *emu.System {
	opts := []emu.Option{emu.WithProviderKind(m.Kind), emu.WithProfile(emu.ProfileWindows),
		emu.WithSanitizer(emu.SanitizeFailFast), emu.WithPoison(), emu.WithSplits()}
	opts = append(opts, m.Options...)
	opts = append(opts, emu.WithChooser(s.New()))
	return emu.New(opts...)
}

// Once runs body once, as the first emulated thread of m.System(s), and
// says how the run went: err is the first of the machine's error (a
// deadlock, a livelock, a hang, a thread's panic, a fail-fast sanitizer
// finding), the sanitizer's findings (with a report-mode sanitizer in
// m.Options), body's error, and the liveness check (an I/O request that
// did not complete exactly once); trace is the run's whole trace as text,
// so a rerun can be compared with it byte for byte.
func Once(m Machine, s Schedule, body func() error) (trace string, err error) {
	return once(m, s, body, true)
}

// once is Once; without withTrace it leaves the trace unformatted (most
// of a passing run's cost when formatted), and returns "" for it.
func once(m Machine, s Schedule, body func() error, withTrace bool) (trace string, err error) {
	sys := m.System(s)
	var berr error
	rerr := windows.RunMachine(sys, func() { berr = body() })
	if msg := verdict(sys, rerr, berr, false); msg != "" {
		err = fmt.Errorf("%s", msg)
	}
	if tr := sys.Trace(); tr != nil && withTrace {
		trace = tr.String()
	}
	return trace, err
}

// Plan is how many schedules the checks below try on one machine: the
// hostile one, and seeds 1..Seeds of the seeded chooser and of the swarm
// chooser.
type Plan struct {
	Machine Machine
	Seeds   uint64
}

// Schedules is the number of runs the plan makes.
func (p Plan) Schedules() int { return 1 + 2*int(p.Seeds) }

// DefaultPlans is what FindBug and CheckFixed try when not told
// otherwise: 4,000 seeds of each chooser on the IFS machine and 1,000 on
// the non-IFS one, 10,002 schedules in all; a fifth of that under -race
// and a fiftieth with -short.
func DefaultPlans() []Plan {
	ifs, non := uint64(4000), uint64(1000)
	switch {
	case testing.Short():
		ifs, non = 80, 20
	case raceEnabled:
		ifs, non = 800, 200
	}
	return []Plan{{IFSMachine, ifs}, {NonIFSMachine, non}}
}

// Pair is a program in its fixed form and in a buggy form: the same code
// with one seeded mistake.
type Pair struct {
	Fixed, Buggy func() error
}

// CheckUsual asserts that both forms of p pass on the usual schedule on
// each machine (IFSMachine and NonIFSMachine when none are given): the buggy one too,
// which is how such bugs get shipped.
func CheckUsual(t testing.TB, p Pair, machines ...Machine) {
	t.Helper()
	if len(machines) == 0 {
		machines = []Machine{IFSMachine, NonIFSMachine}
	}
	for _, m := range machines {
		if _, err := once(m, Usual, p.Fixed, false); err != nil {
			t.Errorf("fixed, %s, usual schedule: %v", m.Name, err)
		}
		if _, err := once(m, Usual, p.Buggy, false); err != nil {
			t.Errorf("buggy, %s, usual schedule: %v (the seeded bug must not show on the usual schedule)", m.Name, err)
		}
	}
}

// CheckFixed asserts that fixed passes every schedule of the plans
// (DefaultPlans when none are given). It stops a machine's plan after
// three failures, and returns how many schedules it ran.
func CheckFixed(t testing.TB, fixed func() error, plans ...Plan) int {
	t.Helper()
	if len(plans) == 0 {
		plans = DefaultPlans()
	}
	runs := 0
	for _, p := range plans {
		failed := 0
		p.each(func(s Schedule) bool {
			runs++
			if _, err := once(p.Machine, s, fixed, false); err != nil {
				t.Errorf("fixed, %s, %s: %v", p.Machine.Name, s.Name, err)
				failed++
			}
			return failed < 3
		})
	}
	return runs
}

// FindBug searches the plan's schedules (the hostile one first, then
// seed n of the seeded and of the swarm chooser for n = 1, 2, ...) for one
// on which buggy fails, and fails the test when there is none. A found
// schedule is run again and must fail the same way with the same trace (a
// schedule is a replay). It returns the schedule and buggy's error there.
func FindBug(t testing.TB, p Plan, buggy func() error) (Schedule, error) {
	t.Helper()
	var found Schedule
	var ferr error
	p.each(func(s Schedule) bool {
		if _, err := once(p.Machine, s, buggy, false); err == nil {
			return true
		}
		// Both runs with their traces, to compare them.
		trace, err := Once(p.Machine, s, buggy)
		trace2, err2 := Once(p.Machine, s, buggy)
		if err2 == nil || err2.Error() != err.Error() || trace2 != trace {
			t.Errorf("buggy, %s, %s: the rerun differs: %v, then %v (traces equal: %v)", p.Machine.Name, s.Name, err, err2, trace == trace2)
		}
		found, ferr = s, err
		return false
	})
	if ferr == nil {
		t.Errorf("buggy, %s: no failing schedule in the hostile one and %d seeds of two choosers", p.Machine.Name, p.Seeds)
	}
	return found, ferr
}

// each calls f with the plan's schedules in order until f returns false.
func (p Plan) each(f func(Schedule) bool) {
	if !f(Hostile) {
		return
	}
	for n := uint64(1); n <= p.Seeds; n++ {
		if !f(Seeded(n)) || !f(Swarm(n)) {
			return
		}
	}
}
