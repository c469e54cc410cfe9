package bugs

import (
	"encoding/binary"
	"net/netip"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/provider"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// A ConnectEx failure hidden by SO_UPDATE_CONNECT_CONTEXT: the program
// updates the socket's context before it looks at how the ConnectEx
// ended, and reports the option's error instead of the connect's.
//
// After ConnectEx completes, the socket does not yet answer getpeername,
// shutdown and friends as a connected one until
// setsockopt(SO_UPDATE_CONNECT_CONTEXT) says so; the ConnectEx page asks
// for that call once the connection is made. On a socket whose ConnectEx
// failed there is no connection to update, and the option fails with
// WSAENOTCONN. A program that makes the call unconditionally, and returns
// its error first, turns "connection refused" (a server not listening
// yet: retry) into "not connected" (a broken socket: give up). The
// refusal happens only when the client is faster than the server, so the
// bug shows only under some schedules.
//
// Real project: mio (tokio-rs/mio pull request #603) called setsockopt
// after every completed connection attempt; when the attempt had failed,
// the WSAENOTCONN of that call came out in place of the real error, until
// the status of the ConnectEx was checked first.
//
// Clauses: connectex.refused, connectex.update-context, connect.refused.

// connectAddr is where the server listens, known to the client in
// advance.
var connectAddr = netip.AddrPortFrom(loopback, 5471)

const connectReply = "pong"

// ConnectCtxBuggy updates the connect context first and classifies its
// error.
func ConnectCtxBuggy(t *emu.Thread, v *Verdict) { connectRun(t, v, false) }

// ConnectCtxFixed checks the ConnectEx result first and updates the
// context only on a connection.
func ConnectCtxFixed(t *emu.Thread, v *Verdict) { connectRun(t, v, true) }

// connectRun: the main thread is the server, starting up (socket, bind,
// listen, accept); the client runs on its own thread from the start, and
// retries ConnectEx while the connection is refused.
func connectRun(t *emu.Thread, v *Verdict, statusFirst bool) {
	if !startup(t, v) {
		return
	}
	client := spawn(t, v, func(t *emu.Thread) { connectClient(t, v, statusFirst) })
	l, ok := tcpSocket(t, v, false)
	if !ok {
		return
	}
	a := connectAddr
	if v.setup("bind", t.Bind(l, &a, provider.SizeofSockaddrInet4)) && v.setup("listen", t.Listen(l, 5)) {
		// The server waits for one client; a client that gave up never
		// comes, so it does not wait for ever: it polls, then gives up.
		if fionbio(t, v, l, 1) {
			for i := 0; i < 100; i++ {
				s, err := t.Accept(l, nil, nil)
				if err == wso.WSAEWOULDBLOCK {
					t.Sleep(10)
					continue
				}
				if v.setup("accept", err) && fionbio(t, v, s, 0) {
					req, err := recvAll(t, s)
					if err != nil || req != "ping" {
						v.Breakf("the server got %q (%v), want %q", req, err, "ping")
					}
					sendAll(t, v, s, connectReply)
					v.setup("shutdown", t.Shutdown(s, provider.SD_SEND))
					t.Closesocket(s)
				}
				break
			}
		}
	}
	join(t, v, client)
	t.Closesocket(l)
}

// connectClient connects with ConnectEx, retrying a refused connection
// (the server is starting) up to 20 times, 10 ms apart; any other error
// ends it.
func connectClient(t *emu.Thread, v *Verdict, statusFirst bool) {
	ev, err := t.WSACreateEvent()
	if !v.setup("WSACreateEvent", err) {
		return
	}
	defer t.WSACloseEvent(ev)
	ov := &emu.Overlapped{HEvent: ev}
	defer t.ReleaseOverlapped(ov)
	for try := 0; try < 20; try++ {
		c, ok := tcpSocket(t, v, true)
		if !ok {
			return
		}
		a := connectAddr
		var n, fl uint32
		if err := t.ConnectEx(c, &a, provider.SizeofSockaddrInet4, nil, &n, ov); !pendingOK(err) {
			v.Breakf("ConnectEx: %v", err)
			t.Closesocket(c)
			return
		}
		res := t.WSAGetOverlappedResult(c, ov, &n, true, &fl)
		if statusFirst {
			if res == nil {
				err = t.Setsockopt(c, provider.SOL_SOCKET, provider.SO_UPDATE_CONNECT_CONTEXT, nil)
			} else {
				err = res
			}
		} else {
			// BUG: the context is updated before the result is looked
			// at, and its error wins.
			err = t.Setsockopt(c, provider.SOL_SOCKET, provider.SO_UPDATE_CONNECT_CONTEXT, nil)
			if err == nil {
				err = res
			}
		}
		switch err {
		case nil:
			sendAll(t, v, c, "ping")
			v.setup("shutdown", t.Shutdown(c, provider.SD_SEND))
			if got, err := recvAll(t, c); err != nil || got != connectReply {
				v.Breakf("the client got %q (%v), want %q", got, err, connectReply)
			}
			t.Closesocket(c)
			return
		case wso.WSAECONNREFUSED:
			t.Closesocket(c)
			t.Sleep(10) // the server is not listening yet
		default:
			v.Breakf("the client gave up with %v, although the server was only starting", err)
			t.Closesocket(c)
			return
		}
	}
	v.Breakf("the client was refused 20 times")
}

// fionbio makes h non-blocking (on 1) or blocking (on 0).
func fionbio(t *emu.Thread, v *Verdict, h emu.SOCKET, on uint32) bool {
	var n uint32
	in := binary.LittleEndian.AppendUint32(nil, on)
	return v.setup("FIONBIO", t.WSAIoctl(h, provider.FIONBIO, in, nil, &n, nil, nil))
}
