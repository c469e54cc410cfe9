// Package native runs scenarios against the real Winsock: ws2_32 and
// kernel32 of the Windows (or Wine) the program runs on. Its Backend
// (GOOS=windows only) implements spec.Backend, so the same scenario files
// that check the emulator check a real implementation, and the two can be
// compared step by step (cmd/wsaemu-native, cmd/wsaemu-diff).
//
// How a run maps onto the real system:
//
//   - each scenario thread is one goroutine locked to its own OS thread; a
//     step hands the call to it and waits a short wall-clock grace period.
//     A call still running then is reported blocked, and its return is
//     reported later through Completed;
//   - a call that ends because its time-out ran out (SleepEx, the waits,
//     GetQueuedCompletionStatus) is held back and reported at the next
//     settle, the way the emulator's virtual clock only moves when the
//     scenario settles;
//   - overlapped records, buffers and out-parameters live in a static
//     arena that the Go collector neither moves nor frees, since the kernel
//     writes to them after the call that handed them over has returned;
//   - completion routines and APCs go through a fixed pool of callbacks
//     made once per process; each declared routine takes one slot.
//
// The list of disagreements that are Wine departing from Windows (not the
// emulator being wrong) is in this package too, and builds everywhere:
// see Deviations.
package native
