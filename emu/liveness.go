package emu

import (
	"fmt"

	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// Liveness checks the emulator's own promises after a run that ended
// without error (call it only then, with no thread running): no system
// action is left waiting, and every kernel I/O request the trace numbers
// (pipes and IFS sockets) completed exactly once, unless the call that
// issued it failed at once, in which case it never completes. Non-IFS
// provider operations bypass the I/O manager and are not numbered; a
// program's own counters cover them. Each entry of the result is one
// broken promise; a non-empty result is an emulator bug.
func (s *System) Liveness() []string {
	var bad []string
	if n := s.PendingActions(); n != 0 {
		bad = append(bad, fmt.Sprintf("%d system actions still pending after the run", n))
	}
	tr := s.trace
	if tr == nil {
		return bad
	}
	type req struct {
		thread    int
		call      string
		completed int
		refused   bool
	}
	reqs := map[uint64]*req{}
	var order []uint64
	open := map[int]uint64{} // thread -> request issued by its call in progress
	for _, e := range tr.All() {
		switch e.Kind {
		case EvIssue:
			reqs[e.N] = &req{thread: e.Thread, call: e.Name}
			order = append(order, e.N)
			open[e.Thread] = e.N
		case EvComplete:
			if r, ok := reqs[e.N]; ok && e.N != 0 {
				r.completed++
			}
		case EvReturn:
			id, ok := open[e.Thread]
			if !ok || reqs[id].call != e.Name {
				continue
			}
			delete(open, e.Thread)
			r := reqs[id]
			if r.completed == 0 && e.Err != 0 && e.Err != wso.ERROR_IO_PENDING && e.Err != wso.WSA_IO_PENDING {
				r.refused = true
			}
		}
	}
	for _, id := range order {
		r := reqs[id]
		switch {
		case r.refused && r.completed != 0:
			bad = append(bad, fmt.Sprintf("req#%d (%s) failed at once but completed %d times", id, r.call, r.completed))
		case !r.refused && r.completed != 1:
			bad = append(bad, fmt.Sprintf("req#%d (%s) completed %d times, want exactly once", id, r.call, r.completed))
		}
	}
	return bad
}
