//go:build windows

package native

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"os"
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
func unsupported(op spec.Op, what string) error {
	return fmt.Errorf("%s: %s: %s", op.Entry().Name, UnsupportedMark, what)
}

func errName(code uint32) string { return wso.Errno(code).Name() }

func wsaErrName(code uint32) string { return spec.WSAErrName(errName(code)) }

// machine runs the call table's calls on one scenario thread (its own OS
// thread): one method per call.
type machine struct {
	b *Backend
	t *thread
}

var _ spec.Machine = (*machine)(nil)

// intResult reads an int-returning Winsock call.
func intResult(r uintptr, e uint32) spec.Result {
	if socketError(r) {
		return spec.Result{Ret: spec.SocketError, Err: wso.Errno(e)}
	}
	return spec.Result{}
}

// boolResult reads a BOOL-returning call.
func boolResult(r uintptr, e uint32) spec.Result {
	if !boolOK(r) {
		return spec.Result{Err: wso.Errno(e)}
	}
	return spec.Result{Ret: 1}
}

func waitResult(r uintptr, e uint32) spec.Result {
	v := uint32(r)
	o := spec.Result{Ret: uint64(v)}
	if v == wso.WAIT_FAILED {
		o.Err = wso.Errno(e)
	}
	return o
}

// execTop makes a step's call and says whether it ended by running out
// of its own time.
func (b *Backend) execTop(t *thread, op spec.Op) (spec.Result, bool, error) {
	out, err := op.Run(t.m)
	if err != nil {
		return out, false, err
	}
	if out.Err == wso.WSAETIMEDOUT && !reportsStatus(op) {
		return out, true, nil // SO_RCVTIMEO / SO_SNDTIMEO ran out
	}
	if tm, ok := op.(spec.Timed); ok {
		if _, ok := tm.Timeout(); ok {
			return out, tm.TimedOut(out), nil
		}
	}
	return out, false, nil
}

// reportsStatus says whether op only reads back a record's status, so that
// a WSAETIMEDOUT from it is a translated status (STATUS_IO_TIMEOUT), not a
// call that ran out of time.
func reportsStatus(op spec.Op) bool {
	_, ok := op.(*spec.WSAGetOverlappedResultCall)
	return ok
}

// callTimeout is the time-out a call names, when it is finite and not 0.
func callTimeout(op spec.Op) (uint32, bool) {
	if tm, ok := op.(spec.Timed); ok {
		return tm.Timeout()
	}
	return 0, false
}

// handle is the handle an argument stands for.
func (b *Backend) handle(h spec.Handle) windows.Handle {
	if h.Tag != 0 {
		h2 := h
		h2.Tag = 0
		return b.handle(h2) | windows.Handle(h.Tag)
	}
	if h.Decl < 0 {
		return windows.Handle(h.Value)
	}
	o := b.decls[h.Decl]
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case o.th != nil:
		if o.th.hClosed {
			return deadHandle
		}
		return o.th.h
	case h.End == 'r':
		if o.rClosed {
			return deadHandle
		}
		return o.r
	case h.End == 'w':
		if o.wClosed {
			return deadHandle
		}
		return o.w
	}
	if o.closed {
		return deadHandle
	}
	return o.h
}

// deadHandle stands for a handle the scenario has closed. Real systems
// hand a closed handle's value to the next object made (the Go runtime's
// own events included), while the emulator never reuses one: so a name
// whose handle was closed is passed from then on as a value that is
// never a valid handle, which is what the scenario means.
const deadHandle = windows.Handle(0x7FFFFFF0)

// markClosed records that the handle an argument stands for was closed.
func (b *Backend) markClosed(h spec.Handle) {
	if h.Decl < 0 {
		return
	}
	o := b.decls[h.Decl]
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case o.th != nil:
		o.th.hClosed = true
	case h.End == 'r':
		o.rClosed = true
	case h.End == 'w':
		o.wClosed = true
	default:
		o.closed = true
	}
}

// ovAt is a record argument's address (0 for NULL).
func (b *Backend) ovAt(r spec.Ref) uintptr {
	if !r.Valid() {
		return 0
	}
	return addr(b.decls[r.Decl].ov)
}

// ovRef names the record at an address.
func (b *Backend) ovRef(a uintptr) spec.Ref {
	if a == 0 {
		return spec.Ref{Name: "NULL", Decl: spec.RefNull}
	}
	if i, ok := b.ovDecl[a]; ok {
		return spec.Ref{Name: b.decls[i].decl.Name, Decl: i}
	}
	return spec.Ref{Name: "?", Decl: spec.RefUnknown}
}

// wsaBufs writes the WSABUF array of a call's buffers (0 for NULL).
func (b *Backend) wsaBufs(a *spec.IOArgs) uintptr {
	if a.Bufs == nil {
		return 0
	}
	bs := make([]bufRef, len(a.Bufs))
	for i, r := range a.Bufs {
		o := b.decls[r.Decl]
		bs[i] = bufRef{addr(o.buf), o.n}
	}
	if a.HasLen {
		bs[0].n = int(a.Len)
	}
	return addr(putWSABufs(bs))
}

// routine is a routine's entry point as a Winsock routine, or as a file
// routine (0 for NULL).
func (b *Backend) routine(r spec.Ref, file bool) uintptr {
	if !r.Valid() {
		return 0
	}
	s := pool[b.decls[r.Decl].slot]
	if file {
		return s.file
	}
	return s.wsa
}

// sockaddrArg writes an address argument (0, 0 for NULL).
func sockaddrArg(ap *netip.AddrPort) (uintptr, int) {
	if ap == nil {
		return 0, 0
	}
	off, n := sockaddr(*ap)
	return addr(off), n
}

// newOut makes a poisoned 4- or 8-byte out-parameter.
func newOut() int {
	off := alloc(8)
	store64(off, poison)
	return off
}

// count is a poisoned byte count and its address (0 for nullbytes).
func count(null bool) (int, uintptr) {
	n := newOut()
	if null {
		return n, 0
	}
	return n, addr(n)
}

func flag(b bool) uintptr {
	if b {
		return 1
	}
	return 0
}

func (m *machine) SleepEx(c *spec.SleepExCall) (spec.Result, error) {
	r, _ := call(pSleepEx, uintptr(c.Ms), flag(c.Alertable))
	return spec.Result{Ret: uint64(uint32(r))}, nil
}

func (m *machine) wait(p *windows.LazyProc, w *spec.WaitArgs) spec.Result {
	arr := alloc(8 * max(len(w.Handles), 1))
	for i, h := range w.Handles {
		store64(arr+8*i, uint64(m.b.handle(h)))
	}
	r, e := call(p, uintptr(len(w.Handles)), addr(arr), flag(w.All), uintptr(w.Ms), flag(w.Alertable))
	return waitResult(r, e)
}

func (m *machine) WaitForSingleObjectEx(c *spec.WaitForSingleObjectExCall) (spec.Result, error) {
	// call clears the last error before the call (Go's runtime does too,
	// before every call into Windows), so e is what the call itself left
	// there: 0 when it set none.
	r, e := call(pWaitForSingleObjectEx, uintptr(m.b.handle(c.Handles[0])), uintptr(c.Ms), flag(c.Alertable))
	out := waitResult(r, e)
	if c.LastError {
		out.Outs.Has, out.Outs.LastErr = spec.OutLastError, e
	}
	return out, nil
}

func (m *machine) SignalObjectAndWait(c *spec.SignalObjectAndWaitCall) (spec.Result, error) {
	r, e := call(pSignalObjectAndWait, uintptr(m.b.handle(c.Signal)), uintptr(m.b.handle(c.Wait)), uintptr(c.Ms), flag(c.Alertable))
	return waitResult(r, e), nil
}

func (m *machine) WaitForMultipleObjectsEx(c *spec.WaitForMultipleObjectsExCall) (spec.Result, error) {
	return m.wait(pWaitForMultipleObjectsEx, &c.WaitArgs), nil
}

func (m *machine) WSAWaitForMultipleEvents(c *spec.WSAWaitForMultipleEventsCall) (spec.Result, error) {
	return m.wait(pWSAWaitForMultipleEvent, &c.WaitArgs), nil
}

// one makes a BOOL call on one handle; closes marks the handle closed
// when it succeeds.
func (m *machine) one(p *windows.LazyProc, h spec.Handle, closes bool) (spec.Result, error) {
	r, e := call(p, uintptr(m.b.handle(h)))
	if boolOK(r) && closes {
		m.b.markClosed(h)
	}
	return boolResult(r, e), nil
}

func (m *machine) SetEvent(c *spec.SetEventCall) (spec.Result, error) {
	return m.one(pSetEvent, c.H, false)
}

func (m *machine) ResetEvent(c *spec.ResetEventCall) (spec.Result, error) {
	return m.one(pResetEvent, c.H, false)
}

func (m *machine) WSASetEvent(c *spec.WSASetEventCall) (spec.Result, error) {
	return m.one(pWSASetEvent, c.H, false)
}

func (m *machine) WSAResetEvent(c *spec.WSAResetEventCall) (spec.Result, error) {
	return m.one(pWSAResetEvent, c.H, false)
}

func (m *machine) WSACloseEvent(c *spec.WSACloseEventCall) (spec.Result, error) {
	return m.one(pWSACloseEvent, c.H, true)
}

func (m *machine) CloseHandle(c *spec.CloseHandleCall) (spec.Result, error) {
	return m.one(pCloseHandle, c.H, true)
}

func (m *machine) QueueUserAPC(c *spec.QueueUserAPCCall) (spec.Result, error) {
	r, e := call(pQueueUserAPC, pool[m.b.decls[c.APC.Decl].slot].apc, uintptr(m.b.handle(c.Thread)), uintptr(c.Param))
	return boolResult(r, e), nil
}

func (m *machine) ExitThread(c *spec.ExitThreadCall) (spec.Result, error) {
	if m.t.depth > 0 {
		return spec.Result{}, unsupported(c, "ExitThread inside a routine")
	}
	return spec.Result{}, errExit
}

func (m *machine) WSAStartup(c *spec.WSAStartupCall) (spec.Result, error) {
	data := alloc(512)
	r, _ := call(pWSAStartup, 0x0202, addr(data))
	return spec.Result{Ret: uint64(uint32(r)), Err: wso.Errno(uint32(r))}, nil
}

func (m *machine) WSACleanup(c *spec.WSACleanupCall) (spec.Result, error) {
	r, e := call(pWSACleanup)
	return intResult(r, e), nil
}

func (m *machine) WSASend(c *spec.WSASendCall) (spec.Result, error) {
	cnt, pcnt := count(c.NullBytes)
	r, e := call(pWSASend, uintptr(m.b.handle(c.Socket)), m.b.wsaBufs(&c.IOArgs), uintptr(len(c.Bufs)), pcnt, uintptr(c.Flags), m.b.ovAt(c.Ov), m.b.routine(c.Routine, false))
	out := intResult(r, e)
	out.Outs.Has, out.Outs.Bytes = spec.OutBytes, load32(cnt)
	return out, nil
}

func (m *machine) WSASendTo(c *spec.WSASendToCall) (spec.Result, error) {
	cnt, pcnt := count(c.NullBytes)
	wb := m.b.wsaBufs(&c.IOArgs)
	to, tolen := sockaddrArg(c.To)
	r, e := call(pWSASendTo, uintptr(m.b.handle(c.Socket)), wb, uintptr(len(c.Bufs)), pcnt, uintptr(c.Flags), to, uintptr(tolen), m.b.ovAt(c.Ov), m.b.routine(c.Routine, false))
	out := intResult(r, e)
	out.Outs.Has, out.Outs.Bytes = spec.OutBytes, load32(cnt)
	return out, nil
}

func (m *machine) WSARecv(c *spec.WSARecvCall) (spec.Result, error) {
	cnt, pcnt := count(c.NullBytes)
	wb := m.b.wsaBufs(&c.IOArgs)
	fl, pfl := flagsArg(c.Flags, c.NullFlags)
	r, e := call(pWSARecv, uintptr(m.b.handle(c.Socket)), wb, uintptr(len(c.Bufs)), pcnt, pfl, m.b.ovAt(c.Ov), m.b.routine(c.Routine, false))
	out := intResult(r, e)
	out.Outs.Has, out.Outs.Bytes, out.Outs.Flags = spec.OutBytes|spec.OutFlags, load32(cnt), load32(fl)
	return out, nil
}

func (m *machine) WSARecvFrom(c *spec.WSARecvFromCall) (spec.Result, error) {
	cnt, pcnt := count(c.NullBytes)
	wb := m.b.wsaBufs(&c.IOArgs)
	fl, pfl := flagsArg(c.Flags, c.NullFlags)
	from := alloc(spec.SizeofSockaddrStorage)
	fromlen := alloc(4)
	store32(fromlen, provider.SizeofSockaddrInet6)
	if c.HasFromlen {
		for i := range spec.SizeofSockaddrStorage {
			arena[from+i] = 0xcc // an unwritten address reads "untouched"
		}
		store32(fromlen, uint32(c.Fromlen))
	}
	pfrom, pfromlen := addr(from), addr(fromlen)
	if c.NullFrom {
		pfrom, pfromlen = 0, 0
	}
	ov := m.b.ovAt(c.Ov)
	r, e := call(pWSARecvFrom, uintptr(m.b.handle(c.Socket)), wb, uintptr(len(c.Bufs)), pcnt, pfl, pfrom, pfromlen, ov, m.b.routine(c.Routine, false))
	out := intResult(r, e)
	out.Outs.Has, out.Outs.Bytes, out.Outs.Flags = spec.OutBytes|spec.OutFlags, load32(cnt), load32(fl)
	if ov == 0 && (out.Err == 0 || c.HasFromlen) && !c.NullFrom {
		out.Outs.Has |= spec.OutFrom
		out.Outs.From, _ = readSockaddr(from) // the zero AddrPort when none was written
	}
	return out, nil
}

// msg writes a WSAMSG for a call's buffers and message flags: name @0,
// namelen @8, lpBuffers @16, dwBufferCount @24, Control.len @32,
// Control.buf @40, dwFlags @48.
func (m *machine) msg(a *spec.IOArgs, flags uint32) int {
	msg := alloc(sizeofWSAMsg)
	store64(msg+16, uint64(m.b.wsaBufs(a)))
	store32(msg+24, uint32(len(a.Bufs)))
	store32(msg+48, flags)
	return msg
}

func (m *machine) WSASendMsg(c *spec.WSASendMsgCall) (spec.Result, error) {
	msg := m.msg(&c.IOArgs, c.MsgFlags)
	cnt, pcnt := count(c.NullBytes)
	if c.To != nil {
		to, tolen := sockaddrArg(c.To)
		store64(msg, uint64(to))
		store32(msg+8, uint32(tolen))
	}
	if c.HasNamelen {
		store32(msg+8, uint32(c.Namelen))
	}
	if c.NullName {
		store64(msg, 0)
	}
	if c.Src != nil {
		cb := provider.PktinfoControl(*c.Src)
		store32(msg+32, uint32(len(cb)))
		store64(msg+40, uint64(addr(copyIn(cb))))
	}
	if c.NullControl {
		store32(msg+32, 16)
		store64(msg+40, 0)
	}
	h := m.b.handle(c.Socket)
	fn, e := extension(h, windows.WSAID_WSASENDMSG, &sendMsgFn)
	if fn == 0 {
		return spec.Result{Ret: spec.SocketError, Err: wso.Errno(e), Outs: spec.Outs{Has: spec.OutBytes, Bytes: poison}}, nil
	}
	pmsg := addr(msg)
	if c.NullMsg {
		pmsg = 0
	}
	r, e := callPtr(fn, uintptr(h), pmsg, uintptr(c.Flags), pcnt, m.b.ovAt(c.Ov), m.b.routine(c.Routine, false))
	out := intResult(r, e)
	out.Outs.Has, out.Outs.Bytes = spec.OutBytes, load32(cnt)
	return out, nil
}

func (m *machine) WSARecvMsg(c *spec.WSARecvMsgCall) (spec.Result, error) {
	msg := m.msg(&c.IOArgs, c.MsgFlags)
	cnt, pcnt := count(c.NullBytes)
	from := alloc(provider.SizeofSockaddrInet6)
	store64(msg, uint64(addr(from)))
	store32(msg+8, provider.SizeofSockaddrInet6)
	if c.NullName {
		store64(msg, 0)
		store32(msg+8, 0)
	}
	if c.HasNamelen {
		store32(msg+8, uint32(c.Namelen))
	}
	ctl, ctlN := 0, 0
	if c.HasControl {
		ctl, ctlN = alloc(c.Control), c.Control
		store32(msg+32, uint32(c.Control))
		store64(msg+40, uint64(addr(ctl)))
	}
	if c.NullControl {
		ctl, ctlN = 0, 0
		store32(msg+32, 16)
		store64(msg+40, 0)
	}
	h := m.b.handle(c.Socket)
	fn, e := extension(h, windows.WSAID_WSARECVMSG, &recvMsgFn)
	if fn == 0 {
		return spec.Result{Ret: spec.SocketError, Err: wso.Errno(e), Outs: spec.Outs{Has: spec.OutBytes, Bytes: poison}}, nil
	}
	m.b.keepMsg(c.Ov, msg, from, ctl, ctlN)
	pmsg := addr(msg)
	if c.NullMsg {
		pmsg = 0
	}
	r, e := callPtr(fn, uintptr(h), pmsg, pcnt, m.b.ovAt(c.Ov), m.b.routine(c.Routine, false))
	out := intResult(r, e)
	out.Outs.Has = spec.OutBytes | spec.OutMsgFlags
	out.Outs.Bytes, out.Outs.MsgFlags = load32(cnt), load32(msg+48)
	if ap, ok := readSockaddr(from); ok {
		out.Outs.Has |= spec.OutFrom
		out.Outs.From = ap
	}
	if ctlN > 0 {
		l := min(int(load32(msg+32)), ctlN)
		if a, _, ok := provider.ParsePktinfo(copyOut(ctl, l)); ok {
			out.Outs.Has |= spec.OutDst
			out.Outs.Dst = a
		}
	}
	return out, nil
}

func (m *machine) WSAGetOverlappedResult(c *spec.WSAGetOverlappedResultCall) (spec.Result, error) {
	n, fl := newOut(), newOut()
	pn, pfl := addr(n), addr(fl)
	if c.NullBytes {
		pn = 0
	}
	if c.NullFlags {
		pfl = 0
	}
	r, e := call(pWSAGetOverlappedResult, uintptr(m.b.handle(c.H)), m.b.ovAt(c.Ov), pn, flag(c.Wait), pfl)
	out := boolResult(r, e)
	out.Outs.Has, out.Outs.Bytes, out.Outs.Flags = spec.OutBytes|spec.OutFlags, load32(n), load32(fl)
	return out, nil
}

func (m *machine) GetOverlappedResult(c *spec.GetOverlappedResultCall) (spec.Result, error) {
	n := newOut()
	r, e := call(pGetOverlappedResult, uintptr(m.b.handle(c.H)), m.b.ovAt(c.Ov), addr(n), flag(c.Wait))
	out := boolResult(r, e)
	out.Outs.Has, out.Outs.Bytes = spec.OutBytes, load32(n)
	return out, nil
}

func (m *machine) GetOverlappedResultEx(c *spec.GetOverlappedResultExCall) (spec.Result, error) {
	n := newOut()
	r, e := call(pGetOverlappedResultEx, uintptr(m.b.handle(c.H)), m.b.ovAt(c.Ov), addr(n), uintptr(c.Ms), flag(c.Alertable))
	out := boolResult(r, e)
	out.Outs.Has, out.Outs.Bytes = spec.OutBytes, load32(n)
	return out, nil
}

func (m *machine) WSAIoctl(c *spec.WSAIoctlCall) (spec.Result, error) {
	pin, inN := uintptr(0), c.InLen
	if len(c.In) > 0 && !c.NullIn {
		pin = addr(copyIn(c.In))
	}
	outOff, outN, pout := 0, 0, uintptr(0)
	if c.OutLen >= 0 {
		// Never a NULL output buffer unless asked: Wine writes a function
		// pointer without checking the size (see docs/windows-behaviour.md).
		outN = c.OutLen
		if c.OutBuf.Valid() {
			outOff = m.b.decls[c.OutBuf.Decl].buf
		} else {
			outOff = alloc(max(outN, 16))
			for i := range max(outN, 16) {
				arena[outOff+i] = 0xcc // not written unless it changes
			}
		}
		pout = addr(outOff)
		if c.NullOut {
			pout = 0
		}
	}
	ret := newOut()
	pret := addr(ret)
	if c.NullRet {
		pret = 0
	}
	r, e := call(pWSAIoctl, uintptr(m.b.handle(c.Socket)), uintptr(c.Code), pin, uintptr(inN), pout, uintptr(outN), pret, m.b.ovAt(c.Ov), m.b.routine(c.Routine, false))
	out := intResult(r, e)
	out.Outs.Has, out.Outs.Bytes = spec.OutBytes, load32(ret)
	if outN >= 4 && out.Err == 0 && !c.NullOut {
		out.Outs.Has |= spec.OutValue
		out.Outs.Value = load32(outOff)
	}
	if provider.BaseHandleIoctl(c.Code) && outN >= 8 && !c.NullOut {
		out.Outs.Has |= spec.OutBase
		out.Outs.Base = m.b.socketRef(load64(outOff))
	}
	return out, nil
}

// socketRef names the declared socket whose handle is v: "untouched" for
// an output still holding its fill, "?" for any other value.
func (b *Backend) socketRef(v uint64) spec.Ref {
	if v == 0xcccccccccccccccc {
		return spec.Ref{Name: "untouched", Decl: spec.RefUntouched}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for i, o := range b.decls {
		if o.decl.Kind == "socket" && !o.closed && uint64(o.h) == v {
			return spec.Ref{Name: o.decl.Name, Decl: i}
		}
	}
	return spec.Ref{Name: "?", Decl: spec.RefUnknown}
}

func (m *machine) Closesocket(c *spec.ClosesocketCall) (spec.Result, error) {
	r, e := call(pClosesocket, uintptr(m.b.handle(c.H)))
	if !socketError(r) {
		m.b.markClosed(c.H)
	}
	return intResult(r, e), nil
}

func (m *machine) Shutdown(c *spec.ShutdownCall) (spec.Result, error) {
	r, e := call(pShutdown, uintptr(m.b.handle(c.Socket)), uintptr(c.How))
	return intResult(r, e), nil
}

func (m *machine) addrCall(p *windows.LazyProc, a *spec.AddrArgs) (spec.Result, error) {
	sa, l := uintptr(0), 0
	if a.Addr != nil {
		off, n := sockaddr(*a.Addr)
		if a.HasFamily {
			le16(off, a.Family)
		}
		sa, l = addr(off), n
	}
	if a.HasNamelen {
		l = int(a.Namelen)
	}
	r, e := call(p, uintptr(m.b.handle(a.Socket)), sa, uintptr(l))
	return intResult(r, e), nil
}

func (m *machine) Bind(c *spec.BindCall) (spec.Result, error) { return m.addrCall(pBind, &c.AddrArgs) }

func (m *machine) Connect(c *spec.ConnectCall) (spec.Result, error) {
	return m.addrCall(pConnect, &c.AddrArgs)
}

func (m *machine) Getsockname(c *spec.GetsocknameCall) (spec.Result, error) {
	sa, l := alloc(spec.SizeofSockaddrStorage), alloc(4)
	for i := range spec.SizeofSockaddrStorage {
		arena[sa+i] = 0xcc // an unwritten buffer reads "untouched"
	}
	store32(l, uint32(c.Namelen))
	psa, pl := addr(sa), addr(l)
	if c.NullName {
		psa = 0
	}
	if c.NullLen {
		pl = 0
	}
	r, e := call(pGetsockname, uintptr(m.b.handle(c.Socket)), psa, pl)
	out := intResult(r, e)
	out.Outs.Has, out.Outs.Namelen = spec.OutAddr|spec.OutNamelen, load32(l)
	if c.NullLen {
		out.Outs.Namelen = poison
	}
	out.Outs.Addr, _ = readSockaddr(sa)
	return out, nil
}

func (m *machine) Getpeername(c *spec.GetpeernameCall) (spec.Result, error) {
	sa, l := alloc(spec.SizeofSockaddrStorage), alloc(4)
	store32(l, uint32(c.Namelen))
	psa, pl := addr(sa), addr(l)
	if c.NullName {
		psa = 0
	}
	if c.NullLen {
		pl = 0
	}
	r, e := call(pGetpeername, uintptr(m.b.handle(c.Socket)), psa, pl)
	out := intResult(r, e)
	out.Outs.Has, out.Outs.Namelen = spec.OutNamelen, load32(l)
	if c.NullLen {
		out.Outs.Namelen = poison
	}
	if out.Err == 0 {
		out.Outs.Has |= spec.OutAddr
		out.Outs.Addr, _ = readSockaddr(sa)
	}
	return out, nil
}

func (m *machine) Setsockopt(c *spec.SetsockoptCall) (spec.Result, error) {
	val, n := alloc(8), uintptr(4)
	store32(val, c.Value)
	if c.HasCtx {
		store64(val, uint64(m.b.handle(c.Ctx)))
		n = 8
	}
	r, e := call(pSetsockopt, uintptr(m.b.handle(c.Socket)), uintptr(c.Level), uintptr(c.Name), addr(val), n)
	return intResult(r, e), nil
}

func (m *machine) Getsockopt(c *spec.GetsockoptCall) (spec.Result, error) {
	val, l := alloc(4), alloc(4)
	store32(l, 4)
	r, e := call(pGetsockopt, uintptr(m.b.handle(c.Socket)), uintptr(c.Level), uintptr(c.Name), addr(val), addr(l))
	out := intResult(r, e)
	out.Outs.Has, out.Outs.Optlen = spec.OutOptlen, load32(l)
	if out.Err == 0 {
		out.Outs.Has |= spec.OutValue
		out.Outs.Value = load32(val)
	}
	return out, nil
}

func (m *machine) file(p *windows.LazyProc, a *spec.FileArgs) spec.Result {
	cnt := newOut()
	r, e := call(p, uintptr(m.b.handle(a.H)), addr(m.b.decls[a.Buf.Decl].buf), uintptr(a.Len), addr(cnt), m.b.ovAt(a.Ov))
	out := boolResult(r, e)
	out.Outs.Has, out.Outs.Bytes = spec.OutBytes, load32(cnt)
	return out
}

func (m *machine) ReadFile(c *spec.ReadFileCall) (spec.Result, error) {
	return m.file(pReadFile, &c.FileArgs), nil
}

func (m *machine) WriteFile(c *spec.WriteFileCall) (spec.Result, error) {
	return m.file(pWriteFile, &c.FileArgs), nil
}

func (m *machine) fileEx(p *windows.LazyProc, a *spec.FileArgs, rt spec.Ref) spec.Result {
	r, e := call(p, uintptr(m.b.handle(a.H)), addr(m.b.decls[a.Buf.Decl].buf), uintptr(a.Len), m.b.ovAt(a.Ov), m.b.routine(rt, true))
	return boolResult(r, e)
}

func (m *machine) ReadFileEx(c *spec.ReadFileExCall) (spec.Result, error) {
	return m.fileEx(pReadFileEx, &c.FileArgs, c.Routine), nil
}

func (m *machine) WriteFileEx(c *spec.WriteFileExCall) (spec.Result, error) {
	return m.fileEx(pWriteFileEx, &c.FileArgs, c.Routine), nil
}

func (m *machine) CancelIo(c *spec.CancelIoCall) (spec.Result, error) {
	r, e := call(pCancelIo, uintptr(m.b.handle(c.H)))
	return boolResult(r, e), nil
}

func (m *machine) CancelIoEx(c *spec.CancelIoExCall) (spec.Result, error) {
	r, e := call(pCancelIoEx, uintptr(m.b.handle(c.H)), m.b.ovAt(c.Ov))
	return boolResult(r, e), nil
}

func (m *machine) CreateIoCompletionPort(c *spec.CreateIoCompletionPortCall) (spec.Result, error) {
	r, e := call(pCreateIoCompletionPort, uintptr(m.b.handle(c.File)), uintptr(m.b.handle(c.Port)), uintptr(c.Key), 0)
	if r == 0 {
		return spec.Result{Err: wso.Errno(e)}, nil
	}
	return spec.Result{Ret: 1}, nil
}

func (m *machine) GetQueuedCompletionStatus(c *spec.GetQueuedCompletionStatusCall) (spec.Result, error) {
	n, key, ov := newOut(), newOut(), newOut()
	r, e := call(pGetQueuedCompletionStat, uintptr(m.b.handle(c.Port)), addr(n), addr(key), addr(ov), uintptr(c.Ms))
	out := boolResult(r, e)
	out.Outs.Has = spec.OutBytes | spec.OutKey | spec.OutOv
	out.Outs.Bytes, out.Outs.Key = load32(n), uint32(load64(key))
	if v := load64(ov); v == poison {
		out.Outs.Ov = spec.Ref{Name: "untouched", Decl: spec.RefUntouched}
	} else {
		out.Outs.Ov = m.b.ovRef(uintptr(v))
	}
	return out, nil
}

// sizeofOverlappedEntry is OVERLAPPED_ENTRY's size (x64): ULONG_PTR
// lpCompletionKey, LPOVERLAPPED lpOverlapped, ULONG_PTR Internal, DWORD
// dwNumberOfBytesTransferred (padded).
const sizeofOverlappedEntry = 32

func (m *machine) GetQueuedCompletionStatusEx(c *spec.GetQueuedCompletionStatusExCall) (spec.Result, error) {
	arr := alloc(sizeofOverlappedEntry * max(int(c.Count), 1))
	removed := newOut()
	r, e := call(pGetQueuedCompletionStatusEx, uintptr(m.b.handle(c.Port)), addr(arr), uintptr(c.Count), addr(removed), uintptr(c.Ms), flag(c.Alertable))
	out := boolResult(r, e)
	out.Outs.Has, out.Outs.Removed = spec.OutRemoved, load32(removed)
	if out.Err == 0 {
		for i := 0; i < int(min(out.Outs.Removed, c.Count)); i++ {
			en := arr + i*sizeofOverlappedEntry
			out.Outs.Entries = append(out.Outs.Entries, spec.PortEntry{
				Key: load64(en), Ov: m.b.ovRef(uintptr(load64(en + 8))), Status: load64(en + 16), Bytes: load32(en + 24),
			})
		}
	}
	return out, nil
}

func (m *machine) PostQueuedCompletionStatus(c *spec.PostQueuedCompletionStatusCall) (spec.Result, error) {
	r, e := call(pPostQueuedCompletionStat, uintptr(m.b.handle(c.Port)), uintptr(c.Bytes), uintptr(c.Key), m.b.ovAt(c.Ov))
	return boolResult(r, e), nil
}

func (m *machine) SetFileCompletionNotificationModes(c *spec.SetFileCompletionNotificationModesCall) (spec.Result, error) {
	r, e := call(pSetFileCompletionModes, uintptr(m.b.handle(c.H)), uintptr(c.Flags))
	return boolResult(r, e), nil
}

// ReleaseOverlapped and ReleaseBuffer: the program says it frees the
// memory, a sanitizer check in the emulator. Here nothing is freed (the
// kernel may still write to it); the call only has to be accepted.
func (m *machine) PeekNamedPipe(c *spec.PeekNamedPipeCall) (spec.Result, error) {
	pbuf := uintptr(0)
	if c.Buf.Valid() {
		pbuf = addr(m.b.objs[c.Buf.Name].buf)
	}
	n, avail, left := newOut(), newOut(), newOut()
	pn, pa, pl := addr(n), addr(avail), addr(left)
	if c.NullRead {
		pn = 0
	}
	if c.NullAvail {
		pa = 0
	}
	if c.NullLeft {
		pl = 0
	}
	r, e := call(pPeekNamedPipe, uintptr(m.b.handle(c.H)), pbuf, uintptr(c.Len), pn, pa, pl)
	out := boolResult(r, e)
	out.Outs.Has = spec.OutBytes | spec.OutAvail | spec.OutLeft
	out.Outs.Bytes, out.Outs.Avail, out.Outs.Left = load32(n), load32(avail), load32(left)
	return out, nil
}

func (m *machine) DuplicateHandle(c *spec.DuplicateHandleCall) (spec.Result, error) {
	self := uintptr(windows.CurrentProcess())
	out := newOut()
	r, e := call(pDuplicateHandle, self, uintptr(m.b.handle(c.Src)), self, addr(out), 0, 0, windows.DUPLICATE_SAME_ACCESS)
	res := boolResult(r, e)
	if res.Err == 0 {
		o := m.b.decls[c.Target.Decl]
		m.b.mu.Lock()
		o.h, o.closed = windows.Handle(load64(out)), false
		m.b.mu.Unlock()
	}
	return res, nil
}

func (m *machine) ReleaseOverlapped(c *spec.ReleaseOverlappedCall) (spec.Result, error) {
	return spec.Result{}, nil
}

func (m *machine) ReleaseBuffer(c *spec.ReleaseBufferCall) (spec.Result, error) {
	return spec.Result{}, nil
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

// declare makes one declared object (on the first thread) from its
// decoded declaration.
func (b *Backend) declare(i int, d spec.Decl) error {
	o := b.decls[i]
	derr := func(format string, args ...any) error {
		return &spec.ParseError{Line: d.Line, Msg: fmt.Sprintf(format, args...)}
	}
	switch x := d.Obj.(type) {
	case *spec.EventDecl:
		r, e := call(pCreateEventW, 0, flag(x.Manual), flag(x.Signalled), 0)
		if r == 0 {
			return derr("event %s: CreateEvent: %s", d.Name, errName(e))
		}
		o.h = windows.Handle(r)
	case *spec.SocketDecl:
		flags := uintptr(0)
		if x.Overlapped {
			flags = windows.WSA_FLAG_OVERLAPPED
		}
		typ, proto := uintptr(provider.SOCK_DGRAM), uintptr(provider.IPPROTO_UDP)
		if x.Stream {
			typ, proto = provider.SOCK_STREAM, provider.IPPROTO_TCP
		}
		r, e := call(pWSASocketW, uintptr(x.AF), typ, proto, 0, 0, flags)
		if r == uintptr(windows.InvalidHandle) {
			return derr("socket %s: WSASocket: %s", d.Name, wsaErrName(e))
		}
		o.h, o.af = windows.Handle(r), x.AF
		for _, k := range []string{"bind", "connect"} {
			ap, p := x.Bind, pBind
			if k == "connect" {
				ap, p = x.Connect, pConnect
			}
			if ap == nil {
				continue
			}
			off, n := sockaddr(*ap)
			if r, e := call(p, uintptr(o.h), addr(off), uintptr(n)); socketError(r) {
				return derr("socket %s: %s %s: %s", d.Name, k, ap, wsaErrName(e))
			}
			if k == "bind" && x.Listen {
				if r, e := call(pListen, uintptr(o.h), provider.SOMAXCONN); socketError(r) {
					return derr("socket %s: listen: %s", d.Name, wsaErrName(e))
				}
			}
		}
	case *spec.OverlappedDecl:
		o.ov = alloc(sizeofOverlapped)
		b.ovDecl[addr(o.ov)] = i
		var hev uint64
		if x.Event.Valid() {
			hev = uint64(b.decls[x.Event.Decl].h)
		}
		if x.HasHEvent {
			hev = x.HEvent
		}
		if x.LowBit {
			hev |= 1
		}
		store64(o.ov+24, hev)
		for f, v := range x.Fields {
			if !v.Set {
				continue
			}
			switch f {
			case 0:
				store64(o.ov, v.V)
			case 1:
				store64(o.ov+8, v.V)
			case 2:
				store32(o.ov+16, uint32(v.V))
			case 3:
				store32(o.ov+20, uint32(v.V))
			}
		}
	case *spec.BufferDecl:
		if x.Init != nil {
			o.buf, o.n = copyIn(x.Init), len(x.Init)
		} else {
			o.buf, o.n = alloc(x.Len), x.Len
		}
	case *spec.RoutineDecl:
		if len(b.slots) >= maxSlots {
			return derr("more than %d routines and APCs", maxSlots)
		}
		o.slot = len(b.slots)
		b.slots = append(b.slots, o.slot)
		slotMu.Lock()
		owner[o.slot] = &slotOwner{b: b, obj: o}
		slotMu.Unlock()
	case *spec.PipeDecl:
		return b.makePipe(o, x)
	case *spec.PortDecl:
		r, e := call(pCreateIoCompletionPort, uintptr(windows.InvalidHandle), 0, 0, 0)
		if r == 0 {
			return derr("port %s: %s", d.Name, errName(e))
		}
		o.h = windows.Handle(r)
	case *spec.HandleDecl:
		// NULL until a call (DuplicateHandle) puts a handle here.
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
func (b *Backend) makePipe(o *object, x *spec.PipeDecl) error {
	d := o.decl
	capacity := 4096
	if x.HasCapacity && x.Capacity > 0 {
		capacity = x.Capacity
	}
	name := fmt.Sprintf(`\\.\pipe\wsaemu-%d-%d`, os.Getpid(), pipeSeq.Add(1))
	openMode := uintptr(windows.PIPE_ACCESS_INBOUND)
	fileFlags := uintptr(0)
	if !x.Sync && !x.SyncRead {
		openMode |= windows.FILE_FLAG_OVERLAPPED
	}
	if !x.Sync && !x.SyncWrite {
		fileFlags = windows.FILE_FLAG_OVERLAPPED
	}
	mode := uintptr(windows.PIPE_TYPE_BYTE | windows.PIPE_READMODE_BYTE | windows.PIPE_WAIT)
	if x.Message {
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
