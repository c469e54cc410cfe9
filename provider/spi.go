package provider

import (
	"net/netip"
	"time"

	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

type (
	Handle     = wso.Handle
	Overlapped = wso.Overlapped
	Errno      = wso.Errno
	NTStatus   = wso.NTStatus
)

// WSABUF is one buffer of a scatter/gather list. Len is what the caller
// says the buffer holds; a Len larger than Buf is a buffer that is "not
// totally contained in a valid part of the user address space" and gives
// WSAEFAULT.
type WSABUF struct {
	Len uint32
	Buf []byte
}

// WSAMSG is the message header WSASendMsg and WSARecvMsg take. Name nil
// with Namelen != 0, or Control.Buf nil with Control.Len != 0, is
// WSAEFAULT, as the WSASendMsg page says.
type WSAMSG struct {
	Name    *netip.AddrPort
	Namelen int32
	Buffers []WSABUF
	Control WSABUF
	Flags   uint32
}

// WSATHREADID identifies the thread that issued an overlapped call, for
// WPUQueueApc. The ws2 layer passes a pointer to its own copy; the
// provider keeps a copy of the struct, not the pointer, as the SPI pages
// require.
type WSATHREADID struct {
	ThreadHandle Handle
	Reserved     uintptr
}

// CompletionRoutine is LPWSAOVERLAPPED_COMPLETION_ROUTINE. Like the C
// callback it receives no thread argument: it runs on the thread that
// issued the operation, which the closure can capture.
type CompletionRoutine func(dwError, cbTransferred uint32, ov *Overlapped, dwFlags uint32)

// Upcalls is the table a provider receives from WSPStartup: the WPU
// upcalls of WSPUPCALLTABLE, plus the few kernel services a provider
// uses from kernel32 or, for an IFS provider, from the I/O manager. It is
// everything a provider can see of the machine.
type Upcalls interface {
	// WPUCreateSocketHandle makes a socket handle for a non-IFS provider.
	WPUCreateSocketHandle(catalogEntryID uint32, context uintptr) (SOCKET, Errno)
	// WPUCloseSocketHandle closes one.
	WPUCloseSocketHandle(s SOCKET) Errno
	// WPUQuerySocketHandleContext returns the context given at creation.
	WPUQuerySocketHandleContext(s SOCKET) (uintptr, Errno)
	// WPUCompleteOverlappedRequest writes InternalHigh (bytes), then
	// Internal, then signals hEvent and/or posts a completion packet. It
	// never runs a completion routine.
	WPUCompleteOverlappedRequest(s SOCKET, ov *Overlapped, err Errno, bytes uint32) Errno
	// WPUQueueApc queues fn(context) to the thread tid names.
	WPUQueueApc(tid *WSATHREADID, fn func(context uintptr), context uintptr) Errno
	// WPUCreateEvent, WPUSetEvent, WPUResetEvent, WPUCloseEvent work on
	// event objects.
	WPUCreateEvent() (Handle, Errno)
	WPUSetEvent(h Handle) Errno
	WPUResetEvent(h Handle) Errno
	WPUCloseEvent(h Handle) Errno

	// IFSCreateSocketHandle makes a socket handle that is a kernel file
	// object (an IFS handle).
	IFSCreateSocketHandle(context uintptr) (SOCKET, Errno)
	// IFSCloseSocketHandle closes one.
	IFSCloseSocketHandle(s SOCKET) Errno
	// IFSCompleteRequest completes the kernel request the ws2 layer issued
	// on s with ov: the I/O manager writes the status block and notifies
	// as the request asked. flags are the result flags (MSG_TRUNC, ...) a
	// completion routine receives as dwFlags.
	IFSCompleteRequest(s SOCKET, ov *Overlapped, status NTStatus, bytes uint32, flags uint32)

	// WaitForSingleObjectEx blocks the calling thread, as kernel32's does.
	WaitForSingleObjectEx(h Handle, ms uint32, alertable bool) (uint32, Errno)
	// Now is the virtual clock.
	Now() time.Duration
	// Pend asks the machine's Chooser whether an operation that could
	// complete now reports WSA_IO_PENDING instead and completes a little
	// later (through Defer).
	Pend() bool
	// Unsettled asks the machine's Chooser, where no Windows observation
	// settles between the pages' answer and the one Wine was seen to give,
	// whether to give Wine's (true). It is also asked where Windows was
	// seen to give either of two answers: true then picks the one that is
	// not the provider's usual answer. A machine following the pages
	// always answers false.
	Unsettled() bool
	// Split asks the machine's Chooser how many of max bytes waiting on
	// a stream socket one receive takes now: max is what Windows usually
	// does; any count from 1 up is permitted, since a byte stream keeps no
	// boundaries. max < 2 returns max.
	Split(max int) int
	// Reset asks the machine's Chooser whether the network ends a stream
	// connection at this point (a reset the emulator injects): 0 for no
	// (always, unless the machine explores resets), else the status this
	// side's requests end with, STATUS_CONNECTION_RESET or
	// STATUS_CONNECTION_ABORTED.
	Reset() NTStatus
	// Defer makes d.Fire(context) run later, as a system action.
	Defer(d Deferrable, context uintptr)
	// Observer receives the provider's WSAOVERLAPPED field writes, for
	// the trace (nil when tracing is off).
	Observer() wso.Observer
	// Note writes a line of free text to the trace.
	Note(text string)
	// ReadHandle reads, on the provider's behalf, up to len(buf) bytes of
	// the file-like kernel object h (as AFD reads the file object of
	// TransmitFile's hFile): it never blocks. ReadData: n bytes were taken
	// (0 for an empty message); ReadEnd: the data has ended (a pipe whose
	// writer has closed); ReadWait: nothing is there yet, and the machine
	// calls wake.Fire(context) once, as a system action, when data or the
	// end arrives. A nil buf only checks h. The error (a Win32 code) is
	// ERROR_INVALID_HANDLE for a handle that is not open or not file-like,
	// ERROR_ACCESS_DENIED for one not opened for reading, or the pipe's
	// state error (a named pipe's server without a client).
	ReadHandle(h Handle, buf []byte, wake Deferrable, context uintptr) (n int, st ReadState, e Errno)
}

// ReadState is what one ReadHandle found.
type ReadState uint8

const (
	ReadData ReadState = iota
	ReadWait
	ReadEnd
)

// Deferrable is something a provider asks the machine to do later.
type Deferrable interface {
	Fire(context uintptr)
}

// Kind is how a provider's sockets are made and completed.
type Kind uint8

const (
	// NonIFS: handles from WPUCreateSocketHandle; completion through
	// WPUCompleteOverlappedRequest (event, port) and WPUQueueApc
	// (routines); OffsetHigh/Offset carry the error and flags, as
	// LPWSPGETOVERLAPPEDRESULT describes.
	NonIFS Kind = iota
	// IFS: handles are kernel file objects; Internal holds an NTSTATUS;
	// completion goes through the I/O manager; Offset/OffsetHigh are never
	// written.
	IFS
)

func (k Kind) String() string {
	if k == IFS {
		return "ifs"
	}
	return "nonifs"
}

// Config is how a provider is set up.
type Config struct {
	Kind Kind
	// FlushAborts makes SIO_FLUSH abort pending sends with
	// WSA_OPERATION_ABORTED, as the pages say; otherwise it is answered as
	// unsupported, as current Windows does.
	FlushAborts bool
	// WSASendMsgNeedsBind makes WSASendMsg on an unbound socket fail with
	// WSAEINVAL, as its error table says; otherwise it binds implicitly,
	// like sendto.
	WSASendMsgNeedsBind bool
	// IoctlAsWindows makes WSPIoctl answer as current Windows does: a code
	// it does not know is unsupported (WSAEOPNOTSUPP with a byte count of
	// 0, or, overlapped, a request that pends and then fails with
	// STATUS_NOT_SUPPORTED, as SIO_BASE_HANDLE does overlapped); an
	// overlapped request that succeeds completes at once and its
	// completion (status block, packet, routine) reports 0 bytes while
	// lpcbBytesReturned gets the output size. Otherwise an unknown code is
	// WSAEINVAL, as the WSAIoctl page says, and a completion carries the
	// output size.
	IoctlAsWindows bool
	// RecvRecordOnSyncSocket makes a receive given a record on a socket
	// made without WSA_FLAG_OVERLAPPED wait for its datagram even on a
	// non-blocking socket, and a receive or send given such a record
	// write its result into the record's status block and set the
	// record's event (IFS provider), as current Windows does. Otherwise
	// the record is ignored, as the WSARecv and WSASendMsg pages say, and
	// the call is an ordinary non-overlapped one.
	RecvRecordOnSyncSocket bool
	// ShutdownKeepsPendingRecvs makes shutdown(SD_RECEIVE) leave receives
	// already pending to complete with the next datagram, as current
	// Windows does; otherwise they fail with WSAESHUTDOWN.
	ShutdownKeepsPendingRecvs bool
	// RecvMsgAsWindows makes WSARecvMsg report a truncation as current
	// Windows does: without a record the byte count is written even though
	// the call fails with WSAEMSGSIZE; with a completion routine a
	// datagram already queued still makes the call return WSA_IO_PENDING.
	// (That an IFS socket's routine gets dwFlags 0 is the ws2 layer's
	// rule, not the provider's.)
	RecvMsgAsWindows bool
	// CloseAbortsStreamIO makes closesocket complete the overlapped
	// receives and sends pending on a connected stream socket with
	// STATUS_CONNECTION_ABORTED (WSAECONNABORTED), as current Windows does
	// (Wine's dlls/ws2_32/tests/sock.c, test_iocp, todo_wine in Wine);
	// otherwise they are cancelled (WSA_OPERATION_ABORTED), as the
	// closesocket and LPWSPCLOSESOCKET pages say.
	CloseAbortsStreamIO bool
	// TransmitDatagramNotConn makes TransmitFile and TransmitPackets on a
	// datagram socket fail with WSAENOTCONN, as current Windows does
	// (Wine's dlls/ws2_32/tests/sock.c, test_TransmitFile); otherwise
	// WSAEINVAL, as the TransmitFile page's error table says.
	TransmitDatagramNotConn bool
	// CatalogEntryID is passed to WPUCreateSocketHandle.
	CatalogEntryID uint32
}

// ServiceProvider is the SPI surface the ws2 layer calls. Results follow
// the SPI convention: 0 for success, otherwise the error (what the C
// functions return as SOCKET_ERROR with *lpErrno); WSA_IO_PENDING means an
// overlapped operation was started.
type ServiceProvider interface {
	WSPStartup(up Upcalls) Errno
	WSPCleanup() Errno
	WSPSocket(af, typ, protocol int32, flags uint32) (SOCKET, Errno)
	WSPBind(s SOCKET, name *netip.AddrPort, namelen int32) Errno
	WSPConnect(s SOCKET, name *netip.AddrPort, namelen int32) Errno
	// WSPListen makes a bound stream socket accept connections, at most
	// backlog of them waiting to be accepted.
	WSPListen(s SOCKET, backlog int32) Errno
	// WSPAccept takes the oldest connection waiting on a listening socket
	// and returns its new socket (a handle made through
	// WPUCreateSocketHandle or IFSCreateSocketHandle); the peer's address
	// goes to *addr when addr is not nil. It blocks on a blocking socket
	// with nothing waiting. (No condition function.)
	WSPAccept(s SOCKET, addr *netip.AddrPort, addrlen *int32) (SOCKET, Errno)
	WSPGetSockName(s SOCKET) (netip.AddrPort, Errno)
	// WSPGetPeerName is the peer a connected socket is connected to
	// (WSAENOTCONN when it is not connected).
	WSPGetPeerName(s SOCKET) (netip.AddrPort, Errno)
	WSPSend(s SOCKET, bufs []WSABUF, sent *uint32, flags uint32, ov *Overlapped, routine CompletionRoutine, tid *WSATHREADID) Errno
	WSPSendTo(s SOCKET, bufs []WSABUF, sent *uint32, flags uint32, to *netip.AddrPort, tolen int32, ov *Overlapped, routine CompletionRoutine, tid *WSATHREADID) Errno
	WSPRecv(s SOCKET, bufs []WSABUF, recvd *uint32, flags *uint32, ov *Overlapped, routine CompletionRoutine, tid *WSATHREADID) Errno
	WSPRecvFrom(s SOCKET, bufs []WSABUF, recvd *uint32, flags *uint32, from *netip.AddrPort, fromlen *int32, ov *Overlapped, routine CompletionRoutine, tid *WSATHREADID) Errno
	WSPSendMsg(s SOCKET, msg *WSAMSG, flags uint32, sent *uint32, ov *Overlapped, routine CompletionRoutine, tid *WSATHREADID) Errno
	WSPRecvMsg(s SOCKET, msg *WSAMSG, recvd *uint32, ov *Overlapped, routine CompletionRoutine, tid *WSATHREADID) Errno
	WSPIoctl(s SOCKET, code uint32, in []byte, out []byte, returned *uint32, ov *Overlapped, routine CompletionRoutine, tid *WSATHREADID) Errno
	WSPGetOverlappedResult(s SOCKET, ov *Overlapped, transfer *uint32, wait bool, flags *uint32) (bool, Errno)
	WSPSetSockOpt(s SOCKET, level, name int32, val []byte) Errno
	WSPGetSockOpt(s SOCKET, level, name int32, val []byte, optlen *int32) Errno
	WSPShutdown(s SOCKET, how int32) Errno
	WSPCloseSocket(s SOCKET) Errno

	// Cancel is the emulator's stand-in for the I/O manager's cancellation
	// of a non-IFS provider's requests (CancelIo, CancelIoEx, thread exit):
	// it cancels the pending operations on s that use ov (all if nil) and
	// were issued by thread tid (any thread if tid is nil), and reports how
	// many it found.
	Cancel(s SOCKET, ov *Overlapped, tid *WSATHREADID) int
	// CancelThread cancels every pending operation thread tid issued, on
	// any socket.
	CancelThread(tid *WSATHREADID) int
	// Kind reports the provider kind.
	Kind() Kind
}

// TransmitElement is one TRANSMIT_PACKETS_ELEMENT. Flags holds
// TP_ELEMENT_MEMORY or TP_ELEMENT_FILE (the page's default when neither
// is set), optionally with TP_ELEMENT_EOP. Memory: Len bytes of Buf are
// sent. File: Len bytes read from the kernel handle File (0: until its
// data ends), read through Upcalls.ReadHandle; the emulator's file-like
// handles are pipe ends, which have no offsets, so nFileOffset is not
// modelled (the data starts where the handle's reader is).
type TransmitElement struct {
	Flags uint32
	Len   uint32
	Buf   []byte
	File  Handle
}

// Extensions is the provider's side of the Microsoft extension functions
// that SIO_GET_EXTENSION_FUNCTION_POINTER hands out (on Windows mswsock's,
// which reach the provider underneath). Like WSPSend they take the
// caller's record and WSATHREADID; none of them takes a completion routine.
// Results follow the SPI convention: 0, WSA_IO_PENDING, or the error.
type Extensions interface {
	// WSPAcceptEx accepts the next connection on the listening socket
	// listen into the open, unbound, unconnected stream socket accept;
	// with recvLen > 0 it completes only once the first data (or the end
	// of the stream) arrives, which goes to buf[:recvLen]. The local and
	// remote addresses follow in areas of localLen and remoteLen bytes.
	WSPAcceptEx(listen, accept SOCKET, buf []byte, recvLen, localLen, remoteLen uint32, received *uint32, ov *Overlapped, tid *WSATHREADID) Errno
	// WSPConnectEx connects the bound stream socket s to name and then
	// sends send.
	WSPConnectEx(s SOCKET, name *netip.AddrPort, namelen int32, send []byte, sent *uint32, ov *Overlapped, tid *WSATHREADID) Errno
	// WSPDisconnectEx ends the connection's sending side (as
	// shutdown(SD_SEND)); with TF_REUSE_SOCKET the socket then returns to
	// the open, unbound state, for AcceptEx or ConnectEx.
	WSPDisconnectEx(s SOCKET, ov *Overlapped, flags uint32, tid *WSATHREADID) Errno
	// WSPTransmitPackets sends the elements in order on the connected
	// stream socket s; TF_DISCONNECT and TF_REUSE_SOCKET end the
	// connection afterwards as WSPDisconnectEx does. TransmitFile is the
	// same call with the head and tail buffers as elements.
	WSPTransmitPackets(s SOCKET, elems []TransmitElement, sendSize uint32, ov *Overlapped, flags uint32, tid *WSATHREADID) Errno
}

// WSANETWORKEVENTS is what WSAEnumNetworkEvents reports: the network
// events recorded, and for each its error code, indexed by FD_*_BIT.
type WSANETWORKEVENTS struct {
	NetworkEvents int32
	ErrorCode     [FD_MAX_EVENTS]int32
}

// WSAPOLLFD is one entry of WSAPoll's array. Fd is a SOCKET; a negative
// value (as a signed number) is ignored.
type WSAPOLLFD struct {
	Fd      SOCKET
	Events  int16
	Revents int16
}

// FDSet is an fd_set: Count sockets at the start of Array, in the order
// given. Array's length is the fd_set's capacity: FD_SETSIZE (64) by
// default, more for a program that defines FD_SETSIZE larger before it
// includes winsock2.h, which Windows allows: select reads fd_count
// entries, however many (https://learn.microsoft.com/windows/win32/winsock/maximum-number-of-sockets-supported-2).
// NewFDSet makes one.
type FDSet struct {
	Count uint32
	Array []SOCKET
}

// NewFDSet returns an fd_set holding socks, with room for FD_SETSIZE
// sockets or len(socks) if that is more.
func NewFDSet(socks ...SOCKET) *FDSet {
	f := &FDSet{Count: uint32(len(socks)), Array: make([]SOCKET, max(len(socks), FD_SETSIZE))}
	copy(f.Array, socks)
	return f
}

// Timeval is select's timeout.
type Timeval struct {
	Sec, Usec int32
}

// ReadinessProvider is the readiness part of the SPI: WSPEventSelect,
// WSPEnumNetworkEvents and WSPSelect as the SPI pages define them, and
// WSPPoll, the emulator's stand-in for the driver poll ws2_32's WSAPoll
// issues (WSAPoll has no SPI function of its own). A provider that does
// not implement it has no readiness: the ws2 layer answers WSAEOPNOTSUPP.
type ReadinessProvider interface {
	// WSPEventSelect asks for the network events in mask to be recorded
	// for s and ev to be set when one is; mask 0 cancels the selection.
	// The socket becomes non-blocking.
	WSPEventSelect(s SOCKET, ev Handle, mask int32) Errno
	// WSPEnumNetworkEvents reports and clears the events recorded for s,
	// resetting ev (if not 0) at the same time.
	WSPEnumNetworkEvents(s SOCKET, ev Handle, ne *WSANETWORKEVENTS) Errno
	// WSPSelect is select: the sets are rewritten to hold the sockets that
	// are ready; timeout nil waits for ever. It returns how many.
	WSPSelect(readfds, writefds, exceptfds *FDSet, timeout *Timeval) (int, Errno)
	// WSPPoll is WSAPoll's work: it writes each entry's revents and
	// returns how many entries have some; timeout < 0 waits for ever.
	WSPPoll(fds []WSAPOLLFD, timeout int32) (int, Errno)
}
