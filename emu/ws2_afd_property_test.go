package emu_test

// A property of the AFD poll (issue 13, item 5), under both provider
// kinds, both profiles, datagram and stream sockets, every open decision
// drawn by rapid: no readiness event is lost or invented. A poll for
// AFD_POLL_RECEIVE completes with STATUS_SUCCESS and the socket's entry
// iff data waited at some moment after it was issued (at issue, or an
// arrival while it waited), and then never changes again (one-shot);
// every poll outstanding at an arrival completes; a cancelled one ends
// with STATUS_CANCELLED and no entries. Identifiers start with "ap".

import (
	"math"
	"net/netip"
	"testing"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/provider"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
	"pgregory.net/rapid"
)

type apPoll struct {
	iosb   emu.Overlapped
	out    emu.AFD_POLL_INFO
	status emu.NTStatus // the model's: STATUS_PENDING while it waits
}

func TestAfdPollNeitherLostNorInvented(t *testing.T) {
	for _, stream := range []bool{false, true} {
		name := "udp"
		if stream {
			name = "tcp"
		}
		t.Run(name, func(t *testing.T) {
			forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
				rapid.Check(t, func(rt *rapid.T) { apRun(rt, kind, profile, stream) })
			})
		})
	}
}

func apRun(rt *rapid.T, kind provider.Kind, profile emu.Profile, stream bool) {
	_, st, do := steppedThread(rt, kind, profile)
	var err error
	var r, w emu.SOCKET
	var dst netip.AddrPort
	var afd emu.Handle
	do(func(th *emu.Thread) {
		var d emu.WSAData
		th.WSAStartup(0x0202, &d)
		afd, _, _ = th.NtOpenAfd(`\Device\Afd\prop`)
		r, w, dst = loopbackPair(th, stream, rt.Fatalf)
	})
	do(func(th *emu.Thread) {
		var n uint32
		if err := th.WSAIoctl(r, provider.FIONBIO, []byte{1, 0, 0, 0}, nil, &n, nil, nil); err != nil {
			rt.Fatalf("FIONBIO: %v", err)
		}
	})
	queued := 0
	var polls []*apPoll
	check := func() {
		for i, p := range polls {
			got := emu.NTStatus(p.iosb.LoadInternal())
			if got != p.status {
				rt.Fatalf("poll %d: status %v, the model says %v (queued %d)", i, got, p.status, queued)
			}
			switch p.status {
			case wso.STATUS_SUCCESS:
				if p.out.NumberOfHandles != 1 || p.out.Handles[0] != (emu.AFD_POLL_HANDLE_INFO{Handle: emu.Handle(r), Events: emu.AFD_POLL_RECEIVE}) {
					rt.Fatalf("poll %d: output %+v", i, p.out)
				}
			case wso.STATUS_CANCELLED:
				if p.out.NumberOfHandles != 0 {
					rt.Fatalf("cancelled poll %d has entries: %+v", i, p.out)
				}
			}
		}
	}
	arrived := func() {
		for _, p := range polls {
			if p.status == wso.STATUS_PENDING {
				p.status = wso.STATUS_SUCCESS
			}
		}
	}
	steps := rapid.IntRange(1, 25).Draw(rt, "steps")
	for i := 0; i < steps; i++ {
		switch rapid.IntRange(0, 3).Draw(rt, "action") {
		case 0: // a poll
			p := &apPoll{status: wso.STATUS_PENDING}
			p.out.Handles = make([]emu.AFD_POLL_HANDLE_INFO, 1)
			in := emu.AFD_POLL_INFO{Timeout: math.MaxInt64, NumberOfHandles: 1,
				Handles: []emu.AFD_POLL_HANDLE_INFO{{Handle: emu.Handle(r), Events: emu.AFD_POLL_RECEIVE}}}
			h := emu.Handle(r)
			if rapid.Bool().Draw(rt, "via-afd") {
				h = afd
			}
			var got emu.NTStatus
			do(func(th *emu.Thread) {
				got, _ = th.NtDeviceIoControlFile(h, 0, &p.iosb, emu.IOCTL_AFD_POLL, &in, &p.out)
			})
			if queued > 0 {
				p.status = wso.STATUS_SUCCESS
			}
			if got != p.status {
				rt.Fatalf("poll returned %v; %d waiting", got, queued)
			}
			polls = append(polls, p)
		case 1: // data arrives
			n := rapid.IntRange(1, 40).Draw(rt, "sendlen")
			do(func(th *emu.Thread) {
				var sent uint32
				b := []emu.WSABUF{{Len: uint32(n), Buf: make([]byte, n)}}
				if stream {
					err = th.WSASend(w, b, &sent, 0, nil, nil)
				} else {
					err = th.WSASendTo(w, b, &sent, 0, &dst, 16, nil, nil)
				}
				if err != nil {
					rt.Fatalf("send: %v", err)
				}
			})
			st.Settle()
			if stream {
				queued += n
			} else {
				queued++
			}
			arrived()
		case 2: // a receive
			n := rapid.IntRange(1, 60).Draw(rt, "recvlen")
			var got uint32
			var rerr error
			do(func(th *emu.Thread) {
				var fl uint32
				rerr = th.WSARecv(r, []emu.WSABUF{{Len: uint32(n), Buf: make([]byte, n)}}, &got, &fl, nil, nil)
			})
			switch {
			case queued == 0:
				if rerr != wso.WSAEWOULDBLOCK {
					rt.Fatalf("receive with nothing queued: %v", rerr)
				}
			case rerr != nil && rerr != wso.WSAEMSGSIZE:
				rt.Fatalf("receive: %v", rerr)
			case stream:
				queued -= int(got)
			default:
				queued--
			}
		case 3: // cancel one poll (NtCancelIoFileEx on the handle it was issued on)
			if len(polls) == 0 {
				continue
			}
			p := polls[rapid.IntRange(0, len(polls)-1).Draw(rt, "which")]
			var got emu.NTStatus
			do(func(th *emu.Thread) {
				got, _ = th.NtCancelIoFileEx(afd, &p.iosb)
				if got == wso.STATUS_NOT_FOUND {
					got, _ = th.NtCancelIoFileEx(emu.Handle(r), &p.iosb)
				}
			})
			if (got == wso.STATUS_SUCCESS) != (p.status == wso.STATUS_PENDING) {
				rt.Fatalf("NtCancelIoFileEx: %v for a poll in state %v", got, p.status)
			}
			st.Settle()
			if p.status == wso.STATUS_PENDING {
				p.status = wso.STATUS_CANCELLED
			}
		}
		check()
	}
}
