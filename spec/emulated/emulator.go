package emulated

import (
	"fmt"
	"github.com/wsaemu/wsaemu/spec"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/provider"
)

// Emulator is the Backend over the emulator.
type Emulator struct {
	// Chooser, if set, makes the open decisions (explore, replay); it
	// overrides RunConfig.Seed.
	Chooser emu.Chooser
	// Quiet runs without the trace and the sanitizer: for timing only
	// (timelines, liveness and "finding" lines need them).
	Quiet bool
	// Pool, if set, runs the threads of every run on its goroutines
	// instead of starting new ones (see emu.GoroutinePool); the runs are
	// the same either way.
	Pool *emu.GoroutinePool

	opts       []emu.Option
	traceOpt   emu.Option // records every run into one trace, reusing its memory
	poolOpt    emu.Option // WithGoroutinePool(poolFor)
	poolFor    *emu.GoroutinePool
	setupFn    func(*emu.Thread) // setup, made once
	setupDecls []spec.Decl       // what setup declares
	setupErr   error
	machs      []*machine // every machine made so far, reused run after run
	nmach      int        // how many of machs this run uses

	sys        *emu.System
	st         *emu.Stepper
	threads    map[string]*emu.Thread
	tnames     []string
	objs       []*object          // by declaration index
	byName     map[string]*object // by declared name
	ovDecl     map[*emu.Overlapped]int
	msgs       map[int]*emu.WSAMSG           // the last WSARecvMsg's WSAMSG, by record
	wsabufs    map[*spec.IOArgs][]emu.WSABUF // a step's WSABUF array, made once a run (see stepBufs)
	afd        afdState                      // AFD polls (calls_afd.go)
	mach       map[*emu.Thread]*machine
	threadMach map[string]*machine // the declared threads' machines, by name (Do)
	done       []spec.Returned
	pending    map[string]*pendingCall
}

type pendingCall struct {
	op  spec.Op
	out *spec.Result
	err *error
}

type object struct {
	decl    spec.Decl
	thread  *emu.Thread // threads
	h       emu.Handle  // events, ports, sockets
	read    emu.Handle  // pipes
	write   emu.Handle
	ov      *emu.Overlapped
	ovStore *emu.Overlapped // the record ov uses, kept for the next run
	buf     []byte
	store   []byte // the memory buf uses, kept for the next run
	calls   []spec.RoutineCall
	wsaFn   emu.WSACompletionRoutine
	fileFn  emu.FileIOCompletionRoutine
	apcFn   emu.APCProc
}

// TraceLen is how many trace events the current run has recorded.
func (e *Emulator) TraceLen() int {
	if e.sys == nil || e.sys.Trace() == nil {
		return 0
	}
	return e.sys.Trace().Len()
}

// Threads lists the run's thread names, in declaration order, with their
// emulated thread ids.
func (e *Emulator) Threads() (names []string, ids []int) {
	for _, n := range e.tnames {
		names = append(names, n)
		ids = append(ids, e.threads[n].ID())
	}
	return names, ids
}

// Liveness lets the machine settle after the last step and checks that
// every completion it had decided was delivered, and that no operation
// was reported twice (by request, and by APC).
func (e *Emulator) Liveness() []string {
	if e.sys == nil {
		return nil
	}
	e.st.Settle()
	var out []string
	if n := e.sys.PendingActions(); n > 0 {
		out = append(out, fmt.Sprintf("%d completion(s) still waiting after the machine settled", n))
	}
	if tr := e.sys.Trace(); tr != nil {
		done := map[uint64]int{}
		runs := map[[2]uint64]int{}
		for _, ev := range tr.All() {
			switch {
			case ev.Kind == emu.EvComplete && ev.N != 0:
				done[ev.N]++
				if done[ev.N] == 2 {
					out = append(out, fmt.Sprintf("request #%d (%s ov%d) completed twice", ev.N, ev.Name, ev.Ov))
				}
			case ev.Kind == emu.EvAPCRun:
				k := [2]uint64{uint64(ev.Thread), ev.N}
				runs[k]++
				if runs[k] == 2 {
					out = append(out, fmt.Sprintf("APC #%d of thread %d ran twice", ev.N, ev.Thread))
				}
			}
		}
	}
	return out
}

// Findings lists the sanitizer's findings so far, as "clause: text".
func (e *Emulator) Findings() []string {
	var out []string
	for _, f := range e.sys.Findings() {
		out = append(out, f.Clause+": "+f.Text)
	}
	return out
}

// Name implements Backend.
func (e *Emulator) Name() string { return "emulator" }

// System returns the machine of the current run (for traces).
func (e *Emulator) System() *emu.System { return e.sys }

// The options a run picks from, made once: an option made per run would
// be an allocation per run.
var (
	optNonIFS    = emu.WithProviderKind(provider.NonIFS)
	optIFS       = emu.WithProviderKind(provider.IFS)
	optLayered   = emu.WithLayeredProvider()
	optWindows   = emu.WithProfile(emu.ProfileWindows)
	optDocs      = emu.WithProfile(emu.ProfileDocs)
	optResets    = emu.WithResets()
	optSplits    = emu.WithSplits()
	optNoTrace   = emu.WithoutTrace()
	optSanitizer = emu.WithSanitizer(emu.SanitizeReport)
	optNoHang    = emu.WithHangTimeout(0)
)

// Start implements Backend.
//
// An Emulator may run any number of scenarios, one after the other: each
// Start begins a new machine and forgets the last run, keeping only the
// memory its records, buffers and tables took, which the new run reuses
// (cleared, so that it sees exactly what a new Emulator would). What the
// last run's accessors returned (Routine, Buffer, Completed) is only
// valid until the next Start; so is the last run's trace, whose memory
// the next run records into.
func (e *Emulator) Start(cfg spec.RunConfig, decls []spec.Decl) error {
	opts := e.opts[:0]
	switch cfg.Kind {
	case "", "nonifs":
		opts = append(opts, optNonIFS)
	case "ifs":
		opts = append(opts, optIFS)
	case "layered":
		opts = append(opts, optLayered)
	default:
		return fmt.Errorf("unknown provider kind %q", cfg.Kind)
	}
	switch cfg.Profile {
	case "", "windows":
		opts = append(opts, optWindows)
	case "docs":
		opts = append(opts, optDocs)
	default:
		return fmt.Errorf("unknown profile %q", cfg.Profile)
	}
	switch {
	case e.Chooser != nil:
		opts = append(opts, emu.WithChooser(e.Chooser))
	case cfg.Hostile:
		opts = append(opts, emu.WithChooser(emu.HostileChooser()), emu.WithPoison())
	case cfg.Swarm:
		opts = append(opts, emu.WithChooser(emu.SwarmChooser(cfg.Seed)))
	case cfg.Seeded:
		opts = append(opts, emu.WithSeed(cfg.Seed))
	}
	if cfg.Resets {
		opts = append(opts, optResets)
	}
	if cfg.Splits {
		opts = append(opts, optSplits)
	}
	// The sanitizer always watches scenario runs: a scenario that does
	// something the pages call undefined must say so with "finding".
	// A scenario's threads run only the emulator's calls and the
	// scenario's own routines: nothing of theirs can block outside the
	// emulator, so the hang watchdog has nothing to watch, and without it
	// the steps run as coroutines, several times cheaper (emu's
	// stepcoro.go).
	opts = append(opts, optNoHang)
	if e.Quiet {
		opts = append(opts, optNoTrace)
	} else {
		if e.traceOpt == nil {
			e.traceOpt = emu.WithTrace(&emu.Trace{})
		}
		opts = append(opts, optSanitizer, e.traceOpt)
	}
	if e.Pool != nil {
		if e.poolFor != e.Pool {
			e.poolOpt, e.poolFor = emu.WithGoroutinePool(e.Pool), e.Pool
		}
		opts = append(opts, e.poolOpt)
	}
	e.opts = opts
	if e.sys != nil {
		// The last run's machine is forgotten: its threads' memory goes
		// back to the pool (if any) for this run's.
		e.sys.Release()
	}
	e.sys = emu.New(opts...)
	clear(e.opts) // the options hold the chooser: not kept past the call
	st, err := e.sys.Stepper()
	if err != nil {
		return err
	}
	e.st = st
	e.reset(len(decls))
	for i, d := range decls {
		o := e.objs[i]
		o.reset(d)
		e.byName[d.Name] = o
	}
	// Threads first, so objects can be made on the first one.
	for i, d := range decls {
		if d.Kind == "thread" {
			t := st.NewThread(d.Name)
			e.threads[d.Name] = t
			e.tnames = append(e.tnames, d.Name)
			e.objs[i].thread = t
			e.mach[t] = e.newMachine(t)
			e.threadMach[d.Name] = e.mach[t]
		}
	}
	if len(e.tnames) == 0 {
		return &spec.ParseError{Line: 1, Msg: "no thread declared"}
	}
	e.setupDecls = decls
	e.st.Call(e.threads[e.tnames[0]], e.setupFn)
	e.setupDecls = nil
	err, e.setupErr = e.setupErr, nil
	return err
}

// setup runs on the first thread at Start: WSAStartup, then every
// declared object but the threads, in order.
func (e *Emulator) setup(t *emu.Thread) {
	var d emu.WSAData
	if err := t.WSAStartup(0x0202, &d); err != nil {
		e.setupErr = err
		return
	}
	for i, dc := range e.setupDecls {
		if dc.Kind == "thread" {
			continue
		}
		if err := e.declare(t, i, dc); err != nil {
			e.setupErr = err
			return
		}
	}
}

// reset forgets the last run (if any) and makes room for n declared
// objects, reusing what the last run allocated.
func (e *Emulator) reset(n int) {
	if e.threads == nil {
		e.threads = map[string]*emu.Thread{}
		e.byName = make(map[string]*object, n)
		e.ovDecl = map[*emu.Overlapped]int{}
		e.msgs = map[int]*emu.WSAMSG{}
		e.mach = map[*emu.Thread]*machine{}
		e.threadMach = map[string]*machine{}
		e.pending = map[string]*pendingCall{}
		e.setupFn = e.setup
	}
	clear(e.threads)
	clear(e.byName)
	clear(e.ovDecl)
	clear(e.msgs)
	clear(e.mach)
	clear(e.threadMach)
	clear(e.pending)
	clear(e.tnames)
	e.tnames = e.tnames[:0]
	e.wsabufs = nil
	e.afd = afdState{}
	e.done = nil
	e.nmach = 0
	for len(e.objs) < n {
		e.objs = append(e.objs, &object{})
	}
	e.objs = e.objs[:n]
}

// newMachine is the machine that runs calls on t, reusing one of the
// last run's.
func (e *Emulator) newMachine(t *emu.Thread) *machine {
	if e.nmach == len(e.machs) {
		e.machs = append(e.machs, &machine{})
	}
	m := e.machs[e.nmach]
	e.nmach++
	run := m.run // runs whatever op m holds: kept with m
	*m = machine{e: e, t: t, run: run}
	return m
}

// reset makes o the object of declaration d, as a new one would be, but
// keeps the memory of its buffer and routine records and its routine
// functions (which read o's declaration when called).
func (o *object) reset(d spec.Decl) {
	store, calls := o.store, o.calls[:0]
	wsaFn, fileFn, apcFn := o.wsaFn, o.fileFn, o.apcFn
	ov := o.ovStore
	clear(calls[:cap(calls)])
	*o = object{decl: d, store: store, calls: calls, ovStore: ov}
	if d.Kind == "routine" || d.Kind == "apc" {
		o.wsaFn, o.fileFn, o.apcFn = wsaFn, fileFn, apcFn
	}
}

func (e *Emulator) declErr(d spec.Decl, format string, args ...any) error {
	return &spec.ParseError{Line: d.Line, Msg: fmt.Sprintf(format, args...)}
}

// declare makes one declared object from its decoded declaration.
func (e *Emulator) declare(t *emu.Thread, i int, d spec.Decl) error {
	o := e.objs[i]
	switch x := d.Obj.(type) {
	case *spec.EventDecl:
		h, err := t.CreateEvent(x.Manual, x.Signalled)
		if err != nil {
			return err
		}
		o.h = h
	case *spec.SocketDecl:
		flags := uint32(0)
		if x.Overlapped {
			flags = provider.WSA_FLAG_OVERLAPPED
		}
		typ, proto := int32(provider.SOCK_DGRAM), int32(provider.IPPROTO_UDP)
		if x.Stream {
			typ, proto = provider.SOCK_STREAM, provider.IPPROTO_TCP
		}
		s, err := t.WSASocket(x.AF, typ, proto, flags)
		if err != nil {
			return err
		}
		o.h = emu.Handle(s)
		if x.Bind != nil {
			if err := t.Bind(s, x.Bind, spec.Namelen(*x.Bind)); err != nil {
				return e.declErr(d, "socket %s: bind %s: %v", d.Name, x.Bind, err)
			}
		}
		if x.Listen {
			if err := t.Listen(s, provider.SOMAXCONN); err != nil {
				return e.declErr(d, "socket %s: listen: %v", d.Name, err)
			}
		}
		if x.Connect != nil {
			if err := t.Connect(s, x.Connect, spec.Namelen(*x.Connect)); err != nil {
				return e.declErr(d, "socket %s: connect %s: %v", d.Name, x.Connect, err)
			}
		}
	case *spec.OverlappedDecl:
		if o.ovStore == nil {
			o.ovStore = &emu.Overlapped{}
		}
		o.ov = o.ovStore
		*o.ov = emu.Overlapped{}
		e.ovDecl[o.ov] = i
		if x.Event.Valid() {
			o.ov.HEvent = e.objs[x.Event.Decl].h
		}
		if x.HasHEvent {
			o.ov.HEvent = emu.Handle(x.HEvent)
		}
		if x.LowBit {
			o.ov.HEvent |= 1
		}
		for f, v := range x.Fields {
			if v.Set {
				setField(o.ov, f, v.V)
			}
		}
	case *spec.BufferDecl:
		n := x.Size()
		if cap(o.store) < n || o.store == nil {
			o.store = make([]byte, n)
		}
		// Exactly n long and n wide, zero but for the initial bytes, as a
		// new buffer.
		o.buf = o.store[:n:n]
		clear(o.buf[copy(o.buf, x.Init):])
	case *spec.RoutineDecl:
		if o.wsaFn == nil {
			e.makeRoutine(o)
		}
	case *spec.PipeDecl:
		opts := emu.PipeOptions{}
		if x.Message {
			opts.Mode = emu.PipeMessage
		}
		opts.Synchronous = x.Sync
		opts.SyncRead, opts.SyncWrite = x.SyncRead, x.SyncWrite
		if x.HasCapacity {
			opts.Capacity = x.Capacity
		}
		r, w, err := t.CreatePipe(opts)
		if err != nil {
			return err
		}
		o.read, o.write = r, w
	case *spec.PortDecl:
		h, err := t.CreateIoCompletionPort(emu.INVALID_HANDLE_VALUE, 0, 0, 0)
		if err != nil {
			return err
		}
		o.h = h
	case *spec.HandleDecl:
		// NULL until a call (DuplicateHandle) puts a handle here.
	default:
		return e.declErr(d, "unknown declaration %q", d.Kind)
	}
	return nil
}

// maxRoutineActs bounds how often one routine makes its "does" call in a
// run.
const maxRoutineActs = 1000

// makeRoutine builds the functions a routine or APC declaration stands
// for: each records its call and then makes its "does" call, if any, on
// the thread it runs on.
func (e *Emulator) makeRoutine(o *object) {
	record := func(t *emu.Thread, rc spec.RoutineCall) {
		rc.Thread = t.Name()
		rc.Depth = t.APCDepth()
		o.calls = append(o.calls, rc)
		// A routine whose call queues the routine again would loop for
		// ever (as it would on Windows); past a bound it stops acting.
		if o.decl.Does != nil && len(o.calls) <= maxRoutineActs {
			// A scenario mistake in the routine's call is recorded with the
			// call it belongs to.
			if _, err := o.decl.Does.Op.Run(e.machineOf(t)); err != nil {
				o.calls[len(o.calls)-1].Ov += " (does failed: " + err.Error() + ")"
			}
		}
	}
	o.wsaFn = func(dwError, cb uint32, ov *emu.Overlapped, flags uint32) {
		rc := spec.RoutineCall{Err: dwError, Bytes: cb, Flags: flags, Ov: e.ovRef(ov).String()}
		record(e.currentThread(), rc)
	}
	o.fileFn = func(t *emu.Thread, code, n uint32, ov *emu.Overlapped) {
		record(t, spec.RoutineCall{Err: code, Bytes: n, Ov: e.ovRef(ov).String()})
	}
	o.apcFn = func(t *emu.Thread, p uintptr) {
		record(t, spec.RoutineCall{Param: uint64(p)})
	}
}

// machineOf is the machine that runs calls on t.
func (e *Emulator) machineOf(t *emu.Thread) *machine {
	m, ok := e.mach[t]
	if !ok {
		m = &machine{e: e, t: t}
		e.mach[t] = m
	}
	return m
}

// currentThread is the thread running now: a Winsock routine has no
// thread argument, but it always runs on the thread that issued the call.
func (e *Emulator) currentThread() *emu.Thread { return e.sys.CurrentThread() }

// Do implements Backend.
func (e *Emulator) Do(thread string, op spec.Op) (spec.Result, error) {
	m, ok := e.threadMach[thread]
	if !ok {
		return spec.Result{}, fmt.Errorf("unknown thread %q", thread)
	}
	t := m.t
	if m.run == nil {
		m.run = func(*emu.Thread) {
			// Cleared first: a call that never returns (its thread
			// exits) leaves a zero result, as a fresh one would.
			m.out, m.err = spec.Result{}, nil
			m.out, m.err = m.op.Run(m)
		}
	}
	m.op = op
	res, err := e.st.Call(t, m.run)
	if err != nil {
		return spec.Result{}, err
	}
	if m.err != nil {
		return spec.Result{}, m.err
	}
	if !res.Returned {
		e.pending[thread] = &pendingCall{op: op, out: &m.out, err: &m.err}
		return spec.Result{Blocked: true}, nil
	}
	e.collect(thread)
	return m.out, nil
}

// collect moves calls of other threads that have returned into done.
func (e *Emulator) collect(except string) {
	if len(e.pending) == 0 {
		return
	}
	for _, n := range e.tnames {
		if n == except {
			continue
		}
		if pc, ok := e.pending[n]; ok && e.st.Idle(e.threads[n]) {
			delete(e.pending, n)
			e.done = append(e.done, spec.Returned{Thread: n, Op: pc.op, Result: *pc.out, Err: *pc.err})
		}
	}
}

// Settle implements Backend.
func (e *Emulator) Settle() error {
	e.st.Settle()
	e.collect("")
	return nil
}

// Completed implements Backend.
func (e *Emulator) Completed() []spec.Returned {
	e.collect("")
	d := e.done
	e.done = nil
	return d
}

// Overlapped implements Backend.
func (e *Emulator) Overlapped(name string) (spec.OvFields, error) {
	o, ok := e.byName[name]
	if !ok || o.ov == nil {
		return spec.OvFields{}, fmt.Errorf("%q is not a declared overlapped record", name)
	}
	s := o.ov.Snapshot()
	return spec.OvFields{Internal: uint64(s.Internal), InternalHigh: uint64(s.InternalHigh), Offset: s.Offset, OffsetHigh: s.OffsetHigh}, nil
}

// EventSignalled implements Backend.
func (e *Emulator) EventSignalled(name string) (bool, error) {
	o, ok := e.byName[name]
	if !ok || o.decl.Kind != "event" {
		return false, fmt.Errorf("%q is not a declared event", name)
	}
	sig, open := e.sys.EventState(o.h)
	if !open {
		return false, fmt.Errorf("event %q is closed", name)
	}
	return sig, nil
}

// Routine implements Backend.
func (e *Emulator) Routine(name string) ([]spec.RoutineCall, error) {
	o, ok := e.byName[name]
	if !ok || (o.decl.Kind != "routine" && o.decl.Kind != "apc") {
		return nil, fmt.Errorf("%q is not a declared routine or apc", name)
	}
	return o.calls, nil
}

// Buffer implements Backend.
func (e *Emulator) Buffer(name string) ([]byte, error) {
	o, ok := e.byName[name]
	if !ok || o.decl.Kind != "buffer" {
		return nil, fmt.Errorf("%q is not a declared buffer", name)
	}
	return o.buf, nil
}

// Blocked implements Backend.
func (e *Emulator) Blocked(thread string) (bool, error) {
	t, ok := e.threads[thread]
	if !ok {
		return false, fmt.Errorf("unknown thread %q", thread)
	}
	return t.Blocked(), nil
}

// Close implements Backend.
func (e *Emulator) Close() {
	if e.sys != nil {
		e.sys.Stop()
	}
}

// setField sets a record's field, in OvFieldNames order.
func setField(ov *emu.Overlapped, f int, v uint64) {
	switch f {
	case 0:
		ov.Internal = uintptr(v)
	case 1:
		ov.InternalHigh = uintptr(v)
	case 2:
		ov.Offset = uint32(v)
	case 3:
		ov.OffsetHigh = uint32(v)
	}
}
