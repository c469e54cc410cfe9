package emu_test

import (
	"encoding/binary"
	"net/netip"
	"testing"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/provider"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// enumEvents runs WSAEnumNetworkEvents on s, resetting ev.
func (r *w2) enumEvents(s emu.SOCKET, ev emu.Handle) emu.WSANETWORKEVENTS {
	r.t.Helper()
	var ne emu.WSANETWORKEVENTS
	r.do(r.A, func(th *emu.Thread) {
		wantErr(r.t, "WSAEnumNetworkEvents", th.WSAEnumNetworkEvents(s, ev, &ne), 0)
	})
	return ne
}

// The WSAEventSelect page: FD_WRITE is recorded when selected on a
// connected socket, and then only after a send failed with WSAEWOULDBLOCK,
// once sending is possible again (here: when the peer reads).
func TestEventSelectFDWriteAfterWouldBlock(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		r := newW2(t, kind, profile)
		_, c, s, _ := r.tcpPair(lo4)
		ev := r.event(r.A)
		r.do(r.A, func(th *emu.Thread) {
			one := binary.LittleEndian.AppendUint32(nil, 1)
			wantErr(t, "SO_RCVBUF", th.Setsockopt(s, provider.SOL_SOCKET, provider.SO_RCVBUF, one), 0)
			wantErr(t, "SO_SNDBUF", th.Setsockopt(c, provider.SOL_SOCKET, provider.SO_SNDBUF, one), 0)
			wantErr(t, "WSAEventSelect", th.WSAEventSelect(c, ev, provider.FD_WRITE), 0)
		})
		if ne := r.enumEvents(c, ev); ne.NetworkEvents != provider.FD_WRITE {
			t.Fatalf("after selecting on a connected socket: events %#x, want FD_WRITE", ne.NetworkEvents)
		}
		var sent uint32
		send := func() error {
			var err error
			r.do(r.A, func(th *emu.Thread) { err = th.WSASend(c, bufs("0123456789"), &sent, 0, nil, nil) })
			return err
		}
		wantErr(t, "first send (partial)", send(), 0)
		if ne := r.enumEvents(c, ev); ne.NetworkEvents != 0 {
			t.Fatalf("a send that did not fail re-enabled FD_WRITE: events %#x", ne.NetworkEvents)
		}
		wantErr(t, "second send", send(), wso.WSAEWOULDBLOCK)
		if r.signalled(ev) {
			t.Fatalf("FD_WRITE recorded while the buffers are still full")
		}
		r.do(r.A, func(th *emu.Thread) {
			b := make([]byte, 16)
			var n, fl uint32
			wantErr(t, "peer's receive", th.WSARecv(s, []emu.WSABUF{{Len: 16, Buf: b}}, &n, &fl, nil, nil), 0)
		})
		r.settle()
		if !r.signalled(ev) {
			t.Fatalf("room to send again after WSAEWOULDBLOCK did not set the event")
		}
		if ne := r.enumEvents(c, ev); ne.NetworkEvents != provider.FD_WRITE || ne.ErrorCode[provider.FD_WRITE_BIT] != 0 {
			t.Fatalf("events %#x (error %d), want FD_WRITE with error 0", ne.NetworkEvents, ne.ErrorCode[provider.FD_WRITE_BIT])
		}
	})
}

// The WSAEventSelect page: an accepted socket has the listening socket's
// selection — the same event object and mask — and is non-blocking.
func TestEventSelectAcceptedInherits(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		r := newW2(t, kind, profile)
		bind := netip.AddrPortFrom(lo4, 0)
		l := r.tcpSocket(r.A, provider.AF_INET, &bind)
		c := r.tcpSocket(r.A, provider.AF_INET, nil)
		ev := r.event(r.A)
		var s emu.SOCKET
		r.do(r.A, func(th *emu.Thread) {
			wantErr(t, "listen", th.Listen(l, 5), 0)
			wantErr(t, "WSAEventSelect", th.WSAEventSelect(l, ev, provider.FD_ACCEPT|provider.FD_READ), 0)
			addr, _ := th.Getsockname(l)
			wantErr(t, "connect", th.Connect(c, &addr, 16), 0)
		})
		if ne := r.enumEvents(l, ev); ne.NetworkEvents != provider.FD_ACCEPT {
			t.Fatalf("listener: events %#x, want FD_ACCEPT", ne.NetworkEvents)
		}
		r.do(r.A, func(th *emu.Thread) {
			var err error
			s, err = th.Accept(l, nil, nil)
			wantErr(t, "accept", err, 0)
			b := make([]byte, 4)
			var n, fl uint32
			wantErr(t, "receive on the accepted socket", th.WSARecv(s, []emu.WSABUF{{Len: 4, Buf: b}}, &n, &fl, nil, nil), wso.WSAEWOULDBLOCK)
			var sent uint32
			wantErr(t, "send", th.WSASend(c, bufs("hi"), &sent, 0, nil, nil), 0)
		})
		r.settle()
		if !r.signalled(ev) {
			t.Fatalf("data on the accepted socket did not set the listener's event")
		}
		if ne := r.enumEvents(s, ev); ne.NetworkEvents != provider.FD_READ {
			t.Fatalf("accepted socket: events %#x, want FD_READ", ne.NetworkEvents)
		}
	})
}

// select takes an fd_set of any size: Windows reads fd_count entries, and
// a program that defines FD_SETSIZE larger than the default 64 before it
// includes winsock2.h gets a set that holds that many
// (https://learn.microsoft.com/windows/win32/winsock/maximum-number-of-sockets-supported-2).
// 100 datagram sockets are all writable, and the one with a datagram
// queued, the 90th, readable; all three sets NULL, an empty set or a
// negative timeout are still WSAEINVAL (the select page), and an
// fd_count beyond the set's own array is WSAEFAULT.
func TestSelectMoreThanFDSetSize(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		r := newW2(t, kind, profile)
		const n = 100
		socks := make([]emu.SOCKET, n)
		var addrs [n]netip.AddrPort
		for i := range socks {
			socks[i], addrs[i] = r.udp4(r.A)
		}
		r.do(r.A, func(th *emu.Thread) {
			var sent uint32
			to := addrs[89]
			wantErr(t, "sendto", th.WSASendTo(socks[0], bufs("x"), &sent, 0, &to, provider.SizeofSockaddrInet4, nil, nil), 0)
		})
		r.settle()
		read, write := emu.NewFDSet(socks...), emu.NewFDSet(socks...)
		if len(read.Array) != n {
			t.Fatalf("NewFDSet of %d sockets holds %d", n, len(read.Array))
		}
		var got int
		var err error
		r.do(r.A, func(th *emu.Thread) { got, err = th.Select(0, read, write, nil, &emu.Timeval{}) })
		wantErr(t, "select of 100 sockets", err, 0)
		if got != n+1 {
			t.Errorf("select of %d sockets counted %d, want %d (all writable, one readable)", n, got, n+1)
		}
		if write.Count != n {
			t.Errorf("writefds kept %d sockets, want %d", write.Count, n)
		}
		if read.Count != 1 || read.Array[0] != socks[89] {
			t.Errorf("readfds kept %v, want the 90th socket alone", read.Array[:read.Count])
		}

		bad := []struct {
			what       string
			rd, wr, ex *emu.FDSet
			tv         *emu.Timeval
			want       emu.Errno
		}{
			{"all three sets NULL", nil, nil, nil, &emu.Timeval{}, wso.WSAEINVAL},
			{"an empty set alone", emu.NewFDSet(), nil, nil, &emu.Timeval{}, wso.WSAEINVAL},
			{"a negative timeout", emu.NewFDSet(socks...), nil, nil, &emu.Timeval{Sec: -1}, wso.WSAEINVAL},
			{"fd_count beyond the array", &emu.FDSet{Count: 65, Array: make([]emu.SOCKET, 64)}, nil, nil, &emu.Timeval{}, wso.WSAEFAULT},
		}
		for _, b := range bad {
			r.do(r.A, func(th *emu.Thread) { _, err = th.Select(0, b.rd, b.wr, b.ex, b.tv) })
			wantErr(t, b.what, err, b.want)
		}
	})
}
