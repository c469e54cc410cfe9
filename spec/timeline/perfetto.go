package timeline

import (
	"bufio"
	"bytes"
	"encoding/json"
	"github.com/wsaemu/wsaemu/spec"
	"io"
	"strconv"

	"github.com/wsaemu/wsaemu/emu"
)

// ctEvent is one entry of the Chrome Trace Event Format, the JSON that
// chrome://tracing and ui.perfetto.dev open. Only the fields used here.
type ctEvent struct {
	Name  string         `json:"name"`
	Cat   string         `json:"cat,omitempty"`
	Ph    string         `json:"ph"`
	Ts    uint64         `json:"ts"`
	Dur   *uint64        `json:"dur,omitempty"`
	Pid   int            `json:"pid"`
	Tid   int            `json:"tid"`
	S     string         `json:"s,omitempty"`
	Cname string         `json:"cname,omitempty"`
	Args  map[string]any `json:"args,omitempty"`
}

// ChromeTrace writes a run in the Chrome Trace Event Format: a
// {"traceEvents": [...]} object that ui.perfetto.dev and chrome://tracing
// open. Each thread is a track named after it, the system has its own, and
// a "steps" track on top shows the scenario's steps. Calls and APCs are
// complete ("X") slices, nested as they ran, with a "blocked" slice inside a
// call for the time it waited; field writes, signals, resets, packets,
// queued APCs, blocks and wakes are instant ("i") events. The timestamp is
// the trace sequence number read as microseconds, so one microsecond is one
// event and the file is the same for the same run; the virtual time is in
// every event's args.
func ChromeTrace(w io.Writer, rep *spec.Report, tr *emu.Trace, names []string, ids []int) error {
	m := buildTimeline(rep, tr, names, ids)
	const pid = 1
	maxID := 0
	for _, l := range m.lanes {
		maxID = max(maxID, l.id)
	}
	sysTid, stepsTid := maxID+1, maxID+2
	tid := func(lane int) int {
		if m.lanes[lane].sys {
			return sysTid
		}
		return m.lanes[lane].id
	}
	seq := func(slot int) uint64 {
		if slot < 0 || slot >= len(m.slots) {
			return 0
		}
		return m.slots[slot].seq
	}
	var endSeq uint64 = 1
	if n := len(m.slots); n > 0 {
		endSeq = m.slots[n-1].seq + 1
	}
	dur := func(from, to uint64) *uint64 {
		d := uint64(0)
		if to > from {
			d = to - from
		}
		return &d
	}
	timeOf := func(slot int) string {
		if slot < 0 || slot >= len(m.slots) || !m.fromTrace {
			return ""
		}
		return fmtMs(m.slots[slot].time)
	}

	var evs []ctEvent
	title := "wsaemu run"
	if rep.Scenario != nil && rep.Scenario.Title != "" {
		title = rep.Scenario.Title
	}
	evs = append(evs,
		ctEvent{Name: "process_name", Ph: "M", Pid: pid, Args: map[string]any{"name": "wsaemu: " + title}},
		ctEvent{Name: "thread_name", Ph: "M", Pid: pid, Tid: stepsTid, Args: map[string]any{"name": "steps"}},
		ctEvent{Name: "thread_sort_index", Ph: "M", Pid: pid, Tid: stepsTid, Args: map[string]any{"sort_index": 0}},
	)
	for i, l := range m.lanes {
		name := l.name
		if l.sys {
			name = "sys (the system)"
		}
		evs = append(evs,
			ctEvent{Name: "thread_name", Ph: "M", Pid: pid, Tid: tid(i), Args: map[string]any{"name": name}},
			ctEvent{Name: "thread_sort_index", Ph: "M", Pid: pid, Tid: tid(i), Args: map[string]any{"sort_index": i + 1}},
		)
	}

	// The steps, as slices covering the events each produced.
	for _, st := range m.steps {
		from, last := seq(st.from), seq(st.to-1)
		name := "step " + strconv.Itoa(st.n) + ": "
		if st.settle {
			name += "settle"
		} else {
			name += st.res.Step.Thread + ": " + tlCall(st.res.Step.Call)
		}
		args := map[string]any{"step": st.n, "time": timeOf(st.from)}
		if !st.settle {
			args["thread"] = st.res.Step.Thread
			args["result"] = st.span.result
		}
		if st.res.Step.Line > 0 {
			args["line"] = st.res.Step.Line
		}
		if st.res.Step.Says != "" {
			args["says"] = st.res.Step.Says
		}
		var expect []string
		for _, e := range st.res.Step.Expect {
			expect = append(expect, tlExpect(e))
		}
		if len(expect) > 0 {
			args["expect"] = expect
		}
		e := ctEvent{Name: name, Cat: "step", Ph: "X", Ts: from, Dur: dur(from, last+1), Pid: pid, Tid: stepsTid, Args: args}
		if st.failed {
			var fs []string
			for _, f := range st.res.Failures {
				fs = append(fs, tlFailText(f))
			}
			if len(fs) > 0 {
				args["failures"] = fs
			}
			e.Name = "✗ " + e.Name
			e.Cname = "terrible"
		}
		evs = append(evs, e)
	}

	// Spans and marks in trace order.
	spansAt := make([][]*tlSpan, len(m.slots))
	for _, sp := range m.spans {
		spansAt[sp.from] = append(spansAt[sp.from], sp)
	}
	marksAt := make([]*tlMark, len(m.slots))
	for _, mk := range m.marks {
		marksAt[mk.slot] = mk
	}
	for j := range m.slots {
		for _, sp := range spansAt[j] {
			from := seq(sp.from)
			to := seq(sp.to)
			switch {
			case sp.open:
				to = endSeq
			case sp.ret == nil:
				// Made up over a step's slots: it covers the last one too.
				to++
			}
			name := sp.label
			if sp.step != 0 && !(m.steps[sp.step-1].settle) {
				name = sp.label + " " + sp.result
			}
			args := map[string]any{"thread": m.lanes[sp.lane].name, "time": timeOf(sp.from), "label": sp.label, "result": sp.result}
			if sp.step != 0 {
				args["step"] = sp.step
			}
			if sp.ev != nil && m.fromTrace {
				args["seq"] = sp.ev.Seq
				args["trace"] = tlTraceLine(sp.ev)
			}
			if sp.ret != nil && m.fromTrace {
				args["return"] = tlTraceLine(sp.ret)
			}
			if sp.kind == "apc" {
				args["apc"] = sp.ev.N
				args["depth"] = sp.ev.Result
			}
			if sp.open {
				args["open"] = "still running when the run ended"
			}
			e := ctEvent{Name: name, Cat: sp.kind, Ph: "X", Ts: from, Dur: dur(from, to), Pid: pid, Tid: tid(sp.lane), Args: args}
			if sp.failed {
				e.Cname = "terrible"
			}
			evs = append(evs, e)
			// The time it spent blocked, as a slice inside it, where that
			// does not cross one of its children.
			for _, bl := range sp.blocked {
				bf, bt := seq(bl[0]), endSeq
				if bl[1] >= 0 {
					bt = seq(bl[1])
				}
				if bt > to {
					bt = to
				}
				clear := true
				for _, c := range sp.children {
					cf, ct := seq(c.from), seq(c.to)
					if c.open {
						ct = endSeq
					}
					if cf < bt && ct > bf {
						clear = false
					}
				}
				if clear && bt > bf {
					evs = append(evs, ctEvent{Name: "blocked", Cat: "blocked", Ph: "X", Ts: bf, Dur: dur(bf, bt), Pid: pid, Tid: tid(sp.lane),
						Args: map[string]any{"thread": m.lanes[sp.lane].name, "in": sp.label}})
				}
			}
		}
		if mk := marksAt[j]; mk != nil {
			e := mk.ev
			args := map[string]any{"seq": e.Seq, "time": fmtMs(e.Time), "thread": m.lanes[mk.lane].name, "trace": tlTraceLine(e)}
			switch e.Kind {
			case emu.EvField:
				args["ov"] = e.Ov
				args["field"] = e.Name
				args["old"] = tlHex(e.Old)
				args["new"] = tlHex(e.New)
			case emu.EvAPCQueued, emu.EvAPCDropped:
				args["apc"] = e.N
			}
			evs = append(evs, ctEvent{Name: mk.label, Cat: e.Kind.String(), Ph: "i", S: "t", Ts: e.Seq, Pid: pid, Tid: tid(mk.lane), Args: args})
		}
	}

	other := map[string]any{
		"generator":  "wsaemu",
		"timestamps": "trace sequence numbers: 1 µs is one trace event; the virtual time is in each event's args",
		"backend":    rep.Backend,
		"provider":   rep.Config.Kind,
		"profile":    rep.Config.Profile,
		"passed":     rep.Passed(),
		"title":      title,
	}
	if rep.Scenario != nil && rep.Scenario.File != "" {
		other["file"] = rep.Scenario.File
	}
	if rep.Config.Seeded {
		other["seed"] = rep.Config.Seed
	}
	if rep.Err != nil {
		other["stopped"] = rep.Err.Error()
	}
	if m.setup > 0 {
		other["setup_events_left_out"] = m.setup
	}

	// One event a line, so the file diffs well.
	b := bufio.NewWriter(w)
	enc := func(v any) error {
		var buf bytes.Buffer
		e := json.NewEncoder(&buf)
		e.SetEscapeHTML(false)
		if err := e.Encode(v); err != nil {
			return err
		}
		b.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
		return nil
	}
	b.WriteString("{\"traceEvents\":[\n")
	for i := range evs {
		if err := enc(&evs[i]); err != nil {
			return err
		}
		if i < len(evs)-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString("],\n\"otherData\":")
	if err := enc(other); err != nil {
		return err
	}
	b.WriteString("}\n")
	return b.Flush()
}
