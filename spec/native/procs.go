//go:build windows

package native

import (
	"errors"
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"
)

// The procedures are called through their raw entry points: every pointer
// argument is an address in the arena, and a completion routine is a
// callback address, which the typed wrappers of x/sys/windows cannot take.
var (
	ws2      = windows.NewLazySystemDLL("ws2_32.dll")
	kernel32 = windows.NewLazySystemDLL("kernel32.dll")
	ntdll    = windows.NewLazySystemDLL("ntdll.dll")

	pWSAStartup              = ws2.NewProc("WSAStartup")
	pWSACleanup              = ws2.NewProc("WSACleanup")
	pWSASocketW              = ws2.NewProc("WSASocketW")
	pWSASend                 = ws2.NewProc("WSASend")
	pWSASendTo               = ws2.NewProc("WSASendTo")
	pWSARecv                 = ws2.NewProc("WSARecv")
	pWSARecvFrom             = ws2.NewProc("WSARecvFrom")
	pWSAIoctl                = ws2.NewProc("WSAIoctl")
	pWSAGetOverlappedResult  = ws2.NewProc("WSAGetOverlappedResult")
	pWSASetEvent             = ws2.NewProc("WSASetEvent")
	pWSAResetEvent           = ws2.NewProc("WSAResetEvent")
	pWSACloseEvent           = ws2.NewProc("WSACloseEvent")
	pWSAWaitForMultipleEvent = ws2.NewProc("WSAWaitForMultipleEvents")
	pClosesocket             = ws2.NewProc("closesocket")
	pShutdown                = ws2.NewProc("shutdown")
	pSetsockopt              = ws2.NewProc("setsockopt")
	pGetsockopt              = ws2.NewProc("getsockopt")
	pBind                    = ws2.NewProc("bind")
	pConnect                 = ws2.NewProc("connect")
	pGetsockname             = ws2.NewProc("getsockname")
	pGetpeername             = ws2.NewProc("getpeername")
	pPeekNamedPipe           = kernel32.NewProc("PeekNamedPipe")
	pDuplicateHandle         = kernel32.NewProc("DuplicateHandle")

	pSleepEx                     = kernel32.NewProc("SleepEx")
	pWaitForSingleObjectEx       = kernel32.NewProc("WaitForSingleObjectEx")
	pSignalObjectAndWait         = kernel32.NewProc("SignalObjectAndWait")
	pWaitForMultipleObjectsEx    = kernel32.NewProc("WaitForMultipleObjectsEx")
	pCreateEventW                = kernel32.NewProc("CreateEventW")
	pSetEvent                    = kernel32.NewProc("SetEvent")
	pResetEvent                  = kernel32.NewProc("ResetEvent")
	pCloseHandle                 = kernel32.NewProc("CloseHandle")
	pQueueUserAPC                = kernel32.NewProc("QueueUserAPC")
	pReadFile                    = kernel32.NewProc("ReadFile")
	pWriteFile                   = kernel32.NewProc("WriteFile")
	pReadFileEx                  = kernel32.NewProc("ReadFileEx")
	pWriteFileEx                 = kernel32.NewProc("WriteFileEx")
	pGetOverlappedResult         = kernel32.NewProc("GetOverlappedResult")
	pGetOverlappedResultEx       = kernel32.NewProc("GetOverlappedResultEx")
	pCancelIo                    = kernel32.NewProc("CancelIo")
	pCancelIoEx                  = kernel32.NewProc("CancelIoEx")
	pCreateIoCompletionPort      = kernel32.NewProc("CreateIoCompletionPort")
	pGetQueuedCompletionStat     = kernel32.NewProc("GetQueuedCompletionStatus")
	pGetQueuedCompletionStatusEx = kernel32.NewProc("GetQueuedCompletionStatusEx")
	pPostQueuedCompletionStat    = kernel32.NewProc("PostQueuedCompletionStatus")
	pSetFileCompletionModes      = kernel32.NewProc("SetFileCompletionNotificationModes")
	pCreateNamedPipeW            = kernel32.NewProc("CreateNamedPipeW")
	pCreateFileW                 = kernel32.NewProc("CreateFileW")

	pNtQueryEvent = ntdll.NewProc("NtQueryEvent")
)

// call makes one call and returns its result and the thread's last error
// (0 when the procedure did not set one this time: it is cleared first).
func call(p *windows.LazyProc, args ...uintptr) (uintptr, uint32) {
	if err := p.Find(); err != nil {
		return 0, uint32(windows.ERROR_PROC_NOT_FOUND)
	}
	setLastError(0)
	r, _, e := p.Call(args...)
	return r, errnoOf(e)
}

// callPtr calls a function through its address (the extension functions
// WSAIoctl returns).
func callPtr(fn uintptr, args ...uintptr) (uintptr, uint32) {
	setLastError(0)
	r, _, e := syscall.SyscallN(fn, args...)
	return r, uint32(e)
}

var pSetLastError = kernel32.NewProc("SetLastError")

func setLastError(v uint32) { pSetLastError.Call(uintptr(v)) }

func errnoOf(e error) uint32 {
	var en syscall.Errno
	if errors.As(e, &en) {
		return uint32(en)
	}
	return 0
}

// socketError reports whether an int-returning Winsock call failed.
func socketError(r uintptr) bool { return int32(uint32(r)) == -1 }

// boolOK reports whether a BOOL-returning call succeeded.
func boolOK(r uintptr) bool { return uint32(r) != 0 }

// eventState asks the kernel whether an event is signalled without
// touching it (a zero-time wait would reset an auto-reset event).
func eventState(h windows.Handle) (bool, error) {
	if err := pNtQueryEvent.Find(); err != nil {
		return false, err
	}
	var info [2]int32 // EVENT_BASIC_INFORMATION: EventType, EventState
	var n uint32
	r, _, _ := pNtQueryEvent.Call(uintptr(h), 0, uintptr(unsafe.Pointer(&info[0])), unsafe.Sizeof(info), uintptr(unsafe.Pointer(&n)))
	if r != 0 {
		return false, windows.NTStatus(uint32(r))
	}
	return info[1] != 0, nil
}
