package emu

import (
	"github.com/wsaemu/wsaemu/provider"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// The record and code types come from package wsaoverlapped; these aliases
// let code that drives a System read like Win32 code.
type (
	Handle     = wso.Handle
	Overlapped = wso.Overlapped
	Errno      = wso.Errno
	NTStatus   = wso.NTStatus
)

// Handle values with a fixed meaning.
const (
	// INVALID_HANDLE_VALUE is (HANDLE)-1.
	INVALID_HANDLE_VALUE Handle = ^Handle(0)
	// currentProcessPseudoHandle is what GetCurrentProcess returns:
	// (HANDLE)-1, the same value as INVALID_HANDLE_VALUE.
	currentProcessPseudoHandle Handle = ^Handle(0)
	// currentThreadPseudoHandle is what GetCurrentThread returns: (HANDLE)-2.
	currentThreadPseudoHandle Handle = ^Handle(1)
	// INFINITE as a wait time in milliseconds (defined in wsaoverlapped).
	INFINITE = wso.INFINITE
)

// APCProc is a user-mode APC routine (PAPCFUNC), queued with QueueUserAPC.
// It runs on the thread t it was queued to, during an alertable wait.
type APCProc func(t *Thread, param uintptr)

// FileIOCompletionRoutine is an LPOVERLAPPED_COMPLETION_ROUTINE, the
// routine ReadFileEx and WriteFileEx call.
type FileIOCompletionRoutine func(t *Thread, dwErrorCode, dwNumberOfBytesTransfered uint32, ov *Overlapped)

// WSACompletionRoutine is an LPWSAOVERLAPPED_COMPLETION_ROUTINE, the
// routine the overlapped Winsock calls take. It has the C signature: it runs
// on the thread that issued the operation, which the closure can capture.
type WSACompletionRoutine = provider.CompletionRoutine
