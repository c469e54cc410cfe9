package emu

// Profile picks between behaviours on which the pages and current Windows
// disagree. A behaviour the pages leave open in every profile is a Chooser
// decision, not a profile entry. Every difference is listed in
// ProfileDifferences.
type Profile uint8

const (
	// ProfileWindows follows current Windows (Vista and later) as recorded
	// in docs/windows-behaviour.md (which names the Wine tests it rests on).
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
		Behaviour: "TransmitFile or TransmitPackets on a datagram socket",
		Docs:      "fails with WSAEINVAL",
		Windows:   "fails with WSAENOTCONN",
		Source:    "TransmitFile page, error table (WSAEINVAL for SOCK_DGRAM); Wine's dlls/ws2_32/tests/sock.c, test_TransmitFile, which asserts WSAENOTCONN without todo_wine (so Windows gives it)",
	},
	{
		Behaviour: "thread exit with I/O still pending on a file or pipe",
		Docs:      "every request the thread issued is cancelled (STATUS_CANCELLED)",
		Windows:   "requests on handles associated with a completion port stay pending and complete normally; others are cancelled",
		Source:    "LPWSPGETOVERLAPPEDRESULT remarks ('All I/O initiated by a given thread is canceled when that thread exits'); CancelIoEx page on thread-agnostic I/O; docs/windows-behaviour.md 'Thread exit'",
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
		Source:    "WSASendMsg and LPWSPGETOVERLAPPEDRESULT remarks; docs/windows-behaviour.md 'Thread exit'",
	},
	{
		Behaviour: "SIO_FLUSH",
		Docs:      "pending sends are aborted (WSA_OPERATION_ABORTED) and the call succeeds",
		Windows:   "answered as unsupported: overlapped, it pends and then fails with WSAEOPNOTSUPP (STATUS_NOT_SUPPORTED); otherwise it fails with WSAEOPNOTSUPP at once",
		Source:    "WSASendMsg error table (WSA_OPERATION_ABORTED); docs/windows-behaviour.md 'SIO_FLUSH'",
	},
	{
		Behaviour: "the byte count an overlapped WSAIoctl completes with",
		Docs:      "the output size, through the routine, WSAGetOverlappedResult and the port packet",
		Windows:   "0 (the record's InternalHigh, the routine's cbTransferred, the packet); the output size goes to *lpcbBytesReturned only",
		Source:    "WSAIoctl page ('lpcbTransfer ... the number of bytes returned'); Wine dlls/ws2_32/tests/sock.c, test_fionread_siocatmark and test_get_extension_func (no todo_wine)",
	},
	{
		Behaviour: "dwFlags of a socket completion routine (IFS provider), a truncated WSARecvMsg's included",
		Docs:      "the flags the receive reported (MSG_TRUNC, MSG_CTRUNC, ...: for a WSARecvMsg what its WSAMSG flags hold)",
		Windows:   "0: ws2_32 calls the routine with dwFlags 0 whatever the receive reported; a WSARecvMsg's flags are in its WSAMSG only",
		Source:    "LPWSAOVERLAPPED_COMPLETION_ROUTINE page (dwFlags: 'information about the completed operation') and WSARecvMsg page (lpCompletionRoutine); Wine dlls/ws2_32/tests/sock.c, test_ip_pktinfo (ip_pktinfo_apc: the routine of a WSARecvMsg that ends with MSG_CTRUNC gets flags 0, no todo_wine) and test_fionread_siocatmark",
	},
	{
		Behaviour: "WSASendMsg on a socket that was never bound",
		Docs:      "fails with WSAEINVAL",
		Windows:   "binds the socket implicitly, as sendto does",
		Source:    "WSASendMsg error table (WSAEINVAL: 'The socket has not been bound'); docs/windows-behaviour.md (Wine's WSASendMsg is permissive)",
	},
	{
		Behaviour: "the file handle when an overlapped request that names an event completes",
		Docs:      "signalled as for any request: the handle is signalled whenever an operation on it completes",
		Windows:   "left non-signalled: only the event is set; the handle is signalled when the request named no event (or the handle is synchronous)",
		Source:    "Synchronization and Overlapped Input and Output page (the handle is signalled when an operation completes); Wine's dlls/ntdll/tests/pipe.c, test_completion ('event with no APC nor completion: signals only event', passes on Windows)",
	},
	{
		Behaviour: "FILE_SKIP_COMPLETION_PORT_ON_SUCCESS and a pipe request that completes at once with a warning (a message read that gets ERROR_MORE_DATA)",
		Docs:      "a packet is queued: only a call that returns success is exempt",
		Windows:   "no packet: the warning is reported by the call itself (Windows 7; Windows 8 and later pend such a read instead, which the Chooser's pend decision also allows)",
		Source:    "SetFileCompletionNotificationModes page (the request 'returns success immediately'); Wine's dlls/ntdll/tests/pipe.c, test_completion (STATUS_BUFFER_OVERFLOW at once and no packet, or STATUS_PENDING and a packet; passes on Windows)",
	},
	{
		Behaviour: "an overlapped pipe read or write whose result is known within the call",
		Docs:      "may finish at once or pend (a Chooser decision, as the pages allow)",
		Windows:   "finishes at once; only a read ending in a warning on a port-bound handle in skip-on-success mode may also pend (Windows 8 and later pend it, Windows 7 does not: a Chooser decision)",
		Source:    "Synchronous and Asynchronous I/O page (either outcome); Wine's dlls/kernel32/tests/pipe.c, test_blocking_rw (overlapped reads with data and writes that fit return TRUE) and dlls/ntdll/tests/pipe.c, test_completion (the skip-mode read pends); both pass on Windows",
	},
	{
		Behaviour: "a refused TransactNamedPipe (ERROR_BAD_PIPE, ERROR_PIPE_BUSY) on an overlapped handle",
		Docs:      "fails at once",
		Windows:   "fails at once (Windows 7, and Wine) or returns ERROR_IO_PENDING having already failed through the record: event set, packet posted, GetOverlappedResult gives the error and 0 bytes (Windows 8 and later); a Chooser decision (PointUnsettled)",
		Source:    "TransactNamedPipe page (the call fails); Wine's dlls/kernel32/tests/pipe.c, test_TransactNamedPipe and test_transact (overlapped_transact_failure accepts both, marking the pending one win8+, without todo_wine)",
	},
	{
		Behaviour: "WSAGetOverlappedResult given a NULL lpcbTransfer or lpdwFlags",
		Docs:      "the byte count is written if given, and the call fails with WSAEFAULT",
		Windows:   "the NULL out-parameter is skipped: the other is written and the call reports the operation's own result",
		Source:    "WSAGetOverlappedResult page (WSAEFAULT up to Windows Server 2003); Wine's sock.c test_ip_pktinfo passes either pointer as NULL on Windows and reads the count written, and Wine, which passes it, skips the NULL one",
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
		Behaviour: "a receive or send given a record on a socket made without WSA_FLAG_OVERLAPPED (IFS provider)",
		Docs:      "the record is ignored: an ordinary non-overlapped call (a receive on a non-blocking socket with nothing queued fails with WSAEWOULDBLOCK); the record and its event are left alone",
		Windows:   "a receive waits for its datagram even on a non-blocking socket; either call finishes before it returns, and its result is written into the record's status block and the record's event set, as the I/O manager completes any request",
		Source:    "WSARecv and WSASendMsg pages, lpOverlapped ('ignored for non-overlapped sockets'); Wine's dlls/ws2_32/tests/sock.c test_nonblocking_async_recv, which passes on Windows (GetOverlappedResult reads the result from such a record; the event is not asserted there, and Wine sets it)",
	},
	{
		Behaviour: "a receive already pending when shutdown(SD_RECEIVE or SD_BOTH) is called",
		Docs:      "fails with WSAESHUTDOWN",
		Windows:   "stays pending and completes with the next datagram; only later receives are refused",
		Source:    "WSARecv page, WSAESHUTDOWN ('not possible to call WSARecv ... after shutdown'); Wine's dlls/ws2_32/tests/sock.c test_shutdown, which passes on Windows (checked there on a stream socket)",
	},
	{
		Behaviour: "WSAGetOverlappedResult's *lpdwFlags for the record of an overlapped WSARecvMsg (IFS provider)",
		Docs:      "written with the flags of the completed operation, as for any receive",
		Windows:   "left as the caller set it: the flags reach the WSAMSG only",
		Source:    "WSAGetOverlappedResult page (lpdwFlags receives the flags); Wine's dlls/ws2_32/tests/sock.c test_ip_pktinfo, whose check that the flags keep the caller's value (0xdeadbeef) after a truncated WSARecvMsg is todo_wine, so it holds on Windows and Wine writes them",
	},
	{
		Behaviour: "a WSARecvMsg truncated at once (data queued, buffers or control space too small)",
		Docs:      "fails with WSAEMSGSIZE; the byte count is not written; with a routine the error is returned at once too",
		Windows:   "without a record the count is written with the WSAEMSGSIZE failure; with a routine the call returns WSA_IO_PENDING and the routine reports WSAEMSGSIZE",
		Source:    "WSARecvMsg page (return value); Wine's dlls/ws2_32/tests/sock.c test_ip_pktinfo, whose checks of both are todo_wine (Wine does the former)",
	},
}

// skipPortOnImmediate says whether a request on dev that completed within
// its call with status posts no packet on a handle in skip-on-success
// mode. The windows rule for warnings is the one observed on pipes; other
// devices keep the pages' reading.
func (p Profile) skipPortOnImmediate(status NTStatus, dev device) bool {
	if _, isPipe := dev.(*pipeEnd); p == ProfileDocs || !isPipe {
		return status.IsSuccess()
	}
	return !status.IsError()
}

// signalFileOnCompletion says whether a completing request signals its file
// handle (FILE_SKIP_SET_EVENT_ON_HANDLE aside): withEvent, the record named
// an event; overlapped, the handle was opened for overlapped I/O.
func (p Profile) signalFileOnCompletion(withEvent, overlapped bool) bool {
	return p == ProfileDocs || !withEvent || !overlapped
}

// cancelFileIOAtThreadExit says whether a request on a file issued by an
// exiting thread is cancelled; portAssociated: the file is bound to a
// completion port.
func (p Profile) cancelFileIOAtThreadExit(portAssociated bool) bool {
	return p == ProfileDocs || !portAssociated
}

// nullResultOutFaults says whether WSAGetOverlappedResult fails with
// WSAEFAULT for a NULL lpcbTransfer or lpdwFlags (docs) rather than
// skipping it (windows).
func (p Profile) nullResultOutFaults() bool { return p == ProfileDocs }

// cancelSocketIOAtThreadExit says whether socket I/O issued by an exiting
// thread is cancelled.
func (p Profile) cancelSocketIOAtThreadExit() bool { return p == ProfileDocs }

// routineGetsRecvFlags says whether a socket completion routine run by
// the I/O manager (IFS provider) is given the receive's flags in dwFlags;
// Windows passes 0.
func (p Profile) routineGetsRecvFlags() bool { return p == ProfileDocs }

// keepResultFlagsAfterRecvMsg says whether WSAGetOverlappedResult leaves
// *lpdwFlags alone for a record whose last call was a WSARecvMsg (IFS
// provider), as Windows does; the docs profile writes the flags.
func (p Profile) keepResultFlagsAfterRecvMsg() bool { return p == ProfileWindows }
