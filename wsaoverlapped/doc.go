// Package wsaoverlapped models the WSAOVERLAPPED record and the rules by
// which its fields are written and read while an overlapped Winsock
// operation runs. It also holds the numeric vocabulary the rest of wsaemu
// shares: Win32 and Winsock error codes (Errno), NTSTATUS values (NTStatus),
// the two tables that turn a status into an error code, and wait results.
// Every number is the one Windows uses, so traces from the emulator and
// from real Windows can be compared directly.
//
// # The record
//
// A WSAOVERLAPPED is the same five fields as a Win32 OVERLAPPED:
//
//	Internal      ULONG_PTR  owned by the implementation of the operation
//	InternalHigh  ULONG_PTR  owned by the implementation of the operation
//	Offset        DWORD      owned by the service provider
//	OffsetHigh    DWORD      owned by the service provider
//	hEvent        HANDLE     owned by the application
//
// Offset and OffsetHigh also form an anonymous union with a Pointer member;
// see Overlapped.Pointer. The application hands the record to a call such
// as WSARecv and must leave it alone until the operation has finished.
//
// # Two ways of using the fields
//
// Which entity writes which field depends on the kind of service provider.
//
// A non-IFS provider follows the typical implementation the SPI pages
// describe for WSPGetOverlappedResult:
//
//  1. on starting the operation, Internal = WSS_OPERATION_IN_PROGRESS (BeginNonIFS);
//  2. on finishing it, the provider stores the Winsock error in OffsetHigh and
//     the result flags in Offset (SetProviderResult), then calls
//     WPUCompleteOverlappedRequest with the byte count;
//  3. WPUCompleteOverlappedRequest stores the byte count in InternalHigh and
//     only then moves Internal away from WSS_OPERATION_IN_PROGRESS
//     (CompleteNonIFS);
//  4. the provider's WSPGetOverlappedResult checks Internal and, if the
//     operation is over, reports InternalHigh, OffsetHigh and Offset as the
//     byte count, error and flags (ResultNonIFS).
//
// An IFS provider (Windows' own msafd, and Wine) lets the kernel's I/O
// manager treat Internal and InternalHigh as an IO_STATUS_BLOCK:
//
//  1. ws2_32 sets Internal = STATUS_PENDING before issuing the request (BeginIFS);
//  2. at completion InternalHigh receives the byte count and then Internal
//     receives the final NTSTATUS (CompleteIFS); Offset and OffsetHigh are
//     never written for sockets;
//  3. readers take the status and count (ResultIFS) and translate the status
//     with one of two different tables: NTStatus.WSAError for ws2_32
//     (WSAGetOverlappedResult, socket completion routines) and
//     NTStatus.Win32Error for kernel32 (GetOverlappedResult,
//     GetQueuedCompletionStatus, file completion routines).
//
// WSS_OPERATION_IN_PROGRESS and STATUS_PENDING are both 0x103, so the
// HasOverlappedIoCompleted macro works for either kind. In both protocols
// the byte count is published before Internal changes; a reader that sees
// the operation finished therefore also sees its results.
//
// # Concurrency and observation
//
// The protocol functions write Internal, InternalHigh, Offset and
// OffsetHigh with sync/atomic, and the Load* methods, Snapshot,
// HasOverlappedIoCompleted and the Result* functions read them the same
// way, so a record may be completed on one goroutine and polled on another
// without a data race. None of them allocates.
//
// Each protocol function accepts an optional Observer that is told about
// every field store, in order, with the old and new value. The emulator's
// trace and sanitizer are built on it; a nil Observer costs nothing.
//
// # Error codes
//
// Errno holds both Win32 codes (ERROR_*) and Winsock codes (WSAE*, WSA_*),
// which share one number space. Names follow the Windows headers and
// golang.org/x/sys/windows. The WSA_ aliases of Win32 codes
// (WSA_IO_PENDING = ERROR_IO_PENDING = 997, WSA_IO_INCOMPLETE = 996,
// WSA_INVALID_HANDLE = 6, WSA_INVALID_PARAMETER = 87,
// WSA_NOT_ENOUGH_MEMORY = 8, WSA_OPERATION_ABORTED = 995) are the very same
// values, and Errno.Name reports the ERROR_ spelling for them.
package wsaoverlapped
