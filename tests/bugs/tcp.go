package bugs

import (
	"encoding/binary"
	"net/netip"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/provider"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// Helpers the stream (TCP) patterns share.

// tcpSocket makes an overlapped TCP socket, bound to an ephemeral
// loopback port when bind is set.
func tcpSocket(t *emu.Thread, v *Verdict, bind bool) (emu.SOCKET, bool) {
	h, err := t.Socket(provider.AF_INET, provider.SOCK_STREAM, provider.IPPROTO_TCP)
	if !v.setup("socket", err) {
		return 0, false
	}
	if bind {
		a := netip.AddrPortFrom(loopback, 0)
		if !v.setup("bind", t.Bind(h, &a, provider.SizeofSockaddrInet4)) {
			return 0, false
		}
	}
	return h, true
}

// tcpListener makes a listening TCP socket on an ephemeral loopback port
// and returns it with its address.
func tcpListener(t *emu.Thread, v *Verdict) (emu.SOCKET, netip.AddrPort, bool) {
	l, ok := tcpSocket(t, v, true)
	if !ok || !v.setup("listen", t.Listen(l, provider.SOMAXCONN)) {
		return 0, netip.AddrPort{}, false
	}
	a, err := t.Getsockname(l)
	return l, a, v.setup("getsockname", err)
}

// tcpConnect makes a TCP socket and connects it to addr with connect.
func tcpConnect(t *emu.Thread, v *Verdict, addr netip.AddrPort) (emu.SOCKET, bool) {
	c, ok := tcpSocket(t, v, false)
	if !ok {
		return 0, false
	}
	return c, v.setup("connect", t.Connect(c, &addr, provider.SizeofSockaddrInet4))
}

// tcpAccepted starts Winsock, connects a client c to a new listener l and
// accepts the connection as s.
func tcpAccepted(t *emu.Thread, v *Verdict) (l, c, s emu.SOCKET, ok bool) {
	if !startup(t, v) {
		return 0, 0, 0, false
	}
	l, addr, ok := tcpListener(t, v)
	if !ok {
		return 0, 0, 0, false
	}
	if c, ok = tcpConnect(t, v, addr); !ok {
		return 0, 0, 0, false
	}
	s, err := t.Accept(l, nil, nil)
	return l, c, s, v.setup("accept", err)
}

// abortiveClose closes h with SO_LINGER on and a zero timeout: the
// connection is reset, and the peer's pending and later calls fail.
func abortiveClose(t *emu.Thread, v *Verdict, h emu.SOCKET) {
	linger := binary.LittleEndian.AppendUint32(nil, 1) // l_onoff 1, l_linger 0
	v.setup("SO_LINGER", t.Setsockopt(h, provider.SOL_SOCKET, provider.SO_LINGER, linger))
	v.setup("closesocket", t.Closesocket(h))
}

// sendAll sends msg on a connected socket without a record (it returns
// when the bytes are placed).
func sendAll(t *emu.Thread, v *Verdict, h emu.SOCKET, msg string) {
	var n uint32
	if err := t.WSASend(h, buf1([]byte(msg)), &n, 0, nil, nil); err != nil {
		v.Breakf("setup: send: %v", err)
	} else if int(n) != len(msg) {
		v.Breakf("setup: sent %d bytes of %d", n, len(msg))
	}
}

// recvAll reads from h, without a record, until the peer's end of stream
// or an error, and returns what it read.
func recvAll(t *emu.Thread, h emu.SOCKET) (string, error) {
	var got []byte
	b := make([]byte, 64)
	for {
		var n, fl uint32
		if err := t.WSARecv(h, buf1(b), &n, &fl, nil, nil); err != nil {
			return string(got), err
		}
		if n == 0 {
			return string(got), nil
		}
		got = append(got, b[:n]...)
	}
}

// associate binds h to port under key.
func associate(t *emu.Thread, v *Verdict, h emu.SOCKET, port emu.Handle, key uintptr) bool {
	_, err := t.CreateIoCompletionPort(emu.Handle(h), port, key, 0)
	return v.setup("CreateIoCompletionPort", err)
}

// pendingOK reports whether err is what an overlapped call that was
// accepted returns: success or ERROR_IO_PENDING.
func pendingOK(err error) bool {
	return err == nil || err == wso.WSA_IO_PENDING || err == wso.ERROR_IO_PENDING
}
