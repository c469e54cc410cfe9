package emu_test

import (
	"encoding/binary"
	"net/netip"
	"testing"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/provider"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// tcpSocket makes an overlapped TCP socket of addr's family on th, bound
// to addr unless addr is the zero AddrPort.
func (r *w2) tcpSocket(th *emu.Thread, af int32, bind *netip.AddrPort) emu.SOCKET {
	r.t.Helper()
	var h emu.SOCKET
	r.do(th, func(th *emu.Thread) {
		var err error
		if h, err = th.Socket(af, provider.SOCK_STREAM, provider.IPPROTO_TCP); err != nil {
			r.t.Errorf("socket: %v", err)
			return
		}
		if bind != nil {
			if err := th.Bind(h, bind, nameLen(*bind)); err != nil {
				r.t.Errorf("bind: %v", err)
			}
		}
	})
	if r.t.Failed() {
		r.t.FailNow()
	}
	return h
}

// tcpPair makes a listener on lo (ephemeral port), a client connected to
// it and the accepted server socket.
func (r *w2) tcpPair(lo netip.Addr) (l, c, s emu.SOCKET, laddr netip.AddrPort) {
	r.t.Helper()
	af := afOf(lo)
	bind := netip.AddrPortFrom(lo, 0)
	l = r.tcpSocket(r.A, af, &bind)
	c = r.tcpSocket(r.A, af, nil)
	r.do(r.A, func(th *emu.Thread) {
		wantErr(r.t, "listen", th.Listen(l, 5), 0)
		laddr, _ = th.Getsockname(l)
		wantErr(r.t, "connect", th.Connect(c, &laddr, nameLen(laddr)), 0)
		var peer netip.AddrPort
		n := int32(provider.SizeofSockaddrInet6)
		var err error
		s, err = th.Accept(l, &peer, &n)
		wantErr(r.t, "accept", err, 0)
		mine, _ := th.Getsockname(c)
		if peer != mine {
			r.t.Errorf("accept: peer %v, the client is %v", peer, mine)
		}
	})
	if r.t.Failed() {
		r.t.FailNow()
	}
	return
}

// The connect page: a connection to a listening socket is accepted;
// getpeername on each side names the other.
func TestTCPConnectAccept(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		for _, lo := range []netip.Addr{lo4, lo6} {
			r := newW2(t, kind, profile)
			_, c, s, laddr := r.tcpPair(lo)
			r.do(r.A, func(th *emu.Thread) {
				var a netip.AddrPort
				n := int32(provider.SizeofSockaddrInet6)
				wantErr(t, "getpeername c", th.Getpeername(c, &a, &n), 0)
				if a != laddr {
					t.Errorf("client's peer %v, want %v", a, laddr)
				}
				wantErr(t, "getpeername s", th.Getpeername(s, &a, &n), 0)
				if mine, _ := th.Getsockname(c); a != mine {
					t.Errorf("server's peer %v, want the client %v", a, mine)
				}
				wantErr(t, "connect again", th.Connect(c, &laddr, nameLen(laddr)), wso.WSAEISCONN)
			})
		}
	})
}

// The connect page: WSAECONNREFUSED when nothing listens, and when the
// listener's backlog is full.
func TestTCPConnectRefused(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		r := newW2(t, kind, profile)
		bind := netip.AddrPortFrom(lo4, 0)
		l := r.tcpSocket(r.A, provider.AF_INET, &bind)
		r.do(r.A, func(th *emu.Thread) {
			laddr, _ := th.Getsockname(l)
			c, _ := th.Socket(provider.AF_INET, provider.SOCK_STREAM, provider.IPPROTO_TCP)
			wantErr(t, "connect before listen", th.Connect(c, &laddr, 16), wso.WSAECONNREFUSED)
			wantErr(t, "listen", th.Listen(l, 1), 0)
			wantErr(t, "connect 1", th.Connect(c, &laddr, 16), 0)
			c2, _ := th.Socket(provider.AF_INET, provider.SOCK_STREAM, provider.IPPROTO_TCP)
			wantErr(t, "connect over the backlog", th.Connect(c2, &laddr, 16), wso.WSAECONNREFUSED)
		})
	})
}

// A non-blocking connect answers WSAEWOULDBLOCK and, when the Chooser
// leaves it under way (pend), is connected after the system has run;
// meanwhile connect is WSAEALREADY.
func TestTCPNonBlockingConnect(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		r := newW2(t, kind, profile, pendAlways())
		bind := netip.AddrPortFrom(lo4, 0)
		l := r.tcpSocket(r.A, provider.AF_INET, &bind)
		c := r.tcpSocket(r.A, provider.AF_INET, nil)
		var laddr netip.AddrPort
		r.do(r.A, func(th *emu.Thread) {
			wantErr(t, "listen", th.Listen(l, 5), 0)
			laddr, _ = th.Getsockname(l)
			var n uint32
			wantErr(t, "FIONBIO", th.WSAIoctl(c, provider.FIONBIO, []byte{1, 0, 0, 0}, nil, &n, nil, nil), 0)
			wantErr(t, "connect", th.Connect(c, &laddr, 16), wso.WSAEWOULDBLOCK)
			wantErr(t, "connect again", th.Connect(c, &laddr, 16), wso.WSAEALREADY)
		})
		r.settle()
		r.do(r.A, func(th *emu.Thread) {
			var a netip.AddrPort
			n := int32(16)
			wantErr(t, "getpeername", th.Getpeername(c, &a, &n), 0)
			wantErr(t, "connect after", th.Connect(c, &laddr, 16), wso.WSAEISCONN)
		})
	})
}

// A send the peer's buffers cannot hold pends and completes as the peer
// reads; the bytes arrive in order, whole.
func TestTCPSendPendsUntilDrained(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		r := newW2(t, kind, profile)
		_, c, s, _ := r.tcpPair(lo4)
		ev := r.event(r.A)
		data := make([]byte, 300000)
		for i := range data {
			data[i] = byte(i * 7)
		}
		ov := &emu.Overlapped{HEvent: ev}
		r.do(r.A, func(th *emu.Thread) {
			var n uint32
			wantErr(t, "WSASend", th.WSASend(c, []emu.WSABUF{{Len: uint32(len(data)), Buf: data}}, &n, 0, ov, nil), wso.WSA_IO_PENDING)
		})
		if r.signalled(ev) {
			t.Fatal("the send completed before the peer read anything")
		}
		got := make([]byte, 0, len(data))
		buf := make([]byte, 50000)
		for len(got) < len(data) {
			r.do(r.A, func(th *emu.Thread) {
				var n, fl uint32
				wantErr(t, "recv", th.WSARecv(s, []emu.WSABUF{{Len: uint32(len(buf)), Buf: buf}}, &n, &fl, nil, nil), 0)
				got = append(got, buf[:n]...)
			})
			if t.Failed() {
				return
			}
		}
		if string(got) != string(data) {
			t.Error("the bytes received differ from the bytes sent")
		}
		r.settle()
		if !r.signalled(ev) {
			t.Error("the send did not complete once the data was read")
		}
		r.do(r.A, func(th *emu.Thread) {
			var n, fl uint32
			wantErr(t, "result", th.WSAGetOverlappedResult(c, ov, &n, false, &fl), 0)
			if n != uint32(len(data)) {
				t.Errorf("send reports %d bytes, want %d", n, len(data))
			}
		})
	})
}

// shutdown(SD_SEND): the peer's pending receive completes with 0 bytes;
// a later send fails with WSAESHUTDOWN; shutdown on a listener is
// WSAENOTCONN (Wine's sock.c test_shutdown).
func TestTCPShutdownSend(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		r := newW2(t, kind, profile)
		l, c, s, _ := r.tcpPair(lo4)
		ev := r.event(r.A)
		ov := &emu.Overlapped{HEvent: ev}
		buf := make([]byte, 8)
		r.do(r.A, func(th *emu.Thread) {
			var n, fl uint32
			wantErr(t, "WSARecv", th.WSARecv(s, []emu.WSABUF{{Len: 8, Buf: buf}}, &n, &fl, ov, nil), wso.WSA_IO_PENDING)
			wantErr(t, "shutdown", th.Shutdown(c, provider.SD_SEND), 0)
			wantErr(t, "shutdown again", th.Shutdown(c, provider.SD_SEND), 0)
			wantErr(t, "send", th.WSASend(c, bufs("x"), &n, 0, nil, nil), wso.WSAESHUTDOWN)
			wantErr(t, "shutdown listener", th.Shutdown(l, provider.SD_SEND), wso.WSAENOTCONN)
		})
		r.settle()
		r.do(r.A, func(th *emu.Thread) {
			var n, fl uint32 = 99, 0
			wantErr(t, "result", th.WSAGetOverlappedResult(s, ov, &n, false, &fl), 0)
			if n != 0 {
				t.Errorf("receive after FIN: %d bytes, want 0", n)
			}
			wantErr(t, "recv after FIN", th.WSARecv(s, []emu.WSABUF{{Len: 8, Buf: buf}}, &n, &fl, nil, nil), 0)
			if n != 0 {
				t.Errorf("second receive: %d bytes, want 0", n)
			}
		})
	})
}

// An abortive close (SO_LINGER on, 0 s) resets the connection: the peer's
// pending receive fails with WSAECONNRESET, which GetOverlappedResult
// reports as ERROR_NETNAME_DELETED; later calls fail with WSAECONNRESET
// (Wine's sock.c test_WSARecv).
func TestTCPAbortiveClose(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		r := newW2(t, kind, profile)
		_, c, s, _ := r.tcpPair(lo4)
		ev := r.event(r.A)
		ov := &emu.Overlapped{HEvent: ev}
		buf := make([]byte, 8)
		r.do(r.A, func(th *emu.Thread) {
			var n, fl uint32
			wantErr(t, "WSARecv", th.WSARecv(s, []emu.WSABUF{{Len: 8, Buf: buf}}, &n, &fl, ov, nil), wso.WSA_IO_PENDING)
			linger := binary.LittleEndian.AppendUint32(nil, 1) // l_onoff 1, l_linger 0
			wantErr(t, "SO_LINGER", th.Setsockopt(c, provider.SOL_SOCKET, provider.SO_LINGER, linger), 0)
			wantErr(t, "closesocket", th.Closesocket(c), 0)
		})
		r.settle()
		r.do(r.A, func(th *emu.Thread) {
			var n, fl uint32
			wantErr(t, "WSAGetOverlappedResult", th.WSAGetOverlappedResult(s, ov, &n, false, &fl), wso.WSAECONNRESET)
			if kind == provider.IFS {
				wantErr(t, "GetOverlappedResult", th.GetOverlappedResult(emu.Handle(s), ov, &n, false), wso.ERROR_NETNAME_DELETED)
			}
			wantErr(t, "recv after reset", th.WSARecv(s, []emu.WSABUF{{Len: 8, Buf: buf}}, &n, &fl, nil, nil), wso.WSAECONNRESET)
			wantErr(t, "send after reset", th.WSASend(s, bufs("x"), &n, 0, nil, nil), wso.WSAECONNRESET)
		})
	})
}

// Two pending receives are filled in posting order from one send
// (Wine's sock.c test_simultaneous_async_recv).
func TestTCPReceivesInPostingOrder(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		r := newW2(t, kind, profile)
		_, c, s, _ := r.tcpPair(lo4)
		b1, b2 := make([]byte, 4), make([]byte, 4)
		ov1, ov2 := &emu.Overlapped{HEvent: r.event(r.A)}, &emu.Overlapped{HEvent: r.event(r.A)}
		r.do(r.A, func(th *emu.Thread) {
			var n, fl uint32
			wantErr(t, "recv 1", th.WSARecv(s, []emu.WSABUF{{Len: 4, Buf: b1}}, &n, &fl, ov1, nil), wso.WSA_IO_PENDING)
			wantErr(t, "recv 2", th.WSARecv(s, []emu.WSABUF{{Len: 4, Buf: b2}}, &n, &fl, ov2, nil), wso.WSA_IO_PENDING)
			wantErr(t, "send", th.WSASend(c, bufs("abcdefgh"), &n, 0, nil, nil), 0)
		})
		r.settle()
		if string(b1) != "abcd" || string(b2) != "efgh" {
			t.Errorf("receives got %q, %q; want abcd, efgh", b1, b2)
		}
	})
}

// A blocking accept waits for a connection; closing the listener from
// another thread ends it with WSAEINTR.
func TestTCPBlockingAccept(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		r := newW2(t, kind, profile)
		bind := netip.AddrPortFrom(lo4, 0)
		l := r.tcpSocket(r.A, provider.AF_INET, &bind)
		var laddr netip.AddrPort
		r.do(r.A, func(th *emu.Thread) {
			wantErr(t, "listen", th.Listen(l, 5), 0)
			laddr, _ = th.Getsockname(l)
		})
		B := r.thread("B")
		var got emu.SOCKET
		var aerr error
		r.begin(r.A, func(th *emu.Thread) { got, aerr = th.Accept(l, nil, nil) })
		c := r.tcpSocket(B, provider.AF_INET, nil)
		r.do(B, func(th *emu.Thread) { wantErr(t, "connect", th.Connect(c, &laddr, 16), 0) })
		r.settle()
		if !r.idle(r.A) || aerr != nil || got == provider.INVALID_SOCKET {
			t.Fatalf("accept: idle %v, %v, %#x", r.idle(r.A), aerr, uint64(got))
		}
		r.begin(r.A, func(th *emu.Thread) { _, aerr = th.Accept(l, nil, nil) })
		r.do(B, func(th *emu.Thread) { wantErr(t, "closesocket", th.Closesocket(l), 0) })
		r.settle()
		wantErr(t, "accept on a closed listener", aerr, wso.WSAEINTR)
	})
}

// A send that pends for room completes when the receiver's SO_RCVBUF
// grows to hold it (the setsockopt page: the buffer sizes are the
// connection's; more room lets waiting data move).
func TestTCPBiggerReceiveBufferReleasesSend(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		r := newW2(t, kind, profile)
		_, c, s, _ := r.tcpPair(lo4)
		ev := r.event(r.A)
		ov := &emu.Overlapped{HEvent: ev}
		data := make([]byte, 4000)
		r.do(r.A, func(th *emu.Thread) {
			wantErr(t, "SO_RCVBUF", th.Setsockopt(s, provider.SOL_SOCKET, provider.SO_RCVBUF, binary.LittleEndian.AppendUint32(nil, 1000)), 0)
			wantErr(t, "SO_SNDBUF", th.Setsockopt(c, provider.SOL_SOCKET, provider.SO_SNDBUF, binary.LittleEndian.AppendUint32(nil, 1000)), 0)
			var n uint32
			wantErr(t, "WSASend", th.WSASend(c, []emu.WSABUF{{Len: 4000, Buf: data}}, &n, 0, ov, nil), wso.WSA_IO_PENDING)
		})
		r.settle()
		if r.signalled(ev) {
			t.Fatal("4000 bytes went into 2000 bytes of buffers")
		}
		r.do(r.A, func(th *emu.Thread) {
			wantErr(t, "SO_RCVBUF", th.Setsockopt(s, provider.SOL_SOCKET, provider.SO_RCVBUF, binary.LittleEndian.AppendUint32(nil, 8000)), 0)
		})
		r.settle()
		if !r.signalled(ev) {
			t.Error("the send still pends with room for it")
		}
	})
}

// Closing a listener resets the connections it never accepted: the
// client's pending receive fails with WSAECONNRESET. Closing a socket
// with data it never read resets its connection too (RFC 2525's rule,
// which Windows follows).
func TestTCPCloseResets(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		r := newW2(t, kind, profile)
		bind := netip.AddrPortFrom(lo4, 0)
		l := r.tcpSocket(r.A, provider.AF_INET, &bind)
		c := r.tcpSocket(r.A, provider.AF_INET, nil)
		ov := &emu.Overlapped{HEvent: r.event(r.A)}
		buf := make([]byte, 8)
		r.do(r.A, func(th *emu.Thread) {
			wantErr(t, "listen", th.Listen(l, 5), 0)
			laddr, _ := th.Getsockname(l)
			wantErr(t, "connect", th.Connect(c, &laddr, 16), 0)
			var n, fl uint32
			wantErr(t, "WSARecv", th.WSARecv(c, []emu.WSABUF{{Len: 8, Buf: buf}}, &n, &fl, ov, nil), wso.WSA_IO_PENDING)
			wantErr(t, "close listener", th.Closesocket(l), 0)
		})
		r.settle()
		r.do(r.A, func(th *emu.Thread) {
			var n, fl uint32
			wantErr(t, "result", th.WSAGetOverlappedResult(c, ov, &n, false, &fl), wso.WSAECONNRESET)
		})

		_, c2, s2, _ := r.tcpPair(lo4)
		ov2 := &emu.Overlapped{HEvent: r.event(r.A)}
		r.do(r.A, func(th *emu.Thread) {
			var n, fl uint32
			wantErr(t, "send", th.WSASend(s2, bufs("unread"), &n, 0, nil, nil), 0)
			wantErr(t, "WSARecv", th.WSARecv(s2, []emu.WSABUF{{Len: 8, Buf: buf}}, &n, &fl, ov2, nil), wso.WSA_IO_PENDING)
			wantErr(t, "close with unread data", th.Closesocket(c2), 0)
		})
		r.settle()
		r.do(r.A, func(th *emu.Thread) {
			var n, fl uint32
			wantErr(t, "peer's receive", th.WSAGetOverlappedResult(s2, ov2, &n, false, &fl), wso.WSAECONNRESET)
		})
	})
}
