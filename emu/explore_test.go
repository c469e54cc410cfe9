package emu_test

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"
	"testing"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/provider"
)

// prog is a goroutine-driven program for the explorer: it starts its
// threads on s and returns a function that renders what they observed.
type prog func(s *emu.System) func() string

// exploreOutcomes explores p and returns the distinct outcomes (with the
// run's error, if any) and the stats.
func exploreOutcomes(t *testing.T, p prog, opt emu.ExploreOptions) ([]string, emu.ExploreStats) {
	t.Helper()
	seen := map[string]bool{}
	st := emu.Explore(opt, func(r *emu.ExploreRun) bool {
		s := emu.New(emu.WithChooser(r))
		out := p(s)
		err := s.Run()
		o := out()
		if err != nil {
			o += " error: " + strings.SplitN(err.Error(), "\n", 2)[0]
		}
		seen[o] = true
		return true
	})
	return emu.SortedOutcomes(seen), st
}

// checkEquivalent asserts the promise of the reduction: at the same
// bound, exploring with it finds the same outcomes as exploring every
// schedule, in no more runs.
func checkEquivalent(t *testing.T, name string, p prog, bound int) (full, reduced emu.ExploreStats) {
	t.Helper()
	want, full := exploreOutcomes(t, p, emu.ExploreOptions{Bound: bound, NoPrune: true})
	got, reduced := exploreOutcomes(t, p, emu.ExploreOptions{Bound: bound})
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s, bound %d: outcomes with reduction differ from those without\nwith:    %q\nwithout: %q", name, bound, got, want)
	}
	if reduced.Runs > full.Runs {
		t.Errorf("%s, bound %d: %d runs with reduction, more than %d without", name, bound, reduced.Runs, full.Runs)
	}
	if full.Diverged+reduced.Diverged > 0 {
		t.Errorf("%s: %d replays diverged", name, full.Diverged+reduced.Diverged)
	}
	t.Logf("%s, bound %d: %d schedules without reduction (bound hit %v), %d with (%d sleep-blocked, bound hit %v), %d outcomes",
		name, bound, full.Runs, full.BoundHit, reduced.Runs, reduced.SleepBlocked, reduced.BoundHit, len(want))
	return full, reduced
}

// disjointEvents: k threads, each setting, testing and resetting its own
// event: no two of their steps touch one object.
func disjointEvents(k int) prog {
	return func(s *emu.System) func() string {
		obs := make([]string, k)
		s.Go("main", func(t *emu.Thread) {
			evs := make([]emu.Handle, k)
			for i := range evs {
				evs[i], _ = t.CreateEvent(true, false)
			}
			for i := 0; i < k; i++ {
				i := i
				s.Go(fmt.Sprintf("W%d", i), func(t *emu.Thread) {
					t.SetEvent(evs[i])
					r, _ := t.WaitForSingleObject(evs[i], 0)
					t.ResetEvent(evs[i])
					r2, _ := t.WaitForSingleObject(evs[i], 0)
					obs[i] = fmt.Sprintf("%#x/%#x", r, r2)
				})
			}
		})
		return func() string { return strings.Join(obs, " ") }
	}
}

// sharedEvent: one thread sets an event, another tests it without
// waiting (a wait that times out reads the event too), a third works
// on its own event.
func sharedEvent() prog {
	return func(s *emu.System) func() string {
		var got, mine uint32
		s.Go("main", func(t *emu.Thread) {
			ev, _ := t.CreateEvent(true, false)
			own, _ := t.CreateEvent(false, false)
			s.Go("setter", func(t *emu.Thread) { t.SetEvent(ev) })
			s.Go("tester", func(t *emu.Thread) { got, _ = t.WaitForSingleObject(ev, 0) })
			s.Go("other", func(t *emu.Thread) {
				t.SetEvent(own)
				mine, _ = t.WaitForSingleObject(own, 0)
			})
		})
		return func() string { return fmt.Sprintf("tester %#x other %#x", got, mine) }
	}
}

// lostWakeup: the buggy handshake of an auto-reset event used as a
// counter: two producers each set it once, the consumer waits twice with
// a timeout; when both sets come before the first wait, one is lost.
func lostWakeup() prog {
	return func(s *emu.System) func() string {
		var r1, r2 uint32
		s.Go("main", func(t *emu.Thread) {
			ev, _ := t.CreateEvent(false, false)
			s.Go("P1", func(t *emu.Thread) { t.SetEvent(ev) })
			s.Go("P2", func(t *emu.Thread) { t.SetEvent(ev) })
			s.Go("C", func(t *emu.Thread) {
				r1, _ = t.WaitForSingleObject(ev, 10)
				r2, _ = t.WaitForSingleObject(ev, 10)
			})
		})
		return func() string { return fmt.Sprintf("%#x %#x", r1, r2) }
	}
}

// pipePair: two threads each write to and read from their own pipe, and a
// third passes a message through a shared one.
func pipePair() prog {
	return func(s *emu.System) func() string {
		obs := make([]string, 3)
		s.Go("main", func(t *emu.Thread) {
			var rd, wr [3]emu.Handle
			for i := range rd {
				rd[i], wr[i], _ = t.CreatePipe(emu.PipeOptions{Synchronous: true})
			}
			for i := 0; i < 2; i++ {
				i := i
				s.Go(fmt.Sprintf("own%d", i), func(t *emu.Thread) {
					var n uint32
					t.WriteFile(wr[i], []byte("hi"), &n, nil)
					buf := make([]byte, 4)
					t.ReadFile(rd[i], buf, &n, nil)
					obs[i] = string(buf[:n])
				})
			}
			s.Go("reader", func(t *emu.Thread) {
				var n uint32
				buf := make([]byte, 8)
				t.ReadFile(rd[2], buf, &n, nil)
				obs[2] = string(buf[:n])
			})
			s.Go("writer", func(t *emu.Thread) {
				var n uint32
				t.WriteFile(wr[2], []byte("a"), &n, nil)
				t.WriteFile(wr[2], []byte("b"), &n, nil)
			})
		})
		return func() string { return strings.Join(obs, ",") }
	}
}

// recvOne receives one datagram on h (a blocking receive) and returns it.
func recvOne(t *emu.Thread, h emu.SOCKET) string {
	buf := make([]byte, 16)
	var n, flags uint32
	if err := t.WSARecvFrom(h, []emu.WSABUF{{Len: 16, Buf: buf}}, &n, &flags, nil, nil, nil, nil); err != nil {
		return "error " + err.Error()
	}
	return string(buf[:n])
}

// disjointSockets: k threads, each receiving the datagram already waiting
// on its own socket, then reading an option of it: receives and queries
// only read the network, and each socket is its own.
func disjointSockets(k int) prog {
	return func(s *emu.System) func() string {
		obs := make([]string, k)
		s.Go("main", func(t *emu.Thread) {
			hs := make([]emu.SOCKET, k)
			for i := range hs {
				hs[i], _ = exampleUDP(t, uint16(5000+i))
				exampleSend(t, netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(5000+i)), fmt.Sprint("m", i))
			}
			for i := 0; i < k; i++ {
				i := i
				s.Go(fmt.Sprintf("R%d", i), func(t *emu.Thread) {
					obs[i] = recvOne(t, hs[i])
					var v [4]byte
					l := int32(4)
					t.Getsockopt(hs[i], provider.SOL_SOCKET, provider.SO_RCVBUF, v[:], &l)
				})
			}
		})
		return func() string { return strings.Join(obs, " ") }
	}
}

// udpRace: two senders race to one receiver, which takes one datagram.
func udpRace() prog {
	return func(s *emu.System) func() string {
		var got string
		s.Go("main", func(t *emu.Thread) {
			rx, addr := exampleUDP(t, 6000)
			a, _ := t.Socket(provider.AF_INET, provider.SOCK_DGRAM, provider.IPPROTO_UDP)
			b, _ := t.Socket(provider.AF_INET, provider.SOCK_DGRAM, provider.IPPROTO_UDP)
			send := func(t *emu.Thread, h emu.SOCKET, msg string) {
				var sent uint32
				t.WSASendTo(h, []emu.WSABUF{{Len: uint32(len(msg)), Buf: []byte(msg)}}, &sent, 0, &addr, provider.SizeofSockaddrInet4, nil, nil)
			}
			s.Go("A", func(t *emu.Thread) { send(t, a, "a") })
			s.Go("B", func(t *emu.Thread) { send(t, b, "b") })
			s.Go("R", func(t *emu.Thread) { got = recvOne(t, rx) })
		})
		return func() string { return got }
	}
}

// TestExploreDisjointThreadsOneClass: k threads on disjoint objects have
// one interleaving class, so the reduced search runs one schedule, where
// the full one runs many (the issue's promise: "k threads on disjoint
// objects explore 1 schedule class, not k!").
func TestExploreDisjointThreadsOneClass(t *testing.T) {
	for _, k := range []int{2, 3} {
		for _, c := range []struct {
			name string
			p    prog
		}{{"events", disjointEvents(k)}, {"sockets", disjointSockets(k)}} {
			full, red := checkEquivalent(t, fmt.Sprintf("disjoint %s k=%d", c.name, k), c.p, 3)
			if red.Runs != 1 {
				t.Errorf("%s k=%d: %d runs with reduction, want 1 (one class)", c.name, k, red.Runs)
			}
			if full.Runs < 10 {
				t.Errorf("%s k=%d: only %d runs without reduction: the test shows nothing", c.name, k, full.Runs)
			}
		}
	}
}

// TestExploreReductionKeepsOutcomes compares outcome sets with and
// without the reduction on programs whose threads share objects.
func TestExploreReductionKeepsOutcomes(t *testing.T) {
	for _, c := range []struct {
		name  string
		p     prog
		bound int
	}{
		{"shared event", sharedEvent(), 3},
		{"lost wakeup", lostWakeup(), 3},
		{"pipes", pipePair(), 2},
		{"udp race", udpRace(), 3},
	} {
		checkEquivalent(t, c.name, c.p, c.bound)
	}
}

// TestExploreFindsBothOrders: a wait that times out on an unsignalled
// event and a SetEvent race; both results must be found with reduction.
func TestExploreFindsBothOrders(t *testing.T) {
	got, _ := exploreOutcomes(t, sharedEvent(), emu.ExploreOptions{Bound: 2})
	var tester []string
	for _, o := range got {
		tester = append(tester, strings.Fields(o)[1])
	}
	sort.Strings(tester)
	if strings.Join(tester, " ") != "0x0 0x102" {
		t.Errorf("tester results %v, want both WAIT_OBJECT_0 (0x0) and WAIT_TIMEOUT (0x102)", tester)
	}
	got, _ = exploreOutcomes(t, lostWakeup(), emu.ExploreOptions{Bound: 3})
	if !strings.Contains(strings.Join(got, "|"), "0x0 0x102") {
		t.Errorf("lost wakeup not found: %q", got)
	}
}

// randomEventProgram builds, from seed, three threads of three steps each
// over two events (one manual-reset, one auto-reset) and a port: set,
// reset, a wait that does not block, a post or a non-blocking dequeue.
// Each step's result is part of the outcome.
func randomEventProgram(seed uint64) prog {
	rng := emu.SeededChooser(seed)
	const threads, steps = 3, 3
	var ops [threads][steps]int
	for i := range ops {
		for j := range ops[i] {
			ops[i][j] = rng.Choose(emu.PointSchedule, 10)
		}
	}
	return func(s *emu.System) func() string {
		var obs [threads][steps]string
		s.Go("main", func(t *emu.Thread) {
			evs := [2]emu.Handle{}
			evs[0], _ = t.CreateEvent(true, false)
			evs[1], _ = t.CreateEvent(false, false)
			port, _ := t.CreateIoCompletionPort(emu.INVALID_HANDLE_VALUE, 0, 0, 0)
			for i := 0; i < threads; i++ {
				i := i
				s.Go(fmt.Sprintf("T%d", i), func(t *emu.Thread) {
					for j, op := range ops[i] {
						ev := evs[op%2]
						switch op / 2 {
						case 0:
							t.SetEvent(ev)
						case 1:
							t.ResetEvent(ev)
						case 2, 3:
							r, _ := t.WaitForSingleObject(ev, 0)
							obs[i][j] = fmt.Sprintf("w%#x", r)
						case 4:
							if op%2 == 0 {
								t.PostQueuedCompletionStatus(port, uint32(i), 0, nil)
							} else {
								var n uint32
								var key uintptr
								var ov *emu.Overlapped
								err := t.GetQueuedCompletionStatus(port, &n, &key, &ov, 0)
								obs[i][j] = fmt.Sprintf("q%v/%d", err == nil, n)
							}
						}
					}
				})
			}
		})
		return func() string { return fmt.Sprint(obs) }
	}
}

// TestExploreRandomPrograms: on random small programs whose threads share
// events and a port, the reduction finds exactly the outcomes of the full
// search at the same bound.
func TestExploreRandomPrograms(t *testing.T) {
	n := 40
	if testing.Short() {
		n = 10
	}
	sameOutcomesWithReduction(t, "random programs", n, 3, randomEventProgram)
}

// sameOutcomesWithReduction explores the programs build makes from seeds
// 1 to n at the bound, with and without the reduction, and fails where
// their sets of outcomes differ.
func sameOutcomesWithReduction(t *testing.T, what string, n, bound int, build func(seed uint64) prog) {
	t.Helper()
	full, red := 0, 0
	for seed := uint64(1); seed <= uint64(n); seed++ {
		want, fs := exploreOutcomes(t, build(seed), emu.ExploreOptions{Bound: bound, NoPrune: true})
		got, rs := exploreOutcomes(t, build(seed), emu.ExploreOptions{Bound: bound})
		full += fs.Runs
		red += rs.Runs
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("seed %d: outcomes with reduction %q, without %q", seed, got, want)
		}
	}
	t.Logf("%d %s, bound %d: %d schedules without the reduction, %d with", n, what, bound, full, red)
}

// randomSocketProgram builds, from seed, three threads of three steps each
// over two non-blocking UDP sockets: a send to either (from the thread's
// own socket), a receive that does not block, an overlapped receive with
// an event tested at once, an option read, or a close.
func randomSocketProgram(seed uint64) prog {
	rng := emu.SeededChooser(seed)
	const threads, steps = 3, 3
	var ops [threads][steps]int
	for i := range ops {
		for j := range ops[i] {
			ops[i][j] = rng.Choose(emu.PointSchedule, 10)
		}
	}
	return func(s *emu.System) func() string {
		var obs [threads][steps]string
		s.Go("main", func(t *emu.Thread) {
			var rx [2]emu.SOCKET
			var addr [2]netip.AddrPort
			for k := range rx {
				rx[k], addr[k] = exampleUDP(t, uint16(7000+k))
				var n uint32
				t.WSAIoctl(rx[k], provider.FIONBIO, []byte{1, 0, 0, 0}, nil, &n, nil, nil)
			}
			var tx [threads]emu.SOCKET
			for i := range tx {
				tx[i], _ = t.Socket(provider.AF_INET, provider.SOCK_DGRAM, provider.IPPROTO_UDP)
			}
			for i := 0; i < threads; i++ {
				i := i
				s.Go(fmt.Sprintf("T%d", i), func(t *emu.Thread) {
					for j, op := range ops[i] {
						k := op % 2
						buf := make([]byte, 8)
						var n, flags uint32
						switch op / 2 {
						case 0:
							msg := fmt.Sprint(i, j)
							err := t.WSASendTo(tx[i], []emu.WSABUF{{Len: uint32(len(msg)), Buf: []byte(msg)}}, &n, 0, &addr[k], provider.SizeofSockaddrInet4, nil, nil)
							obs[i][j] = fmt.Sprintf("s%v", err)
						case 1:
							err := t.WSARecvFrom(rx[k], []emu.WSABUF{{Len: 8, Buf: buf}}, &n, &flags, nil, nil, nil, nil)
							obs[i][j] = fmt.Sprintf("r%v/%s", err, buf[:n])
						case 2:
							ev, _ := t.WSACreateEvent()
							ov := &emu.Overlapped{HEvent: ev}
							err := t.WSARecvFrom(rx[k], []emu.WSABUF{{Len: 8, Buf: buf}}, &n, &flags, nil, nil, ov, nil)
							r, _ := t.WaitForSingleObject(ev, 0)
							obs[i][j] = fmt.Sprintf("o%v/%#x", err, r)
							t.CancelIo(emu.Handle(rx[k]))
							t.WaitForSingleObject(ev, emu.INFINITE)
						case 3:
							var v [4]byte
							l := int32(4)
							err := t.Getsockopt(rx[k], provider.SOL_SOCKET, provider.SO_RCVBUF, v[:], &l)
							obs[i][j] = fmt.Sprintf("g%v", err)
						case 4:
							obs[i][j] = fmt.Sprintf("c%v", t.Closesocket(rx[k]))
						}
					}
				})
			}
		})
		return func() string { return fmt.Sprint(obs) }
	}
}

// TestExploreRandomSocketPrograms: the same comparison over sockets,
// where the network's state is shared and only reads commute.
func TestExploreRandomSocketPrograms(t *testing.T) {
	n := 20
	if testing.Short() {
		n = 5
	}
	sameOutcomesWithReduction(t, "random socket programs", n, 2, randomSocketProgram)
}
