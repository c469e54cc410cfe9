//go:build !windows || wsaemu

package windows

import (
	"errors"
	"runtime"
	"syscall"
	"testing"

	"github.com/wsaemu/wsaemu/emu"
)

// Events and waits. CreateEventW page: a manual-reset event stays
// signalled until ResetEvent; an auto-reset event is reset when one
// waiting thread is released. WaitForMultipleObjects page: with bWaitAll
// FALSE the result is WAIT_OBJECT_0 plus the lowest index of a signalled
// object; a time-out gives WAIT_TIMEOUT.
// https://learn.microsoft.com/windows/win32/api/synchapi/nf-synchapi-createeventw
// https://learn.microsoft.com/windows/win32/api/synchapi/nf-synchapi-waitformultipleobjects
func TestEventsAndWaits(t *testing.T) { run(t, func() { bodyEventsAndWaits(t) }) }

func bodyEventsAndWaits(t *testing.T) {
	manual, err := CreateEvent(nil, 1, 0, nil)
	if err != nil {
		t.Errorf("CreateEvent: %v", err)
		return
	}
	auto, _ := CreateEvent(nil, 0, 1, nil) // initially signalled
	if r, err := WaitForSingleObject(auto, 0); r != WAIT_OBJECT_0 || err != nil {
		t.Errorf("auto-reset, signalled: %#x %v", r, err)
	}
	if r, _ := WaitForSingleObject(auto, 0); r != uint32(WAIT_TIMEOUT) {
		t.Errorf("auto-reset after one wait: %#x, want WAIT_TIMEOUT (reset by the wait)", r)
	}
	if err := SetEvent(manual); err != nil {
		t.Errorf("SetEvent: %v", err)
	}
	for i := 0; i < 2; i++ {
		if r, _ := WaitForSingleObject(manual, 0); r != WAIT_OBJECT_0 {
			t.Errorf("manual-reset, wait %d: %#x, want WAIT_OBJECT_0 (stays signalled)", i, r)
		}
	}
	if r, _ := WaitForMultipleObjects([]Handle{auto, manual}, false, 0); r != WAIT_OBJECT_0+1 {
		t.Errorf("WaitForMultipleObjects: %#x, want WAIT_OBJECT_0+1", r)
	}
	if r, _ := WaitForMultipleObjects([]Handle{auto, manual}, true, 10); r != uint32(WAIT_TIMEOUT) {
		t.Errorf("wait-all with one unsignalled: %#x, want WAIT_TIMEOUT", r)
	}
	if err := ResetEvent(manual); err != nil {
		t.Errorf("ResetEvent: %v", err)
	}
	if r, _ := WaitForSingleObject(manual, 1000); r != uint32(WAIT_TIMEOUT) {
		t.Errorf("after ResetEvent: %#x, want WAIT_TIMEOUT", r)
	}
	// A closed handle is no longer waitable: WAIT_FAILED with
	// ERROR_INVALID_HANDLE.
	CloseHandle(manual)
	if r, err := WaitForSingleObject(manual, 0); r != WAIT_FAILED || err != ERROR_INVALID_HANDLE {
		t.Errorf("closed handle: %#x %v, want WAIT_FAILED, ERROR_INVALID_HANDLE", r, err)
	}
}

// QueueUserAPC only queues: the APC runs in the target thread's next
// alertable wait, which returns WAIT_IO_COMPLETION. QueueUserAPC page.
// https://learn.microsoft.com/windows/win32/api/processthreadsapi/nf-processthreadsapi-queueuserapc
func TestQueueUserAPC(t *testing.T) { run(t, func() { bodyQueueUserAPC(t) }) }

func bodyQueueUserAPC(t *testing.T) {
	var got []uintptr
	apc := NewCallback(func(p uintptr) uintptr { got = append(got, p); return 0 })
	if err := QueueUserAPC(apc, CurrentThread(), 7); err != nil {
		t.Errorf("QueueUserAPC: %v", err)
	}
	if err := QueueUserAPC(apc, CurrentThread(), 8); err != nil {
		t.Errorf("QueueUserAPC: %v", err)
	}
	if len(got) != 0 {
		t.Errorf("APC ran before an alertable wait")
	}
	ev, _ := CreateEvent(nil, 1, 0, nil)
	if r, _ := WaitForSingleObjectEx(ev, INFINITE, true); r != WAIT_IO_COMPLETION {
		t.Errorf("alertable wait: %#x, want WAIT_IO_COMPLETION", r)
	}
	if len(got) != 2 || got[0] != 7 || got[1] != 8 {
		t.Errorf("APCs ran with %v, want [7 8] (FIFO)", got)
	}
	if err := QueueUserAPC(0x1234, CurrentThread(), 0); err != ERROR_INVALID_PARAMETER {
		t.Errorf("QueueUserAPC with a value NewCallback did not make: %v", err)
	}
}

// Errors are syscall.Errno values with Windows' numbers, as in x/sys:
// err == WSAENOTSOCK and err.(syscall.Errno) both work, and GetLastError
// gives the same code. WSARecv page (WSAENOTSOCK: "The descriptor is not a
// socket"); Windows Sockets Error Codes page (WSAENOTSOCK = 10038).
// https://learn.microsoft.com/windows/win32/winsock/windows-sockets-error-codes-2
func TestErrnoValues(t *testing.T) { run(t, func() { bodyErrnoValues(t) }) }

func bodyErrnoValues(t *testing.T) {
	var d WSAData
	WSAStartup(0x0202, &d)
	ev, _ := CreateEvent(nil, 1, 0, nil) // an event is not a socket
	var b [4]byte
	wb := bufOf(b[:])
	var n, flags uint32
	err := WSARecv(ev, &wb, 1, &n, &flags, nil, nil)
	en, ok := err.(syscall.Errno)
	if !ok || en != 10038 || err != WSAENOTSOCK {
		t.Errorf("WSARecv on an event handle: %#v, want syscall.Errno(10038) WSAENOTSOCK", err)
	}
	if le := GetLastError(); le != WSAENOTSOCK {
		t.Errorf("GetLastError: %v, want WSAENOTSOCK", le)
	}
	if !errors.Is(err, syscall.Errno(10038)) {
		t.Errorf("errors.Is(err, Errno(10038)) is false")
	}
	if _, err := Socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP); err != nil {
		t.Errorf("Socket: %v", err)
	}
	// WSACleanup after the last WSAStartup: WSANOTINITIALISED (10093).
	WSACleanup()
	if _, err := Socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP); err != WSANOTINITIALISED {
		t.Errorf("Socket after WSACleanup: %v, want WSANOTINITIALISED", err)
	}
}

// A call from a goroutine that is not an emulated thread is refused with
// ERROR_INVALID_THREAD_ID (1444) and touches nothing, as package doc says;
// calls without an error result say so their own way.
func TestCallOutsideMachine(t *testing.T) {
	if err := SetEvent(1); err != ERROR_INVALID_THREAD_ID {
		t.Errorf("SetEvent with no machine: %v, want ERROR_INVALID_THREAD_ID", err)
	}
	if _, err := Socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP); err != ERROR_INVALID_THREAD_ID {
		t.Errorf("Socket with no machine: %v", err)
	}
	if r := SleepEx(0, true); r != WAIT_FAILED {
		t.Errorf("SleepEx with no machine: %#x, want WAIT_FAILED", r)
	}
	if err := GetLastError(); err != ERROR_INVALID_THREAD_ID {
		t.Errorf("GetLastError with no machine: %v", err)
	}
	if r, err := WaitForSingleObject(1, 0); r != WAIT_FAILED || err != ERROR_INVALID_THREAD_ID {
		t.Errorf("WaitForSingleObject with no machine: %#x %v", r, err)
	}
	if Machine() != nil {
		t.Errorf("Machine() with none running is not nil")
	}
	// Go has no error result: outside an emulated thread it panics
	// (package doc, Go).
	func() {
		defer func() {
			if recover() == nil {
				t.Errorf("Go with no machine did not refuse")
			}
		}()
		Go(func() {})
	}()
}

// A thread started with Go is an emulated thread: it makes calls, and a
// wait of the first thread is released by its SetEvent.
func TestGoThread(t *testing.T) { run(t, func() { bodyGoThread(t) }) }

func bodyGoThread(t *testing.T) {
	ev, _ := CreateEvent(nil, 0, 0, nil)
	done := false
	Go(func() {
		done = true
		if err := SetEvent(ev); err != nil {
			t.Errorf("SetEvent on the Go thread: %v", err)
		}
	})
	if r, err := WaitForSingleObject(ev, INFINITE); r != WAIT_OBJECT_0 || err != nil || !done {
		t.Errorf("wait for the Go thread: %#x %v done=%v", r, err, done)
	}
	if Machine() == nil {
		t.Errorf("Machine() is nil inside Run")
	}
}

// Run reports a deadlock instead of hanging: a thread that waits for ever
// on an event nobody sets ends the run with *emu.DeadlockError.
func TestRunReportsDeadlock(t *testing.T) {
	err := Run(func() {
		ev, _ := CreateEvent(nil, 1, 0, nil)
		WaitForSingleObject(ev, INFINITE)
	})
	var de *emu.DeadlockError
	if !errors.As(err, &de) {
		t.Fatalf("Run: %v, want a *emu.DeadlockError", err)
	}
}

// Pipes: an anonymous pipe carries bytes; a named pipe's server end
// (CreateNamedPipe, overlapped) gets a client through CreateFile, and an
// overlapped ReadFile pends until the client writes. CreateNamedPipeW,
// ConnectNamedPipe and ReadFile pages.
// https://learn.microsoft.com/windows/win32/api/namedpipeapi/nf-namedpipeapi-connectnamedpipe
func TestPipes(t *testing.T) { run(t, func() { bodyPipes(t) }) }

func bodyPipes(t *testing.T) {
	var r, w Handle
	if err := CreatePipe(&r, &w, nil, 0); err != nil {
		t.Errorf("CreatePipe: %v", err)
		return
	}
	if n, err := Write(w, []byte("anon")); n != 4 || err != nil {
		t.Errorf("Write: %d %v", n, err)
	}
	buf := make([]byte, 8)
	if n, err := Read(r, buf); n != 4 || err != nil || string(buf[:4]) != "anon" {
		t.Errorf("Read: %d %v %q", n, err, buf[:n])
	}
	CloseHandle(w)
	if n, err := Read(r, buf); n != 0 || err != nil {
		t.Errorf("Read after the writer closed: %d %v, want 0, nil (end of file)", n, err)
	}

	name := StringToUTF16Ptr(`\\.\pipe\wsaemu-test`)
	srv, err := CreateNamedPipe(name, PIPE_ACCESS_DUPLEX|FILE_FLAG_OVERLAPPED, PIPE_TYPE_BYTE, 1, 512, 512, 0, nil)
	if err != nil {
		t.Errorf("CreateNamedPipe: %v", err)
		return
	}
	ev, _ := CreateEvent(nil, 1, 0, nil)
	cov := Overlapped{HEvent: ev}
	if err := ConnectNamedPipe(srv, &cov); err != ERROR_IO_PENDING {
		t.Errorf("ConnectNamedPipe with no client: %v, want ERROR_IO_PENDING", err)
	}
	cli, err := CreateFile(name, GENERIC_READ|GENERIC_WRITE, 0, nil, OPEN_EXISTING, FILE_FLAG_OVERLAPPED, 0)
	if err != nil {
		t.Errorf("CreateFile: %v", err)
		return
	}
	var n uint32
	if err := GetOverlappedResult(srv, &cov, &n, true); err != nil {
		t.Errorf("ConnectNamedPipe result: %v", err)
	}
	rov := Overlapped{HEvent: ev}
	ResetEvent(ev)
	if err := ReadFile(srv, buf, &n, &rov); err != ERROR_IO_PENDING {
		t.Errorf("ReadFile on an empty pipe: %v, want ERROR_IO_PENDING", err)
	}
	var wov Overlapped
	wev, _ := CreateEvent(nil, 1, 0, nil)
	wov.HEvent = wev
	if err := WriteFile(cli, []byte("named"), &n, &wov); err != nil && err != ERROR_IO_PENDING {
		t.Errorf("WriteFile: %v", err)
	}
	if err := GetOverlappedResult(srv, &rov, &n, true); err != nil || string(buf[:n]) != "named" {
		t.Errorf("ReadFile result: %v %q", err, buf[:n])
	}
	var dup Handle
	if err := DuplicateHandle(CurrentProcess(), cli, CurrentProcess(), &dup, 0, false, DUPLICATE_SAME_ACCESS|DUPLICATE_CLOSE_SOURCE); err != nil {
		t.Errorf("DuplicateHandle: %v", err)
	}
	if err := CloseHandle(cli); err != ERROR_INVALID_HANDLE {
		t.Errorf("CloseHandle of the closed source: %v, want ERROR_INVALID_HANDLE", err)
	}
	if err := CloseHandle(dup); err != nil {
		t.Errorf("CloseHandle(dup): %v", err)
	}
}

// A message pipe: GetNamedPipeInfo names its type and quotas, and
// SetNamedPipeHandleState switches a client to message read mode, which
// GetNamedPipeHandleState then reports. GetNamedPipeInfo and
// SetNamedPipeHandleState pages.
// https://learn.microsoft.com/windows/win32/api/namedpipeapi/nf-namedpipeapi-getnamedpipeinfo
// https://learn.microsoft.com/windows/win32/api/namedpipeapi/nf-namedpipeapi-setnamedpipehandlestate
func TestNamedPipeState(t *testing.T) { run(t, func() { bodyNamedPipeState(t) }) }

func bodyNamedPipeState(t *testing.T) {
	name := StringToUTF16Ptr(`\\.\pipe\wsaemu-state`)
	srv, err := CreateNamedPipe(name, PIPE_ACCESS_DUPLEX|FILE_FLAG_OVERLAPPED, PIPE_TYPE_MESSAGE|PIPE_READMODE_MESSAGE, 2, 100, 200, 0, nil)
	if err != nil {
		t.Errorf("CreateNamedPipe: %v", err)
		return
	}
	var flags, out, in, max uint32
	if err := GetNamedPipeInfo(srv, &flags, &out, &in, &max); err != nil {
		t.Errorf("GetNamedPipeInfo: %v", err)
	} else if flags&PIPE_TYPE_MESSAGE == 0 || max != 2 {
		t.Errorf("GetNamedPipeInfo: flags %#x, max %d; want PIPE_TYPE_MESSAGE, 2", flags, max)
	}
	cli, err := CreateFile(name, GENERIC_READ|GENERIC_WRITE, 0, nil, OPEN_EXISTING, FILE_FLAG_OVERLAPPED, 0)
	if err != nil {
		t.Errorf("CreateFile: %v", err)
		return
	}
	var state, inst uint32
	if err := GetNamedPipeHandleState(cli, &state, &inst, nil, nil, nil, 0); err != nil || state&PIPE_READMODE_MESSAGE != 0 {
		t.Errorf("client state: %#x %v; want byte read mode (a client starts in it)", state, err)
	}
	mode := uint32(PIPE_READMODE_MESSAGE)
	if err := SetNamedPipeHandleState(cli, &mode, nil, nil); err != nil {
		t.Errorf("SetNamedPipeHandleState: %v", err)
	}
	if err := GetNamedPipeHandleState(cli, &state, &inst, nil, nil, nil, 0); err != nil || state&PIPE_READMODE_MESSAGE == 0 || inst != 1 {
		t.Errorf("client state after the switch: %#x, %d instances, %v", state, inst, err)
	}
}

// An emulated thread that ends with runtime.Goexit (what t.Fatal and
// t.FailNow do when a test calls them on the thread) ends as a thread
// exit: the run goes on and returns, no hang. Here the main thread's
// Goexit leaves a Go thread that finishes normally; in the second run a
// Go thread's Goexit leaves main waiting for an event nobody will set,
// which Run reports as a deadlock.
func TestGoexitEndsTheThread(t *testing.T) {
	finished := false
	err := Run(func() {
		Go(func() {
			SleepEx(10, false)
			finished = true
		})
		runtime.Goexit()
	})
	if err != nil || !finished {
		t.Errorf("Run after main's Goexit: %v, Go thread finished %v; want nil, true", err, finished)
	}
	err = Run(func() {
		ev, _ := CreateEvent(nil, 1, 0, nil)
		Go(func() {
			runtime.Goexit()
			SetEvent(ev)
		})
		WaitForSingleObject(ev, INFINITE)
	})
	var de *emu.DeadlockError
	if !errors.As(err, &de) {
		t.Errorf("Run after a Go thread's Goexit: %v, want a *emu.DeadlockError", err)
	}
}

// A panic on an emulated thread is reported by Run as *emu.PanicError.
func TestRunReportsPanic(t *testing.T) {
	err := Run(func() { panic("boom") })
	var pe *emu.PanicError
	if !errors.As(err, &pe) || pe.Value != "boom" {
		t.Errorf("Run: %v, want a *emu.PanicError with value boom", err)
	}
}
