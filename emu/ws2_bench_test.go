package emu_test

// Winsock benchmarks (issue 3, item 8): one UDP overlapped cycle on
// loopback, measured under both provider kinds, step-driven and
// goroutine-driven, with 1 and with 10,000 other receives outstanding on
// other sockets. Systems are built without a trace and with the sanitizer
// off, so the figures are the emulator's own cost per cycle.
//
//	go test -run '^$' -bench UDP -benchmem ./emu
//
// Targets: step-driven at most 1 µs and 0 allocs per cycle in steady state;
// goroutine-driven at most 3 µs per cycle; 10,000 outstanding within 1.5×
// of 1. Identifiers of this file start with "ub".

import (
	"fmt"
	"net/netip"
	"testing"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/provider"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// ubOutstanding is how many other receives are pending while the cycle
// runs.
var ubOutstanding = []int{1, 10000}

// ubPayload is the datagram each cycle carries.
var ubPayload = []byte("0123456789abcdef0123456789abcdef")

// ubRig is one benchmark's sockets, records and buffers, all made before
// the timer starts, so a cycle allocates nothing of the benchmark's own.
type ubRig struct {
	rx, tx emu.SOCKET
	rxAddr netip.AddrPort

	ov     emu.Overlapped // the cycle's receive
	rbufs  []emu.WSABUF
	sbufs  []emu.WSABUF
	flags  uint32
	n      uint32
	sent   uint32
	ran    int // routine calls
	gotN   uint32
	gotErr uint32

	routine emu.WSACompletionRoutine

	others    []emu.SOCKET
	othersOv  []emu.Overlapped
	othersBuf []byte
}

// ubSetup runs on the thread that owns the rig: WSAStartup, the receiving
// and sending sockets on 127.0.0.1, and outstanding other sockets, each
// with one receive pending (no event: the poll mechanism).
func ubSetup(t *emu.Thread, outstanding int) *ubRig {
	r := &ubRig{
		rbufs:     []emu.WSABUF{{Len: 64, Buf: make([]byte, 64)}},
		sbufs:     []emu.WSABUF{{Len: uint32(len(ubPayload)), Buf: ubPayload}},
		others:    make([]emu.SOCKET, outstanding),
		othersOv:  make([]emu.Overlapped, outstanding),
		othersBuf: make([]byte, 8*outstanding),
	}
	r.routine = func(dwError, cb uint32, _ *emu.Overlapped, _ uint32) {
		r.ran++
		r.gotErr, r.gotN = dwError, cb
	}
	var d emu.WSAData
	if err := t.WSAStartup(0x0202, &d); err != nil {
		panic(err)
	}
	bound := func() (emu.SOCKET, netip.AddrPort) {
		h, err := t.Socket(provider.AF_INET, provider.SOCK_DGRAM, provider.IPPROTO_UDP)
		if err != nil {
			panic(err)
		}
		a := netip.AddrPortFrom(lo4, 0)
		if err := t.Bind(h, &a, provider.SizeofSockaddrInet4); err != nil {
			panic(err)
		}
		got, err := t.Getsockname(h)
		if err != nil {
			panic(err)
		}
		return h, got
	}
	r.rx, r.rxAddr = bound()
	r.tx, _ = bound()
	for i := range r.others {
		r.others[i], _ = bound()
		var fl uint32
		b := []emu.WSABUF{{Len: 8, Buf: r.othersBuf[8*i : 8*i+8]}}
		if err := t.WSARecv(r.others[i], b, nil, &fl, &r.othersOv[i], nil); err != wso.WSA_IO_PENDING {
			panic(fmt.Sprint("outstanding receive: ", err))
		}
	}
	return r
}

// recv issues the cycle's receive: pending, since nothing is queued.
func (r *ubRig) recv(t *emu.Thread, routine emu.WSACompletionRoutine) {
	if err := t.WSARecv(r.rx, r.rbufs, nil, &r.flags, &r.ov, routine); err != wso.WSA_IO_PENDING {
		panic(fmt.Sprint("WSARecv: ", err))
	}
}

// send sends the payload to the receiving socket (not overlapped: it
// completes within the call, and the datagram completes the receive).
func (r *ubRig) send(t *emu.Thread) {
	if err := t.WSASendTo(r.tx, r.sbufs, &r.sent, 0, &r.rxAddr, provider.SizeofSockaddrInet4, nil, nil); err != nil {
		panic(fmt.Sprint("WSASendTo: ", err))
	}
}

// result reads the receive's result without waiting.
func (r *ubRig) result(t *emu.Thread) {
	if err := t.WSAGetOverlappedResult(r.rx, &r.ov, &r.n, false, &r.flags); err != nil || r.n != uint32(len(ubPayload)) {
		panic(fmt.Sprint("WSAGetOverlappedResult: ", err, r.n))
	}
}

// checkRoutines runs after the loop: every routine ran, with the datagram.
func (r *ubRig) checkRoutines(b *testing.B) {
	if r.ran != b.N || r.gotErr != 0 || r.gotN != uint32(len(ubPayload)) {
		b.Fatalf("%d routines ran of %d; last (err %d, bytes %d)", r.ran, b.N, r.gotErr, r.gotN)
	}
}

// ubVariants runs body for each provider kind, driver and number of
// outstanding receives, as sub-benchmarks "nonifs/step/outstanding=1" and
// so on.
func ubVariants(b *testing.B, step, goroutine func(b *testing.B, kind provider.Kind, outstanding int)) {
	for _, kind := range []provider.Kind{provider.NonIFS, provider.IFS} {
		for _, drv := range []string{"step", "goroutine"} {
			for _, n := range ubOutstanding {
				b.Run(fmt.Sprintf("%s/%s/outstanding=%d", kind, drv, n), func(b *testing.B) {
					if drv == "step" {
						step(b, kind, n)
					} else {
						goroutine(b, kind, n)
					}
				})
			}
		}
	}
}

// ubStep builds a step-driven System with one thread and the rig, then
// runs loop as ONE step with the timer around it: the whole b.N loop runs
// on the emulated thread, with no goroutine hand-off per cycle.
func ubStep(b *testing.B, kind provider.Kind, outstanding int, prepare func(t *emu.Thread, r *ubRig), loop func(t *emu.Thread, r *ubRig, n int)) *ubRig {
	b.Helper()
	s := emu.New(emu.WithoutTrace(), emu.WithProviderKind(kind))
	b.Cleanup(s.Stop)
	st, err := s.Stepper()
	if err != nil {
		b.Fatal(err)
	}
	th := st.NewThread("bench")
	var r *ubRig
	if _, err := st.Call(th, func(t *emu.Thread) {
		r = ubSetup(t, outstanding)
		prepare(t, r)
		// One cycle outside the timer, so free lists and scratch buffers
		// reach their steady size.
		loop(t, r, 1)
	}); err != nil {
		b.Fatal(err)
	}
	r.ran = 0
	b.ReportAllocs()
	b.ResetTimer()
	res, err := st.Call(th, func(t *emu.Thread) { loop(t, r, b.N) })
	b.StopTimer()
	if err != nil || !res.Returned {
		b.Fatalf("benchmark loop blocked: %+v %v", res, err)
	}
	return r
}

// ubGoroutine builds a goroutine-driven System whose receiving thread sets
// up the rig, starts the sending thread and runs recvLoop with the timer
// around it; the sending thread runs sendLoop. The two hand off through an
// auto-reset event (go) every cycle.
func ubGoroutine(b *testing.B, kind provider.Kind, outstanding int,
	recvLoop func(t *emu.Thread, r *ubRig, goEv emu.Handle),
	sendLoop func(t *emu.Thread, r *ubRig, goEv emu.Handle)) *ubRig {
	b.Helper()
	b.ReportAllocs()
	s := emu.New(emu.WithoutTrace(), emu.WithProviderKind(kind))
	b.Cleanup(s.Stop)
	var r *ubRig
	if _, err := s.Go("receiver", func(t *emu.Thread) {
		r = ubSetup(t, outstanding)
		goEv, err := t.CreateEvent(false, false)
		if err != nil {
			panic(err)
		}
		if _, err := t.CreateThread(func(t *emu.Thread) { sendLoop(t, r, goEv) }); err != nil {
			panic(err)
		}
		b.ResetTimer()
		recvLoop(t, r, goEv)
		b.StopTimer()
	}); err != nil {
		b.Fatal(err)
	}
	if err := s.Run(); err != nil {
		b.Fatal(err)
	}
	return r
}

// ubSender is the goroutine-driven sending thread: per cycle, wait for the
// receiver's go, then send.
func ubSender(b *testing.B) func(t *emu.Thread, r *ubRig, goEv emu.Handle) {
	return func(t *emu.Thread, r *ubRig, goEv emu.Handle) {
		for i := 0; i < b.N; i++ {
			if w, err := t.WaitForSingleObject(goEv, emu.INFINITE); w != wso.WAIT_OBJECT_0 {
				panic(fmt.Sprint("sender wait: ", wso.WaitName(w), err))
			}
			r.send(t)
		}
	}
}

// BenchmarkUDPEventCycle: WSARecv pending with an event, WSASendTo from
// another socket completes it, WSAGetOverlappedResult reads the result.
// Goroutine-driven, the receiver waits for the event (not alertably) after
// handing the go to the sender.
func BenchmarkUDPEventCycle(b *testing.B) {
	ubVariants(b, func(b *testing.B, kind provider.Kind, outstanding int) {
		ubStep(b, kind, outstanding, func(t *emu.Thread, r *ubRig) {
			ev, err := t.WSACreateEvent()
			if err != nil {
				panic(err)
			}
			r.ov.HEvent = ev
		}, func(t *emu.Thread, r *ubRig, n int) {
			for i := 0; i < n; i++ {
				r.recv(t, nil)
				r.send(t)
				r.result(t)
			}
		})
	}, func(b *testing.B, kind provider.Kind, outstanding int) {
		ubGoroutine(b, kind, outstanding, func(t *emu.Thread, r *ubRig, goEv emu.Handle) {
			ev, err := t.WSACreateEvent()
			if err != nil {
				panic(err)
			}
			r.ov.HEvent = ev
			for i := 0; i < b.N; i++ {
				r.recv(t, nil)
				t.SetEvent(goEv)
				if w, err := t.WaitForSingleObject(ev, emu.INFINITE); w != wso.WAIT_OBJECT_0 {
					panic(fmt.Sprint("receiver wait: ", wso.WaitName(w), err))
				}
				r.result(t)
			}
		}, ubSender(b))
	})
}

// BenchmarkUDPRoutineCycle: WSARecv pending with a completion routine, a
// send completes it, and an alertable wait of the issuing thread runs the
// routine (step-driven: SleepEx(0, TRUE); goroutine-driven: the receiver
// hands the go to the sender and sleeps alertably until the routine ran).
func BenchmarkUDPRoutineCycle(b *testing.B) {
	ubVariants(b, func(b *testing.B, kind provider.Kind, outstanding int) {
		r := ubStep(b, kind, outstanding, func(*emu.Thread, *ubRig) {}, func(t *emu.Thread, r *ubRig, n int) {
			for i := 0; i < n; i++ {
				r.recv(t, r.routine)
				r.send(t)
				if t.SleepEx(0, true) != wso.WAIT_IO_COMPLETION {
					panic("the routine did not run")
				}
			}
		})
		r.checkRoutines(b)
	}, func(b *testing.B, kind provider.Kind, outstanding int) {
		r := ubGoroutine(b, kind, outstanding, func(t *emu.Thread, r *ubRig, goEv emu.Handle) {
			for i := 0; i < b.N; i++ {
				r.recv(t, r.routine)
				t.SetEvent(goEv)
				if t.SleepEx(emu.INFINITE, true) != wso.WAIT_IO_COMPLETION {
					panic("the routine did not run")
				}
			}
		}, ubSender(b))
		r.checkRoutines(b)
	})
}
