package timeline

import (
	"fmt"
	"github.com/wsaemu/wsaemu/spec"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/wsaemu/wsaemu/emu"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// Lanes renders a run as a terminal timeline: one column per thread (and
// one for the system itself), each step's call and result in its thread's
// column, and under it what the machine did meanwhile: record fields
// written, events signalled, APCs queued and run, packets posted. A step's
// "says" text runs across the columns. Records, handles and routines go by
// the names the scenario gave them. Every line fits in width columns; a
// legend under the lanes explains the "choice" and "settle" lines once.
func Lanes(w io.Writer, rep *spec.Report, tr *emu.Trace, names []string, ids []int, width int) {
	width = max(width, 40)
	lanes := append(append([]string(nil), names...), "sys")
	col := map[int]int{0: len(lanes) - 1}
	for i, id := range ids {
		col[id] = i
	}
	evs := traceEvents(tr)
	nm := nameRun(rep, evs)
	// The system's lane holds short lines (choices, settle, the clock):
	// it is only as wide as they need, so threads get the room.
	const prefixW = 5
	avail := width - prefixW
	sysNeed := len("sys")
	for _, s := range rep.Steps {
		if s.Step.Call.Name == "settle" {
			sysNeed = max(sysNeed, len("settle"))
		}
		if s.TraceTo > s.TraceFrom && s.TraceTo <= len(evs) {
			for _, e := range evs[s.TraceFrom:s.TraceTo] {
				if e.Thread == 0 {
					sysNeed = max(sysNeed, utf8.RuneCountInString(laneText(e, s.Step, nm)))
				}
			}
		}
	}
	sysW := min(sysNeed+3, 24, avail/len(lanes))
	laneW := max((avail-sysW)/max(len(lanes)-1, 1), 8)
	if len(lanes) == 1 {
		laneW = avail
	}
	widthOf := func(i int) int {
		if i == len(lanes)-1 {
			return sysW
		}
		return laneW
	}
	row := func(step string, cells map[int]string) {
		maxLines := 1
		wrapped := make([][]string, len(lanes))
		for i := range lanes {
			wrapped[i] = wrap(cells[i], widthOf(i)-3)
			if len(wrapped[i]) > maxLines {
				maxLines = len(wrapped[i])
			}
		}
		for l := 0; l < maxLines; l++ {
			prefix := "     "
			if l == 0 && step != "" {
				prefix = fmt.Sprintf("%4s ", step)
			}
			var b strings.Builder
			b.WriteString(prefix)
			for i := range lanes {
				text := ""
				if l < len(wrapped[i]) {
					text = wrapped[i][l]
				}
				b.WriteString("│ ")
				b.WriteString(pad(text, widthOf(i)-2))
			}
			fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
		}
	}
	note := func(mark, text string) {
		// A legend line's continuation lines are indented two more.
		ind := len(text) - len(strings.TrimLeft(text, " "))
		hang := 0
		if mark == " " {
			hang = 2
		}
		for i, l := range wrap(strings.TrimLeft(text, " "), width-prefixW-2-ind-hang) {
			if i > 0 {
				l = strings.Repeat(" ", hang) + l
			}
			fmt.Fprintf(w, "     %s %s%s\n", mark, strings.Repeat(" ", ind), l)
		}
	}
	header := map[int]string{}
	for i, l := range lanes {
		header[i] = l
	}
	row("", header)
	fmt.Fprintln(w, "     "+strings.Repeat("─", laneW*(len(lanes)-1)+sysW))
	depth := map[int]int{} // APC nesting per thread, to tell a step's own return from a nested one
	points := map[string]bool{}
	settled := false
	for i, s := range rep.Steps {
		num := fmt.Sprintf("%d", i+1)
		if s.Step.Call.Name == "settle" {
			settled = true
			row(num, map[int]string{len(lanes) - 1: "settle"})
		} else {
			c := col[idOf(names, ids, s.Step.Thread)]
			row(num, map[int]string{c: "▶ " + s.Step.Call.String()})
		}
		shown := make([]bool, len(s.Completions))
		if s.TraceTo > s.TraceFrom && s.TraceTo <= len(evs) {
			for k := s.TraceFrom; k < s.TraceTo; k++ {
				e := &evs[k]
				switch e.Kind {
				case emu.EvAPCRun:
					depth[e.Thread]++
				case emu.EvAPCDone:
					depth[e.Thread]--
				case emu.EvChoice:
					points[e.Name] = true
				case emu.EvReturn:
					// The return of a call an earlier step left blocked:
					// shown here, where it happens, with its outcome.
					if depth[e.Thread] == 0 && !(e.Name == s.Step.Call.Name && col[e.Thread] == col[idOf(names, ids, s.Step.Thread)]) {
						if j := completionOf(s.Completions, shown, names, ids, e); j >= 0 {
							shown[j] = true
							cp := s.Completions[j]
							row("", map[int]string{col[e.Thread]: "◀ " + cp.Call + " returns " + outcomeText(cp.Outcome)})
							continue
						}
					}
				}
				if txt := laneText(*e, s.Step, nm); txt != "" {
					row("", map[int]string{col[e.Thread]: txt})
				}
			}
		}
		if s.Step.Call.Name != "settle" {
			c := col[idOf(names, ids, s.Step.Thread)]
			row("", map[int]string{c: "◀ " + outcomeText(s.Outcome)})
		}
		for j, cp := range s.Completions {
			if !shown[j] {
				row("", map[int]string{col[idOf(names, ids, cp.Thread)]: "◀ " + cp.Call + " returns " + outcomeText(cp.Outcome)})
			}
		}
		for _, f := range s.Failures {
			note("✗", fmt.Sprintf("line %d: %s", f.Line, f.Msg))
		}
		if s.Step.Says != "" {
			note("┊", s.Step.Says)
		}
	}
	if legend := laneLegend(points, settled); len(legend) > 0 {
		fmt.Fprintln(w)
		for _, l := range legend {
			note(" ", l)
		}
	}
}

// completionOf finds the completion, not shown yet, that a traced return
// ends: the same thread and call.
func completionOf(cs []spec.Completion, shown []bool, names []string, ids []int, e *emu.Event) int {
	for j, cp := range cs {
		if !shown[j] && cp.Call == e.Name && idOf(names, ids, cp.Thread) == e.Thread {
			return j
		}
	}
	return -1
}

// pointMeaning says what each of the Chooser's decision points decides,
// and what its alternatives are.
var pointMeaning = map[string]string{
	"pend":      "pend: does an operation that could finish at once complete now (0) or pend and complete a little later (1)",
	"cancel":    "cancel: does a cancel take effect at once (0) or stay under way (1), so a completion can still win",
	"apc-order": "apc-order: which of the waiting completion routines an alertable wait runs next",
	"schedule":  "schedule: which ready thread, or which pending completion, goes next",
	"preempt":   "preempt: does a calling thread keep running (0) or let another go first (1)",
	"split":     "split: how many of the n bytes waiting on a stream socket a receive takes (0: all of them; k: n-k)",
	"unsettled": "unsettled: where no Windows observation settles it, the pages' answer (0) or the one Wine gives (1)",
}

// laneLegend explains, once, the lines of the system's lane that are not
// calls: the Chooser's decisions and the settle step.
func laneLegend(points map[string]bool, settled bool) []string {
	var out []string
	if len(points) > 0 {
		out = append(out, "choice POINT: k of n — where the pages leave a decision open, the run's Chooser picked alternative k (counting from 0) of n:")
		for _, p := range sortedKeysBool(points) {
			if m, ok := pointMeaning[p]; ok {
				out = append(out, "  "+m+".")
			} else {
				out = append(out, "  "+p+".")
			}
		}
	}
	if settled {
		out = append(out, "settle — a step of the scenario, not a call: the machine does all the work it has pending (completions, cancels, routines for threads waiting alertably) before the next step.")
	}
	return out
}

func sortedKeysBool(m map[string]bool) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sortStrings(ks)
	return ks
}

func idOf(names []string, ids []int, n string) int {
	for i, x := range names {
		if x == n {
			return ids[i]
		}
	}
	return 0
}

func outcomeText(o spec.Outcome) string {
	if o.Blocked {
		return "blocked…"
	}
	s := withWaitValue(o.Ret)
	if o.Err != "" {
		s += " " + o.Err
	}
	for _, k := range sortedKeys(o.Outs) {
		if o.Outs[k] != "untouched" {
			s += " " + k + "=" + o.Outs[k]
		}
	}
	return s
}

func sortedKeys(m map[string]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sortStrings(ks)
	return ks
}

// laneText is how one trace event reads in a lane; "" leaves it out.
func laneText(e emu.Event, st spec.Step, nm *tlNames) string {
	switch e.Kind {
	case emu.EvField:
		return fmt.Sprintf("%s.%s %#x→%#x", nm.ovName(e.Ov), e.Name, e.Old, e.New)
	case emu.EvSignal:
		return "signal " + withKind(e.Name, nm.handleName(e.Name, e.Handle))
	case emu.EvReset:
		return "reset " + withKind(e.Name, nm.handleName(e.Name, e.Handle))
	case emu.EvAPCQueued:
		return "queued: " + nm.apcWhat(&e)
	case emu.EvAPCRun:
		s := fmt.Sprintf("⤷ %s runs (depth %d)", nm.apcWhat(&e), e.Result)
		if args := nm.apcArgs(&e); args != "" {
			s += ": " + args
		}
		return s
	case emu.EvAPCDone:
		return fmt.Sprintf("⤶ %s returns", nm.apcWhat(&e))
	case emu.EvAPCDropped:
		return fmt.Sprintf("dropped: %s", nm.apcWhat(&e))
	case emu.EvPacketPosted:
		return fmt.Sprintf("packet → %s: %s bytes=%d", nm.handleName("port", e.Handle), nm.ovName(e.Ov), e.N)
	case emu.EvPacketDequeued:
		return fmt.Sprintf("packet ← %s: %s bytes=%d", nm.handleName("port", e.Handle), nm.ovName(e.Ov), e.N)
	case emu.EvComplete:
		if e.N == 0 {
			if e.Old == 0 {
				return fmt.Sprintf("WPUCompleteOverlappedRequest %s: no error, %d bytes", nm.ovName(e.Ov), e.New)
			}
			return fmt.Sprintf("WPUCompleteOverlappedRequest %s: %s, %d bytes", nm.ovName(e.Ov), e.Detail(), e.New)
		}
		return fmt.Sprintf("complete %s: %s, %d bytes", nm.ovName(e.Ov), wso.NTStatus(e.Old).Name(), e.New)
	case emu.EvBlock:
		return "blocks in " + e.Name
	case emu.EvWake:
		return "wakes: " + e.Name
	case emu.EvClock:
		return "clock → " + fmtMs(e.Time)
	case emu.EvChoice:
		return fmt.Sprintf("choice %s: %d of %d", e.Name, e.Result, e.N)
	case emu.EvThreadExit:
		return fmt.Sprintf("thread exits (%d)", e.Result)
	case emu.EvNote:
		return "note: " + e.Detail()
	case emu.EvCall:
		if e.Name == st.Call.Name {
			return ""
		}
		return "call " + e.Name
	case emu.EvReturn:
		if e.Name == st.Call.Name {
			return ""
		}
		return e.Name + " → " + tlReturnValue(&e)
	}
	return ""
}

// withKind puts an object's kind before its name ("event ev"), unless the
// name is the trace's own, which already starts with it ("event 0x8").
func withKind(kind, name string) string {
	if kind == "" || strings.HasPrefix(name, kind+" ") {
		return name
	}
	return kind + " " + name
}

func wrap(s string, w int) []string {
	if s == "" {
		return nil
	}
	var out []string
	for utf8.RuneCountInString(s) > w {
		cut := w
		r := []rune(s)
		for i := w; i > w/2; i-- {
			if r[i] == ' ' {
				cut = i
				break
			}
		}
		out = append(out, string(r[:cut]))
		s = strings.TrimLeft(string(r[cut:]), " ")
	}
	return append(out, s)
}

func pad(s string, w int) string {
	n := utf8.RuneCountInString(s)
	if n >= w {
		return s
	}
	return s + strings.Repeat(" ", w-n)
}
