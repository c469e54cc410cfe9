package mem

import (
	"encoding/binary"
	"net/netip"

	"github.com/wsaemu/wsaemu/provider"
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
	if msg == nil {
		return wso.WSAEFAULT
	}
	if msg.Name == nil && msg.Namelen != 0 {
		// The error table: WSAEFAULT. Wine was seen to answer WSAEINVAL;
		// no Windows observation settles it (unsettled).
		if p.up.Unsettled() {
			return wso.WSAEINVAL
		}
		return wso.WSAEFAULT
	}
	ctl := msg.Control
	if ctl.Buf == nil && ctl.Len != 0 {
		// The error table: WSAEFAULT. Wine was seen to ignore such a
		// control buffer and send; no Windows observation settles it
		// (unsettled).
		if !p.up.Unsettled() {
			return wso.WSAEFAULT
		}
		ctl = WSABUF{}
	}
	if int(ctl.Len) > len(ctl.Buf) {
		return wso.WSAEFAULT
	}
	a := sendArgs{bufs: msg.Buffers, sent: sent, flags: flags, isMsg: true}
	if msg.Name != nil {
		a.to, a.tolen = msg.Name, msg.Namelen
	}
	src, e := parsePktinfo(ctl.Buf[:ctl.Len], k.af)
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

func fitsPktinfo(c WSABUF, dst netip.AddrPort) bool {
	return int(c.Len) >= provider.PktinfoSpace(dst.Addr())
}

// parsePktinfo reads the source address a sender's control data asks
// for: the in_pktinfo of an IPv4 socket (af), the in6_pktinfo of an IPv6
// one (the WSASendMsg remarks tie each to its family). Control data that is
// not a well-formed list of messages is WSAEINVAL; other control messages,
// including packet information of the other family, are ignored.
func parsePktinfo(b []byte, af int32) (netip.Addr, Errno) {
	for len(b) > 0 {
		if len(b) < provider.SizeofCmsghdr {
			return netip.Addr{}, wso.WSAEINVAL
		}
		l := binary.LittleEndian.Uint64(b)
		if l < provider.SizeofCmsghdr || l > uint64(len(b)) {
			return netip.Addr{}, wso.WSAEINVAL
		}
		if a, _, ok := provider.ParsePktinfo(b[:l]); ok && familyOf(a) == af {
			return a, 0
		}
		step := provider.CmsgAlign(int(l))
		if step >= len(b) {
			break
		}
		b = b[step:]
	}
	return netip.Addr{}, 0
}
