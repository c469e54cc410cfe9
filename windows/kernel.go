//go:build !windows || wsaemu

package windows

import (
	"syscall"
	"unicode/utf16"
	"unsafe"

	"github.com/wsaemu/wsaemu/emu"
)

// kernel32: events, waits, APCs, completion ports, file I/O on pipes,
// handles. Each function is the x/sys/windows one; the emulator's page
// citations are on the emu.Thread methods they call.

// CreateEvent creates an event object. manualReset and initialState are
// BOOLs (non-zero is TRUE). Named events are not modelled: a name is
// ERROR_INVALID_PARAMETER (docs: lpName may be NULL; the emulator has no
// object namespace for events).
//
// https://learn.microsoft.com/windows/win32/api/synchapi/nf-synchapi-createeventw
func CreateEvent(eventAttrs *SecurityAttributes, manualReset uint32, initialState uint32, name *uint16) (handle Handle, err error) {
	_, t, err := cur()
	if err != nil {
		return 0, err
	}
	if name != nil && *name != 0 {
		return 0, ERROR_INVALID_PARAMETER
	}
	h, err := t.CreateEvent(manualReset != 0, initialState != 0)
	return h, errnoErr(err)
}

// SetEvent signals an event.
//
// https://learn.microsoft.com/windows/win32/api/synchapi/nf-synchapi-setevent
func SetEvent(event Handle) (err error) {
	_, t, err := cur()
	if err != nil {
		return err
	}
	return errnoErr(t.SetEvent(event))
}

// ResetEvent clears an event.
//
// https://learn.microsoft.com/windows/win32/api/synchapi/nf-synchapi-resetevent
func ResetEvent(event Handle) (err error) {
	_, t, err := cur()
	if err != nil {
		return err
	}
	return errnoErr(t.ResetEvent(event))
}

// WaitForSingleObject waits for handle. As in x/sys, WAIT_TIMEOUT is a
// result (event == uint32(WAIT_TIMEOUT), err == nil); err is set only
// with WAIT_FAILED.
//
// https://learn.microsoft.com/windows/win32/api/synchapi/nf-synchapi-waitforsingleobject
func WaitForSingleObject(handle Handle, waitMilliseconds uint32) (event uint32, err error) {
	m, t, err := cur()
	if err != nil {
		return WAIT_FAILED, err
	}
	r, err := t.WaitForSingleObject(handle, waitMilliseconds)
	m.io.flush()
	return r, errnoErr(err)
}

// WaitForSingleObjectEx is WaitForSingleObject, alertable if asked: APCs
// queued to the thread run, and the wait returns WAIT_IO_COMPLETION.
// x/sys/windows lacks it; the signature is the one it would have.
//
// https://learn.microsoft.com/windows/win32/api/synchapi/nf-synchapi-waitforsingleobjectex
func WaitForSingleObjectEx(handle Handle, waitMilliseconds uint32, alertable bool) (event uint32, err error) {
	m, t, err := cur()
	if err != nil {
		return WAIT_FAILED, err
	}
	r, err := t.WaitForSingleObjectEx(handle, waitMilliseconds, alertable)
	m.io.flush()
	return r, errnoErr(err)
}

// WaitForMultipleObjects waits for one (or all) of handles.
//
// https://learn.microsoft.com/windows/win32/api/synchapi/nf-synchapi-waitformultipleobjects
func WaitForMultipleObjects(handles []Handle, waitAll bool, waitMilliseconds uint32) (event uint32, err error) {
	m, t, err := cur()
	if err != nil {
		return WAIT_FAILED, err
	}
	r, err := t.WaitForMultipleObjects(handles, waitAll, waitMilliseconds)
	m.io.flush()
	return r, errnoErr(err)
}

// WaitForMultipleObjectsEx is WaitForMultipleObjects, alertable if asked
// (x/sys/windows lacks it).
//
// https://learn.microsoft.com/windows/win32/api/synchapi/nf-synchapi-waitformultipleobjectsex
func WaitForMultipleObjectsEx(handles []Handle, waitAll bool, waitMilliseconds uint32, alertable bool) (event uint32, err error) {
	m, t, err := cur()
	if err != nil {
		return WAIT_FAILED, err
	}
	r, err := t.WaitForMultipleObjectsEx(handles, waitAll, waitMilliseconds, alertable)
	m.io.flush()
	return r, errnoErr(err)
}

// SleepEx waits milliseconds of the machine's virtual time; alertable,
// it returns WAIT_IO_COMPLETION early once queued APCs and completion
// routines have run. Not called from an emulated thread, it returns
// WAIT_FAILED.
//
// https://learn.microsoft.com/windows/win32/api/synchapi/nf-synchapi-sleepex
func SleepEx(milliseconds uint32, alertable bool) (ret uint32) {
	m, t, err := cur()
	if err != nil {
		return WAIT_FAILED
	}
	r := t.SleepEx(milliseconds, alertable)
	m.io.flush()
	return r
}

// QueueUserAPC queues the APC fn (a NewCallback token of a
// func(param uintptr) uintptr) with data to thread (a handle from
// CurrentThread or GetCurrentThread, or a thread handle). x/sys/windows
// lacks it; the signature is the one it would have.
//
// https://learn.microsoft.com/windows/win32/api/processthreadsapi/nf-processthreadsapi-queueuserapc
func QueueUserAPC(fn uintptr, thread Handle, data uintptr) (err error) {
	_, t, err := cur()
	if err != nil {
		return err
	}
	cb := lookupCallback(fn)
	if cb == nil || cb.apc == nil {
		return ERROR_INVALID_PARAMETER
	}
	return errnoErr(t.QueueUserAPC(cb.apc, thread, data))
}

// CurrentThread is the pseudo-handle of the calling thread.
func CurrentThread() Handle { return Handle(^uintptr(2 - 1)) }

// GetCurrentThread returns CurrentThread().
//
// https://learn.microsoft.com/windows/win32/api/processthreadsapi/nf-processthreadsapi-getcurrentthread
func GetCurrentThread() (Handle, error) { return CurrentThread(), nil }

// CurrentProcess is the pseudo-handle of the process.
func CurrentProcess() Handle { return Handle(^uintptr(1 - 1)) }

// GetCurrentProcess returns CurrentProcess().
func GetCurrentProcess() (Handle, error) { return CurrentProcess(), nil }

// GetCurrentThreadId is the calling emulated thread's id (0 when the
// caller is not one).
//
// https://learn.microsoft.com/windows/win32/api/processthreadsapi/nf-processthreadsapi-getcurrentthreadid
func GetCurrentThreadId() (id uint32) {
	_, t, err := cur()
	if err != nil {
		return 0
	}
	return t.GetCurrentThreadId()
}

// CreateIoCompletionPort creates a port (filehandle InvalidHandle,
// cphandle 0) or associates filehandle with a port under key.
//
// https://learn.microsoft.com/windows/win32/fileio/createiocompletionport
func CreateIoCompletionPort(filehandle Handle, cphandle Handle, key uintptr, threadcnt uint32) (handle Handle, err error) {
	_, t, err := cur()
	if err != nil {
		return 0, err
	}
	h, err := t.CreateIoCompletionPort(filehandle, cphandle, key, threadcnt)
	return h, errnoErr(err)
}

// GetQueuedCompletionStatus takes one packet from the port. A packet of a
// failed operation is handed out with the operation's error.
//
// https://learn.microsoft.com/windows/win32/api/ioapiset/nf-ioapiset-getqueuedcompletionstatus
func GetQueuedCompletionStatus(cphandle Handle, qty *uint32, key *uintptr, overlapped **Overlapped, timeout uint32) (err error) {
	m, t, err := cur()
	if err != nil {
		return err
	}
	err = t.GetQueuedCompletionStatus(cphandle, qty, key, overlapped, timeout)
	m.io.flush()
	return errnoErr(err)
}

// GetQueuedCompletionStatusEx takes up to count packets into entries.
// x/sys/windows lacks it; the signature is the one it would have.
//
// https://learn.microsoft.com/windows/win32/api/ioapiset/nf-ioapiset-getqueuedcompletionstatusex
func GetQueuedCompletionStatusEx(cphandle Handle, entries *OverlappedEntry, count uint32, numEntriesRemoved *uint32, timeout uint32, alertable bool) (err error) {
	m, t, err := cur()
	if err != nil {
		return err
	}
	var es []OverlappedEntry
	if entries != nil {
		es = unsafe.Slice(entries, count)
	}
	err = t.GetQueuedCompletionStatusEx(cphandle, es, numEntriesRemoved, timeout, alertable)
	m.io.flush()
	return errnoErr(err)
}

// PostQueuedCompletionStatus queues a packet of the program's own.
//
// https://learn.microsoft.com/windows/win32/fileio/postqueuedcompletionstatus
func PostQueuedCompletionStatus(cphandle Handle, qty uint32, key uintptr, overlapped *Overlapped) (err error) {
	_, t, err := cur()
	if err != nil {
		return err
	}
	return errnoErr(t.PostQueuedCompletionStatus(cphandle, qty, key, overlapped))
}

// GetOverlappedResult reports the result of the operation of overlapped
// on handle, waiting for it if wait.
//
// https://learn.microsoft.com/windows/win32/api/ioapiset/nf-ioapiset-getoverlappedresult
func GetOverlappedResult(handle Handle, overlapped *Overlapped, done *uint32, wait bool) (err error) {
	m, t, err := cur()
	if err != nil {
		return err
	}
	err = t.GetOverlappedResult(handle, overlapped, done, wait)
	m.io.flush()
	return errnoErr(err)
}

// CancelIo cancels the calling thread's I/O on s.
//
// https://learn.microsoft.com/windows/win32/api/ioapiset/nf-ioapiset-cancelio
func CancelIo(s Handle) (err error) {
	_, t, err := cur()
	if err != nil {
		return err
	}
	return errnoErr(t.CancelIo(s))
}

// CancelIoEx cancels the I/O of o on s (every I/O on s when o is nil).
//
// https://learn.microsoft.com/windows/win32/fileio/cancelioex-func
func CancelIoEx(s Handle, o *Overlapped) (err error) {
	_, t, err := cur()
	if err != nil {
		return err
	}
	return errnoErr(t.CancelIoEx(s, o))
}

// SetFileCompletionNotificationModes sets FILE_SKIP_COMPLETION_PORT_ON_SUCCESS
// and FILE_SKIP_SET_EVENT_ON_HANDLE on handle.
//
// https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-setfilecompletionnotificationmodes
func SetFileCompletionNotificationModes(handle Handle, flags uint8) (err error) {
	_, t, err := cur()
	if err != nil {
		return err
	}
	return errnoErr(t.SetFileCompletionNotificationModes(handle, flags))
}

// ReadFile reads from a pipe end into p, the program's buffer.
//
// https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-readfile
func ReadFile(fd Handle, p []byte, done *uint32, overlapped *Overlapped) error {
	_, t, err := cur()
	if err != nil {
		return err
	}
	return errnoErr(t.ReadFile(fd, p, done, overlapped))
}

// WriteFile writes p to a pipe end.
//
// https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-writefile
func WriteFile(fd Handle, p []byte, done *uint32, overlapped *Overlapped) error {
	_, t, err := cur()
	if err != nil {
		return err
	}
	return errnoErr(t.WriteFile(fd, p, done, overlapped))
}

// ReadFileEx reads into buf and reports through routine (a NewCallback
// token of a func(errcode, n uint32, ov *Overlapped) uintptr), run in an
// alertable wait of the calling thread. x/sys/windows lacks it.
//
// https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-readfileex
func ReadFileEx(handle Handle, buf []byte, overlapped *Overlapped, routine uintptr) (err error) {
	_, t, err := cur()
	if err != nil {
		return err
	}
	cb := lookupCallback(routine)
	if cb == nil || cb.file == nil {
		return ERROR_INVALID_PARAMETER
	}
	return errnoErr(t.ReadFileEx(handle, buf, overlapped, cb.file))
}

// WriteFileEx is ReadFileEx's writing twin. x/sys/windows lacks it.
//
// https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-writefileex
func WriteFileEx(handle Handle, buf []byte, overlapped *Overlapped, routine uintptr) (err error) {
	_, t, err := cur()
	if err != nil {
		return err
	}
	cb := lookupCallback(routine)
	if cb == nil || cb.file == nil {
		return ERROR_INVALID_PARAMETER
	}
	return errnoErr(t.WriteFileEx(handle, buf, overlapped, cb.file))
}

// Read is ReadFile without a record.
func Read(fd Handle, p []byte) (n int, err error) {
	var done uint32
	e := ReadFile(fd, p, &done, nil)
	if e != nil {
		if e == ERROR_BROKEN_PIPE {
			return 0, nil // the writer closed: end of file
		}
		return 0, e
	}
	return int(done), nil
}

// Write is WriteFile without a record.
func Write(fd Handle, p []byte) (n int, err error) {
	var done uint32
	e := WriteFile(fd, p, &done, nil)
	if e != nil {
		return 0, e
	}
	return int(done), nil
}

// FlushFileBuffers waits until the reader has read what was written to a
// pipe end.
//
// https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-flushfilebuffers
func FlushFileBuffers(handle Handle) (err error) {
	_, t, err := cur()
	if err != nil {
		return err
	}
	return errnoErr(t.FlushFileBuffers(handle))
}

// CreatePipe creates an anonymous pipe. Like Windows' its ends are
// synchronous handles (no FILE_FLAG_OVERLAPPED). size is the buffer
// quota (0: the default).
//
// https://learn.microsoft.com/windows/win32/api/namedpipeapi/nf-namedpipeapi-createnamedpipew
func CreatePipe(readhandle *Handle, writehandle *Handle, sa *SecurityAttributes, size uint32) (err error) {
	_, t, err := cur()
	if err != nil {
		return err
	}
	r, w, err := t.CreatePipe(emu.PipeOptions{Capacity: int(size), Synchronous: true})
	if err != nil {
		return errnoErr(err)
	}
	*readhandle, *writehandle = r, w
	return nil
}

// CreateNamedPipe creates an instance of the pipe \\.\pipe\NAME and returns
// its server end. defaultTimeout is not modelled.
//
// https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-createnamedpipew
func CreateNamedPipe(name *uint16, flags uint32, pipeMode uint32, maxInstances uint32, outSize uint32, inSize uint32, defaultTimeout uint32, sa *SecurityAttributes) (handle Handle, err error) {
	_, t, err := cur()
	if err != nil {
		return InvalidHandle, err
	}
	h, err := t.CreateNamedPipe(utf16PtrString(name), flags, pipeMode, maxInstances, outSize, inSize)
	if err != nil {
		return InvalidHandle, errnoErr(err)
	}
	return h, nil
}

// CreateFile opens the client end of a named pipe (the only files the
// emulator has); FILE_FLAG_OVERLAPPED in attrs makes it overlapped. mode,
// createmode and templatefile are not modelled.
//
// https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-createfilew
func CreateFile(name *uint16, access uint32, mode uint32, sa *SecurityAttributes, createmode uint32, attrs uint32, templatefile Handle) (handle Handle, err error) {
	_, t, err := cur()
	if err != nil {
		return InvalidHandle, err
	}
	h, err := t.CreateFile(utf16PtrString(name), access, attrs&FILE_FLAG_OVERLAPPED != 0)
	if err != nil {
		return InvalidHandle, errnoErr(err)
	}
	return h, nil
}

// ConnectNamedPipe waits for a client on a server end.
//
// https://learn.microsoft.com/windows/win32/api/namedpipeapi/nf-namedpipeapi-connectnamedpipe
func ConnectNamedPipe(pipe Handle, overlapped *Overlapped) (err error) {
	_, t, err := cur()
	if err != nil {
		return err
	}
	return errnoErr(t.ConnectNamedPipe(pipe, overlapped))
}

// DisconnectNamedPipe ends a server end's connection.
//
// https://learn.microsoft.com/windows/win32/api/namedpipeapi/nf-namedpipeapi-disconnectnamedpipe
func DisconnectNamedPipe(pipe Handle) (err error) {
	_, t, err := cur()
	if err != nil {
		return err
	}
	return errnoErr(t.DisconnectNamedPipe(pipe))
}

// CloseHandle closes a handle.
//
// https://learn.microsoft.com/windows/win32/api/handleapi/nf-handleapi-closehandle
func CloseHandle(handle Handle) (err error) {
	_, t, err := cur()
	if err != nil {
		return err
	}
	return errnoErr(t.CloseHandle(handle))
}

// DuplicateHandle makes a second handle to the object of hSourceHandle,
// within the process (both process handles CurrentProcess()), with
// DUPLICATE_SAME_ACCESS; DUPLICATE_CLOSE_SOURCE closes the source.
// dwDesiredAccess and bInheritHandle are not modelled.
//
// https://learn.microsoft.com/windows/win32/api/handleapi/nf-handleapi-duplicatehandle
func DuplicateHandle(hSourceProcessHandle Handle, hSourceHandle Handle, hTargetProcessHandle Handle, lpTargetHandle *Handle, dwDesiredAccess uint32, bInheritHandle bool, dwOptions uint32) (err error) {
	_, t, err := cur()
	if err != nil {
		return err
	}
	if hSourceProcessHandle != CurrentProcess() || hTargetProcessHandle != CurrentProcess() {
		return ERROR_INVALID_HANDLE
	}
	if lpTargetHandle == nil {
		return ERROR_INVALID_PARAMETER
	}
	h, err := t.DuplicateHandle(hSourceHandle)
	if err != nil {
		return errnoErr(err)
	}
	*lpTargetHandle = h
	if dwOptions&DUPLICATE_CLOSE_SOURCE != 0 {
		return errnoErr(t.CloseHandle(hSourceHandle))
	}
	return nil
}

// GetLastError is the calling thread's last error, nil for
// ERROR_SUCCESS; ERROR_INVALID_THREAD_ID when the caller is not an
// emulated thread.
//
// https://learn.microsoft.com/windows/win32/api/errhandlingapi/nf-errhandlingapi-getlasterror
func GetLastError() (lasterr error) {
	_, t, err := cur()
	if err != nil {
		return err
	}
	if e := t.GetLastError(); e != 0 {
		return errnoErr(e)
	}
	return nil
}

// UTF16FromString returns s as UTF-16 with a terminating NUL; a NUL
// inside s is syscall.EINVAL.
func UTF16FromString(s string) ([]uint16, error) {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			return nil, syscall.EINVAL
		}
	}
	return utf16.Encode([]rune(s + "\x00")), nil
}

// UTF16PtrFromString is UTF16FromString's first element.
func UTF16PtrFromString(s string) (*uint16, error) {
	a, err := UTF16FromString(s)
	if err != nil {
		return nil, err
	}
	return &a[0], nil
}

// StringToUTF16Ptr is UTF16PtrFromString that panics on a NUL in s.
func StringToUTF16Ptr(s string) *uint16 {
	p, err := UTF16PtrFromString(s)
	if err != nil {
		panic("windows: string with NUL passed to StringToUTF16Ptr")
	}
	return p
}

// UTF16ToString returns the text of s up to its first NUL.
func UTF16ToString(s []uint16) string {
	for i, v := range s {
		if v == 0 {
			s = s[:i]
			break
		}
	}
	return string(utf16.Decode(s))
}

// UTF16PtrToString reads a NUL-terminated UTF-16 string at p.
func UTF16PtrToString(p *uint16) string { return utf16PtrString(p) }

func utf16PtrString(p *uint16) string {
	if p == nil {
		return ""
	}
	n := 0
	for ptr := unsafe.Pointer(p); *(*uint16)(ptr) != 0; n++ {
		ptr = unsafe.Add(ptr, 2)
	}
	return UTF16ToString(unsafe.Slice(p, n))
}

// GetNamedPipeInfo reports a named pipe's type flags, buffer quotas and
// instance limit; a nil pointer skips that value.
//
// https://learn.microsoft.com/windows/win32/api/namedpipeapi/nf-namedpipeapi-getnamedpipeinfo
func GetNamedPipeInfo(pipe Handle, flags *uint32, outSize *uint32, inSize *uint32, maxInstances *uint32) (err error) {
	_, t, err := cur()
	if err != nil {
		return err
	}
	f, o, i, m, err := t.GetNamedPipeInfo(pipe)
	if err != nil {
		return errnoErr(err)
	}
	for _, p := range []struct {
		dst *uint32
		v   uint32
	}{{flags, f}, {outSize, o}, {inSize, i}, {maxInstances, m}} {
		if p.dst != nil {
			*p.dst = p.v
		}
	}
	return nil
}

// GetNamedPipeHandleState reports a pipe handle's read and wait modes and
// the number of instances; the collection values and the user name are
// not modelled and are left alone.
//
// https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-getnamedpipehandlestatew
func GetNamedPipeHandleState(pipe Handle, state *uint32, curInstances *uint32, maxCollectionCount *uint32, collectDataTimeout *uint32, userName *uint16, maxUserNameSize uint32) (err error) {
	_, t, err := cur()
	if err != nil {
		return err
	}
	st, n, err := t.GetNamedPipeHandleState(pipe)
	if err != nil {
		return errnoErr(err)
	}
	if state != nil {
		*state = st
	}
	if curInstances != nil {
		*curInstances = n
	}
	return nil
}

// SetNamedPipeHandleState sets a pipe handle's read and wait modes from
// *state (PIPE_READMODE_*, PIPE_WAIT / PIPE_NOWAIT); the collection values
// are not modelled. A nil state changes nothing.
//
// https://learn.microsoft.com/windows/win32/api/namedpipeapi/nf-namedpipeapi-setnamedpipehandlestate
func SetNamedPipeHandleState(pipe Handle, state *uint32, maxCollectionCount *uint32, collectDataTimeout *uint32) (err error) {
	_, t, err := cur()
	if err != nil {
		return err
	}
	if state == nil {
		_, _, err := t.GetNamedPipeHandleState(pipe)
		return errnoErr(err)
	}
	return errnoErr(t.SetNamedPipeHandleState(pipe, *state))
}
