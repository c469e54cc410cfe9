package emu

// recyclable is a record type an arena hands out: *T, whose recycle
// method empties the record to what new(T) is, but keeps the memory of
// its slices and maps (emptied) for its next use.
type recyclable[T any] interface {
	*T
	recycle()
}

// arena hands out a System's records of one type. It allocates a record
// only when none is free, and (for a System that will be released) keeps
// every record it allocated, so that reset can make them all free again
// once the System that used them is released: a run on a System built in
// a released one's memory then makes its records in the memory of the
// last run's.
//
// Records of most types are taken (get) and never given back (put)
// during a run: something of the run may still point to a closed object.
// Only requests are given back as they complete, as the free list they
// replace did.
type arena[T any, P recyclable[T]] struct {
	all  []P // every record allocated
	free []P // the records free to take, each empty (recycled)
	// low is the fewest records free has held since the last reset:
	// free[:low] is still all[:low] as reset left it, untouched, so
	// only the records from all[low] on can have been used.
	low int
}

// get returns an empty record. A record it allocates is kept for reset
// only if keep is set (System.reusable): a System that is never released
// keeps none of its records from the garbage collector.
func (a *arena[T, P]) get(keep bool) P {
	if n := len(a.free); n > 0 {
		p := a.free[n-1]
		a.free[n-1] = nil
		a.free = a.free[:n-1]
		a.low = min(a.low, n-1)
		return p
	}
	p := P(new(T))
	if keep {
		a.all = append(a.all, p)
	}
	return p
}

// put empties p, which nothing uses any more, and makes it free.
func (a *arena[T, P]) put(p P) {
	p.recycle()
	a.free = append(a.free, p)
}

// reset empties every record and makes it free: nothing may use any of
// them any more. It recycles only the records handed out since the last
// reset (from all[low] on; some may be free again already, and are
// emptied twice), so that its cost is the run's use, not the arena's size.
func (a *arena[T, P]) reset() {
	for _, p := range a.all[a.low:] {
		p.recycle()
	}
	a.free = append(a.free[:a.low], a.all[a.low:]...) // free[:low] is all[:low] already
	a.low = len(a.free)
}

// records are the kernel's arenas, one for each type of record it makes
// in numbers (the ws2 layer keeps its own: ws2Records). Release keeps
// them for the next System built in the released one's memory, reset.
type records struct {
	reqs   arena[request, *request]
	sanOps arena[sanOp, *sanOp]
	events arena[event, *event]
	ports  arena[port, *port]
	pipes  arena[pipe, *pipe]
	ends   arena[pipeEnd, *pipeEnd]
	npipes arena[namedPipe, *namedPipe]
	insts  arena[npInstance, *npInstance]
}

// reset makes every record of every arena free again.
func (r *records) reset() {
	r.reqs.reset()
	r.sanOps.reset()
	r.events.reset()
	r.ports.reset()
	r.pipes.reset()
	r.ends.reset()
	r.npipes.reset()
	r.insts.reset()
}

// emptied is what a waiter list is as new, keeping the memory of w's.
func (w *waitList) emptied() waitList {
	clear(w.waiters)
	return waitList{waiters: w.waiters[:0]}
}

// emptied is what a file object is as new, keeping the memory of f's
// waiter list.
func (f *fileObject) emptied() fileObject { return fileObject{waitList: f.waitList.emptied()} }

func (r *request) recycle() { *r = request{} }

func (o *sanOp) recycle() {
	clear(o.bufs) // hold none of the program's buffers alive
	*o = sanOp{bufs: o.bufs[:0]}
}

func (e *event) recycle() { *e = event{waitList: e.waitList.emptied()} }

func (p *port) recycle() {
	clear(p.packets)
	clear(p.waiters)
	*p = port{packets: p.packets[:0], waiters: p.waiters[:0]}
}

func (p *pipe) recycle() {
	clear(p.xwake)
	*p = pipe{data: p.data[:0], msgs: p.msgs[:0], xwake: p.xwake[:0]}
}

func (e *pipeEnd) recycle() { *e = pipeEnd{fileObject: e.fileObject.emptied()} }

func (np *namedPipe) recycle() {
	clear(np.instances)
	*np = namedPipe{instances: np.instances[:0], avail: npAvail{waitList: np.avail.waitList.emptied()}}
}

func (in *npInstance) recycle() { *in = npInstance{} }

// reusable reports whether s will be handed back for reuse once it has
// stopped (Release): its arenas then keep the records they allocate.
func (s *System) reusable() bool { return s.pool != nil && s.coro }
