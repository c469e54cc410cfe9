package emu

import wso "github.com/wsaemu/wsaemu/wsaoverlapped"

// objKind is the type of kernel object a handle refers to.
type objKind uint8

// The kernel's kinds. A layer above the kernel numbers its own kinds from
// kindAbove on (the ws2 layer's sockets).
const (
	kindEvent objKind = iota + 1
	kindThread
	kindFile
	kindPort
	kindProcess
	kindAbove
)

// object is anything a handle can refer to. Each kind owns what closing
// its handle means; the kernel's CloseHandle only looks the handle up and
// asks the object (file-like objects also own their cancellation: see
// fileLike and device).
type object interface {
	kind() objKind
	// close is CloseHandle on handle h of this object, called by thread
	// t: it removes h from the handle table and does whatever closing
	// means for the object. A non-zero Errno fails the call.
	close(s *System, t *Thread, h Handle) Errno
}

// handleTable maps handle values to objects. Values are multiples of four,
// as on Windows, and freed slots are reused most-recently-freed first, so a
// stale handle can come to name a new object, as it can on Windows.
type handleTable struct {
	slots []object
	free  []int
	xp    *ExploreRun // told of every handle closed (explore.go); nil otherwise
	// used marks the values get looked at (value v sets bit v/4 mod 64,
	// also when v names no object), for the explorer to read after
	// each step (it finds the slots add filled by itself): an or and no
	// call, so get stays inlined.
	used uint64
}

func (h *handleTable) add(o object) Handle {
	var i int
	if n := len(h.free); n > 0 {
		i = h.free[n-1]
		h.free = h.free[:n-1]
		h.slots[i] = o
	} else {
		i = len(h.slots)
		h.slots = append(h.slots, o)
	}
	return Handle((i + 1) * 4)
}

func (h *handleTable) index(v Handle) (int, bool) {
	if v == 0 || v%4 != 0 {
		return 0, false
	}
	i := int(v/4) - 1
	if i < 0 || i >= len(h.slots) || h.slots[i] == nil {
		return 0, false
	}
	return i, true
}

func (h *handleTable) get(v Handle) object {
	h.used |= 1 << (uint(v>>2) & 63)
	i := int(v>>2) - 1
	if v&3 != 0 || uint(i) >= uint(len(h.slots)) {
		return nil
	}
	return h.slots[i]
}

func (h *handleTable) remove(v Handle) object {
	i, ok := h.index(v)
	if !ok {
		return nil
	}
	o := h.slots[i]
	if h.xp != nil {
		h.xp.handleUsed(o, v, false, true)
	}
	h.slots[i] = nil
	h.free = append(h.free, i)
	return o
}

// lookup resolves a handle for thread t, with the pseudo-handle for the
// current thread, and checks its kind. A handle that is not open, or names
// an object of another kind, gives ERROR_INVALID_HANDLE.
func (s *System) lookup(t *Thread, v Handle, want objKind) (object, Errno) {
	if v == currentThreadPseudoHandle && t != nil {
		if want == kindThread || want == 0 {
			return t, 0
		}
		return nil, wso.ERROR_INVALID_HANDLE
	}
	o := s.handles.get(v)
	if o == nil || (want != 0 && o.kind() != want) {
		return nil, wso.ERROR_INVALID_HANDLE
	}
	return o, 0
}

// waitList is the set of threads blocked on one waitable object, in the
// order they started waiting.
type waitList struct {
	waiters []*Thread
}

func (w *waitList) addWaiter(t *Thread) { w.waiters = append(w.waiters, t) }

func (w *waitList) removeWaiter(t *Thread) {
	for i, x := range w.waiters {
		if x == t {
			copy(w.waiters[i:], w.waiters[i+1:])
			w.waiters[len(w.waiters)-1] = nil
			w.waiters = w.waiters[:len(w.waiters)-1]
			return
		}
	}
}

// waitable is a kernel object a thread can wait on.
type waitable interface {
	object
	list() *waitList
	isSignalled() bool
	// acquire applies the side effect of a wait being satisfied by this
	// object (an auto-reset event becomes non-signalled).
	acquire(s *System, t *Thread)
}
