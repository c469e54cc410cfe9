// Package connecttimeout is a TCP client that gives every operation a
// deadline, written against golang.org/x/sys/windows' names (through
// github.com/wsaemu/wsaemu/windows):
//
//   - it connects with ConnectEx (found with LoadConnectEx, which asks
//     WSAIoctl for the SIO_GET_EXTENSION_FUNCTION_POINTER of WSAID_CONNECTEX),
//     then sends and receives with overlapped WSASend and WSARecv, each
//     with an event in its OVERLAPPED;
//   - it waits for an operation with WaitForSingleObject and a timeout; when
//     the time is up it cancels that one operation with CancelIoEx and then
//     still waits for the operation to complete before it touches its record
//     again, and keeps the bytes of a receive that completed normally in spite
//     of the cancel.
//
// Exchange runs the client against a slow server thread in one process on
// loopback: the server answers the first request only after a delay longer
// than the client's receive timeout, so the client's first receives time out
// and are cancelled.
package connecttimeout

import (
	"bytes"
	"errors"
	"fmt"
	"unsafe"

	"github.com/wsaemu/wsaemu/windows"
)

// Options sets the exchange's timing; zero fields take the defaults.
type Options struct {
	RecvTimeoutMs uint32 // one receive's deadline (default 50)
	ServerDelayMs uint32 // how long the server sits on the first request (default 200)
	MaxTimeouts   int    // timed-out receives the client accepts in a row (default 40)

	// ReuseAfterCancel seeds bug (c): after CancelIoEx the client takes the
	// receive for aborted and posts the next one into the same OVERLAPPED and
	// buffer at once, without waiting for the cancelled one to complete. A
	// cancel does not have to win: the receive may still complete, and
	// complete normally, with the reply in the buffer
	// (https://learn.microsoft.com/windows/win32/fileio/cancelioex-func).
	// On the usual schedule the cancel takes effect at once and nothing
	// shows; when the reply wins the race it is lost and the client times
	// out on a reply that already came.
	ReuseAfterCancel bool
}

func (o Options) withDefaults() Options {
	if o.RecvTimeoutMs == 0 {
		o.RecvTimeoutMs = 50
	}
	if o.ServerDelayMs == 0 {
		o.ServerDelayMs = 200
	}
	if o.MaxTimeouts <= 0 {
		o.MaxTimeouts = 40
	}
	return o
}

// errTimeout is an operation that did not complete in time and was cancelled.
var errTimeout = errors.New("timed out")

// Result says what the exchange saw.
type Result struct {
	Timeouts         int // receives that timed out and were cancelled
	CompletedAnyway  int // of those, the ones that completed normally all the same
	ConnectTimeouts  int
	BytesFromServer  int
	ClientLocalPort  int
	ServerRemotePort int
}

// op is one overlapped operation with its own event. A record serves one
// operation at a time: it must not be reused, nor its buffer read, until
// its operation has completed, even after a cancel
// (https://learn.microsoft.com/windows/win32/fileio/canceling-pending-i-o-operations;
// Go's internal/poll waits for the cancelled operation's completion too,
// see fd_windows.go's execIO).
type op struct {
	ov  windows.Overlapped
	buf windows.WSABuf
	qty uint32
}

func newOp() (*op, error) {
	ev, err := windows.CreateEvent(nil, 1, 0, nil)
	if err != nil {
		return nil, fmt.Errorf("CreateEvent: %w", err)
	}
	return &op{ov: windows.Overlapped{HEvent: ev}}, nil
}

// reset makes the record ready for its next operation. The event is reset
// by the program: an event left signalled by the previous operation would
// end the next wait at once.
func (o *op) reset() {
	ev := o.ov.HEvent
	windows.ResetEvent(ev)
	o.ov = windows.Overlapped{HEvent: ev}
	o.qty = 0
}

func (o *op) close() { windows.CloseHandle(o.ov.HEvent) }

type client struct {
	opts Options
	s    windows.Handle
	res  *Result
}

// wait finishes the operation just issued on o: issueErr is what the call
// returned. It returns the byte count, errTimeout when the operation was
// cancelled because its time was up, or the operation's error.
func (c *client) wait(o *op, issueErr error, timeoutMs uint32) (uint32, error) {
	switch issueErr {
	case nil:
		// Completed at once: the count is valid now
		// (https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-wsarecv).
		return o.qty, nil
	case windows.ERROR_IO_PENDING:
	default:
		return 0, issueErr
	}
	ev, err := windows.WaitForSingleObject(o.ov.HEvent, timeoutMs)
	if err != nil {
		return 0, fmt.Errorf("WaitForSingleObject: %w", err)
	}
	if ev == uint32(windows.WAIT_TIMEOUT) {
		// Cancel this operation only (CancelIo would cancel every
		// operation this thread started on the socket). ERROR_NOT_FOUND
		// means it completed in the meantime.
		if err := windows.CancelIoEx(c.s, &o.ov); err != nil && err != windows.ERROR_NOT_FOUND {
			return 0, fmt.Errorf("CancelIoEx: %w", err)
		}
		if c.opts.ReuseAfterCancel {
			// BUG (seeded): the record is handed back for reuse as if
			// the cancel had already ended the operation.
			return 0, errTimeout
		}
		// The cancel is only a request: CancelIoEx does not wait for
		// the operation, which may still complete, and complete
		// normally; its end is learnt from the record, here with a
		// waiting WSAGetOverlappedResult
		// (https://learn.microsoft.com/windows/win32/fileio/cancelioex-func).
		var n, flags uint32
		err := windows.WSAGetOverlappedResult(c.s, &o.ov, &n, true, &flags)
		switch err {
		case nil:
			c.res.CompletedAnyway++
			return n, nil
		case windows.ERROR_OPERATION_ABORTED:
			return 0, errTimeout
		default:
			return 0, fmt.Errorf("cancelled operation completed with %w", err)
		}
	}
	if ev != windows.WAIT_OBJECT_0 {
		return 0, fmt.Errorf("WaitForSingleObject returned %#x", ev)
	}
	var n, flags uint32
	if err := windows.WSAGetOverlappedResult(c.s, &o.ov, &n, false, &flags); err != nil {
		return 0, err
	}
	return n, nil
}

func (c *client) connect(o *op, to *windows.SockaddrInet4, timeoutMs uint32) error {
	if err := windows.LoadConnectEx(); err != nil {
		return fmt.Errorf("LoadConnectEx: %w", err)
	}
	// ConnectEx needs a bound socket
	// (https://learn.microsoft.com/windows/win32/api/mswsock/nc-mswsock-lpfn_connectex).
	if err := windows.Bind(c.s, &windows.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		return fmt.Errorf("bind: %w", err)
	}
	o.reset()
	err := windows.ConnectEx(c.s, to, nil, 0, nil, &o.ov)
	if _, err := c.wait(o, err, timeoutMs); err != nil {
		if err == errTimeout {
			c.res.ConnectTimeouts++
		}
		return fmt.Errorf("ConnectEx: %w", err)
	}
	// Until SO_UPDATE_CONNECT_CONTEXT the socket does not know it is
	// connected: getpeername and shutdown fail
	// (https://learn.microsoft.com/windows/win32/api/mswsock/nc-mswsock-lpfn_connectex).
	if err := windows.Setsockopt(c.s, windows.SOL_SOCKET, windows.SO_UPDATE_CONNECT_CONTEXT, nil, 0); err != nil {
		return fmt.Errorf("SO_UPDATE_CONNECT_CONTEXT: %w", err)
	}
	peer, err := windows.Getpeername(c.s)
	if err != nil {
		return fmt.Errorf("getpeername: %w", err)
	}
	if p, ok := peer.(*windows.SockaddrInet4); !ok || p.Port != to.Port {
		return fmt.Errorf("getpeername: %v, want port %d", peer, to.Port)
	}
	return nil
}

func (c *client) send(o *op, p []byte) error {
	for len(p) > 0 {
		o.reset()
		o.buf = windows.WSABuf{Len: uint32(len(p)), Buf: &p[0]}
		err := windows.WSASend(c.s, &o.buf, 1, &o.qty, 0, &o.ov, nil)
		n, err := c.wait(o, err, 5000)
		if err != nil {
			return fmt.Errorf("send: %w", err)
		}
		p = p[n:]
	}
	return nil
}

// recvExactly reads len(want) bytes, each receive with its own deadline,
// and checks them.
func (c *client) recvExactly(o *op, in []byte, want []byte) error {
	var got []byte
	timeouts := 0
	for len(got) < len(want) {
		o.reset()
		o.buf = windows.WSABuf{Len: uint32(len(in)), Buf: &in[0]}
		var flags uint32
		err := windows.WSARecv(c.s, &o.buf, 1, &o.qty, &flags, &o.ov, nil)
		n, err := c.wait(o, err, c.opts.RecvTimeoutMs)
		if err == errTimeout {
			c.res.Timeouts++
			if timeouts++; timeouts > c.opts.MaxTimeouts {
				return fmt.Errorf("no reply after %d timed-out receives (have %q of %q)", timeouts-1, got, want)
			}
			continue
		}
		if err != nil {
			return fmt.Errorf("recv: %w", err)
		}
		if n == 0 {
			return fmt.Errorf("server closed after %q of %q", got, want)
		}
		timeouts = 0
		got = append(got, in[:n]...)
	}
	c.res.BytesFromServer += len(got)
	if !bytes.Equal(got, want) {
		return fmt.Errorf("received %q, want %q", got, want)
	}
	return nil
}

var (
	request1, reply1 = []byte("request one"), []byte("reply to request one")
	request2, reply2 = []byte("request two"), []byte("reply to request two")
)

// acceptOne accepts one connection on ls with AcceptEx, waiting on an
// event without a deadline.
func acceptOne(ls windows.Handle) (windows.Handle, int, error) {
	as, err := windows.WSASocket(windows.AF_INET, windows.SOCK_STREAM, windows.IPPROTO_TCP, nil, 0, windows.WSA_FLAG_OVERLAPPED)
	if err != nil {
		return windows.InvalidHandle, 0, fmt.Errorf("WSASocket: %w", err)
	}
	o, err := newOp()
	if err != nil {
		windows.Closesocket(as)
		return windows.InvalidHandle, 0, err
	}
	defer o.close()
	const addrLen = uint32(unsafe.Sizeof(windows.RawSockaddrAny{})) + 16
	var buf [2 * addrLen]byte
	err = windows.AcceptEx(ls, as, &buf[0], 0, addrLen, addrLen, &o.qty, &o.ov)
	if err == windows.ERROR_IO_PENDING {
		var n, flags uint32
		err = windows.WSAGetOverlappedResult(ls, &o.ov, &n, true, &flags)
	}
	if err != nil {
		windows.Closesocket(as)
		return windows.InvalidHandle, 0, fmt.Errorf("AcceptEx: %w", err)
	}
	if err := windows.Setsockopt(as, windows.SOL_SOCKET, windows.SO_UPDATE_ACCEPT_CONTEXT, (*byte)(unsafe.Pointer(&ls)), int32(unsafe.Sizeof(ls))); err != nil {
		windows.Closesocket(as)
		return windows.InvalidHandle, 0, fmt.Errorf("SO_UPDATE_ACCEPT_CONTEXT: %w", err)
	}
	var local, remote *windows.RawSockaddrAny
	var llen, rlen int32
	windows.GetAcceptExSockaddrs(&buf[0], 0, addrLen, addrLen, &local, &llen, &remote, &rlen)
	port := 0
	if remote != nil && remote.Addr.Family == windows.AF_INET {
		p := (*windows.RawSockaddrInet4)(unsafe.Pointer(remote)).Port
		port = int(p>>8) | int(p&0xff)<<8
	}
	return as, port, nil
}

// readFull reads exactly len(p) bytes with blocking receives.
func readFull(s windows.Handle, p []byte) error {
	for len(p) > 0 {
		b := windows.WSABuf{Len: uint32(len(p)), Buf: &p[0]}
		var n, flags uint32
		if err := windows.WSARecv(s, &b, 1, &n, &flags, nil, nil); err != nil {
			return err
		}
		if n == 0 {
			return errors.New("peer closed early")
		}
		p = p[n:]
	}
	return nil
}

func writeAll(s windows.Handle, p []byte) error {
	for len(p) > 0 {
		b := windows.WSABuf{Len: uint32(len(p)), Buf: &p[0]}
		var n uint32
		if err := windows.WSASend(s, &b, 1, &n, 0, nil, nil); err != nil {
			return err
		}
		p = p[n:]
	}
	return nil
}

// server is the slow peer: it sits on the first request for delayMs.
func server(ls windows.Handle, delayMs uint32, res *Result) error {
	s, port, err := acceptOne(ls)
	if err != nil {
		return fmt.Errorf("server: %w", err)
	}
	defer windows.Closesocket(s)
	res.ServerRemotePort = port
	for i, rr := range [][2][]byte{{request1, reply1}, {request2, reply2}} {
		req := make([]byte, len(rr[0]))
		if err := readFull(s, req); err != nil {
			return fmt.Errorf("server: request %d: %w", i+1, err)
		}
		if !bytes.Equal(req, rr[0]) {
			return fmt.Errorf("server: request %q, want %q", req, rr[0])
		}
		if i == 0 {
			windows.SleepEx(delayMs, false)
		}
		if err := writeAll(s, rr[1]); err != nil {
			return fmt.Errorf("server: reply %d: %w", i+1, err)
		}
	}
	var in [16]byte
	b := windows.WSABuf{Len: uint32(len(in)), Buf: &in[0]}
	var n, flags uint32
	if err := windows.WSARecv(s, &b, 1, &n, &flags, nil, nil); err != nil || n != 0 {
		return fmt.Errorf("server: after the last reply: %d bytes, %v; want the client's shutdown", n, err)
	}
	return nil
}

// Exchange runs the slow server on another thread and the client on the
// calling one; call it on an emulated thread (inside windows.Run) or, on
// Windows, on any goroutine.
func Exchange(opts Options) (Result, error) {
	opts = opts.withDefaults()
	var res Result
	var wsa windows.WSAData
	if err := windows.WSAStartup(uint32(0x0202), &wsa); err != nil {
		return res, fmt.Errorf("WSAStartup: %w", err)
	}
	defer windows.WSACleanup()

	ls, err := windows.WSASocket(windows.AF_INET, windows.SOCK_STREAM, windows.IPPROTO_TCP, nil, 0, windows.WSA_FLAG_OVERLAPPED)
	if err != nil {
		return res, fmt.Errorf("WSASocket: %w", err)
	}
	defer windows.Closesocket(ls)
	if err := windows.Bind(ls, &windows.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		return res, fmt.Errorf("bind: %w", err)
	}
	if err := windows.Listen(ls, 1); err != nil {
		return res, fmt.Errorf("listen: %w", err)
	}
	sa, err := windows.Getsockname(ls)
	if err != nil {
		return res, fmt.Errorf("getsockname: %w", err)
	}
	to, ok := sa.(*windows.SockaddrInet4)
	if !ok {
		return res, fmt.Errorf("getsockname: %T, want an IPv4 address", sa)
	}

	done, err := windows.CreateEvent(nil, 1, 0, nil)
	if err != nil {
		return res, fmt.Errorf("CreateEvent: %w", err)
	}
	defer windows.CloseHandle(done)
	var serr error
	windows.Go(func() {
		serr = server(ls, opts.ServerDelayMs, &res)
		windows.SetEvent(done)
	})

	cerr := runClient(opts, to, &res)
	if _, err := windows.WaitForSingleObject(done, windows.INFINITE); err != nil {
		return res, fmt.Errorf("wait for the server: %w", err)
	}
	if cerr != nil {
		return res, cerr
	}
	if serr != nil {
		return res, serr
	}
	if res.ServerRemotePort != res.ClientLocalPort {
		return res, fmt.Errorf("server saw port %d, client bound %d", res.ServerRemotePort, res.ClientLocalPort)
	}
	return res, nil
}

func runClient(opts Options, to *windows.SockaddrInet4, res *Result) error {
	s, err := windows.WSASocket(windows.AF_INET, windows.SOCK_STREAM, windows.IPPROTO_TCP, nil, 0, windows.WSA_FLAG_OVERLAPPED)
	if err != nil {
		return fmt.Errorf("client: WSASocket: %w", err)
	}
	// Closing the socket ends the server's last receive whatever happened.
	defer windows.Closesocket(s)
	c := &client{opts: opts, s: s, res: res}
	// One record per direction, each reused only after its operation has
	// completed.
	rd, err := newOp()
	if err != nil {
		return err
	}
	defer rd.close()
	wr, err := newOp()
	if err != nil {
		return err
	}
	defer wr.close()
	if err := c.connect(wr, to, 5000); err != nil {
		return fmt.Errorf("client: %w", err)
	}
	if sa, err := windows.Getsockname(s); err == nil {
		if in4, ok := sa.(*windows.SockaddrInet4); ok {
			res.ClientLocalPort = in4.Port
		}
	}
	in := make([]byte, 64)
	for _, rr := range [][2][]byte{{request1, reply1}, {request2, reply2}} {
		if err := c.send(wr, rr[0]); err != nil {
			return fmt.Errorf("client: %w", err)
		}
		if err := c.recvExactly(rd, in, rr[1]); err != nil {
			return fmt.Errorf("client: %w", err)
		}
	}
	if err := windows.Shutdown(s, windows.SHUT_WR); err != nil {
		return fmt.Errorf("client: shutdown: %w", err)
	}
	return nil
}
