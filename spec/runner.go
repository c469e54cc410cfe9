package spec

import (
	"bytes"
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
}

// UnexpectedFindings are sanitizer findings the scenario did not expect.
func (r *Report) UnexpectedFindings() []string {
	var out []string
	for _, f := range r.Findings {
		ok := false
		for _, c := range r.Expected {
			if strings.HasPrefix(f, c+": ") {
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

// addStep appends a step's result, making room for all n steps at the
// first (a run records at most one result per step).
func (rep *Report) addStep(res StepResult, n int) {
	if len(rep.Steps) == 0 && cap(rep.Steps) < n {
		rep.Steps = make([]StepResult, 0, n)
	}
	rep.Steps = append(rep.Steps, res)
}

// stepOuts is an empty map for the out-parameters of the step about to
// be added: the one the last run (RunInto) left at that index, cleared,
// or nil (Render makes one).
func (rep *Report) stepOuts() map[string]string {
	k := len(rep.Steps)
	if k >= cap(rep.Steps) {
		return nil
	}
	m := rep.Steps[:k+1][k].Outcome.Outs
	clear(m)
	return m
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

func run(rep *Report, sc *Scenario, b Backend, cfg RunConfig, onBranch func(line, branch int)) *Report {
	if rep == nil {
		rep = &Report{}
	}
	steps := rep.Steps
	for i := range steps {
		// The step's out-parameter map is kept for the step of the same
		// index in this run (see stepOuts); nothing else is.
		m := steps[i].Outcome.Outs
		steps[i] = StepResult{}
		steps[i].Outcome.Outs = m
	}
	*rep = Report{Scenario: sc, Config: cfg, Backend: b.Name(), Steps: steps[:0]}
	defer b.Close()
	line := 0 // the step being run, for a panic's place
	defer func() {
		// A panic outside the emulated threads (in the backend's driver
		// side, or in the runner itself) fails the run like one inside
		// them: a could-not-run failure with its stack, never a crash
		// that hides which scenario caused it.
		if r := recover(); r != nil {
			rep.Err = &PanicError{File: sc.File, Line: line, Err: fmt.Errorf("%v\n%s", r, debug.Stack())}
		}
	}()
	if err := b.Start(cfg, sc.Decls); err != nil {
		rep.Err = withFile(sc.File, err)
		return rep
	}
	ev := newEvaluator(b, onBranch)
	defer ev.free()
	tl, _ := b.(interface{ TraceLen() int })
	for _, st := range sc.Steps {
		line = st.Line
		res := StepResult{Step: st}
		if tl != nil {
			res.TraceFrom = tl.TraceLen()
		}
		if aw, ok := b.(interface{ Await(Step) }); ok {
			// A backend on a real system waits for what the step expects
			// (up to a deadline) instead of guessing a pause.
			aw.Await(st)
		}
		var err error
		if st.Call.Name == "settle" {
			err = b.Settle()
		} else {
			res.Result, err = b.Do(st.Thread, st.Call.Op)
			res.Outcome = renderInto(st.Call.Op, res.Result, rep.stepOuts())
		}
		if err == nil {
			err = checkPanics(b, sc.File, st.Line)
		}
		if err != nil {
			rep.Err = stepError(sc.File, st.Line, err)
			rep.addStep(res, len(sc.Steps))
			return rep
		}
		res.Completions = RenderCompleted(b.Completed())
		if tl != nil {
			res.TraceTo = tl.TraceLen()
		}
		for _, c := range res.Completions {
			ev.last[c.Thread] = c
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
		rep.addStep(res, len(sc.Steps))
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
		rep.Findings = fb.Findings()
	}
	rep.Expected = ev.expected
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
	expected []string
	onBranch func(line, branch int) // told which branch of a group held first (RunBranches)
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

// free empties ev and keeps it for a later run. The expected clauses went
// to the run's report, which keeps them: the next run starts a new list.
func (ev *evaluator) free() {
	clear(ev.last)
	*ev = evaluator{last: ev.last}
	evaluators.Put(ev)
}

// check evaluates one expectation (or group) and returns its failures.
func (ev *evaluator) check(e Expect) []Failure {
	if e.Alts == nil {
		if msg := ev.one(e.Words); msg != "" {
			return []Failure{{e.Line, msg}}
		}
		return nil
	}
	var b []byte
	if ev.group(e, &b) {
		return nil
	}
	return []Failure{{e.Line, string(b)}}
}

// group evaluates an either/or group: true if some branch holds in full.
// Otherwise it has appended why no branch holds to *b. Each expectation is
// evaluated once and each message written once, so the cost is linear in
// the size of the group however deeply groups nest (issue 9: copying the
// inner messages at every level was quadratic); when a branch holds, what
// its failed siblings wrote is cut off again.
func (ev *evaluator) group(e Expect, b *[]byte) bool {
	start := len(*b)
	*b = append(*b, "no branch of either/or holds: "...)
	for i, br := range e.Alts {
		if i > 0 {
			*b = append(*b, "; "...)
		}
		*b = append(*b, "branch "...)
		*b = strconv.AppendInt(*b, int64(i+1), 10)
		*b = append(*b, ": "...)
		ok, first := true, true
		for _, x := range br {
			mark := len(*b)
			if !first {
				*b = append(*b, ", "...)
			}
			held := false
			if x.Alts != nil {
				held = ev.group(x, b)
			} else if msg := ev.one(x.Words); msg != "" {
				*b = append(*b, msg...)
			} else {
				held = true
			}
			if held {
				*b = (*b)[:mark]
				continue
			}
			ok, first = false, false
		}
		if ok {
			*b = (*b)[:start]
			if ev.onBranch != nil {
				ev.onBranch(e.Line, i)
			}
			return true
		}
	}
	return false
}

// one evaluates one expectation line; "" means it holds.
func (ev *evaluator) one(w []string) string {
	head := w[0]
	switch {
	case head == "return":
		return matchOutcome(ev.out, w[1:], "the call")
	case head == "finding" && len(w) == 2:
		// The sanitizer must have reported this clause by now. A backend
		// without a sanitizer (real Windows) cannot say: not checked.
		ev.expected = append(ev.expected, w[1])
		fb, ok := ev.b.(interface{ Findings() []string })
		if !ok {
			return ""
		}
		for _, f := range fb.Findings() {
			if strings.HasPrefix(f, w[1]+": ") {
				return ""
			}
		}
		return fmt.Sprintf("want a sanitizer finding for %s; findings: %v", w[1], fb.Findings())
	case head == "thread" && len(w) >= 3:
		th := w[1]
		switch w[2] {
		case "blocked", "running":
			bl, err := ev.b.Blocked(th)
			if err != nil {
				return err.Error()
			}
			if bl != (w[2] == "blocked") {
				return fmt.Sprintf("thread %s: want %s, it is %s", th, w[2], map[bool]string{true: "blocked", false: "not blocked"}[bl])
			}
			return ""
		case "returned":
			c, ok := ev.last[th]
			if !ok {
				return fmt.Sprintf("thread %s: no blocked call of it has returned", th)
			}
			delete(ev.last, th)
			return matchOutcome(c.Outcome, w[3:], "thread "+th+"'s "+c.Call)
		}
	case head == "event" && len(w) == 3:
		sig, err := ev.b.EventSignalled(w[1])
		if err != nil {
			return err.Error()
		}
		want := w[2] == "signalled"
		if w[2] != "signalled" && w[2] != "clear" {
			return fmt.Sprintf("event %s: want signalled or clear, not %q", w[1], w[2])
		}
		if sig != want {
			return fmt.Sprintf("event %s: want %s, it is %s", w[1], w[2], map[bool]string{true: "signalled", false: "clear"}[sig])
		}
		return ""
	case (head == "routine" || head == "apc") && len(w) >= 3:
		calls, err := ev.b.Routine(w[1])
		if err != nil {
			return err.Error()
		}
		return matchRoutine(w[1], calls, w[2:])
	case head == "msg" && len(w) >= 3:
		return ev.checkMsg(w)
	case head == "buffer" && len(w) == 3:
		b, err := ev.b.Buffer(w[1])
		if err != nil {
			return err.Error()
		}
		want, _ := Quoted(w[2])
		if !bytes.HasPrefix(b, []byte(want)) {
			return fmt.Sprintf("buffer %s: want %q at its start, it holds %q", w[1], want, b)
		}
		return ""
	case strings.Contains(head, ".") && !strings.Contains(head, "=") && len(w) == 2:
		name, field, _ := strings.Cut(head, ".")
		f, err := ev.b.Overlapped(name)
		if err != nil {
			return err.Error()
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
			return fmt.Sprintf("unknown field %q (Internal, InternalHigh, Offset, OffsetHigh)", field)
		}
		if !matchValue(strconv.FormatUint(got, 10), w[1]) {
			return fmt.Sprintf("%s: want %s, it is %#x", head, w[1], got)
		}
		return ""
	case strings.Contains(head, "="):
		var bad []string
		for _, kv := range w {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				return fmt.Sprintf("cannot read %q: want key=value", kv)
			}
			got, ok := ev.out.Outs[k]
			if !ok {
				got = "(not reported)"
			}
			if !matchValue(got, v) {
				bad = append(bad, fmt.Sprintf("%s: want %s, got %s", k, show(v), got))
			}
		}
		return strings.Join(bad, "; ")
	}
	return fmt.Sprintf("cannot read expectation %q", strings.Join(w, " "))
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

// matchOutcome checks "RET [ERR]" (each may list alternatives with |;
// RET "blocks" means the call has not returned).
func matchOutcome(o Outcome, w []string, what string) string {
	if len(w) == 0 {
		return "return needs a value"
	}
	if w[0] == "blocks" {
		if !o.Blocked {
			return fmt.Sprintf("%s: want it to block, it returned %s %s", what, o.Ret, o.Err)
		}
		return ""
	}
	if o.Blocked {
		return fmt.Sprintf("%s: want %s, it blocked", what, showAll(w))
	}
	if !matchValue(o.Ret, w[0]) {
		return fmt.Sprintf("%s: want return %s, got %s %s", what, show(w[0]), o.Ret, o.Err)
	}
	rest := w[1:]
	if len(rest) > 0 && !strings.Contains(rest[0], "=") {
		if !matchValue(o.Err, rest[0]) {
			return fmt.Sprintf("%s: want error %s, got %s", what, show(rest[0]), orNone(o.Err))
		}
		rest = rest[1:]
	}
	for _, kv := range rest {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return fmt.Sprintf("cannot read %q: want key=value", kv)
		}
		if got := o.Outs[k]; !matchValue(got, v) {
			return fmt.Sprintf("%s: %s: want %s, got %s", what, k, show(v), got)
		}
	}
	return ""
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
	for alt := range strings.SplitSeq(want, "|") {
		if s, ok := Quoted(alt); ok {
			if got == s {
				return true
			}
			continue
		}
		if alt == got || (alt == "none" && got == "") {
			return true
		}
		if host, ok := strings.CutSuffix(alt, ":*"); ok {
			// An address with a port the system chose: any but 0.
			if ap, err := netip.ParseAddrPort(got); err == nil && ap.Port() != 0 && ap.Addr().String() == strings.Trim(host, "[]") {
				return true
			}
		}
		if a, ok := PlusFlags(alt); ok && (strings.Contains(alt, "+") || strings.Contains(got, "+")) {
			if g, ok := PlusFlags(got); ok && a == g {
				return true // bits joined with + (calltable_readiness.go), in any order
			}
		}
		a, err1 := ParseValue(alt)
		g, err2 := ParseValue(got)
		if err1 == nil && err2 == nil && a == g {
			return true
		}
		if err1 == nil && got != "" {
			if f, err := ParseFlags(alt); err == nil && err2 == nil && f == g {
				return true
			}
		}
		if strings.Contains(alt, "|") {
			continue
		}
	}
	return false
}

// matchRoutine checks "ran N", "last k=v...", "call I k=v...".
func matchRoutine(name string, calls []RoutineCall, w []string) string {
	switch w[0] {
	case "ran":
		if len(w) != 2 {
			return "ran needs a count"
		}
		if !matchValue(strconv.Itoa(len(calls)), w[1]) {
			return fmt.Sprintf("%s: want it run %s times, it ran %d", name, w[1], len(calls))
		}
		return ""
	case "last", "call":
		i := len(calls) - 1
		kvs := w[1:]
		if w[0] == "call" {
			if len(w) < 2 {
				return "call needs an index"
			}
			n, err := strconv.Atoi(w[1])
			if err != nil {
				return "call needs an index (1 = first)"
			}
			i, kvs = n-1, w[2:]
		}
		if i < 0 || i >= len(calls) {
			return fmt.Sprintf("%s: it ran %d times, no call %d", name, len(calls), i+1)
		}
		c := calls[i]
		fields := map[string]string{
			"err": strconv.FormatUint(uint64(c.Err), 10), "bytes": strconv.FormatUint(uint64(c.Bytes), 10),
			"flags": strconv.FormatUint(uint64(c.Flags), 10), "ov": c.Ov, "thread": c.Thread,
			"param": strconv.FormatUint(c.Param, 10), "depth": strconv.Itoa(c.Depth),
		}
		var bad []string
		for _, kv := range kvs {
			k, v, ok := strings.Cut(kv, "=")
			got, known := fields[k]
			if !ok || !known {
				return fmt.Sprintf("cannot read %q: want err=, bytes=, flags=, ov=, thread=, param= or depth=", kv)
			}
			if !matchValue(got, v) {
				bad = append(bad, fmt.Sprintf("%s: want %s, got %s", k, show(v), got))
			}
		}
		if len(bad) > 0 {
			return fmt.Sprintf("%s call %d: %s", name, i+1, strings.Join(bad, "; "))
		}
		return ""
	}
	return fmt.Sprintf("cannot read routine expectation %q (ran N, last k=v, call I k=v)", strings.Join(w, " "))
}
