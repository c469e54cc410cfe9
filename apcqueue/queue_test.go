package apcqueue

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// lastPicker always chooses the newest candidate.
type lastPicker struct{ calls int }

func (p *lastPicker) Pick(n int) int { p.calls++; return n - 1 }

// constPicker always answers the same index, in range or not.
type constPicker int

func (c constPicker) Pick(int) int { return int(c) }

const (
	sockS uintptr = 0x100
	sockT uintptr = 0x200
)

func payloads(q *Queue[string]) []string {
	var out []string
	q.Each(func(e Entry[string]) { out = append(out, e.Payload) })
	return out
}

func drainOrder(q *Queue[string], pick Picker) []string {
	var out []string
	q.Drain(pick, func(e Entry[string]) { out = append(out, e.Payload) })
	return out
}

func TestKindString(t *testing.T) {
	for k, want := range map[Kind]string{User: "User", Completion: "Completion", 9: "Kind(9)"} {
		if got := k.String(); got != want {
			t.Errorf("Kind(%d).String() = %q, want %q", uint8(k), got, want)
		}
	}
}

// Sequence numbers start at 1, grow by one per accepted Push, and are not
// consumed by rejected pushes.
func TestPushSeq(t *testing.T) {
	var q Queue[string]
	for want := uint64(1); want <= 3; want++ {
		seq, ok := q.Push(Completion, 0, "x")
		if !ok || seq != want {
			t.Fatalf("Push = (%d, %v), want (%d, true)", seq, ok, want)
		}
	}
	if seq, ok := q.Push(Kind(5), 0, "bad"); ok || seq != 0 {
		t.Fatalf("Push with undeclared kind = (%d, %v), want (0, false)", seq, ok)
	}
	if seq, _ := q.Push(User, 0, "y"); seq != 4 {
		t.Fatalf("seq after rejected push = %d, want 4", seq)
	}
	if q.Len() != 4 || q.LastSeq() != 4 {
		t.Fatalf("Len = %d, LastSeq = %d, want 4, 4", q.Len(), q.LastSeq())
	}
}

// QueueUserAPC: a thread in an alertable state runs pending user APCs in
// first in, first out order.
func TestUserAPCsRunFIFO(t *testing.T) {
	var q Queue[string]
	for _, s := range []string{"a", "b", "c", "d"} {
		q.Push(User, 0, s)
	}
	if n := q.Eligible(); n != 1 {
		t.Fatalf("Eligible = %d, want 1 (only the oldest user APC)", n)
	}
	p := &lastPicker{}
	got := drainOrder(&q, p)
	if diff := cmp.Diff([]string{"a", "b", "c", "d"}, got); diff != "" {
		t.Fatalf("drain order (-want +got):\n%s", diff)
	}
	if p.calls != 0 {
		t.Fatalf("picker consulted %d times with a single candidate each time", p.calls)
	}
}

// Completion-routine pages: waiting routines may be called in any order.
// QueueUserAPC: user APCs still keep FIFO order. A picker that always takes
// the newest candidate shows both.
func TestLastPickerReordersCompletionsOnly(t *testing.T) {
	var q Queue[string]
	q.Push(User, 0, "u1")
	q.Push(Completion, sockS, "c1")
	q.Push(User, 0, "u2")
	q.Push(Completion, sockT, "c2")
	q.Push(User, 0, "u3")
	q.Push(Completion, 0, "c3")

	got := drainOrder(&q, &lastPicker{})
	// Candidates each step (oldest first) and the newest one taken:
	// {u1 c1 c2 c3} -> c3; {u1 c1 c2} -> c2; {u1 c1} -> c1; then u1, u2, u3.
	want := []string{"c3", "c2", "c1", "u1", "u2", "u3"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("drain order (-want +got):\n%s", diff)
	}
}

// With no picker the oldest candidate runs first: one FIFO order over both
// kinds, which is what Windows and Wine are observed to do.
func TestNilPickerIsQueueOrder(t *testing.T) {
	var q Queue[string]
	q.Push(Completion, sockS, "c1")
	q.Push(User, 0, "u1")
	q.Push(Completion, sockT, "c2")
	q.Push(User, 0, "u2")
	got := drainOrder(&q, nil)
	if diff := cmp.Diff([]string{"c1", "u1", "c2", "u2"}, got); diff != "" {
		t.Fatalf("drain order (-want +got):\n%s", diff)
	}
}

// Alertable I/O: every queued APC, including ones queued while the queue is
// being emptied, runs before the wait returns.
func TestDrainRunsEntriesQueuedWhileDraining(t *testing.T) {
	var q Queue[string]
	q.Push(Completion, sockS, "recv done")
	var got []string
	ran := q.Drain(nil, func(e Entry[string]) {
		got = append(got, e.Payload)
		switch e.Payload {
		case "recv done":
			// The routine issues another operation that completes at once
			// and queues a user APC.
			q.Push(Completion, sockS, "send done")
			q.Push(User, 0, "user apc")
		case "send done":
			q.Push(Completion, sockT, "other socket")
		}
	})
	want := []string{"recv done", "send done", "user apc", "other socket"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("run order (-want +got):\n%s", diff)
	}
	if ran != 4 || q.Len() != 0 || q.Depth() != 0 {
		t.Fatalf("ran=%d Len=%d Depth=%d, want 4, 0, 0", ran, q.Len(), q.Depth())
	}
}

// A wait that finds nothing to run reports 0 (it is not a WAIT_IO_COMPLETION
// return).
func TestDrainEmpty(t *testing.T) {
	var q Queue[string]
	if n := q.Drain(nil, func(Entry[string]) { t.Fatal("run called") }); n != 0 {
		t.Fatalf("Drain on empty queue = %d", n)
	}
	if q.HasEligible() || q.Eligible() != 0 {
		t.Fatal("empty queue reports eligible entries")
	}
}

// WSASend/WSARecv: for a given socket, completion routines are not nested.
// A completion routine for another socket may nest. QueueUserAPC: an
// alertable wait inside an APC dispatches APCs recursively.
func TestSameSocketNotNestedOtherSocketNests(t *testing.T) {
	var q Queue[string]
	q.Push(Completion, sockS, "S1")
	var got []string
	var depthInT, depthInS2 int
	var nestedRan int
	q.Drain(nil, func(e Entry[string]) {
		got = append(got, e.Payload)
		switch e.Payload {
		case "S1":
			q.Push(Completion, sockS, "S2")
			q.Push(Completion, sockT, "T1")
			if !q.Running(sockS) || q.Running(sockT) {
				t.Errorf("Running(S)=%v Running(T)=%v inside S1", q.Running(sockS), q.Running(sockT))
			}
			if n := q.Eligible(); n != 1 {
				t.Errorf("Eligible inside S1 = %d, want 1 (T1 only)", n)
			}
			// A nested alertable wait made inside S1.
			nestedRan = q.Drain(nil, func(e Entry[string]) {
				got = append(got, "nested:"+e.Payload)
				if e.Payload == "T1" {
					depthInT = q.Depth()
				}
			})
			if q.Len() != 1 {
				t.Errorf("after nested drain Len = %d, want 1 (S2 still queued)", q.Len())
			}
			got = append(got, "S1 returns")
		case "S2":
			depthInS2 = q.Depth()
		}
	})
	want := []string{"S1", "nested:T1", "S1 returns", "S2"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("run order (-want +got):\n%s", diff)
	}
	if nestedRan != 1 {
		t.Errorf("nested Drain ran %d, want 1", nestedRan)
	}
	if depthInT != 2 {
		t.Errorf("Depth inside nested T1 = %d, want 2", depthInT)
	}
	if depthInS2 != 1 {
		t.Errorf("Depth inside S2 = %d, want 1", depthInS2)
	}
	if q.Depth() != 0 || q.Running(sockS) {
		t.Errorf("after drain Depth=%d Running(S)=%v", q.Depth(), q.Running(sockS))
	}
}

// A nested wait that finds only entries blocked by the nesting rule runs
// nothing, so the kernel would keep that wait blocked.
func TestNestedDrainWithOnlyBlockedEntries(t *testing.T) {
	var q Queue[string]
	q.Push(Completion, sockS, "S1")
	inner := -1
	q.Drain(nil, func(e Entry[string]) {
		if e.Payload == "S1" {
			q.Push(Completion, sockS, "S2")
			if q.HasEligible() {
				t.Error("S2 is a candidate while S1 runs")
			}
			inner = q.Drain(nil, func(Entry[string]) { t.Error("nested drain ran something") })
		}
	})
	if inner != 0 {
		t.Fatalf("nested Drain = %d, want 0", inner)
	}
}

// Key 0 carries no nesting constraint: such routines may nest.
func TestKeyZeroNestsFreely(t *testing.T) {
	var q Queue[string]
	q.Push(Completion, 0, "a")
	var got []string
	q.Drain(nil, func(e Entry[string]) {
		got = append(got, e.Payload)
		if e.Payload == "a" {
			q.Push(Completion, 0, "b")
			q.Drain(nil, func(e Entry[string]) { got = append(got, "nested:"+e.Payload) })
		}
	})
	if diff := cmp.Diff([]string{"a", "nested:b"}, got); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
	if q.Running(0) {
		t.Fatal("Running(0) reported true")
	}
}

// QueueUserAPC: an alertable wait inside an APC dispatches the remaining APCs
// recursively; user APCs have no per-key constraint, but still start in FIFO
// order.
func TestUserAPCNestedWait(t *testing.T) {
	var q Queue[string]
	q.Push(User, sockS, "u1")
	q.Push(User, sockS, "u2")
	q.Push(User, 0, "u3")
	var got []string
	q.Drain(nil, func(e Entry[string]) {
		got = append(got, e.Payload)
		if e.Payload == "u1" {
			q.Drain(&lastPicker{}, func(e Entry[string]) { got = append(got, "nested:"+e.Payload) })
		}
	})
	if diff := cmp.Diff([]string{"u1", "nested:u2", "nested:u3"}, got); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
}

// A user APC's key does not block completion routines of that key.
func TestUserKeyDoesNotBlockCompletion(t *testing.T) {
	var q Queue[string]
	q.Push(User, sockS, "u")
	var got []string
	q.Drain(nil, func(e Entry[string]) {
		got = append(got, e.Payload)
		if e.Payload == "u" {
			if q.Running(sockS) {
				t.Error("Running(S) true for a user APC")
			}
			q.Push(Completion, sockS, "c")
			q.Drain(nil, func(e Entry[string]) { got = append(got, "nested:"+e.Payload) })
		}
	})
	if diff := cmp.Diff([]string{"u", "nested:c"}, got); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
}

// QueueUserAPC: APCs still queued when the thread exits are lost (not
// called); they are reported to drop in queue order. Running entries stay
// bracketed.
func TestCloseDropsQueuedInOrder(t *testing.T) {
	var q Queue[string]
	q.Push(User, 0, "u1")
	q.Push(Completion, sockS, "c1")
	q.Push(User, 0, "u2")
	var dropped []string
	n := q.Close(func(e Entry[string]) { dropped = append(dropped, e.Payload) })
	if n != 3 || q.Len() != 0 || !q.Closed() {
		t.Fatalf("Close = %d, Len = %d, Closed = %v", n, q.Len(), q.Closed())
	}
	if diff := cmp.Diff([]string{"u1", "c1", "u2"}, dropped); diff != "" {
		t.Fatalf("dropped (-want +got):\n%s", diff)
	}
	if n := q.Close(nil); n != 0 {
		t.Fatalf("second Close = %d", n)
	}
	if n := q.Drain(nil, func(Entry[string]) { t.Fatal("run after close") }); n != 0 {
		t.Fatalf("Drain after Close = %d", n)
	}
}

// QueueUserAPC: queuing to a thread that is terminating fails; nothing is
// queued.
func TestPushAfterCloseFails(t *testing.T) {
	var q Queue[string]
	q.Push(User, 0, "a")
	q.Close(nil)
	if seq, ok := q.Push(User, 0, "late"); ok || seq != 0 {
		t.Fatalf("Push after Close = (%d, %v)", seq, ok)
	}
	if seq, ok := q.Push(Completion, sockS, "late"); ok || seq != 0 {
		t.Fatalf("Push after Close = (%d, %v)", seq, ok)
	}
	if q.Len() != 0 {
		t.Fatalf("Len = %d after failed pushes", q.Len())
	}
}

// The thread exits from inside a routine: the rest of the queue is dropped,
// the outer Drain stops, pushes from the drop callback fail, and the running
// entry is still bracketed until it returns.
func TestCloseInsideRun(t *testing.T) {
	var q Queue[string]
	q.Push(Completion, sockS, "exit here")
	q.Push(Completion, sockT, "never runs")
	var dropped []string
	ran := q.Drain(nil, func(e Entry[string]) {
		if e.Payload != "exit here" {
			t.Fatalf("ran %q", e.Payload)
		}
		q.Close(func(e Entry[string]) {
			dropped = append(dropped, e.Payload)
			if _, ok := q.Push(User, 0, "from drop"); ok {
				t.Error("Push inside drop succeeded")
			}
		})
		if q.Depth() != 1 || !q.Running(sockS) {
			t.Errorf("Depth=%d Running(S)=%v after Close inside run", q.Depth(), q.Running(sockS))
		}
	})
	if ran != 1 || q.Depth() != 0 {
		t.Fatalf("ran=%d Depth=%d", ran, q.Depth())
	}
	if diff := cmp.Diff([]string{"never runs"}, dropped); diff != "" {
		t.Fatalf("dropped (-want +got):\n%s", diff)
	}
}

// Misuse of the bookkeeping is survived: End without Begin, End twice, Take
// on an empty queue, nil callbacks, nil PickerFunc.
func TestNoPanicOnMisuse(t *testing.T) {
	var q Queue[string]
	if e, ok := q.Take(nil); ok || e != (Entry[string]{}) {
		t.Fatalf("Take on empty = (%v, %v)", e, ok)
	}
	if _, ok := q.Take(&lastPicker{}); ok {
		t.Fatal("Take with picker on empty succeeded")
	}
	q.End(Entry[string]{Seq: 42, Kind: Completion, Key: sockS})
	if q.Depth() != 0 {
		t.Fatalf("Depth = %d after stray End", q.Depth())
	}
	q.Push(Completion, sockS, "a")
	e, _ := q.Take(nil)
	q.Begin(e)
	q.End(Entry[string]{Seq: e.Seq, Kind: e.Kind, Key: sockT}) // does not match
	if q.Depth() != 1 {
		t.Fatalf("Depth = %d after mismatched End", q.Depth())
	}
	q.End(e)
	q.End(e)
	if q.Depth() != 0 || q.Running(sockS) {
		t.Fatalf("Depth = %d Running = %v after double End", q.Depth(), q.Running(sockS))
	}
	q.Push(Completion, 0, "b")
	if n := q.Drain(PickerFunc(nil), nil); n != 1 {
		t.Fatalf("Drain with nil run = %d", n)
	}
	q.Each(nil)
	q.EachEligible(nil)
	q.Close(nil)
	q.End(e)
}

// End matches by entry, not by position: out-of-order Ends leave the right
// entries recorded.
func TestEndOutOfOrder(t *testing.T) {
	var q Queue[string]
	q.Push(Completion, sockS, "s")
	q.Push(Completion, sockT, "t")
	s, _ := q.Take(nil)
	tt, _ := q.Take(nil)
	q.Begin(s)
	q.Begin(tt)
	q.End(s)
	if q.Running(sockS) || !q.Running(sockT) || q.Depth() != 1 {
		t.Fatalf("Running(S)=%v Running(T)=%v Depth=%d", q.Running(sockS), q.Running(sockT), q.Depth())
	}
}

// Picks outside [0, n) are clamped to the nearest end; the picker is only
// asked when there is a real choice.
func TestPickClamped(t *testing.T) {
	for _, tc := range []struct {
		pick constPicker
		want string
	}{{-5, "a"}, {0, "a"}, {1, "b"}, {2, "c"}, {3, "c"}, {1 << 30, "c"}} {
		var q Queue[string]
		q.Push(Completion, 1, "a")
		q.Push(Completion, 2, "b")
		q.Push(Completion, 3, "c")
		e, ok := q.Take(tc.pick)
		if !ok || e.Payload != tc.want {
			t.Errorf("pick %d: got %q, want %q", tc.pick, e.Payload, tc.want)
		}
	}
	var q Queue[string]
	q.Push(Completion, 1, "only")
	called := false
	if _, ok := q.Take(PickerFunc(func(int) int { called = true; return 0 })); !ok || called {
		t.Fatalf("single candidate: ok=%v, picker called=%v", ok, called)
	}
}

// A picker that mutates the queue while choosing must not break Take.
func TestPickerMutatingQueue(t *testing.T) {
	var q Queue[string]
	q.Push(Completion, 1, "a")
	q.Push(Completion, 2, "b")
	e, ok := q.Take(PickerFunc(func(n int) int {
		for q.Len() > 0 {
			q.Take(nil)
		}
		return n - 1
	}))
	if ok {
		t.Fatalf("Take after picker emptied the queue returned %v", e)
	}
	q.Push(Completion, 1, "c")
	q.Push(Completion, 2, "d")
	e, ok = q.Take(PickerFunc(func(n int) int {
		q.Take(nil) // removes "c"
		return n - 1
	}))
	if !ok || e.Payload != "d" {
		t.Fatalf("got (%v, %v), want d", e, ok)
	}
}

// EachEligible lists candidates in the order Pick indexes them; TakeSeq
// removes a chosen candidate and refuses non-candidates.
func TestEachEligibleAndTakeSeq(t *testing.T) {
	var q Queue[string]
	q.Push(User, 0, "u1")          // 1
	q.Push(Completion, sockS, "s") // 2
	q.Push(User, 0, "u2")          // 3
	q.Push(Completion, sockT, "t") // 4
	var cands []uint64
	q.EachEligible(func(e Entry[string]) { cands = append(cands, e.Seq) })
	if diff := cmp.Diff([]uint64{1, 2, 4}, cands); diff != "" {
		t.Fatalf("candidates (-want +got):\n%s", diff)
	}
	if _, ok := q.TakeSeq(3); ok {
		t.Fatal("TakeSeq took u2 ahead of u1")
	}
	if _, ok := q.TakeSeq(99); ok {
		t.Fatal("TakeSeq took a seq that was never queued")
	}
	e, ok := q.TakeSeq(4)
	if !ok || e.Payload != "t" {
		t.Fatalf("TakeSeq(4) = (%v, %v)", e, ok)
	}
	q.Begin(e)
	q.Push(Completion, sockT, "t2") // 5
	if _, ok := q.TakeSeq(5); ok {
		t.Fatal("TakeSeq took a routine for a socket whose routine is running")
	}
	q.End(e)
	if _, ok := q.TakeSeq(5); !ok {
		t.Fatal("TakeSeq refused t2 after t returned")
	}
	if diff := cmp.Diff([]string{"u1", "s", "u2"}, payloads(&q)); diff != "" {
		t.Fatalf("remaining (-want +got):\n%s", diff)
	}
}

// If run panics, End still runs, so the nesting bookkeeping stays right.
func TestDrainPanicRestoresDepth(t *testing.T) {
	var q Queue[string]
	q.Push(Completion, sockS, "boom")
	q.Push(Completion, sockS, "after")
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("panic was swallowed")
			}
		}()
		q.Drain(nil, func(Entry[string]) { panic("boom") })
	}()
	if q.Depth() != 0 || q.Running(sockS) {
		t.Fatalf("Depth=%d Running(S)=%v after panic", q.Depth(), q.Running(sockS))
	}
	if got := drainOrder(&q, nil); len(got) != 1 || got[0] != "after" {
		t.Fatalf("remaining run = %v", got)
	}
}

// Removed entries do not stay reachable through the backing array, whether
// taken from the front, the middle or the back, or dropped by Close.
func TestFreedSlotsZeroed(t *testing.T) {
	var q Queue[*int]
	check := func(where string) {
		t.Helper()
		full := q.buf[:cap(q.buf)]
		for i := range full {
			live := i >= q.head && i < len(q.buf)
			if !live && full[i] != (Entry[*int]{}) {
				t.Fatalf("%s: slot %d not zeroed: %+v", where, i, full[i])
			}
		}
	}
	for i := range 8 {
		v := i
		q.Push(Completion, uintptr(i+1), &v)
	}
	for _, pick := range []int{0, 6, 3, 1, 2, 0, 1, 0} {
		if _, ok := q.Take(constPicker(pick)); !ok {
			t.Fatal("Take failed")
		}
		check("after Take")
	}
	for i := range 20 {
		v := i
		q.Push(Completion, 0, &v)
		if i%3 == 0 {
			q.Take(constPicker(i % 5))
		}
		check("after Push/Take")
	}
	q.Close(nil)
	check("after Close")
}

// Steady state: Push, Take, Drain, Begin and End allocate nothing.
func TestZeroAllocs(t *testing.T) {
	var q Queue[int]
	var p lastPicker
	run := func(Entry[int]) {}
	// Warm up the backing arrays.
	for i := range 16 {
		q.Push(Completion, uintptr(i%4), i)
	}
	q.Drain(nil, run)
	allocs := testing.AllocsPerRun(200, func() {
		for i := range 16 {
			q.Push(Kind(i%2), uintptr(i%4), i)
		}
		e, _ := q.Take(&p)
		q.Begin(e)
		q.End(e)
		q.Drain(&p, run)
	})
	if allocs != 0 {
		t.Fatalf("allocs per run = %v, want 0", allocs)
	}
}

// TestResetIsZeroQueue: a queue that held entries, ran some (one whose
// routine panicked) and was closed reads, after Reset, as the
// zero value does — open, empty, nothing running, sequence numbers from 1
// — and holds none of its old payloads; pushing and draining it again
// then allocates nothing, in the room it kept.
func TestResetIsZeroQueue(t *testing.T) {
	var q Queue[*string]
	old := "old"
	for i := 0; i < 6; i++ {
		q.Push(Completion, uintptr(i%2), &old)
	}
	q.Take(nil)
	func() {
		defer func() { recover() }()
		q.Drain(nil, func(Entry[*string]) { panic("thread ends inside a routine") })
	}()
	q.Close(nil)
	q.Reset()
	if q.Len() != 0 || q.Depth() != 0 || q.Closed() || q.LastSeq() != 0 {
		t.Fatalf("after Reset: Len %d Depth %d Closed %v LastSeq %d, want 0 0 false 0", q.Len(), q.Depth(), q.Closed(), q.LastSeq())
	}
	for _, e := range q.buf[:cap(q.buf)] {
		if e.Payload != nil {
			t.Fatalf("after Reset a slot still holds a payload: %+v", e)
		}
	}
	var fresh Queue[*string]
	s := "new"
	for i := 0; i < 3; i++ {
		a, aok := q.Push(User, 0, &s)
		b, bok := fresh.Push(User, 0, &s)
		if a != b || aok != bok {
			t.Fatalf("push %d: reset queue gave (%d, %v), a new one (%d, %v)", i, a, aok, b, bok)
		}
	}
	allocs := testing.AllocsPerRun(100, func() {
		q.Reset()
		q.Push(User, 0, &s)
		q.Push(Completion, 1, &s)
		q.Drain(nil, func(Entry[*string]) {})
	})
	if allocs != 0 {
		t.Fatalf("push and drain after Reset: %v allocations, want 0", allocs)
	}
}
