package timeline

import (
	"bufio"
	"fmt"
	"github.com/wsaemu/wsaemu/spec"
	"html"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wsaemu/wsaemu/emu"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// This file turns a run into a picture. The work is split in two: a model
// (tlModel) that says what to draw — lanes, the spans of calls and APCs,
// the marks for everything else, the steps — and that the Chrome trace
// writer shares; then a layout and an SVG writer that only this file uses.

// tlModel is a run seen as a timeline. Its x axis is a list of slots, one
// per trace event in order (plus a placeholder for a step that left no
// event), so the picture reads in exactly the order things happened.
type tlModel struct {
	rep    *spec.Report
	events []emu.Event // what the slots point at: the trace, or events made up from the report
	lanes  []*tlLane
	laneOf map[int]int // emulated thread id (0: the system) -> lane
	slots  []tlSlot
	steps  []*tlStep
	spans  []*tlSpan // by start; a parent always comes before its children
	marks  []*tlMark
	// setup is how many trace events came before the first step (the
	// declarations); they are not drawn.
	setup int
	// fromTrace is false when there was no trace and the spans were made
	// up from the steps alone.
	fromTrace bool
	// The scenario's names for handles, records and APCs, where the
	// trace shows them unambiguously (see names).
	nm *tlNames
}

type tlLane struct {
	name string
	id   int
	sys  bool

	// Filled by the layout.
	spanH, rows int
	top, height int
}

type tlSlot struct {
	ev   int // index into events; -1 for an empty step's placeholder
	step int // index into steps
	seq  uint64
	time time.Duration
}

type tlStep struct {
	n        int // 1-based, as the lanes number them
	res      *spec.StepResult
	from, to int // its slots, [from, to)
	lane     int
	settle   bool
	span     *tlSpan // the span of its call (or of the settle)
	failed   bool
}

// tlSpan is a call (from its call event to its return) or an APC (from
// apc-run to apc-done) on one thread; spans nest.
type tlSpan struct {
	kind          string // "call", "apc" or "settle"
	lane          int
	from, to      int  // slots; to is the last slot while open
	open          bool // still running when the run ended
	cut           bool // ended by the thread exiting
	depth         int
	parent        *tlSpan
	children      []*tlSpan
	step          int // the step whose call this is; 0 for any other span
	label, result string
	failed        bool
	blocked       [][2]int // slots where it blocked and woke (-1: it never woke)
	ev, ret       *emu.Event
	h             int // height of its box, which holds its children (layout)
}

// tlMark is any other event: a field write, a signal, a packet, a block.
type tlMark struct {
	class string // CSS classes after "mark"
	lane  int
	slot  int
	label string
	ev    *emu.Event
	row   int // which row of labels it was given
}

func buildTimeline(rep *spec.Report, tr *emu.Trace, names []string, ids []int) *tlModel {
	m := &tlModel{rep: rep, laneOf: map[int]int{}}
	if len(ids) != len(names) {
		ids = make([]int, len(names))
		for i := range ids {
			ids[i] = i + 1
		}
	}
	for i, n := range names {
		m.addLane(n, ids[i])
	}
	if tr != nil && tr.Len() > 0 && len(rep.Steps) > 0 && tracedSteps(rep) {
		m.fromTrace = true
		m.slotsFromTrace(traceEvents(tr))
	} else {
		m.slotsFromSteps()
	}
	// Threads the caller did not name still get a lane; the system's
	// lane comes last.
	for _, s := range m.slots {
		if s.ev >= 0 {
			if id := m.events[s.ev].Thread; id != 0 {
				if _, ok := m.laneOf[id]; !ok {
					m.addLane("T"+strconv.Itoa(id), id)
				}
			}
		}
	}
	m.laneOf[0] = len(m.lanes)
	m.lanes = append(m.lanes, &tlLane{name: "sys", sys: true})
	for _, st := range m.steps {
		if st.settle {
			st.lane = m.laneOf[0]
		} else {
			st.lane = m.laneByName(st.res.Step.Thread)
		}
	}
	m.names()
	m.walk()
	m.label()
	return m
}

// names works out which declared object a handle, a record number or an
// APC in the trace is (see nameRun), so that marks can say "signal event
// ev" rather than "signal event 0x8".
func (m *tlModel) names() {
	if !m.fromTrace {
		m.nm = nameRun(nil, nil)
		return
	}
	m.nm = nameRun(m.rep, m.events)
}

func slicesContains(s []string, w string) bool {
	for _, x := range s {
		if x == w {
			return true
		}
	}
	return false
}

// tlOvNumbers lists the distinct record numbers ("ov3") in a traced call's
// arguments, leaving out ov0 (no record).
func tlOvNumbers(text string) []int {
	var out []int
	for _, f := range strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == ' ' || r == '(' || r == ')' }) {
		rest, ok := strings.CutPrefix(f, "ov")
		if !ok {
			continue
		}
		n, err := strconv.Atoi(rest)
		if err != nil || n <= 0 {
			continue
		}
		seen := false
		for _, x := range out {
			seen = seen || x == n
		}
		if !seen {
			out = append(out, n)
		}
	}
	return out
}

func (m *tlModel) ov(n int) string { return m.nm.ovName(n) }

func (m *tlModel) handle(kind string, h emu.Handle) string { return m.nm.handleName(kind, h) }

func tracedSteps(rep *spec.Report) bool {
	for _, s := range rep.Steps {
		if s.TraceTo > 0 {
			return true
		}
	}
	return false
}

func (m *tlModel) addLane(name string, id int) int {
	m.laneOf[id] = len(m.lanes)
	m.lanes = append(m.lanes, &tlLane{name: name, id: id})
	return len(m.lanes) - 1
}

func (m *tlModel) laneByName(name string) int {
	for i, l := range m.lanes {
		if !l.sys && l.name == name {
			return i
		}
	}
	return m.laneOf[0]
}

// slotsFromTrace gives every step the trace events it produced.
func (m *tlModel) slotsFromTrace(evs []emu.Event) {
	m.events = evs
	prev := min(max(m.rep.Steps[0].TraceFrom, 0), len(evs))
	m.setup = prev
	for k := range m.rep.Steps {
		s := &m.rep.Steps[k]
		to := s.TraceTo
		if to < prev {
			// A step that stopped the run has no end recorded: it
			// produced whatever follows.
			to = prev
			if k == len(m.rep.Steps)-1 {
				to = len(evs)
			}
		}
		to = min(to, len(evs))
		st := &tlStep{n: k + 1, res: s, from: len(m.slots), settle: s.Step.Call.Name == "settle"}
		for i := prev; i < to; i++ {
			m.slots = append(m.slots, tlSlot{ev: i, step: k, seq: evs[i].Seq, time: evs[i].Time})
		}
		if to == prev {
			m.placeholder(k)
		}
		st.to = len(m.slots)
		m.steps = append(m.steps, st)
		prev = max(prev, to)
	}
}

// slotsFromSteps is for a run without a trace: each step becomes a call
// event and, once it has returned, a return event.
func (m *tlModel) slotsFromSteps() {
	next := 0
	for _, id := range m.laneOf {
		next = max(next, id)
	}
	tid := func(name string) int {
		if i := m.laneByName(name); i < len(m.lanes) {
			return m.lanes[i].id
		}
		next++
		m.addLane(name, next)
		return next
	}
	add := func(k int, e emu.Event) {
		e.Seq = uint64(len(m.events) + 1)
		m.events = append(m.events, e)
		m.slots = append(m.slots, tlSlot{ev: len(m.events) - 1, step: k, seq: e.Seq})
	}
	for k := range m.rep.Steps {
		s := &m.rep.Steps[k]
		st := &tlStep{n: k + 1, res: s, from: len(m.slots), settle: s.Step.Call.Name == "settle"}
		if !st.settle {
			t := tid(s.Step.Thread)
			add(k, emu.Event{Thread: t, Kind: emu.EvCall, Name: s.Step.Call.Name})
			if !s.Outcome.Blocked {
				add(k, emu.Event{Thread: t, Kind: emu.EvReturn, Name: s.Step.Call.Name})
			}
		}
		for _, c := range s.Completions {
			add(k, emu.Event{Thread: tid(c.Thread), Kind: emu.EvReturn, Name: c.Call})
		}
		if len(m.slots) == st.from {
			m.placeholder(k)
		}
		st.to = len(m.slots)
		m.steps = append(m.steps, st)
	}
}

func (m *tlModel) placeholder(k int) {
	s := tlSlot{ev: -1, step: k}
	if n := len(m.slots); n > 0 {
		s.seq, s.time = m.slots[n-1].seq, m.slots[n-1].time
	}
	m.slots = append(m.slots, s)
}

// walk pairs calls with returns and apc-run with apc-done, per thread, and
// turns every other event into a mark.
func (m *tlModel) walk() {
	stacks := make([][]*tlSpan, len(m.lanes))
	closeFrom := func(l, i, slot int, cut bool) {
		for j := len(stacks[l]) - 1; j >= i; j-- {
			stacks[l][j].to = slot
			stacks[l][j].cut = cut
		}
		stacks[l] = stacks[l][:i]
	}
	find := func(l int, match func(*tlSpan) bool) int {
		for j := len(stacks[l]) - 1; j >= 0; j-- {
			if match(stacks[l][j]) {
				return j
			}
		}
		return -1
	}
	for si, sl := range m.slots {
		if sl.ev < 0 {
			continue
		}
		e := &m.events[sl.ev]
		l := m.laneOf[e.Thread]
		st := m.steps[sl.step]
		var top *tlSpan
		if n := len(stacks[l]); n > 0 {
			top = stacks[l][n-1]
		}
		switch e.Kind {
		case emu.EvCall, emu.EvAPCRun:
			sp := &tlSpan{kind: "call", lane: l, from: si, to: -1, depth: len(stacks[l]), parent: top, ev: e}
			if e.Kind == emu.EvAPCRun {
				sp.kind = "apc"
			} else if st.span == nil && !st.settle && l == st.lane && top == nil {
				st.span, sp.step = sp, st.n
			}
			m.spans = append(m.spans, sp)
			if top != nil {
				top.children = append(top.children, sp)
			}
			stacks[l] = append(stacks[l], sp)
			continue
		case emu.EvReturn:
			j := find(l, func(s *tlSpan) bool { return s.kind == "call" && s.ev.Name == e.Name })
			if j < 0 {
				j = find(l, func(s *tlSpan) bool { return s.kind == "call" })
			}
			if j >= 0 {
				stacks[l][j].ret = e
				closeFrom(l, j, si, false)
				continue
			}
		case emu.EvAPCDone:
			if j := find(l, func(s *tlSpan) bool { return s.kind == "apc" && s.ev.N == e.N }); j >= 0 {
				stacks[l][j].ret = e
				closeFrom(l, j, si, false)
				continue
			}
		case emu.EvBlock:
			if top != nil {
				top.blocked = append(top.blocked, [2]int{si, -1})
			}
		case emu.EvWake:
			if top != nil && len(top.blocked) > 0 && top.blocked[len(top.blocked)-1][1] < 0 {
				top.blocked[len(top.blocked)-1][1] = si
			}
		case emu.EvThreadExit:
			closeFrom(l, 0, si, true)
		}
		class, label := m.markText(e)
		m.marks = append(m.marks, &tlMark{class: class, lane: l, slot: si, label: label, ev: e})
	}
	for l := range stacks {
		for _, sp := range stacks[l] {
			sp.open, sp.to = true, len(m.slots)-1
		}
	}
	// A step whose call left no call event (or a settle) still gets a
	// span over its own slots.
	for _, st := range m.steps {
		if st.span != nil {
			continue
		}
		sp := &tlSpan{kind: "call", lane: st.lane, from: st.from, to: st.to - 1, step: st.n}
		if st.settle {
			sp.kind = "settle"
		}
		st.span = sp
		m.spans = append(m.spans, sp)
	}
	// Keep spans in order of start, parents first, whatever order the
	// fallbacks above were added in.
	sortSpans(m.spans)
}

func sortSpans(s []*tlSpan) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && (s[j].from < s[j-1].from || s[j].from == s[j-1].from && s[j].depth < s[j-1].depth); j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// label writes the text of every span: a step's call as the scenario wrote
// it with the outcome the runner saw; other calls and APCs from the trace.
func (m *tlModel) label() {
	pending := map[int]*tlSpan{}
	for i, st := range m.steps {
		r := st.res
		st.failed = len(r.Failures) > 0
		stopped := m.rep.Err != nil && i == len(m.steps)-1
		sp := st.span
		switch {
		case st.settle:
			sp.label, sp.result = "settle", "let pending work happen"
		case stopped:
			sp.label, sp.result = tlCall(r.Step.Call), "✗ the run stopped here"
			st.failed = true
		case r.Outcome.Blocked:
			sp.label, sp.result = tlCall(r.Step.Call), "blocks…"
			pending[st.lane] = sp
		default:
			sp.label, sp.result = tlCall(r.Step.Call), "→ "+outcomeText(r.Outcome)
			if outcomeText(r.Outcome) == "" {
				sp.result = "returns nothing"
				if r.Step.Call.Name == "ExitThread" {
					sp.result = "the thread ends"
				}
			}
		}
		sp.failed = st.failed
		for _, c := range r.Completions {
			l := m.laneByName(c.Thread)
			if p := pending[l]; p != nil {
				p.result = "blocks… → " + outcomeText(c.Outcome)
				delete(pending, l)
			}
		}
	}
	for _, sp := range pending {
		sp.result = "blocks… (still blocked at the end)"
	}
	for _, sp := range m.spans {
		if sp.step != 0 || sp.ev == nil {
			continue
		}
		e := sp.ev
		if sp.kind == "apc" {
			sp.label, sp.result = m.apcText(e)
			continue
		}
		sp.label = e.Name
		if e.Detail() != "" {
			sp.label += "(" + e.Detail() + ")"
		}
		switch {
		case sp.ret != nil && tlIsWait(e.Name) && (e.Name != "SleepEx" || sp.ret.Result != 0):
			sp.result = "→ " + tlReturnValue(sp.ret)
		case sp.ret != nil:
			sp.result = "→ " + tlRet(sp.ret)
		case sp.cut:
			sp.result = "ended by thread exit"
		default:
			sp.result = "…"
		}
	}
}

func (m *tlModel) apcText(e *emu.Event) (label, result string) {
	depth := "depth " + strconv.FormatUint(e.Result, 10)
	label = m.nm.apcWhat(e)
	if args := m.nm.apcArgs(e); args != "" {
		return label, args + " · " + depth
	}
	return label, depth
}

// tlRet renders a traced return value: small negatives (SOCKET_ERROR) as
// such, large values in hex.
func tlRet(e *emu.Event) string {
	r := e.Result
	var s string
	switch {
	case int64(r) < 0 && int64(r) > -1<<16:
		s = strconv.FormatInt(int64(r), 10)
	case r > 1<<16:
		s = fmt.Sprintf("%#x", r)
	default:
		s = strconv.FormatUint(r, 10)
	}
	if e.Err != 0 {
		s += " " + e.Err.Name()
	}
	return s
}

// tlTraceLine is an event's line of the text trace, its padding squeezed.
func tlTraceLine(e *emu.Event) string { return strings.Join(strings.Fields(e.String()), " ") }

func tlIsWait(call string) bool {
	return call == "SleepEx" || strings.HasPrefix(call, "WaitFor") || call == "WSAWaitForMultipleEvents"
}

func tlHex(v uint64) string {
	if v == 0 {
		return "0"
	}
	return fmt.Sprintf("%#x", v)
}

// markText is a mark's CSS classes and label.
func (m *tlModel) markText(e *emu.Event) (class, label string) {
	switch e.Kind {
	case emu.EvField:
		class = "field"
		if e.Name == "Internal" {
			class += " internal"
		}
		if e.Old == e.New {
			class += " same"
		}
		label = fmt.Sprintf("%s.%s %s→%s", m.ov(e.Ov), e.Name, tlHex(e.Old), tlHex(e.New))
		if e.Name == "Internal" && e.New != 0 && e.New <= 0xFFFFFFFF {
			// Internal holds a status: name it (0x103 is STATUS_PENDING).
			if n := wso.NTStatus(e.New).Name(); !strings.HasPrefix(n, "NTStatus(") {
				label += " (" + n + ")"
			}
		}
		return class, label
	case emu.EvSignal:
		return "signal", "signal " + withKind(e.Name, m.handle(e.Name, e.Handle))
	case emu.EvReset:
		return "reset", "reset " + withKind(e.Name, m.handle(e.Name, e.Handle))
	case emu.EvAPCQueued:
		return "apc-queued", "queued: " + m.nm.apcWhat(e)
	case emu.EvPacketPosted:
		return "packet posted", fmt.Sprintf("packet → %s: %s %d bytes", m.handle("port", e.Handle), m.ov(e.Ov), e.N)
	case emu.EvPacketDequeued:
		return "packet dequeued", fmt.Sprintf("packet ← %s: %s %d bytes", m.handle("port", e.Handle), m.ov(e.Ov), e.N)
	case emu.EvComplete:
		if e.N == 0 {
			if e.Old == 0 {
				return "complete", fmt.Sprintf("WPUCompleteOverlappedRequest %s: no error, %d bytes", m.ov(e.Ov), e.New)
			}
			return "complete", fmt.Sprintf("WPUCompleteOverlappedRequest %s: %s, %d bytes", m.ov(e.Ov), e.Detail(), e.New)
		}
		return "complete", fmt.Sprintf("%s completes: %s, %d bytes", m.ov(e.Ov), wso.NTStatus(e.Old).Name(), e.New)
	case emu.EvIssue:
		return "issue", fmt.Sprintf("%s issued on %s: %s, %d bytes", e.Name, m.handle("", e.Handle), m.ov(e.Ov), e.Result)
	case emu.EvThreadStart:
		return "thread-start", "thread " + e.Name + " starts"
	case emu.EvDeadlock:
		return "deadlock", "DEADLOCK: every thread waits for ever"
	case emu.EvCall, emu.EvReturn, emu.EvAPCDone:
		// Only when it has no partner: show it as it stands.
		return e.Kind.String(), e.String()
	}
	label = laneText(*e, spec.Step{}, m.nm)
	if label == "" {
		label = strings.TrimSpace(e.Name + " " + e.Detail())
	}
	return e.Kind.String(), label
}

// ---- layout ----

const (
	tlGap      = 30  // least distance between two events on the x axis
	tlLeft     = 24  // x of the first event
	tlCharW10  = 68  // width of a label character (11px monospace), in tenths of a pixel
	tlCapW10   = 66  // width of a caption character (12px sans, generous), same unit
	tlLeafH    = 30  // height of a span's box with nothing inside
	tlNest     = 30  // how far below its parent's top a nested span starts
	tlRow      = 16  // height of one row of mark labels
	tlMaxRows  = 4   // rows of mark labels per lane before marks push each other right
	tlNameW    = 118 // the lane-name column
	tlAxisH    = 56  // step headers, virtual time, event numbers
	tlCapLineH = 15
	tlCapChars = 34 // a caption is aimed at lines of about this many characters...
	tlCapMaxW  = 300
	tlCapMinW  = 120
)

func tlTextW(s string) int { return (utf8.RuneCountInString(s)*tlCharW10 + 9) / 10 }

type tlLayout struct {
	x        []int // per slot
	end      int   // right edge of the drawing
	bands    [][2]int
	capLines [][]tlCapLine
	capH     int
	height   int
}

type tlCapLine struct {
	text string
	fail bool
}

func (s *tlSpan) width() int { return max(tlTextW(s.label), tlTextW(s.result)) + 14 }

// layout places the slots on the x axis, left to right in one pass: each
// slot goes at least tlGap after the one before, far enough after the
// start of every span ending there for the span's label to fit, and past
// the labels of earlier marks on its lane when every row of labels is
// taken. Then it stacks the lanes.
func (m *tlModel) layout() *tlLayout {
	n := len(m.slots)
	lo := &tlLayout{x: make([]int, n)}
	type need struct{ from, d int }
	needs := make([][]need, n+1) // index n: the right edge
	for _, sp := range m.spans {
		w := sp.width()
		switch {
		case sp.open:
			needs[n] = append(needs[n], need{sp.from, w})
		case sp.to > sp.from:
			needs[sp.to] = append(needs[sp.to], need{sp.from, w - 12})
		default:
			needs[min(sp.from+1, n)] = append(needs[min(sp.from+1, n)], need{sp.from, w + 4})
		}
	}
	capW := make([]int, len(m.steps))
	for i, st := range m.steps {
		chars := max(utf8.RuneCountInString(st.res.Step.Says), 10)
		for _, f := range st.res.Failures {
			chars = max(chars, utf8.RuneCountInString(tlFailText(f)))
		}
		if chars > tlCapChars {
			chars = max(tlCapChars, (chars+2)/3)
		}
		// No word is broken: the longest must fit on a line.
		for _, t := range append([]string{st.res.Step.Says}, tlFailTexts(st.res.Failures)...) {
			for _, w := range strings.Fields(t) {
				chars = max(chars, utf8.RuneCountInString(w)+1)
			}
		}
		capW[i] = min(max((chars*tlCapW10+9)/10+16, tlCapMinW), tlCapMaxW)
		capW[i] = max(capW[i], tlTextW(tlStepHead(st))+14)
		needs[st.to] = append(needs[st.to], need{st.from, capW[i]})
	}
	marksAt := make([]*tlMark, n)
	for _, mk := range m.marks {
		marksAt[mk.slot] = mk
	}
	rows := make([][]int, len(m.lanes))
	for j := 0; j < n; j++ {
		x := tlLeft
		if j > 0 {
			x = lo.x[j-1] + tlGap
		}
		for _, c := range needs[j] {
			x = max(x, lo.x[c.from]+c.d)
		}
		if mk := marksAt[j]; mk != nil {
			r, lr := -1, rows[mk.lane]
			for i, e := range lr {
				if e+6 <= x-6 {
					r = i
					break
				}
			}
			if r < 0 && len(lr) < tlMaxRows {
				lr = append(lr, 0)
				r = len(lr) - 1
			}
			if r < 0 {
				r = 0
				for i := range lr {
					if lr[i] < lr[r] {
						r = i
					}
				}
				x = max(x, lr[r]+12)
			}
			lr[r] = x + 10 + tlTextW(mk.label)
			rows[mk.lane], mk.row = lr, r
		}
		lo.x[j] = x
	}
	lo.end = tlLeft
	if n > 0 {
		lo.end = lo.x[n-1] + tlGap
	}
	for _, c := range needs[n] {
		lo.end = max(lo.end, lo.x[c.from]+c.d)
	}
	for _, lr := range rows {
		for _, e := range lr {
			lo.end = max(lo.end, e+8)
		}
	}
	// Step bands meet half-way between their neighbouring events.
	for i, st := range m.steps {
		left := tlLeft - tlGap/2
		if i > 0 {
			left = lo.bands[i-1][1]
		}
		right := lo.end
		if i < len(m.steps)-1 && st.to < n {
			right = (lo.x[st.to-1] + lo.x[st.to]) / 2
		}
		lo.bands = append(lo.bands, [2]int{left, right})
	}
	// Captions wrap to their band.
	maxLines := 0
	for i, st := range m.steps {
		chars := max((lo.bands[i][1]-lo.bands[i][0]-14)*10/tlCapW10, 8)
		var ls []tlCapLine
		for _, t := range tlWrap(st.res.Step.Says, chars) {
			ls = append(ls, tlCapLine{text: t})
		}
		for _, f := range st.res.Failures {
			for _, t := range tlWrap(tlFailText(f), chars) {
				ls = append(ls, tlCapLine{text: t, fail: true})
			}
		}
		lo.capLines = append(lo.capLines, ls)
		maxLines = max(maxLines, len(ls))
	}
	lo.capH = 14 + maxLines*tlCapLineH
	// Lanes, top to bottom. A box is as tall as what it holds.
	spanH := make([]int, len(m.lanes))
	for i := len(m.spans) - 1; i >= 0; i-- { // children come after parents
		sp := m.spans[i]
		sp.h = tlLeafH
		for _, c := range sp.children {
			sp.h = max(sp.h, tlNest+c.h+4)
		}
		if sp.parent == nil {
			spanH[sp.lane] = max(spanH[sp.lane], sp.h)
		}
	}
	y := tlAxisH
	for i, l := range m.lanes {
		l.spanH, l.rows = max(spanH[i], tlLeafH), max(len(rows[i]), 1)
		l.top = y
		l.height = 8 + l.spanH + 8 + l.rows*tlRow + 6
		y += l.height
	}
	lo.height = y + lo.capH
	return lo
}

// tlWrap breaks text into lines of at most n characters at spaces; a word
// longer than a line gets a line of its own.
func tlWrap(text string, n int) []string {
	var lines []string
	var cur string
	for _, w := range strings.Fields(text) {
		switch {
		case cur == "":
			cur = w
		case utf8.RuneCountInString(cur)+1+utf8.RuneCountInString(w) <= n:
			cur += " " + w
		default:
			lines = append(lines, cur)
			cur = w
		}
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	return lines
}

func tlFailTexts(fs []spec.Failure) []string {
	var out []string
	for _, f := range fs {
		out = append(out, tlFailText(f))
	}
	return out
}

func tlFailText(f spec.Failure) string {
	return fmt.Sprintf("✗ line %d: %s", f.Line, f.Msg)
}

func tlStepHead(st *tlStep) string {
	s := "step " + strconv.Itoa(st.n)
	if st.settle {
		s += " · settle"
	} else if st.res.Step.Thread != "" {
		s += " · " + st.res.Step.Thread
	}
	if st.failed {
		s += " ✗"
	}
	return s
}

// Geometry of a lane.
func (l *tlLane) spanBase() int   { return l.top + 8 }
func (l *tlLane) spanBottom() int { return l.top + 8 + l.spanH }
func (l *tlLane) rowY(r int) int  { return l.spanBottom() + 8 + r*tlRow }

// box is where a span's box goes. An outermost one fills the lane's span
// area, so that it sits right on the marks of what happened during it;
// nested ones start below their parent's two lines of text and are as
// tall as what they hold.
func (l *tlLane) box(sp *tlSpan) (int, int) {
	if sp.parent == nil {
		return l.spanBase(), l.spanBottom()
	}
	top := l.spanBase() + sp.depth*tlNest
	return top, top + sp.h
}

// ---- HTML ----

// HTML writes one self-contained HTML page that shows a run as a picture:
// a lane per thread (and one for the system), each step's call as a box in
// its thread's lane with the call and its result, APCs and completion
// routines as boxes inside the wait that ran them, and marks under the
// boxes for the overlapped fields written, events signalled and reset,
// packets, blocks and wakes. Left to right is the order of the trace; the
// virtual time is written above. Steps are the vertical bands, their
// "says" text under them, failures in red. Everything is inline (CSS and
// SVG, no script); hovering anything shows its trace line. The same run
// always gives the same bytes.
//
// tr may be nil (a backend without a trace): the steps alone are drawn.
// names and ids are the run's threads, as Emulator.Threads returns them.
func HTML(w io.Writer, rep *spec.Report, tr *emu.Trace, names []string, ids []int) error {
	m := buildTimeline(rep, tr, names, ids)
	lo := m.layout()
	b := bufio.NewWriter(w)
	m.writeHTML(b, lo)
	return b.Flush()
}

// tlEsc escapes text for HTML, first turning control characters (which
// have no place in a page) into U+FFFD.
func tlEsc(s string) string {
	return html.EscapeString(strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\n' && r != '\t' {
			return '\uFFFD'
		}
		return r
	}, s))
}

// tlCall shows a step's call as the scenario wrote it.
func tlCall(c spec.Call) string {
	parts := []string{c.Name}
	for _, p := range c.Args.Pos {
		parts = append(parts, spec.AsWritten(p))
	}
	for _, k := range c.Args.Keys() {
		parts = append(parts, k+"="+spec.AsWritten(c.Args.KV[k]))
	}
	return strings.Join(parts, " ")
}

// tlExpect shows an expectation line (or an either/or group) as written.
func tlExpect(e spec.Expect) string {
	if e.Alts == nil {
		ws := make([]string, len(e.Words))
		for i, w := range e.Words {
			ws[i] = spec.AsWritten(w)
		}
		return strings.Join(ws, " ")
	}
	var bs []string
	for _, br := range e.Alts {
		var xs []string
		for _, x := range br {
			xs = append(xs, tlExpect(x))
		}
		bs = append(bs, strings.Join(xs, "; "))
	}
	return "either " + strings.Join(bs, " | or ")
}

func (m *tlModel) writeHTML(b *bufio.Writer, lo *tlLayout) {
	rep := m.rep
	sc := rep.Scenario
	title := "wsaemu run"
	if sc != nil && sc.Title != "" {
		title = sc.Title
	}
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	p("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
	p("<meta name=\"generator\" content=\"wsaemu\">\n<title>%s</title>\n<style>\n%s</style>\n</head>\n<body>\n", tlEsc(title), tlCSS)
	p("<header>\n<h1>%s</h1>\n", tlEsc(title))
	var meta []string
	if sc != nil && sc.File != "" {
		meta = append(meta, sc.File)
	}
	meta = append(meta, "backend "+tlOrDash(rep.Backend), "provider "+tlOrDash(rep.Config.Kind), "profile "+tlOrDash(rep.Config.Profile))
	if rep.Config.Seeded {
		meta = append(meta, "seed "+strconv.FormatUint(rep.Config.Seed, 10))
	}
	p("<p class=\"meta\">%s</p>\n", tlEsc(strings.Join(meta, " · ")))
	if sc != nil && len(sc.Text) > 0 {
		p("<p class=\"text\">%s</p>\n", tlEsc(strings.Join(sc.Text, " ")))
	}
	if sc != nil && len(sc.Clauses) > 0 {
		p("<p class=\"clauses\">clauses: %s</p>\n", tlEsc(strings.Join(sc.Clauses, ", ")))
	}
	if rep.Err != nil {
		p("<p class=\"verdict stopped\" id=\"verdict\">✗ stopped: %s</p>\n", tlEsc(rep.Err.Error()))
	} else if rep.Passed() {
		p("<p class=\"verdict pass\" id=\"verdict\">✓ every expectation held</p>\n")
	} else {
		p("<p class=\"verdict fail\" id=\"verdict\">✗ %d expectation(s) failed</p>\n", len(rep.Failures()))
	}
	p("</header>\n")
	p("%s", tlLegend)
	if m.setup > 0 {
		p("<p class=\"note\">Left to right is the order of the trace (event numbers on the axis, virtual time above them). The %d events of setting up the declarations, before step 1, are not drawn.</p>\n", m.setup)
	} else if !m.fromTrace {
		p("<p class=\"note\">This run kept no trace: only the steps' calls are drawn.</p>\n")
	}
	// The picture is cut into rows that fit a 1280-pixel window, at step
	// boundaries no label crosses where it can be: the page never needs
	// to scroll sideways. The first row holds the drawing; the others show
	// their part of it again (<use>).
	for i, r := range m.rowCuts(lo, tlRowW) {
		p("<div class=\"scroll\"><div class=\"frame\">\n")
		m.writeNames(b, lo)
		if i == 0 {
			m.writeTimeline(b, lo, r[0], r[1])
		} else {
			p("<svg class=\"timeline-more\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"%d 0 %d %d\"><use href=\"#tl-drawing\"/></svg>\n", r[1]-r[0], lo.height, r[0], r[1]-r[0], lo.height)
		}
		p("</div></div>\n")
	}
	m.writeStepList(b)
	p("</body>\n</html>\n")
}

func tlOrDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// writeNames draws the lane names in a column that stays put while the
// timeline scrolls sideways.
func (m *tlModel) writeNames(b *bufio.Writer, lo *tlLayout) {
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	p("<svg class=\"names\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">\n", tlNameW, lo.height, tlNameW, lo.height)
	p("<rect class=\"names-bg\" x=\"0\" y=\"0\" width=\"%d\" height=\"%d\"/>\n", tlNameW, lo.height)
	p("<text class=\"axis-name\" x=\"%d\" y=\"15\">step</text>\n", tlNameW-8)
	p("<text class=\"axis-name\" x=\"%d\" y=\"33\">virtual time</text>\n", tlNameW-8)
	p("<text class=\"axis-name\" x=\"%d\" y=\"49\">trace event #</text>\n", tlNameW-8)
	for _, l := range m.lanes {
		sub := "thread " + strconv.Itoa(l.id)
		if l.sys {
			sub = "the system"
		}
		p("<g class=\"lane-name\" data-thread=\"%s\"><line x1=\"0\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>", tlEsc(l.name), l.top, tlNameW, l.top)
		p("<text class=\"name\" x=\"12\" y=\"%d\">%s</text><text class=\"sub\" x=\"12\" y=\"%d\">%s</text></g>\n", l.top+26, tlEsc(l.name), l.top+41, tlEsc(sub))
	}
	capTop := lo.height - lo.capH
	p("<line class=\"rule\" x1=\"0\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n", capTop, tlNameW, capTop)
	p("<text class=\"axis-name\" x=\"%d\" y=\"%d\">says</text>\n", tlNameW-8, capTop+20)
	p("</svg>\n")
}

// tlRowW is the widest a row of the picture may be: with the lane names
// and the page's margins it fits a 1280-pixel window.
const tlRowW = 1080

// rowCuts splits the picture's x axis into rows at most w wide, cutting at
// the edge of a step where no label crosses it if one is in reach, else
// at any step's edge, else where the width runs out.
func (m *tlModel) rowCuts(lo *tlLayout, w int) [][2]int {
	end := lo.end + 12
	var labels [][2]int
	for _, mk := range m.marks {
		x := lo.x[mk.slot] + 9
		labels = append(labels, [2]int{x, x + tlTextW(mk.label)})
	}
	for _, sp := range m.spans {
		x := lo.x[sp.from]
		labels = append(labels, [2]int{x, x + max(tlTextW(sp.label), tlTextW(sp.result))})
	}
	clean := func(x int) bool {
		for _, l := range labels {
			if l[0] < x && x < l[1] {
				return false
			}
		}
		return true
	}
	var rows [][2]int
	start := 0
	for end-start > w {
		cut, any := -1, -1
		for i := 1; i < len(lo.bands); i++ {
			x := lo.bands[i][0]
			if x <= start+w/4 || x > start+w {
				continue
			}
			any = x
			if clean(x) {
				cut = x
			}
		}
		switch {
		case cut < 0 && any >= 0:
			cut = any
		case cut < 0:
			cut = start + w
		}
		rows = append(rows, [2]int{start, cut})
		start = cut
	}
	return append(rows, [2]int{start, end})
}

func (m *tlModel) writeTimeline(b *bufio.Writer, lo *tlLayout, x0, x1 int) {
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	W, H := lo.end+12, lo.height
	p("<svg class=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"%d 0 %d %d\">\n", x1-x0, H, x0, x1-x0, H)
	p("<g id=\"tl-drawing\">\n")
	p("<defs><pattern id=\"hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#eef0f4\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#b9c0cc\" stroke-width=\"2\"/></pattern></defs>\n")
	capTop := H - lo.capH
	// Step bands, their headers and captions.
	for i, st := range m.steps {
		x0, x1 := lo.bands[i][0], lo.bands[i][1]
		cls := "step"
		if i%2 == 1 {
			cls += " odd"
		}
		if st.failed {
			cls += " failed"
		}
		p("<g class=\"%s\" data-step=\"%d\" id=\"step-%d\">", cls, st.n, st.n)
		p("<title>%s</title>", tlEsc(m.stepTitle(st)))
		p("<rect class=\"band\" x=\"%d\" y=\"0\" width=\"%d\" height=\"%d\"/>", x0, x1-x0, H)
		p("<rect class=\"head\" x=\"%d\" y=\"0\" width=\"%d\" height=\"20\"/>", x0, x1-x0)
		p("<text class=\"head\" x=\"%d\" y=\"14\">%s</text>", x0+6, tlEsc(tlStepHead(st)))
		p("</g>\n")
	}
	for i, st := range m.steps {
		x0 := lo.bands[i][0]
		p("<g class=\"caption\" data-step=\"%d\">", st.n)
		for k, l := range lo.capLines[i] {
			cls := "says"
			if l.fail {
				cls = "fail"
			}
			p("<text class=\"%s\" x=\"%d\" y=\"%d\">%s</text>", cls, x0+7, capTop+20+k*tlCapLineH, tlEsc(l.text))
		}
		p("</g>\n")
	}
	p("<line class=\"rule\" x1=\"0\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n", capTop, W, capTop)
	// The axis: virtual time where it changes, and event numbers.
	p("<g class=\"axis\">")
	var last time.Duration = -1
	for j, s := range m.slots {
		x := lo.x[j]
		if s.ev >= 0 && m.fromTrace {
			p("<text class=\"seq\" x=\"%d\" y=\"49\">%d</text>", x, s.seq)
			p("<line class=\"tick\" x1=\"%d\" y1=\"52\" x2=\"%d\" y2=\"%d\"/>", x, x, tlAxisH)
		}
		if m.fromTrace && s.time != last {
			p("<text class=\"time\" x=\"%d\" y=\"33\">%s</text>", x, tlEsc(fmtMs(s.time)))
			last = s.time
		}
	}
	p("</g>\n")
	// Lanes: a rule, the spans, the marks.
	children := map[*tlSpan]bool{}
	for _, sp := range m.spans {
		for _, c := range sp.children {
			children[c] = true
		}
	}
	spansOf := make([][]*tlSpan, len(m.lanes))
	for _, sp := range m.spans {
		if !children[sp] {
			spansOf[sp.lane] = append(spansOf[sp.lane], sp)
		}
	}
	marksOf := make([][]*tlMark, len(m.lanes))
	for _, mk := range m.marks {
		marksOf[mk.lane] = append(marksOf[mk.lane], mk)
	}
	for i, l := range m.lanes {
		cls := "lane"
		if l.sys {
			cls += " sys"
		}
		p("<g class=\"%s\" data-thread=\"%s\" data-id=\"%d\" id=\"lane-%s\">\n", cls, tlEsc(l.name), l.id, tlEsc(l.name))
		p("<line class=\"lane-rule\" x1=\"0\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n", l.top, W, l.top)
		for _, sp := range spansOf[i] {
			m.writeSpan(b, lo, sp)
		}
		m.writeLinks(b, lo, i, marksOf[i])
		for _, mk := range marksOf[i] {
			m.writeMark(b, lo, mk)
		}
		p("</g>\n")
	}
	p("</g>\n</svg>\n")
}

func (m *tlModel) stepTitle(st *tlStep) string {
	var s strings.Builder
	r := st.res
	if st.settle {
		fmt.Fprintf(&s, "step %d: settle", st.n)
	} else {
		fmt.Fprintf(&s, "step %d: %s: %s", st.n, r.Step.Thread, tlCall(r.Step.Call))
	}
	if r.Step.Line > 0 {
		fmt.Fprintf(&s, " (line %d)", r.Step.Line)
	}
	for _, e := range r.Step.Expect {
		s.WriteString("\n  expect " + tlExpect(e))
	}
	if r.Step.Says != "" {
		s.WriteString("\n" + r.Step.Says)
	}
	for _, f := range r.Failures {
		s.WriteString("\n" + tlFailText(f))
	}
	return s.String()
}

// right is where a span's box ends.
func (sp *tlSpan) right(lo *tlLayout) int {
	switch {
	case sp.open:
		return lo.end - 4
	case sp.to > sp.from:
		return lo.x[sp.to] + 6
	}
	return lo.x[sp.from] - 6 + sp.width()
}

func (m *tlModel) spanTitle(sp *tlSpan) string {
	var s []string
	if sp.step != 0 {
		st := m.steps[sp.step-1]
		if st.settle {
			s = append(s, fmt.Sprintf("step %d: settle", sp.step))
		} else {
			s = append(s, fmt.Sprintf("step %d: %s: %s", sp.step, st.res.Step.Thread, sp.label))
		}
		s = append(s, sp.result)
	} else {
		s = append(s, sp.label, sp.result)
	}
	if sp.ev != nil && m.fromTrace {
		s = append(s, "trace: "+tlTraceLine(sp.ev))
	}
	if sp.ret != nil && m.fromTrace {
		s = append(s, "trace: "+tlTraceLine(sp.ret))
	}
	for _, bl := range sp.blocked {
		if bl[1] >= 0 {
			s = append(s, fmt.Sprintf("blocked from event %d to %d", m.slots[bl[0]].seq, m.slots[bl[1]].seq))
		} else {
			s = append(s, fmt.Sprintf("blocked from event %d on", m.slots[bl[0]].seq))
		}
	}
	if sp.step != 0 && m.steps[sp.step-1].res.Step.Says != "" {
		s = append(s, m.steps[sp.step-1].res.Step.Says)
	}
	return strings.Join(s, "\n")
}

func (m *tlModel) writeSpan(b *bufio.Writer, lo *tlLayout, sp *tlSpan) {
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	l := m.lanes[sp.lane]
	cls := "span " + sp.kind
	switch {
	case sp.kind == "call" && sp.step == 0 && sp.depth > 0:
		cls += " nested"
	case sp.kind == "call" && sp.step == 0:
		cls += " sub"
	}
	if sp.failed {
		cls += " failed"
	}
	if sp.open {
		cls += " open"
	}
	p("<g class=\"%s\" data-thread=\"%s\" data-depth=\"%d\"", cls, tlEsc(l.name), sp.depth)
	if sp.step != 0 {
		p(" data-step=\"%d\"", sp.step)
	}
	if sp.ev != nil && m.fromTrace {
		p(" data-seq=\"%d\" id=\"span-%d\"", sp.ev.Seq, sp.ev.Seq)
	} else if sp.step != 0 {
		p(" id=\"span-step-%d\"", sp.step)
	}
	if sp.kind == "apc" {
		p(" data-apc=\"%d\" data-apc-depth=\"%d\"", sp.ev.N, sp.ev.Result)
	}
	p(">\n<title>%s</title>", tlEsc(m.spanTitle(sp)))
	x0 := lo.x[sp.from] - 6
	x1 := sp.right(lo)
	y0, y1 := l.box(sp)
	p("<rect class=\"box\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"4\"/>", x0, y0, x1-x0, y1-y0)
	for _, bl := range sp.blocked {
		bx1 := x1 - 2
		if bl[1] >= 0 {
			bx1 = lo.x[bl[1]]
		}
		bx0 := lo.x[bl[0]]
		p("<rect class=\"blocked\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>", bx0, y0+2, max(bx1-bx0, 1), y1-y0-4)
	}
	if sp.open {
		p("<path class=\"more\" d=\"M%d %d l8 %d l-8 %d z\"/>", x1-10, y0+(y1-y0)/2-6, 6, 6)
	}
	p("<text class=\"lbl l1\" x=\"%d\" y=\"%d\">%s</text>", x0+6, y0+12, tlEsc(sp.label))
	p("<text class=\"lbl l2\" x=\"%d\" y=\"%d\">%s</text>\n", x0+6, y0+24, tlEsc(sp.result))
	for _, c := range sp.children {
		m.writeSpan(b, lo, c)
	}
	p("</g>\n")
}

func (m *tlModel) writeMark(b *bufio.Writer, lo *tlLayout, mk *tlMark) {
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	l := m.lanes[mk.lane]
	e := mk.ev
	x := lo.x[mk.slot]
	y := l.rowY(mk.row) + 7
	p("<g class=\"mark %s\" data-thread=\"%s\" data-seq=\"%d\" id=\"ev-%d\"", mk.class, tlEsc(l.name), e.Seq, e.Seq)
	switch e.Kind {
	case emu.EvField:
		p(" data-ov=\"%d\" data-field=\"%s\" data-old=\"%s\" data-new=\"%s\"", e.Ov, tlEsc(e.Name), tlHex(e.Old), tlHex(e.New))
	case emu.EvAPCQueued, emu.EvAPCDropped:
		p(" data-apc=\"%d\"", e.N)
	}
	p("><title>%s</title>", tlEsc(fmt.Sprintf("event %d at %s\n%s", e.Seq, fmtMs(e.Time), tlTraceLine(e))))
	if e.Kind != emu.EvAPCQueued {
		p("<line class=\"guide\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>", x, l.spanBottom(), x, y-5)
	}
	p("%s", tlGlyph(e.Kind, x, y))
	p("<text class=\"lbl\" x=\"%d\" y=\"%d\">%s</text></g>\n", x+9, y+4, tlEsc(mk.label))
}

// writeLinks draws, for each APC that ran on a lane, a dashed line from
// the mark where it was queued to the box where it ran, so that one can
// follow a completion routine from the completion to the wait that ran it.
func (m *tlModel) writeLinks(b *bufio.Writer, lo *tlLayout, lane int, marks []*tlMark) {
	l := m.lanes[lane]
	queued := map[uint64]*tlMark{}
	for _, mk := range marks {
		if mk.ev.Kind == emu.EvAPCQueued {
			queued[mk.ev.N] = mk
		}
	}
	var ends []int // right ends of the links drawn so far, by track
	for _, sp := range m.spans {
		if sp.kind != "apc" || sp.lane != lane {
			continue
		}
		q := queued[sp.ev.N]
		if q == nil || q.slot >= sp.from {
			continue
		}
		x0, y0 := lo.x[q.slot], l.rowY(q.row)+2
		x1 := lo.x[sp.from] + 2
		_, y1 := l.box(sp)
		// Links that overlap run on separate tracks just under the boxes.
		t := 0
		for t < len(ends) && ends[t] >= x0 {
			t++
		}
		if t == len(ends) {
			ends = append(ends, 0)
		}
		ends[t] = x1
		mid := l.spanBottom() + 3 + 3*min(t, 1)
		fmt.Fprintf(b, "<path class=\"link\" data-apc=\"%d\" d=\"M%d %d V%d H%d V%d\"/>\n", sp.ev.N, x0, y0, mid, x1, y1)
	}
}

// tlGlyph draws a mark's symbol centred on (x, y).
func tlGlyph(k emu.EventKind, x, y int) string {
	switch k {
	case emu.EvField:
		return fmt.Sprintf("<path class=\"glyph\" d=\"M%d %d l5 5 l-5 5 l-5 -5 z\"/>", x, y-5)
	case emu.EvSignal:
		return fmt.Sprintf("<path class=\"glyph\" d=\"M%d %d l5 9 h-10 z\"/>", x, y-5)
	case emu.EvReset:
		return fmt.Sprintf("<path class=\"glyph\" d=\"M%d %d l5 -9 h-10 z\"/>", x, y+4)
	case emu.EvPacketPosted, emu.EvPacketDequeued:
		return fmt.Sprintf("<rect class=\"glyph\" x=\"%d\" y=\"%d\" width=\"8\" height=\"8\"/>", x-4, y-4)
	case emu.EvBlock:
		return fmt.Sprintf("<path class=\"glyph\" d=\"M%d %d h3 v9 h-3 z M%d %d h3 v9 h-3 z\"/>", x-4, y-4, x+1, y-4)
	case emu.EvWake:
		return fmt.Sprintf("<path class=\"glyph\" d=\"M%d %d l8 5 l-8 5 z\"/>", x-3, y-5)
	case emu.EvDeadlock, emu.EvAPCDropped:
		return fmt.Sprintf("<path class=\"glyph\" d=\"M%d %d l8 8 M%d %d l-8 8\"/>", x-4, y-4, x+4, y-4)
	}
	return fmt.Sprintf("<circle class=\"glyph\" cx=\"%d\" cy=\"%d\" r=\"4\"/>", x, y)
}

// writeStepList repeats the steps as text under the picture, in full.
func (m *tlModel) writeStepList(b *bufio.Writer) {
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	p("<ol class=\"steps\">\n")
	for _, st := range m.steps {
		cls := "step-item"
		if st.failed {
			cls += " failed"
		}
		p("<li class=\"%s\" data-step=\"%d\">", cls, st.n)
		if st.settle {
			p("<code>settle</code>")
		} else {
			p("<b>%s</b>: <code>%s</code> <span class=\"result\">%s</span>", tlEsc(st.res.Step.Thread), tlEsc(tlCall(st.res.Step.Call)), tlEsc(st.span.result))
		}
		if st.res.Step.Says != "" {
			p("<div class=\"says\">%s</div>", tlEsc(st.res.Step.Says))
		}
		for _, f := range st.res.Failures {
			p("<div class=\"fail\">%s</div>", tlEsc(tlFailText(f)))
		}
		p("</li>\n")
	}
	p("</ol>\n")
}

const tlLegend = `<div class="legend">
<span><svg width="26" height="14"><rect x="1" y="1" width="24" height="12" rx="3" class="lg-call"/></svg> a call (its step's call and result)</span>
<span><svg width="26" height="14"><rect x="1" y="1" width="24" height="12" rx="3" class="lg-apc"/></svg> APC / completion routine, inside the wait that ran it</span>
<span><svg width="26" height="14"><rect x="1" y="1" width="24" height="12" fill="url(#lg-hatch)" stroke="#8a94a6"/><defs><pattern id="lg-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#eef0f4"/><line x1="0" y1="0" x2="0" y2="6" stroke="#b9c0cc" stroke-width="2"/></pattern></defs></svg> blocked</span>
<span><svg width="14" height="14"><path d="M7 2 l5 5 l-5 5 l-5 -5 z" class="lg-internal"/></svg> Internal written</span>
<span><svg width="14" height="14"><path d="M7 2 l5 5 l-5 5 l-5 -5 z" class="lg-field"/></svg> other field written</span>
<span><svg width="14" height="14"><path d="M7 2 l5 9 h-10 z" class="lg-signal"/></svg> event signalled</span>
<span><svg width="14" height="14"><path d="M7 11 l5 -9 h-10 z" class="lg-reset"/></svg> event reset</span>
<span><svg width="14" height="14"><rect x="3" y="3" width="8" height="8" class="lg-packet"/></svg> completion packet</span>
<span><svg width="14" height="14"><circle cx="7" cy="7" r="4" class="lg-apcq"/></svg> APC queued</span>
<span><svg width="14" height="14"><path d="M3 2 h3 v9 h-3 z M8 2 h3 v9 h-3 z" class="lg-block"/><path d="" /></svg> blocks</span>
<span><svg width="14" height="14"><path d="M4 2 l8 5 l-8 5 z" class="lg-wake"/></svg> wakes</span>
<span class="lg-fail">red: an expectation failed</span>
</div>
`

const tlCSS = `body { font: 14px/1.4 system-ui, "DejaVu Sans", sans-serif; color: #1d2330; margin: 16px 20px; }
h1 { font-size: 20px; margin: 0 0 4px; }
header p { margin: 2px 0; max-width: 110ch; }
.meta, .clauses, .note { color: #5b6475; font-size: 12.5px; }
.verdict.pass { color: #2b8a3e; font-weight: 600; }
.verdict.fail, .verdict.stopped { color: #c92a2a; font-weight: 600; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 16px; font-size: 12px; color: #3b4252; margin: 10px 0 6px; }
.legend span { display: inline-flex; align-items: center; gap: 5px; }
.lg-call { fill: #e3ecfb; stroke: #4a6fa5; } .lg-apc { fill: #fff1c9; stroke: #c28a00; }
.lg-internal { fill: #e8590c; } .lg-field { fill: #6c7a89; } .lg-signal { fill: #2b8a3e; } .lg-reset { fill: #98a2b3; }
.lg-packet { fill: #7048e8; } .lg-apcq { fill: #fff; stroke: #c28a00; stroke-width: 2; } .lg-block { fill: #c92a2a; } .lg-wake { fill: #2b8a3e; }
.lg-fail { color: #c92a2a; }
.scroll { overflow-x: auto; border: 1px solid #d7dce4; border-radius: 4px; margin-bottom: 8px; }
.frame { display: flex; width: max-content; }
svg text { font-size: 11px; }
svg.names { position: sticky; left: 0; z-index: 1; flex: none; border-right: 1px solid #d7dce4; }
.names-bg { fill: #f6f7f9; }
.lane-name line, .rule { stroke: #c5ccd6; }
.lane-name .name { font: 600 15px system-ui, "DejaVu Sans", sans-serif; }
.lane-name .sub { fill: #6b7485; font-size: 10.5px; }
.axis-name { text-anchor: end; fill: #6b7485; font-size: 10.5px; }
.band { fill: #ffffff; } .step.odd .band { fill: #f7f8fa; }
rect.head { fill: #e9edf3; } .step.odd rect.head { fill: #dfe5ee; }
.step.failed rect.head { fill: #ffd8d8; }
text.head { font: 600 11.5px system-ui, "DejaVu Sans", sans-serif; fill: #2f3747; }
.step.failed text.head { fill: #c92a2a; }
.caption text { font: italic 12px system-ui, "DejaVu Sans", sans-serif; fill: #3b4252; }
.caption text.fail { font-style: normal; fill: #c92a2a; font-weight: 600; }
.axis .seq { font-size: 9px; fill: #8a93a3; text-anchor: middle; }
.axis .time { font-size: 10px; fill: #1c5fb8; font-weight: 600; text-anchor: middle; }
.axis .tick { stroke: #b5bcc8; }
.lane-rule { stroke: #c5ccd6; }
.lbl { font-family: "DejaVu Sans Mono", ui-monospace, Menlo, Consolas, monospace; font-size: 11px; fill: #1d2330;
  paint-order: stroke; stroke: #ffffff; stroke-width: 3px; stroke-linejoin: round; }
.span .box { fill: #e3ecfb; stroke: #4a6fa5; stroke-width: 1.2; }
.span.sub .box { fill: #eef2f8; stroke: #8a9bb8; }
.span.nested .box { fill: #e6f4ea; stroke: #4f8a5b; }
.span.apc > .box { fill: #fff1c9; stroke: #c28a00; stroke-width: 1.5; }
.span.settle .box { fill: #eceff3; stroke: #8a94a6; stroke-dasharray: 4 3; }
.span.open > .box { stroke-dasharray: 6 3; }
.span .blocked { fill: url(#hatch); opacity: .9; }
.span .more { fill: #8a94a6; }
.span .lbl.l1 { font-weight: 600; }
.span.failed > .box { fill: #ffe3e3; stroke: #c92a2a; stroke-width: 2; }
.span.failed > .lbl { fill: #c92a2a; }
.span:hover > .box { stroke-width: 2.5; }
.guide { stroke: #b5bcc8; stroke-dasharray: 2 2; }
.link { fill: none; stroke: #c28a00; stroke-width: 1.3; stroke-dasharray: 5 3; opacity: .75; }
.mark .glyph { fill: #6c7a89; }
.mark.field .lbl { fill: #3b4252; }
.mark.field.same .lbl { fill: #8a93a3; }
.mark.field.internal .glyph { fill: #e8590c; }
.mark.field.internal .lbl { fill: #c2410c; font-weight: 700; }
.mark.signal .glyph { fill: #2b8a3e; } .mark.signal .lbl { fill: #2b8a3e; font-weight: 600; }
.mark.reset .glyph { fill: #98a2b3; }
.mark.packet .glyph { fill: #7048e8; } .mark.packet .lbl { fill: #5f3dc4; }
.mark.apc-queued .glyph { fill: #fff; stroke: #c28a00; stroke-width: 2; } .mark.apc-queued .lbl { fill: #8f6500; }
.mark.block .glyph { fill: #c92a2a; }
.mark.wake .glyph { fill: #2b8a3e; }
.mark.clock .glyph { fill: #1c5fb8; } .mark.clock .lbl { fill: #1c5fb8; }
.mark.deadlock .glyph, .mark.apc-dropped .glyph { stroke: #c92a2a; stroke-width: 2.5; fill: none; }
.mark.deadlock .lbl { fill: #c92a2a; font-weight: 700; }
.mark:hover .lbl { text-decoration: underline; }
ol.steps { font-size: 13px; padding-left: 28px; }
ol.steps li { margin: 3px 0; }
ol.steps .result { color: #4a5568; }
ol.steps .says { color: #4a5568; font-style: italic; }
ol.steps .fail, ol.steps .failed > b { color: #c92a2a; }
`
