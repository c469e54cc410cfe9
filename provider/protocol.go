package provider

// The protocol catalogue: what WSAEnumProtocols reports for each entry a
// provider installs, in the shape of WSAPROTOCOL_INFOW (only the fields a
// caller looks at), and the ioctl codes that find the base provider's
// handle beneath a layered one.
// https://learn.microsoft.com/windows/win32/api/winsock2/ns-winsock2-wsaprotocol_infow
// https://learn.microsoft.com/windows/win32/api/winsock2/ns-winsock2-wsaprotocolchain

// ServiceFlags1 bits (winsock2.h).
const (
	XP1_CONNECTIONLESS        = 0x00000001
	XP1_GUARANTEED_DELIVERY   = 0x00000002
	XP1_GUARANTEED_ORDER      = 0x00000004
	XP1_MESSAGE_ORIENTED      = 0x00000008
	XP1_GRACEFUL_CLOSE        = 0x00000020
	XP1_EXPEDITED_DATA        = 0x00000040
	XP1_CONNECT_DATA          = 0x00000080
	XP1_SUPPORT_BROADCAST     = 0x00000200
	XP1_SUPPORT_MULTIPOINT    = 0x00000400
	XP1_IFS_HANDLES           = 0x00020000
	XP1_PARTIAL_MESSAGE       = 0x00040000
	XP1_SAN_SUPPORT_SDP       = 0x00080000
	PFL_MATCHES_PROTOCOL_ZERO = 0x00000008
)

// ProtocolChain.ChainLen values (winsock2.h): 0 is a layered protocol's
// own entry, 1 a base protocol, more a chain from the top layer down to
// the base.
const (
	LAYERED_PROTOCOL   = 0
	BASE_PROTOCOL      = 1
	MAX_PROTOCOL_CHAIN = 7
)

// SizeofWSAPROTOCOL_INFOW is sizeof(WSAPROTOCOL_INFOW): the unit of
// WSAEnumProtocols' buffer length.
const SizeofWSAPROTOCOL_INFOW = 628

// WSAPROTOCOLCHAIN is a protocol chain: ChainEntries[0] is the top
// layer's catalogue entry, the last one the base's.
type WSAPROTOCOLCHAIN struct {
	ChainLen     int32
	ChainEntries [MAX_PROTOCOL_CHAIN]uint32
}

// WSAProtocolInfo is the part of WSAPROTOCOL_INFOW a caller looks at
// (golang.org/x/sys/windows spells it WSAProtocolInfo).
type WSAProtocolInfo struct {
	ServiceFlags1  uint32
	ProviderFlags  uint32
	CatalogEntryId uint32
	ProtocolChain  WSAPROTOCOLCHAIN
	AddressFamily  int32
	SocketType     int32
	Protocol       int32
	ProtocolName   string
}

// Cataloguer is implemented by a provider that installs catalogue entries:
// WSPProtocols lists them, layered chains first, as the catalogue orders a
// layered provider ahead of the base it sits on.
type Cataloguer interface {
	WSPProtocols() []WSAProtocolInfo
}

// The ioctls that ask for the handle beneath layered providers (mswsock.h):
// SIO_BASE_HANDLE gives the base provider's handle and no layered provider
// may intercept it; SIO_BSP_HANDLE, SIO_BSP_HANDLE_SELECT and
// SIO_BSP_HANDLE_POLL give the handle of the base service provider too,
// unless a layered provider that wants to see WSASendMsg, select or
// WSAPoll answers with its own.
// https://learn.microsoft.com/windows/win32/winsock/winsock-ioctls
const (
	SIO_BSP_HANDLE        = IOC_OUT | IOC_WS2 | 27 // 0x4800001B
	SIO_BSP_HANDLE_SELECT = IOC_OUT | IOC_WS2 | 28 // 0x4800001C
	SIO_BSP_HANDLE_POLL   = IOC_OUT | IOC_WS2 | 29 // 0x4800001D
)

// BaseHandleIoctl reports whether code is one of the ioctls whose answer
// is a socket handle: SIO_BASE_HANDLE and the three SIO_BSP_HANDLE codes.
func BaseHandleIoctl(code uint32) bool {
	switch code {
	case SIO_BASE_HANDLE, SIO_BSP_HANDLE, SIO_BSP_HANDLE_SELECT, SIO_BSP_HANDLE_POLL:
		return true
	}
	return false
}
