package mem_test

import (
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
