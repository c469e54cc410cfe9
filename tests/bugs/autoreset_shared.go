package bugs

import (
	"github.com/wsaemu/wsaemu/emu"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// An auto-reset event shared between an operation's completion and a
// result wait loses a wake-up.
//
// The system signals hEvent once when the operation completes. With an
// auto-reset event that one signal releases exactly one waiter and is
// gone. If two parties wait for it (a monitor thread that waits on every
// operation's event to learn that something finished, and the issuing
// thread calling WSAGetOverlappedResult with fWait=TRUE, which also waits
// on hEvent), whichever started waiting second sleeps for ever. The pages
// ask for a manual-reset event in the record for this reason.
// Ground-truth.md lists this among the bugs real projects (Go, libuv, mio,
// CPython, .NET, Asio) shipped.
//
// Whether both wait depends on whether the datagram arrives before or
// after the result query: a schedule question (under the usual one it
// arrives before, and the bug hides). When both do, the emulator
// reports the deadlock (*emu.DeadlockError) and says what each blocked
// thread waits for.
//
// Clauses: sync-overlapped-io.autoreset-result-wait,
// overlapped.hevent.autoreset-consumed, wsaoverlapped.hevent.event.

const autoresetMsg = "tick"

// AutoresetBuggy gives its receive an auto-reset event that a monitor
// thread also waits on, and waits for the result with fWait=TRUE.
func AutoresetBuggy(t *emu.Thread, v *Verdict) {
	// BUG: an auto-reset event in the record, with two waiters.
	ev, err := t.CreateEvent(false, false)
	if !v.setup("CreateEvent", err) {
		return
	}
	autoresetRun(t, v, ev)
}

// AutoresetFixed gives the record a manual-reset event: the one signal
// releases every waiter and stays set.
func AutoresetFixed(t *emu.Thread, v *Verdict) {
	ev, err := t.WSACreateEvent() // manual-reset
	if !v.setup("WSACreateEvent", err) {
		return
	}
	autoresetRun(t, v, ev)
}

func autoresetRun(t *emu.Thread, v *Verdict, ev emu.Handle) {
	if !startup(t, v) {
		return
	}
	rx, rxAddr, ok1 := udpSocket(t, v)
	tx, _, ok2 := udpSocket(t, v)
	if !ok1 || !ok2 {
		return
	}
	ov := &emu.Overlapped{HEvent: ev}
	buf := make([]byte, 16)
	var n, fl uint32
	if err := t.WSARecv(rx, buf1(buf), &n, &fl, ov, nil); err != nil && err != wso.WSA_IO_PENDING {
		v.Breakf("WSARecv: %v", err)
		return
	}
	monitor := spawn(t, v, func(t *emu.Thread) {
		// The monitor learns from the event that the receive finished.
		if _, err := t.WaitForSingleObject(ev, emu.INFINITE); err != nil {
			v.Breakf("monitor's wait: %v", err)
		}
	})
	sender := spawn(t, v, func(t *emu.Thread) { sendTo(t, v, tx, rxAddr, autoresetMsg) })
	t.SleepEx(0, false) // other work; the datagram is usually here by now
	if err := t.WSAGetOverlappedResult(rx, ov, &n, true, &fl); err != nil {
		v.Breakf("WSAGetOverlappedResult: %v", err)
	} else if string(buf[:n]) != autoresetMsg {
		v.Breakf("received %q, want %q", buf[:n], autoresetMsg)
	}
	join(t, v, monitor, sender)
	t.Closesocket(rx)
	t.Closesocket(tx)
	t.CloseHandle(ev)
}
