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
