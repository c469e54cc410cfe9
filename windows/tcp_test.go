//go:build !windows || wsaemu

package windows

import (
	"testing"
	"unsafe"
)

// AcceptEx and ConnectEx as x/sys code uses them: the extension functions
// are looked up with SIO_GET_EXTENSION_FUNCTION_POINTER, both calls pend
// and complete through their records, GetAcceptExSockaddrs names both
// ends, SO_UPDATE_ACCEPT_CONTEXT / SO_UPDATE_CONNECT_CONTEXT make the
// sockets full members of the connection, and data then flows with
// WSASend and WSARecv.
// https://learn.microsoft.com/windows/win32/api/mswsock/nf-mswsock-acceptex
// https://learn.microsoft.com/windows/win32/api/mswsock/nc-mswsock-lpfn_connectex
// https://learn.microsoft.com/windows/win32/api/mswsock/nf-mswsock-getacceptexsockaddrs
func TestTCPAcceptExConnectEx(t *testing.T) { run(t, func() { bodyTCPAcceptExConnectEx(t) }) }

func bodyTCPAcceptExConnectEx(t *testing.T) {
	var d WSAData
	if err := WSAStartup(0x0202, &d); err != nil {
		t.Errorf("WSAStartup: %v", err)
		return
	}
	l, err := Socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)
	if err != nil {
		t.Errorf("Socket: %v", err)
		return
	}
	if err := Bind(l, loopback(6000)); err != nil {
		t.Errorf("Bind: %v", err)
	}
	if err := Listen(l, SOMAXCONN); err != nil {
		t.Errorf("Listen: %v", err)
	}
	// The pointer the lookup gives is non-zero (a token here).
	var fn uintptr
	var got uint32
	if err := WSAIoctl(l, SIO_GET_EXTENSION_FUNCTION_POINTER, (*byte)(unsafe.Pointer(&WSAID_ACCEPTEX)),
		uint32(unsafe.Sizeof(WSAID_ACCEPTEX)), (*byte)(unsafe.Pointer(&fn)), uint32(unsafe.Sizeof(fn)), &got, nil, 0); err != nil || fn == 0 || got != 8 {
		t.Errorf("WSAIoctl(WSAID_ACCEPTEX): %v, fn %#x, %d bytes", err, fn, got)
	}
	if err := LoadConnectEx(); err != nil {
		t.Errorf("LoadConnectEx: %v", err)
	}

	// Every record names an event: GetOverlappedResult with a NULL
	// hEvent waits on the handle, which a non-IFS provider's socket
	// is not (GetOverlappedResult page, Remarks).
	newOv := func() *Overlapped {
		ev, err := CreateEvent(nil, 1, 0, nil)
		if err != nil {
			t.Errorf("CreateEvent: %v", err)
		}
		return &Overlapped{HEvent: ev}
	}
	acc, _ := Socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)
	const addrLen = uint32(unsafe.Sizeof(RawSockaddrInet4{})) + 16
	abuf := make([]byte, 2*addrLen)
	aov := newOv()
	var recvd uint32
	if err := AcceptEx(l, acc, &abuf[0], 0, addrLen, addrLen, &recvd, aov); err != ERROR_IO_PENDING {
		t.Errorf("AcceptEx with no client: %v, want ERROR_IO_PENDING", err)
		return
	}

	c, _ := Socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)
	if err := Bind(c, loopback(0)); err != nil {
		t.Errorf("Bind client: %v", err)
	}
	cov := newOv()
	var sent uint32
	hello := []byte("hi")
	if err := ConnectEx(c, loopback(6000), &hello[0], uint32(len(hello)), &sent, cov); err != nil && err != ERROR_IO_PENDING {
		t.Errorf("ConnectEx: %v", err)
		return
	}
	var n uint32
	if err := GetOverlappedResult(c, cov, &n, true); err != nil || n != 2 {
		t.Errorf("ConnectEx result: %v, %d bytes; want nil, 2", err, n)
	}
	if err := GetOverlappedResult(l, aov, &n, true); err != nil || n != 0 {
		t.Errorf("AcceptEx result: %v, %d bytes; want nil, 0", err, n)
	}
	if err := Setsockopt(acc, SOL_SOCKET, SO_UPDATE_ACCEPT_CONTEXT, (*byte)(unsafe.Pointer(&l)), int32(unsafe.Sizeof(l))); err != nil {
		t.Errorf("SO_UPDATE_ACCEPT_CONTEXT: %v", err)
	}
	if err := Setsockopt(c, SOL_SOCKET, SO_UPDATE_CONNECT_CONTEXT, nil, 0); err != nil {
		t.Errorf("SO_UPDATE_CONNECT_CONTEXT: %v", err)
	}
	var lrsa, rrsa *RawSockaddrAny
	var llen, rlen int32
	GetAcceptExSockaddrs(&abuf[0], 0, addrLen, addrLen, &lrsa, &llen, &rrsa, &rlen)
	if lrsa == nil || rrsa == nil {
		t.Errorf("GetAcceptExSockaddrs gave no addresses")
		return
	}
	local, _ := lrsa.Sockaddr()
	remote, _ := rrsa.Sockaddr()
	csa, _ := Getsockname(c)
	if lp, ok := local.(*SockaddrInet4); !ok || lp.Port != 6000 || llen != 16 {
		t.Errorf("local address %#v (%d bytes), want 127.0.0.1:6000 (16)", local, llen)
	}
	if rp, ok := remote.(*SockaddrInet4); !ok || rp.Port != csa.(*SockaddrInet4).Port {
		t.Errorf("remote address %#v, want the client's %#v", remote, csa)
	}
	if peer, err := Getpeername(acc); err != nil || peer.(*SockaddrInet4).Port != csa.(*SockaddrInet4).Port {
		t.Errorf("Getpeername(accepted): %#v, %v", peer, err)
	}

	// The data ConnectEx sent, then more with WSASend / WSARecv.
	rbuf := make([]byte, 16)
	rb := bufOf(rbuf)
	rov := newOv()
	var flags uint32
	if err := WSARecv(acc, &rb, 1, &n, &flags, rov, nil); err != nil && err != ERROR_IO_PENDING {
		t.Errorf("WSARecv: %v", err)
	}
	if err := GetOverlappedResult(acc, rov, &n, true); err != nil || string(rbuf[:n]) != "hi" {
		t.Errorf("first receive: %v, %q; want nil, hi", err, rbuf[:n])
	}
	sb := bufOf([]byte("there"))
	sov := newOv()
	if err := WSASend(c, &sb, 1, &sent, 0, sov, nil); err != nil && err != ERROR_IO_PENDING {
		t.Errorf("WSASend: %v", err)
	}
	if err := GetOverlappedResult(c, sov, &n, true); err != nil || n != 5 {
		t.Errorf("WSASend result: %v, %d", err, n)
	}
	if err := WSARecv(acc, &rb, 1, &n, &flags, rov, nil); err != nil && err != ERROR_IO_PENDING {
		t.Errorf("WSARecv: %v", err)
	}
	if err := GetOverlappedResult(acc, rov, &n, true); err != nil || string(rbuf[:n]) != "there" {
		t.Errorf("second receive: %v, %q", err, rbuf[:n])
	}
	// A graceful close: the peer's pending receive completes with 0
	// bytes (WSARecv page: "If the connection has been gracefully
	// closed ... zero bytes").
	if err := Shutdown(c, SHUT_WR); err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	if err := WSARecv(acc, &rb, 1, &n, &flags, rov, nil); err != nil && err != ERROR_IO_PENDING {
		t.Errorf("WSARecv: %v", err)
	}
	if err := GetOverlappedResult(acc, rov, &n, true); err != nil || n != 0 {
		t.Errorf("receive after shutdown: %v, %d bytes; want nil, 0", err, n)
	}
	for _, s := range []Handle{c, acc, l} {
		if err := Closesocket(s); err != nil {
			t.Errorf("Closesocket: %v", err)
		}
	}
	if err := WSACleanup(); err != nil {
		t.Errorf("WSACleanup: %v", err)
	}
}
