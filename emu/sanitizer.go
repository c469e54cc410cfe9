package emu

import (
	"fmt"
)

// SanitizerMode says what the System does with usage the pages call
// undefined or erroneous.
type SanitizerMode uint8

const (
	// SanitizeOff records nothing.
	SanitizeOff SanitizerMode = iota
	// SanitizeReport records each finding in the trace and in Findings,
	// and lets the run go on.
	SanitizeReport
	// SanitizeFailFast stops the run at the first finding: the call in
	// progress finishes, then Run (or the Stepper's Call) returns a
	// *SanitizerError.
	SanitizeFailFast
)

// WithSanitizer turns the misuse sanitizer on.
func WithSanitizer(m SanitizerMode) Option { return func(s *System) { s.san.mode = m } }

// Finding is one misuse the sanitizer saw.
type Finding struct {
	Clause  string  // the catalogue clause the usage breaks
	Thread  string  // the thread that did it
	Seq     uint64  // the trace event at which it was seen (0 without a trace)
	Text    string  // what happened
	Excerpt []Event // the trace events just before it
}

func (f Finding) String() string {
	return fmt.Sprintf("%s: thread %s: %s (at trace event %d)", f.Clause, f.Thread, f.Text, f.Seq)
}

// SanitizerError is what a fail-fast run ends with.
type SanitizerError struct{ Finding Finding }

func (e *SanitizerError) Error() string { return "sanitizer: " + e.Finding.String() }

// Findings returns everything the sanitizer saw, in order.
func (s *System) Findings() []Finding { return s.san.findings }

// sanitizer tracks the overlapped records and buffers of operations in
// flight, to tell when a program touches them wrongly.
type sanitizer struct {
	mode     SanitizerMode
	seq      uint64
	findings []Finding
	fatal    *Finding
	ops      map[*Overlapped]*sanOp // operations in flight, by record (their records: System.rec.sanOps)
	scratch  [][]byte               // a call's buffers, gathered for sanIssue
}

type sanOp struct {
	seq      uint64 // issue order, to report deterministically
	call     string
	thread   *Thread
	routine  bool
	event    Handle // hEvent with the low bit cleared
	auto     bool   // the event is auto-reset
	consumed bool   // an auto-reset event of this operation was taken by a wait
	bufs     []*byte
}

func (z *sanitizer) on() bool { return z.mode != SanitizeOff }

// finding records a misuse.
func (s *System) finding(t *Thread, clause, format string, args ...any) {
	if !s.san.on() {
		return
	}
	f := Finding{Clause: clause, Thread: tname(t)}
	if s.trace == nil {
		f.Text = fmt.Sprintf(format, args...)
	} else {
		// The note's text is "clause: text": one string, of which the
		// finding's text is the tail.
		var buf [256]byte
		b := append(append(buf[:0], clause...), ": "...)
		note := string(fmt.Appendf(b, format, args...))
		f.Text = note[len(clause)+2:]
		n := s.trace.Len()
		from := n - 8
		if from < 0 {
			from = 0
		}
		f.Excerpt = make([]Event, 0, n-from)
		for i := from; i < n; i++ {
			f.Excerpt = append(f.Excerpt, *s.trace.At(i))
		}
		s.emit(Event{Thread: t.tid(), Kind: EvNote, Name: "sanitizer", Text: note})
		f.Seq = uint64(s.trace.Len())
	}
	s.san.findings = append(s.san.findings, f)
	if s.san.mode == SanitizeFailFast && s.san.fatal == nil {
		s.san.fatal = &s.san.findings[len(s.san.findings)-1]
	}
}

func tname(t *Thread) string {
	if t == nil {
		return "sys"
	}
	return t.name
}

// sanIssue is told of every overlapped operation as it is issued. Reusing
// a record whose operation is still in flight is undefined (each
// outstanding operation needs its own record).
func (s *System) sanIssue(t *Thread, call string, ov *Overlapped, routine bool, bufs ...[]byte) {
	z := &s.san
	if !z.on() || ov == nil {
		return
	}
	if z.ops == nil {
		z.ops = map[*Overlapped]*sanOp{}
	}
	if old, ok := z.ops[ov]; ok {
		s.finding(t, "wsaoverlapped.reuse-while-pending",
			"%s reuses ov%d while the %s issued by %s with it is still in flight", call, s.OverlappedID(ov), old.call, tname(old.thread))
	}
	z.seq++
	op := s.rec.sanOps.get(s.reusable())
	op.seq, op.call, op.thread, op.routine = z.seq, call, t, routine
	if !routine {
		op.event = ov.HEvent &^ 1
		if ev, ok := s.handles.get(op.event).(*event); ok && !ev.manual {
			op.auto = true
		}
	}
	for _, b := range bufs {
		if len(b) > 0 {
			op.bufs = append(op.bufs, &b[0])
		}
	}
	z.ops[ov] = op
}

// sanDone is told when an operation's record is no longer the system's:
// it completed, or the call that issued it failed at once.
func (s *System) sanDone(ov *Overlapped) {
	z := &s.san
	if op, ok := z.ops[ov]; ok {
		delete(z.ops, ov)
		s.rec.sanOps.put(op)
	}
}

// sanResultWait is told of a result query that will wait (fWait TRUE /
// bWait TRUE) for the operation that uses ov.
func (s *System) sanResultWait(t *Thread, call string, ov *Overlapped, nullEventOK bool) {
	z := &s.san
	if !z.on() {
		return
	}
	op, ok := z.ops[ov]
	if !ok {
		return
	}
	switch {
	case op.routine:
		s.finding(t, "lpwspgetoverlappedresult.wait.event-only",
			"%s waits for ov%d, whose %s asked for a completion routine: hEvent is not the system's to signal", call, s.OverlappedID(ov), op.call)
	case op.event == 0 && nullEventOK:
		// GetOverlappedResult waits on the file handle instead.
	case op.event == 0:
		s.finding(t, "lpwspgetoverlappedresult.wait.event-only",
			"%s waits for ov%d, whose %s has no event (hEvent is NULL)", call, s.OverlappedID(ov), op.call)
	case op.auto && op.consumed:
		s.finding(t, "sync-overlapped-io.autoreset-result-wait",
			"%s waits for ov%d on an auto-reset event another wait has already taken: the wake-up is lost", call, s.OverlappedID(ov))
	case op.event != 0:
		if _, ok := s.handles.get(op.event).(*event); !ok {
			s.finding(t, "lpwspgetoverlappedresult.wait.event-only",
				"%s waits for ov%d, whose hEvent %#x is not an open event", call, s.OverlappedID(ov), uint64(op.event))
		}
	}
}

// sanEventTaken is told when a wait takes an auto-reset event.
func (s *System) sanEventTaken(e *event) {
	for _, op := range s.san.ops {
		if op.auto && op.event == e.handle {
			op.consumed = true
		}
	}
}

// sanEventClosed is told when an event handle is closed.
func (s *System) sanEventClosed(t *Thread, h Handle) {
	if ov, op := s.sanOldest(func(op *sanOp) bool { return op.event == h }); op != nil {
		s.finding(t, "wsacloseevent.pending-operation",
			"event %#x is closed while the %s using ov%d is still in flight", uint64(h), op.call, s.OverlappedID(ov))
	}
}

// sanOldest returns the earliest-issued operation in flight that matches,
// so that what a finding names never depends on map order.
func (s *System) sanOldest(match func(*sanOp) bool) (*Overlapped, *sanOp) {
	var best *sanOp
	var bestOv *Overlapped
	for ov, op := range s.san.ops {
		if match(op) && (best == nil || op.seq < best.seq) {
			best, bestOv = op, ov
		}
	}
	return bestOv, best
}

// ReleaseOverlapped tells the emulator that the program frees (or lets go
// out of scope) the record ov. Releasing a record whose operation is in
// flight is undefined: the system will still write it.
func (t *Thread) ReleaseOverlapped(ov *Overlapped) {
	s := t.s
	if op, ok := s.san.ops[ov]; ok {
		s.finding(t, "wsaoverlapped.release-while-pending",
			"ov%d is released while the %s issued by %s with it is still in flight", s.OverlappedID(ov), op.call, tname(op.thread))
	}
}

// ReleaseBuffer tells the emulator that the program frees (or reuses) buf.
// Releasing a buffer an operation in flight still uses is undefined.
func (t *Thread) ReleaseBuffer(buf []byte) {
	s := t.s
	if len(buf) == 0 {
		return
	}
	p := &buf[0]
	ov, op := s.sanOldest(func(op *sanOp) bool {
		for _, b := range op.bufs {
			if b == p {
				return true
			}
		}
		return false
	})
	if op != nil {
		s.finding(t, "wsaoverlapped.release-while-pending",
			"a buffer is released while the %s using ov%d still owns it", op.call, s.OverlappedID(ov))
	}
}

// sanFatalErr returns the fail-fast error, if a finding stopped the run.
func (s *System) sanFatalErr() error {
	if s.san.fatal == nil {
		return nil
	}
	return &SanitizerError{Finding: *s.san.fatal}
}
