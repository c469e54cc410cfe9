package emu_test

// Set-up shared by the Winsock tests that drive a System themselves
// (property tests, step-driven tests) rather than through the w2 rig.

import (
	"net/netip"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/provider"
)

// loopbackTCPPair, run on th after WSAStartup, connects a new TCP socket c
// to a listener on 127.0.0.1 and accepts it as s; the listener is closed
// again. A call that fails is reported through fail.
func loopbackTCPPair(th *emu.Thread, fail func(format string, args ...any)) (c, s emu.SOCKET) {
	l, _ := th.Socket(provider.AF_INET, provider.SOCK_STREAM, provider.IPPROTO_TCP)
	bind := netip.AddrPortFrom(lo4, 0)
	if err := th.Bind(l, &bind, 16); err != nil {
		fail("bind: %v", err)
	}
	if err := th.Listen(l, 1); err != nil {
		fail("listen: %v", err)
	}
	addr, _ := th.Getsockname(l)
	c, _ = th.Socket(provider.AF_INET, provider.SOCK_STREAM, provider.IPPROTO_TCP)
	if err := th.Connect(c, &addr, 16); err != nil {
		fail("connect: %v", err)
	}
	s, err := th.Accept(l, nil, nil)
	if err != nil {
		fail("accept: %v", err)
	}
	th.Closesocket(l)
	return c, s
}
