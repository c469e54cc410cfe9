package wsaoverlapped

import (
	"runtime"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

// write is one Observer report.
type write struct {
	Field    Field
	Old, New uint64
}

// recorder is an Observer that keeps every report and checks that each one
// is made right after its store (the field already holds the new value).
type recorder struct {
	t      testing.TB
	writes []write
}

func (r *recorder) FieldWritten(o *Overlapped, f Field, old, new uint64) {
	var now uint64
	switch f {
	case FieldInternal:
		now = uint64(o.LoadInternal())
	case FieldInternalHigh:
		now = uint64(o.LoadInternalHigh())
	case FieldOffset:
		now = uint64(o.LoadOffset())
	case FieldOffsetHigh:
		now = uint64(o.LoadOffsetHigh())
	default:
		r.t.Errorf("report for field %v, which no protocol function writes", f)
	}
	if now != new {
		r.t.Errorf("%v reported as %#x but holds %#x when the Observer runs", f, new, now)
	}
	r.writes = append(r.writes, write{f, old, new})
}

// garbage is a record left over from an earlier operation: every field holds
// a value the protocol never writes, so a missing or extra write shows.
func garbage() Overlapped {
	return Overlapped{Internal: 0xAAAA, InternalHigh: 0xBBBB, Offset: 0xCCCC, OffsetHigh: 0xDDDD, HEvent: 0xEEEE}
}

// LPWSPGETOVERLAPPEDRESULT, "Interaction with WPUCompleteOverlappedRequest":
// the provider sets Internal to WSS_OPERATION_IN_PROGRESS at the start; at
// the end it sets OffsetHigh to the error and Offset to the flags, then
// WPUCompleteOverlappedRequest sets InternalHigh to the byte count and only
// after that changes Internal. Checks the exact order and values of every
// store through an Observer.
func TestNonIFSWriteOrder(t *testing.T) {
	o := garbage()
	rec := &recorder{t: t}
	BeginNonIFS(&o, rec)
	SetProviderResult(&o, WSAECONNRESET, 0x100, rec)
	CompleteNonIFS(&o, 77, rec)
	want := []write{
		{FieldInternal, 0xAAAA, 0x103},
		{FieldOffsetHigh, 0xDDDD, 10054},
		{FieldOffset, 0xCCCC, 0x100},
		{FieldInternalHigh, 0xBBBB, 77},
		{FieldInternal, 0x103, uint64(WSS_OPERATION_COMPLETE)},
	}
	if diff := cmp.Diff(want, rec.writes); diff != "" {
		t.Fatalf("non-IFS writes (-want +got):\n%s", diff)
	}
	if o.HEvent != 0xEEEE {
		t.Fatalf("HEvent changed to %#x; it belongs to the application", o.HEvent)
	}
}

// Ground truth, "IFS provider": ws2_32 writes STATUS_PENDING into Internal
// before issuing the request; at completion InternalHigh receives the byte
// count before Internal receives the final status. Checks order and values.
func TestIFSWriteOrder(t *testing.T) {
	o := garbage()
	rec := &recorder{t: t}
	BeginIFS(&o, rec)
	CompleteIFS(&o, STATUS_BUFFER_OVERFLOW, 512, rec)
	want := []write{
		{FieldInternal, 0xAAAA, 0x103},
		{FieldInternalHigh, 0xBBBB, 512},
		{FieldInternal, 0x103, 0x80000005},
	}
	if diff := cmp.Diff(want, rec.writes); diff != "" {
		t.Fatalf("IFS writes (-want +got):\n%s", diff)
	}
}

// Ground truth, "IFS provider": Offset and OffsetHigh are never written for
// sockets (Wine therefore never reports MSG_TRUNC through them).
func TestIFSNeverTouchesOffsets(t *testing.T) {
	for _, st := range []NTStatus{STATUS_SUCCESS, STATUS_CANCELLED, STATUS_BUFFER_OVERFLOW, STATUS_PENDING} {
		o := garbage()
		rec := &recorder{t: t}
		BeginIFS(&o, rec)
		CompleteIFS(&o, st, 9, rec)
		for _, w := range rec.writes {
			if w.Field == FieldOffset || w.Field == FieldOffsetHigh || w.Field == FieldHEvent {
				t.Errorf("status %v: IFS protocol wrote %v", st.Name(), w.Field)
			}
		}
		if o.Offset != 0xCCCC || o.OffsetHigh != 0xDDDD || o.HEvent != 0xEEEE {
			t.Errorf("status %v: record changed outside Internal/InternalHigh: %+v", st.Name(), o)
		}
	}
}

// Ground truth, "Immediate vs pending": while an operation is pending,
// Internal is 0x103 and InternalHigh is untouched. Both Begin functions
// write Internal and nothing else.
func TestBeginTouchesOnlyInternal(t *testing.T) {
	begins := []struct {
		name  string
		begin func(*Overlapped, Observer)
	}{{"BeginNonIFS", BeginNonIFS}, {"BeginIFS", BeginIFS}}
	for _, b := range begins {
		name, begin := b.name, b.begin
		o := garbage()
		rec := &recorder{t: t}
		begin(&o, rec)
		want := []write{{FieldInternal, 0xAAAA, 0x103}}
		if diff := cmp.Diff(want, rec.writes); diff != "" {
			t.Errorf("%s writes (-want +got):\n%s", name, diff)
		}
		if o.InternalHigh != 0xBBBB {
			t.Errorf("%s changed InternalHigh to %#x", name, o.InternalHigh)
		}
	}
}

// LPWSPGETOVERLAPPEDRESULT: "If it is WSS_OPERATION_IN_PROGRESS, the
// provider waits ... or returns an error" (paraphrased): a pending record
// yields done=false and none of the stale values.
func TestResultWhilePending(t *testing.T) {
	o := garbage()
	BeginNonIFS(&o, nil)
	if n, e, f, done := ResultNonIFS(&o); done || n != 0 || e != 0 || f != 0 {
		t.Errorf("ResultNonIFS on a pending record = %d, %v, %#x, %v", n, e, f, done)
	}
	o = garbage()
	BeginIFS(&o, nil)
	if st, n, done := ResultIFS(&o); done || st != STATUS_PENDING || n != 0 {
		t.Errorf("ResultIFS on a pending record = %v, %d, %v", st.Name(), n, done)
	}
	if HasOverlappedIoCompleted(&o) {
		t.Error("HasOverlappedIoCompleted is true for a pending record")
	}
}

// Design rule "numeric values are Windows' own" plus the doc note that a
// nil Observer is allowed: the protocol works, and costs no allocation,
// without one.
func TestProtocolZeroAllocs(t *testing.T) {
	var o Overlapped
	rec := &countObserver{}
	for _, obs := range []Observer{nil, rec} {
		allocs := testing.AllocsPerRun(200, func() {
			BeginNonIFS(&o, obs)
			SetProviderResult(&o, WSAEMSGSIZE, 1, obs)
			CompleteNonIFS(&o, 3, obs)
			_, _, _, _ = ResultNonIFS(&o)
			BeginIFS(&o, obs)
			CompleteIFS(&o, STATUS_SUCCESS, 3, obs)
			_, _, _ = ResultIFS(&o)
			_ = HasOverlappedIoCompleted(&o)
			_ = o.Snapshot()
		})
		if allocs != 0 {
			t.Errorf("observer %T: %v allocations per cycle, want 0", obs, allocs)
		}
	}
}

type countObserver struct{ n int }

func (c *countObserver) FieldWritten(*Overlapped, Field, uint64, uint64) { c.n++ }

func TestObserverFunc(t *testing.T) {
	var got []Field
	obs := ObserverFunc(func(_ *Overlapped, f Field, _, _ uint64) { got = append(got, f) })
	var o Overlapped
	BeginIFS(&o, obs)
	CompleteIFS(&o, STATUS_SUCCESS, 1, obs)
	if diff := cmp.Diff([]Field{FieldInternal, FieldInternalHigh, FieldInternal}, got); diff != "" {
		t.Fatalf("ObserverFunc saw (-want +got):\n%s", diff)
	}
}

// LPWSPGETOVERLAPPEDRESULT: InternalHigh is set before Internal, so a reader
// that finds Internal no longer in progress can trust InternalHigh (and, for
// non-IFS, OffsetHigh and Offset). One goroutine completes many records
// while another polls them; every time the poller sees a record finished it
// must also see that record's final results. Run with -race: a missing
// atomic shows up as a reported race.
func TestConcurrentCompletionIsPublishedInOrder(t *testing.T) {
	n := 3000
	if testing.Short() {
		n = 300
	}
	ifs := make([]Overlapped, n)
	nonIFS := make([]Overlapped, n)
	for i := range n {
		BeginIFS(&ifs[i], nil)
		BeginNonIFS(&nonIFS[i], nil)
	}
	wantStatus := func(i int) NTStatus {
		if i%3 == 0 {
			return STATUS_CANCELLED
		}
		return STATUS_SUCCESS
	}
	wantBytes := func(i int) uint32 { return uint32(i)*7 + 1 }
	wantErr := func(i int) Errno { return Errno(10000 + i%100) }
	wantFlags := func(i int) uint32 { return uint32(i) ^ 0x5A5A }

	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // the completer
		defer wg.Done()
		for i := range n {
			CompleteIFS(&ifs[i], wantStatus(i), uintptr(wantBytes(i)), nil)
			SetProviderResult(&nonIFS[i], wantErr(i), wantFlags(i), nil)
			CompleteNonIFS(&nonIFS[i], wantBytes(i), nil)
			if i%64 == 0 {
				runtime.Gosched()
			}
		}
	}()

	// The poller: sweep all records until every one has been seen finished
	// through each reader.
	seenIFS := make([]bool, n)
	seenNon := make([]bool, n)
	left := 2 * n
	checks, pendingSeen := 0, 0
	for left > 0 {
		for i := range n {
			if !seenIFS[i] {
				s := ifs[i].Snapshot()
				if s.Internal == uintptr(STATUS_PENDING) {
					pendingSeen++
				} else {
					checks++
					if NTStatus(s.Internal) != wantStatus(i) || s.InternalHigh != uintptr(wantBytes(i)) {
						t.Fatalf("IFS record %d seen done with Internal=%#x InternalHigh=%d, want %#x and %d",
							i, s.Internal, s.InternalHigh, uint32(wantStatus(i)), wantBytes(i))
					}
				}
				if HasOverlappedIoCompleted(&ifs[i]) {
					checks++
					st, b, done := ResultIFS(&ifs[i])
					if !done || st != wantStatus(i) || b != uintptr(wantBytes(i)) {
						t.Fatalf("IFS record %d: ResultIFS = %v, %d, %v after the macro said done", i, st.Name(), b, done)
					}
					seenIFS[i] = true
					left--
				}
			}
			if !seenNon[i] {
				if b, e, f, done := ResultNonIFS(&nonIFS[i]); done {
					checks++
					if b != wantBytes(i) || e != wantErr(i) || f != wantFlags(i) {
						t.Fatalf("non-IFS record %d seen done with bytes=%d err=%d flags=%#x, want %d %d %#x",
							i, b, e, f, wantBytes(i), wantErr(i), wantFlags(i))
					}
					seenNon[i] = true
					left--
				}
			}
		}
		runtime.Gosched()
	}
	wg.Wait()
	if checks < 2*n {
		t.Fatalf("only %d checks made", checks)
	}
	t.Logf("%d checks of finished records; %d polls found a record still pending", checks, pendingSeen)
}

// A model of the four provider fields, for the property tests.
type model struct{ internal, internalHigh, offset, offsetHigh uint64 }

func (m *model) field(f Field) *uint64 {
	switch f {
	case FieldInternal:
		return &m.internal
	case FieldInternalHigh:
		return &m.internalHigh
	case FieldOffset:
		return &m.offset
	case FieldOffsetHigh:
		return &m.offsetHigh
	}
	return nil
}

func drawRecord(t *rapid.T) Overlapped {
	return Overlapped{
		Internal:     rapid.Uintptr().Draw(t, "Internal"),
		InternalHigh: rapid.Uintptr().Draw(t, "InternalHigh"),
		Offset:       rapid.Uint32().Draw(t, "Offset"),
		OffsetHigh:   rapid.Uint32().Draw(t, "OffsetHigh"),
		HEvent:       Handle(rapid.Uintptr().Draw(t, "HEvent")),
	}
}

// LPWSPGETOVERLAPPEDRESULT: the provider "returns the values from
// InternalHigh, OffsetHigh, and Offset as the transfer count, operation
// result error code, and flags". For any starting record and any
// error/flags/bytes, ResultNonIFS returns exactly what was written.
func TestPropertyNonIFSRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		o := drawRecord(t)
		ev := o.HEvent
		e := Errno(rapid.Uint32().Draw(t, "err"))
		flags := rapid.Uint32().Draw(t, "flags")
		bytes := rapid.Uint32().Draw(t, "bytes")
		BeginNonIFS(&o, nil)
		if HasOverlappedIoCompleted(&o) {
			t.Fatal("done straight after BeginNonIFS")
		}
		SetProviderResult(&o, e, flags, nil)
		if _, _, _, done := ResultNonIFS(&o); done {
			t.Fatal("done before WPUCompleteOverlappedRequest ran")
		}
		CompleteNonIFS(&o, bytes, nil)
		gb, ge, gf, done := ResultNonIFS(&o)
		if !done || gb != bytes || ge != e || gf != flags {
			t.Fatalf("ResultNonIFS = %d, %d, %#x, %v; wrote %d, %d, %#x", gb, ge, gf, done, bytes, e, flags)
		}
		if o.HEvent != ev {
			t.Fatal("HEvent changed")
		}
	})
}

// Ground truth, "IFS provider": Internal holds the final NTSTATUS and
// InternalHigh the byte count. For any status and count ResultIFS returns
// them unchanged; the one exception is a "final" status of STATUS_PENDING,
// which by definition still reads as pending.
func TestPropertyIFSRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		o := drawRecord(t)
		before := o
		st := NTStatus(rapid.Uint32().Draw(t, "status"))
		bytes := rapid.Uintptr().Draw(t, "bytes")
		BeginIFS(&o, nil)
		CompleteIFS(&o, st, bytes, nil)
		gs, gb, done := ResultIFS(&o)
		if st == STATUS_PENDING {
			if done || HasOverlappedIoCompleted(&o) {
				t.Fatal("STATUS_PENDING read as done")
			}
			return
		}
		if !done || gs != st || gb != bytes || !HasOverlappedIoCompleted(&o) {
			t.Fatalf("ResultIFS = %#x, %d, %v; wrote %#x, %d", uint32(gs), gb, done, uint32(st), bytes)
		}
		if o.Offset != before.Offset || o.OffsetHigh != before.OffsetHigh || o.HEvent != before.HEvent {
			t.Fatal("IFS protocol changed Offset, OffsetHigh or HEvent")
		}
	})
}

// Design, "everything observable is traced": for any sequence of protocol
// calls, the Observer's reports, replayed on a model of the record, give
// exactly the record's real state, and each report's old value is what the
// field held before.
func TestPropertyObserverReplaysState(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		o := drawRecord(t)
		m := model{uint64(o.Internal), uint64(o.InternalHigh), uint64(o.Offset), uint64(o.OffsetHigh)}
		obs := ObserverFunc(func(_ *Overlapped, f Field, old, new uint64) {
			p := m.field(f)
			if p == nil {
				t.Fatalf("report for %v", f)
			}
			if *p != old {
				t.Fatalf("%v: reported old %#x, model had %#x", f, old, *p)
			}
			*p = new
		})
		steps := rapid.IntRange(0, 20).Draw(t, "steps")
		for range steps {
			switch rapid.IntRange(0, 4).Draw(t, "op") {
			case 0:
				BeginNonIFS(&o, obs)
			case 1:
				SetProviderResult(&o, Errno(rapid.Uint32().Draw(t, "err")), rapid.Uint32().Draw(t, "flags"), obs)
			case 2:
				CompleteNonIFS(&o, rapid.Uint32().Draw(t, "bytes"), obs)
			case 3:
				BeginIFS(&o, obs)
			case 4:
				CompleteIFS(&o, NTStatus(rapid.Uint32().Draw(t, "status")), rapid.Uintptr().Draw(t, "bytes"), obs)
			}
			got := model{uint64(o.Internal), uint64(o.InternalHigh), uint64(o.Offset), uint64(o.OffsetHigh)}
			if got != m {
				t.Fatalf("record %+v, replayed model %+v", got, m)
			}
		}
	})
}

// WSAOVERLAPPED page, Pointer member overlaying Offset/OffsetHigh:
// SetPointer then Pointer gives back the same value, for any value.
func TestPropertyPointerRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var o Overlapped
		p := rapid.Uintptr().Draw(t, "p")
		o.SetPointer(p)
		if got := o.Pointer(); got != p {
			t.Fatalf("Pointer() = %#x after SetPointer(%#x)", got, p)
		}
		if o.Offset != uint32(p) {
			t.Fatalf("Offset = %#x, want low half of %#x", o.Offset, p)
		}
	})
}
