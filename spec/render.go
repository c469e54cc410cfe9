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
func Render(op Op, r Result) Outcome { return renderInto(op, r, nil) }

// renderInto is Render writing the out-parameters into m, an empty map
// (nil: a new one).
func renderInto(op Op, r Result, m map[string]string) Outcome {
	if r.Blocked {
		return Outcome{Blocked: true}
	}
	e := op.Entry()
	if m == nil {
		m = map[string]string{}
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
		o.Ret, failed = strconv.FormatUint(r.Ret, 10), uint32(r.Ret) == SocketError
		if failed {
			o.Ret = "SOCKET_ERROR"
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
	outs := r.Outs
	if failed {
		// GetQueuedCompletionStatusEx's count and entries mean something
		// only when it returns TRUE: the page describes them for removed
		// entries, and on a failure (a time-out) Wine 8.0 was seen to
		// write 1 where the emulator leaves 0. Neither is observed.
		outs.Has &^= OutRemoved
	}
	renderOuts(o.Outs, &outs)
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
func RenderReturned(r Returned) Completion {
	c := Completion{Thread: r.Thread, Call: r.Op.Entry().Name}
	if r.Err != nil {
		c.Outcome = Outcome{Ret: "ERROR", Err: r.Err.Error(), Outs: map[string]string{}}
	} else {
		c.Outcome = Render(r.Op, r.Result)
	}
	return c
}

func (c *CreateIoCompletionPortCall) retName() string { return c.Port.Name }

func renderOuts(m map[string]string, x *Outs) {
	h := x.Has
	if h&OutBytes != 0 {
		m["bytes"] = outNum(x.Bytes)
	}
	if h&OutFlags != 0 {
		m["flags"] = outNum(x.Flags)
	}
	if h&OutMsgFlags != 0 {
		m["msgflags"] = strconv.FormatUint(uint64(x.MsgFlags), 10)
	}
	if h&OutKey != 0 {
		m["key"] = outNum(x.Key)
	}
	if h&OutValue != 0 {
		m["value"] = strconv.FormatUint(uint64(x.Value), 10)
	}
	if h&OutFrom != 0 {
		m["from"] = addrText(x.From)
	}
	if h&OutAddr != 0 {
		m["addr"] = addrText(x.Addr)
	}
	if h&OutDst != 0 {
		m["dst"] = x.Dst.String()
	}
	if h&OutOv != 0 {
		m["ov"] = x.Ov.String()
	}
	if h&OutNamelen != 0 {
		m["namelen"] = outNum(x.Namelen)
	}
	if h&OutAvail != 0 {
		m["avail"] = outNum(x.Avail)
	}
	if h&OutLeft != 0 {
		m["left"] = outNum(x.Left)
	}
	if h&OutOptlen != 0 {
		m["optlen"] = outNum(x.Optlen)
	}
	if h&OutBase != 0 {
		m["base"] = x.Base.String()
	}
	if h&OutPipeInfo != 0 {
		m["pipeflags"], m["outsize"], m["insize"], m["maxinstances"] = outNum(x.PipeFlags), outNum(x.OutSize), outNum(x.InSize), outNum(x.MaxInstances)
	}
	if h&OutPipeState != 0 {
		m["state"], m["instances"] = outNum(x.PipeState), outNum(x.Instances)
	}
	if h&OutLastError != 0 {
		m["lasterror"] = strconv.FormatUint(uint64(x.LastErr), 10)
	}
	for _, kv := range x.More {
		m[kv.Key] = kv.Value
	}
	if h&OutRemoved != 0 {
		m["removed"] = outNum(x.Removed)
		for i, en := range x.Entries {
			n := strconv.Itoa(i + 1)
			m["ov"+n] = en.Ov.String()
			m["bytes"+n] = strconv.FormatUint(uint64(en.Bytes), 10)
			m["key"+n] = strconv.FormatUint(en.Key, 10)
			m["status"+n] = strconv.FormatUint(en.Status, 10)
		}
	}
}

// outNum reports an out-parameter: its value, or "untouched" if it still
// holds Poison.
func outNum(v uint32) string {
	if v == Poison {
		return "untouched"
	}
	return strconv.FormatUint(uint64(v), 10)
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

// addrText renders an address out-parameter: "untouched" when the call
// did not write the name buffer.
func addrText(a netip.AddrPort) string {
	if !a.IsValid() {
		return "untouched"
	}
	return a.String()
}
