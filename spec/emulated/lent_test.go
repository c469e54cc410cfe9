package emulated

import (
	"math/rand/v2"
	"testing"

	"github.com/wsaemu/wsaemu/emu"
)

// select's sets are read back by searching what select left for each
// socket given: in a sorted copy for large sets, by scanning for small
// ones. Both mark the same sockets, whatever the order and repeats.
func TestStillInSortedAsScanned(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var l lentMem
	for k := 0; k < 500; k++ {
		given := make([]emu.SOCKET, r.IntN(90))
		for i := range given {
			given[i] = emu.SOCKET(4 * (1 + r.IntN(100)))
		}
		left := make([]emu.SOCKET, r.IntN(90))
		for i := range left {
			left[i] = emu.SOCKET(4 * (1 + r.IntN(100)))
		}
		got := make([]bool, len(given))
		stillIn(got, given, left, &l)
		for j, h := range given {
			want := false
			for _, x := range left {
				want = want || x == h
			}
			if got[j] != want {
				t.Fatalf("%d given, %d left: socket %d marked %v", len(given), len(left), h, got[j])
			}
		}
		l.reset()
	}
}

// What a run lends is zero, as make gives it, never nil, and each loan
// its own memory until the next run takes everything back.
func TestLentAsMade(t *testing.T) {
	var l lent[uint32]
	if s := l.take(0); s == nil {
		t.Fatal("an empty loan is nil")
	}
	a := l.take(5)
	for i := range a {
		a[i] = 7
	}
	b := l.take(100) // past the block: a new one; a stays a's
	b[0] = 9
	if a[0] != 7 || len(b) != 100 || cap(b) != 100 {
		t.Fatalf("a %v, b %d long, %d wide", a, len(b), cap(b))
	}
	l.reset()
	c := l.take(100)
	for _, v := range c {
		if v != 0 {
			t.Fatalf("a loan after reset holds %v", c)
		}
	}
}

// Liveness looks for a request completed twice or an APC run twice
// through a sorted list of the trace's notifications: a repeat of either
// is found wherever it is, and the same request number completing on
// one thread and an APC numbered alike are not mistaken for one.
func TestNotifiedTwice(t *testing.T) {
	ev := func(k emu.EventKind, th int, n uint64) emu.Event { return emu.Event{Kind: k, Thread: th, N: n} }
	for _, tc := range []struct {
		evs   []emu.Event
		twice bool
	}{
		{nil, false},
		{[]emu.Event{ev(emu.EvComplete, 1, 1), ev(emu.EvComplete, 1, 2), ev(emu.EvAPCRun, 1, 1), ev(emu.EvAPCRun, 2, 1)}, false},
		{[]emu.Event{ev(emu.EvComplete, 1, 0), ev(emu.EvComplete, 2, 0)}, false}, // N 0: no request
		{[]emu.Event{ev(emu.EvComplete, 1, 7), ev(emu.EvAPCRun, 1, 3), ev(emu.EvComplete, 2, 7)}, true},
		{[]emu.Event{ev(emu.EvAPCRun, 2, 5), ev(emu.EvComplete, 1, 5), ev(emu.EvAPCRun, 2, 5)}, true},
	} {
		var tr emu.Trace
		for _, e := range tc.evs {
			tr.Append(e)
		}
		e := &Emulator{}
		if got := e.notifiedTwice(&tr); got != tc.twice {
			t.Errorf("%+v: %v, want %v", tc.evs, got, tc.twice)
		}
	}
}
