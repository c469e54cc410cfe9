// Package udproutine is a UDP server that takes its datagrams through
// completion routines, written against golang.org/x/sys/windows' names
// (through github.com/wsaemu/wsaemu/windows):
//
//   - several WSARecvFrom calls are kept posted, each with its own
//     OVERLAPPED, buffer and address record, and the same completion
//     routine made with NewCallback;
//   - the server thread sleeps alertably (SleepEx) and the routines run
//     inside that sleep; each routine handles the datagram of the record it
//     is given and posts the next receive into that same record;
//   - at the end the socket is closed and the thread keeps sleeping
//     alertably until every posted receive has reported (aborted), so no
//     routine is left to run on freed records.
//
// Exchange runs the server and a client thread in one process on loopback.
package udproutine

import (
	"fmt"
	"runtime"
	"sync"
	"unsafe"

	"github.com/wsaemu/wsaemu/windows"
)

// Options sizes the exchange; zero fields take the defaults.
type Options struct {
	Datagrams int // datagrams the client sends (default 16)
	Receives  int // receives the server keeps posted (default 3)

	// TrustIssueOrder seeds bug (b): the routine ignores the record it is
	// given and takes "the next one" in the order the receives were posted,
	// assuming routines run in that order. They usually do; the pages do not
	// promise it, and when they run otherwise the routine reads a buffer
	// that has not been filled and posts a receive into a record that is
	// still in use.
	TrustIssueOrder bool
}

func (o Options) withDefaults() Options {
	if o.Datagrams <= 0 {
		o.Datagrams = 16
	}
	if o.Receives <= 0 {
		o.Receives = 3
	}
	return o
}

const payloadLen = 48

// recvRec is one posted receive. Its Overlapped comes first, so the
// *Overlapped the routine is given converts back to the record. A record
// is used by one receive at a time, and its buffer and address fields are
// Windows' to write until that receive has completed
// (https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-wsarecvfrom:
// lpFrom and lpFromlen must stay valid until the operation completes).
type recvRec struct {
	ov      windows.Overlapped
	srv     *server
	idx     int
	buf     [payloadLen + 16]byte
	wsabuf  windows.WSABuf
	from    windows.RawSockaddrAny
	fromLen int32
	flags   uint32
	qty     uint32
	posted  bool
}

type server struct {
	opts        Options
	s           windows.Handle
	recs        []recvRec
	next        int // the record the buggy routine takes next
	seen        []bool
	got         int
	outstanding int // receives posted and not yet reported
	closing     bool
	clientPort  int
	err         error
}

var (
	routineOnce sync.Once
	routine     uintptr
)

// completionRoutine is LPWSAOVERLAPPED_COMPLETION_ROUTINE
// (https://learn.microsoft.com/windows/win32/api/winsock2/nc-winsock2-lpwsaoverlapped_completion_routine).
// One callback serves every record: NewCallback makes a limited number of
// them per process, so it is made once.
func completionRoutine(errCode, qty uint32, ov *windows.Overlapped, flags uint32) uintptr {
	rec := (*recvRec)(unsafe.Pointer(ov))
	rec.srv.completed(rec, errCode, qty)
	return 0
}

// croutine is the routine pointer as x/sys's WSARecvFrom takes it (*byte);
// the conversion through memory keeps go vet's unsafeptr check quiet about
// turning a uintptr into a pointer.
func croutine() *byte {
	routineOnce.Do(func() { routine = windows.NewCallback(completionRoutine) })
	return *(**byte)(unsafe.Pointer(&routine))
}

func (s *server) fail(err error) {
	if s.err == nil {
		s.err = err
	}
}

// post starts a receive into rec. Even when the receive completes at once
// its routine is still queued and runs in a later alertable wait
// (https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-wsarecvfrom,
// lpCompletionRoutine), so the result is handled only in the routine.
func (s *server) post(rec *recvRec) {
	rec.ov = windows.Overlapped{} // its previous receive has completed
	rec.wsabuf = windows.WSABuf{Len: payloadLen + 16, Buf: &rec.buf[0]}
	rec.fromLen = int32(unsafe.Sizeof(rec.from))
	rec.flags = 0
	err := windows.WSARecvFrom(s.s, &rec.wsabuf, 1, &rec.qty, &rec.flags, &rec.from, &rec.fromLen, &rec.ov, croutine())
	if err != nil && err != windows.ERROR_IO_PENDING {
		s.fail(fmt.Errorf("WSARecvFrom: %w", err))
		return
	}
	rec.posted = true
	s.outstanding++
}

// completed is the routine's body: it runs on the server thread, inside
// SleepEx, one routine at a time.
func (s *server) completed(rec *recvRec, errCode, qty uint32) {
	if !rec.posted {
		s.fail(fmt.Errorf("routine for record %d, which has no receive posted", rec.idx))
		return
	}
	if s.opts.TrustIssueOrder {
		// BUG (seeded): "routines run in the order the receives were
		// posted", so the next record in that order is taken to be the
		// one that completed.
		rec = &s.recs[s.next]
		s.next = (s.next + 1) % len(s.recs)
	}
	rec.posted = false
	s.outstanding--
	if errCode != 0 {
		if s.closing && windows.Errno(errCode) == windows.ERROR_OPERATION_ABORTED {
			return // closed under it: expected at the end
		}
		s.fail(fmt.Errorf("receive %d completed with %v", rec.idx, windows.Errno(errCode)))
		return
	}
	if err := s.check(rec, int(qty)); err != nil {
		s.fail(err)
		return
	}
	if !s.closing && s.got+s.outstanding < s.opts.Datagrams {
		s.post(rec) // the same record, now that its receive is over
	}
}

// check verifies one datagram: its sender is the client, its payload is
// intact and its number was not seen before.
func (s *server) check(rec *recvRec, n int) error {
	if n != payloadLen {
		return fmt.Errorf("record %d: %d bytes, want %d", rec.idx, n, payloadLen)
	}
	raw := (*windows.RawSockaddrInet4)(unsafe.Pointer(&rec.from))
	port := int(raw.Port>>8) | int(raw.Port&0xff)<<8 // network byte order
	if raw.Family != windows.AF_INET || raw.Addr != [4]byte{127, 0, 0, 1} || port != s.clientPort {
		return fmt.Errorf("record %d: sender family %d %v port %d, want 127.0.0.1:%d", rec.idx, raw.Family, raw.Addr, port, s.clientPort)
	}
	seq := int(rec.buf[0])<<8 | int(rec.buf[1])
	if seq >= len(s.seen) || string(rec.buf[:n]) != string(payload(seq)) {
		return fmt.Errorf("record %d: datagram %q is not one the client sent", rec.idx, rec.buf[:n])
	}
	if s.seen[seq] {
		return fmt.Errorf("record %d: datagram %d handled twice", rec.idx, seq)
	}
	s.seen[seq] = true
	s.got++
	return nil
}

// payload is datagram seq's content: its number, then a pattern.
func payload(seq int) []byte {
	p := make([]byte, payloadLen)
	p[0], p[1] = byte(seq>>8), byte(seq)
	for i := 2; i < payloadLen; i++ {
		p[i] = byte('a' + (seq+i)%26)
	}
	return p
}

// rawInet4 is sa as the sockaddr_in WSASendTo takes.
func rawInet4(sa *windows.SockaddrInet4) (windows.RawSockaddrAny, int32) {
	var any windows.RawSockaddrAny
	raw := (*windows.RawSockaddrInet4)(unsafe.Pointer(&any))
	raw.Family = windows.AF_INET
	raw.Port = uint16(sa.Port>>8) | uint16(sa.Port&0xff)<<8
	raw.Addr = sa.Addr
	return any, int32(unsafe.Sizeof(*raw))
}

func localInet4(s windows.Handle) (*windows.SockaddrInet4, error) {
	sa, err := windows.Getsockname(s)
	if err != nil {
		return nil, fmt.Errorf("getsockname: %w", err)
	}
	in4, ok := sa.(*windows.SockaddrInet4)
	if !ok {
		return nil, fmt.Errorf("getsockname: %T, want an IPv4 address", sa)
	}
	return in4, nil
}

// client sends every datagram with blocking WSASendTo calls.
func client(c windows.Handle, to *windows.SockaddrInet4, n int) error {
	raw, rawLen := rawInet4(to)
	for seq := 0; seq < n; seq++ {
		p := payload(seq)
		b := windows.WSABuf{Len: uint32(len(p)), Buf: &p[0]}
		var sent uint32
		if err := windows.WSASendTo(c, &b, 1, &sent, 0, &raw, rawLen, nil, nil); err != nil {
			return fmt.Errorf("client: WSASendTo %d: %w", seq, err)
		}
		if sent != payloadLen {
			return fmt.Errorf("client: WSASendTo %d sent %d bytes", seq, sent)
		}
	}
	return nil
}

func udpSocket() (windows.Handle, *windows.SockaddrInet4, error) {
	s, err := windows.WSASocket(windows.AF_INET, windows.SOCK_DGRAM, windows.IPPROTO_UDP, nil, 0, windows.WSA_FLAG_OVERLAPPED)
	if err != nil {
		return windows.InvalidHandle, nil, fmt.Errorf("WSASocket: %w", err)
	}
	if err := windows.Bind(s, &windows.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		windows.Closesocket(s)
		return windows.InvalidHandle, nil, fmt.Errorf("bind: %w", err)
	}
	sa, err := localInet4(s)
	if err != nil {
		windows.Closesocket(s)
		return windows.InvalidHandle, nil, err
	}
	return s, sa, nil
}

// Exchange runs the server on the calling thread and the client on another
// one; call it on an emulated thread (inside windows.Run) or, on Windows,
// on any goroutine.
func Exchange(opts Options) error {
	opts = opts.withDefaults()
	// Completion routines run as APCs on the OS thread that issued the
	// I/O, and only when that thread waits alertably
	// (https://learn.microsoft.com/windows/win32/sync/asynchronous-procedure-calls):
	// the goroutine must stay on one OS thread from the first receive to
	// the last alertable wait.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var wsa windows.WSAData
	if err := windows.WSAStartup(uint32(0x0202), &wsa); err != nil {
		return fmt.Errorf("WSAStartup: %w", err)
	}
	defer windows.WSACleanup()

	srvSock, srvAddr, err := udpSocket()
	if err != nil {
		return err
	}
	cliSock, cliAddr, err := udpSocket()
	if err != nil {
		windows.Closesocket(srvSock)
		return err
	}
	defer windows.Closesocket(cliSock)
	s := &server{opts: opts, s: srvSock, recs: make([]recvRec, opts.Receives), seen: make([]bool, opts.Datagrams), clientPort: cliAddr.Port}
	for i := range s.recs {
		s.recs[i].srv, s.recs[i].idx = s, i
		s.post(&s.recs[i])
	}

	done, err := windows.CreateEvent(nil, 1, 0, nil)
	if err != nil {
		return fmt.Errorf("CreateEvent: %w", err)
	}
	defer windows.CloseHandle(done)
	var cerr error
	windows.Go(func() {
		cerr = client(cliSock, srvAddr, opts.Datagrams)
		windows.SetEvent(done)
	})

	// The server's loop: routines run only in alertable waits; SleepEx
	// returns WAIT_IO_COMPLETION after running them.
	for s.err == nil && s.got < opts.Datagrams {
		if r := windows.SleepEx(windows.INFINITE, true); r != windows.WAIT_IO_COMPLETION {
			s.fail(fmt.Errorf("SleepEx returned %#x, want WAIT_IO_COMPLETION", r))
		}
	}
	// Close the socket: the receives still posted complete as aborted, and
	// their routines must run before the records go away.
	s.closing = true
	windows.Closesocket(srvSock)
	for s.outstanding > 0 {
		if r := windows.SleepEx(windows.INFINITE, true); r != windows.WAIT_IO_COMPLETION {
			return fmt.Errorf("draining: SleepEx returned %#x with %d receives outstanding", r, s.outstanding)
		}
	}
	if _, err := windows.WaitForSingleObject(done, windows.INFINITE); err != nil {
		return fmt.Errorf("wait for the client: %w", err)
	}
	if s.err != nil {
		return s.err
	}
	if cerr != nil {
		return cerr
	}
	if s.got != opts.Datagrams {
		return fmt.Errorf("server took %d datagrams, want %d", s.got, opts.Datagrams)
	}
	return nil
}
