package apcqueue

import "strconv"

// Kind says which rules an entry follows.
type Kind uint8

const (
	// User is an APC queued by QueueUserAPC. User entries start in strict
	// FIFO order among themselves.
	User Kind = iota
	// Completion is an I/O completion routine. Completion entries may start
	// in any order, except that two with the same non-zero Key never nest.
	Completion
)

// String returns "User", "Completion", or "Kind(n)" for other values.
func (k Kind) String() string {
	switch k {
	case User:
		return "User"
	case Completion:
		return "Completion"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Valid reports whether k is one of the declared kinds.
func (k Kind) Valid() bool { return k <= Completion }

// Entry is one queued APC.
type Entry[P any] struct {
	// Seq is given by Push: 1 for the first entry of a queue, then 2, 3 ...
	// A sequence number is never handed out twice by the same queue.
	Seq uint64
	// Kind selects the ordering rule.
	Kind Kind
	// Key is the socket or handle a completion routine belongs to; while a
	// Completion entry with this key runs, no other Completion entry with
	// the same key may start. 0 means no constraint. Ignored for User.
	Key uintptr
	// Payload is whatever the kernel needs to run the APC.
	Payload P
}

// Picker chooses one of n candidates, n >= 2, by returning an index in
// [0, n); index 0 is the oldest candidate. Answers outside the range are
// clamped to the nearest end. A nil Picker means "always 0".
type Picker interface {
	Pick(n int) int
}

// PickerFunc adapts a function to the Picker interface. A nil PickerFunc
// picks 0.
type PickerFunc func(n int) int

// Pick calls f, or returns 0 if f is nil.
func (f PickerFunc) Pick(n int) int {
	if f == nil {
		return 0
	}
	return f(n)
}

// active records one Begin that has not yet been matched by End. The payload
// is deliberately not kept.
type active struct {
	seq  uint64
	key  uintptr
	kind Kind
}

// Queue is one thread's APC queue. The zero value is an empty, open queue.
type Queue[P any] struct {
	// buf[head:] holds the queued entries in push order; buf[:head] and
	// buf[len(buf):cap(buf)] are zeroed slots.
	buf  []Entry[P]
	head int
	// last is the most recently assigned sequence number.
	last uint64
	// running is the stack of entries between Begin and End, innermost last.
	running []active
	closed  bool
}

// Push queues an entry and returns its sequence number. It returns ok=false,
// and queues nothing, once the queue is closed or if kind is not a declared
// Kind.
func (q *Queue[P]) Push(kind Kind, key uintptr, p P) (seq uint64, ok bool) {
	if q.closed || !kind.Valid() {
		return 0, false
	}
	if len(q.buf) == cap(q.buf) && q.head > 0 {
		// Slide the live part down instead of growing the array.
		n := copy(q.buf, q.buf[q.head:])
		clear(q.buf[n:])
		q.buf = q.buf[:n]
		q.head = 0
	}
	q.last++
	q.buf = append(q.buf, Entry[P]{Seq: q.last, Kind: kind, Key: key, Payload: p})
	return q.last, true
}

// Reset empties q to what its zero value is (open, nothing queued or
// running, sequence numbers from 1 again) but keeps the memory of its
// arrays, so that a thread object reused for a new thread queues into
// the last one's room.
func (q *Queue[P]) Reset() {
	clear(q.buf[:cap(q.buf)])
	clear(q.running[:cap(q.running)])
	*q = Queue[P]{buf: q.buf[:0], running: q.running[:0]}
}

// Len returns the number of queued entries (running entries are not
// queued).
func (q *Queue[P]) Len() int { return len(q.buf) - q.head }

// LastSeq returns the sequence number given by the most recent successful
// Push, or 0 if there was none.
func (q *Queue[P]) LastSeq() uint64 { return q.last }

// Closed reports whether Close has been called.
func (q *Queue[P]) Closed() bool { return q.closed }

// Depth returns how many entries are between Begin and End: 0 outside any
// routine, 1 inside a routine, 2 inside a routine started by an alertable
// wait inside another routine, and so on.
func (q *Queue[P]) Depth() int { return len(q.running) }

// Running reports whether a Completion entry with the given key is between
// Begin and End. Key 0 is never reported as running.
func (q *Queue[P]) Running(key uintptr) bool {
	if key == 0 {
		return false
	}
	for i := range q.running {
		if r := &q.running[i]; r.kind == Completion && r.key == key {
			return true
		}
	}
	return false
}

// eligible applies the rules to one queued entry; userBefore says whether a
// User entry is queued ahead of it.
func (q *Queue[P]) eligible(e *Entry[P], userBefore bool) bool {
	switch e.Kind {
	case User:
		return !userBefore
	case Completion:
		return !q.Running(e.Key)
	}
	return false
}

// nthEligible returns the queue position (0 = oldest queued) of the i-th
// candidate, counting from 0. If there are fewer than i+1 candidates it
// returns the position of the last one, and -1 if there is none.
func (q *Queue[P]) nthEligible(i int) int {
	found := -1
	userBefore := false
	for j := 0; j < q.Len(); j++ {
		e := &q.buf[q.head+j]
		if q.eligible(e, userBefore) {
			if i <= 0 {
				return j
			}
			i--
			found = j
		}
		if e.Kind == User {
			userBefore = true
		}
	}
	return found
}

// Eligible returns how many queued entries could start right now: the
// oldest queued User entry, and every Completion entry whose Key is 0 or is
// not the key of a running Completion entry.
func (q *Queue[P]) Eligible() int {
	n := 0
	userBefore := false
	for j := 0; j < q.Len(); j++ {
		e := &q.buf[q.head+j]
		if q.eligible(e, userBefore) {
			n++
		}
		if e.Kind == User {
			userBefore = true
		}
	}
	return n
}

// HasEligible reports whether Eligible() > 0, stopping at the first
// candidate.
func (q *Queue[P]) HasEligible() bool { return q.nthEligible(0) >= 0 }

// EachEligible calls fn for every candidate, oldest first; the i-th call
// receives the entry that Pick's answer i would select. It changes nothing.
func (q *Queue[P]) EachEligible(fn func(Entry[P])) {
	if fn == nil {
		return
	}
	userBefore := false
	for j := 0; j < q.Len(); j++ {
		e := q.buf[q.head+j]
		if q.eligible(&e, userBefore) {
			fn(e)
		}
		if e.Kind == User {
			userBefore = true
		}
	}
}

// Each calls fn for every queued entry in queue order. It changes nothing.
func (q *Queue[P]) Each(fn func(Entry[P])) {
	if fn == nil {
		return
	}
	for j := 0; j < q.Len(); j++ {
		fn(q.buf[q.head+j])
	}
}

// Take removes and returns one candidate. With several candidates,
// pick.Pick(n) chooses among them, index 0 being the oldest; with one, the
// Picker is not consulted. It returns ok=false if nothing is eligible. Take
// does not call Begin: a caller that runs the entry brackets it itself.
func (q *Queue[P]) Take(pick Picker) (e Entry[P], ok bool) {
	j := q.choose(pick)
	if j < 0 {
		return e, false
	}
	e = q.buf[q.head+j]
	q.removeAt(j)
	return e, true
}

// choose returns the queue position of the candidate that Take would hand
// out, or -1 if there is none.
func (q *Queue[P]) choose(pick Picker) int {
	i := 0
	if pick != nil {
		if n := q.Eligible(); n >= 2 {
			i = clampPick(pick.Pick(n), n)
		}
	}
	return q.nthEligible(i)
}

// TakeSeq removes and returns the queued entry with the given sequence
// number, provided it is a candidate right now. It is meant for replaying
// an observed order and checking that each step was allowed.
func (q *Queue[P]) TakeSeq(seq uint64) (e Entry[P], ok bool) {
	userBefore := false
	for j := 0; j < q.Len(); j++ {
		c := &q.buf[q.head+j]
		if c.Seq == seq {
			if !q.eligible(c, userBefore) {
				return e, false
			}
			e = *c
			q.removeAt(j)
			return e, true
		}
		if c.Kind == User {
			userBefore = true
		}
	}
	return e, false
}

func clampPick(i, n int) int {
	if i < 0 {
		return 0
	}
	if i >= n {
		return n - 1
	}
	return i
}

// removeAt deletes the entry at queue position j (0 <= j < Len), moving
// whichever side is shorter and zeroing the slot that falls free.
func (q *Queue[P]) removeAt(j int) {
	if j == 0 {
		q.buf[q.head] = Entry[P]{}
		q.head++
	} else if abs := q.head + j; j <= q.Len()-1-j {
		// Fewer entries before j: shift them one slot towards the back.
		copy(q.buf[q.head+1:abs+1], q.buf[q.head:abs])
		q.buf[q.head] = Entry[P]{}
		q.head++
	} else {
		copy(q.buf[abs:], q.buf[abs+1:])
		q.buf[len(q.buf)-1] = Entry[P]{}
		q.buf = q.buf[:len(q.buf)-1]
	}
	if q.head == len(q.buf) {
		q.buf = q.buf[:0]
		q.head = 0
	}
}

// Begin records that e has started running on this queue's thread. It
// does not check e against the rules; Take and Drain only hand out entries
// that may start.
func (q *Queue[P]) Begin(e Entry[P]) {
	q.running = append(q.running, active{seq: e.Seq, key: e.Key, kind: e.Kind})
}

// End records that e has returned. It matches the innermost Begin with the
// same Seq, Kind and Key; if there is none, End does nothing.
func (q *Queue[P]) End(e Entry[P]) { q.end(e.Seq, e.Kind, e.Key) }

func (q *Queue[P]) end(seq uint64, kind Kind, key uintptr) {
	if top := len(q.running) - 1; top >= 0 {
		if r := q.running[top]; r.seq == seq && r.kind == kind && r.key == key {
			q.running = q.running[:top]
			return
		}
	}
	for i := len(q.running) - 1; i >= 0; i-- {
		r := q.running[i]
		if r.seq == seq && r.kind == kind && r.key == key {
			copy(q.running[i:], q.running[i+1:])
			q.running[len(q.running)-1] = active{}
			q.running = q.running[:len(q.running)-1]
			return
		}
	}
}

// Close marks the owning thread as exited. Every queued entry is removed and
// passed to drop (which may be nil), oldest first; Close returns how many
// were removed. Later Push calls fail. Entries that are running stay
// recorded until their End. Calling Close again removes nothing.
func (q *Queue[P]) Close(drop func(Entry[P])) int {
	q.closed = true
	n := 0
	for q.Len() > 0 {
		e := q.buf[q.head]
		q.removeAt(0)
		n++
		if drop != nil {
			drop(e)
		}
	}
	// The thread is gone: let the storage go too.
	q.buf, q.head = nil, 0
	return n
}
