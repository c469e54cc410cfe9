package emulated

import (
	"encoding/binary"
	"errors"
	"github.com/wsaemu/wsaemu/spec"
	"net/netip"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/provider"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// machine runs the call table's calls on one emulated thread: one method
// per call, each given its decoded arguments.
type machine struct {
	e *Emulator
	t *emu.Thread

	// The call Do runs on t, and what it gave: kept here rather than in
	// Do's frame so that a step allocates nothing for them. A thread has
	// at most one call of Do's in progress (a blocked one stays pending
	// until collected), so one set per thread suffices.
	op  spec.Op
	out spec.Result
	err error
	run func(*emu.Thread) // runs op, once made

	// pending: the call Do made on t (pendingOp) has not returned yet;
	// collect hands it on when it has.
	pending   bool
	pendingOp spec.Op

	// Out-parameter words lent to the calls on t (slot, unwind), so that
	// a call's counts and flags are not each an allocation. Lent as a
	// stack: a routine's does-call nested in an alertable wait takes the
	// next ones.
	u32s [8]uint32
	nu   int
}

// slot lends a word holding v, to be given back with unwind.
func (m *machine) slot(v uint32) *uint32 {
	if m.nu == len(m.u32s) {
		p := new(uint32)
		*p = v
		return p
	}
	p := &m.u32s[m.nu]
	m.nu++
	*p = v
	return p
}

// unwind gives back the words lent since nu was base.
func (m *machine) unwind(base int) { m.nu = base }

var _ spec.Machine = (*machine)(nil)

// handle is the emulated handle an argument stands for.
func (e *Emulator) handle(h spec.Handle) emu.Handle {
	if h.Tag != 0 {
		h2 := h
		h2.Tag = 0
		return e.handle(h2) | emu.Handle(h.Tag)
	}
	if h.Decl < 0 {
		return emu.Handle(h.Value)
	}
	o := e.objs[h.Decl]
	switch {
	case o.thread != nil:
		return o.thread.Handle()
	case h.End == 'r':
		return o.read
	case h.End == 'w':
		return o.write
	}
	return o.h
}

func (e *Emulator) ov(r spec.Ref) *emu.Overlapped {
	if !r.Valid() {
		return nil
	}
	return e.objs[r.Decl].ov
}

// bufs is the WSABUF array a's buffers make, in memory lent to the run.
func (e *Emulator) bufs(a *spec.IOArgs) []emu.WSABUF {
	if a.Bufs == nil {
		return nil
	}
	return e.fillBufs(e.lent.bufs.take(len(a.Bufs)), a)
}

// fillBufs writes a's WSABUF array into out (as long as a.Bufs).
func (e *Emulator) fillBufs(out []emu.WSABUF, a *spec.IOArgs) []emu.WSABUF {
	for i, r := range a.Bufs {
		b := e.objs[r.Decl].buf
		out[i] = emu.WSABUF{Len: uint32(len(b)), Buf: b}
	}
	if a.HasLen {
		out[0].Len = a.Len
	}
	return out
}

// stepBufs is bufs(a), made once per run for each parsed call: the array
// holds the same entries every time (the declared buffers do not change
// within a run, and nothing writes a caller's WSABUF array), so a step
// run again, or issued again by a routine, passes the same one. The array
// is kept by a's Slot, and later runs write theirs in its memory.
func (e *Emulator) stepBufs(a *spec.IOArgs) []emu.WSABUF {
	if a.Bufs == nil {
		return nil
	}
	k := a.Slot() - 1
	if k < 0 {
		return e.bufs(a) // not numbered: an array per call
	}
	if k >= len(e.wsabufs) {
		e.wsabufs = append(e.wsabufs, make([]stepWSABufs, k+1-len(e.wsabufs))...)
	}
	s := &e.wsabufs[k]
	switch {
	case s.run == e.run && s.key == a:
		return s.bufs
	case s.run == e.run:
		// Another call's arguments with this number in this run (a call
		// of another scenario): an array of its own.
		return e.bufs(a)
	}
	s.key, s.run = a, e.run
	if cap(s.bufs) < len(a.Bufs) {
		s.bufs = make([]emu.WSABUF, len(a.Bufs))
	}
	s.bufs = e.fillBufs(s.bufs[:len(a.Bufs):len(a.Bufs)], a)
	return s.bufs
}

func (e *Emulator) wsaRoutine(r spec.Ref) emu.WSACompletionRoutine {
	if !r.Valid() {
		return nil
	}
	return e.objs[r.Decl].wsaFn
}

// errnoOf is the code an emulated call's error carries.
func errnoOf(err error) (wso.Errno, error) {
	if err == nil {
		return 0, nil
	}
	if en, ok := err.(wso.Errno); ok {
		return en, nil
	}
	var en wso.Errno
	if errors.As(err, &en) {
		return en, nil
	}
	return 0, err
}

func intResult(err error) (spec.Result, error) {
	en, err := errnoOf(err)
	if en != 0 {
		return spec.Result{Ret: spec.SocketError, Err: en}, err
	}
	return spec.Result{}, err
}

func boolResult(err error) (spec.Result, error) {
	en, err := errnoOf(err)
	if en != 0 {
		return spec.Result{Err: en}, err
	}
	return spec.Result{Ret: 1}, err
}

func waitResult(r uint32, err error) (spec.Result, error) {
	en, err := errnoOf(err)
	return spec.Result{Ret: uint64(r), Err: en}, err
}

func (m *machine) SleepEx(c *spec.SleepExCall) (spec.Result, error) {
	return spec.Result{Ret: uint64(m.t.SleepEx(c.Ms, c.Alertable))}, nil
}

func (m *machine) handles(w *spec.WaitArgs) []emu.Handle {
	if w.Handles == nil {
		return nil
	}
	hs := m.e.lent.hs.take(len(w.Handles))
	for i, h := range w.Handles {
		hs[i] = m.e.handle(h)
	}
	return hs
}

func (m *machine) WaitForSingleObjectEx(c *spec.WaitForSingleObjectExCall) (spec.Result, error) {
	if c.LastError {
		m.t.SetLastError(lastErrorSentinel)
	}
	r, err := waitResult(m.t.WaitForSingleObjectEx(m.e.handle(c.Handles[0]), c.Ms, c.Alertable))
	if c.LastError {
		r.Outs.Has, r.Outs.LastErr = spec.OutLastError, uint32(m.t.GetLastError())
	}
	return r, err
}

// lastErrorSentinel is what a call's "lasterror" sets the last error to
// before the call: 0, the only value the native runner can give it (Go's
// runtime clears the last error before every call it makes into Windows).
const lastErrorSentinel = 0

func (m *machine) SignalObjectAndWait(c *spec.SignalObjectAndWaitCall) (spec.Result, error) {
	return waitResult(m.t.SignalObjectAndWait(m.e.handle(c.Signal), m.e.handle(c.Wait), c.Ms, c.Alertable))
}

func (m *machine) WaitForMultipleObjectsEx(c *spec.WaitForMultipleObjectsExCall) (spec.Result, error) {
	return waitResult(m.t.WaitForMultipleObjectsEx(m.handles(&c.WaitArgs), c.All, c.Ms, c.Alertable))
}

func (m *machine) WSAWaitForMultipleEvents(c *spec.WSAWaitForMultipleEventsCall) (spec.Result, error) {
	return waitResult(m.t.WSAWaitForMultipleEvents(m.handles(&c.WaitArgs), c.All, c.Ms, c.Alertable))
}

func (m *machine) SetEvent(c *spec.SetEventCall) (spec.Result, error) {
	return boolResult(m.t.SetEvent(m.e.handle(c.H)))
}

func (m *machine) ResetEvent(c *spec.ResetEventCall) (spec.Result, error) {
	return boolResult(m.t.ResetEvent(m.e.handle(c.H)))
}

func (m *machine) WSASetEvent(c *spec.WSASetEventCall) (spec.Result, error) {
	return boolResult(m.t.WSASetEvent(m.e.handle(c.H)))
}

func (m *machine) WSAResetEvent(c *spec.WSAResetEventCall) (spec.Result, error) {
	return boolResult(m.t.WSAResetEvent(m.e.handle(c.H)))
}

func (m *machine) WSACloseEvent(c *spec.WSACloseEventCall) (spec.Result, error) {
	return boolResult(m.t.WSACloseEvent(m.e.handle(c.H)))
}

func (m *machine) CloseHandle(c *spec.CloseHandleCall) (spec.Result, error) {
	return boolResult(m.t.CloseHandle(m.e.handle(c.H)))
}

func (m *machine) QueueUserAPC(c *spec.QueueUserAPCCall) (spec.Result, error) {
	return boolResult(m.t.QueueUserAPC(m.e.objs[c.APC.Decl].apcFn, m.e.handle(c.Thread), uintptr(c.Param)))
}

func (m *machine) ExitThread(c *spec.ExitThreadCall) (spec.Result, error) {
	m.t.ExitThread(c.Code)
	return spec.Result{}, nil
}

func (m *machine) WSAStartup(c *spec.WSAStartupCall) (spec.Result, error) {
	var d emu.WSAData
	en, err := errnoOf(m.t.WSAStartup(0x0202, &d))
	return spec.Result{Ret: uint64(en), Err: en}, err
}

func (m *machine) WSACleanup(c *spec.WSACleanupCall) (spec.Result, error) {
	return intResult(m.t.WSACleanup())
}

// count is a poisoned byte count, or nil for nullbytes.
func count(n *uint32, null bool) *uint32 {
	*n = spec.Poison
	if null {
		return nil
	}
	return n
}

func (m *machine) WSASend(c *spec.WSASendCall) (spec.Result, error) {
	defer m.unwind(m.nu)
	pn := m.slot(0)
	r, err := intResult(m.t.WSASend(emu.SOCKET(m.e.handle(c.Socket)), m.e.stepBufs(&c.IOArgs), count(pn, c.NullBytes), c.Flags, m.e.ov(c.Ov), m.e.wsaRoutine(c.Routine)))
	r.Outs.Has, r.Outs.Bytes = spec.OutBytes, *pn
	return r, err
}

func (m *machine) WSASendTo(c *spec.WSASendToCall) (spec.Result, error) {
	defer m.unwind(m.nu)
	pn := m.slot(0)
	r, err := intResult(m.t.WSASendTo(emu.SOCKET(m.e.handle(c.Socket)), m.e.stepBufs(&c.IOArgs), count(pn, c.NullBytes), c.Flags, c.To, c.Namelen, m.e.ov(c.Ov), m.e.wsaRoutine(c.Routine)))
	r.Outs.Has, r.Outs.Bytes = spec.OutBytes, *pn
	return r, err
}

func (m *machine) WSARecv(c *spec.WSARecvCall) (spec.Result, error) {
	defer m.unwind(m.nu)
	pn, pfl := m.slot(0), m.slot(c.Flags)
	r, err := intResult(m.t.WSARecv(emu.SOCKET(m.e.handle(c.Socket)), m.e.stepBufs(&c.IOArgs), count(pn, c.NullBytes), flagsArg(pfl, c.NullFlags), m.e.ov(c.Ov), m.e.wsaRoutine(c.Routine)))
	r.Outs.Has, r.Outs.Bytes, r.Outs.Flags = spec.OutBytes|spec.OutFlags, *pn, *pfl
	return r, err
}

// flagsArg is a receive's lpFlags: fl, or nil for nullflags (fl then
// reads as untouched).
func flagsArg(fl *uint32, null bool) *uint32 {
	if null {
		*fl = spec.Poison
		return nil
	}
	return fl
}

func (m *machine) WSARecvFrom(c *spec.WSARecvFromCall) (spec.Result, error) {
	l := &m.e.lent
	n, fl := one(&l.u32s), one(&l.u32s)
	*fl = c.Flags
	from := one(&l.addrs)
	pfromlen := one(&l.i32s)
	*pfromlen = int32(provider.SizeofSockaddrInet6)
	if c.HasFromlen {
		*pfromlen = c.Fromlen
	}
	if c.NullFrom {
		from, pfromlen = nil, nil
	}
	ov := m.e.ov(c.Ov)
	r, err := intResult(m.t.WSARecvFrom(emu.SOCKET(m.e.handle(c.Socket)), m.e.stepBufs(&c.IOArgs), count(n, c.NullBytes), flagsArg(fl, c.NullFlags), from, pfromlen, ov, m.e.wsaRoutine(c.Routine)))
	r.Outs.Has, r.Outs.Bytes, r.Outs.Flags = spec.OutBytes|spec.OutFlags, *n, *fl
	if ov == nil && (r.Err == 0 || c.HasFromlen) && from != nil {
		r.Outs.Has |= spec.OutFrom
		r.Outs.From = *from
	}
	return r, err
}

func (m *machine) WSASendMsg(c *spec.WSASendMsgCall) (spec.Result, error) {
	msg := one(&m.e.lent.msgs)
	*msg = emu.WSAMSG{Buffers: m.e.bufs(&c.IOArgs), Flags: c.MsgFlags}
	if c.To != nil {
		msg.Name, msg.Namelen = c.To, c.Namelen
	}
	if c.HasNamelen {
		msg.Namelen = c.Namelen
	}
	if c.NullName {
		msg.Name = nil
	}
	if c.Src != nil {
		b := provider.PktinfoControl(*c.Src)
		msg.Control = emu.WSABUF{Len: uint32(len(b)), Buf: b}
	}
	if c.NullControl {
		msg.Control = emu.WSABUF{Len: 16}
	}
	if c.NullMsg {
		msg = nil
	}
	n := one(&m.e.lent.u32s)
	r, err := intResult(m.t.WSASendMsg(emu.SOCKET(m.e.handle(c.Socket)), msg, c.Flags, count(n, c.NullBytes), m.e.ov(c.Ov), m.e.wsaRoutine(c.Routine)))
	r.Outs.Has, r.Outs.Bytes = spec.OutBytes, *n
	return r, err
}

func (m *machine) WSARecvMsg(c *spec.WSARecvMsgCall) (spec.Result, error) {
	l := &m.e.lent
	msg := one(&l.msgs)
	*msg = emu.WSAMSG{Buffers: m.e.bufs(&c.IOArgs), Flags: c.MsgFlags}
	from := one(&l.addrs)
	msg.Name, msg.Namelen = from, provider.SizeofSockaddrInet6
	if c.NullName {
		msg.Name, msg.Namelen = nil, 0
	}
	if c.HasNamelen {
		msg.Namelen = c.Namelen
	}
	if c.HasControl {
		msg.Control = emu.WSABUF{Len: uint32(c.Control), Buf: l.bytes.take(int(c.Control))}
	}
	if c.NullControl {
		msg.Control = emu.WSABUF{Len: 16}
	}
	if c.Ov.Valid() {
		m.e.objs[c.Ov.Decl].msg = msg // read by Msg once the receive completes
	}
	arg := msg
	if c.NullMsg {
		arg = nil
	}
	n := one(&l.u32s)
	r, err := intResult(m.t.WSARecvMsg(emu.SOCKET(m.e.handle(c.Socket)), arg, count(n, c.NullBytes), m.e.ov(c.Ov), m.e.wsaRoutine(c.Routine)))
	r.Outs.Has, r.Outs.Bytes, r.Outs.MsgFlags = spec.OutBytes|spec.OutMsgFlags, *n, msg.Flags
	if from.IsValid() {
		r.Outs.Has |= spec.OutFrom
		r.Outs.From = *from
	}
	if a, _, ok := provider.ParsePktinfo(msg.Control.Buf[:min(int(msg.Control.Len), len(msg.Control.Buf))]); ok {
		r.Outs.Has |= spec.OutDst
		r.Outs.Dst = a
	}
	return r, err
}

func (m *machine) WSAGetOverlappedResult(c *spec.WSAGetOverlappedResultCall) (spec.Result, error) {
	defer m.unwind(m.nu)
	n, fl := m.slot(spec.Poison), m.slot(spec.Poison)
	pn, pfl := n, fl
	if c.NullBytes {
		pn = nil
	}
	if c.NullFlags {
		pfl = nil
	}
	r, err := boolResult(m.t.WSAGetOverlappedResult(emu.SOCKET(m.e.handle(c.H)), m.e.ov(c.Ov), pn, c.Wait, pfl))
	r.Outs.Has, r.Outs.Bytes, r.Outs.Flags = spec.OutBytes|spec.OutFlags, *n, *fl
	return r, err
}

func (m *machine) GetOverlappedResult(c *spec.GetOverlappedResultCall) (spec.Result, error) {
	n := uint32(spec.Poison)
	r, err := boolResult(m.t.GetOverlappedResult(m.e.handle(c.H), m.e.ov(c.Ov), &n, c.Wait))
	r.Outs.Has, r.Outs.Bytes = spec.OutBytes, n
	return r, err
}

func (m *machine) GetOverlappedResultEx(c *spec.GetOverlappedResultExCall) (spec.Result, error) {
	n := uint32(spec.Poison)
	r, err := boolResult(m.t.GetOverlappedResultEx(m.e.handle(c.H), m.e.ov(c.Ov), &n, c.Ms, c.Alertable))
	r.Outs.Has, r.Outs.Bytes = spec.OutBytes, n
	return r, err
}

func (m *machine) WSAIoctl(c *spec.WSAIoctlCall) (spec.Result, error) {
	var outb []byte
	switch {
	case c.OutBuf.Valid():
		outb = m.e.objs[c.OutBuf.Decl].buf
	case c.OutLen >= 0 && !c.NullOut:
		outb = m.e.lent.bytes.take(int(c.OutLen))
		for i := range outb {
			outb[i] = 0xcc // not written unless it changes
		}
	}
	ret := one(&m.e.lent.u32s)
	*ret = spec.Poison
	pret := ret
	if c.NullRet {
		pret = nil
	}
	in := c.In
	if c.NullIn {
		in = nil
	}
	r, err := intResult(m.t.WSAIoctl(emu.SOCKET(m.e.handle(c.Socket)), c.Code, in, outb, pret, m.e.ov(c.Ov), m.e.wsaRoutine(c.Routine)))
	r.Outs.Has, r.Outs.Bytes = spec.OutBytes, *ret
	if len(outb) >= 4 && r.Err == 0 {
		r.Outs.Has |= spec.OutValue
		r.Outs.Value = binary.LittleEndian.Uint32(outb)
	}
	if provider.BaseHandleIoctl(c.Code) && len(outb) >= 8 {
		r.Outs.Has |= spec.OutBase
		r.Outs.Base = m.e.socketRef(binary.LittleEndian.Uint64(outb))
	}
	return r, err
}

// socketRef names the declared socket whose handle is v: "untouched" for
// an output still holding its fill, "?" for any other value.
func (e *Emulator) socketRef(v uint64) spec.Ref {
	if v == 0xcccccccccccccccc {
		return spec.Ref{Name: "untouched", Decl: spec.RefUntouched}
	}
	for i, o := range e.objs {
		if o.decl.Kind == "socket" && uint64(o.h) == v {
			return spec.Ref{Name: o.decl.Name, Decl: i}
		}
	}
	return spec.Ref{Name: "?", Decl: spec.RefUnknown}
}

func (m *machine) Closesocket(c *spec.ClosesocketCall) (spec.Result, error) {
	return intResult(m.t.Closesocket(emu.SOCKET(m.e.handle(c.H))))
}

func (m *machine) Shutdown(c *spec.ShutdownCall) (spec.Result, error) {
	return intResult(m.t.Shutdown(emu.SOCKET(m.e.handle(c.Socket)), c.How))
}

func (m *machine) Bind(c *spec.BindCall) (spec.Result, error) {
	return intResult(m.t.Bind(emu.SOCKET(m.e.handle(c.Socket)), name(&c.AddrArgs), c.Namelen))
}

func (m *machine) Connect(c *spec.ConnectCall) (spec.Result, error) {
	return intResult(m.t.Connect(emu.SOCKET(m.e.handle(c.Socket)), name(&c.AddrArgs), c.Namelen))
}

// name is bind's or connect's address: a family=N that names neither
// AF_INET nor AF_INET6 makes it one of no family the emulator knows.
func name(a *spec.AddrArgs) *netip.AddrPort {
	if a.Addr != nil && a.HasFamily && !(a.Family == provider.AF_INET && a.Addr.Addr().Is4() || a.Family == provider.AF_INET6 && a.Addr.Addr().Is6()) {
		return &netip.AddrPort{}
	}
	return a.Addr
}

func (m *machine) Getsockname(c *spec.GetsocknameCall) (spec.Result, error) {
	r, a, err := m.nameQuery(m.t.GetsocknameLen, c.Socket, c.Namelen, c.NullName, c.NullLen)
	r.Outs.Has |= spec.OutAddr
	r.Outs.Addr = a
	return r, err
}

func (m *machine) Getpeername(c *spec.GetpeernameCall) (spec.Result, error) {
	r, a, err := m.nameQuery(m.t.Getpeername, c.Socket, c.Namelen, c.NullName, c.NullLen)
	if r.Err == 0 {
		r.Outs.Has |= spec.OutAddr
		r.Outs.Addr = a
	}
	return r, err
}

// nameQuery calls get, getsockname or getpeername, on sock with a name
// buffer and a *namelen that starts at namelen, passing NULL for either
// where the scenario says so. The result carries *namelen (Poison when
// NULL); the address written is returned beside it.
func (m *machine) nameQuery(get func(emu.SOCKET, *netip.AddrPort, *int32) error, sock spec.Handle, namelen int32, nullName, nullLen bool) (spec.Result, netip.AddrPort, error) {
	a, l := one(&m.e.lent.addrs), one(&m.e.lent.i32s)
	*l = namelen
	pa, pl := a, l
	if nullName {
		pa = nil
	}
	if nullLen {
		pl = nil
	}
	r, err := intResult(get(emu.SOCKET(m.e.handle(sock)), pa, pl))
	r.Outs.Has, r.Outs.Namelen = spec.OutNamelen, uint32(*l)
	if nullLen {
		r.Outs.Namelen = spec.Poison
	}
	return r, *a, err
}

func (m *machine) Setsockopt(c *spec.SetsockoptCall) (spec.Result, error) {
	if c.HasCtx {
		return intResult(m.t.Setsockopt(emu.SOCKET(m.e.handle(c.Socket)), c.Level, c.Name, binary.LittleEndian.AppendUint64(m.e.lent.bytes.take(8)[:0], uint64(m.e.handle(c.Ctx)))))
	}
	return intResult(m.t.Setsockopt(emu.SOCKET(m.e.handle(c.Socket)), c.Level, c.Name, binary.LittleEndian.AppendUint32(m.e.lent.bytes.take(4)[:0], c.Value)))
}

func (m *machine) Getsockopt(c *spec.GetsockoptCall) (spec.Result, error) {
	val := m.e.lent.bytes.take(4)
	l := one(&m.e.lent.i32s)
	*l = 4
	r, err := intResult(m.t.Getsockopt(emu.SOCKET(m.e.handle(c.Socket)), c.Level, c.Name, val, l))
	r.Outs.Has, r.Outs.Optlen = spec.OutOptlen, uint32(*l)
	if r.Err == 0 {
		r.Outs.Has |= spec.OutValue
		r.Outs.Value = binary.LittleEndian.Uint32(val)
	}
	return r, err
}

func (m *machine) fileBuf(a *spec.FileArgs) []byte { return m.e.objs[a.Buf.Decl].buf[:a.Len] }

func (m *machine) ReadFile(c *spec.ReadFileCall) (spec.Result, error) {
	n := uint32(spec.Poison)
	r, err := boolResult(m.t.ReadFile(m.e.handle(c.H), m.fileBuf(&c.FileArgs), &n, m.e.ov(c.Ov)))
	r.Outs.Has, r.Outs.Bytes = spec.OutBytes, n
	return r, err
}

func (m *machine) WriteFile(c *spec.WriteFileCall) (spec.Result, error) {
	n := uint32(spec.Poison)
	r, err := boolResult(m.t.WriteFile(m.e.handle(c.H), m.fileBuf(&c.FileArgs), &n, m.e.ov(c.Ov)))
	r.Outs.Has, r.Outs.Bytes = spec.OutBytes, n
	return r, err
}

func (m *machine) ReadFileEx(c *spec.ReadFileExCall) (spec.Result, error) {
	return boolResult(m.t.ReadFileEx(m.e.handle(c.H), m.fileBuf(&c.FileArgs), m.e.ov(c.Ov), m.e.objs[c.Routine.Decl].fileFn))
}

func (m *machine) WriteFileEx(c *spec.WriteFileExCall) (spec.Result, error) {
	return boolResult(m.t.WriteFileEx(m.e.handle(c.H), m.fileBuf(&c.FileArgs), m.e.ov(c.Ov), m.e.objs[c.Routine.Decl].fileFn))
}

func (m *machine) CancelIo(c *spec.CancelIoCall) (spec.Result, error) {
	return boolResult(m.t.CancelIo(m.e.handle(c.H)))
}

func (m *machine) CancelIoEx(c *spec.CancelIoExCall) (spec.Result, error) {
	return boolResult(m.t.CancelIoEx(m.e.handle(c.H), m.e.ov(c.Ov)))
}

func (m *machine) CreateIoCompletionPort(c *spec.CreateIoCompletionPortCall) (spec.Result, error) {
	_, err := m.t.CreateIoCompletionPort(m.e.handle(c.File), m.e.handle(c.Port), uintptr(c.Key), 0)
	en, err := errnoOf(err)
	if en != 0 {
		return spec.Result{Err: en}, err
	}
	return spec.Result{Ret: 1}, err
}

func (m *machine) GetQueuedCompletionStatus(c *spec.GetQueuedCompletionStatusCall) (spec.Result, error) {
	n, key := uint32(spec.Poison), uintptr(spec.Poison)
	ov := &emu.Overlapped{} // a stand-in value: "untouched" unless written
	sentinel := ov
	r, err := boolResult(m.t.GetQueuedCompletionStatus(m.e.handle(c.Port), &n, &key, &ov, c.Ms))
	r.Outs.Has = spec.OutBytes | spec.OutKey | spec.OutOv
	r.Outs.Bytes, r.Outs.Key = n, uint32(key)
	if ov == sentinel {
		r.Outs.Ov = spec.Ref{Name: "untouched", Decl: spec.RefUntouched}
	} else {
		r.Outs.Ov = m.e.ovRef(ov)
	}
	return r, err
}

func (m *machine) GetQueuedCompletionStatusEx(c *spec.GetQueuedCompletionStatusExCall) (spec.Result, error) {
	entries := m.e.lent.pentry.take(int(c.Count))
	removed := uint32(spec.Poison)
	r, err := boolResult(m.t.GetQueuedCompletionStatusEx(m.e.handle(c.Port), entries, &removed, c.Ms, c.Alertable))
	r.Outs.Has, r.Outs.Removed = spec.OutRemoved, removed
	if got := entries[:min(int(removed), len(entries))]; r.Err == 0 && len(got) > 0 {
		r.Outs.Entries = m.e.lent.ents.take(len(got))
		for i, en := range got {
			r.Outs.Entries[i] = spec.PortEntry{Ov: m.e.ovRef(en.Overlapped), Bytes: en.NumberOfBytesTransferred, Key: uint64(en.CompletionKey), Status: uint64(en.Internal)}
		}
	}
	return r, err
}

func (m *machine) PostQueuedCompletionStatus(c *spec.PostQueuedCompletionStatusCall) (spec.Result, error) {
	return boolResult(m.t.PostQueuedCompletionStatus(m.e.handle(c.Port), c.Bytes, uintptr(c.Key), m.e.ov(c.Ov)))
}

func (m *machine) SetFileCompletionNotificationModes(c *spec.SetFileCompletionNotificationModesCall) (spec.Result, error) {
	return boolResult(m.t.SetFileCompletionNotificationModes(m.e.handle(c.H), c.Flags))
}

func (m *machine) PeekNamedPipe(c *spec.PeekNamedPipeCall) (spec.Result, error) {
	var buf []byte
	if c.Buf.Valid() {
		buf = m.e.objs[c.Buf.Decl].buf[:c.Len]
	}
	n, avail, left := uint32(spec.Poison), uint32(spec.Poison), uint32(spec.Poison)
	pn, pa, pl := &n, &avail, &left
	if c.NullRead {
		pn = nil
	}
	if c.NullAvail {
		pa = nil
	}
	if c.NullLeft {
		pl = nil
	}
	r, err := boolResult(m.t.PeekNamedPipe(m.e.handle(c.H), buf, pn, pa, pl))
	r.Outs.Has = spec.OutBytes | spec.OutAvail | spec.OutLeft
	r.Outs.Bytes, r.Outs.Avail, r.Outs.Left = n, avail, left
	return r, err
}

func (m *machine) DuplicateHandle(c *spec.DuplicateHandleCall) (spec.Result, error) {
	h, err := m.t.DuplicateHandle(m.e.handle(c.Src))
	r, err := boolResult(err)
	if r.Err == 0 {
		m.e.objs[c.Target.Decl].h = h
	}
	return r, err
}

func (m *machine) ReleaseOverlapped(c *spec.ReleaseOverlappedCall) (spec.Result, error) {
	m.t.ReleaseOverlapped(m.e.ov(c.Ov))
	return spec.Result{}, nil
}

func (m *machine) ReleaseBuffer(c *spec.ReleaseBufferCall) (spec.Result, error) {
	m.t.ReleaseBuffer(m.e.objs[c.Buf.Decl].buf)
	return spec.Result{}, nil
}

// ovRef names the record at an address.
func (e *Emulator) ovRef(ov *emu.Overlapped) spec.Ref {
	if i, ok := e.ovIndex[ov]; ok && i < len(e.objs) && e.objs[i].ov == ov {
		return spec.Ref{Name: e.objs[i].decl.Name, Decl: i}
	}
	if ov == nil {
		return spec.Ref{Name: "NULL", Decl: spec.RefNull}
	}
	return spec.Ref{Name: "?", Decl: spec.RefUnknown}
}
