package wsaoverlapped

import (
	"strconv"
	"sync/atomic"
)

// Handle is an opaque HANDLE or WSAEVENT value. The emulator gives handles
// out as small integers; zero is the null handle.
type Handle uintptr

// Overlapped mirrors the WSAOVERLAPPED (and OVERLAPPED) record field for
// field, with the same types and order as the Windows headers, so that on a
// 64-bit target it is 32 bytes long just like the real one.
//
// Internal, InternalHigh, Offset and OffsetHigh belong to whoever implements
// the overlapped operation (see the package documentation for the two ways
// they are used). HEvent belongs to the application. The protocol functions
// of this package and the Load* methods access the four provider fields
// atomically, so one goroutine may complete a record while another polls it.
type Overlapped struct {
	Internal     uintptr
	InternalHigh uintptr
	Offset       uint32
	OffsetHigh   uint32
	HEvent       Handle
}

// ptrBits is the width of uintptr: 32 or 64.
const ptrBits = 32 << (^uintptr(0) >> 63)

// Pointer returns the Pointer member of the anonymous union that overlays
// Offset and OffsetHigh: Offset supplies the low 32 bits and, on a 64-bit
// target, OffsetHigh supplies the high 32 bits. On a 32-bit target the
// pointer covers Offset alone.
func (o *Overlapped) Pointer() uintptr {
	lo := uintptr(atomic.LoadUint32(&o.Offset))
	if ptrBits == 32 {
		return lo
	}
	hi := uint64(atomic.LoadUint32(&o.OffsetHigh))
	return lo | uintptr(hi<<32)
}

// SetPointer stores p through the union view described at Pointer. On a
// 32-bit target OffsetHigh is not part of the union and keeps its value.
func (o *Overlapped) SetPointer(p uintptr) {
	atomic.StoreUint32(&o.Offset, uint32(p))
	if ptrBits == 64 {
		atomic.StoreUint32(&o.OffsetHigh, uint32(uint64(p)>>32))
	}
}

// LoadInternal reads Internal atomically. A reader that sees a completed
// value here also sees every field the completer wrote before it.
func (o *Overlapped) LoadInternal() uintptr { return atomic.LoadUintptr(&o.Internal) }

// LoadInternalHigh reads InternalHigh atomically.
func (o *Overlapped) LoadInternalHigh() uintptr { return atomic.LoadUintptr(&o.InternalHigh) }

// LoadOffset reads Offset atomically.
func (o *Overlapped) LoadOffset() uint32 { return atomic.LoadUint32(&o.Offset) }

// LoadOffsetHigh reads OffsetHigh atomically.
func (o *Overlapped) LoadOffsetHigh() uint32 { return atomic.LoadUint32(&o.OffsetHigh) }

// Snapshot returns a copy of the record. Internal is read first; because
// every completer in this package writes InternalHigh (and, for non-IFS
// providers, Offset and OffsetHigh) before Internal, a snapshot whose
// Internal shows a finished operation also shows that operation's results.
// HEvent is owned by the application and is copied with a plain read.
func (o *Overlapped) Snapshot() Overlapped {
	var s Overlapped
	s.Internal = atomic.LoadUintptr(&o.Internal)
	s.InternalHigh = atomic.LoadUintptr(&o.InternalHigh)
	s.Offset = atomic.LoadUint32(&o.Offset)
	s.OffsetHigh = atomic.LoadUint32(&o.OffsetHigh)
	s.HEvent = o.HEvent
	return s
}

// HasOverlappedIoCompleted is the Windows macro of the same name: it reports
// whether Internal holds anything other than STATUS_PENDING (which is also
// WSS_OPERATION_IN_PROGRESS). Internal is read atomically.
//
// Like the macro, it is only meaningful after an operation has pended: a
// request that failed at once may leave Internal at whatever it held before.
func HasOverlappedIoCompleted(o *Overlapped) bool {
	return atomic.LoadUintptr(&o.Internal) != uintptr(STATUS_PENDING)
}

// Field names one member of an Overlapped record, for Observer reports and
// traces.
type Field uint8

// The members of an Overlapped record, in declaration order.
const (
	FieldInternal Field = iota
	FieldInternalHigh
	FieldOffset
	FieldOffsetHigh
	FieldHEvent
)

var fieldNames = [...]string{
	FieldInternal:     "Internal",
	FieldInternalHigh: "InternalHigh",
	FieldOffset:       "Offset",
	FieldOffsetHigh:   "OffsetHigh",
	FieldHEvent:       "HEvent",
}

// String returns the member's name as spelled in the Windows headers
// (hEvent is given with Go's capital letter: "HEvent").
func (f Field) String() string {
	if int(f) < len(fieldNames) {
		return fieldNames[f]
	}
	return "Field(" + strconv.Itoa(int(f)) + ")"
}

// Observer is told about every store that the protocol functions make to a
// record, in the order they happen, right after each store, with the value
// the field held before and the value it holds now (both widened to uint64).
// A nil Observer is allowed everywhere one is accepted.
type Observer interface {
	FieldWritten(o *Overlapped, f Field, old, new uint64)
}

// ObserverFunc adapts an ordinary function to the Observer interface.
type ObserverFunc func(o *Overlapped, f Field, old, new uint64)

// FieldWritten calls fn.
func (fn ObserverFunc) FieldWritten(o *Overlapped, f Field, old, new uint64) { fn(o, f, old, new) }

// The helpers below store one field with an atomic swap, which both
// publishes the new value (sequentially consistent, so at least release
// ordering) and hands back the exact previous value for the Observer.

func swapInternal(o *Overlapped, v uintptr, obs Observer) {
	old := atomic.SwapUintptr(&o.Internal, v)
	if obs != nil {
		obs.FieldWritten(o, FieldInternal, uint64(old), uint64(v))
	}
}

func swapInternalHigh(o *Overlapped, v uintptr, obs Observer) {
	old := atomic.SwapUintptr(&o.InternalHigh, v)
	if obs != nil {
		obs.FieldWritten(o, FieldInternalHigh, uint64(old), uint64(v))
	}
}

func swapOffset(o *Overlapped, v uint32, obs Observer) {
	old := atomic.SwapUint32(&o.Offset, v)
	if obs != nil {
		obs.FieldWritten(o, FieldOffset, uint64(old), uint64(v))
	}
}

func swapOffsetHigh(o *Overlapped, v uint32, obs Observer) {
	old := atomic.SwapUint32(&o.OffsetHigh, v)
	if obs != nil {
		obs.FieldWritten(o, FieldOffsetHigh, uint64(old), uint64(v))
	}
}
