// Package iocpecho is a TCP echo server on an I/O completion port, written
// the way Windows programs write one, against golang.org/x/sys/windows'
// names (through github.com/wsaemu/wsaemu/windows, so the same file runs on
// real Winsock and on the emulator):
//
//   - the listening socket is associated with one completion port and
//     AcceptEx calls are kept posted on it;
//   - a pool of worker threads (started with windows.Go) loops on
//     GetQueuedCompletionStatus and finishes whatever operation a packet
//     belongs to;
//   - every accepted socket is put on the port with
//     FILE_SKIP_COMPLETION_PORT_ON_SUCCESS, so an operation that succeeds at
//     once is finished inline by the thread that started it, as Go's
//     internal/poll does.
//
// Exchange runs the server and its clients in one process on loopback.
package iocpecho

import (
	"bytes"
	"errors"
	"fmt"
	"sync/atomic"
	"unsafe"

	"github.com/wsaemu/wsaemu/windows"
)

// Options sizes the exchange; zero fields take the defaults.
type Options struct {
	Workers  int // threads looping on the port (default 3)
	Clients  int // connections, one client thread each (default 3)
	Messages int // messages each client sends and reads back (default 4)

	// MarkAfterIssue seeds bug (a): the server marks a send as in flight
	// only after WSASend has returned ERROR_IO_PENDING, trusting that with
	// FILE_SKIP_COMPLETION_PORT_ON_SUCCESS a small send on loopback
	// completes at once and, when it does not, that its packet cannot be
	// taken before the call has returned. Both hold on the usual schedule
	// (and on loopback natively); but a send may pend, and another worker
	// may take its packet the moment it completes, before the issuing
	// thread resumes: that worker then finds a send it was never told about.
	MarkAfterIssue bool
}

func (o Options) withDefaults() Options {
	if o.Workers <= 0 {
		o.Workers = 3
	}
	if o.Clients <= 0 {
		o.Clients = 3
	}
	if o.Messages <= 0 {
		o.Messages = 4
	}
	return o
}

const (
	opAccept = iota + 1
	opRecv
	opSend

	// Completion keys: every socket is filed under sockKey; quitKey is the
	// packet that tells a worker to return.
	sockKey = 1
	quitKey = 2

	// acceptSlots AcceptEx calls are kept posted at a time.
	acceptSlots = 2
	// acceptData is how much of the client's first message AcceptEx reads.
	acceptData = 64
	// addrLen is the room AcceptEx needs for each address: the largest
	// sockaddr plus 16 bytes
	// (https://learn.microsoft.com/windows/win32/api/mswsock/nf-mswsock-acceptex,
	// dwLocalAddressLength), as Go's internal/poll reserves.
	addrLen = uint32(unsafe.Sizeof(windows.RawSockaddrAny{})) + 16
)

// op is one overlapped operation. Its Overlapped comes first, so the
// *Overlapped a packet carries converts back to the op. Each operation has
// its own record, used by one operation at a time: a record must not be
// reused until its operation has completed
// (https://learn.microsoft.com/windows/win32/api/minwinbase/ns-minwinbase-overlapped,
// "must remain valid for the duration of the operation").
type op struct {
	ov    windows.Overlapped
	kind  int
	c     *conn
	buf   windows.WSABuf
	qty   uint32
	flags uint32
	busy  bool // issued and not yet finished: each completion is handled once
}

// start marks o in flight before it is issued: from the moment the call is
// made its completion may be finished by any thread, inline by this one or
// from a packet by a worker, possibly before the call returns
// (https://learn.microsoft.com/windows/win32/fileio/i-o-completion-ports:
// any thread waiting on the port may take the packet).
func (o *op) start() {
	o.ov = windows.Overlapped{} // the previous operation on it has completed
	o.busy = true
}

// finish is the other end: it fails when o was not in flight.
func (o *op) finish() error {
	if !o.busy {
		return fmt.Errorf("completion of a %s that was not in flight", [...]string{opAccept: "AcceptEx", opRecv: "receive", opSend: "send"}[o.kind])
	}
	o.busy = false
	return nil
}

// conn is one accepted connection. At most one of its operations is
// outstanding at any time (receive, then echo, then receive ...), so the
// worker that takes its packet owns it.
type conn struct {
	srv    *server
	s      windows.Handle
	acc    op // the AcceptEx that accepted it
	rd, wr op
	accBuf [acceptData + 2*addrLen]byte
	data   [256]byte
	out    []byte // echo bytes not yet sent
}

type server struct {
	opts     Options
	ls, port windows.Handle
	addr     windows.SockaddrInet4
	posted   atomic.Int32 // AcceptEx calls made
	finished atomic.Int32 // connections closed by their client
	allDone  windows.Handle
	err      atomic.Pointer[error]
}

// fail keeps the first error and wakes the main thread.
func (s *server) fail(err error) {
	s.err.CompareAndSwap(nil, &err)
	windows.SetEvent(s.allDone)
}

func newServer(opts Options) (*server, error) {
	s := &server{opts: opts}
	var err error
	if s.allDone, err = windows.CreateEvent(nil, 1, 0, nil); err != nil {
		return nil, fmt.Errorf("CreateEvent: %w", err)
	}
	s.ls, err = windows.WSASocket(windows.AF_INET, windows.SOCK_STREAM, windows.IPPROTO_TCP, nil, 0, windows.WSA_FLAG_OVERLAPPED)
	if err != nil {
		return nil, fmt.Errorf("WSASocket: %w", err)
	}
	if err := windows.Bind(s.ls, &windows.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		return nil, fmt.Errorf("bind: %w", err)
	}
	if err := windows.Listen(s.ls, windows.SOMAXCONN); err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	sa, err := windows.Getsockname(s.ls)
	if err != nil {
		return nil, fmt.Errorf("getsockname: %w", err)
	}
	in4, ok := sa.(*windows.SockaddrInet4)
	if !ok {
		return nil, fmt.Errorf("getsockname: %T, want an IPv4 address", sa)
	}
	s.addr = *in4
	if s.port, err = windows.CreateIoCompletionPort(windows.InvalidHandle, 0, 0, 0); err != nil {
		return nil, fmt.Errorf("CreateIoCompletionPort: %w", err)
	}
	// The listener is filed without the skip mode: every AcceptEx, even one
	// that succeeds at once, posts a packet, and only the workers finish it
	// (https://learn.microsoft.com/windows/win32/fileio/i-o-completion-ports:
	// a packet is queued when an operation on an associated handle
	// completes, whether or not it returned pending).
	if _, err := windows.CreateIoCompletionPort(s.ls, s.port, sockKey, 0); err != nil {
		return nil, fmt.Errorf("associate listener: %w", err)
	}
	return s, nil
}

// postAccept starts one AcceptEx for a new connection, if connections are
// still expected.
func (s *server) postAccept() error {
	if int(s.posted.Add(1)) > s.opts.Clients {
		return nil
	}
	as, err := windows.WSASocket(windows.AF_INET, windows.SOCK_STREAM, windows.IPPROTO_TCP, nil, 0, windows.WSA_FLAG_OVERLAPPED)
	if err != nil {
		return fmt.Errorf("WSASocket (accept): %w", err)
	}
	c := &conn{srv: s, s: as}
	c.acc = op{kind: opAccept, c: c}
	c.rd = op{kind: opRecv, c: c}
	c.wr = op{kind: opSend, c: c}
	c.acc.start()
	err = windows.AcceptEx(s.ls, as, &c.accBuf[0], acceptData, addrLen, addrLen, &c.acc.qty, &c.acc.ov)
	if err != nil && err != windows.ERROR_IO_PENDING {
		c.acc.busy = false
		windows.Closesocket(as)
		return fmt.Errorf("AcceptEx: %w", err)
	}
	return nil // finished by a worker, from its packet
}

// worker takes packets until it gets quitKey; done is set when it returns.
func (s *server) worker(done windows.Handle) {
	defer windows.SetEvent(done)
	for {
		var qty uint32
		var key uintptr
		var ov *windows.Overlapped
		err := windows.GetQueuedCompletionStatus(s.port, &qty, &key, &ov, windows.INFINITE)
		if ov == nil {
			// No packet was taken (err says why) or it is a posted one.
			if err == nil && key == quitKey {
				return
			}
			s.fail(fmt.Errorf("GetQueuedCompletionStatus: key %d: %v", key, err))
			return
		}
		// A packet for a failed operation comes back with err set and ov
		// pointing at its record
		// (https://learn.microsoft.com/windows/win32/api/ioapiset/nf-ioapiset-getqueuedcompletionstatus).
		o := (*op)(unsafe.Pointer(ov))
		if ferr := o.finish(); ferr != nil {
			o.c.close(ferr)
			continue
		}
		switch o.kind {
		case opAccept:
			o.c.accepted(qty, err)
		case opRecv:
			o.c.received(qty, err)
		case opSend:
			o.c.sent(qty, err)
		default:
			s.fail(fmt.Errorf("packet for an unknown record %p (kind %d)", ov, o.kind))
		}
	}
}

func (c *conn) close(err error) {
	windows.Closesocket(c.s)
	if err != nil {
		c.srv.fail(err)
		return
	}
	if int(c.srv.finished.Add(1)) == c.srv.opts.Clients {
		windows.SetEvent(c.srv.allDone)
	}
}

func (c *conn) accepted(qty uint32, err error) {
	s := c.srv
	if err != nil {
		c.close(fmt.Errorf("AcceptEx completed with %w", err))
		return
	}
	if err := s.postAccept(); err != nil {
		s.fail(err)
	}
	// The accepted socket takes the listener's properties only after
	// SO_UPDATE_ACCEPT_CONTEXT
	// (https://learn.microsoft.com/windows/win32/api/mswsock/nf-mswsock-acceptex).
	ls := s.ls
	if err := windows.Setsockopt(c.s, windows.SOL_SOCKET, windows.SO_UPDATE_ACCEPT_CONTEXT, (*byte)(unsafe.Pointer(&ls)), int32(unsafe.Sizeof(ls))); err != nil {
		c.close(fmt.Errorf("SO_UPDATE_ACCEPT_CONTEXT: %w", err))
		return
	}
	var local, remote *windows.RawSockaddrAny
	var llen, rlen int32
	windows.GetAcceptExSockaddrs(&c.accBuf[0], acceptData, addrLen, addrLen, &local, &llen, &remote, &rlen)
	if remote == nil || remote.Addr.Family != windows.AF_INET {
		c.close(errors.New("GetAcceptExSockaddrs: no IPv4 peer address"))
		return
	}
	if _, err := windows.CreateIoCompletionPort(c.s, s.port, sockKey, 0); err != nil {
		c.close(fmt.Errorf("associate: %w", err))
		return
	}
	// From now on an operation that succeeds at once posts no packet and
	// is finished inline. With a non-IFS layered provider installed the
	// mode is not dependable (https://github.com/golang/go/issues/22149,
	// Microsoft KB 2568167): Go's internal/poll sets it only when every
	// provider is an IFS one; this example runs on the base providers
	// (https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-setfilecompletionnotificationmodes).
	if err := windows.SetFileCompletionNotificationModes(c.s, windows.FILE_SKIP_COMPLETION_PORT_ON_SUCCESS|windows.FILE_SKIP_SET_EVENT_ON_HANDLE); err != nil {
		c.close(fmt.Errorf("SetFileCompletionNotificationModes: %w", err))
		return
	}
	if qty == 0 {
		c.close(errors.New("AcceptEx completed without the first message"))
		return
	}
	c.out = append(c.data[:0], c.accBuf[:qty]...)
	c.postSend()
}

// postRecv starts the next receive.
func (c *conn) postRecv() {
	c.rd.start()
	c.rd.buf = windows.WSABuf{Len: uint32(len(c.data)), Buf: &c.data[0]}
	c.rd.flags = 0
	err := windows.WSARecv(c.s, &c.rd.buf, 1, &c.rd.qty, &c.rd.flags, &c.rd.ov, nil)
	switch err {
	case nil:
		// Immediate success with the skip mode on: no packet is queued
		// (https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-setfilecompletionnotificationmodes),
		// so finish it here, as internal/poll's execIO does.
		if ferr := c.rd.finish(); ferr != nil {
			c.close(ferr)
			return
		}
		c.received(c.rd.qty, nil)
	case windows.ERROR_IO_PENDING:
		// A packet will come; the count was not written
		// (https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-wsarecv:
		// lpNumberOfBytesRecvd is only meaningful on immediate success).
	default:
		c.rd.busy = false
		c.close(fmt.Errorf("WSARecv: %w", err))
	}
}

func (c *conn) received(qty uint32, err error) {
	if err != nil {
		c.close(fmt.Errorf("receive completed with %w", err))
		return
	}
	if qty == 0 { // the client shut down its side: done
		c.close(nil)
		return
	}
	c.out = c.data[:qty]
	c.postSend()
}

func (c *conn) postSend() {
	if c.srv.opts.MarkAfterIssue {
		c.wr.ov = windows.Overlapped{}
	} else {
		c.wr.start()
	}
	c.wr.buf = windows.WSABuf{Len: uint32(len(c.out)), Buf: &c.out[0]}
	err := windows.WSASend(c.s, &c.wr.buf, 1, &c.wr.qty, 0, &c.wr.ov, nil)
	switch err {
	case nil: // skip mode: no packet, finish here
		if !c.srv.opts.MarkAfterIssue {
			if ferr := c.wr.finish(); ferr != nil {
				c.close(ferr)
				return
			}
		}
		c.sent(c.wr.qty, nil)
	case windows.ERROR_IO_PENDING:
		if c.srv.opts.MarkAfterIssue {
			// BUG (seeded): too late; a worker may already have taken
			// this send's packet.
			c.wr.busy = true
		}
	default:
		c.wr.busy = false
		c.close(fmt.Errorf("WSASend: %w", err))
	}
}

func (c *conn) sent(qty uint32, err error) {
	if err != nil {
		c.close(fmt.Errorf("send completed with %w", err))
		return
	}
	if int(qty) < len(c.out) {
		c.out = c.out[qty:]
		c.postSend()
		return
	}
	c.postRecv()
}

// client connects, sends its messages one at a time with blocking calls and
// checks each echo, then shuts down its side and waits for the server's close.
func client(id int, addr *windows.SockaddrInet4, messages int) error {
	s, err := windows.Socket(windows.AF_INET, windows.SOCK_STREAM, windows.IPPROTO_TCP)
	if err != nil {
		return fmt.Errorf("client %d: socket: %w", id, err)
	}
	defer windows.Closesocket(s)
	if err := windows.Connect(s, addr); err != nil {
		return fmt.Errorf("client %d: connect: %w", id, err)
	}
	var in [256]byte
	for m := 0; m < messages; m++ {
		msg := []byte(fmt.Sprintf("client %d says message %d", id, m))
		for rest := msg; len(rest) > 0; {
			b := windows.WSABuf{Len: uint32(len(rest)), Buf: &rest[0]}
			var n uint32
			if err := windows.WSASend(s, &b, 1, &n, 0, nil, nil); err != nil {
				return fmt.Errorf("client %d: send: %w", id, err)
			}
			rest = rest[n:]
		}
		var got []byte
		for len(got) < len(msg) {
			b := windows.WSABuf{Len: uint32(len(in)), Buf: &in[0]}
			var n, flags uint32
			if err := windows.WSARecv(s, &b, 1, &n, &flags, nil, nil); err != nil {
				return fmt.Errorf("client %d: recv: %w", id, err)
			}
			if n == 0 {
				return fmt.Errorf("client %d: server closed after %q of %q", id, got, msg)
			}
			got = append(got, in[:n]...)
		}
		if !bytes.Equal(got, msg) {
			return fmt.Errorf("client %d: echo %q, sent %q", id, got, msg)
		}
	}
	if err := windows.Shutdown(s, windows.SHUT_WR); err != nil {
		return fmt.Errorf("client %d: shutdown: %w", id, err)
	}
	b := windows.WSABuf{Len: uint32(len(in)), Buf: &in[0]}
	var n, flags uint32
	if err := windows.WSARecv(s, &b, 1, &n, &flags, nil, nil); err != nil || n != 0 {
		return fmt.Errorf("client %d: after shutdown: %d bytes, %v; want the server's close", id, n, err)
	}
	return nil
}

// Exchange runs the whole echo exchange; call it on an emulated thread
// (inside windows.Run) or, on Windows, on any goroutine.
func Exchange(opts Options) error {
	opts = opts.withDefaults()
	var wsa windows.WSAData
	if err := windows.WSAStartup(uint32(0x0202), &wsa); err != nil {
		return fmt.Errorf("WSAStartup: %w", err)
	}
	defer windows.WSACleanup()
	s, err := newServer(opts)
	if err != nil {
		return err
	}
	defer windows.CloseHandle(s.allDone)
	defer windows.CloseHandle(s.port)
	defer windows.Closesocket(s.ls)
	for i := 0; i < acceptSlots; i++ {
		if err := s.postAccept(); err != nil {
			return err
		}
	}
	workers := make([]windows.Handle, opts.Workers)
	for i := range workers {
		if workers[i], err = windows.CreateEvent(nil, 1, 0, nil); err != nil {
			return fmt.Errorf("CreateEvent: %w", err)
		}
		defer windows.CloseHandle(workers[i])
		done := workers[i]
		windows.Go(func() { s.worker(done) })
	}
	clients := make([]windows.Handle, opts.Clients)
	errs := make([]error, opts.Clients)
	for i := range clients {
		if clients[i], err = windows.CreateEvent(nil, 1, 0, nil); err != nil {
			return fmt.Errorf("CreateEvent: %w", err)
		}
		defer windows.CloseHandle(clients[i])
		i, done := i, clients[i]
		windows.Go(func() {
			errs[i] = client(i, &s.addr, opts.Messages)
			windows.SetEvent(done)
		})
	}
	if _, err := windows.WaitForMultipleObjects(clients, true, windows.INFINITE); err != nil {
		return fmt.Errorf("wait for clients: %w", err)
	}
	if _, err := windows.WaitForSingleObject(s.allDone, windows.INFINITE); err != nil {
		return fmt.Errorf("wait for the server: %w", err)
	}
	for range workers {
		if err := windows.PostQueuedCompletionStatus(s.port, 0, quitKey, nil); err != nil {
			return fmt.Errorf("PostQueuedCompletionStatus: %w", err)
		}
	}
	if _, err := windows.WaitForMultipleObjects(workers, true, windows.INFINITE); err != nil {
		return fmt.Errorf("wait for workers: %w", err)
	}
	if p := s.err.Load(); p != nil {
		return *p
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	if n := int(s.finished.Load()); n != opts.Clients {
		return fmt.Errorf("server finished %d connections, want %d", n, opts.Clients)
	}
	return nil
}
