package emu_test

// Set-up shared by the Winsock tests that drive a System themselves
// (property tests, step-driven tests) rather than through the w2 rig.

import (
	"net/netip"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/provider"
	"pgregory.net/rapid"
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

// steppedThread makes a step-driven System whose decisions rapid draws,
// with one thread A, and returns it, its Stepper and the function that
// runs fn as A's next call and fails the check unless it returned.
func steppedThread(rt *rapid.T, kind provider.Kind, profile emu.Profile) (*emu.System, *emu.Stepper, func(fn func(th *emu.Thread))) {
	sys := emu.New(emu.WithProviderKind(kind), emu.WithProfile(profile), emu.WithChooser(emu.RapidChooser(rt)))
	st, err := sys.Stepper()
	if err != nil {
		rt.Fatal(err)
	}
	rt.Cleanup(sys.Stop)
	A := st.NewThread("A")
	return sys, st, func(fn func(th *emu.Thread)) {
		res, err := st.Call(A, fn)
		if err != nil || !res.Returned {
			rt.Fatalf("step: %v (returned %v)", err, res.Returned)
		}
	}
}

// loopbackPair, run on th after WSAStartup, gives a socket r to watch and
// a socket w that sends to it: a connected TCP pair (stream), or two UDP
// sockets with r bound on 127.0.0.1 at dst.
func loopbackPair(th *emu.Thread, stream bool, fail func(format string, args ...any)) (r, w emu.SOCKET, dst netip.AddrPort) {
	if stream {
		w, r = loopbackTCPPair(th, fail)
		return r, w, dst
	}
	r, _ = th.Socket(provider.AF_INET, provider.SOCK_DGRAM, provider.IPPROTO_UDP)
	w, _ = th.Socket(provider.AF_INET, provider.SOCK_DGRAM, provider.IPPROTO_UDP)
	bind := netip.AddrPortFrom(lo4, 0)
	th.Bind(r, &bind, 16)
	dst, _ = th.Getsockname(r)
	return r, w, dst
}
