package emulated

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/spec"
	"github.com/wsaemu/wsaemu/trace"
)

// FreeRun is the model's run of a free-form trace under one schedule, in
// the shape a scenario's run has, so spec/timeline draws it the same way:
// one step per record the schedule replayed (and per moment the machine
// settled), each call's step marked with the trace line it explains.
type FreeRun struct {
	Report *spec.Report
	Trace  *emu.Trace
	// Names and IDs are the recorded threads and their emulated ids.
	Names []string
	IDs   []int
	// Check is what the schedule explains (as ReplayFree answers).
	Check *FreeCheck
}

// DrawFree replays a trace under the given decisions (a schedule a check
// printed, or found) and returns the model's run for drawing. Where the
// schedule stops explaining the trace the run stops too, and that step
// carries the mismatch as a failure at the record's trace line.
func DrawFree(tr *trace.Trace, choices []emu.Choice) (*FreeRun, error) {
	fc, err := ReplayFree(tr, choices)
	if err != nil {
		return nil, err
	}
	p, err := translate(tr)
	if err != nil {
		return nil, err
	}
	d := &freeDraw{rep: &spec.Report{Scenario: p.sc, Config: p.cfg, Backend: "emulator"}}
	p.draw = d
	if _, _, err := p.probe(choicePicks(choices), nil); err != nil {
		return nil, err
	}
	// The buffers the translation made are shown as the check's
	// timeline shows them: by their content or length.
	for i := range d.rep.Steps {
		c := &d.rep.Steps[i].Step.Call
		var pos []string
		for j, w := range c.Args.Pos {
			if !strings.HasPrefix(w, "_buf") {
				continue
			}
			if pos == nil {
				pos = append([]string(nil), c.Args.Pos...)
			}
			parts := strings.Split(w, ",")
			for k, b := range parts {
				if v, ok := p.display[b]; ok {
					// A scenario word cannot hold a plain quote
					// unquoted: content goes in typographic ones.
					if u, err := strconv.Unquote(v); err == nil && !strings.ContainsAny(u, " \t\"") {
						v = "“" + u + "”"
					}
					parts[k] = v
				}
			}
			pos[j] = strings.Join(parts, ",")
		}
		if pos != nil {
			c.Args.Pos = pos
		}
	}
	fr := &FreeRun{Report: d.rep, Check: fc}
	if d.em != nil {
		if sys := d.em.System(); sys != nil {
			fr.Trace = sys.Trace()
		}
		fr.Names, fr.IDs = d.em.Threads()
		fr.Report.Findings = d.em.Findings()
	}
	return fr, nil
}

// freeDraw collects a probe's steps as a report; a nil one does nothing,
// so the search's probes pay one comparison per step.
type freeDraw struct {
	em  *Emulator
	rep *spec.Report
	cur *spec.StepResult
}

func (d *freeDraw) start(em *Emulator) {
	if d != nil {
		d.em = em
	}
}

// begin opens the step of one record (or of a settle, with ev nil).
func (d *freeDraw) begin(st spec.Step, ev *trace.Event) {
	if d == nil {
		return
	}
	d.end()
	if ev != nil {
		st.Line = ev.Line
		st.Says = fmt.Sprintf("trace line %d: observed", ev.Line)
		if ev.Unfinished {
			st.Says += " (the recording ended before it returned)"
		}
	}
	d.cur = &spec.StepResult{Step: st, TraceFrom: d.em.TraceLen()}
}

// read notes a read of a record's field on the step open (the latest).
func (d *freeDraw) read(thread string, ev *trace.Event, v uint64) {
	if d == nil {
		return
	}
	st := d.cur
	if st == nil && len(d.rep.Steps) > 0 {
		st = &d.rep.Steps[len(d.rep.Steps)-1]
	}
	if st == nil {
		return
	}
	if st.Step.Says != "" {
		st.Step.Says += "; "
	}
	st.Step.Says += fmt.Sprintf("trace line %d: %s reads %s.%s = 0x%x, as observed", ev.Line, thread, *ev.Ov, ev.Field, v)
}

func (d *freeDraw) result(st spec.Step, r spec.Result) {
	if d == nil || d.cur == nil {
		return
	}
	d.cur.Result, d.cur.Outcome = r, spec.Render(st.Call.Op, r)
}

func (d *freeDraw) completed(rs []spec.Returned) {
	if d == nil || d.cur == nil {
		return
	}
	d.cur.Completions = append(d.cur.Completions, spec.RenderCompleted(rs)...)
}

// fail marks where the schedule stops explaining the trace.
func (d *freeDraw) fail(line int, got string) {
	if d == nil {
		return
	}
	if d.cur == nil {
		d.begin(spec.Step{Call: spec.Call{Name: "settle"}}, nil)
	}
	// The step open is not explained, nor is the earlier step of the
	// record (a blocked call that never returns as recorded).
	d.cur.Step.Says = strings.Replace(d.cur.Step.Says, ": observed", ": not explained", 1)
	for i := range d.rep.Steps {
		if st := &d.rep.Steps[i].Step; st.Line == line {
			st.Says = strings.Replace(st.Says, ": observed", ": not explained", 1)
		}
	}
	d.cur.Failures = append(d.cur.Failures, spec.Failure{Line: line, Msg: "the record on this line is not what the model does here: " + got})
	d.end()
}

func (d *freeDraw) end() {
	if d == nil || d.cur == nil {
		return
	}
	d.cur.TraceTo = d.em.TraceLen()
	d.rep.Steps = append(d.rep.Steps, *d.cur)
	d.cur = nil
}
