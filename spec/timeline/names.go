package timeline

import (
	"fmt"
	"github.com/wsaemu/wsaemu/spec"
	"sort"
	"strconv"
	"strings"

	"github.com/wsaemu/wsaemu/emu"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// tlNames is how every timeline (text lanes, HTML, Perfetto) names what
// the trace numbers: handle values and record numbers by the names the
// scenario declared, and each APC by what it runs and, for a completion
// routine, the record it completes and the arguments it gets. It is
// worked out from the trace and the scenario alone, so any backend that
// keeps a trace gets it; where the trace leaves a doubt the trace's own
// name stays.
type tlNames struct {
	handle map[emu.Handle]string
	ov     map[int]string
	apc    map[tlAPCKey]*tlAPC
}

// tlAPCKey is one APC: APC numbers count per thread.
type tlAPCKey struct {
	thread int
	n      uint64
}

// tlAPC is what the timelines say about one APC.
type tlAPC struct {
	name string // the routine or apc declaration it runs; "" if unknown
	kind string // the queue it went on: "User", "Completion", …
	ov   int    // the record a completion routine completes; 0 if none or unknown
	wsa  bool   // a Winsock completion routine: its error reads as WSA_…
	// The routine's dwError and byte count, when known.
	args       bool
	err, bytes uint64
}

// statusPending is STATUS_PENDING, which is also WSS_OPERATION_IN_PROGRESS:
// what Internal holds while an operation is in flight, under both kinds.
const statusPending = 0x103

// traceEvents copies the events of tr (nil: none) for the renderings.
func traceEvents(tr *emu.Trace) []emu.Event {
	if tr == nil {
		return nil
	}
	evs := make([]emu.Event, 0, tr.Len())
	for _, e := range tr.All() {
		evs = append(evs, *e)
	}
	return evs
}

func nameRun(rep *spec.Report, evs []emu.Event) *tlNames {
	nm := &tlNames{handle: map[emu.Handle]string{}, ov: map[int]string{}, apc: map[tlAPCKey]*tlAPC{}}
	if rep == nil || rep.Scenario == nil || len(evs) == 0 {
		return nm
	}
	sc := rep.Scenario
	kind := map[string]string{}
	for _, d := range sc.Decls {
		kind[d.Name] = d.Kind
	}
	setup := len(evs)
	for _, s := range rep.Steps {
		if s.TraceTo > 0 {
			setup = min(s.TraceFrom, len(evs))
			break
		}
	}
	// Declarations are made in order during setup: the n-th CreateEvent
	// there made the n-th declared event, and so on.
	makers := []struct {
		kind, suffix string
		calls        []string
	}{
		{"event", "", []string{"CreateEvent", "WSACreateEvent"}},
		{"socket", "", []string{"WSASocket", "WSASocketW", "socket"}},
		{"port", "", []string{"CreateIoCompletionPort"}},
		{"pipe", ".r", []string{"CreatePipe"}}, // CreatePipe returns its read end
	}
	for _, mk := range makers {
		var decls []string
		for _, d := range sc.Decls {
			if d.Kind == mk.kind {
				decls = append(decls, d.Name+mk.suffix)
			}
		}
		var hs []emu.Handle
		for _, e := range evs[:setup] {
			for _, c := range mk.calls {
				if e.Kind == emu.EvReturn && e.Name == c && e.Err == 0 {
					hs = append(hs, emu.Handle(e.Result))
				}
			}
		}
		if len(hs) == len(decls) {
			for i, h := range hs {
				nm.handle[h] = decls[i]
			}
		}
	}
	for _, e := range evs[:setup] {
		if e.Kind == emu.EvThreadStart && e.Handle != 0 {
			nm.handle[e.Handle] = e.Name
		}
	}
	isHandle := func(w string) bool {
		switch kind[w] {
		case "event", "socket", "port", "thread":
			return true
		}
		if p, end, ok := strings.Cut(w, "."); ok && kind[p] == "pipe" && (end == "r" || end == "w") {
			return true
		}
		return false
	}
	// issues are the calls that name one record and one routine, by the
	// index of their traced call event: from then on, that record's
	// completion runs that routine.
	type issue struct {
		record, routine string
		wsa             bool
	}
	issues := map[int]issue{}
	ovConflict := false
	nameOv := func(records []string, call *emu.Event) {
		// A call naming exactly one record whose traced call shows exactly
		// one record number.
		nums := tlOvNumbers(call.Detail())
		if len(records) != 1 || len(nums) != 1 {
			return
		}
		if o, ok := nm.ov[nums[0]]; ok && o != records[0] {
			ovConflict = true
		}
		for n, o := range nm.ov {
			if o == records[0] && n != nums[0] {
				ovConflict = true
			}
		}
		nm.ov[nums[0]] = records[0]
	}
	for _, s := range rep.Steps {
		if s.TraceTo <= s.TraceFrom || s.TraceTo > len(evs) {
			continue
		}
		c := s.Step.Call
		var vals []string
		vals = append(vals, c.Args.Pos...)
		for _, v := range c.Args.KV {
			vals = append(vals, v)
		}
		records, routines := declsIn(vals, kind)
		var call *emu.Event
		for i := s.TraceFrom; i < s.TraceTo; i++ {
			if evs[i].Kind == emu.EvCall && evs[i].Name == c.Name {
				call = &evs[i]
				if len(records) == 1 && len(routines) == 1 {
					issues[i] = issue{records[0], routines[0], strings.HasPrefix(c.Name, "WSA")}
				}
				break
			}
		}
		if c.Name == "QueueUserAPC" && len(c.Args.Pos) > 0 && kind[c.Args.Pos[0]] == "apc" {
			var queued []emu.Event
			for _, e := range evs[s.TraceFrom:s.TraceTo] {
				if e.Kind == emu.EvAPCQueued && e.Name == "User" {
					queued = append(queued, e)
				}
			}
			if len(queued) == 1 {
				nm.apc[tlAPCKey{queued[0].Thread, queued[0].N}] = &tlAPC{name: c.Args.Pos[0], kind: "User"}
			}
		}
		if call == nil {
			continue
		}
		// A step whose first argument is a handle: its traced call shows
		// the handle's value first.
		if len(c.Args.Pos) > 0 && isHandle(c.Args.Pos[0]) {
			first, _, _ := strings.Cut(call.Detail(), ",")
			if v, err := strconv.ParseUint(strings.TrimSpace(first), 0, 64); err == nil && strings.HasPrefix(strings.TrimSpace(first), "0x") {
				h := emu.Handle(v)
				if _, known := nm.handle[h]; !known {
					nm.handle[h] = c.Args.Pos[0]
				}
			}
		}
		nameOv(records, call)
	}
	does := map[string]*spec.Call{}
	for _, d := range sc.Decls {
		if d.Does != nil {
			does[d.Name] = d.Does
		}
	}
	// Completion routines: the record each completes and its arguments.
	// Through the I/O manager (IFS, pipes) the APC carries both. A non-IFS
	// provider queues its routine with WPUQueueApc right after it wrote
	// the record's fields: the routine gets the error it wrote to
	// OffsetHigh and the byte count in InternalHigh.
	routineOf := map[string]issue{} // record -> the call that last issued it with a routine
	offHigh, intHigh := map[int]uint64{}, map[int]uint64{}
	var done []int                // records completed and not yet given an APC, oldest first
	running := map[int][]string{} // per thread, the declarations of the APCs running, innermost last
	queuing := ""                 // the apc a routine's QueueUserAPC is queuing, until it returns
	name := func(a *tlAPC) {
		if r, ok := nm.ov[a.ov]; ok && a.name == "" {
			is := routineOf[r]
			a.name, a.wsa = is.routine, is.wsa
		}
	}
	for i := setup; i < len(evs); i++ {
		e := &evs[i]
		switch e.Kind {
		case emu.EvCall:
			if is, ok := issues[i]; ok {
				routineOf[is.record] = is
				continue
			}
			// A routine's own call ("does"), made while it runs, can
			// issue records too.
			r := running[e.Thread]
			if len(r) == 0 || does[r[len(r)-1]] == nil || does[r[len(r)-1]].Name != e.Name {
				continue
			}
			c := does[r[len(r)-1]]
			if c.Name == "QueueUserAPC" && len(c.Args.Pos) > 0 && kind[c.Args.Pos[0]] == "apc" {
				queuing = c.Args.Pos[0]
			}
			var vals []string
			vals = append(vals, c.Args.Pos...)
			for _, v := range c.Args.KV {
				vals = append(vals, v)
			}
			records, routines := declsIn(vals, kind)
			nameOv(records, e)
			if len(records) == 1 && len(routines) == 1 {
				routineOf[records[0]] = issue{records[0], routines[0], strings.HasPrefix(c.Name, "WSA")}
			}
		case emu.EvField:
			switch e.Name {
			case "OffsetHigh":
				offHigh[e.Ov] = e.New
			case "InternalHigh":
				intHigh[e.Ov] = e.New
			case "Internal":
				if e.New != statusPending {
					done = append(tlWithout(done, e.Ov), e.Ov)
				}
			}
		case emu.EvReturn:
			queuing = ""
		case emu.EvAPCQueued:
			k := tlAPCKey{e.Thread, e.N}
			if e.Name != "Completion" {
				if nm.apc[k] == nil {
					nm.apc[k] = &tlAPC{kind: e.Name}
					if e.Name == "User" {
						nm.apc[k].name, queuing = queuing, ""
					}
				}
				continue
			}
			a := &tlAPC{ov: e.Ov, kind: e.Name}
			if a.ov == 0 && len(done) > 0 {
				a.ov = done[len(done)-1]
				a.args, a.err, a.bytes = true, offHigh[a.ov], intHigh[a.ov]
			}
			done = tlWithout(done, a.ov)
			name(a)
			nm.apc[k] = a
		case emu.EvAPCRun:
			k := tlAPCKey{e.Thread, e.N}
			a := nm.apc[k]
			if a == nil {
				a = &tlAPC{kind: e.Name}
				nm.apc[k] = a
			}
			if e.Ov != 0 {
				a.ov, a.args, a.err, a.bytes = e.Ov, true, e.Old, e.New
				name(a)
			}
			running[e.Thread] = append(running[e.Thread], a.name)
		case emu.EvAPCDone:
			if r := running[e.Thread]; len(r) > 0 {
				running[e.Thread] = r[:len(r)-1]
			}
		}
	}
	if ovConflict {
		nm.ov = map[int]string{}
	}
	return nm
}

// ovName names a record: by its declared name when known; no record
// (a packet posted without one) is NULL.
func (nm *tlNames) ovName(n int) string {
	if s, ok := nm.ov[n]; ok {
		return s
	}
	if n == 0 {
		return "NULL"
	}
	return "ov" + strconv.Itoa(n)
}

// handleName names a handle: by its declared name when known, else by
// its kind and value.
func (nm *tlNames) handleName(kind string, h emu.Handle) string {
	if s, ok := nm.handle[h]; ok {
		return s
	}
	if emu.ProviderOwned(h) {
		return strings.TrimSpace(kind + " (the provider's own, #" + strconv.FormatUint(uint64(h&^(1<<63)), 10) + ")")
	}
	return strings.TrimSpace(kind + " " + fmt.Sprintf("%#x", uint64(h)))
}

// apcOf is what is known of APC n of a thread (never nil).
func (nm *tlNames) apcOf(thread int, n uint64) *tlAPC {
	if a := nm.apc[tlAPCKey{thread, n}]; a != nil {
		return a
	}
	return &tlAPC{}
}

// apcWhat says what an APC runs: "routine cr1 for ov1", "APC hello",
// "completion routine for ov1", "APC #3".
func (nm *tlNames) apcWhat(e *emu.Event) string {
	a := nm.apcOf(e.Thread, e.N)
	kind := a.kind
	if kind == "" {
		kind = e.Name
	}
	var s string
	switch {
	case a.name != "" && kind == "User":
		s = "APC " + a.name
	case a.name != "":
		s = "routine " + a.name
	case kind == "Completion":
		s = "completion routine"
	case kind == "":
		s = "APC"
	default:
		s = strings.ToLower(kind) + " APC"
	}
	if a.ov != 0 {
		s += " for " + nm.ovName(a.ov)
	}
	if a.name == "" {
		s += " (APC #" + strconv.FormatUint(e.N, 10) + ")"
	}
	return s
}

// apcArgs is a completion routine's arguments by name:
// "err=WSA_OPERATION_ABORTED bytes=0"; "" when unknown.
func (nm *tlNames) apcArgs(e *emu.Event) string {
	a := nm.apcOf(e.Thread, e.N)
	if !a.args {
		return ""
	}
	return "err=" + routineErrName(a.err, a.wsa) + " bytes=" + strconv.FormatUint(a.bytes, 10)
}

// routineErrName names a completion routine's dwError: 0, or the error's
// name (a Winsock routine's in its WSA_ spelling).
func routineErrName(v uint64, wsa bool) string {
	if v == 0 {
		return "0"
	}
	n := wso.Errno(v).Name()
	if strings.HasPrefix(n, "Errno(") {
		return strconv.FormatUint(v, 10)
	}
	if wsa {
		return spec.WSAErrName(n)
	}
	return n
}

// waitValues are the wait results whose number a reader may meet in a
// trace: each is shown with it, as "WAIT_IO_COMPLETION (0xC0)".
var waitValues = map[string]string{
	"WAIT_IO_COMPLETION": "0xC0",
	"WAIT_TIMEOUT":       "0x102",
	"WAIT_ABANDONED":     "0x80",
	"WAIT_FAILED":        "0xFFFFFFFF",
}

// withWaitValue adds the number to a wait result's name.
func withWaitValue(name string) string {
	if v, ok := waitValues[name]; ok {
		return name + " (" + v + ")"
	}
	return name
}

// tlReturnValue names a traced return value: a wait's by its WAIT_ name,
// others as numbers (SOCKET_ERROR as -1, large values in hex), with the
// error if any.
func tlReturnValue(e *emu.Event) string {
	if tlIsWait(e.Name) {
		s := withWaitValue(wso.WaitName(uint32(e.Result)))
		if e.Name == "SleepEx" && e.Result == 0 {
			s = "0"
		}
		if e.Err != 0 {
			s += " " + e.Err.Name()
		}
		return s
	}
	if int64(e.Result) == -1 && tlWinsockCall(e.Name) {
		s := "SOCKET_ERROR"
		if e.Err != 0 {
			s += " " + spec.WSAErrName(e.Err.Name())
		}
		return s
	}
	return tlRet(e)
}

// tlWinsockCall reports whether a traced call is a Winsock one, whose -1
// is SOCKET_ERROR and whose errors go by their WSA_ names.
func tlWinsockCall(name string) bool {
	if strings.HasPrefix(name, "WSA") {
		return true
	}
	switch name {
	case "closesocket", "bind", "connect", "setsockopt", "getsockopt", "ioctlsocket", "shutdown",
		"send", "sendto", "recv", "recvfrom", "getsockname", "getpeername", "socket":
		return true
	}
	return false
}

// tlWithout is s without v.
func tlWithout(s []int, v int) []int {
	out := s[:0]
	for _, x := range s {
		if x != v {
			out = append(out, x)
		}
	}
	return out
}

// declsIn picks, from a call's argument values, the declared records and
// routines it names.
func declsIn(vals []string, kind map[string]string) (records, routines []string) {
	for _, v := range vals {
		switch kind[v] {
		case "overlapped":
			if !slicesContains(records, v) {
				records = append(records, v)
			}
		case "routine":
			if !slicesContains(routines, v) {
				routines = append(routines, v)
			}
		}
	}
	return records, routines
}

// TraceNames says, for a reader of the raw trace (wsaemu run -format
// trace), which of its record numbers and handle values are which of the
// scenario's objects: "records: ov1=rd ov2=wr", "handles: 0x8=m.r …".
// Lines are empty when nothing is known.
func TraceNames(rep *spec.Report, tr *emu.Trace) []string {
	if tr == nil {
		return nil
	}
	nm := nameRun(rep, traceEvents(tr))
	var out []string
	if len(nm.ov) > 0 {
		var nums []int
		for n := range nm.ov {
			nums = append(nums, n)
		}
		sort.Ints(nums)
		var parts []string
		for _, n := range nums {
			parts = append(parts, fmt.Sprintf("ov%d=%s", n, nm.ov[n]))
		}
		out = append(out, "records: "+strings.Join(parts, " "))
	}
	if len(nm.handle) > 0 {
		var hs []int
		for h := range nm.handle {
			hs = append(hs, int(h))
		}
		sort.Ints(hs)
		var parts []string
		for _, h := range hs {
			parts = append(parts, fmt.Sprintf("%#x=%s", h, nm.handle[emu.Handle(h)]))
		}
		out = append(out, "handles: "+strings.Join(parts, " "))
	}
	return out
}
