package emu

import (
	"iter"
	"sync"

	"github.com/wsaemu/wsaemu/provider/mem"
)

// GoroutinePool keeps the goroutines that ran the step-driven threads
// (Stepper.NewThread) of Systems built WithGoroutinePool once those
// Systems have stopped, and runs later such Systems' threads on them. A
// driver that builds many short-lived Systems one after the other
// (explore runs each schedule on a new one) then does not start a
// goroutine, and grow its stack, for every thread of every run.
//
// Which goroutine runs a thread is not observable: a System built with a
// pool behaves, and traces, exactly as one built without. A pool may serve
// any number of Systems, one after the other or at once. Close it when no
// System will use it again, or its idle goroutines stay parked.
//
// A System whose step threads run as coroutines (its hang watchdog off)
// takes coroutines from the pool instead: each runs one thread's step
// loop after another, so that its stack, once grown, serves the next
// runs too.
type GoroutinePool struct {
	work chan *Thread
	done chan struct{}
	once sync.Once

	mu      sync.Mutex
	coros   []*stepCoro // idle coroutines, each parked between two threads
	threads []*Thread   // threads of released Systems, for later Systems to reuse (System.Release)
	mems    []*mem.Mem  // in-memory providers of released Systems, likewise
	sysMem  []sysMemory // released Systems' tables, likewise
	closed  bool
}

// NewGoroutinePool makes an empty pool.
func NewGoroutinePool() *GoroutinePool {
	return &GoroutinePool{work: make(chan *Thread), done: make(chan struct{})}
}

// WithGoroutinePool runs the System's step-driven threads on p's
// goroutines (nil: a goroutine of its own for each, the default).
func WithGoroutinePool(p *GoroutinePool) Option { return func(s *System) { s.pool = p } }

// Close ends the pool's idle goroutines, and each busy one once its thread
// is done. Systems that use the pool afterwards still work: their threads
// get goroutines that end with them.
func (p *GoroutinePool) Close() {
	p.once.Do(func() {
		close(p.done)
		p.mu.Lock()
		idle := p.coros
		p.coros, p.closed = nil, true
		p.mu.Unlock()
		for _, co := range idle {
			co.stop() // its loop returns: the coroutine ends
		}
	})
}

// startCoro gives t an idle coroutine of the pool, or a new one that
// joins the pool when its thread is done; t.stepMain runs at its first
// resume.
func (p *GoroutinePool) startCoro(t *Thread) {
	p.mu.Lock()
	var co *stepCoro
	if n := len(p.coros); n > 0 {
		co = p.coros[n-1]
		p.coros[n-1] = nil
		p.coros = p.coros[:n-1]
	}
	p.mu.Unlock()
	if co == nil {
		co = &stepCoro{}
		co.next, co.stop = iter.Pull(func(yield func(struct{}) bool) {
			co.yield = yield
			for {
				co.t.stepMain()
				co.t.coroDone = true
				co.t = nil
				p.mu.Lock()
				if p.closed {
					p.mu.Unlock()
					return
				}
				p.coros = append(p.coros, co)
				p.mu.Unlock()
				// Back to whoever resumed the thread last (the driver's
				// trampoline or Stop), as a coroutine that ended would;
				// the next resume starts the next thread.
				if !yield(struct{}{}) {
					return
				}
			}
		})
	}
	co.t = t
	t.co = co
}

// start runs t's step loop on an idle goroutine of the pool, or on a new
// one that joins the pool.
func (p *GoroutinePool) start(t *Thread) {
	t.pooled = true
	select {
	case p.work <- t:
	default:
		go p.serve(t)
	}
}

// serve runs threads' step loops one after the other. A loop that ends
// by returning (its System stopped, or its code panicked) leaves the
// goroutine free for the next; one that ends with runtime.Goexit
// (ExitThread, a livelocked thread) ends the goroutine.
func (p *GoroutinePool) serve(t *Thread) {
	for {
		t.stepMain()
		select {
		case t = <-p.work:
		case <-p.done:
			return
		}
	}
}

// thread gives back a thread a released System left, or nil.
func (p *GoroutinePool) thread() *Thread {
	p.mu.Lock()
	defer p.mu.Unlock()
	return popLast(&p.threads)
}

// popLast takes the last element off *s (its slot cleared, so the pool
// keeps no reference), or gives the zero value when *s is empty.
func popLast[T any](s *[]T) T {
	var zero T
	n := len(*s)
	if n == 0 {
		return zero
	}
	v := (*s)[n-1]
	(*s)[n-1] = zero
	*s = (*s)[:n-1]
	return v
}

// sysMemory is what a released System leaves for a later one built with
// the same pool: the memory of its tables, emptied, so that the later
// System starts with exactly what New would give it, only not allocated.
type sysMemory struct {
	handles, kernel handleTable // their slots and free lists only
	ovIDs           map[*Overlapped]int
	exitNotify      []threadExitNotifier
	driverCh        chan struct{}
	sanOps          map[*Overlapped]*sanOp
	sanFree         []*sanOp
}

// keepMemory empties s's tables into the pool; p.mu is held.
func (p *GoroutinePool) keepMemory(s *System) {
	var m sysMemory
	clear(s.handles.slots)
	m.handles = handleTable{slots: s.handles.slots[:0], free: s.handles.free[:0]}
	clear(s.kernel.slots)
	m.kernel = handleTable{slots: s.kernel.slots[:0], free: s.kernel.free[:0]}
	clear(s.ovIDs)
	m.ovIDs = s.ovIDs
	clear(s.exitNotify)
	m.exitNotify = s.exitNotify[:0]
	select {
	case <-s.driverCh: // a hand-back nobody took: a new channel is empty
	default:
	}
	m.driverCh = s.driverCh
	clear(s.san.ops)
	m.sanOps = s.san.ops
	m.sanFree = s.san.free // each is overwritten whole when reused (sanIssue)
	s.handles, s.kernel, s.ovIDs, s.exitNotify, s.driverCh = handleTable{}, handleTable{}, nil, nil, nil
	s.san.ops, s.san.free = nil, nil
	p.sysMem = append(p.sysMem, m)
}

// giveMemory hands s, being built (New), the tables a released System
// left, if the pool holds any.
func (p *GoroutinePool) giveMemory(s *System) {
	p.mu.Lock()
	n := len(p.sysMem)
	if n == 0 {
		p.mu.Unlock()
		return
	}
	m := p.sysMem[n-1]
	p.sysMem[n-1] = sysMemory{}
	p.sysMem = p.sysMem[:n-1]
	p.mu.Unlock()
	s.handles.slots, s.handles.free = m.handles.slots, m.handles.free
	s.kernel.slots, s.kernel.free = m.kernel.slots, m.kernel.free
	s.ovIDs, s.exitNotify, s.driverCh = m.ovIDs, m.exitNotify, m.driverCh
	s.san.ops, s.san.free = m.sanOps, m.sanFree
}

// provider gives back an in-memory provider a released System left, or
// nil. The caller resets it (mem.Mem.Reset) to the state of a new one.
func (p *GoroutinePool) provider() *mem.Mem {
	p.mu.Lock()
	defer p.mu.Unlock()
	return popLast(&p.mems)
}

// Release hands the threads of s, a System that has stopped and that
// nothing will read again, to the pool its step threads ran on, so that
// the next System built with the pool makes its threads (and its
// in-memory provider) in their memory instead of new. Nothing obtained
// from s (its threads, its Stepper, its provider) may be used after it. Release does nothing on a System that has not
// stopped, or that has no pool or ran its threads as goroutines; only
// threads whose coroutine has finished with them are kept.
func (s *System) Release() {
	p := s.pool
	if p == nil || !s.coro || !s.killed {
		return
	}
	p.mu.Lock()
	for i, t := range s.threads {
		if t.coroDone {
			p.threads = append(p.threads, t)
		}
		s.threads[i] = nil
	}
	s.threads = s.threads[:0]
	// The in-memory provider (not the layered stack's) goes back too, for
	// a later System's provider to be made in its maps.
	if m, ok := s.ws2.prov.(*mem.Mem); ok {
		p.mems = append(p.mems, m)
		s.ws2.prov = nil
	}
	p.keepMemory(s)
	p.mu.Unlock()
}
