package mem

import (
	"net/netip"

	"github.com/wsaemu/wsaemu/provider"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// Stream (TCP) sockets on the in-memory network: listening, connecting,
// accepting and the endings of a connection. The byte stream itself is in
// stream_io.go.
//
// A connection is two sockets that point at each other. Each direction
// has the sender's send buffer (tx, at most SO_SNDBUF bytes) and the
// receiver's receive buffer (rx, at most SO_RCVBUF); bytes move from a
// send's buffers into the peer's rx while it has room, then into tx; a
// send whose bytes do not all fit waits (pends) and completes as the peer
// reads. A connection is made when connect reaches a listening socket
// with room in its backlog, before anyone accepts it: the listener's queue
// holds the server side (a socket without a handle) until accept gives it
// one, through WPUCreateSocketHandle or IFSCreateSocketHandle.

type streamState uint8

const (
	stIdle       streamState = iota // neither connected nor listening
	stListening                     // listen ran
	stConnecting                    // a non-blocking connect is under way
	stConnected                     // a connection exists (it may have ended since)
)

// stream is a stream socket's state beyond what every socket has.
type stream struct {
	state   streamState
	bindKey netip.AddrPort // where the socket sits in the TCP table

	// Listening.
	backlog int
	queue   []*sock // connections made and not accepted yet, oldest first
	accepts opList  // blocking accepts waiting for a connection

	// A connection.
	listener   *sock // server side not accepted yet: the listener it waits on
	peer       *sock
	rx, tx     ring
	sendq      opList // sends waiting for room, in issue order
	finOut     bool   // SD_SEND or a graceful close: a FIN follows the data
	finSent    bool   // that FIN has reached the peer
	finIn      bool   // the peer's FIN arrived: past the data, the stream has ended
	closed     bool   // closesocket ran (or, not accepted, never will be accepted)
	reset      NTStatus
	connecting *op // a non-blocking connect's deferred completion

	x streamExt // the extension functions' state (ext.go)

	linger     bool
	lingerSecs uint16
	lingerOp   *op // a closesocket waiting for the send buffer to empty (linger.go)
	nodelay    bool

	oob       []byte // urgent bytes received and not read, oldest first (oob.go)
	oobinline bool   // SO_OOBINLINE
}

// Listen backlogs: SOMAXCONN asks for the provider's maximum.
const maxBacklog = 200

// WSPListen implements WSPListen: a bound stream socket starts accepting
// connections; at most backlog of them wait to be accepted (SOMAXCONN and
// anything larger give 200, 0 or less gives 1). Listening again changes
// the backlog. A datagram socket is WSAEOPNOTSUPP, an unbound one
// WSAEINVAL, a connected one WSAEISCONN.
// https://learn.microsoft.com/windows/win32/api/ws2spi/nc-ws2spi-lpwsplisten
func (p *Mem) WSPListen(s SOCKET, backlog int32) Errno {
	k, e := p.sock(s)
	if e != 0 {
		return e
	}
	switch {
	case k.st == nil:
		return wso.WSAEOPNOTSUPP
	case k.st.state == stConnected || k.st.state == stConnecting:
		return wso.WSAEISCONN
	case !k.bound:
		return wso.WSAEINVAL
	}
	b := int(backlog)
	if b < 1 {
		b = 1
	}
	if b > maxBacklog {
		b = maxBacklog
	}
	k.st.state, k.st.backlog = stListening, b
	return 0
}

// WSPAccept implements WSPAccept without a condition function: the oldest
// connection waiting on the listening socket gets a handle and is
// returned, its peer's address in *addr. With none waiting, a
// non-blocking socket fails with WSAEWOULDBLOCK and a blocking one waits,
// alertably (closesocket of the listener ends the wait with WSAEINTR). The
// new socket has the listener's properties: overlapped or not, blocking
// mode, buffer sizes, linger.
// https://learn.microsoft.com/windows/win32/api/ws2spi/nc-ws2spi-lpwspaccept
func (p *Mem) WSPAccept(s SOCKET, addr *netip.AddrPort, addrlen *int32) (SOCKET, Errno) {
	k, e := p.sock(s)
	if e != 0 {
		return provider.INVALID_SOCKET, e
	}
	switch {
	case k.st == nil:
		return provider.INVALID_SOCKET, wso.WSAEOPNOTSUPP
	case k.st.state != stListening:
		return provider.INVALID_SOCKET, wso.WSAEINVAL
	case addr != nil && (addrlen == nil || *addrlen < sockaddrLen(k)):
		return provider.INVALID_SOCKET, wso.WSAEFAULT
	}
	defer p.reenable(s, provider.FD_ACCEPT) // readiness.go
	for len(k.st.queue) == 0 {
		if k.nonblocking {
			return provider.INVALID_SOCKET, wso.WSAEWOULDBLOCK
		}
		o := p.newOp(k, nil, nil, nil, nil)
		o.state, o.sx.kind, o.ev = opInternal, skAccept, p.internalEvent()
		k.st.accepts.push(o)
		e := p.block(o, 0)
		k.st.accepts.remove(o)
		st := o.status
		p.freeEvent(o.ev)
		p.releaseOp(o)
		switch {
		case e != 0:
			return provider.INVALID_SOCKET, e
		case st == wso.STATUS_CANCELLED || k.st.state != stListening:
			return provider.INVALID_SOCKET, wso.WSAEINTR
		}
	}
	c := k.st.queue[0]
	copy(k.st.queue, k.st.queue[1:])
	k.st.queue[len(k.st.queue)-1] = nil
	k.st.queue = k.st.queue[:len(k.st.queue)-1]
	h, e := p.adopt(c)
	if e != 0 {
		p.abort(c)
		return provider.INVALID_SOCKET, e
	}
	if addr != nil {
		*addr, *addrlen = c.peer, sockaddrLen(k)
	}
	return h, 0
}

// adopt gives a connection taken from a listener's queue its handle. It is
// the one way an accepted socket comes to exist (accept now; AcceptEx
// later).
func (p *Mem) adopt(c *sock) (SOCKET, Errno) {
	h, e := p.newHandle()
	if e != 0 {
		return provider.INVALID_SOCKET, e
	}
	c.handle = h
	p.inheritSelect(c, c.st.listener) // readiness.go
	c.st.listener = nil
	p.socks.put(h, c)
	p.all = append(p.all, c)
	return h, 0
}

// wakeAccept releases the oldest blocking accept waiting on l.
func (p *Mem) wakeAccept(l *sock) {
	if o := l.st.accepts.head; o != nil {
		l.st.accepts.remove(o)
		p.complete(o, wso.STATUS_SUCCESS, 0, 0)
	}
}

// streamConnect is WSPConnect on a stream socket. A blocking socket is
// connected (or refused) when the call returns: the network is loopback.
// A non-blocking one answers WSAEWOULDBLOCK; the Chooser (Pend) decides
// whether the connection is made already or by a deferred action. Until
// it is made connect fails with WSAEALREADY, after it with WSAEISCONN,
// and a refusal is left in SO_ERROR.
// https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-connect
func (p *Mem) streamConnect(k *sock, dst netip.AddrPort) Errno {
	if e := ctxErr(k, ctxCallConnect); e != 0 || k.st.x.pending != nil {
		return wso.WSAEINVAL
	}
	if e := connectStateErr(k.st); e != 0 {
		return e
	}
	if dst.Addr().IsUnspecified() || dst.Port() == 0 {
		return wso.WSAEADDRNOTAVAIL
	}
	if !isLocal(dst.Addr()) {
		return wso.WSAENETUNREACH
	}
	if e := p.implicitBind(k); e != 0 {
		return e
	}
	if k.nonblocking {
		if !p.up.Pend() {
			// Loopback: the connection (or its refusal) may be made before
			// connect returns; the call still answers WSAEWOULDBLOCK.
			e := p.establish(k, dst)
			if e != 0 {
				k.soError = e
			}
			p.connectEnded(k, e) // readiness.go
			return wso.WSAEWOULDBLOCK
		}
		o := p.newOp(k, nil, nil, nil, nil)
		o.state, o.sx.kind, o.dst = opInternal, skConnect, dst
		k.st.state, k.st.connecting = stConnecting, o
		p.up.Defer((*connectDone)(p), o.ctx())
		return wso.WSAEWOULDBLOCK
	}
	return p.establish(k, dst)
}

// connectStateErr is what connect and ConnectEx answer for a stream socket
// that listens (WSAEINVAL), is connecting (WSAEALREADY) or is connected
// (WSAEISCONN); 0 for one that may connect.
func connectStateErr(st *stream) Errno {
	switch st.state {
	case stListening:
		return wso.WSAEINVAL
	case stConnecting:
		return wso.WSAEALREADY
	case stConnected:
		return wso.WSAEISCONN
	}
	return 0
}

// connectDone finishes a non-blocking connect, as a deferred action.
type connectDone Mem

// Fire implements provider.Deferrable.
func (f *connectDone) Fire(c uintptr) {
	p := (*Mem)(f)
	o := p.fromCtx(c)
	if o == nil || o.sx.kind != skConnect {
		return
	}
	k, dst := o.sock, o.dst
	k.st.connecting = nil
	p.releaseOp(o)
	k.st.state = stIdle
	e := p.establish(k, dst)
	if e != 0 {
		k.soError = e
	}
	p.connectEnded(k, e) // readiness.go
}

// establish makes the connection from k to whatever listens at dst:
// WSAECONNREFUSED when nothing listens there or its backlog is full (a
// listener that is full answers with a reset, as Windows' does).
func (p *Mem) establish(k *sock, dst netip.AddrPort) Errno {
	l := p.net.tcp.lookup(dst)
	if l == nil || l == k || l.st.state != stListening || len(l.st.queue) >= l.st.backlog {
		return wso.WSAECONNREFUSED
	}
	srv := p.newSock(sock{af: l.af, typ: l.typ, proto: l.proto, overlapped: l.overlapped, nonblocking: l.nonblocking,
		rcvbuf: l.rcvbuf, sndbuf: l.sndbuf, sndtimeo: l.sndtimeo, rcvtimeo: l.rcvtimeo, connreset: true, v6only: l.v6only,
		st: p.newStream(stream{state: stConnected, listener: l, linger: l.st.linger, lingerSecs: l.st.lingerSecs, nodelay: l.st.nodelay, oobinline: l.st.oobinline})})
	if k.local.Addr().IsUnspecified() {
		// The connection's source is the loopback address it went over.
		k.local = netip.AddrPortFrom(dst.Addr(), k.local.Port())
	}
	srv.bound, srv.local = true, dst
	srv.connected, srv.peer, srv.st.peer = true, k.local, k
	k.connected, k.peer, k.st.peer, k.st.state = true, dst, srv, stConnected
	l.st.queue = append(l.st.queue, srv)
	p.connectedNow(k, srv)
	p.wakeAccept(l)
	p.serveAcceptEx(l)
	p.changed(l) // readiness.go
	return 0
}

// streamShutdown is WSPShutdown on a stream socket: SD_SEND sends a FIN
// after the data already sent (the peer's receives then complete with 0
// bytes) and refuses later sends with WSAESHUTDOWN; SD_RECEIVE refuses
// later receives with WSAESHUTDOWN, and a receive already pending is
// handled as the profile says (Config.ShutdownKeepsPendingRecvs). Not
// connected (a listening socket included): WSAENOTCONN.
// https://learn.microsoft.com/windows/win32/api/winsock/nf-winsock-shutdown
func (p *Mem) streamShutdown(k *sock, how int32) Errno {
	if k.st.state != stConnected || ctxErr(k, ctxCallShutdown) != 0 {
		return wso.WSAENOTCONN
	}
	if how != provider.SD_SEND {
		p.shutdownRecvs(k)
	}
	if how != provider.SD_RECEIVE {
		k.shutSend = true
		k.st.finOut = true
		p.flow(k)
	}
	return 0
}

// streamClose is the stream part of WSPCloseSocket, after the socket's
// pending requests were cancelled. A listener resets every connection not
// yet accepted. A connection closes abortively (a reset: the peer's
// pending and later calls fail with WSAECONNRESET) when SO_LINGER is on
// with a zero timeout, or when received data was never read; otherwise
// gracefully: what was sent still reaches the peer, then a FIN. (A linger
// timeout was waited for before, in lingerWait.)
// https://learn.microsoft.com/windows/win32/api/winsock/nf-winsock-closesocket
func (p *Mem) streamClose(k *sock) {
	st := k.st
	if o := st.connecting; o != nil {
		st.connecting = nil
		p.releaseOp(o)
	}
	switch st.state {
	case stListening:
		for _, c := range st.queue {
			c.st.closed = true
			p.abort(c)
		}
		clear(st.queue)
		st.queue = st.queue[:0]
	case stConnected:
		if st.reset == 0 {
			if (st.linger && st.lingerSecs == 0) || st.rx.len() > 0 {
				p.abort(k)
			} else {
				st.finOut = true
				p.flow(k)
			}
		}
	}
	st.closed = true
	if st.bindKey.IsValid() {
		p.net.tcp.del(st.bindKey, k)
	}
	k.bound = false // the TCP table is not the UDP one WSPCloseSocket clears
}

// abort resets k's connection from k's side: k's buffers are dropped and
// the peer, unless it has closed, is reset.
func (p *Mem) abort(k *sock) {
	st := k.st
	st.tx.clear()
	st.rx.clear()
	k.queued = 0
	if st.reset == 0 {
		st.reset = wso.STATUS_CONNECTION_ABORTED
	}
	if peer := st.peer; peer != nil && peer.st.reset == 0 && !peer.st.closed {
		p.resetSock(peer, wso.STATUS_CONNECTION_RESET)
	}
}

// resetSock ends k's connection with status (STATUS_CONNECTION_RESET when
// the peer reset it): every receive and send pending on k completes with
// it, and later ones fail with its error. A connection not yet accepted
// leaves its listener's queue. It is also the hook for a reset the Chooser
// injects.
func (p *Mem) resetSock(k *sock, status NTStatus) {
	st := k.st
	st.reset = status
	p.resetExt(k, status)
	st.rx.clear()
	st.tx.clear()
	st.oob = st.oob[:0]
	k.queued = 0
	for o := k.recvs.head; o != nil; o = k.recvs.head {
		k.recvs.remove(o)
		p.complete(o, status, 0, 0)
	}
	for o := st.sendq.head; o != nil; o = st.sendq.head {
		st.sendq.remove(o)
		p.complete(o, status, 0, 0)
	}
	p.lingerDone(k)
	if l := st.listener; l != nil {
		for i, c := range l.st.queue {
			if c == k {
				l.st.queue = append(l.st.queue[:i], l.st.queue[i+1:]...)
				break
			}
		}
		st.listener = nil
	}
	p.changed(k) // readiness.go
}

// abortStreamOps completes the overlapped receives and sends pending on a
// connected stream socket that is being closed with
// STATUS_CONNECTION_ABORTED, as current Windows does
// (Config.CloseAbortsStreamIO). Blocking calls are left to the close's
// cancellation (WSAEINTR).
func (p *Mem) abortStreamOps(k *sock) {
	if k.st.state != stConnected {
		return
	}
	for _, l := range [2]*opList{&k.recvs, &k.st.sendq} {
		for o := l.head; o != nil; {
			next := o.next
			if o.state != opInternal {
				l.remove(o)
				p.complete(o, wso.STATUS_CONNECTION_ABORTED, 0, 0)
			}
			o = next
		}
	}
}

// cancelStream cancels a stream socket's own waiting requests that match
// (sends waiting for room, blocking accepts) and reports how many.
func (p *Mem) cancelStream(k *sock, match func(*op) bool) int {
	n := 0
	for _, l := range []*opList{&k.st.sendq, &k.st.accepts} {
		for o := l.head; o != nil; {
			next := o.next
			if match(o) {
				n++
				l.remove(o)
				p.complete(o, wso.STATUS_CANCELLED, 0, 0)
			}
			o = next
		}
	}
	return n + p.cancelExt(k, match)
}
