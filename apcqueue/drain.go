package apcqueue

// Drain performs the APC part of an alertable wait. It repeatedly takes a
// candidate (as Take(pick) would), calls Begin, run, End, and stops when no
// candidate is left; entries pushed by run are candidates like any other.
// It returns how many entries this call ran (entries run by a nested Drain
// are counted by that call). A positive result is the WAIT_IO_COMPLETION
// case.
//
// run may call Push, Take, Close or Drain on the same queue. A nested Drain
// applies the nesting rule, so it skips Completion entries whose key is
// running in an outer call; those stay queued for the outer Drain. If run
// panics (or the goroutine exits), End is still called for that entry and
// the panic continues to the caller. A nil run just discards the entries.
//
// Drain keeps going for as long as run keeps queuing new candidates.
func (q *Queue[P]) Drain(pick Picker, run func(Entry[P])) int {
	n := 0
	for {
		j := q.choose(pick)
		if j < 0 {
			// Nothing may start. A Picker that is a NestPicker may still
			// let the oldest Completion entry held back by the nesting
			// rule run, nested, this once.
			if len(q.running) == 0 {
				return n // nothing running: nothing is held back
			}
			np, ok := pick.(NestPicker)
			if !ok {
				return n
			}
			if j = q.firstHeld(); j < 0 || !np.Nest() {
				return n
			}
		}
		e := q.buf[q.head+j]
		q.removeAt(j)
		n++
		q.runOne(&e, run)
	}
}

// runOne brackets one call of run with Begin and End. It is a separate
// function so that the deferred End is cheap and restores the bookkeeping
// even when run does not return normally.
func (q *Queue[P]) runOne(e *Entry[P], run func(Entry[P])) {
	q.running = append(q.running, active{seq: e.Seq, key: e.Key, kind: e.Kind})
	defer q.end(e.Seq, e.Kind, e.Key)
	if run != nil {
		run(*e)
	}
}

// NestPicker is a Picker that may also lift the nesting rule. When a
// Drain finds no candidate but a Completion entry that only the nesting
// rule holds back (its key is running further up the stack), it asks Nest
// whether that entry, the oldest such, runs now, nested. A Picker that
// does not implement it never lifts the rule.
type NestPicker interface {
	Picker
	Nest() bool
}

// firstHeld returns the queue position of the oldest Completion entry the
// nesting rule holds back, or -1.
func (q *Queue[P]) firstHeld() int {
	for j := 0; j < q.Len(); j++ {
		if e := &q.buf[q.head+j]; e.Kind == Completion && q.Running(e.Key) {
			return j
		}
	}
	return -1
}
