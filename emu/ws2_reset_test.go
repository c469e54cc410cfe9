package emu_test

// Resets the Chooser injects (emu.WithResets, emu.PointReset): off unless
// asked for, and, when the schedule takes one, a connection ends on both
// ends as Windows reports it.
//
// Identifiers of this file start with "rs".

import (
	"testing"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/provider"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
	"pgregory.net/rapid"
)

// rsPair makes a connected pair (client c, accepted server s) on a
// step-driven System built with opts.
func rsPair(t testing.TB, opts ...emu.Option) (*emu.System, *emu.Stepper, *emu.Thread, emu.SOCKET, emu.SOCKET) {
	sys := emu.New(opts...)
	st, err := sys.Stepper()
	if err != nil {
		t.Fatal(err)
	}
	th := st.NewThread("A")
	var c, s emu.SOCKET
	res, err := st.Call(th, func(th *emu.Thread) {
		var d emu.WSAData
		th.WSAStartup(0x0202, &d)
		c, s = loopbackTCPPair(th, t.Errorf)
	})
	if err != nil || !res.Returned {
		t.Fatalf("setup: %v", err)
	}
	return sys, st, th, c, s
}

// Without WithResets the Chooser is never asked at PointReset, so every
// run (and every recorded trace and seed) is what it was before the point
// existed; the promise of emu.WithResets.
func TestResetNotAskedWithoutWithResets(t *testing.T) {
	asked := 0
	ch := emu.FuncChooser(func(p emu.Point, n int) int {
		if p == emu.PointReset {
			asked++
			return 1
		}
		return 0
	})
	sys, st, th, c, s := rsPair(t, emu.WithChooser(ch))
	defer sys.Stop()
	st.Call(th, func(th *emu.Thread) {
		var n, fl uint32
		buf := []byte("hello")
		if err := th.WSASend(c, []emu.WSABUF{{Len: 5, Buf: buf}}, &n, 0, nil, nil); err != nil {
			t.Errorf("send: %v", err)
		}
		if err := th.WSARecv(s, []emu.WSABUF{{Len: 5, Buf: make([]byte, 5)}}, &n, &fl, nil, nil); err != nil || n != 5 {
			t.Errorf("recv: %v, %d bytes", err, n)
		}
	})
	if asked != 0 {
		t.Fatalf("PointReset asked %d times without WithResets", asked)
	}
}

// A reset the Chooser injects before a send ends the receive pending on
// the peer with STATUS_CONNECTION_RESET: WSAGetOverlappedResult gives
// WSAECONNRESET and (IFS) GetOverlappedResult ERROR_NETNAME_DELETED, the
// mapping the WSARecv and GetOverlappedResult pages' callers see for a
// reset connection (issue 12 item 3). The call that met the reset fails
// with the chosen error, and so does every later call on either end.
func TestInjectedResetEndsBothEnds(t *testing.T) {
	for _, alt := range []struct {
		pick int
		own  wso.Errno
	}{{1, wso.WSAECONNRESET}, {2, wso.WSAECONNABORTED}} {
		for _, kind := range []provider.Kind{provider.NonIFS, provider.IFS} {
			armed := false
			ch := emu.FuncChooser(func(p emu.Point, n int) int {
				if p == emu.PointReset && armed {
					return alt.pick
				}
				return 0
			})
			sys, st, th, c, s := rsPair(t, emu.WithChooser(ch), emu.WithResets(), emu.WithProviderKind(kind))
			st.Call(th, func(th *emu.Thread) {
				ev, _ := th.WSACreateEvent()
				ov := &emu.Overlapped{HEvent: ev}
				var n, fl uint32
				buf := make([]byte, 8)
				if err := th.WSARecv(s, []emu.WSABUF{{Len: 8, Buf: buf}}, &n, &fl, ov, nil); err != wso.WSA_IO_PENDING {
					t.Fatalf("recv: %v, want pending", err)
				}
				armed = true
				err := th.WSASend(c, []emu.WSABUF{{Len: 2, Buf: []byte("hi")}}, &n, 0, nil, nil)
				if err != alt.own {
					t.Errorf("%v alt %d: send met the reset with %v, want %v", kind, alt.pick, err, alt.own)
				}
				if err := th.WSAGetOverlappedResult(s, ov, &n, true, &fl); err != wso.WSAECONNRESET {
					t.Errorf("%v alt %d: peer's pending receive: %v, want WSAECONNRESET", kind, alt.pick, err)
				}
				if kind == provider.IFS {
					if err := th.GetOverlappedResult(emu.Handle(s), ov, &n, false); err != wso.ERROR_NETNAME_DELETED {
						t.Errorf("alt %d: GetOverlappedResult: %v, want ERROR_NETNAME_DELETED", alt.pick, err)
					}
				}
				if err := th.WSARecv(c, []emu.WSABUF{{Len: 8, Buf: buf}}, &n, &fl, nil, nil); err != alt.own {
					t.Errorf("%v alt %d: later receive on the reset end: %v, want %v", kind, alt.pick, err, alt.own)
				}
				if err := th.WSASend(s, []emu.WSABUF{{Len: 2, Buf: buf}}, &n, 0, nil, nil); err != wso.WSAECONNRESET {
					t.Errorf("%v alt %d: later send on the peer: %v, want WSAECONNRESET", kind, alt.pick, err)
				}
			})
			sys.Stop()
		}
	}
}

// rsGate holds a Chooser's answers at PointReset to 0 until it is armed,
// so that the connection is made before resets may happen.
type rsGate struct {
	on bool
	c  emu.Chooser
}

func (g *rsGate) Choose(p emu.Point, n int) int {
	if p == emu.PointReset && !g.on {
		return 0
	}
	return g.c.Choose(p, n)
}

// A reset the Chooser injects at any point ends every request pending on
// both ends exactly once: the end that met it with the chosen error
// (WSAECONNRESET or WSAECONNABORTED), the peer with WSAECONNRESET; a
// request whose result was decided before (reported later by PointPend)
// keeps it (issue 12 item 5).
func TestTCPInjectedResetEndsEveryPendingRequest(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		rapid.Check(t, func(rt *rapid.T) {
			g := &rsGate{c: emu.RapidChooser(rt)}
			sys := emu.New(emu.WithProviderKind(kind), emu.WithProfile(profile), emu.WithChooser(g), emu.WithResets())
			st, err := sys.Stepper()
			if err != nil {
				rt.Fatal(err)
			}
			rt.Cleanup(sys.Stop)
			r := &tpRig{rt: rt, st: st, A: st.NewThread("A")}
			r.do(func(th *emu.Thread) {
				var d emu.WSAData
				th.WSAStartup(0x0202, &d)
				r.c, r.s = loopbackTCPPair(th, rt.Fatalf)
			})
			tpSetBuf(r, r.s, provider.SO_RCVBUF, 1024)
			tpSetBuf(r, r.c, provider.SO_SNDBUF, 1024)
			g.on = true
			type req struct {
				o    *tpOp
				sock emu.SOCKET
			}
			var all []req
			var resetBy emu.SOCKET
			var resetErr wso.Errno
			var pendingAtReset []req
			n := rapid.IntRange(1, 12).Draw(rt, "ops")
			for i := 0; i < n && resetBy == 0; i++ {
				h := r.c
				if rapid.Bool().Draw(rt, "server") {
					h = r.s
				}
				send := rapid.Bool().Draw(rt, "send")
				o := &tpOp{buf: make([]byte, rapid.IntRange(1, 3000).Draw(rt, "len"))}
				o.ov = &emu.Overlapped{}
				routine := func(e, n uint32, ov *emu.Overlapped, _ uint32) { o.calls, o.err, o.n = o.calls+1, e, n }
				var before []req
				for _, q := range all {
					if q.o.ov.Internal == uintptr(wso.STATUS_PENDING) { // still in progress (0x103 in both kinds)
						before = append(before, q)
					}
				}
				var callErr error
				r.do(func(th *emu.Thread) {
					var got, fl uint32
					bufs := []emu.WSABUF{{Len: uint32(len(o.buf)), Buf: o.buf}}
					if send {
						callErr = th.WSASend(h, bufs, &got, 0, o.ov, routine)
					} else {
						callErr = th.WSARecv(h, bufs, &got, &fl, o.ov, routine)
					}
				})
				switch callErr {
				case nil, wso.WSA_IO_PENDING:
					all = append(all, req{o, h})
				case wso.WSAECONNRESET, wso.WSAECONNABORTED:
					resetBy, resetErr, pendingAtReset = h, callErr.(wso.Errno), before
				default:
					rt.Fatalf("request %d: %v", i, callErr)
				}
				if rapid.Bool().Draw(rt, "drain") {
					r.drain()
				}
			}
			r.drain()
			r.drain()
			for i, q := range all {
				if q.o.calls > 1 {
					rt.Fatalf("request %d: its routine ran %d times", i, q.o.calls)
				}
			}
			if resetBy == 0 {
				return // no reset in this schedule: the stream properties are TestTCPSplitsPreserveTheStream's
			}
			for i, q := range pendingAtReset {
				want := wso.WSAECONNRESET
				if q.sock == resetBy {
					want = resetErr
				}
				// A request whose result was decided before the reset (its
				// bytes moved; only the report was deferred, PointPend)
				// keeps it; every other one ends with the reset.
				decided := q.o.err == 0 && q.o.n > 0
				if q.o.calls != 1 || (q.o.err != uint32(want) && !decided) {
					rt.Fatalf("request %d pending at the reset: %d calls, error %d, %d bytes; want one, %v", i, q.o.calls, q.o.err, q.o.n, want)
				}
			}
			// Later calls on either end fail at once.
			r.do(func(th *emu.Thread) {
				var got, fl uint32
				buf := []emu.WSABUF{{Len: 1, Buf: make([]byte, 1)}}
				for _, h := range []emu.SOCKET{r.c, r.s} {
					want := wso.WSAECONNRESET
					if h == resetBy {
						want = resetErr
					}
					if err := th.WSARecv(h, buf, &got, &fl, nil, nil); err != want {
						rt.Fatalf("receive after the reset: %v, want %v", err, want)
					}
				}
			})
		})
	})
}
