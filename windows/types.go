//go:build !windows || wsaemu

package windows

import (
	"syscall"

	"github.com/wsaemu/wsaemu/emu"
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

// GUID is a Windows GUID.
type GUID struct {
	Data1 uint32
	Data2 uint16
	Data3 uint16
	Data4 [8]byte
}

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

// TransmitFileBuffers is TRANSMIT_FILE_BUFFERS: Head and Tail are addresses
// of the program's memory.
type TransmitFileBuffers struct {
	Head       uintptr
	HeadLength uint32
	Tail       uintptr
	TailLength uint32
}

// Values with a fixed meaning.
const (
	InvalidHandle = ^Handle(0)

	INFINITE = 0xffffffff

	WAIT_OBJECT_0      = 0x00000000
	WAIT_ABANDONED     = 0x00000080
	WAIT_IO_COMPLETION = 0x000000C0
	WAIT_FAILED        = 0xFFFFFFFF

	FILE_SKIP_COMPLETION_PORT_ON_SUCCESS = 1
	FILE_SKIP_SET_EVENT_ON_HANDLE        = 2

	DUPLICATE_CLOSE_SOURCE = 0x00000001
	DUPLICATE_SAME_ACCESS  = 0x00000002

	GENERIC_READ    = 0x80000000
	GENERIC_WRITE   = 0x40000000
	GENERIC_ALL     = 0x10000000
	FILE_READ_DATA  = 0x00000001
	FILE_WRITE_DATA = 0x00000002

	OPEN_EXISTING = 3

	FILE_FLAG_OVERLAPPED          = 0x40000000
	FILE_FLAG_FIRST_PIPE_INSTANCE = 0x00080000

	PIPE_ACCESS_INBOUND  = 0x1
	PIPE_ACCESS_OUTBOUND = 0x2
	PIPE_ACCESS_DUPLEX   = 0x3

	PIPE_TYPE_BYTE        = 0x0
	PIPE_TYPE_MESSAGE     = 0x4
	PIPE_READMODE_BYTE    = 0x0
	PIPE_READMODE_MESSAGE = 0x2
	PIPE_WAIT             = 0x0
	PIPE_NOWAIT           = 0x1

	PIPE_UNLIMITED_INSTANCES = 255
)

// Winsock constants, with x/sys's names and Windows' values.
const (
	AF_UNSPEC = 0
	AF_INET   = 2
	AF_INET6  = 23

	SOCK_STREAM = 1
	SOCK_DGRAM  = 2
	SOCK_RAW    = 3

	IPPROTO_IP   = 0
	IPPROTO_TCP  = 6
	IPPROTO_UDP  = 17
	IPPROTO_IPV6 = 41

	SOL_SOCKET                = 0xffff
	SO_REUSEADDR              = 4
	SO_KEEPALIVE              = 8
	SO_BROADCAST              = 32
	SO_LINGER                 = 128
	SO_RCVBUF                 = 0x1002
	SO_SNDBUF                 = 0x1001
	SO_SNDTIMEO               = 0x1005
	SO_RCVTIMEO               = 0x1006
	SO_UPDATE_ACCEPT_CONTEXT  = 0x700b
	SO_UPDATE_CONNECT_CONTEXT = 0x7010

	IOC_OUT                            = 0x40000000
	IOC_IN                             = 0x80000000
	IOC_VENDOR                         = 0x18000000
	IOC_INOUT                          = IOC_IN | IOC_OUT
	IOC_WS2                            = 0x08000000
	SIO_GET_EXTENSION_FUNCTION_POINTER = IOC_INOUT | IOC_WS2 | 6
	SIO_KEEPALIVE_VALS                 = IOC_IN | IOC_VENDOR | 4
	SIO_UDP_CONNRESET                  = IOC_IN | IOC_VENDOR | 12

	IP_PKTINFO   = 0x13
	IPV6_V6ONLY  = 0x1b
	IPV6_PKTINFO = 0x13

	MSG_OOB       = 0x1
	MSG_PEEK      = 0x2
	MSG_DONTROUTE = 0x4
	MSG_WAITALL   = 0x8
	MSG_TRUNC     = 0x0100
	MSG_CTRUNC    = 0x0200
	MSG_BCAST     = 0x0400
	MSG_MCAST     = 0x0800

	SOMAXCONN = 0x7fffffff

	TCP_NODELAY = 1

	SHUT_RD   = 0
	SHUT_WR   = 1
	SHUT_RDWR = 2

	WSADESCRIPTION_LEN = 256
	WSASYS_STATUS_LEN  = 128

	WSA_FLAG_OVERLAPPED        = 0x01
	WSA_FLAG_NO_HANDLE_INHERIT = 0x80

	MAX_PROTOCOL_CHAIN = 7
	WSAPROTOCOL_LEN    = 255

	TF_DISCONNECT         = 1
	TF_REUSE_SOCKET       = 2
	TF_WRITE_BEHIND       = 4
	TF_USE_DEFAULT_WORKER = 0
	TF_USE_SYSTEM_THREAD  = 16
	TF_USE_KERNEL_APC     = 32
)

// WSAPROTOCOL_INFOW's flags (winsock2.h).
const (
	BASE_PROTOCOL    = 1
	LAYERED_PROTOCOL = 0

	XP1_CONNECTIONLESS      = 0x00000001
	XP1_GUARANTEED_DELIVERY = 0x00000002
	XP1_GUARANTEED_ORDER    = 0x00000004
	XP1_MESSAGE_ORIENTED    = 0x00000008
	XP1_GRACEFUL_CLOSE      = 0x00000020
	XP1_EXPEDITED_DATA      = 0x00000040
	XP1_CONNECT_DATA        = 0x00000080
	XP1_SUPPORT_BROADCAST   = 0x00000200
	XP1_SUPPORT_MULTIPOINT  = 0x00000400
	XP1_IFS_HANDLES         = 0x00020000
	XP1_PARTIAL_MESSAGE     = 0x00040000
	XP1_SAN_SUPPORT_SDP     = 0x00080000

	PFL_MULTIPLE_PROTO_ENTRIES  = 0x00000001
	PFL_RECOMMENDED_PROTO_ENTRY = 0x00000002
	PFL_HIDDEN                  = 0x00000004
	PFL_MATCHES_PROTOCOL_ZERO   = 0x00000008
)

// Winsock constants x/sys/windows lacks (the names of winsock2.h and
// mswsock.h; see extraNames in names_test.go).
const (
	SOCKET_ERROR = -1

	SO_ERROR      = 0x1007
	SO_TYPE       = 0x1008
	SO_DONTLINGER = ^SO_LINGER

	SD_RECEIVE = 0
	SD_SEND    = 1
	SD_BOTH    = 2

	FIONBIO   = 0x8004667E
	FIONREAD  = 0x4004667F
	SIO_FLUSH = 0x28000004

	FD_READ    = 0x01
	FD_WRITE   = 0x02
	FD_OOB     = 0x04
	FD_ACCEPT  = 0x08
	FD_CONNECT = 0x10
	FD_CLOSE   = 0x20

	WSA_IO_PENDING        = ERROR_IO_PENDING
	WSA_IO_INCOMPLETE     = ERROR_IO_INCOMPLETE
	WSA_OPERATION_ABORTED = ERROR_OPERATION_ABORTED
)

// The extension functions' GUIDs, for SIO_GET_EXTENSION_FUNCTION_POINTER.
var (
	WSAID_CONNECTEX  = GUID{0x25a207b9, 0xddf3, 0x4660, [8]byte{0x8e, 0xe9, 0x76, 0xe5, 0x8c, 0x74, 0x06, 0x3e}}
	WSAID_WSASENDMSG = GUID{0xa441e712, 0x754f, 0x43ca, [8]byte{0x84, 0xa7, 0x0d, 0xee, 0x44, 0xcf, 0x60, 0x6d}}
	WSAID_WSARECVMSG = GUID{0xf689d7c8, 0x6f1f, 0x436b, [8]byte{0x8a, 0x53, 0xe5, 0x4f, 0xe3, 0x51, 0xc3, 0x22}}

	// Not in x/sys (mswsock.h).
	WSAID_ACCEPTEX             = GUID{0xb5367df1, 0xcbac, 0x11cf, [8]byte{0x95, 0xca, 0x00, 0x80, 0x5f, 0x48, 0xa1, 0x92}}
	WSAID_GETACCEPTEXSOCKADDRS = GUID{0xb5367df2, 0xcbac, 0x11cf, [8]byte{0x95, 0xca, 0x00, 0x80, 0x5f, 0x48, 0xa1, 0x92}}
	WSAID_DISCONNECTEX         = GUID{0x7fda2e11, 0x8630, 0x436f, [8]byte{0xa0, 0x31, 0xf5, 0x36, 0xa6, 0xee, 0xc1, 0x57}}
	WSAID_TRANSMITFILE         = GUID{0xb5367df0, 0xcbac, 0x11cf, [8]byte{0x95, 0xca, 0x00, 0x80, 0x5f, 0x48, 0xa1, 0x92}}
)
