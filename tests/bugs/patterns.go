package bugs

import "github.com/wsaemu/wsaemu/emu"

// Pattern is one bug pattern with its pair of programs.
type Pattern struct {
	Name    string   // short name, used for subtests
	Summary string   // the mistake, in a line
	Buggy   Program  // the program as the mistake is usually made
	Fixed   Program  // the corrected program
	Clauses []string // catalogue clauses the mistake breaks or misreads
	// Options are what the emulator needs to make the mistake visible
	// besides a schedule: poison values, the sanitizer.
	Options []emu.Option
}

// Patterns lists every pattern of docs/windows-behaviour.md's "Bug patterns" list,
// in its order (RoutineOrder and RoutineReentry are the two halves of one
// entry there), then the stream-socket patterns of issue 12: netname,
// acceptex-reset, connectex-context, cancel-free and acceptex-race; then the
// readiness and layering patterns of issue 13: layered-skip, fd-write,
// afd-abort and afd-rearm.
var Patterns = []Pattern{
	{
		Name: "outparam", Summary: "trusting lpNumberOfBytesRecvd after WSA_IO_PENDING",
		Buggy: OutparamBuggy, Fixed: OutparamFixed,
		Clauses: []string{"wsarecv.pending.outs-untouched", "wsasendmsg.bytes-sent.immediate-only", "sync-overlapped-io.immediate-or-pending"},
		Options: []emu.Option{emu.WithPoison()},
	},
	{
		Name: "immediate", Summary: "assuming an immediate success posts no completion packet",
		Buggy: ImmediateBuggy, Fixed: ImmediateFixed,
		Clauses: []string{"sync-async-io.immediate-success-still-posts", "setfilecompletionnotificationmodes.skip-port-on-success", "wsarecv.completion.after-immediate"},
	},
	{
		Name: "reuse", Summary: "reusing an OVERLAPPED and its buffer after a cancel that has not completed",
		Buggy: ReuseBuggy, Fixed: ReuseFixed,
		Clauses: []string{"wsaoverlapped.reuse-while-pending", "overlapped.reuse-while-pending", "cancelioex.no-reuse-until-done", "canceling-io.reuse-after-completion"},
		Options: []emu.Option{emu.WithSanitizer(emu.SanitizeReport)},
	},
	{
		Name: "fwait", Summary: "WSAGetOverlappedResult(fWait=TRUE) for an operation with a completion routine",
		Buggy: FwaitBuggy, Fixed: FwaitFixed,
		Clauses: []string{"lpwspgetoverlappedresult.wait.event-only", "wsasendmsg.routine.fwait-undefined", "wsaoverlapped.hevent.routine-free"},
		Options: []emu.Option{emu.WithSanitizer(emu.SanitizeReport)},
	},
	{
		Name: "incomplete", Summary: "taking WSA_IO_INCOMPLETE from a non-waiting query for a failed receive",
		Buggy: IncompleteBuggy, Fixed: IncompleteFixed,
		Clauses: []string{"wsagetoverlappedresult.wait", "lpwspgetoverlappedresult.incomplete", "wsarecv.overlapped.pending"},
	},
	{
		Name: "routine-order", Summary: "assuming completion routines run in issue order",
		Buggy: RoutineOrderBuggy, Fixed: RoutineOrderFixed,
		Clauses: []string{"lpoverlapped-completion-routine.any-order", "wsasendmsg.routine.any-order", "wsarecv.fill-order"},
	},
	{
		Name: "routine-reentry", Summary: "assuming a completion routine never runs inside a blocking Winsock call",
		Buggy: RoutineReentryBuggy, Fixed: RoutineReentryFixed,
		Clauses: []string{"wsarecv.blocking.alertable-wait", "wsasendmsg.blocking.apc-reentry-undefined"},
		Options: []emu.Option{emu.WithSanitizer(emu.SanitizeReport)},
	},
	{
		Name: "cancel", Summary: "assuming a cancel wins the race with completion",
		Buggy: CancelBuggy, Fixed: CancelFixed,
		Clauses: []string{"cancelioex.may-complete-normally", "canceling-io.not-guaranteed", "cancelioex.not-found"},
	},
	{
		Name: "more-data", Summary: "taking ERROR_MORE_DATA from GetOverlappedResult for a read that got nothing",
		Buggy: MoreDataBuggy, Fixed: MoreDataFixed,
		Clauses: []string{"getoverlappedresult.more-data", "readfileex.more-data-last-error", "sync-overlapped-io.immediate-or-pending"},
	},
	{
		Name: "poll", Summary: "polling HasOverlappedIoCompleted after a synchronous failure",
		Buggy: PollBuggy, Fixed: PollFixed,
		Clauses: []string{"sync-overlapped-io.has-completed-poll", "wsarecv.error.no-completion", "wsasendmsg.return.error-no-completion"},
	},
	{
		Name: "autoreset", Summary: "an auto-reset event shared by a completion and a result wait",
		Buggy: AutoresetBuggy, Fixed: AutoresetFixed,
		Clauses: []string{"sync-overlapped-io.autoreset-result-wait", "overlapped.hevent.autoreset-consumed", "wsaoverlapped.hevent.event"},
	},
	{
		Name: "netname", Summary: "taking a reset's 0-byte completion (ERROR_NETNAME_DELETED) for the end of the stream",
		Buggy: NetnameBuggy, Fixed: NetnameFixed,
		Clauses: []string{"closesocket.reset-status", "wsarecv.stream.reset", "closesocket.abortive"},
	},
	{
		Name: "acceptex-reset", Summary: "ending the accept loop when AcceptEx fails because its client reset the connection",
		Buggy: AcceptResetBuggy, Fixed: AcceptResetFixed,
		Clauses: []string{"acceptex.reset", "acceptex.receive-first", "closesocket.abortive"},
	},
	{
		Name: "connectex-context", Summary: "calling SO_UPDATE_CONNECT_CONTEXT before checking how ConnectEx ended, which hides a refusal",
		Buggy: ConnectCtxBuggy, Fixed: ConnectCtxFixed,
		Clauses: []string{"connectex.refused", "connectex.update-context", "connect.refused"},
	},
	{
		Name: "cancel-free", Summary: "freeing an OVERLAPPED and its buffer right after CancelIoEx on a TCP socket",
		Buggy: CancelFreeBuggy, Fixed: CancelFreeFixed,
		Clauses: []string{"wsaoverlapped.release-while-pending", "cancelioex.no-reuse-until-done", "canceling-io.reuse-after-completion"},
		Options: []emu.Option{emu.WithSanitizer(emu.SanitizeReport)},
	},
	{
		Name: "acceptex-race", Summary: "filing an AcceptEx request after the call, when its packet may already be on another thread",
		Buggy: AcceptRaceBuggy, Fixed: AcceptRaceFixed,
		Clauses: []string{"acceptex.port", "acceptex.pending", "sync-async-io.immediate-success-still-posts", "getqueuedcompletionstatus.dequeue"},
	},
	{
		Name: "layered-skip", Summary: "setting FILE_SKIP_COMPLETION_PORT_ON_SUCCESS without checking the catalogue for a non-IFS layered provider",
		Buggy: LayeredSkipBuggy, Fixed: LayeredSkipFixed,
		Clauses: []string{"setfilecompletionnotificationmodes.ifs-lsp-only", "setfilecompletionnotificationmodes.non-ifs-still-posts", "layered.chain-not-ifs"},
		Options: []emu.Option{emu.WithLayeredProvider()},
	},
	{
		Name: "fd-write", Summary: "waiting for FD_WRITE again after a send that succeeded",
		Buggy: FDWriteBuggy, Fixed: FDWriteFixed,
		Clauses: []string{"wsaeventselect.fd-write-wouldblock", "wsaeventselect.fd-write-at-once", "wsaeventselect.records-sets-event"},
	},
	{
		Name: "afd-abort", Summary: "leaving AFD_POLL_ABORT out of the bits an AFD poller takes for readable",
		Buggy: AFDAbortBuggy, Fixed: AFDAbortFixed,
		Clauses: []string{"afd.poll.only-signalled", "afd.poll.pending-then-completes", "closesocket.abortive"},
	},
	{
		Name: "afd-rearm", Summary: "dropping a superseded AFD poll's packet unless it says STATUS_CANCELLED, which loses the events it completed with",
		Buggy: AFDRearmBuggy, Fixed: AFDRearmFixed,
		Clauses: []string{"cancelioex.may-complete-normally", "afd.poll.only-signalled", "afd.poll.pending-then-completes"},
	},
}
