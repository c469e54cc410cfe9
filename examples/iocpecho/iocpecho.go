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
//   - when every TCP provider is an IFS one, accepted sockets are put on
//     the port with FILE_SKIP_COMPLETION_PORT_ON_SUCCESS, so an operation
//     that succeeds at once is finished inline by the thread that started
//     it, as Go's internal/poll does; otherwise every completion comes from
//     the port.
//
// Exchange runs the server and its clients in one process on loopback.
package iocpecho

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/wsaemu/wsaemu/windows"
)

// Options sizes the exchange; zero fields take the defaults.
type Options struct {
	Workers  int // threads looping on the port (default 3)
	Clients  int // connections, one client thread each (default 3)
	Messages int // messages each client sends and reads back (default 4)

	// WaitOnSkippedSuccess seeds bug (a): the server sets
	// FILE_SKIP_COMPLETION_PORT_ON_SUCCESS (where the providers allow it)
	// but treats a receive that succeeds at once like a pending one and
	// waits for its port packet, which the skip mode suppresses: the
	// connection stalls. The server posts its next receive before it
	// echoes, so the client cannot have sent more yet, and on loopback a
	// receive takes the whole of a small send: no receive finds data
	// waiting, on the usual schedule or natively. A byte stream keeps no
	// boundaries, though: when a receive takes part of a message, the rest
	// is there when the next receive is posted.
	WaitOnSkippedSuccess bool
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
// (https://learn.microsoft.com/windows/win32/api/minwinbase/ns-minwinbase-overlapped:
// the record belongs to the system until its operation is over).
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

// conn is one accepted connection. Its receive and its echo run side by
// side, each with its own record and buffer, and may complete on two
// workers at once: mu guards the state they share (and is never held
// across a call into the package, so an emulated thread never waits on it).
type conn struct {
	srv    *server
	s      windows.Handle
	acc    op // the AcceptEx that accepted it
	rd, wr op
	accBuf [acceptData + 2*addrLen]byte
	data   [256]byte // the receive's buffer

	mu      sync.Mutex
	queue   []byte // received, not yet handed to a send
	sending bool   // the send side is running (a send is issued or about to be)
	eof     bool   // the client shut down its side

	// The send side's own: the bytes of the current send, which must stay
	// put until it completes.
	sendBuf          [256]byte
	sendOff, sendLen int
}

type server struct {
	opts     Options
	ls, port windows.Handle
	addr     windows.SockaddrInet4
	skip     bool         // accepted sockets use FILE_SKIP_COMPLETION_PORT_ON_SUCCESS
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

// skipModeDependable says whether every TCP provider in the catalogue
// handles FILE_SKIP_COMPLETION_PORT_ON_SUCCESS, the check Go's
// internal/poll makes (checkSetFileCompletionNotificationModes): each
// entry must have XP1_IFS_HANDLES (the WSAPROTOCOL_INFOW page,
// https://learn.microsoft.com/windows/win32/api/winsock2/ns-winsock2-wsaprotocol_infow).
func skipModeDependable() bool {
	protos := [2]int32{windows.IPPROTO_TCP, 0}
	var buf [32]windows.WSAProtocolInfo
	n := uint32(unsafe.Sizeof(buf))
	count, err := windows.WSAEnumProtocols(&protos[0], &buf[0], &n)
	if err != nil || count <= 0 {
		return false
	}
	for _, p := range buf[:count] {
		if p.ServiceFlags1&windows.XP1_IFS_HANDLES == 0 {
			return false
		}
	}
	return true
}

func newServer(opts Options) (*server, error) {
	s := &server{opts: opts, skip: skipModeDependable()}
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
	// With the skip mode an operation that succeeds at once posts no
	// packet and is finished inline. It is only dependable when every TCP
	// provider is an IFS one: a non-IFS provider completes through
	// WPUCompleteOverlappedRequest, which posts the packet anyway (Microsoft
	// KB 2568167; https://github.com/golang/go/issues/22149; the
	// SetFileCompletionNotificationModes page,
	// https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-setfilecompletionnotificationmodes).
	// Without it every completion, immediate or not, comes from the port.
	if s.skip {
		if err := windows.SetFileCompletionNotificationModes(c.s, windows.FILE_SKIP_COMPLETION_PORT_ON_SUCCESS|windows.FILE_SKIP_SET_EVENT_ON_HANDLE); err != nil {
			c.close(fmt.Errorf("SetFileCompletionNotificationModes: %w", err))
			return
		}
	}
	if qty == 0 {
		c.close(errors.New("AcceptEx completed without the first message"))
		return
	}
	// The first bytes came with the accept: handle them as a receive.
	c.received(qty, nil, c.accBuf[:qty]...)
}

// issueRecv posts the next receive. It reports the result when the
// receive is finished here (immediate success under the skip mode, or a
// failure), and pending when a packet will bring it.
func (c *conn) issueRecv() (qty uint32, err error, pending bool) {
	c.rd.start()
	c.rd.buf = windows.WSABuf{Len: uint32(len(c.data)), Buf: &c.data[0]}
	c.rd.flags = 0
	err = windows.WSARecv(c.s, &c.rd.buf, 1, &c.rd.qty, &c.rd.flags, &c.rd.ov, nil)
	switch {
	case err == nil && c.srv.skip && c.srv.opts.WaitOnSkippedSuccess:
		// BUG (seeded): with the skip mode no packet will come for this
		// receive; waiting for one stalls the connection.
		return 0, nil, true
	case err == nil && c.srv.skip:
		// Immediate success under the skip mode: no packet is queued
		// (https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-setfilecompletionnotificationmodes),
		// so it is finished here, as internal/poll's execIO does.
		if ferr := c.rd.finish(); ferr != nil {
			return 0, ferr, false
		}
		return c.rd.qty, nil, false
	case err == nil, err == windows.ERROR_IO_PENDING:
		// A packet will come (without the skip mode, for an immediate
		// success too); the count was not written for a pending one
		// (https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-wsarecv).
		return 0, nil, true
	default:
		c.rd.busy = false
		return 0, fmt.Errorf("WSARecv: %w", err), false
	}
}

// received handles a finished receive of qty bytes (in c.data, or given
// as first for the accept's bytes) and keeps the receive side going: the
// next receive is posted before the bytes are echoed, so the client, which
// waits for its echo before it sends again, has nothing in flight then.
func (c *conn) received(qty uint32, err error, first ...byte) {
	for {
		if err != nil {
			c.close(fmt.Errorf("receive: %w", err))
			return
		}
		c.mu.Lock()
		if first != nil {
			c.queue = append(c.queue, first...)
			first = nil
		} else if qty == 0 {
			c.eof = true
		} else {
			c.queue = append(c.queue, c.data[:qty]...)
		}
		kick := !c.sending && len(c.queue) > 0
		if kick {
			c.sending = true
		}
		done, eof := c.eof && !c.sending, c.eof
		c.mu.Unlock()
		pending := true
		if !eof {
			qty, err, pending = c.issueRecv()
		}
		if kick {
			c.sendNext()
		}
		if done {
			c.close(nil)
			return
		}
		if eof || pending {
			return
		}
	}
}

// sendNext runs the send side until a send pends or nothing is left.
func (c *conn) sendNext() {
	for {
		c.mu.Lock()
		if c.sendOff == c.sendLen {
			if len(c.queue) == 0 {
				c.sending = false
				done := c.eof
				c.mu.Unlock()
				if done {
					c.close(nil)
				}
				return
			}
			c.sendLen, c.sendOff = copy(c.sendBuf[:], c.queue), 0
			c.queue = append(c.queue[:0], c.queue[c.sendLen:]...)
		}
		off, end := c.sendOff, c.sendLen
		c.mu.Unlock()
		c.wr.start()
		c.wr.buf = windows.WSABuf{Len: uint32(end - off), Buf: &c.sendBuf[off]}
		err := windows.WSASend(c.s, &c.wr.buf, 1, &c.wr.qty, 0, &c.wr.ov, nil)
		switch {
		case err == nil && c.srv.skip:
			// Finished here: no packet (the skip mode).
			if ferr := c.wr.finish(); ferr != nil {
				c.close(ferr)
				return
			}
			c.sendOff += int(c.wr.qty)
		case err == nil, err == windows.ERROR_IO_PENDING:
			return // sent finishes it from the packet
		default:
			c.wr.busy = false
			c.close(fmt.Errorf("WSASend: %w", err))
			return
		}
	}
}

// sent finishes a send from its packet and goes on with the send side.
func (c *conn) sent(qty uint32, err error) {
	if err != nil {
		c.close(fmt.Errorf("send: %w", err))
		return
	}
	c.sendOff += int(qty)
	c.sendNext()
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

// Result says how the exchange ran.
type Result struct {
	// SkipOnSuccess: every TCP provider was an IFS one, so the accepted
	// sockets used FILE_SKIP_COMPLETION_PORT_ON_SUCCESS.
	SkipOnSuccess bool
}

// Exchange runs the whole echo exchange; call it on an emulated thread
// (inside windows.Run) or, on Windows, on any goroutine.
func Exchange(opts Options) (Result, error) {
	var res Result
	err := exchange(opts, &res)
	return res, err
}

func exchange(opts Options, res *Result) error {
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
	res.SkipOnSuccess = s.skip
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
