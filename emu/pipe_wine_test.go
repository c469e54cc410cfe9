package emu_test

import (
	"testing"

	"github.com/wsaemu/wsaemu/emu"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// Wine's dlls/kernel32/tests/pipe.c, test_blocking_rw (passes on Windows):
// two writes pend on a full pipe; CancelIoEx on the first fails it with
// ERROR_OPERATION_ABORTED and 0 bytes, and its unread data leaves the pipe
// (partly read or not): the reader next gets the second write's data only,
// and the second write completes.
func TestPipeCancelledWriteWithdrawsItsData(t *testing.T) {
	for _, mode := range []emu.PipeMode{emu.PipeByte, emu.PipeMessage} {
		for _, readFirst := range []bool{false, true} {
			r := newKioRig(t)
			a := r.thread("A")
			rd, wr := r.pipe(a, emu.PipeOptions{Mode: mode, Capacity: 8})
			big := make([]byte, 12)
			for i := range big {
				big[i] = 'x'
			}
			var w1, w2 emu.Overlapped
			var err1, err2 error
			r.do(a, func(t *emu.Thread) {
				err1 = t.WriteFile(wr, big, nil, &w1)
				err2 = t.WriteFile(wr, []byte("y"), nil, &w2)
			})
			kioWant(t, "first WriteFile", err1, wso.ERROR_IO_PENDING)
			kioWant(t, "second WriteFile", err2, wso.ERROR_IO_PENDING)
			if readFirst {
				buf := make([]byte, 3)
				var err error
				r.do(a, func(t *emu.Thread) { err = t.ReadFile(rd, buf, nil, &emu.Overlapped{}) })
				want := error(nil)
				if mode == emu.PipeMessage {
					want = wso.ERROR_MORE_DATA
				}
				kioWant(t, "partial ReadFile", err, want)
				if !kioPending(&w1) {
					t.Fatal("the first write completed after 3 of its 12 bytes were read into an 8-byte quota")
				}
			}
			var err error
			r.do(a, func(t *emu.Thread) { err = t.CancelIoEx(wr, &w1) })
			kioWant(t, "CancelIoEx", err, nil)
			r.st.Settle() // the pipe serves the next write on its own
			n, err := r.result(a, wr, &w1)
			if err != wso.ERROR_OPERATION_ABORTED || n != 0 {
				t.Fatalf("mode %d: cancelled write: %v, %d bytes; want ERROR_OPERATION_ABORTED, 0", mode, err, n)
			}
			n, err = r.result(a, wr, &w2)
			if err != nil || n != 1 {
				t.Fatalf("mode %d: second write: %v, %d bytes; want done, 1 byte", mode, err, n)
			}
			buf := make([]byte, 64)
			var got uint32
			r.do(a, func(t *emu.Thread) { err = t.ReadFile(rd, buf, &got, &emu.Overlapped{}) })
			if err != nil || string(buf[:got]) != "y" {
				t.Fatalf("mode %d, read first %v: reader got %q (%v), want only the second write's %q", mode, readFirst, buf[:got], err, "y")
			}
			var ov emu.Overlapped
			r.do(a, func(t *emu.Thread) { err = t.ReadFile(rd, buf, &got, &ov) })
			kioWant(t, "ReadFile on the emptied pipe", err, wso.ERROR_IO_PENDING)
		}
	}
}

// Wine's dlls/kernel32/tests/pipe.c, test_blocking_rw: an empty write does
// not wait behind pending writes, and in message mode its empty message is
// read in its turn, after theirs.
func TestPipeEmptyWriteNeverBlocks(t *testing.T) {
	for _, mode := range []emu.PipeMode{emu.PipeByte, emu.PipeMessage} {
		r := newKioRig(t)
		a := r.thread("A")
		rd, wr := r.pipe(a, emu.PipeOptions{Mode: mode, Capacity: 4})
		var w1 emu.Overlapped
		var err error
		r.do(a, func(t *emu.Thread) { err = t.WriteFile(wr, []byte("abcdef"), nil, &w1) })
		kioWant(t, "WriteFile", err, wso.ERROR_IO_PENDING)
		var n uint32 = 99
		r.do(a, func(t *emu.Thread) { err = t.WriteFile(wr, nil, &n, &emu.Overlapped{}) })
		if err != nil || n != 0 {
			t.Fatalf("mode %d: empty write behind a pending one: %v, %d; want TRUE, 0", mode, err, n)
		}
		buf := make([]byte, 64)
		r.do(a, func(t *emu.Thread) { err = t.ReadFile(rd, buf, &n, &emu.Overlapped{}) })
		if err != nil || n != 6 {
			t.Fatalf("mode %d: first read %v, %d bytes; want the pending write's 6", mode, err, n)
		}
		var ov emu.Overlapped
		r.do(a, func(t *emu.Thread) { err = t.ReadFile(rd, buf, &n, &ov) })
		if mode == emu.PipeMessage {
			if err != nil || n != 0 {
				t.Fatalf("second read %v, %d; want the empty message", err, n)
			}
		} else {
			kioWant(t, "second read (byte mode: nothing left)", err, wso.ERROR_IO_PENDING)
		}
	}
}

// Wine's dlls/ntdll/tests/pipe.c, test_completion (passes on Windows): a
// pending read that names an event signals only that event when it
// completes, not the handle (the read made the handle non-signalled when
// it began); one without an event signals the handle. The docs profile
// keeps the pages' reading: every completion signals the handle.
func TestFileHandleNotSignalledWhenEventGiven(t *testing.T) {
	for _, prof := range []emu.Profile{emu.ProfileWindows, emu.ProfileDocs} {
		r := newKioRig(t, emu.WithProfile(prof))
		a := r.thread("A")
		rd, wr := r.pipe(a, emu.PipeOptions{})
		handle := func() bool {
			var w uint32
			r.do(a, func(t *emu.Thread) { w, _ = t.WaitForSingleObject(rd, 0) })
			return w == wso.WAIT_OBJECT_0
		}
		var err error
		r.do(a, func(t *emu.Thread) { err = t.ReadFile(rd, make([]byte, 8), nil, &emu.Overlapped{}) })
		kioWant(t, "ReadFile", err, wso.ERROR_IO_PENDING)
		r.write(a, wr, "x")
		if !handle() {
			t.Fatalf("%v: a read with no event did not signal the handle", prof)
		}
		ev := r.event(a, true, false)
		r.do(a, func(t *emu.Thread) { err = t.ReadFile(rd, make([]byte, 8), nil, &emu.Overlapped{HEvent: ev}) })
		kioWant(t, "ReadFile", err, wso.ERROR_IO_PENDING)
		if handle() {
			t.Fatalf("%v: the handle stayed signalled when a read began", prof)
		}
		r.write(a, wr, "y")
		if !r.signalled(ev) {
			t.Fatalf("%v: the read's event was not signalled", prof)
		}
		if got, want := handle(), prof == emu.ProfileDocs; got != want {
			t.Fatalf("%v: handle signalled = %v after a read with an event, want %v", prof, got, want)
		}
	}
}

// Wine's dlls/ntdll/tests/pipe.c, test_completion (passes on Windows): on
// a port-bound message pipe in FILE_SKIP_COMPLETION_PORT_ON_SUCCESS mode,
// a read shorter than the message either completes at once with
// STATUS_BUFFER_OVERFLOW and queues nothing (Windows 7) or pends and
// queues a packet (Windows 8 and later); never both at once. Under the
// usual Chooser the windows profile takes the first. The docs profile
// completes it at once and queues the packet: only a call returning
// success is exempt.
func TestSkipModeShortMessageReadOnePath(t *testing.T) {
	for _, prof := range []emu.Profile{emu.ProfileWindows, emu.ProfileDocs} {
		r := newKioRig(t, emu.WithProfile(prof))
		a := r.thread("A")
		rd, wr := r.pipe(a, emu.PipeOptions{Mode: emu.PipeMessage})
		var port emu.Handle
		var err error
		r.do(a, func(t *emu.Thread) { port, err = t.CreateIoCompletionPort(rd, 0, 1, 0) })
		kioWant(t, "CreateIoCompletionPort", err, nil)
		r.do(a, func(t *emu.Thread) {
			err = t.SetFileCompletionNotificationModes(rd, emu.FILE_SKIP_COMPLETION_PORT_ON_SUCCESS)
		})
		kioWant(t, "SetFileCompletionNotificationModes", err, nil)
		r.write(a, wr, "testdata")
		var ov emu.Overlapped
		r.do(a, func(t *emu.Thread) { err = t.ReadFile(rd, make([]byte, 1), nil, &ov) })
		kioWant(t, "short ReadFile", err, wso.ERROR_MORE_DATA)
		if prof == emu.ProfileWindows {
			r.noPacket(a, port)
			continue
		}
		var n uint32
		var key uintptr
		var got *emu.Overlapped
		r.do(a, func(t *emu.Thread) { err = t.GetQueuedCompletionStatus(port, &n, &key, &got, 0) })
		if got != &ov || n != 1 || err != wso.ERROR_MORE_DATA {
			t.Fatalf("%v: packet %p (%d bytes, %v), want the read's record with 1 byte and ERROR_MORE_DATA", prof, got, n, err)
		}
	}
}

// Wine's dlls/ntdll/tests/pipe.c, read_pipe_test and test_blocking, and
// dlls/kernel32/tests/pipe.c, test_CreateNamedPipe (pass on Windows): a
// new pipe handle is signalled; a read that pends makes it non-signalled.
func TestPipeHandleStartsSignalled(t *testing.T) {
	r := newKioRig(t)
	a := r.thread("A")
	rd, wr := r.pipe(a, emu.PipeOptions{})
	for _, h := range []emu.Handle{rd, wr} {
		var w uint32
		r.do(a, func(t *emu.Thread) { w, _ = t.WaitForSingleObject(h, 0) })
		if w != wso.WAIT_OBJECT_0 {
			t.Fatalf("new pipe handle %#x: wait = %s, want WAIT_OBJECT_0", uint64(h), wso.WaitName(w))
		}
	}
	var err error
	r.do(a, func(t *emu.Thread) { err = t.ReadFile(rd, make([]byte, 4), nil, &emu.Overlapped{}) })
	kioWant(t, "ReadFile", err, wso.ERROR_IO_PENDING)
	var w uint32
	r.do(a, func(t *emu.Thread) { w, _ = t.WaitForSingleObject(rd, 0) })
	if w != uint32(wso.WAIT_TIMEOUT) {
		t.Fatalf("after a read began: wait = %s, want WAIT_TIMEOUT", wso.WaitName(w))
	}
}

// Wine's dlls/kernel32/tests/pipe.c, test_ReadFile (passes on Windows): on a
// synchronous message pipe a one-byte ReadFile of a longer message fails
// with ERROR_MORE_DATA; without a record it reports the byte read, with a
// record it leaves the byte count at 0 and the record holds
// STATUS_BUFFER_OVERFLOW and the byte.
func TestSyncPipeShortMessageReadByteCount(t *testing.T) {
	r := newKioRig(t)
	a := r.thread("A")
	rd, wr := r.pipe(a, emu.PipeOptions{Mode: emu.PipeMessage, Synchronous: true})
	var err error
	r.do(a, func(t *emu.Thread) { err = t.WriteFile(wr, make([]byte, 512), nil, nil) })
	kioWant(t, "WriteFile", err, nil)
	buf := make([]byte, 1)
	got := uint32(0xdeadbeef)
	r.do(a, func(t *emu.Thread) { err = t.ReadFile(rd, buf, &got, nil) })
	if err != wso.ERROR_MORE_DATA || got != 1 {
		t.Fatalf("ReadFile without a record: %v, count %d; want ERROR_MORE_DATA, 1", err, got)
	}
	var ov emu.Overlapped
	got = 0xdeadbeef
	r.do(a, func(t *emu.Thread) { err = t.ReadFile(rd, buf, &got, &ov) })
	if err != wso.ERROR_MORE_DATA || got != 0 {
		t.Fatalf("ReadFile with a record: %v, count %d; want ERROR_MORE_DATA, 0", err, got)
	}
	if ov.Internal != uintptr(wso.STATUS_BUFFER_OVERFLOW) || ov.InternalHigh != 1 {
		t.Fatalf("record: Internal %#x InternalHigh %d; want STATUS_BUFFER_OVERFLOW, 1", ov.Internal, ov.InternalHigh)
	}
}
