package mem

import (
	"encoding/binary"
	"net/netip"
	"time"

	"github.com/wsaemu/wsaemu/provider"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// The Microsoft extension functions on stream sockets: AcceptEx,
// ConnectEx, DisconnectEx and TransmitPackets (TransmitFile over memory
// is TransmitPackets with the head and tail buffers), and the options
// that go with them (SO_UPDATE_ACCEPT_CONTEXT, SO_UPDATE_CONNECT_CONTEXT,
// SO_CONNECT_TIME).

var _ provider.Extensions = (*Mem)(nil)

// Extension request kinds (op.sx.kind), after stream_io.go's.
const (
	skAcceptEx uint8 = iota + 16
	skConnectEx
	skDisconnectEx
	skTransmit
)

// Which context update a socket made by an extension function still
// lacks; until it comes, the socket answers getpeername, shutdown (and,
// accepted, getsockname; connected, connect) as a socket in its state
// before the call.
const (
	ctxNone uint8 = iota
	ctxAccept
	ctxConnect
)

// streamExt is a stream socket's extension-function state.
type streamExt struct {
	axq     opList        // listening: AcceptEx requests waiting for a connection, oldest first
	pending *op           // accept socket: the AcceptEx that will accept into it
	ax      *op           // accept socket, connected: the AcceptEx waiting for the first data
	noCtx   uint8         // ctxAccept or ctxConnect until the SO_UPDATE_*_CONTEXT option
	since   time.Duration // when the connection was made (SO_CONNECT_TIME)
}

// acceptExOp is what an AcceptEx request remembers beyond an op.
type acceptExOp struct {
	accept                    *sock
	buf                       []byte
	recvLen, localLen, remLen uint32
	issuing, decided          bool // still inside WSPAcceptEx; its result settled there
}

// WSPAcceptEx implements AcceptEx for the in-memory provider. The errors
// are the ones Windows gives (Wine's dlls/ws2_32/tests/sock.c,
// test_AcceptEx): WSAENOTSOCK for either handle; WSAEINVAL for a socket
// that does not listen, an accept socket that is not a stream socket, is
// bound, connected, or already being accepted into; ERROR_INVALID_PARAMETER
// without a record; WSAEFAULT for no buffer or a remote area of 0 bytes.
// An address area too small for the address and 16 bytes makes the
// request fail when a connection comes, with STATUS_BUFFER_TOO_SMALL, and
// leaves that connection to be accepted. Otherwise the request takes the
// oldest connection waiting (now, or when one comes), which becomes the
// accept socket's; with recvLen > 0 it then waits for the first data (or
// the end of the stream, 0 bytes, or a reset, which fails it).
// https://learn.microsoft.com/windows/win32/api/mswsock/nf-mswsock-acceptex
func (p *Mem) WSPAcceptEx(listen, accept SOCKET, buf []byte, recvLen, localLen, remoteLen uint32, received *uint32, ov *Overlapped, tid *WSATHREADID) Errno {
	l, e := p.sock(listen)
	if e != 0 {
		return e
	}
	a, e := p.sock(accept)
	if e != 0 {
		return e
	}
	switch {
	case l.st == nil || l.st.state != stListening:
		return wso.WSAEINVAL
	case a.st == nil || a == l || a.bound || a.connected || a.st.state != stIdle || a.st.x.pending != nil:
		return wso.WSAEINVAL
	case ov == nil || !l.overlapped:
		return wso.ERROR_INVALID_PARAMETER
	case buf == nil || remoteLen == 0:
		return wso.WSAEFAULT
	case uint64(len(buf)) < uint64(recvLen)+uint64(localLen)+uint64(remoteLen):
		return wso.WSAEFAULT
	}
	o := p.newOp(l, ov, nil, tid, nil)
	o.sx.kind = skAcceptEx
	o.ax = o.acceptEx()
	*o.ax = acceptExOp{accept: a, buf: buf, recvLen: recvLen, localLen: localLen, remLen: remoteLen}
	a.st.x.pending = o
	p.beginNonIFS(ov, nil)
	o.state = opWaiting
	o.ax.issuing = true
	l.st.x.axq.push(o)
	p.serveAcceptEx(l)
	o.ax.issuing = false
	if !o.ax.decided || o.state == opDeferred {
		return wso.WSA_IO_PENDING
	}
	// Decided at once and not deferred by the Chooser: the call returns
	// the result, whose completion is still reported (event, port).
	st, n := o.status, o.n
	if st != wso.STATUS_SUCCESS {
		p.complete(o, st, n, 0)
		return wso.WSA_IO_PENDING // a failure is reported through the record only
	}
	if received != nil {
		*received = n
	}
	p.complete(o, st, n, 0)
	return 0
}

// shortArea reports whether an AcceptEx address area of n bytes cannot
// hold k's addresses (0 is taken, as Windows takes it, for the local
// area: no local address wanted).
func shortArea(k *sock, n uint32) bool {
	return n != 0 && n < uint32(sockaddrLen(k))+16
}

// serveAcceptEx gives the connections waiting on listener l to its
// AcceptEx requests, oldest first. A request decided at issue (still
// opWaiting in its issuing call) is left decided-but-undelivered: its
// issuing call delivers it, or defers it if the Chooser says so.
func (p *Mem) serveAcceptEx(l *sock) {
	for l.st.x.axq.head != nil && len(l.st.queue) > 0 {
		o := l.st.x.axq.head
		x := o.ax
		l.st.x.axq.remove(o)
		x.accept.st.x.pending = nil
		if shortArea(l, x.localLen) || shortArea(l, x.remLen) {
			p.decideAcceptEx(o, wso.STATUS_BUFFER_TOO_SMALL, 0)
			continue
		}
		c := l.st.queue[0]
		copy(l.st.queue, l.st.queue[1:])
		l.st.queue[len(l.st.queue)-1] = nil
		l.st.queue = l.st.queue[:len(l.st.queue)-1]
		a := x.accept
		p.takeOver(a, c)
		area := x.buf[x.recvLen:]
		if x.localLen != 0 {
			provider.PutAcceptExArea(area[:x.localLen], a.local)
		}
		provider.PutAcceptExArea(area[x.localLen:x.localLen+x.remLen], a.peer)
		a.st.x.noCtx = ctxAccept
		if x.recvLen == 0 {
			p.decideAcceptEx(o, wso.STATUS_SUCCESS, 0)
			continue
		}
		a.st.x.ax = o
		o.state = opWaiting
		p.acceptExData(a)
	}
}

// takeOver makes the connection c (a server side without a handle, taken
// from a listener's queue) the accept socket a's: a is bound where c is,
// connected to c's peer, and holds c's buffers; the peer now talks to a.
func (p *Mem) takeOver(a, c *sock) {
	st := c.st
	st.listener = nil
	st.x.pending, st.x.ax = nil, nil
	a.st = st
	a.bound, a.local = true, c.local
	a.connected, a.peer = true, c.peer
	a.queued = st.rx.len()
	if peer := st.peer; peer != nil && peer.st.peer == c {
		peer.st.peer = a
	}
}

// acceptExData completes the AcceptEx waiting for the first data on the
// accept socket a when the data (or the end of the stream) is there; the
// Chooser may hand it fewer bytes than are waiting. It reports whether it
// did.
func (p *Mem) acceptExData(a *sock) bool {
	o := a.st.x.ax
	if o == nil {
		return false
	}
	x := o.ax
	switch {
	case a.st.rx.len() > 0:
		m := p.up.Split(min(a.st.rx.len(), int(x.recvLen)))
		a.st.rx.peekAt(x.buf[:m], 0)
		a.st.rx.discard(m)
		a.queued = a.st.rx.len()
		a.st.x.ax = nil
		p.decideAcceptEx(o, wso.STATUS_SUCCESS, uint32(m))
		p.flow(a.st.peer) // room was made
		return true
	case a.st.finIn:
		a.st.x.ax = nil
		p.decideAcceptEx(o, wso.STATUS_SUCCESS, 0)
		return true
	}
	return false
}

// decideAcceptEx settles an AcceptEx request's result. One still inside
// its issuing call is left for the call to return, unless the Chooser
// makes it pend (a completion that comes a little later); one that
// pended completes now.
func (p *Mem) decideAcceptEx(o *op, st NTStatus, n uint32) {
	o.status, o.n = st, n
	if o.ax.issuing {
		o.ax.decided = true
		if p.up.Pend() {
			p.deferOp(o, &o.sock.deferred)
		}
		return
	}
	p.complete(o, st, n, 0)
}

// WSPConnectEx implements ConnectEx: the errors Windows gives (Wine's
// sock.c, test_connect): WSAEINVAL for a socket that is not bound, or
// listens, or is being accepted into; WSAEISCONN when connected;
// ERROR_INVALID_PARAMETER without a record. The connection is made as
// connect makes it, and the request always pends (Windows returns
// ERROR_IO_PENDING even on loopback); a refusal completes it with
// STATUS_CONNECTION_REFUSED (WSAECONNREFUSED, ERROR_CONNECTION_REFUSED).
// The send data then goes out like a send; the request completes with its
// size once all of it is placed. Until SO_UPDATE_CONNECT_CONTEXT, connect
// on the socket fails with WSAEINVAL and getpeername and shutdown with
// WSAENOTCONN.
// https://learn.microsoft.com/windows/win32/api/mswsock/nc-mswsock-lpfn_connectex
func (p *Mem) WSPConnectEx(s SOCKET, name *netip.AddrPort, namelen int32, send []byte, sent *uint32, ov *Overlapped, tid *WSATHREADID) Errno {
	k, e := p.sock(s)
	if e != 0 {
		return e
	}
	if k.st == nil {
		return wso.WSAEINVAL
	}
	if e := connectStateErr(k.st); e != 0 {
		return e
	}
	switch {
	case k.st.x.pending != nil || !k.bound:
		return wso.WSAEINVAL
	case ov == nil || !k.overlapped:
		return wso.ERROR_INVALID_PARAMETER
	}
	if e := checkName(k, name, namelen); e != 0 {
		return e
	}
	dst := *name
	if dst.Addr().IsUnspecified() || dst.Port() == 0 {
		return wso.WSAEADDRNOTAVAIL
	}
	if !isLocal(dst.Addr()) {
		return wso.WSAENETUNREACH
	}
	p.beginNonIFS(ov, nil)
	var bufs []WSABUF
	if len(send) > 0 {
		bufs = []WSABUF{{Len: uint32(len(send)), Buf: send}}
	}
	o := p.newOp(k, ov, nil, tid, bufs)
	o.send, o.sx = true, streamOp{kind: skConnectEx, total: len(send)}
	if e := p.establish(k, dst); e != 0 {
		o.status, o.n = wso.STATUS_CONNECTION_REFUSED, 0
		p.deferOp(o, &k.sends)
		return wso.WSA_IO_PENDING
	}
	k.st.x.noCtx = ctxConnect
	if o.sx.total == 0 || p.place(k, o) {
		p.flow(k)
		o.status, o.n = wso.STATUS_SUCCESS, uint32(o.sx.total)
		p.deferOp(o, &k.sends)
		return wso.WSA_IO_PENDING
	}
	o.sx.kind, o.state = skSend, opWaiting
	k.st.sendq.push(o)
	p.flow(k)
	return wso.WSA_IO_PENDING
}

// WSPDisconnectEx implements DisconnectEx: on a connected stream socket
// it sends the end of the stream after the data already sent (as
// shutdown(SD_SEND)); receiving goes on. With a record it pends and
// completes with 0 bytes (Wine's sock.c, test_DisconnectEx, on Windows);
// without one it returns at once, and again when repeated. TF_REUSE_SOCKET
// then detaches the connection (it ends as closesocket would end it) and
// leaves the socket open, unbound and unconnected, for AcceptEx or
// ConnectEx. Other flags are WSAEINVAL; a socket not connected,
// WSAENOTCONN.
// https://learn.microsoft.com/windows/win32/api/mswsock/nc-mswsock-lpfn_disconnectex
func (p *Mem) WSPDisconnectEx(s SOCKET, ov *Overlapped, flags uint32, tid *WSATHREADID) Errno {
	k, e := p.sock(s)
	if e != 0 {
		return e
	}
	switch {
	case flags&^provider.TF_REUSE_SOCKET != 0:
		return wso.WSAEINVAL
	case k.st == nil || k.st.state != stConnected:
		return wso.WSAENOTCONN
	}
	p.disconnect(k, flags)
	if !overlappedCall(k, ov) {
		return 0
	}
	p.beginNonIFS(ov, nil)
	o := p.newOp(k, ov, nil, tid, nil)
	o.send, o.sx.kind = true, skDisconnectEx
	o.status = wso.STATUS_SUCCESS
	p.deferOp(o, &k.sends)
	return wso.WSA_IO_PENDING
}

// disconnect ends k's sending side and, with TF_REUSE_SOCKET, gives k a
// fresh state.
func (p *Mem) disconnect(k *sock, flags uint32) {
	if !k.shutSend {
		k.shutSend = true
		k.st.finOut = true
		p.flow(k)
	}
	if flags&provider.TF_REUSE_SOCKET == 0 {
		return
	}
	// The connection goes on without a handle, like a closed socket's: a
	// stand-in takes k's place at the peer and ends it. Receives still
	// pending on k are cancelled.
	st := k.st
	ghost := p.newSock(sock{handle: provider.INVALID_SOCKET, af: k.af, typ: k.typ, proto: k.proto, overlapped: k.overlapped,
		rcvbuf: k.rcvbuf, sndbuf: k.sndbuf, bound: true, local: k.local, connected: true, peer: k.peer,
		shutSend: true, queued: k.queued, st: st})
	if peer := st.peer; peer != nil && peer.st.peer == k {
		peer.st.peer = ghost
	}
	for o := k.recvs.head; o != nil; o = k.recvs.head {
		k.recvs.remove(o)
		p.complete(o, wso.STATUS_CANCELLED, 0, 0)
	}
	if st.bindKey.IsValid() {
		p.net.tcp.del(st.bindKey, k)
		st.bindKey = netip.AddrPort{}
	}
	p.streamClose(ghost)
	k.st = p.newStream(stream{})
	k.bound, k.connected, k.shutSend, k.shutRecv = false, false, false, false
	k.local, k.peer = netip.AddrPort{}, netip.AddrPort{}
	k.queued = 0
}

// WSPTransmitPackets implements TransmitPackets (and TransmitFile, whose
// head buffer, file and tail buffer are three elements): the elements'
// bytes go out in order on the connected stream socket s like one send
// (a datagram socket: see Config.TransmitDatagramNotConn). With a record
// the request pends (as Windows' does, Wine's sock.c, test_TransmitFile)
// and completes with the byte count once all is placed; without one the
// call waits for room (non-blocking: sends what fits). TF_DISCONNECT and
// TF_REUSE_SOCKET then end the sending side as DisconnectEx does. A
// socket not connected (a datagram socket too) is WSAENOTCONN; an element
// both memory and file, WSAEINVAL; a memory element longer than its
// buffer, WSAEFAULT; more than 2,147,483,646 bytes asked for in all,
// WSAEINVAL (the pages' error tables). File elements: see transmitFile.
// https://learn.microsoft.com/windows/win32/api/mswsock/nc-mswsock-lpfn_transmitpackets
// https://learn.microsoft.com/windows/win32/api/mswsock/nf-mswsock-transmitfile
func (p *Mem) WSPTransmitPackets(s SOCKET, elems []provider.TransmitElement, sendSize uint32, ov *Overlapped, flags uint32, tid *WSATHREADID) Errno {
	k, e := p.sock(s)
	if e != 0 {
		return e
	}
	const known = provider.TF_DISCONNECT | provider.TF_REUSE_SOCKET | provider.TF_WRITE_BEHIND | provider.TF_USE_SYSTEM_THREAD | provider.TF_USE_KERNEL_APC
	switch {
	case k.st == nil && !p.cfg.TransmitDatagramNotConn:
		return wso.WSAEINVAL
	case k.st == nil || k.st.state != stConnected:
		return wso.WSAENOTCONN
	case flags&^known != 0, flags&provider.TF_REUSE_SOCKET != 0 && flags&provider.TF_DISCONNECT == 0:
		return wso.WSAEINVAL
	case k.st.reset != 0:
		return k.st.reset.WSAError()
	case k.shutSend:
		return wso.WSAESHUTDOWN
	}
	var few [8]WSABUF // most requests have a few elements: no allocation
	bufs := few[:0]
	total := 0
	var asked uint64
	files := false
	for _, el := range elems {
		mem := el.Flags&provider.TP_ELEMENT_MEMORY != 0
		asked += uint64(el.Len)
		switch {
		case mem && el.Flags&provider.TP_ELEMENT_FILE != 0:
			return wso.WSAEINVAL // the flags are mutually exclusive
		case !mem:
			files = true
		case int(el.Len) > len(el.Buf):
			return wso.WSAEFAULT
		case el.Len > 0:
			bufs = append(bufs, WSABUF{Len: el.Len, Buf: el.Buf})
			total += int(el.Len)
		}
	}
	if asked > maxTransmit {
		return wso.WSAEINVAL
	}
	if files {
		return p.transmitFile(k, elems, sendSize, ov, flags, tid)
	}
	if !overlappedCall(k, ov) {
		var n uint32
		if total > 0 {
			if e := p.streamSendBlocking(k, sendArgs{bufs: bufs, sent: &n}, total, 0); e != 0 {
				return e
			}
		}
		if flags&provider.TF_DISCONNECT != 0 {
			p.disconnect(k, flags)
		}
		return 0
	}
	p.beginNonIFS(ov, nil)
	o := p.newOp(k, ov, nil, tid, bufs)
	o.send, o.sx = true, streamOp{kind: skTransmit, total: total}
	if k.st.sendq.head == nil && (total == 0 || p.place(k, o)) {
		p.flow(k)
		o.status, o.n = wso.STATUS_SUCCESS, uint32(total)
		p.deferOp(o, &k.sends)
	} else {
		o.sx.kind, o.state = skSend, opWaiting
		k.st.sendq.push(o)
		p.flow(k)
	}
	if flags&provider.TF_DISCONNECT != 0 {
		p.disconnect(k, flags)
	}
	return wso.WSA_IO_PENDING
}

// maxTransmit is the most one TransmitFile or TransmitPackets may be asked
// to send (the pages: a 32-bit integer's maximum minus 1).
const maxTransmit = 2147483646

// defaultBlock is the block a file element is read and sent in when the
// caller leaves the size to the provider (nNumberOfBytesPerSend 0).
const defaultBlock = 65536

// transmitOp is what a transmit with file elements remembers while it
// reads them.
type transmitOp struct {
	elems   []provider.TransmitElement
	i       int    // the element being read
	started bool   // elems[i], a file, has begun: left is set
	left    uint32 // elems[i] with a count: bytes still to read
	block   int
	flags   uint32 // TF_DISCONNECT, TF_REUSE_SOCKET: done once all is read
	eof     bool   // every element read

	blocks [][]byte // the blocks read, which the request's buffers point into; storage kept with the record
	used   int      // blocks[:used] hold this request's bytes
}

// keep copies a block read into the record's storage and gives the copy.
func (x *transmitOp) keep(data []byte) []byte {
	if x.used == len(x.blocks) {
		x.blocks = append(x.blocks, nil)
	}
	b := append(x.blocks[x.used][:0], data...)
	x.blocks[x.used] = b
	x.used++
	return b
}

// transmitFile is WSPTransmitPackets with file elements. The system reads
// a file on the provider's behalf (Upcalls.ReadHandle, as AFD reads the
// file object on Windows): block by block (nNumberOfBytesPerSend, or
// nSendSize, 0 for the default), each block joining the send as it is
// read, so the head buffer and the blocks read so far reach the peer
// while the file has no more yet. A file element with a count stops after
// that many bytes, or earlier at the end of its data (the request then
// completes with what was sent: the page's "sent the specified number of
// bytes, or ... an error" leaves the end of the data to the provider;
// Wine's implementation ends there too); with 0 it runs to the end. A
// handle the system cannot read fails the call at once: not a file-like
// handle, STATUS_INVALID_HANDLE (WSAENOTSOCK); not opened for reading,
// STATUS_ACCESS_DENIED (WSAEACCES). One that fails later (closed while
// the transmit waits) completes the request with that status. While the
// file has nothing, the request waits for the machine's wake-up; the
// sends issued after it wait behind it, in order. TF_DISCONNECT is applied
// once everything is read. Without a record the call blocks until the
// data is all sent, on a non-blocking socket too (the page: with
// lpOverlapped NULL the function does not complete until the file has
// been sent; it names no WSAEWOULDBLOCK).
func (p *Mem) transmitFile(k *sock, elems []provider.TransmitElement, sendSize uint32, ov *Overlapped, flags uint32, tid *WSATHREADID) Errno {
	for _, el := range elems {
		if el.Flags&provider.TP_ELEMENT_MEMORY == 0 {
			if _, _, e := p.up.ReadHandle(el.File, nil, nil, 0); e != 0 {
				return readStatus(e).WSAError()
			}
		}
	}
	block := int(sendSize)
	if sendSize == 0 || sendSize == 0xFFFFFFFF {
		block = defaultBlock
	}
	overlapped := overlappedCall(k, ov)
	if overlapped {
		p.beginNonIFS(ov, nil)
	}
	o := p.newOp(k, ov, nil, tid, nil)
	o.send, o.sx = true, streamOp{kind: skTransmit}
	x := o.transmit()
	x.elems, x.block, x.flags = append(x.elems, elems...), block, flags
	o.tx = x
	done, e := p.feed(o)
	if e != 0 {
		p.releaseOp(o)
		return readStatus(e).WSAError()
	}
	st := k.st
	if !overlapped {
		o.state = opInternal
		if done && st.sendq.head == nil && p.place(k, o) {
			p.flow(k)
			p.releaseOp(o)
			if flags&provider.TF_DISCONNECT != 0 {
				p.disconnect(k, flags)
			}
			return 0
		}
		o.ev = p.internalEvent()
		st.sendq.push(o)
		p.flow(k)
		if done && flags&provider.TF_DISCONNECT != 0 {
			p.disconnect(k, flags)
		}
		if e := p.blockQueued(o, &st.sendq, 0); e != 0 {
			return e
		}
		status := o.status
		p.releaseOp(o)
		return blockingErr(status)
	}
	if done && st.sendq.head == nil && (o.sx.total == 0 || p.place(k, o)) {
		p.flow(k)
		o.status, o.n = wso.STATUS_SUCCESS, uint32(o.sx.total)
		p.deferOp(o, &k.sends)
	} else {
		o.sx.kind, o.state = skSend, opWaiting
		st.sendq.push(o)
		p.flow(k)
	}
	if done && flags&provider.TF_DISCONNECT != 0 {
		p.disconnect(k, flags)
	}
	return wso.WSA_IO_PENDING
}

// feed reads transmit o's elements into its buffers until one must wait
// for data (false) or all are in (true); e is a read's error.
func (p *Mem) feed(o *op) (bool, Errno) {
	x := o.tx
	for x.i < len(x.elems) {
		el := &x.elems[x.i]
		if el.Flags&provider.TP_ELEMENT_MEMORY != 0 {
			if el.Len > 0 {
				o.bufs = append(o.bufs, WSABUF{Len: el.Len, Buf: el.Buf})
				o.sx.total += int(el.Len)
			}
			x.i++
			continue
		}
		if !x.started {
			x.started, x.left = true, el.Len
		}
		want := x.block
		if el.Len != 0 {
			want = min(want, int(x.left))
		}
		if want == 0 {
			x.i, x.started = x.i+1, false
			continue
		}
		scratch := p.rec.readBuf(want)
		n, st, e := p.up.ReadHandle(el.File, scratch, txWaker{p}, o.ctx())
		switch {
		case e != 0:
			return false, e
		case st == provider.ReadWait:
			return false, 0
		case st == provider.ReadEnd:
			x.i, x.started = x.i+1, false
			continue
		}
		if n > 0 {
			b := x.keep(scratch[:n])
			o.bufs = append(o.bufs, WSABUF{Len: uint32(n), Buf: b})
			o.sx.total += n
			if el.Len != 0 {
				x.left -= uint32(n)
			}
		}
	}
	x.eof = true
	return true, 0
}

// txWaker is the Deferrable the machine fires when a file a transmit
// waits on has data or has ended.
type txWaker struct{ p *Mem }

// Fire goes on with the transmit whose context c is, if it still waits.
func (w txWaker) Fire(c uintptr) {
	p := w.p
	o := p.fromCtx(c)
	if o == nil || o.tx == nil || o.tx.eof || (o.state != opWaiting && o.state != opInternal) {
		return
	}
	k := o.sock
	done, e := p.feed(o)
	if e != 0 {
		k.st.sendq.remove(o)
		p.complete(o, readStatus(e), uint32(o.sx.done), 0)
		p.flow(k)
		return
	}
	if done && o.tx.flags&provider.TF_DISCONNECT != 0 {
		p.disconnect(k, o.tx.flags) // it carries the data first
		return
	}
	p.flow(k)
}

// readStatus is the status a transmit gets for a file read's error.
func readStatus(e Errno) NTStatus {
	switch e {
	case wso.ERROR_INVALID_HANDLE:
		return wso.STATUS_INVALID_HANDLE
	case wso.ERROR_ACCESS_DENIED:
		return statusAccessDenied
	}
	return wso.STATUS_PIPE_DISCONNECTED
}

// statusAccessDenied is STATUS_ACCESS_DENIED.
const statusAccessDenied NTStatus = 0xC0000022

// extSetSockOpt handles the extension functions' options; ok false means
// the option is not one of them.
func (p *Mem) extSetSockOpt(k *sock, level, name int32, val []byte) (Errno, bool) {
	if level != provider.SOL_SOCKET {
		return 0, false
	}
	switch name {
	case provider.SO_UPDATE_ACCEPT_CONTEXT:
		// The value is the listening socket the connection came from;
		// the accepted socket takes its properties.
		if len(val) < 8 {
			return wso.WSAEFAULT, true
		}
		l, e := p.sock(SOCKET(binary.LittleEndian.Uint64(val)))
		if e != 0 {
			return e, true
		}
		if k.st == nil || k.st.state != stConnected || l.st == nil {
			return wso.WSAENOTCONN, true
		}
		k.nonblocking, k.rcvbuf, k.sndbuf = l.nonblocking, l.rcvbuf, l.sndbuf
		k.st.linger, k.st.lingerSecs, k.st.nodelay = l.st.linger, l.st.lingerSecs, l.st.nodelay
		k.st.x.noCtx = ctxNone
		return 0, true
	case provider.SO_UPDATE_CONNECT_CONTEXT:
		if k.st == nil || k.st.state != stConnected {
			return wso.WSAENOTCONN, true
		}
		k.st.x.noCtx = ctxNone
		return 0, true
	}
	return 0, false
}

// extGetSockOpt answers SO_CONNECT_TIME: the whole seconds a stream
// socket has been connected, on the virtual clock, or 0xFFFFFFFF while it
// is not connected (the AcceptEx page).
func (p *Mem) extGetSockOpt(k *sock, level, name int32) (uint32, bool) {
	if level != provider.SOL_SOCKET || name != provider.SO_CONNECT_TIME || k.st == nil {
		return 0, false
	}
	if k.st.state != stConnected {
		return 0xFFFFFFFF, true
	}
	return uint32((p.up.Now() - k.st.x.since) / time.Second), true
}

// ctxErr is the error a socket made by AcceptEx or ConnectEx gives before
// its context update: getpeername and shutdown see no connection
// (WSAENOTCONN), getsockname of an accepted socket sees no binding
// (WSAEINVAL), connect on a ConnectEx socket fails with WSAEINVAL (Wine's
// sock.c, test_connect, on Windows). Shutdown's WSAENOTCONN on a ConnectEx
// socket is a Windows observation (Len Holgate's blog post "Winsock,
// ConnectEx, shutdown, SO_UPDATE_CONNECT_CONTEXT and WSAENOTCONN", 2005);
// the accepted socket's answers follow the AcceptEx page's list of the
// only calls allowed before the update.
func ctxErr(k *sock, call uint8) Errno {
	if k.st == nil || k.st.x.noCtx == ctxNone {
		return 0
	}
	switch call {
	case ctxCallPeer, ctxCallShutdown:
		return wso.WSAENOTCONN
	case ctxCallName:
		if k.st.x.noCtx == ctxAccept {
			return wso.WSAEINVAL
		}
	case ctxCallConnect:
		return wso.WSAEINVAL
	}
	return 0
}

// The calls ctxErr answers for.
const (
	ctxCallPeer uint8 = iota
	ctxCallName
	ctxCallShutdown
	ctxCallConnect
)

// connectedNow records when k's connection was made (SO_CONNECT_TIME).
func (p *Mem) connectedNow(k ...*sock) {
	for _, s := range k {
		s.st.x.since = p.up.Now()
	}
}

// cancelExt cancels listener k's AcceptEx requests that match (CancelIo,
// CancelIoEx, closesocket of the listener): they complete with
// STATUS_CANCELLED, and a connection one had taken stays with its accept
// socket.
func (p *Mem) cancelExt(k *sock, match func(*op) bool) int {
	n := 0
	for o := k.st.x.axq.head; o != nil; {
		next := o.next
		if match(o) {
			n++
			k.st.x.axq.remove(o)
			o.ax.accept.st.x.pending = nil
			p.complete(o, wso.STATUS_CANCELLED, 0, 0)
		}
		o = next
	}
	for _, a := range p.all {
		if o := a.st; o != nil && o.x.ax != nil && o.x.ax.sock == k && match(o.x.ax) {
			n++
			r := o.x.ax
			o.x.ax = nil
			p.complete(r, wso.STATUS_CANCELLED, 0, 0)
		}
	}
	return n
}

// closeExt is closesocket's part for an accept socket an AcceptEx still
// waits on: that request fails with STATUS_CANCELLED (Wine's sock.c,
// test_AcceptEx: ERROR_OPERATION_ABORTED on Windows). CancelIo on the
// accept socket does not reach it: the request belongs to the listener.
//
// A request that has already accepted a connection and waits for its
// first data may instead fail with STATUS_CONNECTION_ABORTED
// (ERROR_CONNECTION_ABORTED): Wine's sock.c, test_completion_port, takes
// either status from Windows. The windows profile leaves that to the
// Chooser (Unsettled: true gives STATUS_CONNECTION_ABORTED); the pages
// name no status, and the docs profile keeps STATUS_CANCELLED.
func (p *Mem) closeExt(k *sock) {
	if k.st == nil {
		return
	}
	if o := k.st.x.pending; o != nil {
		k.st.x.pending = nil
		o.sock.st.x.axq.remove(o)
		p.complete(o, wso.STATUS_CANCELLED, 0, 0)
	}
	if o := k.st.x.ax; o != nil {
		k.st.x.ax = nil
		st := wso.STATUS_CANCELLED
		if p.up.Unsettled() {
			st = wso.STATUS_CONNECTION_ABORTED
		}
		p.complete(o, st, 0, 0)
	}
}

// resetExt fails the AcceptEx waiting for k's first data when the
// connection is reset: the page's WSAECONNRESET.
func (p *Mem) resetExt(k *sock, status NTStatus) {
	if o := k.st.x.ax; o != nil {
		k.st.x.ax = nil
		p.complete(o, status, 0, 0)
	}
}
