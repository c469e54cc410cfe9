package emu_test

import (
	"testing"

	"github.com/wsaemu/wsaemu/emu"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// kioPendingRead starts an overlapped read on an empty pipe and returns the
// pipe's ends and the record.
func kioPendingRead(r *kioRig, th *emu.Thread, ev emu.Handle, buf []byte) (rd, wr emu.Handle, ov *emu.Overlapped) {
	r.tb.Helper()
	rd, wr = r.pipe(th, emu.PipeOptions{})
	ov = &emu.Overlapped{HEvent: ev}
	var err error
	r.do(th, func(t *emu.Thread) { err = t.ReadFile(rd, buf, nil, ov) })
	kioWant(r.tb, "ReadFile", err, wso.ERROR_IO_PENDING)
	return rd, wr, ov
}

// GetOverlappedResult bWait: with bWait FALSE and the operation still
// pending, the call fails with ERROR_IO_INCOMPLETE and writes no byte count.
func TestResultNoWaitWhilePending(t *testing.T) {
	r := newKioRig(t)
	a := r.thread("A")
	ev := r.event(a, true, false)
	rd, _, ov := kioPendingRead(r, a, ev, make([]byte, 4))
	n := uint32(42)
	var err error
	r.do(a, func(t *emu.Thread) { err = t.GetOverlappedResult(rd, ov, &n, false) })
	kioWant(t, "GetOverlappedResult", err, wso.ERROR_IO_INCOMPLETE)
	if n != 42 {
		t.Fatalf("byte count written while pending: %d", n)
	}
	// GetOverlappedResultEx with a zero timeout behaves the same.
	r.do(a, func(t *emu.Thread) { err = t.GetOverlappedResultEx(rd, ov, &n, 0, true) })
	kioWant(t, "GetOverlappedResultEx(0)", err, wso.ERROR_IO_INCOMPLETE)
}

// GetOverlappedResult bWait: with bWait TRUE and Internal at
// STATUS_PENDING, the call does not return until the operation has
// completed; it waits on the record's event.
func TestResultWaitBlocksUntilDone(t *testing.T) {
	r := newKioRig(t)
	a, b := r.thread("A"), r.thread("B")
	ev := r.event(a, true, false)
	buf := make([]byte, 4)
	rd, wr, ov := kioPendingRead(r, a, ev, buf)
	var n uint32
	var err error
	if r.call(a, func(t *emu.Thread) { err = t.GetOverlappedResult(rd, ov, &n, true) }) {
		t.Fatal("GetOverlappedResult(wait=TRUE) returned while pending")
	}
	// An unrelated event or APC does not end the (non-alertable) wait.
	r.do(b, func(t *emu.Thread) {
		t.QueueUserAPC(func(*emu.Thread, uintptr) { panic("APC ran in a non-alertable wait") }, a.Handle(), 0)
	})
	if !a.Blocked() {
		t.Fatal("an APC ended GetOverlappedResult's wait")
	}
	r.write(b, wr, "abc")
	if !r.st.Idle(a) {
		t.Fatal("A still blocked after completion")
	}
	kioWant(t, "GetOverlappedResult", err, nil)
	if n != 3 || string(buf[:3]) != "abc" {
		t.Fatalf("n=%d buf=%q", n, buf)
	}
}

// GetOverlappedResult lpNumberOfBytesTransferred / OVERLAPPED InternalHigh:
// the count reported is the one the system stored in InternalHigh.
func TestResultBytesComeFromInternalHigh(t *testing.T) {
	r := newKioRig(t)
	a := r.thread("A")
	rd, wr := r.pipe(a, emu.PipeOptions{})
	r.write(a, wr, "0123456789")
	ov := &emu.Overlapped{}
	var err error
	var done uint32
	r.do(a, func(t *emu.Thread) { err = t.ReadFile(rd, make([]byte, 6), &done, ov) })
	kioWant(t, "ReadFile", err, nil)
	if ov.InternalHigh != 6 || done != 6 {
		t.Fatalf("InternalHigh=%d done=%d, want 6", ov.InternalHigh, done)
	}
	n, err := r.result(a, rd, ov)
	kioWant(t, "GetOverlappedResult", err, nil)
	if n != 6 {
		t.Fatalf("n=%d", n)
	}
	// The result is read from the record, whatever the record says.
	ov.InternalHigh = 1234
	n, err = r.result(a, rd, ov)
	kioWant(t, "GetOverlappedResult", err, nil)
	if n != 1234 {
		t.Fatalf("n=%d, want the value in InternalHigh (1234)", n)
	}
	ov.Internal = uintptr(wso.STATUS_CONNECTION_RESET)
	_, err = r.result(a, rd, ov)
	kioWant(t, "GetOverlappedResult of STATUS_CONNECTION_RESET", err, wso.ERROR_NETNAME_DELETED)
}

// GetOverlappedResult parameters: lpOverlapped and lpNumberOfBytesTransferred
// are required; without them the call fails (ERROR_INVALID_PARAMETER here)
// instead of faulting.
func TestResultNilPointers(t *testing.T) {
	r := newKioRig(t)
	a := r.thread("A")
	var n uint32
	var e1, e2, e3 error
	r.do(a, func(t *emu.Thread) {
		e1 = t.GetOverlappedResult(0, nil, &n, false)
		e2 = t.GetOverlappedResult(0, &emu.Overlapped{}, nil, true)
		e3 = t.GetOverlappedResultEx(0, nil, nil, 5, true)
	})
	kioWant(t, "nil OVERLAPPED", e1, wso.ERROR_INVALID_PARAMETER)
	kioWant(t, "nil count", e2, wso.ERROR_INVALID_PARAMETER)
	kioWant(t, "Ex with nils", e3, wso.ERROR_INVALID_PARAMETER)
	// Waiting on a pending record whose event handle is not open fails
	// instead of blocking.
	ov := &emu.Overlapped{Internal: uintptr(wso.STATUS_PENDING), HEvent: 0x7ff0}
	var err error
	r.do(a, func(t *emu.Thread) { err = t.GetOverlappedResult(0x7ff0, ov, &n, true) })
	kioWant(t, "wait on a bad event", err, wso.ERROR_INVALID_HANDLE)
}

// GetOverlappedResultEx dwMilliseconds: if the time-out elapses before the
// operation completes, the call fails with WAIT_TIMEOUT.
func TestResultExTimeout(t *testing.T) {
	r := newKioRig(t)
	a := r.thread("A")
	ev := r.event(a, true, false)
	rd, _, ov := kioPendingRead(r, a, ev, make([]byte, 4))
	var n uint32
	var err error
	if r.call(a, func(t *emu.Thread) { err = t.GetOverlappedResultEx(rd, ov, &n, 25, false) }) {
		t.Fatal("GetOverlappedResultEx(25ms) returned before any time passed")
	}
	before := r.s.Now()
	r.st.Settle()
	if !r.st.Idle(a) {
		t.Fatal("timeout did not fire")
	}
	kioWant(t, "GetOverlappedResultEx", err, wso.WAIT_TIMEOUT)
	if d := r.s.Now() - before; d.Milliseconds() != 25 {
		t.Fatalf("virtual time advanced %v, want 25ms", d)
	}
	if !kioPending(ov) {
		t.Fatal("timing out changed the record")
	}
}

// GetOverlappedResultEx bAlertable: an alertable wait returns when an APC
// is queued to the thread; the APC runs and the call fails with
// WAIT_IO_COMPLETION.
func TestResultExAlertableAPC(t *testing.T) {
	r := newKioRig(t)
	a, b := r.thread("A"), r.thread("B")
	ev := r.event(a, true, false)
	rd, _, ov := kioPendingRead(r, a, ev, make([]byte, 4))
	ran := 0
	apc := func(t *emu.Thread, p uintptr) { ran++ }
	var n uint32
	var err error
	// An APC already queued: the wait runs it and returns at once.
	r.do(a, func(t *emu.Thread) {
		t.QueueUserAPC(apc, t.GetCurrentThread(), 1)
		err = t.GetOverlappedResultEx(rd, ov, &n, emu.INFINITE, true)
	})
	kioWant(t, "GetOverlappedResultEx", err, emu.Errno(wso.WAIT_IO_COMPLETION))
	if ran != 1 {
		t.Fatalf("APC ran %d times", ran)
	}
	// An APC queued while the thread waits.
	if r.call(a, func(t *emu.Thread) { err = t.GetOverlappedResultEx(rd, ov, &n, emu.INFINITE, true) }) {
		t.Fatal("returned with nothing to do")
	}
	r.do(b, func(t *emu.Thread) { t.QueueUserAPC(apc, a.Handle(), 2) })
	if !r.st.Idle(a) {
		t.Fatal("APC did not wake the alertable wait")
	}
	kioWant(t, "GetOverlappedResultEx", err, emu.Errno(wso.WAIT_IO_COMPLETION))
	if ran != 2 || !kioPending(ov) {
		t.Fatalf("ran=%d pending=%v", ran, kioPending(ov))
	}
	// Not alertable: the APC waits for a later alertable wait.
	if r.call(a, func(t *emu.Thread) { err = t.GetOverlappedResultEx(rd, ov, &n, 5, false) }) {
		t.Fatal("returned at once")
	}
	r.do(b, func(t *emu.Thread) { t.QueueUserAPC(apc, a.Handle(), 3) })
	r.st.Settle()
	kioWant(t, "non-alertable GetOverlappedResultEx", err, wso.WAIT_TIMEOUT)
	if ran != 2 {
		t.Fatal("APC ran in a non-alertable GetOverlappedResultEx")
	}
}

// GetOverlappedResultEx: when the operation completes during the wait, the
// call returns its result.
func TestResultExCompletesDuringWait(t *testing.T) {
	r := newKioRig(t)
	a, b := r.thread("A"), r.thread("B")
	ev := r.event(a, false, false) // auto-reset: the wait consumes it
	rd, wr, ov := kioPendingRead(r, a, ev, make([]byte, 4))
	var n uint32
	var err error
	if r.call(a, func(t *emu.Thread) { err = t.GetOverlappedResultEx(rd, ov, &n, 1000, true) }) {
		t.Fatal("returned at once")
	}
	r.write(b, wr, "hi")
	kioWant(t, "GetOverlappedResultEx", err, nil)
	if n != 2 {
		t.Fatalf("n=%d", n)
	}
	if r.signalled(ev) {
		t.Fatal("auto-reset event still signalled after the wait consumed it")
	}
	// With the event consumed, a second query still reads the record.
	n, err = r.result(a, rd, ov)
	kioWant(t, "second GetOverlappedResult", err, nil)
	if n != 2 {
		t.Fatalf("n=%d", n)
	}
}
