package emu

import (
	"testing"
)

// Issue 6, hostile schedules: every decision goes to the permitted outcome
// programs least expect — pend rather than complete at once (WSASendMsg:
// both are allowed), the newest routine first (LPOVERLAPPED_COMPLETION_ROUTINE:
// "in any order"), a cancel still under way (CancelIoEx: completion may
// win), a preemption at every call.
func TestHostileChooserPicks(t *testing.T) {
	h := HostileChooser()
	cases := []struct {
		p    Point
		n    int
		want int
	}{
		{PointPend, 2, 1}, {PointCancel, 2, 1}, {PointPreempt, 2, 1},
		{PointAPCOrder, 3, 2}, {PointSchedule, 4, 3},
	}
	for _, c := range cases {
		if got := h.Choose(c.p, c.n); got != c.want {
			t.Errorf("%s of %d: got %d, want %d", c.p, c.n, got, c.want)
		}
	}
}

// Under the hostile chooser an overlapped pipe read with data already
// there still pends (the docs profile: the pages allow it; on Windows
// such a read completes at once), and two routines queued together run
// newest first.
func TestHostileChooserInAction(t *testing.T) {
	s := New(WithChooser(HostileChooser()), WithProfile(ProfileDocs))
	defer s.Stop()
	st, _ := s.Stepper()
	a := st.NewThread("A")
	var order []int
	st.Call(a, func(th *Thread) {
		r, w, _ := th.CreatePipe(PipeOptions{Mode: PipeMessage})
		var n uint32
		th.WriteFile(w, []byte("one"), &n, &Overlapped{})
		th.WriteFile(w, []byte("two"), &n, &Overlapped{})
		if err := th.ReadFile(r, make([]byte, 8), &n, &Overlapped{}); err == nil {
			t.Error("hostile: a read with data there completed at once; want ERROR_IO_PENDING")
		}
		th.ReadFileEx(r, make([]byte, 8), &Overlapped{}, func(*Thread, uint32, uint32, *Overlapped) { order = append(order, 1) })
		th.WriteFile(w, []byte("three"), &n, &Overlapped{})
		th.ReadFileEx(r, make([]byte, 8), &Overlapped{}, func(*Thread, uint32, uint32, *Overlapped) { order = append(order, 2) })
	})
	st.Settle()
	st.Call(a, func(th *Thread) { th.SleepEx(0, true) })
	if len(order) != 2 {
		t.Fatalf("routines ran %v, want both", order)
	}
	// The completions themselves were delivered in reverse too, so compare
	// the order the routines were queued in with the order they ran in.
	var queued, ran []uint64
	for _, e := range s.Trace().All() {
		switch e.Kind {
		case EvAPCQueued:
			queued = append(queued, e.N)
		case EvAPCRun:
			ran = append(ran, e.N)
		}
	}
	if len(queued) != 2 || len(ran) != 2 || ran[0] != queued[1] || ran[1] != queued[0] {
		t.Fatalf("APCs queued %v ran %v: want the newest first", queued, ran)
	}
}

// Issue 6, swarm mode: each seed draws its own bias per kind of decision,
// so across seeds some never pend and some always do, while one seed is
// always the same run.
func TestSwarmChooserBiases(t *testing.T) {
	never, always := 0, 0
	for seed := uint64(1); seed <= 200; seed++ {
		sw := SwarmChooser(seed)
		pends := 0
		for i := 0; i < 100; i++ {
			pends += sw.Choose(PointPend, 2)
		}
		switch pends {
		case 0:
			never++
		case 100:
			always++
		}
		a, b := SwarmChooser(seed), SwarmChooser(seed)
		for i := 0; i < 50; i++ {
			if a.Choose(PointAPCOrder, 5) != b.Choose(PointAPCOrder, 5) {
				t.Fatalf("seed %d: two swarm choosers diverged", seed)
			}
		}
	}
	if never == 0 || always == 0 {
		t.Fatalf("over 200 seeds: %d never pend, %d always pend; want both kinds of swarm", never, always)
	}
	for i := 0; i < 100; i++ {
		if c := SwarmChooser(uint64(i)).Choose(PointAPCOrder, 3); c < 0 || c > 2 {
			t.Fatalf("choice %d out of range", c)
		}
	}
}

// WithPoison: a pending Winsock receive leaves its byte count unwritten;
// with poison on it holds 0xDEADBEEF, so a program that reads it sees
// garbage at once.
func TestPoisonPendingCount(t *testing.T) {
	s := New(WithPoison())
	defer s.Stop()
	st, _ := s.Stepper()
	a := st.NewThread("A")
	st.Call(a, func(th *Thread) {
		rs, _, _ := sanSockets(t, th)
		n, fl := uint32(7), uint32(0)
		th.WSARecv(rs, []WSABUF{{Len: 4, Buf: make([]byte, 4)}}, &n, &fl, &Overlapped{}, nil)
		if n != Poison {
			t.Errorf("pending WSARecv left the count %#x, want the poison %#x", n, Poison)
		}
	})
}

// TestSwarmResetIsSwarmChooser: a Swarm reset to a seed, after it drew
// decisions for another seed, draws what SwarmChooser(seed) draws — a
// seed names one run whether explore reuses its chooser or not.
func TestSwarmResetIsSwarmChooser(t *testing.T) {
	var kept Swarm
	kept.Reset(99)
	for i := 0; i < 50; i++ {
		kept.Choose(Point(i%int(numPoints)), 3)
	}
	for seed := uint64(1); seed <= 20; seed++ {
		fresh := SwarmChooser(seed)
		kept.Reset(seed)
		if kept != *fresh {
			t.Fatalf("seed %d: reset Swarm %+v, new %+v", seed, kept, *fresh)
		}
		for i := 0; i < 200; i++ {
			p, n := Point(i%int(numPoints)), 2+i%4
			if a, b := kept.Choose(p, n), fresh.Choose(p, n); a != b {
				t.Fatalf("seed %d, decision %d: reset Swarm chose %d, new %d", seed, i, a, b)
			}
		}
	}
}
