package spec

// The kernel pages: alertable I/O and APCs, SleepEx and the alertable
// waits, the OVERLAPPED record, ReadFileEx and its completion routine (the
// LPOVERLAPPED_COMPLETION_ROUTINE seed), GetOverlappedResult, cancellation,
// and I/O completion ports. Each Text is a paraphrase in our own words;
// the pages themselves are at https://learn.microsoft.com/windows/win32/.

const (
	pgRoutine    = "LPOVERLAPPED_COMPLETION_ROUTINE"
	pgAlertable  = "Alertable I/O"
	pgAPC        = "Asynchronous Procedure Calls"
	pgQueueAPC   = "QueueUserAPC"
	pgSleepEx    = "SleepEx"
	pgMsgWait    = "MsgWaitForMultipleObjectsEx"
	pgSyncOvl    = "Synchronization and Overlapped Input and Output"
	pgSyncAsync  = "Synchronous and Asynchronous I/O"
	pgOverlapped = "OVERLAPPED"
	pgReadFileEx = "ReadFileEx"
	pgGOR        = "GetOverlappedResult"
	// https://learn.microsoft.com/windows/win32/api/ioapiset/nf-ioapiset-getoverlappedresultex
	pgGORex       = "GetOverlappedResultEx"
	pgCancelIo    = "CancelIo"
	pgCancelIoEx  = "CancelIoEx"
	pgCanceling   = "Canceling Pending I/O Operations"
	pgCreatePort  = "CreateIoCompletionPort"
	pgGQCS        = "GetQueuedCompletionStatus"
	pgGQCSEx      = "GetQueuedCompletionStatusEx"
	pgPQCS        = "PostQueuedCompletionStatus"
	pgIOCP        = "I/O Completion Ports"
	pgSetFCNModes = "SetFileCompletionNotificationModes"
)

// Reasons shared by several uncovered clauses.
const (
	noMsgWait  = "the emulator has no window messages and no MsgWaitForMultipleObjectsEx; the same rule for the other wait functions is covered under their own clauses"
	oneProcess = "the emulator models one process, so there is no other process to queue to or share with"
)

func init() {
	register(
		// LPOVERLAPPED_COMPLETION_ROUTINE (seed 001)
		Clause{ID: "lpoverlapped-completion-routine.alertable-only", Kind: Required, Page: pgRoutine,
			Text:  "A ReadFileEx/WriteFileEx completion routine is called only once the operation is done and the thread that issued it sits in an alertable wait.",
			Tests: []string{"emu.TestPipeReadFileExPendingRoutineOnlyWhenAlertable"}},
		Clause{ID: "lpoverlapped-completion-routine.error-code", Kind: Required, Page: pgRoutine,
			Text:  "dwErrorCode carries the operation's final status as a Win32 system error code (for example ERROR_OPERATION_ABORTED after a cancel).",
			Tests: []string{"emu.TestCancelNotifiesThroughRequestedMechanism"}},
		Clause{ID: "lpoverlapped-completion-routine.bytes-zero-on-error", Kind: Required, Page: pgRoutine,
			Text:  "When the operation failed, the routine is told that zero bytes were transferred.",
			Tests: []string{"emu.TestCancelNotifiesThroughRequestedMechanism"}},
		Clause{ID: "lpoverlapped-completion-routine.overlapped-pointer", Kind: Required, Page: pgRoutine,
			Text: "lpOverlapped is the very record that was handed to the I/O call that the routine reports on."},
		Clause{ID: "lpoverlapped-completion-routine.free-after-call", Kind: Required, Page: pgRoutine,
			Text: "Once the routine has been called the system is done with the OVERLAPPED, so the routine may release or reuse it."},
		Clause{ID: "lpoverlapped-completion-routine.warning-zero-error", Kind: Required, Page: pgRoutine,
			Text:  "A completion with a warning (such as a message longer than the buffer) gives the routine dwErrorCode 0; only GetOverlappedResult then reveals the warning (ERROR_MORE_DATA).",
			Tests: []string{"emu.TestPipeMoreDataReadFileExRoutine"}},
		Clause{ID: "lpoverlapped-completion-routine.all-before-return", Kind: Required, Page: pgRoutine,
			Text:  "Every routine waiting for the thread runs, one after another, before the alertable wait ends with WAIT_IO_COMPLETION.",
			Tests: []string{"emu.TestAlertableWaitRunsEveryQueuedAPC"}},
		Clause{ID: "lpoverlapped-completion-routine.any-order", Kind: Freedom, Page: pgRoutine,
			Text: "Waiting routines may be called in any order, which need not match the order in which their operations finished."},
		Clause{ID: "lpoverlapped-completion-routine.nested-wait", Kind: Required, Page: pgRoutine,
			Text: "A routine may itself start I/O and wait alertably; further routines then run nested on the same thread's stack, which grows with each level."},

		// Alertable I/O
		Clause{ID: "alertable-io.issuing-thread-only", Kind: Required, Page: pgAlertable,
			Text: "Alertable I/O reports a result only to the thread that started the operation: another thread's alertable wait never runs its routine."},
		Clause{ID: "alertable-io.drain-until-empty", Kind: Required, Page: pgAlertable,
			Text:  "On entering an alertable state the thread runs queued callbacks one at a time until its APC queue is empty, then the waiting function returns.",
			Tests: []string{"emu.TestAlertableWaitRunsEveryQueuedAPC"}},
		Clause{ID: "alertable-io.empty-queue-suspends", Kind: Required, Page: pgAlertable,
			Text:  "A thread that becomes alertable with nothing queued is suspended until the awaited object is signalled or a callback is queued to it.",
			Tests: []string{"emu.TestAlertableWaitWithoutAPCIsPlainWait"}},
		Clause{ID: "alertable-io.entry-functions", Kind: Required, Page: pgAlertable,
			Text:  "Only SleepEx, WaitForSingleObjectEx, WaitForMultipleObjectsEx, SignalObjectAndWait and MsgWaitForMultipleObjectsEx, called with their alertable flag, make a thread alertable.",
			Tests: []string{"emu.TestAlertableWaitRunsEveryQueuedAPC", "emu.TestNonAlertableWaitNeverRunsAPC"}},

		// Asynchronous Procedure Calls
		Clause{ID: "apc.user-needs-alertable", Kind: Required, Page: pgAPC,
			Text:  "A user-mode APC queued to a thread is not run until that thread is in an alertable state; it is never run in the middle of the thread's code.",
			Tests: []string{"emu.TestNonAlertableWaitNeverRunsAPC", "emu.TestAPCWaitsForAlertableWait"}},
		Clause{ID: "apc.per-thread-queue", Kind: Required, Page: pgAPC,
			Text: "Every thread owns its own APC queue: an APC queued to one thread never runs on another."},
		Clause{ID: "apc.satisfied-wait-keeps-apc", Kind: Required, Page: pgAPC,
			Text:  "If an alertable wait is satisfied before an APC arrives, that wait does not run it; the APC stays queued and runs at the thread's next alertable wait.",
			Tests: []string{"emu.TestSignalWhileBlockedBeatsLaterAPC", "emu.TestSignalledObjectWinsOverQueuedAPC"}},
		Clause{ID: "apc.thread-exit-cancels", Kind: Required, Page: pgAPC,
			Text:    "A pending request stays tied to the thread that issued it and is cancelled if that thread ends or calls CancelIo.",
			Profile: "docs: every request of an exiting thread is cancelled; windows: requests on handles bound to a completion port (and socket requests) are thread-agnostic and stay pending (emu.ProfileDifferences).",
			Tests:   []string{"emu.TestCancelOnThreadExitDocsProfile", "emu.TestCancelOnThreadExitWindowsProfile"}},
		Clause{ID: "apc.completion-mechanisms", Kind: Required, Page: pgAPC,
			Text: "A finished request is reported by updating its OVERLAPPED (for polling), by signalling the record's event, by queuing an APC to the issuing thread, or by queuing a packet to a completion port."},
		Clause{ID: "apc.port-waiter-not-alertable", Kind: Required, Page: pgAPC,
			Text: "A thread waiting on a completion port is not in an alertable wait, so routines queued to it stay queued until it later waits alertably."},

		// QueueUserAPC
		Clause{ID: "queueuserapc.alertable-only", Kind: Required, Page: pgQueueAPC,
			Text:  "QueueUserAPC succeeds (nonzero) and adds the APC to the target thread's queue; the thread calls it only once it is alertable.",
			Tests: []string{"emu.TestAPCWaitsForAlertableWait"}},
		Clause{ID: "queueuserapc.fifo", Kind: Required, Page: pgQueueAPC,
			Text:  "An alertable thread runs its pending user APCs in the order they were queued, first in first out.",
			Tests: []string{"emu.TestUserAPCOrderIsFIFOUnderSeededChooser"}},
		Clause{ID: "queueuserapc.wait-returns-io-completion", Kind: Required, Page: pgQueueAPC,
			Text:  "After the pending APCs have run, the alertable wait returns WAIT_IO_COMPLETION.",
			Tests: []string{"emu.TestAlertableWaitRunsEveryQueuedAPC"}},
		Clause{ID: "queueuserapc.before-thread-start", Kind: Required, Page: pgQueueAPC,
			Text:  "APCs queued to a thread before it starts running are called first, before the thread's own code.",
			Tests: []string{"emu.TestAPCQueuedBeforeThreadStartsRunsFirst"}},
		Clause{ID: "queueuserapc.nested-wait-recurses", Kind: Required, Page: pgQueueAPC,
			Text:  "An APC may sleep or wait; an alertable wait made inside it dispatches the remaining APCs recursively.",
			Tests: []string{"emu.TestNestedAlertableWaitInsideAPC"}},
		Clause{ID: "queueuserapc.exit-loses-apcs", Kind: Required, Page: pgQueueAPC,
			Text:  "APCs still queued when their thread ends are discarded and never called.",
			Tests: []string{"emu.TestAPCsQueuedAtExitAreDropped"}},
		Clause{ID: "queueuserapc.terminating-thread-fails", Kind: Required, Page: pgQueueAPC,
			Text:  "Queuing to a thread that is terminating fails with ERROR_GEN_FAILURE.",
			Tests: []string{"emu.TestQueueUserAPCToExitedThread"}},
		Clause{ID: "queueuserapc.bad-handle", Kind: Required, Page: pgQueueAPC,
			Text:  "hThread must be a thread handle with THREAD_SET_CONTEXT; otherwise the call returns zero and GetLastError says why.",
			Tests: []string{"emu.TestQueueUserAPCBadArguments"}},
		Clause{ID: "queueuserapc.same-process", Kind: Undefined, Page: pgQueueAPC,
			Text:      "Queuing an APC to a thread of another process is discouraged: the function address may not be valid there.",
			Uncovered: oneProcess},

		// SleepEx
		Clause{ID: "sleepex.timeout-returns-zero", Kind: Required, Page: pgSleepEx,
			Text:  "SleepEx returns 0 when its interval runs out.",
			Tests: []string{"emu.TestAlertableWaitWithoutAPCIsPlainWait"}},
		Clause{ID: "sleepex.alertable.io-completion", Kind: Required, Page: pgSleepEx,
			Text: "An alertable SleepEx that ends because completion routines or APCs ran returns WAIT_IO_COMPLETION."},
		Clause{ID: "sleepex.alertable.apc-returns", Kind: Required, Page: pgSleepEx,
			Text:  "An alertable SleepEx returns early when a routine or APC is delivered to the thread, after running it.",
			Tests: []string{"emu.TestAPCWakesAlertableWaiter"}},
		Clause{ID: "sleepex.not-alertable.ignores-apcs", Kind: Required, Page: pgSleepEx,
			Text:  "With bAlertable FALSE, SleepEx waits out its full interval: queued APCs and completion routines neither end it nor run.",
			Tests: []string{"emu.TestNonAlertableWaitNeverRunsAPC"}},
		Clause{ID: "sleepex.zero-returns", Kind: Required, Page: pgSleepEx,
			Text: "SleepEx(0, FALSE) gives the rest of the time slice to a ready thread, if any, and otherwise returns at once."},
		Clause{ID: "sleepex.infinite", Kind: Required, Page: pgSleepEx,
			Text: "An INFINITE interval never times out; an alertable SleepEx(INFINITE) ends only when a routine or APC runs."},
		Clause{ID: "sleepex.other-thread-io", Kind: Required, Page: pgSleepEx,
			Text: "WAIT_IO_COMPLETION from I/O callbacks happens only for the thread that issued the extended I/O call."},
		Clause{ID: "sleepex.clock-resolution", Kind: Freedom, Page: pgSleepEx,
			Text:      "The actual sleep may be shorter or longer than asked, by up to the clock tick, and a ready thread may start late.",
			Uncovered: "the emulator's virtual clock is exact: every interval ends precisely on time"},

		// MsgWaitForMultipleObjectsEx
		Clause{ID: "msgwaitformultipleobjectsex.alertable", Kind: Required, Page: pgMsgWait,
			Text:      "With MWMO_ALERTABLE the call also ends, with WAIT_IO_COMPLETION, when a user APC is queued to the waiting thread.",
			Uncovered: noMsgWait},
		Clause{ID: "msgwaitformultipleobjectsex.input", Kind: Required, Page: pgMsgWait,
			Text:      "New input of a kind named in dwWakeMask ends the wait with WAIT_OBJECT_0 + nCount.",
			Uncovered: noMsgWait},
		Clause{ID: "msgwaitformultipleobjectsex.handle-closed", Kind: Undefined, Page: pgMsgWait,
			Text:      "Closing one of the waited handles while the wait is in progress gives undefined behaviour; the array may not hold one handle twice.",
			Uncovered: noMsgWait},

		// Synchronization and Overlapped Input and Output
		Clause{ID: "sync-overlapped-io.immediate-or-pending", Kind: Freedom, Page: pgSyncOvl,
			Text:  "An overlapped call may finish before it returns, and then reports like a synchronous call; otherwise it returns FALSE with ERROR_IO_PENDING.",
			Tests: []string{"emu.TestStepperSettleFiresDeferredCompletion"}},
		Clause{ID: "sync-overlapped-io.event-reset-on-pending", Kind: Required, Page: pgSyncOvl,
			Text: "When an overlapped call returns before the operation is done, the record's event is non-signalled; the system signals it when the operation completes."},
		Clause{ID: "sync-overlapped-io.ex-async-only", Kind: Undefined, Page: pgSyncOvl,
			Text:  "ReadFileEx and WriteFileEx are asynchronous only: using them on a handle opened without FILE_FLAG_OVERLAPPED is outside their contract (the pages do not say what happens).",
			Tests: []string{"emu.TestPipeReadFileExFailureQueuesNoRoutine"}},
		Clause{ID: "sync-overlapped-io.wait-any-identifies-op", Kind: Required, Page: pgSyncOvl,
			Text: "With a separate manual-reset event per operation, the index a wait-any returns tells which operation finished."},
		Clause{ID: "sync-overlapped-io.shared-event", Kind: Required, Page: pgSyncOvl,
			Text: "An event shared by several operations is signalled by whichever finishes first, so its state says nothing about the others."},
		Clause{ID: "sync-overlapped-io.has-completed-poll", Kind: Required, Page: pgSyncOvl,
			Text: "Completion can be polled (HasOverlappedIoCompleted): the record's Internal leaves STATUS_PENDING once the operation is done."},
		Clause{ID: "sync-overlapped-io.null-overlapped", Kind: Undefined, Page: pgSyncOvl,
			Text:      "Passing a NULL OVERLAPPED to an overlapped handle is a mistake; the return value may then wrongly claim the operation is complete.",
			Uncovered: "no outcome can be asserted for undefined usage; the emulator refuses it at once with ERROR_INVALID_PARAMETER instead of guessing"},
		Clause{ID: "sync-overlapped-io.autoreset-result-wait", Kind: Undefined, Page: pgSyncOvl,
			Text:    "On XP/Vista, reusing records with an auto-reset event and GetOverlappedResult(bWait TRUE) can block for ever once a wait consumed the event; Windows 7 and later check the record first.",
			Profile: "both profiles follow Windows 7 and later: a waiting GetOverlappedResult on a finished record returns at once."},

		// Synchronous and Asynchronous I/O
		Clause{ID: "sync-async-io.sync-blocks", Kind: Required, Page: pgSyncAsync,
			Text:  "On a handle opened without FILE_FLAG_OVERLAPPED a read or write blocks the calling thread until the I/O completes.",
			Tests: []string{"emu.TestPipeSynchronousHandlesBlock"}},
		Clause{ID: "sync-async-io.sync-ends-on-error", Kind: Required, Page: pgSyncAsync,
			Text: "A blocked synchronous call also ends when the I/O fails, for example because the other end of the pipe was closed."},
		Clause{ID: "sync-async-io.no-release-while-pending", Kind: Undefined, Page: pgSyncAsync,
			Text:  "Freeing or changing the OVERLAPPED or the data buffer (or letting a local one go out of scope) before the I/O completes is an error.",
			Tests: []string{"emu.TestSanitizerRelease"}},
		Clause{ID: "sync-async-io.immediate-success-still-posts", Kind: Required, Page: pgSyncAsync,
			Text:  "An overlapped call that reports success at once on a port-associated handle still sends a completion packet to the port.",
			Tests: []string{"emu.TestPortImmediateSuccessPostsPacket"}},
		Clause{ID: "sync-async-io.handle-signalled", Kind: Required, Page: pgSyncAsync,
			Text:    "The system makes the file handle non-signalled when an operation starts and signalled when one completes, so waiting on it cannot tell which operation finished.",
			Profile: "docs: every completion signals the handle; windows: an overlapped request that names an event signals only the event (Wine's dlls/ntdll/tests/pipe.c, test_completion; emu.ProfileDifferences)",
			Tests:   []string{"emu.TestPipeNullEventWaitsOnFileHandle", "emu.TestFileHandleNotSignalledWhenEventGiven"}},
		Clause{ID: "sync-async-io.file-position", Kind: Required, Page: pgSyncAsync,
			Text:      "On asynchronous handles the system keeps no file pointer: the position comes from the OVERLAPPED offset fields.",
			Uncovered: "the emulator has pipes and sockets only, no seeking devices"},

		// OVERLAPPED
		Clause{ID: "overlapped.internal.status", Kind: Required, Page: pgOverlapped,
			Text: "Internal is set to STATUS_PENDING when the request is issued and to the request's final status code when it completes."},
		Clause{ID: "overlapped.internalhigh.bytes", Kind: Required, Page: pgOverlapped,
			Text:  "InternalHigh receives the number of bytes transferred when the request completes without error.",
			Tests: []string{"emu.TestResultBytesComeFromInternalHigh"}},
		Clause{ID: "overlapped.offset.untouched", Kind: Required, Page: pgOverlapped,
			Text: "Offset and OffsetHigh are the caller's: the system never changes them."},
		Clause{ID: "overlapped.offset.zero-or-fail", Kind: Freedom, Page: pgOverlapped,
			Text: "Unused members, and the offsets on a device without a file position, should be zero; a call given something else may fail with ERROR_INVALID_PARAMETER (ReadFileEx says they are ignored)."},
		Clause{ID: "overlapped.hevent.reset-at-start", Kind: Required, Page: pgOverlapped,
			Text:  "ReadFile and WriteFile make hEvent non-signalled before starting the operation, and it is signalled when the operation has completed.",
			Tests: []string{"emu.TestPipeEventResetWhenOperationBegins"}},
		Clause{ID: "overlapped.hevent.autoreset-consumed", Kind: Required, Page: pgOverlapped,
			Text: "Wait functions and GetOverlappedResult reset an auto-reset event they are satisfied by, so a manual-reset event is the safe choice for hEvent."},
		Clause{ID: "overlapped.reuse-while-pending", Kind: Undefined, Page: pgOverlapped,
			Text:  "Reusing an OVERLAPPED for a new request before the previous one has completed is a mistake: each request needs its own record.",
			Tests: []string{"emu.TestSanitizerOverlappedReuse"}},

		// ReadFileEx
		Clause{ID: "readfileex.pending-returns-true", Kind: Required, Page: pgReadFileEx,
			Text:  "A successful ReadFileEx returns nonzero whether the read is already done or still pending; either way the routine reports the result later.",
			Tests: []string{"emu.TestPipeReadFileExPendingRoutineOnlyWhenAlertable"}},
		Clause{ID: "readfileex.routine-ends-wait", Kind: Required, Page: pgReadFileEx,
			Text: "If the read completes while the issuing thread is in an alertable wait, the routine runs and the wait ends with WAIT_IO_COMPLETION."},
		Clause{ID: "readfileex.queued-until-alertable", Kind: Required, Page: pgReadFileEx,
			Text:  "If the read completes while the thread is not alertable, the routine call is held until the thread next waits alertably.",
			Tests: []string{"emu.TestPipeReadFileExPendingRoutineOnlyWhenAlertable"}},
		Clause{ID: "readfileex.hevent-ignored", Kind: Required, Page: pgReadFileEx,
			Text: "ReadFileEx does not use hEvent; the application may keep anything there and the event is neither reset nor signalled."},
		Clause{ID: "readfileex.uses-internal", Kind: Required, Page: pgReadFileEx,
			Text: "ReadFileEx does use Internal and InternalHigh for the status and byte count; the application must not set them."},
		Clause{ID: "readfileex.failure-no-routine", Kind: Required, Page: pgReadFileEx,
			Text:  "When ReadFileEx fails (returns zero) nothing is pending and the routine will never be called.",
			Tests: []string{"emu.TestPipeReadFileExFailureQueuesNoRoutine"}},
		Clause{ID: "readfileex.more-data-last-error", Kind: Required, Page: pgReadFileEx,
			Text:  "A read that overflows its buffer still returns TRUE, but GetLastError then reports ERROR_MORE_DATA; with no warning it reports ERROR_SUCCESS.",
			Tests: []string{"emu.TestPipeMoreDataReadFileExRoutine"}},
		Clause{ID: "readfileex.cancelled-aborted", Kind: Required, Page: pgReadFileEx,
			Text: "A read that is cancelled completes with ERROR_OPERATION_ABORTED."},
		Clause{ID: "readfileex.eof", Kind: Required, Page: pgReadFileEx,
			Text:      "Reading past the end of a file makes GetOverlappedResult fail with ERROR_HANDLE_EOF.",
			Uncovered: "the emulator has no files; pipes report a closed writer as ERROR_BROKEN_PIPE instead"},
		Clause{ID: "readfileex.too-many-requests", Kind: Freedom, Page: pgReadFileEx,
			Text:      "ReadFileEx may fail with ERROR_INVALID_USER_BUFFER or ERROR_NOT_ENOUGH_MEMORY when too many requests are outstanding.",
			Uncovered: "the emulator sets no limit on outstanding requests"},
		Clause{ID: "readfileex.buffer-in-use", Kind: Undefined, Page: pgReadFileEx,
			Text:  "Reading, writing, reallocating or freeing the buffer while the read uses it may corrupt the data.",
			Tests: []string{"emu.TestSanitizerRelease"}},

		// GetOverlappedResult
		Clause{ID: "getoverlappedresult.incomplete", Kind: Required, Page: pgGOR,
			Text:  "With bWait FALSE and the operation still pending, the call returns FALSE with ERROR_IO_INCOMPLETE.",
			Tests: []string{"emu.TestResultNoWaitWhilePending"}},
		Clause{ID: "getoverlappedresult.wait-blocks", Kind: Required, Page: pgGOR,
			Text:  "With bWait TRUE and Internal still STATUS_PENDING, the call waits on the record's event and returns only once the operation has completed.",
			Tests: []string{"emu.TestResultWaitBlocksUntilDone"}},
		Clause{ID: "getoverlappedresult.event-means-done", Kind: Required, Page: pgGOR,
			Text: "A waiting call judges completion by the event: if something else sets the event while the operation is still pending, the call returns early with whatever the record holds."},
		Clause{ID: "getoverlappedresult.wait-not-pending", Kind: Required, Page: pgGOR,
			Text: "With bWait TRUE and Internal no longer STATUS_PENDING, the call returns the result without waiting on the event."},
		Clause{ID: "getoverlappedresult.bytes", Kind: Required, Page: pgGOR,
			Text:  "lpNumberOfBytesTransferred receives the number of bytes the completed read or write moved.",
			Tests: []string{"emu.TestResultBytesComeFromInternalHigh"}},
		Clause{ID: "getoverlappedresult.failure-error", Kind: Required, Page: pgGOR,
			Text: "When the operation failed, the call returns zero and GetLastError gives the operation's error."},
		Clause{ID: "getoverlappedresult.more-data", Kind: Required, Page: pgGOR,
			Text:  "A message-pipe read whose message did not fit fails with ERROR_MORE_DATA and still reports the bytes that fitted.",
			Tests: []string{"emu.TestPipeMoreDataPending", "emu.TestPipeMoreDataImmediate"}},
		Clause{ID: "getoverlappedresult.null-event-handle", Kind: Required, Page: pgGOR,
			Text:  "When hEvent is NULL the waiting call uses the file handle's own signal, which is ambiguous when several operations are outstanding on that handle.",
			Tests: []string{"emu.TestPipeNullEventWaitsOnFileHandle"}},
		Clause{ID: "getoverlappedresult.last-operation", Kind: Required, Page: pgGOR,
			Text: "The result reported is that of the latest operation started on the handle with this OVERLAPPED."},

		// GetOverlappedResultEx
		Clause{ID: "getoverlappedresultex.timeout", Kind: Required, Page: pgGORex,
			Text:  "dwMilliseconds bounds the wait for a pending operation: 0 answers at once as bWait FALSE does (ERROR_IO_INCOMPLETE), and when a longer time runs out first the call fails with WAIT_TIMEOUT.",
			Tests: []string{"emu.TestResultExTimeout"}},
		Clause{ID: "getoverlappedresultex.alertable", Kind: Required, Page: pgGORex,
			Text:  "With bAlertable TRUE the wait is alertable: when a completion routine or APC runs before the operation is done, the call fails with WAIT_IO_COMPLETION.",
			Tests: []string{"emu.TestResultExAlertableAPC"}},

		// CancelIo
		Clause{ID: "cancelio.calling-thread-only", Kind: Required, Page: pgCancelIo,
			Text:  "CancelIo cancels the pending operations the calling thread issued on the handle, and leaves other threads' operations alone.",
			Tests: []string{"emu.TestCancelIoOnlyCallingThread"}},
		Clause{ID: "cancelio.aborted-notified", Kind: Required, Page: pgCancelIo,
			Text:  "A cancelled operation completes with ERROR_OPERATION_ABORTED and its notification (event, routine or packet) happens as usual.",
			Tests: []string{"emu.TestCancelIoOnlyCallingThread", "emu.TestCancelNotifiesThroughRequestedMechanism"}},
		Clause{ID: "cancelio.request-only", Kind: Freedom, Page: pgCancelIo,
			Text: "Success only means the cancellation was requested; the caller learns when the operations finished, cancelled or not, through GetOverlappedResult."},
		Clause{ID: "cancelio.synchronous-handle", Kind: Required, Page: pgCancelIo,
			Text: "On a handle not opened for overlapped I/O, CancelIo does nothing: synchronous calls block their own thread and are not cancelled by it."},

		// CancelIoEx
		Clause{ID: "cancelioex.any-thread", Kind: Required, Page: pgCancelIoEx,
			Text:  "CancelIoEx cancels I/O on the handle whichever thread of the process issued it.",
			Tests: []string{"emu.TestCancelIoExAllThreads"}},
		Clause{ID: "cancelioex.one-overlapped", Kind: Required, Page: pgCancelIoEx,
			Text:  "Given an OVERLAPPED, only the requests issued on the handle with that record are cancelled.",
			Tests: []string{"emu.TestCancelIoExOne"}},
		Clause{ID: "cancelioex.null-all", Kind: Required, Page: pgCancelIoEx,
			Text:  "Given NULL, every outstanding request on the handle is cancelled.",
			Tests: []string{"emu.TestCancelIoExAllThreads"}},
		Clause{ID: "cancelioex.not-found", Kind: Required, Page: pgCancelIoEx,
			Text:  "When there is no request to cancel, the call returns zero and GetLastError gives ERROR_NOT_FOUND.",
			Tests: []string{"emu.TestCancelIoExNotFound"}},
		Clause{ID: "cancelioex.no-reuse-until-done", Kind: Undefined, Page: pgCancelIoEx,
			Text: "The OVERLAPPED of a cancelled request must not be freed or reused until that request has actually completed.",
		},
		Clause{ID: "cancelioex.may-complete-normally", Kind: Freedom, Page: pgCancelIoEx,
			Text:  "CancelIoEx does not wait: a cancelled request ends normally (the cancel came too late), with ERROR_OPERATION_ABORTED, or with some other error.",
			Tests: []string{"emu.TestCancelLosesRace"}},
		Clause{ID: "cancelioex.port-packet", Kind: Required, Page: pgCancelIoEx,
			Text:  "Cancelling an asynchronous request on a port-associated handle still queues its completion packet.",
			Tests: []string{"emu.TestCancelNotifiesThroughRequestedMechanism"}},

		// Canceling Pending I/O Operations
		Clause{ID: "canceling-io.not-guaranteed", Kind: Freedom, Page: pgCanceling,
			Text:  "A cancel request is not a guarantee: the driver must support it and the operation must still be cancellable.",
			Tests: []string{"emu.TestCancelLosesRace"}},
		Clause{ID: "canceling-io.status-aborted", Kind: Required, Page: pgCanceling,
			Text: "Whether a cancel took effect is seen in the completion status (record or callback): ERROR_OPERATION_ABORTED means it did."},
		Clause{ID: "canceling-io.reuse-after-completion", Kind: Required, Page: pgCanceling,
			Text: "Once a cancelled-or-not operation has completed, the system no longer uses its OVERLAPPED and it may be reused."},
		Clause{ID: "canceling-io.null-races-new-io", Kind: Freedom, Page: pgCanceling,
			Text:      "CancelIoEx with NULL handles threads one at a time, so a thread may start new I/O on the handle before the others' I/O is cancelled.",
			Uncovered: "the emulator runs one thread at a time and cancels all of a handle's requests in one step, so the interleaving cannot arise"},
		Clause{ID: "canceling-io.synchronous", Kind: Required, Page: pgCanceling,
			Text:      "CancelSynchronousIo aborts the synchronous call a given thread is blocked in, which may not be the call the canceller meant.",
			Uncovered: "CancelSynchronousIo is not emulated"},

		// CreateIoCompletionPort
		Clause{ID: "createiocompletionport.associate-existing", Kind: Required, Page: pgCreatePort,
			Text: "Given a file handle and an existing port, the call binds the handle to that port and returns the same port handle."},
		Clause{ID: "createiocompletionport.key-in-packets", Kind: Required, Page: pgCreatePort,
			Text: "The completion key given at association comes back with every packet for that handle."},
		Clause{ID: "createiocompletionport.one-port-per-handle", Kind: Required, Page: pgCreatePort,
			Text:  "A handle can be bound to only one port, for as long as it is open; a second association fails (returns NULL).",
			Tests: []string{"emu.TestPortAssociateTwice"}},
		Clause{ID: "createiocompletionport.many-handles", Kind: Required, Page: pgCreatePort,
			Text: "Several handles can be bound to one port, each with its own key."},
		Clause{ID: "createiocompletionport.no-ex-routines", Kind: Required, Page: pgCreatePort,
			Text:  "A handle bound to a port cannot be used with ReadFileEx or WriteFileEx.",
			Tests: []string{"emu.TestPortReadFileExRefused"}},
		Clause{ID: "createiocompletionport.overlapped-handle", Kind: Required, Page: pgCreatePort,
			Text: "The handle to bind must support overlapped I/O and have been opened for it (FILE_FLAG_OVERLAPPED); a synchronous handle cannot be bound."},
		Clause{ID: "createiocompletionport.concurrency", Kind: Required, Page: pgCreatePort,
			Text:      "NumberOfConcurrentThreads caps how many threads may process the port's packets at once (0: one per processor).",
			Uncovered: "the emulator does not model the concurrency limit; every waiting thread may take packets"},
		Clause{ID: "createiocompletionport.process-local", Kind: Required, Page: pgCreatePort,
			Text:      "A port belongs to the process that made it and cannot be shared with others, though all its threads may use it.",
			Uncovered: oneProcess},

		// GetQueuedCompletionStatus
		Clause{ID: "getqueuedcompletionstatus.dequeue", Kind: Required, Page: pgGQCS,
			Text:  "Success means a packet for a successful operation was taken and its byte count, key and OVERLAPPED pointer were stored.",
			Tests: []string{"emu.TestPortFIFOAndPostRoundTrip"}},
		Clause{ID: "getqueuedcompletionstatus.waits", Kind: Required, Page: pgGQCS,
			Text: "With no packet queued the call waits for an operation on an associated handle to complete (or a packet to be posted)."},
		Clause{ID: "getqueuedcompletionstatus.timeout.null-overlapped", Kind: Required, Page: pgGQCS,
			Text:  "On a time-out the call returns FALSE, sets *lpOverlapped to NULL and stores nothing in the byte count or key (WAIT_TIMEOUT).",
			Tests: []string{"emu.TestPortTimeout"}},
		Clause{ID: "getqueuedcompletionstatus.zero-timeout", Kind: Required, Page: pgGQCS,
			Text: "With dwMilliseconds 0 and nothing queued, the call times out at once."},
		Clause{ID: "getqueuedcompletionstatus.failed-io", Kind: Required, Page: pgGQCS,
			Text:  "A packet for a failed operation makes the call return FALSE with *lpOverlapped set, the byte count and key filled in, and the error in GetLastError.",
			Tests: []string{"emu.TestPortFailedIOPacket"}},
		Clause{ID: "getqueuedcompletionstatus.port-closed", Kind: Required, Page: pgGQCS,
			Text:  "Closing the port while a call waits on it ends the call with FALSE, *lpOverlapped NULL and ERROR_ABANDONED_WAIT_0 (XP kept waiting).",
			Tests: []string{"emu.TestPortClosedWhileWaiting"}},
		Clause{ID: "getqueuedcompletionstatus.lowbit-no-packet", Kind: Required, Page: pgGQCS,
			Text:  "A valid event handle with its low bit set in hEvent keeps the operation's completion off the port.",
			Tests: []string{"emu.TestPortEventLowBitSuppressesPacket"}},
		Clause{ID: "getqueuedcompletionstatus.thread-association", Kind: Required, Page: pgGQCS,
			Text:      "Calling it associates the thread with the port; a thread is associated with at most one port.",
			Uncovered: "the association only matters for the concurrency limit, which the emulator does not model"},

		// GetQueuedCompletionStatusEx
		Clause{ID: "getqueuedcompletionstatusex.removes-many", Kind: Required, Page: pgGQCSEx,
			Text:  "One call removes up to ulCount packets and says how many in ulNumEntriesRemoved.",
			Tests: []string{"emu.TestPortExRemovesSeveral"}},
		Clause{ID: "getqueuedcompletionstatusex.true-with-failures", Kind: Required, Page: pgGQCSEx,
			Text:  "It returns TRUE when at least one packet was removed, even if some were for failed operations; each entry's record holds its status.",
			Tests: []string{"emu.TestPortExRemovesSeveral"}},
		Clause{ID: "getqueuedcompletionstatusex.alertable", Kind: Required, Page: pgGQCSEx,
			Text:  "With fAlertable TRUE and nothing queued the wait is alertable: it returns once a queued routine or APC has run; with FALSE it waits out the time-out.",
			Tests: []string{"emu.TestPortExAlertable"}},
		Clause{ID: "getqueuedcompletionstatusex.port-closed", Kind: Required, Page: pgGQCSEx,
			Text:  "If the port handle is closed during the call it returns FALSE with ERROR_ABANDONED_WAIT_0.",
			Tests: []string{"emu.TestPortClosedWhileWaiting"}},

		// PostQueuedCompletionStatus
		Clause{ID: "postqueuedcompletionstatus.round-trip", Kind: Required, Page: pgPQCS,
			Text:  "The byte count, key and OVERLAPPED pointer posted are what GetQueuedCompletionStatus hands back; the system neither uses nor checks them, so the pointer may be anything, even NULL.",
			Tests: []string{"emu.TestPortFIFOAndPostRoundTrip"}},
		Clause{ID: "postqueuedcompletionstatus.wakes-waiter", Kind: Required, Page: pgPQCS,
			Text: "A posted packet satisfies a GetQueuedCompletionStatus call already waiting on the port."},

		// I/O Completion Ports
		Clause{ID: "iocp.fifo", Kind: Required, Page: pgIOCP,
			Text:  "Packets are queued in the order their operations complete and a thread asking for one gets the oldest.",
			Tests: []string{"emu.TestPortFIFOAndPostRoundTrip"}},
		Clause{ID: "iocp.dequeue-order", Kind: Freedom, Page: pgIOCP,
			Text:      "Although queued in FIFO order, packets may end up processed in another order once several threads take them.",
			Uncovered: "only visible as the interleaving of several consumer threads' work, which a step-by-step scenario fixes"},
		Clause{ID: "iocp.lifo-waiters", Kind: Required, Page: pgIOCP,
			Text:  "Threads blocked on a port are released last in, first out: the most recent waiter gets the next packet.",
			Tests: []string{"emu.TestPortLIFOWaiters"}},
		Clause{ID: "iocp.status-block-at-dequeue", Kind: Required, Page: pgIOCP,
			Text: "For a handle bound to a port, the OVERLAPPED status block is updated only when the packet is taken from the port, unless the call failed synchronously.", Profile: "docs: written at dequeue; windows: written at completion (see emu.ProfileDifferences)"},

		// SetFileCompletionNotificationModes
		Clause{ID: "setfilecompletionnotificationmodes.skip-port-on-success", Kind: Required, Page: pgSetFCNModes,
			Text:  "With FILE_SKIP_COMPLETION_PORT_ON_SUCCESS, a request on an overlapped port-bound handle that succeeds at once queues no packet.",
			Tests: []string{"emu.TestPortSkipCompletionPortOnSuccess"}},
		Clause{ID: "setfilecompletionnotificationmodes.pending-still-posts", Kind: Required, Page: pgSetFCNModes,
			Text:  "Even in skip mode, a request that returned ERROR_IO_PENDING queues its packet when it completes.",
			Tests: []string{"emu.TestPortSkipCompletionPortOnSuccess"}},
		Clause{ID: "setfilecompletionnotificationmodes.accumulate", Kind: Required, Page: pgSetFCNModes,
			Text:  "Several modes can be set in one call, and a mode once set stays set: it cannot be cleared.",
			Tests: []string{"emu.TestPortSkipCompletionPortOnSuccess"}},
		Clause{ID: "setfilecompletionnotificationmodes.skip-set-event-on-handle", Kind: Required, Page: pgSetFCNModes,
			Text:  "With FILE_SKIP_SET_EVENT_ON_HANDLE the file handle is not signalled when a request completes; an explicit event in the record still is.",
			Tests: []string{"emu.TestPortSkipSetEventOnHandle"}},
		Clause{ID: "setfilecompletionnotificationmodes.ifs-lsp-only", Kind: Required, Page: pgSetFCNModes,
			Text:  "On sockets the skip-on-success mode works only when every layered provider returns IFS handles (XP1_IFS_HANDLES).",
			Tests: []string{"emu.TestLayeredSkipCompletionPortOnSuccess", "emu.TestLayeredEnumProtocols"}},
	)
}

// Pages the Wine kernel32 scenarios (spec/scenarios/wine/kernel) needed
// beyond the ones above.
const (
	// https://learn.microsoft.com/windows/win32/api/synchapi/nf-synchapi-waitformultipleobjects
	pgWFMO = "WaitForMultipleObjects"
	// https://learn.microsoft.com/windows/win32/api/synchapi/nf-synchapi-createeventw
	pgCreateEvent = "CreateEventW"
	// https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-writefile
	pgWriteFile = "WriteFile"
)

func init() {
	register(
		Clause{ID: "waitformultipleobjects.any-lowest-index", Kind: Required, Page: pgWFMO,
			Text: "In a wait for any one object, when several are signalled the return value names the one with the smallest index."},
		Clause{ID: "waitformultipleobjects.any-changes-only-that-object", Kind: Required, Page: pgWFMO,
			Text: "A wait for any one object changes the state only of the object that ended the wait (an auto-reset event is reset); the others are left as they were."},
		Clause{ID: "createevent.auto-reset", Kind: Required, Page: pgCreateEvent,
			Text: "An auto-reset event stays signalled until it releases one waiting thread, and the system then makes it non-signalled again."},
		Clause{ID: "createevent.manual-reset", Kind: Required, Page: pgCreateEvent,
			Text: "A manual-reset event stays signalled, releasing every wait on it, until ResetEvent clears it."},
		Clause{ID: "writefile.pipe-full-waits", Kind: Required, Page: pgWriteFile,
			Text: "A write to a pipe whose buffer is full does not finish at once: it completes when reads have made room for its data."},
	)
}

// PeekNamedPipe (issue 11, item 4).
// https://learn.microsoft.com/windows/win32/api/namedpipeapi/nf-namedpipeapi-peeknamedpipe
func init() {
	register(
		Clause{ID: "peeknamedpipe.avail", Kind: Required, Page: "PeekNamedPipe",
			Text: "lpTotalBytesAvail receives every unread byte in the pipe, across writes and messages (Wine kernel32 pipe.c test_CreateNamedPipe)."},
		Clause{ID: "peeknamedpipe.no-consume", Kind: Required, Page: "PeekNamedPipe",
			Text: "Peeking copies data without removing it: the next read returns the same bytes."},
		Clause{ID: "peeknamedpipe.byte.left", Kind: Required, Page: "PeekNamedPipe",
			Text: "On a byte-mode pipe there are no messages; Windows reports lpBytesLeftThisMessage as the negated count of bytes copied (0 when none), Wine kernel32 pipe.c test_CreateNamedPipe."},
		Clause{ID: "peeknamedpipe.message.left", Kind: Required, Page: "PeekNamedPipe",
			Text: "On a message-mode pipe the copy stops at the end of the first unread message, and lpBytesLeftThisMessage is what of that message the buffer did not take."},
		Clause{ID: "peeknamedpipe.broken", Kind: Required, Page: "PeekNamedPipe",
			Text: "Data written before the write end closed can still be peeked and read; once it is gone PeekNamedPipe fails with ERROR_BROKEN_PIPE."},
	)
}

// A pipe whose ends differ in FILE_FLAG_OVERLAPPED (issue 11, item 4).
// https://learn.microsoft.com/windows/win32/api/namedpipeapi/nf-namedpipeapi-createnamedpipew
func init() {
	register(
		Clause{ID: "createnamedpipe.mixed-ends", Kind: Required, Page: "CreateNamedPipe",
			Text: "FILE_FLAG_OVERLAPPED is a property of each handle: the server end (CreateNamedPipe) and the client end (CreateFile) of one pipe may differ, each end's calls behaving as its own handle was opened."},
	)
}

// DuplicateHandle (issue 11, item 4).
// https://learn.microsoft.com/windows/win32/api/handleapi/nf-handleapi-duplicatehandle
// https://learn.microsoft.com/windows/win32/api/handleapi/nf-handleapi-closehandle
func init() {
	register(
		Clause{ID: "duplicatehandle.same-object", Kind: Required, Page: "DuplicateHandle",
			Text: "The duplicate refers to the same object as the source handle: what is done through either is seen through the other."},
		Clause{ID: "duplicatehandle.close-one", Kind: Required, Page: "DuplicateHandle",
			Text: "Closing one handle of an object leaves the object alive while another handle is open; the closed value is no longer a handle."},
		Clause{ID: "duplicatehandle.close-last", Kind: Required, Page: "DuplicateHandle",
			Text: "The object goes away with its last handle: for a pipe's write end that is when the pipe breaks for the reader."},
	)
}

// Named pipes: the server's instances, its clients, connecting and
// disconnecting (issue 11, item 4). Facts the pages leave out come from
// Wine's dlls/kernel32/tests/pipe.c, whose ok() lines without todo_wine
// hold on Windows.
// https://learn.microsoft.com/windows/win32/api/namedpipeapi/nf-namedpipeapi-createnamedpipew
// https://learn.microsoft.com/windows/win32/api/namedpipeapi/nf-namedpipeapi-connectnamedpipe
// https://learn.microsoft.com/windows/win32/api/namedpipeapi/nf-namedpipeapi-disconnectnamedpipe
// https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-createfilew (the Pipes section)
// https://learn.microsoft.com/windows/win32/api/namedpipeapi/nf-namedpipeapi-setnamedpipehandlestate
func init() {
	const (
		create     = "CreateNamedPipe"
		connect    = "ConnectNamedPipe"
		disconnect = "DisconnectNamedPipe"
		open       = "CreateFile"
		state      = "SetNamedPipeHandleState"
	)
	register(
		Clause{ID: "createnamedpipe.new-signalled", Kind: Required, Page: create,
			Text: "A new server end is signalled until a request on it begins (Wine kernel32 pipe.c test_CreateNamedPipe, create_overlapped_pipe)."},
		Clause{ID: "createnamedpipe.bad-name", Kind: Required, Page: create,
			Text: "A name that is not of the form \\\\.\\pipe\\name fails with ERROR_INVALID_NAME; a NULL name with ERROR_PATH_NOT_FOUND (Wine kernel32 pipe.c test_CreateNamedPipe)."},
		Clause{ID: "createnamedpipe.bad-mode", Kind: Required, Page: create,
			Text: "PIPE_READMODE_MESSAGE with PIPE_TYPE_BYTE is invalid: ERROR_INVALID_PARAMETER."},
		Clause{ID: "createnamedpipe.max-instances", Kind: Required, Page: create,
			Text: "An instance beyond nMaxInstances (of the first instance) fails with ERROR_PIPE_BUSY; names compare without regard to case."},
		Clause{ID: "createnamedpipe.first-instance", Kind: Required, Page: create,
			Text: "With FILE_FLAG_FIRST_PIPE_INSTANCE, creating an instance of a name that already has one fails with ERROR_ACCESS_DENIED."},
		Clause{ID: "createnamedpipe.access-must-match", Kind: Required, Page: create,
			Text: "Every instance of a pipe must have the first instance's PIPE_ACCESS_* mode, or creation fails with ERROR_ACCESS_DENIED; type, sizes and instance count may differ (Wine kernel32 pipe.c test_CreateNamedPipe_instances_must_match)."},
		Clause{ID: "createnamedpipe.listening-io", Kind: Required, Page: create,
			Text: "Until a client connects, reads and writes on the server end fail with ERROR_PIPE_LISTENING and PeekNamedPipe with ERROR_BAD_PIPE (Wine kernel32 pipe.c test_DisconnectNamedPipe, test_CreateNamedPipe)."},
		Clause{ID: "createnamedpipe.duplex", Kind: Required, Page: create,
			Text: "A PIPE_ACCESS_DUPLEX pipe carries data both ways: what the server writes the client reads and the other way round, each direction with its own buffer."},
		Clause{ID: "createnamedpipe.byte-read-merges", Kind: Required, Page: create,
			Text: "In byte read mode a read on a message pipe takes bytes across message boundaries; in message read mode a read stops at the message's end, and a buffer shorter than the message gives ERROR_MORE_DATA (Wine kernel32 pipe.c test_CreateNamedPipe)."},
		Clause{ID: "createnamedpipe.nowait-read", Kind: Required, Page: create,
			Text: "On a PIPE_NOWAIT handle a read with nothing to read fails at once with ERROR_NO_DATA (Wine kernel32 pipe.c test_nowait)."},
		Clause{ID: "createnamedpipe.nowait-write", Kind: Required, Page: create,
			Text: "On a PIPE_NOWAIT handle a write that fits (after what waiting reads take) succeeds with all its bytes; one that does not fit succeeds at once with the bytes waiting reads took on a byte pipe, none on a message pipe (Wine kernel32 pipe.c test_nowait)."},
		Clause{ID: "connectnamedpipe.overlapped-pending", Kind: Required, Page: connect,
			Text: "With an OVERLAPPED on an overlapped handle and no client yet, ConnectNamedPipe returns FALSE with ERROR_IO_PENDING, its event clear."},
		Clause{ID: "connectnamedpipe.client-completes", Kind: Required, Page: connect,
			Text: "The pending connect completes when a client opens the pipe: the record gets STATUS_SUCCESS and 0 bytes, its event is set (a port-bound handle gets a packet with its key)."},
		Clause{ID: "connectnamedpipe.already-connected", Kind: Required, Page: connect,
			Text: "If a client connected before the call, it returns FALSE with ERROR_PIPE_CONNECTED and the connection is good; an overlapped record is left at STATUS_PENDING (Wine kernel32 pipe.c test_overlapped_error)."},
		Clause{ID: "connectnamedpipe.client-closed", Kind: Required, Page: connect,
			Text: "If the client came and closed its handle before the call, ConnectNamedPipe fails with ERROR_NO_DATA until the server disconnects (Wine kernel32 pipe.c test_nowait)."},
		Clause{ID: "connectnamedpipe.nowait", Kind: Required, Page: connect,
			Text: "On a PIPE_NOWAIT server with no client it fails at once with ERROR_PIPE_LISTENING, also right after DisconnectNamedPipe (the page says the first call after a disconnect returns nonzero; Windows returns ERROR_PIPE_LISTENING, Wine kernel32 pipe.c test_nowait)."},
		Clause{ID: "connectnamedpipe.client-end", Kind: Required, Page: connect,
			Text: "ConnectNamedPipe on a client end fails with ERROR_INVALID_FUNCTION (Wine kernel32 pipe.c test_CreateNamedPipe)."},
		Clause{ID: "connectnamedpipe.cancel", Kind: Required, Page: connect,
			Text: "A pending connect can be cancelled: it completes with ERROR_OPERATION_ABORTED, its event set (Wine kernel32 pipe.c test_overlapped)."},
		Clause{ID: "connectnamedpipe.blocking", Kind: Required, Page: connect,
			Text: "Without an OVERLAPPED, or on a synchronous handle, ConnectNamedPipe waits until a client connects; the wait is not alertable, a queued APC does not run (Wine kernel32 pipe.c serverThreadMain2)."},
		Clause{ID: "createfile.pipe-not-found", Kind: Required, Page: open,
			Text: "Opening a pipe name no server has created fails with ERROR_FILE_NOT_FOUND; so does a name whose last instance has closed."},
		Clause{ID: "createfile.pipe-busy", Kind: Required, Page: open,
			Text: "Opening a pipe none of whose instances listens fails with ERROR_PIPE_BUSY: while another client is connected, after it closed, and after DisconnectNamedPipe until the server calls ConnectNamedPipe (Wine kernel32 pipe.c test_CreateNamedPipe)."},
		Clause{ID: "createfile.pipe-first-listener", Kind: Required, Page: open,
			Text: "A client connects to the instance that began listening first, a new instance counting from its creation (Wine kernel32 pipe.c test_multiple_instances)."},
		Clause{ID: "createfile.pipe-access", Kind: Required, Page: open,
			Text: "A client may ask only for the directions the pipe carries: read access needs PIPE_ACCESS_OUTBOUND, write access PIPE_ACCESS_INBOUND, or the open fails; no access at all is allowed (Wine ntdll pipe.c test_create, kernel32 pipe.c test_CreateNamedPipe)."},
		Clause{ID: "disconnectnamedpipe.fails-pending", Kind: Required, Page: disconnect,
			Text: "DisconnectNamedPipe discards unread data and fails the reads and writes pending on either end with ERROR_PIPE_NOT_CONNECTED (Wine kernel32 pipe.c test_overlapped_transport)."},
		Clause{ID: "disconnectnamedpipe.client-cut", Kind: Required, Page: disconnect,
			Text: "After DisconnectNamedPipe the client's reads, writes and PeekNamedPipe fail with ERROR_PIPE_NOT_CONNECTED and its handle is not signalled; the server's fail with ERROR_PIPE_NOT_CONNECTED (peeking: ERROR_BAD_PIPE); a second DisconnectNamedPipe fails with ERROR_PIPE_NOT_CONNECTED (Wine kernel32 pipe.c test_DisconnectNamedPipe)."},
		Clause{ID: "disconnectnamedpipe.record-pending", Kind: Required, Page: disconnect,
			Text: "An overlapped read or write refused because the server is disconnected leaves Internal at STATUS_PENDING and InternalHigh untouched (Wine kernel32 pipe.c test_ReadFile)."},
		Clause{ID: "disconnectnamedpipe.close-breaks", Kind: Required, Page: disconnect,
			Text: "Closing one end without disconnecting: the other end reads what is left, then ERROR_BROKEN_PIPE; its writes fail with ERROR_NO_DATA, a pending write with ERROR_BROKEN_PIPE (Wine kernel32 pipe.c test_CloseHandle, test_overlapped_transport)."},
		Clause{ID: "setnamedpipehandlestate.readmode", Kind: Required, Page: state,
			Text: "Message read mode on a byte pipe is ERROR_INVALID_PARAMETER at either end; on a message pipe either end may switch between byte and message read mode, also after the other end closed (Wine kernel32 pipe.c test_NamedPipeHandleState, test_CloseHandle)."},
	)
}

// WaitNamedPipe (issue 11, item 4).
// https://learn.microsoft.com/windows/win32/api/namedpipeapi/nf-namedpipeapi-waitnamedpipew
func init() {
	const page = "WaitNamedPipe"
	register(
		Clause{ID: "waitnamedpipe.not-found", Kind: Required, Page: page,
			Text: "If no pipe of that name exists, WaitNamedPipe fails at once with ERROR_FILE_NOT_FOUND."},
		Clause{ID: "waitnamedpipe.listening", Kind: Required, Page: page,
			Text: "If an instance is available for a client (listening), WaitNamedPipe returns TRUE at once."},
		Clause{ID: "waitnamedpipe.timeout", Kind: Required, Page: page,
			Text: "If no instance becomes available within the time-out, WaitNamedPipe fails with ERROR_SEM_TIMEOUT (Wine kernel32 pipe.c test_CreateNamedPipe)."},
		Clause{ID: "waitnamedpipe.wakes", Kind: Required, Page: page,
			Text: "A waiter returns TRUE when an instance becomes available: a new instance is created, or a server calls ConnectNamedPipe (Wine kernel32 pipe.c test_wait_pipe)."},
	)
}

// TransactNamedPipe (issue 11, item 4).
// https://learn.microsoft.com/windows/win32/api/namedpipeapi/nf-namedpipeapi-transactnamedpipe
func init() {
	const page = "TransactNamedPipe"
	register(
		Clause{ID: "transactnamedpipe.write-read", Kind: Required, Page: page,
			Text: "TransactNamedPipe writes one message and reads one message in a single operation; overlapped, it pends until the other end answers and completes with the answer's bytes."},
		Clause{ID: "transactnamedpipe.bad-pipe", Kind: Required, Page: page,
			Text: "The pipe must be a message pipe in message read mode, or the call fails with ERROR_BAD_PIPE (Windows 8 and later report it through the record after ERROR_IO_PENDING, see transactnamedpipe.refusal-pends; Wine kernel32 pipe.c test_TransactNamedPipe)."},
		Clause{ID: "transactnamedpipe.busy", Kind: Required, Page: page,
			Text: "A transaction with unread data waiting for the caller fails with ERROR_PIPE_BUSY (Wine kernel32 pipe.c test_transact)."},
		Clause{ID: "transactnamedpipe.refusal-pends", Kind: Freedom, Page: page,
			Text:    "On an overlapped handle a refused transaction (ERROR_BAD_PIPE, ERROR_PIPE_BUSY) may fail at once (Windows 7, and Wine) or return ERROR_IO_PENDING having already failed: its event is set, GetOverlappedResult fails with the error and 0 bytes (Windows 8 and later). Wine kernel32 pipe.c test_TransactNamedPipe and test_transact accept both, without todo_wine.",
			Profile: "docs: at once, as the page reads; windows: either, a Chooser decision (PointUnsettled; emu.ProfileDifferences)",
			Tests:   []string{"emu.TestTransactNamedPipeRefusalPends"}},
		Clause{ID: "transactnamedpipe.cancel-keeps-data", Kind: Required, Page: page,
			Text: "The message is written without waiting behind pending writes, and cancelling the pending transaction keeps it: the other end still reads it (Wine kernel32 pipe.c test_transact)."},
	)
}

// FlushFileBuffers on a pipe (issue 11, item 4).
// https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-flushfilebuffers
func init() {
	const page = "FlushFileBuffers"
	register(
		Clause{ID: "flushfilebuffers.waits-for-reader", Kind: Required, Page: page,
			Text: "On a pipe, FlushFileBuffers does not return until the other end has read everything written (an empty message included); on an empty pipe it returns at once."},
		Clause{ID: "flushfilebuffers.cancel-empties", Kind: Required, Page: page,
			Text: "A cancel that takes the last unread write back ends the flush with TRUE (Wine kernel32 pipe.c test_blocking_rw)."},
		Clause{ID: "flushfilebuffers.fails", Kind: Required, Page: page,
			Text: "A flush waiting on a pipe fails with ERROR_BROKEN_PIPE when the reader closes and with ERROR_PIPE_NOT_CONNECTED when the server disconnects (Wine kernel32 pipe.c test_overlapped_transport)."},
	)
}

// GetNamedPipeInfo and GetNamedPipeHandleState (issue 11, item 4).
// https://learn.microsoft.com/windows/win32/api/namedpipeapi/nf-namedpipeapi-getnamedpipeinfo
// https://learn.microsoft.com/windows/win32/api/winbase/nf-winbase-getnamedpipehandlestatew
func init() {
	register(
		Clause{ID: "getnamedpipeinfo.fields", Kind: Required, Page: "GetNamedPipeInfo",
			Text: "lpFlags holds PIPE_SERVER_END for a server end (0 for a client) and PIPE_TYPE_MESSAGE for a message pipe; the buffer sizes and the maximum of instances are those the pipe was created with (Wine kernel32 pipe.c test_GetNamedPipeInfo)."},
		Clause{ID: "getnamedpipehandlestate.state", Kind: Required, Page: "GetNamedPipeHandleState",
			Text: "lpState holds the handle's PIPE_NOWAIT and PIPE_READMODE_MESSAGE bits, 0 for a waiting byte-mode handle; lpCurInstances the number of instances the pipe has (Wine kernel32 pipe.c test_NamedPipeHandleState)."},
	)
}
