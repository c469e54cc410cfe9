package mem

import (
	"github.com/wsaemu/wsaemu/provider"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// The AFD poll's view of the provider (provider.AfdProvider): the events
// of IOCTL_AFD_POLL are read from conditions, the one place that knows a
// socket's state, and changed tells the poller (with close, so a poll on a
// socket closed here completes with AFD_POLL_LOCAL_CLOSE).

// AfdPollEvents implements provider.AfdProvider. The mapping follows what
// Wine's dlls/ws2_32/tests/afd.c, test_poll, asserts (ok() without
// todo_wine): a connected socket, accepted or connecting, always has
// AFD_POLL_CONNECT, with AFD_POLL_SEND while its send buffer has room; a
// datagram socket has AFD_POLL_SEND from its creation; the peer's FIN
// gives AFD_POLL_DISCONNECT; a failed connect gives AFD_POLL_CONNECT_FAIL
// alone, the entry's Status the failure's NTSTATUS
// (STATUS_CONNECTION_REFUSED for a refused one). A reset gives
// AFD_POLL_ABORT (no Wine assertion: the meaning of the bit in the
// public definitions). Two more of test_poll's assertions follow from
// reading conditions: data that a waiting receive takes never sits in
// the receive buffer, so it completes no poll for AFD_POLL_RECEIVE
// (scenario afd/poll-recv-takes-data); and AFD_POLL_SEND is the same
// "a send would not block" as FD_WRITE, so a full send buffer, or a send
// still waiting for room, clears it until the peer reads (scenario
// afd/poll-send-buffer-full).
func (p *Mem) AfdPollEvents(s SOCKET) (uint32, NTStatus, bool) {
	k, ok := p.socks.get(s)
	if !ok {
		return 0, 0, false
	}
	c := p.conditions(k)
	connected := k.st != nil && k.st.state == stConnected
	var ev uint32
	if c&cRead != 0 {
		ev |= provider.AFD_POLL_RECEIVE
	}
	if c&cWrite != 0 && (k.st == nil || connected) {
		ev |= provider.AFD_POLL_SEND
	}
	if c&cAccept != 0 {
		ev |= provider.AFD_POLL_ACCEPT
	}
	if connected {
		ev |= provider.AFD_POLL_CONNECT
	}
	if c&cReset != 0 {
		ev |= provider.AFD_POLL_ABORT
	} else if c&cHup != 0 {
		ev |= provider.AFD_POLL_DISCONNECT
	}
	var st NTStatus
	if c&cConnectFail != 0 && !connected {
		ev |= provider.AFD_POLL_CONNECT_FAIL
		st = statusOf(k.rd.connErr)
	}
	return ev, st, true
}

// statusOf is the NTSTATUS an IFS provider reports for error e: the
// first row of ws2_32's status table that translates to e, a row from
// observed Windows behaviour first (STATUS_CONNECTION_REFUSED for
// WSAECONNREFUSED, as afd.c test_poll asserts).
func statusOf(e Errno) NTStatus {
	for _, src := range [...]string{"ground-truth", ""} {
		for _, m := range wso.WSAErrorTable {
			if m.Errno == e && m.Status.IsError() && (src == "" || m.Source == src) {
				return m.Status
			}
		}
	}
	return NTStatus(0xC0000001) // STATUS_UNSUCCESSFUL
}

// AfdWatch implements provider.AfdProvider.
func (p *Mem) AfdWatch(fn func(s SOCKET)) { p.afdWatch = fn }

// afdChanged tells the AFD poller that s's conditions may have changed.
func (p *Mem) afdChanged(s SOCKET) {
	if p.afdWatch != nil {
		p.afdWatch(s)
	}
}
