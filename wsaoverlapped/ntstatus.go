package wsaoverlapped

// NTStatus is an NTSTATUS value: what an IFS provider leaves in
// Overlapped.Internal, and what the kernel's I/O manager stores in the
// Status half of an IO_STATUS_BLOCK.
//
// The top two bits are the severity: 0 success, 1 informational, 2 warning,
// 3 error. NT_SUCCESS is true for the first two.
type NTStatus uint32

// WSS_OPERATION_IN_PROGRESS is the marker a non-IFS provider keeps in
// Internal while an operation is pending. It is numerically the same as
// STATUS_PENDING (0x103), which is why HasOverlappedIoCompleted works for
// both kinds of provider.
const WSS_OPERATION_IN_PROGRESS uintptr = 0x103

// NTSTATUS values used by the emulator, in numeric order.
const (
	STATUS_SUCCESS          NTStatus = 0x00000000
	STATUS_WAIT_0                    = STATUS_SUCCESS // same number
	STATUS_ABANDONED_WAIT_0 NTStatus = 0x00000080
	STATUS_USER_APC         NTStatus = 0x000000C0
	STATUS_TIMEOUT          NTStatus = 0x00000102
	STATUS_PENDING          NTStatus = 0x00000103

	STATUS_BUFFER_OVERFLOW NTStatus = 0x80000005
	STATUS_HANDLES_CLOSED  NTStatus = 0x8000000A

	STATUS_ACCESS_VIOLATION    NTStatus = 0xC0000005
	STATUS_INVALID_HANDLE      NTStatus = 0xC0000008
	STATUS_INVALID_PARAMETER   NTStatus = 0xC000000D
	STATUS_END_OF_FILE         NTStatus = 0xC0000011
	STATUS_NO_MEMORY           NTStatus = 0xC0000017
	STATUS_BUFFER_TOO_SMALL    NTStatus = 0xC0000023
	STATUS_DEVICE_NOT_READY    NTStatus = 0xC00000A3
	STATUS_PIPE_BUSY           NTStatus = 0xC00000AE
	STATUS_PIPE_DISCONNECTED   NTStatus = 0xC00000B0
	STATUS_PIPE_CLOSING        NTStatus = 0xC00000B1
	STATUS_INVALID_READ_MODE   NTStatus = 0xC00000B4
	STATUS_IO_TIMEOUT          NTStatus = 0xC00000B5
	STATUS_NOT_SUPPORTED       NTStatus = 0xC00000BB
	STATUS_PIPE_EMPTY          NTStatus = 0xC00000D9
	STATUS_CANCELLED           NTStatus = 0xC0000120
	STATUS_LOCAL_DISCONNECT    NTStatus = 0xC000013B
	STATUS_REMOTE_DISCONNECT   NTStatus = 0xC000013C
	STATUS_INVALID_CONNECTION  NTStatus = 0xC0000140
	STATUS_PIPE_BROKEN         NTStatus = 0xC000014B
	STATUS_INVALID_BUFFER_SIZE NTStatus = 0xC0000206
	STATUS_CONNECTION_RESET    NTStatus = 0xC000020D
	STATUS_NOT_FOUND           NTStatus = 0xC0000225
	STATUS_CONNECTION_REFUSED  NTStatus = 0xC0000236
	STATUS_GRACEFUL_DISCONNECT NTStatus = 0xC0000237
	STATUS_NETWORK_UNREACHABLE NTStatus = 0xC000023C
	STATUS_HOST_UNREACHABLE    NTStatus = 0xC000023D
	STATUS_PORT_UNREACHABLE    NTStatus = 0xC000023F
	STATUS_CONNECTION_ABORTED  NTStatus = 0xC0000241
)

type ntstatusInfo struct {
	code NTStatus
	name string
	msg  string
}

// ntstatusTable holds every NTStatus this package names, sorted by number
// with no duplicates (checked by a test).
var ntstatusTable = [...]ntstatusInfo{
	{STATUS_SUCCESS, "STATUS_SUCCESS", "the request succeeded"},
	{STATUS_ABANDONED_WAIT_0, "STATUS_ABANDONED_WAIT_0", "the wait was satisfied by a mutex its owner abandoned"},
	{STATUS_USER_APC, "STATUS_USER_APC", "the alertable wait was cut short to run user APCs"},
	{STATUS_TIMEOUT, "STATUS_TIMEOUT", "the wait's time limit passed"},
	{STATUS_PENDING, "STATUS_PENDING", "the operation has not finished yet"},
	{STATUS_BUFFER_OVERFLOW, "STATUS_BUFFER_OVERFLOW", "the data was cut short to fit the buffer"},
	{STATUS_HANDLES_CLOSED, "STATUS_HANDLES_CLOSED", "the handle was closed while the request was outstanding"},
	{STATUS_ACCESS_VIOLATION, "STATUS_ACCESS_VIOLATION", "a memory address could not be accessed"},
	{STATUS_INVALID_HANDLE, "STATUS_INVALID_HANDLE", "the handle is not valid"},
	{STATUS_INVALID_PARAMETER, "STATUS_INVALID_PARAMETER", "a parameter was not valid"},
	{STATUS_END_OF_FILE, "STATUS_END_OF_FILE", "the end of the file was reached"},
	{STATUS_NO_MEMORY, "STATUS_NO_MEMORY", "not enough memory or quota was available"},
	{STATUS_BUFFER_TOO_SMALL, "STATUS_BUFFER_TOO_SMALL", "the buffer cannot hold even part of the data"},
	{STATUS_DEVICE_NOT_READY, "STATUS_DEVICE_NOT_READY", "the device is not ready"},
	{STATUS_PIPE_BUSY, "STATUS_PIPE_BUSY", "the pipe is busy: data is waiting to be read"},
	{STATUS_PIPE_DISCONNECTED, "STATUS_PIPE_DISCONNECTED", "the other end of the pipe is disconnected"},
	{STATUS_PIPE_CLOSING, "STATUS_PIPE_CLOSING", "the pipe is being closed"},
	{STATUS_INVALID_READ_MODE, "STATUS_INVALID_READ_MODE", "the pipe is not in the read mode the request needs"},
	{STATUS_IO_TIMEOUT, "STATUS_IO_TIMEOUT", "the I/O request did not finish within its time limit"},
	{STATUS_NOT_SUPPORTED, "STATUS_NOT_SUPPORTED", "the request is not supported"},
	{STATUS_PIPE_EMPTY, "STATUS_PIPE_EMPTY", "the pipe holds no data"},
	{STATUS_CANCELLED, "STATUS_CANCELLED", "the I/O request was cancelled"},
	{STATUS_LOCAL_DISCONNECT, "STATUS_LOCAL_DISCONNECT", "the connection was ended on this side"},
	{STATUS_REMOTE_DISCONNECT, "STATUS_REMOTE_DISCONNECT", "the connection was ended by the peer"},
	{STATUS_INVALID_CONNECTION, "STATUS_INVALID_CONNECTION", "the transport endpoint is not connected"},
	{STATUS_PIPE_BROKEN, "STATUS_PIPE_BROKEN", "the pipe's other end has gone away"},
	{STATUS_INVALID_BUFFER_SIZE, "STATUS_INVALID_BUFFER_SIZE", "the buffer size is not acceptable for this request"},
	{STATUS_CONNECTION_RESET, "STATUS_CONNECTION_RESET", "the peer reset the connection"},
	{STATUS_NOT_FOUND, "STATUS_NOT_FOUND", "the object was not found"},
	{STATUS_CONNECTION_REFUSED, "STATUS_CONNECTION_REFUSED", "the peer refused the connection"},
	{STATUS_GRACEFUL_DISCONNECT, "STATUS_GRACEFUL_DISCONNECT", "the peer closed the connection in an orderly way"},
	{STATUS_NETWORK_UNREACHABLE, "STATUS_NETWORK_UNREACHABLE", "the network cannot be reached"},
	{STATUS_HOST_UNREACHABLE, "STATUS_HOST_UNREACHABLE", "the host cannot be reached"},
	{STATUS_PORT_UNREACHABLE, "STATUS_PORT_UNREACHABLE", "nothing is listening on the remote port"},
	{STATUS_CONNECTION_ABORTED, "STATUS_CONNECTION_ABORTED", "the connection was aborted on this side"},
}

func lookupNTStatus(s NTStatus) (ntstatusInfo, bool) {
	lo, hi := 0, len(ntstatusTable)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if ntstatusTable[mid].code < s {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo < len(ntstatusTable) && ntstatusTable[lo].code == s {
		return ntstatusTable[lo], true
	}
	return ntstatusInfo{}, false
}

// hex8 writes v as "0x" followed by eight upper-case hex digits.
func hex8(v uint32) string {
	const digits = "0123456789ABCDEF"
	var b [10]byte
	b[0], b[1] = '0', 'x'
	for i := 9; i >= 2; i-- {
		b[i] = digits[v&0xF]
		v >>= 4
	}
	return string(b[:])
}

// Severity returns the two severity bits: 0 success, 1 informational,
// 2 warning, 3 error.
func (s NTStatus) Severity() uint8 { return uint8(s >> 30) }

// IsSuccess is NT_SUCCESS: true for success and informational codes
// (including STATUS_PENDING).
func (s NTStatus) IsSuccess() bool { return s.Severity() <= 1 }

// IsInformational reports severity 1.
func (s NTStatus) IsInformational() bool { return s.Severity() == 1 }

// IsWarning reports severity 2 (NT_WARNING), e.g. STATUS_BUFFER_OVERFLOW.
func (s NTStatus) IsWarning() bool { return s.Severity() == 2 }

// IsError reports severity 3 (NT_ERROR), e.g. STATUS_CANCELLED.
func (s NTStatus) IsError() bool { return s.Severity() == 3 }

// Known reports whether the package has a name for s.
func (s NTStatus) Known() bool {
	_, ok := lookupNTStatus(s)
	return ok
}

// Name returns the ntstatus.h name ("STATUS_CANCELLED"); an unknown value
// gives "NTStatus(0x12345678)".
func (s NTStatus) Name() string {
	if info, ok := lookupNTStatus(s); ok {
		return info.name
	}
	return "NTStatus(" + hex8(uint32(s)) + ")"
}

// Message returns a short, lower-case description; an unknown value gives
// "unknown status code".
func (s NTStatus) Message() string {
	if info, ok := lookupNTStatus(s); ok {
		return info.msg
	}
	return "unknown status code"
}

// Error formats the status as "NAME (0xXXXXXXXX): message", for example
// "STATUS_CANCELLED (0xC0000120): the I/O request was cancelled". An unknown
// value is written "NTStatus(0x12345678): unknown status code".
func (s NTStatus) Error() string {
	if info, ok := lookupNTStatus(s); ok {
		return info.name + " (" + hex8(uint32(s)) + "): " + info.msg
	}
	return "NTStatus(" + hex8(uint32(s)) + "): unknown status code"
}
