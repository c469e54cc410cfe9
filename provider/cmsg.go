package provider

import (
	"encoding/binary"
	"net/netip"
)

// Control-message (WSACMSGHDR) layout helpers: what the WSA_CMSG_* macros
// of ws2def.h compute, for the packet-information messages WSASendMsg and
// WSARecvMsg carry. They are part of the ABI, not of any one provider.

// PktinfoSpace is the room one IN_PKTINFO (IPv4 address a) or IN6_PKTINFO
// control message takes in a WSAMSG's control buffer, header and padding
// included (WSA_CMSG_SPACE of the structure).
func PktinfoSpace(a netip.Addr) int {
	if a.Is4() {
		return SizeofCmsghdr + CmsgAlign(SizeofInPktinfo)
	}
	return SizeofCmsghdr + CmsgAlign(SizeofIn6Pktinfo)
}

// CmsgAlign rounds n up to the alignment of control-message headers and
// data (WSA_CMSGHDR_ALIGN and WSA_CMSGDATA_ALIGN: a pointer's size).
func CmsgAlign(n int) int { return (n + cmsgAlign - 1) &^ (cmsgAlign - 1) }

// PutPktinfo writes one IN_PKTINFO or IN6_PKTINFO control message for
// address a, on the loopback interface, into b and returns the space it
// took (0 if b is too short).
func PutPktinfo(b []byte, a netip.Addr) int {
	n := PktinfoSpace(a)
	if len(b) < n {
		return 0
	}
	clear(b[:n])
	if a.Is4() {
		binary.LittleEndian.PutUint64(b[0:], uint64(SizeofCmsghdr+SizeofInPktinfo))
		binary.LittleEndian.PutUint32(b[8:], IPPROTO_IP)
		binary.LittleEndian.PutUint32(b[12:], IP_PKTINFO)
		a4 := a.As4()
		copy(b[16:20], a4[:])
		binary.LittleEndian.PutUint32(b[20:], LoopbackIfIndex)
	} else {
		binary.LittleEndian.PutUint64(b[0:], uint64(SizeofCmsghdr+SizeofIn6Pktinfo))
		binary.LittleEndian.PutUint32(b[8:], IPPROTO_IPV6)
		binary.LittleEndian.PutUint32(b[12:], IPV6_PKTINFO)
		a16 := a.As16()
		copy(b[16:32], a16[:])
		binary.LittleEndian.PutUint32(b[32:], LoopbackIfIndex)
	}
	return n
}

// PktinfoControl builds the control data that asks WSASendMsg to send
// from addr (an IN_PKTINFO or IN6_PKTINFO message).
func PktinfoControl(addr netip.Addr) []byte {
	b := make([]byte, PktinfoSpace(addr))
	PutPktinfo(b, addr)
	return b
}

// ParsePktinfo finds the IN_PKTINFO or IN6_PKTINFO message in control data
// (as WSARecvMsg returns it) and returns its address and interface index.
func ParsePktinfo(b []byte) (addr netip.Addr, ifindex uint32, ok bool) {
	for len(b) >= SizeofCmsghdr {
		l := binary.LittleEndian.Uint64(b)
		if l < SizeofCmsghdr || l > uint64(len(b)) {
			return netip.Addr{}, 0, false
		}
		level := binary.LittleEndian.Uint32(b[8:])
		typ := binary.LittleEndian.Uint32(b[12:])
		data := b[SizeofCmsghdr:l]
		switch {
		case level == IPPROTO_IP && typ == IP_PKTINFO && len(data) >= SizeofInPktinfo:
			return netip.AddrFrom4([4]byte(data[0:4])), binary.LittleEndian.Uint32(data[4:]), true
		case level == IPPROTO_IPV6 && typ == IPV6_PKTINFO && len(data) >= SizeofIn6Pktinfo:
			return netip.AddrFrom16([16]byte(data[0:16])), binary.LittleEndian.Uint32(data[16:]), true
		}
		step := CmsgAlign(int(l))
		if step > len(b) {
			break
		}
		b = b[step:]
	}
	return netip.Addr{}, 0, false
}
