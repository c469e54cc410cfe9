package bugs

import (
	"net/netip"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/provider"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// Calling WSAGetOverlappedResult with fWait=TRUE for an operation that
// uses a completion routine (or has no valid event).
//
// With a completion routine, hEvent is the application's to use: the
// system does not signal it, and the pages call waiting on it through
// WSAGetOverlappedResult(fWait=TRUE) unpredictable. What happens depends
// on the provider: a provider that follows the SPI page waits on hEvent
// (here NULL) and fails with WSA_INVALID_HANDLE; Windows' own provider
// waits on the socket handle instead, which is signalled when any I/O on
// the socket completes, so the wait can end while this operation is still
// pending and the call then reports success with whatever byte count the
// record happens to hold. Ground-truth.md lists this among the bugs real
// projects (Go, libuv, mio, CPython, .NET, Asio) shipped.
//
// The program below receives with a completion routine and, on the same
// socket, sends with one. Under the usual schedule the datagram is there
// before the query, which then does not wait, and the bug hides. When the
// receive is still pending at the query, the sanitizer reports the wait
// with its clause, and the program's own check sees the wrong byte count
// (IFS) or the failed query (non-IFS).
//
// Clauses: lpwspgetoverlappedresult.wait.event-only,
// wsasendmsg.routine.fwait-undefined, wsaoverlapped.hevent.routine-free.

const fwaitMsg = "hello"

// FwaitBuggy posts a receive and a send with completion routines, then
// asks WSAGetOverlappedResult to wait for the receive.
func FwaitBuggy(t *emu.Thread, v *Verdict) {
	st, ok := fwaitSetup(t, v)
	if !ok {
		return
	}
	var n, fl uint32
	// BUG: fWait=TRUE for an operation whose completion is reported by
	// a routine; hEvent is NULL and is not the system's to signal.
	if err := t.WSAGetOverlappedResult(st.rx, st.rov, &n, true, &fl); err != nil {
		v.Breakf("WSAGetOverlappedResult(fWait=TRUE): %v", err)
	} else if string(st.buf[:min(int(n), len(st.buf))]) != fwaitMsg {
		v.Breakf("WSAGetOverlappedResult(fWait=TRUE) said %d bytes (%q), the datagram was %q", n, st.buf[:min(int(n), len(st.buf))], fwaitMsg)
	}
	st.finish(t, v)
}

// FwaitFixed waits alertably until both routines have run, and takes the
// byte count from the receive's routine.
func FwaitFixed(t *emu.Thread, v *Verdict) {
	st, ok := fwaitSetup(t, v)
	if !ok {
		return
	}
	for st.recvDone == 0 || st.sendDone == 0 {
		t.SleepEx(emu.INFINITE, true)
	}
	if st.recvErr != 0 || string(st.buf[:st.recvN]) != fwaitMsg {
		v.Breakf("receive routine: err=%d, %d bytes %q, want %q", st.recvErr, st.recvN, st.buf[:st.recvN], fwaitMsg)
	}
	st.finish(t, v)
}

type fwaitState struct {
	rx, tx, peer       emu.SOCKET
	rov, sov           *emu.Overlapped
	buf                []byte
	recvDone, sendDone int
	recvErr, recvN     uint32
	sender             emu.Handle
}

// fwaitSetup: rx receives with a routine (the datagram comes from another
// thread) and sends a datagram of its own to peer with a routine.
func fwaitSetup(t *emu.Thread, v *Verdict) (*fwaitState, bool) {
	if !startup(t, v) {
		return nil, false
	}
	st := &fwaitState{buf: make([]byte, 16), rov: &emu.Overlapped{}, sov: &emu.Overlapped{}}
	var ok [3]bool
	var rxAddr, peerAddr netip.AddrPort
	st.rx, rxAddr, ok[0] = udpSocket(t, v)
	st.tx, _, ok[1] = udpSocket(t, v)
	st.peer, peerAddr, ok[2] = udpSocket(t, v)
	if !ok[0] || !ok[1] || !ok[2] {
		return nil, false
	}
	var n, fl uint32
	err := t.WSARecv(st.rx, buf1(st.buf), &n, &fl, st.rov, func(e, n uint32, _ *emu.Overlapped, _ uint32) {
		st.recvDone++
		st.recvErr, st.recvN = e, n
	})
	if err != nil && err != wso.WSA_IO_PENDING {
		v.Breakf("WSARecv: %v", err)
		return nil, false
	}
	out := []byte("ack")
	err = t.WSASendTo(st.rx, buf1(out), &n, 0, &peerAddr, provider.SizeofSockaddrInet4, st.sov, func(uint32, uint32, *emu.Overlapped, uint32) {
		st.sendDone++
	})
	if err != nil && err != wso.WSA_IO_PENDING {
		v.Breakf("WSASendTo: %v", err)
		return nil, false
	}
	tx := st.tx
	st.sender = spawn(t, v, func(t *emu.Thread) { sendTo(t, v, tx, rxAddr, fwaitMsg) })
	t.SleepEx(0, false) // other work; the datagram is usually here by now
	return st, true
}

func (st *fwaitState) finish(t *emu.Thread, v *Verdict) {
	join(t, v, st.sender)
	// Let any routine still queued run, then close: a receive still
	// pending completes as aborted, and its routine runs here too.
	t.Closesocket(st.rx)
	for t.SleepEx(0, true) == wso.WAIT_IO_COMPLETION {
	}
	t.Closesocket(st.tx)
	t.Closesocket(st.peer)
	if st.recvDone > 1 || st.sendDone > 1 {
		v.Breakf("a completion routine ran more than once (recv %d, send %d)", st.recvDone, st.sendDone)
	}
}
