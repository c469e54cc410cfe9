// Package layered is a non-IFS layered service provider (LSP) that sits
// above a base provider and reaches it only through the base's SPI, as a
// real LSP does: WSPStartup hands it the ws2 layer's upcall table, and it
// starts the base provider underneath with a table of its own.
//
// Its sockets are handles it makes with WPUCreateSocketHandle, each tied
// to one socket of the base provider. An overlapped call on one of them
// becomes a request of the layer's own on the base socket, with a record
// of the layer's own; when the base completes that request the layer
// completes the caller's record itself: it writes OffsetHigh and Offset,
// then WPUCompleteOverlappedRequest (event, completion port) or, for a
// completion routine, WPUQueueApc. That is the overlapped model of the
// "Layered Service Providers" pages and of the non-IFS LSP sample, which
// watches the base provider's completions on a private completion port.
// Here the private port is the upcall table the base receives:
// IFSCompleteRequest for one of the layer's records comes to the layer.
//
// https://learn.microsoft.com/windows/win32/api/ws2spi/nf-ws2spi-wspstartup (layered providers and protocol chains)
// https://learn.microsoft.com/windows/win32/api/ws2spi/nf-ws2spi-wpucompleteoverlappedrequest
//
// Because its handles are not IFS handles, its catalogue entries lack
// XP1_IFS_HANDLES and the I/O manager does not see its completions:
// WPUCompleteOverlappedRequest posts a packet to a port the socket is
// bound to even for a request that succeeded at once, whatever
// SetFileCompletionNotificationModes said. That is the reason the
// SetFileCompletionNotificationModes page gives for checking
// WSAEnumProtocols before using FILE_SKIP_COMPLETION_PORT_ON_SUCCESS on
// sockets, and what Go's internal/poll checks (src/internal/poll/fd_windows.go,
// checkSetFileCompletionNotificationModes, citing KB2568167: it uses the
// mode on sockets only when every TCP protocol entry has XP1_IFS_HANDLES).
// https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-setfilecompletionnotificationmodes
package layered

import (
	"encoding/binary"
	"net/netip"

	"github.com/wsaemu/wsaemu/provider"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

type (
	SOCKET            = provider.SOCKET
	Errno             = provider.Errno
	Overlapped        = provider.Overlapped
	WSABUF            = provider.WSABUF
	WSAMSG            = provider.WSAMSG
	WSATHREADID       = provider.WSATHREADID
	CompletionRoutine = provider.CompletionRoutine
	NTStatus          = provider.NTStatus
)

// CatalogEntryID is the layer's own catalogue entry (its LAYERED_PROTOCOL
// entry); its chains are numbered after it.
const CatalogEntryID = 2001

// Provider is the layered provider.
type Provider struct {
	base    provider.ServiceProvider
	up      provider.Upcalls // the ws2 layer's table
	bup     baseUpcalls      // the table the base provider receives
	started bool

	socks  map[SOCKET]*lsock // by the layer's handle; never iterated
	byBase map[SOCKET]*lsock // by the base socket's handle; never iterated
	reqs   map[*Overlapped]*req
	slots  []*req // every request ever allocated, by slot: iterated in slot order
	free   []*req

	apc func(uintptr)
}

// lsock is one of the layer's sockets.
type lsock struct {
	h, base    SOCKET
	overlapped bool
	inRoutine  []uintptr // threads (WSATHREADID.Reserved) running one of its routines
	held       []*req    // routines waiting for their thread's running routine to return
}

type reqState uint8

const (
	reqFree reqState = iota
	reqIssued
	reqRoutine // completed; its routine's APC is queued
)

// req is one overlapped request of the layer on a base socket, standing
// for the caller's request on the layer's socket.
type req struct {
	inner   Overlapped // the layer's own record, handed to the base
	ov      *Overlapped
	routine CompletionRoutine
	tid     WSATHREADID
	ls      *lsock
	send    bool
	slot    int
	gen     uint32
	state   reqState
	inCall  bool  // the base call that issued it has not returned yet
	done    bool  // the base completed it during that call
	err     Errno // the result: 0 or the WSA error
	failed  bool  // an error, not a warning: a routine is told 0 bytes
	n, fl   uint32
}

// New returns a layered provider over base. base is started by the
// layer's WSPStartup.
func New(base provider.ServiceProvider) *Provider {
	p := &Provider{
		base:   base,
		socks:  make(map[SOCKET]*lsock),
		byBase: make(map[SOCKET]*lsock),
		reqs:   make(map[*Overlapped]*req),
	}
	p.bup.p = p
	p.apc = p.runRoutine
	return p
}

// BaseSocket returns the base provider's socket beneath the layer's socket
// s (false if s is not one of the layer's).
func (p *Provider) BaseSocket(s SOCKET) (SOCKET, bool) {
	if ls := p.socks[s]; ls != nil {
		return ls.base, true
	}
	return 0, false
}

// Base returns the provider underneath.
func (p *Provider) Base() provider.ServiceProvider { return p.base }

// Kind implements ServiceProvider: a layer that makes its handles with
// WPUCreateSocketHandle is a non-IFS provider.
func (p *Provider) Kind() provider.Kind { return provider.NonIFS }

// baseUpcalls is the table the base provider receives: the ws2 layer's,
// except that the completion of one of the layer's own records comes to
// the layer (the LSP's private completion port).
type baseUpcalls struct {
	provider.Upcalls
	p *Provider
}

func (b *baseUpcalls) IFSCompleteRequest(s SOCKET, ov *Overlapped, st NTStatus, n uint32, fl uint32) {
	p := b.p
	r := p.reqs[ov]
	if r == nil || r.ls.base != s {
		b.Upcalls.IFSCompleteRequest(s, ov, st, n, fl)
		return
	}
	// The I/O manager writes the layer's record's status block.
	r.inner.Internal, r.inner.InternalHigh = uintptr(st), uintptr(n)
	r.n, r.fl, r.err, r.failed = n, fl, 0, st.IsError()
	if st != wso.STATUS_SUCCESS {
		r.err = st.WSAError()
	}
	if r.inCall {
		r.done = true // completed at once: the issuing call finishes it
		return
	}
	p.finish(r)
}

// WPUCompleteOverlappedRequest from a non-IFS base: the same as above.
func (b *baseUpcalls) WPUCompleteOverlappedRequest(s SOCKET, ov *Overlapped, err Errno, n uint32) Errno {
	p := b.p
	r := p.reqs[ov]
	if r == nil || r.ls.base != s {
		return b.Upcalls.WPUCompleteOverlappedRequest(s, ov, err, n)
	}
	r.err, r.n, r.fl, r.failed = err, n, ov.LoadOffset(), err != 0
	if r.inCall {
		r.done = true
		return 0
	}
	p.finish(r)
	return 0
}

// WSPStartup implements ServiceProvider: it keeps the ws2 layer's table
// and starts the base provider with its own.
// https://learn.microsoft.com/windows/win32/api/ws2spi/nf-ws2spi-wspstartup
func (p *Provider) WSPStartup(up provider.Upcalls) Errno {
	if up == nil {
		return wso.WSAEFAULT
	}
	p.up = up
	p.bup.Upcalls = up
	if e := p.base.WSPStartup(&p.bup); e != 0 {
		return e
	}
	p.started = true
	return 0
}

// WSPCleanup implements ServiceProvider: the base closes its sockets,
// which completes the layer's requests; then the layer's handles go.
func (p *Provider) WSPCleanup() Errno {
	if !p.started {
		return wso.WSANOTINITIALISED
	}
	e := p.base.WSPCleanup()
	for _, r := range p.slots {
		if r.state == reqIssued {
			p.finishWith(r, wso.WSA_OPERATION_ABORTED)
		}
	}
	// Close the layer's handles in creation order (handles grow).
	var hs []SOCKET
	for h := range p.socks {
		hs = append(hs, h)
	}
	sortSockets(hs)
	for _, h := range hs {
		p.up.WPUCloseSocketHandle(h)
		delete(p.socks, h)
	}
	clear(p.byBase)
	p.started = false
	return e
}

func sortSockets(hs []SOCKET) {
	for i := 1; i < len(hs); i++ {
		for j := i; j > 0 && hs[j] < hs[j-1]; j-- {
			hs[j], hs[j-1] = hs[j-1], hs[j]
		}
	}
}

// sock looks up one of the layer's sockets.
func (p *Provider) sock(s SOCKET) *lsock { return p.socks[s] }

// wrap makes the layer's handle for base socket b.
func (p *Provider) wrap(b SOCKET, overlapped bool) (SOCKET, Errno) {
	h, e := p.up.WPUCreateSocketHandle(CatalogEntryID, 0)
	if e != 0 {
		p.base.WSPCloseSocket(b)
		return provider.INVALID_SOCKET, e
	}
	ls := &lsock{h: h, base: b, overlapped: overlapped}
	p.socks[h] = ls
	p.byBase[b] = ls
	return h, 0
}

// WSPSocket implements ServiceProvider: a base socket, and the layer's
// handle for it.
func (p *Provider) WSPSocket(af, typ, protocol int32, flags uint32) (SOCKET, Errno) {
	if !p.started {
		return provider.INVALID_SOCKET, wso.WSANOTINITIALISED
	}
	b, e := p.base.WSPSocket(af, typ, protocol, flags)
	if e != 0 {
		return provider.INVALID_SOCKET, e
	}
	return p.wrap(b, flags&provider.WSA_FLAG_OVERLAPPED != 0)
}

// baseOf is the base socket under s: a handle that is not the layer's is
// passed down unchanged (the base provider's own handle, as
// SIO_BASE_HANDLE gives it, works directly on the base).
func (p *Provider) baseOf(s SOCKET) SOCKET {
	if ls := p.socks[s]; ls != nil {
		return ls.base
	}
	return s
}

func (p *Provider) WSPBind(s SOCKET, name *netip.AddrPort, namelen int32) Errno {
	return p.base.WSPBind(p.baseOf(s), name, namelen)
}

func (p *Provider) WSPConnect(s SOCKET, name *netip.AddrPort, namelen int32) Errno {
	return p.base.WSPConnect(p.baseOf(s), name, namelen)
}

func (p *Provider) WSPListen(s SOCKET, backlog int32) Errno {
	return p.base.WSPListen(p.baseOf(s), backlog)
}

// WSPAccept implements ServiceProvider: the base accepts, and the new
// base socket gets a handle of the layer's.
func (p *Provider) WSPAccept(s SOCKET, addr *netip.AddrPort, addrlen *int32) (SOCKET, Errno) {
	ls := p.socks[s]
	if ls == nil {
		return p.base.WSPAccept(s, addr, addrlen)
	}
	b, e := p.base.WSPAccept(ls.base, addr, addrlen)
	if e != 0 {
		return provider.INVALID_SOCKET, e
	}
	return p.wrap(b, ls.overlapped)
}

func (p *Provider) WSPGetSockName(s SOCKET) (netip.AddrPort, Errno) {
	return p.base.WSPGetSockName(p.baseOf(s))
}

func (p *Provider) WSPGetPeerName(s SOCKET) (netip.AddrPort, Errno) {
	return p.base.WSPGetPeerName(p.baseOf(s))
}

// WSPSetSockOpt implements ServiceProvider. SO_UPDATE_ACCEPT_CONTEXT's
// value is the listening socket: the layer's handle is replaced by the
// base socket beneath it before the option goes down.
func (p *Provider) WSPSetSockOpt(s SOCKET, level, name int32, val []byte) Errno {
	if level == provider.SOL_SOCKET && name == provider.SO_UPDATE_ACCEPT_CONTEXT && len(val) >= 8 {
		if ls := p.socks[SOCKET(binary.LittleEndian.Uint64(val))]; ls != nil {
			var v [8]byte
			binary.LittleEndian.PutUint64(v[:], uint64(ls.base))
			val = append(v[:], val[8:]...)
		}
	}
	return p.base.WSPSetSockOpt(p.baseOf(s), level, name, val)
}

func (p *Provider) WSPGetSockOpt(s SOCKET, level, name int32, val []byte, optlen *int32) Errno {
	return p.base.WSPGetSockOpt(p.baseOf(s), level, name, val, optlen)
}

func (p *Provider) WSPShutdown(s SOCKET, how int32) Errno {
	return p.base.WSPShutdown(p.baseOf(s), how)
}

// WSPCloseSocket implements ServiceProvider: the base socket is closed
// first (its pending requests complete, and the layer completes the
// caller's records while its handle is still open), then the layer's
// handle.
func (p *Provider) WSPCloseSocket(s SOCKET) Errno {
	ls := p.socks[s]
	if ls == nil {
		if o := p.byBase[s]; o != nil {
			// The base handle closed directly: the layer's socket has
			// nothing beneath it any more.
			delete(p.byBase, s)
		}
		return p.base.WSPCloseSocket(s)
	}
	e := p.base.WSPCloseSocket(ls.base)
	if e != 0 && e != wso.WSAENOTSOCK {
		return e
	}
	for _, r := range p.slots {
		if r.state == reqIssued && r.ls == ls {
			p.finishWith(r, wso.WSA_OPERATION_ABORTED)
		}
	}
	delete(p.byBase, ls.base)
	delete(p.socks, s)
	return p.up.WPUCloseSocketHandle(s)
}

// ---- requests ----

func (p *Provider) newReq(ls *lsock, ov *Overlapped, routine CompletionRoutine, tid *WSATHREADID) *req {
	var r *req
	if n := len(p.free); n > 0 {
		r = p.free[n-1]
		p.free = p.free[:n-1]
	} else {
		r = &req{slot: len(p.slots)}
		p.slots = append(p.slots, r)
	}
	r.gen++
	r.inner = Overlapped{}
	r.ov, r.routine, r.ls, r.send = ov, routine, ls, false
	r.tid = WSATHREADID{}
	if tid != nil {
		r.tid = *tid
	}
	r.state, r.inCall, r.done = reqIssued, false, false
	r.err, r.failed, r.n, r.fl = 0, false, 0, 0
	p.reqs[&r.inner] = r
	return r
}

func (p *Provider) release(r *req) {
	delete(p.reqs, &r.inner)
	r.state = reqFree
	r.ov, r.routine, r.ls = nil, nil, nil
	p.free = append(p.free, r)
}

// call is one overlapped-capable base call, given the base socket and the
// record, routine and thread id to pass down.
type call func(b SOCKET, ov *Overlapped, routine CompletionRoutine, tid *WSATHREADID) Errno

// issue runs c for a call on s. A call that is not overlapped (no record,
// or a socket made without WSA_FLAG_OVERLAPPED), or on a handle that is
// not the layer's, goes down as it is. An overlapped one becomes a request
// of the layer's: the caller's record is marked in progress (and its event
// reset) once the base has accepted the request, and completed when the
// base completes the layer's.
func (p *Provider) issue(s SOCKET, ov *Overlapped, routine CompletionRoutine, tid *WSATHREADID, send bool, c call) Errno {
	ls := p.socks[s]
	if ls == nil {
		return c(s, ov, routine, tid)
	}
	if !ls.overlapped || ov == nil {
		return c(ls.base, ov, routine, tid)
	}
	r := p.newReq(ls, ov, routine, tid)
	r.send = send
	r.inCall = true
	e := c(ls.base, &r.inner, nil, tid)
	r.inCall = false
	if !r.done && e != wso.WSA_IO_PENDING {
		p.release(r) // refused: no completion follows
		return e
	}
	p.begin(ov, routine)
	if r.done {
		p.finish(r)
	}
	return e
}

// begin is the non-IFS provider's start of an overlapped operation:
// Internal = WSS_OPERATION_IN_PROGRESS and the record's event reset.
func (p *Provider) begin(ov *Overlapped, routine CompletionRoutine) {
	wso.BeginNonIFS(ov, p.up.Observer())
	if routine == nil && ov.HEvent&^1 != 0 {
		p.up.WPUResetEvent(ov.HEvent &^ 1)
	}
}

// finishWith completes a request the base will not complete any more.
func (p *Provider) finishWith(r *req, err Errno) {
	r.err, r.failed, r.n, r.fl = err, true, 0, 0
	p.finish(r)
}

// finish completes the caller's record for r, as a non-IFS provider does
// (LPWSPGETOVERLAPPEDRESULT's field protocol): OffsetHigh gets the WSA
// error and Offset the flags; then with a completion routine the record
// is marked complete and the routine queued with WPUQueueApc, otherwise
// WPUCompleteOverlappedRequest writes InternalHigh and Internal and
// signals the event or posts to the port.
func (p *Provider) finish(r *req) {
	err, fl := r.err, r.fl
	if r.send {
		fl = 0
	}
	obs := p.up.Observer()
	wso.SetProviderResult(r.ov, err, fl, obs)
	if r.routine != nil {
		wso.CompleteNonIFS(r.ov, r.n, obs)
		r.state = reqRoutine
		delete(p.reqs, &r.inner)
		if e := p.up.WPUQueueApc(&r.tid, p.apc, uintptr(r.slot)|uintptr(r.gen)<<24); e != 0 {
			p.up.Note("layered provider: completion routine dropped, its thread has exited")
			p.release(r)
		}
		return
	}
	ov, h, n := r.ov, r.ls.h, r.n
	p.release(r)
	p.up.WPUCompleteOverlappedRequest(h, ov, err, n)
}

// runRoutine is the layer's APC: it calls the caller's completion routine
// on the issuing thread, in an alertable wait. Routines of one socket
// never nest on a thread's stack (the WSASend page's promise): one that
// comes while another of the same socket runs on the same thread waits
// until that one returns.
func (p *Provider) runRoutine(c uintptr) {
	slot, gen := int(c&0xffffff), uint32(c>>24)
	if slot >= len(p.slots) {
		return
	}
	r := p.slots[slot]
	if r.gen != gen || r.state != reqRoutine {
		return
	}
	ls, tid := r.ls, r.tid.Reserved
	for _, t := range ls.inRoutine {
		if t == tid {
			ls.held = append(ls.held, r)
			return
		}
	}
	ls.inRoutine = append(ls.inRoutine, tid)
	defer leaveRoutine(ls, tid) // a routine that panics leaves too
	p.callRoutine(r)
	for h := takeHeld(ls, tid); h != nil; h = takeHeld(ls, tid) {
		p.callRoutine(h)
	}
}

// leaveRoutine records that thread tid no longer runs a routine of ls.
func leaveRoutine(ls *lsock, tid uintptr) {
	for i, t := range ls.inRoutine {
		if t == tid {
			ls.inRoutine = append(ls.inRoutine[:i], ls.inRoutine[i+1:]...)
			return
		}
	}
}

// takeHeld removes and returns the oldest routine held for thread tid.
func takeHeld(ls *lsock, tid uintptr) *req {
	for i, h := range ls.held {
		if h.tid.Reserved == tid {
			ls.held = append(ls.held[:i], ls.held[i+1:]...)
			return h
		}
	}
	return nil
}

func (p *Provider) callRoutine(r *req) {
	fn, ov, n, fl, err := r.routine, r.ov, r.n, r.fl, r.err
	if r.failed {
		n = 0 // "If an error occurs, this parameter is zero."
	}
	if r.send {
		fl = 0
	}
	p.release(r)
	fn(uint32(err), n, ov, fl)
}

// ---- data transfer ----

func (p *Provider) WSPSend(s SOCKET, bufs []WSABUF, sent *uint32, flags uint32, ov *Overlapped, routine CompletionRoutine, tid *WSATHREADID) Errno {
	return p.issue(s, ov, routine, tid, true, func(b SOCKET, o *Overlapped, rt CompletionRoutine, t *WSATHREADID) Errno {
		return p.base.WSPSend(b, bufs, sent, flags, o, rt, t)
	})
}

func (p *Provider) WSPSendTo(s SOCKET, bufs []WSABUF, sent *uint32, flags uint32, to *netip.AddrPort, tolen int32, ov *Overlapped, routine CompletionRoutine, tid *WSATHREADID) Errno {
	return p.issue(s, ov, routine, tid, true, func(b SOCKET, o *Overlapped, rt CompletionRoutine, t *WSATHREADID) Errno {
		return p.base.WSPSendTo(b, bufs, sent, flags, to, tolen, o, rt, t)
	})
}

func (p *Provider) WSPRecv(s SOCKET, bufs []WSABUF, recvd *uint32, flags *uint32, ov *Overlapped, routine CompletionRoutine, tid *WSATHREADID) Errno {
	return p.issue(s, ov, routine, tid, false, func(b SOCKET, o *Overlapped, rt CompletionRoutine, t *WSATHREADID) Errno {
		return p.base.WSPRecv(b, bufs, recvd, flags, o, rt, t)
	})
}

func (p *Provider) WSPRecvFrom(s SOCKET, bufs []WSABUF, recvd *uint32, flags *uint32, from *netip.AddrPort, fromlen *int32, ov *Overlapped, routine CompletionRoutine, tid *WSATHREADID) Errno {
	return p.issue(s, ov, routine, tid, false, func(b SOCKET, o *Overlapped, rt CompletionRoutine, t *WSATHREADID) Errno {
		return p.base.WSPRecvFrom(b, bufs, recvd, flags, from, fromlen, o, rt, t)
	})
}

func (p *Provider) WSPSendMsg(s SOCKET, msg *WSAMSG, flags uint32, sent *uint32, ov *Overlapped, routine CompletionRoutine, tid *WSATHREADID) Errno {
	return p.issue(s, ov, routine, tid, true, func(b SOCKET, o *Overlapped, rt CompletionRoutine, t *WSATHREADID) Errno {
		return p.base.WSPSendMsg(b, msg, flags, sent, o, rt, t)
	})
}

func (p *Provider) WSPRecvMsg(s SOCKET, msg *WSAMSG, recvd *uint32, ov *Overlapped, routine CompletionRoutine, tid *WSATHREADID) Errno {
	return p.issue(s, ov, routine, tid, false, func(b SOCKET, o *Overlapped, rt CompletionRoutine, t *WSATHREADID) Errno {
		return p.base.WSPRecvMsg(b, msg, recvd, o, rt, t)
	})
}

// WSPIoctl implements ServiceProvider. SIO_BASE_HANDLE is never
// intercepted: it goes down and the base answers with its own handle. The
// layer does not want to see WSASendMsg, select or WSAPoll on its own
// handles either, so SIO_BSP_HANDLE, SIO_BSP_HANDLE_SELECT and
// SIO_BSP_HANDLE_POLL give the base provider's handle too (the Winsock
// IOCTLs page). Everything else goes down to the base socket.
// https://learn.microsoft.com/windows/win32/winsock/winsock-ioctls
func (p *Provider) WSPIoctl(s SOCKET, code uint32, in []byte, out []byte, returned *uint32, ov *Overlapped, routine CompletionRoutine, tid *WSATHREADID) Errno {
	switch code {
	case provider.SIO_BSP_HANDLE, provider.SIO_BSP_HANDLE_SELECT, provider.SIO_BSP_HANDLE_POLL:
		if p.socks[s] != nil {
			code = provider.SIO_BASE_HANDLE
		}
	}
	return p.issue(s, ov, routine, tid, false, func(b SOCKET, o *Overlapped, rt CompletionRoutine, t *WSATHREADID) Errno {
		return p.base.WSPIoctl(b, code, in, out, returned, o, rt, t)
	})
}

// WSPGetOverlappedResult implements ServiceProvider for the layer's
// records, which follow the non-IFS protocol: Internal tells whether the
// operation is done, OffsetHigh holds its error and Offset its flags.
// https://learn.microsoft.com/windows/win32/api/ws2spi/nc-ws2spi-lpwspgetoverlappedresult
func (p *Provider) WSPGetOverlappedResult(s SOCKET, ov *Overlapped, transfer *uint32, wait bool, flags *uint32) (bool, Errno) {
	if p.socks[s] == nil {
		return p.base.WSPGetOverlappedResult(s, ov, transfer, wait, flags)
	}
	if ov == nil || transfer == nil || flags == nil {
		return false, wso.WSAEFAULT
	}
	n, err, fl, done := wso.ResultNonIFS(ov)
	if !done {
		if !wait {
			return false, wso.WSA_IO_INCOMPLETE
		}
		if _, e := p.up.WaitForSingleObjectEx(ov.HEvent&^1, wso.INFINITE, false); e != 0 {
			return false, wso.WSA_INVALID_HANDLE
		}
		if n, err, fl, done = wso.ResultNonIFS(ov); !done {
			return false, wso.WSA_IO_INCOMPLETE
		}
	}
	*flags = fl
	if err != 0 {
		return false, err
	}
	*transfer = n
	return true, 0
}

// Cancel implements ServiceProvider: the layer's requests that stand for
// the matching ones on s are cancelled on the base, which completes them
// (or has decided their result already: the cancel lost).
func (p *Provider) Cancel(s SOCKET, ov *Overlapped, tid *WSATHREADID) int {
	ls := p.socks[s]
	if ls == nil {
		return p.base.Cancel(s, ov, tid)
	}
	n := 0
	for _, r := range p.slots {
		if r.state == reqIssued && r.ls == ls && (ov == nil || r.ov == ov) && (tid == nil || r.tid.Reserved == tid.Reserved) {
			n++
			p.base.Cancel(ls.base, &r.inner, nil)
		}
	}
	return n
}

// CancelThread implements ServiceProvider: every request the thread
// issued through the layer is cancelled on the base.
func (p *Provider) CancelThread(tid *WSATHREADID) int {
	n := 0
	for _, r := range p.slots {
		if r.state == reqIssued && (tid == nil || r.tid.Reserved == tid.Reserved) {
			n++
			p.base.Cancel(r.ls.base, &r.inner, nil)
		}
	}
	return n
}
