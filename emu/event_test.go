package emu

import (
	"testing"

	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// WSACreateEvent: the event "is created in the nonsignaled state" and is
// manual-reset — WSASetEvent signals it, it stays signalled through any
// number of satisfied waits, WSAResetEvent clears it, and WSACloseEvent
// closes the handle.
func TestWSACreateEventIsManualResetNonSignalled(t *testing.T) {
	s := ktOne(t, func(th *Thread) {
		s := th.System()
		ev, err := th.WSACreateEvent()
		if err != nil || ev == 0 {
			t.Errorf("WSACreateEvent = %#x, %v", uint64(ev), err)
			return
		}
		if ktSignalled(t, s, ev) {
			t.Error("new event is signalled")
		}
		r, _ := th.WSAWaitForMultipleEvents([]Handle{ev}, false, 0, false)
		ktWait(t, "poll of a new event", r, wso.WSA_WAIT_TIMEOUT)

		if err := th.WSASetEvent(ev); err != nil {
			t.Errorf("WSASetEvent: %v", err)
		}
		for i := 0; i < 3; i++ {
			r, _ = th.WaitForSingleObject(ev, 0)
			ktWait(t, "wait on a set manual-reset event", r, wso.WAIT_OBJECT_0)
		}
		if !ktSignalled(t, s, ev) {
			t.Error("a satisfied wait reset a manual-reset event")
		}
		if err := th.WSAResetEvent(ev); err != nil {
			t.Errorf("WSAResetEvent: %v", err)
		}
		if ktSignalled(t, s, ev) {
			t.Error("WSAResetEvent left the event signalled")
		}
		// Reset of a reset event and set of a set event are fine.
		if err := th.WSAResetEvent(ev); err != nil {
			t.Errorf("WSAResetEvent twice: %v", err)
		}
		th.WSASetEvent(ev)
		if err := th.WSASetEvent(ev); err != nil {
			t.Errorf("WSASetEvent twice: %v", err)
		}
		if err := th.WSACloseEvent(ev); err != nil {
			t.Errorf("WSACloseEvent: %v", err)
		}
		if _, ok := s.EventState(ev); ok {
			t.Error("the handle still names an event after WSACloseEvent")
		}
		ktErr(t, "WSASetEvent after close", th.WSASetEvent(ev), wso.WSA_INVALID_HANDLE)
		ktErr(t, "WSAResetEvent after close", th.WSAResetEvent(ev), wso.WSA_INVALID_HANDLE)
	})
	if n := ktCount(s.Trace(), EvSignal, "event"); n != 3 {
		t.Errorf("%d signal events in the trace, want 3", n)
	}
	if n := ktCount(s.Trace(), EvReset, "event"); n != 2 {
		t.Errorf("%d reset events in the trace, want 2", n)
	}
}

// CreateEvent: an auto-reset event is reset by the system after releasing
// one waiter; an initial state of TRUE starts it signalled. The reset is
// traced as its own event.
func TestCreateEventAutoReset(t *testing.T) {
	s := ktOne(t, func(th *Thread) {
		ev := ktEvent(t, th, false, true)
		r, _ := th.WaitForSingleObject(ev, 0)
		ktWait(t, "first wait on an initially set auto-reset event", r, wso.WAIT_OBJECT_0)
		r, _ = th.WaitForSingleObject(ev, 0)
		ktWait(t, "second wait", r, uint32(wso.WAIT_TIMEOUT))
		// Setting an auto-reset event nobody waits on keeps it set.
		th.SetEvent(ev)
		th.SetEvent(ev)
		if !ktSignalled(t, th.System(), ev) {
			t.Error("auto-reset event with no waiter lost its signal")
		}
		r, _ = th.WaitForSingleObject(ev, 0)
		ktWait(t, "wait after two SetEvents", r, wso.WAIT_OBJECT_0)
		r, _ = th.WaitForSingleObject(ev, 0)
		ktWait(t, "two sets make one signal", r, uint32(wso.WAIT_TIMEOUT))
		manual := ktEvent(t, th, true, true)
		if !ktSignalled(t, th.System(), manual) {
			t.Error("manual-reset event created set is not signalled")
		}
	})
	if n := ktCount(s.Trace(), EvReset, "event(auto)"); n != 2 {
		t.Errorf("%d automatic resets in the trace, want 2", n)
	}
}

// WSASetEvent / WSAResetEvent / WSACloseEvent: WSA_INVALID_HANDLE when
// "the hEvent parameter is not a valid event object handle" — a handle
// that is not open, or that names something other than an event (a thread,
// a pipe end, GetCurrentThread's pseudo-handle). Such a failure closes
// nothing.
func TestEventCallsRejectNonEvents(t *testing.T) {
	ktOne(t, func(th *Thread) {
		closed, _ := th.WSACreateEvent()
		th.WSACloseEvent(closed)
		rh, wh, err := th.CreatePipe(PipeOptions{})
		if err != nil {
			t.Error(err)
			return
		}
		other, _ := th.CreateThread(func(*Thread) {})
		bad := map[string]Handle{
			"NULL":           0,
			"closed event":   closed,
			"thread":         other,
			"pipe read end":  rh,
			"pipe write end": wh,
			"pseudo-handle":  th.GetCurrentThread(),
		}
		for name, h := range bad {
			th.SetLastError(0)
			ktErr(t, "WSASetEvent("+name+")", th.WSASetEvent(h), wso.WSA_INVALID_HANDLE)
			ktErr(t, "WSAResetEvent("+name+")", th.WSAResetEvent(h), wso.WSA_INVALID_HANDLE)
			ktErr(t, "SetEvent("+name+")", th.SetEvent(h), wso.ERROR_INVALID_HANDLE)
			ktErr(t, "ResetEvent("+name+")", th.ResetEvent(h), wso.ERROR_INVALID_HANDLE)
			ktErr(t, "WSACloseEvent("+name+")", th.WSACloseEvent(h), wso.WSA_INVALID_HANDLE)
			if th.WSAGetLastError() != wso.WSA_INVALID_HANDLE {
				t.Errorf("%s: WSAGetLastError = %v", name, th.WSAGetLastError())
			}
		}
		// The non-events are still open: WSACloseEvent did not close them.
		r, _ := th.WaitForSingleObject(other, INFINITE)
		ktWait(t, "wait on the thread after a refused WSACloseEvent", r, wso.WAIT_OBJECT_0)
		for _, h := range []Handle{other, rh, wh} {
			if err := th.CloseHandle(h); err != nil {
				t.Errorf("CloseHandle(%#x) after a refused WSACloseEvent: %v", uint64(h), err)
			}
		}
	})
}

// CloseHandle: closing a handle that is already closed fails with
// ERROR_INVALID_HANDLE (and so does WSACloseEvent).
func TestCloseEventTwice(t *testing.T) {
	ktOne(t, func(th *Thread) {
		ev := ktEvent(t, th, true, false)
		if err := th.CloseHandle(ev); err != nil {
			t.Errorf("first CloseHandle: %v", err)
			return
		}
		th.SetLastError(0)
		ktErr(t, "second CloseHandle", th.CloseHandle(ev), wso.ERROR_INVALID_HANDLE)
		if th.GetLastError() != wso.ERROR_INVALID_HANDLE {
			t.Errorf("GetLastError = %v", th.GetLastError())
		}
		ktErr(t, "WSACloseEvent of the closed handle", th.WSACloseEvent(ev), wso.WSA_INVALID_HANDLE)
		ktErr(t, "CloseHandle(NULL)", th.CloseHandle(0), wso.ERROR_INVALID_HANDLE)

		w, _ := th.WSACreateEvent()
		if err := th.WSACloseEvent(w); err != nil {
			t.Error(err)
			return
		}
		ktErr(t, "CloseHandle after WSACloseEvent", th.CloseHandle(w), wso.ERROR_INVALID_HANDLE)
	})
}

// A successful call leaves the thread's last error alone (the Win32
// convention the emulator follows unless a page says otherwise).
func TestEventSuccessKeepsLastError(t *testing.T) {
	ktOne(t, func(th *Thread) {
		th.SetLastError(wso.ERROR_GEN_FAILURE)
		ev, _ := th.WSACreateEvent()
		th.WSASetEvent(ev)
		th.WSAResetEvent(ev)
		th.WSACloseEvent(ev)
		if th.GetLastError() != wso.ERROR_GEN_FAILURE {
			t.Errorf("last error changed to %v by successful calls", th.GetLastError())
		}
	})
}
