package spec

// The stream-socket (TCP) pages: listen, accept, connect, shutdown and
// closesocket, and what WSARecv and WSASend say of byte-stream sockets.
// Each Text is a paraphrase in our own words; each scenario that lists a
// clause is under spec/scenarios/tcp or spec/scenarios/wine/sock.

const (
	// https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-listen
	pgListen = "listen"
	// https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-accept
	pgAccept = "accept"
	// https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-connect
	pgConnect = "connect"
	// https://learn.microsoft.com/windows/win32/api/winsock/nf-winsock-shutdown
	pgShutdown = "shutdown"
	// https://learn.microsoft.com/windows/win32/api/winsock/nf-winsock-closesocket
	pgClosesocket = "closesocket"
)

func init() {
	register(
		// ---- bind ----
		// https://learn.microsoft.com/windows/win32/api/winsock/nf-winsock-bind
		Clause{ID: "bind.stream.addrinuse", Kind: Required, Page: "bind",
			Text: "A second stream socket bound to the address and port a stream socket holds fails with WSAEADDRINUSE; TCP and UDP ports are separate, so a datagram socket may take the same port."},

		// ---- listen ----
		Clause{ID: "listen.unbound", Kind: Required, Page: pgListen,
			Text: "listen on a socket that was never bound fails with WSAEINVAL."},
		Clause{ID: "listen.not-stream", Kind: Required, Page: pgListen,
			Text: "listen on a socket whose type does not take connections (a datagram socket) fails with WSAEOPNOTSUPP."},
		Clause{ID: "listen.isconn", Kind: Required, Page: pgListen,
			Text: "listen on a socket that is already connected fails with WSAEISCONN."},
		Clause{ID: "listen.backlog-full", Kind: Required, Page: pgListen,
			Text: "Once as many connections wait to be accepted as the backlog allows, a further connect is refused: the client gets WSAECONNREFUSED."},

		// ---- accept ----
		Clause{ID: "accept.new-socket", Kind: Required, Page: pgAccept,
			Text: "accept returns a new socket for the oldest waiting connection; addr receives the peer's address and addrlen its length. The new socket is the one the connection's data flows over; the listener keeps listening."},
		Clause{ID: "accept.same-properties", Kind: Required, Page: pgAccept,
			Text: "The accepted socket has the listening socket's properties: one made with WSA_FLAG_OVERLAPPED accepts sockets whose operations may be overlapped."},
		Clause{ID: "accept.wouldblock", Kind: Required, Page: pgAccept,
			Text: "On a non-blocking socket with no connection waiting, accept fails with WSAEWOULDBLOCK."},
		Clause{ID: "accept.blocks", Kind: Required, Page: pgAccept,
			Text: "On a blocking socket with no connection waiting, accept waits until one arrives."},
		Clause{ID: "accept.not-listening", Kind: Required, Page: pgAccept,
			Text: "accept on a socket that is not listening fails with WSAEINVAL."},
		Clause{ID: "accept.efault", Kind: Required, Page: pgAccept,
			Text: "An addrlen too small for the peer's address fails with WSAEFAULT."},

		// ---- connect ----
		Clause{ID: "connect.stream.connected", Kind: Required, Page: pgConnect,
			Text: "connect on a stream socket makes a connection to the listening socket at the address; getpeername then names it, and the socket is bound implicitly if it was not."},
		Clause{ID: "connect.refused", Kind: Required, Page: pgConnect,
			Text: "A connection attempt nobody listens for is rejected: WSAECONNREFUSED."},
		Clause{ID: "connect.isconn", Kind: Required, Page: pgConnect,
			Text: "connect on a stream socket that is already connected fails with WSAEISCONN."},
		Clause{ID: "connect.addrnotavail", Kind: Required, Page: pgConnect,
			Text: "The unspecified address (ADDR_ANY) is not a valid address to connect to: WSAEADDRNOTAVAIL."},
		Clause{ID: "connect.nonblocking", Kind: Required, Page: pgConnect,
			Text: "On a non-blocking socket connect returns SOCKET_ERROR with WSAEWOULDBLOCK and the connection is completed later; a second connect while it is under way is WSAEALREADY, and once it is made WSAEISCONN."},

		// ---- shutdown ----
		Clause{ID: "shutdown.send", Kind: Required, Page: pgShutdown,
			Text: "SD_SEND forbids further sends (WSAESHUTDOWN); for TCP a FIN follows the data already sent, so the peer reads the data and then a zero-byte receive."},
		Clause{ID: "shutdown.receive", Kind: Required, Page: pgShutdown,
			Text: "SD_RECEIVE forbids further receives (WSAESHUTDOWN); SD_BOTH forbids both directions."},
		Clause{ID: "shutdown.notconn", Kind: Required, Page: pgShutdown,
			Text: "shutdown on a stream socket that is not connected (a listening one included) fails with WSAENOTCONN."},
		Clause{ID: "shutdown.pending-recv-fin", Kind: Required, Page: pgShutdown,
			Text: "A receive already pending on the peer completes with 0 bytes when the FIN arrives (Wine's sock.c test_shutdown, which passes on Windows)."},

		// ---- closesocket ----
		Clause{ID: "closesocket.graceful", Kind: Required, Page: pgClosesocket,
			Text: "By default (SO_DONTLINGER) closesocket returns at once and closes gracefully: data already sent still reaches the peer, which then reads end of stream (a zero-byte receive)."},
		Clause{ID: "closesocket.abortive", Kind: Required, Page: pgClosesocket,
			Text: "With SO_LINGER on and a zero timeout, closesocket resets the connection: the peer's pending and later receives and sends fail with WSAECONNRESET."},
		Clause{ID: "closesocket.reset-status", Kind: Required, Page: pgClosesocket,
			Text: "A receive pending on the peer of a reset connection ends with 0 bytes and STATUS_CONNECTION_RESET in its status block, which WSAGetOverlappedResult reports as WSAECONNRESET and GetOverlappedResult as ERROR_NETNAME_DELETED (Wine's sock.c test_WSARecv, which passes on Windows)."},
		Clause{ID: "closesocket.stream-pending-aborted", Kind: Required, Page: pgClosesocket,
			Text: "Overlapped operations pending on the stream socket being closed are cancelled: they complete with WSA_OPERATION_ABORTED."},
		Clause{ID: "closesocket.linger-option", Kind: Required, Page: pgClosesocket,
			Text: "SO_LINGER reads back as set (l_onoff, l_linger), and SO_DONTLINGER reads as its negation."},
		Clause{ID: "closesocket.linger-timeout", Kind: Required, Page: pgClosesocket,
			Text: "With SO_LINGER on and a non-zero timeout, closesocket on a blocking socket waits until the data already sent has gone or the timeout passes; when the data has gone the close is graceful."},
		Clause{ID: "closesocket.linger-timeout-reset", Kind: Required, Page: pgClosesocket,
			Text: "When the linger timeout passes with data still unsent, the connection is reset (a hard close) before closesocket returns; the peer's calls then fail with WSAECONNRESET."},
		Clause{ID: "closesocket.linger-nonblocking", Kind: Required, Page: pgClosesocket,
			Text: "With SO_LINGER on and a non-zero timeout, closesocket on a non-blocking socket that cannot close at once (data unsent) fails with WSAEWOULDBLOCK and leaves the socket open."},

		// ---- WSARecv, WSASend on stream sockets ----
		// https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-wsarecv
		Clause{ID: "wsarecv.stream.fill", Kind: Required, Page: "WSARecv",
			Text: "On a byte-stream socket data is placed into the buffers, in order, until they are full or the data held is exhausted; one receive may take bytes of several sends, and several receives one send's bytes."},
		Clause{ID: "wsarecv.stream.split", Kind: Freedom, Page: "WSARecv",
			Text:  "A stream keeps no message boundaries: a receive may complete with fewer bytes than are on their way (any split of the stream is permitted); the emulator's Chooser picks it at PointSplit.",
			Tests: []string{"emu.TestTCPSplitsPreserveTheStream"}},
		Clause{ID: "wsarecv.stream.reset-anytime", Kind: Freedom, Page: "WSARecv",
			Text:  "The network may reset a connection at any point of its life (WSARecv's and WSASend's error tables list WSAECONNRESET and WSAECONNABORTED); every request pending on either end then ends, exactly once, and later calls fail. The emulator's Chooser injects such resets at PointReset when asked to (explore -resets, emu.WithResets).",
			Tests: []string{"emu.TestTCPInjectedResetEndsEveryPendingRequest", "emu.TestInjectedResetEndsBothEnds", "emu.TestResetNotAskedWithoutWithResets"}},
		Clause{ID: "wsarecv.stream.posting-order", Kind: Required, Page: "WSARecv",
			Text: "Several receives pending on a stream socket are filled in the order they were posted (Wine's sock.c test_simultaneous_async_recv, which passes on Windows)."},
		Clause{ID: "wsarecv.stream.eof", Kind: Required, Page: "WSARecv",
			Text: "Once the peer has closed gracefully and the data is read, a receive completes at once with 0 bytes."},
		Clause{ID: "wsarecv.stream.reset", Kind: Required, Page: "WSARecv",
			Text: "A receive on a connection the peer reset fails with WSAECONNRESET."},
		Clause{ID: "wsarecv.stream.notconn", Kind: Required, Page: "WSARecv",
			Text: "A receive on a stream socket that is not connected fails with WSAENOTCONN."},
		Clause{ID: "wsarecv.stream.peek", Kind: Required, Page: "WSARecv",
			Text: "MSG_PEEK copies the data into the buffers and leaves it queued: the next receive gets it again."},
		Clause{ID: "wsarecv.stream.oob", Kind: Required, Page: "WSARecv",
			Text: "MSG_OOB reads urgent data, apart from the normal stream (one byte per urgent send, Wine's sock.c test_fionread_siocatmark); with SO_OOBINLINE set the urgent data is read in line and MSG_OOB fails with WSAEINVAL."},
		Clause{ID: "wsaioctl.siocatmark", Kind: Required, Page: "Winsock IOCTLs",
			Text: "SIOCATMARK reports TRUE when no urgent data waits to be read and FALSE while some does; FIONREAD counts the normal data only, unless SO_OOBINLINE is set (Wine's sock.c test_fionread_siocatmark, which passes on Windows where it has no todo_wine)."},
		Clause{ID: "wsarecv.stream.waitall", Kind: Required, Page: "WSARecv",
			Text: "MSG_WAITALL completes only when the buffers are full, the connection is closed, or the request is cancelled or fails."},
		// https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-wsasend
		Clause{ID: "wsasend.stream.pends", Kind: Required, Page: "WSASend",
			Text: "An overlapped send on a stream socket whose data the buffers cannot take pends, and completes with the whole count once the peer has read enough (Wine's sock.c test_send, which passes on Windows)."},
		Clause{ID: "wsasend.stream.shutdown", Kind: Required, Page: "WSASend",
			Text: "A send after shutdown(SD_SEND) fails with WSAESHUTDOWN."},
		Clause{ID: "wsasend.stream.reset", Kind: Required, Page: "WSASend",
			Text: "A send on a connection the peer reset fails at once with WSAECONNRESET."},
		Clause{ID: "wsasend.stream.notconn", Kind: Required, Page: "WSASend",
			Text: "A send on a stream socket that is not connected fails with WSAENOTCONN."},
	)
}
