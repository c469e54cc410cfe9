package emu_test

// Sockets of the in-memory provider: WSAStartup/WSACleanup, WSASocket,
// bind, connect, getsockname, socket options, WSAIoctl, and the blocking
// (non-overlapped) receive with its timeouts and non-blocking mode.

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"testing"
	"time"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/provider"
	"github.com/wsaemu/wsaemu/provider/mem"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// WSAStartup/WSACleanup: calls before a successful WSAStartup fail with
// WSANOTINITIALISED; a version below 1.1 is WSAVERNOTSUPPORTED; the last
// WSACleanup closes every socket still open (its handle is gone after a
// new WSAStartup) and one more WSACleanup fails.
func TestStartupCleanup(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		s := emu.New(emu.WithProviderKind(kind), emu.WithProfile(profile))
		defer s.Stop()
		st, _ := s.Stepper()
		a := st.NewThread("A")
		st.Call(a, func(th *emu.Thread) {
			wantErr(t, "WSACleanup first", th.WSACleanup(), wso.WSANOTINITIALISED)
			var d emu.WSAData
			wantErr(t, "WSAStartup(1.0)", th.WSAStartup(0x0001, &d), wso.WSAVERNOTSUPPORTED)
			wantErr(t, "WSAStartup(2.2)", th.WSAStartup(0x0202, &d), 0)
			if d.Version != 0x0202 || d.HighVersion != 0x0202 {
				t.Errorf("WSADATA %+v", d)
			}
			h, err := th.Socket(provider.AF_INET, provider.SOCK_DGRAM, provider.IPPROTO_UDP)
			wantErr(t, "socket", err, 0)
			wantErr(t, "WSACleanup", th.WSACleanup(), 0)
			_, err = th.Getsockname(h)
			wantErr(t, "getsockname after WSACleanup", err, wso.WSANOTINITIALISED)
			wantErr(t, "WSAStartup again", th.WSAStartup(0x0202, &d), 0)
			_, err = th.Getsockname(h)
			wantErr(t, "old handle after a new WSAStartup", err, wso.WSAENOTSOCK)
			wantErr(t, "WSACleanup", th.WSACleanup(), 0)
			wantErr(t, "WSACleanup once too often", th.WSACleanup(), wso.WSANOTINITIALISED)
		})
	})
}

// WSASocketW: the in-memory provider carries UDP and TCP; a raw socket is
// WSAESOCKTNOSUPPORT ("The specified socket type is not supported in this
// address family"), TCP over SOCK_DGRAM WSAEPROTONOSUPPORT, an unknown
// family WSAEAFNOSUPPORT.
func TestWSASocketTypes(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		r := newW2(t, kind, profile)
		r.do(r.A, func(th *emu.Thread) {
			h, err := th.WSASocket(provider.AF_INET, provider.SOCK_RAW, 0, provider.WSA_FLAG_OVERLAPPED)
			wantErr(t, "SOCK_RAW", err, wso.WSAESOCKTNOSUPPORT)
			_, err = th.WSASocket(provider.AF_INET, provider.SOCK_DGRAM, provider.IPPROTO_TCP, 0)
			wantErr(t, "TCP datagrams", err, wso.WSAEPROTONOSUPPORT)
			for _, af := range []int32{provider.AF_INET, provider.AF_INET6} {
				s, err := th.WSASocket(af, provider.SOCK_STREAM, provider.IPPROTO_TCP, provider.WSA_FLAG_OVERLAPPED)
				wantErr(t, "SOCK_STREAM", err, 0)
				val, optlen := make([]byte, 4), int32(4)
				wantErr(t, "SO_TYPE", th.Getsockopt(s, provider.SOL_SOCKET, provider.SO_TYPE, val, &optlen), 0)
				if val[0] != provider.SOCK_STREAM {
					t.Errorf("SO_TYPE of a stream socket: %d", val[0])
				}
			}
			if h != provider.INVALID_SOCKET {
				t.Errorf("handle %#x, want INVALID_SOCKET", uint64(h))
			}
			_, err = th.WSASocket(99, provider.SOCK_DGRAM, 0, 0)
			wantErr(t, "unknown family", err, wso.WSAEAFNOSUPPORT)
			for _, af := range []int32{provider.AF_INET, provider.AF_INET6} {
				h, err := th.WSASocket(af, provider.SOCK_DGRAM, 0, provider.WSA_FLAG_OVERLAPPED)
				wantErr(t, "UDP socket", err, 0)
				val, optlen := make([]byte, 4), int32(4)
				wantErr(t, "SO_TYPE", th.Getsockopt(h, provider.SOL_SOCKET, provider.SO_TYPE, val, &optlen), 0)
				if binary.LittleEndian.Uint32(val) != provider.SOCK_DGRAM {
					t.Errorf("SO_TYPE = %d", binary.LittleEndian.Uint32(val))
				}
			}
		})
	})
}

// bind and getsockname: port 0 picks an ephemeral port (49152 and up, a
// new one each time); 127.0.0.1 and ::1 bind; an address the host does
// not have is WSAEADDRNOTAVAIL; an address and port in use is
// WSAEADDRINUSE (also against a wildcard binding on that port); a second
// bind of one socket is WSAEINVAL; getsockname of an unbound socket is
// WSAEINVAL; a name of the wrong family is WSAEAFNOSUPPORT and one too short
// WSAEFAULT.
func TestBindGetsockname(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		r := newW2(t, kind, profile)
		for _, lo := range []netip.Addr{lo4, lo6} {
			s1, a1 := r.udp(r.A, netip.AddrPortFrom(lo, 0))
			_, a2 := r.udp(r.A, netip.AddrPortFrom(lo, 0))
			if a1.Addr() != lo || a1.Port() < 49152 || a2.Port() < 49152 || a1.Port() == a2.Port() {
				t.Errorf("%v: ephemeral binds gave %v and %v", lo, a1, a2)
			}
			r.do(r.A, func(th *emu.Thread) {
				wantErr(t, "bind twice", th.Bind(s1, &a2, nameLen(a2)), wso.WSAEINVAL)
				h, _ := th.Socket(afOf(lo), provider.SOCK_DGRAM, 0)
				_, err := th.Getsockname(h)
				wantErr(t, "getsockname unbound", err, wso.WSAEINVAL)
				wantErr(t, "address in use", th.Bind(h, &a1, nameLen(a1)), wso.WSAEADDRINUSE)
				foreign := netip.AddrPortFrom(netip.MustParseAddr("192.0.2.1"), 5000)
				if lo.Is6() {
					foreign = netip.AddrPortFrom(netip.MustParseAddr("2001:db8::5"), 5000)
				}
				wantErr(t, "address not on this host", th.Bind(h, &foreign, nameLen(foreign)), wso.WSAEADDRNOTAVAIL)
				fixed := netip.AddrPortFrom(lo, 5001)
				wantErr(t, "short name", th.Bind(h, &fixed, 8), wso.WSAEFAULT)
				other := netip.AddrPortFrom(lo4, 5001)
				if lo.Is4() {
					other = netip.AddrPortFrom(lo6, 5001)
				}
				wantErr(t, "wrong family", th.Bind(h, &other, provider.SizeofSockaddrInet6), wso.WSAEAFNOSUPPORT)
				wantErr(t, "fixed port", th.Bind(h, &fixed, nameLen(fixed)), 0)
				got, err := th.Getsockname(h)
				if err != nil || got != fixed {
					t.Errorf("getsockname = %v, %v; want %v", got, err, fixed)
				}
			})
		}
		// A wildcard binding takes the port for every address of its family.
		r.do(r.A, func(th *emu.Thread) {
			w, _ := th.Socket(provider.AF_INET, provider.SOCK_DGRAM, 0)
			wild := netip.MustParseAddrPort("0.0.0.0:6000")
			wantErr(t, "wildcard bind", th.Bind(w, &wild, 16), 0)
			h, _ := th.Socket(provider.AF_INET, provider.SOCK_DGRAM, 0)
			spec := netip.MustParseAddrPort("127.0.0.1:6000")
			wantErr(t, "specific under a wildcard", th.Bind(h, &spec, 16), wso.WSAEADDRINUSE)
			spec6 := netip.MustParseAddrPort("[::1]:6000")
			h6, _ := th.Socket(provider.AF_INET6, provider.SOCK_DGRAM, 0)
			wantErr(t, "other family, same port", th.Bind(h6, &spec6, provider.SizeofSockaddrInet6), 0)
		})
	})
}

// connect on a datagram socket sets the default peer: WSASend needs no
// address, the socket is bound implicitly, and WSARecv, "For connected,
// connectionless sockets, ... only returns messages from the remote
// address specified in the connection. Messages from other addresses are
// (silently) discarded." A non-local peer is WSAENETUNREACH; connecting to
// the unspecified address dissolves the association.
func TestConnectDatagram(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		r := newW2(t, kind, profile)
		peer, peerAddr := r.udp4(r.A)
		stranger, _ := r.udp4(r.A)
		c := r.unbound(r.A, provider.AF_INET)
		var cAddr netip.AddrPort
		r.do(r.A, func(th *emu.Thread) {
			far := netip.MustParseAddrPort("198.51.100.7:53")
			wantErr(t, "connect to a far address", th.Connect(c, &far, 16), wso.WSAENETUNREACH)
			wantErr(t, "connect", th.Connect(c, &peerAddr, 16), 0)
			var err error
			cAddr, err = th.Getsockname(c)
			wantErr(t, "getsockname after connect", err, 0)
			if cAddr.Port() < 49152 {
				t.Errorf("implicit bind by connect gave %v", cAddr)
			}
			// Datagrams for it go to the loopback address and that port.
			cAddr = netip.AddrPortFrom(lo4, cAddr.Port())
			var sent uint32
			wantErr(t, "WSASend without an address", th.WSASend(c, bufs("hi peer"), &sent, 0, nil, nil), 0)
		})
		if d, from, _ := r.recvNow(r.A, peer, 16); d != "hi peer" || from.Port() != cAddr.Port() {
			t.Errorf("peer got %q from %v", d, from)
		}
		r.sendTo(r.A, stranger, cAddr, "from a stranger")
		r.sendTo(r.A, peer, cAddr, "from the peer")
		if n := r.queued(r.A, c); n != uint32(len("from the peer")) {
			t.Errorf("FIONREAD = %d, want only the peer's datagram", n)
		}
		if d, _, _ := r.recvNow(r.A, c, 32); d != "from the peer" {
			t.Errorf("received %q", d)
		}
		r.do(r.A, func(th *emu.Thread) {
			unspec := netip.MustParseAddrPort("0.0.0.0:0")
			wantErr(t, "connect(unspecified)", th.Connect(c, &unspec, 16), 0)
			var sent uint32
			wantErr(t, "WSASend after disconnect", th.WSASend(c, bufs("x"), &sent, 0, nil, nil), wso.WSAENOTCONN)
		})
		r.sendTo(r.A, stranger, cAddr, "now welcome")
		if d, _, _ := r.recvNow(r.A, c, 32); d != "now welcome" {
			t.Errorf("after disconnect received %q", d)
		}
	})
}

// SO_RCVBUF: a datagram that does not fit in what is left of the receive
// buffer is dropped (UDP gives no delivery guarantee; WSASendMsg: "The
// successful completion of a WSASendMsg does not indicate that the data was
// successfully delivered"). A receive already waiting takes a datagram
// whatever the buffer size.
func TestRcvbufFullDrops(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		f := newSM(t, kind, profile)
		f.do(f.A, func(th *emu.Thread) {
			wantErr(t, "SO_RCVBUF", th.Setsockopt(f.rx, provider.SOL_SOCKET, provider.SO_RCVBUF, u32(10)), 0)
			val, optlen := make([]byte, 4), int32(4)
			wantErr(t, "getsockopt SO_RCVBUF", th.Getsockopt(f.rx, provider.SOL_SOCKET, provider.SO_RCVBUF, val, &optlen), 0)
			if binary.LittleEndian.Uint32(val) != 10 {
				t.Errorf("SO_RCVBUF = %d", binary.LittleEndian.Uint32(val))
			}
		})
		f.sendTo(f.A, f.tx, f.rxAddr, "12345678")
		f.sendTo(f.A, f.tx, f.rxAddr, "abcdefgh") // does not fit: dropped
		f.sendTo(f.A, f.tx, f.rxAddr, "xy")       // fits exactly
		if n := f.queued(f.A, f.rx); n != 10 {
			t.Errorf("FIONREAD = %d, want 10", n)
		}
		for _, want := range []string{"12345678", "xy"} {
			if d, _, _ := f.recvNow(f.A, f.rx, 16); d != want {
				t.Errorf("received %q, want %q", d, want)
			}
		}
		ov := &emu.Overlapped{}
		b := f.pendingRecv(f.A, ov, nil)
		f.sendTo(f.A, f.tx, f.rxAddr, "larger than ten")
		if r := f.getResult(f.A, f.rx, ov); r.err != nil || r.n != 15 || string(b[:15]) != "larger than ten" {
			t.Errorf("waiting receive: %+v %q", r, b)
		}
	})
}

// getsockopt/setsockopt: SO_MAX_MSG_SIZE is 65507 for UDP over IPv4 (65535
// minus the IPv4 and UDP headers) and 65527 over IPv6; an unknown option
// is WSAENOPROTOOPT ("The option is unknown or unsupported"); an option
// buffer too short is WSAEFAULT.
func TestSockopts(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		r := newW2(t, kind, profile)
		s4, _ := r.udp4(r.A)
		s6, _ := r.udp(r.A, netip.AddrPortFrom(lo6, 0))
		r.do(r.A, func(th *emu.Thread) {
			for s, want := range map[emu.SOCKET]uint32{s4: 65507, s6: 65527} {
				val, optlen := make([]byte, 4), int32(4)
				wantErr(t, "SO_MAX_MSG_SIZE", th.Getsockopt(s, provider.SOL_SOCKET, provider.SO_MAX_MSG_SIZE, val, &optlen), 0)
				if got := binary.LittleEndian.Uint32(val); got != want || optlen != 4 {
					t.Errorf("SO_MAX_MSG_SIZE = %d (optlen %d), want %d", got, optlen, want)
				}
			}
			val, optlen := make([]byte, 4), int32(4)
			wantErr(t, "getsockopt unknown", th.Getsockopt(s4, provider.SOL_SOCKET, 0x7777, val, &optlen), wso.WSAENOPROTOOPT)
			wantErr(t, "getsockopt unknown level", th.Getsockopt(s4, provider.IPPROTO_TCP, 1, val, &optlen), wso.WSAENOPROTOOPT)
			wantErr(t, "setsockopt unknown", th.Setsockopt(s4, provider.SOL_SOCKET, 0x7777, u32(1)), wso.WSAENOPROTOOPT)
			wantErr(t, "IPV6_PKTINFO on IPv4", th.Setsockopt(s4, provider.IPPROTO_IPV6, provider.IPV6_PKTINFO, u32(1)), wso.WSAENOPROTOOPT)
			wantErr(t, "setsockopt short value", th.Setsockopt(s4, provider.SOL_SOCKET, provider.SO_RCVBUF, []byte{1}), wso.WSAEFAULT)
			short := int32(2)
			wantErr(t, "getsockopt short buffer", th.Getsockopt(s4, provider.SOL_SOCKET, provider.SO_RCVBUF, val[:2], &short), wso.WSAEFAULT)
			wantErr(t, "getsockopt NULL optlen", th.Getsockopt(s4, provider.SOL_SOCKET, provider.SO_RCVBUF, val, nil), wso.WSAEFAULT)
			wantErr(t, "getsockopt on a non-socket", th.Getsockopt(emu.SOCKET(0xBAD0), provider.SOL_SOCKET, provider.SO_RCVBUF, val, &optlen), wso.WSAENOTSOCK)
		})
	})
}

// WSAIoctl: SIO_GET_EXTENSION_FUNCTION_POINTER hands out WSASendMsg for
// WSAID_WSASENDMSG (WSASendMsg, Remarks: "The input buffer ... must contain
// WSAID_WSASENDMSG ... On success, the output ... contains a pointer to the
// WSASendMsg function") and WSARecvMsg for WSAID_WSARECVMSG
// (LPFN_WSARECVMSG, Remarks); an unknown GUID is WSAEINVAL; an output or
// input buffer too small for the pointer or the GUID is WSAEFAULT. FIONREAD
// reports the bytes waiting. An unknown code is WSAEINVAL in the docs
// profile (WSAIoctl error table); in the windows profile it is answered as
// unsupported, WSAEOPNOTSUPP with the size set to 0, and an overlapped
// IOCTL's completion carries 0 bytes (Wine dlls/ws2_32/tests/sock.c,
// test_unsupported_ioctls and test_get_extension_func, both without
// todo_wine).
func TestIoctls(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		f := newSM(t, kind, profile)
		f.do(f.A, func(th *emu.Thread) {
			for guid, want := range map[provider.GUID]uint64{provider.WSAID_WSASENDMSG: mem.FnWSASendMsg, provider.WSAID_WSARECVMSG: mem.FnWSARecvMsg} {
				out := make([]byte, 8)
				var n uint32
				wantErr(t, "SIO_GET_EXTENSION_FUNCTION_POINTER", th.WSAIoctl(f.tx, provider.SIO_GET_EXTENSION_FUNCTION_POINTER, guid.Bytes(), out, &n, nil, nil), 0)
				if n != 8 || binary.LittleEndian.Uint64(out) != want {
					t.Errorf("extension pointer %#x (%d bytes), want %#x", binary.LittleEndian.Uint64(out), n, want)
				}
				wantErr(t, "output too small", th.WSAIoctl(f.tx, provider.SIO_GET_EXTENSION_FUNCTION_POINTER, guid.Bytes(), make([]byte, 4), &n, nil, nil), wso.WSAEFAULT)
			}
			var n uint32
			unknown := provider.GUID{Data1: 0x12345678}
			wantErr(t, "unknown GUID", th.WSAIoctl(f.tx, provider.SIO_GET_EXTENSION_FUNCTION_POINTER, unknown.Bytes(), make([]byte, 8), &n, nil, nil), wso.WSAEINVAL)
			wantErr(t, "input too small", th.WSAIoctl(f.tx, provider.SIO_GET_EXTENSION_FUNCTION_POINTER, make([]byte, 8), make([]byte, 8), &n, nil, nil), wso.WSAEFAULT)
			if profile == emu.ProfileDocs {
				wantErr(t, "unknown code", th.WSAIoctl(f.tx, 0x12345678, nil, nil, &n, nil, nil), wso.WSAEINVAL)
			} else {
				n = 0xdeadbeef
				wantErr(t, "unknown code", th.WSAIoctl(f.tx, 0x12345678, nil, nil, &n, nil, nil), wso.WSAEOPNOTSUPP)
				if n != 0 {
					t.Errorf("unknown code: size %#x, want 0 (test_unsupported_ioctls)", n)
				}
			}
			wantErr(t, "FIONREAD output too small", th.WSAIoctl(f.tx, provider.FIONREAD, nil, make([]byte, 2), &n, nil, nil), wso.WSAEFAULT)
			wantErr(t, "no lpcbBytesReturned and no record", th.WSAIoctl(f.tx, provider.FIONREAD, nil, make([]byte, 4), nil, nil, nil), wso.WSAEFAULT)
		})
		if n := f.queued(f.A, f.rx); n != 0 {
			t.Errorf("FIONREAD on an empty socket = %d", n)
		}
		f.sendTo(f.A, f.tx, f.rxAddr, "abc")
		f.sendTo(f.A, f.tx, f.rxAddr, "defg")
		if n := f.queued(f.A, f.rx); n != 7 {
			t.Errorf("FIONREAD = %d, want 7", n)
		}
		f.recvNow(f.A, f.rx, 8)
		if n := f.queued(f.A, f.rx); n != 4 {
			t.Errorf("FIONREAD after one receive = %d, want 4", n)
		}
		// Overlapped: the ioctl completes through the record like any
		// overlapped operation, with the output size as the byte count
		// (the pages); Windows reports 0 bytes in the record (Wine's
		// sock.c, test_get_extension_func).
		ev := f.event(f.A)
		ov := &emu.Overlapped{HEvent: ev}
		out := make([]byte, 8)
		var count uint32
		f.do(f.A, func(th *emu.Thread) {
			err := th.WSAIoctl(f.tx, provider.SIO_GET_EXTENSION_FUNCTION_POINTER, provider.WSAID_WSARECVMSG.Bytes(), out, &count, ov, nil)
			if err != nil && err != wso.WSA_IO_PENDING {
				t.Errorf("overlapped WSAIoctl: %v", err)
			}
		})
		f.settle()
		if !f.signalled(ev) || !bytes.Equal(out, u64(mem.FnWSARecvMsg)) {
			t.Errorf("overlapped ioctl: signalled=%v out=%x", f.signalled(ev), out)
		}
		want := uint32(8)
		if profile == emu.ProfileWindows {
			want = 0 // test_get_extension_func: the completion carries 0 bytes
		}
		if r := f.getResult(f.A, f.tx, ov); r.err != nil || r.n != want {
			t.Errorf("overlapped ioctl result %+v, want %d bytes", r, want)
		}
	})
}

func u64(v uint64) []byte {
	b := make([]byte, 8)
	binary.LittleEndian.PutUint64(b, v)
	return b
}

// WSARecv, Remarks: "In the case of a blocking socket with no data
// currently having been received and buffered by the transport, the call
// will block until data is received"; "The socket options SO_RCVTIMEO and
// SO_SNDTIMEO apply only to blocking sockets": with SO_RCVTIMEO set the
// receive gives up with WSAETIMEDOUT after that long on the virtual clock
// (LPFN_WSARECVMSG, WSAETIMEDOUT: "the socket had a wait timeout specified
// using the SO_RCVTIMEO socket option and the timeout was exceeded"). The
// option does not affect overlapped receives. WSASocketW, Remarks: without
// WSA_FLAG_OVERLAPPED "the timeout never takes effect on the socket".
func TestBlockingRecvTimeout(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		f := newSM(t, kind, profile)
		f.do(f.A, func(th *emu.Thread) {
			wantErr(t, "SO_RCVTIMEO", th.Setsockopt(f.rx, provider.SOL_SOCKET, provider.SO_RCVTIMEO, u32(250)), 0)
		})
		start := f.s.Now()
		var err error
		f.begin(f.A, func(th *emu.Thread) {
			var n uint32
			msg := &emu.WSAMSG{Buffers: []emu.WSABUF{{Len: 4, Buf: make([]byte, 4)}}}
			err = th.WSARecvMsg(f.rx, msg, &n, nil, nil)
		})
		f.settle()
		if !f.idle(f.A) {
			t.Fatal("blocking receive did not time out")
		}
		wantErr(t, "blocking WSARecvMsg with SO_RCVTIMEO", err, wso.WSAETIMEDOUT)
		if d := f.s.Now() - start; d != 250*time.Millisecond {
			t.Errorf("timed out after %v of virtual time, want 250ms", d)
		}
		// An overlapped receive is not limited by SO_RCVTIMEO.
		ov := &emu.Overlapped{}
		f.pendingRecv(f.A, ov, nil)
		f.begin(f.A, func(th *emu.Thread) { th.SleepEx(1000, false) })
		f.settle()
		if !pending(ov) {
			t.Errorf("overlapped receive ended by SO_RCVTIMEO: %+v", ov.Snapshot())
		}
		// A blocking receive with data already queued returns at once.
		f.sendTo(f.A, f.tx, f.rxAddr, "here")
		f.sendTo(f.A, f.tx, f.rxAddr, "also")
		if d, _, err := f.recvNow(f.A, f.rx, 8); d != "also" || err != nil {
			// The first datagram went to the pending overlapped receive.
			t.Errorf("blocking receive with data queued: %q, %v", d, err)
		}
		// A socket made without WSA_FLAG_OVERLAPPED ignores SO_RCVTIMEO.
		var plain emu.SOCKET
		var plainAddr netip.AddrPort
		f.do(f.A, func(th *emu.Thread) {
			plain, _ = th.WSASocket(provider.AF_INET, provider.SOCK_DGRAM, provider.IPPROTO_UDP, 0)
			la := netip.AddrPortFrom(lo4, 0)
			wantErr(t, "bind", th.Bind(plain, &la, 16), 0)
			plainAddr, _ = th.Getsockname(plain)
			wantErr(t, "SO_RCVTIMEO", th.Setsockopt(plain, provider.SOL_SOCKET, provider.SO_RCVTIMEO, u32(100)), 0)
		})
		var got string
		f.begin(f.A, func(th *emu.Thread) {
			b := make([]byte, 8)
			var n, fl uint32
			err = th.WSARecv(plain, []emu.WSABUF{{Len: 8, Buf: b}}, &n, &fl, nil, nil)
			got = string(b[:n])
		})
		B := f.thread("B")
		f.begin(B, func(th *emu.Thread) { th.SleepEx(500, false) })
		f.settle()
		if f.idle(f.A) {
			t.Fatalf("non-overlapped socket: SO_RCVTIMEO took effect (%v)", err)
		}
		f.sendTo(B, f.tx, plainAddr, "late")
		if !f.idle(f.A) || err != nil || got != "late" {
			t.Errorf("non-overlapped socket: idle=%v %q %v", f.idle(f.A), got, err)
		}
	})
}

// WSARecv, WSAEWOULDBLOCK: "Nonoverlapped sockets: The socket is marked as
// nonblocking and the receive operation cannot be completed immediately."
// FIONBIO marks it so; with data queued the receive succeeds; FIONBIO(0)
// makes it block again.
func TestNonBlockingRecv(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		f := newSM(t, kind, profile)
		f.do(f.A, func(th *emu.Thread) {
			var n uint32
			wantErr(t, "FIONBIO(1)", th.WSAIoctl(f.rx, provider.FIONBIO, u32(1), nil, &n, nil, nil), 0)
		})
		_, _, err := f.recvNow(f.A, f.rx, 8)
		wantErr(t, "non-blocking receive with nothing queued", err, wso.WSAEWOULDBLOCK)
		f.sendTo(f.A, f.tx, f.rxAddr, "nb")
		if d, _, err := f.recvNow(f.A, f.rx, 8); d != "nb" || err != nil {
			t.Errorf("non-blocking receive with data: %q, %v", d, err)
		}
		f.do(f.A, func(th *emu.Thread) {
			var n uint32
			wantErr(t, "FIONBIO(0)", th.WSAIoctl(f.rx, provider.FIONBIO, u32(0), nil, &n, nil, nil), 0)
		})
		var got string
		f.begin(f.A, func(th *emu.Thread) {
			b := make([]byte, 8)
			var n, fl uint32
			wantErr(t, "blocking receive", th.WSARecv(f.rx, []emu.WSABUF{{Len: 8, Buf: b}}, &n, &fl, nil, nil), 0)
			got = string(b[:n])
		})
		f.sendTo(f.thread("B"), f.tx, f.rxAddr, "blk")
		if !f.idle(f.A) || got != "blk" {
			t.Errorf("blocking receive after FIONBIO(0): idle=%v %q", f.idle(f.A), got)
		}
	})
}

// WSARecv, lpFlags, MSG_PEEK: "Peeks at the incoming data. The data is
// copied into the buffer, but is not removed from the input queue. This
// flag is valid only for nonoverlapped sockets." LPFN_WSARECVMSG: the
// WSAMSG dwFlags "may only contain the MSG_PEEK control flag on input".
// A peek (immediate or after blocking) leaves the datagram for the next
// receive.
func TestRecvPeek(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		f := newSM(t, kind, profile)
		f.sendTo(f.A, f.tx, f.rxAddr, "peekaboo")
		f.do(f.A, func(th *emu.Thread) {
			b := make([]byte, 16)
			var n uint32
			fl := uint32(provider.MSG_PEEK)
			wantErr(t, "WSARecv(MSG_PEEK)", th.WSARecv(f.rx, []emu.WSABUF{{Len: 16, Buf: b}}, &n, &fl, nil, nil), 0)
			if string(b[:n]) != "peekaboo" {
				t.Errorf("peeked %q", b[:n])
			}
			msg := &emu.WSAMSG{Buffers: []emu.WSABUF{{Len: 4, Buf: make([]byte, 4)}}, Flags: provider.MSG_PEEK}
			wantErr(t, "WSARecvMsg(MSG_PEEK), short buffer", th.WSARecvMsg(f.rx, msg, &n, nil, nil), wso.WSAEMSGSIZE)
			if msg.Flags&provider.MSG_TRUNC == 0 {
				t.Errorf("msg.Flags %#x, want MSG_TRUNC", msg.Flags)
			}
		})
		if n := f.queued(f.A, f.rx); n != 8 {
			t.Errorf("FIONREAD after peeks = %d, want the datagram still queued", n)
		}
		if d, _, err := f.recvNow(f.A, f.rx, 16); d != "peekaboo" || err != nil {
			t.Errorf("receive after peek: %q %v", d, err)
		}
		// A blocking peek that waits for the datagram.
		var got string
		f.begin(f.A, func(th *emu.Thread) {
			b := make([]byte, 16)
			var n uint32
			fl := uint32(provider.MSG_PEEK)
			wantErr(t, "blocking WSARecv(MSG_PEEK)", th.WSARecv(f.rx, []emu.WSABUF{{Len: 16, Buf: b}}, &n, &fl, nil, nil), 0)
			got = string(b[:n])
		})
		f.sendTo(f.thread("B"), f.tx, f.rxAddr, "later")
		if !f.idle(f.A) || got != "later" {
			t.Errorf("blocking peek: idle=%v %q", f.idle(f.A), got)
		}
		if d, _, _ := f.recvNow(f.A, f.rx, 16); d != "later" {
			t.Errorf("receive after blocking peek: %q", d)
		}
	})
}

// upcallCapture is a provider that is the in-memory one but keeps the
// upcall table WSPStartup hands it, so a test can call the upcalls the way
// a provider would.
type upcallCapture struct {
	*mem.Mem
	up provider.Upcalls
}

func (c *upcallCapture) WSPStartup(up provider.Upcalls) provider.Errno {
	c.up = up
	return c.Mem.WSPStartup(up)
}

// The upcall table (Winsock SPI upcalls): WPUQueueApc fails with WSAEFAULT
// when "The dwThreadId parameter does not specify a valid thread" (no such
// thread, or one that has exited); WPUCompleteOverlappedRequest fails with
// WSAEINVAL when "The socket passed in the s parameter is not a socket
// created by WPUCreateSocketHandle" (an IFS socket, or no socket); on a
// handle from WPUCreateSocketHandle it writes InternalHigh, then Internal,
// and signals hEvent; it never runs a completion routine.
func TestUpcallTable(t *testing.T) {
	for _, kind := range []provider.Kind{provider.NonIFS, provider.IFS} {
		t.Run(kind.String(), func(t *testing.T) {
			c := &upcallCapture{Mem: mem.New(provider.Config{Kind: kind})}
			r := newW2(t, kind, emu.ProfileWindows, emu.WithProvider(c))
			if c.up == nil {
				t.Fatal("the provider was not started with an upcall table")
			}
			B := r.thread("B")
			r.do(B, func(th *emu.Thread) {})
			r.do(B, func(th *emu.Thread) { th.ExitThread(0) })
			s, _ := r.udp4(r.A)
			ev := r.event(r.A)
			r.do(r.A, func(th *emu.Thread) {
				ran := false
				apcFn := func(uintptr) { ran = true }
				for _, id := range []uintptr{0, 99, uintptr(B.ID())} {
					tid := provider.WSATHREADID{ThreadHandle: B.Handle(), Reserved: id}
					wantErr(t, "WPUQueueApc to an invalid thread", c.up.WPUQueueApc(&tid, apcFn, 1), wso.WSAEFAULT)
				}
				tid := provider.WSATHREADID{ThreadHandle: th.Handle(), Reserved: uintptr(th.ID())}
				wantErr(t, "WPUQueueApc to A", c.up.WPUQueueApc(&tid, apcFn, 1), 0)
				if ran {
					t.Error("APC ran outside an alertable wait")
				}
				th.SleepEx(0, true)
				if !ran {
					t.Error("APC queued by WPUQueueApc did not run in A's alertable wait")
				}

				ov := &emu.Overlapped{Internal: 0x103, HEvent: ev}
				err := c.up.WPUCompleteOverlappedRequest(provider.SOCKET(ev), ov, 0, 1)
				wantErr(t, "WPUCompleteOverlappedRequest on an event handle", err, wso.WSAEINVAL)
				err = c.up.WPUCompleteOverlappedRequest(s, ov, 0, 7)
				if kind == provider.IFS {
					wantErr(t, "WPUCompleteOverlappedRequest on an IFS socket", err, wso.WSAEINVAL)
					if ov.Internal != 0x103 {
						t.Errorf("record written by a refused upcall: %+v", ov.Snapshot())
					}
					return
				}
				wantErr(t, "WPUCompleteOverlappedRequest", err, 0)
				if ov.LoadInternal() == 0x103 || ov.LoadInternalHigh() != 7 {
					t.Errorf("record %+v", ov.Snapshot())
				}
				if th.QueuedAPCs() != 0 {
					t.Error("WPUCompleteOverlappedRequest queued an APC")
				}
			})
			if kind == provider.NonIFS && !r.signalled(ev) {
				t.Error("WPUCompleteOverlappedRequest did not signal hEvent")
			}
		})
	}
}
