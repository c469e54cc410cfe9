package emu

import (
	"testing"

	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
	"pgregory.net/rapid"
)

// Kernel handles are small non-zero multiples of four, distinct while
// open, and never the pseudo-handle or INVALID_HANDLE_VALUE.
func TestHandleValues(t *testing.T) {
	ktOne(t, func(th *Thread) {
		seen := map[Handle]string{th.Handle(): "main thread"}
		add := func(what string, h Handle) {
			if h == 0 || h%4 != 0 || h == INVALID_HANDLE_VALUE || h == th.GetCurrentThread() {
				t.Errorf("%s: handle %#x", what, uint64(h))
			}
			if prev, dup := seen[h]; dup {
				t.Errorf("%s got handle %#x, already given to %s", what, uint64(h), prev)
			}
			seen[h] = what
		}
		e1, _ := th.WSACreateEvent()
		add("WSACreateEvent", e1)
		add("CreateEvent", ktEvent(t, th, false, false))
		rh, wh, _ := th.CreatePipe(PipeOptions{})
		add("pipe read end", rh)
		add("pipe write end", wh)
		p, _ := th.CreateIoCompletionPort(INVALID_HANDLE_VALUE, 0, 0, 0)
		add("port", p)
		h, _ := th.CreateThread(func(*Thread) {})
		add("thread", h)
	})
}

// CloseHandle: the handle stops naming its object at once; the table
// reuses the freed value (most recently freed first), so a stale handle can
// come to name a new object — as on Windows, where using a closed handle is
// a bug exactly because of this.
func TestClosedHandleValueIsReused(t *testing.T) {
	ktOne(t, func(th *Thread) {
		a := ktEvent(t, th, true, false)
		b := ktEvent(t, th, true, false)
		th.CloseHandle(a)
		th.CloseHandle(b)
		if _, ok := th.System().EventState(a); ok {
			t.Error("closed handle still names its event")
		}
		c := ktEvent(t, th, true, true)
		d := ktEvent(t, th, true, false)
		if c != b || d != a {
			t.Errorf("new handles %#x, %#x; want the freed %#x, %#x (last freed first)", uint64(c), uint64(d), uint64(b), uint64(a))
		}
		// The stale value b now reaches the new, signalled event c.
		r, _ := th.WaitForSingleObject(b, 0)
		ktWait(t, "wait through a stale handle", r, wso.WAIT_OBJECT_0)
	})
}

// CloseHandle on a thread handle closes the handle only: the thread keeps
// running to its end, and its own code can still name it through
// GetCurrentThread.
func TestClosingThreadHandleDoesNotEndThread(t *testing.T) {
	finished := false
	ktOne(t, func(th *Thread) {
		ev := ktEvent(t, th, true, false)
		h, _ := th.CreateThread(func(b *Thread) {
			b.Sleep(10)
			if err := b.QueueUserAPC(func(*Thread, uintptr) { finished = true }, b.GetCurrentThread(), 0); err != nil {
				t.Error(err)
			}
			b.SleepEx(0, true)
			b.SetEvent(ev)
		})
		if err := th.CloseHandle(h); err != nil {
			t.Error(err)
		}
		r, _ := th.WaitForSingleObject(ev, INFINITE)
		ktWait(t, "wait for the closed-handle thread's signal", r, wso.WAIT_OBJECT_0)
	})
	if !finished {
		t.Error("the thread whose handle was closed did not run to its end")
	}
}

// Every kind of handle the kernel gives out can be closed with
// CloseHandle, once.
func TestCloseHandleEveryKind(t *testing.T) {
	ktOne(t, func(th *Thread) {
		rh, wh, _ := th.CreatePipe(PipeOptions{})
		p, _ := th.CreateIoCompletionPort(INVALID_HANDLE_VALUE, 0, 0, 0)
		h, _ := th.CreateThread(func(*Thread) {})
		e, _ := th.WSACreateEvent()
		for _, x := range []Handle{rh, wh, p, h, e} {
			if err := th.CloseHandle(x); err != nil {
				t.Errorf("CloseHandle(%#x): %v", uint64(x), err)
			}
			ktErr(t, "second CloseHandle", th.CloseHandle(x), wso.ERROR_INVALID_HANDLE)
		}
	})
}

// GetCurrentThread's pseudo-handle names the calling thread where a thread
// handle is taken (a wait on it sees a running thread: not signalled) and
// nothing else: it is not an event.
func TestPseudoHandleIsOnlyAThread(t *testing.T) {
	ktOne(t, func(th *Thread) {
		me := th.GetCurrentThread()
		r, _ := th.WaitForSingleObject(me, 0)
		ktWait(t, "poll of the calling thread", r, uint32(wso.WAIT_TIMEOUT))
		r, _ = th.WaitForSingleObject(me, 15)
		ktWait(t, "timed wait on the calling thread", r, uint32(wso.WAIT_TIMEOUT))
		ktErr(t, "SetEvent(pseudo-handle)", th.SetEvent(me), wso.ERROR_INVALID_HANDLE)
		ktErr(t, "WSACloseEvent(pseudo-handle)", th.WSACloseEvent(me), wso.WSA_INVALID_HANDLE)
		if err := th.CloseHandle(me); err != nil {
			t.Errorf("CloseHandle(pseudo-handle): %v", err)
		}
	})
}

// Model check of the handle table: after any sequence of adds and removes,
// every open handle names the object it was given for, closed ones name
// nothing, and open handles are distinct.
func TestHandleTableModel(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		var tab handleTable
		open := map[Handle]object{}
		var order []Handle
		steps := rapid.IntRange(1, 200).Draw(rt, "steps")
		for i := 0; i < steps; i++ {
			if len(order) == 0 || rapid.Bool().Draw(rt, "add") {
				o := &event{}
				h := tab.add(o)
				if _, dup := open[h]; dup {
					rt.Fatalf("handle %#x given twice", uint64(h))
				}
				if h == 0 || h%4 != 0 {
					rt.Fatalf("handle %#x", uint64(h))
				}
				open[h] = o
				order = append(order, h)
				continue
			}
			j := rapid.IntRange(0, len(order)-1).Draw(rt, "close")
			h := order[j]
			order = append(order[:j], order[j+1:]...)
			if got := tab.remove(h); got != open[h] {
				rt.Fatalf("remove(%#x) returned the wrong object", uint64(h))
			}
			delete(open, h)
			if tab.get(h) != nil || tab.remove(h) != nil {
				rt.Fatalf("handle %#x still resolves after remove", uint64(h))
			}
		}
		for h, o := range open {
			if tab.get(h) != o {
				rt.Fatalf("handle %#x resolves to the wrong object", uint64(h))
			}
		}
		for _, h := range []Handle{0, 1, 2, 3, 5, INVALID_HANDLE_VALUE, currentThreadPseudoHandle, Handle(4 * (len(tab.slots) + 1))} {
			if tab.get(h) != nil {
				rt.Fatalf("get(%#x) found an object", uint64(h))
			}
		}
	})
}
