package emulated

import (
	"fmt"
	"github.com/wsaemu/wsaemu/spec"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	"github.com/wsaemu/wsaemu/emu"
)

// Trace checking: a run of a scenario recorded from a real implementation
// (Windows, or Wine) is a list of observations, one per step: how the call
// returned, which blocked calls returned meanwhile, and which of the step's
// expectations held. CheckObserved asks whether the model permits that
// run: whether some schedule of the emulator — some answer to each of the
// Chooser's open decisions — makes every step come out exactly as
// observed.
//
// The search is a depth-first walk of the Chooser's decision tree. One
// probe runs the scenario from the start with a chooser that replays a
// prefix of decisions and takes alternative 0 after it, comparing each
// step with its observation as soon as the step is done. At the first step
// that differs, the probe stops: only the decisions taken up to that point
// can have caused the difference, so the next probe changes the latest of
// them that still has an untried alternative (and drops everything after
// it). Probes therefore visit decision lists in increasing lexicographic
// order, never the same one twice, and skip every subtree that shares a
// failing prefix. The walk ends when a probe matches every step
// (permitted, with the decisions that reproduce it), when no decision has
// an alternative left (not permitted: every schedule was tried), or at the
// bound on probes (not permitted as far as the search went).
//
// A step matches when it blocked on both sides or on neither, with the
// same return value and error, the same value of every out-parameter both
// report, the same calls returning meanwhile (each with a matching
// outcome), and — when the recording has them — the same expectations
// failing. Once the emulator's sanitizer reports a finding — the program
// did something the pages call undefined — nothing is compared any more:
// from that step on every behaviour is permitted. Three things the model cannot know are not held against the
// recording: an out-parameter the model leaves unwritten ("untouched")
// may hold anything, since no program may read it; the ports an implicit
// bind picks match any ports, renamed consistently through the run; and
// the function pointer SIO_GET_EXTENSION_FUNCTION_POINTER returns only
// has to be non-null.

// ObservedStep is one step of a recorded run.
type ObservedStep struct {
	// Line is the step's line in the scenario; it must match the
	// scenario's step at the same position.
	Line int
	// Thread and Call are the step as recorded (for messages only).
	Thread string
	Call   string
	// Outcome is how the call returned ("blocked" included). A settle step
	// has none and only its completions are compared.
	Outcome spec.Outcome
	// Completions are the blocked calls seen returning during the step.
	Completions []spec.Completion
	// Verdicts says whether the recording says which expectations held;
	// when it does, Failed lists the lines of the step's expectations that
	// did not, and a schedule must fail exactly those. Expectations of a
	// sanitizer finding are left out on both sides (a real system has no
	// sanitizer).
	Verdicts bool
	Failed   []int
}

// MaxTraceRuns bounds the probes of one CheckObserved.
const MaxTraceRuns = 20000

// TraceCheck is the verdict on one recorded run.
type TraceCheck struct {
	// Permitted says a schedule matched every observed step; Choices are
	// its decisions (replay them with emu.ReplayChooser; decisions after
	// the last one take alternative 0).
	Permitted bool
	Choices   []emu.Choice
	// Runs is how many probes were run; Exhausted says every schedule
	// was tried (so a "not permitted" is final, not the bound's).
	Runs      int
	Exhausted bool
	// Steps is how many observed steps were checked.
	Steps int
	// Undefined, when set, is the sanitizer finding that the permitted
	// schedule ran into at step UndefinedStep (an index): from there the
	// program did what the pages call undefined, so the model permits
	// whatever was observed, and the steps from it on were not compared.
	Undefined     string
	UndefinedStep int

	// When not permitted: the first step no schedule could match (its
	// index among the observed steps, and its line), what was observed
	// there, and what the model did there instead across the search, each
	// distinct result once in the order first seen, with how many probes
	// gave it.
	Step     int
	Line     int
	Call     string
	Observed string
	Allowed  []AllowedResult
}

// AllowedResult is one result the model gave at the step where the search
// got stuck.
type AllowedResult struct {
	Text string
	Runs int
}

// Schedule renders the decisions compactly: "usual" when every decision
// took alternative 0, else each decision as point:pick/n.
func (t *TraceCheck) Schedule() string { return FormatChoices(t.Choices) }

// FormatChoices writes decisions as space-separated point:pick/n, or
// "usual" when there are none other than alternative 0.
func FormatChoices(cs []emu.Choice) string {
	unusual := false
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = fmt.Sprintf("%s:%d/%d", c.Point, c.Pick, c.N)
		if c.Pick != 0 {
			unusual = true
		}
	}
	if !unusual {
		return "usual"
	}
	// Trailing usual decisions are what a replay takes anyway.
	n := len(cs)
	for n > 0 && cs[n-1].Pick == 0 {
		n--
	}
	return strings.Join(parts[:n], " ")
}

// ParseChoices reads what FormatChoices writes.
func ParseChoices(s string) ([]emu.Choice, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "usual" {
		return nil, nil
	}
	var out []emu.Choice
	for _, w := range strings.Fields(s) {
		name, rest, ok1 := strings.Cut(w, ":")
		pick, n, ok2 := strings.Cut(rest, "/")
		p, ok3 := emu.ParsePoint(name)
		pi, err1 := strconv.Atoi(pick)
		ni, err2 := strconv.Atoi(n)
		if !ok1 || !ok2 || !ok3 || err1 != nil || err2 != nil || ni < 1 || pi < 0 || pi >= ni {
			return nil, fmt.Errorf("cannot read decision %q: want point:pick/n", w)
		}
		out = append(out, emu.Choice{Point: p, N: ni, Pick: pi})
	}
	return out, nil
}

// CheckObserved searches the emulator's schedules, under cfg, for one in
// which every observed step of sc comes out as observed (see the comment
// at the top of this file). It fails when the observation does not fit the
// scenario (more steps, or a step at another line) or the scenario cannot
// run (set-up fails, or no schedule can make the step where the search
// stops).
func CheckObserved(sc *spec.Scenario, cfg spec.RunConfig, observed []ObservedStep) (*TraceCheck, error) {
	return CheckObservedWithin(sc, cfg, observed, MaxTraceRuns)
}

// CheckObservedWithin is CheckObserved with another bound on probes.
func CheckObservedWithin(sc *spec.Scenario, cfg spec.RunConfig, observed []ObservedStep, maxRuns int) (*TraceCheck, error) {
	if len(observed) > len(sc.Steps) {
		return nil, fmt.Errorf("%s: the trace has %d steps, the scenario %d", sc.File, len(observed), len(sc.Steps))
	}
	for i, o := range observed {
		if o.Line != sc.Steps[i].Line {
			return nil, fmt.Errorf("%s:%d: step %d of the trace is at line %d: the scenario changed since it was recorded", sc.File, sc.Steps[i].Line, i+1, o.Line)
		}
	}
	if maxRuns < 1 {
		maxRuns = 1
	}
	observed = withoutFindingVerdicts(sc, observed)
	tc, err := searchDecisions(maxRuns, func(prefix []int) (traceProbe, error) {
		return traceRun(sc, cfg, observed, prefix)
	})
	if err != nil {
		return nil, err
	}
	if tc.Permitted {
		tc.Steps = len(observed)
		if tc.Undefined != "" {
			tc.Steps = tc.UndefinedStep
		}
		return tc, nil
	}
	tc.Steps = len(observed)
	st := sc.Steps[tc.Step]
	tc.Line, tc.Call, tc.Observed = st.Line, stepCall(st), describeStep(st.Call.Name == "settle", observed[tc.Step])
	return tc, nil
}

// searchDecisions is the depth-first walk of the decision tree described
// at the top of this file, for any probe: probe runs once under a prefix
// of picks (taking alternative 0 after it) and says where it stopped
// matching. CheckObserved's probes replay a scenario; CheckFree's also
// decide the interleaving of a free-form trace's threads. The error is
// the reason every probe reaching the stuck step could not run it.
func searchDecisions(maxRuns int, probe func(prefix []int) (traceProbe, error)) (*TraceCheck, error) {
	if maxRuns < 1 {
		maxRuns = 1
	}
	tc := &TraceCheck{Step: -1}
	seen := map[string]int{} // result text -> index in tc.Allowed
	var prefix []int
	// runErr is set while every probe that got to the step where the
	// search is stuck could not run it: a scenario that cannot run.
	var runErr error
	for tc.Runs < maxRuns {
		p, err := probe(prefix)
		if err != nil {
			return nil, err
		}
		if p.stop {
			break
		}
		tc.Runs++
		if p.bad < 0 && !p.pruned {
			tc.Permitted, tc.Choices = true, p.choices
			tc.Step, tc.Line = 0, 0
			if p.undefined != "" {
				tc.Undefined, tc.UndefinedStep = p.undefined, p.undefinedAt
			}
			return tc, nil
		}
		if !p.pruned && p.bad > tc.Step {
			tc.Step, tc.Allowed, seen, runErr = p.bad, nil, map[string]int{}, p.err
		}
		if !p.pruned && p.bad == tc.Step {
			if p.err == nil {
				runErr = nil
			}
			if i, ok := seen[p.got]; ok {
				tc.Allowed[i].Runs++
			} else {
				seen[p.got] = len(tc.Allowed)
				tc.Allowed = append(tc.Allowed, AllowedResult{Text: p.got, Runs: 1})
			}
		}
		// Backtrack: the latest decision taken before the mismatch showed
		// that still has an alternative left.
		d := p.choices[:p.decided]
		i := len(d) - 1
		for i >= 0 && d[i].Pick+1 >= d[i].N {
			i--
		}
		if i < 0 {
			tc.Exhausted = true
			break
		}
		prefix = prefix[:0]
		for _, c := range d[:i] {
			prefix = append(prefix, c.Pick)
		}
		prefix = append(prefix, d[i].Pick+1)
	}
	if runErr != nil {
		return nil, runErr
	}
	return tc, nil
}

func stepCall(st spec.Step) string {
	if st.Call.Name == "settle" {
		return "settle"
	}
	return st.Thread + ": " + st.Call.String()
}

// prefixChooser replays a prefix of picks, then takes alternative 0, and
// records every decision.
type prefixChooser struct {
	prefix []int
	got    []emu.Choice
}

func (c *prefixChooser) Choose(p emu.Point, n int) int {
	pick := 0
	if i := len(c.got); i < len(c.prefix) {
		pick = min(max(c.prefix[i], 0), n-1)
	}
	c.got = append(c.got, emu.Choice{Point: p, N: n, Pick: pick})
	return pick
}

type traceProbe struct {
	choices []emu.Choice
	bad     int    // first step that differs, or -1
	decided int    // decisions taken up to the end of that step
	got     string // what the model did there
	// undefined is the first sanitizer finding, when the run stopped
	// being compared at step undefinedAt because of it.
	undefined   string
	undefinedAt int
	// err is why the step that differs could not run at all.
	err error
	// pruned says the probe stopped on a decision that changed nothing
	// (its subtree repeats a sibling's): no result to record, only a
	// place to backtrack from.
	pruned bool
	// stop ends the search undecided (a budget other than the probes'
	// ran out); the probe itself is not counted.
	stop bool
	// steps is how many observations the probe replayed.
	steps int
}

// traceRun runs the scenario once under a prefix of decisions and compares
// it with the observation step by step, stopping at the first difference.
func traceRun(sc *spec.Scenario, cfg spec.RunConfig, observed []ObservedStep, prefix []int) (traceProbe, error) {
	ch := &prefixChooser{prefix: prefix}
	em := &Emulator{Chooser: ch}
	defer em.Close()
	if err := em.Start(cfg, sc.Decls); err != nil {
		return traceProbe{}, spec.WithFile(sc.File, err)
	}
	ev := spec.NewChecker(em)
	m := newMatcher()
	for i, o := range observed {
		st := sc.Steps[i]
		var out spec.Outcome
		var err error
		if st.Call.Name == "settle" {
			err = em.Settle()
		} else {
			var r spec.Result
			r, err = em.Do(st.Thread, st.Call.Op)
			out = spec.Render(st.Call.Op, r)
		}
		if err != nil {
			// The step cannot run in this schedule (a thread still in its
			// previous call, say): a difference like any other, unless no
			// schedule can run it (see CheckObservedWithin).
			err = spec.AtLine(sc.File, st.Line, err)
			return traceProbe{choices: ch.got, bad: i, decided: len(ch.got), got: "(cannot run: " + err.Error() + ")", err: err}, nil
		}
		if fs := em.Findings(); len(fs) > 0 {
			// The program did something the pages leave undefined (the
			// sanitizer says which): from here on, any behaviour is
			// permitted, this step's included.
			return traceProbe{choices: ch.got, bad: -1, undefined: fs[0], undefinedAt: i}, nil
		}
		got := ObservedStep{Line: st.Line, Outcome: out, Completions: spec.RenderCompleted(em.Completed()), Verdicts: o.Verdicts}
		ev.Step(out, got.Completions)
		for _, e := range st.Expect {
			if isFindingExpect(e) {
				continue
			}
			if fs := ev.Check(e); len(fs) > 0 {
				got.Failed = append(got.Failed, e.Line)
			}
		}
		if !m.sameStep(st, o, got) {
			return traceProbe{choices: ch.got, bad: i, decided: len(ch.got), got: describeStep(st.Call.Name == "settle", got)}, nil
		}
	}
	return traceProbe{choices: ch.got, bad: -1}, nil
}

// withoutFindingVerdicts drops, from the observed verdicts, those of
// expectations of a sanitizer finding: the model's side leaves them out
// too.
func withoutFindingVerdicts(sc *spec.Scenario, observed []ObservedStep) []ObservedStep {
	out := make([]ObservedStep, len(observed))
	for i, o := range observed {
		finding := map[int]bool{}
		for _, e := range sc.Steps[i].Expect {
			if isFindingExpect(e) {
				finding[e.Line] = true
			}
		}
		var keep []int
		for _, l := range o.Failed {
			if !finding[l] {
				keep = append(keep, l)
			}
		}
		o.Failed = keep
		out[i] = o
	}
	return out
}

func isFindingExpect(e spec.Expect) bool {
	return e.Alts == nil && len(e.Words) > 0 && e.Words[0] == "finding"
}

// modelFirstEphemeral is the first port the in-memory network gives an
// implicit bind (provider/mem/mem.go); ports from there up are the model's
// ephemeral ports.
const modelFirstEphemeral = 49152

// matcher compares observed steps with the model's, one probe at a time.
// It is stateful for one reason: an ephemeral port is the system's to
// pick, so the model's ephemeral ports match the observed ones up to a
// consistent renaming (the same model port is always the same observed
// port, and two model ports never the same observed one).
type matcher struct {
	ports, back map[uint16]uint16
}

func newMatcher() *matcher {
	return &matcher{ports: map[uint16]uint16{}, back: map[uint16]uint16{}}
}

// sameStep compares an observed step with the model's.
func (m *matcher) sameStep(st spec.Step, obs, got ObservedStep) bool {
	if st.Call.Name != "settle" && !m.sameOutcome(st.Call, obs.Outcome, got.Outcome) {
		return false
	}
	if len(obs.Completions) != len(got.Completions) {
		return false
	}
	a, b := sortedCompletions(obs.Completions), sortedCompletions(got.Completions)
	for i := range a {
		if a[i].Thread != b[i].Thread || a[i].Call != b[i].Call || !m.sameOutcome(spec.Call{Name: a[i].Call}, a[i].Outcome, b[i].Outcome) {
			return false
		}
	}
	if obs.Verdicts {
		fa, fb := sortedInts(obs.Failed), sortedInts(got.Failed)
		if len(fa) != len(fb) {
			return false
		}
		for i := range fa {
			if fa[i] != fb[i] {
				return false
			}
		}
	}
	return true
}

// sameOutcome compares an observed outcome with the model's: blocked or
// not, the return value, the error, and every out-parameter both report.
func (m *matcher) sameOutcome(c spec.Call, obs, model spec.Outcome) bool {
	if obs.Blocked || model.Blocked {
		return obs.Blocked == model.Blocked
	}
	if !sameValue(obs.Ret, model.Ret) || !sameValue(obs.Err, model.Err) {
		return false
	}
	for _, k := range sortedKeys(obs.Outs) {
		if w, ok := model.Outs[k]; ok && !m.sameOut(c, k, obs.Outs[k], w) {
			return false
		}
	}
	return true
}

// sameOut compares one out-parameter. Beyond equal values: an
// out-parameter the model leaves unwritten ("untouched") holds whatever
// was there, which a program may not read, so any observed value is
// permitted; addresses compare with ephemeral ports renamed; and the
// function pointer SIO_GET_EXTENSION_FUNCTION_POINTER returns is an
// address, and SIO_BASE_HANDLE's answer a handle: each only has to be
// non-null on both sides.
func (m *matcher) sameOut(c spec.Call, key, obs, model string) bool {
	if model == "untouched" {
		return true
	}
	if ok, isAddr := m.sameAddr(obs, model); isAddr {
		return ok
	}
	if key == "value" && c.Name == "WSAIoctl" && (c.Args.Has("SIO_GET_EXTENSION_FUNCTION_POINTER") || c.Args.Has("SIO_BASE_HANDLE")) {
		return obs != "0" && obs != "untouched" && model != "0"
	}
	return sameValue(obs, model)
}

// sameAddr compares two addresses with ports, the model's ephemeral ports
// renamed consistently to the observed ones; isAddr is false when either
// is not an address.
func (m *matcher) sameAddr(obs, model string) (ok, isAddr bool) {
	a, err1 := netip.ParseAddrPort(obs)
	b, err2 := netip.ParseAddrPort(model)
	if err1 != nil || err2 != nil {
		return false, false
	}
	if a.Addr() != b.Addr() {
		return false, true
	}
	po, pm := a.Port(), b.Port()
	if pm < modelFirstEphemeral || po == 0 {
		return po == pm, true
	}
	if x, seen := m.ports[pm]; seen {
		return x == po, true
	}
	if _, taken := m.back[po]; taken {
		return false, true
	}
	m.ports[pm], m.back[po] = po, pm
	return true, true
}

// sameValue compares two reported values: as text, or as numbers when
// both are (error and status names read as their codes).
func sameValue(a, b string) bool {
	if a == b {
		return true
	}
	if a == "" || b == "" {
		return false
	}
	x, err1 := spec.ParseValue(a)
	y, err2 := spec.ParseValue(b)
	return err1 == nil && err2 == nil && x == y
}

func sortedCompletions(cs []spec.Completion) []spec.Completion {
	out := append([]spec.Completion(nil), cs...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Thread < out[j].Thread })
	return out
}

func sortedInts(xs []int) []int {
	out := append([]int(nil), xs...)
	sort.Ints(out)
	return out
}

// describeStep renders a step's observation on one line.
func describeStep(settle bool, o ObservedStep) string {
	var parts []string
	if settle {
		parts = append(parts, "(settle)")
	} else {
		parts = append(parts, spec.FormatOutcome(o.Outcome))
	}
	if len(o.Completions) > 0 {
		var cs []string
		for _, c := range o.Completions {
			cs = append(cs, spec.FormatCompletion(c))
		}
		parts = append(parts, "returned meanwhile: "+strings.Join(cs, "; "))
	}
	if o.Verdicts && len(o.Failed) > 0 {
		var ls []string
		for _, l := range sortedInts(o.Failed) {
			ls = append(ls, strconv.Itoa(l))
		}
		parts = append(parts, "expectations failing at line "+strings.Join(ls, ", "))
	}
	return strings.Join(parts, " ; ")
}

// ObservedFromReport turns a run's report into observations, as a
// recording of that run would give them (tests, and making traces from
// the emulator). A run stopped by an error gives the steps before the one
// that stopped it.
func ObservedFromReport(rep *spec.Report) []ObservedStep {
	var out []ObservedStep
	for i, s := range rep.Steps {
		if rep.Err != nil && i == len(rep.Steps)-1 {
			break
		}
		o := ObservedStep{Line: s.Step.Line, Thread: s.Step.Thread, Call: s.Step.Call.String(), Outcome: s.Outcome, Completions: s.Completions, Verdicts: true}
		if s.Step.Call.Name == "settle" {
			o.Call, o.Outcome = "settle", spec.Outcome{}
		}
		for _, f := range s.Failures {
			o.Failed = append(o.Failed, f.Line)
		}
		out = append(out, o)
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
