package emu

import (
	"net/netip"
	"strconv"

	"github.com/wsaemu/wsaemu/provider"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// SOCKET is a socket handle.
type SOCKET = provider.SOCKET

// WSAData is the part of WSADATA a caller looks at.
type WSAData struct {
	Version     uint16
	HighVersion uint16
	Description string
}

// ProviderKind reports the kind of the System's Winsock provider.
func (s *System) ProviderKind() provider.Kind { return s.ws2.provKind }

// providerConfig is the provider's setup for this System's profile.
func (s *System) providerConfig() provider.Config {
	return provider.Config{
		Kind:                      s.ws2.provKind,
		FlushAborts:               s.profile == ProfileDocs,
		WSASendMsgNeedsBind:       s.profile == ProfileDocs,
		IoctlAsWindows:            s.profile == ProfileWindows,
		RecvRecordOnSyncSocket:    s.profile == ProfileWindows,
		ShutdownKeepsPendingRecvs: s.profile == ProfileWindows,
		RecvMsgAsWindows:          s.profile == ProfileWindows,
		CloseAbortsStreamIO:       s.profile == ProfileWindows,
		TransmitDatagramNotConn:   s.profile == ProfileWindows,
	}
}

// WSAStartup implements WSAStartup: the first call starts the provider
// (WSPStartup hands it the upcall table). Versions below 1.1 fail with
// WSAVERNOTSUPPORTED; the highest version offered is 2.2.
// https://learn.microsoft.com/windows/win32/api/winsock/nf-winsock-wsastartup
func (t *Thread) WSAStartup(version uint16, data *WSAData) error {
	s := t.s
	var args *callArgs
	if s.trace != nil {
		args = &callArgs{lay: argsVersion, a: argVals{uint64(version)}}
	}
	if err := t.enterArgs("WSAStartup", args); err != nil {
		return err
	}
	major, minor := version&0xff, version>>8
	if major < 1 || (major == 1 && minor < 1) {
		return t.fail("WSAStartup", uint64(wso.WSAVERNOTSUPPORTED), wso.WSAVERNOTSUPPORTED)
	}
	if data == nil {
		return t.fail("WSAStartup", uint64(wso.WSAEFAULT), wso.WSAEFAULT)
	}
	if s.ws2.refs == 0 {
		if s.ws2.prov == nil {
			s.ws2.prov = s.newProvider()
		}
		if e := s.ws2.prov.WSPStartup(&s.ws2.up); e != 0 {
			return t.fail("WSAStartup", uint64(e), e)
		}
	}
	s.ws2.refs++
	v := version
	if major > 2 || (major == 2 && minor > 2) {
		v = 0x0202
	}
	*data = WSAData{Version: v, HighVersion: 0x0202, Description: s.providerDescription()}
	t.ok("WSAStartup", 0)
	return nil
}

// WSACleanup implements WSACleanup: the last call closes every socket still
// open and stops the provider. Without a matching WSAStartup it fails with
// WSANOTINITIALISED.
// https://learn.microsoft.com/windows/win32/api/winsock/nf-winsock-wsacleanup
func (t *Thread) WSACleanup() error {
	s := t.s
	if err := t.enter("WSACleanup", ""); err != nil {
		return err
	}
	if s.ws2.refs == 0 {
		return t.fail("WSACleanup", socketError, wso.WSANOTINITIALISED)
	}
	s.ws2.refs--
	if s.ws2.refs == 0 {
		s.ws2.prov.WSPCleanup()
	}
	t.ok("WSACleanup", 0)
	return nil
}

// wsaEnter starts a Winsock call: WSANOTINITIALISED before WSAStartup.
func (t *Thread) wsaEnter(name, args string) error {
	if args == "" {
		return t.wsaEnterArgs(name, nil)
	}
	a := callArgs{text: args}
	return t.wsaEnterArgs(name, &a)
}

// wsaEnterArgs is wsaEnter with the arguments kept as values (see
// callArgs).
func (t *Thread) wsaEnterArgs(name string, args *callArgs) error {
	if err := t.enterArgs(name, args); err != nil {
		return err
	}
	if t.s.ws2.refs == 0 {
		return t.fail(name, socketError, wso.WSANOTINITIALISED)
	}
	return nil
}

// duplicable lets DuplicateHandle give a socket a second kernel handle;
// ws2_32's table keeps only the first (see wsaSocket).
func (k *socket) duplicable() bool { return true }

// wsaEnterH is wsaEnter for a call whose one argument is socket h.
func (t *Thread) wsaEnterH(name string, h SOCKET) error {
	var args *callArgs
	if t.s.trace != nil {
		args = &callArgs{lay: argsH, a: argVals{uint64(h)}}
	}
	return t.wsaEnterArgs(name, args)
}

// wsaEnterFmt is wsaEnter with the arguments the values of format layout
// lay (traceargs.go), kept only for a trace.
func (t *Thread) wsaEnterFmt(name string, lay argLayout, vals ...uint64) error {
	var args *callArgs
	if t.s.trace != nil {
		args = &callArgs{}
		args.setFmt(lay, "", vals...)
	}
	return t.wsaEnterArgs(name, args)
}

// wsaEnterf is wsaEnter with the arguments formatted only for a trace:
// a System without one formats nothing, so making, binding and closing
// sockets allocates no strings.
func (t *Thread) wsaEnterf(name string, args func() string) error {
	var a string
	if t.s.trace != nil {
		a = args()
	}
	return t.wsaEnter(name, a)
}

// wsaSocket looks a socket up in the ws2 layer's table; a handle that is
// not an open socket gives WSAENOTSOCK, as ws2_32 checks its table before
// asking the provider. The table holds the handle the socket was made
// with: a second handle to it from DuplicateHandle is not in it (Wine's
// dlls/ws2_32/tests/sock.c, test_WSAGetOverlappedResult, which passes on
// Windows, gets WSAENOTSOCK for one).
func (t *Thread) wsaSocket(name string, h SOCKET) (*socket, error) {
	k, ok := t.s.handles.get(Handle(h)).(*socket)
	if !ok || k.handle != Handle(h) {
		return nil, t.fail(name, socketError, wso.WSAENOTSOCK)
	}
	return k, nil
}

// wsaResult turns a provider's answer into the call's return.
func (t *Thread) wsaResult(name string, e Errno) error {
	if e != 0 {
		return t.fail(name, socketError, e)
	}
	t.ok(name, 0)
	return nil
}

// WSASocket implements WSASocketW for UDP and TCP over IPv4 and IPv6 (no
// protocol info, no group). flags may hold WSA_FLAG_OVERLAPPED.
// https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-wsasocketw
func (t *Thread) WSASocket(af, typ, protocol int32, flags uint32) (SOCKET, error) {
	var args *callArgs
	if t.s.trace != nil {
		args = &callArgs{lay: argsSocket, a: argVals{uint64(uint32(af)) | uint64(uint32(typ))<<32, uint64(uint32(protocol)), uint64(flags)}}
	}
	if err := t.wsaEnterArgs("WSASocket", args); err != nil {
		return provider.INVALID_SOCKET, err
	}
	h, e := t.s.ws2.prov.WSPSocket(af, typ, protocol, flags)
	if e != 0 {
		return provider.INVALID_SOCKET, t.fail("WSASocket", uint64(provider.INVALID_SOCKET), e)
	}
	t.s.setOverlapped(h, flags&provider.WSA_FLAG_OVERLAPPED != 0)
	t.ok("WSASocket", uint64(h))
	return h, nil
}

// Socket implements socket: WSASocket with WSA_FLAG_OVERLAPPED, as the
// socket function creates overlapped sockets.
// https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-socket
func (t *Thread) Socket(af, typ, protocol int32) (SOCKET, error) {
	return t.WSASocket(af, typ, protocol, provider.WSA_FLAG_OVERLAPPED)
}

func fmtAddr(a *netip.AddrPort) string {
	if a == nil {
		return "NULL"
	}
	return a.String()
}

// fmtHAddr renders a socket handle and an address as bind and connect
// trace them ("0x8, 127.0.0.1:5000"), with one allocation.
func fmtHAddr(h SOCKET, a *netip.AddrPort) string {
	var buf [80]byte
	b := strconv.AppendUint(append(buf[:0], "0x"...), uint64(h), 16)
	b = append(b, ", "...)
	switch {
	case a == nil:
		b = append(b, "NULL"...)
	case !a.Addr().IsValid():
		b = append(b, a.String()...) // AppendTo writes nothing for it
	default:
		b = a.AppendTo(b)
	}
	return string(b)
}

// addrArgs makes a the arguments of bind or connect, for the trace, and
// returns it (nil without a trace).
func (t *Thread) addrArgs(a *callArgs, h SOCKET, ap *netip.AddrPort) *callArgs {
	if t.s.trace == nil {
		return nil
	}
	a.setHAddr(h, ap)
	return a
}

// Bind implements bind.
// https://learn.microsoft.com/windows/win32/api/winsock/nf-winsock-bind
func (t *Thread) Bind(h SOCKET, name *netip.AddrPort, namelen int32) error {
	var args callArgs
	if err := t.wsaEnterArgs("bind", t.addrArgs(&args, h, name)); err != nil {
		return err
	}
	if _, err := t.wsaSocket("bind", h); err != nil {
		return err
	}
	return t.wsaResult("bind", t.s.ws2.prov.WSPBind(h, name, namelen))
}

// Connect implements connect for a datagram socket: it sets the default
// peer.
// https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-connect
func (t *Thread) Connect(h SOCKET, name *netip.AddrPort, namelen int32) error {
	var args callArgs
	if err := t.wsaEnterArgs("connect", t.addrArgs(&args, h, name)); err != nil {
		return err
	}
	if _, err := t.wsaSocket("connect", h); err != nil {
		return err
	}
	return t.wsaResult("connect", t.s.ws2.prov.WSPConnect(h, name, namelen))
}

// Getsockname implements getsockname.
// https://learn.microsoft.com/windows/win32/api/winsock/nf-winsock-getsockname
func (t *Thread) Getsockname(h SOCKET) (netip.AddrPort, error) {
	if err := t.wsaEnterH("getsockname", h); err != nil {
		return netip.AddrPort{}, err
	}
	if _, err := t.wsaSocket("getsockname", h); err != nil {
		return netip.AddrPort{}, err
	}
	a, e := t.s.ws2.prov.WSPGetSockName(h)
	return a, t.wsaResult("getsockname", e)
}

// GetsocknameLen is getsockname with the caller's buffer: the local
// address goes to *name and its SOCKADDR size to *namelen. As on Windows
// (Wine sock.c test_getsockname), an unbound socket is WSAEINVAL and
// leaves the buffer alone; a NULL name or namelen, or a namelen smaller
// than the address, is WSAEFAULT and leaves *namelen as it was.
// https://learn.microsoft.com/windows/win32/api/winsock/nf-winsock-getsockname
func (t *Thread) GetsocknameLen(h SOCKET, name *netip.AddrPort, namelen *int32) error {
	if err := t.wsaEnterH("getsockname", h); err != nil {
		return err
	}
	if _, err := t.wsaSocket("getsockname", h); err != nil {
		return err
	}
	a, e := t.s.ws2.prov.WSPGetSockName(h)
	if e != 0 {
		return t.wsaResult("getsockname", e)
	}
	size := int32(provider.SizeofSockaddrInet4)
	if a.Addr().Is6() {
		size = provider.SizeofSockaddrInet6
	}
	if name == nil || namelen == nil || *namelen < size {
		return t.wsaResult("getsockname", wso.WSAEFAULT)
	}
	*name, *namelen = a, size
	return t.wsaResult("getsockname", 0)
}

// Getpeername implements getpeername: the socket's peer goes to *name and
// its SOCKADDR size to *namelen. The checks come in Windows' order (Wine
// sock.c test_getpeername): not a socket (WSAENOTSOCK), not connected
// (WSAENOTCONN, whatever the pointers), then a NULL name or namelen, or a
// namelen smaller than the address (WSAEFAULT, *namelen left alone).
// https://learn.microsoft.com/windows/win32/api/winsock/nf-winsock-getpeername
func (t *Thread) Getpeername(h SOCKET, name *netip.AddrPort, namelen *int32) error {
	if err := t.wsaEnterH("getpeername", h); err != nil {
		return err
	}
	if _, err := t.wsaSocket("getpeername", h); err != nil {
		return err
	}
	a, e := t.s.ws2.prov.WSPGetPeerName(h)
	if e != 0 {
		return t.wsaResult("getpeername", e)
	}
	size := int32(provider.SizeofSockaddrInet4)
	if a.Addr().Is6() {
		size = provider.SizeofSockaddrInet6
	}
	if name == nil || namelen == nil || *namelen < size {
		return t.wsaResult("getpeername", wso.WSAEFAULT)
	}
	*name, *namelen = a, size
	return t.wsaResult("getpeername", 0)
}

// Shutdown implements shutdown (SD_RECEIVE, SD_SEND, SD_BOTH).
// https://learn.microsoft.com/windows/win32/api/winsock/nf-winsock-shutdown
func (t *Thread) Shutdown(h SOCKET, how int32) error {
	if err := t.wsaEnterFmt("shutdown", argsHInt, uint64(h), uint64(uint32(how))); err != nil {
		return err
	}
	if _, err := t.wsaSocket("shutdown", h); err != nil {
		return err
	}
	return t.wsaResult("shutdown", t.s.ws2.prov.WSPShutdown(h, how))
}

// Closesocket implements closesocket: every pending operation on the
// socket, whichever thread issued it, completes with
// WSA_OPERATION_ABORTED through the mechanism it asked for; then the
// handle is gone (WSAENOTSOCK from then on).
// https://learn.microsoft.com/windows/win32/api/winsock/nf-winsock-closesocket
func (t *Thread) Closesocket(h SOCKET) error {
	if err := t.wsaEnterH("closesocket", h); err != nil {
		return err
	}
	if _, err := t.wsaSocket("closesocket", h); err != nil {
		return err
	}
	return t.wsaResult("closesocket", t.s.ws2.prov.WSPCloseSocket(h))
}

// Setsockopt implements setsockopt.
// https://learn.microsoft.com/windows/win32/api/winsock/nf-winsock-setsockopt
func (t *Thread) Setsockopt(h SOCKET, level, name int32, val []byte) error {
	if err := t.wsaEnterFmt("setsockopt", argsSetsockopt, uint64(h), uint64(uint32(level)), uint64(uint32(name)), uint64(len(val))); err != nil {
		return err
	}
	if _, err := t.wsaSocket("setsockopt", h); err != nil {
		return err
	}
	return t.wsaResult("setsockopt", t.s.ws2.prov.WSPSetSockOpt(h, level, name, val))
}

// Getsockopt implements getsockopt.
// https://learn.microsoft.com/windows/win32/api/winsock/nf-winsock-getsockopt
func (t *Thread) Getsockopt(h SOCKET, level, name int32, val []byte, optlen *int32) error {
	if err := t.wsaEnterFmt("getsockopt", argsGetsockopt, uint64(h), uint64(uint32(level)), uint64(uint32(name))); err != nil {
		return err
	}
	if _, err := t.wsaSocket("getsockopt", h); err != nil {
		return err
	}
	return t.wsaResult("getsockopt", t.s.ws2.prov.WSPGetSockOpt(h, level, name, val, optlen))
}

// socketError is SOCKET_ERROR (-1) as the trace records a return value.
const socketError = ^uint64(0)
