package bugs

import (
	"encoding/binary"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/provider"
)

// An AcceptEx that fails because its client reset the connection, taken
// for a failure of the listener: the server stops accepting.
//
// AcceptEx completes with an error that belongs to the connection it took,
// not to the listening socket: a client that connects and then resets
// (here an abortive close, SO_LINGER on with a zero timeout) before the
// request has finished makes it fail with STATUS_CONNECTION_RESET, which
// WSAGetOverlappedResult reports as WSAECONNRESET and GetOverlappedResult
// or a completion port as ERROR_NETNAME_DELETED. The listener is fine; the
// right answer is to drop that accept socket and post the next AcceptEx.
// A server whose accept loop ends on any error shuts its door on every
// later client. Whether the reset hits a request at all is timing: a
// connection reset while it still waits in the backlog, before any
// AcceptEx took it, is dropped without a word, and the server never
// notices.
//
// Real projects: CPython's asyncio proactor closed its listening socket
// on ERROR_NETNAME_DELETED from AcceptEx (python/cpython issue #93821);
// Cap'n Proto's Win32 listener failed the whole accept loop the same way
// (capnproto/capnproto pull request #2773). Go's net package has long
// retried AcceptEx after ERROR_NETNAME_DELETED and WSAECONNRESET for this
// reason (FD.Accept in src/internal/poll/fd_windows.go and the comment
// there).
//
// Clauses: acceptex.reset, acceptex.receive-first, closesocket.abortive.

const acceptResetReply = "welcome"

// AcceptResetBuggy returns from its accept loop on the first failed
// AcceptEx.
func AcceptResetBuggy(t *emu.Thread, v *Verdict) { acceptResetRun(t, v, false) }

// AcceptResetFixed drops the accept socket of a failed AcceptEx and posts
// another; it stops only when it has served its client.
func AcceptResetFixed(t *emu.Thread, v *Verdict) { acceptResetRun(t, v, true) }

// acceptResetRun: the main thread plays two clients, the server runs on a
// thread of its own. Client 1 connects and resets at once; client 2 sends
// a request and must get the reply. The server's AcceptEx asks for the
// first data with the connection (a receive length of 16); the request
// ends with client 2's end of stream.
func acceptResetRun(t *emu.Thread, v *Verdict, retry bool) {
	if !startup(t, v) {
		return
	}
	l, addr, ok := tcpListener(t, v)
	if !ok {
		return
	}
	server := spawn(t, v, func(t *emu.Thread) { acceptResetServer(t, v, l, retry) })
	if c1, ok := tcpConnect(t, v, addr); ok {
		abortiveClose(t, v, c1)
	}
	c2, err := t.Socket(provider.AF_INET, provider.SOCK_STREAM, provider.IPPROTO_TCP)
	if v.setup("socket", err) {
		if err := t.Connect(c2, &addr, provider.SizeofSockaddrInet4); err != nil {
			v.Breakf("client 2 could not connect (%v): the server stopped accepting", err)
		} else {
			sendAll(t, v, c2, "hello")
			v.setup("shutdown", t.Shutdown(c2, provider.SD_SEND))
			if got, err := recvAll(t, c2); got != acceptResetReply {
				v.Breakf("client 2 got %q (%v), want the reply %q: the server stopped accepting", got, err, acceptResetReply)
			}
		}
		t.Closesocket(c2)
	}
	join(t, v, server)
}

// acceptResetServer posts AcceptEx on l until it has served one client
// (or, without retry, until one fails), then closes l.
func acceptResetServer(t *emu.Thread, v *Verdict, l emu.SOCKET, retry bool) {
	defer t.Closesocket(l)
	ev, err := t.WSACreateEvent()
	if !v.setup("WSACreateEvent", err) {
		return
	}
	defer t.WSACloseEvent(ev)
	ov := &emu.Overlapped{HEvent: ev}
	defer t.ReleaseOverlapped(ov)
	const recvLen, area = 16, provider.SizeofSockaddrInet6 + 16
	buf := make([]byte, recvLen+2*area)
	defer t.ReleaseBuffer(buf)
	for {
		a, ok := tcpSocket(t, v, false)
		if !ok {
			return
		}
		var n, fl uint32
		if err := t.AcceptEx(l, a, buf, recvLen, area, area, &n, ov); !pendingOK(err) {
			v.Breakf("AcceptEx: %v", err)
			t.Closesocket(a)
			return
		}
		if err := t.WSAGetOverlappedResult(l, ov, &n, true, &fl); err != nil {
			t.Closesocket(a)
			if retry {
				// The connection failed, not the listener.
				continue
			}
			// BUG: the accept loop ends on any error.
			return
		}
		lv := binary.LittleEndian.AppendUint64(nil, uint64(l))
		v.setup("SO_UPDATE_ACCEPT_CONTEXT", t.Setsockopt(a, provider.SOL_SOCKET, provider.SO_UPDATE_ACCEPT_CONTEXT, lv))
		// A byte stream: the first data may be any part of the request,
		// which ends with the client's end of stream.
		rest, err := recvAll(t, a)
		if req := string(buf[:n]) + rest; err != nil || req != "hello" {
			v.Breakf("the server got the request %q (%v), want %q", req, err, "hello")
		}
		sendAll(t, v, a, acceptResetReply)
		v.setup("shutdown", t.Shutdown(a, provider.SD_SEND))
		t.Closesocket(a)
		return
	}
}
