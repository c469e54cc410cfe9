package emu

import (
	"math/bits"
	"time"

	"github.com/wsaemu/wsaemu/apcqueue"
	"github.com/wsaemu/wsaemu/provider"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// socket is a socket handle's object. For an IFS provider it is a kernel
// file object (requests, completion port, waitable state all live in the
// kernel); for a non-IFS provider it is the handle WPUCreateSocketHandle
// made, which the ws2 layer can still associate with a completion port.
type socket struct {
	fileObject
	ifs        bool
	context    uintptr
	overlapped bool
	// recvMsgOvs holds the records whose last overlapped call on this
	// socket was a WSARecvMsg (IFS provider): Windows' WSAGetOverlappedResult
	// leaves *lpdwFlags alone for them (profile.keepResultFlagsAfterRecvMsg).
	// Made on first use.
	recvMsgOvs map[*Overlapped]struct{}
}

// noteIssue records which call last used ov on k, for the flags rule of
// WSAGetOverlappedResult.
//
//go:noinline
func (k *socket) noteIssue(ov *Overlapped, recvMsg bool) {
	switch {
	case recvMsg:
		if k.recvMsgOvs == nil {
			k.recvMsgOvs = make(map[*Overlapped]struct{})
		}
		k.recvMsgOvs[ov] = struct{}{}
	case len(k.recvMsgOvs) > 0:
		delete(k.recvMsgOvs, ov)
	}
}

// lastIssuedRecvMsg reports whether ov's last overlapped call on k was a
// WSARecvMsg.
func (k *socket) lastIssuedRecvMsg(ov *Overlapped) bool {
	if len(k.recvMsgOvs) == 0 {
		return false
	}
	_, ok := k.recvMsgOvs[ov]
	return ok
}

// kindSocket is the ws2 layer's kind of kernel object.
const kindSocket = kindAbove

func (k *socket) kind() objKind { return kindSocket }

// close implements object: closing a socket's handle is closing the
// socket, which asks the provider (it releases the handle through
// WPUCloseSocketHandle or IFSCloseSocketHandle).
func (k *socket) close(s *System, _ *Thread, h Handle) Errno {
	if s.ws2.prov == nil {
		s.handles.remove(h)
		return 0
	}
	return s.ws2.prov.WSPCloseSocket(provider.SOCKET(k.handle))
}

// cancelIO implements fileLike. A non-IFS provider keeps its own requests,
// out of the I/O manager's sight: it is asked first to cancel the ones
// that match; then the kernel requests (an IFS socket's) are cancelled.
func (k *socket) cancelIO(s *System, ov *Overlapped, by *Thread) bool {
	found := false
	if !k.ifs {
		var tid *provider.WSATHREADID
		if by != nil {
			tid = &provider.WSATHREADID{ThreadHandle: by.handle, Reserved: uintptr(by.id)}
		}
		found = s.ws2.prov.Cancel(provider.SOCKET(k.handle), ov, tid) > 0
	}
	return k.fileObject.cancelIO(s, ov, by) || found
}

// cancel implements device for IFS sockets: the provider is asked to cancel
// the operation that uses r's record; it completes it through
// IFSCompleteRequest (or not, if its result is already decided).
func (k *socket) cancel(s *System, r *request) {
	if r.op == afdOp {
		s.afdCancel(r) // ws2_afd.go: the poll is the I/O manager's own
		return
	}
	if s.ws2.prov != nil {
		s.ws2.prov.Cancel(provider.SOCKET(k.handle), r.ov, nil)
	}
}

// cancelAtThreadExit implements device: the profile's rule for sockets.
func (k *socket) cancelAtThreadExit(s *System, _ *request) bool {
	return s.profile.cancelSocketIOAtThreadExit()
}

// upcalls is the WSPUPCALLTABLE the System hands its provider.
type upcalls struct{ s *System }

var _ provider.Upcalls = (*upcalls)(nil)

func (u *upcalls) newSocket(ifs bool, ctx uintptr) provider.SOCKET {
	k := u.s.ws2.rec.sockets.get(u.s.reusable())
	k.ifs, k.context = ifs, ctx
	k.dev = k
	k.handle = u.s.handles.add(k)
	return provider.SOCKET(k.handle)
}

func (u *upcalls) socketObj(s provider.SOCKET) *socket {
	k, _ := u.s.handles.get(Handle(s)).(*socket)
	return k
}

// WPUCreateSocketHandle implements the upcall: a socket handle for a
// non-IFS provider.
// https://learn.microsoft.com/windows/win32/api/ws2spi/nf-ws2spi-wpucreatesockethandle
func (u *upcalls) WPUCreateSocketHandle(catalogEntryID uint32, context uintptr) (provider.SOCKET, Errno) {
	return u.newSocket(false, context), 0
}

// WPUCloseSocketHandle implements the upcall.
// https://learn.microsoft.com/windows/win32/api/ws2spi/nf-ws2spi-wpuclosesockethandle
func (u *upcalls) WPUCloseSocketHandle(s provider.SOCKET) Errno {
	k := u.socketObj(s)
	if k == nil || k.ifs {
		return wso.WSAENOTSOCK
	}
	u.s.handles.remove(Handle(s))
	return 0
}

// WPUQuerySocketHandleContext implements the upcall.
// https://learn.microsoft.com/windows/win32/api/ws2spi/nf-ws2spi-wpuquerysockethandlecontext
func (u *upcalls) WPUQuerySocketHandleContext(s provider.SOCKET) (uintptr, Errno) {
	k := u.socketObj(s)
	if k == nil {
		return 0, wso.WSAENOTSOCK
	}
	return k.context, 0
}

// WPUCompleteOverlappedRequest implements the upcall: it writes
// InternalHigh (the byte count) and then Internal, then signals hEvent if
// there is one and posts a packet if the socket is bound to a completion
// port (not when hEvent has its low bit set). It never runs a completion
// routine, and fails with WSAEINVAL for a handle that did not come from
// WPUCreateSocketHandle.
// https://learn.microsoft.com/windows/win32/api/ws2spi/nf-ws2spi-wpucompleteoverlappedrequest
func (u *upcalls) WPUCompleteOverlappedRequest(s provider.SOCKET, ov *Overlapped, err Errno, bytes uint32) Errno {
	sys := u.s
	k := u.socketObj(s)
	if k == nil || k.ifs {
		return wso.WSAEINVAL
	}
	if ov == nil {
		return wso.WSAEFAULT
	}
	sys.progressed()
	wso.CompleteNonIFS(ov, bytes, sys.observer())
	if sys.trace != nil {
		sys.emit(Event{Thread: sys.current.tid(), Kind: EvComplete, Name: "WPUCompleteOverlappedRequest", Handle: Handle(s), Ov: sys.OverlappedID(ov), Old: uint64(err), New: uint64(bytes), Text: err.Name()})
	}
	if ev, ok := sys.handles.get(ov.HEvent &^ 1).(*event); ok {
		sys.setEvent(ev)
	}
	if k.port != nil && ov.HEvent&1 == 0 {
		sys.postPacket(k.port, packet{key: k.portKey, ov: ov, n: bytes, errno: err})
	}
	return 0
}

// WPUQueueApc implements the upcall: fn(context) is queued as an APC to the
// thread tid names (by the thread id the ws2 layer put in Reserved). It
// runs in that thread's next alertable wait. A thread that does not exist
// or has exited is WSAEFAULT, the page's code for "does not specify a valid
// thread".
// https://learn.microsoft.com/windows/win32/api/ws2spi/nf-ws2spi-wpuqueueapc
func (u *upcalls) WPUQueueApc(tid *provider.WSATHREADID, fn func(context uintptr), context uintptr) Errno {
	if tid == nil || fn == nil {
		return wso.WSAEFAULT
	}
	id := int(tid.Reserved)
	if id < 1 || id > len(u.s.threads) {
		return wso.WSAEFAULT
	}
	t := u.s.threads[id-1]
	if !u.s.queueAPC(t, apcqueue.Completion, 0, apc{prov: fn, param: context}) {
		return wso.WSAEFAULT
	}
	return 0
}

// kernelHandleBit marks the handle values of the provider's own events
// (the top bit, as kernel handles on 64-bit Windows have it set). Those
// events live in a table of their own, System.kernel, that no call a
// program makes looks in: SetEvent, CloseHandle or a wait on a stale handle
// value can only reach the program's own objects.
//
// Why: a provider's blocking call waits on an event it made for itself. On
// Windows that synchronisation belongs to the provider and the driver under
// it, and a program's stale handle value does not reach it by accident.
// When these events sat in the program's table, SetEvent or CloseHandle on
// a stale value (or a non-IFS completion signalling an hEvent the program
// had closed and whose value was reused) released a blocking receive that
// had nothing to receive (issue 9).
const kernelHandleBit Handle = 1 << (bits.UintSize - 1)

// ProviderOwned reports whether h is the handle of one of the provider's
// own events (see kernelHandleBit): a value no program call can reach,
// which timelines show as the provider's rather than by number.
func ProviderOwned(h Handle) bool { return h&kernelHandleBit != 0 }

// WPUCreateEvent implements the upcall: a manual-reset event, not
// signalled, private to the provider (see kernelHandleBit).
// https://learn.microsoft.com/windows/win32/api/ws2spi/nf-ws2spi-wpucreateevent
func (u *upcalls) WPUCreateEvent() (Handle, Errno) {
	e := u.s.rec.events.get(u.s.reusable())
	e.manual = true
	e.handle = u.s.kernel.add(e) | kernelHandleBit
	return e.handle, 0
}

// wpuEvent resolves an event handle given to a WPU upcall: one of the
// provider's own events, or an event of the program (a record's hEvent).
func (s *System) wpuEvent(h Handle) *event {
	if h&kernelHandleBit != 0 {
		ev, _ := s.kernel.get(h &^ kernelHandleBit).(*event)
		return ev
	}
	ev, _ := s.handles.get(h).(*event)
	return ev
}

func (u *upcalls) eventOp(h Handle, set bool) Errno {
	ev := u.s.wpuEvent(h)
	if ev == nil {
		return wso.WSA_INVALID_HANDLE
	}
	if set {
		u.s.setEvent(ev)
	} else if ev.state {
		u.s.resetEvent(ev)
	}
	return 0
}

// WPUSetEvent implements the upcall.
func (u *upcalls) WPUSetEvent(h Handle) Errno { return u.eventOp(h, true) }

// WPUResetEvent implements the upcall.
func (u *upcalls) WPUResetEvent(h Handle) Errno { return u.eventOp(h, false) }

// WPUCloseEvent implements the upcall.
func (u *upcalls) WPUCloseEvent(h Handle) Errno {
	if u.s.wpuEvent(h) == nil {
		return wso.WSA_INVALID_HANDLE
	}
	if h&kernelHandleBit != 0 {
		u.s.kernel.remove(h &^ kernelHandleBit)
	} else {
		u.s.handles.remove(h)
	}
	return 0
}

// IFSCreateSocketHandle makes a socket handle that is a kernel file object.
func (u *upcalls) IFSCreateSocketHandle(context uintptr) (provider.SOCKET, Errno) {
	return u.newSocket(true, context), 0
}

// IFSCloseSocketHandle closes one.
func (u *upcalls) IFSCloseSocketHandle(s provider.SOCKET) Errno {
	k := u.socketObj(s)
	if k == nil || !k.ifs {
		return wso.WSAENOTSOCK
	}
	u.s.handles.remove(Handle(s))
	return 0
}

// IFSCompleteRequest is the driver completing the kernel request issued on
// s with ov: it goes through the I/O manager's one completion path.
func (u *upcalls) IFSCompleteRequest(s provider.SOCKET, ov *Overlapped, status NTStatus, bytes uint32, flags uint32) {
	sys := u.s
	k := u.socketObj(s)
	if k == nil {
		sys.note(sys.current, "IFSCompleteRequest for a handle that is not a socket: %#x", uint64(s))
		return
	}
	for r := k.pending.head; r != nil; r = r.fileNext {
		if r.ov == ov && r.state == reqWaiting {
			r.immediate = r == sys.ws2.issuing
			r.flags = flags
			if !sys.profile.routineGetsRecvFlags() {
				r.flags = 0
			}
			sys.finish(r, status, bytes)
			return
		}
	}
	sys.note(sys.current, "IFSCompleteRequest: no pending request on %#x uses ov%d", uint64(s), sys.OverlappedID(ov))
}

// WaitForSingleObjectEx lets the provider block the calling thread.
func (u *upcalls) WaitForSingleObjectEx(h Handle, ms uint32, alertable bool) (uint32, Errno) {
	t := u.s.current
	if t == nil {
		return wso.WAIT_FAILED, wso.ERROR_INVALID_THREAD_ID
	}
	u.s.step(t) // a provider looping on waits is bound by the livelock budget too
	w := &t.w
	if h&kernelHandleBit != 0 {
		ev := u.s.wpuEvent(h)
		if ev == nil {
			return wso.WAIT_FAILED, wso.ERROR_INVALID_HANDLE
		}
		w.objs[0], w.n, w.all = ev, 1, false
	} else if e := t.resolveWaitables([]Handle{h}, false); e != 0 {
		t.clearWait()
		return wso.WAIT_FAILED, e
	}
	w.call, w.kind, w.alertable = "provider wait", waitObjects, alertable
	r := t.waitForObjects(ms)
	t.clearWait()
	return r, 0
}

// Now is the virtual clock.
func (u *upcalls) Now() time.Duration { return u.s.now }

// Pend asks the Chooser whether a completion that could be reported now is
// reported as pending instead.
func (u *upcalls) Pend() bool { return u.s.choose(PointPend, 2) == 1 }

// Unsettled asks the Chooser, in the windows profile only, whether the
// provider gives the answer Wine was seen to give (true) rather than the
// pages' (false) where no Windows observation settles which one Windows
// gives (PointUnsettled). The docs profile keeps the pages' answer and asks
// nothing.
func (u *upcalls) Unsettled() bool {
	return u.s.profile == ProfileWindows && u.s.choose(PointUnsettled, 2) == 1
}

// Split asks the Chooser, on a System built WithSplits, how many of max
// waiting bytes a stream receive takes (PointSplit): max usually, down to
// 1. Without WithSplits it answers max and asks nothing.
func (u *upcalls) Split(max int) int {
	if max < 2 || !u.s.splits {
		return max
	}
	return max - u.s.choose(PointSplit, max)
}

// Reset asks the Chooser, on a System built WithResets, whether the network
// ends a stream connection here (PointReset): 0 for no, else the status
// this side's requests end with — STATUS_CONNECTION_RESET (a reset came
// from the peer's side) or STATUS_CONNECTION_ABORTED (this side's stack
// gave up). Without WithResets it answers 0 and asks nothing.
func (u *upcalls) Reset() NTStatus {
	if !u.s.resets {
		return 0
	}
	switch u.s.choose(PointReset, 3) {
	case 1:
		return wso.STATUS_CONNECTION_RESET
	case 2:
		return wso.STATUS_CONNECTION_ABORTED
	}
	return 0
}

// Defer schedules d.Fire(context) as a system action.
func (u *upcalls) Defer(d provider.Deferrable, context uintptr) {
	u.s.schedule(action{name: "provider", fire: fireProvider, arg: uint64(context), dfr: d})
}

func fireProvider(s *System, a action) { a.dfr.Fire(uintptr(a.arg)) }

// Observer returns the trace's field observer.
func (u *upcalls) Observer() wso.Observer { return u.s.observer() }

// Note writes free text to the trace.
func (u *upcalls) Note(text string) { u.s.note(u.s.current, "%s", text) }
