package emulated

import (
	"fmt"
	"sort"
	"strings"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/spec"
)

// ExhaustiveOptions bound an exhaustive exploration.
type ExhaustiveOptions struct {
	// Bound is the most non-default decisions (picks other than
	// alternative 0) one schedule may make: a preemption-style bound.
	// Schedules beyond it are not run and BoundHit says so. 0 means
	// only the default schedule.
	Bound int
	// MaxRuns caps the runs; 0 means no cap. Budget says when it cut
	// the search short.
	MaxRuns int
	// NoPrune turns the partial-order reduction off (every schedule
	// within the bound is run), to check that the reduction loses nothing.
	NoPrune bool
}

// ExhaustiveResult is what an exhaustive exploration found.
type ExhaustiveResult struct {
	Runs int // schedules run
	// SleepBlocked counts the runs the reduction found redundant (every
	// process that could go next was asleep: its orders were covered
	// elsewhere) and cut short; their outcomes are kept.
	SleepBlocked int
	// Backtracks counts the alternatives the race analysis added: the
	// reorderings that mattered.
	Backtracks int
	BoundHit   bool // some alternative was left out by the bound
	Budget     bool // MaxRuns stopped the search before the tree was done
	// Outcomes are the distinct observable results of the runs: one
	// string per run, each step's outcome and completions, joined.
	Outcomes []string
	// StepOutcomes is, per step (by index), the set of its observed
	// results across all runs, sorted.
	StepOutcomes [][]string
	// Failing are the schedules that broke an expectation, as decision
	// lists for emu.ReplayChooser (FormatChoices renders them), with
	// their problems; one per distinct problem list.
	Failing []FailingSchedule
	// Unreachable lists the either/or branches no schedule made the
	// branch that held, as "line L branch B" (B from 1).
	Unreachable []string
}

// FailingSchedule is one schedule that failed, and how.
type FailingSchedule struct {
	Choices  []emu.Choice
	Problems []string
}

// Exhaustive runs a scenario under every schedule of the Chooser's
// decisions within the bound, with emu.Explore: a stateless search by
// re-execution that runs once each class of schedules differing only in
// the order of steps that touch disjoint threads and objects
// (source-DPOR with sleep sets over the scheduling decisions: which
// woken thread or pending system action goes next when the machine
// settles), and every alternative of the other decisions (pend, cancel,
// split, reset, routine order, unsettled). See emu.ExploreOptions for the
// dependency it uses and how the bound is handled.
//
// An earlier version pruned with a fingerprint of per-resource trace
// histories; it never fired on the corpus (a scenario's steps name the
// same threads and records again and again) and is gone.
func Exhaustive(sc *spec.Scenario, cfg spec.RunConfig, opt ExhaustiveOptions) *ExhaustiveResult {
	cfg.Seed, cfg.Seeded, cfg.Swarm, cfg.Hostile = 0, false, false, false
	res := &ExhaustiveResult{StepOutcomes: make([][]string, len(sc.Steps))}
	outcomes := map[string]bool{}
	steps := make([]map[string]bool, len(sc.Steps))
	failSeen := map[string]bool{}
	type gk struct{ line, br int }
	hit := map[gk]bool{}

	st := emu.Explore(emu.ExploreOptions{Bound: opt.Bound, MaxRuns: opt.MaxRuns, NoPrune: opt.NoPrune}, func(ch *emu.ExploreRun) bool {
		em := &Emulator{Chooser: ch}
		rep := spec.RunBranches(sc, em, cfg, func(line, br int) { hit[gk{line, br}] = true })
		var whole []string
		for i, s := range rep.Steps {
			o := stepOutcome(s)
			if steps[i] == nil {
				steps[i] = map[string]bool{}
			}
			steps[i][o] = true
			whole = append(whole, o)
		}
		if rep.Err != nil {
			whole = append(whole, "error: "+rep.Err.Error())
		}
		outcomes[strings.Join(whole, "\n")] = true
		problems := rep.Failures()
		for _, l := range rep.Liveness {
			problems = append(problems, "liveness: "+l)
		}
		if len(problems) > 0 {
			key := strings.Join(problems, "\n")
			if !failSeen[key] {
				failSeen[key] = true
				res.Failing = append(res.Failing, FailingSchedule{Choices: trimZero(ch.Choices()), Problems: problems})
			}
		}
		return true
	})
	res.Runs, res.SleepBlocked, res.Backtracks = st.Runs, st.SleepBlocked, st.Backtracks
	res.BoundHit, res.Budget = st.BoundHit, st.Budget
	for o := range outcomes {
		res.Outcomes = append(res.Outcomes, o)
	}
	sort.Strings(res.Outcomes)
	for i, m := range steps {
		for o := range m {
			res.StepOutcomes[i] = append(res.StepOutcomes[i], o)
		}
		sort.Strings(res.StepOutcomes[i])
	}
	for _, g := range spec.Branches(sc) {
		for b := 0; b < g.Branches; b++ {
			if !hit[gk{g.Line, b}] {
				res.Unreachable = append(res.Unreachable, fmt.Sprintf("line %d branch %d", g.Line, b+1))
			}
		}
	}
	return res
}

// stepOutcome renders what a step observed: the call's outcome and the
// blocked calls that returned during it (sorted by thread, as the
// expectations read them per thread).
func stepOutcome(s spec.StepResult) string {
	var b strings.Builder
	b.WriteString(renderOutcome(s.Outcome))
	cs := make([]string, 0, len(s.Completions))
	for _, c := range s.Completions {
		cs = append(cs, c.Thread+" "+c.Call+" -> "+renderOutcome(c.Outcome))
	}
	sort.Strings(cs)
	for _, c := range cs {
		b.WriteString("; ")
		b.WriteString(c)
	}
	return b.String()
}

func renderOutcome(o spec.Outcome) string {
	if o.Blocked {
		return "blocked"
	}
	var b strings.Builder
	b.WriteString(o.Ret)
	if o.Err != "" {
		b.WriteString(" " + o.Err)
	}
	keys := make([]string, 0, len(o.Outs))
	for k := range o.Outs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		b.WriteString(" " + k + "=" + o.Outs[k])
	}
	return b.String()
}

func trimZero(cs []emu.Choice) []emu.Choice {
	for len(cs) > 0 && cs[len(cs)-1].Pick == 0 {
		cs = cs[:len(cs)-1]
	}
	return append([]emu.Choice(nil), cs...)
}
