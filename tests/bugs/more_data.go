package bugs

import (
	"strings"

	"github.com/wsaemu/wsaemu/emu"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// ERROR_MORE_DATA on message pipes: bytes and an error together.
//
// A read from a message-mode pipe with a buffer shorter than the message
// fills the buffer, leaves the rest of the message for the next read, and
// reports ERROR_MORE_DATA: from ReadFile itself when it completes at once
// (on an overlapped handle the count is then read from the record), from
// GetOverlappedResult when it pended (with *lpNumberOfBytesTransferred
// set). Either way it is a failure
// return that carries data. Code that takes a failure for "no data" drops
// the head of each long message and then reads its tail as if it were a
// message of its own. Ground-truth.md lists this among the bugs real
// projects (Go, libuv, mio, CPython, .NET, Asio) shipped.
//
// The buggy reader below knows about ERROR_MORE_DATA where its author
// first met it, on ReadFile's own return, but not on the completion path.
// Under the usual schedule the writer has written everything before the
// reader starts, every read completes at once, and the bug hides. The
// Chooser may run the reader first or make a read pend although data is
// there; then ERROR_MORE_DATA comes from GetOverlappedResult, and the
// program's own check sees the messages come out wrong.
//
// Clauses: getoverlappedresult.more-data, readfileex.more-data-last-error,
// sync-overlapped-io.immediate-or-pending.

// moreMsgs are the messages written; the reader's buffer is 4 bytes.
var moreMsgs = []string{"hi", "hello, world", "bye"}

// MoreDataBuggy reads messages with a 4-byte buffer. It keeps the bytes
// of an ERROR_MORE_DATA that ReadFile returns, but takes a failed
// GetOverlappedResult for a read that got nothing.
func MoreDataBuggy(t *emu.Thread, v *Verdict) {
	st, ok := moreSetup(t, v)
	if !ok {
		return
	}
	var got []string
	var msg strings.Builder
	for {
		var n uint32
		err := t.ReadFile(st.r, st.buf, &n, st.ov)
		if err == wso.ERROR_IO_PENDING {
			err = t.GetOverlappedResult(st.r, st.ov, &n, true)
			if err != nil && err != wso.ERROR_BROKEN_PIPE {
				// BUG: ERROR_MORE_DATA here came with n bytes too.
				continue
			}
		}
		if err == wso.ERROR_BROKEN_PIPE {
			break
		}
		if err == wso.ERROR_MORE_DATA && n == 0 {
			// An overlapped ReadFile that fails at once with the warning
			// leaves its count at 0; the record holds the bytes.
			err = t.GetOverlappedResult(st.r, st.ov, &n, false)
		}
		if err != nil && err != wso.ERROR_MORE_DATA {
			v.Breakf("read: %v", err)
			break
		}
		msg.Write(st.buf[:n])
		if err == nil {
			got = append(got, msg.String())
			msg.Reset()
		}
	}
	st.finish(t, v, got)
}

// MoreDataFixed treats ERROR_MORE_DATA as "here are n bytes, the message
// goes on" on both paths: it keeps them and reads the rest into the same
// message.
func MoreDataFixed(t *emu.Thread, v *Verdict) {
	st, ok := moreSetup(t, v)
	if !ok {
		return
	}
	var got []string
	var msg strings.Builder
	for {
		var n uint32
		err := t.ReadFile(st.r, st.buf, &n, st.ov)
		if err == wso.ERROR_IO_PENDING {
			err = t.GetOverlappedResult(st.r, st.ov, &n, true)
		}
		if err == wso.ERROR_BROKEN_PIPE {
			break
		}
		if err == wso.ERROR_MORE_DATA && n == 0 {
			// An overlapped ReadFile that fails at once with the warning
			// leaves its count at 0; the record holds the bytes.
			err = t.GetOverlappedResult(st.r, st.ov, &n, false)
		}
		if err != nil && err != wso.ERROR_MORE_DATA {
			v.Breakf("read: %v", err)
			break
		}
		msg.Write(st.buf[:n])
		if err == nil {
			got = append(got, msg.String())
			msg.Reset()
		}
	}
	st.finish(t, v, got)
}

type moreState struct {
	r, w   emu.Handle
	ev     emu.Handle
	ov     *emu.Overlapped
	buf    []byte
	writer emu.Handle
}

// moreSetup makes a message pipe and a thread that writes the messages
// and closes its end.
func moreSetup(t *emu.Thread, v *Verdict) (*moreState, bool) {
	r, w, err := t.CreatePipe(emu.PipeOptions{Mode: emu.PipeMessage})
	if !v.setup("CreatePipe", err) {
		return nil, false
	}
	ev, err := t.CreateEvent(true, false)
	if !v.setup("CreateEvent", err) {
		return nil, false
	}
	st := &moreState{r: r, w: w, ev: ev, ov: &emu.Overlapped{HEvent: ev}, buf: make([]byte, 4)}
	st.writer = spawn(t, v, func(t *emu.Thread) {
		wev, _ := t.CreateEvent(true, false)
		for _, m := range moreMsgs {
			wov := &emu.Overlapped{HEvent: wev}
			var n uint32
			if err := t.WriteFile(w, []byte(m), &n, wov); err != nil && err != wso.ERROR_IO_PENDING {
				v.Breakf("setup: WriteFile: %v", err)
				return
			}
			if err := t.GetOverlappedResult(w, wov, &n, true); err != nil {
				v.Breakf("setup: write result: %v", err)
			}
		}
		t.CloseHandle(w)
		t.CloseHandle(wev)
	})
	t.SleepEx(0, false) // other work; the writer usually gets going meanwhile
	return st, true
}

func (st *moreState) finish(t *emu.Thread, v *Verdict, got []string) {
	if strings.Join(got, "|") != strings.Join(moreMsgs, "|") {
		v.Breakf("read messages %q, %q were written", got, moreMsgs)
	}
	join(t, v, st.writer)
	t.CloseHandle(st.r)
	t.CloseHandle(st.ev)
}
