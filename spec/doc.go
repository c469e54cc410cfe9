// Package spec holds the specification as data: the clause catalogue, the
// scenario format, and the runner that plays a scenario against any
// Backend (the emulator, or real Winsock).
//
// # Scenario files
//
// A scenario is a text file (name ending in .scenario) describing one
// behaviour. Lines starting with # are comments; so is " # ..." at the end
// of a line. The header names the behaviour and the clauses it covers:
//
//	title A pending WSARecv completes through its event
//	says  Free text explaining the scenario (any number of lines).
//	clause wsarecv.overlapped.pending wsaoverlapped.hevent.event
//	kinds nonifs ifs          # provider kinds to run under (default: both; layered:
//	                          # a non-IFS layered provider over the IFS base)
//	profiles windows docs     # profiles to run under (default: both)
//	emulator-only REASON      # meaningless on real Winsock: differential runs skip it
//	source FILE FUNCTION      # a Wine conformance test it restates (repeatable):
//	                          # source dlls/ws2_32/tests/sock.c test_WSARecv
//
// Declarations come next; objects are made on the first thread, after
// WSAStartup:
//
//	thread A                          # an emulated thread
//	event ev manual|auto [signalled]  # WSACreateEvent / CreateEvent
//	socket r udp4|udp6 [bind=127.0.0.1:5000] [connect=ADDR] [nonoverlapped]
//	overlapped ov1 [event=ev] [lowbit] [hevent=N] [Internal=N ...]
//	buffer b1 16                      # 16 zero bytes
//	buffer hi "hello"                 # bytes from text
//	routine cr1 [does CALL ARGS...]   # a completion routine that records its calls
//	apc ap1 [does CALL ARGS...]       # a user APC that records its calls
//	pipe p [byte|message] [capacity=N] [sync]   # ends p.r and p.w
//	                                  # syncread / syncwrite: only that end synchronous
//	port io                           # an I/O completion port
//	handle h2                         # a place for a handle a call makes (DuplicateHandle,
//	                                  # CreateNamedPipe, CreateFile)
//
// Then steps. A step is "THREAD: Call args..."; "settle" lets the machine
// act on its own (deferred completions, timeouts). The calls and their
// arguments are listed in Calls (the call table: each call is decoded
// once, when the file is read, so a bad argument is reported with its line
// before anything runs). After a step, indented lines say what must be
// observed:
//
//	A: WSARecv r b1 ov1
//	  says Nothing is queued, so the receive pends.    # shown in timelines
//	  return SOCKET_ERROR WSA_IO_PENDING              # return value and error
//	  bytes=untouched                                 # out-parameters
//	  ov1.Internal 0x103                              # record fields
//	  event ev clear                                  # event state
//	  routine cr1 ran 1                               # routine calls
//	  routine cr1 last err=0 bytes=5 flags=0 ov=ov1 thread=A
//	  buffer b1 "hello"                               # buffer contents
//	  thread B returned WAIT_IO_COMPLETION            # an earlier blocked call
//	  thread B blocked
//	  finding wsaoverlapped.reuse-while-pending       # the sanitizer reported this clause
//	  msg ov1 msgflags=MSG_CTRUNC controllen=1        # a WSARecvMsg's WSAMSG, read now
//
// # NULL pointer arguments
//
// A call is given valid pointers unless a word says otherwise: nullbytes
// (the byte count: lpNumberOfBytesSent/Recvd, or WSAGetOverlappedResult's
// lpcbTransfer), nullflags (a receive's lpFlags, WSAGetOverlappedResult's
// lpdwFlags), nullfrom (WSARecvFrom's lpFrom and lpFromlen), nullmsg
// (WSASendMsg's and WSARecvMsg's lpMsg), nullname (the WSAMSG's name; for
// WSARecvMsg namelen 0 unless namelen=N), nullcontrol (the WSAMSG's
// Control: len 16 with a NULL buf), nullret (WSAIoctl's lpcbBytesReturned),
// and for getpeername and getsockname nullname and nulllen; PeekNamedPipe
// takes nullread, nullavail and nullleft; WSAIoctl takes nullin and
// nullout (a NULL input or output with its size). A buffer list written
// NULL passes no buffers, and a record written NULL (or -) passes no
// record. An out-parameter passed as NULL reads "untouched".
//
// Sizes and raw fields: getpeername and getsockname take namelen=N (the
// name buffer's length, a SOCKADDR_STORAGE's by default) and WSARecvFrom
// fromlen=N; a name buffer the call did not write reads addr=untouched
// (from=untouched). WSAIoctl takes inlen=N (the input cut or zero-padded
// to N bytes), to=ADDR (a SOCKADDR input with an output of its size) and
// outbuf=B (a declared buffer as the output, which a later "buffer B"
// line reads); SIO_BASE_HANDLE's answer reads base=SOCKET (the declared
// socket whose handle it is). bind and connect take family=N (the
// SOCKADDR's family field), getsockopt level=N and reports optlen. An
// address written ADDR:* matches that address with any port but 0 (one
// the system chose).
//
// # Named pipes
//
// A named pipe is made by calls, not declared: CreateNamedPipe puts a
// server end in a declared handle (return TRUE) or fails (return FALSE and
// the error, for INVALID_HANDLE_VALUE), and CreateFile opens a client end
// the same way:
//
//	A: CreateNamedPipe srv \\.\pipe\echo overlapped message readmessage instances=2 out=1024 in=1024
//	A: ConnectNamedPipe srv oc
//	A: CreateFile cli \\.\pipe\echo overlapped
//
// Both ends then take ReadFile, WriteFile, their Ex forms, PeekNamedPipe,
// CancelIo(Ex), CloseHandle and CreateIoCompletionPort like a pipe's ends;
// DisconnectNamedPipe, WaitNamedPipe, TransactNamedPipe, FlushFileBuffers,
// SetNamedPipeHandleState, GetNamedPipeHandleState (out-parameters state
// and instances) and GetNamedPipeInfo (pipeflags, outsize, insize,
// maxinstances) complete the set. The native backend gives every run names of its own, so runs
// never meet.
//
// A declared object's handle with +1, +2 or +3 after its name passes its
// value with those low bits set (waits ignore them). WaitForSingleObjectEx
// given the word lasterror reports the thread's last error after the call
// as lasterror=N (cleared before the call).
//
// # A WSAMSG after its receive completes
//
// A WSARecvMsg that pends fills the caller's WSAMSG only when it
// completes, after the call returned. "msg OV key=value ..." reads the
// WSAMSG of the last WSARecvMsg made with the record OV, as it is at that
// point of the run: msgflags (dwFlags), namelen, controllen (Control.len),
// from (the sender written into the name; none when there is none) and dst
// (the destination an IP_PKTINFO control message names; none without one).
//
// The emulator runs every scenario with its misuse sanitizer on. A step
// that does something the pages call undefined (reusing a record whose
// operation is in flight, fWait=TRUE for a routine-based operation, closing
// an event a pending operation uses, a blocking Winsock call inside an APC
// that interrupted one, ...) makes a finding; a scenario passes only if
// every finding is expected by a "finding CLAUSE" line. The calls
// "ReleaseOverlapped ov" and "ReleaseBuffer b" say that the program frees a
// record or buffer (undefined while an operation still uses it).
//
// "return blocks" says the call must not return yet. Out-parameters never
// written read as "untouched". GetQueuedCompletionStatusEx reports
// removed=N and, for each entry i from 1, ovI, bytesI, keyI and statusI. Values may name codes (WSA_IO_PENDING,
// STATUS_PENDING, MSG_TRUNC, INFINITE) or be numbers; "a|b" accepts
// either. Where the pages permit more than one outcome, an either/or/end
// block accepts any branch that holds in full:
//
//	A: WSASend w hi ov2
//	  either
//	    return 0
//	    bytes=2
//	  or
//	    return SOCKET_ERROR WSA_IO_PENDING
//	    bytes=untouched
//	  end
//
// # The Wine ledger
//
// spec/wine/*.ledger, built in, lists every Windows-verified assertion of
// Wine's conformance tests that was examined, one per line:
//
//	<wine file> | <test function> | <what Windows does> | <status>
//
// with status "scenario PATH" (the scenario, below spec/scenarios, whose
// header has "source <wine file> <test function>"), "deviation PATH" (the
// same, for an assertion Wine marks todo_wine) or "needs FEATURE" (see
// LedgerFeatures). LoadLedger checks every line; "wsaemu spec" prints the
// count.
//
// # Checked when read
//
// A scenario is checked in full when it is read, before anything runs:
// every call name, every declared name a step or expectation uses, every
// expectation keyword, value, error name and count, in every branch of
// every either/or. A mistake is an error with file:line and, when a known
// name is close, "did you mean". Names are letters, digits, _ and -.
//
// # Limits
//
// So that reading any input costs time and memory linear in its size, a
// scenario file is refused, with an error naming the limit and the line,
// past these bounds:
//
//	MaxFileSize    4 MiB per file
//	MaxLineLength  64 KiB per line
//	MaxNesting     either/or groups nested 32 deep
//	MaxDecls       100,000 declarations
//	MaxSteps       100,000 steps
//
// Control characters are not allowed in a line (write them as escapes in a
// "quoted string"); messages escape anything unprintable. Only regular
// files are read: below a directory anything else is skipped.
package spec
