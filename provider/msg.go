package provider

import (
	"encoding/binary"
	"net/netip"

	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

func checkMsg(msg *WSAMSG) Errno {
	if msg == nil {
		return wso.WSAEFAULT
	}
	if msg.Name == nil && msg.Namelen != 0 {
		return wso.WSAEFAULT
	}
	if msg.Control.Buf == nil && msg.Control.Len != 0 {
		return wso.WSAEFAULT
	}
	if int(msg.Control.Len) > len(msg.Control.Buf) {
		return wso.WSAEFAULT
	}
	return 0
}

// WSPSendMsg is WSASendMsg's provider side (the function reached through
// SIO_GET_EXTENSION_FUNCTION_POINTER with WSAID_WSASENDMSG): a send with an
// optional destination in msg.Name and control data in msg.Control, of
// which IP_PKTINFO / IPV6_PKTINFO picks the source address. dwFlags may
// hold only MSG_DONTROUTE, MSG_PARTIAL and MSG_OOB (anything else is
// WSAEOPNOTSUPP, and a datagram socket refuses the last two the same way);
// msg.Flags is ignored.
// https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-wsasendmsg
func (p *Mem) WSPSendMsg(s SOCKET, msg *WSAMSG, flags uint32, sent *uint32, ov *Overlapped, routine CompletionRoutine, tid *WSATHREADID) Errno {
	k, e := p.sock(s)
	if e != 0 {
		return e
	}
	if e := checkMsg(msg); e != 0 {
		return e
	}
	a := sendArgs{bufs: msg.Buffers, sent: sent, flags: flags, isMsg: true}
	if msg.Name != nil {
		a.to, a.tolen = msg.Name, msg.Namelen
	}
	src, e := parsePktinfo(msg.Control.Buf[:msg.Control.Len], k.af)
	if e != 0 {
		return e
	}
	if src.IsValid() {
		if !isLocal(src) {
			return wso.WSAEADDRNOTAVAIL
		}
		a.src = src
	}
	return p.send(s, a, ov, routine, tid)
}

// WSPRecvMsg is WSARecvMsg's provider side: a receive that reports the
// sender in msg.Name, MSG_TRUNC / MSG_CTRUNC in msg.Flags, and, when
// IP_PKTINFO / IPV6_PKTINFO is on, the datagram's destination address in
// msg.Control.
// https://learn.microsoft.com/windows/win32/api/mswsock/nc-mswsock-lpfn_wsarecvmsg
func (p *Mem) WSPRecvMsg(s SOCKET, msg *WSAMSG, recvd *uint32, ov *Overlapped, routine CompletionRoutine, tid *WSATHREADID) Errno {
	if _, e := p.sock(s); e != 0 {
		return e
	}
	if e := checkMsg(msg); e != 0 {
		return e
	}
	if recvd == nil && ov == nil {
		return wso.WSAEFAULT
	}
	in := msg.Flags
	msg.Flags = 0
	return p.recv(s, recvArgs{bufs: msg.Buffers, recvd: recvd, msg: msg, msgIn: in}, ov, routine, tid)
}

func pktinfoSpace(a netip.Addr) int {
	if a.Is4() {
		return SizeofCmsghdr + align(SizeofInPktinfo)
	}
	return SizeofCmsghdr + align(SizeofIn6Pktinfo)
}

func align(n int) int { return (n + cmsgAlign - 1) &^ (cmsgAlign - 1) }

func fitsPktinfo(c WSABUF, dst netip.AddrPort) bool {
	return int(c.Len) >= pktinfoSpace(dst.Addr())
}

// putPktinfo writes one IN_PKTINFO or IN6_PKTINFO control message for
// address dst and returns the space it took.
func putPktinfo(b []byte, dst netip.AddrPort) int {
	a := dst.Addr()
	n := pktinfoSpace(a)
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
	b := make([]byte, pktinfoSpace(addr))
	putPktinfo(b, netip.AddrPortFrom(addr, 0))
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
		step := align(int(l))
		if step > len(b) {
			break
		}
		b = b[step:]
	}
	return netip.Addr{}, 0, false
}

// parsePktinfo reads the source address a sender's control data asks
// for: the in_pktinfo of an IPv4 socket (af), the in6_pktinfo of an IPv6
// one (the WSASendMsg remarks tie each to its family). Control data that is
// not a well-formed list of messages is WSAEINVAL; other control messages,
// including packet information of the other family, are ignored.
func parsePktinfo(b []byte, af int32) (netip.Addr, Errno) {
	for len(b) > 0 {
		if len(b) < SizeofCmsghdr {
			return netip.Addr{}, wso.WSAEINVAL
		}
		l := binary.LittleEndian.Uint64(b)
		if l < SizeofCmsghdr || l > uint64(len(b)) {
			return netip.Addr{}, wso.WSAEINVAL
		}
		if a, _, ok := ParsePktinfo(b[:l]); ok && familyOf(a) == af {
			return a, 0
		}
		step := align(int(l))
		if step >= len(b) {
			break
		}
		b = b[step:]
	}
	return netip.Addr{}, 0
}
