package bugs

import (
	"encoding/binary"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/provider"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// Waiting for FD_WRITE after a send that succeeded.
//
// WSAEventSelect records FD_WRITE when the socket can first send and then
// only after a send that failed with WSAEWOULDBLOCK, once there is room
// again: a send that succeeds does not re-enable it. A program that reads
// FD_WRITE as "the socket is writable" (the level that poll's POLLOUT
// reports) and waits for it before each new burst of writes hangs as soon
// as the burst before went out without ever filling the buffer: the
// notification it waits for was consumed long ago and no failed send has
// asked for another. libwebsockets shipped this when its Windows loop moved
// to WSAWaitForMultipleEvents (warmcat/libwebsockets issue 1291: writes
// waiting for POLLOUT were no longer woken, and the fix tracks whether the
// last send would have blocked).
//
// The client below sends two bursts. Its send buffer and the server's
// receive buffer are small, so under the usual schedule (the client runs
// until it has to wait, the server reads only then) the first burst fills
// them: a send fails with WSAEWOULDBLOCK, the client sleeps and retries,
// and FD_WRITE is recorded again as the server drains; the wait before the
// second burst finds it. Under a schedule where the server reads between
// the client's sends, no send of the first burst fails, FD_WRITE is never
// recorded again, and client (waiting for FD_WRITE) and server (waiting for
// the second burst) wait for ever: a deadlock.
//
// Clauses: wsaeventselect.fd-write-wouldblock, wsaeventselect.fd-write-at-once,
// wsaeventselect.records-sets-event.

// fdWriteBursts are the two bursts the client sends, chunk by chunk; the
// server expects their bytes in order.
var fdWriteBursts = [2][]string{{"aaaa", "bbbb", "cccc"}, {"dddd", "eeee"}}

const fdWriteBuf = 4 // SO_SNDBUF of the client, SO_RCVBUF of the server

// FDWriteBuggy waits for FD_WRITE before each burst, and retries a send
// that would block after a short sleep.
func FDWriteBuggy(t *emu.Thread, v *Verdict) {
	fdWriteRun(t, v, func(c *fdWriteClient) {
		for _, burst := range fdWriteBursts {
			// BUG: FD_WRITE comes again only after a send failed with
			// WSAEWOULDBLOCK; if none did, this waits for ever.
			if !c.waitWrite() {
				return
			}
			for _, chunk := range burst {
				for {
					err := c.send(chunk)
					if err != wso.WSAEWOULDBLOCK {
						break
					}
					t.Sleep(1)
				}
			}
		}
	})
}

// FDWriteFixed takes FD_WRITE for what it is: permission to send again
// after a send failed with WSAEWOULDBLOCK. It sends until one does, and
// only then waits.
func FDWriteFixed(t *emu.Thread, v *Verdict) {
	fdWriteRun(t, v, func(c *fdWriteClient) {
		for _, burst := range fdWriteBursts {
			for _, chunk := range burst {
				for c.send(chunk) == wso.WSAEWOULDBLOCK {
					if !c.waitWrite() {
						return
					}
				}
			}
		}
	})
}

type fdWriteClient struct {
	t  *emu.Thread
	v  *Verdict
	s  emu.SOCKET
	ev emu.Handle
}

// waitWrite waits on the socket's event until FD_WRITE is among the
// recorded network events.
func (c *fdWriteClient) waitWrite() bool {
	for {
		if _, err := c.t.WaitForSingleObject(c.ev, emu.INFINITE); !c.v.setup("WaitForSingleObject", err) {
			return false
		}
		var ne emu.WSANETWORKEVENTS
		if !c.v.setup("WSAEnumNetworkEvents", c.t.WSAEnumNetworkEvents(c.s, c.ev, &ne)) {
			return false
		}
		if ne.NetworkEvents&provider.FD_WRITE != 0 {
			return true
		}
	}
}

// send sends chunk without a record; it returns WSAEWOULDBLOCK, or nil
// when all of it went (a broken invariant otherwise).
func (c *fdWriteClient) send(chunk string) error {
	var n uint32
	err := c.t.WSASend(c.s, buf1([]byte(chunk)), &n, 0, nil, nil)
	switch {
	case err == wso.WSAEWOULDBLOCK:
		return err
	case err != nil:
		c.v.Breakf("send: %v", err)
	case int(n) != len(chunk):
		// A non-blocking send on a stream socket may take part of the
		// data; these chunks fit the send buffer, so it takes all.
		c.v.Breakf("send took %d bytes of %d", n, len(chunk))
	}
	return nil
}

// fdWriteRun sets up the connection (small buffers on both sides, the
// client's socket selected for FD_WRITE) and a server thread that reads
// every byte of both bursts, then runs the client.
func fdWriteRun(t *emu.Thread, v *Verdict, client func(c *fdWriteClient)) {
	if !startup(t, v) {
		return
	}
	size := binary.LittleEndian.AppendUint32(nil, fdWriteBuf)
	l, addr, ok := tcpListener(t, v)
	if !ok || !v.setup("SO_RCVBUF", t.Setsockopt(l, provider.SOL_SOCKET, provider.SO_RCVBUF, size)) {
		return
	}
	want := ""
	for _, burst := range fdWriteBursts {
		for _, chunk := range burst {
			want += chunk
		}
	}
	server := spawn(t, v, func(t *emu.Thread) {
		a, err := t.Accept(l, nil, nil)
		if !v.setup("accept", err) {
			return
		}
		got, err := recvAll(t, a)
		if err != nil {
			v.Breakf("server: recv: %v", err)
		}
		if got != want {
			v.Breakf("server got %q, want %q", got, want)
		}
		t.Closesocket(a)
	})
	s, ok := tcpConnect(t, v, addr)
	if !ok || !v.setup("SO_SNDBUF", t.Setsockopt(s, provider.SOL_SOCKET, provider.SO_SNDBUF, size)) {
		return
	}
	ev, err := t.WSACreateEvent()
	if !v.setup("WSACreateEvent", err) {
		return
	}
	if v.setup("WSAEventSelect", t.WSAEventSelect(s, ev, provider.FD_WRITE)) {
		client(&fdWriteClient{t: t, v: v, s: s, ev: ev})
	}
	// Back to blocking for the close: the server reads the rest, then
	// sees the end of the stream.
	t.WSAEventSelect(s, 0, 0)
	t.Shutdown(s, provider.SD_SEND)
	join(t, v, server)
	t.Closesocket(s)
	t.Closesocket(l)
	t.WSACloseEvent(ev)
}
