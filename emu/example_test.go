package emu_test

import (
	"errors"
	"fmt"
	"net/netip"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/provider"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// The step driver: the caller says which thread makes which call. Thread A
// blocks in an alertable SleepEx; a later step on thread B queues an APC to
// A, which wakes A within that step: the APC runs on A and SleepEx returns
// WAIT_IO_COMPLETION.
func ExampleStepper() {
	s := emu.New()
	defer s.Stop()
	st, _ := s.Stepper()
	a := st.NewThread("A")
	b := st.NewThread("B")

	var r uint32
	res, _ := st.Call(a, func(t *emu.Thread) { r = t.SleepEx(emu.INFINITE, true) })
	fmt.Println("A's SleepEx returned within its step:", res.Returned)

	res, _ = st.Call(b, func(t *emu.Thread) {
		t.QueueUserAPC(func(t *emu.Thread, param uintptr) {
			fmt.Println("APC running on", t.Name(), "with param", param)
		}, a.Handle(), 7)
	})
	fmt.Println("B's step returned:", res.Returned, "- A idle again:", st.Idle(a))
	fmt.Println("SleepEx:", wso.WaitName(r))
	// Output:
	// A's SleepEx returned within its step: false
	// APC running on A with param 7
	// B's step returned: true - A idle again: true
	// SleepEx: WAIT_IO_COMPLETION
}

// The goroutine driver: each emulated thread is ordinary Go code calling
// blocking functions; Run lets one run at a time until all have ended.
// Time is virtual: the 20 ms sleep takes no real time.
func ExampleSystem_Run() {
	s := emu.New()
	var ev emu.Handle
	s.Go("waiter", func(t *emu.Thread) {
		ev, _ = t.CreateEvent(true, false)
		r, _ := t.WaitForSingleObject(ev, emu.INFINITE)
		fmt.Println("waiter:", wso.WaitName(r), "at", t.System().Now())
	})
	s.Go("setter", func(t *emu.Thread) {
		t.Sleep(20)
		fmt.Println("setter: SetEvent at", t.System().Now())
		t.SetEvent(ev)
	})
	if err := s.Run(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// setter: SetEvent at 20ms
	// waiter: WAIT_OBJECT_0 at 20ms
}

// A seed fixes every decision, so the same seed gives the same trace byte
// for byte, while another seed may interleave the threads differently.
func ExampleSeededChooser() {
	run := func(seed uint64) (order, trace string) {
		s := emu.New(emu.WithChooser(emu.SeededChooser(seed)))
		for _, name := range []string{"a", "b", "c"} {
			s.Go(name, func(t *emu.Thread) {
				for i := 0; i < 2; i++ {
					order += name
					t.SleepEx(0, false) // a chance for another thread to run
				}
			})
		}
		if err := s.Run(); err != nil {
			fmt.Println(err)
		}
		return order, s.Trace().String()
	}
	order1, trace1 := run(1)
	order2, trace2 := run(1)
	fmt.Println("seed 1:", order1, order2, "- same trace:", trace1 == trace2)
	order3, trace3 := run(2)
	fmt.Println("seed 2:", order3, "- same trace as seed 1:", trace3 == trace1)
	// Output:
	// seed 1: bccbaa bccbaa - same trace: true
	// seed 2: bcaabc - same trace as seed 1: false
}

// exampleUDP starts Winsock on t and returns an overlapped UDP socket bound
// to 127.0.0.1:port.
func exampleUDP(t *emu.Thread, port uint16) (emu.SOCKET, netip.AddrPort) {
	var d emu.WSAData
	t.WSAStartup(0x0202, &d)
	h, _ := t.Socket(provider.AF_INET, provider.SOCK_DGRAM, provider.IPPROTO_UDP)
	addr := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), port)
	t.Bind(h, &addr, provider.SizeofSockaddrInet4)
	return h, addr
}

// exampleSend sends one datagram to addr from a new socket.
func exampleSend(t *emu.Thread, addr netip.AddrPort, msg string) {
	h, _ := t.Socket(provider.AF_INET, provider.SOCK_DGRAM, provider.IPPROTO_UDP)
	var sent uint32
	t.WSASendTo(h, []emu.WSABUF{{Len: uint32(len(msg)), Buf: []byte(msg)}}, &sent, 0, &addr, provider.SizeofSockaddrInet4, nil, nil)
}

// Sockets: an overlapped WSARecv with an event in the record. Nothing has
// arrived, so the receive pends (WSA_IO_PENDING); a datagram from another
// thread completes it, the event is signalled, and WSAGetOverlappedResult
// reports the bytes.
func ExampleThread_WSARecv() {
	s := emu.New()
	var addr netip.AddrPort
	ready := false
	s.Go("receiver", func(t *emu.Thread) {
		var h emu.SOCKET
		h, addr = exampleUDP(t, 5000)
		ready = true
		ev, _ := t.WSACreateEvent()
		ov := &emu.Overlapped{HEvent: ev}
		buf := make([]byte, 16)
		var n, flags uint32
		err := t.WSARecv(h, []emu.WSABUF{{Len: 16, Buf: buf}}, &n, &flags, ov, nil)
		fmt.Println("WSARecv pending:", errors.Is(err, wso.WSA_IO_PENDING))
		r, _ := t.WaitForSingleObject(ev, emu.INFINITE)
		fmt.Println("wait:", wso.WaitName(r))
		if err := t.WSAGetOverlappedResult(h, ov, &n, false, &flags); err == nil {
			fmt.Printf("received %d bytes: %q\n", n, buf[:n])
		}
	})
	s.Go("sender", func(t *emu.Thread) {
		for !ready {
			t.Sleep(1)
		}
		fmt.Println("sending")
		exampleSend(t, addr, "hello")
	})
	if err := s.Run(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// WSARecv pending: true
	// sending
	// wait: WAIT_OBJECT_0
	// received 5 bytes: "hello"
}

// Completion routines: a WSARecv with a routine. The datagram arrives while
// the thread is busy; the routine is queued as an APC and runs only when
// the thread enters an alertable wait, which then returns
// WAIT_IO_COMPLETION (0xC0) instead of waiting out its time.
func ExampleThread_WSARecv_completionRoutine() {
	s := emu.New()
	s.Go("A", func(t *emu.Thread) {
		h, addr := exampleUDP(t, 5001)
		buf := make([]byte, 16)
		var ov emu.Overlapped
		var n, flags uint32
		routine := func(dwError, cbTransferred uint32, ov *emu.Overlapped, dwFlags uint32) {
			fmt.Printf("routine: error=%d bytes=%d data=%q\n", dwError, cbTransferred, buf[:cbTransferred])
		}
		err := t.WSARecv(h, []emu.WSABUF{{Len: 16, Buf: buf}}, &n, &flags, &ov, routine)
		fmt.Println("WSARecv pending:", errors.Is(err, wso.WSA_IO_PENDING))
		exampleSend(t, addr, "ping")
		fmt.Println("sent; nothing has run yet")
		r := t.SleepEx(1000, true)
		fmt.Printf("SleepEx returned %s (%#x) at %v\n", wso.WaitName(r), r, t.System().Now())
	})
	if err := s.Run(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// WSARecv pending: true
	// sent; nothing has run yet
	// routine: error=0 bytes=4 data="ping"
	// SleepEx returned WAIT_IO_COMPLETION (0xc0) at 0s
}

// Completion ports: a socket bound to a port reports each completion as a
// packet carrying the key given at association and the record's address;
// GetQueuedCompletionStatus takes it.
func ExampleThread_GetQueuedCompletionStatus() {
	s := emu.New()
	s.Go("A", func(t *emu.Thread) {
		h, addr := exampleUDP(t, 5002)
		port, _ := t.CreateIoCompletionPort(emu.INVALID_HANDLE_VALUE, 0, 0, 0)
		t.CreateIoCompletionPort(emu.Handle(h), port, 42, 0)
		buf := make([]byte, 16)
		var ov emu.Overlapped
		var n, flags uint32
		err := t.WSARecv(h, []emu.WSABUF{{Len: 16, Buf: buf}}, &n, &flags, &ov, nil)
		fmt.Println("WSARecv pending:", errors.Is(err, wso.WSA_IO_PENDING))
		exampleSend(t, addr, "packet")
		var key uintptr
		var got *emu.Overlapped
		if err := t.GetQueuedCompletionStatus(port, &n, &key, &got, emu.INFINITE); err == nil {
			fmt.Printf("packet: key=%d bytes=%d same record=%v data=%q\n", key, n, got == &ov, buf[:n])
		}
	})
	if err := s.Run(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// WSARecv pending: true
	// packet: key=42 bytes=6 same record=true data="packet"
}
