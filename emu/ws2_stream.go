package emu

import (
	"net/netip"

	"github.com/wsaemu/wsaemu/provider"
)

// Stream sockets' own calls: listen and accept. Connect, send, receive,
// shutdown and closesocket are the calls every socket has
// (ws2_socket.go, ws2_io.go); the provider tells the kinds apart.

// Listen implements listen: a bound stream socket starts accepting
// connections, at most backlog of them waiting (SOMAXCONN: the provider's
// maximum).
// https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-listen
func (t *Thread) Listen(h SOCKET, backlog int32) error {
	if err := t.wsaEnterFmt("listen", argsHInt, uint64(h), uint64(uint32(backlog))); err != nil {
		return err
	}
	if _, err := t.wsaSocket("listen", h); err != nil {
		return err
	}
	return t.wsaResult("listen", t.s.ws2.prov.WSPListen(h, backlog))
}

// Accept implements accept: the oldest connection waiting on the listening
// socket h becomes a new socket, with h's properties (overlapped or not,
// blocking mode); the peer's address goes to *addr and its SOCKADDR size
// to *addrlen when addr is not nil. A blocking socket with nothing waiting
// blocks, alertably, as Winsock's blocking calls do; a non-blocking one
// fails with WSAEWOULDBLOCK.
// https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-accept
func (t *Thread) Accept(h SOCKET, addr *netip.AddrPort, addrlen *int32) (SOCKET, error) {
	return t.accept("accept", h, addr, addrlen)
}

// WSAAccept implements WSAAccept without a condition function (lpfnCondition
// NULL), which makes it accept.
// https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-wsaaccept
func (t *Thread) WSAAccept(h SOCKET, addr *netip.AddrPort, addrlen *int32) (SOCKET, error) {
	return t.accept("WSAAccept", h, addr, addrlen)
}

func (t *Thread) accept(name string, h SOCKET, addr *netip.AddrPort, addrlen *int32) (SOCKET, error) {
	s := t.s
	if err := t.wsaEnterH(name, h); err != nil {
		return provider.INVALID_SOCKET, err
	}
	l, err := t.wsaSocket(name, h)
	if err != nil {
		return provider.INVALID_SOCKET, err
	}
	if t.ws2.blocking > 0 && t.apcs.Depth() > 0 {
		s.finding(t, "wsasendmsg.blocking.apc-reentry-undefined",
			"%s is a blocking Winsock call made inside an APC that interrupted a blocking Winsock call on the same thread", name)
	}
	t.ws2.blocking++
	nh, e := s.ws2.prov.WSPAccept(h, addr, addrlen)
	t.ws2.blocking--
	if e != 0 {
		return provider.INVALID_SOCKET, t.fail(name, uint64(provider.INVALID_SOCKET), e)
	}
	s.setOverlapped(nh, l.overlapped)
	t.ok(name, uint64(nh))
	return nh, nil
}
