package emu_test

import (
	"encoding/binary"
	"net/netip"
	"testing"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/provider"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
	"pgregory.net/rapid"
)

// Tests of the Microsoft extension functions (emu/ws2_ext.go,
// provider/mem/ext.go). Each names the page or the Wine test
// (dlls/ws2_32/tests/sock.c) whose Windows behaviour it checks.

const areaLen = provider.SizeofSockaddrInet6 + 16 // an address area big enough for either family

// listener makes a listening TCP socket on lo with an ephemeral port.
func (r *w2) listener(lo netip.Addr) (emu.SOCKET, netip.AddrPort) {
	r.t.Helper()
	bind := netip.AddrPortFrom(lo, 0)
	l := r.tcpSocket(r.A, afOf(lo), &bind)
	var laddr netip.AddrPort
	r.do(r.A, func(th *emu.Thread) {
		wantErr(r.t, "listen", th.Listen(l, 5), 0)
		laddr, _ = th.Getsockname(l)
	})
	return l, laddr
}

// acceptEx issues AcceptEx on th and returns its error.
func (r *w2) acceptEx(l, a emu.SOCKET, buf []byte, recvLen uint32, ov *emu.Overlapped) error {
	var err error
	r.do(r.A, func(th *emu.Thread) {
		var n uint32
		err = th.AcceptEx(l, a, buf, recvLen, areaLen, areaLen, &n, ov)
	})
	return err
}

// connectTo connects a new TCP socket to laddr with connect.
func (r *w2) connectTo(laddr netip.AddrPort) emu.SOCKET {
	r.t.Helper()
	c := r.tcpSocket(r.A, afOf(laddr.Addr()), nil)
	r.do(r.A, func(th *emu.Thread) {
		wantErr(r.t, "connect", th.Connect(c, &laddr, nameLen(laddr)), 0)
	})
	return c
}

// pending reports whether err is ERROR_IO_PENDING, or success (an
// AcceptEx the Chooser let complete at once).
func pendingOrDone(err error) bool {
	if err == nil {
		return true
	}
	e, ok := err.(emu.Errno)
	return ok && (e == 0 || e == wso.WSA_IO_PENDING)
}

// SIO_GET_EXTENSION_FUNCTION_POINTER knows the six mswsock GUIDs and
// answers a pointer-sized result; another GUID is WSAEINVAL (the WSAIoctl
// page; Wine's sock.c, test_get_extension_func).
func TestExtensionFunctionPointers(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		r := newW2(t, kind, profile)
		s := r.tcpSocket(r.A, provider.AF_INET, nil)
		r.do(r.A, func(th *emu.Thread) {
			for _, g := range []provider.GUID{provider.WSAID_ACCEPTEX, provider.WSAID_GETACCEPTEXSOCKADDRS, provider.WSAID_CONNECTEX,
				provider.WSAID_DISCONNECTEX, provider.WSAID_TRANSMITFILE, provider.WSAID_TRANSMITPACKETS} {
				out := make([]byte, 8)
				var n uint32
				wantErr(t, "lookup", th.WSAIoctl(s, provider.SIO_GET_EXTENSION_FUNCTION_POINTER, g.Bytes(), out, &n, nil, nil), 0)
				if n != 8 || binary.LittleEndian.Uint64(out) == 0 {
					t.Errorf("GUID %x: n=%d pointer=%x", g.Bytes(), n, out)
				}
			}
			bogus := provider.GUID{Data1: 0x12345678}
			var n uint32
			wantErr(t, "bogus GUID", th.WSAIoctl(s, provider.SIO_GET_EXTENSION_FUNCTION_POINTER, bogus.Bytes(), make([]byte, 8), &n, nil, nil), wso.WSAEINVAL)
		})
	})
}

// The AcceptEx page: without a receive buffer the request completes when
// a client connects, with 0 bytes; GetAcceptExSockaddrs reads the
// listener's address and the client's. Until SO_UPDATE_ACCEPT_CONTEXT the
// accepted socket answers getpeername and shutdown as unconnected; after
// it, getpeername names the client (Wine's sock.c, test_AcceptEx).
func TestAcceptExCompletesOnConnect(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		for _, lo := range []netip.Addr{lo4, lo6} {
			r := newW2(t, kind, profile)
			l, laddr := r.listener(lo)
			a := r.tcpSocket(r.A, afOf(lo), nil)
			ev := r.event(r.A)
			ov := &emu.Overlapped{HEvent: ev}
			buf := make([]byte, 2*areaLen)
			wantErr(t, "AcceptEx", r.acceptEx(l, a, buf, 0, ov), wso.WSA_IO_PENDING)
			r.settle()
			if r.signalled(ev) {
				t.Fatal("AcceptEx completed before any client connected")
			}
			c := r.connectTo(laddr)
			r.settle()
			if res := r.getResult(r.A, l, ov); res.err != nil || res.n != 0 {
				t.Fatalf("AcceptEx result %+v, want success with 0 bytes", res)
			}
			r.do(r.A, func(th *emu.Thread) {
				var local, remote netip.AddrPort
				var ls, rs int32
				wantErr(t, "GetAcceptExSockaddrs", th.GetAcceptExSockaddrs(buf, 0, areaLen, areaLen, &local, &ls, &remote, &rs), 0)
				mine, _ := th.Getsockname(c)
				if local != laddr || remote != mine || ls != nameLen(laddr) || rs != nameLen(laddr) {
					t.Errorf("sockaddrs local %v (%d) remote %v (%d); want %v and %v", local, ls, remote, rs, laddr, mine)
				}
				var peer netip.AddrPort
				n := int32(provider.SizeofSockaddrInet6)
				wantErr(t, "getpeername before the update", th.Getpeername(a, &peer, &n), wso.WSAENOTCONN)
				wantErr(t, "shutdown before the update", th.Shutdown(a, provider.SD_SEND), wso.WSAENOTCONN)
				v := make([]byte, 8)
				binary.LittleEndian.PutUint64(v, uint64(l))
				wantErr(t, "SO_UPDATE_ACCEPT_CONTEXT", th.Setsockopt(a, provider.SOL_SOCKET, provider.SO_UPDATE_ACCEPT_CONTEXT, v), 0)
				wantErr(t, "getpeername", th.Getpeername(a, &peer, &n), 0)
				if peer != mine {
					t.Errorf("getpeername %v, want the client %v", peer, mine)
				}
				var sent uint32
				wantErr(t, "send", th.WSASend(c, bufs("ping"), &sent, 0, nil, nil), 0)
				b := make([]byte, 8)
				var got, fl uint32
				wantErr(t, "recv", th.WSARecv(a, []emu.WSABUF{{Len: 8, Buf: b}}, &got, &fl, nil, nil), 0)
				if string(b[:got]) != "ping" {
					t.Errorf("accepted socket received %q", b[:got])
				}
			})
		}
	})
}

// The AcceptEx page: with a receive buffer the request completes only when
// the first data arrives (Wine's sock.c, test_AcceptEx: still pending
// after the connect); SO_CONNECT_TIME tells a connection accepted but
// silent (seconds connected) from none (0xFFFFFFFF).
func TestAcceptExWaitsForFirstData(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		r := newW2(t, kind, profile)
		l, laddr := r.listener(lo4)
		a := r.tcpSocket(r.A, provider.AF_INET, nil)
		ev := r.event(r.A)
		ov := &emu.Overlapped{HEvent: ev}
		buf := make([]byte, 16+2*areaLen)
		connectTime := func(s emu.SOCKET) uint32 {
			var v uint32
			r.do(r.A, func(th *emu.Thread) {
				b := make([]byte, 4)
				n := int32(4)
				wantErr(t, "SO_CONNECT_TIME", th.Getsockopt(s, provider.SOL_SOCKET, provider.SO_CONNECT_TIME, b, &n), 0)
				v = binary.LittleEndian.Uint32(b)
			})
			return v
		}
		wantErr(t, "AcceptEx", r.acceptEx(l, a, buf, 16, ov), wso.WSA_IO_PENDING)
		if got := connectTime(a); got != 0xFFFFFFFF {
			t.Errorf("SO_CONNECT_TIME before a connection = %#x, want 0xFFFFFFFF", got)
		}
		c := r.connectTo(laddr)
		r.settle()
		if r.signalled(ev) {
			t.Fatal("AcceptEx with a receive buffer completed before any data")
		}
		r.begin(r.A, func(th *emu.Thread) { th.Sleep(2500) })
		r.settle()
		if !r.idle(r.A) {
			t.Fatal("Sleep(2500) did not end")
		}
		if got := connectTime(a); got != 2 {
			t.Errorf("SO_CONNECT_TIME after 2.5 s = %d, want 2", got)
		}
		r.do(r.A, func(th *emu.Thread) {
			var sent uint32
			wantErr(t, "send", th.WSASend(c, bufs("hi"), &sent, 0, nil, nil), 0)
		})
		r.settle()
		res := r.getResult(r.A, l, ov)
		if res.err != nil || res.n != 2 || string(buf[:2]) != "hi" {
			t.Fatalf("AcceptEx result %+v data %q, want 2 bytes \"hi\"", res, buf[:2])
		}
	})
}

// Wine's sock.c, test_AcceptEx ("Disconnect during receive"): a client
// that connects and closes gracefully completes the waiting AcceptEx with
// 0 bytes. The AcceptEx page: a client that resets first fails it with
// WSAECONNRESET.
func TestAcceptExClientLeaves(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		for _, abortive := range []bool{false, true} {
			r := newW2(t, kind, profile)
			l, laddr := r.listener(lo4)
			a := r.tcpSocket(r.A, provider.AF_INET, nil)
			ov := &emu.Overlapped{HEvent: r.event(r.A)}
			buf := make([]byte, 16+2*areaLen)
			wantErr(t, "AcceptEx", r.acceptEx(l, a, buf, 16, ov), wso.WSA_IO_PENDING)
			c := r.connectTo(laddr)
			r.do(r.A, func(th *emu.Thread) {
				if abortive {
					wantErr(t, "SO_LINGER 0", th.Setsockopt(c, provider.SOL_SOCKET, provider.SO_LINGER, []byte{1, 0, 0, 0}), 0)
				}
				wantErr(t, "closesocket", th.Closesocket(c), 0)
			})
			r.settle()
			res := r.getResult(r.A, l, ov)
			if abortive {
				wantErr(t, "AcceptEx after a reset", res.err, wso.WSAECONNRESET)
			} else if res.err != nil || res.n != 0 {
				t.Errorf("AcceptEx after a graceful close: %+v, want 0 bytes", res)
			}
		}
	})
}

// The errors of AcceptEx as Windows gives them (Wine's sock.c,
// test_AcceptEx): WSAENOTSOCK for either handle, WSAEINVAL for a socket
// not listening and for an accept socket that is a datagram socket, bound,
// connected or already being accepted into, ERROR_INVALID_PARAMETER
// without a record, WSAEFAULT for a remote area of 0 bytes; connect on a
// socket being accepted into fails with WSAEINVAL.
func TestAcceptExErrors(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		r := newW2(t, kind, profile)
		bind := netip.AddrPortFrom(lo4, 0)
		notListening := r.tcpSocket(r.A, provider.AF_INET, &bind)
		l, laddr := r.listener(lo4)
		a := r.tcpSocket(r.A, provider.AF_INET, nil)
		bound := r.tcpSocket(r.A, provider.AF_INET, &bind)
		_, conn, _, _ := r.tcpPair(lo4)
		udp, _ := r.udp4(r.A)
		buf := make([]byte, 2*areaLen)
		r.do(r.A, func(th *emu.Thread) {
			var n uint32
			ov := &emu.Overlapped{}
			wantErr(t, "invalid listener", th.AcceptEx(emu.SOCKET(0xdead), a, buf, 0, areaLen, areaLen, &n, ov), wso.WSAENOTSOCK)
			wantErr(t, "invalid accept socket", th.AcceptEx(l, emu.SOCKET(0xdead), buf, 0, areaLen, areaLen, &n, ov), wso.WSAENOTSOCK)
			wantErr(t, "not listening", th.AcceptEx(notListening, a, buf, 0, areaLen, areaLen, &n, ov), wso.WSAEINVAL)
			wantErr(t, "bound accept socket", th.AcceptEx(l, bound, buf, 0, areaLen, areaLen, &n, ov), wso.WSAEINVAL)
			wantErr(t, "connected accept socket", th.AcceptEx(l, conn, buf, 0, areaLen, areaLen, &n, ov), wso.WSAEINVAL)
			wantErr(t, "datagram accept socket", th.AcceptEx(l, udp, buf, 0, areaLen, areaLen, &n, ov), wso.WSAEINVAL)
			wantErr(t, "no record", th.AcceptEx(l, a, buf, 0, areaLen, areaLen, &n, nil), wso.ERROR_INVALID_PARAMETER)
			wantErr(t, "remote area 0", th.AcceptEx(l, a, buf, 0, areaLen, 0, &n, ov), wso.WSAEFAULT)
			wantErr(t, "AcceptEx", th.AcceptEx(l, a, buf, 0, areaLen, areaLen, &n, ov), wso.WSA_IO_PENDING)
			ov2 := &emu.Overlapped{}
			wantErr(t, "the same accept socket twice", th.AcceptEx(l, a, buf, 0, areaLen, areaLen, &n, ov2), wso.WSAEINVAL)
			wantErr(t, "connect on a socket being accepted into", th.Connect(a, &laddr, 16), wso.WSAEINVAL)
			any4 := netip.AddrPortFrom(lo4, 0)
			wantErr(t, "bind on a socket being accepted into", th.Bind(a, &any4, 16), wso.WSAEINVAL)
		})
	})
}

// Wine's sock.c, test_AcceptEx: a local area too small for the address
// and 16 bytes fails the request when a client connects, with
// ERROR_INSUFFICIENT_BUFFER (STATUS_BUFFER_TOO_SMALL), and the connection
// stays to be accepted; a local area of 0 bytes is accepted.
func TestAcceptExShortArea(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		r := newW2(t, kind, profile)
		l, laddr := r.listener(lo4)
		a := r.tcpSocket(r.A, provider.AF_INET, nil)
		ov := &emu.Overlapped{HEvent: r.event(r.A)}
		buf := make([]byte, 2*areaLen)
		r.do(r.A, func(th *emu.Thread) {
			var n uint32
			wantErr(t, "AcceptEx", th.AcceptEx(l, a, buf, 0, 3, areaLen, &n, ov), wso.WSA_IO_PENDING)
		})
		r.connectTo(laddr)
		r.settle()
		if st := emu.NTStatus(ov.LoadInternal()); r.ifs() && st != wso.STATUS_BUFFER_TOO_SMALL {
			t.Errorf("Internal %#x, want STATUS_BUFFER_TOO_SMALL", uint32(st))
		}
		r.do(r.A, func(th *emu.Thread) {
			var n uint32
			err := th.GetOverlappedResult(emu.Handle(l), ov, &n, false)
			if r.ifs() {
				wantErr(t, "GetOverlappedResult", err, wso.ERROR_INSUFFICIENT_BUFFER)
			}
			var fl uint32
			wantErr(t, "WSAGetOverlappedResult", th.WSAGetOverlappedResult(l, ov, &n, false, &fl), wso.WSAEFAULT)
			_, err = th.Accept(l, nil, nil)
			wantErr(t, "accept of the connection AcceptEx left", err, 0)
			a2, _ := th.Socket(provider.AF_INET, provider.SOCK_STREAM, provider.IPPROTO_TCP)
			ov2 := &emu.Overlapped{}
			if err := th.AcceptEx(l, a2, buf, 0, 0, areaLen, &n, ov2); !pendingOrDone(err) {
				t.Errorf("AcceptEx with a local area of 0 bytes: %v", err)
			}
		})
	})
}

// Wine's sock.c, test_AcceptEx: closing the accept socket or the
// listening socket ends a pending AcceptEx with ERROR_OPERATION_ABORTED;
// CancelIo on the accept socket does not reach it (it belongs to the
// listener).
func TestAcceptExClosing(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		r := newW2(t, kind, profile)
		l, _ := r.listener(lo4)
		a := r.tcpSocket(r.A, provider.AF_INET, nil)
		ev := r.event(r.A)
		ov := &emu.Overlapped{HEvent: ev}
		buf := make([]byte, 16+2*areaLen)
		wantErr(t, "AcceptEx", r.acceptEx(l, a, buf, 16, ov), wso.WSA_IO_PENDING)
		r.do(r.A, func(th *emu.Thread) { th.CancelIo(emu.Handle(a)) })
		r.settle()
		if r.signalled(ev) {
			t.Fatal("CancelIo on the accept socket ended the AcceptEx")
		}
		r.do(r.A, func(th *emu.Thread) { wantErr(t, "closesocket(accept)", th.Closesocket(a), 0) })
		r.settle()
		wantErr(t, "after closing the accept socket", r.getResult(r.A, l, ov).err, wso.WSA_OPERATION_ABORTED)

		a = r.tcpSocket(r.A, provider.AF_INET, nil)
		wantErr(t, "AcceptEx", r.acceptEx(l, a, buf, 16, ov), wso.WSA_IO_PENDING)
		r.do(r.A, func(th *emu.Thread) {
			wantErr(t, "closesocket(listener)", th.Closesocket(l), 0)
			if r.ifs() {
				var n uint32
				wantErr(t, "after closing the listener", th.GetOverlappedResult(emu.Handle(l), ov, &n, false), wso.ERROR_OPERATION_ABORTED)
			} else if wso.Errno(ov.LoadOffsetHigh()) != wso.WSA_OPERATION_ABORTED {
				t.Errorf("after closing the listener: OffsetHigh %d, want WSA_OPERATION_ABORTED", ov.LoadOffsetHigh())
			}
		})
	})
}

// An AcceptEx on a listener bound to a completion port posts its packet
// there, with the listener's key (the AcceptEx page: completion ports are
// a notification mechanism).
func TestAcceptExPort(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		r := newW2(t, kind, profile)
		l, laddr := r.listener(lo4)
		port := r.port(r.A, l, 77)
		a := r.tcpSocket(r.A, provider.AF_INET, nil)
		ov := &emu.Overlapped{}
		if err := r.acceptEx(l, a, make([]byte, 2*areaLen), 0, ov); !pendingOrDone(err) {
			t.Fatalf("AcceptEx: %v", err)
		}
		r.connectTo(laddr)
		r.settle()
		pk, ok := r.dequeue(r.A, port)
		if !ok || pk.err != nil || pk.key != 77 || pk.ov != ov || pk.n != 0 {
			t.Fatalf("packet %+v (ok=%v), want key 77, the record, 0 bytes", pk, ok)
		}
	})
}

// The ConnectEx page and Wine's sock.c, test_connect: an unbound socket
// is WSAEINVAL, no record ERROR_INVALID_PARAMETER; the request pends and
// completes with the bytes of the send data, which the server receives;
// before SO_UPDATE_CONNECT_CONTEXT connect fails with WSAEINVAL, after it
// with WSAEISCONN; ConnectEx again is WSAEISCONN; a refused connection
// fails with WSAECONNREFUSED (ERROR_CONNECTION_REFUSED).
func TestConnectEx(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		r := newW2(t, kind, profile)
		l, laddr := r.listener(lo4)
		unbound := r.tcpSocket(r.A, provider.AF_INET, nil)
		bind := netip.AddrPortFrom(lo4, 0)
		c := r.tcpSocket(r.A, provider.AF_INET, &bind)
		ov := &emu.Overlapped{HEvent: r.event(r.A)}
		data := []byte("123")
		r.do(r.A, func(th *emu.Thread) {
			var n uint32
			wantErr(t, "unbound", th.ConnectEx(unbound, &laddr, 16, nil, &n, ov), wso.WSAEINVAL)
			wantErr(t, "listening", th.ConnectEx(l, &laddr, 16, nil, &n, ov), wso.WSAEINVAL)
			wantErr(t, "no record", th.ConnectEx(c, &laddr, 16, nil, &n, nil), wso.ERROR_INVALID_PARAMETER)
			wantErr(t, "ConnectEx", th.ConnectEx(c, &laddr, 16, data, &n, ov), wso.WSA_IO_PENDING)
		})
		r.settle()
		if res := r.getResult(r.A, c, ov); res.err != nil || res.n != 3 {
			t.Fatalf("ConnectEx result %+v, want 3 bytes", res)
		}
		r.do(r.A, func(th *emu.Thread) {
			s, err := th.Accept(l, nil, nil)
			wantErr(t, "accept", err, 0)
			b := make([]byte, 8)
			var got, fl uint32
			wantErr(t, "recv", th.WSARecv(s, []emu.WSABUF{{Len: 8, Buf: b}}, &got, &fl, nil, nil), 0)
			if string(b[:got]) != "123" {
				t.Errorf("server received %q, want 123", b[:got])
			}
			wantErr(t, "connect before the update", th.Connect(c, &laddr, 16), wso.WSAEINVAL)
			wantErr(t, "SO_UPDATE_CONNECT_CONTEXT", th.Setsockopt(c, provider.SOL_SOCKET, provider.SO_UPDATE_CONNECT_CONTEXT, nil), 0)
			wantErr(t, "connect after the update", th.Connect(c, &laddr, 16), wso.WSAEISCONN)
			var n uint32
			wantErr(t, "ConnectEx again", th.ConnectEx(c, &laddr, 16, nil, &n, ov), wso.WSAEISCONN)
		})
		refused := r.tcpSocket(r.A, provider.AF_INET, &bind)
		nobody := netip.AddrPortFrom(lo4, 1)
		r.do(r.A, func(th *emu.Thread) {
			var n uint32
			wantErr(t, "ConnectEx to nobody", th.ConnectEx(refused, &nobody, 16, nil, &n, ov), wso.WSA_IO_PENDING)
		})
		r.settle()
		wantErr(t, "refused", r.getResult(r.A, refused, ov).err, wso.WSAECONNREFUSED)
		if r.ifs() {
			r.do(r.A, func(th *emu.Thread) {
				var n uint32
				wantErr(t, "GetOverlappedResult", th.GetOverlappedResult(emu.Handle(refused), ov, &n, false), wso.ERROR_CONNECTION_REFUSED)
			})
		}
	})
}

// Wine's sock.c, test_DisconnectEx: not connected is WSAENOTCONN; with a
// record DisconnectEx pends and completes with 0 bytes; afterwards sends
// fail with WSAESHUTDOWN, the peer reads the end of the stream, and data
// still flows the other way; without a record it succeeds, twice. With
// TF_REUSE_SOCKET the socket can be accepted into again (the
// LPFN_DISCONNECTEX page).
func TestDisconnectEx(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		r := newW2(t, kind, profile)
		lone := r.tcpSocket(r.A, provider.AF_INET, nil)
		l, c, s, _ := r.tcpPair(lo4)
		ov := &emu.Overlapped{HEvent: r.event(r.A)}
		r.do(r.A, func(th *emu.Thread) {
			wantErr(t, "not connected", th.DisconnectEx(lone, ov, 0, 0), wso.WSAENOTCONN)
			wantErr(t, "DisconnectEx", th.DisconnectEx(c, ov, 0, 0), wso.WSA_IO_PENDING)
		})
		r.settle()
		if res := r.getResult(r.A, c, ov); res.err != nil || res.n != 0 {
			t.Fatalf("DisconnectEx result %+v", res)
		}
		r.do(r.A, func(th *emu.Thread) {
			var sent, got, fl uint32
			wantErr(t, "send after", th.WSASend(c, bufs("x"), &sent, 0, nil, nil), wso.WSAESHUTDOWN)
			b := make([]byte, 8)
			wantErr(t, "peer recv", th.WSARecv(s, []emu.WSABUF{{Len: 8, Buf: b}}, &got, &fl, nil, nil), 0)
			if got != 0 {
				t.Errorf("peer read %d bytes, want the end of the stream", got)
			}
			wantErr(t, "peer send", th.WSASend(s, bufs("test"), &sent, 0, nil, nil), 0)
			wantErr(t, "recv", th.WSARecv(c, []emu.WSABUF{{Len: 8, Buf: b}}, &got, &fl, nil, nil), 0)
			if string(b[:got]) != "test" {
				t.Errorf("received %q after DisconnectEx", b[:got])
			}
			wantErr(t, "sync DisconnectEx", th.DisconnectEx(c, nil, 0, 0), 0)
			wantErr(t, "sync DisconnectEx again", th.DisconnectEx(c, nil, 0, 0), 0)
			wantErr(t, "reserved", th.DisconnectEx(c, nil, 0, 1), wso.WSAEINVAL)
			wantErr(t, "TF_REUSE_SOCKET", th.DisconnectEx(s, nil, provider.TF_REUSE_SOCKET, 0), 0)
			var n uint32
			ov2 := &emu.Overlapped{}
			if err := th.AcceptEx(l, s, make([]byte, 2*areaLen), 0, areaLen, areaLen, &n, ov2); !pendingOrDone(err) {
				t.Errorf("AcceptEx into the reused socket: %v", err)
			}
		})
	})
}

// The TransmitFile page and Wine's sock.c, test_TransmitFile: not
// connected is WSAENOTCONN, and a datagram socket WSAENOTCONN on Windows,
// WSAEINVAL by the page; the head and tail
// buffers arrive in order; with a record the call pends and completes
// with the total; TransmitPackets sends its memory elements in order.
func TestTransmit(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		r := newW2(t, kind, profile)
		lone := r.tcpSocket(r.A, provider.AF_INET, nil)
		udp, _ := r.udp4(r.A)
		l, c, s, _ := r.tcpPair(lo4)
		ov := &emu.Overlapped{HEvent: r.event(r.A)}
		tfb := &emu.TransmitFileBuffers{Head: []byte("hello "), Tail: []byte("world")}
		r.do(r.A, func(th *emu.Thread) {
			wantErr(t, "not connected", th.TransmitFile(lone, 0, 0, 0, nil, nil, provider.TF_REUSE_SOCKET), wso.WSAENOTCONN)
			// Windows: WSAENOTCONN (Wine's test_TransmitFile); the page:
			// WSAEINVAL.
			dgram := wso.WSAENOTCONN
			if profile == emu.ProfileDocs {
				dgram = wso.WSAEINVAL
			}
			wantErr(t, "datagram", th.TransmitFile(udp, 0, 0, 0, nil, nil, 0), dgram)
			wantErr(t, "TransmitFile", th.TransmitFile(c, 0, 0, 0, ov, tfb, 0), wso.WSA_IO_PENDING)
		})
		r.settle()
		if res := r.getResult(r.A, c, ov); res.err != nil || res.n != 11 {
			t.Fatalf("TransmitFile result %+v, want 11 bytes", res)
		}
		r.do(r.A, func(th *emu.Thread) {
			els := []emu.TransmitElement{{Flags: provider.TP_ELEMENT_MEMORY, Len: 1, Buf: []byte("!")}, {Flags: provider.TP_ELEMENT_MEMORY | provider.TP_ELEMENT_EOP, Len: 2, Buf: []byte("?.")}}
			wantErr(t, "TransmitPackets", th.TransmitPackets(c, els, 0, nil, 0), 0)
			b := make([]byte, 32)
			var got, fl uint32
			wantErr(t, "recv", th.WSARecv(s, []emu.WSABUF{{Len: 32, Buf: b}}, &got, &fl, nil, nil), 0)
			if string(b[:got]) != "hello world!?." {
				t.Errorf("received %q", b[:got])
			}
			// The AcceptEx page's note: TF_DISCONNECT|TF_REUSE_SOCKET
			// returns the socket to a state where AcceptEx may take it.
			wantErr(t, "TF_REUSE_SOCKET without TF_DISCONNECT", th.TransmitFile(c, 0, 0, 0, nil, tfb, provider.TF_REUSE_SOCKET), wso.WSAEINVAL)
			wantErr(t, "TF_DISCONNECT|TF_REUSE_SOCKET", th.TransmitFile(c, 0, 0, 0, nil, tfb, provider.TF_DISCONNECT|provider.TF_REUSE_SOCKET), 0)
			wantErr(t, "peer reads the data", th.WSARecv(s, []emu.WSABUF{{Len: 32, Buf: b}}, &got, &fl, nil, nil), 0)
			if string(b[:got]) != "hello world" {
				t.Errorf("received %q before the end of the stream", b[:got])
			}
			wantErr(t, "then the end", th.WSARecv(s, []emu.WSABUF{{Len: 32, Buf: b}}, &got, &fl, nil, nil), 0)
			if got != 0 {
				t.Errorf("read %d bytes, want the end of the stream", got)
			}
			var n uint32
			if err := th.AcceptEx(l, c, make([]byte, 2*areaLen), 0, areaLen, areaLen, &n, &emu.Overlapped{}); !pendingOrDone(err) {
				t.Errorf("AcceptEx into the reused socket: %v", err)
			}
		})
	})
}

// The sanitizer: the AcceptEx buffer, the ConnectEx record and the
// TransmitPackets buffers belong to the request until it completes;
// releasing any of them earlier is reported.
func TestExtSanitizer(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		r := newW2(t, kind, profile, emu.WithSanitizer(emu.SanitizeReport))
		l, laddr := r.listener(lo4)
		a := r.tcpSocket(r.A, provider.AF_INET, nil)
		bind := netip.AddrPortFrom(lo4, 0)
		c := r.tcpSocket(r.A, provider.AF_INET, &bind)
		buf := make([]byte, 16+2*areaLen)
		r.do(r.A, func(th *emu.Thread) {
			var n uint32
			th.AcceptEx(l, a, buf, 16, areaLen, areaLen, &n, &emu.Overlapped{})
			th.ReleaseBuffer(buf)
			ov := &emu.Overlapped{}
			th.ConnectEx(c, &laddr, 16, nil, &n, ov)
			th.ReleaseOverlapped(ov)
		})
		r.settle()
		// A TransmitPackets whose data waits for room: the peer reads
		// nothing and the buffers are small.
		_, tc, _, _ := r.tcpPair(lo4)
		r.do(r.A, func(th *emu.Thread) {
			th.Setsockopt(tc, provider.SOL_SOCKET, provider.SO_SNDBUF, []byte{1, 0, 0, 0})
			big := make([]byte, 1<<20)
			th.TransmitPackets(tc, []emu.TransmitElement{{Flags: provider.TP_ELEMENT_MEMORY, Len: uint32(len(big)), Buf: big}}, 0, &emu.Overlapped{}, 0)
			th.ReleaseBuffer(big)
		})
		n := 0
		for _, f := range r.s.Findings() {
			if f.Clause == "wsaoverlapped.release-while-pending" {
				n++
			}
		}
		if n != 3 {
			t.Fatalf("findings %+v, want three wsaoverlapped.release-while-pending", r.s.Findings())
		}
	})
}

// Property (issue 12): under any schedule the Chooser picks, every
// AcceptEx and ConnectEx completes exactly once — through the port, one
// packet per request, each request's record named once — and the bytes a
// ConnectEx sends arrive whole at the AcceptEx that takes its connection.
func TestExtCompleteOncePropertyRapid(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		kind := provider.Kind(rapid.IntRange(0, 1).Draw(rt, "kind"))
		profile := emu.Profile(rapid.IntRange(0, 1).Draw(rt, "profile"))
		conns := rapid.IntRange(1, 4).Draw(rt, "conns")
		recvFirst := rapid.Bool().Draw(rt, "recvFirst")
		s := emu.New(emu.WithProviderKind(kind), emu.WithProfile(profile), emu.WithChooser(emu.RapidChooser(rt)))
		defer s.Stop()
		st, err := s.Stepper()
		if err != nil {
			rt.Fatal(err)
		}
		th := st.NewThread("A")
		var port emu.Handle
		var l emu.SOCKET
		var laddr netip.AddrPort
		want := map[*emu.Overlapped]string{}
		bufsOf := map[*emu.Overlapped][]byte{}
		var recvLen uint32
		if recvFirst {
			recvLen = 8
		}
		st.Call(th, func(th *emu.Thread) {
			var d emu.WSAData
			th.WSAStartup(0x0202, &d)
			l, _ = th.Socket(provider.AF_INET, provider.SOCK_STREAM, provider.IPPROTO_TCP)
			bind := netip.AddrPortFrom(lo4, 0)
			th.Bind(l, &bind, 16)
			th.Listen(l, 10)
			laddr, _ = th.Getsockname(l)
			port, _ = th.CreateIoCompletionPort(emu.Handle(l), 0, 1, 0)
			for i := 0; i < conns; i++ {
				a, _ := th.Socket(provider.AF_INET, provider.SOCK_STREAM, provider.IPPROTO_TCP)
				ov := &emu.Overlapped{}
				b := make([]byte, int(recvLen)+2*areaLen)
				var n uint32
				if err := th.AcceptEx(l, a, b, recvLen, areaLen, areaLen, &n, ov); !pendingOrDone(err) {
					rt.Fatalf("AcceptEx: %v", err)
				}
				want[ov], bufsOf[ov] = "accept", b
			}
			for i := 0; i < conns; i++ {
				c, _ := th.Socket(provider.AF_INET, provider.SOCK_STREAM, provider.IPPROTO_TCP)
				cb := netip.AddrPortFrom(lo4, 0)
				th.Bind(c, &cb, 16)
				th.CreateIoCompletionPort(emu.Handle(c), port, 2, 0)
				ov := &emu.Overlapped{}
				var n uint32
				if err := th.ConnectEx(c, &laddr, 16, []byte("abcd"), &n, ov); !pendingOrDone(err) {
					rt.Fatalf("ConnectEx: %v", err)
				}
				want[ov] = "connect"
			}
		})
		st.Settle()
		seen := map[*emu.Overlapped]int{}
		st.Call(th, func(th *emu.Thread) {
			for {
				var n uint32
				var key uintptr
				var ov *emu.Overlapped
				err := th.GetQueuedCompletionStatus(port, &n, &key, &ov, 0)
				if ov == nil {
					break
				}
				seen[ov]++
				if err != nil {
					rt.Errorf("%s completed with %v", want[ov], err)
				}
				switch want[ov] {
				case "connect":
					if n != 4 {
						rt.Errorf("ConnectEx reported %d bytes, want 4", n)
					}
				case "accept":
					if recvFirst && (n == 0 || string(bufsOf[ov][:n]) != "abcd"[:n]) {
						rt.Errorf("AcceptEx received %q", bufsOf[ov][:n])
					}
				}
			}
		})
		for ov, what := range want {
			if seen[ov] != 1 {
				rt.Fatalf("%s completed %d times, want exactly once", what, seen[ov])
			}
		}
		if len(seen) != len(want) {
			rt.Fatalf("packets for %d records, %d issued", len(seen), len(want))
		}
	})
}

// The LPFN_CONNECTEX page's errors: WSAENOTSOCK for a handle that is not
// a socket, WSAEAFNOSUPPORT for an address of another family, WSAEFAULT
// for a name length too small, WSAEADDRNOTAVAIL for the unspecified
// address.
func TestConnectExErrors(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		r := newW2(t, kind, profile)
		_, laddr := r.listener(lo4)
		bind := netip.AddrPortFrom(lo4, 0)
		c := r.tcpSocket(r.A, provider.AF_INET, &bind)
		r.do(r.A, func(th *emu.Thread) {
			var n uint32
			ov := &emu.Overlapped{}
			v6 := netip.AddrPortFrom(lo6, laddr.Port())
			unspec := netip.AddrPortFrom(netip.IPv4Unspecified(), laddr.Port())
			wantErr(t, "not a socket", th.ConnectEx(emu.SOCKET(0xdead), &laddr, 16, nil, &n, ov), wso.WSAENOTSOCK)
			wantErr(t, "other family", th.ConnectEx(c, &v6, 28, nil, &n, ov), wso.WSAEAFNOSUPPORT)
			wantErr(t, "short name", th.ConnectEx(c, &laddr, 8, nil, &n, ov), wso.WSAEFAULT)
			wantErr(t, "unspecified address", th.ConnectEx(c, &unspec, 16, nil, &n, ov), wso.WSAEADDRNOTAVAIL)
		})
	})
}

// An AcceptEx issued when a connection already waits may finish within
// the call (TRUE, *lpdwBytesReceived written, the event still signalled:
// the AcceptEx page's "completed successfully") or pend and complete a
// little later: the Chooser's pend decision. With a receive buffer and
// the data already there, the data is in the buffer either way.
func TestAcceptExConnectionAlreadyWaiting(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		for _, pend := range []bool{false, true} {
			var opts []emu.Option
			if pend {
				opts = append(opts, pendAlways())
			}
			r := newW2(t, kind, profile, opts...)
			l, laddr := r.listener(lo4)
			c := r.connectTo(laddr)
			r.do(r.A, func(th *emu.Thread) {
				var sent uint32
				wantErr(t, "send", th.WSASend(c, bufs("early"), &sent, 0, nil, nil), 0)
			})
			a := r.tcpSocket(r.A, provider.AF_INET, nil)
			ev := r.event(r.A)
			ov := &emu.Overlapped{HEvent: ev}
			buf := make([]byte, 8+2*areaLen)
			n := uint32(sentinel)
			var err error
			r.do(r.A, func(th *emu.Thread) {
				err = th.AcceptEx(l, a, buf, 8, areaLen, areaLen, &n, ov)
			})
			if pend {
				wantErr(t, "AcceptEx (pending)", err, wso.WSA_IO_PENDING)
				if n != sentinel {
					t.Errorf("pending AcceptEx wrote the count: %d", n)
				}
				r.settle()
			} else {
				wantErr(t, "AcceptEx (at once)", err, 0)
				if n != 5 {
					t.Errorf("AcceptEx at once: count %d, want 5", n)
				}
			}
			if !r.signalled(ev) {
				t.Error("the event is not signalled")
			}
			if res := r.getResult(r.A, l, ov); res.err != nil || res.n != 5 || string(buf[:5]) != "early" {
				t.Errorf("result %+v, data %q; want 5 bytes \"early\"", res, buf[:5])
			}
		}
	})
}
