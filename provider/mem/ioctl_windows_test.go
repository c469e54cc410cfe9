package mem_test

import (
	"net/netip"
	"testing"

	"github.com/wsaemu/wsaemu/provider"
	"github.com/wsaemu/wsaemu/provider/mem"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// newIoctlRig is a rig whose provider answers WSPIoctl as current Windows
// does (win) or as the WSAIoctl page says.
func newIoctlRig(t *testing.T, kind provider.Kind, win bool) *rig {
	t.Helper()
	r := &rig{t: t, up: newFake(t), p: mem.New(provider.Config{Kind: kind, IoctlAsWindows: win})}
	if e := r.p.WSPStartup(r.up); e != 0 {
		t.Fatalf("WSPStartup: %v", e)
	}
	r.rx, r.rxAddr = r.sock()
	r.tx, _ = r.sock()
	return r
}

// Wine's dlls/ws2_32/tests/sock.c, test_unsupported_ioctls (passes on
// Windows): a code the provider does not know fails with WSAEOPNOTSUPP
// and sets the byte count to 0; the WSAIoctl page's reading is WSAEINVAL.
func TestIoctlUnknownCodeWindows(t *testing.T) {
	for _, code := range []uint32{0xdeadbeef, 0x8004667d /* FIOASYNC */, 0x667e} {
		r := newIoctlRig(t, provider.IFS, true)
		n := uint32(0xdeadbeef)
		if e := r.p.WSPIoctl(r.rx, code, nil, nil, &n, nil, nil, nil); e != wso.WSAEOPNOTSUPP || n != 0 {
			t.Errorf("windows, code %#x: got %v, count %#x; want WSAEOPNOTSUPP, 0", code, e, n)
		}
		r = newIoctlRig(t, provider.IFS, false)
		n = 0xdeadbeef
		if e := r.p.WSPIoctl(r.rx, code, nil, nil, &n, nil, nil, nil); e != wso.WSAEINVAL || n != 0xdeadbeef {
			t.Errorf("docs, code %#x: got %v, count %#x; want WSAEINVAL, untouched", code, e, n)
		}
	}
}

// test_unsupported_ioctls, test_fionbio, test_get_extension_func: with a
// record but no lpcbBytesReturned, Windows fails WSAIoctl with WSAEFAULT.
func TestIoctlNullCountWithRecordWindows(t *testing.T) {
	r := newIoctlRig(t, provider.IFS, true)
	one := []byte{1, 0, 0, 0}
	if e := r.p.WSPIoctl(r.rx, provider.FIONBIO, one, nil, nil, &provider.Overlapped{}, nil, tid(1)); e != wso.WSAEFAULT {
		t.Errorf("FIONBIO with a record and no count: got %v, want WSAEFAULT", e)
	}
}

// test_circular_queueing: SIO_ENABLE_CIRCULAR_QUEUEING succeeds on a UDP
// socket with no buffers, in both readings.
func TestIoctlCircularQueueing(t *testing.T) {
	for _, win := range []bool{true, false} {
		r := newIoctlRig(t, provider.NonIFS, win)
		var n uint32
		if e := r.p.WSPIoctl(r.rx, provider.SIO_ENABLE_CIRCULAR_QUEUEING, nil, nil, &n, nil, nil, nil); e != 0 {
			t.Errorf("windows=%v: got %v, want success", win, e)
		}
	}
}

// test_base_handle: without a record SIO_BASE_HANDLE returns the socket
// itself as the base handle, 8 bytes.
func TestIoctlBaseHandle(t *testing.T) {
	r := newIoctlRig(t, provider.IFS, true)
	out := make([]byte, 8)
	var n uint32
	if e := r.p.WSPIoctl(r.rx, provider.SIO_BASE_HANDLE, nil, out, &n, nil, nil, nil); e != 0 || n != 8 {
		t.Fatalf("got %v, count %d; want success, 8", e, n)
	}
	if got := provider.SOCKET(uint64(out[0]) | uint64(out[1])<<8 | uint64(out[2])<<16 | uint64(out[3])<<24); got != r.rx {
		t.Errorf("base handle %#x, want the socket %#x", got, r.rx)
	}
}

// Wine's dlls/ws2_32/tests/sock.c, test_nonblocking_async_recv (passes on
// Windows): on a socket made without WSA_FLAG_OVERLAPPED, a receive given a
// record completes inside the call and its result lands in the record's
// status block; the WSARecv page ignores the record.
func TestRecvRecordOnSyncSocket(t *testing.T) {
	for _, win := range []bool{true, false} {
		up := newFake(t)
		p := mem.New(provider.Config{Kind: provider.IFS, RecvRecordOnSyncSocket: win})
		if e := p.WSPStartup(up); e != 0 {
			t.Fatal(e)
		}
		r := &rig{t: t, up: up, p: p}
		r.rx, r.rxAddr = r.sock()
		r.tx, _ = r.sock()
		s, e := p.WSPSocket(provider.AF_INET, provider.SOCK_DGRAM, provider.IPPROTO_UDP, 0)
		if e != 0 {
			t.Fatal(e)
		}
		a := r.rxAddr
		a = netip.AddrPortFrom(a.Addr(), a.Port()+1)
		if e := p.WSPBind(s, &a, provider.SizeofSockaddrInet4); e != 0 {
			t.Fatal(e)
		}
		var sent uint32
		if e := p.WSPSendTo(r.tx, []provider.WSABUF{{Len: 4, Buf: []byte("data")}}, &sent, 0, &a, provider.SizeofSockaddrInet4, nil, nil, nil); e != 0 {
			t.Fatal(e)
		}
		ov := &provider.Overlapped{Internal: 0xdead, InternalHigh: 0xbeef}
		var n, fl uint32
		if e := p.WSPRecv(s, []provider.WSABUF{{Len: 8, Buf: make([]byte, 8)}}, &n, &fl, ov, nil, tid(1)); e != 0 || n != 4 {
			t.Fatalf("windows=%v: WSPRecv %v, %d bytes", win, e, n)
		}
		if win && (ov.Internal != 0 || ov.InternalHigh != 4) {
			t.Errorf("windows: record %#x/%d, want status 0 and 4 bytes", ov.Internal, ov.InternalHigh)
		}
		if !win && (ov.Internal != 0xdead || ov.InternalHigh != 0xbeef) {
			t.Errorf("docs: record touched: %#x/%#x", ov.Internal, ov.InternalHigh)
		}
	}
}

// test_backlog_query: SIO_IDEAL_SEND_BACKLOG_QUERY on a UDP socket fails
// with WSAEOPNOTSUPP in both readings.
func TestIoctlBacklogQueryUDP(t *testing.T) {
	for _, win := range []bool{true, false} {
		r := newIoctlRig(t, provider.IFS, win)
		n := uint32(0xdeadbeef)
		if e := r.p.WSPIoctl(r.rx, provider.SIO_IDEAL_SEND_BACKLOG_QUERY, nil, make([]byte, 4), &n, nil, nil, nil); e != wso.WSAEOPNOTSUPP {
			t.Errorf("windows=%v: got %v, want WSAEOPNOTSUPP", win, e)
		}
	}
}
