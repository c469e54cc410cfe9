//go:build windows && !wsaemu

package windowstest

import (
	"testing"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/provider"
)

// On Windows without the wsaemu tag a body runs once, on real Winsock:
// there is no schedule to choose, and the options, schedules and machines
// change nothing. The names are those of the emulated build, so a test
// file compiles on both.

// TB is what a body reports to (see the emulated build).
type TB interface {
	Helper()
	Logf(format string, args ...any)
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
	Failed() bool
}

// Option changes how Run and Rapid run the body on the emulator.
type Option func()

func Seeds(int) Option                               { return func() {} }
func SwarmSeeds(int) Option                          { return func() {} }
func FirstSeed(uint64) Option                        { return func() {} }
func NoUsual() Option                                { return func() {} }
func NoHostile() Option                              { return func() {} }
func Sanitizer(emu.SanitizerMode) Option             { return func() {} }
func OnMachine(Machine) Option                       { return func() {} }
func MachineOptions(...emu.Option) Option            { return func() {} }
func Run(t *testing.T, body func(t TB), _ ...Option) { t.Helper(); body(t) }
func Bound(int) Option                               { return func() {} }
func MaxRuns(int) Option                             { return func() {} }
func NoPrune() Option                                { return func() {} }

// Exhaustive calls body once, on real Winsock: the schedule is Windows'
// own, so there is nothing to enumerate.
func Exhaustive(t *testing.T, body func(t TB), _ ...Option) emu.ExploreStats {
	t.Helper()
	body(t)
	return emu.ExploreStats{Runs: 1}
}
func Rapid(t *testing.T, body func(t TB), _ ...Option) { t.Helper(); body(t) }

// Schedule names a schedule of the emulator; here every one is Windows'
// own.
type Schedule struct {
	Name string
	New  func() emu.Chooser
}

var (
	Usual   = Schedule{Name: "usual"}
	Hostile = Schedule{Name: "hostile"}
)

func Seeded(uint64) Schedule                 { return Usual }
func Swarm(uint64) Schedule                  { return Usual }
func ParseSchedule(string) (Schedule, error) { return Usual, nil }

// Machine names a machine configuration of the emulator; here it is the
// machine the test runs on.
type Machine struct {
	Name    string
	Kind    provider.Kind
	Options []emu.Option
}

var (
	IFSMachine    = Machine{Name: "ifs", Kind: provider.IFS}
	NonIFSMachine = Machine{Name: "nonifs", Kind: provider.NonIFS}
)

// Once calls body once and returns its error (no trace).
func Once(_ Machine, _ Schedule, body func() error) (trace string, err error) { return "", body() }

// Plan is a set of schedules on the emulator; here it is one run.
type Plan struct {
	Machine Machine
	Seeds   uint64
}

func (p Plan) Schedules() int { return 1 }
func DefaultPlans() []Plan    { return []Plan{{Machine: IFSMachine}} }

// Pair is a program in its fixed form and in a buggy form.
type Pair struct {
	Fixed, Buggy func() error
}

// CheckUsual runs both forms once and reports their errors.
func CheckUsual(t testing.TB, p Pair, _ ...Machine) {
	t.Helper()
	if err := p.Fixed(); err != nil {
		t.Errorf("fixed: %v", err)
	}
	if err := p.Buggy(); err != nil {
		t.Errorf("buggy: %v", err)
	}
}

// CheckFixed runs fixed once and reports its error.
func CheckFixed(t testing.TB, fixed func() error, _ ...Plan) int {
	t.Helper()
	if err := fixed(); err != nil {
		t.Errorf("fixed: %v", err)
	}
	return 1
}

// FindBug cannot search schedules on real Winsock: it skips the test.
func FindBug(t testing.TB, _ Plan, _ func() error) (Schedule, error) {
	t.Helper()
	t.Skip("windowstest: finding a schedule needs the emulator (build with -tags wsaemu or off Windows)")
	return Schedule{}, nil
}

// FindBugExhaustive cannot search schedules on real Winsock: it skips the
// test.
func FindBugExhaustive(t testing.TB, _ Machine, _ int, _ func() error) (Schedule, emu.ExploreStats, error) {
	t.Helper()
	t.Skip("windowstest: searching schedules needs the emulator (build with -tags wsaemu or off Windows)")
	return Schedule{}, emu.ExploreStats{}, nil
}
