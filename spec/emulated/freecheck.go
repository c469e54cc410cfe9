package emulated

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/spec"
	"github.com/wsaemu/wsaemu/trace"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// Checking a free-form trace (docs/trace-format.md) against the model, the
// way porcupine checks a history: the trace says, per thread, what the
// program saw, but not how the threads interleaved (timestamps, when
// given, narrow it) nor what the system decided where the pages leave a
// choice. A probe replays the trace on the emulator, deciding at each
// point which thread's next observation happens next — or that time passes
// (the machine settles: pending completions are delivered, time-outs run
// out) — and comparing each observation with the model's as soon as it is
// made. Those scheduling decisions are Chooser decisions like the
// emulator's own (point "schedule"), so the depth-first walk of
// CheckObserved (searchDecisions) searches both at once: the first probe
// follows the trace's file order and the usual schedule, and each next one
// changes the latest decision taken before the previous probe's mismatch.
//
// An observation matches when the call returns (in the model, at once or
// after blocking) with the recorded return value, the same error when it
// failed, and the same value of every out-parameter both report (an
// out-parameter the model leaves unwritten matches anything; ephemeral
// ports match up to a renaming); when the completion routines and APCs
// the model runs inside the call are the ones recorded there, in any
// order within one step; and when a read of a record's field gives the
// recorded value.

// FreeCheck is the answer about a free-form trace.
type FreeCheck struct {
	// Verdict is "permitted", "not permitted" (every schedule tried) or
	// "undecided" (the budget ran out first).
	Verdict string
	// Kind and Profile are what the trace was checked as.
	Kind, Profile string
	// Runs is how many probes were run, Steps how many records they
	// replayed together; Observations how many records the trace has
	// after its header.
	Runs, Steps, Observations int
	// Choices are the decisions of the explaining schedule (permitted),
	// scheduling decisions included, or of one that got furthest (not
	// permitted, undecided); Timeline its steps, one line each, up to
	// where it stops matching.
	Choices  []emu.Choice
	Timeline []string
	// Undefined, when set, is the sanitizer finding the explaining
	// schedule ran into: from that point on the program did what the
	// pages call undefined, so whatever followed is permitted.
	Undefined string

	// When not permitted or undecided: the first observation no schedule
	// explained (its trace line and the record, rendered), the clause it
	// breaks where the checker knows it, and the model's results there
	// across the search, each with how many probes gave it.
	Line     int
	Observed string
	Clause   string
	Rule     string
	Allowed  []AllowedResult
}

// Schedule renders the explaining decisions (see FormatChoices).
func (f *FreeCheck) Schedule() string { return FormatChoices(f.Choices) }

// MaxFreeSteps bounds the records all the probes of one CheckFree replay
// together (some 15 s on the machine this was written on): with long
// traces it is the budget that runs out first.
const MaxFreeSteps = 1_000_000

// CheckFree checks a validated trace against the model within maxRuns
// probes and MaxFreeSteps records replayed. The error is a trace the
// checker cannot model (an *UnsupportedError, a *trace.Error) or a
// machine that cannot start.
func CheckFree(tr *trace.Trace, maxRuns int) (*FreeCheck, error) {
	return CheckFreeWithin(tr, maxRuns, MaxFreeSteps)
}

// CheckFreeWithin is CheckFree with another bound on the records replayed.
// The search always makes its first probe; it stops, undecided, before a
// probe that would start past maxSteps.
func CheckFreeWithin(tr *trace.Trace, maxRuns, maxSteps int) (*FreeCheck, error) {
	p, err := translate(tr)
	if err != nil {
		return nil, err
	}
	fc := &FreeCheck{Kind: p.cfg.Kind, Profile: p.cfg.Profile, Observations: len(tr.Events)}
	// The first observation no schedule explains is the one with the
	// smallest trace line among the probes that got furthest.
	bestBad, bestLine := -1, 0
	var bestChoices []emu.Choice
	steps := 0
	tc, err := searchDecisions(maxRuns, func(prefix []int) (traceProbe, error) {
		if steps > 0 && steps >= maxSteps {
			return traceProbe{stop: true}, nil
		}
		pr, line, err := p.probe(prefix, nil)
		steps += pr.steps
		if err == nil && pr.bad >= 0 && (pr.bad > bestBad || (pr.bad == bestBad && line < bestLine)) {
			bestBad, bestLine = pr.bad, line
			bestChoices = append(bestChoices[:0], pr.choices...)
		}
		return pr, err
	})
	if err != nil {
		return nil, err
	}
	fc.Runs, fc.Steps = tc.Runs, steps
	if tc.Permitted {
		fc.Verdict, fc.Choices = "permitted", tc.Choices
		var tl []string
		p.probe(choicePicks(tc.Choices), &tl)
		fc.Timeline, fc.Undefined = tl, tc.Undefined
		return fc, nil
	}
	fc.Verdict = "undecided"
	if tc.Exhausted {
		fc.Verdict = "not permitted"
	}
	fc.Line = bestLine
	// The timeline of a schedule that got furthest, up to where it stops.
	var tl []string
	p.probe(choicePicks(bestChoices), &tl)
	fc.Timeline, fc.Choices = tl, bestChoices
	prefix := fmt.Sprintf("line %d: ", bestLine)
	for _, a := range tc.Allowed {
		if t, ok := strings.CutPrefix(a.Text, prefix); ok {
			fc.Allowed = append(fc.Allowed, AllowedResult{Text: t, Runs: a.Runs})
		}
	}
	for i := range tr.Events {
		if e := &tr.Events[i]; e.Line == bestLine {
			fc.Observed = describeEvent(e)
			fc.Clause, fc.Rule = p.hint(e, fc.Allowed)
		}
	}
	return fc, nil
}

// ReplayFree runs a trace once under the given decisions (what a
// permitted answer's Schedule printed) and reports whether that schedule
// explains it, with its timeline either way.
func ReplayFree(tr *trace.Trace, choices []emu.Choice) (*FreeCheck, error) {
	p, err := translate(tr)
	if err != nil {
		return nil, err
	}
	fc := &FreeCheck{Kind: p.cfg.Kind, Profile: p.cfg.Profile, Observations: len(tr.Events), Runs: 1}
	var tl []string
	pr, line, err := p.probe(choicePicks(choices), &tl)
	if err != nil {
		return nil, err
	}
	fc.Timeline = tl
	if pr.bad < 0 {
		fc.Verdict, fc.Choices, fc.Undefined = "permitted", pr.choices, pr.undefined
		return fc, nil
	}
	fc.Verdict, fc.Line = "not permitted", line
	_, got, _ := strings.Cut(pr.got, ": ")
	fc.Allowed = []AllowedResult{{Text: got, Runs: 1}}
	for i := range tr.Events {
		if e := &tr.Events[i]; e.Line == line {
			fc.Observed = describeEvent(e)
			fc.Clause, fc.Rule = p.hint(e, fc.Allowed)
		}
	}
	return fc, nil
}

func choicePicks(cs []emu.Choice) []int {
	out := make([]int, len(cs))
	for i, c := range cs {
		out[i] = c.Pick
	}
	return out
}

// threadState is a probe's view of one thread.
type threadState struct {
	name    string
	items   []freeItem
	next    int  // the next item to run
	blocked bool // the model has not returned from items[next-1]
	// left are the routine and APC runs recorded inside the call in
	// flight that the model has not run yet.
	left []*trace.Event
}

// probe runs the trace once under a prefix of decisions. line is the
// trace line of the observation that did not match. With tl set, it
// writes the timeline of the run.
func (p *freeProgram) probe(prefix []int, tl *[]string) (traceProbe, int, error) {
	ch := &prefixChooser{prefix: prefix}
	em := &Emulator{Chooser: ch}
	defer em.Close()
	if err := em.Start(p.cfg, p.sc.Decls); err != nil {
		return traceProbe{}, 0, err
	}
	d := p.draw // nil but when drawing
	d.start(em)
	for name, data := range p.content {
		copy(em.lookup(name).buf, data)
	}
	m := newMatcher()
	ths := make([]*threadState, len(p.threads))
	byName := map[string]*threadState{}
	for i, n := range p.threads {
		ths[i] = &threadState{name: n, items: p.items[n]}
		byName[n] = ths[i]
	}
	seen := map[string]int{} // routine runs already compared, by routine
	// recvBufs are the buffers of the latest receive issued with each
	// record, where a "data" observation looks.
	recvBufs := map[string][]string{}
	matched, steps := 0, 0
	fail := func(line int, got string) (traceProbe, int, error) {
		d.fail(line, got)
		return traceProbe{choices: ch.got, bad: matched, decided: len(ch.got), got: fmt.Sprintf("line %d: %s", line, got), steps: steps}, line, nil
	}
	note := func(format string, args ...any) {
		if tl != nil {
			*tl = append(*tl, fmt.Sprintf(format, args...))
		}
	}
	// returned compares a call's return with its record.
	returned := func(t *threadState, it freeItem, r spec.Result) (int, bool, string) {
		st := p.sc.Steps[it.step]
		model := spec.Render(st.Call.Op, r)
		if it.ev.Unfinished {
			// The recording ended first: any return is permitted.
			note("%-8s %s → %s (after the recording ended)", t.name, p.shown(st.Call), spec.FormatOutcome(model))
			return 0, true, ""
		}
		if !m.sameOutcome(st.Call, recordedOutcome(st.Call.Op, it.ev, model), model) {
			return it.ev.Line, false, spec.FormatOutcome(model)
		}
		if raw, ok := it.ev.Out["data"]; ok {
			var bufs []string
			switch st.Call.Name {
			case "WSARecv", "WSARecvFrom":
				bufs = splitComma(st.Call.Args.Pos[1])
			case "GetQueuedCompletionStatus":
				bufs = recvBufs[outText(it.ev.Out["ov"])]
			default:
				bufs = recvBufs[recordID(it.ev.Args["ov"])]
			}
			if ok, got := p.sameData(em, raw, bufs); !ok {
				return it.ev.Line, false, spec.FormatOutcome(model) + "; " + got
			}
		}
		if len(t.left) > 0 {
			// A run recorded inside the call that the model did not make.
			return t.left[0].Line, false, fmt.Sprintf("no such run: the call returns %s first", spec.FormatOutcome(model))
		}
		note("%-8s %s → %s", t.name, p.shown(st.Call), spec.FormatOutcome(model))
		return 0, true, ""
	}
	lastSettle := false
	for {
		// Which threads may make their next observation now.
		var opts []*threadState
		pendingWork := em.sys.PendingActions() > 0
		for _, t := range ths {
			pendingWork = pendingWork || t.blocked
			if !t.blocked && t.next < len(t.items) && p.timeOK(t, ths) {
				opts = append(opts, t)
			}
		}
		sort.SliceStable(opts, func(i, j int) bool { return opts[i].items[opts[i].next].ev.Line < opts[j].items[opts[j].next].ev.Line })
		n := len(opts)
		if pendingWork && !lastSettle {
			n++ // the last alternative: the machine settles
		}
		if n == 0 {
			for _, t := range ths {
				if t.blocked && !t.items[t.next-1].ev.Unfinished {
					it := t.items[t.next-1]
					return fail(it.ev.Line, "blocks and never returns")
				}
			}
			d.end()
			return traceProbe{choices: ch.got, bad: -1, steps: steps}, 0, nil
		}
		steps++
		pick := 0
		if n > 1 {
			pick = ch.Choose(emu.PointSchedule, n)
		}
		if pick == len(opts) {
			lastSettle = true
			note("%-8s (time passes: the machine settles)", "")
			d.begin(spec.Step{Call: spec.Call{Name: "settle"}}, nil)
			events, now := em.TraceLen(), em.sys.Now()
			if err := em.Settle(); err != nil {
				return traceProbe{}, 0, err
			}
			if n > 1 && em.TraceLen() == events && em.sys.Now() == now {
				// Nothing happened: the same state as not settling, whose
				// subtree the search walks anyway.
				return traceProbe{choices: ch.got, bad: matched, decided: len(ch.got), pruned: true, steps: steps}, 0, nil
			}
		} else {
			lastSettle = false
			t := opts[pick]
			it := t.items[t.next]
			t.next++
			if it.step < 0 {
				f, err := em.Overlapped(*it.ev.Ov)
				if err != nil {
					return traceProbe{}, 0, err
				}
				v := [4]uint64{f.Internal, f.InternalHigh, uint64(f.Offset), uint64(f.OffsetHigh)}[fieldIndex(it.ev.Field)]
				if v != *it.ev.Value {
					return fail(it.ev.Line, fmt.Sprintf("%s.%s is 0x%x", *it.ev.Ov, it.ev.Field, v))
				}
				note("%-8s reads %s.%s = 0x%x", t.name, *it.ev.Ov, it.ev.Field, v)
				d.read(t.name, it.ev, v)
				matched++
			} else {
				t.left = append(t.left[:0], it.pre...)
				if st := p.sc.Steps[it.step]; st.Call.Name == "WSARecv" || st.Call.Name == "WSARecvFrom" {
					recvBufs[st.Call.Args.Pos[2]] = splitComma(st.Call.Args.Pos[1])
				}
				d.begin(p.sc.Steps[it.step], it.ev)
				r, err := em.Do(t.name, p.sc.Steps[it.step].Call.Op)
				if err != nil {
					return fail(it.ev.Line, "cannot run: "+err.Error())
				}
				d.result(p.sc.Steps[it.step], r)
				if fs := em.Findings(); len(fs) > 0 {
					note("%-8s %s: undefined from here (%s)", t.name, p.shown(p.sc.Steps[it.step].Call), fs[0])
					d.end()
					return traceProbe{choices: ch.got, bad: -1, undefined: fs[0], undefinedAt: matched, steps: steps}, 0, nil
				}
				if line, got, ok := p.routinesRan(em, byName, seen, recvBufs, &matched, note); !ok {
					return fail(line, got)
				}
				if r.Blocked {
					t.blocked = true
					note("%-8s %s … blocks", t.name, p.shown(p.sc.Steps[it.step].Call))
				} else {
					if line, ok, got := returned(t, it, r); !ok {
						return fail(line, got)
					}
					matched++
				}
			}
		}
		if line, got, ok := p.routinesRan(em, byName, seen, recvBufs, &matched, note); !ok {
			return fail(line, got)
		}
		done := em.Completed()
		d.completed(done)
		for _, c := range done {
			t := byName[c.Thread]
			if t == nil || !t.blocked {
				continue
			}
			t.blocked = false
			it := t.items[t.next-1]
			if c.Err != nil {
				return fail(it.ev.Line, "cannot run: "+c.Err.Error())
			}
			if line, ok, got := returned(t, it, c.Result); !ok {
				return fail(line, got)
			}
			matched++
		}
	}
}

// routinesRan compares the routine and APC runs the model made since the
// last look with the ones recorded inside each thread's call in flight.
func (p *freeProgram) routinesRan(em *Emulator, byName map[string]*threadState, seen map[string]int, recvBufs map[string][]string, matched *int, note func(string, ...any)) (int, string, bool) {
	for _, name := range p.routines {
		calls, err := em.Routine(name)
		if err != nil {
			continue
		}
		for _, c := range calls[seen[name]:] {
			seen[name]++
			t := byName[c.Thread]
			got := describeRun(name, c)
			found := -1
			for i, e := range t.left {
				if runMatches(e, name, c) {
					found = i
					break
				}
			}
			if found < 0 {
				// The call the run happened in.
				line := 0
				if t.next > 0 {
					line = t.items[t.next-1].ev.Line
				}
				if len(t.left) > 0 {
					line = t.left[0].Line
				}
				return line, "runs " + got, false
			}
			if d := t.left[found].Data; d != nil {
				if ok, what := p.sameData(em, trace.Raw(d), recvBufs[c.Ov]); !ok {
					return t.left[found].Line, "runs " + got + "; " + what, false
				}
			}
			t.left = append(t.left[:found], t.left[found+1:]...)
			note("%-8s   runs %s", t.name, got)
			*matched++
		}
	}
	return 0, "", true
}

// sameData compares the bytes a program found in a receive's buffers
// (a "data" observation) with the model's: the first len bytes across the
// buffers, in order. A data observation without its bytes, or for a
// record no receive used, compares nothing.
func (p *freeProgram) sameData(em *Emulator, raw json.RawMessage, bufs []string) (bool, string) {
	var want trace.Buffer
	if json.Unmarshal(raw, &want) != nil {
		return false, "data is not a buffer"
	}
	data, given, err := want.Bytes()
	if err != nil || !given || len(bufs) == 0 {
		return err == nil, "data: " + fmt.Sprint(err)
	}
	var have []byte
	for _, b := range bufs {
		x, err := em.Buffer(b)
		if err != nil {
			return false, err.Error()
		}
		have = append(have, x...)
	}
	if len(have) < len(data) {
		return false, fmt.Sprintf("the buffers hold only %d bytes", len(have))
	}
	if !bytes.Equal(have[:len(data)], data) {
		return false, fmt.Sprintf("the buffers hold %q", have[:len(data)])
	}
	return true, ""
}

// recordID reads a record argument's id ("" for NULL).
func recordID(raw json.RawMessage) string {
	var id string
	if json.Unmarshal(raw, &id) == nil {
		return id
	}
	var rec trace.Record
	json.Unmarshal(raw, &rec)
	return rec.ID
}

func runMatches(e *trace.Event, name string, c spec.RoutineCall) bool {
	if e.Ev == trace.EvAPC {
		return e.APC == name && (e.Param == nil || *e.Param == c.Param)
	}
	ov := *e.Ov
	return e.Routine == name && *e.ErrCode == c.Err && *e.Bytes == c.Bytes && ov == c.Ov && (e.Flags == nil || *e.Flags == c.Flags)
}

func describeRun(name string, c spec.RoutineCall) string {
	if c.Ov == "" && c.Bytes == 0 && c.Err == 0 && c.Param != 0 {
		return fmt.Sprintf("apc %s param=%d", name, c.Param)
	}
	return fmt.Sprintf("routine %s err=%d bytes=%d ov=%s flags=%d", name, c.Err, c.Bytes, c.Ov, c.Flags)
}

func fieldIndex(f string) int {
	for i, n := range trace.OvFields {
		if n == f {
			return i
		}
	}
	return 0
}

// timeOK says whether t's next observation may happen now given the
// timestamps: not while another thread has one that ended before it began
// still to come (or a call still in flight, in the model, that returned
// before it began).
func (p *freeProgram) timeOK(t *threadState, ths []*threadState) bool {
	begin := t.items[t.next].ev.T0
	if begin == nil {
		return true
	}
	for _, u := range ths {
		if u == t {
			continue
		}
		var e *trace.Event
		switch {
		case u.blocked:
			e = u.items[u.next-1].ev
		case u.next < len(u.items):
			e = u.items[u.next].ev
		default:
			continue
		}
		end := e.T1 // a call in flight or to come: when it returned
		if e.Ev != trace.EvCall {
			end = e.T0
		}
		if end != nil && *end < *begin {
			return false
		}
	}
	return true
}

// recordedOutcome renders a recorded call's return in the words the
// model's Render uses, so the matcher compares like with like.
func recordedOutcome(op spec.Op, e *trace.Event, model spec.Outcome) spec.Outcome {
	r, _ := trace.ParseRet(e.Ret)
	res := spec.Result{Ret: uint64(r.Num)}
	if r.ID != "" {
		res.Ret = 1
	}
	failed := spec.Render(op, res).Err != ""
	if e.Error != nil {
		res.Err = wso.Errno(*e.Error)
	}
	o := spec.Render(op, res)
	if r.ID != "" {
		o.Ret = r.ID
	}
	if !failed || e.Error == nil {
		// The error is compared only when the call failed, and the
		// recorder read it.
		o.Err = model.Err
	}
	o.Outs = map[string]string{}
	for k, raw := range e.Out {
		if k == "entries" {
			// GetQueuedCompletionStatusEx's OVERLAPPED_ENTRY array, in the
			// model's words: ovN, bytesN, keyN, statusN.
			var ents []map[string]json.RawMessage
			if json.Unmarshal(raw, &ents) == nil {
				for i, en := range ents {
					for f, v := range en {
						o.Outs[f+strconv.Itoa(i+1)] = outText(v)
					}
				}
			}
			continue
		}
		o.Outs[k] = outText(raw)
	}
	return o
}

func outText(raw json.RawMessage) string {
	if strings.TrimSpace(string(raw)) == "null" {
		return "NULL"
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	if n, err := trace.Int(raw); err == nil {
		return strconv.FormatUint(uint64(n), 10)
	}
	return string(raw)
}

// describeEvent renders a record on one line, for reports.
func describeEvent(e *trace.Event) string {
	switch e.Ev {
	case trace.EvRoutine:
		fl := ""
		if e.Flags != nil {
			fl = fmt.Sprintf(" flags=%d", *e.Flags)
		}
		return fmt.Sprintf("%s: routine %s err=%d bytes=%d ov=%s%s", e.Thread, e.Routine, *e.ErrCode, *e.Bytes, *e.Ov, fl)
	case trace.EvAPC:
		pa := ""
		if e.Param != nil {
			pa = fmt.Sprintf(" param=%d", *e.Param)
		}
		return fmt.Sprintf("%s: apc %s%s", e.Thread, e.APC, pa)
	case trace.EvRead:
		return fmt.Sprintf("%s: reads %s.%s = 0x%x", e.Thread, *e.Ov, e.Field, *e.Value)
	}
	var args []string
	for _, k := range sortedRawKeys(e.Args) {
		args = append(args, k+"="+string(e.Args[k]))
	}
	s := fmt.Sprintf("%s: %s(%s)", e.Thread, e.Fn, strings.Join(args, " "))
	if e.Unfinished {
		return s + " never returned"
	}
	s += " → " + string(e.Ret)
	if e.Error != nil {
		s += fmt.Sprintf(" error %d", *e.Error)
	}
	for _, k := range sortedRawKeys(e.Out) {
		s += " " + k + "=" + string(e.Out[k])
	}
	return s
}

func sortedRawKeys(m map[string]json.RawMessage) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// hint names the rule an observation no schedule explains breaks, where
// the checker recognizes the case: a clause of the catalogue (the rule is
// then its text), or a rule in words.
func (p *freeProgram) hint(e *trace.Event, allowed []AllowedResult) (clause, rule string) {
	id, text := p.hintFor(e, allowed)
	if c, ok := spec.Lookup(id); ok {
		return id, c.Text
	}
	return "", text
}

func (p *freeProgram) hintFor(e *trace.Event, allowed []AllowedResult) (clause, rule string) {
	modelSays := func(w string) bool {
		for _, a := range allowed {
			if strings.Contains(a.Text, w) {
				return true
			}
		}
		return false
	}
	r, _ := trace.ParseRet(e.Ret)
	switch e.Ev {
	case trace.EvRoutine:
		if modelSays("the buffers hold") {
			return "", "a receive's buffers hold the bytes that were sent to it, in the order they were sent"
		}
		return "lpwsaoverlapped-completion-routine.alertable-only", ""
	case trace.EvAPC:
		return "apc.user-needs-alertable", ""
	case trace.EvRead:
		return "", "a record's Internal leaves STATUS_PENDING, and InternalHigh gets the byte count, only as its request completes"
	}
	if modelSays("the buffers hold") {
		return "", "a receive's buffers hold the bytes that were sent to it, in the order they were sent"
	}
	switch e.Fn {
	case "GetQueuedCompletionStatus":
		if r.Num != 0 && !modelSays("TRUE") {
			return "getqueuedcompletionstatus.dequeue", ""
		}
		return "", "a port hands out each packet once, first in first out; a call returns WAIT_TIMEOUT only when none is queued"
	case "WaitForSingleObject", "WaitForSingleObjectEx", "WaitForMultipleObjects", "WaitForMultipleObjectsEx", "WSAWaitForMultipleEvents":
		var h string
		_ = json.Unmarshal(e.Args["h"], &h)
		if wso.Errno(uint32(r.Num)) == wso.WAIT_TIMEOUT && modelSays("WAIT_OBJECT_0") && p.hevents[h] {
			return "wsaoverlapped.hevent.event", ""
		}
		return "", "a wait is satisfied only by an object that is signalled; an event is signalled by SetEvent or by the completion of a request naming it in hEvent"
	case "WSARecv", "WSARecvFrom", "GetOverlappedResult", "WSAGetOverlappedResult":
		if modelSays("blocks") || modelSays("PENDING") || modelSays("INCOMPLETE") {
			return "", "a receive completes only with bytes that were sent to it"
		}
	}
	return "", ""
}
