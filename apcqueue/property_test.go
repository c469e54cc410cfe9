package apcqueue

import (
	"testing"

	"pgregory.net/rapid"
)

// Entry states in the reference model.
const (
	stQueued = iota + 1
	stReturned
	stDropped
)

// drawPicker draws its answer from rapid, sometimes out of range, and
// records the call so the model can predict which entry Take chose.
type drawPicker struct {
	t      *rapid.T
	called bool
	n, raw int
}

func (p *drawPicker) Pick(n int) int {
	if p.called {
		p.t.Fatalf("picker called twice for one Take")
	}
	p.called, p.n = true, n
	p.raw = rapid.IntRange(-2, n+2).Draw(p.t, "pick")
	return p.raw
}

// expect returns the candidate index Take must have used, given how many
// candidates the model saw, and checks the picker was consulted exactly when
// there was a real choice.
func (p *drawPicker) expect(t *rapid.T, cands int) int {
	defer func() { p.called = false }()
	if cands < 2 {
		if p.called {
			t.Fatalf("picker consulted with %d candidate(s)", cands)
		}
		return 0
	}
	if !p.called || p.n != cands {
		t.Fatalf("picker: called=%v n=%d, want called with n=%d", p.called, p.n, cands)
	}
	return clampPick(p.raw, cands)
}

// machine drives a Queue and a naive reference model side by side.
type machine struct {
	q       Queue[uint64] // payload = 1000 + seq
	queued  []Entry[uint64]
	running []Entry[uint64]
	state   []int // indexed by seq
	closed  bool
	lastUsr uint64
	pushes  int
	pick    *drawPicker
}

const maxPushes = 120

func (m *machine) modelCandidates() []Entry[uint64] {
	var out []Entry[uint64]
	userBefore := false
	for _, e := range m.queued {
		switch e.Kind {
		case User:
			if !userBefore {
				out = append(out, e)
			}
			userBefore = true
		case Completion:
			blocked := false
			for _, r := range m.running {
				if r.Kind == Completion && e.Key != 0 && r.Key == e.Key {
					blocked = true
				}
			}
			if !blocked {
				out = append(out, e)
			}
		}
	}
	return out
}

func (m *machine) push(t *rapid.T) {
	if m.pushes >= maxPushes {
		return
	}
	m.pushes++
	kind := Kind(rapid.IntRange(0, 1).Draw(t, "kind"))
	key := uintptr(rapid.IntRange(0, 3).Draw(t, "key"))
	want := m.q.LastSeq() + 1
	seq, ok := m.q.Push(kind, key, 1000+want)
	if ok == m.closed {
		t.Fatalf("Push ok=%v with closed=%v", ok, m.closed)
	}
	if !ok {
		if seq != 0 || m.q.LastSeq() != want-1 {
			t.Fatalf("failed Push returned seq %d / consumed a seq", seq)
		}
		return
	}
	if seq != want {
		t.Fatalf("Push seq = %d, want %d", seq, want)
	}
	m.queued = append(m.queued, Entry[uint64]{Seq: seq, Kind: kind, Key: key, Payload: 1000 + seq})
	for len(m.state) <= int(seq) {
		m.state = append(m.state, 0)
	}
	m.state[seq] = stQueued
}

// out checks that e is the entry the model predicts for this Take and moves
// it out of the model's queue.
func (m *machine) out(t *rapid.T, e Entry[uint64], cands []Entry[uint64]) {
	idx := m.pick.expect(t, len(cands))
	if len(cands) == 0 {
		t.Fatalf("an entry came out (%+v) with no candidates in the model", e)
	}
	if want := cands[idx]; e != want {
		t.Fatalf("Take gave %+v, model expected %+v (candidate %d of %d)", e, want, idx, len(cands))
	}
	if m.state[e.Seq] != stQueued {
		t.Fatalf("entry %d came out in state %d", e.Seq, m.state[e.Seq])
	}
	m.state[e.Seq] = stReturned
	if e.Kind == User {
		if e.Seq <= m.lastUsr {
			t.Fatalf("user entry %d came out after user entry %d", e.Seq, m.lastUsr)
		}
		m.lastUsr = e.Seq
	}
	for i := range m.queued {
		if m.queued[i].Seq == e.Seq {
			m.queued = append(m.queued[:i], m.queued[i+1:]...)
			return
		}
	}
}

func (m *machine) take(t *rapid.T) {
	cands := m.modelCandidates()
	e, ok := m.q.Take(m.pick)
	if ok != (len(cands) > 0) {
		t.Fatalf("Take ok=%v with %d model candidates", ok, len(cands))
	}
	if !ok {
		m.pick.expect(t, 0)
		return
	}
	m.out(t, e, cands)
}

func (m *machine) drain(t *rapid.T) {
	var cands []Entry[uint64]
	runs := 0
	// The model's candidate list is taken before each Take inside Drain:
	// the first one now, later ones at the end of each run.
	cands = m.modelCandidates()
	n := m.q.Drain(m.pick, func(e Entry[uint64]) {
		runs++
		m.out(t, e, cands)
		m.running = append(m.running, e)
		m.checkRunning(t)
		if m.q.Depth() != len(m.running) {
			t.Fatalf("Depth = %d inside run, want %d", m.q.Depth(), len(m.running))
		}
		if e.Kind == Completion && e.Key != 0 && !m.q.Running(e.Key) {
			t.Fatalf("Running(%d) false inside its own routine", e.Key)
		}
		steps := rapid.IntRange(0, 4).Draw(t, "steps")
		for range steps {
			switch rapid.IntRange(0, 7).Draw(t, "inner") {
			case 0, 1, 2:
				m.push(t)
			case 3, 4:
				if len(m.running) < 4 {
					m.drain(t)
				}
			case 5:
				m.take(t)
			case 6:
				if rapid.IntRange(0, 19).Draw(t, "exit") == 0 {
					m.close(t)
				}
			case 7:
				m.check(t)
			}
		}
		m.running = m.running[:len(m.running)-1]
		cands = m.modelCandidates()
	})
	if n != runs {
		t.Fatalf("Drain returned %d, ran %d", n, runs)
	}
	// Drain stops only when nothing is left to run.
	m.pick.expect(t, 0)
	if c := m.modelCandidates(); len(c) != 0 {
		t.Fatalf("Drain returned with %d model candidates left", len(c))
	}
}

func (m *machine) checkRunning(t *rapid.T) {
	for i, a := range m.running {
		for _, b := range m.running[i+1:] {
			if a.Kind == Completion && b.Kind == Completion && a.Key != 0 && a.Key == b.Key {
				t.Fatalf("completion routines %d and %d for key %d are nested", a.Seq, b.Seq, a.Key)
			}
		}
	}
}

func (m *machine) close(t *rapid.T) {
	var dropped []Entry[uint64]
	n := m.q.Close(func(e Entry[uint64]) { dropped = append(dropped, e) })
	if n != len(m.queued) || len(dropped) != n {
		t.Fatalf("Close = %d, dropped %d, model had %d queued", n, len(dropped), len(m.queued))
	}
	for i, e := range dropped {
		if e != m.queued[i] {
			t.Fatalf("dropped[%d] = %+v, want %+v", i, e, m.queued[i])
		}
		if m.state[e.Seq] != stQueued {
			t.Fatalf("dropped entry %d in state %d", e.Seq, m.state[e.Seq])
		}
		m.state[e.Seq] = stDropped
	}
	m.queued = nil
	m.closed = true
}

func (m *machine) check(t *rapid.T) {
	if m.q.Len() != len(m.queued) {
		t.Fatalf("Len = %d, model %d", m.q.Len(), len(m.queued))
	}
	i := 0
	m.q.Each(func(e Entry[uint64]) {
		if e != m.queued[i] {
			t.Fatalf("Each[%d] = %+v, model %+v", i, e, m.queued[i])
		}
		i++
	})
	cands := m.modelCandidates()
	if m.q.Eligible() != len(cands) || m.q.HasEligible() != (len(cands) > 0) {
		t.Fatalf("Eligible = %d HasEligible = %v, model %d", m.q.Eligible(), m.q.HasEligible(), len(cands))
	}
	i = 0
	m.q.EachEligible(func(e Entry[uint64]) {
		if e != cands[i] {
			t.Fatalf("EachEligible[%d] = %+v, model %+v", i, e, cands[i])
		}
		i++
	})
	if m.q.Depth() != len(m.running) {
		t.Fatalf("Depth = %d, model %d", m.q.Depth(), len(m.running))
	}
	if m.q.Closed() != m.closed {
		t.Fatalf("Closed = %v, model %v", m.q.Closed(), m.closed)
	}
	for k := uintptr(0); k <= 3; k++ {
		want := false
		for _, r := range m.running {
			want = want || (k != 0 && r.Kind == Completion && r.Key == k)
		}
		if m.q.Running(k) != want {
			t.Fatalf("Running(%d) = %v, model %v", k, m.q.Running(k), want)
		}
	}
}

// Property: over random interleavings of Push (random kind and key), Take
// with random (also out-of-range) picks, Drain with nested Drains, Pushes,
// Takes and thread exit inside routines, stray End calls and Close:
//   - the queue agrees with a naive model on every observation, including
//     exactly which entry each Take and Drain step hands out;
//   - every pushed entry comes out exactly once, by Take/Drain or by Close;
//   - user entries come out in Seq order (QueueUserAPC FIFO);
//   - two completion routines for the same non-zero key are never running
//     at once (WSASend/WSARecv: no nesting per socket);
//   - Depth equals the nesting level inside each routine;
//   - nothing panics.
func TestQueueProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		m := &machine{pick: &drawPicker{t: t}, state: []int{0}}
		t.Repeat(map[string]func(*rapid.T){
			"push": m.push,
			"pushMany": func(t *rapid.T) {
				for range rapid.IntRange(1, 6).Draw(t, "count") {
					m.push(t)
				}
			},
			"take":  m.take,
			"drain": m.drain,
			"close": func(t *rapid.T) {
				if rapid.IntRange(0, 19).Draw(t, "really") == 0 {
					m.close(t)
				}
			},
			"strayEnd": func(t *rapid.T) {
				d := m.q.Depth()
				seq := rapid.Uint64Range(0, m.q.LastSeq()+2).Draw(t, "seq")
				m.q.End(Entry[uint64]{Seq: seq, Kind: Completion, Key: 1})
				if m.q.Depth() != d {
					t.Fatalf("End with nothing running changed Depth %d -> %d", d, m.q.Depth())
				}
			},
			"": m.check,
		})
		m.close(t)
		for seq := 1; seq < len(m.state); seq++ {
			if s := m.state[seq]; s != stReturned && s != stDropped {
				t.Fatalf("entry %d ended in state %d", seq, s)
			}
		}
		if m.q.Depth() != 0 {
			t.Fatalf("Depth = %d at the end", m.q.Depth())
		}
	})
}
