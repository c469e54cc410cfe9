package wsaoverlapped

// ParseErrno finds an error code by its Windows name (ERROR_IO_PENDING,
// WSAEMSGSIZE, WAIT_TIMEOUT, ... and the WSA_ aliases of Win32 codes).
func ParseErrno(name string) (Errno, bool) {
	for _, in := range errnoTable {
		if in.name == name {
			return in.code, true
		}
	}
	switch name {
	case "WSA_IO_PENDING":
		return WSA_IO_PENDING, true
	case "WSA_IO_INCOMPLETE":
		return WSA_IO_INCOMPLETE, true
	case "WSA_INVALID_HANDLE":
		return WSA_INVALID_HANDLE, true
	case "WSA_INVALID_PARAMETER":
		return WSA_INVALID_PARAMETER, true
	case "WSA_NOT_ENOUGH_MEMORY":
		return WSA_NOT_ENOUGH_MEMORY, true
	case "WSA_OPERATION_ABORTED":
		return WSA_OPERATION_ABORTED, true
	}
	return 0, false
}

// ParseNTStatus finds an NTSTATUS by its name (STATUS_PENDING, ...).
func ParseNTStatus(name string) (NTStatus, bool) {
	for _, in := range ntstatusTable {
		if in.name == name {
			return in.code, true
		}
	}
	return 0, false
}
