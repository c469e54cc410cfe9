package bugs

import (
	"math"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/provider"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// Losing the events of a superseded AFD poll.
//
// A poller built on IOCTL_AFD_POLL keeps one poll outstanding per
// socket. A poll cannot be changed once issued, so when the program's
// interest grows the poller cancels the old poll and issues a new one
// with the wider set. Doing both at once leaves two polls outstanding on
// one socket, which Windows handles badly (python-trio/trio issue 52:
// polls on one socket with different interests report each other's
// events; piscisaureus/wepoll issue 35: events lost when two polls of one
// port watch the same socket). So wepoll waits until the old poll has
// come back before it issues the new one, and so does the program here.
//
// The mistake is in how it recognises the old poll coming back: it
// waits for a packet with STATUS_CANCELLED and takes any other packet of
// the superseded poll for a stale leftover of an interest it no longer
// has, and drops it. But a cancel does not always win: a poll whose
// condition held before the cancel reached it completes normally, with
// its events, and no STATUS_CANCELLED packet follows (CancelIoEx: "the
// operation may complete normally"; NtCancelIoFileEx then reports
// STATUS_NOT_FOUND). The dropped packet was the only one: its events are
// lost, the new poll is never issued, and the program waits for ever.
// wepoll's and mio's handlers instead take any packet of a poll as its
// end, and read the status block to see whether it was cancelled or
// carries events.
//
// The client below connects, polls for data, then widens its interest
// to data and the peer's close; the server sends one message and closes.
// Under the usual schedule the cancel takes effect at once and the
// server runs only when the client waits for the new poll. When the
// server's message arrives before the cancel does (the server runs
// first, or the cancel is still under way when the data lands), the
// buggy client drops the success packet and waits for a cancellation
// that never comes: a deadlock.
//
// Clauses: cancelioex.may-complete-normally, afd.poll.only-signalled,
// afd.poll.pending-then-completes.

// AFDRearmBuggy waits for STATUS_CANCELLED as the only end of a
// superseded poll.
func AFDRearmBuggy(t *emu.Thread, v *Verdict) { afdRearmRun(t, v, false) }

// AFDRearmFixed takes any packet of the superseded poll as its end, and
// its events, if it carries any, as events.
func AFDRearmFixed(t *emu.Thread, v *Verdict) { afdRearmRun(t, v, true) }

func afdRearmRun(t *emu.Thread, v *Verdict, fixed bool) {
	if !startup(t, v) {
		return
	}
	l, addr, ok := tcpListener(t, v)
	if !ok {
		return
	}
	server := spawn(t, v, func(t *emu.Thread) {
		a, err := t.Accept(l, nil, nil)
		if !v.setup("accept", err) {
			return
		}
		sendAll(t, v, a, "hello")
		v.setup("server closesocket", t.Closesocket(a))
	})
	c, ok := tcpConnect(t, v, addr)
	if !ok {
		return
	}
	port, err := t.CreateIoCompletionPort(emu.INVALID_HANDLE_VALUE, 0, 0, 0)
	if !v.setup("CreateIoCompletionPort", err) {
		return
	}
	if !associate(t, v, c, port, 1) {
		return
	}
	type poll struct {
		iosb *emu.Overlapped
		out  *emu.AFD_POLL_INFO
	}
	issue := func(events uint32) (*poll, bool) {
		p := &poll{iosb: &emu.Overlapped{}, out: &emu.AFD_POLL_INFO{Handles: make([]emu.AFD_POLL_HANDLE_INFO, 1)}}
		in := &emu.AFD_POLL_INFO{Timeout: math.MaxInt64, NumberOfHandles: 1,
			Handles: []emu.AFD_POLL_HANDLE_INFO{{Handle: emu.Handle(c), Events: events}}}
		st, err := t.NtDeviceIoControlFile(emu.Handle(c), 0, p.iosb, emu.IOCTL_AFD_POLL, in, p.out)
		if !v.setup("IOCTL_AFD_POLL", err) {
			return nil, false
		}
		if st != wso.STATUS_SUCCESS && st != wso.STATUS_PENDING {
			v.Breakf("IOCTL_AFD_POLL: %v", st)
			return nil, false
		}
		return p, true
	}
	// dequeue takes one packet and returns its record.
	dequeue := func() (*emu.Overlapped, bool) {
		var n uint32
		var key uintptr
		var ov *emu.Overlapped
		err := t.GetQueuedCompletionStatus(port, &n, &key, &ov, emu.INFINITE)
		if ov == nil {
			v.Breakf("GetQueuedCompletionStatus: %v", err)
			return nil, false
		}
		return ov, true
	}
	got := ""
	ended := false
	buf := make([]byte, 16)
	// drain reads what is there, until a receive would block or the
	// stream ends.
	drain := func() {
		for !ended {
			var n, fl uint32
			err := t.WSARecv(c, buf1(buf), &n, &fl, nil, nil)
			if err == wso.WSAEWOULDBLOCK {
				return
			}
			if err != nil || n == 0 {
				ended = true
				return
			}
			got += string(buf[:n])
		}
	}
	var one = []byte{1, 0, 0, 0}
	var ret uint32
	if !v.setup("FIONBIO", t.WSAIoctl(c, provider.FIONBIO, one, nil, &ret, nil, nil)) {
		return
	}

	// The first interest: data.
	old, ok := issue(emu.AFD_POLL_RECEIVE)
	if !ok {
		return
	}
	// The interest widens: data or the peer's close. Cancel the old poll
	// and wait until it has come back before issuing the new one.
	t.NtCancelIoFileEx(emu.Handle(c), old.iosb)
	for {
		ov, ok := dequeue()
		if !ok {
			return
		}
		if ov != old.iosb {
			v.Breakf("a packet for a record that was never issued")
			return
		}
		st := wso.NTStatus(ov.LoadInternal())
		if st == wso.STATUS_CANCELLED {
			break // the old poll is over
		}
		if !fixed {
			// BUG: a superseded poll that did not come back cancelled is
			// taken for a leftover; its events are dropped and the loop
			// waits for a cancellation that will not come.
			continue
		}
		if st == wso.STATUS_SUCCESS && old.out.NumberOfHandles > 0 {
			drain() // the old poll's events are events
		}
		break
	}
	const wide = emu.AFD_POLL_RECEIVE | emu.AFD_POLL_DISCONNECT | emu.AFD_POLL_ABORT
	for !ended {
		p, ok := issue(wide)
		if !ok {
			return
		}
		ov, ok := dequeue()
		if !ok {
			return
		}
		if ov != p.iosb {
			v.Breakf("a packet for a poll that is not outstanding")
			return
		}
		if wso.NTStatus(ov.LoadInternal()) == wso.STATUS_SUCCESS && p.out.NumberOfHandles > 0 {
			drain()
		}
	}
	if got != "hello" {
		v.Breakf("client read %q, want \"hello\"", got)
	}
	join(t, v, server)
	t.Closesocket(c)
	t.Closesocket(l)
	t.CloseHandle(port)
}
