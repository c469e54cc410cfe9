package bugs

import (
	"github.com/wsaemu/wsaemu/emu"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// Polling HasOverlappedIoCompleted after a synchronous failure.
//
// HasOverlappedIoCompleted only reads Internal, and Internal says
// something only about an operation that pended. An operation that fails
// at once (ReadFile on a pipe whose writer has gone: ERROR_BROKEN_PIPE)
// queues no completion and leaves the record as it was: with Windows' own
// I/O manager Internal keeps the STATUS_PENDING written just before the
// request was refused, so the macro says "not yet" for ever; with a
// provider that checks first, Internal keeps whatever the record held
// before, and the macro says "done" about an old result. A program that
// ignores the call's return value and polls the record spins (or reads a
// stale result). Ground-truth.md lists this among the bugs real projects
// (Go, libuv, mio, CPython, .NET, Asio) shipped.
//
// The writer below closes its end once the reader has acknowledged the
// message. Whether the reader's next read pends (and then completes with
// ERROR_BROKEN_PIPE, which polling does see) or fails at once depends on
// whether it is issued before or after the close: a schedule question
// (under the usual one the reader goes first, and the bug hides). The
// buggy program has a watchdog: after 100 ms of polling it gives up and
// reports itself hung.
//
// Clauses: sync-overlapped-io.has-completed-poll, wsarecv.error.no-completion,
// wsasendmsg.return.error-no-completion.

const pollMsg = "payload"

// PollBuggy reads a pipe until the writer goes away; whatever ReadFile
// returns, it polls the record until HasOverlappedIoCompleted says the
// read is done, then asks GetOverlappedResult how it ended.
func PollBuggy(t *emu.Thread, v *Verdict) {
	st, ok := pollSetup(t, v)
	if !ok {
		return
	}
	for {
		var n uint32
		// BUG: the return value is ignored; a read that fails at once
		// never completes, so the record never says it has.
		t.ReadFile(st.r, st.buf, &n, st.ov)
		waited := 0
		for !wso.HasOverlappedIoCompleted(st.ov) {
			if waited >= 100 {
				v.Breakf("hung: HasOverlappedIoCompleted still false after %d ms of polling", waited)
				st.finish(t, v)
				return
			}
			t.SleepEx(10, true)
			waited += 10
		}
		err := t.GetOverlappedResult(st.r, st.ov, &n, false)
		if err == wso.ERROR_BROKEN_PIPE {
			break
		}
		if err != nil {
			v.Breakf("read: %v", err)
			break
		}
		st.got = append(st.got, st.buf[:n]...)
		t.SetEvent(st.ack)
	}
	st.finish(t, v)
}

// PollFixed looks at ReadFile's return first: only a read that completed
// or pended has a completion to poll for; any other error is the read's
// result.
func PollFixed(t *emu.Thread, v *Verdict) {
	st, ok := pollSetup(t, v)
	if !ok {
		return
	}
	for {
		var n uint32
		err := t.ReadFile(st.r, st.buf, &n, st.ov)
		if err == wso.ERROR_IO_PENDING {
			for !wso.HasOverlappedIoCompleted(st.ov) {
				t.SleepEx(10, true)
			}
			err = t.GetOverlappedResult(st.r, st.ov, &n, false)
		}
		if err == wso.ERROR_BROKEN_PIPE {
			break
		}
		if err != nil {
			v.Breakf("read: %v", err)
			break
		}
		st.got = append(st.got, st.buf[:n]...)
		t.SetEvent(st.ack)
	}
	st.finish(t, v)
}

type pollState struct {
	r, ev  emu.Handle
	ack    emu.Handle // set by the reader after each piece of data
	ov     *emu.Overlapped
	buf    []byte
	got    []byte
	writer emu.Handle
}

// pollSetup makes a byte pipe and a thread that writes one message and
// closes its end once the reader has acknowledged it.
func pollSetup(t *emu.Thread, v *Verdict) (*pollState, bool) {
	r, w, err := t.CreatePipe(emu.PipeOptions{})
	if !v.setup("CreatePipe", err) {
		return nil, false
	}
	ev, err := t.CreateEvent(true, false)
	if !v.setup("CreateEvent", err) {
		return nil, false
	}
	ack, err := t.CreateEvent(false, false)
	if !v.setup("CreateEvent", err) {
		return nil, false
	}
	st := &pollState{r: r, ev: ev, ack: ack, ov: &emu.Overlapped{HEvent: ev}, buf: make([]byte, 16)}
	st.writer = spawn(t, v, func(t *emu.Thread) {
		wev, _ := t.CreateEvent(true, false)
		wov := &emu.Overlapped{HEvent: wev}
		var n uint32
		if err := t.WriteFile(w, []byte(pollMsg), &n, wov); err != nil && err != wso.ERROR_IO_PENDING {
			v.Breakf("setup: WriteFile: %v", err)
		} else if err := t.GetOverlappedResult(w, wov, &n, true); err != nil {
			v.Breakf("setup: write result: %v", err)
		}
		t.WaitForSingleObject(ack, emu.INFINITE)
		t.CloseHandle(w)
		t.CloseHandle(wev)
	})
	return st, true
}

func (st *pollState) finish(t *emu.Thread, v *Verdict) {
	if string(st.got) != pollMsg {
		v.Breakf("read %q, %q was written", st.got, pollMsg)
	}
	join(t, v, st.writer)
	t.CloseHandle(st.r)
	t.CloseHandle(st.ev)
	t.CloseHandle(st.ack)
}
