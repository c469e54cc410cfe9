package mem

import (
	"net/netip"

	"github.com/wsaemu/wsaemu/provider"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// checkBufs reports WSAEFAULT for a buffer whose Len reaches past its
// memory, and returns the total length.
func checkBufs(bufs []WSABUF) (int, Errno) {
	total := 0
	for _, b := range bufs {
		if int(b.Len) > len(b.Buf) {
			return 0, wso.WSAEFAULT
		}
		total += int(b.Len)
	}
	return total, 0
}

// overlappedCall reports whether a call is overlapped: the socket was
// created with WSA_FLAG_OVERLAPPED and the caller gave a record. A socket
// without the flag treats the call as blocking and ignores the record
// (docs/windows-behaviour.md: it does not pend and returns 0 once done).
func overlappedCall(k *sock, ov *Overlapped) bool { return k.overlapped && ov != nil }

// beginNonIFS does the non-IFS provider's part of starting an overlapped
// operation: Internal = WSS_OPERATION_IN_PROGRESS, and the record's event
// reset (the function that starts a pending operation resets hEvent, per
// LPWSPGETOVERLAPPEDRESULT). For IFS handles the ws2 layer and the I/O
// manager have done the same already.
func (p *Mem) beginNonIFS(ov *Overlapped, routine CompletionRoutine) {
	if p.cfg.Kind == provider.IFS {
		return
	}
	wso.BeginNonIFS(ov, p.up.Observer())
	if routine == nil && ov.HEvent&^1 != 0 {
		p.up.WPUResetEvent(ov.HEvent &^ 1)
	}
}

// ---- receiving ----

type recvArgs struct {
	bufs    []WSABUF
	recvd   *uint32
	flags   *uint32
	from    *netip.AddrPort
	fromlen *int32
	msg     *WSAMSG
	msgIn   uint32 // WSARecvMsg: msg.Flags as the caller passed it
}

// WSPRecv implements WSPRecv on a datagram socket.
// https://learn.microsoft.com/windows/win32/api/ws2spi/nc-ws2spi-lpwsprecv
func (p *Mem) WSPRecv(s SOCKET, bufs []WSABUF, recvd *uint32, flags *uint32, ov *Overlapped, routine CompletionRoutine, tid *WSATHREADID) Errno {
	return p.recv(s, recvArgs{bufs: bufs, recvd: recvd, flags: flags}, ov, routine, tid)
}

// WSPRecvFrom implements WSPRecvFrom: like WSPRecv, and the sender's
// address goes to *from (which must stay valid until the operation
// completes, as the page requires).
// https://learn.microsoft.com/windows/win32/api/ws2spi/nc-ws2spi-lpwsprecvfrom
func (p *Mem) WSPRecvFrom(s SOCKET, bufs []WSABUF, recvd *uint32, flags *uint32, from *netip.AddrPort, fromlen *int32, ov *Overlapped, routine CompletionRoutine, tid *WSATHREADID) Errno {
	if from != nil && (fromlen == nil || *fromlen < provider.SizeofSockaddrInet4) {
		return wso.WSAEFAULT
	}
	return p.recv(s, recvArgs{bufs: bufs, recvd: recvd, flags: flags, from: from, fromlen: fromlen}, ov, routine, tid)
}

func (p *Mem) recvOnce(s SOCKET, a recvArgs, ov *Overlapped, routine CompletionRoutine, tid *WSATHREADID) Errno {
	k, e := p.sock(s)
	if e != 0 {
		return e
	}
	if k.st != nil {
		return p.streamRecv(k, a, ov, routine, tid) // stream_io.go
	}
	if _, e := checkBufs(a.bufs); e != 0 {
		return e
	}
	inFlags := uint32(0)
	if a.flags != nil {
		inFlags = *a.flags
	} else if a.msg == nil {
		return wso.WSAEFAULT
	} else {
		// WSARecvMsg takes only MSG_PEEK from msg.Flags on input.
		inFlags = a.msgIn & provider.MSG_PEEK
	}
	if inFlags&^(provider.MSG_PEEK|provider.MSG_PARTIAL) != 0 {
		// The WSARecv page refuses MSG_OOB and MSG_WAITALL on a datagram
		// socket; Wine was seen to accept them (the receive pends). No
		// Windows observation settles it: a model choice (unsettled).
		if inFlags&^(provider.MSG_PEEK|provider.MSG_PARTIAL|provider.MSG_OOB|provider.MSG_WAITALL) != 0 || !p.up.Unsettled() {
			return wso.WSAEOPNOTSUPP
		}
	}
	if a.from != nil && *a.fromlen < sockaddrLen(k) {
		return wso.WSAEFAULT
	}
	switch {
	case !k.bound:
		return wso.WSAEINVAL
	case k.shutRecv:
		return wso.WSAESHUTDOWN
	case k.resetPending:
		k.resetPending = false
		return wso.WSAECONNRESET
	}
	if !overlappedCall(k, ov) {
		if p.syncRecord(k, ov) {
			return p.recvSyncRecord(k, a, inFlags&provider.MSG_PEEK != 0, ov)
		}
		return p.recvBlocking(k, a, inFlags&provider.MSG_PEEK != 0)
	}
	o := p.newOp(k, ov, routine, tid, a.bufs)
	o.from, o.fromlen, o.msg = a.from, a.fromlen, a.msg
	o.peek = inFlags&provider.MSG_PEEK != 0
	p.beginNonIFS(ov, routine)
	if k.recvs.head == nil && p.available(k) {
		p.take(k, o)
		if p.up.Pend() {
			p.deferOp(o, &k.deferred)
			return wso.WSA_IO_PENDING
		}
		st, n, fl := o.status, o.n, o.flags
		p.writeRecvOuts(o)
		p.writeCounts(a, st, n, fl, inFlags)
		p.complete(o, st, n, fl)
		if st == wso.STATUS_BUFFER_OVERFLOW {
			if a.msg != nil && routine != nil && p.cfg.RecvMsgAsWindows {
				// Windows: a truncated datagram already queued still
				// reports WSA_IO_PENDING to a WSARecvMsg with a routine
				// (Wine's dlls/ws2_32/tests/sock.c, test_ip_pktinfo).
				return wso.WSA_IO_PENDING
			}
			return wso.WSAEMSGSIZE
		}
		return 0
	}
	o.state = opWaiting
	k.recvs.push(o)
	return wso.WSA_IO_PENDING
}

// msgFlagsOut is what a WSARecvMsg hands back in its WSAMSG's dwFlags:
// the result flags and, for a MSG_PEEK receive, possibly MSG_PEEK itself.
// The page lists no MSG_PEEK among the output flags; Wine was seen to hand
// it back. No Windows observation settles it: a model choice (unsettled).
func (p *Mem) msgFlagsOut(o *op, fl uint32) uint32 {
	if o.peek && p.up.Unsettled() {
		fl |= provider.MSG_PEEK
	}
	return fl
}

// writeCounts writes a receive's lpNumberOfBytesRecvd and lpFlags when it
// returns at once. A call that returns an error (a truncated datagram's
// WSAEMSGSIZE included) leaves the byte count alone, as Wine's ws2_32 was
// observed to do; lpFlags keeps the caller's input flags (MSG_PEEK stays
// set, as observed under Wine), without the truncation flags, which only
// WSARecvMsg's msg.Flags and the completion report.
func (p *Mem) writeCounts(a recvArgs, st NTStatus, n, fl, in uint32) {
	if a.recvd != nil && st == wso.STATUS_SUCCESS {
		*a.recvd = n
	}
	if a.recvd != nil && st == wso.STATUS_BUFFER_OVERFLOW && a.msg != nil && p.cfg.RecvMsgAsWindows {
		// Windows writes the count of a truncated WSARecvMsg (Wine's
		// sock.c, test_ip_pktinfo; Wine leaves it).
		*a.recvd = n
	}
	if a.flags != nil && st == wso.STATUS_SUCCESS {
		*a.flags = in | fl&^(provider.MSG_TRUNC|provider.MSG_CTRUNC)
	}
}

func sockaddrLen(k *sock) int32 {
	if k.af == provider.AF_INET6 {
		return provider.SizeofSockaddrInet6
	}
	return provider.SizeofSockaddrInet4
}

// recvBlocking is a receive without overlapped I/O: at once if a datagram
// is there; WSAEWOULDBLOCK on a non-blocking socket; otherwise the calling
// thread waits, alertably, as Winsock's blocking calls do, up to
// SO_RCVTIMEO (on a socket made with WSA_FLAG_OVERLAPPED).
func (p *Mem) recvBlocking(k *sock, a recvArgs, peek bool) Errno {
	o := p.newOp(k, nil, nil, nil, a.bufs)
	o.from, o.fromlen, o.msg = a.from, a.fromlen, a.msg
	o.peek = peek
	o.state = opInternal
	if k.recvs.head == nil && p.available(k) {
		p.take(k, o)
	} else if k.nonblocking {
		p.releaseOp(o)
		return wso.WSAEWOULDBLOCK
	} else {
		o.ev = p.internalEvent()
		k.recvs.push(o)
		if e := p.blockQueued(o, &k.recvs, sockTimeout(k, k.rcvtimeo)); e != 0 {
			return e
		}
	}
	st, n, fl := o.status, o.n, o.flags
	p.writeRecvOuts(o)
	if o.msg != nil {
		o.msg.Flags = p.msgFlagsOut(o, fl)
	}
	p.releaseOp(o)
	var in uint32
	if peek {
		in = provider.MSG_PEEK
	}
	p.writeCounts(a, st, n, fl, in)
	switch st {
	case wso.STATUS_SUCCESS:
		return 0
	case wso.STATUS_CANCELLED:
		// closesocket from another thread ends a blocking call with WSAEINTR.
		return wso.WSAEINTR
	}
	return st.WSAError()
}

// recvSyncRecord is a receive given a record on a socket made without
// WSA_FLAG_OVERLAPPED, as current Windows does it: the handle is
// synchronous, so the call waits for its datagram whatever FIONBIO says,
// and the I/O manager writes the result into the record's status block.
// Wine's dlls/ws2_32/tests/sock.c, test_nonblocking_async_recv (passes on
// Windows).
func (p *Mem) recvSyncRecord(k *sock, a recvArgs, peek bool, ov *Overlapped) Errno {
	nb := k.nonblocking
	k.nonblocking = false
	var n uint32
	if a.recvd == nil {
		a.recvd = &n
	}
	e := p.recvBlocking(k, a, peek)
	k.nonblocking = nb
	if e == 0 {
		p.completeSyncRecord(ov, uint32(*a.recvd))
	}
	return e
}

// syncRecord reports whether a call given record ov on k is one made on a
// synchronous socket handle with a record, which current Windows answers
// through the I/O manager (Config.RecvRecordOnSyncSocket, IFS provider).
func (p *Mem) syncRecord(k *sock, ov *Overlapped) bool {
	return ov != nil && !k.overlapped && p.cfg.RecvRecordOnSyncSocket && p.cfg.Kind == provider.IFS
}

// completeSyncRecord finishes the record of a call on a synchronous socket
// handle the way the I/O manager finishes any request that names a status
// block and an event: the status block gets the result, and the event is
// set. Wine's dlls/ws2_32/tests/sock.c, test_nonblocking_async_recv
// (passes on Windows), reads the result from such a record with
// GetOverlappedResult; that the event is set is the I/O manager's rule for
// every completed request, which that test does not assert.
func (p *Mem) completeSyncRecord(ov *Overlapped, n uint32) {
	wso.CompleteIFS(ov, wso.STATUS_SUCCESS, uintptr(n), p.up.Observer())
	if ev := ov.HEvent &^ 1; ev != 0 {
		p.up.WPUSetEvent(ev)
	}
}

// blockQueued blocks on o, an internal operation already queued on l, as
// block does, and frees o's event. A wait that fails takes o off l, frees
// o, and gives the error.
func (p *Mem) blockQueued(o *op, l *opList, timeoutMs uint32) Errno {
	if e := p.block(o, timeoutMs); e != 0 {
		l.remove(o)
		p.freeEvent(o.ev)
		p.releaseOp(o)
		return e
	}
	p.freeEvent(o.ev)
	return 0
}

// sockTimeout is the SO_RCVTIMEO or SO_SNDTIMEO value v of k as a blocking
// call obeys it: the WSASocket page says that without WSA_FLAG_OVERLAPPED
// "the timeout never takes effect on the socket".
func sockTimeout(k *sock, v uint32) uint32 {
	if !k.overlapped {
		return 0
	}
	return v
}

// block waits, alertably, until the internal operation o is done or
// timeoutMs (0 = for ever) runs out: WSAETIMEDOUT then.
//
// Every turn of the loop either blocks or ends the call: a wait that
// returns WAIT_OBJECT_0 while o is not done was a signal that did not come
// from o's completion, so the event is reset before waiting again (without
// the reset the next wait would return at once, for ever: issue 9's
// spinning receive). A reset that fails ends the call with its error.
func (p *Mem) block(o *op, timeoutMs uint32) Errno {
	deadline := p.up.Now()
	ms := uint32(0xFFFFFFFF)
	if timeoutMs != 0 {
		ms = timeoutMs
		deadline += msDuration(timeoutMs)
	}
	for !o.done {
		r, e := p.up.WaitForSingleObjectEx(o.ev, ms, true)
		if e != 0 {
			return e
		}
		if o.done {
			break
		}
		if r == uint32(wso.WAIT_TIMEOUT) {
			return wso.WSAETIMEDOUT
		}
		if r == wso.WAIT_OBJECT_0 {
			if e := p.up.WPUResetEvent(o.ev); e != 0 {
				return e
			}
		}
		if timeoutMs != 0 {
			left := deadline - p.up.Now()
			if left <= 0 {
				return wso.WSAETIMEDOUT
			}
			ms = uint32(left / msDuration(1))
		}
	}
	return 0
}

func (p *Mem) internalEvent() Handle {
	if n := len(p.evFree); n > 0 {
		h := p.evFree[n-1]
		p.evFree = p.evFree[:n-1]
		p.up.WPUResetEvent(h)
		return h
	}
	h, _ := p.up.WPUCreateEvent()
	return h
}

func (p *Mem) freeEvent(h Handle) { p.evFree = append(p.evFree, h) }

// available reports whether a datagram k may receive is queued.
func (p *Mem) available(k *sock) bool { return k.qh < len(k.queue) }

// take moves the oldest datagram into o's buffers (copies it and leaves it
// queued, for MSG_PEEK) and decides o's result:
// STATUS_BUFFER_OVERFLOW with MSG_TRUNC when the datagram was longer than
// the buffers (the rest is lost, as UDP does); STATUS_BUFFER_OVERFLOW with
// MSG_CTRUNC when the control buffer could not hold the packet information
// asked for; for WSARecvMsg, MSG_BCAST when the datagram was sent to the
// broadcast address.
func (p *Mem) take(k *sock, o *op) {
	d := k.queue[k.qh]
	if !o.peek {
		k.queue[k.qh] = dgram{}
		k.qh++
		k.queued -= len(d.data)
	}
	n := 0
	for _, b := range o.bufs {
		n += copy(b.Buf[:b.Len], d.data[n:])
		if n == len(d.data) {
			break
		}
	}
	o.status, o.n, o.flags = wso.STATUS_SUCCESS, uint32(n), 0
	if n < len(d.data) {
		o.status, o.flags = wso.STATUS_BUFFER_OVERFLOW, provider.MSG_TRUNC
		if o.msg != nil && p.up.Unsettled() {
			// The LPFN_WSARECVMSG page sets MSG_TRUNC in the WSAMSG;
			// Wine was seen to leave dwFlags 0. No Windows observation
			// settles it: a model choice (unsettled).
			o.flags = 0
		}
	}
	o.src, o.dst = d.from, d.to
	if o.msg != nil && isBroadcast(d.to.Addr()) {
		o.flags |= provider.MSG_BCAST // WSAMSG: sent to a broadcast address
	}
	if o.msg != nil && k.pktinfo {
		if !fitsPktinfo(o.msg.Control, d.to) {
			// WSAMSG remarks: truncated control data fails the receive
			// with WSAEMSGSIZE, as a truncated datagram does.
			o.status, o.flags = wso.STATUS_BUFFER_OVERFLOW, o.flags|provider.MSG_CTRUNC
		}
	}
	if o.peek {
		return
	}
	p.rec.dgrams = append(p.rec.dgrams, d.data[:0])
	if k.qh == len(k.queue) {
		k.queue, k.qh = k.queue[:0], 0
	}
}

// writeRecvOuts writes what a receive reports besides bytes and status:
// the sender's address and, for WSARecvMsg, the name and control data.
func (p *Mem) writeRecvOuts(o *op) {
	if o.send {
		return
	}
	if o.from != nil {
		*o.from = o.src
		*o.fromlen = sockaddrLen(o.sock)
	}
	if m := o.msg; m != nil {
		if m.Name != nil {
			*m.Name = o.src
			m.Namelen = sockaddrLen(o.sock)
		}
		if o.sock.pktinfo && o.flags&provider.MSG_CTRUNC == 0 {
			m.Control.Len = uint32(provider.PutPktinfo(m.Control.Buf, o.dst.Addr()))
		} else {
			m.Control.Len = 0
		}
	}
}

// deliver puts a datagram on the receiving socket's queue, or straight
// into its oldest waiting receive. A datagram that does not fit in
// SO_RCVBUF is dropped, as UDP does.
func (p *Mem) deliver(to *sock, data []byte, from, dst netip.AddrPort) {
	if to.shutRecv && to.recvs.head == nil {
		return // nothing may be queued once receiving is shut down
	}
	if to.connected && to.peer != from {
		return // a connected datagram socket takes only its peer's datagrams
	}
	if to.queued+len(data) > int(to.rcvbuf) && to.recvs.head == nil {
		p.up.Note("datagram dropped: receive buffer full")
		return
	}
	buf := append(p.rec.dgramBuf(), data...)
	to.queue = append(to.queue, dgram{data: buf, from: from, to: dst})
	to.queued += len(buf)
	for to.recvs.head != nil && p.available(to) {
		o := to.recvs.head
		to.recvs.remove(o)
		p.take(to, o)
		p.writeRecvOuts(o)
		p.complete(o, o.status, o.n, o.flags)
	}
	p.changed(to) // readiness.go
}

// ---- sending ----

type sendArgs struct {
	bufs  []WSABUF
	sent  *uint32
	flags uint32
	to    *netip.AddrPort
	tolen int32
	src   netip.Addr // from IP_PKTINFO control data; zero if none
	isMsg bool
}

// WSPSend implements WSPSend on a connected datagram socket.
// https://learn.microsoft.com/windows/win32/api/ws2spi/nc-ws2spi-lpwspsend
func (p *Mem) WSPSend(s SOCKET, bufs []WSABUF, sent *uint32, flags uint32, ov *Overlapped, routine CompletionRoutine, tid *WSATHREADID) Errno {
	return p.send(s, sendArgs{bufs: bufs, sent: sent, flags: flags}, ov, routine, tid)
}

// WSPSendTo implements WSPSendTo.
// https://learn.microsoft.com/windows/win32/api/ws2spi/nc-ws2spi-lpwspsendto
func (p *Mem) WSPSendTo(s SOCKET, bufs []WSABUF, sent *uint32, flags uint32, to *netip.AddrPort, tolen int32, ov *Overlapped, routine CompletionRoutine, tid *WSATHREADID) Errno {
	if to == nil && tolen != 0 {
		return wso.WSAEFAULT
	}
	return p.send(s, sendArgs{bufs: bufs, sent: sent, flags: flags, to: to, tolen: tolen}, ov, routine, tid)
}

func (p *Mem) sendOnce(s SOCKET, a sendArgs, ov *Overlapped, routine CompletionRoutine, tid *WSATHREADID) Errno {
	k, e := p.sock(s)
	if e != 0 {
		return e
	}
	if k.st != nil {
		return p.streamSend(k, a, ov, routine, tid) // stream_io.go
	}
	total, e := checkBufs(a.bufs)
	if e != 0 {
		return e
	}
	if a.sent == nil && !overlappedCall(k, ov) && !p.syncRecord(k, ov) {
		return wso.WSAEFAULT
	}
	if a.flags&^(provider.MSG_DONTROUTE|provider.MSG_PARTIAL|provider.MSG_OOB) != 0 || a.flags&(provider.MSG_OOB|provider.MSG_PARTIAL) != 0 {
		// Datagram sockets have no out-of-band data and no partial
		// messages. MSG_PARTIAL (and, on WSASendMsg, MSG_PEEK) Wine was
		// seen to accept and send; no Windows observation settles it: a
		// model choice (unsettled). MSG_OOB is refused either way.
		odd := a.flags &^ (provider.MSG_DONTROUTE | provider.MSG_PARTIAL)
		if a.isMsg {
			odd &^= provider.MSG_PEEK
		}
		if odd != 0 || !p.up.Unsettled() {
			return wso.WSAEOPNOTSUPP
		}
	}
	if k.shutSend {
		return wso.WSAESHUTDOWN
	}
	if total > maxMsgSize(k) {
		return wso.WSAEMSGSIZE
	}
	var dst netip.AddrPort
	switch {
	case a.to != nil:
		if e := checkName(k, a.to, a.tolen); e != 0 {
			if e == wso.WSAEAFNOSUPPORT && p.up.Unsettled() {
				// The page's WSAEAFNOSUPPORT for a destination of
				// another family; Wine was seen to answer WSAEOPNOTSUPP.
				// No Windows observation settles it (unsettled).
				e = wso.WSAEOPNOTSUPP
			}
			return e
		}
		dst = *a.to
	case k.connected:
		dst = k.peer
	default:
		return wso.WSAENOTCONN
	}
	if dst.Addr().IsUnspecified() {
		// WSASendTo: "The remote address is not a valid address (such as
		// ADDR_ANY)". Wine was seen to send the datagram to the host
		// itself instead; no Windows observation settles it: a model
		// choice (unsettled).
		if !p.up.Unsettled() {
			return wso.WSAEADDRNOTAVAIL
		}
		dst = netip.AddrPortFrom(loopbackOf(k), dst.Port())
	}
	if isBroadcast(dst.Addr()) && !k.broadcast {
		return wso.WSAEACCES
	}
	if !isLocal(dst.Addr()) && !isBroadcast(dst.Addr()) {
		return wso.WSAENETUNREACH
	}
	if a.isMsg && p.cfg.WSASendMsgNeedsBind && !k.bound {
		return wso.WSAEINVAL
	}
	if e := p.implicitBind(k); e != 0 {
		return e
	}
	src := k.local
	if a.src.IsValid() && !p.up.Unsettled() {
		// The WSASendMsg page: IP_PKTINFO picks the source address. Wine
		// was seen to ignore it; no Windows observation settles it: a
		// model choice (unsettled).
		src = netip.AddrPortFrom(a.src, k.local.Port())
	} else if src.Addr().IsUnspecified() {
		src = netip.AddrPortFrom(loopbackOf(k), src.Port())
	}
	if !overlappedCall(k, ov) {
		p.transmit(k, a.bufs, total, src, dst)
		if a.sent != nil {
			*a.sent = uint32(total)
		}
		if p.syncRecord(k, ov) {
			// Windows: the record given on a synchronous socket is
			// completed, as test_nonblocking_async_recv shows for receives.
			p.completeSyncRecord(ov, uint32(total))
		}
		return 0
	}
	o := p.newOp(k, ov, routine, tid, nil)
	o.send = true
	p.beginNonIFS(ov, routine)
	// The data leaves now, in issue order, whether or not the completion
	// is reported now.
	p.transmit(k, a.bufs, total, src, dst)
	return p.sendSucceeded(k, o, a.sent, total)
}

// sendSucceeded finishes an overlapped send whose bytes all left: it
// pends, to complete later through Fire, when the Chooser says so;
// otherwise the count is written and it completes now.
func (p *Mem) sendSucceeded(k *sock, o *op, sent *uint32, total int) Errno {
	o.status, o.n = wso.STATUS_SUCCESS, uint32(total)
	if p.up.Pend() {
		p.deferOp(o, &k.sends)
		return wso.WSA_IO_PENDING
	}
	if sent != nil {
		*sent = uint32(total)
	}
	p.complete(o, wso.STATUS_SUCCESS, uint32(total), 0)
	return 0
}

// deferOp makes o's decided result complete later, through Fire.
func (p *Mem) deferOp(o *op, l *opList) {
	o.state = opDeferred
	l.push(o)
	p.up.Defer(p, o.ctx())
}

// loopbackOf is the loopback address of k's family.
func loopbackOf(k *sock) netip.Addr {
	if k.af == provider.AF_INET {
		return loop4
	}
	return netip.IPv6Loopback()
}

func isBroadcast(a netip.Addr) bool {
	return a.Is4() && a == netip.AddrFrom4([4]byte{255, 255, 255, 255})
}

// transmit carries one datagram from src to dst on the in-memory network.
// Nothing bound there: the sender is told by the port-unreachable report
// (WSAECONNRESET on its next receive) unless SIO_UDP_CONNRESET turned that
// off.
func (p *Mem) transmit(k *sock, bufs []WSABUF, total int, src, dst netip.AddrPort) {
	scratch := p.scratch(total)
	for _, b := range bufs {
		scratch = append(scratch, b.Buf[:b.Len]...)
	}
	if isBroadcast(dst.Addr()) {
		for _, to := range p.all {
			if to.bound && to.af == provider.AF_INET && to.local.Port() == dst.Port() && to.local.Addr().IsUnspecified() {
				p.deliver(to, scratch, src, dst)
			}
		}
		return
	}
	to := p.net.lookup(dst)
	if to == nil {
		// The port-unreachable report: the error tables make the next
		// receive (or one pending) fail with WSAECONNRESET; Wine was seen
		// to report nothing, varying from run to run (the ICMP message's
		// timing). No Windows observation settles it: a model choice
		// (unsettled).
		if k.connreset && !p.up.Unsettled() {
			if o := k.recvs.head; o != nil {
				k.recvs.remove(o)
				p.complete(o, wso.STATUS_PORT_UNREACHABLE, 0, 0)
			} else {
				k.resetPending = true
			}
		}
		return
	}
	p.deliver(to, scratch, src, dst)
}

// scratch returns the provider's reusable buffer for gathering a
// datagram's buffers, so steady sending allocates nothing.
func (p *Mem) scratch(n int) []byte {
	if cap(p.gather) < n {
		p.gather = make([]byte, 0, n)
	}
	return p.gather[:0]
}
