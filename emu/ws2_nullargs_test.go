package emu_test

import (
	"errors"
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
// byte count be written (Wine sock.c test_ip_pktinfo reads it), and the call
// reports WSAEFAULT for the NULL pointer (the WSAGetOverlappedResult page);
// a NULL lpcbTransfer leaves the flags unwritten.
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
			if err := th.WSAGetOverlappedResult(rs, ov, &n, false, nil); !errors.Is(err, wso.WSAEFAULT) || n != 5 {
				t.Errorf("NULL lpdwFlags: err=%v n=%d, want WSAEFAULT with n=5", err, n)
			}
			f := uint32(0xdead)
			if err := th.WSAGetOverlappedResult(rs, ov, nil, false, &f); !errors.Is(err, wso.WSAEFAULT) || f != 0xdead {
				t.Errorf("NULL lpcbTransfer: err=%v flags=%#x, want WSAEFAULT with the flags unwritten", err, f)
			}
			n, f = 0, 0xdead
			if err := th.WSAGetOverlappedResult(rs, ov, &n, false, &f); err != nil || n != 5 || f != 0 {
				t.Errorf("both given: err=%v n=%d flags=%#x, want success, 5, 0", err, n, f)
			}
		})
	})
}
