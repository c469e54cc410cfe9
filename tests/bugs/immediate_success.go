package bugs

import (
	"net/netip"

	"github.com/wsaemu/wsaemu/emu"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// Assuming that an immediate success means no notification follows.
//
// An overlapped WSARecv that completes at once returns 0 and fills in the
// byte count, and still reports its completion the way it was asked to:
// the event is signalled, the completion routine is queued, and on a
// socket bound to a completion port a packet is posted, unless the handle
// was put in FILE_SKIP_COMPLETION_PORT_ON_SUCCESS mode. A reactor that
// handles the result inline when the call succeeds at once, and otherwise
// waits for a packet, handles every immediate completion twice: once
// inline and once when its packet comes out of the port (taking it, as
// often as not, for the completion of a different, still pending
// operation). Ground-truth.md lists this among the bugs real projects
// (Go, libuv, mio, CPython, .NET, Asio) shipped.
//
// Under the usual schedule all three receives below complete at once (the
// data is queued) and the reactor never looks at the port, so the stale
// packets go unnoticed. The Chooser may make any of them pend; as soon as
// some complete at once and some pend, the reactor dequeues a packet for
// an operation it already handled.
//
// Clauses: sync-async-io.immediate-success-still-posts,
// setfilecompletionnotificationmodes.skip-port-on-success,
// wsarecv.completion.after-immediate.

// immediateMsgs are the datagrams queued before the receives are posted.
var immediateMsgs = [3]string{"one", "two", "three"}

// ImmediateBuggy posts three receives on a socket bound to a completion
// port; it handles a receive that succeeds at once inline, and takes a
// packet from the port for each one that pended.
func ImmediateBuggy(t *emu.Thread, v *Verdict) {
	st, ok := immediateSetup(t, v)
	if !ok {
		return
	}
	pending := 0
	for i := range st.ovs {
		var n, fl uint32
		err := t.WSARecv(st.rx, buf1(st.bufs[i]), &n, &fl, st.ovs[i], nil)
		switch err {
		case nil:
			// BUG: a packet for this receive is posted all the same.
			st.handle(v, i, n)
		case wso.WSA_IO_PENDING:
			pending++
		default:
			v.Breakf("WSARecv %d: %v", i, err)
		}
	}
	for ; pending > 0; pending-- {
		i, n, ok := st.dequeue(t, v)
		if !ok {
			return
		}
		st.handle(v, i, n)
	}
	st.close(t)
}

// ImmediateFixed treats the port as the one place completions are
// reported: every receive that did not fail at once, whether it returned 0
// or WSA_IO_PENDING, is handled when its packet is dequeued. (The other
// correct design is to set FILE_SKIP_COMPLETION_PORT_ON_SUCCESS on the
// socket first; then an immediate success posts no packet and must be
// handled inline.)
func ImmediateFixed(t *emu.Thread, v *Verdict) {
	st, ok := immediateSetup(t, v)
	if !ok {
		return
	}
	outstanding := 0
	for i := range st.ovs {
		var n, fl uint32
		switch err := t.WSARecv(st.rx, buf1(st.bufs[i]), &n, &fl, st.ovs[i], nil); err {
		case nil, wso.WSA_IO_PENDING:
			outstanding++ // either way, one packet will come
		default:
			v.Breakf("WSARecv %d: %v", i, err)
		}
	}
	for ; outstanding > 0; outstanding-- {
		i, n, ok := st.dequeue(t, v)
		if !ok {
			return
		}
		st.handle(v, i, n)
	}
	st.close(t)
}

type immediateState struct {
	rx, tx  emu.SOCKET
	port    emu.Handle
	ovs     [3]*emu.Overlapped
	bufs    [3][]byte
	handled [3]int
}

func immediateSetup(t *emu.Thread, v *Verdict) (*immediateState, bool) {
	if !startup(t, v) {
		return nil, false
	}
	st := &immediateState{}
	var rxAddr netip.AddrPort
	var ok1, ok2 bool
	st.rx, rxAddr, ok1 = udpSocket(t, v)
	st.tx, _, ok2 = udpSocket(t, v)
	if !ok1 || !ok2 {
		return nil, false
	}
	port, err := t.CreateIoCompletionPort(emu.INVALID_HANDLE_VALUE, 0, 0, 0)
	if !v.setup("CreateIoCompletionPort", err) {
		return nil, false
	}
	if _, err := t.CreateIoCompletionPort(emu.Handle(st.rx), port, 1, 0); !v.setup("associate", err) {
		return nil, false
	}
	st.port = port
	for i, m := range immediateMsgs {
		sendTo(t, v, st.tx, rxAddr, m)
		st.ovs[i] = &emu.Overlapped{}
		st.bufs[i] = make([]byte, 8)
	}
	return st, true
}

// dequeue takes one packet and says which receive it is for.
func (st *immediateState) dequeue(t *emu.Thread, v *Verdict) (int, uint32, bool) {
	var n uint32
	var key uintptr
	var ov *emu.Overlapped
	if err := t.GetQueuedCompletionStatus(st.port, &n, &key, &ov, emu.INFINITE); err != nil {
		v.Breakf("GetQueuedCompletionStatus: %v", err)
		return 0, 0, false
	}
	for i, o := range st.ovs {
		if o == ov {
			return i, n, true
		}
	}
	v.Breakf("a packet for a record the program never used")
	return 0, 0, false
}

// handle is the program's "a receive finished" code: each receive must be
// handled once, with its own datagram.
func (st *immediateState) handle(v *Verdict, i int, n uint32) {
	st.handled[i]++
	if st.handled[i] > 1 {
		v.Breakf("the completion of receive %d was handled %d times", i, st.handled[i])
		return
	}
	if got := string(st.bufs[i][:min(int(n), len(st.bufs[i]))]); got != immediateMsgs[i] {
		v.Breakf("receive %d: got %q, want %q", i, got, immediateMsgs[i])
	}
}

func (st *immediateState) close(t *emu.Thread) {
	t.Closesocket(st.rx)
	t.Closesocket(st.tx)
	t.CloseHandle(st.port)
}
