package spec

import (
	"fmt"
	"net/netip"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
)

// Failure is one expectation that did not hold.
type Failure struct {
	Line int
	Msg  string
}

// StepResult is what one step did and which expectations failed.
type StepResult struct {
	Step Step
	// TraceFrom and TraceTo delimit the trace events the step produced,
	// when the backend keeps a trace (the emulator does).
	TraceFrom, TraceTo int
	// Result is how the call returned; Outcome is it rendered.
	Result      Result
	Outcome     Outcome
	Completions []Completion
	Failures    []Failure
}

// Report is one run of a scenario under one configuration.
type Report struct {
	Scenario *Scenario
	Config   RunConfig
	Backend  string
	Steps    []StepResult
	// Err is a problem that stopped the run: a scenario mistake (an
	// unknown call or object) or a backend failure.
	Err error
	// Findings are the sanitizer's findings (with RunConfig.Sanitize on
	// the emulator), as "clause: text".
	Findings []string
	// Expected are the clauses the scenario's "finding" lines expect.
	Expected []string
	// Liveness lists what broke the liveness check at the end of the run
	// (backends that can check it): a completion still waiting after the
	// machine settled, or an operation notified twice.
	Liveness []string

	// kept is memory the steps of the last run leave, by index, to the
	// steps of the next run written into this report (RunInto); so is
	// keptFindings and keptExpected, the room of Findings and Expected.
	kept         []keptStep
	keptFindings []string
	keptExpected []string
}

// keptStep is what a report keeps of one step for the step of the same
// index in the next run: its out-parameters' map and its completions'
// room and maps.
type keptStep struct {
	outs    keptOuts
	comps   []Completion
	couts   []keptOuts  // by completion
	more    []OutKV     // the room of the result's Outs.More
	entries []PortEntry // and of its Outs.Entries
}

// keptOuts is a map of out-parameters kept for a later rendering, and the
// call whose outcome it holds.
type keptOuts struct {
	op Op
	m  map[string]string
}

// outsKept is the most entries a kept map may hold for a rendering of
// another call to clear and reuse it: a Go map's clear costs the room the
// map grew to, and a large one is made again rather than cleared for
// every small rendering after it.
const outsKept = 8

// take gives the kept map for a rendering of op: as it is when it holds
// op's last rendering (same), cleared when it is small, or nil (a new
// map is made). Ops are the parser's *…Call pointers (see Op), so the
// comparison is one of identity and never meets an uncomparable value.
func (k *keptOuts) take(op Op) (m map[string]string, same bool) {
	switch {
	case k.m == nil:
		return nil, false
	case k.op == op:
		return k.m, true
	case len(k.m) <= outsKept:
		clear(k.m)
		return k.m, false
	}
	k.op, k.m = nil, nil
	return nil, false
}

// keep notes the map a rendering of op wrote (nil: none).
func (k *keptOuts) keep(op Op, m map[string]string) {
	if m != nil {
		k.op, k.m = op, m
	}
}

// findingOf reports whether the finding f ("clause: text") is of clause.
func findingOf(f, clause string) bool {
	return len(f) >= len(clause)+2 && f[:len(clause)] == clause && f[len(clause):len(clause)+2] == ": "
}

// UnexpectedFindings are sanitizer findings the scenario did not expect.
func (r *Report) UnexpectedFindings() []string {
	var out []string
	for _, f := range r.Findings {
		ok := false
		for _, c := range r.Expected {
			if findingOf(f, c) {
				ok = true
			}
		}
		if !ok {
			out = append(out, f)
		}
	}
	return out
}

// Passed reports whether every expectation held, nothing went wrong, and
// the sanitizer found no misuse the scenario did not expect.
func (r *Report) Passed() bool {
	if r.Err != nil || len(r.UnexpectedFindings()) > 0 {
		return false
	}
	for _, s := range r.Steps {
		if len(s.Failures) > 0 {
			return false
		}
	}
	return true
}

// Failures lists every failure with its file and line, control
// characters escaped.
func (r *Report) Failures() []string {
	var out []string
	if r.Err != nil {
		out = append(out, r.Err.Error())
	}
	for _, f := range r.UnexpectedFindings() {
		out = append(out, fmt.Sprintf("%s: sanitizer: %s", r.Scenario.File, f))
	}
	for _, s := range r.Steps {
		for _, f := range s.Failures {
			out = append(out, fmt.Sprintf("%s:%d: %s", r.Scenario.File, f.Line, f.Msg))
		}
	}
	// Values written in quotes may hold any byte: none reaches a terminal.
	for i := range out {
		out[i] = Printable(out[i])
	}
	return out
}

// addStep appends an empty step result for the step st, making room for
// all n steps at the first (a run records at most one result per step),
// and returns it to be written in place.
func (rep *Report) addStep(st *Step, n int) *StepResult {
	if len(rep.Steps) == 0 && cap(rep.Steps) < n {
		rep.Steps = make([]StepResult, 0, n)
	}
	rep.Steps = append(rep.Steps, StepResult{Step: *st})
	return &rep.Steps[len(rep.Steps)-1]
}

// keptFor is what the last run left for step k.
func (rep *Report) keptFor(k int) *keptStep {
	if k >= len(rep.kept) {
		rep.kept = append(rep.kept, make([]keptStep, k+1-len(rep.kept))...)
	}
	return &rep.kept[k]
}

// keepResult copies the lists of step k's result into the room the step
// of its index kept: a backend may lend its own (the emulator's are
// valid until its next run), and the report's steps outlive it.
func (rep *Report) keepResult(k int, r *Result) {
	if len(r.Outs.More) == 0 && len(r.Outs.Entries) == 0 {
		return
	}
	ks := rep.keptFor(k)
	if len(r.Outs.More) > 0 {
		ks.more = append(ks.more[:0], r.Outs.More...)
		r.Outs.More = ks.more[:len(ks.more):len(ks.more)]
	}
	if len(r.Outs.Entries) > 0 {
		ks.entries = append(ks.entries[:0], r.Outs.Entries...)
		r.Outs.Entries = ks.entries[:len(ks.entries):len(ks.entries)]
	}
}

// render renders the outcome of step k, in the map the step of its index
// kept.
func (rep *Report) render(k int, op Op, r *Result) Outcome {
	ks := rep.keptFor(k)
	m, same := ks.outs.take(op)
	o := renderInto(op, r, m, same)
	ks.outs.keep(op, o.Outs)
	return o
}

// completions renders the calls that returned during step k, in the room
// and maps the step of its index kept.
func (rep *Report) completions(k int, rs []Returned) []Completion {
	if len(rs) == 0 {
		return nil
	}
	ks := rep.keptFor(k)
	if cap(ks.comps) < len(rs) {
		ks.comps = make([]Completion, len(rs))
	}
	for len(ks.couts) < len(rs) {
		ks.couts = append(ks.couts, keptOuts{})
	}
	cs := ks.comps[:len(rs)]
	for i, r := range rs {
		m, same := ks.couts[i].take(r.Op)
		cs[i] = renderReturnedInto(r, m, same)
		ks.couts[i].keep(r.Op, cs[i].Outcome.Outs)
	}
	return cs
}

// Run runs a scenario on a backend under one configuration and checks
// every expectation. The backend is closed afterwards.
func Run(sc *Scenario, b Backend, cfg RunConfig) *Report { return run(nil, sc, b, cfg, nil) }

// RunInto runs as Run does and writes the report into rep, which loses
// what it held but lends its memory (the steps' room) to the new report:
// a driver that makes many runs and reads each report before the next
// (explore) allocates it once. rep == nil: a new report, as Run.
func RunInto(rep *Report, sc *Scenario, b Backend, cfg RunConfig) *Report {
	return run(rep, sc, b, cfg, nil)
}

func run(rep *Report, sc *Scenario, b Backend, cfg RunConfig, onBranch func(line, branch int)) (ret *Report) {
	if rep == nil {
		rep = &Report{}
	}
	// The steps' room and what they kept (see keptStep) are reused;
	// nothing else is.
	steps, kept, findings, expected := rep.Steps, rep.kept, rep.keptFindings, rep.keptExpected
	clear(steps)
	*rep = Report{Scenario: sc, Config: cfg, Backend: b.Name(), Steps: steps[:0], kept: kept, keptFindings: findings, keptExpected: expected}
	defer b.Close()
	line := 0       // the step being run, for a panic's place
	inStep := false // its result is being written, at the end of rep.Steps
	defer func() {
		// A panic outside the emulated threads (in the backend's driver
		// side, or in the runner itself) fails the run like one inside
		// them: a could-not-run failure with its stack, never a crash
		// that hides which scenario caused it. The step it stopped is
		// not reported.
		if r := recover(); r != nil {
			if inStep {
				rep.Steps[len(rep.Steps)-1] = StepResult{}
				rep.Steps = rep.Steps[:len(rep.Steps)-1]
			}
			rep.Err = &PanicError{File: sc.File, Line: line, Err: fmt.Errorf("%v\n%s", r, debug.Stack())}
			ret = rep // a recovered panic returns the named result, not the report
		}
	}()
	if err := b.Start(cfg, sc.Decls); err != nil {
		rep.Err = withFile(sc.File, err)
		return rep
	}
	ev := newEvaluator(b, onBranch)
	defer ev.free()
	ev.expected = rep.keptExpected[:0]
	tl, _ := b.(interface{ TraceLen() int })
	for k := range sc.Steps {
		st := &sc.Steps[k]
		line = st.Line
		// The step's result is written in place, at the end of the
		// report's steps.
		res := rep.addStep(st, len(sc.Steps))
		inStep = true
		if tl != nil {
			res.TraceFrom = tl.TraceLen()
		}
		if aw, ok := b.(interface{ Await(Step) }); ok {
			// A backend on a real system waits for what the step expects
			// (up to a deadline) instead of guessing a pause.
			aw.Await(*st)
		}
		var err error
		if st.Call.Name == "settle" {
			err = b.Settle()
		} else {
			res.Result, err = b.Do(st.Thread, st.Call.Op)
			rep.keepResult(k, &res.Result)
			res.Outcome = rep.render(k, st.Call.Op, &res.Result)
		}
		if err == nil {
			err = checkPanics(b, sc.File, st.Line)
		}
		if err != nil {
			rep.Err = stepError(sc.File, st.Line, err)
			return rep
		}
		res.Completions = rep.completions(k, b.Completed())
		if tl != nil {
			res.TraceTo = tl.TraceLen()
		}
		for _, c := range res.Completions {
			ev.completed(c)
		}
		ev.out = res.Outcome
		for _, e := range st.Expect {
			res.Failures = append(res.Failures, ev.check(e)...)
		}
		// Quoted values may hold any byte: no message carries a control
		// character to a terminal, whoever prints it.
		for i := range res.Failures {
			res.Failures[i].Msg = Printable(res.Failures[i].Msg)
		}
		inStep = false
	}
	if lb, ok := b.(interface{ Liveness() []string }); ok && rep.Err == nil {
		rep.Liveness = lb.Liveness()
		// The final settle runs the machine too: a panic there fails.
		last := 0
		if n := len(sc.Steps); n > 0 {
			last = sc.Steps[n-1].Line
		}
		if err := checkPanics(b, sc.File, last); err != nil {
			rep.Err = err
		}
	}
	if fb, ok := b.(interface{ Findings() []string }); ok {
		// A copy in the report's room: the backend's list may be its own.
		if fs := fb.Findings(); fs != nil {
			rep.Findings = append(rep.keptFindings[:0], fs...)
			rep.keptFindings = rep.Findings
		}
	}
	if len(ev.expected) > 0 {
		rep.Expected, rep.keptExpected = ev.expected, ev.expected
	}
	return rep
}

// RenderCompleted renders returned calls as completions.
func RenderCompleted(rs []Returned) []Completion {
	if len(rs) == 0 {
		return nil
	}
	out := make([]Completion, len(rs))
	for i, r := range rs {
		out[i] = RenderReturned(r)
	}
	return out
}

// stepError places a backend's error at the step's line.
func stepError(file string, line int, err error) error {
	if pe, ok := err.(*PanicError); ok {
		return pe
	}
	if _, ok := err.(*ParseError); ok {
		return withFile(file, err)
	}
	return &ParseError{file, line, err.Error()}
}

func withFile(file string, err error) error {
	if pe, ok := err.(*ParseError); ok && pe.File == "" {
		c := *pe
		c.File = file
		return &c
	}
	return err
}

type evaluator struct {
	b        Backend
	out      Outcome
	last     map[string]Completion
	lastMax  int // the most entries last has held this run
	expected []string
	onBranch func(line, branch int) // told which branch of a group held first (RunBranches)
	// msg is where failed expectations write why: a check's message, or
	// a group's, whose branches write theirs in turn and cut them off
	// again when one holds. Kept from run to run.
	msg []byte
}

// evaluators keeps the evaluators of finished runs, so that a driver
// running many scenarios (explore) does not make one, and its map, for
// each run.
var evaluators = sync.Pool{New: func() any { return &evaluator{last: map[string]Completion{}} }}

// newEvaluator gives an evaluator for one run on b, as empty as a new one.
func newEvaluator(b Backend, onBranch func(line, branch int)) *evaluator {
	ev := evaluators.Get().(*evaluator)
	ev.b, ev.onBranch = b, onBranch
	return ev
}

// lastKept is the most completions (threads) an evaluator's map may have
// held for free to clear it for the next run rather than make a new one:
// clearing a map costs the room it once grew to.
const lastKept = 8

// free empties ev and keeps it for a later run. The expected clauses went
// to the run's report (written in its room), which keeps them.
func (ev *evaluator) free() {
	last := ev.last
	if ev.lastMax > lastKept {
		last = map[string]Completion{}
	} else {
		clear(last)
	}
	*ev = evaluator{last: last, msg: ev.msg[:0]}
	evaluators.Put(ev)
}

// completed notes a completion: "thread T returned" reads the last one of
// each thread.
func (ev *evaluator) completed(c Completion) {
	ev.last[c.Thread] = c
	ev.lastMax = max(ev.lastMax, len(ev.last))
}

// check evaluates one expectation (or group) and returns its failures.
func (ev *evaluator) check(e Expect) []Failure {
	ev.msg = ev.msg[:0]
	if e.Alts == nil {
		if ev.one(e.Words) {
			return nil
		}
		return []Failure{{e.Line, string(ev.msg)}}
	}
	if ev.group(e) {
		return nil
	}
	return []Failure{{e.Line, string(ev.msg)}}
}

// group evaluates an either/or group: true if some branch holds in full.
// Otherwise it has appended why no branch holds to ev.msg. Each
// expectation is evaluated once and each message written once, so the
// cost is linear in the size of the group however deeply groups nest
// (issue 9: copying the inner messages at every level was quadratic);
// when a branch holds, what its failed siblings wrote is cut off again.
func (ev *evaluator) group(e Expect) bool {
	start := len(ev.msg)
	ev.msg = append(ev.msg, "no branch of either/or holds: "...)
	for i, br := range e.Alts {
		if i > 0 {
			ev.msg = append(ev.msg, "; "...)
		}
		ev.msg = append(ev.msg, "branch "...)
		ev.msg = strconv.AppendInt(ev.msg, int64(i+1), 10)
		ev.msg = append(ev.msg, ": "...)
		ok, first := true, true
		for _, x := range br {
			mark := len(ev.msg)
			if !first {
				ev.msg = append(ev.msg, ", "...)
			}
			var held bool
			if x.Alts != nil {
				held = ev.group(x)
			} else {
				held = ev.one(x.Words)
			}
			if held {
				ev.msg = ev.msg[:mark]
				continue
			}
			ok, first = false, false
		}
		if ok {
			ev.msg = ev.msg[:start]
			if ev.onBranch != nil {
				ev.onBranch(e.Line, i)
			}
			return true
		}
	}
	return false
}

// fail appends a message to ev.msg and reports that the expectation does
// not hold.
func (ev *evaluator) fail(msg string) bool {
	ev.msg = append(ev.msg, msg...)
	return false
}

// one evaluates one expectation line: whether it holds; if not, it has
// appended why to ev.msg.
func (ev *evaluator) one(w []string) bool {
	head := w[0]
	switch {
	case head == "return":
		return ev.matchOutcome(ev.out, w[1:], what{"the call", "", "", ""})
	case head == "finding" && len(w) == 2:
		// The sanitizer must have reported this clause by now. A backend
		// without a sanitizer (real Windows) cannot say: not checked.
		ev.expected = append(ev.expected, w[1])
		fb, ok := ev.b.(interface{ Findings() []string })
		if !ok {
			return true
		}
		for _, f := range fb.Findings() {
			if findingOf(f, w[1]) {
				return true
			}
		}
		ev.msg = fmt.Appendf(ev.msg, "want a sanitizer finding for %s; findings: %v", w[1], fb.Findings())
		return false
	case head == "thread" && len(w) >= 3:
		th := w[1]
		switch w[2] {
		case "blocked", "running":
			bl, err := ev.b.Blocked(th)
			if err != nil {
				return ev.fail(err.Error())
			}
			if bl != (w[2] == "blocked") {
				is := "not blocked"
				if bl {
					is = "blocked"
				}
				ev.msg = append(append(append(append(append(append(ev.msg, "thread "...), th...), ": want "...), w[2]...), ", it is "...), is...)
				return false
			}
			return true
		case "returned":
			c, ok := ev.last[th]
			if !ok {
				ev.msg = append(append(append(ev.msg, "thread "...), th...), ": no blocked call of it has returned"...)
				return false
			}
			delete(ev.last, th)
			return ev.matchOutcome(c.Outcome, w[3:], what{"thread ", th, "'s ", c.Call})
		}
	case head == "event" && len(w) == 3:
		sig, err := ev.b.EventSignalled(w[1])
		if err != nil {
			return ev.fail(err.Error())
		}
		want := w[2] == "signalled"
		if w[2] != "signalled" && w[2] != "clear" {
			ev.msg = fmt.Appendf(ev.msg, "event %s: want signalled or clear, not %q", w[1], w[2])
			return false
		}
		if sig != want {
			is := "clear"
			if sig {
				is = "signalled"
			}
			ev.msg = append(append(append(append(append(append(ev.msg, "event "...), w[1]...), ": want "...), w[2]...), ", it is "...), is...)
			return false
		}
		return true
	case (head == "routine" || head == "apc") && len(w) >= 3:
		calls, err := ev.b.Routine(w[1])
		if err != nil {
			return ev.fail(err.Error())
		}
		return ev.matchRoutine(w[1], calls, w[2:])
	case head == "msg" && len(w) >= 3:
		if msg := ev.checkMsg(w); msg != "" {
			return ev.fail(msg)
		}
		return true
	case head == "buffer" && len(w) == 3:
		b, err := ev.b.Buffer(w[1])
		if err != nil {
			return ev.fail(err.Error())
		}
		want, _ := Quoted(w[2])
		if len(b) < len(want) || string(b[:len(want)]) != want {
			ev.msg = fmt.Appendf(ev.msg, "buffer %s: want %q at its start, it holds %q", w[1], want, b)
			return false
		}
		return true
	case strings.Contains(head, ".") && !strings.Contains(head, "=") && len(w) == 2:
		name, field, _ := strings.Cut(head, ".")
		f, err := ev.b.Overlapped(name)
		if err != nil {
			return ev.fail(err.Error())
		}
		var got uint64
		switch field {
		case "Internal":
			got = f.Internal
		case "InternalHigh":
			got = f.InternalHigh
		case "Offset":
			got = uint64(f.Offset)
		case "OffsetHigh":
			got = uint64(f.OffsetHigh)
		default:
			ev.msg = fmt.Appendf(ev.msg, "unknown field %q (Internal, InternalHigh, Offset, OffsetHigh)", field)
			return false
		}
		if !matchValue(strconv.FormatUint(got, 10), w[1]) {
			ev.msg = append(append(append(append(ev.msg, head...), ": want "...), w[1]...), ", it is 0x"...)
			ev.msg = strconv.AppendUint(ev.msg, got, 16)
			return false
		}
		return true
	case strings.Contains(head, "="):
		// Every pair is checked; the mismatches are joined with "; ".
		start, bad := len(ev.msg), false
		for _, kv := range w {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				ev.msg = ev.msg[:start]
				ev.msg = fmt.Appendf(ev.msg, "cannot read %q: want key=value", kv)
				return false
			}
			got, ok := ev.out.Outs[k]
			if !ok {
				got = "(not reported)"
			}
			if !matchValue(got, v) {
				if bad {
					ev.msg = append(ev.msg, "; "...)
				}
				bad = true
				ev.msg = appendShow(append(append(ev.msg, k...), ": want "...), v)
				ev.msg = append(append(ev.msg, ", got "...), got...)
			}
		}
		return !bad
	}
	ev.msg = fmt.Appendf(ev.msg, "cannot read expectation %q", strings.Join(w, " "))
	return false
}

// what names the call an outcome is of in messages: the pieces joined.
type what [4]string

func (w what) appendTo(b []byte) []byte {
	for _, s := range w {
		b = append(b, s...)
	}
	return b
}

func showAll(w []string) string {
	out := make([]string, len(w))
	for i, x := range w {
		out[i] = show(x)
	}
	return strings.Join(out, " ")
}

func show(v string) string {
	if s, ok := Quoted(v); ok {
		return strconv.Quote(s)
	}
	return v
}

// appendShow appends show(v).
func appendShow(b []byte, v string) []byte {
	if s, ok := Quoted(v); ok {
		return strconv.AppendQuote(b, s)
	}
	return append(b, v...)
}

// matchOutcome checks "RET [ERR]" (each may list alternatives with |;
// RET "blocks" means the call has not returned), then key=value pairs;
// if the outcome does not match, it appends why to ev.msg.
func (ev *evaluator) matchOutcome(o Outcome, w []string, wh what) bool {
	if len(w) == 0 {
		return ev.fail("return needs a value")
	}
	if w[0] == "blocks" {
		if !o.Blocked {
			ev.msg = append(append(append(append(wh.appendTo(ev.msg), ": want it to block, it returned "...), o.Ret...), ' '), o.Err...)
			return false
		}
		return true
	}
	if o.Blocked {
		ev.msg = append(append(append(wh.appendTo(ev.msg), ": want "...), showAll(w)...), ", it blocked"...)
		return false
	}
	if !matchValue(o.Ret, w[0]) {
		ev.msg = appendShow(append(wh.appendTo(ev.msg), ": want return "...), w[0])
		ev.msg = append(append(append(append(ev.msg, ", got "...), o.Ret...), ' '), o.Err...)
		return false
	}
	rest := w[1:]
	if len(rest) > 0 && !strings.Contains(rest[0], "=") {
		if !matchValue(o.Err, rest[0]) {
			ev.msg = appendShow(append(wh.appendTo(ev.msg), ": want error "...), rest[0])
			ev.msg = append(append(ev.msg, ", got "...), orNone(o.Err)...)
			return false
		}
		rest = rest[1:]
	}
	for _, kv := range rest {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			ev.msg = fmt.Appendf(ev.msg, "cannot read %q: want key=value", kv)
			return false
		}
		if got := o.Outs[k]; !matchValue(got, v) {
			ev.msg = appendShow(append(append(append(wh.appendTo(ev.msg), ": "...), k...), ": want "...), v)
			ev.msg = append(append(ev.msg, ", got "...), got...)
			return false
		}
	}
	return true
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// matchValue compares an observed value with a wanted one: alternatives
// separated by |, numbers compared as numbers (names of error codes,
// statuses and flags allowed), quoted text compared as text.
func matchValue(got, want string) bool {
	if got == want && strings.IndexByte(want, '|') < 0 && !strings.Contains(want, quotedMark) {
		return true // one alternative, not quoted, the very text
	}
	for {
		alt, rest, more := strings.Cut(want, "|")
		if matchAlt(got, alt) {
			return true
		}
		if !more {
			return false
		}
		want = rest
	}
}

// matchAlt compares an observed value with one wanted alternative (no |
// in it).
func matchAlt(got, alt string) bool {
	if s, ok := Quoted(alt); ok {
		return got == s
	}
	if alt == got || (alt == "none" && got == "") {
		return true
	}
	if host, ok := strings.CutSuffix(alt, ":*"); ok {
		// An address with a port the system chose: any but 0.
		if ap, err := netip.ParseAddrPort(got); err == nil && ap.Port() != 0 {
			var b [64]byte
			if string(ap.Addr().AppendTo(b[:0])) == strings.Trim(host, "[]") {
				return true
			}
		}
	}
	if strings.Contains(alt, "+") || strings.Contains(got, "+") {
		// Bits joined with + (calltable_readiness.go), in any order.
		if a, ok := plusFlags(alt); ok {
			if g, ok := plusFlags(got); ok && a == g {
				return true
			}
		}
	}
	// Numbers and names as numbers. (Read as flags joined with |, an
	// alternative, which has no |, is the one value it names: no other
	// comparison is left.)
	a, ok1 := parseValue(alt)
	g, ok2 := parseValue(got)
	return ok1 && ok2 && a == g
}

// matchRoutine checks "ran N", "last k=v...", "call I k=v..."; if they
// do not hold, it appends why to ev.msg.
func (ev *evaluator) matchRoutine(name string, calls []RoutineCall, w []string) bool {
	switch w[0] {
	case "ran":
		if len(w) != 2 {
			return ev.fail("ran needs a count")
		}
		if !matchValue(strconv.Itoa(len(calls)), w[1]) {
			ev.msg = fmt.Appendf(ev.msg, "%s: want it run %s times, it ran %d", name, w[1], len(calls))
			return false
		}
		return true
	case "last", "call":
		i := len(calls) - 1
		kvs := w[1:]
		if w[0] == "call" {
			if len(w) < 2 {
				return ev.fail("call needs an index")
			}
			n, err := strconv.Atoi(w[1])
			if err != nil {
				return ev.fail("call needs an index (1 = first)")
			}
			i, kvs = n-1, w[2:]
		}
		if i < 0 || i >= len(calls) {
			ev.msg = fmt.Appendf(ev.msg, "%s: it ran %d times, no call %d", name, len(calls), i+1)
			return false
		}
		c := &calls[i]
		start, bad := len(ev.msg), false
		for _, kv := range kvs {
			k, v, ok := strings.Cut(kv, "=")
			got, known := routineField(c, k)
			if !ok || !known {
				ev.msg = ev.msg[:start]
				ev.msg = fmt.Appendf(ev.msg, "cannot read %q: want err=, bytes=, flags=, ov=, thread=, param= or depth=", kv)
				return false
			}
			if !matchValue(got, v) {
				if !bad {
					ev.msg = append(append(ev.msg, name...), " call "...)
					ev.msg = strconv.AppendInt(ev.msg, int64(i+1), 10)
					ev.msg = append(ev.msg, ": "...)
				} else {
					ev.msg = append(ev.msg, "; "...)
				}
				bad = true
				ev.msg = appendShow(append(append(ev.msg, k...), ": want "...), v)
				ev.msg = append(append(ev.msg, ", got "...), got...)
			}
		}
		return !bad
	}
	ev.msg = fmt.Appendf(ev.msg, "cannot read routine expectation %q (ran N, last k=v, call I k=v)", strings.Join(w, " "))
	return false
}

// routineField is one field of a routine's call as expectations name it;
// false for a name that is none.
func routineField(c *RoutineCall, k string) (string, bool) {
	switch k {
	case "err":
		return strconv.FormatUint(uint64(c.Err), 10), true
	case "bytes":
		return strconv.FormatUint(uint64(c.Bytes), 10), true
	case "flags":
		return strconv.FormatUint(uint64(c.Flags), 10), true
	case "ov":
		return c.Ov, true
	case "thread":
		return c.Thread, true
	case "param":
		return strconv.FormatUint(c.Param, 10), true
	case "depth":
		return strconv.Itoa(c.Depth), true
	}
	return "", false
}
