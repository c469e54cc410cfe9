package bugs

import "github.com/wsaemu/wsaemu/emu"

// A reset taken for an end of stream: the pending receive of a connection
// the peer reset completes with 0 bytes and an error, and the program that
// looks at the byte count first reads it as a graceful close.
//
// On a stream socket a receive that completes with 0 bytes and no error is
// the peer's graceful close (FIN): everything the peer sent has arrived.
// A reset (RST, here the peer's abortive close: SO_LINGER on, timeout 0)
// is not: it completes a pending receive with 0 bytes too, but as a
// failure, STATUS_CONNECTION_RESET in the status block, which
// GetQueuedCompletionStatus returns as FALSE with ERROR_NETNAME_DELETED
// (and WSAGetOverlappedResult as WSAECONNRESET). A server that tests the
// byte count of a dequeued packet before the call's result takes the
// broken connection for a finished one, and acts on a request it only got
// half of. A reset that comes while no receive is pending is seen
// differently: the next WSARecv fails at once with WSAECONNRESET, which
// the same server does handle. Which of the two happens is a matter of
// timing, so the bug hides.
//
// Real projects: cppalliance/corosio issue #304 (fixed by pull request
// #319), an Asio-style IOCP backend that turned ERROR_NETNAME_DELETED from
// a peer's reset into the error it uses for a local cancel, so that a
// broken connection looked like a deliberate, harmless end; Zig's std
// (ziglang/zig pull request #19064) and nim-chronos (status-im/nim-chronos
// pull request #460) had to learn that ERROR_NETNAME_DELETED on a socket
// is the peer's reset.
//
// Clauses: closesocket.reset-status, wsarecv.stream.reset,
// closesocket.abortive.

// netnameRequest is what the client sends before it gives up on the
// connection: the first half of a request whose end never comes.
const netnameRequest = "PUT half"

// NetnameBuggy collects a request from a connection through a completion
// port and commits it when the stream ends; it tests the packet's byte
// count before the call's result.
func NetnameBuggy(t *emu.Thread, v *Verdict) {
	netnameServer(t, v, func(err error, n uint32) (data, eof bool) {
		if n == 0 {
			// BUG: 0 bytes is taken for the end of the stream without
			// looking at err: a reset reads as a graceful close.
			return false, true
		}
		return err == nil, false
	})
}

// NetnameFixed looks at the call's result first: a packet taken with a
// failure is the receive's failure, whatever its byte count.
func NetnameFixed(t *emu.Thread, v *Verdict) {
	netnameServer(t, v, func(err error, n uint32) (data, eof bool) {
		if err != nil {
			return false, false // the connection broke: no end of stream
		}
		return n > 0, n == 0
	})
}

// netnameServer accepts one connection and reads it through a completion
// port until classify says the stream ended (commit what came) or failed
// (drop it). The client, on its own thread, sends half a request and then
// resets the connection: the server must never commit.
func netnameServer(t *emu.Thread, v *Verdict, classify func(err error, n uint32) (data, eof bool)) {
	l, c, s, ok := tcpAccepted(t, v)
	if !ok {
		return
	}
	port, err := t.CreateIoCompletionPort(emu.INVALID_HANDLE_VALUE, 0, 0, 0)
	if !v.setup("CreateIoCompletionPort", err) || !associate(t, v, s, port, 1) {
		return
	}
	ov := &emu.Overlapped{}
	buf := make([]byte, 64)
	var got []byte
	post := func() bool {
		var n, fl uint32
		err := t.WSARecv(s, buf1(buf), &n, &fl, ov, nil)
		if pendingOK(err) {
			return true // the packet reports it, even an immediate success
		}
		// A failure at once posts no packet: the connection is broken.
		return false
	}
	var client emu.Handle
	if post() {
		client = spawn(t, v, func(t *emu.Thread) {
			sendAll(t, v, c, netnameRequest)
			abortiveClose(t, v, c)
		})
		for {
			var n uint32
			var key uintptr
			var pkt *emu.Overlapped
			err := t.GetQueuedCompletionStatus(port, &n, &key, &pkt, emu.INFINITE)
			if pkt != ov {
				v.Breakf("GetQueuedCompletionStatus: no packet for the receive (%v)", err)
				break
			}
			data, eof := classify(err, n)
			if eof {
				v.Breakf("committed %q from a connection the client reset", got)
				break
			}
			if !data {
				break // the connection broke: the request is dropped
			}
			got = append(got, buf[:n]...)
			if !post() {
				break
			}
		}
	} else {
		v.Breakf("setup: the first receive failed at once")
		abortiveClose(t, v, c)
	}
	join(t, v, client)
	t.ReleaseOverlapped(ov)
	t.ReleaseBuffer(buf)
	t.Closesocket(s)
	t.Closesocket(l)
	t.CloseHandle(port)
}
