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
	// strictly (that test also passes on Windows); "assumed" for rows this
	// package adopts without such a record.
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
	{STATUS_ACCESS_VIOLATION, WSAEFAULT, "ground-truth"},
	{STATUS_INVALID_HANDLE, WSAENOTSOCK, "ground-truth"},
	{STATUS_NO_MEMORY, WSAENOBUFS, "ground-truth"},
	{STATUS_BUFFER_TOO_SMALL, WSAEFAULT, "ground-truth"},
	{STATUS_DEVICE_NOT_READY, WSAEWOULDBLOCK, "ground-truth"},
	{STATUS_PIPE_DISCONNECTED, WSAESHUTDOWN, "ground-truth"},
	{STATUS_IO_TIMEOUT, WSAETIMEDOUT, "ground-truth"},
	{STATUS_NOT_SUPPORTED, WSAEOPNOTSUPP, "ground-truth"},
	{STATUS_CANCELLED, WSA_OPERATION_ABORTED, "ground-truth"},
	{STATUS_LOCAL_DISCONNECT, WSAECONNABORTED, "ground-truth"},
	{STATUS_REMOTE_DISCONNECT, WSAECONNRESET, "ground-truth"},
	{STATUS_INVALID_CONNECTION, WSAENOTCONN, "ground-truth"},
	{STATUS_INVALID_BUFFER_SIZE, WSAEMSGSIZE, "ground-truth"},
	{STATUS_CONNECTION_RESET, WSAECONNRESET, "ground-truth"},
	{STATUS_CONNECTION_REFUSED, WSAECONNREFUSED, "ground-truth"},
	{STATUS_GRACEFUL_DISCONNECT, WSAEDISCON, "ground-truth"},
	{STATUS_NETWORK_UNREACHABLE, WSAENETUNREACH, "ground-truth"},
	{STATUS_HOST_UNREACHABLE, WSAEHOSTUNREACH, "ground-truth"},
	{STATUS_PORT_UNREACHABLE, WSAECONNRESET, "ground-truth"},
	{STATUS_CONNECTION_ABORTED, WSAECONNABORTED, "ground-truth"},
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
	{STATUS_PIPE_DISCONNECTED, ERROR_PIPE_NOT_CONNECTED, "ntdll-test"},
	{STATUS_PIPE_CLOSING, ERROR_NO_DATA, "ntdll-test"},
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
