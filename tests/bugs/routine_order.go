package bugs

import (
	"net/netip"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/provider"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// Assuming that completion routines run in issue order, or never inside
// another Winsock call's alertable wait.
//
// The pages say the system may call waiting completion routines in any
// order; all that is promised is that datagrams fill the receives in the
// order they were posted. A routine must find its own operation from its
// lpOverlapped argument (or its context), not from a counter of routines
// seen so far. And a routine runs in any alertable wait of its thread,
// which includes the wait inside a blocking Winsock call: a routine written
// on the assumption that it only runs from the main loop's SleepEx, and
// that therefore makes a blocking Winsock call itself, is making a
// blocking call inside an APC that interrupted a blocking call on the same
// thread, which the WSASend/WSARecv pages call undefined. Ground-truth.md
// lists both assumptions among the bugs real projects (Go, libuv, mio,
// CPython, .NET, Asio) shipped.
//
// Two pairs show the two halves. RoutineOrder*: the emulator's Chooser
// picks the order in which one alertable wait runs several queued routines
// (usually first-in first-out, which hides the bug). RoutineReentry*: the
// Chooser picks which of two senders goes first, and with it whether the
// routine runs in the main loop or inside the blocking receive; the
// sanitizer reports the nested blocking call with its clause.
//
// Clauses: lpoverlapped-completion-routine.any-order, wsasendmsg.routine.any-order,
// wsarecv.fill-order, wsarecv.blocking.alertable-wait,
// wsasendmsg.blocking.apc-reentry-undefined.

// routineMsgs have different lengths, so that a routine that takes another
// receive's buffer reads the wrong bytes.
var routineMsgs = [3]string{"a", "bb", "ccc"}

// RoutineOrderBuggy posts three receives with one routine that assumes
// the k-th call is for the k-th receive.
func RoutineOrderBuggy(t *emu.Thread, v *Verdict) {
	st, ok := routineOrderSetup(t, v)
	if !ok {
		return
	}
	calls := 0
	routine := func(e, n uint32, _ *emu.Overlapped, _ uint32) {
		// BUG: routines need not run in the order the receives were
		// posted; this one may be reporting on another receive.
		k := calls
		calls++
		st.got[k] = string(st.bufs[k][:min(int(n), len(st.bufs[k]))])
	}
	if !st.post(t, v, routine) {
		return
	}
	for calls < len(st.bufs) {
		t.SleepEx(emu.INFINITE, true)
	}
	st.finish(t, v)
}

// RoutineOrderFixed finds the receive a routine reports on from its
// lpOverlapped argument.
func RoutineOrderFixed(t *emu.Thread, v *Verdict) {
	st, ok := routineOrderSetup(t, v)
	if !ok {
		return
	}
	calls := 0
	routine := func(e, n uint32, ov *emu.Overlapped, _ uint32) {
		calls++
		for k, o := range st.ovs {
			if o == ov {
				st.got[k] = string(st.bufs[k][:min(int(n), len(st.bufs[k]))])
				return
			}
		}
		v.Breakf("a routine for a record the program never used")
	}
	if !st.post(t, v, routine) {
		return
	}
	for calls < len(st.bufs) {
		t.SleepEx(emu.INFINITE, true)
	}
	st.finish(t, v)
}

type routineOrderState struct {
	rx, tx emu.SOCKET
	rxAddr netip.AddrPort
	ovs    [3]*emu.Overlapped
	bufs   [3][]byte
	got    [3]string
	sender emu.Handle
}

func routineOrderSetup(t *emu.Thread, v *Verdict) (*routineOrderState, bool) {
	if !startup(t, v) {
		return nil, false
	}
	st := &routineOrderState{}
	var ok1, ok2 bool
	st.rx, st.rxAddr, ok1 = udpSocket(t, v)
	st.tx, _, ok2 = udpSocket(t, v)
	if !ok1 || !ok2 {
		return nil, false
	}
	for i := range st.bufs {
		st.bufs[i] = make([]byte, 8)
		st.ovs[i] = &emu.Overlapped{}
	}
	return st, true
}

// post posts the three receives, then starts the thread that sends the
// three datagrams in order.
func (st *routineOrderState) post(t *emu.Thread, v *Verdict, routine emu.WSACompletionRoutine) bool {
	for i := range st.bufs {
		var n, fl uint32
		if err := t.WSARecv(st.rx, buf1(st.bufs[i]), &n, &fl, st.ovs[i], routine); err != nil && err != wso.WSA_IO_PENDING {
			v.Breakf("WSARecv %d: %v", i, err)
			return false
		}
	}
	tx, to := st.tx, st.rxAddr
	st.sender = spawn(t, v, func(t *emu.Thread) {
		for _, m := range routineMsgs {
			sendTo(t, v, tx, to, m)
		}
	})
	return true
}

func (st *routineOrderState) finish(t *emu.Thread, v *Verdict) {
	if st.got != routineMsgs {
		v.Breakf("the receives got %q, the datagrams were %q", st.got, routineMsgs)
	}
	join(t, v, st.sender)
	t.Closesocket(st.rx)
	t.Closesocket(st.tx)
}

// RoutineReentryBuggy posts a receive with a routine that answers each
// datagram with a blocking sendto, then waits for a control datagram with a
// blocking recv, and only then enters its alertable main loop.
func RoutineReentryBuggy(t *emu.Thread, v *Verdict) {
	st, ok := reentrySetup(t, v)
	if !ok {
		return
	}
	replied := false
	routine := func(e, n uint32, _ *emu.Overlapped, _ uint32) {
		// BUG: written as if routines only ran in the main loop's
		// SleepEx; this one may run inside the blocking WSARecv below,
		// and then its blocking send is a blocking Winsock call inside
		// an APC that interrupted one.
		ack := []byte("ack")
		var sent uint32
		if err := t.WSASendTo(st.data, buf1(ack), &sent, 0, &st.replyTo, provider.SizeofSockaddrInet4, nil, nil); err != nil {
			v.Breakf("reply: %v", err)
		}
		replied = true
	}
	if !st.run(t, v, routine) {
		return
	}
	for !replied {
		t.SleepEx(emu.INFINITE, true)
	}
	st.finish(t, v)
}

// RoutineReentryFixed's routine does not block: it posts the reply as an
// overlapped send with a routine of its own, which the pages allow from a
// completion routine.
func RoutineReentryFixed(t *emu.Thread, v *Verdict) {
	st, ok := reentrySetup(t, v)
	if !ok {
		return
	}
	replied := false
	ack := []byte("ack")
	sov := &emu.Overlapped{}
	routine := func(e, n uint32, _ *emu.Overlapped, _ uint32) {
		var sent uint32
		err := t.WSASendTo(st.data, buf1(ack), &sent, 0, &st.replyTo, provider.SizeofSockaddrInet4, sov, func(uint32, uint32, *emu.Overlapped, uint32) {
			replied = true
		})
		if err != nil && err != wso.WSA_IO_PENDING {
			v.Breakf("reply: %v", err)
			replied = true
		}
	}
	if !st.run(t, v, routine) {
		return
	}
	for !replied {
		t.SleepEx(emu.INFINITE, true)
	}
	st.finish(t, v)
}

type reentryState struct {
	data, control, tx1, tx2 emu.SOCKET
	replyTo                 netip.AddrPort
	threads                 [2]emu.Handle
}

func reentrySetup(t *emu.Thread, v *Verdict) (*reentryState, bool) {
	if !startup(t, v) {
		return nil, false
	}
	st := &reentryState{}
	var ok [4]bool
	st.data, _, ok[0] = udpSocket(t, v)
	st.control, _, ok[1] = udpSocket(t, v)
	st.tx1, st.replyTo, ok[2] = udpSocket(t, v)
	st.tx2, _, ok[3] = udpSocket(t, v)
	return st, ok[0] && ok[1] && ok[2] && ok[3]
}

// run posts the data receive with routine, starts one thread that sends
// the control datagram and one that sends the data datagram (in that
// order, so that under the usual schedule the control datagram comes
// first and the routine runs in the main loop), and waits
// for the control datagram with a blocking receive (which waits
// alertably, as Winsock's blocking calls do).
func (st *reentryState) run(t *emu.Thread, v *Verdict, routine emu.WSACompletionRoutine) bool {
	dataAddr, err1 := t.Getsockname(st.data)
	controlAddr, err2 := t.Getsockname(st.control)
	if !v.setup("getsockname", err1) || !v.setup("getsockname", err2) {
		return false
	}
	buf := make([]byte, 16)
	var n, fl uint32
	if err := t.WSARecv(st.data, buf1(buf), &n, &fl, &emu.Overlapped{}, routine); err != nil && err != wso.WSA_IO_PENDING {
		v.Breakf("WSARecv: %v", err)
		return false
	}
	tx1, tx2 := st.tx1, st.tx2
	st.threads[0] = spawn(t, v, func(t *emu.Thread) { sendTo(t, v, tx2, controlAddr, "go") })
	st.threads[1] = spawn(t, v, func(t *emu.Thread) { sendTo(t, v, tx1, dataAddr, "data") })
	cbuf := make([]byte, 16)
	if err := t.WSARecv(st.control, buf1(cbuf), &n, &fl, nil, nil); err != nil {
		v.Breakf("blocking WSARecv: %v", err)
		return false
	}
	return true
}

func (st *reentryState) finish(t *emu.Thread, v *Verdict) {
	join(t, v, st.threads[0], st.threads[1])
	for _, h := range []emu.SOCKET{st.data, st.control, st.tx1, st.tx2} {
		t.Closesocket(h)
	}
}
