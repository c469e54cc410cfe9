package mem

import (
	"encoding/binary"
	"net/netip"

	"github.com/wsaemu/wsaemu/provider"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// Mem is the in-memory service provider: UDP and TCP over an in-memory
// network of loopback addresses (127.0.0.0/8 and ::1). It never imports the emulator:
// everything it needs of the machine comes through the Upcalls table
// handed to WSPStartup.
type Mem struct {
	cfg     Config
	up      Upcalls
	started bool

	socks sockTable // the open sockets by handle (recycle.go)
	all   []*sock   // every open socket, in creation order
	net   network

	ops     []*op
	freeOps []int
	nextGen uint64

	trampoline func(uintptr) // p.runRoutine, made at its first use (apcRoutine)
	evFree     []Handle      // internal events for blocking calls
	gather     []byte        // scratch for gathering a send's buffers
	pollers    []Handle      // events of the select and WSAPoll calls waiting (readiness.go)
	afdWatch   func(SOCKET)  // the AFD poller's change hook (afd.go)

	rec recycler // records and buffers kept across Reset (recycle.go)
}

// New returns an in-memory provider. It does nothing until WSPStartup.
func New(cfg Config) *Mem {
	p := &Mem{cfg: cfg}
	p.net.nextPort = firstEphemeral
	return p
}

// Reset returns p to the state New(cfg) gives, keeping only memory: its
// tables (emptied), its operation records, and the socket and stream
// records with their buffers' storage (zeroed, recycle.go), so that a
// driver that runs many short-lived machines one after the other
// (explore, through emu's GoroutinePool) makes none of them again once
// its runs have. Nothing p handed out before (sockets, operations, the
// machine's handles it held) is valid after it.
func (p *Mem) Reset(cfg Config) {
	socks, all, net, tr := p.socks, p.all, p.net, p.trampoline
	socks.reset()
	clear(all)
	net.ports.reset()
	net.tcp.reset()
	// The operations' records stay, every one free, handed out again in
	// slot order as a new provider makes them (newOp): same slots, same
	// contexts. A record released is already as new (releaseOp); one
	// still in use has a generation.
	ops, free := p.ops, p.freeOps[:0]
	for _, o := range ops {
		if o.gen != 0 {
			o.clear()
		}
	}
	for i := len(ops) - 1; i >= 0; i-- {
		free = append(free, i)
	}
	rec := p.rec
	rec.reset()
	// The internal events and the pollers' events were the last
	// machine's handles: the lists are emptied, their storage kept.
	*p = Mem{cfg: cfg, socks: socks, all: all[:0], ops: ops, freeOps: free, gather: p.gather[:0],
		evFree: p.evFree[:0], pollers: p.pollers[:0], rec: rec}
	p.net = network{ports: net.ports, tcp: net.tcp, nextPort: firstEphemeral}
	p.trampoline = tr // p.runRoutine bound to this same p, or nil
}

// Kind implements ServiceProvider.
func (p *Mem) Kind() Kind { return p.cfg.Kind }

// sock is one socket's provider state.
type sock struct {
	handle      SOCKET
	af, typ     int32
	proto       int32
	overlapped  bool
	nonblocking bool

	bound     bool
	local     netip.AddrPort
	connected bool
	peer      netip.AddrPort

	rcvbuf, sndbuf     int32
	sndtimeo, rcvtimeo uint32
	pktinfo            bool
	v6only             bool
	broadcast          bool
	connreset          bool
	resetPending       bool
	shutRecv, shutSend bool
	soError            Errno

	queue  []dgram
	qh     int
	queued int // bytes waiting

	recvs    opList // receives waiting for a datagram, in issue order
	sends    opList // sends whose completion is deferred
	deferred opList // receives that took a datagram and whose completion is deferred

	inRoutine []uintptr // threads (WSATHREADID.Reserved) inside a completion routine of this socket
	held      []*op     // routines that arrived on such a thread while one was running there

	st *stream // a stream (TCP) socket's connection state (stream.go); nil for UDP

	rd evsel // WSAEventSelect state (readiness.go)
}

type dgram struct {
	data []byte
	from netip.AddrPort
	to   netip.AddrPort
}

// network is the in-memory network: which socket is bound where. UDP and
// TCP ports are separate name spaces, as on Windows.
type network struct {
	ports    portMap // UDP
	tcp      portMap // TCP
	nextPort uint16
}

// portMap is one protocol's bindings: the socket bound at each address,
// and how many bindings each port has per family, so that binding the
// wildcard address checks for a specific binding on its port in constant
// time instead of walking every binding (which made opening n connections
// cost n² steps). The maps are made at the first binding.
type portMap struct {
	at   map[netip.AddrPort]*sock
	use  map[portUse]int
	puts int // bindings made since the maps were made or emptied
}

// portUse is a port of one address family.
type portUse struct {
	port uint16
	v6   bool
}

func useOf(ap netip.AddrPort) portUse { return portUse{ap.Port(), ap.Addr().Is6()} }

// smallPorts is how many bindings a run may make for Reset to empty its
// maps rather than make new ones: emptying a map costs as much as the
// most entries it ever held, so the maps one big run grew would slow the
// Reset of every later run. Up to 8 entries a map stays one group.
const smallPorts = 8

// reset empties n for a new run: the maps are emptied, or dropped (the
// next binding makes new ones) when the last run made more than
// smallPorts bindings.
func (n *portMap) reset() {
	if n.puts > smallPorts {
		*n = portMap{}
		return
	}
	clear(n.at)
	clear(n.use)
	n.puts = 0
}

// put binds k at ap.
func (n *portMap) put(ap netip.AddrPort, k *sock) {
	if n.at == nil {
		n.at, n.use = make(map[netip.AddrPort]*sock), make(map[portUse]int)
	}
	n.puts++
	if _, ok := n.at[ap]; !ok {
		n.use[useOf(ap)]++
	}
	n.at[ap] = k
}

// del removes the binding at ap, if k holds it (any socket if k is nil).
func (n portMap) del(ap netip.AddrPort, k *sock) {
	if b, ok := n.at[ap]; !ok || (k != nil && b != k) {
		return
	}
	delete(n.at, ap)
	u := useOf(ap)
	if n.use[u]--; n.use[u] == 0 {
		delete(n.use, u)
	}
}

// table is the bindings of k's protocol.
func (n *network) table(k *sock) *portMap {
	if k.st != nil {
		return &n.tcp
	}
	return &n.ports
}

// Maximum datagram sizes reported by SO_MAX_MSG_SIZE for UDP.
const (
	maxUDPMsgSize4 = 65507 // 65535 - 20 (IPv4 header) - 8 (UDP header)
	maxUDPMsgSize6 = 65527 // 65535 - 8 (the IPv6 payload length excludes its header)
)

// Default buffer sizes of a new socket.
const (
	defaultRcvBuf = 65536
	defaultSndBuf = 65536
)

const firstEphemeral = 49152

var (
	loop4 = netip.AddrFrom4([4]byte{127, 0, 0, 1})
	any4  = netip.IPv4Unspecified()
	any6  = netip.IPv6Unspecified()
)

func isLocal(a netip.Addr) bool {
	if a.Is4() {
		return a.IsLoopback()
	}
	return a == netip.IPv6Loopback()
}

func familyOf(a netip.Addr) int32 {
	if a.Is4() {
		return provider.AF_INET
	}
	return provider.AF_INET6
}

func (n *network) ephemeral(m *portMap, addr netip.Addr) (netip.AddrPort, bool) {
	for i := 0; i < 65536-firstEphemeral; i++ {
		port := n.nextPort
		n.nextPort++
		if n.nextPort == 0 {
			n.nextPort = firstEphemeral
		}
		ap := netip.AddrPortFrom(addr, port)
		if m.free(ap) {
			return ap, true
		}
	}
	return netip.AddrPort{}, false
}

// free reports whether nothing is bound where ap would conflict: the same
// address and port, or a wildcard on the port, or ap a wildcard over a
// specific binding of its family.
func (n portMap) free(ap netip.AddrPort) bool {
	if _, ok := n.at[ap]; ok {
		return false
	}
	wild := any4
	if ap.Addr().Is6() {
		wild = any6
	}
	if _, ok := n.at[netip.AddrPortFrom(wild, ap.Port())]; ok {
		return false
	}
	if ap.Addr().IsUnspecified() && n.use[useOf(ap)] > 0 {
		return false
	}
	return true
}

// lookup finds the socket a datagram to dst is delivered to.
func (n *network) lookup(dst netip.AddrPort) *sock { return n.ports.lookup(dst) }

// lookup finds the socket bound where dst reaches: the exact address, or
// the wildcard of its family on the port.
func (n portMap) lookup(dst netip.AddrPort) *sock {
	if s, ok := n.at[dst]; ok {
		return s
	}
	wild := any4
	if dst.Addr().Is6() {
		wild = any6
	}
	return n.at[netip.AddrPortFrom(wild, dst.Port())]
}

// WSPStartup implements WSPStartup: the provider receives the upcall
// table.
// https://learn.microsoft.com/windows/win32/api/ws2spi/nf-ws2spi-wspstartup
func (p *Mem) WSPStartup(up Upcalls) Errno {
	if up == nil {
		return wso.WSAEFAULT
	}
	p.up = up
	p.started = true
	return 0
}

// WSPCleanup implements WSPCleanup: every socket still open is closed.
// https://learn.microsoft.com/windows/win32/api/ws2spi/nf-ws2spi-lpwspcleanup
func (p *Mem) WSPCleanup() Errno {
	if !p.started {
		return wso.WSANOTINITIALISED
	}
	for len(p.all) > 0 {
		p.WSPCloseSocket(p.all[0].handle)
	}
	p.started = false
	return 0
}

func (p *Mem) sock(s SOCKET) (*sock, Errno) {
	if !p.started {
		return nil, wso.WSANOTINITIALISED
	}
	k, ok := p.socks.get(s)
	if !ok {
		return nil, wso.WSAENOTSOCK
	}
	return k, 0
}

// WSPSocket implements WSPSocket for UDP (SOCK_DGRAM) and TCP
// (SOCK_STREAM) over IPv4 and IPv6. Other types and protocols are not
// carried by this provider.
// https://learn.microsoft.com/windows/win32/api/ws2spi/nf-ws2spi-lpwspsocket
func (p *Mem) WSPSocket(af, typ, protocol int32, flags uint32) (SOCKET, Errno) {
	if !p.started {
		return provider.INVALID_SOCKET, wso.WSANOTINITIALISED
	}
	switch {
	case af != provider.AF_INET && af != provider.AF_INET6:
		return provider.INVALID_SOCKET, wso.WSAEAFNOSUPPORT
	case typ != provider.SOCK_DGRAM && typ != provider.SOCK_STREAM:
		return provider.INVALID_SOCKET, wso.WSAESOCKTNOSUPPORT
	case typ == provider.SOCK_DGRAM && protocol != 0 && protocol != provider.IPPROTO_UDP,
		typ == provider.SOCK_STREAM && protocol != 0 && protocol != provider.IPPROTO_TCP:
		return provider.INVALID_SOCKET, wso.WSAEPROTONOSUPPORT
	case flags&^provider.WSA_FLAG_OVERLAPPED != 0:
		return provider.INVALID_SOCKET, wso.WSAEINVAL
	}
	k := p.newSock(sock{af: af, typ: typ, proto: provider.IPPROTO_UDP, overlapped: flags&provider.WSA_FLAG_OVERLAPPED != 0,
		rcvbuf: defaultRcvBuf, sndbuf: defaultSndBuf, connreset: true, v6only: af == provider.AF_INET6})
	if typ == provider.SOCK_STREAM {
		k.proto, k.st = provider.IPPROTO_TCP, p.newStream(stream{})
	}
	h, e := p.newHandle()
	if e != 0 {
		return provider.INVALID_SOCKET, e
	}
	k.handle = h
	p.socks.put(h, k)
	p.all = append(p.all, k)
	return h, 0
}

// newHandle asks the layer above for a new socket's handle: an IFS
// provider's is a file handle (IFSCreateSocketHandle), a non-IFS one's
// comes from the WPU (WPUCreateSocketHandle).
func (p *Mem) newHandle() (SOCKET, Errno) {
	if p.cfg.Kind == provider.IFS {
		return p.up.IFSCreateSocketHandle(0)
	}
	return p.up.WPUCreateSocketHandle(p.cfg.CatalogEntryID, 0)
}

func checkName(k *sock, name *netip.AddrPort, namelen int32) Errno {
	if name == nil {
		return wso.WSAEFAULT
	}
	need := int32(provider.SizeofSockaddrInet4)
	if k.af == provider.AF_INET6 {
		need = provider.SizeofSockaddrInet6
	}
	if namelen < need {
		return wso.WSAEFAULT
	}
	if familyOf(name.Addr()) != k.af || !name.IsValid() {
		return wso.WSAEAFNOSUPPORT
	}
	return 0
}

// WSPBind implements WSPBind. Only loopback and wildcard addresses exist on
// the in-memory network; port 0 picks an ephemeral port.
// https://learn.microsoft.com/windows/win32/api/ws2spi/nf-ws2spi-lpwspbind
func (p *Mem) WSPBind(s SOCKET, name *netip.AddrPort, namelen int32) Errno {
	k, e := p.sock(s)
	if e != 0 {
		return e
	}
	if e := checkName(k, name, namelen); e != 0 {
		return e
	}
	if k.bound || (k.st != nil && k.st.x.pending != nil) {
		// (An AcceptEx accepting into the socket binds it itself.)
		return wso.WSAEINVAL
	}
	return p.bind(k, *name)
}

func (p *Mem) bind(k *sock, ap netip.AddrPort) Errno {
	a := ap.Addr()
	if !a.IsUnspecified() && !isLocal(a) {
		return wso.WSAEADDRNOTAVAIL
	}
	tbl := p.net.table(k)
	if ap.Port() == 0 {
		var ok bool
		if ap, ok = p.net.ephemeral(tbl, a); !ok {
			return wso.WSAENOBUFS
		}
	} else if !tbl.free(ap) {
		return wso.WSAEADDRINUSE
	}
	k.local, k.bound = ap, true
	tbl.put(ap, k)
	if k.st != nil {
		k.st.bindKey = ap
	}
	return 0
}

// implicitBind binds an unbound socket to the wildcard address and an
// ephemeral port, as a first send does.
func (p *Mem) implicitBind(k *sock) Errno {
	if k.bound {
		return 0
	}
	a := any4
	if k.af == provider.AF_INET6 {
		a = any6
	}
	return p.bind(k, netip.AddrPortFrom(a, 0))
}

// WSPConnect implements WSPConnect for a datagram socket: it sets the
// default peer that sends without an address go to, and receives then take
// datagrams from that peer only. The unspecified address clears it.
// https://learn.microsoft.com/windows/win32/api/ws2spi/nf-ws2spi-lpwspconnect
func (p *Mem) WSPConnect(s SOCKET, name *netip.AddrPort, namelen int32) Errno {
	k, e := p.sock(s)
	if e != 0 {
		return e
	}
	if e := checkName(k, name, namelen); e != 0 {
		return e
	}
	if k.st != nil {
		return p.streamConnect(k, *name)
	}
	if name.Addr().IsUnspecified() {
		k.connected = false
		return 0
	}
	if !isLocal(name.Addr()) {
		return wso.WSAENETUNREACH
	}
	if e := p.implicitBind(k); e != 0 {
		return e
	}
	k.connected, k.peer = true, *name
	return 0
}

// WSPGetSockName implements WSPGetSockName.
// https://learn.microsoft.com/windows/win32/api/ws2spi/nf-ws2spi-lpwspgetsockname
func (p *Mem) WSPGetSockName(s SOCKET) (netip.AddrPort, Errno) {
	k, e := p.sock(s)
	if e != 0 {
		return netip.AddrPort{}, e
	}
	if !k.bound || ctxErr(k, ctxCallName) != 0 {
		return netip.AddrPort{}, wso.WSAEINVAL
	}
	return k.local, 0
}

// WSPGetPeerName implements WSPGetPeerName: the address connect gave a
// datagram socket; a socket never connected (sendto does not connect it)
// is WSAENOTCONN.
// https://learn.microsoft.com/windows/win32/api/ws2spi/nc-ws2spi-lpwspgetpeername
func (p *Mem) WSPGetPeerName(s SOCKET) (netip.AddrPort, Errno) {
	k, e := p.sock(s)
	if e != 0 {
		return netip.AddrPort{}, e
	}
	if !k.connected || ctxErr(k, ctxCallPeer) != 0 {
		return netip.AddrPort{}, wso.WSAENOTCONN
	}
	return k.peer, 0
}

// WSPShutdown implements WSPShutdown: SD_SEND stops sends, SD_RECEIVE
// stops receives (receives still waiting fail with WSAESHUTDOWN), SD_BOTH
// both.
// https://learn.microsoft.com/windows/win32/api/ws2spi/nf-ws2spi-lpwspshutdown
func (p *Mem) WSPShutdown(s SOCKET, how int32) Errno {
	k, e := p.sock(s)
	if e != 0 {
		return e
	}
	switch how {
	case provider.SD_RECEIVE, provider.SD_SEND, provider.SD_BOTH:
	default:
		return wso.WSAEINVAL
	}
	if k.st != nil {
		return p.streamShutdown(k, how)
	}
	if how != provider.SD_SEND {
		p.shutdownRecvs(k)
	}
	if how != provider.SD_RECEIVE {
		k.shutSend = true
	}
	return 0
}

// shutdownRecvs is SD_RECEIVE on k, datagram or stream: later receives are
// refused. Current Windows does not fail one already pending: it completes
// with the next data (Wine's dlls/ws2_32/tests/sock.c, test_shutdown, which
// passes on Windows). The reading of the WSARecv page fails it with
// WSAESHUTDOWN.
func (p *Mem) shutdownRecvs(k *sock) {
	k.shutRecv = true
	for o := k.recvs.head; o != nil && !p.cfg.ShutdownKeepsPendingRecvs; {
		next := o.next
		k.recvs.remove(o)
		p.complete(o, wso.STATUS_PIPE_DISCONNECTED, 0, 0)
		o = next
	}
}

// WSPCloseSocket implements WSPCloseSocket: every pending operation on the
// socket, whichever thread issued it, completes with STATUS_CANCELLED
// (WSA_OPERATION_ABORTED) through the mechanism it asked for, before the
// handle goes away.
// https://learn.microsoft.com/windows/win32/api/ws2spi/nf-ws2spi-lpwspclosesocket
func (p *Mem) WSPCloseSocket(s SOCKET) Errno {
	k, e := p.sock(s)
	if e != 0 {
		return e
	}
	if e := lingerRefuse(k); e != 0 {
		return e
	}
	p.closeExt(k)
	k.rd.mask = 0 // readiness.go: no event is recorded for a closed socket
	if k.st != nil && p.cfg.CloseAbortsStreamIO {
		p.abortStreamOps(k)
	}
	p.cancelOps(k, nil, nil)
	if k.st != nil {
		p.lingerWait(k)
		p.streamClose(k)
	}
	// Deferred completions already decided still complete: their results
	// stand.
	for o := k.sends.head; o != nil; {
		next := o.next
		p.finishDeferred(o)
		o = next
	}
	for o := k.deferred.head; o != nil; {
		next := o.next
		p.finishDeferred(o)
		o = next
	}
	if k.bound {
		p.net.ports.del(k.local, nil)
	}
	p.socks.del(s)
	p.afdChanged(s) // afd.go: a poll on s sees AFD_POLL_LOCAL_CLOSE
	for i, x := range p.all {
		if x == k {
			p.all = append(p.all[:i], p.all[i+1:]...)
			break
		}
	}
	if p.cfg.Kind == provider.IFS {
		p.up.IFSCloseSocketHandle(s)
	} else {
		p.up.WPUCloseSocketHandle(s)
	}
	p.changed(k) // readiness.go: a select or WSAPoll waiting on s wakes
	return 0
}

// Cancel implements ServiceProvider.
func (p *Mem) Cancel(s SOCKET, ov *Overlapped, tid *WSATHREADID) int {
	k, e := p.sock(s)
	if e != 0 {
		return 0
	}
	return p.cancelOps(k, ov, tid)
}

// CancelThread implements ServiceProvider.
func (p *Mem) CancelThread(tid *WSATHREADID) int {
	n := 0
	for _, k := range p.all {
		n += p.cancelOps(k, nil, tid)
	}
	return n
}

// cancelOps completes with STATUS_CANCELLED every receive of k still
// waiting that matches ov and tid. Operations whose result is already
// decided are counted but complete with their result: the cancel lost.
func (p *Mem) cancelOps(k *sock, ov *Overlapped, tid *WSATHREADID) int {
	n := 0
	match := func(o *op) bool {
		return (ov == nil || o.ov == ov) && (tid == nil || o.tid.Reserved == tid.Reserved)
	}
	for o := k.recvs.head; o != nil; {
		next := o.next
		if match(o) {
			n++
			k.recvs.remove(o)
			p.complete(o, wso.STATUS_CANCELLED, 0, 0)
		}
		o = next
	}
	if k.st != nil {
		n += p.cancelStream(k, match)
	}
	for _, l := range []*opList{&k.sends, &k.deferred} {
		for o := l.head; o != nil; o = o.next {
			if match(o) {
				n++
			}
		}
	}
	return n
}

// WSPSetSockOpt implements WSPSetSockOpt for the options a UDP socket has
// here. An unknown option gives WSAENOPROTOOPT; a value too short,
// WSAEFAULT.
// https://learn.microsoft.com/windows/win32/api/ws2spi/nf-ws2spi-lpwspsetsockopt
func (p *Mem) WSPSetSockOpt(s SOCKET, level, name int32, val []byte) Errno {
	k, e := p.sock(s)
	if e != 0 {
		return e
	}
	if e, ok := p.extSetSockOpt(k, level, name, val); ok {
		return e
	}
	if len(val) < 4 {
		if knownOpt(level, name) {
			return wso.WSAEFAULT
		}
		return wso.WSAENOPROTOOPT
	}
	v := binary.LittleEndian.Uint32(val)
	switch {
	case level == provider.SOL_SOCKET && name == provider.SO_RCVBUF:
		k.rcvbuf = int32(v)
	case level == provider.SOL_SOCKET && name == provider.SO_SNDBUF:
		k.sndbuf = int32(v)
	case level == provider.SOL_SOCKET && name == provider.SO_RCVTIMEO:
		k.rcvtimeo = v
	case level == provider.SOL_SOCKET && name == provider.SO_SNDTIMEO:
		k.sndtimeo = v
	case level == provider.SOL_SOCKET && name == provider.SO_BROADCAST:
		k.broadcast = v != 0
	case level == provider.SOL_SOCKET && name == provider.SO_REUSEADDR:
	case level == provider.SOL_SOCKET && name == provider.SO_LINGER && k.st != nil:
		// LINGER: u_short l_onoff, then u_short l_linger (seconds).
		k.st.linger, k.st.lingerSecs = v&0xffff != 0, uint16(v>>16)
	case level == provider.SOL_SOCKET && name == provider.SO_DONTLINGER && k.st != nil:
		k.st.linger = v == 0
	case level == provider.IPPROTO_TCP && name == provider.TCP_NODELAY && k.st != nil:
		k.st.nodelay = v != 0
	case level == provider.SOL_SOCKET && name == provider.SO_OOBINLINE && k.st != nil:
		k.st.oobinline = v != 0
	case level == provider.IPPROTO_IP && name == provider.IP_PKTINFO && k.af == provider.AF_INET:
		k.pktinfo = v != 0
	case level == provider.IPPROTO_IPV6 && name == provider.IPV6_PKTINFO && k.af == provider.AF_INET6:
		k.pktinfo = v != 0
	case level == provider.IPPROTO_IPV6 && name == provider.IPV6_V6ONLY && k.af == provider.AF_INET6:
		if k.bound {
			return wso.WSAEINVAL
		}
		k.v6only = v != 0
	default:
		return wso.WSAENOPROTOOPT
	}
	if k.st != nil && (name == provider.SO_RCVBUF || name == provider.SO_SNDBUF) && level == provider.SOL_SOCKET {
		// Bigger buffers take more of what waits: both directions move on.
		p.flow(k)
		p.flow(k.st.peer)
	}
	return 0
}

func knownOpt(level, name int32) bool {
	switch level {
	case provider.SOL_SOCKET:
		switch name {
		case provider.SO_RCVBUF, provider.SO_SNDBUF, provider.SO_RCVTIMEO, provider.SO_SNDTIMEO, provider.SO_BROADCAST, provider.SO_REUSEADDR, provider.SO_ERROR, provider.SO_TYPE, provider.SO_MAX_MSG_SIZE,
			provider.SO_LINGER, provider.SO_DONTLINGER, provider.SO_ACCEPTCONN, provider.SO_OOBINLINE:
			return true
		}
	case provider.IPPROTO_TCP:
		return name == provider.TCP_NODELAY
	case provider.IPPROTO_IP:
		return name == provider.IP_PKTINFO
	case provider.IPPROTO_IPV6:
		return name == provider.IPV6_PKTINFO || name == provider.IPV6_V6ONLY
	}
	return false
}

// knownLevel says whether a socket option level is one Windows' TCP/IP
// provider has.
func knownLevel(level int32) bool {
	switch level {
	case provider.SOL_SOCKET, provider.IPPROTO_IP, provider.IPPROTO_IPV6, provider.IPPROTO_UDP, provider.IPPROTO_TCP:
		return true
	}
	return false
}

// WSPGetSockOpt implements WSPGetSockOpt. SO_MAX_MSG_SIZE is 65507 for UDP
// over IPv4 and 65527 over IPv6.
// https://learn.microsoft.com/windows/win32/api/ws2spi/nf-ws2spi-lpwspgetsockopt
func (p *Mem) WSPGetSockOpt(s SOCKET, level, name int32, val []byte, optlen *int32) Errno {
	k, e := p.sock(s)
	if e != 0 {
		return e
	}
	if optlen == nil {
		return wso.WSAEFAULT
	}
	if !knownLevel(level) {
		// A level no protocol has is WSAEINVAL, not WSAENOPROTOOPT
		// (Wine's sock.c test_extendedSocketOptions, which passes on
		// Windows: 0xffffffff, 0x1234ffff, 0x8000ffff, 0x8000, 0x800).
		return wso.WSAEINVAL
	}
	v, ok := p.extGetSockOpt(k, level, name)
	switch {
	case ok:
	case level == provider.SOL_SOCKET && name == provider.SO_RCVBUF:
		v = uint32(k.rcvbuf)
	case level == provider.SOL_SOCKET && name == provider.SO_SNDBUF:
		v = uint32(k.sndbuf)
	case level == provider.SOL_SOCKET && name == provider.SO_RCVTIMEO:
		v = k.rcvtimeo
	case level == provider.SOL_SOCKET && name == provider.SO_SNDTIMEO:
		v = k.sndtimeo
	case level == provider.SOL_SOCKET && name == provider.SO_BROADCAST:
		v = b2u(k.broadcast)
	case level == provider.SOL_SOCKET && name == provider.SO_ERROR:
		v = uint32(k.soError)
		k.soError = 0
	case level == provider.SOL_SOCKET && name == provider.SO_TYPE:
		v = uint32(k.typ)
	case level == provider.SOL_SOCKET && name == provider.SO_MAX_MSG_SIZE && k.st == nil:
		v = uint32(maxMsgSize(k))
	case level == provider.SOL_SOCKET && name == provider.SO_LINGER && k.st != nil:
		v = b2u(k.st.linger) | uint32(k.st.lingerSecs)<<16
	case level == provider.SOL_SOCKET && name == provider.SO_DONTLINGER && k.st != nil:
		v = b2u(!k.st.linger)
	case level == provider.SOL_SOCKET && name == provider.SO_ACCEPTCONN && k.st != nil:
		v = b2u(k.st.state == stListening)
	case level == provider.IPPROTO_TCP && name == provider.TCP_NODELAY && k.st != nil:
		v = b2u(k.st.nodelay)
	case level == provider.SOL_SOCKET && name == provider.SO_OOBINLINE && k.st != nil:
		v = b2u(k.st.oobinline)
	case level == provider.IPPROTO_IP && name == provider.IP_PKTINFO && k.af == provider.AF_INET:
		v = b2u(k.pktinfo)
	case level == provider.IPPROTO_IPV6 && name == provider.IPV6_PKTINFO && k.af == provider.AF_INET6:
		v = b2u(k.pktinfo)
	case level == provider.IPPROTO_IPV6 && name == provider.IPV6_V6ONLY && k.af == provider.AF_INET6:
		v = b2u(k.v6only)
	default:
		return wso.WSAENOPROTOOPT
	}
	if *optlen < 4 || len(val) < 4 {
		return wso.WSAEFAULT
	}
	binary.LittleEndian.PutUint32(val, v)
	*optlen = 4
	return 0
}

func maxMsgSize(k *sock) int {
	if k.af == provider.AF_INET6 {
		return maxUDPMsgSize6
	}
	return maxUDPMsgSize4
}

func b2u(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}
