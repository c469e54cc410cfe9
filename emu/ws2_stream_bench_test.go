package emu_test

// Stream (TCP) benchmarks (issue 12, item 6): an echo cycle on one
// loopback connection, step-driven, under both provider kinds, with one
// connection open and with 10,000; a bulk transfer of 64 KiB writes; and
// connection setup through AcceptEx and ConnectEx. Systems are built
// without a trace and with the sanitizer off, as in ws2_bench_test.go.
//
//	go test -run '^$' -bench TCP -benchmem ./emu
//
// Targets: the echo cycle at most 1 µs and 0 allocs; with 10,000
// connections open within 1.5× of one; the bulk transfer at least 2 GB/s
// of payload; AcceptEx + ConnectEx setup at most 5 µs. Identifiers of
// this file start with "tb".

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net/netip"
	"testing"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/provider"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// tbOpen is how many connections are open while the echo cycle runs (the
// measured one included).
var tbOpen = []int{1, 10000}

// tbBulk is the size of one write of the bulk transfer.
const tbBulk = 64 << 10

// tbAreaLen is an AcceptEx address area big enough for either family.
const tbAreaLen = provider.SizeofSockaddrInet6 + 16

// tbRig is one benchmark's connection, records and buffers, all made
// before the timer starts.
type tbRig struct {
	l      emu.SOCKET     // the listener, on 127.0.0.1
	laddr  netip.AddrPort // its address
	c, s   emu.SOCKET     // the measured connection: client, server
	ov     emu.Overlapped // the server's receive
	cbufs  []emu.WSABUF   // what the client sends
	sbufs  []emu.WSABUF   // where the server receives
	ebufs  []emu.WSABUF   // what the server echoes (sbufs cut to the count)
	rbufs  []emu.WSABUF   // where the client receives the echo
	flags  uint32
	n      uint32
	sent   uint32
	others []emu.SOCKET     // the other connections' ends, client then server
	oov    []emu.Overlapped // a receive pending on each other server end
	obuf   []byte
}

// tbTCP makes an overlapped TCP socket on 127.0.0.1, bound to an
// ephemeral port when bind is set.
func tbTCP(t *emu.Thread, bind bool) emu.SOCKET {
	h, err := t.Socket(provider.AF_INET, provider.SOCK_STREAM, provider.IPPROTO_TCP)
	if err != nil {
		panic(err)
	}
	if bind {
		a := netip.AddrPortFrom(lo4, 0)
		if err := t.Bind(h, &a, provider.SizeofSockaddrInet4); err != nil {
			panic(err)
		}
	}
	return h
}

// tbSetup runs on the thread that owns the rig: WSAStartup, a listener,
// the measured connection (connect and accept) and open-1 other
// connections, each with a receive pending on its server end (no event:
// the poll mechanism), as a server keeps one per connection.
func tbSetup(t *emu.Thread, payload []byte, open int) *tbRig {
	r := &tbRig{
		cbufs:  []emu.WSABUF{{Len: uint32(len(payload)), Buf: payload}},
		sbufs:  []emu.WSABUF{{Len: uint32(len(payload)), Buf: make([]byte, len(payload))}},
		rbufs:  []emu.WSABUF{{Len: uint32(len(payload)), Buf: make([]byte, len(payload))}},
		others: make([]emu.SOCKET, 0, 2*(open-1)),
		oov:    make([]emu.Overlapped, open-1),
		obuf:   make([]byte, 8*(open-1)),
	}
	r.ebufs = []emu.WSABUF{{Buf: r.sbufs[0].Buf}}
	var d emu.WSAData
	if err := t.WSAStartup(0x0202, &d); err != nil {
		panic(err)
	}
	r.l = tbTCP(t, true)
	if err := t.Listen(r.l, provider.SOMAXCONN); err != nil {
		panic(err)
	}
	r.laddr, _ = t.Getsockname(r.l)
	pair := func() (c, s emu.SOCKET) {
		c = tbTCP(t, false)
		if err := t.Connect(c, &r.laddr, provider.SizeofSockaddrInet4); err != nil {
			panic(fmt.Sprint("connect: ", err))
		}
		s, err := t.Accept(r.l, nil, nil)
		if err != nil {
			panic(fmt.Sprint("accept: ", err))
		}
		return c, s
	}
	for i := range r.oov {
		c, s := pair()
		r.others = append(r.others, c, s)
		var fl uint32
		b := []emu.WSABUF{{Len: 8, Buf: r.obuf[8*i : 8*i+8]}}
		if err := t.WSARecv(s, b, nil, &fl, &r.oov[i], nil); err != wso.WSA_IO_PENDING {
			panic(fmt.Sprint("outstanding receive: ", err))
		}
	}
	r.c, r.s = pair()
	return r
}

// echo is one cycle: the server's receive pends, the client sends, the
// server reads the result and sends the bytes back, the client receives
// them (already there: the receive completes within the call).
func (r *tbRig) echo(t *emu.Thread) {
	if err := t.WSARecv(r.s, r.sbufs, nil, &r.flags, &r.ov, nil); err != wso.WSA_IO_PENDING {
		panic(fmt.Sprint("server WSARecv: ", err))
	}
	if err := t.WSASend(r.c, r.cbufs, &r.sent, 0, nil, nil); err != nil {
		panic(fmt.Sprint("client WSASend: ", err))
	}
	if err := t.WSAGetOverlappedResult(r.s, &r.ov, &r.n, false, &r.flags); err != nil || r.n != r.cbufs[0].Len {
		panic(fmt.Sprint("server WSAGetOverlappedResult: ", err, r.n))
	}
	r.ebufs[0].Len = r.n
	if err := t.WSASend(r.s, r.ebufs, &r.sent, 0, nil, nil); err != nil {
		panic(fmt.Sprint("server WSASend: ", err))
	}
	r.flags = 0
	if err := t.WSARecv(r.c, r.rbufs, &r.n, &r.flags, nil, nil); err != nil || r.n != r.cbufs[0].Len {
		panic(fmt.Sprint("client WSARecv: ", err, r.n))
	}
}

// bulk is one write of the bulk transfer: the server's receive, big
// enough for the write, pends; the client writes; the server reads the
// result, which must be the whole write.
func (r *tbRig) bulk(t *emu.Thread) {
	if err := t.WSARecv(r.s, r.sbufs, nil, &r.flags, &r.ov, nil); err != wso.WSA_IO_PENDING {
		panic(fmt.Sprint("server WSARecv: ", err))
	}
	if err := t.WSASend(r.c, r.cbufs, &r.sent, 0, nil, nil); err != nil || r.sent != tbBulk {
		panic(fmt.Sprint("client WSASend: ", err, r.sent))
	}
	if err := t.WSAGetOverlappedResult(r.s, &r.ov, &r.n, false, &r.flags); err != nil || r.n != tbBulk {
		panic(fmt.Sprint("server WSAGetOverlappedResult: ", err, r.n))
	}
}

// tbStep builds a step-driven System with one thread and the rig, runs
// one op outside the timer (free lists and rings reach their steady
// size), then the b.N loop as ONE step with the timer around it.
func tbStep(b *testing.B, kind provider.Kind, payload []byte, open int, op func(r *tbRig, t *emu.Thread)) *tbRig {
	b.Helper()
	s := emu.New(emu.WithoutTrace(), emu.WithProviderKind(kind))
	b.Cleanup(s.Stop)
	st, err := s.Stepper()
	if err != nil {
		b.Fatal(err)
	}
	th := st.NewThread("bench")
	var r *tbRig
	if _, err := st.Call(th, func(t *emu.Thread) {
		r = tbSetup(t, payload, open)
		op(r, t)
	}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	res, err := st.Call(th, func(t *emu.Thread) {
		for range b.N {
			op(r, t)
		}
	})
	b.StopTimer()
	if err != nil || !res.Returned {
		b.Fatalf("benchmark loop blocked: %+v %v", res, err)
	}
	return r
}

// BenchmarkTCPEchoCycle: one echo cycle (see echo) of a 32-byte message,
// with 1 and with 10,000 connections open.
func BenchmarkTCPEchoCycle(b *testing.B) {
	for _, kind := range []provider.Kind{provider.NonIFS, provider.IFS} {
		for _, open := range tbOpen {
			b.Run(fmt.Sprintf("%s/open=%d", kind, open), func(b *testing.B) {
				tbStep(b, kind, ubPayload, open, (*tbRig).echo)
			})
		}
	}
}

// BenchmarkTCPBulk64K: one 64 KiB write received whole by a pending
// receive; b.SetBytes makes the figure MB/s of payload.
func BenchmarkTCPBulk64K(b *testing.B) {
	payload := make([]byte, tbBulk)
	for i := range payload {
		payload[i] = byte(i)
	}
	for _, kind := range []provider.Kind{provider.NonIFS, provider.IFS} {
		b.Run(kind.String(), func(b *testing.B) {
			b.SetBytes(tbBulk)
			r := tbStep(b, kind, payload, 1, (*tbRig).bulk)
			if !bytes.Equal(r.sbufs[0].Buf, payload) {
				b.Fatal("the receive's buffer does not hold the bytes sent")
			}
		})
	}
}

// tbSetupRig is the connection setup benchmark's state: the listener and
// the records and buffer of one AcceptEx and one ConnectEx.
type tbSetupRig struct {
	l          emu.SOCKET
	laddr      netip.AddrPort
	ova, ovc   emu.Overlapped
	addrs      []byte
	n, sent    uint32
	flags      uint32
	listenOpt  []byte // SO_UPDATE_ACCEPT_CONTEXT's value: the listener
	acceptSock emu.SOCKET
}

// connect is one connection's setup, the way a server and client built on
// the extension functions make it: two new sockets (the client bound, as
// ConnectEx requires), AcceptEx pending on the listener, ConnectEx, both
// results (waited for: the connection is made by the machine after the
// call returns), the two context updates; then both sockets are closed.
func (r *tbSetupRig) connect(t *emu.Thread) {
	a := tbTCP(t, false)
	c := tbTCP(t, true)
	if err := t.AcceptEx(r.l, a, r.addrs, 0, tbAreaLen, tbAreaLen, &r.n, &r.ova); err != wso.ERROR_IO_PENDING {
		panic(fmt.Sprint("AcceptEx: ", err))
	}
	if err := t.ConnectEx(c, &r.laddr, provider.SizeofSockaddrInet4, nil, &r.sent, &r.ovc); err != nil && err != wso.ERROR_IO_PENDING {
		panic(fmt.Sprint("ConnectEx: ", err))
	}
	if err := t.WSAGetOverlappedResult(c, &r.ovc, &r.n, true, &r.flags); err != nil {
		panic(fmt.Sprint("ConnectEx result: ", err))
	}
	if err := t.WSAGetOverlappedResult(r.l, &r.ova, &r.n, true, &r.flags); err != nil {
		panic(fmt.Sprint("AcceptEx result: ", err))
	}
	if err := t.Setsockopt(a, provider.SOL_SOCKET, provider.SO_UPDATE_ACCEPT_CONTEXT, r.listenOpt); err != nil {
		panic(fmt.Sprint("SO_UPDATE_ACCEPT_CONTEXT: ", err))
	}
	if err := t.Setsockopt(c, provider.SOL_SOCKET, provider.SO_UPDATE_CONNECT_CONTEXT, nil); err != nil {
		panic(fmt.Sprint("SO_UPDATE_CONNECT_CONTEXT: ", err))
	}
	if err := t.Closesocket(c); err != nil {
		panic(err)
	}
	if err := t.Closesocket(a); err != nil {
		panic(err)
	}
}

// init makes the listener and the two records' events.
func (r *tbSetupRig) init(t *emu.Thread) {
	var d emu.WSAData
	if err := t.WSAStartup(0x0202, &d); err != nil {
		panic(err)
	}
	r.l = tbTCP(t, true)
	if err := t.Listen(r.l, provider.SOMAXCONN); err != nil {
		panic(err)
	}
	r.laddr, _ = t.Getsockname(r.l)
	for _, ov := range []*emu.Overlapped{&r.ova, &r.ovc} {
		ev, err := t.CreateEvent(true, false)
		if err != nil {
			panic(err)
		}
		ov.HEvent = ev
	}
	r.listenOpt = binary.LittleEndian.AppendUint64(nil, uint64(r.l))
}

// BenchmarkTCPAcceptExConnectEx: one connection made with AcceptEx and
// ConnectEx and closed again (see connect). ConnectEx always pends, and
// the machine makes the connection only when it acts on its own: driven
// by goroutine (one emulated thread), the thread's wait lets it act at
// once; step-driven, each op is one step and one Settle, so that figure
// includes the hand-offs between the driver and the emulated thread.
func BenchmarkTCPAcceptExConnectEx(b *testing.B) {
	for _, kind := range []provider.Kind{provider.NonIFS, provider.IFS} {
		b.Run(kind.String()+"/goroutine", func(b *testing.B) {
			s := emu.New(emu.WithoutTrace(), emu.WithProviderKind(kind))
			b.Cleanup(s.Stop)
			r := &tbSetupRig{addrs: make([]byte, 2*tbAreaLen)}
			if _, err := s.Go("bench", func(t *emu.Thread) {
				r.init(t)
				r.connect(t)
				b.ReportAllocs()
				b.ResetTimer()
				for range b.N {
					r.connect(t)
				}
				b.StopTimer()
			}); err != nil {
				b.Fatal(err)
			}
			if err := s.Run(); err != nil {
				b.Fatal(err)
			}
		})
		b.Run(kind.String()+"/step", func(b *testing.B) {
			s := emu.New(emu.WithoutTrace(), emu.WithProviderKind(kind))
			b.Cleanup(s.Stop)
			st, err := s.Stepper()
			if err != nil {
				b.Fatal(err)
			}
			th := st.NewThread("bench")
			r := &tbSetupRig{addrs: make([]byte, 2*tbAreaLen)}
			if res, err := st.Call(th, r.init); err != nil || !res.Returned {
				b.Fatal(res, err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				// The thread blocks in the first result wait; Settle
				// makes the connection, and the thread runs to the end.
				res, err := st.Call(th, r.connect)
				if err != nil || res.Returned {
					b.Fatalf("the setup did not wait for the connection: %+v %v", res, err)
				}
				st.Settle()
			}
			b.StopTimer()
			if res, err := st.Call(th, func(*emu.Thread) {}); err != nil || !res.Returned {
				b.Fatalf("benchmark loop blocked: %+v %v", res, err)
			}
		})
	}
}
