package emu

import (
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// packet is one completion packet.
type packet struct {
	key    uintptr
	ov     *Overlapped
	n      uint32
	status NTStatus
	errno  Errno // from WPUCompleteOverlappedRequest: the provider's error as given
	// iosb, when not nil, is the status block written when the packet is
	// taken (a request completed through the port after it pended, under
	// the docs profile). It is the request's record, which is ov unless
	// the request named an ApcContext of its own.
	iosb *Overlapped
}

// OverlappedEntry is OVERLAPPED_ENTRY, one packet as
// GetQueuedCompletionStatusEx returns it.
type OverlappedEntry struct {
	CompletionKey            uintptr
	Overlapped               *Overlapped
	Internal                 uintptr
	NumberOfBytesTransferred uint32
}

// port is an I/O completion port: packets in FIFO order, waiting threads
// released last-in first-out (the most recent waiter is woken first, so a
// busy thread keeps its cache warm).
type port struct {
	handle      Handle
	packets     []packet
	ph          int
	waiters     []*Thread
	concurrency uint32
	closedFlag  bool
}

func (p *port) kind() objKind { return kindPort }

func (p *port) queued() int { return len(p.packets) - p.ph }

func (p *port) popPacket() packet {
	pk := p.packets[p.ph]
	p.packets[p.ph] = packet{}
	p.ph++
	if p.ph == len(p.packets) {
		p.packets, p.ph = p.packets[:0], 0
	}
	return pk
}

func (p *port) removeWaiter(t *Thread) {
	for i, x := range p.waiters {
		if x == t {
			copy(p.waiters[i:], p.waiters[i+1:])
			p.waiters[len(p.waiters)-1] = nil
			p.waiters = p.waiters[:len(p.waiters)-1]
			return
		}
	}
}

// close implements object: threads waiting on the port are released with
// ERROR_ABANDONED_WAIT_0 and queued packets are discarded.
func (p *port) close(s *System, t *Thread, h Handle) Errno {
	s.handles.remove(h)
	p.closedFlag = true
	for len(p.waiters) > 0 {
		w := p.waiters[len(p.waiters)-1]
		s.wakeThread(w, wakePortClosed, "port-closed")
	}
	p.packets, p.ph = nil, 0
	return 0
}

// postPacket queues a packet, handing it straight to the most recent
// waiting thread if there is one.
func (s *System) postPacket(p *port, pk packet) {
	if p.closedFlag {
		s.note(nil, "packet for ov%d dropped: port %#x is closed", s.OverlappedID(pk.ov), uint64(p.handle))
		return
	}
	if s.trace != nil {
		// Only when tracing: OverlappedID would otherwise remember every
		// record posted, for ever.
		s.emit(Event{Thread: s.current.tid(), Kind: EvPacketPosted, Handle: p.handle, Old: uint64(pk.key), Ov: s.OverlappedID(pk.ov), N: uint64(pk.n), New: uint64(pk.status)})
	}
	if n := len(p.waiters); n > 0 {
		w := p.waiters[n-1]
		w.w.pkt = pk
		s.wakeThread(w, wakePacket, "packet")
		return
	}
	p.packets = append(p.packets, pk)
}

// CreateIoCompletionPort implements CreateIoCompletionPort. With file ==
// INVALID_HANDLE_VALUE and existing == 0 it creates a port. With a file
// handle it associates the file with existing (or with a new port when
// existing is 0), under key, and returns the port. A file can be associated
// with one port only, and only if it was opened for overlapped I/O: a second
// association, or one of a synchronous handle, fails with
// ERROR_INVALID_PARAMETER.
// https://learn.microsoft.com/windows/win32/fileio/createiocompletionport
func (t *Thread) CreateIoCompletionPort(file, existing Handle, key uintptr, concurrency uint32) (Handle, error) {
	s := t.s
	const name = "CreateIoCompletionPort"
	var args *callArgs
	if s.trace != nil {
		args = &callArgs{}
		args.setFmt(argsCreateIOCP, "", uint64(file), uint64(existing), uint64(key), uint64(concurrency))
	}
	if err := t.enterArgs(name, args); err != nil {
		return 0, err
	}
	var p *port
	if existing != 0 {
		o, e := s.lookup(t, existing, kindPort)
		if e != 0 {
			return 0, t.fail(name, 0, e)
		}
		p = o.(*port)
	}
	if file == INVALID_HANDLE_VALUE {
		if p != nil {
			return 0, t.fail(name, 0, wso.ERROR_INVALID_PARAMETER)
		}
	} else {
		o, e := s.lookup(t, file, 0)
		if e != 0 {
			return 0, t.fail(name, 0, e)
		}
		fl, ok := o.(fileLike)
		if !ok {
			return 0, t.fail(name, 0, wso.ERROR_INVALID_HANDLE)
		}
		f := fl.fobj()
		if f.port != nil || !f.overlapped {
			// One port per handle, and only a handle opened for overlapped
			// I/O may have one: a synchronous handle's blocking calls have
			// no record of the caller's to report in a packet.
			return 0, t.fail(name, 0, wso.ERROR_INVALID_PARAMETER)
		}
		if p == nil {
			p = s.newPort(concurrency)
		}
		f.port, f.portKey = p, key
		t.ok(name, uint64(p.handle))
		return p.handle, nil
	}
	p = s.newPort(concurrency)
	t.ok(name, uint64(p.handle))
	return p.handle, nil
}

func (s *System) newPort(concurrency uint32) *port {
	p := s.rec.ports.get(s.reusable())
	p.concurrency = concurrency
	p.handle = s.handles.add(p)
	return p
}

// GetQueuedCompletionStatus implements GetQueuedCompletionStatus: it takes
// the oldest packet from the port, waiting up to ms for one. On a timeout
// it sets *ov to nil, leaves *n and *key alone and fails with WAIT_TIMEOUT;
// if the port is closed while it waits it sets *ov to nil and fails with
// ERROR_ABANDONED_WAIT_0. A packet for a failed operation fills all three
// and fails with the operation's Win32 error.
// https://learn.microsoft.com/windows/win32/api/ioapiset/nf-ioapiset-getqueuedcompletionstatus
func (t *Thread) GetQueuedCompletionStatus(h Handle, n *uint32, key *uintptr, ov **Overlapped, ms uint32) error {
	s := t.s
	const name = "GetQueuedCompletionStatus"
	var args *callArgs
	if s.trace != nil {
		args = &callArgs{lay: argsHMsAlert, a: argVals{uint64(h), msAlert(ms, false)}}
	}
	if err := t.enterArgs(name, args); err != nil {
		return err
	}
	if n == nil || key == nil || ov == nil {
		return t.fail(name, 0, wso.ERROR_INVALID_PARAMETER)
	}
	o, e := s.lookup(t, h, kindPort)
	if e != 0 {
		return t.fail(name, 0, e)
	}
	p := o.(*port)
	pk, why := t.portWait(name, p, ms, false)
	switch why {
	case wakeTimeout:
		*ov = nil
		return t.fail(name, 0, wso.WAIT_TIMEOUT)
	case wakePortClosed:
		*ov = nil
		return t.fail(name, 0, wso.ERROR_ABANDONED_WAIT_0)
	}
	*n, *key, *ov = pk.n, pk.key, pk.ov
	if pk.errno != 0 {
		return t.fail(name, 0, pk.errno)
	}
	if !pk.status.IsSuccess() {
		return t.fail(name, 0, pk.status.Win32Error())
	}
	t.ok(name, 1)
	return nil
}

// portWait takes one packet, waiting for it if need be. why is wakePacket
// when a packet was taken.
func (t *Thread) portWait(name string, p *port, ms uint32, alertable bool) (packet, int) {
	s := t.s
	if p.queued() > 0 {
		return s.dequeued(t, p, p.popPacket()), wakePacket
	}
	if alertable && t.apcs.HasEligible() {
		t.drainAPCs()
		return packet{}, wakeAPC
	}
	if ms == 0 {
		return packet{}, wakeTimeout
	}
	w := &t.w
	w.call, w.kind, w.port, w.alertable, w.n = name, waitPort, p, alertable, 0
	w.setTimeout(s.now, ms)
	p.waiters = append(p.waiters, t)
	s.block(t)
	why := w.woke
	pk := w.pkt
	w.pkt = packet{}
	t.clearWait()
	switch why {
	case wakePacket:
		return s.dequeued(t, p, pk), wakePacket
	case wakeAPC:
		t.drainAPCs()
	}
	return packet{}, why
}

func (s *System) dequeued(t *Thread, p *port, pk packet) packet {
	s.progressed()
	if pk.iosb != nil {
		wso.CompleteIFS(pk.iosb, pk.status, uintptr(pk.n), s.observer())
	}
	if s.trace != nil {
		s.emit(Event{Thread: t.id, Kind: EvPacketDequeued, Handle: p.handle, Old: uint64(pk.key), Ov: s.OverlappedID(pk.ov), N: uint64(pk.n), New: uint64(pk.status)})
	}
	return pk
}

// GetQueuedCompletionStatusEx implements GetQueuedCompletionStatusEx: it
// removes up to len(entries) packets at once, waiting up to ms for the
// first, alertably if asked. It succeeds when at least one packet was
// removed, even for failed operations (each entry's Internal holds the
// status); it fails with WAIT_TIMEOUT, with WAIT_IO_COMPLETION when APCs
// ran, and with ERROR_ABANDONED_WAIT_0 when the port is closed.
// https://learn.microsoft.com/windows/win32/api/ioapiset/nf-ioapiset-getqueuedcompletionstatusex
func (t *Thread) GetQueuedCompletionStatusEx(h Handle, entries []OverlappedEntry, removed *uint32, ms uint32, alertable bool) error {
	s := t.s
	const name = "GetQueuedCompletionStatusEx"
	var args *callArgs
	if s.trace != nil {
		args = &callArgs{lay: argsHCountMsAlert, a: argVals{uint64(h), uint64(len(entries)), msAlert(ms, alertable)}}
	}
	if err := t.enterArgs(name, args); err != nil {
		return err
	}
	if len(entries) == 0 || removed == nil {
		return t.fail(name, 0, wso.ERROR_INVALID_PARAMETER)
	}
	o, e := s.lookup(t, h, kindPort)
	if e != 0 {
		return t.fail(name, 0, e)
	}
	p := o.(*port)
	*removed = 0
	pk, why := t.portWait(name, p, ms, alertable)
	switch why {
	case wakeTimeout:
		return t.fail(name, 0, wso.WAIT_TIMEOUT)
	case wakePortClosed:
		return t.fail(name, 0, wso.ERROR_ABANDONED_WAIT_0)
	case wakeAPC:
		return t.fail(name, 0, Errno(wso.WAIT_IO_COMPLETION))
	}
	i := 0
	for {
		entries[i] = OverlappedEntry{CompletionKey: pk.key, Overlapped: pk.ov, Internal: uintptr(pk.status), NumberOfBytesTransferred: pk.n}
		i++
		if i == len(entries) || p.queued() == 0 {
			break
		}
		pk = s.dequeued(t, p, p.popPacket())
	}
	*removed = uint32(i)
	t.ok(name, uint64(i))
	return nil
}

// PostQueuedCompletionStatus implements PostQueuedCompletionStatus: it
// queues a packet carrying n, key and ov (with a success status).
// https://learn.microsoft.com/windows/win32/fileio/postqueuedcompletionstatus
func (t *Thread) PostQueuedCompletionStatus(h Handle, n uint32, key uintptr, ov *Overlapped) error {
	s := t.s
	const name = "PostQueuedCompletionStatus"
	var args *callArgs
	if s.trace != nil && t.running() {
		args = &callArgs{lay: argsPost, a: argVals{uint64(h), uint64(n) | uint64(s.OverlappedID(ov))<<32, uint64(key)}}
	}
	if err := t.enterArgs(name, args); err != nil {
		return err
	}
	o, e := s.lookup(t, h, kindPort)
	if e != 0 {
		return t.fail(name, 0, e)
	}
	s.postPacket(o.(*port), packet{key: key, ov: ov, n: n})
	t.ok(name, 1)
	return nil
}

// SetFileCompletionNotificationModes implements
// SetFileCompletionNotificationModes. The flags only accumulate: a mode once
// set cannot be cleared. Unknown bits fail with ERROR_INVALID_PARAMETER.
// https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-setfilecompletionnotificationmodes
func (t *Thread) SetFileCompletionNotificationModes(h Handle, flags uint8) error {
	s := t.s
	const name = "SetFileCompletionNotificationModes"
	var args *callArgs
	if s.trace != nil {
		args = &callArgs{}
		args.setFmt(argsSetFCNM, "", uint64(h), uint64(flags))
	}
	if err := t.enterArgs(name, args); err != nil {
		return err
	}
	if flags&^(FILE_SKIP_COMPLETION_PORT_ON_SUCCESS|FILE_SKIP_SET_EVENT_ON_HANDLE) != 0 {
		return t.fail(name, 0, wso.ERROR_INVALID_PARAMETER)
	}
	o, e := s.lookup(t, h, 0)
	if e != 0 {
		return t.fail(name, 0, e)
	}
	fl, ok := o.(fileLike)
	if !ok {
		return t.fail(name, 0, wso.ERROR_INVALID_HANDLE)
	}
	fl.fobj().modes |= flags
	t.ok(name, 1)
	return nil
}
