// Command wsaemu-record-demo is a small program for the native recorder of
// package windows (docs/trace-format.md, "Writing a recorder"): three UDP
// receives on loopback, one completed through an event, one through a
// completion port that a second thread waits on, and one through a
// completion routine that runs in an alertable SleepEx. Built for Windows and run
// with WSAEMU_TRACE=FILE, it records the real run; `wsaemu check-trace
// FILE` then asks whether the model permits what it saw
// (scripts/wine-recorders.sh does both under Wine). It prints an OK line,
// or says what went wrong and exits 1. Under the emulator (go run on
// Linux) it runs the same calls on the emulated system.
//
// It uses only calls the free-form checker models. The two receiving
// ports are given (-port1, -port2) or, by default, two free loopback ports
// the host's net package finds before the recorded part starts: version 1
// of the checker does not carry a port the system picked on bind into a
// later send's address. Go's net package does not start under Wine (Wine
// lacks an ioctl it asks for), so the Wine script finds the ports on
// Linux with -free-ports and passes them.
package main

import (
	"flag"
	"fmt"
	"net"
	"os"
	"runtime"
	"unsafe"

	"github.com/wsaemu/wsaemu/windows"
)

func main() {
	port1 := flag.Int("port1", 0, "loopback UDP port of the event-completed receive (0: a free one)")
	port2 := flag.Int("port2", 0, "loopback UDP port of the port-completed receive (0: a free one)")
	port3 := flag.Int("port3", 0, "loopback UDP port of the routine-completed receive (0: a free one)")
	printFree := flag.Bool("free-ports", false, "print three free loopback UDP ports as -port1, -port2 and -port3 flags, and exit")
	flag.Parse()
	ports := [3]int{*port1, *port2, *port3}
	if ports[0] == 0 || ports[1] == 0 || ports[2] == 0 || *printFree {
		var err error
		if ports, err = freePorts(); err != nil {
			fail(err)
		}
	}
	if *printFree {
		fmt.Printf("-port1 %d -port2 %d -port3 %d\n", ports[0], ports[1], ports[2])
		return
	}
	var err error
	if rerr := windows.Run(func() { err = exchange(ports) }); rerr != nil {
		err = rerr
	}
	if err != nil {
		fail(err)
	}
	fmt.Printf("wsaemu-record-demo: OK: one receive completed through an event, one through a port on another thread, one through a routine (ports %v)\n", ports)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "wsaemu-record-demo: FAIL:", err)
	os.Exit(1)
}

// freePorts asks the host for three free UDP ports on loopback.
func freePorts() ([3]int, error) {
	var ports [3]int
	var conns []net.PacketConn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for i := range ports {
		c, err := net.ListenPacket("udp4", "127.0.0.1:0")
		if err != nil {
			return ports, err
		}
		conns = append(conns, c)
		ports[i] = c.LocalAddr().(*net.UDPAddr).Port
	}
	return ports, nil
}

const portKey = 7

func udpSocket() (windows.Handle, error) {
	return windows.WSASocket(windows.AF_INET, windows.SOCK_DGRAM, windows.IPPROTO_UDP, nil, 0, windows.WSA_FLAG_OVERLAPPED)
}

// The routine-completed receive: what the routine saw.
var routineSeen struct {
	calls        int
	errCode, qty uint32
	ov           *windows.Overlapped
}

func completionRoutine(errCode, qty uint32, ov *windows.Overlapped, flags uint32) uintptr {
	routineSeen.calls++
	routineSeen.errCode, routineSeen.qty, routineSeen.ov = errCode, qty, ov
	return 0
}

// exchange is the recorded part.
func exchange(ports [3]int) error {
	port1, port2, port3 := ports[0], ports[1], ports[2]
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var wsa windows.WSAData
	if err := windows.WSAStartup(0x202, &wsa); err != nil {
		return fmt.Errorf("WSAStartup: %v", err)
	}
	defer windows.WSACleanup()
	lo := [4]byte{127, 0, 0, 1}
	var socks [4]windows.Handle
	for i := range socks {
		s, err := udpSocket()
		if err != nil {
			return fmt.Errorf("WSASocket: %v", err)
		}
		defer windows.Closesocket(s)
		socks[i] = s
	}
	r1, r2, r3, w := socks[0], socks[1], socks[2], socks[3]
	if err := windows.Bind(r1, &windows.SockaddrInet4{Addr: lo, Port: port1}); err != nil {
		return fmt.Errorf("bind %d: %v", port1, err)
	}
	if err := windows.Bind(r2, &windows.SockaddrInet4{Addr: lo, Port: port2}); err != nil {
		return fmt.Errorf("bind %d: %v", port2, err)
	}
	if err := windows.Bind(r3, &windows.SockaddrInet4{Addr: lo, Port: port3}); err != nil {
		return fmt.Errorf("bind %d: %v", port3, err)
	}
	ev, err := windows.CreateEvent(nil, 1, 0, nil)
	if err != nil {
		return fmt.Errorf("CreateEvent: %v", err)
	}
	defer windows.CloseHandle(ev)
	done, err := windows.CreateEvent(nil, 1, 0, nil)
	if err != nil {
		return fmt.Errorf("CreateEvent: %v", err)
	}
	defer windows.CloseHandle(done)
	port, err := windows.CreateIoCompletionPort(windows.InvalidHandle, 0, 0, 0)
	if err != nil {
		return fmt.Errorf("CreateIoCompletionPort: %v", err)
	}
	defer windows.CloseHandle(port)
	if _, err := windows.CreateIoCompletionPort(r2, port, portKey, 0); err != nil {
		return fmt.Errorf("CreateIoCompletionPort(socket): %v", err)
	}

	// Two receives: r1's completes through ov1's event, r2's through the port.
	b1, b2 := make([]byte, 64), make([]byte, 64)
	buf1 := windows.WSABuf{Len: uint32(len(b1)), Buf: &b1[0]}
	buf2 := windows.WSABuf{Len: uint32(len(b2)), Buf: &b2[0]}
	ov1 := windows.Overlapped{HEvent: ev}
	var ov2 windows.Overlapped
	var n1, n2, fl1, fl2 uint32
	if err := windows.WSARecv(r1, &buf1, 1, &n1, &fl1, &ov1, nil); err != windows.ERROR_IO_PENDING {
		return fmt.Errorf("WSARecv on an empty socket: %v, want ERROR_IO_PENDING", err)
	}
	if err := windows.WSARecv(r2, &buf2, 1, &n2, &fl2, &ov2, nil); err != windows.ERROR_IO_PENDING {
		return fmt.Errorf("WSARecv on an empty socket: %v, want ERROR_IO_PENDING", err)
	}

	// The second thread takes r2's completion from the port.
	var workerErr error
	windows.Go(func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		defer windows.SetEvent(done)
		var n uint32
		var key uintptr
		var ov *windows.Overlapped
		if err := windows.GetQueuedCompletionStatus(port, &n, &key, &ov, 5000); err != nil {
			workerErr = fmt.Errorf("GetQueuedCompletionStatus: %v", err)
			return
		}
		if ov != &ov2 || key != portKey || string(b2[:n]) != "world" {
			workerErr = fmt.Errorf("port gave key %d, %d bytes %q, record %p; want key %d, \"world\", %p", key, n, b2[:n], ov, portKey, &ov2)
		}
	})

	// The third receive completes through a routine, on this thread (the
	// pointer NewCallback gives, as x/sys's WSARecv takes it: *byte).
	routine := windows.NewCallback(completionRoutine)
	b3 := make([]byte, 64)
	buf3 := windows.WSABuf{Len: uint32(len(b3)), Buf: &b3[0]}
	var ov3 windows.Overlapped
	var n3, fl3 uint32
	if err := windows.WSARecv(r3, &buf3, 1, &n3, &fl3, &ov3, *(**byte)(unsafe.Pointer(&routine))); err != windows.ERROR_IO_PENDING {
		return fmt.Errorf("WSARecv with a routine on an empty socket: %v, want ERROR_IO_PENDING", err)
	}

	for i, msg := range []string{"hello", "world", "again"} {
		p := []byte(msg)
		b := windows.WSABuf{Len: uint32(len(p)), Buf: &p[0]}
		var sent uint32
		to := &windows.SockaddrInet4{Addr: lo, Port: ports[i]}
		if err := windows.WSASendto(w, &b, 1, &sent, 0, to, nil, nil); err != nil || sent != uint32(len(p)) {
			return fmt.Errorf("WSASendTo %q: %v, %d bytes sent", msg, err, sent)
		}
	}

	if r, err := windows.WaitForSingleObject(ev, 5000); r != windows.WAIT_OBJECT_0 {
		return fmt.Errorf("waiting for the event receive: %d (%v)", r, err)
	}
	var n, fl uint32
	if err := windows.WSAGetOverlappedResult(r1, &ov1, &n, false, &fl); err != nil {
		return fmt.Errorf("WSAGetOverlappedResult: %v", err)
	}
	if string(b1[:n]) != "hello" {
		return fmt.Errorf("event receive got %q, want \"hello\"", b1[:n])
	}
	if r := windows.SleepEx(5000, true); r != windows.WAIT_IO_COMPLETION {
		return fmt.Errorf("alertable SleepEx: %d, want WAIT_IO_COMPLETION", r)
	}
	if s := routineSeen; s.calls != 1 || s.errCode != 0 || s.qty != 5 || s.ov != &ov3 || string(b3[:5]) != "again" {
		return fmt.Errorf("routine ran %d time(s) with error %d, %d bytes, record %p (want %p), buffer %q", s.calls, s.errCode, s.qty, s.ov, &ov3, b3[:s.qty])
	}
	if r, err := windows.WaitForSingleObject(done, 10000); r != windows.WAIT_OBJECT_0 {
		return fmt.Errorf("waiting for the port thread: %d (%v)", r, err)
	}
	return workerErr
}
