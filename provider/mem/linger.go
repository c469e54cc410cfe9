package mem

import wso "github.com/wsaemu/wsaemu/wsaoverlapped"

// SO_LINGER with a timeout: closesocket on a connected stream socket whose
// sent data has not all been taken by the peer. The closesocket page's
// table: on a blocking socket the call waits, up to l_linger seconds of
// the virtual clock, for that data to go; when it has, the close is
// graceful (a FIN follows the data), and when the time runs out the
// connection is reset (a hard close) before the call returns. On a
// non-blocking socket the close cannot complete at once, so it fails with
// WSAEWOULDBLOCK and the socket stays open.
// https://learn.microsoft.com/windows/win32/api/winsock/nf-winsock-closesocket

// lingers reports whether closing k waits for unsent data: SO_LINGER on
// with a non-zero timeout, and bytes still in k's send buffer or sends
// still waiting for room.
func lingers(k *sock) bool {
	st := k.st
	return st != nil && st.state == stConnected && st.linger && st.lingerSecs != 0 &&
		st.reset == 0 && (st.tx.len() > 0 || st.sendq.head != nil)
}

// lingerRefuse is the first thing WSPCloseSocket does on a stream socket:
// a non-blocking socket that would have to linger is not closed
// (WSAEWOULDBLOCK).
func lingerRefuse(k *sock) Errno {
	if k.nonblocking && lingers(k) {
		return wso.WSAEWOULDBLOCK
	}
	return 0
}

// lingerWait runs in WSPCloseSocket after the socket's pending requests
// were cancelled and before the connection ends: a blocking socket with
// data still in its send buffer waits for the peer to take it, at most
// SO_LINGER's timeout, and when the time runs out resets the connection.
func (p *Mem) lingerWait(k *sock) {
	if !lingers(k) || k.st.tx.len() == 0 {
		return
	}
	st := k.st
	o := p.newOp(k, nil, nil, nil, nil)
	o.state, o.ev = opInternal, p.internalEvent()
	st.lingerOp = o
	e := p.block(o, uint32(st.lingerSecs)*1000)
	st.lingerOp = nil
	p.freeEvent(o.ev)
	p.releaseOp(o)
	if e != 0 && st.reset == 0 {
		p.abort(k) // the time ran out with data unsent: a hard close
	}
}

// lingerDone releases a close lingering on k once its send buffer is
// empty or the connection has ended.
func (p *Mem) lingerDone(k *sock) {
	if o := k.st.lingerOp; o != nil && !o.done && (k.st.tx.len() == 0 || k.st.reset != 0) {
		p.complete(o, wso.STATUS_SUCCESS, 0, 0)
	}
}
