package emu_test

import (
	"bytes"
	"runtime"
	"testing"

	"github.com/wsaemu/wsaemu/emu"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// ---- helpers shared by pipe_test.go, ioresult_test.go, cancel_test.go and
// iocp_test.go. Their names start with "kio" so that they cannot collide
// with helpers of the other test files of this package.

// kioRig is a step-driven System for the I/O tests.
type kioRig struct {
	tb testing.TB
	s  *emu.System
	st *emu.Stepper
}

func newKioRig(tb testing.TB, opts ...emu.Option) *kioRig {
	tb.Helper()
	s := emu.New(opts...)
	st, err := s.Stepper()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Stop)
	return &kioRig{tb: tb, s: s, st: st}
}

func (r *kioRig) thread(name string) *emu.Thread { return r.st.NewThread(name) }

// call runs fn on th as one step and reports whether fn returned (false:
// th is blocked inside it).
func (r *kioRig) call(th *emu.Thread, fn func(t *emu.Thread)) bool {
	r.tb.Helper()
	res, err := r.st.Call(th, fn)
	if err != nil {
		r.tb.Fatalf("step on %s: %v", th.Name(), err)
	}
	return res.Returned
}

// do runs fn on th and fails the test if th blocked.
func (r *kioRig) do(th *emu.Thread, fn func(t *emu.Thread)) {
	r.tb.Helper()
	if !r.call(th, fn) {
		r.tb.Fatalf("%s blocked where the call should have returned\n%s", th.Name(), r.s.Trace())
	}
}

// event creates an event on th.
func (r *kioRig) event(th *emu.Thread, manual, initial bool) emu.Handle {
	r.tb.Helper()
	var h emu.Handle
	var err error
	r.do(th, func(t *emu.Thread) { h, err = t.CreateEvent(manual, initial) })
	if err != nil {
		r.tb.Fatal(err)
	}
	return h
}

// pipe creates a pipe on th.
func (r *kioRig) pipe(th *emu.Thread, opts emu.PipeOptions) (rd, wr emu.Handle) {
	r.tb.Helper()
	var err error
	r.do(th, func(t *emu.Thread) { rd, wr, err = t.CreatePipe(opts) })
	if err != nil {
		r.tb.Fatal(err)
	}
	return rd, wr
}

// signalled reports the state of the event h.
func (r *kioRig) signalled(h emu.Handle) bool {
	r.tb.Helper()
	on, ok := r.s.EventState(h)
	if !ok {
		r.tb.Fatalf("%#x is not an event", uint64(h))
	}
	return on
}

// write writes data on th through an overlapped WriteFile that must
// complete at once.
func (r *kioRig) write(th *emu.Thread, wr emu.Handle, data string) {
	r.tb.Helper()
	var err error
	var n uint32
	r.do(th, func(t *emu.Thread) { err = t.WriteFile(wr, []byte(data), &n, &emu.Overlapped{}) })
	if err != nil || n != uint32(len(data)) {
		r.tb.Fatalf("WriteFile(%q) = %v, %d bytes", data, err, n)
	}
}

// result calls GetOverlappedResult(wait=FALSE) on th.
func (r *kioRig) result(th *emu.Thread, h emu.Handle, ov *emu.Overlapped) (uint32, error) {
	r.tb.Helper()
	var n uint32
	var err error
	r.do(th, func(t *emu.Thread) { err = t.GetOverlappedResult(h, ov, &n, false) })
	return n, err
}

// noPacket checks that the port holds no packet.
func (r *kioRig) noPacket(th *emu.Thread, port emu.Handle) {
	r.tb.Helper()
	var n uint32
	var key uintptr
	var ov *emu.Overlapped
	var err error
	r.do(th, func(t *emu.Thread) { err = t.GetQueuedCompletionStatus(port, &n, &key, &ov, 0) })
	if err != wso.WAIT_TIMEOUT {
		r.tb.Fatalf("port has a packet: err=%v ov=%p n=%d key=%d", err, ov, n, key)
	}
}

// kioWant fails unless got is want (nil: success).
func kioWant(tb testing.TB, what string, got, want error) {
	tb.Helper()
	if got != want {
		tb.Fatalf("%s: got error %v, want %v", what, got, want)
	}
}

func kioPending(ov *emu.Overlapped) bool {
	return emu.NTStatus(ov.LoadInternal()) == wso.STATUS_PENDING
}

func kioStatus(ov *emu.Overlapped) emu.NTStatus { return emu.NTStatus(ov.LoadInternal()) }

// ---- pipe data semantics

// CreateNamedPipe (PIPE_TYPE_BYTE / PIPE_READMODE_BYTE): a byte-mode pipe is
// a stream; one read takes whatever is unread, up to its buffer, regardless
// of how the writer split the data.
func TestPipeByteModeReadsAcrossWriteBoundaries(t *testing.T) {
	r := newKioRig(t)
	a := r.thread("A")
	rd, wr := r.pipe(a, emu.PipeOptions{Mode: emu.PipeByte})
	r.write(a, wr, "abc")
	r.write(a, wr, "defg")

	buf := make([]byte, 5)
	var n uint32
	var err error
	r.do(a, func(t *emu.Thread) { err = t.ReadFile(rd, buf, &n, &emu.Overlapped{}) })
	kioWant(t, "ReadFile", err, nil)
	if got := string(buf[:n]); got != "abcde" {
		t.Fatalf("first read = %q, want %q (crosses the write boundary)", got, "abcde")
	}
	buf = make([]byte, 10)
	r.do(a, func(t *emu.Thread) { err = t.ReadFile(rd, buf, &n, &emu.Overlapped{}) })
	kioWant(t, "ReadFile", err, nil)
	if got := string(buf[:n]); got != "fg" {
		t.Fatalf("second read = %q, want %q", got, "fg")
	}
}

// CreateNamedPipe (PIPE_TYPE_MESSAGE / PIPE_READMODE_MESSAGE): each write is
// one message and a read returns at most one message, even when the buffer
// could hold more.
func TestPipeMessageModeKeepsBoundaries(t *testing.T) {
	r := newKioRig(t)
	a := r.thread("A")
	rd, wr := r.pipe(a, emu.PipeOptions{Mode: emu.PipeMessage})
	r.write(a, wr, "abc")
	r.write(a, wr, "defg")
	for _, want := range []string{"abc", "defg"} {
		buf := make([]byte, 64)
		var n uint32
		var err error
		r.do(a, func(t *emu.Thread) { err = t.ReadFile(rd, buf, &n, &emu.Overlapped{}) })
		kioWant(t, "ReadFile", err, nil)
		if got := string(buf[:n]); got != want {
			t.Fatalf("read = %q, want one message %q", got, want)
		}
	}
}

// ReadFile on a message pipe / docs/windows-behaviour.md "Pipes": a message longer than
// the buffer fails the call with ERROR_MORE_DATA; on an overlapped handle
// the bytes that fitted are in the record (InternalHigh, and
// GetOverlappedResult), while *lpNumberOfBytesRead keeps the zero ReadFile
// wrote first (kernel32 copies the count out only on success, as Wine was
// observed to do); the rest of the message is what the next read gets. docs/windows-behaviour.md "Immediate vs pending": an immediate warning
// still fills the status block and signals the event.
func TestPipeMoreDataImmediate(t *testing.T) {
	r := newKioRig(t)
	a := r.thread("A")
	rd, wr := r.pipe(a, emu.PipeOptions{Mode: emu.PipeMessage})
	ev := r.event(a, true, false)
	r.write(a, wr, "hello world")

	buf := make([]byte, 4)
	n := uint32(99)
	ov := &emu.Overlapped{HEvent: ev}
	var err error
	r.do(a, func(t *emu.Thread) { err = t.ReadFile(rd, buf, &n, ov) })
	kioWant(t, "ReadFile", err, wso.ERROR_MORE_DATA)
	if n != 0 || string(buf) != "hell" {
		t.Fatalf("ReadFile gave count %d and %q, want 0 and %q", n, buf, "hell")
	}
	if kioStatus(ov) != wso.STATUS_BUFFER_OVERFLOW || ov.InternalHigh != 4 {
		t.Fatalf("record: Internal=%#x InternalHigh=%d, want STATUS_BUFFER_OVERFLOW and 4", ov.Internal, ov.InternalHigh)
	}
	if !r.signalled(ev) {
		t.Fatal("event not signalled after an immediate ERROR_MORE_DATA")
	}
	got, err := r.result(a, rd, ov)
	kioWant(t, "GetOverlappedResult", err, wso.ERROR_MORE_DATA)
	if got != 4 {
		t.Fatalf("GetOverlappedResult bytes = %d, want 4", got)
	}

	// The rest of the message: another partial read, then the tail.
	ov2 := &emu.Overlapped{}
	r.do(a, func(t *emu.Thread) { err = t.ReadFile(rd, buf, &n, ov2) })
	kioWant(t, "second ReadFile", err, wso.ERROR_MORE_DATA)
	if string(buf[:ov2.InternalHigh]) != "o wo" {
		t.Fatalf("second read %q, want %q", buf[:ov2.InternalHigh], "o wo")
	}
	big := make([]byte, 16)
	r.do(a, func(t *emu.Thread) { err = t.ReadFile(rd, big, &n, &emu.Overlapped{}) })
	kioWant(t, "third ReadFile", err, nil)
	if string(big[:n]) != "rld" {
		t.Fatalf("third read %q, want %q", big[:n], "rld")
	}
}

// GetOverlappedResult / docs/windows-behaviour.md "Pipes": when a pending read of a
// message pipe completes with a message longer than its buffer,
// GetOverlappedResult fails with ERROR_MORE_DATA and reports the bytes
// that fitted.
func TestPipeMoreDataPending(t *testing.T) {
	r := newKioRig(t)
	a, b := r.thread("A"), r.thread("B")
	rd, wr := r.pipe(a, emu.PipeOptions{Mode: emu.PipeMessage})
	ev := r.event(a, true, false)
	buf := make([]byte, 5)
	ov := &emu.Overlapped{HEvent: ev}
	n := uint32(77)
	var err error
	r.do(a, func(t *emu.Thread) { err = t.ReadFile(rd, buf, &n, ov) })
	kioWant(t, "ReadFile", err, wso.ERROR_IO_PENDING)
	// ReadFile page: lpNumberOfBytesRead is set to zero before any work
	// or error checking, so a pending read leaves it 0, not the old value.
	if n != 0 {
		t.Fatalf("ReadFile left *done = %d while pending, want 0", n)
	}
	r.write(b, wr, "0123456789")
	got, err := r.result(a, rd, ov)
	kioWant(t, "GetOverlappedResult", err, wso.ERROR_MORE_DATA)
	if got != 5 || string(buf) != "01234" {
		t.Fatalf("got %d bytes %q, want 5 %q", got, buf, "01234")
	}
	r.do(a, func(t *emu.Thread) { err = t.ReadFile(rd, buf, &n, &emu.Overlapped{}) })
	kioWant(t, "next ReadFile", err, nil)
	if string(buf[:n]) != "56789" {
		t.Fatalf("rest of the message = %q", buf[:n])
	}
}

// LPOVERLAPPED_COMPLETION_ROUTINE remarks: a buffer too small for the
// message gives dwErrorCode 0 to the routine (bytes = buffer size) while
// GetOverlappedResult fails with ERROR_MORE_DATA. ReadFileEx remarks: the
// call returns TRUE and GetLastError reports the overflow as
// ERROR_MORE_DATA.
func TestPipeMoreDataReadFileExRoutine(t *testing.T) {
	for _, pending := range []bool{false, true} {
		r := newKioRig(t)
		a, b := r.thread("A"), r.thread("B")
		rd, wr := r.pipe(a, emu.PipeOptions{Mode: emu.PipeMessage})
		if !pending {
			r.write(b, wr, "0123456789")
		}
		buf := make([]byte, 3)
		ov := &emu.Overlapped{}
		type call struct{ code, n uint32 }
		var calls []call
		var err error
		var last emu.Errno
		r.do(a, func(t *emu.Thread) {
			t.SetLastError(wso.ERROR_GEN_FAILURE)
			err = t.ReadFileEx(rd, buf, ov, func(t *emu.Thread, code, n uint32, o *emu.Overlapped) {
				calls = append(calls, call{code, n})
			})
			last = t.GetLastError()
		})
		kioWant(t, "ReadFileEx", err, nil)
		if !pending && last != wso.ERROR_MORE_DATA {
			t.Errorf("GetLastError after an overflowing ReadFileEx = %v, want ERROR_MORE_DATA", last)
		}
		if pending {
			if last != wso.ERROR_SUCCESS {
				t.Errorf("GetLastError after a pending ReadFileEx = %v, want ERROR_SUCCESS", last)
			}
			r.write(b, wr, "0123456789")
		}
		if len(calls) != 0 {
			t.Fatal("routine ran outside an alertable wait")
		}
		var w uint32
		r.do(a, func(t *emu.Thread) { w = t.SleepEx(0, true) })
		if w != wso.WAIT_IO_COMPLETION || len(calls) != 1 {
			t.Fatalf("SleepEx = %s, routine calls %v", wso.WaitName(w), calls)
		}
		if calls[0] != (call{0, 3}) {
			t.Fatalf("routine got (code %d, bytes %d), want (0, 3)", calls[0].code, calls[0].n)
		}
		got, err := r.result(a, rd, ov)
		kioWant(t, "GetOverlappedResult", err, wso.ERROR_MORE_DATA)
		if got != 3 || string(buf) != "012" {
			t.Fatalf("GetOverlappedResult bytes %d buf %q", got, buf)
		}
	}
}

// docs/windows-behaviour.md "Pipes": a byte-mode reader never sees ERROR_MORE_DATA; a
// short buffer just takes part of the stream.
func TestPipeByteModeNoMoreData(t *testing.T) {
	r := newKioRig(t)
	a := r.thread("A")
	rd, wr := r.pipe(a, emu.PipeOptions{Mode: emu.PipeByte})
	r.write(a, wr, "hello world")
	buf := make([]byte, 4)
	var n uint32
	var err error
	ov := &emu.Overlapped{}
	r.do(a, func(t *emu.Thread) { err = t.ReadFile(rd, buf, &n, ov) })
	kioWant(t, "ReadFile", err, nil)
	if n != 4 || kioStatus(ov) != wso.STATUS_SUCCESS {
		t.Fatalf("n=%d Internal=%#x", n, ov.Internal)
	}
	// Same for a pending read completed by a long write, with a routine.
	rd2, wr2 := r.pipe(a, emu.PipeOptions{Mode: emu.PipeByte})
	var code, got uint32 = 99, 99
	ov2 := &emu.Overlapped{}
	r.do(a, func(t *emu.Thread) {
		err = t.ReadFileEx(rd2, buf, ov2, func(t *emu.Thread, c, k uint32, o *emu.Overlapped) { code, got = c, k })
	})
	kioWant(t, "ReadFileEx", err, nil)
	r.write(a, wr2, "0123456789")
	r.do(a, func(t *emu.Thread) { t.SleepEx(0, true) })
	if code != 0 || got != 4 {
		t.Fatalf("routine (%d, %d), want (0, 4)", code, got)
	}
	n, err = r.result(a, rd2, ov2)
	kioWant(t, "GetOverlappedResult", err, nil)
	if n != 4 {
		t.Fatalf("bytes %d", n)
	}
}

// CreateNamedPipe nOutBufferSize / WriteFile on pipes: a write that does not
// fit in the pipe's buffer quota stays pending until the reader has made
// room; one that fits completes at once.
func TestPipeCapacityWritePendsUntilRead(t *testing.T) {
	r := newKioRig(t)
	a, b := r.thread("A"), r.thread("B")
	rd, wr := r.pipe(a, emu.PipeOptions{Mode: emu.PipeByte, Capacity: 8})
	ev := r.event(b, true, false)
	ov := &emu.Overlapped{HEvent: ev}
	var n uint32
	var err error
	r.do(b, func(t *emu.Thread) { err = t.WriteFile(wr, []byte("0123456789ab"), &n, ov) })
	kioWant(t, "WriteFile over quota", err, wso.ERROR_IO_PENDING)
	if !kioPending(ov) || r.signalled(ev) {
		t.Fatal("an over-quota write is not pending")
	}
	buf := make([]byte, 3)
	r.do(a, func(t *emu.Thread) { err = t.ReadFile(rd, buf, &n, &emu.Overlapped{}) })
	kioWant(t, "ReadFile", err, nil)
	if !kioPending(ov) {
		t.Fatal("write completed while 9 bytes are still over a quota of 8")
	}
	r.do(a, func(t *emu.Thread) { err = t.ReadFile(rd, buf[:1], &n, &emu.Overlapped{}) })
	kioWant(t, "ReadFile", err, nil)
	if kioPending(ov) || !r.signalled(ev) {
		t.Fatal("write still pending once its data fits the quota")
	}
	got, err := r.result(b, wr, ov)
	kioWant(t, "GetOverlappedResult(write)", err, nil)
	if got != 12 {
		t.Fatalf("write reported %d bytes, want 12", got)
	}
	// A write of exactly the free quota completes at once.
	rd2, wr2 := r.pipe(a, emu.PipeOptions{Capacity: 4})
	_ = rd2
	r.do(b, func(t *emu.Thread) { err = t.WriteFile(wr2, []byte("wxyz"), &n, &emu.Overlapped{}) })
	kioWant(t, "WriteFile of exactly the quota", err, nil)
}

// docs/windows-behaviour.md "Pipes": pending writes fail with ERROR_BROKEN_PIPE when the
// reading end is closed.
func TestPipeBrokenPendingWriteWhenReaderCloses(t *testing.T) {
	r := newKioRig(t)
	a, b := r.thread("A"), r.thread("B")
	rd, wr := r.pipe(a, emu.PipeOptions{Capacity: 2})
	ev := r.event(b, true, false)
	ov := &emu.Overlapped{HEvent: ev}
	var err error
	r.do(b, func(t *emu.Thread) { err = t.WriteFile(wr, []byte("abcdef"), nil, ov) })
	kioWant(t, "WriteFile", err, wso.ERROR_IO_PENDING)
	r.do(a, func(t *emu.Thread) { err = t.CloseHandle(rd) })
	kioWant(t, "CloseHandle(read end)", err, nil)
	if !r.signalled(ev) || kioStatus(ov) != wso.STATUS_PIPE_BROKEN {
		t.Fatalf("write not failed: Internal=%#x", ov.Internal)
	}
	n, err := r.result(b, wr, ov)
	kioWant(t, "GetOverlappedResult", err, wso.ERROR_BROKEN_PIPE)
	if n != 0 {
		t.Fatalf("bytes %d", n)
	}
}

// ReadFile on pipes: once the writing end is closed and everything written
// has been read, a read fails with ERROR_BROKEN_PIPE (at once for a new
// read; through the record for a read that was waiting).
func TestPipeBrokenReadAfterWriterCloses(t *testing.T) {
	r := newKioRig(t)
	a, b := r.thread("A"), r.thread("B")
	rd, wr := r.pipe(a, emu.PipeOptions{})
	ev := r.event(a, true, false)
	waiting := &emu.Overlapped{HEvent: ev}
	var err error
	buf := make([]byte, 1)
	r.do(a, func(t *emu.Thread) { err = t.ReadFile(rd, buf, nil, waiting) })
	kioWant(t, "ReadFile", err, wso.ERROR_IO_PENDING)
	r.write(b, wr, "xyz") // the waiting read takes "x"
	r.do(b, func(t *emu.Thread) { err = t.CloseHandle(wr) })
	kioWant(t, "CloseHandle(write end)", err, nil)

	// Data written before the close is still delivered.
	var n uint32
	big := make([]byte, 8)
	r.do(a, func(t *emu.Thread) { err = t.ReadFile(rd, big, &n, &emu.Overlapped{}) })
	kioWant(t, "ReadFile of the remaining data", err, nil)
	if string(big[:n]) != "yz" {
		t.Fatalf("remaining data %q", big[:n])
	}
	ov := &emu.Overlapped{HEvent: ev}
	r.do(a, func(t *emu.Thread) { t.ResetEvent(ev); err = t.ReadFile(rd, big, &n, ov) })
	kioWant(t, "ReadFile after drain", err, wso.ERROR_BROKEN_PIPE)
	if r.signalled(ev) {
		t.Fatal("an immediate ERROR_BROKEN_PIPE signalled the event")
	}

	// A read already waiting when the writer goes fails the same way.
	rd2, wr2 := r.pipe(a, emu.PipeOptions{})
	ov2 := &emu.Overlapped{HEvent: ev}
	r.do(a, func(t *emu.Thread) { err = t.ReadFile(rd2, big, nil, ov2) })
	kioWant(t, "ReadFile", err, wso.ERROR_IO_PENDING)
	r.do(b, func(t *emu.Thread) { err = t.CloseHandle(wr2) })
	kioWant(t, "CloseHandle", err, nil)
	if !r.signalled(ev) {
		t.Fatal("waiting read not completed when the writer closed")
	}
	_, err = r.result(a, rd2, ov2)
	kioWant(t, "GetOverlappedResult", err, wso.ERROR_BROKEN_PIPE)
}

// WriteFile on pipes: writing to a pipe whose reading end has been closed
// fails at once with ERROR_NO_DATA (the pipe is being closed).
func TestPipeWriteAfterReaderClosed(t *testing.T) {
	r := newKioRig(t)
	a := r.thread("A")
	rd, wr := r.pipe(a, emu.PipeOptions{Mode: emu.PipeMessage})
	var err error
	r.do(a, func(t *emu.Thread) { err = t.CloseHandle(rd) })
	kioWant(t, "CloseHandle", err, nil)
	ev := r.event(a, true, false)
	ov := &emu.Overlapped{HEvent: ev}
	n := uint32(5)
	r.do(a, func(t *emu.Thread) { err = t.WriteFile(wr, []byte("x"), &n, ov) })
	kioWant(t, "WriteFile", err, wso.ERROR_NO_DATA)
	// WriteFile zeroes its byte count before checking anything.
	if r.signalled(ev) || n != 0 {
		t.Fatalf("immediate ERROR_NO_DATA: event=%v n=%d", r.signalled(ev), n)
	}
}

// ReadFileEx returns value: success means the read is pending or done; the
// routine is only called when the thread is in an alertable wait, so it is
// held while the thread runs or waits non-alertably.
func TestPipeReadFileExPendingRoutineOnlyWhenAlertable(t *testing.T) {
	r := newKioRig(t)
	a, b := r.thread("A"), r.thread("B")
	rd, wr := r.pipe(a, emu.PipeOptions{})
	ev := r.event(a, true, false)
	buf := make([]byte, 8)
	ov := &emu.Overlapped{}
	ran := 0
	var err error
	r.do(a, func(t *emu.Thread) {
		err = t.ReadFileEx(rd, buf, ov, func(t *emu.Thread, code, n uint32, o *emu.Overlapped) {
			ran++
			if code != 0 || n != 2 || o != ov {
				panic("routine arguments")
			}
		})
	})
	kioWant(t, "ReadFileEx (pending)", err, nil)
	if !kioPending(ov) {
		t.Fatal("read is not pending")
	}
	r.write(b, wr, "hi")
	if ran != 0 || a.QueuedAPCs() != 1 {
		t.Fatalf("routine ran=%d queued=%d before any alertable wait", ran, a.QueuedAPCs())
	}
	var w uint32
	r.do(a, func(t *emu.Thread) {
		t.SetEvent(ev)
		w, _ = t.WaitForSingleObject(ev, 0) // not alertable
		t.SleepEx(0, false)
	})
	if ran != 0 || w != wso.WAIT_OBJECT_0 {
		t.Fatal("routine ran in a non-alertable wait")
	}
	r.do(a, func(t *emu.Thread) { w = t.SleepEx(10, true) })
	if ran != 1 || w != wso.WAIT_IO_COMPLETION {
		t.Fatalf("alertable SleepEx = %s, ran %d", wso.WaitName(w), ran)
	}
}

// ReadFileEx: when the call fails, no I/O is pending and no routine will
// run. It needs a handle opened for overlapped I/O, an OVERLAPPED and a
// routine (ERROR_INVALID_PARAMETER otherwise); a handle that is not open,
// or not a file, gives ERROR_INVALID_HANDLE; the wrong end of a one-way
// pipe gives ERROR_ACCESS_DENIED.
func TestPipeReadFileExFailureQueuesNoRoutine(t *testing.T) {
	r := newKioRig(t)
	a := r.thread("A")
	rd, wr := r.pipe(a, emu.PipeOptions{})
	srd, swr := r.pipe(a, emu.PipeOptions{Synchronous: true})
	ev := r.event(a, true, false)
	closedRd, closedWr := r.pipe(a, emu.PipeOptions{})
	r.do(a, func(t *emu.Thread) { t.CloseHandle(closedRd); t.CloseHandle(closedWr) })
	r.write(a, wr, "data")
	r.do(a, func(t *emu.Thread) { t.WriteFile(swr, []byte("data"), nil, nil) })
	ran := 0
	routine := func(*emu.Thread, uint32, uint32, *emu.Overlapped) { ran++ }
	cases := []struct {
		name    string
		h       emu.Handle
		ov      *emu.Overlapped
		routine emu.FileIOCompletionRoutine
		want    error
	}{
		{"handle 0", 0, &emu.Overlapped{}, routine, wso.ERROR_INVALID_HANDLE},
		{"INVALID_HANDLE_VALUE", emu.INVALID_HANDLE_VALUE, &emu.Overlapped{}, routine, wso.ERROR_INVALID_HANDLE},
		{"closed handle", closedRd, &emu.Overlapped{}, routine, wso.ERROR_INVALID_HANDLE},
		{"event handle", ev, &emu.Overlapped{}, routine, wso.ERROR_INVALID_HANDLE},
		{"write end", wr, &emu.Overlapped{}, routine, wso.ERROR_ACCESS_DENIED},
		{"synchronous handle", srd, &emu.Overlapped{}, routine, wso.ERROR_INVALID_PARAMETER},
		{"no routine", rd, &emu.Overlapped{}, nil, wso.ERROR_INVALID_PARAMETER},
		{"no OVERLAPPED", rd, nil, routine, wso.ERROR_INVALID_PARAMETER},
	}
	for _, c := range cases {
		var err error
		var w uint32
		r.do(a, func(t *emu.Thread) {
			err = t.ReadFileEx(c.h, make([]byte, 4), c.ov, c.routine)
			w = t.SleepEx(0, true)
		})
		kioWant(t, "ReadFileEx "+c.name, err, c.want)
		if w != 0 || ran != 0 {
			t.Fatalf("%s: a failed ReadFileEx queued its routine (SleepEx=%s)", c.name, wso.WaitName(w))
		}
	}
	// The data is still there: nothing was consumed by the failed calls.
	var n uint32
	buf := make([]byte, 8)
	r.do(a, func(t *emu.Thread) { t.ReadFile(rd, buf, &n, &emu.Overlapped{}) })
	if string(buf[:n]) != "data" {
		t.Fatalf("data after failed calls: %q", buf[:n])
	}
}

// Synchronous and Asynchronous I/O: on a handle opened without
// FILE_FLAG_OVERLAPPED a read blocks the calling thread until the
// operation completes (here: until another thread writes), then returns
// the bytes directly; a write over the quota blocks until read.
func TestPipeSynchronousHandlesBlock(t *testing.T) {
	r := newKioRig(t)
	a, b := r.thread("A"), r.thread("B")
	rd, wr := r.pipe(a, emu.PipeOptions{Synchronous: true, Capacity: 4})
	buf := make([]byte, 8)
	var n uint32
	var err error
	if r.call(a, func(t *emu.Thread) { err = t.ReadFile(rd, buf, &n, nil) }) {
		t.Fatal("synchronous ReadFile on an empty pipe returned")
	}
	if !a.Blocked() {
		t.Fatal("A is not blocked")
	}
	var wn uint32
	var werr error
	r.do(b, func(t *emu.Thread) { werr = t.WriteFile(wr, []byte("hey"), &wn, nil) })
	if !r.st.Idle(a) {
		t.Fatal("A still blocked after the write")
	}
	kioWant(t, "synchronous WriteFile", werr, nil)
	kioWant(t, "synchronous ReadFile", err, nil)
	if string(buf[:n]) != "hey" || wn != 3 {
		t.Fatalf("read %q, wrote %d", buf[:n], wn)
	}

	// A synchronous write that does not fit blocks until the reader reads.
	if r.call(b, func(t *emu.Thread) { err = t.WriteFile(wr, []byte("0123456"), &wn, nil) }) {
		t.Fatal("over-quota synchronous WriteFile returned")
	}
	r.do(a, func(t *emu.Thread) { werr = t.ReadFile(rd, buf[:3], &n, nil) })
	kioWant(t, "synchronous ReadFile", werr, nil)
	if !r.st.Idle(b) {
		t.Fatal("writer still blocked")
	}
	kioWant(t, "synchronous WriteFile", err, nil)
	if wn != 7 {
		t.Fatalf("write reported %d bytes", wn)
	}

	// A synchronous handle needs no OVERLAPPED for ReadFile; on a handle
	// opened for overlapped I/O a call without one is refused.
	ord, _ := r.pipe(a, emu.PipeOptions{})
	r.do(a, func(t *emu.Thread) { err = t.ReadFile(ord, buf, &n, nil) })
	kioWant(t, "ReadFile on an overlapped handle without OVERLAPPED", err, wso.ERROR_INVALID_PARAMETER)
}

// docs/windows-behaviour.md "Immediate vs pending" and iomgr.go start(): an immediate
// error leaves no notification (no event, no packet) and leaves the
// record as it was once the I/O manager accepted the call: Internal at
// STATUS_PENDING (written before the request is issued), InternalHigh
// untouched.
func TestPipeImmediateErrorLeavesNoNotification(t *testing.T) {
	r := newKioRig(t)
	a := r.thread("A")
	rd, wr := r.pipe(a, emu.PipeOptions{})
	var port emu.Handle
	var err error
	r.do(a, func(t *emu.Thread) { port, err = t.CreateIoCompletionPort(wr, 0, 7, 0) })
	kioWant(t, "CreateIoCompletionPort", err, nil)
	r.do(a, func(t *emu.Thread) { err = t.CloseHandle(rd) })
	kioWant(t, "CloseHandle", err, nil)
	ev := r.event(a, true, false)
	ov := &emu.Overlapped{HEvent: ev, InternalHigh: 1234}
	r.do(a, func(t *emu.Thread) { err = t.WriteFile(wr, []byte("abc"), nil, ov) })
	kioWant(t, "WriteFile", err, wso.ERROR_NO_DATA)
	if kioStatus(ov) != wso.STATUS_PENDING || ov.InternalHigh != 1234 {
		t.Fatalf("record after an immediate error: Internal=%#x InternalHigh=%d", ov.Internal, ov.InternalHigh)
	}
	if r.signalled(ev) {
		t.Fatal("event signalled for an immediate error")
	}
	r.noPacket(a, port)

	// The same on the read side: ERROR_BROKEN_PIPE at once.
	rd2, wr2 := r.pipe(a, emu.PipeOptions{})
	r.do(a, func(t *emu.Thread) { port, err = t.CreateIoCompletionPort(rd2, 0, 8, 0); t.CloseHandle(wr2) })
	kioWant(t, "CreateIoCompletionPort", err, nil)
	ov2 := &emu.Overlapped{HEvent: ev}
	r.do(a, func(t *emu.Thread) { err = t.ReadFile(rd2, make([]byte, 4), nil, ov2) })
	kioWant(t, "ReadFile", err, wso.ERROR_BROKEN_PIPE)
	if kioStatus(ov2) != wso.STATUS_PENDING || r.signalled(ev) {
		t.Fatal("immediate read error changed the record or signalled the event")
	}
	r.noPacket(a, port)
}

// OVERLAPPED hEvent: ReadFile and WriteFile set the event to non-signalled
// before they begin the operation; it is signalled when the operation
// completes.
func TestPipeEventResetWhenOperationBegins(t *testing.T) {
	r := newKioRig(t)
	a, b := r.thread("A"), r.thread("B")
	rd, wr := r.pipe(a, emu.PipeOptions{})
	ev := r.event(a, true, true)
	ov := &emu.Overlapped{HEvent: ev}
	var err error
	r.do(a, func(t *emu.Thread) { err = t.ReadFile(rd, make([]byte, 4), nil, ov) })
	kioWant(t, "ReadFile", err, wso.ERROR_IO_PENDING)
	if r.signalled(ev) {
		t.Fatal("event still signalled after the read began")
	}
	r.write(b, wr, "q")
	if !r.signalled(ev) {
		t.Fatal("event not signalled on completion")
	}
	// ReadFileEx ignores hEvent: neither reset nor set.
	ev2 := r.event(a, true, true)
	ov2 := &emu.Overlapped{HEvent: ev2}
	r.do(a, func(t *emu.Thread) {
		err = t.ReadFileEx(rd, make([]byte, 4), ov2, func(*emu.Thread, uint32, uint32, *emu.Overlapped) {})
	})
	kioWant(t, "ReadFileEx", err, nil)
	if !r.signalled(ev2) {
		t.Fatal("ReadFileEx reset the event in hEvent, which it must ignore")
	}
	ev3 := r.event(a, true, false)
	ov3 := &emu.Overlapped{HEvent: ev3}
	r.do(a, func(t *emu.Thread) {
		err = t.ReadFileEx(rd, make([]byte, 4), ov3, func(*emu.Thread, uint32, uint32, *emu.Overlapped) {})
	})
	kioWant(t, "ReadFileEx", err, nil)
	r.write(b, wr, "zz")
	if r.signalled(ev3) {
		t.Fatal("ReadFileEx completion signalled the event in hEvent")
	}
}

// GetOverlappedResult remarks: when hEvent is NULL, a waiting
// GetOverlappedResult waits on the file handle itself, which the system
// signals when an operation on it completes.
func TestPipeNullEventWaitsOnFileHandle(t *testing.T) {
	r := newKioRig(t)
	a, b := r.thread("A"), r.thread("B")
	rd, wr := r.pipe(a, emu.PipeOptions{})
	buf := make([]byte, 4)
	ov := &emu.Overlapped{}
	var err error
	r.do(a, func(t *emu.Thread) { err = t.ReadFile(rd, buf, nil, ov) })
	kioWant(t, "ReadFile", err, wso.ERROR_IO_PENDING)
	var n uint32
	if r.call(a, func(t *emu.Thread) { err = t.GetOverlappedResult(rd, ov, &n, true) }) {
		t.Fatal("GetOverlappedResult(wait) returned while the read is pending")
	}
	r.write(b, wr, "ok")
	if !r.st.Idle(a) {
		t.Fatal("completion did not release the wait on the file handle")
	}
	kioWant(t, "GetOverlappedResult", err, nil)
	if n != 2 || string(buf[:n]) != "ok" {
		t.Fatalf("n=%d buf=%q", n, buf[:n])
	}
	// The file handle itself is waitable: signalled after the completion,
	// reset when the next operation begins.
	var w uint32
	r.do(a, func(t *emu.Thread) { w, _ = t.WaitForSingleObject(rd, 0) })
	if w != wso.WAIT_OBJECT_0 {
		t.Fatalf("file handle after completion: %s", wso.WaitName(w))
	}
	r.do(a, func(t *emu.Thread) {
		t.ReadFile(rd, buf, nil, &emu.Overlapped{})
		w, _ = t.WaitForSingleObject(rd, 0)
	})
	if w != uint32(wso.WAIT_TIMEOUT) {
		t.Fatalf("file handle after a new read began: %s", wso.WaitName(w))
	}
}

// WriteFileEx mirrors ReadFileEx: the routine reports the bytes written and
// runs in an alertable wait of the issuing thread.
func TestPipeWriteFileExRoutine(t *testing.T) {
	r := newKioRig(t)
	a := r.thread("A")
	rd, wr := r.pipe(a, emu.PipeOptions{Mode: emu.PipeMessage})
	var code, n uint32 = 99, 99
	ov := &emu.Overlapped{}
	var err error
	var w uint32
	r.do(a, func(t *emu.Thread) {
		err = t.WriteFileEx(wr, []byte("abcd"), ov, func(t *emu.Thread, c, k uint32, o *emu.Overlapped) { code, n = c, k })
		w = t.SleepEx(0, true)
	})
	kioWant(t, "WriteFileEx", err, nil)
	if w != wso.WAIT_IO_COMPLETION || code != 0 || n != 4 {
		t.Fatalf("SleepEx %s routine (%d, %d)", wso.WaitName(w), code, n)
	}
	buf := make([]byte, 8)
	var got uint32
	r.do(a, func(t *emu.Thread) { err = t.ReadFile(rd, buf, &got, &emu.Overlapped{}) })
	if !bytes.Equal(buf[:got], []byte("abcd")) {
		t.Fatalf("read %q", buf[:got])
	}
	// ReadFileEx on the write end / WriteFileEx on the read end.
	r.do(a, func(t *emu.Thread) {
		err = t.WriteFileEx(rd, []byte("x"), &emu.Overlapped{}, func(*emu.Thread, uint32, uint32, *emu.Overlapped) {})
	})
	kioWant(t, "WriteFileEx on the read end", err, wso.ERROR_ACCESS_DENIED)
}

// CreateNamedPipe nOutBufferSize: the pipe holds what is written and not
// yet read, and no more. A reader that keeps one byte behind the writer for
// a long time must not make the pipe keep everything ever written (the
// emulator's buffers are reused once their read part is at least as long
// as the unread part).
func TestPipeLaggingReaderDoesNotGrowBuffers(t *testing.T) {
	for _, mode := range []emu.PipeMode{emu.PipeByte, emu.PipeMessage} {
		s := emu.New(emu.WithoutTrace())
		st, _ := s.Stepper()
		th := st.NewThread("A")
		const cycles = 50000
		var before, after runtime.MemStats
		var failed error
		_, _ = st.Call(th, func(t *emu.Thread) {
			rd, wr, _ := t.CreatePipe(emu.PipeOptions{Mode: mode, Capacity: 1 << 20})
			data, buf := []byte("0123456789abcdef"), make([]byte, 16)
			var ovW, ovR emu.Overlapped
			var n uint32
			t.WriteFile(wr, data, &n, &ovW) // one message (or 16 bytes) always unread
			runtime.ReadMemStats(&before)
			for i := 0; i < cycles && failed == nil; i++ {
				if err := t.WriteFile(wr, data, &n, &ovW); err != nil {
					failed = err
				}
				if err := t.ReadFile(rd, buf, &n, &ovR); err != nil {
					failed = err
				}
			}
			runtime.ReadMemStats(&after)
		})
		s.Stop()
		kioWant(t, "pipe cycle", failed, nil)
		// Keeping everything would allocate well over cycles*16 bytes.
		if grew := after.TotalAlloc - before.TotalAlloc; grew > cycles*16/4 {
			t.Errorf("mode %d: %d bytes allocated over %d cycles with 16 bytes unread", mode, grew, cycles)
		}
	}
}

// OVERLAPPED hEvent: it must be zero or a valid event handle. ReadFile and
// WriteFile with anything else in hEvent (a closed handle, a handle of
// another kind, with or without the low-order tag bit) fail at once with
// ERROR_INVALID_HANDLE and start nothing: no data moves and nothing is
// notified; Internal keeps the STATUS_PENDING written before the request
// was refused (docs/windows-behaviour.md "Immediate vs pending"). ReadFileEx ignores
// hEvent.
func TestPipeInvalidEventHandleInRecord(t *testing.T) {
	r := newKioRig(t)
	a := r.thread("A")
	rd, wr := r.pipe(a, emu.PipeOptions{})
	port := r.port(a)
	r.associate(a, rd, port, 1)
	gone := r.event(a, true, false)
	r.do(a, func(t *emu.Thread) { t.CloseHandle(gone) })
	r.write(a, wr, "keep")
	for _, bad := range []emu.Handle{gone, gone | 1, wr, port | 1, 0x7ffc} {
		ov := &emu.Overlapped{HEvent: bad}
		var err error
		r.do(a, func(t *emu.Thread) { err = t.ReadFile(rd, make([]byte, 8), nil, ov) })
		kioWant(t, "ReadFile with a bad hEvent", err, wso.ERROR_INVALID_HANDLE)
		if kioStatus(ov) != wso.STATUS_PENDING {
			t.Fatalf("hEvent %#x: Internal=%#x", uint64(bad), ov.Internal)
		}
		r.noPacket(a, port)
	}
	var err error
	r.do(a, func(t *emu.Thread) { err = t.WriteFile(wr, []byte("x"), nil, &emu.Overlapped{HEvent: rd}) })
	kioWant(t, "WriteFile with a bad hEvent", err, wso.ERROR_INVALID_HANDLE)
	buf := make([]byte, 8)
	var n uint32
	r.do(a, func(t *emu.Thread) { err = t.ReadFile(rd, buf, &n, &emu.Overlapped{}) })
	kioWant(t, "ReadFile", err, nil)
	if string(buf[:n]) != "keep" {
		t.Fatalf("data after the refused calls: %q", buf[:n])
	}
	// ReadFileEx does not look at hEvent.
	rd2, wr2 := r.pipe(a, emu.PipeOptions{})
	r.write(a, wr2, "ex")
	r.do(a, func(t *emu.Thread) {
		err = t.ReadFileEx(rd2, buf, &emu.Overlapped{HEvent: gone}, func(*emu.Thread, uint32, uint32, *emu.Overlapped) {})
	})
	kioWant(t, "ReadFileEx with junk in hEvent", err, nil)
}
