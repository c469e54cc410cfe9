//go:build windows && !wsaemu

// The native side of package windows: on Windows, unless the build tag
// wsaemu asks for the emulator, every name here is golang.org/x/sys/windows'
// own (a type alias, a constant with the same value and type, or the same
// function), so a program that imports this package instead of x/sys runs
// on real Winsock unchanged. The few calls x/sys v0.49.0 does not wrap
// (QueueUserAPC, ReadFileEx, WriteFileEx, GetQueuedCompletionStatusEx,
// WaitForSingleObjectEx, WaitForMultipleObjectsEx, WSAEventSelect,
// DisconnectEx) are bound here through LazySystemDLL or their extension
// pointer, with the signature x/sys's generator would give them, which is
// also the emulated side's (native_sides_test.go checks it).

package windows

import (
	"sync"
	"syscall"
	"unsafe"

	"github.com/wsaemu/wsaemu/provider"
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
	IPMreq             = windows.IPMreq
	IPv6Mreq           = windows.IPv6Mreq
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

const InvalidHandle = windows.InvalidHandle

// Address families, socket types, protocols.
const (
	AF_UNSPEC    = windows.AF_UNSPEC
	AF_INET      = windows.AF_INET
	AF_INET6     = windows.AF_INET6
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

// Network events for WSAEventSelect and the other constants x/sys lacks
// are in extra_consts.go, shared with the emulated build.

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
	SetsockoptIPMreq       = windows.SetsockoptIPMreq
	SetsockoptIPv6Mreq     = windows.SetsockoptIPv6Mreq
	SetsockoptInet4Addr    = windows.SetsockoptInet4Addr
	NsecToTimeval          = windows.NsecToTimeval
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
// While recording (RecordTrace), a completion routine is wrapped to record
// each time it runs.
func NewCallback(fn interface{}) uintptr {
	if rec != nil {
		return recordingCallback(fn)
	}
	return windows.NewCallback(fn)
}

var (
	modkernel32 = windows.NewLazySystemDLL("kernel32.dll")
	modws2_32   = windows.NewLazySystemDLL("ws2_32.dll")

	procQueueUserAPC                = modkernel32.NewProc("QueueUserAPC")
	procReadFileEx                  = modkernel32.NewProc("ReadFileEx")
	procWriteFileEx                 = modkernel32.NewProc("WriteFileEx")
	procGetQueuedCompletionStatusEx = modkernel32.NewProc("GetQueuedCompletionStatusEx")
	procWSAEventSelect              = modws2_32.NewProc("WSAEventSelect")
	procWaitForSingleObjectEx       = modkernel32.NewProc("WaitForSingleObjectEx")
	procWaitForMultipleObjectsEx    = modkernel32.NewProc("WaitForMultipleObjectsEx")
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

// WSAEventSelect associates event with the network events in networkEvents
// (https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-wsaeventselect).
func WSAEventSelect(s Handle, event Handle, networkEvents uint32) (err error) {
	r1, _, e1 := syscall.SyscallN(procWSAEventSelect.Addr(), uintptr(s), uintptr(event), uintptr(networkEvents))
	if int32(r1) == -1 { // SOCKET_ERROR
		err = lastErr(e1)
	}
	return
}

// WaitForSingleObjectEx is WaitForSingleObject with an alertable wait:
// queued APCs and completion routines run, and the wait returns
// WAIT_IO_COMPLETION
// (https://learn.microsoft.com/windows/win32/api/synchapi/nf-synchapi-waitforsingleobjectex).
func WaitForSingleObjectEx(handle Handle, waitMilliseconds uint32, alertable bool) (event uint32, err error) {
	var a uintptr
	if alertable {
		a = 1
	}
	r0, _, e1 := syscall.SyscallN(procWaitForSingleObjectEx.Addr(), uintptr(handle), uintptr(waitMilliseconds), a)
	event = uint32(r0)
	if event == WAIT_FAILED {
		err = lastErr(e1)
	}
	return
}

// WaitForMultipleObjectsEx is WaitForMultipleObjects with an alertable wait
// (https://learn.microsoft.com/windows/win32/api/synchapi/nf-synchapi-waitformultipleobjectsex).
func WaitForMultipleObjectsEx(handles []Handle, waitAll bool, waitMilliseconds uint32, alertable bool) (event uint32, err error) {
	var p *Handle
	if len(handles) > 0 {
		p = &handles[0]
	}
	var all, a uintptr
	if waitAll {
		all = 1
	}
	if alertable {
		a = 1
	}
	r0, _, e1 := syscall.SyscallN(procWaitForMultipleObjectsEx.Addr(), uintptr(len(handles)), uintptr(unsafe.Pointer(p)), all, uintptr(waitMilliseconds), a)
	event = uint32(r0)
	if event == WAIT_FAILED {
		err = lastErr(e1)
	}
	return
}

// Extension-function identifiers x/sys lacks (mswsock.h).
var (
	WSAID_ACCEPTEX             = GUID(provider.WSAID_ACCEPTEX)
	WSAID_GETACCEPTEXSOCKADDRS = GUID(provider.WSAID_GETACCEPTEXSOCKADDRS)
	WSAID_DISCONNECTEX         = GUID(provider.WSAID_DISCONNECTEX)
	WSAID_TRANSMITFILE         = GUID(provider.WSAID_TRANSMITFILE)
)

var disconnectExFunc struct {
	once sync.Once
	addr uintptr
	err  error
}

// loadDisconnectEx asks Winsock for DisconnectEx's pointer once, the way
// x/sys's LoadConnectEx does for ConnectEx.
func loadDisconnectEx() error {
	disconnectExFunc.once.Do(func() {
		s, err := Socket(AF_INET, SOCK_STREAM, IPPROTO_TCP)
		if err != nil {
			disconnectExFunc.err = err
			return
		}
		defer CloseHandle(s)
		var n uint32
		disconnectExFunc.err = WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER,
			(*byte)(unsafe.Pointer(&WSAID_DISCONNECTEX)), uint32(unsafe.Sizeof(WSAID_DISCONNECTEX)),
			(*byte)(unsafe.Pointer(&disconnectExFunc.addr)), uint32(unsafe.Sizeof(disconnectExFunc.addr)),
			&n, nil, 0)
	})
	return disconnectExFunc.err
}

// DisconnectEx closes the connection of s and, with TF_REUSE_SOCKET,
// keeps the socket for another AcceptEx or ConnectEx
// (https://learn.microsoft.com/windows/win32/api/mswsock/nc-mswsock-lpfn_disconnectex).
func DisconnectEx(s Handle, overlapped *Overlapped, flags uint32, reserved uint32) (err error) {
	if err := loadDisconnectEx(); err != nil {
		return err
	}
	r1, _, e1 := syscall.SyscallN(disconnectExFunc.addr, uintptr(s), uintptr(unsafe.Pointer(overlapped)), uintptr(flags), uintptr(reserved))
	if r1 == 0 {
		err = lastErr(e1)
	}
	return
}

// Run runs body on the calling goroutine and returns when it and every
// goroutine it started with Go have returned, as under the emulator, whose
// Run ends when the last of its threads does. On Windows there is no
// emulated system to start: it returns nil. Waiting for the Go goroutines
// also keeps a recorder's trace whole: a thread's call is recorded when it
// returns, which may be after the call woke the main thread (a SetEvent
// the main thread waits for), so a program that ended at once could lose
// that record.
func Run(body func()) error {
	body()
	goThreads.Wait()
	return nil
}

// goThreads counts the goroutines Go started that have not returned.
var goThreads sync.WaitGroup

// Go starts f on a new goroutine: plain `go f()` on Windows, counted so
// that Run waits for it; under the emulator the goroutine becomes an
// emulated thread.
func Go(f func()) {
	goThreads.Add(1)
	go func() {
		defer goThreads.Done()
		f()
	}()
}

// More of x/sys/windows' constants, error values and types: the rest of the
// names the emulated side exports.
const (
	ERROR_ACCESS_DENIED         = windows.ERROR_ACCESS_DENIED
	ERROR_BAD_PIPE              = windows.ERROR_BAD_PIPE
	ERROR_BUSY                  = windows.ERROR_BUSY
	ERROR_FILE_NOT_FOUND        = windows.ERROR_FILE_NOT_FOUND
	ERROR_GEN_FAILURE           = windows.ERROR_GEN_FAILURE
	ERROR_GRACEFUL_DISCONNECT   = windows.ERROR_GRACEFUL_DISCONNECT
	ERROR_HANDLES_CLOSED        = windows.ERROR_HANDLES_CLOSED
	ERROR_INSUFFICIENT_BUFFER   = windows.ERROR_INSUFFICIENT_BUFFER
	ERROR_INVALID_FUNCTION      = windows.ERROR_INVALID_FUNCTION
	ERROR_INVALID_NAME          = windows.ERROR_INVALID_NAME
	ERROR_INVALID_THREAD_ID     = windows.ERROR_INVALID_THREAD_ID
	ERROR_INVALID_USER_BUFFER   = windows.ERROR_INVALID_USER_BUFFER
	ERROR_MR_MID_NOT_FOUND      = windows.ERROR_MR_MID_NOT_FOUND
	ERROR_NOACCESS              = windows.ERROR_NOACCESS
	ERROR_NOT_ENOUGH_MEMORY     = windows.ERROR_NOT_ENOUGH_MEMORY
	ERROR_NOT_READY             = windows.ERROR_NOT_READY
	ERROR_NOT_SUPPORTED         = windows.ERROR_NOT_SUPPORTED
	ERROR_PATH_NOT_FOUND        = windows.ERROR_PATH_NOT_FOUND
	ERROR_PIPE_NOT_CONNECTED    = windows.ERROR_PIPE_NOT_CONNECTED
	ERROR_POSSIBLE_DEADLOCK     = windows.ERROR_POSSIBLE_DEADLOCK
	ERROR_SUCCESS               = windows.ERROR_SUCCESS
	ERROR_UNEXP_NET_ERR         = windows.ERROR_UNEXP_NET_ERR
	FILE_READ_DATA              = windows.FILE_READ_DATA
	FILE_WRITE_DATA             = windows.FILE_WRITE_DATA
	GENERIC_ALL                 = windows.GENERIC_ALL
	IPV6_PKTINFO                = windows.IPV6_PKTINFO
	IP_PKTINFO                  = windows.IP_PKTINFO
	MAX_PROTOCOL_CHAIN          = windows.MAX_PROTOCOL_CHAIN
	MSG_BCAST                   = windows.MSG_BCAST
	MSG_DONTROUTE               = windows.MSG_DONTROUTE
	MSG_MCAST                   = windows.MSG_MCAST
	PIPE_NOWAIT                 = windows.PIPE_NOWAIT
	SO_RCVTIMEO                 = windows.SO_RCVTIMEO
	SO_SNDTIMEO                 = windows.SO_SNDTIMEO
	TF_DISCONNECT               = windows.TF_DISCONNECT
	TF_REUSE_SOCKET             = windows.TF_REUSE_SOCKET
	TF_USE_DEFAULT_WORKER       = windows.TF_USE_DEFAULT_WORKER
	TF_USE_KERNEL_APC           = windows.TF_USE_KERNEL_APC
	TF_USE_SYSTEM_THREAD        = windows.TF_USE_SYSTEM_THREAD
	TF_WRITE_BEHIND             = windows.TF_WRITE_BEHIND
	WSADESCRIPTION_LEN          = windows.WSADESCRIPTION_LEN
	WSAEAFNOSUPPORT             = windows.WSAEAFNOSUPPORT
	WSAEBADF                    = windows.WSAEBADF
	WSAECANCELLED               = windows.WSAECANCELLED
	WSAEDESTADDRREQ             = windows.WSAEDESTADDRREQ
	WSAEDISCON                  = windows.WSAEDISCON
	WSAEDQUOT                   = windows.WSAEDQUOT
	WSAEHOSTDOWN                = windows.WSAEHOSTDOWN
	WSAEINVALIDPROCTABLE        = windows.WSAEINVALIDPROCTABLE
	WSAEINVALIDPROVIDER         = windows.WSAEINVALIDPROVIDER
	WSAELOOP                    = windows.WSAELOOP
	WSAEMFILE                   = windows.WSAEMFILE
	WSAENAMETOOLONG             = windows.WSAENAMETOOLONG
	WSAENETDOWN                 = windows.WSAENETDOWN
	WSAENOMORE                  = windows.WSAENOMORE
	WSAENOPROTOOPT              = windows.WSAENOPROTOOPT
	WSAENOTEMPTY                = windows.WSAENOTEMPTY
	WSAEPFNOSUPPORT             = windows.WSAEPFNOSUPPORT
	WSAEPROCLIM                 = windows.WSAEPROCLIM
	WSAEPROTONOSUPPORT          = windows.WSAEPROTONOSUPPORT
	WSAEPROTOTYPE               = windows.WSAEPROTOTYPE
	WSAEPROVIDERFAILEDINIT      = windows.WSAEPROVIDERFAILEDINIT
	WSAEREFUSED                 = windows.WSAEREFUSED
	WSAEREMOTE                  = windows.WSAEREMOTE
	WSAESOCKTNOSUPPORT          = windows.WSAESOCKTNOSUPPORT
	WSAESTALE                   = windows.WSAESTALE
	WSAETOOMANYREFS             = windows.WSAETOOMANYREFS
	WSAEUSERS                   = windows.WSAEUSERS
	WSAHOST_NOT_FOUND           = windows.WSAHOST_NOT_FOUND
	WSANO_DATA                  = windows.WSANO_DATA
	WSANO_RECOVERY              = windows.WSANO_RECOVERY
	WSAPROTOCOL_LEN             = windows.WSAPROTOCOL_LEN
	WSASERVICE_NOT_FOUND        = windows.WSASERVICE_NOT_FOUND
	WSASYSCALLFAILURE           = windows.WSASYSCALLFAILURE
	WSASYSNOTREADY              = windows.WSASYSNOTREADY
	WSASYS_STATUS_LEN           = windows.WSASYS_STATUS_LEN
	WSATRY_AGAIN                = windows.WSATRY_AGAIN
	WSATYPE_NOT_FOUND           = windows.WSATYPE_NOT_FOUND
	WSAVERNOTSUPPORTED          = windows.WSAVERNOTSUPPORTED
	WSA_E_CANCELLED             = windows.WSA_E_CANCELLED
	WSA_E_NO_MORE               = windows.WSA_E_NO_MORE
	WSA_IPSEC_NAME_POLICY_ERROR = windows.WSA_IPSEC_NAME_POLICY_ERROR
	WSA_QOS_ADMISSION_FAILURE   = windows.WSA_QOS_ADMISSION_FAILURE
	WSA_QOS_BAD_OBJECT          = windows.WSA_QOS_BAD_OBJECT
	WSA_QOS_BAD_STYLE           = windows.WSA_QOS_BAD_STYLE
	WSA_QOS_EFILTERCOUNT        = windows.WSA_QOS_EFILTERCOUNT
	WSA_QOS_EFILTERSTYLE        = windows.WSA_QOS_EFILTERSTYLE
	WSA_QOS_EFILTERTYPE         = windows.WSA_QOS_EFILTERTYPE
	WSA_QOS_EFLOWCOUNT          = windows.WSA_QOS_EFLOWCOUNT
	WSA_QOS_EFLOWDESC           = windows.WSA_QOS_EFLOWDESC
	WSA_QOS_EFLOWSPEC           = windows.WSA_QOS_EFLOWSPEC
	WSA_QOS_EOBJLENGTH          = windows.WSA_QOS_EOBJLENGTH
	WSA_QOS_EPOLICYOBJ          = windows.WSA_QOS_EPOLICYOBJ
	WSA_QOS_EPROVSPECBUF        = windows.WSA_QOS_EPROVSPECBUF
	WSA_QOS_EPSFILTERSPEC       = windows.WSA_QOS_EPSFILTERSPEC
	WSA_QOS_EPSFLOWSPEC         = windows.WSA_QOS_EPSFLOWSPEC
	WSA_QOS_ESDMODEOBJ          = windows.WSA_QOS_ESDMODEOBJ
	WSA_QOS_ESERVICETYPE        = windows.WSA_QOS_ESERVICETYPE
	WSA_QOS_ESHAPERATEOBJ       = windows.WSA_QOS_ESHAPERATEOBJ
	WSA_QOS_EUNKOWNPSOBJ        = windows.WSA_QOS_EUNKOWNPSOBJ
	WSA_QOS_GENERIC_ERROR       = windows.WSA_QOS_GENERIC_ERROR
	WSA_QOS_NO_RECEIVERS        = windows.WSA_QOS_NO_RECEIVERS
	WSA_QOS_NO_SENDERS          = windows.WSA_QOS_NO_SENDERS
	WSA_QOS_POLICY_FAILURE      = windows.WSA_QOS_POLICY_FAILURE
	WSA_QOS_RECEIVERS           = windows.WSA_QOS_RECEIVERS
	WSA_QOS_REQUEST_CONFIRMED   = windows.WSA_QOS_REQUEST_CONFIRMED
	WSA_QOS_RESERVED_PETYPE     = windows.WSA_QOS_RESERVED_PETYPE
	WSA_QOS_SENDERS             = windows.WSA_QOS_SENDERS
	WSA_QOS_TRAFFIC_CTRL_ERROR  = windows.WSA_QOS_TRAFFIC_CTRL_ERROR
	WSA_SECURE_HOST_NOT_FOUND   = windows.WSA_SECURE_HOST_NOT_FOUND
)

type (
	IN6_PKTINFO         = windows.IN6_PKTINFO
	IN_PKTINFO          = windows.IN_PKTINFO
	SECURITY_DESCRIPTOR = windows.SECURITY_DESCRIPTOR
	TransmitFileBuffers = windows.TransmitFileBuffers
	WSACMSGHDR          = windows.WSACMSGHDR
	WSAProtocolChain    = windows.WSAProtocolChain
)

var (
	Accept              = windows.Accept
	CurrentProcess      = windows.CurrentProcess
	CurrentThread       = windows.CurrentThread
	DisconnectNamedPipe = windows.DisconnectNamedPipe
	FlushFileBuffers    = windows.FlushFileBuffers
	NewCallbackCDecl    = windows.NewCallbackCDecl
	Read                = windows.Read
	Recvfrom            = windows.Recvfrom
	Sendto              = windows.Sendto
	SetsockoptTimeval   = windows.SetsockoptTimeval
	StringToUTF16Ptr    = windows.StringToUTF16Ptr
	TransmitFile        = windows.TransmitFile
	UTF16FromString     = windows.UTF16FromString
	UTF16PtrToString    = windows.UTF16PtrToString
	UTF16ToString       = windows.UTF16ToString
	WSASendto           = windows.WSASendto
	Write               = windows.Write
)

// Provider catalogue (WSAEnumProtocols) and named-pipe state.
const (
	BASE_PROTOCOL           = windows.BASE_PROTOCOL
	LAYERED_PROTOCOL        = windows.LAYERED_PROTOCOL
	XP1_CONNECTIONLESS      = windows.XP1_CONNECTIONLESS
	XP1_CONNECT_DATA        = windows.XP1_CONNECT_DATA
	XP1_EXPEDITED_DATA      = windows.XP1_EXPEDITED_DATA
	XP1_GRACEFUL_CLOSE      = windows.XP1_GRACEFUL_CLOSE
	XP1_GUARANTEED_DELIVERY = windows.XP1_GUARANTEED_DELIVERY
	XP1_GUARANTEED_ORDER    = windows.XP1_GUARANTEED_ORDER
	XP1_IFS_HANDLES         = windows.XP1_IFS_HANDLES
	XP1_MESSAGE_ORIENTED    = windows.XP1_MESSAGE_ORIENTED
	XP1_PARTIAL_MESSAGE     = windows.XP1_PARTIAL_MESSAGE
	XP1_SAN_SUPPORT_SDP     = windows.XP1_SAN_SUPPORT_SDP
	XP1_SUPPORT_BROADCAST   = windows.XP1_SUPPORT_BROADCAST
	XP1_SUPPORT_MULTIPOINT  = windows.XP1_SUPPORT_MULTIPOINT
)

var (
	GetNamedPipeHandleState = windows.GetNamedPipeHandleState
	GetNamedPipeInfo        = windows.GetNamedPipeInfo
	SetNamedPipeHandleState = windows.SetNamedPipeHandleState
	WSAEnumProtocols        = windows.WSAEnumProtocols
)
