package spec

// The readiness pages: WSAEventSelect, WSAEnumNetworkEvents, WSAPoll and
// select. Each Text is a paraphrase in our own words; the scenarios that
// list the clauses are under spec/scenarios/readiness and
// spec/scenarios/wine/sock.

const (
	// https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-wsaeventselect
	pgWSAEventSelect = "WSAEventSelect"
	// https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-wsaenumnetworkevents
	pgWSAEnumNetworkEvents = "WSAEnumNetworkEvents"
	// https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-wsapoll
	pgWSAPoll = "WSAPoll"
	// https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-select
	pgSelect = "select"
)

func init() {
	register(
		// ---- WSAEventSelect ----
		Clause{ID: "wsaeventselect.records-sets-event", Kind: Required, Page: pgWSAEventSelect,
			Text: "When a network event of the selected mask occurs, it is recorded for the socket and the event object given is set."},
		Clause{ID: "wsaeventselect.already-holds", Kind: Required, Page: pgWSAEventSelect,
			Text: "A network event whose condition already holds when WSAEventSelect or the event's re-enabling function is called is recorded at once (data still queued after a receive records FD_READ again)."},
		Clause{ID: "wsaeventselect.fd-read-reenable", Kind: Required, Page: pgWSAEventSelect,
			Text: "Once FD_READ is recorded, more data records nothing until a receive (recv, recvfrom, WSARecv, WSARecvFrom, WSARecvMsg) re-enables it.", Tests: []string{"emu.TestEventSelectFDReadNeitherLostNorInvented"}},
		Clause{ID: "wsaeventselect.fd-write-at-once", Kind: Required, Page: pgWSAEventSelect,
			Text: "FD_WRITE is recorded when it is selected on a socket that can send (a datagram socket, a connected stream socket), and when a connect succeeds."},
		Clause{ID: "wsaeventselect.fd-write-wouldblock", Kind: Required, Page: pgWSAEventSelect,
			Text: "FD_WRITE is re-enabled only by a send that failed with WSAEWOULDBLOCK; it is recorded again when sending becomes possible.", Tests: []string{"emu.TestEventSelectFDWriteAfterWouldBlock"}},
		Clause{ID: "wsaeventselect.fd-oob", Kind: Required, Page: pgWSAEventSelect,
			Text:      "FD_OOB is recorded when out-of-band data arrives, and re-enabled by a receive with MSG_OOB.",
			Uncovered: "the in-memory network carries no out-of-band data (MSG_OOB is refused), so FD_OOB is never recorded"},
		Clause{ID: "wsaeventselect.fd-accept-reenable", Kind: Required, Page: pgWSAEventSelect,
			Text: "FD_ACCEPT is recorded when a connection waits to be accepted, and re-enabled by accept (or WSAAccept), which records it again when another connection is waiting."},
		Clause{ID: "wsaeventselect.fd-connect", Kind: Required, Page: pgWSAEventSelect,
			Text: "A non-blocking connect on a socket that selected FD_CONNECT fails with WSAEWOULDBLOCK; when the connection is made FD_CONNECT is recorded with error 0."},
		Clause{ID: "wsaeventselect.fd-connect-error", Kind: Required, Page: pgWSAEventSelect,
			Text: "A connect that fails records FD_CONNECT with the failure's error (WSAECONNREFUSED when nothing listens)."},
		Clause{ID: "wsaeventselect.fd-close-graceful", Kind: Required, Page: pgWSAEventSelect,
			Text: "The peer's graceful close (or shutdown SD_SEND) records FD_CLOSE with error 0 once the data before it has been read; FD_CLOSE has no re-enabling function."},
		Clause{ID: "wsaeventselect.fd-close-reset", Kind: Required, Page: pgWSAEventSelect,
			Text: "A connection reset by the peer records FD_CLOSE with WSAECONNRESET."},
		Clause{ID: "wsaeventselect.nonblocking", Kind: Required, Page: pgWSAEventSelect,
			Text: "WSAEventSelect makes the socket non-blocking: a receive with nothing queued fails with WSAEWOULDBLOCK."},
		Clause{ID: "wsaeventselect.fionbio-einval", Kind: Required, Page: pgWSAEventSelect,
			Text: "While a WSAEventSelect mask is set, ioctlsocket(FIONBIO) making the socket blocking fails with WSAEINVAL."},
		Clause{ID: "wsaeventselect.zero-mask", Kind: Required, Page: pgWSAEventSelect,
			Text: "WSAEventSelect with lNetworkEvents 0 ends the selection; the socket stays non-blocking until FIONBIO makes it blocking, which then succeeds."},
		Clause{ID: "wsaeventselect.accepted-inherits", Kind: Required, Page: pgWSAEventSelect,
			Text: "A socket accepted from a listening socket that selected events has the same selection (event object and mask).", Tests: []string{"emu.TestEventSelectAcceptedInherits"}},
		Clause{ID: "wsaeventselect.replaces", Kind: Required, Page: pgWSAEventSelect,
			Text: "A second WSAEventSelect on a socket replaces the first: only the new mask's events are recorded, with the new event object."},

		// ---- WSAEnumNetworkEvents ----
		Clause{ID: "wsaenumnetworkevents.clears-resets", Kind: Required, Page: pgWSAEnumNetworkEvents,
			Text: "WSAEnumNetworkEvents reports the network events recorded since the last call, with an error code for each, clears them, and resets the event object it is given (none when hEventObject is NULL)."},

		// ---- WSAPoll ----
		Clause{ID: "wsapoll.rdnorm-wrnorm", Kind: Required, Page: pgWSAPoll,
			Text: "revents holds POLLRDNORM when data can be read without blocking and POLLWRNORM when data can be written; only the bits asked for in events (and POLLERR, POLLHUP, POLLNVAL) are reported; the count returned is of entries with revents."},
		Clause{ID: "wsapoll.negative-fd", Kind: Required, Page: pgWSAPoll,
			Text: "An entry whose fd is negative is ignored: its revents is 0 and it is not counted."},
		Clause{ID: "wsapoll.timeout", Kind: Required, Page: pgWSAPoll,
			Text: "With nothing ready WSAPoll returns 0 at once for timeout 0, waits up to timeout milliseconds for a positive one and returns 0 when it runs out, and waits for ever for a negative one."},
		Clause{ID: "wsapoll.wakes", Kind: Required, Page: pgWSAPoll,
			Text: "A WSAPoll waiting returns as soon as one of its entries becomes ready."},
		Clause{ID: "wsapoll.listen", Kind: Required, Page: pgWSAPoll,
			Text: "A listening socket with a connection waiting to be accepted reports POLLRDNORM."},
		Clause{ID: "wsapoll.hup", Kind: Required, Page: pgWSAPoll,
			Text: "A stream socket whose connection the peer ended or reset reports POLLHUP, whether or not events asked for it."},

		// ---- select ----
		Clause{ID: "select.einval", Kind: Required, Page: pgSelect,
			Text: "select with every set NULL or empty fails with WSAEINVAL."},
		Clause{ID: "select.notsock", Kind: Required, Page: pgSelect,
			Text: "select with a set holding something that is not a socket fails with WSAENOTSOCK."},
		Clause{ID: "select.readable-writable", Kind: Required, Page: pgSelect,
			Text: "On return readfds holds the sockets with data to receive (or the end of the connection) and writefds those that can send; the count is of sockets left in the three sets."},
		Clause{ID: "select.listen-readable", Kind: Required, Page: pgSelect,
			Text: "A listening socket is in readfds when a connection is waiting, so accept will not block."},
		Clause{ID: "select.connect", Kind: Required, Page: pgSelect,
			Text: "After a non-blocking connect the socket is in writefds once the connection succeeded, and in exceptfds if it failed."},
		Clause{ID: "select.larger-set", Kind: Required, Page: pgSelect,
			Text: "FD_SETSIZE, 64 by default, may be defined larger before Winsock2.h is included; select then takes sets of that many sockets: it reads fd_count entries, more than 64 included."},
		Clause{ID: "select.timeout", Kind: Required, Page: pgSelect,
			Text: "A timeval of zero makes select return at once (0 with nothing ready); a positive one makes it wait up to that long; NULL waits until a socket is ready."},
	)
}
