package spec

// The Microsoft extension functions' pages (AcceptEx,
// GetAcceptExSockaddrs, LPFN_CONNECTEX, LPFN_DISCONNECTEX, TransmitFile,
// LPFN_TRANSMITPACKETS) and the SOL_SOCKET options that go with them.
// Each Text is a paraphrase in our own words; a clause that says what
// Windows does where the page is silent names the Wine test (in
// dlls/ws2_32/tests/sock.c) whose assertion, passing on Windows, shows it.
// The scenarios are under spec/scenarios/tcp-ext and, for the ones taken
// from Wine's tests, spec/scenarios/wine/sock.

const (
	// https://learn.microsoft.com/windows/win32/api/mswsock/nf-mswsock-acceptex
	pgAcceptEx = "AcceptEx"
	// https://learn.microsoft.com/windows/win32/api/mswsock/nf-mswsock-getacceptexsockaddrs
	pgGetAcceptExSockaddrs = "GetAcceptExSockaddrs"
	// https://learn.microsoft.com/windows/win32/api/mswsock/nc-mswsock-lpfn_connectex
	pgConnectEx = "LPFN_CONNECTEX"
	// https://learn.microsoft.com/windows/win32/api/mswsock/nc-mswsock-lpfn_disconnectex
	pgDisconnectEx = "LPFN_DISCONNECTEX"
	// https://learn.microsoft.com/windows/win32/api/mswsock/nf-mswsock-transmitfile
	pgTransmitFile = "TransmitFile"
	// https://learn.microsoft.com/windows/win32/api/mswsock/nc-mswsock-lpfn_transmitpackets
	pgTransmitPackets = "LPFN_TRANSMITPACKETS"
	// https://learn.microsoft.com/windows/win32/winsock/sol-socket-socket-options
	pgSolSocket = "SOL_SOCKET Socket Options"
)

func init() {
	register(
		// ---- AcceptEx ----
		Clause{ID: "acceptex.lookup", Kind: Required, Page: pgAcceptEx,
			Text: "AcceptEx is obtained at run time with WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER) and WSAID_ACCEPTEX; the lookup returns a pointer-sized result. The same holds for GetAcceptExSockaddrs, ConnectEx, DisconnectEx, TransmitFile and TransmitPackets."},
		Clause{ID: "acceptex.pending", Kind: Required, Page: pgAcceptEx,
			Text: "AcceptEx returning FALSE with ERROR_IO_PENDING has started the accept; it completes later through the record (its event, or the listening socket's completion port), and the byte count comes from the completion."},
		Clause{ID: "acceptex.no-receive", Kind: Required, Page: pgAcceptEx,
			Text: "With dwReceiveDataLength 0 the request completes as soon as a connection is accepted, without waiting for data, reporting 0 bytes."},
		Clause{ID: "acceptex.receive-first", Kind: Required, Page: pgAcceptEx,
			Text: "With a receive buffer the request completes only once a connection is accepted and its first data is read into the start of the buffer; the byte count is the data's."},
		Clause{ID: "acceptex.peer-closes", Kind: Required, Page: pgAcceptEx,
			Text: "A client that connects and closes gracefully before sending completes a receive-first AcceptEx with 0 bytes (Wine's test_AcceptEx, 'Disconnect during receive', passes on Windows)."},
		Clause{ID: "acceptex.reset", Kind: Required, Page: pgAcceptEx,
			Text: "WSAECONNRESET: a connection was indicated but the remote peer terminated it before the accept call completed."},
		Clause{ID: "acceptex.connect-time", Kind: Required, Page: pgAcceptEx,
			Text: "getsockopt(SO_CONNECT_TIME) on the accept socket returns 0xFFFFFFFF while no connection is accepted, and the seconds it has been connected once one is, so a connection accepted but silent can be told apart."},
		Clause{ID: "acceptex.accept-socket", Kind: Required, Page: pgAcceptEx,
			Text: "sAcceptSocket must be an open socket that is neither bound nor connected; Windows refuses a bound, a connected and a datagram socket with WSAEINVAL (Wine's test_AcceptEx)."},
		Clause{ID: "acceptex.not-listening", Kind: Required, Page: pgAcceptEx,
			Text: "AcceptEx on a socket that is not listening fails with WSAEINVAL (Wine's test_AcceptEx; Wine itself pends)."},
		Clause{ID: "acceptex.notsock", Kind: Required, Page: pgAcceptEx,
			Text: "An invalid listening or accepting socket fails with WSAENOTSOCK; the record's Internal then already holds STATUS_PENDING (Wine's test_AcceptEx)."},
		Clause{ID: "acceptex.overlapped-required", Kind: Required, Page: pgAcceptEx,
			Text: "lpOverlapped must be given; without it the call fails with ERROR_INVALID_PARAMETER (Wine's test_AcceptEx)."},
		Clause{ID: "acceptex.remote-area", Kind: Required, Page: pgAcceptEx,
			Text: "dwRemoteAddressLength cannot be zero: Windows fails it at once with WSAEFAULT (Wine's test_AcceptEx)."},
		Clause{ID: "acceptex.area-size", Kind: Required, Page: pgAcceptEx,
			Text: "An address area must be 16 bytes larger than the transport's largest SOCKADDR; Windows takes a too-small local area, pends, and fails the request when a client connects with ERROR_INSUFFICIENT_BUFFER (STATUS_BUFFER_TOO_SMALL), 0 bytes (Wine's test_AcceptEx)."},
		Clause{ID: "acceptex.twice", Kind: Required, Page: pgAcceptEx,
			Text: "A socket already being accepted into cannot be given to a second AcceptEx, nor to connect: both fail with WSAEINVAL (Wine's test_AcceptEx)."},
		Clause{ID: "acceptex.update-context", Kind: Required, Page: pgAcceptEx,
			Text: "The accepted socket does not take the listening socket's properties until setsockopt(SO_UPDATE_ACCEPT_CONTEXT) names the listener; before that only a few calls may be made on it (getpeername and shutdown answer WSAENOTCONN here), after it getpeername and getsockname work."},
		Clause{ID: "acceptex.close-accept-socket", Kind: Required, Page: pgAcceptEx,
			Text: "Closing the accept socket forces a pending AcceptEx to complete with an error (ERROR_OPERATION_ABORTED on Windows, Wine's test_AcceptEx); CancelIo on the accept socket does not reach the request, which belongs to the listening socket."},
		Clause{ID: "acceptex.close-accept-socket-connected", Kind: Freedom, Page: pgAcceptEx,
			Text:    "A receiving AcceptEx that has accepted a connection and still waits for its first data, whose accept socket is then closed, fails with 0 bytes and either STATUS_CANCELLED (ERROR_OPERATION_ABORTED) or STATUS_CONNECTION_ABORTED (ERROR_CONNECTION_ABORTED): Wine's dlls/ws2_32/tests/sock.c, test_completion_port, accepts both statuses from Windows, without todo_wine.",
			Profile: "docs: STATUS_CANCELLED, as acceptex.close-accept-socket reads the page; windows: either, a Chooser decision (PointUnsettled)"},
		Clause{ID: "acceptex.close-listener", Kind: Required, Page: pgAcceptEx,
			Text: "Closing the listening socket ends a pending AcceptEx with ERROR_OPERATION_ABORTED (Wine's test_AcceptEx)."},
		Clause{ID: "acceptex.port", Kind: Required, Page: pgAcceptEx,
			Text: "Completion ports report AcceptEx: the packet comes on the listening socket's port, with its key and the record."},
		Clause{ID: "acceptex.reuse", Kind: Required, Page: pgAcceptEx,
			Text: "A socket returned to the open state by TransmitFile with TF_DISCONNECT|TF_REUSE_SOCKET (or DisconnectEx with TF_REUSE_SOCKET) may be passed as sAcceptSocket."},
		Clause{ID: "acceptex.release-while-pending", Kind: Undefined, Page: pgAcceptEx,
			Text:  "The output buffer and the record belong to the request until it completes (so do ConnectEx's and TransmitPackets'); releasing either earlier is a sanitizer finding (wsaoverlapped.release-while-pending).",
			Tests: []string{"emu.TestExtSanitizer"}},
		Clause{ID: "acceptex.once", Kind: Required, Page: pgAcceptEx,
			Text:  "Every AcceptEx and ConnectEx that started completes exactly once, under any schedule (issue 12's property).",
			Tests: []string{"emu.TestExtCompleteOncePropertyRapid"}},

		// ---- GetAcceptExSockaddrs ----
		Clause{ID: "getacceptexsockaddrs.addresses", Kind: Required, Page: pgGetAcceptExSockaddrs,
			Text: "GetAcceptExSockaddrs, given the buffer and the three lengths AcceptEx was given, returns the local and remote SOCKADDRs and their lengths."},

		// ---- ConnectEx ----
		Clause{ID: "connectex.unbound", Kind: Required, Page: pgConnectEx,
			Text: "The socket must be bound first: an unbound socket fails with WSAEINVAL; so does a listening one."},
		Clause{ID: "connectex.send-data", Kind: Required, Page: pgConnectEx,
			Text: "Once the connection is made the send buffer's data is sent; the completion's byte count is the bytes sent (0 without data)."},
		Clause{ID: "connectex.pending", Kind: Required, Page: pgConnectEx,
			Text: "FALSE with ERROR_IO_PENDING means the connect is under way; Windows pends even on loopback, and the record's event or port reports the end (Wine's test_connect)."},
		Clause{ID: "connectex.refused", Kind: Required, Page: pgConnectEx,
			Text: "A connection nobody listens for completes with WSAECONNREFUSED; GetOverlappedResult reports ERROR_CONNECTION_REFUSED (Wine's test_connect)."},
		Clause{ID: "connectex.isconn", Kind: Required, Page: pgConnectEx,
			Text: "ConnectEx on a connected socket fails with WSAEISCONN."},
		Clause{ID: "connectex.overlapped-required", Kind: Required, Page: pgConnectEx,
			Text: "lpOverlapped must be given; without it the call fails with ERROR_INVALID_PARAMETER (Wine's test_connect)."},
		Clause{ID: "connectex.errors", Kind: Required, Page: pgConnectEx,
			Text:  "The error table: WSAENOTSOCK for a handle that is not a socket, WSAEAFNOSUPPORT for an address of another family, WSAEFAULT for a name length too small, WSAEADDRNOTAVAIL for an address that is not valid (the unspecified one).",
			Tests: []string{"emu.TestConnectExErrors"}},
		Clause{ID: "connectex.update-context", Kind: Required, Page: pgConnectEx,
			Text: "The connected socket does not take up previously set properties until setsockopt(SO_UPDATE_CONNECT_CONTEXT); before it Windows answers connect with WSAEINVAL (Wine's test_connect) and shutdown with WSAENOTCONN (Len Holgate's 2005 blog post on ConnectEx and shutdown), after it connect with WSAEISCONN."},

		// ---- DisconnectEx ----
		Clause{ID: "disconnectex.notconn", Kind: Required, Page: pgDisconnectEx,
			Text: "DisconnectEx on a socket that is not connected fails with WSAENOTCONN; on an invalid one with WSAENOTSOCK."},
		Clause{ID: "disconnectex.pending", Kind: Required, Page: pgDisconnectEx,
			Text: "With a record DisconnectEx returns FALSE with ERROR_IO_PENDING and completes with 0 bytes (Wine's test_DisconnectEx)."},
		Clause{ID: "disconnectex.half-close", Kind: Required, Page: pgDisconnectEx,
			Text: "Without TF_REUSE_SOCKET the socket stays connected with its sending side closed: send fails with WSAESHUTDOWN, connect with WSAEISCONN, the peer reads the end of the stream, and data still flows toward the socket (Wine's test_DisconnectEx)."},
		Clause{ID: "disconnectex.sync", Kind: Required, Page: pgDisconnectEx,
			Text: "Without a record DisconnectEx returns TRUE once done; calling it again succeeds too (Wine's test_DisconnectEx)."},
		Clause{ID: "disconnectex.reuse", Kind: Required, Page: pgDisconnectEx,
			Text: "With TF_REUSE_SOCKET the socket can be reused afterwards: it is open, unbound and unconnected, fit for AcceptEx or ConnectEx."},
		Clause{ID: "disconnectex.flags", Kind: Required, Page: pgDisconnectEx,
			Text: "dwFlags other than 0 or TF_REUSE_SOCKET, or a dwReserved that is not 0, fail with WSAEINVAL."},

		// ---- TransmitFile ----
		Clause{ID: "transmitfile.notconn", Kind: Required, Page: pgTransmitFile,
			Text: "TransmitFile on a stream socket that is not connected fails with WSAENOTCONN (Wine's test_TransmitFile)."},
		Clause{ID: "transmitfile.datagram", Kind: Required, Page: pgTransmitFile,
			Text:    "TransmitFile on a datagram socket fails: WSAEINVAL, the error table says.",
			Profile: "docs: WSAEINVAL as the page says; windows: WSAENOTCONN, which Wine's test_TransmitFile asserts without todo_wine (emu.ProfileDifferences)"},
		Clause{ID: "transmitfile.buffers", Kind: Required, Page: pgTransmitFile,
			Text: "The head buffer is sent before the file's data and the tail buffer after it; with no file, head then tail."},
		Clause{ID: "transmitfile.pending", Kind: Required, Page: pgTransmitFile,
			Text: "With a record TransmitFile returns FALSE with ERROR_IO_PENDING and completes with the bytes sent (Wine's test_TransmitFile)."},
		Clause{ID: "transmitfile.disconnect", Kind: Required, Page: pgTransmitFile,
			Text: "TF_DISCONNECT starts a transport-level disconnect after all the data is queued: the peer reads the data, then the end of the stream."},

		Clause{ID: "transmitfile.notsock", Kind: Required, Page: pgTransmitFile,
			Text: "WSAENOTSOCK: hSocket is not a socket (Wine's test_TransmitFile passes INVALID_SOCKET)."},
		Clause{ID: "transmitfile.nothing", Kind: Required, Page: pgTransmitFile,
			Text: "With hFile NULL and no lpTransmitBuffers nothing is sent and the call succeeds (Wine's test_TransmitFile: the peer's non-blocking receive finds nothing)."},
		Clause{ID: "transmitfile.file", Kind: Required, Page: pgTransmitFile,
			Text: "hFile's data is sent between the head and the tail buffers, read sequentially from the handle; nNumberOfBytesToWrite 0 sends the whole file, which for a pipe is everything until its writer closes (the emulator's only file-like handles are pipes: no offsets, so lpOverlapped's Offset is not modelled)."},
		Clause{ID: "transmitfile.bytes-to-write", Kind: Required, Page: pgTransmitFile,
			Text: "The function completes when it has sent nNumberOfBytesToWrite bytes of the file (what follows stays for the handle's next reader), or when an error occurs; data that ends before the count ends the file part there (the page leaves it open; Wine's implementation does the same)."},
		Clause{ID: "transmitfile.bytes-per-send", Kind: Freedom, Page: pgTransmitFile,
			Text: "nNumberOfBytesPerSend is the size of each block sent (0: the provider's default); a stream receiver sees the same bytes whatever the block size."},
		Clause{ID: "transmitfile.file-pending", Kind: Required, Page: pgTransmitFile,
			Text:  "With lpOverlapped the transmission may finish after the call returns: a pipe that has no data yet leaves the request pending (the emulator reads it again when data arrives, after the ReadFile calls already pending on the pipe), and the head and the data read so far are already on their way; the request completes when everything is sent.",
			Tests: []string{"emu.TestTransmitFilePipeToEnd", "emu.TestTransmitPacketsPipe", "emu.TestTransmitFilePipePropertyRapid", "emu.TestTransmitFilePipeBlocking"}},
		Clause{ID: "transmitfile.file-errors", Kind: Required, Page: pgTransmitFile,
			Text:  "A file the system cannot read fails the call at once and sends nothing: a handle that is not a file (STATUS_INVALID_HANDLE, WSAENOTSOCK through ws2_32's mapping), one not opened for reading (STATUS_ACCESS_DENIED, WSAEACCES); the page's table lists no code for these, so the codes are the status mapping's. A handle closed while the request waits on it ends the request with STATUS_INVALID_HANDLE.",
			Tests: []string{"emu.TestTransmitFileErrors", "emu.TestTransmitPacketsPipe"}},
		Clause{ID: "transmitfile.too-long", Kind: Required, Page: pgTransmitFile,
			Text: "WSAEINVAL: nNumberOfBytesToWrite is greater than 2,147,483,646 (the same limit applies to TransmitPackets' total)."},

		// ---- TransmitPackets ----
		Clause{ID: "transmitpackets.memory", Kind: Required, Page: pgTransmitPackets,
			Text: "The memory elements' bytes are sent in the order of the array; with a record the call pends and completes with their total."},
		Clause{ID: "transmitpackets.file", Kind: Required, Page: pgTransmitPackets,
			Text:  "A TP_ELEMENT_FILE element sends cLength bytes read from its hFile (0: the whole file), in the array's order among the memory elements; TP_ELEMENT_FILE and TP_ELEMENT_MEMORY are mutually exclusive (TRANSMIT_PACKETS_ELEMENT), and an element with both is refused with WSAEINVAL.",
			Tests: []string{"emu.TestTransmitPacketsPipe", "emu.TestTransmitFileErrors"}},

		// ---- SOL_SOCKET options ----
		Clause{ID: "sol-socket.connect-time", Kind: Required, Page: pgSolSocket,
			Text: "SO_CONNECT_TIME is the number of seconds a stream socket has been connected, 0xFFFFFFFF when it is not."},
		Clause{ID: "sol-socket.update-accept-context", Kind: Required, Page: pgSolSocket,
			Text: "SO_UPDATE_ACCEPT_CONTEXT, set on a socket AcceptEx accepted with the listening socket as value, updates the socket's context so that the ordinary calls work on it."},
		Clause{ID: "sol-socket.update-connect-context", Kind: Required, Page: pgSolSocket,
			Text: "SO_UPDATE_CONNECT_CONTEXT, set on a socket ConnectEx connected, updates its context so that the ordinary calls work on it."},
	)
}
