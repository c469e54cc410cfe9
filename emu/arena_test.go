package emu

import (
	"math/rand/v2"
	"testing"
)

// atRecord is a record for the arena test: used marks one handed out and
// not yet recycled.
type atRecord struct {
	used bool
	id   int
}

func (r *atRecord) recycle() { *r = atRecord{id: r.id} }

// An arena's promise, over random runs of gets and puts each ended by a
// reset: after a reset every record it ever allocated is free and empty,
// once; a get hands out an empty record no one else holds; and a run
// that takes no more records than the last allocates none.
func TestArenaResetFreesEveryRecord(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var a arena[atRecord, *atRecord]
	most := 0
	for run := 0; run < 500; run++ {
		var held []*atRecord
		allBefore := len(a.all)
		peak := 0
		for step := rng.IntN(40); step > 0; step-- {
			if len(held) > 0 && rng.IntN(3) == 0 {
				i := rng.IntN(len(held))
				a.put(held[i])
				held = append(held[:i], held[i+1:]...)
				continue
			}
			r := a.get(true)
			if r.used {
				t.Fatalf("run %d: get handed out a record in use", run)
			}
			if r.id == 0 {
				r.id = len(a.all)
			}
			r.used = true
			held = append(held, r)
			peak = max(peak, len(held))
		}
		a.reset()
		if len(a.free) != len(a.all) {
			t.Fatalf("run %d: %d records free after reset, %d allocated", run, len(a.free), len(a.all))
		}
		seen := map[*atRecord]bool{}
		for _, r := range a.free {
			if r.used || seen[r] {
				t.Fatalf("run %d: a free record is in use or free twice", run)
			}
			seen[r] = true
		}
		if peak <= most && len(a.all) != allBefore {
			t.Fatalf("run %d: took at most %d records at once (the most so far: %d) but allocated", run, peak, most)
		}
		most = max(most, peak)
	}
}
