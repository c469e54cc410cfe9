//go:build !windows || wsaemu

package windows

import (
	"net/netip"
	"syscall"
	"unsafe"

	"github.com/wsaemu/wsaemu/emu"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// Errors. The emulator reports wsaoverlapped.Errno values; the package
// reports syscall.Errno values with the same numbers. Turning a number of
// 256 or more into an error allocates, so the results of the hot path are
// boxed once.
var (
	errIOPending    error = ERROR_IO_PENDING
	errIOIncomplete error = ERROR_IO_INCOMPLETE
	errWaitTimeout  error = WAIT_TIMEOUT
)

// errnoErr turns an emulator error into the package's: a Windows code as
// syscall.Errno, emu.ErrWrongThread as ERROR_INVALID_THREAD_ID, anything
// else (a machine that has stopped) as it is.
func errnoErr(err error) error {
	if err == nil {
		return nil
	}
	if e, ok := err.(wso.Errno); ok {
		switch e {
		case wso.ERROR_IO_PENDING:
			return errIOPending
		case wso.ERROR_IO_INCOMPLETE:
			return errIOIncomplete
		case wso.WAIT_TIMEOUT:
			return errWaitTimeout
		}
		return syscall.Errno(e)
	}
	if err == emu.ErrWrongThread {
		return errNoThread
	}
	return err
}

// stPending is Internal while an operation is in progress (STATUS_PENDING
// for an IFS provider, WSS_OPERATION_IN_PROGRESS for a non-IFS one: both
// 0x103).
const stPending = wso.WSS_OPERATION_IN_PROGRESS

// rec is the package's scratch memory for one of the program's records:
// the emulator's form of the call's arguments, which the emulator may keep
// while the operation pends. It is reused by the next call on the same
// record, so a program that reuses its records allocates nothing.
type rec struct {
	ov   *Overlapped
	bufs []emu.WSABUF
	addr netip.AddrPort
	msg  emu.WSAMSG
	// The write-back of a receive that reports an address or a message
	// header: done once the operation has completed.
	rawFrom    unsafe.Pointer // the program's SOCKADDR
	rawFromLen int32          // its room
	umsg       *WSAMsg
	queued     bool // in ioState.fixups
	busy       bool // a thread's scratch for calls without a record: in use
}

// ioState is the package's per-machine memory.
type ioState struct {
	recs   map[*Overlapped]*rec
	fixups []*rec
	// threads holds each thread's scratch for calls without a record
	// (they do not pend, but may block, and another thread may run then).
	threads map[*emu.Thread]*rec
	// Caches in front of the two maps, so the usual call costs a compare:
	// the last thread's scratch, and records by their address.
	lastT  *emu.Thread
	lastR  *rec
	recent [64]*rec
}

// slot is ov's place in ioState.recent (records are 32 bytes apart at
// least).
func slot(ov *Overlapped) uintptr { return uintptr(unsafe.Pointer(ov)) >> 5 & 63 }

// maxRecs bounds the record map: past it, records that are not in flight
// are forgotten (a program that makes a new record per call).
const maxRecs = 1 << 14

// recFor returns the scratch for a call of thread t on ov; the caller
// hands it back with end. A nil ov (a call that does not pend) uses the
// thread's scratch, or fresh scratch when that is in use (a blocking call
// made by an APC that interrupted another). A record that is still in
// flight (the program reuses it too early, which the sanitizer reports)
// gets fresh scratch too, so the emulator's view of an in-flight
// operation is never overwritten.
func (s *ioState) recFor(t *emu.Thread, ov *Overlapped) *rec {
	if ov == nil {
		r := s.lastR
		if s.lastT != t {
			r = s.threads[t]
		}
		if r == nil {
			if s.threads == nil {
				s.threads = make(map[*emu.Thread]*rec)
			}
			r = &rec{}
			s.threads[t] = r
		} else if r.busy {
			return &rec{}
		}
		s.lastT, s.lastR = t, r
		r.busy, r.rawFrom, r.umsg = true, nil, nil
		return r
	}
	if ov.LoadInternal() == stPending {
		return &rec{ov: ov}
	}
	if r := s.recent[slot(ov)]; r != nil && r.ov == ov && !r.queued {
		r.rawFrom, r.umsg = nil, nil
		return r
	}
	if r, ok := s.recs[ov]; ok {
		s.recent[slot(ov)] = r
		if r.queued {
			return &rec{ov: ov}
		}
		r.rawFrom, r.umsg = nil, nil
		return r
	}
	if s.recs == nil {
		s.recs = make(map[*Overlapped]*rec)
	}
	if len(s.recs) >= maxRecs {
		for k, r := range s.recs {
			if !r.queued && k.LoadInternal() != stPending {
				delete(s.recs, k)
			}
		}
	}
	r := &rec{ov: ov}
	s.recs[ov] = r
	s.recent[slot(ov)] = r
	return r
}

// end hands r back after the call.
func (r *rec) end() { r.busy = false }

// wsaBufs is the emulator's form of the program's WSABUF array, over the
// program's own memory.
func (r *rec) wsaBufs(p *WSABuf, n uint32) []emu.WSABUF {
	r.bufs = r.bufs[:0]
	if p == nil {
		return nil
	}
	for _, b := range unsafe.Slice(p, n) {
		var buf []byte
		if b.Buf != nil {
			buf = unsafe.Slice(b.Buf, b.Len)
		}
		r.bufs = append(r.bufs, emu.WSABUF{Len: b.Len, Buf: buf})
	}
	return r.bufs
}

// done finishes a receive that reports an address or a header: at once
// when it completed, later (flush) when it pends, not at all when it failed.
func (s *ioState) done(r *rec, err error) {
	switch {
	case err == nil:
		r.writeBack()
	case err == errIOPending && r.ov != nil:
		if !r.queued {
			r.queued = true
			s.fixups = append(s.fixups, r)
		}
	}
}

// flush writes back every queued receive whose record has completed.
func (s *ioState) flush() {
	if len(s.fixups) == 0 {
		return
	}
	keep := s.fixups[:0]
	for _, r := range s.fixups {
		if r.ov.LoadInternal() == stPending {
			keep = append(keep, r)
			continue
		}
		r.queued = false
		r.writeBack()
	}
	clear(s.fixups[len(keep):])
	s.fixups = keep
}

// flushFixups is flush for the running machine (a completion routine
// has no machine argument).
func flushFixups() {
	if m := active.Load(); m != nil {
		m.io.flush()
	}
}

// writeBack copies what the emulator wrote into the scratch to the
// program's own structures: the sender's SOCKADDR, and WSAMsg's
// Namelen, Control.Len and Flags.
func (r *rec) writeBack() {
	if r.rawFrom != nil && r.addr.IsValid() {
		putAddrPort(r.rawFrom, r.rawFromLen, r.addr)
	}
	if m := r.umsg; m != nil {
		if m.Name != nil && r.msg.Name != nil && r.msg.Name.IsValid() {
			putAddrPort(unsafe.Pointer(m.Name), m.Namelen, *r.msg.Name)
		}
		m.Namelen = r.msg.Namelen
		m.Control.Len = r.msg.Control.Len
		m.Flags = r.msg.Flags
	}
}

// routineOf maps a croutine argument to the emulator's routine: nil for
// none, an error for a value NewCallback did not return.
func routineOf(croutine *byte) (emu.WSACompletionRoutine, error) {
	if croutine == nil {
		return nil, nil
	}
	cb := lookupCallback(uintptr(unsafe.Pointer(croutine)))
	if cb == nil || cb.wsa == nil {
		return nil, WSAEFAULT
	}
	return cb.wsa, nil
}

// bytesOf is the program's buffer p of n bytes as a slice.
func bytesOf(p *byte, n uint32) []byte {
	if p == nil {
		return nil
	}
	return unsafe.Slice(p, n)
}
