package emu

import (
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// System is one emulated machine: its threads, handle table, kernel objects,
// virtual clock, Chooser and trace. A System is driven either step by step
// (Stepper) or by goroutines (Go and Run); the two drive the same core.
//
// Exactly one party touches a System at a time: the driver, or the one
// emulated thread that holds the right to run. Calls on a Thread are only
// valid from that thread's own code (its goroutine function, a step
// command, or a routine running on it).
type System struct {
	chooser Chooser
	seeded  Seeded        // the chooser WithSeed makes
	tc      ThreadChooser // chooser, when it wants the scheduling candidates
	xp      *ExploreRun   // the exhaustive explorer's run, told what each step touches (explore.go); nil otherwise
	profile Profile
	trace   *Trace

	now time.Duration

	handles handleTable
	dups    map[object]int // extra handles DuplicateHandle made, by object
	named   pipeNamespace  // the named pipes (CreateNamedPipe), by lower-case name (pipes)
	kernel  handleTable    // the provider's own events (kernelHandleBit)
	threads []*Thread
	nextTID int
	process process // what a wait on GetCurrentProcess's pseudo handle names

	// scheduling
	mode     driveMode
	current  *Thread
	owner    atomic.Pointer[Thread] // == current, for Thread.running from any goroutine
	ready    []*Thread
	actions  []action
	timers   []timer // kernel timers on the virtual clock (sched.go)
	settling bool
	driverCh chan struct{}
	coro     bool    // step threads run as coroutines (stepcoro.go)
	baton    *Thread // coroutine mode: the thread handed the right to run
	killed   bool
	panics   []error

	// the hang watchdog (watchdog.go)
	hangAfter  time.Duration // wall-clock grace; 0: off
	beats      atomic.Uint64 // heartbeats of the running thread
	quietCalls uint64        // calls returned without a trace (callBeat)
	hang       *HangError    // set when a thread was given up as hung

	// livelock detection (see WithLivelockBudget)
	idle     int // calls and provider waits since the last progress
	budget   int // idle steps allowed; 0: no limit
	livelock *LivelockError

	ovIDs  map[*Overlapped]int // made at the first overlapped the trace names
	nextOv int

	traceSet bool // a trace option chose the trace (New makes the default otherwise)

	rec       records // the arenas of the records the System makes (arena.go)
	nextReqID uint64

	obs    fieldObserver
	picker apcPicker

	// exitNotify is told of every thread exit, after the kernel has dealt
	// with the thread's requests, in the order of registration.
	exitNotify []threadExitNotifier

	ws2 ws2State // the ws2 layer above the kernel

	pool    *GoroutinePool // runs step-driven threads (WithGoroutinePool); nil: one goroutine each
	stepper Stepper        // what Stepper returns, made with the System

	san    sanitizer
	poison bool // write Poison into out-parameters a pending call leaves alone
	resets bool // ask the Chooser at PointReset (WithResets)
	splits bool // ask the Chooser at PointSplit (WithSplits)
}

type driveMode uint8

const (
	modeNone driveMode = iota
	modeGoroutine
	modeStep
)

// Option configures a System.
type Option func(*System)

// WithSeed makes every open decision from a pseudo-random sequence fixed by
// seed (SeededChooser).
func WithSeed(seed uint64) Option {
	return func(s *System) {
		s.seeded = Seeded{state: seed} // the System's own: nothing to allocate
		s.chooser = &s.seeded
	}
}

// WithChooser sets the Chooser that makes every open decision. The default
// is UsualChooser: what Windows usually does.
func WithChooser(c Chooser) Option {
	return func(s *System) {
		if c != nil {
			s.chooser = c
		}
	}
}

// WithProfile picks the profile (ProfileWindows by default).
func WithProfile(p Profile) Option { return func(s *System) { s.profile = p } }

// WithResets lets the Chooser end stream connections with a reset at any
// point of their life (PointReset): before each send or receive on a
// connected stream socket, the provider asks whether the network resets
// the connection there. Off by default, and then never asked, so runs
// without it are what they were; explore and property tests turn it on
// to reach the resets real networks produce.
func WithResets() Option { return func(s *System) { s.resets = true } }

// WithSplits lets the Chooser deliver the bytes waiting on a stream socket
// in pieces (PointSplit): a receive may take fewer bytes than are there,
// down to one, as a byte stream keeps no boundaries. Off by default: on
// loopback Windows hands a pending receive everything that is there (what
// Wine's Windows-verified stream tests assert), so the usual run and the
// corpus expect whole sends; explore -splits and the stream properties
// turn it on to find code that assumes a receive gets a whole send.
func WithSplits() Option { return func(s *System) { s.splits = true } }

// WithTrace records the run's trace into tr, which it empties first: a
// driver that runs many Systems one after the other (explore) keeps one
// trace and lets each run reuse the memory the last one's events took.
// What the trace held is gone, including for any error of the last run
// that points to it; read it before the next System built with it starts.
// WithTrace(nil) keeps the default, a trace of the System's own.
func WithTrace(tr *Trace) Option {
	return func(s *System) {
		if tr != nil {
			tr.Reset()
			s.trace, s.traceSet = tr, true
		}
	}
}

// WithoutTrace turns the trace off (for benchmarks: recording every event
// costs memory in proportion to the run).
func WithoutTrace() Option { return func(s *System) { s.trace, s.traceSet = nil, true } }

// DefaultLivelockBudget is the number of consecutive steps without
// progress after which a run stops with a *LivelockError, unless
// WithLivelockBudget says otherwise.
const DefaultLivelockBudget = 1_000_000

// WithLivelockBudget sets how many steps in a row a run may take without
// progress before it stops with a *LivelockError (n <= 0: no limit; the
// default is DefaultLivelockBudget).
//
// A step is an emulated call entered by a thread, or one wait a provider
// makes inside a blocking call. Progress is what a program cannot undo by
// polling: an I/O request or Winsock operation completes (or a synchronous
// one succeeds), a completion packet is taken from a port, an APC or
// completion routine runs, a thread starts or exits, or the virtual clock
// moves. Setting and resetting events, waits satisfied or timed out at
// once, and failing calls are not progress: threads that only do those,
// for ever, are livelocked. A run that keeps doing I/O or sleeping is never
// flagged, however long it is.
func WithLivelockBudget(n int) Option {
	return func(s *System) {
		if n < 0 {
			n = 0
		}
		s.budget = n
	}
}

// New builds a System. It may build it in the memory of one released
// earlier (System.Release), which is not observable: the System is, field
// for field, what a new one is.
func New(opts ...Option) *System {
	// A released System, emptied to what a new one holds but with the
	// memory of its tables and arenas, if there is one.
	s, _ := systems.Get().(*System)
	if s == nil {
		s = &System{}
	}
	return s.build(opts)
}

// build makes s, a zero System (or one scrub emptied), the System New
// returns.
func (s *System) build(opts []Option) *System {
	s.budget, s.hangAfter, s.chooser = DefaultLivelockBudget, DefaultHangTimeout, UsualChooser()
	for _, o := range opts {
		o(s)
	}
	if s.driverCh == nil {
		s.driverCh = make(chan struct{}, 1)
	}
	if !s.traceSet {
		// The default trace, made only when no option supplied one or
		// turned tracing off.
		s.trace = &Trace{}
	}
	s.tc, _ = s.chooser.(ThreadChooser)
	if xr, ok := s.chooser.(*ExploreRun); ok {
		xr.attach(s)
	}
	s.obs.s = s
	s.picker.s = s
	s.ws2.attach(s)
	return s
}

// Trace returns the trace recorded so far (nil when tracing is off). Read
// it only while no emulated thread runs: after Run, or between steps.
func (s *System) Trace() *Trace { return s.trace }

// Now returns the virtual clock.
func (s *System) Now() time.Duration { return s.now }

// Profile returns the System's profile.
func (s *System) Profile() Profile { return s.profile }

// Threads returns the threads created so far, in creation order.
func (s *System) Threads() []*Thread { return s.threads }

// OverlappedID returns the small number under which the trace names ov,
// giving it the next number if the System has not seen it before.
func (s *System) OverlappedID(ov *Overlapped) int {
	if ov == nil {
		return 0
	}
	if id, ok := s.ovIDs[ov]; ok {
		return id
	}
	if s.ovIDs == nil {
		s.ovIDs = make(map[*Overlapped]int)
	}
	s.nextOv++
	s.ovIDs[ov] = s.nextOv
	return s.nextOv
}

func (s *System) emit(e Event) {
	if s.trace == nil {
		return
	}
	s.trace.record(s.now, &e) // e stays on the caller's stack: record copies it once, into its slot
}

func (s *System) note(t *Thread, format string, args ...any) {
	if s.trace == nil {
		return
	}
	s.emit(Event{Thread: t.tid(), Kind: EvNote, Text: fmt.Sprintf(format, args...)})
}

// choose asks the Chooser, clamps and traces the answer. With fewer than
// two alternatives there is nothing to decide and nothing is traced.
func (s *System) choose(p Point, n int) int {
	if n < 2 {
		return 0
	}
	c := clampChoice(s.chooser.Choose(p, n), n)
	s.emit(Event{Kind: EvChoice, Name: p.String(), N: uint64(n), Result: uint64(c)})
	return c
}

// fieldObserver traces every WSAOVERLAPPED field write.
type fieldObserver struct{ s *System }

func (o *fieldObserver) FieldWritten(ov *Overlapped, f wso.Field, old, new uint64) {
	if f == wso.FieldInternal && new != uint64(wso.WSS_OPERATION_IN_PROGRESS) {
		o.s.sanDone(ov)
	}
	if o.s.trace == nil {
		return
	}
	o.s.emit(Event{Thread: o.s.current.tid(), Kind: EvField, Name: f.String(), Ov: o.s.OverlappedID(ov), Old: old, New: new})
}

// observer returns the field observer, or nil when tracing is off, so the
// protocol functions skip the call entirely.
func (s *System) observer() wso.Observer {
	if s.trace == nil && !s.san.on() {
		return nil
	}
	return &s.obs
}

// DeadlockError reports that every live thread is blocked for ever and
// nothing pending can wake any of them.
type DeadlockError struct {
	Now     time.Duration
	Blocked []string // one line per blocked thread: what it waits for
	Trace   *Trace
}

func (e *DeadlockError) Error() string {
	msg := fmt.Sprintf("deadlock at %s: every thread is blocked and nothing can complete", fmtTime(e.Now))
	for _, b := range e.Blocked {
		msg += "\n  " + b
	}
	return msg
}

// PanicError is a panic recovered from code running on an emulated thread
// (the thread's function, a step's command, a routine or an APC). The
// thread ends with exit code 0xC0000005 and the rest of the machine carries
// on; the panic is kept, with the stack where it happened.
type PanicError struct {
	Thread string // the thread's name
	Value  any    // what was passed to panic
	Stack  string // the goroutine's stack at the recovery (runtime/debug.Stack)
}

func (e *PanicError) Error() string {
	return fmt.Sprintf("thread %s panicked: %v\n%s", e.Thread, e.Value, e.Stack)
}

// Panics returns every panic recovered from the threads' code so far, in
// the order they happened, each a *PanicError. Run also returns them
// (joined into its error); under a Stepper this is the only way to see
// them. Read it only while no emulated thread runs. The slice is a copy.
func (s *System) Panics() []error {
	if len(s.panics) == 0 {
		return nil
	}
	return append([]error(nil), s.panics...)
}

// LivelockError reports that the run went on for the livelock budget (see
// WithLivelockBudget) without any progress: the threads still run, but
// nothing they do leads anywhere. Like a deadlock it is reported with the
// trace, never a hang.
type LivelockError struct {
	Now     time.Duration
	Steps   int      // the budget that ran out: steps in a row without progress
	Thread  string   // the thread whose step used the budget up
	Threads []string // one line per thread that has not exited: its state
	Trace   *Trace
}

func (e *LivelockError) Error() string {
	msg := fmt.Sprintf("livelock at %s: %d steps in a row without progress (no I/O completed, no APC ran, no thread started or ended, the clock did not move); stopped in thread %s", fmtTime(e.Now), e.Steps, e.Thread)
	for _, b := range e.Threads {
		msg += "\n  " + b
	}
	return msg
}

// ErrWrongThread is returned when a Thread's method is called from code
// that is not running as that thread: another emulated thread's code, the
// driver, or any other goroutine. The check is race-free: a refused call
// touches nothing of the System (and so is not traced, except when it comes
// from code that holds the right to run). Calls without an error result say
// how they refuse (SleepEx returns WAIT_FAILED, GetLastError
// ERROR_INVALID_THREAD_ID, SetLastError and ExitThread do nothing).
var ErrWrongThread = errors.New("emu: call made on a thread that is not the one running")

// CurrentThread is the emulated thread that is running now (nil when the
// driver holds the machine). Code that has no thread argument, such as a
// Winsock completion routine, can use it to learn the thread it runs on.
func (s *System) CurrentThread() *Thread { return s.current }
