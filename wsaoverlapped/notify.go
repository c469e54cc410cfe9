package wsaoverlapped

// Flags of SetFileCompletionNotificationModes (winbase.h): how the
// completion of an operation on a handle is reported. With
// FILE_SKIP_COMPLETION_PORT_ON_SUCCESS a request that succeeds within its
// own call posts no completion packet; with FILE_SKIP_SET_EVENT_ON_HANDLE
// the handle itself is not signalled when a request completes.
// https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-setfilecompletionnotificationmodes
const (
	FILE_SKIP_COMPLETION_PORT_ON_SUCCESS = 0x1
	FILE_SKIP_SET_EVENT_ON_HANDLE        = 0x2
)
