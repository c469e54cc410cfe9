package emu_test

// A property of WSAEventSelect, under both provider kinds, both profiles,
// datagram and stream sockets, with every open decision drawn by rapid:
// no FD_READ is lost or invented. WSAEnumNetworkEvents reports FD_READ iff
// data was there at a moment after the last re-enabling call (the
// selection itself, or a receive) and the event was not reported since;
// the event object is signalled iff something was recorded since the last
// WSAEnumNetworkEvents that was given it.
//
// WSAPoll and select, asked in between, report the socket readable iff
// data waits.
//
// Identifiers of this file start with "rp".

import (
	"net/netip"
	"testing"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/provider"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
	"pgregory.net/rapid"
)

// rpModel is what the WSAEventSelect page says of FD_READ.
type rpModel struct {
	queued   int  // bytes (stream) or datagrams (UDP) waiting
	enabled  bool // FD_READ may be recorded
	recorded bool // FD_READ recorded, not reported yet
	signal   bool // the event object is set
}

// arrive is data arriving or a re-enabling call: FD_READ is recorded when
// it is enabled and data waits.
func (m *rpModel) settle() {
	if m.enabled && m.queued > 0 {
		m.enabled, m.recorded, m.signal = false, true, true
	}
}

func TestEventSelectFDReadNeitherLostNorInvented(t *testing.T) {
	for _, stream := range []bool{false, true} {
		name := "udp"
		if stream {
			name = "tcp"
		}
		t.Run(name, func(t *testing.T) {
			forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
				rapid.Check(t, func(rt *rapid.T) { rpRun(rt, kind, profile, stream) })
			})
		})
	}
}

func rpRun(rt *rapid.T, kind provider.Kind, profile emu.Profile, stream bool) {
	sys, st, do := steppedThread(rt, kind, profile)
	var err error
	var r, w emu.SOCKET // r selects; w sends to it
	var ev emu.Handle
	var dst netip.AddrPort
	do(func(th *emu.Thread) {
		var d emu.WSAData
		th.WSAStartup(0x0202, &d)
		ev, _ = th.WSACreateEvent()
		r, w, dst = loopbackPair(th, stream, rt.Fatalf)
	})
	var m rpModel
	selectRead := func() {
		do(func(th *emu.Thread) {
			if err := th.WSAEventSelect(r, ev, provider.FD_READ); err != nil {
				rt.Fatalf("WSAEventSelect: %v", err)
			}
		})
		m.enabled, m.recorded = true, false
		m.settle()
	}
	selectRead()
	steps := rapid.IntRange(1, 25).Draw(rt, "steps")
	for i := 0; i < steps; i++ {
		switch rapid.IntRange(0, 4).Draw(rt, "action") {
		case 0: // data arrives
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
				m.queued += n
			} else {
				m.queued++
			}
			m.settle()
		case 1: // a receive: the re-enabling call
			n := rapid.IntRange(1, 60).Draw(rt, "recvlen")
			var got uint32
			var rerr error
			do(func(th *emu.Thread) {
				var fl uint32
				rerr = th.WSARecv(r, []emu.WSABUF{{Len: uint32(n), Buf: make([]byte, n)}}, &got, &fl, nil, nil)
			})
			switch {
			case m.queued == 0:
				if rerr != wso.WSAEWOULDBLOCK {
					rt.Fatalf("receive with nothing queued: %v, want WSAEWOULDBLOCK", rerr)
				}
			case rerr != nil && rerr != wso.WSAEMSGSIZE:
				rt.Fatalf("receive: %v", rerr)
			case stream:
				m.queued -= int(got)
			default:
				m.queued--
			}
			m.enabled = true
			m.settle()
		case 2: // WSAEnumNetworkEvents, given the event or not
			give := rapid.Bool().Draw(rt, "give-event")
			sig, _ := sys.EventState(ev)
			if sig != m.signal {
				rt.Fatalf("event signalled %v, the model says %v", sig, m.signal)
			}
			var ne emu.WSANETWORKEVENTS
			do(func(th *emu.Thread) {
				h := emu.Handle(0)
				if give {
					h = ev
				}
				if err := th.WSAEnumNetworkEvents(r, h, &ne); err != nil {
					rt.Fatalf("WSAEnumNetworkEvents: %v", err)
				}
			})
			if got := ne.NetworkEvents&provider.FD_READ != 0; got != m.recorded {
				rt.Fatalf("FD_READ reported %v, the model says %v (queued %d, enabled %v)", got, m.recorded, m.queued, m.enabled)
			}
			m.recorded = false
			if give {
				m.signal = false
			}
		case 3: // a new selection: what was recorded is dropped, FD_READ enabled
			selectRead()
		case 4: // WSAPoll and select read the condition itself
			var n, ns int
			fds := []emu.WSAPOLLFD{{Fd: r, Events: provider.POLLRDNORM}}
			set := emu.NewFDSet(r)
			do(func(th *emu.Thread) {
				n, _ = th.WSAPoll(fds, 0)
				ns, _ = th.Select(0, set, nil, nil, &emu.Timeval{})
			})
			want := 0
			if m.queued > 0 {
				want = 1
			}
			if n != want || ns != want || (fds[0].Revents == provider.POLLRDNORM) != (want == 1) {
				rt.Fatalf("WSAPoll %d (revents %#x), select %d; %d waiting", n, fds[0].Revents, ns, m.queued)
			}
		}
	}
}
