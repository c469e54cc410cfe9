//go:build !windows || wsaemu

package windows

import (
	"errors"
	"net/netip"
	"unicode/utf16"
	"unsafe"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/provider"
)

// ws2_32 and mswsock. Each function is the x/sys/windows one; the
// emulator's page citations are on the emu.Thread methods they call.
// Sockets are Handles; the buffers, records, address structures and
// message headers are the program's own memory, read and written in place.

type sock = emu.SOCKET

// WSAStartup initialises Winsock for the machine. data gets the version
// and the provider's description.
//
// https://learn.microsoft.com/windows/win32/api/winsock/nf-winsock-wsastartup
func WSAStartup(verreq uint32, data *WSAData) (sockerr error) {
	_, t, err := cur()
	if err != nil {
		return err
	}
	var d emu.WSAData
	if err := t.WSAStartup(uint16(verreq), &d); err != nil {
		return errnoErr(err)
	}
	if data != nil {
		data.Version, data.HighVersion = d.Version, d.HighVersion
		copy(data.Description[:WSADESCRIPTION_LEN], d.Description)
	}
	return nil
}

// WSACleanup ends one WSAStartup.
//
// https://learn.microsoft.com/windows/win32/api/winsock/nf-winsock-wsacleanup
func WSACleanup() (err error) {
	_, t, err := cur()
	if err != nil {
		return err
	}
	return errnoErr(t.WSACleanup())
}

// Socket creates a socket (overlapped-capable, as Windows' socket()).
//
// https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-socket
func Socket(domain, typ, proto int) (fd Handle, err error) {
	_, t, err := cur()
	if err != nil {
		return InvalidHandle, err
	}
	h, err := t.Socket(int32(domain), int32(typ), int32(proto))
	if err != nil {
		return InvalidHandle, errnoErr(err)
	}
	return Handle(h), nil
}

// WSASocket creates a socket; WSA_FLAG_OVERLAPPED makes it
// overlapped-capable. protoInfo and group are not modelled.
//
// https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-wsasocketw
func WSASocket(af int32, typ int32, protocol int32, protoInfo *WSAProtocolInfo, group uint32, flags uint32) (handle Handle, err error) {
	_, t, err := cur()
	if err != nil {
		return InvalidHandle, err
	}
	h, err := t.WSASocket(af, typ, protocol, flags)
	if err != nil {
		return InvalidHandle, errnoErr(err)
	}
	return Handle(h), nil
}

// Bind binds fd to sa.
//
// https://learn.microsoft.com/windows/win32/api/winsock/nf-winsock-bind
func Bind(fd Handle, sa Sockaddr) (err error) {
	_, t, err := cur()
	if err != nil {
		return err
	}
	ap, n, err := sa.sockaddr()
	if err != nil {
		return err
	}
	return errnoErr(t.Bind(sock(fd), &ap, n))
}

// Connect connects fd to sa.
//
// https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-connect
func Connect(fd Handle, sa Sockaddr) (err error) {
	_, t, err := cur()
	if err != nil {
		return err
	}
	ap, n, err := sa.sockaddr()
	if err != nil {
		return err
	}
	return errnoErr(t.Connect(sock(fd), &ap, n))
}

// Listen makes fd a listening stream socket.
//
// https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-listen
func Listen(s Handle, n int) (err error) {
	_, t, err := cur()
	if err != nil {
		return err
	}
	return errnoErr(t.Listen(sock(s), int32(n)))
}

// Accept takes a connection from the listening socket fd (it blocks
// while none is queued). x/sys/windows' Accept is a stub that fails with
// EWINDOWS; this one is accept().
//
// https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-accept
func Accept(fd Handle) (nfd Handle, sa Sockaddr, err error) {
	_, t, err := cur()
	if err != nil {
		return InvalidHandle, nil, err
	}
	var ap netip.AddrPort
	n := int32(unsafe.Sizeof(RawSockaddrAny{}))
	h, err := t.Accept(sock(fd), &ap, &n)
	if err != nil {
		return InvalidHandle, nil, errnoErr(err)
	}
	return Handle(h), sockaddrOf(ap), nil
}

// sockaddrOf is ap in Go form.
func sockaddrOf(ap netip.AddrPort) Sockaddr {
	if a := ap.Addr(); a.Is4() {
		return &SockaddrInet4{Port: int(ap.Port()), Addr: a.As4()}
	}
	return &SockaddrInet6{Port: int(ap.Port()), Addr: ap.Addr().As16()}
}

// Getsockname is the address fd is bound to.
//
// https://learn.microsoft.com/windows/win32/api/winsock/nf-winsock-getsockname
func Getsockname(fd Handle) (sa Sockaddr, err error) {
	_, t, err := cur()
	if err != nil {
		return nil, err
	}
	var ap netip.AddrPort
	n := int32(unsafe.Sizeof(RawSockaddrAny{}))
	if err := t.GetsocknameLen(sock(fd), &ap, &n); err != nil {
		return nil, errnoErr(err)
	}
	return sockaddrOf(ap), nil
}

// Getpeername is the address fd is connected to.
//
// https://learn.microsoft.com/windows/win32/api/winsock/nf-winsock-getpeername
func Getpeername(fd Handle) (sa Sockaddr, err error) {
	_, t, err := cur()
	if err != nil {
		return nil, err
	}
	var ap netip.AddrPort
	n := int32(unsafe.Sizeof(RawSockaddrAny{}))
	if err := t.Getpeername(sock(fd), &ap, &n); err != nil {
		return nil, errnoErr(err)
	}
	return sockaddrOf(ap), nil
}

// Shutdown disables sends (SHUT_WR), receives (SHUT_RD) or both.
//
// https://learn.microsoft.com/windows/win32/api/winsock/nf-winsock-shutdown
func Shutdown(fd Handle, how int) (err error) {
	_, t, err := cur()
	if err != nil {
		return err
	}
	return errnoErr(t.Shutdown(sock(fd), int32(how)))
}

// Closesocket closes a socket.
//
// https://learn.microsoft.com/windows/win32/api/winsock/nf-winsock-closesocket
func Closesocket(s Handle) (err error) {
	_, t, err := cur()
	if err != nil {
		return err
	}
	return errnoErr(t.Closesocket(sock(s)))
}

// Setsockopt sets an option from the optlen bytes at optval.
//
// https://learn.microsoft.com/windows/win32/api/winsock/nf-winsock-setsockopt
func Setsockopt(s Handle, level int32, optname int32, optval *byte, optlen int32) (err error) {
	_, t, err := cur()
	if err != nil {
		return err
	}
	if optlen < 0 {
		return WSAEFAULT
	}
	return errnoErr(t.Setsockopt(sock(s), level, optname, bytesOf(optval, uint32(optlen))))
}

// Getsockopt reads an option into optval; *optlen is its room, then its
// size.
//
// https://learn.microsoft.com/windows/win32/api/winsock/nf-winsock-getsockopt
func Getsockopt(s Handle, level int32, optname int32, optval *byte, optlen *int32) (err error) {
	_, t, err := cur()
	if err != nil {
		return err
	}
	var room uint32
	if optlen != nil && *optlen > 0 {
		room = uint32(*optlen)
	}
	return errnoErr(t.Getsockopt(sock(s), level, optname, bytesOf(optval, room), optlen))
}

// SetsockoptInt sets an int option.
//
// https://learn.microsoft.com/windows/win32/api/winsock/nf-winsock-setsockopt
func SetsockoptInt(fd Handle, level, opt int, value int) (err error) {
	v := int32(value)
	return Setsockopt(fd, int32(level), int32(opt), (*byte)(unsafe.Pointer(&v)), int32(unsafe.Sizeof(v)))
}

// GetsockoptInt reads an int option.
func GetsockoptInt(fd Handle, level, opt int) (int, error) {
	v := int32(0)
	l := int32(unsafe.Sizeof(v))
	err := Getsockopt(fd, int32(level), int32(opt), (*byte)(unsafe.Pointer(&v)), &l)
	return int(v), err
}

// SetsockoptLinger sets SO_LINGER (Windows reads two u_shorts).
//
// https://learn.microsoft.com/windows/win32/api/winsock/nf-winsock-setsockopt
func SetsockoptLinger(fd Handle, level, opt int, l *Linger) (err error) {
	sys := sysLinger{Onoff: uint16(l.Onoff), Linger: uint16(l.Linger)}
	return Setsockopt(fd, int32(level), int32(opt), (*byte)(unsafe.Pointer(&sys)), int32(unsafe.Sizeof(sys)))
}

// SetsockoptTimeval fails, as x/sys's does (with syscall.EWINDOWS there,
// an error that exists on Windows only; here one with the same text).
func SetsockoptTimeval(fd Handle, level, opt int, tv *Timeval) (err error) { return errEWINDOWS }

var errEWINDOWS = errors.New("not supported by windows")

// SetsockoptInet4Addr fails, as x/sys's does.
//
// https://learn.microsoft.com/windows/win32/api/winsock/nf-winsock-setsockopt
func SetsockoptInet4Addr(fd Handle, level, opt int, value [4]byte) (err error) { return errEWINDOWS }

// SetsockoptIPv6Mreq fails, as x/sys's does.
func SetsockoptIPv6Mreq(fd Handle, level, opt int, mreq *IPv6Mreq) (err error) { return errEWINDOWS }

// SetsockoptIPMreq passes an ip_mreq to setsockopt (the in-memory network
// has no multicast: the provider answers as it answers any option it does
// not know).
//
// https://learn.microsoft.com/windows/win32/api/winsock/nf-winsock-setsockopt
func SetsockoptIPMreq(fd Handle, level, opt int, mreq *IPMreq) (err error) {
	return Setsockopt(fd, int32(level), int32(opt), (*byte)(unsafe.Pointer(mreq)), int32(unsafe.Sizeof(*mreq)))
}

// WSAIoctl is WSAIoctl over the program's input and output buffers. With
// SIO_GET_EXTENSION_FUNCTION_POINTER the "function pointer" written to
// outbuf is a token: this package's AcceptEx, ConnectEx, WSARecvMsg, ...
// are the functions it names. completionRoutine is a NewCallback token.
//
// https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-wsaioctl
func WSAIoctl(s Handle, iocc uint32, inbuf *byte, cbif uint32, outbuf *byte, cbob uint32, cbbr *uint32, overlapped *Overlapped, completionRoutine uintptr) (err error) {
	_, t, err := cur()
	if err != nil {
		return err
	}
	var routine emu.WSACompletionRoutine
	if completionRoutine != 0 {
		cb := lookupCallback(completionRoutine)
		if cb == nil || cb.wsa == nil {
			return WSAEFAULT
		}
		routine = cb.wsa
	}
	return errnoErr(t.WSAIoctl(sock(s), iocc, bytesOf(inbuf, cbif), bytesOf(outbuf, cbob), cbbr, overlapped, routine))
}

// WSARecv receives into the bufcnt buffers at bufs. croutine is nil or a
// NewCallback token; it then runs in an alertable wait of this thread.
//
// https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-wsarecv
func WSARecv(s Handle, bufs *WSABuf, bufcnt uint32, recvd *uint32, flags *uint32, overlapped *Overlapped, croutine *byte) (err error) {
	m, t, err := cur()
	if err != nil {
		return err
	}
	routine, err := routineOf(croutine)
	if err != nil {
		return err
	}
	r := m.io.recFor(t, overlapped)
	err = errnoErr(t.WSARecv(sock(s), r.wsaBufs(bufs, bufcnt), recvd, flags, overlapped, routine))
	r.end()
	return err
}

// WSASend sends the bufcnt buffers at bufs.
//
// https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-wsasend
func WSASend(s Handle, bufs *WSABuf, bufcnt uint32, sent *uint32, flags uint32, overlapped *Overlapped, croutine *byte) (err error) {
	m, t, err := cur()
	if err != nil {
		return err
	}
	routine, err := routineOf(croutine)
	if err != nil {
		return err
	}
	r := m.io.recFor(t, overlapped)
	err = errnoErr(t.WSASend(sock(s), r.wsaBufs(bufs, bufcnt), sent, flags, overlapped, routine))
	r.end()
	return err
}

// WSARecvFrom receives a datagram and its sender: *from (of *fromlen
// bytes) gets the sender's SOCKADDR when the receive completes (for one
// that pends: when the program learns of it through this package).
//
// https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-wsarecvfrom
func WSARecvFrom(s Handle, bufs *WSABuf, bufcnt uint32, recvd *uint32, flags *uint32, from *RawSockaddrAny, fromlen *int32, overlapped *Overlapped, croutine *byte) (err error) {
	m, t, err := cur()
	if err != nil {
		return err
	}
	routine, err := routineOf(croutine)
	if err != nil {
		return err
	}
	r := m.io.recFor(t, overlapped)
	r.addr = netip.AddrPort{}
	var ap *netip.AddrPort
	if from != nil {
		ap = &r.addr
		r.rawFrom, r.rawFromLen = unsafe.Pointer(from), 0
		if fromlen != nil {
			r.rawFromLen = *fromlen
		}
	}
	err = errnoErr(t.WSARecvFrom(sock(s), r.wsaBufs(bufs, bufcnt), recvd, flags, ap, fromlen, overlapped, routine))
	if from != nil {
		m.io.done(r, err)
	}
	r.end()
	return err
}

// WSASendTo sends a datagram to the tolen-byte SOCKADDR at to.
//
// https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-wsasendto
func WSASendTo(s Handle, bufs *WSABuf, bufcnt uint32, sent *uint32, flags uint32, to *RawSockaddrAny, tolen int32, overlapped *Overlapped, croutine *byte) (err error) {
	m, t, err := cur()
	if err != nil {
		return err
	}
	routine, err := routineOf(croutine)
	if err != nil {
		return err
	}
	r := m.io.recFor(t, overlapped)
	var ap *netip.AddrPort
	if to != nil {
		a, ok := rawToAddrPort(unsafe.Pointer(to), tolen)
		if !ok && tolen >= 2 && to.Addr.Family != AF_INET && to.Addr.Family != AF_INET6 {
			r.end()
			return WSAEAFNOSUPPORT
		}
		r.addr = a
		ap = &r.addr
	}
	err = errnoErr(t.WSASendTo(sock(s), r.wsaBufs(bufs, bufcnt), sent, flags, ap, tolen, overlapped, routine))
	r.end()
	return err
}

// WSASendto is WSASendTo with the address in Go form.
//
// https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-wsasendto
func WSASendto(s Handle, bufs *WSABuf, bufcnt uint32, sent *uint32, flags uint32, to Sockaddr, overlapped *Overlapped, croutine *byte) (err error) {
	var raw RawSockaddrAny
	var l int32
	if to != nil {
		ap, _, err := to.sockaddr()
		if err != nil {
			return err
		}
		l = putAddrPort(unsafe.Pointer(&raw), int32(unsafe.Sizeof(raw)), ap)
		return WSASendTo(s, bufs, bufcnt, sent, flags, &raw, l, overlapped, croutine)
	}
	return WSASendTo(s, bufs, bufcnt, sent, flags, nil, 0, overlapped, croutine)
}

// Recvfrom is a blocking receive of one datagram into p.
//
// https://learn.microsoft.com/windows/win32/api/winsock/nf-winsock-recvfrom
func Recvfrom(fd Handle, p []byte, flags int) (n int, from Sockaddr, err error) {
	var rsa RawSockaddrAny
	l := int32(unsafe.Sizeof(rsa))
	var b WSABuf
	if len(p) > 0 {
		b = WSABuf{Len: uint32(len(p)), Buf: &p[0]}
	}
	var got uint32
	f := uint32(flags)
	if err = WSARecvFrom(fd, &b, 1, &got, &f, &rsa, &l, nil, nil); err != nil {
		return int(got), nil, err
	}
	from, err = rsa.Sockaddr()
	return int(got), from, err
}

// Sendto is a blocking send of p to to.
//
// https://learn.microsoft.com/windows/win32/api/winsock/nf-winsock-sendto
func Sendto(fd Handle, p []byte, flags int, to Sockaddr) (err error) {
	var b WSABuf
	if len(p) > 0 {
		b = WSABuf{Len: uint32(len(p)), Buf: &p[0]}
	}
	var sent uint32
	return WSASendto(fd, &b, 1, &sent, uint32(flags), to, nil, nil)
}

// WSAGetOverlappedResult reports the result of a socket's overlapped
// operation, waiting for it if wait.
//
// https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-wsagetoverlappedresult
func WSAGetOverlappedResult(h Handle, o *Overlapped, bytes *uint32, wait bool, flags *uint32) (err error) {
	m, t, err := cur()
	if err != nil {
		return err
	}
	err = t.WSAGetOverlappedResult(sock(h), o, bytes, wait, flags)
	m.io.flush()
	return errnoErr(err)
}

// WSAEventSelect asks for event to be set when one of networkEvents
// (FD_READ, FD_ACCEPT, ...) happens on s. x/sys/windows lacks it.
//
// https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-wsaeventselect
func WSAEventSelect(s Handle, event Handle, networkEvents uint32) (err error) {
	_, t, err := cur()
	if err != nil {
		return err
	}
	return errnoErr(t.WSAEventSelect(sock(s), event, int32(networkEvents)))
}

// AcceptEx accepts a connection on ls into the unconnected socket as; buf
// holds rxdatalen bytes of data and then the two address areas.
//
// https://learn.microsoft.com/windows/win32/api/mswsock/nf-mswsock-acceptex
func AcceptEx(ls Handle, as Handle, buf *byte, rxdatalen uint32, laddrlen uint32, raddrlen uint32, recvd *uint32, overlapped *Overlapped) (err error) {
	_, t, err := cur()
	if err != nil {
		return err
	}
	return errnoErr(t.AcceptEx(sock(ls), sock(as), bytesOf(buf, rxdatalen+laddrlen+raddrlen), rxdatalen, laddrlen, raddrlen, recvd, overlapped))
}

// GetAcceptExSockaddrs points *lrsa and *rrsa at the local and remote
// addresses AcceptEx wrote into buf, and sets their sizes.
//
// https://learn.microsoft.com/windows/win32/api/mswsock/nf-mswsock-getacceptexsockaddrs
func GetAcceptExSockaddrs(buf *byte, rxdatalen uint32, laddrlen uint32, raddrlen uint32, lrsa **RawSockaddrAny, lrsalen *int32, rrsa **RawSockaddrAny, rrsalen *int32) {
	_, t, err := cur()
	if err != nil || buf == nil {
		return
	}
	b := bytesOf(buf, rxdatalen+laddrlen+raddrlen)
	var la, ra netip.AddrPort
	var ll, rl int32
	if t.GetAcceptExSockaddrs(b, rxdatalen, laddrlen, raddrlen, &la, &ll, &ra, &rl) != nil {
		return
	}
	// The SOCKADDR follows a 4-byte header in each area
	// (provider.AcceptExAreaHeader). The pointers lead into buf, as on
	// Windows; a RawSockaddrAny is larger than an area, so they are made
	// without a checked conversion (the race detector's checkptr would
	// refuse one), and only the SOCKADDR's own bytes may be read.
	const hdr = 4
	if ll != 0 && lrsa != nil && lrsalen != nil {
		p := unsafe.Pointer(&b[rxdatalen+hdr])
		*lrsa, *lrsalen = *(**RawSockaddrAny)(unsafe.Pointer(&p)), ll
	}
	if rl != 0 && rrsa != nil && rrsalen != nil {
		p := unsafe.Pointer(&b[rxdatalen+laddrlen+hdr])
		*rrsa, *rrsalen = *(**RawSockaddrAny)(unsafe.Pointer(&p)), rl
	}
}

// LoadConnectEx asks the machine's Winsock for ConnectEx, as x/sys does:
// WSAIoctl(SIO_GET_EXTENSION_FUNCTION_POINTER, WSAID_CONNECTEX) on a TCP
// socket made for the purpose. As x/sys does it once per process, this
// does it once per machine and keeps the answer.
//
// https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-wsaioctl
func LoadConnectEx() error {
	m, _, err := cur()
	if err != nil {
		return err
	}
	if !m.connectEx.done {
		m.connectEx.err = loadExtension(AF_INET, SOCK_STREAM, IPPROTO_TCP, &WSAID_CONNECTEX)
		m.connectEx.done = true
	}
	return m.connectEx.err
}

// loadExtension looks up one extension function on a fresh socket.
func loadExtension(af, typ, proto int, id *GUID) error {
	s, err := Socket(af, typ, proto)
	if err != nil {
		return err
	}
	defer Closesocket(s)
	var fn uintptr
	var n uint32
	return WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER,
		(*byte)(unsafe.Pointer(id)), uint32(unsafe.Sizeof(*id)),
		(*byte)(unsafe.Pointer(&fn)), uint32(unsafe.Sizeof(fn)), &n, nil, 0)
}

// ConnectEx connects the bound stream socket fd to sa, then sends the
// sendDataLen bytes at sendBuf.
//
// https://learn.microsoft.com/windows/win32/api/mswsock/nc-mswsock-lpfn_connectex
func ConnectEx(fd Handle, sa Sockaddr, sendBuf *byte, sendDataLen uint32, bytesSent *uint32, overlapped *Overlapped) error {
	if err := LoadConnectEx(); err != nil {
		return errors.New("failed to find ConnectEx: " + err.Error())
	}
	m, t, err := cur()
	if err != nil {
		return err
	}
	ap, n, err := sa.sockaddr()
	if err != nil {
		return err
	}
	r := m.io.recFor(t, overlapped)
	r.addr = ap
	err = errnoErr(t.ConnectEx(sock(fd), &r.addr, n, bytesOf(sendBuf, sendDataLen), bytesSent, overlapped))
	r.end()
	return err
}

// DisconnectEx closes the connection of s, keeping the socket for reuse
// with TF_REUSE_SOCKET. x/sys/windows lacks it.
//
// https://learn.microsoft.com/windows/win32/api/mswsock/nc-mswsock-lpfn_disconnectex
func DisconnectEx(s Handle, overlapped *Overlapped, flags uint32, reserved uint32) (err error) {
	_, t, err := cur()
	if err != nil {
		return err
	}
	return errnoErr(t.DisconnectEx(sock(s), overlapped, flags, reserved))
}

// TransmitFile sends bytesToWrite bytes (0: all) of the pipe end handle
// on s, between the head and tail buffers of transmitFileBuf.
//
// https://learn.microsoft.com/windows/win32/api/mswsock/nf-mswsock-transmitfile
func TransmitFile(s Handle, handle Handle, bytesToWrite uint32, bytsPerSend uint32, overlapped *Overlapped, transmitFileBuf *TransmitFileBuffers, flags uint32) (err error) {
	_, t, err := cur()
	if err != nil {
		return err
	}
	var tf *emu.TransmitFileBuffers
	if b := transmitFileBuf; b != nil {
		// Head and Tail hold the addresses of the program's memory.
		head := *(**byte)(unsafe.Pointer(&b.Head))
		tail := *(**byte)(unsafe.Pointer(&b.Tail))
		tf = &emu.TransmitFileBuffers{Head: bytesOf(head, b.HeadLength), Tail: bytesOf(tail, b.TailLength)}
	}
	return errnoErr(t.TransmitFile(sock(s), handle, bytesToWrite, bytsPerSend, overlapped, tf, flags))
}

// WSASendMsg sends the message msg describes.
//
// https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-wsasendmsg
func WSASendMsg(fd Handle, msg *WSAMsg, flags uint32, bytesSent *uint32, overlapped *Overlapped, croutine *byte) error {
	m, t, err := cur()
	if err != nil {
		return err
	}
	routine, err := routineOf(croutine)
	if err != nil {
		return err
	}
	var em *emu.WSAMSG
	var r *rec
	if msg != nil {
		r = m.io.recFor(t, overlapped)
		r.fillMsg(msg)
		if msg.Name != nil {
			a, _ := rawToAddrPort(unsafe.Pointer(msg.Name), msg.Namelen)
			r.addr = a
			r.msg.Name = &r.addr
		}
		em = &r.msg
	}
	err = errnoErr(t.WSASendMsg(sock(fd), em, flags, bytesSent, overlapped, routine))
	if r != nil {
		r.end()
	}
	return err
}

// WSARecvMsg receives a message: data into msg's buffers, control data
// into msg.Control, the sender into msg.Name; Namelen, Control.Len and
// Flags are updated when the receive completes.
//
// https://learn.microsoft.com/windows/win32/api/mswsock/nc-mswsock-lpfn_wsarecvmsg
func WSARecvMsg(fd Handle, msg *WSAMsg, bytesReceived *uint32, overlapped *Overlapped, croutine *byte) error {
	m, t, err := cur()
	if err != nil {
		return err
	}
	routine, err := routineOf(croutine)
	if err != nil {
		return err
	}
	if msg == nil {
		return errnoErr(t.WSARecvMsg(sock(fd), nil, bytesReceived, overlapped, routine))
	}
	r := m.io.recFor(t, overlapped)
	r.fillMsg(msg)
	r.addr = netip.AddrPort{}
	if msg.Name != nil {
		r.msg.Name = &r.addr
	}
	r.umsg = msg
	err = errnoErr(t.WSARecvMsg(sock(fd), &r.msg, bytesReceived, overlapped, routine))
	m.io.done(r, err)
	r.end()
	return err
}

// fillMsg is the emulator's form of msg, over the program's buffers.
func (r *rec) fillMsg(msg *WSAMsg) {
	r.msg = emu.WSAMSG{
		Namelen: msg.Namelen,
		Buffers: r.wsaBufs(msg.Buffers, msg.BufferCount),
		Control: emu.WSABUF{Len: msg.Control.Len, Buf: bytesOf(msg.Control.Buf, msg.Control.Len)},
		Flags:   msg.Flags,
	}
}

// WSAEnumProtocols writes the catalogue entries of the protocols listed at
// protocols (a 0-terminated array; nil for all) into the
// *bufferLength bytes at protocolBuffer and returns how many; when the
// buffer is too small it fails with WSAENOBUFS and *bufferLength says the
// size needed. Programs read XP1_IFS_HANDLES here before they trust
// FILE_SKIP_COMPLETION_PORT_ON_SUCCESS; the emulator's entries say which
// kind of provider the machine has.
//
// https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-wsaenumprotocolsw
func WSAEnumProtocols(protocols *int32, protocolBuffer *WSAProtocolInfo, bufferLength *uint32) (n int32, err error) {
	_, t, err := cur()
	if err != nil {
		return -1, err
	}
	var list []int32
	if protocols != nil {
		for p := protocols; *p != 0; p = (*int32)(unsafe.Add(unsafe.Pointer(p), 4)) {
			list = append(list, *p)
		}
		list = append(list, 0)
	}
	var room uint32
	if bufferLength != nil && protocolBuffer != nil {
		room = *bufferLength / uint32(unsafe.Sizeof(WSAProtocolInfo{}))
	}
	buf := make([]provider.WSAProtocolInfo, room)
	got, err := t.WSAEnumProtocols(list, buf, bufferLength)
	if err != nil {
		return -1, errnoErr(err)
	}
	out := unsafe.Slice(protocolBuffer, room)
	for i, e := range buf[:got] {
		o := &out[i]
		*o = WSAProtocolInfo{
			ServiceFlags1:  e.ServiceFlags1,
			ProviderFlags:  e.ProviderFlags,
			CatalogEntryId: e.CatalogEntryId,
			AddressFamily:  e.AddressFamily,
			SocketType:     e.SocketType,
			Protocol:       e.Protocol,
		}
		o.ProtocolChain.ChainLen = e.ProtocolChain.ChainLen
		o.ProtocolChain.ChainEntries = e.ProtocolChain.ChainEntries
		name := utf16.Encode([]rune(e.ProtocolName))
		copy(o.ProtocolName[:WSAPROTOCOL_LEN], name)
	}
	return int32(got), nil
}
