package mem_test

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"testing"

	"github.com/wsaemu/wsaemu/provider"
	"github.com/wsaemu/wsaemu/provider/mem"
)

// session runs a script on a provider and writes down everything the
// script can observe: each call's answer, the options and readiness of
// its sockets, the bytes it receives. Two sessions of one script that
// differ anywhere in their transcripts (or their machines' upcall logs)
// behaved differently.
type session struct {
	t   *testing.T
	p   *mem.Mem
	up  *fakeUp
	out []string
	ovs []*provider.Overlapped // records of operations left pending
}

func (q *session) note(format string, a ...any) { q.out = append(q.out, fmt.Sprintf(format, a...)) }

func (q *session) socket(af, typ int32) provider.SOCKET {
	s, e := q.p.WSPSocket(af, typ, 0, provider.WSA_FLAG_OVERLAPPED)
	q.note("socket %d %d: %v %v", af, typ, s, e)
	q.look(s)
	return s
}

func (q *session) bind(s provider.SOCKET, addr string) {
	a := netip.MustParseAddrPort(addr)
	q.note("bind %v %s: %v", s, addr, q.p.WSPBind(s, &a, provider.SizeofSockaddrInet6))
}

func (q *session) connect(s provider.SOCKET, addr string) {
	a := netip.MustParseAddrPort(addr)
	q.note("connect %v %s: %v", s, addr, q.p.WSPConnect(s, &a, provider.SizeofSockaddrInet6))
}

func (q *session) accept(l provider.SOCKET) provider.SOCKET {
	var from netip.AddrPort
	n := int32(provider.SizeofSockaddrInet6)
	s, e := q.p.WSPAccept(l, &from, &n)
	q.note("accept %v: %v %v %v", l, s, e, from)
	q.look(s)
	return s
}

func (q *session) setopt(s provider.SOCKET, level, name int32, v uint32) {
	b := binary.LittleEndian.AppendUint32(nil, v)
	q.note("setsockopt %v %d %d %d: %v", s, level, name, v, q.p.WSPSetSockOpt(s, level, name, b))
}

func (q *session) ioctl(s provider.SOCKET, code uint32, in uint32) {
	var ret uint32
	out := make([]byte, 4)
	e := q.p.WSPIoctl(s, code, binary.LittleEndian.AppendUint32(nil, in), out, &ret, nil, nil, nil)
	q.note("ioctl %v %#x %d: %v %d %x", s, code, in, e, ret, out)
}

func (q *session) send(s provider.SOCKET, data string, flags uint32, overlapped bool) {
	var sent uint32
	var ov *provider.Overlapped
	if overlapped {
		ov = &provider.Overlapped{}
		q.ovs = append(q.ovs, ov)
	}
	e := q.p.WSPSend(s, []provider.WSABUF{{Len: uint32(len(data)), Buf: []byte(data)}}, &sent, flags, ov, nil, tid(1))
	q.note("send %v %d bytes flags %d: %v %d", s, len(data), flags, e, sent)
}

func (q *session) sendTo(s provider.SOCKET, data, to string) {
	var sent uint32
	a := netip.MustParseAddrPort(to)
	e := q.p.WSPSendTo(s, []provider.WSABUF{{Len: uint32(len(data)), Buf: []byte(data)}}, &sent, 0, &a, provider.SizeofSockaddrInet6, nil, nil, nil)
	q.note("sendto %v %s %d bytes: %v %d", s, to, len(data), e, sent)
}

// recv receives into a buffer of n bytes (with a record: the operation
// may be left pending, its buffer never read again).
func (q *session) recv(s provider.SOCKET, n int, flags uint32, overlapped bool) {
	buf := make([]byte, n)
	var got uint32
	var ov *provider.Overlapped
	if overlapped {
		ov = &provider.Overlapped{}
		q.ovs = append(q.ovs, ov)
	}
	var from netip.AddrPort
	fromlen := int32(provider.SizeofSockaddrInet6)
	e := q.p.WSPRecvFrom(s, []provider.WSABUF{{Len: uint32(n), Buf: buf}}, &got, &flags, &from, &fromlen, ov, nil, tid(1))
	q.note("recv %v %d: %v %d %q flags %d from %v", s, n, e, got, buf[:min(int(got), n)], flags, from)
}

// look writes down what can be read of s without changing it (SO_ERROR
// aside, which reading clears).
func (q *session) look(s provider.SOCKET) {
	type opt struct{ level, name int32 }
	for _, o := range []opt{
		{provider.SOL_SOCKET, provider.SO_RCVBUF}, {provider.SOL_SOCKET, provider.SO_SNDBUF},
		{provider.SOL_SOCKET, provider.SO_RCVTIMEO}, {provider.SOL_SOCKET, provider.SO_SNDTIMEO},
		{provider.SOL_SOCKET, provider.SO_BROADCAST}, {provider.SOL_SOCKET, provider.SO_ERROR},
		{provider.SOL_SOCKET, provider.SO_TYPE}, {provider.SOL_SOCKET, provider.SO_MAX_MSG_SIZE},
		{provider.SOL_SOCKET, provider.SO_LINGER}, {provider.SOL_SOCKET, provider.SO_DONTLINGER},
		{provider.SOL_SOCKET, provider.SO_ACCEPTCONN}, {provider.SOL_SOCKET, provider.SO_OOBINLINE},
		{provider.SOL_SOCKET, provider.SO_CONNECT_TIME}, {provider.IPPROTO_TCP, provider.TCP_NODELAY},
		{provider.IPPROTO_IP, provider.IP_PKTINFO}, {provider.IPPROTO_IPV6, provider.IPV6_PKTINFO},
		{provider.IPPROTO_IPV6, provider.IPV6_V6ONLY},
	} {
		val := make([]byte, 4)
		n := int32(4)
		e := q.p.WSPGetSockOpt(s, o.level, o.name, val, &n)
		q.note("  opt %d %d: %v %x", o.level, o.name, e, val)
	}
	for _, code := range []uint32{provider.FIONREAD, provider.SIOCATMARK} {
		var ret uint32
		out := make([]byte, 4)
		e := q.p.WSPIoctl(s, code, nil, out, &ret, nil, nil, nil)
		q.note("  ioctl %#x: %v %x", code, e, out)
	}
	name, e1 := q.p.WSPGetSockName(s)
	peer, e2 := q.p.WSPGetPeerName(s)
	fds := []provider.WSAPOLLFD{{Fd: s, Events: provider.POLLRDNORM | provider.POLLWRNORM}}
	n, e3 := q.p.WSPPoll(fds, 0)
	ev, st, ok := q.p.AfdPollEvents(s)
	q.note("  name %v %v peer %v %v poll %d %v %#x afd %#x %v %v", name, e1, peer, e2, n, e3, fds[0].Revents, ev, st, ok)
}

// reuseScript is a mix of every kind of socket and most of the state a
// socket can hold: options away from their defaults, datagrams and
// stream bytes left unread, urgent bytes, sends and receives left
// pending, a connection never accepted, one detached by DisconnectEx, an
// event selection, shutdowns. Nothing is cleaned up. variant changes
// the order the parts run in, so that a reused provider hands each part
// records another part dirtied.
func reuseScript(q *session, variant int) {
	if e := q.p.WSPStartup(q.up); e != 0 {
		q.t.Fatalf("WSPStartup: %v", e)
	}
	parts := []func(){
		func() { // datagrams
			u := q.socket(provider.AF_INET, provider.SOCK_DGRAM)
			v := q.socket(provider.AF_INET, provider.SOCK_DGRAM)
			q.bind(u, "127.0.0.1:7000")
			q.bind(v, "127.0.0.1:7001")
			for _, o := range [][2]int32{{provider.SO_RCVBUF, 100}, {provider.SO_SNDBUF, 7}, {provider.SO_RCVTIMEO, 5}, {provider.SO_SNDTIMEO, 6}, {provider.SO_BROADCAST, 1}} {
				q.setopt(u, provider.SOL_SOCKET, o[0], uint32(o[1]))
			}
			q.setopt(u, provider.IPPROTO_IP, provider.IP_PKTINFO, 1)
			q.ioctl(u, provider.SIO_UDP_CONNRESET, 0)
			q.ioctl(u, provider.FIONBIO, 1)
			q.sendTo(v, "first datagram", "127.0.0.1:7000")
			q.sendTo(v, "second, longer datagram than the first", "127.0.0.1:7000")
			q.sendTo(v, "nobody there", "127.0.0.1:7999")
			q.recv(u, 5, provider.MSG_PEEK, false)
			q.look(u)
			q.look(v)
			q.connect(u, "127.0.0.1:7001")
			q.sendTo(v, "a third", "127.0.0.1:7000") // queued, never read
			w := q.socket(provider.AF_INET, provider.SOCK_DGRAM)
			q.bind(w, "127.0.0.1:0")
			q.recv(w, 10, 0, true) // left pending
			q.look(w)
			q.note("shutdown %v: %v", w, q.p.WSPShutdown(w, provider.SD_SEND))
		},
		func() { // IPv6 datagrams
			u := q.socket(provider.AF_INET6, provider.SOCK_DGRAM)
			q.setopt(u, provider.IPPROTO_IPV6, provider.IPV6_V6ONLY, 0)
			q.setopt(u, provider.IPPROTO_IPV6, provider.IPV6_PKTINFO, 1)
			q.bind(u, "[::1]:7002")
			q.sendTo(u, "to myself", "[::1]:7002")
			q.look(u)
		},
		func() { // a listener, connections accepted and not
			l := q.socket(provider.AF_INET, provider.SOCK_STREAM)
			q.bind(l, "127.0.0.1:7100")
			q.setopt(l, provider.SOL_SOCKET, provider.SO_LINGER, 1|3<<16)
			q.setopt(l, provider.IPPROTO_TCP, provider.TCP_NODELAY, 1)
			q.setopt(l, provider.SOL_SOCKET, provider.SO_OOBINLINE, 1)
			q.setopt(l, provider.SOL_SOCKET, provider.SO_RCVBUF, 10)
			q.note("listen %v: %v", l, q.p.WSPListen(l, 5))
			ev, _ := q.up.WPUCreateEvent()
			q.note("eventselect %v: %v", l, q.p.WSPEventSelect(l, ev, provider.FD_ACCEPT|provider.FD_READ))
			c1 := q.socket(provider.AF_INET, provider.SOCK_STREAM)
			q.setopt(c1, provider.SOL_SOCKET, provider.SO_SNDBUF, 10)
			q.connect(c1, "127.0.0.1:7100")
			a1 := q.accept(l)
			q.ioctl(c1, provider.FIONBIO, 1)
			q.send(c1, "twenty bytes fit, the rest does not", 0, false)
			q.send(c1, "this one pends behind them", 0, true)
			q.send(a1, "urgent!", provider.MSG_OOB, false)
			q.send(a1, "plain", 0, false)
			q.look(c1)
			q.look(a1)
			c2 := q.socket(provider.AF_INET, provider.SOCK_STREAM)
			q.connect(c2, "127.0.0.1:7100") // never accepted
			q.send(c2, "into the queue", 0, false)
			c3 := q.socket(provider.AF_INET, provider.SOCK_STREAM)
			q.connect(c3, "127.0.0.1:7100")
			a3 := q.accept(l)
			q.send(c3, "before the disconnect", 0, false)
			q.note("disconnectex %v: %v", c3, q.p.WSPDisconnectEx(c3, nil, provider.TF_REUSE_SOCKET, nil))
			q.note("shutdown %v: %v", a3, q.p.WSPShutdown(a3, provider.SD_RECEIVE))
			q.look(c3)
			q.look(a3)
			q.look(l)
			q.recv(a1, 4, 0, true)
			q.note("transmitpackets %v: %v", a1, q.p.WSPTransmitPackets(a1, []provider.TransmitElement{
				{Flags: provider.TP_ELEMENT_MEMORY, Len: 3, Buf: []byte("abc")},
				{Flags: provider.TP_ELEMENT_MEMORY, Len: 2, Buf: []byte("de")}}, 0, nil, 0, nil))
			q.recv(c1, 64, 0, false)
			q.look(c1)
		},
		func() { // AcceptEx, and a transmit reading a file
			l := q.socket(provider.AF_INET, provider.SOCK_STREAM)
			q.bind(l, "127.0.0.1:7300")
			q.note("listen %v: %v", l, q.p.WSPListen(l, 2))
			a := q.socket(provider.AF_INET, provider.SOCK_STREAM)
			buf := make([]byte, 8+2*(provider.SizeofSockaddrInet4+16))
			var got uint32
			ov := &provider.Overlapped{}
			q.ovs = append(q.ovs, ov)
			q.note("acceptex %v %v: %v", l, a, q.p.WSPAcceptEx(l, a, buf, 8, provider.SizeofSockaddrInet4+16, provider.SizeofSockaddrInet4+16, &got, ov, tid(1)))
			c := q.socket(provider.AF_INET, provider.SOCK_STREAM)
			q.connect(c, "127.0.0.1:7300")
			q.look(a)
			if q.up.files == nil {
				q.up.files = map[provider.Handle][]byte{}
			}
			file := q.up.handle()
			q.up.files[file] = []byte("the file's bytes, read in blocks of five")
			q.note("transmitpackets %v: %v", c, q.p.WSPTransmitPackets(c, []provider.TransmitElement{
				{Flags: provider.TP_ELEMENT_MEMORY, Len: 5, Buf: []byte("head:")},
				{Flags: provider.TP_ELEMENT_FILE, File: file},
				{Flags: provider.TP_ELEMENT_MEMORY, Len: 5, Buf: []byte(":tail")}}, 5, ov, 0, tid(1)))
			q.note("acceptex buffer %q, %d", buf[:8], got)
			q.look(a)
			q.recv(a, 100, 0, false)
			c2 := q.socket(provider.AF_INET, provider.SOCK_STREAM)
			q.connect(c2, "127.0.0.1:7300") // waits for an AcceptEx that never comes
			a2 := q.socket(provider.AF_INET, provider.SOCK_STREAM)
			q.note("acceptex %v %v: %v", l, a2, q.p.WSPAcceptEx(l, a2, make([]byte, 96), 16, provider.SizeofSockaddrInet4+16, provider.SizeofSockaddrInet4+16, &got, &provider.Overlapped{}, tid(1)))
			q.look(a2) // accepted, waiting for its first data
		},
		func() { // an IPv6 connection with bytes left both ways
			l := q.socket(provider.AF_INET6, provider.SOCK_STREAM)
			q.bind(l, "[::1]:7200")
			q.note("listen %v: %v", l, q.p.WSPListen(l, 1))
			c := q.socket(provider.AF_INET6, provider.SOCK_STREAM)
			q.connect(c, "[::1]:7200")
			a := q.accept(l)
			q.send(c, "six bytes left over", 0, false)
			q.send(a, "and these", 0, false)
			q.recv(a, 6, 0, false)
			q.look(a)
			q.look(c)
			q.note("close %v: %v", l, q.p.WSPCloseSocket(l))
		},
	}
	for i := range parts {
		parts[(i+variant)%len(parts)]()
	}
	q.up.fireDeferred()
	q.up.runAPCs()
}

// runScript runs variant v of the script on p with a new machine.
func runScript(t *testing.T, p *mem.Mem, v int) *session {
	q := &session{t: t, p: p, up: newFake(t)}
	reuseScript(q, v)
	return q
}

// A provider reused through Reset behaves as a new one: runs of the
// script, each after a Reset of one provider that ran other variants
// before (each leaving sockets open, data unread, options set and
// operations pending in the records reuse hands out again), write the
// same transcripts and make the same upcalls as runs on new providers.
// It checks that no option, byte, binding, queued connection, pending
// operation or readiness state of a run reaches the next.
func TestResetProviderBehavesAsNew(t *testing.T) {
	for _, kind := range []provider.Kind{provider.IFS, provider.NonIFS} {
		cfg := provider.Config{Kind: kind}
		const variants = 5
		var fresh [variants]*session
		for v := range variants {
			fresh[v] = runScript(t, mem.New(cfg), v)
		}
		p := mem.New(cfg)
		for run, v := range []int{0, 0, 1, 3, 4, 2, 0, 4, 2, 1, 3, 3} {
			if run > 0 {
				p.Reset(cfg)
				dirt, socks, streams := p.RecycledDirt()
				if dirt != "" {
					t.Fatalf("kind %v, after run %d: %s", kind, run-1, dirt)
				}
				if run > 1 && (socks == 0 || streams == 0) {
					t.Fatalf("kind %v, after run %d: %d socket and %d stream records kept: nothing to reuse", kind, run-1, socks, streams)
				}
			}
			q := runScript(t, p, v)
			if i := firstDiff(q.out, fresh[v].out); i >= 0 {
				t.Fatalf("kind %v, run %d (variant %d): transcript differs from a new provider's at line %d:\n got %s\nwant %s",
					kind, run, v, i, at(q.out, i), at(fresh[v].out, i))
			}
			if i := firstDiff(q.up.log, fresh[v].up.log); i >= 0 {
				t.Fatalf("kind %v, run %d (variant %d): upcall log differs at entry %d: %s, want %s",
					kind, run, v, i, at(q.up.log, i), at(fresh[v].up.log, i))
			}
		}
	}
}

// firstDiff is the first index where a and b differ, or -1.
func firstDiff(a, b []string) int {
	for i := range max(len(a), len(b)) {
		if i >= len(a) || i >= len(b) || a[i] != b[i] {
			return i
		}
	}
	return -1
}

func at(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return "(end)"
}
