package emu

import (
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// PipeMode is how a pipe carries data.
type PipeMode uint8

const (
	// PipeByte is a byte stream: a read takes whatever is there, up to its
	// buffer, across write boundaries.
	PipeByte PipeMode = iota
	// PipeMessage keeps each write as one message: a read takes at most one
	// message, and a message longer than the buffer completes the read with
	// STATUS_BUFFER_OVERFLOW (ERROR_MORE_DATA) and the bytes that fitted; the
	// rest stays for the next read.
	PipeMessage
)

// PipeOptions configure CreatePipe.
type PipeOptions struct {
	Mode PipeMode
	// Capacity is the pipe's buffer quota in bytes: a write completes once
	// all its data fits within the quota of unread bytes. 0 means 4096.
	Capacity int
	// Synchronous opens both ends without FILE_FLAG_OVERLAPPED: every call
	// blocks until done.
	Synchronous bool
	// SyncRead and SyncWrite open only the read or the write end without
	// FILE_FLAG_OVERLAPPED (the flag belongs to each handle: a pipe may
	// have one synchronous and one overlapped end).
	SyncRead, SyncWrite bool
}

// pipe is a one-way in-memory pipe: what one end writes the other reads.
type pipe struct {
	mode     PipeMode
	capacity int64

	data []byte // unread bytes are data[head:]
	head int
	msgs []int64 // message mode: stream position at the end of each unread message
	mh   int
	rpos int64 // bytes read so far
	wpos int64 // bytes written so far

	readers  reqList    // reads waiting for data, in issue order
	writers  reqList    // writes waiting for room, in issue order
	flushers reqList    // FlushFileBuffers calls waiting for the reader to take everything
	xwake    []pipeWake // transmits waiting for data (ws2_ext.go)

	rClosed, wClosed bool
}

// pipeEnd is one handle of a pipe: an end of an anonymous pipe, or the
// server or client end of a named pipe instance. It reads from in and
// writes to out; an anonymous pipe's ends have only one of the two, a
// named pipe's ends both (one channel each way), whatever their access.
type pipeEnd struct {
	fileObject
	in, out           *pipe
	canRead, canWrite bool
	readMsg           bool        // PIPE_READMODE_MESSAGE: a read stops at a message's end
	nowait            bool        // PIPE_NOWAIT
	inst              *npInstance // named pipes: the instance (nil: anonymous, or a client disconnected)
	home              *npInstance // named pipes: the instance the end was made for, kept for queries
	server, named     bool
}

// device implements fileLike's driver side: the end is its own device, so
// that a request knows the channel it waits on.
func (e *pipeEnd) cancel(s *System, r *request) {
	switch {
	case r.op == "ConnectNamedPipe":
		if e.inst != nil {
			e.inst.listens.remove(r, linkDev)
		}
		s.finish(r, wso.STATUS_CANCELLED, 0)
	case isWriteOp(r.op) && e.out != nil:
		e.out.cancel(s, r, true)
	case !isWriteOp(r.op) && e.in != nil:
		e.in.cancel(s, r, false)
	default:
		s.finish(r, wso.STATUS_CANCELLED, 0)
	}
}

// cancelAtThreadExit implements device: the profile's rule for files.
func (e *pipeEnd) cancelAtThreadExit(s *System, r *request) bool {
	return s.profile.cancelFileIOAtThreadExit(r.file.portAssociated())
}

func isWriteOp(op string) bool { return op == "WriteFile" || op == "WriteFileEx" }

// readsMessages reports whether a waiting read r stops at a message's end.
func readsMessages(r *request) bool {
	e, ok := r.file.dev.(*pipeEnd)
	return ok && e.readMsg
}

func (e *pipeEnd) kind() objKind { return kindFile }

// CreatePipe makes a one-way pipe and returns its read and write handles.
// Anonymous pipes cannot do overlapped I/O on Windows, so this models the
// pair a program gets from CreateNamedPipe (inbound, with
// FILE_FLAG_OVERLAPPED unless opts.Synchronous) and CreateFile on the
// other side, in one call.
// https://learn.microsoft.com/windows/win32/api/namedpipeapi/nf-namedpipeapi-createnamedpipew
func (t *Thread) CreatePipe(opts PipeOptions) (read, write Handle, err error) {
	var args *callArgs
	if t.s.trace != nil {
		args = &callArgs{}
		args.setFmt(argsCreatePipe, "", uint64(opts.Mode), uint64(opts.Capacity))
	}
	if err := t.enterArgs("CreatePipe", args); err != nil {
		return 0, 0, err
	}
	if opts.Mode > PipeMessage || opts.Capacity < 0 {
		return 0, 0, t.fail("CreatePipe", 0, wso.ERROR_INVALID_PARAMETER)
	}
	c := opts.Capacity
	if c == 0 {
		c = 4096
	}
	p := t.s.rec.pipes.get(t.s.reusable())
	p.mode, p.capacity = opts.Mode, int64(c)
	r, w := t.s.rec.ends.get(t.s.reusable()), t.s.rec.ends.get(t.s.reusable())
	r.in, r.canRead, r.readMsg = p, true, opts.Mode == PipeMessage
	w.out, w.canWrite = p, true
	r.overlapped = !opts.Synchronous && !opts.SyncRead
	w.overlapped = !opts.Synchronous && !opts.SyncWrite
	for _, e := range []*pipeEnd{r, w} {
		// A new pipe handle is signalled until a request on it begins
		// (Wine's dlls/ntdll/tests/pipe.c, read_pipe_test, and
		// dlls/kernel32/tests/pipe.c, test_CreateNamedPipe).
		e.signal = true
		e.dev = e
		e.handle = t.s.handles.add(e)
	}
	t.ok("CreatePipe", uint64(r.handle))
	return r.handle, w.handle, nil
}

func (p *pipe) unread() int64 { return p.wpos - p.rpos }

// readable reports whether a read could complete now: a read in message
// mode needs a whole message queued (an empty one counts), a read in byte
// mode any unread byte.
func (p *pipe) readable(msgRead bool) bool {
	if msgRead {
		return p.mh < len(p.msgs)
	}
	return p.unread() > 0
}

// take removes what one read of len(buf) gets and returns its status and
// byte count. A read in message mode stops at the message's end; one in
// byte mode on a message pipe runs across messages (Wine's
// dlls/kernel32/tests/pipe.c, test_CreateNamedPipe: a client, opened in
// byte read mode, reads two queued messages in one call).
func (p *pipe) take(buf []byte, msgRead bool) (NTStatus, uint32) {
	avail := p.unread()
	status := wso.STATUS_SUCCESS
	if msgRead {
		avail = p.msgs[p.mh] - p.rpos
	}
	n := int64(len(buf))
	if n >= avail {
		n = avail
		if msgRead {
			p.msgs[p.mh] = 0
			p.mh++
		}
	} else if msgRead {
		status = wso.STATUS_BUFFER_OVERFLOW
	}
	copy(buf, p.data[p.head:p.head+int(n)])
	p.head += int(n)
	p.rpos += n
	if !msgRead && n > 0 {
		// Messages read through in byte mode are gone.
		for p.mh < len(p.msgs) && p.msgs[p.mh] <= p.rpos {
			p.msgs[p.mh] = 0
			p.mh++
		}
	}
	p.compact()
	return status, uint32(n)
}

// compact reuses the buffers once everything in them has been read, so a
// steady read/write cycle allocates nothing.
func (p *pipe) compact() {
	if p.head == len(p.data) {
		p.data, p.head = p.data[:0], 0
	}
	if p.mh == len(p.msgs) {
		p.msgs, p.mh = p.msgs[:0], 0
	}
}

func (p *pipe) put(b []byte) int64 {
	// A pipe whose reader never quite catches up is never empty, so
	// compact never fires: before growing a buffer, move the unread part
	// down over what has been read (when that is at least as long, so the
	// copying stays proportional to what was read), or the buffers grow
	// with everything ever written.
	if p.head > 0 && len(p.data)+len(b) > cap(p.data) && 2*p.head >= len(p.data) {
		n := copy(p.data, p.data[p.head:])
		p.data, p.head = p.data[:n], 0
	}
	if p.mh > 0 && len(p.msgs) == cap(p.msgs) && 2*p.mh >= len(p.msgs) {
		n := copy(p.msgs, p.msgs[p.mh:])
		p.msgs, p.mh = p.msgs[:n], 0
	}
	p.data = append(p.data, b...)
	p.wpos += int64(len(b))
	if p.mode == PipeMessage {
		p.msgs = append(p.msgs, p.wpos)
	}
	return p.wpos
}

func (p *pipe) writeFits(end int64) bool { return end-p.rpos <= p.capacity }

// cancel implements device. A cancelled write takes back the part of its
// data the reader has not yet taken: on Windows the reader then sees the
// next write's data (or nothing), not the rest of the cancelled one (Wine's
// dlls/kernel32/tests/pipe.c, test_blocking_rw: after CancelIoEx on a
// pending write, partly read or not, PeekNamedPipe shows only the next
// write's byte). Writes queued behind it may then fit: the pipe serves
// them as a system action of its own, not inside the cancel, so that
// cancelling every request of a handle sees the list it walks unchanged.
func (p *pipe) cancel(s *System, r *request, write bool) {
	if !write {
		p.readers.remove(r, linkDev)
	}
	if write && p.queued(r) {
		// Only a write still waiting for room is taken back: one whose
		// data the pipe already holds (its completion merely not yet
		// reported) keeps it, and the pending writes behind a withdrawn
		// one are exactly the queue, whose positions withdraw shifts.
		p.writers.remove(r, linkDev)
		p.withdraw(r)
	}
	s.finish(r, wso.STATUS_CANCELLED, 0)
	if w := p.writers.head; write && w != nil && p.writeFits(w.endPos) {
		s.schedule(action{name: "pipe-room", fire: firePipeRoom, req: w, gen: w.id})
	}
	if write && p.flushers.head != nil {
		// The withdrawn write may have emptied the pipe: a flush waiting
		// on it ends now (flushes are on no handle's pending list, so the
		// cancel's walk of that list is not disturbed).
		s.serveFlush(p)
	}
}

// drained reports whether the reader has taken everything written, empty
// messages included.
func (p *pipe) drained() bool { return p.unread() == 0 && p.mh == len(p.msgs) }

// serveFlush ends the flushes waiting on p once it is drained.
func (s *System) serveFlush(p *pipe) {
	if !p.drained() {
		return
	}
	for r := p.flushers.pop(linkDev); r != nil; r = p.flushers.pop(linkDev) {
		s.finish(r, wso.STATUS_SUCCESS, 0)
	}
}

// firePipeRoom completes the writes that fit now that a cancelled one
// has taken its data back.
func firePipeRoom(s *System, a action) {
	r := a.req
	if r.id != a.gen || r.state != reqWaiting {
		return
	}
	if e, ok := r.file.dev.(*pipeEnd); ok && e.out != nil {
		s.servePipe(e.out)
	}
}

// queued reports whether r is among the writes waiting for room.
func (p *pipe) queued(r *request) bool {
	for w := p.writers.head; w != nil; w = w.devNext {
		if w == r {
			return true
		}
	}
	return false
}

// withdraw removes the unread rest of a pending write's data (and, in
// message mode, its message) from the pipe.
func (p *pipe) withdraw(r *request) {
	start := r.endPos - int64(len(r.buf))
	if start < p.rpos {
		start = p.rpos
	}
	n := r.endPos - start
	if n < 0 {
		return // all of it was read
	}
	if n > 0 {
		i := p.head + int(start-p.rpos)
		p.data = append(p.data[:i], p.data[i+int(n):]...)
		p.wpos -= n
	}
	if p.mode == PipeMessage {
		k := p.mh
		for k < len(p.msgs) && p.msgs[k] != r.endPos {
			k++
		}
		if k < len(p.msgs) {
			p.msgs = append(p.msgs[:k], p.msgs[k+1:]...)
			for ; k < len(p.msgs); k++ {
				p.msgs[k] -= n
			}
		}
	}
	for w := p.writers.head; w != nil; w = w.devNext {
		if w.endPos > r.endPos {
			w.endPos -= n
		}
	}
	p.compact()
}

// serveReaders completes waiting reads while data is there, then waiting
// writes whose data now fits.
func (s *System) servePipe(p *pipe) {
	for p.readers.head != nil && p.readable(readsMessages(p.readers.head)) {
		r := p.readers.pop(linkDev)
		st, n := p.take(r.buf, readsMessages(r))
		s.finish(r, st, n)
	}
	for p.writers.head != nil && p.writeFits(p.writers.head.endPos) {
		r := p.writers.pop(linkDev)
		s.finish(r, wso.STATUS_SUCCESS, uint32(len(r.buf)))
	}
	if p.flushers.head != nil {
		s.serveFlush(p)
	}
	if len(p.xwake) > 0 {
		s.wakeTransmits(p)
	}
}

// close implements object: closing one end cancels the requests still
// pending on that handle and breaks the pipe for the other end.
func (e *pipeEnd) close(s *System, t *Thread, h Handle) Errno {
	s.handles.remove(h)
	for r := e.pending.head; r != nil; {
		next := r.fileNext
		s.cancelRequest(r)
		r = next
	}
	if p := e.out; p != nil {
		p.wClosed = true
		// A flush through the closed handle has nothing left to wait for.
		for r := p.flushers.pop(linkDev); r != nil; r = p.flushers.pop(linkDev) {
			s.finish(r, wso.STATUS_CANCELLED, 0)
		}
		// Reads waiting for data will never get any.
		for r := p.readers.pop(linkDev); r != nil; r = p.readers.pop(linkDev) {
			s.finish(r, wso.STATUS_PIPE_BROKEN, 0)
		}
		s.wakeTransmits(p)
	}
	if p := e.in; p != nil {
		p.rClosed = true
		s.wakeTransmits(p)
		p.data, p.head, p.msgs, p.mh = p.data[:0], 0, p.msgs[:0], 0
		p.rpos = p.wpos
		for r := p.writers.pop(linkDev); r != nil; r = p.writers.pop(linkDev) {
			s.finish(r, wso.STATUS_PIPE_BROKEN, 0)
		}
		for r := p.flushers.pop(linkDev); r != nil; r = p.flushers.pop(linkDev) {
			s.finish(r, wso.STATUS_PIPE_BROKEN, 0)
		}
	}
	if e.named {
		s.npEndClosed(e)
	}
	return 0
}

// pipeIO is the common body of ReadFile, WriteFile, ReadFileEx and
// WriteFileEx.
func (t *Thread) pipeIO(name string, h Handle, buf []byte, done *uint32, ov *Overlapped, write bool, routine FileIOCompletionRoutine, ex bool) error {
	s := t.s
	var args *callArgs
	if s.trace != nil && t.running() {
		args = &callArgs{lay: argsHLenOv, a: argVals{uint64(h), uint64(len(buf)), uint64(s.OverlappedID(ov))}}
	}
	if err := t.enterArgs(name, args); err != nil {
		return err
	}
	if done != nil {
		// ReadFile and WriteFile set the byte count to zero before doing
		// any work or error checking (their pages' lpNumberOf... remarks).
		*done = 0
	}
	pe, err := t.lookupPipe(name, h)
	if err != nil {
		return err
	}
	if write && !pe.canWrite || !write && !pe.canRead {
		return t.fail(name, 0, wso.ERROR_ACCESS_DENIED)
	}
	if ex && (!pe.overlapped || ov == nil || routine == nil) {
		return t.fail(name, 0, wso.ERROR_INVALID_PARAMETER)
	}
	if pe.overlapped && ov == nil {
		return t.fail(name, 0, wso.ERROR_INVALID_PARAMETER)
	}
	if ex && pe.port != nil {
		// A handle bound to a completion port reports there; it cannot
		// also take a completion routine.
		return t.fail(name, 0, wso.ERROR_INVALID_PARAMETER)
	}
	callerOv := ov != nil
	if !pe.overlapped && ov == nil {
		ov = &t.syncOv
	}
	if !ex && ov.HEvent&^1 != 0 {
		if _, isEvent := s.handles.get(ov.HEvent &^ 1).(*event); !isEvent {
			// The kernel looks the event up before it starts anything and
			// refuses the call when hEvent is not an open event; kernel32
			// has already marked the record pending by then.
			wso.BeginIFS(ov, s.observer())
			return t.fail(name, 0, wso.ERROR_INVALID_HANDLE)
		}
	}
	if pe.overlapped {
		s.sanIssue(t, name, ov, routine != nil, buf)
	}
	r := s.newRequest(t, &pe.fileObject, name, ov, buf)
	if ex {
		r.routine = routine
		r.event, r.noPort = nil, false // hEvent is the caller's to use with a routine
	}
	if !pe.overlapped {
		r.waiter = t
	}
	s.start(r)

	// Ask the device.
	var refused NTStatus
	var deny Errno
	decided := false
	var st NTStatus
	var n uint32
	serve := false
	p := pe.in
	if write {
		p = pe.out
	}
	if e := pe.stateError(); e != 0 {
		// A named pipe's server that is listening or disconnected, or a
		// client its server disconnected: the request is refused after
		// kernel32 marked the record pending (Wine's
		// dlls/kernel32/tests/pipe.c, test_ReadFile and
		// test_DisconnectNamedPipe).
		deny = e
	} else if write {
		switch {
		case p.rClosed:
			refused = wso.STATUS_PIPE_CLOSING
		case len(buf) == 0 && p.mode == PipeByte:
			st, n, decided = wso.STATUS_SUCCESS, 0, true
		case pe.nowait && !p.nowaitFits(len(buf)):
			// PIPE_NOWAIT: a write that does not fit succeeds at once
			// with what the waiting reads take in a byte pipe, nothing
			// in a message pipe.
			k := 0
			if p.mode == PipeByte {
				k = p.readersTake(len(buf))
			}
			if k > 0 {
				p.put(buf[:k])
				s.servePipe(p)
			}
			st, n, decided = wso.STATUS_SUCCESS, uint32(k), true
		default:
			r.endPos = p.put(buf)
			s.servePipe(p) // waiting readers take the new data first
			// An empty message never waits for room, even behind pending
			// writes (Wine's dlls/kernel32/tests/pipe.c,
			// test_blocking_rw: "empty write will not block"); it is still
			// read in its turn.
			if len(buf) == 0 || p.writers.head == nil && p.writeFits(r.endPos) {
				st, n, decided = wso.STATUS_SUCCESS, uint32(len(buf)), true
			} else {
				p.writers.push(r, linkDev)
			}
		}
	} else {
		switch {
		case p.readers.head == nil && p.readable(pe.readMsg):
			st, n = p.take(buf, pe.readMsg)
			decided = true
			serve = true // room for waiting writers
		case p.wClosed:
			refused = wso.STATUS_PIPE_BROKEN
		case pe.nowait:
			// PIPE_NOWAIT: nothing to read is an error at once (Wine's
			// dlls/kernel32/tests/pipe.c, test_nowait).
			refused = wso.STATUS_PIPE_EMPTY
		default:
			p.readers.push(r, linkDev)
		}
	}
	if serve {
		s.servePipe(p)
	}
	if refused != 0 {
		deny = refused.Win32Error()
	}
	if deny != 0 {
		s.refuse(r)
		return t.fail(name, 0, deny)
	}
	if !pe.overlapped {
		// Synchronous handle: the call waits until the request is done.
		if decided {
			r.immediate, r.waiter = true, nil
			s.finish(r, st, n)
		} else {
			st, n = t.awaitRequest(name, r)
		}
		// kernel32 copies the byte count out on a warning such as
		// ERROR_MORE_DATA only when the caller passed no record; given one,
		// even on a synchronous handle, it leaves the zero it wrote first
		// and the record holds the bytes (Wine's
		// dlls/kernel32/tests/pipe.c, test_ReadFile, passes on Windows).
		return t.ioResult(name, st, n, done, !callerOv || st.IsSuccess())
	}
	if decided && s.pipeCompleteNowOrDefer(pe, r, st, n) {
		if ex {
			// ReadFileEx remarks: the call succeeds, and the last error is
			// the warning it completed with (ERROR_MORE_DATA), if any, and
			// ERROR_SUCCESS otherwise.
			t.lastErr = 0
			if !st.IsSuccess() {
				t.lastErr = st.Win32Error()
			}
			t.ok(name, 1)
			return nil
		}
		// On an overlapped handle kernel32 copies the byte count out only
		// when the request succeeded at once; a warning such as
		// ERROR_MORE_DATA leaves the zero it wrote first (Wine behaves so;
		// the ReadFile page advises NULL here for overlapped calls), and
		// GetOverlappedResult gives the bytes.
		return t.ioResult(name, st, n, done, st.IsSuccess())
	}
	if ex {
		// ReadFileEx/WriteFileEx report a pending request as success, with
		// ERROR_SUCCESS as the last error.
		t.lastErr = 0
		t.ok(name, 1)
		return nil
	}
	return t.fail(name, 0, wso.ERROR_IO_PENDING)
}

// pipeCompleteNowOrDefer finishes a pipe request whose result is known
// within its call. The pages let an overlapped call finish at once or
// pend (the Chooser decides, as in the docs profile); Windows finishes
// pipe I/O at once (Wine's dlls/kernel32/tests/pipe.c, test_blocking_rw:
// reads with data and writes that fit return TRUE), except a read ending
// in a warning on a handle in FILE_SKIP_COMPLETION_PORT_ON_SUCCESS mode,
// which Windows 8 and later pend so that it still posts its packet while
// Windows 7 finishes it at once without one (Wine's
// dlls/ntdll/tests/pipe.c, test_completion): the Chooser picks.
func (s *System) pipeCompleteNowOrDefer(pe *pipeEnd, r *request, st NTStatus, n uint32) bool {
	if s.profile != ProfileWindows || r.waiter != nil || !pe.overlapped {
		return s.completeNowOrDefer(r, st, n)
	}
	if st.IsWarning() && pe.port != nil && pe.modes&FILE_SKIP_COMPLETION_PORT_ON_SUCCESS != 0 && r.routine == nil {
		// Windows 7 finishes it at once and posts nothing; Windows 8 and
		// later pend it and post the packet. Both are Windows.
		return s.completeNowOrDefer(r, st, n)
	}
	r.immediate = true
	s.finish(r, st, n)
	return true
}

// ioResult reports a request that finished within the call: the byte count
// is written, and a status that is not success fails the call with its
// Win32 error (ERROR_MORE_DATA comes with the bytes).
func (t *Thread) ioResult(name string, st NTStatus, n uint32, done *uint32, writeDone bool) error {
	if done != nil && writeDone {
		*done = n
	}
	if !st.IsSuccess() {
		return t.fail(name, uint64(n), st.Win32Error())
	}
	t.ok(name, 1)
	return nil
}

// ReadFile implements ReadFile on a pipe handle. On an overlapped handle it
// returns nil (TRUE) when the read completed at once, with *done set;
// ERROR_IO_PENDING when it will complete later (done is not written);
// ERROR_MORE_DATA with *done set when a message was longer than buf;
// ERROR_BROKEN_PIPE when the writer has gone and nothing is left. The
// record's event is signalled, and a packet posted to the handle's
// completion port, in every case but an immediate error.
// https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-readfile
func (t *Thread) ReadFile(h Handle, buf []byte, done *uint32, ov *Overlapped) error {
	return t.pipeIO("ReadFile", h, buf, done, ov, false, nil, false)
}

// WriteFile implements WriteFile on a pipe handle: the write completes once
// its data fits in the pipe's quota. Writing when the reader has closed its
// end fails with ERROR_NO_DATA; a pending write fails with
// ERROR_BROKEN_PIPE if the reader closes.
// https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-writefile
func (t *Thread) WriteFile(h Handle, buf []byte, done *uint32, ov *Overlapped) error {
	return t.pipeIO("WriteFile", h, buf, done, ov, true, nil, false)
}

// ReadFileEx implements ReadFileEx: the read's completion is reported only
// by queuing routine to this thread, which runs it in an alertable wait.
// It returns nil (TRUE) whether the read completed at once or pends; on
// failure no routine is queued. hEvent is not used.
// https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-readfileex
func (t *Thread) ReadFileEx(h Handle, buf []byte, ov *Overlapped, routine FileIOCompletionRoutine) error {
	return t.pipeIO("ReadFileEx", h, buf, nil, ov, false, routine, true)
}

// WriteFileEx implements WriteFileEx.
// https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-writefileex
func (t *Thread) WriteFileEx(h Handle, buf []byte, ov *Overlapped, routine FileIOCompletionRoutine) error {
	return t.pipeIO("WriteFileEx", h, buf, nil, ov, true, routine, true)
}
