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

// provider gives back an in-memory provider a released System left, or
// nil. The caller resets it (mem.Mem.Reset) to the state of a new one.
func (p *GoroutinePool) provider() *mem.Mem {
	p.mu.Lock()
	defer p.mu.Unlock()
	return popLast(&p.mems)
}

// Release hands s, a System that has stopped and that nothing will read
// again, back for reuse: its threads and in-memory provider go to the
// pool its step threads ran on, and the System itself, emptied, goes to
// the Systems New builds in. The next System built (with the pool, for
// the threads and provider) then makes them in this memory instead of
// new.
//
// A released System must not be used: s itself, and everything obtained
// from it (its Threads, its Stepper, its provider, the handles and
// records it gave out), may already belong to a later System. Its trace
// is not part of it (it stays the caller's to read), and an ExploreRun
// that chose for it lets go of it.
//
// Release does nothing on a System that has not stopped, or that has no
// pool or ran its threads as goroutines; only threads whose coroutine has
// finished with them are kept.
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
	// The in-memory provider (not the layered stack's) goes back too, for
	// a later System's provider to be made in its maps.
	if m, ok := s.ws2.prov.(*mem.Mem); ok {
		p.mems = append(p.mems, m)
		s.ws2.prov = nil
	}
	p.mu.Unlock()
	if s.xp != nil && s.xp.s == s {
		s.xp.s = nil // the run reads no System that may be another's now
	}
	s.scrub()
	systems.Put(s)
}

// systems holds released Systems, emptied (scrub), for New to build in.
// A package-wide pool, not the GoroutinePool's: New applies its options,
// one of which names the GoroutinePool, to the System it builds, so it
// must have that System before it knows the pool.
var systems sync.Pool

// scrub makes s what New starts from, a zero System, except for the
// memory of its tables and lists, which it keeps, emptied, and its arenas
// of records, all made free, for the System built in s next.
func (s *System) scrub() {
	clear(s.handles.slots)
	clear(s.kernel.slots)
	handles := handleTable{slots: s.handles.slots[:0], free: s.handles.free[:0]}
	kernel := handleTable{slots: s.kernel.slots[:0], free: s.kernel.free[:0]}
	clear(s.dups)
	clear(s.named.byName)
	named := pipeNamespace{byName: s.named.byName}
	clear(s.threads)
	clear(s.process.waiters.waiters)
	clear(s.ready)
	clear(s.actions)
	clear(s.timers)
	select {
	case <-s.driverCh: // a hand-back nobody took: a new channel is empty
	default:
	}
	clear(s.ovIDs)
	clear(s.exitNotify)
	ws2 := s.ws2.scrubbed()
	rec := s.rec
	rec.reset() // every record the released System made is free again
	clear(s.san.ops)
	clear(s.san.scratch)
	// Every field kept is read into a local first: the literal below
	// overwrites s whole.
	dups, threads, waiters := s.dups, s.threads[:0], s.process.waiters.waiters[:0]
	ready, actions, timers := s.ready[:0], s.actions[:0], s.timers[:0]
	driverCh, ovIDs, exitNotify := s.driverCh, s.ovIDs, s.exitNotify[:0]
	san := sanitizer{ops: s.san.ops, scratch: s.san.scratch[:0]}
	*s = System{
		handles:    handles,
		kernel:     kernel,
		dups:       dups,
		named:      named,
		threads:    threads,
		process:    process{waiters: waitList{waiters: waiters}},
		ready:      ready,
		actions:    actions,
		timers:     timers,
		driverCh:   driverCh,
		ovIDs:      ovIDs,
		rec:        rec,
		exitNotify: exitNotify,
		ws2:        ws2,
		san:        san,
	}
}
