package provider

import (
	"encoding/binary"
	"net/netip"
)

// The address areas AcceptEx writes after the received data and
// GetAcceptExSockaddrs reads back. The AcceptEx page only says the
// addresses are "written in an internal format" that needs 16 bytes more
// than the SOCKADDR; here an area holds the SOCKADDR's length (4 bytes,
// little-endian) and then the SOCKADDR itself.
// https://learn.microsoft.com/windows/win32/api/mswsock/nf-mswsock-acceptex

// AcceptExAreaHeader is how many bytes of an address area precede the
// SOCKADDR.
const AcceptExAreaHeader = 4

// PutSockaddr writes ap as a SOCKADDR_IN or SOCKADDR_IN6 into b and
// returns its size (0 if b is too short).
func PutSockaddr(b []byte, ap netip.AddrPort) int {
	n := SizeofSockaddrInet4
	if ap.Addr().Is6() {
		n = SizeofSockaddrInet6
	}
	if len(b) < n {
		return 0
	}
	clear(b[:n])
	port := ap.Port()
	b[2], b[3] = byte(port>>8), byte(port)
	if ap.Addr().Is4() {
		binary.LittleEndian.PutUint16(b, AF_INET)
		a := ap.Addr().As4()
		copy(b[4:8], a[:])
	} else {
		binary.LittleEndian.PutUint16(b, AF_INET6)
		a := ap.Addr().As16()
		copy(b[8:24], a[:])
	}
	return n
}

// ParseSockaddr reads a SOCKADDR_IN or SOCKADDR_IN6 from b.
func ParseSockaddr(b []byte) (netip.AddrPort, bool) {
	if len(b) < SizeofSockaddrInet4 {
		return netip.AddrPort{}, false
	}
	port := uint16(b[2])<<8 | uint16(b[3])
	switch binary.LittleEndian.Uint16(b) {
	case AF_INET:
		return netip.AddrPortFrom(netip.AddrFrom4([4]byte(b[4:8])), port), true
	case AF_INET6:
		if len(b) < SizeofSockaddrInet6 {
			return netip.AddrPort{}, false
		}
		return netip.AddrPortFrom(netip.AddrFrom16([16]byte(b[8:24])), port), true
	}
	return netip.AddrPort{}, false
}

// PutAcceptExArea writes ap into one address area; it reports false when
// the area is too small for the SOCKADDR and the 16 bytes the page asks
// for.
func PutAcceptExArea(area []byte, ap netip.AddrPort) bool {
	n := SizeofSockaddrInet4
	if ap.Addr().Is6() {
		n = SizeofSockaddrInet6
	}
	if len(area) < n+16 {
		return false
	}
	binary.LittleEndian.PutUint32(area, uint32(n))
	PutSockaddr(area[AcceptExAreaHeader:], ap)
	return true
}

// ParseAcceptExArea reads an address area back: the address and the
// SOCKADDR's size.
func ParseAcceptExArea(area []byte) (netip.AddrPort, int32, bool) {
	if len(area) < AcceptExAreaHeader+SizeofSockaddrInet4 {
		return netip.AddrPort{}, 0, false
	}
	n := binary.LittleEndian.Uint32(area)
	if n > uint32(len(area)-AcceptExAreaHeader) {
		return netip.AddrPort{}, 0, false
	}
	ap, ok := ParseSockaddr(area[AcceptExAreaHeader : AcceptExAreaHeader+int(n)])
	return ap, int32(n), ok
}
