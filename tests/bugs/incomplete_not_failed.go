package bugs

import (
	"github.com/wsaemu/wsaemu/emu"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// Treating an error from a non-waiting result query after WSA_IO_PENDING
// as "the operation was never submitted".
//
// Once WSARecv has returned WSA_IO_PENDING the receive is in the system's
// hands and it will complete, exactly once, whatever happens. A
// WSAGetOverlappedResult with fWait=FALSE that fails with
// WSA_IO_INCOMPLETE says only "not yet". Code that treats every failure
// of the query as a failed receive and posts a fresh one leaves the first
// receive pending: it takes the next datagram, and the fresh receive waits
// for one that never comes. Ground-truth.md lists this among the bugs real
// projects (Go, libuv, mio, CPython, .NET, Asio) shipped.
//
// Whether the query finds the receive finished depends on whether the
// sender has run by then: a schedule question (under the usual one it has,
// and the bug hides). When it has not, the buggy program waits for ever
// for the second receive, and the emulator reports the deadlock
// (*emu.DeadlockError) with what every thread waits for.
//
// Clauses: wsagetoverlappedresult.wait, lpwspgetoverlappedresult.incomplete,
// wsarecv.overlapped.pending.

const incompleteMsg = "ping"

// IncompleteBuggy posts a receive, checks once without waiting whether it
// is done, and posts a new receive if the check "failed".
func IncompleteBuggy(t *emu.Thread, v *Verdict) {
	st, ok := incompleteSetup(t, v)
	if !ok {
		return
	}
	var n, fl uint32
	buf := make([]byte, 16)
	err := t.WSARecv(st.rx, buf1(buf), &n, &fl, st.ov, nil)
	if err == wso.WSA_IO_PENDING {
		t.SleepEx(0, false) // other work; the datagram is usually here by now
		if err := t.WSAGetOverlappedResult(st.rx, st.ov, &n, false, &fl); err != nil {
			// BUG: WSA_IO_INCOMPLETE is "not yet", not "failed": the
			// first receive is still pending and will take the datagram.
			ev2, _ := t.WSACreateEvent()
			ov2 := &emu.Overlapped{HEvent: ev2}
			buf = make([]byte, 16)
			if err := t.WSARecv(st.rx, buf1(buf), &n, &fl, ov2, nil); err != nil && err != wso.WSA_IO_PENDING {
				v.Breakf("second WSARecv: %v", err)
				return
			}
			if err := t.WSAGetOverlappedResult(st.rx, ov2, &n, true, &fl); err != nil {
				v.Breakf("second receive: %v", err)
				return
			}
		}
	} else if err != nil {
		v.Breakf("WSARecv: %v", err)
		return
	}
	if string(buf[:n]) != incompleteMsg {
		v.Breakf("received %q, want %q", buf[:n], incompleteMsg)
	}
	st.finish(t, v)
}

// IncompleteFixed treats WSA_IO_INCOMPLETE as "not yet": it waits for the
// receive it already posted.
func IncompleteFixed(t *emu.Thread, v *Verdict) {
	st, ok := incompleteSetup(t, v)
	if !ok {
		return
	}
	var n, fl uint32
	buf := make([]byte, 16)
	err := t.WSARecv(st.rx, buf1(buf), &n, &fl, st.ov, nil)
	if err == wso.WSA_IO_PENDING {
		t.SleepEx(0, false) // other work
		err = t.WSAGetOverlappedResult(st.rx, st.ov, &n, false, &fl)
		if err == wso.WSA_IO_INCOMPLETE {
			// Still in flight: wait for this receive, do not post another.
			err = t.WSAGetOverlappedResult(st.rx, st.ov, &n, true, &fl)
		}
	}
	if err != nil {
		v.Breakf("receive: %v", err)
		return
	}
	if string(buf[:n]) != incompleteMsg {
		v.Breakf("received %q, want %q", buf[:n], incompleteMsg)
	}
	st.finish(t, v)
}

type incompleteState struct {
	rx, tx emu.SOCKET
	ov     *emu.Overlapped
	sender emu.Handle
}

func incompleteSetup(t *emu.Thread, v *Verdict) (*incompleteState, bool) {
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
	st := &incompleteState{rx: rx, tx: tx, ov: &emu.Overlapped{HEvent: ev}}
	st.sender = spawn(t, v, func(t *emu.Thread) { sendTo(t, v, tx, rxAddr, incompleteMsg) })
	return st, true
}

func (st *incompleteState) finish(t *emu.Thread, v *Verdict) {
	join(t, v, st.sender)
	t.Closesocket(st.rx)
	t.Closesocket(st.tx)
}
