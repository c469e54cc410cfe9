package bugs

import (
	"github.com/wsaemu/wsaemu/emu"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// Trusting an out-parameter after WSA_IO_PENDING.
//
// WSARecv (like WSASend, ReadFile and the rest) writes
// *lpNumberOfBytesRecvd only when it completes at once. When it returns
// WSA_IO_PENDING the variable is left alone: the byte count of a pending
// operation comes from WSAGetOverlappedResult (or the completion routine,
// or the completion packet), never from the out-parameter. A program that
// waits for the event and then uses the variable it passed to WSARecv
// works as long as the data was already there, because then the call
// usually completes at once; the day the call pends it uses whatever the
// variable held. Ground-truth.md lists this among the bugs real projects
// (Go, libuv, mio, CPython, .NET, Asio) shipped.
//
// The emulator shows it two ways: the Chooser may make the receive pend
// even though a datagram is queued (both outcomes are permitted), and
// WithPoison writes 0xDEADBEEF into the out-parameter the pending call did
// not write, so the wrong count is obvious rather than a plausible stale
// value.
//
// Clauses: wsarecv.pending.outs-untouched, wsasendmsg.bytes-sent.immediate-only,
// sync-overlapped-io.immediate-or-pending.

// OutparamBuggy queues a datagram for itself, receives it with an
// overlapped WSARecv and, once the event says the receive is done, uses the
// byte count WSARecv's out-parameter holds.
func OutparamBuggy(t *emu.Thread, v *Verdict) {
	rx, tx, ev, ok := outparamSetup(t, v)
	if !ok {
		return
	}
	ov := &emu.Overlapped{HEvent: ev}
	buf := make([]byte, 16)
	var n, flags uint32
	err := t.WSARecv(rx, buf1(buf), &n, &flags, ov, nil)
	if err != nil && err != wso.WSA_IO_PENDING {
		v.Breakf("WSARecv: %v", err)
		return
	}
	if err == wso.WSA_IO_PENDING {
		t.WaitForSingleObject(ev, emu.INFINITE)
	}
	// BUG: n was written only if WSARecv completed at once.
	outparamCheck(v, buf, n)
	t.Closesocket(rx)
	t.Closesocket(tx)
}

// OutparamFixed takes the byte count from the out-parameter only when the
// call completed at once, and from WSAGetOverlappedResult when it pended.
func OutparamFixed(t *emu.Thread, v *Verdict) {
	rx, tx, ev, ok := outparamSetup(t, v)
	if !ok {
		return
	}
	ov := &emu.Overlapped{HEvent: ev}
	buf := make([]byte, 16)
	var n, flags uint32
	err := t.WSARecv(rx, buf1(buf), &n, &flags, ov, nil)
	if err != nil && err != wso.WSA_IO_PENDING {
		v.Breakf("WSARecv: %v", err)
		return
	}
	if err == wso.WSA_IO_PENDING {
		if err := t.WSAGetOverlappedResult(rx, ov, &n, true, &flags); err != nil {
			v.Breakf("WSAGetOverlappedResult: %v", err)
			return
		}
	}
	outparamCheck(v, buf, n)
	t.Closesocket(rx)
	t.Closesocket(tx)
}

const outparamMsg = "hello"

// outparamSetup makes a receiving socket with a datagram already queued
// for it, the sending socket, and a manual-reset event.
func outparamSetup(t *emu.Thread, v *Verdict) (rx, tx emu.SOCKET, ev emu.Handle, ok bool) {
	if !startup(t, v) {
		return
	}
	rx, rxAddr, ok1 := udpSocket(t, v)
	tx, _, ok2 := udpSocket(t, v)
	if !ok1 || !ok2 {
		return
	}
	sendTo(t, v, tx, rxAddr, outparamMsg)
	ev, err := t.WSACreateEvent()
	return rx, tx, ev, v.setup("WSACreateEvent", err)
}

// outparamCheck: the byte count the program uses must be the datagram's.
func outparamCheck(v *Verdict, buf []byte, n uint32) {
	switch {
	case n == emu.Poison:
		v.Breakf("used byte count %#x: the poison in an out-parameter the pending WSARecv never wrote", n)
	case int(n) > len(buf):
		v.Breakf("used byte count %d, larger than the %d-byte buffer", n, len(buf))
	case string(buf[:n]) != outparamMsg:
		v.Breakf("used byte count %d: read %q, the datagram was %q", n, buf[:n], outparamMsg)
	}
}
