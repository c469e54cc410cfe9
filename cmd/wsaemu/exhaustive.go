package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/wsaemu/wsaemu/spec"
	"github.com/wsaemu/wsaemu/spec/emulated"
)

const exhaustiveHelp = `

With -exhaustive, every scenario runs under every schedule the emulator's
open decisions allow (which thread goes next, complete now or pend, which
routine first, does a cancel win, ...), up to -bound decisions that differ
from what Windows usually does per schedule, and at most -max-runs runs.
Interleavings that only reorder steps on disjoint threads and objects are
run once (a partial-order reduction: source-DPOR with sleep sets; -no-prune
turns it off). Each scenario x kind/profile gets one line: schedules run,
how many of them the reduction cut short as redundant (sleep-blocked),
distinct outcomes, whether the bound (or -max-runs) left schedules out, and
the either/or branches no schedule reached (and, per scenario, those no
configuration reached); each failing schedule is printed with the wsaemu
replay -choices command that runs it again. -v also lists, for every step
that had more than one result, the results seen and the reorderings the
reduction found that mattered. The last line sums the schedules and the
sleep-blocked runs.`

type exhaustiveFlags struct {
	on      bool
	bound   int
	maxRuns int
	noPrune bool
	verbose bool
}

// checkExhaustive runs the exhaustive search on every scenario and
// configuration and prints its report.
func checkExhaustive(stdout, stderr io.Writer, scs []*spec.Scenario, kind, profile string, xf exhaustiveFlags, xw exhaustiveWork) int {
	if xf.bound < 0 || xf.maxRuns < 0 {
		fmt.Fprintln(stderr, "wsaemu check: -bound and -max-runs must not be negative")
		return exitUsage
	}
	sh, ok := xw.check(stderr)
	if !ok {
		return exitUsage
	}
	failing, total, blocked := 0, 0, 0
	for _, sr := range xw.exhaustiveResults(scs, sh, kind, profile, emulated.ExhaustiveOptions{Bound: xf.bound, MaxRuns: xf.maxRuns, NoPrune: xf.noPrune}) {
		sc, cfgs := sr.sc, sr.cfgs
		for _, cr := range cfgs {
			cfg, r := cr.cfg, cr.r
			total += r.Runs
			blocked += r.SleepBlocked
			bound := "no"
			switch {
			case r.Budget:
				bound = "yes (-max-runs)"
			case r.BoundHit:
				bound = "yes"
			}
			unreach := "none"
			if len(r.Unreachable) > 0 {
				unreach = strings.Join(r.Unreachable, ", ")
			}
			status := "ok   "
			if len(r.Failing) > 0 {
				status = "FAIL "
			}
			fmt.Fprintf(stdout, "%s %s [%s/%s] exhaustive: %d schedules, %d sleep-blocked, %d distinct outcomes, bound hit: %s, unreachable branches: %s\n",
				status, sc.File, cfg.Kind, cfg.Profile, r.Runs, r.SleepBlocked, len(r.Outcomes), bound, unreach)
			if xf.verbose {
				fmt.Fprintf(stdout, "      reorderings added by the race analysis: %d\n", r.Backtracks)
				for i, outs := range r.StepOutcomes {
					if len(outs) > 1 {
						fmt.Fprintf(stdout, "      line %d: %d results: %s\n", sc.Steps[i].Line, len(outs), strings.Join(outs, " | "))
					}
				}
			}
			failing += printFailing(stdout, sc, cr)
		}
		// A branch one configuration cannot reach may be another's (a
		// profile that never pends); one no configuration reaches is
		// worth a look.
		if never := sr.never; len(never) > 0 && len(cfgs) > 1 {
			fmt.Fprintf(stdout, "      %s: reached in no configuration: %s\n", sc.File, strings.Join(never, ", "))
		}
	}
	fmt.Fprintf(stdout, "%d schedules (%d sleep-blocked), %d failing schedule(s)\n", total, blocked, failing)
	if failing > 0 {
		return exitFailed
	}
	return exitOK
}
