//go:build !windows || wsaemu

package windows

import (
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/wsaemu/wsaemu/emu"
)

// Callbacks. On Windows, NewCallback turns a Go function into a C function
// pointer that ws2_32 or kernel32 calls. Here the uintptr it returns is a
// token that names an entry of the package's routine table; the calls that
// take a routine (the croutine *byte of the Winsock calls, the uintptr of
// ReadFileEx, WriteFileEx and QueueUserAPC) map it back to the function.
//
// The accepted shapes are those Windows calls:
//
//	func(errcode, n uint32, ov *Overlapped, flags uint32) uintptr // LPWSAOVERLAPPED_COMPLETION_ROUTINE
//	func(errcode, n uint32, ov *Overlapped) uintptr               // LPOVERLAPPED_COMPLETION_ROUTINE
//	func(param uintptr) uintptr                                   // PAPCFUNC
//
// and the same with any parameter spelled uintptr (or the pointer spelled
// uintptr). Like syscall.NewCallback it panics on any other shape, and
// the table holds at most 2000 callbacks, which are never freed.

const (
	// callbackBase is the first token: above the first page (the runtime
	// refuses smaller pointer values) and far below the Go heap, so a
	// token held in a *byte is never taken for a Go object.
	callbackBase = 0x5e0c0000
	// callbackStep keeps tokens pointer-aligned.
	callbackStep = 16
	maxCallbacks = 2000
)

// callback is one table entry: the function adapted to the three calling
// shapes, made once so a call allocates nothing.
type callback struct {
	wsa  func(errcode, n uint32, ov *Overlapped, flags uint32)
	file emu.FileIOCompletionRoutine
	apc  emu.APCProc
}

var callbacks struct {
	mu    sync.Mutex
	table atomic.Pointer[[]*callback] // copy on write: readers take no lock
}

// NewCallback registers fn (see the shapes above) and returns its token.
func NewCallback(fn interface{}) uintptr {
	cb := adapt(fn)
	callbacks.mu.Lock()
	defer callbacks.mu.Unlock()
	var old []*callback
	if p := callbacks.table.Load(); p != nil {
		old = *p
	}
	if len(old) >= maxCallbacks {
		panic("too many callback functions")
	}
	t := append(append(make([]*callback, 0, len(old)+1), old...), cb)
	callbacks.table.Store(&t)
	return callbackBase + uintptr(len(old))*callbackStep
}

// NewCallbackCDecl is NewCallback: the emulator has one calling convention.
func NewCallbackCDecl(fn interface{}) uintptr { return NewCallback(fn) }

// lookupCallback maps a token back to its entry; nil for 0 and for a
// value NewCallback did not return.
func lookupCallback(tok uintptr) *callback {
	if tok < callbackBase || (tok-callbackBase)%callbackStep != 0 {
		return nil
	}
	i := (tok - callbackBase) / callbackStep
	p := callbacks.table.Load()
	if p == nil || i >= uintptr(len(*p)) {
		return nil
	}
	return (*p)[i]
}

// adapt builds the entry for fn: direct calls for the usual shapes,
// reflection for the spellings with uintptr parameters.
func adapt(fn interface{}) *callback {
	cb := &callback{}
	switch f := fn.(type) {
	case func(errcode, n uint32, ov *Overlapped, flags uint32) uintptr:
		cb.wsa = func(e, n uint32, ov *Overlapped, fl uint32) { flushFixups(); f(e, n, ov, fl) }
	case func(errcode, n uint32, ov *Overlapped) uintptr:
		cb.wsa = func(e, n uint32, ov *Overlapped, _ uint32) { flushFixups(); f(e, n, ov) }
	case func(param uintptr) uintptr:
		cb.apc = func(_ *emu.Thread, p uintptr) { f(p) }
	default:
		v := reflect.ValueOf(fn)
		typ := v.Type()
		if typ.Kind() != reflect.Func || typ.NumOut() != 1 || typ.Out(0).Size() != unsafe.Sizeof(uintptr(0)) ||
			typ.IsVariadic() || typ.NumIn() < 1 || typ.NumIn() > 4 {
			panic(fmt.Sprintf("windows.NewCallback: %T is not a completion routine or APC shape", fn))
		}
		for i := 0; i < typ.NumIn(); i++ {
			k := typ.In(i).Kind()
			if k != reflect.Uintptr && k != reflect.Uint32 && k != reflect.Pointer {
				panic(fmt.Sprintf("windows.NewCallback: %T: parameter %d is not uintptr-sized", fn, i))
			}
		}
		// arg makes parameter i from a routine's arguments.
		arg := func(i int, u uintptr, ov *Overlapped) reflect.Value {
			pt := typ.In(i)
			if pt.Kind() == reflect.Pointer {
				return reflect.NewAt(pt.Elem(), unsafe.Pointer(ov))
			}
			if ov != nil {
				u = uintptr(unsafe.Pointer(ov))
			}
			return reflect.ValueOf(u).Convert(pt)
		}
		if typ.NumIn() == 1 {
			if typ.In(0).Kind() == reflect.Pointer {
				panic(fmt.Sprintf("windows.NewCallback: %T: an APC's parameter is a uintptr", fn))
			}
			cb.apc = func(_ *emu.Thread, p uintptr) { v.Call([]reflect.Value{arg(0, p, nil)}) }
			break
		}
		if typ.NumIn() < 3 || typ.In(0).Kind() == reflect.Pointer || typ.In(1).Kind() == reflect.Pointer {
			panic(fmt.Sprintf("windows.NewCallback: %T is not a completion routine shape", fn))
		}
		cb.wsa = func(e, n uint32, ov *Overlapped, fl uint32) {
			flushFixups()
			in := []reflect.Value{arg(0, uintptr(e), nil), arg(1, uintptr(n), nil), arg(2, 0, ov)}
			if typ.NumIn() == 4 {
				in = append(in, arg(3, uintptr(fl), nil))
			}
			v.Call(in)
		}
	}
	if cb.wsa != nil {
		w := cb.wsa
		cb.file = func(_ *emu.Thread, e, n uint32, ov *Overlapped) { w(e, n, ov, 0) }
	}
	return cb
}
