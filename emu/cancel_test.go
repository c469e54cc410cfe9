package emu_test

import (
	"testing"

	"github.com/wsaemu/wsaemu/emu"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// kioCheckAborted checks a record that was cancelled: STATUS_CANCELLED in
// Internal, no bytes, and ERROR_OPERATION_ABORTED from GetOverlappedResult.
func kioCheckAborted(r *kioRig, th *emu.Thread, h emu.Handle, ov *emu.Overlapped, what string) {
	r.tb.Helper()
	if kioStatus(ov) != wso.STATUS_CANCELLED {
		r.tb.Fatalf("%s: Internal=%#x, want STATUS_CANCELLED", what, ov.Internal)
	}
	n, err := r.result(th, h, ov)
	kioWant(r.tb, what+": GetOverlappedResult", err, wso.ERROR_OPERATION_ABORTED)
	if n != 0 {
		r.tb.Fatalf("%s: %d bytes for a cancelled read", what, n)
	}
}

// CancelIo: it cancels the pending operations the calling thread issued
// for the handle, and not those other threads issued, nor the caller's
// operations on other handles. Cancelled operations complete with
// ERROR_OPERATION_ABORTED and their notifications occur normally.
func TestCancelIoOnlyCallingThread(t *testing.T) {
	r := newKioRig(t)
	a, b := r.thread("A"), r.thread("B")
	rd, _ := r.pipe(a, emu.PipeOptions{})
	rd2, _ := r.pipe(a, emu.PipeOptions{})
	evA, evB, evA2 := r.event(a, true, false), r.event(a, true, false), r.event(a, true, false)
	ovA, ovB, ovA2 := &emu.Overlapped{HEvent: evA}, &emu.Overlapped{HEvent: evB}, &emu.Overlapped{HEvent: evA2}
	var e1, e2, e3, err error
	r.do(a, func(t *emu.Thread) {
		e1 = t.ReadFile(rd, make([]byte, 4), nil, ovA)
		e3 = t.ReadFile(rd2, make([]byte, 4), nil, ovA2)
	})
	r.do(b, func(t *emu.Thread) { e2 = t.ReadFile(rd, make([]byte, 4), nil, ovB) })
	for _, e := range []error{e1, e2, e3} {
		kioWant(t, "ReadFile", e, wso.ERROR_IO_PENDING)
	}
	r.do(a, func(t *emu.Thread) { err = t.CancelIo(rd) })
	kioWant(t, "CancelIo", err, nil)
	if !r.signalled(evA) {
		t.Fatal("A's cancelled read did not signal its event")
	}
	kioCheckAborted(r, a, rd, ovA, "A's read")
	if !kioPending(ovB) || r.signalled(evB) {
		t.Fatal("CancelIo on A cancelled B's read")
	}
	if !kioPending(ovA2) || r.signalled(evA2) {
		t.Fatal("CancelIo(rd) cancelled A's read on another handle")
	}
	// With nothing of its own pending CancelIo still succeeds.
	r.do(a, func(t *emu.Thread) { err = t.CancelIo(rd) })
	kioWant(t, "second CancelIo", err, nil)
	if !kioPending(ovB) {
		t.Fatal("B's read was cancelled")
	}
	r.do(b, func(t *emu.Thread) { err = t.CancelIo(rd) })
	kioWant(t, "CancelIo on B", err, nil)
	kioCheckAborted(r, b, rd, ovB, "B's read")
}

// CancelIoEx lpOverlapped: with a record, only the request issued with that
// record is cancelled; the handle's other requests stay pending.
func TestCancelIoExOne(t *testing.T) {
	r := newKioRig(t)
	a, b := r.thread("A"), r.thread("B")
	rd, wr := r.pipe(a, emu.PipeOptions{})
	ov1, ov2 := &emu.Overlapped{}, &emu.Overlapped{}
	buf2 := make([]byte, 4)
	r.do(a, func(t *emu.Thread) {
		t.ReadFile(rd, make([]byte, 4), nil, ov1)
		t.ReadFile(rd, buf2, nil, ov2)
	})
	var err error
	r.do(b, func(t *emu.Thread) { err = t.CancelIoEx(rd, ov1) }) // any thread may cancel
	kioWant(t, "CancelIoEx(h, ov1)", err, nil)
	kioCheckAborted(r, a, rd, ov1, "ov1")
	if !kioPending(ov2) {
		t.Fatal("ov2 was cancelled too")
	}
	r.write(b, wr, "ok")
	n, err := r.result(a, rd, ov2)
	kioWant(t, "ov2", err, nil)
	if n != 2 || string(buf2[:2]) != "ok" {
		t.Fatalf("ov2 got %d %q (the cancelled read must not have taken data)", n, buf2[:n])
	}
}

// CancelIoEx lpOverlapped NULL: every pending request on the handle is
// cancelled, whichever thread issued it.
func TestCancelIoExAllThreads(t *testing.T) {
	r := newKioRig(t)
	a, b, c := r.thread("A"), r.thread("B"), r.thread("C")
	rd, _ := r.pipe(a, emu.PipeOptions{})
	ovA, ovB := &emu.Overlapped{}, &emu.Overlapped{}
	r.do(a, func(t *emu.Thread) { t.ReadFile(rd, make([]byte, 4), nil, ovA) })
	r.do(b, func(t *emu.Thread) { t.ReadFile(rd, make([]byte, 4), nil, ovB) })
	var err error
	r.do(c, func(t *emu.Thread) { err = t.CancelIoEx(rd, nil) })
	kioWant(t, "CancelIoEx(h, NULL)", err, nil)
	kioCheckAborted(r, a, rd, ovA, "A's read")
	kioCheckAborted(r, b, rd, ovB, "B's read")
}

// CancelIoEx return value: when no request to cancel can be found the call
// fails with ERROR_NOT_FOUND (nothing pending, a record that is not in use
// on that handle, or one whose operation has already completed).
func TestCancelIoExNotFound(t *testing.T) {
	r := newKioRig(t)
	a := r.thread("A")
	rd, wr := r.pipe(a, emu.PipeOptions{})
	rd2, _ := r.pipe(a, emu.PipeOptions{})
	ev := r.event(a, true, false)
	var errs [6]error
	other := &emu.Overlapped{}
	done := &emu.Overlapped{}
	r.write(a, wr, "x")
	r.do(a, func(t *emu.Thread) {
		errs[0] = t.CancelIoEx(rd, nil)
		errs[1] = t.CancelIoEx(rd, other)
		t.ReadFile(rd, make([]byte, 4), nil, done) // completes at once
		errs[2] = t.CancelIoEx(rd, done)
		t.ReadFile(rd2, make([]byte, 4), nil, other) // pending on another handle
		errs[3] = t.CancelIoEx(rd, other)
		errs[4] = t.CancelIoEx(ev, nil)
		errs[5] = t.CancelIo(0)
	})
	for i, want := range []error{wso.ERROR_NOT_FOUND, wso.ERROR_NOT_FOUND, wso.ERROR_NOT_FOUND, wso.ERROR_NOT_FOUND, wso.ERROR_INVALID_HANDLE, wso.ERROR_INVALID_HANDLE} {
		kioWant(t, "case "+string(rune('0'+i)), errs[i], want)
	}
	if !kioPending(other) {
		t.Fatal("a CancelIoEx on another handle cancelled the read")
	}
}

// CancelIo remarks: a cancelled operation is still reported through the
// usual notifications. A cancelled ReadFileEx calls its routine (in an
// alertable wait) with dwErrorCode ERROR_OPERATION_ABORTED and a byte count
// of zero (LPOVERLAPPED_COMPLETION_ROUTINE: the count is zero on error);
// a cancelled read on a port-associated handle posts a packet that makes
// GetQueuedCompletionStatus fail with ERROR_OPERATION_ABORTED.
func TestCancelNotifiesThroughRequestedMechanism(t *testing.T) {
	r := newKioRig(t)
	a := r.thread("A")

	// Routine.
	rd, _ := r.pipe(a, emu.PipeOptions{})
	ev := r.event(a, true, false)
	ov := &emu.Overlapped{HEvent: ev}
	type call struct {
		code, n uint32
		ov      *emu.Overlapped
	}
	var calls []call
	var err error
	r.do(a, func(t *emu.Thread) {
		err = t.ReadFileEx(rd, make([]byte, 8), ov, func(t *emu.Thread, code, n uint32, o *emu.Overlapped) {
			calls = append(calls, call{code, n, o})
		})
	})
	kioWant(t, "ReadFileEx", err, nil)
	r.do(a, func(t *emu.Thread) { err = t.CancelIo(rd) })
	kioWant(t, "CancelIo", err, nil)
	if len(calls) != 0 {
		t.Fatal("routine ran outside an alertable wait")
	}
	var w uint32
	r.do(a, func(t *emu.Thread) { w = t.SleepEx(0, true) })
	if w != wso.WAIT_IO_COMPLETION || len(calls) != 1 {
		t.Fatalf("SleepEx=%s calls=%v", wso.WaitName(w), calls)
	}
	if calls[0] != (call{uint32(wso.ERROR_OPERATION_ABORTED), 0, ov}) {
		t.Fatalf("routine got %+v, want (995, 0, ov)", calls[0])
	}
	if r.signalled(ev) {
		t.Fatal("cancelled ReadFileEx signalled the event in hEvent")
	}
	kioCheckAborted(r, a, rd, ov, "ReadFileEx")

	// Completion port.
	prd, _ := r.pipe(a, emu.PipeOptions{})
	var port emu.Handle
	r.do(a, func(t *emu.Thread) { port, err = t.CreateIoCompletionPort(prd, 0, 0x55, 0) })
	kioWant(t, "CreateIoCompletionPort", err, nil)
	pov := &emu.Overlapped{}
	r.do(a, func(t *emu.Thread) { err = t.ReadFile(prd, make([]byte, 8), nil, pov) })
	kioWant(t, "ReadFile", err, wso.ERROR_IO_PENDING)
	r.noPacket(a, port)
	r.do(a, func(t *emu.Thread) { err = t.CancelIoEx(prd, pov) })
	kioWant(t, "CancelIoEx", err, nil)
	n, key, got := uint32(9), uintptr(0), (*emu.Overlapped)(nil)
	r.do(a, func(t *emu.Thread) { err = t.GetQueuedCompletionStatus(port, &n, &key, &got, 0) })
	kioWant(t, "GetQueuedCompletionStatus", err, wso.ERROR_OPERATION_ABORTED)
	if got != pov || key != 0x55 || n != 0 {
		t.Fatalf("packet ov=%p key=%#x n=%d", got, key, n)
	}
	r.noPacket(a, port)
	kioCheckAborted(r, a, prd, pov, "port read")
}

// CancelIoEx remarks: the operation may still complete normally, because
// the cancel request might not be processed in time. With the Chooser
// saying that the cancel is still under way (PointCancel = 1), a write that
// arrives before it takes effect completes the read successfully, and the
// late cancel then finds nothing to do.
func TestCancelIoLosesRaceToWrite(t *testing.T) {
	late := emu.FuncChooser(func(p emu.Point, n int) int {
		if p == emu.PointCancel {
			return 1
		}
		return 0
	})
	r := newKioRig(t, emu.WithChooser(late))
	a, b := r.thread("A"), r.thread("B")
	rd, wr := r.pipe(a, emu.PipeOptions{})
	ev := r.event(a, true, false)
	buf := make([]byte, 8)
	ov := &emu.Overlapped{HEvent: ev}
	var err error
	r.do(a, func(t *emu.Thread) { err = t.ReadFile(rd, buf, nil, ov) })
	kioWant(t, "ReadFile", err, wso.ERROR_IO_PENDING)
	r.do(a, func(t *emu.Thread) { err = t.CancelIoEx(rd, ov) })
	kioWant(t, "CancelIoEx", err, nil)
	if !kioPending(ov) || r.signalled(ev) {
		t.Fatal("cancel took effect although the Chooser said it is still under way")
	}
	r.write(b, wr, "won")
	r.st.Settle() // the cancel action fires now, too late
	n, err := r.result(a, rd, ov)
	kioWant(t, "GetOverlappedResult", err, nil)
	if n != 3 || string(buf[:3]) != "won" {
		t.Fatalf("n=%d buf=%q", n, buf[:n])
	}

	// Without a completion in between, the late cancel does take effect.
	ov2 := &emu.Overlapped{}
	r.do(a, func(t *emu.Thread) { t.ReadFile(rd, buf, nil, ov2); err = t.CancelIo(rd) })
	kioWant(t, "CancelIo", err, nil)
	if !kioPending(ov2) {
		t.Fatal("cancel was immediate")
	}
	r.st.Settle()
	kioCheckAborted(r, a, rd, ov2, "late cancel")
}

// CloseHandle / docs/windows-behaviour.md "Cancellation and close": closing a handle
// completes its pending requests (cancelled), through their notification
// mechanisms.
func TestCancelByClosingHandle(t *testing.T) {
	r := newKioRig(t)
	a, b := r.thread("A"), r.thread("B")
	rd, wr := r.pipe(a, emu.PipeOptions{Capacity: 2})
	evR, evW := r.event(a, true, false), r.event(a, true, false)
	ovR := &emu.Overlapped{HEvent: evR}
	calls := 0
	var code uint32
	var err error
	r.do(a, func(t *emu.Thread) { err = t.ReadFile(rd, make([]byte, 4), nil, ovR) })
	kioWant(t, "ReadFile", err, wso.ERROR_IO_PENDING)
	ovX := &emu.Overlapped{}
	r.do(b, func(t *emu.Thread) {
		err = t.ReadFileEx(rd, make([]byte, 4), ovX, func(t *emu.Thread, c, n uint32, o *emu.Overlapped) { calls++; code = c })
	})
	kioWant(t, "ReadFileEx", err, nil)
	r.do(a, func(t *emu.Thread) { err = t.CloseHandle(rd) })
	kioWant(t, "CloseHandle", err, nil)
	if !r.signalled(evR) || kioStatus(ovR) != wso.STATUS_CANCELLED {
		t.Fatalf("read on the closed handle: event=%v Internal=%#x", r.signalled(evR), ovR.Internal)
	}
	if kioStatus(ovX) != wso.STATUS_CANCELLED {
		t.Fatalf("B's ReadFileEx: Internal=%#x", ovX.Internal)
	}
	r.do(b, func(t *emu.Thread) { t.SleepEx(0, true) })
	if calls != 1 || code != uint32(wso.ERROR_OPERATION_ABORTED) {
		t.Fatalf("B's routine: calls=%d code=%d", calls, code)
	}

	// Closing the writing end cancels the writes pending on it.
	rd2, wr2 := r.pipe(a, emu.PipeOptions{Capacity: 2})
	ovW := &emu.Overlapped{HEvent: evW}
	r.do(b, func(t *emu.Thread) { err = t.WriteFile(wr2, []byte("abcdef"), nil, ovW) })
	kioWant(t, "WriteFile", err, wso.ERROR_IO_PENDING)
	r.do(b, func(t *emu.Thread) { err = t.CloseHandle(wr2) })
	kioWant(t, "CloseHandle(write end)", err, nil)
	if !r.signalled(evW) {
		t.Fatal("pending write not completed on close")
	}
	kioCheckAborted(r, b, wr2, ovW, "write on the closed handle")
	_, _ = wr, rd2
}

// ProfileDocs (LPWSPGETOVERLAPPEDRESULT remarks: all I/O a thread started
// is cancelled when it exits): the exiting thread's pending reads are
// cancelled, on a port-associated handle too; its queued routines never
// run. Other threads' requests are left alone.
func TestCancelOnThreadExitDocsProfile(t *testing.T) {
	r := newKioRig(t, emu.WithProfile(emu.ProfileDocs))
	a, b := r.thread("A"), r.thread("B")
	rd, _ := r.pipe(a, emu.PipeOptions{})
	prd, _ := r.pipe(a, emu.PipeOptions{})
	var port emu.Handle
	var err error
	r.do(a, func(t *emu.Thread) { port, err = t.CreateIoCompletionPort(prd, 0, 1, 0) })
	kioWant(t, "CreateIoCompletionPort", err, nil)
	ev1, ev2 := r.event(a, true, false), r.event(a, true, false)
	ov1, ov2, ovX, ovA := &emu.Overlapped{HEvent: ev1}, &emu.Overlapped{HEvent: ev2}, &emu.Overlapped{}, &emu.Overlapped{}
	ran := 0
	r.do(b, func(t *emu.Thread) {
		t.ReadFile(rd, make([]byte, 4), nil, ov1)
		t.ReadFile(prd, make([]byte, 4), nil, ov2)
		t.ReadFileEx(rd, make([]byte, 4), ovX, func(*emu.Thread, uint32, uint32, *emu.Overlapped) { ran++ })
	})
	r.do(a, func(t *emu.Thread) { t.ReadFile(rd, make([]byte, 4), nil, ovA) })
	res, err := r.st.Call(b, func(t *emu.Thread) { t.ExitThread(3) })
	if err != nil || !res.Exited {
		t.Fatalf("ExitThread: %+v %v", res, err)
	}
	kioCheckAborted(r, a, rd, ov1, "exited thread's read")
	if kioStatus(ovX) != wso.STATUS_CANCELLED || ran != 0 {
		t.Fatalf("exited thread's ReadFileEx: Internal=%#x routine ran %d", ovX.Internal, ran)
	}
	if !kioPending(ovA) {
		t.Fatal("another thread's read was cancelled")
	}
	// The read on the port handle: its event is signalled and its packet
	// queued now; in this profile its record is written when the packet is
	// taken (see TestPortStatusBlockTiming).
	if !r.signalled(ev2) {
		t.Fatal("cancelled read on the port handle did not signal its event")
	}
	var n uint32
	var key uintptr
	var got *emu.Overlapped
	r.do(a, func(t *emu.Thread) { err = t.GetQueuedCompletionStatus(port, &n, &key, &got, 0) })
	kioWant(t, "packet of the cancelled read", err, wso.ERROR_OPERATION_ABORTED)
	if got != ov2 {
		t.Fatal("wrong packet")
	}
	kioCheckAborted(r, a, prd, ov2, "exited thread's read on a port handle")
}

// ProfileWindows (docs/windows-behaviour.md "Thread exit": Vista and later do not
// cancel I/O on thread exit for handles bound to a completion port): the
// exiting thread's read on a port-associated handle stays pending and
// completes normally later, with its packet; its read on a handle with no
// port is cancelled.
func TestCancelOnThreadExitWindowsProfile(t *testing.T) {
	r := newKioRig(t) // ProfileWindows is the default
	if r.s.Profile() != emu.ProfileWindows {
		t.Fatal("default profile is not ProfileWindows")
	}
	a, b := r.thread("A"), r.thread("B")
	rd, _ := r.pipe(a, emu.PipeOptions{})
	prd, pwr := r.pipe(a, emu.PipeOptions{})
	var port emu.Handle
	var err error
	r.do(a, func(t *emu.Thread) { port, err = t.CreateIoCompletionPort(prd, 0, 9, 0) })
	kioWant(t, "CreateIoCompletionPort", err, nil)
	ev := r.event(a, true, false)
	ov1, ov2 := &emu.Overlapped{}, &emu.Overlapped{HEvent: ev}
	buf := make([]byte, 8)
	r.do(b, func(t *emu.Thread) {
		t.ReadFile(rd, make([]byte, 4), nil, ov1)
		t.ReadFile(prd, buf, nil, ov2)
	})
	res, err := r.st.Call(b, func(t *emu.Thread) { t.ExitThread(0) })
	if err != nil || !res.Exited {
		t.Fatalf("ExitThread: %+v %v", res, err)
	}
	kioCheckAborted(r, a, rd, ov1, "read on a handle without a port")
	if !kioPending(ov2) {
		t.Fatalf("read on the port handle: Internal=%#x, want still pending", ov2.Internal)
	}
	r.noPacket(a, port)
	r.write(a, pwr, "later")
	var n uint32
	var key uintptr
	var got *emu.Overlapped
	r.do(a, func(t *emu.Thread) { err = t.GetQueuedCompletionStatus(port, &n, &key, &got, 0) })
	kioWant(t, "GetQueuedCompletionStatus", err, nil)
	if got != ov2 || n != 5 || key != 9 || string(buf[:5]) != "later" || !r.signalled(ev) {
		t.Fatalf("packet ov=%p n=%d key=%d buf=%q", got, n, key, buf[:n])
	}
}
