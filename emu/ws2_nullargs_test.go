package emu_test

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/provider"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// TestNullPointerArguments: the NULL pointers a Winsock call may be given
// and what it does with each, under both kinds and profiles. A NULL lpMsg
// is WSAEFAULT for WSASendMsg (Wine sock.c test_WSASendMsg) and WSARecvMsg
// (test_ip_pktinfo); a NULL lpFlags is WSAEFAULT (the WSARecv page: the
// flags are read as well as written); a NULL lpFrom/lpFromlen and a NULL
// WSAMSG name are allowed; a non-overlapped WSAIoctl needs
// lpcbBytesReturned. None of the refused calls takes the queued datagram.
func TestNullPointerArguments(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		r := newW2(t, kind, profile)
		rs, raddr := r.udp4(r.A)
		ws, _ := r.udp4(r.A)
		r.sendTo(r.A, ws, raddr, "hello")
		r.do(r.A, func(th *emu.Thread) {
			buf := make([]byte, 16)
			b := []emu.WSABUF{{Len: 16, Buf: buf}}
			var n uint32
			if err := th.WSARecv(rs, b, &n, nil, nil, nil); !errors.Is(err, wso.WSAEFAULT) {
				t.Errorf("WSARecv with NULL lpFlags: %v, want WSAEFAULT", err)
			}
			if err := th.WSARecvFrom(rs, b, &n, nil, nil, nil, nil, nil); !errors.Is(err, wso.WSAEFAULT) {
				t.Errorf("WSARecvFrom with NULL lpFlags: %v, want WSAEFAULT", err)
			}
			if err := th.WSARecvMsg(rs, nil, &n, nil, nil); !errors.Is(err, wso.WSAEFAULT) {
				t.Errorf("WSARecvMsg with NULL lpMsg: %v, want WSAEFAULT", err)
			}
			if err := th.WSASendMsg(ws, nil, 0, &n, nil, nil); !errors.Is(err, wso.WSAEFAULT) {
				t.Errorf("WSASendMsg with NULL lpMsg: %v, want WSAEFAULT", err)
			}
			if err := th.WSAIoctl(rs, provider.FIONREAD, nil, make([]byte, 4), nil, nil, nil); !errors.Is(err, wso.WSAEFAULT) {
				t.Errorf("non-overlapped WSAIoctl with NULL lpcbBytesReturned: %v, want WSAEFAULT", err)
			}
			var fl uint32
			if err := th.WSARecvFrom(rs, b, &n, &fl, nil, nil, nil, nil); err != nil || n != 5 || string(buf[:5]) != "hello" {
				t.Errorf("WSARecvFrom with NULL lpFrom: err=%v n=%d %q, want the queued datagram", err, n, buf[:n])
			}
		})
		r.sendTo(r.A, ws, raddr, "again")
		r.do(r.A, func(th *emu.Thread) {
			buf := make([]byte, 16)
			msg := &emu.WSAMSG{Buffers: []emu.WSABUF{{Len: 16, Buf: buf}}}
			var n uint32
			if err := th.WSARecvMsg(rs, msg, &n, nil, nil); err != nil || n != 5 || msg.Namelen != 0 || msg.Name != nil {
				t.Errorf("WSARecvMsg with a NULL name: err=%v n=%d namelen=%d, want the datagram and namelen 0", err, n, msg.Namelen)
			}
		})
	})
}

// TestWSAGetOverlappedResultNullOutputs: a NULL lpdwFlags still lets the
// byte count be written (Wine sock.c test_ip_pktinfo reads it on Windows).
// The docs profile then fails with WSAEFAULT (the WSAGetOverlappedResult
// page) and leaves the flags of a call with a NULL lpcbTransfer unwritten;
// the windows profile skips the NULL pointer and reports the result.
func TestWSAGetOverlappedResultNullOutputs(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		r := newW2(t, kind, profile)
		rs, raddr := r.udp4(r.A)
		ws, _ := r.udp4(r.A)
		ov := &emu.Overlapped{HEvent: r.event(r.A)}
		buf := make([]byte, 16)
		var fl uint32
		r.do(r.A, func(th *emu.Thread) {
			if err := th.WSARecv(rs, []emu.WSABUF{{Len: 16, Buf: buf}}, nil, &fl, ov, nil); !errors.Is(err, wso.WSA_IO_PENDING) {
				t.Fatalf("WSARecv: %v, want WSA_IO_PENDING", err)
			}
		})
		r.sendTo(r.A, ws, raddr, "hello")
		r.settle()
		r.do(r.A, func(th *emu.Thread) {
			n := uint32(0xdead)
			err := th.WSAGetOverlappedResult(rs, ov, &n, false, nil)
			if n != 5 {
				t.Errorf("NULL lpdwFlags: n=%d, want 5", n)
			}
			f := uint32(0xdead)
			err2 := th.WSAGetOverlappedResult(rs, ov, nil, false, &f)
			if profile == emu.ProfileDocs {
				if !errors.Is(err, wso.WSAEFAULT) || !errors.Is(err2, wso.WSAEFAULT) || f != 0xdead {
					t.Errorf("docs: %v, %v, flags=%#x; want WSAEFAULT twice with the flags unwritten", err, err2, f)
				}
			} else if err != nil || err2 != nil || f != 0 {
				t.Errorf("windows: %v, %v, flags=%#x; want success twice with the flags written (0)", err, err2, f)
			}
			n, f = 0, 0xdead
			if err := th.WSAGetOverlappedResult(rs, ov, &n, false, &f); err != nil || n != 5 || f != 0 {
				t.Errorf("both given: err=%v n=%d flags=%#x, want success, 5, 0", err, n, f)
			}
		})
	})
}

// TestGetpeername: WSAENOTSOCK, then WSAENOTCONN (also after sendto, which
// does not connect), then WSAEFAULT for a NULL or short name with the
// length left alone, then the connected address (Wine sock.c
// test_getpeername, which holds on Windows).
func TestGetpeername(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		r := newW2(t, kind, profile)
		s := r.unbound(r.A, provider.AF_INET)
		peer := netip.MustParseAddrPort("127.0.0.1:139")
		r.do(r.A, func(th *emu.Thread) {
			var a netip.AddrPort
			l := int32(128)
			if err := th.Getpeername(emu.SOCKET(^uint64(0)), nil, nil); !errors.Is(err, wso.WSAENOTSOCK) {
				t.Errorf("INVALID_SOCKET: %v, want WSAENOTSOCK", err)
			}
			if err := th.Getpeername(s, nil, nil); !errors.Is(err, wso.WSAENOTCONN) {
				t.Errorf("never connected: %v, want WSAENOTCONN", err)
			}
			var n uint32
			if err := th.WSASendTo(s, bufs("hi"), &n, 0, &peer, nameLen(peer), nil, nil); err != nil {
				t.Fatalf("WSASendTo: %v", err)
			}
			if err := th.Getpeername(s, &a, &l); !errors.Is(err, wso.WSAENOTCONN) {
				t.Errorf("after sendto: %v, want WSAENOTCONN", err)
			}
			if err := th.Connect(s, &peer, nameLen(peer)); err != nil {
				t.Fatalf("connect: %v", err)
			}
			if err := th.Getpeername(s, nil, nil); !errors.Is(err, wso.WSAEFAULT) {
				t.Errorf("NULL name and length: %v, want WSAEFAULT", err)
			}
			l = 0
			if err := th.Getpeername(s, &a, &l); !errors.Is(err, wso.WSAEFAULT) || l != 0 {
				t.Errorf("namelen 0: %v, namelen %d; want WSAEFAULT with namelen 0", err, l)
			}
			l = 128
			if err := th.Getpeername(s, &a, &l); err != nil || a != peer || l != provider.SizeofSockaddrInet4 {
				t.Errorf("connected: %v %v namelen %d; want %v and %d", err, a, l, peer, provider.SizeofSockaddrInet4)
			}
		})
	})
}
