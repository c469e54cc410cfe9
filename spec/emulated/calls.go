package spec

import (
	"encoding/binary"
	"errors"
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
}

var _ Machine = (*machine)(nil)

// handle is the emulated handle an argument stands for.
func (e *Emulator) handle(h Handle) emu.Handle {
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

func (e *Emulator) ov(r Ref) *emu.Overlapped {
	if !r.Valid() {
		return nil
	}
	return e.objs[r.Decl].ov
}

func (e *Emulator) bufs(a *IOArgs) []emu.WSABUF {
	if a.Bufs == nil {
		return nil
	}
	out := make([]emu.WSABUF, len(a.Bufs))
	for i, r := range a.Bufs {
		b := e.objs[r.Decl].buf
		out[i] = emu.WSABUF{Len: uint32(len(b)), Buf: b}
	}
	if a.HasLen {
		out[0].Len = a.Len
	}
	return out
}

func (e *Emulator) wsaRoutine(r Ref) emu.WSACompletionRoutine {
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
	var en wso.Errno
	if errors.As(err, &en) {
		return en, nil
	}
	return 0, err
}

func intResult(err error) (Result, error) {
	en, err := errnoOf(err)
	if en != 0 {
		return Result{Ret: SocketError, Err: en}, err
	}
	return Result{}, err
}

func boolResult(err error) (Result, error) {
	en, err := errnoOf(err)
	if en != 0 {
		return Result{Err: en}, err
	}
	return Result{Ret: 1}, err
}

func waitResult(r uint32, err error) (Result, error) {
	en, err := errnoOf(err)
	return Result{Ret: uint64(r), Err: en}, err
}

func (m *machine) SleepEx(c *SleepExCall) (Result, error) {
	return Result{Ret: uint64(m.t.SleepEx(c.Ms, c.Alertable))}, nil
}

func (m *machine) handles(w *WaitArgs) []emu.Handle {
	if w.Handles == nil {
		return nil
	}
	hs := make([]emu.Handle, len(w.Handles))
	for i, h := range w.Handles {
		hs[i] = m.e.handle(h)
	}
	return hs
}

func (m *machine) WaitForSingleObjectEx(c *WaitForSingleObjectExCall) (Result, error) {
	return waitResult(m.t.WaitForSingleObjectEx(m.e.handle(c.Handles[0]), c.Ms, c.Alertable))
}

func (m *machine) WaitForMultipleObjectsEx(c *WaitForMultipleObjectsExCall) (Result, error) {
	return waitResult(m.t.WaitForMultipleObjectsEx(m.handles(&c.WaitArgs), c.All, c.Ms, c.Alertable))
}

func (m *machine) WSAWaitForMultipleEvents(c *WSAWaitForMultipleEventsCall) (Result, error) {
	return waitResult(m.t.WSAWaitForMultipleEvents(m.handles(&c.WaitArgs), c.All, c.Ms, c.Alertable))
}

func (m *machine) SetEvent(c *SetEventCall) (Result, error) {
	return boolResult(m.t.SetEvent(m.e.handle(c.H)))
}

func (m *machine) ResetEvent(c *ResetEventCall) (Result, error) {
	return boolResult(m.t.ResetEvent(m.e.handle(c.H)))
}

func (m *machine) WSASetEvent(c *WSASetEventCall) (Result, error) {
	return boolResult(m.t.WSASetEvent(m.e.handle(c.H)))
}

func (m *machine) WSAResetEvent(c *WSAResetEventCall) (Result, error) {
	return boolResult(m.t.WSAResetEvent(m.e.handle(c.H)))
}

func (m *machine) WSACloseEvent(c *WSACloseEventCall) (Result, error) {
	return boolResult(m.t.WSACloseEvent(m.e.handle(c.H)))
}

func (m *machine) CloseHandle(c *CloseHandleCall) (Result, error) {
	return boolResult(m.t.CloseHandle(m.e.handle(c.H)))
}

func (m *machine) QueueUserAPC(c *QueueUserAPCCall) (Result, error) {
	return boolResult(m.t.QueueUserAPC(m.e.objs[c.APC.Decl].apcFn, m.e.handle(c.Thread), uintptr(c.Param)))
}

func (m *machine) ExitThread(c *ExitThreadCall) (Result, error) {
	m.t.ExitThread(c.Code)
	return Result{}, nil
}

func (m *machine) WSAStartup(c *WSAStartupCall) (Result, error) {
	var d emu.WSAData
	en, err := errnoOf(m.t.WSAStartup(0x0202, &d))
	return Result{Ret: uint64(en), Err: en}, err
}

func (m *machine) WSACleanup(c *WSACleanupCall) (Result, error) {
	return intResult(m.t.WSACleanup())
}

// count is a poisoned byte count, or nil for nullbytes.
func count(n *uint32, null bool) *uint32 {
	*n = Poison
	if null {
		return nil
	}
	return n
}

func (m *machine) WSASend(c *WSASendCall) (Result, error) {
	var n uint32
	r, err := intResult(m.t.WSASend(emu.SOCKET(m.e.handle(c.Socket)), m.e.bufs(&c.IOArgs), count(&n, c.NullBytes), c.Flags, m.e.ov(c.Ov), m.e.wsaRoutine(c.Routine)))
	r.Outs.Has, r.Outs.Bytes = OutBytes, n
	return r, err
}

func (m *machine) WSASendTo(c *WSASendToCall) (Result, error) {
	var n uint32
	r, err := intResult(m.t.WSASendTo(emu.SOCKET(m.e.handle(c.Socket)), m.e.bufs(&c.IOArgs), count(&n, c.NullBytes), c.Flags, c.To, c.Namelen, m.e.ov(c.Ov), m.e.wsaRoutine(c.Routine)))
	r.Outs.Has, r.Outs.Bytes = OutBytes, n
	return r, err
}

func (m *machine) WSARecv(c *WSARecvCall) (Result, error) {
	var n uint32
	fl := c.Flags
	r, err := intResult(m.t.WSARecv(emu.SOCKET(m.e.handle(c.Socket)), m.e.bufs(&c.IOArgs), count(&n, c.NullBytes), &fl, m.e.ov(c.Ov), m.e.wsaRoutine(c.Routine)))
	r.Outs.Has, r.Outs.Bytes, r.Outs.Flags = OutBytes|OutFlags, n, fl
	return r, err
}

func (m *machine) WSARecvFrom(c *WSARecvFromCall) (Result, error) {
	var n uint32
	fl := c.Flags
	from := new(netip.AddrPort)
	fromlen := int32(provider.SizeofSockaddrInet6)
	ov := m.e.ov(c.Ov)
	r, err := intResult(m.t.WSARecvFrom(emu.SOCKET(m.e.handle(c.Socket)), m.e.bufs(&c.IOArgs), count(&n, c.NullBytes), &fl, from, &fromlen, ov, m.e.wsaRoutine(c.Routine)))
	r.Outs.Has, r.Outs.Bytes, r.Outs.Flags = OutBytes|OutFlags, n, fl
	if ov == nil && r.Err == 0 {
		r.Outs.Has |= OutFrom
		r.Outs.From = *from
	}
	return r, err
}

func (m *machine) WSASendMsg(c *WSASendMsgCall) (Result, error) {
	msg := &emu.WSAMSG{Buffers: m.e.bufs(&c.IOArgs), Flags: c.MsgFlags}
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
	var n uint32
	r, err := intResult(m.t.WSASendMsg(emu.SOCKET(m.e.handle(c.Socket)), msg, c.Flags, count(&n, c.NullBytes), m.e.ov(c.Ov), m.e.wsaRoutine(c.Routine)))
	r.Outs.Has, r.Outs.Bytes = OutBytes, n
	return r, err
}

func (m *machine) WSARecvMsg(c *WSARecvMsgCall) (Result, error) {
	msg := &emu.WSAMSG{Buffers: m.e.bufs(&c.IOArgs), Flags: c.MsgFlags}
	var from netip.AddrPort
	msg.Name, msg.Namelen = &from, provider.SizeofSockaddrInet6
	if c.HasControl {
		msg.Control = emu.WSABUF{Len: uint32(c.Control), Buf: make([]byte, c.Control)}
	}
	var n uint32
	r, err := intResult(m.t.WSARecvMsg(emu.SOCKET(m.e.handle(c.Socket)), msg, count(&n, c.NullBytes), m.e.ov(c.Ov), m.e.wsaRoutine(c.Routine)))
	r.Outs.Has, r.Outs.Bytes, r.Outs.MsgFlags = OutBytes|OutMsgFlags, n, msg.Flags
	if from.IsValid() {
		r.Outs.Has |= OutFrom
		r.Outs.From = from
	}
	if a, _, ok := provider.ParsePktinfo(msg.Control.Buf[:min(int(msg.Control.Len), len(msg.Control.Buf))]); ok {
		r.Outs.Has |= OutDst
		r.Outs.Dst = a
	}
	return r, err
}

func (m *machine) WSAGetOverlappedResult(c *WSAGetOverlappedResultCall) (Result, error) {
	n, fl := uint32(Poison), uint32(Poison)
	r, err := boolResult(m.t.WSAGetOverlappedResult(emu.SOCKET(m.e.handle(c.H)), m.e.ov(c.Ov), &n, c.Wait, &fl))
	r.Outs.Has, r.Outs.Bytes, r.Outs.Flags = OutBytes|OutFlags, n, fl
	return r, err
}

func (m *machine) GetOverlappedResult(c *GetOverlappedResultCall) (Result, error) {
	n := uint32(Poison)
	r, err := boolResult(m.t.GetOverlappedResult(m.e.handle(c.H), m.e.ov(c.Ov), &n, c.Wait))
	r.Outs.Has, r.Outs.Bytes = OutBytes, n
	return r, err
}

func (m *machine) GetOverlappedResultEx(c *GetOverlappedResultExCall) (Result, error) {
	n := uint32(Poison)
	r, err := boolResult(m.t.GetOverlappedResultEx(m.e.handle(c.H), m.e.ov(c.Ov), &n, c.Ms, c.Alertable))
	r.Outs.Has, r.Outs.Bytes = OutBytes, n
	return r, err
}

func (m *machine) WSAIoctl(c *WSAIoctlCall) (Result, error) {
	var outb []byte
	if c.OutLen >= 0 {
		outb = make([]byte, c.OutLen)
	}
	ret := uint32(Poison)
	r, err := intResult(m.t.WSAIoctl(emu.SOCKET(m.e.handle(c.Socket)), c.Code, c.In, outb, &ret, m.e.ov(c.Ov), m.e.wsaRoutine(c.Routine)))
	r.Outs.Has, r.Outs.Bytes = OutBytes, ret
	if len(outb) >= 4 && r.Err == 0 {
		r.Outs.Has |= OutValue
		r.Outs.Value = binary.LittleEndian.Uint32(outb)
	}
	return r, err
}

func (m *machine) Closesocket(c *ClosesocketCall) (Result, error) {
	return intResult(m.t.Closesocket(emu.SOCKET(m.e.handle(c.H))))
}

func (m *machine) Shutdown(c *ShutdownCall) (Result, error) {
	return intResult(m.t.Shutdown(emu.SOCKET(m.e.handle(c.Socket)), c.How))
}

func (m *machine) Bind(c *BindCall) (Result, error) {
	return intResult(m.t.Bind(emu.SOCKET(m.e.handle(c.Socket)), c.Addr, c.Namelen))
}

func (m *machine) Connect(c *ConnectCall) (Result, error) {
	return intResult(m.t.Connect(emu.SOCKET(m.e.handle(c.Socket)), c.Addr, c.Namelen))
}

func (m *machine) Getsockname(c *GetsocknameCall) (Result, error) {
	a, err := m.t.Getsockname(emu.SOCKET(m.e.handle(c.H)))
	r, err := intResult(err)
	if r.Err == 0 {
		r.Outs.Has, r.Outs.Addr = OutAddr, a
	}
	return r, err
}

func (m *machine) Setsockopt(c *SetsockoptCall) (Result, error) {
	return intResult(m.t.Setsockopt(emu.SOCKET(m.e.handle(c.Socket)), c.Level, c.Name, binary.LittleEndian.AppendUint32(nil, c.Value)))
}

func (m *machine) Getsockopt(c *GetsockoptCall) (Result, error) {
	val := make([]byte, 4)
	l := int32(4)
	r, err := intResult(m.t.Getsockopt(emu.SOCKET(m.e.handle(c.Socket)), c.Level, c.Name, val, &l))
	if r.Err == 0 {
		r.Outs.Has, r.Outs.Value = OutValue, binary.LittleEndian.Uint32(val)
	}
	return r, err
}

func (m *machine) fileBuf(a *FileArgs) []byte { return m.e.objs[a.Buf.Decl].buf[:a.Len] }

func (m *machine) ReadFile(c *ReadFileCall) (Result, error) {
	n := uint32(Poison)
	r, err := boolResult(m.t.ReadFile(m.e.handle(c.H), m.fileBuf(&c.FileArgs), &n, m.e.ov(c.Ov)))
	r.Outs.Has, r.Outs.Bytes = OutBytes, n
	return r, err
}

func (m *machine) WriteFile(c *WriteFileCall) (Result, error) {
	n := uint32(Poison)
	r, err := boolResult(m.t.WriteFile(m.e.handle(c.H), m.fileBuf(&c.FileArgs), &n, m.e.ov(c.Ov)))
	r.Outs.Has, r.Outs.Bytes = OutBytes, n
	return r, err
}

func (m *machine) ReadFileEx(c *ReadFileExCall) (Result, error) {
	return boolResult(m.t.ReadFileEx(m.e.handle(c.H), m.fileBuf(&c.FileArgs), m.e.ov(c.Ov), m.e.objs[c.Routine.Decl].fileFn))
}

func (m *machine) WriteFileEx(c *WriteFileExCall) (Result, error) {
	return boolResult(m.t.WriteFileEx(m.e.handle(c.H), m.fileBuf(&c.FileArgs), m.e.ov(c.Ov), m.e.objs[c.Routine.Decl].fileFn))
}

func (m *machine) CancelIo(c *CancelIoCall) (Result, error) {
	return boolResult(m.t.CancelIo(m.e.handle(c.H)))
}

func (m *machine) CancelIoEx(c *CancelIoExCall) (Result, error) {
	return boolResult(m.t.CancelIoEx(m.e.handle(c.H), m.e.ov(c.Ov)))
}

func (m *machine) CreateIoCompletionPort(c *CreateIoCompletionPortCall) (Result, error) {
	_, err := m.t.CreateIoCompletionPort(m.e.handle(c.File), m.e.handle(c.Port), uintptr(c.Key), 0)
	en, err := errnoOf(err)
	if en != 0 {
		return Result{Err: en}, err
	}
	return Result{Ret: 1}, err
}

func (m *machine) GetQueuedCompletionStatus(c *GetQueuedCompletionStatusCall) (Result, error) {
	n, key := uint32(Poison), uintptr(Poison)
	ov := &emu.Overlapped{} // a stand-in value: "untouched" unless written
	sentinel := ov
	r, err := boolResult(m.t.GetQueuedCompletionStatus(m.e.handle(c.Port), &n, &key, &ov, c.Ms))
	r.Outs.Has = OutBytes | OutKey | OutOv
	r.Outs.Bytes, r.Outs.Key = n, uint32(key)
	if ov == sentinel {
		r.Outs.Ov = Ref{Name: "untouched", Decl: RefUntouched}
	} else {
		r.Outs.Ov = m.e.ovRef(ov)
	}
	return r, err
}

func (m *machine) GetQueuedCompletionStatusEx(c *GetQueuedCompletionStatusExCall) (Result, error) {
	entries := make([]emu.OverlappedEntry, c.Count)
	removed := uint32(Poison)
	r, err := boolResult(m.t.GetQueuedCompletionStatusEx(m.e.handle(c.Port), entries, &removed, c.Ms, c.Alertable))
	r.Outs.Has, r.Outs.Removed = OutRemoved, removed
	if r.Err == 0 {
		for _, en := range entries[:min(int(removed), len(entries))] {
			r.Outs.Entries = append(r.Outs.Entries, PortEntry{Ov: m.e.ovRef(en.Overlapped), Bytes: en.NumberOfBytesTransferred, Key: uint64(en.CompletionKey), Status: uint64(en.Internal)})
		}
	}
	return r, err
}

func (m *machine) PostQueuedCompletionStatus(c *PostQueuedCompletionStatusCall) (Result, error) {
	return boolResult(m.t.PostQueuedCompletionStatus(m.e.handle(c.Port), c.Bytes, uintptr(c.Key), m.e.ov(c.Ov)))
}

func (m *machine) SetFileCompletionNotificationModes(c *SetFileCompletionNotificationModesCall) (Result, error) {
	return boolResult(m.t.SetFileCompletionNotificationModes(m.e.handle(c.H), c.Flags))
}

func (m *machine) ReleaseOverlapped(c *ReleaseOverlappedCall) (Result, error) {
	m.t.ReleaseOverlapped(m.e.ov(c.Ov))
	return Result{}, nil
}

func (m *machine) ReleaseBuffer(c *ReleaseBufferCall) (Result, error) {
	m.t.ReleaseBuffer(m.e.objs[c.Buf.Decl].buf)
	return Result{}, nil
}

// ovRef names the record at an address.
func (e *Emulator) ovRef(ov *emu.Overlapped) Ref {
	if i, ok := e.ovDecl[ov]; ok {
		return Ref{Name: e.objs[i].decl.Name, Decl: i}
	}
	if ov == nil {
		return Ref{Name: "NULL", Decl: RefNull}
	}
	return Ref{Name: "?", Decl: RefUnknown}
}
