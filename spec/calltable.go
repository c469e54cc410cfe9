package spec

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	"github.com/wsaemu/wsaemu/provider"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// The call table: every call a scenario step (or a routine's "does") may
// make is one Entry — its name, its usage line, what it returns, the
// out-parameters it reports, and a decoder that turns the step's words
// into a typed call value (an Op). A scenario is decoded once, when it is
// read, so a bad argument is a ParseError with its line before anything
// runs. A Backend then runs typed calls: each Op calls the Machine method
// of its own name, so adding a call is one entry here, one Machine method
// in the emulator's backend and one in the native backend.

// Entry is one call of the table.
type Entry struct {
	Name  string
	Usage string
	// Ret is how the return value reads.
	Ret RetKind
	// WSA says the call's errors take Winsock's names (WSA_IO_PENDING for
	// ERROR_IO_PENDING): Winsock reports a few Win32 codes under its own.
	WSA bool
	// Outs names the out-parameters the call reports (documentation; a
	// call may leave some out when it fails).
	Outs []string

	decode func(d *decoder) Op
}

// RetKind says how a call's return value is written.
type RetKind uint8

const (
	RetNone   RetKind = iota // no return (ExitThread)
	RetVoid                  // "void" (the sanitizer's release calls)
	RetInt                   // 0 or SOCKET_ERROR
	RetBool                  // TRUE or FALSE
	RetWait                  // a wait code (WAIT_OBJECT_0+n, WAIT_TIMEOUT, …)
	RetSleep                 // SleepEx: 0 or WAIT_IO_COMPLETION
	RetErrno                 // WSAStartup: 0 or the error code itself
	RetHandle                // CreateIoCompletionPort: the port (as named), or NULL
	RetSocket                // accept: the new socket (as named), or INVALID_SOCKET
	RetCount                 // select, WSAPoll: a count, or SOCKET_ERROR
)

// Op is a decoded call: one of the *…Call types below. Run makes the call
// on a Machine, which is how a Backend runs it.
type Op interface {
	Entry() *Entry
	Run(m Machine) (Result, error)
}

// Machine is what a Backend implements to run calls: one method per call
// of the table, each given its typed arguments, on the thread the backend
// runs it on. The error is for what the backend cannot do (a call it does
// not support), never for what the call itself reports.
type Machine interface {
	SleepEx(*SleepExCall) (Result, error)
	WaitForSingleObjectEx(*WaitForSingleObjectExCall) (Result, error)
	SignalObjectAndWait(*SignalObjectAndWaitCall) (Result, error)
	WaitForMultipleObjectsEx(*WaitForMultipleObjectsExCall) (Result, error)
	WSAWaitForMultipleEvents(*WSAWaitForMultipleEventsCall) (Result, error)
	SetEvent(*SetEventCall) (Result, error)
	ResetEvent(*ResetEventCall) (Result, error)
	WSASetEvent(*WSASetEventCall) (Result, error)
	WSAResetEvent(*WSAResetEventCall) (Result, error)
	WSACloseEvent(*WSACloseEventCall) (Result, error)
	CloseHandle(*CloseHandleCall) (Result, error)
	QueueUserAPC(*QueueUserAPCCall) (Result, error)
	ExitThread(*ExitThreadCall) (Result, error)
	WSAStartup(*WSAStartupCall) (Result, error)
	WSACleanup(*WSACleanupCall) (Result, error)
	WSASend(*WSASendCall) (Result, error)
	WSASendTo(*WSASendToCall) (Result, error)
	WSARecv(*WSARecvCall) (Result, error)
	WSARecvFrom(*WSARecvFromCall) (Result, error)
	WSASendMsg(*WSASendMsgCall) (Result, error)
	WSARecvMsg(*WSARecvMsgCall) (Result, error)
	WSAGetOverlappedResult(*WSAGetOverlappedResultCall) (Result, error)
	WSAIoctl(*WSAIoctlCall) (Result, error)
	Closesocket(*ClosesocketCall) (Result, error)
	Shutdown(*ShutdownCall) (Result, error)
	Setsockopt(*SetsockoptCall) (Result, error)
	Getsockopt(*GetsockoptCall) (Result, error)
	Bind(*BindCall) (Result, error)
	Connect(*ConnectCall) (Result, error)
	Getsockname(*GetsocknameCall) (Result, error)
	Getpeername(*GetpeernameCall) (Result, error)
	PeekNamedPipe(*PeekNamedPipeCall) (Result, error)
	DuplicateHandle(*DuplicateHandleCall) (Result, error)
	ReadFile(*ReadFileCall) (Result, error)
	WriteFile(*WriteFileCall) (Result, error)
	ReadFileEx(*ReadFileExCall) (Result, error)
	WriteFileEx(*WriteFileExCall) (Result, error)
	GetOverlappedResult(*GetOverlappedResultCall) (Result, error)
	GetOverlappedResultEx(*GetOverlappedResultExCall) (Result, error)
	CancelIo(*CancelIoCall) (Result, error)
	CancelIoEx(*CancelIoExCall) (Result, error)
	CreateIoCompletionPort(*CreateIoCompletionPortCall) (Result, error)
	GetQueuedCompletionStatus(*GetQueuedCompletionStatusCall) (Result, error)
	GetQueuedCompletionStatusEx(*GetQueuedCompletionStatusExCall) (Result, error)
	PostQueuedCompletionStatus(*PostQueuedCompletionStatusCall) (Result, error)
	SetFileCompletionNotificationModes(*SetFileCompletionNotificationModesCall) (Result, error)
	ReleaseOverlapped(*ReleaseOverlappedCall) (Result, error)
	ReleaseBuffer(*ReleaseBufferCall) (Result, error)
	CreateNamedPipe(*CreateNamedPipeCall) (Result, error)
	CreateFile(*CreateFileCall) (Result, error)
	ConnectNamedPipe(*ConnectNamedPipeCall) (Result, error)
	DisconnectNamedPipe(*DisconnectNamedPipeCall) (Result, error)
	SetNamedPipeHandleState(*SetNamedPipeHandleStateCall) (Result, error)
	WaitNamedPipe(*WaitNamedPipeCall) (Result, error)
	TransactNamedPipe(*TransactNamedPipeCall) (Result, error)
	FlushFileBuffers(*FlushFileBuffersCall) (Result, error)
	GetNamedPipeInfo(*GetNamedPipeInfoCall) (Result, error)
	GetNamedPipeHandleState(*GetNamedPipeHandleStateCall) (Result, error)
	Listen(*ListenCall) (Result, error)
	Accept(*AcceptCall) (Result, error)
	WSAAccept(*WSAAcceptCall) (Result, error)
	ExtMachine       // the extension functions (calltable_ext.go)
	ReadinessMachine // the readiness calls (calltable_readiness.go)
	CatalogMachine   // WSAEnumProtocols (calltable_layered.go)
	AfdMachine       // the AFD poll (calltable_afd.go)
}

// Handle is a handle argument: a declared thread or object (a pipe by
// one of its ends), or a value written as such (NULL,
// INVALID_HANDLE_VALUE, a number).
type Handle struct {
	Name string // as written
	// Decl is the index of the thread's or object's declaration in
	// Scenario.Decls, or -1 for a value.
	Decl int
	// End is a pipe's end: 'r' or 'w' (0 for anything else).
	End byte
	// Value is a written value (NULL is 0, INVALID_HANDLE_VALUE all ones).
	Value uint64
	// Tag is added to a declared object's handle value: NAME+1, NAME+2
	// or NAME+3 sets the two low bits, which waits ignore.
	Tag uint64
}

// Ref names a declared object an argument or out-parameter refers to.
type Ref struct {
	Name string
	// Decl is the declaration's index in Scenario.Decls, or one of
	// RefNull, RefUnknown, RefUntouched.
	Decl int
}

// Special values of Ref.Decl.
const (
	RefNull      = -1 // NULL (an absent record or routine)
	RefUnknown   = -2 // an out-parameter naming a record not declared
	RefUntouched = -3 // an out-parameter the call did not write
)

// Null reports whether r is NULL.
func (r Ref) Null() bool { return r.Decl == RefNull }

// Valid reports whether r names a declared object.
func (r Ref) Valid() bool { return r.Decl >= 0 }

func (r Ref) String() string {
	switch r.Decl {
	case RefNull:
		return "NULL"
	case RefUnknown:
		return "?"
	case RefUntouched:
		return "untouched"
	}
	return r.Name
}

// Result is how a call returned, as typed values: the raw return value
// (read as the entry's RetKind says), the error it reported (0: none),
// and the out-parameters. Text is made from it in one place, Render.
type Result struct {
	Blocked bool // the call has not returned (Do only)
	Ret     uint64
	Err     wso.Errno
	Outs    Outs
}

// Outs are a call's out-parameters. Has says which ones the call
// reports; a number still holding Poison was not written ("untouched").
type Outs struct {
	Has      OutSet
	Bytes    uint32
	Flags    uint32
	MsgFlags uint32
	Key      uint32
	Value    uint32
	Removed  uint32
	From     netip.AddrPort
	Addr     netip.AddrPort
	Dst      netip.Addr
	Namelen  uint32
	Optlen   uint32
	Avail    uint32
	Left     uint32
	LastErr  uint32
	Ov       Ref
	// Base is the declared socket whose handle an output names
	// (SIO_BASE_HANDLE), "untouched" when the output was not written.
	Base    Ref
	Entries []PortEntry
	// GetNamedPipeInfo's and GetNamedPipeHandleState's outputs.
	PipeFlags, OutSize, InSize, MaxInstances uint32
	PipeState, Instances                     uint32
	// More are out-parameters reported by name (the readiness calls'),
	// written as they read.
	More []OutKV
}

// OutKV is one out-parameter of Outs.More.
type OutKV struct{ Key, Value string }

// PortEntry is one OVERLAPPED_ENTRY GetQueuedCompletionStatusEx removed.
type PortEntry struct {
	Ov     Ref
	Bytes  uint32
	Key    uint64
	Status uint64 // the packet's NTSTATUS (the entry's Internal)
}

// OutSet is a set of out-parameters.
type OutSet uint32

// The out-parameters, by the name a scenario reads them under.
const (
	OutBytes     OutSet = 1 << iota // bytes
	OutFlags                        // flags
	OutMsgFlags                     // msgflags
	OutKey                          // key
	OutValue                        // value
	OutFrom                         // from
	OutAddr                         // addr
	OutDst                          // dst
	OutOv                           // ov
	OutRemoved                      // removed, and ovN/bytesN/keyN/statusN per entry
	OutNamelen                      // namelen
	OutAvail                        // avail
	OutLeft                         // left
	OutBase                         // base
	OutOptlen                       // optlen
	OutPipeInfo                     // pipeflags, outsize, insize, maxinstances (GetNamedPipeInfo)
	OutPipeState                    // state, instances (GetNamedPipeHandleState)
	OutLastError                    // lasterror: GetLastError after the call, cleared before it
)

// The typed calls. Names of declared objects are resolved to Handles and
// Refs, numbers are numbers; the written Call stays beside the Op for
// messages.

type SleepExCall struct {
	opBase
	Ms        uint32
	Alertable bool
}

// WaitArgs are the arguments of the three waits.
type WaitArgs struct {
	opBase
	Handles   []Handle // nil for "none"
	Ms        uint32
	All       bool
	Alertable bool
	// LastError ("lasterror") reports the thread's last error after the
	// call as the out-parameter lasterror. It is cleared before the call:
	// the native runner cannot set another value (Go's runtime clears it
	// before every call into Windows), so 0 means the call set none.
	LastError bool
}

type WaitForSingleObjectExCall struct{ WaitArgs }

// SignalObjectAndWaitCall sets one event and waits on one object.
type SignalObjectAndWaitCall struct {
	opBase
	Signal, Wait Handle
	Ms           uint32
	Alertable    bool
}
type WaitForMultipleObjectsExCall struct{ WaitArgs }
type WSAWaitForMultipleEventsCall struct{ WaitArgs }

// HandleArg is the argument of the calls that take one handle.
type HandleArg struct {
	opBase
	H Handle
}

type SetEventCall struct{ HandleArg }
type ResetEventCall struct{ HandleArg }
type WSASetEventCall struct{ HandleArg }
type WSAResetEventCall struct{ HandleArg }
type WSACloseEventCall struct{ HandleArg }
type CloseHandleCall struct{ HandleArg }
type ClosesocketCall struct{ HandleArg }

// GetsocknameCall is getsockname: like getpeername, the name buffer is a
// SOCKADDR_STORAGE whose *namelen starts at Namelen (128 unless
// namelen=N), and NullName and NullLen pass NULL for either pointer.
type GetsocknameCall struct {
	opBase
	Socket            Handle
	Namelen           int32
	NullName, NullLen bool
}

// GetpeernameCall is getpeername: the name buffer is a SOCKADDR_STORAGE
// and *namelen starts at Namelen (128 unless namelen=N), NullName and
// NullLen pass NULL for either pointer.
type GetpeernameCall struct {
	opBase
	Socket            Handle
	Namelen           int32
	NullName, NullLen bool
}
type CancelIoCall struct{ HandleArg }

type QueueUserAPCCall struct {
	opBase
	APC    Ref
	Thread Handle
	Param  uint64
}

type ExitThreadCall struct {
	opBase
	Code uint32
}

type WSAStartupCall struct{ opBase }
type WSACleanupCall struct{ opBase }

// IOArgs are what every overlapped socket call starts with.
type IOArgs struct {
	opBase
	Socket Handle
	Bufs   []Ref // nil for NULL
	// Len, when HasLen, replaces the first buffer's length (len=N).
	HasLen    bool
	Len       uint32
	Ov        Ref
	Routine   Ref
	NullBytes bool // pass NULL for the byte count

	slot int // numbers the scenario's IOArgs from 1 (set by Parse; see Slot)
}

// Slot numbers the IOArgs of a parsed scenario 1, 2, ... (its steps' and
// its routines' calls, each its own number): a backend may keep what it
// makes for a call's arguments in a slice by this number instead of a
// map. 0 for arguments Parse did not number.
func (a *IOArgs) Slot() int { return a.slot }

// ioArgs gives the IOArgs of the calls that have them, to number them.
func (a *IOArgs) ioArgs() *IOArgs { return a }

// SendRecvArgs are WSASend's, WSASendTo's, WSARecv's and WSARecvFrom's.
type SendRecvArgs struct {
	IOArgs
	Flags uint32
	// NullFlags passes NULL for lpFlags (the receives: nullflags).
	NullFlags bool
}

type WSASendCall struct{ SendRecvArgs }
type WSARecvCall struct{ SendRecvArgs }
type WSARecvFromCall struct {
	SendRecvArgs
	// NullFrom passes NULL for lpFrom and lpFromlen (nullfrom).
	NullFrom bool
	// Fromlen, when HasFromlen, is *lpFromlen as given (fromlen=N); the
	// address then reads "untouched" when the call did not write it.
	HasFromlen bool
	Fromlen    int32
}

type WSASendToCall struct {
	SendRecvArgs
	To      *netip.AddrPort // nil for NULL
	Namelen int32
}

type WSASendMsgCall struct {
	IOArgs
	MsgFlags    uint32
	To          *netip.AddrPort
	HasNamelen  bool
	Namelen     int32
	NullName    bool
	Src         *netip.Addr // an IP_PKTINFO control message with this source
	NullControl bool        // Control.len = 16 with a NULL buf
	Flags       uint32
	NullMsg     bool // lpMsg is NULL (nullmsg)
}

type WSARecvMsgCall struct {
	IOArgs
	MsgFlags uint32
	// Control, when HasControl, is the control buffer's size.
	HasControl bool
	Control    int
	NullMsg    bool // lpMsg is NULL (nullmsg)
	NullName   bool // msg.name NULL (nullname), namelen 0 unless namelen=N
	// HasNamelen, Namelen: namelen=N, the WSAMSG namelen given.
	HasNamelen  bool
	Namelen     int32
	NullControl bool // Control.len 16 with a NULL buf (nullcontrol)
}

// ResultArgs are (WSA)GetOverlappedResult's.
type ResultArgs struct {
	opBase
	H    Handle
	Ov   Ref
	Wait bool
}

type WSAGetOverlappedResultCall struct {
	ResultArgs
	// NullBytes and NullFlags pass NULL for lpcbTransfer and lpdwFlags.
	NullBytes, NullFlags bool
}
type GetOverlappedResultCall struct{ ResultArgs }

type GetOverlappedResultExCall struct {
	opBase
	H         Handle
	Ov        Ref
	Ms        uint32
	Alertable bool
}

type WSAIoctlCall struct {
	opBase
	Socket Handle
	Code   uint32
	In     []byte // the input buffer (nil: none)
	// OutLen is the output buffer's size, -1 for none (NULL).
	OutLen  int
	Ov      Ref
	Routine Ref
	// NullRet passes NULL for lpcbBytesReturned (nullret).
	NullRet bool
	// InLen is the input size passed (the input's own size unless
	// inlen=N: shorter cuts it, longer pads it with zeros); NullIn passes
	// a NULL input with that size, NullOut a NULL output with OutLen.
	InLen           int
	NullIn, NullOut bool
	// OutBuf, when valid, is a declared buffer used as the output
	// (outbuf=B): a later "buffer B" expectation reads what the call
	// left there.
	OutBuf Ref
}

type ShutdownCall struct {
	opBase
	Socket Handle
	How    int32
}

type SetsockoptCall struct {
	opBase
	Socket      Handle
	Level, Name int32
	Value       uint32
	// Ctx is SO_UPDATE_ACCEPT_CONTEXT's value: the listening socket,
	// passed as a SOCKET (HasCtx).
	HasCtx bool
	Ctx    Handle
}

type GetsockoptCall struct {
	opBase
	Socket      Handle
	Level, Name int32
}

// AddrArgs are bind's and connect's.
type AddrArgs struct {
	opBase
	Socket Handle
	Addr   *netip.AddrPort // nil for NULL
	// Namelen is the address's SOCKADDR size, or namelen=N when
	// HasNamelen.
	HasNamelen bool
	Namelen    int32
	// Family, when HasFamily, replaces the SOCKADDR's family field
	// (family=N).
	HasFamily bool
	Family    uint16
}

type BindCall struct{ AddrArgs }
type ConnectCall struct{ AddrArgs }

// FileArgs are ReadFile's and WriteFile's (and the Ex variants').
type FileArgs struct {
	opBase
	H   Handle
	Buf Ref
	// Len is how many bytes of the buffer the call is given.
	Len int
	Ov  Ref
}

type ReadFileCall struct{ FileArgs }
type WriteFileCall struct{ FileArgs }

type ReadFileExCall struct {
	FileArgs
	Routine Ref
}

type WriteFileExCall struct {
	FileArgs
	Routine Ref
}

type CancelIoExCall struct {
	opBase
	H  Handle
	Ov Ref
}

type CreateIoCompletionPortCall struct {
	opBase
	File Handle
	Port Handle
	Key  uint64
}

type GetQueuedCompletionStatusCall struct {
	opBase
	Port Handle
	Ms   uint32
}

type GetQueuedCompletionStatusExCall struct {
	opBase
	Port      Handle
	Count     uint32 // entries in the array
	Ms        uint32
	Alertable bool
}

type PostQueuedCompletionStatusCall struct {
	opBase
	Port  Handle
	Bytes uint32
	Key   uint64
	Ov    Ref
}

type SetFileCompletionNotificationModesCall struct {
	opBase
	H     Handle
	Flags uint8
}

// PeekNamedPipeCall is PeekNamedPipe: Buf is the buffer the bytes are
// copied to (RefNull: NULL, size 0 unless len=N), and the Null words pass
// NULL for lpBytesRead, lpTotalBytesAvail and lpBytesLeftThisMessage.
type PeekNamedPipeCall struct {
	opBase
	H                             Handle
	Buf                           Ref
	Len                           int
	NullRead, NullAvail, NullLeft bool
}

// namelen reads a name buffer's namelen=N (SOCKADDR_STORAGE's size
// unless given).
func (d *decoder) namelen() int32 { return d.namelen2("namelen") }

// namelen2 reads a name buffer's length under the key given.
func (d *decoder) namelen2(key string) int32 {
	v, ok := d.kv(key)
	if !ok {
		return SizeofSockaddrStorage
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > SizeofSockaddrStorage {
		d.fail("%s=%q: want 0 to %d", key, v, SizeofSockaddrStorage)
	}
	return int32(n)
}

// DuplicateHandleCall is DuplicateHandle within the process
// (DUPLICATE_SAME_ACCESS): the new handle goes to the declared handle
// Target.
type DuplicateHandleCall struct {
	opBase
	Src    Handle
	Target Ref
}

type ReleaseOverlappedCall struct {
	opBase
	Ov Ref
}

type ReleaseBufferCall struct {
	opBase
	Buf Ref
}

// opBase gives every Op its entry.
type opBase struct{ entry *Entry }

// Entry returns the call's table entry.
func (b *opBase) Entry() *Entry { return b.entry }

func (c *SleepExCall) Run(m Machine) (Result, error)               { return m.SleepEx(c) }
func (c *WaitForSingleObjectExCall) Run(m Machine) (Result, error) { return m.WaitForSingleObjectEx(c) }
func (c *SignalObjectAndWaitCall) Run(m Machine) (Result, error)   { return m.SignalObjectAndWait(c) }
func (c *SignalObjectAndWaitCall) Timeout() (uint32, bool)         { return finite(c.Ms) }
func (c *SignalObjectAndWaitCall) TimedOut(r Result) bool          { return r.Ret == waitTimeout }
func (c *WaitForMultipleObjectsExCall) Run(m Machine) (Result, error) {
	return m.WaitForMultipleObjectsEx(c)
}
func (c *WSAWaitForMultipleEventsCall) Run(m Machine) (Result, error) {
	return m.WSAWaitForMultipleEvents(c)
}
func (c *SetEventCall) Run(m Machine) (Result, error)      { return m.SetEvent(c) }
func (c *ResetEventCall) Run(m Machine) (Result, error)    { return m.ResetEvent(c) }
func (c *WSASetEventCall) Run(m Machine) (Result, error)   { return m.WSASetEvent(c) }
func (c *WSAResetEventCall) Run(m Machine) (Result, error) { return m.WSAResetEvent(c) }
func (c *WSACloseEventCall) Run(m Machine) (Result, error) { return m.WSACloseEvent(c) }
func (c *CloseHandleCall) Run(m Machine) (Result, error)   { return m.CloseHandle(c) }
func (c *QueueUserAPCCall) Run(m Machine) (Result, error)  { return m.QueueUserAPC(c) }
func (c *ExitThreadCall) Run(m Machine) (Result, error)    { return m.ExitThread(c) }
func (c *WSAStartupCall) Run(m Machine) (Result, error)    { return m.WSAStartup(c) }
func (c *WSACleanupCall) Run(m Machine) (Result, error)    { return m.WSACleanup(c) }
func (c *WSASendCall) Run(m Machine) (Result, error)       { return m.WSASend(c) }
func (c *WSASendToCall) Run(m Machine) (Result, error)     { return m.WSASendTo(c) }
func (c *WSARecvCall) Run(m Machine) (Result, error)       { return m.WSARecv(c) }
func (c *WSARecvFromCall) Run(m Machine) (Result, error)   { return m.WSARecvFrom(c) }
func (c *WSASendMsgCall) Run(m Machine) (Result, error)    { return m.WSASendMsg(c) }
func (c *WSARecvMsgCall) Run(m Machine) (Result, error)    { return m.WSARecvMsg(c) }
func (c *WSAGetOverlappedResultCall) Run(m Machine) (Result, error) {
	return m.WSAGetOverlappedResult(c)
}
func (c *WSAIoctlCall) Run(m Machine) (Result, error)              { return m.WSAIoctl(c) }
func (c *ClosesocketCall) Run(m Machine) (Result, error)           { return m.Closesocket(c) }
func (c *ShutdownCall) Run(m Machine) (Result, error)              { return m.Shutdown(c) }
func (c *SetsockoptCall) Run(m Machine) (Result, error)            { return m.Setsockopt(c) }
func (c *GetsockoptCall) Run(m Machine) (Result, error)            { return m.Getsockopt(c) }
func (c *BindCall) Run(m Machine) (Result, error)                  { return m.Bind(c) }
func (c *ConnectCall) Run(m Machine) (Result, error)               { return m.Connect(c) }
func (c *GetsocknameCall) Run(m Machine) (Result, error)           { return m.Getsockname(c) }
func (c *GetpeernameCall) Run(m Machine) (Result, error)           { return m.Getpeername(c) }
func (c *ReadFileCall) Run(m Machine) (Result, error)              { return m.ReadFile(c) }
func (c *WriteFileCall) Run(m Machine) (Result, error)             { return m.WriteFile(c) }
func (c *ReadFileExCall) Run(m Machine) (Result, error)            { return m.ReadFileEx(c) }
func (c *WriteFileExCall) Run(m Machine) (Result, error)           { return m.WriteFileEx(c) }
func (c *GetOverlappedResultCall) Run(m Machine) (Result, error)   { return m.GetOverlappedResult(c) }
func (c *GetOverlappedResultExCall) Run(m Machine) (Result, error) { return m.GetOverlappedResultEx(c) }
func (c *CancelIoCall) Run(m Machine) (Result, error)              { return m.CancelIo(c) }
func (c *CancelIoExCall) Run(m Machine) (Result, error)            { return m.CancelIoEx(c) }
func (c *CreateIoCompletionPortCall) Run(m Machine) (Result, error) {
	return m.CreateIoCompletionPort(c)
}
func (c *GetQueuedCompletionStatusCall) Run(m Machine) (Result, error) {
	return m.GetQueuedCompletionStatus(c)
}
func (c *GetQueuedCompletionStatusExCall) Run(m Machine) (Result, error) {
	return m.GetQueuedCompletionStatusEx(c)
}
func (c *PostQueuedCompletionStatusCall) Run(m Machine) (Result, error) {
	return m.PostQueuedCompletionStatus(c)
}
func (c *SetFileCompletionNotificationModesCall) Run(m Machine) (Result, error) {
	return m.SetFileCompletionNotificationModes(c)
}
func (c *ReleaseOverlappedCall) Run(m Machine) (Result, error) { return m.ReleaseOverlapped(c) }
func (c *PeekNamedPipeCall) Run(m Machine) (Result, error)     { return m.PeekNamedPipe(c) }
func (c *DuplicateHandleCall) Run(m Machine) (Result, error)   { return m.DuplicateHandle(c) }
func (c *ReleaseBufferCall) Run(m Machine) (Result, error)     { return m.ReleaseBuffer(c) }

// Timed is an Op with a time-out of its own: a backend that runs on wall
// time (the native one) needs to know when a call ended because its time
// ran out.
type Timed interface {
	// Timeout is the call's time-out when it is finite and not 0.
	Timeout() (ms uint32, ok bool)
	// TimedOut reports whether a result says the time ran out.
	TimedOut(r Result) bool
}

func finite(ms uint32) (uint32, bool) { return ms, ms != 0 && ms != infinite }

const infinite = 0xFFFFFFFF

func (c *SleepExCall) Timeout() (uint32, bool) { return finite(c.Ms) }
func (c *SleepExCall) TimedOut(r Result) bool  { return r.Ret == 0 }
func (c *WaitArgs) Timeout() (uint32, bool)    { return finite(c.Ms) }
func (c *WaitArgs) TimedOut(r Result) bool     { return r.Ret == waitTimeout }
func (c *GetQueuedCompletionStatusCall) Timeout() (uint32, bool) {
	return finite(c.Ms)
}
func (c *GetQueuedCompletionStatusCall) TimedOut(r Result) bool { return r.Err == waitTimeout }
func (c *GetQueuedCompletionStatusExCall) Timeout() (uint32, bool) {
	return finite(c.Ms)
}
func (c *GetQueuedCompletionStatusExCall) TimedOut(r Result) bool { return r.Err == waitTimeout }
func (c *GetOverlappedResultExCall) Timeout() (uint32, bool)      { return finite(c.Ms) }
func (c *GetOverlappedResultExCall) TimedOut(r Result) bool       { return r.Err == waitTimeout }

const waitTimeout = 258 // WAIT_TIMEOUT

// The table.
var table = append([]*Entry{
	{Name: "SleepEx", Usage: "SleepEx <ms|INFINITE> [alertable]", Ret: RetSleep, decode: func(d *decoder) Op {
		d.need(1)
		return &SleepExCall{Ms: d.ms(d.pos(0)), Alertable: d.has("alertable")}
	}},
	{Name: "WaitForSingleObjectEx", Usage: "WaitForSingleObjectEx <handle> <ms> [alertable] [lasterror]", Ret: RetWait, Outs: []string{"lasterror"}, decode: func(d *decoder) Op {
		w := d.wait()
		if d.err == nil && len(w.Handles) == 0 {
			d.fail("needs a handle")
		}
		return &WaitForSingleObjectExCall{w}
	}},
	{Name: "SignalObjectAndWait", Usage: "SignalObjectAndWait <event> <handle> <ms> [alertable]", Ret: RetWait, decode: func(d *decoder) Op {
		d.need(3)
		return &SignalObjectAndWaitCall{Signal: d.handle(d.pos(0)), Wait: d.handle(d.pos(1)), Ms: d.ms(d.pos(2)), Alertable: d.has("alertable")}
	}},
	{Name: "WaitForMultipleObjectsEx", Usage: "WaitForMultipleObjectsEx <h1,h2,...> <ms> [all] [alertable]", Ret: RetWait, decode: func(d *decoder) Op {
		return &WaitForMultipleObjectsExCall{d.wait()}
	}},
	{Name: "WSAWaitForMultipleEvents", Usage: "WSAWaitForMultipleEvents <ev1,ev2,...> <ms> [all] [alertable]", Ret: RetWait, decode: func(d *decoder) Op {
		return &WSAWaitForMultipleEventsCall{d.wait()}
	}},
	{Name: "SetEvent", Usage: "SetEvent <event>", Ret: RetBool, decode: func(d *decoder) Op { return &SetEventCall{d.handleArg()} }},
	{Name: "ResetEvent", Usage: "ResetEvent <event>", Ret: RetBool, decode: func(d *decoder) Op { return &ResetEventCall{d.handleArg()} }},
	{Name: "WSASetEvent", Usage: "WSASetEvent <event>", Ret: RetBool, decode: func(d *decoder) Op { return &WSASetEventCall{d.handleArg()} }},
	{Name: "WSAResetEvent", Usage: "WSAResetEvent <event>", Ret: RetBool, decode: func(d *decoder) Op { return &WSAResetEventCall{d.handleArg()} }},
	{Name: "WSACloseEvent", Usage: "WSACloseEvent <event>", Ret: RetBool, decode: func(d *decoder) Op { return &WSACloseEventCall{d.handleArg()} }},
	{Name: "CloseHandle", Usage: "CloseHandle <handle>", Ret: RetBool, decode: func(d *decoder) Op { return &CloseHandleCall{d.handleArg()} }},
	{Name: "QueueUserAPC", Usage: "QueueUserAPC <apc> <thread> [param=N]", Ret: RetBool, decode: func(d *decoder) Op {
		d.need(2)
		c := &QueueUserAPCCall{APC: d.object(d.pos(0), "apc"), Thread: d.handle(d.pos(1))}
		if v, ok := d.kv("param"); ok {
			c.Param = d.value(v, "param=%q", v)
		}
		return c
	}},
	{Name: "ExitThread", Usage: "ExitThread [code]", Ret: RetNone, decode: func(d *decoder) Op {
		c := &ExitThreadCall{}
		if v := d.pos(0); v != "" {
			c.Code = uint32(d.value(v, "bad exit code %q", v))
		}
		return c
	}},
	{Name: "WSAStartup", Usage: "WSAStartup", Ret: RetErrno, decode: func(d *decoder) Op { return &WSAStartupCall{} }},
	{Name: "WSACleanup", Usage: "WSACleanup", Ret: RetInt, WSA: true, decode: func(d *decoder) Op { return &WSACleanupCall{} }},
	{Name: "WSASend", Usage: "WSASend <socket> <buf[,buf]> <ov|NULL> [routine=R] [flags=F] [nullbytes]", Ret: RetInt, WSA: true,
		Outs: []string{"bytes"}, decode: func(d *decoder) Op { return &WSASendCall{d.sendRecv(2)} }},
	{Name: "WSASendTo", Usage: "WSASendTo <socket> <buf[,buf]> <addr:port> <ov|NULL> [routine=R] [flags=F] [nullbytes]", Ret: RetInt, WSA: true,
		Outs: []string{"bytes"}, decode: func(d *decoder) Op {
			c := &WSASendToCall{SendRecvArgs: d.sendRecv(3)}
			c.To, c.Namelen = d.addr(d.pos(2))
			return c
		}},
	{Name: "WSARecv", Usage: "WSARecv <socket> <buf[,buf]> <ov|NULL> [routine=R] [flags=F] [nullbytes] [nullflags]", Ret: RetInt, WSA: true,
		Outs: []string{"bytes", "flags"}, decode: func(d *decoder) Op { return &WSARecvCall{d.recvArgs(2)} }},
	{Name: "WSARecvFrom", Usage: "WSARecvFrom <socket> <buf[,buf]> <ov|NULL> [routine=R] [flags=F] [nullbytes] [nullflags] [nullfrom] [fromlen=N]", Ret: RetInt, WSA: true,
		Outs: []string{"bytes", "flags", "from"}, decode: func(d *decoder) Op {
			c := &WSARecvFromCall{SendRecvArgs: d.recvArgs(2), NullFrom: d.has("nullfrom")}
			if _, ok := d.kv("fromlen"); ok {
				c.HasFromlen, c.Fromlen = true, d.namelen2("fromlen")
			}
			return c
		}},
	{Name: "WSASendMsg", Usage: "WSASendMsg <socket> <buf[,buf]> <ov|NULL> [to=addr:port] [namelen=N] [nullname] [src=addr] [control=N] [nullcontrol] [flags=F] [routine=R] [nullbytes] [nullmsg]", Ret: RetInt, WSA: true,
		Outs: []string{"bytes"}, decode: decodeSendMsg},
	{Name: "WSARecvMsg", Usage: "WSARecvMsg <socket> <buf[,buf]> <ov|NULL> [control=N] [msgflags=F] [routine=R] [nullbytes] [nullname] [namelen=N] [nullcontrol] [nullmsg]", Ret: RetInt, WSA: true,
		Outs: []string{"bytes", "msgflags", "from", "dst"}, decode: decodeRecvMsg},
	{Name: "WSAGetOverlappedResult", Usage: "WSAGetOverlappedResult <socket> <ov> [wait] [nullbytes] [nullflags]", Ret: RetBool, WSA: true,
		Outs: []string{"bytes", "flags"}, decode: func(d *decoder) Op {
			return &WSAGetOverlappedResultCall{ResultArgs: d.resultArgs(), NullBytes: d.has("nullbytes"), NullFlags: d.has("nullflags")}
		}},
	{Name: "WSAIoctl", Usage: "WSAIoctl <socket> <code> [value=N] [guid=sendmsg|recvmsg|acceptex|getacceptexsockaddrs|connectex|disconnectex|transmitfile|transmitpackets|other] [to=addr:port] [inlen=N] [nullin] [out=N|outbuf=B] [nullout] [ov=OV] [routine=R] [nullret]", Ret: RetInt, WSA: true,
		Outs: []string{"bytes", "value", "base"}, decode: decodeIoctl},
	{Name: "closesocket", Usage: "closesocket <socket>", Ret: RetInt, WSA: true, decode: func(d *decoder) Op { return &ClosesocketCall{d.handleArg()} }},
	{Name: "shutdown", Usage: "shutdown <socket> <SD_RECEIVE|SD_SEND|SD_BOTH>", Ret: RetInt, WSA: true, decode: func(d *decoder) Op {
		d.need(2)
		s := d.handle(d.pos(0))
		return &ShutdownCall{Socket: s, How: int32(d.value(d.pos(1), "bad how %q", d.pos(1)))}
	}},
	{Name: "setsockopt", Usage: "setsockopt <socket> <option> <value>", Ret: RetInt, WSA: true, decode: func(d *decoder) Op {
		d.need(3)
		c := &SetsockoptCall{Socket: d.handle(d.pos(0))}
		c.Level, c.Name = d.sockOption(d.pos(1))
		if c.Level == provider.SOL_SOCKET && c.Name == provider.SO_UPDATE_ACCEPT_CONTEXT {
			c.HasCtx, c.Ctx = true, d.handle(d.pos(2))
			return c
		}
		c.Value = uint32(d.value(d.pos(2), "bad value %q", d.pos(2)))
		return c
	}},
	{Name: "getsockopt", Usage: "getsockopt <socket> <option> [level=N]", Ret: RetInt, WSA: true, Outs: []string{"value", "optlen"}, decode: func(d *decoder) Op {
		d.need(2)
		c := &GetsockoptCall{Socket: d.handle(d.pos(0))}
		c.Level, c.Name = d.sockOption(d.pos(1))
		if v, ok := d.kv("level"); ok {
			// Any level, known or not (level=0xffffffff).
			c.Level = int32(d.value(v, "level=%q", v))
		}
		return c
	}},
	{Name: "bind", Usage: "bind <socket> <addr:port|NULL> [namelen=N] [family=N]", Ret: RetInt, WSA: true, decode: func(d *decoder) Op { return &BindCall{d.addrArgs()} }},
	{Name: "connect", Usage: "connect <socket> <addr:port|NULL> [namelen=N] [family=N]", Ret: RetInt, WSA: true, decode: func(d *decoder) Op { return &ConnectCall{d.addrArgs()} }},
	{Name: "getsockname", Usage: "getsockname <socket> [namelen=N] [nullname] [nulllen]", Ret: RetInt, WSA: true, Outs: []string{"addr", "namelen"}, decode: func(d *decoder) Op {
		d.need(1)
		c := &GetsocknameCall{Socket: d.handle(d.pos(0)), NullName: d.has("nullname"), NullLen: d.has("nulllen")}
		c.Namelen = d.namelen()
		return c
	}},
	{Name: "getpeername", Usage: "getpeername <socket> [namelen=N] [nullname] [nulllen]", Ret: RetInt, WSA: true, Outs: []string{"addr", "namelen"}, decode: func(d *decoder) Op {
		d.need(1)
		c := &GetpeernameCall{Socket: d.handle(d.pos(0)), NullName: d.has("nullname"), NullLen: d.has("nulllen")}
		c.Namelen = d.namelen()
		return c
	}},
	{Name: "ReadFile", Usage: "ReadFile <pipe.r> <buf> <ov|NULL>", Ret: RetBool, Outs: []string{"bytes"}, decode: func(d *decoder) Op { return &ReadFileCall{d.fileArgs(3)} }},
	{Name: "WriteFile", Usage: "WriteFile <pipe.w> <buf> <ov|NULL>", Ret: RetBool, Outs: []string{"bytes"}, decode: func(d *decoder) Op { return &WriteFileCall{d.fileArgs(3)} }},
	{Name: "ReadFileEx", Usage: "ReadFileEx <pipe.r> <buf> <ov> <routine>", Ret: RetBool, decode: func(d *decoder) Op {
		a := d.fileArgs(4)
		return &ReadFileExCall{FileArgs: a, Routine: d.object(d.pos(3), "routine")}
	}},
	{Name: "WriteFileEx", Usage: "WriteFileEx <pipe.w> <buf> <ov> <routine>", Ret: RetBool, decode: func(d *decoder) Op {
		a := d.fileArgs(4)
		return &WriteFileExCall{FileArgs: a, Routine: d.object(d.pos(3), "routine")}
	}},
	{Name: "GetOverlappedResult", Usage: "GetOverlappedResult <handle> <ov> [wait]", Ret: RetBool, Outs: []string{"bytes"},
		decode: func(d *decoder) Op { return &GetOverlappedResultCall{d.resultArgs()} }},
	{Name: "GetOverlappedResultEx", Usage: "GetOverlappedResultEx <handle> <ov> <ms> [alertable]", Ret: RetBool, Outs: []string{"bytes"},
		decode: func(d *decoder) Op {
			d.need(3)
			return &GetOverlappedResultExCall{H: d.handle(d.pos(0)), Ov: d.ov(d.pos(1)), Ms: d.ms(d.pos(2)), Alertable: d.has("alertable")}
		}},
	{Name: "CancelIo", Usage: "CancelIo <handle>", Ret: RetBool, decode: func(d *decoder) Op { return &CancelIoCall{d.handleArg()} }},
	{Name: "CancelIoEx", Usage: "CancelIoEx <handle> [ov]", Ret: RetBool, decode: func(d *decoder) Op {
		d.need(1)
		return &CancelIoExCall{H: d.handle(d.pos(0)), Ov: d.ov(orNull(d.pos(1)))}
	}},
	{Name: "CreateIoCompletionPort", Usage: "CreateIoCompletionPort <handle> <port> [key=N]", Ret: RetHandle, decode: func(d *decoder) Op {
		d.need(2)
		c := &CreateIoCompletionPortCall{File: d.handle(d.pos(0)), Port: d.handle(d.pos(1))}
		if v, ok := d.kv("key"); ok {
			c.Key = d.value(v, "key=%q", v)
		}
		return c
	}},
	{Name: "GetQueuedCompletionStatus", Usage: "GetQueuedCompletionStatus <port> <ms>", Ret: RetBool, Outs: []string{"bytes", "key", "ov"}, decode: func(d *decoder) Op {
		d.need(2)
		return &GetQueuedCompletionStatusCall{Port: d.handle(d.pos(0)), Ms: d.ms(d.pos(1))}
	}},
	{Name: "GetQueuedCompletionStatusEx", Usage: "GetQueuedCompletionStatusEx <port> <count> <ms> [alertable]", Ret: RetBool,
		Outs: []string{"removed", "ovN", "bytesN", "keyN", "statusN"}, decode: func(d *decoder) Op {
			d.need(3)
			c := &GetQueuedCompletionStatusExCall{Port: d.handle(d.pos(0)), Ms: d.ms(d.pos(2)), Alertable: d.has("alertable")}
			n, err := strconv.Atoi(d.pos(1))
			if err != nil || n < 0 || n > 64 {
				d.fail("count %q: want 0 to 64", d.pos(1))
			}
			c.Count = uint32(n)
			return c
		}},
	{Name: "PostQueuedCompletionStatus", Usage: "PostQueuedCompletionStatus <port> [bytes=N] [key=N] [ov=OV]", Ret: RetBool, decode: func(d *decoder) Op {
		d.need(1)
		c := &PostQueuedCompletionStatusCall{Port: d.handle(d.pos(0))}
		if v, ok := d.kv("bytes"); ok {
			n, _ := ParseValue(v)
			c.Bytes = uint32(n)
		}
		if v, ok := d.kv("key"); ok {
			c.Key, _ = ParseValue(v)
		}
		v, _ := d.kv("ov")
		c.Ov = d.ov(orNull(v))
		return c
	}},
	{Name: "SetFileCompletionNotificationModes", Usage: "SetFileCompletionNotificationModes <handle> <flags>", Ret: RetBool, decode: func(d *decoder) Op {
		d.need(2)
		c := &SetFileCompletionNotificationModesCall{H: d.handle(d.pos(0))}
		f, err := ParseFlags(d.pos(1))
		if err != nil {
			d.fail("flags %q", d.pos(1))
		}
		c.Flags = uint8(f)
		return c
	}},
	{Name: "PeekNamedPipe", Usage: "PeekNamedPipe <pipe.r> [buf|NULL] [len=N] [nullread] [nullavail] [nullleft]", Ret: RetBool,
		Outs: []string{"bytes", "avail", "left"}, decode: func(d *decoder) Op {
			d.need(1)
			c := &PeekNamedPipeCall{H: d.handle(d.pos(0)), Buf: Ref{Name: "NULL", Decl: RefNull}}
			if v := d.pos(1); v != "" && v != "NULL" {
				c.Buf = d.object(v, "buffer")
				if c.Buf.Valid() {
					c.Len = d.decls[c.Buf.Decl].Obj.(*BufferDecl).Size()
				}
			}
			if v, ok := d.kv("len"); ok {
				k, err := strconv.Atoi(v)
				if err != nil || k < 0 || k > c.Len {
					d.fail("len=%q: want 0 to the buffer's size", v)
				}
				c.Len = k
			}
			c.NullRead, c.NullAvail, c.NullLeft = d.has("nullread"), d.has("nullavail"), d.has("nullleft")
			return c
		}},
	{Name: "DuplicateHandle", Usage: "DuplicateHandle <handle> <target>   (target: a declared handle)", Ret: RetBool, decode: func(d *decoder) Op {
		d.need(2)
		return &DuplicateHandleCall{Src: d.handle(d.pos(0)), Target: d.object(d.pos(1), "handle")}
	}},
	{Name: "ReleaseOverlapped", Usage: "ReleaseOverlapped <ov>   (the program frees the record: a sanitizer check)", Ret: RetVoid, decode: func(d *decoder) Op {
		d.need(1)
		return &ReleaseOverlappedCall{Ov: d.object(d.pos(0), "overlapped")}
	}},
	{Name: "ReleaseBuffer", Usage: "ReleaseBuffer <buf>      (the program frees the buffer: a sanitizer check)", Ret: RetVoid, decode: func(d *decoder) Op {
		d.need(1)
		return &ReleaseBufferCall{Buf: d.object(d.pos(0), "buffer")}
	}},
	{Name: "CreateNamedPipe", Usage: `CreateNamedPipe <target> <\\.\pipe\NAME|NULL|other-name> [inbound|outbound|duplex] [overlapped] [first] [message] [readmessage] [nowait] [instances=N|unlimited] [out=N] [in=N]   (target: a declared handle; TRUE: it holds the server end)`,
		Ret: RetBool, decode: decodeCreateNamedPipe},
	{Name: "CreateFile", Usage: `CreateFile <target> <\\.\pipe\NAME> [read] [write] [noaccess] [overlapped]   (a pipe's client; target: a declared handle)`,
		Ret: RetBool, decode: decodeCreateFile},
	{Name: "ConnectNamedPipe", Usage: "ConnectNamedPipe <server> <ov|NULL>", Ret: RetBool, decode: func(d *decoder) Op {
		d.need(2)
		return &ConnectNamedPipeCall{H: d.handle(d.pos(0)), Ov: d.ov(d.pos(1))}
	}},
	{Name: "DisconnectNamedPipe", Usage: "DisconnectNamedPipe <server>", Ret: RetBool, decode: func(d *decoder) Op { return &DisconnectNamedPipeCall{d.handleArg()} }},
	{Name: "SetNamedPipeHandleState", Usage: "SetNamedPipeHandleState <handle> <byte|message> [nowait]   (lpMode: PIPE_READMODE_*, PIPE_WAIT or PIPE_NOWAIT)", Ret: RetBool, decode: decodeSetPipeState},
	{Name: "WaitNamedPipe", Usage: `WaitNamedPipe <\\.\pipe\NAME> <ms|INFINITE>   (0: the pipe's default wait)`, Ret: RetBool, decode: func(d *decoder) Op {
		d.need(2)
		return &WaitNamedPipeCall{Name: d.pos(0), Ms: d.ms(d.pos(1))}
	}},
	{Name: "GetNamedPipeInfo", Usage: "GetNamedPipeInfo <pipe end>", Ret: RetBool, Outs: []string{"pipeflags", "outsize", "insize", "maxinstances"},
		decode: func(d *decoder) Op { return &GetNamedPipeInfoCall{d.handleArg()} }},
	{Name: "GetNamedPipeHandleState", Usage: "GetNamedPipeHandleState <pipe end>   (lpState and lpCurInstances; the rest NULL)", Ret: RetBool, Outs: []string{"state", "instances"},
		decode: func(d *decoder) Op { return &GetNamedPipeHandleStateCall{d.handleArg()} }},
	{Name: "FlushFileBuffers", Usage: "FlushFileBuffers <pipe end>   (waits until the reader took everything)", Ret: RetBool, decode: func(d *decoder) Op { return &FlushFileBuffersCall{d.handleArg()} }},
	{Name: "TransactNamedPipe", Usage: "TransactNamedPipe <handle> <inbuf> <outbuf> <ov|NULL> [inlen=N] [outlen=N]", Ret: RetBool, Outs: []string{"bytes"}, decode: decodeTransact},
	{Name: "listen", Usage: "listen <socket> [backlog=N]   (backlog: SOMAXCONN unless given)", Ret: RetInt, WSA: true, decode: func(d *decoder) Op {
		d.need(1)
		c := &ListenCall{Socket: d.handle(d.pos(0)), Backlog: provider.SOMAXCONN}
		if v, ok := d.kv("backlog"); ok {
			c.Backlog = int32(d.value(v, "backlog=%q", v))
		}
		return c
	}},
	{Name: "accept", Usage: "accept <socket> <target> [addrlen=N] [nulladdr]   (target: a declared handle that gets the new socket)", Ret: RetSocket, WSA: true,
		Outs: []string{"addr", "namelen"}, decode: func(d *decoder) Op { return &AcceptCall{d.acceptArgs()} }},
	{Name: "WSAAccept", Usage: "WSAAccept <socket> <target> [addrlen=N] [nulladdr]   (no condition function)", Ret: RetSocket, WSA: true,
		Outs: []string{"addr", "namelen"}, decode: func(d *decoder) Op { return &WSAAcceptCall{d.acceptArgs()} }},
}, extTable...)

// entries indexes the table by name.
var entries = func() map[string]*Entry {
	m := map[string]*Entry{}
	for _, e := range table {
		m[e.Name] = e
	}
	return m
}()

// Calls lists every call a scenario step may make, with its usage line,
// for error messages and the scenario guide. It is made from the call
// table.
var Calls = func() map[string]string {
	m := map[string]string{}
	for _, e := range table {
		m[e.Name] = e.Usage
	}
	return m
}()

// CallNames lists the calls of the table in name order.
func CallNames() []string {
	names := make([]string, 0, len(entries))
	for n := range entries {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// LookupCall returns a call's table entry.
func LookupCall(name string) (*Entry, bool) {
	e, ok := entries[name]
	return e, ok
}

// decoder reads one call's words against the scenario's declarations. It
// keeps the first problem; the getters return zero values after one.
type decoder struct {
	c     *Call
	entry *Entry
	decls []Decl
	names map[string]int // declared name -> index in decls
	file  string
	err   error
	// What the entry's decoder read: a written word or key it never
	// asked for is a mistake in the scenario (a typo of a switch such as
	// "alertabel" would otherwise be ignored).
	usedPos   []bool
	usedKeys  map[string]bool
	triedKeys []string
	triedFlag []string
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = &ParseError{d.file, d.c.Line, fmt.Sprintf("%s: %s", d.c.Name, fmt.Sprintf(format, args...))}
	}
}

// namesOf lists the declared names of the kinds, for suggestions.
func (d *decoder) namesOf(kinds ...string) []string {
	var out []string
	for _, dc := range d.decls {
		for _, k := range kinds {
			if dc.Kind == k {
				out = append(out, dc.Name)
				break
			}
		}
	}
	return out
}

func (d *decoder) need(n int) {
	if len(d.c.Args.Pos) < n {
		d.fail("needs %d arguments: %s", n, d.entry.Usage)
	}
}

func (d *decoder) pos(i int) string {
	if i < len(d.c.Args.Pos) {
		d.usedPos[i] = true
		return d.c.Args.Pos[i]
	}
	return ""
}

func (d *decoder) has(w string) bool {
	d.triedFlag = append(d.triedFlag, w)
	found := false
	for i, p := range d.c.Args.Pos {
		if p == w {
			d.usedPos[i], found = true, true
		}
	}
	return found
}

func (d *decoder) kv(k string) (string, bool) {
	d.triedKeys = append(d.triedKeys, k)
	v, ok := d.c.Args.Get(k)
	if ok {
		d.usedKeys[k] = true
	}
	return v, ok
}

// unused fails on the first written word or key the call's decoder did
// not read.
func (d *decoder) unused() {
	for i, w := range d.c.Args.Pos {
		if !d.usedPos[i] {
			d.fail("unexpected word %q%s (usage: %s)", w, didYouMean(w, d.triedFlag), d.entry.Usage)
			return
		}
	}
	for _, k := range d.c.Args.order() {
		if !d.usedKeys[k] {
			d.fail("unknown key %q%s (usage: %s)", k, didYouMean(k, d.triedKeys), d.entry.Usage)
			return
		}
	}
}

// value reads a number or named constant; a bad one fails with the
// message given.
func (d *decoder) value(v string, format string, args ...any) uint64 {
	n, err := ParseValue(v)
	if err != nil {
		d.fail(format, args...)
	}
	return n
}

func (d *decoder) flags(key string) uint32 {
	v, ok := d.kv(key)
	if !ok {
		return 0
	}
	f, err := ParseFlags(v)
	if err != nil {
		d.fail("%s=%q: %v", key, v, err)
	}
	return uint32(f)
}

// ms reads a time in milliseconds (or INFINITE).
func (d *decoder) ms(v string) uint32 {
	n, err := ParseValue(v)
	if err != nil || n > 0xFFFFFFFF {
		d.fail("bad time %q", v)
	}
	return uint32(n)
}

func (d *decoder) decl(name string) (int, *Decl) {
	i, ok := d.names[name]
	if !ok {
		return -1, nil
	}
	return i, &d.decls[i]
}

// handle resolves a handle argument: a pipe end (p.r, p.w), a thread, an
// event, socket or port, NULL, INVALID_HANDLE_VALUE or a number; any of
// the named ones with +1, +2 or +3 after it sets the value's two low bits.
func (d *decoder) handle(name string) Handle {
	if base, tag, ok := strings.Cut(name, "+"); ok && len(tag) == 1 && tag >= "1" && tag <= "3" {
		h := d.handle(base)
		h.Name, h.Tag = name, uint64(tag[0]-'0')
		return h
	}
	if strings.HasSuffix(name, ".r") || strings.HasSuffix(name, ".w") {
		if i, dc := d.decl(name[:len(name)-2]); dc != nil && dc.Kind == "pipe" {
			return Handle{Name: name, Decl: i, End: name[len(name)-1]}
		}
	}
	if i, dc := d.decl(name); dc != nil {
		switch dc.Kind {
		case "thread", "event", "socket", "port", "handle":
			return Handle{Name: name, Decl: i}
		case "pipe":
			d.fail("pipe %q: name an end, %s.r or %s.w", name, name, name)
			return Handle{Name: name, Decl: -1}
		}
	}
	switch name {
	case "NULL":
		return Handle{Name: name, Decl: -1}
	case "INVALID_HANDLE_VALUE":
		return Handle{Name: name, Decl: -1, Value: ^uint64(0)}
	}
	if n, err := strconv.ParseUint(name, 0, 64); err == nil {
		return Handle{Name: name, Decl: -1, Value: n}
	}
	d.fail("unknown handle %q%s", name, didYouMean(name, d.namesOf("thread", "event", "socket", "port")))
	return Handle{Name: name, Decl: -1}
}

// object resolves a name that must be a declared object of a kind.
func (d *decoder) object(name, kind string) Ref {
	i, dc := d.decl(name)
	if dc == nil || dc.Kind != kind {
		d.fail("%q is not a declared %s%s", name, kind, didYouMean(name, d.namesOf(kind)))
		return Ref{Name: name, Decl: RefNull}
	}
	return Ref{Name: name, Decl: i}
}

// ov resolves an overlapped record argument (NULL or - for none).
func (d *decoder) ov(name string) Ref {
	if name == "NULL" || name == "-" {
		return Ref{Name: "NULL", Decl: RefNull}
	}
	i, dc := d.decl(name)
	if dc == nil || dc.Kind != "overlapped" {
		d.fail("%q is not a declared overlapped record%s", name, didYouMean(name, d.namesOf("overlapped")))
		return Ref{Name: name, Decl: RefNull}
	}
	return Ref{Name: name, Decl: i}
}

// routine reads routine=R (absent: NULL).
func (d *decoder) routine() Ref {
	v, ok := d.kv("routine")
	if !ok {
		return Ref{Name: "NULL", Decl: RefNull}
	}
	i, dc := d.decl(v)
	if dc == nil || dc.Kind != "routine" {
		d.fail("routine=%q is not a declared routine%s", v, didYouMean(v, d.namesOf("routine")))
		return Ref{Name: v, Decl: RefNull}
	}
	return Ref{Name: v, Decl: i}
}

// addr reads an address with a port (NULL for none) and its SOCKADDR
// length.
func (d *decoder) addr(v string) (*netip.AddrPort, int32) {
	if v == "NULL" {
		return nil, 0
	}
	ap, err := netip.ParseAddrPort(v)
	if err != nil {
		d.fail("bad address %q", v)
		return nil, 0
	}
	return &ap, Namelen(ap)
}

// SizeofSockaddrStorage is the size of a SOCKADDR_STORAGE.
const SizeofSockaddrStorage = 128

// Namelen is the size of the SOCKADDR an address is passed in.
func Namelen(ap netip.AddrPort) int32 {
	if ap.Addr().Is4() {
		return provider.SizeofSockaddrInet4
	}
	return provider.SizeofSockaddrInet6
}

func (d *decoder) handleArg() HandleArg {
	d.need(1)
	return HandleArg{H: d.handle(d.pos(0))}
}

func (d *decoder) wait() WaitArgs {
	d.need(2)
	var w WaitArgs
	if d.pos(0) != "none" {
		for _, n := range strings.Split(d.pos(0), ",") {
			w.Handles = append(w.Handles, d.handle(n))
		}
	}
	w.Ms = d.ms(d.pos(1))
	w.All, w.Alertable, w.LastError = d.has("all"), d.has("alertable"), d.has("lasterror")
	return w
}

// ioArgs reads the socket, the buffers, the record at position ovPos,
// routine= and nullbytes.
func (d *decoder) ioArgs(ovPos int) IOArgs {
	d.need(ovPos + 1)
	a := IOArgs{Socket: d.handle(d.pos(0))}
	if s := d.pos(1); s != "NULL" {
		for _, n := range strings.Split(s, ",") {
			a.Bufs = append(a.Bufs, d.object(n, "buffer"))
		}
		if v, ok := d.kv("len"); ok {
			n, err := ParseValue(v)
			if err != nil {
				d.fail("len=%q: %v", v, err)
			}
			a.HasLen, a.Len = true, uint32(n)
		}
	}
	a.Ov = d.ov(d.pos(ovPos))
	a.Routine = d.routine()
	a.NullBytes = d.has("nullbytes")
	return a
}

func (d *decoder) sendRecv(ovPos int) SendRecvArgs {
	a := SendRecvArgs{IOArgs: d.ioArgs(ovPos)}
	a.Flags = d.flags("flags")
	return a
}

// recvArgs is sendRecv plus nullflags (a receive's lpFlags is a pointer).
func (d *decoder) recvArgs(ovPos int) SendRecvArgs {
	a := d.sendRecv(ovPos)
	a.NullFlags = d.has("nullflags")
	return a
}

func decodeSendMsg(d *decoder) Op {
	c := &WSASendMsgCall{IOArgs: d.ioArgs(2)}
	c.MsgFlags = d.flags("msgflags")
	if v, ok := d.kv("to"); ok {
		c.To, c.Namelen = d.addr(v)
	}
	if v, ok := d.kv("namelen"); ok {
		c.HasNamelen = true
		c.Namelen = int32(d.value(v, "namelen=%q", v))
	}
	c.NullName = d.has("nullname")
	if v, ok := d.kv("src"); ok {
		a, err := netip.ParseAddr(v)
		if err != nil {
			d.fail("src=%q", v)
		}
		c.Src = &a
	}
	c.NullControl = d.has("nullcontrol")
	c.Flags = d.flags("flags")
	c.NullMsg = d.has("nullmsg")
	return c
}

func decodeRecvMsg(d *decoder) Op {
	c := &WSARecvMsgCall{IOArgs: d.ioArgs(2)}
	c.MsgFlags = d.flags("msgflags")
	if v, ok := d.kv("control"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 4096 {
			d.fail("control=%q", v)
		}
		c.HasControl, c.Control = true, n
	}
	c.NullName = d.has("nullname")
	c.NullMsg = d.has("nullmsg")
	if v, ok := d.kv("namelen"); ok {
		c.HasNamelen = true
		c.Namelen = int32(d.value(v, "namelen=%q", v))
	}
	c.NullControl = d.has("nullcontrol")
	return c
}

func (d *decoder) resultArgs() ResultArgs {
	d.need(2)
	return ResultArgs{H: d.handle(d.pos(0)), Ov: d.ov(d.pos(1)), Wait: d.has("wait")}
}

func decodeIoctl(d *decoder) Op {
	d.need(2)
	c := &WSAIoctlCall{Socket: d.handle(d.pos(0)), OutLen: -1}
	code, err := ParseValue(d.pos(1))
	if err != nil {
		d.fail("unknown ioctl code %q", d.pos(1))
	}
	c.Code = uint32(code)
	if v, ok := d.kv("value"); ok {
		c.In = binary.LittleEndian.AppendUint32(nil, uint32(d.value(v, "value=%q", v)))
	}
	if v, ok := d.kv("guid"); ok {
		switch v {
		case "sendmsg":
			c.In = provider.WSAID_WSASENDMSG.Bytes()
		case "recvmsg":
			c.In = provider.WSAID_WSARECVMSG.Bytes()
		case "acceptex", "getacceptexsockaddrs", "connectex", "disconnectex", "transmitfile", "transmitpackets":
			c.In = extGUIDs[v].Bytes()
		default:
			c.In = make([]byte, 16)
		}
		c.OutLen = 8
	}
	if v, ok := d.kv("to"); ok {
		// A SOCKADDR input (SIO_ROUTING_INTERFACE_QUERY's destination),
		// with the output sized for the SOCKADDR it answers with.
		ap, n := d.addr(v)
		if ap != nil {
			c.In = SockaddrBytes(*ap)
			c.OutLen = int(n)
		}
	}
	if c.Code == provider.FIONREAD || c.Code == provider.SIOCATMARK {
		c.OutLen = 4
	}
	c.InLen = len(c.In)
	if v, ok := d.kv("inlen"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 64 {
			d.fail("inlen=%q: want 0 to 64", v)
		}
		c.InLen = n
		if !d.has("nullin") {
			c.In = append(c.In[:min(n, len(c.In))], make([]byte, max(0, n-len(c.In)))...)
		}
	}
	if d.has("nullin") {
		c.NullIn, c.In = true, nil
	}
	if v, ok := d.kv("out"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 64 {
			d.fail("out=%q", v)
		}
		c.OutLen = n
	}
	c.OutBuf = Ref{Name: "NULL", Decl: RefNull}
	if v, ok := d.kv("outbuf"); ok {
		c.OutBuf = d.object(v, "buffer")
		if c.OutBuf.Valid() {
			c.OutLen = d.decls[c.OutBuf.Decl].Obj.(*BufferDecl).Size()
		}
	}
	v, _ := d.kv("ov")
	c.Ov = d.ov(orNull(v))
	c.Routine = d.routine()
	c.NullRet = d.has("nullret")
	c.NullOut = d.has("nullout")
	return c
}

// SockaddrBytes lays an address out as the SOCKADDR_IN or SOCKADDR_IN6 a
// call is given (family, port in network order, address).
func SockaddrBytes(ap netip.AddrPort) []byte {
	b := make([]byte, Namelen(ap))
	if ap.Addr().Is4() {
		binary.LittleEndian.PutUint16(b, provider.AF_INET)
		a := ap.Addr().As4()
		copy(b[4:], a[:])
	} else {
		binary.LittleEndian.PutUint16(b, provider.AF_INET6)
		a := ap.Addr().As16()
		copy(b[8:], a[:])
	}
	binary.BigEndian.PutUint16(b[2:], ap.Port())
	return b
}

// sockOption maps an option name (or number) to its level and name.
func (d *decoder) sockOption(v string) (int32, int32) {
	switch v {
	case "IP_PKTINFO":
		return provider.IPPROTO_IP, provider.IP_PKTINFO
	case "IPV6_PKTINFO":
		return provider.IPPROTO_IPV6, provider.IPV6_PKTINFO
	case "IPV6_V6ONLY":
		return provider.IPPROTO_IPV6, provider.IPV6_V6ONLY
	}
	n, err := ParseValue(v)
	if err != nil {
		d.fail("unknown option %q", v)
	}
	return provider.SOL_SOCKET, int32(n)
}

func (d *decoder) addrArgs() AddrArgs {
	d.need(2)
	a := AddrArgs{Socket: d.handle(d.pos(0))}
	a.Addr, a.Namelen = d.addr(d.pos(1))
	if v, ok := d.kv("namelen"); ok {
		n, _ := ParseValue(v)
		a.HasNamelen, a.Namelen = true, int32(n)
	}
	if v, ok := d.kv("family"); ok {
		n, err := ParseValue(v)
		if err != nil || n > 0xffff {
			d.fail("family=%q: want a 16-bit number", v)
		}
		a.HasFamily, a.Family = true, uint16(n)
	}
	return a
}

func (d *decoder) fileArgs(n int) FileArgs {
	d.need(n)
	a := FileArgs{H: d.handle(d.pos(0)), Buf: d.object(d.pos(1), "buffer")}
	size := 0
	if a.Buf.Valid() {
		size = d.decls[a.Buf.Decl].Obj.(*BufferDecl).Size()
	}
	a.Len = size
	if v, ok := d.kv("len"); ok {
		k, err := strconv.Atoi(v)
		if err != nil || k < 0 || k > size {
			d.fail("len=%q", v)
		}
		a.Len = k
	}
	a.Ov = d.ov(d.pos(2))
	return a
}

func orNull(s string) string {
	if s == "" {
		return "NULL"
	}
	return s
}

// decodeCall decodes one written call against the declarations, with d
// (nil: a new one), whose memory it reuses.
func decodeCall(d *decoder, file string, c *Call, decls []Decl, names map[string]int) error {
	e, ok := entries[c.Name]
	if !ok {
		return &ParseError{file, c.Line, fmt.Sprintf("unknown call %q%s (the calls are listed in the scenario guide, 'go doc spec.Calls')", c.Name, didYouMean(c.Name, CallNames()))}
	}
	if d == nil {
		d = &decoder{}
	}
	usedPos, usedKeys := d.usedPos[:0], d.usedKeys
	if usedKeys == nil {
		usedKeys = map[string]bool{}
	}
	clear(usedKeys)
	triedKeys, triedFlag := d.triedKeys[:0], d.triedFlag[:0]
	*d = decoder{c: c, entry: e, decls: decls, names: names, file: file,
		usedPos: append(usedPos, make([]bool, len(c.Args.Pos))...), usedKeys: usedKeys, triedKeys: triedKeys, triedFlag: triedFlag}
	op := e.decode(d)
	d.unused()
	if d.err != nil {
		return d.err
	}
	setEntry(op, e)
	c.Op = op
	return nil
}

// setEntry gives a decoded Op its entry (every Op embeds an opBase).
func setEntry(op Op, e *Entry) {
	op.(interface{ base() *opBase }).base().entry = e
}

func (b *opBase) base() *opBase { return b }

// ListenCall is listen.
type ListenCall struct {
	opBase
	Socket  Handle
	Backlog int32
}

// AcceptArgs are accept's and WSAAccept's: the listening socket, the
// declared handle that receives the new socket, and the address buffer
// (NullAddr: addr and addrlen NULL; otherwise addrlen starts at Addrlen).
type AcceptArgs struct {
	opBase
	Socket   Handle
	Target   Ref
	Addrlen  int32
	NullAddr bool
}

// AcceptCall is accept; WSAAcceptCall is WSAAccept without a condition
// function.
type (
	AcceptCall    struct{ AcceptArgs }
	WSAAcceptCall struct{ AcceptArgs }
)

func (c *ListenCall) Run(m Machine) (Result, error)    { return m.Listen(c) }
func (c *AcceptCall) Run(m Machine) (Result, error)    { return m.Accept(c) }
func (c *WSAAcceptCall) Run(m Machine) (Result, error) { return m.WSAAccept(c) }

// retName is how a successful accept's return reads: the target's name.
func (c *AcceptArgs) retName() string { return c.Target.Name }

func (d *decoder) acceptArgs() AcceptArgs {
	d.need(2)
	a := AcceptArgs{Socket: d.handle(d.pos(0)), Target: d.object(d.pos(1), "handle"), Addrlen: SizeofSockaddrStorage}
	if v, ok := d.kv("addrlen"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > SizeofSockaddrStorage {
			d.fail("addrlen=%q: want 0 to %d", v, SizeofSockaddrStorage)
		}
		a.Addrlen = int32(n)
	}
	a.NullAddr = d.has("nulladdr")
	return a
}
