package spec

import (
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// Rendering: the one place a typed Result becomes the words scenarios,
// timelines, recorded runs and the trace check read ("SOCKET_ERROR
// WSA_IO_PENDING bytes=untouched flags=0").

// Poison is what a backend puts in an out-parameter before a call, so one
// the call did not write reads as "untouched".
const Poison = 0xDEADBEEF

// SocketError is what an int-returning Winsock call returns on failure
// (SOCKET_ERROR, -1), as a Result's Ret.
const SocketError = 0xFFFFFFFF

// Returned is a blocked call that has returned since a backend was last
// asked: its thread, the call, and its result (or Err, when the backend
// could not finish it).
type Returned struct {
	Thread string
	Op     Op
	Result Result
	Err    error
}

// Render writes a call's result as scenario words.
func Render(op Op, r Result) Outcome { return renderInto(op, &r, nil, false) }

// renderInto is Render writing the out-parameters into m (nil: a new
// map). m is empty, or, with same, holds what the same call's last
// rendering wrote (a report's kept map), whose strings are kept where
// they read the same.
func renderInto(op Op, r *Result, m map[string]string, same bool) Outcome {
	if r.Blocked {
		return Outcome{Blocked: true}
	}
	e := op.Entry()
	if m == nil {
		m, same = map[string]string{}, false
	}
	o := Outcome{Outs: m}
	failed := false
	switch e.Ret {
	case RetNone:
	case RetVoid:
		o.Ret = "void"
	case RetInt:
		o.Ret, failed = "0", r.Ret != 0
		if failed {
			o.Ret = "SOCKET_ERROR"
		}
	case RetBool:
		o.Ret, failed = "TRUE", r.Ret == 0
		if failed {
			o.Ret = "FALSE"
		}
	case RetWait:
		o.Ret, failed = wso.WaitName(uint32(r.Ret)), uint32(r.Ret) == wso.WAIT_FAILED
	case RetSleep:
		o.Ret = "0"
		if r.Ret != 0 {
			o.Ret = wso.WaitName(uint32(r.Ret))
		}
	case RetErrno:
		o.Ret, failed = "0", r.Ret != 0
		if failed {
			o.Ret = wso.Errno(r.Ret).Name()
		}
	case RetHandle:
		o.Ret, failed = "NULL", r.Ret == 0
		if n, ok := op.(interface{ retName() string }); ok && !failed {
			o.Ret = n.retName()
		}
	case RetCount:
		o.Ret, failed = "SOCKET_ERROR", uint32(r.Ret) == SocketError
		if !failed {
			o.Ret = strconv.FormatUint(r.Ret, 10)
		}
	case RetSocket:
		o.Ret, failed = "INVALID_SOCKET", r.Ret == 0
		if n, ok := op.(interface{ retName() string }); ok && !failed {
			o.Ret = n.retName()
		}
	}
	if failed || r.Err != 0 {
		o.Err = errText(r.Err)
		if e.WSA {
			o.Err = WSAErrName(o.Err)
		}
	}
	has := r.Outs.Has
	if failed {
		// GetQueuedCompletionStatusEx's count and entries mean something
		// only when it returns TRUE: the page describes them for removed
		// entries, and on a failure (a time-out) Wine 8.0 was seen to
		// write 1 where the emulator leaves 0. Neither is observed.
		has &^= OutRemoved
	}
	if same && len(r.Outs.More) > 0 {
		// Keys the backend names may repeat one another: written over the
		// last ones, a stale key could not be told from a repeated one.
		clear(m)
		same = false
	}
	w := outWriter{m: m, same: same}
	w.outs(&r.Outs, has)
	if same && len(m) != w.n {
		// The last rendering wrote keys this one does not: start afresh.
		clear(m)
		w = outWriter{m: m}
		w.outs(&r.Outs, has)
	}
	return o
}

// errText names an error code. WAIT_IO_COMPLETION is not an error code,
// but the Ex waits that fail because APCs ran report it as their last
// error (GetOverlappedResultEx, GetQueuedCompletionStatusEx).
func errText(en wso.Errno) string {
	if uint32(en) == wso.WAIT_IO_COMPLETION {
		return "WAIT_IO_COMPLETION"
	}
	return en.Name()
}

// RenderReturned renders a returned blocked call as a Completion.
func RenderReturned(r Returned) Completion { return renderReturnedInto(r, nil, false) }

// renderReturnedInto is RenderReturned writing the out-parameters into m,
// as renderInto does.
func renderReturnedInto(r Returned, m map[string]string, same bool) Completion {
	c := Completion{Thread: r.Thread, Call: r.Op.Entry().Name}
	if r.Err != nil {
		if m == nil {
			m = map[string]string{}
		}
		clear(m)
		c.Outcome = Outcome{Ret: "ERROR", Err: r.Err.Error(), Outs: m}
	} else {
		c.Outcome = renderInto(r.Op, &r.Result, m, same)
	}
	return c
}

func (c *CreateIoCompletionPortCall) retName() string { return c.Port.Name }

// outWriter writes out-parameters into a map. With same, the map holds
// what the same call's last rendering wrote: a value that reads as the
// string already there keeps that string (a run of the same scenario
// makes no new ones). n counts the keys written.
type outWriter struct {
	m    map[string]string
	same bool
	n    int
}

// put writes a value made already.
func (w *outWriter) put(k, v string) {
	w.m[k] = v
	w.n++
}

// text writes a value rendered in b (a scratch buffer).
func (w *outWriter) text(k string, b []byte) {
	if w.same {
		if old, ok := w.m[k]; ok && old == string(b) {
			w.n++
			return
		}
	}
	w.put(k, string(b))
}

// num writes a number in decimal.
func (w *outWriter) num(k string, v uint64) {
	if v < 100 {
		w.put(k, strconv.FormatUint(v, 10)) // strconv's own strings: nothing made
		return
	}
	var b [20]byte
	w.text(k, strconv.AppendUint(b[:0], v, 10))
}

// outNum writes an out-parameter: its value, or "untouched" if it still
// holds Poison.
func (w *outWriter) outNum(k string, v uint32) {
	if v == Poison {
		w.put(k, "untouched")
		return
	}
	w.num(k, uint64(v))
}

// addr writes an address out-parameter: "untouched" when the call did not
// write the name buffer.
func (w *outWriter) addr(k string, a netip.AddrPort) {
	if !a.IsValid() {
		w.put(k, "untouched")
		return
	}
	var b [64]byte
	w.text(k, a.AppendTo(b[:0]))
}

// ip writes an address as netip.Addr.String does.
func (w *outWriter) ip(k string, a netip.Addr) {
	if !a.IsValid() {
		w.put(k, a.String())
		return
	}
	var b [64]byte
	w.text(k, a.AppendTo(b[:0]))
}

// outs writes x's out-parameters, those has names.
func (w *outWriter) outs(x *Outs, h OutSet) {
	if h&OutBytes != 0 {
		w.outNum("bytes", x.Bytes)
	}
	if h&OutFlags != 0 {
		w.outNum("flags", x.Flags)
	}
	if h&OutMsgFlags != 0 {
		w.num("msgflags", uint64(x.MsgFlags))
	}
	if h&OutKey != 0 {
		w.outNum("key", x.Key)
	}
	if h&OutValue != 0 {
		w.num("value", uint64(x.Value))
	}
	if h&OutFrom != 0 {
		w.addr("from", x.From)
	}
	if h&OutAddr != 0 {
		w.addr("addr", x.Addr)
	}
	if h&OutDst != 0 {
		w.ip("dst", x.Dst)
	}
	if h&OutOv != 0 {
		w.put("ov", x.Ov.String())
	}
	if h&OutNamelen != 0 {
		w.outNum("namelen", x.Namelen)
	}
	if h&OutAvail != 0 {
		w.outNum("avail", x.Avail)
	}
	if h&OutLeft != 0 {
		w.outNum("left", x.Left)
	}
	if h&OutOptlen != 0 {
		w.outNum("optlen", x.Optlen)
	}
	if h&OutBase != 0 {
		w.put("base", x.Base.String())
	}
	if h&OutPipeInfo != 0 {
		w.outNum("pipeflags", x.PipeFlags)
		w.outNum("outsize", x.OutSize)
		w.outNum("insize", x.InSize)
		w.outNum("maxinstances", x.MaxInstances)
	}
	if h&OutPipeState != 0 {
		w.outNum("state", x.PipeState)
		w.outNum("instances", x.Instances)
	}
	if h&OutLastError != 0 {
		w.num("lasterror", uint64(x.LastErr))
	}
	for _, kv := range x.More {
		w.put(kv.Key, kv.Value)
	}
	if h&OutRemoved != 0 {
		w.outNum("removed", x.Removed)
		for i, en := range x.Entries {
			keys := entryKeys(i + 1)
			w.put(keys[0], en.Ov.String())
			w.num(keys[1], uint64(en.Bytes))
			w.num(keys[2], en.Key)
			w.num(keys[3], en.Status)
		}
	}
}

// entryKeyTable holds the keys of GetQueuedCompletionStatusEx's first
// entries, made once.
var entryKeyTable = func() (t [64][4]string) {
	for i := range t {
		t[i] = makeEntryKeys(i + 1)
	}
	return t
}()

// entryKeys are the keys of entry n (from 1): ovN, bytesN, keyN, statusN.
func entryKeys(n int) [4]string {
	if n <= len(entryKeyTable) {
		return entryKeyTable[n-1]
	}
	return makeEntryKeys(n)
}

func makeEntryKeys(n int) [4]string {
	s := strconv.Itoa(n)
	return [4]string{"ov" + s, "bytes" + s, "key" + s, "status" + s}
}

// wsaNames are the Winsock names of the Win32 codes Winsock reports under
// its own name.
var wsaNames = map[string]string{
	"ERROR_IO_PENDING": "WSA_IO_PENDING", "ERROR_IO_INCOMPLETE": "WSA_IO_INCOMPLETE",
	"ERROR_OPERATION_ABORTED": "WSA_OPERATION_ABORTED", "ERROR_INVALID_HANDLE": "WSA_INVALID_HANDLE",
	"ERROR_INVALID_PARAMETER": "WSA_INVALID_PARAMETER", "ERROR_NOT_ENOUGH_MEMORY": "WSA_NOT_ENOUGH_MEMORY",
}

// WSAErrName is the name a Winsock call's error is reported under: the
// WSA_ spelling of the Win32 codes Winsock reports under its own name.
func WSAErrName(name string) string {
	if w, ok := wsaNames[name]; ok {
		return w
	}
	return name
}

// FormatOutcome writes an outcome on one line as the native runner's
// results do: "blocked", or the return value ("(no return)" for none),
// the error if any, and the out-parameters in name order as name=value.
func FormatOutcome(o Outcome) string {
	if o.Blocked {
		return "blocked"
	}
	parts := []string{o.Ret}
	if o.Ret == "" {
		parts[0] = "(no return)"
	}
	if o.Err != "" {
		parts = append(parts, o.Err)
	}
	for _, k := range outKeys(o.Outs) {
		parts = append(parts, k+"="+o.Outs[k])
	}
	return strings.Join(parts, " ")
}

// FormatCompletion writes a completion as "THREAD: CALL -> OUTCOME".
func FormatCompletion(c Completion) string {
	return fmt.Sprintf("%s: %s -> %s", c.Thread, c.Call, FormatOutcome(c.Outcome))
}

// ParseOutcome reads what FormatOutcome writes. A value with a space in
// it (the native backend's "invalid AddrPort") is read back whole; a
// native backend failure ("ERROR" and a message) keeps the message as the
// error.
func ParseOutcome(s string) (Outcome, error) {
	s = strings.TrimSpace(s)
	if s == "blocked" {
		return Outcome{Blocked: true}, nil
	}
	o := Outcome{Outs: map[string]string{}}
	if s == "" {
		return o, nil
	}
	if rest, ok := strings.CutPrefix(s, "(no return)"); ok {
		s = "_" + rest
	}
	w := strings.Fields(s)
	if w[0] != "_" {
		o.Ret = w[0]
	}
	if strings.Contains(o.Ret, "=") {
		return Outcome{}, fmt.Errorf("cannot read outcome %q: it starts with %q, not a return value", s, o.Ret)
	}
	if o.Ret == "ERROR" {
		o.Err = strings.Join(w[1:], " ")
		return o, nil
	}
	w = w[1:]
	if len(w) > 0 && !strings.Contains(w[0], "=") {
		o.Err, w = w[0], w[1:]
	}
	last := ""
	for _, x := range w {
		k, v, ok := strings.Cut(x, "=")
		switch {
		case ok && k != "":
			o.Outs[k], last = v, k
		case last != "":
			o.Outs[last] += " " + x
		default:
			return Outcome{}, fmt.Errorf("cannot read outcome %q at %q", s, x)
		}
	}
	return o, nil
}

// ParseCompletion reads what FormatCompletion writes.
func ParseCompletion(s string) (Completion, error) {
	th, rest, ok1 := strings.Cut(s, ": ")
	call, out, ok2 := strings.Cut(rest, " -> ")
	if !ok1 || !ok2 || th == "" || call == "" {
		return Completion{}, fmt.Errorf("cannot read completion %q: want THREAD: CALL -> OUTCOME", s)
	}
	o, err := ParseOutcome(out)
	if err != nil {
		return Completion{}, err
	}
	return Completion{Thread: th, Call: call, Outcome: o}, nil
}

func outKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
