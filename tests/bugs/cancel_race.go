package bugs

import (
	"github.com/wsaemu/wsaemu/emu"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// Assuming that cancellation wins the race with completion.
//
// CancelIoEx asks for a cancel; it does not promise one. An operation
// that was about to complete, or had already completed, completes
// normally, with its data, and CancelIoEx may even fail with
// ERROR_NOT_FOUND because there was nothing left to cancel. The only way to
// know how a cancelled operation ended is to look at its result. A program
// that cancels a receive and takes for granted that it came back empty
// throws away the datagram that receive took. Ground-truth.md lists this
// among the bugs real projects (Go, libuv, mio, CPython, .NET, Asio)
// shipped.
//
// Under the usual schedule the cancel takes effect at once and the program
// gets away with it; the Chooser may keep the cancel under way while the
// sender runs, or run the sender first, and then the cancelled receive
// completes with the datagram. The program's own check sees the datagram
// lost.
//
// Clauses: cancelioex.may-complete-normally, canceling-io.not-guaranteed,
// cancelioex.not-found.

const cancelMsg = "data"

// CancelBuggy posts a receive, changes its mind and cancels it, waits for
// the cancel to finish (correctly), but assumes the receive got nothing
// and posts a new one to collect the datagram.
func CancelBuggy(t *emu.Thread, v *Verdict) {
	st, ok := cancelSetup(t, v)
	if !ok {
		return
	}
	var n, fl uint32
	buf := make([]byte, 16)
	if err := t.WSARecv(st.rx, buf1(buf), &n, &fl, st.ov, nil); err != nil && err != wso.WSA_IO_PENDING {
		v.Breakf("WSARecv: %v", err)
		return
	}
	t.CancelIoEx(emu.Handle(st.rx), st.ov)
	t.WaitForSingleObject(st.ev, emu.INFINITE)
	// BUG: the cancelled receive may have completed normally, with the
	// datagram; its result is never looked at.
	st.collect(t, v, false)
	st.finish(t, v)
}

// CancelFixed looks at how the cancelled receive ended: if it completed
// normally it has the datagram.
func CancelFixed(t *emu.Thread, v *Verdict) {
	st, ok := cancelSetup(t, v)
	if !ok {
		return
	}
	var n, fl uint32
	buf := make([]byte, 16)
	if err := t.WSARecv(st.rx, buf1(buf), &n, &fl, st.ov, nil); err != nil && err != wso.WSA_IO_PENDING {
		v.Breakf("WSARecv: %v", err)
		return
	}
	t.CancelIoEx(emu.Handle(st.rx), st.ov)
	switch err := t.WSAGetOverlappedResult(st.rx, st.ov, &n, true, &fl); err {
	case nil:
		// The cancel lost the race: this receive has the datagram.
		st.got = append(st.got, string(buf[:n]))
	case wso.WSA_OPERATION_ABORTED:
		st.collect(t, v, true)
	default:
		v.Breakf("cancelled receive ended with %v", err)
	}
	st.finish(t, v)
}

type cancelState struct {
	rx, tx emu.SOCKET
	ev     emu.Handle
	ov     *emu.Overlapped
	got    []string
	sender emu.Handle
}

func cancelSetup(t *emu.Thread, v *Verdict) (*cancelState, bool) {
	if !startup(t, v) {
		return nil, false
	}
	rx, rxAddr, ok1 := udpSocket(t, v)
	tx, _, ok2 := udpSocket(t, v)
	if !ok1 || !ok2 {
		return nil, false
	}
	ev, err := t.WSACreateEvent()
	if !v.setup("WSACreateEvent", err) {
		return nil, false
	}
	st := &cancelState{rx: rx, tx: tx, ev: ev, ov: &emu.Overlapped{HEvent: ev}}
	st.sender = spawn(t, v, func(t *emu.Thread) { sendTo(t, v, tx, rxAddr, cancelMsg) })
	return st, true
}

// collect posts a fresh receive for the datagram. The buggy form gives it
// 50 ms (the datagram is sent straight away, so it is either there by then
// or was taken by the cancelled receive); the fixed form knows it is still
// to come and waits for it.
func (st *cancelState) collect(t *emu.Thread, v *Verdict, fixed bool) {
	ev, err := t.WSACreateEvent()
	if !v.setup("WSACreateEvent", err) {
		return
	}
	defer t.WSACloseEvent(ev)
	ov := &emu.Overlapped{HEvent: ev}
	buf := make([]byte, 16)
	var n, fl uint32
	if err := t.WSARecv(st.rx, buf1(buf), &n, &fl, ov, nil); err != nil && err != wso.WSA_IO_PENDING {
		v.Breakf("second WSARecv: %v", err)
		return
	}
	ms := uint32(50)
	if fixed {
		ms = emu.INFINITE
	}
	if r, _ := t.WaitForSingleObject(ev, ms); r == uint32(wso.WAIT_TIMEOUT) {
		t.CancelIoEx(emu.Handle(st.rx), ov)
	}
	if err := t.WSAGetOverlappedResult(st.rx, ov, &n, true, &fl); err == nil {
		st.got = append(st.got, string(buf[:n]))
	}
}

func (st *cancelState) finish(t *emu.Thread, v *Verdict) {
	if len(st.got) != 1 || st.got[0] != cancelMsg {
		v.Breakf("received %q, but one datagram %q was sent: lost", st.got, cancelMsg)
	}
	join(t, v, st.sender)
	t.Closesocket(st.rx)
	t.Closesocket(st.tx)
	t.WSACloseEvent(st.ev)
}
