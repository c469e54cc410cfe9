//go:build windows && !wsaemu

// The native side of package windows: on Windows, unless the build tag
// wsaemu asks for the emulator, every name here is golang.org/x/sys/windows'
// own (a type alias, a constant with the same value and type, or the same
// function), so a program that imports this package instead of x/sys runs
// on real Winsock unchanged. The few calls x/sys v0.49.0 does not wrap
// (QueueUserAPC, ReadFileEx, WriteFileEx, GetQueuedCompletionStatusEx and
// the WSAEventSelect family) are bound here through LazySystemDLL, with the
// signature x/sys's generator would give them.

package windows

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"
)

// Types: aliases, so values pass freely between this package and x/sys.
type (
	Handle             = windows.Handle
	Errno              = windows.Errno
	Overlapped         = windows.Overlapped
	WSABuf             = windows.WSABuf
	WSAMsg             = windows.WSAMsg
	WSAData            = windows.WSAData
	WSAProtocolInfo    = windows.WSAProtocolInfo
	GUID               = windows.GUID
	Sockaddr           = windows.Sockaddr
	SockaddrInet4      = windows.SockaddrInet4
	SockaddrInet6      = windows.SockaddrInet6
	RawSockaddr        = windows.RawSockaddr
	RawSockaddrAny     = windows.RawSockaddrAny
	RawSockaddrInet4   = windows.RawSockaddrInet4
	RawSockaddrInet6   = windows.RawSockaddrInet6
	SecurityAttributes = windows.SecurityAttributes
	Linger             = windows.Linger
	Timeval            = windows.Timeval
)

// OverlappedEntry is one entry that GetQueuedCompletionStatusEx fills
// (OVERLAPPED_ENTRY:
// https://learn.microsoft.com/windows/win32/api/minwinbase/ns-minwinbase-overlapped_entry).
// x/sys v0.49.0 has no such type; the fields follow the C names.
type OverlappedEntry struct {
	CompletionKey            uintptr
	Overlapped               *Overlapped
	Internal                 uintptr
	NumberOfBytesTransferred uint32
}

// WSANetworkEvents is WSANETWORKEVENTS, filled by WSAEnumNetworkEvents
// (https://learn.microsoft.com/windows/win32/api/winsock2/ns-winsock2-wsanetworkevents).
type WSANetworkEvents struct {
	NetworkEvents int32
	ErrorCode     [FD_MAX_EVENTS]int32
}

const InvalidHandle = windows.InvalidHandle

// Address families, socket types, protocols.
const (
	AF_UNSPEC    = windows.AF_UNSPEC
	AF_INET      = windows.AF_INET
	AF_INET6     = windows.AF_INET6
	AF_UNIX      = windows.AF_UNIX
	SOCK_STREAM  = windows.SOCK_STREAM
	SOCK_DGRAM   = windows.SOCK_DGRAM
	SOCK_RAW     = windows.SOCK_RAW
	IPPROTO_IP   = windows.IPPROTO_IP
	IPPROTO_IPV6 = windows.IPPROTO_IPV6
	IPPROTO_TCP  = windows.IPPROTO_TCP
	IPPROTO_UDP  = windows.IPPROTO_UDP
	SOMAXCONN    = windows.SOMAXCONN
	SHUT_RD      = windows.SHUT_RD
	SHUT_WR      = windows.SHUT_WR
	SHUT_RDWR    = windows.SHUT_RDWR
)

// Socket options and ioctls.
const (
	SOL_SOCKET                         = windows.SOL_SOCKET
	SO_BROADCAST                       = windows.SO_BROADCAST
	SO_KEEPALIVE                       = windows.SO_KEEPALIVE
	SO_LINGER                          = windows.SO_LINGER
	SO_RCVBUF                          = windows.SO_RCVBUF
	SO_SNDBUF                          = windows.SO_SNDBUF
	SO_REUSEADDR                       = windows.SO_REUSEADDR
	SO_UPDATE_ACCEPT_CONTEXT           = windows.SO_UPDATE_ACCEPT_CONTEXT
	SO_UPDATE_CONNECT_CONTEXT          = windows.SO_UPDATE_CONNECT_CONTEXT
	TCP_NODELAY                        = windows.TCP_NODELAY
	IPV6_V6ONLY                        = windows.IPV6_V6ONLY
	IOC_IN                             = windows.IOC_IN
	IOC_OUT                            = windows.IOC_OUT
	IOC_INOUT                          = windows.IOC_INOUT
	IOC_VENDOR                         = windows.IOC_VENDOR
	IOC_WS2                            = windows.IOC_WS2
	SIO_GET_EXTENSION_FUNCTION_POINTER = windows.SIO_GET_EXTENSION_FUNCTION_POINTER
	SIO_UDP_CONNRESET                  = windows.SIO_UDP_CONNRESET
	SIO_KEEPALIVE_VALS                 = windows.SIO_KEEPALIVE_VALS
	MSG_OOB                            = windows.MSG_OOB
	MSG_PEEK                           = windows.MSG_PEEK
	MSG_WAITALL                        = windows.MSG_WAITALL
	MSG_TRUNC                          = windows.MSG_TRUNC
	MSG_CTRUNC                         = windows.MSG_CTRUNC
	WSA_FLAG_OVERLAPPED                = windows.WSA_FLAG_OVERLAPPED
	WSA_FLAG_NO_HANDLE_INHERIT         = windows.WSA_FLAG_NO_HANDLE_INHERIT
)

// Network events for WSAEventSelect (winsock2.h; x/sys v0.49.0 has none).
const (
	FD_READ       = 0x01
	FD_WRITE      = 0x02
	FD_OOB        = 0x04
	FD_ACCEPT     = 0x08
	FD_CONNECT    = 0x10
	FD_CLOSE      = 0x20
	FD_MAX_EVENTS = 10
)

// Extension-function identifiers for SIO_GET_EXTENSION_FUNCTION_POINTER.
var (
	WSAID_CONNECTEX  = windows.WSAID_CONNECTEX
	WSAID_WSASENDMSG = windows.WSAID_WSASENDMSG
	WSAID_WSARECVMSG = windows.WSAID_WSARECVMSG
)

// kernel32 constants.
const (
	INFINITE                             = windows.INFINITE
	WAIT_OBJECT_0                        = windows.WAIT_OBJECT_0
	WAIT_ABANDONED                       = windows.WAIT_ABANDONED
	WAIT_FAILED                          = windows.WAIT_FAILED
	WAIT_IO_COMPLETION                   = windows.WAIT_IO_COMPLETION
	WAIT_TIMEOUT                         = windows.WAIT_TIMEOUT
	FILE_SKIP_COMPLETION_PORT_ON_SUCCESS = windows.FILE_SKIP_COMPLETION_PORT_ON_SUCCESS
	FILE_SKIP_SET_EVENT_ON_HANDLE        = windows.FILE_SKIP_SET_EVENT_ON_HANDLE
	FILE_FLAG_OVERLAPPED                 = windows.FILE_FLAG_OVERLAPPED
	FILE_FLAG_FIRST_PIPE_INSTANCE        = windows.FILE_FLAG_FIRST_PIPE_INSTANCE
	FILE_ATTRIBUTE_NORMAL                = windows.FILE_ATTRIBUTE_NORMAL
	FILE_SHARE_READ                      = windows.FILE_SHARE_READ
	FILE_SHARE_WRITE                     = windows.FILE_SHARE_WRITE
	GENERIC_READ                         = windows.GENERIC_READ
	GENERIC_WRITE                        = windows.GENERIC_WRITE
	OPEN_EXISTING                        = windows.OPEN_EXISTING
	PIPE_ACCESS_DUPLEX                   = windows.PIPE_ACCESS_DUPLEX
	PIPE_ACCESS_INBOUND                  = windows.PIPE_ACCESS_INBOUND
	PIPE_ACCESS_OUTBOUND                 = windows.PIPE_ACCESS_OUTBOUND
	PIPE_TYPE_BYTE                       = windows.PIPE_TYPE_BYTE
	PIPE_TYPE_MESSAGE                    = windows.PIPE_TYPE_MESSAGE
	PIPE_READMODE_BYTE                   = windows.PIPE_READMODE_BYTE
	PIPE_READMODE_MESSAGE                = windows.PIPE_READMODE_MESSAGE
	PIPE_WAIT                            = windows.PIPE_WAIT
	PIPE_UNLIMITED_INSTANCES             = windows.PIPE_UNLIMITED_INSTANCES
	DUPLICATE_CLOSE_SOURCE               = windows.DUPLICATE_CLOSE_SOURCE
	DUPLICATE_SAME_ACCESS                = windows.DUPLICATE_SAME_ACCESS
)

// Error values: the same syscall.Errno constants as x/sys.
const (
	ERROR_INVALID_HANDLE      = windows.ERROR_INVALID_HANDLE
	ERROR_INVALID_PARAMETER   = windows.ERROR_INVALID_PARAMETER
	ERROR_HANDLE_EOF          = windows.ERROR_HANDLE_EOF
	ERROR_NETNAME_DELETED     = windows.ERROR_NETNAME_DELETED
	ERROR_BROKEN_PIPE         = windows.ERROR_BROKEN_PIPE
	ERROR_SEM_TIMEOUT         = windows.ERROR_SEM_TIMEOUT
	ERROR_PIPE_BUSY           = windows.ERROR_PIPE_BUSY
	ERROR_NO_DATA             = windows.ERROR_NO_DATA
	ERROR_MORE_DATA           = windows.ERROR_MORE_DATA
	ERROR_PIPE_CONNECTED      = windows.ERROR_PIPE_CONNECTED
	ERROR_PIPE_LISTENING      = windows.ERROR_PIPE_LISTENING
	ERROR_ABANDONED_WAIT_0    = windows.ERROR_ABANDONED_WAIT_0
	ERROR_OPERATION_ABORTED   = windows.ERROR_OPERATION_ABORTED
	ERROR_IO_INCOMPLETE       = windows.ERROR_IO_INCOMPLETE
	ERROR_IO_PENDING          = windows.ERROR_IO_PENDING
	ERROR_NOT_FOUND           = windows.ERROR_NOT_FOUND
	ERROR_CONNECTION_REFUSED  = windows.ERROR_CONNECTION_REFUSED
	ERROR_NETWORK_UNREACHABLE = windows.ERROR_NETWORK_UNREACHABLE
	ERROR_HOST_UNREACHABLE    = windows.ERROR_HOST_UNREACHABLE
	ERROR_PORT_UNREACHABLE    = windows.ERROR_PORT_UNREACHABLE
	ERROR_CONNECTION_ABORTED  = windows.ERROR_CONNECTION_ABORTED
	ERROR_TIMEOUT             = windows.ERROR_TIMEOUT
	WSAEINTR                  = windows.WSAEINTR
	WSAEACCES                 = windows.WSAEACCES
	WSAEFAULT                 = windows.WSAEFAULT
	WSAEINVAL                 = windows.WSAEINVAL
	WSAEWOULDBLOCK            = windows.WSAEWOULDBLOCK
	WSAEINPROGRESS            = windows.WSAEINPROGRESS
	WSAEALREADY               = windows.WSAEALREADY
	WSAENOTSOCK               = windows.WSAENOTSOCK
	WSAEMSGSIZE               = windows.WSAEMSGSIZE
	WSAEOPNOTSUPP             = windows.WSAEOPNOTSUPP
	WSAEADDRINUSE             = windows.WSAEADDRINUSE
	WSAEADDRNOTAVAIL          = windows.WSAEADDRNOTAVAIL
	WSAENETUNREACH            = windows.WSAENETUNREACH
	WSAENETRESET              = windows.WSAENETRESET
	WSAECONNABORTED           = windows.WSAECONNABORTED
	WSAECONNRESET             = windows.WSAECONNRESET
	WSAENOBUFS                = windows.WSAENOBUFS
	WSAEISCONN                = windows.WSAEISCONN
	WSAENOTCONN               = windows.WSAENOTCONN
	WSAESHUTDOWN              = windows.WSAESHUTDOWN
	WSAETIMEDOUT              = windows.WSAETIMEDOUT
	WSAECONNREFUSED           = windows.WSAECONNREFUSED
	WSAEHOSTUNREACH           = windows.WSAEHOSTUNREACH
	WSANOTINITIALISED         = windows.WSANOTINITIALISED
)

// Winsock functions.
var (
	WSAStartup             = windows.WSAStartup
	WSACleanup             = windows.WSACleanup
	Socket                 = windows.Socket
	WSASocket              = windows.WSASocket
	Bind                   = windows.Bind
	Connect                = windows.Connect
	Listen                 = windows.Listen
	Getsockname            = windows.Getsockname
	Getpeername            = windows.Getpeername
	Setsockopt             = windows.Setsockopt
	Getsockopt             = windows.Getsockopt
	SetsockoptInt          = windows.SetsockoptInt
	GetsockoptInt          = windows.GetsockoptInt
	SetsockoptLinger       = windows.SetsockoptLinger
	Shutdown               = windows.Shutdown
	Closesocket            = windows.Closesocket
	WSARecv                = windows.WSARecv
	WSARecvFrom            = windows.WSARecvFrom
	WSASend                = windows.WSASend
	WSASendTo              = windows.WSASendTo
	WSAIoctl               = windows.WSAIoctl
	WSARecvMsg             = windows.WSARecvMsg
	WSASendMsg             = windows.WSASendMsg
	WSAGetOverlappedResult = windows.WSAGetOverlappedResult
	AcceptEx               = windows.AcceptEx
	GetAcceptExSockaddrs   = windows.GetAcceptExSockaddrs
	ConnectEx              = windows.ConnectEx
	LoadConnectEx          = windows.LoadConnectEx
)

// kernel32 functions.
var (
	CreateEvent                        = windows.CreateEvent
	SetEvent                           = windows.SetEvent
	ResetEvent                         = windows.ResetEvent
	WaitForSingleObject                = windows.WaitForSingleObject
	WaitForMultipleObjects             = windows.WaitForMultipleObjects
	SleepEx                            = windows.SleepEx
	CreateIoCompletionPort             = windows.CreateIoCompletionPort
	GetQueuedCompletionStatus          = windows.GetQueuedCompletionStatus
	PostQueuedCompletionStatus         = windows.PostQueuedCompletionStatus
	GetOverlappedResult                = windows.GetOverlappedResult
	CancelIo                           = windows.CancelIo
	CancelIoEx                         = windows.CancelIoEx
	SetFileCompletionNotificationModes = windows.SetFileCompletionNotificationModes
	ReadFile                           = windows.ReadFile
	WriteFile                          = windows.WriteFile
	CreatePipe                         = windows.CreatePipe
	CreateNamedPipe                    = windows.CreateNamedPipe
	CreateFile                         = windows.CreateFile
	ConnectNamedPipe                   = windows.ConnectNamedPipe
	CloseHandle                        = windows.CloseHandle
	DuplicateHandle                    = windows.DuplicateHandle
	GetLastError                       = windows.GetLastError
	GetCurrentProcess                  = windows.GetCurrentProcess
	GetCurrentThread                   = windows.GetCurrentThread
	GetCurrentThreadId                 = windows.GetCurrentThreadId
	UTF16PtrFromString                 = windows.UTF16PtrFromString
)

// NewCallback turns a Go function into a completion routine pointer, as
// x/sys's NewCallback does (a function variable cannot hold it: its
// parameter is interface{}, kept as such here).
func NewCallback(fn interface{}) uintptr { return windows.NewCallback(fn) }

var (
	modkernel32 = windows.NewLazySystemDLL("kernel32.dll")
	modws2_32   = windows.NewLazySystemDLL("ws2_32.dll")

	procQueueUserAPC                = modkernel32.NewProc("QueueUserAPC")
	procReadFileEx                  = modkernel32.NewProc("ReadFileEx")
	procWriteFileEx                 = modkernel32.NewProc("WriteFileEx")
	procGetQueuedCompletionStatusEx = modkernel32.NewProc("GetQueuedCompletionStatusEx")
	procWSAEventSelect              = modws2_32.NewProc("WSAEventSelect")
	procWSAEnumNetworkEvents        = modws2_32.NewProc("WSAEnumNetworkEvents")
	procWSACreateEvent              = modws2_32.NewProc("WSACreateEvent")
	procWSACloseEvent               = modws2_32.NewProc("WSACloseEvent")
)

// lastErr turns the error a failed call left into an error value, never a
// nil one (a zero Errno is reported as EINVAL, as x/sys's generated code does).
func lastErr(e1 syscall.Errno) error {
	if e1 != 0 {
		return e1
	}
	return syscall.EINVAL
}

// QueueUserAPC queues apc (a pointer from NewCallback taking one uintptr)
// to thread; it runs when thread next waits alertably
// (https://learn.microsoft.com/windows/win32/api/processthreadsapi/nf-processthreadsapi-queueuserapc).
func QueueUserAPC(apc uintptr, thread Handle, data uintptr) (err error) {
	r1, _, e1 := syscall.SyscallN(procQueueUserAPC.Addr(), apc, uintptr(thread), data)
	if r1 == 0 {
		err = lastErr(e1)
	}
	return
}

// ReadFileEx starts an overlapped read whose completion routine (from
// NewCallback, taking errorCode, bytes uint32 and *Overlapped) runs as an
// APC on the calling thread
// (https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-readfileex).
func ReadFileEx(fd Handle, p []byte, overlapped *Overlapped, routine uintptr) (err error) {
	var b *byte
	if len(p) > 0 {
		b = &p[0]
	}
	r1, _, e1 := syscall.SyscallN(procReadFileEx.Addr(), uintptr(fd), uintptr(unsafe.Pointer(b)), uintptr(len(p)), uintptr(unsafe.Pointer(overlapped)), routine)
	if r1 == 0 {
		err = lastErr(e1)
	}
	return
}

// WriteFileEx is the write counterpart of ReadFileEx
// (https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-writefileex).
func WriteFileEx(fd Handle, p []byte, overlapped *Overlapped, routine uintptr) (err error) {
	var b *byte
	if len(p) > 0 {
		b = &p[0]
	}
	r1, _, e1 := syscall.SyscallN(procWriteFileEx.Addr(), uintptr(fd), uintptr(unsafe.Pointer(b)), uintptr(len(p)), uintptr(unsafe.Pointer(overlapped)), routine)
	if r1 == 0 {
		err = lastErr(e1)
	}
	return
}

// GetQueuedCompletionStatusEx dequeues up to count packets at once
// (https://learn.microsoft.com/windows/win32/api/ioapiset/nf-ioapiset-getqueuedcompletionstatusex).
func GetQueuedCompletionStatusEx(cphandle Handle, entries *OverlappedEntry, count uint32, removed *uint32, timeout uint32, alertable bool) (err error) {
	var a uintptr
	if alertable {
		a = 1
	}
	r1, _, e1 := syscall.SyscallN(procGetQueuedCompletionStatusEx.Addr(), uintptr(cphandle), uintptr(unsafe.Pointer(entries)), uintptr(count), uintptr(unsafe.Pointer(removed)), uintptr(timeout), a)
	if r1 == 0 {
		err = lastErr(e1)
	}
	return
}

// WSAEventSelect associates event with the network events in mask
// (https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-wsaeventselect).
func WSAEventSelect(s Handle, event Handle, events int32) (err error) {
	r1, _, e1 := syscall.SyscallN(procWSAEventSelect.Addr(), uintptr(s), uintptr(event), uintptr(events))
	if int32(r1) == -1 { // SOCKET_ERROR
		err = lastErr(e1)
	}
	return
}

// WSAEnumNetworkEvents reports and clears the socket's recorded network
// events, resetting event when it is not 0
// (https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-wsaenumnetworkevents).
func WSAEnumNetworkEvents(s Handle, event Handle, events *WSANetworkEvents) (err error) {
	r1, _, e1 := syscall.SyscallN(procWSAEnumNetworkEvents.Addr(), uintptr(s), uintptr(event), uintptr(unsafe.Pointer(events)))
	if int32(r1) == -1 { // SOCKET_ERROR
		err = lastErr(e1)
	}
	return
}

// WSACreateEvent makes a manual-reset, non-signalled event
// (https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-wsacreateevent).
func WSACreateEvent() (event Handle, err error) {
	r0, _, e1 := syscall.SyscallN(procWSACreateEvent.Addr())
	event = Handle(r0)
	if event == 0 {
		err = lastErr(e1)
	}
	return
}

// WSACloseEvent closes an event made by WSACreateEvent
// (https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-wsacloseevent).
func WSACloseEvent(event Handle) (err error) {
	r1, _, e1 := syscall.SyscallN(procWSACloseEvent.Addr(), uintptr(event))
	if r1 == 0 {
		err = lastErr(e1)
	}
	return
}

// Run runs body on the calling goroutine. On Windows there is no emulated
// system to start: it returns nil. Under the emulator it starts one.
func Run(body func()) error {
	body()
	return nil
}

// Go starts f on a new goroutine: plain `go f()` on Windows; under the
// emulator the goroutine becomes an emulated thread.
func Go(f func()) { go f() }
