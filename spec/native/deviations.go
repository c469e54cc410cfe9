package native

import (
	"sort"
	"strings"
)

// Deviation is a known disagreement between the emulator and Wine where
// Wine is the one that departs from Windows: the scenario, the steps where
// it shows, what Wine does, and the evidence. wsaemu-diff does not fail on
// these.
//
// The evidence rule (README, "Evidence: what counts as Windows
// behaviour"): an assertion of Wine's conformance tests that holds on
// Windows (an ok() without todo_wine) outranks the pages. An entry is
// kept only with a todo_wine line, a Wine bug or a Windows observation as
// evidence, named in Evidence (Wine file and test function); an entry
// whose only support is a page says so, starting "evidence: page only,
// unproven". Where Wine's test asserts without todo_wine the very
// behaviour listed here, the emulator was wrong: it is fixed and the entry
// removed.
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
	// Evidence is why Windows is believed to behave otherwise, by the
	// rule above.
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
		`Windows observation, closest available: Wine dlls/ws2_32/tests/sock.c, test_iocp (iocp_async_read_closesocket) marks todo_wine the status a receive pending at closesocket completes with (Windows: STATUS_CONNECTION_ABORTED on TCP), and test_completion_port and test_AcceptEx assert without todo_wine STATUS_CANCELLED (ERROR_OPERATION_ABORTED) for an AcceptEx pending at closesocket. No Wine test asserts the UDP receive's status: the emulator's STATUS_CANCELLED for UDP is the nearest Windows reading, not a proven value`},
	{"closesocket/other-thread.scenario", []string{"GetQueuedCompletionStatus io 0"},
		"the port packet of a receive cancelled by closesocket carries ERROR_HANDLES_CLOSED (676)",
		`as closesocket/pending-event: dlls/ws2_32/tests/sock.c, test_iocp (todo_wine on the close status) and test_completion_port (ERROR_OPERATION_ABORTED for I/O pending at closesocket)`},
	{"completion-routine-wsa/cancel-on-close.scenario", []string{"SleepEx INFINITE alertable"},
		"the completion routine of a receive cancelled by closesocket gets dwError WSAEINVAL (10022)",
		`as closesocket/pending-event: dlls/ws2_32/tests/sock.c, test_iocp (todo_wine on the close status) and test_completion_port (ERROR_OPERATION_ABORTED for I/O pending at closesocket); the routine's dwError follows the status`},
	{"cancel/cancelioex-not-found.scenario", []string{"CancelIoEx p.r"},
		"CancelIoEx(handle, NULL) with nothing pending returns TRUE",
		`Windows observation: Wine dlls/ws2_32/tests/sock.c, test_send_buffering asserts FALSE with ERROR_NOT_FOUND (no todo_wine) for CancelIoEx(handle, NULL) with nothing pending on a socket, and dlls/kernel32/tests/pipe.c, test_blocking_rw asserts ERROR_NOT_FOUND for a request already cancelled; the CancelIoEx page agrees. Wine 8.0 returned TRUE for the pipe in our run`},
	{"closesocket/blocking-call.scenario", []string{"closesocket r"},
		"a blocking receive that closesocket ends fails with WSAEINVAL (STATUS_HANDLES_CLOSED); the scenario accepts any error, the trace check sees the code",
		`as closesocket/pending-event: dlls/ws2_32/tests/sock.c, test_iocp (todo_wine on the close status) and test_completion_port (ERROR_OPERATION_ABORTED for I/O pending at closesocket)`},
	{"wsarecv/thread-exit-windows.scenario", []string{"settle", "WSAGetOverlappedResult r ov1"},
		"the exit of the issuing thread cancels its pending socket receive: the event is signalled, the result is WSA_OPERATION_ABORTED, and the datagram sent later is not received by it",
		`Windows observation: Wine dlls/ws2_32/tests/sock.c, test_iocp (iocp_async_read_thread): a receive whose issuing thread has exited stays pending and later completes with the data, cancellation at thread exit being marked broken() (Windows XP only); Wine 8.0 cancelled it in our run`},

	// Completion routines, ports and events.
	{"iocp/lifo-waiters.scenario", []string{"PostQueuedCompletionStatus io key=1", "PostQueuedCompletionStatus io key=2"},
		"threads waiting on a completion port are released first-in-first-out",
		`Windows observation: Wine dlls/ntdll/tests/sync.c, test_completion_port_scheduling asserts without todo_wine that of two threads waiting in GetQueuedCompletionStatus the one that began waiting last takes the first packet (the other order is marked broken(), before Windows 10); the I/O Completion Ports page agrees (LIFO). Wine 8.0 released them first in, first out in our run`},
	{"iocp/port-closed-while-waiting.scenario", []string{"CloseHandle io"},
		"closing a port does not end a GetQueuedCompletionStatus waiting on it",
		`Windows observation: Wine dlls/ntdll/tests/sync.c, test_completion_port_scheduling asserts without todo_wine that GetQueuedCompletionStatus and GetQueuedCompletionStatusEx waiting on a port that is closed fail with ERROR_ABANDONED_WAIT_0; the GetQueuedCompletionStatus page agrees. Wine 8.0 left the wait blocked in our run`},

	// Stream sockets.
	{"tcp/close-pending-connaborted.scenario", []string{"settle"},
		"closesocket completes a receive pending on a connected stream socket with STATUS_HANDLES_CLOSED (Internal 0x8000000A)",
		`Windows observation: Wine dlls/ws2_32/tests/sock.c, test_iocp (iocp_async_read_closesocket) marks todo_wine the status a receive pending at closesocket completes with on a TCP socket, Windows giving STATUS_CONNECTION_ABORTED (as closesocket/pending-event)`},
	{"tcp/close-abortive.scenario", []string{"WSARecv s b ov1"},
		"after a reset has been reported, a new overlapped receive returns 0 bytes (end of stream) instead of failing",
		`Windows observation: Wine dlls/ws2_32/tests/sock.c, test_tcp_reset asserts without todo_wine that an overlapped WSARecv after the reset fails at once with WSAECONNRESET; Wine 8.0 returned 0 in our run (the test is newer than that release)`},
	{"wine/sock/empty-recv-stream.scenario", []string{"WSARecv s NULL ov1 nullbytes"},
		"an overlapped WSARecv with no buffers (NULL, count 0) on a stream socket pends instead of failing",
		`Windows observation: Wine dlls/ws2_32/tests/sock.c, test_empty_recv asserts without todo_wine WSAEINVAL for WSARecv(client, NULL, 0, NULL, &flags, &overlapped, NULL) on a connected TCP socket; Wine 8.0 returned WSA_IO_PENDING in our run (the test is newer than that release)`},

	// Receives.
	{"wsarecv/unbound-einval.scenario", []string{"WSARecv r b1 ov1", "WSARecv r b1 ov2 routine=cr1"},
		"an overlapped WSARecv on a socket never bound pends (WSA_IO_PENDING) instead of failing",
		`Windows observation: Wine dlls/ws2_32/tests/sock.c, test_connect_udp marks todo_wine the WSAEINVAL that a receive on a never-bound UDP socket fails with on Windows (a non-blocking recv; the overlapped form is not asserted); the WSARecv error table agrees (clause wsarecv.error.einval.unbound)`},
	{"wsarecvmsg/unbound.scenario", []string{"WSARecvMsg r b1 ov1"},
		"an overlapped WSARecvMsg on a socket never bound pends (WSA_IO_PENDING) instead of failing",
		`as wsarecv/unbound-einval: dlls/ws2_32/tests/sock.c, test_connect_udp (todo_wine WSAEINVAL for a receive on a never-bound UDP socket); LPFN_WSARECVMSG error table (clause wsarecvmsg.error.einval.unbound)`},
	{"wsarecvmsg/broadcast-flag.scenario", []string{"WSARecvMsg r b1 NULL"},
		"MSG_BCAST is never set for a datagram sent to the broadcast address",
		`Windows observation: dotnet/runtime, src/libraries/System.Net.Sockets/tests/FunctionalTests/ReceiveMessageFrom.cs, test SendBroadcast_BroadcastFlagIsSetOnReceive (https://github.com/dotnet/runtime/pull/71462), run on Windows only, asserts that a datagram sent to the loopback broadcast address 127.255.255.255 is received with SocketFlags.Broadcast (MSG_BCAST) in the WSARecvMsg flags; the scenario sends to 255.255.255.255, the limited broadcast address, which the WSAMSG page covers the same way (clause wsamsg.flags.bcast). No Wine test asserts MSG_BCAST`},

	// Sends.
	{"wsasend/enotconn.scenario", []string{"WSASend w hi ov1"},
		"WSASend on an unconnected UDP socket fails with WSAEINVAL",
		`Windows observation: Wine dlls/ws2_32/tests/sock.c, test_connect_udp asserts WSAENOTCONN without todo_wine for a send on an unconnected UDP socket; Wine 8.0 answered the overlapped WSASend with WSAEINVAL in our run (clause wsasend.error.enotconn)`},
	{"wsasendmsg/enotconn.scenario", []string{"WSASendMsg w hi NULL"},
		"WSASendMsg with no name on an unconnected UDP socket fails with WSAEINVAL",
		`closest Windows observation: dlls/ws2_32/tests/sock.c, test_connect_udp (a send on an unconnected UDP socket fails with WSAENOTCONN, no todo_wine); for WSASendMsg itself only its error table (clause wsasendmsg.error.enotconn)`},

	// WSAIoctl.
	{"wsaioctl/flush-windows.scenario", []string{"settle"},
		"an overlapped SIO_FLUSH returns WSA_IO_PENDING with its record already failed (STATUS_NOT_SUPPORTED) and never signals its event",
		`partly proven: Wine dlls/ws2_32/tests/sock.c, test_unsupported_ioctls asserts without todo_wine that an overlapped SIO_FLUSH pends and completes with STATUS_NOT_SUPPORTED through the port packet and the routine; the event is not asserted there, and that it is signalled follows from the I/O manager's completion (WSAIoctl page: completion is indicated later; clause wsaioctl.may-pend), unproven by a test`},
	{"wsaioctl/unknown-code-windows.scenario", []string{"settle"},
		"an overlapped WSAIoctl with a code it does not know pends with its record already failed (STATUS_NOT_SUPPORTED) and never signals its event",
		`partly proven, as wsaioctl/flush-windows: Wine dlls/ws2_32/tests/sock.c, test_unsupported_ioctls asserts without todo_wine that such a request pends and completes with STATUS_NOT_SUPPORTED through the port packet and the routine; the event is not asserted there, and that it is signalled follows from the I/O manager's completion (WSAIoctl page), unproven by a test`},

	// getpeername (issue 11, item 4).
	{"wine/formats/getpeername.scenario", []string{"getpeername s nullname nulllen"},
		"getpeername on a socket that is not connected, given NULL name and namelen, fails with WSAEFAULT: Wine 8.0 checks the pointers before the connection",
		"Wine's dlls/ws2_32/tests/sock.c test_getpeername asserts WSAENOTCONN for exactly this call, without todo_wine (so Windows gives it, and current Wine passes it); the installed Wine 8.0 predates that order"},

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
	{"wsarecvmsg/truncated-windows.scenario", []string{"WSARecvMsg r b1 NULL"},
		"a WSARecvMsg without a record that fails with WSAEMSGSIZE for a datagram longer than its buffers leaves the byte count alone (the scenario leaves the count open; the trace check sees it)",
		"as wine/sock/wsarecvmsg-short-control: Wine's dlls/ws2_32/tests/sock.c, test_ip_pktinfo checks under todo_wine the count Windows writes for a WSARecvMsg that fails with WSAEMSGSIZE"},
	{"wsarecvmsg/ctrunc.scenario", []string{"WSARecvMsg r b1 NULL control=8"},
		"a WSARecvMsg that fails with WSAEMSGSIZE for want of control space leaves the byte count alone (the scenario leaves the count open; the trace check sees it)",
		"as wine/sock/wsarecvmsg-short-control: Wine's dlls/ws2_32/tests/sock.c, test_ip_pktinfo checks the count Windows writes under todo_wine"},
	{"wsagetoverlappedresult/recvmsg-flags-windows.scenario", []string{"WSAGetOverlappedResult s1 ov1"},
		"WSAGetOverlappedResult after an overlapped WSARecvMsg writes lpdwFlags (with the record's Offset, 0 here)",
		"Wine's dlls/ws2_32/tests/sock.c, test_ip_pktinfo: the check that lpdwFlags keeps the caller's 0xdeadbeef after the truncated WSARecvMsg is todo_wine (Windows leaves it)"},
	{"wine/sock/wsarecvmsg-short-control-routine.scenario", []string{"WSARecvMsg s1 r ov1 control=1 routine=cr1 nullbytes"},
		"a WSARecvMsg with a routine whose datagram is already queued and truncated returns its error at once instead of WSA_IO_PENDING",
		"Wine's dlls/ws2_32/tests/sock.c, test_ip_pktinfo: ERROR_IO_PENDING is checked under todo_wine (Windows pends)"},
	{"wine/sock/ioctl-routing-interface-query.scenario", []string{"WSAIoctl s SIO_ROUTING_INTERFACE_QUERY value=0 inlen=15 out=16", "WSAIoctl s SIO_ROUTING_INTERFACE_QUERY inlen=16 nullin out=16"},
		"SIO_ROUTING_INTERFACE_QUERY with an input shorter than a SOCKADDR_IN, or a NULL input, fails with WSAEFAULT",
		"Wine's dlls/ws2_32/tests/sock.c, test_sioRoutingInterfaceQuery: the WSAEINVAL of both calls is checked under todo_wine (Windows answers WSAEINVAL; the untouched count is checked without todo_wine and agrees)"},
	{"wine/sock/ioctl-routing-interface-query.scenario", []string{"WSAIoctl s SIO_ROUTING_INTERFACE_QUERY to=0.0.0.0:0"},
		"SIO_ROUTING_INTERFACE_QUERY for the wildcard destination 0.0.0.0 succeeds with a SOCKADDR_IN",
		"Wine's dlls/ws2_32/tests/sock.c, test_sioRoutingInterfaceQuery: the failure, its WSAEINVAL and the untouched count are all checked under todo_wine (Windows refuses it)"},
	{"wine/sock/ioctl-routing-interface-query.scenario", []string{"WSAIoctl s SIO_ROUTING_INTERFACE_QUERY to=127.0.0.1:0 out=15"},
		"SIO_ROUTING_INTERFACE_QUERY with an output one byte short fails with WSAEFAULT but leaves the count alone",
		"Wine's dlls/ws2_32/tests/sock.c, test_sioRoutingInterfaceQuery: the count set to the SOCKADDR_IN size is checked under todo_wine (Windows writes it); the WSAEFAULT is checked without todo_wine and agrees"},
	{"wine/sock/recvfrom-short-fromlen.scenario", []string{"WSARecvFrom p0 r NULL fromlen=1"},
		"a recvfrom whose address length is too small for the sender's address succeeds (and does not write the address)",
		"Wine's dlls/ws2_32/tests/sock.c, test_UDP: the failure (SOCKET_ERROR) is checked under todo_wine; the untouched address buffer is checked without todo_wine and agrees"},
	// Named pipes.
	{"pipes/named-pipe-first-instance.scenario", []string{`CreateNamedPipe h3 \\.\pipe\first first instances=3`},
		"CreateNamedPipe with FILE_FLAG_FIRST_PIPE_INSTANCE on a name that already has instances makes another instance",
		`Windows observation: https://github.com/dotnet/aspnetcore/pull/48609 makes Kestrel create its pipe with FILE_FLAG_FIRST_PIPE_INSTANCE (through https://github.com/dotnet/runtime/pull/83936) so that a second listener on the same name fails with access denied (UnauthorizedAccessException), reported working in the PR and its transport test run on Windows; no Wine test asserts it, and Wine 8.0 ignored the flag in our run`},

	// The extension functions (spec/scenarios/tcp-ext, wine/sock/acceptex-*,
	// connectex*).
	{"wine/sock/acceptex-accept-socket.scenario", []string{"AcceptEx notlistening a b ov", "AcceptEx l bound b ov", "AcceptEx l conn b ov", "AcceptEx l u b ov"},
		"AcceptEx on a socket that does not listen, or into a bound, a connected or a datagram accept socket, pends (ERROR_IO_PENDING) instead of failing",
		"Wine's dlls/ws2_32/tests/sock.c, test_AcceptEx: WSAEINVAL for each of these calls is checked under todo_wine (Windows fails them)"},
	{"wine/sock/acceptex-short-area.scenario", []string{"accept l x"},
		"the connection an AcceptEx failed for want of address space is not left to be accepted",
		"Wine's dlls/ws2_32/tests/sock.c, test_AcceptEx: accept succeeding after the failed AcceptEx is checked under todo_wine (Windows leaves the connection)"},
	{"tcp-ext/connectex-update-context.scenario", []string{"connect c 127.0.0.1:5313", "shutdown c SD_SEND"},
		"on a socket ConnectEx connected, before SO_UPDATE_CONNECT_CONTEXT, connect fails with WSAEISCONN and shutdown succeeds",
		"Wine's dlls/ws2_32/tests/sock.c, test_connect: WSAEINVAL for connect after ConnectEx is checked under todo_wine (Windows gives WSAEINVAL); for shutdown, a Windows observation: Len Holgate's blog post 'Winsock, ConnectEx, shutdown, SO_UPDATE_CONNECT_CONTEXT and WSAENOTCONN' (lenholgate.com, May 2005): shutdown fails with WSAENOTCONN until the option is set"},

	// Stream ioctls (wine/sock/ioctl-*-tcp, ioctl-keepalive-vals).
	{"wine/sock/ioctl-keepalive-vals.scenario", []string{"WSAIoctl s SIO_KEEPALIVE_VALS value=0 inlen=12 ov=ov1"},
		"an overlapped SIO_KEEPALIVE_VALS that succeeds at once writes 0 to lpcbBytesReturned",
		"Wine's dlls/ws2_32/tests/sock.c, test_keepalive_vals: that the count is left untouched (0xdeadbeef) with a record is checked under todo_wine"},
	{"wine/sock/shutdown-send-to-closed-peer.scenario", []string{"WSARecv s b NULL"},
		"after sending to a peer that shut down and closed, the sender's receive reads end of stream (0 bytes) instead of failing",
		"Wine's dlls/ws2_32/tests/sock.c, test_shutdown ('send data to a peer which is closed'): the receive failing (-1) is checked without todo_wine, and its error WSAECONNABORTED under todo_wine"},
}

// FindDeviation returns the entry for a step of a scenario file (the
// step's call as the scenario writes it, without the thread), or nil.
func FindDeviation(file, call string) *Deviation {
	for i := range Deviations {
		if d := &Deviations[i]; keyedTo(d.Scenario, d.Steps, file, call) {
			return d
		}
	}
	return nil
}

// keyedTo reports whether a list entry for scenario (a path below
// spec/scenarios) and steps names the step call of the scenario file.
func keyedTo(scenario string, steps []string, file, call string) bool {
	file = strings.ReplaceAll(file, `\`, "/")
	if file != scenario && !strings.HasSuffix(file, "/"+scenario) {
		return false
	}
	for _, s := range steps {
		if SameCall(s, call) {
			return true
		}
	}
	return false
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
