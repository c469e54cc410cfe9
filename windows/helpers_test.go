//go:build !windows || wsaemu

package windows

import (
	"net/netip"
	"syscall"
	"testing"
	"unsafe"
)

// run runs body as the first emulated thread of a fresh machine and fails
// the test with the machine's error. Inside body the tests use t.Errorf and
// return: the testing package wants FailNow on the test's own goroutine,
// which an emulated thread is not (yet).
func run(t *testing.T, body func()) {
	t.Helper()
	if err := Run(body); err != nil {
		t.Fatalf("Run: %v", err)
	}
}

// routine is a NewCallback token as the croutine *byte the Winsock calls
// take (x/sys code writes (*byte)(unsafe.Pointer(cb))).
func routine(cb uintptr) *byte { return *(**byte)(unsafe.Pointer(&cb)) }

// loopback is 127.0.0.1:port.
func loopback(port int) *SockaddrInet4 {
	return &SockaddrInet4{Port: port, Addr: [4]byte{127, 0, 0, 1}}
}

// bufOf is a WSABuf over b.
func bufOf(b []byte) WSABuf { return WSABuf{Len: uint32(len(b)), Buf: &b[0]} }

// udpPair starts Winsock and returns a receiver bound to 127.0.0.1:port
// and an unbound sender.
func udpPair(t *testing.T, port int) (r, w Handle, ok bool) {
	t.Helper()
	var d WSAData
	if err := WSAStartup(uint32(0x0202), &d); err != nil {
		t.Errorf("WSAStartup: %v", err)
		return 0, 0, false
	}
	r, err := Socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)
	if err != nil {
		t.Errorf("Socket: %v", err)
		return 0, 0, false
	}
	if err := Bind(r, loopback(port)); err != nil {
		t.Errorf("Bind: %v", err)
		return 0, 0, false
	}
	w, err = Socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)
	if err != nil {
		t.Errorf("Socket: %v", err)
		return 0, 0, false
	}
	return r, w, true
}

// putAddrPortTo writes ap into rsa and returns its length.
func putAddrPortTo(rsa *RawSockaddrAny, ap netip.AddrPort) int32 {
	return putAddrPort(unsafe.Pointer(rsa), int32(unsafe.Sizeof(*rsa)), ap)
}

// loopback4 is 127.0.0.1:port as a netip.AddrPort.
func loopback4(port uint16) netip.AddrPort {
	return netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, 1}), port)
}

// syscallRawSockaddrAny is the type of WSAMsg.Name.
type syscallRawSockaddrAny = syscall.RawSockaddrAny
