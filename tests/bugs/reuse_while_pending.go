package bugs

import (
	"github.com/wsaemu/wsaemu/emu"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// Reusing an OVERLAPPED (and its buffer) while its operation is still
// pending, here after a cancel that has not completed yet.
//
// Until an operation has completed, its WSAOVERLAPPED record and its
// buffers belong to the system: it will still write the status, the byte
// count and the data into them. CancelIoEx only asks for the cancel; it
// returns before the operation has ended, and the operation is over only
// when its completion has been reported (the event is signalled, the
// result query stops saying "incomplete"). A program that cancels a
// receive on a timeout and at once posts a new receive with the same
// record and buffer has two operations sharing one record: which one the
// next completion, or the datagram, belongs to is anybody's guess.
// Ground-truth.md lists reusing or freeing a record, its buffers or a
// stack-local byte count while pending among the bugs real projects (Go,
// libuv, mio, CPython, .NET, Asio) shipped.
//
// The emulator's Chooser decides whether a cancel takes effect at once
// (the usual case, in which the buggy program gets away with it) or is
// still under way when the program goes on; the sanitizer then reports the
// reuse with its clause.
//
// Clauses: wsaoverlapped.reuse-while-pending, overlapped.reuse-while-pending,
// cancelioex.no-reuse-until-done, canceling-io.reuse-after-completion.

const reuseMsg = "late"

// ReuseBuggy posts a receive, gives up on it after 10 ms, cancels it and
// immediately reposts with the same record and buffer.
func ReuseBuggy(t *emu.Thread, v *Verdict) {
	st, ok := reuseSetup(t, v)
	if !ok {
		return
	}
	var n, fl uint32
	if err := t.WSARecv(st.rx, buf1(st.buf), &n, &fl, st.ov, nil); err != nil && err != wso.WSA_IO_PENDING {
		v.Breakf("WSARecv: %v", err)
		return
	}
	if r, _ := t.WaitForSingleObject(st.ev, 10); r == uint32(wso.WAIT_TIMEOUT) {
		t.CancelIoEx(emu.Handle(st.rx), st.ov)
		// BUG: the cancel may not have taken effect yet; the first
		// receive may still own st.ov and st.buf.
		if err := t.WSARecv(st.rx, buf1(st.buf), &n, &fl, st.ov, nil); err != nil && err != wso.WSA_IO_PENDING {
			v.Breakf("second WSARecv: %v", err)
			return
		}
	}
	if err := t.WSAGetOverlappedResult(st.rx, st.ov, &n, true, &fl); err != nil {
		v.Breakf("WSAGetOverlappedResult: %v", err)
	} else if string(st.buf[:n]) != reuseMsg {
		v.Breakf("received %q, want %q", st.buf[:n], reuseMsg)
	}
	st.finish(t, v)
}

// ReuseFixed waits, after CancelIoEx, until the cancelled receive has
// completed, and looks at how it ended: aborted (repost) or, if the cancel
// lost the race, with the datagram.
func ReuseFixed(t *emu.Thread, v *Verdict) {
	st, ok := reuseSetup(t, v)
	if !ok {
		return
	}
	var n, fl uint32
	if err := t.WSARecv(st.rx, buf1(st.buf), &n, &fl, st.ov, nil); err != nil && err != wso.WSA_IO_PENDING {
		v.Breakf("WSARecv: %v", err)
		return
	}
	if r, _ := t.WaitForSingleObject(st.ev, 10); r == uint32(wso.WAIT_TIMEOUT) {
		t.CancelIoEx(emu.Handle(st.rx), st.ov)
		// The record is the system's until the receive has completed.
		switch err := t.WSAGetOverlappedResult(st.rx, st.ov, &n, true, &fl); err {
		case wso.WSA_OPERATION_ABORTED:
			if err := t.WSARecv(st.rx, buf1(st.buf), &n, &fl, st.ov, nil); err != nil && err != wso.WSA_IO_PENDING {
				v.Breakf("second WSARecv: %v", err)
				return
			}
		case nil:
			// The cancel lost: the receive got the datagram.
		default:
			v.Breakf("cancelled WSARecv ended with %v", err)
			return
		}
	}
	if err := t.WSAGetOverlappedResult(st.rx, st.ov, &n, true, &fl); err != nil {
		v.Breakf("WSAGetOverlappedResult: %v", err)
	} else if string(st.buf[:n]) != reuseMsg {
		v.Breakf("received %q, want %q", st.buf[:n], reuseMsg)
	}
	st.finish(t, v)
}

type reuseState struct {
	rx, tx emu.SOCKET
	ev     emu.Handle
	ov     *emu.Overlapped
	buf    []byte
	sender emu.Handle
}

// reuseSetup makes the sockets and starts a thread that sends one
// datagram 20 ms from now, after the receiver's 10 ms have run out.
func reuseSetup(t *emu.Thread, v *Verdict) (*reuseState, bool) {
	if !startup(t, v) {
		return nil, false
	}
	st := &reuseState{buf: make([]byte, 16)}
	rx, rxAddr, ok1 := udpSocket(t, v)
	tx, _, ok2 := udpSocket(t, v)
	if !ok1 || !ok2 {
		return nil, false
	}
	st.rx, st.tx = rx, tx
	ev, err := t.WSACreateEvent()
	if !v.setup("WSACreateEvent", err) {
		return nil, false
	}
	st.ev = ev
	st.ov = &emu.Overlapped{HEvent: ev}
	st.sender = spawn(t, v, func(t *emu.Thread) {
		t.Sleep(20)
		sendTo(t, v, tx, rxAddr, reuseMsg)
	})
	return st, true
}

func (st *reuseState) finish(t *emu.Thread, v *Verdict) {
	join(t, v, st.sender)
	// The program is done with the record and its buffer.
	t.ReleaseOverlapped(st.ov)
	t.ReleaseBuffer(st.buf)
	t.Closesocket(st.rx)
	t.Closesocket(st.tx)
	t.WSACloseEvent(st.ev)
}
