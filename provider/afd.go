package provider

// The AFD poll: IOCTL_AFD_POLL, which mio/tokio, wepoll, libuv and c-ares
// issue with NtDeviceIoControlFile on a socket's base handle (or on a
// handle opened on \Device\Afd) to learn a socket's readiness through a
// completion port. No Microsoft page documents it; the numbers below are
// those of the public definitions (ReactOS's include/reactos/drivers/afd,
// Wine's include/wine/afd.h, wepoll's and mio's own copies), and the
// behaviour follows what Wine's dlls/ws2_32/tests/afd.c asserts without
// todo_wine (each ok() of that kind holds on Windows).

// IOCTL_AFD_POLL is the device control code of the AFD poll
// (FSCTL_AFD_BASE 0x12, function 9, METHOD_BUFFERED).
const IOCTL_AFD_POLL uint32 = 0x00012024

// AFD_POLL_* are the events of an AFD_POLL_HANDLE_INFO entry. Wine's
// afd.h names them AFD_POLL_READ, _OOB, _WRITE, _HUP, _RESET, _CLOSE,
// _CONNECT, _ACCEPT and _CONNECT_ERR; these are wepoll's and mio's names.
const (
	AFD_POLL_RECEIVE           uint32 = 0x0001 // data to receive
	AFD_POLL_RECEIVE_EXPEDITED uint32 = 0x0002 // out-of-band data to receive
	AFD_POLL_SEND              uint32 = 0x0004 // a send would not block
	AFD_POLL_DISCONNECT        uint32 = 0x0008 // the peer shut down its sending side (FIN)
	AFD_POLL_ABORT             uint32 = 0x0010 // the connection was reset or aborted
	AFD_POLL_LOCAL_CLOSE       uint32 = 0x0020 // the socket was closed on this side while polled
	AFD_POLL_CONNECT           uint32 = 0x0040 // the socket is connected
	AFD_POLL_ACCEPT            uint32 = 0x0080 // a connection waits to be accepted
	AFD_POLL_CONNECT_FAIL      uint32 = 0x0100 // a connect failed; the entry's Status says why
)

// AFD_POLL_INFO_HEADER and AFD_POLL_HANDLE_INFO_SIZE are the sizes (64-bit
// Windows) of AFD_POLL_INFO's fixed part (Timeout LARGE_INTEGER,
// NumberOfHandles ULONG, Exclusive ULONG) and of one AFD_POLL_HANDLE_INFO
// (Handle, Events ULONG, Status NTSTATUS): a completed poll's
// IO_STATUS_BLOCK.Information is the header plus one entry per signalled
// handle.
const (
	AFD_POLL_INFO_HEADER      = 16
	AFD_POLL_HANDLE_INFO_SIZE = 16
)

// AfdProvider is the part of a provider the AFD poll reads: the one place
// that knows a socket's conditions, and a way to hear when they may have
// changed. The poll itself (its request, timeout, cancellation and
// completion) is the I/O manager's.
type AfdProvider interface {
	// AfdPollEvents returns the AFD_POLL_* events that hold on s now and,
	// when AFD_POLL_CONNECT_FAIL is among them, the NTSTATUS of the
	// failure; ok is false when s is not an open socket of the provider.
	AfdPollEvents(s SOCKET) (events uint32, status NTStatus, ok bool)
	// AfdWatch installs fn, called with a socket wherever its conditions
	// may have changed (and when it is closed); nil removes it. fn may
	// complete requests but must not call back into the provider.
	AfdWatch(fn func(s SOCKET))
}
