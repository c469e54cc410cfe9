// Command wsaemu-record-demo is a small program for the native recorder of
// package windows (docs/trace-format.md, "Writing a recorder"): two UDP
// receives on loopback, one completed through an event and one through a
// completion port that a second thread waits on. Built for Windows and run
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

	"github.com/wsaemu/wsaemu/windows"
)

func main() {
	port1 := flag.Int("port1", 0, "loopback UDP port of the event-completed receive (0: a free one)")
	port2 := flag.Int("port2", 0, "loopback UDP port of the port-completed receive (0: a free one)")
	printFree := flag.Bool("free-ports", false, "print two free loopback UDP ports as -port1 and -port2 flags, and exit")
	flag.Parse()
	p1, p2 := *port1, *port2
	if p1 == 0 || p2 == 0 || *printFree {
		var err error
		if p1, p2, err = freePorts(); err != nil {
			fail(err)
		}
	}
	if *printFree {
		fmt.Printf("-port1 %d -port2 %d\n", p1, p2)
		return
	}
	var err error
	if rerr := windows.Run(func() { err = exchange(p1, p2) }); rerr != nil {
		err = rerr
	}
	if err != nil {
		fail(err)
	}
	fmt.Printf("wsaemu-record-demo: OK: one receive completed through an event, one through a port on another thread (ports %d, %d)\n", p1, p2)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "wsaemu-record-demo: FAIL:", err)
	os.Exit(1)
}

// freePorts asks the host for two free UDP ports on loopback.
func freePorts() (int, int, error) {
	var ports [2]int
	var conns []net.PacketConn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for i := range ports {
		c, err := net.ListenPacket("udp4", "127.0.0.1:0")
		if err != nil {
			return 0, 0, err
		}
		conns = append(conns, c)
		ports[i] = c.LocalAddr().(*net.UDPAddr).Port
	}
	return ports[0], ports[1], nil
}

const portKey = 7

func udpSocket() (windows.Handle, error) {
	return windows.WSASocket(windows.AF_INET, windows.SOCK_DGRAM, windows.IPPROTO_UDP, nil, 0, windows.WSA_FLAG_OVERLAPPED)
}

// exchange is the recorded part.
func exchange(port1, port2 int) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var wsa windows.WSAData
	if err := windows.WSAStartup(0x202, &wsa); err != nil {
		return fmt.Errorf("WSAStartup: %v", err)
	}
	defer windows.WSACleanup()
	lo := [4]byte{127, 0, 0, 1}
	var socks [3]windows.Handle
	for i := range socks {
		s, err := udpSocket()
		if err != nil {
			return fmt.Errorf("WSASocket: %v", err)
		}
		defer windows.Closesocket(s)
		socks[i] = s
	}
	r1, r2, w := socks[0], socks[1], socks[2]
	if err := windows.Bind(r1, &windows.SockaddrInet4{Addr: lo, Port: port1}); err != nil {
		return fmt.Errorf("bind %d: %v", port1, err)
	}
	if err := windows.Bind(r2, &windows.SockaddrInet4{Addr: lo, Port: port2}); err != nil {
		return fmt.Errorf("bind %d: %v", port2, err)
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

	for i, msg := range []string{"hello", "world"} {
		p := []byte(msg)
		b := windows.WSABuf{Len: uint32(len(p)), Buf: &p[0]}
		var sent uint32
		to := &windows.SockaddrInet4{Addr: lo, Port: []int{port1, port2}[i]}
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
	if r, err := windows.WaitForSingleObject(done, 10000); r != windows.WAIT_OBJECT_0 {
		return fmt.Errorf("waiting for the port thread: %d (%v)", r, err)
	}
	return workerErr
}
