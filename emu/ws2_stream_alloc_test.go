package emu_test

import (
	"net/netip"
	"testing"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/provider"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// tcpEcho is a connected pair and one cycle's worth of reusable state.
type tcpEcho struct {
	c, s   emu.SOCKET
	ov     emu.Overlapped
	rbufs  []emu.WSABUF
	sbufs  []emu.WSABUF
	n, fl  uint32
	sent   uint32
	failed error
}

func tcpEchoSetup(t *emu.Thread) *tcpEcho {
	r := &tcpEcho{
		rbufs: []emu.WSABUF{{Len: 64, Buf: make([]byte, 64)}},
		sbufs: []emu.WSABUF{{Len: uint32(len(ubPayload)), Buf: ubPayload}},
	}
	l, _ := t.Socket(provider.AF_INET, provider.SOCK_STREAM, provider.IPPROTO_TCP)
	bind := netip.AddrPortFrom(lo4, 0)
	t.Bind(l, &bind, 16)
	t.Listen(l, 1)
	addr, _ := t.Getsockname(l)
	r.c, _ = t.Socket(provider.AF_INET, provider.SOCK_STREAM, provider.IPPROTO_TCP)
	t.Connect(r.c, &addr, 16)
	r.s, r.failed = t.Accept(l, nil, nil)
	ev, _ := t.WSACreateEvent()
	r.ov.HEvent = ev
	return r
}

// cycle: a receive pends on the server, the client's send completes it,
// WSAGetOverlappedResult reads it.
func (r *tcpEcho) cycle(t *emu.Thread) {
	r.fl = 0
	if err := t.WSARecv(r.s, r.rbufs, &r.n, &r.fl, &r.ov, nil); err != wso.WSA_IO_PENDING && err != nil {
		r.failed = err
	}
	if err := t.WSASend(r.c, r.sbufs, &r.sent, 0, nil, nil); err != nil {
		r.failed = err
	}
	if err := t.WSAGetOverlappedResult(r.s, &r.ov, &r.n, false, &r.fl); err != nil || r.n != uint32(len(ubPayload)) {
		r.failed = err
	}
}

// The stream path allocates nothing in steady state (DESIGN: hot paths
// allocate nothing): a receive, a send and a result, repeated, under both
// provider kinds.
func TestTCPCycleAllocatesNothing(t *testing.T) {
	for _, kind := range []provider.Kind{provider.NonIFS, provider.IFS} {
		s := emu.New(emu.WithoutTrace(), emu.WithProviderKind(kind))
		st, err := s.Stepper()
		if err != nil {
			t.Fatal(err)
		}
		th := st.NewThread("A")
		var r *tcpEcho
		st.Call(th, func(t *emu.Thread) {
			var d emu.WSAData
			t.WSAStartup(0x0202, &d)
			r = tcpEchoSetup(t)
			for i := 0; i < 10; i++ {
				r.cycle(t)
			}
		})
		const n = 1000
		loop := func(t *emu.Thread) {
			for i := 0; i < n; i++ {
				r.cycle(t)
			}
		}
		allocs := testing.AllocsPerRun(3, func() { st.Call(th, loop) })
		if r.failed != nil {
			t.Fatalf("%v: a cycle failed: %v", kind, r.failed)
		}
		// The Call itself may allocate a little; the cycles must not.
		if allocs > n/100 {
			t.Errorf("%v: %.0f allocations for %d cycles", kind, allocs, n)
		}
		s.Stop()
	}
}
