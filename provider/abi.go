package provider

// ABI constants, spelled as in winsock2.h, ws2def.h, ws2ipdef.h, mswsock.h
// and ws2spi.h, with Windows' values. Behaviour lives in the other files.

// SOCKET is a socket handle.
type SOCKET uintptr

const (
	INVALID_SOCKET SOCKET = ^SOCKET(0)
	SOCKET_ERROR          = -1
)

// Address families, socket types and protocols.
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
)

// WSASocket flags.
const (
	WSA_FLAG_OVERLAPPED = 0x01
)

// Send and receive flags.
const (
	MSG_OOB       = 0x1
	MSG_PEEK      = 0x2
	MSG_DONTROUTE = 0x4
	MSG_WAITALL   = 0x8
	MSG_TRUNC     = 0x0100
	MSG_CTRUNC    = 0x0200
	MSG_BCAST     = 0x0400
	MSG_MCAST     = 0x0800
	MSG_PARTIAL   = 0x8000
)

// shutdown's how.
const (
	SD_RECEIVE = 0
	SD_SEND    = 1
	SD_BOTH    = 2
)

// Socket option levels and names.
const (
	SOL_SOCKET = 0xffff

	SO_ACCEPTCONN   = 0x0002
	SO_REUSEADDR    = 0x0004
	SO_LINGER       = 0x0080
	SO_DONTLINGER   = ^int32(SO_LINGER) // 0xff7f as an int
	SO_BROADCAST    = 0x0020
	SO_OOBINLINE    = 0x0100
	SO_SNDBUF       = 0x1001
	SO_RCVBUF       = 0x1002
	SO_SNDTIMEO     = 0x1005
	SO_RCVTIMEO     = 0x1006
	SO_ERROR        = 0x1007
	SO_TYPE         = 0x1008
	SO_MAX_MSG_SIZE = 0x2003

	IP_PKTINFO   = 19 // level IPPROTO_IP
	IPV6_PKTINFO = 19 // level IPPROTO_IPV6
	IPV6_V6ONLY  = 27 // level IPPROTO_IPV6

	TCP_NODELAY = 0x0001 // level IPPROTO_TCP
)

// SOMAXCONN is listen's "as many as the provider allows" backlog.
const SOMAXCONN = 0x7fffffff

// IOCTL codes.
const (
	IOC_VOID   = 0x20000000
	IOC_OUT    = 0x40000000
	IOC_IN     = 0x80000000
	IOC_INOUT  = IOC_IN | IOC_OUT
	IOC_WS2    = 0x08000000
	IOC_VENDOR = 0x18000000

	FIONBIO                            = 0x8004667E
	FIONREAD                           = 0x4004667F
	SIO_FLUSH                          = IOC_VOID | IOC_WS2 | 4   // 0x28000004
	SIO_GET_EXTENSION_FUNCTION_POINTER = IOC_INOUT | IOC_WS2 | 6  // 0xC8000006
	SIO_UDP_CONNRESET                  = IOC_IN | IOC_VENDOR | 12 // 0x9800000C
	SIO_KEEPALIVE_VALS                 = IOC_IN | IOC_VENDOR | 4  // 0x98000004

	SIO_ENABLE_CIRCULAR_QUEUEING = IOC_VOID | IOC_WS2 | 2   // 0x28000002
	SIO_BASE_HANDLE              = IOC_OUT | IOC_WS2 | 34   // 0x48000022
	SIO_IDEAL_SEND_BACKLOG_QUERY = 0x4004747B               // _IOR('t', 123, ULONG)
	SIOCATMARK                   = 0x40047307               // _IOR('s', 7, u_long)
	SIO_ROUTING_INTERFACE_QUERY  = IOC_INOUT | IOC_WS2 | 20 // 0xC8000014
)

// GUID is a Windows GUID.
type GUID struct {
	Data1 uint32
	Data2 uint16
	Data3 uint16
	Data4 [8]byte
}

// The extension functions reached through
// SIO_GET_EXTENSION_FUNCTION_POINTER.
var (
	WSAID_WSASENDMSG = GUID{0xa441e712, 0x754f, 0x43ca, [8]byte{0x84, 0xa7, 0x0d, 0xee, 0x44, 0xcf, 0x60, 0x6d}}
	WSAID_WSARECVMSG = GUID{0xf689d7c8, 0x6f1f, 0x436b, [8]byte{0x8a, 0x53, 0xe5, 0x4f, 0xe3, 0x51, 0xc3, 0x22}}
)

// Bytes renders the GUID in its in-memory (little-endian) layout, as
// WSAIoctl's input buffer carries it.
func (g GUID) Bytes() []byte {
	b := make([]byte, 16)
	b[0], b[1], b[2], b[3] = byte(g.Data1), byte(g.Data1>>8), byte(g.Data1>>16), byte(g.Data1>>24)
	b[4], b[5] = byte(g.Data2), byte(g.Data2>>8)
	b[6], b[7] = byte(g.Data3), byte(g.Data3>>8)
	copy(b[8:], g.Data4[:])
	return b
}

// Sizes of the address structures, for namelen checks.
const (
	SizeofSockaddrInet4 = 16 // sizeof(SOCKADDR_IN)
	SizeofSockaddrInet6 = 28 // sizeof(SOCKADDR_IN6)
)

// Control-message layout on 64-bit Windows: WSACMSGHDR is
// {SIZE_T cmsg_len; INT cmsg_level; INT cmsg_type}, and both the header
// and the data are aligned to the size of a pointer.
const (
	SizeofCmsghdr    = 16
	cmsgAlign        = 8
	SizeofInPktinfo  = 8  // IN_PKTINFO: IN_ADDR ipi_addr; ULONG ipi_ifindex
	SizeofIn6Pktinfo = 20 // IN6_PKTINFO: IN6_ADDR ipi6_addr; ULONG ipi6_ifindex
)

// LoopbackIfIndex is the interface index of Windows' loopback interface
// ("Loopback Pseudo-Interface 1"), the in-memory network's one interface.
const LoopbackIfIndex = 1

// The Microsoft extension functions of mswsock.h, reached through
// SIO_GET_EXTENSION_FUNCTION_POINTER, and their options and flags.
var (
	WSAID_ACCEPTEX             = GUID{0xb5367df1, 0xcbac, 0x11cf, [8]byte{0x95, 0xca, 0x00, 0x80, 0x5f, 0x48, 0xa1, 0x92}}
	WSAID_GETACCEPTEXSOCKADDRS = GUID{0xb5367df2, 0xcbac, 0x11cf, [8]byte{0x95, 0xca, 0x00, 0x80, 0x5f, 0x48, 0xa1, 0x92}}
	WSAID_CONNECTEX            = GUID{0x25a207b9, 0xddf3, 0x4660, [8]byte{0x8e, 0xe9, 0x76, 0xe5, 0x8c, 0x74, 0x06, 0x3e}}
	WSAID_DISCONNECTEX         = GUID{0x7fda2e11, 0x8630, 0x436f, [8]byte{0xa0, 0x31, 0xf5, 0x36, 0xa6, 0xee, 0xc1, 0x57}}
	WSAID_TRANSMITFILE         = GUID{0xb5367df0, 0xcbac, 0x11cf, [8]byte{0x95, 0xca, 0x00, 0x80, 0x5f, 0x48, 0xa1, 0x92}}
	WSAID_TRANSMITPACKETS      = GUID{0xd9689da0, 0x1f90, 0x11d3, [8]byte{0x99, 0x71, 0x00, 0xc0, 0x4f, 0x68, 0xc8, 0x76}}
)

// SOL_SOCKET options of the extension functions (mswsock.h).
const (
	SO_UPDATE_ACCEPT_CONTEXT  = 0x700B
	SO_CONNECT_TIME           = 0x700C
	SO_UPDATE_CONNECT_CONTEXT = 0x7010
)

// TransmitFile, TransmitPackets and DisconnectEx flags.
const (
	TF_DISCONNECT         = 0x01
	TF_REUSE_SOCKET       = 0x02
	TF_WRITE_BEHIND       = 0x04
	TF_USE_DEFAULT_WORKER = 0x00
	TF_USE_SYSTEM_THREAD  = 0x10
	TF_USE_KERNEL_APC     = 0x20
)

// TRANSMIT_PACKETS_ELEMENT dwElFlags.
const (
	TP_ELEMENT_MEMORY = 1
	TP_ELEMENT_FILE   = 2
	TP_ELEMENT_EOP    = 4
)

// Network events of WSAEventSelect and WSAEnumNetworkEvents (winsock2.h):
// the bit numbers index WSANETWORKEVENTS.iErrorCode.
const (
	FD_READ_BIT    = 0
	FD_WRITE_BIT   = 1
	FD_OOB_BIT     = 2
	FD_ACCEPT_BIT  = 3
	FD_CONNECT_BIT = 4
	FD_CLOSE_BIT   = 5
	FD_MAX_EVENTS  = 10

	FD_READ       = 1 << FD_READ_BIT
	FD_WRITE      = 1 << FD_WRITE_BIT
	FD_OOB        = 1 << FD_OOB_BIT
	FD_ACCEPT     = 1 << FD_ACCEPT_BIT
	FD_CONNECT    = 1 << FD_CONNECT_BIT
	FD_CLOSE      = 1 << FD_CLOSE_BIT
	FD_ALL_EVENTS = 1<<FD_MAX_EVENTS - 1
)

// WSAPOLLFD events and revents (winsock2.h).
const (
	POLLRDNORM = 0x0100
	POLLRDBAND = 0x0200
	POLLIN     = POLLRDNORM | POLLRDBAND
	POLLPRI    = 0x0400
	POLLWRNORM = 0x0010
	POLLOUT    = POLLWRNORM
	POLLWRBAND = 0x0020
	POLLERR    = 0x0001
	POLLHUP    = 0x0002
	POLLNVAL   = 0x0004
)

// FD_SETSIZE is how many sockets an fd_set holds (winsock2.h's default).
const FD_SETSIZE = 64
