package wsaoverlapped

import (
	"testing"
	"unsafe"
)

// OVERLAPPED page / WSAOVERLAPPED page: the record has the members Internal,
// InternalHigh, Offset, OffsetHigh, hEvent in that order with the types
// ULONG_PTR, ULONG_PTR, DWORD, DWORD, HANDLE. Checks the Go mirror has the
// same layout, so a record could be shared with real Windows code.
func TestLayoutMatchesWindows(t *testing.T) {
	var o Overlapped
	w := unsafe.Sizeof(uintptr(0))
	if got := unsafe.Offsetof(o.InternalHigh); got != w {
		t.Errorf("InternalHigh at %d, want %d", got, w)
	}
	if got := unsafe.Offsetof(o.Offset); got != 2*w {
		t.Errorf("Offset at %d, want %d", got, 2*w)
	}
	if got := unsafe.Offsetof(o.OffsetHigh); got != 2*w+4 {
		t.Errorf("OffsetHigh at %d, want %d", got, 2*w+4)
	}
	if got := unsafe.Offsetof(o.HEvent); got != 2*w+8 {
		t.Errorf("HEvent at %d, want %d", got, 2*w+8)
	}
	if got, want := unsafe.Sizeof(o), 3*w+8; got != want {
		t.Errorf("size %d, want %d", got, want)
	}
}

// WSAOVERLAPPED page, "Pointer" member: the union overlays Offset and
// OffsetHigh. Checks that Offset carries the low half and OffsetHigh the
// high half of the pointer.
func TestPointerUnion(t *testing.T) {
	var o Overlapped
	if ptrBits == 64 {
		var p64 uint64 = 0x11223344_55667788
		p := uintptr(p64)
		o.SetPointer(p)
		if o.Offset != 0x55667788 || o.OffsetHigh != 0x11223344 {
			t.Fatalf("SetPointer(%#x): Offset=%#x OffsetHigh=%#x", p, o.Offset, o.OffsetHigh)
		}
		if got := o.Pointer(); got != p {
			t.Fatalf("Pointer() = %#x, want %#x", got, p)
		}
		o.Offset, o.OffsetHigh = 1, 2
		if got := o.Pointer(); uint64(got) != 0x2_00000001 {
			t.Fatalf("Pointer() = %#x after Offset=1 OffsetHigh=2", got)
		}
	} else {
		o.OffsetHigh = 7
		o.SetPointer(0x55667788)
		if o.Offset != 0x55667788 || o.OffsetHigh != 7 || o.Pointer() != 0x55667788 {
			t.Fatalf("32-bit union view wrong: %+v", o)
		}
	}
}

// HasOverlappedIoCompleted macro: true exactly when Internal is not
// STATUS_PENDING.
func TestHasOverlappedIoCompleted(t *testing.T) {
	cases := []struct {
		internal uintptr
		want     bool
	}{
		{0, true},
		{uintptr(STATUS_PENDING), false},
		{WSS_OPERATION_IN_PROGRESS, false},
		{uintptr(STATUS_CANCELLED), true},
		{uintptr(STATUS_BUFFER_OVERFLOW), true},
		{0x104, true},
	}
	for _, c := range cases {
		o := Overlapped{Internal: c.internal}
		if got := HasOverlappedIoCompleted(&o); got != c.want {
			t.Errorf("Internal=%#x: got %v, want %v", c.internal, got, c.want)
		}
	}
}

// WSS_OPERATION_IN_PROGRESS and STATUS_PENDING are one number (ground
// truth, "Two provider kinds"), which is what lets the macro serve both.
func TestInProgressEqualsPending(t *testing.T) {
	inProgress, pending, complete := WSS_OPERATION_IN_PROGRESS, uintptr(STATUS_PENDING), WSS_OPERATION_COMPLETE
	if inProgress != pending || pending != 0x103 {
		t.Fatalf("WSS_OPERATION_IN_PROGRESS=%#x STATUS_PENDING=%#x", inProgress, pending)
	}
	if complete == inProgress {
		t.Fatal("the completion marker must differ from the in-progress marker")
	}
}

func TestLoadsAndSnapshot(t *testing.T) {
	o := Overlapped{Internal: 1, InternalHigh: 2, Offset: 3, OffsetHigh: 4, HEvent: 5}
	if o.LoadInternal() != 1 || o.LoadInternalHigh() != 2 || o.LoadOffset() != 3 || o.LoadOffsetHigh() != 4 {
		t.Fatalf("loads disagree with fields: %+v", o)
	}
	if s := o.Snapshot(); s != o {
		t.Fatalf("Snapshot() = %+v, want %+v", s, o)
	}
}

func TestFieldString(t *testing.T) {
	want := []struct {
		f Field
		s string
	}{
		{FieldInternal, "Internal"},
		{FieldInternalHigh, "InternalHigh"},
		{FieldOffset, "Offset"},
		{FieldOffsetHigh, "OffsetHigh"},
		{FieldHEvent, "HEvent"},
		{Field(9), "Field(9)"},
	}
	for _, w := range want {
		if got := w.f.String(); got != w.s {
			t.Errorf("Field(%d).String() = %q, want %q", uint8(w.f), got, w.s)
		}
	}
}
