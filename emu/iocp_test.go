package emu_test

import (
	"testing"

	"github.com/wsaemu/wsaemu/emu"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// kioPort creates a port on th.
func (r *kioRig) port(th *emu.Thread) emu.Handle {
	r.tb.Helper()
	var p emu.Handle
	var err error
	r.do(th, func(t *emu.Thread) { p, err = t.CreateIoCompletionPort(emu.INVALID_HANDLE_VALUE, 0, 0, 0) })
	kioWant(r.tb, "CreateIoCompletionPort", err, nil)
	return p
}

// associate binds file to port under key.
func (r *kioRig) associate(th *emu.Thread, file, port emu.Handle, key uintptr) {
	r.tb.Helper()
	var got emu.Handle
	var err error
	r.do(th, func(t *emu.Thread) { got, err = t.CreateIoCompletionPort(file, port, key, 0) })
	kioWant(r.tb, "CreateIoCompletionPort(associate)", err, nil)
	if got != port {
		r.tb.Fatalf("association returned %#x, want the port %#x", uint64(got), uint64(port))
	}
}

// kioPacket is what one GetQueuedCompletionStatus returned.
type kioPacket struct {
	n   uint32
	key uintptr
	ov  *emu.Overlapped
	err error
}

func (r *kioRig) dequeue(th *emu.Thread, port emu.Handle) kioPacket {
	r.tb.Helper()
	var p kioPacket
	r.do(th, func(t *emu.Thread) { p.err = t.GetQueuedCompletionStatus(port, &p.n, &p.key, &p.ov, 0) })
	return p
}

// IO-Completion-Ports "How I/O completion ports work": packets are queued
// first in, first out; PostQueuedCompletionStatus: the three values posted
// come back unchanged from GetQueuedCompletionStatus, and lpOverlapped need
// not point to a real OVERLAPPED (it may be NULL).
func TestPortFIFOAndPostRoundTrip(t *testing.T) {
	r := newKioRig(t)
	a := r.thread("A")
	port := r.port(a)
	ovs := []*emu.Overlapped{{}, nil, {}}
	var err error
	r.do(a, func(t *emu.Thread) {
		for i, ov := range ovs {
			if e := t.PostQueuedCompletionStatus(port, uint32(100+i), uintptr(0xdead0000+i), ov); e != nil {
				err = e
			}
		}
	})
	kioWant(t, "PostQueuedCompletionStatus", err, nil)
	for i, ov := range ovs {
		p := r.dequeue(a, port)
		kioWant(t, "GetQueuedCompletionStatus", p.err, nil)
		if p.n != uint32(100+i) || p.key != uintptr(0xdead0000+i) || p.ov != ov {
			t.Fatalf("packet %d: %+v, want n=%d key=%#x ov=%p", i, p, 100+i, 0xdead0000+i, ov)
		}
	}
	r.noPacket(a, port)
	// Posting to something that is not a port fails.
	ev := r.event(a, true, false)
	r.do(a, func(t *emu.Thread) { err = t.PostQueuedCompletionStatus(ev, 0, 0, nil) })
	kioWant(t, "PostQueuedCompletionStatus(event)", err, wso.ERROR_INVALID_HANDLE)
}

// IO-Completion-Ports "How I/O completion ports work": of the threads
// waiting on a port, the most recent one is given the packet (the waiting
// threads are released last in, first out).
func TestPortLIFOWaiters(t *testing.T) {
	r := newKioRig(t)
	a, b, c := r.thread("A"), r.thread("B"), r.thread("C")
	port := r.port(a)
	var pa, pb kioPacket
	if r.call(a, func(t *emu.Thread) { pa.err = t.GetQueuedCompletionStatus(port, &pa.n, &pa.key, &pa.ov, emu.INFINITE) }) {
		t.Fatal("A did not block")
	}
	if r.call(b, func(t *emu.Thread) { pb.err = t.GetQueuedCompletionStatus(port, &pb.n, &pb.key, &pb.ov, emu.INFINITE) }) {
		t.Fatal("B did not block")
	}
	r.do(c, func(t *emu.Thread) { t.PostQueuedCompletionStatus(port, 1, 1, nil) })
	if !r.st.Idle(b) || !a.Blocked() {
		t.Fatal("the first packet did not go to B, the thread that began waiting last")
	}
	kioWant(t, "B", pb.err, nil)
	if pb.n != 1 {
		t.Fatalf("B got %+v", pb)
	}
	r.do(c, func(t *emu.Thread) { t.PostQueuedCompletionStatus(port, 2, 2, nil) })
	if !r.st.Idle(a) {
		t.Fatal("A did not get the second packet")
	}
	kioWant(t, "A", pa.err, nil)
	if pa.n != 2 {
		t.Fatalf("A got %+v", pa)
	}
}

// GetQueuedCompletionStatus dwMilliseconds / remarks: on a time-out the
// call fails, sets *lpOverlapped to NULL and stores nothing in the byte
// count or key (docs/windows-behaviour.md: they are left alone; WAIT_TIMEOUT, 258).
func TestPortTimeout(t *testing.T) {
	r := newKioRig(t)
	a := r.thread("A")
	port := r.port(a)
	junk := &emu.Overlapped{}
	n, key, ov := uint32(7), uintptr(9), junk
	var err error
	r.do(a, func(t *emu.Thread) { err = t.GetQueuedCompletionStatus(port, &n, &key, &ov, 0) })
	kioWant(t, "GetQueuedCompletionStatus(0)", err, wso.WAIT_TIMEOUT)
	if ov != nil || n != 7 || key != 9 {
		t.Fatalf("after time-out: ov=%p n=%d key=%d", ov, n, key)
	}
	if uint32(wso.WAIT_TIMEOUT) != 258 {
		t.Fatal("WAIT_TIMEOUT is not 258")
	}
	ov = junk
	if r.call(a, func(t *emu.Thread) { err = t.GetQueuedCompletionStatus(port, &n, &key, &ov, 30) }) {
		t.Fatal("30ms wait returned at once")
	}
	r.st.Settle()
	kioWant(t, "GetQueuedCompletionStatus(30)", err, wso.WAIT_TIMEOUT)
	if ov != nil || n != 7 || key != 9 || r.s.Now().Milliseconds() != 30 {
		t.Fatalf("after time-out: ov=%p n=%d key=%d now=%v", ov, n, key, r.s.Now())
	}
}

// GetQueuedCompletionStatus remarks: if the port handle is closed while
// the call waits, it fails with ERROR_ABANDONED_WAIT_0 and *lpOverlapped
// is NULL. GetQueuedCompletionStatusEx fails the same way.
func TestPortClosedWhileWaiting(t *testing.T) {
	r := newKioRig(t)
	a, b, c := r.thread("A"), r.thread("B"), r.thread("C")
	port := r.port(a)
	junk := &emu.Overlapped{}
	var p kioPacket
	p.ov = junk
	if r.call(a, func(t *emu.Thread) { p.err = t.GetQueuedCompletionStatus(port, &p.n, &p.key, &p.ov, emu.INFINITE) }) {
		t.Fatal("A did not block")
	}
	var exErr error
	var removed uint32 = 5
	entries := make([]emu.OverlappedEntry, 2)
	if r.call(b, func(t *emu.Thread) {
		exErr = t.GetQueuedCompletionStatusEx(port, entries, &removed, emu.INFINITE, true)
	}) {
		t.Fatal("B did not block")
	}
	var err error
	r.do(c, func(t *emu.Thread) { err = t.CloseHandle(port) })
	kioWant(t, "CloseHandle(port)", err, nil)
	if !r.st.Idle(a) || !r.st.Idle(b) {
		t.Fatal("waiters not released by the close")
	}
	kioWant(t, "GetQueuedCompletionStatus", p.err, wso.ERROR_ABANDONED_WAIT_0)
	if p.ov != nil {
		t.Fatal("*lpOverlapped not NULL")
	}
	kioWant(t, "GetQueuedCompletionStatusEx", exErr, wso.ERROR_ABANDONED_WAIT_0)
	if removed != 0 {
		t.Fatalf("removed=%d", removed)
	}
	// The handle is gone now.
	p = r.dequeue(a, port)
	kioWant(t, "GetQueuedCompletionStatus on a closed port", p.err, wso.ERROR_INVALID_HANDLE)
}

// GetQueuedCompletionStatus remarks: a packet for a failed I/O operation
// makes the call fail with that operation's error, with the byte count,
// key and OVERLAPPED all filled in.
func TestPortFailedIOPacket(t *testing.T) {
	r := newKioRig(t)
	a, b := r.thread("A"), r.thread("B")
	port := r.port(a)
	rd, wr := r.pipe(a, emu.PipeOptions{Capacity: 2})
	r.associate(a, wr, port, 0x77)
	ov := &emu.Overlapped{}
	var err error
	r.do(a, func(t *emu.Thread) { err = t.WriteFile(wr, []byte("abcdef"), nil, ov) })
	kioWant(t, "WriteFile", err, wso.ERROR_IO_PENDING)
	r.do(b, func(t *emu.Thread) { err = t.CloseHandle(rd) })
	kioWant(t, "CloseHandle", err, nil)
	p := kioPacket{n: 99, ov: nil}
	r.do(a, func(t *emu.Thread) { p.err = t.GetQueuedCompletionStatus(port, &p.n, &p.key, &p.ov, 0) })
	kioWant(t, "GetQueuedCompletionStatus", p.err, wso.ERROR_BROKEN_PIPE)
	if p.ov != ov || p.key != 0x77 || p.n != 0 {
		t.Fatalf("packet %+v", p)
	}
}

// GetQueuedCompletionStatusEx: it removes up to ulCount packets in one call
// and succeeds when at least one was removed, even if some were for failed
// operations (the status is in each entry's Internal).
func TestPortExRemovesSeveral(t *testing.T) {
	r := newKioRig(t)
	a := r.thread("A")
	port := r.port(a)
	rd, _ := r.pipe(a, emu.PipeOptions{})
	r.associate(a, rd, port, 3)
	ov := &emu.Overlapped{}
	var err error
	r.do(a, func(t *emu.Thread) {
		t.PostQueuedCompletionStatus(port, 1, 1, nil)
		t.ReadFile(rd, make([]byte, 4), nil, ov)
		t.CancelIo(rd)
		t.PostQueuedCompletionStatus(port, 3, 3, nil)
	})
	entries := make([]emu.OverlappedEntry, 2)
	var removed uint32
	r.do(a, func(t *emu.Thread) { err = t.GetQueuedCompletionStatusEx(port, entries, &removed, 0, false) })
	kioWant(t, "GetQueuedCompletionStatusEx", err, nil)
	if removed != 2 {
		t.Fatalf("removed %d, want 2", removed)
	}
	if entries[0].CompletionKey != 1 || entries[0].NumberOfBytesTransferred != 1 || entries[0].Internal != 0 {
		t.Fatalf("entry 0: %+v", entries[0])
	}
	if entries[1].Overlapped != ov || entries[1].CompletionKey != 3 || emu.NTStatus(entries[1].Internal) != wso.STATUS_CANCELLED {
		t.Fatalf("entry 1: %+v", entries[1])
	}
	r.do(a, func(t *emu.Thread) { err = t.GetQueuedCompletionStatusEx(port, entries, &removed, 0, false) })
	kioWant(t, "second GetQueuedCompletionStatusEx", err, nil)
	if removed != 1 || entries[0].NumberOfBytesTransferred != 3 {
		t.Fatalf("removed=%d entry=%+v", removed, entries[0])
	}
	r.do(a, func(t *emu.Thread) { err = t.GetQueuedCompletionStatusEx(port, entries, &removed, 0, false) })
	kioWant(t, "empty port", err, wso.WAIT_TIMEOUT)
	if removed != 0 {
		t.Fatalf("removed=%d on time-out", removed)
	}
	var e1, e2 error
	r.do(a, func(t *emu.Thread) {
		e1 = t.GetQueuedCompletionStatusEx(port, nil, &removed, 0, false)
		e2 = t.GetQueuedCompletionStatusEx(port, entries, nil, 0, false)
	})
	kioWant(t, "no entries", e1, wso.ERROR_INVALID_PARAMETER)
	kioWant(t, "no count", e2, wso.ERROR_INVALID_PARAMETER)
}

// GetQueuedCompletionStatusEx fAlertable: with no packet, an alertable call
// returns when an APC is queued to the thread, after running it, and fails
// with WAIT_IO_COMPLETION; a non-alertable one does not run APCs.
func TestPortExAlertable(t *testing.T) {
	r := newKioRig(t)
	a, b := r.thread("A"), r.thread("B")
	port := r.port(a)
	entries := make([]emu.OverlappedEntry, 4)
	var removed uint32
	var err error
	ran := 0
	if r.call(a, func(t *emu.Thread) { err = t.GetQueuedCompletionStatusEx(port, entries, &removed, emu.INFINITE, true) }) {
		t.Fatal("returned with an empty port")
	}
	r.do(b, func(t *emu.Thread) { t.QueueUserAPC(func(*emu.Thread, uintptr) { ran++ }, a.Handle(), 0) })
	if !r.st.Idle(a) {
		t.Fatal("APC did not wake the alertable port wait")
	}
	kioWant(t, "GetQueuedCompletionStatusEx", err, emu.Errno(wso.WAIT_IO_COMPLETION))
	if ran != 1 || removed != 0 {
		t.Fatalf("ran=%d removed=%d", ran, removed)
	}
	// A packet already queued wins over queued APCs.
	r.do(a, func(t *emu.Thread) {
		t.QueueUserAPC(func(*emu.Thread, uintptr) { ran++ }, t.GetCurrentThread(), 0)
		t.PostQueuedCompletionStatus(port, 5, 5, nil)
		err = t.GetQueuedCompletionStatusEx(port, entries, &removed, emu.INFINITE, true)
	})
	kioWant(t, "with a packet queued", err, nil)
	if removed != 1 || ran != 1 {
		t.Fatalf("removed=%d ran=%d", removed, ran)
	}
	// Not alertable: the queued APC stays queued, the wait times out.
	if r.call(a, func(t *emu.Thread) { err = t.GetQueuedCompletionStatusEx(port, entries, &removed, 10, false) }) {
		t.Fatal("returned at once")
	}
	r.st.Settle()
	kioWant(t, "non-alertable", err, wso.WAIT_TIMEOUT)
	if ran != 1 || a.QueuedAPCs() != 1 {
		t.Fatalf("ran=%d queued=%d", ran, a.QueuedAPCs())
	}
}

// docs/windows-behaviour.md "Immediate vs pending": an overlapped operation that
// succeeds at once still posts a completion packet when its handle is
// associated with a port (without FILE_SKIP_COMPLETION_PORT_ON_SUCCESS).
func TestPortImmediateSuccessPostsPacket(t *testing.T) {
	r := newKioRig(t)
	a := r.thread("A")
	port := r.port(a)
	rd, wr := r.pipe(a, emu.PipeOptions{})
	r.associate(a, wr, port, 1)
	r.associate(a, rd, port, 2)
	wov, rov := &emu.Overlapped{}, &emu.Overlapped{}
	var e1, e2 error
	r.do(a, func(t *emu.Thread) {
		e1 = t.WriteFile(wr, []byte("ab"), nil, wov)
		e2 = t.ReadFile(rd, make([]byte, 4), nil, rov)
	})
	kioWant(t, "WriteFile", e1, nil)
	kioWant(t, "ReadFile", e2, nil)
	for _, want := range []kioPacket{{n: 2, key: 1, ov: wov}, {n: 2, key: 2, ov: rov}} {
		if p := r.dequeue(a, port); p != want {
			t.Fatalf("packet %+v, want %+v", p, want)
		}
	}
	r.noPacket(a, port)
}

// SetFileCompletionNotificationModes FILE_SKIP_COMPLETION_PORT_ON_SUCCESS:
// no packet is queued when a request on an overlapped, port-associated
// handle succeeds at once; a request that returned ERROR_IO_PENDING still
// queues one. Modes accumulate and cannot be removed: setting
// FILE_SKIP_SET_EVENT_ON_HANDLE afterwards keeps the skip mode. Unknown
// bits fail with ERROR_INVALID_PARAMETER.
func TestPortSkipCompletionPortOnSuccess(t *testing.T) {
	r := newKioRig(t)
	a := r.thread("A")
	port := r.port(a)
	rd, wr := r.pipe(a, emu.PipeOptions{})
	r.associate(a, rd, port, 2)
	var err error
	r.do(a, func(t *emu.Thread) {
		err = t.SetFileCompletionNotificationModes(rd, emu.FILE_SKIP_COMPLETION_PORT_ON_SUCCESS)
	})
	kioWant(t, "SetFileCompletionNotificationModes(1)", err, nil)
	r.do(a, func(t *emu.Thread) { err = t.SetFileCompletionNotificationModes(rd, emu.FILE_SKIP_SET_EVENT_ON_HANDLE) })
	kioWant(t, "SetFileCompletionNotificationModes(2)", err, nil)

	r.write(a, wr, "now")
	ev := r.event(a, true, false)
	ov := &emu.Overlapped{HEvent: ev}
	r.do(a, func(t *emu.Thread) { err = t.ReadFile(rd, make([]byte, 8), nil, ov) })
	kioWant(t, "immediate ReadFile", err, nil)
	r.noPacket(a, port)
	if !r.signalled(ev) {
		t.Fatal("explicit event not signalled")
	}

	pov := &emu.Overlapped{}
	r.do(a, func(t *emu.Thread) { err = t.ReadFile(rd, make([]byte, 8), nil, pov) })
	kioWant(t, "pending ReadFile", err, wso.ERROR_IO_PENDING)
	r.write(a, wr, "later")
	if p := r.dequeue(a, port); p.ov != pov || p.err != nil || p.n != 5 {
		t.Fatalf("pended read's packet: %+v", p)
	}

	for _, bad := range []uint8{4, 0x80, emu.FILE_SKIP_COMPLETION_PORT_ON_SUCCESS | 8} {
		r.do(a, func(t *emu.Thread) { err = t.SetFileCompletionNotificationModes(rd, bad) })
		kioWant(t, "unknown mode bits", err, wso.ERROR_INVALID_PARAMETER)
	}
	var e1, e2 error
	r.do(a, func(t *emu.Thread) {
		e1 = t.SetFileCompletionNotificationModes(0, 1)
		e2 = t.SetFileCompletionNotificationModes(ev, 1)
	})
	kioWant(t, "handle 0", e1, wso.ERROR_INVALID_HANDLE)
	kioWant(t, "event handle", e2, wso.ERROR_INVALID_HANDLE)
}

// SetFileCompletionNotificationModes FILE_SKIP_SET_EVENT_ON_HANDLE: the
// I/O manager does not signal the file object when a request completes, but
// an explicit event given with the request is still signalled.
func TestPortSkipSetEventOnHandle(t *testing.T) {
	for _, skip := range []bool{false, true} {
		r := newKioRig(t)
		a := r.thread("A")
		rd, wr := r.pipe(a, emu.PipeOptions{})
		var err error
		if skip {
			r.do(a, func(t *emu.Thread) { err = t.SetFileCompletionNotificationModes(rd, emu.FILE_SKIP_SET_EVENT_ON_HANDLE) })
			kioWant(t, "SetFileCompletionNotificationModes", err, nil)
		}
		// One read names an event, the other none: on Windows only a
		// request without an event signals the handle (see
		// TestFileHandleNotSignalledWhenEventGiven).
		ev := r.event(a, true, false)
		ov := &emu.Overlapped{HEvent: ev}
		r.do(a, func(t *emu.Thread) { err = t.ReadFile(rd, make([]byte, 8), nil, ov) })
		kioWant(t, "ReadFile", err, wso.ERROR_IO_PENDING)
		r.do(a, func(t *emu.Thread) { err = t.ReadFile(rd, make([]byte, 8), nil, &emu.Overlapped{}) })
		kioWant(t, "ReadFile", err, wso.ERROR_IO_PENDING)
		r.write(a, wr, "x")
		r.write(a, wr, "y")
		if !r.signalled(ev) {
			t.Fatal("explicit event not signalled")
		}
		var w uint32
		r.do(a, func(t *emu.Thread) { w, _ = t.WaitForSingleObject(rd, 0) })
		want := wso.WAIT_OBJECT_0
		if skip {
			want = uint32(wso.WAIT_TIMEOUT)
		}
		if w != want {
			t.Fatalf("skip=%v: wait on the file handle = %s, want %s", skip, wso.WaitName(w), wso.WaitName(want))
		}
	}
}

// GetQueuedCompletionStatus lpOverlapped: a valid event handle with its
// low-order bit set keeps the completion from being queued to the port;
// the event is still signalled (docs/windows-behaviour.md "Completion ports").
func TestPortEventLowBitSuppressesPacket(t *testing.T) {
	r := newKioRig(t)
	a := r.thread("A")
	port := r.port(a)
	rd, wr := r.pipe(a, emu.PipeOptions{})
	r.associate(a, rd, port, 1)
	ev := r.event(a, true, false)
	ov := &emu.Overlapped{HEvent: ev | 1}
	var err error
	r.do(a, func(t *emu.Thread) { err = t.ReadFile(rd, make([]byte, 8), nil, ov) })
	kioWant(t, "ReadFile", err, wso.ERROR_IO_PENDING)
	r.write(a, wr, "data")
	if !r.signalled(ev) {
		t.Fatal("event (hEvent with low bit) not signalled")
	}
	r.noPacket(a, port)
	n, err := r.result(a, rd, ov)
	kioWant(t, "GetOverlappedResult", err, nil)
	if n != 4 {
		t.Fatalf("n=%d", n)
	}
	// GetOverlappedResult(wait) on such a record waits on the event, not
	// on a handle value with the tag bit.
	ov2 := &emu.Overlapped{HEvent: ev | 1}
	r.do(a, func(t *emu.Thread) { err = t.ReadFile(rd, make([]byte, 8), nil, ov2) })
	kioWant(t, "ReadFile", err, wso.ERROR_IO_PENDING)
	b := r.thread("B")
	if r.call(a, func(t *emu.Thread) { err = t.GetOverlappedResult(rd, ov2, &n, true) }) {
		t.Fatal("did not wait")
	}
	r.write(b, wr, "zz")
	kioWant(t, "GetOverlappedResult(wait)", err, nil)
	r.noPacket(a, port)
}

// CreateIoCompletionPort remarks: a handle can be associated with only one
// completion port; a second association fails (ERROR_INVALID_PARAMETER).
// ExistingCompletionPort must be a port, FileHandle an overlapped-capable
// handle.
func TestPortAssociateTwice(t *testing.T) {
	r := newKioRig(t)
	a := r.thread("A")
	p1, p2 := r.port(a), r.port(a)
	rd, _ := r.pipe(a, emu.PipeOptions{})
	r.associate(a, rd, p1, 1)
	ev := r.event(a, true, false)
	var errs [5]error
	r.do(a, func(t *emu.Thread) {
		_, errs[0] = t.CreateIoCompletionPort(rd, p1, 2, 0)
		_, errs[1] = t.CreateIoCompletionPort(rd, p2, 2, 0)
		_, errs[2] = t.CreateIoCompletionPort(rd, 0, 2, 0)
		_, errs[3] = t.CreateIoCompletionPort(ev, p2, 2, 0)
		_, errs[4] = t.CreateIoCompletionPort(emu.INVALID_HANDLE_VALUE, ev, 0, 0)
	})
	for i, want := range []error{wso.ERROR_INVALID_PARAMETER, wso.ERROR_INVALID_PARAMETER, wso.ERROR_INVALID_PARAMETER, wso.ERROR_INVALID_HANDLE, wso.ERROR_INVALID_HANDLE} {
		kioWant(t, "association case "+string(rune('0'+i)), errs[i], want)
	}
	// A file handle with ExistingCompletionPort NULL gets a new port.
	rd2, _ := r.pipe(a, emu.PipeOptions{})
	var np emu.Handle
	var err error
	r.do(a, func(t *emu.Thread) { np, err = t.CreateIoCompletionPort(rd2, 0, 4, 0) })
	kioWant(t, "CreateIoCompletionPort(file, NULL)", err, nil)
	if np == 0 || np == p1 || np == p2 {
		t.Fatalf("new port handle %#x", uint64(np))
	}
	r.do(a, func(t *emu.Thread) { err = t.PostQueuedCompletionStatus(np, 1, 1, nil) })
	kioWant(t, "post to the new port", err, nil)
}

// docs/windows-behaviour.md "Completion ports": a completion routine cannot be used on a
// handle associated with a port; ReadFileEx fails at once
// (ERROR_INVALID_PARAMETER) and the routine is never called.
func TestPortReadFileExRefused(t *testing.T) {
	r := newKioRig(t)
	a := r.thread("A")
	port := r.port(a)
	rd, wr := r.pipe(a, emu.PipeOptions{})
	r.associate(a, rd, port, 1)
	r.write(a, wr, "data")
	ran := 0
	var err error
	var w uint32
	r.do(a, func(t *emu.Thread) {
		err = t.ReadFileEx(rd, make([]byte, 8), &emu.Overlapped{}, func(*emu.Thread, uint32, uint32, *emu.Overlapped) { ran++ })
		w = t.SleepEx(0, true)
	})
	kioWant(t, "ReadFileEx on a port handle", err, wso.ERROR_INVALID_PARAMETER)
	if ran != 0 || w != 0 {
		t.Fatal("routine ran")
	}
	r.noPacket(a, port)
}

// GetQueuedCompletionStatus parameters: the out pointers are required and
// the handle must be a port.
func TestPortBadArguments(t *testing.T) {
	r := newKioRig(t)
	a := r.thread("A")
	port := r.port(a)
	ev := r.event(a, true, false)
	var n uint32
	var key uintptr
	var ov *emu.Overlapped
	var errs [5]error
	r.do(a, func(t *emu.Thread) {
		errs[0] = t.GetQueuedCompletionStatus(port, nil, &key, &ov, 0)
		errs[1] = t.GetQueuedCompletionStatus(port, &n, nil, &ov, 0)
		errs[2] = t.GetQueuedCompletionStatus(port, &n, &key, nil, 0)
		errs[3] = t.GetQueuedCompletionStatus(ev, &n, &key, &ov, 0)
		errs[4] = t.GetQueuedCompletionStatus(emu.INVALID_HANDLE_VALUE, &n, &key, &ov, 0)
	})
	for i, want := range []error{wso.ERROR_INVALID_PARAMETER, wso.ERROR_INVALID_PARAMETER, wso.ERROR_INVALID_PARAMETER, wso.ERROR_INVALID_HANDLE, wso.ERROR_INVALID_HANDLE} {
		kioWant(t, "case "+string(rune('0'+i)), errs[i], want)
	}
}

// CreateIoCompletionPort FileHandle: a handle given for association must
// have been opened for overlapped I/O. A synchronous handle is refused
// (ERROR_INVALID_PARAMETER), so its blocking calls never post packets.
func TestPortAssociateSynchronousHandle(t *testing.T) {
	r := newKioRig(t)
	a := r.thread("A")
	port := r.port(a)
	rd, wr := r.pipe(a, emu.PipeOptions{Synchronous: true})
	var e1, e2 error
	r.do(a, func(t *emu.Thread) {
		_, e1 = t.CreateIoCompletionPort(wr, port, 1, 0)
		_, e2 = t.CreateIoCompletionPort(rd, 0, 1, 0)
	})
	kioWant(t, "associate a synchronous write end", e1, wso.ERROR_INVALID_PARAMETER)
	kioWant(t, "associate a synchronous read end", e2, wso.ERROR_INVALID_PARAMETER)
	var err error
	r.do(a, func(t *emu.Thread) { err = t.WriteFile(wr, []byte("sync"), nil, nil) })
	kioWant(t, "synchronous WriteFile", err, nil)
	r.noPacket(a, port)
}

// IO-Completion-Ports: on a handle associated with a port, the status block
// is not updated until the packet is removed from the port (except when
// the call itself reported the result at once). ProfileDocs follows the
// page; ProfileWindows writes the record when the operation completes, as
// current Windows does (see profile.go). In both, the event is signalled
// at completion.
func TestPortStatusBlockTiming(t *testing.T) {
	for _, prof := range []emu.Profile{emu.ProfileDocs, emu.ProfileWindows} {
		r := newKioRig(t, emu.WithProfile(prof))
		a := r.thread("A")
		port := r.port(a)
		rd, wr := r.pipe(a, emu.PipeOptions{})
		r.associate(a, rd, port, 1)
		ev := r.event(a, true, false)
		ov := &emu.Overlapped{HEvent: ev}
		var err error
		r.do(a, func(t *emu.Thread) { err = t.ReadFile(rd, make([]byte, 8), nil, ov) })
		kioWant(t, "ReadFile", err, wso.ERROR_IO_PENDING)
		r.write(a, wr, "abc")
		if !r.signalled(ev) {
			t.Fatalf("%v: event not signalled at completion", prof)
		}
		if kioPending(ov) != (prof == emu.ProfileDocs) {
			t.Fatalf("%v: before the packet is taken Internal=%#x", prof, ov.Internal)
		}
		p := r.dequeue(a, port)
		if p.ov != ov || p.err != nil || p.n != 3 {
			t.Fatalf("%v: packet %+v", prof, p)
		}
		if kioStatus(ov) != wso.STATUS_SUCCESS || ov.InternalHigh != 3 {
			t.Fatalf("%v: after the packet is taken Internal=%#x InternalHigh=%d", prof, ov.Internal, ov.InternalHigh)
		}
		// A result the call reported at once is in the record at once.
		r.write(a, wr, "now")
		ov2 := &emu.Overlapped{}
		var n uint32
		r.do(a, func(t *emu.Thread) { err = t.ReadFile(rd, make([]byte, 8), &n, ov2) })
		kioWant(t, "immediate ReadFile", err, nil)
		if kioStatus(ov2) != wso.STATUS_SUCCESS || ov2.InternalHigh != 3 {
			t.Fatalf("%v: immediate result not in the record: %#x", prof, ov2.Internal)
		}
	}
}

// WithoutTrace (system.go): a System that records nothing must not keep
// anything per OVERLAPPED either, or a long run that uses a fresh record
// for each operation would grow without bound. Records that went through a
// port (posted, dequeued) or through a routine are not remembered: the
// first record the System is asked to name afterwards is number 1.
func TestPortWithoutTraceRemembersNoRecords(t *testing.T) {
	r := newKioRig(t, emu.WithoutTrace())
	a := r.thread("A")
	port := r.port(a)
	rd, wr := r.pipe(a, emu.PipeOptions{})
	r.associate(a, rd, port, 1)
	rd2, wr2 := r.pipe(a, emu.PipeOptions{})
	r.do(a, func(t *emu.Thread) {
		for i := 0; i < 10; i++ {
			t.PostQueuedCompletionStatus(port, 0, 0, &emu.Overlapped{})
			t.ReadFile(rd, make([]byte, 1), nil, &emu.Overlapped{})
			t.WriteFile(wr, []byte("x"), nil, &emu.Overlapped{})
			t.ReadFileEx(rd2, make([]byte, 1), &emu.Overlapped{}, func(*emu.Thread, uint32, uint32, *emu.Overlapped) {})
			t.WriteFile(wr2, []byte("y"), nil, &emu.Overlapped{})
			t.SleepEx(0, true)
		}
		var n uint32
		var key uintptr
		var ov *emu.Overlapped
		for t.GetQueuedCompletionStatus(port, &n, &key, &ov, 0) != wso.WAIT_TIMEOUT {
		}
	})
	if id := r.s.OverlappedID(&emu.Overlapped{}); id != 1 {
		t.Fatalf("a System without a trace has named %d records already", id-1)
	}
}
