package spec

import (
	"fmt"
	"net/netip"
	"strconv"

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

	sys     *emu.System
	st      *emu.Stepper
	threads map[string]*emu.Thread
	tnames  []string
	objs    map[string]*object
	ovName  map[*emu.Overlapped]string
	last    map[string]string // thread -> call it is blocked in
	done    []Completion
	pending map[string]*pendingCall
}

type pendingCall struct {
	call string
	out  *Outcome
	fin  func(*Outcome)
}

type object struct {
	decl    Decl
	h       emu.Handle // events, pipe ends, ports, sockets
	read    emu.Handle // pipes
	write   emu.Handle
	ov      *emu.Overlapped
	buf     []byte
	calls   []RoutineCall
	thread  string // routines: the thread a "does" call runs on is the one running it
	wsaFn   emu.WSACompletionRoutine
	fileFn  emu.FileIOCompletionRoutine
	apcFn   emu.APCProc
	sockAF  int32
	sockovl bool
	// msgReport rereads a pending WSARecvMsg's message when asked.
	msgReport func(*Outcome)
}

// TraceLen is how many trace events the current run has recorded.
func (e *Emulator) TraceLen() int {
	if e.sys == nil || e.sys.Trace() == nil {
		return 0
	}
	return len(e.sys.Trace().Events)
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
		for _, ev := range tr.Events {
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

// Start implements Backend.
func (e *Emulator) Start(cfg RunConfig, decls []Decl) error {
	var opts []emu.Option
	switch cfg.Kind {
	case "", "nonifs":
		opts = append(opts, emu.WithProviderKind(provider.NonIFS))
	case "ifs":
		opts = append(opts, emu.WithProviderKind(provider.IFS))
	default:
		return fmt.Errorf("unknown provider kind %q", cfg.Kind)
	}
	switch cfg.Profile {
	case "", "windows":
		opts = append(opts, emu.WithProfile(emu.ProfileWindows))
	case "docs":
		opts = append(opts, emu.WithProfile(emu.ProfileDocs))
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
	// The sanitizer always watches scenario runs: a scenario that does
	// something the pages call undefined must say so with "finding".
	if e.Quiet {
		opts = append(opts, emu.WithoutTrace())
	} else {
		opts = append(opts, emu.WithSanitizer(emu.SanitizeReport))
	}
	e.sys = emu.New(opts...)
	st, err := e.sys.Stepper()
	if err != nil {
		return err
	}
	e.st = st
	e.threads = map[string]*emu.Thread{}
	e.tnames = nil
	e.objs = map[string]*object{}
	e.ovName = map[*emu.Overlapped]string{}
	e.pending = map[string]*pendingCall{}
	e.done = nil
	// Threads first, so objects can be made on the first one.
	for _, d := range decls {
		if d.Kind == "thread" {
			e.threads[d.Name] = st.NewThread(d.Name)
			e.tnames = append(e.tnames, d.Name)
		}
	}
	if len(e.tnames) == 0 {
		return &ParseError{"", 1, "no thread declared"}
	}
	first := e.threads[e.tnames[0]]
	var setupErr error
	e.st.Call(first, func(t *emu.Thread) {
		var d emu.WSAData
		if err := t.WSAStartup(0x0202, &d); err != nil {
			setupErr = err
			return
		}
		for _, dc := range decls {
			if dc.Kind == "thread" {
				continue
			}
			if err := e.declare(t, dc); err != nil {
				setupErr = err
				return
			}
		}
	})
	return setupErr
}

func (e *Emulator) declErr(d Decl, format string, args ...any) error {
	return &ParseError{"", d.Line, fmt.Sprintf(format, args...)}
}

func (e *Emulator) declare(t *emu.Thread, d Decl) error {
	o := &object{decl: d}
	e.objs[d.Name] = o
	switch d.Kind {
	case "event":
		manual := !d.Args.Has("auto")
		h, err := t.CreateEvent(manual, d.Args.Has("signalled"))
		if err != nil {
			return err
		}
		o.h = h
	case "socket":
		af := int32(provider.AF_INET)
		if d.Args.Has("udp6") {
			af = provider.AF_INET6
		} else if len(d.Args.Pos) > 0 && !d.Args.Has("udp4") && !d.Args.Has("nonoverlapped") {
			return e.declErr(d, "socket %s: want udp4 or udp6, got %q", d.Name, d.Args.Pos[0])
		}
		flags := uint32(provider.WSA_FLAG_OVERLAPPED)
		if d.Args.Has("nonoverlapped") {
			flags = 0
		}
		s, err := t.WSASocket(af, provider.SOCK_DGRAM, provider.IPPROTO_UDP, flags)
		if err != nil {
			return err
		}
		o.h, o.sockAF, o.sockovl = emu.Handle(s), af, flags != 0
		if v, ok := d.Args.Get("bind"); ok {
			ap, err := netip.ParseAddrPort(v)
			if err != nil {
				return e.declErr(d, "socket %s: bad address %q", d.Name, v)
			}
			if err := t.Bind(s, &ap, namelen(ap)); err != nil {
				return e.declErr(d, "socket %s: bind %s: %v", d.Name, v, err)
			}
		}
		if v, ok := d.Args.Get("connect"); ok {
			ap, err := netip.ParseAddrPort(v)
			if err != nil {
				return e.declErr(d, "socket %s: bad address %q", d.Name, v)
			}
			if err := t.Connect(s, &ap, namelen(ap)); err != nil {
				return e.declErr(d, "socket %s: connect %s: %v", d.Name, v, err)
			}
		}
	case "overlapped":
		o.ov = &emu.Overlapped{}
		e.ovName[o.ov] = d.Name
		if v, ok := d.Args.Get("event"); ok && v != "none" {
			ev, ok := e.objs[v]
			if !ok || ev.decl.Kind != "event" {
				return e.declErr(d, "overlapped %s: %q is not a declared event", d.Name, v)
			}
			o.ov.HEvent = ev.h
		}
		if v, ok := d.Args.Get("hevent"); ok {
			n, err := ParseValue(v)
			if err != nil {
				return e.declErr(d, "overlapped %s: hevent=%q: %v", d.Name, v, err)
			}
			o.ov.HEvent = emu.Handle(n)
		}
		if d.Args.Has("lowbit") {
			o.ov.HEvent |= 1
		}
		for _, f := range []string{"Internal", "InternalHigh", "Offset", "OffsetHigh"} {
			if v, ok := d.Args.Get(f); ok {
				n, err := ParseValue(v)
				if err != nil {
					return e.declErr(d, "overlapped %s: %s=%q: %v", d.Name, f, v, err)
				}
				setField(o.ov, f, n)
			}
		}
	case "buffer":
		if len(d.Args.Pos) != 1 {
			return e.declErr(d, "buffer %s: give a size or a \"quoted text\"", d.Name)
		}
		if s, ok := Quoted(d.Args.Pos[0]); ok {
			o.buf = []byte(s)
		} else {
			n, err := strconv.Atoi(d.Args.Pos[0])
			if err != nil || n < 0 || n > 1<<20 {
				return e.declErr(d, "buffer %s: bad size %q", d.Name, d.Args.Pos[0])
			}
			o.buf = make([]byte, n)
		}
	case "routine", "apc":
		e.makeRoutine(o)
	case "pipe":
		opts := emu.PipeOptions{}
		if d.Args.Has("message") {
			opts.Mode = emu.PipeMessage
		}
		if d.Args.Has("sync") {
			opts.Synchronous = true
		}
		if v, ok := d.Args.Get("capacity"); ok {
			n, err := strconv.Atoi(v)
			if err != nil {
				return e.declErr(d, "pipe %s: bad capacity %q", d.Name, v)
			}
			opts.Capacity = n
		}
		r, w, err := t.CreatePipe(opts)
		if err != nil {
			return err
		}
		o.read, o.write = r, w
	case "port":
		h, err := t.CreateIoCompletionPort(emu.INVALID_HANDLE_VALUE, 0, 0, 0)
		if err != nil {
			return err
		}
		o.h = h
	default:
		return e.declErr(d, "unknown declaration %q", d.Kind)
	}
	return nil
}

func namelen(ap netip.AddrPort) int32 {
	if ap.Addr().Is4() {
		return provider.SizeofSockaddrInet4
	}
	return provider.SizeofSockaddrInet6
}

// maxRoutineActs bounds how often one routine makes its "does" call in a
// run.
const maxRoutineActs = 1000

// makeRoutine builds the functions a routine or APC declaration stands
// for: each records its call and then makes its "does" call, if any, on
// the thread it runs on.
func (e *Emulator) makeRoutine(o *object) {
	record := func(t *emu.Thread, rc RoutineCall) {
		rc.Thread = t.Name()
		rc.Depth = t.APCDepth()
		o.calls = append(o.calls, rc)
		// A routine whose call queues the routine again would loop for
		// ever (as it would on Windows); past a bound it stops acting.
		if o.decl.Does != nil && len(o.calls) <= maxRoutineActs {
			// A scenario mistake in the routine's call is recorded with the
			// call it belongs to.
			if _, err := e.exec(t, *o.decl.Does); err != nil {
				o.calls[len(o.calls)-1].Ov += " (does failed: " + err.Error() + ")"
			}
		}
	}
	o.wsaFn = func(dwError, cb uint32, ov *emu.Overlapped, flags uint32) {
		rc := RoutineCall{Err: dwError, Bytes: cb, Flags: flags, Ov: e.nameOf(ov)}
		record(e.currentThread(), rc)
	}
	o.fileFn = func(t *emu.Thread, code, n uint32, ov *emu.Overlapped) {
		record(t, RoutineCall{Err: code, Bytes: n, Ov: e.nameOf(ov)})
	}
	o.apcFn = func(t *emu.Thread, p uintptr) {
		record(t, RoutineCall{Param: uint64(p)})
	}
}

func (e *Emulator) nameOf(ov *emu.Overlapped) string {
	if n, ok := e.ovName[ov]; ok {
		return n
	}
	if ov == nil {
		return "NULL"
	}
	return "?"
}

// currentThread is the thread running now: a Winsock routine has no
// thread argument, but it always runs on the thread that issued the call.
func (e *Emulator) currentThread() *emu.Thread { return e.sys.CurrentThread() }

// Do implements Backend.
func (e *Emulator) Do(thread string, c Call) (Outcome, error) {
	t, ok := e.threads[thread]
	if !ok {
		return Outcome{}, &ParseError{"", c.Line, fmt.Sprintf("unknown thread %q", thread)}
	}
	var out Outcome
	var callErr error
	pc := &pendingCall{call: c.Name, out: &out}
	res, err := e.st.Call(t, func(t *emu.Thread) {
		out, callErr = e.exec(t, c)
		if pc.fin != nil {
			pc.fin(&out)
		}
	})
	if err != nil {
		return Outcome{}, &ParseError{"", c.Line, err.Error()}
	}
	if callErr != nil {
		return Outcome{}, callErr
	}
	if !res.Returned {
		e.pending[thread] = pc
		return Outcome{Blocked: true}, nil
	}
	e.collect(thread)
	return out, nil
}

// collect moves calls of other threads that have returned into done.
func (e *Emulator) collect(except string) {
	for _, n := range e.tnames {
		if n == except {
			continue
		}
		if pc, ok := e.pending[n]; ok && e.st.Idle(e.threads[n]) {
			delete(e.pending, n)
			e.done = append(e.done, Completion{Thread: n, Call: pc.call, Outcome: *pc.out})
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
func (e *Emulator) Completed() []Completion {
	e.collect("")
	d := e.done
	e.done = nil
	return d
}

// Overlapped implements Backend.
func (e *Emulator) Overlapped(name string) (OvFields, error) {
	o, ok := e.objs[name]
	if !ok || o.ov == nil {
		return OvFields{}, fmt.Errorf("%q is not a declared overlapped record", name)
	}
	s := o.ov.Snapshot()
	return OvFields{Internal: uint64(s.Internal), InternalHigh: uint64(s.InternalHigh), Offset: s.Offset, OffsetHigh: s.OffsetHigh}, nil
}

// EventSignalled implements Backend.
func (e *Emulator) EventSignalled(name string) (bool, error) {
	o, ok := e.objs[name]
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
func (e *Emulator) Routine(name string) ([]RoutineCall, error) {
	o, ok := e.objs[name]
	if !ok || (o.decl.Kind != "routine" && o.decl.Kind != "apc") {
		return nil, fmt.Errorf("%q is not a declared routine or apc", name)
	}
	return o.calls, nil
}

// Buffer implements Backend.
func (e *Emulator) Buffer(name string) ([]byte, error) {
	o, ok := e.objs[name]
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

func setField(ov *emu.Overlapped, f string, v uint64) {
	switch f {
	case "Internal":
		ov.Internal = uintptr(v)
	case "InternalHigh":
		ov.InternalHigh = uintptr(v)
	case "Offset":
		ov.Offset = uint32(v)
	case "OffsetHigh":
		ov.OffsetHigh = uint32(v)
	}
}
