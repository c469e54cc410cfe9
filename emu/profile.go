package emu

// Profile picks between behaviours on which the pages and current Windows
// disagree. A behaviour the pages leave open in every profile is a Chooser
// decision, not a profile entry. Every difference is listed in
// ProfileDifferences.
type Profile uint8

const (
	// ProfileWindows follows current Windows (Vista and later) as recorded
	// in shared/reference/ground-truth.md.
	ProfileWindows Profile = iota
	// ProfileDocs follows the pages where they are specific.
	ProfileDocs
)

func (p Profile) String() string {
	switch p {
	case ProfileWindows:
		return "windows"
	case ProfileDocs:
		return "docs"
	}
	return "profile?"
}

// ParseProfile turns "windows" or "docs" into a Profile.
func ParseProfile(s string) (Profile, bool) {
	switch s {
	case "windows":
		return ProfileWindows, true
	case "docs":
		return ProfileDocs, true
	}
	return 0, false
}

// ProfileDifference is one behaviour on which the profiles differ.
type ProfileDifference struct {
	Behaviour string
	Docs      string
	Windows   string
	Source    string
}

// ProfileDifferences lists every behaviour the profiles decide, with where
// each side comes from.
var ProfileDifferences = []ProfileDifference{
	{
		Behaviour: "thread exit with I/O still pending on a file or pipe",
		Docs:      "every request the thread issued is cancelled (STATUS_CANCELLED)",
		Windows:   "requests on handles associated with a completion port stay pending and complete normally; others are cancelled",
		Source:    "LPWSPGETOVERLAPPEDRESULT remarks ('All I/O initiated by a given thread is canceled when that thread exits'); CancelIoEx page on thread-agnostic I/O; ground-truth.md 'Thread exit'",
	},
	{
		Behaviour: "the status block of a request on a handle bound to a completion port",
		Docs:      "written when the packet is taken from the port (unless the call finished or failed within itself)",
		Windows:   "written when the request completes, before the packet is taken",
		Source:    "I/O Completion Ports page ('the status block ... will not be updated until the packet is removed'); current Windows and Wine write it at completion (libraries such as libunifex poll Internal on port-bound handles)",
	},
	{
		Behaviour: "thread exit with socket I/O still pending",
		Docs:      "cancelled: the operation completes with WSA_OPERATION_ABORTED",
		Windows:   "left pending: it completes normally later (Vista and later)",
		Source:    "WSASendMsg and LPWSPGETOVERLAPPEDRESULT remarks; ground-truth.md 'Thread exit'",
	},
	{
		Behaviour: "SIO_FLUSH",
		Docs:      "pending sends are aborted (WSA_OPERATION_ABORTED) and the call succeeds",
		Windows:   "answered as unsupported: overlapped, it pends and then fails with WSAEOPNOTSUPP (STATUS_NOT_SUPPORTED); otherwise it fails with WSAEOPNOTSUPP at once",
		Source:    "WSASendMsg error table (WSA_OPERATION_ABORTED); ground-truth.md 'SIO_FLUSH'",
	},
	{
		Behaviour: "WSASendMsg on a socket that was never bound",
		Docs:      "fails with WSAEINVAL",
		Windows:   "binds the socket implicitly, as sendto does",
		Source:    "WSASendMsg error table (WSAEINVAL: 'The socket has not been bound'); ground-truth.md (Wine's WSASendMsg is permissive)",
	},
	{
		Behaviour: "WSAIoctl with a control code the provider does not know",
		Docs:      "fails with WSAEINVAL",
		Windows:   "unsupported: WSAEOPNOTSUPP with *lpcbBytesReturned set to 0; with a record it pends and then fails with STATUS_NOT_SUPPORTED (WSAEOPNOTSUPP to a routine, ERROR_NOT_SUPPORTED from a port)",
		Source:    "WSAIoctl page, return value (WSAEINVAL); Wine's dlls/ws2_32/tests/sock.c test_unsupported_ioctls and test_backlog_query, which pass on Windows",
	},
	{
		Behaviour: "an overlapped WSAIoctl that succeeds",
		Docs:      "may finish at once or pend; its completion reports the output size",
		Windows:   "finishes at once (returns 0, *lpcbBytesReturned = output size), but the status block, the port's packet and the routine all report 0 bytes",
		Source:    "WSAIoctl page (lpcbBytesReturned, completion routine's cbTransferred); Wine's dlls/ws2_32/tests/sock.c test_fionbio, test_fionread_siocatmark, test_get_extension_func, test_sioRoutingInterfaceQuery, which pass on Windows",
	},
	{
		Behaviour: "WSAIoctl with a record but lpcbBytesReturned NULL",
		Docs:      "allowed: the count is reported at completion",
		Windows:   "fails with WSAEFAULT",
		Source:    "WSAIoctl page (lpcbBytesReturned); Wine's dlls/ws2_32/tests/sock.c test_unsupported_ioctls, test_fionbio, test_get_extension_func, which pass on Windows",
	},
	{
		Behaviour: "SIO_BASE_HANDLE with a record",
		Docs:      "completes like any other IOCTL, with the base handle",
		Windows:   "pends and fails with STATUS_NOT_SUPPORTED (ws2_32 answers it only without a record)",
		Source:    "WSAIoctl page (SIO_BASE_HANDLE); Wine's dlls/ws2_32/tests/sock.c test_base_handle, which passes on Windows",
	},
	{
		Behaviour: "WSARecv given a record on a socket made without WSA_FLAG_OVERLAPPED (IFS provider)",
		Docs:      "the record is ignored: an ordinary non-overlapped receive (WSAEWOULDBLOCK on a non-blocking socket with nothing queued)",
		Windows:   "the call waits for its datagram even on a non-blocking socket, and the result is written into the record's status block",
		Source:    "WSARecv page, lpOverlapped ('ignored for non-overlapped sockets'); Wine's dlls/ws2_32/tests/sock.c test_nonblocking_async_recv, which passes on Windows",
	},
	{
		Behaviour: "a receive already pending when shutdown(SD_RECEIVE or SD_BOTH) is called",
		Docs:      "fails with WSAESHUTDOWN",
		Windows:   "stays pending and completes with the next datagram; only later receives are refused",
		Source:    "WSARecv page, WSAESHUTDOWN ('not possible to call WSARecv ... after shutdown'); Wine's dlls/ws2_32/tests/sock.c test_shutdown, which passes on Windows (checked there on a stream socket)",
	},
	{
		Behaviour: "the completion routine of a WSARecvMsg whose datagram was truncated",
		Docs:      "dwFlags carries what the WSAMSG flags would have held (MSG_TRUNC, MSG_CTRUNC)",
		Windows:   "dwFlags is 0; the flags are in the WSAMSG only",
		Source:    "WSARecvMsg page (lpCompletionRoutine, dwFlags); Wine's dlls/ws2_32/tests/sock.c test_ip_pktinfo (ip_pktinfo_apc), which passes on Windows",
	},
	{
		Behaviour: "a WSARecvMsg truncated at once (data queued, buffers or control space too small)",
		Docs:      "fails with WSAEMSGSIZE; the byte count is not written; with a routine the error is returned at once too",
		Windows:   "without a record the count is written with the WSAEMSGSIZE failure; with a routine the call returns WSA_IO_PENDING and the routine reports WSAEMSGSIZE",
		Source:    "WSARecvMsg page (return value); Wine's dlls/ws2_32/tests/sock.c test_ip_pktinfo, whose checks of both are todo_wine (Wine does the former)",
	},
}

// cancelFileIOAtThreadExit says whether a request on a file issued by an
// exiting thread is cancelled; portAssociated: the file is bound to a
// completion port.
func (p Profile) cancelFileIOAtThreadExit(portAssociated bool) bool {
	return p == ProfileDocs || !portAssociated
}

// cancelSocketIOAtThreadExit says whether socket I/O issued by an exiting
// thread is cancelled.
func (p Profile) cancelSocketIOAtThreadExit() bool { return p == ProfileDocs }
