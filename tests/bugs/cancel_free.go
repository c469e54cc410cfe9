package bugs

import (
	"github.com/wsaemu/wsaemu/emu"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// An OVERLAPPED (and its buffer) freed right after CancelIoEx on a TCP
// socket, before the cancelled receive has completed.
//
// CancelIoEx asks for a cancel and returns; it does not wait for the
// operation to end. Until the receive has completed, as aborted or, if the
// cancel lost the race, with data, the system still owns its record and
// its buffer and will write the status, the byte count and the bytes into
// them. Freeing them at once (a timeout handler that cancels and then
// drops its per-operation state, a destructor that cancels and frees)
// lets the late completion write into memory that has been given to
// something else. Usually the cancel takes effect within the call and the
// program gets away with it.
//
// Real projects: AsyncIO, the C# socket library under NetMQ, disposed the
// pinned buffer and the overlapped state of a pending receive right after
// CancelIoEx and closesocket (somdoron/AsyncIO issue #26, and pull request
// #13 for the record); pjsip's IOCP ioqueue let Windows write into a freed
// WSAOVERLAPPED of a cancelled operation (pjsip/pjproject issue #985);
// demikernel's Windows backend fixed the same use-after-free
// (microsoft/demikernel pull request #1149).
//
// The sanitizer names the release: wsaoverlapped.release-while-pending.
//
// Clauses: wsaoverlapped.release-while-pending, cancelioex.no-reuse-until-done,
// canceling-io.reuse-after-completion.

// CancelFreeBuggy cancels a receive that timed out and frees its record
// and buffer at once.
func CancelFreeBuggy(t *emu.Thread, v *Verdict) { cancelFreeRun(t, v, false) }

// CancelFreeFixed waits, after CancelIoEx, for the receive to complete
// (aborted, or with the data if the cancel lost) before freeing.
func CancelFreeFixed(t *emu.Thread, v *Verdict) { cancelFreeRun(t, v, true) }

// cancelFreeRun: a connection whose server answers only after 20 ms; the
// client gives its receive 10 ms, then cancels it.
func cancelFreeRun(t *emu.Thread, v *Verdict, wait bool) {
	l, c, s, ok := tcpAccepted(t, v)
	if !ok {
		return
	}
	server := spawn(t, v, func(t *emu.Thread) {
		t.Sleep(20)
		var n uint32
		t.WSASend(s, buf1([]byte("late")), &n, 0, nil, nil) // the client may be gone
	})
	ev, err := t.WSACreateEvent()
	if !v.setup("WSACreateEvent", err) {
		return
	}
	ov := &emu.Overlapped{HEvent: ev}
	buf := make([]byte, 16)
	var n, fl uint32
	if err := t.WSARecv(c, buf1(buf), &n, &fl, ov, nil); !pendingOK(err) {
		v.Breakf("WSARecv: %v", err)
	} else if r, _ := t.WaitForSingleObject(ev, 10); r == uint32(wso.WAIT_TIMEOUT) {
		t.CancelIoEx(emu.Handle(c), ov)
		if wait {
			// The record and the buffer are the system's until the
			// receive has completed, however it ends.
			switch err := t.WSAGetOverlappedResult(c, ov, &n, true, &fl); err {
			case nil, wso.WSA_OPERATION_ABORTED:
			default:
				v.Breakf("the cancelled receive ended with %v", err)
			}
		}
		// BUG (without wait): the receive may still be under way.
	}
	t.ReleaseOverlapped(ov)
	t.ReleaseBuffer(buf)
	join(t, v, server)
	t.Closesocket(c)
	t.Closesocket(s)
	t.Closesocket(l)
	t.WSACloseEvent(ev)
}
