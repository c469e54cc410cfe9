package emu_test

import (
	"errors"
	"testing"

	"github.com/wsaemu/wsaemu/emu"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// TestPeekNamedPipe: PeekNamedPipe reports every unread byte, copies what
// one read would take without taking it, and reports the rest of the
// first message (message mode) or the negated count copied (byte mode), as
// Wine's kernel32 pipe.c test_CreateNamedPipe observes on Windows; the
// write end is ERROR_ACCESS_DENIED.
func TestPeekNamedPipe(t *testing.T) {
	for _, tc := range []struct {
		mode                  emu.PipeMode
		n4, left4, nAll, left uint32
	}{
		{emu.PipeByte, 4, ^uint32(3), 8, ^uint32(7)},
		{emu.PipeMessage, 4, 1, 5, 0},
	} {
		r := newKioRig(t)
		a := r.thread("A")
		rd, wr := r.pipe(a, emu.PipeOptions{Mode: tc.mode})
		r.write(a, wr, "hello")
		r.write(a, wr, "abc")
		buf := make([]byte, 64)
		var n, avail, left uint32
		var err error
		r.do(a, func(t *emu.Thread) { err = t.PeekNamedPipe(rd, buf[:4], &n, &avail, &left) })
		kioWant(t, "PeekNamedPipe", err, nil)
		if n != tc.n4 || avail != 8 || left != tc.left4 || string(buf[:4]) != "hell" {
			t.Errorf("mode %d, 4 bytes: read %d avail %d left %#x %q; want %d 8 %#x \"hell\"", tc.mode, n, avail, left, buf[:4], tc.n4, tc.left4)
		}
		r.do(a, func(t *emu.Thread) { err = t.PeekNamedPipe(rd, buf, &n, &avail, &left) })
		kioWant(t, "PeekNamedPipe", err, nil)
		if n != tc.nAll || avail != 8 || left != tc.left {
			t.Errorf("mode %d, whole buffer: read %d avail %d left %#x; want %d 8 %#x", tc.mode, n, avail, left, tc.nAll, tc.left)
		}
		r.do(a, func(t *emu.Thread) { err = t.ReadFile(rd, buf, &n, &emu.Overlapped{}) })
		kioWant(t, "ReadFile", err, nil)
		if string(buf[:5]) != "hello" {
			t.Errorf("mode %d: the read after the peeks got %q, want the peeked data", tc.mode, buf[:n])
		}
		r.do(a, func(t *emu.Thread) { err = t.PeekNamedPipe(wr, nil, nil, &avail, nil) })
		if !errors.Is(err, wso.ERROR_ACCESS_DENIED) {
			t.Errorf("mode %d: peek on the write end: %v, want ERROR_ACCESS_DENIED", tc.mode, err)
		}
	}
}
