//go:build !windows || wsaemu

package windows

import (
	"net/netip"
	"testing"

	"github.com/wsaemu/wsaemu/emu"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// The package's cost (issue 14, item 6: at most 20% over emu). Both
// benchmarks run the same overlapped UDP cycle on one emulated thread of a
// machine without a trace: WSARecv on a port-associated socket pends,
// WSASendTo from a second socket completes it, GetQueuedCompletionStatus
// takes the packet. BenchmarkUDPPortCycle/emu calls emu.Thread's methods
// directly; BenchmarkUDPPortCycle/windows makes the same calls through this
// package, over the program's own WSABuf, RawSockaddrAny and Overlapped.
// Run with -benchmem: neither allocates in steady state.
func BenchmarkUDPPortCycle(b *testing.B) {
	b.Run("emu", func(b *testing.B) {
		sys := emu.New(emu.WithoutTrace())
		var fail string
		_, err := sys.Go("main", func(t *emu.Thread) {
			var d emu.WSAData
			t.WSAStartup(0x0202, &d)
			r, _ := t.Socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)
			to := netip.MustParseAddrPort("127.0.0.1:5100")
			t.Bind(r, &to, 16)
			w, _ := t.Socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)
			port, _ := t.CreateIoCompletionPort(emu.INVALID_HANDLE_VALUE, 0, 0, 0)
			t.CreateIoCompletionPort(Handle(r), port, 1, 0)
			var ov Overlapped
			rbuf := make([]byte, 64)
			rbufs := []emu.WSABUF{{Len: 64, Buf: rbuf}}
			sbufs := []emu.WSABUF{{Len: 5, Buf: []byte("hello")}}
			var n, flags, sent, qn uint32
			var key uintptr
			var pov *Overlapped
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := t.WSARecv(r, rbufs, &n, &flags, &ov, nil); err != wso.ERROR_IO_PENDING {
					fail = "WSARecv did not pend"
					return
				}
				if err := t.WSASendTo(w, sbufs, &sent, 0, &to, 16, nil, nil); err != nil {
					fail = err.Error()
					return
				}
				if err := t.GetQueuedCompletionStatus(port, &qn, &key, &pov, INFINITE); err != nil || qn != 5 {
					fail = "GetQueuedCompletionStatus"
					return
				}
			}
			b.StopTimer()
		})
		if err != nil {
			b.Fatal(err)
		}
		if err := sys.Run(); err != nil {
			b.Fatal(err)
		}
		if fail != "" {
			b.Fatal(fail)
		}
	})
	b.Run("windows", func(b *testing.B) {
		var fail string
		err := RunMachine(emu.New(emu.WithoutTrace()), func() {
			var d WSAData
			WSAStartup(0x0202, &d)
			r, _ := Socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)
			Bind(r, loopback(5100))
			w, _ := Socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)
			port, _ := CreateIoCompletionPort(InvalidHandle, 0, 0, 0)
			CreateIoCompletionPort(r, port, 1, 0)
			var to RawSockaddrAny
			tolen := putAddrPortTo(&to, netip.MustParseAddrPort("127.0.0.1:5100"))
			var ov Overlapped
			rbuf := make([]byte, 64)
			rb := bufOf(rbuf)
			sb := bufOf([]byte("hello"))
			var n, flags, sent, qn uint32
			var key uintptr
			var pov *Overlapped
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := WSARecv(r, &rb, 1, &n, &flags, &ov, nil); err != ERROR_IO_PENDING {
					fail = "WSARecv did not pend"
					return
				}
				if err := WSASendTo(w, &sb, 1, &sent, 0, &to, tolen, nil, nil); err != nil {
					fail = err.Error()
					return
				}
				if err := GetQueuedCompletionStatus(port, &qn, &key, &pov, INFINITE); err != nil || qn != 5 {
					fail = "GetQueuedCompletionStatus"
					return
				}
			}
			b.StopTimer()
		})
		if err != nil {
			b.Fatal(err)
		}
		if fail != "" {
			b.Fatal(fail)
		}
	})
}

// BenchmarkUDPRoutineCycle is the same comparison for a completion
// routine: WSARecv with a routine pends, WSASendTo completes it, and an
// alertable SleepEx runs the routine (through emu: a Go closure; through
// the package: a NewCallback token made once, mapped back at each call).
func BenchmarkUDPRoutineCycle(b *testing.B) {
	b.Run("emu", func(b *testing.B) {
		sys := emu.New(emu.WithoutTrace())
		var fail string
		_, err := sys.Go("main", func(t *emu.Thread) {
			var d emu.WSAData
			t.WSAStartup(0x0202, &d)
			r, _ := t.Socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)
			to := netip.MustParseAddrPort("127.0.0.1:5101")
			t.Bind(r, &to, 16)
			w, _ := t.Socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)
			var ov Overlapped
			rbufs := []emu.WSABUF{{Len: 64, Buf: make([]byte, 64)}}
			sbufs := []emu.WSABUF{{Len: 5, Buf: []byte("hello")}}
			var n, flags, sent uint32
			calls := 0
			routine := func(e, n uint32, ov *Overlapped, fl uint32) { calls++ }
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := t.WSARecv(r, rbufs, &n, &flags, &ov, routine); err != wso.ERROR_IO_PENDING {
					fail = "WSARecv did not pend"
					return
				}
				t.WSASendTo(w, sbufs, &sent, 0, &to, 16, nil, nil)
				if t.SleepEx(INFINITE, true) != WAIT_IO_COMPLETION {
					fail = "the routine did not run"
					return
				}
			}
			b.StopTimer()
			if calls != b.N {
				fail = "routine calls"
			}
		})
		if err != nil {
			b.Fatal(err)
		}
		if err := sys.Run(); err != nil {
			b.Fatal(err)
		}
		if fail != "" {
			b.Fatal(fail)
		}
	})
	b.Run("windows", func(b *testing.B) {
		var fail string
		calls := 0
		cb := routine(NewCallback(func(e, n uint32, ov *Overlapped, fl uint32) uintptr { calls++; return 0 }))
		err := RunMachine(emu.New(emu.WithoutTrace()), func() {
			var d WSAData
			WSAStartup(0x0202, &d)
			r, _ := Socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)
			Bind(r, loopback(5101))
			w, _ := Socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP)
			var to RawSockaddrAny
			tolen := putAddrPortTo(&to, netip.MustParseAddrPort("127.0.0.1:5101"))
			var ov Overlapped
			rbuf := make([]byte, 64)
			rb := bufOf(rbuf)
			sb := bufOf([]byte("hello"))
			var n, flags, sent uint32
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := WSARecv(r, &rb, 1, &n, &flags, &ov, cb); err != ERROR_IO_PENDING {
					fail = "WSARecv did not pend"
					return
				}
				WSASendTo(w, &sb, 1, &sent, 0, &to, tolen, nil, nil)
				if SleepEx(INFINITE, true) != WAIT_IO_COMPLETION {
					fail = "the routine did not run"
					return
				}
			}
			b.StopTimer()
		})
		if err != nil {
			b.Fatal(err)
		}
		if fail != "" {
			b.Fatal(fail)
		}
		if calls != b.N {
			b.Fatalf("routine ran %d times, want %d", calls, b.N)
		}
	})
}
