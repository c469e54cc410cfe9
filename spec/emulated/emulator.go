package emulated

import (
	"cmp"
	"fmt"
	"github.com/wsaemu/wsaemu/spec"
	"net/netip"
	"slices"

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
	chooserOpt emu.Option        // WithChooser(chooser), made once
	chooser    emu.Chooser       // the run's chooser, for chooserOpt
	seeded     emu.Seeded        // the run's chooser for a seeded configuration
	swarm      emu.Swarm         // the run's chooser for a swarm configuration
	setupFn    func(*emu.Thread) // setup, made once
	setupDecls []spec.Decl       // what setup declares
	setupErr   error
	machs      []*machine // every machine made so far, reused run after run
	nmach      int        // how many of machs this run uses

	sys  *emu.System
	st   *emu.Stepper
	objs []*object // by declaration index; the ones past len are kept for later runs
	thr  []int     // the declared threads' indexes, in declaration order
	// index finds a declaration by name when the scenario has more than
	// indexFrom of them (fewer are searched): made for the names in
	// indexed, and kept while later runs declare the same ones.
	index   map[string]int
	indexed []string
	// ovIndex is the declaration index of each record this Emulator made
	// (objects keep theirs from run to run); the record is the run's when
	// that object's ov is it.
	ovIndex map[*emu.Overlapped]int
	run     uint64          // counts the runs (Start), to tell this run's wsabufs
	wsabufs []stepWSABufs   // a step's WSABUF array, made once a run (see stepBufs), by IOArgs.Slot
	lent    lentMem         // memory lent to this run's calls
	afd     afdState        // AFD polls (calls_afd.go)
	done    []spec.Returned // returned calls not yet asked for (Completed)
	// findings are the sanitizer's findings as Findings writes them, by
	// index, and the clause and text each was written from.
	findings   []string
	findingSrc [][2]string
	liveKeys   [][3]uint64 // notifiedTwice's list
	npending   int         // threads whose call is pending (machine.pending)
}

// indexFrom is the most declarations a scenario may have for Emulator to
// find them by name by searching rather than through a map.
const indexFrom = 16

// stepWSABufs is the WSABUF array of the step whose arguments are key,
// made in the run numbered run.
type stepWSABufs struct {
	key  *spec.IOArgs
	run  uint64
	bufs []emu.WSABUF
}

// lent is memory lent to the calls of one run, handed out in order: the
// next run takes it all back (Start), when the machine that was given it
// is gone. A call that needs more than is left gets it from a new, larger
// block, which later runs keep; the last one stays with those it was
// lent to.
type lent[T any] struct {
	block []T
	n     int
}

// take lends k zero values (never nil, as make would give them).
func (l *lent[T]) take(k int) []T {
	if l.n+k > len(l.block) || l.block == nil {
		l.block = make([]T, max(2*len(l.block), k, 16))
		l.n = 0
	}
	s := l.block[l.n : l.n+k : l.n+k]
	l.n += k
	clear(s)
	return s
}

// reset takes back everything lent.
func (l *lent[T]) reset() { l.n = 0 }

// lentMem is the memory an Emulator lends to the calls of a run, by kind.
type lentMem struct {
	bufs  lent[emu.WSABUF]    // WSABUF arrays
	hs    lent[emu.Handle]    // handle arrays (waits)
	socks lent[emu.SOCKET]    // select's sets and the sockets given
	sets  lent[emu.FDSet]     // select's fd_sets
	tvs   lent[emu.Timeval]   // select's timeouts
	fds   lent[emu.WSAPOLLFD] // WSAPoll's entries
	bools lent[bool]
	kvs   lent[spec.OutKV]     // results' Outs.More (a report copies them)
	ents  lent[spec.PortEntry] // results' Outs.Entries (likewise)
	// Out-parameters and records the calls write, perhaps when they
	// complete later in the run.
	u32s    lent[uint32]
	i32s    lent[int32]
	bytes   lent[byte]
	addrs   lent[netip.AddrPort]
	msgs    lent[emu.WSAMSG]
	nes     lent[emu.WSANETWORKEVENTS]
	pentry  lent[emu.OverlappedEntry]
	afdIns  lent[emu.AFD_POLL_INFO]
	afdHs   lent[emu.AFD_POLL_HANDLE_INFO]
	afdRecs lent[afdRec]
	afdOuts lent[spec.AfdOutEntry]
	u64s    lent[uint64]
}

// one lends one zero value.
func one[T any](l *lent[T]) *T { return &l.take(1)[0] }

func (l *lentMem) reset() {
	l.ents.reset()
	l.u32s.reset()
	l.i32s.reset()
	l.bytes.reset()
	l.addrs.reset()
	l.msgs.reset()
	l.nes.reset()
	l.pentry.reset()
	l.afdIns.reset()
	l.afdHs.reset()
	l.afdRecs.reset()
	l.afdOuts.reset()
	l.u64s.reset()
	l.bufs.reset()
	l.hs.reset()
	l.socks.reset()
	l.sets.reset()
	l.tvs.reset()
	l.fds.reset()
	l.bools.reset()
	l.kvs.reset()
}

type object struct {
	decl    *spec.Decl  // in the declarations Start was given
	thread  *emu.Thread // threads
	mach    *machine    // threads: the machine that runs their calls
	h       emu.Handle  // events, ports, sockets
	read    emu.Handle  // pipes
	write   emu.Handle
	ov      *emu.Overlapped
	ovStore *emu.Overlapped // the record ov uses, kept for the next run
	msg     *emu.WSAMSG     // records: the last WSARecvMsg's WSAMSG (read by Msg)
	poll    *afdRec         // records: the last AFD poll made with it
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
	for _, i := range e.thr {
		o := e.objs[i]
		names = append(names, o.decl.Name)
		ids = append(ids, o.thread.ID())
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
	if tr := e.sys.Trace(); tr != nil && e.notifiedTwice(tr) {
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

// notifiedTwice reports whether the trace has a request completed twice
// or an APC of a thread run twice (what Liveness reports, rarely): its
// keys sorted in a list kept from run to run, no map made.
func (e *Emulator) notifiedTwice(tr *emu.Trace) bool {
	keys := e.liveKeys[:0]
	for _, ev := range tr.All() {
		switch {
		case ev.Kind == emu.EvComplete && ev.N != 0:
			keys = append(keys, [3]uint64{0, ev.N})
		case ev.Kind == emu.EvAPCRun:
			keys = append(keys, [3]uint64{1, uint64(ev.Thread), ev.N})
		}
	}
	e.liveKeys = keys
	slices.SortFunc(keys, func(a, b [3]uint64) int {
		for i := range a {
			if c := cmp.Compare(a[i], b[i]); c != 0 {
				return c
			}
		}
		return 0
	})
	for i := 1; i < len(keys); i++ {
		if keys[i] == keys[i-1] {
			return true
		}
	}
	return false
}

// Findings lists the sanitizer's findings so far, as "clause: text"
// (nil for none). The list is the Emulator's: valid until the next Start.
// Each finding's text is kept for the finding of its index in later runs,
// which reuse it when it reads the same.
func (e *Emulator) Findings() []string {
	fs := e.sys.Findings()
	if len(fs) == 0 {
		return nil
	}
	for i, f := range fs {
		src := [2]string{f.Clause, f.Text}
		if i < len(e.findings) {
			if e.findingSrc[i] != src {
				e.findings[i], e.findingSrc[i] = f.Clause+": "+f.Text, src
			}
			continue
		}
		e.findings = append(e.findings, f.Clause+": "+f.Text)
		e.findingSrc = append(e.findingSrc, src)
	}
	return e.findings[:len(fs):len(fs)]
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
	optPoison    = emu.WithPoison()
)

// Start implements Backend.
//
// An Emulator may run any number of scenarios, one after the other: each
// Start begins a new machine and forgets the last run, keeping only the
// memory its records, buffers and tables took, which the new run reuses
// (cleared, so that it sees exactly what a new Emulator would). What the
// last run's accessors returned (Routine, Buffer, Findings, and the
// lists in Do's and Completed's results: Outs.More and Outs.Entries) is
// only valid until the next Start, Completed's list itself until the
// next Do, Settle or Completed; so is the last run's trace, whose memory
// the next run records into. (spec.Run and spec.RunInto copy what their
// reports keep.)
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
	// The chooser goes through one option made once (an option made per
	// run would be an allocation per run); a seeded one is made in the
	// Emulator's, as WithSeed would make a new one.
	if e.chooserOpt == nil {
		e.chooserOpt = func(s *emu.System) { emu.WithChooser(e.chooser)(s) }
	}
	switch {
	case e.Chooser != nil:
		e.chooser = e.Chooser
		opts = append(opts, e.chooserOpt)
	case cfg.Hostile:
		e.chooser = emu.HostileChooser()
		opts = append(opts, e.chooserOpt, optPoison)
	case cfg.Swarm:
		e.swarm.Reset(cfg.Seed)
		e.chooser = &e.swarm
		opts = append(opts, e.chooserOpt)
	case cfg.Seeded:
		e.seeded = *emu.SeededChooser(cfg.Seed)
		e.chooser = &e.seeded
		opts = append(opts, e.chooserOpt)
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
	e.chooser = nil
	st, err := e.sys.Stepper()
	if err != nil {
		return err
	}
	e.st = st
	e.reset(decls)
	for i := range decls {
		e.objs[i].reset(&decls[i])
	}
	// Threads first, so objects can be made on the first one.
	for i, d := range decls {
		if d.Kind == "thread" {
			o := e.objs[i]
			o.thread = st.NewThread(d.Name)
			o.mach = e.newMachine(o.thread)
			e.thr = append(e.thr, i)
		}
	}
	if len(e.thr) == 0 {
		return &spec.ParseError{Line: 1, Msg: "no thread declared"}
	}
	e.setupDecls = decls
	e.st.Call(e.objs[e.thr[0]].thread, e.setupFn)
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

// reset forgets the last run (if any) and makes room for the declared
// objects, reusing what the last run allocated.
func (e *Emulator) reset(decls []spec.Decl) {
	if e.setupFn == nil {
		e.setupFn = e.setup
	}
	e.run++
	clear(e.thr)
	e.thr = e.thr[:0]
	e.lent.reset()
	e.afd = afdState{}
	clear(e.done[:cap(e.done)])
	e.done = e.done[:0]
	e.npending = 0
	e.nmach = 0
	n := len(decls)
	if cap(e.objs) < n {
		e.objs = append(e.objs[:cap(e.objs)], make([]*object, n-cap(e.objs))...)
	}
	e.objs = e.objs[:n]
	for i, o := range e.objs {
		if o == nil {
			e.objs[i] = &object{}
		}
	}
	e.indexNames(decls)
}

// indexNames makes the index of the declarations' names, unless they are
// few (then lookup searches them) or the index the last run used is
// theirs.
func (e *Emulator) indexNames(decls []spec.Decl) {
	if len(decls) <= indexFrom {
		e.index, e.indexed = nil, nil
		return
	}
	if len(e.indexed) == len(decls) {
		same := true
		for i := range decls {
			if decls[i].Name != e.indexed[i] {
				same = false
				break
			}
		}
		if same {
			return
		}
	}
	// Another scenario's names: a new map (clearing one costs its size,
	// which the largest scenario set).
	e.index = make(map[string]int, len(decls))
	e.indexed = e.indexed[:0]
	for i, d := range decls {
		e.index[d.Name] = i
		e.indexed = append(e.indexed, d.Name)
	}
}

// lookup is the object of the declaration named name, nil if none: the
// last declaration of that name, as a map filled in declaration order
// would give.
func (e *Emulator) lookup(name string) *object {
	if e.index != nil {
		if i, ok := e.index[name]; ok {
			return e.objs[i]
		}
		return nil
	}
	for i := len(e.objs) - 1; i >= 0; i-- {
		if o := e.objs[i]; o.decl.Name == name {
			return o
		}
	}
	return nil
}

// threadNamed is the declared thread named name, nil if none.
func (e *Emulator) threadNamed(name string) *object {
	if e.index == nil || len(e.thr) <= indexFrom {
		// The threads are few: searched, the last of the name first.
		for i := len(e.thr) - 1; i >= 0; i-- {
			if o := e.objs[e.thr[i]]; o.decl.Name == name {
				return o
			}
		}
		return nil
	}
	if o := e.lookup(name); o != nil && o.thread != nil {
		return o
	}
	return nil
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
func (o *object) reset(d *spec.Decl) {
	clear(o.calls) // what the last run recorded (earlier runs' are cleared)
	store, calls := o.store, o.calls[:0]
	wsaFn, fileFn, apcFn := o.wsaFn, o.fileFn, o.apcFn
	ov := o.ovStore
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
			if e.ovIndex == nil {
				e.ovIndex = map[*emu.Overlapped]int{}
			}
			e.ovIndex[o.ovStore] = i // o stays at i
		}
		o.ov = o.ovStore
		*o.ov = emu.Overlapped{}
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
	for _, m := range e.machs[:e.nmach] {
		if m.t == t {
			return m
		}
	}
	return e.newMachine(t)
}

// currentThread is the thread running now: a Winsock routine has no
// thread argument, but it always runs on the thread that issued the call.
func (e *Emulator) currentThread() *emu.Thread { return e.sys.CurrentThread() }

// Do implements Backend.
func (e *Emulator) Do(thread string, op spec.Op) (spec.Result, error) {
	o := e.threadNamed(thread)
	if o == nil {
		return spec.Result{}, fmt.Errorf("unknown thread %q", thread)
	}
	m, t := o.mach, o.thread
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
		if !m.pending {
			e.npending++
		}
		m.pending, m.pendingOp = true, op
		return spec.Result{Blocked: true}, nil
	}
	e.collect(thread)
	return m.out, nil
}

// collect moves calls of other threads that have returned into done.
func (e *Emulator) collect(except string) {
	if e.npending == 0 {
		return
	}
	for _, i := range e.thr {
		o := e.objs[i]
		m := o.mach
		if !m.pending || o.decl.Name == except {
			continue
		}
		if e.st.Idle(o.thread) {
			m.pending = false
			e.npending--
			e.done = append(e.done, spec.Returned{Thread: o.decl.Name, Op: m.pendingOp, Result: m.out, Err: m.err})
		}
	}
}

// Settle implements Backend.
func (e *Emulator) Settle() error {
	e.st.Settle()
	e.collect("")
	return nil
}

// Completed implements Backend. The list is the Emulator's: valid until
// the next Do, Settle, Completed or Start.
func (e *Emulator) Completed() []spec.Returned {
	e.collect("")
	d := e.done
	e.done = e.done[:0]
	return d
}

// Overlapped implements Backend.
func (e *Emulator) Overlapped(name string) (spec.OvFields, error) {
	o := e.lookup(name)
	if o == nil || o.ov == nil {
		return spec.OvFields{}, fmt.Errorf("%q is not a declared overlapped record", name)
	}
	s := o.ov.Snapshot()
	return spec.OvFields{Internal: uint64(s.Internal), InternalHigh: uint64(s.InternalHigh), Offset: s.Offset, OffsetHigh: s.OffsetHigh}, nil
}

// EventSignalled implements Backend.
func (e *Emulator) EventSignalled(name string) (bool, error) {
	o := e.lookup(name)
	if o == nil || o.decl.Kind != "event" {
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
	o := e.lookup(name)
	if o == nil || (o.decl.Kind != "routine" && o.decl.Kind != "apc") {
		return nil, fmt.Errorf("%q is not a declared routine or apc", name)
	}
	return o.calls, nil
}

// Buffer implements Backend.
func (e *Emulator) Buffer(name string) ([]byte, error) {
	o := e.lookup(name)
	if o == nil || o.decl.Kind != "buffer" {
		return nil, fmt.Errorf("%q is not a declared buffer", name)
	}
	return o.buf, nil
}

// Blocked implements Backend.
func (e *Emulator) Blocked(thread string) (bool, error) {
	o := e.threadNamed(thread)
	if o == nil {
		return false, fmt.Errorf("unknown thread %q", thread)
	}
	return o.thread.Blocked(), nil
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
