//go:build !windows || wsaemu

package windows_test

import (
	"fmt"
	"unsafe"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/provider"
	"github.com/wsaemu/wsaemu/windows"
)

// An echo over UDP written as x/sys/windows code: only the import line
// says "wsaemu". A worker thread waits on a completion port; the first
// thread sends a datagram to the server socket and the worker reports
// what its overlapped WSARecvFrom got. On Windows the same code (with
// golang.org/x/sys/windows imported and windows.Go spelled go) talks to
// the real ws2_32; here it runs on the emulator, deterministically.
func Example() {
	err := windows.Run(func() {
		var d windows.WSAData
		if err := windows.WSAStartup(0x0202, &d); err != nil {
			fmt.Println("WSAStartup:", err)
			return
		}
		srv, _ := windows.Socket(windows.AF_INET, windows.SOCK_DGRAM, windows.IPPROTO_UDP)
		addr := &windows.SockaddrInet4{Port: 7000, Addr: [4]byte{127, 0, 0, 1}}
		windows.Bind(srv, addr)
		port, _ := windows.CreateIoCompletionPort(windows.InvalidHandle, 0, 0, 0)
		windows.CreateIoCompletionPort(srv, port, 1, 0)

		// The receive pends: nothing has been sent yet.
		var ov windows.Overlapped
		buf := make([]byte, 64)
		wb := windows.WSABuf{Len: uint32(len(buf)), Buf: &buf[0]}
		var n, flags uint32
		var from windows.RawSockaddrAny
		fromlen := int32(unsafe.Sizeof(from))
		err := windows.WSARecvFrom(srv, &wb, 1, &n, &flags, &from, &fromlen, &ov, nil)
		fmt.Println("WSARecvFrom:", err == windows.ERROR_IO_PENDING)

		done, _ := windows.CreateEvent(nil, 1, 0, nil)
		windows.Go(func() { // the worker
			var qn uint32
			var key uintptr
			var got *windows.Overlapped
			if err := windows.GetQueuedCompletionStatus(port, &qn, &key, &got, windows.INFINITE); err != nil {
				fmt.Println("GetQueuedCompletionStatus:", err)
			}
			sa, _ := from.Sockaddr()
			fmt.Printf("worker: key %d, %q from port %d, own record %v\n",
				key, buf[:qn], sa.(*windows.SockaddrInet4).Port, got == &ov)
			windows.SetEvent(done)
		})

		cli, _ := windows.Socket(windows.AF_INET, windows.SOCK_DGRAM, windows.IPPROTO_UDP)
		windows.Bind(cli, &windows.SockaddrInet4{Port: 7001, Addr: [4]byte{127, 0, 0, 1}})
		msg := []byte("ping")
		sb := windows.WSABuf{Len: uint32(len(msg)), Buf: &msg[0]}
		var sent uint32
		windows.WSASendto(cli, &sb, 1, &sent, 0, addr, nil, nil)
		windows.WaitForSingleObject(done, windows.INFINITE)
		windows.Closesocket(cli)
		windows.Closesocket(srv)
		windows.CloseHandle(port)
		windows.WSACleanup()
	})
	fmt.Println("Run:", err)
	// Output:
	// WSARecvFrom: true
	// worker: key 1, "ping" from port 7001, own record true
	// Run: <nil>
}

// RunMachine runs the same body on machines the test built: here under
// ten seeds, with the IFS provider, and with the sanitizer stopping the
// run at the first misuse of a record. Every seed is a different schedule
// the pages allow; a failure names its seed, which replays it.
func ExampleRunMachine() {
	failures := 0
	for seed := uint64(1); seed <= 10; seed++ {
		sys := emu.New(emu.WithSeed(seed), emu.WithProviderKind(provider.IFS), emu.WithSanitizer(emu.SanitizeFailFast))
		err := windows.RunMachine(sys, func() {
			ev, _ := windows.CreateEvent(nil, 0, 0, nil)
			windows.Go(func() { windows.SetEvent(ev) })
			if r, _ := windows.WaitForSingleObject(ev, windows.INFINITE); r != windows.WAIT_OBJECT_0 {
				failures++
			}
		})
		if err != nil {
			fmt.Println("seed", seed, err)
			failures++
		}
	}
	fmt.Println("failures:", failures)
	// Output:
	// failures: 0
}
