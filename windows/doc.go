// Package windows gives Go code written against golang.org/x/sys/windows
// a second home: the wsaemu emulator. Its exported names, signatures,
// struct layouts and error values are those of golang.org/x/sys/windows
// for the overlapped I/O surface the emulator models (Winsock sockets and
// the Microsoft extension functions, events, waits, APCs, completion ports,
// pipes), so a file that does overlapped I/O through x/sys compiles
// against this package by changing its import line only:
//
//	import "golang.org/x/sys/windows"              // before
//	import "github.com/wsaemu/wsaemu/windows"      // after
//
// Which package that import gives depends on the build:
//
//   - On Windows (without the wsaemu build tag) it is golang.org/x/sys/windows
//     itself: every name is a re-export of x/sys, and the code talks to the
//     real ws2_32 and kernel32. With the environment variable WSAEMU_TRACE
//     naming a file (or after [RecordTrace]), the calls the trace checker
//     models are recorded there in the trace format of docs/trace-format.md,
//     for `wsaemu check-trace` to check on any system.
//   - Anywhere else, and on Windows with -tags wsaemu, it is the emulator:
//     every call is made by an emulated thread of a wsaemu machine
//     (package emu), deterministic and repeatable from a seed, and the
//     program's own Overlapped records and buffers are read and written in
//     place, as Windows does.
//
// # Threads
//
// A call is made by an emulated thread. [Run] builds a machine and runs
// its body as the first emulated thread, on Run's own goroutine (so a test
// body may call t.Fatal); [Go] starts another one (on Windows: a plain go
// statement). Exactly one emulated thread runs at any moment, and the
// machine's Chooser decides who runs next, so a run is repeatable from its
// seed. A call made when no machine runs, or from a goroutine that is not
// an emulated thread (a plain goroutine the program started, even while an
// emulated thread runs), fails with ERROR_INVALID_THREAD_ID (1444) and
// touches nothing; a call without an error result says so in its own way
// (SleepEx returns WAIT_FAILED, GetLastError returns the code). Run must
// not be called from an emulated thread (it is refused).
//
// An emulated thread must block only in this package's calls: a thread
// that waits on a Go channel, a sync.Mutex, time.Sleep or a real system
// call stops the whole machine, because no other emulated thread runs
// until it returns. After the hang timeout (10 s of wall-clock time by
// default; emu.WithHangTimeout) the run ends with an *emu.HangError that
// names the thread and shows its goroutine's stack and the end of the
// trace. A thread may end by returning, by panicking (Run reports the
// panic) or by runtime.Goexit, which is what t.Fatal does: the thread
// exits and the machine carries on; when it is the first thread, Run's
// goroutine ends with it once the other threads have finished.
//
// # What differs from Windows
//
// Error values are syscall.Errno with Windows' numbers, as in x/sys, so
// err == ERROR_IO_PENDING and err.(syscall.Errno) work; on a non-Windows
// host their Error text is the host's ("errno 997"), not Windows' message.
// Function pointers obtained through SIO_GET_EXTENSION_FUNCTION_POINTER
// are tokens: the package's own AcceptEx, ConnectEx, WSARecvMsg, ...
// are the way to call them. Callbacks made with [NewCallback] are tokens
// too, which this package's calls map back to the Go function. The
// sender address of a WSARecvFrom or WSARecvMsg that pends is written into
// the program's record when the program learns of the completion through
// this package (a wait, GetQueuedCompletionStatus, GetOverlappedResult,
// the completion routine), not the instant the datagram arrives.
//
// The machine Run builds has emu's default Winsock provider, a non-IFS
// one (the model of a system with a layered provider installed). Its
// socket handles are not kernel file objects: GetOverlappedResult with a
// NULL hEvent waits on the socket for ever, and the record's Internal is
// not an NTSTATUS; WSAGetOverlappedResult, or records with events, work
// with both kinds, as they do on Windows. RunMachine with
// emu.WithProviderKind(provider.IFS) gives the stock Windows provider.
//
// Names this package has that x/sys/windows lacks are listed in
// names_test.go (extraNames), with the reason for each.
package windows
