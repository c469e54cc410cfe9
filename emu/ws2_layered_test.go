package emu_test

// Tests of the layered stack (emu.WithLayeredProvider): a non-IFS layered
// service provider (provider/layered) above the in-memory provider running
// as an IFS base.

import (
	"encoding/binary"
	"testing"

	"pgregory.net/rapid"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/provider"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// forLayered runs fn under both profiles, with the usual chooser and with
// every completion pended.
func forLayered(t *testing.T, fn func(t *testing.T, r *w2, pend bool)) {
	for _, profile := range []emu.Profile{emu.ProfileWindows, emu.ProfileDocs} {
		for _, pend := range []bool{false, true} {
			name := profile.String()
			opts := []emu.Option{emu.WithLayeredProvider()}
			if pend {
				name += "/pend"
				opts = append(opts, pendAlways())
			}
			t.Run(name, func(t *testing.T) {
				fn(t, newW2(t, provider.NonIFS, profile, opts...), pend)
			})
		}
	}
}

// completions counts the trace's completions of ov by kind of upcall.
func (r *w2) completions(ov *emu.Overlapped) (wpu, ifs int) {
	id := r.s.OverlappedID(ov)
	for _, e := range r.s.Trace().All() {
		if e.Kind == emu.EvComplete && e.Ov == id {
			if e.Name == "WPUCompleteOverlappedRequest" {
				wpu++
			} else {
				ifs++
			}
		}
	}
	return
}

// The layered stack's sockets are the layer's (non-IFS) handles: a
// receive on one completes through WPUCompleteOverlappedRequest exactly
// once, after the base provider completed the layer's own request; the
// record follows the non-IFS protocol (OffsetHigh 0, Internal 0 at the
// end) and the byte count and data are the datagram's.
// https://learn.microsoft.com/windows/win32/api/ws2spi/nf-ws2spi-wpucompleteoverlappedrequest
func TestLayeredUDPCycle(t *testing.T) {
	forLayered(t, func(t *testing.T, r *w2, pend bool) {
		if r.s.ProviderKind() != provider.NonIFS || !r.s.Layered() {
			t.Fatalf("provider kind %v, layered %v", r.s.ProviderKind(), r.s.Layered())
		}
		rx, raddr := r.udp4(r.A)
		tx, _ := r.udp4(r.A)
		ev := r.event(r.A)
		ov := &emu.Overlapped{HEvent: ev}
		buf := make([]byte, 16)
		var n, fl uint32
		r.do(r.A, func(th *emu.Thread) {
			err := th.WSARecv(rx, []emu.WSABUF{{Len: 16, Buf: buf}}, &n, &fl, ov, nil)
			wantErr(t, "WSARecv", err, wso.WSA_IO_PENDING)
		})
		if ov.Internal != uintptr(wso.WSS_OPERATION_IN_PROGRESS) {
			t.Fatalf("pending record's Internal = %#x, want WSS_OPERATION_IN_PROGRESS", ov.Internal)
		}
		r.sendTo(r.A, tx, raddr, "hello")
		r.settle()
		if !r.signalled(ev) {
			t.Fatal("event not signalled after the datagram arrived")
		}
		res := r.getResult(r.A, rx, ov)
		if res.err != nil || res.n != 5 || string(buf[:5]) != "hello" {
			t.Fatalf("result %+v data %q", res, buf[:5])
		}
		if ov.Internal != 0 || ov.OffsetHigh != 0 {
			t.Errorf("record Internal %#x OffsetHigh %#x, want 0 0", ov.Internal, ov.OffsetHigh)
		}
		if wpu, ifs := r.completions(ov); wpu != 1 || ifs != 0 {
			t.Errorf("completions of the caller's record: %d WPUCompleteOverlappedRequest, %d others; want exactly one WPU", wpu, ifs)
		}

		// A send with a completion routine: the layer queues it with
		// WPUQueueApc, and it runs once in an alertable wait.
		sov := &emu.Overlapped{}
		calls := 0
		var got uint32
		r.do(r.A, func(th *emu.Thread) {
			var sent uint32
			err := th.WSASendTo(tx, bufs("abc"), &sent, 0, &raddr, nameLen(raddr), sov, func(e, cb uint32, o *emu.Overlapped, f uint32) {
				calls++
				got = cb
			})
			if err != nil && err != wso.WSA_IO_PENDING {
				t.Errorf("WSASendTo: %v", err)
			}
		})
		r.settle()
		r.do(r.A, func(th *emu.Thread) { th.SleepEx(0, true) })
		r.do(r.A, func(th *emu.Thread) { th.SleepEx(0, true) })
		if calls != 1 || got != 3 {
			t.Errorf("routine ran %d times with %d bytes, want once with 3", calls, got)
		}
	})
}

// A TCP connection through the layer: accept wraps the base's new socket
// in a layer handle; a send and a receive bound to a completion port each
// post exactly one packet, with the caller's record.
func TestLayeredTCPCycle(t *testing.T) {
	forLayered(t, func(t *testing.T, r *w2, pend bool) {
		_, c, s, _ := r.tcpPair(lo4)
		port := r.port(r.A, s, 7)
		r.do(r.A, func(th *emu.Thread) {
			if _, err := th.CreateIoCompletionPort(emu.Handle(c), port, 8, 0); err != nil {
				t.Errorf("associate: %v", err)
			}
		})
		rov, sov := &emu.Overlapped{}, &emu.Overlapped{}
		buf := make([]byte, 8)
		r.do(r.A, func(th *emu.Thread) {
			var n, fl uint32
			wantErr(t, "WSARecv", th.WSARecv(s, []emu.WSABUF{{Len: 8, Buf: buf}}, &n, &fl, rov, nil), wso.WSA_IO_PENDING)
			var sent uint32
			if err := th.WSASend(c, bufs("tcp!"), &sent, 0, sov, nil); err != nil && err != wso.WSA_IO_PENDING {
				t.Errorf("WSASend: %v", err)
			}
		})
		r.settle()
		seen := map[*emu.Overlapped]int{}
		for {
			pk, ok := r.dequeue(r.A, port)
			if !ok {
				break
			}
			seen[pk.ov]++
			if pk.n != 4 || pk.err != nil {
				t.Errorf("packet %+v: want 4 bytes, no error", pk)
			}
		}
		if seen[rov] != 1 || seen[sov] != 1 || len(seen) != 2 {
			t.Errorf("packets per record: recv %d, send %d, %d records; want one each", seen[rov], seen[sov], len(seen))
		}
		if string(buf[:4]) != "tcp!" {
			t.Errorf("received %q", buf[:4])
		}
	})
}

// baseHandle asks s for one of the base-handle ioctls.
func (r *w2) baseHandle(s emu.SOCKET, code uint32) (emu.SOCKET, error) {
	var h emu.SOCKET
	var err error
	r.do(r.A, func(th *emu.Thread) {
		out := make([]byte, 8)
		var n uint32
		err = th.WSAIoctl(s, code, nil, out, &n, nil, nil)
		h = emu.SOCKET(binary.LittleEndian.Uint64(out))
	})
	return h, err
}

// SIO_BASE_HANDLE on a layered socket gives the base provider's socket,
// not the layer's; SIO_BSP_HANDLE, SIO_BSP_HANDLE_SELECT and
// SIO_BSP_HANDLE_POLL give the same handle, since the layer intercepts
// neither WSASendMsg nor select nor WSAPoll (the Winsock IOCTLs page).
// The base handle is a socket of its own: getsockname on it names the
// same address. On the IFS provider alone, SIO_BASE_HANDLE gives the
// socket itself.
// https://learn.microsoft.com/windows/win32/winsock/winsock-ioctls
func TestLayeredBaseHandle(t *testing.T) {
	r := newW2(t, provider.NonIFS, emu.ProfileWindows, emu.WithLayeredProvider())
	s, addr := r.udp4(r.A)
	base, err := r.baseHandle(s, provider.SIO_BASE_HANDLE)
	wantErr(t, "SIO_BASE_HANDLE", err, 0)
	if base == s || base == 0 {
		t.Fatalf("SIO_BASE_HANDLE gave %#x for layered socket %#x: want the base provider's own", uint64(base), uint64(s))
	}
	for _, code := range []uint32{provider.SIO_BSP_HANDLE, provider.SIO_BSP_HANDLE_SELECT, provider.SIO_BSP_HANDLE_POLL} {
		h, err := r.baseHandle(s, code)
		wantErr(t, "SIO_BSP_HANDLE*", err, 0)
		if h != base {
			t.Errorf("ioctl %#x gave %#x, want the base handle %#x", code, uint64(h), uint64(base))
		}
	}
	r.do(r.A, func(th *emu.Thread) {
		got, err := th.Getsockname(base)
		if err != nil || got != addr {
			t.Errorf("getsockname(base) = %v, %v; want %v", got, err, addr)
		}
	})

	ifs := newW2(t, provider.IFS, emu.ProfileWindows)
	s2, _ := ifs.udp4(ifs.A)
	if h, err := ifs.baseHandle(s2, provider.SIO_BASE_HANDLE); err != nil || h != s2 {
		t.Errorf("IFS provider alone: SIO_BASE_HANDLE gave %#x, %v; want the socket %#x", uint64(h), err, uint64(s2))
	}
}

// skipRun makes a UDP socket bound to a port in FILE_SKIP_COMPLETION_PORT_ON_SUCCESS
// mode, queues a datagram on it and issues a receive: it reports whether
// the receive succeeded at once and whether a packet came anyway.
func skipRun(t *testing.T, r *w2) (immediate, packet bool) {
	rx, raddr := r.udp4(r.A)
	tx, _ := r.udp4(r.A)
	port := r.port(r.A, rx, 1)
	r.do(r.A, func(th *emu.Thread) {
		wantErr(t, "SetFileCompletionNotificationModes", th.SetFileCompletionNotificationModes(emu.Handle(rx), emu.FILE_SKIP_COMPLETION_PORT_ON_SUCCESS), 0)
	})
	r.sendTo(r.A, tx, raddr, "x")
	ov := &emu.Overlapped{}
	r.do(r.A, func(th *emu.Thread) {
		var n, fl uint32
		immediate = th.WSARecv(rx, []emu.WSABUF{{Len: 4, Buf: make([]byte, 4)}}, &n, &fl, ov, nil) == nil
	})
	r.settle()
	pk, ok := r.dequeue(r.A, port)
	if ok && pk.ov != ov {
		t.Errorf("packet for another record: %+v", pk)
	}
	return immediate, ok
}

// The SetFileCompletionNotificationModes page: skipping the port on
// success works for sockets only when every provider hands out IFS
// handles. On the IFS provider an immediate success posts no packet; on
// the layered stack the layer's WPUCompleteOverlappedRequest posts one
// anyway, so a caller that trusts the mode sees a packet it does not
// expect: the reason Go's internal/poll checks WSAEnumProtocols for
// XP1_IFS_HANDLES before it uses the mode.
// https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-setfilecompletionnotificationmodes
func TestLayeredSkipCompletionPortOnSuccess(t *testing.T) {
	imm, pkt := skipRun(t, newW2(t, provider.IFS, emu.ProfileWindows))
	if !imm || pkt {
		t.Errorf("IFS provider: immediate %v, packet %v; want an immediate success and no packet", imm, pkt)
	}
	imm, pkt = skipRun(t, newW2(t, provider.NonIFS, emu.ProfileWindows, emu.WithLayeredProvider()))
	if !imm || !pkt {
		t.Errorf("layered stack: immediate %v, packet %v; want an immediate success and still a packet", imm, pkt)
	}
}

// goCanSkip is Go's test (internal/poll, checkSetFileCompletionNotificationModes
// in src/internal/poll/fd_windows.go): every protocol entry for TCP has
// XP1_IFS_HANDLES.
func goCanSkip(t *testing.T, r *w2) bool {
	var infos [32]provider.WSAProtocolInfo
	var n int
	r.do(r.A, func(th *emu.Thread) {
		size := uint32(len(infos)) * provider.SizeofWSAPROTOCOL_INFOW
		var err error
		n, err = th.WSAEnumProtocols([]int32{provider.IPPROTO_TCP, 0}, infos[:], &size)
		wantErr(t, "WSAEnumProtocols", err, 0)
	})
	if n == 0 {
		t.Fatal("no TCP protocol entries")
	}
	for _, e := range infos[:n] {
		if e.ServiceFlags1&provider.XP1_IFS_HANDLES == 0 {
			return false
		}
	}
	return true
}

// WSAEnumProtocols on the layered stack lists the layer's chain (ChainLen
// 2: the layer's entry, then the base protocol's) without XP1_IFS_HANDLES
// while the base protocol has it, so Go's check refuses the skip mode; on
// the IFS provider alone the check passes, and on the non-IFS provider it
// fails. A buffer too small fails with WSAENOBUFS and says the size needed.
// https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-wsaenumprotocolsw
// https://learn.microsoft.com/windows/win32/api/winsock2/ns-winsock2-wsaprotocolchain
func TestLayeredEnumProtocols(t *testing.T) {
	r := newW2(t, provider.NonIFS, emu.ProfileWindows, emu.WithLayeredProvider())
	var infos [32]provider.WSAProtocolInfo
	var n int
	r.do(r.A, func(th *emu.Thread) {
		size := uint32(1)
		_, err := th.WSAEnumProtocols(nil, infos[:], &size)
		wantErr(t, "WSAEnumProtocols, small buffer", err, wso.WSAENOBUFS)
		if size == 0 || size%provider.SizeofWSAPROTOCOL_INFOW != 0 {
			t.Errorf("size needed %d", size)
		}
		n, err = th.WSAEnumProtocols(nil, infos[:], &size)
		wantErr(t, "WSAEnumProtocols", err, 0)
	})
	byID := map[uint32]provider.WSAProtocolInfo{}
	for _, e := range infos[:n] {
		byID[e.CatalogEntryId] = e
	}
	chains, layers := 0, 0
	for _, e := range infos[:n] {
		switch {
		case e.ProtocolChain.ChainLen == provider.LAYERED_PROTOCOL:
			layers++
		case e.ProtocolChain.ChainLen > 1:
			chains++
			base, ok := byID[e.ProtocolChain.ChainEntries[e.ProtocolChain.ChainLen-1]]
			if !ok || base.ProtocolChain.ChainLen != provider.BASE_PROTOCOL {
				t.Errorf("chain %q: its last entry is not a base protocol", e.ProtocolName)
			}
			if e.ServiceFlags1&provider.XP1_IFS_HANDLES != 0 || base.ServiceFlags1&provider.XP1_IFS_HANDLES == 0 {
				t.Errorf("chain %q: IFS flag %v, base's %v; want the chain without, the base with", e.ProtocolName,
					e.ServiceFlags1&provider.XP1_IFS_HANDLES != 0, base.ServiceFlags1&provider.XP1_IFS_HANDLES != 0)
			}
			if _, ok := byID[e.ProtocolChain.ChainEntries[0]]; !ok {
				t.Errorf("chain %q: its first entry, the layer, is not listed", e.ProtocolName)
			}
		}
	}
	if chains == 0 || layers != 1 {
		t.Errorf("%d chains, %d layered entries; want chains and one layered entry", chains, layers)
	}
	if goCanSkip(t, r) {
		t.Error("layered stack: Go's check would use FILE_SKIP_COMPLETION_PORT_ON_SUCCESS")
	}
	if !goCanSkip(t, newW2(t, provider.IFS, emu.ProfileWindows)) {
		t.Error("IFS provider: Go's check would refuse the skip mode")
	}
	if goCanSkip(t, newW2(t, provider.NonIFS, emu.ProfileWindows)) {
		t.Error("non-IFS provider: Go's check would use the skip mode")
	}
}

// TestPropertyWinsockLayered: the Winsock property suite (ws2_property_test.go:
// every request completes exactly once, through the mechanism it asked
// for, and so on) holds for random programs on the layered stack under
// every schedule rapid draws.
func TestPropertyWinsockLayered(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		cfg, steps := wpDraw(rt, provider.NonIFS)
		cfg.Layered = true
		m := wpRun(rt, cfg, steps, emu.RapidChooser(rt))
		if len(m.bad) > 0 {
			rt.Fatalf("%d violations (layered, %s):\n%s\ntrace:\n%s", len(m.bad), cfg.Profile, kpJoin(m.bad), m.s.Trace())
		}
	})
}

// TestPropertyWinsockLayeredDeterministic: on the layered stack too, the
// same program under the same seed gives the same trace, byte for byte.
func TestPropertyWinsockLayeredDeterministic(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		cfg, steps := wpDraw(rt, provider.NonIFS)
		cfg.Layered = true
		seed := rapid.Uint64().Draw(rt, "seed")
		m1 := wpRun(rt, cfg, steps, emu.SeededChooser(seed))
		m2 := wpRun(rt, cfg, steps, emu.SeededChooser(seed))
		if t1, t2 := m1.s.Trace().String(), m2.s.Trace().String(); t1 != t2 {
			rt.Fatalf("two runs of seed %#x differ:\n--- first\n%s\n--- second\n%s", seed, t1, t2)
		}
		if len(m1.bad) > 0 {
			rt.Fatalf("violations under seed %#x:\n%s", seed, kpJoin(m1.bad))
		}
	})
}

// The base socket SIO_BASE_HANDLE gives is a socket of the IFS base
// provider, made with the layered socket's flags: an overlapped receive on
// it goes through the I/O manager (Internal holds an NTSTATUS) and
// completes once, without the layer.
func TestLayeredBaseHandleIO(t *testing.T) {
	r := newW2(t, provider.NonIFS, emu.ProfileWindows, emu.WithLayeredProvider())
	s, addr := r.udp4(r.A)
	tx, _ := r.udp4(r.A)
	base, err := r.baseHandle(s, provider.SIO_BASE_HANDLE)
	wantErr(t, "SIO_BASE_HANDLE", err, 0)
	ev := r.event(r.A)
	ov := &emu.Overlapped{HEvent: ev}
	buf := make([]byte, 8)
	r.do(r.A, func(th *emu.Thread) {
		var n, fl uint32
		wantErr(t, "WSARecv on the base handle", th.WSARecv(base, []emu.WSABUF{{Len: 8, Buf: buf}}, &n, &fl, ov, nil), wso.WSA_IO_PENDING)
	})
	if ov.Internal != uintptr(wso.STATUS_PENDING) {
		t.Errorf("Internal = %#x, want STATUS_PENDING (an IFS request)", ov.Internal)
	}
	r.sendTo(r.A, tx, addr, "base")
	r.settle()
	if !r.signalled(ev) || ov.Internal != uintptr(wso.STATUS_SUCCESS) || ov.InternalHigh != 4 || string(buf[:4]) != "base" {
		t.Errorf("after the datagram: event %v, Internal %#x, InternalHigh %d, data %q", r.signalled(ev), ov.Internal, ov.InternalHigh, buf[:4])
	}
	if wpu, other := r.completions(ov); wpu != 0 || other != 1 {
		t.Errorf("completions: %d WPU, %d others; want one I/O manager completion", wpu, other)
	}
}
