package emu

import (
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// DuplicateHandle implements DuplicateHandle within the process, with
// DUPLICATE_SAME_ACCESS: a second handle to the same object. The object
// lives until its last handle is closed; closing one of several handles
// only removes that handle (a pipe end stays open, its pending I/O goes
// on, an event can still be set and waited on). Events, pipe ends and
// the objects of layers above that say they are duplicable (a socket's
// second handle is a kernel handle only: Winsock calls refuse it) can be
// duplicated; other kinds are not modelled (ERROR_NOT_SUPPORTED).
// https://learn.microsoft.com/windows/win32/api/handleapi/nf-handleapi-duplicatehandle
func (t *Thread) DuplicateHandle(src Handle) (Handle, error) {
	const name = "DuplicateHandle"
	var args *callArgs
	if t.s.trace != nil && t.running() {
		args = &callArgs{lay: argsH, a: argVals{uint64(src)}}
	}
	if err := t.enterArgs(name, args); err != nil {
		return 0, err
	}
	o, e := t.s.lookup(t, src, 0)
	if e != 0 || src == currentThreadPseudoHandle {
		return 0, t.fail(name, 0, wso.ERROR_INVALID_HANDLE)
	}
	switch o.(type) {
	case *event, *pipeEnd:
	default:
		if d, ok := o.(duplicable); !ok || !d.duplicable() {
			return 0, t.fail(name, 0, wso.ERROR_NOT_SUPPORTED)
		}
	}
	h := t.s.handles.add(o)
	if t.s.dups == nil {
		t.s.dups = map[object]int{}
	}
	t.s.dups[o]++
	t.ok(name, uint64(h))
	return h, nil
}

// duplicable is an object of a layer above the kernel that may have a
// second handle.
type duplicable interface{ duplicable() bool }

// closeDuplicate is CloseHandle on one of several handles of an object:
// it removes h and keeps the object. It reports false when h is the
// object's last handle (the object's own close then runs).
func (s *System) closeDuplicate(o object, h Handle) bool {
	n := s.dups[o]
	if n == 0 {
		return false
	}
	if n == 1 {
		delete(s.dups, o)
	} else {
		s.dups[o] = n - 1
	}
	s.handles.remove(h)
	// The object keeps the value it is known by (traces, the sanitizer):
	// when that one is closed, another open handle of it takes its place.
	switch x := o.(type) {
	case *event:
		if x.handle == h {
			x.handle = s.handles.find(o)
		}
	case *pipeEnd:
		if x.handle == h {
			x.handle = s.handles.find(o)
		}
	}
	return true
}

// find returns an open handle of o (0 if none), the lowest value first.
func (h *handleTable) find(o object) Handle {
	for i, x := range h.slots {
		if x == o {
			return Handle((i + 1) * 4)
		}
	}
	return 0
}
