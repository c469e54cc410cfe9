package emulated

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/spec"
	"github.com/wsaemu/wsaemu/trace"
)

// WriteFree runs a scenario on the emulator under cfg and ch and writes
// what a recorder wrapping the program's calls would have seen, as a
// free-form trace (docs/trace-format.md): the objects the declarations
// make, as the calls that make them, then every call with its arguments
// and results, every routine and APC run, in the order they happened, with
// logical timestamps (the step number) when stamps is set. Settle steps
// are not calls: nothing is written for them. recorder goes in the
// header (the command that made the trace, say). It fails on a scenario
// the format's calls cannot express (a call or declaration without a
// shape, a routine that makes a call).
func WriteFree(w io.Writer, sc *spec.Scenario, cfg spec.RunConfig, ch emu.Chooser, stamps bool, recorder string) error {
	ws := &freeWriter{sc: sc, stamps: stamps, decl: map[string]*spec.Decl{}, recvBufs: map[string][]string{}}
	for i := range sc.Decls {
		ws.decl[sc.Decls[i].Name] = &sc.Decls[i]
	}
	var first string
	for _, d := range sc.Decls {
		if d.Kind == "thread" {
			first = d.Name
			break
		}
	}
	if first == "" {
		return fmt.Errorf("%s: no thread", sc.File)
	}
	em := &Emulator{Chooser: ch}
	defer em.Close()
	if err := em.Start(cfg, sc.Decls); err != nil {
		return spec.WithFile(sc.File, err)
	}
	ws.em = em
	tw := trace.NewWriter(w, trace.Header{Recorder: recorder, System: "the wsaemu emulator", Provider: cfg.Kind, Profile: cfg.Profile, TimeUnit: "step"})
	ws.tw = tw
	// The declarations, as the calls that make the objects.
	for _, d := range sc.Decls {
		if err := ws.creation(first, d); err != nil {
			return err
		}
	}
	pending := map[string]*trace.Event{}
	var routines []string
	seen := map[string]int{}
	for _, d := range sc.Decls {
		if d.Kind == "routine" || d.Kind == "apc" {
			routines = append(routines, d.Name)
		}
	}
	for i, st := range sc.Steps {
		ws.clock = int64(i + 1)
		var done func()
		if st.Call.Name == "settle" {
			if err := em.Settle(); err != nil {
				return err
			}
		} else {
			ev, err := ws.callEvent(em, st)
			if err != nil {
				return spec.AtLine(sc.File, st.Line, err)
			}
			if n := st.Call.Name; n == "WSARecv" || n == "WSARecvFrom" {
				ws.recvBufs[recordID(ev.Args["ov"])] = splitComma(st.Call.Args.Pos[1])
			}
			r, err := em.Do(st.Thread, st.Call.Op)
			if err != nil {
				return spec.AtLine(sc.File, st.Line, err)
			}
			if r.Blocked {
				pending[st.Thread] = ev
			} else {
				// Written after the runs made inside it.
				done = func() { ws.result(ev, st.Call.Op, r) }
			}
		}
		// Routine and APC runs, then the blocked calls that returned.
		for _, name := range routines {
			calls, _ := em.Routine(name)
			for _, c := range calls[seen[name]:] {
				seen[name]++
				e := trace.Event{Ev: trace.EvRoutine, Thread: c.Thread, Routine: name, T0: ws.stamp()}
				if ws.decl[name].Kind == "apc" {
					e = trace.Event{Ev: trace.EvAPC, Thread: c.Thread, APC: name, Param: &c.Param, T0: ws.stamp()}
				} else {
					ov := c.Ov
					if ov == "" {
						ov = "NULL"
					}
					e.ErrCode, e.Bytes, e.Flags, e.Ov = &c.Err, &c.Bytes, &c.Flags, &ov
					if c.Err == 0 {
						e.Data = ws.data(ws.recvBufs[ov], int(c.Bytes))
					}
				}
				tw.Write(e)
			}
		}
		if done != nil {
			done()
		}
		for _, c := range em.Completed() {
			if ev := pending[c.Thread]; ev != nil {
				delete(pending, c.Thread)
				if c.Err != nil {
					return spec.AtLine(sc.File, st.Line, c.Err)
				}
				ws.result(ev, c.Op, c.Result)
			}
		}
	}
	for _, d := range sc.Decls {
		if ev := pending[d.Name]; ev != nil {
			ev.Unfinished = true
			ev.T1 = nil
			tw.Write(*ev)
		}
	}
	return tw.Flush()
}

type freeWriter struct {
	em *Emulator
	// recvBufs are the buffers of the latest receive issued with each
	// record: where the bytes a completion reports are.
	recvBufs map[string][]string
	sc       *spec.Scenario
	tw       *trace.Writer
	decl     map[string]*spec.Decl
	stamps   bool
	clock    int64
}

func (ws *freeWriter) stamp() *int64 {
	if !ws.stamps {
		return nil
	}
	t := ws.clock
	return &t
}

func (ws *freeWriter) unsupported(line int, format string, args ...any) error {
	return spec.AtLine(ws.sc.File, line, fmt.Errorf("cannot be written as a %s trace: %s", trace.FormatName, fmt.Sprintf(format, args...)))
}

// creation writes the calls that make a declared object.
func (ws *freeWriter) creation(thread string, d spec.Decl) error {
	call := func(fn string, args map[string]any, ret any) {
		e := trace.Event{Ev: trace.EvCall, Thread: thread, Fn: fn, Args: map[string]json.RawMessage{}, Ret: trace.Raw(ret), T0: ws.stamp(), T1: ws.stamp()}
		for k, v := range args {
			e.Args[k] = trace.Raw(v)
		}
		ws.tw.Write(e)
	}
	switch o := d.Obj.(type) {
	case *spec.ThreadDecl, *spec.BufferDecl, *spec.PortDecl, *spec.HandleDecl:
		if _, ok := o.(*spec.PortDecl); ok {
			call("CreateIoCompletionPort", map[string]any{"file": nil, "port": nil}, d.Name)
		}
		return nil
	case *spec.RoutineDecl:
		if d.Does != nil {
			return ws.unsupported(d.Line, "routine %s makes a call (calls from routines are not modelled yet)", d.Name)
		}
		return nil
	case *spec.EventDecl:
		call("CreateEventW", map[string]any{"manual": o.Manual, "initial": o.Signalled}, d.Name)
		return nil
	case *spec.OverlappedDecl:
		for _, f := range o.Fields {
			if f.Set {
				return ws.unsupported(d.Line, "record %s starts with fields set", d.Name)
			}
		}
		if o.HasHEvent {
			return ws.unsupported(d.Line, "record %s has a raw hEvent", d.Name)
		}
		return nil
	case *spec.SocketDecl:
		typ, proto := 2, 17
		if o.Stream {
			typ, proto = 1, 6
		}
		fl := 0
		if o.Overlapped {
			fl = 1
		}
		call("WSASocketW", map[string]any{"af": o.AF, "type": typ, "protocol": proto, "flags": fl}, d.Name)
		if o.Bind != nil {
			call("bind", map[string]any{"s": d.Name, "addr": o.Bind.String()}, 0)
		}
		if o.Listen {
			call("listen", map[string]any{"s": d.Name, "backlog": 0x7fffffff}, 0)
		}
		if o.Connect != nil {
			call("connect", map[string]any{"s": d.Name, "addr": o.Connect.String()}, 0)
		}
		return nil
	}
	return ws.unsupported(d.Line, "a %s declaration", d.Kind)
}

// callEvent writes a step's call in the format's terms (its record is
// written when it returns).
func (ws *freeWriter) callEvent(em *Emulator, st spec.Step) (*trace.Event, error) {
	name := st.Call.Name
	sh, ok := shapes[name]
	if !ok || sh.Scenario != name {
		return nil, fmt.Errorf("cannot be written as a %s trace: call %s", trace.FormatName, name)
	}
	e := &trace.Event{Ev: trace.EvCall, Thread: st.Thread, Fn: name, Args: map[string]json.RawMessage{}, T0: ws.stamp()}
	a := st.Call.Args
	used := map[string]bool{}
	next := 0
	for _, pr := range sh.Params {
		var w string
		switch {
		case pr.Kind == aBool:
			if a.Has(pr.Key) {
				used[pr.Key] = true
				e.Args[pr.JSON] = trace.Raw(true)
			}
			continue
		case pr.Key != "":
			v, ok := a.Get(pr.Key)
			if !ok {
				continue
			}
			used["="+pr.Key] = true
			w = v
		default:
			if next >= len(a.Pos) {
				if pr.Kind == aOv && name == "CancelIoEx" {
					continue
				}
				return nil, fmt.Errorf("cannot be written as a %s trace: %s lacks %s", trace.FormatName, name, pr.JSON)
			}
			w = a.Pos[next]
			used[w] = true
			next++
		}
		v, err := ws.value(em, name, pr, w)
		if err != nil {
			return nil, err
		}
		e.Args[pr.JSON] = v
	}
	if name == "accept" && next < len(a.Pos) {
		used[a.Pos[next]] = true // the target: the call's ret
		next++
	}
	for _, p := range a.Pos[next:] {
		if !used[p] {
			return nil, fmt.Errorf("cannot be written as a %s trace: %s's word %q", trace.FormatName, name, p)
		}
	}
	for k := range a.KV {
		if !used["="+k] {
			return nil, fmt.Errorf("cannot be written as a %s trace: %s's %s=", trace.FormatName, name, k)
		}
	}
	return e, nil
}

func (ws *freeWriter) value(em *Emulator, fn string, pr param, w string) (json.RawMessage, error) {
	bad := func() (json.RawMessage, error) {
		return nil, fmt.Errorf("cannot be written as a %s trace: %s's %s %q", trace.FormatName, fn, pr.JSON, w)
	}
	switch pr.Kind {
	case aHandle, aRoutine, aAPC:
		if w == "NULL" {
			return trace.Raw(nil), nil
		}
		if _, ok := ws.decl[w]; !ok {
			return bad()
		}
		return trace.Raw(w), nil
	case aHandles:
		var ids []string
		for _, h := range splitComma(w) {
			if _, ok := ws.decl[h]; !ok {
				return bad()
			}
			ids = append(ids, h)
		}
		return trace.Raw(ids), nil
	case aBufs:
		var bufs []trace.Buffer
		for _, b := range splitComma(w) {
			data, err := em.Buffer(b)
			if err != nil {
				return bad()
			}
			tb := trace.Buffer{Len: len(data)}
			if fn == "WSASend" || fn == "WSASendTo" {
				if printable(data) {
					tb.Text = string(data)
				} else {
					tb.Hex = hex.EncodeToString(data)
				}
			}
			bufs = append(bufs, tb)
		}
		return trace.Raw(bufs), nil
	case aOv:
		if w == "NULL" {
			return trace.Raw(nil), nil
		}
		d, ok := ws.decl[w]
		if !ok || d.Kind != "overlapped" {
			return bad()
		}
		o := d.Obj.(*spec.OverlappedDecl)
		if !o.Event.Valid() && !o.LowBit {
			return trace.Raw(w), nil
		}
		rec := trace.Record{ID: w, LowBit: o.LowBit}
		if o.Event.Valid() {
			rec.HEvent = o.Event.Name
		}
		return trace.Raw(rec), nil
	case aAddr:
		return trace.Raw(w), nil
	case aMs, aNum:
		n, err := spec.ParseFlags(w)
		if err != nil {
			return bad()
		}
		return trace.Raw(n), nil
	}
	return bad()
}

// data is the first n bytes across a receive's buffers, as a trace
// buffer, or nil when there are none to report.
func (ws *freeWriter) data(bufs []string, n int) *trace.Buffer {
	if len(bufs) == 0 || n <= 0 {
		return nil
	}
	var have []byte
	for _, b := range bufs {
		x, err := ws.em.Buffer(b)
		if err != nil {
			return nil
		}
		have = append(have, x...)
	}
	if n > len(have) {
		return nil
	}
	d := &trace.Buffer{Len: n}
	if printable(have[:n]) {
		d.Text = string(have[:n])
	} else {
		d.Hex = hex.EncodeToString(have[:n])
	}
	return d
}

// printable says whether bytes read well as JSON text: valid UTF-8
// without control characters (which JSON would escape at six bytes each).
func printable(b []byte) bool {
	if !utf8.Valid(b) {
		return false
	}
	for _, c := range b {
		if c < 0x20 || c == 0x7f {
			return false
		}
	}
	return true
}

func splitComma(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ',' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return out
}

// result completes a call's record with how it returned, and writes it.
func (ws *freeWriter) result(e *trace.Event, op spec.Op, r spec.Result) {
	o := spec.Render(op, r)
	e.T1 = ws.stamp()
	switch op.Entry().Ret {
	case spec.RetInt, spec.RetCount:
		if o.Ret == "SOCKET_ERROR" {
			e.Ret = trace.Raw(-1)
		} else {
			e.Ret = trace.Raw(r.Ret)
		}
	case spec.RetBool:
		if r.Ret != 0 {
			e.Ret = trace.Raw(1)
		} else {
			e.Ret = trace.Raw(0)
		}
	case spec.RetHandle:
		if o.Ret == "NULL" {
			e.Ret = trace.Raw(0)
		} else {
			e.Ret = trace.Raw(o.Ret)
		}
	case spec.RetSocket:
		if o.Ret == "INVALID_SOCKET" {
			e.Ret = trace.Raw(-1)
		} else {
			e.Ret = trace.Raw(o.Ret)
		}
	case spec.RetVoid, spec.RetNone:
		e.Ret = trace.Raw(0)
	default:
		e.Ret = trace.Raw(uint32(r.Ret))
	}
	if o.Err != "" {
		n := uint32(r.Err)
		e.Error = &n
	} else if n, err := strconv.Atoi(o.Outs["bytes"]); err == nil {
		// The bytes a receive's completion reports, as the program
		// would find them in its buffers.
		var bufs []string
		switch name := op.Entry().Name; name {
		case "WSARecv", "WSARecvFrom":
			bufs = ws.recvBufs[recordID(e.Args["ov"])]
		case "GetQueuedCompletionStatus":
			bufs = ws.recvBufs[o.Outs["ov"]]
		case "WSAGetOverlappedResult", "GetOverlappedResult", "GetOverlappedResultEx":
			bufs = ws.recvBufs[recordID(e.Args["ov"])]
		}
		if d := ws.data(bufs, n); d != nil {
			if e.Out == nil {
				e.Out = map[string]json.RawMessage{}
			}
			e.Out["data"] = trace.Raw(d)
		}
	}
	if r.Outs.Has&spec.OutRemoved != 0 && o.Outs["removed"] != "" {
		// The OVERLAPPED_ENTRY array, as "entries".
		var ents []map[string]any
		for i := range r.Outs.Entries {
			n := strconv.Itoa(i + 1)
			en := map[string]any{}
			for _, f := range []string{"ov", "bytes", "key", "status"} {
				v := o.Outs[f+n]
				delete(o.Outs, f+n)
				if u, err := strconv.ParseUint(v, 10, 64); err == nil {
					en[f] = u
				} else if v == "NULL" {
					en[f] = nil
				} else {
					en[f] = v
				}
			}
			ents = append(ents, en)
		}
		if e.Out == nil {
			e.Out = map[string]json.RawMessage{}
		}
		e.Out["entries"] = trace.Raw(ents)
	}
	for k, v := range o.Outs {
		if v == "untouched" {
			continue
		}
		if e.Out == nil {
			e.Out = map[string]json.RawMessage{}
		}
		switch n, err := strconv.ParseUint(v, 10, 64); {
		case err == nil:
			e.Out[k] = trace.Raw(n)
		case v == "NULL":
			e.Out[k] = trace.Raw(nil)
		default:
			e.Out[k] = trace.Raw(v)
		}
	}
	ws.tw.Write(*e)
}
