//go:build !windows || wsaemu

package windows

import (
	"net/netip"
	"syscall"
	"unsafe"
)

// RawSockaddrInet4 is SOCKADDR_IN; Port is in network byte order.
type RawSockaddrInet4 struct {
	Family uint16
	Port   uint16
	Addr   [4]byte
	Zero   [8]uint8
}

// RawSockaddrInet6 is SOCKADDR_IN6; Port is in network byte order.
type RawSockaddrInet6 struct {
	Family   uint16
	Port     uint16
	Flowinfo uint32
	Addr     [16]byte
	Scope_id uint32
}

// RawSockaddr is SOCKADDR.
type RawSockaddr struct {
	Family uint16
	Data   [14]int8
}

// RawSockaddrAny is room for any address the package gives out.
type RawSockaddrAny struct {
	Addr RawSockaddr
	Pad  [100]int8
}

// Sockaddr is an address in Go form: *SockaddrInet4 or *SockaddrInet6.
type Sockaddr interface {
	sockaddr() (ap netip.AddrPort, n int32, err error)
}

// SockaddrInet4 is an IPv4 address and port.
type SockaddrInet4 struct {
	Port int
	Addr [4]byte
}

func (sa *SockaddrInet4) sockaddr() (netip.AddrPort, int32, error) {
	if sa.Port < 0 || sa.Port > 0xFFFF {
		return netip.AddrPort{}, 0, syscall.EINVAL
	}
	return netip.AddrPortFrom(netip.AddrFrom4(sa.Addr), uint16(sa.Port)), int32(unsafe.Sizeof(RawSockaddrInet4{})), nil
}

// SockaddrInet6 is an IPv6 address, port and zone.
type SockaddrInet6 struct {
	Port   int
	ZoneId uint32
	Addr   [16]byte
}

func (sa *SockaddrInet6) sockaddr() (netip.AddrPort, int32, error) {
	if sa.Port < 0 || sa.Port > 0xFFFF {
		return netip.AddrPort{}, 0, syscall.EINVAL
	}
	return netip.AddrPortFrom(netip.AddrFrom16(sa.Addr), uint16(sa.Port)), int32(unsafe.Sizeof(RawSockaddrInet6{})), nil
}

// Sockaddr converts the raw address to its Go form; an address family
// other than AF_INET and AF_INET6 is syscall.EAFNOSUPPORT.
func (rsa *RawSockaddrAny) Sockaddr() (Sockaddr, error) {
	switch rsa.Addr.Family {
	case AF_INET:
		pp := (*RawSockaddrInet4)(unsafe.Pointer(rsa))
		p := (*[2]byte)(unsafe.Pointer(&pp.Port))
		return &SockaddrInet4{Port: int(p[0])<<8 | int(p[1]), Addr: pp.Addr}, nil
	case AF_INET6:
		pp := (*RawSockaddrInet6)(unsafe.Pointer(rsa))
		p := (*[2]byte)(unsafe.Pointer(&pp.Port))
		return &SockaddrInet6{Port: int(p[0])<<8 | int(p[1]), ZoneId: pp.Scope_id, Addr: pp.Addr}, nil
	}
	return nil, syscall.EAFNOSUPPORT
}

// rawToAddrPort reads the SOCKADDR at p (len n) the way ws2_32 does: the
// family first, then the address of that family. ok is false for a
// family the emulator does not model or a length too short for it.
func rawToAddrPort(p unsafe.Pointer, n int32) (netip.AddrPort, bool) {
	if p == nil || n < 2 {
		return netip.AddrPort{}, false
	}
	switch *(*uint16)(p) {
	case AF_INET:
		if n < int32(unsafe.Sizeof(RawSockaddrInet4{})) {
			return netip.AddrPort{}, false
		}
		pp := (*RawSockaddrInet4)(p)
		b := (*[2]byte)(unsafe.Pointer(&pp.Port))
		return netip.AddrPortFrom(netip.AddrFrom4(pp.Addr), uint16(b[0])<<8|uint16(b[1])), true
	case AF_INET6:
		if n < int32(unsafe.Sizeof(RawSockaddrInet6{})) {
			return netip.AddrPort{}, false
		}
		pp := (*RawSockaddrInet6)(p)
		b := (*[2]byte)(unsafe.Pointer(&pp.Port))
		return netip.AddrPortFrom(netip.AddrFrom16(pp.Addr), uint16(b[0])<<8|uint16(b[1])), true
	}
	return netip.AddrPort{}, false
}

// putAddrPort writes ap at p as a SOCKADDR_IN or SOCKADDR_IN6, as much of
// it as max bytes hold, and returns the structure's full size.
func putAddrPort(p unsafe.Pointer, max int32, ap netip.AddrPort) int32 {
	var raw [28]byte
	var n int32
	port := ap.Port()
	if a := ap.Addr(); a.Is4() {
		r := (*RawSockaddrInet4)(unsafe.Pointer(&raw[0]))
		r.Family = AF_INET
		r.Addr = a.As4()
		n = int32(unsafe.Sizeof(*r))
	} else {
		r := (*RawSockaddrInet6)(unsafe.Pointer(&raw[0]))
		r.Family = AF_INET6
		r.Addr = a.As16()
		n = int32(unsafe.Sizeof(*r))
	}
	raw[2], raw[3] = byte(port>>8), byte(port)
	if p != nil && max > 0 {
		copy(unsafe.Slice((*byte)(p), min(max, n)), raw[:n])
	}
	return n
}
