package emulated

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
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
	// NoPrune turns the reduction off (every schedule within the bound
	// is run), to check that the reduction loses nothing.
	NoPrune bool
}

// ExhaustiveResult is what an exhaustive exploration found.
type ExhaustiveResult struct {
	Runs     int  // schedules run
	Pruned   int  // subtrees skipped because an equivalent state was explored
	BoundHit bool // some alternative was left out by the bound
	Budget   bool // MaxRuns stopped the search before the tree was done
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
// decision tree within the bound, by re-execution (stateless depth-first
// search): each run replays a prefix of picks, then takes alternative 0
// at every later decision, recording each decision's point and number of
// alternatives; the next prefix is the recorded list with its last
// decision that still has an untried alternative (and whose change keeps
// the schedule within the bound) moved to that alternative, like a
// counter. The search ends when no decision can be advanced.
//
// Reduction. At every new decision of a run the explorer takes a
// fingerprint of the state so far: the trace cut into one history per
// resource (each thread, the system's own actions, each handle, each
// overlapped record), every event (without its sequence number) hashed
// into the history of every resource it names, and the histories hashed
// together in sorted order. Two interleavings that differ only in the
// order of events touching disjoint threads and objects (steps that
// commute) give the same per-resource histories, hence the same
// fingerprint. The decisions themselves are part of the history: a pend,
// cancel, reset or split pick may change state that no event shows until
// later, so its pick is hashed; a scheduling pick is hashed without its
// alternative number (which thread ran shows in the events that follow,
// and the number depends on the order things became ready). Because the emulator is
// deterministic and its trace records every state change with the
// objects it touches, equal fingerprints mean equal states, and the
// subtree below is the one already explored from the first visit: it is
// pruned when that visit had made no more non-default decisions (so its
// subtree reached everything this one could within the bound). The run
// reaching the pruned point still finishes (with default decisions) and
// its outcome is kept. The equivalence is Mazurkiewicz trace equivalence
// with "names the same thread or object" as the dependency; tests compare
// the outcome sets with and without it on corpus scenarios.
func Exhaustive(sc *spec.Scenario, cfg spec.RunConfig, opt ExhaustiveOptions) *ExhaustiveResult {
	cfg.Seed, cfg.Seeded, cfg.Swarm, cfg.Hostile = 0, false, false, false
	res := &ExhaustiveResult{StepOutcomes: make([][]string, len(sc.Steps))}
	seen := map[uint64]int{} // fingerprint -> fewest non-default decisions at a visit
	outcomes := map[string]bool{}
	steps := make([]map[string]bool, len(sc.Steps))
	failSeen := map[string]bool{}
	type gk struct{ line, br int }
	hit := map[gk]bool{}

	var prefix []emu.Choice
	for {
		if opt.MaxRuns > 0 && res.Runs >= opt.MaxRuns {
			res.Budget = true
			break
		}
		ch := &exhChooser{prefix: prefix, seen: seen, prune: !opt.NoPrune, frozen: -1}
		em := &Emulator{Chooser: ch}
		ch.em = em
		rep := spec.RunBranches(sc, em, cfg, func(line, br int) { hit[gk{line, br}] = true })
		res.Runs++
		if ch.frozen >= 0 {
			res.Pruned++
		}
		// Outcomes.
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
				res.Failing = append(res.Failing, FailingSchedule{Choices: trimZero(ch.made), Problems: problems})
			}
		}
		// Backtrack: the last decision (before the pruned point) that
		// can take its next alternative within the bound.
		path := ch.made
		limit := len(path)
		if ch.frozen >= 0 {
			limit = ch.frozen
		}
		nonDef := make([]int, len(path)+1) // non-default decisions before i
		for i, c := range path {
			nonDef[i+1] = nonDef[i]
			if c.Pick != 0 {
				nonDef[i+1]++
			}
		}
		next := -1
		for k := limit - 1; k >= 0; k-- {
			c := path[k]
			if c.Pick+1 >= c.N {
				continue
			}
			if nonDef[k]+1 > opt.Bound {
				res.BoundHit = true
				continue
			}
			next = k
			break
		}
		if next < 0 {
			break
		}
		prefix = append(append([]emu.Choice(nil), path[:next]...), path[next])
		prefix[next].Pick++
	}
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

// exhChooser replays a prefix, then takes 0, recording every decision;
// at each new decision it fingerprints the state and, when an
// equivalent state was explored with no more non-default decisions,
// marks the run as pruned from there.
type exhChooser struct {
	prefix []emu.Choice
	made   []emu.Choice
	em     *Emulator
	seen   map[uint64]int
	prune  bool
	frozen int // index of the first decision of the pruned subtree, or -1
	nonDef int
}

func (c *exhChooser) Choose(p emu.Point, n int) int {
	i := len(c.made)
	pick := 0
	if i < len(c.prefix) {
		pick = c.prefix[i].Pick
		if pick >= n {
			pick = n - 1
		}
	} else if c.prune && c.frozen < 0 && c.em != nil && c.em.sys != nil && c.em.sys.Trace() != nil {
		fp := fingerprint(c.em.sys.Trace(), i, p, n)
		if k, ok := c.seen[fp]; ok && k <= c.nonDef {
			c.frozen = i
		} else if !ok || c.nonDef < k {
			c.seen[fp] = c.nonDef
		}
	}
	if pick != 0 {
		c.nonDef++
	}
	c.made = append(c.made, emu.Choice{Point: p, N: n, Pick: pick})
	return pick
}

// fingerprint hashes the trace as per-resource histories (see
// Exhaustive), with the decision being asked and its index: an equal
// index keeps a state from matching one of its own ancestors (whose
// subtree is still being explored) when decisions follow each other with
// nothing traced between them.
func fingerprint(tr *emu.Trace, at int, p emu.Point, n int) uint64 {
	hist := map[string]uint64{}
	var buf []byte
	for _, e := range tr.All() {
		result := e.Result
		if e.Kind == emu.EvChoice && (e.Name == emu.PointSchedule.String() || e.Name == emu.PointPreempt.String()) {
			// Which thread or action a scheduling decision picked shows in
			// the events that follow; which alternative number it had
			// depends on the order things became ready, which commuting
			// steps change.
			result = 0
		}
		buf = buf[:0]
		buf = binary.LittleEndian.AppendUint64(buf, uint64(e.Time))
		buf = binary.LittleEndian.AppendUint64(buf, uint64(e.Thread))
		buf = binary.LittleEndian.AppendUint64(buf, uint64(e.Kind))
		buf = binary.LittleEndian.AppendUint64(buf, uint64(e.Handle))
		buf = binary.LittleEndian.AppendUint64(buf, uint64(e.Ov))
		buf = binary.LittleEndian.AppendUint64(buf, e.Old)
		buf = binary.LittleEndian.AppendUint64(buf, e.New)
		buf = binary.LittleEndian.AppendUint64(buf, e.N)
		buf = binary.LittleEndian.AppendUint64(buf, result)
		buf = binary.LittleEndian.AppendUint64(buf, uint64(e.Err))
		buf = append(buf, e.Name...)
		buf = append(buf, 0)
		buf = e.AppendDetail(buf)
		add := func(r string) {
			h := fnv.New64a()
			var prev [8]byte
			binary.LittleEndian.PutUint64(prev[:], hist[r])
			h.Write(prev[:])
			h.Write(buf)
			hist[r] = h.Sum64()
		}
		add(fmt.Sprintf("t%d", e.Thread))
		if e.Handle != 0 {
			add(fmt.Sprintf("h%d", e.Handle))
		}
		if e.Ov != 0 {
			add(fmt.Sprintf("o%d", e.Ov))
		}
	}
	keys := make([]string, 0, len(hist))
	for k := range hist {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	h := fnv.New64a()
	fmt.Fprintf(h, "%d:%s/%d|", at, p, n)
	for _, k := range keys {
		fmt.Fprintf(h, "%s=%x;", k, hist[k])
	}
	return h.Sum64()
}
