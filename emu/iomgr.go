package emu

import (
	"github.com/wsaemu/wsaemu/apcqueue"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// SetFileCompletionNotificationModes flags, defined in wsaoverlapped.
const (
	FILE_SKIP_COMPLETION_PORT_ON_SUCCESS = wso.FILE_SKIP_COMPLETION_PORT_ON_SUCCESS
	FILE_SKIP_SET_EVENT_ON_HANDLE        = wso.FILE_SKIP_SET_EVENT_ON_HANDLE
)

// fileObject is the part of a file-like handle (a pipe end, an IFS socket)
// the I/O manager works with: the object's own signalled state, its
// completion port, its notification modes and its outstanding requests.
type fileObject struct {
	waitList
	handle     Handle
	signal     bool // the file object is itself waitable
	overlapped bool // opened for overlapped I/O
	port       *port
	portKey    uintptr
	modes      uint8
	pending    reqList // requests on this handle not yet complete
	dev        device
}

func (f *fileObject) list() *waitList          { return &f.waitList }
func (f *fileObject) isSignalled() bool        { return f.signal }
func (f *fileObject) acquire(*System, *Thread) {}
func (f *fileObject) fobj() *fileObject        { return f }
func (f *fileObject) portAssociated() bool     { return f.port != nil }

// fileLike is any object with a fileObject.
type fileLike interface {
	object
	fobj() *fileObject
	// cancelIO is CancelIo's and CancelIoEx's part: it asks to cancel the
	// pending requests on the object that use ov (all if nil) and were
	// issued by thread by (any thread's if nil), and reports whether it
	// found any.
	cancelIO(s *System, ov *Overlapped, by *Thread) bool
}

// cancelIO implements fileLike for the requests the I/O manager tracks.
func (f *fileObject) cancelIO(s *System, ov *Overlapped, by *Thread) bool {
	// Cancelling one request never completes another of the same file
	// within the walk (a pipe serves the writes a cancelled one made room
	// for as a system action of its own), so next stays valid.
	found := false
	for r := f.pending.head; r != nil; {
		next := r.fileNext
		if (by == nil || r.thread == by) && (ov == nil || r.ov == ov) {
			found = true
			s.requestCancel(r)
		}
		r = next
	}
	return found
}

// device is the driver behind a file object: it cancels a request still
// waiting on it (completing it with STATUS_CANCELLED through finish), and
// says whether a request still pending when its thread exits is cancelled.
type device interface {
	cancel(s *System, r *request)
	cancelAtThreadExit(s *System, r *request) bool
}

type reqState uint8

const (
	reqFree     reqState = iota
	reqWaiting           // queued on its device, result not known yet
	reqDeferred          // result decided; its completion waits as a system action
	reqDone
)

// request is one I/O request (an IRP): what was asked, by whom, and how its
// completion is to be reported.
type request struct {
	id     uint64
	op     string
	file   *fileObject
	thread *Thread
	ov     *Overlapped
	event  *event // hEvent with its low bit cleared, resolved at issue
	noPort bool   // hEvent had its low bit set: no completion packet
	// ctx is the ApcContext a native call named (ctxSet): the value its
	// port packet carries instead of ov, the status block.
	ctx    *Overlapped
	ctxSet bool
	// At most one of these is set: the routine to queue as an APC.
	routine    FileIOCompletionRoutine
	wsaRoutine WSACompletionRoutine
	apcKey     uintptr

	buf    []byte
	endPos int64 // pipe writes: stream position just past this write's data

	state     reqState
	immediate bool // completing within the call that issued it
	status    NTStatus
	n         uint32
	waiter    *Thread // synchronous I/O: the thread blocked until done
	internal  bool    // issued for a blocking call: no packet
	flags     uint32  // result flags a Winsock completion routine receives

	threadPrev, threadNext *request
	filePrev, fileNext     *request
	devPrev, devNext       *request
}

// reqList is an intrusive doubly linked list of requests; which pair of
// links it uses is fixed by the list's role.
type reqList struct {
	head, tail *request
	n          int
}

type linkRole uint8

const (
	linkThread linkRole = iota
	linkFile
	linkDev
)

func links(r *request, role linkRole) (prev, next **request) {
	switch role {
	case linkThread:
		return &r.threadPrev, &r.threadNext
	case linkFile:
		return &r.filePrev, &r.fileNext
	}
	return &r.devPrev, &r.devNext
}

func (l *reqList) push(r *request, role linkRole) {
	p, n := links(r, role)
	*p, *n = l.tail, nil
	if l.tail != nil {
		_, tn := links(l.tail, role)
		*tn = r
	} else {
		l.head = r
	}
	l.tail = r
	l.n++
}

func (l *reqList) remove(r *request, role linkRole) {
	p, n := links(r, role)
	if *p != nil {
		_, pn := links(*p, role)
		*pn = *n
	} else if l.head == r {
		l.head = *n
	} else {
		return // not on this list
	}
	if *n != nil {
		np, _ := links(*n, role)
		*np = *p
	} else {
		l.tail = *p
	}
	*p, *n = nil, nil
	l.n--
}

func (l *reqList) pop(role linkRole) *request {
	r := l.head
	if r != nil {
		l.remove(r, role)
	}
	return r
}

// newRequest takes a request from the arena and fills in who asked
// for what. The caller has validated the arguments already.
func (s *System) newRequest(t *Thread, f *fileObject, op string, ov *Overlapped, buf []byte) *request {
	r := s.rec.reqs.get(s.reusable())
	s.nextReqID++
	r.id = s.nextReqID
	r.op, r.file, r.thread, r.ov, r.buf = op, f, t, ov, buf
	r.state = reqWaiting
	if ov != nil {
		h := ov.HEvent
		r.noPort = h&1 != 0
		if ev, ok := s.handles.get(h &^ 1).(*event); ok {
			r.event = ev
		}
	}
	return r
}

func (s *System) freeRequest(r *request) { s.rec.reqs.put(r) }

// start marks the request pending in its record and on the lists of its
// thread and file: the I/O manager has accepted it. kernel32 writes
// STATUS_PENDING into Internal before it asks the driver, so a request the
// driver then refuses leaves Internal at STATUS_PENDING.
func (s *System) start(r *request) {
	if r.ov != nil {
		wso.BeginIFS(r.ov, s.observer())
	}
	if r.event != nil && r.event.state {
		// The event in the record is reset when the operation begins.
		s.resetEvent(r.event)
	}
	r.file.signal = false
	r.thread.reqs.push(r, linkThread)
	r.file.pending.push(r, linkFile)
	if s.trace != nil {
		s.emit(Event{Thread: r.thread.id, Kind: EvIssue, Name: r.op, Handle: r.file.handle, Ov: s.OverlappedID(r.ov), N: r.id, Result: uint64(len(r.buf))})
	}
}

// refuse undoes start for a request the driver failed at once: no
// notification of any kind follows an immediate error.
func (s *System) refuse(r *request) {
	s.sanDone(r.ov)
	r.thread.reqs.remove(r, linkThread)
	r.file.pending.remove(r, linkFile)
	s.freeRequest(r)
}

// finish is the single I/O-manager completion path. It writes the status
// block (InternalHigh, then Internal), then notifies exactly the way the
// request asked: the event in the record (and the file object unless
// FILE_SKIP_SET_EVENT_ON_HANDLE; under the windows profile, only when the
// record names no event or the handle is synchronous), then either the completion routine queued
// to the issuing thread, or a packet on the file's completion port (not if
// hEvent had its low bit set, nor for an immediate success under
// FILE_SKIP_COMPLETION_PORT_ON_SUCCESS).
func (s *System) finish(r *request, status NTStatus, n uint32) {
	s.progressed()
	r.state = reqDone
	r.status, r.n = status, n
	f := r.file
	r.thread.reqs.remove(r, linkThread)
	f.pending.remove(r, linkFile)
	toPort := r.routine == nil && r.wsaRoutine == nil && !r.internal && f.port != nil && !r.noPort &&
		!(r.immediate && f.modes&FILE_SKIP_COMPLETION_PORT_ON_SUCCESS != 0 && s.profile.skipPortOnImmediate(status, f.dev))
	// The I/O Completion Ports page says that on a handle bound to a port
	// the status block is written when the packet is taken, not now; the
	// docs profile does that (a request that finished within its own call
	// is written at once, since the call reports from it). Current Windows
	// writes it at completion: programs poll it on port-bound handles.
	deferIOSB := toPort && !r.immediate && s.profile == ProfileDocs
	if r.ov != nil && !deferIOSB {
		wso.CompleteIFS(r.ov, status, uintptr(n), s.observer())
	}
	if s.trace != nil {
		s.emit(Event{Thread: s.current.tid(), Kind: EvComplete, Name: r.op, Handle: f.handle, Ov: s.OverlappedID(r.ov), N: r.id, Old: uint64(status), New: uint64(n)})
	}
	if r.event != nil {
		s.setEvent(r.event)
	}
	if f.modes&FILE_SKIP_SET_EVENT_ON_HANDLE == 0 && s.profile.signalFileOnCompletion(r.event != nil, f.overlapped) {
		f.signal = true
		s.signalled(f)
	}
	switch {
	case r.routine != nil:
		// A file completion routine sees an error code only for an error
		// status; a warning such as STATUS_BUFFER_OVERFLOW arrives as 0 with
		// the bytes (the LPOVERLAPPED_COMPLETION_ROUTINE remarks).
		a := apc{file: r.routine, ov: r.ov, n: n}
		if status.IsError() {
			a.err, a.n = uint32(status.Win32Error()), 0
		} else if status.IsWarning() && s.profile == ProfileWindows && s.choose(PointUnsettled, 2) == 1 {
			// No Windows observation says which dwErrorCode a routine
			// gets for a warning: the remarks' 0, or the warning's own
			// code as Wine passes (ERROR_MORE_DATA for a short message
			// read). Both stay reachable (docs/windows-behaviour.md, "Pipes").
			a.err = uint32(status.Win32Error())
		}
		if !s.queueAPC(r.thread, apcqueue.Completion, r.apcKey, a) {
			s.note(r.thread, "completion routine of req#%d dropped: thread %s has exited", r.id, r.thread.name)
		}
	case r.wsaRoutine != nil:
		a := apc{wsa: r.wsaRoutine, ov: r.ov, n: n, flag: r.flags}
		if status.IsError() || status.IsWarning() {
			a.err = uint32(status.WSAError())
			if status.IsError() {
				a.n = 0
			}
		}
		if !s.queueAPC(r.thread, apcqueue.Completion, r.apcKey, a) {
			s.note(r.thread, "completion routine of req#%d dropped: thread %s has exited", r.id, r.thread.name)
		}
	case r.internal:
		// A blocking call's own request: nobody else is told.
	case toPort:
		pk := packet{key: f.portKey, ov: r.ov, n: n, status: status}
		if r.ctxSet {
			pk.ov = r.ctx
		}
		if deferIOSB {
			pk.iosb = r.ov
		}
		s.postPacket(f.port, pk)
	}
	if w := r.waiter; w != nil {
		w.w.syncStatus, w.w.syncN = status, n
		r.waiter = nil
		if w.state == stateBlocked {
			s.wakeThread(w, wakeRequest, "io-done")
		}
	}
	s.freeRequest(r)
}

// completeNowOrDefer is called when a request's result is known during the
// call that issued it. The Chooser decides whether the call reports it at
// once (true) or reports ERROR_IO_PENDING and the completion follows as a
// system action; both are permitted for overlapped I/O.
func (s *System) completeNowOrDefer(r *request, status NTStatus, n uint32) bool {
	if r.waiter == nil && r.file.overlapped && s.choose(PointPend, 2) == 1 {
		r.state = reqDeferred
		r.status, r.n = status, n
		s.schedule(action{name: "complete", fire: fireDeferred, req: r, gen: r.id})
		return false
	}
	r.immediate = true
	s.finish(r, status, n)
	return true
}

func fireDeferred(s *System, a action) {
	r := a.req
	if r.id != a.gen || r.state != reqDeferred {
		return
	}
	s.finish(r, r.status, r.n)
}

// cancelRequest cancels r if it is still waiting for its device: it leaves
// the device's queue and completes with STATUS_CANCELLED. A request whose
// result is already decided completes with that result instead; the cancel
// has lost the race.
func (s *System) cancelRequest(r *request) {
	if r.state != reqWaiting {
		return
	}
	r.file.dev.cancel(s, r)
}

func fireCancel(s *System, a action) {
	r := a.req
	if r.id != a.gen {
		return
	}
	s.cancelRequest(r)
}

// requestCancel is CancelIo/CancelIoEx's part: the Chooser decides whether
// the cancellation takes effect now or is still under way, in which case a
// completion may arrive first.
func (s *System) requestCancel(r *request) {
	if r.state != reqWaiting {
		return
	}
	if s.choose(PointCancel, 2) == 1 {
		s.schedule(action{name: "cancel", fire: fireCancel, req: r, gen: r.id})
		return
	}
	s.cancelRequest(r)
}
