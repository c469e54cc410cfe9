package native

import (
	"sort"
	"strings"
)

// Deviation is a known disagreement between the emulator and Wine where
// Wine is the one that departs from Windows: the scenario, the steps where
// it shows, what Wine does, and the evidence (a clause of the pages, or a
// Windows observation recorded in ground-truth.md). wsaemu-diff does not
// fail on these.
type Deviation struct {
	// Scenario is the file's path below spec/scenarios.
	Scenario string
	// Steps are the calls where the deviation shows, written as in the
	// scenario without the thread ("WSASend w hi ov1", "settle"); "(run)"
	// is the run as a whole. A step matches whatever its line number,
	// and keyword arguments may come in any order.
	Steps []string
	// What says what Wine does.
	What string
	// Evidence is why Windows behaves otherwise.
	Evidence string
}

// Deviations is the known-deviations list. Keep it short: each entry is
// a Wine bug or limitation, never an emulator bug or an over-specified
// scenario (those are fixed where they are). TestDeviationsMatchSteps
// checks that every entry still names steps of its scenario.
var Deviations = []Deviation{
	// Close and cancellation statuses.
	{"closesocket/pending-event.scenario", []string{"settle"},
		"closesocket completes the pending receive with STATUS_HANDLES_CLOSED (Internal 0x8000000A)",
		"ground-truth.md, Wine 8.0 probes: closesocket completes pending I/O with STATUS_HANDLES_CLOSED; Windows uses STATUS_CANCELLED for UDP (ground-truth.md, Cancellation and close)"},
	{"closesocket/other-thread.scenario", []string{"GetQueuedCompletionStatus io 0"},
		"the port packet of a receive cancelled by closesocket carries ERROR_HANDLES_CLOSED (676)",
		"ground-truth.md, Wine 8.0 probes: GetQueuedCompletionStatus sees 676 after closesocket; Windows gives ERROR_OPERATION_ABORTED for UDP"},
	{"completion-routine-wsa/cancel-on-close.scenario", []string{"SleepEx INFINITE alertable"},
		"the completion routine of a receive cancelled by closesocket gets dwError WSAEINVAL (10022)",
		"ground-truth.md, Wine 8.0 probes: routines see WSAEINVAL after closesocket; Windows reports WSA_OPERATION_ABORTED"},
	{"cancel/cancelioex-not-found.scenario", []string{"CancelIoEx p.r"},
		"CancelIoEx(handle, NULL) with nothing pending returns TRUE",
		"CancelIoEx page: FALSE with ERROR_NOT_FOUND when no request is found; ground-truth.md, Wine 8.0 probes"},
	{"closesocket/blocking-call.scenario", []string{"closesocket r"},
		"a blocking receive that closesocket ends fails with WSAEINVAL (STATUS_HANDLES_CLOSED); the scenario accepts any error, the trace check sees the code",
		"ground-truth.md, Wine 8.0 probes: closesocket completes pending I/O with STATUS_HANDLES_CLOSED (WSAEINVAL); Windows uses cancellation statuses (ground-truth.md, Cancellation and close)"},
	{"wsarecv/thread-exit-windows.scenario", []string{"settle", "WSAGetOverlappedResult r ov1"},
		"the exit of the issuing thread cancels its pending socket receive: the event is signalled, the result is WSA_OPERATION_ABORTED, and the datagram sent later is not received by it",
		"ground-truth.md, Cancellation and close: Vista and later do not cancel socket I/O on thread exit; Wine 8.0 probes: Wine cancels it (STATUS_CANCELLED)"},

	// Completion routines, ports and events.
	{"completion-routine-wsa/not-nested.scenario", []string{"SleepEx INFINITE alertable"},
		"an alertable wait inside one socket's completion routine runs that socket's next routine (nested, depth 2)",
		"WSARecv page: \"For a given socket, I/O completion routines will not be nested\""},
	{"iocp/lifo-waiters.scenario", []string{"PostQueuedCompletionStatus io key=1", "PostQueuedCompletionStatus io key=2"},
		"threads waiting on a completion port are released first-in-first-out",
		"IO-Completion-Ports page: waiting threads are released in last-in-first-out (LIFO) order"},
	{"iocp/port-closed-while-waiting.scenario", []string{"CloseHandle io"},
		"closing a port does not end a GetQueuedCompletionStatus waiting on it",
		"GetQueuedCompletionStatus page: the wait fails with ERROR_ABANDONED_WAIT_0 and *lpOverlapped NULL when the port is closed"},
	{"tour/03-more-data-routine.scenario", []string{"SleepEx INFINITE alertable"},
		"the completion routine of a short message-pipe read gets dwErrorCode ERROR_MORE_DATA (234)",
		"ground-truth.md, Pipes: on Windows the routine sees dwErrorCode 0 while GetOverlappedResult fails with ERROR_MORE_DATA"},
	{"events-wsa/not-an-event.scenario", []string{"WSACloseEvent s"},
		"WSACloseEvent closes any handle it is given (here a socket) and returns TRUE",
		"WSACloseEvent page, error table: WSA_INVALID_HANDLE when \"the hEvent is not a valid event object handle\""},

	// Receives.
	{"wsarecv/unbound-einval.scenario", []string{"WSARecv r b1 ov1", "WSARecv r b1 ov2 routine=cr1"},
		"an overlapped WSARecv on a socket never bound pends (WSA_IO_PENDING) instead of failing",
		"WSARecv page, error table: WSAEINVAL \"The socket has not been bound (for example, with bind)\" (clause wsarecv.error.einval.unbound)"},
	{"wsarecvmsg/unbound.scenario", []string{"WSARecvMsg r b1 ov1"},
		"an overlapped WSARecvMsg on a socket never bound pends (WSA_IO_PENDING) instead of failing",
		"LPFN_WSARECVMSG page, error table: WSAEINVAL when the socket has not been bound (clause wsarecvmsg.error.einval.unbound)"},
	{"wsarecv/oob-waitall.scenario", []string{"WSARecv r b1 ov1 flags=MSG_OOB", "WSARecv r b1 ov1 flags=MSG_WAITALL"},
		"WSARecv on a UDP socket accepts MSG_OOB and MSG_WAITALL and pends",
		"WSARecv page, error table: WSAEOPNOTSUPP when \"MSG_OOB was specified, but the socket is not stream-style\"; flags: the call fails with WSAEOPNOTSUPP when the transport does not support MSG_WAITALL (clauses wsarecv.error.eopnotsupp.oob, wsarecv.waitall.dgram)"},
	{"wsagetoverlappedresult/aborted-op.scenario", []string{"WSASendTo r hi 127.0.0.1:5999 NULL", "WSAGetOverlappedResult r ov1"},
		"an ICMP port-unreachable answer to a UDP send is never reported: the pending receive stays pending (event clear, WSA_IO_INCOMPLETE)",
		"WSARecv page, error table: WSAECONNRESET \"For a UDP datagram socket, this error would indicate that a previous send operation resulted in an ICMP Port Unreachable message\""},
	{"wsasendmsg/connreset.scenario", []string{"WSARecv w b1 NULL"},
		"an ICMP port-unreachable answer to a UDP send is never reported: the next receive finds nothing (WSAEWOULDBLOCK)",
		"WSARecv and WSASendMsg pages, error tables: WSAECONNRESET for a UDP socket whose previous send resulted in an ICMP Port Unreachable message"},
	{"wsarecvmsg/truncated.scenario", []string{"WSARecvMsg r b1 NULL"},
		"MSG_TRUNC is never set in the WSAMSG flags of a truncated datagram",
		"ground-truth.md, Wine 8.0 probes: Offset is never written for sockets, so MSG_TRUNC is never reported; Windows sets MSG_TRUNC (WSARecvMsg page)"},
	{"wsarecvmsg/peek.scenario", []string{"WSARecvMsg r b1 NULL msgflags=MSG_PEEK"},
		"WSARecvMsg with MSG_PEEK hands MSG_PEEK back in the WSAMSG flags; the scenario does not assert them, the trace check sees them",
		"LPFN_WSARECVMSG page: on output dwFlags \"may return a combination\" of MSG_BCAST, MSG_CTRUNC, MSG_MCAST and MSG_TRUNC only"},
	{"wsarecvmsg/broadcast-flag.scenario", []string{"WSARecvMsg r b1 NULL"},
		"MSG_BCAST is never set for a datagram sent to the broadcast address",
		"WSAMSG page: MSG_BCAST means the datagram was received \"with a destination IP address that is a broadcast address\" (clause wsamsg.flags.bcast)"},

	// Sends.
	{"wsasend/enotconn.scenario", []string{"WSASend w hi ov1"},
		"WSASend on an unconnected UDP socket fails with WSAEINVAL",
		"WSASend page, error table: WSAENOTCONN \"The socket is not connected\" (clause wsasend.error.enotconn)"},
	{"wsasendmsg/enotconn.scenario", []string{"WSASendMsg w hi NULL"},
		"WSASendMsg with no name on an unconnected UDP socket fails with WSAEINVAL",
		"WSASendMsg page, error table: WSAENOTCONN when the socket is not connected (clause wsasendmsg.error.enotconn)"},
	{"wsasend/oob-partial.scenario", []string{"WSASend w hi NULL flags=MSG_PARTIAL"},
		"WSASend accepts MSG_PARTIAL on a UDP socket and sends",
		"WSASend page, error table: WSAEOPNOTSUPP when \"MSG_PARTIAL is not supported\"; flags: WSAEOPNOTSUPP \"will be returned by transports that do not support partial message transmissions\" (clause wsasend.error.eopnotsupp)"},
	{"wsasend/sendto-addr-any.scenario", []string{"WSASendTo w hi 0.0.0.0:5000 NULL"},
		"WSASendTo to 0.0.0.0 succeeds (the host treats it as itself)",
		"WSASendTo page, error table: WSAEADDRNOTAVAIL \"The remote address is not a valid address (such as ADDR_ANY)\" (clause wsasendto.error.eaddrnotavail)"},
	{"wsasend/sendto-eafnosupport.scenario", []string{"WSASendTo w hi [::1]:5000 NULL"},
		"WSASendTo to an IPv6 address from an IPv4 socket fails with WSAEOPNOTSUPP",
		"WSASendTo page, error table: WSAEAFNOSUPPORT \"Addresses in the specified family cannot be used with this socket\" (clause wsasendto.error.eafnosupport)"},
	{"wsasendmsg/flags.scenario", []string{"WSASendMsg w hi NULL flags=MSG_PEEK to=127.0.0.1:5000", "WSASendMsg w hi NULL flags=MSG_PARTIAL to=127.0.0.1:5000", "WSAIoctl r FIONREAD"},
		"WSASendMsg accepts MSG_PEEK and MSG_PARTIAL (only MSG_OOB is refused), so their datagrams are queued and FIONREAD is not 0",
		"ground-truth.md, Wine 8.0 probes: WSASendMsg is permissive; WSASendMsg page: flags other than MSG_DONTROUTE, MSG_PARTIAL and MSG_OOB give WSAEOPNOTSUPP, and UDP has no partial messages"},
	{"wsasendmsg/notinitialised.scenario", []string{"WSASendMsg w hi NULL to=127.0.0.1:5000"},
		"after the last WSACleanup, which closed every socket, WSASendMsg fails with WSAENOTSOCK",
		"WSASendMsg page, error table: WSANOTINITIALISED \"A successful WSAStartup call must occur before using this function\" (clause wsasendmsg.error.notinitialised)"},
	{"wsasendmsg/efault-name.scenario", []string{"WSASendMsg w hi ov1 nullname namelen=16"},
		"WSASendMsg with a NULL name and a non-zero namelen fails with WSAEINVAL",
		"WSASendMsg page, error table: WSAEFAULT \"is also returned if a name member of the WSAMSG structure ... was a NULL pointer and the namelen member ... was not set to zero\" (clause wsasendmsg.error.efault.name)"},
	{"wsasendmsg/efault-control.scenario", []string{"WSASendMsg w hi ov1 to=127.0.0.1:5000 nullcontrol", "settle"},
		"WSASendMsg ignores the control buffer, so a NULL Control.buf with a length is not refused and the send completes (event signalled)",
		"ground-truth.md, Wine 8.0 probes: control data on send is ignored; WSASendMsg page: WSAEFAULT for a control buffer outside the address space"},
	{"wsasendmsg/pktinfo-source.scenario", []string{"WSARecvFrom r b1 NULL"},
		"IP_PKTINFO control data on send does not choose the source address",
		"ground-truth.md, Wine 8.0 probes: IP_PKTINFO control data on send is ignored; WSASendMsg page: IP_PKTINFO sets the source address"},
	{"wsasendmsg/nonoverlapped-socket.scenario", []string{"WSASendMsg w hi ov1 to=127.0.0.1:5000", "settle"},
		"WSASendMsg on a socket made without WSA_FLAG_OVERLAPPED signals the event of the record it was given",
		"WSASendMsg page: lpOverlapped is \"Ignored for non-overlapped sockets\" (clause wsasendmsg.overlapped.ignored-nonoverlapped)"},

	// WSAIoctl.
	{"wsaioctl/flush-windows.scenario", []string{"settle"},
		"an overlapped SIO_FLUSH returns WSA_IO_PENDING with its record already failed (STATUS_NOT_SUPPORTED) and never signals its event",
		"WSAIoctl page: for overlapped sockets an operation that cannot complete at once is initiated and \"completion will be indicated at a later time\" (the event is set); ground-truth.md: SIO_FLUSH pends, then completes with STATUS_NOT_SUPPORTED (clause wsaioctl.may-pend)"},
	{"wsarecvmsg/extension-pointer.scenario", []string{"WSAIoctl s SIO_GET_EXTENSION_FUNCTION_POINTER guid=sendmsg out=4"},
		"SIO_GET_EXTENSION_FUNCTION_POINTER succeeds with a 4-byte output buffer (the size is not checked)",
		"ground-truth.md, Wine 8.0 probes: the output buffer size is not checked; WSAIoctl page: WSAEFAULT when the output buffer is too small"},

	// Wine-verified corpus (spec/scenarios/wine/sock): behaviour Wine's own
	// dlls/ws2_32/tests/sock.c asserts without todo_wine (so Windows shows
	// it, and current Wine too) but the older Wine installed for the
	// differential run does not.
	{"wine/sock/udp-send-unreachable.scenario", []string{"WSASend c buf NULL"},
		"every other send on a connected UDP socket whose peer port is closed fails with WSAECONNREFUSED (the ICMP report of the previous datagram)",
		"Wine's dlls/ws2_32/tests/sock.c, test_UDP: ten sends in a row must each succeed with the full size (not todo_wine: it holds on Windows)"},
	{"wine/sock/udp-send-unreachable.scenario", []string{"WSASendTo z buf 127.0.0.1:0 NULL", "WSASendTo z6 buf [::1]:0 NULL"},
		"a datagram sent to port 0 is refused",
		"Wine's dlls/ws2_32/tests/sock.c, test_UDP: sendto port 0 over IPv4 and IPv6 loopback returns the full size (not todo_wine: it holds on Windows)"},
	{"wine/sock/wsarecvmsg-short-control.scenario", []string{"WSARecvMsg s1 r NULL control=1"},
		"a WSARecvMsg that fails with WSAEMSGSIZE for want of control space leaves the byte count alone",
		"Wine's dlls/ws2_32/tests/sock.c, test_ip_pktinfo: the count of 6 bytes is checked under todo_wine (Windows writes it)"},
	{"wine/sock/wsarecvmsg-short-control-routine.scenario", []string{"WSARecvMsg s1 r ov1 control=1 routine=cr1 nullbytes"},
		"a WSARecvMsg with a routine whose datagram is already queued and truncated returns its error at once instead of WSA_IO_PENDING",
		"Wine's dlls/ws2_32/tests/sock.c, test_ip_pktinfo: ERROR_IO_PENDING is checked under todo_wine (Windows pends)"},
}

// FindDeviation returns the entry for a step of a scenario file (the
// step's call as the scenario writes it, without the thread), or nil.
func FindDeviation(file, call string) *Deviation {
	file = strings.ReplaceAll(file, `\`, "/")
	for i := range Deviations {
		d := &Deviations[i]
		if file != d.Scenario && !strings.HasSuffix(file, "/"+d.Scenario) {
			continue
		}
		for _, s := range d.Steps {
			if SameCall(s, call) {
				return d
			}
		}
	}
	return nil
}

// SameCall reports whether two calls written as scenario text are the
// same: the same name and the same arguments, keyword arguments in any
// order.
func SameCall(a, b string) bool {
	wa, wb := strings.Fields(a), strings.Fields(b)
	if len(wa) != len(wb) || len(wa) == 0 || wa[0] != wb[0] {
		return false
	}
	sort.Strings(wa[1:])
	sort.Strings(wb[1:])
	for i := range wa {
		if wa[i] != wb[i] {
			return false
		}
	}
	return true
}
