package emu

import "sync"

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
type GoroutinePool struct {
	work chan *Thread
	done chan struct{}
	once sync.Once
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
func (p *GoroutinePool) Close() { p.once.Do(func() { close(p.done) }) }

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
