package emu_test

import (
	"errors"
	"testing"

	"github.com/wsaemu/wsaemu/emu"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// TestDuplicateHandle: a duplicate names the same object, and the object
// lives until its last handle closes (the DuplicateHandle and CloseHandle
// pages): an event set through the duplicate is signalled through the
// original; a pipe whose original write handle is closed is not broken
// while the duplicate is open, and breaks when that closes too.
func TestDuplicateHandle(t *testing.T) {
	r := newKioRig(t)
	a := r.thread("A")
	ev := r.event(a, true, false)
	var dup emu.Handle
	var err error
	r.do(a, func(t *emu.Thread) { dup, err = t.DuplicateHandle(ev) })
	kioWant(t, "DuplicateHandle", err, nil)
	if dup == ev || dup == 0 {
		t.Fatalf("duplicate %#x of %#x: want a new handle value", uint64(dup), uint64(ev))
	}
	r.do(a, func(t *emu.Thread) { err = t.SetEvent(dup) })
	kioWant(t, "SetEvent", err, nil)
	if !r.signalled(ev) {
		t.Error("set through the duplicate, the original does not see it")
	}
	r.do(a, func(t *emu.Thread) { err = t.CloseHandle(ev) })
	kioWant(t, "CloseHandle", err, nil)
	r.do(a, func(t *emu.Thread) { err = t.ResetEvent(dup) })
	kioWant(t, "ResetEvent through the duplicate after the original closed", err, nil)
	r.do(a, func(t *emu.Thread) { err = t.SetEvent(ev) })
	if !errors.Is(err, wso.ERROR_INVALID_HANDLE) {
		t.Errorf("SetEvent on the closed original: %v, want ERROR_INVALID_HANDLE", err)
	}

	rd, wr := r.pipe(a, emu.PipeOptions{})
	var w2 emu.Handle
	r.do(a, func(t *emu.Thread) { w2, err = t.DuplicateHandle(wr) })
	kioWant(t, "DuplicateHandle", err, nil)
	r.do(a, func(t *emu.Thread) { err = t.CloseHandle(wr) })
	kioWant(t, "CloseHandle", err, nil)
	ov := &emu.Overlapped{}
	buf := make([]byte, 8)
	r.do(a, func(t *emu.Thread) { err = t.ReadFile(rd, buf, nil, ov) })
	kioWant(t, "ReadFile", err, wso.ERROR_IO_PENDING)
	r.st.Settle()
	if st := wso.NTStatus(ov.LoadInternal()); st != wso.STATUS_PENDING {
		t.Fatalf("the read ended (%#x) while a handle of the write end is open", uint32(st))
	}
	r.do(a, func(t *emu.Thread) { err = t.CloseHandle(w2) })
	kioWant(t, "CloseHandle", err, nil)
	r.st.Settle()
	if st := wso.NTStatus(ov.LoadInternal()); st != wso.STATUS_PIPE_BROKEN {
		t.Errorf("after the last write handle closed the read ended with %#x, want STATUS_PIPE_BROKEN", uint32(st))
	}
	r.do(a, func(t *emu.Thread) { _, err = t.DuplicateHandle(emu.Handle(0x1234)) })
	if !errors.Is(err, wso.ERROR_INVALID_HANDLE) {
		t.Errorf("DuplicateHandle of no handle: %v, want ERROR_INVALID_HANDLE", err)
	}
}
