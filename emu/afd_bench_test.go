package emu_test

// The AFD poll cycle benchmark (issue 13, item 6): a poll issued through
// a \Device\Afd handle associated with a completion port (as mio and
// wepoll do), a datagram arrives and completes it, the packet is
// dequeued, the datagram drained, and the poll re-armed — step-driven,
// both provider kinds, no trace. Target: at most 1 µs and 0 allocs per
// cycle.
//
//	go test -run '^$' -bench AFDPoll -benchmem ./emu

import (
	"fmt"
	"testing"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/provider"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

func BenchmarkAFDPollCycle(b *testing.B) {
	for _, kind := range []provider.Kind{provider.NonIFS, provider.IFS} {
		b.Run(kind.String(), func(b *testing.B) {
			var afd, port emu.Handle
			var iosb emu.Overlapped
			var info emu.AFD_POLL_INFO
			var n uint32
			var key uintptr
			var got *emu.Overlapped
			rbuf := make([]emu.WSABUF, 1)
			ubStep(b, kind, 0, func(t *emu.Thread, r *ubRig) {
				var st emu.NTStatus
				afd, st, _ = t.NtOpenAfd(`\Device\Afd\bench`)
				if st != wso.STATUS_SUCCESS {
					panic(st)
				}
				var err error
				if port, err = t.CreateIoCompletionPort(afd, 0, 1, 0); err != nil {
					panic(err)
				}
				info = emu.AFD_POLL_INFO{Timeout: -1 << 62, NumberOfHandles: 1,
					Handles: []emu.AFD_POLL_HANDLE_INFO{{Handle: emu.Handle(r.rx), Events: emu.AFD_POLL_RECEIVE}}}
				rbuf[0] = r.rbufs[0]
			}, func(t *emu.Thread, r *ubRig, cycles int) {
				for i := 0; i < cycles; i++ {
					info.NumberOfHandles = 1
					info.Handles[0] = emu.AFD_POLL_HANDLE_INFO{Handle: emu.Handle(r.rx), Events: emu.AFD_POLL_RECEIVE}
					if st, _ := t.NtDeviceIoControlFile(afd, 0, &iosb, emu.IOCTL_AFD_POLL, &info, &info); st != wso.STATUS_PENDING {
						panic(fmt.Sprint("poll: ", st))
					}
					r.send(t)
					if err := t.GetQueuedCompletionStatus(port, &n, &key, &got, 0); err != nil || got != &iosb || info.NumberOfHandles != 1 {
						panic(fmt.Sprint("dequeue: ", err))
					}
					if err := t.WSARecv(r.rx, rbuf, &n, &r.flags, nil, nil); err != nil {
						panic(fmt.Sprint("drain: ", err))
					}
				}
			})
		})
	}
}
