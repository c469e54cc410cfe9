package wsaoverlapped

// StatusMapping is one row of an NTSTATUS-to-error table.
type StatusMapping struct {
	Status NTStatus
	Errno  Errno
	// Source says where the row comes from: "ground-truth" for rows stated
	// in the project's notes on observed Windows behaviour
	// (docs/windows-behaviour.md, "NTSTATUS to Winsock errors", whose
	// record is Wine's dlls/ws2_32/tests/sock.c, test_WSAGetOverlappedResult
	// for the Winsock table); "ntdll-test" for
	// rows that Wine's conformance test of RtlNtStatusToDosError checks
	// strictly (that test also passes on Windows); "wine-test" for rows
	// that Wine's dlls/ws2_32/tests/sock.c, test_WSAGetOverlappedResult,
	// checks against WSAGetOverlappedResult (it passes on Windows 10 1809
	// and later); "assumed" for rows this package adopts without such a
	// record.
	Source string
}

// WSAErrorTable is ws2_32's translation of a final IFS status into a WSA
// error, used by WSAGetOverlappedResult and before a completion routine is
// called. Rows are sorted by Status. Statuses not listed fall back as
// described at NTStatus.WSAError.
var WSAErrorTable = []StatusMapping{
	{STATUS_SUCCESS, 0, "ground-truth"},
	{STATUS_PENDING, WSA_IO_INCOMPLETE, "ground-truth"},
	{STATUS_BUFFER_OVERFLOW, WSAEMSGSIZE, "ground-truth"},
	{NTStatus(0x800703E4), WSA_IO_INCOMPLETE, "wine-test"}, // HRESULT-style ERROR_IO_INCOMPLETE
	{NTStatus(0xC0000002), WSAEOPNOTSUPP, "wine-test"},     // STATUS_NOT_IMPLEMENTED
	{STATUS_ACCESS_VIOLATION, WSAEFAULT, "ground-truth"},
	{NTStatus(0xC0000007), WSAENOBUFS, "wine-test"}, // STATUS_PAGEFILE_QUOTA
	{STATUS_INVALID_HANDLE, WSAENOTSOCK, "ground-truth"},
	{NTStatus(0xC000000E), WSAENETDOWN, "wine-test"}, // STATUS_NO_SUCH_DEVICE
	{NTStatus(0xC000000F), WSAENETDOWN, "wine-test"}, // STATUS_NO_SUCH_FILE
	{STATUS_NO_MEMORY, WSAENOBUFS, "ground-truth"},
	{NTStatus(0xC0000018), WSAENOBUFS, "wine-test"}, // STATUS_CONFLICTING_ADDRESSES
	{NTStatus(0xC0000022), WSAEACCES, "wine-test"},  // STATUS_ACCESS_DENIED
	{STATUS_BUFFER_TOO_SMALL, WSAEFAULT, "ground-truth"},
	{NTStatus(0xC0000024), WSAENOTSOCK, "wine-test"},   // STATUS_OBJECT_TYPE_MISMATCH
	{NTStatus(0xC0000034), WSAENETDOWN, "wine-test"},   // STATUS_OBJECT_NAME_NOT_FOUND
	{NTStatus(0xC000003A), WSAENETDOWN, "wine-test"},   // STATUS_OBJECT_PATH_NOT_FOUND
	{NTStatus(0xC0000043), WSAEADDRINUSE, "wine-test"}, // STATUS_SHARING_VIOLATION
	{NTStatus(0xC0000044), WSAENOBUFS, "wine-test"},    // STATUS_QUOTA_EXCEEDED
	{NTStatus(0xC0000097), WSAENOBUFS, "wine-test"},    // STATUS_TOO_MANY_PAGING_FILES
	{NTStatus(0xC000009A), WSAENOBUFS, "wine-test"},    // STATUS_INSUFFICIENT_RESOURCES
	{NTStatus(0xC00000A1), WSAENOBUFS, "wine-test"},    // STATUS_WORKING_SET_QUOTA
	{STATUS_DEVICE_NOT_READY, WSAEWOULDBLOCK, "ground-truth"},
	{STATUS_PIPE_DISCONNECTED, WSAESHUTDOWN, "ground-truth"},
	{STATUS_IO_TIMEOUT, WSAETIMEDOUT, "ground-truth"},
	{STATUS_NOT_SUPPORTED, WSAEOPNOTSUPP, "ground-truth"},
	{NTStatus(0xC00000BC), WSAECONNREFUSED, "wine-test"}, // STATUS_REMOTE_NOT_LISTENING
	{NTStatus(0xC00000BE), WSAENETUNREACH, "wine-test"},  // STATUS_BAD_NETWORK_PATH
	{NTStatus(0xC00000BF), WSAENETDOWN, "wine-test"},     // STATUS_NETWORK_BUSY
	{NTStatus(0xC00000C3), WSAENETDOWN, "wine-test"},     // STATUS_INVALID_NETWORK_RESPONSE
	{NTStatus(0xC00000C4), WSAENETDOWN, "wine-test"},     // STATUS_UNEXPECTED_NETWORK_ERROR
	{NTStatus(0xC00000D0), WSAEWOULDBLOCK, "wine-test"},  // STATUS_REQUEST_NOT_ACCEPTED
	{STATUS_CANCELLED, WSA_OPERATION_ABORTED, "ground-truth"},
	{NTStatus(0xC000012D), WSAENOBUFS, "wine-test"}, // STATUS_COMMITMENT_LIMIT
	{STATUS_LOCAL_DISCONNECT, WSAECONNABORTED, "ground-truth"},
	{STATUS_REMOTE_DISCONNECT, WSAECONNRESET, "ground-truth"},
	{NTStatus(0xC000013D), WSAENOBUFS, "wine-test"},    // STATUS_REMOTE_RESOURCES
	{NTStatus(0xC000013E), WSAECONNRESET, "wine-test"}, // STATUS_LINK_FAILED
	{NTStatus(0xC000013F), WSAETIMEDOUT, "wine-test"},  // STATUS_LINK_TIMEOUT
	{STATUS_INVALID_CONNECTION, WSAENOTCONN, "ground-truth"},
	{NTStatus(0xC0000141), WSAEADDRNOTAVAIL, "wine-test"}, // STATUS_INVALID_ADDRESS
	{STATUS_INVALID_BUFFER_SIZE, WSAEMSGSIZE, "ground-truth"},
	{NTStatus(0xC0000207), WSAEADDRNOTAVAIL, "wine-test"}, // STATUS_INVALID_ADDRESS_COMPONENT
	{NTStatus(0xC0000209), WSAENOBUFS, "wine-test"},       // STATUS_TOO_MANY_ADDRESSES
	{NTStatus(0xC000020A), WSAEADDRINUSE, "wine-test"},    // STATUS_ADDRESS_ALREADY_EXISTS
	{NTStatus(0xC000020C), WSAECONNRESET, "wine-test"},    // STATUS_CONNECTION_DISCONNECTED
	{STATUS_CONNECTION_RESET, WSAECONNRESET, "ground-truth"},
	{NTStatus(0xC000020F), WSAECONNABORTED, "wine-test"}, // STATUS_TRANSACTION_ABORTED
	{STATUS_CONNECTION_REFUSED, WSAECONNREFUSED, "ground-truth"},
	{STATUS_GRACEFUL_DISCONNECT, WSAEDISCON, "ground-truth"},
	{NTStatus(0xC000023B), WSAEISCONN, "wine-test"}, // STATUS_CONNECTION_ACTIVE
	{STATUS_NETWORK_UNREACHABLE, WSAENETUNREACH, "ground-truth"},
	{STATUS_HOST_UNREACHABLE, WSAEHOSTUNREACH, "ground-truth"},
	{NTStatus(0xC000023E), WSAENETUNREACH, "wine-test"}, // STATUS_PROTOCOL_UNREACHABLE
	{STATUS_PORT_UNREACHABLE, WSAECONNRESET, "ground-truth"},
	{NTStatus(0xC0000240), WSAEINTR, "wine-test"}, // STATUS_REQUEST_ABORTED
	{STATUS_CONNECTION_ABORTED, WSAECONNABORTED, "ground-truth"},
	{NTStatus(0xC00002C5), WSAEFAULT, "wine-test"},         // STATUS_DATATYPE_MISALIGNMENT_ERROR
	{NTStatus(0xC0000350), WSAEHOSTDOWN, "wine-test"},      // STATUS_HOST_DOWN
	{NTStatus(0xC00103E4), WSA_IO_INCOMPLETE, "wine-test"}, // ERROR_IO_INCOMPLETE wrapped with facility 1
	{NTStatus(0xC00703E4), WSA_IO_INCOMPLETE, "wine-test"}, // ERROR_IO_INCOMPLETE wrapped with facility 7
}

// Win32ErrorTable is kernel32's translation (RtlNtStatusToDosError) of a
// final status into a Win32 error, used by GetOverlappedResult,
// GetQueuedCompletionStatus and before a ReadFileEx/WriteFileEx routine is
// called. It covers every NTStatus constant of this package except
// STATUS_USER_APC. Rows are sorted by Status; statuses not listed give
// ERROR_MR_MID_NOT_FOUND.
var Win32ErrorTable = []StatusMapping{
	{STATUS_SUCCESS, ERROR_SUCCESS, "ntdll-test"},
	{STATUS_ABANDONED_WAIT_0, ERROR_ABANDONED_WAIT_0, "assumed"},
	{STATUS_TIMEOUT, WAIT_TIMEOUT, "assumed"},
	{STATUS_PENDING, ERROR_IO_PENDING, "ntdll-test"},
	{STATUS_BUFFER_OVERFLOW, ERROR_MORE_DATA, "ground-truth"},
	{STATUS_HANDLES_CLOSED, ERROR_HANDLES_CLOSED, "ground-truth"},
	{STATUS_ACCESS_VIOLATION, ERROR_NOACCESS, "ntdll-test"},
	{STATUS_INVALID_HANDLE, ERROR_INVALID_HANDLE, "ground-truth"},
	{STATUS_INVALID_PARAMETER, ERROR_INVALID_PARAMETER, "ntdll-test"},
	{STATUS_END_OF_FILE, ERROR_HANDLE_EOF, "ntdll-test"},
	{STATUS_NO_MEMORY, ERROR_NOT_ENOUGH_MEMORY, "ntdll-test"},
	{STATUS_BUFFER_TOO_SMALL, ERROR_INSUFFICIENT_BUFFER, "ground-truth"},
	{STATUS_DEVICE_NOT_READY, ERROR_NOT_READY, "ntdll-test"},
	{STATUS_PIPE_BUSY, ERROR_PIPE_BUSY, "ntdll-test"},
	{STATUS_PIPE_DISCONNECTED, ERROR_PIPE_NOT_CONNECTED, "ntdll-test"},
	{STATUS_PIPE_CLOSING, ERROR_NO_DATA, "ntdll-test"},
	{STATUS_INVALID_READ_MODE, ERROR_BAD_PIPE, "ntdll-test"},
	{STATUS_IO_TIMEOUT, ERROR_SEM_TIMEOUT, "ntdll-test"},
	{STATUS_NOT_SUPPORTED, ERROR_NOT_SUPPORTED, "ground-truth"},
	{STATUS_PIPE_EMPTY, ERROR_NO_DATA, "ntdll-test"},
	{STATUS_CANCELLED, ERROR_OPERATION_ABORTED, "ground-truth"},
	{STATUS_LOCAL_DISCONNECT, ERROR_NETNAME_DELETED, "ntdll-test"},
	{STATUS_REMOTE_DISCONNECT, ERROR_NETNAME_DELETED, "ntdll-test"},
	{STATUS_INVALID_CONNECTION, ERROR_UNEXP_NET_ERR, "ntdll-test"},
	{STATUS_PIPE_BROKEN, ERROR_BROKEN_PIPE, "ntdll-test"},
	{STATUS_INVALID_BUFFER_SIZE, ERROR_INVALID_USER_BUFFER, "ntdll-test"},
	{STATUS_CONNECTION_RESET, ERROR_NETNAME_DELETED, "ground-truth"},
	{STATUS_NOT_FOUND, ERROR_NOT_FOUND, "ntdll-test"},
	{STATUS_CONNECTION_REFUSED, ERROR_CONNECTION_REFUSED, "ground-truth"},
	{STATUS_GRACEFUL_DISCONNECT, ERROR_GRACEFUL_DISCONNECT, "ntdll-test"},
	{STATUS_NETWORK_UNREACHABLE, ERROR_NETWORK_UNREACHABLE, "ntdll-test"},
	{STATUS_HOST_UNREACHABLE, ERROR_HOST_UNREACHABLE, "ntdll-test"},
	{STATUS_PORT_UNREACHABLE, ERROR_PORT_UNREACHABLE, "ntdll-test"},
	{STATUS_CONNECTION_ABORTED, ERROR_CONNECTION_ABORTED, "ground-truth"},
}

// lookupMapping binary-searches a table sorted by Status.
func lookupMapping(table []StatusMapping, s NTStatus) (Errno, bool) {
	lo, hi := 0, len(table)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if table[mid].Status < s {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo < len(table) && table[lo].Status == s {
		return table[lo].Errno, true
	}
	return 0, false
}

// WSAError translates s the way ws2_32 does for WSAGetOverlappedResult and
// for completion routines: a listed status gives its row's error
// (STATUS_PENDING gives WSA_IO_INCOMPLETE, the answer of a non-waiting
// query); any other success or informational status gives 0 (the call
// reports success); any other warning or error status gives WSAEINVAL.
//
// Note that STATUS_BUFFER_OVERFLOW, a warning, is a failure here
// (WSAEMSGSIZE) even though its byte count is still valid.
func (s NTStatus) WSAError() Errno {
	if e, ok := lookupMapping(WSAErrorTable, s); ok {
		return e
	}
	if s.IsSuccess() {
		return 0
	}
	return WSAEINVAL
}

// Win32Error translates s the way kernel32 does (through
// RtlNtStatusToDosError) for GetOverlappedResult, GetQueuedCompletionStatus
// and file completion routines. A status with no row gives
// ERROR_MR_MID_NOT_FOUND, which is what Windows answers for a code it has
// no translation for.
func (s NTStatus) Win32Error() Errno {
	if e, ok := lookupMapping(Win32ErrorTable, s); ok {
		return e
	}
	return ERROR_MR_MID_NOT_FOUND
}
