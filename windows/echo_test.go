//go:build !windows || wsaemu

package windows

import (
	"testing"
	"unsafe"
)

// A completion-port TCP echo server as x/sys code writes one: AcceptEx on
// a listener bound to a port, two worker threads in
// GetQueuedCompletionStatus, each connection's receive and send records
// embedded in a per-connection struct the workers find from the record
// pointer, and a zero packet posted per worker to stop them. Two clients
// connect with ConnectEx and check their echo. The assertions are the
// pages' promises the server relies on: a packet per completed operation,
// carrying the record the operation was given (GetQueuedCompletionStatus
// page), and a graceful close read as a 0-byte receive (WSARecv page).
// https://learn.microsoft.com/windows/win32/fileio/i-o-completion-ports
func TestEchoServer(t *testing.T) { run(t, func() { bodyEchoServer(t) }) }

// echoOp is one operation's record with the way back to its connection:
// the record comes first, so the record pointer a packet carries is the
// op's address.
type echoOp struct {
	ov Overlapped
	c  *echoConn
}

// echoConn is one connection.
type echoConn struct {
	recvOp, sendOp echoOp
	s              Handle
	buf            [64]byte
	wb             WSABuf
	accepting      bool
	addrs          [64]byte
}

func bodyEchoServer(t *testing.T) {
	var d WSAData
	WSAStartup(0x0202, &d)
	l, _ := Socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)
	if err := Bind(l, loopback(6100)); err != nil {
		t.Errorf("Bind: %v", err)
		return
	}
	Listen(l, SOMAXCONN)
	port, _ := CreateIoCompletionPort(InvalidHandle, 0, 0, 0)
	CreateIoCompletionPort(l, port, 0, 0)
	const clients, workers = 2, 2
	const addrLen = uint32(unsafe.Sizeof(RawSockaddrInet4{})) + 16

	accept := func() *echoConn {
		c := &echoConn{accepting: true}
		c.recvOp.c, c.sendOp.c = c, c
		c.s, _ = Socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)
		var n uint32
		if err := AcceptEx(l, c.s, &c.addrs[0], 0, addrLen, addrLen, &n, &c.recvOp.ov); err != nil && err != ERROR_IO_PENDING {
			t.Errorf("AcceptEx: %v", err)
		}
		return c
	}
	recv := func(c *echoConn) {
		c.wb = WSABuf{Len: uint32(len(c.buf)), Buf: &c.buf[0]}
		var n, flags uint32
		if err := WSARecv(c.s, &c.wb, 1, &n, &flags, &c.recvOp.ov, nil); err != nil && err != ERROR_IO_PENDING {
			t.Errorf("WSARecv: %v", err)
		}
	}
	conns := []*echoConn{accept()}
	served := 0
	stopped := 0
	done, _ := CreateEvent(nil, 1, 0, nil)
	for w := 0; w < workers; w++ {
		Go(func() {
			for {
				var n uint32
				var key uintptr
				var ov *Overlapped
				err := GetQueuedCompletionStatus(port, &n, &key, &ov, INFINITE)
				if ov == nil {
					if err != nil {
						t.Errorf("GetQueuedCompletionStatus: %v", err)
					}
					stopped++
					if stopped == workers {
						SetEvent(done)
					}
					return
				}
				c := (*echoOp)(unsafe.Pointer(ov)).c
				switch {
				case err != nil:
					t.Errorf("completion on conn %p: %v", c, err)
					Closesocket(c.s)
				case c.accepting:
					c.accepting = false
					Setsockopt(c.s, SOL_SOCKET, SO_UPDATE_ACCEPT_CONTEXT, (*byte)(unsafe.Pointer(&l)), int32(unsafe.Sizeof(l)))
					CreateIoCompletionPort(c.s, port, 1, 0)
					recv(c)
					if len(conns) < clients {
						conns = append(conns, accept())
					}
				case ov == &c.recvOp.ov && n == 0: // the client closed
					Closesocket(c.s)
					if served++; served == clients {
						for i := 0; i < workers; i++ {
							PostQueuedCompletionStatus(port, 0, 0, nil)
						}
					}
				case ov == &c.recvOp.ov:
					c.wb.Len = n
					var sent uint32
					if err := WSASend(c.s, &c.wb, 1, &sent, 0, &c.sendOp.ov, nil); err != nil && err != ERROR_IO_PENDING {
						t.Errorf("WSASend: %v", err)
					}
				case ov == &c.sendOp.ov:
					recv(c)
				}
			}
		})
	}
	clientDone, _ := CreateEvent(nil, 1, 0, nil)
	finished := 0
	for i := 0; i < clients; i++ {
		msg := []byte{'p', 'i', 'n', 'g', byte('0' + i)}
		Go(func() {
			defer func() {
				if finished++; finished == clients {
					SetEvent(clientDone)
				}
			}()
			s, _ := Socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)
			Bind(s, loopback(0))
			ev, _ := CreateEvent(nil, 1, 0, nil)
			ov := Overlapped{HEvent: ev}
			var n, flags uint32
			if err := ConnectEx(s, loopback(6100), &msg[0], uint32(len(msg)), &n, &ov); err != nil && err != ERROR_IO_PENDING {
				t.Errorf("ConnectEx: %v", err)
				return
			}
			if err := WSAGetOverlappedResult(s, &ov, &n, true, &flags); err != nil {
				t.Errorf("ConnectEx result: %v", err)
				return
			}
			Setsockopt(s, SOL_SOCKET, SO_UPDATE_CONNECT_CONTEXT, nil, 0)
			got := make([]byte, 0, len(msg))
			buf := make([]byte, 16)
			for len(got) < len(msg) {
				b := bufOf(buf)
				var rn uint32
				if err := WSARecv(s, &b, 1, &rn, &flags, nil, nil); err != nil || rn == 0 {
					t.Errorf("client receive: %v, %d bytes", err, rn)
					return
				}
				got = append(got, buf[:rn]...)
			}
			if string(got) != string(msg) {
				t.Errorf("echo %q, want %q", got, msg)
			}
			Shutdown(s, SHUT_WR)
			Closesocket(s)
		})
	}
	WaitForSingleObject(clientDone, INFINITE)
	if r, _ := WaitForSingleObject(done, INFINITE); r != WAIT_OBJECT_0 || served != clients {
		t.Errorf("server: %d connections served, want %d", served, clients)
	}
	CloseHandle(port)
	Closesocket(l)
}
