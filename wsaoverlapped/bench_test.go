package wsaoverlapped

import "testing"

var (
	sinkBytes  uint32
	sinkErr    Errno
	sinkStatus NTStatus
	sinkPtr    uintptr
	sinkBool   bool
)

// One full non-IFS cycle: provider begins, provider records error and
// flags, WPUCompleteOverlappedRequest publishes bytes and Internal, the
// provider's WSPGetOverlappedResult reads it back.
func BenchmarkFieldProtocolNonIFS(b *testing.B) {
	b.ReportAllocs()
	var o Overlapped
	for i := 0; b.Loop(); i++ {
		BeginNonIFS(&o, nil)
		SetProviderResult(&o, 0, uint32(i), nil)
		CompleteNonIFS(&o, uint32(i), nil)
		n, e, f, done := ResultNonIFS(&o)
		sinkBytes, sinkErr, sinkBool = n+f, e, done
	}
}

// One full IFS cycle: ws2_32 marks pending, the I/O manager completes, a
// reader takes status and count.
func BenchmarkFieldProtocolIFS(b *testing.B) {
	b.ReportAllocs()
	var o Overlapped
	for i := 0; b.Loop(); i++ {
		BeginIFS(&o, nil)
		CompleteIFS(&o, STATUS_SUCCESS, uintptr(i), nil)
		s, n, done := ResultIFS(&o)
		sinkStatus, sinkPtr, sinkBool = s, n, done
	}
}

// The same cycles with an Observer attached, to show the price of tracing.
func BenchmarkFieldProtocolIFSObserved(b *testing.B) {
	b.ReportAllocs()
	var o Overlapped
	obs := &countObserver{}
	for i := 0; b.Loop(); i++ {
		BeginIFS(&o, obs)
		CompleteIFS(&o, STATUS_SUCCESS, uintptr(i), obs)
		s, n, done := ResultIFS(&o)
		sinkStatus, sinkPtr, sinkBool = s, n, done
	}
}

func BenchmarkHasOverlappedIoCompleted(b *testing.B) {
	b.ReportAllocs()
	o := Overlapped{Internal: uintptr(STATUS_PENDING)}
	var done bool
	for b.Loop() {
		done = HasOverlappedIoCompleted(&o)
	}
	sinkBool = done
}

func BenchmarkSnapshot(b *testing.B) {
	b.ReportAllocs()
	o := Overlapped{Internal: 1, InternalHigh: 2}
	var s Overlapped
	for b.Loop() {
		s = o.Snapshot()
	}
	sinkPtr = s.InternalHigh
}

func BenchmarkStatusMapping(b *testing.B) {
	b.ReportAllocs()
	statuses := []NTStatus{STATUS_SUCCESS, STATUS_CANCELLED, STATUS_BUFFER_OVERFLOW, 0xC0FFEE00}
	for i := 0; b.Loop(); i++ {
		s := statuses[i&3]
		sinkErr = s.WSAError() + s.Win32Error()
	}
}
