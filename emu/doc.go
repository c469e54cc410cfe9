// Package emu is the emulated Windows machine of wsaemu: a deterministic,
// in-memory model of the kernel objects that overlapped I/O is built on
// (threads, handles, events, waits, APCs, the I/O manager, anonymous and
// named pipes, completion ports) and of the Winsock calls on top of them.
//
// # The pieces
//
// A [System] is one machine. It owns a handle table, the kernel objects,
// the threads, a virtual clock, a [Chooser] and a [Trace]. Build one with
// [New] and options such as [WithSeed], [WithChooser] and [WithProfile].
//
// A [Thread] is one emulated thread. Its methods are the Win32 and Winsock
// calls (SleepEx, WaitForMultipleObjectsEx, QueueUserAPC, CreateEvent,
// ReadFileEx, ...), with Windows' names, arguments, return values and
// error codes. A method may only be called by code running as that thread;
// anything else fails with [ErrWrongThread]. Each thread has its own APC
// queue (package apcqueue), which only an alertable wait empties.
//
// # One decision maker
//
// Wherever the documentation allows more than one outcome (which ready
// thread runs next, whether an operation completes at once or pends, in
// which order completion routines run, whether a cancel wins a race), the
// System asks its Chooser. Nothing else varies between runs: no wall
// clock, no map order, no Go scheduler. So the same Chooser answers give
// the same run. [UsualChooser] (the default) always takes what Windows
// usually does; [SeededChooser] draws from a seed; [Recorder] and
// [ReplayChooser] record a run's decisions and repeat them; [RapidChooser]
// lets a rapid property test generate, and shrink, schedules.
//
// # Two drivers
//
// A [Stepper] drives the machine one call at a time: "thread A calls X".
// A call that has to wait comes back unfinished and completes during a
// later step that releases it; timeouts and deferred completions happen
// only when the driver asks ([Stepper.Settle]). This suits scenarios and
// property tests. With the hang watchdog off ([WithHangTimeout](0)) the
// stepped threads run as coroutines of the driver, which makes a step
// several times cheaper; ExitThread and [System.Stop] then unwind a
// thread's code with a panic, which code that recovers every panic must
// pass on ([IsUnwind]).
//
// [System.Go] and [System.Run] drive it with goroutines: each thread is
// plain Go code calling blocking functions. Only one emulated thread runs
// at any moment, and the Chooser picks who runs next, so a goroutine run
// is just as repeatable as a stepped one.
//
// [System.RunHere] is Run for code that must stay on its goroutine (a
// test body that calls t.Fatal): the caller's goroutine becomes the first
// emulated thread. [System.Caller] names the thread the calling goroutine
// runs as, for code without a thread argument.
//
// # What an emulated thread may do
//
// An emulated thread's code may compute, touch its own memory and call
// the emulator as much as it likes. It must not wait for anything the
// emulator cannot see: a Go channel or sync primitive shared with another
// emulated thread, time.Sleep, a real system call or network. Only one
// emulated thread runs at a time, so such a wait stops the whole machine;
// after the hang timeout ([WithHangTimeout], [DefaultHangTimeout], on the
// wall clock) the run ends with a [*HangError] naming the thread, with its
// goroutine's stack and the end of the trace. Wait through the emulator
// instead (events, SleepEx, completion ports). An emulated thread may not
// start plain goroutines that call the emulator: a call from a goroutine
// that is not the running thread's fails with [ErrWrongThread].
//
// # Time and deadlock
//
// Time is virtual. A timed wait expires only when no thread can run and no
// system action is pending; the clock then jumps to the earliest deadline.
// Long timeouts cost nothing and no test depends on real timing. When
// every remaining thread waits for ever and nothing pending could wake
// one, Run stops and returns a [*DeadlockError] listing what each thread
// waits for, with the trace: a deadlock is reported, never a hang.
// Threads that keep running without getting anywhere (polling and toggling
// events, for ever) are stopped too: after a budget of steps without
// progress ([WithLivelockBudget], [DefaultLivelockBudget]) Run, or the
// Stepper's Call, returns a [*LivelockError], also with the trace.
//
// # The trace
//
// Everything observable is recorded as an [Event]: calls and returns,
// each write to a WSAOVERLAPPED field, events signalled and reset, APCs
// queued, run and dropped, threads blocking and waking, the clock, every
// Chooser decision. [Trace.WriteText] renders a timeline,
// [Trace.WriteJSON] and [ReadJSON] a machine-readable form.
//
// # Examples
//
// The examples show the three ways an overlapped receive reports: an event
// in the record ([Thread.WSARecv]), a completion routine run in an
// alertable wait (the completionRoutine example of [Thread.WSARecv]), and
// a completion port ([Thread.GetQueuedCompletionStatus]).
//
// # Two layers, one package
//
// The ws2 layer (the ws2_*.go files: WSA* calls, socket objects, the
// upcall table handed to the provider, its state in ws2State) sits on the
// kernel layer (the other files). The kernel has no socket branches: a
// socket is a kernel object that owns its close, its cancellation and what
// a thread's exit does to its I/O (the object, fileLike and device
// interfaces), and the ws2 layer hears of thread exits through a
// notifier. The two stay in one package all the same, because the ws2
// layer is built out of the kernel's internals: it issues and completes
// I/O manager requests, resolves and performs waits, queues APCs, posts
// completion packets, sets events, schedules system actions, asks the
// Chooser, traces and feeds the sanitizer, about ninety unexported
// functions, types and fields in all. In a package of its own every one
// would have to be exported or wrapped, putting the machine's insides on
// its public surface; a split would not be a mechanical move but a second
// API, with no reader gaining from it.
package emu
