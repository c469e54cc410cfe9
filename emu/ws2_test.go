package emu_test

// A small harness for the Winsock-layer tests (ws2_*_test.go). Every socket
// test runs under both provider kinds (the issue: "both provider kinds pass
// the same suite") and both profiles; where the kinds or profiles are
// allowed to differ, the test asserts each one's documented behaviour and
// says where that behaviour comes from.
//
// The tests drive the System with a Stepper: a step says "thread T calls
// X", and nothing else happens until the next step or Settle. No test
// sleeps on the wall clock; timeouts run on the virtual clock.

import (
	"net/netip"
	"testing"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/provider"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// forKinds runs fn under each provider kind (non-IFS, IFS) and each profile
// (windows, docs), as subtests named "nonifs/windows" and so on.
func forKinds(t *testing.T, fn func(t *testing.T, kind provider.Kind, profile emu.Profile)) {
	t.Helper()
	for _, kind := range []provider.Kind{provider.NonIFS, provider.IFS} {
		for _, profile := range []emu.Profile{emu.ProfileWindows, emu.ProfileDocs} {
			t.Run(kind.String()+"/"+profile.String(), func(t *testing.T) { fn(t, kind, profile) })
		}
	}
}

// pendAlways is a Chooser under which every operation that could complete
// at once reports WSA_IO_PENDING instead and completes at the next Settle;
// every other decision is the usual one.
func pendAlways() emu.Option {
	return emu.WithChooser(emu.FuncChooser(func(p emu.Point, n int) int {
		if p == emu.PointPend {
			return 1
		}
		return 0
	}))
}

// w2 is one System under test with its Stepper and a first thread, A, on
// which WSAStartup has been called.
type w2 struct {
	t       *testing.T
	kind    provider.Kind
	profile emu.Profile
	s       *emu.System
	st      *emu.Stepper
	A       *emu.Thread
}

func newW2(t *testing.T, kind provider.Kind, profile emu.Profile, opts ...emu.Option) *w2 {
	t.Helper()
	all := append([]emu.Option{emu.WithProviderKind(kind), emu.WithProfile(profile)}, opts...)
	s := emu.New(all...)
	st, err := s.Stepper()
	if err != nil {
		t.Fatal(err)
	}
	r := &w2{t: t, kind: kind, profile: profile, s: s, st: st}
	t.Cleanup(func() {
		if t.Failed() {
			t.Log("trace:\n" + s.Trace().String())
		}
		s.Stop()
	})
	r.A = st.NewThread("A")
	r.do(r.A, func(th *emu.Thread) {
		var d emu.WSAData
		if err := th.WSAStartup(0x0202, &d); err != nil {
			t.Errorf("WSAStartup: %v", err)
		}
	})
	return r
}

func (r *w2) ifs() bool { return r.kind == provider.IFS }

// thread makes another thread.
func (r *w2) thread(name string) *emu.Thread { return r.st.NewThread(name) }

// do makes th run fn, which must return within the step.
func (r *w2) do(th *emu.Thread, fn func(th *emu.Thread)) {
	r.t.Helper()
	res, err := r.st.Call(th, fn)
	if err != nil {
		r.t.Fatalf("step on %s: %v", th.Name(), err)
	}
	if !res.Returned {
		r.t.Fatalf("step on %s: still blocked", th.Name())
	}
}

// begin makes th run fn, which must block within the step.
func (r *w2) begin(th *emu.Thread, fn func(th *emu.Thread)) {
	r.t.Helper()
	res, err := r.st.Call(th, fn)
	if err != nil {
		r.t.Fatalf("step on %s: %v", th.Name(), err)
	}
	if res.Returned {
		r.t.Fatalf("step on %s: returned, expected it to block", th.Name())
	}
}

func (r *w2) settle() { r.st.Settle() }

// idle reports whether th has finished its last step.
func (r *w2) idle(th *emu.Thread) bool { return r.st.Idle(th) }

var (
	lo4 = netip.MustParseAddr("127.0.0.1")
	lo6 = netip.IPv6Loopback()
)

func nameLen(a netip.AddrPort) int32 {
	if a.Addr().Is4() {
		return provider.SizeofSockaddrInet4
	}
	return provider.SizeofSockaddrInet6
}

func afOf(a netip.Addr) int32 {
	if a.Is4() {
		return provider.AF_INET
	}
	return provider.AF_INET6
}

// udp makes an overlapped UDP socket on th bound to addr (port 0: an
// ephemeral one) and returns it with the address it got.
func (r *w2) udp(th *emu.Thread, addr netip.AddrPort) (emu.SOCKET, netip.AddrPort) {
	r.t.Helper()
	var h emu.SOCKET
	var got netip.AddrPort
	r.do(th, func(th *emu.Thread) {
		var err error
		h, err = th.Socket(afOf(addr.Addr()), provider.SOCK_DGRAM, provider.IPPROTO_UDP)
		if err != nil {
			r.t.Errorf("socket: %v", err)
			return
		}
		if err := th.Bind(h, &addr, nameLen(addr)); err != nil {
			r.t.Errorf("bind %v: %v", addr, err)
			return
		}
		got, err = th.Getsockname(h)
		if err != nil {
			r.t.Errorf("getsockname: %v", err)
		}
	})
	if r.t.Failed() {
		r.t.FailNow()
	}
	return h, got
}

// udp4 is udp on 127.0.0.1 with an ephemeral port.
func (r *w2) udp4(th *emu.Thread) (emu.SOCKET, netip.AddrPort) {
	return r.udp(th, netip.AddrPortFrom(lo4, 0))
}

// unbound makes an overlapped UDP socket that is not bound.
func (r *w2) unbound(th *emu.Thread, af int32) emu.SOCKET {
	r.t.Helper()
	var h emu.SOCKET
	r.do(th, func(th *emu.Thread) {
		var err error
		if h, err = th.Socket(af, provider.SOCK_DGRAM, provider.IPPROTO_UDP); err != nil {
			r.t.Errorf("socket: %v", err)
		}
	})
	return h
}

// event makes a manual-reset event (WSACreateEvent) on th.
func (r *w2) event(th *emu.Thread) emu.Handle {
	r.t.Helper()
	var h emu.Handle
	r.do(th, func(th *emu.Thread) {
		var err error
		if h, err = th.WSACreateEvent(); err != nil {
			r.t.Errorf("WSACreateEvent: %v", err)
		}
	})
	return h
}

// signalled reports an event's state.
func (r *w2) signalled(h emu.Handle) bool {
	r.t.Helper()
	sig, ok := r.s.EventState(h)
	if !ok {
		r.t.Fatalf("handle %#x is not an event", uint64(h))
	}
	return sig
}

// sendTo sends data from s to dst with a blocking WSASendTo on th.
func (r *w2) sendTo(th *emu.Thread, s emu.SOCKET, dst netip.AddrPort, data string) {
	r.t.Helper()
	r.do(th, func(th *emu.Thread) {
		var sent uint32
		err := th.WSASendTo(s, bufs(data), &sent, 0, &dst, nameLen(dst), nil, nil)
		if err != nil || sent != uint32(len(data)) {
			r.t.Errorf("WSASendTo %q to %v: err=%v sent=%d", data, dst, err, sent)
		}
	})
}

// recvNow receives one datagram from s on th with a non-overlapped
// WSARecvFrom that must not block: the datagram must be queued already.
func (r *w2) recvNow(th *emu.Thread, s emu.SOCKET, size int) (string, netip.AddrPort, error) {
	r.t.Helper()
	var data string
	var from netip.AddrPort
	var err error
	r.do(th, func(th *emu.Thread) {
		b := make([]byte, size)
		var n, fl uint32
		fromlen := int32(provider.SizeofSockaddrInet6)
		err = th.WSARecvFrom(s, []emu.WSABUF{{Len: uint32(size), Buf: b}}, &n, &fl, &from, &fromlen, nil, nil)
		data = string(b[:n])
	})
	return data, from, err
}

// queued reports how many bytes wait on s (FIONREAD).
func (r *w2) queued(th *emu.Thread, s emu.SOCKET) uint32 {
	r.t.Helper()
	var v uint32
	r.do(th, func(th *emu.Thread) {
		out := make([]byte, 4)
		var n uint32
		if err := th.WSAIoctl(s, provider.FIONREAD, nil, out, &n, nil, nil); err != nil {
			r.t.Errorf("FIONREAD: %v", err)
		}
		v = uint32(out[0]) | uint32(out[1])<<8 | uint32(out[2])<<16 | uint32(out[3])<<24
	})
	return v
}

// port makes a completion port and associates s with it under key.
func (r *w2) port(th *emu.Thread, s emu.SOCKET, key uintptr) emu.Handle {
	r.t.Helper()
	var p emu.Handle
	r.do(th, func(th *emu.Thread) {
		var err error
		if p, err = th.CreateIoCompletionPort(emu.Handle(s), 0, key, 0); err != nil {
			r.t.Errorf("CreateIoCompletionPort: %v", err)
		}
	})
	return p
}

// packet is one completion packet as GetQueuedCompletionStatus returns it.
type packet struct {
	n   uint32
	key uintptr
	ov  *emu.Overlapped
	err error
}

// dequeue takes a packet from port p without waiting; ok is false if there
// was none.
func (r *w2) dequeue(th *emu.Thread, p emu.Handle) (pk packet, ok bool) {
	r.t.Helper()
	r.do(th, func(th *emu.Thread) {
		pk.err = th.GetQueuedCompletionStatus(p, &pk.n, &pk.key, &pk.ov, 0)
	})
	if pk.ov == nil && pk.err == wso.WAIT_TIMEOUT {
		return pk, false
	}
	return pk, true
}

// result is WSAGetOverlappedResult's answer.
type result struct {
	err   error
	n     uint32
	flags uint32
}

// getResult calls WSAGetOverlappedResult(fWait=FALSE) on th, with *lpcbTransfer
// and *lpdwFlags primed with sentinels.
func (r *w2) getResult(th *emu.Thread, s emu.SOCKET, ov *emu.Overlapped) result {
	r.t.Helper()
	res := result{n: sentinel, flags: sentinel}
	r.do(th, func(th *emu.Thread) {
		res.err = th.WSAGetOverlappedResult(s, ov, &res.n, false, &res.flags)
	})
	return res
}

// sentinel is what out-parameters and record fields are primed with, to
// see whether anything wrote them.
const sentinel = 0xA5A5A5A5

// bufs makes a one-buffer WSABUF list holding data.
func bufs(data string) []emu.WSABUF {
	return []emu.WSABUF{{Len: uint32(len(data)), Buf: []byte(data)}}
}

// wantErr checks that err is the Winsock/Win32 error want (0: success).
// An Errno of 0 passed as err (an upcall's result) is success.
func wantErr(t testing.TB, what string, err error, want emu.Errno) {
	t.Helper()
	if e, ok := err.(emu.Errno); ok && e == 0 {
		err = nil
	}
	if want == 0 {
		if err != nil {
			t.Errorf("%s: got %v, want success", what, err)
		}
		return
	}
	if e, ok := err.(emu.Errno); !ok || e != want {
		t.Errorf("%s: got %v, want %v", what, err, want)
	}
}

// fieldWrite is one write to a record's field, from the trace.
type fieldWrite struct {
	Name     string
	Old, New uint64
}

// fieldWrites lists, in order, every write to ov's fields the trace holds
// from event index from on.
func (r *w2) fieldWrites(ov *emu.Overlapped, from int) []fieldWrite {
	return r.fieldWritesIn(ov, from, r.mark())
}

// fieldWritesIn is fieldWrites for the trace's events [from, to).
func (r *w2) fieldWritesIn(ov *emu.Overlapped, from, to int) []fieldWrite {
	id := r.s.OverlappedID(ov)
	var out []fieldWrite
	for i := from; i < to; i++ {
		e := r.s.Trace().At(i)
		if e.Kind == emu.EvField && e.Ov == id {
			out = append(out, fieldWrite{e.Name, e.Old, e.New})
		}
	}
	return out
}

// mark returns the trace's current length, for fieldWrites.
func (r *w2) mark() int { return r.s.Trace().Len() }

// names projects field writes to their field names.
func names(ws []fieldWrite) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = w.Name
	}
	return out
}

// routineCall is one call of a completion routine.
type routineCall struct {
	tag           string
	err, n, flags uint32
	ov            *emu.Overlapped
	depth         int
	snapshot      emu.Overlapped
	thread        int
	inside        []string // routines that ran while this one was running
}

// routineLog records completion-routine calls.
type routineLog struct {
	calls   []routineCall
	running []int // indexes into calls of routines on the stack
}

// routine returns a completion routine for thread th that logs its call
// under tag and then runs body (if any).
func (l *routineLog) routine(th *emu.Thread, tag string, body func(th *emu.Thread)) emu.WSACompletionRoutine {
	return func(dwError, cb uint32, ov *emu.Overlapped, flags uint32) {
		for _, i := range l.running {
			l.calls[i].inside = append(l.calls[i].inside, tag)
		}
		l.calls = append(l.calls, routineCall{tag: tag, err: dwError, n: cb, flags: flags, ov: ov, depth: th.APCDepth(), snapshot: ov.Snapshot(), thread: th.ID()})
		l.running = append(l.running, len(l.calls)-1)
		if body != nil {
			body(th)
		}
		l.running = l.running[:len(l.running)-1]
	}
}

func (l *routineLog) tags() []string {
	out := make([]string, len(l.calls))
	for i, c := range l.calls {
		out[i] = c.tag
	}
	return out
}

func (l *routineLog) get(tag string) (routineCall, bool) {
	for _, c := range l.calls {
		if c.tag == tag {
			return c, true
		}
	}
	return routineCall{}, false
}
