package mem

import wso "github.com/wsaemu/wsaemu/wsaoverlapped"

// Resets the network injects: a connection may end at any point of its
// life, without either program asking (a reset segment from the peer's
// side, or this side's stack giving up after retransmissions or a failed
// keep-alive). The machine's Chooser decides where (Upcalls.Reset); a
// machine that does not explore resets always answers no, and asks
// nothing. The provider asks before each send or receive on a connected
// stream socket (so a connection waiting to be accepted is reset when
// its client sends or receives).
// https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-wsarecv
// (WSAECONNRESET, WSAECONNABORTED in its error table)

// chooseReset asks whether the network resets k's connection now and, if
// it does, ends it on both ends: every request pending on k completes
// with the status chosen (STATUS_CONNECTION_RESET: ERROR_NETNAME_DELETED
// through GetOverlappedResult, WSAECONNRESET through WSAGetOverlappedResult;
// STATUS_CONNECTION_ABORTED: ERROR_CONNECTION_ABORTED, WSAECONNABORTED),
// every request pending on the peer with STATUS_CONNECTION_RESET, and
// later calls on either fail with those errors. It reports whether the
// reset happened.
func (p *Mem) chooseReset(k *sock) bool {
	st := k.st
	if st == nil || st.state != stConnected || st.reset != 0 || st.closed {
		return false
	}
	s := p.up.Reset()
	if s == 0 {
		return false
	}
	peer := st.peer
	p.resetSock(k, s)
	if peer != nil && peer.st.reset == 0 && !peer.st.closed {
		p.resetSock(peer, wso.STATUS_CONNECTION_RESET)
	}
	return true
}
