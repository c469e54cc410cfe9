// Package apcqueue models the per-thread queue of asynchronous procedure
// calls (APCs) that an emulated Windows thread owns, together with the rules
// by which an alertable wait empties it.
//
// The package is a plain data structure with rules attached. It knows
// nothing about threads, handles, events or goroutines, has no clock and
// starts no goroutines; the emulator's kernel owns one [Queue] per emulated
// thread and decides when that thread is in an alertable wait. Every choice
// the documentation leaves open is handed to a [Picker], so a run is
// reproducible given the same picks.
//
// # What is queued
//
// Two kinds of entry share one queue, ordered by when they were pushed:
//
//   - [User] entries stand for functions queued with QueueUserAPC. The
//     QueueUserAPC page says a thread runs pending APCs first in, first out,
//     so among themselves User entries always start in push order: only the
//     oldest queued User entry is ever a candidate.
//   - [Completion] entries stand for I/O completion routines (WSARecv,
//     WSASend, ReadFileEx, WPUQueueApc ...). The completion-routine pages
//     allow the system to call waiting routines in any order, so any queued
//     Completion entry may be a candidate, subject to the nesting rule below.
//
// # The nesting rule
//
// A routine may itself enter an alertable wait (an APC may sleep or wait
// alertably, which dispatches APCs recursively). The WSASend and WSARecv
// pages promise that, for one socket, completion routines are never nested.
// Each entry therefore carries a Key, the socket (or other handle) its
// routine belongs to. While a Completion entry with key k is running
// (between [Queue.Begin] and [Queue.End]), no other Completion entry with key
// k is a candidate; it waits until the running one returns. Key 0 means "no
// constraint". Completion routines of different sockets, and User entries,
// may nest freely. Keys play no part for User entries. A Picker that also
// implements [NestPicker] may lift the rule for one held entry at a time,
// when nothing else may start (a model that keeps both readings open).
//
// # Alertable waits
//
// When a thread enters an alertable wait, the kernel calls [Queue.Drain].
// It runs candidates one at a time, including entries queued while it is
// running, until none is left, and reports how many ran; a positive count
// means the wait ends with WAIT_IO_COMPLETION. A run callback may push more
// entries, and may call Drain again (a nested alertable wait); the nested
// Drain sees the same queue with the nesting rule applied. Entries that are
// queued but blocked by the nesting rule are not candidates: a nested Drain
// that finds only blocked entries returns 0, and the outer Drain runs them
// once the blocking routine has returned.
//
// The kernel may instead step through the queue itself with [Queue.Take],
// [Queue.Begin] and [Queue.End]; Drain is exactly that loop.
//
// # Choosing
//
// When more than one entry is a candidate, the [Picker] chooses among them,
// listed oldest first; a nil Picker always takes the oldest candidate, which
// gives one FIFO order over both kinds (what Windows and Wine are observed
// to do). The Picker is consulted only when there are at least two
// candidates, and out-of-range answers are clamped, so any Picker is safe.
//
// # Thread exit
//
// The QueueUserAPC page says APCs still queued when a thread terminates are
// lost, and that queuing to a terminating thread fails. [Queue.Close] removes
// every queued entry (reporting each to a callback, in queue order) and makes
// later [Queue.Push] calls fail.
//
// # Guarantees
//
// No method panics on any input: Take on an empty queue, End without a
// matching Begin, re-entrant calls from inside callbacks, Push after Close
// and nil callbacks are all handled. Once the backing storage has grown to
// the working size, Push, Take, Drain, Begin and End do not allocate. Freed
// slots are zeroed so that payloads are not kept alive. A Queue is not safe
// for concurrent use; the kernel runs one emulated thread at a time.
package apcqueue
