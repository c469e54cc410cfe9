package native

import "strings"

// Deviation is a known disagreement between the emulator and Wine where
// Wine is the one that departs from Windows: the step, what Wine does,
// and the evidence (a clause of the pages, or a Windows observation
// recorded in ground-truth.md). wsaemu-diff does not fail on these.
type Deviation struct {
	// Scenario is the file's path below spec/scenarios.
	Scenario string
	// Line is the step's line (0: the whole run).
	Line int
	// What says what Wine does.
	What string
	// Evidence is why Windows behaves otherwise.
	Evidence string
}

// Deviations is the known-deviations list. Keep it short: each entry is
// a Wine bug or limitation, never an emulator bug or an over-specified
// scenario (those are fixed where they are).
var Deviations = []Deviation{
	// Close and cancellation statuses.
	{"closesocket/pending-event.scenario", 18,
		"closesocket completes the pending receive with STATUS_HANDLES_CLOSED (Internal 0x8000000A)",
		"ground-truth.md, Wine 8.0 probes: closesocket completes pending I/O with STATUS_HANDLES_CLOSED; Windows uses STATUS_CANCELLED for UDP (ground-truth.md, Cancellation and close)"},
	{"closesocket/other-thread.scenario", 21,
		"the port packet of a receive cancelled by closesocket carries ERROR_HANDLES_CLOSED (676)",
		"ground-truth.md, Wine 8.0 probes: GetQueuedCompletionStatus sees 676 after closesocket; Windows gives ERROR_OPERATION_ABORTED for UDP"},
	{"completion-routine-wsa/cancel-on-close.scenario", 19,
		"the completion routine of a receive cancelled by closesocket gets dwError WSAEINVAL (10022)",
		"ground-truth.md, Wine 8.0 probes: routines see WSAEINVAL after closesocket; Windows reports WSA_OPERATION_ABORTED"},
	{"cancel/cancelioex-not-found.scenario", 13,
		"CancelIoEx(handle, NULL) with nothing pending returns TRUE",
		"CancelIoEx page: FALSE with ERROR_NOT_FOUND when no request is found; ground-truth.md, Wine 8.0 probes"},
	{"cancel/thread-exit-cancels-read.scenario", 17,
		"a pipe read stays pending after the thread that issued it exits",
		"WSARecv, WSASend and WSAIoctl pages (note): \"All I/O initiated by a given thread is canceled when that thread exits\""},
	{"cancel/thread-exit-cancels-read.scenario", 20,
		"GetOverlappedResult still sees ERROR_IO_INCOMPLETE for the read of the thread that exited",
		"WSARecv, WSASend and WSAIoctl pages (note): \"All I/O initiated by a given thread is canceled when that thread exits\""},
	{"wsarecv/thread-exit-windows.scenario", 20,
		"the exit of the issuing thread cancels its pending socket receive (the event is signalled)",
		"ground-truth.md, Cancellation and close: Vista and later do not cancel socket I/O on thread exit; Wine 8.0 probes: Wine cancels it (STATUS_CANCELLED)"},
	{"wsarecv/thread-exit-windows.scenario", 22,
		"the receive of the exited thread reports WSA_OPERATION_ABORTED",
		"ground-truth.md: Wine cancels socket I/O on thread exit; current Windows does not"},
	{"wsarecv/thread-exit-windows.scenario", 27,
		"the datagram sent later is not received by the cancelled receive",
		"ground-truth.md: Wine cancels socket I/O on thread exit; current Windows does not"},
	{"wsarecvmsg/routine-flags.scenario", 22,
		"the completion routine of a truncated WSARecvMsg gets dwFlags 0, not MSG_TRUNC",
		"ground-truth.md, Wine 8.0 probes: Offset is never written for sockets, so MSG_TRUNC is never reported"},
	{"apc/exit-loses-apcs.scenario", 15,
		"QueueUserAPC to a thread that has exited returns TRUE",
		"QueueUserAPC page: queuing to a thread that is being terminated fails with ERROR_GEN_FAILURE (31)"},

	// Completion routines and ports.
	{"completion-routine-wsa/not-nested.scenario", 29,
		"an alertable wait inside one socket's completion routine runs that socket's next routine (nested, depth 2)",
		"WSARecv page: \"For a given socket, I/O completion routines will not be nested\""},
	{"iocp/lifo-waiters.scenario", 15,
		"threads waiting on a completion port are released first-in-first-out",
		"IO-Completion-Ports page: waiting threads are released in last-in-first-out (LIFO) order"},
	{"iocp/lifo-waiters.scenario", 19,
		"threads waiting on a completion port are released first-in-first-out",
		"IO-Completion-Ports page: waiting threads are released in last-in-first-out (LIFO) order"},
	{"iocp/port-closed-while-waiting.scenario", 12,
		"closing a port does not end a GetQueuedCompletionStatus waiting on it",
		"GetQueuedCompletionStatus page: the wait fails with ERROR_ABANDONED_WAIT_0 and *lpOverlapped NULL when the port is closed"},
	{"tour/03-more-data-routine.scenario", 34,
		"the completion routine of a short message-pipe read gets dwErrorCode ERROR_MORE_DATA (234)",
		"ground-truth.md, Pipes: on Windows the routine sees dwErrorCode 0 while GetOverlappedResult fails with ERROR_MORE_DATA"},

	// WSARecvMsg / WSASendMsg / WSAIoctl.
	{"wsarecvmsg/truncated.scenario", 19,
		"MSG_TRUNC is never set in the WSAMSG flags of a truncated datagram",
		"ground-truth.md, Wine 8.0 probes: Offset is never written for sockets, so MSG_TRUNC is never reported; Windows sets MSG_TRUNC (WSARecvMsg page)"},
	{"wsarecvmsg/extension-pointer.scenario", 19,
		"SIO_GET_EXTENSION_FUNCTION_POINTER succeeds with a 4-byte output buffer (the size is not checked)",
		"ground-truth.md, Wine 8.0 probes: the output buffer size is not checked; WSAIoctl page: WSAEFAULT when the output buffer is too small"},
	{"wsasendmsg/flags.scenario", 15,
		"WSASendMsg accepts MSG_PEEK (only MSG_OOB is refused)",
		"ground-truth.md, Wine 8.0 probes: WSASendMsg is permissive; WSASendMsg page: flags other than MSG_DONTROUTE, MSG_PARTIAL, MSG_OOB give WSAEOPNOTSUPP"},
	{"wsasendmsg/flags.scenario", 18,
		"WSASendMsg accepts MSG_PARTIAL on a datagram socket",
		"ground-truth.md, Wine 8.0 probes: WSASendMsg is permissive (only MSG_OOB refused)"},
	{"wsasendmsg/flags.scenario", 24,
		"the datagrams of the accepted MSG_PEEK and MSG_PARTIAL sends are queued, so FIONREAD is not 0",
		"follows from the two entries above (ground-truth.md: WSASendMsg is permissive)"},
	{"wsasendmsg/efault-control.scenario", 12,
		"WSASendMsg ignores the control buffer, so a NULL Control.buf with a length is not refused",
		"ground-truth.md, Wine 8.0 probes: control data on send is ignored; WSASendMsg page: WSAEFAULT for a control buffer outside the address space"},
	{"wsasendmsg/efault-control.scenario", 15,
		"the send that should have failed completed, so its event is signalled",
		"follows from the entry above (ground-truth.md: control data on send is ignored)"},
	{"wsasendmsg/pktinfo-source.scenario", 16,
		"IP_PKTINFO control data on send does not choose the source address",
		"ground-truth.md, Wine 8.0 probes: IP_PKTINFO control data on send is ignored; WSASendMsg page: IP_PKTINFO sets the source address"},
}

// FindDeviation returns the entry for a step of a scenario file, or nil.
func FindDeviation(file string, line int) *Deviation {
	file = strings.ReplaceAll(file, `\`, "/")
	for i := range Deviations {
		d := &Deviations[i]
		if d.Line == line && (file == d.Scenario || strings.HasSuffix(file, "/"+d.Scenario)) {
			return d
		}
	}
	return nil
}
