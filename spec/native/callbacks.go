//go:build windows

package native

import (
	"sync"

	"github.com/wsaemu/wsaemu/spec"
	"golang.org/x/sys/windows"
)

// maxSlots is how many routines and APCs one scenario may declare. The
// callbacks are made once per process (Windows allows only a couple of
// thousand), and each run lends its declared routines one slot each.
const maxSlots = 32

// A slot's three entry points: as a Winsock completion routine, as a
// ReadFileEx/WriteFileEx routine, and as a user APC.
type slotFns struct{ wsa, file, apc uintptr }

var (
	poolOnce sync.Once
	pool     [maxSlots]slotFns

	slotMu sync.Mutex
	owner  [maxSlots]*slotOwner
)

type slotOwner struct {
	b   *Backend
	obj *object
}

// wakeAPC does nothing: queued to a thread blocked in an alertable wait,
// it ends the wait (used when a run is closed).
var wakeAPC uintptr

func makePool() {
	poolOnce.Do(func() {
		for i := range pool {
			i := i
			pool[i].wsa = windows.NewCallback(func(dwError, cb, ov, flags uintptr) uintptr {
				fire(i, spec.RoutineCall{Err: uint32(dwError), Bytes: uint32(cb), Flags: uint32(flags)}, ov, true)
				return 0
			})
			pool[i].file = windows.NewCallback(func(code, n, ov uintptr) uintptr {
				fire(i, spec.RoutineCall{Err: uint32(code), Bytes: uint32(n)}, ov, true)
				return 0
			})
			pool[i].apc = windows.NewCallback(func(param uintptr) uintptr {
				fire(i, spec.RoutineCall{Param: uint64(param)}, 0, false)
				return 0
			})
		}
		wakeAPC = windows.NewCallback(func(uintptr) uintptr { return 0 })
	})
}

// fire records one run of the routine in slot i, on the thread running it,
// and makes the routine's "does" call there.
func fire(i int, rc spec.RoutineCall, ov uintptr, hasOv bool) {
	slotMu.Lock()
	o := owner[i]
	slotMu.Unlock()
	if o == nil {
		return // a late call for a run that has ended
	}
	b, obj := o.b, o.obj
	t := b.threadByTID(windows.GetCurrentThreadId())
	if t != nil {
		rc.Thread = t.name
		t.depth++
		rc.Depth = t.depth
		defer func() { t.depth-- }()
	} else {
		rc.Thread = "?"
	}
	if hasOv {
		rc.Ov = b.ovRef(ov).String()
	}
	b.mu.Lock()
	obj.calls = append(obj.calls, rc)
	n := len(obj.calls)
	b.mu.Unlock()
	if obj.decl.Does != nil && n <= maxRoutineActs && t != nil {
		if _, err := obj.decl.Does.Op.Run(t.m); err != nil {
			b.mu.Lock()
			obj.calls[n-1].Ov += " (does failed: " + err.Error() + ")"
			b.mu.Unlock()
		}
	}
}

// maxRoutineActs bounds how often one routine makes its "does" call in a
// run (a routine that requeues itself would otherwise run for ever).
const maxRoutineActs = 1000
