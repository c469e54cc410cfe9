package emu

import (
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// GetOverlappedResult implements GetOverlappedResult for file and pipe
// handles: if the record still says STATUS_PENDING it fails with
// ERROR_IO_INCOMPLETE, or with wait it first waits (not alertably) on the
// record's event, or on the handle itself when hEvent is NULL. Once done,
// *n gets InternalHigh and a status that is not success fails the call with
// its Win32 error: ERROR_MORE_DATA comes together with the bytes.
// https://learn.microsoft.com/windows/win32/api/ioapiset/nf-ioapiset-getoverlappedresult
func (t *Thread) GetOverlappedResult(h Handle, ov *Overlapped, n *uint32, wait bool) error {
	ms := uint32(0)
	if wait {
		ms = INFINITE
	}
	return t.overlappedResult("GetOverlappedResult", h, ov, n, ms, false)
}

// GetOverlappedResultEx implements GetOverlappedResultEx: like
// GetOverlappedResult with a timeout and an optional alertable wait; it
// fails with WAIT_TIMEOUT when the time runs out and with
// WAIT_IO_COMPLETION when APCs ran.
// https://learn.microsoft.com/windows/win32/api/ioapiset/nf-ioapiset-getoverlappedresultex
func (t *Thread) GetOverlappedResultEx(h Handle, ov *Overlapped, n *uint32, ms uint32, alertable bool) error {
	return t.overlappedResult("GetOverlappedResultEx", h, ov, n, ms, alertable)
}

func (t *Thread) overlappedResult(name string, h Handle, ov *Overlapped, n *uint32, ms uint32, alertable bool) error {
	s := t.s
	var args *callArgs
	if s.trace != nil && t.running() {
		args = &callArgs{lay: argsHOvMsAlert, a: argVals{uint64(h), uint64(s.OverlappedID(ov)), msAlert(ms, alertable)}}
	}
	if err := t.enterArgs(name, args); err != nil {
		return err
	}
	if ov == nil || n == nil {
		return t.fail(name, 0, wso.ERROR_INVALID_PARAMETER)
	}
	if NTStatus(ov.LoadInternal()) == wso.STATUS_PENDING {
		if ms == 0 {
			return t.fail(name, 0, wso.ERROR_IO_INCOMPLETE)
		}
		s.sanResultWait(t, name, ov, true)
		wh := ov.HEvent &^ 1
		if wh == 0 {
			wh = h
		}
		if e := t.resolveWaitables([]Handle{wh}, false); e != 0 {
			t.clearWait()
			return t.fail(name, 0, e)
		}
		w := &t.w
		w.call, w.kind, w.alertable = name, waitObjects, alertable
		r := t.waitForObjects(ms)
		t.clearWait()
		switch r {
		case wso.WAIT_IO_COMPLETION:
			return t.fail(name, 0, Errno(wso.WAIT_IO_COMPLETION))
		case uint32(wso.WAIT_TIMEOUT):
			return t.fail(name, 0, wso.WAIT_TIMEOUT)
		}
		// Whatever Internal says now, the signalled event is taken as the
		// end of the operation: a record still marked pending (its event
		// set by something else, or its status block not yet written)
		// reads as success with the current InternalHigh. This is what
		// kernel32 does on Windows and under Wine; it is why each
		// operation needs its own event.
	}
	st := NTStatus(ov.LoadInternal())
	*n = uint32(ov.LoadInternalHigh())
	if st != wso.STATUS_PENDING && !st.IsSuccess() {
		return t.fail(name, uint64(*n), st.Win32Error())
	}
	t.ok(name, 1)
	return nil
}

// CancelIo implements CancelIo: it asks to cancel every request the calling
// thread issued on h that is still pending. Each one completes (with
// STATUS_CANCELLED, or with its result if it wins the race) through the
// mechanism it asked for.
// https://learn.microsoft.com/windows/win32/api/ioapiset/nf-ioapiset-cancelio
func (t *Thread) CancelIo(h Handle) error {
	s := t.s
	var args *callArgs
	if s.trace != nil {
		args = &callArgs{lay: argsH, a: argVals{uint64(h)}}
	}
	if err := t.enterArgs("CancelIo", args); err != nil {
		return err
	}
	o, e := s.lookup(t, h, 0)
	if e != 0 {
		return t.fail("CancelIo", 0, e)
	}
	fl, ok := o.(fileLike)
	if !ok {
		return t.fail("CancelIo", 0, wso.ERROR_INVALID_HANDLE)
	}
	fl.cancelIO(s, nil, t)
	t.ok("CancelIo", 1)
	return nil
}

// CancelIoEx implements CancelIoEx: it asks to cancel the pending request
// on h that uses ov, or every pending request on h (any thread's) when ov
// is nil. It fails with ERROR_NOT_FOUND when there is none.
// https://learn.microsoft.com/windows/win32/fileio/cancelioex-func
func (t *Thread) CancelIoEx(h Handle, ov *Overlapped) error {
	s := t.s
	var args *callArgs
	if s.trace != nil && t.running() {
		args = &callArgs{lay: argsHOv, a: argVals{uint64(h), uint64(s.OverlappedID(ov))}}
	}
	if err := t.enterArgs("CancelIoEx", args); err != nil {
		return err
	}
	o, e := s.lookup(t, h, 0)
	if e != 0 {
		return t.fail("CancelIoEx", 0, e)
	}
	fl, ok := o.(fileLike)
	if !ok {
		return t.fail("CancelIoEx", 0, wso.ERROR_INVALID_HANDLE)
	}
	if !fl.cancelIO(s, ov, nil) {
		return t.fail("CancelIoEx", 0, wso.ERROR_NOT_FOUND)
	}
	t.ok("CancelIoEx", 1)
	return nil
}
