//go:build !windows || wsaemu

// Package windowstest runs a test body written against package windows
// (golang.org/x/sys/windows' names) on the emulator under many schedules:
// the one Windows usually shows, a range of seeds, the hostile chooser,
// and schedules rapid draws and shrinks. Each run has the misuse sanitizer
// on and ends with the emulator's liveness check; a failing run is
// reported with its schedule, the command that replays it alone, and the
// end of its trace.
//
//	func TestEcho(t *testing.T) {
//		windowstest.Run(t, func(t windowstest.TB) {
//			// windows.WSAStartup, windows.Socket, windows.Go(worker), ...
//		})
//	}
//
// The body runs on the test's goroutine as the machine's first emulated
// thread, so t.Fatal works in it; threads it starts with windows.Go run
// with it, one at a time, in the order the schedule picks.
//
// Below Run sit the pieces it is built from (schedules.go): Schedule
// (Usual, Hostile, Seeded, Swarm), Machine (IFSMachine, NonIFSMachine), Once, which
// runs a body once and returns its error and trace, and the checks for a
// program kept in a fixed and a buggy form: CheckUsual, CheckFixed and
// FindBug over a Plan of schedules (DefaultPlans: 10,002 per check).
//
// On Windows without the wsaemu build tag, package windows is
// golang.org/x/sys/windows itself and Run calls the body once, on real
// Winsock (windowstest_native.go).
package windowstest

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/windows"
)

var (
	flagSeeds = flag.Int("windowstest.seeds", 0, "number of seeded schedules each windowstest.Run tries (0: the test's own choice)")
	flagOnly  = flag.String("windowstest.run", "", "run only this schedule: usual, hostile, seed=N, swarm=N or choices=P.P... (what a failure's replay command sets)")
	flagTrace = flag.Bool("windowstest.trace", false, "print the whole trace of a failing run, not only its end")
)

// TB is what a body reports to: the *testing.T of the test during Run,
// the *rapid.T of the drawn case during Rapid. Both satisfy it.
type TB interface {
	Helper()
	Logf(format string, args ...any)
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
	Failed() bool
}

// config is what the options set.
type config struct {
	seeds    int
	swarm    int
	first    uint64
	usual    bool
	hostile  bool
	machine  Machine
	emu      []emu.Option
	sanitize emu.SanitizerMode
	xbound   int // Exhaustive's bound (exhaustive.go)
	xmaxRuns int // Exhaustive's run cap
	xnoPrune bool
}

// Option changes how Run and Rapid run the body.
type Option func(*config)

// Seeds sets how many seeds of the seeded chooser Run tries (default 100;
// the flag -windowstest.seeds overrides it).
func Seeds(n int) Option { return func(c *config) { c.seeds = n } }

// SwarmSeeds sets how many seeds of the swarm chooser Run tries after the
// seeded ones (default 0), from the same first seed.
func SwarmSeeds(n int) Option { return func(c *config) { c.swarm = n } }

// FirstSeed sets the first seed of the range Run tries (default 1).
func FirstSeed(s uint64) Option { return func(c *config) { c.first = s } }

// NoUsual leaves out the run under the usual schedule (what Windows
// usually does), which Run otherwise tries first.
func NoUsual() Option { return func(c *config) { c.usual = false } }

// NoHostile leaves out the run under the hostile chooser, which Run
// otherwise tries last.
func NoHostile() Option { return func(c *config) { c.hostile = false } }

// Sanitizer sets the sanitizer's mode (default emu.SanitizeReport: every
// finding fails the run, with all findings listed).
func Sanitizer(m emu.SanitizerMode) Option { return func(c *config) { c.sanitize = m } }

// OnMachine picks the machine every run is built as (default IFSMachine; see
// Machine.System for what every machine has).
func OnMachine(m Machine) Option { return func(c *config) { c.machine = m } }

// MachineOptions adds options to every machine built (resets, a layered
// provider, a livelock budget, ...), after the machine's own.
func MachineOptions(opts ...emu.Option) Option {
	return func(c *config) { c.emu = append(c.emu, opts...) }
}

func newConfig(opts []Option) *config {
	c := &config{seeds: 100, first: 1, usual: true, hostile: true, machine: IFSMachine, sanitize: emu.SanitizeReport, xbound: DefaultBound, xmaxRuns: DefaultMaxRuns}
	for _, o := range opts {
		o(c)
	}
	if *flagSeeds > 0 {
		c.seeds = *flagSeeds
	}
	return c
}

// system builds a System for one run under s.
func (c *config) system(s Schedule) *emu.System {
	m := c.machine
	m.Options = append(append([]emu.Option{emu.WithSanitizer(c.sanitize)}, m.Options...), c.emu...)
	return m.System(s)
}

// schedules lists the runs, in order; the -windowstest.run flag picks one.
func (c *config) schedules(t *testing.T) []Schedule {
	if *flagOnly != "" {
		s, err := ParseSchedule(*flagOnly)
		if err != nil {
			t.Fatalf("-windowstest.run: %v", err)
		}
		return []Schedule{s}
	}
	var out []Schedule
	if c.usual {
		out = append(out, Usual)
	}
	for i := 0; i < c.seeds; i++ {
		out = append(out, Seeded(c.first+uint64(i)))
	}
	for i := 0; i < c.swarm; i++ {
		out = append(out, Swarm(c.first+uint64(i)))
	}
	if c.hostile {
		out = append(out, Hostile)
	}
	return out
}

// Run runs body once per schedule: the usual one, seeds 1..100 of the
// seeded chooser (see Seeds, FirstSeed, SwarmSeeds), then the hostile
// chooser, each on a fresh IFS machine (see OnMachine, Machine.System).
// A run fails when the body reports a failure, the machine ends with an
// error (deadlock, livelock, hang, a thread's panic), the sanitizer finds
// a misuse, or the liveness check finds an I/O request that did not
// complete exactly once; Run then stops with the schedule, a replay
// command and the trace's end.
func Run(t *testing.T, body func(t TB), opts ...Option) {
	t.Helper()
	c := newConfig(opts)
	var current *Schedule
	t.Cleanup(func() {
		// A body that called t.Fatal ended the test's goroutine: say
		// which schedule it was under.
		if current != nil && t.Failed() {
			t.Logf("windowstest: the failure above happened under %s; replay: %s", current.describe(), replayCommand(t, current.Name))
		}
	})
	for _, sc := range c.schedules(t) {
		current = &sc
		sys := c.system(sc)
		err := windows.RunMachine(sys, func() { body(t) })
		if msg := verdict(sys, err, nil, t.Failed()); msg != "" {
			current = nil
			t.Fatalf("windowstest: %s failed: %s\nreplay: %s\n%s", sc.describe(), msg, replayCommand(t, sc.Name), traceText(sys.Trace()))
		}
		current = nil
	}
}

// Rapid runs body under schedules rapid draws (rapid.Check: -rapid.checks
// sets how many), with the same checks as Run. A failing schedule is
// shrunk toward the usual one and shown as a replay expression
// (emu.ReplayChooser) next to rapid's own reproduce command.
func Rapid(t *testing.T, body func(t TB), opts ...Option) {
	t.Helper()
	c := newConfig(opts)
	rapid.Check(t, func(rt *rapid.T) {
		sys := c.system(Schedule{"rapid", func() emu.Chooser { return emu.RapidChooser(rt) }})
		err := windows.RunMachine(sys, func() { body(rt) })
		if msg := verdict(sys, err, nil, false); msg != "" {
			rt.Fatalf("windowstest: %s\n%s", msg, traceText(sys.Trace()))
		}
	})
}

// verdict says what is wrong with a finished run ("" when nothing is):
// the machine's error err, the sanitizer's findings, the body's own error
// or failure, and (when the machine ended without error) the liveness
// check.
func verdict(sys *emu.System, err, bodyErr error, bodyFailed bool) string {
	var parts []string
	if bodyFailed {
		parts = append(parts, "the body reported a failure")
	}
	if err != nil {
		var h *emu.HangError
		if errors.As(err, &h) {
			parts = append(parts, h.Error())
		} else {
			parts = append(parts, err.Error())
		}
	}
	var fatal *emu.SanitizerError
	errors.As(err, &fatal)
	for _, f := range sys.Findings() {
		if fatal != nil && f.Clause == fatal.Finding.Clause && f.Seq == fatal.Finding.Seq && f.Text == fatal.Finding.Text {
			continue // the fail-fast finding that stopped the run, said above
		}
		parts = append(parts, "sanitizer: "+f.Clause+": "+f.Text)
	}
	if bodyErr != nil {
		parts = append(parts, bodyErr.Error())
	}
	if err == nil {
		for _, l := range sys.Liveness() {
			parts = append(parts, "liveness: "+l)
		}
	}
	return strings.Join(parts, "\n")
}

// traceText is the end of a trace (all of it with -windowstest.trace).
func traceText(tr *emu.Trace) string {
	if tr == nil || tr.Len() == 0 {
		return ""
	}
	head, from := "trace", 0
	if !*flagTrace && tr.Len() > 40 {
		head = fmt.Sprintf("last 40 of %d trace events (-windowstest.trace prints all)", tr.Len())
		from = tr.Len() - 40
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s:\n", head)
	var tail emu.Trace
	for i := from; i < tr.Len(); i++ {
		tail.Append(*tr.At(i))
	}
	tail.WriteText(&b)
	return b.String()
}

// replayCommand is the go test command that runs only this schedule of
// this test.
func replayCommand(t *testing.T, schedule string) string {
	flagArg := "-windowstest.run=" + schedule
	parts := strings.Split(t.Name(), "/")
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	cmd := fmt.Sprintf("go test -run '%s'", strings.Join(parts, "/"))
	return cmd + " " + flagArg + " ."
}
