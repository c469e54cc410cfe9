//go:build windows

package native

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/wsaemu/wsaemu/provider"
	"github.com/wsaemu/wsaemu/spec"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
	"golang.org/x/sys/windows"
)

// poison is what out-parameters hold before a call: one still holding it
// afterwards was not written ("untouched"), as in the emulator's backend.
const poison = spec.Poison

// unsupported names a call (or a use of one) this backend cannot make yet.
func callError(c spec.Call, format string, args ...any) error {
	return spec.CallError(c, format, args...)
}

// unsupported names a call (or a use of one) this backend cannot make yet.
func unsupported(c spec.Call, what string) error {
	return callError(c, "not supported by the native backend: %s", what)
}

func pos(c spec.Call, i int) string {
	if i < len(c.Args.Pos) {
		return c.Args.Pos[i]
	}
	return ""
}

func errName(code uint32) string { return wso.Errno(code).Name() }

func wsaErrName(code uint32) string { return spec.WSAErrName(errName(code)) }

func outs() map[string]string { return map[string]string{} }

// wsaResult reads an int-returning Winsock call.
func wsaResult(r uintptr, e uint32) spec.Outcome {
	if socketError(r) {
		return spec.Outcome{Ret: "SOCKET_ERROR", Err: wsaErrName(e), Outs: outs()}
	}
	return spec.Outcome{Ret: "0", Outs: outs()}
}

// boolResult reads a BOOL-returning call.
func boolResult(r uintptr, e uint32) spec.Outcome {
	if !boolOK(r) {
		return spec.Outcome{Ret: "FALSE", Err: errName(e), Outs: outs()}
	}
	return spec.Outcome{Ret: "TRUE", Outs: outs()}
}

func waitResult(r uintptr, e uint32) spec.Outcome {
	v := uint32(r)
	o := spec.Outcome{Ret: wso.WaitName(v), Outs: outs()}
	if v == wso.WAIT_FAILED {
		o.Err = errName(e)
	}
	return o
}

// callTimeout is the time-out a call names, when it is finite and not 0.
func callTimeout(c spec.Call) (uint32, bool) {
	var v string
	switch c.Name {
	case "SleepEx":
		v = pos(c, 0)
	case "WaitForSingleObjectEx", "WaitForMultipleObjectsEx", "WSAWaitForMultipleEvents", "GetQueuedCompletionStatus":
		v = pos(c, 1)
	default:
		return 0, false
	}
	n, err := spec.ParseValue(v)
	if err != nil || n == 0 || n >= uint64(windows.INFINITE) {
		return 0, false
	}
	return uint32(n), true
}

// execTop makes a step's call and says whether it ended by running out
// of its own time.
func (b *Backend) execTop(t *thread, c spec.Call) (spec.Outcome, bool, error) {
	out, err := b.exec(t, c)
	if err != nil {
		return out, false, err
	}
	if out.Err == "WSAETIMEDOUT" {
		return out, true, nil // SO_RCVTIMEO / SO_SNDTIMEO ran out
	}
	if _, ok := callTimeout(c); ok {
		switch c.Name {
		case "SleepEx":
			return out, out.Ret == "0", nil
		case "GetQueuedCompletionStatus":
			return out, out.Err == "WAIT_TIMEOUT", nil
		default:
			return out, out.Ret == "WAIT_TIMEOUT", nil
		}
	}
	return out, false, nil
}

// handle resolves a handle argument: a pipe end (p.r, p.w), a thread, an
// object, NULL, INVALID_HANDLE_VALUE or a number.
func (b *Backend) handle(c spec.Call, name string) (windows.Handle, error) {
	if strings.HasSuffix(name, ".r") || strings.HasSuffix(name, ".w") {
		if o, ok := b.objs[name[:len(name)-2]]; ok && o.decl.Kind == "pipe" {
			if strings.HasSuffix(name, ".r") {
				if o.rClosed {
					return deadHandle, nil
				}
				return o.r, nil
			}
			if o.wClosed {
				return deadHandle, nil
			}
			return o.w, nil
		}
	}
	if t, ok := b.threads[name]; ok {
		if t.hClosed {
			return deadHandle, nil
		}
		return t.h, nil
	}
	if o, ok := b.objs[name]; ok {
		switch o.decl.Kind {
		case "event", "socket", "port":
			if o.closed {
				return deadHandle, nil
			}
			return o.h, nil
		case "pipe":
			return 0, callError(c, "pipe %q: name an end, %s.r or %s.w", name, name, name)
		}
	}
	switch name {
	case "NULL":
		return 0, nil
	case "INVALID_HANDLE_VALUE":
		return windows.InvalidHandle, nil
	}
	if n, err := strconv.ParseUint(name, 0, 64); err == nil {
		return windows.Handle(n), nil
	}
	return 0, callError(c, "unknown handle %q", name)
}

// deadHandle stands for a handle the scenario has closed. Real systems
// hand a closed handle's value to the next object made (the Go runtime's
// own events included), while the emulator never reuses one: so a name
// whose handle was closed is passed from then on as a value that is
// never a valid handle, which is what the scenario means.
const deadHandle = windows.Handle(0x7FFFFFF0)

// markClosed records that the handle a name stands for was closed.
func (b *Backend) markClosed(name string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if t, ok := b.threads[name]; ok {
		t.hClosed = true
		return
	}
	if strings.HasSuffix(name, ".r") || strings.HasSuffix(name, ".w") {
		if o, ok := b.objs[name[:len(name)-2]]; ok && o.decl.Kind == "pipe" {
			if strings.HasSuffix(name, ".r") {
				o.rClosed = true
			} else {
				o.wClosed = true
			}
			return
		}
	}
	if o, ok := b.objs[name]; ok {
		o.closed = true
	}
}

// ovAt resolves an overlapped argument to its address (0 for NULL).
func (b *Backend) ovAt(c spec.Call, name string) (uintptr, error) {
	if name == "" || name == "NULL" || name == "-" {
		return 0, nil
	}
	o, ok := b.objs[name]
	if !ok || o.decl.Kind != "overlapped" {
		return 0, callError(c, "%q is not a declared overlapped record", name)
	}
	return addr(o.ov), nil
}

func (b *Backend) ovNameAt(a uintptr) string {
	if a == 0 {
		return "NULL"
	}
	if n, ok := b.ovNames[a]; ok {
		return n
	}
	return "?"
}

// bufs resolves "b1,b2" to buffer references (len=N shortens the first).
func (b *Backend) bufs(c spec.Call, s string) ([]bufRef, error) {
	if s == "NULL" {
		return nil, nil
	}
	var out []bufRef
	for _, n := range strings.Split(s, ",") {
		o, ok := b.objs[n]
		if !ok || o.decl.Kind != "buffer" {
			return nil, callError(c, "%q is not a declared buffer", n)
		}
		out = append(out, bufRef{addr(o.buf), o.n})
	}
	if v, ok := c.Args.Get("len"); ok && len(out) > 0 {
		n, err := spec.ParseValue(v)
		if err != nil {
			return nil, callError(c, "len=%q: %v", v, err)
		}
		out[0].n = int(n)
	}
	return out, nil
}

// routine resolves routine=R to the slot's entry point for kind.
func (b *Backend) routine(c spec.Call, v string, file bool) (uintptr, error) {
	o, ok := b.objs[v]
	if !ok || o.decl.Kind != "routine" {
		return 0, callError(c, "%q is not a declared routine", v)
	}
	if file {
		return pool[o.slot].file, nil
	}
	return pool[o.slot].wsa, nil
}

func (b *Backend) wsaRoutine(c spec.Call) (uintptr, error) {
	v, ok := c.Args.Get("routine")
	if !ok {
		return 0, nil
	}
	return b.routine(c, v, false)
}

// sockaddr writes a SOCKADDR_IN or SOCKADDR_IN6 and returns its offset
// and length.
func sockaddr(ap netip.AddrPort) (int, int) {
	if ap.Addr().Is4() || ap.Addr().Is4In6() {
		off := alloc(provider.SizeofSockaddrInet4)
		le16(off, provider.AF_INET)
		binary.BigEndian.PutUint16(arena[off+2:], ap.Port())
		a := ap.Addr().Unmap().As4()
		copy(arena[off+4:], a[:])
		return off, provider.SizeofSockaddrInet4
	}
	off := alloc(provider.SizeofSockaddrInet6)
	le16(off, provider.AF_INET6)
	binary.BigEndian.PutUint16(arena[off+2:], ap.Port())
	a := ap.Addr().As16()
	copy(arena[off+8:], a[:])
	return off, provider.SizeofSockaddrInet6
}

// readSockaddr reads a socket address back ("" when none was written).
func readSockaddr(off int) (netip.AddrPort, bool) {
	fam := binary.LittleEndian.Uint16(arena[off:])
	port := binary.BigEndian.Uint16(arena[off+2:])
	switch fam {
	case provider.AF_INET:
		return netip.AddrPortFrom(netip.AddrFrom4([4]byte(arena[off+4:off+8])), port), true
	case provider.AF_INET6:
		return netip.AddrPortFrom(netip.AddrFrom16([16]byte(arena[off+8:off+24])), port), true
	}
	return netip.AddrPort{}, false
}

func (b *Backend) addrArg(c spec.Call, v string) (uintptr, int, error) {
	if v == "NULL" {
		return 0, 0, nil
	}
	ap, err := netip.ParseAddrPort(v)
	if err != nil {
		return 0, 0, callError(c, "bad address %q", v)
	}
	off, n := sockaddr(ap)
	return addr(off), n, nil
}

// newOut makes a poisoned 4- or 8-byte out-parameter.
func newOut() int {
	off := alloc(8)
	store64(off, poison)
	return off
}

func alertable(c spec.Call) uintptr {
	if c.Args.Has("alertable") {
		return 1
	}
	return 0
}

// exec makes one call on thread t (its own OS thread).
func (b *Backend) exec(t *thread, c spec.Call) (spec.Outcome, error) {
	switch c.Name {
	case "SleepEx":
		if err := spec.NeedArgs(c, 1); err != nil {
			return spec.Outcome{}, err
		}
		ms, err := spec.ParseMs(c, pos(c, 0))
		if err != nil {
			return spec.Outcome{}, err
		}
		r, _ := call(pSleepEx, uintptr(ms), alertable(c))
		if uint32(r) == 0 {
			return spec.Outcome{Ret: "0", Outs: outs()}, nil
		}
		return waitResult(r, 0), nil
	case "WaitForSingleObjectEx", "WaitForMultipleObjectsEx", "WSAWaitForMultipleEvents":
		return b.wait(c)
	case "SetEvent", "ResetEvent", "WSASetEvent", "WSAResetEvent", "WSACloseEvent", "CloseHandle":
		if err := spec.NeedArgs(c, 1); err != nil {
			return spec.Outcome{}, err
		}
		h, err := b.handle(c, pos(c, 0))
		if err != nil {
			return spec.Outcome{}, err
		}
		p := map[string]*windows.LazyProc{
			"SetEvent": pSetEvent, "ResetEvent": pResetEvent, "WSASetEvent": pWSASetEvent,
			"WSAResetEvent": pWSAResetEvent, "WSACloseEvent": pWSACloseEvent, "CloseHandle": pCloseHandle,
		}[c.Name]
		r, e := call(p, uintptr(h))
		if boolOK(r) && (c.Name == "WSACloseEvent" || c.Name == "CloseHandle") {
			b.markClosed(pos(c, 0))
		}
		return boolResult(r, e), nil
	case "QueueUserAPC":
		if err := spec.NeedArgs(c, 2); err != nil {
			return spec.Outcome{}, err
		}
		o, ok := b.objs[pos(c, 0)]
		if !ok || o.decl.Kind != "apc" {
			return spec.Outcome{}, callError(c, "%q is not a declared apc", pos(c, 0))
		}
		h, err := b.handle(c, pos(c, 1))
		if err != nil {
			return spec.Outcome{}, err
		}
		var param uint64
		if v, ok := c.Args.Get("param"); ok {
			if param, err = spec.ParseValue(v); err != nil {
				return spec.Outcome{}, callError(c, "param=%q", v)
			}
		}
		r, e := call(pQueueUserAPC, pool[o.slot].apc, uintptr(h), uintptr(param))
		return boolResult(r, e), nil
	case "ExitThread":
		if t.depth > 0 {
			return spec.Outcome{}, unsupported(c, "ExitThread inside a routine")
		}
		return spec.Outcome{}, errExit
	case "WSAStartup":
		data := alloc(512)
		r, _ := call(pWSAStartup, 0x0202, addr(data))
		o := spec.Outcome{Ret: "0", Outs: outs()}
		if r != 0 {
			o.Ret, o.Err = errName(uint32(r)), errName(uint32(r))
		}
		return o, nil
	case "WSACleanup":
		r, e := call(pWSACleanup)
		return wsaResult(r, e), nil
	case "WSASend", "WSASendTo", "WSARecv", "WSARecvFrom":
		return b.sendRecv(c)
	case "WSASendMsg", "WSARecvMsg":
		return b.msgCall(c)
	case "WSAGetOverlappedResult", "GetOverlappedResult":
		if err := spec.NeedArgs(c, 2); err != nil {
			return spec.Outcome{}, err
		}
		h, err := b.handle(c, pos(c, 0))
		if err != nil {
			return spec.Outcome{}, err
		}
		ov, err := b.ovAt(c, pos(c, 1))
		if err != nil {
			return spec.Outcome{}, err
		}
		n, fl := newOut(), newOut()
		wait := uintptr(0)
		if c.Args.Has("wait") {
			wait = 1
		}
		var out spec.Outcome
		if c.Name == "GetOverlappedResult" {
			r, e := call(pGetOverlappedResult, uintptr(h), ov, addr(n), wait)
			out = boolResult(r, e)
		} else {
			r, e := call(pWSAGetOverlappedResult, uintptr(h), ov, addr(n), wait, addr(fl))
			out = boolResult(r, e)
			if out.Err != "" {
				out.Err = wsaErrName(e)
			}
			out.Outs["flags"] = spec.OutNum(load32(fl))
		}
		out.Outs["bytes"] = spec.OutNum(load32(n))
		return out, nil
	case "ReleaseBuffer", "ReleaseOverlapped":
		// The program says it frees the memory: a sanitizer check in the
		// emulator. Here nothing is freed (the kernel may still write to
		// it); the call only has to be accepted.
		if err := spec.NeedArgs(c, 1); err != nil {
			return spec.Outcome{}, err
		}
		kind := map[string]string{"ReleaseBuffer": "buffer", "ReleaseOverlapped": "overlapped"}[c.Name]
		if o, ok := b.objs[pos(c, 0)]; !ok || o.decl.Kind != kind {
			return spec.Outcome{}, callError(c, "%q is not a declared %s", pos(c, 0), kind)
		}
		return spec.Outcome{Ret: "void", Outs: outs()}, nil
	case "WSAIoctl":
		return b.ioctl(c)
	case "closesocket", "shutdown", "setsockopt", "getsockopt", "bind", "connect", "getsockname":
		return b.sockCall(c)
	case "ReadFile", "WriteFile", "ReadFileEx", "WriteFileEx":
		return b.fileCall(c)
	case "CancelIo", "CancelIoEx":
		if err := spec.NeedArgs(c, 1); err != nil {
			return spec.Outcome{}, err
		}
		h, err := b.handle(c, pos(c, 0))
		if err != nil {
			return spec.Outcome{}, err
		}
		if c.Name == "CancelIo" {
			r, e := call(pCancelIo, uintptr(h))
			return boolResult(r, e), nil
		}
		ov, err := b.ovAt(c, pos(c, 1))
		if err != nil {
			return spec.Outcome{}, err
		}
		r, e := call(pCancelIoEx, uintptr(h), ov)
		return boolResult(r, e), nil
	case "CreateIoCompletionPort", "GetQueuedCompletionStatus", "PostQueuedCompletionStatus", "SetFileCompletionNotificationModes":
		return b.portCall(c)
	}
	return spec.Outcome{}, unsupported(c, "unknown call")
}

func (b *Backend) wait(c spec.Call) (spec.Outcome, error) {
	if err := spec.NeedArgs(c, 2); err != nil {
		return spec.Outcome{}, err
	}
	var hs []windows.Handle
	if pos(c, 0) != "none" {
		for _, n := range strings.Split(pos(c, 0), ",") {
			h, err := b.handle(c, n)
			if err != nil {
				return spec.Outcome{}, err
			}
			hs = append(hs, h)
		}
	}
	ms, err := spec.ParseMs(c, pos(c, 1))
	if err != nil {
		return spec.Outcome{}, err
	}
	al := alertable(c)
	all := uintptr(0)
	if c.Args.Has("all") {
		all = 1
	}
	arr := alloc(8 * max(len(hs), 1))
	for i, h := range hs {
		store64(arr+8*i, uint64(h))
	}
	var r uintptr
	var e uint32
	switch c.Name {
	case "WaitForSingleObjectEx":
		if len(hs) == 0 {
			return spec.Outcome{}, callError(c, "needs a handle")
		}
		r, e = call(pWaitForSingleObjectEx, uintptr(hs[0]), uintptr(ms), al)
	case "WaitForMultipleObjectsEx":
		r, e = call(pWaitForMultipleObjectsEx, uintptr(len(hs)), addr(arr), all, uintptr(ms), al)
	default:
		r, e = call(pWSAWaitForMultipleEvent, uintptr(len(hs)), addr(arr), all, uintptr(ms), al)
	}
	return waitResult(r, e), nil
}

func (b *Backend) sendRecv(c spec.Call) (spec.Outcome, error) {
	isTo := c.Name == "WSASendTo"
	n := 3
	if isTo {
		n = 4
	}
	if err := spec.NeedArgs(c, n); err != nil {
		return spec.Outcome{}, err
	}
	h, err := b.handle(c, pos(c, 0))
	if err != nil {
		return spec.Outcome{}, err
	}
	bs, err := b.bufs(c, pos(c, 1))
	if err != nil {
		return spec.Outcome{}, err
	}
	ov, err := b.ovAt(c, pos(c, n-1))
	if err != nil {
		return spec.Outcome{}, err
	}
	rt, err := b.wsaRoutine(c)
	if err != nil {
		return spec.Outcome{}, err
	}
	var flags uint64
	if v, ok := c.Args.Get("flags"); ok {
		if flags, err = spec.ParseFlags(v); err != nil {
			return spec.Outcome{}, callError(c, "flags=%q: %v", v, err)
		}
	}
	wb := uintptr(0)
	if bs != nil {
		wb = addr(putWSABufs(bs))
	}
	cnt := newOut()
	pcnt := addr(cnt)
	if c.Args.Has("nullbytes") {
		pcnt = 0
	}
	var out spec.Outcome
	switch c.Name {
	case "WSASend":
		r, e := call(pWSASend, uintptr(h), wb, uintptr(len(bs)), pcnt, uintptr(flags), ov, rt)
		out = wsaResult(r, e)
	case "WSASendTo":
		to, tolen, err := b.addrArg(c, pos(c, 2))
		if err != nil {
			return spec.Outcome{}, err
		}
		r, e := call(pWSASendTo, uintptr(h), wb, uintptr(len(bs)), pcnt, uintptr(flags), to, uintptr(tolen), ov, rt)
		out = wsaResult(r, e)
	case "WSARecv":
		fl := alloc(4)
		store32(fl, uint32(flags))
		r, e := call(pWSARecv, uintptr(h), wb, uintptr(len(bs)), pcnt, addr(fl), ov, rt)
		out = wsaResult(r, e)
		out.Outs["flags"] = spec.OutNum(load32(fl))
	case "WSARecvFrom":
		fl := alloc(4)
		store32(fl, uint32(flags))
		from := alloc(provider.SizeofSockaddrInet6)
		fromlen := alloc(4)
		store32(fromlen, provider.SizeofSockaddrInet6)
		r, e := call(pWSARecvFrom, uintptr(h), wb, uintptr(len(bs)), pcnt, addr(fl), addr(from), addr(fromlen), ov, rt)
		out = wsaResult(r, e)
		out.Outs["flags"] = spec.OutNum(load32(fl))
		if ov == 0 && out.Err == "" {
			if ap, ok := readSockaddr(from); ok {
				out.Outs["from"] = ap.String()
			} else {
				out.Outs["from"] = "invalid AddrPort"
			}
		}
	}
	out.Outs["bytes"] = spec.OutNum(load32(cnt))
	return out, nil
}

// Extension functions, found once through WSAIoctl.
var sendMsgFn, recvMsgFn atomic.Uintptr

func extension(s windows.Handle, guid windows.GUID, cache *atomic.Uintptr) (uintptr, uint32) {
	if p := cache.Load(); p != 0 {
		return p, 0
	}
	g := alloc(16)
	store32(g, guid.Data1)
	binary.LittleEndian.PutUint16(arena[g+4:], guid.Data2)
	binary.LittleEndian.PutUint16(arena[g+6:], guid.Data3)
	copy(arena[g+8:], guid.Data4[:])
	out, n := alloc(8), alloc(4)
	r, e := call(pWSAIoctl, uintptr(s), windows.SIO_GET_EXTENSION_FUNCTION_POINTER, addr(g), 16, addr(out), 8, addr(n), 0, 0)
	if socketError(r) {
		return 0, e
	}
	p := uintptr(load64(out))
	cache.Store(p)
	return p, 0
}

func (b *Backend) msgCall(c spec.Call) (spec.Outcome, error) {
	if err := spec.NeedArgs(c, 3); err != nil {
		return spec.Outcome{}, err
	}
	h, err := b.handle(c, pos(c, 0))
	if err != nil {
		return spec.Outcome{}, err
	}
	bs, err := b.bufs(c, pos(c, 1))
	if err != nil {
		return spec.Outcome{}, err
	}
	ov, err := b.ovAt(c, pos(c, 2))
	if err != nil {
		return spec.Outcome{}, err
	}
	rt, err := b.wsaRoutine(c)
	if err != nil {
		return spec.Outcome{}, err
	}
	// WSAMSG: name @0, namelen @8, lpBuffers @16, dwBufferCount @24,
	// Control.len @32, Control.buf @40, dwFlags @48.
	msg := alloc(sizeofWSAMsg)
	if bs != nil {
		store64(msg+16, uint64(addr(putWSABufs(bs))))
	}
	store32(msg+24, uint32(len(bs)))
	if v, ok := c.Args.Get("msgflags"); ok {
		f, err := spec.ParseFlags(v)
		if err != nil {
			return spec.Outcome{}, callError(c, "msgflags=%q", v)
		}
		store32(msg+48, uint32(f))
	}
	cnt := newOut()
	pcnt := addr(cnt)
	if c.Args.Has("nullbytes") {
		pcnt = 0
	}
	if c.Name == "WSASendMsg" {
		if v, ok := c.Args.Get("to"); ok {
			to, tolen, err := b.addrArg(c, v)
			if err != nil {
				return spec.Outcome{}, err
			}
			store64(msg, uint64(to))
			store32(msg+8, uint32(tolen))
		}
		if v, ok := c.Args.Get("namelen"); ok {
			n, err := spec.ParseValue(v)
			if err != nil {
				return spec.Outcome{}, callError(c, "namelen=%q", v)
			}
			store32(msg+8, uint32(n))
		}
		if c.Args.Has("nullname") {
			store64(msg, 0)
		}
		if v, ok := c.Args.Get("src"); ok {
			a, err := netip.ParseAddr(v)
			if err != nil {
				return spec.Outcome{}, callError(c, "src=%q", v)
			}
			cb := provider.PktinfoControl(a)
			store32(msg+32, uint32(len(cb)))
			store64(msg+40, uint64(addr(copyIn(cb))))
		}
		if c.Args.Has("nullcontrol") {
			store32(msg+32, 16)
			store64(msg+40, 0)
		}
		var flags uint64
		if v, ok := c.Args.Get("flags"); ok {
			if flags, err = spec.ParseFlags(v); err != nil {
				return spec.Outcome{}, callError(c, "flags=%q", v)
			}
		}
		fn, e := extension(h, windows.WSAID_WSASENDMSG, &sendMsgFn)
		if fn == 0 {
			return spec.Outcome{Ret: "SOCKET_ERROR", Err: wsaErrName(e), Outs: map[string]string{"bytes": "untouched"}}, nil
		}
		r, e := callPtr(fn, uintptr(h), addr(msg), uintptr(flags), pcnt, ov, rt)
		out := wsaResult(r, e)
		out.Outs["bytes"] = spec.OutNum(load32(cnt))
		return out, nil
	}
	from := alloc(provider.SizeofSockaddrInet6)
	store64(msg, uint64(addr(from)))
	store32(msg+8, provider.SizeofSockaddrInet6)
	ctl, ctlN := 0, 0
	if v, ok := c.Args.Get("control"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 4096 {
			return spec.Outcome{}, callError(c, "control=%q", v)
		}
		ctl, ctlN = alloc(n), n
		store32(msg+32, uint32(n))
		store64(msg+40, uint64(addr(ctl)))
	}
	fn, e := extension(h, windows.WSAID_WSARECVMSG, &recvMsgFn)
	if fn == 0 {
		return spec.Outcome{Ret: "SOCKET_ERROR", Err: wsaErrName(e), Outs: map[string]string{"bytes": "untouched"}}, nil
	}
	r, e := callPtr(fn, uintptr(h), addr(msg), pcnt, ov, rt)
	out := wsaResult(r, e)
	out.Outs["bytes"] = spec.OutNum(load32(cnt))
	out.Outs["msgflags"] = strconv.FormatUint(uint64(load32(msg+48)), 10)
	if ap, ok := readSockaddr(from); ok {
		out.Outs["from"] = ap.String()
	}
	if ctlN > 0 {
		l := min(int(load32(msg+32)), ctlN)
		if a, _, ok := provider.ParsePktinfo(copyOut(ctl, l)); ok {
			out.Outs["dst"] = a.String()
		}
	}
	return out, nil
}

func (b *Backend) ioctl(c spec.Call) (spec.Outcome, error) {
	if err := spec.NeedArgs(c, 2); err != nil {
		return spec.Outcome{}, err
	}
	h, err := b.handle(c, pos(c, 0))
	if err != nil {
		return spec.Outcome{}, err
	}
	code, err := spec.ParseValue(pos(c, 1))
	if err != nil {
		return spec.Outcome{}, callError(c, "unknown ioctl code %q", pos(c, 1))
	}
	in, inN := 0, 0
	outOff, outN := 0, -1
	if v, ok := c.Args.Get("value"); ok {
		n, err := spec.ParseValue(v)
		if err != nil {
			return spec.Outcome{}, callError(c, "value=%q", v)
		}
		in, inN = alloc(4), 4
		store32(in, uint32(n))
	}
	if v, ok := c.Args.Get("guid"); ok {
		var g []byte
		switch v {
		case "sendmsg":
			g = provider.WSAID_WSASENDMSG.Bytes()
		case "recvmsg":
			g = provider.WSAID_WSARECVMSG.Bytes()
		default:
			g = make([]byte, 16)
		}
		in, inN = copyIn(g), 16
		outN = 8
	}
	if uint32(code) == provider.FIONREAD {
		outN = 4
	}
	if v, ok := c.Args.Get("out"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 64 {
			return spec.Outcome{}, callError(c, "out=%q", v)
		}
		outN = n
	}
	pin, pout := uintptr(0), uintptr(0)
	if inN > 0 {
		pin = addr(in)
	}
	if outN >= 0 {
		// Never a NULL output buffer: Wine writes a function pointer
		// without checking the size (see ground-truth.md).
		outOff = alloc(max(outN, 16))
		pout = addr(outOff)
	} else {
		outN = 0
	}
	ov, err := b.ovAt(c, c.Args.KV["ov"])
	if err != nil {
		return spec.Outcome{}, err
	}
	rt, err := b.wsaRoutine(c)
	if err != nil {
		return spec.Outcome{}, err
	}
	ret := newOut()
	r, e := call(pWSAIoctl, uintptr(h), uintptr(uint32(code)), pin, uintptr(inN), pout, uintptr(outN), addr(ret), ov, rt)
	out := wsaResult(r, e)
	out.Outs["bytes"] = spec.OutNum(load32(ret))
	if outN >= 4 && out.Err == "" {
		out.Outs["value"] = strconv.FormatUint(uint64(load32(outOff)), 10)
	}
	return out, nil
}

func (b *Backend) sockCall(c spec.Call) (spec.Outcome, error) {
	if err := spec.NeedArgs(c, 1); err != nil {
		return spec.Outcome{}, err
	}
	h, err := b.handle(c, pos(c, 0))
	if err != nil {
		return spec.Outcome{}, err
	}
	switch c.Name {
	case "closesocket":
		r, e := call(pClosesocket, uintptr(h))
		if !socketError(r) {
			b.markClosed(pos(c, 0))
		}
		return wsaResult(r, e), nil
	case "shutdown":
		if err := spec.NeedArgs(c, 2); err != nil {
			return spec.Outcome{}, err
		}
		how, err := spec.ParseValue(pos(c, 1))
		if err != nil {
			return spec.Outcome{}, callError(c, "bad how %q", pos(c, 1))
		}
		r, e := call(pShutdown, uintptr(h), uintptr(how))
		return wsaResult(r, e), nil
	case "bind", "connect":
		if err := spec.NeedArgs(c, 2); err != nil {
			return spec.Outcome{}, err
		}
		a, l, err := b.addrArg(c, pos(c, 1))
		if err != nil {
			return spec.Outcome{}, err
		}
		if v, ok := c.Args.Get("namelen"); ok {
			n, _ := spec.ParseValue(v)
			l = int(n)
		}
		p := pBind
		if c.Name == "connect" {
			p = pConnect
		}
		r, e := call(p, uintptr(h), a, uintptr(l))
		return wsaResult(r, e), nil
	case "getsockname":
		sa, l := alloc(provider.SizeofSockaddrInet6), alloc(4)
		store32(l, provider.SizeofSockaddrInet6)
		r, e := call(pGetsockname, uintptr(h), addr(sa), addr(l))
		out := wsaResult(r, e)
		if out.Err == "" {
			ap, _ := readSockaddr(sa)
			out.Outs["addr"] = ap.String()
		}
		return out, nil
	}
	if err := spec.NeedArgs(c, 2); err != nil {
		return spec.Outcome{}, err
	}
	level, name, err := spec.SockOption(c, pos(c, 1))
	if err != nil {
		return spec.Outcome{}, err
	}
	val, l := alloc(4), alloc(4)
	store32(l, 4)
	if c.Name == "setsockopt" {
		if err := spec.NeedArgs(c, 3); err != nil {
			return spec.Outcome{}, err
		}
		v, err := spec.ParseValue(pos(c, 2))
		if err != nil {
			return spec.Outcome{}, callError(c, "bad value %q", pos(c, 2))
		}
		store32(val, uint32(v))
		r, e := call(pSetsockopt, uintptr(h), uintptr(level), uintptr(name), addr(val), 4)
		return wsaResult(r, e), nil
	}
	r, e := call(pGetsockopt, uintptr(h), uintptr(level), uintptr(name), addr(val), addr(l))
	out := wsaResult(r, e)
	if out.Err == "" {
		out.Outs["value"] = strconv.FormatUint(uint64(load32(val)), 10)
	}
	return out, nil
}

func (b *Backend) fileCall(c spec.Call) (spec.Outcome, error) {
	if err := spec.NeedArgs(c, 3); err != nil {
		return spec.Outcome{}, err
	}
	h, err := b.handle(c, pos(c, 0))
	if err != nil {
		return spec.Outcome{}, err
	}
	o, ok := b.objs[pos(c, 1)]
	if !ok || o.decl.Kind != "buffer" {
		return spec.Outcome{}, callError(c, "%q is not a declared buffer", pos(c, 1))
	}
	n := o.n
	if v, ok := c.Args.Get("len"); ok {
		k, err := strconv.Atoi(v)
		if err != nil || k < 0 || k > n {
			return spec.Outcome{}, callError(c, "len=%q", v)
		}
		n = k
	}
	ov, err := b.ovAt(c, pos(c, 2))
	if err != nil {
		return spec.Outcome{}, err
	}
	cnt := newOut()
	var out spec.Outcome
	switch c.Name {
	case "ReadFile":
		r, e := call(pReadFile, uintptr(h), addr(o.buf), uintptr(n), addr(cnt), ov)
		out = boolResult(r, e)
	case "WriteFile":
		r, e := call(pWriteFile, uintptr(h), addr(o.buf), uintptr(n), addr(cnt), ov)
		out = boolResult(r, e)
	default:
		if err := spec.NeedArgs(c, 4); err != nil {
			return spec.Outcome{}, err
		}
		rt, err := b.routine(c, pos(c, 3), true)
		if err != nil {
			return spec.Outcome{}, err
		}
		p := pReadFileEx
		if c.Name == "WriteFileEx" {
			p = pWriteFileEx
		}
		r, e := call(p, uintptr(h), addr(o.buf), uintptr(n), ov, rt)
		return boolResult(r, e), nil
	}
	out.Outs["bytes"] = spec.OutNum(load32(cnt))
	return out, nil
}

func (b *Backend) portCall(c spec.Call) (spec.Outcome, error) {
	if err := spec.NeedArgs(c, 1); err != nil {
		return spec.Outcome{}, err
	}
	switch c.Name {
	case "CreateIoCompletionPort":
		if err := spec.NeedArgs(c, 2); err != nil {
			return spec.Outcome{}, err
		}
		fh, err := b.handle(c, pos(c, 0))
		if err != nil {
			return spec.Outcome{}, err
		}
		ph, err := b.handle(c, pos(c, 1))
		if err != nil {
			return spec.Outcome{}, err
		}
		var key uint64
		if v, ok := c.Args.Get("key"); ok {
			if key, err = spec.ParseValue(v); err != nil {
				return spec.Outcome{}, callError(c, "key=%q", v)
			}
		}
		r, e := call(pCreateIoCompletionPort, uintptr(fh), uintptr(ph), uintptr(key), 0)
		if r == 0 {
			return spec.Outcome{Ret: "NULL", Err: errName(e), Outs: outs()}, nil
		}
		return spec.Outcome{Ret: pos(c, 1), Outs: outs()}, nil
	case "GetQueuedCompletionStatus":
		if err := spec.NeedArgs(c, 2); err != nil {
			return spec.Outcome{}, err
		}
		ph, err := b.handle(c, pos(c, 0))
		if err != nil {
			return spec.Outcome{}, err
		}
		ms, err := spec.ParseMs(c, pos(c, 1))
		if err != nil {
			return spec.Outcome{}, err
		}
		n, key, ov := newOut(), newOut(), newOut()
		r, e := call(pGetQueuedCompletionStat, uintptr(ph), addr(n), addr(key), addr(ov), uintptr(ms))
		out := boolResult(r, e)
		out.Outs["bytes"] = spec.OutNum(load32(n))
		out.Outs["key"] = spec.OutNum(uint32(load64(key)))
		if v := load64(ov); v == poison {
			out.Outs["ov"] = "untouched"
		} else {
			out.Outs["ov"] = b.ovNameAt(uintptr(v))
		}
		return out, nil
	case "PostQueuedCompletionStatus":
		ph, err := b.handle(c, pos(c, 0))
		if err != nil {
			return spec.Outcome{}, err
		}
		var n, key uint64
		if v, ok := c.Args.Get("bytes"); ok {
			n, _ = spec.ParseValue(v)
		}
		if v, ok := c.Args.Get("key"); ok {
			key, _ = spec.ParseValue(v)
		}
		ov, err := b.ovAt(c, c.Args.KV["ov"])
		if err != nil {
			return spec.Outcome{}, err
		}
		r, e := call(pPostQueuedCompletionStat, uintptr(ph), uintptr(uint32(n)), uintptr(key), ov)
		return boolResult(r, e), nil
	default:
		if err := spec.NeedArgs(c, 2); err != nil {
			return spec.Outcome{}, err
		}
		h, err := b.handle(c, pos(c, 0))
		if err != nil {
			return spec.Outcome{}, err
		}
		f, err := spec.ParseFlags(pos(c, 1))
		if err != nil {
			return spec.Outcome{}, callError(c, "flags %q", pos(c, 1))
		}
		r, e := call(pSetFileCompletionModes, uintptr(h), uintptr(uint8(f)))
		return boolResult(r, e), nil
	}
}

// declare makes one declared object (on the first thread).
func (b *Backend) declare(d spec.Decl) error {
	o := &object{decl: d}
	b.objs[d.Name] = o
	derr := func(format string, args ...any) error {
		return &spec.ParseError{Line: d.Line, Msg: fmt.Sprintf(format, args...)}
	}
	switch d.Kind {
	case "event":
		manual, initial := uintptr(1), uintptr(0)
		if d.Args.Has("auto") {
			manual = 0
		}
		if d.Args.Has("signalled") {
			initial = 1
		}
		r, e := call(pCreateEventW, 0, manual, initial, 0)
		if r == 0 {
			return derr("event %s: CreateEvent: %s", d.Name, errName(e))
		}
		o.h = windows.Handle(r)
	case "socket":
		af := int32(provider.AF_INET)
		if d.Args.Has("udp6") {
			af = provider.AF_INET6
		} else if len(d.Args.Pos) > 0 && !d.Args.Has("udp4") && !d.Args.Has("nonoverlapped") {
			return derr("socket %s: want udp4 or udp6, got %q", d.Name, d.Args.Pos[0])
		}
		flags := uintptr(windows.WSA_FLAG_OVERLAPPED)
		if d.Args.Has("nonoverlapped") {
			flags = 0
		}
		r, e := call(pWSASocketW, uintptr(af), provider.SOCK_DGRAM, provider.IPPROTO_UDP, 0, 0, flags)
		if r == uintptr(windows.InvalidHandle) {
			return derr("socket %s: WSASocket: %s", d.Name, wsaErrName(e))
		}
		o.h, o.af = windows.Handle(r), af
		for _, k := range []string{"bind", "connect"} {
			v, ok := d.Args.Get(k)
			if !ok {
				continue
			}
			ap, err := netip.ParseAddrPort(v)
			if err != nil {
				return derr("socket %s: bad address %q", d.Name, v)
			}
			off, n := sockaddr(ap)
			p := pBind
			if k == "connect" {
				p = pConnect
			}
			if r, e := call(p, uintptr(o.h), addr(off), uintptr(n)); socketError(r) {
				return derr("socket %s: %s %s: %s", d.Name, k, v, wsaErrName(e))
			}
		}
	case "overlapped":
		o.ov = alloc(sizeofOverlapped)
		b.ovNames[addr(o.ov)] = d.Name
		var hev uint64
		if v, ok := d.Args.Get("event"); ok && v != "none" {
			ev, ok := b.objs[v]
			if !ok || ev.decl.Kind != "event" {
				return derr("overlapped %s: %q is not a declared event", d.Name, v)
			}
			hev = uint64(ev.h)
		}
		if v, ok := d.Args.Get("hevent"); ok {
			n, err := spec.ParseValue(v)
			if err != nil {
				return derr("overlapped %s: hevent=%q: %v", d.Name, v, err)
			}
			hev = n
		}
		if d.Args.Has("lowbit") {
			hev |= 1
		}
		store64(o.ov+24, hev)
		for i, f := range []string{"Internal", "InternalHigh", "Offset", "OffsetHigh"} {
			v, ok := d.Args.Get(f)
			if !ok {
				continue
			}
			n, err := spec.ParseValue(v)
			if err != nil {
				return derr("overlapped %s: %s=%q: %v", d.Name, f, v, err)
			}
			switch i {
			case 0:
				store64(o.ov, n)
			case 1:
				store64(o.ov+8, n)
			case 2:
				store32(o.ov+16, uint32(n))
			case 3:
				store32(o.ov+20, uint32(n))
			}
		}
	case "buffer":
		if len(d.Args.Pos) != 1 {
			return derr("buffer %s: give a size or a \"quoted text\"", d.Name)
		}
		if s, ok := spec.Quoted(d.Args.Pos[0]); ok {
			o.buf, o.n = copyIn([]byte(s)), len(s)
		} else {
			n, err := strconv.Atoi(d.Args.Pos[0])
			if err != nil || n < 0 || n > 1<<20 {
				return derr("buffer %s: bad size %q", d.Name, d.Args.Pos[0])
			}
			o.buf, o.n = alloc(n), n
		}
	case "routine", "apc":
		if len(b.slots) >= maxSlots {
			return derr("more than %d routines and APCs", maxSlots)
		}
		o.slot = len(b.slots)
		b.slots = append(b.slots, o.slot)
		slotMu.Lock()
		owner[o.slot] = &slotOwner{b: b, obj: o}
		slotMu.Unlock()
	case "pipe":
		return b.makePipe(o)
	case "port":
		r, e := call(pCreateIoCompletionPort, uintptr(windows.InvalidHandle), 0, 0, 0)
		if r == 0 {
			return derr("port %s: %s", d.Name, errName(e))
		}
		o.h = windows.Handle(r)
	default:
		return derr("unknown declaration %q", d.Kind)
	}
	return nil
}

var pipeSeq atomic.Uint64

// wide copies a string, as UTF-16 with its terminating zero, into the
// arena and returns its address.
func wide(s string) uintptr {
	u, _ := windows.UTF16FromString(s)
	off := alloc(2 * len(u))
	for i, c := range u {
		binary.LittleEndian.PutUint16(arena[off+2*i:], c)
	}
	return addr(off)
}

// makePipe makes a one-way pipe: the read end is the server end of a
// named pipe, the write end a client opened on it.
func (b *Backend) makePipe(o *object) error {
	d := o.decl
	capacity := 4096
	if v, ok := d.Args.Get("capacity"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return &spec.ParseError{Line: d.Line, Msg: fmt.Sprintf("pipe %s: bad capacity %q", d.Name, v)}
		}
		if n > 0 {
			capacity = n
		}
	}
	name := fmt.Sprintf(`\\.\pipe\wsaemu-%d-%d`, os.Getpid(), pipeSeq.Add(1))
	openMode := uintptr(windows.PIPE_ACCESS_INBOUND)
	fileFlags := uintptr(0)
	if !d.Args.Has("sync") {
		openMode |= windows.FILE_FLAG_OVERLAPPED
		fileFlags = windows.FILE_FLAG_OVERLAPPED
	}
	mode := uintptr(windows.PIPE_TYPE_BYTE | windows.PIPE_READMODE_BYTE | windows.PIPE_WAIT)
	if d.Args.Has("message") {
		mode = windows.PIPE_TYPE_MESSAGE | windows.PIPE_READMODE_MESSAGE | windows.PIPE_WAIT
	}
	r, e := call(pCreateNamedPipeW, wide(name), openMode, mode, 1, uintptr(capacity), uintptr(capacity), 0, 0)
	if windows.Handle(r) == windows.InvalidHandle {
		return &spec.ParseError{Line: d.Line, Msg: fmt.Sprintf("pipe %s: CreateNamedPipe: %s", d.Name, errName(e))}
	}
	o.r = windows.Handle(r)
	w, e := call(pCreateFileW, wide(name), windows.GENERIC_WRITE|windows.FILE_READ_ATTRIBUTES, 0, 0, windows.OPEN_EXISTING, fileFlags, 0)
	if windows.Handle(w) == windows.InvalidHandle {
		return &spec.ParseError{Line: d.Line, Msg: fmt.Sprintf("pipe %s: CreateFile: %s", d.Name, errName(e))}
	}
	o.w = windows.Handle(w)
	return nil
}
