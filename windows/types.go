//go:build !windows || wsaemu

package windows

import (
	"syscall"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/provider"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// Errno is a Windows error code; as in golang.org/x/sys/windows it is
// syscall.Errno itself.
type Errno = syscall.Errno

// Handle is a HANDLE: an event, a completion port, a pipe end or a
// socket (sockets are Handles, as in x/sys). It is the emulator's handle
// type, so values pass to package emu unchanged.
type Handle = wso.Handle

// Overlapped is OVERLAPPED / WSAOVERLAPPED with x/sys's field names and
// types. It is the emulator's record type, so the emulator reads and
// writes the program's own record in place.
type Overlapped = wso.Overlapped

// OverlappedEntry is OVERLAPPED_ENTRY, what GetQueuedCompletionStatusEx
// fills (x/sys has no such type; the layout is the header's).
type OverlappedEntry = emu.OverlappedEntry

// WSABuf is WSABUF: Len bytes at Buf, the program's own memory.
type WSABuf struct {
	Len uint32
	Buf *byte
}

// WSAMsg is WSAMSG, the header WSASendMsg and WSARecvMsg take.
type WSAMsg struct {
	Name        *syscall.RawSockaddrAny
	Namelen     int32
	Buffers     *WSABuf
	BufferCount uint32
	Control     WSABuf
	Flags       uint32
}

// WSACMSGHDR is the header of one control message in WSAMsg.Control.
type WSACMSGHDR struct {
	Len   uintptr
	Level int32
	Type  int32
}

// IN_PKTINFO is the data of an IP_PKTINFO control message.
type IN_PKTINFO struct {
	Addr    [4]byte
	Ifindex uint32
}

// IN6_PKTINFO is the data of an IPV6_PKTINFO control message.
type IN6_PKTINFO struct {
	Addr    [16]byte
	Ifindex uint32
}

// WSAData is WSADATA (the 64-bit layout).
type WSAData struct {
	Version      uint16
	HighVersion  uint16
	MaxSockets   uint16
	MaxUdpDg     uint16
	VendorInfo   *byte
	Description  [WSADESCRIPTION_LEN + 1]byte
	SystemStatus [WSASYS_STATUS_LEN + 1]byte
}

// WSAProtocolChain is WSAPROTOCOLCHAIN.
type WSAProtocolChain struct {
	ChainLen     int32
	ChainEntries [MAX_PROTOCOL_CHAIN]uint32
}

// WSAProtocolInfo is WSAPROTOCOL_INFOW. WSASocket ignores it here.
type WSAProtocolInfo struct {
	ServiceFlags1     uint32
	ServiceFlags2     uint32
	ServiceFlags3     uint32
	ServiceFlags4     uint32
	ProviderFlags     uint32
	ProviderId        GUID
	CatalogEntryId    uint32
	ProtocolChain     WSAProtocolChain
	Version           int32
	AddressFamily     int32
	MaxSockAddr       int32
	MinSockAddr       int32
	SocketType        int32
	Protocol          int32
	ProtocolMaxOffset int32
	NetworkByteOrder  int32
	SecurityScheme    int32
	MessageSize       uint32
	ProviderReserved  uint32
	ProtocolName      [WSAPROTOCOL_LEN + 1]uint16
}

// GUID is a Windows GUID: the provider's type, so the WSAID_ variables
// are the provider's own.
type GUID = provider.GUID

// SecurityAttributes is SECURITY_ATTRIBUTES. The emulator has no security:
// a non-nil value is accepted and ignored.
type SecurityAttributes struct {
	Length             uint32
	SecurityDescriptor *SECURITY_DESCRIPTOR
	InheritHandle      uint32
}

// SECURITY_DESCRIPTOR is opaque here.
type SECURITY_DESCRIPTOR struct{}

// Linger is the value of SO_LINGER as SetsockoptLinger takes it.
type Linger struct {
	Onoff  int32
	Linger int32
}

// sysLinger is the LINGER structure Windows reads (two u_shorts).
type sysLinger struct {
	Onoff  uint16
	Linger uint16
}

// Timeval is struct timeval.
type Timeval struct {
	Sec  int32
	Usec int32
}

// Nanoseconds is tv in nanoseconds.
func (tv *Timeval) Nanoseconds() int64 {
	return (int64(tv.Sec)*1e6 + int64(tv.Usec)) * 1e3
}

// NsecToTimeval is nsec nanoseconds as a Timeval (rounded down to a
// microsecond).
func NsecToTimeval(nsec int64) (tv Timeval) {
	tv.Sec = int32(nsec / 1e9)
	tv.Usec = int32(nsec % 1e9 / 1e3)
	return
}

// IPMreq is ip_mreq.
type IPMreq struct {
	Multiaddr [4]byte
	Interface [4]byte
}

// IPv6Mreq is ipv6_mreq.
type IPv6Mreq struct {
	Multiaddr [16]byte
	Interface uint32
}

// TransmitFileBuffers is TRANSMIT_FILE_BUFFERS: Head and Tail are addresses
// of the program's memory.
type TransmitFileBuffers struct {
	Head       uintptr
	HeadLength uint32
	Tail       uintptr
	TailLength uint32
}

// The constants are the lower layers' own (DESIGN.md: every Windows
// constant is defined once), under x/sys's names. Where x/sys's constant
// is untyped and the lower layer's is typed (the WAIT_ results and
// INFINITE are uint32 there), the value is the same and code that uses it
// as a DWORD compiles unchanged.

// Values with a fixed meaning.
const (
	InvalidHandle = ^Handle(0)

	INFINITE = wso.INFINITE

	WAIT_OBJECT_0      = wso.WAIT_OBJECT_0
	WAIT_ABANDONED     = wso.WAIT_ABANDONED
	WAIT_IO_COMPLETION = wso.WAIT_IO_COMPLETION
	WAIT_FAILED        = wso.WAIT_FAILED

	FILE_SKIP_COMPLETION_PORT_ON_SUCCESS = wso.FILE_SKIP_COMPLETION_PORT_ON_SUCCESS
	FILE_SKIP_SET_EVENT_ON_HANDLE        = wso.FILE_SKIP_SET_EVENT_ON_HANDLE

	DUPLICATE_CLOSE_SOURCE = 0x00000001
	DUPLICATE_SAME_ACCESS  = 0x00000002

	GENERIC_READ    = emu.GENERIC_READ
	GENERIC_WRITE   = emu.GENERIC_WRITE
	GENERIC_ALL     = emu.GENERIC_ALL
	FILE_READ_DATA  = emu.FILE_READ_DATA
	FILE_WRITE_DATA = emu.FILE_WRITE_DATA

	OPEN_EXISTING = 3

	FILE_FLAG_OVERLAPPED          = emu.FILE_FLAG_OVERLAPPED
	FILE_FLAG_FIRST_PIPE_INSTANCE = emu.FILE_FLAG_FIRST_PIPE_INSTANCE

	PIPE_ACCESS_INBOUND  = emu.PIPE_ACCESS_INBOUND
	PIPE_ACCESS_OUTBOUND = emu.PIPE_ACCESS_OUTBOUND
	PIPE_ACCESS_DUPLEX   = emu.PIPE_ACCESS_DUPLEX

	PIPE_TYPE_BYTE        = emu.PIPE_TYPE_BYTE
	PIPE_TYPE_MESSAGE     = emu.PIPE_TYPE_MESSAGE
	PIPE_READMODE_BYTE    = emu.PIPE_READMODE_BYTE
	PIPE_READMODE_MESSAGE = emu.PIPE_READMODE_MESSAGE
	PIPE_WAIT             = emu.PIPE_WAIT
	PIPE_NOWAIT           = emu.PIPE_NOWAIT

	PIPE_UNLIMITED_INSTANCES = emu.PIPE_UNLIMITED_INSTANCES
)

// Winsock constants, with x/sys's names.
const (
	AF_UNSPEC = provider.AF_UNSPEC
	AF_INET   = provider.AF_INET
	AF_INET6  = provider.AF_INET6

	SOCK_STREAM = provider.SOCK_STREAM
	SOCK_DGRAM  = provider.SOCK_DGRAM
	SOCK_RAW    = provider.SOCK_RAW

	IPPROTO_IP   = provider.IPPROTO_IP
	IPPROTO_TCP  = provider.IPPROTO_TCP
	IPPROTO_UDP  = provider.IPPROTO_UDP
	IPPROTO_IPV6 = provider.IPPROTO_IPV6

	SOL_SOCKET                = provider.SOL_SOCKET
	SO_REUSEADDR              = provider.SO_REUSEADDR
	SO_KEEPALIVE              = 8
	SO_BROADCAST              = provider.SO_BROADCAST
	SO_LINGER                 = provider.SO_LINGER
	SO_RCVBUF                 = provider.SO_RCVBUF
	SO_SNDBUF                 = provider.SO_SNDBUF
	SO_SNDTIMEO               = provider.SO_SNDTIMEO
	SO_RCVTIMEO               = provider.SO_RCVTIMEO
	SO_UPDATE_ACCEPT_CONTEXT  = provider.SO_UPDATE_ACCEPT_CONTEXT
	SO_UPDATE_CONNECT_CONTEXT = provider.SO_UPDATE_CONNECT_CONTEXT

	IOC_OUT                            = provider.IOC_OUT
	IOC_IN                             = provider.IOC_IN
	IOC_VENDOR                         = provider.IOC_VENDOR
	IOC_INOUT                          = provider.IOC_INOUT
	IOC_WS2                            = provider.IOC_WS2
	SIO_GET_EXTENSION_FUNCTION_POINTER = provider.SIO_GET_EXTENSION_FUNCTION_POINTER
	SIO_KEEPALIVE_VALS                 = provider.SIO_KEEPALIVE_VALS
	SIO_UDP_CONNRESET                  = provider.SIO_UDP_CONNRESET

	IP_PKTINFO   = provider.IP_PKTINFO
	IPV6_V6ONLY  = provider.IPV6_V6ONLY
	IPV6_PKTINFO = provider.IPV6_PKTINFO

	MSG_OOB       = provider.MSG_OOB
	MSG_PEEK      = provider.MSG_PEEK
	MSG_DONTROUTE = provider.MSG_DONTROUTE
	MSG_WAITALL   = provider.MSG_WAITALL
	MSG_TRUNC     = provider.MSG_TRUNC
	MSG_CTRUNC    = provider.MSG_CTRUNC
	MSG_BCAST     = provider.MSG_BCAST
	MSG_MCAST     = provider.MSG_MCAST

	SOMAXCONN = provider.SOMAXCONN

	TCP_NODELAY = provider.TCP_NODELAY

	SHUT_RD   = provider.SD_RECEIVE
	SHUT_WR   = provider.SD_SEND
	SHUT_RDWR = provider.SD_BOTH

	WSADESCRIPTION_LEN = 256
	WSASYS_STATUS_LEN  = 128

	WSA_FLAG_OVERLAPPED        = provider.WSA_FLAG_OVERLAPPED
	WSA_FLAG_NO_HANDLE_INHERIT = 0x80

	MAX_PROTOCOL_CHAIN = provider.MAX_PROTOCOL_CHAIN
	WSAPROTOCOL_LEN    = 255

	BASE_PROTOCOL    = provider.BASE_PROTOCOL
	LAYERED_PROTOCOL = provider.LAYERED_PROTOCOL

	XP1_CONNECTIONLESS      = provider.XP1_CONNECTIONLESS
	XP1_GUARANTEED_DELIVERY = provider.XP1_GUARANTEED_DELIVERY
	XP1_GUARANTEED_ORDER    = provider.XP1_GUARANTEED_ORDER
	XP1_MESSAGE_ORIENTED    = provider.XP1_MESSAGE_ORIENTED
	XP1_GRACEFUL_CLOSE      = provider.XP1_GRACEFUL_CLOSE
	XP1_EXPEDITED_DATA      = provider.XP1_EXPEDITED_DATA
	XP1_CONNECT_DATA        = provider.XP1_CONNECT_DATA
	XP1_SUPPORT_BROADCAST   = provider.XP1_SUPPORT_BROADCAST
	XP1_SUPPORT_MULTIPOINT  = provider.XP1_SUPPORT_MULTIPOINT
	XP1_IFS_HANDLES         = provider.XP1_IFS_HANDLES
	XP1_PARTIAL_MESSAGE     = provider.XP1_PARTIAL_MESSAGE
	XP1_SAN_SUPPORT_SDP     = provider.XP1_SAN_SUPPORT_SDP

	TF_DISCONNECT         = provider.TF_DISCONNECT
	TF_REUSE_SOCKET       = provider.TF_REUSE_SOCKET
	TF_WRITE_BEHIND       = provider.TF_WRITE_BEHIND
	TF_USE_DEFAULT_WORKER = provider.TF_USE_DEFAULT_WORKER
	TF_USE_SYSTEM_THREAD  = provider.TF_USE_SYSTEM_THREAD
	TF_USE_KERNEL_APC     = provider.TF_USE_KERNEL_APC
)

// Winsock constants x/sys/windows lacks (winsock2.h's names; see
// extraNames in names_test.go) are in extra_consts.go, shared with the
// native build.

// The extension functions' GUIDs, for SIO_GET_EXTENSION_FUNCTION_POINTER:
// the provider's own variables.
var (
	WSAID_CONNECTEX  = provider.WSAID_CONNECTEX
	WSAID_WSASENDMSG = provider.WSAID_WSASENDMSG
	WSAID_WSARECVMSG = provider.WSAID_WSARECVMSG

	// Not in x/sys (mswsock.h).
	WSAID_ACCEPTEX             = provider.WSAID_ACCEPTEX
	WSAID_GETACCEPTEXSOCKADDRS = provider.WSAID_GETACCEPTEXSOCKADDRS
	WSAID_DISCONNECTEX         = provider.WSAID_DISCONNECTEX
	WSAID_TRANSMITFILE         = provider.WSAID_TRANSMITFILE
)
