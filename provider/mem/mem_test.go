package mem_test

// Provider-level tests of the in-memory provider, Mem, against a fake
// upcall table. The fake records every upcall and every field write the
// provider reports, in one ordered log, so the tests can check the
// protocol the SPI pages describe at the boundary where it lives: what the
// provider writes itself, and what it leaves to WPUCompleteOverlappedRequest,
// WPUQueueApc or (IFS) the I/O manager.

import (
	"go/parser"
	"go/token"
	"net/netip"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wsaemu/wsaemu/provider"
	"github.com/wsaemu/wsaemu/provider/mem"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

type queuedAPC struct {
	tid provider.WSATHREADID // the value at the time of the upcall
	ptr *provider.WSATHREADID
	fn  func(uintptr)
	ctx uintptr
}

type deferral struct {
	d   provider.Deferrable
	ctx uintptr
}

type ifsCompletion struct {
	s      provider.SOCKET
	ov     *provider.Overlapped
	status wso.NTStatus
	n      uint32
}

// fakeUp is a minimal machine: socket handles, manual-reset events, and
// logs of everything the provider asks of it.
type fakeUp struct {
	t       *testing.T
	log     []string
	next    provider.Handle
	sockets map[provider.SOCKET]bool // value: IFS handle
	events  map[provider.Handle]bool // value: signalled
	pend    bool
	defers  []deferral
	apcs    []queuedAPC
	ifs     []ifsCompletion
	deadTID uintptr // WPUQueueApc fails for this thread id
	notes   []string
	onWait  func(h provider.Handle)    // if set, runs at the start of every WaitForSingleObjectEx
	files   map[provider.Handle][]byte // file-like handles ReadHandle reads: the bytes still to read
}

func newFake(t *testing.T) *fakeUp {
	return &fakeUp{t: t, next: 0x100, sockets: map[provider.SOCKET]bool{}, events: map[provider.Handle]bool{}}
}

func (f *fakeUp) add(s string) { f.log = append(f.log, s) }

func (f *fakeUp) handle() provider.Handle { f.next += 4; return f.next }

func (f *fakeUp) WPUCreateSocketHandle(catalogEntryID uint32, context uintptr) (provider.SOCKET, provider.Errno) {
	s := provider.SOCKET(f.handle())
	f.sockets[s] = false
	return s, 0
}

func (f *fakeUp) WPUCloseSocketHandle(s provider.SOCKET) provider.Errno {
	delete(f.sockets, s)
	return 0
}

func (f *fakeUp) WPUQuerySocketHandleContext(s provider.SOCKET) (uintptr, provider.Errno) {
	return 0, 0
}

// WPUCompleteOverlappedRequest does what ws2_32 does for a non-IFS handle:
// InternalHigh, then Internal, then the event.
func (f *fakeUp) WPUCompleteOverlappedRequest(s provider.SOCKET, ov *provider.Overlapped, err provider.Errno, bytes uint32) provider.Errno {
	f.add("WPUCompleteOverlappedRequest(" + strconv.Itoa(int(err)) + "," + strconv.Itoa(int(bytes)) + ")")
	if ifs, ok := f.sockets[s]; !ok || ifs {
		return wso.WSAEINVAL
	}
	wso.CompleteNonIFS(ov, bytes, f.Observer())
	if _, ok := f.events[ov.HEvent&^1]; ok {
		f.events[ov.HEvent&^1] = true
	}
	return 0
}

func (f *fakeUp) WPUQueueApc(tid *provider.WSATHREADID, fn func(context uintptr), context uintptr) provider.Errno {
	f.add("WPUQueueApc")
	if tid.Reserved == f.deadTID && f.deadTID != 0 {
		return wso.WSAEFAULT
	}
	f.apcs = append(f.apcs, queuedAPC{tid: *tid, ptr: tid, fn: fn, ctx: context})
	return 0
}

func (f *fakeUp) WPUCreateEvent() (provider.Handle, provider.Errno) {
	h := f.handle()
	f.events[h] = false
	return h, 0
}

func (f *fakeUp) WPUSetEvent(h provider.Handle) provider.Errno {
	if _, ok := f.events[h]; !ok {
		return wso.WSA_INVALID_HANDLE
	}
	f.add("WPUSetEvent")
	f.events[h] = true
	return 0
}

func (f *fakeUp) WPUResetEvent(h provider.Handle) provider.Errno {
	if _, ok := f.events[h]; !ok {
		return wso.WSA_INVALID_HANDLE
	}
	f.add("WPUResetEvent")
	f.events[h] = false
	return 0
}

func (f *fakeUp) WPUCloseEvent(h provider.Handle) provider.Errno {
	delete(f.events, h)
	return 0
}

func (f *fakeUp) IFSCreateSocketHandle(context uintptr) (provider.SOCKET, provider.Errno) {
	s := provider.SOCKET(f.handle())
	f.sockets[s] = true
	return s, 0
}

func (f *fakeUp) IFSCloseSocketHandle(s provider.SOCKET) provider.Errno {
	delete(f.sockets, s)
	return 0
}

// IFSCompleteRequest plays the I/O manager: it fills the status block.
func (f *fakeUp) IFSCompleteRequest(s provider.SOCKET, ov *provider.Overlapped, status wso.NTStatus, bytes uint32, flags uint32) {
	f.add("IFSCompleteRequest(" + status.Name() + "," + strconv.Itoa(int(bytes)) + ")")
	f.ifs = append(f.ifs, ifsCompletion{s, ov, status, bytes})
	wso.CompleteIFS(ov, status, uintptr(bytes), f.Observer())
}

// WaitForSingleObjectEx never blocks: a signalled event is WAIT_OBJECT_0,
// an unsignalled one WAIT_TIMEOUT, anything else fails.
func (f *fakeUp) WaitForSingleObjectEx(h provider.Handle, ms uint32, alertable bool) (uint32, provider.Errno) {
	f.add("WaitForSingleObjectEx")
	if f.onWait != nil {
		f.onWait(h)
	}
	sig, ok := f.events[h]
	if !ok {
		return wso.WAIT_FAILED, wso.ERROR_INVALID_HANDLE
	}
	if sig {
		return wso.WAIT_OBJECT_0, 0
	}
	return uint32(wso.WAIT_TIMEOUT), 0
}

func (f *fakeUp) Now() time.Duration  { return 0 }
func (f *fakeUp) Pend() bool          { return f.pend }
func (f *fakeUp) Unsettled() bool     { return false }
func (f *fakeUp) Split(max int) int   { return max }
func (f *fakeUp) Reset() wso.NTStatus { return 0 }
func (f *fakeUp) Defer(d provider.Deferrable, context uintptr) {
	f.add("Defer")
	f.defers = append(f.defers, deferral{d, context})
}

func (f *fakeUp) Observer() wso.Observer {
	return wso.ObserverFunc(func(o *wso.Overlapped, fl wso.Field, old, new uint64) { f.add("field:" + fl.String()) })
}

func (f *fakeUp) Note(text string) { f.notes = append(f.notes, text) }

// fireDeferred runs every deferral recorded so far, oldest first.
func (f *fakeUp) fireDeferred() {
	ds := f.defers
	f.defers = nil
	for _, d := range ds {
		d.d.Fire(d.ctx)
	}
}

// runAPCs runs the queued APCs, oldest first, as an alertable wait would.
func (f *fakeUp) runAPCs() {
	for len(f.apcs) > 0 {
		a := f.apcs[0]
		f.apcs = f.apcs[1:]
		a.fn(a.ctx)
	}
}

// since returns the log from index i on, keeping only the entries a test
// cares about (prefix match).
func (f *fakeUp) since(i int, keep ...string) []string {
	var out []string
	for _, e := range f.log[i:] {
		for _, k := range keep {
			if strings.HasPrefix(e, k) {
				out = append(out, e)
				break
			}
		}
	}
	return out
}

// rig is a started provider with a receiver and a sender bound to
// 127.0.0.1.
type rig struct {
	t      *testing.T
	up     *fakeUp
	p      *mem.Mem
	rx, tx provider.SOCKET
	rxAddr netip.AddrPort
}

func newRig(t *testing.T, kind provider.Kind) *rig {
	t.Helper()
	r := &rig{t: t, up: newFake(t), p: mem.New(provider.Config{Kind: kind})}
	if e := r.p.WSPStartup(r.up); e != 0 {
		t.Fatalf("WSPStartup: %v", e)
	}
	r.rx, r.rxAddr = r.sock()
	r.tx, _ = r.sock()
	return r
}

func (r *rig) sock() (provider.SOCKET, netip.AddrPort) {
	r.t.Helper()
	s, e := r.p.WSPSocket(provider.AF_INET, provider.SOCK_DGRAM, provider.IPPROTO_UDP, provider.WSA_FLAG_OVERLAPPED)
	if e != 0 {
		r.t.Fatalf("WSPSocket: %v", e)
	}
	a := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), 0)
	if e := r.p.WSPBind(s, &a, provider.SizeofSockaddrInet4); e != 0 {
		r.t.Fatalf("WSPBind: %v", e)
	}
	got, _ := r.p.WSPGetSockName(s)
	return s, got
}

// send transmits data from tx to rx without overlapped I/O.
func (r *rig) send(data string) {
	r.t.Helper()
	var sent uint32
	to := r.rxAddr
	if e := r.p.WSPSendTo(r.tx, []provider.WSABUF{{Len: uint32(len(data)), Buf: []byte(data)}}, &sent, 0, &to, provider.SizeofSockaddrInet4, nil, nil, nil); e != 0 {
		r.t.Fatalf("WSPSendTo: %v", e)
	}
}

func tid(id uintptr) *provider.WSATHREADID {
	return &provider.WSATHREADID{ThreadHandle: provider.Handle(0x1000 + id), Reserved: id}
}

// LPWSPGETOVERLAPPEDRESULT, typical implementation: "At the start of
// overlapped processing, the service provider sets Internal to
// WSS_OPERATION_IN_PROGRESS. When the I/O operation is complete, the
// provider sets OffsetHigh to the Windows Sockets 2 error code ..., sets
// Offset to the flags ..., and calls WPUCompleteOverlappedRequest";
// WPUCompleteOverlappedRequest then "sets InternalHigh ... Then, it sets
// the Internal member". The non-IFS provider leaves InternalHigh and
// Internal to the upcall for event (and port) completion.
func TestNonIFSFieldOrderEvent(t *testing.T) {
	for _, c := range []struct {
		name      string
		data      string
		bufLen    uint32
		wantErr   wso.Errno
		wantFlags uint32
	}{
		{"success", "abc", 8, 0, 0},
		{"truncated", "abcdefgh", 4, wso.WSAEMSGSIZE, provider.MSG_TRUNC},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := newRig(t, provider.NonIFS)
			ev, _ := r.up.WPUCreateEvent()
			ov := &provider.Overlapped{HEvent: ev}
			var fl uint32
			start := len(r.up.log)
			e := r.p.WSPRecv(r.rx, []provider.WSABUF{{Len: c.bufLen, Buf: make([]byte, c.bufLen)}}, nil, &fl, ov, nil, tid(1))
			if e != wso.WSA_IO_PENDING {
				t.Fatalf("WSPRecv: %v", e)
			}
			if ov.Internal != wso.WSS_OPERATION_IN_PROGRESS {
				t.Errorf("Internal = %#x at the start, want WSS_OPERATION_IN_PROGRESS", ov.Internal)
			}
			mid := len(r.up.log)
			r.send(c.data)
			got := r.up.since(mid, "field:", "WPU")
			want := []string{"field:OffsetHigh", "field:Offset", "WPUCompleteOverlappedRequest(" + strconv.Itoa(int(c.wantErr)) + "," + strconv.Itoa(int(min(c.bufLen, uint32(len(c.data))))) + ")", "field:InternalHigh", "field:Internal"}
			if !slices.Equal(got, want) {
				t.Errorf("completion sequence %v, want %v", got, want)
			}
			if begin := r.up.since(start, "field:"); begin[0] != "field:Internal" {
				t.Errorf("first write %v, want Internal", begin)
			}
			if ov.OffsetHigh != uint32(c.wantErr) || ov.Offset != c.wantFlags {
				t.Errorf("OffsetHigh %d Offset %#x", ov.OffsetHigh, ov.Offset)
			}
			if !r.up.events[ev] {
				t.Error("event not signalled")
			}
			// WSPGetOverlappedResult reads back InternalHigh, OffsetHigh
			// and Offset; on failure *lpcbTransfer stays.
			n, flags := uint32(0xEEEE), uint32(0xEEEE)
			ok, err := r.p.WSPGetOverlappedResult(r.rx, ov, &n, false, &flags)
			if c.wantErr == 0 {
				if !ok || err != 0 || n != 3 || flags != 0 {
					t.Errorf("result %v %v n=%d flags=%#x", ok, err, n, flags)
				}
			} else if ok || err != c.wantErr || n != 0xEEEE || flags != c.wantFlags {
				t.Errorf("result %v %v n=%#x flags=%#x", ok, err, n, flags)
			}
		})
	}
}

// WPUCompleteOverlappedRequest, Remarks: it is for completions "where the
// client-specified completion mechanism is something other than user
// mode-asynchronous procedure call"; "If the client selects a user-mode APC
// as the notification method, the service provider should use WPUQueueApc".
// For a routine the non-IFS provider writes OffsetHigh, Offset, then
// InternalHigh before Internal itself, and queues its APC; it never calls
// WPUCompleteOverlappedRequest. The application's routine runs only when
// the APC does, with (error, bytes, record, flags).
func TestNonIFSRoutineUsesWPUQueueApc(t *testing.T) {
	r := newRig(t, provider.NonIFS)
	ov := &provider.Overlapped{HEvent: 0x5555}
	var calls [][4]uint32
	routine := func(e, n uint32, o *provider.Overlapped, fl uint32) {
		if o != ov {
			t.Error("routine got another record")
		}
		calls = append(calls, [4]uint32{e, n, fl, uint32(o.Internal)})
	}
	var fl uint32
	if e := r.p.WSPRecv(r.rx, []provider.WSABUF{{Len: 2, Buf: make([]byte, 2)}}, nil, &fl, ov, routine, tid(7)); e != wso.WSA_IO_PENDING {
		t.Fatalf("WSPRecv: %v", e)
	}
	if slices.Contains(r.up.log, "WPUResetEvent") {
		t.Error("hEvent reset although a routine was given (hEvent belongs to the application then)")
	}
	mid := len(r.up.log)
	r.send("xyz")
	got := r.up.since(mid, "field:", "WPU")
	want := []string{"field:OffsetHigh", "field:Offset", "field:InternalHigh", "field:Internal", "WPUQueueApc"}
	if !slices.Equal(got, want) {
		t.Errorf("sequence %v, want %v", got, want)
	}
	if len(calls) != 0 {
		t.Fatal("routine called before the APC ran")
	}
	a := r.up.apcs[0]
	r.up.runAPCs()
	// Truncated: WSAEMSGSIZE with the bytes that fit and MSG_TRUNC; the
	// record already reads complete (Internal no longer in progress).
	if len(calls) != 1 || calls[0] != [4]uint32{uint32(wso.WSAEMSGSIZE), 2, provider.MSG_TRUNC, 0} {
		t.Errorf("routine calls %v", calls)
	}
	// The APC's context names the operation once: running it again does
	// nothing.
	a.fn(a.ctx)
	if len(calls) != 1 {
		t.Errorf("routine called again by a stale APC: %v", calls)
	}
}

// WPUQueueApc, lpThreadId: the WSATHREADID "is supplied to the service
// provider by the Ws2_32.dll as an input parameter to an overlapped
// operation. The provider should store the WSATHREADID structure locally
// and provide a pointer to this local store." The caller's struct is
// overwritten right after the call returns; the APC still goes to the
// issuing thread, through a pointer that is not the caller's.
func TestProviderCopiesWSATHREADID(t *testing.T) {
	r := newRig(t, provider.NonIFS)
	caller := tid(3)
	var fl uint32
	if e := r.p.WSPRecv(r.rx, []provider.WSABUF{{Len: 4, Buf: make([]byte, 4)}}, nil, &fl, &provider.Overlapped{}, func(uint32, uint32, *provider.Overlapped, uint32) {}, caller); e != wso.WSA_IO_PENDING {
		t.Fatalf("WSPRecv: %v", e)
	}
	*caller = provider.WSATHREADID{ThreadHandle: 0xDEAD, Reserved: 99}
	r.send("x")
	if len(r.up.apcs) != 1 {
		t.Fatalf("%d APCs queued", len(r.up.apcs))
	}
	a := r.up.apcs[0]
	if a.tid != *tid(3) {
		t.Errorf("WPUQueueApc got thread %+v, want the issuer's %+v", a.tid, *tid(3))
	}
	if a.ptr == caller {
		t.Error("WPUQueueApc got the caller's own WSATHREADID pointer, not a local copy")
	}
}

// WPUQueueApc, Return value: it can fail (WSAEFAULT: "does not specify a
// valid thread"), for example when the issuing thread has exited. The
// provider then drops the routine (notes it) and does not call it later.
func TestNonIFSRoutineForExitedThread(t *testing.T) {
	r := newRig(t, provider.NonIFS)
	r.up.deadTID = 4
	called := false
	var fl uint32
	r.p.WSPRecv(r.rx, []provider.WSABUF{{Len: 4, Buf: make([]byte, 4)}}, nil, &fl, &provider.Overlapped{}, func(uint32, uint32, *provider.Overlapped, uint32) { called = true }, tid(4))
	r.send("x")
	r.up.runAPCs()
	if called || len(r.up.notes) == 0 {
		t.Errorf("called=%v notes=%v", called, r.up.notes)
	}
}

// WSASend, Remarks: "for a given socket, I/O completion routines will not
// be nested". A non-IFS provider's routines all run through its one
// intermediate APC; if one routine waits alertably and the APC of another
// routine for the same socket runs inside, the provider holds that routine
// and calls it once the first has returned. A routine for another socket
// runs inside.
func TestNonIFSRoutinesDoNotNest(t *testing.T) {
	r := newRig(t, provider.NonIFS)
	other, otherAddr := r.sock()
	var order []string
	depth := 0
	mk := func(tag string, inner bool) provider.CompletionRoutine {
		return func(uint32, uint32, *provider.Overlapped, uint32) {
			order = append(order, tag+"@"+strconv.Itoa(depth))
			if inner {
				depth++
				r.up.runAPCs() // a nested alertable wait
				depth--
			}
		}
	}
	var fl uint32
	b := func() []provider.WSABUF { return []provider.WSABUF{{Len: 4, Buf: make([]byte, 4)}} }
	r.p.WSPRecv(r.rx, b(), nil, &fl, &provider.Overlapped{}, mk("first", true), tid(1))
	r.p.WSPRecv(r.rx, b(), nil, &fl, &provider.Overlapped{}, mk("second", false), tid(1))
	r.p.WSPRecv(other, b(), nil, &fl, &provider.Overlapped{}, mk("other", false), tid(1))
	r.send("1")
	r.send("2")
	var sent uint32
	r.p.WSPSendTo(r.tx, []provider.WSABUF{{Len: 1, Buf: []byte("3")}}, &sent, 0, &otherAddr, provider.SizeofSockaddrInet4, nil, nil, nil)
	r.up.runAPCs()
	want := []string{"first@0", "other@1", "second@0"}
	if !slices.Equal(order, want) {
		t.Errorf("routine order %v, want %v", order, want)
	}
}

// WSAOVERLAPPED: for IFS providers Internal and InternalHigh are "used by
// the underlying operating system", and (docs/windows-behaviour.md) Offset and
// OffsetHigh are never written for sockets. The IFS provider writes no
// field itself; every completion, routine or not, goes to the I/O manager
// (IFSCompleteRequest) with an NTSTATUS and the byte count, never through
// WPUCompleteOverlappedRequest or WPUQueueApc.
func TestIFSCompletesThroughIOManager(t *testing.T) {
	r := newRig(t, provider.IFS)
	for _, c := range []struct {
		name    string
		routine bool
		data    string
		status  wso.NTStatus
		n       uint32
	}{
		{"event", false, "abc", wso.STATUS_SUCCESS, 3},
		{"routine", true, "abc", wso.STATUS_SUCCESS, 3},
		{"truncated", false, "abcdefghij", wso.STATUS_BUFFER_OVERFLOW, 4},
	} {
		ov := &provider.Overlapped{Offset: 0x5A5A, OffsetHigh: 0x6B6B}
		// ws2_32 writes STATUS_PENDING before it issues an IFS request.
		wso.BeginIFS(ov, nil)
		var rt provider.CompletionRoutine
		if c.routine {
			rt = func(uint32, uint32, *provider.Overlapped, uint32) { t.Error("IFS provider called the routine itself") }
		}
		start := len(r.up.log)
		var fl uint32
		if e := r.p.WSPRecv(r.rx, []provider.WSABUF{{Len: 4, Buf: make([]byte, 4)}}, nil, &fl, ov, rt, tid(1)); e != wso.WSA_IO_PENDING {
			t.Fatalf("%s: WSPRecv %v", c.name, e)
		}
		if w := r.up.since(start, "field:"); len(w) != 0 {
			t.Errorf("%s: provider wrote %v at issue", c.name, w)
		}
		r.send(c.data)
		got := r.up.since(start, "field:", "WPU", "IFS")
		want := []string{"IFSCompleteRequest(" + c.status.Name() + "," + strconv.Itoa(int(c.n)) + ")", "field:InternalHigh", "field:Internal"}
		if !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", c.name, got, want)
		}
		if ov.Offset != 0x5A5A || ov.OffsetHigh != 0x6B6B {
			t.Errorf("%s: Offset/OffsetHigh written: %#x/%#x", c.name, ov.Offset, ov.OffsetHigh)
		}
		if len(r.up.apcs) != 0 {
			t.Errorf("%s: APC queued by an IFS provider", c.name)
		}
	}
}

// The Chooser's "pend" freedom, through Pend and Defer: a send that could
// complete at once reports WSA_IO_PENDING, leaves *lpNumberOfBytesSent
// alone (WSASend: "In this case, lpNumberOfBytesSent is not updated"), has
// already transmitted (WSASend: buffers sent in the order specified), and
// completes when the deferral fires, once.
func TestPendAndDefer(t *testing.T) {
	for _, kind := range []provider.Kind{provider.NonIFS, provider.IFS} {
		r := newRig(t, kind)
		r.up.pend = true
		ov := &provider.Overlapped{}
		if kind == provider.IFS {
			wso.BeginIFS(ov, nil)
		}
		sent := uint32(0xABCD)
		to := r.rxAddr
		e := r.p.WSPSendTo(r.tx, []provider.WSABUF{{Len: 4, Buf: []byte("defr")}}, &sent, 0, &to, provider.SizeofSockaddrInet4, ov, nil, tid(1))
		if e != wso.WSA_IO_PENDING || sent != 0xABCD {
			t.Fatalf("%v: WSPSendTo = %v, sent %#x", kind, e, sent)
		}
		if len(r.up.defers) != 1 {
			t.Fatalf("%v: %d deferrals", kind, len(r.up.defers))
		}
		// Already on the receiver's queue.
		out := make([]byte, 4)
		var n uint32
		if e := r.p.WSPIoctl(r.rx, provider.FIONREAD, nil, out, &n, nil, nil, nil); e != 0 || out[0] != 4 {
			t.Errorf("%v: FIONREAD %v %v", kind, e, out)
		}
		d := r.up.defers[0]
		r.up.fireDeferred()
		d.d.Fire(d.ctx) // a stale deferral: ignored
		completions := 0
		for _, l := range r.up.log {
			if strings.HasPrefix(l, "WPUCompleteOverlappedRequest") || strings.HasPrefix(l, "IFSCompleteRequest") {
				completions++
			}
		}
		if completions != 1 || ov.Internal == 0x103 || ov.InternalHigh != 4 {
			t.Errorf("%v: %d completions, record %+v", kind, completions, *ov)
		}
	}
}

// Contexts handed out for APCs and deferrals name one operation once: after
// the operation has completed (here: cancelled), a late deferral or APC
// with its context does nothing, even when the slot has been reused.
func TestStaleContexts(t *testing.T) {
	r := newRig(t, provider.NonIFS)
	r.up.pend = true
	r.send("q") // queued, so the next receive could complete at once
	ov1 := &provider.Overlapped{}
	var fl uint32
	if e := r.p.WSPRecv(r.rx, []provider.WSABUF{{Len: 4, Buf: make([]byte, 4)}}, nil, &fl, ov1, nil, tid(1)); e != wso.WSA_IO_PENDING {
		t.Fatalf("WSPRecv: %v", e)
	}
	stale := r.up.defers[0]
	r.up.fireDeferred()
	// The slot is reused by a new receive, still waiting.
	ov2 := &provider.Overlapped{}
	r.up.pend = false
	if e := r.p.WSPRecv(r.rx, []provider.WSABUF{{Len: 4, Buf: make([]byte, 4)}}, nil, &fl, ov2, nil, tid(1)); e != wso.WSA_IO_PENDING {
		t.Fatalf("WSPRecv 2: %v", e)
	}
	stale.d.Fire(stale.ctx)
	if ov2.Internal != wso.WSS_OPERATION_IN_PROGRESS {
		t.Errorf("a stale deferral completed another operation: %+v", *ov2)
	}
	if n := r.p.Cancel(r.rx, ov2, nil); n != 1 || ov2.OffsetHigh != uint32(wso.WSA_OPERATION_ABORTED) {
		t.Errorf("Cancel: %d, record %+v", n, *ov2)
	}
	if n := r.p.Cancel(r.rx, ov2, nil); n != 0 {
		t.Errorf("second Cancel found %d", n)
	}
}

// LPWSPGETOVERLAPPEDRESULT for the non-IFS provider: "If it is
// WSS_OPERATION_IN_PROGRESS, the provider waits on the event handle in the
// hEvent member or returns an error, based on the setting of the fWait
// flag": WSA_IO_INCOMPLETE without wait; with wait and an hEvent that is no
// event, WSA_INVALID_HANDLE ("The hEvent member ... does not contain a valid
// event object handle"). The function that starts a pending operation
// resets hEvent.
func TestNonIFSGetOverlappedResult(t *testing.T) {
	r := newRig(t, provider.NonIFS)
	ev, _ := r.up.WPUCreateEvent()
	r.up.events[ev] = true
	ov := &provider.Overlapped{HEvent: ev}
	var fl uint32
	r.p.WSPRecv(r.rx, []provider.WSABUF{{Len: 4, Buf: make([]byte, 4)}}, nil, &fl, ov, nil, tid(1))
	if r.up.events[ev] {
		t.Error("event not reset by the call that started the pending operation")
	}
	n, flags := uint32(7), uint32(7)
	if ok, e := r.p.WSPGetOverlappedResult(r.rx, ov, &n, false, &flags); ok || e != wso.WSA_IO_INCOMPLETE || n != 7 {
		t.Errorf("fWait=FALSE: %v %v %d", ok, e, n)
	}
	bad := &provider.Overlapped{HEvent: 0x9990}
	r.p.WSPRecv(r.rx, []provider.WSABUF{{Len: 4, Buf: make([]byte, 4)}}, nil, &fl, bad, nil, tid(1))
	if ok, e := r.p.WSPGetOverlappedResult(r.rx, bad, &n, true, &flags); ok || e != wso.WSA_INVALID_HANDLE {
		t.Errorf("fWait=TRUE with a bogus hEvent: %v %v", ok, e)
	}
	if ok, e := r.p.WSPGetOverlappedResult(provider.SOCKET(0x4444), ov, &n, false, &flags); ok || e != wso.WSAENOTSOCK {
		t.Errorf("unknown socket: %v %v", ok, e)
	}
	if ok, e := r.p.WSPGetOverlappedResult(r.rx, ov, nil, false, &flags); ok || e != wso.WSAEFAULT {
		t.Errorf("NULL lpcbTransfer: %v %v", ok, e)
	}
}

// DESIGN.md, "Arrows only point down": the provider never imports the
// emulator; it sees only the upcall table. Every Go file of this package
// and of the contract above it (tests included) is parsed and its imports
// checked; the contract does not import its implementation either.
func TestProviderDoesNotImportEmu(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no Go files found: %v", err)
	}
	contract, err := filepath.Glob(filepath.Join("..", "*.go"))
	if err != nil || len(contract) == 0 {
		t.Fatalf("no Go files found in the contract package: %v", err)
	}
	files = append(files, contract...)
	fset := token.NewFileSet()
	for _, name := range files {
		f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if path == "github.com/wsaemu/wsaemu/emu" || strings.HasSuffix(path, "/emu") || strings.Contains(path, "/emu/") {
				t.Errorf("%s imports %s: the provider must not import the emulator", name, path)
			}
			if filepath.Dir(name) == ".." && strings.HasPrefix(path, "github.com/wsaemu/wsaemu/provider/") {
				t.Errorf("%s imports %s: the SPI contract must not import an implementation", name, path)
			}
		}
	}
}

// Issue 10: the native backend talks to the real ws2_32 and takes the
// Winsock ABI from the SPI contract only, never from this implementation.
// Its files (Windows-only, parsed here whatever the host) must not import
// package mem.
func TestNativeBackendImportsContractOnly(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "spec", "native", "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no Go files found in spec/native: %v", err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, imp := range f.Imports {
			if path, _ := strconv.Unquote(imp.Path.Value); path == "github.com/wsaemu/wsaemu/provider/mem" {
				t.Errorf("%s imports %s: the native backend must use the SPI contract (package provider) only", name, path)
			}
		}
	}
}

// Issue 9: a blocking receive must not spin when the event it waits on is
// signalled before the receive is done. The first wait here is released by
// a signal that is not the receive's completion; the provider must reset
// its event before it waits again (else every later wait returns at once),
// and the receive then ends with the datagram that arrives.
func TestBlockingRecvSpuriousSignal(t *testing.T) {
	for _, kind := range []provider.Kind{provider.NonIFS, provider.IFS} {
		t.Run(kind.String(), func(t *testing.T) {
			r := newRig(t, kind)
			s, e := r.p.WSPSocket(provider.AF_INET, provider.SOCK_DGRAM, provider.IPPROTO_UDP, 0)
			if e != 0 {
				t.Fatalf("WSPSocket: %v", e)
			}
			a := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), 0)
			if e := r.p.WSPBind(s, &a, provider.SizeofSockaddrInet4); e != 0 {
				t.Fatalf("WSPBind: %v", e)
			}
			r.rxAddr, _ = r.p.WSPGetSockName(s)
			waits := 0
			r.up.onWait = func(h provider.Handle) {
				waits++
				switch waits {
				case 1:
					r.up.events[h] = true // a stray signal: nothing received yet
				case 2:
					if r.up.events[h] {
						t.Errorf("second wait: the event is still signalled from the stray signal; the wait returns at once and the receive spins")
					}
					r.send("hi")
				default:
					t.Fatalf("wait %d: the receive keeps waiting after its datagram arrived", waits)
				}
			}
			buf := make([]byte, 8)
			var n, fl uint32
			if e := r.p.WSPRecv(s, []provider.WSABUF{{Len: 8, Buf: buf}}, &n, &fl, nil, nil, tid(1)); e != 0 {
				t.Fatalf("WSPRecv: %v", e)
			}
			if n != 2 || string(buf[:n]) != "hi" || waits != 2 {
				t.Errorf("WSPRecv got %q after %d waits, want \"hi\" after 2", buf[:n], waits)
			}
		})
	}
}

// ReadHandle reads the fake machine's files (fakeUp.files): a file's
// bytes, then its end; any other handle is not file-like.
func (f *fakeUp) ReadHandle(h provider.Handle, buf []byte, _ provider.Deferrable, _ uintptr) (int, provider.ReadState, provider.Errno) {
	data, ok := f.files[h]
	switch {
	case !ok:
		return 0, 0, wso.ERROR_INVALID_HANDLE
	case buf == nil:
		return 0, provider.ReadData, 0
	case len(data) == 0:
		return 0, provider.ReadEnd, 0
	}
	n := copy(buf, data)
	f.files[h] = data[n:]
	return n, provider.ReadData, 0
}
