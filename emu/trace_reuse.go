package emu

// reuse empties the trace for a new run, keeping the memory its events
// took. (Kept apart from trace.go, whose storage may change: this is the
// one place besides it that knows that storage.)
func (tr *Trace) reuse() {
	clear(tr.Events)
	tr.Events = tr.Events[:0]
}
