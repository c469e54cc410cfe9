package emu_test

// Properties of the stream (TCP) sockets, under both provider kinds and
// both profiles, with every open decision (pend or not, how a receive
// splits the stream, which action goes next) drawn by rapid:
//
//   - no byte of a stream is lost, duplicated or reordered, whatever the
//     splits, the buffer sizes (sends that pend for room included) and the
//     graceful close that ends it;
//   - every request completes exactly once (its routine runs once);
//   - a reset ends every pending request on both ends: the peer's with
//     WSAECONNRESET, the closing socket's own as aborted.
//
// Identifiers of this file start with "tp".

import (
	"encoding/binary"
	"testing"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/provider"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
	"pgregory.net/rapid"
)

// tpOp is one overlapped request and what its routine saw.
type tpOp struct {
	ov    *emu.Overlapped
	buf   []byte
	calls int
	err   uint32
	n     uint32
}

// tpRig is a connected pair on a step-driven System.
type tpRig struct {
	rt   *rapid.T
	st   *emu.Stepper
	A    *emu.Thread
	c, s emu.SOCKET
}

func tpNew(rt *rapid.T, kind provider.Kind, profile emu.Profile) *tpRig {
	sys := emu.New(emu.WithProviderKind(kind), emu.WithProfile(profile), emu.WithChooser(emu.RapidChooser(rt)), emu.WithSplits())
	st, err := sys.Stepper()
	if err != nil {
		rt.Fatal(err)
	}
	rt.Cleanup(sys.Stop)
	r := &tpRig{rt: rt, st: st, A: st.NewThread("A")}
	r.do(func(th *emu.Thread) {
		var d emu.WSAData
		if err := th.WSAStartup(0x0202, &d); err != nil {
			rt.Fatalf("WSAStartup: %v", err)
		}
		r.c, r.s = loopbackTCPPair(th, rt.Fatalf)
	})
	return r
}

func (r *tpRig) do(fn func(th *emu.Thread)) {
	res, err := r.st.Call(r.A, fn)
	if err != nil || !res.Returned {
		r.rt.Fatalf("step: %v (returned %v)", err, res.Returned)
	}
}

// drain lets the system act and runs the routines that are due.
func (r *tpRig) drain() {
	r.st.Settle()
	r.do(func(th *emu.Thread) { th.SleepEx(0, true) })
}

func (r *tpRig) issue(h emu.SOCKET, send bool, o *tpOp, flags uint32) {
	o.ov = &emu.Overlapped{}
	routine := func(e, n uint32, ov *emu.Overlapped, _ uint32) { o.calls, o.err, o.n = o.calls+1, e, n }
	r.do(func(th *emu.Thread) {
		var n uint32
		var err error
		bufs := []emu.WSABUF{{Len: uint32(len(o.buf)), Buf: o.buf}}
		if send {
			err = th.WSASend(h, bufs, &n, 0, o.ov, routine)
		} else {
			fl := flags
			err = th.WSARecv(h, bufs, &n, &fl, o.ov, routine)
		}
		if err != nil && err != wso.WSA_IO_PENDING {
			r.rt.Fatalf("issue (send %v): %v", send, err)
		}
	})
}

func tpSetBuf(r *tpRig, h emu.SOCKET, name int32, v int) {
	r.do(func(th *emu.Thread) {
		th.Setsockopt(h, provider.SOL_SOCKET, name, binary.LittleEndian.AppendUint32(nil, uint32(v)))
	})
}

// The stream arrives whole and in order through any splits, pended sends
// and the graceful close; every request's routine runs exactly once.
func TestTCPSplitsPreserveTheStream(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		rapid.Check(t, func(rt *rapid.T) {
			r := tpNew(rt, kind, profile)
			tpSetBuf(r, r.s, provider.SO_RCVBUF, rapid.IntRange(0, 4096).Draw(rt, "rcvbuf"))
			tpSetBuf(r, r.c, provider.SO_SNDBUF, rapid.IntRange(0, 4096).Draw(rt, "sndbuf"))
			var sent []byte
			var sends, recvs []*tpOp
			steps := rapid.IntRange(1, 20).Draw(rt, "steps")
			for i := 0; i < steps; i++ {
				switch rapid.IntRange(0, 2).Draw(rt, "step") {
				case 0:
					o := &tpOp{buf: make([]byte, rapid.IntRange(1, 2000).Draw(rt, "sendlen"))}
					for j := range o.buf {
						o.buf[j] = byte(len(sent) + j)
					}
					sent = append(sent, o.buf...)
					sends = append(sends, o)
					r.issue(r.c, true, o, 0)
				case 1:
					o := &tpOp{buf: make([]byte, rapid.IntRange(1, 5000).Draw(rt, "recvlen"))}
					var fl uint32
					if rapid.Bool().Draw(rt, "waitall") {
						fl = provider.MSG_WAITALL
					}
					recvs = append(recvs, o)
					r.issue(r.s, false, o, fl)
				default:
					r.drain()
				}
			}
			r.do(func(th *emu.Thread) { th.Shutdown(r.c, provider.SD_SEND) })
			// Read until end of stream.
			for k := 0; ; k++ {
				r.drain()
				if k > 2*len(sent)+1000 {
					rt.Fatal("no end of stream")
				}
				last := len(recvs) > 0 && recvs[len(recvs)-1].calls > 0 && recvs[len(recvs)-1].n == 0
				if last {
					break
				}
				pending := false
				for _, o := range recvs {
					pending = pending || o.calls == 0
				}
				if !pending {
					o := &tpOp{buf: make([]byte, rapid.IntRange(500, 4000).Draw(rt, "drainlen"))}
					recvs = append(recvs, o)
					r.issue(r.s, false, o, 0)
				}
			}
			var got []byte
			for i, o := range recvs {
				if o.calls != 1 {
					rt.Fatalf("receive %d: its routine ran %d times", i, o.calls)
				}
				if o.err != 0 {
					rt.Fatalf("receive %d: error %d", i, o.err)
				}
				got = append(got, o.buf[:o.n]...)
			}
			for i, o := range sends {
				if o.calls != 1 || o.err != 0 || o.n != uint32(len(o.buf)) {
					rt.Fatalf("send %d: %d calls, error %d, %d of %d bytes", i, o.calls, o.err, o.n, len(o.buf))
				}
			}
			if string(got) != string(sent) {
				rt.Fatalf("received %d bytes, sent %d; the streams differ", len(got), len(sent))
			}
		})
	})
}

// An abortive close ends every request pending on either end, exactly
// once: the peer's with WSAECONNRESET, the closing socket's own as
// aborted (WSA_OPERATION_ABORTED; WSAECONNABORTED under the windows
// profile).
func TestTCPResetEndsEveryPendingRequest(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		rapid.Check(t, func(rt *rapid.T) {
			r := tpNew(rt, kind, profile)
			tpSetBuf(r, r.s, provider.SO_RCVBUF, 1024)
			tpSetBuf(r, r.c, provider.SO_SNDBUF, 1024)
			var peer, own []*tpOp
			n := rapid.IntRange(1, 8).Draw(rt, "ops")
			for i := 0; i < n; i++ {
				o := &tpOp{buf: make([]byte, 3000)}
				switch rapid.IntRange(0, 2).Draw(rt, "op") {
				case 0: // the client's send, too big to fit: it pends
					own = append(own, o)
					r.issue(r.c, true, o, 0)
				case 1: // the client's receive: nothing comes
					own = append(own, o)
					r.issue(r.c, false, o, 0)
				default: // the server's receive, waiting for all 3000
					peer = append(peer, o)
					r.issue(r.s, false, o, provider.MSG_WAITALL)
				}
			}
			r.drain()
			// Only requests still pending are what the reset must end.
			var livePeer, liveOwn []*tpOp
			for _, o := range peer {
				if o.calls == 0 {
					livePeer = append(livePeer, o)
				}
			}
			for _, o := range own {
				if o.calls == 0 {
					liveOwn = append(liveOwn, o)
				}
			}
			r.do(func(th *emu.Thread) {
				th.Setsockopt(r.c, provider.SOL_SOCKET, provider.SO_LINGER, binary.LittleEndian.AppendUint32(nil, 1))
				if err := th.Closesocket(r.c); err != nil {
					rt.Fatalf("closesocket: %v", err)
				}
			})
			r.drain()
			r.drain()
			for i, o := range livePeer {
				if o.calls != 1 || o.err != uint32(wso.WSAECONNRESET) {
					rt.Fatalf("peer request %d: %d calls, error %d; want one, WSAECONNRESET", i, o.calls, o.err)
				}
			}
			// The closing socket's own: aborted as the pages say, or, as
			// current Windows does, WSAECONNABORTED (Config.CloseAbortsStreamIO).
			ownErr := wso.WSA_OPERATION_ABORTED
			if profile == emu.ProfileWindows {
				ownErr = wso.WSAECONNABORTED
			}
			for i, o := range liveOwn {
				if o.calls != 1 || o.err != uint32(ownErr) {
					rt.Fatalf("own request %d: %d calls, error %d; want one, %v", i, o.calls, o.err, ownErr)
				}
			}
			for i, o := range append(peer, own...) {
				if o.calls > 1 {
					rt.Fatalf("request %d: its routine ran %d times", i, o.calls)
				}
			}
		})
	})
}
