package mem

import (
	"github.com/wsaemu/wsaemu/provider"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// The byte stream of a stream socket: sends, receives, flow control.

// Kinds of stream requests (op.sx.kind).
const (
	skNone uint8 = iota
	skRecv
	skSend
	skAccept
	skConnect
)

// streamOp is a stream request's progress.
type streamOp struct {
	kind    uint8
	total   int  // bytes the buffers hold (for a MSG_OOB send, but its urgent byte)
	done    int  // bytes moved so far
	waitall bool // MSG_WAITALL: complete only when full (or at the end of the stream)
	urgent  int  // a MSG_OOB send: its last byte went as urgent data (oob.go)
}

// room is how many more bytes k's receive buffer takes. A receive waiting
// on an empty buffer takes its bytes even when SO_RCVBUF is smaller (0
// included): the data goes straight into the application's buffers.
func room(k *sock) int {
	r := int(k.rcvbuf) - k.st.rx.len()
	if o := k.recvs.head; o != nil && k.st.rx.len() == 0 && !o.peek {
		r = max(r, o.sx.total-o.sx.done)
	}
	return max(r, 0)
}

// alive reports whether k's peer still takes data.
func alive(k *sock) bool {
	peer := k.st.peer
	return peer != nil && !peer.st.closed && peer.st.reset == 0
}

// place moves as much of send o's data as fits: straight into the peer's
// receive buffer when nothing is queued ahead of it, then into k's send
// buffer. It reports whether all of o's data is placed.
func (p *Mem) place(k *sock, o *op) bool {
	st := k.st
	left := o.sx.total - o.sx.done
	if st.tx.len() == 0 && alive(k) {
		peer := st.peer
		m := min(left, room(peer))
		peer.st.rx.writeBufs(o.bufs, o.sx.done, m)
		peer.queued = peer.st.rx.len()
		o.sx.done += m
		left -= m
	}
	if m := min(left, int(k.sndbuf)-st.tx.len()); m > 0 {
		st.tx.writeBufs(o.bufs, o.sx.done, m)
		o.sx.done += m
		left -= m
	}
	return left == 0
}

// pump moves k's outgoing bytes toward the peer: send buffer to the
// peer's receive buffer, waiting sends into the buffers (completing those
// whose data is all placed), and the FIN once everything before it is
// through. A peer that has closed takes nothing: the data is dropped and
// its reset comes back to k. It reports whether anything moved.
func (p *Mem) pump(k *sock) bool {
	st := k.st
	peer := st.peer
	if peer == nil || st.reset != 0 {
		return false
	}
	if !alive(k) {
		if st.tx.len() == 0 && st.sendq.head == nil {
			return false
		}
		st.tx.clear()
		for o := st.sendq.head; o != nil; o = st.sendq.head {
			st.sendq.remove(o)
			p.complete(o, wso.STATUS_SUCCESS, uint32(o.sx.total+o.sx.urgent), 0)
		}
		if peer.st.closed {
			// Data sent to a socket that is closed draws a reset, which
			// Windows reports on the sender as an abort: its receive
			// fails with WSAECONNABORTED (Wine's sock.c test_shutdown,
			// "send data to a peer which is closed", todo_wine in Wine).
			p.resetSock(k, wso.STATUS_CONNECTION_ABORTED)
		}
		p.lingerDone(k)
		return true
	}
	moved := false
	for {
		step := false
		if m := min(st.tx.len(), room(peer)); m > 0 {
			st.tx.moveTo(&peer.st.rx, m)
			peer.queued = peer.st.rx.len()
			step = true
		}
		for o := st.sendq.head; o != nil; o = st.sendq.head {
			before := o.sx.done
			all := p.place(k, o)
			step = step || o.sx.done != before
			if !all || o.tx != nil && !o.tx.eof { // a transmit still reading its file
				break
			}
			st.sendq.remove(o)
			p.complete(o, wso.STATUS_SUCCESS, uint32(o.sx.total+o.sx.urgent), 0)
			step = true
		}
		if !step {
			break
		}
		moved = true
	}
	if st.finOut && !st.finSent && st.tx.len() == 0 && st.sendq.head == nil {
		st.finSent, peer.st.finIn = true, true
		moved = true
	}
	p.lingerDone(k)
	return moved
}

// flow carries w's data to its peer and lets the peer's waiting receives
// take it, until nothing moves.
func (p *Mem) flow(w *sock) {
	if w == nil || w.st == nil {
		return
	}
	for {
		moved := p.pump(w)
		took := false
		if r := w.st.peer; r != nil {
			took = p.serveRecvs(r)
		}
		if !moved && !took {
			p.changed(w) // readiness.go
			p.changed(w.st.peer)
			return
		}
	}
}

// serveRecvs fills k's waiting receives in posting order and completes
// those whose result is decided. It reports whether anything changed.
func (p *Mem) serveRecvs(k *sock) bool {
	changed := k.st.x.ax != nil && p.acceptExData(k)
	for o := k.recvs.head; o != nil; o = k.recvs.head {
		before := k.st.rx.len()
		decided := p.streamTake(k, o)
		changed = changed || k.st.rx.len() != before
		if !decided {
			break
		}
		k.recvs.remove(o)
		p.complete(o, o.status, o.n, o.flags)
		changed = true
	}
	return changed
}

// streamTake gives receive o what k holds and decides its result when it
// can: the connection's reset; a receive into no room at all completes
// with 0 bytes once data is there, leaving the data; otherwise the bytes
// there, as many as the Chooser splits off (all, usually), copied and —
// unless MSG_PEEK — removed; MSG_WAITALL waits until its buffers are full
// or the stream ends; at the end of the stream, 0 bytes (or what
// MSG_WAITALL had gathered).
func (p *Mem) streamTake(k *sock, o *op) bool {
	st := k.st
	if st.reset != 0 {
		o.status, o.n, o.flags = st.reset, 0, 0
		return true
	}
	if st.rx.len() == 0 && st.oobinline && len(st.oob) > 0 && o.sx.done == 0 {
		return takeInline(k, o)
	}
	avail, capacity := st.rx.len(), o.sx.total-o.sx.done
	if avail > 0 {
		if capacity == 0 {
			o.status, o.n, o.flags = wso.STATUS_SUCCESS, uint32(o.sx.done), 0
			return true
		}
		m := min(avail, capacity)
		if !o.sx.waitall {
			m = p.up.Split(m)
		}
		st.rx.readBufs(o.bufs, o.sx.done, m)
		if !o.peek {
			st.rx.discard(m)
			k.queued = st.rx.len()
		}
		o.sx.done += m
		if o.sx.waitall && o.sx.done < o.sx.total && !st.finIn {
			return false
		}
		o.status, o.n, o.flags = wso.STATUS_SUCCESS, uint32(o.sx.done), 0
		return true
	}
	if st.finIn {
		o.status, o.n, o.flags = wso.STATUS_SUCCESS, uint32(o.sx.done), 0
		return true
	}
	return false
}

// streamRecv is WSPRecv (and WSPRecvFrom) on a stream socket. Not
// connected: WSAENOTCONN; after SD_RECEIVE: WSAESHUTDOWN; after a reset:
// WSAECONNRESET; no buffers at all: WSAEINVAL. MSG_PEEK copies without
// taking; MSG_WAITALL waits for full buffers (refused with MSG_PEEK, and
// on a non-blocking socket without overlapped I/O, with WSAEOPNOTSUPP);
// MSG_OOB reads urgent data (oob.go; refused with MSG_PEEK or
// MSG_WAITALL); MSG_PARTIAL is not modelled and refused with
// WSAEOPNOTSUPP. WSARecvMsg does not take stream sockets (WSAEOPNOTSUPP).
// https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-wsarecv
func (p *Mem) streamRecv(k *sock, a recvArgs, ov *Overlapped, routine CompletionRoutine, tid *WSATHREADID) Errno {
	total, e := checkBufs(a.bufs)
	if e != 0 {
		return e
	}
	if a.msg != nil {
		return wso.WSAEOPNOTSUPP
	}
	if a.flags == nil {
		return wso.WSAEFAULT
	}
	in := *a.flags
	peek, waitall := in&provider.MSG_PEEK != 0, in&provider.MSG_WAITALL != 0
	switch {
	case in&^(provider.MSG_PEEK|provider.MSG_WAITALL|provider.MSG_OOB|provider.MSG_PARTIAL) != 0,
		in&provider.MSG_PARTIAL != 0,
		in&provider.MSG_OOB != 0 && (waitall || peek),
		waitall && peek,
		waitall && !overlappedCall(k, ov) && k.nonblocking:
		return wso.WSAEOPNOTSUPP
	case a.from != nil && *a.fromlen < sockaddrLen(k):
		return wso.WSAEFAULT
	case k.st.state != stConnected:
		return wso.WSAENOTCONN
	case k.shutRecv:
		return wso.WSAESHUTDOWN
	case k.st.reset != 0:
		return k.st.reset.WSAError()
	case len(a.bufs) == 0:
		return wso.WSAEINVAL
	}
	if p.chooseReset(k) {
		return k.st.reset.WSAError()
	}
	if in&provider.MSG_OOB != 0 {
		return p.recvOOB(k, a, ov, routine, tid)
	}
	if p.syncRecord(k, ov) {
		// A synchronous handle given a record waits whatever FIONBIO says
		// and fills the record, as for datagrams (recvSyncRecord).
		nb := k.nonblocking
		k.nonblocking = false
		var n uint32
		if a.recvd == nil {
			a.recvd = &n
		}
		e := p.streamRecvBlocking(k, a, in, total)
		k.nonblocking = nb
		if e == 0 {
			p.completeSyncRecord(ov, *a.recvd)
		}
		return e
	}
	if !overlappedCall(k, ov) {
		return p.streamRecvBlocking(k, a, in, total)
	}
	o := p.newOp(k, ov, routine, tid, a.bufs)
	o.peek, o.sx = peek, streamOp{kind: skRecv, total: total, waitall: waitall}
	p.beginNonIFS(ov, routine)
	if k.recvs.head == nil && p.streamTake(k, o) {
		p.flow(k.st.peer) // room was made
		if p.up.Pend() {
			p.deferOp(o, &k.deferred)
			return wso.WSA_IO_PENDING
		}
		st, n := o.status, o.n
		p.writeCounts(a, st, n, 0, in)
		p.complete(o, st, n, 0)
		return 0
	}
	o.state = opWaiting
	k.recvs.push(o)
	p.flow(k.st.peer) // a waiting receive makes room for a send waiting on the peer
	return wso.WSA_IO_PENDING
}

// streamRecvBlocking is a receive without overlapped I/O: at once when
// data (or the end of the stream) is there; WSAEWOULDBLOCK on a
// non-blocking socket; otherwise the thread waits, alertably, up to
// SO_RCVTIMEO on an overlapped socket.
func (p *Mem) streamRecvBlocking(k *sock, a recvArgs, in uint32, total int) Errno {
	o := p.newOp(k, nil, nil, nil, a.bufs)
	o.peek, o.sx = in&provider.MSG_PEEK != 0, streamOp{kind: skRecv, total: total, waitall: in&provider.MSG_WAITALL != 0}
	o.state = opInternal
	if k.recvs.head == nil && p.streamTake(k, o) {
		p.flow(k.st.peer)
	} else if k.nonblocking {
		p.releaseOp(o)
		return wso.WSAEWOULDBLOCK
	} else {
		o.ev = p.internalEvent()
		k.recvs.push(o)
		p.flow(k.st.peer)
		if e := p.blockQueued(o, &k.recvs, sockTimeout(k, k.rcvtimeo)); e != 0 {
			return e
		}
	}
	st, n := o.status, o.n
	p.releaseOp(o)
	p.writeCounts(a, st, n, 0, in)
	return blockingErr(st)
}

// blockingErr is a blocking call's answer for a final status: closesocket
// from another thread ends it with WSAEINTR.
func blockingErr(st NTStatus) Errno {
	switch st {
	case wso.STATUS_SUCCESS:
		return 0
	case wso.STATUS_CANCELLED:
		return wso.WSAEINTR
	}
	return st.WSAError()
}

// streamSend is WSPSend (and WSPSendTo, whose address a connected stream
// socket ignores) on a stream socket. Not connected: WSAENOTCONN; after
// SD_SEND: WSAESHUTDOWN; after a reset: WSAECONNRESET; MSG_OOB sends the
// last byte as urgent data (oob.go); MSG_PARTIAL is not modelled
// (WSAEOPNOTSUPP). The data is placed in
// issue order; an overlapped send whose data does not all fit pends until
// the peer reads enough; a blocking one waits; a non-blocking one sends
// what fits (WSAEWOULDBLOCK when nothing does).
// https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-wsasend
func (p *Mem) streamSend(k *sock, a sendArgs, ov *Overlapped, routine CompletionRoutine, tid *WSATHREADID) Errno {
	total, e := checkBufs(a.bufs)
	if e != 0 {
		return e
	}
	if a.sent == nil && !overlappedCall(k, ov) {
		return wso.WSAEFAULT
	}
	st := k.st
	switch {
	case a.isMsg:
		return wso.WSAEOPNOTSUPP
	case a.flags&^(provider.MSG_DONTROUTE|provider.MSG_PARTIAL|provider.MSG_OOB) != 0 || a.flags&provider.MSG_PARTIAL != 0:
		return wso.WSAEOPNOTSUPP
	case st.state != stConnected:
		return wso.WSAENOTCONN
	case st.reset != 0:
		return st.reset.WSAError()
	case k.shutSend:
		return wso.WSAESHUTDOWN
	}
	if p.chooseReset(k) {
		return st.reset.WSAError()
	}
	urgent := 0
	if a.flags&provider.MSG_OOB != 0 {
		urgent = p.sendUrgent(k, a.bufs, total)
	}
	if !overlappedCall(k, ov) {
		return p.streamSendBlocking(k, a, total, urgent)
	}
	o := p.newOp(k, ov, routine, tid, a.bufs)
	o.send, o.sx = true, streamOp{kind: skSend, total: total - urgent, urgent: urgent}
	p.beginNonIFS(ov, routine)
	if st.sendq.head == nil && p.place(k, o) {
		p.flow(k)
		return p.sendSucceeded(k, o, a.sent, total)
	}
	o.state = opWaiting
	st.sendq.push(o)
	p.flow(k)
	return wso.WSA_IO_PENDING
}

// streamSendBlocking is a send without overlapped I/O.
func (p *Mem) streamSendBlocking(k *sock, a sendArgs, total, urgent int) Errno {
	st := k.st
	o := p.newOp(k, nil, nil, nil, a.bufs)
	o.send, o.sx, o.state = true, streamOp{kind: skSend, total: total - urgent, urgent: urgent}, opInternal
	if st.sendq.head == nil && p.place(k, o) {
		p.flow(k)
		p.releaseOp(o)
		*a.sent = uint32(total)
		return 0
	}
	if k.nonblocking {
		n := o.sx.done + urgent
		p.releaseOp(o)
		if n == 0 {
			return wso.WSAEWOULDBLOCK
		}
		p.flow(k)
		*a.sent = uint32(n)
		return 0
	}
	o.ev = p.internalEvent()
	st.sendq.push(o)
	p.flow(k)
	if e := p.blockQueued(o, &st.sendq, sockTimeout(k, k.sndtimeo)); e != 0 {
		return e
	}
	s, n := o.status, o.n
	p.releaseOp(o)
	if s == wso.STATUS_SUCCESS {
		*a.sent = n
	}
	return blockingErr(s)
}
