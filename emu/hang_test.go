package emu_test

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/provider"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// Issue 9, "a run that never ends": thread A blocks in WSARecv on a socket
// made without WSA_FLAG_OVERLAPPED; thread B calls SetEvent and CloseHandle
// on 0x10, the value the provider's internal event used to get. The
// provider's event is not one of the program's handles, so both calls fail
// with ERROR_INVALID_HANDLE and A stays blocked (no spin); a datagram then
// completes A's receive.
func TestBlockingRecvStaleHandleNoSpin(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		// The livelock budget turns a spin into a failed step (r.begin and
		// r.do fail on the *LivelockError), so no wall clock is needed.
		r := newW2(t, kind, profile, emu.WithLivelockBudget(100_000))
		B := r.thread("B")
		var h emu.SOCKET
		addr := netip.AddrPortFrom(lo4, 5000)
		r.do(r.A, func(th *emu.Thread) {
			var err error
			if h, err = th.WSASocket(provider.AF_INET, provider.SOCK_DGRAM, provider.IPPROTO_UDP, 0); err != nil {
				t.Fatalf("WSASocket: %v", err)
			}
			if err := th.Bind(h, &addr, nameLen(addr)); err != nil {
				t.Fatalf("bind: %v", err)
			}
		})
		buf := make([]byte, 8)
		var n, fl uint32
		var recvErr error
		r.begin(r.A, func(th *emu.Thread) {
			recvErr = th.WSARecv(h, []emu.WSABUF{{Len: 8, Buf: buf}}, &n, &fl, nil, nil)
		})
		r.do(B, func(th *emu.Thread) {
			if err := th.SetEvent(0x10); !errors.Is(err, wso.ERROR_INVALID_HANDLE) {
				t.Errorf("SetEvent(0x10) = %v, want ERROR_INVALID_HANDLE: the provider's event is reachable", err)
			}
		})
		r.do(B, func(th *emu.Thread) {
			if err := th.CloseHandle(0x10); !errors.Is(err, wso.ERROR_INVALID_HANDLE) {
				t.Errorf("CloseHandle(0x10) = %v, want ERROR_INVALID_HANDLE", err)
			}
		})
		r.settle()
		if r.idle(r.A) {
			t.Fatalf("A's receive returned (%v) with nothing sent", recvErr)
		}
		if d := r.st.Deadlocked(); d == nil {
			t.Errorf("A blocked for ever in a receive, but Deadlocked reports nothing")
		}
		r.do(B, func(th *emu.Thread) {
			s, err := th.Socket(provider.AF_INET, provider.SOCK_DGRAM, provider.IPPROTO_UDP)
			if err != nil {
				t.Fatalf("socket: %v", err)
			}
			var sent uint32
			if err := th.WSASendTo(s, []emu.WSABUF{{Len: 2, Buf: []byte("hi")}}, &sent, 0, &addr, nameLen(addr), nil, nil); err != nil {
				t.Fatalf("WSASendTo: %v", err)
			}
		})
		r.settle()
		if !r.idle(r.A) || recvErr != nil || string(buf[:n]) != "hi" {
			t.Errorf("after the send: A idle=%v, WSARecv = %v, %q; want nil, \"hi\"", r.idle(r.A), recvErr, buf[:n])
		}
	})
}
