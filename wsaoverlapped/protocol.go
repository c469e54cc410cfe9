package wsaoverlapped

import "sync/atomic"

// WSS_OPERATION_COMPLETE is the value CompleteNonIFS leaves in Internal.
// The SPI pages only require "some value other than
// WSS_OPERATION_IN_PROGRESS"; any such value would do, and this package
// picks zero.
const WSS_OPERATION_COMPLETE uintptr = 0

// ---- Non-IFS providers: the protocol the SPI pages describe ----

// BeginNonIFS marks the start of an overlapped operation by a non-IFS
// provider: Internal becomes WSS_OPERATION_IN_PROGRESS. No other field is
// written; in particular InternalHigh keeps whatever it held.
func BeginNonIFS(o *Overlapped, obs Observer) {
	swapInternal(o, WSS_OPERATION_IN_PROGRESS, obs)
}

// SetProviderResult is the provider's part of completing a non-IFS
// operation, done before it calls WPUCompleteOverlappedRequest: OffsetHigh
// receives the Winsock error code (0 for success) and then Offset receives
// the result flags (for a receive, what lpFlags would report).
func SetProviderResult(o *Overlapped, err Errno, flags uint32, obs Observer) {
	swapOffsetHigh(o, uint32(err), obs)
	swapOffset(o, flags, obs)
}

// CompleteNonIFS is what WPUCompleteOverlappedRequest does to the record:
// InternalHigh receives the byte count, and only after that Internal
// receives WSS_OPERATION_COMPLETE. A reader that sees Internal change
// therefore always finds the right byte count. Signalling the event or
// posting to a completion port is the caller's business.
func CompleteNonIFS(o *Overlapped, bytes uint32, obs Observer) {
	swapInternalHigh(o, uintptr(bytes), obs)
	swapInternal(o, WSS_OPERATION_COMPLETE, obs)
}

// ResultNonIFS reads a record the way a typical provider's
// WSPGetOverlappedResult does. While Internal is WSS_OPERATION_IN_PROGRESS it
// returns done == false and zero results without reading anything else.
// Otherwise it returns InternalHigh as the byte count, OffsetHigh as the
// Winsock error and Offset as the flags.
func ResultNonIFS(o *Overlapped) (bytes uint32, err Errno, flags uint32, done bool) {
	if atomic.LoadUintptr(&o.Internal) == WSS_OPERATION_IN_PROGRESS {
		return 0, 0, 0, false
	}
	bytes = uint32(atomic.LoadUintptr(&o.InternalHigh))
	err = Errno(atomic.LoadUint32(&o.OffsetHigh))
	flags = atomic.LoadUint32(&o.Offset)
	return bytes, err, flags, true
}

// ---- IFS providers: what Windows' own provider and Wine do ----

// BeginIFS is what ws2_32 does before it hands an IFS request to the
// kernel: Internal becomes STATUS_PENDING. InternalHigh, Offset and
// OffsetHigh are left alone.
func BeginIFS(o *Overlapped, obs Observer) {
	swapInternal(o, uintptr(STATUS_PENDING), obs)
}

// CompleteIFS records the end of an IFS operation the way the I/O manager
// fills an IO_STATUS_BLOCK: InternalHigh (Information) receives the byte
// count, then Internal (Status) receives the final status. Offset and
// OffsetHigh are never written.
func CompleteIFS(o *Overlapped, status NTStatus, bytes uintptr, obs Observer) {
	swapInternalHigh(o, bytes, obs)
	swapInternal(o, uintptr(status), obs)
}

// ResultIFS reads an IFS record. While Internal is STATUS_PENDING it returns
// (STATUS_PENDING, 0, false) without reading InternalHigh, which may still
// hold an older operation's count. Otherwise it returns the final status and
// the byte count. Turning the status into an error code is left to
// NTStatus.WSAError or NTStatus.Win32Error, since ws2_32 and kernel32 do it
// differently.
func ResultIFS(o *Overlapped) (status NTStatus, bytes uintptr, done bool) {
	in := atomic.LoadUintptr(&o.Internal)
	if in == uintptr(STATUS_PENDING) {
		return STATUS_PENDING, 0, false
	}
	return NTStatus(in), atomic.LoadUintptr(&o.InternalHigh), true
}
