package mem_test

import (
	"net/netip"
	"testing"
	"time"

	"github.com/wsaemu/wsaemu/provider"
	"github.com/wsaemu/wsaemu/provider/mem"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// quietUp is a machine that allocates nothing: handles are numbered as
// emu numbers them (small multiples of four, the lowest free first),
// events are flags, completions are counted, nothing is logged.
type quietUp struct {
	handles [64]bool // handle 4(i+1) in use
	events  [64]bool // signalled, by handle slot
	done    int      // completions reported
}

func (u *quietUp) handle() provider.Handle {
	for i, used := range u.handles {
		if !used {
			u.handles[i] = true
			return provider.Handle(4 * (i + 1))
		}
	}
	panic("quietUp: out of handles")
}

func (u *quietUp) free(h provider.Handle) { u.handles[h/4-1] = false }

func (u *quietUp) WPUCreateSocketHandle(uint32, uintptr) (provider.SOCKET, provider.Errno) {
	return provider.SOCKET(u.handle()), 0
}
func (u *quietUp) WPUCloseSocketHandle(s provider.SOCKET) provider.Errno {
	u.free(provider.Handle(s))
	return 0
}
func (u *quietUp) WPUQuerySocketHandleContext(provider.SOCKET) (uintptr, provider.Errno) {
	return 0, 0
}
func (u *quietUp) WPUCompleteOverlappedRequest(provider.SOCKET, *provider.Overlapped, provider.Errno, uint32) provider.Errno {
	u.done++
	return 0
}
func (u *quietUp) WPUQueueApc(*provider.WSATHREADID, func(uintptr), uintptr) provider.Errno {
	return 0
}
func (u *quietUp) WPUCreateEvent() (provider.Handle, provider.Errno) { return u.handle(), 0 }
func (u *quietUp) WPUSetEvent(h provider.Handle) provider.Errno {
	u.events[h/4-1] = true
	return 0
}
func (u *quietUp) WPUResetEvent(h provider.Handle) provider.Errno {
	u.events[h/4-1] = false
	return 0
}
func (u *quietUp) WPUCloseEvent(h provider.Handle) provider.Errno {
	u.free(h)
	return 0
}
func (u *quietUp) IFSCreateSocketHandle(uintptr) (provider.SOCKET, provider.Errno) {
	return provider.SOCKET(u.handle()), 0
}
func (u *quietUp) IFSCloseSocketHandle(s provider.SOCKET) provider.Errno {
	u.free(provider.Handle(s))
	return 0
}
func (u *quietUp) IFSCompleteRequest(provider.SOCKET, *provider.Overlapped, wso.NTStatus, uint32, uint32) {
	u.done++
}
func (u *quietUp) WaitForSingleObjectEx(h provider.Handle, _ uint32, _ bool) (uint32, provider.Errno) {
	if u.events[h/4-1] {
		return wso.WAIT_OBJECT_0, 0
	}
	return uint32(wso.WAIT_TIMEOUT), 0
}
func (u *quietUp) Now() time.Duration                 { return 0 }
func (u *quietUp) Pend() bool                         { return false }
func (u *quietUp) Unsettled() bool                    { return false }
func (u *quietUp) Split(max int) int                  { return max }
func (u *quietUp) Reset() wso.NTStatus                { return 0 }
func (u *quietUp) Defer(provider.Deferrable, uintptr) {}
func (u *quietUp) Observer() wso.Observer             { return nil }
func (u *quietUp) Note(string)                        {}
func (u *quietUp) ReadHandle(provider.Handle, []byte, provider.Deferrable, uintptr) (int, provider.ReadState, provider.Errno) {
	return 0, 0, wso.ERROR_INVALID_HANDLE
}

// cycle is one short run on a reset provider, as explore's runs are:
// a TCP connection made, accepted, bytes sent both ways (blocking and
// overlapped) and received, datagrams sent and received, everything
// closed. Every argument that the provider may keep is made once, by
// the caller, so that only the provider's allocations are counted.
type cycle struct {
	t          testing.TB
	p          *mem.Mem
	cfg        provider.Config
	up         quietUp
	data, buf  []byte
	n, flags   uint32
	ov         provider.Overlapped
	addr, from netip.AddrPort
	addrlen    int32
	wsabuf     [1]provider.WSABUF // data
	rbuf       [1]provider.WSABUF // buf
}

func (c *cycle) must(what string, e provider.Errno) {
	if e != 0 {
		c.t.Fatalf("%s: %v", what, e)
	}
}

func (c *cycle) run() {
	p := c.p
	p.Reset(c.cfg)
	c.up = quietUp{}
	c.must("WSPStartup", p.WSPStartup(&c.up))
	wsabuf, rbuf := c.wsabuf[:], c.rbuf[:]

	l, e := p.WSPSocket(provider.AF_INET, provider.SOCK_STREAM, 0, provider.WSA_FLAG_OVERLAPPED)
	c.must("socket", e)
	c.addr = netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, 1}), 5000)
	c.must("bind", p.WSPBind(l, &c.addr, provider.SizeofSockaddrInet4))
	c.must("listen", p.WSPListen(l, 5))
	k, e := p.WSPSocket(provider.AF_INET, provider.SOCK_STREAM, 0, provider.WSA_FLAG_OVERLAPPED)
	c.must("socket", e)
	c.must("connect", p.WSPConnect(k, &c.addr, provider.SizeofSockaddrInet4))
	c.addrlen = provider.SizeofSockaddrInet4
	a, e := p.WSPAccept(l, &c.from, &c.addrlen)
	c.must("accept", e)
	c.must("send", p.WSPSend(k, wsabuf, &c.n, 0, nil, nil, nil))
	c.flags = 0
	c.must("recv", p.WSPRecv(a, rbuf, &c.n, &c.flags, nil, nil, nil))
	c.ov = provider.Overlapped{}
	c.must("overlapped send", p.WSPSend(a, wsabuf, &c.n, 0, &c.ov, nil, tid(1)))
	c.flags = 0
	c.must("recv", p.WSPRecv(k, rbuf, &c.n, &c.flags, nil, nil, nil))
	for _, s := range [...]provider.SOCKET{k, a, l} {
		c.must("close", p.WSPCloseSocket(s))
	}

	u, e := p.WSPSocket(provider.AF_INET, provider.SOCK_DGRAM, 0, 0)
	c.must("socket", e)
	c.must("bind", p.WSPBind(u, &c.addr, provider.SizeofSockaddrInet4))
	v, e := p.WSPSocket(provider.AF_INET, provider.SOCK_DGRAM, 0, 0)
	c.must("socket", e)
	c.must("sendto", p.WSPSendTo(v, wsabuf, &c.n, 0, &c.addr, provider.SizeofSockaddrInet4, nil, nil, nil))
	c.flags, c.addrlen = 0, provider.SizeofSockaddrInet4
	c.must("recvfrom", p.WSPRecvFrom(u, rbuf, &c.n, &c.flags, &c.from, &c.addrlen, nil, nil, nil))
	if int(c.n) != len(c.data) {
		c.t.Fatalf("recvfrom: %d bytes, want %d", c.n, len(c.data))
	}
	c.must("cleanup", p.WSPCleanup())
}

func newCycle(t testing.TB, kind provider.Kind) *cycle {
	cfg := provider.Config{Kind: kind}
	c := &cycle{t: t, p: mem.New(cfg), cfg: cfg, data: make([]byte, 1000), buf: make([]byte, 2000)}
	c.wsabuf[0] = provider.WSABUF{Len: uint32(len(c.data)), Buf: c.data}
	c.rbuf[0] = provider.WSABUF{Len: uint32(len(c.buf)), Buf: c.buf}
	return c
}

// A run on a reset provider allocates nothing: the socket and stream
// records, the rings' storage, the datagram buffers, the operation
// records, the handle table and the port maps of the runs before serve
// it (the first run, which makes them, is AllocsPerRun's warm-up).
func TestResetRunAllocatesNothing(t *testing.T) {
	for _, kind := range []provider.Kind{provider.IFS, provider.NonIFS} {
		c := newCycle(t, kind)
		if n := testing.AllocsPerRun(100, c.run); n != 0 {
			t.Errorf("kind %v: %v allocations per run, want 0", kind, n)
		}
	}
}

// BenchmarkResetRun is the same run, for its time and (-benchmem) its
// allocations.
func BenchmarkResetRun(b *testing.B) {
	c := newCycle(b, provider.IFS)
	for b.Loop() {
		c.run()
	}
}
