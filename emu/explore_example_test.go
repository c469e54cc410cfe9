package emu_test

import (
	"fmt"

	"github.com/wsaemu/wsaemu/emu"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// Explore runs a program under every schedule within a bound. Here one
// thread sets an event while another tests it without waiting, and a
// third works on an event of its own: the tester sees both results, and
// the third thread's steps, which touch nothing the others touch, are not
// interleaved with theirs in every possible way.
func ExampleExplore() {
	program := func(s *emu.System, got *uint32) {
		s.Go("main", func(t *emu.Thread) {
			ev, _ := t.CreateEvent(true, false)
			own, _ := t.CreateEvent(true, false)
			s.Go("setter", func(t *emu.Thread) { t.SetEvent(ev) })
			s.Go("tester", func(t *emu.Thread) { *got, _ = t.WaitForSingleObject(ev, 0) })
			s.Go("other", func(t *emu.Thread) {
				t.SetEvent(own)
				t.ResetEvent(own)
			})
		})
	}
	explore := func(opt emu.ExploreOptions) (map[string]bool, emu.ExploreStats) {
		seen := map[string]bool{}
		st := emu.Explore(opt, func(r *emu.ExploreRun) bool {
			s := emu.New(emu.WithChooser(r))
			var got uint32
			program(s, &got)
			if err := s.Run(); err != nil {
				fmt.Println(err)
			}
			seen[wso.WaitName(got)] = true
			return true
		})
		return seen, st
	}
	seen, st := explore(emu.ExploreOptions{Bound: 3})
	_, full := explore(emu.ExploreOptions{Bound: 3, NoPrune: true})
	fmt.Println("tester saw:", emu.SortedOutcomes(seen))
	fmt.Println("schedules with the reduction:", st.Runs, "without:", full.Runs)
	// Output:
	// tester saw: [WAIT_OBJECT_0 WAIT_TIMEOUT]
	// schedules with the reduction: 4 without: 51
}
