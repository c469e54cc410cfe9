// Package native runs scenarios against the real Winsock: ws2_32 and
// kernel32 of the Windows (or Wine) the program runs on. Its Backend
// (GOOS=windows only) implements spec.Backend, so the same scenario files
// that check the emulator check a real implementation, and the two can be
// compared step by step (cmd/wsaemu-native, cmd/wsaemu-diff).
//
// How a run maps onto the real system:
//
//   - each scenario thread is one goroutine locked to its own OS thread; a
//     step hands the call to it and waits for it. A call the scenario
//     expects to return is given up to Patience (10 s); any other call is
//     reported blocked after a short grace period, and its return is
//     reported later through Completed. What a step expects to happen
//     meanwhile (a blocked thread returning, an event signalled, a routine
//     run) is waited for the same way, up to Patience, so a loaded machine
//     slows a run down but does not change its verdicts;
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
