package spec

import (
	"fmt"
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
// "says" text runs across the columns.
func Lanes(w io.Writer, rep *Report, tr *emu.Trace, names []string, ids []int, width int) {
	if width < 60 {
		width = 60
	}
	lanes := append(append([]string(nil), names...), "sys")
	col := map[int]int{0: len(lanes) - 1}
	for i, id := range ids {
		col[id] = i
	}
	laneW := (width - 6) / len(lanes)
	if laneW < 18 {
		laneW = 18
	}
	row := func(step string, cells map[int]string) {
		maxLines := 1
		wrapped := make([][]string, len(lanes))
		for i := range lanes {
			wrapped[i] = wrap(cells[i], laneW-2)
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
				b.WriteString(pad(text, laneW-2))
			}
			fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
		}
	}
	header := map[int]string{}
	for i, l := range lanes {
		header[i] = l
	}
	row("", header)
	fmt.Fprintln(w, "     "+strings.Repeat("─", laneW*len(lanes)))
	for i, s := range rep.Steps {
		num := fmt.Sprintf("%d", i+1)
		if s.Step.Call.Name == "settle" {
			row(num, map[int]string{len(lanes) - 1: "settle: let pending work happen"})
		} else {
			c := col[idOf(names, ids, s.Step.Thread)]
			row(num, map[int]string{c: "▶ " + s.Step.Call.String()})
		}
		if tr != nil && s.TraceTo > s.TraceFrom && s.TraceTo <= len(tr.Events) {
			for _, e := range tr.Events[s.TraceFrom:s.TraceTo] {
				if txt := laneText(e, s.Step); txt != "" {
					row("", map[int]string{col[e.Thread]: txt})
				}
			}
		}
		if s.Step.Call.Name != "settle" {
			c := col[idOf(names, ids, s.Step.Thread)]
			row("", map[int]string{c: "◀ " + outcomeText(s.Outcome)})
		}
		for _, cp := range s.Completions {
			row("", map[int]string{col[idOf(names, ids, cp.Thread)]: "◀ " + cp.Call + " returns " + outcomeText(cp.Outcome)})
		}
		for _, f := range s.Failures {
			fmt.Fprintf(w, "     ✗ line %d: %s\n", f.Line, f.Msg)
		}
		if s.Step.Says != "" {
			for _, l := range wrap(s.Step.Says, width-8) {
				fmt.Fprintf(w, "     ┊ %s\n", l)
			}
		}
	}
}

func idOf(names []string, ids []int, n string) int {
	for i, x := range names {
		if x == n {
			return ids[i]
		}
	}
	return 0
}

func outcomeText(o Outcome) string {
	if o.Blocked {
		return "blocked…"
	}
	s := o.Ret
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
func laneText(e emu.Event, st Step) string {
	switch e.Kind {
	case emu.EvField:
		return fmt.Sprintf("ov%d.%s %#x→%#x", e.Ov, e.Name, e.Old, e.New)
	case emu.EvSignal:
		return fmt.Sprintf("signal %s %#x", e.Name, uint64(e.Handle))
	case emu.EvReset:
		return fmt.Sprintf("reset %s %#x", e.Name, uint64(e.Handle))
	case emu.EvAPCQueued:
		return fmt.Sprintf("APC #%d queued (%s)", e.N, e.Name)
	case emu.EvAPCRun:
		if e.Ov != 0 {
			return fmt.Sprintf("⤷ APC #%d runs (depth %d): ov%d err=%d bytes=%d", e.N, e.Result, e.Ov, e.Old, e.New)
		}
		return fmt.Sprintf("⤷ APC #%d runs (depth %d)", e.N, e.Result)
	case emu.EvAPCDone:
		return fmt.Sprintf("⤶ APC #%d returns", e.N)
	case emu.EvAPCDropped:
		return fmt.Sprintf("APC #%d dropped", e.N)
	case emu.EvPacketPosted:
		return fmt.Sprintf("packet → port: ov%d bytes=%d", e.Ov, e.N)
	case emu.EvPacketDequeued:
		return fmt.Sprintf("packet ← port: ov%d bytes=%d", e.Ov, e.N)
	case emu.EvComplete:
		if e.N == 0 {
			if e.Old == 0 {
				return fmt.Sprintf("WPUCompleteOverlappedRequest ov%d: no error, %d bytes", e.Ov, e.New)
			}
			return fmt.Sprintf("WPUCompleteOverlappedRequest ov%d: %s, %d bytes", e.Ov, e.Text, e.New)
		}
		return fmt.Sprintf("complete ov%d: %s, %d bytes", e.Ov, wso.NTStatus(e.Old).Name(), e.New)
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
		return "note: " + e.Text
	case emu.EvCall:
		if e.Name == st.Call.Name {
			return ""
		}
		return "call " + e.Name
	case emu.EvReturn:
		if e.Name == st.Call.Name {
			return ""
		}
		r := fmt.Sprintf("%s → %d", e.Name, e.Result)
		if e.Err != 0 {
			r += " " + e.Err.Name()
		}
		return r
	}
	return ""
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
