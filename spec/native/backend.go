//go:build windows

package native

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/wsaemu/wsaemu/spec"
	"golang.org/x/sys/windows"
)

// Backend is spec.Backend over the real ws2_32 and kernel32.
type Backend struct {
	// Grace is how long a step waits for its call before reporting it
	// blocked (default 300 ms).
	Grace time.Duration
	// Quiet is how long every step lets the system act before the step's
	// expectations are read (default 25 ms): completions on loopback are
	// delivered by the system, not inside the call that caused them.
	Quiet time.Duration
	// SettleTime is how long a settle step lets the system act at least
	// (default 100 ms).
	SettleTime time.Duration
	// Patience bounds the wait for what a step's expectations say will
	// happen (default 10 s): a call expected to return, a blocked thread
	// expected to have returned, an event expected signalled, a routine
	// expected to have run. The wait ends as soon as it has happened, so
	// it costs time only on a loaded machine or when the system really
	// disagrees with the scenario.
	Patience time.Duration

	hint stepHint // what the current step expects (see Await)

	mu      sync.Mutex // guards the records callbacks write (object.calls)
	threads map[string]*thread
	tnames  []string
	byTID   map[uint32]*thread
	objs    map[string]*object
	decls   []*object // by declaration index
	ovDecl  map[uintptr]int
	slots   []int
	done    []spec.Returned
	started bool
}

type thread struct {
	name    string
	reqs    chan request
	tid     uint32
	h       windows.Handle
	pending *pendingCall
	exited  bool
	depth   int  // APC nesting on this thread (touched only on it)
	hClosed bool // the scenario closed this thread's handle
	m       *machine
}

type request struct {
	op    spec.Op
	fn    func() error
	reply chan reply
	quit  bool
}

type reply struct {
	out     spec.Result
	err     error
	exited  bool
	timeout bool // the call ended because its own time-out ran out
}

type pendingCall struct {
	op       spec.Op
	ch       chan reply
	deadline time.Time // zero: no time-out of its own
	held     *reply    // a time-out result kept back until the next settle
}

type object struct {
	decl  spec.Decl
	th    *thread        // thread
	h     windows.Handle // event, socket, port
	r, w  windows.Handle // pipe ends
	ov    int            // overlapped: arena offset
	buf   int            // buffer: arena offset
	n     int            // buffer: size
	slot  int            // routine/apc
	calls []spec.RoutineCall
	af    int32
	// closed: the scenario closed the handle (rClosed, wClosed: a pipe
	// end); the backend must not touch that value again.
	closed, rClosed, wClosed bool
	msg                      *recvMsg // overlapped: the last WSARecvMsg's WSAMSG
}

// The main goroutine keeps the process's main thread for itself, so that
// no scenario thread is ever given it: a goroutine that ends while locked
// to its thread ends that thread, except the main one, which the Go
// runtime only parks. A scenario's ExitThread on the main thread would
// leave it alive, and with it the I/O and APC queue its exit must drop.
func init() { runtime.LockOSThread() }

// errExit is how ExitThread ends a thread's goroutine.
var errExit = errors.New("thread exits")

// Name implements spec.Backend.
func (b *Backend) Name() string { return "native" }

func (b *Backend) defaults() {
	if b.Grace == 0 {
		b.Grace = 300 * time.Millisecond
	}
	if b.Quiet == 0 {
		b.Quiet = 25 * time.Millisecond
	}
	if b.SettleTime == 0 {
		b.SettleTime = 100 * time.Millisecond
	}
	if b.Patience == 0 {
		b.Patience = 10 * time.Second
	}
}

// Await is told each step before it runs (spec.Run calls it): what the
// step's expectations say will have happened decides how long Do and
// Settle wait (see await.go).
func (b *Backend) Await(st spec.Step) { b.hint = hintOf(st) }

// Start implements spec.Backend. The provider kind and profile of cfg are
// not choices here: the system is what it is.
func (b *Backend) Start(cfg spec.RunConfig, decls []spec.Decl) error {
	if b.started {
		return errors.New("native: Start called twice without Close")
	}
	if cfg.Kind == "layered" {
		// A layered provider is installed into the machine's Winsock
		// catalogue (WSCInstallProvider, administrator rights), which a
		// test run in a sandbox cannot and must not do.
		return errors.New("native: the layered kind is " + UnsupportedMark + ": a real LSP cannot be installed in the sandbox")
	}
	b.defaults()
	makePool()
	b.started = true
	b.threads = map[string]*thread{}
	b.tnames = nil
	b.byTID = map[uint32]*thread{}
	b.objs = map[string]*object{}
	b.decls = make([]*object, len(decls))
	b.ovDecl = map[uintptr]int{}
	b.slots = nil
	b.done = nil
	for i, d := range decls {
		o := &object{decl: d}
		b.decls[i] = o
		b.objs[d.Name] = o
	}
	for i, d := range decls {
		if d.Kind != "thread" {
			continue
		}
		t := &thread{name: d.Name, reqs: make(chan request, 1)}
		t.m = &machine{b: b, t: t}
		b.decls[i].th = t
		ready := make(chan error, 1)
		go b.threadMain(t, ready)
		if err := <-ready; err != nil {
			return fmt.Errorf("thread %s: %v", d.Name, err)
		}
		b.threads[d.Name] = t
		b.tnames = append(b.tnames, d.Name)
	}
	if len(b.tnames) == 0 {
		return &spec.ParseError{Line: 1, Msg: "no thread declared"}
	}
	// Objects are made on the first thread, after WSAStartup.
	return b.onThread(b.threads[b.tnames[0]], func() error {
		if err := wsaStartup(); err != nil {
			return err
		}
		for i, d := range decls {
			if d.Kind == "thread" {
				continue
			}
			if err := b.declare(i, d); err != nil {
				return err
			}
		}
		return nil
	})
}

// wsaStartup gives the run exactly one Winsock reference. Go's net
// package (linked into the runner) calls WSAStartup at init, so the
// process holds a reference before the scenario starts: drop every
// reference first, or a scenario's WSACleanup would not be the last one
// and WSANOTINITIALISED could never be seen.
func wsaStartup() error {
	for i := 0; i < 64; i++ {
		if r, _ := call(pWSACleanup); r != 0 {
			break // not initialised any more
		}
	}
	data := alloc(512) // WSADATA
	r, _ := call(pWSAStartup, 0x0202, addr(data))
	if r != 0 {
		return fmt.Errorf("WSAStartup: %s", errName(uint32(r)))
	}
	return nil
}

// threadMain is one scenario thread: a goroutine that owns its OS thread
// for life. When it returns the thread is still locked, so the runtime
// ends the OS thread too (that is what ExitThread needs, and what Close
// wants: nothing of a run survives on a thread the runtime reuses).
func (b *Backend) threadMain(t *thread, ready chan<- error) {
	runtime.LockOSThread()
	t.tid = windows.GetCurrentThreadId()
	h, err := windows.OpenThread(threadAllAccess, false, t.tid)
	if err != nil {
		ready <- err
		return
	}
	t.h = h
	b.mu.Lock()
	b.byTID[t.tid] = t
	b.mu.Unlock()
	ready <- nil
	for req := range t.reqs {
		if req.quit {
			return
		}
		if req.fn != nil {
			req.reply <- reply{err: req.fn()}
			continue
		}
		out, timeout, err := b.execTop(t, req.op)
		if errors.Is(err, errExit) {
			req.reply <- reply{exited: true}
			return
		}
		req.reply <- reply{out: out, err: err, timeout: timeout}
	}
}

// onThread runs fn on a thread and waits for it.
func (b *Backend) onThread(t *thread, fn func() error) error {
	ch := make(chan reply, 1)
	t.reqs <- request{fn: fn, reply: ch}
	return (<-ch).err
}

func (b *Backend) threadByTID(id uint32) *thread {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.byTID[id]
}

// Do implements spec.Backend.
func (b *Backend) Do(name string, op spec.Op) (spec.Result, error) {
	t, ok := b.threads[name]
	if !ok {
		return spec.Result{}, fmt.Errorf("unknown thread %q", name)
	}
	b.collect(false)
	if t.exited {
		return spec.Result{}, fmt.Errorf("thread %s has exited", name)
	}
	if t.pending != nil {
		return spec.Result{}, fmt.Errorf("thread %s is still in its previous call (%s)", name, t.pending.op.Entry().Name)
	}
	ch := make(chan reply, 1)
	start := time.Now()
	t.reqs <- request{op: op, reply: ch}
	pc := &pendingCall{op: op, ch: ch}
	if ms, ok := callTimeout(op); ok {
		pc.deadline = start.Add(time.Duration(ms) * time.Millisecond)
	}
	// A call the scenario expects to return gets the whole patience; one
	// expected to block (or either) is called blocked after the grace.
	grace := b.Grace
	if b.hint.call == wantReturn && b.Patience > grace {
		grace = b.Patience
	}
	select {
	case r := <-ch:
		if r.err != nil {
			return spec.Result{}, r.err
		}
		if r.exited {
			t.exited = true
			b.awaitExit(t)
			b.quiet()
			return spec.Result{}, nil
		}
		if r.timeout {
			// The emulator's clock moves only when the scenario settles:
			// a call that timed out is reported then, not now.
			pc.held = &r
			t.pending = pc
			b.quiet()
			return spec.Result{Blocked: true}, nil
		}
		b.quiet()
		return r.out, nil
	case <-time.After(grace):
		t.pending = pc
		b.quiet()
		return spec.Result{Blocked: true}, nil
	}
}

// awaitHint waits, up to Patience, until what the current step expects
// to have happened has happened (settling: timed-out calls count as
// returned, as in a settle). It returns at once when nothing is expected.
func (b *Backend) awaitHint(settling bool) {
	h := b.hint
	if len(h.returned) == 0 && len(h.signalled) == 0 && len(h.ran) == 0 {
		return
	}
	deadline := time.Now().Add(b.Patience)
	for {
		b.collect(settling)
		if b.hintHolds(h) || !time.Now().Before(deadline) {
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// hintHolds reports whether every expected return, signal and routine
// call has happened.
func (b *Backend) hintHolds(h stepHint) bool {
	for _, n := range h.returned {
		if t, ok := b.threads[n]; ok && t.pending != nil {
			return false
		}
	}
	for _, n := range h.signalled {
		if o, ok := b.objs[n]; ok && o.decl.Kind == "event" && !o.closed {
			if sig, err := eventState(o.h); err == nil && !sig {
				return false
			}
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for n, want := range h.ran {
		if o, ok := b.objs[n]; ok && len(o.calls) < want {
			return false
		}
	}
	return true
}

// awaitExit waits until a thread that called ExitThread has really
// ended. Its goroutine replies before it returns, and the runtime ends
// the OS thread after that: what the system does at thread exit
// (cancelling the thread's I/O, refusing its APCs) must have happened
// before the next step looks, however loaded the machine is.
func (b *Backend) awaitExit(t *thread) {
	if t.hClosed {
		time.Sleep(b.Grace)
		return
	}
	windows.WaitForSingleObject(t.h, exitWait)
}

// exitWait bounds awaitExit (milliseconds).
const exitWait = 5000

// quiet lets the system deliver what the last step set going, then
// gathers calls that returned meanwhile.
func (b *Backend) quiet() {
	time.Sleep(b.Quiet)
	b.collect(false)
	b.awaitHint(false)
}

// collect moves returned calls into done. A call that ended by its own
// time-out stays blocked until a settle releases it.
func (b *Backend) collect(settling bool) {
	for _, n := range b.tnames {
		t := b.threads[n]
		pc := t.pending
		if pc == nil {
			continue
		}
		if pc.held == nil {
			select {
			case r := <-pc.ch:
				pc.held = &r
			default:
				continue
			}
		}
		r := pc.held
		if r.timeout && !settling {
			continue
		}
		t.pending = nil
		if r.exited {
			t.exited = true
		}
		b.done = append(b.done, spec.Returned{Thread: n, Op: pc.op, Result: r.out, Err: r.err})
	}
}

// Settle implements spec.Backend: wall-clock time passes until every
// blocked call with a time-out of its own has returned (bounded), and at
// least SettleTime.
func (b *Backend) Settle() error {
	until := time.Now().Add(b.SettleTime)
	const maxWait = 10 * time.Second
	for _, n := range b.tnames {
		pc := b.threads[n].pending
		if pc == nil || pc.deadline.IsZero() {
			continue
		}
		d := pc.deadline.Add(b.SettleTime)
		if lim := time.Now().Add(maxWait); d.After(lim) {
			d = lim
		}
		if d.After(until) {
			until = d
		}
	}
	floor := time.Now().Add(b.SettleTime)
	for time.Now().Before(until) {
		time.Sleep(10 * time.Millisecond)
		b.collect(false)
		if time.Now().After(floor) && !b.anyTimedPending() {
			break
		}
	}
	b.collect(true)
	b.awaitHint(true)
	return nil
}

// anyTimedPending reports whether a blocked call with a time-out of its
// own has not returned yet.
func (b *Backend) anyTimedPending() bool {
	for _, n := range b.tnames {
		if pc := b.threads[n].pending; pc != nil && !pc.deadline.IsZero() && pc.held == nil {
			return true
		}
	}
	return false
}

// Completed implements spec.Backend.
func (b *Backend) Completed() []spec.Returned {
	b.collect(false)
	d := b.done
	b.done = nil
	return d
}

// Overlapped implements spec.Backend.
func (b *Backend) Overlapped(name string) (spec.OvFields, error) {
	o, ok := b.objs[name]
	if !ok || o.decl.Kind != "overlapped" {
		return spec.OvFields{}, fmt.Errorf("%q is not a declared overlapped record", name)
	}
	return spec.OvFields{
		Internal:     load64(o.ov),
		InternalHigh: load64(o.ov + 8),
		Offset:       load32(o.ov + 16),
		OffsetHigh:   load32(o.ov + 20),
	}, nil
}

// EventSignalled implements spec.Backend.
func (b *Backend) EventSignalled(name string) (bool, error) {
	o, ok := b.objs[name]
	if !ok || o.decl.Kind != "event" {
		return false, fmt.Errorf("%q is not a declared event", name)
	}
	sig, err := eventState(o.h)
	if err != nil {
		return false, fmt.Errorf("event %q is closed", name)
	}
	return sig, nil
}

// Routine implements spec.Backend.
func (b *Backend) Routine(name string) ([]spec.RoutineCall, error) {
	o, ok := b.objs[name]
	if !ok || (o.decl.Kind != "routine" && o.decl.Kind != "apc") {
		return nil, fmt.Errorf("%q is not a declared routine or apc", name)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]spec.RoutineCall(nil), o.calls...), nil
}

// Buffer implements spec.Backend.
func (b *Backend) Buffer(name string) ([]byte, error) {
	o, ok := b.objs[name]
	if !ok || o.decl.Kind != "buffer" {
		return nil, fmt.Errorf("%q is not a declared buffer", name)
	}
	return copyOut(o.buf, o.n), nil
}

// Blocked implements spec.Backend.
func (b *Backend) Blocked(name string) (bool, error) {
	t, ok := b.threads[name]
	if !ok {
		return false, fmt.Errorf("unknown thread %q", name)
	}
	b.collect(false)
	return t.pending != nil, nil
}

// Close implements spec.Backend: it closes every object, wakes the
// threads it can and ends them. A thread stuck in a wait nothing can end
// (a non-alertable infinite sleep) is left behind.
func (b *Backend) Close() {
	if !b.started {
		return
	}
	b.started = false
	slotMu.Lock()
	for _, s := range b.slots {
		owner[s] = nil
	}
	slotMu.Unlock()
	// Events first set, so non-alertable waiters on them return.
	for _, o := range b.objs {
		if o.decl.Kind == "event" && o.h != 0 && !o.closed {
			call(pSetEvent, uintptr(o.h))
		}
	}
	for _, o := range b.objs {
		switch o.decl.Kind {
		case "socket":
			if !o.closed {
				call(pClosesocket, uintptr(o.h))
			}
		case "event", "port", "handle":
			if !o.closed && o.h != 0 {
				call(pCloseHandle, uintptr(o.h))
			}
		case "pipe":
			if !o.rClosed && o.r != 0 {
				call(pCloseHandle, uintptr(o.r))
			}
			if !o.wClosed && o.w != 0 {
				call(pCloseHandle, uintptr(o.w))
			}
		}
	}
	for _, n := range b.tnames {
		t := b.threads[n]
		if t.exited {
			continue
		}
		if t.pending != nil && !t.hClosed {
			call(pQueueUserAPC, wakeAPC, uintptr(t.h), 0)
		}
	}
	deadline := time.Now().Add(300 * time.Millisecond)
	for _, n := range b.tnames {
		t := b.threads[n]
		if t.exited {
			continue
		}
		if t.pending != nil && t.pending.held == nil {
			select {
			case <-t.pending.ch:
			case <-time.After(time.Until(deadline)):
				continue // stuck for good: leave it
			}
		}
		t.reqs <- request{quit: true}
	}
	for _, n := range b.tnames {
		if t := b.threads[n]; !t.hClosed {
			windows.CloseHandle(t.h)
		}
	}
}

// threadAllAccess is THREAD_ALL_ACCESS (x/sys/windows does not name it).
const threadAllAccess = 0x1FFFFF
